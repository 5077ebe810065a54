"""Each step spelled out on screen (issue 10, point 4): the dW cells that change are marked,
a window cell and its kernel tap light each other on hover, weights are printed in the
window's cells, arrows join what a step reads to what it writes, and the arithmetic line
breaks only between cell updates."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from checks import settle

from visualizer.widgets.step_bar import arithmetic_html

if TYPE_CHECKING:
    from PySide6.QtGui import QPainterPath
    from PySide6.QtWidgets import QLabel, QWidget


def title_glyphs(sheet: QWidget, label: QLabel) -> QPainterPath:
    """A title label's letters where it draws them, in the arrow sheet's coordinates, found
    here from the label's own font and text."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainterPath

    glyphs = QPainterPath()
    box = label.contentsRect()
    metrics = label.fontMetrics()
    top = box.center().y() - metrics.height() // 2
    origin = sheet.mapFromGlobal(label.mapToGlobal(box.topLeft()))
    glyphs.addText(
        QPointF(origin.x(), origin.y() - box.top() + top + metrics.ascent()),
        label.font(),
        label.text(),
    )
    return glyphs


@pytest.fixture
def conv(window, qtbot):
    st = window.state
    st.set_op("conv")  # the default 8×8 example, W = [[0, 1], [2, 3]], 7×7 windows
    settle(qtbot)
    return window


def test_only_the_weight_gradients_that_change_are_marked(conv, qtbot):
    st, panel = conv.state, conv.views_panel
    st.set_params(padding=1)  # window (0, 0) reads padding except at its tap (1, 1)
    st.set_phase("backward")
    st.set_step(st.n_windows)  # backward, window (0, 0)
    marked = panel.grad_weight_view.highlights()
    assert {rc for rc, styles in marked.items() if "target" in styles} == {(1, 1)}
    st.set_step(st.n_windows + 10)  # window (1, 1) of 9 × 9: reads X[0:2, 0:2] only
    marked = panel.grad_weight_view.highlights()
    assert {rc for rc, styles in marked.items() if "target" in styles} == {
        (0, 0),
        (0, 1),
        (1, 0),
        (1, 1),
    }


def test_hovering_a_window_cell_lights_its_kernel_tap_and_back(conv):
    st, panel = conv.state, conv.views_panel
    st.set_step(8)  # forward, window (1, 1): X[1:3, 1:3]
    st.set_hover("input", 2, 1)  # the window's bottom-left cell: W[1, 0]
    lit = {rc for rc, s in panel.kernel_view.highlights().items() if "hover" in s}
    assert lit == {(1, 0)}
    st.set_hover("weight", 0, 1)  # W[0, 1] multiplies X[1, 2]
    lit = {rc for rc, s in panel.input_view.highlights().items() if "hover" in s}
    assert lit == {(1, 2)}
    assert "hover" in panel.kernel_view.highlights()[(0, 1)]
    st.set_hover("input", 5, 5)  # outside the window: no kernel tap lights
    assert not any("hover" in s for s in panel.kernel_view.highlights().values())


def test_hovering_the_kernel_view_sets_the_hover(conv):
    panel = conv.views_panel
    panel.kernel_view.sigCellHovered.emit(1, 1)
    assert conv.state.hover == ("weight", 1, 1)
    panel.kernel_view.sigHoverLeft.emit()
    assert conv.state.hover is None


def test_each_weight_is_printed_in_its_window_cell(conv):
    st, panel = conv.state, conv.views_panel
    st.set_step(8)  # window (1, 1)
    assert panel.input_view.notes() == {(1, 1): "0", (1, 2): "1", (2, 1): "2", (2, 2): "3"}
    st.set_step(0)
    assert panel.input_view.notes() == {(0, 0): "0", (0, 1): "1", (1, 0): "2", (1, 1): "3"}
    st.set_op("max")  # no weights: no notes
    assert panel.input_view.notes() == {}


def test_arrows_join_what_a_step_reads_to_what_it_writes(conv, qtbot):
    st, panel = conv.state, conv.views_panel
    st.set_step(3)
    settle(qtbot)
    assert panel.arrows.arrows == [("input", "output")]
    (arrow,) = st.step_arrows()
    assert arrow.target == ((0, 3),) and arrow.source == ((0, 3), (0, 4), (1, 3), (1, 4))
    st.set_step(st.n_windows + 3)
    settle(qtbot)
    assert panel.arrows.arrows == [("grad_output", "grad_input"), ("grad_output", "grad_weight")]
    st.set_op("max")
    st.set_step(st.n_windows)
    settle(qtbot)
    assert panel.arrows.arrows == [("grad_output", "grad_input")]


def test_max_unpooling_draws_an_arrow_from_the_pooled_cell_to_where_it_is_put(window, qtbot):
    """Issue 10 follow-up: max-unpooling's forward step reads a cell of P (X's winner is only
    marked) and writes Y where its index points; its arrow starts at that P cell (the spec's
    tensors of role input, in view order: the first whose cells the step reads)."""
    st, panel = window.state, window.views_panel
    st.set_op("max_unpool2d")
    st.set_step(3)
    settle(qtbot)
    step = st.highlight().step
    read = tuple(c.pos for c in step.cells if c.view == "pooled" and c.role == "source")
    written = tuple(c.pos for c in step.cells if c.view == "output" and c.role == "result")
    assert read and written
    (arrow,) = st.step_arrows()
    assert (arrow.source_view, arrow.source) == ("pooled", read)
    assert (arrow.target_view, arrow.target) == ("output", written)
    assert panel.arrows.arrows == [("pooled", "output")]
    st.set_step(st.n_windows + 3)
    settle(qtbot)
    assert panel.arrows.arrows == [("grad_output", "grad_input")]


def test_the_arithmetic_line_breaks_only_between_cell_updates(conv):
    st = conv.state
    st.set_step(st.n_windows)  # backward, window (0, 0)
    text = st.step_text()
    assert text.split("\n")[1].startswith("dX[0, 0]: 0 + 1·0 = 0   dX[0, 1]: 0 + 1·1 = 1")
    assert "dX[1, 0]: 0 + 1·2 = 2" in text
    shown = conv.step_bar.arithmetic_label.text()
    assert shown == arithmetic_html(text)
    assert "dX[1,&nbsp;0]:&nbsp;0&nbsp;+&nbsp;1·2&nbsp;=&nbsp;2" in shown
    for update in st.results.trace.step("backward", 0).updates:
        assert update.text.replace(" ", "&nbsp;") in shown  # never broken inside


def test_dw_title_says_so_far_in_the_backward_phase_like_dx(window, qtbot):
    st = window.state
    assert st.set_op("conv2d")
    view = window.views_panel.grad_weight_view
    assert view.title_label.full_text == "dW"
    st.set_phase("backward")
    assert view.title_label.full_text == "dW  so far"
    st.set_phase("forward")
    assert view.title_label.full_text == "dW"


def test_a_step_repaints_only_around_its_arrows_not_every_view(window, qtbot):
    """The arrows' sheet covers every view; a step marks as dirty only the arrows' boxes (it
    updated the whole sheet, so every step repainted every cell of every view)."""
    from visualizer.widgets.step_arrows import StepArrows

    st = window.state
    st.set_op("max")
    st.set_step(5)
    settle(qtbot)
    sheet = window.findChild(StepArrows, "stepArrows")
    assert sheet is not None and sheet.arrows
    box = sheet._region(sheet._segments).boundingRect()
    assert not box.isEmpty()
    assert box.width() * box.height() < 0.5 * sheet.width() * sheet.height()


def arrow_sheet(window):
    from visualizer.widgets.step_arrows import StepArrows

    sheet = window.findChild(StepArrows, "stepArrows")
    assert sheet is not None
    return sheet


def sheet_at_step(
    window,
    qtbot,
    size: tuple[int, int],
    step: int,
    op: str | None = None,
    backward: bool = False,
    presenting: bool = False,
):
    """The arrows' sheet of ``window`` at ``size`` on ``step`` of ``op`` (None: the current
    one; ``backward``: the backward phase's step), in the lecture layout if ``presenting``,
    settled."""
    window.resize(*size)
    st = window.state
    if op is not None:
        assert st.set_op(op)
    st.set_step(step + (st.n_windows if backward else 0))
    if presenting:
        window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    return arrow_sheet(window)


def area(path) -> float:
    box = path.boundingRect()
    return 0.0 if box.isEmpty() else box.width() * box.height()


@pytest.mark.parametrize(
    ("op", "backward", "step", "quiz"),
    [
        ("conv_transpose2d", False, 0, False),
        ("conv2d", True, 3, False),
        ("max_pool2d", False, 2, True),
        ("max_pool2d", False, 5, False),
    ],
)
def test_arrows_pass_under_the_titles_letters(window, qtbot, op, backward, step, quiz):
    """Arrows arching over the views crossed their titles ('Kernel W', 'Upstream gradient
    dY', 'dX so far' at 1024×768); where an arrow meets a title's letters they are drawn over
    it (the arrow itself is drawn whole)."""

    window.resize(1024, 768)
    st = window.state
    assert st.set_op(op)
    if quiz:
        st.set_quiz(True)
    st.set_step(step + (st.n_windows if backward else 0))
    settle(qtbot)
    sheet = arrow_sheet(window)
    assert sheet.arrows
    shapes = sheet.drawn_shapes()
    assert shapes and all(area(shape) > 0 for shape in shapes)
    over = sheet.letters_over_arrows()
    labels = [v.title_label for v in window.views_panel.views() if v.title_label.isVisible()]
    for label in labels:
        glyphs = title_glyphs(sheet, label)
        for shape in shapes:
            hidden = shape.intersected(glyphs).subtracted(over)
            assert area(hidden) < 1, (label.text(), sheet.arrows)


def test_arch_legs_run_on_grid_lines_between_numbers(window, qtbot):
    """Max pooling step 6 (window rows 2–3, columns 2–3; Y[1, 1]): the arch leaves the window
    on the grid line between its columns and enters the output cell along its left grid
    line, not through the numbers above them."""
    window.resize(1024, 768)
    st = window.state
    st.set_step(5)
    settle(qtbot)
    sheet = arrow_sheet(window)
    panel = window.views_panel
    ((start, end, _top, start_leg, end_leg, *_),) = sheet._segments
    line = panel.input_view.cells_box(((2, 3),), sheet).left()
    assert start_leg == pytest.approx(line, abs=1.5)  # a grid line is one pixel wide
    assert end_leg == pytest.approx(panel.output_view.cells_box(((1, 1),), sheet).left(), abs=1.5)
    # First row: the column numbers are above the cells, the legs run between them too (the
    # leg into Y[0, 0] ran through its column number "0").
    st.set_step(0)
    settle(qtbot)
    ((start, end, _top, start_leg, end_leg, *_),) = sheet._segments
    line = panel.input_view.cells_box(((0, 1),), sheet).left()
    assert start_leg == pytest.approx(line, abs=1.5)
    assert end_leg == pytest.approx(end.left(), abs=1.5)
    # Without column numbers (a heat map) nothing is above a first-row cell: its middle.
    assert st.resize_input(64, 64)
    st.set_step(0)
    settle(qtbot)
    ((start, end, _top, start_leg, end_leg, *_),) = sheet._segments
    assert panel.input_view.stack.currentIndex() == 1
    assert start_leg == pytest.approx(start.center().x())


def test_arrows_to_a_lower_row_leave_along_a_grid_line(window, qtbot):
    """Convolution's backward lecture layout at 1024×768 (dY, X, W over dX, dW): the arrows
    from the dY cell ran diagonally across dY's and X's numbers; they now leave the cell
    straight down on its left grid line, out of dY's matrix, and turn into dX and dW."""
    from PySide6.QtCore import QPoint, QRectF

    window.resize(1024, 768)
    settle(qtbot)
    st = window.state
    assert st.set_op("conv2d")
    st.set_step(st.n_windows + 9)  # dY[1, 2]
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    sheet = arrow_sheet(window)
    panel = window.views_panel
    cell = panel.grad_output_view.cells_box(((1, 2),), sheet)
    stack = panel.grad_output_view.stack
    matrix_bottom = sheet.mapFromGlobal(stack.mapToGlobal(QPoint(0, stack.height()))).y()
    assert sheet.arrows == [("grad_output", "grad_input"), ("grad_output", "grad_weight")]
    for segment in sheet._segments:
        _start, end, _top, _up, _end_leg, down_leg, exit_y, _entry_y, _rise_y, _room = segment
        assert end.top() > exit_y >= matrix_bottom  # the target is in the lower row
        assert down_leg == pytest.approx(cell.left(), abs=1.5)
        path, _head, _a = sheet._shape(segment)
        # Inside dY's matrix below the cell the arrow stays on the grid line.
        below = QRectF(cell.left() - 40, cell.bottom() + 1, 80, matrix_bottom - cell.bottom() - 2)
        for t in range(0, 101):
            p = path.pointAtPercent(t / 100)
            if below.contains(p):
                assert abs(p.x() - down_leg) < 1.0, (t, p)


def test_an_arrow_to_a_lower_row_leaves_the_close_up_under_a_heat_map(window, qtbot, monkeypatch):
    """The transposed convolution's backward lecture layout at 1366×768 (dY a heat map with its
    close-up under it; dW in the lower row): the arrow to dW ran from the heat map's window
    straight down over the close-up's framed numbers ("1" read as "."); it now leaves the
    close-up's cells.  The arrow to dX in the same row still leaves the heat map.  (The
    lecture layout now puts dW over W in the top row, where that gives larger cells: each
    view is placed alone here, as then, to have dW in the lower row.)"""
    from PySide6.QtCore import QRectF

    from visualizer.widgets.step_arrows import close_up_below
    from visualizer.widgets.views_panel import ViewsPanel

    monkeypatch.setattr(ViewsPanel, "_units", lambda _panel, views: [(v,) for v in views])
    window.resize(1366, 768)
    settle(qtbot)
    st = window.state
    assert st.set_op("conv_transpose2d")
    st.set_step(st.n_windows + 6)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    sheet = arrow_sheet(window)
    dy = window.views_panel.grad_output_view
    low = close_up_below(dy)
    assert low is not None, "dY is a heat map with its close-up under it"
    assert sheet.arrows == [("grad_output", "grad_input"), ("grad_output", "grad_weight")]
    (to_dx, to_dw) = sheet._segments
    heat = QRectF(dy.heatmap.rect()).translated(
        sheet.mapFromGlobal(dy.heatmap.mapToGlobal(dy.heatmap.rect().topLeft()))
    )
    close = QRectF(low.table.viewport().rect()).translated(
        sheet.mapFromGlobal(low.table.viewport().mapToGlobal(low.rect().topLeft()))
    )
    assert heat.contains(to_dx[0].center())
    assert close.contains(to_dw[0].center()), (to_dw[0], close)
    path, _head, _a = sheet._shape(to_dw)
    # Down from the close-up's window the arrow crosses no other part of the close-up than
    # the grid line it leaves along.
    leg = to_dw[5]
    for t in range(0, 101):
        p = path.pointAtPercent(t / 100)
        if close.contains(p) and p.y() > to_dw[0].bottom():
            assert abs(p.x() - leg) < 1.0, (t, p)


def header_numbers(window, sheet) -> list[tuple[str, object]]:
    """Each row and column number the shown tables draw in their headers: its view and
    digits, and the box of its ink in the arrows' sheet."""
    from PySide6.QtCore import QPoint, QRectF, Qt

    numbers = []
    for view in window.views_panel.views():
        if not view.isVisible() or view.stack.currentIndex() != 0:
            continue
        for header in (view.table.horizontalHeader(), view.table.verticalHeader()):
            if header.isHidden():
                continue
            horizontal = header.orientation() == Qt.Orientation.Horizontal
            metrics = header.fontMetrics()
            origin = sheet.mapFromGlobal(header.viewport().mapToGlobal(QPoint(0, 0)))
            for section in range(header.count()):
                start, size = header.sectionViewportPosition(section), header.sectionSize(section)
                text = str(view.model.headerData(section, header.orientation()))
                ink = QRectF(metrics.tightBoundingRect(text))
                if horizontal:
                    cell = QRectF(start, 0, size, header.height())
                else:
                    cell = QRectF(0, start, header.width(), size)
                ink.moveCenter(cell.center())
                numbers.append(
                    (f"{view.objectName()} {text}", ink.translated(origin.x(), origin.y()))
                )
    return numbers


def assert_clear_of_header_numbers(window, sheet, shapes) -> None:
    """No part of ``shapes`` (painter paths in the arrows' sheet) meets the ink of a row or
    column number (:func:`header_numbers`)."""
    from PySide6.QtGui import QPainterPath

    for name, ink in header_numbers(window, sheet):
        box = QPainterPath()
        box.addRect(ink)
        for shape in shapes:
            assert area(shape.intersected(box)) == 0, (name, sheet.arrows)


def arch_points(sheet, arrow: tuple[str, str]) -> tuple[list[tuple[object, float]], float]:
    """The sheet's one arrow, ``arrow`` (from view, to view), an arch: 401 points along its
    path, each with its distance from the nearer leg, and the arch's top."""
    assert sheet.arrows == [arrow]
    ((_start, _end, top, start_leg, end_leg, *_),) = sheet._segments
    path, _head, _a = sheet._shape(sheet._segments[0])
    points = [path.pointAtPercent(t / 400) for t in range(0, 401)]
    return [(p, min(abs(p.x() - start_leg), abs(p.x() - end_leg))) for p in points], top


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
@pytest.mark.parametrize(
    ("op", "step"),
    [
        ("max_pool2d", 0),
        ("max_pool2d", 3),
        ("max_pool2d", 5),
        ("max_pool2d", 16 + 3),
        ("avg_pool2d", 2),
        ("conv2d", 0),
        ("conv2d", 49 + 6),
        ("adaptive_max_pool2d", 1),
    ],
)
@pytest.mark.parametrize("presenting", [True, False])
def test_arrows_cross_no_row_or_column_number(window, qtbot, size, op, step, presenting):
    """Default max pooling in the lecture layout: the arrow's head landed on Y's column
    number "0" (legs into and out of a first-row cell ran down its middle, through the
    number above it); legs now cross the header band on grid lines, between numbers."""
    window.resize(*size)
    settle(qtbot)
    sheet = sheet_at_step(window, qtbot, size, step, op=op, presenting=presenting)
    assert sheet.arrows
    assert_clear_of_header_numbers(window, sheet, sheet.drawn_shapes())


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_an_arch_crosses_no_title_but_along_its_legs(window, qtbot, size):
    """Max pooling's backward lecture layout (dY, X, dX in a row), step 4: the arch from dY[0, 3]
    to dX[1, 7] came down from its top in a curve across dX's title ("Input gradient·dX·so
    far"); it now goes up from the cell, across above the views and straight down, so that
    the only title text it meets is where a leg goes up or down under one."""
    from visualizer.widgets.step_arrows import ARCH_RADIUS

    sheet = sheet_at_step(window, qtbot, size, 3, backward=True, presenting=True)
    points, top = arch_points(sheet, ("grad_output", "grad_input"))
    titles = sheet.title_rects()
    assert titles
    for t, (p, from_leg) in enumerate(points):
        if from_leg >= 1.5:  # off the legs: nowhere on a title's text
            assert not any(rect.contains(p.toPoint()) for rect in titles), (t, p)
        if from_leg > ARCH_RADIUS + 1:  # past the rounded corners: above the views
            assert p.y() <= top, (t, p)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_default_screen_s_arch_runs_above_the_titles(window, qtbot, size):
    """The normal layout's top row starts at the top of the views panel: with no room above
    the titles the arch ran along their row, through "Input X (8×8)". The panel keeps a band
    (ARCH_BAND) above its top row, and the arch, off its legs, runs there, clear of every
    title's box with the arrow's whole width."""
    from visualizer.widgets.step_arrows import ARCH_RADIUS, ARROW_EDGE, ARROW_WIDTH

    sheet = sheet_at_step(window, qtbot, size, 0)
    points, _top = arch_points(sheet, ("input", "output"))
    titles = sheet.title_rects()
    assert titles
    highest_title = min(rect.top() for rect in titles)
    half_width = (ARROW_WIDTH + 4 * ARROW_EDGE) / 2  # the outer (black) edge's pen, halved
    for t, (p, from_leg) in enumerate(points):
        if from_leg > ARCH_RADIUS + 1:
            assert p.y() + half_width <= highest_title, (t, p, highest_title)


@pytest.mark.parametrize("size", [(1024, 768), (1366, 768)])
def test_weight_notes_in_the_lecture_layout_are_readable_or_left_to_the_arithmetic(
    conv, qtbot, size
):
    """Issue 10 follow-up: the weights printed in a convolution's window cells were ~8 px in
    the lecture layout at 1024x768 (30% of a 27 px cell).  There a note is drawn at least
    LECTURE_NOTE_MIN_PX tall or not at all (then the cell's number keeps its size and the
    arithmetic line says each weight: ``dY·w``); outside it, at least NOTE_MIN_PX or not at
    all (forced to NOTE_MIN_PX in ~21 px cells, it pushed the number under the border)."""
    from engine import format_number
    from engine.trace import term
    from visualizer.widgets.matrix_view import LECTURE_NOTE_MIN_PX, NOTE_MIN_PX

    st, panel = conv.state, conv.views_panel
    conv.resize(*size)
    settle(qtbot)
    st.set_step(st.n_windows + 3)  # backward, window (0, 3)
    settle(qtbot)
    assert panel.input_view.note_pixel_size() in (0, *range(NOTE_MIN_PX, 100))
    conv.presentation.set_presentation(True, save=False)
    settle(qtbot)
    view = panel.input_view
    notes = view.notes()
    assert notes == {(0, 3): "0", (0, 4): "1", (1, 3): "2", (1, 4): "3"}
    pixels = view.note_pixel_size()
    assert pixels == 0 or pixels >= LECTURE_NOTE_MIN_PX
    if pixels == 0:
        text = st.step_text()
        dy = format_number(st.grad_output_plane()[0, 3])
        for weight in notes.values():
            assert f"{dy}·{term(float(weight))} " in text
    conv.presentation.set_presentation(False, save=False)
    settle(qtbot)
    assert panel.input_view.note_pixel_size() in (0, *range(NOTE_MIN_PX, 100))


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
@pytest.mark.parametrize(("op", "step"), [("max_pool2d", 0), ("max_pool2d", 5), ("conv2d", 55)])
def test_arrow_heads_as_painted_leave_the_column_numbers_free(window, qtbot, size, op, step):
    """The default screen (normal layout): the arrow's head into Y[0, 0], drawn with its dark
    edge, covered Y's column number "0" (the check above outlined it with a 5 px pen).  The
    head, outlined with the pens' whole width as painted, meets no row or column number."""
    from PySide6.QtGui import QPainterPath, QPainterPathStroker

    from visualizer.widgets.step_arrows import ARROW_EDGE, ARROW_WIDTH

    sheet = sheet_at_step(window, qtbot, size, step, op=op)
    assert sheet.arrows
    stroker = QPainterPathStroker()
    stroker.setWidth(ARROW_WIDTH + 4 * ARROW_EDGE)  # the outer, dark pen
    heads = []
    for segment in sheet._segments:
        _path, head, _a = sheet._shape(segment)
        outline = QPainterPath()
        outline.addPolygon(head)
        outline.closeSubpath()
        heads.append(stroker.createStroke(outline).united(outline))
    assert_clear_of_header_numbers(window, sheet, heads)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_an_arch_between_second_row_views_runs_between_the_rows(window, qtbot, size):
    """Max pooling backward (normal layout), step 6: the arch from dY[1, 1] to dX[2, 3] ran
    along the second row's titles ("Input gradient dX  so far"), its dark edge on the first
    row's legends.  Off its legs it runs in the band between the rows, clear of both with
    the arrow's whole width."""
    from PySide6.QtCore import QPoint

    from visualizer.widgets.step_arrows import ARCH_RADIUS, ARROW_EDGE, ARROW_WIDTH

    sheet = sheet_at_step(window, qtbot, size, 5, backward=True)
    points, _top = arch_points(sheet, ("grad_output", "grad_input"))
    panel = window.views_panel
    first_row = panel.input_view
    above = sheet.mapFromGlobal(first_row.mapToGlobal(QPoint(0, first_row.height()))).y()
    second_row = [panel.grad_input_view, panel.grad_output_view]
    below = min(sheet.mapFromGlobal(v.mapToGlobal(QPoint(0, 0))).y() for v in second_row)
    half_width = (ARROW_WIDTH + 4 * ARROW_EDGE) / 2
    for t, (p, from_leg) in enumerate(points):
        if from_leg > ARCH_RADIUS + 1:
            assert above <= p.y() - half_width and p.y() + half_width <= below, (t, p)


LOWER_ROW_CASES = [
    # (size, op, backward step): the lecture layout wraps these into two rows
    ((1366, 768), "conv2d", 4),  # dY, X, W, dX over dW (the text below them)
    ((1200, 768), "conv2d", 4),  # dY, X, W over dX, dW (the text beside them)
    ((1024, 768), "conv2d", 4),
    ((1024, 768), "lp_pool2d", 4),  # dY, X over dX; the leg leaves dY[1, 0] on its left edge
    ((1024, 768), "adaptive_avg_pool2d", 2),  # dY over dX
]


def lecture_backward(window, qtbot, size, op, step):
    window.resize(*size)
    settle(qtbot)
    st = window.state
    assert st.set_op(op)
    st.set_step(st.n_windows + step)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    return arrow_sheet(window)


@pytest.mark.parametrize(("size", "op", "step"), LOWER_ROW_CASES)
def test_an_arrow_to_the_lower_row_runs_across_between_the_rows(window, qtbot, size, op, step):
    """Issue 10 audit, lecture layout backward: an arrow from dY to a view of the second row
    curved from below dY's matrix to above the target's, across X's legend (its "0" hidden at
    1366×768) and diagonally through the target's title ("so·far", "dX 到目前为止" at 1024×768).
    Off its two legs it now runs in the gap between the rows, clear of the views above and of
    the target with the arrow's whole width."""
    from PySide6.QtCore import QPoint

    from visualizer.widgets.step_arrows import ARCH_RADIUS, ARROW_EDGE, ARROW_WIDTH

    sheet = lecture_backward(window, qtbot, size, op, step)
    views = {v.objectName(): v for v in window.views_panel.views() if v.isVisible()}

    def top(view) -> int:
        return sheet.mapFromGlobal(view.mapToGlobal(QPoint(0, 0))).y()

    half_width = (ARROW_WIDTH + 4 * ARROW_EDGE) / 2
    assert sheet._segments
    across = 0
    for segment in sheet._segments:
        start, end, *_rest = segment
        down_leg = segment[5]
        end_leg = segment[4]
        target = next(v for v in views.values() if top(v) < end.top() < top(v) + v.height())
        floor = top(target)
        above = [top(v) + v.height() for v in views.values() if top(v) + v.height() <= floor]
        if not above:
            continue  # a target in the top row (an arch above it, tested elsewhere)
        across += 1
        ceiling = max(above)
        assert start.bottom() < ceiling  # the arrow starts in the upper row
        path, _head, _a = sheet._shape(segment)
        for t in range(0, 401):
            p = path.pointAtPercent(t / 400)
            if min(abs(p.x() - down_leg), abs(p.x() - end_leg)) > ARCH_RADIUS + 1:
                # (1e-6: the gap between the rows is the arrow's width at 1366×768)
                assert ceiling - 1e-6 <= p.y() - half_width, (t, p)
                assert p.y() + half_width <= floor + 1e-6, (t, p)
    assert across  # an arrow to the lower row


@pytest.mark.parametrize(("size", "op", "step"), LOWER_ROW_CASES)
def test_arrows_pass_under_the_legends_values(window, qtbot, size, op, step):
    """Issue 10 audit: an arrow's leg out of dY[1, 0] ran over the "i" of dY's legend "1 in
    every cell" (lp_pool2d at 1024×768), and the curve to dX hid X's legend's "0" (conv2d at
    1366×768).  Where an arrow meets a colour legend's letters they are drawn over it."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QPainterPath

    from engine import format_number

    sheet = lecture_backward(window, qtbot, size, op, step)
    shapes = sheet.drawn_shapes()
    assert shapes and all(area(shape) > 0 for shape in shapes)
    over = sheet.letters_over_arrows()
    checked = 0
    for view in window.views_panel.views():
        legend = view.legend
        if not (view.isVisible() and legend.isVisible()):
            continue
        if legend.constant is not None:
            texts = legend.texts()  # "1 in every cell", shorter where it does not fit
        else:
            texts = (format_number(legend.levels[0]), format_number(legend.levels[1]))
        metrics = legend.fontMetrics()
        top = (legend.height() - metrics.height()) // 2
        origin = sheet.mapFromGlobal(legend.mapToGlobal(legend.rect().topLeft()))
        for text, right in zip(texts, (False, True), strict=True):
            if not text:
                continue
            left = legend.width() - metrics.horizontalAdvance(text) if right else 0
            glyphs = QPainterPath()
            glyphs.addText(
                QPointF(origin.x() + left, origin.y() + top + metrics.ascent()), legend.font(), text
            )
            checked += 1
            for shape in shapes:
                hidden = shape.intersected(glyphs).subtracted(over)
                assert area(hidden) < 1, (view.objectName(), text)
    assert checked >= 3


def assert_runs_above_off_its_legs(window, arrow: tuple[str, str]) -> None:
    """The window's one arrow, ``arrow``, is an arch: away from its legs it runs no lower
    than its top."""
    from visualizer.widgets.step_arrows import ARCH_RADIUS

    points, top = arch_points(arrow_sheet(window), arrow)
    for p, from_leg in points:
        if from_leg > ARCH_RADIUS + 1:
            assert p.y() <= top, p


@pytest.mark.parametrize(
    ("op", "size"),
    [
        ("adaptive_max_pool2d", (1366, 768)),
        ("adaptive_max_pool2d", (1024, 768)),
        # At 1024×768 adaptive average pooling's Y stands under X (X's columns are as wide as
        # Y's "9.125": one cell size), no longer beside it.
        ("adaptive_avg_pool2d", (1366, 768)),
    ],
)
def test_an_arrow_from_a_tall_window_to_the_view_beside_it_arches(window, qtbot, size, op):
    """Issue 10 audit, lecture layout at 1366×768, adaptive max pooling step 3 (window rows
    4–7, columns 0–3 → Y[1, 0]): the views are side by side, but the boxes' centres were
    farther apart in height than half their distance in width, so the arrow took the gentle
    curve meant for views above one another, straight across X's numbers (12, 5, 11). Boxes
    in side-by-side matrices now always get the arch: off its legs it runs above the views."""
    window.resize(*size)
    settle(qtbot)
    st = window.state
    assert st.set_op(op)  # the default 8×8 example, 2×2 output
    st.set_step(2)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    assert_runs_above_off_its_legs(window, ("input", "output"))


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_a_backward_arrow_to_a_low_cell_beside_arches(window, qtbot, size):
    """The normal layout, adaptive max pooling backward step 3: the arrow from dY[1, 0] to
    dX[7, 3] (dY a small 2×2 beside dX) curved down across dX's numbers; it arches now."""
    window.resize(*size)
    st = window.state
    assert st.set_op("adaptive_max_pool2d")
    st.set_step(st.n_windows + 2)
    settle(qtbot)
    settle(qtbot)
    assert_runs_above_off_its_legs(window, ("grad_output", "grad_input"))


def test_a_narrow_legend_says_its_constant_whole(window, qtbot):
    """Issue 10 review: dY of adaptive max pooling to 1×1 in the lecture layout at 1024×768 is
    one cell wide, and its legend cut "1 in every cell" to "1 in every c" (the Chinese text
    lost the value).  Each text the legend writes fits its width and still says the value."""
    st = window.state
    window.resize(1024, 768)
    assert st.set_op("adaptive_max_pool2d")
    st.set_params(output_size=(1, 1))
    st.set_step(st.n_windows)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    legend = window.views_panel.grad_output_view.legend
    assert legend.isVisible() and legend.constant == 1
    boxes = legend.text_boxes()
    assert boxes
    for text, box in boxes:
        assert legend.rect().contains(box), (text, box, legend.width())
        assert legend.measures.advance(legend, text) <= legend.width()
    assert "1" in boxes[0][0]


def test_a_legend_drops_its_bar_then_shortens_its_text(qtbot):
    """A constant's legend keeps the whole sentence while it fits (beside the bar, else
    alone), then says it short; every width leaves its text whole inside the legend."""
    from visualizer.widgets.matrix_view import ColorLegend

    legend = ColorLegend()
    qtbot.addWidget(legend)
    legend.set_constant(1.0)
    whole = legend.texts()[0]
    sentence = legend.measures.advance(legend, whole)
    legend.resize(sentence + 100, 18)
    assert legend.texts()[0] == whole and legend.bar_shown()
    legend.resize(sentence + 2, 18)
    assert legend.texts()[0] == whole and not legend.bar_shown()
    for width in (sentence - 1, legend.minimumWidth()):
        legend.resize(width, 18)
        text = legend.texts()[0]
        assert text != whole and "1" in text
        assert legend.measures.advance(legend, text) <= legend.width(), (width, text)
    legend.set_constant(-123456.789)  # no saying of it fits: the value, elided
    text = legend.texts()[0]
    assert legend.measures.advance(legend, text) <= legend.width(), text


def pieces(path) -> int:
    """How many separate pieces ``path`` fills (its outlines, holes apart)."""
    from PySide6.QtCore import Qt

    polygons = path.simplified().toFillPolygons()
    outer = [p for p in polygons if abs(polygon_area(p)) > 0.5]
    return sum(
        1
        for p in outer
        if not any(
            q is not p and q.containsPoint(p.first(), Qt.FillRule.OddEvenFill) for q in outer
        )
    )


def polygon_area(polygon) -> float:
    points = [(polygon.at(i).x(), polygon.at(i).y()) for i in range(polygon.count())]
    return sum(
        x1 * y2 - x2 * y1
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
    )


WHOLE_ARROW_CASES = [
    # (size, op, backward, step, lecture)
    ((1366, 768), "max_unpool2d", False, 25, False),  # the arch over the views' titles
    ((1024, 768), "max_unpool2d", True, 25, True),  # a leg through "Gradient dP  (7×7)"
    ((1024, 768), "adaptive_max_pool2d", True, 0, True),  # a leg through "Input gradient"
    ((1024, 768), "lp_pool2d", True, 4, True),  # a leg through dY's legend
    ((1366, 768), "conv2d", True, 4, True),
    ((1024, 768), "max_pool2d", False, 5, False),
]


@pytest.mark.parametrize(("size", "op", "backward", "step", "lecture"), WHOLE_ARROW_CASES)
def test_an_arrow_is_drawn_whole_and_letters_it_crosses_over_it(
    window, qtbot, size, op, backward, step, lecture
):
    """Issue 10 review: the arch over max_unpool2d's views was drawn in fragments (the titles'
    letters' halos cut its lower edge), and a leg through a title or legend was cut where it
    passed under the letters.  Each arrow is painted whole (one piece: nothing of it is kept
    out), and the letters it crosses are drawn over it, so they stay readable."""

    window.resize(*size)
    settle(qtbot)
    st = window.state
    assert st.set_op(op)
    if op == "max_unpool2d":
        st.set_params(kernel_size=2, stride=1, padding=0)
    if op == "adaptive_max_pool2d":
        st.set_params(output_size=(1, 1))
    st.set_step(step + (st.n_windows if backward else 0))
    window.presentation.set_presentation(lecture, save=False)
    settle(qtbot)
    settle(qtbot)
    sheet = arrow_sheet(window)
    shapes = sheet.drawn_shapes()
    assert shapes
    for shape in shapes:
        assert pieces(shape) == 1, sheet.arrows
    # Where an arrow crosses a title's letters, the letters are drawn over it.
    over = sheet.letters_over_arrows()
    for view in window.views_panel.views():
        label = view.title_label
        if not (view.isVisible() and label.isVisible() and label.text()):
            continue
        glyphs = title_glyphs(sheet, label)
        for shape in shapes:
            hidden = shape.intersected(glyphs).subtracted(over)
            assert area(hidden) < 1, (label.text(), sheet.arrows)


@pytest.mark.parametrize("lecture", [False, True], ids=["panel", "lecture"])
def test_the_dy_cells_db_takes_outside_every_patch_are_marked_on_the_last_step(
    window, qtbot, lecture
):
    """A transposed convolution with stride 2 and output_padding 1: the last backward step
    says that db also takes the dY cells no patch reaches; dY marks them ("summed": dotted,
    read into db), apart from the patch the step's arrows start from."""
    window.resize(1366, 768)
    st = window.state
    assert st.set_op("conv_transpose2d")
    assert st.set_params(stride=2, output_padding=1)
    if lecture:
        window.presentation.set_presentation(True, save=False)
    st.set_phase("backward")
    n = st.n_windows
    st.set_step(2 * n - 1)
    settle(qtbot)
    # Worked out here from the shapes: input cell (ih, iw)'s patch is rows 2·ih + {0, 1} ×
    # columns 2·iw + {0, 1} of dY; output_padding adds a row and a column no patch reaches.
    h, w = st.x.shape[2:]
    kh, kw = st.weight.shape[2:]
    dy_h, dy_w = st.grad_output.shape[2:]
    assert (kh, kw) == (2, 2) and (dy_h, dy_w) == (2 * h + 1, 2 * w + 1)
    outside = {(r, c) for r in range(dy_h) for c in range(dy_w) if r == dy_h - 1 or c == dy_w - 1}
    patch = {(2 * (h - 1) + i, 2 * (w - 1) + j) for i in range(2) for j in range(2)}
    marked = window.views_panel.grad_output_view.highlights()
    assert {rc for rc, s in marked.items() if "summed" in s} == outside
    assert {rc for rc, s in marked.items() if "current" in s} == patch
    # The arrows still start from the patch alone.
    (to_dx, to_dw) = st.step_arrows()
    assert set(to_dx.source) == set(to_dw.source) == patch
    # The step before says nothing of them and marks none.
    st.set_step(2 * n - 2)
    settle(qtbot)
    marked = window.views_panel.grad_output_view.highlights()
    assert not any("summed" in s for s in marked.values())

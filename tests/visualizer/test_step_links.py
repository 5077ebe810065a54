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


def test_letters_over_an_arrow_are_those_of_a_two_line_close_up_title(window, qtbot):
    """Review, session 27: a close-up's title in two lines ("rows 0–2" over "columns 3–5",
    the 28×28 image's dY at 1024×768) was taken for one long line, and the letters drawn
    over the arrows were that line's: a bold "s" stood on an arrow beside the title.
    Every letter drawn over an arrow lies within the title or legend it belongs to."""
    from PySide6.QtCore import QPoint, QRect

    from visualizer.data import load_image
    from visualizer.resources import asset
    from visualizer.widgets.matrix_view import ColorLegend, TitleLabel

    window.resize(1024, 768)
    settle(qtbot)
    st = window.state
    assert st.set_op("conv2d")
    assert st.set_params(kernel_size=3)
    assert st.set_input(load_image(asset("images", "digit_seven.png")))
    st.set_step(st.n_windows + 30)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)
    sheet = arrow_sheet(window)
    shapes = sheet.drawn_shapes()
    assert shapes
    titles = [
        label
        for label in window.findChildren(TitleLabel)
        if label.isVisible() and "\n" in label.text()
    ]
    assert titles, "no title in two lines: the case no longer covers what it is for"
    boxes = [
        QRect(sheet.mapFromGlobal(label.mapToGlobal(QPoint(0, 0))), label.size())
        for kind in (TitleLabel, ColorLegend)
        for label in window.findChildren(kind)
        if label.isVisible()
    ]
    over = sheet.letters_over_arrows()
    assert not over.isEmpty(), "no letters drawn over an arrow: the case covers nothing"
    for polygon in over.toSubpathPolygons():
        box = polygon.boundingRect().toAlignedRect()
        assert any(outer.adjusted(-3, -3, 3, 3).contains(box) for outer in boxes), box

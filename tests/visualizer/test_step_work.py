"""What a step redraws: only what changed, without relaying out a view (benchmarks/gui_bench.py
times it; these tests check the work that is left out, on data, never on time or pixels)."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable

import numpy as np
import pytest
from checks import record_calls, settle
from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF, QRegion
from qt_checks import events_after_each

from visualizer.widgets import matrix_view, step_arrows
from visualizer.widgets.step_arrows import Segment, Shape, StepArrows, _Drawn, along


def max_pooling_16(window, qtbot):
    """The window on max pooling 2×2, stride 2 of a random 16×16 input (X a heat map with its
    close-up at 1366×768), at step 0, settled; returns its state."""
    st = window.state
    st.set_op("max_pool2d")
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(float))
    st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(0)
    settle(qtbot)
    return st


def shown_view(qtbot, size: tuple[int, int] = (400, 300)) -> matrix_view.MatrixView:
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    return view


def test_fitting_a_view_leaves_its_headers_font(qtbot, monkeypatch):
    """fit_cell measures the headers at a trial size: it used to set that font on them and a
    step of a magnifier then set the real one back (two relayouts of each header a step)."""
    view = shown_view(qtbot)
    view.set_matrix(np.arange(36.0).reshape(6, 6))
    view.set_cell_size(20)
    fonts = [view.table.verticalHeader().font(), view.table.horizontalHeader().font()]
    assert fonts[0].pixelSize() == matrix_view.header_font(20).pixelSize()
    changes = []
    for header in (view.table.verticalHeader(), view.table.horizontalHeader()):
        original = header.setFont

        def counted(font: QFont, original=original) -> None:
            changes.append(font.pixelSize())
            original(font)

        # Through monkeypatch, which takes it off again: left on the header's wrapper, the
        # function (holding the header's own method) kept the wrapper of a C++ object that Qt
        # deleted, and a later widget at its address came back as it (a crash, or a view's
        # resizeEvent that was another test's function).
        monkeypatch.setattr(header, "setFont", counted)
    fit = view.fit_cell()
    assert fit > 20  # a larger trial size: another header font
    view.fit_cell()
    assert [view.table.verticalHeader().font(), view.table.horizontalHeader().font()] == fonts
    assert len(changes) <= 4  # measured once (set and restored), then remembered
    view.set_cell_size(20)
    view.fit_cell()
    assert len(changes) <= 4


def test_header_extents_are_remembered_by_the_numbers_lengths(qtbot):
    view = shown_view(qtbot)
    view.set_matrix(np.zeros((4, 4)), offset=(0, 0))
    view.set_cell_size(30)
    first = view._header_extents(30)
    # The numbers 2..5 instead of 0..3: as long, the same extents, no new measurement.
    view.set_matrix(np.ones((4, 4)), offset=(-2, -2))
    assert view._header_extents(30) == first
    assert len(view._header_sizes) == 1
    # 8..11: two digits, measured again.
    view.set_matrix(np.ones((4, 4)), offset=(-8, -8))
    view._header_extents(30)
    assert len(view._header_sizes) == 2


def test_the_current_cell_is_known_to_the_model(qtbot):
    """The painter draws the dotted frame of the current cell only: the table tells the model
    which one it is (no other cell's state is read while painting)."""
    view = shown_view(qtbot)
    view.set_matrix(np.arange(9.0).reshape(3, 3))
    view.set_cell_size(40)
    view.table.setCurrentIndex(view.model.index(1, 2))
    assert view.model.current == (1, 2)
    view.table.setCurrentIndex(view.model.index(0, 0))
    assert view.model.current == (0, 0)


def test_heat_map_marks_are_not_set_again_when_unchanged(qtbot, monkeypatch):
    view = shown_view(qtbot)
    side = matrix_view.EDIT_MAX_SIDE + 1
    view.set_matrix(np.arange(float(side * side)).reshape(side, side))  # a heat map
    assert view.stack.currentIndex() == 1
    calls = record_calls(monkeypatch, view.heatmap.marks, "setData")
    view.set_highlights({(1, 1): {"window"}, (1, 2): {"window"}})
    view.set_highlights({(1, 1): {"window"}, (1, 2): {"window"}})
    assert len(calls) == 1
    view.set_highlights({(3, 3): {"window"}})
    assert len(calls) == 2


def test_moved_marks_leave_unchanged_winners_alone(qtbot, monkeypatch):
    """Hovering a stack's cell moves the marks of every level's heat map; their winners (none)
    stay, and are not outlined again (each setData builds a path of the cells' outline)."""
    view = shown_view(qtbot)
    side = matrix_view.EDIT_MAX_SIDE + 1
    view.set_matrix(np.arange(float(side * side)).reshape(side, side))  # a heat map
    heat = view.heatmap
    calls = record_calls(monkeypatch, heat.winners, "setData")
    view.set_highlights({(1, 1): {"hover"}, (2, 2): {"winner"}})
    assert len(calls) == 1
    for cell in ((4, 5), (6, 7), (0, 3)):  # the mark moves, the winner stays
        view.set_highlights({cell: {"hover"}, (2, 2): {"winner"}})
        assert heat.marks.getData()[0].tolist() == [cell[1] + 0.5]
        assert heat.marks.getData()[1].tolist() == [cell[0] + 0.5]
    assert len(calls) == 1
    assert heat.winners.getData()[0].tolist() == [2.5]
    view.set_highlights({(4, 5): {"hover"}})  # the winner goes
    assert len(calls) == 2 and heat.winners.getData()[0].size == 0


def arch(start: QRectF, end: QRectF) -> tuple[object, ...]:
    """A route between views side by side (see StepArrows._route): up out of ``start``'s
    middle, across at y = 200, down into ``end``'s, rounded corners, a full head."""
    x, x2 = start.center().x(), end.center().x()
    points = ((x, start.top()), (x, 200.0), (x2, 200.0), (x2, end.top()))
    return start, end, points, (24.0, 24.0), 14.0


def drawn_arch(qtbot) -> tuple[Shape, _Drawn]:
    """The shape of :func:`arch` from a view at the left to one at the right of a 900 × 500
    sheet, and what drawing it covers."""
    sheet = StepArrows(None, dict)  # type: ignore[arg-type]
    qtbot.addWidget(sheet)
    sheet.resize(900, 500)
    shape = sheet._shape(arch(QRectF(100, 300, 40, 40), QRectF(700, 320, 40, 40)))
    assert shape is not None
    return shape, _Drawn(shape)


def test_an_arrows_region_covers_its_curve_and_little_else(qtbot):
    """A moved arrow repaints what is under its region: bands along the curve, not its whole
    bounding box (an arch over two views covered most of both)."""
    shape, drawn = drawn_arch(qtbot)
    path, head, a = shape
    for k in range(101):
        point = path.pointAtPercent(k / 100).toPoint()
        assert drawn.region.contains(point)
    for corner in (head[1], head[2]):
        assert drawn.region.contains(QPointF(corner).toPoint())
    assert drawn.region.contains(a.toPoint())
    box = drawn.box
    area = sum(r.width() * r.height() for r in drawn.region)
    assert area < 0.5 * box.width() * box.height()


def test_an_arch_region_is_a_band_per_leg_corner_and_top(qtbot):
    """Every rectangle of a moved arrow's region is one more for each widget under it to
    repaint (a table copies its rendering rectangle by rectangle, Qt clips each): an arch's
    straight legs and top are one band each and its rounded corners one or two, not bands
    every ~24 px along the curve (16 rectangles for this arch, now 10), and the region
    still covers the curve (see above) with not much more area."""
    shape, drawn = drawn_arch(qtbot)
    path = shape[0]
    for k in range(201):
        assert drawn.region.contains(path.pointAtPercent(k / 200).toPoint())
    assert drawn.region.rectCount() <= 12
    area = sum(r.width() * r.height() for r in drawn.region)
    # the legs' and the top's bands (16 px wide), the corners' and the head's boxes
    assert area < 16 * (path.length() + 2 * 16) + 2 * 40 * 40 + 40 * 40


def test_points_along_a_curve_are_equally_spaced_on_it(qtbot):
    """The arrow's region is made of bands between points along its curve, taken from the
    curve flattened once: both ends, ~24 px apart along the curve, each on the curve."""
    path = QPainterPath(QPointF(10, 10))
    path.lineTo(QPointF(10, 200))
    path.cubicTo(QPointF(10, 300), QPointF(400, 250), QPointF(400, 400))
    points = along(path)
    pieces = min(40, int(path.length() / 24))
    assert len(points) == pieces + 1
    assert points[0] == path.pointAtPercent(0) and points[-1] == path.pointAtPercent(1)
    dense = [path.pointAtPercent(path.percentAtLength(d)) for d in range(0, int(path.length()))]
    for point in points:
        assert min(math.hypot(point.x() - q.x(), point.y() - q.y()) for q in dense) < 1.5
    spacing = path.length() / pieces
    for k, point in enumerate(points[1:-1], start=1):
        target = path.pointAtPercent(path.percentAtLength(k * spacing))
        assert math.hypot(point.x() - target.x(), point.y() - target.y()) < 1.5
    short = QPainterPath(QPointF(0, 0))
    short.lineTo(QPointF(5, 0))
    assert along(short) == [QPointF(0, 0), QPointF(5, 0)]


def test_stepping_draws_the_arrows_between_the_views(window, qtbot):
    st = window.state
    st.set_op("max")
    sheet = window.findChild(StepArrows, "stepArrows")
    for step in (1, 2, 3):
        st.set_step(step)
        settle(qtbot)
        assert sheet.arrows == [("input", "output")]
        assert len(sheet._shapes) == 1
        assert sheet._shapes[0].region.intersects(sheet._shapes[0].box)


def test_a_step_back_finds_the_arrows_it_had_and_each_paint_draws_them_once(
    window, qtbot, monkeypatch
):
    """Max pooling 16×16: each step's arrow arches from X's window to its output cell.  It is
    drawn straight onto the sheet by the one paint of each step (a picture of it made first, a
    new antialiased pixmap on nearly every step, was ~1.5 ms of a step); a step back to a step
    shown before finds that step's arrow (shape and region) among the ones it had: none is
    made again.  Repaints while it is shown copy a picture of it, made once."""
    st = max_pooling_16(window, qtbot)
    sheet = window.findChild(StepArrows, "stepArrows")
    painted: list[object] = []
    shaped: list[object] = []
    onto: list[bool] = []  # whether each arrow was drawn on the sheet (not into a picture)
    paint_arrow = step_arrows.paint_arrow
    shape = StepArrows._shape

    def recorded(painter: QPainter, drawn: Shape, color: QColor) -> None:
        painted.append(drawn)
        onto.append(painter.device() is sheet)
        paint_arrow(painter, drawn, color)

    def made(self: StepArrows, segment: Segment) -> Shape | None:
        shaped.append(segment)
        return shape(self, segment)

    monkeypatch.setattr(step_arrows, "paint_arrow", recorded)
    monkeypatch.setattr(StepArrows, "_shape", made)
    drawn: dict[int, list[tuple[QPainterPath, object]]] = {}
    counts: dict[int, tuple[int, int]] = {}

    def step(n: int) -> None:
        painted.clear()
        shaped.clear()
        st.set_step(n)
        settle(qtbot)
        counts[n] = (len(painted), len(shaped))
        assert sheet.arrows == [("input", "output")], n
        drawn.setdefault(n, [(QPainterPath(d.shape[0]), d.region) for d in sheet._shapes])
        now = [(d.shape[0], d.region) for d in sheet._shapes]
        assert now == drawn[n], n  # the arrow of the step's own segment
        assert painted == [d.shape for d in sheet._shapes], n  # drawn by the step's paint

    forward, back = [1, 2, 3, 4, 5, 6], [5, 4, 3, 2, 1]
    seen = events_after_each(QEvent.Type.Paint, {"sheet": sheet}, forward, step)
    assert all(n["sheet"] == 1 for n in seen), seen
    assert [counts[n] for n in forward] == [(1, 1)] * len(forward)  # each arrow new
    seen = events_after_each(QEvent.Type.Paint, {"sheet": sheet}, back, step)
    assert all(n["sheet"] == 1 for n in seen), seen
    assert [counts[n] for n in back] == [(1, 0)] * len(back)  # each found, drawn once
    assert onto and all(onto)
    # Painted again while shown (a hover repaints cells under it): drawn into a picture once,
    # which the repaints after copy.
    onto.clear()
    for _ in range(3):
        sheet.repaint()
    assert onto == [False]
    st.set_step(2)  # shown again: drawn afresh by the step's paint, on the sheet
    settle(qtbot)
    assert onto == [False, True]


def test_leg_places_measure_each_number_once_per_font(window, qtbot, monkeypatch):
    """Where an arrow's leg crosses the column numbers above its box (between their ink):
    each number's width is measured once per font and text, not on every step (a QFontMetrics
    made for the header's font and asked its first width was most of placing a head), and
    measured again in a new font (a zoom): the room is still the numbers' as drawn."""
    from visualizer.widgets.step_arrows import StepArrows

    st = window.state
    st.set_op("max_pool2d")
    st.set_step(1)
    settle(qtbot)
    sheet = window.findChild(StepArrows, "stepArrows")
    view = window.views_panel.output_view
    header = view.table.horizontalHeader()
    box = view.cells_box(((0, 1),), sheet)
    made: list[object] = []
    real = step_arrows.QFontMetrics

    class Counted(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object) -> None:
            made.append(args)
            super().__init__(*args)

    def place() -> tuple[float, float] | None:
        return sheet._leg_place(view, header, 1, 1, box.left(), box.right(), True)

    monkeypatch.setattr(step_arrows, "QFontMetrics", Counted)
    first = place()
    assert first is not None
    made.clear()
    for _ in range(3):
        assert place() == first
    assert made == []  # measured once
    font = QFont(header.font())
    if font.pixelSize() > 0:
        font.setPixelSize(2 * font.pixelSize())
    else:
        font.setPointSizeF(2 * font.pointSizeF())
    header.setFont(font)  # a zoom's bigger numbers
    again = place()
    assert again is None or again[1] < first[1]  # less room between wider numbers
    assert made  # measured in the new font


def test_a_magnifier_step_renumbers_without_a_model_reset(qtbot):
    """The close-up's box moves on every step: same shape, new offset.  Its headers are
    renumbered and its cells repainted, without a model reset (which re-created the
    headers' sections), and its columns keep the width of the longest numbers shown."""
    view = shown_view(qtbot, (700, 400))
    side = matrix_view.EDIT_MAX_SIDE + 1
    values = np.arange(float(side * side)).reshape(side, side)
    view.set_matrix(values)
    view.set_highlights({(2, 2): {"window"}, (2, 3): {"window"}})  # the same box's shape
    magnifier = view.magnifier
    assert magnifier is not None
    resets = []
    magnifier.model.modelReset.connect(lambda: resets.append(1))
    widths = []
    for r in range(4, 20, 2):
        view.set_highlights({(r, r): {"window"}, (r, r + 1): {"window"}})
        box = view.magnified()
        assert box is not None
        assert magnifier.model.headerData(0, matrix_view.Qt.Orientation.Vertical) == str(r - 2)
        assert magnifier.model.headerData(0, matrix_view.Qt.Orientation.Horizontal) == str(r - 2)
        np.testing.assert_array_equal(box, values[r - 2 : r + 3, r - 2 : r + 4])
        widths.append(magnifier.model.long_texts)
    assert resets == []
    # The longest numbers shown so far stay reserved: columns never narrow while stepping.
    lengths = [max(len(t) for t in texts) for texts in widths]
    assert lengths == sorted(lengths)


def test_a_step_without_quiz_mode_leaves_the_quiz_alone(window, qtbot):
    """Quiz mode off and nothing asked: a step makes no question and refreshes no quiz panel
    (both panels were refreshed, and the document copied, on every step).  On, every step
    still asks its question; off again, nothing is left asked."""
    st = window.state
    refreshed = []
    st.sigQuizChanged.connect(lambda: refreshed.append(st.step))
    for step in range(1, 6):
        st.set_step(step)
    assert refreshed == [] and st.quiz.question is None
    st.set_quiz(True)
    refreshed.clear()
    for step in range(1, 6):
        st.set_step(step)
        assert st.quiz.question is not None and st.quiz.question.step == step
    assert refreshed == [1, 2, 3, 4, 5]
    st.set_quiz(False)
    refreshed.clear()
    st.set_step(2)
    assert st.quiz.question is None and refreshed == []


def test_a_moved_close_up_marks_only_the_cells_that_show_something_else(qtbot):
    """The close-up's box moves on every step; where the matrix is the same at the new place
    (a mask or a gradient is mostly zeros), its cells are drawn as they were: they are not
    marked for repainting (every cell of the close-up was)."""
    view = shown_view(qtbot, (700, 400))
    side = matrix_view.EDIT_MAX_SIDE + 4
    values = np.zeros((side, side))
    values[10, 11] = 5.0  # one number that the box passes over
    view.set_matrix(values)
    view.set_highlights({(4, 4): {"window"}, (4, 5): {"window"}})
    magnifier = view.magnifier
    assert magnifier is not None
    changed: list[set[tuple[int, int]]] = []

    def on_changed(top_left, bottom_right, _roles=()) -> None:
        changed[-1].update(
            (r, c)
            for r in range(top_left.row(), bottom_right.row() + 1)
            for c in range(top_left.column(), bottom_right.column() + 1)
        )

    magnifier.model.dataChanged.connect(on_changed)
    for r in range(6, 14, 2):
        before = magnifier.canvas()
        changed.append(set())
        view.set_highlights({(r, r): {"window"}, (r, r + 1): {"window"}})
        after = magnifier.canvas()
        assert after.shape == before.shape  # the box moved: same shape, new offset
        np.testing.assert_array_equal(after, values[r - 2 : r + 3, r - 2 : r + 4])
        differ = {(int(a), int(b)) for a, b in zip(*np.nonzero(after != before), strict=True)}
        assert changed[-1] == differ, (r, sorted(changed[-1]), sorted(differ))
    assert any(changed) and not all(changed), "steps over zeros only, and over the number"


def arrow_outline(drawn: _Drawn) -> QPainterPath:
    """Where ``drawn``'s arrow has pixels: its curve and head with the dark pen's width, its
    start's dot with its edge, and a pixel around for the antialiasing."""
    from PySide6.QtGui import QPainterPathStroker

    from visualizer.widgets.step_arrows import ARROW_EDGE, ARROW_WIDTH, DOT_EDGE, DOT_RADIUS

    path, head, a = drawn.shape
    stroker = QPainterPathStroker()
    stroker.setWidth(ARROW_WIDTH + 4 * ARROW_EDGE + 2)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    tip = QPainterPath()
    tip.addPolygon(head)
    tip.closeSubpath()
    outline = stroker.createStroke(path)
    outline.addPath(stroker.createStroke(tip))
    outline.addPolygon(head)
    dot = DOT_RADIUS + DOT_EDGE / 2 + 1
    outline.addEllipse(a, dot, dot)
    outline.setFillRule(Qt.FillRule.WindingFill)
    return outline


def test_only_the_titles_an_arrow_reaches_are_kept_free_and_made_once(window, qtbot, monkeypatch):
    """Average pooling 16×16: the arch's box covers the input's close-up, whose title says
    other rows and columns on every step, and each step made that title's letters again
    (their path and pixel region), though the arch passes far above it.  Only the titles whose
    letters (with their halo) an arrow may paint on are kept free now, each title's letters
    made once; none an arrow paints on is left out, and each title's letters lie within the
    box the sheet judges them by."""
    st = window.state
    st.set_op("avg_pool2d")
    st.set_input(np.arange(256.0).reshape(16, 16) % 10)
    st.set_params(kernel_size=2, stride=2, padding=0)
    settle(qtbot)
    sheet = window.findChild(StepArrows, "stepArrows")
    made: list[tuple[str, str, object]] = []
    letters_of = StepArrows._letters_of

    def recorded(text: str, font_key: str, rect: object) -> QPainterPath:
        made.append((text, font_key, rect))
        return letters_of(text, font_key, rect)

    monkeypatch.setattr(StepArrows, "_letters_of", staticmethod(recorded))
    steps = [*range(1, 17), st.n_windows + 1, st.n_windows + 9]
    by_sheet = 0
    for step in steps:
        made.clear()
        st.set_step(step)
        settle(qtbot)
        by_sheet += len(made)
        kept = set(sheet._letters_for[0] if sheet._letters_for else ())
        assert sheet._shapes
        outlines = [arrow_outline(drawn) for drawn in sheet._shapes]
        for (text, font_key), box in sheet._items:
            rect = QRect(*box)
            key = (text, font_key, *box)
            letters = letters_of(text, font_key, rect)
            pixels = QRegion()
            for polygon in letters.toFillPolygons():
                pixels = pixels.united(QRegion(polygon.toPolygon(), Qt.FillRule.WindingFill))
            reach = sheet._letter_reach(text, font_key).translated(
                rect.left(), rect.top() + sheet._ascent(font_key)
            )
            assert reach.contains(QRectF(pixels.boundingRect())), text
            if any(outline.intersects(letters) for outline in outlines):
                assert key in kept, (step, text)
    # The kept-free titles' letters, each made once, but for the close-up's, whose text
    # changes with every step: the routed arrow runs under X's title, just over the close-up's
    # title, within the halo its letters are kept free in (12 of 18 steps here, 6 before the
    # routes).  Before the kept letters: every title reached, on every step.
    assert by_sheet <= len(steps)


def test_stepping_back_measures_no_title_again(window, qtbot, monkeypatch):
    """Max pooling 16×16: each close-up's title made a QFontMetrics and measured every form
    of its title on every step, and the step arrows asked every title and legend for its
    font as text and measured its text again.  Texts measured before (stepping back) are
    measured from what each title and legend kept: no font metrics, no font asked for."""
    st = max_pooling_16(window, qtbot)
    asked = [
        record_calls(monkeypatch, owner, name)
        for owner in (matrix_view.TitleLabel, matrix_view.ColorLegend)
        for name in ("fontMetrics", "font")
    ]
    for step in (1, 2, 3, 4, 5, 6):
        st.set_step(step)
        settle(qtbot)
    titles = [t.text() for t in window.findChildren(matrix_view.TitleLabel) if t.isVisible()]
    assert any("rows" in title for title in titles)  # the close-ups are shown
    for calls in asked:
        calls.clear()
    for step in (5, 4, 3, 2, 1):
        st.set_step(step)
        settle(qtbot)
    assert [len(calls) for calls in asked] == [0, 0, 0, 0]


def test_a_title_measured_before_is_judged_by_its_new_font(qtbot):
    """A title keeps its texts' advances only while its font stays: a larger font makes it
    choose its shorter form, and break it into lines where even that does not fit."""
    label = matrix_view.TitleLabel()
    qtbot.addWidget(label)
    label.resize(220, 40)
    label.show()
    long_form, short_form = "Close-up: rows 2–7, columns 0–5", "rows 2–7"
    label.set_forms([long_form, short_form])
    assert label.text() == long_form
    label.set_forms(["x", "y"])
    font = QFont(label.font())
    font.setPointSizeF(font.pointSizeF() * 2)
    label.setFont(font)
    label.set_forms([long_form, short_form])
    assert label.text() == short_form
    font.setPointSizeF(font.pointSizeF() * 4)
    label.setFont(font)
    assert label.text() != short_form and label.text().split("\n") == ["rows", "2–7"]
    assert label.toolTip() == long_form


def test_a_step_leaves_the_close_ups_most_rows_and_columns_as_worked_out(
    window, qtbot, monkeypatch
):
    """Max pooling 16×16: X's close-up's most rows and columns follow the view's size, the
    body's direction and spacing (and the width the matrix's longest numbers need) only, and
    were worked out again on every step (the body's
    direction asked of Qt each time).  A step keeps them; a resize or a turn of the body
    works them out again."""
    st = max_pooling_16(window, qtbot)
    view = window.views_panel.input_view
    assert view.magnifier is not None and view.magnifier.isVisible()
    asked = record_calls(monkeypatch, matrix_view._Body, "direction")
    most = view._magnifier_most()
    for step in (1, 2, 3):
        st.set_step(step)
        settle(qtbot)
    assert asked == []
    assert view._magnifier_most() == most
    # What it depends on (a resize turns the body too: below the heat map in a tall view),
    # against the same arithmetic from what Qt says.
    turned = set()
    for size in ((700, 300), (300, 700), (800, 500)):
        view.resize(*size)
        beside = view.body.direction() == matrix_view.QBoxLayout.Direction.LeftToRight
        turned.add(beside)
        expected = matrix_view.MatrixView._magnifier_most_for(
            view.width(), view.height(), beside, view.body.spacing(), view._magnifier_column()
        )
        assert view._magnifier_most() == expected, size
    assert turned == {True, False}
    assert view._magnifier_most() != most


def test_a_table_asks_for_its_selection_once_per_paint(qtbot, monkeypatch):
    """The table asked its selection model whether anything is selected for every cell it
    painted (a close-up's 36 cells on every step); a paint changes no selection."""
    view = shown_view(qtbot)
    view.set_matrix(np.arange(36.0).reshape(6, 6))
    view.set_cell_size(30)
    settle(qtbot)
    asked = record_calls(monkeypatch, view.table.selectionModel(), "hasSelection")
    view.table.viewport().repaint()
    assert len(asked) == 1
    # A selected cell is still drawn as one (the style's selection under its number).
    view.table.selectionModel().select(
        view.model.index(1, 1), QItemSelectionModel.SelectionFlag.Select
    )
    asked.clear()
    view.table.viewport().repaint()
    assert len(asked) == 1 and view.table.selectionModel().isSelected(view.model.index(1, 1))


def test_a_close_ups_headers_are_painted_without_asking_the_python_model(
    window, qtbot, monkeypatch
):
    """A header asks its model six roles of every section it paints: through the binding
    when that is the Python model (~130 calls on each step of a close-up, whose numbers
    change with its box).  The headers show a model of Qt's own with the same numbers, whose
    sections follow the close-up's rows and columns."""
    st = max_pooling_16(window, qtbot)
    magnifier = window.views_panel.input_view.magnifier
    assert magnifier is not None
    original = matrix_view.MatrixModel.headerData
    asked: list[int] = []

    def counted(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        # Asked through the binding (by a header): not by Python code (the step arrows).
        caller = sys._getframe(1).f_globals.get("__name__")
        if caller != step_arrows.__name__:
            asked.append(section)
        return original(self, section, orientation, role)

    monkeypatch.setattr(matrix_view.MatrixModel, "headerData", counted)
    table, model = magnifier.table, magnifier.model
    # Along a row, a row down, back to the first rows and columns (other widths of numbers).
    for step in (1, 2, 10, 19, 63, 0):
        st.set_step(step)
        settle(qtbot)
        for header in (table.verticalHeader(), table.horizontalHeader()):
            header.viewport().repaint()
        for header, orientation, count in (
            (table.verticalHeader(), Qt.Orientation.Vertical, model.rowCount()),
            (table.horizontalHeader(), Qt.Orientation.Horizontal, model.columnCount()),
        ):
            assert header.count() == count
            shown = [header.model().headerData(s, orientation) for s in range(count)]
            assert shown == [original(model, s, orientation) for s in range(count)]
    assert asked == []


def test_a_close_up_moved_to_numbers_of_the_same_widest_length_is_not_refitted(qtbot, monkeypatch):
    """The close-up's fit depends on the longest row and column numbers (digits are equally
    wide): a box moved from columns 8…13 to 10…15 (both at most two digits) keeps its cell
    size without fitting again; to columns 2…7 (one digit) it is refitted."""
    view = shown_view(qtbot, (700, 400))
    side = matrix_view.EDIT_MAX_SIDE + 1
    view.set_matrix(np.full((side, side), 5.0))  # the same texts wherever the box is
    view.set_highlights({(10, 10): {"window"}, (10, 11): {"window"}})
    magnifier = view.magnifier
    assert magnifier is not None
    fits: list[int] = []
    original = magnifier.fit_cell

    def counted() -> float:
        fits.append(1)
        return original()

    monkeypatch.setattr(magnifier, "fit_cell", counted)
    cell = magnifier.cell
    view.set_highlights({(10, 12): {"window"}, (10, 13): {"window"}})
    assert magnifier.model.headerData(0, Qt.Orientation.Horizontal) == "10"
    assert (fits, magnifier.cell) == ([], cell)
    view.set_highlights({(10, 4): {"window"}, (10, 5): {"window"}})
    assert magnifier.model.headerData(0, Qt.Orientation.Horizontal) == "2"
    assert fits == [1]


def test_a_close_up_copies_cells_painted_on_an_earlier_step(window, qtbot, monkeypatch):
    """A close-up's box moves by a stride: most of its cells were painted on an earlier step
    and are copied from its floor (see matrix_view._Floor).  On a second pass through the
    forward phase, a step paints in place only the close-up's highlighted cells (its window,
    its winner), not the ~30 others of its box."""
    st = max_pooling_16(window, qtbot)
    view = window.views_panel.input_view
    steps = range(1, st.n_steps // 2)
    for k in steps:  # the first pass: every cell of the canvas gets into the floor
        st.set_step(k)
        settle(qtbot)
    magnifier = view.magnifier
    assert magnifier is not None
    painted: list[int] = []
    delegate = magnifier.delegate
    calls = record_calls(monkeypatch, delegate, "paint_cell")
    for k in steps:
        st.set_step(k)
        settle(qtbot)
        highlighted = len(magnifier.model.styles)
        painted.append(len(calls) - highlighted)
        calls.clear()
    assert max(painted) <= 0, painted  # without the floor: ~20–30 cells a step


@pytest.mark.parametrize("lecture", [False, True])
def test_cells_copied_from_a_close_ups_floor_are_the_cells_painted_in_place(
    window, qtbot, monkeypatch, lecture
):
    """The floor's copies are the very pixels the cells painted in place give: the close-up
    grabbed at each step, and again after painting every cell of it anew without its floor
    (in the default layout and in the lecture layout's large close-ups)."""
    st = max_pooling_16(window, qtbot)
    window.presentation.set_presentation(lecture, save=False)
    settle(qtbot)
    view = window.views_panel.input_view
    for k in (3, 9, 5, 12, 3, 30, 40, 33, 70, 100):  # forward and backward, back and forth
        st.set_step(k)
        settle(qtbot)
        table = view.magnifier.table
        with_floor = table.viewport().grab().toImage()
        assert table._floor is not None  # the close-up's cells went through its floor
        with monkeypatch.context() as m:
            m.setattr(table, "floor_frame", None)
            table.forget_rendering()
            without = table.viewport().grab().toImage()
        assert with_floor == without, k
        table.forget_rendering()


def test_a_so_far_heat_map_repaints_only_the_cells_a_step_changes(window, qtbot, monkeypatch):
    """The argmax mask "so far" gains a win or two a step: its heat map asks to repaint the
    box of the cells whose colour changed, not its whole map (and with it the arrows' sheet
    over it); a new colouring (another step's levels) still repaints it all."""
    st = max_pooling_16(window, qtbot)
    view = window.views_panel.mask_view
    assert view.stack.currentIndex() == 1  # a heat map
    heat = view.heatmap
    asked: list[tuple[object, ...]] = []
    original = heat.update

    def recorded(*args: object) -> None:
        asked.append(args)
        original(*args)

    monkeypatch.setattr(heat, "update", recorded)
    scale = heat._frame()[0]
    st.set_step(4)
    settle(qtbot)
    for k in range(5, 12):
        asked.clear()
        st.set_step(k)
        settle(qtbot)
        assert asked, k  # the new win is painted ...
        boxes = [args[0] for args in asked if args and isinstance(args[0], QRect)]
        assert all(args for args in asked), (k, asked)  # never the whole map ...
        assert len(boxes) == 1, (k, asked)  # ... but the box of the new win (and the marks)
        box = boxes[0]
        assert box.width() <= scale + 4 and box.height() <= scale + 4, (k, box)
    mask = view.matrix()
    assert mask.sum() == 12  # one win per window so far (steps 0 to 11)


def test_a_step_repaints_nothing_under_the_texts_it_changes(window, qtbot):
    """The arithmetic, the step counter and a close-up's title change on every step: they
    are opaque (the arithmetic and the counter on fences in the window's colour), so the
    step bar and the close-up under them are not repainted with them (the arithmetic's
    ~30 000 pixels were painted again in the step bar, the splitter and the window)."""
    from PySide6.QtCore import QObject

    st = max_pooling_16(window, qtbot)
    bar = window.step_bar
    magnifier = window.views_panel.input_view.magnifier
    assert magnifier is not None
    painted = {"bar": 0, "close-up": 0}

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                key = "bar" if watched is bar else "close-up"
                painted[key] += sum(r.width() * r.height() for r in event.region())
            return False

    counter = Painted()
    bar.installEventFilter(counter)
    magnifier.installEventFilter(counter)
    try:
        for k in range(3, 13):
            st.set_step(k)
            settle(qtbot)
    finally:
        bar.removeEventFilter(counter)
        magnifier.removeEventFilter(counter)
    arithmetic = bar.arithmetic_label
    title = magnifier.title_label
    assert painted["bar"] < arithmetic.width() * arithmetic.height(), painted
    assert painted["close-up"] < title.width() * title.height(), painted


def test_a_close_up_title_seen_before_is_not_measured_again(window, qtbot, monkeypatch):
    """A close-up's title says new rows and columns on every step, and its view's layout
    asks for its size hints each time: a word-wrapped label lays its text out several times
    to find them.  Stepping over windows seen before, the title's hints are known (by its
    text, font, width and margins): Qt's QLabel is not asked for them again."""
    from PySide6.QtWidgets import QLabel

    st = max_pooling_16(window, qtbot)
    title = window.views_panel.input_view.magnifier.title_label
    width = title.width()
    hints = {}
    for k in range(1, 12):  # the first time: the hints of each box's title are measured
        st.set_step(k)
        settle(qtbot)
        hints[title.text()] = (
            title.sizeHint(),
            title.minimumSizeHint(),
            title.heightForWidth(width),
        )
    assert len(hints) > 3  # the title did change while stepping
    asked: list[str] = []
    for name in ("sizeHint", "minimumSizeHint", "heightForWidth"):
        original = getattr(QLabel, name)

        def counted(self, *args, original=original, name=name):
            if self is title:
                asked.append(name)
            return original(self, *args)

        monkeypatch.setattr(QLabel, name, counted)
    for k in range(1, 12):
        st.set_step(k)
        settle(qtbot)
        again = (title.sizeHint(), title.minimumSizeHint(), title.heightForWidth(width))
        assert again == hints[title.text()]
    assert asked == []


def test_a_step_places_its_arrow_asking_each_widget_once_and_through_qts_classes(
    window, qtbot, monkeypatch
):
    """Max pooling 16×16, lecture layout too: placing a step's arrow mapped the views' tops
    through the screen's coordinates (twice the calls, ``a`` and its matrix's top three times
    over) and asked every view, title and legend through its own attribute lookup (the
    binding's QObject lookup, ~1 µs a call: some 80 of them a step).  Each widget's top is
    now mapped once, to the sheet's parent, and Qt's methods are called from their classes:
    the only mappings through the screen left are the two views' own (cells_box, which also
    asks each view whether it is visible), and the titles' boxes are where the labels have
    their texts on the sheet, as before."""
    from visualizer.widgets.step_arrows import close_up_shown

    st = max_pooling_16(window, qtbot)
    sheet = window.findChild(StepArrows, "stepArrows")
    placing = [False]
    relocate = StepArrows.relocate

    def traced(self: StepArrows, *args: object, **kwargs: object) -> None:
        placing[0] = True
        asked["relocate"] = asked.get("relocate", 0) + 1
        try:
            relocate(self, *args, **kwargs)
        finally:
            placing[0] = False

    asked: dict[str, int] = {}

    def count(owner: type, name: str) -> None:
        original = getattr(owner, name)

        def recorded(*args: object) -> object:
            if placing[0]:
                key = f"{owner.__name__}.{name}"
                asked[key] = asked.get(key, 0) + 1
            return original(*args)

        monkeypatch.setattr(owner, name, recorded)

    monkeypatch.setattr(StepArrows, "relocate", traced)
    count(StepArrows, "mapFromGlobal")
    for name in ("raise_", "geometry", "update", "parentWidget"):
        count(StepArrows, name)
    for owner in (matrix_view.TitleLabel, matrix_view.ColorLegend, matrix_view.MatrixView):
        for name in ("isVisible", "mapTo", "mapToGlobal"):
            count(owner, name)
    count(matrix_view.TitleLabel, "text")
    count(matrix_view.MatrixView, "height")
    for lecture in (False, True):
        window.presentation.set_presentation(lecture, save=False)
        settle(qtbot)
        for step in (1, 2, 3, st.n_windows + 2):
            asked.clear()
            st.set_step(step)
            settle(qtbot)
            arrows = len(sheet.arrows)
            assert arrows and sheet._shapes
            # Each placing (a step's, and a relayout's after it): cells_box's, nothing else,
            # of each end's view and of its close-up where one is shown (an arrow may leave
            # or enter either).
            views = window.views_panel._tensor_views()
            boxes = sum(
                1 + (close_up_shown(views[name]) is not None)
                for source, _, target, _ in sheet._pending
                for name in (source, target)
            )
            places = asked["relocate"] * boxes
            assert arrows == len(sheet._pending)
            assert asked == {
                "relocate": asked["relocate"],
                "StepArrows.mapFromGlobal": places,
                "MatrixView.isVisible": places,
            }, (lecture, step)
            # The boxes as the screen's coordinates place them.
            placing[0] = False
            expected = []
            for label in sheet._labels or ():
                if isinstance(label, matrix_view.TitleLabel) and label.isVisible() and label.text():
                    box = label.contentsRect()
                    metrics = label.fontMetrics()
                    height = metrics.height()
                    origin = sheet.mapFromGlobal(label.mapToGlobal(QPoint(0, 0)))
                    lines = label.text().split("\n")
                    # A close-up's title in two lines: each line a box, the block centred,
                    # lines one line spacing apart (as QLabel draws plain text).
                    spacing = metrics.lineSpacing()
                    top = box.top() + (box.height() - (len(lines) - 1) * spacing - height) // 2
                    if len(lines) == 1:
                        top = box.center().y() - height // 2
                    for k, line in enumerate(lines):
                        width = min(box.width(), metrics.horizontalAdvance(line))
                        rect = QRect(box.left(), top + k * spacing, width, height)
                        expected.append(rect.translated(origin).getRect())
            titles = [rect.getRect() for rect in sheet.title_rects()]
            assert expected and titles[: len(expected)] == expected, (lecture, step)


@pytest.mark.parametrize("w", [-2, -1, 0, 1, 2, 5])
@pytest.mark.parametrize("h", [-1, 0, 1, 3])
def test_a_titles_box_meets_an_arrows_box_as_qrect_intersects_says(qtbot, w, h):
    """The sheet's test of a title's box (numbers) against an arrow's box is QRect.intersects,
    null, empty and negative boxes too."""
    path = QPainterPath(QPointF(10, 10))
    path.lineTo(30, 10)
    drawn = _Drawn(
        (path, QPolygonF([QPointF(30, 10), QPointF(26, 8), QPointF(26, 12)]), QPointF(10, 10))
    )
    for x in range(drawn.box.left() - 4, drawn.box.right() + 5):
        for y in range(drawn.box.top() - 4, drawn.box.bottom() + 5):
            expected = QRect(x, y, w, h).intersects(drawn.box)
            assert step_arrows._overlaps(x, y, w, h, drawn) == expected, (x, y)


def _arch_path() -> QPainterPath:
    """An arch as a step arrow draws one: up, a rounded corner, across, a rounded corner."""
    path = QPainterPath(QPointF(100.25, 300))
    path.lineTo(100.25, 120)
    path.quadTo(QPointF(100.25, 100), QPointF(124.5, 100))
    path.lineTo(500, 100)
    path.quadTo(QPointF(524.75, 100), QPointF(524.75, 124))
    return path


def test_a_curve_is_flattened_without_a_qpointf_per_point(qtbot, monkeypatch):
    """An arrow's flattened curve (its region's bands, its reach over titles) is read from each
    polygon's memory at once: the same points, and no QPointF asked its x (an arch's ~20
    points were ~60 calls through the binding of each new arrow)."""
    path = _arch_path()
    path.moveTo(3, 4)
    path.lineTo(7, 9.5)
    expected = [(p.x(), p.y()) for polygon in path.toSubpathPolygons() for p in polygon]
    asked = record_calls(monkeypatch, QPointF, "x")
    assert step_arrows._flattened(path) == expected
    assert len(expected) > 20 and asked == []
    assert step_arrows._flattened(QPainterPath()) == []


def test_an_arch_is_cut_in_bands_without_a_min_or_max_per_point(qtbot, monkeypatch):
    """The runs of an arch's flattened points (its region's bands) are followed without
    calling min and max six times for each point (a tenth of a new arrow's making): only
    where a run ends and the next begins; the bands are the same."""
    path = _arch_path()
    path.lineTo(524.75, 200)
    points = step_arrows._flattened(path)
    calls: list[str] = []

    def counted(name: str, builtin: Callable[..., object]) -> Callable[..., object]:
        def call(*args: object) -> object:
            calls.append(name)
            return builtin(*args)

        return call

    monkeypatch.setattr(step_arrows, "min", counted("min", min), raising=False)
    monkeypatch.setattr(step_arrows, "max", counted("max", max), raising=False)
    boxes = step_arrows._piece_boxes(points)
    monkeypatch.undo()
    assert len(points) >= 20 and 3 <= len(boxes) <= 8
    assert len(calls) <= 4 * len(boxes)
    assert boxes[0][0] == 100.25 and boxes[0][3] == 300.0  # the leg up, one band
    assert any(box[1] == 100.0 and box[3] < 101 and box[2] - box[0] > 300 for box in boxes)


def test_each_steps_paint_draws_its_arrow_with_pens_made_once(window, qtbot, monkeypatch):
    """Max pooling 16×16: every step's paint made the arrow's three pens, their colours and
    brushes again (~20 calls through the binding); they are made once per colour, and the
    arrow is drawn with the same pens and brushes as before."""
    st = max_pooling_16(window, qtbot)
    made = record_calls(monkeypatch, step_arrows, "arrow_pens")
    colours: list[str] = []
    real = step_arrows.paint_arrow

    def recorded(painter: QPainter, shape: Shape, color: QColor) -> None:
        colours.append(color.name())
        real(painter, shape, color)

    monkeypatch.setattr(step_arrows, "paint_arrow", recorded)
    for step in range(1, 7):
        st.set_step(step)
        settle(qtbot)
    assert len(colours) == 6 and len(made) <= 1
    for name in colours:
        edges, dot_pen, dot_brush = step_arrows._arrow_tools(QColor(name))
        pens = step_arrows.arrow_pens(QColor(name))
        assert [pen for pen, _ in edges] == list(pens)
        assert [brush.color() for _, brush in edges] == [pen.color() for pen in pens]
        assert dot_pen == QPen(pens[0].color(), step_arrows.DOT_EDGE)
        assert dot_brush.color() == QColor(name)


def test_a_close_up_s_numbers_and_title_come_back_from_pictures(qtbot, monkeypatch):
    """A close-up's box moves on every step and comes back to the same few places: its
    headers' numbers and its title are painted by Qt the first time a box is shown, and
    copied from pictures of them when it comes again (Qt laid every number and the title out
    anew on every step).  They are still repainted with each step, and show the box's
    numbers."""
    painted: dict[str, int] = {}
    watched: list[object] = []

    def count(kind: str, widget: object) -> None:
        if widget in watched:
            painted[kind] = painted.get(kind, 0) + 1

    # Qt's painting of a header's number (its sections are painted through this virtual)
    # and of a title, counted; set before the widgets are made (the binding looks for a
    # Python override once).
    def paint_section(self, painter, rect, section) -> None:
        count("header", self)
        matrix_view.QHeaderView.paintSection(self, painter, rect, section)

    def paint_title(self, event) -> None:
        count("title", self)
        matrix_view.QLabel.paintEvent(self, event)

    monkeypatch.setattr(matrix_view._Header, "paintSection", paint_section, raising=False)
    monkeypatch.setattr(matrix_view.TitleLabel, "paintEvent", paint_title, raising=False)
    view = shown_view(qtbot, (700, 400))
    side = matrix_view.EDIT_MAX_SIDE + 4
    view.set_matrix(np.arange(float(side * side)).reshape(side, side))
    view.set_highlights({(4, 4): {"window"}, (4, 5): {"window"}})
    magnifier = view.magnifier
    assert magnifier is not None
    settle(qtbot)
    header, title = magnifier.table.horizontalHeader(), magnifier.title_label
    watched.extend((header, title))
    boxes = [(r, r) for r in range(6, 14, 2)]  # none of them the first one
    widgets = {"header": header.viewport(), "title": title}

    def step(box: tuple[int, int]) -> None:
        r, c = box
        view.set_highlights({(r, c): {"window"}, (r, c + 1): {"window"}})

    # Back to the first box at the end: a title is pictured when the next one is set.
    first = events_after_each(QEvent.Type.Paint, widgets, [*boxes, boxes[0]], step)
    assert painted.get("header") and painted.get("title")  # new boxes: by Qt
    painted.clear()
    again = events_after_each(QEvent.Type.Paint, widgets, [*boxes[1:], boxes[0]], step)
    assert all(seen["header"] and seen["title"] for seen in first + again), (first, again)
    assert painted == {}  # the same boxes again: copied
    r, c = boxes[0]
    assert magnifier.model.headerData(0, Qt.Orientation.Horizontal) == str(c - 2)
    assert title.text() in matrix_view.close_up_titles((r - 2, r + 2), (c - 2, c + 3))


def test_a_close_up_s_window_cells_come_back_from_pictures(window, qtbot, monkeypatch):
    """Max pooling 16×16: the window stays in the middle of X's moving close-up, and its
    highlighted cells were painted anew (numbers laid out, frames drawn) on every step.  A
    cell showing the same value, colour and highlight at the same size is copied from its
    picture: stepping through the same steps again paints none of them."""
    st = max_pooling_16(window, qtbot)
    magnifier = window.views_panel.input_view.magnifier
    assert magnifier is not None
    model = magnifier.model
    painted: list[tuple[int, int]] = []
    original = matrix_view._CellDelegate.paint_cell

    def paint_cell(self, painter, rect, r, c, focused) -> None:
        if self._model is model and (r, c) in model.styles:
            painted.append((r, c))
        original(self, painter, rect, r, c, focused)

    monkeypatch.setattr(matrix_view._CellDelegate, "paint_cell", paint_cell)
    widgets = {"cells": magnifier.table.viewport()}
    steps = [1, 2, 3, 4, 5, 6]
    first = events_after_each(QEvent.Type.Paint, widgets, steps, st.set_step)
    assert painted  # new numbers under the window: painted
    # Once more: the longest numbers shown so far (which place a window's frames) grew
    # while stepping the first time.
    events_after_each(QEvent.Type.Paint, widgets, steps, st.set_step)
    painted.clear()
    again = events_after_each(QEvent.Type.Paint, widgets, steps, st.set_step)
    assert all(seen["cells"] for seen in first[1:] + again), (first, again)
    assert painted == []  # the same cells again: copied
    assert magnifier.isVisible() and any("window" in s for s in model.styles.values())


def test_a_number_s_ink_is_measured_once_per_text_and_cell_size(qtbot, monkeypatch):
    """The step arrows' legs along grid lines keep clear of the numbers' ink (number_ink):
    a placing asks for the inks of the cells near each leg, the same cells on every step
    (~1,000 per lecture step), and each was fitted and measured again.  Measured once per
    text, font and cell size, the same box comes back; a new cell size measures anew."""
    view = shown_view(qtbot)
    view.set_matrix(np.array([[1.0, 22.0], [333.0, 1.0]]))
    delegate = view.delegate
    fitted: list[str] = []
    fitted_number = delegate.fitted_number

    def counted(text, *args, **kwargs):
        fitted.append(text)
        return fitted_number(text, *args, **kwargs)

    monkeypatch.setattr(delegate, "fitted_number", counted)
    first = [delegate.number_ink(r, c, 40, 30) for r in range(2) for c in range(2)]
    measured = len(fitted)
    assert measured >= 3  # the three texts
    again = [delegate.number_ink(r, c, 40, 30) for r in range(2) for c in range(2)]
    assert again == first
    assert len(fitted) == measured  # every one known
    wider = delegate.number_ink(1, 0, 60, 30)
    assert len(fitted) > measured
    assert wider is not None and first[2] is not None
    assert wider[2] - wider[0] == pytest.approx(first[2][2] - first[2][0])  # same ink, moved


def test_a_close_up_back_at_its_numbers_size_finds_the_cells_it_had_painted(
    window, qtbot, monkeypatch
):
    """A close-up whose numbers change size as its box moves (a row number growing a digit
    takes room from its columns: adaptive average pooling's 8×8 close-up of a 16×16 input
    went from 12 to 11 px at rows 6–13, and back at rows 0–7 in the backward phase) finds
    again, back at the old size, its numbers' font (the same object, which the painter's
    measurements are kept by) and the floor of cells painted at that size: it paints in
    place only its highlighted cells, not every cell of its box (~50 there, each number
    fitted again)."""
    st = max_pooling_16(window, qtbot)
    view = window.views_panel.input_view
    steps = range(1, st.n_steps // 2)
    for k in steps:  # every cell of the canvas gets into the floor
        st.set_step(k)
        settle(qtbot)
    magnifier = view.magnifier
    assert magnifier is not None
    cell, font = magnifier.cell, magnifier.model.font
    magnifier.set_cell_size(cell + 6)  # the numbers at another size, as a moved box's
    settle(qtbot)
    assert magnifier.model.font.pixelSize() != font.pixelSize()
    calls = record_calls(monkeypatch, magnifier.delegate, "paint_cell")
    magnifier.set_cell_size(cell)  # and back
    settle(qtbot)
    assert magnifier.model.font is font
    assert len(calls) - len(magnifier.model.styles) <= 0, len(calls)


def test_a_close_ups_frames_room_measures_only_its_new_longest_texts(qtbot, monkeypatch):
    """The room a close-up's frames keep (_side_room) comes from the longest texts it has
    shown, which grow while stepping: only a text new to them is fitted, the others' widest
    is kept (all ~150 of a 0..255 input were fitted again on every step that showed a new
    one), and the room is the one measuring them all gives."""
    view = shown_view(qtbot)
    view.set_matrix(np.array([[10.0, 200.0], [33.0, 4.0]]))
    view.set_cell_size(40)
    model, delegate = view.model, view.delegate
    rect, font = QRect(0, 0, 40, 40), model.font
    model.long_texts = tuple(str(v) for v in range(10, 120))
    delegate._side_room(rect, font)
    calls = record_calls(monkeypatch, delegate, "fitted_number")
    model.long_texts = (*model.long_texts, "888")  # one new text
    side = delegate._side_room(rect, font)
    assert [args[0] for args in calls] == ["888"]
    delegate.forget_fits()
    assert delegate._side_room(rect, font) == side  # as measured from scratch

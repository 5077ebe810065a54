"""Issue 10, point 4 review: the step arrows ran through the matrices' titles (the default
screen's arch from X's window to Y[0, 0] came down through "Input X (8×8)" and "Output Y
(4×4)") and over cells (max-unpooling's arrow from P[0, 3] ran down P's column across P[1, 3]
and into Y's first row beside column 7).  An arrow now takes a route through the free room
(under the titles, above the column numbers, the gutters between the views) clear of every
title, colour legend and cell but the two it joins; where there is none, the two boxes are
linked by markers on their top left corners.

Everything is checked on the widgets' own geometry: the titles' text boxes, the legends and
every cell's rectangle are found here from the views, in the arrows' sheet's coordinates."""

from __future__ import annotations

import itertools

import pytest
from checks import settle

from visualizer.widgets.matrix_view import MatrixView


def _sheet(window):
    from visualizer.widgets.step_arrows import StepArrows

    sheet = window.findChild(StepArrows, "stepArrows")
    assert sheet is not None
    return sheet


def _on_sheet(sheet, widget, rect):
    from PySide6.QtCore import QPoint, QRectF

    origin = sheet.mapFromGlobal(widget.mapToGlobal(QPoint(0, 0)))
    return QRectF(rect).translated(origin.x(), origin.y())


def text_and_legend_rects(window, sheet) -> list[tuple[str, object]]:
    """Each shown view's title row and colour legend (the whole strip: bar and values), on
    the sheet."""
    rects = []
    for view in window.views_panel.findChildren(MatrixView):
        if not view.isVisible():
            continue
        label = view.title_label
        if label.isVisible() and label.text():
            # The title's row: its label less its margins (an arrow beside the text, through
            # the row, read as crossing the title).
            rects.append((f"title {label.text()!r}", _on_sheet(sheet, label, label.contentsRect())))
        if view.legend.isVisible():
            rects.append(
                (
                    f"legend of {view.objectName()}",
                    _on_sheet(sheet, view.legend, view.legend.rect()),
                )
            )
    return rects


def cell_rects(view, sheet, skip: set[tuple[int, int]]) -> list[tuple[str, object]]:
    """Every shown cell of ``view`` but those in ``skip`` (matrix coordinates), on the sheet."""
    from PySide6.QtCore import QRectF

    out = []
    model = view.model
    off_r, off_c = model.offset
    rows, cols = model.rowCount(), model.columnCount()
    if view.stack.currentIndex() == 0:
        table = view.table
        shown = QRectF(table.viewport().rect())
        for r in range(rows):
            for c in range(cols):
                if (r - off_r, c - off_c) in skip:
                    continue
                rect = QRectF(table.visualRect(model.index(r, c))).intersected(shown)
                if not rect.isEmpty():
                    out.append(
                        (
                            f"{view.objectName()}[{r - off_r}, {c - off_c}]",
                            _on_sheet(sheet, table.viewport(), rect),
                        )
                    )
    else:
        heat = view.heatmap
        shown = QRectF(heat.rect())
        for r in range(rows):
            for c in range(cols):
                if (r - off_r, c - off_c) in skip:
                    continue
                rect = heat.cells_rect(r, c, r + 1, c + 1).intersected(shown)
                if not rect.isEmpty():
                    out.append(
                        (
                            f"{view.objectName()}[{r - off_r}, {c - off_c}]",
                            _on_sheet(sheet, heat, rect),
                        )
                    )
    return out


def number_inks(view, sheet, skip: set[tuple[int, int]]) -> list[tuple[str, object]]:
    """Where every shown number of ``view``'s table but those of ``skip`` has its ink, on the
    sheet: its text's advance (or ink, if wider) centred in its cell, its ink's height on the
    baseline of a line centred in the cell, in the font the model reports (the cell's own
    font, never larger than that)."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFont, QFontMetricsF

    out = []
    model = view.model
    if view.stack.currentIndex() != 0:
        return out
    off_r, off_c = model.offset
    table = view.table
    shown = QRectF(table.viewport().rect())
    for r in range(model.rowCount()):
        for c in range(model.columnCount()):
            if (r - off_r, c - off_c) in skip:
                continue
            text = model.data(model.index(r, c), Qt.DisplayRole)
            if not text:
                continue
            cell = QRectF(table.visualRect(model.index(r, c)))
            if cell.intersected(shown).isEmpty():
                continue
            font = QFont(model.data(model.index(r, c), Qt.FontRole) or table.font())
            font = font.resolve(table.font())
            metrics = QFontMetricsF(font)
            ink = metrics.tightBoundingRect(text)
            width = max(metrics.horizontalAdvance(text), ink.width())
            baseline = cell.top() + (cell.height() - metrics.height()) / 2 + metrics.ascent()
            box = QRectF(cell.center().x() - width / 2, baseline + ink.top(), width, ink.height())
            name = f"the number of {view.objectName()}[{r - off_r}, {c - off_c}]"
            out.append((name, _on_sheet(sheet, table.viewport(), box)))
    return out


def _inside(point, view, sheet) -> bool:
    """Whether ``point`` (on the sheet) lies inside ``view``'s cells, off their sides."""
    from PySide6.QtCore import QRectF

    model = view.model
    if view.stack.currentIndex() != 0:
        return False
    table = view.table
    first = table.visualRect(model.index(0, 0))
    last = table.visualRect(model.index(model.rowCount() - 1, model.columnCount() - 1))
    area = _on_sheet(sheet, table.viewport(), QRectF(first.topLeft(), last.bottomRight()))
    return area.adjusted(3, 3, -3, -3).contains(point)


def trimmed(path, start: float, end: float):
    """Points along ``path`` a pixel apart, without its first ``start`` and last ``end``
    pixels."""
    length = path.length()
    count = max(1, int(length - start - end))
    return [
        path.pointAtPercent(path.percentAtLength(start + k * (length - start - end) / count))
        for k in range(count + 1)
    ]


def assert_clear_routes(window) -> int:
    """Every arrow on the window's sheet either runs, off the few pixels where it leaves its
    start and the head it ends in, clear of every title's text, legend and cell but its own
    (the arrow's whole painted width), or is a link: its dot and head on its two boxes'
    top left corners.  An arrow that leaves (enters) a box inside its matrix runs along the
    grid lines there: in that matrix it keeps clear of every number's ink instead of every
    cell.
    The number of routed arrows."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPolygonF

    from visualizer.widgets.step_arrows import ARROW_EDGE, ARROW_WIDTH, DOT_RADIUS

    sheet = _sheet(window)
    assert sheet.arrows
    views = window.views_panel._tensor_views()
    shown = [v for v in window.views_panel.findChildren(MatrixView) if v.isVisible()]
    labels = text_and_legend_rects(window, sheet)
    routed = 0
    # What each drawn arrow joins, in order (every view of the step's arrows is shown).
    joined = sheet._pending
    assert len(joined) == len(sheet._shapes)
    for (source_view, source, target_view, target), drawn in zip(
        joined, sheet._shapes, strict=True
    ):
        path, head_polygon, dot = drawn.shape
        head_box = head_polygon.boundingRect()
        if path.elementCount() <= 1:  # a link: markers on the boxes' top left corners
            start_box = views[source_view].cells_box(source, sheet)
            end_box = views[target_view].cells_box(target, sheet)
            corner = QRectF(0, 0, 6, 6)
            corner.moveCenter(start_box.topLeft())
            assert corner.contains(dot), (sheet.arrows, start_box, dot)
            # The head points into the corner from outside, its tip just inside the box.
            tip = end_box.adjusted(0, 0, -end_box.width() + 6, -end_box.height() + 6)
            assert head_box.intersects(tip), (end_box, head_box)
            assert head_box.bottom() <= end_box.top() + 6, (end_box, head_box)
            assert head_box.right() <= end_box.left() + 6, (end_box, head_box)
            continue
        head = max(head_box.width(), head_box.height())
        points = [(p.x(), p.y()) for p in trimmed(path, 0, 0)]
        routed += 1
        line = trimmed(path, DOT_RADIUS, head)
        assert len(line) >= 2
        centre = QPainterPath(line[0])
        for p in line[1:]:
            centre.lineTo(p)
        stroker = QPainterPathStroker()
        stroker.setWidth(ARROW_WIDTH + 4 * ARROW_EDGE)
        outline = stroker.createStroke(centre)
        head_path = QPainterPath()
        head_path.addPolygon(QPolygonF(head_polygon))
        for name, rect in labels:
            assert not outline.intersects(rect), (name, sheet.arrows, points)
            assert not head_path.intersects(rect.adjusted(1, 1, -1, -1)), (name, points)
        ends = {source_view: set(source), target_view: set(target)}
        first, last = path.pointAtPercent(0), path.pointAtPercent(1)
        for view in shown:
            owner = next((n for n, v in views.items() if v is view or v.magnifier is view), None)
            skip = ends.get(owner, set())
            on_grid = (owner == source_view and _inside(first, view, sheet)) or (
                owner == target_view and _inside(last, view, sheet)
            )
            for name, rect in number_inks(view, sheet, skip) if on_grid else ():
                assert not outline.intersects(rect), (name, sheet.arrows, points)
                assert not head_path.intersects(rect), (name, sheet.arrows, points)
            for name, rect in cell_rects(view, sheet, skip) if not on_grid else ():
                inner = rect.adjusted(1, 1, -1, -1)  # the grid lines are shared
                assert not outline.intersects(inner), (name, sheet.arrows, points)
                assert not head_path.intersects(inner), (name, sheet.arrows, points)
    return routed


def _show(window, qtbot, size, presenting, **state):
    window.resize(*size)
    settle(qtbot)
    st = window.state
    if "input_size" in state:
        assert st.resize_input(*state.pop("input_size"))
    op = state.pop("op", None)
    if op is not None:
        assert st.set_op(op)
    params = state.pop("params", None)
    if params:
        assert st.set_params(**params)
    step = state.pop("step", 0)
    backward = state.pop("backward", False)
    st.set_step(step + (st.n_windows if backward else 0))
    if presenting:
        window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)


REVIEWED = [
    # (size, presenting, state, routed): the review's cases
    ((1366, 768), False, {"step": 0}, True),  # the default screen's X[0:2, 0:2] -> Y[0, 0]
    ((1024, 768), True, {"op": "conv2d", "params": {"kernel_size": (3, 3)}, "step": 5}, True),
    ((1024, 768), True, {"op": "max_unpool2d", "step": 3}, True),
    (
        (1366, 768),
        True,
        {
            "input_size": (7, 6),
            "params": {"kernel_size": (2, 2), "stride": (3, 3), "ceil_mode": True},
            "step": 1,
        },
        None,
    ),
]


@pytest.mark.parametrize(("size", "presenting", "state", "routed"), REVIEWED)
def test_the_reviewed_arrows_keep_clear_of_titles_and_other_cells(
    window, qtbot, size, presenting, state, routed
):
    _show(window, qtbot, size, presenting, **dict(state))
    count = assert_clear_routes(window)
    if routed:
        assert count == len(_sheet(window).arrows)  # a route, not a link


OPS = [
    "max_pool2d",
    "avg_pool2d",
    "conv2d",
    "conv_transpose2d",
    "max_unpool2d",
    "adaptive_avg_pool2d",
    "lp_pool2d",
]


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
@pytest.mark.parametrize("presenting", [False, True])
@pytest.mark.parametrize("backward", [False, True])
@pytest.mark.parametrize("op", OPS)
def test_every_op_s_arrows_keep_clear(window, qtbot, op, backward, presenting, size):
    """Each operation, both phases, both screen sizes, normal and lecture layouts: a few
    steps each (first, second, a middle one, the last), every arrow routed clear or linked;
    the first step's (a corner window) routed."""
    _show(window, qtbot, size, presenting, op=op, backward=backward)
    st = window.state
    n = st.n_windows
    offset = n if backward else 0
    routed_first = assert_clear_routes(window)
    assert routed_first >= 1, _sheet(window).arrows
    for step in sorted({1, n // 2, n - 1} - {0}):
        st.set_step(offset + step)
        settle(qtbot)
        assert_clear_routes(window)


AUDITED = [
    # (size, presenting, state): cases earlier audits of the arrows fixed, each with its own
    # test of the arches' geometry until the routes replaced the arches
    ((1024, 768), False, {"step": 5}),  # X[2:4, 2:4] -> Y[1, 1]: inside both
    ((1024, 768), False, {"input_size": (64, 64), "step": 0}),  # heat maps
    ((1024, 768), True, {"op": "conv2d", "backward": True, "step": 9}),
    ((1366, 768), True, {"op": "conv_transpose2d", "backward": True, "step": 6}),  # close-up
    ((1366, 768), True, {"backward": True, "step": 3}),
    ((1024, 768), True, {"backward": True, "step": 3}),
    ((1366, 768), False, {"backward": True, "step": 5}),
    ((1024, 768), False, {"backward": True, "step": 5}),
    ((1366, 768), True, {"op": "conv2d", "backward": True, "step": 4}),
    ((1200, 768), True, {"op": "conv2d", "backward": True, "step": 4}),
    ((1024, 768), True, {"op": "conv2d", "backward": True, "step": 4}),
    ((1024, 768), True, {"op": "lp_pool2d", "backward": True, "step": 4}),
    ((1024, 768), True, {"op": "adaptive_avg_pool2d", "backward": True, "step": 2}),
    ((1366, 768), True, {"op": "adaptive_max_pool2d", "step": 2}),
    ((1024, 768), True, {"op": "adaptive_avg_pool2d", "step": 2}),
    ((1366, 768), False, {"op": "adaptive_max_pool2d", "backward": True, "step": 2}),
    ((1024, 768), False, {"op": "adaptive_max_pool2d", "backward": True, "step": 2}),
]


@pytest.mark.parametrize(("size", "presenting", "state"), AUDITED)
def test_earlier_audits_arrows_keep_clear(window, qtbot, size, presenting, state):
    _show(window, qtbot, size, presenting, **dict(state))
    assert_clear_routes(window)


# Grid lines (a route along the lines between the numbers of a matrix, out of a window inside
# it): pure geometry first, on a made-up layout.

CELL = 30.0
HALF_PEN = 4.5  # half the arrow's dark pen (ARROW_WIDTH + 4 * ARROW_EDGE) / 2


def _grid(left: float, top: float, n: int):
    """Rows' tops and heights and columns' lefts and widths of an n×n matrix of CELL-pixel
    cells at (left, top)."""
    ys = [top + k * CELL for k in range(n)]
    xs = [left + k * CELL for k in range(n)]
    return ys, [CELL] * n, xs, [CELL] * n


def _inks(grid, ink_width: float, ink_height: float, blank=frozenset()):
    """Each cell's number's ink, centred in the cell (None in the ``blank`` cells)."""
    ys, hs, xs, ws = grid

    def ink(r: int, c: int):
        if (r, c) in blank:
            return None
        cx, cy = xs[c] + ws[c] / 2, ys[r] + hs[r] / 2
        return (cx - ink_width / 2, cy - ink_height / 2, cx + ink_width / 2, cy + ink_height / 2)

    return ink


def _box(grid, r0, r1, c0, c1):
    ys, hs, xs, ws = grid
    return (xs[c0], ys[r0], xs[c1] + ws[c1], ys[r1] + hs[r1])


def _route_between(ink_width: float, ink_height: float, blank=frozenset()):
    """An 8×8 matrix X at (40, 40) and a 4×4 matrix Y at (400, 40), every number's ink
    ``ink_width`` × ``ink_height``: the window X[2:4, 2:4] (inside X) to Y[1, 1] (inside Y,
    its ``blank`` cells showing no number).  The route found with the ports the boxes' sides
    on their matrices' sides give (none) and with the grid lines' ports too, and every
    number's ink."""
    from visualizer.widgets import arrow_routes

    x_grid, y_grid = _grid(40, 40, 8), _grid(400, 40, 4)
    x_area, y_area = _box(x_grid, 0, 7, 0, 7), _box(y_grid, 0, 3, 0, 3)
    x_ink, y_ink = _inks(x_grid, ink_width, ink_height), _inks(y_grid, ink_width, ink_height, blank)
    obstacles = arrow_routes.Obstacles((x_area, y_area), (0, 0, 700, 400), 5.5)

    def ports(grid, area, cells, ink, target):
        return tuple(
            arrow_routes.grid_ports(
                cells,
                _box(grid, *cells),
                area,
                area,
                grid,
                ink,
                target,
                lambda direction, at: float("inf"),
                5.5,
                5.5,
                1.5,
            )
        )

    starts = ports(x_grid, x_area, (2, 3, 2, 3), x_ink, False)
    ends = ports(y_grid, y_area, (1, 1, 1, 1), y_ink, True)
    without = arrow_routes._search(obstacles, (), ())
    found = arrow_routes._search(obstacles, starts, ends) if starts and ends else None
    inks = [x_ink(r, c) for r in range(8) for c in range(8)]
    inks += [y_ink(r, c) for r in range(4) for c in range(4)]
    return without, found, [ink for ink in inks if ink is not None]


def _touches(points, box, reach: float) -> bool:
    """Whether the polyline through ``points``, ``reach`` pixels wide on either side, meets
    ``box``."""
    x1, y1, x2, y2 = box
    for (px, py), (qx, qy) in itertools.pairwise(points):
        left, right = min(px, qx) - reach, max(px, qx) + reach
        top, bottom = min(py, qy) - reach, max(py, qy) + reach
        if left < x2 and x1 < right and top < y2 and y1 < bottom:
            return True
    return False


def test_a_window_inside_its_matrix_leaves_along_a_grid_line_clear_of_every_number():
    """Two-digit numbers (20 × 13 px ink in 30 px cells: 10 px between two of them across,
    17 px down): the window X[2:4, 2:4] and Y[1, 1], both inside their matrices, have no
    port on a matrix's side; along the grid lines they get a route, which runs out of X
    between its numbers and into Y between its numbers, never over one."""
    without, found, inks = _route_between(20, 13)
    assert without is None
    assert found is not None
    start, end, points = found
    assert 40 < points[0][0] < 280 and 40 < points[0][1] < 280  # leaves from inside X
    assert 400 < points[-1][0] < 520 and 40 < points[-1][1] < 160  # ends inside Y
    for ink in inks:
        assert not _touches(points, ink, HALF_PEN), (ink, points)
    # Its legs keep a pixel more than half the pen from every number.
    assert start.room >= HALF_PEN + 1 and end.room >= HALF_PEN + 1


def test_into_a_cell_whose_row_is_blank_the_route_enters_its_side_s_middle():
    """Y[1, 1] with the cells after it blank (the outputs not made yet), its number 14 px
    wide: its way in from the right along the middle of its row, its head pointing at its
    number, not at a corner; a number 20 px wide leaves its cell's side too little room for
    the head: the grid line at its corner then."""
    from visualizer.widgets import arrow_routes

    y_grid = _grid(400, 40, 4)
    area = _box(y_grid, 0, 3, 0, 3)
    blank = {(1, 2), (1, 3), (2, 1), (3, 1), (2, 2), (2, 3), (3, 2), (3, 3)}
    middle = 40 + 1.5 * CELL
    for width, way_in in ((14, middle), (20, 40 + 2 * CELL)):
        ports = arrow_routes.grid_ports(
            (1, 1, 1, 1),
            _box(y_grid, 1, 1, 1, 1),
            area,
            area,
            y_grid,
            _inks(y_grid, width, 13, blank),
            True,
            lambda direction, at: float("inf"),
            5.5,
            5.5,
            1.5,
        )
        right = [p.edge for p in ports if p.direction == arrow_routes.RIGHT]
        assert right == [(400 + 2 * CELL, way_in)], (width, ports)


def test_gaps_narrower_than_an_arrow_give_no_grid_line_and_the_ends_stay_linked():
    """Numbers 24 × 22 px in 30 px cells: 6 and 8 px between them, less than the arrow's
    9 px pen and its pixel each side: no way along a grid line (the sheet then links the
    two boxes by markers)."""
    without, found, _ = _route_between(24, 22)
    assert without is None
    assert found is None


@pytest.mark.parametrize("presenting", [False, True])
def test_an_interior_window_of_the_default_example_gets_a_route(window, qtbot, presenting):
    """The default 8×8 max pooling at 1366×768, step 5: the window X[2:4, 2:4] and Y[1, 1]
    are inside their matrices (in the normal layout and the lecture layout).  The arrow is a
    route, not two markers on the frames' corners, and it runs clear of every title,
    legend, cell outside the two matrices and every number inside them."""
    _show(window, qtbot, (1366, 768), presenting, step=5)
    sheet = _sheet(window)
    assert sheet.arrows == [("input", "output")]
    views = window.views_panel._tensor_views()
    assert assert_clear_routes(window) == 1
    # Leaves from inside X (not from its side).
    path = sheet._shapes[0].shape[0]
    assert _inside(path.pointAtPercent(0), views["input"], sheet)
    # (Every number but the window's was checked.)
    assert len(number_inks(views["input"], sheet, {(2, 2), (2, 3), (3, 2), (3, 3)})) == 60

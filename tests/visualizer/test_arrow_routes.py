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
    top left corners.
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
        for view in shown:
            owner = next((n for n, v in views.items() if v is view or v.magnifier is view), None)
            skip = ends.get(owner, set())
            for name, rect in cell_rects(view, sheet, skip):
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
    ((1024, 768), False, {"step": 5}),  # X[2:4, 2:4] -> Y[1, 1]: inside both, a link
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

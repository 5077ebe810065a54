"""Issue 10, stale arrows: a step whose numbers widen a view's columns (the backward phase's
dX growing digits) moves the cells after the step's arrows were placed; the arrows were not
placed again and kept avoiding the old cells and numbers, crossing the new ones (lp pooling's
and 3×3 convolution's backward steps in the lecture layout at 1366×768).  The sheet now
places its arrows again whenever a view's columns, rows, headers or place change, and only
then.

Checked on data: each placed arrow against the views' cells and numbers as they are laid out
after the step (tests/visualizer/test_arrow_routes.assert_clear_routes)."""

from __future__ import annotations

import pytest
from checks import settle
from test_arrow_routes import _sheet, _show, assert_clear_routes


@pytest.mark.parametrize(
    ("op", "params", "first", "last"),
    [
        # The cases measured: lp pooling's backward steps (overall 29, 30) and the 3×3
        # convolution's (overall 36 on), each after stepping there one step at a time.
        ("lp_pool2d", None, 0, 32),
        ("conv2d", {"kernel_size": (3, 3)}, 30, 44),
    ],
)
def test_arrows_follow_the_views_laid_out_after_a_step(window, qtbot, op, params, first, last):
    """Stepping one step at a time from the forward phase into the backward one in the
    lecture layout at 1366×768: after every step every arrow keeps clear of every title,
    legend, other cell and number where they are now laid out."""
    state: dict[str, object] = {"op": op, "step": first}
    if params:
        state["params"] = params
    _show(window, qtbot, (1366, 768), True, **state)
    st = window.state
    for step in range(first + 1, last):
        st.set_step(step)
        settle(qtbot)
        assert_clear_routes(window)
    # After the steps the obstacles are the layout's as it is now.
    sheet = _sheet(window)
    assert sheet._placed_key == sheet.layout_key()


def test_a_relayout_that_moves_nothing_places_no_arrows(window, qtbot, monkeypatch):
    """A view's geometry signal that moves nothing (the same column width set again) asks the
    timer, but no arrow is placed again."""
    _show(window, qtbot, (1366, 768), True, backward=True, step=2)
    sheet = _sheet(window)
    placed = []
    relocate = type(sheet).relocate
    monkeypatch.setattr(
        type(sheet), "relocate", lambda self, *a, **k: (placed.append(1), relocate(self, *a, **k))
    )
    panel = window.views_panel
    view = panel._tensor_views()["grad_input"]
    header = view.table.horizontalHeader()
    header.sectionResized.emit(0, header.sectionSize(0), header.sectionSize(0))
    assert panel._arrows_timer.isActive()
    settle(qtbot)
    assert placed == []
    # A real change (dX's columns 4 px wider, as a longer number makes them) places them
    # again, once.
    header.setDefaultSectionSize(view.column_width() + 4)
    view.table.updateGeometries()
    settle(qtbot)
    assert len(placed) == 1
    assert sheet._placed_key == sheet.layout_key()


# Issue 10, the default example: the arrow into Y[0, 0] comes down across Y's column numbers
# beside the "0" above its first column.  The row and column numbers are obstacles like the
# cells' numbers: an arrow (its head with its dark edge too) keeps HEAD_GAP from their text.


def header_label_rects(view, sheet) -> list[tuple[str, object]]:
    """Each shown row and column number's text box (its advance wide, its font's ink high,
    centred in its section as the header draws it), on the sheet."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetricsF
    from test_arrow_routes import _on_sheet

    out = []
    if view.stack.currentIndex() != 0:
        return out
    table = view.table
    for header in (table.horizontalHeader(), table.verticalHeader()):
        if header.isHidden():
            continue
        metrics = QFontMetricsF(header.font())
        shown = QRectF(header.viewport().rect())
        horizontal = header is table.horizontalHeader()
        for k in range(header.count()):
            text = str(view.model.headerData(k, header.orientation()))
            start, size = header.sectionViewportPosition(k), header.sectionSize(k)
            section = (
                QRectF(start, 0, size, header.height())
                if horizontal
                else QRectF(0, start, header.width(), size)
            )
            if section.intersected(shown).isEmpty():
                continue
            ink = metrics.tightBoundingRect(text)
            width = max(metrics.horizontalAdvance(text), ink.width())
            centre = section.center()
            box = QRectF(centre.x() - width / 2, centre.y() - ink.height() / 2, width, ink.height())
            kind = "column" if horizontal else "row"
            out.append(
                (
                    f"{view.objectName()}'s {kind} number {text}",
                    _on_sheet(sheet, header.viewport(), box),
                )
            )
    return out


def assert_clear_of_header_numbers(window, gap: float) -> int:
    """Every routed arrow's painted outline (curve and head, dark edges included) keeps
    ``gap`` from the text of every row and column number of the views it joins.  The
    number of arrows checked."""
    from visualizer.widgets.step_arrows import _outline

    sheet = _sheet(window)
    views = window.views_panel._tensor_views()
    checked = 0
    for (source_view, _, target_view, _), drawn in zip(sheet._pending, sheet._shapes, strict=True):
        if drawn.shape[0].elementCount() <= 1:
            continue
        outline = _outline(drawn.shape)
        for name in {source_view, target_view}:
            for label, rect in header_label_rects(views[name], sheet):
                grown = rect.adjusted(-gap, -gap, gap, gap)
                assert not outline.intersects(grown), (label, rect, outline.boundingRect())
        checked += 1
    return checked


@pytest.mark.parametrize("presenting", [False, True])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768), (800, 600)])
def test_the_default_example_s_head_keeps_clear_of_y_s_column_numbers(
    window, qtbot, presenting, size
):
    """Max pooling's first step (X[0:2, 0:2] -> Y[0, 0]), normal and lecture layouts: the
    arrow and its head keep HEAD_GAP from Y's "0" above its first column and every other
    row and column number (at 800×600 the head's dark edge lay on the "0")."""
    from visualizer.widgets.step_arrows import HEAD_GAP

    _show(window, qtbot, size, presenting, step=0)
    assert _sheet(window).arrows == [("input", "output")]
    assert assert_clear_of_header_numbers(window, HEAD_GAP - 0.25) == 1


@pytest.mark.parametrize(
    ("size", "state"),
    [
        ((1366, 768), {"input_size": (12, 12)}),
        ((900, 650), {"op": "conv2d", "input_size": (12, 12), "step": 2}),
    ],
)
def test_narrow_columns_heads_keep_clear_of_the_column_numbers(window, qtbot, size, state):
    """Narrower columns (a 12×12 input): the head's dark edge lay on Y's column number (the
    head kept its shortest length where the room between the numbers was less than its
    width); now it keeps HEAD_GAP, or the arrow enters another way."""
    from visualizer.widgets.step_arrows import HEAD_GAP

    _show(window, qtbot, size, False, **dict(state))
    assert _sheet(window).arrows == [("input", "output")]
    assert assert_clear_of_header_numbers(window, HEAD_GAP - 0.25) == 1

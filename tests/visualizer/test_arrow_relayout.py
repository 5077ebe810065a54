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

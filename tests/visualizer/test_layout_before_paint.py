"""The window lays out before it paints: a change that resizes views (a longer arithmetic
line, a new output shape) is drawn once, at the new sizes, not first at the old ones."""

from __future__ import annotations

import numpy as np
from checks import settle
from PySide6.QtCore import QCoreApplication, QEvent


def test_an_update_request_first_applies_the_pending_layout(window, qtbot):
    st = window.state
    st.set_op("adaptive_avg_pool2d")
    st.set_input(np.arange(28 * 28, dtype=float).reshape(28, 28) % 10)
    st.set_params(output_size=(7, 7))
    settle(qtbot)
    label = window.step_bar.arithmetic_label
    views = window.views_panel
    before = (label.height(), views.height())
    # 4×4 windows -> 7×7 windows: a sum of 49 terms (still written out) instead of 16.
    st.set_params(output_size=(4, 4))
    # What the label and the panel will get once the layouts have run.
    expected = label.heightForWidth(label.width())
    assert expected != before[0]
    QCoreApplication.sendEvent(window, QEvent(QEvent.Type.UpdateRequest))
    # Laid out at the paint itself: no layout request left for a second paint.
    assert label.height() != before[0]
    assert views.height() != before[1]
    after = (label.height(), views.height())
    settle(qtbot)
    assert (label.height(), views.height()) == after


def test_an_update_request_fits_the_views_and_places_the_arrows_first(window, qtbot):
    """The cell-size fit and the arrows' placement that an edit leaves for zero-time timers
    are done before the paint: after them the views (a close-up under the arrow) were
    painted a second time."""
    st = window.state
    st.set_op("adaptive_max_pool2d")
    st.set_input(np.arange(64 * 64, dtype=float).reshape(64, 64) % 10)
    st.set_params(output_size=(4, 4))
    settle(qtbot)
    views = window.views_panel
    st.set_params(output_size=(3, 3))  # a longer arithmetic line: the views are resized
    QCoreApplication.sendEvent(window, QEvent(QEvent.Type.UpdateRequest))
    assert not views._sync_timer.isActive()
    assert not views._arrows_timer.isActive()
    fitted = {view.objectName(): view.cell for view in views.views()}
    arrows = list(views.arrows._segments)
    assert arrows
    settle(qtbot)  # the timers (had they been left) would change nothing now
    assert {view.objectName(): view.cell for view in views.views()} == fitted
    assert views.arrows._segments == arrows

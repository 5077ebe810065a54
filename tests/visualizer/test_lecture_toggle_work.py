"""Entering or leaving the lecture layout (presentation mode, F5) does its work once: one
choice of the lecture layout, one fit of the views, one layout of the window
(benchmarks/gui_bench.py times the toggle; these tests count calls and events, never time or
pixels)."""

from __future__ import annotations

from checks import settle
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication
from qt_checks import EventCounter

from visualizer.widgets.views_panel import ViewsPanel


def test_entering_and_leaving_the_lecture_layout_fit_the_views_once(window, qtbot, monkeypatch):
    """Entering chose the lecture layout four times before its first paint: twice while the
    window still had its controls (a panel of the old size), then before the paint, then again
    because that fit resized the views.  Leaving fitted the normal layout twice."""
    window.resize(1366, 768)
    settle(qtbot)
    panel = window.views_panel
    fits: list[bool] = []
    choices: list[int] = []
    sync, choose = ViewsPanel.sync_cell_sizes, ViewsPanel._choose_lecture

    def counted_sync(self: ViewsPanel) -> None:
        fits.append(self.lecture)
        sync(self)

    def counted_choice(self: ViewsPanel, views: list) -> None:
        choices.append(len(views))
        choose(self, views)

    monkeypatch.setattr(ViewsPanel, "sync_cell_sizes", counted_sync)
    monkeypatch.setattr(ViewsPanel, "_choose_lecture", counted_choice)
    cells = []
    for on in (True, False, True, False):
        fits.clear()
        choices.clear()
        window.presentation.set_presentation(on, save=False)
        for _ in range(3):
            QApplication.processEvents()
        assert fits == [on], (on, fits)
        assert choices == ([3] if on else []), (on, choices)
        views = [v for v in panel.views() if v.isVisible()]
        cells.append(sorted((v.objectName(), v.cell, v.width(), v.height()) for v in views))
    # The same layouts each time: the lecture row of X, Y and the mask at one cell size.
    assert cells[0] == cells[2] and cells[1] == cells[3]
    assert [name for name, *_ in cells[0]] == ["inputMatrix", "maskMatrix", "outputMatrix"]
    assert len({cell for _, cell, *_ in cells[0]}) == 1
    assert panel.lecture_cell == cells[0][0][1]


def test_the_window_is_laid_out_once_after_the_toggle_not_while_it_runs(window, qtbot):
    """Qt lays out every ancestor of a widget it shows, at once: leaving the lecture layout
    brought back the menus, the toolbar, the status bar, the side panel and the step bar's
    controls one by one, and the views panel was resized four times before the event loop
    ran (six times in all, each view eight).  Now nothing is laid out while the toggle runs;
    the layout requests it posted lay the window out before the paint."""
    window.resize(1366, 768)
    settle(qtbot)
    panel = window.views_panel
    watched = {
        "panel": panel,
        "lecture area": window.lecture_area,
        **{view.objectName(): view for view in panel.views()},
    }
    counter = EventCounter(QEvent.Type.Resize)
    for widget in watched.values():
        widget.installEventFilter(counter)
    try:
        for on in (True, False, True, False):
            counter.counts.clear()
            window.presentation.set_presentation(on, save=False)
            during = {name: counter.counts.get(id(w), 0) for name, w in watched.items()}
            assert not any(during.values()), (on, during)
            for _ in range(3):
                QApplication.processEvents()
            assert counter.counts.get(id(panel), 0) > 0  # laid out after it, by the loop
    finally:
        for widget in watched.values():
            widget.removeEventFilter(counter)
    assert not window.menuBar().isHidden() and window.side_panel.isVisible()


def test_the_toggle_posts_no_event_made_in_python(window, qtbot, monkeypatch):
    """Leaving the lecture layout posted a LayoutRequest made in Python per held layout.  When
    Qt dropped one as a duplicate of a pending request it deleted it under the binding that
    still held it, and the app crashed later in the event loop (about one run in three of
    switching operations, inputs and the layout with a grab between).  The requests are now
    Qt's own, and the window is still laid out after the toggle."""
    from PySide6.QtCore import QCoreApplication, QPoint

    posted: list[int] = []
    post = QCoreApplication.postEvent

    def counted_post(receiver: object, event: QEvent, *args: object) -> object:
        posted.append(int(event.type().value))
        return post(receiver, event, *args)

    monkeypatch.setattr(QCoreApplication, "postEvent", counted_post)
    window.resize(1366, 768)
    settle(qtbot)
    for on in (True, False, True, False):
        window.presentation.set_presentation(on, save=False)
        for _ in range(3):
            QApplication.processEvents()
        assert posted == [], posted
        side = window.side_panel
        # Laid out as the toggle left it: the side panel back (and given room) or gone.
        assert side.isVisible() is (not on)
        if not on:
            side_right = side.mapTo(window, QPoint(side.width(), 0)).x()
            assert side.width() > 0
            assert side_right <= window.views_panel.mapTo(window, QPoint(0, 0)).x()


def _item_wrappers(window) -> set[int]:
    """The ids of the Python wrappers of layout stretches (QSpacerItem) alive now, and of the
    views panel's grid's items (QWidgetItem) that its wrapper keeps."""
    import gc

    from PySide6.QtWidgets import QSpacerItem, QWidgetItem

    gc.collect()
    spacers = {id(item) for item in gc.get_objects() if isinstance(item, QSpacerItem)}
    kept = gc.get_referents(window.views_panel.grid)
    return spacers | {id(item) for item in kept if isinstance(item, QWidgetItem)}


def test_the_lecture_rows_leave_no_wrappers_of_their_stretches(window, qtbot):
    """The lecture layout's rows were filled, stretches and all, before they went into the
    grid, and the binding's addLayout gave the grid a wrapper of each stretch, kept after the
    rows (and the stretches) were deleted on leaving: a later widget at a reused address came
    back as that dead QSpacerItem's wrapper (a table's horizontalScrollBar() had no
    isVisibleTo).  The grid's items asked for by position (the columns' stretches) were kept
    the same way, and deleted when the lecture layout took the views out of the grid.
    Entering and leaving, with and without a bias column, leave none."""
    window.resize(1024, 768)
    before = _item_wrappers(window)
    st = window.state
    for op in ("max_unpool2d", "conv2d"):
        st.set_op(op)
        st.set_step(st.n_windows + 1)  # backward: convolution's db under its last view
        settle(qtbot)
        for on in (True, False, True, False):
            window.presentation.set_presentation(on, save=False)
            settle(qtbot)
            if on and op == "conv2d":
                assert window.views_panel._lecture_columns_placed  # the view with db below
    assert _item_wrappers(window) - before == set()

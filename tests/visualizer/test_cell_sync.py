"""The cell sizes of the normal layout depend on what the window shows and its size, never on
how it got there (issue 10, point 6).

A fit computed in an intermediate layout was never redone once the layout settled (a 16×16
adaptive pooling reached from the default example kept its 2×2 dY at 96 px cells in scroll
bars), and a 16×16 input stayed a table or a heat map depending on what it was before (the
heat map's magnifier took part of the room the fit measured, and the grid's rows followed the
views' size hints).  Each test reaches a state along some path and compares every view's cell
size and kind with a window built directly in that state.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from checks import settle
from conftest import new_window

Sizes = dict[str, tuple[int, str]]


def view_sizes(window) -> Sizes:
    """Each shown view's cell size and whether it is a table or a heat map."""
    return {
        view.objectName(): (view.cell, "heat" if view.stack.currentIndex() else "table")
        for view in window.views_panel.views()
        if view.isVisible()
    }


def scrolled(window) -> list[str]:
    """The shown tables with a scroll bar."""
    cut = []
    for view in window.views_panel.views():
        table = view.table
        bars = table.horizontalScrollBar().isVisible() or table.verticalScrollBar().isVisible()
        if view.isVisible() and view.stack.currentIndex() == 0 and bars:
            cut.append(f"{view.objectName()} {view.model.values.shape} cell {view.cell}")
    return cut


def settled(qtbot, window) -> None:
    """Run the event loop until the layout is idle, and check that it stays idle: no view is
    resized and no fit is pending after more rounds (no layout loop)."""
    from PySide6.QtWidgets import QApplication

    settle(qtbot)
    panel = window.views_panel
    resized: list[str] = []
    views = [view for view in panel.views() if view.isVisible()]
    slots = [lambda v=view: resized.append(v.objectName()) for view in views]
    for view, slot in zip(views, slots, strict=True):
        view.sigResized.connect(slot)
    before = view_sizes(window)
    for _ in range(5):
        QApplication.processEvents()
        qtbot.wait(5)
    for view, slot in zip(views, slots, strict=True):
        view.sigResized.disconnect(slot)
    assert not resized, resized
    assert not panel._sync_timer.isActive()
    assert view_sizes(window) == before


def fresh(qtbot, setup: Callable, size: tuple[int, int] = (1366, 768)):
    """A new window put in a state by ``setup(window)`` before it is first shown."""
    from visualizer.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    setup(window)
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    settled(qtbot, window)
    return window


def adaptive_16(op: str) -> Callable:
    def setup(window) -> None:
        assert window.state.set_op(op)
        assert window.state.resize_input(16, 16)

    return setup


@pytest.mark.parametrize("op", ["adaptive_avg_pool2d", "adaptive_max_pool2d"])
def test_default_example_to_a_16x16_adaptive_pooling_fits_as_a_new_window(window, qtbot, op):
    """From the default 8×8 example to a 16×16 adaptive pooling: dY and Y without scroll bars,
    every view at the cell size of a window opened in that state."""
    settled(qtbot, window)
    st = window.state
    assert st.set_op(op)
    settled(qtbot, window)
    assert st.resize_input(16, 16)
    settled(qtbot, window)
    reached = view_sizes(window)
    assert not scrolled(window), scrolled(window)
    assert reached == view_sizes(fresh(qtbot, adaptive_16(op)))
    # The same through the spin boxes (16×8 on the way) and with the size set first.
    other = new_window(qtbot)
    other.data_panel.rows_spinbox.setValue(16)
    settled(qtbot, other)
    other.data_panel.cols_spinbox.setValue(16)
    settled(qtbot, other)
    assert other.state.set_op(op)
    settled(qtbot, other)
    assert view_sizes(other) == reached


def test_heat_map_or_table_stays_the_same_while_stepping_16x16(window, qtbot):
    """A 16×16 input's views keep their kind and cell size over 10 steps in each phase."""
    st = window.state
    for op in ("max_pool2d", "adaptive_avg_pool2d"):
        assert st.set_op(op)
        assert st.resize_input(16, 16)
        settled(qtbot, window)
        for phase in ("forward", "backward"):
            st.set_phase(phase)
            settled(qtbot, window)
            panel = window.views_panel.size()
            first = view_sizes(window)
            kinds = {name: kind for name, (_, kind) in first.items()}
            for step in range(1, 11):
                st.set_step(step % st.n_windows)
                settled(qtbot, window)
                now = view_sizes(window)
                assert {name: kind for name, (_, kind) in now.items()} == kinds, (op, phase, step)
                if window.views_panel.size() == panel:
                    # (A step's arithmetic may take another line: then the panel and the
                    # cells change with it.)
                    assert now == first, (op, phase, step)
        assert st.resize_input(8, 8)


def _max(window) -> None:
    assert window.state.set_op("max_pool2d")


@pytest.mark.parametrize(
    "path",
    ["op round trip", "window resize", "dock open and closed", "phase change", "zoom and back"],
)
def test_a_layout_change_ends_where_a_new_window_starts(window, qtbot, path):
    """After an operation switch, a window resize, a dock, a phase change or a zoom, the
    cell sizes equal those of a window built in the final state."""
    from PySide6.QtWidgets import QDockWidget

    st = window.state
    assert st.resize_input(16, 16)
    settled(qtbot, window)
    ops = ("max_unpool2d", "conv2d", "adaptive_max_pool2d", "max_pool2d")
    if path == "op round trip":
        for op in ops:
            assert st.set_op(op)
            settled(qtbot, window)
    elif path == "window resize":
        for size in ((1024, 768), (1920, 1080), (900, 600), (1366, 768)):
            window.resize(*size)
            settled(qtbot, window)
    elif path == "dock open and closed":
        dock = window.findChild(QDockWidget, "pitfallsDock")
        dock.show()
        settled(qtbot, window)
        dock.hide()
        settled(qtbot, window)
    elif path == "phase change":
        st.set_phase("backward")
        settled(qtbot, window)
        st.set_phase("forward")
        settled(qtbot, window)
    else:
        window.set_zoom(1.5)
        settled(qtbot, window)
        window.set_zoom(1.0)
        settled(qtbot, window)
    assert not scrolled(window), scrolled(window)

    def setup(new) -> None:
        assert new.state.resize_input(16, 16)
        if path == "op round trip":  # the same state (an operation's parameters stay)
            for op in ops:
                assert new.state.set_op(op)

    assert view_sizes(window) == view_sizes(fresh(qtbot, setup))


# ---- one cell size for every table of the normal layout (issue 10, point 6) ----------------------


def tables(window) -> dict[str, int]:
    """The shown views drawn as tables, by name: their cell sizes."""
    return {
        view.objectName(): view.cell
        for view in window.views_panel.views()
        if view.isVisible() and view.stack.currentIndex() == 0
    }


def _op_keys() -> list[str]:
    from engine import OPS

    return list(OPS)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
@pytest.mark.parametrize("op", _op_keys())
def test_every_table_of_a_figure_has_one_cell_size(window, qtbot, size, op):
    """The 8×8 input's 4×4 output had 51 px cells beside the input's 31 px: pooling looked
    as if the output grew.  Every table now has the cell size at which all of them fit, in
    both phases, with every row and column in sight."""
    window.resize(*size)
    st = window.state
    assert st.set_op(op)
    for phase in ("forward", "backward"):
        st.set_phase(phase)
        settled(qtbot, window)
        cells = tables(window)
        assert len(cells) >= 2, cells
        assert len(set(cells.values())) == 1, (phase, cells)
        assert not scrolled(window), (phase, scrolled(window))
        # The largest size at which every table fits: one of them is at its own fit.
        fits = {
            view.objectName(): int(view.fit_cell())
            for view in window.views_panel.views()
            if view.objectName() in cells
        }
        assert min(fits.values()) == next(iter(cells.values())), fits


def test_a_heat_map_keeps_its_own_scale_and_does_not_shrink_the_tables(window, qtbot):
    """A 16×16 input drawn as a heat map (too small for numbers) keeps its own cell size; the
    tables share theirs, the one a window opened in that state computes."""
    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    assert st.resize_input(16, 16)
    settled(qtbot, window)
    sizes = view_sizes(window)
    heat = {name: cell for name, (cell, kind) in sizes.items() if kind == "heat"}
    assert "inputMatrix" in heat
    cells = tables(window)
    assert len(set(cells.values())) == 1
    assert min(cells.values()) > max(heat.values())
    assert sizes == view_sizes(fresh(qtbot, adaptive_16("adaptive_avg_pool2d")))

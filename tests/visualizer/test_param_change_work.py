"""A parameter change does its work once: one fit of the views, nothing redrawn that did not
change (benchmarks/gui_bench.py times it; these tests count calls and compare data, never
time or pixels)."""

from __future__ import annotations

import numpy as np
from checks import settle
from PySide6.QtWidgets import QApplication

from visualizer.widgets.matrix_view import MatrixView


def int_input(n: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(n, n)).astype(float)


def test_a_parameter_change_fits_each_view_once(window, qtbot, monkeypatch):
    """Adaptive pooling's output_size 3 -> 4 changes the columns' stretch: the fit resized
    the views, which asked for a second fit of every view (two layouts per edit)."""
    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(output_size=4)
    settle(qtbot)
    panel = window.views_panel
    fits: list[MatrixView] = []
    fit_cell = MatrixView.fit_cell

    def counted(view: MatrixView) -> float:
        fits.append(view)
        return fit_cell(view)

    monkeypatch.setattr(MatrixView, "fit_cell", counted)
    stretches = []
    for size in (3, 4, 3, 4):
        fits.clear()
        before = panel.grid.columnStretch(1)
        assert st.set_params(output_size=size)
        for _ in range(3):
            QApplication.processEvents()
        stretches.append((before, panel.grid.columnStretch(1)))
        for view in panel.views():
            if view.isVisible():
                assert fits.count(view) == 1, (size, view.objectName(), fits.count(view))
    # The case this is about: each change changed the second column's share of the width.
    assert all(before != after for before, after in stretches), stretches


def test_a_view_fitted_once_is_a_table_when_its_matrix_shrinks(window, qtbot):
    """An 8×8 output that was a 15×15 heat map: the fit turned it into a table, and the redraw
    that did it sized it at its old cell size, which made it a heat map again (with a
    close-up of cut numbers, beside a squeezed dY) until the next fit, if any came."""
    st = window.state
    assert st.set_op("avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(kernel_size=3, padding=1)
    settle(qtbot)
    st.set_step(st.n_windows + 4)  # backward: the output is whole
    settle(qtbot)
    assert st.set_params(stride=1)
    settle(qtbot)
    st.set_input(int_input(16))
    settle(qtbot)
    view = window.views_panel.output_view
    assert view.stack.currentIndex() == 1, "a 16×16 output is a heat map at 1366×768"
    assert st.set_params(stride=2)
    settle(qtbot)
    assert view.model.values.shape == (8, 8)
    assert view.stack.currentIndex() == 0, "an 8×8 output with room for numbers is a table"
    assert view.table_at(view.cell)
    assert view.magnified() is None
    np.testing.assert_allclose(view.matrix(), st.results.output[0, 0])

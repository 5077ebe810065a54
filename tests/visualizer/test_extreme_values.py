"""Huge finite values in cells never break the views (issue: 1e308 and −1e308 overflowed the
colour range and raised IndexError in the colour mapping; the views went blank)."""

from __future__ import annotations

import numpy as np

from visualizer.widgets.matrix_view import levels_for


def test_levels_stay_finite_for_the_largest_floats():
    lo, hi = levels_for(np.array([1e308, -1e308, 3.0]), False)
    assert np.isfinite(hi - lo) and lo < 3.0 < hi
    lo, hi = levels_for(np.array([1e308, 0.0]), True)
    assert np.isfinite(hi - lo) and lo == -hi


def test_huge_cells_and_gradients_draw(window, qtbot):
    st = window.state
    assert st.set_input_cell(0, 0, 1e308)
    assert st.set_input_cell(0, 1, -1e308)
    assert st.set_grad_output_cell(0, 0, 1e308)
    for step in (0, 5, st.n_windows, st.n_steps - 1):
        st.set_step(step)
        qtbot.wait(1)
        window.repaint()
    assert st.results.output[0, 0, 0, 0] == 1e308
    assert st.error is None

"""What one edit or step computes for the views, and how often (data, not timings)."""

from __future__ import annotations

import numpy as np


def test_the_step_highlight_is_made_once_per_step_and_channel(window):
    st = window.state
    st.set_op("adaptive_avg_pool2d")
    st.set_input(np.arange(64 * 64, dtype=float).reshape(64, 64) % 10)
    st.set_params(output_size=(3, 3))
    first = st.highlight()
    assert st.highlight() is first  # cells, notes, arrows and hover pairs read one record
    assert len(first.of("input")) == 22 * 22  # window [0, 22) × [0, 22)
    st.set_step(1)
    second = st.highlight()
    assert second is not first and second.output_cell == (0, 1)
    st.set_params(output_size=(4, 4))  # new results: a new record
    st.set_step(1)
    assert st.highlight() is not second
    assert len(st.highlight().of("input")) == 16 * 16

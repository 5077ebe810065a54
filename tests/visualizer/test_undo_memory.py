"""The undo history is bounded by memory (issue 8, point 6): visualizer.limits.UNDO_MAX_BYTES
of arrays, the oldest entries dropped, the newest always kept; each entry reports its size."""

from __future__ import annotations

import numpy as np

from visualizer import limits
from visualizer.data import RandomSpec
from visualizer.state import AppState


def test_an_entry_reports_the_arrays_it_holds(qapp):
    st = AppState()
    assert st.set_input(np.zeros((1, 1, 32, 32)))
    command = st.undo_stack.command(st.undo_stack.count() - 1)
    before_x = 8 * 8 * 8  # the default 8×8 input
    weight, dy_before, dy_after = st.weight.nbytes, 4 * 4 * 8, 16 * 16 * 8
    assert command.nbytes == before_x + 32 * 32 * 8 + weight + dy_before + dy_after
    # A parameter change shares every array with the entry before: counted once.
    assert st.set_params(ceil_mode=True)
    total = st.undo_bytes()
    assert total == before_x + 32 * 32 * 8 + weight + dy_before + dy_after


def test_big_matrices_keep_the_history_within_the_budget(qapp):
    """1×8×1024×1024 inputs (64 MB each): six Randomize edits would keep 7 × 64 MB."""
    st = AppState()
    assert st.set_input(np.zeros((1, 8, 1024, 1024)))
    for seed in range(6):
        assert st.randomize_input(RandomSpec("int", 0, 9, seed))
        assert st.undo_bytes() <= limits.UNDO_MAX_BYTES
    count = st.undo_stack.count()
    assert 1 <= count < 7  # the oldest entries were dropped
    # What is kept still undoes, in order, back to the oldest kept entry.
    latest = st.x
    st.undo_stack.undo()
    assert st.x is not latest and st.x.shape == (1, 8, 1024, 1024)
    st.undo_stack.redo()
    assert st.x is latest


def test_the_newest_entry_stays_even_above_the_budget(qapp, monkeypatch):
    monkeypatch.setattr(limits, "UNDO_MAX_BYTES", 100_000)
    st = AppState()
    first = st.x.copy()
    assert st.set_input(np.ones((1, 1, 64, 64)))  # 32 kB
    assert st.randomize_input(RandomSpec("int", 0, 9, 1))
    assert st.randomize_input(RandomSpec("int", 0, 9, 2))  # three 32 kB inputs + dYs: over
    assert st.undo_stack.count() < 3
    assert st.undo_bytes() <= 100_000
    assert st.set_input(np.ones((1, 1, 200, 200)))  # one entry alone: 320 kB + 320 kB
    assert st.undo_stack.count() == 1
    st.undo_stack.undo()
    assert st.x.shape == (1, 1, 64, 64)
    assert not st.undo_stack.canUndo()
    assert not np.array_equal(st.x, first)


def test_small_edits_keep_a_long_history(qapp):
    st = AppState()
    for value in range(300):  # more than the old fixed limit of 200
        assert st.set_input_cell(0, 0, float(value))
    assert st.undo_stack.count() == 300
    assert st.undo_bytes() < limits.UNDO_MAX_BYTES

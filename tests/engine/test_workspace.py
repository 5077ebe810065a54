"""engine.workspace.Scratch: arrays kept from call to call, by name, cut to a smaller shape."""

from __future__ import annotations

import threading

import numpy as np

from engine import workspace


def _in_a_fresh_thread(work):
    """Run ``work`` where the thread's kept arrays start empty; return its result."""
    out = []
    thread = threading.Thread(target=lambda: out.append(work()))
    thread.start()
    thread.join()
    return out[0]


def test_a_slightly_smaller_shape_is_cut_from_the_kept_array():
    """Bands of 31 and 29 rows share one array (each call used to replace it: page faults)."""

    def work():
        first = workspace.Scratch("test", np.float32).empty("cols", (6, 31, 126))
        first[...] = 7
        again = workspace.Scratch("test", np.float32)
        shorter = again.empty("cols", (6, 29, 126))
        zeros = again.zeros("cols", (6, 30, 126))  # new to this call: zeros, same memory
        tiny = workspace.Scratch("test", np.float32).empty("cols", (2, 3))  # < half: its own
        other = workspace.Scratch("test", np.float64).empty("cols", (6, 29, 126))
        return first, shorter, zeros, tiny, other

    first, shorter, zeros, tiny, other = _in_a_fresh_thread(work)
    assert np.shares_memory(first, shorter) and shorter.shape == (6, 29, 126)
    assert np.shares_memory(first, zeros) and not zeros.any()
    assert not np.shares_memory(first, tiny)
    assert not np.shares_memory(first, other) and other.dtype == np.float64


def test_a_larger_shape_gets_a_new_array_and_the_same_shape_the_kept_one():
    def work():
        small = workspace.Scratch("test", np.float32).empty("cols", (4, 10))
        large = workspace.Scratch("test", np.float32).empty("cols", (4, 12))
        again = workspace.Scratch("test", np.float32).empty("cols", (4, 12))
        return small, large, again

    small, large, again = _in_a_fresh_thread(work)
    assert not np.shares_memory(small, large)
    assert again is large or np.shares_memory(again, large)


def test_kept_zeros_are_never_cut_from_another_shape():
    """kept_zeros' callers rely on the elements they never write staying zero from call to
    call: a view of another shape's array (written elsewhere) would break that."""

    def work():
        big = workspace.Scratch("test", np.float32).kept_zeros("grid", (6, 31, 126))
        big[...] = 5
        small = workspace.Scratch("test", np.float32).kept_zeros("grid", (6, 29, 126))
        return big, small

    big, small = _in_a_fresh_thread(work)
    assert not np.shares_memory(big, small) and not small.any()

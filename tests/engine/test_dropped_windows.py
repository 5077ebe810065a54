"""Windows ``ceil_mode`` drops (issue 10, point 11): where they lie, worked by hand and checked
against PyTorch's output sizes, and the input view's padding ring that holds them."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from engine import trace_max_pool2d
from engine.geometry import DroppedWindow, conv_geometry, pool_geometry


def test_preset_7x6_drops_the_third_column_of_windows():
    # assets/presets/07: 2x2 windows, stride 3.  Rows: 7 -> starts 0, 3, 6 (the third is a
    # partial window ceil_mode keeps).  Columns: 6 -> starts 0, 3 and 6; 6 is outside the
    # input, so PyTorch drops it: output 3x2, and each of its three rows loses a window.
    g = pool_geometry((7, 6), 2, 3, 0, 1, True)
    assert g.out_size == (3, 2)
    assert_array_equal(g.dropped_starts(0), [])
    assert_array_equal(g.dropped_starts(1), [6])
    start, stop = g.dropped_extent(1)
    assert_array_equal(start, [6])
    assert_array_equal(stop, [8])
    assert g.dropped_windows() == [
        DroppedWindow((0, 2), range(0, 2), range(6, 8)),
        DroppedWindow((1, 2), range(3, 5), range(6, 8)),
        DroppedWindow((2, 2), range(6, 8), range(6, 8)),
    ]
    # The taps reach row 7 (the kept partial window), the dropped windows columns 6 and 7.
    assert g.canvas_pad == ((0, 1), (0, 0))
    assert g.shown_pad == ((0, 1), (0, 2))


def test_transposed_6x7_drops_the_third_row_of_windows():
    g = pool_geometry((6, 7), 2, 3, 0, 1, True)
    assert g.out_size == (2, 3)
    assert_array_equal(g.dropped_starts(0), [6])
    assert_array_equal(g.dropped_starts(1), [])
    assert [w.out_pos for w in g.dropped_windows()] == [(2, 0), (2, 1), (2, 2)]
    assert [(w.rows, w.cols) for w in g.dropped_windows()] == [
        (range(6, 8), range(0, 2)),
        (range(6, 8), range(3, 5)),
        (range(6, 8), range(6, 8)),
    ]
    assert g.shown_pad == ((0, 2), (0, 1))


def test_6x6_drops_a_row_a_column_and_their_corner():
    # 6 = 0, 3 kept, 6 dropped on both axes: 2x2 kept windows, 5 dropped (3x3 minus 2x2).
    g = pool_geometry((6, 6), 2, 3, 0, 1, True)
    assert g.out_size == (2, 2)
    assert [w.out_pos for w in g.dropped_windows()] == [(0, 2), (1, 2), (2, 0), (2, 1), (2, 2)]
    assert g.dropped_windows()[-1] == DroppedWindow((2, 2), range(6, 8), range(6, 8))
    assert g.shown_pad == ((0, 2), (0, 2))


def test_floor_mode_drops_nothing():
    g = pool_geometry((7, 6), 2, 3, 0, 1, False)
    assert g.out_size == (2, 2)
    assert g.dropped_starts(0).size == g.dropped_starts(1).size == 0
    assert g.dropped_windows() == []
    assert g.shown_pad == g.canvas_pad == ((0, 0), (0, 0))


def test_ceil_mode_that_keeps_every_window_drops_nothing():
    # 7 columns: starts 0, 3 and 6 (a partial window over column 6, kept).
    g = pool_geometry((7, 7), 2, 3, 0, 1, True)
    assert g.out_size == (3, 3)
    assert g.dropped_windows() == []
    assert g.shown_pad == g.canvas_pad == ((0, 1), (0, 1))


def test_convolution_drops_nothing():
    assert conv_geometry((7, 6), (2, 2), 3).dropped_windows() == []


def test_window_starting_in_the_right_padding_is_dropped():
    # 4 columns, padding 1, stride 5, 2 wide: padded 6, ceil((6 - 2) / 5) + 1 = 2 windows; the
    # second starts at padded column 5 = input column 4, the right padding: dropped.
    g = pool_geometry((1, 4), (1, 2), (1, 5), (0, 1), 1, True)
    assert g.out_size == (1, 1)
    assert_array_equal(g.dropped_starts(1), [4])
    assert g.dropped_windows() == [DroppedWindow((0, 1), range(0, 1), range(4, 6))]
    # The taps reach the left padding column only; the dropped window the right padding (4)
    # and one column beyond it (5).
    assert g.canvas_pad == ((0, 0), (1, 0))
    assert g.shown_pad == ((0, 0), (1, 2))


def test_window_starting_beyond_the_right_padding_is_dropped():
    # The spec's row 2 (tests/engine/test_hand_worked.py): 4 wide, k 2, s 3, p 1: padded
    # starts 0, 3 and 6; 6 - 1 = 5 is beyond the input (4) and its right padding (column 4).
    g = pool_geometry((4, 4), 2, 3, 1, 1, True)
    assert g.out_size == (2, 2)
    assert_array_equal(g.dropped_starts(1), [5])
    start, stop = g.dropped_extent(1)
    assert (start.tolist(), stop.tolist()) == ([5], [7])
    assert g.dropped_windows()[0] == DroppedWindow((0, 2), range(-1, 1), range(5, 7))
    assert g.shown_pad == ((1, 3), (1, 3))


def test_dilated_dropped_window_spans_its_dilation():
    # 5 wide, k 2, d 2 (span 3), s 5: ceil((5 - 3) / 5) + 1 = 2 windows, starts 0 and 5;
    # 5 is outside the input: dropped, its span columns 5..7 (taps 5 and 7).
    g = pool_geometry((1, 5), (1, 2), (1, 5), 0, (1, 2), True)
    assert g.out_size == (1, 1)
    assert g.dropped_windows() == [DroppedWindow((0, 1), range(0, 1), range(5, 8))]
    assert g.shown_pad == ((0, 0), (0, 3))
    # 9 wide, span 4, s 4: starts 0, 4 and 8; 8 < 9, a partial window kept: none dropped.
    g = pool_geometry((1, 9), (1, 2), (1, 4), 0, (1, 3), True)
    assert g.out_size == (1, 3) and g.dropped_windows() == []


def test_pytorch_output_size_rule():
    """Over every small setting: the kept windows are PyTorch's output, kept plus dropped the
    naive ceil((L + 2p − span) / s) + 1, and every dropped window starts at or beyond the
    input's end (outside it, or in its right padding)."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    checked = dropped = 0
    for size, k, s, d in itertools.product(range(1, 10), range(1, 5), range(1, 5), range(1, 4)):
        for p in range(k // 2 + 1):
            span = (k - 1) * d + 1
            if size + 2 * p < span:
                continue  # the window does not fit: no output
            x = torch.zeros((1, 1, 1, size), dtype=torch.float64)
            try:
                out = F.max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode=True)
            except RuntimeError:
                continue  # PyTorch refuses it (so does pool_geometry)
            g = pool_geometry((1, size), (1, k), (1, s), (0, p), (1, d), True)
            assert g.out_size[1] == out.shape[-1]
            naive = -(-(size + 2 * p - span) // s) + 1
            starts = g.dropped_starts(1)
            assert g.out_size[1] + starts.size == naive, (size, k, s, p, d)
            assert (starts >= size).all()
            assert len(g.dropped_windows()) == starts.size
            # The same without ceil_mode: PyTorch's floor output, nothing dropped.
            floor = F.max_pool2d(x, (1, k), (1, s), (0, p), (1, d), ceil_mode=False)
            g_floor = pool_geometry((1, size), (1, k), (1, s), (0, p), (1, d), False)
            assert g_floor.out_size[1] == floor.shape[-1]
            assert g_floor.dropped_windows() == []
            checked += 1
            dropped += starts.size
    assert checked > 300 and dropped > 20  # the rule was exercised, not skipped over


def test_trace_input_pad_holds_the_dropped_window():
    x = np.arange(1, 43, dtype=float).reshape(7, 6)
    trace = trace_max_pool2d(x, 2, 3, ceil_mode=True)
    assert trace.input_pad == ((0, 1), (0, 2))  # the ring the input view draws
    assert len(trace) == 6  # the dropped windows are no steps
    assert trace.output.tolist() == [[8, 11], [26, 29], [38, 41]]

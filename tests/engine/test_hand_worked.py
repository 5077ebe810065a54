"""Hand-worked cases for every operation, and every counterexample of the semantics spec.

Section numbers (§) refer to ``/work/shared/design/pytorch-semantics.md``: PyTorch 2.13's
behaviour, with the values torch itself produced.  Expected values are written out by hand
(with the arithmetic in comments), never computed by the engine under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from engine import pool_output_size
from engine.conv import conv2d, conv2d_backward
from engine.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_mask,
)

INF = math.inf
NAN = math.nan

# An 8x8 integer image whose top-left 2x2 window is the (19, 32, 4, 19) of the trace texts.
IMAGE_8X8 = np.array(
    [
        [19, 32, 7, 2, 5, 5, 10, 0],
        [4, 19, 1, 6, 5, 5, 20, 30],
        [0, 0, 9, 9, 13, 14, 1, 1],
        [0, 1, 9, 9, 15, 16, 1, 2],
        [8, 6, -3, 3, 100, 0, 7, 7],
        [2, 4, -1, 1, 1, 2, 7, 8],
        [1, 1, 1, 1, 2, 2, 50, 51],
        [1, 1, 2, 2, 2, 2, 52, 53],
    ],
    dtype=np.int64,
)


def row(values) -> np.ndarray:
    """A 1xL float64 plane: the 1-D examples of the spec as (H, W) input."""
    return np.array([values], dtype=np.float64)


# ---- the classroom examples ---------------------------------------------------------------------
class TestClassroomExamples:
    def test_mean_pool_8x8_integer_matrix(self):
        # each output is the sum of one 2x2 block divided by 4
        expected = np.array(
            [
                [19 + 32 + 4 + 19, 7 + 2 + 1 + 6, 5 + 5 + 5 + 5, 10 + 0 + 20 + 30],
                [0 + 0 + 0 + 1, 9 + 9 + 9 + 9, 13 + 14 + 15 + 16, 1 + 1 + 1 + 2],
                [8 + 6 + 2 + 4, -3 + 3 - 1 + 1, 100 + 0 + 1 + 2, 7 + 7 + 7 + 8],
                [1 + 1 + 1 + 1, 1 + 1 + 2 + 2, 2 + 2 + 2 + 2, 50 + 51 + 52 + 53],
            ]
        ) / 4  # fmt: skip
        y = avg_pool2d(IMAGE_8X8, 2)
        assert y.dtype == np.float64  # integers are averaged in float64, not truncated
        assert y.shape == (4, 4)
        assert_array_equal(y, expected)
        assert y[0, 0] == 18.5
        assert y[2, 2] == 25.75

    def test_max_pool_8x8_integer_matrix(self):
        y, idx = max_pool2d(IMAGE_8X8, 2, return_indices=True)
        assert y.dtype == np.float64
        assert_array_equal(y, [[32, 7, 5, 30], [1, 9, 16, 2], [8, 3, 100, 8], [1, 2, 2, 53]])
        # Ties go to the first in row-major order: the (5, 5, 5, 5) window picks (0, 4) = 4;
        # the (9, 9, 9, 9) window picks (2, 2) = 18.
        assert_array_equal(
            idx,
            [[1, 2, 4, 15], [25, 18, 29, 31], [32, 35, 36, 47], [48, 58, 52, 63]],
        )

    def test_arange_4x4_max_pool(self):
        x = np.arange(1, 17).reshape(4, 4)
        y, idx = max_pool2d(x, 2, return_indices=True)
        assert_array_equal(y, [[6, 8], [14, 16]])
        assert_array_equal(idx, [[5, 7], [13, 15]])
        assert idx.dtype == np.int64

    def test_arange_3x3_conv(self):
        x = np.arange(9).reshape(3, 3)
        w = np.array([[0, 1], [2, 3]])
        # [0,0]: 0·0 + 1·1 + 3·2 + 4·3 = 19 ; [0,1]: 1·0 + 2·1 + 4·2 + 5·3 = 25
        # [1,0]: 3·0 + 4·1 + 6·2 + 7·3 = 37 ; [1,1]: 4·0 + 5·1 + 7·2 + 8·3 = 43
        y = conv2d(x, w)
        assert y.shape == (2, 2)
        assert_array_equal(y, [[19, 25], [37, 43]])

    def test_edge_detection(self):
        image = np.ones((6, 8))
        image[:, 2:6] = 0  # columns 2..5 dark
        y = conv2d(image, np.array([[1.0, -1.0]]))
        # y[r, c] = x[r, c] - x[r, c + 1]: +1 where bright turns dark, -1 where dark turns bright
        assert y.shape == (6, 7)
        assert_array_equal(y, np.tile([0, 1, 0, 0, 0, -1, 0], (6, 1)))

    def test_conv_cross_correlation_does_not_flip(self):
        x = np.zeros((3, 3))
        x[1, 1] = 1.0
        w = np.arange(1.0, 10.0).reshape(3, 3)
        # An impulse read by a cross-correlation comes out with the kernel rotated by 180°.
        assert_array_equal(conv2d(x, w, padding=1), w[::-1, ::-1])

    def test_conv_bias_and_batch(self):
        x = np.arange(2 * 2 * 3 * 3, dtype=float).reshape(2, 2, 3, 3)
        w = np.ones((3, 2, 3, 3))
        w[1] *= 2
        w[2] *= -1
        b = np.array([0.5, -1.0, 10.0])
        y = conv2d(x, w, b)
        assert y.shape == (2, 3, 1, 1)
        s0 = sum(range(18))  # 153: every element of batch 0
        s1 = sum(range(18, 36))  # 477
        assert_array_equal(
            y[:, :, 0, 0],
            [[s0 + 0.5, 2 * s0 - 1, -s0 + 10], [s1 + 0.5, 2 * s1 - 1, -s1 + 10]],
        )


# ---- ranks ------------------------------------------------------------------------------------
class TestRanks:
    @pytest.mark.parametrize("shape", [(4, 4), (1, 4, 4), (1, 1, 4, 4)])
    def test_pooling_keeps_the_rank(self, shape):
        x = np.arange(1, 17, dtype=float).reshape(shape)
        out_shape = shape[:-2] + (2, 2)
        y, idx = max_pool2d(x, 2, return_indices=True)
        assert y.shape == out_shape and idx.shape == out_shape
        assert_array_equal(y.reshape(2, 2), [[6, 8], [14, 16]])
        assert avg_pool2d(x, 2).shape == out_shape
        assert_array_equal(avg_pool2d(x, 2).reshape(2, 2), [[3.5, 5.5], [11.5, 13.5]])
        g = np.ones(out_shape)
        assert max_pool2d_backward(g, x, 2).shape == shape
        assert avg_pool2d_backward(g, x, 2).shape == shape
        assert max_pool2d_mask(x, 2).counts.shape == shape

    def test_channels_and_batches_are_independent(self):
        x = np.stack([np.arange(16.0).reshape(4, 4), -np.arange(16.0).reshape(4, 4)])
        x = np.stack([x, x + 100])  # (2, 2, 4, 4)
        y, idx = max_pool2d(x, 2, return_indices=True)
        assert_array_equal(y[0, 0], [[5, 7], [13, 15]])
        assert_array_equal(y[0, 1], [[0, -2], [-8, -10]])
        assert_array_equal(y[1, 0], [[105, 107], [113, 115]])
        # indices are per plane, not global
        assert_array_equal(idx[1, 1], [[0, 2], [8, 10]])

    def test_conv_unbatched(self):
        x = np.arange(18.0).reshape(2, 3, 3)
        w = np.ones((1, 2, 2, 2))
        y = conv2d(x, w)
        assert y.shape == (1, 2, 2)
        # top-left: (0 + 1 + 3 + 4) + (9 + 10 + 12 + 13)
        assert y[0, 0, 0] == 8 + 44

    def test_dtypes(self):
        x32 = np.arange(16, dtype=np.float32).reshape(4, 4)
        assert max_pool2d(x32, 2).dtype == np.float32
        assert avg_pool2d(x32, 2).dtype == np.float32
        assert max_pool2d(x32.astype(np.float16), 2).dtype == np.float32
        assert max_pool2d(x32.astype(np.uint8), 2).dtype == np.float64
        assert max_pool2d(x32.astype(np.int32), 2).dtype == np.float64

    def test_nested_lists_are_accepted(self):
        assert_array_equal(max_pool2d([[1, 2], [3, 4]], 2), [[4]])
        assert_array_equal(avg_pool2d([[1, 2], [3, 4]], 2), [[2.5]])


# ---- §1 output size ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("L", "k", "s", "p", "d", "ceil", "expected"),
    [
        (5, 2, 2, 0, 1, False, 2),
        (5, 2, 2, 0, 1, True, 3),
        (3, 2, 3, 0, 1, True, 1),  # naive formula: 2
        (4, 2, 3, 1, 1, True, 2),  # naive formula: 3
        (6, 1, 2, 0, 1, True, 3),  # naive formula: 4 (issue #45357)
        (32, 1, 2, 0, 1, True, 16),  # issue #57178
        (2, 3, 3, 0, 1, True, 1),  # kernel larger than the input
        (2, 4, 3, 0, 1, True, 1),
        (7, 3, 2, 1, 2, False, 3),
        (2, 4, 3, 0, 1, False, 0),  # floor of a negative numerator: an error
        (1, 4, 2, 0, 1, True, 0),  # an error (issue #88464)
        (2, 3, 3, 0, 1, False, 0),  # floor mode: an error
    ],
)
def test_output_size_table(L, k, s, p, d, ceil, expected):
    assert pool_output_size(L, k, s, p, d, ceil) == expected
    x = np.zeros((3, L))  # the height axis is uneventful: k=1 there
    args = dict(kernel_size=(1, k), stride=(1, s), padding=(0, p), dilation=(1, d), ceil_mode=ceil)
    if expected < 1:
        with pytest.raises(ValueError, match="kernel_size"):
            max_pool2d(x, **args)
        return
    assert max_pool2d(x, **args).shape == (3, expected)
    # the same along the height axis
    args_t = {key: (v[1], v[0]) if isinstance(v, tuple) else v for key, v in args.items()}
    assert max_pool2d(x.T, **args_t).shape == (expected, 3)
    if d == 1:
        assert avg_pool2d(x, (1, k), (1, s), (0, p), ceil).shape == (3, expected)


# ---- §8 counterexamples -------------------------------------------------------------------------
class TestSpecCounterexamples:
    def test_row1_ceil_drops_window_starting_past_input(self):
        x = np.zeros((1, 1, 3, 3))
        assert max_pool2d(x, 2, 3, ceil_mode=True).shape == (1, 1, 1, 1)
        assert avg_pool2d(x, 2, 3, ceil_mode=True).shape == (1, 1, 1, 1)

    def test_row2_ceil_drops_window_starting_in_right_padding(self):
        x = np.zeros((1, 1, 4, 4))
        assert max_pool2d(x, 2, 3, 1, ceil_mode=True).shape == (1, 1, 2, 2)
        assert avg_pool2d(x, 2, 3, 1, ceil_mode=True).shape == (1, 1, 2, 2)

    def test_row3_floor_of_negative_numerator_is_an_error(self):
        x = np.zeros((1, 1, 2, 2))
        with pytest.raises(ValueError, match=r"kernel_size \(4\).*0x0"):
            max_pool2d(x, 4, 3)
        with pytest.raises(ValueError, match=r"kernel_size \(4\)"):
            avg_pool2d(x, 4, 3)

    def test_row4_kernel_larger_than_input_in_ceil_mode(self):
        x = np.arange(4.0).reshape(1, 1, 2, 2)
        y, idx = max_pool2d(x, 3, ceil_mode=True, return_indices=True)
        assert_array_equal(y, [[[[3.0]]]])
        assert_array_equal(idx, [[[[3]]]])
        # (0 + 1 + 2 + 3) / 4: the window is clipped to the input, no padding to count
        assert_array_equal(avg_pool2d(x, 3, ceil_mode=True), [[[[1.5]]]])
        assert_array_equal(
            avg_pool2d_backward(np.ones((1, 1, 1, 1)), x, 3, ceil_mode=True),
            np.full((1, 1, 2, 2), 0.25),
        )

    def test_row5_pad_check_uses_raw_kernel(self):
        x = np.zeros((1, 1, 4, 4))
        with pytest.raises(
            ValueError, match=r"padding \(2\) must be at most half of kernel_size \(3\)"
        ):
            max_pool2d(x, 3, 1, padding=2, dilation=2)
        # padding 1 with the same dilation is fine
        assert max_pool2d(x, 3, 1, padding=1, dilation=2).shape == (1, 1, 2, 2)

    def test_row6_first_maximum_wins(self):
        y, idx = max_pool2d([[1.0, 3.0], [3.0, 3.0]], 2, return_indices=True)
        assert_array_equal(y, [[3.0]])
        assert_array_equal(idx, [[1]])
        _, idx = max_pool2d([[5.0, 5.0], [5.0, 5.0]], 2, return_indices=True)
        assert_array_equal(idx, [[0]])

    def test_row7_nan_propagates_with_last_nan_index(self):
        y, idx = max_pool2d([[1.0, NAN], [NAN, 2.0]], 2, return_indices=True)
        assert np.isnan(y[0, 0])
        assert_array_equal(idx, [[2]])
        y, idx = max_pool2d([[NAN, 1.0, NAN]], (1, 3), return_indices=True)
        assert np.isnan(y[0, 0])
        assert_array_equal(idx, [[2]])
        # the no-indices path gives the same values
        assert np.isnan(max_pool2d([[1.0, NAN], [NAN, 2.0]], 2)[0, 0])
        # the gradient goes to the last NaN
        g = max_pool2d_backward([[5.0]], [[1.0, NAN], [NAN, 2.0]], 2)
        assert_array_equal(g, [[0, 0], [5, 0]])

    def test_row8_signed_zero(self):
        y = max_pool2d([[-0.0, 0.0]], (1, 2))
        assert y[0, 0] == 0 and math.copysign(1, y[0, 0]) == -1
        y = max_pool2d([[0.0, -0.0]], (1, 2))
        assert y[0, 0] == 0 and math.copysign(1, y[0, 0]) == 1

    def test_row9_padding_is_never_a_candidate(self):
        x = np.full((1, 1, 2, 2), -5.0)
        y, idx = max_pool2d(x, 2, 1, 1, return_indices=True)
        assert_array_equal(y, np.full((1, 1, 3, 3), -5.0))
        assert_array_equal(idx[0, 0], [[0, 0, 1], [0, 0, 1], [2, 2, 3]])

    def test_row10_index_is_relative_to_unpadded_plane(self):
        x = np.arange(20.0).reshape(1, 1, 4, 5)
        y, idx = max_pool2d(x, 3, 2, 1, return_indices=True)
        assert_array_equal(idx[0, 0], [[6, 8, 9], [16, 18, 19]])
        assert_array_equal(y[0, 0], [[6, 8, 9], [16, 18, 19]])  # arange: value == index

    def test_row10_unbatched_indices(self):
        x = np.arange(40.0).reshape(2, 4, 5)
        _, idx = max_pool2d(x, 3, 2, 1, return_indices=True)
        assert idx.shape == (2, 2, 3)
        assert_array_equal(idx[1], [[6, 8, 9], [16, 18, 19]])

    def test_row11_avg_ceil_overhang_divisor(self):
        y = avg_pool2d(row([1, 2, 3, 4]), (1, 3), (1, 2), (0, 1), ceil_mode=True)
        # windows [-1,2): (0+1+2)/3 ; [1,4): 9/3 ; [3,6) clipped at 4+1: 4/2 (naive: 4/3)
        assert_array_equal(y, [[1.0, 3.0, 2.0]])

    def test_row12_avg_ceil_without_padding(self):
        y = avg_pool2d(row([1, 2, 3, 4, 5]), (1, 2), (1, 2), ceil_mode=True)
        assert_array_equal(y, [[1.5, 3.5, 5.0]])
        y = avg_pool2d(
            row([1, 2, 3, 4, 5]), (1, 2), (1, 2), ceil_mode=True, count_include_pad=False
        )
        assert_array_equal(y, [[1.5, 3.5, 5.0]])

    def test_row13_sequential_float32_sum(self):
        x = np.array([[16777216, 1], [1, 0]], dtype=np.float32)
        y = avg_pool2d(x, 2)
        assert y.dtype == np.float32
        # 2^24 + 1 rounds back to 2^24 twice in float32; float64 accumulation gives 4194304.5
        assert y[0, 0] == np.float32(4194304.0)
        # the reordered input rounds differently, in torch too
        y = avg_pool2d(np.array([[1, 1], [16777216, 0]], dtype=np.float32), 2)
        assert y[0, 0] == np.float32(4194304.5)
        # float64 input keeps every bit
        assert avg_pool2d(x.astype(np.float64), 2)[0, 0] == 4194304.5

    def test_row14_integer_average_is_float64(self):
        # Deliberate deviation: torch truncates the int64 average to -3; the engine computes
        # every integer input in float64.
        y = avg_pool2d(np.array([[-7, -2], [-5, -1]], dtype=np.int64), 2)
        assert y.dtype == np.float64
        assert_array_equal(y, [[-3.75]])

    def test_row15_negative_divisor_override(self):
        assert_array_equal(
            avg_pool2d(row([1, 2, 3, 4]), (1, 2), divisor_override=-2), [[-1.5, -3.5]]
        )
        assert_array_equal(
            avg_pool2d(row([1, 2, 3, 4]), (1, 2), divisor_override=3), [[1.0, 7 / 3]]
        )

    def test_row16_avg_backward_accumulation_order(self):
        x = np.zeros((1, 1, 1, 3), dtype=np.float32)
        gy = np.array([[[[3 * 2**24, 3, 3]]]], dtype=np.float32)
        g = avg_pool2d_backward(gy, x, (1, 3), 1, (0, 1))
        assert g.dtype == np.float32
        # middle: 2^24 + 1 + 1 in (oh, ow) order stays 2^24 (tap order would give 16777218)
        assert_array_equal(g, np.array([[[[16777216, 16777216, 2]]]], dtype=np.float32))

    def test_row21_same_padding_pads_the_right(self):
        x = row([1, 2, 3, 4, 5])
        assert_array_equal(conv2d(x, row([1, 10]), padding="same"), [[21, 32, 43, 54, 5]])


# ---- §3 max pooling details ----------------------------------------------------------------------
class TestMaxPoolDetails:
    def test_all_minus_inf_window_points_at_first_real_tap(self):
        y, idx = max_pool2d(np.full((2, 2), -INF), 2, return_indices=True)
        assert_array_equal(y, [[-INF]])
        assert_array_equal(idx, [[0]])
        # with padding the index is still the first *real* tap
        _, idx = max_pool2d(np.full((3, 3), -INF), 2, 2, 1, return_indices=True)
        assert_array_equal(idx, [[0, 1], [3, 4]])

    def test_window_with_no_real_tap(self):
        # H = W = 1, k=2, d=2, p=1: taps at -1 and 1 (issue #114216)
        y, idx = max_pool2d([[7.0]], 2, 1, 1, 2, return_indices=True)
        assert_array_equal(y, [[-INF]])
        assert_array_equal(idx, [[2]])  # PyTorch's index, past the 1-element plane
        # the backward skips it instead of writing out of bounds
        assert_array_equal(max_pool2d_backward([[1.0]], [[7.0]], 2, 1, 1, 2), [[0.0]])

    def test_window_with_no_real_tap_does_not_alias_a_real_element(self):
        # W = 1, kW=2, dW=2, pW=1: no window reads a real element.  Torch's index
        # h0 * W + w0 = h0 + 1 lands on the element *below* the window (row h0 + 1).
        x = np.array([[0.0], [1.0], [2.0]])
        y, idx = max_pool2d(x, (1, 2), 1, (0, 1), (1, 2), return_indices=True)
        assert_array_equal(y, np.full((3, 1), -INF))
        assert_array_equal(idx, [[1], [2], [3]])  # torch 2.13's values
        # no window read any input, so no input receives a gradient or wins a window
        for ties in ("first", "all", "split"):
            g = max_pool2d_backward(np.ones((3, 1)), x, (1, 2), 1, (0, 1), (1, 2), ties=ties)
            assert_array_equal(g, np.zeros((3, 1)))
            mask = max_pool2d_mask(x, (1, 2), 1, (0, 1), (1, 2), ties=ties)
            assert not mask.winners.any()
            assert_array_equal(mask.counts, np.zeros((3, 1)))

    def test_dilation(self):
        x = np.arange(25.0).reshape(5, 5)
        y, idx = max_pool2d(x, 2, 1, dilation=2, return_indices=True)
        # taps (r, c), (r, c+2), (r+2, c), (r+2, c+2): the max is the bottom-right tap
        assert_array_equal(y, [[12, 13, 14], [17, 18, 19], [22, 23, 24]])
        assert_array_equal(idx, y)
        x = -np.arange(25.0).reshape(5, 5)
        y = max_pool2d(x, 2, 1, dilation=2)
        assert_array_equal(y, [[0, -1, -2], [-5, -6, -7], [-10, -11, -12]])

    def test_overlapping_windows_accumulate(self):
        x = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]])
        g = max_pool2d_backward(np.ones((2, 2)), x, 2, 1)
        assert_array_equal(g, [[0, 0, 0], [0, 4, 0], [0, 0, 0]])
        mask = max_pool2d_mask(x, 2, 1)
        assert_array_equal(mask.counts, [[0, 0, 0], [0, 4, 0], [0, 0, 0]])
        assert_array_equal(mask.union, x == 9)

    def test_backward_routes_to_the_argmax(self):
        x = np.arange(1.0, 17.0).reshape(4, 4)
        g = max_pool2d_backward([[1.0, 2.0], [3.0, 4.0]], x, 2)
        expected = np.zeros((4, 4))
        expected[1, 1], expected[1, 3], expected[3, 1], expected[3, 3] = 1, 2, 3, 4
        assert_array_equal(g, expected)

    @pytest.mark.parametrize(
        ("ties", "expected"),
        [
            ("first", [[0, 6], [0, 0]]),
            ("all", [[0, 6], [6, 6]]),
            ("split", [[0, 2], [2, 2]]),
        ],
    )
    def test_tie_policies(self, ties, expected):
        g = max_pool2d_backward([[6.0]], [[1.0, 3.0], [3.0, 3.0]], 2, ties=ties)
        assert_array_equal(g, expected)

    def test_tie_policies_with_overlap(self):
        x = np.array([[2.0, 2.0, 2.0]])
        # windows [0,1] and [1,2] both tie; the middle element is in both
        assert_array_equal(
            max_pool2d_backward([[1.0, 10.0]], x, (1, 2), 1, ties="first"), [[1, 10, 0]]
        )
        assert_array_equal(
            max_pool2d_backward([[1.0, 10.0]], x, (1, 2), 1, ties="all"), [[1, 11, 10]]
        )
        assert_array_equal(
            max_pool2d_backward([[1.0, 10.0]], x, (1, 2), 1, ties="split"), [[0.5, 5.5, 5]]
        )

    def test_mask_winners(self):
        x = np.array([[1.0, 3.0], [3.0, 3.0]])
        first = max_pool2d_mask(x, 2)
        assert first.winners.shape == (1, 1, 1, 1, 2, 2)
        assert_array_equal(first.winners[0, 0, 0, 0], [[False, True], [False, False]])
        assert_array_equal(first.window(0, 0), [[False, True], [False, False]])
        everyone = max_pool2d_mask(x, 2, ties="all")
        assert_array_equal(everyone.winners[0, 0, 0, 0], [[False, True], [True, True]])
        assert_array_equal(everyone.counts, [[0, 1], [1, 1]])

    def test_mask_never_marks_a_padding_tap(self):
        # A 1-wide input with padding 1: padding tap (r, 1) has the flat index r * 1 + 1 of the
        # real element (r + 1, 0), and padding tap (r, -1) that of (r - 1, 0).
        x = np.array([[0.0], [5.0]])
        mask = max_pool2d_mask(x, 2, 1, 1)
        assert mask.winners.shape == (1, 1, 3, 2, 2, 2)
        # window (0, 1) reads rows -1..0, cols 0..1: only (0, 0) is real, at tap (1, 0)
        assert_array_equal(mask.winners[0, 0, 0, 1], [[False, False], [True, False]])
        # window (1, 0) reads rows 0..1, cols -1..0: 5 at (1, 0) wins, at tap (1, 1)
        assert_array_equal(mask.winners[0, 0, 1, 0], [[False, False], [False, True]])
        # window (2, 0) reads rows 1..2, cols -1..0: (1, 0) at tap (0, 1)
        assert_array_equal(mask.winners[0, 0, 2, 0], [[False, True], [False, False]])
        assert_array_equal(mask.window(1, 1), [[False], [True]])
        assert_array_equal(mask.counts, [[2], [4]])
        assert_array_equal(mask.winners.sum(axis=(-1, -2)), np.ones((1, 1, 3, 2)))

    def test_minus_inf_input_and_padding(self):
        x = np.array([[-INF, 1.0], [2.0, -INF]])
        y, idx = max_pool2d(x, 2, 1, 1, return_indices=True)
        assert_array_equal(y, [[-INF, 1, 1], [2, 2, 1], [2, 2, -INF]])
        assert_array_equal(idx, [[0, 1, 1], [2, 2, 1], [2, 2, 3]])


# ---- §4 average pooling details ------------------------------------------------------------------
class TestAvgPoolDetails:
    @pytest.mark.parametrize(
        ("x", "args", "include", "exclude"),
        [
            (row([1, 2, 3, 4]), ((1, 3), (1, 2), (0, 1), True), [1.0, 3.0, 2.0], [1.5, 3.0, 4.0]),
            (row([1, 2, 3, 4, 5]), ((1, 2), (1, 2), 0, True), [1.5, 3.5, 5.0], [1.5, 3.5, 5.0]),
            (np.ones((1, 6)), ((1, 3), (1, 2), (0, 1), True), [2 / 3, 1, 1, 0.5], [1, 1, 1, 1]),
        ],
    )
    def test_divisor_table_rows(self, x, args, include, exclude):
        assert_array_equal(avg_pool2d(x, *args, count_include_pad=True), [include])
        assert_array_equal(avg_pool2d(x, *args, count_include_pad=False), [exclude])

    def test_divisor_table_5x5(self):
        x = np.arange(25.0).reshape(5, 5)
        expected = [[3, 5, 6.5], [13, 15, 16.5], [20.5, 22.5, 24]]
        assert_array_equal(avg_pool2d(x, 2, 2, ceil_mode=True), expected)
        assert_array_equal(avg_pool2d(x, 2, 2, ceil_mode=True, count_include_pad=False), expected)

    def test_padding_counts_unless_excluded(self):
        x = np.full((2, 2), 4.0)
        # every 2x2 window over padding 1 holds exactly one real element
        assert_array_equal(avg_pool2d(x, 2, 2, 1), np.full((2, 2), 1.0))
        assert_array_equal(avg_pool2d(x, 2, 2, 1, count_include_pad=False), np.full((2, 2), 4.0))
        assert_array_equal(avg_pool2d(x, 2, 2, 1, divisor_override=2), np.full((2, 2), 2.0))

    def test_divisor_override_ignores_count_include_pad(self):
        x = row([1, 2, 3, 4])
        for cip in (True, False):
            y = avg_pool2d(x, (1, 3), (1, 2), (0, 1), True, cip, divisor_override=2)
            assert_array_equal(y, [[3 / 2, 9 / 2, 4 / 2]])

    def test_backward_example(self):
        g = avg_pool2d_backward(np.ones((1, 3)), np.ones((1, 4)), (1, 3), (1, 2), (0, 1), True)
        # windows: [-1,2) / 3, [1,4) / 3, [3,5) / 2 ; element 3 is in the last two
        np.testing.assert_allclose(g, [[1 / 3, 2 / 3, 1 / 3, 1 / 3 + 1 / 2]], rtol=1e-15)

    def test_backward_with_exclude_and_override(self):
        x = np.ones((1, 4))
        g = avg_pool2d_backward(np.ones((1, 3)), x, (1, 3), (1, 2), (0, 1), True, False)
        np.testing.assert_allclose(g, [[1 / 2, 1 / 2 + 1 / 3, 1 / 3, 1 / 3 + 1]], rtol=1e-15)
        g = avg_pool2d_backward(
            [[1.0, 2.0, 4.0]], x, (1, 3), (1, 2), (0, 1), True, divisor_override=-2
        )
        assert_array_equal(g, [[-0.5, -0.5 - 1, -1, -1 - 2]])

    def test_backward_ignores_input_values(self):
        g1 = avg_pool2d_backward(np.ones((2, 2)), np.zeros((4, 4)), 2)
        g2 = avg_pool2d_backward(np.ones((2, 2)), np.arange(16.0).reshape(4, 4), 2)
        assert_array_equal(g1, np.full((4, 4), 0.25))
        assert_array_equal(g2, g1)


# ---- §6 convolution ------------------------------------------------------------------------------
class TestConv:
    @pytest.mark.parametrize(
        ("w", "dilation", "expected"),
        [
            ([1, 10], 1, [21, 32, 43, 54, 5]),  # pad 0 left, 1 right
            ([1, 10, 100, 1000], 1, [3210, 4321, 5432, 543, 54]),  # pad 1 left, 2 right
            ([1, 10], 3, [30, 41, 52, 3, 4]),  # total 3: pad 1 left, 2 right
            ([1, 10, 100], 1, [210, 321, 432, 543, 54]),  # odd kernel: symmetric
        ],
    )
    def test_same_padding(self, w, dilation, expected):
        y = conv2d(row([1, 2, 3, 4, 5]), row(w), padding="same", dilation=dilation)
        assert_array_equal(y, [expected])

    def test_same_padding_along_height(self):
        y = conv2d(row([1, 2, 3, 4, 5]).T, row([1, 10]).T, padding="same")
        assert_array_equal(y, [[21], [32], [43], [54], [5]])

    def test_valid_padding_is_zero(self):
        x = np.arange(12.0).reshape(3, 4)
        w = np.array([[1.0, 2.0], [3.0, 4.0]])
        assert_array_equal(conv2d(x, w, padding="valid"), conv2d(x, w, padding=0))
        assert conv2d(x, w, padding="valid").shape == (2, 3)

    def test_padding_pair_stride_and_dilation(self):
        x = np.arange(1.0, 6.0)[None]  # [[1, 2, 3, 4, 5]]
        # padding (0, 1): [0, 1, 2, 3, 4, 5, 0]; taps 0 and 2 (dilation 2); stride 2
        # windows start at 0, 2, 4: 0 + 10·2, 2 + 10·4, 4 + 10·0
        y = conv2d(x, row([1, 10]), padding=(0, 1), dilation=(1, 2), stride=(1, 2))
        assert_array_equal(y, [[20, 42, 4]])

    def test_backward_example(self):
        # §6.5: x = [1..5], w = [1, 10], b = .5, stride 2
        x, w = row([1, 2, 3, 4, 5]), row([1, 10])
        y = conv2d(x, w, 0.5, stride=2)
        assert_array_equal(y, [[21.5, 43.5]])
        gx, gw, gb = conv2d_backward(row([1, 100]), x, w, 0.5, stride=2)
        assert_array_equal(gx, [[1, 10, 100, 1000, 0]])  # the last element is in no window
        assert_array_equal(gw, [[1 * 1 + 100 * 3, 1 * 2 + 100 * 4]])
        assert gb == 101
        assert np.shape(gb) == ()

    def test_backward_example_batched(self):
        x = np.array([1.0, 2, 3, 4, 5]).reshape(1, 1, 1, 5)
        w = np.array([1.0, 10]).reshape(1, 1, 1, 2)
        gx, gw, gb = conv2d_backward(
            np.array([1.0, 100]).reshape(1, 1, 1, 2), x, w, [0.5], stride=2
        )
        assert gx.shape == (1, 1, 1, 5) and gw.shape == (1, 1, 1, 2) and gb.shape == (1,)
        assert_array_equal(gx.ravel(), [1, 10, 100, 1000, 0])
        assert_array_equal(gw.ravel(), [301, 402])
        assert_array_equal(gb, [101])

    def test_backward_without_bias(self):
        _, _, gb = conv2d_backward(np.ones((2, 2)), np.ones((3, 3)), np.ones((2, 2)))
        assert gb is None

    def test_backward_with_padding(self):
        # A 2x2 all-ones weight over a 2x2 input with padding 1 gives a 3x3 output; each input
        # element sits in 2x2 of those windows.
        gx, gw, _ = conv2d_backward(np.ones((3, 3)), np.ones((2, 2)), np.ones((2, 2)), padding=1)
        assert_array_equal(gx, np.full((2, 2), 4.0))
        # each tap reads a real element in 4 of the 9 windows
        assert_array_equal(gw, np.full((2, 2), 4.0))

    def test_groups_example(self):
        x = np.array([[[1.0]], [[2.0]]])  # (C=2, 1, 1)
        w = np.array([[[[10.0]]], [[[100.0]]]])  # (C_out=2, C_in/groups=1, 1, 1)
        y = conv2d(x, w, groups=2)
        assert_array_equal(y.ravel(), [10, 200])
        # without groups, weight of shape (2, 1, 1, 1) does not fit 2 input channels
        with pytest.raises(ValueError, match="channels"):
            conv2d(x, w)
        gx, gw, gb = conv2d_backward(np.array([[[1.0]], [[3.0]]]), x, w, [0.0, 0.0], groups=2)
        assert_array_equal(gx.ravel(), [10, 300])
        assert_array_equal(gw.ravel(), [1, 6])
        assert_array_equal(gb, [1, 3])

    def test_groups_split_channels(self):
        # 4 input channels, 2 groups, 4 output channels: outputs 0, 1 see inputs 0, 1 only
        x = np.stack([np.full((2, 2), v) for v in (1.0, 2.0, 3.0, 4.0)])
        w = np.zeros((4, 2, 1, 1))
        w[0, 0] = 1  # out 0 = in 0
        w[1, 1] = 1  # out 1 = in 1
        w[2, 0] = 1  # out 2 = in 2 (first channel of group 1)
        w[3, 0], w[3, 1] = 1, 10  # out 3 = in 2 + 10 · in 3
        y = conv2d(x, w, groups=2)
        assert_array_equal(y[:, 0, 0], [1, 2, 3, 43])

    def test_depthwise(self):
        x = np.arange(3 * 3 * 3, dtype=float).reshape(3, 3, 3)
        w = np.ones((3, 1, 3, 3))
        y = conv2d(x, w, groups=3)
        assert_array_equal(y.ravel(), [x[c].sum() for c in range(3)])

    def test_stride_larger_than_input(self):
        x = np.arange(25.0).reshape(5, 5)
        y = conv2d(x, np.ones((3, 3)), stride=10)
        assert y.shape == (1, 1)
        assert y[0, 0] == 0 + 1 + 2 + 5 + 6 + 7 + 10 + 11 + 12

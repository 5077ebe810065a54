"""Transposed convolution (engine/conv_transpose.py): hand-worked cases, the plain-loop reference
(engine/reference_transpose.py), finite differences, validation and PyTorch itself.

Section numbers (§) refer to ``/work/shared/design/pytorch-semantics.md``.  Expected values of
the hand-worked cases are written out by hand, never computed by the engine under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import (
    fast_or_discard,
    hypothesis_settings,
    numeric_gradient,
    refuses,
    transpose_params,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import engine.conv_transpose as ct
from engine import conv2d, conv2d_backward
from engine import reference_transpose as ref
from engine.conv_transpose import (
    conv_transpose2d,
    conv_transpose2d_backward,
    conv_transpose_geometry,
    conv_transpose_output_size,
)
from engine.errors import ParameterError

SETTINGS = hypothesis_settings(60)


def row(values) -> np.ndarray:
    """A 1xL float64 plane: the 1-D examples of the spec as (H, W) input."""
    return np.array([values], dtype=np.float64)


# ---- hand-worked cases ------------------------------------------------------------------------
def test_spec_example_scatter():
    """§6.6: x = [1, 2], w = [1, 10, 100], s = 2: 1·w at 0 and 2·w at 2 overlap at position 2."""
    y = conv_transpose2d(row([1, 2]), row([1, 10, 100]), stride=(1, 2))
    assert_array_equal(y, row([1, 10, 100 + 2, 20, 200]))


def test_spec_example_in_batched_form():
    x = np.array([1.0, 2.0]).reshape(1, 1, 1, 2)
    w = np.array([1.0, 10.0, 100.0]).reshape(1, 1, 1, 3)
    assert_array_equal(conv_transpose2d(x, w, stride=(1, 2)), [[[[1, 10, 102, 20, 200]]]])
    assert_array_equal(conv_transpose2d(x[0], w, stride=(1, 2)), [[[1, 10, 102, 20, 200]]])


# A 2x2 input upsampled by a 3x3 kernel with stride 2: each input element drops a scaled copy of
# the kernel at (2·ih, 2·iw); neighbouring copies overlap in the middle row and column.
X2 = np.array([[1.0, 2.0], [3.0, 4.0]])
K3 = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
FULL_5X5 = np.array(
    [
        # row 0: 1·K[0] at cols 0-2, 2·K[0] at cols 2-4  -> [1, 2, 3+2, 4, 6]
        [1, 2, 5, 4, 6],
        # row 1: 1·K[1], 2·K[1]                            -> [4, 5, 6+8, 10, 12]
        [4, 5, 14, 10, 12],
        # row 2: 1·K[2] + 3·K[0] at cols 0-2, 2·K[2] + 4·K[0] at cols 2-4
        #        -> [7+3, 8+6, 9+14+9+4, 16+8, 18+12]
        [10, 14, 36, 24, 30],
        # row 3: 3·K[1], 4·K[1]                            -> [12, 15, 18+16, 20, 24]
        [12, 15, 34, 20, 24],
        # row 4: 3·K[2], 4·K[2]                            -> [21, 24, 27+28, 32, 36]
        [21, 24, 55, 32, 36],
    ],
    dtype=np.float64,
)


def test_two_by_two_upsampled_by_three_by_three_stride_two():
    # (2 − 1)·2 − 0 + 1·(3 − 1) + 0 + 1 = 5
    assert_array_equal(conv_transpose2d(X2, K3, stride=2), FULL_5X5)


def test_padding_crops_and_output_padding_extends_the_bottom_right():
    # padding 1 removes one row/column from every border of the full 5x5 result
    assert_array_equal(conv_transpose2d(X2, K3, stride=2, padding=1), FULL_5X5[1:4, 1:4])
    # output_padding 1 then adds back the last row and column only
    assert_array_equal(
        conv_transpose2d(X2, K3, stride=2, padding=1, output_padding=1), FULL_5X5[1:5, 1:5]
    )


def test_output_padding_rows_that_no_tap_reaches_get_only_the_bias():
    # 1x1 input, 1x1 kernel, stride 2, output_padding 1: a 2x2 output, one cell reached
    y = conv_transpose2d([[3.0]], [[2.0]], 0.5, stride=2, output_padding=1)
    assert_array_equal(y, [[3 * 2 + 0.5, 0.5], [0.5, 0.5]])


def test_bias_and_groups():
    """§6.1's groups example, transposed: channel 0 feeds only output channel 0."""
    x = np.array([[[[1.0]], [[2.0]]]])  # (1, 2, 1, 1)
    w = np.array([[[[10.0]]], [[[100.0]]]])  # (C_in=2, C_out/groups=1, 1, 1)
    y = conv_transpose2d(x, w, np.array([0.5, -1.0]), groups=2)
    assert_array_equal(y, [[[[1 * 10 + 0.5]], [[2 * 100 - 1.0]]]])
    # without groups every input channel feeds the single output channel
    assert_array_equal(conv_transpose2d(x, w.reshape(2, 1, 1, 1)), [[[[1 * 10 + 2 * 100]]]])


def test_dilation_spreads_the_kernel():
    # taps at 0 and 2 (dilation 2): x = [1, 2], w = [1, 10] -> [1, 2, 10, 20]
    assert_array_equal(
        conv_transpose2d(row([1, 2]), row([1, 10]), dilation=(1, 2)), row([1, 2, 10, 20])
    )


@pytest.mark.parametrize(
    ("k", "s", "p", "op", "expected"),
    [(3, 2, 1, 0, 5), (3, 2, 1, 1, 6), (3, 1, 1, 0, 3)],  # §6.6 "Sizes for H=3"
)
def test_spec_output_sizes(k, s, p, op, expected):
    assert conv_transpose_output_size(3, k, s, p, op, 1) == expected
    y = conv_transpose2d(np.zeros((1, 1, 3, 3)), np.zeros((1, 1, k, k)), None, s, p, op)
    assert y.shape == (1, 1, expected, expected)


def test_spec_row_23_output_padding_below_dilation():
    """§8 row 23: op = 1 with stride 1 is allowed when dilation is 2 (8x8); refused with 1."""
    x, w = np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3))
    # (3 − 1)·1 − 0 + 2·(3 − 1) + 1 + 1 = 8
    assert conv_transpose2d(x, w, stride=1, output_padding=1, dilation=2).shape == (1, 1, 8, 8)
    with pytest.raises(ParameterError, match=r"output_padding \(1\) must be smaller than either"):
        conv_transpose2d(x, w, stride=1, output_padding=1, dilation=1)


def test_output_padding_is_checked_per_axis():
    x, w = np.zeros((1, 1, 3, 3)), np.zeros((1, 1, 3, 3))
    # height: 1 < stride 2; width: 1 < dilation 2 -> fine
    y = conv_transpose2d(x, w, stride=(2, 1), output_padding=1, dilation=(1, 2))
    assert y.shape == (1, 1, 8, 8)
    # height: 1 is neither < stride 1 nor < dilation 1
    with pytest.raises(ParameterError, match="output_padding"):
        conv_transpose2d(x, w, stride=(1, 2), output_padding=1, dilation=(1, 1))


def test_spec_backward_example_is_a_transposed_convolution():
    """§6.5: x = [1..5], w = [1, 10], s = 2, dY = [1, 100] gives dX = [1, 10, 100, 1000, 0];
    the uncovered last input needs output_padding = 5 − ((2 − 1)·2 + 1·(2 − 1) + 1) = 1."""
    dx = conv_transpose2d(row([1, 100]), row([1, 10]), stride=(1, 2), output_padding=(0, 1))
    assert_array_equal(dx, row([1, 10, 100, 1000, 0]))
    gx, gw, gb = conv_transpose2d_backward(
        row([5, 6, 7, 8, 9]), row([1, 100]), row([1, 10]), 0.5, (1, 2), 0, (0, 1)
    )
    # dX of the transpose is a convolution of dY: [5·1 + 6·10, 7·1 + 8·10]
    assert_array_equal(gx, row([65, 87]))
    # dW[j] = Σ x[i] · dY[2i + j]: [1·5 + 100·7, 1·6 + 100·8]
    assert_array_equal(gw, row([705, 806]))
    assert gb == 5 + 6 + 7 + 8 + 9


def test_integers_are_computed_in_float64():
    y = conv_transpose2d(np.array([[1, 2]]), np.array([[1, 10, 100]]), stride=(1, 2))
    assert y.dtype == np.float64
    assert_array_equal(y, row([1, 10, 102, 20, 200]))


def test_float32_stays_float32():
    x = np.ones((1, 2, 3, 3), np.float32)
    w = np.ones((2, 1, 2, 2), np.float32)
    assert conv_transpose2d(x, w, stride=2).dtype == np.float32
    gx, gw, _ = conv_transpose2d_backward(np.ones((1, 1, 6, 6), np.float32), x, w, stride=2)
    assert gx.dtype == gw.dtype == np.float32


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_non_finite_weights_reach_only_where_they_land():
    """A weight of inf must not leak into cells its tap never reaches (PyTorch: [inf, inf, 2])."""
    assert_array_equal(conv_transpose2d(row([1, 2]), row([np.inf, 1])), row([np.inf, np.inf, 2]))


# ---- the transposed convolution is the gradient of conv2d ----------------------------------------
CONV_CASES = [
    # (x shape, conv2d weight shape, stride, padding, dilation, groups)
    ((1, 2, 5, 5), (3, 2, 3, 3), 1, 0, 1, 1),
    ((2, 4, 7, 6), (4, 2, 2, 3), (2, 1), 1, 1, 2),
    ((1, 1, 7, 7), (2, 1, 3, 2), 3, (2, 1), 2, 1),  # uncovered rows: output_padding 2
    ((1, 4, 9, 8), (2, 2, 2, 2), 2, 0, (2, 1), 2),
    ((3, 6, 6), (3, 1, 3, 3), 2, 1, (1, 2), 3),  # depthwise, unbatched
    ((1, 2, 6, 5), (2, 2, 1, 1), (3, 2), 0, 1, 1),  # 1x1 kernel, stride leaves gaps
]


def _uncovered(size: int, out: int, k: int, s: int, p: int, d: int) -> int:
    """§6.5: the trailing input rows no window covers, the output_padding that restores them."""
    return size - ((out - 1) * s - 2 * p + d * (k - 1) + 1)


@pytest.mark.parametrize(("x_shape", "w_shape", "s", "p", "d", "g"), CONV_CASES)
def test_conv_transpose_equals_conv2d_input_gradient(x_shape, w_shape, s, p, d, g):
    rng = np.random.default_rng(10)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    dy = rng.standard_normal(conv2d(x, w, None, s, p, d, g).shape)
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    (sh, sw), (ph, pw), (dh, dw) = pair(s), pair(p), pair(d)
    opad = (
        _uncovered(x_shape[-2], dy.shape[-2], w_shape[-2], sh, ph, dh),
        _uncovered(x_shape[-1], dy.shape[-1], w_shape[-1], sw, pw, dw),
    )
    expected = conv2d_backward(dy, x, w, None, s, p, d, g)[0]
    got = conv_transpose2d(dy, w, stride=s, padding=p, output_padding=opad, groups=g, dilation=d)
    assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # ... and the transpose's own input gradient is conv2d again
    gx = conv_transpose2d_backward(x, dy, w, None, s, p, opad, g, d)[0]
    assert_allclose(gx, conv2d(x, w, None, s, p, d, g), rtol=1e-12, atol=1e-12)


# ---- vs the plain-loop reference ----------------------------------------------------------------
def pair_or_int(low: int, high: int):
    v = st.integers(low, high)
    return st.one_of(v, st.tuples(v), st.tuples(v, v))


@st.composite
def transpose_cases(draw, finite: bool = True):
    """Shapes and parameters, valid or not (output_padding and padding may be too large)."""
    rank = draw(st.sampled_from([2, 3, 4, 4]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    if rank == 2:
        groups, x_shape, w_shape = 1, (h, w), (kh, kw)
    else:
        groups = draw(st.integers(1, 2))
        c_in = groups * draw(st.integers(1, 2))
        c_out_g = draw(st.integers(1, 2))
        x_shape = (c_in, h, w) if rank == 3 else (draw(st.integers(1, 2)), c_in, h, w)
        w_shape = (c_in, c_out_g, kh, kw)
    kind = draw(st.sampled_from(["normal", "integer", "float32"]))
    if kind == "integer":
        x = rng.integers(-3, 4, size=x_shape)
        weight = rng.integers(-3, 4, size=w_shape)
    else:
        x, weight = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
        if kind == "float32":
            x, weight = x.astype(np.float32), weight.astype(np.float32)
    c_out = 1 if rank == 2 else w_shape[1] * groups
    bias = rng.standard_normal(c_out) if draw(st.booleans()) else None
    if bias is not None and rank == 2:
        bias = float(bias[0])
    params = draw(transpose_params(pair_or_int, groups, padding=3, dilation=2))
    return x, weight, bias, params, rng


@SETTINGS
@given(case=transpose_cases())
def test_matches_the_reference(case):
    x, w, b, params, rng = case
    y = fast_or_discard(
        lambda: conv_transpose2d(x, w, b, **params),
        lambda: ref.conv_transpose2d(x, w, b, **params),
        ParameterError,
    )
    expected = ref.conv_transpose2d(x, w, b, **params)
    assert y.shape == expected.shape
    tol = 1e-5 if y.dtype == np.float32 else 1e-12
    assert_allclose(y, expected, rtol=tol, atol=tol)
    gy = rng.standard_normal(y.shape).astype(y.dtype)
    got = conv_transpose2d_backward(gy, x, w, b, **params)
    want = ref.conv_transpose2d_backward(gy, x, w, b, **params)
    for a, e in zip(got[:2], want[:2], strict=True):
        assert a.shape == e.shape
        assert_allclose(a, e, rtol=tol, atol=tol)
    if b is None:
        assert got[2] is None
    else:
        assert_allclose(got[2], want[2], rtol=tol, atol=tol)
        assert np.shape(got[2]) == np.shape(b)


@pytest.mark.parametrize("budget", [1, 37, 400])
def test_small_column_budgets_give_the_same_result(monkeypatch, budget):
    """Row bands of a sample, and several samples per product, agree with one big product."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 4, 6, 5))
    w = rng.standard_normal((4, 3, 3, 2))
    params = dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2))
    y = conv_transpose2d(x, w, None, **params)
    gy = rng.standard_normal(y.shape)
    grads = conv_transpose2d_backward(gy, x, w, None, **params)
    monkeypatch.setattr(ct, "COLUMN_BUDGET", budget)
    monkeypatch.setattr(ct, "BACKWARD_COLUMN_BUDGET", budget)
    assert_allclose(conv_transpose2d(x, w, None, **params), y, rtol=1e-13, atol=1e-13)
    for a, e in zip(
        conv_transpose2d_backward(gy, x, w, None, **params)[:2], grads[:2], strict=True
    ):
        assert_allclose(a, e, rtol=1e-13, atol=1e-13)
    assert_allclose(ref.conv_transpose2d(x, w, None, **params), y, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("budget", [1, 50, 1 << 18])
def test_backward_pieces_of_one_sample_several_samples_and_bands(monkeypatch, budget):
    """The backward's pieces: bands of one sample (its columns and dX are views of x and
    grad_input rows), whole samples alone, several samples (x and dX copied): all equal the
    reference, with groups, dilation and output_padding, in float32 and float64."""
    monkeypatch.setattr(ct, "BACKWARD_COLUMN_BUDGET", budget)
    rng = np.random.default_rng(12)
    params = dict(stride=(2, 3), padding=(2, 1), output_padding=(1, 0), groups=2, dilation=(2, 1))
    for dtype, tol in ((np.float64, 1e-12), (np.float32, 1e-5)):
        for n in (1, 3):
            x = rng.standard_normal((n, 4, 7, 5)).astype(dtype)
            w = rng.standard_normal((4, 3, 3, 2)).astype(dtype)
            b = rng.standard_normal(6).astype(dtype)
            gy = rng.standard_normal(conv_transpose2d(x, w, b, **params).shape).astype(dtype)
            got = conv_transpose2d_backward(gy, x, w, b, **params)
            want = ref.conv_transpose2d_backward(gy, x, w, b, **params)
            for a, e in zip(got, want, strict=True):
                assert a.dtype == dtype
                assert_allclose(a, e, rtol=tol, atol=tol)


@SETTINGS
@given(case=transpose_cases(), budget=st.sampled_from([1, 30, 200, 1 << 18]))
def test_backward_pieces_match_the_reference_on_random_geometries(case, budget):
    """Every piece shape of the backward (row bands, one sample, several samples) on random
    stride, padding, dilation, output_padding, groups, ranks and dtypes."""
    x, w, b, params, rng = case
    try:
        y = conv_transpose2d(x, w, b, **params)
    except ParameterError:
        assume(False)
    gy = rng.standard_normal(y.shape).astype(y.dtype)
    want = ref.conv_transpose2d_backward(gy, x, w, b, **params)
    saved = ct.BACKWARD_COLUMN_BUDGET
    ct.BACKWARD_COLUMN_BUDGET = budget  # not monkeypatch: hypothesis reruns the body
    try:
        got = conv_transpose2d_backward(gy, x, w, b, **params)
    finally:
        ct.BACKWARD_COLUMN_BUDGET = saved
    tol = 1e-5 if y.dtype == np.float32 else 1e-12
    for a, e in zip(got, want, strict=True):
        if e is None:
            assert a is None
            continue
        assert np.shape(a) == np.shape(e)
        assert_allclose(a, e, rtol=tol, atol=tol)


def test_backward_after_another_geometry_of_the_same_buffer_shapes():
    """Kept scratch (grad_output's phase grids, whose zero borders are written once) must not
    carry one call's values into another: between two calls of one geometry, a call whose
    grids have the same shapes but its cells elsewhere, with huge and NaN gradients."""
    rng = np.random.default_rng(13)
    x = rng.standard_normal((2, 2, 6, 6))
    w = rng.standard_normal((2, 2, 3, 3))
    # padding 1 vs 0 with output_padding: same layout spans, cells shifted by one
    a = dict(stride=2, padding=1, output_padding=1)
    b = dict(stride=2, padding=0, output_padding=0)
    gy_a = rng.standard_normal(conv_transpose2d(x, w, None, **a).shape)
    want = ref.conv_transpose2d_backward(gy_a, x, w, None, **a)
    first = conv_transpose2d_backward(gy_a, x, w, None, **a)
    gy_b = np.full(conv_transpose2d(x, w, None, **b).shape, 1e300)
    gy_b[..., ::3] = np.nan
    with np.errstate(invalid="ignore", over="ignore"):
        conv_transpose2d_backward(gy_b, x, w, None, **b)
    again = conv_transpose2d_backward(gy_a, x, w, None, **a)
    for f, g, e in zip(first, again, want, strict=True):
        if e is None:
            continue
        assert_array_equal(g, f)
        assert_allclose(g, e, rtol=1e-12, atol=1e-12)


def test_kept_zeros_are_zeroed_once_per_array():
    """Scratch.kept_zeros: zeros when made, then as left, per name and shape."""
    from engine.workspace import Scratch

    first = Scratch("test_kept_zeros", np.float64).kept_zeros("a", (3, 4))
    assert_array_equal(first, np.zeros((3, 4)))
    first[1, 2] = 7.0
    again = Scratch("test_kept_zeros", np.float64).kept_zeros("a", (3, 4))
    assert again is first and again[1, 2] == 7.0  # kept, not zeroed again
    other = Scratch("test_kept_zeros", np.float64).kept_zeros("b", (3, 4))
    assert_array_equal(other, np.zeros((3, 4)))
    reshaped = Scratch("test_kept_zeros", np.float64).kept_zeros("a", (4, 3))
    assert_array_equal(reshaped, np.zeros((4, 3)))  # a new shape: a new, zeroed array


def test_geometry_lists_where_each_input_element_lands():
    """conv_transpose_geometry is the conv2d read backwards: window (ih, iw) = scatter targets."""
    g = conv_transpose_geometry((3, 4), (2, 3), (2, 1), (1, 0), (1, 0), (1, 2))
    out = (
        conv_transpose_output_size(3, 2, 2, 1, 1, 1),
        conv_transpose_output_size(4, 3, 1, 0, 0, 2),
    )
    assert g.in_size == out and g.out_size == (3, 4)
    for ih in range(3):
        for iw in range(4):
            x = np.zeros((3, 4))
            x[ih, iw] = 1.0
            y = conv_transpose2d(
                x,
                np.ones((2, 3)),
                stride=(2, 1),
                padding=(1, 0),
                output_padding=(1, 0),
                dilation=(1, 2),
            )
            landed = {(r, c) for _, _, r, c in g.window_taps(ih, iw) if g.classify(r, c) == "input"}
            assert landed == set(zip(*np.nonzero(y), strict=True))


# ---- finite differences --------------------------------------------------------------------------
# (checks.numeric_gradient: central differences, EPS = 1e-4)


GRADIENT_CASES = [
    # (x shape, weight shape, stride, padding, output_padding, groups, dilation, bias)
    ((2, 2), (3, 3), 2, 0, 0, 1, 1, "scalar"),  # the teaching form
    ((1, 2, 3, 3), (2, 3, 3, 3), 2, 1, 1, 1, 1, "array"),
    ((2, 4, 3, 2), (4, 1, 2, 3), (1, 2), (0, 1), (0, 1), 2, (2, 1), "none"),
    ((3, 2, 4), (3, 2, 1, 2), 3, 0, 2, 1, 1, "array"),  # gaps between the copies
    ((1, 1, 2, 3), (1, 2, 3, 2), 1, (2, 1), (1, 0), 1, (2, 1), "array"),  # op < dilation only
]


@pytest.mark.parametrize(("x_shape", "w_shape", "s", "p", "op", "g", "d", "bias"), GRADIENT_CASES)
def test_gradients_by_finite_differences(x_shape, w_shape, s, p, op, g, d, bias):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    c_out = 1 if len(w_shape) == 2 else w_shape[1] * g
    b = {"none": None, "array": rng.standard_normal(c_out), "scalar": np.float64(0.3)}[bias]
    params = dict(stride=s, padding=p, output_padding=op, groups=g, dilation=d)
    g_out = rng.standard_normal(conv_transpose2d(x, w, b, **params).shape)
    gx, gw, gb = conv_transpose2d_backward(g_out, x, w, b, **params)

    def check(loss, at, analytic):
        assert analytic.shape == np.shape(at)
        assert_allclose(analytic, numeric_gradient(loss, np.asarray(at)), rtol=1e-7, atol=1e-7)

    check(lambda xx: np.sum(conv_transpose2d(xx, w, b, **params) * g_out), x, gx)
    check(lambda ww: np.sum(conv_transpose2d(x, ww, b, **params) * g_out), w, gw)
    if b is None:
        assert gb is None
    else:
        check(lambda bb: np.sum(conv_transpose2d(x, w, bb, **params) * g_out), b, np.asarray(gb))


# ---- validation ----------------------------------------------------------------------------------
X = np.zeros((1, 4, 3, 3))
W = np.zeros((4, 3, 3, 3))

REJECTIONS = [
    # (call, fragments the message must contain)
    (lambda: conv_transpose2d(X, W, stride=0), ["stride (0)", "greater than zero"]),
    (lambda: conv_transpose2d(X, W, stride=(1, -1)), ["stride (1, -1)", "greater than zero"]),
    (lambda: conv_transpose2d(X, W, dilation=0), ["dilation (0)", "greater than zero"]),
    (lambda: conv_transpose2d(X, W, padding=-1), ["padding (-1)", "non-negative"]),
    (
        lambda: conv_transpose2d(X, W, stride=2, output_padding=-1),
        ["output_padding (-1)", "non-negative"],
    ),
    (
        lambda: conv_transpose2d(X, W, stride=2, output_padding=2),
        ["output_padding (2)", "smaller than either stride (2) or dilation (1)"],
    ),
    (
        lambda: conv_transpose2d(X, W, stride=(2, 1), output_padding=(1, 1), dilation=(2, 1)),
        ["output_padding (1)", "stride (2, 1)", "dilation (2, 1)"],
    ),
    (lambda: conv_transpose2d(X, W, padding="same"), ["padding ('same')", "no 'same' or 'valid'"]),
    (lambda: conv_transpose2d(X, W, padding="valid"), ["padding ('valid')"]),
    (lambda: conv_transpose2d(X, W, stride=1.5), ["stride", "1.5", "pair of ints"]),
    (lambda: conv_transpose2d(X, W, output_padding=(1, 2, 3)), ["output_padding", "(1, 2, 3)"]),
    (lambda: conv_transpose2d(X, W, groups=0), ["groups (0)", "positive int"]),
    (lambda: conv_transpose2d(X, W, groups=1.0), ["groups (1.0)", "positive int"]),
    (lambda: conv_transpose2d(X, W, groups=3), ["groups (3)", "divide", "weight.shape[0] = 4"]),
    (
        lambda: conv_transpose2d(X, np.zeros((3, 3, 3, 3))),
        ["x has 4 channels", "(3, 3, 3, 3)", "expects 3"],
    ),
    (lambda: conv_transpose2d(X, W, np.zeros(4)), ["bias", "per output channel (3)", "(4,)"]),
    (lambda: conv_transpose2d(X, W, np.zeros((1, 3))), ["bias", "(1, 3)"]),
    (lambda: conv_transpose2d(X[:, :1], W[:1, :1], np.float64(0.5)), ["bias", "shape ()"]),
    (lambda: conv_transpose2d(X, np.zeros((4, 3, 3))), ["weight must have shape", "(4, 3, 3)"]),
    (lambda: conv_transpose2d(X, np.zeros((4, 0, 3, 3))), ["empty dimension", "(4, 0, 3, 3)"]),
    (lambda: conv_transpose2d(np.zeros((3, 3)), W), ["weight must be 2-D", "(4, 3, 3, 3)"]),
    (lambda: conv_transpose2d(np.zeros((5, 3, 3, 3, 3)), W), ["x must have shape"]),
    (lambda: conv_transpose2d(X.astype(bool), W), ["x must hold real numbers", "bool"]),
    (
        # (3 − 1)·1 − 2·3 + 1·(3 − 1) + 0 + 1 = -1
        lambda: conv_transpose2d(X, W, padding=3),
        ["output would be -1x-1", "padding (3)", "3x3 input", "= -1"],
    ),
    (
        # width: (1 − 1)·2 − 2·1 + 1·(1 − 1) + 1 + 1 = 0
        lambda: conv_transpose2d(
            np.zeros((1, 1)), np.zeros((1, 1)), stride=2, padding=(0, 1), output_padding=1
        ),
        ["output would be 2x0", "width", "= 0"],
    ),
    (
        lambda: conv_transpose2d_backward(np.zeros((1, 3, 4, 4)), X, W),
        ["grad_output shape (1, 3, 4, 4)", "(1, 3, 5, 5)"],
    ),
    (lambda: conv_transpose2d_backward(np.zeros((5, 5), bool), X[0, 0], W[0, 0]), ["grad_output"]),
]


@pytest.mark.parametrize(("call", "fragments"), REJECTIONS)
def test_rejections_name_the_parameter_value_and_rule(call, fragments):
    err = refuses(call, *fragments, error=ParameterError)
    message = str(err)
    assert err.template.format(**err.fields) == message  # a template with its fields


def test_output_padding_error_carries_its_fields():
    with pytest.raises(ParameterError) as info:
        conv_transpose2d(X, W, stride=2, output_padding=2)
    assert info.value.template == (
        "output_padding ({output_padding}) must be smaller than either stride ({stride}) "
        "or dilation ({dilation})"
    )
    assert info.value.fields == {"output_padding": "2", "stride": "2", "dilation": "1"}


# ---- PyTorch -------------------------------------------------------------------------------------
@SETTINGS
@given(case=transpose_cases())
def test_matches_torch_values_gradients_and_decisions(case):
    """float64: the same accept/refuse decision, values and gradients to 1e-10 (spec §6.7)."""
    torch = pytest.importorskip("torch")
    x, w, b, params, rng = case
    x, w = np.asarray(x, np.float64), np.asarray(w, np.float64)
    if x.ndim == 2:  # torch has no teaching form
        x, w = x[None, None], w[None, None]
        b = None if b is None else np.array([b])
    tx = torch.tensor(x, requires_grad=True)
    tw = torch.tensor(w, requires_grad=True)
    tb = None if b is None else torch.tensor(b, requires_grad=True)
    y = fast_or_discard(
        lambda: conv_transpose2d(x, w, b, **params),
        lambda: torch.nn.functional.conv_transpose2d(tx, tw, tb, **params),
        ParameterError,
        (RuntimeError, ValueError, TypeError),
    )
    ty = torch.nn.functional.conv_transpose2d(tx, tw, tb, **params)
    assert y.shape == tuple(ty.shape)
    assert_allclose(y, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    gy = rng.standard_normal(y.shape)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = conv_transpose2d_backward(gy, x, w, b, **params)
    assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-10)
    if b is not None:
        assert_allclose(gb, tb.grad.numpy(), rtol=1e-10, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(case=transpose_cases())
def test_matches_torch_in_float32(case):
    """float32 is not bit-reproducible (spec §6.7): compare relative to Σ|x·w|."""
    torch = pytest.importorskip("torch")
    x, w, _, params, _ = case
    if np.ndim(x) == 2:
        x, w = np.asarray(x)[None, None], np.asarray(w)[None, None]
    x32, w32 = np.asarray(x, np.float32), np.asarray(w, np.float32)
    try:
        y = conv_transpose2d(x32, w32, None, **params)
    except ParameterError:
        assume(False)
    assert y.dtype == np.float32
    ty = torch.nn.functional.conv_transpose2d(torch.tensor(x32), torch.tensor(w32), None, **params)
    scale = conv_transpose2d(
        np.abs(x32).astype(np.float64), np.abs(w32).astype(np.float64), None, **params
    )
    assert np.all(np.abs(y - ty.numpy()) <= 1e-5 * (1 + scale))


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(case=transpose_cases(), seed=st.integers(0, 2**32 - 1))
def test_non_finite_values_match_torch_float64(case, seed):
    """inf and NaN in x, weight and grad_output land where PyTorch's float64 path puts them
    (its forward never reaches cells a tap does not land on; its input gradient multiplies the
    cropped border's zeros, so 0·inf = NaN there, as here)."""
    torch = pytest.importorskip("torch")
    x, w, b, params, _ = case
    if np.ndim(x) == 2:
        x, w, b = np.asarray(x)[None, None], np.asarray(w)[None, None], None
    rng = np.random.default_rng(seed)
    special = np.array([np.inf, -np.inf, np.nan, 0.0])

    def sprinkle(a):
        a = np.array(a, dtype=np.float64)
        hit = rng.random(a.shape) < 0.2
        a[hit] = special[rng.integers(0, 4, hit.sum())]
        return a

    x, w = sprinkle(x), sprinkle(w)
    try:
        y = conv_transpose2d(x, w, b, **params)
    except ParameterError:
        assume(False)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    tb = None if b is None else torch.tensor(b)
    ty = torch.nn.functional.conv_transpose2d(tx, tw, tb, **params)
    assert_allclose(y, ty.detach().numpy(), rtol=1e-10, atol=1e-10)  # equal_nan by default
    gy = sprinkle(np.ones(y.shape))
    ty.backward(torch.tensor(gy))
    gx, gw, _ = conv_transpose2d_backward(gy, x, w, b, **params)
    assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_teaching_form_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((4, 3)), rng.standard_normal((2, 3))
    y = conv_transpose2d(x, w, 0.5, stride=(2, 1), padding=(0, 1), output_padding=(1, 0))
    ty = torch.nn.functional.conv_transpose2d(
        torch.tensor(x)[None, None],
        torch.tensor(w)[None, None],
        torch.tensor([0.5], dtype=torch.float64),
        (2, 1),
        (0, 1),
        (1, 0),
    )
    assert_allclose(y, ty[0, 0].numpy(), rtol=1e-12)

"""Adaptive average and max pooling (engine/adaptive.py): hand-worked cases, the plain loops of
engine/reference_adaptive.py, finite differences, validation, and PyTorch (skipped without it).

Spec: /work/shared/design/pytorch-semantics.md §5.2 and §8 rows 17-18.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import (
    assert_every_rule_exercised,
    check_gradient,
    check_structured_error,
    distinct_values,
    hypothesis_settings,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from engine import adaptive, pooling
from engine import reference_adaptive as reference
from engine.adaptive import (
    adaptive_avg_pool2d,
    adaptive_avg_pool2d_backward,
    adaptive_bins,
    adaptive_max_pool2d,
    adaptive_max_pool2d_backward,
    adaptive_output_size,
)
from engine.errors import ParameterError

# inf - inf inside a bin is NaN, as in torch; NumPy warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

SETTINGS = hypothesis_settings(60)
TIES = ["first", "all", "split"]


# ---- bins ---------------------------------------------------------------------------------------
def bin_list(in_size, out_size):
    start, stop = adaptive_bins(in_size, out_size)
    return [(int(a), int(b)) for a, b in zip(start, stop, strict=True)]


def test_bins_5_to_3_overlap():
    assert bin_list(5, 3) == [(0, 2), (1, 4), (3, 5)]


def test_bins_3_to_5_repeat():
    assert bin_list(3, 5) == [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3)]


def test_bins_divisible_tile_the_axis():
    assert bin_list(6, 3) == [(0, 2), (2, 4), (4, 6)]
    assert bin_list(7, 1) == [(0, 7)]
    assert bin_list(4, 4) == [(0, 1), (1, 2), (2, 3), (3, 4)]


def test_bins_zero_outputs():
    start, stop = adaptive_bins(4, 0)
    assert start.shape == stop.shape == (0,)


@given(in_size=st.integers(1, 60), out_size=st.integers(1, 60))
@settings(max_examples=100, deadline=None)
def test_bins_are_floor_and_ceil(in_size, out_size):
    start, stop = adaptive_bins(in_size, out_size)
    for o in range(out_size):
        assert start[o] == (o * in_size) // out_size  # floor(o·I/O)
        assert stop[o] == -((-(o + 1) * in_size) // out_size)  # ceil((o+1)·I/O)
    assert start[0] == 0 and stop[-1] == in_size
    assert (stop > start).all()
    covered = np.zeros(in_size, dtype=bool)
    for a, b in zip(start, stop, strict=True):
        covered[a:b] = True
    assert covered.all()


# ---- hand-worked: average --------------------------------------------------------------------
def test_global_average_of_4x4():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    assert_array_equal(adaptive_avg_pool2d(x, 1), [[[[7.5]]]])
    assert_array_equal(adaptive_avg_pool2d(x, (1, 1)), [[[[7.5]]]])
    g = adaptive_avg_pool2d_backward(np.array([[[[2.0]]]]), x, 1)
    assert_array_equal(g, np.full((1, 1, 4, 4), 2.0 / 16))


def test_spec_row_17_arange_5_to_3():
    # bins [0,2) [1,4) [3,5): (0+1)/2, (1+2+3)/3, (3+4)/2
    y = adaptive_avg_pool2d(np.arange(5.0).reshape(1, 1, 5), (1, 3))
    assert_array_equal(y, [[[0.5, 2.0, 3.5]]])


def test_spec_row_18_two_divisions():
    x = np.zeros((1, 3, 6), dtype=np.float32)
    x[0, 0, 0] = np.float32(13.040001)
    y = adaptive_avg_pool2d(x, (1, 2))
    s = np.float32(13.040001)
    assert y.dtype == np.float32
    assert y[0, 0, 0] == s / np.float32(3) / np.float32(3)  # 1.4488889, PyTorch's sum / kh / kw
    assert y[0, 0, 0] != s / np.float32(9)  # 1.4488890
    assert y[0, 0, 1] == 0.0


def test_average_5x5_to_3x3_by_hand():
    x = np.arange(25.0).reshape(5, 5)
    y = adaptive_avg_pool2d(x, 3)
    # rows/cols bins [0,2) [1,4) [3,5)
    expected = np.array(
        [[x[r0:r1, c0:c1].mean() for c0, c1 in bin_list(5, 3)] for r0, r1 in bin_list(5, 3)]
    )
    assert_allclose(y, expected, rtol=1e-15)
    assert y.shape == (3, 3)  # the 2-D teaching form keeps its rank


def test_average_backward_5_to_3_by_hand():
    g = adaptive_avg_pool2d_backward(np.ones((1, 1, 3)), np.zeros((1, 1, 5)), (1, 3))
    assert_allclose(g, [[[1 / 2, 1 / 2 + 1 / 3, 1 / 3, 1 / 3 + 1 / 2, 1 / 2]]], rtol=1e-15)


def test_output_larger_than_input_repeats_elements():
    x = np.array([[1.0, 2.0]])
    assert_array_equal(adaptive_avg_pool2d(x, (1, 3)), [[1.0, 1.5, 2.0]])  # bins [0,1) [0,2) [1,2)
    assert_array_equal(adaptive_max_pool2d(x, (2, 4)), [[1.0, 1.0, 2.0, 2.0]] * 2)
    g = adaptive_avg_pool2d_backward(np.ones((1, 3)), x, (1, 3))
    assert_array_equal(g, [[1.5, 1.5]])


def test_none_keeps_the_input_size():
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    y = adaptive_avg_pool2d(x, (None, 2))
    assert y.shape == (1, 1, 4, 2)
    assert_array_equal(y[0, 0, :, 0], [1.0, 6.0, 11.0, 16.0])  # bins [0,3) [2,5)
    assert adaptive_max_pool2d(x, (3, None)).shape == (1, 1, 3, 5)
    assert adaptive_output_size((None, None), (4, 5)) == (4, 5)


def test_output_size_zero_gives_an_empty_result():
    x = np.ones((2, 3, 4, 5))
    assert adaptive_avg_pool2d(x, 0).shape == (2, 3, 0, 0)
    assert adaptive_avg_pool2d(x, (0, 3)).shape == (2, 3, 0, 3)
    y, idx = adaptive_max_pool2d(x, (2, 0), return_indices=True)
    assert y.shape == idx.shape == (2, 3, 2, 0)
    assert idx.dtype == np.int64


def test_integers_are_averaged_in_float64():
    y = adaptive_avg_pool2d(np.array([[1, 2], [3, 5]]), 1)
    assert y.dtype == np.float64
    assert_array_equal(y, [[2.75]])


def test_ranks_are_kept():
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 6))
    y4 = adaptive_avg_pool2d(x, (3, 4))
    assert adaptive_avg_pool2d(x[0], (3, 4)).shape == (3, 3, 4)
    assert_array_equal(adaptive_avg_pool2d(x[0, 0], (3, 4)), y4[0, 0])
    m4, i4 = adaptive_max_pool2d(x, (3, 4), return_indices=True)
    m2, i2 = adaptive_max_pool2d(x[1, 2], (3, 4), return_indices=True)
    assert_array_equal(m2, m4[1, 2])
    assert_array_equal(i2, i4[1, 2])


def test_large_bins_cumulative_sum_path():
    # few outputs with many taps take the cumulative-sum path: same bits as the loops
    x = np.random.default_rng(1).standard_normal((1, 2, 40, 37)).astype(np.float32)
    y = adaptive_avg_pool2d(x, (2, 3))
    assert_array_equal(y, reference.adaptive_avg_pool2d(x, (2, 3)))


# ---- hand-worked: max ------------------------------------------------------------------------
def test_max_arange_5_to_3():
    y, idx = adaptive_max_pool2d(np.arange(5.0).reshape(1, 1, 5), (1, 3), return_indices=True)
    assert_array_equal(y, [[[1.0, 3.0, 4.0]]])
    assert_array_equal(idx, [[[1, 3, 4]]])


def test_max_last_nan_wins():
    y, idx = adaptive_max_pool2d(np.array([[[np.nan, 1.0, np.nan]]]), 1, return_indices=True)
    assert np.isnan(y[0, 0, 0])
    assert idx[0, 0, 0] == 2  # np.argmax would say 0
    y, idx = adaptive_max_pool2d(np.array([[[1.0, np.nan], [np.nan, 2.0]]]), 1, return_indices=True)
    assert np.isnan(y[0, 0, 0]) and idx[0, 0, 0] == 2
    g = adaptive_max_pool2d_backward(np.ones((1, 1, 1)), np.array([[[np.nan, 1.0, np.nan]]]), 1)
    assert_array_equal(g, [[[0.0, 0.0, 1.0]]])


def test_max_first_maximum_wins_ties_and_signed_zero():
    _, idx = adaptive_max_pool2d(np.array([[[1.0, 3.0], [3.0, 3.0]]]), 1, return_indices=True)
    assert idx[0, 0, 0] == 1
    y = adaptive_max_pool2d(np.array([[[-0.0, 0.0]]]), 1)
    assert y[0, 0, 0] == 0 and np.signbit(y[0, 0, 0])  # -0.0, the first of equal maxima
    y = adaptive_max_pool2d(np.array([[[-np.inf, -np.inf]]]), 1, return_indices=True)
    assert_array_equal(y[0], [[[-np.inf]]]) and y[1][0, 0, 0] == 0


def test_max_backward_ties_policies():
    x = np.array([[5.0, 5.0], [1.0, 5.0]])
    g = np.array([[3.0]])
    assert_array_equal(adaptive_max_pool2d_backward(g, x, 1), [[3.0, 0.0], [0.0, 0.0]])
    assert_array_equal(adaptive_max_pool2d_backward(g, x, 1, ties="all"), [[3, 3], [0, 3]])
    assert_array_equal(adaptive_max_pool2d_backward(g, x, 1, ties="split"), [[1, 1], [0, 1]])


def test_max_backward_overlapping_bins_accumulate():
    # 5 -> 3: the 9 at index 3 lies in bins [1,4) and [3,5) and wins both
    x = np.array([[0.0, 1.0, 2.0, 9.0, 3.0]])
    g = adaptive_max_pool2d_backward(np.array([[1.0, 2.0, 4.0]]), x, (1, 3))
    assert_array_equal(g, [[0.0, 1.0, 0.0, 6.0, 0.0]])


def test_max_backward_reuses_indices():
    rng = np.random.default_rng(2)
    x = rng.integers(0, 3, (2, 2, 7, 5)).astype(np.float64)
    _, idx = adaptive_max_pool2d(x, (3, 4), return_indices=True)
    gy = rng.standard_normal((2, 2, 3, 4))
    for ties in TIES:
        assert_array_equal(
            adaptive_max_pool2d_backward(gy, x, (3, 4), ties, indices=idx),
            adaptive_max_pool2d_backward(gy, x, (3, 4), ties),
        )


# ---- against the plain loops --------------------------------------------------------------------
@st.composite
def arrays(draw, max_side: int = 7):
    """A small array of rank 2, 3 or 4: tie-rich integers, ±inf/NaN/±0 specials, or float32."""
    rank = draw(st.sampled_from([2, 3, 4]))
    lead = [draw(st.integers(1, 2)) for _ in range(rank - 2)]
    shape = (*lead, draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["ties", "special", "float32"]))
    if kind == "ties":
        return rng.integers(0, 3, size=shape)
    if kind == "special":
        pool = np.array([-np.inf, np.inf, np.nan, -1.0, 0.0, -0.0, 1.0, 2.0])
        return pool[rng.integers(0, len(pool), size=shape)]
    scale = rng.choice([2.0**-20, 1.0, 2.0**24], size=shape)
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def output_sizes(max_out: int = 9):
    v = st.integers(1, max_out)
    return st.one_of(v, st.tuples(v, v), st.tuples(st.none(), v), st.tuples(v, st.none()))


def assert_same(ours, theirs, exact=True):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    if exact:
        assert_array_equal(ours, theirs)
        number = ~np.isnan(ours)  # (a NaN's sign bit means nothing)
        assert_array_equal(np.signbit(ours[number]), np.signbit(theirs[number]))
    else:
        assert_allclose(ours, theirs, rtol=1e-6, atol=0, equal_nan=True)


def assert_max_matches_reference(x, output_size):
    """adaptive_max_pool2d's values and indices are the reference loop's; the values."""
    y, idx = adaptive_max_pool2d(x, output_size, return_indices=True)
    ry, ridx = reference.adaptive_max_pool2d(x, output_size)
    assert_same(y, ry)
    assert_array_equal(idx, ridx)
    return y


def is_global(x, output_size):
    return adaptive_output_size(output_size, np.shape(x)[-2:]) == (1, 1)


@SETTINGS
@given(x=arrays(), output_size=output_sizes(), seed=st.integers(0, 2**32 - 1))
def test_avg_matches_reference(x, output_size, seed):
    y = adaptive_avg_pool2d(x, output_size)
    exact = not is_global(x, output_size)  # the global sum is pairwise here, sequential there
    assert_same(y, reference.adaptive_avg_pool2d(x, output_size), exact)
    gy = np.random.default_rng(seed).standard_normal(y.shape).astype(y.dtype)
    assert_same(
        adaptive_avg_pool2d_backward(gy, x, output_size),
        reference.adaptive_avg_pool2d_backward(gy, x, output_size),
    )


@SETTINGS
@given(x=arrays(), output_size=output_sizes(), seed=st.integers(0, 2**32 - 1))
def test_max_matches_reference(x, output_size, seed):
    y = assert_max_matches_reference(x, output_size)
    gy = np.random.default_rng(seed).standard_normal(y.shape).astype(y.dtype)
    for ties in TIES:
        ours = adaptive_max_pool2d_backward(gy, x, output_size, ties)
        theirs = reference.adaptive_max_pool2d_backward(gy, x, output_size, ties)
        if ties == "first":
            assert_same(ours, theirs)
        else:  # several winners per bin: the same sums, possibly added in another order
            assert_allclose(ours, theirs, rtol=1e-6, atol=1e-6)


# ---- finite differences -------------------------------------------------------------------------
# (the style of test_gradients.py: L = sum(forward(x) * G), central differences element by
# element and along a random direction; pooling is piecewise linear, so they are exact up to
# rounding when no perturbation changes a winner)
# (checks.check_gradient, checks.distinct_values)


GRAD_CASES = [
    # (input shape, output_size)
    ((5, 5), 3),  # overlapping bins
    ((2, 3, 7, 6), (3, 4)),
    ((1, 2, 8, 8), (4, 2)),  # tiling bins
    ((3, 4, 5), (6, 7)),  # output larger than the input
    ((2, 6, 9), 1),  # global
    ((1, 1, 11, 4), (None, 3)),
]


@pytest.mark.parametrize(("shape", "output_size"), GRAD_CASES)
def test_avg_gradient(shape, output_size):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(shape)
    g_out = rng.standard_normal(adaptive_avg_pool2d(x, output_size).shape)

    def loss(xx):
        return np.sum(adaptive_avg_pool2d(xx, output_size) * g_out)

    check_gradient(loss, x, adaptive_avg_pool2d_backward(g_out, x, output_size), rng)


@pytest.mark.parametrize(("shape", "output_size"), GRAD_CASES)
@pytest.mark.parametrize("ties", TIES)
def test_max_gradient(shape, output_size, ties):
    rng = np.random.default_rng(6)
    x = distinct_values(shape, rng)
    g_out = rng.standard_normal(adaptive_max_pool2d(x, output_size).shape)

    def loss(xx):
        return np.sum(adaptive_max_pool2d(xx, output_size) * g_out)

    # without ties every policy is the true gradient
    check_gradient(loss, x, adaptive_max_pool2d_backward(g_out, x, output_size, ties), rng)


# ---- validation ---------------------------------------------------------------------------------
X = np.zeros((1, 1, 4, 5))

INVALID_CALLS = [
    # (call, the exact English sentence)
    (
        lambda: adaptive_avg_pool2d(X, -1),
        "output_size (-1, -1) must not be negative",
    ),
    (
        lambda: adaptive_max_pool2d(X, (2, -3)),
        "output_size (2, -3) must not be negative",
    ),
    (
        lambda: adaptive_avg_pool2d(X, (3,)),
        "output_size must be an int or a pair (height, width) of ints or None, got (3,)",
    ),
    (
        lambda: adaptive_max_pool2d(X, (1, 2, 3)),
        "output_size must be an int or a pair (height, width) of ints or None, got (1, 2, 3)",
    ),
    (
        lambda: adaptive_avg_pool2d(X, 2.0),
        "output_size must be an int or a pair (height, width) of ints or None, got 2.0",
    ),
    (
        lambda: adaptive_avg_pool2d(X, (2.0, 3)),
        "output_size must be an int or a pair (height, width) of ints or None, got (2.0, 3)",
    ),
    (
        lambda: adaptive_avg_pool2d(X, True),
        "output_size must be an int or a pair (height, width) of ints or None, got True",
    ),
    (
        lambda: adaptive_avg_pool2d(X, None),
        "output_size must be an int or a pair (height, width) of ints or None, got None",
    ),
    (
        lambda: adaptive_max_pool2d(X, 2, return_indices="yes"),
        "return_indices must be True or False, got 'yes'",
    ),
    (
        lambda: adaptive_avg_pool2d_backward(np.zeros((1, 1, 0, 3)), X, (0, 3)),
        "output_size (0, 3) must be at least 1 in height and width for the backward pass "
        "(adaptive_avg_pool2d_backward, like PyTorch's, refuses an empty gradient)",
    ),
    (
        lambda: adaptive_max_pool2d_backward(np.zeros((1, 1, 2, 0)), X, (2, 0)),
        "output_size (2, 0) must be at least 1 in height and width for the backward pass "
        "(adaptive_max_pool2d_backward, like PyTorch's, refuses an empty gradient)",
    ),
    (
        lambda: adaptive_avg_pool2d_backward(np.zeros((1, 1, 2, 2)), X, 3),
        "grad_output shape (1, 1, 2, 2) must match the output shape (1, 1, 3, 3)",
    ),
    (
        lambda: adaptive_max_pool2d_backward(np.array([[[["a"]]]]), X, 1),
        "grad_output must hold real numbers, got dtype <U1",
    ),
    (
        lambda: adaptive_max_pool2d_backward(np.zeros((2, 2)), X[0, 0], 2, indices=np.zeros(3)),
        "indices shape (3,) must match the output shape (2, 2) (pass the indices "
        "adaptive_max_pool2d returned with return_indices=True)",
    ),
    (
        lambda: adaptive_max_pool2d_backward(
            np.zeros((2, 2)), X[0, 0], 2, indices=np.zeros((2, 2))
        ),
        "indices must hold integers (adaptive_max_pool2d's return_indices=True output), "
        "got dtype float64",
    ),
    (
        lambda: adaptive_max_pool2d_backward(
            np.zeros((2, 2)), X[0, 0], 2, indices=np.array([[0, 1], [2, 20]])
        ),
        "indices must lie in 0..19 (flat row * W + col positions in one 4x5 plane); "
        "got values from 0 to 20",
    ),
    (lambda: adaptive_bins(0, 3), "in_size (0) must be at least 1"),
    (lambda: adaptive_bins(4, -1), "out_size (-1) must be at least 0"),
    (lambda: adaptive_bins(4, 2.5), "out_size must be an int, got 2.5"),
]


@pytest.mark.parametrize(("call", "english"), INVALID_CALLS)
def test_validation_message(call, english):
    check_structured_error(call, english)


def test_every_rule_of_adaptive_py_is_exercised():
    """Each ParameterError template written in engine/adaptive.py is raised above."""
    assert_every_rule_exercised("adaptive.py", [call for call, _ in INVALID_CALLS])


@pytest.mark.parametrize("ties", ["last", None, 1])
def test_bad_ties_policy(ties):
    with pytest.raises(ValueError, match="ties"):
        adaptive_max_pool2d_backward(np.zeros((1, 1, 1, 1)), X, 1, ties=ties)


@pytest.mark.parametrize(
    "x", [np.zeros((4,)), np.zeros((1, 1, 1, 4, 5)), np.zeros((1, 1, 0, 5)), np.zeros((1, 0, 3, 3))]
)
def test_bad_input_shapes(x):
    with pytest.raises(ValueError, match="x must"):
        adaptive_avg_pool2d(x, 2)
    with pytest.raises(ValueError, match="x must"):
        adaptive_max_pool2d(x, 2)


# ---- PyTorch ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@st.composite
def batches(draw):
    """(N, C, H, W) float32 or float64: tie-rich integers, specials, or wide-range normals."""
    shape = tuple(draw(st.integers(1, 2)) for _ in range(2)) + (
        draw(st.integers(1, 9)),
        draw(st.integers(1, 9)),
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    kind = draw(st.sampled_from(["ties", "special", "normal"]))
    if kind == "ties":
        return rng.integers(0, 3, size=shape).astype(dtype)
    if kind == "special":
        pool = np.array([-np.inf, np.inf, np.nan, -1.0, 0.0, -0.0, 1.0, 2.0])
        return pool[rng.integers(0, len(pool), size=shape)].astype(dtype)
    return (rng.standard_normal(shape) * rng.choice([2.0**-20, 1.0, 2.0**24], shape)).astype(dtype)


def as_list(output_size):
    return list(output_size) if isinstance(output_size, tuple) else output_size


@SETTINGS
@given(x=batches(), output_size=output_sizes(12), seed=st.integers(0, 2**32 - 1))
def test_avg_against_torch(torch, x, output_size, seed):
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.adaptive_avg_pool2d(tx, as_list(output_size))
    y = adaptive_avg_pool2d(x, output_size)
    if is_global(x, output_size):  # torch's vectorised mean: its rounding is its own (§5.2)
        assert_allclose(y, ty.detach().numpy(), rtol=1e-6, atol=0, equal_nan=True)
    else:
        assert_same(y, ty.detach().numpy())
    gy = np.random.default_rng(seed).standard_normal(y.shape).astype(x.dtype)
    ty.backward(torch.tensor(gy))
    assert_same(adaptive_avg_pool2d_backward(gy, x, output_size), tx.grad.numpy())
    # unbatched (C, H, W)
    y3 = adaptive_avg_pool2d(x[0], output_size)
    ty3 = torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x[0]), as_list(output_size))
    assert_allclose(y3, ty3.numpy(), rtol=1e-6, atol=0, equal_nan=True)


@SETTINGS
@given(x=batches(), output_size=output_sizes(12), seed=st.integers(0, 2**32 - 1))
def test_max_against_torch(torch, x, output_size, seed):
    tx = torch.tensor(x, requires_grad=True)
    ty, tidx = torch.nn.functional.adaptive_max_pool2d(tx, as_list(output_size), True)
    y, idx = adaptive_max_pool2d(x, output_size, return_indices=True)
    assert_same(y, ty.detach().numpy())
    assert_array_equal(idx, tidx.numpy())
    gy = np.random.default_rng(seed).standard_normal(y.shape).astype(x.dtype)
    ty.backward(torch.tensor(gy))
    assert_same(adaptive_max_pool2d_backward(gy, x, output_size), tx.grad.numpy())
    _, idx3 = adaptive_max_pool2d(x[0], output_size, return_indices=True)
    assert_array_equal(idx3, idx[0])


def test_spec_examples_against_torch(torch):
    F = torch.nn.functional
    x = np.zeros((1, 3, 6), dtype=np.float32)
    x[0, 0, 0] = np.float32(13.040001)
    assert_same(
        adaptive_avg_pool2d(x, (1, 2)), F.adaptive_avg_pool2d(torch.tensor(x), (1, 2)).numpy()
    )
    x = np.arange(5.0).reshape(1, 1, 5)
    assert_same(
        adaptive_avg_pool2d(x, (1, 3)), F.adaptive_avg_pool2d(torch.tensor(x), (1, 3)).numpy()
    )
    x = np.array([[[np.nan, 1.0, np.nan]]])
    _, tidx = F.adaptive_max_pool2d(torch.tensor(x), 1, return_indices=True)
    assert adaptive_max_pool2d(x, 1, return_indices=True)[1][0, 0, 0] == tidx.item() == 2


def test_large_bins_against_torch(torch):
    # 40x37 -> 2x3: bins of up to 20x13 taps (the cumulative-sum path), float32 bits
    x = (np.random.default_rng(3).standard_normal((2, 3, 40, 37)) * 1e4).astype(np.float32)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.adaptive_avg_pool2d(tx, (2, 3))
    assert_same(adaptive_avg_pool2d(x, (2, 3)), ty.detach().numpy())
    gy = np.random.default_rng(4).standard_normal((2, 3, 2, 3)).astype(np.float32)
    ty.backward(torch.tensor(gy))
    assert_same(adaptive_avg_pool2d_backward(gy, x, (2, 3)), tx.grad.numpy())


ODD_OUTPUT_SIZES = st.one_of(
    st.integers(-2, 4),
    st.tuples(st.integers(-2, 4), st.integers(-2, 4)),
    st.tuples(st.none(), st.integers(-1, 3)),
    st.tuples(st.integers(0, 3)),
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 3)),
    st.floats(0, 3),
    st.tuples(st.floats(0, 3), st.integers(1, 3)),
    st.none(),
    st.booleans(),
)


@settings(max_examples=100, deadline=None)
@given(output_size=ODD_OUTPUT_SIZES)
def test_accepts_and_rejects_like_torch(torch, output_size):
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 5))
    tx = torch.tensor(x)
    arg = as_list(output_size)
    for ours, theirs in [
        (adaptive_avg_pool2d, torch.nn.functional.adaptive_avg_pool2d),
        (adaptive_max_pool2d, torch.nn.functional.adaptive_max_pool2d),
    ]:
        try:
            expected = theirs(tx, arg)
        except (RuntimeError, TypeError, ValueError):
            with pytest.raises(ParameterError):
                ours(x, output_size)
            continue
        assert_allclose(ours(x, output_size), expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize("output_size", [0, (0, 2), (3, 0)])
def test_backward_of_empty_output_is_refused_like_torch(torch, output_size):
    x = np.ones((1, 1, 4, 5))
    for ours, theirs, backward in [
        (
            adaptive_avg_pool2d,
            torch.nn.functional.adaptive_avg_pool2d,
            adaptive_avg_pool2d_backward,
        ),
        (
            adaptive_max_pool2d,
            torch.nn.functional.adaptive_max_pool2d,
            adaptive_max_pool2d_backward,
        ),
    ]:
        tx = torch.tensor(x, requires_grad=True)
        ty = theirs(tx, output_size)
        assert ours(x, output_size).shape == tuple(ty.shape)  # the forward is fine
        with pytest.raises(RuntimeError, match="non-zero size"):
            ty.sum().backward()
        with pytest.raises(ParameterError, match="backward"):
            backward(np.zeros(ty.shape), x, output_size)


# ---- the gathered passes (uneven bins): many planes, ties, NaN, -0.0, -inf, both dtypes --------
@pytest.mark.parametrize("blocks", ["one", "several"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(9, 9), (5, 7), (3, 8), (15, 4), (12, 20), (7, 6)])
def test_gathered_passes_match_the_reference_on_many_planes(
    monkeypatch, dtype, output_size, blocks
):
    """40 planes take the planes-last tap-major gathers (average and maximum), in one block or
    in blocks of 2-4 planes spread over 2 threads."""
    if blocks == "several":
        monkeypatch.setattr(adaptive, "GATHER_BLOCK_BYTES", 8192)
        monkeypatch.setattr(pooling, "THREADS", 2)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 20, 23, 19)).astype(dtype)
    x[..., ::3, ::2] = np.round(x[..., ::3, ::2])  # ties within and across rows
    x[0, 0, 1, :4] = np.nan
    x[0, 1, 2:9:3, 5] = np.nan  # NaN in several rows of a bin: the last one is reported
    x[1, 3, 5, 2] = -0.0
    x[0, 5] = -0.0  # a plane of -0.0: sums are +0.0, the first -0.0 is the maximum
    x[1, 7] = -np.inf
    x[1, 8, ::2] = 0.0
    assert_same(adaptive_avg_pool2d(x, output_size), reference.adaptive_avg_pool2d(x, output_size))
    y = assert_max_matches_reference(x, output_size)
    gy = rng.standard_normal(y.shape).astype(dtype)
    assert_same(
        adaptive_avg_pool2d_backward(gy, x, output_size),
        reference.adaptive_avg_pool2d_backward(gy, x, output_size),
    )


# ---- the average's backward from repeated rows (at most two bins per coordinate) -------------
@st.composite
def shrinking_shares(draw):
    """Shares of a shrinking pool (``O <= I`` on both axes: bins overlap by at most one
    element), never -0.0 (the caller adds +0.0), of wide-ranging magnitudes in either dtype."""
    height, width = draw(st.integers(1, 40)), draw(st.integers(1, 40))
    out_h, out_w = draw(st.integers(1, height)), draw(st.integers(1, width))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    shape = (draw(st.integers(1, 5)), out_h, out_w)
    share = rng.standard_normal(shape) * rng.choice([2.0**-30, 1.0, 2.0**30], shape)
    share[rng.random(shape) < 0.1] = 0.0
    return share.astype(dtype), (height, width)


@SETTINGS
@given(case=shrinking_shares())
def test_spread_shares_are_the_gathered_class_sums(case):
    """The repeated rows with their overlap columns and rows added to afterwards give every
    element its bins' shares in PyTorch's (oh, ow) order: the bits of the class tables."""
    share, (height, width) = case
    rows = adaptive._Axis.make(height, share.shape[1])
    cols = adaptive._Axis.make(width, share.shape[2])
    assert rows.m <= 2 and cols.m <= 2
    ours = np.empty((len(share), height, width), dtype=share.dtype)
    theirs = np.empty_like(ours)
    adaptive._spread_shares(share, rows, cols, out=ours)
    adaptive._gather_shares(share, rows, cols, out=theirs)
    assert_same(ours, theirs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shape", "output_size"),
    [((2, 20, 56, 56), 9), ((2, 20, 56, 56), 7), ((3, 7, 23, 17), (6, 5)), ((1, 9, 5, 31), (5, 4))],
)
def test_shrinking_average_backward_runs_on_the_callers_thread(
    monkeypatch, dtype, shape, output_size
):
    """Shrinking on both axes, the average's backward goes in runs of a few planes on the
    caller's thread (the pooling threads only slowed it down), to the reference loop's bits."""
    monkeypatch.setattr(pooling, "THREADS", 2)
    monkeypatch.setattr(adaptive, "SPREAD_RUN_ELEMENTS", 3 * shape[2] * shape[3])  # several runs
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape).astype(dtype)
    gy = rng.standard_normal(adaptive_avg_pool2d(x, output_size).shape).astype(dtype)

    def no_threads(*args, **kwargs):
        raise AssertionError("the shrinking average's backward took the pooling threads")

    monkeypatch.setattr(adaptive, "run_shared", no_threads)
    gy[0, 0] = -0.0  # -0.0 shares land as +0.0, as PyTorch's sums from +0.0
    gy[-1, -1, ::2] = 2.0**-140  # subnormal in float32
    assert_same(
        adaptive_avg_pool2d_backward(gy, x, output_size),
        reference.adaptive_avg_pool2d_backward(gy, x, output_size),
    )


def test_shrinking_average_backward_matches_torch_on_many_planes(torch, monkeypatch):
    """The benchmark's shapes (fewer planes), 56 → 9 (bins of 7 and 8 overlapping by one) and
    56 → 7 (tiling), in runs of a few planes: PyTorch's gradient to the bit."""
    monkeypatch.setattr(adaptive, "SPREAD_RUN_ELEMENTS", 5 * 56 * 56)
    rng = np.random.default_rng(14)
    for dtype in (np.float32, np.float64):
        for size in (9, 7, (9, 7), (5, 56)):
            x = rng.standard_normal((2, 24, 56, 56)).astype(dtype)
            tx = torch.tensor(x, requires_grad=True)
            ty = torch.nn.functional.adaptive_avg_pool2d(tx, as_list(size))
            gy = (rng.standard_normal(ty.shape) * 1e3).astype(dtype)
            ty.backward(torch.tensor(gy))
            assert_same(adaptive_avg_pool2d_backward(gy, x, size), tx.grad.numpy())


# ---- equal tiling bins summed in tap-major order (many planes) ---------------------------------
@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(4, 4), (2, 3), (8, 6), (1, 12), (2, 2), (1, 2)])
@pytest.mark.parametrize("block_bytes", [1536, 1 << 16])
@pytest.mark.parametrize("by_rows", [False, True])
def test_tap_major_sums_match_the_reference_on_many_planes(
    monkeypatch, threads, dtype, output_size, block_bytes, by_rows
):
    """Divisible sizes with enough planes take the tap-major copy and its ordered reduction
    (the average) or its first-maximum scan (the maximum, bins of more than 36 taps), in
    several blocks of a few planes (bins ordered plane by plane) or of more planes than an
    output row has bins (bins ordered planes last; copied with all taps of a block outermost,
    or output row by output row)."""
    monkeypatch.setattr(pooling, "THREADS", threads)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_BLOCK_BYTES", block_bytes)  # several blocks
    monkeypatch.setattr(adaptive, "TAP_MAJOR_MIN_OUTPUTS", 2)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_ROW_MIN_BINS", 2 if by_rows else 1 << 40)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_ROW_MIN_TAPS", 2)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_ROWS_BLOCK_BYTES", block_bytes)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_COLS_OUTER_MIN_WIDTH", 1 << 40)  # the one-stage copies
    x = tap_major_input(dtype)
    planes = x.reshape(-1, 16, 12)
    rows, cols = adaptive._axes(x, output_size)
    assert adaptive._tap_major(rows, cols, len(planes), x.itemsize)
    copy = adaptive._TapMajorCopy(planes, rows, cols)
    assert not copy.cols_outer
    assert copy.planes_last == (block_bytes > 1536) and len(copy.blocks()) > 1
    assert copy.by_rows == (by_rows and copy.planes_last)
    assert_tap_major_matches_the_reference(x, output_size)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(4, 4), (2, 3), (8, 6), (1, 12), (2, 2), (1, 2)])
@pytest.mark.parametrize("block_bytes", [1536, 1 << 16])
def test_cols_outer_tap_major_copy_matches_the_reference_on_many_planes(
    monkeypatch, threads, dtype, output_size, block_bytes
):
    """Wide rows of narrow bins take the tap-major copy with the output columns outermost
    (one long inner loop over planes and output rows), in blocks of a few planes or many,
    for the ordered sums and the first-maximum scan alike."""
    monkeypatch.setattr(pooling, "THREADS", threads)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_MIN_OUTPUTS", 2)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_COLS_OUTER_MIN_WIDTH", 12)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_COLS_OUTER_MAX_BIN_BYTES", 12 * 8)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_COLS_OUTER_BLOCK_BYTES", block_bytes)
    x = tap_major_input(dtype)
    planes = x.reshape(-1, 16, 12)
    rows, cols = adaptive._axes(x, output_size)
    copy = adaptive._TapMajorCopy(planes, rows, cols)
    assert copy.cols_outer and len(copy.blocks()) > 1
    assert_tap_major_matches_the_reference(x, output_size)


def test_cols_outer_tap_major_copy_is_taken_for_wide_rows_of_narrow_bins():
    """The benchmark's float32 8x8 bins of 56-wide rows go output columns outermost; float64
    bins of 64 bytes (one cache line a bin row) and narrow rows keep the other copies,
    float64's by output rows (a row of the larger by-rows block holds 41 planes of 7 bins)."""
    cases = [(np.float32, 56, True, False), (np.float64, 56, False, True)]
    cases.append((np.float32, 16, False, True))
    for dtype, width, cols_outer, by_rows in cases:
        planes = np.zeros((512, 56, width), dtype=dtype)
        rows, cols = adaptive._Axis.make(56, 7), adaptive._Axis.make(width, width // 8)
        copy = adaptive._TapMajorCopy(planes, rows, cols)
        assert (copy.cols_outer, copy.by_rows) == (cols_outer, by_rows)


def test_an_axis_is_made_once_per_size_pair(monkeypatch):
    """Forward and backward passes of the same sizes share their axes: the bins of a (size,
    out) pair are worked out once, and kept read-only (every caller reads the same arrays)."""
    calls = []

    def counting_bins(in_size, out_size):
        calls.append((in_size, out_size))
        return adaptive_bins(in_size, out_size)

    monkeypatch.setattr(adaptive, "adaptive_bins", counting_bins)
    adaptive._make_axis.cache_clear()
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 23, 17))
    for _ in range(3):
        gy = rng.standard_normal((2, 3, 5, 4))
        adaptive_avg_pool2d_backward(gy, x, (5, 4))
        _, idx = adaptive_max_pool2d(x, (5, 4), return_indices=True)
        adaptive_max_pool2d_backward(gy, x, (5, 4), indices=idx)
        assert_array_equal(adaptive_avg_pool2d(x, (5, 4)), reference.adaptive_avg_pool2d(x, (5, 4)))
    assert sorted(calls) == [(17, 4), (23, 5)]
    rows = adaptive._Axis.make(23, 5)
    assert not any(a.flags.writeable for a in (rows.start, rows.stop, rows.lo, rows.hi))
    assert not any(a.flags.writeable for a in rows.classes())


def tap_major_input(dtype):
    """3x30 planes of 16x12 with NaN, infinities, signed zeros and a subnormal."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((3, 30, 16, 12)).astype(dtype)
    x[0, 0, 1, :4] = np.nan
    x[0, 1, 3, 5] = np.inf
    x[0, 1, 2, 7] = -np.inf  # inf - inf in one bin: NaN
    x[0, 5] = -0.0  # a plane of -0.0: every bin sums to +0.0, as PyTorch's from +0.0
    x[1, 3, :4, :6] = -0.0
    x[1, 3, 0, 0] = 0.0
    x[2, 2] = 2.0**-140  # subnormal in float32
    return x


def assert_tap_major_matches_the_reference(x, output_size):
    """Average, maximum (with indices) and the maximum's gradient against the plain loops."""
    rng = np.random.default_rng(12)
    dtype = x.dtype
    assert_same(adaptive_avg_pool2d(x, output_size), reference.adaptive_avg_pool2d(x, output_size))
    # the maximum (bins of more than 36 taps take the tap-major scan): ties, NaN, signed zeros
    x[0, 2, :8, :6] = -0.0
    x[0, 2, 3, 4] = 0.0  # +0.0 after -0.0 in its bin: the first (-0.0) wins
    x[0, 6, :8, :6] = -0.0
    x[0, 6, 0, 0] = 0.0  # +0.0 first, then -0.0 only: +0.0 wins (np.maximum keeps the last)
    x[0, 3, ::2, ::3] = np.round(x[0, 3, ::2, ::3])  # ties
    x[0, 3] = np.minimum(x[0, 3], 1.0)  # many taps equal to the maximum 1.0
    x[0, 4, 2:9:3, 5] = np.nan  # several NaN in a bin: the last one is reported
    x[1, 7] = -np.inf  # a plane of -inf: the first tap wins
    y = assert_max_matches_reference(x, output_size)
    gy = rng.standard_normal(y.shape).astype(dtype)
    assert_same(
        adaptive_max_pool2d_backward(gy, x, output_size),
        reference.adaptive_max_pool2d_backward(gy, x, output_size, "first"),
    )


@pytest.mark.parametrize("cols_outer", [False, True])
def test_tap_major_sums_are_sequential_not_pairwise(torch, monkeypatch, cols_outer):
    """A bin 2**25, 1, 1, ... in float32: added one by one every 1 rounds away (PyTorch's
    order); a pairwise or blocked sum would first add the ones up and keep them.  Copied in
    one stage or in two."""
    monkeypatch.setattr(adaptive, "TAP_MAJOR_COLS_OUTER_MIN_WIDTH", 16 if cols_outer else 1 << 40)
    x = np.ones((4, 16, 16, 16), dtype=np.float32)
    x[:, :, ::8, ::8] = 2.0**25  # the first tap of every 8x8 bin
    y = adaptive_avg_pool2d(x, 2)
    assert adaptive._tap_major(*adaptive._axes(x, 2), 64, 4)
    assert_array_equal(y, np.full((4, 16, 2, 2), np.float32(2.0**25) / 8 / 8))
    assert_same(y, torch.nn.functional.adaptive_avg_pool2d(torch.tensor(x), 2).numpy())
    assert_same(y, reference.adaptive_avg_pool2d(x, 2))


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize(
    "output_size",
    [(9, 9), (5, 7), (3, 8), (12, 20), (40, 19), (23, 38), (46, 1), (69, 19), (1, 30)],
)
def test_average_backward_gathers_every_covering_bin(monkeypatch, threads, output_size):
    """Rows and columns in up to three bins (one axis growing) take the gathered backward:
    later row-bins' shares go to extra table rows, later column-bins' to their columns."""
    monkeypatch.setattr(pooling, "THREADS", threads)
    monkeypatch.setattr(pooling, "MIN_PARALLEL_WINDOWS", 1)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 3, 23, 19)).astype(np.float32)
    rows, cols = adaptive._axes(x, output_size)
    assert rows.m * cols.m <= 4  # the gathered pass, not the scatter
    gy = rng.standard_normal((2, 3, *output_size)).astype(np.float32)
    gy[0, 0, 0, 0] = np.inf
    gy[1, 2, 0, -1] = -np.inf
    gy[1, 2, -1, 0] = np.nan
    gy[0, 1] = -0.0
    gy[1, 1, ::2] = 2.0**24  # shares that round when added to the small ones
    assert_same(
        adaptive_avg_pool2d_backward(gy, x, output_size),
        reference.adaptive_avg_pool2d_backward(gy, x, output_size),
    )


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(2, 2), (4, 8), (3, 5)])  # tiling, and overlapping bins
def test_max_backward_adds_every_bin_that_picks_an_element(
    monkeypatch, threads, dtype, output_size
):
    """Indices given back may pick one element from several bins, also bins that tile the
    plane: PyTorch adds all their gradients onto zeros, in (oh, ow) order (not the last one
    alone); a lone -0.0 lands as +0.0."""
    monkeypatch.setattr(pooling, "THREADS", threads)
    monkeypatch.setattr(pooling, "MIN_PARALLEL_WINDOWS", 1)
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 8, 8)).astype(dtype)
    gy = rng.standard_normal((2, 3, *output_size)).astype(dtype)
    gy[0, 0, 0, 0] = 2.0**24  # later small gradients round differently in another order
    gy[1, 2] = -0.0
    idx = rng.integers(0, 3, size=gy.shape)  # three elements for every bin of a plane
    expected = np.zeros(x.shape, dtype=dtype)
    for n, c, oh, ow in np.ndindex(gy.shape):
        cell = divmod(int(idx[n, c, oh, ow]), 8)
        expected[n, c][cell] += gy[n, c, oh, ow]
    assert_same(adaptive_max_pool2d_backward(gy, x, output_size, indices=idx), expected)


# ---- tap-major maxima: indices, NaN bins and zeros settled after the blocks --------------------
def with_nan_payloads(x, where):
    """``x`` with a NaN of a different payload (mantissa bits) at each place of ``where``."""
    bits = x.view(np.uint32 if x.dtype == np.float32 else np.uint64)
    exponent = bits.dtype.type(0x7F800000 if x.dtype == np.float32 else 0x7FF0000000000000)
    payloads = np.arange(1, np.count_nonzero(where) + 1, dtype=bits.dtype)
    bits[where] = exponent | payloads
    return x


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("shape", "output_size", "path"),
    [
        ((2, 24, 16, 24), (2, 3), "tap-major"),  # bins of 8x8 taps (uint8 marks)
        ((1, 40, 32, 32), (2, 2), "tap-major"),  # bins of 16x16 = 256 taps (uint16 marks)
        ((2, 24, 23, 19), (5, 4), "gathered"),  # uneven bins, planes last
    ],
)
def test_tap_major_maxima_settle_nan_and_zero_bins_on_any_threads(
    monkeypatch, dtype, shape, output_size, path
):
    """The tap-major maxima keep each bin's maximum and the mark of its first maximum per
    block; indices, NaN bins (the last NaN, with its own payload; a few bins at a time) and
    zeros (the first of -0.0 and +0.0) are settled afterwards over all bins.  Many small blocks
    on 1, 2 and 4 threads give the reference loop's values (to the bit) and indices."""
    monkeypatch.setattr(adaptive, "TAP_MAJOR_BLOCK_BYTES", 4 * shape[2] * shape[3] * 8)
    monkeypatch.setattr(adaptive, "GATHER_BLOCK_BYTES", 3 * shape[2] * shape[3] * 8)
    monkeypatch.setattr(adaptive, "TAP_MAJOR_MIN_OUTPUTS", 2)
    monkeypatch.setattr(adaptive, "BLOCK_ELEMENTS", 768)  # NaN bins settled a few at a time
    rng = np.random.default_rng(3)
    x = np.round(rng.standard_normal(shape) * 2).astype(dtype)  # many ties
    planes = x.reshape(-1, *shape[2:])
    planes[1::5] = -0.0  # bins of -0.0 only: the first tap, -0.0
    planes[2::5] = np.abs(planes[2::5]) * 0.0  # +0.0 and -0.0 mixed ...
    planes[2::5, ::3, 1::2] = -0.0  # ... in either order, ties of zero
    planes[3::7] = -np.inf
    nan = rng.random(shape) < 0.03
    nan.reshape(planes.shape)[1::2] = False  # NaN bins (several NaN in some) on even planes
    x = with_nan_payloads(x, nan)
    rows, cols = adaptive._axes(x, output_size)
    if path == "tap-major":
        assert adaptive._tap_major(rows, cols, len(planes), x.itemsize)
        assert rows.k * cols.k > 36
    else:
        assert adaptive._gathered(rows, cols) and not rows.tiles
    ry, ridx = reference.adaptive_max_pool2d(x, output_size)
    assert np.isnan(ry).sum() > 10 and (ry == 0).sum() > 10
    uint = np.uint32 if dtype == np.float32 else np.uint64
    for threads in (1, 2, 4):
        monkeypatch.setattr(pooling, "THREADS", threads)
        y, idx = adaptive_max_pool2d(x, output_size, return_indices=True)
        assert_array_equal(idx, ridx)
        assert_array_equal(y.view(uint), ry.view(uint))  # NaN payloads and zero signs too


@pytest.mark.parametrize("ties", TIES)
def test_the_operation_scans_the_bins_once_for_forward_and_backward(monkeypatch, ties):
    """The registered operation's backward takes the forward's indices, as PyTorch's does:
    each recomputation of the app scanned every bin twice (forward, then backward without
    indices); the gradient is the one the scan gives."""
    from engine.ops.registry import get_op

    spec = get_op("adaptive_max_pool2d")
    rng = np.random.default_rng(3)
    x = rng.integers(0, 4, size=(2, 3, 13, 11)).astype(float)  # ties in most bins
    x[0, 1, 2, 3] = np.nan
    scans = []
    scan = adaptive._max_scan
    monkeypatch.setattr(adaptive, "_max_scan", lambda *a: (scans.append(1), scan(*a))[1])
    params = spec.coerce_params({"output_size": (4, 5), "ties": ties})
    outputs, ctx = spec.forward({"input": x}, params)
    gy = rng.standard_normal(outputs["output"].shape)
    grads = spec.backward(ctx, {"grad_output": gy})
    assert len(scans) == 1
    assert_array_equal(grads["grad_input"], adaptive_max_pool2d_backward(gy, x, (4, 5), ties=ties))

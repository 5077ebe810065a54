"""LP (power-average) pooling (engine/lp_pool.py): hand-worked cases, the plain loops of
engine/reference_adaptive.py, finite differences, validation, and PyTorch (skipped without it).

Spec: /work/shared/design/pytorch-semantics.md §5.3 and §8 rows 19-20.  Values agree with
PyTorch to a few ulps (its vectorised ``pow`` and ``sqrt`` are not NumPy's), and NaN, ±inf and
zero gradients appear in exactly the same places.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from checks import (
    assert_every_rule_exercised,
    check_gradient,
    check_structured_error,
    fast_or_discard,
    hypothesis_settings,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from engine import reference_adaptive as reference
from engine.lp_pool import lp_pool2d, lp_pool2d_backward

# NaN, inf and overflow are results of LP pooling, as in torch; NumPy warns about them.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")

SETTINGS = hypothesis_settings(80)
NORMS = [1, 2, 3, 1.5, 0.5, 4, 1 / 3, -1, -2, -0.5, 2.5, 7, math.inf, -math.inf]


# ---- hand-worked --------------------------------------------------------------------------------
def test_p1_is_the_window_sum():
    x = np.arange(16.0).reshape(4, 4)
    y = lp_pool2d(x, 1, 2)
    assert_array_equal(y, [[0 + 1 + 4 + 5, 2 + 3 + 6 + 7], [8 + 9 + 12 + 13, 10 + 11 + 14 + 15]])


def test_spec_row_19_no_abs_before_the_power():
    x = np.array([[[[-1.0, -2.0], [-3.0, -4.0]]]])
    assert_array_equal(lp_pool2d(x, 1, 2), [[[[-10.0]]]])  # the signed sum, not 10
    assert_allclose(lp_pool2d(x, 2, 2), [[[[math.sqrt(30)]]]], rtol=1e-15)
    assert np.isnan(lp_pool2d(x, 3, 2)).all()  # (-100) ** (1/3)
    assert np.isnan(lp_pool2d(x, 1.5, 2)).all()  # (-1) ** 1.5
    assert_array_equal(lp_pool2d(x, math.inf, 2), [[[[4.0]]]])  # ±inf use |x|
    assert_array_equal(lp_pool2d(x, -math.inf, 2), [[[[1.0]]]])


def test_spec_row_20_ceil_mode_partial_window_is_rescaled():
    # windows [1, 2] and [3]; the second is averaged over 1 element, then times kh*kw = 2
    y = lp_pool2d(np.array([[[1.0, 2.0, 3.0]]]), 1, (1, 2), 2, ceil_mode=True)
    assert_array_equal(y, [[[3.0, 6.0]]])
    g = lp_pool2d_backward(np.ones((1, 1, 2)), np.array([[[1.0, 2.0, 3.0]]]), 1, (1, 2), 2, True)
    assert_array_equal(g, [[[1.0, 1.0, 2.0]]])


def test_p2_is_the_euclidean_norm():
    x = np.array([[3.0, 4.0, 5.0, 12.0]])
    assert_allclose(lp_pool2d(x, 2, (1, 2)), [[5.0, 13.0]], rtol=1e-15)
    # d||w||/dw = w / ||w||
    g = lp_pool2d_backward(np.ones((1, 2)), x, 2, (1, 2))
    assert_allclose(g, [[3 / 5, 4 / 5, 5 / 13, 12 / 13]], rtol=1e-15)


def test_large_p_approaches_the_max():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    previous = math.inf
    for p in (2, 4, 8, 16, 50):
        y = lp_pool2d(x, p, (1, 4))[0, 0]
        assert 4.0 <= y < previous  # decreasing towards the max
        previous = y
    assert previous - 4.0 < 0.01
    assert_array_equal(lp_pool2d(x, math.inf, (1, 4)), [[4.0]])
    assert_array_equal(lp_pool2d_backward(np.ones((1, 1)), x, math.inf, (1, 4)), [[0, 0, 0, 1]])


def test_inf_norm_gradient_carries_the_sign():
    x = np.array([[-5.0, 2.0, 1.0, -0.5]])
    assert_array_equal(lp_pool2d(x, math.inf, (1, 2)), [[5.0, 1.0]])
    g = lp_pool2d_backward(np.array([[2.0, 3.0]]), x, math.inf, (1, 2))
    assert_array_equal(g, [[-2.0, 0.0, 3.0, 0.0]])
    g = lp_pool2d_backward(np.array([[2.0, 3.0]]), x, -math.inf, (1, 2))
    assert_array_equal(g, [[0.0, 2.0, 0.0, -3.0]])  # -inf: the smallest |x|


def test_zero_window_sends_no_gradient():
    # the docstring's promise: sign(o) * relu(|o|) has slope 0 where o == 0
    x = np.zeros((1, 1, 2, 2))
    assert_array_equal(lp_pool2d(x, 2, 2), [[[[0.0]]]])
    assert_array_equal(lp_pool2d_backward(np.ones((1, 1, 1, 1)), x, 2, 2), np.zeros_like(x))
    # ... but with p < 1 the last factor p·x**(p-1) is inf at 0, and 0·inf is NaN (as in torch)
    g = lp_pool2d_backward(np.ones((1, 1, 1, 1)), np.zeros((1, 1, 1, 2)), 0.5, (1, 2))
    assert np.isnan(g).all()
    # in a window with a non-zero sum the derivative at 0 is truly infinite for p < 1
    g = lp_pool2d_backward(np.ones((1, 1, 1, 1)), np.array([[[[0.0, 1.0]]]]), 0.5, (1, 2))
    assert_array_equal(g, [[[[np.inf, 1.0]]]])


def test_nan_window_gradient_is_nan():
    x = np.array([[[[np.nan, 1.0, 2.0, 3.0]]]])
    g = lp_pool2d_backward(np.ones((1, 1, 1, 2)), x, 2, (1, 2))
    assert np.isnan(g[0, 0, 0, :2]).all()
    assert np.isfinite(g[0, 0, 0, 2:]).all()


def test_integers_are_computed_in_float64_and_ranks_kept():
    x = np.arange(12).reshape(3, 4)
    y = lp_pool2d(x, 2, 2)
    assert y.dtype == np.float64 and y.shape == (1, 2)
    x3 = np.random.default_rng(0).standard_normal((2, 5, 6)).astype(np.float32)
    y3 = lp_pool2d(x3, 2, 2, 1)
    assert y3.dtype == np.float32 and y3.shape == (2, 4, 5)
    assert lp_pool2d_backward(np.ones_like(y3), x3, 2, 2, 1).dtype == np.float32


# ---- against the plain loops --------------------------------------------------------------------
def pair_or_int(low, high):
    v = st.integers(low, high)
    return st.one_of(v, st.tuples(v, v))


@st.composite
def lp_cases(draw):
    rank = draw(st.sampled_from([2, 3, 4]))
    lead = [draw(st.integers(1, 2)) for _ in range(rank - 2)]
    shape = (*lead, draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    kind = draw(st.sampled_from(["normal", "positive", "ints", "special"]))
    if kind == "normal":
        x = rng.standard_normal(shape)
    elif kind == "positive":
        x = np.abs(rng.standard_normal(shape)) + 0.1
    elif kind == "ints":
        x = rng.integers(-2, 3, shape).astype(float)
    else:
        pool = np.array([-np.inf, np.inf, np.nan, -1.0, 0.0, -0.0, 1.0, 2.0])
        x = pool[rng.integers(0, len(pool), size=shape)]
    params = dict(
        norm_type=draw(st.sampled_from(NORMS)),
        kernel_size=draw(pair_or_int(1, 4)),
        stride=draw(st.one_of(st.none(), pair_or_int(1, 3))),
        ceil_mode=draw(st.booleans()),
    )
    return x.astype(dtype), params, rng


def assert_close(ours, theirs, rtol):
    """Same shape and dtype; NaN and ±inf in the same places; finite values within ``rtol``
    of the array's largest finite magnitude (gradients of overlapping windows are sums, whose
    rounding is relative to their terms, not to the total)."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert_array_equal(np.isnan(ours), np.isnan(theirs))
    inf = np.isinf(theirs)
    assert_array_equal(np.isinf(ours), inf)
    assert_array_equal(ours[inf], theirs[inf])
    finite = np.isfinite(theirs)
    scale = np.abs(theirs[finite]).max(initial=0.0)
    assert_allclose(ours[finite], theirs[finite], rtol=rtol, atol=rtol * scale)


def tolerance(x):
    return 1e-5 if x.dtype == np.float32 else 1e-12


@SETTINGS
@given(case=lp_cases())
def test_matches_reference(case):
    x, params, rng = case
    y = fast_or_discard(lambda: lp_pool2d(x, **params), lambda: reference.lp_pool2d(x, **params))
    assert_close(y, reference.lp_pool2d(x, **params), tolerance(x))
    gy = rng.standard_normal(y.shape).astype(y.dtype)
    assert_close(
        lp_pool2d_backward(gy, x, **params),
        reference.lp_pool2d_backward(gy, x, **params),
        tolerance(x),
    )


# ---- finite differences -------------------------------------------------------------------------
EPS = 1e-6
GRAD_CASES = [
    # (input shape, norm_type, kernel_size, stride, ceil_mode)
    ((4, 4), 1, 2, None, False),
    ((5, 6), 2, 3, 2, True),  # overlapping windows, partial ceil windows
    ((2, 3, 5, 5), 3, (2, 3), (1, 2), True),
    ((1, 2, 6, 5), 1.5, 2, 1, False),
    ((3, 7, 4), 0.5, (3, 2), (2, 2), True),
    ((5, 5), -1, 2, 1, False),
    ((2, 4, 4), 4, 3, 1, False),
    ((6, 6), math.inf, 3, 2, True),
    ((6, 6), -math.inf, 2, 1, False),
]


@pytest.mark.parametrize(("shape", "p", "k", "s", "ceil"), GRAD_CASES)
def test_gradient(shape, p, k, s, ceil):
    rng = np.random.default_rng(7)
    # positive values, well apart: x**p is smooth and no max changes under a perturbation
    n = int(np.prod(shape))
    x = (1.0 + rng.permutation(n) * 0.37 + rng.uniform(0, 0.1)).reshape(shape)
    g_out = rng.standard_normal(lp_pool2d(x, p, k, s, ceil).shape)

    def loss(xx):
        return np.sum(lp_pool2d(xx, p, k, s, ceil) * g_out)

    analytic = lp_pool2d_backward(g_out, x, p, k, s, ceil)
    check_gradient(loss, x, analytic, rng, EPS, rtol=1e-6, atol=1e-7)


# ---- validation ---------------------------------------------------------------------------------
X = np.zeros((1, 1, 4, 4))
G = np.zeros((1, 1, 2, 2))

INVALID_CALLS = [
    # (call, the exact English sentence)
    (
        lambda: lp_pool2d(X, 0, 2),
        "norm_type (0) must not be zero: the result is the (1 / norm_type)-th root",
    ),
    (
        lambda: lp_pool2d_backward(G, X, 0.0, 2),
        "norm_type (0.0) must not be zero: the result is the (1 / norm_type)-th root",
    ),
    (lambda: lp_pool2d(X, "2", 2), "norm_type must be a real number (the power p), got '2'"),
    (lambda: lp_pool2d(X, 2j, 2), "norm_type must be a real number (the power p), got 2j"),
    (lambda: lp_pool2d(X, True, 2), "norm_type must be a real number (the power p), got True"),
    (lambda: lp_pool2d(X, None, 2), "norm_type must be a real number (the power p), got None"),
    (
        lambda: lp_pool2d(X, 10**400, 2),
        f"norm_type ({10**400}) is too large for a floating-point power",
    ),
    (
        lambda: lp_pool2d(X, 2, (2,)),
        "kernel_size ((2,)) must be a single int or a pair of ints (height, width); "
        "lp_pool2d takes no other length",
    ),
    (
        lambda: lp_pool2d_backward(G, X, 2, [2, 2, 2]),
        "kernel_size ([2, 2, 2]) must be a single int or a pair of ints (height, width); "
        "lp_pool2d takes no other length",
    ),
    (
        lambda: lp_pool2d_backward(np.zeros((1, 1, 3, 3)), X, 2, 2),
        "grad_output shape (1, 1, 3, 3) must match the output shape (1, 1, 2, 2)",
    ),
    (
        lambda: lp_pool2d_backward(np.zeros((2, 2), dtype=bool), X[0, 0], math.inf, 2),
        "grad_output must hold real numbers, got dtype bool",
    ),
    (
        lambda: lp_pool2d_backward(G, X, 2, 2, pooled=np.zeros((1, 1, 3, 3))),
        "pooled must have shape (1, 1, 2, 2) (the output's: lp_pool2d(..., return_pooled=True) "
        "returns it); got shape (1, 1, 3, 3)",
    ),
]


@pytest.mark.parametrize(("call", "english"), INVALID_CALLS)
def test_validation_message(call, english):
    check_structured_error(call, english)


def test_every_rule_of_lp_pool_py_is_exercised():
    """Each ParameterError template written in engine/lp_pool.py is raised above."""
    assert_every_rule_exercised("lp_pool.py", [call for call, _ in INVALID_CALLS])


@pytest.mark.parametrize(
    ("params", "fragments"),
    [
        (dict(kernel_size=0), ["kernel_size", "0"]),
        (dict(kernel_size=2, stride=0), ["stride", "0"]),
        (dict(kernel_size=5), ["kernel_size", "5", "too large"]),
        (dict(kernel_size=2, ceil_mode="yes"), ["ceil_mode"]),
    ],
)
@pytest.mark.parametrize("p", [2, math.inf])
def test_window_rules_are_avg_pool2d_s(params, fragments, p):
    for call in (lambda: lp_pool2d(X, p, **params), lambda: lp_pool2d_backward(G, X, p, **params)):
        with pytest.raises(ValueError) as info:
            call()
        for fragment in fragments:
            assert fragment in str(info.value)


# ---- PyTorch ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


@SETTINGS
@given(case=lp_cases())
def test_against_torch(torch, case):
    x, params, rng = case
    x4 = x.reshape((1,) * (4 - x.ndim) + x.shape)  # torch's lp_pool2d wants 3-D or 4-D
    tx = torch.tensor(x4, requires_grad=True)
    try:
        ty = torch.nn.functional.lp_pool2d(tx, **params)
    except (RuntimeError, ValueError, TypeError):
        with pytest.raises(ValueError):
            lp_pool2d(x4, **params)
        return
    y = lp_pool2d(x4, **params)
    assert_close(y, ty.detach().numpy(), tolerance(x))
    gy = rng.standard_normal(y.shape).astype(y.dtype)
    ty.backward(torch.tensor(gy))
    assert_close(lp_pool2d_backward(gy, x4, **params), tx.grad.numpy(), tolerance(x))


def test_spec_examples_against_torch(torch):
    F = torch.nn.functional
    x = np.array([[[[-1.0, -2.0], [-3.0, -4.0]]]])
    for p in (1, 2, 3, 1.5):
        assert_close(lp_pool2d(x, p, 2), F.lp_pool2d(torch.tensor(x), p, 2).numpy(), 1e-15)
    x = np.array([[[1.0, 2.0, 3.0]]])
    assert_array_equal(
        lp_pool2d(x, 1, (1, 2), 2, True), F.lp_pool2d(torch.tensor(x), 1, (1, 2), 2, True).numpy()
    )


ODD_PARAMS = st.fixed_dictionaries(
    dict(
        norm_type=st.one_of(
            st.sampled_from([0, 0.0, -0.0, 2, 1.5, -1, math.inf, -math.inf, math.nan, 1e308]),
            st.sampled_from(["2", 2j]),
        ),
        kernel_size=st.one_of(
            st.integers(-1, 6),
            st.tuples(st.integers(0, 5)),
            st.tuples(st.integers(0, 5), st.integers(0, 5)),
            st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
        ),
        stride=st.one_of(st.none(), st.integers(-1, 3), st.tuples(st.integers(0, 3)), st.just([])),
        ceil_mode=st.booleans(),
    )
)


@settings(max_examples=100, deadline=None)
@given(params=ODD_PARAMS)
def test_accepts_and_rejects_like_torch(torch, params):
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 5))
    try:
        expected = torch.nn.functional.lp_pool2d(torch.tensor(x), **params)
    except (RuntimeError, TypeError, ValueError, ZeroDivisionError, NotImplementedError):
        with pytest.raises(ValueError):
            lp_pool2d(x, **params)
        return
    assert_close(lp_pool2d(x, **params), expected.numpy(), 1e-12)


# ---- the forward's pooled intermediate handed to the backward -----------------------------------
@pytest.mark.parametrize("p", [1.0, 2.0, 3.0, 1.5, -1.0, 0.5, 4.0])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("rank", [2, 3, 4])
def test_backward_from_the_pooled_intermediate_is_the_same(p, ceil_mode, rank):
    """``pooled=`` (from ``return_pooled=True``) gives the same bits as pooling x**p again."""
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 6))
    x[0, 0, :2, :2] = 0.0  # a zero window: the relu cuts its gradient
    x[0, 1, 3, 3] = np.nan
    x[1, 2, 4, 1] = -np.inf
    x[1, 0] = np.abs(x[1, 0])
    for dtype in (np.float32, np.float64):
        xs = x.astype(dtype)[(0,) * (4 - rank)]
        y, pooled = lp_pool2d(xs, p, (3, 2), (2, 2), ceil_mode, return_pooled=True)
        assert_array_equal(y, lp_pool2d(xs, p, (3, 2), (2, 2), ceil_mode))
        assert pooled is not None and pooled.shape == y.shape and pooled.dtype == y.dtype
        g = rng.standard_normal(y.shape).astype(dtype)
        want = lp_pool2d_backward(g, xs, p, (3, 2), (2, 2), ceil_mode)
        got = lp_pool2d_backward(g, xs, p, (3, 2), (2, 2), ceil_mode, pooled=pooled)
        assert_array_equal(got, want)


def test_infinite_norm_has_no_pooled_intermediate():
    x = np.arange(16.0).reshape(4, 4) - 7
    y, pooled = lp_pool2d(x, math.inf, 2, return_pooled=True)
    assert pooled is None
    assert_array_equal(y, lp_pool2d(x, math.inf, 2))
    g = np.ones_like(y)
    assert_array_equal(
        lp_pool2d_backward(g, x, math.inf, 2, pooled=np.zeros(y.shape)),
        lp_pool2d_backward(g, x, math.inf, 2),
    )

"""Property tests: the vectorised engine against the plain-loop reference (engine/reference.py).

Parameters are drawn freely, valid or not.  Whenever the fast path refuses a call with
``ValueError`` the reference must refuse it too (and the example is discarded); any other
exception type fails the test.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import avg_params, fast_or_discard, hypothesis_settings, pool_params
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import engine
from engine import reference

# inf + (-inf) inside a window is NaN, as in torch; NumPy warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

SETTINGS = hypothesis_settings(120)


# ---- strategies ---------------------------------------------------------------------------------
def pair_or_int(low: int, high: int):
    """An int, a 1-tuple or an (h, w) pair, each entry in [low, high]."""
    v = st.integers(low, high)
    return st.one_of(v, st.tuples(v), st.tuples(v, v))


POOL_PARAMS = pool_params(pair_or_int)
AVG_PARAMS = avg_params(pair_or_int, divisor=5)


@st.composite
def arrays(draw, rank: int | None = None, max_side: int = 6, kind: str | None = None):
    """A small array of rank 2, 3 or 4 with tie-rich integers, floats with ±inf/NaN, or float32."""
    rank = draw(st.sampled_from([2, 3, 4])) if rank is None else rank
    lead = [draw(st.integers(1, 2)) for _ in range(rank - 2)]
    shape = (*lead, draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    size = int(np.prod(shape))
    kind = draw(st.sampled_from(["ties", "float", "special"])) if kind is None else kind
    if kind == "ties":
        values = draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
        return np.array(values, dtype=np.int64).reshape(shape)
    if kind == "special":
        pool = [-np.inf, np.inf, np.nan, -1.0, 0.0, -0.0, 1.0, 2.0]
        values = draw(st.lists(st.sampled_from(pool), min_size=size, max_size=size))
        return np.array(values).reshape(shape)
    values = draw(
        st.lists(st.floats(-100, 100, allow_nan=False, width=64), min_size=size, max_size=size)
    )
    x = np.array(values).reshape(shape)
    if kind == "float":
        # a few -inf entries: padding must still never win
        mask = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)))
        x = np.where(mask.reshape(shape) & (x > 50), -np.inf, x)
    return x


def grad_like(draw, shape: tuple[int, ...]) -> np.ndarray:
    """An upstream gradient: quarters in [-1, 1], so sums are exact in any order."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return rng.integers(-4, 5, size=shape).astype(np.float64) / 4


def forward_or_discard(name: str, *args, **params):
    """``engine.<name>(*args, **params)``, checked by :func:`fast_or_discard` against the
    reference loop of the same name."""
    return fast_or_discard(
        lambda: getattr(engine, name)(*args, **params),
        lambda: getattr(reference, name)(*args, **params),
    )


# ---- max pooling ------------------------------------------------------------------------------
@SETTINGS
@given(x=arrays(), params=POOL_PARAMS)
def test_max_pool_forward(x, params):
    y, idx = fast_or_discard(
        lambda: engine.max_pool2d(x, **params, return_indices=True),
        lambda: reference.max_pool2d(x, **params),
    )
    y_ref, idx_ref = reference.max_pool2d(x, **params)
    assert y.shape == y_ref.shape and y.ndim == x.ndim
    assert idx.dtype == np.int64
    assert_array_equal(y, y_ref)  # NaN == NaN here
    assert_array_equal(np.signbit(y), np.signbit(y_ref))  # -0.0 stays -0.0
    assert_array_equal(idx, idx_ref)
    assert_array_equal(engine.max_pool2d(x, **params), y)  # the same values without indices


@SETTINGS
@given(data=st.data(), x=arrays(), params=POOL_PARAMS)
def test_max_pool_backward(data, x, params):
    y = forward_or_discard("max_pool2d", x, **params)
    gy = grad_like(data.draw, y.shape)
    for ties in ("first", "all", "split"):
        g = engine.max_pool2d_backward(gy, x, **params, ties=ties)
        g_ref = reference.max_pool2d_backward(gy, x, **params, ties=ties)
        assert g.shape == x.shape
        if ties == "first":
            assert_array_equal(g, g_ref)
        else:
            assert_allclose(g, g_ref, rtol=1e-12, atol=1e-12)


@SETTINGS
@given(x=arrays(kind="ties"), params=POOL_PARAMS)
def test_max_pool_mask_counts(x, params):
    """How many windows each element wins is the backward of an all-ones gradient."""
    y = forward_or_discard("max_pool2d", x, **params)
    ones = np.ones(y.shape)
    for ties in ("first", "all", "split"):
        mask = engine.max_pool2d_mask(x, **params, ties=ties)
        policy = "first" if ties == "first" else "all"
        expected = reference.max_pool2d_backward(ones, x, **params, ties=policy)
        assert mask.counts.shape == x.shape
        assert_array_equal(mask.counts, expected)
        assert_array_equal(mask.union, expected > 0)
        per_window = mask.winners.sum(axis=(-1, -2))
        if ties == "first":
            # exactly one winner per window, unless the window read no input at all
            assert set(np.unique(per_window)) <= {0, 1}
        x4 = np.asarray(x, dtype=float).reshape((1,) * (4 - x.ndim) + x.shape)
        y4 = y.reshape(per_window.shape)
        for (n, c, oh, ow), _ in np.ndenumerate(per_window):
            window = mask.window(oh, ow, n, c)
            if ties != "first":
                assert (x4[n, c][window] == y4[n, c, oh, ow]).all()
            assert window.sum() == per_window[n, c, oh, ow]


# ---- average pooling --------------------------------------------------------------------------
@SETTINGS
@given(x=arrays(), params=AVG_PARAMS)
def test_avg_pool_forward(x, params):
    y = forward_or_discard("avg_pool2d", x, **params)
    y_ref = reference.avg_pool2d(x, **params)
    assert y.shape == y_ref.shape and y.ndim == x.ndim
    assert y.dtype == np.float64
    assert_allclose(y, y_ref, rtol=1e-13, atol=0, equal_nan=True)


@SETTINGS
@given(data=st.data(), x=arrays(), params=AVG_PARAMS)
def test_avg_pool_backward(data, x, params):
    y = forward_or_discard("avg_pool2d", x, **params)
    gy = grad_like(data.draw, y.shape)
    g = engine.avg_pool2d_backward(gy, x, **params)
    g_ref = reference.avg_pool2d_backward(gy, x, **params)
    assert g.shape == x.shape
    assert_allclose(g, g_ref, rtol=1e-13, atol=1e-15)


@st.composite
def float32_arrays(draw):
    """float32 values of wildly different magnitudes, so summation order shows in the bits."""
    x = draw(arrays(kind="float", max_side=7)).astype(np.float32)
    shape = x.shape
    size = x.size
    scale = draw(
        st.lists(st.sampled_from([1.0, 2.0**-20, 2.0**24, 3.0]), min_size=size, max_size=size)
    )
    return (x * np.array(scale, dtype=np.float32).reshape(shape)).astype(np.float32)


@SETTINGS
@given(data=st.data(), x=float32_arrays(), params=AVG_PARAMS)
def test_avg_pool_float32_bitwise(data, x, params):
    """float32: sequential row-major sums and (oh, ow)-ordered backward, bit for bit (§4.4-4.5)."""
    y = forward_or_discard("avg_pool2d", x, **params)
    assert y.dtype == np.float32
    assert_array_equal(y, reference.avg_pool2d(x, **params))
    scale = data.draw(st.sampled_from([1.0, 2.0**24, 3 * 2.0**24]))
    gy = (grad_like(data.draw, y.shape) * scale).astype(np.float32)
    g = engine.avg_pool2d_backward(gy, x, **params)
    assert g.dtype == np.float32
    assert_array_equal(g, reference.avg_pool2d_backward(gy, x, **params))


# ---- convolution ---------------------------------------------------------------------------------
@st.composite
def conv_case(draw):
    """x, weight, bias and parameters; channel counts always fit ``groups``."""
    two_d = draw(st.booleans()) and draw(st.booleans())  # the teaching form, 1 time in 4
    groups = 1 if two_d else draw(st.integers(1, 3))
    c_in_g, c_out_g = (1, 1) if two_d else (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    if two_d:
        x_shape, w_shape = (h, w), (kh, kw)
    else:
        lead = (draw(st.integers(1, 2)),) if draw(st.booleans()) else ()
        x_shape = (*lead, c_in_g * groups, h, w)
        w_shape = (c_out_g * groups, c_in_g, kh, kw)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if draw(st.booleans()):
        x = rng.integers(-3, 4, size=x_shape)  # integers: computed in float64
    else:
        x = rng.standard_normal(x_shape)
    weight = rng.standard_normal(w_shape)
    c_out = 1 if two_d else w_shape[0]
    bias = draw(st.sampled_from(["none", "array", "scalar"] if two_d else ["none", "array"]))
    bias = {"none": None, "array": rng.standard_normal(c_out), "scalar": 0.75}[bias]
    params = dict(
        stride=draw(pair_or_int(1, 3)),
        padding=draw(st.one_of(pair_or_int(0, 2), st.sampled_from(["same", "valid"]))),
        dilation=draw(pair_or_int(1, 2)),
        groups=groups,
    )
    return x, weight, bias, params


@SETTINGS
@given(case=conv_case())
def test_conv_forward(case):
    x, weight, bias, params = case
    y = forward_or_discard("conv2d", x, weight, bias, **params)
    y_ref = reference.conv2d(x, weight, bias, **params)
    assert y.shape == y_ref.shape and y.ndim == x.ndim
    assert_allclose(y, y_ref, rtol=1e-12, atol=1e-12)
    if params["padding"] == "same":
        assert y.shape[-2:] == x.shape[-2:]


@SETTINGS
@given(data=st.data(), case=conv_case())
def test_conv_backward(data, case):
    x, weight, bias, params = case
    y = forward_or_discard("conv2d", x, weight, bias, **params)
    gy = grad_like(data.draw, y.shape)
    gx, gw, gb = engine.conv2d_backward(gy, x, weight, bias, **params)
    gx_ref, gw_ref, gb_ref = reference.conv2d_backward(gy, x, weight, bias, **params)
    assert gx.shape == np.shape(x) and gw.shape == np.shape(weight)
    assert_allclose(gx, gx_ref, rtol=1e-12, atol=1e-12)
    assert_allclose(gw, gw_ref, rtol=1e-12, atol=1e-12)
    if bias is None:
        assert gb is None
    else:
        assert np.shape(gb) == np.shape(bias)
        assert_allclose(gb, gb_ref, rtol=1e-12, atol=1e-12)


# ---- every ValueError, never anything else -------------------------------------------------------
ANY = st.one_of(
    st.integers(-2, 5),
    st.tuples(st.integers(-1, 4), st.integers(-1, 4)),
    st.none(),
    st.sampled_from(["a", "same", 1.5, True, (1, 2, 3), ()]),
)


@settings(max_examples=150, deadline=None)
@given(
    x=arrays(max_side=4),
    kernel=ANY,
    stride=ANY,
    padding=ANY,
    dilation=ANY,
    ceil=st.sampled_from([True, False, 1, None]),
    divisor=st.one_of(st.none(), st.integers(-1, 1), st.just(1.5)),
)
def test_arbitrary_parameters_only_raise_value_error(
    x, kernel, stride, padding, dilation, ceil, divisor
):
    """Whatever is passed, the engine computes or raises ValueError, and agrees with the loops."""
    calls = [
        (
            lambda: engine.max_pool2d(x, kernel, stride, padding, dilation, ceil, True),
            lambda: reference.max_pool2d(x, kernel, stride, padding, dilation, ceil),
        ),
        (
            lambda: engine.avg_pool2d(x, kernel, stride, padding, ceil, True, divisor),
            lambda: reference.avg_pool2d(x, kernel, stride, padding, ceil, True, divisor),
        ),
    ]
    for fast, slow in calls:
        try:
            fast()
        except ValueError:
            with pytest.raises(ValueError):
                slow()
    w = np.ones((2, 2)) if x.ndim == 2 else np.ones((1, x.shape[-3], 2, 2))
    try:
        engine.conv2d(x, w, None, stride, padding, dilation)
    except ValueError:
        with pytest.raises(ValueError):
            reference.conv2d(x, w, None, stride, padding, dilation)

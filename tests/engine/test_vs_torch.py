"""The engine against PyTorch itself (skipped when torch is not installed).

Forward values, indices and autograd gradients on random cases, plus the accept/reject
decision for every drawn parameter set: the engine refuses exactly what torch refuses.
Max pooling and its indices are compared exactly; float64 averages and convolutions to a tight
tolerance; float32 average pooling bit for bit (spec §4.4-4.5).
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import avg_params, hypothesis_settings, pool_params
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import engine

torch = pytest.importorskip("torch")
F = torch.nn.functional

pytestmark = pytest.mark.filterwarnings(
    "ignore:invalid value encountered:RuntimeWarning",
    # torch warns that 'same' padding with an even kernel may copy the input
    "ignore:Using padding='same':UserWarning",
)

SETTINGS = hypothesis_settings(100)


def pair_or_int(low: int, high: int):
    v = st.integers(low, high)
    return st.one_of(v, st.tuples(v, v))


POOL_PARAMS = pool_params(pair_or_int)
AVG_PARAMS = avg_params(pair_or_int, divisor=4)


@st.composite
def batches(draw, kind: str | None = None):
    """(N, C, H, W) float64: tie-rich small integers, or values with ±inf/NaN, or normals."""
    shape = (
        draw(st.integers(1, 2)),
        draw(st.integers(1, 2)),
        draw(st.integers(1, 7)),
        draw(st.integers(1, 7)),
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["ties", "special", "normal"])) if kind is None else kind
    if kind == "ties":
        return rng.integers(0, 3, size=shape).astype(np.float64)
    if kind == "special":
        pool = np.array([-np.inf, np.inf, np.nan, -1.0, 0.0, -0.0, 1.0, 2.0])
        return pool[rng.integers(0, len(pool), size=shape)]
    return rng.standard_normal(shape)


def agree_on_validity(ours, theirs):
    """Run both; they must accept or refuse together.  Returns both results (or discards)."""
    try:
        mine = ours()
    except ValueError:
        with pytest.raises((RuntimeError, ValueError, TypeError)):
            theirs()
        assume(False)
    return mine, theirs()


def tensor(x: np.ndarray, grad: bool = False):
    """``x`` as a torch tensor of the same float dtype."""
    return torch.tensor(x, requires_grad=grad)


# ---- max pooling ---------------------------------------------------------------------------------
@SETTINGS
@given(x=batches(), params=POOL_PARAMS, seed=st.integers(0, 2**32 - 1))
def test_max_pool(x, params, seed):
    (y, idx), (ty, tidx) = agree_on_validity(
        lambda: engine.max_pool2d(x, **params, return_indices=True),
        lambda: F.max_pool2d(tensor(x), **params, return_indices=True),
    )
    assert y.shape == tuple(ty.shape)
    assert_array_equal(y, ty.numpy())
    assert_array_equal(np.signbit(y), np.signbit(ty.numpy()))
    assert_array_equal(idx, tidx.numpy())
    # unbatched (C, H, W) gives the same planes
    y3, idx3 = engine.max_pool2d(x[0], **params, return_indices=True)
    assert_array_equal(y3, y[0])
    assert_array_equal(idx3, idx[0])

    # PyTorch's backward writes out of bounds for a window without real taps (issue #114216)
    g = engine.pool_geometry(x.shape[2:], **params)
    if not g.reads_input().all():
        return
    gy = np.random.default_rng(seed).standard_normal(y.shape)
    tx = tensor(x, grad=True)
    F.max_pool2d(tx, **params).backward(torch.tensor(gy))
    assert_array_equal(engine.max_pool2d_backward(gy, x, **params), tx.grad.numpy())


# ---- average pooling -----------------------------------------------------------------------------
@SETTINGS
@given(x=batches(), params=AVG_PARAMS, seed=st.integers(0, 2**32 - 1))
def test_avg_pool_floatensor(x, params, seed):
    y, ty = agree_on_validity(
        lambda: engine.avg_pool2d(x, **params), lambda: F.avg_pool2d(tensor(x), **params)
    )
    assert y.shape == tuple(ty.shape)
    assert_allclose(y, ty.numpy(), rtol=1e-12, atol=1e-14, equal_nan=True)
    gy = np.random.default_rng(seed).standard_normal(y.shape)
    tx = tensor(x, grad=True)
    F.avg_pool2d(tx, **params).backward(torch.tensor(gy))
    assert_allclose(
        engine.avg_pool2d_backward(gy, x, **params), tx.grad.numpy(), rtol=1e-12, atol=1e-14
    )


@SETTINGS
@given(x=batches(kind="normal"), params=AVG_PARAMS, seed=st.integers(0, 2**32 - 1))
def test_avg_pool_float32_bitwise(x, params, seed):
    rng = np.random.default_rng(seed)
    # magnitudes from 2^-20 to 2^24, so every change of summation order shows in the bits
    x = (x * rng.choice([2.0**-20, 1.0, 3.0, 2.0**24], size=x.shape)).astype(np.float32)
    y, ty = agree_on_validity(
        lambda: engine.avg_pool2d(x, **params), lambda: F.avg_pool2d(tensor(x), **params)
    )
    assert y.dtype == np.float32
    assert_array_equal(y, ty.numpy())
    gy = (rng.standard_normal(y.shape) * rng.choice([1.0, 2.0**24], size=y.shape)).astype(
        np.float32
    )
    tx = tensor(x, grad=True)
    F.avg_pool2d(tx, **params).backward(torch.tensor(gy))
    g = engine.avg_pool2d_backward(gy, x, **params)
    assert g.dtype == np.float32
    assert_array_equal(g, tx.grad.numpy())


def test_spec_float32_examples_against_torch():
    x = np.array([[[[16777216, 1], [1, 0]]]], dtype=np.float32)
    assert_array_equal(engine.avg_pool2d(x, 2), F.avg_pool2d(torch.tensor(x), 2).numpy())
    tx = torch.zeros((1, 1, 1, 3), dtype=torch.float32, requires_grad=True)
    gy = np.array([[[[3 * 2**24, 3, 3]]]], dtype=np.float32)
    F.avg_pool2d(tx, (1, 3), 1, (0, 1)).backward(torch.tensor(gy))
    g = engine.avg_pool2d_backward(gy, np.zeros((1, 1, 1, 3), np.float32), (1, 3), 1, (0, 1))
    assert_array_equal(g, tx.grad.numpy())
    assert_array_equal(g.ravel(), [16777216, 16777216, 2])


# ---- convolution ---------------------------------------------------------------------------------
@st.composite
def conv_cases(draw):
    groups = draw(st.integers(1, 3))
    c_in_g, c_out_g = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.standard_normal(
        (draw(st.integers(1, 2)), c_in_g * groups, draw(st.integers(1, 7)), draw(st.integers(1, 7)))
    )
    w = rng.standard_normal(
        (c_out_g * groups, c_in_g, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    )
    b = rng.standard_normal(c_out_g * groups) if draw(st.booleans()) else None
    params = dict(
        stride=draw(pair_or_int(1, 3)),
        padding=draw(st.one_of(pair_or_int(0, 2), st.sampled_from(["same", "valid"]))),
        dilation=draw(pair_or_int(1, 2)),
        groups=groups,
    )
    return x, w, b, params, rng


@SETTINGS
@given(case=conv_cases())
def test_conv(case):
    x, w, b, params, rng = case
    tb = None if b is None else torch.tensor(b, requires_grad=True)
    tx, tw = tensor(x, grad=True), tensor(w, grad=True)
    y, ty = agree_on_validity(
        lambda: engine.conv2d(x, w, b, **params), lambda: F.conv2d(tx, tw, tb, **params)
    )
    assert y.shape == tuple(ty.shape)
    assert_allclose(y, ty.detach().numpy(), rtol=1e-10, atol=1e-10)
    gy = rng.standard_normal(y.shape)
    ty.backward(torch.tensor(gy))
    gx, gw, gb = engine.conv2d_backward(gy, x, w, b, **params)
    assert_allclose(gx, tx.grad.numpy(), rtol=1e-10, atol=1e-10)
    assert_allclose(gw, tw.grad.numpy(), rtol=1e-10, atol=1e-10)
    if b is None:
        assert gb is None
    else:
        assert_allclose(gb, tb.grad.numpy(), rtol=1e-10, atol=1e-10)


@settings(max_examples=40, deadline=None)
@given(case=conv_cases())
def test_conv_float32(case):
    """float32 is not bit-reproducible (spec §6.7): compare relative to sum |x·w|."""
    x, w, _, params, _ = case
    x32, w32 = x.astype(np.float32), w.astype(np.float32)
    try:
        y = engine.conv2d(x32, w32, None, **params)
    except ValueError:
        assume(False)
    assert y.dtype == np.float32
    ty = F.conv2d(torch.tensor(x32), torch.tensor(w32), None, **params).numpy()
    scale = engine.conv2d(np.abs(x), np.abs(w), None, **params)
    assert np.all(np.abs(y - ty) <= 1e-5 * (1 + scale))


def test_conv_2d_teaching_form_matches_torch():
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((6, 5)), rng.standard_normal((2, 3))
    y = engine.conv2d(x, w, 0.5, stride=(2, 1), padding="valid")
    ty = F.conv2d(
        torch.tensor(x)[None, None],
        torch.tensor(w)[None, None],
        torch.tensor([0.5], dtype=torch.float64),
        (2, 1),
    )
    assert_allclose(y, ty[0, 0].numpy(), rtol=1e-12)

"""Finite-difference checks of every backward pass, in float64.

The loss is ``L = sum(forward(x) * G)`` for a random upstream gradient ``G``; its gradient is
what each ``*_backward`` returns for ``grad_output = G``.  Central differences approximate it
element by element and along a random direction.  Pooling and convolution are piecewise
linear, so with inputs away from ties the differences are exact up to rounding.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from checks import check_gradient, distinct_values

from engine.conv import conv2d, conv2d_backward
from engine.pooling import avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward

# checks.check_gradient: central differences (EPS = 1e-4) element-wise and along a random
# direction; checks.distinct_values: values 0.5 apart, so no perturbation changes an argmax.


# ---- max pooling --------------------------------------------------------------------------------
MAX_CASES = [
    # (input shape, kernel_size, stride, padding, dilation, ceil_mode)
    ((4, 4), 2, None, 0, 1, False),
    ((5, 5), 3, 1, 1, 1, False),  # overlapping windows: one element may win several
    ((6, 7), 3, 2, 1, 1, True),  # ceil mode with a clipped last window
    ((2, 3, 7, 6), (2, 3), (1, 2), (1, 1), (2, 1), True),
    ((7, 7), 2, 3, 0, 1, True),  # stride > kernel: some elements are in no window
    ((1, 2, 6, 5), 3, 1, 1, 2, False),
    ((3, 5, 4), (1, 3), (2, 1), (0, 1), (1, 2), False),
    ((2, 2), 3, None, 1, 1, True),  # kernel larger than the input
]


@pytest.mark.parametrize(("shape", "k", "s", "p", "d", "ceil"), MAX_CASES)
@pytest.mark.parametrize("ties", ["first", "all", "split"])
def test_max_pool_gradient(shape, k, s, p, d, ceil, ties):
    rng = np.random.default_rng(1)
    x = distinct_values(shape, rng)
    y = max_pool2d(x, k, s, p, d, ceil)
    assert np.isfinite(y).all()  # every window reads input
    g_out = rng.standard_normal(y.shape)

    def loss(xx):
        return np.sum(max_pool2d(xx, k, s, p, d, ceil) * g_out)

    analytic = max_pool2d_backward(g_out, x, k, s, p, d, ceil, ties=ties)
    # without ties every policy is the true gradient
    check_gradient(loss, x, analytic, rng)


def test_max_pool_gradient_integer_input():
    """Integer input is computed in float64; its gradient is a float64 array."""
    x = np.arange(16).reshape(4, 4)[::-1]
    g = max_pool2d_backward(np.ones((3, 3)), x, 2, 1)
    assert g.dtype == np.float64

    def loss(xx):
        return np.sum(max_pool2d(xx, 2, 1))

    check_gradient(loss, x.astype(np.float64), g, np.random.default_rng(2))


# ---- average pooling -------------------------------------------------------------------------
AVG_GEOMETRIES = [
    # (input shape, kernel_size, stride)
    ((5, 6), 3, 2),
    ((2, 6, 5), (2, 3), (1, 2)),
    ((1, 2, 4, 7), (3, 2), (3, 3)),
]
AVG_CASES = [
    (shape, k, s, p, ceil, cip, div)
    for (shape, k, s), p, ceil, cip, div in itertools.product(
        AVG_GEOMETRIES, [0, 1], [False, True], [True, False], [None, 3, -2]
    )
]


@pytest.mark.parametrize(("shape", "k", "s", "p", "ceil", "cip", "div"), AVG_CASES)
def test_avg_pool_gradient(shape, k, s, p, ceil, cip, div):
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape)
    args = (k, s, p, ceil, cip, div)
    g_out = rng.standard_normal(avg_pool2d(x, *args).shape)

    def loss(xx):
        return np.sum(avg_pool2d(xx, *args) * g_out)

    check_gradient(loss, x, avg_pool2d_backward(g_out, x, *args), rng)


# ---- convolution ----------------------------------------------------------------------------
CONV_CASES = [
    # (x shape, weight shape, stride, padding, dilation, groups, bias)
    ((1, 2, 5, 5), (3, 2, 3, 3), 1, 0, 1, 1, "array"),
    ((2, 4, 6, 5), (4, 2, 2, 3), (2, 1), 1, 1, 2, "array"),
    ((3, 6, 6), (3, 1, 3, 3), 1, "same", (1, 2), 3, "none"),  # depthwise
    ((1, 1, 7, 7), (2, 1, 3, 2), 3, (2, 1), 2, 1, "array"),  # uncovered rows and columns
    ((5, 5), (2, 3), 1, "valid", 1, 1, "scalar"),  # the 2-D teaching form
    ((1, 4, 5, 6), (2, 2, 2, 2), 2, "valid", (2, 1), 2, "array"),
    ((2, 4, 5), (2, 2, 2, 2), 1, "same", 1, 1, "array"),  # even kernel: extra pad right
    ((2, 6, 4, 4), (6, 2, 2, 2), (1, 2), (1, 0), 1, 3, "none"),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "s", "p", "d", "groups", "bias"), CONV_CASES)
def test_conv_gradient(x_shape, w_shape, s, p, d, groups, bias):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    c_out = 1 if len(w_shape) == 2 else w_shape[0]
    b = {"none": None, "array": rng.standard_normal(c_out), "scalar": np.float64(0.3)}[bias]
    params = dict(stride=s, padding=p, dilation=d, groups=groups)
    g_out = rng.standard_normal(conv2d(x, w, b, **params).shape)
    gx, gw, gb = conv2d_backward(g_out, x, w, b, **params)

    check_gradient(lambda xx: np.sum(conv2d(xx, w, b, **params) * g_out), x, gx, rng)
    check_gradient(lambda ww: np.sum(conv2d(x, ww, b, **params) * g_out), w, gw, rng)
    if b is None:
        assert gb is None
    else:
        b_arr = np.asarray(b, dtype=np.float64)
        check_gradient(
            lambda bb: np.sum(conv2d(x, w, bb, **params) * g_out), b_arr, np.asarray(gb), rng
        )

"""Plain nested-loop pooling and convolution, written the way a textbook would.

These are the oracle the tests hold the vectorised engine against, and the "how it is written
by hand" view the app shows while stepping.  They loop over every output position and every
tap, so they are slow: never call them on the hot path.  Parameters are validated by the same
geometry as the fast code (so both accept the same calls); the index arithmetic below is
written out again on purpose, independently of it.
"""

from __future__ import annotations

import math

import numpy as np

from engine.arrays import from_4d, to_4d
from engine.geometry import conv_geometry, pool_geometry
from engine.pooling import avg_divisors


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling by loops. Returns ``(y, indices)``; padding is −∞ and never wins."""
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    N, C, H, W = x4.shape
    kh, kw = g.kernel
    sh, sw = g.stride
    ph, pw = g.pad_before
    dh, dw = g.dilation
    out_h, out_w = g.out_size
    y = np.empty((N, C, out_h, out_w), dtype=x4.dtype)
    idx = np.empty((N, C, out_h, out_w), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for oh in range(out_h):
                for ow in range(out_w):
                    # Like PyTorch, start from the first tap at or after row/column 0.
                    r_first = min(
                        oh * sh - ph + i * dh for i in range(kh) if oh * sh - ph + i * dh >= 0
                    )
                    c_first = min(
                        ow * sw - pw + j * dw for j in range(kw) if ow * sw - pw + j * dw >= 0
                    )
                    best, best_idx = -math.inf, r_first * W + c_first
                    for i in range(kh):
                        for j in range(kw):
                            r = oh * sh - ph + i * dh
                            col = ow * sw - pw + j * dw
                            if not (0 <= r < H and 0 <= col < W):
                                continue  # padding is −∞: it can never be the maximum
                            v = x4[n, c, r, col]
                            if v > best or math.isnan(v):  # first max wins; NaN propagates
                                best, best_idx = v, r * W + col
                    y[n, c, oh, ow] = best
                    idx[n, c, oh, ow] = best_idx
    return from_4d(y, ndim), from_4d(idx, ndim)


def max_pool2d_backward(
    grad_output, x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, ties="first"
):
    """Route each window's gradient to its maximum (or maxima, for ``ties='all'``/``'split'``)."""
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    y, idx = max_pool2d(x4, kernel_size, stride, padding, dilation, ceil_mode)
    gy = np.asarray(grad_output, dtype=np.result_type(x4.dtype, np.float32))
    gy = gy.reshape(y.shape)
    N, C, H, W = x4.shape
    kh, kw = g.kernel
    sh, sw = g.stride
    ph, pw = g.pad_before
    dh, dw = g.dilation
    out_h, out_w = g.out_size
    gx = np.zeros((N, C, H, W), dtype=gy.dtype)
    for n in range(N):
        for c in range(C):
            for oh in range(out_h):
                for ow in range(out_w):
                    taps = [
                        (oh * sh - ph + i * dh, ow * sw - pw + j * dw)
                        for i in range(kh)
                        for j in range(kw)
                    ]
                    if not any(0 <= r < H and 0 <= col < W for r, col in taps):
                        continue  # the window read no input (PyTorch #114216): nothing to route
                    if ties == "first" or math.isnan(y[n, c, oh, ow]):
                        k = idx[n, c, oh, ow]
                        gx[n, c, k // W, k % W] += gy[n, c, oh, ow]
                        continue
                    winners = []
                    for i in range(kh):
                        for j in range(kw):
                            r = oh * sh - ph + i * dh
                            col = ow * sw - pw + j * dw
                            if 0 <= r < H and 0 <= col < W and x4[n, c, r, col] == y[n, c, oh, ow]:
                                winners.append((r, col))
                    share = gy[n, c, oh, ow]
                    if ties == "split":
                        share = share / len(winners)
                    for r, col in winners:
                        gx[n, c, r, col] += share
    return from_4d(gx, ndim)


def avg_pool2d(
    x,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Average pooling by loops: sum the real elements in row-major order, divide once."""
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, 1, ceil_mode)
    avg_divisors(g, count_include_pad, divisor_override)  # same validation as the fast path
    N, C, H, W = x4.shape
    kh, kw = g.kernel
    sh, sw = g.stride
    ph, pw = g.pad_before
    out_h, out_w = g.out_size
    y = np.empty((N, C, out_h, out_w), dtype=x4.dtype)
    for n in range(N):
        for c in range(C):
            for oh in range(out_h):
                for ow in range(out_w):
                    total = x4.dtype.type(0)
                    real = 0
                    for i in range(kh):
                        for j in range(kw):
                            r = oh * sh - ph + i
                            col = ow * sw - pw + j
                            if 0 <= r < H and 0 <= col < W:
                                total = total + x4[n, c, r, col]
                                real += 1
                    y[n, c, oh, ow] = total / x4.dtype.type(
                        _divisor(oh, ow, g, real, count_include_pad, divisor_override)
                    )
    return from_4d(y, ndim)


def _divisor(oh, ow, g, real, count_include_pad, divisor_override):
    if divisor_override is not None:
        return divisor_override
    if not count_include_pad:
        return real
    H, W = g.in_size
    kh, kw = g.kernel
    ph, pw = g.pad_before
    # The window is clipped at the padded border: the ceil_mode overhang is not counted.
    r0, c0 = oh * g.stride[0] - ph, ow * g.stride[1] - pw
    rows = min(r0 + kh, H + ph) - r0
    cols = min(c0 + kw, W + pw) - c0
    return rows * cols


def avg_pool2d_backward(
    grad_output,
    x,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Spread each window's gradient equally over the real elements it averaged."""
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, 1, ceil_mode)
    N, C, H, W = x4.shape
    kh, kw = g.kernel
    sh, sw = g.stride
    ph, pw = g.pad_before
    out_h, out_w = g.out_size
    gy = np.asarray(grad_output, dtype=np.result_type(x4.dtype, np.float32))
    gy = gy.reshape(N, C, out_h, out_w)
    gx = np.zeros((N, C, H, W), dtype=gy.dtype)
    for n in range(N):
        for c in range(C):
            for oh in range(out_h):
                for ow in range(out_w):
                    cells = []
                    for i in range(kh):
                        for j in range(kw):
                            r = oh * sh - ph + i
                            col = ow * sw - pw + j
                            if 0 <= r < H and 0 <= col < W:
                                cells.append((r, col))
                    divisor = _divisor(oh, ow, g, len(cells), count_include_pad, divisor_override)
                    delta = gy[n, c, oh, ow] / gy.dtype.type(divisor)
                    for r, col in cells:
                        gx[n, c, r, col] += delta
    return from_4d(gx, ndim)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Cross-correlation by loops: y = b + sum over channels and taps of w · x."""
    x4, w4, b, g, two_d = _conv_inputs(x, weight, bias, stride, padding, dilation)
    N, _, H, W = x4.shape
    C_out, C_in_g, kh, kw = w4.shape
    out_h, out_w = g.out_size
    y = np.zeros((N, C_out, out_h, out_w), dtype=np.result_type(x4, w4))
    for n in range(N):
        for co in range(C_out):
            group = co // (C_out // groups)
            for oh in range(out_h):
                for ow in range(out_w):
                    total = 0.0 if b is None else b[co]
                    for ci in range(C_in_g):
                        for i in range(kh):
                            for j in range(kw):
                                r = oh * g.stride[0] - g.pad_before[0] + i * g.dilation[0]
                                col = ow * g.stride[1] - g.pad_before[1] + j * g.dilation[1]
                                if 0 <= r < H and 0 <= col < W:  # padding is zeros
                                    total += w4[co, ci, i, j] * x4[n, group * C_in_g + ci, r, col]
                    y[n, co, oh, ow] = total
    return y[0, 0] if two_d else from_4d(y, np.ndim(x))


def conv2d_backward(grad_output, x, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """Gradients of :func:`conv2d` by loops: each output spreads dY · w back onto its window."""
    x4, w4, _, g, two_d = _conv_inputs(x, weight, bias, stride, padding, dilation)
    N, _, H, W = x4.shape
    C_out, C_in_g, kh, kw = w4.shape
    out_h, out_w = g.out_size
    gy = np.asarray(grad_output, dtype=np.float64).reshape(N, C_out, out_h, out_w)
    gx = np.zeros(x4.shape)
    gw = np.zeros(w4.shape)
    gb = np.zeros(C_out)
    for n in range(N):
        for co in range(C_out):
            group = co // (C_out // groups)
            for oh in range(out_h):
                for ow in range(out_w):
                    d = gy[n, co, oh, ow]
                    gb[co] += d
                    for ci in range(C_in_g):
                        for i in range(kh):
                            for j in range(kw):
                                r = oh * g.stride[0] - g.pad_before[0] + i * g.dilation[0]
                                col = ow * g.stride[1] - g.pad_before[1] + j * g.dilation[1]
                                if 0 <= r < H and 0 <= col < W:
                                    gx[n, group * C_in_g + ci, r, col] += d * w4[co, ci, i, j]
                                    gw[co, ci, i, j] += d * x4[n, group * C_in_g + ci, r, col]
    grad_bias = None if bias is None else gb.reshape(np.shape(bias))
    if two_d:
        return gx[0, 0], gw[0, 0], grad_bias
    return from_4d(gx, np.ndim(x)), gw, grad_bias


def _conv_inputs(x, weight, bias, stride, padding, dilation):
    x = np.asarray(x, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    two_d = x.ndim == 2
    if two_d:
        x, w = x[None, None], w[None, None]
    x4, _ = to_4d(x)
    g = conv_geometry(x4.shape[2:], w.shape[2:], stride, padding, dilation)
    b = None if bias is None else np.asarray(bias, dtype=np.float64).reshape(-1)
    return x4, w, b, g, two_d

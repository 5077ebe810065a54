"""Plain nested-loop adaptive pooling and LP pooling, written the way a textbook would.

The oracle the tests hold :mod:`engine.adaptive` and :mod:`engine.lp_pool` against, and the
"how it is written by hand" view for stepping.  Every forward sits next to its backward.  They
loop over every output and every element of its window, so they are slow: never call them on
the hot path.  Parameters are validated by the same functions as the fast code (so both accept
the same calls); the bin and window arithmetic is written out again on purpose.

Sums run sequentially in the input dtype (NumPy scalars keep float32 float32), as PyTorch's
kernels do, except the global average (output 1×1), which PyTorch takes with ``mean``: here a
float64 sum, rounded to the dtype and divided by ``H·W`` (within an ulp or so of PyTorch).
"""

from __future__ import annotations

import math

import numpy as np

from engine.adaptive import adaptive_output_size
from engine.arrays import from_4d, to_4d
from engine.errors import ParameterError
from engine.geometry import pool_geometry
from engine.lp_pool import _check_kernel, _norm_type
from engine.pooling import validate_ties


def bins(in_size, out_size):
    """``[(start, stop), ...]``: output ``i`` covers ``floor(i·I/O) <= r < ceil((i+1)·I/O)``."""
    return [
        (i * in_size // out_size, ((i + 1) * in_size + out_size - 1) // out_size)
        for i in range(out_size)
    ]


def _backward_output_check(out_h, out_w):
    if out_h == 0 or out_w == 0:
        raise ParameterError("output_size ({h}, {w}) is empty: no backward", h=out_h, w=out_w)


# ---- adaptive average pooling -------------------------------------------------------------------
def adaptive_avg_pool2d(x, output_size):
    """Average of every bin: sequential row-major sum, then ``/ kh / kw``."""
    x4, ndim = to_4d(x)
    N, C, H, W = x4.shape
    out_h, out_w = adaptive_output_size(output_size, (H, W))
    dt = x4.dtype.type
    y = np.zeros((N, C, out_h, out_w), dtype=x4.dtype)
    for n in range(N):
        for c in range(C):
            if (out_h, out_w) == (1, 1):  # PyTorch: x.mean((-1, -2))
                total = 0.0  # a float64 (Python float) sum, then rounded to the dtype
                for v in x4[n, c].ravel():
                    total += float(v)
                y[n, c, 0, 0] = dt(total) / dt(H * W)
                continue
            for oh, (r0, r1) in enumerate(bins(H, out_h)):
                for ow, (c0, c1) in enumerate(bins(W, out_w)):
                    s = dt(0)
                    for r in range(r0, r1):
                        for col in range(c0, c1):
                            s = s + x4[n, c, r, col]
                    y[n, c, oh, ow] = s / dt(r1 - r0) / dt(c1 - c0)
    return from_4d(y, ndim)


def adaptive_avg_pool2d_backward(grad_output, x, output_size):
    """Every bin adds ``grad / kh / kw`` to each of its elements, bins in (oh, ow) order."""
    x4, ndim = to_4d(x)
    N, C, H, W = x4.shape
    out_h, out_w = adaptive_output_size(output_size, (H, W))
    _backward_output_check(out_h, out_w)
    dtype = np.result_type(x4.dtype, np.float32)
    dt = dtype.type
    gy = np.asarray(grad_output, dtype=dtype).reshape(N, C, out_h, out_w)
    gx = np.zeros((N, C, H, W), dtype=dtype)
    for n in range(N):
        for c in range(C):
            if (out_h, out_w) == (1, 1):  # autograd of mean
                gx[n, c] = gy[n, c, 0, 0] / dt(H * W)
                continue
            for oh, (r0, r1) in enumerate(bins(H, out_h)):
                for ow, (c0, c1) in enumerate(bins(W, out_w)):
                    delta = gy[n, c, oh, ow] / dt(r1 - r0) / dt(c1 - c0)
                    for r in range(r0, r1):
                        for col in range(c0, c1):
                            gx[n, c, r, col] += delta
    return from_4d(gx, ndim)


# ---- adaptive max pooling ------------------------------------------------------------------------
def adaptive_max_pool2d(x, output_size):
    """Max of every bin.  Returns ``(y, indices)``: first max wins, the last NaN wins."""
    x4, ndim = to_4d(x)
    N, C, H, W = x4.shape
    out_h, out_w = adaptive_output_size(output_size, (H, W))
    y = np.zeros((N, C, out_h, out_w), dtype=x4.dtype)
    idx = np.zeros((N, C, out_h, out_w), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for oh, (r0, r1) in enumerate(bins(H, out_h)):
                for ow, (c0, c1) in enumerate(bins(W, out_w)):
                    best, best_idx = -math.inf, r0 * W + c0
                    for r in range(r0, r1):
                        for col in range(c0, c1):
                            v = x4[n, c, r, col]
                            if v > best or math.isnan(v):
                                best, best_idx = v, r * W + col
                    y[n, c, oh, ow] = best
                    idx[n, c, oh, ow] = best_idx
    return from_4d(y, ndim), from_4d(idx, ndim)


def adaptive_max_pool2d_backward(grad_output, x, output_size, ties="first"):
    """Each bin's gradient goes to its maximum: the first one, all tied ones, or split."""
    validate_ties(ties)
    x4, ndim = to_4d(x)
    N, C, H, W = x4.shape
    out_h, out_w = adaptive_output_size(output_size, (H, W))
    _backward_output_check(out_h, out_w)
    y, idx = adaptive_max_pool2d(x4, (out_h, out_w))
    dtype = np.result_type(x4.dtype, np.float32)
    gy = np.asarray(grad_output, dtype=dtype).reshape(N, C, out_h, out_w)
    gx = np.zeros((N, C, H, W), dtype=dtype)
    for n in range(N):
        for c in range(C):
            for oh, (r0, r1) in enumerate(bins(H, out_h)):
                for ow, (c0, c1) in enumerate(bins(W, out_w)):
                    best = y[n, c, oh, ow]
                    if ties == "first" or math.isnan(best):
                        winners = [divmod(int(idx[n, c, oh, ow]), W)]
                    else:
                        winners = [
                            (r, col)
                            for r in range(r0, r1)
                            for col in range(c0, c1)
                            if x4[n, c, r, col] == best
                        ]
                    share = gy[n, c, oh, ow]
                    if ties == "split":
                        share = share / len(winners)
                    for r, col in winners:
                        gx[n, c, r, col] += share
    return from_4d(gx, ndim)


# ---- LP pooling ---------------------------------------------------------------------------------
def _lp_windows(x4, kernel_size, stride, ceil_mode):
    """Output size and, per axis, the real ``(start, stop)`` of every window (no padding)."""
    g = pool_geometry(x4.shape[2:], kernel_size, stride, 0, 1, ceil_mode)
    (kh, kw), (sh, sw) = g.kernel, g.stride
    H, W = x4.shape[2:]
    rows = [(o * sh, min(o * sh + kh, H)) for o in range(g.out_size[0])]
    cols = [(o * sw, min(o * sw + kw, W)) for o in range(g.out_size[1])]
    return rows, cols, kh * kw


def _pow(v, e):
    """``torch.pow`` of one value: the exponent 0.5 is a square root and -0.5 one over it.

    (C's ``pow`` differs there at -0.0 and -inf: ``pow(-0.0, -0.5)`` is +inf, ``1/sqrt(-0.0)``
    is -inf.)  Other exponents differ from PyTorch's only in rounding.
    """
    if e == 0.5:
        return np.sqrt(v)
    if e == -0.5:
        return v.dtype.type(1) / np.sqrt(v)
    return np.power(v, v.dtype.type(e))


def _sign(v):
    return 1.0 if v > 0 else (-1.0 if v < 0 else 0.0)  # 0 for NaN, as torch.sign


def lp_pool2d(x, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(kh·kw · mean of x**p over the window's real elements) ** (1/p)``; ±inf: max/min |x|."""
    p = _norm_type(norm_type)
    _check_kernel(kernel_size)
    x4, ndim = to_4d(x)
    rows, cols, area = _lp_windows(x4, kernel_size, stride, ceil_mode)
    N, C = x4.shape[:2]
    dt = x4.dtype.type
    y = np.zeros((N, C, len(rows), len(cols)), dtype=x4.dtype)
    with np.errstate(all="ignore"):
        for n in range(N):
            for c in range(C):
                for oh, (r0, r1) in enumerate(rows):
                    for ow, (c0, c1) in enumerate(cols):
                        window = [x4[n, c, r, col] for r in range(r0, r1) for col in range(c0, c1)]
                        if math.isinf(p):
                            mags = [abs(v) for v in window]
                            if any(math.isnan(v) for v in mags):
                                y[n, c, oh, ow] = math.nan
                            else:
                                y[n, c, oh, ow] = max(mags) if p > 0 else min(mags)
                            continue
                        s = dt(0)
                        for v in window:
                            s = s + _pow(v, p)  # no abs: x ** p of the signed value
                        o = s / dt(len(window))
                        y[n, c, oh, ow] = _pow(o * dt(area), 1 / p)
    return from_4d(y, ndim)


def lp_pool2d_backward(grad_output, x, norm_type, kernel_size, stride=None, ceil_mode=False):
    """The chain rule per window, with PyTorch's zero rule: a window whose ``Σ x**p`` is 0
    sends nothing back (its relu cuts the gradient), a NaN window sends NaN."""
    p = _norm_type(norm_type)
    _check_kernel(kernel_size)
    x4, ndim = to_4d(x)
    rows, cols, area = _lp_windows(x4, kernel_size, stride, ceil_mode)
    N, C, H, W = x4.shape
    dtype = np.result_type(x4.dtype, np.float32)
    dt = dtype.type
    gy = np.asarray(grad_output, dtype=dtype).reshape(N, C, len(rows), len(cols))
    gx = np.zeros((N, C, H, W), dtype=dtype)
    with np.errstate(all="ignore"):
        for n in range(N):
            for c in range(C):
                # gradient reaching x**p (inf p: reaching |x|), then times d(x**p)/dx
                g_pow = np.zeros((H, W), dtype=dtype)
                for oh, (r0, r1) in enumerate(rows):
                    for ow, (c0, c1) in enumerate(cols):
                        cells = [(r, col) for r in range(r0, r1) for col in range(c0, c1)]
                        g = gy[n, c, oh, ow]
                        if math.isinf(p):
                            mags = [abs(x4[n, c, r, col]) for r, col in cells]
                            nans = [i for i, v in enumerate(mags) if math.isnan(v)]
                            if nans:
                                pick = nans[-1]  # max pooling: the last NaN
                            else:
                                target = max(mags) if p > 0 else min(mags)
                                pick = mags.index(target)  # the first one
                            g_pow[cells[pick]] += g
                            continue
                        s = dt(0)
                        for r, col in cells:
                            s = s + _pow(x4[n, c, r, col], p)
                        o = s / dt(len(cells))
                        v = o * dt(area)
                        e = 1 / p
                        g_root = g * dt(e) * _pow(v, e - 1) * dt(area)  # d(v**e)/d(mean)
                        if not math.isnan(o) and o == 0:
                            g_root = dt(0)  # relu(|o|) has zero slope at 0
                        g_mean = g_root * dt(_sign(o)) * dt(_sign(o))  # sign(o)·relu(|o|)
                        for r, col in cells:
                            g_pow[r, col] += g_mean / dt(len(cells))
                for r in range(H):
                    for col in range(W):
                        v = x4[n, c, r, col]
                        if math.isinf(p):
                            gx[n, c, r, col] = g_pow[r, col] * dt(_sign(v))
                        else:
                            gx[n, c, r, col] = g_pow[r, col] * (dt(p) * _pow(v, p - 1))
    return from_4d(gx, ndim)

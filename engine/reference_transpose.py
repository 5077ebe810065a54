"""Plain nested-loop transposed convolution and max unpooling, the way a textbook writes them.

The oracle the tests hold :mod:`engine.conv_transpose` and :mod:`engine.unpool` against.  Each
forward loop sits next to its backward loop, so the pair can be read side by side.  They visit
every input element and every tap one at a time: slow, never for the hot path.

Arguments are validated by the same code as the fast functions (so both accept and refuse the
same calls); the output sizes and all index arithmetic below are written out again on purpose,
independently of it.  Transposed convolution is computed in float64; unpooling only moves
values, so it keeps x's dtype.
"""

from __future__ import annotations

import numpy as np

from engine.conv_transpose import _prepare as _validate_conv_transpose
from engine.unpool import _prepare as _validate_unpool


# ---- transposed convolution ---------------------------------------------------------------------
def _transpose_setup(x, weight, bias, stride, padding, output_padding, groups, dilation):
    s = _validate_conv_transpose(x, weight, bias, stride, padding, output_padding, groups, dilation)
    x4 = s.x4.astype(np.float64)
    w4 = s.w4.astype(np.float64)
    b = None if s.bias is None else s.bias.astype(np.float64)
    (sh, sw), (ph, pw), (dh, dw) = s.g.stride, s.g.pad_before, s.g.dilation
    oph, opw = s.output_padding
    _, _, H, W = x4.shape
    _, _, kh, kw = w4.shape
    out_h = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    out_w = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    return s, x4, w4, b, (sh, sw, ph, pw, dh, dw), (out_h, out_w)


def conv_transpose2d(
    x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """Transposed convolution by loops: every input element scatters ``x · w`` onto the output."""
    s, x4, w4, b, (sh, sw, ph, pw, dh, dw), (out_h, out_w) = _transpose_setup(
        x, weight, bias, stride, padding, output_padding, groups, dilation
    )
    N, C_in, H, W = x4.shape
    _, C_out_g, kh, kw = w4.shape
    C_in_g = C_in // groups
    y = np.zeros((N, C_out_g * groups, out_h, out_w))
    for n in range(N):
        for ci in range(C_in):
            first_out = (ci // C_in_g) * C_out_g  # the group's first output channel
            for ih in range(H):
                for iw in range(W):
                    v = x4[n, ci, ih, iw]
                    for i in range(kh):
                        for j in range(kw):
                            r = ih * sh - ph + i * dh
                            c = iw * sw - pw + j * dw
                            if 0 <= r < out_h and 0 <= c < out_w:  # padding crops
                                for co in range(C_out_g):
                                    y[n, first_out + co, r, c] += v * w4[ci, co, i, j]
    if b is not None:
        for co in range(C_out_g * groups):
            y[:, co] += b[co]
    return _caller_rank(y, s.ndim)


def conv_transpose2d_backward(
    grad_output, x, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
):
    """Gradients by the same loops: each scattered product sends ``dY`` back to both factors."""
    s, x4, w4, b, (sh, sw, ph, pw, dh, dw), (out_h, out_w) = _transpose_setup(
        x, weight, bias, stride, padding, output_padding, groups, dilation
    )
    N, C_in, H, W = x4.shape
    _, C_out_g, kh, kw = w4.shape
    C_in_g = C_in // groups
    gy = np.asarray(grad_output, dtype=np.float64).reshape(N, C_out_g * groups, out_h, out_w)
    gx = np.zeros(x4.shape)
    gw = np.zeros(w4.shape)
    for n in range(N):
        for ci in range(C_in):
            first_out = (ci // C_in_g) * C_out_g
            for ih in range(H):
                for iw in range(W):
                    v = x4[n, ci, ih, iw]
                    for i in range(kh):
                        for j in range(kw):
                            r = ih * sh - ph + i * dh
                            c = iw * sw - pw + j * dw
                            if 0 <= r < out_h and 0 <= c < out_w:
                                for co in range(C_out_g):
                                    d = gy[n, first_out + co, r, c]
                                    gx[n, ci, ih, iw] += d * w4[ci, co, i, j]
                                    gw[ci, co, i, j] += d * v
    grad_bias = None
    if b is not None:
        gb = np.zeros(C_out_g * groups)
        for co in range(C_out_g * groups):
            gb[co] = gy[:, co].sum()
        grad_bias = gb.reshape(np.shape(bias))
    if s.ndim == 2:
        return gx[0, 0], gw[0, 0], grad_bias
    return _caller_rank(gx, s.ndim), gw, grad_bias


# ---- max unpooling -------------------------------------------------------------------------------
def max_unpool2d(x, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Unpooling by loops: ``out[n, c].flat[idx] = x`` in row-major order (the last one wins)."""
    s = _validate_unpool(x, indices, kernel_size, stride, padding, output_size)
    N, C, H, W = s.x4.shape
    out_h, out_w = s.out_size
    idx = s.idx.reshape(N, C, H, W)
    y = np.zeros((N, C, out_h, out_w), dtype=s.x4.dtype)
    for n in range(N):
        for c in range(C):
            for h in range(H):
                for w in range(W):
                    k = int(idx[n, c, h, w])
                    y[n, c, k // out_w, k % out_w] = s.x4[n, c, h, w]
    return _caller_rank(y, s.ndim)


def max_unpool2d_backward(
    grad_output, x, indices, kernel_size, stride=None, padding=0, output_size=None
):
    """The gather: every input element reads the gradient at the cell its index names."""
    s = _validate_unpool(x, indices, kernel_size, stride, padding, output_size)
    N, C, H, W = s.x4.shape
    out_h, out_w = s.out_size
    idx = s.idx.reshape(N, C, H, W)
    gy = np.asarray(grad_output, dtype=s.x4.dtype).reshape(N, C, out_h, out_w)
    gx = np.zeros(s.x4.shape, dtype=s.x4.dtype)
    for n in range(N):
        for c in range(C):
            for h in range(H):
                for w in range(W):
                    k = int(idx[n, c, h, w])
                    gx[n, c, h, w] = gy[n, c, k // out_w, k % out_w]
    return _caller_rank(gx, s.ndim)


def _caller_rank(a, ndim):
    """(N, C, h, w) back to the caller's rank: (h, w), (C, h, w) or (N, C, h, w)."""
    return a.reshape(a.shape[4 - ndim :])

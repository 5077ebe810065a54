"""2-D convolution (cross-correlation, no kernel flip), forward and backward, as ``F.conv2d``.

The loops run over kernel taps only; each tap is one batched matrix product over channels.
"""

from __future__ import annotations

import numbers

import numpy as np

from engine.arrays import as_float_array, from_4d, to_4d
from engine.geometry import WindowGeometry, conv_geometry


def _prepare(
    x: object,
    weight: object,
    bias: object,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, WindowGeometry, int, int]:
    """Validate everything; return ``(x4, w4, bias (C_out,) or None, geometry, ndim, groups)``."""
    w = as_float_array(weight, "weight")
    xa = as_float_array(x, "x")
    if xa.ndim == 2:
        if w.ndim != 2:
            raise ValueError(
                f"weight must be 2-D (kH, kW) when x is 2-D (H, W); got weight of shape {w.shape}"
            )
        w4 = w.reshape((1, 1) + w.shape)
    elif w.ndim == 4:
        w4 = w
    else:
        raise ValueError(
            f"weight must have shape (C_out, C_in/groups, kH, kW); got shape {w.shape}"
        )
    x4, ndim = to_4d(xa, "x")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"groups ({groups!r}) must be a positive int")
    groups = int(groups)
    c_out, c_in_g, kh, kw = w4.shape
    if min(w4.shape) == 0:
        raise ValueError(f"weight must not have an empty dimension; got shape {w4.shape}")
    if c_out % groups:
        raise ValueError(
            f"groups ({groups}) must divide the number of output channels "
            f"(weight.shape[0] = {c_out})"
        )
    c_in = x4.shape[1]
    if c_in != c_in_g * groups:
        raise ValueError(
            f"x has {c_in} channels, but weight of shape {tuple(w4.shape)} with groups "
            f"({groups}) expects {c_in_g * groups} (C_in = weight.shape[1] · groups)"
        )
    b = None
    if bias is not None:
        b = as_float_array(bias, "bias")
        if b.size != c_out or b.ndim > 1:
            raise ValueError(
                f"bias must have one value per output channel ({c_out}); got shape {b.shape}"
            )
        b = b.reshape(c_out)
    g = conv_geometry(x4.shape[2:], (kh, kw), stride, padding, dilation)
    dtype = np.result_type(x4.dtype, w4.dtype, b.dtype if b is not None else x4.dtype)
    return x4.astype(dtype, copy=False), w4.astype(dtype, copy=False), b, g, ndim, groups


def _canvas(x4: np.ndarray, g: WindowGeometry) -> np.ndarray:
    (top, bottom), (left, right) = g.canvas_pad
    return np.pad(x4, ((0, 0), (0, 0), (top, bottom), (left, right)))


def _grouped(a: np.ndarray, groups: int) -> np.ndarray:
    """(N, C, P) -> (N, G, C/G, P)."""
    n, c, p = a.shape
    return a.reshape(n, groups, c // groups, p)


def conv2d(
    x: object,
    weight: object,
    bias: object = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : array, shape (C_in, H, W) or (N, C_in, H, W); or (H, W) with a (kH, kW) weight
    weight : array, shape (C_out, C_in/groups, kH, kW); or (kH, kW) for a 2-D ``x``
    bias : array, shape (C_out,), optional (a scalar for the 2-D form)
    stride, dilation : int or (h, w) pair
    padding : int, (h, w) pair, ``'valid'`` or ``'same'`` (zeros)
    groups : int
        Split channels into groups; output channel ``co`` sees only its group's inputs.

    Returns
    -------
    y : array, shape (..., C_out, out_H, out_W); (out_H, out_W) for the 2-D form
    """
    x4, w4, b, g, ndim, groups = _prepare(x, weight, bias, stride, padding, dilation, groups)
    n = x4.shape[0]
    c_out = w4.shape[0]
    xp = _canvas(x4, g)
    oh, ow = g.out_size
    wg = w4.reshape(groups, c_out // groups, w4.shape[1], *g.kernel)
    y = np.zeros((n, groups, c_out // groups, oh * ow), dtype=x4.dtype)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            rs, cs = g.tap_slices(i, j)
            patch = _grouped(xp[:, :, rs, cs].reshape(n, x4.shape[1], oh * ow), groups)
            y += wg[None, :, :, :, i, j] @ patch
    y = y.reshape(n, c_out, oh, ow)
    if b is not None:
        y += b.reshape(1, c_out, 1, 1)
    return y[0, 0] if ndim == 2 else from_4d(y, ndim)


def conv2d_backward(
    grad_output: object,
    x: object,
    weight: object,
    bias: object = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients of :func:`conv2d` with respect to input, weight and bias.

    Parameters
    ----------
    grad_output : array, shape of ``conv2d``'s output
    x, weight, bias, stride, padding, dilation, groups : as in :func:`conv2d`

    Returns
    -------
    grad_input : array, shape of ``x``
        Input elements no window covers get 0.
    grad_weight : array, shape of ``weight``
    grad_bias : array, shape of ``bias``; ``None`` when ``bias`` is None
    """
    x4, w4, b, g, ndim, groups = _prepare(x, weight, bias, stride, padding, dilation, groups)
    n, c_in = x4.shape[:2]
    c_out = w4.shape[0]
    oh, ow = g.out_size
    gy_arr = as_float_array(grad_output, "grad_output")  # refuse bools and strings, like x
    expected = (n, c_out, oh, ow)
    expected_caller = expected[2:] if ndim == 2 else expected[4 - ndim :]
    if gy_arr.shape != expected_caller:
        raise ValueError(
            f"grad_output shape {gy_arr.shape} must match the output shape {expected_caller}"
        )
    gy = gy_arr.reshape(n, groups, c_out // groups, oh * ow).astype(x4.dtype, copy=False)
    xp = _canvas(x4, g)
    gxp = np.zeros_like(xp)
    wg = w4.reshape(groups, c_out // groups, w4.shape[1], *g.kernel)
    gw = np.zeros_like(wg)
    for i in range(g.kernel[0]):
        for j in range(g.kernel[1]):
            rs, cs = g.tap_slices(i, j)
            patch = _grouped(xp[:, :, rs, cs].reshape(n, c_in, oh * ow), groups)
            # dW[g, co, ci] = sum over batch and positions of dY[n, g, co, p] * x[n, g, ci, p]
            gw[:, :, :, i, j] = np.einsum("ngop,ngcp->goc", gy, patch, optimize=True)
            # dX at this tap = W^T dY, added back where the tap read from
            back = np.swapaxes(wg[None, :, :, :, i, j], -1, -2) @ gy
            gxp[:, :, rs, cs] += back.reshape(n, c_in, oh, ow)
    (top, _), (left, _) = g.canvas_pad
    h, w = g.in_size
    gx = np.ascontiguousarray(gxp[:, :, top : top + h, left : left + w])
    grad_weight = gw.reshape(w4.shape)
    grad_bias = None
    if b is not None:
        grad_bias = gy.sum(axis=(0, 3)).reshape(np.shape(bias))
    if ndim == 2:
        return gx[0, 0], grad_weight[0, 0], grad_bias
    return from_4d(gx, ndim), grad_weight, grad_bias

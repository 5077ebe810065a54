"""Power-average (LP) pooling, forward and backward, with PyTorch 2.13's semantics.

``torch.nn.functional.lp_pool2d`` is written in Python on top of ``avg_pool2d``, and this module
follows it step by step, because each step shows in the result::

    o = avg_pool2d(x ** p, kernel_size, stride, padding=0, ceil_mode)   # count_include_pad
    y = (sign(o) * relu(abs(o)) * (kH * kW)) ** (1 / p)

* There is **no** ``abs`` before the power: with ``p = 1`` the result is the *signed* window
  sum, an odd ``p`` gives NaN for a negative window sum (its root), a fractional ``p`` gives NaN
  for any negative element.
* The multiplier is the full kernel area even for a partial ``ceil_mode`` window, whose average
  was taken over its real elements only: such a window is scaled up by ``kH·kW / n_real``.
* ``sign(o) * relu(abs(o))`` equals ``o`` in the forward pass; its derivative is zero where
  ``o == 0``, which is how PyTorch avoids an infinite gradient there.
* ``p = ±inf`` are max / min of ``|x|`` over the window (``max_pool2d``), true norms.

The backward is PyTorch's autograd of that chain, operation by operation, with the same
special cases (``torch.pow`` treats the exponents 0, 1, ±0.5, -1, ±2 and 3 separately, and
``torch.sign(NaN)`` is 0), so zeros, infinities and NaN come out where PyTorch's do.  Average
pooling and its backward are the engine's (bit-exact with PyTorch); powers and roots agree to an
ulp or two (PyTorch's vectorised ``pow`` is SLEEF's, NumPy's is the C library's).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Literal, overload

import numpy as np

from engine.arrays import as_float_array, check_grad_output, from_4d, to_4d
from engine.errors import ParameterError
from engine.geometry import pool_geometry
from engine.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    plane_blocks,
    run_planes,
)

#: Input bytes per run of planes; runs go to the pooling threads.  Measured on 2026-12-01 on a
#: quiet machine (8x64x56x56 k3 s2, forward + backward): 4 MB runs were the fastest of 256 KB
#: to 8 MB on one thread and on two, float32 and float64 alike (float32 on two threads:
#: 14.3 ms with 512 KB runs, their Python set-up contending for the GIL; 7.5 ms with 4 MB).
RUN_BYTES = 1 << 22


# ---- parameters ---------------------------------------------------------------------------------
def _norm_type(norm_type: object) -> float:
    """``norm_type`` as a float, refusing what ``lp_pool2d`` cannot compute.

    PyTorch divides by ``norm_type`` (``1.0 / 0`` raises ``ZeroDivisionError``) and takes it as a
    ``pow`` exponent (no strings, no complex numbers).  NaN is allowed: PyTorch returns NaN.
    Bools are refused, as everywhere in the engine, although PyTorch would read ``True`` as 1.
    """
    if isinstance(norm_type, (bool, np.bool_)) or not isinstance(norm_type, numbers.Real):
        raise ParameterError(
            "norm_type must be a real number (the power p), got {value}", value=repr(norm_type)
        )
    try:
        p = float(norm_type)
    except OverflowError:
        raise ParameterError(
            "norm_type ({value}) is too large for a floating-point power", value=norm_type
        ) from None
    if p == 0:
        raise ParameterError(
            "norm_type ({value}) must not be zero: the result is the (1 / norm_type)-th root",
            value=norm_type,
        )
    return p


def _check_kernel(kernel_size: object) -> None:
    """``lp_pool2d`` unpacks ``kw, kh = _pair(kernel_size)``: an int or exactly two entries.

    (A 1-tuple, which the other pooling functions read as a square kernel, fails there.)
    """
    if isinstance(kernel_size, (Sequence, np.ndarray)) and not isinstance(
        kernel_size, (str, bytes)
    ):
        if len(kernel_size) != 2:
            raise ParameterError(
                "kernel_size ({value}) must be a single int or a pair of ints (height, width); "
                "lp_pool2d takes no other length",
                value=repr(kernel_size),
            )


def _kernel_area(kernel_size: object) -> int:
    if isinstance(kernel_size, (Sequence, np.ndarray)) and not isinstance(
        kernel_size, (str, bytes)
    ):
        return int(kernel_size[0]) * int(kernel_size[1])
    side: int = int(kernel_size)  # type: ignore[call-overload]
    return side * side


# ---- PyTorch's elementwise operations -----------------------------------------------------------
def _torch_pow(a: np.ndarray, exponent: float) -> np.ndarray:
    """``torch.pow(a, exponent)`` for a float tensor and a Python number.

    PyTorch computes some exponents without ``pow``: 0 gives 1 (even for NaN), 1 a copy, 0.5 a
    square root, -0.5 one over it, -1 a reciprocal, 2 ``a*a``, 3 ``a*a*a``, -2 ``1/(a*a)``.
    Those are exactly rounded the same way here; other exponents go to ``np.power``.
    """
    one = a.dtype.type(1)
    out: np.ndarray
    if exponent == 0:
        out = np.ones_like(a)
    elif exponent == 1:
        out = a.copy()
    elif exponent == 0.5:
        out = np.sqrt(a)
    elif exponent == -0.5:
        out = one / np.sqrt(a)
    elif exponent == -1:
        out = one / a
    elif exponent == 2:
        out = a * a
    elif exponent == 3:
        out = a * a * a
    elif exponent == -2:
        out = one / (a * a)
    else:
        out = np.power(a, a.dtype.type(exponent))
    return out


def _torch_sign(a: np.ndarray) -> np.ndarray:
    """``torch.sign``: ``(a > 0) - (a < 0)``, so 0 for ±0 *and for NaN* (``np.sign`` gives NaN)."""
    sign: np.ndarray = (a > 0).astype(a.dtype) - (a < 0).astype(a.dtype)
    return sign


# ---- LP pooling -------------------------------------------------------------------------------
@overload
def lp_pool2d(
    x: object,
    norm_type: float,
    kernel_size: object,
    stride: object = None,
    ceil_mode: bool = False,
    *,
    return_pooled: Literal[False] = False,
) -> np.ndarray: ...
@overload
def lp_pool2d(
    x: object,
    norm_type: float,
    kernel_size: object,
    stride: object = None,
    ceil_mode: bool = False,
    *,
    return_pooled: Literal[True],
) -> tuple[np.ndarray, np.ndarray | None]: ...
def lp_pool2d(
    x: object,
    norm_type: float,
    kernel_size: object,
    stride: object = None,
    ceil_mode: bool = False,
    *,
    return_pooled: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray | None]:
    """2-D power-average pooling, as ``torch.nn.functional.lp_pool2d``.

    Parameters
    ----------
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
        Integers are computed in float64.
    norm_type : float
        The power ``p`` (not zero; ``±inf`` allowed).  Large ``p`` approaches the window max.
    kernel_size : int or (h, w) pair
    stride : int or pair, optional
        ``None`` means ``kernel_size``.  There is no padding.
    ceil_mode : bool
        Round the output size up; a partial last window is scaled by ``kH·kW / n_real``.
    return_pooled : bool (keyword only)
        Also return ``avg_pool2d(x ** p)``, the intermediate the backward pass starts from, for
        :func:`lp_pool2d_backward`'s ``pooled`` (as PyTorch's autograd saves it); ``None`` for
        ``p = ±inf``, whose backward needs none.

    Returns
    -------
    y : array, shape (..., out_H, out_W), same rank as ``x``
        ``(sum of x**p over the window) ** (1/p)`` for full windows.  No absolute value is
        taken: ``p = 1`` gives the signed sum, a negative base with a fractional power is NaN.
    pooled : array of ``y``'s shape, or None (only with ``return_pooled``)

    Raises
    ------
    ParameterError
        If ``norm_type`` is zero or not a real number, or the window parameters are invalid
        (the rules of :func:`~engine.pooling.avg_pool2d` with ``padding=0``).
    """
    p = _norm_type(norm_type)
    _check_kernel(kernel_size)
    x4, ndim = to_4d(x)
    pooled = None
    with np.errstate(all="ignore"):  # NaN, inf and overflow are results here, as in PyTorch
        if p == math.inf:
            y = max_pool2d(np.abs(x4), kernel_size, stride, 0, 1, ceil_mode)
        elif p == -math.inf:
            y = -max_pool2d(-np.abs(x4), kernel_size, stride, 0, 1, ceil_mode)
        else:
            chain = _forward_chain(x4, p, kernel_size, stride, ceil_mode)
            y, pooled = chain["y"], from_4d(chain["o"], ndim)
    if return_pooled:
        return from_4d(y, ndim), pooled
    return from_4d(y, ndim)


def _forward_chain(
    x4: np.ndarray, p: float, kernel_size: object, stride: object, ceil_mode: bool
) -> dict[str, np.ndarray]:
    """PyTorch's ``lp_pool2d``: the pooled ``o`` and the result ``y`` (module docstring).

    Runs of whole planes (:data:`RUN_BYTES`) go through the chain one after the other, or
    at once on the pooling threads (:func:`engine.pooling.run_planes`): every step works on
    each plane alone, so the bits are the same whatever the runs.
    """
    shape4 = _output_shape(x4, kernel_size, stride, ceil_mode)
    planes = x4.reshape((-1,) + x4.shape[2:])
    chain = {name: np.empty((len(planes),) + shape4[2:], x4.dtype) for name in ("o", "y")}

    def run(block: slice, _worker: int) -> None:
        part = _forward_planes(planes[block], p, kernel_size, stride, ceil_mode)
        for name, values in chain.items():
            values[block] = part[name]

    run_planes(run, _runs(planes))
    return {name: values.reshape(shape4) for name, values in chain.items()}


def _runs(planes: np.ndarray) -> list[slice]:
    """Runs of whole planes of about :data:`RUN_BYTES` of ``planes`` (P, H, W)."""
    per_plane = planes[0].size if len(planes) else 0
    return plane_blocks(len(planes), per_plane, RUN_BYTES // planes.itemsize)


def _forward_planes(
    planes: np.ndarray, p: float, kernel_size: object, stride: object, ceil_mode: bool
) -> dict[str, np.ndarray]:
    """The intermediate tensors of ``lp_pool2d`` for the planes (B, H, W), named as in the
    module docstring, step by step."""
    xp = _torch_pow(planes, p)
    o = avg_pool2d(xp, kernel_size, stride, 0, ceil_mode)
    chain = _chain_from_pooled(o, p, kernel_size)
    chain["y"] = _torch_pow(chain["v"], 1.0 / p)
    return chain


def _chain_from_pooled(o: np.ndarray, p: float, kernel_size: object) -> dict[str, np.ndarray]:
    """The output-sized intermediates after the pooling ``o``: its sign, relu and scaled value."""
    s = _torch_sign(o)
    r = np.maximum(np.abs(o), o.dtype.type(0))  # relu; np.maximum keeps NaN, like torch
    v = (s * r) * o.dtype.type(_kernel_area(kernel_size))
    return {"o": o, "s": s, "r": r, "v": v}


def lp_pool2d_backward(
    grad_output: object,
    x: object,
    norm_type: float,
    kernel_size: object,
    stride: object = None,
    ceil_mode: bool = False,
    *,
    pooled: object = None,
) -> np.ndarray:
    """Gradient of :func:`lp_pool2d` with respect to ``x``, as PyTorch's autograd computes it.

    Parameters
    ----------
    grad_output : array, shape of ``lp_pool2d``'s output
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
    norm_type, kernel_size, stride, ceil_mode : as in :func:`lp_pool2d`
    pooled : array, shape of the output, optional (keyword only)
        What ``lp_pool2d(..., return_pooled=True)`` returned for this ``x``: given, the
        backward starts from it instead of pooling ``x ** p`` again (ignored for
        ``p = ±inf``).  It must come from the same ``x`` and parameters.

    Returns
    -------
    grad_input : array, shape of ``x``
        For a window with sum ``S = Σ x**p`` (full window) the chain gives
        ``grad · S**(1/p - 1) · x**(p - 1)``.  Where ``S == 0`` the window sends nothing (the
        ``relu`` cuts it), except that ``0 · inf`` in the last factor (``x = 0`` with ``p < 1``)
        is NaN, as in PyTorch; NaN in a window propagates.  ``p = ±inf`` sends the gradient to
        the max (min) ``|x|`` times ``sign(x)``.

    Raises
    ------
    ParameterError
        As :func:`lp_pool2d`, or if ``grad_output`` does not have the output's shape.
    """
    p = _norm_type(norm_type)
    _check_kernel(kernel_size)
    x4, ndim = to_4d(x)
    with np.errstate(all="ignore"):
        if math.isinf(p):
            # y = max_pool(|x|) or -max_pool(-|x|): the max routes the gradient (negated twice
            # for -inf), then abs' derivative sign(x), which is 0 at 0 and at NaN.
            base = np.abs(x4) if p > 0 else -np.abs(x4)
            _, idx = max_pool2d(base, kernel_size, stride, 0, 1, ceil_mode, return_indices=True)
            g = check_grad_output(grad_output, idx.shape, ndim, x4.dtype)
            routed = max_pool2d_backward(g, base, kernel_size, stride, 0, 1, ceil_mode, indices=idx)
            grad = routed * _torch_sign(x4)
        else:
            shape4 = _output_shape(x4, kernel_size, stride, ceil_mode)
            g = check_grad_output(grad_output, shape4, ndim, x4.dtype)
            o = None if pooled is None else _check_pooled(pooled, shape4, ndim, x4.dtype)
            grad = _backward_runs(g, x4, p, kernel_size, stride, ceil_mode, o)
    return from_4d(grad, ndim)


def _backward_runs(
    g: np.ndarray,
    x4: np.ndarray,
    p: float,
    kernel_size: object,
    stride: object,
    ceil_mode: bool,
    o: np.ndarray | None,
) -> np.ndarray:
    """:func:`_backward_chain` over runs of whole planes, on the pooling threads.

    Each run starts from its pooled ``o`` (given, or pooled again from ``x ** p``), as
    :func:`_forward_chain` runs the forward: each plane alone, the same bits whatever the runs.
    """
    planes = x4.reshape((-1,) + x4.shape[2:])
    g_planes = g.reshape((len(planes),) + g.shape[2:])
    o_planes = None if o is None else o.reshape(g_planes.shape)
    grad = np.empty(planes.shape, dtype=x4.dtype)

    def run(block: slice, _worker: int) -> None:
        x = planes[block]
        if o_planes is None:
            t = _forward_planes(x, p, kernel_size, stride, ceil_mode)
        else:
            t = _chain_from_pooled(o_planes[block], p, kernel_size)
        _backward_chain(g_planes[block], x, p, kernel_size, stride, ceil_mode, t, grad[block])

    run_planes(run, _runs(planes))
    return grad.reshape(x4.shape)


def _output_shape(
    x4: np.ndarray, kernel_size: object, stride: object, ceil_mode: bool
) -> tuple[int, int, int, int]:
    """(N, C, out_H, out_W) of the pooling (validating the window parameters)."""
    g = pool_geometry(x4.shape[2:], kernel_size, stride, 0, 1, ceil_mode)
    return (x4.shape[0], x4.shape[1], *g.out_size)


def _check_pooled(
    pooled: object, shape4: tuple[int, ...], ndim: int, dtype: np.dtype
) -> np.ndarray:
    """``pooled`` as an (N, C, out_H, out_W) array in the input's float dtype."""
    arr = as_float_array(pooled, "pooled")
    expected = shape4[4 - ndim :]
    if arr.shape != expected:
        raise ParameterError(
            "{name} must have shape {forms}; got shape {shape}",
            name="pooled",
            forms=f"{expected} (the output's: lp_pool2d(..., return_pooled=True) returns it)",
            shape=arr.shape,
        )
    checked: np.ndarray = arr.reshape(shape4).astype(dtype, copy=False)
    return checked


def _backward_chain(
    g: np.ndarray,
    x4: np.ndarray,
    p: float,
    kernel_size: object,
    stride: object,
    ceil_mode: bool,
    t: dict[str, np.ndarray],
    out: np.ndarray,
) -> None:
    """Autograd of :func:`_forward_chain`, node by node, in PyTorch's arithmetic order, into
    ``out`` (``x4``'s shape)."""
    dt = t["o"].dtype.type
    e = 1.0 / p
    # pow(v, e):  grad * (e * v.pow(e - 1))
    gv = g * (dt(e) * _torch_pow(t["v"], e - 1))
    # mul by the kernel area
    gu = gv * dt(_kernel_area(kernel_size))
    # sign(o) * r:  the r branch gets gu * sign(o) (the sign branch's derivative is 0)
    gr = gu * t["s"]
    # relu: threshold_backward passes the gradient where r > 0, and where r is NaN
    ga = np.where(t["r"] <= 0, dt(0), gr)
    # abs: grad * sgn(o); + 0 is the sign branch's zero gradient arriving at o as well
    go = ga * t["s"] + dt(0)
    gxp = avg_pool2d_backward(go, x4, kernel_size, stride, 0, ceil_mode)  # (x's shape only)
    # pow(x, p):  grad * (p * x.pow(p - 1)), on a fresh factor (input-sized)
    if p - 1 == 1:
        factor = x4 * dt(p)  # x.pow(1) is x itself
    else:
        factor = _torch_pow(x4, p - 1)
        factor *= dt(p)
    np.multiply(gxp, factor, out=out)

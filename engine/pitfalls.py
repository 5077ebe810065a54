"""Deliberately WRONG pooling and convolution, the way hand-written code often gets it wrong.

Each ``wrong_*`` function is written like the code students (and tutorials) write: a loop
over output positions or a NumPy reshape trick.  Each makes exactly one mistake, named in its
docstring, and is otherwise faithful to PyTorch's semantics (same window geometry, same
output size), so whatever differs from the engine is caused by that mistake alone.

:data:`PITFALLS` pairs each one with the engine's correct result on the same data, so the
GUI can show both side by side.  Nothing here is ever used to compute a "correct" value.

NaN and real −∞ inputs are outside what these functions promise: hand-written code has its
own (also wrong) ideas about them, and the lessons here are about other mistakes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from engine.arrays import as_plane, check_grad_shape
from engine.conv import conv2d
from engine.errors import ParameterError
from engine.geometry import Pair, WindowGeometry, conv_geometry, normalize_pair, pool_geometry
from engine.ops import OPS, get_op
from engine.pooling import avg_pool2d, max_pool2d, max_pool2d_backward


# ---- helpers ------------------------------------------------------------------------------------
def _spans(g: WindowGeometry) -> Pair:
    """Extent of one (dilated) window in canvas cells, per axis."""
    return (
        (g.kernel[0] - 1) * g.dilation[0] + 1,
        (g.kernel[1] - 1) * g.dilation[1] + 1,
    )


def _pad(x: np.ndarray, g: WindowGeometry, value: float) -> np.ndarray:
    """The canvas: explicit padding plus the ``ceil_mode`` overhang, filled with ``value``."""
    (top, bottom), (left, right) = g.canvas_pad
    pads = ((0, 0),) * (x.ndim - 2) + ((top, bottom), (left, right))
    return np.pad(x, pads, constant_values=value)


def _crop(canvas: np.ndarray, g: WindowGeometry) -> np.ndarray:
    (top, _), (left, _) = g.canvas_pad
    h, w = g.in_size
    return canvas[..., top : top + h, left : left + w].copy()


# ---- max pooling --------------------------------------------------------------------------------
def wrong_max_pool2d_zero_padding(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """WRONG max pooling: pads with zeros instead of −∞.

    The mistake is ``np.pad(x, p)`` (whose default fill is 0) before taking window maxima.
    A window that touches the padding and whose real values are all negative returns 0, a
    value that is not in the input.  PyTorch pads max pooling with −∞, which never wins.
    Every other window is right.

    Parameters
    ----------
    x : array, shape (H, W)
    kernel_size, stride, padding, dilation, ceil_mode : as in :func:`engine.max_pool2d`

    Returns
    -------
    array, shape (out_H, out_W)
    """
    x = as_plane(x, "x")
    g = pool_geometry(x.shape, kernel_size, stride, padding, dilation, ceil_mode)
    xp = _pad(x, g, 0.0)  # MISTAKE: should be -np.inf
    (sh, sw), (dh, dw) = g.stride, g.dilation
    span_h, span_w = _spans(g)
    out = np.empty(g.out_size)
    for oh in range(g.out_size[0]):
        for ow in range(g.out_size[1]):
            r0, c0 = oh * sh, ow * sw  # window start on the padded canvas
            out[oh, ow] = xp[r0 : r0 + span_h : dh, c0 : c0 + span_w : dw].max()
    return out


#: The numpydoc sections both wrong max-pooling backwards share (:func:`_shared_doc` writes
#: them into the docstrings, so that ``help()`` shows them).
MAX_BACKWARD_SECTIONS = """Parameters
    ----------
    grad_output : array, shape (out_H, out_W)
    x : array, shape (H, W)
    kernel_size, stride, padding, dilation, ceil_mode : as in :func:`engine.max_pool2d`

    Returns
    -------
    grad_input : array, shape (H, W)"""

#: The numpydoc sections both wrong convolutions share.
CONV_SECTIONS = """Parameters
    ----------
    x : array, shape (C, H, W)
    weight : array, shape (C, kH, kW), the kernel of one output channel
    bias : float or None
    stride, padding, dilation : as in :func:`engine.conv2d`

    Returns
    -------
    array, shape (out_H, out_W)"""

_SECTIONS = {"{max_backward_sections}": MAX_BACKWARD_SECTIONS, "{conv_sections}": CONV_SECTIONS}
_Fn = TypeVar("_Fn", bound=Callable[..., object])


def _shared_doc(fn: _Fn) -> _Fn:
    """Write the shared numpydoc sections into ``fn``'s docstring in place of their names."""
    for name, text in _SECTIONS.items():
        if fn.__doc__:
            fn.__doc__ = fn.__doc__.replace(name, text)
    return fn


def _max_backward_canvas(
    grad_output: object,
    x: object,
    kernel_size: object,
    stride: object,
    padding: object,
    dilation: object,
    ceil_mode: bool,
) -> tuple[np.ndarray, WindowGeometry, np.ndarray, np.ndarray]:
    """``(dY, geometry, x on its −∞-padded canvas, a zero gradient canvas)``, validated."""
    xa = as_plane(x, "x")
    g = pool_geometry(xa.shape, kernel_size, stride, padding, dilation, ceil_mode)
    dy = as_plane(grad_output, "grad_output")
    check_grad_shape(dy.shape, g.out_size)
    xp = _pad(xa, g, -np.inf)
    return dy, g, xp, np.zeros_like(xp)


@_shared_doc
def wrong_max_pool2d_backward_ignores_stride(
    grad_output: object,
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """WRONG max-pooling backward: forgets the stride when locating each window.

    The mistake is ``vert_start = h`` and ``horiz_start = w`` instead of ``h * stride`` and
    ``w * stride``: output ``(h, w)`` looks for its maximum in the window starting at canvas
    cell ``(h, w)``, so with a stride above 1 the gradient lands on the maximum of the wrong
    (overlapping, top-left-shifted) window.  With stride 1 it is exactly right.  Ties go to
    the first maximum in row-major order, as in PyTorch.

    {max_backward_sections}
    """
    dy, g, xp, grad = _max_backward_canvas(
        grad_output, x, kernel_size, stride, padding, dilation, ceil_mode
    )
    dh, dw = g.dilation
    span_h, span_w = _spans(g)
    for h in range(g.out_size[0]):
        for w in range(g.out_size[1]):
            vert_start = h  # MISTAKE: should be h * stride[0]
            horiz_start = w  # MISTAKE: should be w * stride[1]
            rows = slice(vert_start, vert_start + span_h, dh)
            cols = slice(horiz_start, horiz_start + span_w, dw)
            window = xp[rows, cols]
            i, j = np.unravel_index(np.argmax(window), window.shape)  # first maximum wins
            grad[vert_start + i * dh, horiz_start + j * dw] += dy[h, w]
    return _crop(grad, g)


@_shared_doc
def wrong_max_pool2d_backward_equality_mask(
    grad_output: object,
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """WRONG max-pooling backward: sends the gradient to every tied maximum.

    The mistake is the mask ``window == window.max()``: when several elements of a window tie
    for the maximum, each receives the window's full gradient, so the gradient is counted
    twice (or more).  PyTorch gives it to the first maximum in row-major order only.  Without
    ties it is exactly right; it equals the engine's ``ties='all'`` policy.

    {max_backward_sections}
    """
    dy, g, xp, grad = _max_backward_canvas(
        grad_output, x, kernel_size, stride, padding, dilation, ceil_mode
    )
    (sh, sw), (dh, dw) = g.stride, g.dilation
    span_h, span_w = _spans(g)
    for h in range(g.out_size[0]):
        for w in range(g.out_size[1]):
            rows = slice(h * sh, h * sh + span_h, dh)
            cols = slice(w * sw, w * sw + span_w, dw)
            window = xp[rows, cols]
            mask = window == window.max()  # MISTAKE: every tied maximum gets the gradient
            grad[rows, cols] += mask * dy[h, w]
    return _crop(grad, g)


# ---- pooling by reshape -------------------------------------------------------------------------
def wrong_pool2d_reshape(x: object, kernel_size: object, mode: str = "max") -> np.ndarray:
    """WRONG pooling by reshaping: silently drops the rows and columns that do not fit.

    The mistake is the popular one-liner
    ``x[:H // kh * kh, :W // kw * kw].reshape(H // kh, kh, W // kw, kw).max(axis=(1, 3))``.
    It only knows non-overlapping windows (stride = kernel), no padding and no dilation, and
    the crop that makes the reshape legal throws away the last ``H % kh`` rows and ``W % kw``
    columns without a warning, where ``ceil_mode=True`` would keep a partial window.  With
    stride = kernel, no padding and no dilation it matches the engine on every window that
    fits.

    Parameters
    ----------
    x : array, shape (H, W)
    kernel_size : int or (kH, kW)
    mode : 'max' or 'avg'

    Returns
    -------
    array, shape (H // kH, W // kW); may have a zero side when the kernel exceeds the input
    """
    x = as_plane(x, "x")
    kernel = normalize_pair(kernel_size, "kernel_size")
    assert kernel is not None
    if min(kernel) < 1:
        raise ParameterError(
            "{name} ({value}) must be greater than zero", name="kernel_size", value=kernel
        )
    if mode not in _REDUCE:
        raise ParameterError("mode ({mode}) must be 'max' or 'avg'", mode=repr(mode))
    kh, kw = kernel
    h, w = x.shape
    blocks = x[: h // kh * kh, : w // kw * kw].reshape(h // kh, kh, w // kw, kw)  # MISTAKE
    if blocks.size == 0:
        return np.zeros((h // kh, w // kw))
    reduced: np.ndarray = _REDUCE[mode](blocks, axis=(1, 3))
    return reduced


_REDUCE: dict[str, Callable[..., np.ndarray]] = {"max": np.max, "avg": np.mean}


# ---- average pooling ----------------------------------------------------------------------------
def wrong_avg_pool2d_fixed_divisor(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    ceil_mode: bool = False,
) -> np.ndarray:
    """WRONG average pooling: always divides by ``kH·kW``.

    The mistake is ``window.mean()`` over a zero-padded canvas, i.e. ``window.sum() / (kH·kW)``
    for every window.  PyTorch divides a window clipped by ``ceil_mode`` only by the cells
    inside the padded input, with ``count_include_pad=False`` only by the real cells, and by
    ``divisor_override`` when that is set.  Where none of these apply it is exactly right.

    Parameters
    ----------
    x : array, shape (H, W)
    kernel_size, stride, padding, ceil_mode : as in :func:`engine.avg_pool2d`

    Returns
    -------
    array, shape (out_H, out_W)
    """
    x = as_plane(x, "x")
    g = pool_geometry(x.shape, kernel_size, stride, padding, 1, ceil_mode)
    xp = _pad(x, g, 0.0)
    (sh, sw), (kh, kw) = g.stride, g.kernel
    out = np.empty(g.out_size)
    for oh in range(g.out_size[0]):
        for ow in range(g.out_size[1]):
            window = xp[oh * sh : oh * sh + kh, ow * sw : ow * sw + kw]
            out[oh, ow] = window.mean()  # MISTAKE: divisor is always kH * kW
    return out


# ---- convolution --------------------------------------------------------------------------------
def _conv_setup(
    x: object, weight: object, stride: object, padding: object, dilation: object
) -> tuple[np.ndarray, np.ndarray, WindowGeometry]:
    xa = np.asarray(x, dtype=float)
    wa = np.asarray(weight, dtype=float)
    if xa.ndim != 3 or wa.ndim != 3 or xa.shape[0] != wa.shape[0]:
        raise ParameterError(
            "x must be (C, H, W) and weight (C, kH, kW) with the same C; got {x} and {weight}",
            x=xa.shape,
            weight=wa.shape,
        )
    g = conv_geometry(xa.shape[1:], wa.shape[1:], stride, padding, dilation)
    return xa, wa, g


def _conv_windows(x: np.ndarray, g: WindowGeometry) -> Iterator[tuple[int, int, np.ndarray]]:
    """``(oh, ow, window)`` of every output, the window read from x (C, H, W) zero-padded."""
    xp = _pad(x, g, 0.0)
    (sh, sw), (dh, dw) = g.stride, g.dilation
    span_h, span_w = _spans(g)
    for oh in range(g.out_size[0]):
        for ow in range(g.out_size[1]):
            yield oh, ow, xp[:, oh * sh : oh * sh + span_h : dh, ow * sw : ow * sw + span_w : dw]


@_shared_doc
def wrong_conv2d_bias_per_product(
    x: object,
    weight: object,
    bias: float | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
) -> np.ndarray:
    """WRONG convolution: adds the bias to every product instead of once per output.

    The mistake is ``np.sum(window * weight + bias)``: the bias is added to each of the
    ``C·kH·kW`` products, so every output is too large by ``bias·(C·kH·kW − 1)``.  PyTorch
    adds the bias once: ``np.sum(window * weight) + bias``.  With no (or a zero) bias it is
    exactly right.

    {conv_sections}
    """
    xa, wa, g = _conv_setup(x, weight, stride, padding, dilation)
    b = 0.0 if bias is None else float(bias)
    out = np.empty(g.out_size)
    for oh, ow, window in _conv_windows(xa, g):
        out[oh, ow] = np.sum(window * wa + b)  # MISTAKE: bias inside the sum
    return out


@_shared_doc
def wrong_conv2d_flipped_kernel(
    x: object,
    weight: object,
    bias: float | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
) -> np.ndarray:
    """WRONG "conv2d": a true (signal-processing) convolution, which flips the kernel.

    The mistake is the textbook definition ``y[i, j] = Σ x[i − m, j − n]·w[m, n]`` (what
    ``scipy.signal.convolve2d`` computes): it is a cross-correlation with the kernel rotated
    by 180°.  PyTorch's ``conv2d`` (like every deep-learning library) does not flip.  For a
    kernel that looks the same after a half turn it is exactly right.

    {conv_sections}
    """
    xa, wa, g = _conv_setup(x, weight, stride, padding, dilation)
    flipped = wa[:, ::-1, ::-1]  # MISTAKE: the kernel is rotated by 180°
    b = 0.0 if bias is None else float(bias)
    out = np.empty(g.out_size)
    for oh, ow, window in _conv_windows(xa, g):
        out[oh, ow] = np.sum(window * flipped) + b
    return out


# ---- registry -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PitfallCase:
    """The data one pitfall is shown on: one plane (pooling) or one output channel (conv).

    Attributes
    ----------
    op : 'max', 'avg' or 'conv'
    x : array, shape (H, W) for pooling, (C_in, H, W) for convolution
    kernel_size, stride, padding, dilation : (h, w) pairs
    ceil_mode, count_include_pad, divisor_override : pooling options
    weight : array, shape (C_in, kH, kW): the kernel of the shown output channel (conv only)
    bias : the shown output channel's bias (conv only)
    grad_output : array, shape (out_H, out_W): the upstream gradient of the shown plane
    """

    op: str
    x: np.ndarray
    kernel_size: Pair = (2, 2)
    stride: Pair = (2, 2)
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    weight: np.ndarray | None = None
    bias: float | None = None
    grad_output: np.ndarray | None = None

    @property
    def max_args(self) -> tuple[Pair, Pair, Pair, Pair, bool]:
        return (self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode)

    @property
    def conv_args(self) -> tuple[Pair, Pair, Pair]:
        return (self.stride, self.padding, self.dilation)

    def require(self, name: str) -> np.ndarray:
        value = getattr(self, name)
        if value is None:
            raise ParameterError(
                "this pitfall needs {name}, which the case does not have", name=name
            )
        return np.asarray(value, dtype=float)


def _correct_conv(case: PitfallCase) -> np.ndarray:
    bias = None if case.bias is None else np.array([case.bias])
    w = case.require("weight")
    y: np.ndarray = conv2d(case.x[None], w[None], bias, *case.conv_args)[0, 0]
    return y


def _correct_avg(case: PitfallCase) -> np.ndarray:
    return avg_pool2d(
        case.x,
        case.kernel_size,
        case.stride,
        case.padding,
        case.ceil_mode,
        case.count_include_pad,
        case.divisor_override,
    )


def _correct_max(case: PitfallCase) -> np.ndarray:
    y = max_pool2d(case.x, *case.max_args)
    assert isinstance(y, np.ndarray)  # no indices asked for
    return y


def _correct_pool(case: PitfallCase) -> np.ndarray:
    """The engine's pooling of the case, by the operation's reduction."""
    correct = {"max": _correct_max, "avg": _correct_avg}
    return correct[get_op(case.op).reduction](case)


def _correct_max_backward(case: PitfallCase) -> np.ndarray:
    # PyTorch's rule (first maximum wins), whatever tie policy the app is set to.
    return max_pool2d_backward(case.require("grad_output"), case.x, *case.max_args, ties="first")


@dataclass(frozen=True)
class Pitfall:
    """One wrong implementation and how to show it.

    Attributes
    ----------
    key : stable identifier
    title : short name for a menu
    explanation : one line saying what goes wrong
    applies_to : the short names of the operations whose spec lists this pitfall
    result : 'output' (forward result Y) or 'grad_input' (input gradient dX)
    function : the ``wrong_*`` function itself (its name and docstring tell the mistake)
    wrong : computes the wrong result of a :class:`PitfallCase`
    correct : computes the engine's correct result of the same case
    """

    key: str
    title: str
    explanation: str
    result: str
    function: Callable[..., np.ndarray]
    wrong: Callable[[PitfallCase], np.ndarray]
    correct: Callable[[PitfallCase], np.ndarray]

    @property
    def applies_to(self) -> tuple[str, ...]:
        # Which operations show a pitfall is the operations' data (OpSpec.pitfalls).
        return tuple(spec.alias for spec in OPS.values() if self.key in spec.pitfalls)


def _max_backward_pitfall(
    key: str, title: str, explanation: str, function: Callable[..., np.ndarray]
) -> Pitfall:
    """A wrong max-pooling backward ``function(grad_output, x, *max args)`` as a pitfall."""
    return Pitfall(
        key=key,
        title=title,
        explanation=explanation,
        result="grad_input",
        function=function,
        wrong=lambda c: function(c.require("grad_output"), c.x, *c.max_args),
        correct=_correct_max_backward,
    )


PITFALLS: list[Pitfall] = [
    Pitfall(
        key="max_zero_padding",
        title="Zero padding in max pooling",
        explanation=(
            "Padding with 0 instead of −∞: a window of negative numbers that touches the "
            "padding returns 0, a value that is not in the input."
        ),
        result="output",
        function=wrong_max_pool2d_zero_padding,
        wrong=lambda c: wrong_max_pool2d_zero_padding(c.x, *c.max_args),
        correct=_correct_max,
    ),
    _max_backward_pitfall(
        "max_backward_ignores_stride",
        "Backward forgets the stride",
        "vert_start = h instead of h·stride: the gradient goes to the maximum of a "
        "shifted window (right only when the stride is 1).",
        wrong_max_pool2d_backward_ignores_stride,
    ),
    _max_backward_pitfall(
        "max_backward_equality_mask",
        "Gradient to every tied maximum",
        "mask = (window == window.max()) gives the full gradient to every tied maximum; "
        "PyTorch gives it to the first one only.",
        wrong_max_pool2d_backward_equality_mask,
    ),
    Pitfall(
        key="pool_reshape",
        title="Pooling by reshape",
        explanation=(
            "x.reshape(H/k, k, W/k, k).max(...) drops the rows and columns that do not fit "
            "and ignores stride, padding, dilation and ceil_mode."
        ),
        result="output",
        function=wrong_pool2d_reshape,
        wrong=lambda c: wrong_pool2d_reshape(c.x, c.kernel_size, get_op(c.op).reduction),
        correct=lambda c: _correct_pool(c),
    ),
    Pitfall(
        key="avg_fixed_divisor",
        title="Average always divided by kH·kW",
        explanation=(
            "window.mean() on a zero-padded input divides every window by kH·kW, also "
            "windows clipped by ceil_mode, count_include_pad=False and divisor_override."
        ),
        result="output",
        function=wrong_avg_pool2d_fixed_divisor,
        wrong=lambda c: wrong_avg_pool2d_fixed_divisor(
            c.x, c.kernel_size, c.stride, c.padding, c.ceil_mode
        ),
        correct=_correct_avg,
    ),
    Pitfall(
        key="conv_bias_per_product",
        title="Bias added to every product",
        explanation=(
            "np.sum(window * w + b) adds the bias C·kH·kW times instead of once: every "
            "output is off by b·(C·kH·kW − 1)."
        ),
        result="output",
        function=wrong_conv2d_bias_per_product,
        wrong=lambda c: wrong_conv2d_bias_per_product(
            c.x, c.require("weight"), c.bias, *c.conv_args
        ),
        correct=_correct_conv,
    ),
    Pitfall(
        key="conv_flipped_kernel",
        title="Flipped kernel (true convolution)",
        explanation=(
            "The signal-processing convolution rotates the kernel by 180°; PyTorch's conv2d "
            "is a cross-correlation and does not flip it."
        ),
        result="output",
        function=wrong_conv2d_flipped_kernel,
        wrong=lambda c: wrong_conv2d_flipped_kernel(c.x, c.require("weight"), c.bias, *c.conv_args),
        correct=_correct_conv,
    ),
]


def get_pitfall(key: str) -> Pitfall:
    """The registered pitfall called ``key``; a ``ParameterError`` names the known keys if not."""
    for pitfall in PITFALLS:
        if pitfall.key == key:
            return pitfall
    raise ParameterError(
        "pitfall ({key}) must be one of {keys}",
        key=repr(key),
        keys=", ".join(p.key for p in PITFALLS),
    )


def pitfalls_for(op: str) -> list[Pitfall]:
    """The pitfalls that can be shown for operation ``op`` (name or alias), in registry order."""
    keys = get_op(op).pitfalls
    return [p for p in PITFALLS if p.key in keys]


def evaluate(key: str, case: PitfallCase) -> tuple[np.ndarray, np.ndarray]:
    """``(correct, wrong)`` results of pitfall ``key`` on ``case``.

    Raises
    ------
    ValueError
        For an unknown key, a pitfall that does not apply to ``case.op``, or invalid parameters.
    """
    pitfall = get_pitfall(key)
    spec = get_op(case.op)
    if key not in spec.pitfalls:
        raise ParameterError(
            "pitfall {key} applies to {ops}, not to {op}",
            key=repr(key),
            ops=" and ".join(pitfall.applies_to),
            op=repr(spec.alias),
        )
    return pitfall.correct(case), pitfall.wrong(case)


@dataclass(frozen=True)
class PitfallDiff:
    """Which cells of a correct and a wrong matrix differ (what :func:`compare` finds).

    Attributes
    ----------
    correct_mask : bool array, shape of the correct matrix
        Cells whose value differs, or that the wrong matrix does not have at all.
    wrong_mask : bool array, shape of the wrong matrix
        Cells whose value differs, or that the correct matrix does not have.
    count : number of differing positions (a position outside the common part counts once)
    """

    correct_mask: np.ndarray
    wrong_mask: np.ndarray
    count: int

    @property
    def same_shape(self) -> bool:
        return self.correct_mask.shape == self.wrong_mask.shape


def compare(correct: np.ndarray, wrong: np.ndarray, tol: float = 1e-9) -> PitfallDiff:
    """Cell-by-cell comparison of two 2-D matrices that may differ in shape.

    Values closer than ``tol`` (relative and absolute) count as equal, so a different
    summation order does not show as a mistake; NaN equals NaN.
    """
    a = np.asarray(correct, dtype=float)
    b = np.asarray(wrong, dtype=float)
    rows, cols = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    common = ~np.isclose(a[:rows, :cols], b[:rows, :cols], rtol=tol, atol=tol, equal_nan=True)
    correct_mask = np.ones(a.shape, dtype=bool)
    wrong_mask = np.ones(b.shape, dtype=bool)
    correct_mask[:rows, :cols] = common
    wrong_mask[:rows, :cols] = common
    count = int(correct_mask.sum() + wrong_mask.sum() - common.sum())
    return PitfallDiff(correct_mask, wrong_mask, count)

"""The step-by-step story of one plane's computation, for teaching.

A :class:`Trace` is built once per change of input or parameters (one vectorised forward and
backward pass); its per-window records are made on demand when asked for, so building a trace
for a 1024×1024 image costs no more than the computation itself.  Every record is a frozen
dataclass: the GUI reads them, it never computes window coordinates of its own.

Forward records say which input coordinates a window read (padding, overhang and dilation gaps
marked), the values read, the result, the winning tap for max and the arithmetic as text.
Backward records say what one output's upstream gradient adds to which input-gradient cells
(and, for convolution, to the weight and bias gradients).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from engine.arrays import as_float_array
from engine.conv import conv2d, conv2d_backward
from engine.geometry import Pair, TapKind, WindowGeometry, conv_geometry, pool_geometry
from engine.pooling import (
    avg_divisors,
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_mask,
    scatter_taps,
    validate_ties,
)

Op = Literal["max", "avg", "conv"]


def format_number(value: float) -> str:
    """A number as a student would write it: ``18.5``, ``7``, ``0.3333``, ``−∞``."""
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "−∞" if v < 0 else "∞"
    if v == 0:
        return "0"
    if v == int(v) and abs(v) < 1e9:
        return str(int(v))
    if 1e-3 <= abs(v) < 1e6:
        return f"{v:.4f}".rstrip("0").rstrip(".")
    return f"{v:.3g}"


def _term(value: float) -> str:
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


@dataclass(frozen=True)
class Tap:
    """One kernel tap of one window.

    ``kind`` is ``'input'`` for a real element, ``'padding'`` inside the explicit padding and
    ``'overhang'`` beyond it (ceil_mode only; never read).  ``value`` is what the tap read:
    the element, −∞ for max-pool padding, 0 for avg/conv padding, NaN for overhang.
    """

    kernel_pos: Pair
    input_pos: Pair
    kind: TapKind
    value: float
    channel: int = 0
    weight: float | None = None


@dataclass(frozen=True)
class ForwardStep:
    """What output ``out_pos`` computed, tap by tap."""

    index: int
    out_pos: Pair
    taps: tuple[Tap, ...]
    gaps: tuple[Pair, ...]
    result: float
    text: str
    winners: tuple[int, ...] = ()
    divisor: float | None = None
    bias: float | None = None


@dataclass(frozen=True)
class BackwardStep:
    """What output ``out_pos``'s upstream gradient adds to the gradients.

    ``input_grads`` holds ``((channel, row, col), amount)`` pairs; ``weight_grads`` holds
    ``((channel, i, j), amount)`` for convolution; ``bias_grad`` the amount added to the bias.
    """

    index: int
    out_pos: Pair
    grad_output: float
    input_grads: tuple[tuple[tuple[int, int, int], float], ...]
    text: str
    weight_grads: tuple[tuple[tuple[int, int, int], float], ...] = ()
    bias_grad: float | None = None


@dataclass(frozen=True)
class Trace:
    """Forward and backward results of one plane plus on-demand step records.

    Attributes
    ----------
    op : 'max', 'avg' or 'conv'
    geometry : the windows
    x : (C, H, W) input plane(s) the windows read (C = 1 for pooling)
    output : (out_H, out_W)
    grad_output : (out_H, out_W) upstream gradient used for the backward phase
    grad_input : (C, H, W)
    weight : (C, kH, kW) for conv, else None
    bias : float for conv with bias, else None
    grad_weight : (C, kH, kW) for conv; grad_bias : float for conv with bias
    mask_counts : (H, W) windows won per element, max only
    """

    op: Op
    geometry: WindowGeometry
    x: np.ndarray
    output: np.ndarray
    grad_output: np.ndarray
    grad_input: np.ndarray
    params: dict = field(default_factory=dict)
    weight: np.ndarray | None = None
    bias: float | None = None
    grad_weight: np.ndarray | None = None
    grad_bias: float | None = None
    mask_counts: np.ndarray | None = None
    winners: np.ndarray | None = None
    divisors: np.ndarray | None = None

    def __len__(self) -> int:
        return self.geometry.n_windows

    # ---- forward ------------------------------------------------------------------------------
    def forward_step(self, index: int) -> ForwardStep:
        """The record of window number ``index`` (row-major order over the output)."""
        oh, ow = self.geometry.position(index)
        taps = tuple(self._taps(oh, ow))
        gaps = tuple(self.geometry.window_gaps(oh, ow))
        result = float(self.output[oh, ow])
        if self.op == "max":
            winners = tuple(
                k
                for k, t in enumerate(taps)
                if self.winners[oh, ow, t.kernel_pos[0], t.kernel_pos[1]]
            )
            values = [format_number(t.value) for t in taps if t.kind != "overhang"]
            text = f"max({', '.join(values)}) = {format_number(result)}"
            return ForwardStep(index, (oh, ow), taps, gaps, result, text, winners=winners)
        if self.op == "avg":
            divisor = float(self.divisors[oh, ow])
            counted = [
                t
                for t in taps
                if t.kind == "input" or (t.kind == "padding" and self.params["count_include_pad"])
            ]
            total = " + ".join(_term(t.value) for t in counted)
            text = f"({total}) / {format_number(divisor)} = {format_number(result)}"
            return ForwardStep(index, (oh, ow), taps, gaps, result, text, divisor=divisor)
        terms = [f"{_term(t.value)}·{_term(t.weight)}" for t in taps]
        if self.x.shape[0] > 1:
            # One bracket per input channel, so a student can match each group to its plane.
            per_channel = len(taps) // self.x.shape[0]
            terms = [
                "(" + " + ".join(terms[k : k + per_channel]) + ")"
                for k in range(0, len(terms), per_channel)
            ]
        if self.bias is not None:
            terms.append(_term(self.bias))
        text = f"{' + '.join(terms)} = {format_number(result)}"
        return ForwardStep(index, (oh, ow), taps, gaps, result, text, bias=self.bias)

    def _taps(self, oh: int, ow: int) -> list[Tap]:
        g = self.geometry
        pad_value = -math.inf if self.op == "max" else 0.0
        channels = range(self.x.shape[0])
        taps = []
        for c in channels:
            for i, j, r, col in g.window_taps(oh, ow):
                kind = g.classify(r, col)
                if kind == "input":
                    value = float(self.x[c, r, col])
                else:
                    value = pad_value if kind == "padding" else math.nan
                weight = None if self.weight is None else float(self.weight[c, i, j])
                taps.append(Tap((i, j), (r, col), kind, value, c, weight))
        return taps

    # ---- backward -----------------------------------------------------------------------------
    def backward_step(self, index: int) -> BackwardStep:
        """What window number ``index`` sends back into the gradients."""
        oh, ow = self.geometry.position(index)
        gy = float(self.grad_output[oh, ow])
        pos = f"dY[{oh}, {ow}] = {format_number(gy)}"
        if self.op == "max":
            step = self.forward_step(index)
            winners = [step.taps[k] for k in step.winners]
            if not winners:
                return BackwardStep(index, (oh, ow), gy, (), f"{pos}: the window read no input")
            share = gy / len(winners) if self.params["ties"] == "split" else gy
            grads = tuple(((0, *t.input_pos), share) for t in winners)
            targets = ", ".join(f"dX[{r}, {c}]" for _, r, c in (g for g, _ in grads))
            rule = {
                "first": "to the maximum",
                "all": "in full to every tied maximum",
                "split": f"shared by {len(winners)} tied maxima",
            }[self.params["ties"]]
            text = f"{pos} goes {rule}: {targets} += {format_number(share)}"
            return BackwardStep(index, (oh, ow), gy, grads, text)
        if self.op == "avg":
            divisor = float(self.divisors[oh, ow])
            share = gy / divisor
            cells = [t for t in self._taps(oh, ow) if t.kind == "input"]
            grads = tuple(((0, *t.input_pos), share) for t in cells)
            text = (
                f"{pos} / {format_number(divisor)} = {format_number(share)} "
                f"is added to each of the window's {len(cells)} input cells in dX"
            )
            return BackwardStep(index, (oh, ow), gy, grads, text)
        taps = [t for t in self._taps(oh, ow)]
        grads = tuple(((t.channel, *t.input_pos), gy * t.weight) for t in taps if t.kind == "input")
        wgrads = tuple(((t.channel, *t.kernel_pos), gy * t.value) for t in taps)
        bias_grad = gy if self.bias is not None else None
        text = f"{pos}: dX[window] += {format_number(gy)}·W, dW += {format_number(gy)}·X[window]"
        if bias_grad is not None:
            text += f", db += {format_number(gy)}"
        return BackwardStep(index, (oh, ow), gy, grads, text, wgrads, bias_grad)

    def mask_counts_after(self, index: int) -> np.ndarray:
        """Max only: (H, W) windows won per element, counting windows ``0 .. index``."""
        if self.winners is None:
            raise ValueError(f"mask_counts_after needs a max-pooling trace, not {self.op!r}")
        n = len(self)
        if not -1 <= index < n:
            raise ValueError(f"index ({index}) must be in -1..{n - 1}")
        keep = (np.arange(n) <= index).reshape(self.geometry.out_size)
        won = (self.winners & keep[:, :, None, None]).astype(np.int64)
        return scatter_taps(won, self.geometry)

    def grad_input_after(self, index: int) -> np.ndarray:
        """Input gradient (C, H, W) once windows ``0 .. index`` have sent theirs back.

        ``index = -1`` gives zeros; ``index = len(self) - 1`` gives :attr:`grad_input` exactly.
        """
        return self._partial_backward(index)[0]

    def grad_weight_after(self, index: int) -> tuple[np.ndarray | None, float | None]:
        """Conv weight and bias gradients once windows ``0 .. index`` have contributed."""
        _, gw, gb = self._partial_backward(index)
        return gw, gb

    def _partial_backward(self, index: int) -> tuple[np.ndarray, np.ndarray | None, float | None]:
        n = len(self)
        if not -1 <= index < n:
            raise ValueError(f"index ({index}) must be in -1..{n - 1}")
        if index == n - 1:
            return self.grad_input, self.grad_weight, self.grad_bias
        keep = (np.arange(n) <= index).reshape(self.geometry.out_size)
        gy = np.where(keep, self.grad_output, 0.0)
        gx, gw, gb = _backward(self.op, self.x, gy, self.params, self.weight, self.bias)
        return gx, gw, gb


def _backward(
    op: Op,
    x: np.ndarray,
    gy: np.ndarray,
    params: dict,
    weight: np.ndarray | None,
    bias: float | None,
) -> tuple[np.ndarray, np.ndarray | None, float | None]:
    if op == "max":
        p = {
            k: params[k]
            for k in ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "ties")
        }
        return max_pool2d_backward(gy, x[0], **p)[None], None, None
    if op == "avg":
        keys = (
            "kernel_size",
            "stride",
            "padding",
            "ceil_mode",
            "count_include_pad",
            "divisor_override",
        )
        return avg_pool2d_backward(gy, x[0], **{k: params[k] for k in keys})[None], None, None
    b = None if bias is None else np.array([bias])
    gx, gw, gb = conv2d_backward(
        gy[None], x, weight[None], b, params["stride"], params["padding"], params["dilation"]
    )
    return gx, gw[0], None if gb is None else float(gb[0])


def _plane(x: object, name: str = "x") -> np.ndarray:
    arr = as_float_array(x, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be one (H, W) plane for a trace; got shape {arr.shape}")
    return arr


def _grad(grad_output: object | None, shape: Pair, dtype: np.dtype) -> np.ndarray:
    if grad_output is None:
        return np.ones(shape, dtype=dtype)
    gy = as_float_array(grad_output, "grad_output")
    if gy.shape != tuple(shape):
        raise ValueError(f"grad_output shape {gy.shape} must match the output shape {tuple(shape)}")
    return gy


def trace_max_pool2d(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    ties: str = "first",
    grad_output: object | None = None,
) -> Trace:
    """Trace :func:`max_pool2d` and its backward on one (H, W) plane.

    ``grad_output`` (out_H, out_W) defaults to ones.
    """
    validate_ties(ties)
    xp = _plane(x)
    g = pool_geometry(xp.shape, kernel_size, stride, padding, dilation, ceil_mode)
    params = dict(
        kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation,
        ceil_mode=ceil_mode, ties=ties,
    )  # fmt: skip
    best = max_pool2d(xp, kernel_size, stride, padding, dilation, ceil_mode)
    mask = max_pool2d_mask(xp, kernel_size, stride, padding, dilation, ceil_mode, ties)
    gy = _grad(grad_output, g.out_size, best.dtype)
    gx, _, _ = _backward("max", xp[None], gy, params, None, None)
    return Trace(
        op="max", geometry=g, x=xp[None], output=best, grad_output=gy, grad_input=gx,
        params=params, mask_counts=mask.counts, winners=mask.winners[0, 0],
    )  # fmt: skip


def trace_avg_pool2d(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    grad_output: object | None = None,
) -> Trace:
    """Trace :func:`avg_pool2d` and its backward on one (H, W) plane."""
    xp = _plane(x)
    g = pool_geometry(xp.shape, kernel_size, stride, padding, 1, ceil_mode)
    params = dict(
        kernel_size=kernel_size, stride=stride, padding=padding, ceil_mode=ceil_mode,
        count_include_pad=count_include_pad, divisor_override=divisor_override,
    )  # fmt: skip
    y = avg_pool2d(xp, **params)
    gy = _grad(grad_output, g.out_size, y.dtype)
    gx, _, _ = _backward("avg", xp[None], gy, params, None, None)
    return Trace(
        op="avg", geometry=g, x=xp[None], output=y, grad_output=gy, grad_input=gx,
        params=params, divisors=avg_divisors(g, count_include_pad, divisor_override),
    )  # fmt: skip


def trace_conv2d(
    x: object,
    weight: object,
    bias: float | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    grad_output: object | None = None,
) -> Trace:
    """Trace one output channel of :func:`conv2d` and its backward.

    Parameters
    ----------
    x : (H, W) or (C, H, W)
    weight : (kH, kW) or (C, kH, kW), the kernel of the traced output channel
    bias : float, optional
    """
    xa = as_float_array(x, "x")
    wa = as_float_array(weight, "weight")
    if xa.ndim == 2:
        xa = xa[None]
    if wa.ndim == 2:
        wa = wa[None]
    if xa.ndim != 3 or wa.ndim != 3:
        raise ValueError(
            f"a conv trace takes x (C, H, W) and weight (C, kH, kW); got {xa.shape} and {wa.shape}"
        )
    b = None if bias is None else float(np.asarray(bias).reshape(-1)[0])
    y = conv2d(xa, wa[None], None if b is None else np.array([b]), stride, padding, dilation)
    g = conv_geometry(xa.shape[1:], wa.shape[1:], stride, padding, dilation)
    params = dict(stride=stride, padding=padding, dilation=dilation)
    gy = _grad(grad_output, g.out_size, y.dtype)
    gx, gw, gb = _backward("conv", xa, gy, params, wa, b)
    return Trace(
        op="conv", geometry=g, x=xa, output=y[0], grad_output=gy, grad_input=gx, params=params,
        weight=wa, bias=b, grad_weight=gw, grad_bias=gb,
    )  # fmt: skip

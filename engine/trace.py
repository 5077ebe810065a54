"""The step-by-step story of one plane's computation, for teaching (generic over operations).

A :class:`Trace` is built once per change of input or parameters (one vectorised forward and
backward pass, by the operation's spec in ``engine/ops``); its per-window records are made on
demand, so a trace of a 1024×1024 image costs no more than the computation itself.  Records are
frozen dataclasses: the GUI reads them, it never computes window coordinates of its own.

Forward records say which input coordinates a window read (padding, overhang and dilation gaps
marked), the values read, the result, the winning tap for max and the arithmetic as text.
Backward records say what one output's upstream gradient adds to which input-gradient cells
(and, for convolution, to the weight and bias gradients).  What the views show "so far" while
stepping comes from :class:`~engine.ops.spec.Accumulation` data made once per trace.

The records of a particular operation are written by its module in ``engine/ops`` (the
``records`` object of a trace); nothing here knows an operation by name.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol

import numpy as np

from engine.errors import ParameterError
from engine.geometry import Pair, TapKind, WindowGeometry

#: Above this many (window, tap) contributions a trace does not keep per-window data for the
#: "so far" views; they are then computed with one masked backward pass when asked.
ACCUMULATION_LIMIT = 4_000_000


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


def term(value: float) -> str:
    """A number as a term of a sum: negative numbers in parentheses."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


# ---- generic steps -----------------------------------------------------------------------
CellRole = Literal[
    "window", "winner", "padding", "gap", "overhang", "result", "changed", "source", "target"
]


@dataclass(frozen=True)
class StepCell:
    """One highlighted cell of one view: ``view`` is a tensor name, ``pos`` (row, col)."""

    view: str
    pos: Pair
    role: CellRole
    channel: int = 0


@dataclass(frozen=True)
class Step:
    """One step of the stepping, as data: the cells it reads and writes, and its arithmetic.

    A gather step (a pooling window) reads a window of ``input`` and writes one cell of
    ``output``; a scatter step reads one cell and writes a patch; a backward step reads a
    ``grad_output`` cell and writes cells of ``grad_input`` and ``grad_weight`` at once.
    Windows of any size fit.  ``text`` is the arithmetic in English; ``template`` and
    ``fields`` let the visualizer say it in another language.
    """

    phase: Literal["forward", "backward"]
    index: int
    out_pos: Pair
    cells: tuple[StepCell, ...]
    template: str
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.template.format(**self.fields)

    def cells_of(self, view: str, channel: int | None = None) -> dict[Pair, set[str]]:
        """Roles by position of ``view``'s cells (optionally of one channel)."""
        out: dict[Pair, set[str]] = {}
        for cell in self.cells:
            if cell.view == view and (channel is None or cell.channel == channel):
                out.setdefault(cell.pos, set()).add(cell.role)
        return out


@dataclass(frozen=True)
class Accumulation:
    """How a view fills in while stepping, computed once per edit: no recomputation per step.

    Window ``k`` adds ``amounts[offsets[k]:offsets[k+1]]`` to the flat cells
    ``cells[offsets[k]:offsets[k+1]]`` of an array of ``shape``.  :meth:`after` sums the
    contributions of windows ``0..k`` in window order (``bincount`` keeps the order) and gives
    the exact final array once every window has contributed.
    """

    shape: tuple[int, ...]
    offsets: np.ndarray  # (n_windows + 1,) int64
    cells: np.ndarray  # (total,) int64 flat index into ``shape``
    amounts: np.ndarray  # (total,) float64
    final: np.ndarray  # ``shape``

    def after(self, index: int) -> np.ndarray:
        n = len(self.offsets) - 1
        if not -1 <= index < n:
            raise ParameterError("index ({index}) must be in -1..{last}", index=index, last=n - 1)
        if index == n - 1:
            return self.final
        stop = int(self.offsets[index + 1])
        size = int(np.prod(self.shape))
        flat = np.bincount(self.cells[:stop], weights=self.amounts[:stop], minlength=size)
        return flat.reshape(self.shape)


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
    ``template`` and ``fields`` say ``text`` in a translatable form.
    """

    index: int
    out_pos: Pair
    grad_output: float
    input_grads: tuple[tuple[tuple[int, int, int], float], ...]
    text: str
    weight_grads: tuple[tuple[tuple[int, int, int], float], ...] = ()
    bias_grad: float | None = None
    template: str = ""
    fields: dict[str, str] = field(default_factory=dict)


class Records(Protocol):
    """What an operation module supplies to make a trace's records."""

    def forward_step(self, trace: Trace, index: int) -> ForwardStep: ...

    def backward_step(self, trace: Trace, index: int) -> BackwardStep: ...

    def input_contributions(self, trace: Trace) -> np.ndarray:
        """Per window and tap, what the backward adds to dX: ``(out_H, out_W, C, kH, kW)``."""
        ...

    def masked_backward(
        self, trace: Trace, grad_output: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray | None, float | None]: ...


@dataclass(frozen=True)
class Trace:
    """Forward and backward results of one plane plus on-demand step records.

    Attributes
    ----------
    op : the operation's registry key
    geometry : the windows
    x : (C, H, W) input plane(s) the windows read (C = 1 for pooling)
    output : (out_H, out_W)
    grad_output : (out_H, out_W) upstream gradient used for the backward phase
    grad_input : (C, H, W)
    records : the operation's record maker (``engine/ops/<op>.py``)
    pad_value : what a padding tap reads (−∞ for max pooling, 0 for sums)
    weight : (C, kH, kW) for conv, else None
    bias : float for conv with bias, else None
    grad_weight : (C, kH, kW) for conv; grad_bias : float for conv with bias
    mask_counts : (H, W) windows won per element, max only
    winners : (out_H, out_W, kH, kW) bool, max only
    divisors : (out_H, out_W), average pooling only
    """

    op: str
    geometry: WindowGeometry
    x: np.ndarray
    output: np.ndarray
    grad_output: np.ndarray
    grad_input: np.ndarray
    records: Any
    pad_value: float = 0.0
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

    # ---- records --------------------------------------------------------------------------
    def forward_step(self, index: int) -> ForwardStep:
        """The record of window number ``index`` (row-major order over the output)."""
        return self.records.forward_step(self, index)

    def backward_step(self, index: int) -> BackwardStep:
        """What window number ``index`` sends back into the gradients."""
        return self.records.backward_step(self, index)

    def taps(self, oh: int, ow: int) -> list[Tap]:
        """Every tap of window ``(oh, ow)``, channel by channel, in row-major kernel order."""
        g = self.geometry
        taps = []
        for c in range(self.x.shape[0]):
            for i, j, r, col in g.window_taps(oh, ow):
                kind = g.classify(r, col)
                if kind == "input":
                    value = float(self.x[c, r, col])
                else:
                    value = self.pad_value if kind == "padding" else math.nan
                weight = None if self.weight is None else float(self.weight[c, i, j])
                taps.append(Tap((i, j), (r, col), kind, value, c, weight))
        return taps

    def step(self, phase: str, index: int) -> Step:
        """The generic :class:`Step` of window ``index`` in ``phase``: cells by view and role."""
        fwd = self.forward_step(index)
        cells: list[StepCell] = []
        role = {"input": "window", "padding": "padding", "overhang": "overhang"}
        for tap in fwd.taps:
            cells.append(StepCell("input", tap.input_pos, role[tap.kind], tap.channel))  # type: ignore[arg-type]
            if self.weight is not None:
                cells.append(StepCell("weight", tap.kernel_pos, "window", tap.channel))
        for c in range(self.x.shape[0]):
            cells += [StepCell("input", pos, "gap", c) for pos in fwd.gaps]
        for k in fwd.winners:
            tap = fwd.taps[k]
            cells.append(StepCell("input", tap.input_pos, "winner", tap.channel))
            cells.append(StepCell("mask", tap.input_pos, "winner", tap.channel))
        cells.append(StepCell("output", fwd.out_pos, "result"))
        if phase == "forward":
            return Step("forward", index, fwd.out_pos, tuple(cells), "{text}", {"text": fwd.text})
        bwd = self.backward_step(index)
        cells.append(StepCell("grad_output", bwd.out_pos, "source"))
        cells += [StepCell("grad_input", (r, c), "target", ch) for (ch, r, c), _ in bwd.input_grads]
        cells += [
            StepCell("grad_weight", (i, j), "changed", ch) for (ch, i, j), _ in bwd.weight_grads
        ]
        template = bwd.template or "{text}"
        fields = bwd.fields if bwd.template else {"text": bwd.text}
        return Step("backward", index, bwd.out_pos, tuple(cells), template, fields)

    # ---- what is shown "so far" (data made once per trace) ----------------------------------
    @cached_property
    def _input_accumulation(self) -> Accumulation | None:
        per_tap = self.records.input_contributions(self)
        return _accumulation(self.geometry, per_tap, self.grad_input, target="input")

    @cached_property
    def _weight_accumulation(self) -> Accumulation | None:
        if self.weight is None or self.grad_weight is None:
            return None
        per_tap = self.grad_output[:, :, None, None, None] * self._window_values()
        return _accumulation(self.geometry, per_tap, self.grad_weight, target="weight")

    @cached_property
    def _mask_accumulation(self) -> Accumulation | None:
        if self.winners is None or self.mask_counts is None:
            return None
        per_tap = self.winners[:, :, None, :, :].astype(np.float64)
        return _accumulation(self.geometry, per_tap, self.mask_counts[None], target="input")

    def _window_values(self) -> np.ndarray:
        """Value read by every tap of every window, ``(out_H, out_W, C, kH, kW)`` (0 outside)."""
        g = self.geometry
        rows, cols = g.tap_coords(0), g.tap_coords(1)  # (out_h, kh), (out_w, kw)
        h, w = g.in_size
        rv = (rows >= 0) & (rows < h)
        cv = (cols >= 0) & (cols < w)
        rr = np.clip(rows, 0, h - 1)
        cc = np.clip(cols, 0, w - 1)
        vals = self.x[:, rr[:, None, :, None], cc[None, :, None, :]]  # (C, oh, ow, kh, kw)
        valid = rv[:, None, :, None] & cv[None, :, None, :]
        vals = np.where(valid[None], vals, 0.0)
        return np.moveaxis(vals, 0, 2)

    def grad_input_after(self, index: int) -> np.ndarray:
        """Input gradient (C, H, W) once windows ``0 .. index`` have sent theirs back.

        ``index = -1`` gives zeros; ``index = len(self) - 1`` gives :attr:`grad_input` exactly.
        """
        _check_index(index, len(self))
        acc = self._input_accumulation
        if acc is not None:
            return acc.after(index)
        if index == len(self) - 1:
            return self.grad_input
        return self.records.masked_backward(self, self._masked_grad(index))[0]

    def grad_weight_after(self, index: int) -> tuple[np.ndarray | None, float | None]:
        """Conv weight and bias gradients once windows ``0 .. index`` have contributed."""
        _check_index(index, len(self))
        if self.grad_weight is None:
            return None, None
        n = len(self)
        gb = None
        if self.grad_bias is not None:
            gb = self.grad_bias if index == n - 1 else float(self._masked_grad(index).sum())
        acc = self._weight_accumulation
        if acc is not None:
            return acc.after(index), gb
        if index == n - 1:
            return self.grad_weight, gb
        return self.records.masked_backward(self, self._masked_grad(index))[1], gb

    def mask_counts_after(self, index: int) -> np.ndarray:
        """Max only: (H, W) windows won per element, counting windows ``0 .. index``."""
        _check_index(index, len(self))
        if self.winners is None or self.mask_counts is None:
            raise ValueError(f"mask_counts_after needs a trace with winners, not {self.op!r}")
        acc = self._mask_accumulation
        if acc is not None:
            return acc.after(index)[0].astype(self.mask_counts.dtype)
        # Too many windows to keep per-window data: count the first windows' winners.
        from engine.pooling import scatter_taps

        keep = (np.arange(len(self)) <= index).reshape(self.geometry.out_size)
        return scatter_taps((self.winners & keep[:, :, None, None]).astype(np.int64), self.geometry)

    def _masked_grad(self, index: int) -> np.ndarray:
        keep = (np.arange(len(self)) <= index).reshape(self.geometry.out_size)
        return np.where(keep, self.grad_output, 0.0)


def _check_index(index: int, n: int) -> None:
    if not -1 <= index < n:
        raise ValueError(f"index ({index}) must be in -1..{n - 1}")


def _accumulation(
    g: WindowGeometry, per_tap: np.ndarray, final: np.ndarray, target: str
) -> Accumulation | None:
    """Window-ordered contributions of ``per_tap`` ``(out_H, out_W, C, kH, kW)``.

    ``target='input'``: tap ``(i, j)`` of a window adds to the input cell it reads (taps in
    padding are dropped); ``'weight'``: it adds to weight cell ``(c, i, j)``.
    """
    oh, ow, c, kh, kw = per_tap.shape
    if per_tap.size > ACCUMULATION_LIMIT:
        return None
    if target == "input":
        h, w = g.in_size
        rows, cols = g.tap_coords(0), g.tap_coords(1)
        r = np.broadcast_to(rows[:, None, None, :, None], per_tap.shape)
        q = np.broadcast_to(cols[None, :, None, None, :], per_tap.shape)
        ch = np.broadcast_to(np.arange(c)[None, None, :, None, None], per_tap.shape)
        valid = (r >= 0) & (r < h) & (q >= 0) & (q < w)
        flat = (ch * h + np.clip(r, 0, h - 1)) * w + np.clip(q, 0, w - 1)
    else:
        idx = np.arange(c * kh * kw).reshape(1, 1, c, kh, kw)
        flat = np.broadcast_to(idx, per_tap.shape)
        valid = np.ones(per_tap.shape, dtype=bool)
    valid = valid & (per_tap != 0)
    valid2 = valid.reshape(oh * ow, -1)
    counts = valid2.sum(axis=1)
    offsets = np.zeros(oh * ow + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return Accumulation(
        shape=tuple(final.shape),
        offsets=offsets,
        cells=flat.reshape(oh * ow, -1)[valid2].astype(np.int64),
        amounts=per_tap.reshape(oh * ow, -1)[valid2].astype(np.float64),
        final=final,
    )


def plane(x: object, name: str = "x") -> np.ndarray:
    """``x`` as one ``(H, W)`` float plane (a trace shows one plane)."""
    from engine.arrays import as_float_array

    arr = as_float_array(x, name)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be one (H, W) plane for a trace; got shape {arr.shape}")
    return arr


def grad_or_ones(grad_output: object | None, shape: Pair, dtype: np.dtype) -> np.ndarray:
    """The upstream gradient of a trace, ones by default, checked against the output shape."""
    from engine.arrays import as_float_array

    if grad_output is None:
        return np.ones(shape, dtype=dtype)
    gy = as_float_array(grad_output, "grad_output")
    if gy.shape != tuple(shape):
        raise ValueError(f"grad_output shape {gy.shape} must match the output shape {tuple(shape)}")
    return gy

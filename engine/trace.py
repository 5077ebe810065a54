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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal, Protocol, cast

import numpy as np

from engine.errors import ParameterError
from engine.geometry import Pair, TapKind, WindowGeometry


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


# A sum or list longer than this is written with its first and last terms around "…": a
# global pooling of a 256×256 input is one window of 65,536 terms, which no one reads from a
# lecture hall's back row, and whose full line took Qt seconds to lay out at every edit.
MAX_TERMS = 49  # a 7×7 window is still written out in full
HEAD_TERMS, TAIL_TERMS = 8, 3


def join_terms(terms: Sequence[str], separator: str = " + ") -> str:
    """``terms`` joined by ``separator``; beyond :data:`MAX_TERMS`, the first
    :data:`HEAD_TERMS` and the last :data:`TAIL_TERMS` around ``…`` (the count of terms is
    said by the window's size and, for a mean, its divisor)."""
    if len(terms) <= MAX_TERMS:
        return separator.join(terms)
    shown = [*terms[:HEAD_TERMS], "…", *terms[len(terms) - TAIL_TERMS :]]
    return separator.join(shown)


# ---- generic steps -----------------------------------------------------------------------
CellRole = Literal[
    "window", "winner", "padding", "gap", "overhang", "result", "changed", "source", "target"
]


@dataclass(frozen=True)
class StepCell:
    """One highlighted cell of one view: ``view`` is a tensor name, ``pos`` (row, col).

    ``link`` is the cell of the other operand this one is combined with (a window cell's
    kernel tap, a kernel tap's window cell: hovering one lights the other); ``note`` is a
    number to print small inside the cell (a window cell's weight).
    """

    view: str
    pos: Pair
    role: CellRole
    channel: int = 0
    link: Pair | None = None
    note: str = ""


@dataclass(frozen=True)
class Update:
    """One cell a backward step adds to, with its numbers: ``before + amount = after``.

    ``view`` is a tensor name (``grad_input``, ``grad_weight``, ``grad_bias``), ``pos`` and
    ``channel`` the cell; ``text`` is the arithmetic as the operation writes it, e.g.
    ``dX[1, 0]: 0 + 1·2 = 2`` (numbers and symbols only: the same in every language).
    """

    view: str
    pos: Pair
    channel: int
    before: float
    amount: float
    after: float
    text: str


# From this many cells, a block of cells that all add the same (a large averaging window)
# is written once with slices, ``dX[0:4, 0:4]: 0 + 0.0625 = 0.0625``, not cell by cell.
SLICE_MIN_CELLS = 6


def _as_slices(group: list[Update]) -> str | None:
    """``group`` as one slice line when it has at least ``SLICE_MIN_CELLS`` cells that fill a
    rectangle and all write the same arithmetic; else None."""
    if len(group) < SLICE_MIN_CELLS:
        return None
    names, sums = zip(*(u.text.split(": ", 1) for u in group if ": " in u.text), strict=True)
    if len(names) != len(group) or len(set(sums)) != 1:
        return None
    rows = sorted({u.pos[0] for u in group})
    cols = sorted({u.pos[1] for u in group})
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    if len({u.pos for u in group}) != len(group) or (r1 - r0) * (c1 - c0) != len(group):
        return None
    # The first cell's name, its last two indices replaced by the rows' and columns' slices.
    head, _, index = names[0].partition("[")
    lead = index.rstrip("]").split(", ")[:-2]
    return f"{head}[{', '.join([*lead, f'{r0}:{r1}', f'{c0}:{c1}'])}]: {sums[0]}"


def update_lines(updates: tuple[Update, ...]) -> tuple[str, ...]:
    """The updates' texts as lines: one line per view and channel, in the order given (a
    block of many cells adding the same, as one line with slices)."""
    groups: dict[tuple[str, int], list[Update]] = {}
    for update in updates:
        groups.setdefault((update.view, update.channel), []).append(update)
    return tuple(
        _as_slices(group) or join_terms([u.text for u in group], "   ") for group in groups.values()
    )


def input_updates(
    trace: Trace,
    index: int,
    grads: tuple[tuple[tuple[int, int, int], float], ...],
    *,
    running: bool = False,
) -> tuple[Update, ...]:
    """The :class:`Update` of each ``(cell, amount)`` of ``grads`` that backward step ``index``
    adds to dX (one input channel), written ``dX[r, c]: before + amount = after`` or, with
    ``running``, ``dX[r, c] += amount → after``."""
    out = []
    for ((_, r, c), before, after), (_, amount) in zip(
        trace.updates(index, "grad_input", list(grads)), grads, strict=False
    ):  # no updates where the trace keeps no running dX
        text = (
            f"dX[{r}, {c}] += {format_number(amount)} → {format_number(after)}"
            if running
            else f"dX[{r}, {c}]: {format_number(before)} + {term(amount)} = {format_number(after)}"
        )
        out.append(Update("grad_input", (r, c), 0, before, amount, after, text))
    return tuple(out)


def cell_name(tensor: str, channel: int, pos: Pair, channels: int) -> str:
    """``dX[1, 0]`` (one channel) or ``dX[2, 1, 0]`` (channel first, several channels)."""
    index = (channel, *pos) if channels > 1 else pos
    return f"{tensor}[{', '.join(str(i) for i in index)}]"


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
    updates: tuple[Update, ...] = ()
    lines: tuple[str, ...] = ()

    @property
    def sentence(self) -> str:
        """The step's sentence in English (the template filled in)."""
        return self.template.format(**self.fields)

    @property
    def text(self) -> str:
        """The sentence, then the arithmetic of every updated cell (``lines``), in English."""
        return "\n".join((self.sentence, *self.lines))

    def cells_of(self, view: str, channel: int | None = None) -> dict[Pair, set[str]]:
        """Roles by position of ``view``'s cells (optionally of one channel)."""
        out: dict[Pair, set[str]] = {}
        for cell in self.cells:
            if cell.view == view and (channel is None or cell.channel == channel):
                out.setdefault(cell.pos, set()).add(cell.role)
        return out


# Step records a trace keeps (a few: stepping back and forth, and the current step asked for
# by several views, are answered without making the record again).
STEPS_KEPT = 8

Contributions = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class Accumulation:
    """How a view fills in while stepping, without recomputing anything per step.

    ``contributions(oh, ow)`` gives, for windows at output positions ``(oh[k], ow[k])`` in that
    order, the flat cells of an array of ``shape`` they add to and the amounts (both 1-D, in
    window order); it reads data computed once per edit (the winners, dY, the divisors, the
    weights).  :meth:`after` keeps the last answer and adds only the windows since then, so
    stepping on costs one window; a jump back starts again from zero; the last window gives
    ``final`` exactly.
    """

    def __init__(
        self,
        shape: tuple[int, ...],
        out_size: Pair,
        contributions: Contributions,
        final: np.ndarray,
        start: np.ndarray | None = None,
    ) -> None:
        self.shape = shape
        self.out_size = out_size
        self.contributions = contributions
        self.final = final
        self._size = int(np.prod(shape))
        # What the view holds before the first step (a transposed convolution's bias); None
        # for zeros, made when needed (a new array of zeros costs nothing until written; a
        # copy of one as large as a 1024² view costs milliseconds each edit).
        self._start = None if start is None else start.ravel() * 1.0
        self._index = -1
        self._sum = self._start  # never changed in place: each step makes a new sum

    def start_values(self) -> np.ndarray:
        """A new flat array of what the view holds before the first step."""
        return np.zeros(self._size) if self._start is None else self._start.copy()

    @property
    def n_windows(self) -> int:
        return self.out_size[0] * self.out_size[1]

    def after(self, index: int) -> np.ndarray:
        """The sum of the contributions of windows ``0 .. index`` (``-1``: zeros)."""
        n = self.n_windows
        if not -1 <= index < n:
            raise ParameterError("index ({index}) must be in -1..{last}", index=index, last=n - 1)
        if index == n - 1:
            return self.final
        if index < self._index:
            self._index, self._sum = -1, self._start
        if index > self._index:
            windows = np.arange(self._index + 1, index + 1)
            cells, amounts = self.contributions(*np.divmod(windows, self.out_size[1]))
            if 8 * len(cells) < self._size:
                # A few cells (stepping on by a window or two): count only those, not into a
                # second array as large as the view; the same sums, bit for bit, as below
                # (+ 0.0 as there).  A new array either way: what an earlier call returned is
                # never changed.
                touched, where = np.unique(cells, return_inverse=True)
                total: np.ndarray = np.zeros(self._size) if self._sum is None else self._sum + 0.0
                total[touched] += np.bincount(where, weights=amounts)
            else:
                added = np.bincount(cells, weights=amounts, minlength=self._size)
                # From zeros: 0 + a, which is a with −0 made +0.
                total = added + 0.0 if self._sum is None else self._sum + added
            self._sum = total
            self._index = index
        if self._sum is None:
            return np.zeros(self.shape)
        return self._sum.reshape(self.shape)


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
    ``template`` and ``fields`` say the first line of ``text`` in a translatable form;
    ``updates`` are the cells it adds to with their numbers, ``lines`` their arithmetic (the
    rest of ``text``).
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
    updates: tuple[Update, ...] = ()
    lines: tuple[str, ...] = ()


class Records(Protocol):
    """What an operation module supplies to make a trace's records.

    Optional hooks (looked up with ``getattr``) let an operation that is not a gather of
    equal windows say more: ``step(trace, phase, index) -> Step`` (e.g. a scatter step that
    reads one input cell and writes a patch of the output), ``accumulation(trace, view) ->
    Accumulation | None`` (how a view fills in while stepping, e.g. the output of a scatter),
    ``linked(trace, where, row, col) -> (input cells, output cells)`` for hovering, and
    ``input_pad`` (the padding ring drawn around the input view).
    """

    def forward_step(self, trace: Trace, index: int) -> ForwardStep: ...

    def backward_step(self, trace: Trace, index: int) -> BackwardStep: ...

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        """What windows ``(oh[k], ow[k])`` add to dX, per tap: ``(len(oh), C, kH, kW)``."""
        ...


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
    canvas_kinds : (H, W) int8 when ``x`` is not the input itself but a canvas made from it (a
        transposed convolution computed as a convolution: 0 input cell, 1 padding, 3 a zero
        inserted between input cells); the input view then shows ``x`` with these kinds
    shown_as : views that show the trace's own data instead of the document's tensor, by view
        (``input``, ``weight``, ``grad_input``, ``grad_weight``), with a translatable title;
        such views are not edited (their cells are not the document's)
    """

    op: str
    geometry: WindowGeometry
    x: np.ndarray
    output: np.ndarray
    grad_output: np.ndarray
    grad_input: np.ndarray
    records: Records
    pad_value: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)
    weight: np.ndarray | None = None
    bias: float | None = None
    grad_weight: np.ndarray | None = None
    grad_bias: float | None = None
    mask_counts: np.ndarray | None = None
    winners: np.ndarray | None = None
    divisors: np.ndarray | None = None
    canvas_kinds: np.ndarray | None = None
    shown_as: Mapping[str, str] = field(default_factory=dict)

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

    def window(
        self, index: int
    ) -> tuple[int, int, tuple[Tap, ...], tuple[tuple[int, int], ...], float]:
        """Window ``index`` of a gather: ``(oh, ow, taps, dilation gaps, output value)``."""
        oh, ow = self.geometry.position(index)
        gaps = tuple(self.geometry.window_gaps(oh, ow))
        return oh, ow, tuple(self.taps(oh, ow)), gaps, float(self.output[oh, ow])

    def step(self, phase: str, index: int) -> Step:
        """The :class:`Step` of window ``index`` in ``phase``: cells by view and role.

        A record is made once: the views ask for the current step's several times per redraw
        (cells, notes, arrows, hover pairs); the last few asked are kept.
        """
        cache = self._steps
        key = (phase, index)
        found = cache.get(key)
        if found is None:
            custom = getattr(self.records, "step", None)
            if custom is not None:
                found = cast(Step, custom(self, phase, index))
            else:
                found = self.gather_step(phase, index)
            if len(cache) >= STEPS_KEPT:
                del cache[next(iter(cache))]  # the oldest
            cache[key] = found
        return found

    @cached_property
    def _steps(self) -> dict[tuple[str, int], Step]:
        """Step records made so far, oldest first (at most :data:`STEPS_KEPT`)."""
        return {}

    def gather_step(self, phase: str, index: int) -> Step:
        """The step of a gather: a window of the input makes one output cell."""
        fwd = self.forward_step(index)
        cells: list[StepCell] = []
        role: dict[str, CellRole] = {
            "input": "window",
            "padding": "padding",
            "overhang": "overhang",
        }
        for tap in fwd.taps:
            if tap.weight is None:
                cells.append(StepCell("input", tap.input_pos, role[tap.kind], tap.channel))
                continue
            # A weighted window: each cell names its kernel tap and shows the weight.
            note = format_number(tap.weight)
            cells.append(
                StepCell("input", tap.input_pos, role[tap.kind], tap.channel, tap.kernel_pos, note)
            )
            cells.append(StepCell("weight", tap.kernel_pos, "window", tap.channel, tap.input_pos))
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
        # The weight-gradient cells that change (a padding tap adds 0 and is not marked).
        cells += [
            StepCell("grad_weight", (i, j), "changed", ch)
            for (ch, i, j), amount in bwd.weight_grads
            if amount != 0
        ]
        template = bwd.template or "{text}"
        fields = bwd.fields if bwd.template else {"text": bwd.text}
        return Step(
            "backward", index, bwd.out_pos, tuple(cells), template, fields, bwd.updates, bwd.lines
        )

    def updates(
        self, index: int, view: str, amounts: list[tuple[tuple[int, int, int], float]]
    ) -> list[tuple[tuple[int, int, int], float, float]]:
        """``(cell, before, after)`` of each ``(cell, amount)`` backward step ``index`` adds to
        ``view``'s gradient, from the running sums (stepping on costs one window)."""
        acc = self.accumulation(view)
        if acc is None:
            return []
        total = acc.after(index)
        out = []
        for cell, amount in amounts:
            after = float(total[cell])
            out.append((cell, after - amount, after))
        return out

    # ---- what is shown "so far" (data made once per trace) ----------------------------------
    @cached_property
    def _input_accumulation(self) -> Accumulation:
        g = self.geometry

        def contributions(oh: np.ndarray, ow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return onto_input(g, oh, ow, self.records.input_contributions(self, oh, ow))

        return Accumulation(self.grad_input.shape, g.out_size, contributions, self.grad_input)

    @cached_property
    def _weight_accumulation(self) -> Accumulation | None:
        if self.weight is None or self.grad_weight is None:
            return None
        grad_weight = self.grad_weight

        def contributions(oh: np.ndarray, ow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            amounts = self.grad_output[oh, ow][:, None, None, None] * self.window_values(oh, ow)
            cells = np.broadcast_to(np.arange(grad_weight.size), (len(oh), grad_weight.size))
            return cells.ravel(), amounts.ravel()

        return Accumulation(grad_weight.shape, self.geometry.out_size, contributions, grad_weight)

    @cached_property
    def _mask_accumulation(self) -> Accumulation | None:
        if self.winners is None or self.mask_counts is None:
            return None
        g, winners = self.geometry, self.winners

        def contributions(oh: np.ndarray, ow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return onto_input(g, oh, ow, winners[oh, ow][:, None].astype(np.float64))

        final = self.mask_counts[None]
        return Accumulation(final.shape, g.out_size, contributions, final)

    def accumulation(self, view: str) -> Accumulation | None:
        """How ``view`` fills in while stepping (``None``: it does not, or is revealed)."""
        custom = getattr(self.records, "accumulation", None)
        if custom is not None:
            found = custom(self, view)
            if found is not None:
                return cast(Accumulation, found)
        defaults = {
            "grad_input": "_input_accumulation",
            "grad_weight": "_weight_accumulation",
            "mask": "_mask_accumulation",
        }
        return getattr(self, defaults[view]) if view in defaults else None

    def output_after(self, index: int) -> np.ndarray:
        """The output plane once steps ``0 .. index`` are done: NaN where not computed yet.

        A gather reveals one output per step; a scatter (``accumulation('output')``) adds
        patches up.
        """
        _check_index(index, len(self))
        acc = self.accumulation("output")
        if acc is not None:
            return acc.after(index)
        y = self.output.astype(float, copy=True)
        y.reshape(-1)[index + 1 :] = np.nan  # a view of the copy (``.flat`` is 50× slower)
        return y

    def linked(self, where: str, row: int, col: int) -> tuple[list[Pair], list[Pair]]:
        """(input cells, output cells) linked to a hovered cell of the input or the output."""
        custom = getattr(self.records, "linked", None)
        if custom is not None:
            return cast(tuple[list[Pair], list[Pair]], custom(self, where, row, col))
        g = self.geometry
        if where == "output":
            if not (0 <= row < g.out_size[0] and 0 <= col < g.out_size[1]):
                return [], []
            return [(r, c) for _, _, r, c in g.window_taps(row, col)], [(row, col)]
        return [(row, col)], g.windows_reading(row, col)

    def step_of_output(self, row: int, col: int) -> int | None:
        """The first step that writes output cell ``(row, col)`` (None: no step does)."""
        g = self.geometry
        if tuple(self.output.shape) == g.out_size:  # a gather: one step per output cell
            return row * g.out_size[1] + col
        hits = g.windows_reading(row, col)  # a scatter: the input cells that reach it
        return None if not hits else hits[0][0] * g.out_size[1] + hits[0][1]

    @property
    def input_pad(self) -> tuple[Pair, Pair]:
        """``((top, bottom), (left, right))`` ring of padding drawn around the input view."""
        return getattr(self.records, "input_pad", None) or self.geometry.canvas_pad

    def window_values(self, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        """Value read by every tap of windows ``(oh[k], ow[k])``: ``(len(oh), C, kH, kW)``.

        Padding reads 0 (what a sum adds); use :meth:`taps` for the pad value of the view.
        """
        rows, cols, valid = tap_grid(self.geometry, oh, ow)
        h, w = self.geometry.in_size
        vals = self.x[:, np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)]  # (C, n, kh, kw)
        return np.moveaxis(np.where(valid[None], vals, 0.0), 0, 1)

    def grad_input_after(self, index: int) -> np.ndarray:
        """Input gradient (C, H, W) once windows ``0 .. index`` have sent theirs back.

        ``index = -1`` gives zeros; ``index = len(self) - 1`` gives :attr:`grad_input` exactly.
        """
        acc = self.accumulation("grad_input")
        assert acc is not None
        return acc.after(index)

    def grad_weight_after(self, index: int) -> tuple[np.ndarray | None, float | None]:
        """Conv weight and bias gradients once windows ``0 .. index`` have contributed."""
        _check_index(index, len(self))
        acc = self.accumulation("grad_weight")
        if acc is None:
            return None, None
        gb = None
        acc_bias = self.accumulation("grad_bias") if self.grad_bias is not None else None
        if acc_bias is not None:
            gb = float(acc_bias.after(index).reshape(-1)[0])
        elif self.grad_bias is not None:
            done = self.grad_output.reshape(-1)[: index + 1]
            gb = self.grad_bias if index == len(self) - 1 else float(done.sum())
        return acc.after(index), gb

    def mask_counts_after(self, index: int) -> np.ndarray:
        """(H, W) windows won per element, counting windows ``0 .. index`` (max pooling)."""
        acc = self.accumulation("mask")
        if acc is None or self.mask_counts is None:
            raise ValueError(f"mask_counts_after needs a trace with winners, not {self.op!r}")
        counts: np.ndarray = acc.after(index)[0].astype(self.mask_counts.dtype)
        return counts


def tap_grid(
    g: WindowGeometry, oh: np.ndarray, ow: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Input row and column of every tap of windows ``(oh[k], ow[k])``, and whether it is real.

    All three are ``(len(oh), kH, kW)``.
    """
    rows = g.tap_coords(0)[oh][:, :, None]
    cols = g.tap_coords(1)[ow][:, None, :]
    rows, cols = np.broadcast_arrays(rows, cols)
    h, w = g.in_size
    valid = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    return rows, cols, valid


def onto_input(
    g: WindowGeometry, oh: np.ndarray, ow: np.ndarray, per_tap: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Flat (C, H, W) cells and amounts of ``per_tap`` ``(n, C, kH, kW)``; padding dropped."""
    rows, cols, valid = tap_grid(g, oh, ow)
    h, w = g.in_size
    c = per_tap.shape[1]
    flat = (np.arange(c)[None, :, None, None] * h + rows[:, None]) * w + cols[:, None]
    keep = np.broadcast_to(valid[:, None], per_tap.shape) & (per_tap != 0)
    return flat[keep], per_tap[keep]


def _check_index(index: int, n: int) -> None:
    if not -1 <= index < n:
        raise ValueError(f"index ({index}) must be in -1..{n - 1}")


def grad_or_ones(grad_output: object | None, shape: Pair, dtype: np.dtype) -> np.ndarray:
    """The upstream gradient of a trace, ones by default, checked against the output shape."""
    from engine.arrays import as_float_array

    if grad_output is None:
        return np.ones(shape, dtype=dtype)
    gy = as_float_array(grad_output, "grad_output")
    if gy.shape != tuple(shape):
        raise ValueError(f"grad_output shape {gy.shape} must match the output shape {tuple(shape)}")
    return gy

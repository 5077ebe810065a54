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
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any, Literal, Protocol, TypeVar, cast, overload

import numpy as np

from engine.cells import CellBlock, Marks, rectangle
from engine.errors import ParameterError
from engine.geometry import Pair, TapKind, WindowGeometry

# Up to this many significant digits (issue 10: "10.25, never 10.2", and 11/3 is 3.667):
# enough to check a step by hand, short enough for a cell read from the back row.
SIGNIFICANT_DIGITS = 4


def format_number(value: float) -> str:
    """A number as a student would write it: ``18.5``, ``7``, ``-3``, ``0.3333``, ``-∞``.

    One minus sign for every negative number, the ASCII ``-`` the cells, the arithmetic, the
    weights' notes, the legends and the tooltips share (max pooling's first window said
    "max(−∞, −∞, −∞, -1)", U+2212 beside the hyphen); what a student types back, and what
    Python and NumPy read.

    Whole numbers (below 10⁹) are written whole; others with up to
    :data:`SIGNIFICANT_DIGITS` significant digits, rounded half up as taught at school
    (137/16 = 8.5625 is ``8.563``, not the round-half-even ``8.562``), without trailing
    zeros; below 0.001 and from 10⁶ on, Python's ``g`` form (``0.0001234``, ``1.5e+06``).
    """
    v = float(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "-∞" if v < 0 else "∞"
    if v == 0:
        return "0"
    if v == int(v) and abs(v) < 1e9:
        return str(int(v))
    exact = Decimal(v)  # the float's exact binary value, so rounding sees the true tie
    exponent = exact.adjusted()  # floor(log10 |v|)
    if -3 <= exponent < 6:
        quantum = Decimal(1).scaleb(min(0, exponent - SIGNIFICANT_DIGITS + 1))
        text = format(exact.quantize(quantum, rounding=ROUND_HALF_UP), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text
    return f"{v:.{SIGNIFICANT_DIGITS}g}"


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


def join_values(values: np.ndarray, write: Callable[[float], str], separator: str = " + ") -> str:
    """:func:`join_terms` of ``write(v)`` for each of ``values`` (1-D), writing only the terms
    shown: a window of 262,144 values costs eleven numbers written, not all of them."""
    n = len(values)
    if n <= MAX_TERMS:
        return separator.join(write(float(v)) for v in values)
    head = [write(float(v)) for v in values[:HEAD_TERMS]]
    tail = [write(float(v)) for v in values[n - TAIL_TERMS :]]
    return separator.join([*head, "…", *tail])


# ---- generic steps -----------------------------------------------------------------------
# "summed": a cell read into a total only, not into the step's window (the dY cells no patch
# of a transposed convolution reaches, which db = Σ dY takes at the last backward step): marked
# apart from "window", which the step's arrows start from.
CellRole = Literal[
    "window", "winner", "padding", "gap", "overhang", "result", "changed", "source", "target",
    "summed",
]  # fmt: skip


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


# Between the cell updates of one line (the arithmetic line breaks only there).
UPDATE_GAP = "   "

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


def update_lines(updates: Sequence[Update]) -> tuple[str, ...]:
    """The updates' texts as lines: one line per view and channel, in the order given (a
    block of many cells adding the same, as one line with slices)."""
    if isinstance(updates, CellUpdates):
        return updates.lines()
    groups: dict[tuple[str, int], list[Update]] = {}
    for update in updates:
        groups.setdefault((update.view, update.channel), []).append(update)
    return tuple(
        _as_slices(group) or join_terms([u.text for u in group], UPDATE_GAP)
        for group in groups.values()
    )


_Item = TypeVar("_Item")


class LazySequence(Sequence[_Item]):
    """A sequence whose items are made one at a time when asked for: a subclass gives
    ``__len__`` and ``_item(k)`` for an int ``k``; a slice is the list of its items."""

    @abstractmethod
    def _item(self, k: int) -> _Item: ...

    @overload
    def __getitem__(self, k: int) -> _Item: ...

    @overload
    def __getitem__(self, k: slice) -> Sequence[_Item]: ...

    def __getitem__(self, k: int | slice) -> Any:
        if isinstance(k, slice):
            return [self._item(i) for i in range(*k.indices(len(self)))]
        return self._item(k)


class CellAmounts(LazySequence[tuple[tuple[int, int, int], float]]):
    """``((channel, row, col), amount)`` pairs held as arrays (a backward step of a large
    window adds to hundreds of thousands of cells: no Python object per cell until one is
    asked for).  Reads like the tuple of pairs it stands for."""

    def __init__(
        self, channels: np.ndarray, rows: np.ndarray, cols: np.ndarray, amounts: np.ndarray
    ) -> None:
        n = len(rows)
        self.channels = np.broadcast_to(np.asarray(channels, dtype=np.int64), (n,))
        self.rows = np.asarray(rows, dtype=np.int64)
        self.cols = np.asarray(cols, dtype=np.int64)
        self.amounts = np.broadcast_to(np.asarray(amounts, dtype=np.float64), (n,))

    @classmethod
    def of(cls, pairs: Sequence[tuple[tuple[int, int, int], float]]) -> CellAmounts:
        """``pairs`` (a tuple of ``((channel, row, col), amount)``) as arrays."""
        if isinstance(pairs, CellAmounts):
            return pairs
        cells = np.array([cell for cell, _ in pairs], dtype=np.int64).reshape(-1, 3)
        amounts = np.array([a for _, a in pairs], dtype=np.float64)
        return cls(cells[:, 0], cells[:, 1], cells[:, 2], amounts)

    def __len__(self) -> int:
        return len(self.rows)

    def _item(self, k: int) -> tuple[tuple[int, int, int], float]:
        cell = (int(self.channels[k]), int(self.rows[k]), int(self.cols[k]))
        return cell, float(self.amounts[k])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


# Distinct (before, amount, after) triples looked at before a block is written cell by cell.
_UNIFORM_TRIES = 64


class CellUpdates(LazySequence[Update]):
    """The :class:`Update`\\ s of one dX channel, held as arrays; each update (and its text)
    is made when asked for, and :meth:`lines` writes only what the arithmetic line shows."""

    def __init__(
        self, amounts: CellAmounts, before: np.ndarray, after: np.ndarray, running: bool
    ) -> None:
        self.cells = amounts
        self.before = before
        self.after = after
        self.running = running

    def __len__(self) -> int:
        return len(self.cells)

    def _text(self, r: int, c: int, before: float, amount: float, after: float) -> str:
        if self.running:
            return f"dX[{r}, {c}] += {format_number(amount)} → {format_number(after)}"
        return f"dX[{r}, {c}]: {self._sum(before, amount, after)}"

    @staticmethod
    def _sum(before: float, amount: float, after: float) -> str:
        return f"{format_number(before)} + {term(amount)} = {format_number(after)}"

    def _item(self, k: int) -> Update:
        (_, r, c), amount = self.cells[k]
        before, after = float(self.before[k]), float(self.after[k])
        text = self._text(r, c, before, amount, after)
        return Update("grad_input", (r, c), 0, before, amount, after, text)

    def __add__(self, other: object) -> tuple[Update, ...]:
        if not isinstance(other, tuple):
            return NotImplemented
        return (*self, *other)

    def _uniform_sum(self) -> str | None:
        """The one ``before + amount = after`` every cell writes, if they all write the same."""
        triples = np.stack([self.before, self.cells.amounts, self.after], axis=1)
        if np.array_equal(triples, np.broadcast_to(triples[0], triples.shape), equal_nan=True):
            return self._sum(*(float(v) for v in triples[0]))  # one number each (no sort)
        distinct = np.unique(triples, axis=0)
        first = self._sum(*(float(v) for v in distinct[0]))
        for row in distinct[1:]:  # numbers that differ may still be written alike
            if self._sum(*(float(v) for v in row)) != first:
                return None
        return first

    def lines(self) -> tuple[str, ...]:
        """What :func:`update_lines` gives for these updates listed one by one: one line, a
        block of cells that all add the same written once with slices."""
        n = len(self)
        if n == 0:
            return ()
        if not self.running and n >= SLICE_MIN_CELLS:
            rows, cols = self.cells.rows, self.cells.cols
            r0, r1 = int(rows.min()), int(rows.max()) + 1
            c0, c1 = int(cols.min()), int(cols.max()) + 1
            area = (r1 - r0) * (c1 - c0)
            flat = (rows - r0) * (c1 - c0) + cols - c0
            if area == n and int(np.bincount(flat, minlength=area).max()) == 1:
                same = self._uniform_sum()
                if same is not None:
                    return (f"dX[{r0}:{r1}, {c0}:{c1}]: {same}",)
        if n <= MAX_TERMS:
            return (UPDATE_GAP.join(u.text for u in self),)
        shown = [*range(HEAD_TERMS), *range(n - TAIL_TERMS, n)]
        texts = [self[k].text for k in shown]
        return (UPDATE_GAP.join([*texts[:HEAD_TERMS], "…", *texts[HEAD_TERMS:]]),)


def input_updates(
    trace: Trace,
    index: int,
    grads: Sequence[tuple[tuple[int, int, int], float]],
    *,
    running: bool = False,
) -> CellUpdates:
    """The :class:`Update` of each ``(cell, amount)`` of ``grads`` that backward step ``index``
    adds to dX (one input channel), written ``dX[r, c]: before + amount = after`` or, with
    ``running``, ``dX[r, c] += amount → after``; held as arrays (:class:`CellUpdates`)."""
    amounts = CellAmounts.of(grads)
    acc = trace.accumulation("grad_input")
    if acc is None:  # no updates where the trace keeps no running dX
        amounts = CellAmounts.of(())
        return CellUpdates(amounts, np.zeros(0), np.zeros(0), running)
    total = acc.after(index)
    after = np.asarray(total[amounts.channels, amounts.rows, amounts.cols], dtype=np.float64)
    return CellUpdates(amounts, after - amounts.amounts, after, running)


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
    Windows of any size fit: ``listed`` holds cells one by one (a winner, the result, a window
    cell linked to its kernel tap), ``blocks`` rectangles of cells sharing a role (a window of
    262,144 cells is one block), and :attr:`cells` both, listed.  ``text`` is the arithmetic in
    English; ``template`` and ``fields`` let the visualizer say it in another language.
    """

    phase: Literal["forward", "backward"]
    index: int
    out_pos: Pair
    listed: tuple[StepCell, ...]
    template: str
    fields: Mapping[str, str] = field(default_factory=dict)
    updates: Sequence[Update] = ()
    lines: tuple[str, ...] = ()
    blocks: tuple[CellBlock, ...] = ()

    @property
    def sentence(self) -> str:
        """The step's sentence in English (the template filled in)."""
        return self.template.format(**self.fields)

    @property
    def text(self) -> str:
        """The sentence, then the arithmetic of every updated cell (``lines``), in English."""
        return "\n".join((self.sentence, *self.lines))

    @cached_property
    def cells(self) -> tuple[StepCell, ...]:
        """Every cell of the step one by one: ``listed``, then each block's cells (lists the
        blocks: tests and small steps; views read :meth:`marks`)."""
        expanded = [
            StepCell(b.view, pos, cast(CellRole, b.role), b.channel)
            for b in self.blocks
            for pos in b.positions()
        ]
        return (*self.listed, *expanded)

    def cells_of(self, view: str, channel: int | None = None) -> dict[Pair, set[str]]:
        """Roles by position of ``view``'s cells (optionally of one channel), listed."""
        return self.marks(view, channel).as_dict()

    def marks(self, view: str, channel: int | None = None) -> Marks:
        """Roles by position of ``view``'s cells (optionally of one channel), without listing
        the blocks' cells (:class:`~engine.cells.Marks`)."""
        key = (view, channel)
        found = self._marks.get(key)
        if found is None:
            blocks = [
                (b.rows, b.cols, frozenset((b.role,)))
                for b in self.blocks
                if b.view == view and (channel is None or b.channel == channel)
            ]
            single: dict[Pair, set[str]] = {}
            for cell in self.listed:
                if cell.view == view and (channel is None or cell.channel == channel):
                    single.setdefault(cell.pos, set()).add(cell.role)
            found = self._marks[key] = Marks(blocks, single)
        return found

    @cached_property
    def _marks(self) -> dict[tuple[str, int | None], Marks]:
        return {}

    def views(self) -> set[str]:
        """The views the step marks cells of."""
        return {c.view for c in self.listed} | {b.view for b in self.blocks}


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
        # (min, max) of ``_sum`` when known without a pass over it (see known_extremes).
        self._known: tuple[float, float] | None = None

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
            self._known = None
            if 8 * len(cells) < self._size:
                # A few cells (stepping on by a window or two): count only those, not into a
                # second array as large as the view; the same sums, bit for bit, as below
                # (+ 0.0 as there).  A new array either way: what an earlier call returned is
                # never changed.
                touched, where = np.unique(cells, return_inverse=True)
                total: np.ndarray = np.zeros(self._size) if self._sum is None else self._sum + 0.0
                total[touched] += np.bincount(where, weights=amounts)
                if self._sum is None:
                    self._known = _extremes_from_zeros(total[touched], len(touched) < self._size)
            else:
                added = np.bincount(cells, weights=amounts, minlength=self._size)
                # From zeros: 0 + a, which is a with −0 made +0.
                total = added + 0.0 if self._sum is None else self._sum + added
            self._sum = total
            self._index = index
        if self._sum is None:
            return np.zeros(self.shape)
        return self._sum.reshape(self.shape)

    def known_extremes(self, index: int) -> tuple[float, float] | None:
        """``(min, max)`` of :meth:`after` ``(index)`` as floats, bit for bit what
        ``np.min``/``np.max`` give (NaN if it holds one), when known without a pass over the
        array; None otherwise.  Call it after :meth:`after` ``(index)``.

        Known for the first windows summed from zeros (the first step after an edit or a jump
        back): every other cell is still +0.0.  A view of 1024² then skips two passes over a
        fresh 8 MB array (~1.5 ms) to choose how to draw it.
        """
        if index != self._index or index in (-1, self.n_windows - 1):
            return None
        return self._known


def _extremes_from_zeros(touched: np.ndarray, zeros_left: bool) -> tuple[float, float]:
    """``(min, max)`` of zeros whose ``touched`` cells were added to (``zeros_left``: some
    were not), as ``np.min``/``np.max`` of the whole give them: NaN if any holds one.  No cell
    is −0.0 (+0.0 plus anything is not), so the zeros left and any zero sum agree in bits."""
    values = touched
    if zeros_left:
        values = np.append(touched, 0.0)
    return float(values.min()), float(values.max())


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


# Kinds of taps as codes in arrays (``Trace.window_read``).
KIND_CODES: dict[TapKind, int] = {"input": 0, "padding": 1, "overhang": 2}
_KINDS: tuple[TapKind, ...] = ("input", "padding", "overhang")


def _inside(axis: range, size: int) -> bool:
    """Whether every element of ``axis`` (step > 0) is in ``0 .. size - 1`` (an empty one
    is)."""
    return not axis or (axis[0] >= 0 and axis[-1] < size)


def _within(axis: range, lo: int, hi: int) -> range:
    """The elements of ``axis`` (step > 0) in ``lo .. hi - 1``."""
    step = axis.step
    start = axis.start
    if start < lo:
        start += ((lo - start + step - 1) // step) * step
    stop = min(axis.stop, hi)
    return range(start, stop, step) if stop > start else range(0)


def axis_segments(g: WindowGeometry, axis: int, coords: range) -> list[tuple[range, int]]:
    """``coords`` along ``axis`` cut where the kind changes: ``(part, kind code)`` with 0 for
    real coordinates, 1 inside the explicit padding, 2 beyond it (the ceil_mode overhang)."""
    size = g.in_size[axis]
    lo, hi = -g.pad_before[axis], size + g.pad_after[axis]
    parts = [
        (_within(coords, -(10**18), lo), 2),
        (_within(coords, lo, 0), 1),
        (_within(coords, 0, size), 0),
        (_within(coords, size, hi), 1),
        (_within(coords, hi, 10**18), 2),
    ]
    return [(part, kind) for part, kind in parts if len(part)]


class WindowTaps(LazySequence[Tap]):
    """The taps of one window, channel by channel, in row-major kernel order, made when asked
    for (a global pooling's window has 262,144 taps; a step needs a few of them at most)."""

    def __init__(self, trace: Trace, oh: int, ow: int) -> None:
        g = trace.geometry
        self._trace = trace
        self._ranges = g.window_ranges(oh, ow)
        self._channels = trace.x.shape[0]
        self._list: list[Tap] | None = None
        if self._ranges is None:  # not rows × columns: listed as the geometry gives them
            self._list = _listed_taps(trace, g.window_taps(oh, ow))
            self._per_channel = len(self._list) // max(1, self._channels)
        else:
            self._per_channel = len(self._ranges[0]) * len(self._ranges[1])

    def __len__(self) -> int:
        return self._per_channel * self._channels if self._list is None else len(self._list)

    def _item(self, k: int) -> Tap:
        if self._list is not None:
            return self._list[k]
        n = len(self)
        if not -n <= k < n:
            raise IndexError(k)
        k %= n
        assert self._ranges is not None
        rows, cols = self._ranges
        c, rest = divmod(k, self._per_channel)
        i, j = divmod(rest, len(cols))
        return _tap(self._trace, c, i, j, rows[i], cols[j])

    def __iter__(self) -> Iterator[Tap]:
        if self._list is not None:
            return iter(self._list)
        return (self[k] for k in range(len(self)))


def _tap(trace: Trace, c: int, i: int, j: int, r: int, col: int) -> Tap:
    kind = trace.geometry.classify(r, col)
    if kind == "input":
        value = float(trace.x[c, r, col])
    else:
        value = trace.pad_value if kind == "padding" else math.nan
    weight = None if trace.weight is None else float(trace.weight[c, i, j])
    return Tap((i, j), (r, col), kind, value, c, weight)


def _listed_taps(trace: Trace, taps: list[tuple[int, int, int, int]]) -> list[Tap]:
    return [_tap(trace, c, i, j, r, col) for c in range(trace.x.shape[0]) for i, j, r, col in taps]


@dataclass(frozen=True)
class ForwardStep:
    """What output ``out_pos`` computed, tap by tap."""

    index: int
    out_pos: Pair
    taps: Sequence[Tap]
    gaps: tuple[Pair, ...]
    result: float
    text: str
    winners: tuple[int, ...] = ()
    divisor: float | None = None
    bias: float | None = None


@dataclass(frozen=True)
class BackwardStep:
    """What output ``out_pos``'s upstream gradient adds to the gradients.

    ``input_grads`` holds ``((channel, row, col), amount)`` pairs (a tuple, or
    :class:`CellAmounts` for a large window); ``weight_grads`` holds
    ``((channel, i, j), amount)`` for convolution, one per kernel tap the step adds to (its
    real taps: a padding tap adds nothing, as in PyTorch); ``bias_grad`` the amount added to
    the bias.
    ``template`` and ``fields`` say the first line of ``text`` in a translatable form;
    ``updates`` are the cells it adds to with their numbers, ``lines`` their arithmetic (the
    rest of ``text``).
    """

    index: int
    out_pos: Pair
    grad_output: float
    input_grads: Sequence[tuple[tuple[int, int, int], float]]
    text: str
    weight_grads: tuple[tuple[tuple[int, int, int], float], ...] = ()
    bias_grad: float | None = None
    template: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    updates: Sequence[Update] = ()
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
    out_channel : the output channel whose kernel ``weight`` is, when the full weight has
        several input or output channels: the steps then name a weight cell by its index in
        the full weight, PyTorch's (conv2d's ``dW[co, ci, i, j]``), as the views title the
        kernel slices; None names it by its index in ``weight`` (one channel each way, or a
        kernel traced alone)
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
    out_channel: int | None = None

    def __len__(self) -> int:
        return self.geometry.n_windows

    # ---- records --------------------------------------------------------------------------
    def forward_step(self, index: int) -> ForwardStep:
        """The record of window number ``index`` (row-major order over the output)."""
        return self.records.forward_step(self, index)

    def backward_step(self, index: int) -> BackwardStep:
        """What window number ``index`` sends back into the gradients."""
        return self.records.backward_step(self, index)

    def taps(self, oh: int, ow: int) -> WindowTaps:
        """Every tap of window ``(oh, ow)``, channel by channel, in row-major kernel order
        (a sequence that makes each tap when it is read)."""
        return WindowTaps(self, oh, ow)

    def window(self, index: int) -> tuple[int, int, WindowTaps, tuple[tuple[int, int], ...], float]:
        """Window ``index`` of a gather: ``(oh, ow, taps, dilation gaps, output value)``."""
        oh, ow = self.geometry.position(index)
        gaps = tuple(self.geometry.window_gaps(oh, ow))
        return oh, ow, self.taps(oh, ow), gaps, float(self.output[oh, ow])

    def window_read(self, oh: int, ow: int) -> tuple[np.ndarray, np.ndarray]:
        """What window ``(oh, ow)`` reads, as arrays in the order of :meth:`taps`: the value of
        every tap (the element, the pad value in padding, NaN beyond it) and its kind
        (:data:`KIND_CODES`), both 1-D."""
        g = self.geometry
        ranges = g.window_ranges(oh, ow)
        if ranges is None:
            taps = self.taps(oh, ow)
            values = np.array([t.value for t in taps], dtype=np.float64)
            return values, np.array([KIND_CODES[t.kind] for t in taps], dtype=np.int8)
        (h, w), (pt, pl), (pb, pr) = g.in_size, g.pad_before, g.pad_after
        rr, cc = ranges
        if _inside(rr, h) and _inside(cc, w):
            # Every tap real (most windows; a global pooling's: the whole plane): a slice, no
            # gather, and no per-axis kinds worked out in arrays (a sampled step's text).
            window = self.x[:, rr.start : rr.stop : rr.step, cc.start : cc.stop : cc.step]
            values = np.asarray(window, dtype=np.float64).reshape(-1)
            return values, np.zeros(values.shape, dtype=np.int8)
        rows = np.arange(rr.start, rr.stop, rr.step)
        cols = np.arange(cc.start, cc.stop, cc.step)

        def kind(coords: np.ndarray, size: int, before: int, after: int) -> np.ndarray:
            real = (coords >= 0) & (coords < size)
            padded = (coords >= -before) & (coords < size + after)
            return np.where(real, 0, np.where(padded, 1, 2)).astype(np.int8)

        row_kind, col_kind = kind(rows, h, pt, pb), kind(cols, w, pl, pr)
        # Real where both axes are; beyond the padding (overhang) where either axis is.
        both = np.maximum(row_kind[:, None], col_kind[None, :])
        plane = self.x[:, np.clip(rows, 0, h - 1)[:, None], np.clip(cols, 0, w - 1)[None, :]]
        filler = np.where(both == 1, self.pad_value, np.nan)
        values = np.where(both[None] == 0, plane, filler[None]).astype(np.float64)
        kinds = np.broadcast_to(both[None], values.shape)
        return values.reshape(-1), kinds.reshape(-1)

    def window_cells(
        self, oh: int, ow: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Every tap of window ``(oh, ow)`` as arrays in the order of :meth:`taps`: its
        channel, input row and column, and kernel tap ``(i, j)`` (1-D each)."""
        ranges = self.geometry.window_ranges(oh, ow)
        if ranges is None:
            taps = list(self.taps(oh, ow))
            table = np.array(
                [(t.channel, *t.input_pos, *t.kernel_pos) for t in taps], dtype=np.int64
            ).reshape(-1, 5)
            return table[:, 0], table[:, 1], table[:, 2], table[:, 3], table[:, 4]
        rows, cols = ranges
        per_channel = len(rows) * len(cols)
        flat = np.arange(per_channel * self.x.shape[0])
        channel, rest = np.divmod(flat, per_channel)
        i, j = np.divmod(rest, len(cols))
        return channel, rows.start + i * rows.step, cols.start + j * cols.step, i, j

    def window_blocks(self, oh: int, ow: int) -> list[CellBlock] | None:
        """The input cells window ``(oh, ow)`` reads as rectangles by role (``window`` for real
        cells, ``padding``, ``overhang``; dilation ``gap``\\ s between taps), every channel's:
        a handful of blocks whatever the window's size.  None when the window's taps are not
        rows × columns (then they are listed)."""
        g = self.geometry
        ranges = g.window_ranges(oh, ow)
        if ranges is None:
            return None
        rows, cols = ranges
        roles = ("window", "padding", "overhang")
        parts = []
        for row_part, row_kind in axis_segments(g, 0, rows):
            for col_part, col_kind in axis_segments(g, 1, cols):
                kind = 0 if row_kind == col_kind == 0 else max(1, row_kind, col_kind)
                parts.append((row_part, col_part, roles[kind]))
        # The cells of the window's span that dilation steps over: rows between tap rows (the
        # whole span's width), and between tap columns on tap rows.
        span_rows = range(rows.start, rows[-1] + 1) if len(rows) else range(0)
        span_cols = range(cols.start, cols[-1] + 1) if len(cols) else range(0)
        for o in range(1, rows.step):
            parts.append((range(rows.start + o, span_rows.stop, rows.step), span_cols, "gap"))
        for o in range(1, cols.step):
            parts.append((rows, range(cols.start + o, span_cols.stop, cols.step), "gap"))
        return [
            CellBlock("input", r, c, role, channel)
            for channel in range(self.x.shape[0])
            for r, c, role in parts
            if len(r) and len(c)
        ]

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

    def step_words(self, phase: str, index: int) -> Step:
        """Step ``index`` of ``phase`` for its words alone (``template``, ``fields``,
        ``updates``, ``lines``): :meth:`step`'s record if it is kept or the operation makes
        its own, else a gather's records without the cells (``listed`` and ``blocks`` empty),
        not kept.  A text sampled for its height (sixteen after each edit) needs no list of
        the window's cells, and kept, those records pushed the shown step's out of the cache.
        """
        found = self._steps.get((phase, index))
        if found is not None or getattr(self.records, "step", None) is not None:
            return self.step(phase, index)
        if phase == "forward":
            fwd = self.forward_step(index)
            return Step("forward", index, fwd.out_pos, (), "{text}", {"text": fwd.text})
        bwd = self.backward_step(index)
        template = bwd.template or "{text}"
        fields = bwd.fields if bwd.template else {"text": bwd.text}
        return Step("backward", index, bwd.out_pos, (), template, fields, bwd.updates, bwd.lines)

    @cached_property
    def _steps(self) -> dict[tuple[str, int], Step]:
        """Step records made so far, oldest first (at most :data:`STEPS_KEPT`)."""
        return {}

    def gather_step(self, phase: str, index: int) -> Step:
        """The step of a gather: a window of the input makes one output cell.

        An unweighted window is a few :class:`CellBlock`\\ s (rows × columns by role), so a
        global pooling's step is as small as a 2×2 window's; a weighted one lists its cells,
        each linked to its kernel tap (at most the kernel's size)."""
        fwd = self.forward_step(index)
        cells: list[StepCell] = []
        oh, ow = fwd.out_pos
        blocks = None if self.weight is not None else self.window_blocks(oh, ow)
        if blocks is None:
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
                    StepCell(
                        "input", tap.input_pos, role[tap.kind], tap.channel, tap.kernel_pos, note
                    )
                )
                cells.append(
                    StepCell("weight", tap.kernel_pos, "window", tap.channel, tap.input_pos)
                )
            for c in range(self.x.shape[0]):
                cells += [StepCell("input", pos, "gap", c) for pos in fwd.gaps]
            blocks = []
        for k in fwd.winners:
            tap = fwd.taps[k]
            cells.append(StepCell("input", tap.input_pos, "winner", tap.channel))
            cells.append(StepCell("mask", tap.input_pos, "winner", tap.channel))
        cells.append(StepCell("output", fwd.out_pos, "result"))
        if phase == "forward":
            return Step(
                "forward", index, fwd.out_pos, tuple(cells), "{text}", {"text": fwd.text},
                blocks=tuple(blocks),
            )  # fmt: skip
        bwd = self.backward_step(index)
        cells.append(StepCell("grad_output", bwd.out_pos, "source"))
        blocks += _target_blocks(bwd.input_grads)
        if not blocks or blocks[-1].view != "grad_input":
            cells += [
                StepCell("grad_input", (r, c), "target", ch) for (ch, r, c), _ in bwd.input_grads
            ]
        # The weight-gradient cells the step adds to: every real tap's, a zero term too (its
        # update is in the text); padding taps are not among them (PyTorch adds nothing there).
        cells += [
            StepCell("grad_weight", (i, j), "changed", ch) for (ch, i, j), _ in bwd.weight_grads
        ]
        template = bwd.template or "{text}"
        fields = bwd.fields if bwd.template else {"text": bwd.text}
        return Step(
            "backward", index, bwd.out_pos, tuple(cells), template, fields, bwd.updates, bwd.lines,
            tuple(blocks),
        )  # fmt: skip

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

    @cached_property
    def _bias_accumulation(self) -> Accumulation | None:
        if self.grad_bias is None:
            return None
        gy = self.grad_output

        def contributions(oh: np.ndarray, ow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            # One output's window adds its dY to db, as PyTorch's Σ dY does.
            return np.zeros(len(oh), dtype=np.int64), gy[oh, ow].astype(np.float64)

        return Accumulation((1,), self.geometry.out_size, contributions, np.array([self.grad_bias]))

    @cached_property
    def _custom_accumulations(self) -> dict[str, Accumulation | None]:
        # An operation's own accumulations, made once per trace: each keeps its running sum,
        # so stepping on adds one window instead of summing every window again.
        return {}

    def accumulation(self, view: str) -> Accumulation | None:
        """How ``view`` fills in while stepping (``None``: it does not, or is revealed)."""
        custom = getattr(self.records, "accumulation", None)
        if custom is not None:
            made = self._custom_accumulations
            if view not in made:
                made[view] = cast("Accumulation | None", custom(self, view))
            found = made[view]
            if found is not None:
                return found
        defaults = {
            "grad_input": "_input_accumulation",
            "grad_weight": "_weight_accumulation",
            "grad_bias": "_bias_accumulation",
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
        """``((top, bottom), (left, right))`` ring of padding drawn around the input view: the
        taps' padding and overhang, and the windows ``ceil_mode`` drops (shown, never read)."""
        return getattr(self.records, "input_pad", None) or self.geometry.shown_pad

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
        return acc.after(index), self.grad_bias_after(index)

    def grad_bias_after(self, index: int) -> float | None:
        """The bias gradient once windows ``0 .. index`` have contributed (None without a
        bias); the last window gives :attr:`grad_bias` exactly."""
        _check_index(index, len(self))
        acc = self.accumulation("grad_bias")
        if acc is None:
            return None
        return float(acc.after(index).reshape(-1)[0])

    def mask_counts_after(self, index: int) -> np.ndarray:
        """(H, W) windows won per element, counting windows ``0 .. index`` (max pooling)."""
        acc = self.accumulation("mask")
        if acc is None or self.mask_counts is None:
            raise ValueError(f"mask_counts_after needs a trace with winners, not {self.op!r}")
        counts: np.ndarray = acc.after(index)[0].astype(self.mask_counts.dtype)
        return counts


# From this many cells, the dX cells a backward step adds to are kept as a rectangle when they
# fill one (an average's window); fewer are listed one by one, as they always were.
TARGET_BLOCK_CELLS = 64


def _target_blocks(grads: Sequence[tuple[tuple[int, int, int], float]]) -> list[CellBlock]:
    """The dX cells of ``grads`` as one block when there are many of one channel that fill a
    rectangle (row-major), else none (they are listed)."""
    if not isinstance(grads, CellAmounts) or len(grads) < TARGET_BLOCK_CELLS:
        return []
    channels = grads.channels
    if channels.min() != channels.max():
        return []
    found = rectangle(grads.rows, grads.cols)
    if found is None:
        return []
    return [CellBlock("grad_input", found[0], found[1], "target", int(channels[0]))]


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

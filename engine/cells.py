"""Cells of a view as rectangles plus exceptions: what a step reads and writes, in O(1) size.

A global pooling of a 512×512 input reads one window of 262,144 cells.  Listed one by one
(a Python object per cell, then a set of roles per cell in every view) one edit took seconds;
here a window is one :class:`CellBlock` (a range of rows × a range of columns, each a Python
``range``: start, stop and step, whatever the window's size), and the cells that need their
own record (a winner, the result, a cell with a kernel link) stay listed beside it.

:class:`Marks` is what a view draws: roles by cell as a read-only mapping, answered from the
blocks without listing their cells (``get``, ``in``, :meth:`Marks.box`,
:meth:`Marks.cells_with`); only iterating over it lists them (small views: tables of at most
a few thousand cells).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

Pair = tuple[int, int]


@dataclass(frozen=True)
class CellBlock:
    """The cells ``rows × cols`` of one view and channel, all with ``role``.

    ``rows`` and ``cols`` are ``range``s (a dilated window's taps: a step of the dilation), so
    a block's size does not depend on how many cells it covers.
    """

    view: str
    rows: range
    cols: range
    role: str
    channel: int = 0

    def __len__(self) -> int:
        return len(self.rows) * len(self.cols)

    def positions(self) -> Iterator[Pair]:
        """Every cell ``(row, col)``, row-major (lists the block: small blocks only)."""
        return ((r, c) for r in self.rows for c in self.cols)


def axis_range(values: np.ndarray) -> range | None:
    """``values`` (1-D ints) as a ``range`` when they are one (an arithmetic progression,
    increasing), else None."""
    n = len(values)
    if n == 0:
        return None
    start = int(values[0])
    if n == 1:
        return range(start, start + 1)
    step = int(values[1]) - start
    if step <= 0 or not np.array_equal(np.diff(values), np.full(n - 1, step)):
        return None
    return range(start, start + step * (n - 1) + 1, step)


def index_ranges(values: np.ndarray, period: int = 1) -> list[range]:
    """``values`` (sorted distinct ints) as a few ``range``s: one when they are an arithmetic
    progression; else, for each remainder modulo ``period``, the runs of its values that lie
    ``period`` apart (a strided pattern, such as the rows a stride skips, is then a few ranges
    whatever its length, not one per value)."""
    values = np.asarray(values, dtype=np.int64)
    if values.size == 0:
        return []
    whole = axis_range(values)
    if whole is not None:
        return [whole]
    period = max(1, int(period))
    out = []
    for remainder in np.unique(values % period):
        part = values[values % period == remainder]
        breaks = np.flatnonzero(np.diff(part) != period) + 1
        out += [range(int(run[0]), int(run[-1]) + 1, period) for run in np.split(part, breaks)]
    return out


def rectangle(rows: np.ndarray, cols: np.ndarray) -> tuple[range, range] | None:
    """The cells ``(rows[k], cols[k])`` as ``(row range, column range)`` when they are exactly
    a full rectangle of consecutive rows and columns listed row-major, else None."""
    if rows.size == 0:
        return None
    r0, r1 = int(rows[0]), int(rows[-1]) + 1
    c0, c1 = int(cols[0]), int(cols[-1]) + 1
    h, w = r1 - r0, c1 - c0
    if h <= 0 or w <= 0 or h * w != rows.size:
        return None
    flat = (rows - r0) * w + (cols - c0)
    if not np.array_equal(flat, np.arange(rows.size)):
        return None
    return range(r0, r1), range(c0, c1)


def _clip(axis: range, size: int) -> range:
    """The part of ``axis`` (step > 0) inside ``0 .. size - 1``."""
    step = axis.step
    start = axis.start
    if start < 0:
        start += ((-start + step - 1) // step) * step  # the first one at or after 0
    stop = min(axis.stop, size)
    if stop <= start:
        return range(0)
    return range(start, stop, step)


#: Marks described by different blocks are compared cell by cell up to this many cells.
EQUAL_LISTED_MAX = 4096

Roles = frozenset[str]
Block = tuple[range, range, Roles]


class Marks(Mapping[Pair, set[str]]):
    """Roles (or styles) by cell of one view: ``blocks`` of cells sharing roles, and cells
    given ``one by one``; a cell's roles are the union of all that cover it.

    Read-only and never changed in place: the methods that add, map, shift or cut return
    new marks (so a view can keep the last one it drew and compare).
    """

    def __init__(
        self, blocks: Iterable[Block] = (), single: Mapping[Pair, Collection[str]] | None = None
    ) -> None:
        self._blocks: tuple[Block, ...] = tuple(b for b in blocks if len(b[0]) and len(b[1]))
        self._single: dict[Pair, Roles] = (
            {} if single is None else {pos: frozenset(roles) for pos, roles in single.items()}
        )

    @classmethod
    def of(cls, cells: Mapping[Pair, Collection[str]] | None) -> Marks:
        """``cells`` as marks (marks as they are; a dict of roles by cell as single cells)."""
        if isinstance(cells, Marks):
            return cells
        return cls((), cells or {})

    # ---- lookup without listing -------------------------------------------------------------
    def get(self, pos: Pair, default: Any = None) -> Any:
        found = self._single.get(pos)
        roles: set[str] | None = None if found is None else set(found)
        if self._blocks:
            r, c = pos
            for rows, cols, block_roles in self._blocks:
                if r in rows and c in cols:
                    roles = set(block_roles) if roles is None else roles | block_roles
        return default if roles is None else roles

    def __getitem__(self, pos: Pair) -> set[str]:
        roles = self.get(pos)
        if roles is None:
            raise KeyError(pos)
        return roles  # type: ignore[no-any-return]

    def __contains__(self, pos: object) -> bool:
        if not isinstance(pos, tuple) or len(pos) != 2:
            return False
        return self.get(pos) is not None

    def __bool__(self) -> bool:
        return bool(self._single) or bool(self._blocks)

    def __eq__(self, other: object) -> bool:
        """Equal marks: the same blocks and cells, or (when that cannot tell: described
        differently) the same roles cell by cell, compared only for marks of at most
        :data:`EQUAL_LISTED_MAX` cells; larger ones described differently are unequal (a view
        then draws them again, which is all that asks)."""
        if isinstance(other, Marks):
            if self._blocks == other._blocks and self._single == other._single:
                return True
            if self.bound() > EQUAL_LISTED_MAX or other.bound() > EQUAL_LISTED_MAX:
                return False
            return self._listed == other._listed
        if not isinstance(other, Mapping):
            return NotImplemented
        if self.bound() > EQUAL_LISTED_MAX:
            return False
        return self._listed == {pos: set(roles) for pos, roles in other.items()}

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Marks(blocks={self._blocks!r}, single={self._single!r})"

    @property
    def blocks(self) -> tuple[Block, ...]:
        return self._blocks

    @property
    def single(self) -> Mapping[Pair, Roles]:
        return self._single

    # ---- listing (small views) --------------------------------------------------------------
    @cached_property
    def _listed(self) -> dict[Pair, set[str]]:
        out: dict[Pair, set[str]] = {}
        for rows, cols, roles in self._blocks:
            for r in rows:
                for c in cols:
                    found = out.get((r, c))
                    if found is None:
                        out[(r, c)] = set(roles)
                    else:
                        found |= roles
        for pos, roles in self._single.items():
            out.setdefault(pos, set()).update(roles)
        return out

    def as_dict(self) -> dict[Pair, set[str]]:
        """Every cell with its roles (lists the blocks: a new dict of new sets)."""
        return {pos: set(roles) for pos, roles in self._listed.items()}

    def __iter__(self) -> Iterator[Pair]:
        return iter(self._listed)

    def __len__(self) -> int:
        return len(self._listed)

    def bound(self, roles: Collection[str] | None = None) -> int:
        """At least as many as the cells marked (with any of ``roles``; None: all): the
        blocks' sizes and the single cells added up, overlaps counted twice, without listing
        anything."""
        wanted = None if roles is None else frozenset(roles)
        blocks = sum(
            len(rows) * len(cols)
            for rows, cols, have in self._blocks
            if wanted is None or have & wanted
        )
        return blocks + sum(1 for have in self._single.values() if wanted is None or have & wanted)

    def count(self) -> int:
        """How many cells are marked, without listing them when the blocks do not overlap
        each other or the single cells (else by listing)."""
        if not self._blocks:
            return len(self._single)
        if len(self._blocks) == 1 and not any(
            r in self._blocks[0][0] and c in self._blocks[0][1] for r, c in self._single
        ):
            rows, cols, _ = self._blocks[0]
            return len(rows) * len(cols) + len(self._single)
        return len(self._listed)

    # ---- whole-marks questions --------------------------------------------------------------
    def cells_with(self, roles: Collection[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, cols)`` int arrays of the cells with any of ``roles`` (None: every cell),
        each cell once, row-major."""
        wanted = None if roles is None else frozenset(roles)
        cache = self._arrays
        found = cache.get(wanted)
        if found is None:
            found = cache[wanted] = self._cells_with(wanted)
        return found

    @cached_property
    def _arrays(self) -> dict[frozenset[str] | None, tuple[np.ndarray, np.ndarray]]:
        """:meth:`cells_with`'s answers so far (marks never change: a view asks again for
        each redraw of its data and of its step)."""
        return {}

    def _cells_with(self, wanted: frozenset[str] | None) -> tuple[np.ndarray, np.ndarray]:
        rows_parts: list[np.ndarray] = []
        cols_parts: list[np.ndarray] = []
        for rows, cols, block_roles in self._blocks:
            if wanted is None or block_roles & wanted:
                r = np.repeat(np.arange(rows.start, rows.stop, rows.step), len(cols))
                c = np.tile(np.arange(cols.start, cols.stop, cols.step), len(rows))
                rows_parts.append(r)
                cols_parts.append(c)
        singles = [pos for pos, rs in self._single.items() if wanted is None or rs & wanted]
        if singles:
            arr = np.array(singles, dtype=np.int64).reshape(-1, 2)
            rows_parts.append(arr[:, 0])
            cols_parts.append(arr[:, 1])
        if not rows_parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty.copy()
        r_all = np.concatenate(rows_parts).astype(np.int64)
        c_all = np.concatenate(cols_parts).astype(np.int64)
        if len(rows_parts) > 1:
            width = int(c_all.max()) - int(c_all.min()) + 1
            key = (r_all - int(r_all.min())) * width + (c_all - int(c_all.min()))
            _, first = np.unique(key, return_index=True)
            r_all, c_all = r_all[first], c_all[first]
        return r_all, c_all

    def box(self, roles: Collection[str] | None = None) -> tuple[int, int, int, int] | None:
        """``(top, left, bottom, right)`` (inclusive) around the cells with any of ``roles``
        (None: every cell); None without such cells.  Never lists the blocks."""
        wanted = None if roles is None else frozenset(roles)
        tops, lefts, bottoms, rights = [], [], [], []
        for rows, cols, block_roles in self._blocks:
            if wanted is None or block_roles & wanted:
                tops.append(rows[0])
                bottoms.append(rows[-1])
                lefts.append(cols[0])
                rights.append(cols[-1])
        for (r, c), rs in self._single.items():
            if wanted is None or rs & wanted:
                tops.append(r)
                bottoms.append(r)
                lefts.append(c)
                rights.append(c)
        if not tops:
            return None
        return min(tops), min(lefts), max(bottoms), max(rights)

    def corners(self, roles: Collection[str] | None = None) -> tuple[Pair, ...]:
        """The top-left and bottom-right cells of :meth:`box` (what an arrow or a scroll to
        the cells needs of them); ``()`` without cells."""
        found = self.box(roles)
        if found is None:
            return ()
        top, left, bottom, right = found
        return ((top, left), (bottom, right))

    # ---- new marks ----------------------------------------------------------------------------
    def map_roles(self, fn: Callable[[Roles], Collection[str]]) -> Marks:
        """Each cell's roles replaced by ``fn(roles)`` (blocks stay blocks).  A cell covered
        by several blocks gets the union of what ``fn`` gives for each, which is ``fn`` of the
        union for the element-wise maps used here (role → style)."""
        blocks = [(rows, cols, frozenset(fn(roles))) for rows, cols, roles in self._blocks]
        single = {pos: frozenset(fn(roles)) for pos, roles in self._single.items()}
        return Marks(blocks, single)

    def without_empty(self) -> Marks:
        """These marks without the blocks and cells whose roles are empty."""
        return Marks(
            [b for b in self._blocks if b[2]], {p: r for p, r in self._single.items() if r}
        )

    def added(self, cells: Iterable[Pair], role: str) -> Marks:
        """These marks with ``role`` added to ``cells`` (one by one: a few hovered cells)."""
        single = dict(self._single)
        for pos in cells:
            pos = (int(pos[0]), int(pos[1]))
            single[pos] = single.get(pos, frozenset()) | {role}
        return Marks(self._blocks, single)

    def merged(self, other: Marks) -> Marks:
        """The union of these marks and ``other``'s."""
        single = dict(self._single)
        for pos, roles in other._single.items():
            single[pos] = single.get(pos, frozenset()) | roles
        return Marks(self._blocks + other._blocks, single)

    def shifted(self, dr: int, dc: int) -> Marks:
        """Every cell moved by ``(dr, dc)`` (matrix to canvas coordinates)."""
        if dr == 0 and dc == 0:
            return self
        blocks = [
            (range(rows.start + dr, rows.stop + dr, rows.step),
             range(cols.start + dc, cols.stop + dc, cols.step), roles)
            for rows, cols, roles in self._blocks
        ]  # fmt: skip
        single = {(r + dr, c + dc): roles for (r, c), roles in self._single.items()}
        return Marks(blocks, single)

    def inside(self, h: int, w: int) -> bool:
        """Whether every cell lies in ``0 <= row < h``, ``0 <= col < w``."""
        box = self.box()
        return box is None or (box[0] >= 0 and box[1] >= 0 and box[2] < h and box[3] < w)

    def clipped(self, shape: tuple[int, ...]) -> Marks:
        """Only the cells inside ``0 <= row < shape[0]``, ``0 <= col < shape[1]``."""
        h, w = int(shape[0]), int(shape[1])
        if self.inside(h, w):
            return self  # nothing to cut (what it knows, e.g. its cell arrays, is kept)
        blocks = [(_clip(rows, h), _clip(cols, w), roles) for rows, cols, roles in self._blocks]
        single = {
            (r, c): roles for (r, c), roles in self._single.items() if 0 <= r < h and 0 <= c < w
        }
        return Marks(blocks, single)

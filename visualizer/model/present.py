"""What the views draw, from a document, its results and the step cursor (Qt-free).

Presenters read :class:`~engine.Step` records and the per-edit accumulations of the trace;
they never compute a window coordinate themselves and never recompute the operation.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from engine import Step, Trace, format_number

# Roles by cell, a large window as a rectangle (the views draw these; re-exported for them).
from engine.cells import Marks as Marks

# Kinds of cells in the input canvas (the input plus its padding ring, and the zeros a
# transposed convolution computed as a convolution inserts between input cells): the engine's
# canvas kinds, under the names the views use.
from engine.geometry import CANVAS_INPUT as INPUT
from engine.geometry import CANVAS_INSERTED as INSERTED  # noqa: F401 (for the views)
from engine.geometry import CANVAS_OVERHANG as OVERHANG
from engine.geometry import CANVAS_PADDING as PADDING
from engine.trace import Update, term
from visualizer.model.compute import Results
from visualizer.model.cursor import StepCursor
from visualizer.model.document import Document
from visualizer.model.extremes import remember_extremes

Cell = tuple[int, int]


@dataclass(frozen=True)
class Highlight:
    """Cells to mark in each view for the current step, by view name, in matrix coordinates.

    ``cells[view]`` maps a position to the roles it has (``window``, ``winner``, ``padding``,
    ``gap``, ``overhang``, ``result``, ``source``, ``target``, ``changed``): the step's
    :class:`~engine.Marks` (a large window as a rectangle, not cell by cell), or a dict.
    """

    step: Step
    cells: Mapping[str, Mapping[Cell, Collection[str]]]
    channel: int = 0  # the input channel the views show

    def of(self, view: str) -> Marks:
        return Marks.of(self.cells.get(view))

    @property
    def output_cell(self) -> Cell:
        return self.step.out_pos


PLANES_MAX = 4  # input channels shown side by side at most (then a selector picks four)


def shown_channels(doc: Document, results: Results, most: int = PLANES_MAX) -> list[int]:
    """The input channels the views show side by side: every channel the trace reads (its
    input planes), up to ``most``, in the block of ``most`` that holds the chosen one; a
    trace of one plane shows just that plane.  ``most`` is PLANES_MAX but where the views'
    room is small (the lecture layout's backward phase at 1024×768 shows two)."""
    count = results.trace.x.shape[0]
    if count <= 1:
        return [trace_channel(doc)]
    base = (doc.in_channel // most) * most
    return list(range(base, min(count, base + most)))


def channel_blocks(results: Results, most: int = PLANES_MAX) -> list[tuple[int, int]]:
    """The blocks of ``most`` input channels a choice of planes picks from, as (first, last)
    channel: none where every plane the trace reads is shown at once."""
    count = int(results.trace.x.shape[0])
    if count <= most:
        return []
    return [(b, min(count, b + most) - 1) for b in range(0, count, most)]


def shown_out_channels(doc: Document, results: Results, most: int = PLANES_MAX) -> list[int]:
    """The output channels whose dY and kernel slices the views show: every output channel
    whose windows add to the input gradient (a backward step's dX terms read each one's dY
    and W[o, c]), when those planes fit (at most PLANES_MAX output channels and 2 · ``most``
    kernel slices with the input channels shown: two output channels of two input planes
    where the views' room shows two planes, see shown_channels); else the shown plane's."""
    own = doc.plane[1]
    count = int(results.output.shape[1])
    feeds = results.all_channels_feed and results.make_trace is not None
    if not feeds or count <= 1 or not doc.spec.has_weight:
        return [own]
    if "weight" in results.trace.shown_as:
        return [own]  # the trace's own (flipped) kernel: one output channel's
    if count > PLANES_MAX or count * len(shown_channels(doc, results, most)) > 2 * most:
        return [own]
    return list(range(count))


def current_step(results: Results, cursor: StepCursor) -> Step:
    return results.trace.step(cursor.phase, cursor.window_index)


def step_words(results: Results, cursor: StepCursor) -> Step:
    """The step at ``cursor`` for its words (see :meth:`engine.Trace.step_words`); with its
    cells where :func:`summed_updates` reads them (a backward step fed by several output
    channels)."""
    if cursor.phase == "backward" and len(results.feeding_traces()) > 1:
        return current_step(results, cursor)
    return results.trace.step_words(cursor.phase, cursor.window_index)


def _term_of(update: Update) -> str:
    """The term an update's text adds (``1·2`` of ``dX[1, 0]: 0 + 1·2 = 2``)."""
    head = f": {format_number(update.before)} + "
    tail = f" = {format_number(update.after)}"
    start = update.text.find(head)
    if start < 0 or not update.text.endswith(tail):
        return term(update.amount)
    return update.text[start + len(head) : len(update.text) - len(tail)]


def _gathered_updates(
    results: Results, step: Step, traces: list[Trace], symbol: str
) -> tuple[Update, ...]:
    """The dX cells a backward step gathers into (a transposed convolution's: the step writes
    its sum, no per-cell update), each as one term per feeding output channel from the
    gradient before the step to after it: ``dX[0, 1]: 0 + 6 + 4 = 10``."""
    k = step.index
    shares: dict[tuple[int, int, int], list[float]] = {}
    targets = [c for c in step.listed if c.view == "grad_input" and c.role == "target"]
    for cell in targets:
        shares[(cell.channel, *cell.pos)] = []
    for trace in traces:
        acc = trace.accumulation("grad_input")
        if acc is None:
            return ()
        flat, amounts = acc.contributions(*np.divmod(np.array([k]), acc.out_size[1]))
        cells = np.asarray(flat, dtype=np.int64)
        size = int(np.prod(acc.shape))
        total = np.bincount(cells, np.asarray(amounts, float), size).reshape(acc.shape)
        for key, terms in shares.items():
            terms.append(float(total[key]))
    before, after = results.grad_input_after(k - 1), results.grad_input_after(k)
    planes = results.trace.x.shape[0]
    out = []
    for (ch, r, c), terms in shares.items():
        name = f"{symbol}[{r}, {c}]" if planes == 1 else f"{symbol}[{ch}, {r}, {c}]"
        b, a = float(before[ch, r, c]), float(after[ch, r, c])
        added = " + ".join(term(t) for t in terms)
        text = f"{name}: {format_number(b)} + {added} = {format_number(a)}"
        out.append(Update("grad_input", (r, c), ch, b, a - b, a, text))
    return tuple(out)


def summed_updates(results: Results, step: Step, symbol: str = "dX") -> Sequence[Update]:
    """``step``'s updates with each dX cell's arithmetic summed over every output channel
    feeding the input gradient (:meth:`Results.feeding_traces`: a backward step of a
    convolution with several output channels is that window in each of them), from the
    gradient before the step to after it, as the dX view shows them:
    ``dX[0, 1, 0]: 0 + 1·2 + 1·(-1) = 1``; a step that gathers into dX cells without
    per-cell updates (a transposed convolution's) gets such lines added
    (:func:`_gathered_updates`, ``symbol`` naming dX).  Other updates, and a single
    channel's, as they are.
    """
    traces = results.feeding_traces()
    if step.phase != "backward" or len(traces) == 1:
        return step.updates
    if not any(u.view == "grad_input" for u in step.updates):
        return (*step.updates, *_gathered_updates(results, step, traces, symbol))
    terms: dict[tuple[int, tuple[int, int]], list[str]] = {}
    for trace in traces:
        for u in trace.step("backward", step.index).updates:
            if u.view == "grad_input":
                terms.setdefault((u.channel, u.pos), []).append(_term_of(u))
    before = results.grad_input_after(step.index - 1)
    after = results.grad_input_after(step.index)
    out = []
    for u in step.updates:
        if u.view != "grad_input":
            out.append(u)
            continue
        name = u.text.split(": ", 1)[0]
        b, a = float(before[(u.channel, *u.pos)]), float(after[(u.channel, *u.pos)])
        added = " + ".join(terms.get((u.channel, u.pos), [_term_of(u)]))
        text = f"{name}: {format_number(b)} + {added} = {format_number(a)}"
        out.append(replace(u, before=b, amount=a - b, after=a, text=text))
    return tuple(out)


def trace_channel(doc: Document) -> int:
    """Channel of the trace's input planes that the views show."""
    return doc.in_channel if doc.spec.has_weight else 0


def highlight(
    doc: Document, results: Results, cursor: StepCursor, out_channel: int | None = None
) -> Highlight:
    """Cells to mark for the current step; cells of other channels than the shown are left out.
    ``out_channel``: that output channel's step (a backward step is its window in every
    output channel feeding dX), for the views of its dY."""
    step = current_step(results, cursor)
    if out_channel is not None and out_channel != doc.plane[1]:
        step = results.feeding_traces()[out_channel].step(cursor.phase, cursor.window_index)
    channel = trace_channel(doc)
    cells = {}
    for view in step.views():
        per_channel = view in ("input", "weight", "mask", "grad_input", "grad_weight")
        cells[view] = step.marks(view, channel if per_channel else None)
    return Highlight(step, cells, channel)


def input_canvas(doc: Document, results: Results) -> tuple[np.ndarray, np.ndarray, Cell]:
    """The shown input plane with its padding ring: (values, kinds, (top, left) offset).

    Padding shows the operation's pad value (−∞ for max pooling, 0 for sums); the ceil_mode
    overhang is NaN.  A trace whose input is a canvas of its own (``canvas_kinds``: zeros
    inserted between the input cells) gives that canvas, with offset (0, 0).
    """
    trace = results.trace
    if trace.canvas_kinds is not None:
        return trace.x[trace_channel(doc)].astype(float), trace.canvas_kinds.copy(), (0, 0)
    g = results.geometry
    plane = doc.x[doc.plane[0], doc.shown_input_channel]
    (top, bottom), (left, right) = results.trace.input_pad
    values = np.pad(plane, ((top, bottom), (left, right)), constant_values=doc.spec.pad_value)
    kinds = np.full(values.shape, PADDING, dtype=np.int8)
    kinds[top : top + plane.shape[0], left : left + plane.shape[1]] = INPUT
    # Beyond the explicit padding lies the ceil_mode overhang (never read).
    over_rows = top + plane.shape[0] + min(g.pad_after[0], bottom)
    over_cols = left + plane.shape[1] + min(g.pad_after[1], right)
    kinds[over_rows:, :] = OVERHANG
    kinds[:, over_cols:] = OVERHANG
    values[over_rows:, :] = np.nan
    values[:, over_cols:] = np.nan
    return values, kinds, (top, left)


#: The role of a window ``ceil_mode`` drops, as the input view outlines it.
DROPPED = "dropped"

Outline = tuple[range, range, str]


def dropped_outlines(results: Results) -> tuple[Outline, ...]:
    """The windows PyTorch drops under ``ceil_mode``, as the input view outlines them.

    Each is ``(rows, cols, "dropped")``: the window's cells in matrix coordinates (the input's;
    they lie in the padding ring's overhang, which :func:`input_canvas` makes large enough to
    hold them).  Empty for an operation without ``ceil_mode``, or when nothing is dropped; the
    geometry says which (see :meth:`engine.WindowGeometry.dropped_windows`).
    """
    trace = results.trace
    if trace.canvas_kinds is not None:
        return ()  # the input view shows a canvas of the trace's own, in its coordinates
    return tuple((w.rows, w.cols, DROPPED) for w in trace.geometry.dropped_windows())


def canvas_key(doc: Document, results: Results) -> tuple[object, ...] | None:
    """What :func:`input_canvas` depends on besides the input array ``doc.x`` itself (the
    plane, the padding ring, the overhang, the pad value); None when the canvas is the
    trace's own (made anew with each trace)."""
    trace = results.trace
    if trace.canvas_kinds is not None:
        return None
    return (
        doc.plane[0],
        doc.shown_input_channel,
        trace.input_pad,
        results.geometry.pad_after,
        doc.spec.pad_value,
    )


def kernel_plane(doc: Document, results: Results, out_channel: int | None = None) -> np.ndarray:
    """The shown kernel slice: the document's, or the trace's own (a flipped kernel);
    ``out_channel``: that output channel's slice for the shown input channel."""
    trace = results.trace
    if "weight" in trace.shown_as and trace.weight is not None:
        return np.asarray(trace.weight[trace_channel(doc)], dtype=float)
    o = doc.plane[1] if out_channel is None else out_channel
    return np.asarray(doc.weight[doc.weight_index(o, doc.in_channel)], dtype=float)


def output_plane(doc: Document, results: Results, cursor: StepCursor, partial: bool) -> np.ndarray:
    """Output of the shown plane; during the forward phase only the windows done so far."""
    if partial and cursor.phase == "forward":
        return results.trace.output_after(cursor.window_index)
    return results.output[doc.plane].astype(float)


def output_pending(results: Results, cursor: StepCursor, partial: bool) -> np.ndarray | None:
    """Cells of :func:`output_plane` not computed yet (NaN there means "not yet", not a NaN
    result); None when every cell is computed."""
    trace = results.trace
    if not (partial and cursor.phase == "forward") or trace.accumulation("output") is not None:
        return None  # a scatter adds patches onto zeros: nothing is pending
    pending = np.zeros(trace.output.shape, dtype=bool)
    pending.reshape(-1)[cursor.window_index + 1 :] = True  # a view (``.flat`` is far slower)
    return pending


@functools.lru_cache(maxsize=4)
def zeros_plane(shape: tuple[int, ...]) -> np.ndarray:
    """Read-only float zeros of ``shape``, one array per shape: dX in the forward phase.

    A new array each time cost a 1024² edit and every forward step ~1–3 ms (8 MB of fresh
    zeros, then a view scanning them); the same array lets a view see that nothing changed.
    """
    zeros = np.zeros(shape)
    zeros.flags.writeable = False
    return zeros


def grad_input_plane(
    doc: Document, results: Results, cursor: StepCursor, partial: bool
) -> np.ndarray:
    """dX of the shown plane, accumulated up to the current backward step."""
    trace = results.trace
    if not partial:
        if "grad_input" in trace.shown_as:  # the gradient of the trace's own canvas
            return results.grad_input_after(len(trace) - 1)[trace_channel(doc)]
        return results.grad_input[doc.plane[0], doc.shown_input_channel]
    if cursor.phase == "forward":
        return zeros_plane(tuple(trace.x.shape[1:]))
    # Every output channel's windows so far (a convolution with several: step k is window
    # k in each of them), not the shown channel's share alone.
    return results.grad_input_after(cursor.window_index)[trace_channel(doc)]


def mask_plane(
    doc: Document, results: Results, cursor: StepCursor, partial: bool
) -> np.ndarray | None:
    """Windows won per input element (so far, in the forward phase); None without a mask.

    So far: the running count as the trace accumulates it (float64, whole numbers), which
    the views draw as it is; :meth:`engine.Trace.mask_counts_after`'s integer copy was
    turned back into floats by every view (two copies of a 1024² plane per step).  Its
    extremes, when the trace knows them (the first step after an edit), go with it: the view
    then makes no pass over it to choose how to draw it.
    """
    trace = results.trace
    if trace.winners is None:
        return None
    if partial and cursor.phase == "forward":
        acc = trace.accumulation("mask")
        if acc is None:
            return trace.mask_counts_after(cursor.window_index)
        planes = acc.after(cursor.window_index)
        counts: np.ndarray = planes[0]
        known = acc.known_extremes(cursor.window_index)
        if known is not None and len(planes) == 1:  # the whole sum is this plane
            remember_extremes(counts, *known)
        return counts
    return trace.mask_counts


def grad_weight_plane(
    doc: Document, results: Results, cursor: StepCursor, partial: bool
) -> tuple[np.ndarray, float | None] | None:
    """dW of the shown kernel slice and db, accumulated so far; None without a weight."""
    trace = results.trace
    if trace.grad_weight is None:
        return None
    if partial and cursor.phase == "forward":
        zero_bias = None if trace.grad_bias is None else 0.0
        return np.zeros_like(trace.grad_weight[doc.in_channel]), zero_bias
    index = cursor.window_index if partial else cursor.n_windows - 1
    gw, gb = trace.grad_weight_after(index)
    assert gw is not None
    return gw[doc.in_channel], gb


def hover_cells(
    results: Results, hover: tuple[str, int, int] | None
) -> tuple[list[Cell], list[Cell]]:
    """(input cells, output cells) linked to the hovered cell (of the input or the output)."""
    if hover is None or hover[0] not in ("input", "output"):
        return [], []
    where, r, c = hover
    return results.trace.linked(where, r, c)


def hover_marks(results: Results, hover: tuple[str, int, int] | None) -> tuple[Marks, Marks]:
    """:func:`hover_cells` as ``hover`` marks: a hovered output cell's window as a rectangle
    (a global pooling's 262,144 cells were listed on every move of the mouse)."""
    trace = results.trace
    if (
        hover is not None
        and hover[0] == "output"
        and getattr(trace.records, "linked", None) is None
        and 0 <= hover[1] < trace.geometry.out_size[0]
        and 0 <= hover[2] < trace.geometry.out_size[1]
    ):
        ranges = trace.geometry.window_ranges(hover[1], hover[2])
        if ranges is not None:
            window = Marks([(ranges[0], ranges[1], frozenset(("hover",)))])
            return window, Marks((), {(hover[1], hover[2]): {"hover"}})
    cells_in, cells_out = hover_cells(results, hover)
    return Marks().added(cells_in, "hover"), Marks().added(cells_out, "hover")


def notes(hl: Highlight) -> dict[str, dict[Cell, str]]:
    """Numbers printed small inside cells of the current step, by view (a window cell's
    weight), from the step's cells (``StepCell.note``); only the shown channel's.  Notes are
    on listed cells only (a block of cells has none)."""
    out: dict[str, dict[Cell, str]] = {}
    for cell in hl.step.listed:
        if cell.note and cell.pos in hl.of(cell.view) and cell.channel == hl.channel:
            out.setdefault(cell.view, {})[cell.pos] = cell.note
    return out


def paired_cells(hl: Highlight, hover: tuple[str, int, int] | None) -> dict[str, list[Cell]]:
    """Cells to light, by view, for a hovered cell that the current step pairs with cells of
    another view (``StepCell.link``): a window cell and the kernel tap it is multiplied by,
    both ways.  Empty when the hovered cell takes no part in the step.  Links are on listed
    cells only (a block of cells has none)."""
    if hover is None:
        return {}
    where, r, c = hover
    out: dict[str, list[Cell]] = {}
    listed = hl.step.listed
    for cell in listed:
        if cell.view == where and cell.pos == (r, c) and cell.link is not None:
            if cell.channel != hl.channel:
                continue
            out.setdefault(where, []).append(cell.pos)
            for other in listed:
                if (
                    other.link == cell.pos
                    and other.pos == cell.link
                    and other.view != where
                    and other.channel == cell.channel
                ):
                    out.setdefault(other.view, []).append(other.pos)
    return out


@dataclass(frozen=True)
class Arrow:
    """An arrow of the current step from cells of one view to cells of another."""

    source_view: str
    source: tuple[Cell, ...]
    target_view: str
    target: tuple[Cell, ...]


# Which cells an arrow joins, by phase: (view, roles) it starts from, and (view, roles) it
# points to (Step cell roles; an operation's step names the cells it reads and writes).
ARROW_ENDS = {
    "forward": (
        ("input", ("window", "padding", "source")),
        (("output", ("result", "window")),),
    ),
    "backward": (
        ("grad_output", ("source", "window")),
        (("grad_input", ("target",)), ("grad_weight", ("changed",))),
    ),
}


# An arrow's end of more cells than this is given by the corners of their box (what the
# arrows' sheet uses of them): a global pooling's window is 262,144 cells.
ARROW_CELLS_MAX = 256


def _arrow_end(marks: Marks, roles: tuple[str, ...]) -> tuple[Cell, ...]:
    """The cells with any of ``roles``, sorted; beyond :data:`ARROW_CELLS_MAX`, the top-left and
    bottom-right corners of their box."""
    if marks.blocks:
        if marks.bound(roles) > 4 * ARROW_CELLS_MAX:  # far too many to list or count
            return marks.corners(roles)
        rows, cols = marks.cells_with(roles)
        if len(rows) > ARROW_CELLS_MAX:
            return marks.corners(roles)
        return tuple(sorted(zip(rows.tolist(), cols.tolist(), strict=True)))
    wanted = set(roles)
    return tuple(sorted(rc for rc, r in marks.items() if r & wanted))


def arrows(hl: Highlight, inputs: tuple[str, ...] = ("input",)) -> list[Arrow]:
    """The current step's arrows: forward, from the window to the output cell it makes;
    backward, from the dY cell to the gradient cells it feeds (read from the step's roles).

    ``inputs``: the tensors a forward step may read (the spec's tensors of role ``input``,
    in view order); the arrow starts in the first whose cells the step reads (max-unpooling
    reads a cell of P and only marks X's winner: its arrow starts at P's cell).  An end of
    many cells is the corners of their box (:data:`ARROW_CELLS_MAX`).
    """
    (from_view, from_roles), targets = ARROW_ENDS[hl.step.phase]
    starts = inputs if from_view == "input" else (from_view,)
    source: tuple[Cell, ...] = ()
    for from_view in starts:
        source = _arrow_end(hl.of(from_view), from_roles)
        if source:
            break
    if not source:
        return []
    out = []
    for view, roles in targets:
        cells = _arrow_end(hl.of(view), roles)
        if cells:
            out.append(Arrow(from_view, source, view, cells))
    return out


# ---- large inputs ---------------------------------------------------------------------------
MAGNIFIER_MARGIN = 2  # cells shown around the current step's cells
MAGNIFIER_MAX = 15  # rows and columns at most (a larger window is shown around its centre)
MAGNIFIER_WHOLE = 7  # rows or columns shown whole even where fewer fit (a 3×3 window and 2 around)


def magnifier_box(
    shape: tuple[int, ...],
    cells: list[Cell],
    margin: int = MAGNIFIER_MARGIN,
    most: tuple[int, int] = (MAGNIFIER_MAX, MAGNIFIER_MAX),
    whole: int = MAGNIFIER_WHOLE,
    keep_size: bool = False,
    focus: Sequence[Cell] = (),
) -> tuple[int, int, int, int] | None:
    """``(top, bottom, left, right)`` (end exclusive) of the part of a ``shape`` canvas a
    magnifier shows: the box around ``cells`` (canvas coordinates) plus ``margin`` cells on
    every side, cut to the canvas and to ``most`` (rows, columns that fit at a readable cell
    size; at most ``MAGNIFIER_MAX``) around the box's centre; None without cells.

    Where ``cells`` span at most ``whole`` rows (columns), ``whole`` of them are shown even
    where fewer fit (smaller cells: a 3×3 window and the two cells around it stay in view);
    longer ones, which cannot all be shown anyway, are cut to ``most`` so that the cells keep
    their numbers readable (a global window of a 256×256 input in a low close-up had 7 rows
    of 16 px cells).

    ``keep_size``: a box that reaches past the canvas's edge is moved inside it, not cut,
    so that windows of one size get boxes of one size wherever they are (a close-up that
    changed shape at the edges was laid out and fitted again on those steps, its cells
    changing size under the room's eyes).

    ``focus``: the cells the step is about (a window's winner, the cell written).  A box cut
    to ``most`` is moved, as little as it takes, to show them and ``margin`` cells around
    them: cut around the window's middle, it hid the winner of a large adaptive window."""
    if not cells:
        return None
    bounds = []
    for axis in (0, 1):
        values = [cell[axis] for cell in cells]
        lo, hi = min(values) - margin, max(values) + margin + 1
        limit = max(1, min(MAGNIFIER_MAX, most[axis]))
        if max(values) - min(values) < whole:  # at most `whole` cells: they stay whole
            limit = max(limit, min(whole, MAGNIFIER_MAX))
        if hi - lo > limit:
            centre = (lo + hi) // 2
            lo, hi = _show_focus(
                (lo, hi), centre - limit // 2, limit, [cell[axis] for cell in focus], margin
            )
        if keep_size:
            size = min(hi - lo, shape[axis])
            lo = min(max(0, lo), shape[axis] - size)
            hi = lo + size
        else:
            lo, hi = max(0, lo), min(shape[axis], hi)
        bounds.append((lo, hi))
    (top, bottom), (left, right) = bounds
    return (top, bottom, left, right) if bottom > top and right > left else None


def _show_focus(
    span: tuple[int, int], lo: int, limit: int, focus: list[int], margin: int
) -> tuple[int, int]:
    """``(lo, lo + limit)`` moved as little as it takes to hold ``focus`` and ``margin`` cells
    around it, never past ``span`` (the window and its margin); centred on ``focus`` where
    that does not fit."""
    if focus:
        want_lo = max(span[0], min(focus) - margin)
        want_hi = min(span[1], max(focus) + margin + 1)
        if want_hi - want_lo > limit:
            lo = (min(focus) + max(focus) + 1) // 2 - limit // 2
        elif want_hi > lo + limit:
            lo = want_hi - limit
        elif want_lo < lo:
            lo = want_lo
        lo = min(max(lo, span[0]), span[1] - limit)
    return lo, lo + limit


def magnifier_size(
    shape: tuple[int, ...], box: tuple[int, int, int, int] | None, margin: int = MAGNIFIER_MARGIN
) -> tuple[int, int]:
    """The rows and columns of a magnifier box around ``box`` (``(top, left, bottom, right)``
    of the step's cells, inclusive; None: one cell) with ``margin`` cells on every side,
    at most the ``shape`` canvas and ``MAGNIFIER_MAX``: the size a lecture close-up is laid
    out for, wherever the step takes the box (:func:`kept_box` keeps it at the edges)."""
    span = (1, 1) if box is None else (box[2] - box[0] + 1, box[3] - box[1] + 1)
    rows, cols = (
        max(1, min(n, MAGNIFIER_MAX, s + 2 * margin)) for n, s in zip(shape, span, strict=True)
    )
    return rows, cols


def kept_box(
    box: tuple[int, int, int, int], shape: tuple[int, ...], size: tuple[int, int]
) -> tuple[int, int, int, int]:
    """``box`` (``(top, bottom, left, right)``, end exclusive) grown to ``size`` rows and
    columns inside a ``shape`` canvas: a box cut at the canvas's edge takes the rows or
    columns it lost from the other side (a lecture close-up keeps the size its layout gave
    it, instead of leaving empty room at the first and last windows)."""
    bounds = []
    for (lo, hi), n, want in zip(((box[0], box[1]), (box[2], box[3])), shape, size, strict=True):
        want = min(n, max(want, hi - lo))
        if hi - lo < want:
            lo = max(0, min(lo, hi - want))
            hi = min(n, lo + want)
            lo = max(0, hi - want)
        bounds.append((lo, hi))
    (top, bottom), (left, right) = bounds
    return top, bottom, left, right


# Up to this many cells an outline is worked out in Python (see outline_segments).
OUTLINE_FEW = 64


def _joined(sides: set[tuple[int, int]]) -> np.ndarray:
    """Unit sides ``(line, start)`` joined into runs ``(line, start, stop)`` along their
    lines, in order of line, then start (as outline_segments gives them)."""
    out: list[list[int]] = []
    for line, start in sorted(sides):
        if out and out[-1][0] == line and out[-1][2] == start:
            out[-1][2] = start + 1
        else:
            out.append([line, start, start + 1])
    return np.array(out, dtype=np.int64).reshape(-1, 3)


def outline_segments(rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outlines of unit cells ``(rows[k], cols[k])`` as straight segments, each edge once.

    Every side of every cell, with the sides two marked cells share counted once and the
    sides along one grid line joined into one run: a window of k×k cells is 2·(k + 1)
    lines instead of k² squares.  Returns ``(horizontal, vertical)``, each ``(n, 3)`` int:
    ``(y, x0, x1)`` for a horizontal run at y from x0 to x1, ``(x, y0, y1)`` for a vertical
    one (cell ``(r, c)`` spans x c..c+1 and y r..r+1).
    """
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if rows.size == 0:
        empty = np.zeros((0, 3), dtype=np.int64)
        return empty, empty.copy()
    if rows.size <= OUTLINE_FEW:
        # A step's window (a few cells): sets of unit sides in Python.  The arrays' two dozen
        # NumPy calls cost ~50 us whatever the size, on every heat map the step marks.
        cells = list(zip(rows.tolist(), cols.tolist(), strict=True))
        return (
            _joined({(r + d, c) for r, c in cells for d in (0, 1)}),
            _joined({(c + d, r) for r, c in cells for d in (0, 1)}),
        )
    top, left = int(rows.min()), int(cols.min())
    marked = np.zeros((int(rows.max()) - top + 3, int(cols.max()) - left + 3), dtype=bool)
    marked[rows - top + 1, cols - left + 1] = True  # a ring of unmarked cells around
    across = marked[:-1, 1:-1] | marked[1:, 1:-1]  # (h + 1, w): the side at the top of a row
    down = (marked[1:-1, :-1] | marked[1:-1, 1:]).T  # (w + 1, h): the side left of a column

    def runs(edges: np.ndarray, line0: int, start0: int) -> np.ndarray:
        padded = np.zeros((edges.shape[0], edges.shape[1] + 2), dtype=np.int8)
        padded[:, 1:-1] = edges
        steps = np.diff(padded, axis=1)
        line, start = np.nonzero(steps == 1)  # row-major: each line's starts and ends in order
        _, stop = np.nonzero(steps == -1)
        return np.stack([line + line0, start + start0, stop + start0], axis=1)

    return runs(across, top, left), runs(down, left, top)


def step_grid(results: Results) -> tuple[int, int]:
    """(rows, columns) the steps of a phase walk through in row-major order (the windows)."""
    g = results.trace.geometry
    out = g.out_size
    return (out[0], out[1]) if out[0] * out[1] == len(results.trace) else (1, len(results.trace))


def next_row_step(results: Results, cursor: StepCursor) -> int:
    """The step that starts the next row of windows in the current phase (the phase's last
    step on its last row)."""
    _, cols = step_grid(results)
    base = 0 if cursor.phase == "forward" else cursor.n_windows
    index = min((cursor.window_index // cols + 1) * cols, cursor.n_windows - 1)
    return base + index


# ---- the lecture layout ---------------------------------------------------------------------
# Tensors drawn as one plane per shown input channel (several channels: side by side).
PER_CHANNEL_TENSORS = ("input", "weight", "grad_input", "grad_weight")
# From this many matrices on, the lecture layout puts the step counter and the arithmetic
# beside the matrices instead of below them.  Five matrices (convolution's backward: dY, X, W,
# dX, dW) need two rows, and two rows of an 8×8 input are bound by the height: under ten
# lines of arithmetic their cells were 27 px at 1024×768 (12 px digits), beside it they get
# the whole height.  Up to four matrices one row is bound by the width and the text below
# takes room they do not need.
LECTURE_BESIDE_MATRICES = 5
# The text column beside the matrices: this share of the lecture area's width, at least
# LECTURE_TEXT_LEAST pixels (an update "dW[0, 1]: 39 + 1·9 = 48" on one line at 18 px).
LECTURE_TEXT_WIDTH_SHARE = 0.25
# The lecture's text leaves the place the count of matrices gives it (lecture_text_beside) for
# the other one where the matrices' cells are then this much larger (see
# MainWindow._lecture_text_beside): clearly larger, as the text shrinks there (convolution's
# backward at 1366×768, 39 px cells below against 37 beside, had its text fall from 24 to
# 18 px; the transposed one gains 43 against 34, LP pooling's backward 36 against 30).
LECTURE_TEXT_PLACE_GAIN = 1.18
LECTURE_TEXT_LEAST = 240


def lecture_matrices(tensors: Sequence[str], planes: int) -> int:
    """How many matrices the lecture layout shows for a phase whose ``tensors`` (names, as
    ``OpSpec.lecture_tensors`` lists them) are drawn with ``planes`` input channels side by
    side (the per-channel tensors once per plane)."""
    return sum(planes if name in PER_CHANNEL_TENSORS else 1 for name in tensors)


def lecture_text_beside(matrices: int, planes: int = 1) -> bool:
    """Whether the lecture layout puts the counter and the arithmetic beside ``matrices``
    matrices (a column on the right) rather than below them.  Not with ``planes`` input
    channels side by side: their planes wrap into rows bound by the width, and the column
    made the cells of preset 09's backward (two channels, nine matrices) smaller (1366×768:
    digits of 23 px below the arithmetic, 21 beside it)."""
    return matrices >= LECTURE_BESIDE_MATRICES and planes == 1


# The lecture layout's texts (step counter, arithmetic, titles) were sized on a laptop's screen
# this many pixels high; in a taller window they grow with its height, as the matrices do (at
# 1920×1080 the counter kept its 1366×768 size, 25 px digits under the matrices' 43 px, and
# the arithmetic and titles sat on their floors, a smaller share of the screen than at 768).
LECTURE_REFERENCE_HEIGHT = 768


def lecture_screen_scale(height: int) -> float:
    """How much larger the lecture layout's texts are in a window ``height`` pixels high than
    on the reference screen (1 up to LECTURE_REFERENCE_HEIGHT)."""
    return max(1.0, height / LECTURE_REFERENCE_HEIGHT)


def lecture_text_width(width: int) -> int:
    """The width of the text column beside the matrices in a lecture area ``width`` wide."""
    return max(LECTURE_TEXT_LEAST, int(width * LECTURE_TEXT_WIDTH_SHARE))


# A view of at most this many columns is small (a kernel, its gradient): its columns may widen
# past the shared width for its own numbers (see shared_columns).
LECTURE_SMALL_COLUMNS = 4


def shared_columns(
    shapes: Sequence[tuple[int, int]],
    needs: Sequence[int],
    own: bool = False,
    alone: Sequence[bool] | None = None,
) -> list[int]:
    """The column width of each lecture view, from the width its numbers need at the row's
    cell size (``needs``) and its matrix's ``shapes`` (rows, columns): every view at least
    the widest need of the views with more than LECTURE_SMALL_COLUMNS columns, and a small
    view (a kernel, its gradient) as wide as the widest need of the views of its shape.

    Every view has the row's cell height and the large matrices one column width, so that
    no view looks larger than another for its cell count; a small one widens for its own
    long numbers, together with the views of its shape (W and dW).  Convolution's dW of
    three-digit sums made the columns of X, dX and dY (one or two digits) 44 px for 27 px
    rows at 1024×768: a third of the row's width for nothing.

    ``alone``: which views may widen alone when small (None: every small one).  The lecture
    layout lets the kernels (W, dW) only: average pooling's 4×4 Y of "9.125" had columns
    twice as wide as X's; a longer number of another matrix now widens every view's columns
    (one cell size: only a longer number widens a cell, and then every view shares it).

    ``own``: each large view as wide as its own numbers need, a small one as the widest
    need of its shape (the lecture layout's choice where one width would cost the cells
    their height: LP pooling's dX of "0.04336" gave X's integers 79 px columns for 23 px
    rows at 1024×768)."""
    small = [
        cols <= LECTURE_SMALL_COLUMNS and (alone is None or alone[i])
        for i, (_, cols) in enumerate(shapes)
    ]
    if own:
        widest_own: dict[tuple[int, int], int] = {}
        for shape, need, is_small in zip(shapes, needs, small, strict=True):
            if is_small:
                widest_own[shape] = max(widest_own.get(shape, 0), need)
        return [
            widest_own[shape] if is_small else need
            for shape, need, is_small in zip(shapes, needs, small, strict=True)
        ]
    large = [n for n, is_small in zip(needs, small, strict=True) if not is_small]
    base = max(large or needs or [0])
    widest: dict[tuple[int, int], int] = {}
    for shape, need, is_small in zip(shapes, needs, small, strict=True):
        if is_small:
            widest[shape] = max(widest.get(shape, 0), need)
    return [
        max(base, widest[shape]) if is_small else base
        for shape, is_small in zip(shapes, small, strict=True)
    ]

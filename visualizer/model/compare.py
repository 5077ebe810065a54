"""Compare mode, free of Qt: two or more settings of one document side by side, in lockstep.

A :class:`~visualizer.model.document.CompareSetup` lists variants of the document (parameter
values by their registry names, or another operation).  :func:`compute_comparison` runs each
variant once through :func:`~visualizer.model.compute.compute` and returns a
:class:`Comparison`: the panels with their results and titles (what differs), the lockstep
mapping (one step position drives every panel; a panel without that window says so), the
cells whose values differ between panels, and a summary of the difference.  Everything is
read from the operation specs, the engine's geometry and the traces; nothing here does
window arithmetic of its own.

Texts are :class:`engine.errors.Message` values (an English template and its fields), which
the visualizer translates when it shows them; the templates are marked for ``lupdate``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from engine import format_number
from engine.errors import Message, ParameterError
from engine.geometry import Pair
from engine.ops import OPS, OpSpec, get_op
from engine.ops.spec import QT_TR_NOOP
from visualizer.model.compute import Results, compute
from visualizer.model.cursor import StepCursor
from visualizer.model.document import OP_FIELD, CompareSetup, Document, Variant
from visualizer.model.present import Highlight, highlight, input_canvas, output_pending
from visualizer.model.present import grad_input_plane as _grad_input_plane
from visualizer.model.present import grad_weight_plane as _grad_weight_plane
from visualizer.model.present import mask_plane as _mask_plane
from visualizer.model.present import output_plane as _output_plane

# At most this many panels (a lecture screen holds no more).
MAX_PANELS = 4
# The padding read by added windows is counted when at most this many windows were added.
MAX_COUNTED_WINDOWS = 256
# Arrays whose differing cells are marked, by result name.
COMPARED = ("output", "mask", "grad_output", "grad_input")

# ---- texts (translated by the visualizer: visualizer.i18n.translate_message) --------------
TOO_FEW = QT_TR_NOOP("compare mode needs at least 2 settings, not {count}")
TOO_MANY = QT_TR_NOOP("compare mode shows at most {limit} settings, not {count}")
NO_PARAMETER = QT_TR_NOOP("{operation} has no parameter {name}")
OTHER_INPUTS = QT_TR_NOOP("{operation} cannot be compared with {other}: it takes other tensors")
IN_PANEL = QT_TR_NOOP("setting {panel} ({title}): {reason}")
SETTING = QT_TR_NOOP("{name} = {value}")
SAME_SETTINGS = QT_TR_NOOP("the same settings")
ON = QT_TR_NOOP("on")
OFF = QT_TR_NOOP("off")
AND = QT_TR_NOOP("{first}, {rest}")
OR = QT_TR_NOOP("{first} / {rest}")
VERSUS = QT_TR_NOOP("{first} vs {rest}")
QUICK_VALUES = QT_TR_NOOP("{name}: {values}")
QUICK_STEP = QT_TR_NOOP("{name} ±1")
ADDS_COLUMN = QT_TR_NOOP("{title} adds a last column: {before} → {after} outputs per row")
ADDS_COLUMNS = QT_TR_NOOP("{title} adds {count} columns: {before} → {after} outputs per row")
DROPS_COLUMNS = QT_TR_NOOP("{title} drops {count} columns: {before} → {after} outputs per row")
ADDS_ROW = QT_TR_NOOP("{title} adds a last row: {before} → {after} outputs per column")
ADDS_ROWS = QT_TR_NOOP("{title} adds {count} rows: {before} → {after} outputs per column")
DROPS_ROWS = QT_TR_NOOP("{title} drops {count} rows: {before} → {after} outputs per column")
RESIZES = QT_TR_NOOP("{title}: output {before} → {after}")
ADDED_ONE = QT_TR_NOOP("the added window reads {padding} padding cells")
ADDED_MANY = QT_TR_NOOP("the {windows} added windows read {padding} padding cells")
BEYOND = QT_TR_NOOP("{reads} ({overhang} more lie beyond the padding: never read)")
OUTPUTS_DIFFER = QT_TR_NOOP("{title}: {count} of {total} outputs differ")
SAME_OUTPUT = QT_TR_NOOP("{title}: the same output")
DX_DIFFERS = QT_TR_NOOP("dX differs in {count} of {total} cells")
SAME_DX = QT_TR_NOOP("the same dX")
CLAUSES = QT_TR_NOOP("{first}; {rest}")
NO_WINDOW = QT_TR_NOOP("no window at ({row}, {col}) with this setting")
# The step bar's text box (the lecture layout's; the normal layout's with few settings): what
# each setting computes at the step, one line per setting.
SETTING_STEP = QT_TR_NOOP("{title}: {arithmetic}")
AT_POSITION = QT_TR_NOOP("Every setting at ({row}, {col}): the arithmetic is in each panel")

# Quick comparisons of numbers: parameter name -> the values offered ("step": current ±1).
QUICK_NUMBERS: dict[str, tuple[int, ...] | str] = {
    "padding": "step",
    "stride": (1, 2),
    "dilation": (1, 2),
}


def _joined(parts: Sequence[str], template: str) -> str:
    """``parts`` joined by ``template`` (``"{first}, {rest}"``), as one translatable Message."""
    if not parts:
        return ""
    text = parts[-1]
    for part in reversed(parts[:-1]):
        text = Message(template, first=part, rest=text)
    return text


def value_text(spec: Any, value: Any) -> str:
    """A parameter value as a panel title says it: on/off, ``1`` or ``1×2``, a number."""
    kind = spec.kind
    if kind == "bool":
        return Message(ON) if value else Message(OFF)
    if kind == "pair":
        h, w = (int(v) for v in value)
        return str(h) if h == w else f"{h}×{w}"
    if value is None:
        return "None"
    if kind in ("float", "optional_float"):
        return format_number(float(value))
    return str(value)


# ---- variants ----------------------------------------------------------------------------
def variant_document(doc: Document, variant: Variant) -> Document:
    """``doc`` with ``variant``'s changes, its parameters checked (``ParameterError``)."""
    changes = variant.as_dict()
    spec = doc.spec
    params = doc.params
    if OP_FIELD in changes:
        target = get_op(str(changes.pop(OP_FIELD)))
        if target.key != spec.key:
            if target.has_weight != spec.has_weight or None not in (target.prepare, spec.prepare):
                raise ParameterError(OTHER_INPUTS, operation=target.key, other=spec.key)
            params = target.switch_params(params)
        spec = target
    for name in changes:
        if not spec.has_param(name):
            raise ParameterError(NO_PARAMETER, operation=spec.key, name=name)
    params = spec.coerce_params(params.replace(**changes))
    return replace(doc, op=spec.key, params=params, compare=None)


def canonical(doc: Document, setup: CompareSetup) -> CompareSetup:
    """``setup`` with every value in its checked form (pairs as tuples, operations by key);
    a variant the engine refuses is kept as it is (:func:`compute_comparison` says why)."""
    variants = []
    for variant in setup.variants:
        try:
            d = variant_document(doc, variant)
        except ValueError:
            variants.append(variant)
            continue
        changes = {n: d.op if n == OP_FIELD else d.params[n] for n, _ in variant.changes}
        variants.append(Variant.of(changes))
    return CompareSetup(tuple(variants))


def differing_fields(docs: Sequence[Document]) -> tuple[str, ...]:
    """What differs between ``docs``: :data:`OP_FIELD` first, then parameter names."""
    names: list[str] = []
    if len({d.op for d in docs}) > 1:
        names.append(OP_FIELD)
    seen: dict[str, None] = {}
    for d in docs:
        for p in d.spec.params:
            seen.setdefault(p.name)
    for name in seen:  # among the settings whose operation has the parameter
        values = [d.params[name] for d in docs if d.spec.has_param(name)]
        if any(v != values[0] for v in values[1:]):
            names.append(name)
    return tuple(names)


def title_of(doc: Document, fields: Sequence[str]) -> str:
    """A panel's title: the values of ``fields`` in ``doc`` ("padding = 1, ceil_mode = on")."""
    parts: list[str] = []
    spec = doc.spec
    for name in fields:
        if name == OP_FIELD:
            parts.append(Message(spec.label))
        elif spec.has_param(name):
            param = spec.param(name)
            parts.append(Message(SETTING, name=name, value=value_text(param, doc.params[name])))
    return _joined(parts, AND) if parts else Message(SAME_SETTINGS)


# ---- the comparison ------------------------------------------------------------------------
@dataclass(frozen=True)
class Panel:
    """One setting: its document, its results and its title."""

    doc: Document
    results: Results
    title: str

    @property
    def grid(self) -> Pair:
        """Rows and columns of this panel's step positions (its output, for a gather)."""
        return self.results.geometry.out_size

    def has(self, position: Pair) -> bool:
        """Whether this setting has a window at step position ``position``."""
        rows, cols = self.grid
        return 0 <= position[0] < rows and 0 <= position[1] < cols

    def index_at(self, position: Pair) -> int | None:
        """The window at ``position`` (None: none there), as the engine numbers the windows
        (row-major over :attr:`grid`; checked against ``WindowGeometry.position``)."""
        if not self.has(position):
            return None
        index = position[0] * self.grid[1] + position[1]
        assert self.results.geometry.position(index) == tuple(position)
        return index

    def window_before(self, position: Pair) -> int:
        """The last window at or before ``position`` in row-major order (−1: none)."""
        rows, cols = self.grid
        r, c = position
        if r >= rows:
            r, c = rows - 1, cols - 1
        elif c >= cols:
            c = cols - 1
        if r < 0 or c < 0:
            return -1
        index = self.index_at((r, c))
        return -1 if index is None else index

    def plane(self, name: str) -> np.ndarray | None:
        """The shown plane of result ``name`` (``None``: this operation has none)."""
        doc, arrays = self.doc, self.results.arrays
        if name not in arrays or arrays[name] is None:
            return None
        array = arrays[name]
        if name in ("output", "grad_output"):
            return np.asarray(array[doc.plane], dtype=float)
        return np.asarray(array[doc.plane[0], doc.shown_input_channel], dtype=float)


@dataclass(frozen=True)
class PanelStep:
    """Where one panel is at the shared step: its cursor, and whether it has the window."""

    cursor: StepCursor
    present: bool


@dataclass(frozen=True)
class Comparison:
    """The panels of compare mode and what relates them."""

    panels: tuple[Panel, ...]
    fields: tuple[str, ...]  # what differs (OP_FIELD and parameter names)
    _diffs: dict[str, list[np.ndarray | None]] = field(default_factory=dict, compare=False)

    @cached_property
    def grid(self) -> Pair:
        """The shared step positions: every panel's rows and columns."""
        return (max(p.grid[0] for p in self.panels), max(p.grid[1] for p in self.panels))

    @property
    def n_windows(self) -> int:
        return self.grid[0] * self.grid[1]

    def position(self, index: int) -> Pair:
        """Step position of shared window ``index`` (row-major over :attr:`grid`)."""
        rows, cols = self.grid
        if not 0 <= index < rows * cols:
            raise ParameterError(
                "step ({step}) must be in 0..{last}", step=index, last=rows * cols - 1
            )
        return divmod(index, cols)

    def index_of(self, position: Pair) -> int | None:
        """The shared window index of ``position`` (None: outside every panel)."""
        rows, cols = self.grid
        r, c = position
        return r * cols + c if 0 <= r < rows and 0 <= c < cols else None

    def panel_step(self, i: int, cursor: StepCursor) -> PanelStep:
        """Panel ``i`` at the shared ``cursor``: the same position, or (when it has no window
        there) the last window before it, marked absent."""
        panel = self.panels[i]
        n = len(panel.results.trace)
        position = self.position(cursor.window_index)
        index = panel.index_at(position)
        present = index is not None
        if index is None:
            index = max(0, panel.window_before(position))
        base = n if cursor.phase == "backward" else 0
        return PanelStep(StepCursor(n, base + index), present)

    def next_row_step(self, cursor: StepCursor) -> int:
        """The shared step that starts the next row of positions in the current phase (the
        phase's last step on the last row)."""
        rows, cols = self.grid
        row = self.position(cursor.window_index)[0]
        index = min((row + 1) * cols, rows * cols - 1)
        return index + (0 if cursor.phase == "forward" else rows * cols)

    # ---- differing cells -------------------------------------------------------------------
    def differences(self, name: str) -> list[np.ndarray | None]:
        """Per panel, the cells of result ``name`` whose value differs between panels.

        Cells are matched by position (row, col); a cell that only some panels have differs.
        ``None`` for a panel without that result; all-False when fewer than two have it.
        """
        if name not in self._diffs:
            self._diffs[name] = differing_cells([p.plane(name) for p in self.panels])
        return self._diffs[name]

    # ---- summary ---------------------------------------------------------------------------
    def summary(self) -> list[str]:
        """One line per panel after the first, against the first: what changes."""
        base = self.panels[0]
        return [_summary_line(base, other) for other in self.panels[1:]]


# The tolerance of :func:`_equal` (``np.isclose``'s ``rtol`` and ``atol``).
RTOL, ATOL = 1e-9, 1e-12


def _equal(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cell by cell: the same value (NaN equals NaN, −∞ equals −∞, rounding noise ignored).

    ``np.isclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True)`` written out as NumPy 2
    computes it (the same operations in the same order), without its checks of the
    arguments, which cost more than the comparison itself on a step's small planes (compare
    mode compares the shown planes of every pair of settings on each step).
    """
    a = np.asarray(a)
    b = np.asarray(b, dtype=np.result_type(b, 1.0))
    with np.errstate(invalid="ignore"):
        same = (np.abs(a - b) <= ATOL + RTOL * np.abs(b)) & np.isfinite(b) | (a == b)
        same |= np.isnan(a) & np.isnan(b)
    return same


def differing_cells(
    planes: Sequence[np.ndarray | None], known: Sequence[np.ndarray | None] | None = None
) -> list[np.ndarray | None]:
    """Per plane, its cells whose value differs from another plane's at the same (row, col).

    A cell that another plane does not have differs too.  ``known`` (per plane, optional)
    marks the cells whose value is there yet (an output during the forward phase): a cell not
    known is never marked and tells nothing about the others.  ``None`` for a missing plane.
    """
    shown = [k for k, p in enumerate(planes) if p is not None]
    out: list[np.ndarray | None] = [None if p is None else np.zeros(p.shape, bool) for p in planes]
    if len(shown) < 2:
        return out
    rows = max(planes[k].shape[0] for k in shown)  # type: ignore[union-attr]
    cols = max(planes[k].shape[1] for k in shown)  # type: ignore[union-attr]
    stack = np.full((len(planes), rows, cols), np.nan)
    has = np.zeros((len(planes), rows, cols), bool)
    sure = np.zeros((len(planes), rows, cols), bool)
    for k in shown:
        plane = planes[k]
        assert plane is not None
        h, w = plane.shape
        stack[k, :h, :w] = plane
        has[k, :h, :w] = True
        mask = None if known is None else known[k]
        sure[k, :h, :w] = True if mask is None else mask
    # Every pair at once: ``other[i, j]``, the cells where plane j says plane i differs (it
    # lacks the cell, or knows another value there).
    present = np.asarray(shown)
    values = stack[present]
    other = ~has[present][None, :] | (sure[present][None, :] & ~_equal(values[:, None], values))
    itself = np.arange(len(shown))
    other[itself, itself] = False  # a plane against itself
    differs = other.any(axis=1) & sure[present]
    for n, i in enumerate(shown):
        marks = out[i]
        assert marks is not None
        h, w = marks.shape
        marks[...] = differs[n, :h, :w]
    return out


def _count(a: np.ndarray | None, b: np.ndarray | None) -> tuple[int, int]:
    """(cells of ``b`` that differ from ``a``, cells of ``b``); shapes equal."""
    if a is None or b is None or a.shape != b.shape:
        return 0, 0
    return int((~_equal(a, b)).sum()), int(b.size)


def _size(shape: Sequence[int]) -> str:
    return f"{shape[0]}×{shape[1]}"


def _summary_line(base: Panel, other: Panel) -> str:
    a = base.results.output.shape[-2:]
    b = other.results.output.shape[-2:]
    title = other.title
    clauses: list[str] = []
    if a == b:
        count, total = _count(base.plane("output"), other.plane("output"))
        clauses.append(
            Message(OUTPUTS_DIFFER, title=title, count=count, total=total)
            if count
            else Message(SAME_OUTPUT, title=title)
        )
    else:
        clauses.append(_resize_clause(title, a, b))
        reads = _added_reads(base, other)
        if reads is not None:
            clauses.append(reads)
    count, total = _count(base.plane("grad_input"), other.plane("grad_input"))
    if total:
        clauses.append(Message(DX_DIFFERS, count=count, total=total) if count else Message(SAME_DX))
    return _joined(clauses, CLAUSES)


def _resize_clause(title: str, a: Sequence[int], b: Sequence[int]) -> str:
    if a[0] == b[0] or a[1] == b[1]:
        axis = 1 if a[0] == b[0] else 0
        grow, before, after = b[axis] - a[axis], a[axis], b[axis]
        one, many, drops = (
            (ADDS_COLUMN, ADDS_COLUMNS, DROPS_COLUMNS)
            if axis
            else (
                ADDS_ROW,
                ADDS_ROWS,
                DROPS_ROWS,
            )
        )
        template = one if grow == 1 else many if grow > 1 else drops
        return Message(template, title=title, count=abs(grow), before=before, after=after)
    return Message(RESIZES, title=title, before=_size(a), after=_size(b))


def _added_reads(base: Panel, other: Panel) -> str | None:
    """What the windows ``other`` has and ``base`` lacks read outside the input."""
    trace = other.results.trace
    if tuple(trace.output.shape) != other.grid:  # a scatter steps over input cells
        return None
    rows, cols = other.grid
    shared = min(rows, base.grid[0]) * min(cols, base.grid[1])
    if not 0 < rows * cols - shared <= MAX_COUNTED_WINDOWS:
        return None
    added = [(r, c) for r in range(rows) for c in range(cols) if not base.has((r, c))]
    kinds = [tap.kind for oh, ow in added for tap in trace.taps(oh, ow) if tap.channel == 0]
    padding, overhang = kinds.count("padding"), kinds.count("overhang")
    if len(added) == 1:
        reads = Message(ADDED_ONE, padding=padding)
    else:
        reads = Message(ADDED_MANY, windows=len(added), padding=padding)
    return Message(BEYOND, reads=reads, overhang=overhang) if overhang else reads


def compute_comparison(doc: Document) -> Comparison | None:
    """Every variant of ``doc.compare`` computed once (``None`` when compare mode is off).

    Raises
    ------
    ValueError
        A ``ParameterError`` naming the setting and why it is refused.
    """
    setup = doc.compare
    if setup is None:
        return None
    count = len(setup.variants)
    if count < 2:
        raise ParameterError(TOO_FEW, count=count)
    if count > MAX_PANELS:
        raise ParameterError(TOO_MANY, limit=MAX_PANELS, count=count)
    docs = []
    for k, variant in enumerate(setup.variants, start=1):
        try:
            docs.append(variant_document(doc, variant))
        except ValueError as exc:
            raise ParameterError(
                IN_PANEL, panel=k, title=_changes_text(variant), reason=exc
            ) from None
    fields = differing_fields(docs)
    panels = []
    for k, d in enumerate(docs, start=1):
        title = title_of(d, fields)
        try:
            results = compute(d)
        except ValueError as exc:
            raise ParameterError(IN_PANEL, panel=k, title=title, reason=exc) from None
        panels.append(Panel(d, results, title))
    return Comparison(tuple(panels), fields)


def _changes_text(variant: Variant) -> str:
    return ", ".join(f"{name}={value}" for name, value in variant.changes) or "—"


# ---- what a panel shows at the shared step -------------------------------------------------
@dataclass(frozen=True)
class PanelFrame:
    """What one panel draws at the shared step (the views' planes and highlights)."""

    output: np.ndarray
    output_pending: np.ndarray | None  # output cells not computed yet (None: all are)
    grad_output: np.ndarray  # the shown plane of dY (whole: it is given, not computed)
    grad_input: np.ndarray
    mask: np.ndarray | None
    grad_weight: np.ndarray | None  # the shown kernel slice of dW (None: no weight)
    highlight: Highlight | None  # None: the panel has no window at this position
    step: PanelStep


def _dw(planes: tuple[np.ndarray, float | None] | None) -> np.ndarray | None:
    return None if planes is None else np.asarray(planes[0], dtype=float)


def final_grad_weight(panel: Panel) -> np.ndarray | None:
    """The whole dW of the panel's shown kernel slice (None: no weight)."""
    cursor = StepCursor(len(panel.results.trace), 0)
    return _dw(_grad_weight_plane(panel.doc, panel.results, cursor, False))


def panel_canvas(panel: Panel) -> tuple[np.ndarray, np.ndarray, Pair]:
    """The panel's input with its own padding ring (see :func:`present.input_canvas`)."""
    return input_canvas(panel.doc, panel.results)


def panel_frame(comparison: Comparison, i: int, cursor: StepCursor) -> PanelFrame:
    """Panel ``i`` at the shared ``cursor``: partial output, dX and mask, and highlights."""
    panel = comparison.panels[i]
    step = comparison.panel_step(i, cursor)
    doc, results, own = panel.doc, panel.results, step.cursor
    return PanelFrame(
        output=_output_plane(doc, results, own, True),
        output_pending=output_pending(results, own, True),
        grad_output=np.asarray(results.grad_output[doc.plane], dtype=float),
        grad_input=_grad_input_plane(doc, results, own, True),
        mask=_mask_plane(doc, results, own, True),
        grad_weight=_dw(_grad_weight_plane(doc, results, own, True)),
        highlight=highlight(doc, results, own) if step.present else None,
        step=step,
    )


# The planes of a frame whose differing cells :func:`frame_differences` finds.
FRAME_PLANES = ("output", "grad_output", "mask", "grad_input", "grad_weight")


def frame_differences(
    frames: Sequence[PanelFrame], names: Collection[str] = FRAME_PLANES
) -> list[dict[str, np.ndarray]]:
    """Per panel, the cells of its output, dY, mask, dX and dW (those of them in ``names``)
    whose value *as shown now* differs from another panel's (output cells not computed yet
    are left out)."""
    out: list[dict[str, np.ndarray]] = [{} for _ in frames]
    for name in FRAME_PLANES:
        if name not in names:
            continue
        known = None
        if name == "output":
            known = [None if f.output_pending is None else ~f.output_pending for f in frames]
        marks = differing_cells([getattr(f, name) for f in frames], known)
        for i, cells in enumerate(marks):
            if cells is not None:
                out[i][name] = cells
    return out


def step_message(comparison: Comparison, i: int, cursor: StepCursor) -> str:
    """Panel ``i``'s arithmetic at the shared step, or that it has no window there."""
    step = comparison.panel_step(i, cursor)
    if not step.present:
        row, col = comparison.position(cursor.window_index)
        return Message(NO_WINDOW, row=row, col=col)
    panel = comparison.panels[i]
    record = panel.results.trace.step(step.cursor.phase, step.cursor.window_index)
    return Message(record.template, **record.fields)


def lecture_lines(comparison: Comparison, cursor: StepCursor) -> list[Message]:
    """What each setting computes at the shared step, one line per setting ("padding = 1:
    max(−∞, 8, −∞, 13) = 13"): the step bar's text box (the panels' own arithmetic is a
    small line in their titles, which the lecture layout leaves out)."""
    return [
        Message(SETTING_STEP, title=panel.title, arithmetic=step_message(comparison, i, cursor))
        for i, panel in enumerate(comparison.panels)
    ]


# ---- quick comparisons ---------------------------------------------------------------------
@dataclass(frozen=True)
class Quick:
    """A comparison offered with one click: its label and its setup."""

    key: str  # a parameter name, or OP_FIELD
    label: str
    setup: CompareSetup


def _accepted(doc: Document, variants: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The variants whose parameters the engine accepts for ``doc``'s input."""
    kept = []
    for changes in variants:
        try:
            d = variant_document(doc, Variant.of(changes))
            d.spec.geometry(d.x.shape, d.weight.shape if d.spec.has_weight else None, d.params)
        except ValueError:
            continue
        kept.append(changes)
    return kept


def quick_comparisons(doc: Document) -> list[Quick]:
    """The one-click comparisons for ``doc``'s operation, from its parameter specs: the
    numbers of :data:`QUICK_NUMBERS`, every bool (on/off) and choice, and the operations
    that read the same windows."""
    spec = doc.spec
    quick: list[Quick] = []
    for param in spec.params:
        name = param.name
        if param.view_option:  # a way of showing the operation: the numbers are the same
            continue
        values: list[Any]
        label_values: list[str]
        if param.kind == "bool":
            values = [False, True]
        elif param.kind == "choice":
            values = list(param.choices)
        elif name in QUICK_NUMBERS and param.kind == "pair":
            offered = QUICK_NUMBERS[name]
            if offered == "step":
                h, w = spec.coerce_params(doc.params)[name]
                values = [(h + d, w + d) for d in (-1, 0, 1)]
            else:
                values = [(v, v) for v in offered]
        else:
            continue
        kept = _accepted(doc, [{name: v} for v in values])
        if len(kept) < 2:
            continue
        label_values = [value_text(param, c[name]) for c in kept]
        label: str
        if QUICK_NUMBERS.get(name) == "step":
            label = Message(QUICK_STEP, name=name)
        else:
            label = Message(QUICK_VALUES, name=name, values=_joined(label_values, OR))
        quick.append(Quick(name, label, CompareSetup.of(*kept)))
    others = same_window_ops(doc)
    if others:
        ops = [spec, *others]
        label = _joined([Message(s.label) for s in ops], VERSUS)
        quick.append(Quick(OP_FIELD, label, CompareSetup.of(*({OP_FIELD: s.key} for s in ops))))
    return quick


def same_window_ops(doc: Document) -> list[OpSpec]:
    """Other operations that read exactly the same windows of the same input as ``doc``'s."""
    spec = doc.spec
    if spec.prepare is not None:  # it reads tensors made from X (max-unpooling: the pooled)
        return []
    try:
        w_shape = doc.weight.shape if spec.has_weight else None
        mine = spec.geometry(doc.x.shape, w_shape, spec.coerce_params(doc.params))
    except ValueError:
        return []
    found = []
    for other in OPS.values():
        if other.key == spec.key:
            continue
        try:
            d = variant_document(doc, Variant.of({OP_FIELD: other.key}))
            theirs = other.geometry(d.x.shape, w_shape, d.params)
        except ValueError:
            continue
        if theirs == mine:
            found.append(other)
    return found

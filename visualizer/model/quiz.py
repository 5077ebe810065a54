"""Quiz mode, free of Qt: a question from a step, checking an answer, the score.

While quiz mode is on, the next result of the stepping is hidden until it is revealed (by an
answer, or by the lecturer's clicker).  A question is made from the same data the arithmetic
line and the views show: the step's cells and roles (:class:`engine.Step`), the planes the
views draw (:mod:`visualizer.model.present`) and the per-edit accumulations of the trace.
Nothing here recomputes the operation, and nothing here knows an operation by name: what is
asked follows from the step's shape (a window read: "what is its value?"; one cell read:
"which cells does it reach?") and from the spec (an operation with an argmax is asked where
its maximum is).

Kinds of question, each on or off (:data:`KINDS`):

``value``  the next forward result (or, for a step that reads one cell, which cells it writes)
``cells``  in the backward phase, which input-gradient cells receive gradient and how much
``size``   the output size, asked when a parameter (or the input's size) changes
``argmax`` which input cell is the maximum of the window (operations with an argmax)

The texts are English templates marked with ``QT_TR_NOOP`` (the visualizer translates them
when shown) and filled with fields that are code or numbers (``Y[0, 1]``, ``max(3, 12) ``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from engine import format_number
from engine.ops.spec import QT_TR_NOOP  # a marker for lupdate; keeps this module Qt-free
from visualizer.model.compute import Results
from visualizer.model.cursor import StepCursor
from visualizer.model.document import Document
from visualizer.model.present import Highlight, Marks, highlight, trace_channel

Cell = tuple[int, int]

KINDS = ("value", "cells", "size", "argmax")
KIND_LABELS = {
    "value": QT_TR_NOOP("Next forward value"),
    "cells": QT_TR_NOOP("Backward: which dX cells, how much"),
    "size": QT_TR_NOOP("Output size (when a parameter changes)"),
    "argmax": QT_TR_NOOP("Argmax position of the window"),
}

# Question templates.
ASK_VALUE = QT_TR_NOOP("{target} = {expression} = ?{rest}")
ASK_VALUE_PLAIN = QT_TR_NOOP("{target} = ?")
ASK_REACH = QT_TR_NOOP("Which cells of {view} does {source} reach? Click them, then Enter.")
ASK_ARGMAX = QT_TR_NOOP("Which cell of {view} is the maximum of the marked window? Click it.")
ASK_VALUE_ARGMAX = QT_TR_NOOP(
    "{target} = {expression} = ?{rest} And which cell of {view} is the maximum? Click it."
)
ASK_CELLS_AMOUNT = QT_TR_NOOP(
    "Which cells of {view} receive {source}, and how much does each get? "
    "Click them, type the amount, Enter."
)
ASK_CELLS = QT_TR_NOOP("Which cells of {view} receive {source}? Click them, then Enter.")
ASK_SIZE = QT_TR_NOOP("What is the output size for these parameters? (rows × columns)")

# Verdict texts.
NOT_A_NUMBER = QT_TR_NOOP("“{text}” is not a number")
NOT_A_SIZE = QT_TR_NOOP("“{text}” is not a size: type rows × columns, e.g. 4x4")
NO_AMOUNT = QT_TR_NOOP("type how much each cell gets")

# Views a step changes together with the one it writes (``Question.written``): held at the
# step before while the question is open, so that none of them shows the step's result (a
# backward convolution step adds to dW and db as it adds to dX; a max step counts its winner).
HELD_WITH = {"output": ("mask",), "grad_input": ("grad_weight",)}
# Of those, the ones whose marks go too: dW's frames say which of its cells just changed.
MARKS_HELD = ("grad_weight",)

#: Answers to a non-integer value count when they are this close (absolute) ...
VALUE_ABS_TOL = 5e-3
#: ... or this close relative to the value (so 7.33 is right for 7.3333…, 7.3 is not).
VALUE_REL_TOL = 1e-3


# ---- parsing ------------------------------------------------------------------------------------
def parse_value(text: str) -> float:
    """A typed number: ``18.5``, ``−3``, ``-∞``, ``inf``, ``nan``, ``1,5`` or a fraction ``22/3``.

    Raises
    ------
    ValueError
        If ``text`` is not a number.
    """
    cleaned = text.strip().replace("−", "-").replace("∞", "inf").replace(",", ".")
    cleaned = cleaned.replace(" ", "")
    if not cleaned:
        raise ValueError("empty")
    if "/" in cleaned:
        top, _, bottom = cleaned.partition("/")
        denominator = float(bottom)
        if denominator == 0:
            raise ValueError("division by zero")
        return float(top) / denominator
    return float(cleaned)


_SIZE = re.compile(r"^\(?\s*(\d+)\s*(?:[x×X*,;]|\s)\s*(\d+)\s*\)?$")


def parse_size(text: str) -> tuple[int, int]:
    """A typed size: ``4x4``, ``4×3``, ``4 3``, ``(4, 3)``; one number ``4`` means 4 × 4.

    Raises
    ------
    ValueError
        If ``text`` is not a size.
    """
    cleaned = text.strip()
    if re.fullmatch(r"\d+", cleaned):
        return (int(cleaned), int(cleaned))
    m = _SIZE.match(cleaned)
    if not m:
        raise ValueError("not a size")
    return (int(m.group(1)), int(m.group(2)))


def values_match(answer: float, expected: float) -> bool:
    """Whether a typed ``answer`` counts as ``expected``: exactly for integers and infinities,
    within :data:`VALUE_ABS_TOL` / :data:`VALUE_REL_TOL` otherwise; NaN matches NaN."""
    if math.isnan(expected) or math.isnan(answer):
        return math.isnan(expected) and math.isnan(answer)
    if math.isinf(expected) or math.isinf(answer):
        return answer == expected
    if float(expected).is_integer():
        return abs(answer - expected) <= 1e-9 * max(1.0, abs(expected))
    return abs(answer - expected) <= max(VALUE_ABS_TOL, VALUE_REL_TOL * abs(expected))


# ---- questions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """One question: what is asked, what is hidden until it is revealed, and the answer.

    Attributes
    ----------
    kind : the kind of :data:`KINDS` that asked it (``value`` also asks where a one-cell step
        writes; ``argmax`` only when ``value`` is off)
    step : the cursor step it belongs to (``-1``: not a step's question, the output size)
    template, fields : the question, a translatable template and its fields
    written : the view whose current-step change is hidden (``output`` or ``grad_input``)
    value_cell : the cell of ``written`` whose value is asked (shown as "?"), if any
    value : the expected value (``value_cell``'s, or each picked cell's amount)
    pick_view : the view whose cells the student clicks (``""``: none)
    cells : the cells to click
    amounts : what each cell of ``cells`` receives (the amount question)
    size : the expected output size (rows, cols)
    source : the dY cell a backward question sends back (for the pitfalls' hints)
    """

    kind: str
    step: int
    template: str
    fields: Mapping[str, str] = field(default_factory=dict)
    written: str = ""
    value_cell: Cell | None = None
    value: float | None = None
    pick_view: str = ""
    cells: frozenset[Cell] = frozenset()
    amounts: Mapping[Cell, float] = field(default_factory=dict)
    size: tuple[int, int] | None = None
    source: Cell | None = None

    @property
    def text(self) -> str:
        """The question in English."""
        return self.template.format(**self.fields)

    @property
    def asks_value(self) -> bool:
        return self.value is not None

    @property
    def asks_cells(self) -> bool:
        return bool(self.pick_view)

    def expected_text(self) -> str:
        """The exact answer, spelled with :func:`engine.format_number`."""
        parts = []
        if self.size is not None:
            parts.append(f"{self.size[0]}×{self.size[1]}")
        if self.value is not None:
            parts.append(format_number(self.value))
        if self.asks_cells:
            cells = ", ".join(f"[{r}, {c}]" for r, c in sorted(self.cells))
            parts.append(cells or "—")
        return "; ".join(parts)


# Roles of cells outside the input (padding, the overhang past its edge, dilation gaps): a
# window's frame there does not name a cell the student can click.
OUTSIDE_ROLES = frozenset(("padding", "overhang", "gap"))


def _names_the_cells(marks: Marks, cells: frozenset[tuple[int, int]]) -> bool:
    """Whether ``marks`` frame exactly ``cells`` (and maybe cells outside the input): a view
    drawn so gives away which cells a question asks to click."""
    if not cells:
        return False
    framed = {pos for pos, roles in marks.as_dict().items() if set(roles) - OUTSIDE_ROLES}
    return framed == set(cells)


def _no_winner(roles: frozenset[str]) -> frozenset[str]:
    """A cell's roles without ``winner`` (a winner gives an asked maximum away)."""
    return roles - {"winner"}


def _cell_name(symbol: str, cell: Cell) -> str:
    return f"{symbol}[{cell[0]}, {cell[1]}]"


def _symbol(doc: Document, name: str) -> str:
    return doc.spec.tensor(name).symbol if doc.spec.has_tensor(name) else name


def _with_role(hl: Highlight, view: str, roles: Collection[str]) -> list[Cell]:
    """The cells of ``view`` with any of ``roles``, sorted (from the marks' arrays: a global
    pooling's window is one rectangle of 262,144 cells, never a dict of them)."""
    rows, cols = hl.of(view).cells_with(roles)
    order = np.lexsort((cols, rows))
    return list(zip(rows[order].tolist(), cols[order].tolist(), strict=True))


def _contributions(results: Results, doc: Document, view: str, index: int) -> dict[Cell, float]:
    """What window ``index`` adds to each cell of ``view``'s shown plane: the trace's own
    accumulation data for one window (what the view adds when it steps on); for dX, summed
    over every output channel feeding it (:meth:`Results.feeding_traces`)."""
    traces = results.feeding_traces() if view == "grad_input" else [results.trace]
    channel = trace_channel(doc)
    out: dict[Cell, float] = {}
    for trace in traces:
        acc = trace.accumulation(view)
        if acc is None:
            return {}
        oh, ow = np.divmod(np.array([index]), acc.out_size[1])
        flat, amounts = acc.contributions(oh, ow)
        where = np.unravel_index(np.asarray(flat, dtype=np.int64), acc.shape)
        if len(acc.shape) == 3:
            rows, cols, chans = where[1], where[2], where[0]
        else:
            rows, cols, chans = where[-2], where[-1], np.zeros(len(flat), dtype=np.int64)
        amounts = np.asarray(amounts, float)
        mine = np.asarray(chans) == channel
        rows, cols, amounts = np.asarray(rows)[mine], np.asarray(cols)[mine], amounts[mine]
        if len(traces) == 1:
            # One trace: its sums by cell at once (np.bincount adds in the given order, as
            # the loop below does), then one dict of plain numbers.
            width = int(acc.shape[-1])
            found = np.unique(rows * width + cols, return_inverse=True)
            keys, inverse = found[0], np.asarray(found[1]).ravel()
            sums = np.bincount(inverse, weights=amounts, minlength=len(keys))
            r, c = np.divmod(keys, width)
            return dict(zip(zip(r.tolist(), c.tolist(), strict=True), sums.tolist(), strict=True))
        for r, col, amount in zip(rows.tolist(), cols.tolist(), amounts.tolist(), strict=True):
            out[(r, col)] = out.get((r, col), 0.0) + amount
    return out


def value_fields(text: str, value: float, target: str) -> dict[str, str] | None:
    """The fields of :data:`ASK_VALUE` from a step's arithmetic ``text``: the expression
    before its result (``max(3, 12, 8, 5)`` of ``max(3, 12, 8, 5) = 12``) and a remark after
    it (``(flipped W over the canvas …)``) unless that names the result.  None: the first
    line of ``text`` does not give the result as ``… = value``."""
    first = text.split("\n")[0]
    result = format_number(value)
    tail = f" = {result}"
    at = first.rfind(tail)
    rest = first[at + len(tail) :] if at > 0 else ""
    if at <= 0 or (rest and not rest.startswith(" ")):
        return None
    expression = first[:at].removeprefix(f"{target} = ")
    if not expression or result in rest:
        rest = ""
    return {"target": target, "expression": expression, "rest": rest}


def _value_question(
    kind: str, step: int, written: str, cell: Cell, value: float, symbol: str, text: str
) -> Question:
    target = _cell_name(symbol, cell)
    fields = value_fields(text, value, target)
    if fields is None:
        return Question(kind, step, ASK_VALUE_PLAIN, {"target": target}, written, cell, value)
    return Question(kind, step, ASK_VALUE, fields, written, cell, value)


def step_question(
    doc: Document, results: Results, cursor: StepCursor, kinds: Collection[str]
) -> Question | None:
    """The question of the cursor's step, or None when no enabled kind applies to it."""
    hl = highlight(doc, results, cursor)
    step = hl.step
    index = cursor.window_index
    text = step.template.format(**step.fields)
    if cursor.phase == "forward":
        return _forward_question(doc, results, cursor, hl, text, kinds)
    if "cells" not in kinds:
        return None
    grad_input = _symbol(doc, "grad_input")
    targets = _with_role(hl, "grad_input", ("target",))
    amounts = _contributions(results, doc, "grad_input", index)
    sources = _with_role(hl, "grad_output", ("source",))
    if not sources and len(targets) == 1:
        # The step gathers a window of dY into one dX cell: its value is asked.
        cell = targets[0]
        return _value_question(
            "cells", cursor.step, "grad_input", cell, amounts.get(cell, 0.0), grad_input, text
        )
    expected = {cell: amounts.get(cell, 0.0) for cell in targets}
    source = ""
    if sources:
        dy = results.grad_output[doc.plane]
        cell = sources[0]
        source = f"{_cell_name(_symbol(doc, 'grad_output'), cell)} = {format_number(dy[cell])}"
    shares = set(expected.values())
    uniform = len(shares) == 1
    template = ASK_CELLS_AMOUNT if uniform else ASK_CELLS
    return Question(
        "cells",
        cursor.step,
        template,
        {"view": grad_input, "source": source},
        written="grad_input",
        value=next(iter(shares)) if uniform else None,
        pick_view="grad_input",
        cells=frozenset(targets),
        amounts=expected,
        source=sources[0] if sources else None,
    )


def _forward_question(
    doc: Document,
    results: Results,
    cursor: StepCursor,
    hl: Highlight,
    text: str,
    kinds: Collection[str],
) -> Question | None:
    out_symbol = _symbol(doc, "output")
    read_one = []
    for view in hl.cells:
        if view not in ("output", "mask"):
            rows, cols = hl.of(view).cells_with(("source",))
            read_one += [(view, (r, c)) for r, c in zip(rows.tolist(), cols.tolist(), strict=True)]
    if read_one:
        # One cell is read and written somewhere: where does it go?
        if "value" not in kinds:
            return None
        view, pos = read_one[0]
        written = _with_role(hl, "output", ("result", "window"))
        fields = {"view": out_symbol, "source": _cell_name(_symbol(doc, view), pos)}
        return Question(
            "value",
            cursor.step,
            ASK_REACH,
            fields,
            written="output",
            pick_view="output",
            cells=frozenset(written),
        )
    results_cells = _with_role(hl, "output", ("result",))
    winners = _with_role(hl, "input", ("winner",))
    argmax = "argmax" in kinds and doc.spec.torch_indices and bool(winners)
    in_symbol = _symbol(doc, "input")
    if "value" in kinds and len(results_cells) == 1:
        cell = results_cells[0]
        value = float(results.trace.output_after(cursor.window_index)[cell])
        question = _value_question("value", cursor.step, "output", cell, value, out_symbol, text)
        if argmax:
            fields = dict(question.fields, view=in_symbol)
            template = ASK_VALUE_ARGMAX if question.template == ASK_VALUE else question.template
            question = replace(question, template=template, fields=fields, pick_view="input")
            question = replace(question, cells=frozenset(winners))
        return question
    if argmax:
        return Question(
            "argmax",
            cursor.step,
            ASK_ARGMAX,
            {"view": in_symbol},
            written="output",
            value_cell=results_cells[0] if len(results_cells) == 1 else None,
            pick_view="input",
            cells=frozenset(winners),
        )
    return None


def size_question(results: Results) -> Question:
    """What is the output size? (asked when a parameter changes)."""
    rows, cols = (int(n) for n in results.output.shape[-2:])
    return Question("size", -1, ASK_SIZE, size=(rows, cols))


# ---- answers ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """How an answer was marked.

    Attributes
    ----------
    right : the whole answer is right
    scored : it was an answer (Enter), not a reveal: it counts in the score
    problem : a template saying why the typed text could not be read (the answer is then
        not marked; ``problem_fields`` fill it)
    value_right : the typed value or size was right (None: not asked)
    right_cells, wrong_cells, missed_cells : the clicked cells that are right, the clicked
        ones that are wrong and the ones not clicked that should have been
    hint : key of the pitfall (``engine.pitfalls``) the wrong value matches, if any
    picks : the cells that were clicked
    """

    right: bool
    scored: bool = True
    problem: str = ""
    problem_fields: Mapping[str, str] = field(default_factory=dict)
    value_right: bool | None = None
    right_cells: frozenset[Cell] = frozenset()
    wrong_cells: frozenset[Cell] = frozenset()
    missed_cells: frozenset[Cell] = frozenset()
    hint: str = ""
    picks: frozenset[Cell] = frozenset()


def check(question: Question, text: str, picks: Collection[Cell] = ()) -> Verdict:
    """Mark a typed ``text`` and clicked ``picks`` against ``question``.

    A question of a value wants the value typed; one of cells wants the cells clicked (and,
    when every cell gets the same amount, that amount typed); the size wants ``rows × cols``.
    Text that cannot be read gives a verdict with a ``problem`` (not marked, not scored).
    """
    picked = frozenset(picks)
    value_right: bool | None = None
    if question.size is not None:
        try:
            size = parse_size(text)
        except ValueError:
            return Verdict(False, False, NOT_A_SIZE, {"text": text.strip()})
        value_right = size == question.size
    elif question.value is not None:
        if not text.strip():
            if not question.asks_cells or question.value_cell is not None:
                return Verdict(False, False, NOT_A_NUMBER, {"text": ""})
            return Verdict(False, False, NO_AMOUNT)
        try:
            value_right = values_match(parse_value(text), question.value)
        except ValueError:
            return Verdict(False, False, NOT_A_NUMBER, {"text": text.strip()})
    cells_right = True
    right = wrong = missed = frozenset[Cell]()
    if question.asks_cells:
        right = picked & question.cells
        wrong = picked - question.cells
        missed = question.cells - picked
        cells_right = not wrong and not missed
    ok = cells_right and value_right is not False
    return Verdict(ok, True, "", {}, value_right, right, wrong, missed, "", picked)


def reveal_marks(question: Question, picks: Collection[Cell]) -> Verdict:
    """The marks a reveal shows (not scored): the clicked cells right or wrong, the missed."""
    picked = frozenset(picks)
    if not question.asks_cells:
        return Verdict(False, scored=False)
    right, wrong = picked & question.cells, picked - question.cells
    missed = question.cells - picked
    return Verdict(not wrong and not missed, False, "", {}, None, right, wrong, missed, "", picked)


PitfallResults = Callable[..., Mapping[str, tuple[np.ndarray, np.ndarray]]]


def pitfall_hint(
    question: Question, text: str, wrong_results: PitfallResults, picks: Collection[Cell] = ()
) -> str:
    """The key of the pitfall whose wrong result is the answer given, or ``""``.

    ``wrong_results(result, source=None)`` gives ``{key: (correct, wrong)}`` matrices of the
    shown plane for the operation's pitfalls of ``result`` (``output`` or ``grad_input``;
    with a dY ``source`` cell, of that window's gradient alone).  It is called only when there
    is something to match.  A value or a size matches a wrong output; clicked dX cells match
    the cells a wrong backward sends that window's gradient to.
    """
    if question.pick_view == "grad_input" and question.source is not None:
        picked = frozenset(picks)
        for key, (correct, wrong) in wrong_results("grad_input", question.source).items():
            if wrong.shape != correct.shape:
                continue
            gets = frozenset((int(r), int(c)) for r, c in zip(*np.nonzero(wrong), strict=True))
            should = frozenset((int(r), int(c)) for r, c in zip(*np.nonzero(correct), strict=True))
            if gets and gets != should and picked == gets:
                return key
        return ""
    if question.size is not None:
        try:
            size = parse_size(text)
        except ValueError:
            return ""
        for key, (correct, wrong) in wrong_results("output").items():
            if wrong.shape != correct.shape and tuple(wrong.shape[-2:]) == size:
                return key
        return ""
    if question.value is None or question.value_cell is None or question.written != "output":
        return ""
    try:
        typed = parse_value(text)
    except ValueError:
        return ""
    r, c = question.value_cell
    for key, (correct, wrong) in wrong_results("output").items():
        if r < wrong.shape[0] and c < wrong.shape[1] and r < correct.shape[0]:
            if c < correct.shape[1] and values_match(typed, float(wrong[r, c])):
                if not values_match(float(wrong[r, c]), float(correct[r, c])):
                    return key
    return ""


# ---- the score ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Score:
    """Right answers out of the answers given this session."""

    right: int = 0
    asked: int = 0

    def add(self, right: bool) -> Score:
        return Score(self.right + int(right), self.asked + 1)


# ---- the quiz -----------------------------------------------------------------------------------
Setup = tuple[Any, ...]


def setup_of(doc: Document) -> Setup:
    """What decides the output size: operation, parameters, input and weight shapes."""
    spec = doc.spec
    params = tuple((p.name, doc.params[p.name]) for p in spec.params)
    weight = doc.weight.shape if spec.has_weight else None
    return (spec.key, params, doc.x.shape, weight)


class Quiz:
    """Quiz mode's state: on or off, the kinds asked, the open question, picks and score.

    The owner calls :meth:`sync` after every change of the document or the step (before the
    views redraw); the views then ask :meth:`hides`, :meth:`asked_cell` and
    :meth:`filter_highlight` what to hide.
    """

    def __init__(self) -> None:
        self.on = False
        # The argmax question is off at first: with it every max step asks for a click too.
        self.kinds: set[str] = {"value", "cells", "size"}
        self.question: Question | None = None
        self.revealed = False
        self.verdict: Verdict | None = None
        self.picks: set[Cell] = set()
        self.score = Score()
        self._setup: Setup | None = None
        self._results: Results | None = None
        self._revealed_steps: set[int] = set()

    # ---- switching ----------------------------------------------------------------------------
    def set_on(self, on: bool) -> None:
        self.on = bool(on)
        self._revealed_steps = set()
        self._setup = None
        self._results = None
        self.question, self.verdict, self.revealed = None, None, False
        self.picks = set()

    def set_kind(self, kind: str, on: bool) -> None:
        if kind not in KINDS:
            raise ValueError(f"quiz kind ({kind!r}) must be one of {', '.join(KINDS)}")
        if on:
            self.kinds.add(kind)
        else:
            self.kinds.discard(kind)

    def reset_score(self) -> None:
        self.score = Score()

    # ---- following the stepping ---------------------------------------------------------------
    def sync(
        self, doc: Document, results: Results, cursor: StepCursor, paused: bool = False
    ) -> None:
        """Make the question of the current step (or of the new output size); ``paused``:
        ask nothing for now (compare mode)."""
        if not self.on or paused:
            self.question, self.verdict, self.revealed = None, None, False
            return
        setup = setup_of(doc)
        if setup != self._setup:
            first = self._setup is None
            self._setup = setup
            self._revealed_steps = set()
            if not first and "size" in self.kinds:
                # The size is asked; the step shown stays as it was (revealed).
                self._revealed_steps = {cursor.step}
                self._ask(size_question(results))
                return
        if self.question is not None and self.question.kind == "size" and not self.revealed:
            if self.question.size == tuple(results.output.shape[-2:]):
                return  # still open: only the step moved
        if (
            self.question is not None
            and self.question.step == cursor.step
            and self.question.kind != "size"
            and results is self._results
        ):
            return  # the same step: keep its question, picks and verdict
        self._results = results
        question = step_question(doc, results, cursor, self.kinds)
        self._ask(question)
        if question is None or cursor.step in self._revealed_steps:
            self.revealed = True

    def _ask(self, question: Question | None) -> None:
        self.question, self.verdict, self.revealed = question, None, False
        self.picks = set()

    # ---- what is hidden -----------------------------------------------------------------------
    @property
    def hiding(self) -> bool:
        """A question is open: its answer is not shown yet."""
        return self.on and self.question is not None and not self.revealed

    @property
    def hiding_size(self) -> bool:
        return self.hiding and self.question is not None and self.question.size is not None

    def hides(self, view: str) -> bool:
        """Whether ``view`` shows the step before (its current change hidden)."""
        if not self.hiding or self.question is None or self.question.size is not None:
            return False
        written = self.question.written
        return view == written or view in HELD_WITH.get(written, ())

    def asked_cell(self, view: str) -> Cell | None:
        """The cell of ``view`` shown as "?" (the asked value)."""
        q = self.question
        if not self.hiding or q is None or q.written != view:
            return None
        return q.value_cell

    def filter_highlight(self, hl: Highlight) -> Highlight:
        """The step's highlight without what gives the answer away, plus the quiz's marks."""
        q = self.question
        if not self.on or q is None:
            return hl
        cells = {view: Marks.of(by) for view, by in hl.cells.items()}
        if self.hiding and q.size is None:
            hidden: dict[str, Marks] = {}
            for view, marks in cells.items():
                if q.pick_view and view != q.pick_view and _names_the_cells(marks, q.cells):
                    # X's window frames the very dX cells a backward convolution or average
                    # step asks to click: none until answered.
                    hidden[view] = Marks()
                elif view == q.written:  # only the asked cell keeps its marks
                    kept = marks.get(q.value_cell) if q.value_cell is not None else None
                    roles = set(kept or ()) - {"winner"}
                    asked = q.value_cell
                    hidden[view] = Marks((), {asked: roles} if roles and asked else {})
                elif view in MARKS_HELD and self.hides(view):
                    hidden[view] = Marks()
                else:
                    hidden[view] = marks.map_roles(_no_winner).without_empty()
            cells = hidden
        if q.pick_view:
            marks = cells.get(q.pick_view, Marks())
            verdict = self.verdict
            if self.revealed and verdict is not None:
                for group, role in (
                    (verdict.right_cells, "quiz_right"),
                    (verdict.wrong_cells, "quiz_wrong"),
                    (verdict.missed_cells, "quiz_missed"),
                ):
                    marks = marks.added(group, role)
            elif self.hiding:
                marks = marks.added(self.picks, "quiz_picked")
            cells[q.pick_view] = marks
        return Highlight(hl.step, cells)

    def prompt(self, arithmetic: str = "") -> tuple[str, Mapping[str, str]] | None:
        """The question (template, fields) the arithmetic line shows instead, while hidden.

        ``arithmetic``: the step's arithmetic in the language shown; a value question then
        quotes it (its fields were made from the English text).
        """
        q = self.question
        if not self.hiding or q is None:
            return None
        if arithmetic and q.value is not None and "expression" in q.fields:
            fields = value_fields(arithmetic, q.value, q.fields["target"])
            if fields is not None:
                return q.template, {**q.fields, **fields}
        return q.template, q.fields

    # ---- answering ----------------------------------------------------------------------------
    def toggle_pick(self, view: str, cell: Cell) -> bool:
        """Click a cell of ``view`` (on again: off); False if no open question takes it."""
        q = self.question
        if not self.hiding or q is None or q.pick_view != view:
            return False
        self.picks.symmetric_difference_update({cell})
        return True

    def answer(self, text: str) -> Verdict | None:
        """Mark the typed ``text`` and the picks; a readable answer counts and reveals."""
        q = self.question
        if not self.hiding or q is None:
            return None
        verdict = check(q, text, self.picks)
        if verdict.problem:
            self.verdict = verdict
            return verdict
        self.score = self.score.add(verdict.right)
        self._reveal(verdict)
        return verdict

    def reveal(self) -> bool:
        """Show the answer (the lecturer's clicker); False if nothing was hidden."""
        if not self.hiding or self.question is None:
            return False
        self._reveal(reveal_marks(self.question, self.picks))
        return True

    def _reveal(self, verdict: Verdict) -> None:
        self.verdict = verdict
        self.revealed = True
        if self.question is not None and self.question.step >= 0:
            self._revealed_steps.add(self.question.step)

    def with_hint(self, key: str) -> None:
        """Attach the pitfall ``key`` to the last verdict."""
        if self.verdict is not None:
            self.verdict = replace(self.verdict, hint=key)


def plane_before(doc: Document, results: Results, cursor: StepCursor, view: str) -> np.ndarray:
    """``view``'s shown plane as it was before the cursor's step (what a hidden step shows):
    the trace's accumulations one window earlier."""
    trace = results.trace
    before = cursor.window_index - 1
    if view == "output":
        return trace.output_after(before)
    if view == "mask":
        return trace.mask_counts_after(before)
    if view == "grad_input":
        return results.grad_input_after(before)[trace_channel(doc)]
    raise ValueError(f"view ({view!r}) must be output, mask or grad_input")


def weight_before(
    doc: Document, results: Results, cursor: StepCursor
) -> tuple[np.ndarray, float | None] | None:
    """dW of the shown kernel slice and db as they were before the cursor's step (what a
    hidden backward step shows, see :data:`HELD_WITH`); None without a weight."""
    gw, gb = results.trace.grad_weight_after(cursor.window_index - 1)
    if gw is None:
        return None
    return gw[doc.in_channel], gb

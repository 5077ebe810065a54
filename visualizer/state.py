"""The one object that owns the app's data and is the only caller of the engine.

Widgets call the setters and listen to the signals; they never talk to each other.  Every
setter validates through the engine: on ``ValueError`` the old state stays, ``error`` keeps the
exception (usually an ``engine.errors.ParameterError``, translated when shown) and ``sigError``
carries its English message.  A change recomputes once; stepping only moves the step index.
"""

from __future__ import annotations

import dataclasses
import math
import weakref
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from engine.cells import Marks
from engine.errors import ParameterError
from engine.ops import OPS, OpSpec, Params, get_op
from engine.ops.budget import check_work
from engine.trace import update_lines
from visualizer import limits
from visualizer.data import PATTERNS, RandomSpec, fill_pattern, resized
from visualizer.i18n import tr, translate_message
from visualizer.limits import EDIT_MAX_SIDE, LARGE_SIDE
from visualizer.model import Document, Results, StepCursor, compute, default_params, present
from visualizer.model import compare as comparing
from visualizer.model.document import CompareSetup
from visualizer.model.present import INPUT, INSERTED, OVERHANG, PADDING, PLANES_MAX, Cell, Highlight
from visualizer.model.quiz import Quiz, Verdict, pitfall_hint, plane_before, weight_before
from visualizer.model.stack import StackDoc
from visualizer.schema import param_specs
from visualizer.stack_state import StackState

if TYPE_CHECKING:
    from visualizer import verify

Snapshot = Document  # what undo restores and a session stores

__all__ = [
    "DEFAULT_INPUT",
    "INPUT",
    "INSERTED",
    "OPS",
    "OVERHANG",
    "PADDING",
    "AppState",
    "Highlight",
    "Label",
    "Params",
    "Results",
    "Snapshot",
]

# Templates of the setters' own checks; like the engine's, they are kept in ``error`` as a
# ParameterError and translated when shown (visualizer.i18n.translate_message).
INPUT_SIZE_RULE = QT_TR_NOOP(
    "input size ({rows}x{cols}) must be between 1 and {limit} per side "
    "(load an image for larger inputs)"
)
SHAPE_RULE = QT_TR_NOOP("batch ({batch}) and channels ({channels}) must be at least 1")
OUT_CHANNELS_RULE = QT_TR_NOOP("output channels ({channels}) must be at least 1")
DY_MODE_RULE = QT_TR_NOOP("dY fill ({mode}) must be 'ones' or 'random'")

# An undo label: a text, or a function giving it in the current language (the Edit menu
# names the last edit, and says it again in the other language after a switch).
Label = str | Callable[[], str]


def label_text(label: Label) -> str:
    return label if isinstance(label, str) else label()


def _pattern(key: str) -> str:
    """A fill pattern's name, in the current language."""
    return tr(PATTERNS[key]) if key in PATTERNS else key


DEFAULT_INPUT = [
    [3, 12, 7, 1, 15, 4, 9, 2],
    [8, 5, 19, 11, 6, 14, 0, 17],
    [13, 2, 4, 16, 10, 3, 18, 7],
    [1, 20, 9, 6, 8, 12, 5, 11],
    [14, 7, 0, 13, 2, 19, 6, 4],
    [6, 10, 15, 3, 17, 1, 12, 9],
    [18, 4, 11, 8, 5, 16, 3, 13],
    [2, 9, 6, 20, 14, 7, 10, 1],
]


class _EditCommand(QUndoCommand):
    """One undoable edit: the state before and after it."""

    def __init__(self, state: AppState, before: Snapshot, after: Snapshot, label: Label) -> None:
        super().__init__(label_text(label))
        # A weak reference: the state owns its undo stack, which owns this command; a strong one
        # would make a cycle that Python's garbage collector breaks in an order that lets Qt
        # delete the commands under their wrappers (a segfault during collection).
        self._state_ref = weakref.ref(state)
        self._before, self._after = before, after
        self._label = label
        self._done = True  # pushed after the edit already happened

    @property
    def _state(self) -> AppState:
        state = self._state_ref()
        assert state is not None, "the state of an undo command is gone"
        return state

    def retranslate(self) -> None:
        self.setText(label_text(self._label))

    def arrays(self) -> list[np.ndarray]:
        """The arrays this entry holds (before and after the edit; shared ones once)."""
        return _distinct_arrays((self._before, self._after))

    @property
    def nbytes(self) -> int:
        """Memory of the arrays this entry holds, each counted once."""
        return sum(a.nbytes for a in self.arrays())

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._state.restore(self._after)

    def undo(self) -> None:
        self._state.restore(self._before)


class AppState(QObject):
    """Input, kernel, upstream gradient, parameters, step and the latest results."""

    sigDataChanged = Signal()  # matrices, op or parameters changed (controls resync)
    sigResultsChanged = Signal()  # new results: views redraw values and colour levels
    sigStepChanged = Signal(int)  # step moved: highlights and partial views redraw
    sigHoverChanged = Signal()
    sigError = Signal(str)  # the English message of ``error``; "" clears it
    sigQuizChanged = Signal()  # quiz mode on/off, its question, answer or score changed

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.op = next(iter(OPS))
        self.params = default_params()
        self.x = self._default_input()
        self.weight = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
        self.dy_mode = "ones"
        self.dy_seed = 0
        self.grad_output = np.ones((1, 1, 4, 4))
        self.plane = (0, 0)  # (n, c) shown; c is the output channel for ops with a weight
        self.in_channel = 0  # which input channel's kernel slice is shown
        # Input planes shown side by side at most: PLANES_MAX, fewer where the views' room
        # asks for it (set_planes_most).
        self.planes_most = PLANES_MAX
        self.cursor = StepCursor()  # in compare mode: over the positions every setting shares
        self.compare: CompareSetup | None = None
        self.comparison: comparing.Comparison | None = None  # compare mode's panels
        self._lead: comparing.Panel | None = None  # this document's own results, as a panel
        self.stack: StackDoc | None = None  # the layer stack (visualizer/stack_state.py)
        self.stack_state = StackState(self)
        self.hover: tuple[str, int, int] | None = None
        # Why the last change was refused (None: it was not); widgets show it translated.
        self.error: ValueError | None = None
        self.rejected: Params | None = None  # parameters the engine refused, for the formula
        self.undo_stack = QUndoStack(self)
        # Bounded by memory (limits.UNDO_MAX_BYTES, see _trim_undo) and by a number of entries.
        self.undo_stack.setUndoLimit(limits.UNDO_MAX_ENTRIES)
        self._restoring = False
        self.quiz = Quiz()  # quiz mode (visualizer.model.quiz): what the views hide
        # The current step's highlights (see highlight): (results, (phase, window), by channel).
        self._highlights: tuple[object, object, dict[tuple[int, int | None], Highlight]] = (
            None,
            None,
            {},
        )
        # Input canvases of the current input (see input_canvas): (x, key, canvas), newest first.
        self._canvases: list[tuple[np.ndarray, object, tuple[np.ndarray, np.ndarray, Cell]]] = []
        self.results: Results = compute(self.snapshot())
        self.cursor.resize(len(self.results.trace))

    @staticmethod
    def _default_input() -> np.ndarray:
        # The classic 8×8 integer example, fixed so every lecture starts from the same numbers.
        return np.array(DEFAULT_INPUT, dtype=float)[None, None]

    @property
    def spec(self) -> OpSpec:
        """The current operation's spec."""
        return get_op(self.op)

    @property
    def step(self) -> int:
        return self.cursor.step

    def _apply(self, label: Label | None, *, strict_grad: bool = False, **changes: object) -> bool:
        """Recompute with ``changes`` applied; commit them only if the engine accepts them.

        A committed change with a ``label`` becomes one step on the undo stack.  With
        ``strict_grad`` a given ``grad_output`` that does not fit the output is refused
        instead of refilled (see :func:`visualizer.model.compute.fit_grad`).
        """
        before = self.snapshot()
        values = {name: changes.get(name, getattr(before, name)) for name in _DOC_FIELDS}
        doc = Document(**values)  # type: ignore[arg-type]
        try:
            doc = Document(**{**values, "plane": self._clamp_plane(doc)})  # type: ignore[arg-type]
            # A stack edit alone does not recompute the operation.
            same = all(_unchanged(getattr(doc, n), getattr(before, n)) for n in _DOC_FIELDS[:-1])
            results = self.results if same else compute(doc, strict_grad)
            comparison = self.comparison if same else comparing.compute_comparison(doc)
            stack_results = self.stack_state.prepare(doc)
        except ValueError as exc:
            self.rejected = doc.params if "params" in changes else None
            self._set_error(exc)
            self.sigDataChanged.emit()  # controls snap back to the last valid values
            if "stack" in changes:
                self.stack_state.refused()
            return False
        was_open = self.stack is not None and self.stack.open
        for name in _DOC_FIELDS:
            setattr(self, name, getattr(doc, name))
        self.grad_output = results.grad_output
        self.rejected = None
        self.results = results
        self.comparison = comparison
        self._lead = None if comparison is None else comparing.Panel(doc, results, "")
        self.cursor.resize(len(results.trace) if comparison is None else comparison.n_windows)
        self._sync_quiz()
        self._set_error(None)
        if not same:
            self.sigDataChanged.emit()
            self.sigResultsChanged.emit()
            self.sigStepChanged.emit(self.step)
        self.stack_state.commit(stack_results, was_open)
        if label and not self._restoring:
            self.undo_stack.push(_EditCommand(self, before, self.snapshot(), label))
            self._trim_undo()
        return True

    def undo_bytes(self) -> int:
        """Memory of the arrays the undo history holds, each array counted once."""
        stack = self.undo_stack
        docs = []
        for i in range(stack.count()):
            command = stack.command(i)
            if isinstance(command, _EditCommand):
                docs += [command._before, command._after]
        return sum(a.nbytes for a in _distinct_arrays(docs))

    def _trim_undo(self) -> None:
        """Drop the oldest undo entries while the history holds more than
        :data:`visualizer.limits.UNDO_MAX_BYTES` of arrays; the newest entry always stays.

        QUndoStack cannot drop its oldest entries, so the kept ones are pushed again onto a
        cleared stack (called right after a push: every entry is done, none undone).
        """
        stack = self.undo_stack
        if self.undo_bytes() <= limits.UNDO_MAX_BYTES or stack.count() <= 1:
            return
        commands = [stack.command(i) for i in range(stack.count())]
        kept = [c for c in commands if isinstance(c, _EditCommand)]
        while len(kept) > 1:
            kept = kept[1:]
            docs = [d for c in kept for d in (c._before, c._after)]
            if sum(a.nbytes for a in _distinct_arrays(docs)) <= limits.UNDO_MAX_BYTES:
                break
        entries = [(c._before, c._after, c._label) for c in kept]
        del commands, kept
        stack.clear()
        for before, after, label in entries:
            stack.push(_EditCommand(self, before, after, label))

    def snapshot(self) -> Document:
        return Document(**{name: getattr(self, name) for name in _DOC_FIELDS})

    def restore(
        self, snap: Document, label: Label | None = None, strict_grad: bool = False
    ) -> bool:
        """Return to ``snap`` (validated like any edit); with a ``label`` it can be undone.

        ``strict_grad``: ``snap``'s dY is the user's (a session file's): refused, not refilled,
        when it does not fit the output.
        """
        self._restoring = label is None
        try:
            fields = {name: getattr(snap, name) for name in _DOC_FIELDS}
            return self._apply(label, strict_grad=strict_grad, **fields)
        finally:
            self._restoring = False

    @property
    def view_cursor(self) -> StepCursor:
        """The step in this document's own results (in compare mode: the window at the shared
        position, or the last one before it)."""
        if self.comparison is None or self._lead is None:
            return self.cursor
        position = self.comparison.position(self.cursor.window_index)
        n = len(self.results.trace)
        index = max(0, self._lead.window_before(position))
        return StepCursor(n, index + (n if self.cursor.phase == "backward" else 0))

    @staticmethod
    def _clamp_plane(doc: Document) -> tuple[int, int]:
        return (min(doc.plane[0], doc.x.shape[0] - 1), min(doc.plane[1], doc.out_channels - 1))

    def _set_error(self, error: ValueError | None) -> None:
        """Keep ``error`` (None clears it) and tell the widgets when its message changes."""
        old = "" if self.error is None else str(self.error)
        if ("" if error is None else str(error)) != old:
            self.report_error(error)

    def report_error(self, error: ValueError | None) -> None:
        """Keep and announce ``error``, e.g. an image that could not be read, like a refusal."""
        # Without its traceback: a kept traceback would keep the refused arrays alive.
        self.error = None if error is None else error.with_traceback(None)
        self.sigError.emit("" if error is None else str(error))

    # ---- setters ------------------------------------------------------------------------------
    def set_op(self, op: str) -> bool:
        """Switch to operation ``op`` (its PyTorch name or its short alias)."""
        try:
            spec = get_op(op)
        except ValueError as exc:
            self._set_error(exc)
            return False
        if spec.key == self.op:
            return True
        params = spec.switch_params(self.params)
        changes: dict[str, object] = {"op": spec.key, "params": params}
        weight = self.weight
        if spec.has_weight:
            weight = self._weight_with_size(params["kernel_size"])
        # Operations without a weight keep it in conv2d's layout (C_out, C_in, kH, kW); the
        # same kernels change layout for conv_transpose2d's (C_in, C_out, kH, kW).
        before = self.spec.weight_in_axis if self.spec.has_weight else 1
        after = spec.weight_in_axis if spec.has_weight else 1
        if before != after:
            weight = weight.swapaxes(0, 1).copy()
        if weight is not self.weight:
            changes["weight"] = weight
        return self._apply(self._switch_label(spec), **changes)

    @staticmethod
    def _switch_label(spec: OpSpec) -> Label:
        return lambda: tr("Switch to {operation}").format(operation=tr(spec.label))

    def set_params(self, **changes: object) -> bool:
        """Change parameters by their torch names; pairs may be given as ints."""
        spec = self.spec
        fields = {}
        for key, value in changes.items():
            # A value the shown operation does not use is kept for those that do (in its form).
            param = spec.param(key) if spec.has_param(key) else param_specs().get(key)
            if param is not None and param.kind == "pair" and isinstance(value, int):
                value = (value, value)
            fields[key] = value
        params = self.params.replace(**fields)
        if spec.has_weight and params["kernel_size"] != self.params["kernel_size"]:
            try:
                kernel = spec.param("kernel_size").coerce(params["kernel_size"])
            except ValueError as exc:
                self.rejected = params
                self._set_error(exc)
                self.sigDataChanged.emit()
                return False
            weight = self._weight_with_size(kernel)
            return self._apply(lambda: tr("Change kernel size"), params=params, weight=weight)
        names = ", ".join(changes)  # parameter names, as in code: not translated
        return self._apply(lambda: tr("Change {names}").format(names=names), params=params)

    def _weight_with_size(self, kernel: tuple[int, int]) -> np.ndarray:
        if self.weight.shape[2:] == tuple(kernel):
            return self.weight
        return resized(self.weight, *kernel)

    def set_input(self, x: np.ndarray) -> bool:
        """Replace the input; (H, W), (C, H, W) or (N, C, H, W)."""
        arr = np.asarray(x, dtype=float)
        arr = arr.reshape((1,) * (4 - arr.ndim) + arr.shape) if arr.ndim < 4 else arr
        changes: dict[str, object] = {"x": arr}
        if self.spec.has_weight and self.weight.shape[self.spec.weight_in_axis] != arr.shape[1]:
            changes["weight"] = self._weight_for_channels(arr.shape[1])
        return self._apply(lambda: tr("Replace input"), **changes)

    def _weight_for_channels(self, c_in: int) -> np.ndarray:
        axis = self.spec.weight_in_axis
        w = np.moveaxis(self.weight, axis, 1)  # input channels on axis 1
        reps = math.ceil(c_in / w.shape[1])
        return np.moveaxis(np.tile(w, (1, reps, 1, 1))[:, :c_in], 1, axis)

    def set_input_cell(self, row: int, col: int, value: float, channel: int | None = None) -> bool:
        """Edit a cell of the shown input plane (or of input channel ``channel``)."""
        x = self.x.copy()
        x[self.plane[0], self._in_c if channel is None else channel, row, col] = value
        return self._apply(lambda: tr("Edit X[{row}, {col}]").format(row=row, col=col), x=x)

    @property
    def _in_c(self) -> int:
        return self.snapshot().shown_input_channel

    def resize_input(self, h: int, w: int) -> bool:
        # A side may stay above the editing limit (a loaded image) but never grow past it.
        cur_h, cur_w = self.x.shape[2:]
        if not (1 <= h <= max(EDIT_MAX_SIDE, cur_h) and 1 <= w <= max(EDIT_MAX_SIDE, cur_w)):
            self._set_error(ParameterError(INPUT_SIZE_RULE, rows=h, cols=w, limit=EDIT_MAX_SIDE))
            self.sigDataChanged.emit()
            return False
        return self._apply(
            lambda: tr("Resize input to {rows}×{cols}").format(rows=h, cols=w),
            x=resized(self.x, h, w),
        )

    def set_shape(self, n: int, c: int) -> bool:
        """Change the batch size and channel count, keeping existing planes."""
        x = self.x
        if n < 1 or c < 1:
            self._set_error(ParameterError(SHAPE_RULE, batch=n, channels=c))
            return False
        # The work budget before the new planes are made (a 1024×1024 image with batch 64 ×
        # channels 64 would be 32 GB): over it, nothing is allocated and nothing changes.
        w_shape = None
        if self.spec.has_weight:
            w_list = list(self.weight.shape)
            w_list[self.spec.weight_in_axis] = c
            w_shape = tuple(w_list)
        try:
            check_work(
                self.spec,
                (n, c, *x.shape[2:]),
                w_shape,
                self.params,
                limits.WORK_MAX_BYTES,
                limits.WORK_MAX_TAPS,
            )
        except ValueError as exc:
            self._set_error(exc)
            self.sigDataChanged.emit()  # the boxes snap back
            return False
        new = np.zeros((n, c) + x.shape[2:])
        nn, cc = min(n, x.shape[0]), min(c, x.shape[1])
        new[:nn, :cc] = x[:nn, :cc]
        # New planes get a ramp so they are not silently empty.
        for i in range(n):
            for j in range(c):
                if i >= nn or j >= cc:
                    new[i, j] = fill_pattern("ramp", x.shape[2:]) + 10 * (i * c + j)
        changes: dict[str, object] = {"x": new}
        if self.spec.has_weight:
            changes["weight"] = self._weight_for_channels(c)
        return self._apply(
            lambda: tr("Batch {batch}, channels {channels}").format(batch=n, channels=c), **changes
        )

    def fill_input(self, pattern: str) -> bool:
        x = self.x.copy()
        x[self.plane[0], self._in_c] = fill_pattern(pattern, x.shape[2:])
        return self._apply(
            lambda: tr("Fill input: {pattern}").format(pattern=_pattern(pattern)), x=x
        )

    def randomize_input(self, spec: RandomSpec) -> bool:
        return self._apply(
            lambda: tr("Randomize input (seed {seed})").format(seed=spec.seed),
            x=spec.make(self.x.shape),
        )

    def set_kernel_cell(self, i: int, j: int, value: float, channel: int | None = None) -> bool:
        """Edit a cell of the shown kernel slice (or of input channel ``channel``'s)."""
        w = self.weight.copy()
        c_in = self.in_channel if channel is None else channel
        w[(*self.snapshot().weight_index(self.plane[1], c_in), i, j)] = value
        return self._apply(lambda: tr("Edit W[{row}, {col}]").format(row=i, col=j), weight=w)

    def fill_kernel(self, pattern: str) -> bool:
        w = self.weight.copy()
        w[self.snapshot().weight_index(self.plane[1], self.in_channel)] = fill_pattern(
            pattern, w.shape[2:]
        )
        return self._apply(
            lambda: tr("Fill kernel: {pattern}").format(pattern=_pattern(pattern)), weight=w
        )

    def randomize_kernel(self, spec: RandomSpec) -> bool:
        return self._apply(
            lambda: tr("Randomize kernel (seed {seed})").format(seed=spec.seed),
            weight=spec.make(self.weight.shape),
        )

    def set_out_channels(self, c_out: int) -> bool:
        if c_out < 1:
            self._set_error(ParameterError(OUT_CHANNELS_RULE, channels=c_out))
            return False
        out_axis = 1 - self.spec.weight_in_axis
        old = np.moveaxis(self.weight, out_axis, 0)  # output channels first
        w = np.zeros((c_out,) + old.shape[1:])
        k = min(c_out, old.shape[0])
        w[:k] = old[:k]
        for extra in range(k, c_out):
            w[extra] = fill_pattern("ones", w.shape[1:])
        w = np.moveaxis(w, 0, out_axis)
        return self._apply(
            lambda: tr("{channels} output channels").format(channels=c_out), weight=w
        )

    def set_grad_output_cell(self, row: int, col: int, value: float) -> bool:
        dy = self.grad_output.copy()
        dy[self.plane[0], self.plane[1], row, col] = value
        return self._apply(
            lambda: tr("Edit dY[{row}, {col}]").format(row=row, col=col), grad_output=dy
        )

    def fill_grad_output(self, mode: str, seed: int | None = None) -> bool:
        if mode not in ("ones", "random"):
            self._set_error(ParameterError(DY_MODE_RULE, mode=repr(mode)))
            return False
        return self._apply(
            f"dY = {mode}",  # code, the same in every language
            grad_output=np.zeros(0),  # a shape that never fits: refilled in the new mode
            dy_mode=mode,
            dy_seed=self.dy_seed if seed is None else seed,
        )

    def select_plane(self, n: int, c: int, in_channel: int | None = None) -> bool:
        channel = self.in_channel if in_channel is None else in_channel
        channel = max(0, min(channel, self.x.shape[1] - 1))
        return self._apply(None, plane=(n, c), in_channel=channel)

    @property
    def out_channel(self) -> int:
        """The output channel Y, dY and dW show and the steps run over (``plane[1]``)."""
        return self.plane[1]

    @property
    def out_channel_count(self) -> int:
        """How many output channels there are to choose from: a convolution's output
        channels, pooling's channels (each pooled on its own)."""
        return int(self.results.output.shape[1])

    def select_out_channel(self, o: int) -> bool:
        """Show output channel ``o`` (clamped to the channels there are) and step over its
        output cells; the sample and the input channel stay."""
        o = max(0, min(int(o), self.out_channel_count - 1))
        if o == self.plane[1]:
            return True
        return self.select_plane(self.plane[0], o)

    def cycle_out_channel(self, delta: int) -> bool:
        """The next (``delta`` = 1) or previous (-1) output channel, round after the last
        (a lecture's key: one key walks through every channel)."""
        count = self.out_channel_count
        if count <= 1:
            return False
        return self.select_out_channel((self.plane[1] + delta) % count)

    def channel_blocks(self) -> list[tuple[int, int]]:
        """The blocks of input channels shown in turn, as (first, last) channel: none where
        every input plane the step reads is shown (at most planes_most)."""
        return present.channel_blocks(self.results, self.planes_most)

    @property
    def channel_block(self) -> int:
        """The block of input channels shown (the one holding the chosen input channel)."""
        return self.in_channel // self.planes_most

    def set_planes_most(self, most: int) -> bool:
        """Show at most ``most`` input planes side by side (PLANES_MAX at most): the lecture
        layout's backward phase at 1024×768 shows two, its 17 views of four were heat maps.
        The chosen input channel stays, so the block shown is the one holding it.  Whether
        it changed."""
        most = max(1, min(int(most), PLANES_MAX))
        if most == self.planes_most:
            return False
        self.planes_most = most
        self.sigDataChanged.emit()  # the block selector's entries
        self.sigResultsChanged.emit()
        self.sigStepChanged.emit(self.step)  # the arithmetic of the planes shown
        return True

    def select_channel_block(self, block: int) -> bool:
        """Show block ``block`` of input channels (clamped to the blocks there are), its
        first channel chosen; the sample and the output channel stay."""
        blocks = self.channel_blocks()
        if not blocks:
            return False
        block = max(0, min(int(block), len(blocks) - 1))
        if block == self.channel_block:
            return True
        return self.select_plane(self.plane[0], self.plane[1], in_channel=blocks[block][0])

    def cycle_channel_block(self, delta: int) -> bool:
        """The next (``delta`` = 1) or previous (-1) block of input channels, round after
        the last (a lecture's key, as :meth:`cycle_out_channel`)."""
        count = len(self.channel_blocks())
        if count <= 1:
            return False
        return self.select_channel_block((self.channel_block + delta) % count)

    # ---- stepping (no recomputation) ----------------------------------------------------------
    @property
    def n_windows(self) -> int:
        return self.cursor.n_windows

    @property
    def n_steps(self) -> int:
        return self.cursor.n_steps

    @property
    def phase(self) -> str:
        return self.cursor.phase

    @property
    def window_index(self) -> int:
        """Window of the current step, within its phase."""
        return self.cursor.window_index

    def retranslate(self) -> None:
        """Say the undo history's edits in the current language."""
        stack = self.undo_stack
        for i in range(stack.count()):
            command = stack.command(i)
            if isinstance(command, _EditCommand):
                command.retranslate()

    def set_step(self, step: int) -> None:
        step = self.cursor.clamp(step)
        if step != self.cursor.step:
            self.cursor.step = step
            quiz = self.quiz
            if quiz.on or quiz.question is not None or quiz.verdict is not None or quiz.revealed:
                # Quiz mode off and nothing asked: no question to make, nothing new to show
                # (its panels were refreshed twice per step, and a snapshot made for nothing).
                self._sync_quiz()
            self.sigStepChanged.emit(step)

    @property
    def large_input(self) -> bool:
        """Whether the input is stepped like an image (``limits.LARGE_SIDE``)."""
        return max(self.x.shape[2:]) >= LARGE_SIDE

    def step_next_row(self) -> None:
        """Jump to the first window of the next row of windows, in the current phase."""
        if self.comparison is not None:
            self.set_step(self.comparison.next_row_step(self.cursor))
            return
        self.set_step(present.next_row_step(self.results, self.cursor))

    def advance(self) -> None:
        """Next step; in quiz mode an open question is revealed first (the clicker's key)."""
        if not self.quiz_reveal():
            self.set_step(self.step + 1)

    def set_phase(self, phase: str) -> None:
        self.set_step(self.window_index + (self.n_windows if phase == "backward" else 0))

    def jump_to_output(self, oh: int, ow: int) -> None:
        """Step to output cell (oh, ow) in the current phase."""
        if self.quiz.hiding:
            return  # quiz mode: a click on a cell is an answer, not a jump past the question
        if self.comparison is not None:
            self.jump_to_position(oh, ow)
            return
        index = self.results.trace.step_of_output(oh, ow)
        if index is None:
            return
        base = self.n_windows if self.phase == "backward" else 0
        self.set_step(base + index)

    def jump_to_position(self, row: int, col: int) -> None:
        """Compare mode: step every setting to step position (row, col) in the current phase."""
        if self.comparison is None:
            return
        index = self.comparison.index_of((row, col))
        if index is not None:
            self.set_step(index + (self.n_windows if self.phase == "backward" else 0))

    # ---- compare mode -------------------------------------------------------------------------
    def set_compare(self, setup: CompareSetup | None) -> bool:
        """Enter compare mode with ``setup`` (``None``: leave it); undoable."""
        if setup is not None:
            setup = comparing.canonical(self.snapshot(), setup)
        if setup == self.compare:
            return True
        if setup is None:
            label: Label = lambda: tr("Leave compare mode")  # noqa: E731
        else:
            label = lambda: tr("Compare settings")  # noqa: E731
        return self._apply(label, compare=setup)

    def compare_quick(self) -> list[comparing.Quick]:
        """The one-click comparisons the current operation's parameters offer."""
        return comparing.quick_comparisons(self.snapshot())

    def compare_canvas(self, i: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
        """Compare panel ``i``'s input with its own padding ring (values, kinds, offset)."""
        assert self.comparison is not None
        return comparing.panel_canvas(self.comparison.panels[i])

    def compare_dropped_outlines(self, i: int) -> tuple[present.Outline, ...]:
        """The windows ``ceil_mode`` drops in compare panel ``i``'s setting (see
        :func:`~visualizer.model.present.dropped_outlines`)."""
        assert self.comparison is not None
        return present.dropped_outlines(self.comparison.panels[i].results)

    def compare_frames(
        self, names: Collection[str] = comparing.FRAME_PLANES
    ) -> tuple[list[comparing.PanelFrame], list[dict[str, np.ndarray]]]:
        """Every compare panel at the current step, and per panel the cells of its output,
        dY, mask, dX and dW (those in ``names``: the views shown) whose shown value differs
        from another panel's."""
        assert self.comparison is not None
        frames = [
            comparing.panel_frame(self.comparison, i, self.cursor)
            for i in range(len(self.comparison.panels))
        ]
        return frames, comparing.frame_differences(frames, names)

    def compare_final_grad_weights(self) -> list[np.ndarray]:
        """Every compare panel's whole dW (of the shown kernel slice), for one colour scale."""
        assert self.comparison is not None
        planes = [comparing.final_grad_weight(p) for p in self.comparison.panels]
        return [p for p in planes if p is not None]

    def compare_frame(self, i: int) -> comparing.PanelFrame:
        """What compare panel ``i`` shows at the current step."""
        assert self.comparison is not None
        return comparing.panel_frame(self.comparison, i, self.cursor)

    def compare_hover_cells(self, i: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(input cells, output cells) of compare panel ``i`` linked to the hovered cell: the
        same position in every panel, and what it reads or feeds with that panel's setting."""
        assert self.comparison is not None
        return present.hover_cells(self.comparison.panels[i].results, self.hover)

    def compare_step_text(self, i: int) -> str:
        """Compare panel ``i``'s arithmetic at the current step, in the current language."""
        assert self.comparison is not None
        return translate_message(comparing.step_message(self.comparison, i, self.cursor))

    def compare_lecture_text(self, step: int | None = None) -> str:
        """The step bar's text in compare mode (the lecture layout's, and the normal layout's
        with few settings: see StepBar): each setting's arithmetic at the current step (or at
        ``step``), one line per setting, in the current language."""
        assert self.comparison is not None
        cursor = self.cursor
        if step is not None:
            cursor = StepCursor(cursor.n_windows, cursor.clamp(step))
        lines = comparing.lecture_lines(self.comparison, cursor)
        return "\n".join(translate_message(line) for line in lines)

    def set_hover(self, where: str | None, row: int = 0, col: int = 0) -> None:
        hover = None if where is None else (where, row, col)
        if hover != self.hover:
            self.hover = hover
            self.sigHoverChanged.emit()

    # ---- what the views show (visualizer.model.present) ---------------------------------------
    def _doc(self, channel: int | None) -> Document:
        """The document, looking at input channel ``channel`` (None: the chosen one)."""
        doc = self.snapshot()
        return doc if channel is None else dataclasses.replace(doc, in_channel=channel)

    def shown_channels(self) -> list[int]:
        """The input channels shown side by side (up to planes_most; one for a single plane)."""
        return present.shown_channels(self.snapshot(), self.results, self.planes_most)

    def shown_out_channels(self) -> list[int]:
        """The output channels whose dY and kernel slices are shown: every one a backward
        step's dX terms read (a convolution with several), or the shown plane's."""
        return present.shown_out_channels(self.snapshot(), self.results, self.planes_most)

    def lecture_text_beside(self) -> bool:
        """Whether the lecture layout puts the step counter and the arithmetic beside the
        current phase's matrices (many of them: two rows) rather than below them."""
        names = [t.name for t in self.spec.lecture_tensors(self.phase)]
        planes = len(self.shown_channels())
        return present.lecture_text_beside(present.lecture_matrices(names, planes), planes)

    def input_canvas(
        self, channel: int | None = None
    ) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
        """The shown input plane with its padding ring: (values, kinds, (top, left) offset).

        Made once per input and ring (a parameter change that keeps both, e.g. the kernel of
        a pooling without padding, gets the same arrays: the views then see that X did not
        change); the arrays are read-only.
        """
        doc = self._doc(channel)
        key = present.canvas_key(doc, self.results)
        if key is None:
            return present.input_canvas(doc, self.results)
        for x, known, canvas in self._canvases:
            if x is doc.x and known == key:
                return canvas
        canvas = present.input_canvas(doc, self.results)
        canvas[0].flags.writeable = False
        canvas[1].flags.writeable = False
        # Only the current input's (several channels, rings): a replaced input is let go.
        kept = [entry for entry in self._canvases if entry[0] is doc.x][: 2 * PLANES_MAX - 1]
        self._canvases = [(doc.x, key, canvas), *kept]
        return canvas

    def dropped_outlines(self) -> tuple[present.Outline, ...]:
        """The windows ``ceil_mode`` drops, as the input view outlines them (see
        :func:`~visualizer.model.present.dropped_outlines`)."""
        return present.dropped_outlines(self.results)

    def kernel_plane(
        self, channel: int | None = None, out_channel: int | None = None
    ) -> np.ndarray:
        """The shown kernel slice (flipped while a transposed convolution is shown as a
        convolution: the trace says so); of output channel ``out_channel`` if given."""
        return present.kernel_plane(self._doc(channel), self.results, out_channel)

    def output_plane(self, partial: bool = True) -> np.ndarray:
        """Output of the shown plane; during the forward phase only the windows done so far."""
        if partial and self.quiz.hides("output"):
            return self._before("output")
        return present.output_plane(self.snapshot(), self.results, self.view_cursor, partial)

    def output_pending(self, partial: bool = True) -> np.ndarray | None:
        """Cells of :meth:`output_plane` not computed yet (None: all are)."""
        pending = present.output_pending(self.results, self.view_cursor, partial)
        asked = self.quiz.asked_cell("output") if partial else None
        if pending is not None and asked is not None:
            pending = pending.copy()
            pending[asked] = True  # quiz mode: hidden, so not computed yet as far as shown
        return pending

    def tensor_plane(self, name: str) -> np.ndarray:
        """The shown plane of result tensor ``name`` (e.g. what an operation built from X)."""
        return np.asarray(self.results.arrays[name][self.plane], dtype=float)

    def grad_output_plane(self, out_channel: int | None = None) -> np.ndarray:
        """dY of the shown plane, or of output channel ``out_channel`` of the shown sample."""
        if out_channel is None:
            return self.grad_output[self.plane]
        return self.grad_output[self.plane[0], out_channel]

    def grad_input_plane(self, partial: bool = True, channel: int | None = None) -> np.ndarray:
        """dX of the shown plane, accumulated up to the current backward step."""
        doc = self._doc(channel)
        if partial and self.quiz.hides("grad_input"):
            before = plane_before(doc, self.results, self.view_cursor, "grad_input")
            asked = self.quiz.asked_cell("grad_input") if channel is None else None
            if asked is not None:
                before = before.copy()
                before[asked] = np.nan  # quiz mode: the asked value is not shown ("?")
            return before
        return present.grad_input_plane(doc, self.results, self.view_cursor, partial)

    def grad_input_pending(self, partial: bool = True) -> np.ndarray | None:
        """Cells of :meth:`grad_input_plane` shown blank: quiz mode's asked cell (None: none)."""
        asked = self.quiz.asked_cell("grad_input") if partial else None
        if asked is None:
            return None
        shape = self.results.trace.x.shape[-2:]
        pending = np.zeros(shape, dtype=bool)
        pending[asked] = True
        return pending

    def mask_plane(self, partial: bool = True) -> np.ndarray | None:
        """Windows won per input element (so far, during the forward phase); None without."""
        if partial and self.quiz.hides("mask") and self.results.trace.winners is not None:
            return self._before("mask")
        return present.mask_plane(self.snapshot(), self.results, self.view_cursor, partial)

    def grad_weight_plane(
        self, partial: bool = True, channel: int | None = None
    ) -> tuple[np.ndarray, float | None] | None:
        """dW of the shown kernel slice and db, accumulated so far; None without a weight."""
        doc = self._doc(channel)
        if partial and self.quiz.hides("grad_weight"):
            return weight_before(doc, self.results, self.view_cursor)  # quiz mode: held with dX
        return present.grad_weight_plane(doc, self.results, self.view_cursor, partial)

    def step_text(self, step: int | None = None) -> str:
        """The arithmetic of the current step (or of ``step``), in the current language.

        Forward arithmetic ("max(3, 12, 8, 5) = 12") is the same in any language; backward
        sentences are templates, translated here and filled with the step's numbers, followed
        by the arithmetic of every cell the step adds to (``dX[1, 0]: 0 + 1·2 = 2``), one line
        per gradient.
        """
        if self.comparison is not None:
            row, col = self.comparison.position(self.cursor.window_index)
            return tr(comparing.AT_POSITION).format(row=row, col=col)
        cursor = self.cursor
        if step is not None:
            cursor = StepCursor(cursor.n_windows, cursor.clamp(step))
        if cursor == self.cursor:
            # The shown step: its record is the one the views draw (made once for both).
            record = present.current_step(self.results, cursor)
        else:
            record = present.step_words(self.results, cursor)
        lines = record.lines
        symbol = (
            self.spec.tensor("grad_input").symbol if self.spec.has_tensor("grad_input") else "dX"
        )
        updates = present.summed_updates(self.results, record, symbol)
        # Only a step with updates asks (a snapshot of the document each: a forward step's
        # text is sampled sixteen times after every edit, see StepBar.steady_normal_height).
        shown = self.shown_channels() if updates else []
        if updates and len(shown) < self.results.trace.x.shape[0]:
            # More channels than the views show: the arithmetic of the planes shown.
            lines = update_lines(
                tuple(u for u in updates if u.channel in shown or u.view == "grad_bias")
            )
        elif updates is not record.updates:  # every output channel's terms
            lines = update_lines(updates)
        if updates is not record.updates:
            # Why a dX cell has several terms (the sentence names the shown channel's dY).
            last = len(self.results.feeding_traces()) - 1
            said = tr("dX gets one term per output channel here, o = 0 to {last}")
            lines = (said.format(last=last), *lines)
        text = "\n".join((tr(record.template).format(**record.fields), *lines))
        asked = self.quiz.prompt(text)
        if asked is not None:  # quiz mode: the question instead of the hidden arithmetic
            return tr(asked[0]).format(**asked[1])
        return text

    def highlight(self, channel: int | None = None, out_channel: int | None = None) -> Highlight:
        """Cells to mark for the current step, by view (input coordinates, not canvas ones).

        Made once per step and channel: the views ask for it several times per redraw (cells,
        notes, arrows, hover pairs), and a large window has hundreds of cells.
        """
        doc = self._doc(channel)
        cursor = self.view_cursor
        step = (cursor.phase, cursor.window_index)
        results, at, made = self._highlights
        if results is not self.results or at != step:
            made = {}
            self._highlights = (self.results, step, made)
        key = (present.trace_channel(doc), out_channel)
        found = made.get(key)
        if found is None:
            found = made[key] = present.highlight(doc, self.results, cursor, out_channel)
        return self.quiz.filter_highlight(found)

    def hover_cells(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(input cells, output cells) linked to the hovered cell."""
        return present.hover_cells(self.results, self.hover)

    def hover_marks(self) -> tuple[Marks, Marks]:
        """:meth:`hover_cells` as marks of style ``hover`` (a large window as a rectangle)."""
        return present.hover_marks(self.results, self.hover)

    def paired_cells(self) -> dict[str, list[tuple[int, int]]]:
        """Cells lit by hovering a cell the current step pairs with another view's (a window
        cell and its kernel tap), by view (tensor name)."""
        return present.paired_cells(self.highlight(), self.hover)

    def step_notes(self, channel: int | None = None) -> dict[str, dict[tuple[int, int], str]]:
        """Numbers printed small inside the current step's cells (a window cell's weight)."""
        return present.notes(self.highlight(channel))

    def step_arrows(self) -> list[present.Arrow]:
        """Arrows of the current step: window → output cell, or dY cell → gradient cells."""
        if self.quiz.hiding_size:
            return []  # quiz mode: they would point into the covered output
        inputs = tuple(t.name for t in self.spec.tensors if t.role == "input")
        return present.arrows(self.highlight(), inputs)

    # ---- quiz mode (visualizer.model.quiz) -----------------------------------------------------
    @property
    def _quiz_paused(self) -> bool:
        """Compare mode and the layer stack step other things: no questions meanwhile."""
        return self.comparison is not None or (self.stack is not None and self.stack.open)

    def _sync_quiz(self) -> None:
        self.quiz.sync(self.snapshot(), self.results, self.view_cursor, self._quiz_paused)
        self.sigQuizChanged.emit()

    def _before(self, view: str) -> np.ndarray:
        return plane_before(self.snapshot(), self.results, self.view_cursor, view)

    def _quiz_redraw(self) -> None:
        self.sigQuizChanged.emit()
        self.sigStepChanged.emit(self.step)  # the views show what is hidden or revealed now

    def set_quiz(self, on: bool) -> None:
        """Quiz mode on or off: the current step's result is hidden until revealed."""
        if bool(on) == self.quiz.on:
            return
        self.quiz.set_on(on)
        self.quiz.sync(self.snapshot(), self.results, self.view_cursor, self._quiz_paused)
        self._quiz_redraw()

    def set_quiz_kind(self, kind: str, on: bool) -> None:
        """Ask questions of ``kind`` (visualizer.model.quiz.KINDS) or not; from the next one."""
        self.quiz.set_kind(kind, on)
        self.sigQuizChanged.emit()

    def quiz_asked_cell(self, view: str) -> tuple[int, int] | None:
        """The cell of ``view`` shown as "?" while its value is asked."""
        return self.quiz.asked_cell(view)

    def quiz_pick(self, view: str, row: int, col: int) -> bool:
        """A click on a cell of ``view`` as an answer (on again: taken back)."""
        if not self.quiz.toggle_pick(view, (row, col)):
            return False
        self.sigQuizChanged.emit()
        self.sigHoverChanged.emit()  # highlights redraw
        return True

    def quiz_answer(self, text: str) -> Verdict | None:
        """Mark the typed ``text`` and the clicked cells; right or wrong, it reveals."""
        question = self.quiz.question
        verdict = self.quiz.answer(text)
        if verdict is None:
            return None
        if question is not None and not verdict.right and not verdict.problem:
            key = pitfall_hint(question, text, self._quiz_pitfalls, verdict.picks)
            if key:
                self.quiz.with_hint(key)
                verdict = self.quiz.verdict
        self._quiz_redraw()
        return verdict

    def _quiz_pitfalls(
        self, result: str, source: tuple[int, int] | None = None
    ) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """``{key: (correct, wrong)}`` of the operation's pitfalls of ``result`` (``output`` or
        ``grad_input``); with a ``source`` cell of dY, the gradient of that window alone."""
        grad_output = None
        if source is not None:
            dy = self.grad_output[self.plane]
            grad_output = np.zeros_like(dy)
            grad_output[source] = dy[source]
        from engine.pitfalls import get_pitfall  # see pitfall_result

        found = {}
        for key in self.spec.pitfalls:
            if get_pitfall(key).result != result:
                continue
            try:
                found[key] = self.pitfall_result(key, grad_output)
            except ValueError:
                continue  # a pitfall these parameters cannot show
        return found

    def quiz_reveal(self) -> bool:
        """Reveal the open question's answer; False if none was open."""
        if not self.quiz.reveal():
            return False
        self._quiz_redraw()
        return True

    def reset_quiz_score(self) -> None:
        self.quiz.reset_score()
        self.sigQuizChanged.emit()

    def formula_lines(self) -> list[str]:
        """The output-size formula, for the refused parameters if the last change failed."""
        p = self.rejected or self.params
        w_shape = self.weight.shape if self.spec.has_weight else None
        if self.rejected is not None and w_shape is not None:
            w_shape = None  # the refused kernel_size, not the kept weight's
        return self.spec.explain(self.x.shape[2:], w_shape, p)

    # ---- verification (visualizer.verify runs the engine on the state's behalf) ---------------
    def check_gradients(self, eps: float = 1e-6) -> verify.GradientCheck:
        """Central finite differences against the engine's backward, on the current data."""
        from visualizer import verify  # when a check first runs, not before the first paint

        return verify.check_gradients(self.snapshot(), eps)

    def compare_with_torch(self) -> dict[str, verify.TorchComparison]:
        """Engine against PyTorch on the current data; raises TorchUnavailableError."""
        from visualizer import verify

        return verify.compare_with_torch(self.snapshot())

    # ---- pitfalls (engine.pitfalls: wrong hand-written versions beside the engine) ------------
    def pitfall_result(
        self, key: str, grad_output: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(correct, wrong)`` matrices of pitfall ``key`` on the shown plane.

        Forward pitfalls give output planes, backward ones input-gradient planes; the shapes
        may differ (a wrong version may drop rows).  ``grad_output`` (out_H, out_W) replaces
        the shown plane's dY (quiz mode: one window's dY alone).  Raises ``ValueError`` for an
        unknown key or a pitfall that does not apply to the current operation.
        """
        # Imported when a pitfall is first shown (the Pitfalls dock, a quiz hint), not before
        # the window's first paint.
        from engine.pitfalls import PitfallCase, evaluate

        n, c = self.plane
        p, spec = self.params, self.spec
        weighted = spec.has_weight
        case = PitfallCase(
            op=self.op,
            x=self.x[n] if weighted else self.x[n, c],
            kernel_size=self.weight.shape[2:] if weighted else p.kernel_size,
            stride=p.stride,
            padding=p.padding,
            dilation=p.dilation if spec.has_param("dilation") else (1, 1),
            ceil_mode=p.ceil_mode if spec.has_param("ceil_mode") else False,
            count_include_pad=p.count_include_pad,
            divisor_override=p.divisor_override,
            weight=self.weight[c] if weighted else None,
            bias=p.bias if spec.has_param("bias") else None,
            grad_output=self.grad_output[n, c] if grad_output is None else grad_output,
        )
        return evaluate(key, case)


def _unchanged(new: object, old: object) -> bool:
    """The same document field: the same array object (arrays are never changed in place), or
    an equal value."""
    if new is old:
        return True
    if isinstance(new, np.ndarray) or isinstance(old, np.ndarray):
        return False
    return bool(new == old)


def _distinct_arrays(docs: tuple[Document, ...] | list[Document]) -> list[np.ndarray]:
    """The arrays (X, W, dY) of ``docs``, each object once."""
    seen: dict[int, np.ndarray] = {}
    for doc in docs:
        stack = () if doc.stack is None else (doc.stack.x,)
        for arr in (doc.x, doc.weight, doc.grad_output, *stack):
            seen.setdefault(id(arr), arr)
    return list(seen.values())


_DOC_FIELDS = (
    "op",
    "x",
    "weight",
    "params",
    "grad_output",
    "plane",
    "in_channel",
    "dy_mode",
    "dy_seed",
    "compare",
    "stack",  # last: a stack edit alone does not recompute the operation
)

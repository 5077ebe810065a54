"""The Qt side of the layer stack: part of the one state object (``state.stack_state``).

The stack itself is a field of the document (``state.stack``, a
:class:`~visualizer.model.stack.StackDoc`): every edit here goes through the state's
``_apply``, so it is validated by the engine, undoable on the same ``QUndoStack`` and saved
in sessions.  This object keeps what the edits produce — the latest valid
:class:`~visualizer.model.stack.StackResults`, the stepping cursor, the focused cell and its
receptive or projective field — and says when they change.  Widgets call its methods and
listen to its signals; only the model it calls runs the engine.
"""

from __future__ import annotations

import weakref
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.errors import ParameterError
from engine.stack import LayerShape
from visualizer.i18n import tr, translate_message
from visualizer.model.stack import (
    StackCursor,
    StackDoc,
    StackLayer,
    StackResults,
    compute_stack,
    current_step,
    default_layer,
    example_stack,
    in_channels_at,
    next_row_step,
    projective_masks,
    receptive_masks,
    shapes,
    step_cells,
    step_lines,
    step_message,
    step_notes,
)

if TYPE_CHECKING:
    from visualizer.model import Document


class Owner(Protocol):
    """What the stack needs of the one state object that owns it (visualizer/state.py's
    AppState): described here, not imported, so the state imports this module and not the
    reverse."""

    stack: StackDoc | None
    x: np.ndarray

    def _apply(self, label: Any, *, strict_grad: bool = False, **changes: object) -> bool: ...

    def report_error(self, error: ValueError | None) -> None: ...


Cells = dict[tuple[int, int], set[str]]
# A focused cell: ("receptive" | "projective", level, row, col).
Focus = tuple[str, int, int, int]


class StackState(QObject):
    """The stack's results, stepping and highlighted fields (see the module docstring)."""

    sigStackChanged = Signal()  # new results, or Stack mode opened / closed
    sigStackStepChanged = Signal(int)
    sigStackFocusChanged = Signal()  # the focused cell and its field changed

    def __init__(self, state: Owner) -> None:
        super().__init__(cast(QObject, state))
        self._state_ref = weakref.ref(state)
        self.results: StackResults | None = None
        self.cursor = StackCursor()
        self.focus: Focus | None = None
        self.masks: dict[int, np.ndarray] = {}  # level -> bool (H, W) of the focused field
        self.rejected_rows: list[LayerShape] | None = None  # table of a refused stack
        self._step_masks: tuple[object, dict[int, np.ndarray]] = (None, {})
        self._step_cells: tuple[object, tuple[dict[int, Cells], dict[int, Cells]]] = (
            None,
            ({}, {}),
        )

    @property
    def _state(self) -> Owner:
        state = self._state_ref()
        assert state is not None, "the state of the stack is gone"
        return state

    @property
    def doc(self) -> StackDoc | None:
        return self._state.stack

    @property
    def is_open(self) -> bool:
        doc = self.doc
        return doc is not None and doc.open

    # ---- called by the state's _apply ---------------------------------------------------------
    def prepare(self, doc: Document) -> StackResults | None:
        """Results of ``doc``'s stack (the kept ones if unchanged); ParameterError if invalid."""
        stack = doc.stack
        if stack is None:
            return None
        if self.results is not None and self.results.doc is stack:
            return self.results
        kept = self.results
        if (
            kept is not None
            and kept.doc.x is stack.x
            and kept.doc.layers is stack.layers
            and kept.doc.grad_cell == stack.grad_cell
        ):  # only the stepping (or open) changed: the same numbers
            return replace(kept, doc=stack)
        try:
            return compute_stack(stack)
        except ValueError:
            try:
                self.rejected_rows = shapes(stack)
            except ValueError:
                self.rejected_rows = None
            raise

    def commit(self, results: StackResults | None, was_open: bool) -> None:
        """The state took ``results``: keep them, tell the widgets."""
        self.rejected_rows = None
        if results is self.results and was_open == self.is_open:
            return
        self.results = results
        self.cursor.resize(() if results is None else results.layer_steps())
        self._drop_focus_outside()
        self.sigStackChanged.emit()
        self.sigStackStepChanged.emit(self.cursor.step)

    def refused(self) -> None:
        """An edit was refused: the table shows why (``rejected_rows``), the views stay."""
        self.sigStackChanged.emit()

    # ---- edits (each one undoable) ------------------------------------------------------------
    def _edit(self, label: object, stack: StackDoc | None) -> bool:
        self.rejected_rows = None
        return self._state._apply(label, stack=stack)

    def set_open(self, on: bool) -> bool:
        """Open Stack mode (with an example stack the first time) or close it (kept)."""
        doc = self.doc
        if on == self.is_open:
            return True
        if doc is None:
            doc = example_stack(self._state.x)
        return self._edit(
            (lambda: tr("Open layer stack")) if on else (lambda: tr("Close layer stack")),
            replace(doc, open=on),
        )

    def load(self, doc: StackDoc) -> bool:
        """Replace the stack (a stack file, a preset) as one edit."""
        return self._edit(lambda: tr("Load layer stack"), replace(doc, open=True))

    def _layers_edit(self, label: object, layers: list[StackLayer]) -> bool:
        doc = self.doc
        if doc is None:
            return False
        return self._edit(label, doc.with_layers(layers))

    def add_layer(self, op: str, index: int | None = None) -> bool:
        """Insert a layer of ``op`` (with its defaults) at ``index`` (default: at the end)."""
        doc = self.doc
        if doc is None:
            return False
        layers = list(doc.layers)
        at = len(layers) if index is None else max(0, min(index, len(layers)))
        layers.insert(at, default_layer(op, in_channels_at(doc, at)))
        name = layers[at].spec.key
        return self._layers_edit(lambda: tr("Add layer {op}").format(op=name), layers)

    def remove_layer(self, index: int) -> bool:
        doc = self.doc
        if doc is None or not 0 <= index < len(doc.layers):
            return False
        layers = list(doc.layers)
        del layers[index]
        return self._layers_edit(lambda: tr("Remove layer {n}").format(n=index + 1), layers)

    def move_layer(self, index: int, delta: int) -> bool:
        doc = self.doc
        target = index + delta
        if doc is None or not (0 <= index < len(doc.layers) and 0 <= target < len(doc.layers)):
            return False
        layers = list(doc.layers)
        layers[index], layers[target] = layers[target], layers[index]
        return self._layers_edit(lambda: tr("Move layer {n}").format(n=index + 1), layers)

    def set_layer_param(self, index: int, name: str, value: object) -> bool:
        """Set parameter ``name`` of layer ``index`` (checked by its ParamSpec, then the
        engine); a refusal keeps the stack and says why, naming the layer."""
        doc = self.doc
        if doc is None or not 0 <= index < len(doc.layers):
            return False
        layers = list(doc.layers)
        try:
            layers[index] = layers[index].with_param(name, value)
        except ValueError as exc:
            error = ParameterError(
                "layer {layer} ({op}): {reason}",
                layer=index + 1,
                op=layers[index].op,
                reason=translate_message(exc),
            )
            self._state.report_error(error)
            self.refused()
            return False
        label = lambda: tr("Layer {n}: change {name}").format(n=index + 1, name=name)  # noqa: E731
        return self._layers_edit(label, layers)

    def set_input_cell(self, row: int, col: int, value: float, channel: int = 0) -> bool:
        doc = self.doc
        if doc is None:
            return False
        x = doc.x.copy()
        x[0, channel, row, col] = value
        label = lambda: tr("Edit stack input [{row}, {col}]").format(row=row, col=col)  # noqa: E731
        return self._edit(label, replace(doc, x=x))

    def set_input(self, x: np.ndarray) -> bool:
        doc = self.doc
        if doc is None:
            return False
        arr = np.asarray(x, dtype=float)
        arr = arr.reshape((1,) * (4 - arr.ndim) + arr.shape)[:1]
        return self._edit(lambda: tr("Replace stack input"), replace(doc, x=arr))

    def set_stepping(self, stepping: str) -> bool:
        """Step each layer window by window (``"windows"``) or one step per layer
        (``"layers"``); kept in the document (sessions), undoable like the stack's edits."""
        doc = self.doc
        if doc is None or doc.stepping == stepping:
            return True
        label = lambda: tr("Change the stack's stepping")  # noqa: E731
        return self._edit(label, replace(doc, stepping=stepping))

    def set_grad_cell(self, cell: tuple[int, int] | None) -> bool:
        """Start the backward pass from dY = 1 at ``cell`` of the output (None: dY = ones)."""
        doc = self.doc
        if doc is None or doc.grad_cell == cell:
            return True
        return self._edit("dY", replace(doc, grad_cell=cell))

    # ---- stepping (no recomputation) ----------------------------------------------------------
    @property
    def step(self) -> int:
        return self.cursor.step

    def set_step(self, step: int) -> None:
        step = self.cursor.clamp(step)
        if step != self.cursor.step:
            self.cursor.step = step
            self.sigStackStepChanged.emit(step)

    def set_phase(self, phase: str) -> None:
        n = self.cursor.n_forward
        self.set_step(n if phase == "backward" and n else 0)

    def step_next_row(self, channel: int = 0) -> None:
        """Jump to the first window of the next row of the current layer's windows."""
        if self.results is not None:
            self.set_step(next_row_step(self.results, self.cursor, channel))

    def step_text(self, channel: int = 0) -> str:
        """The current step's arithmetic, naming its layer, in the current language (window
        steps: the operation's own arithmetic of the shown ``channel``, then the numbers of
        every cell a backward step adds to, one line per gradient)."""
        if self.results is None:
            return ""
        return self._text_at(self.results, self.cursor, channel)

    @staticmethod
    def _text_at(results: StackResults, cursor: StackCursor, channel: int) -> str:
        text = translate_message(step_message(results, cursor, channel))
        return "\n".join((text, *step_lines(results, cursor, channel)))

    def phase_texts(self, channel: int = 0, layer: int | None = None) -> list[str]:
        """The arithmetic of each layer's first, middle and last step in the current phase
        (see step_text): what the lecture's text box is measured for, once a phase, so that
        the views above it keep their size while stepping (a convolution's backward step
        writes lines of updates, a ReLU's one sentence; a late backward window's sums are
        longer than the first's: "6 + 2·1 = 8" where it said "0 + 1·1 = 1").  With ``layer``,
        that layer's only (the normal layout's note, see StackPanel._reserve_normal_box)."""
        results = self.results
        if results is None:
            return []
        cursor = self.cursor
        steps: set[int] = set()
        for k, count in enumerate(cursor.counts):
            if layer is not None and k != layer:
                continue
            start = cursor.start_of(cursor.phase, k)
            steps |= {start, start + (count - 1) // 2, start + count - 1}
        return [
            self._text_at(results, replace(cursor, step=step), channel) for step in sorted(steps)
        ]

    # ---- receptive and projective fields ------------------------------------------------------
    def set_focus(self, kind: str | None, level: int = 0, row: int = 0, col: int = 0) -> None:
        """Highlight the receptive field of a cell (``"receptive"``: every earlier level) or
        its projective field (``"projective"``: every later level); None clears it."""
        focus: Focus | None = None if kind is None else (kind, level, row, col)
        if focus == self.focus:
            return
        self.focus = focus
        self.masks = self._masks(focus)
        self.sigStackFocusChanged.emit()

    def step_cells(self, channel: int = 0) -> tuple[dict[int, Cells], dict[int, Cells]]:
        """Cells the current window step marks (on the value views, on the gradient views), by
        level (:func:`visualizer.model.stack.step_cells`); kept for the step, so hovering
        and clicking redraw without remaking the step's record."""
        key = (self.results, self.cursor.step, self.cursor.counts, channel)
        if self._step_cells[0] != key:
            cells = (
                ({}, {}) if self.results is None else step_cells(self.results, self.cursor, channel)
            )
            self._step_cells = (key, cells)
        return self._step_cells[1]

    def step_notes(self, channel: int = 0) -> dict[int, dict[tuple[int, int], str]]:
        """A convolution window's weights, printed small in its cells on the layer's input
        level (:func:`visualizer.model.stack.step_notes`)."""
        return {} if self.results is None else step_notes(self.results, self.cursor, channel)

    def step_masks(self, channel: int = 0) -> dict[int, np.ndarray]:
        """The receptive field of the output cell the current window step writes (or sends its
        gradient back from), on every level up to it, as clicking that cell shows it; empty
        when stepping by layer.  Kept for the step: redrawing costs nothing."""
        results = self.results
        key = (results, self.cursor.step, self.cursor.counts, channel)
        if self._step_masks[0] == key:
            return self._step_masks[1]
        masks: dict[int, np.ndarray] = {}
        step = None if results is None else current_step(results, self.cursor, channel)
        if results is not None and step is not None:
            layer = self.cursor.layer
            level = layer + 1
            (row, col), (h, w) = step.out_pos, results.sizes[level]
            if not results.doc.layers[layer].spec.scatters and 0 <= row < h and 0 <= col < w:
                masks = self._masks(("receptive", level, row, col))
                masks.pop(level, None)  # the cell itself is the step's own mark
        self._step_masks = (key, masks)
        return masks

    def _masks(self, focus: Focus | None) -> dict[int, np.ndarray]:
        results = self.results
        if focus is None or results is None:
            return {}
        kind, level, row, col = focus
        doc = results.doc
        try:
            if kind == "receptive":
                return dict(enumerate(receptive_masks(doc, level, (row, col), results.fields)))
            masks = projective_masks(doc, level, (row, col), results.fields)
        except ValueError:
            return {}
        return {level + i: mask for i, mask in enumerate(masks)}

    def _drop_focus_outside(self) -> None:
        focus, results = self.focus, self.results
        if focus is None:
            return
        _kind, level, row, col = focus
        if (
            results is None
            or level >= len(results.sizes)
            or not (row < results.sizes[level][0] and col < results.sizes[level][1])
        ):
            self.focus, self.masks = None, {}
        else:
            self.masks = self._masks(focus)
        self.sigStackFocusChanged.emit()

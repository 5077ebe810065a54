"""The one object that owns the app's data and is the only caller of the engine.

Widgets call the setters and listen to the signals; they never talk to each other.  Every
setter validates through the engine: on ``ValueError`` the old state stays and ``sigError``
carries the engine's message.  A change recomputes once; stepping only moves the step index.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

import engine
from engine import BackwardStep, Trace, WindowGeometry
from engine.pitfalls import PitfallCase, evaluate
from visualizer import verify
from visualizer.data import PATTERNS, RandomSpec, fill_pattern, resized
from visualizer.i18n import message_template, tr
from visualizer.snapshot import Params, Snapshot

OPS: dict[str, str] = {
    "max": QT_TR_NOOP("Max pooling"),
    "avg": QT_TR_NOOP("Average pooling"),
    "conv": QT_TR_NOOP("Convolution (cross-correlation)"),
}
# Messages of the setters' own checks; like the engine's, they stay English in ``error`` and
# are translated when shown (visualizer.i18n.translate_message).
OP_RULE = message_template(QT_TR_NOOP("operation ({op}) must be one of {ops}"))
INPUT_SIZE_RULE = message_template(
    QT_TR_NOOP(
        "input size ({rows}x{cols}) must be between 1 and {limit} per side "
        "(load an image for larger inputs)"
    )
)
SHAPE_RULE = message_template(
    QT_TR_NOOP("batch ({batch}) and channels ({channels}) must be at least 1")
)
OUT_CHANNELS_RULE = message_template(QT_TR_NOOP("output channels ({channels}) must be at least 1"))
DY_MODE_RULE = message_template(QT_TR_NOOP("dY fill ({mode}) must be 'ones' or 'random'"))

# An undo label: a text, or a function giving it in the current language (the Edit menu
# names the last edit, and says it again in the other language after a switch).
Label = str | Callable[[], str]


def label_text(label: Label) -> str:
    return label if isinstance(label, str) else label()


def _pattern(key: str) -> str:
    """A fill pattern's name, in the current language."""
    return tr(PATTERNS[key]) if key in PATTERNS else key


MAX_EDIT_SIZE = 64
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

# Kinds of cells in the input canvas (the input plus its padding ring).
INPUT, PADDING, OVERHANG = 0, 1, 2


class _EditCommand(QUndoCommand):
    """One undoable edit: the state before and after it."""

    def __init__(self, state: AppState, before: Snapshot, after: Snapshot, label: Label) -> None:
        super().__init__(label_text(label))
        self._state, self._before, self._after = state, before, after
        self._label = label
        self._done = True  # pushed after the edit already happened

    def retranslate(self) -> None:
        self.setText(label_text(self._label))

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._state.restore(self._after)

    def undo(self) -> None:
        self._state.restore(self._before)


@dataclass(frozen=True)
class Results:
    """Everything one recomputation produced."""

    output: np.ndarray  # (N, C_out, out_H, out_W)
    grad_output: np.ndarray  # (N, C_out, out_H, out_W), the upstream gradient used
    grad_input: np.ndarray  # (N, C, H, W)
    mask_counts: np.ndarray | None  # (N, C, H, W), max only
    grad_weight: np.ndarray | None  # (C_out, C_in, kH, kW), conv only
    grad_bias: np.ndarray | None  # (C_out,), conv with bias only
    trace: Trace  # the selected plane

    @property
    def geometry(self) -> WindowGeometry:
        return self.trace.geometry


@dataclass(frozen=True)
class Highlight:
    """Cells to mark in each view for the current step or hover, in matrix coordinates."""

    input_taps: tuple[
        tuple[int, int, str], ...
    ] = ()  # (row, col, kind) kind: input/padding/overhang
    input_gaps: tuple[tuple[int, int], ...] = ()
    input_winners: tuple[tuple[int, int], ...] = ()
    output_cell: tuple[int, int] | None = None
    kernel_active: bool = False
    grad_targets: tuple[tuple[int, int], ...] = ()


class AppState(QObject):
    """Input, kernel, upstream gradient, parameters, step and the latest results."""

    sigDataChanged = Signal()  # matrices, op or parameters changed (controls resync)
    sigResultsChanged = Signal()  # new results: views redraw values and colour levels
    sigStepChanged = Signal(int)  # step moved: highlights and partial views redraw
    sigHoverChanged = Signal()
    sigError = Signal(str)  # "" clears the message

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.op = "max"
        self.params = Params()
        self.x = self._default_input()
        self.weight = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])
        self.dy_mode = "ones"
        self.dy_seed = 0
        self.grad_output = np.ones((1, 1, 4, 4))
        self.plane = (0, 0)  # (n, c) shown for pooling; (n, c_out) for conv output
        self.in_channel = 0  # conv: which input channel's kernel slice is shown
        self.step = 0
        self.hover: tuple[str, int, int] | None = None
        self.error = ""
        self.rejected: Params | None = None  # parameters the engine refused, for the formula
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)
        self._restoring = False
        self.results = self._compute(
            self.op, self.x, self.weight, self.params, self.plane, self.grad_output
        )

    @staticmethod
    def _default_input() -> np.ndarray:
        # The classic 8×8 integer example, fixed so every lecture starts from the same numbers.
        return np.array(DEFAULT_INPUT, dtype=float)[None, None]

    # ---- computation --------------------------------------------------------------------------
    def _compute(
        self,
        op: str,
        x: np.ndarray,
        weight: np.ndarray,
        params: Params,
        plane: tuple[int, int],
        grad: np.ndarray,
        fill: tuple[str, int] = ("ones", 0),
    ) -> Results:
        """Run the engine once; raises ValueError for invalid input, leaving state untouched."""
        n, c = plane
        p = params
        if op == "conv":
            bias = None if p.bias is None else np.full(weight.shape[0], p.bias)
            args = (p.stride, p.padding, p.dilation)
            trace_probe = engine.conv_geometry(x.shape[2:], weight.shape[2:], *args)
            dy = self._fit_grad(grad, (x.shape[0], weight.shape[0], *trace_probe.out_size), fill)
            y = engine.conv2d(x, weight, bias, *args)
            gx, gw, gb = engine.conv2d_backward(dy, x, weight, bias, *args)
            trace = engine.trace_conv2d(
                x[n], weight[c], p.bias, *args, grad_output=dy[n, c]
            )  # fmt: skip
            return Results(y, dy, gx, None, gw, gb, trace)
        if op == "max":
            pool = (p.kernel_size, p.stride, p.padding, p.dilation, p.ceil_mode)
            g = engine.pool_geometry(x.shape[2:], *pool)
            dy = self._fit_grad(grad, x.shape[:2] + g.out_size, fill)
            trace = engine.trace_max_pool2d(x[n, c], *pool, p.ties, grad_output=dy[n, c])
            if x.shape[:2] == (1, 1):
                # One plane: the trace already holds the whole result.
                return Results(
                    trace.output[None, None],
                    dy,
                    trace.grad_input[None],
                    trace.mask_counts[None, None],
                    None,
                    None,
                    trace,
                )
            y = engine.max_pool2d(x, *pool)
            gx = engine.max_pool2d_backward(dy, x, *pool, ties=p.ties)
            counts = engine.max_pool2d_mask(x, *pool, ties=p.ties).counts
            return Results(y, dy, gx, counts, None, None, trace)
        pool = (p.kernel_size, p.stride, p.padding, p.ceil_mode, p.count_include_pad)
        pool = (*pool, p.divisor_override)
        g = engine.pool_geometry(x.shape[2:], *pool[:3], 1, p.ceil_mode)
        dy = self._fit_grad(grad, x.shape[:2] + g.out_size, fill)
        trace = engine.trace_avg_pool2d(x[n, c], *pool, grad_output=dy[n, c])
        if x.shape[:2] == (1, 1):
            return Results(
                trace.output[None, None], dy, trace.grad_input[None], None, None, None, trace
            )
        y = engine.avg_pool2d(x, *pool)
        gx = engine.avg_pool2d_backward(dy, x, *pool)
        return Results(y, dy, gx, None, None, None, trace)

    @staticmethod
    def _fit_grad(grad: np.ndarray, shape: tuple[int, ...], fill: tuple[str, int]) -> np.ndarray:
        """The upstream gradient for an output of ``shape``: kept if it fits, else refilled."""
        if grad.shape == shape:
            return grad
        mode, seed = fill
        if mode == "random":
            return RandomSpec("int", -3, 3, seed).make(shape)
        return np.ones(shape)

    def _apply(self, label: Label | None, **changes: object) -> bool:
        """Recompute with ``changes`` applied; commit them only if the engine accepts them.

        A committed change with a ``label`` becomes one step on the undo stack.
        """
        before = self.snapshot()
        op = changes.get("op", self.op)
        x = changes.get("x", self.x)
        weight = changes.get("weight", self.weight)
        params = changes.get("params", self.params)
        plane = changes.get("plane", self.plane)
        grad = changes.get("grad_output", self.grad_output)
        plane = self._clamp_plane(plane, op, x, weight)
        try:
            fill = (changes.get("dy_mode", self.dy_mode), changes.get("dy_seed", self.dy_seed))
            results = self._compute(op, x, weight, params, plane, grad, fill)  # type: ignore[arg-type]
        except ValueError as exc:
            self.rejected = params if "params" in changes else None
            self._set_error(str(exc))
            self.sigDataChanged.emit()  # controls snap back to the last valid values
            return False
        old_windows = len(self.results.trace)
        self.op, self.x, self.weight, self.params, self.plane = op, x, weight, params, plane
        self.grad_output = results.grad_output
        self.rejected = None
        self.results = results
        for key in ("in_channel", "dy_mode", "dy_seed"):
            if key in changes:
                setattr(self, key, changes[key])
        self._set_error("")
        self.sigDataChanged.emit()
        self.sigResultsChanged.emit()
        self._clamp_step(old_windows)
        if label and not self._restoring:
            self.undo_stack.push(_EditCommand(self, before, self.snapshot(), label))
        return True

    def snapshot(self) -> Snapshot:
        return Snapshot(
            op=self.op,
            x=self.x,
            weight=self.weight,
            params=self.params,
            grad_output=self.grad_output,
            plane=self.plane,
            in_channel=self.in_channel,
            dy_mode=self.dy_mode,
            dy_seed=self.dy_seed,
        )

    def restore(self, snap: Snapshot, label: Label | None = None) -> bool:
        """Return to ``snap`` (validated like any edit); with a ``label`` it can be undone."""
        self._restoring = label is None
        try:
            return self._apply(
                label,
                op=snap.op,
                x=snap.x,
                weight=snap.weight,
                params=snap.params,
                grad_output=snap.grad_output,
                plane=snap.plane,
                in_channel=snap.in_channel,
                dy_mode=snap.dy_mode,
                dy_seed=snap.dy_seed,
            )
        finally:
            self._restoring = False

    def _clamp_plane(
        self, plane: tuple[int, int], op: str, x: np.ndarray, weight: np.ndarray
    ) -> tuple[int, int]:
        channels = weight.shape[0] if op == "conv" else x.shape[1]
        return (min(plane[0], x.shape[0] - 1), min(plane[1], channels - 1))

    def _clamp_step(self, old_windows: int) -> None:
        n = len(self.results.trace)
        # Keep the phase the user was in, and the same window where it still exists.
        phase = 1 if self.step >= old_windows else 0
        within = self.step - phase * old_windows
        self.step = phase * n + min(within, n - 1)
        self.sigStepChanged.emit(self.step)

    def _set_error(self, message: str) -> None:
        if message != self.error:
            self.error = message
            self.sigError.emit(message)

    # ---- setters ------------------------------------------------------------------------------
    def set_op(self, op: str) -> bool:
        if op not in OPS:
            self._set_error(OP_RULE.format(op=repr(op), ops=", ".join(OPS)))
            return False
        if op == self.op:
            return True
        params = self.params
        if op == "conv":
            params = replace(
                params, stride=(1, 1) if params.stride == params.kernel_size else params.stride
            )
            weight = self._weight_with_size(params.kernel_size)
            return self._apply(self._switch_label(op), op=op, params=params, weight=weight)
        return self._apply(self._switch_label(op), op=op, params=params)

    @staticmethod
    def _switch_label(op: str) -> Label:
        return lambda: tr("Switch to {operation}").format(operation=tr(OPS[op]))

    def set_params(self, **changes: object) -> bool:
        """Change parameters (fields of :class:`Params`); pairs may be given as ints."""
        fields = {}
        for key, value in changes.items():
            if key in ("kernel_size", "stride", "padding", "dilation") and isinstance(value, int):
                value = (value, value)
            fields[key] = value
        params = replace(self.params, **fields)
        if self.op == "conv" and params.kernel_size != self.params.kernel_size:
            weight = self._weight_with_size(params.kernel_size)
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
        if self.op == "conv" and self.weight.shape[1] != arr.shape[1]:
            changes["weight"] = self._weight_for_channels(arr.shape[1])
        return self._apply(lambda: tr("Replace input"), **changes)

    def _weight_for_channels(self, c_in: int) -> np.ndarray:
        w = self.weight
        reps = math.ceil(c_in / w.shape[1])
        return np.tile(w, (1, reps, 1, 1))[:, :c_in]

    def set_input_cell(self, row: int, col: int, value: float) -> bool:
        x = self.x.copy()
        x[self.plane[0], self._in_c, row, col] = value
        return self._apply(lambda: tr("Edit X[{row}, {col}]").format(row=row, col=col), x=x)

    @property
    def _in_c(self) -> int:
        return self.in_channel if self.op == "conv" else self.plane[1]

    def resize_input(self, h: int, w: int) -> bool:
        # A side may stay above the editing limit (a loaded image) but never grow past it.
        cur_h, cur_w = self.x.shape[2:]
        if not (1 <= h <= max(MAX_EDIT_SIZE, cur_h) and 1 <= w <= max(MAX_EDIT_SIZE, cur_w)):
            self._set_error(INPUT_SIZE_RULE.format(rows=h, cols=w, limit=MAX_EDIT_SIZE))
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
            self._set_error(SHAPE_RULE.format(batch=n, channels=c))
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
        if self.op == "conv":
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

    def set_kernel_cell(self, i: int, j: int, value: float) -> bool:
        w = self.weight.copy()
        w[self.plane[1], self.in_channel, i, j] = value
        return self._apply(lambda: tr("Edit W[{row}, {col}]").format(row=i, col=j), weight=w)

    def fill_kernel(self, pattern: str) -> bool:
        w = self.weight.copy()
        w[self.plane[1], self.in_channel] = fill_pattern(pattern, w.shape[2:])
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
            self._set_error(OUT_CHANNELS_RULE.format(channels=c_out))
            return False
        w = np.zeros((c_out,) + self.weight.shape[1:])
        k = min(c_out, self.weight.shape[0])
        w[:k] = self.weight[:k]
        for extra in range(k, c_out):
            w[extra] = fill_pattern("ones", w.shape[1:])
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
            self._set_error(DY_MODE_RULE.format(mode=repr(mode)))
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

    # ---- stepping (no recomputation) ----------------------------------------------------------
    @property
    def n_windows(self) -> int:
        return len(self.results.trace)

    @property
    def n_steps(self) -> int:
        return 2 * self.n_windows

    @property
    def phase(self) -> str:
        return "forward" if self.step < self.n_windows else "backward"

    @property
    def window_index(self) -> int:
        """Window of the current step, within its phase."""
        return self.step % self.n_windows

    def retranslate(self) -> None:
        """Say the undo history's edits in the current language."""
        stack = self.undo_stack
        for i in range(stack.count()):
            command = stack.command(i)
            if isinstance(command, _EditCommand):
                command.retranslate()

    def set_step(self, step: int) -> None:
        step = max(0, min(int(step), self.n_steps - 1))
        if step != self.step:
            self.step = step
            self.sigStepChanged.emit(step)

    def set_phase(self, phase: str) -> None:
        self.set_step(self.window_index + (self.n_windows if phase == "backward" else 0))

    def jump_to_output(self, oh: int, ow: int) -> None:
        """Step to output cell (oh, ow) in the current phase."""
        index = oh * self.results.geometry.out_size[1] + ow
        base = self.n_windows if self.phase == "backward" else 0
        self.set_step(base + index)

    def set_hover(self, where: str | None, row: int = 0, col: int = 0) -> None:
        hover = None if where is None else (where, row, col)
        if hover != self.hover:
            self.hover = hover
            self.sigHoverChanged.emit()

    # ---- what the views show ------------------------------------------------------------------
    def input_canvas(self) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
        """The shown input plane with its padding ring: (values, kinds, (top, left) offset).

        Padding shows −∞ for max pooling and 0 otherwise; the ceil_mode overhang is NaN.
        """
        g = self.results.geometry
        plane = self.x[self.plane[0], self._in_c]
        (top, bottom), (left, right) = g.canvas_pad
        pad_value = -np.inf if self.op == "max" else 0.0
        values = np.pad(plane, ((top, bottom), (left, right)), constant_values=pad_value)
        kinds = np.full(values.shape, PADDING, dtype=np.int8)
        kinds[top : top + plane.shape[0], left : left + plane.shape[1]] = INPUT
        over_rows = top + plane.shape[0] + g.pad_after[0]
        over_cols = left + plane.shape[1] + g.pad_after[1]
        kinds[over_rows:, :] = OVERHANG
        kinds[:, over_cols:] = OVERHANG
        values[kinds == OVERHANG] = np.nan
        return values, kinds, (top, left)

    def kernel_plane(self) -> np.ndarray:
        return self.weight[self.plane[1], self.in_channel]

    def output_plane(self, partial: bool = True) -> np.ndarray:
        """Output of the shown plane; during the forward phase only the windows done so far."""
        y = self.results.output[self.plane].astype(float)
        if partial and self.phase == "forward":
            y = y.copy()
            y.flat[self.window_index + 1 :] = np.nan
        return y

    def grad_output_plane(self) -> np.ndarray:
        return self.grad_output[self.plane]

    def grad_input_plane(self, partial: bool = True) -> np.ndarray:
        """dX of the shown plane, accumulated up to the current backward step."""
        trace = self.results.trace
        if not partial:
            return self.results.grad_input[self.plane[0], self._in_c]
        if self.phase == "forward":
            return np.zeros(trace.x.shape[1:])
        return trace.grad_input_after(self.window_index)[self._trace_channel]

    @property
    def _trace_channel(self) -> int:
        return self.in_channel if self.op == "conv" else 0

    def mask_plane(self, partial: bool = True) -> np.ndarray | None:
        """Max only: windows won per input element (so far, during the forward phase)."""
        trace = self.results.trace
        if trace.winners is None:
            return None
        if partial and self.phase == "forward":
            return trace.mask_counts_after(self.window_index)
        return trace.mask_counts

    def grad_weight_plane(self, partial: bool = True) -> tuple[np.ndarray, float | None] | None:
        """Conv only: dW of the shown kernel slice and db, accumulated so far."""
        trace = self.results.trace
        if trace.grad_weight is None:
            return None
        if partial and self.phase == "forward":
            return np.zeros_like(trace.grad_weight[self.in_channel]), (
                None if trace.grad_bias is None else 0.0
            )
        index = self.window_index if partial else self.n_windows - 1
        gw, gb = trace.grad_weight_after(index)
        return gw[self.in_channel], gb

    def step_text(self) -> str:
        """The arithmetic of the current step, in the current language."""
        trace = self.results.trace
        if self.phase == "forward":
            # "max(3, 12, 8, 5) = 12", "(…) / 4 = 7", sums of products: the same in any language.
            return trace.forward_step(self.window_index).text
        return self._backward_text(trace.backward_step(self.window_index))

    def _backward_text(self, step: BackwardStep) -> str:
        """A backward record in words (the engine's ``text`` is English; in English the two
        are the same, which the tests check)."""
        fmt = engine.format_number
        oh, ow = step.out_pos
        position = f"dY[{oh}, {ow}] = {fmt(step.grad_output)}"
        if self.op == "max":
            if not step.input_grads:
                return tr("{position}: the window read no input").format(position=position)
            targets = ", ".join(f"dX[{r}, {c}]" for (_, r, c), _ in step.input_grads)
            values = {"position": position, "targets": targets}
            values["share"] = fmt(step.input_grads[0][1])
            if self.params.ties == "split":
                text = tr("{position} goes shared by {count} tied maxima: {targets} += {share}")
                return text.format(count=len(step.input_grads), **values)
            if self.params.ties == "all":
                text = tr("{position} goes in full to every tied maximum: {targets} += {share}")
                return text.format(**values)
            return tr("{position} goes to the maximum: {targets} += {share}").format(**values)
        if self.op == "avg":
            divisor = self.results.trace.forward_step(step.index).divisor
            text = tr(
                "{position} / {divisor} = {share} is added to each of the window's {count} "
                "input cells in dX"
            )
            return text.format(
                position=position,
                divisor=fmt(divisor),
                share=fmt(step.grad_output / divisor),
                count=len(step.input_grads),
            )
        dy = fmt(step.grad_output)
        if step.bias_grad is None:
            text = tr("{position}: dX[window] += {dy}·W, dW += {dy}·X[window]")
        else:
            text = tr("{position}: dX[window] += {dy}·W, dW += {dy}·X[window], db += {dy}")
        return text.format(position=position, dy=dy)

    def highlight(self) -> Highlight:
        """Cells to mark for the current step (input coordinates, not canvas coordinates)."""
        trace = self.results.trace
        fwd = trace.forward_step(self.window_index)
        channel = self._trace_channel
        taps = tuple(
            (t.input_pos[0], t.input_pos[1], t.kind) for t in fwd.taps if t.channel == channel
        )
        winners = tuple(fwd.taps[k].input_pos for k in fwd.winners)
        targets: tuple[tuple[int, int], ...] = ()
        if self.phase == "backward":
            bwd = trace.backward_step(self.window_index)
            targets = tuple((r, c) for (ch, r, c), _ in bwd.input_grads if ch == channel)
        return Highlight(
            input_taps=taps,
            input_gaps=tuple(fwd.gaps),
            input_winners=winners,
            output_cell=fwd.out_pos,
            kernel_active=self.op == "conv",
            grad_targets=targets,
        )

    def hover_cells(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(input cells, output cells) linked to the hovered cell."""
        if self.hover is None:
            return [], []
        g = self.results.geometry
        where, r, c = self.hover
        if where == "output":
            if not (0 <= r < g.out_size[0] and 0 <= c < g.out_size[1]):
                return [], []
            return [(row, col) for _, _, row, col in g.window_taps(r, c)], [(r, c)]
        return [(r, c)], g.windows_reading(r, c)

    def formula_lines(self) -> list[str]:
        """The output-size formula, for the refused parameters if the last change failed."""
        p = self.rejected or self.params
        g = self.results.geometry
        if self.op == "conv":
            return engine.explain_output_size(
                g.in_size, p.kernel_size, p.stride, p.padding, p.padding, p.dilation, False
            )
        dilation = p.dilation if self.op == "max" else (1, 1)
        return engine.explain_output_size(
            self.x.shape[2:], p.kernel_size, p.stride, p.padding, p.padding, dilation, p.ceil_mode
        )

    # ---- verification (visualizer.verify runs the engine on the state's behalf) ---------------
    def check_gradients(self, eps: float = 1e-6) -> verify.GradientCheck:
        """Central finite differences against the engine's backward, on the current data."""
        return verify.check_gradients(self.snapshot(), eps)

    def compare_with_torch(self) -> dict[str, verify.Comparison]:
        """Engine against PyTorch on the current data; raises TorchUnavailableError."""
        return verify.compare_with_torch(self.snapshot())

    # ---- pitfalls (engine.pitfalls: wrong hand-written versions beside the engine) ------------
    def pitfall_result(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """``(correct, wrong)`` matrices of pitfall ``key`` on the shown plane.

        Forward pitfalls give output planes, backward ones input-gradient planes; the shapes
        may differ (a wrong version may drop rows).  Raises ``ValueError`` for an unknown key
        or a pitfall that does not apply to the current operation.
        """
        n, c = self.plane
        p = self.params
        conv = self.op == "conv"
        case = PitfallCase(
            op=self.op,
            x=self.x[n] if conv else self.x[n, c],
            kernel_size=self.weight.shape[2:] if conv else p.kernel_size,
            stride=p.stride,
            padding=p.padding,
            dilation=p.dilation if self.op != "avg" else (1, 1),
            ceil_mode=p.ceil_mode and not conv,
            count_include_pad=p.count_include_pad,
            divisor_override=p.divisor_override,
            weight=self.weight[c] if conv else None,
            bias=p.bias if conv else None,
            grad_output=self.grad_output[n, c],
        )
        return evaluate(key, case)

"""Layer stacks in the document: the stack file format, the stack's model and its computation.

Qt-free (tested without a QApplication).  A stack file is versioned JSON::

    {"format": "pooling-visualizer-stack", "version": 1,
     "input": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],          # optional: (H, W), (C, H, W) or
                                                            #   (1, C, H, W)
     "layers": [
        {"op": "conv2d", "weight": [[1, 0], [0, -1]], "bias": [0.5], "padding": 1},
        {"op": "relu"},
        {"op": "max_pool2d", "kernel_size": 2, "stride": 2}]}

A layer is an operation of the registry (by its PyTorch name or alias) with that operation's
PyTorch keyword arguments; a layer whose operation takes a weight gives it as ``"weight"``
((kH, kW) for one channel in and out, or (C_out, C_in, kH, kW) in PyTorch's layout) and may
give ``"bias"`` (one number per output channel, or one number for all).  Parameters are
checked by the registry's :class:`~engine.ops.ParamSpec` (the same rules as the parameter
panel's controls), the whole stack by :func:`engine.check_stack` on the input, so a malformed
file is refused with a message naming the layer and the parameter:
``layer 3 (max_pool2d): kernel_size (9) must be between 1 and 4096``.

:class:`StackDoc` is the stack as the document holds it (frozen; arrays never change in
place); :func:`compute_stack` runs it once per edit through the engine (forward, then the
backward from dY = ones or from one chosen output cell) and :class:`StackResults` holds every
level's values and gradients, and each layer's single-operation trace once stepping needs it;
:class:`StackCursor` is the stepping position (forward through the layers, then backward:
each layer window by window, its trace's steps, or one step per layer).
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from engine import Step, Trace, format_number
from engine.errors import Message, ParameterError
from engine.ops import OpSpec, ParamSpec, conv2d, conv_transpose2d, get_op
from engine.ops.common import MAX_WINDOW
from engine.ops.spec import QT_TR_NOOP
from engine.stack import (
    LAYER_ERROR,
    LayerShape,
    StackFields,
    check_stack,
    projective_field_masks,
    receptive_field_masks,
    stack_forward_backward,
    stack_layer_steps,
    stack_layer_trace,
    stack_shapes,
)
from engine.trace import Update, cell_name, term, update_lines
from visualizer.data import resized
from visualizer.limits import (
    INPUT_MAX_SIDE,
    PRESET_MAX_BYTES,
    SESSION_MAX_CHANNELS,
    SESSION_MAX_SIDE,
)
from visualizer.safe_io import UnreadableFileError, read_text_file

STACK_FORMAT = "pooling-visualizer-stack"
STACK_VERSION = 1
STACK_MAX_BYTES = PRESET_MAX_BYTES  # checked before a byte is read
STACK_MAX_LAYERS = 32
STACK_MAX_CHANNELS = SESSION_MAX_CHANNELS  # a stack file holds what a session may
STACK_FILE = Message(QT_TR_NOOP("stack"))  # "… larger than a stack file may be"

# The file's own rules (layer rules are the registry's and the engine's, which name the layer).
NOT_A_STACK = QT_TR_NOOP(
    'this is not a Pooling Visualizer stack (no "format": "pooling-visualizer-stack")'
)
NEWER_VERSION = QT_TR_NOOP(
    "the file is stack version {version}, written by a newer Pooling Visualizer; "
    "this version reads version {supported}"
)
FIELD_TYPE = QT_TR_NOOP("{field} must be {kind}")
UNKNOWN_FIELDS = QT_TR_NOOP("unknown fields {fields}; allowed: {allowed}")
TOO_MANY_LAYERS = QT_TR_NOOP("a stack has at most {limit} layers, this one has {count}")
NOT_JSON = QT_TR_NOOP("not a valid JSON file ({reason})")
UNKNOWN_OP = QT_TR_NOOP('"op" ({value}) must be one of {choices}')
NOT_A_LAYER_OP = QT_TR_NOOP("{op} cannot be a layer: its call does not start from an input")
UNKNOWN_PARAMETER = QT_TR_NOOP("unknown parameter {name}; it takes {names}")
NEEDS_PARAMETER = QT_TR_NOOP("the layer needs {name}")
ARRAY_RULE = QT_TR_NOOP("{field} must be a rectangular list of numbers with {ranks} dimensions")
ARRAY_SIZE = QT_TR_NOOP("{field} ({shape}) must be between 1 and {limit} per side")
BIAS_RULE = QT_TR_NOOP("bias must be one number or one number per output channel ({channels})")
KERNEL_RESIZE = QT_TR_NOOP("kernel_size ({value}) must be between 1 and {limit}")

KIND_OBJECT = QT_TR_NOOP("an object")
KIND_LIST = QT_TR_NOOP("a list of layers")
KIND_INT = QT_TR_NOOP("an integer")

# The step texts of the stepping line ("layer 2 (relu): …").
FORWARD_TEXT = QT_TR_NOOP("layer {layer} ({op}): {input} → {output}; {formula}")
BACKWARD_TEXT = QT_TR_NOOP(
    "layer {layer} ({op}) backward: dY {output} → dX {input}; dX sums to {total}, "
    "largest |dX| = {largest}"
)
INPUT_TEXT = QT_TR_NOOP("the input {input}; no layers yet")
# Stepping window by window: the operation's own arithmetic, after the layer's name.
WINDOW_FORWARD_TEXT = QT_TR_NOOP("layer {layer} ({op}): {cell} = {text}")
WINDOW_SCATTER_TEXT = QT_TR_NOOP("layer {layer} ({op}): {text}")
WINDOW_BACKWARD_TEXT = QT_TR_NOOP("layer {layer} ({op}) backward: {text}")
# A weighted layer's backward sentence without its dW (and db) clause: a stack shows no weight
# gradients (see step_lines), and "each weight's dW gets …" named a view that was not there.
STACK_SPREAD = QT_TR_NOOP("{position}: each window cell's dX gets {dy}·its weight")
STACK_GATHER = QT_TR_NOOP("dX[{row}, {col}] = Σ dY·W over its patch = {terms} = {total}")
_STACK_BACKWARD = {
    conv2d.SPREAD: STACK_SPREAD,
    conv2d.SPREAD_BIAS: STACK_SPREAD,
    conv_transpose2d.GATHER: STACK_GATHER,
    conv_transpose2d.GATHER_UNREACHED: STACK_GATHER,
}
GRAD_ONES = QT_TR_NOOP("dY = ones")
GRAD_CELL = QT_TR_NOOP("dY = 1 at output [{row}, {col}], 0 elsewhere")

_TOP_KEYS = ("format", "version", "input", "layers", "title", "title_zh", "explanation",
             "explanation_zh")  # fmt: skip
#: How Stack mode steps: each layer window by window (as single-operation mode), or one step
#: per layer.  The first is the default.
STEPPINGS = ("windows", "layers")


# ---- layers -------------------------------------------------------------------------------------
def layer_ops() -> list[OpSpec]:
    """Operations that can be a layer (their call starts from the previous layer's output)."""
    from engine.ops import OPS

    return [spec for spec in OPS.values() if spec.call_tensors[0] == "input"]


def layer_params(spec: OpSpec) -> list[ParamSpec]:
    """The parameters a layer of ``spec`` sets: those its engine function takes, plus the
    kernel size of an operation with a weight (the weight's shape)."""
    return [p for p in spec.params if p.engine or (spec.has_weight and p.name == "kernel_size")]


def _defaults_to_kernel(spec: OpSpec, name: str) -> bool:
    """PyTorch's rule for a pooling's stride: ``None`` means the kernel size."""
    import inspect

    import engine

    function = getattr(engine, spec.numpy_call)
    parameter = inspect.signature(function).parameters.get(name)
    return (
        name == "stride"  # not divisor_override, whose None means "the window's size"
        and parameter is not None
        and parameter.default is None
        and spec.has_param("kernel_size")
        and not spec.has_weight
    )


@dataclass(frozen=True, eq=False)
class StackLayer:
    """One layer: its operation, its keyword arguments (canonical values), weight and bias.

    ``params`` holds every parameter of :func:`layer_params` except the kernel size of an
    operation with a weight, which is the weight's shape.
    """

    op: str
    params: tuple[tuple[str, Any], ...] = ()
    weight: np.ndarray | None = None  # (C_out, C_in, kH, kW) (conv_transpose2d: C_in first)
    bias: np.ndarray | None = None  # (C_out,)

    @property
    def spec(self) -> OpSpec:
        return get_op(self.op)

    def value(self, name: str) -> Any:
        """The value of parameter ``name`` (a weight's kernel size from its shape)."""
        if name == "kernel_size" and self.weight is not None:
            return tuple(int(v) for v in self.weight.shape[2:])
        return dict(self.params).get(name, self.spec.param(name).default)

    def engine_layer(self) -> dict[str, Any]:
        """The layer as :mod:`engine.stack` takes it."""
        layer: dict[str, Any] = {"op": self.op, **dict(self.params)}
        names = self.spec.call_tensors
        if "weight" in names:
            layer["weight"] = self.weight
        if "bias" in names and self.bias is not None:
            layer["bias"] = self.bias
        return layer

    def with_param(self, name: str, value: object) -> StackLayer:
        """This layer with parameter ``name`` set (checked by its ParamSpec: ValueError)."""
        spec = self.spec
        checked: Any = spec.param(name).coerce(value)
        if name == "kernel_size" and self.weight is not None:
            if max(checked) > MAX_WINDOW:
                raise ParameterError(KERNEL_RESIZE, value=checked, limit=MAX_WINDOW)
            return replace(self, weight=resized(self.weight, *checked))
        params = dict(self.params)
        params[name] = checked
        return replace(self, params=tuple(params.items()))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"op": self.op}
        for name, value in self.params:
            data[name] = list(value) if isinstance(value, tuple) else value
        if self.weight is not None:
            data["weight"] = _array_json(self.weight)
        if self.bias is not None:
            data["bias"] = [_number_json(v) for v in self.bias]
        return data


def default_layer(op: str, in_channels: int = 1) -> StackLayer:
    """A new layer of ``op`` with the registry's defaults (a weight: 3×3 ones / 9, one output
    channel per input channel's sum)."""
    spec = get_op(op)
    params: dict[str, Any] = {}
    for p in layer_params(spec):
        if spec.has_weight and p.name == "kernel_size":
            continue
        params[p.name] = p.default
    weight = bias = None
    if spec.has_weight:
        axis = spec.weight_in_axis
        shape = [1, 1, 3, 3]
        shape[axis] = in_channels
        weight = np.full(shape, 1.0 / 9.0)
        bias = np.zeros(1)
    return StackLayer(spec.key, tuple(params.items()), weight, bias)


# ---- the document -------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class StackDoc:
    """The stack in the document: its input, its layers, whether Stack mode is open, and
    where the backward pass starts (``grad_cell``: dY = 1 at that output cell; None: ones),
    and how stepping goes (``stepping``: ``"windows"``, each layer window by window as in
    single-operation mode; ``"layers"``, one step per layer)."""

    x: np.ndarray  # (1, C, H, W)
    layers: tuple[StackLayer, ...] = ()
    open: bool = True
    grad_cell: tuple[int, int] | None = None
    stepping: str = "windows"

    def engine_layers(self) -> list[dict[str, Any]]:
        return [layer.engine_layer() for layer in self.layers]

    def with_layers(self, layers: Sequence[StackLayer]) -> StackDoc:
        return replace(self, layers=tuple(layers), grad_cell=None)

    def to_json(self) -> dict[str, Any]:
        """The stack file's content (also what a session stores under ``"stack"``)."""
        data: dict[str, Any] = {
            "format": STACK_FORMAT,
            "version": STACK_VERSION,
            "input": _array_json(self.x),
            "layers": [layer.to_json() for layer in self.layers],
        }
        if not self.open:
            data["open"] = False
        if self.grad_cell is not None:
            data["grad_cell"] = list(self.grad_cell)
        if self.stepping != STEPPINGS[0]:
            data["stepping"] = self.stepping
        return data

    def same_as(self, other: StackDoc | None) -> bool:
        """Whether ``other`` holds the same stack (arrays compared by value)."""
        return other is not None and json.dumps(self.to_json()) == json.dumps(other.to_json())


def _number_json(v: float) -> float | int | str:
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return int(v) if v.is_integer() and abs(v) < 2**53 else v


def _array_json(a: np.ndarray) -> Any:
    if a.ndim == 0:
        return _number_json(float(a))
    return [_array_json(sub) for sub in a]


# ---- reading a stack file (messages are templates, translated when shown) -------------------
def _layer_error(index: int, op: object, reason: object) -> ParameterError:
    return ParameterError(LAYER_ERROR, layer=index + 1, op=op, reason=reason)


def _reason(exc: ValueError) -> object:
    if isinstance(exc, ParameterError):
        return Message(exc.template, **exc.fields)
    return str(exc)


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _array(value: object, field: str, ranks: tuple[int, ...], limit: int) -> np.ndarray:
    """A rectangular nested list of finite numbers with one of ``ranks`` dimensions."""
    shape: list[int] = []
    probe = value
    while isinstance(probe, list):
        shape.append(len(probe))
        if not probe:
            break
        probe = probe[0]
    rule = ParameterError(ARRAY_RULE, field=field, ranks=" or ".join(map(str, ranks)))
    if len(shape) not in ranks or 0 in shape:
        raise rule
    if any(side > limit for side in shape[-2:]) or math.prod(shape) > limit * limit * 4:
        raise ParameterError(ARRAY_SIZE, field=field, shape="×".join(map(str, shape)), limit=limit)
    flat: list[float] = []

    def walk(node: object, depth: int) -> None:
        if depth == len(shape):
            if not _is_number(node) or not math.isfinite(float(node)):  # type: ignore[arg-type]
                raise rule
            flat.append(float(node))  # type: ignore[arg-type]
            return
        if not isinstance(node, list) or len(node) != shape[depth]:
            raise rule
        for item in node:
            walk(item, depth + 1)

    try:
        walk(value, 0)
    except (OverflowError, RecursionError):
        raise rule from None
    return np.array(flat, dtype=float).reshape(shape)


def input_from_json(value: object) -> np.ndarray:
    """A stack's input as (1, C, H, W)."""
    x = _array(value, "input", (2, 3, 4), INPUT_MAX_SIDE)
    if x.ndim == 4 and x.shape[0] != 1:
        raise ParameterError(ARRAY_RULE, field="input", ranks="2, 3 or 4 (one sample)")
    x = x.reshape((1,) * (4 - x.ndim) + x.shape)
    if x.shape[1] > STACK_MAX_CHANNELS:
        raise ParameterError(ARRAY_SIZE, field="input", shape=x.shape[1], limit=STACK_MAX_CHANNELS)
    return x


def layer_from_json(index: int, raw: object) -> StackLayer:
    """One layer of a stack file; ``ParameterError`` naming the layer and the parameter."""
    if not isinstance(raw, dict):
        raise _layer_error(index, "?", Message(FIELD_TYPE, field=f"layers[{index}]",
                                               kind=Message(KIND_OBJECT)))  # fmt: skip
    op = raw.get("op")
    try:
        if not isinstance(op, str):
            raise ValueError
        spec = get_op(op)
    except ValueError:
        choices = ", ".join(s.key for s in layer_ops())
        reason = Message(UNKNOWN_OP, value=f"{op!r:.40}", choices=choices)
        raise _layer_error(index, "?", reason) from None
    if spec.call_tensors[0] != "input":
        raise _layer_error(index, spec.key, Message(NOT_A_LAYER_OP, op=spec.key))
    specs = {p.name: p for p in layer_params(spec) if not (spec.has_weight and
                                                          p.name == "kernel_size")}  # fmt: skip
    tensors = [name for name in spec.call_tensors[1:]]
    unknown = [k for k in raw if k != "op" and k not in specs and k not in tensors]
    if unknown:
        names = ", ".join([*tensors, *specs]) or "—"
        reason = Message(UNKNOWN_PARAMETER, name=repr(unknown[0]), names=names)
        raise _layer_error(index, spec.key, reason)
    params: dict[str, Any] = {}
    for name, p in specs.items():
        if name in raw:
            try:
                params[name] = p.coerce(raw[name])
            except ValueError as exc:
                raise _layer_error(index, spec.key, _reason(exc)) from None
        elif not _defaults_to_kernel(spec, name):
            params[name] = p.default
    for name in specs:  # a pooling's stride defaults to its kernel size, as in PyTorch
        if name not in params and "kernel_size" in params:
            params[name] = params["kernel_size"]
    weight = bias = None
    if "weight" in tensors:
        if "weight" not in raw:
            raise _layer_error(index, spec.key, Message(NEEDS_PARAMETER, name="weight"))
        try:
            weight = _array(raw["weight"], "weight", (2, 4), MAX_WINDOW * 4)
        except ValueError as exc:
            raise _layer_error(index, spec.key, _reason(exc)) from None
        weight = weight.reshape((1,) * (4 - weight.ndim) + weight.shape)
    if "bias" in tensors and raw.get("bias") is not None and weight is not None:
        channels = weight.shape[1 - spec.weight_in_axis]
        value = raw["bias"]
        if _is_number(value) and math.isfinite(float(value)):
            bias = np.full(channels, float(value))
        else:
            try:
                bias = _array(value, "bias", (1,), SESSION_MAX_SIDE)
            except ValueError:
                bias = None
            if bias is None or bias.shape != (channels,):
                reason = Message(BIAS_RULE, channels=channels)
                raise _layer_error(index, spec.key, reason) from None
    return StackLayer(spec.key, tuple(params.items()), weight, bias)


def stack_from_json(data: object, default_input: np.ndarray | None = None) -> StackDoc:
    """Check a decoded stack file and build a :class:`StackDoc`.

    ``default_input`` (N, C, H, W) is used when the file gives no ``"input"`` (its first
    sample).  Raises ``ParameterError`` (a ValueError) naming the field, or the layer and the
    parameter; the stack is checked by the engine on its input (shapes, channels, sizes).
    """
    if not isinstance(data, dict) or data.get("format") != STACK_FORMAT:
        raise ParameterError(NOT_A_STACK)
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise ParameterError(FIELD_TYPE, field="version", kind=Message(KIND_INT))
    if version > STACK_VERSION:
        raise ParameterError(NEWER_VERSION, version=version, supported=STACK_VERSION)
    allowed = (*_TOP_KEYS, "open", "grad_cell", "stepping")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ParameterError(UNKNOWN_FIELDS, fields=", ".join(unknown), allowed=", ".join(allowed))
    raw_layers = data.get("layers", [])
    if not isinstance(raw_layers, list):
        raise ParameterError(FIELD_TYPE, field="layers", kind=Message(KIND_LIST))
    if len(raw_layers) > STACK_MAX_LAYERS:
        raise ParameterError(TOO_MANY_LAYERS, limit=STACK_MAX_LAYERS, count=len(raw_layers))
    if "input" in data:
        x = input_from_json(data["input"])
    elif default_input is not None:
        x = np.asarray(default_input, dtype=float)[:1].copy()
    else:
        x = np.arange(1.0, 65.0).reshape(1, 1, 8, 8)
    layers = tuple(layer_from_json(i, raw) for i, raw in enumerate(raw_layers))
    is_open = data.get("open", True)
    if type(is_open) is not bool:
        raise ParameterError(FIELD_TYPE, field="open", kind="true/false")
    stepping = data.get("stepping", STEPPINGS[0])
    if stepping not in STEPPINGS:
        raise ParameterError(FIELD_TYPE, field="stepping", kind=" or ".join(map(repr, STEPPINGS)))
    doc = StackDoc(x, layers, is_open, stepping=stepping)
    check(doc)
    cell = data.get("grad_cell")
    if cell is not None:
        sizes = level_sizes(doc)
        if (
            not isinstance(cell, list)
            or len(cell) != 2
            or not all(type(v) is int for v in cell)
            or not (0 <= cell[0] < sizes[-1][0] and 0 <= cell[1] < sizes[-1][1])
        ):
            raise ParameterError(FIELD_TYPE, field="grad_cell", kind="[row, col] in the output")
        doc = replace(doc, grad_cell=(cell[0], cell[1]))
    return doc


def read_stack_file(path: str | Path, default_input: np.ndarray | None = None) -> StackDoc:
    """Read a stack file: a regular file of at most :data:`STACK_MAX_BYTES`, checked whole.

    Raises
    ------
    ValueError
        (:class:`~visualizer.safe_io.UnreadableFileError`) naming the file and the reason.
    """
    path = Path(path)
    text = read_text_file(path, STACK_MAX_BYTES, STACK_FILE)
    try:
        data = json.loads(text)
    except RecursionError:
        raise UnreadableFileError(path, Message(NOT_JSON, reason="nested too deeply")) from None
    except ValueError as exc:
        raise UnreadableFileError(path, Message(NOT_JSON, reason=str(exc))) from None
    try:
        return stack_from_json(data, default_input)
    except ParameterError as exc:
        raise UnreadableFileError(path, Message(exc.template, **exc.fields)) from None


def stack_text(doc: StackDoc) -> str:
    """The stack file's text (JSON)."""
    return json.dumps(doc.to_json(), indent=1) + "\n"


# ---- computation --------------------------------------------------------------------------------
def shapes(doc: StackDoc) -> list[LayerShape]:
    """The engine's shape table of ``doc`` (rows of an invalid stack carry its error)."""
    return stack_shapes(doc.engine_layers(), doc.x.shape)


def check(doc: StackDoc) -> list[LayerShape]:
    """The shape table, or the first invalid layer's ``ParameterError`` (it names the layer)."""
    return check_stack(doc.engine_layers(), doc.x.shape)


def level_sizes(doc: StackDoc, rows: list[LayerShape] | None = None) -> list[tuple[int, int]]:
    """(H, W) of the input and of every layer's output (a valid stack)."""
    rows = check(doc) if rows is None else rows
    sizes = [(int(doc.x.shape[2]), int(doc.x.shape[3]))]
    for row in rows:
        assert row.output_shape is not None
        sizes.append((int(row.output_shape[-2]), int(row.output_shape[-1])))
    return sizes


@dataclass(frozen=True, eq=False)
class StackResults:
    """One computation of a stack: every level's values and gradients.

    Level 0 is the input, level ``l`` the output of layer ``l`` (counted from 1).
    """

    doc: StackDoc
    rows: list[LayerShape]
    outputs: list[np.ndarray]  # one (1, C, H, W) per layer
    grads: list[dict[str, np.ndarray | None]]  # the engine's, one per layer
    grad_output: np.ndarray  # dY of the last layer's output
    sizes: list[tuple[int, int]] = field(default_factory=list)
    # Each layer's trace of one plane, made the first time stepping needs it, then kept:
    # (layer, output channel, input channel) -> Trace.
    _traces: dict[tuple[int, int, int], Trace] = field(default_factory=dict, repr=False)
    # The last step record asked for (its text, cells and lines are read several times a step).
    _step: dict[tuple[int, int, str, int], Step] = field(default_factory=dict, repr=False)

    @property
    def n_layers(self) -> int:
        return len(self.outputs)

    @cached_property
    def fields(self) -> StackFields:
        """The stack's receptive and projective fields, its layers' windows worked out once
        (hovering cells asks for a field on every move of the mouse)."""
        return StackFields(self.doc.engine_layers(), self.doc.x.shape)

    def layer_steps(self) -> tuple[int, ...]:
        """Steps of each layer in one phase, as the document's stepping counts them: its
        windows (``"windows"``: its trace's steps, from the engine) or one (``"layers"``)."""
        if self.doc.stepping != "windows" or not self.outputs:
            return (1,) * self.n_layers
        return tuple(stack_layer_steps(self.doc.engine_layers(), self.doc.x.shape))

    def trace(self, layer: int, channel: int = 0, out_channel: int | None = None) -> Trace:
        """The single-operation trace of layer ``layer`` (0-based) for the view's ``channel``
        (clamped to the layer's output and input channels; ``out_channel``, when given, the
        output channel traced instead); made once, then kept."""
        c_out = min(
            channel if out_channel is None else out_channel, self.outputs[layer].shape[1] - 1
        )
        c_in = min(channel, self.level(layer).shape[1] - 1)
        key = (layer, c_out, c_in)
        found = self._traces.get(key)
        if found is None:
            found = stack_layer_trace(
                self.doc.layers[layer].engine_layer(),
                self.level(layer),
                self.outputs[layer],
                self.level_grad(layer + 1),
                self.grads[layer],
                channel=c_out,
                in_channel=c_in,
                index=layer,
            )
            self._traces[key] = found
        return found

    def level(self, level: int) -> np.ndarray:
        """Values of level ``level`` (1, C, H, W)."""
        return self.doc.x if level == 0 else self.outputs[level - 1]

    def level_grad(self, level: int) -> np.ndarray:
        """dL/d(level ``level``) (1, C, H, W)."""
        if level == self.n_layers:
            return self.grad_output
        grad = self.grads[level]["input"]
        assert grad is not None
        return grad


def grad_output_for(doc: StackDoc, out_shape: tuple[int, ...]) -> np.ndarray:
    """dY: ones, or 1 at ``doc.grad_cell`` of every channel and 0 elsewhere."""
    if doc.grad_cell is None:
        return np.ones(out_shape)
    dy = np.zeros(out_shape)
    dy[..., doc.grad_cell[0], doc.grad_cell[1]] = 1.0
    return dy


def compute_stack(doc: StackDoc) -> StackResults:
    """Run ``doc`` once, forward and backward; ``ParameterError`` naming the invalid layer."""
    rows = check(doc)
    sizes = level_sizes(doc, rows)
    layers = doc.engine_layers()
    if not layers:
        return StackResults(doc, rows, [], [], np.ones(doc.x.shape), sizes)
    out_shape = tuple(int(v) for v in rows[-1].output_shape or ())
    dy = grad_output_for(doc, out_shape)
    outputs, grads = stack_forward_backward(doc.x, layers, dy)
    return StackResults(doc, rows, [np.asarray(o, dtype=float) for o in outputs], grads, dy, sizes)


def receptive_masks(
    doc: StackDoc, level: int, cell: tuple[int, int], fields: StackFields | None = None
) -> list[np.ndarray]:
    """Cells of levels ``0 .. level`` that cell ``cell`` of level ``level`` depends on
    (``fields``: ``doc``'s, made once, see :attr:`StackResults.fields`)."""
    layers = doc.engine_layers()
    if level == 0:
        return projective_field_masks(layers[:0], doc.x.shape, cell)
    if fields is not None:
        return fields.receptive(cell, level - 1)
    return receptive_field_masks(layers[:level], doc.x.shape, cell, layer=level - 1)


def projective_masks(
    doc: StackDoc, level: int, cell: tuple[int, int], fields: StackFields | None = None
) -> list[np.ndarray]:
    """Cells of levels ``level .. L`` that depend on cell ``cell`` of level ``level``
    (``fields``: ``doc``'s, made once, see :attr:`StackResults.fields`)."""
    if fields is not None:
        return fields.projective(cell, level)
    return projective_field_masks(doc.engine_layers(), doc.x.shape, cell, level=level)


# ---- stepping -----------------------------------------------------------------------------------
@dataclass
class StackCursor:
    """Where stepping is: forward through layers 1 … L, then backward through L … 1, each
    layer taking ``counts[k]`` steps in each phase (one step per layer ``"by layer"``, its
    windows ``"by window"``): ``2·sum(counts)`` steps (one step for an empty stack)."""

    counts: tuple[int, ...] = ()
    step: int = 0

    @property
    def n_layers(self) -> int:
        return len(self.counts)

    @property
    def n_forward(self) -> int:
        """Steps of the forward phase (as many as the backward phase)."""
        return sum(self.counts)

    @property
    def n_steps(self) -> int:
        return max(1, 2 * self.n_forward)

    @property
    def phase(self) -> str:
        return "forward" if self.step < max(1, self.n_forward) else "backward"

    def _position(self, step: int) -> tuple[int, int]:
        """(layer, window) of ``step`` (layer -1 for an empty stack)."""
        if not self.counts:
            return -1, 0
        forward = step < self.n_forward
        within = step if forward else step - self.n_forward
        order = range(self.n_layers) if forward else range(self.n_layers - 1, -1, -1)
        for k in order:
            if within < self.counts[k]:
                return k, within
            within -= self.counts[k]
        return (self.n_layers - 1 if forward else 0), 0

    @property
    def layer(self) -> int:
        """The layer (0-based) of the current step."""
        return self._position(self.step)[0]

    @property
    def window(self) -> int:
        """The window of the current step within its layer and phase (0 ``"by layer"``)."""
        return self._position(self.step)[1]

    def start_of(self, phase: str, layer: int) -> int:
        """The first step of ``layer`` in ``phase``."""
        if phase == "forward":
            return sum(self.counts[:layer])
        return self.n_forward + sum(self.counts[layer + 1 :])

    def clamp(self, step: int) -> int:
        return max(0, min(int(step), self.n_steps - 1))

    def resize(self, counts: tuple[int, ...]) -> None:
        """New results (or another stepping): the same phase, layer and window where they
        still exist (a layer stepped as one step starts again at its first window)."""
        backward = self.phase == "backward" and self.n_forward > 0
        layer, window = self._position(self.step)
        self.counts = tuple(int(n) for n in counts)
        if not self.counts:
            self.step = 0
            return
        layer = max(0, min(layer, self.n_layers - 1))
        window = min(window, self.counts[layer] - 1)
        self.step = self.clamp(self.start_of("backward" if backward else "forward", layer) + window)

    def filling(self) -> bool:
        """Whether the current layer is still being filled in (a step before its last
        window): its output (forward) or its input gradient (backward) is partial."""
        return self.n_layers > 0 and self.window < self.counts[self.layer] - 1

    def shown_values(self, level: int) -> bool:
        """Whether level ``level``'s values are computed (at least partly) at this step."""
        return self.phase == "backward" or level <= self.layer + 1

    def shown_grad(self, level: int) -> bool:
        """Whether level ``level``'s gradient is filled in (at least partly) at this step."""
        return self.phase == "backward" and self.n_layers > 0 and level >= self.layer


def _shape_text(shape: Sequence[int] | None) -> str:
    return "×".join(str(int(v)) for v in shape or ())


def formula_numbers(line: str) -> str:
    """``H_out = <formula> = <numbers> = 14`` without the symbolic formula (the shape table
    has it): ``H_out = <numbers> = 14``."""
    parts = line.split(" = ")
    return line if len(parts) <= 3 else " = ".join([parts[0], *parts[-2:]])


def current_step(results: StackResults, cursor: StackCursor, channel: int = 0) -> Step | None:
    """The engine's record of the current window step (None when stepping ``"by layer"``)."""
    if results.doc.stepping != "windows" or not 0 <= cursor.layer < results.n_layers:
        return None
    key = (cursor.layer, channel, cursor.phase, cursor.window)
    found = results._step.get(key)
    if found is None:
        found = results.trace(cursor.layer, channel).step(cursor.phase, cursor.window)
        results._step.clear()
        results._step[key] = found
    return found


Cells = dict[tuple[int, int], set[str]]


def step_cells(
    results: StackResults, cursor: StackCursor, channel: int = 0
) -> tuple[dict[int, Cells], dict[int, Cells]]:
    """Cells the current window step marks, with their roles (the engine's
    :class:`~engine.StepCell` roles): ``(on the value views, on the gradient views)``, by
    level.  The layer's input is level ``k``, its output level ``k + 1``; cells of other
    channels than the shown one, and padding cells (outside every level), are left out."""
    step = current_step(results, cursor, channel)
    values: dict[int, Cells] = {}
    grads: dict[int, Cells] = {}
    if step is None:
        return values, grads
    k = cursor.layer
    trace = results.trace(k, channel)
    # A trace of several input planes (a convolution) names their channels; one plane is 0.
    in_channel = min(channel, trace.x.shape[0] - 1) if trace.x.shape[0] > 1 else 0
    where = {
        "input": (values, k),
        "output": (values, k + 1),
        "grad_input": (grads, k),
        "grad_output": (grads, k + 1),
    }
    for cell in step.cells:
        target = where.get(cell.view)
        if target is None or (cell.view in ("input", "grad_input") and cell.channel != in_channel):
            continue
        by_level, level = target
        (r, c), (h, w) = cell.pos, results.sizes[level]
        if 0 <= r < h and 0 <= c < w:
            by_level.setdefault(level, {}).setdefault((r, c), set()).add(cell.role)
    return values, grads


def step_notes(
    results: StackResults, cursor: StackCursor, channel: int = 0
) -> dict[int, dict[tuple[int, int], str]]:
    """Numbers printed small in cells of the current window step, by level: a convolution
    window's weights on the layer's input, as single-operation mode prints them
    (``StepCell.note``); the shown channel's only."""
    step = current_step(results, cursor, channel)
    if step is None:
        return {}
    k = cursor.layer
    trace = results.trace(k, channel)
    in_channel = min(channel, trace.x.shape[0] - 1) if trace.x.shape[0] > 1 else 0
    (h, w) = results.sizes[k]
    notes: dict[tuple[int, int], str] = {}
    for cell in step.listed:  # notes are on listed cells only (a block of cells has none)
        r, c = cell.pos
        if cell.note and cell.view == "input" and cell.channel == in_channel:
            if 0 <= r < h and 0 <= c < w:
                notes[(r, c)] = cell.note
    return {k: notes} if notes else {}


def value_plane(
    results: StackResults, cursor: StackCursor, level: int, channel: int = 0
) -> tuple[np.ndarray, np.ndarray | None]:
    """Level ``level``'s plane as the step has it and the cells not computed yet (None: all
    computed): the layer being stepped window by window shows the windows done so far (its
    trace's), a later layer nothing yet."""
    values = results.level(level)
    c = min(channel, values.shape[1] - 1)
    if not cursor.shown_values(level):
        blank = np.full(values.shape[2:], np.nan)
        return blank, np.ones(blank.shape, bool)
    if cursor.phase == "forward" and level == cursor.layer + 1 and cursor.filling():
        trace = results.trace(cursor.layer, channel)
        plane = trace.output_after(cursor.window)
        if trace.accumulation("output") is not None:  # a scatter adds patches onto zeros
            return plane, None
        pending = np.zeros(plane.shape, dtype=bool)
        pending.flat[cursor.window + 1 :] = True
        return plane, pending
    return values[0, c], None


def grad_plane(
    results: StackResults, cursor: StackCursor, level: int, channel: int = 0
) -> tuple[np.ndarray, bool]:
    """dL/d(level ``level``) as the step has it, and whether it is (at least partly) filled
    in: the layer being stepped back window by window shows what its windows sent so far."""
    grad = results.level_grad(level)
    c = min(channel, grad.shape[1] - 1)
    if not cursor.shown_grad(level):
        return np.zeros(grad.shape[2:]), False
    if level == cursor.layer and cursor.filling():
        return _grad_input_after(results, cursor.layer, channel, cursor.window), True
    return grad[0, c], True


def _feeding_channels(results: StackResults, layer: int, channel: int) -> range:
    """The output channels whose windows add to the shown input plane of layer ``layer``'s
    gradient: every one for a layer whose trace holds every input plane (a convolution: each
    output channel's kernels read every input channel), the shown one's trace alone for a
    layer working plane by plane (pooling, ReLU)."""
    trace = results.trace(layer, channel)
    channels = results.outputs[layer].shape[1]
    if channels > 1 and trace.x.shape[0] == results.level(layer).shape[1]:
        return range(channels)
    return range(min(channel, channels - 1), min(channel, channels - 1) + 1)


def _grad_input_after(results: StackResults, layer: int, channel: int, window: int) -> np.ndarray:
    """The shown input plane of layer ``layer``'s gradient once its windows ``0 .. window``
    have sent theirs back, from every output channel (a window step of a layer with several
    output channels is that window position in each of them: each channel's trace ends on
    its own share, and one share alone jumped to the whole gradient after the layer's last
    step).  ``window = -1``: zeros."""
    trace = results.trace(layer, channel)
    in_channel = min(channel, trace.x.shape[0] - 1) if trace.x.shape[0] > 1 else 0
    if window < 0:
        return np.zeros(trace.x.shape[1:])
    feeding = _feeding_channels(results, layer, channel)
    if len(feeding) == 1:
        return trace.grad_input_after(window)[in_channel]
    shares = [
        results.trace(layer, channel, out_channel=c).grad_input_after(window)[in_channel]
        for c in feeding
    ]
    return np.sum(shares, axis=0)


def step_lines(results: StackResults, cursor: StackCursor, channel: int = 0) -> tuple[str, ...]:
    """The arithmetic of every cell of the shown input gradient a backward window step adds
    to (``dX[1, 0]: 0 + 1 = 1``), as single-operation mode writes it; none otherwise.  A
    stack shows no weight gradients: their lines are left out."""
    step = current_step(results, cursor, channel)
    if step is None or not step.lines or not step.updates:
        return () if step is None else step.lines
    trace = results.trace(cursor.layer, channel)
    in_channel = min(channel, trace.x.shape[0] - 1) if trace.x.shape[0] > 1 else 0
    shown = tuple(u for u in step.updates if u.view == "grad_input" and u.channel == in_channel)
    feeding = _feeding_channels(results, cursor.layer, channel)
    if len(feeding) > 1 and shown:
        shown = _summed_updates(results, cursor, channel, in_channel, shown, feeding)
    return update_lines(shown)


def _term_of(update: Update) -> str:
    """The term an update's text adds (``1·2`` of ``dX[1, 0]: 0 + 1·2 = 2``)."""
    text = update.text
    head = f": {format_number(update.before)} + "
    tail = f" = {format_number(update.after)}"
    start = text.find(head)
    if start < 0 or not text.endswith(tail):
        return term(update.amount)
    return text[start + len(head) : len(text) - len(tail)]


def _summed_updates(
    results: StackResults,
    cursor: StackCursor,
    channel: int,
    in_channel: int,
    shown: tuple[Update, ...],
    feeding: range,
) -> tuple[Update, ...]:
    """The shown channel's updates of a window step rewritten with every output channel's
    term for the cell, from the gradient before the step to after it, as the view shows
    them: ``dX[1, 0]: 0 + 1·2 + 1·(-1) = 1``."""
    k, window = cursor.layer, cursor.window
    terms: dict[tuple[int, int], list[str]] = {}
    for c in feeding:
        step = results.trace(k, channel, out_channel=c).step("backward", window)
        for u in step.updates:
            if u.view == "grad_input" and u.channel == in_channel:
                terms.setdefault(u.pos, []).append(_term_of(u))
    before = _grad_input_after(results, k, channel, window - 1)
    after = _grad_input_after(results, k, channel, window)
    out = []
    for u in shown:
        name = u.text.split(": ", 1)[0]
        b, a = float(before[u.pos]), float(after[u.pos])
        added = " + ".join(terms.get(u.pos, [_term_of(u)]))
        text = f"{name}: {format_number(b)} + {added} = {format_number(a)}"
        out.append(replace(u, before=b, amount=a - b, after=a, text=text))
    return tuple(out)


def next_row_step(results: StackResults, cursor: StackCursor, channel: int = 0) -> int:
    """The step that starts the next row of the current layer's windows in this phase (its
    last step on the last row; the next step when stepping by layer)."""
    if results.doc.stepping != "windows" or not 0 <= cursor.layer < results.n_layers:
        return cursor.clamp(cursor.step + 1)
    trace = results.trace(cursor.layer, channel)
    rows, cols = trace.geometry.out_size
    n = cursor.counts[cursor.layer]
    cols = cols if rows * cols == n else n  # windows not in a grid: one row
    window = min((cursor.window // cols + 1) * cols, n - 1)
    return cursor.start_of(cursor.phase, cursor.layer) + window


def step_message(results: StackResults, cursor: StackCursor, channel: int = 0) -> Message:
    """What the current step does, naming its layer (a template and its fields)."""
    if cursor.layer < 0:
        return Message(INPUT_TEXT, input=_shape_text(results.doc.x.shape[1:]))
    k = cursor.layer
    row = results.rows[k]
    step = current_step(results, cursor, channel)
    if step is not None:
        if cursor.phase == "backward":
            template = _STACK_BACKWARD.get(step.template, step.template)
            text = Message(template, **step.fields)
            return Message(WINDOW_BACKWARD_TEXT, layer=k + 1, op=row.op, text=text)
        text = Message(step.template, **step.fields)
        if results.doc.layers[k].spec.scatters:  # a step writes a patch, not one cell
            return Message(WINDOW_SCATTER_TEXT, layer=k + 1, op=row.op, text=text)
        channels = results.outputs[k].shape[1]
        c_out = min(channel, channels - 1)
        cell = cell_name("Y", c_out, step.out_pos, channels)
        return Message(WINDOW_FORWARD_TEXT, layer=k + 1, op=row.op, cell=cell, text=text)
    fields: dict[str, Any] = {
        "layer": k + 1,
        "op": row.op,
        "input": _shape_text((row.input_shape or ())[1:]),
        "output": _shape_text((row.output_shape or ())[1:]),
    }
    if cursor.phase == "forward":
        return Message(
            FORWARD_TEXT, formula="; ".join(map(formula_numbers, row.formula)) or "—", **fields
        )
    grad = results.level_grad(k)
    fields["total"] = format_number(float(grad.sum()))
    fields["largest"] = format_number(float(np.abs(grad).max()))
    return Message(BACKWARD_TEXT, **fields)


def in_channels_at(results_or_doc: StackDoc, index: int) -> int:
    """Channels of the input of layer ``index`` (from the engine's shape table)."""
    doc = results_or_doc
    if index == 0:
        return int(doc.x.shape[1])
    rows = shapes(doc)
    shape = rows[index - 1].output_shape if index - 1 < len(rows) else None
    return int(shape[1]) if shape else int(doc.x.shape[1])


def example_stack(x: np.ndarray) -> StackDoc:
    """The stack Stack mode opens with: conv 3×3 (padding 1) → ReLU → max pooling 2×2."""
    x = np.asarray(x, dtype=float)[:1, :1].copy()
    conv = default_layer("conv2d", 1)
    conv = replace(
        conv,
        weight=np.array([[[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]]]),
        bias=np.zeros(1),
        params=tuple({**dict(conv.params), "padding": (1, 1)}.items()),
    )
    pool = default_layer("max_pool2d")
    return StackDoc(x, (conv, default_layer("relu"), pool))


def stack_from_mapping(data: Mapping[str, Any]) -> StackDoc:
    """A session's ``"stack"`` entry (a stack file's content)."""
    return stack_from_json(dict(data))

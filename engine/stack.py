"""A stack of layers (conv → ReLU → pool → …): outputs, gradients, shapes and receptive fields.

A stack is an ordered list of layers.  A layer is a dict: ``"op"``, an operation of the registry
(:data:`engine.ops.OPS`, by key or alias), plus that operation's PyTorch keyword arguments;
layers whose call takes more tensors than the input carry them under their names (a
convolution's ``"weight"`` and optional ``"bias"`` arrays)::

    layers = [
        {"op": "conv2d", "weight": w1, "bias": b1, "padding": 1},
        {"op": "relu"},
        {"op": "max_pool2d", "kernel_size": 2, "stride": 2},
    ]

Every layer is computed by its operation's own engine functions, found through the registry
(``engine.<numpy_call>`` and ``engine.<numpy_call>_backward``, the call convention of
:class:`~engine.ops.OpSpec`): nothing here knows an operation by name.  Arguments a layer does
not give take the defaults of the engine function, which are PyTorch's (``stride=None`` of a
pooling is its kernel size).  An operation whose call does not start from its input (max
unpooling takes pooled values and indices) cannot be a layer.

Where a layer is invalid, :class:`~engine.errors.ParameterError` names it (numbered from 1,
as people count) and gives the engine's reason: ``layer 3 (max_pool2d): kernel_size (3) is too
large for the input (2x2) …``.

Receptive fields are structural: output cell ``(r, c)`` depends on an input cell when some
chain of window taps leads from one to the other (a max pooling depends on every tap of its
window, not only on today's winner).  Taps in any layer's padding or ``ceil_mode`` overhang
lead nowhere.  Because every window is a product of a row range and a column range, the cells
a set of rows × columns depends on are again rows × columns, so dependencies are followed one
axis at a time; dilation gaps stay gaps (:func:`receptive_field_masks`), and
:func:`receptive_field` gives their bounding rectangle.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from engine.arrays import check_grad_shape
from engine.errors import Message, ParameterError
from engine.geometry import Pair, WindowGeometry, explain_output_size, is_int, normalize_pair
from engine.ops import OpSpec, Params, get_op

#: A layer as the caller writes it: ``{"op": ..., **keyword arguments, **tensors}``.
Layer = Mapping[str, Any]

# Forward arguments that change what the call returns: not layer parameters.
_NOT_PARAMETERS = ("return_indices",)
# The keyword-only argument through which a backward reuses its forward's indices.
_INDICES = "indices"
# Input sizes to find a layer's kernel, stride and dilation without an input: the first that
# fits the layer is used (a window that changes between this size and the next follows the
# input size, as adaptive pooling's do).
_PROBES = (16, 64, 256, 1024, 4096)

#: The template of every error naming a layer (written out where it is raised, for lupdate).
LAYER_ERROR = "layer {layer} ({op}): {reason}"


# ---- parsing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Signature:
    """What a layer's engine functions take, read from their signatures."""

    tensors: tuple[tuple[str, bool], ...]  # call tensors after the input: (name, required)
    kwargs: tuple[tuple[str, Any], ...]  # forward keyword arguments and their defaults
    required: tuple[str, ...]  # forward keyword arguments without a default
    backward: tuple[tuple[str, Any], ...]  # arguments only the backward takes, with defaults
    indices: bool  # the forward returns indices the backward takes back


@dataclass(frozen=True)
class _Layer:
    """One parsed layer: its spec, tensors and keyword arguments (defaults filled in)."""

    index: int
    spec: OpSpec
    tensors: tuple[Any, ...]  # the call tensors after the input, in call order
    kwargs: dict[str, Any]
    backward: dict[str, Any]
    indices: bool

    @property
    def params(self) -> Params:
        return Params({**self.kwargs, **self.backward})

    @property
    def weight_shape(self) -> tuple[int, ...] | None:
        names = self.spec.call_tensors[1:]
        if "weight" not in names:
            return None
        weight = self.tensors[names.index("weight")]
        return tuple(np.shape(weight))


def _engine_function(name: str) -> Callable[..., Any]:
    """``engine.<name>``, looked up at every call (the package imports this module)."""
    import engine

    function: Callable[..., Any] = getattr(engine, name)
    return function


def _signature(spec: OpSpec) -> _Signature:
    return _signature_of(spec.numpy_call, spec.numpy_backward_call, spec.call_tensors)


@lru_cache(maxsize=64)
def _signature_of(forward_name: str, backward_name: str, call: tuple[str, ...]) -> _Signature:
    forward = list(inspect.signature(_engine_function(forward_name)).parameters.values())
    backward = list(inspect.signature(_engine_function(backward_name)).parameters.values())
    n = len(call)
    tensors = tuple(
        (name, p.default is inspect.Parameter.empty)
        for name, p in zip(call[1:], forward[1:n], strict=True)
    )
    keyword = [
        p
        for p in forward[n:]
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name not in _NOT_PARAMETERS
    ]
    names = {p.name for p in keyword}
    only_backward = tuple(
        (p.name, p.default)
        for p in backward[1 + n :]
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.name not in names
    )
    indices = any(p.name in _NOT_PARAMETERS for p in forward) and any(
        p.name == _INDICES and p.kind is inspect.Parameter.KEYWORD_ONLY for p in backward
    )
    return _Signature(
        tensors=tensors,
        kwargs=tuple((p.name, p.default) for p in keyword),
        required=tuple(p.name for p in keyword if p.default is inspect.Parameter.empty),
        backward=only_backward,
        indices=indices,
    )


def _layer_error(index: int, op: object, exc: Exception) -> ParameterError:
    """``exc`` as the reason of a :data:`LAYER_ERROR` naming layer ``index`` (0-based)."""
    reason: str
    if isinstance(exc, ParameterError):
        reason = Message(exc.template, **exc.fields)
    else:
        reason = str(exc)
    return ParameterError("layer {layer} ({op}): {reason}", layer=index + 1, op=op, reason=reason)


@contextmanager
def _blame(index: int, op: object) -> Iterator[None]:
    """Re-raise the engine's ``ValueError`` (or ``TypeError``) naming layer ``index``."""
    try:
        yield
    except (ValueError, TypeError) as exc:
        raise _layer_error(index, op, exc) from exc


def _parse_layer(index: int, layer: object) -> _Layer:
    if not isinstance(layer, Mapping) or "op" not in layer:
        raise ParameterError(
            "layer {layer} ({op}): {reason}",
            layer=index + 1,
            op="?",
            reason=Message('a layer must be a dict with an "op", got {value}', value=repr(layer)),
        )
    op = layer["op"]
    with _blame(index, op):
        spec = get_op(op) if isinstance(op, str) else get_op(repr(op))
    with _blame(index, spec.key):
        if spec.call_tensors[0] != "input":
            raise ParameterError(
                "its call takes {tensors}, not the previous layer's output, so it cannot be "
                "a layer of a stack",
                tensors=", ".join(spec.call_tensors),
            )
        sig = _signature(spec)
        tensor_names = [name for name, _ in sig.tensors]
        known = {name for name, _ in sig.kwargs} | {name for name, _ in sig.backward}
        unknown = [k for k in layer if k != "op" and k not in known and k not in tensor_names]
        if unknown:
            taken = [*tensor_names, *(n for n, _ in sig.kwargs), *(n for n, _ in sig.backward)]
            raise ParameterError(
                "unknown parameter {name}; it takes {names}",
                name=repr(unknown[0]),
                names=", ".join(taken) or "—",
            )
        for name, required in sig.tensors:
            if required and layer.get(name) is None:
                raise ParameterError("the layer needs a {name} array", name=name)
        for name in sig.required:
            if name not in layer:
                raise ParameterError("the layer needs {name}", name=name)
        tensors = tuple(layer.get(name) for name in tensor_names)
        kwargs = {name: layer.get(name, default) for name, default in sig.kwargs}
        backward = {name: layer.get(name, default) for name, default in sig.backward}
    return _Layer(index, spec, tensors, kwargs, backward, sig.indices)


def _parse(layers: object) -> list[_Layer]:
    if not isinstance(layers, Sequence) or isinstance(layers, (str, bytes)):
        raise ParameterError(
            'layers must be a list of layers (dicts with an "op"), got {value}',
            value=repr(layers),
        )
    return [_parse_layer(i, layer) for i, layer in enumerate(layers)]


# ---- forward and backward ---------------------------------------------------------------------
def _forward(layer: _Layer, x: Any, indices: bool = False) -> Any:
    function = _engine_function(layer.spec.numpy_call)
    extra = {_NOT_PARAMETERS[0]: True} if indices else {}
    with _blame(layer.index, layer.spec.key):
        return function(x, *layer.tensors, **layer.kwargs, **extra)


def stack_forward(x: object, layers: Sequence[Layer]) -> list[np.ndarray]:
    """Every layer's output, the last one being the stack's output.

    Parameters
    ----------
    x : array, (N, C, H, W) (or whatever rank the first layer takes)
    layers : list of layer dicts (see the module docstring)

    Returns
    -------
    list of arrays, one per layer

    Raises
    ------
    ParameterError
        Naming the first invalid layer and the engine's reason.
    """
    outputs: list[np.ndarray] = []
    h: Any = x
    for layer in _parse(layers):
        h = _forward(layer, h)
        outputs.append(h)
    return outputs


def stack_forward_backward(
    x: object, layers: Sequence[Layer], grad_output: object | None = None
) -> tuple[list[np.ndarray], list[dict[str, np.ndarray | None]]]:
    """The forward pass once, then the backward pass: ``(outputs, gradients)``.

    ``grad_output`` is dL/d(stack output), ones when ``None``.  The gradients are those of
    :func:`stack_backward`.  A layer whose forward can return indices its backward takes
    (max pooling) reuses them, as PyTorch's autograd does.
    """
    plan = _parse(layers)
    inputs: list[Any] = []
    saved: list[Any] = []
    outputs: list[np.ndarray] = []
    h: Any = x
    for layer in plan:
        inputs.append(h)
        if layer.indices:
            h, idx = _forward(layer, h, indices=True)
        else:
            h, idx = _forward(layer, h), None
        saved.append(idx)
        outputs.append(h)
    if not plan:
        return [], []
    expected = np.shape(h)
    g: Any = np.ones(expected, dtype=h.dtype) if grad_output is None else grad_output
    check_grad_shape(np.shape(g), expected)
    grads: list[dict[str, np.ndarray | None]] = [{} for _ in plan]
    for layer in reversed(plan):
        spec = layer.spec
        function = _engine_function(spec.numpy_backward_call)
        extra = {} if saved[layer.index] is None else {_INDICES: saved[layer.index]}
        with _blame(layer.index, spec.key):
            result = function(
                g, inputs[layer.index], *layer.tensors, **layer.kwargs, **layer.backward, **extra
            )
        results = (result,) if len(spec.backward_returns) == 1 else tuple(result)
        named: dict[str, np.ndarray | None] = {"input": results[0]}
        for name, value in zip(spec.backward_returns[1:], results[1:], strict=True):
            named[name.removeprefix("grad_")] = value
        grads[layer.index] = named
        g = results[0]
    return outputs, grads


def stack_backward(
    grad_output: object, x: object, layers: Sequence[Layer]
) -> list[dict[str, np.ndarray | None]]:
    """Gradients of every layer, given dL/d(stack output) ``grad_output``.

    Returns
    -------
    list of dicts, one per layer
        ``"input"``: the gradient with respect to that layer's input (so ``[0]["input"]`` is
        dL/dx); layers with parameters also have ``"weight"`` and ``"bias"`` (``None`` for a
        layer without a bias).

    Raises
    ------
    ParameterError
        Naming the first invalid layer, or if ``grad_output`` is not shaped like the output.
    """
    return stack_forward_backward(x, layers, grad_output)[1]


def stack_layer_trace(
    layer: Layer,
    x: np.ndarray,
    output: np.ndarray,
    grad_output: np.ndarray,
    grads: Mapping[str, np.ndarray | None],
    channel: int = 0,
    in_channel: int = 0,
    index: int = 0,
) -> Any:
    """The step-by-step story (:class:`~engine.trace.Trace`) of one plane of one layer of a
    computed stack: the same records single-operation mode steps through for that operation
    with that layer's parameters.

    The layer's forward runs once more (for what its steps read: a max pooling's winners); the
    output and the gradients are the stack's own, so the trace's last step gives them exactly.

    Parameters
    ----------
    layer : the layer dict (see the module docstring)
    x : (1, C_in, H, W) the layer's input (the previous layer's output)
    output : (1, C_out, H_out, W_out) the layer's output, from :func:`stack_forward_backward`
    grad_output : (1, C_out, H_out, W_out) dL/d(output) (the next layer's ``"input"`` gradient,
        or the stack's dY for the last layer)
    grads : the layer's dict of :func:`stack_forward_backward`'s gradients
    channel : the traced output channel (the plane (0, channel))
    in_channel : the input channel a weight's kernel slice is shown for
    index : the layer's position (0-based), to name it in errors

    Returns
    -------
    Trace
        of plane ``(0, channel)``: ``output`` (H_out, W_out), ``grad_input`` per input plane.
        A tensor whose values come from a parameter (a convolution's bias, one number per
        output channel in a stack) gives the traced channel's value.

    Raises
    ------
    ParameterError
        Naming the layer, if it is invalid.
    """
    parsed = _parse_layer(index, layer)
    spec = parsed.spec
    values: dict[str, Any] = dict(parsed.params)
    tensors: dict[str, np.ndarray] = {"input": np.asarray(x, dtype=float)}
    for name, value in zip(spec.call_tensors[1:], parsed.tensors, strict=True):
        from_param = spec.tensor(name).from_param if spec.has_tensor(name) else ""
        if from_param:  # one number per channel: the traced channel's
            values[from_param] = None if value is None else float(np.ravel(value)[channel])
        elif value is not None:
            tensors[name] = np.asarray(value, dtype=float)
    for name, value in list(values.items()):
        if value is None and name == "stride" and "kernel_size" in values:
            values[name] = values["kernel_size"]  # PyTorch's rule for a pooling's stride
    with _blame(index, spec.key):
        params = spec.coerce_params(values)
        outputs, ctx = spec.forward(tensors, params)
        arrays: dict[str, Any] = {
            **outputs,
            "output": np.asarray(output, dtype=float),
            "grad_output": np.asarray(grad_output, dtype=float),
        }
        for name, value in grads.items():
            arrays[f"grad_{name}"] = value
        return spec.trace(tensors, params, ctx, arrays, (0, channel), in_channel)


# ---- geometry: spatial sizes and windows ------------------------------------------------------
def _input_hw(input_size: object) -> Pair:
    if (
        isinstance(input_size, (Sequence, np.ndarray))
        and len(input_size) >= 2
        and all(is_int(v) for v in input_size[-2:])
    ):
        hw = (int(input_size[-2]), int(input_size[-1]))
        if min(hw) >= 1:
            return hw
    raise ParameterError(
        "input size ({size}) must be at least 1x1 in height and width", size=repr(input_size)
    )


def _geometry(layer: _Layer, hw: Pair) -> WindowGeometry:
    """The layer's windows on an (H, W) input, by its spec (validated by the engine)."""
    with _blame(layer.index, layer.spec.key):
        return layer.spec.geometry((1, 1, *hw), layer.weight_shape, layer.params)


def _out_hw(layer: _Layer, g: WindowGeometry) -> Pair:
    # A scatter's windows are indexed by its input cells and lie in its output.
    return g.in_size if layer.spec.scatters else g.out_size


def _plan(layers: Sequence[Layer], input_size: object) -> tuple[list[_Layer], list[Any]]:
    plan = _parse(layers)
    hw = _input_hw(input_size)
    geometries = []
    for layer in plan:
        g = _geometry(layer, hw)
        geometries.append(g)
        hw = _out_hw(layer, g)
    return plan, geometries


def stack_layer_steps(layers: Sequence[Layer], input_size: object) -> list[int]:
    """How many steps each layer's :func:`stack_layer_trace` has in one phase (its windows; a
    scatter's: its input cells), without computing anything: ``len(layers)`` numbers."""
    return [g.n_windows for g in _plan(layers, input_size)[1]]


def stack_sizes(layers: Sequence[Layer], input_size: object) -> list[Pair]:
    """(H, W) of the input and of every layer's output: ``len(layers) + 1`` sizes."""
    plan, geometries = _plan(layers, input_size)
    return [_input_hw(input_size)] + [
        _out_hw(layer, g) for layer, g in zip(plan, geometries, strict=True)
    ]


# Dependencies along one axis.  A gather's window o reads coordinates tap_coords[o]; a
# scatter's input i writes output coordinates tap_coords[i].  Coordinates outside [0, size)
# are padding or overhang: they connect nothing.
def _links(g: WindowGeometry, axis: int) -> tuple[np.ndarray, np.ndarray]:
    coords = g.tap_coords(axis)
    valid = (coords >= 0) & (coords < g.in_size[axis])
    return np.where(valid, coords, 0), valid


@dataclass(frozen=True)
class _AxisLinks:
    """One layer's dependencies along one axis (see :func:`_links`)."""

    scatters: bool
    coords: np.ndarray  # (windows or input cells, taps)
    valid: np.ndarray  # the same shape, bool
    in_size: int

    def to_input(self, wanted: np.ndarray) -> np.ndarray:
        """Input coordinates (bool mask) the output coordinates ``wanted`` depend on."""
        coords, valid = self.coords, self.valid
        if self.scatters:
            return np.asarray((wanted[coords] & valid).any(axis=1))
        mask = np.zeros(self.in_size, dtype=bool)
        mask[coords[wanted][valid[wanted]]] = True
        return mask

    def to_output(self, have: np.ndarray) -> np.ndarray:
        """Output coordinates (bool mask) that depend on the input coordinates ``have``."""
        coords, valid = self.coords, self.valid
        if self.scatters:
            mask = np.zeros(self.in_size, dtype=bool)
            mask[coords[have][valid[have]]] = True
            return mask
        return np.asarray((have[coords] & valid).any(axis=1))


def _one_cell(size: Pair, index: object) -> tuple[np.ndarray, np.ndarray] | None:
    """Row and column masks of cell ``index`` of a plane of ``size`` (None: not in it)."""
    if (
        not isinstance(index, (Sequence, np.ndarray))
        or len(index) != 2
        or not all(is_int(v) for v in index)
        or not (0 <= int(index[0]) < size[0] and 0 <= int(index[1]) < size[1])
    ):
        return None
    rows, cols = np.zeros(size[0], dtype=bool), np.zeros(size[1], dtype=bool)
    rows[int(index[0])] = cols[int(index[1])] = True
    return rows, cols


def _layer_number(layer: object, count: int, name: str) -> int:
    """``layer`` as an index in ``0 .. count - 1`` (negative counts from the end)."""
    if is_int(layer) and -count <= int(layer) < count:
        return int(layer) % count
    raise ParameterError(
        "{name} ({value}) must be in -{count}..{last}",
        name=name,
        value=repr(layer),
        count=count,
        last=count - 1,
    )


class StackFields:
    """The receptive and projective fields of a stack's cells, its layers' windows worked out
    once.

    :func:`receptive_field_masks` and :func:`projective_field_masks` are this class's
    :meth:`receptive` and :meth:`projective` on a new instance: they parse the layers and make
    their windows again on each call (most of a field's cost), where hovering the cells of a
    stack asks for a field on every move of the mouse.

    Parameters
    ----------
    layers : the stack
    input_size : (H, W) of the input (or its whole shape; the last two entries count)

    Raises
    ------
    ParameterError
        Naming an invalid layer.
    """

    def __init__(self, layers: Sequence[Layer], input_size: object) -> None:
        plan, geometries = _plan(layers, input_size)
        self._empty = not plan
        # (H, W) of every level: the input, then each layer's output.
        self.sizes: list[Pair] = [_input_hw(input_size)] + [
            _out_hw(p, g) for p, g in zip(plan, geometries, strict=True)
        ]
        self._axes = [
            tuple(_AxisLinks(p.spec.scatters, *_links(g, axis), g.in_size[axis]) for axis in (0, 1))
            for p, g in zip(plan, geometries, strict=True)
        ]

    def receptive(self, out_index: object, layer: int = -1) -> list[np.ndarray]:
        """What output cell ``out_index`` of layer ``layer`` depends on, at every earlier
        level: see :func:`receptive_field_masks`."""
        if self._empty:  # no layers: the output is the input
            return self.projective(out_index)
        last = _layer_number(layer, len(self._axes), "layer")
        size = self.sizes[last + 1]
        cell = _one_cell(size, out_index)
        if cell is None:
            raise ParameterError(
                "output position ({position}) is outside the output of size {size}",
                position=repr(out_index),
                size=f"{size[0]}x{size[1]}",
            )
        rows, cols = cell
        masks = [np.outer(rows, cols)]
        for k in range(last, -1, -1):
            along_rows, along_cols = self._axes[k]
            rows = along_rows.to_input(rows)
            cols = along_cols.to_input(cols)
            masks.append(np.outer(rows, cols))
        return masks[::-1]

    def projective(self, in_index: object, level: int = 0) -> list[np.ndarray]:
        """Every cell that depends on cell ``in_index`` of level ``level``, level by level:
        see :func:`projective_field_masks`."""
        start = _layer_number(level, len(self._axes) + 1, "level")
        cell = _one_cell(self.sizes[start], in_index)
        if cell is None:
            size = self.sizes[start]
            raise ParameterError(
                "cell ({position}) is outside level {level} of size {size}",
                position=repr(in_index),
                level=start,
                size=f"{size[0]}x{size[1]}",
            )
        rows, cols = cell
        masks = [np.outer(rows, cols)]
        for k in range(start, len(self._axes)):
            along_rows, along_cols = self._axes[k]
            rows = along_rows.to_output(rows)
            cols = along_cols.to_output(cols)
            masks.append(np.outer(rows, cols))
        return masks


def receptive_field_masks(
    layers: Sequence[Layer], input_size: object, out_index: object, *, layer: int = -1
) -> list[np.ndarray]:
    """What output cell ``out_index`` of layer ``layer`` depends on, at every earlier level.

    Returns
    -------
    list of bool arrays
        Entry 0 is the input (H, W), entry ``l`` the output of layer ``l - 1``, up to the
        output of ``layer`` itself, where only ``out_index`` is set.  Cells read only through
        padding or overhang are not set; dilation gaps are not set either.

    Raises
    ------
    ParameterError
        Naming an invalid layer, or if ``out_index`` is outside that layer's output.
    """
    return StackFields(layers, input_size).receptive(out_index, layer)


def receptive_field(
    layers: Sequence[Layer], input_size: object, out_index: object, *, layer: int = -1
) -> tuple[slice, slice]:
    """The input cells output cell ``out_index = (row, col)`` depends on, as a rectangle.

    Parameters
    ----------
    layers : the stack
    input_size : (H, W) of the input (or its whole shape; the last two entries count)
    out_index : (row, col) in the output of the last layer (or of ``layer``)
    layer : the layer whose output cell it is (default: the last)

    Returns
    -------
    (rows, cols) : two slices with step 1, clipped to the input
        The bounding rectangle of :func:`receptive_field_masks`' input mask: exact with
        padding (padding cells do not count), stride, dilation, ``ceil_mode`` and adaptive
        bins.  Empty slices (``slice(0, 0)``) when the cell depends on no input cell (a window
        that reads only padding).
    """
    mask = receptive_field_masks(layers, input_size, out_index, layer=layer)[0]
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if rows.size == 0:
        return slice(0, 0), slice(0, 0)
    return slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1)


def projective_field_masks(
    layers: Sequence[Layer], input_size: object, in_index: object, *, level: int = 0
) -> list[np.ndarray]:
    """Every cell that depends on cell ``in_index`` of level ``level``, level by level.

    Level 0 is the input, level ``l`` the output of layer ``l - 1``.  Entry 0 of the result is
    level ``level`` with only ``in_index`` set, then one bool mask per later level.
    """
    return StackFields(layers, input_size).projective(in_index, level)


# ---- the textbook recursion -------------------------------------------------------------------
def _window(layer: _Layer) -> tuple[Pair, Pair, Pair]:
    """The layer's fixed (kernel, stride, dilation), or an error saying why it has none."""
    if layer.spec.scatters:
        raise _layer_error(
            layer.index,
            layer.spec.key,
            ParameterError(
                "each of its input cells is spread over several outputs, so it has no "
                "kernel and stride in the input's units; the recursion does not apply "
                "(receptive_field with an input size does)"
            ),
        )
    for probe in _PROBES:
        try:
            windows = [
                (g.kernel, g.stride, g.dilation)
                for g in (_geometry(layer, (size, size)) for size in (probe, probe + 1))
            ]
            break
        except ParameterError:
            if probe == _PROBES[-1]:
                raise
    if windows[0] != windows[1]:
        raise _layer_error(
            layer.index,
            layer.spec.key,
            ParameterError(
                "its windows follow the input size, so it has no fixed kernel and stride; "
                "the recursion does not apply (receptive_field with an input size does)"
            ),
        )
    return windows[0]


def receptive_field_sizes(layers: Sequence[Layer]) -> list[tuple[int, int, int, int]]:
    """:func:`receptive_field_size` after each layer: ``(size_h, size_w, jump_h, jump_w)``."""
    r, j = [1, 1], [1, 1]
    out = []
    for layer in _parse(layers):
        kernel, stride, dilation = _window(layer)
        for a in (0, 1):
            r[a] += (kernel[a] - 1) * dilation[a] * j[a]
            j[a] *= stride[a]
        out.append((r[0], r[1], j[0], j[1]))
    return out


def receptive_field_size(layers: Sequence[Layer]) -> tuple[int, int, int, int]:
    """The textbook receptive field of the stack's output: ``(size_h, size_w, jump_h, jump_w)``.

    ``r_l = r_{l-1} + (k_l − 1)·d_l·j_{l-1}`` and ``j_l = j_{l-1}·s_l`` from ``r_0 = j_0 = 1``
    (an element-wise layer has k = s = d = 1).  It ignores borders: an output near the edge
    sees less (:func:`receptive_field` gives the exact cells).

    Raises
    ------
    ParameterError
        Naming a layer without a fixed kernel and stride (adaptive pooling whose windows
        follow the input size; a transposed convolution).
    """
    sizes = receptive_field_sizes(layers)
    return sizes[-1] if sizes else (1, 1, 1, 1)


# ---- the shape table --------------------------------------------------------------------------
@dataclass(frozen=True)
class LayerShape:
    """One row of a stack's shape table.

    Attributes
    ----------
    index : the layer's position in the stack (0-based; :attr:`number` counts from 1)
    op : its operation's registry key (what was written, if no operation has that name)
    input_shape, output_shape : ``None`` after an invalid layer
    formula : the output size's formula with the numbers, one line per axis (the operation's
        own explanation, as the single-operation view shows it)
    receptive_field, jump : (h, w) of the textbook recursion after this layer, ``None`` where it
        does not apply (see :func:`receptive_field_size`)
    error : why the layer is invalid (its message names the layer), else ``None``
    """

    index: int
    op: str
    input_shape: tuple[int, ...] | None
    output_shape: tuple[int, ...] | None
    formula: tuple[str, ...] = ()
    receptive_field: Pair | None = None
    jump: Pair | None = None
    error: ParameterError | None = None

    @property
    def number(self) -> int:
        return self.index + 1


def _explain(layer: _Layer, hw: Pair, g: WindowGeometry) -> tuple[str, ...]:
    """The operation's explanation with the layer's values in its parameters' forms."""
    spec = layer.spec
    values = {p.name: p.default for p in spec.params}
    values.update(layer.kwargs)
    values.update(layer.backward)
    for p in spec.params:
        value = values[p.name]
        if p.kind != "pair":
            continue
        if value is None:
            values[p.name] = getattr(g, p.name, None)  # stride=None: the window's stride
        else:
            try:
                values[p.name] = normalize_pair(value, p.name)
            except ParameterError:
                pass  # padding="same": the operation explains what it can
    try:
        return tuple(spec.explain(hw, layer.weight_shape, Params(values)))
    except (ValueError, TypeError, KeyError, AttributeError, IndexError):
        if spec.scatters:
            return ()
        return tuple(
            explain_output_size(
                hw, g.kernel, g.stride, g.pad_before, g.pad_after, g.dilation, g.ceil_mode
            )
        )


def stack_shapes(layers: Sequence[Layer], input_shape: Sequence[int]) -> list[LayerShape]:
    """The shape table: each layer's input and output shape, its formula, and what is wrong.

    Each layer is checked by its engine function on zeros of its input's shape (one sample),
    so every rule of the engine applies (channels, groups, bias size, output size).  The
    first invalid layer's row carries the error; the rows after it have no shapes.  Use
    :func:`check_stack` to raise instead.
    """
    if not isinstance(layers, Sequence) or isinstance(layers, (str, bytes)):
        _parse(layers)  # raises
    if not isinstance(input_shape, (Sequence, np.ndarray)) or not all(
        is_int(v) and int(v) >= 1 for v in input_shape
    ):
        raise ParameterError(
            "input shape {shape} must be a tuple of sizes of at least 1", shape=repr(input_shape)
        )
    rows: list[LayerShape] = []
    shape: tuple[int, ...] | None = tuple(int(v) for v in input_shape)
    r: list[int] | None = [1, 1]
    j = [1, 1]
    for index, raw in enumerate(layers):
        op = str(raw.get("op", "?")) if isinstance(raw, Mapping) else "?"
        if shape is None:
            rows.append(LayerShape(index, op, None, None))
            continue
        try:
            layer = _parse_layer(index, raw)
            op = layer.spec.key
            hw = _input_hw(shape)
            g = _geometry(layer, hw)
            batch = shape[:1] if len(shape) == 4 else ()
            probe = np.zeros((1, *shape[1:]) if batch else shape, dtype=np.float32)
            out_shape = batch + tuple(np.shape(_forward(layer, probe)))[len(batch) :]
        except ParameterError as exc:
            rows.append(LayerShape(index, op, shape, None, error=_as_layer_error(index, op, exc)))
            shape = None
            continue
        if r is not None:
            try:
                kernel, stride, dilation = _window(layer)
                for a in (0, 1):
                    r[a] += (kernel[a] - 1) * dilation[a] * j[a]
                    j[a] *= stride[a]
            except ParameterError:
                r = None
        rows.append(
            LayerShape(
                index, op, shape, out_shape, _explain(layer, hw, g),
                None if r is None else (r[0], r[1]), None if r is None else (j[0], j[1]),
            )
        )  # fmt: skip
        shape = out_shape
    return rows


def _as_layer_error(index: int, op: str, exc: ParameterError) -> ParameterError:
    if exc.template == LAYER_ERROR:
        return exc
    return _layer_error(index, op, exc)  # the input size, before any layer ran


def check_stack(layers: Sequence[Layer], input_shape: Sequence[int]) -> list[LayerShape]:
    """:func:`stack_shapes`, raising the first invalid layer's :class:`ParameterError`."""
    rows = stack_shapes(layers, input_shape)
    for row in rows:
        if row.error is not None:
            raise row.error
    return rows


__all__ = [
    "LAYER_ERROR",
    "Layer",
    "LayerShape",
    "check_stack",
    "projective_field_masks",
    "receptive_field",
    "receptive_field_masks",
    "receptive_field_size",
    "receptive_field_sizes",
    "stack_backward",
    "stack_forward",
    "stack_forward_backward",
    "stack_shapes",
    "stack_sizes",
]

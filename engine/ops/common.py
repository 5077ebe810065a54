"""Parameter specs and helpers shared by several operations (one definition each)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from types import ModuleType
from typing import Any

import numpy as np

from engine.geometry import Pair, WindowGeometry, explain_output_size
from engine.ops.registry import register
from engine.ops.spec import INT_LIMIT, QT_TR_NOOP, OpSpec, Params, ParamSpec, Tensors, TensorSpec
from engine.trace import (
    KIND_CODES,
    BackwardStep,
    CellAmounts,
    Trace,
    input_updates,
    update_lines,
)

#: The largest kernel, stride, padding and dilation the app offers (controls, files, CLI).
MAX_WINDOW = 64

KERNEL_SIZE = ParamSpec(
    "kernel_size",
    "pair",
    (2, 2),
    1,
    MAX_WINDOW,
    label=QT_TR_NOOP("Kernel"),
    help=QT_TR_NOOP("Window size (height × width). For convolution this is the kernel's shape."),
    cli="--kernel",
)
STRIDE = ParamSpec(
    "stride",
    "pair",
    (2, 2),
    1,
    INT_LIMIT,
    label=QT_TR_NOOP("Stride"),
    help=QT_TR_NOOP("How far the window moves between outputs (rows × columns)."),
    cli="--stride",
)
PADDING = ParamSpec(
    "padding",
    "pair",
    (0, 0),
    0,
    MAX_WINDOW,
    label=QT_TR_NOOP("Padding"),
    help=QT_TR_NOOP(
        "Extra cells around the input: −∞ for max pooling (padding never wins), "
        "0 for average pooling and convolution. Pooling allows at most half the kernel."
    ),
    cli="--padding",
)
DILATION = ParamSpec(
    "dilation",
    "pair",
    (1, 1),
    1,
    MAX_WINDOW,
    label=QT_TR_NOOP("Dilation"),
    help=QT_TR_NOOP("Spacing between the window's taps; 1 means adjacent cells."),
    cli="--dilation",
)
CEIL_MODE = ParamSpec(
    "ceil_mode",
    "bool",
    False,
    label="ceil_mode",
    help=QT_TR_NOOP(
        "Round the output size up: a last, partial window is kept if it starts inside "
        "the input or the left padding."
    ),
    cli="--ceil-mode",
)

# The tensors every operation shows, by role.
INPUT = TensorSpec(
    "input", "input", "X", "(N, C, H, W)", editable=True, differentiable=True, view="inputMatrix"
)
OUTPUT = TensorSpec("output", "output", "Y", "(N, C, out_H, out_W)", view="outputMatrix")
# X as an operation shows it whose backward reads it (where max pooling's winners are, what a
# convolution's dW multiplies): the lecture layout keeps it beside the gradients.
INPUT_READ_BY_BACKWARD = dataclasses.replace(INPUT, read_by_backward=True)
GRAD_OUTPUT = TensorSpec(
    "grad_output",
    "grad_output",
    "dY",
    "like Y",
    editable=True,
    view="gradOutputMatrix",
    grad_of="output",
)
GRAD_INPUT = TensorSpec(
    "grad_input", "grad_input", "dX", "like X", view="gradInputMatrix", grad_of="input"
)
#: What an operation of one input and one output shows: X, Y, dY, dX.
POOL_TENSORS = (INPUT, OUTPUT, GRAD_OUTPUT, GRAD_INPUT)
#: The same for an operation whose backward reads X (LP pooling, ReLU).
READ_INPUT_TENSORS = (INPUT_READ_BY_BACKWARD, OUTPUT, GRAD_OUTPUT, GRAD_INPUT)
#: How many windows each input cell wins (max pooling, fixed or adaptive windows).
MASK = TensorSpec("mask", "mask", "mask", "like X", view="maskMatrix")
#: What max pooling shows: X beside the gradients, Y, the mask of the maxima, dY and dX.
MAX_TENSORS = (INPUT_READ_BY_BACKWARD, OUTPUT, MASK, GRAD_OUTPUT, GRAD_INPUT)


def pool_kwargs(params: Params, names: tuple[str, ...]) -> dict[str, Any]:
    """The engine keyword arguments ``names`` taken from ``params``."""
    return {name: params[name] for name in names}


#: A spec's ``forward(tensors, params) -> (outputs, ctx)`` and ``backward(ctx, grads)``.
Forward = Callable[[Tensors, Params], tuple[dict[str, np.ndarray], Any]]
Backward = Callable[[Any, Tensors], dict[str, np.ndarray | None]]


def plain_calls(
    forward: Callable[..., np.ndarray],
    backward: Callable[..., np.ndarray],
    kwargs: Callable[[Params], dict[str, Any]],
) -> tuple[Forward, Backward]:
    """The spec's forward and backward of an operation of one input called
    ``forward(x, **kwargs(params))`` and ``backward(grad_output, x, **kwargs(params))``."""

    def spec_forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
        x = tensors["input"]
        kw = kwargs(params)
        return {"output": forward(x, **kw)}, (x, kw)

    def spec_backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
        x, kw = ctx
        return {"grad_input": backward(grads["grad_output"], x, **kw)}

    return spec_forward, spec_backward


def plane_trace(
    op: str,
    geometry: WindowGeometry,
    x: np.ndarray,
    arrays: Tensors,
    plane_nc: tuple[int, int],
    **fields: Any,
) -> Trace:
    """The :class:`Trace` of plane ``plane_nc`` of a one-input operation computed on a batch:
    X (N, C, H, W) and the computed ``arrays`` (output, grad_output, grad_input) cut to that
    plane, with the operation's other trace ``fields`` (records, pad_value, params …)."""
    n, c = plane_nc
    return Trace(
        op=op, geometry=geometry, x=x[n, c][None], output=arrays["output"][n, c],
        grad_output=arrays["grad_output"][n, c], grad_input=arrays["grad_input"][n, c][None],
        **fields,
    )  # fmt: skip


def window_input_amounts(
    trace: Trace, oh: int, ow: int, kinds: np.ndarray, amounts: np.ndarray | float
) -> CellAmounts:
    """The input cells window ``(oh, ow)`` reads, each with what its backward step adds to it.

    Only real cells: padding and overhang have no dX cell.  ``kinds`` are the window's tap kinds
    as :meth:`Trace.window_read` gives them (the caller has them already).  ``amounts`` is one
    number for every cell (average pooling) or a (kH, kW) array by kernel tap (LP pooling); one
    number stays one, however large the window (an adaptive window may be the whole plane).
    """
    _, rows, cols, i, j = trace.window_cells(oh, ow)
    real = kinds == KIND_CODES["input"]
    per_cell = np.asarray(amounts)
    if per_cell.ndim:
        per_cell = per_cell[i, j][real]
    return CellAmounts(np.zeros(1, np.int64), rows[real], cols[real], per_cell)


def spread_step(
    trace: Trace,
    index: int,
    out_pos: Pair,
    gy: float,
    grads: CellAmounts,
    template: str,
    fields: dict[str, str],
) -> BackwardStep:
    """Backward step ``index``: output ``out_pos``'s dY (``gy``) spread over ``grads``' dX cells.

    Its text is the sentence (``template`` filled with ``fields``) followed by the arithmetic
    of every cell it adds to (:func:`engine.trace.update_lines`), as average and LP pooling
    say it.
    """
    updates = input_updates(trace, index, grads)
    lines = update_lines(updates)
    text = "\n".join((template.format(**fields), *lines))
    return BackwardStep(
        index, out_pos, gy, grads, text, template=template, fields=fields, updates=updates,
        lines=lines,
    )  # fmt: skip


def channel_backward(
    backward: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    grad_output: np.ndarray,
    x: np.ndarray,
    weight: np.ndarray,
    bias: float | None,
    kwargs: dict[str, Any],
    out_axis: int = 0,
) -> tuple[np.ndarray, np.ndarray, float | None]:
    """dX (C_in, H, W), dW and db of one output channel of a weighted operation.

    ``weight`` is that channel's kernel without the weight's output-channel axis ``out_axis``
    (0 for ``conv2d``, 1 for ``conv_transpose2d``), ``bias`` its bias (or None),
    ``grad_output`` (out_H, out_W) its upstream gradient, ``x`` one sample (C_in, H, W).
    """
    b = None if bias is None else np.array([bias])
    gx, gw, gb = backward(grad_output[None], x, np.expand_dims(weight, out_axis), b, **kwargs)
    return gx, np.take(gw, 0, axis=out_axis), None if gb is None else float(gb[0])


def explain_geometry(
    in_size: tuple[int, int], kernel: Any, stride: Any, padding: Any, dilation: Any, ceil: bool
) -> list[str]:
    """:func:`engine.geometry.explain_output_size` with symmetric padding."""
    return explain_output_size(in_size, kernel, stride, padding, padding, dilation, ceil)


#: The :class:`OpSpec` fields :func:`register_module` takes from a module's functions.
MODULE_FUNCTIONS = {
    "geometry": "_geometry",
    "forward": "_forward",
    "backward": "_backward",
    "trace": "_trace",
    "engine_kwargs": "_kwargs",
    "explain": "_explain",
    "switch_params": "_switch",
    "prepare": "_prepare",
}


def register_module(namespace: Mapping[str, Any], **fields: Any) -> OpSpec:
    """Register the operation an op module defines and return its :class:`OpSpec`.

    Called at the end of an op module as ``SPEC = register_module(globals(), order=..., ...)``:
    the key is the module's name (``engine.ops.max_pool2d`` → ``max_pool2d``, the PyTorch name);
    each :class:`OpSpec` field of :data:`MODULE_FUNCTIONS` not given in ``fields`` is the
    module's function of that name (``forward`` ← ``_forward``, ``engine_kwargs`` ←
    ``_kwargs`` …), ``numpy_call`` and ``torch_call`` default to the key, ``tensors`` to
    X, Y, dY and dX (:data:`POOL_TENSORS`) and ``pad_value`` to 0; a module given as
    ``reference`` stands for its functions ``<key>`` and ``<key>_backward`` (the loops).
    """
    fields.setdefault("key", namespace["__name__"].rpartition(".")[2])
    fields.setdefault("tensors", POOL_TENSORS)
    fields.setdefault("pad_value", 0.0)
    if isinstance(fields["reference"], ModuleType):
        loops = fields["reference"]
        fields["reference"] = (
            getattr(loops, fields["key"]),
            getattr(loops, f"{fields['key']}_backward"),
        )
    for field, name in MODULE_FUNCTIONS.items():
        if field not in fields and name in namespace:
            fields[field] = namespace[name]
    fields.setdefault("numpy_call", fields["key"])
    fields.setdefault("torch_call", fields["key"])
    return register(OpSpec(**fields))

"""Parameter specs and helpers shared by several operations (one definition each)."""

from __future__ import annotations

from typing import Any

from engine.geometry import explain_output_size
from engine.ops.spec import INT_LIMIT, QT_TR_NOOP, Params, ParamSpec, TensorSpec

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


def pool_kwargs(params: Params, names: tuple[str, ...]) -> dict[str, Any]:
    """The engine keyword arguments ``names`` taken from ``params``."""
    return {name: params[name] for name in names}


def explain_geometry(
    in_size: tuple[int, int], kernel: Any, stride: Any, padding: Any, dilation: Any, ceil: bool
) -> list[str]:
    """:func:`engine.geometry.explain_output_size` with symmetric padding."""
    return explain_output_size(in_size, kernel, stride, padding, padding, dilation, ceil)

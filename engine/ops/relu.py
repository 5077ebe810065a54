"""The rectifier as a registered operation: ``torch.nn.functional.relu``, element by element.

An element-wise operation is a window operation with one window per element: a 1×1 kernel
with stride 1 (:func:`engine.geometry.pool_geometry`), so stepping, hovering and the views
work as for pooling.  A step shows ``max(0, x) = y``; the backward step ``dY·[x > 0]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import reference_stack as reference
from engine.arrays import as_plane
from engine.geometry import WindowGeometry, pool_geometry
from engine.ops.common import READ_INPUT_TENSORS, plane_trace, register_module
from engine.ops.spec import QT_TR_NOOP, Params, ReferenceLines, Tensors
from engine.relu import relu, relu_backward
from engine.trace import BackwardStep, ForwardStep, Trace, format_number, grad_or_ones, term

PASS = QT_TR_NOOP("dX[{row}, {col}] = dY·[x > 0] = {dy}·{gate} = {result}")


def _gate(x: float) -> int:
    """``[x > 0]`` as PyTorch's backward applies it: 1 also for NaN (it tests ``x <= 0``)."""
    return 0 if x <= 0 else 1


class Records:
    """The rectifier's step records (see :class:`engine.trace.Records`): one per element."""

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        oh, ow = trace.geometry.position(index)
        taps = tuple(trace.taps(oh, ow))
        result = float(trace.output[oh, ow])
        text = f"max(0, {format_number(taps[0].value)}) = {format_number(result)}"
        return ForwardStep(index, (oh, ow), taps, (), result, text)

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        oh, ow = trace.geometry.position(index)
        gy = float(trace.grad_output[oh, ow])
        gate = _gate(float(trace.x[0, oh, ow]))
        amount = float(trace.grad_input[0, oh, ow])
        fields = {
            "row": str(oh),
            "col": str(ow),
            "dy": term(gy),
            "gate": str(gate),
            "result": format_number(amount),
        }
        grads = (((0, oh, ow), amount),) if gate else ()
        text = PASS.format(**fields)
        return BackwardStep(index, (oh, ow), gy, grads, text, template=PASS, fields=fields)

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        amounts: np.ndarray = trace.grad_input[0, oh, ow]
        return amounts[:, None, None, None]


RECORDS = Records()


def _elementwise(size: tuple[int, ...]) -> WindowGeometry:
    """One window per element: kernel 1, stride 1 (validates a non-empty plane)."""
    return pool_geometry(size[-2:], 1, 1)


def trace_relu(x: object, grad_output: object | None = None) -> Trace:
    """Trace :func:`engine.relu` and its backward on one (H, W) plane (dY defaults to ones)."""
    xp = as_plane(x, "x")
    g = _elementwise(xp.shape)
    y = relu(xp)
    gy = grad_or_ones(grad_output, g.out_size, y.dtype)
    gx = relu_backward(gy, xp)
    return Trace(
        op="relu", geometry=g, x=xp[None], output=y, grad_output=gy, grad_input=gx[None],
        records=RECORDS, pad_value=0.0,
    )  # fmt: skip


# ---- the spec -----------------------------------------------------------------------------------
def _kwargs(_params: Params) -> dict[str, Any]:
    return {}


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, _params: Params) -> Any:
    return _elementwise(x_shape)


def _forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
    x = tensors["input"]
    return {"output": relu(x)}, x


def _backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
    return {"grad_input": relu_backward(grads["grad_output"], ctx)}


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc`` of a computed batch; ``arrays`` holds outputs and gradients."""
    return plane_trace("relu", _elementwise(ctx.shape), ctx, arrays, plane_nc, records=RECORDS)


def _explain(in_size: tuple[int, int], _w: tuple[int, ...] | None, _p: Params) -> list[str]:
    return [f"H_out = H = {in_size[0]}", f"W_out = W = {in_size[1]}"]


SPEC = register_module(
    globals(),
    order=90,
    alias="ReLU",
    label=QT_TR_NOOP("ReLU"),
    description=QT_TR_NOOP(
        "Each output is max(0, x) of its own input element: negatives become 0. "
        "The gradient passes where x > 0 and is 0 elsewhere (also at x = 0)."
    ),
    params=(),
    reference=reference,
    tensors=READ_INPUT_TENSORS,
    output_in_input_scale=True,
    loop_counters=("n", "c", "h", "w"),
    reference_lines=(
        ReferenceLines("forward", ("y[n, c, h, w] = 0.0 if v < 0 else v",)),
        ReferenceLines("backward", ("gx[n, c, h, w] = gy[n, c, h, w]",)),
    ),
    # max(0, x) has a kink at x = 0: finite differences leave such elements out.
    kinks_at_ties=True,
)

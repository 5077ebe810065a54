"""Average pooling as a registered operation: ``torch.nn.functional.avg_pool2d``."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import reference
from engine.arrays import as_plane
from engine.geometry import WindowGeometry, pool_geometry
from engine.ops.common import (
    CEIL_MODE,
    KERNEL_SIZE,
    PADDING,
    STRIDE,
    explain_geometry,
    plain_calls,
    plane_trace,
    pool_kwargs,
    register_module,
    spread_step,
    window_input_amounts,
)
from engine.ops.spec import INT_LIMIT, QT_TR_NOOP, Params, ParamSpec, ReferenceLines, Tensors
from engine.pooling import avg_divisors, avg_pool2d, avg_pool2d_backward
from engine.trace import (
    KIND_CODES,
    BackwardStep,
    ForwardStep,
    Trace,
    format_number,
    grad_or_ones,
    join_values,
    term,
)

KEYS = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")

COUNT_INCLUDE_PAD = ParamSpec(
    "count_include_pad",
    "bool",
    True,
    label="count_include_pad",
    help=QT_TR_NOOP(
        "Average pooling divides by the window size including padding cells "
        "(never the ceil_mode overhang)."
    ),
    depends_on=("padding",),
)
DIVISOR_OVERRIDE = ParamSpec(
    "divisor_override",
    "optional_int",
    None,
    -INT_LIMIT,
    INT_LIMIT,
    label="divisor_override",
    help=QT_TR_NOOP("Average pooling: divide every window by a fixed number instead of its size"),
    depends_on=("kernel_size",),
)

SPREAD = QT_TR_NOOP(
    "{position} / {divisor} = {share} is added to each of the window's {count} input cells in dX"
)
# Padding counted in the divisor takes its share too, and that share goes nowhere.
SPREAD_PAD = QT_TR_NOOP(
    "{position} / {divisor} = {share} is added to each of the window's {count} input cells "
    "in dX; {dropped}/{divisor} of dY fell on padding and is dropped"
)


class Records:
    """Average pooling's step records (see :class:`engine.trace.Records`)."""

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        oh, ow, taps, gaps, result = trace.window(index)
        assert trace.divisors is not None
        divisor = float(trace.divisors[oh, ow])
        include = trace.params["count_include_pad"]
        values, kinds = trace.window_read(oh, ow)
        counted = (kinds == KIND_CODES["input"]) | ((kinds == KIND_CODES["padding"]) & include)
        total = join_values(values[counted], term)
        text = f"({total}) / {format_number(divisor)} = {format_number(result)}"
        return ForwardStep(index, (oh, ow), taps, gaps, result, text, divisor=divisor)

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        oh, ow = trace.geometry.position(index)
        gy = float(trace.grad_output[oh, ow])
        assert trace.divisors is not None
        divisor = float(trace.divisors[oh, ow])
        share = gy / divisor
        _, kinds = trace.window_read(oh, ow)
        grads = window_input_amounts(trace, oh, ow, kinds, share)
        fields = {
            "position": f"dY[{oh}, {ow}] = {format_number(gy)}",
            "divisor": format_number(divisor),
            "share": format_number(share),
            "count": str(len(grads)),
        }
        template = SPREAD
        padded = int(np.count_nonzero(kinds == KIND_CODES["padding"]))
        if padded and trace.params["count_include_pad"]:
            template, fields["dropped"] = SPREAD_PAD, str(padded)
        return spread_step(trace, index, (oh, ow), gy, grads, template, fields)

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        assert trace.divisors is not None
        share = trace.grad_output[oh, ow] / trace.divisors[oh, ow]
        kh, kw = trace.geometry.kernel
        return np.broadcast_to(share[:, None, None, None], (len(share), 1, kh, kw))


RECORDS = Records()


def trace_avg_pool2d(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    grad_output: object | None = None,
) -> Trace:
    """Trace :func:`avg_pool2d` and its backward on one (H, W) plane."""
    xp = as_plane(x, "x")
    g = pool_geometry(xp.shape, kernel_size, stride, padding, 1, ceil_mode)
    values = (kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)
    params: dict[str, Any] = dict(zip(KEYS, values, strict=True))
    y = avg_pool2d(xp, **params)
    gy = grad_or_ones(grad_output, g.out_size, y.dtype)
    gx = avg_pool2d_backward(gy, xp, **params)
    return Trace(
        op="avg_pool2d", geometry=g, x=xp[None], output=y, grad_output=gy, grad_input=gx[None],
        records=RECORDS, pad_value=0.0, params=params,
        divisors=avg_divisors(g, count_include_pad, divisor_override),
    )  # fmt: skip


# ---- the spec -----------------------------------------------------------------------------------
def _kwargs(params: Params) -> dict[str, Any]:
    return pool_kwargs(params, KEYS)


def _windows(x_shape: tuple[int, ...], kw: dict[str, Any]) -> tuple[WindowGeometry, np.ndarray]:
    """The window geometry of input shape ``x_shape`` and each window's divisor (out_H, out_W),
    for the engine keyword arguments ``kw``."""
    g = pool_geometry(
        x_shape[-2:], kw["kernel_size"], kw["stride"], kw["padding"], 1, kw["ceil_mode"]
    )
    return g, avg_divisors(g, kw["count_include_pad"], kw["divisor_override"])


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    return _windows(x_shape, _kwargs(params))[0]  # the divisors validate divisor_override


_forward, _backward = plain_calls(avg_pool2d, avg_pool2d_backward, _kwargs)


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc`` of a computed batch; ``arrays`` holds outputs and gradients."""
    x, kw = ctx
    g, divisors = _windows(x.shape, kw)
    return plane_trace(
        "avg_pool2d", g, x, arrays, plane_nc, records=RECORDS, params=kw, divisors=divisors
    )


def _explain(in_size: tuple[int, int], _w: tuple[int, ...] | None, p: Params) -> list[str]:
    return explain_geometry(in_size, p.kernel_size, p.stride, p.padding, (1, 1), p.ceil_mode)


SPEC = register_module(
    globals(),
    order=20,
    reduction="avg",
    alias="avg",
    label=QT_TR_NOOP("Average pooling"),
    description=QT_TR_NOOP("Each output is the mean of its window."),
    params=(KERNEL_SIZE, STRIDE, PADDING, CEIL_MODE, COUNT_INCLUDE_PAD, DIVISOR_OVERRIDE),
    reference=reference,
    pitfalls=("pool_reshape", "avg_fixed_divisor"),
    reference_lines=(
        ReferenceLines("forward", ("y[n, c, oh, ow] = total",)),
        ReferenceLines("backward", ("gx[n, c, r, col] += delta",)),
    ),
)

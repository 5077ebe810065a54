"""Adaptive average pooling: ``torch.nn.functional.adaptive_avg_pool2d`` (global: size 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import reference_adaptive as reference
from engine.adaptive import adaptive_avg_pool2d, adaptive_avg_pool2d_backward
from engine.ops._adaptive import OUTPUT_SIZE, adaptive_geometry, explain
from engine.ops.avg_pool2d import RECORDS as AVG_RECORDS
from engine.ops.common import register_module
from engine.ops.spec import QT_TR_NOOP, Params, ReferenceLines, Tensors
from engine.trace import Trace


def _kwargs(params: Params) -> dict[str, Any]:
    return {"output_size": params["output_size"]}


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    return adaptive_geometry(x_shape, params["output_size"])


def _forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
    x = tensors["input"]
    return {"output": adaptive_avg_pool2d(x, **_kwargs(params))}, (x, _kwargs(params))


def _backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
    x, kw = ctx
    return {"grad_input": adaptive_avg_pool2d_backward(grads["grad_output"], x, **kw)}


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc``: windows of different sizes, each divided by its own area."""
    n, c = plane_nc
    x, kw = ctx
    g = adaptive_geometry(x.shape, kw["output_size"])
    (rs, re), (cs, ce) = g.bins
    areas = ((re - rs)[:, None] * (ce - cs)[None, :]).astype(np.float64)
    return Trace(
        op="adaptive_avg_pool2d", geometry=g, x=x[n, c][None], output=arrays["output"][n, c],
        grad_output=arrays["grad_output"][n, c], grad_input=arrays["grad_input"][n, c][None],
        records=AVG_RECORDS, pad_value=0.0, params={**kw, "count_include_pad": True},
        divisors=areas,
    )  # fmt: skip


SPEC = register_module(
    globals(),
    key="adaptive_avg_pool2d",
    order=40,
    reduction="avg",
    alias="adaptive_avg",
    label=QT_TR_NOOP("Adaptive average pooling"),
    description=QT_TR_NOOP(
        "You choose the output size; each output is the mean of a window sized to fit "
        "(output size 1 is global average pooling, as in a ResNet head)."
    ),
    params=(OUTPUT_SIZE,),
    reference=reference,
    explain=explain,
    reference_lines=(
        ReferenceLines("forward", ("s = s + x4[n, c, r, col]", "y[n, c, oh, ow] = s")),
        ReferenceLines("backward", ("gx[n, c, r, col] += delta",)),
    ),
)

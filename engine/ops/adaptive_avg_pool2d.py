"""Adaptive average pooling: ``torch.nn.functional.adaptive_avg_pool2d`` (global: size 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import reference_adaptive as reference
from engine.adaptive import adaptive_avg_pool2d, adaptive_avg_pool2d_backward
from engine.ops._adaptive import OUTPUT_SIZE, adaptive_geometry, explain
from engine.ops.avg_pool2d import RECORDS as AVG_RECORDS
from engine.ops.common import plain_calls, plane_trace, register_module
from engine.ops.spec import QT_TR_NOOP, Params, ReferenceLines, Tensors
from engine.trace import Trace


def _kwargs(params: Params) -> dict[str, Any]:
    return {"output_size": params["output_size"]}


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    return adaptive_geometry(x_shape, params["output_size"])


_forward, _backward = plain_calls(adaptive_avg_pool2d, adaptive_avg_pool2d_backward, _kwargs)


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc``: windows of different sizes, each divided by its own area."""
    x, kw = ctx
    g = adaptive_geometry(x.shape, kw["output_size"])
    (rs, re), (cs, ce) = g.bins
    areas = ((re - rs)[:, None] * (ce - cs)[None, :]).astype(np.float64)
    return plane_trace(
        "adaptive_avg_pool2d", g, x, arrays, plane_nc, records=AVG_RECORDS,
        params={**kw, "count_include_pad": True}, divisors=areas,
    )  # fmt: skip


SPEC = register_module(
    globals(),
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

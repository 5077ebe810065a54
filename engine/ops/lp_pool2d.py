"""Power-average (LP) pooling: ``torch.nn.functional.lp_pool2d``, between average and max."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine import reference_adaptive as reference
from engine.geometry import pool_geometry
from engine.lp_pool import _forward_planes, _kernel_area, _torch_pow, lp_pool2d, lp_pool2d_backward
from engine.ops.common import (
    CEIL_MODE,
    KERNEL_SIZE,
    READ_INPUT_TENSORS,
    STRIDE,
    explain_geometry,
    plain_calls,
    plane_trace,
    pool_kwargs,
    register_module,
    spread_step,
    window_input_amounts,
)
from engine.ops.spec import QT_TR_NOOP, Params, ParamSpec, ReferenceLines, Tensors
from engine.pooling import avg_divisors, max_pool2d
from engine.trace import (
    KIND_CODES,
    BackwardStep,
    ForwardStep,
    Trace,
    format_number,
    join_values,
    term,
)

KEYS = ("norm_type", "kernel_size", "stride", "ceil_mode")

NORM_TYPE = ParamSpec(
    "norm_type",
    "float",
    2.0,
    -1000.0,
    1000.0,
    label=QT_TR_NOOP("Power p"),
    help=QT_TR_NOOP(
        "LP pooling: the power p in (Σ x^p)^(1/p). p = 1 is the window's sum; a large p "
        "approaches the maximum. Not 0."
    ),
    cli="--norm-type",
)

SPREAD = QT_TR_NOOP(
    "{position}: each cell x of the window gets {dy}·∂y/∂x = {dy}·(x / {result})^(p − 1) "
    "in dX (p = {p})"
)
TO_MAX = QT_TR_NOOP("{position} goes to the largest |x|: {targets} += {share}")


class Records:
    """LP pooling's step records (see :class:`engine.trace.Records`)."""

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        oh, ow = trace.geometry.position(index)
        taps = trace.taps(oh, ow)
        result = float(trace.output[oh, ow])
        p = float(trace.params["norm_type"])
        values, kinds = trace.window_read(oh, ow)
        real = values[kinds == KIND_CODES["input"]]
        if math.isinf(p):
            name = "max" if p > 0 else "min"
            shown = join_values(real, lambda v: f"|{format_number(v)}|", ", ")
            text = f"{name}({shown}) = {format_number(result)}"
            return ForwardStep(index, (oh, ow), taps, (), result, text)
        power = format_number(p)
        total = join_values(real, lambda v: f"{term(v)}^{power}")
        area = trace.geometry.kernel[0] * trace.geometry.kernel[1]
        if len(real) < area:
            # A partial ceil_mode window is scaled up to the full kernel (PyTorch's rule).
            total = f"(({total})·{area}/{len(real)})"
        else:
            total = f"({total})"
        text = f"{total}^(1/{power}) = {format_number(result)}"
        return ForwardStep(index, (oh, ow), taps, (), result, text)

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        oh, ow = trace.geometry.position(index)
        gy = float(trace.grad_output[oh, ow])
        per_tap = self.input_contributions(trace, np.array([oh]), np.array([ow]))[0, 0]
        _, kinds = trace.window_read(oh, ow)
        grads = window_input_amounts(trace, oh, ow, kinds, per_tap)
        p = float(trace.params["norm_type"])
        position = f"dY[{oh}, {ow}] = {format_number(gy)}"
        if math.isinf(p):
            won = [grads[int(k)] for k in np.flatnonzero(grads.amounts != 0)]
            fields = {
                "position": position,
                "targets": ", ".join(f"dX[{r}, {c}]" for (_, r, c), _ in won) or "—",
                "share": format_number(won[0][1]) if won else "0",
            }
            return BackwardStep(
                index, (oh, ow), gy, grads, TO_MAX.format(**fields), template=TO_MAX, fields=fields
            )  # max/min route dY to one cell: the sentence gives its amount
        fields = {
            "position": position,
            "dy": format_number(gy),
            "result": format_number(float(trace.output[oh, ow])),
            "p": format_number(p),
        }
        # Each cell's update with its numbers, as average pooling and convolution write them.
        return spread_step(trace, index, (oh, ow), gy, grads, SPREAD, fields)

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        """``gy · ∂y/∂x`` per tap, by PyTorch's chain (the relu cuts windows whose sum is 0)."""
        d = trace.params["derivative"]  # (out_H, out_W): gy · d y / d (x**p), one per window
        p = float(trace.params["norm_type"])
        values = trace.window_values(oh, ow)[:, 0]  # (n, kh, kw)
        if math.isinf(p):
            assert trace.winners is not None
            won = trace.winners[oh, ow]
            routed = trace.grad_output[oh, ow][:, None, None] * np.sign(values)
            return np.where(won, routed, 0.0)[:, None]
        with np.errstate(all="ignore"):
            slope = _torch_pow(values, p - 1) * p  # d(x**p)/dx
            amounts: np.ndarray = d[oh, ow][:, None, None] * slope
        return amounts[:, None]


RECORDS = Records()


def _kwargs(params: Params) -> dict[str, Any]:
    return pool_kwargs(params, KEYS)


def _pool_kwargs(kw: dict[str, Any]) -> dict[str, Any]:
    """The window of the engine keyword arguments ``kw``, as pooling functions take it (LP
    pooling has no padding and no dilation)."""
    return {"kernel_size": kw["kernel_size"], "stride": kw["stride"], "ceil_mode": kw["ceil_mode"]}


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    kw = _kwargs(params)
    lp_pool2d(np.zeros((1, 1, 1, 1)), kw["norm_type"], 1)  # validates norm_type
    return pool_geometry(x_shape[-2:], **_pool_kwargs(kw))


_forward, _backward = plain_calls(lp_pool2d, lp_pool2d_backward, _kwargs)


def _window_derivative(xp: np.ndarray, gy: np.ndarray, kw: dict[str, Any]) -> np.ndarray:
    """Per window, ``gy · dy/d(x**p)`` for one (H, W) plane: what each tap's x**p receives."""
    p = float(kw["norm_type"])
    with np.errstate(all="ignore"):
        t = _forward_planes(xp[None], p, **_pool_kwargs(kw))
        v, s, r = (t[k][0] for k in ("v", "s", "r"))
        e = 1.0 / p
        g = gy * (e * _torch_pow(v, e - 1)) * _kernel_area(kw["kernel_size"]) * s
        g = np.where(r <= 0, 0.0, g) * s
    geometry = pool_geometry(xp.shape, **_pool_kwargs(kw))
    derivative: np.ndarray = g / avg_divisors(geometry, True, None)
    return derivative


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc``; the per-window derivative is computed once, for the steps."""
    n, c = plane_nc
    x, kw = ctx
    plane = x[n, c]
    gy = arrays["grad_output"][n, c]
    g = pool_geometry(plane.shape, **_pool_kwargs(kw))
    winners = None
    p = float(kw["norm_type"])
    if math.isinf(p):
        base = np.abs(plane) if p > 0 else -np.abs(plane)
        _, idx = max_pool2d(base, **_pool_kwargs(kw), return_indices=True)
        rows, cols = g.tap_coords(0), g.tap_coords(1)
        flat = rows[:, None, :, None] * plane.shape[1] + cols[None, :, None, :]
        winners = flat == idx[:, :, None, None]
        derivative = np.zeros(g.out_size)
    else:
        derivative = _window_derivative(plane, gy, kw)
    return plane_trace(
        "lp_pool2d", g, x, arrays, plane_nc, records=RECORDS,
        params={**kw, "derivative": derivative}, winners=winners,
    )  # fmt: skip


def _explain(in_size: tuple[int, int], _w: tuple[int, ...] | None, p: Params) -> list[str]:
    return explain_geometry(in_size, p.kernel_size, p.stride, (0, 0), (1, 1), p.ceil_mode)


SPEC = register_module(
    globals(),
    order=60,
    reduction="lp",
    alias="lp",
    label=QT_TR_NOOP("LP pooling"),
    description=QT_TR_NOOP(
        "Each output is (Σ x^p)^(1/p) over its window: p = 1 is the sum, large p "
        "approaches the maximum."
    ),
    params=(NORM_TYPE, KERNEL_SIZE, STRIDE, CEIL_MODE),
    reference=reference,
    tensors=READ_INPUT_TENSORS,
    reference_lines=(
        ReferenceLines("forward", ("s = s + _pow(v, p)", "y[n, c, oh, ow] = _pow(")),
        ReferenceLines("backward", ("g_pow[r, col] += g_mean / dt(len(cells))",)),
    ),
)

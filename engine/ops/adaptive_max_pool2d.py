"""Adaptive max pooling: ``torch.nn.functional.adaptive_max_pool2d`` (global: size 1)."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import reference_adaptive as reference
from engine.adaptive import adaptive_max_pool2d, adaptive_max_pool2d_backward
from engine.ops._adaptive import OUTPUT_SIZE, AdaptiveGeometry, adaptive_geometry, explain
from engine.ops.common import MAX_TENSORS, plane_trace, register_module
from engine.ops.max_pool2d import RECORDS as MAX_RECORDS
from engine.ops.max_pool2d import TIES
from engine.ops.spec import QT_TR_NOOP, Params, ReferenceLines, Tensors
from engine.pooling import validate_ties
from engine.trace import Trace


def _kwargs(params: Params) -> dict[str, Any]:
    return {"output_size": params["output_size"]}


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    validate_ties(params["ties"])
    return adaptive_geometry(x_shape, params["output_size"])


def winners(
    x4: np.ndarray, best: np.ndarray, idx: np.ndarray, g: AdaptiveGeometry, ties: str
) -> np.ndarray:
    """Which taps of each window win it: bool ``(N, C, out_H, out_W, kH, kW)``.

    ``'first'``: the tap at PyTorch's index; ``'all'``/``'split'``: every tap equal to the
    maximum (a NaN window: the index's tap, the last NaN).
    """
    h, w = g.in_size
    kh, kw = g.kernel
    (rs, _), (cs, _) = g.bins
    i = idx // w - rs[:, None]
    j = idx % w - cs[None, :]
    won = np.zeros((*idx.shape, kh * kw), dtype=bool)
    np.put_along_axis(won, (i * kw + j)[..., None], True, axis=-1)
    won = won.reshape(*idx.shape, kh, kw)
    if ties == "first":
        return won
    rows, cols = g.tap_coords(0), g.tap_coords(1)
    valid = ((rows >= 0)[:, None, :, None]) & ((cols >= 0)[None, :, None, :])
    values = x4[
        :, :, np.clip(rows, 0, h - 1)[:, None, :, None], np.clip(cols, 0, w - 1)[None, :, None, :]
    ]
    equal = valid & (values == best[..., None, None])
    return np.where(np.isnan(best)[..., None, None], won, equal)


def _counts(won: np.ndarray, g: AdaptiveGeometry, shape: tuple[int, ...]) -> np.ndarray:
    """How many windows each input cell wins, ``shape`` (N, C, H, W)."""
    h, w = g.in_size
    rows, cols = g.tap_coords(0), g.tap_coords(1)
    flat = np.clip(rows, 0, h - 1)[:, None, :, None] * w + np.clip(cols, 0, w - 1)[None, :, None, :]
    planes = won.reshape(-1, *won.shape[2:])
    counts = np.zeros((len(planes), h * w), dtype=np.int64)
    for p, plane in enumerate(planes):
        counts[p] = np.bincount(np.broadcast_to(flat, plane.shape)[plane], minlength=h * w)
    return counts.reshape(shape)


def _forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
    x = tensors["input"]
    kw = _kwargs(params)
    y, idx = adaptive_max_pool2d(x, **kw, return_indices=True)
    g = adaptive_geometry(x.shape, kw["output_size"])
    won = winners(x, y, idx, g, params["ties"])
    counts = _counts(won, g, x.shape)
    return {"output": y, "mask": counts}, (x, kw, params["ties"], won, counts, idx)


def _backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
    x, kw, ties, _, _, idx = ctx
    # The forward's indices, as PyTorch's backward takes them: the bins are not scanned again.
    gx = adaptive_max_pool2d_backward(grads["grad_output"], x, **kw, ties=ties, indices=idx)
    return {"grad_input": gx}


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc``: each window of its own size sends its gradient to its winner."""
    x, kw, ties, won, counts, _ = ctx
    g = adaptive_geometry(x.shape, kw["output_size"])
    return plane_trace(
        "adaptive_max_pool2d", g, x, arrays, plane_nc, records=MAX_RECORDS, pad_value=-np.inf,
        params={**kw, "ties": ties}, mask_counts=counts[plane_nc], winners=won[plane_nc],
    )  # fmt: skip


SPEC = register_module(
    globals(),
    order=50,
    reduction="max",
    alias="adaptive_max",
    label=QT_TR_NOOP("Adaptive max pooling"),
    description=QT_TR_NOOP(
        "You choose the output size; each output is the largest value of a window sized "
        "to fit (output size 1 is global max pooling)."
    ),
    params=(OUTPUT_SIZE, TIES),
    reference=reference,
    tensors=MAX_TENSORS,
    pad_value=-np.inf,
    explain=explain,
    output_in_input_scale=True,
    backward_kwargs=("ties",),
    reference_lines=(
        ReferenceLines("forward", ("if v > best or math.isnan(v)", "y[n, c, oh, ow] = best")),
        ReferenceLines("backward", ("gx[n, c, r, col] += share",)),
    ),
    torch_indices=True,
    kinks_at_ties=True,
)

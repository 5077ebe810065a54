"""Max pooling as a registered operation: ``torch.nn.functional.max_pool2d``."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import reference
from engine.arrays import as_plane
from engine.geometry import pool_geometry
from engine.ops.common import (
    CEIL_MODE,
    DILATION,
    KERNEL_SIZE,
    MAX_TENSORS,
    PADDING,
    STRIDE,
    explain_geometry,
    plane_trace,
    pool_kwargs,
    register_module,
)
from engine.ops.spec import QT_TR_NOOP, Params, ParamSpec, ReferenceLines, Tensors
from engine.pooling import (
    TIE_POLICIES,
    TiePolicy,
    max_pool2d_backward,
    max_pool2d_backward_own,
    max_pool2d_with_mask,
    validate_ties,
)
from engine.trace import (
    KIND_CODES,
    BackwardStep,
    ForwardStep,
    Trace,
    format_number,
    grad_or_ones,
    input_updates,
    join_values,
)

KEYS = ("kernel_size", "stride", "padding", "dilation", "ceil_mode")

TIES = ParamSpec(
    "ties",
    "choice",
    "first",
    choices=TIE_POLICIES,
    choice_labels=(
        QT_TR_NOOP("first max (PyTorch)"),
        QT_TR_NOOP("every tied max, in full"),
        QT_TR_NOOP("split between ties"),
    ),
    label=QT_TR_NOOP("Ties"),
    help=QT_TR_NOOP(
        "Max pooling backward: which of several equal maxima in a window receives its "
        "gradient (PyTorch: the first one)"
    ),
    engine=False,
    torch_values=("first",),
    torch_note=QT_TR_NOOP(
        "ties='{ties}' is a teaching option: PyTorch always sends a window's "
        "gradient to one maximum, so tied cells differ by design."
    ),
    torch_code_note=(
        "# Note: PyTorch sends a tie's gradient to one maximum only; the app's "
        'ties="{value}" differs there.'
    ),
    cli="--ties",
)

# Backward sentences: translatable templates, filled with numbers by the trace.
# ``{updates}`` is each target's arithmetic, e.g. ``dX[2, 4] += 1 → 2``; ``{wins}`` how many
# windows (this one included) the one maximum has won so far.
NO_INPUT = QT_TR_NOOP("{position}: the window read no input")
TO_MAX = QT_TR_NOOP("{position} goes to the maximum: {updates}")
TO_MAX_AGAIN = QT_TR_NOOP("{position} goes to the maximum: {updates} (it won {wins} windows)")
TO_ALL = QT_TR_NOOP("{position} goes in full to every tied maximum: {updates}")
TO_SPLIT = QT_TR_NOOP("{position} goes shared by {count} tied maxima: {updates}")


class Records:
    """Max pooling's step records (see :class:`engine.trace.Records`)."""

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        oh, ow, taps, gaps, result = trace.window(index)
        assert trace.winners is not None
        ranges = trace.geometry.window_ranges(oh, ow)
        if ranges is None:
            _, _, _, i, j = trace.window_cells(oh, ow)
            won = trace.winners[oh, ow][i, j]
        else:  # tap (i, j) of the window is the kernel's (i, j): its first rows and columns
            won = trace.winners[oh, ow][: len(ranges[0]), : len(ranges[1])].ravel()
            won = np.tile(won, trace.x.shape[0])
        winners = tuple(int(k) for k in np.flatnonzero(won))
        values, kinds = trace.window_read(oh, ow)
        shown = join_values(values[kinds != KIND_CODES["overhang"]], format_number, ", ")
        text = f"max({shown}) = {format_number(result)}"
        return ForwardStep(index, (oh, ow), taps, gaps, result, text, winners=winners)

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        fwd = self.forward_step(trace, index)
        oh, ow = fwd.out_pos
        gy = float(trace.grad_output[oh, ow])
        position = f"dY[{oh}, {ow}] = {format_number(gy)}"
        winners = [fwd.taps[k] for k in fwd.winners]
        if not winners:
            fields = {"position": position}
            return BackwardStep(
                index, (oh, ow), gy, (), NO_INPUT.format(**fields), template=NO_INPUT, fields=fields
            )
        ties = trace.params["ties"]
        share = gy / len(winners) if ties == "split" else gy
        grads = tuple(((0, *t.input_pos), share) for t in winners)
        updates = input_updates(trace, index, grads, running=True)
        fields = {
            "position": position,
            "updates": ", ".join(u.text for u in updates),
            "count": str(len(winners)),
        }
        template = {"first": TO_MAX, "all": TO_ALL, "split": TO_SPLIT}[ties]
        if len(winners) == 1:
            mask = trace.accumulation("mask")
            assert mask is not None
            wins = int(mask.after(index)[(0, *winners[0].input_pos)])
            if wins > 1:
                template, fields["wins"] = TO_MAX_AGAIN, str(wins)
        text = template.format(**fields)
        return BackwardStep(
            index, (oh, ow), gy, grads, text, template=template, fields=fields, updates=updates
        )

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        assert trace.winners is not None
        won = trace.winners[oh, ow].astype(np.float64)  # (n, kH, kW)
        if trace.params["ties"] == "split":
            won /= np.maximum(won.sum(axis=(1, 2), keepdims=True), 1)
        shares: np.ndarray = (won * trace.grad_output[oh, ow][:, None, None])[:, None]
        return shares


RECORDS = Records()


def trace_max_pool2d(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    ties: TiePolicy = "first",
    grad_output: object | None = None,
) -> Trace:
    """Trace :func:`max_pool2d` and its backward on one (H, W) plane.

    ``grad_output`` (out_H, out_W) defaults to ones.
    """
    validate_ties(ties)
    xp = as_plane(x, "x")
    g = pool_geometry(xp.shape, kernel_size, stride, padding, dilation, ceil_mode)
    values = (kernel_size, stride, padding, dilation, ceil_mode)
    kw: dict[str, Any] = dict(zip(KEYS, values, strict=True))
    params = {**kw, "ties": ties}
    best, idx, mask = max_pool2d_with_mask(xp, **kw, ties=ties)  # one scan, as the spec's
    gy = grad_or_ones(grad_output, g.out_size, best.dtype)
    indices = idx if ties == "first" else None
    gx = max_pool2d_backward(gy, xp, **kw, ties=ties, indices=indices)
    return Trace(
        op="max_pool2d", geometry=g, x=xp[None], output=best, grad_output=gy, grad_input=gx[None],
        records=RECORDS, pad_value=-np.inf, params=params, mask_counts=mask.counts,
        winners=mask.winners[0, 0] if mask.winners.ndim == 6 else mask.winners,
    )  # fmt: skip


# ---- the spec -----------------------------------------------------------------------------------
def _kwargs(params: Params) -> dict[str, Any]:
    return pool_kwargs(params, KEYS)


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    validate_ties(params["ties"])
    return pool_geometry(x_shape[-2:], **_kwargs(params))


def _forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
    x = tensors["input"]
    kw = _kwargs(params)
    y, idx, mask = max_pool2d_with_mask(x, **kw, ties=params["ties"])
    return {"output": y, "mask": mask.counts}, (x, idx, kw, params["ties"], mask)


def _backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
    x, idx, kw, ties, _ = ctx
    if ties == "first":
        # The forward's own indices: the public backward's check of given indices is not needed.
        gx = max_pool2d_backward_own(grads["grad_output"], x, idx, **kw)
    else:
        gx = max_pool2d_backward(grads["grad_output"], x, **kw, ties=ties)
    return {"grad_input": gx}


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Plane ``plane_nc`` of a computed batch; ``arrays`` holds outputs and gradients."""
    x, _idx, kw, ties, mask = ctx
    return plane_trace(
        "max_pool2d", pool_geometry(x.shape[-2:], **kw), x, arrays, plane_nc, records=RECORDS,
        pad_value=-np.inf, params={**kw, "ties": ties}, mask_counts=mask.counts[plane_nc],
        winners=mask.winners[plane_nc],
    )  # fmt: skip


def _explain(in_size: tuple[int, int], _w: tuple[int, ...] | None, p: Params) -> list[str]:
    return explain_geometry(in_size, p.kernel_size, p.stride, p.padding, p.dilation, p.ceil_mode)


SPEC = register_module(
    globals(),
    order=10,
    reduction="max",
    output_in_input_scale=True,
    alias="max",
    label=QT_TR_NOOP("Max pooling"),
    description=QT_TR_NOOP("Each output is the largest value in its window."),
    params=(KERNEL_SIZE, STRIDE, PADDING, DILATION, CEIL_MODE, TIES),
    reference=reference,
    tensors=MAX_TENSORS,
    pad_value=-np.inf,
    pitfalls=(
        "max_zero_padding",
        "max_backward_ignores_stride",
        "max_backward_equality_mask",
        "pool_reshape",
    ),
    backward_kwargs=("ties",),
    reference_lines=(
        ReferenceLines("forward", ("if v > best", "y[n, c, oh, ow] = best")),
        # ties="first" (PyTorch): the gradient goes to the recorded index
        ReferenceLines("backward", ("gx[n, c, k // W, k % W] +=",), (("ties", ("first",)),)),
        ReferenceLines("backward", ("gx[n, c, r, col] += share",)),  # "all" or "split"
    ),
    torch_indices=True,
    torch_breaks_on_empty_windows=True,
    kinks_at_ties=True,
)

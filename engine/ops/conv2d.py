"""Convolution (cross-correlation) as a registered operation: ``torch.nn.functional.conv2d``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from engine import reference
from engine.conv import conv2d, conv2d_backward
from engine.geometry import conv_geometry, explain_output_size
from engine.ops.common import (
    DILATION,
    GRAD_INPUT,
    GRAD_OUTPUT,
    INPUT_READ_BY_BACKWARD,
    KERNEL_SIZE,
    OUTPUT,
    PADDING,
    STRIDE,
    Backward,
    Forward,
    channel_backward,
    pool_kwargs,
    register_module,
)
from engine.ops.spec import QT_TR_NOOP, Params, ParamSpec, ReferenceLines, Tensors, TensorSpec
from engine.trace import (
    BackwardStep,
    ForwardStep,
    Tap,
    Trace,
    Update,
    cell_name,
    format_number,
    grad_or_ones,
    join_terms,
    term,
    update_lines,
)

KEYS = ("stride", "padding", "dilation")

CONV_KERNEL = dataclasses.replace(KERNEL_SIZE, engine=False)  # the weight's shape
CONV_STRIDE = dataclasses.replace(STRIDE, default=(1, 1))
BIAS = ParamSpec(
    "bias",
    "optional_float",
    0.0,
    -1e6,
    1e6,
    label="bias",
    help=QT_TR_NOOP("Convolution: add a bias to every output (off: no bias)"),
    engine=False,
)
WEIGHT = TensorSpec(
    "weight",
    "weight",
    "W",
    "(C_out, C_in, kH, kW)",
    editable=True,
    differentiable=True,
    view="kernelMatrix",
    read_by_backward=True,  # dX = dY · W
)
# The bias is a parameter (one value for every output channel, or off); the engine and
# PyTorch take it as a tensor of C_out values.
BIAS_TENSOR = TensorSpec("bias", "bias", "b", "(C_out,)", differentiable=True, from_param="bias")
GRAD_WEIGHT = TensorSpec(
    "grad_weight", "grad_weight", "dW", "like W", view="gradWeightMatrix", grad_of="weight"
)
GRAD_BIAS = TensorSpec(
    "grad_bias", "grad_bias", "db", "(C_out,)", view="gradBias", grad_of="weight"
)

# Backward sentences (translatable); the lines below them give every cell's numbers.
SPREAD = QT_TR_NOOP(
    "{position}: each window cell's dX gets {dy}·its weight, each weight's dW gets {dy}·its input"
)
SPREAD_BIAS = QT_TR_NOOP(
    "{position}: each window cell's dX gets {dy}·its weight, each weight's dW gets "
    "{dy}·its input, db gets {dy}"
)


class Records:
    """Convolution's step records (see :class:`engine.trace.Records`)."""

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        oh, ow, taps, gaps, result = trace.window(index)
        terms = [f"{term(t.value)}·{term(t.weight or 0.0)}" for t in taps]
        channels = trace.x.shape[0]
        if channels > 1:
            # One bracket per input channel, so a student can match each group to its plane.
            per_channel = len(taps) // channels
            terms = [
                "(" + join_terms(terms[k : k + per_channel]) + ")"
                for k in range(0, len(terms), per_channel)
            ]
        if trace.bias is not None:
            terms.append(term(trace.bias))
        text = f"{join_terms(terms)} = {format_number(result)}"
        return ForwardStep(index, (oh, ow), taps, gaps, result, text, bias=trace.bias)

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        oh, ow = trace.geometry.position(index)
        gy = float(trace.grad_output[oh, ow])
        taps = list(trace.taps(oh, ow))  # at most the kernel's taps, every one used
        real = [t for t in taps if t.kind == "input"]
        grads = tuple(((t.channel, *t.input_pos), gy * (t.weight or 0.0)) for t in real)
        # A padding tap adds nothing to dW (PyTorch never reads the padding): only real taps
        # are updates, each one even when its term is 0 (it is in the text and marked).
        wgrads = tuple(((t.channel, *t.kernel_pos), gy * t.value) for t in real)
        bias_grad = gy if trace.bias is not None else None
        # Several channels: dY named with its output channel (dY[o, oh, ow]), the plane the
        # views title dY[o=...]; each output channel's dY is another plane.
        at = (oh, ow) if trace.out_channel is None else (trace.out_channel, oh, ow)
        dy_name = f"dY[{', '.join(str(k) for k in at)}]"
        fields = {"position": f"{dy_name} = {format_number(gy)}", "dy": format_number(gy)}
        template = SPREAD if bias_grad is None else SPREAD_BIAS
        updates = _updates(trace, index, gy, real, bias_grad)
        lines = update_lines(updates)
        text = "\n".join((template.format(**fields), *lines))
        return BackwardStep(
            index, (oh, ow), gy, grads, text, wgrads, bias_grad, template, fields, updates, lines
        )

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        assert trace.weight is not None
        shares: np.ndarray = trace.grad_output[oh, ow][:, None, None, None] * trace.weight[None]
        return shares


def weight_cell_name(trace: Trace, channel: int, pos: tuple[int, int], out_first: bool) -> str:
    """The name of weight-gradient cell ``pos`` of input channel ``channel``: ``dW[1, 0]``,
    or with several channels its index in the full weight as PyTorch indexes it (the views
    title the kernel slices so): ``dW[co, ci, i, j]`` with ``out_first`` (conv2d's
    ``(C_out, C_in, kH, kW)``), else ``dW[ci, co, i, j]`` (conv_transpose2d's
    ``(C_in, C_out, kH, kW)``).

    Parameters
    ----------
    trace : the trace of one output channel (its ``out_channel`` is that channel, or None)
    channel : the input channel
    pos : ``(i, j)`` in the kernel
    out_first : whether the weight's first axis is the output channel
    """
    co = trace.out_channel
    if co is None:
        return cell_name("dW", channel, pos, trace.x.shape[0])
    lead = (co, channel) if out_first else (channel, co)
    return f"dW[{', '.join(str(k) for k in (*lead, *pos))}]"


def _updates(
    trace: Trace, index: int, gy: float, real: list[Tap], bias_grad: float | None
) -> tuple[Update, ...]:
    """Every cell step ``index`` adds to, with its numbers: ``dX[1, 0]: 0 + 1·2 = 2``."""
    channels = trace.x.shape[0]
    out: list[Update] = []
    groups = (
        ("grad_input", "dX", [(t.input_pos, t.weight or 0.0) for t in real]),
        ("grad_weight", "dW", [(t.kernel_pos, t.value) for t in real]),
    )
    for view, name, factors in groups:
        amounts = [((t.channel, *pos), gy * f) for t, (pos, f) in zip(real, factors, strict=True)]
        done = trace.updates(index, view, amounts)
        for (cell, before, after), (_, factor), (_, amount) in zip(
            done, factors, amounts, strict=True
        ):
            channel, pos = cell[0], (cell[1], cell[2])
            where = (
                cell_name(name, channel, pos, channels)
                if view == "grad_input"
                else weight_cell_name(trace, channel, pos, out_first=True)
            )
            text = (
                f"{where}: "
                f"{format_number(before)} + {term(gy)}·{term(factor)} = {format_number(after)}"
            )
            out.append(Update(view, pos, channel, before, amount, after, text))
    if bias_grad is not None:
        # From the running sum the db view shows (stepping never sums dY again).
        bias_after = trace.grad_bias_after(index)
        assert bias_after is not None
        bias_before = bias_after - bias_grad
        text = f"db: {format_number(bias_before)} + {term(bias_grad)} = {format_number(bias_after)}"
        out.append(Update("grad_bias", (0, 0), 0, bias_before, bias_grad, bias_after, text))
    return tuple(out)


RECORDS = Records()


def trace_conv2d(
    x: object,
    weight: object,
    bias: float | None = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    grad_output: object | None = None,
) -> Trace:
    """Trace one output channel of :func:`conv2d` and its backward.

    Parameters
    ----------
    x : (H, W) or (C, H, W)
    weight : (kH, kW) or (C, kH, kW), the kernel of the traced output channel
    bias : float, optional
    """
    from engine.arrays import as_float_array

    xa = as_float_array(x, "x")
    wa = as_float_array(weight, "weight")
    if xa.ndim == 2:
        xa = xa[None]
    if wa.ndim == 2:
        wa = wa[None]
    if xa.ndim != 3 or wa.ndim != 3:
        raise ValueError(
            f"a conv trace takes x (C, H, W) and weight (C, kH, kW); got {xa.shape} and {wa.shape}"
        )
    b = None if bias is None else float(np.asarray(bias).reshape(-1)[0])
    params: dict[str, Any] = dict(zip(KEYS, (stride, padding, dilation), strict=True))
    y = conv2d(xa, wa[None], None if b is None else np.array([b]), **params)
    g = conv_geometry(xa.shape[1:], wa.shape[1:], **params)
    gy = grad_or_ones(grad_output, g.out_size, y.dtype)
    gx, gw, gb = channel_backward(conv2d_backward, gy, xa, wa, b, params)
    return Trace(
        op="conv2d", geometry=g, x=xa, output=y[0], grad_output=gy, grad_input=gx,
        records=RECORDS, pad_value=0.0, params=params, weight=wa, bias=b, grad_weight=gw,
        grad_bias=gb,
    )  # fmt: skip


# ---- the spec -----------------------------------------------------------------------------------
def _kwargs(params: Params) -> dict[str, Any]:
    return pool_kwargs(params, KEYS)


def _bias(params: Params, c_out: int) -> np.ndarray | None:
    return None if params["bias"] is None else np.full(c_out, float(params["bias"]))


def _geometry(x_shape: tuple[int, ...], w_shape: tuple[int, ...] | None, params: Params) -> Any:
    assert w_shape is not None
    return conv_geometry(x_shape[-2:], w_shape[-2:], **_kwargs(params))


def weighted_calls(
    forward: Callable[..., np.ndarray],
    backward: Callable[..., tuple[np.ndarray, np.ndarray, np.ndarray | None]],
    kwargs: Callable[[Params], dict[str, Any]],
    out_axis: int,
) -> tuple[Forward, Backward]:
    """The spec's forward and backward of an operation called ``forward(x, weight, bias,
    **kwargs(params))``, whose bias (the ``bias`` parameter) has one value per output channel,
    the weight's axis ``out_axis``; ``backward`` returns dX, dW and db."""

    def spec_forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
        x, w = tensors["input"], tensors["weight"]
        b = _bias(params, w.shape[out_axis])
        kw = kwargs(params)
        return {"output": forward(x, w, b, **kw)}, (x, w, b, kw)

    def spec_backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
        x, w, b, kw = ctx
        gx, gw, gb = backward(grads["grad_output"], x, w, b, **kw)
        return {"grad_input": gx, "grad_weight": gw, "grad_bias": gb}

    return spec_forward, spec_backward


_forward, _backward = weighted_calls(conv2d, conv2d_backward, _kwargs, 0)


def weighted_plane(
    ctx: Any, plane_nc: tuple[int, int]
) -> tuple[int, int, np.ndarray, np.ndarray, float | None, dict[str, Any]]:
    """``(n, c, x, weight, bias of output channel c, kwargs)`` for the trace of plane
    ``(n, c)``, from the ``ctx`` a :func:`weighted_calls` forward returned."""
    n, c = plane_nc
    x, w, b, kw = ctx
    return n, c, x, w, None if b is None else float(b[c]), kw


def weighted_fields(weight: TensorSpec) -> dict[str, Any]:
    """The :class:`OpSpec` fields every operation with a weight and a bias shares (its tensors,
    with ``weight`` the spec of its weight, and what its calls take and return)."""
    return {
        "tensors": (
            INPUT_READ_BY_BACKWARD,
            weight,
            BIAS_TENSOR,
            OUTPUT,
            GRAD_OUTPUT,
            GRAD_INPUT,
            GRAD_WEIGHT,
            GRAD_BIAS,
        ),
        "call_tensors": ("input", "weight", "bias"),
        "backward_returns": ("grad_input", "grad_weight", "grad_bias"),
    }


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Output channel ``c`` of sample ``n``; ``arrays`` holds outputs and gradients."""
    n, c, x, w, bias, kw = weighted_plane(ctx, plane_nc)
    g = conv_geometry(x.shape[-2:], w.shape[-2:], **kw)
    gy = arrays["grad_output"][n, c]
    gb: float | None
    if x.shape[0] == 1 and w.shape[0] == 1:
        # One sample, one output channel: the batch's gradients are this plane's.
        gx, gw = arrays["grad_input"][0], arrays["grad_weight"][0]
        gb = None if arrays["grad_bias"] is None else float(arrays["grad_bias"][0])
    else:
        gx, gw, gb = channel_backward(conv2d_backward, gy, x[n], w[c], bias, kw)
    # Several channels: a dW cell is named by its index in the 4-D weight, as titled.
    out_channel = c if w.shape[0] > 1 or w.shape[1] > 1 else None
    return Trace(
        op="conv2d", geometry=g, x=x[n], output=arrays["output"][n, c], grad_output=gy,
        grad_input=gx, records=RECORDS, pad_value=0.0, params=kw, weight=w[c], bias=bias,
        grad_weight=gw, grad_bias=gb, out_channel=out_channel,
    )  # fmt: skip


def _explain(in_size: tuple[int, int], w_shape: tuple[int, ...] | None, p: Params) -> list[str]:
    kernel = p.kernel_size if w_shape is None else (w_shape[-2], w_shape[-1])
    return explain_output_size(in_size, kernel, p.stride, p.padding, p.padding, p.dilation, False)


def _switch(params: Params) -> Params:
    # Pooling's stride defaults to the kernel; a convolution's to 1.
    if params.get("stride") == params.get("kernel_size"):
        return params.replace(stride=(1, 1))
    return params


SPEC = register_module(
    globals(),
    order=30,
    reduction="sum",
    alias="conv",
    label=QT_TR_NOOP("Convolution (cross-correlation)"),
    description=QT_TR_NOOP("Each output is the sum of its window times the kernel, plus the bias."),
    params=(CONV_KERNEL, CONV_STRIDE, PADDING, DILATION, BIAS),
    reference=reference,
    **weighted_fields(WEIGHT),
    pitfalls=("conv_bias_per_product", "conv_flipped_kernel"),
    loop_counters=("n", "co", "oh", "ow"),
    reference_lines=(
        ReferenceLines("forward", ("y[n, co, oh, ow] = total",)),
        ReferenceLines("backward", ("gx[n, group * C_in_g + ci, r, col] +=",)),
    ),
)

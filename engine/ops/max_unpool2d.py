"""Max-unpooling: ``torch.nn.functional.max_unpool2d``, after a max pooling of the input.

The app builds the unpooling's input the way SegNet does: max pooling of X gives the pooled
values and their indices (two views); each forward step puts one pooled value back at its
index (zeros elsewhere), each backward step gathers the upstream gradient at that index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from engine import reference_transpose as reference
from engine.geometry import Pair, WindowGeometry, pool_geometry
from engine.ops.common import GRAD_OUTPUT, KERNEL_SIZE, OUTPUT, PADDING, STRIDE, register_module
from engine.ops.spec import QT_TR_NOOP, Params, ReferenceLines, Tensors, TensorSpec
from engine.pooling import max_pool2d
from engine.trace import (
    Accumulation,
    BackwardStep,
    ForwardStep,
    Step,
    StepCell,
    Trace,
    format_number,
)
from engine.unpool import max_unpool2d, max_unpool2d_backward, unpool_output_size

KEYS = ("kernel_size", "stride", "padding")

SOURCE = TensorSpec(
    "input",
    "input",
    "X",
    "(N, C, H, W)",
    editable=True,
    view="inputMatrix",
)
POOLED = TensorSpec(
    "pooled",
    "input",
    "P",
    "(N, C, h, w)",
    differentiable=True,
    view="pooledMatrix",
    title=QT_TR_NOOP("Pooled P"),
)
INDICES = TensorSpec(
    "indices",
    "indices",
    "I",
    "like P",
    view="indicesMatrix",
    read_by_backward=True,  # dP gathers dY where the indices point
    title=QT_TR_NOOP("Indices I"),
)
GRAD_POOLED = TensorSpec(
    "grad_input",
    "grad_input",
    "dP",
    "like P",
    view="gradInputMatrix",
    title=QT_TR_NOOP("Gradient dP"),
    grad_of="pooled",
)

PUT = QT_TR_NOOP(
    "P[{row}, {col}] = {value} goes back to Y[{target_row}, {target_col}] (I = {index})"
)
GATHER = QT_TR_NOOP("dP[{row}, {col}] = dY[{target_row}, {target_col}] = {value}")


@dataclass(frozen=True, eq=False)
class UnpoolGeometry(WindowGeometry):
    """Steps over the pooled cells; step ``(ph, pw)`` writes output cell ``targets[ph, pw]``."""

    targets: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))

    def window_taps(self, oh: int, ow: int) -> list[tuple[int, int, int, int]]:
        self._check_out_pos(oh, ow)
        r, c = divmod(int(self.targets[oh, ow]), self.in_size[1])
        return [(0, 0, r, c)]

    def window_ranges(self, oh: int, ow: int) -> tuple[range, range] | None:
        return None  # one cell where the index points: listed

    def window_gaps(self, oh: int, ow: int) -> list[tuple[int, int]]:
        return []

    def windows_reading(self, row: int, col: int) -> list[tuple[int, int]]:
        hits = np.argwhere(self.targets == row * self.in_size[1] + col)
        return [(int(a), int(b)) for a, b in hits]

    @property
    def canvas_pad(self) -> tuple[Pair, Pair]:
        return (0, 0), (0, 0)


class _Assignment(Accumulation):
    """The output so far: ``y.flat[I] = P`` for the first steps (the last one wins, as in
    PyTorch's CPU kernel), not a sum."""

    def after(self, index: int) -> np.ndarray:
        n = self.n_windows
        if index == n - 1:
            return self.final
        pooled, targets = self.contributions(np.arange(0), np.arange(0))  # the whole plane
        y = self.start_values()
        y[targets.ravel()[: index + 1]] = pooled.ravel()[: index + 1]
        return y.reshape(self.shape)


class Records:
    """Unpooling's steps: one per pooled cell."""

    def _target(self, trace: Trace, ph: int, pw: int) -> tuple[int, int, int]:
        g = trace.geometry
        assert isinstance(g, UnpoolGeometry)
        index = int(g.targets[ph, pw])
        r, c = divmod(index, g.in_size[1])
        return index, r, c

    def _put(self, trace: Trace, ph: int, pw: int) -> dict[str, str]:
        flat, r, c = self._target(trace, ph, pw)
        return {
            "row": str(ph), "col": str(pw), "value": format_number(float(trace.x[0, ph, pw])),
            "target_row": str(r), "target_col": str(c), "index": str(flat),
        }  # fmt: skip

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        ph, pw = trace.geometry.position(index)
        value = float(trace.x[0, ph, pw])
        text = PUT.format(**self._put(trace, ph, pw))
        return ForwardStep(index, (ph, pw), (), (), value, text)

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        ph, pw = trace.geometry.position(index)
        _, r, c = self._target(trace, ph, pw)
        gy = float(trace.grad_output[r, c])
        fields = {
            "row": str(ph), "col": str(pw), "value": format_number(gy),
            "target_row": str(r), "target_col": str(c),
        }  # fmt: skip
        text = GATHER.format(**fields)
        grads = (((0, ph, pw), gy),)
        return BackwardStep(index, (ph, pw), gy, grads, text, template=GATHER, fields=fields)

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # the accumulations below replace the gather's

    def step(self, trace: Trace, phase: str, index: int) -> Step:
        ph, pw = trace.geometry.position(index)
        _, r, c = self._target(trace, ph, pw)
        cells = [
            StepCell("pooled", (ph, pw), "source"),
            StepCell("indices", (ph, pw), "source"),
            StepCell("output", (r, c), "result"),
        ]
        height, width = trace.params["input_size"]
        if r < height and c < width:
            # The cell of X the value came from (when X and Y have the same size).
            cells.append(StepCell("input", (r, c), "winner"))
        if phase == "forward":
            return Step("forward", index, (ph, pw), tuple(cells), PUT, self._put(trace, ph, pw))
        bwd = self.backward_step(trace, index)
        cells += [
            StepCell("grad_output", (r, c), "source"),
            StepCell("grad_input", (ph, pw), "target"),
        ]
        return Step("backward", index, (ph, pw), tuple(cells), bwd.template, bwd.fields)

    def accumulation(self, trace: Trace, view: str) -> Accumulation | None:
        g = trace.geometry
        assert isinstance(g, UnpoolGeometry)
        if view == "output":

            def whole(_a: np.ndarray, _b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                return trace.x[0], g.targets

            return _Assignment(trace.output.shape, g.out_size, whole, trace.output)
        if view == "grad_input":
            gy = trace.grad_output.ravel()
            width = g.out_size[1]

            def gather(ph: np.ndarray, pw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                return ph * width + pw, gy[g.targets[ph, pw]]

            return Accumulation(trace.grad_input.shape, g.out_size, gather, trace.grad_input)
        return None

    def linked(self, trace: Trace, where: str, row: int, col: int) -> tuple[list[Pair], list[Pair]]:
        if where == "output":
            return [], [(row, col)]
        return [(row, col)], []

    input_pad = ((0, 0), (0, 0))


RECORDS = Records()


def _kwargs(params: Params) -> dict[str, Any]:
    return {name: params[name] for name in KEYS}


def _geometry(x_shape: tuple[int, ...], _w: tuple[int, ...] | None, params: Params) -> Any:
    return pool_geometry(x_shape[-2:], **_kwargs(params))


def _prepare(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Pool X (the unpooling's input), and unpool to X's size when PyTorch allows it."""
    x = tensors["input"]
    kw = _kwargs(params)
    pooled, idx = max_pool2d(x, **kw, return_indices=True)
    size: tuple[int, int] | None = (int(x.shape[-2]), int(x.shape[-1]))
    try:
        unpool_output_size(pooled.shape[-2:], **kw, output_size=size)
    except ValueError:
        size = None  # PyTorch's default size
    return {"pooled": pooled, "indices": idx}, {"output_size": size}


def _forward(tensors: Tensors, params: Params) -> tuple[dict[str, np.ndarray], Any]:
    extra, more = _prepare(tensors, params)
    pooled, idx = extra["pooled"], extra["indices"]
    kw = {**_kwargs(params), **more}
    y = max_unpool2d(pooled, idx, **kw)
    outputs = {"output": y, "pooled": pooled, "indices": idx.astype(np.float64)}
    return outputs, (pooled, idx, kw)


def _backward(ctx: Any, grads: Tensors) -> dict[str, np.ndarray | None]:
    pooled, idx, kw = ctx
    return {"grad_input": max_unpool2d_backward(grads["grad_output"], pooled, idx, **kw)}


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    n, c = plane_nc
    pooled, idx, kw = ctx
    y = arrays["output"][n, c]
    g = UnpoolGeometry(
        in_size=(int(y.shape[0]), int(y.shape[1])), kernel=(1, 1), stride=(1, 1),
        dilation=(1, 1), pad_before=(0, 0), pad_after=(0, 0), ceil_mode=False,
        out_size=(int(pooled.shape[-2]), int(pooled.shape[-1])), targets=idx[n, c],
    )  # fmt: skip
    x = tensors["input"]
    return Trace(
        op="max_unpool2d", geometry=g, x=pooled[n, c][None], output=y,
        grad_output=arrays["grad_output"][n, c], grad_input=arrays["grad_input"][n, c][None],
        records=RECORDS, pad_value=0.0,
        params={**kw, "input_size": (int(x.shape[-2]), int(x.shape[-1]))},
    )  # fmt: skip


def _explain(in_size: tuple[int, int], _w: tuple[int, ...] | None, p: Params) -> list[str]:
    try:
        g = pool_geometry(in_size, p.kernel_size, p.stride, p.padding)
    except ValueError as exc:
        return [f"✗ {exc}"]
    k, s, pad = (g.kernel, g.stride, g.pad_before)
    lines = [f"P = max_pool2d(X): {in_size[0]}×{in_size[1]} → {g.out_size[0]}×{g.out_size[1]}"]
    for axis, (name, out_name) in enumerate((("h", "H_out"), ("w", "W_out"))):
        h = g.out_size[axis]
        out = (h - 1) * s[axis] - 2 * pad[axis] + k[axis]
        lines.append(
            f"{out_name} = ({name} − 1)·s − 2·p + k = ({h} − 1)·{s[axis]} − 2·{pad[axis]} + "
            f"{k[axis]} = {out}"
        )
    return lines


SPEC = register_module(
    globals(),
    order=80,
    reduction="max",
    alias="unpool",
    label=QT_TR_NOOP("Max-unpooling"),
    description=QT_TR_NOOP(
        "Puts each max-pooled value back where it came from (its index), zeros elsewhere: "
        "what SegNet's decoder keeps from the encoder."
    ),
    params=(KERNEL_SIZE, STRIDE, PADDING),
    reference=reference,
    tensors=(SOURCE, POOLED, INDICES, OUTPUT, GRAD_OUTPUT, GRAD_POOLED),
    pad_value=-np.inf,
    output_in_input_scale=True,
    call_tensors=("pooled", "indices"),
    prepare_code=(
        "pooled, indices = {module}.max_pool2d(x, {kwargs}, return_indices=True)"
        "  # output_size: X's size when allowed"
    ),
    reference_lines=(
        ReferenceLines("forward", ("y[n, c, k // out_w, k % out_w] = s.x4[n, c, h, w]",)),
        ReferenceLines("backward", ("gx[n, c, h, w] = gy[n, c, k // out_w, k % out_w]",)),
    ),
)

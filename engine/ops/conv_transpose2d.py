"""Transposed convolution: ``torch.nn.functional.conv_transpose2d``, stepped as a scatter.

Each forward step takes one input cell and adds the kernel, scaled by that cell's value, onto
its patch of the output (overlapping patches add up); each backward step gathers the upstream
gradient of that patch back into the cell (a convolution) and into dW.  The windows are those
of the convolution whose input gradient this is
(:func:`engine.conv_transpose.conv_transpose_geometry`): its window ``(ih, iw)`` is the output
patch of input cell ``(ih, iw)``.

With the view option ``as_convolution`` the same output is stepped the other way
(:mod:`engine.transpose_as_conv`): zeros inserted between the input cells, padded, then a normal
convolution with the flipped kernel, one step per output cell; the backward phase is that
convolution's backward, into the gradient of the canvas and of the flipped kernel.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine import reference_transpose as reference
from engine.cells import CellBlock, index_ranges
from engine.conv import conv2d_backward
from engine.conv_transpose import (
    conv_transpose2d,
    conv_transpose2d_backward,
    conv_transpose_geometry,
    conv_transpose_output_size,
)
from engine.geometry import Pair, conv_geometry, normalize_pair
from engine.ops.common import (
    DILATION,
    MAX_WINDOW,
    PADDING,
    STRIDE,
    channel_backward,
    pool_kwargs,
    register_module,
)
from engine.ops.conv2d import (
    BIAS,
    CONV_KERNEL,
    WEIGHT,
    weight_cell_name,
    weighted_calls,
    weighted_fields,
    weighted_plane,
)
from engine.ops.conv2d import Records as ConvRecords
from engine.ops.spec import QT_TR_NOOP, Params, ParamSpec, ReferenceLines, Tensors
from engine.trace import (
    UPDATE_GAP,
    Accumulation,
    BackwardStep,
    ForwardStep,
    Step,
    StepCell,
    Tap,
    Trace,
    Update,
    format_number,
    join_terms,
    onto_input,
    tap_grid,
    term,
    update_lines,
)
from engine.transpose_as_conv import CANVAS_INPUT, CANVAS_INSERTED, conv_transpose_as_conv

KEYS = ("stride", "padding", "output_padding", "dilation")

OUTPUT_PADDING = ParamSpec(
    "output_padding",
    "pair",
    (0, 0),
    0,
    MAX_WINDOW,
    label=QT_TR_NOOP("Output padding"),
    help=QT_TR_NOOP(
        "Transposed convolution: extra rows and columns at the bottom and right of the output "
        "(smaller than the stride or the dilation); it picks one of the sizes a strided "
        "convolution maps to the same input size."
    ),
    cli="--output-padding",
)
AS_CONVOLUTION = ParamSpec(
    "as_convolution",
    "bool",
    False,
    label=QT_TR_NOOP("As a convolution (zeros inserted, W flipped)"),
    help=QT_TR_NOOP(
        "Show the same output computed the other way: stride − 1 zeros inserted between the "
        "input cells, padded by dilation·(k − 1) − padding (plus output_padding at the bottom "
        "and right), then a normal convolution (stride 1) with the flipped kernel."
    ),
    engine=False,
    cli="--as-convolution",
    view_option=True,
)
TRANSPOSED_WEIGHT = dataclasses.replace(WEIGHT, shape="(C_in, C_out, kH, kW)")

SCATTER = QT_TR_NOOP("{source} = {value} scatters {value}·W onto Y: {updates}")
# A backward step gathers dY·W into one dX cell and adds X·dY to each kernel tap of its patch;
# db (the sum of all of dY, which no input cell changes) comes whole with the first step.  The
# lines below the sentence give each dW (and db) cell's numbers.  The sentence is kept to one
# line at 1366 px: with its updates below, a longer one (two lines, and db on a line of its
# own) pushed a 9×9 Y and dY below the numbers' least cell size with a dock open.
GATHER = QT_TR_NOOP(
    "dX[{row}, {col}] = Σ dY·W over its patch = {terms} = {total}; dW gets X[{row}, {col}]·dY"
)
# The last step when some dY cells lie outside every patch (output_padding, or a stride larger
# than the kernel): db = Σ dY takes them there, and without a word its update jumped
# ("db: 12 + 24 = 36" where the patch added 4).  Its db update writes the two parts apart.
GATHER_UNREACHED = QT_TR_NOOP(
    "dX[{row}, {col}] = Σ dY·W over its patch = {terms} = {total}; dW gets X[{row}, {col}]·dY; "
    "db also takes the {count} dY cells no patch reaches: {rest}"
)
# Computed as a convolution: the window of Y[row, col] on the zero-inserted canvas.
CANVAS_SUM = QT_TR_NOOP(
    "Y[{row}, {col}] = {terms} = {result}   (flipped W over the canvas; the other {zeros} "
    "taps read zeros: {inserted} inserted, {padding} padding)"
)
CANVAS_SUM_ALL_INPUT = QT_TR_NOOP(
    "Y[{row}, {col}] = {terms} = {result}   (flipped W over the canvas)"
)
CANVAS_TITLES = {
    "input": QT_TR_NOOP("Zero-inserted X"),
    "weight": QT_TR_NOOP("W flipped"),
    "grad_input": QT_TR_NOOP("dX of the canvas"),
    "grad_weight": QT_TR_NOOP("dW flipped"),
}


class Records:
    """Transposed convolution's steps: one per input cell, forward a scatter, backward a gather."""

    # ---- what one input cell adds to its output patch ----------------------------------------
    def _patch(self, trace: Trace, ih: int, iw: int) -> list[tuple[int, int, int, int]]:
        """The real output cells of input cell ``(ih, iw)``'s patch, as ``(i, j, row, col)``."""
        g = trace.geometry
        return [t for t in g.window_taps(ih, iw) if g.classify(t[2], t[3]) == "input"]

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        ih, iw = trace.geometry.position(index)
        assert trace.weight is not None
        values = trace.x[:, ih, iw]  # (C_in,)
        taps = []
        for c in range(trace.x.shape[0]):
            for i, j, r, col in trace.geometry.window_taps(ih, iw):
                kind = trace.geometry.classify(r, col)
                taps.append(
                    Tap((i, j), (r, col), kind, float(values[c]), c, float(trace.weight[c, i, j]))
                )
        text = SCATTER.format(**self._scatter_fields(trace, ih, iw))
        return ForwardStep(index, (ih, iw), tuple(taps), (), float("nan"), text)

    def _scatter_fields(self, trace: Trace, ih: int, iw: int) -> dict[str, str]:
        """The numbers of a forward step's sentence (the template is translated in the app)."""
        assert trace.weight is not None
        values = trace.x[:, ih, iw]  # (C_in,)
        updates = []
        for i, j, r, col in self._patch(trace, ih, iw):
            amount = float(values @ trace.weight[:, i, j])
            updates.append(f"Y[{r}, {col}] += {format_number(amount)}")
        value = format_number(float(values[0])) if len(values) == 1 else "x"
        return {"source": f"X[{ih}, {iw}]", "value": value, "updates": ", ".join(updates) or "—"}

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        ih, iw = trace.geometry.position(index)
        assert trace.weight is not None
        patch = self._patch(trace, ih, iw)
        gy = trace.grad_output
        grads = []
        for c in range(trace.x.shape[0]):
            total = sum(float(gy[r, col]) * float(trace.weight[c, i, j]) for i, j, r, col in patch)
            grads.append(((c, ih, iw), total))
        wgrads = tuple(
            ((c, i, j), float(trace.x[c, ih, iw]) * float(gy[r, col]))
            for c in range(trace.x.shape[0])
            for i, j, r, col in patch
        )
        terms = join_terms(
            [
                f"{term(float(gy[r, col]))}·{term(float(trace.weight[0, i, j]))}"
                for i, j, r, col in patch
            ]
        )
        fields = {
            "row": str(ih),
            "col": str(iw),
            "terms": terms or "0",
            "total": format_number(grads[0][1]),
        }
        # db = Σ dY: each step adds the dY of the patch cells no earlier step reached (see
        # ``_bias_steps``), so the db view fills in as dW does.
        bias_grad = None
        acc = trace.accumulation("grad_bias") if trace.grad_bias is not None else None
        if acc is not None:
            bias_grad = float(acc.contributions(np.array([ih]), np.array([iw]))[1][0])
        template = GATHER
        rest = None
        if bias_grad is not None and index == len(trace) - 1:
            count, rest = self._unreached(trace)
            if count:
                template = GATHER_UNREACHED
                fields |= {"count": str(count), "rest": format_number(rest)}
            else:
                rest = None
        updates = self._updates(trace, index, ih, iw, patch, bias_grad, rest)
        lines = update_lines(updates)
        if bias_grad is not None and len(lines) > 1:
            # db's one short update goes after the last dW update, not on a line of its own
            # (a line fewer under the views: see GATHER).
            lines = (*lines[:-2], lines[-2] + UPDATE_GAP + lines[-1])
        text = "\n".join((template.format(**fields), *lines))
        return BackwardStep(
            index, (ih, iw), float("nan"), tuple(grads), text, wgrads, bias_grad,
            template, fields, updates, lines,
        )  # fmt: skip

    def _updates(
        self,
        trace: Trace,
        index: int,
        ih: int,
        iw: int,
        patch: list[tuple[int, int, int, int]],
        bias_grad: float | None,
        rest: float | None = None,
    ) -> tuple[Update, ...]:
        """The dW cells (and db) step ``index`` adds to, with their numbers, as conv2d writes
        them: ``dW[1, 0]: 3 + 7·1 = 10`` (X[ih, iw]·dY), ``db: 4 + 2 = 6`` (the dY of the
        patch cells no earlier patch held, see ``_bias_steps``; on the last step, ``rest``,
        the dY of the cells no patch reaches, as a term of its own: ``db: 12 + 4 + 20 = 36``).
        dX is the sentence's sum (one cell per channel, gathered whole in this step)."""
        x, gy = trace.x, trace.grad_output
        factors = [
            ((c, i, j), float(x[c, ih, iw]), float(gy[r, col]))
            for c in range(x.shape[0])
            for i, j, r, col in patch
        ]
        amounts = [(cell, v * d) for cell, v, d in factors]
        out = []
        done = trace.updates(index, "grad_weight", amounts)
        for (cell, before, after), (_, v, d), (_, amount) in zip(
            done, factors, amounts, strict=True
        ):
            name = weight_cell_name(trace, cell[0], (cell[1], cell[2]), out_first=False)
            text = f"{name}: {format_number(before)} + {term(v)}·{term(d)} = {format_number(after)}"
            out.append(
                Update("grad_weight", (cell[1], cell[2]), cell[0], before, amount, after, text)
            )
        if bias_grad is not None:
            bias_after = trace.grad_bias_after(index)
            assert bias_after is not None
            bias_before = bias_after - bias_grad
            added = term(bias_grad)
            if rest is not None:
                added = f"{term(bias_grad - rest)} + {term(rest)}"
            text = f"db: {format_number(bias_before)} + {added} = {format_number(bias_after)}"
            out.append(Update("grad_bias", (0, 0), 0, bias_before, bias_grad, bias_after, text))
        return tuple(out)

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        raise NotImplementedError  # the accumulations below replace the gather's

    def step(self, trace: Trace, phase: str, index: int) -> Step:
        """A scatter: one input cell, its output patch, the whole kernel."""
        ih, iw = trace.geometry.position(index)
        cells = [StepCell("input", (ih, iw), "source", c) for c in range(trace.x.shape[0])]
        for i, j, r, col in trace.geometry.window_taps(ih, iw):
            if trace.geometry.classify(r, col) == "input":
                cells.append(StepCell("output", (r, col), "window"))
            cells.append(StepCell("weight", (i, j), "window"))
        if phase == "forward":
            fields = self._scatter_fields(trace, ih, iw)
            return Step("forward", index, (ih, iw), tuple(cells), SCATTER, fields)
        bwd = self.backward_step(trace, index)
        for i, j, r, col in self._patch(trace, ih, iw):
            cells.append(StepCell("grad_output", (r, col), "window"))
            cells += [
                StepCell("grad_weight", (i, j), "changed", c) for c in range(trace.x.shape[0])
            ]
        cells += [StepCell("grad_input", (ih, iw), "target", c) for c in range(trace.x.shape[0])]
        # The dY cells the sentence says db takes besides the patch: marked in dY as read into
        # db only (not as the window, which feeds dX and dW and starts the step's arrows).
        blocks = self._unreached_blocks(trace) if bwd.template == GATHER_UNREACHED else []
        return Step(
            "backward", index, (ih, iw), tuple(cells), bwd.template, bwd.fields, bwd.updates,
            bwd.lines, tuple(blocks),
        )  # fmt: skip

    def accumulation(self, trace: Trace, view: str) -> Accumulation | None:
        g, x, w = trace.geometry, trace.x, trace.weight
        assert w is not None
        gy = trace.grad_output
        c_in = x.shape[0]

        def patch_gy(ih: np.ndarray, iw: np.ndarray) -> np.ndarray:
            rows, cols, valid = tap_grid(g, ih, iw)
            h, wd = g.in_size
            return np.where(valid, gy[np.clip(rows, 0, h - 1), np.clip(cols, 0, wd - 1)], 0.0)

        if view == "output":

            def scatter(ih: np.ndarray, iw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                per_tap = np.einsum("cn,cij->nij", x[:, ih, iw], w)[:, None]
                return onto_input(g, ih, iw, per_tap)

            start = np.full(trace.output.shape, trace.bias or 0.0)
            return Accumulation(trace.output.shape, g.out_size, scatter, trace.output, start)
        if view == "grad_input":
            h, wd = x.shape[1:]

            def gather(ih: np.ndarray, iw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                amounts = np.einsum("nij,cij->nc", patch_gy(ih, iw), w)
                cells = (np.arange(c_in)[None, :] * h + ih[:, None]) * wd + iw[:, None]
                return cells.ravel(), amounts.ravel()

            return Accumulation(trace.grad_input.shape, g.out_size, gather, trace.grad_input)
        if view == "grad_weight" and trace.grad_weight is not None:
            size = trace.grad_weight.size

            def weight_grads(ih: np.ndarray, iw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                amounts = x[:, ih, iw].T[:, :, None, None] * patch_gy(ih, iw)[:, None]
                cells = np.broadcast_to(np.arange(size), (len(ih), size))
                return cells.ravel(), amounts.ravel()

            final = trace.grad_weight
            return Accumulation(final.shape, g.out_size, weight_grads, final)
        if view == "grad_bias" and trace.grad_bias is not None:
            per_step = self._bias_steps(trace)

            def bias_grad(ih: np.ndarray, iw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                amounts = per_step[ih * g.out_size[1] + iw]
                return np.zeros(len(ih), dtype=np.int64), amounts

            return Accumulation((1,), g.out_size, bias_grad, np.array([float(trace.grad_bias)]))
        return None

    def _bias_steps(self, trace: Trace) -> np.ndarray:
        """What each backward step adds to db = Σ dY, made once per trace: the dY of the
        cells of its patch that no earlier step's patch held (so every output cell is counted
        once, as in PyTorch's sum); the cells no patch holds (outside every patch: a stride
        larger than the kernel, output_padding) are added by the last step."""
        g, gy = trace.geometry, trace.grad_output
        n = len(trace)
        steps = np.arange(n)
        rows, cols, valid = tap_grid(g, *np.divmod(steps, g.out_size[1]))
        cells = rows * gy.shape[1] + cols  # (n, kH, kW) flat cells of dY
        step_of = np.broadcast_to(steps[:, None, None], cells.shape)
        cells, step_of = cells[valid], step_of[valid]  # row-major: earlier steps first
        owner = np.full(gy.size, n - 1)
        reached, first = np.unique(cells, return_index=True)
        owner[reached] = step_of[first]
        return np.bincount(owner, weights=gy.ravel().astype(np.float64), minlength=n)

    def _reached(self, trace: Trace) -> tuple[np.ndarray, np.ndarray]:
        """Whether some input cell's patch reaches each row and each column of dY (bool
        vectors).  A patch is its rows × its columns, and every input cell has one: the cells
        reached are the rows any patch reaches × the columns any patch reaches (no pass over
        every patch's cells)."""
        g, gy = trace.geometry, trace.grad_output
        axes = []
        for axis in (0, 1):
            coords = g.tap_coords(axis)
            reached = np.zeros(gy.shape[axis], dtype=bool)
            reached[coords[g.tap_valid(axis)]] = True
            axes.append(reached)
        return axes[0], axes[1]

    def _unreached(self, trace: Trace) -> tuple[int, float]:
        """How many dY cells no input cell's patch reaches, and the sum of their dY (what the
        last step adds to db beside its patch's share, see ``_bias_steps``)."""
        gy = trace.grad_output
        rows, cols = self._reached(trace)
        count = gy.size - int(rows.sum()) * int(cols.sum())
        if count == 0:
            return 0, 0.0
        outside = ~(rows[:, None] & cols[None, :])
        return count, float(gy[outside].sum(dtype=np.float64))

    def _unreached_blocks(self, trace: Trace) -> list[CellBlock]:
        """The dY cells no patch reaches, as the rows no patch reaches × every column and
        every row × the columns none reaches: a few strided rectangles (the stride skips rows
        and columns evenly), never a list of a large output's cells."""
        rows, cols = self._reached(trace)
        stride = trace.geometry.stride
        every_row, every_col = range(len(rows)), range(len(cols))
        blocks = [
            CellBlock("grad_output", r, every_col, "summed")
            for r in index_ranges(np.flatnonzero(~rows), stride[0])
        ]
        blocks += [
            CellBlock("grad_output", every_row, c, "summed")
            for c in index_ranges(np.flatnonzero(~cols), stride[1])
        ]
        return blocks

    def linked(self, trace: Trace, where: str, row: int, col: int) -> tuple[list[Pair], list[Pair]]:
        """An input cell lights its output patch; an output cell, the inputs that reach it."""
        g = trace.geometry
        if where == "input":
            if not (0 <= row < g.out_size[0] and 0 <= col < g.out_size[1]):
                return [], []
            return [(row, col)], [(r, c) for _, _, r, c in self._patch(trace, row, col)]
        return g.windows_reading(row, col), [(row, col)]

    input_pad = ((0, 0), (0, 0))


RECORDS = Records()


class CanvasRecords(ConvRecords):
    """Computed as a convolution: a stride-1 window of the zero-inserted canvas per output cell.

    The trace's ``x`` is the canvas and its ``weight`` the flipped kernel; taps that read an
    inserted or a padding zero are marked as padding taps, and the sentence writes the products
    of the input cells and counts the zeros.
    """

    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        fwd = super().forward_step(trace, index)
        fields = self.canvas_fields(trace, fwd)
        template = CANVAS_SUM if fields["zeros"] != "0" else CANVAS_SUM_ALL_INPUT
        return dataclasses.replace(fwd, text=template.format(**fields))

    def canvas_fields(self, trace: Trace, fwd: ForwardStep) -> dict[str, str]:
        """The numbers of a forward step's sentence (the template is translated in the app)."""
        kinds = trace.canvas_kinds
        assert kinds is not None
        channels = trace.x.shape[0]
        per_channel = len(fwd.taps) // channels
        groups = []
        for c in range(channels):
            taps = fwd.taps[c * per_channel : (c + 1) * per_channel]
            real = [t for t in taps if kinds[t.input_pos] == CANVAS_INPUT]
            terms = join_terms([f"{term(t.value)}·{term(t.weight or 0.0)}" for t in real]) or "0"
            groups.append(f"({terms})" if channels > 1 else terms)
        if trace.bias is not None:
            groups.append(term(trace.bias))
        spots = [kinds[t.input_pos] for t in fwd.taps[:per_channel]]
        inserted = sum(1 for k in spots if k == CANVAS_INSERTED)
        padding = sum(1 for k in spots if k not in (CANVAS_INPUT, CANVAS_INSERTED))
        return {
            "row": str(fwd.out_pos[0]),
            "col": str(fwd.out_pos[1]),
            "terms": join_terms(groups),
            "result": format_number(fwd.result),
            "zeros": str(inserted + padding),
            "inserted": str(inserted),
            "padding": str(padding),
        }

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        """The convolution's backward step on the canvas, without the dW updates of taps that
        read a zero of the canvas (inserted or padding): marked as padding, they stand for
        nothing of X (PyTorch reads no such zero), so like a convolution's padding taps their
        dW cells are neither said nor marked (their terms are 0: no number changes)."""
        bwd = super().backward_step(trace, index)
        kinds = trace.canvas_kinds
        assert kinds is not None
        oh, ow = bwd.out_pos
        zero = {
            (t.channel, *t.kernel_pos)
            for t in trace.taps(oh, ow)
            if t.kind == "input" and kinds[t.input_pos] != CANVAS_INPUT
        }
        if not zero:
            return bwd
        wgrads = tuple(g for g in bwd.weight_grads if g[0] not in zero)
        updates = tuple(
            u for u in bwd.updates if u.view != "grad_weight" or (u.channel, *u.pos) not in zero
        )
        lines = update_lines(updates)
        text = "\n".join((bwd.template.format(**bwd.fields), *lines))
        return dataclasses.replace(
            bwd, weight_grads=wgrads, updates=updates, lines=lines, text=text
        )

    def step(self, trace: Trace, phase: str, index: int) -> Step:
        """A gather on the canvas; taps reading a zero (inserted or padding) marked as padding."""
        kinds = trace.canvas_kinds
        assert kinds is not None
        step = trace.gather_step(phase, index)
        cells = tuple(
            dataclasses.replace(cell, role="padding")
            if cell.view == "input" and cell.role == "window" and kinds[cell.pos] != CANVAS_INPUT
            else cell
            for cell in step.listed  # a weighted window: its cells are listed, none in blocks
        )
        if phase != "forward":
            return dataclasses.replace(step, listed=cells)
        fields = self.canvas_fields(trace, super().forward_step(trace, index))
        template = CANVAS_SUM if fields["zeros"] != "0" else CANVAS_SUM_ALL_INPUT
        return Step("forward", index, step.out_pos, cells, template, fields)


CANVAS_RECORDS = CanvasRecords()


def _kwargs(params: Params) -> dict[str, Any]:
    return pool_kwargs(params, KEYS)


def _geometry_of(x_shape: tuple[int, ...], w_shape: tuple[int, ...], kw: dict[str, Any]) -> Any:
    pairs = {name: normalize_pair(kw[name], name) for name in KEYS}
    return conv_transpose_geometry(
        (int(x_shape[-2]), int(x_shape[-1])), (int(w_shape[-2]), int(w_shape[-1])), **pairs
    )


def _geometry(x_shape: tuple[int, ...], w_shape: tuple[int, ...] | None, params: Params) -> Any:
    assert w_shape is not None
    # The engine's own checks (output_padding, output size, shapes), on one zero sample.
    conv_transpose2d(
        np.zeros((1, w_shape[0], *x_shape[-2:])), np.zeros(w_shape), None, **_kwargs(params)
    )
    return _geometry_of(x_shape, w_shape, _kwargs(params))


# conv_transpose2d's weight is (C_in, C_out, kH, kW): output channels on axis 1.
_forward, _backward = weighted_calls(conv_transpose2d, conv_transpose2d_backward, _kwargs, 1)


def _trace(
    tensors: Tensors, params: Params, ctx: Any, arrays: Tensors, plane_nc: tuple[int, int], _c: int
) -> Trace:
    """Output channel ``c`` of sample ``n``: every input channel scatters its kernel slice."""
    n, c, x, w, bias, kw = weighted_plane(ctx, plane_nc)
    if params.get("as_convolution"):
        return _canvas_trace(x[n], w[:, c : c + 1], bias, kw, arrays, plane_nc)
    g = _geometry_of(x.shape, w.shape, kw)
    gy = arrays["grad_output"][n, c]
    plane_w = w[:, c]  # (C_in, kH, kW)
    gx, gw, gb = channel_backward(conv_transpose2d_backward, gy, x[n], plane_w, bias, kw, 1)
    # Several channels: a dW cell is named by its index in the 4-D weight, as titled.
    out_channel = c if w.shape[0] > 1 or w.shape[1] > 1 else None
    return Trace(
        op="conv_transpose2d", geometry=g, x=x[n], output=arrays["output"][n, c],
        grad_output=gy, grad_input=gx, records=RECORDS, pad_value=0.0, params=kw,
        weight=plane_w, bias=bias, grad_weight=gw, grad_bias=gb, out_channel=out_channel,
    )  # fmt: skip


def _canvas_trace(
    x: np.ndarray,
    w: np.ndarray,
    bias: float | None,
    kw: dict[str, Any],
    arrays: Tensors,
    plane_nc: tuple[int, int],
) -> Trace:
    """One output channel computed as a convolution of the zero-inserted canvas.

    ``x`` is one sample (C_in, H, W), ``w`` the output channel's weight (C_in, 1, kH, kW).
    """
    form = conv_transpose_as_conv(x, w, **kw)
    canvas, flipped = form.canvas, form.weight[0]  # (C_in, Hc, Wc), (C_in, kH, kW)
    conv_kw: dict[str, Any] = {"stride": 1, "padding": 0, "dilation": form.dilation}
    g = conv_geometry(canvas.shape[-2:], flipped.shape[-2:], **conv_kw)
    gy = arrays["grad_output"][plane_nc]
    gx, gw, gb = channel_backward(conv2d_backward, gy, canvas, flipped, bias, conv_kw)
    return Trace(
        op="conv_transpose2d", geometry=g, x=canvas, output=arrays["output"][plane_nc],
        grad_output=gy, grad_input=gx, records=CANVAS_RECORDS, pad_value=0.0, params=conv_kw,
        weight=flipped, bias=bias, grad_weight=gw, grad_bias=gb, canvas_kinds=form.kinds,
        shown_as=CANVAS_TITLES,
    )  # fmt: skip


def _explain(in_size: tuple[int, int], w_shape: tuple[int, ...] | None, p: Params) -> list[str]:
    kernel = normalize_pair(p.kernel_size if w_shape is None else tuple(w_shape[-2:]), "kernel")
    pairs = [normalize_pair(p[k], k) for k in KEYS]  # stride, padding, output_padding, dilation
    lines = []
    for axis, (name, out_name) in enumerate((("H", "H_out"), ("W", "W_out"))):
        s, pad, op, d = (0 if v is None else v[axis] for v in pairs)
        k = 0 if kernel is None else kernel[axis]
        size = in_size[axis]
        out = conv_transpose_output_size(size, k, s, pad, op, d)
        line = (
            f"{out_name} = ({name} − 1)·s − 2·p + d·(k − 1) + output_padding + 1 = "
            f"({size} − 1)·{s} − 2·{pad} + {d}·{k - 1} + {op} + 1 = {out}"
        )
        if out < 1:
            line += "  ✗ the output must be at least 1"
        if op >= s and op >= d:
            line += "  ✗ output_padding must be smaller than the stride or the dilation"
        lines.append(line)
    if p.get("as_convolution"):
        # The zero-inserted canvas the convolution slides over (stride 1, flipped kernel).
        for axis, name in enumerate("HW"):
            s, pad, op, d = (0 if v is None else v[axis] for v in pairs)
            k = 0 if kernel is None else kernel[axis]
            border = d * (k - 1) - pad
            canvas = (in_size[axis] - 1) * s + 1 + 2 * border + op
            lines.append(
                f"{name}_canvas = ({name} − 1)·s + 1 + 2·(d·(k − 1) − p) + output_padding = "
                f"({in_size[axis]} − 1)·{s} + 1 + 2·({d}·{k - 1} − {pad}) + {op} = {canvas}"
            )
    return lines


SPEC = register_module(
    globals(),
    order=70,
    reduction="sum",
    alias="convT",
    label=QT_TR_NOOP("Transposed convolution"),
    description=QT_TR_NOOP(
        "Each input cell adds the kernel, scaled by its value, onto its patch of the output: "
        "upsampling in decoders and GANs, and the backward of a convolution."
    ),
    params=(CONV_KERNEL, STRIDE, PADDING, OUTPUT_PADDING, DILATION, BIAS, AS_CONVOLUTION),
    reference=reference,
    **weighted_fields(TRANSPOSED_WEIGHT),
    weight_in_axis=0,
    scatters=True,
    loop_counters=("n", "ci", "ih", "iw"),
    reference_lines=(
        ReferenceLines("forward", ("y[n, first_out + co, r, c] += v * w4[ci, co, i, j]",)),
        ReferenceLines(
            "backward",
            ("gx[n, ci, ih, iw] += d * w4[ci, co, i, j]", "gw[ci, co, i, j] += d * v"),
        ),
    ),
)

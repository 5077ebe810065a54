"""What a convolution's backward step says it adds to dW and db, and which cells it marks.

Hand-worked cases: a step's text and its "changed" marks name the same weight-gradient cells
(every real tap's, a zero term included; no padding tap's, which PyTorch never reads), a
transposed convolution's backward step writes its dW and db updates as conv2d's does, and a
dW cell of a weight with several channels is named by PyTorch's index into the 4-D weight.
"""

from __future__ import annotations

import numpy as np

from engine.ops import get_op
from engine.trace import Trace


def plane_trace(
    op: str,
    x: np.ndarray,
    w: np.ndarray,
    plane: tuple[int, int] = (0, 0),
    dy: np.ndarray | None = None,
    **params: object,
) -> Trace:
    """The trace of ``plane`` of ``op`` on ``x`` (N, C, H, W) and ``w`` as the app makes it,
    with dY ``dy`` (one plane, for every plane of the output), all ones by default."""
    spec = get_op(op)
    kernel = {"kernel_size": tuple(w.shape[-2:])}
    p = spec.coerce_params({**spec.default_params(), **kernel, **params})
    tensors = {"input": x, "weight": w}
    outputs, ctx = spec.forward(tensors, p)
    grad_output = np.ones_like(outputs["output"])
    if dy is not None:
        grad_output = grad_output * dy
    grads = spec.backward(ctx, {"grad_output": grad_output})
    arrays = {**outputs, "grad_output": grad_output, **grads}
    return spec.trace(tensors, p, ctx, arrays, plane, plane[1])


def dw_lines(trace: Trace, index: int) -> list[str]:
    return [line for line in trace.step("backward", index).lines if line.startswith("dW")]


# X = [[1, 0], [2, 3]], W = [[1, 2], [3, 4]], padding 1: a 3×3 output, dY ones.
X = np.array([[[[1.0, 0.0], [2.0, 3.0]]]])
W = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])


def test_a_real_tap_with_a_zero_term_is_marked_and_said():
    trace = plane_trace("conv2d", X, W, padding=(1, 1), bias=None)
    # Window (1, 1) reads the whole input; dW[0, 1] reads X[0, 1] = 0.  Before it, only
    # window (1, 0) reached dW[0, 1] (reading X[0, 0] = 1).
    step = trace.step("backward", 4)
    assert set(step.cells_of("grad_weight")) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert dw_lines(trace, 4) == [
        "dW[0, 0]: 0 + 1·1 = 1   dW[0, 1]: 1 + 1·0 = 1   dW[1, 0]: 1 + 1·2 = 3   "
        "dW[1, 1]: 3 + 1·3 = 6"
    ]
    # Marked cells and written cells are the same ones.
    said = {(u.pos, u.channel) for u in step.updates if u.view == "grad_weight"}
    assert said == {(pos, 0) for pos in step.cells_of("grad_weight")}


def test_padding_taps_are_neither_marked_nor_said():
    trace = plane_trace("conv2d", X, W, padding=(1, 1), bias=None)
    # Window (0, 0): only tap (1, 1) reads the input (X[0, 0] = 1); the others read padding.
    step = trace.step("backward", 0)
    assert step.cells_of("grad_weight") == {(1, 1): {"changed"}}
    assert dw_lines(trace, 0) == ["dW[1, 1]: 0 + 1·1 = 1"]
    assert trace.backward_step(0).weight_grads == (((0, 1, 1), 1.0),)
    # The numbers are unchanged: the steps' dW terms still add up to dW (each tap reads
    # every input cell once here: 1 + 0 + 2 + 3).
    total = np.zeros((1, 2, 2))
    for k in range(len(trace)):
        for cell, amount in trace.backward_step(k).weight_grads:
            total[cell] += amount
    np.testing.assert_array_equal(total, np.full((1, 2, 2), 6.0))
    assert trace.grad_weight is not None
    np.testing.assert_array_equal(trace.grad_weight, total)


def test_conv2d_db_is_so_far_and_said():
    trace = plane_trace("conv2d", X, W, padding=(1, 1), bias=0.0)
    step = trace.step("backward", 4)
    assert step.lines[-1] == "db: 4 + 1 = 5"
    assert trace.grad_weight_after(4)[1] == 5


# Transposed: X = [[1, 2], [3, 4]], W = [[0, 1], [2, 3]], stride 1: a 3×3 output, dY ones.
XT = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
WT = np.array([[[[0.0, 1.0], [2.0, 3.0]]]])


def test_transposed_backward_says_each_dw_update():
    trace = plane_trace("conv_transpose2d", XT, WT, stride=(1, 1), bias=None)
    # Input cell (0, 1): its patch is Y[0:2, 1:3]; each tap's dW gets X[0, 1]·dY = 2·1, on
    # top of X[0, 0]·1 = 1 from step 0.
    step = trace.step("backward", 1)
    assert step.sentence == (
        "dX[0, 1] = Σ dY·W over its patch = 1·0 + 1·1 + 1·2 + 1·3 = 6; dW gets X[0, 1]·dY"
    )
    assert step.lines == (
        "dW[0, 0]: 1 + 2·1 = 3   dW[0, 1]: 1 + 2·1 = 3   dW[1, 0]: 1 + 2·1 = 3   "
        "dW[1, 1]: 1 + 2·1 = 3",
    )
    assert step.text == trace.backward_step(1).text
    said = {u.pos for u in step.updates if u.view == "grad_weight"}
    assert said == set(step.cells_of("grad_weight"))
    gw, gb = trace.grad_weight_after(1)
    assert gw is not None and gb is None
    np.testing.assert_array_equal(gw[0], [[3, 3], [3, 3]])


def test_transposed_backward_db_is_so_far_and_said():
    trace = plane_trace("conv_transpose2d", XT, WT, stride=(1, 1), bias=0.0)
    first = trace.step("backward", 0)
    # db = Σ dY = 9 fills in as dW does: each step adds the dY of the patch cells no earlier
    # patch held (4, then 2, 2, 1), said after the dW updates on their line (a line of its
    # own pushed the views below their least cell size, tests/visualizer/test_view_fit.py).
    assert first.lines == (
        "dW[0, 0]: 0 + 1·1 = 1   dW[0, 1]: 0 + 1·1 = 1   dW[1, 0]: 0 + 1·1 = 1   "
        "dW[1, 1]: 0 + 1·1 = 1   db: 0 + 4 = 4",
    )
    assert first.sentence.startswith("dX[0, 0] = Σ dY·W over its patch")
    assert {u.view for u in first.updates} == {"grad_weight", "grad_bias"}
    assert [trace.grad_weight_after(k)[1] for k in range(len(trace))] == [4, 6, 8, 9]
    later = trace.step("backward", 1)
    assert later.lines[-1].endswith("db: 4 + 2 = 6")
    assert trace.grad_weight_after(len(trace) - 1)[1] == trace.grad_bias == 9


def test_transposed_db_outside_every_patch_comes_with_the_last_step():
    # Stride 3 with a 2×2 kernel and output_padding 1: a 6×6 output whose rows and columns
    # 2 and 5 no input cell's patch reaches; their dY still counts in db (PyTorch: Σ dY).
    trace = plane_trace("conv_transpose2d", XT, WT, stride=(3, 3), output_padding=(1, 1), bias=0.0)
    assert [trace.grad_weight_after(k)[1] for k in range(len(trace))] == [4, 8, 12, 36]
    # The last step's db update writes its patch's share (4) and the rest (20) apart.
    assert trace.step("backward", 3).lines[-1].endswith("db: 12 + 4 + 20 = 36")


def test_the_last_transposed_step_says_what_db_takes_outside_every_patch():
    # The same 6×6 output, dY[r, c] = 6r + c (0 .. 35, Σ = 630).  The patches are rows
    # {0, 1, 3, 4} × columns {0, 1, 3, 4}: step 0 adds 0 + 1 + 6 + 7 = 14, step 1 (columns 3,
    # 4) 3 + 4 + 9 + 10 = 26, step 2 (rows 3, 4) 18 + 19 + 24 + 25 = 86, step 3 21 + 22 + 27
    # + 28 = 98; the 36 − 16 = 20 cells of rows and columns 2 and 5 hold 630 − 224 = 406,
    # which db takes at the last step, and its sentence says so (before: "db: 126 + 504 =
    # 630", a jump no sentence explained).
    dy = np.arange(36.0).reshape(6, 6)
    trace = plane_trace(
        "conv_transpose2d", XT, WT, dy=dy, stride=(3, 3), output_padding=(1, 1), bias=0.0
    )
    last = trace.step("backward", 3)
    assert last.sentence.endswith("; db also takes the 20 dY cells no patch reaches: 406")
    assert last.fields["count"] == "20" and last.fields["rest"] == "406"
    assert last.lines[-1].endswith("db: 126 + 98 + 406 = 630")
    assert last.text == trace.backward_step(3).text
    bias = [u for u in last.updates if u.view == "grad_bias"]
    assert [(u.before, u.amount, u.after) for u in bias] == [(126, 504, 630)]
    # The other steps, and a last step with every cell in a patch, say nothing of it.
    for k in range(3):
        assert "no patch" not in trace.step("backward", k).text
    covered = plane_trace("conv_transpose2d", XT, WT, stride=(1, 1), bias=0.0)
    assert "no patch" not in covered.step("backward", 3).text
    assert covered.step("backward", 3).lines[-1].endswith("db: 8 + 1 = 9")
    # Without a bias there is no db to speak of.
    plain = plane_trace("conv_transpose2d", XT, WT, stride=(3, 3), output_padding=(1, 1), bias=None)
    assert "no patch" not in plain.step("backward", 3).text


def test_dw_of_several_channels_is_named_as_pytorch_indexes_the_weight():
    # Preset 09's shapes: 2 input and 2 output channels, W (C_out, C_in, kH, kW).
    x = np.arange(32.0).reshape(1, 2, 4, 4)
    w = np.ones((2, 2, 2, 2))
    trace = plane_trace("conv2d", x, w, plane=(0, 1), bias=None)
    names = [u.text.split(":")[0] for u in trace.step("backward", 0).updates]
    assert "dW[1, 0, 0, 0]" in names and "dW[1, 1, 1, 1]" in names  # [co, ci, i, j]
    assert "dX[1, 0, 0]" in names  # dX: [ci, row, col], as the planes are titled
    # Transposed: W (C_in, C_out, kH, kW), so dW[ci, co, i, j].
    wt = np.ones((2, 3, 2, 2))
    trace = plane_trace("conv_transpose2d", x, wt, plane=(0, 2), bias=None)
    names = [u.text.split(":")[0] for u in trace.step("backward", 0).updates]
    assert "dW[0, 2, 0, 0]" in names and "dW[1, 2, 1, 1]" in names


def test_one_channel_each_way_keeps_the_short_names():
    trace = plane_trace("conv2d", X, W, bias=None)
    assert dw_lines(trace, 0)[0].startswith("dW[0, 0]: ")


def test_as_a_convolution_canvas_zeros_are_padding_taps_for_dw():
    # Stride 2: the canvas is X with zeros inserted and a border of zeros; the window of
    # Y[0, 0] reads X[0, 0] = 1 with the flipped kernel's tap (1, 1) and zeros elsewhere.
    trace = plane_trace("conv_transpose2d", XT, WT, stride=(2, 2), as_convolution=True, bias=None)
    step = trace.step("backward", 0)
    assert step.cells_of("input") == {
        (0, 0): {"padding"},
        (0, 1): {"padding"},
        (1, 0): {"padding"},
        (1, 1): {"window"},
    }
    assert step.cells_of("grad_weight") == {(1, 1): {"changed"}}
    assert dw_lines(trace, 0) == ["dW[1, 1]: 0 + 1·1 = 1"]
    # The numbers are those of the convolution on the canvas: the steps add up to its dW.
    total = np.zeros_like(trace.grad_weight)
    for k in range(len(trace)):
        for cell, amount in trace.backward_step(k).weight_grads:
            total[cell] += amount
    np.testing.assert_array_equal(total, trace.grad_weight)


def test_stepping_on_adds_one_window_to_db_and_dx():
    """db and dX so far are running sums kept by the trace: the next step adds its own window
    only (conv2d summed dY[:k] again at every step; a transposed convolution's running sums
    were made anew, from window 0, each time a view asked)."""
    for trace in (
        plane_trace("conv2d", X, W, padding=(1, 1), bias=0.0),
        plane_trace("conv_transpose2d", XT, WT, stride=(1, 1), bias=0.0),
    ):
        windows: list[int] = []
        for view in ("grad_bias", "grad_input"):
            acc = trace.accumulation(view)
            assert acc is not None and trace.accumulation(view) is acc
            inner = acc.contributions

            def counted(oh, ow, inner=inner, windows=windows):
                windows.append(len(oh))
                return inner(oh, ow)

            acc.contributions = counted
        trace.step("backward", 0)
        trace.grad_input_after(0)
        windows.clear()
        for k in (1, 2):
            trace.step("backward", k)
            trace.grad_weight_after(k)
            trace.grad_input_after(k)
        # Every call reads the one new window (the step's own db share reads it too).
        assert windows and set(windows) == {1}


def summed_cells(trace: Trace, index: int) -> set[tuple[int, int]]:
    """The dY cells step ``index`` marks as read into db only (role "summed")."""
    cells = trace.step("backward", index).cells_of("grad_output")
    return {pos for pos, roles in cells.items() if "summed" in roles}


def test_the_last_transposed_step_marks_the_dy_cells_db_takes_outside_every_patch():
    # The 6×6 output of stride 3 and output_padding 1: rows and columns 2 and 5 lie outside
    # every patch; the last step's sentence says db takes them, and it marks them in dY
    # with a role of their own ("summed": read into db), not as its window (the patch that
    # feeds dX and dW, where the step's arrows start).
    trace = plane_trace("conv_transpose2d", XT, WT, stride=(3, 3), output_padding=(1, 1), bias=0.0)
    last = trace.step("backward", 3)
    outside = {(r, c) for r in range(6) for c in range(6) if r in (2, 5) or c in (2, 5)}
    assert summed_cells(trace, 3) == outside
    assert len(outside) == int(last.fields["count"]) == 20
    window = {p for p, roles in last.cells_of("grad_output").items() if "window" in roles}
    assert window == {(3, 3), (3, 4), (4, 3), (4, 4)}
    assert not any(summed_cells(trace, k) for k in range(3))
    # Kept as a few rectangles (a large output's thousands of such cells are never listed).
    assert 0 < len([b for b in last.blocks if b.role == "summed"]) <= 4
    # Without a bias no db takes them; with every cell in a patch there are none.
    plain = plane_trace("conv_transpose2d", XT, WT, stride=(3, 3), output_padding=(1, 1), bias=None)
    assert not summed_cells(plain, 3)
    covered = plane_trace("conv_transpose2d", XT, WT, stride=(1, 1), bias=0.0)
    assert not summed_cells(covered, 3)


def test_the_marked_cells_are_the_ones_the_sentence_counts():
    # Strides larger than the kernel, dilation, padding and output_padding: the cells marked
    # are every dY cell outside every patch (found by listing the patches), as many as said.
    x = np.arange(1.0, 21.0).reshape(1, 1, 4, 5)
    w = np.ones((1, 1, 2, 2))
    cases = [
        {"stride": (2, 2), "output_padding": (1, 1)},
        {"stride": (4, 3), "output_padding": (2, 1)},
        {"stride": (3, 3), "dilation": (2, 2), "padding": (1, 1)},
        {"stride": (5, 2), "padding": (1, 0), "output_padding": (3, 1)},
    ]
    for params in cases:
        trace = plane_trace("conv_transpose2d", x, w, bias=0.0, **params)
        last = len(trace) - 1
        g = trace.geometry
        reached = {
            (r, c)
            for k in range(len(trace))
            for _, _, r, c in g.window_taps(*g.position(k))
            if g.classify(r, c) == "input"
        }
        h, wd = trace.grad_output.shape
        outside = {(r, c) for r in range(h) for c in range(wd)} - reached
        assert outside, params
        assert summed_cells(trace, last) == outside, params
        step = trace.step("backward", last)
        assert int(step.fields["count"]) == len(outside), params

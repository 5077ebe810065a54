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
    op: str, x: np.ndarray, w: np.ndarray, plane: tuple[int, int] = (0, 0), **params: object
) -> Trace:
    """The trace of ``plane`` of ``op`` on ``x`` (N, C, H, W) and ``w`` as the app makes it,
    with dY all ones."""
    spec = get_op(op)
    kernel = {"kernel_size": tuple(w.shape[-2:])}
    p = spec.coerce_params({**spec.default_params(), **kernel, **params})
    tensors = {"input": x, "weight": w}
    outputs, ctx = spec.forward(tensors, p)
    grad_output = np.ones_like(outputs["output"])
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


def test_transposed_backward_says_db_at_the_step_it_arrives():
    trace = plane_trace("conv_transpose2d", XT, WT, stride=(1, 1), bias=0.0)
    first = trace.step("backward", 0)
    # db = Σ dY = 9 (it does not depend on X): whole at the first step, and said there,
    # after the dW updates on their line (a line of its own pushed the views below their
    # least cell size, tests/visualizer/test_view_fit.py).
    assert first.lines == (
        "dW[0, 0]: 0 + 1·1 = 1   dW[0, 1]: 0 + 1·1 = 1   dW[1, 0]: 0 + 1·1 = 1   "
        "dW[1, 1]: 0 + 1·1 = 1   db: 0 + Σ dY = 9",
    )
    assert first.sentence.startswith("dX[0, 0] = Σ dY·W over its patch")
    assert {u.view for u in first.updates} == {"grad_weight", "grad_bias"}
    assert trace.grad_weight_after(0)[1] == 9
    later = trace.step("backward", 1)
    assert not any(u.view == "grad_bias" for u in later.updates)
    assert "db" not in later.text
    assert trace.grad_weight_after(1)[1] == 9


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

"""A transposed convolution computed the other way (engine/transpose_as_conv.py): zeros inserted
between the input cells, padded, then a normal convolution with the flipped kernel; and its
stepping (the ``as_convolution`` view option of the conv_transpose2d spec).

Expected values of the hand-worked cases are written out by hand.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import fast_or_discard, transpose_params
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from engine import conv2d, conv2d_backward, conv_transpose2d, conv_transpose2d_backward
from engine.errors import ParameterError
from engine.ops import get_op
from engine.transpose_as_conv import (
    CANVAS_INPUT,
    CANVAS_INSERTED,
    CANVAS_PADDING,
    conv_transpose_as_conv,
    flip_transposed_weight,
)
from visualizer.model import Document, compute, default_params

X, Z, P = CANVAS_INPUT, CANVAS_INSERTED, CANVAS_PADDING


def as_conv(form, bias=None) -> np.ndarray:
    return conv2d(form.canvas, form.weight, bias, dilation=form.dilation, groups=form.groups)


# ---- hand-worked ------------------------------------------------------------------------------
def test_two_by_two_stride_two_by_hand():
    """x = [[1, 2], [3, 4]], w = [[1, 2], [3, 4]], stride 2.

    One zero between the cells gives a 3×3 grid; d·(k − 1) − p = 1 pads it to 5×5; the flipped
    kernel [[4, 3], [2, 1]] slides over it with stride 1.  The transposed convolution puts
    x[i, j]·w on the non-overlapping 2×2 block (2i, 2j): the same 4×4 output.
    """
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    form = conv_transpose_as_conv(x, w, stride=2)
    assert_array_equal(
        form.canvas,
        [
            [0, 0, 0, 0, 0],
            [0, 1, 0, 2, 0],
            [0, 0, 0, 0, 0],
            [0, 3, 0, 4, 0],
            [0, 0, 0, 0, 0],
        ],
    )
    assert_array_equal(
        form.kinds,
        [
            [P, P, P, P, P],
            [P, X, Z, X, P],
            [P, Z, Z, Z, P],
            [P, X, Z, X, P],
            [P, P, P, P, P],
        ],
    )
    assert_array_equal(form.weight, [[4, 3], [2, 1]])
    assert form.pad == ((1, 1), (1, 1))
    assert_array_equal(form.rows, [1, 3])
    expected = [
        [1, 2, 2, 4],
        [3, 4, 6, 8],
        [3, 6, 4, 8],
        [9, 12, 12, 16],
    ]
    # Y[0, 0]: the window [[0, 0], [0, 1]] times [[4, 3], [2, 1]] = 1·1.
    assert_array_equal(as_conv(form), expected)
    assert_array_equal(conv_transpose2d(x, w, stride=2), expected)


def test_three_by_three_stride_two_padding_one():
    """The textbook 2×2 → 5×5 example with padding 1: d·(k − 1) − p = 1 on every side."""
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    k = np.arange(1.0, 10.0).reshape(3, 3)
    form = conv_transpose_as_conv(x, k, stride=2, padding=1)
    assert form.canvas.shape == (5, 5)
    assert_array_equal(form.weight, k[::-1, ::-1])
    assert_array_equal(as_conv(form), conv_transpose2d(x, k, stride=2, padding=1))


def test_output_padding_adds_to_the_bottom_and_right_only():
    form = conv_transpose_as_conv(np.ones((2, 2)), np.ones((3, 3)), stride=2, output_padding=1)
    assert form.pad == ((2, 3), (2, 3))
    assert form.canvas.shape == (2 + 3 + 3, 2 + 3 + 3)
    assert (form.kinds[-3:] == P).all() and (form.kinds[:2] == P).all()


def test_padding_beyond_the_kernel_crops_the_canvas():
    """p = 3 > d·(k − 1) = 2: the zero-inserted input loses a row and a column on every side."""
    x = np.arange(1.0, 17.0).reshape(4, 4)
    w = np.arange(1.0, 10.0).reshape(3, 3)
    form = conv_transpose_as_conv(x, w, stride=2, padding=3)
    assert form.pad == ((-1, -1), (-1, -1))
    assert form.canvas.shape == (5, 5)  # the 7×7 zero-inserted grid minus its border
    assert_array_equal(form.rows, [-1, 1, 3, 5])  # input rows 0 and 3 are cropped away
    assert (form.kinds != P).all()
    assert_array_equal(as_conv(form), conv_transpose2d(x, w, stride=2, padding=3))


def test_channels_and_groups_swap_the_weight_axes():
    w = np.arange(2 * 3 * 1 * 2, dtype=float).reshape(2, 3, 1, 2)  # (C_in, C_out/g, kH, kW)
    flipped = flip_transposed_weight(w, groups=1)
    assert flipped.shape == (3, 2, 1, 2)
    assert_array_equal(flipped[2, 1], w[1, 2][:, ::-1])
    w4 = np.arange(4 * 1 * 2 * 2, dtype=float).reshape(4, 1, 2, 2)  # groups 2: C_in_g = 2
    grouped = flip_transposed_weight(w4, groups=2)
    assert grouped.shape == (2, 2, 2, 2)
    assert_array_equal(grouped[1, 0], w4[2, 0][::-1, ::-1])
    assert_array_equal(grouped[1, 1], w4[3, 0][::-1, ::-1])


def test_same_refusals_as_conv_transpose2d():
    for kwargs in ({"output_padding": 2, "stride": 2}, {"padding": 5}, {"stride": 0}):
        with pytest.raises(ParameterError) as ours:
            conv_transpose_as_conv(np.ones((2, 2)), np.ones((3, 3)), **kwargs)
        with pytest.raises(ParameterError) as theirs:
            conv_transpose2d(np.ones((2, 2)), np.ones((3, 3)), **kwargs)
        assert str(ours.value) == str(theirs.value)


# ---- against conv_transpose2d (PyTorch-exact) -------------------------------------------------
def pair(low: int, high: int):
    return st.one_of(
        st.integers(low, high), st.tuples(st.integers(low, high), st.integers(low, high))
    )


@st.composite
def cases(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 2))
    c_out_g = draw(st.integers(1, 2))
    shape = (draw(st.integers(1, 2)), c_in, draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    w_shape = (c_in, c_out_g, draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    integer = draw(st.booleans())
    if integer:  # every sum exact, in any order
        x = rng.integers(-4, 5, size=shape).astype(float)
        w = rng.integers(-4, 5, size=w_shape).astype(float)
    else:
        x, w = rng.standard_normal(shape), rng.standard_normal(w_shape)
    bias = rng.integers(-3, 4, size=c_out_g * groups).astype(float) if draw(st.booleans()) else None
    params = draw(transpose_params(pair, groups, padding=4, dilation=3))
    return x, w, bias, params, integer


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(case=cases())
def test_the_convolution_form_reproduces_conv_transpose2d(case):
    x, w, bias, params, integer = case
    expected = fast_or_discard(
        lambda: conv_transpose2d(x, w, bias, **params),
        lambda: conv_transpose_as_conv(x, w, **params),
        ParameterError,
    )
    form = conv_transpose_as_conv(x, w, **params)
    got = as_conv(form, bias)
    assert got.shape == expected.shape
    if integer:
        assert_array_equal(got, expected)
    else:
        assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    # The canvas holds every input cell that survives the crop, zeros everywhere else.
    inside = form.canvas[..., form.kinds == CANVAS_INPUT]
    assert np.count_nonzero(form.canvas[..., form.kinds != CANVAS_INPUT]) == 0
    rows = form.rows[(form.rows >= 0) & (form.rows < form.canvas.shape[-2])]
    cols = form.cols[(form.cols >= 0) & (form.cols < form.canvas.shape[-1])]
    assert inside.shape[-1] == len(rows) * len(cols)


# ---- stepping (the view option of the conv_transpose2d spec) ----------------------------------
def canvas_results(x, w, **params):
    values = default_params().replace(as_convolution=True, bias=None, **params)
    kernel = tuple(w.shape[-2:])
    values = values.replace(kernel_size=kernel)
    out = conv_transpose2d(x, w, **{k: values[k] for k in get_op("convT").engine_kwargs(values)})
    doc = Document("conv_transpose2d", x, w, values, np.ones(out.shape), (0, 0), 0, "ones", 0)
    return compute(doc)


def test_stepping_over_output_cells_on_the_canvas():
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    w = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    results = canvas_results(x, w, stride=(2, 2))
    trace = results.trace
    assert len(trace) == 16  # one step per output cell, a gather
    assert_array_equal(trace.x[0], conv_transpose_as_conv(x[0, 0], w[0, 0], stride=2).canvas)
    assert_array_equal(trace.weight[0], [[4, 3], [2, 1]])
    step = trace.step("forward", 5)  # Y[1, 1]: window rows 1-2, cols 1-2 of the canvas
    assert step.out_pos == (1, 1)
    assert step.text == (
        "Y[1, 1] = 1·4 = 4   (flipped W over the canvas; the other 3 taps read zeros: "
        "3 inserted, 0 padding)"
    )
    roles = step.cells_of("input")
    assert roles[(1, 1)] == {"window"}  # the input cell
    assert roles[(1, 2)] == roles[(2, 1)] == roles[(2, 2)] == {"padding"}  # inserted zeros
    first = trace.step("forward", 0)
    assert first.fields["inserted"] == "0" and first.fields["padding"] == "3"
    # The steps rebuild the output, which is the transposed convolution's.
    assert_array_equal(trace.output_after(len(trace) - 1), results.output[0, 0])
    assert_array_equal(
        results.output[0, 0], [[1, 2, 2, 4], [3, 4, 6, 8], [3, 6, 4, 8], [9, 12, 12, 16]]
    )
    assert trace.shown_as.keys() == {"input", "weight", "grad_input", "grad_weight"}


def test_backward_on_the_canvas_gives_dx_at_the_input_cells_and_dw_flipped():
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, size=(1, 2, 3, 3)).astype(float)
    w = rng.integers(-3, 4, size=(2, 1, 3, 2)).astype(float)
    results = canvas_results(x, w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0))
    trace = results.trace
    dy = results.grad_output
    gx, gw, _ = conv_transpose2d_backward(
        dy, x, w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0)
    )
    form = conv_transpose_as_conv(x[0], w, stride=(2, 1), padding=(1, 0), output_padding=(1, 0))
    rows, cols = form.rows, form.cols
    canvas_grad = trace.grad_input_after(len(trace) - 1)
    assert_allclose(canvas_grad[:, rows[:, None], cols[None, :]], gx[0])
    gw_flipped, _ = trace.grad_weight_after(len(trace) - 1)
    assert_allclose(gw_flipped[:, ::-1, ::-1], gw[:, 0])
    # Each backward step is the convolution's: dY times the flipped kernel into the canvas.
    direct = conv2d_backward(dy[:1, :1], form.canvas[None], form.weight[:1], dilation=1)[0]
    assert_allclose(canvas_grad, direct[0])


def test_every_step_of_both_phases_has_its_sentence():
    rng = np.random.default_rng(5)
    x = rng.integers(-3, 4, size=(1, 2, 3, 2)).astype(float)
    w = rng.integers(-3, 4, size=(2, 1, 2, 3)).astype(float)
    trace = canvas_results(x, w, stride=(2, 3), padding=(0, 1), dilation=(1, 2)).trace
    for phase in ("forward", "backward"):
        for index in range(len(trace)):
            step = trace.step(phase, index)
            text = step.template.format(**step.fields)
            assert "{" not in text and text.strip()
            assert step.out_pos == trace.geometry.position(index)

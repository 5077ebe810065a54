"""Every registered operation, through the model: forward, backward, steps and partial views.

The same checks for each spec in ``engine.ops.OPS``, so a new operation is covered as soon as
it is registered: its forward and backward run once, every step of both phases has a record
and a sentence, the views fill in to exactly the final results, and what each backward step
says it adds to dX sums to what the view shows at that step.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.ops import OPS, get_op
from visualizer.model import Document, StepCursor, compute, default_params, present

# A few settings per operation (besides its defaults), chosen to exercise its rules.
SETTINGS = {
    "max_pool2d": [{"kernel_size": (3, 3), "stride": (1, 1), "padding": (1, 1)}],
    "avg_pool2d": [{"kernel_size": (3, 3), "stride": (2, 2), "ceil_mode": True}],
    "conv2d": [{"kernel_size": (3, 3), "stride": (1, 1), "padding": (1, 1)}],
    "adaptive_avg_pool2d": [{"output_size": (3, 2)}, {"output_size": (1, 1)}],
    "adaptive_max_pool2d": [{"output_size": (3, 4), "ties": "split"}],
    "lp_pool2d": [{"norm_type": 3.0, "kernel_size": (2, 2), "stride": (1, 1)}],
    "conv_transpose2d": [
        {"kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1), "output_padding": (1, 1)}
    ],
    "max_unpool2d": [{"kernel_size": (3, 3), "stride": (2, 2), "padding": (1, 1)}],
}
CASES = [(key, {}) for key in OPS] + [
    (key, s) for key, settings in SETTINGS.items() if key in OPS for s in settings
]


def document(key: str, changes: dict, seed: int = 0) -> Document:
    spec = get_op(key)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 9, size=(1, 2, 5, 6)).astype(float)
    params = spec.switch_params(default_params().replace(**changes))
    kernel = params["kernel_size"]
    weight = rng.integers(-2, 3, size=(2, 2, *kernel)).astype(float)
    return Document(key, x, weight, params, np.zeros(0), (0, 1), 1, "random", seed)


@pytest.mark.parametrize(("key", "changes"), CASES)
def test_steps_fill_the_views_to_the_results(key, changes):
    doc = document(key, changes)
    results = compute(doc)
    trace = results.trace
    n = len(trace)
    assert n >= 1
    cursor = StepCursor(n_windows=n)
    channel = present.trace_channel(doc)
    summed = np.zeros(trace.x.shape)
    for k in range(n):
        fwd_step = trace.step("forward", k)
        bwd_step = trace.step("backward", k)
        assert fwd_step.text and bwd_step.text
        assert all("{" not in s.text for s in (fwd_step, bwd_step)), "unfilled template"
        for (c, r, col), amount in trace.backward_step(k).input_grads:
            summed[c, r, col] += amount
        np.testing.assert_allclose(trace.grad_input_after(k), summed, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(trace.grad_input_after(n - 1), trace.grad_input)
    np.testing.assert_array_equal(trace.output_after(n - 1), trace.output)
    # The views of the shown plane at the last step of each phase are the whole results.
    cursor.step = n - 1
    np.testing.assert_array_equal(
        present.output_plane(doc, results, cursor, True), results.output[doc.plane]
    )
    cursor.step = 2 * n - 1
    whole = present.grad_input_plane(doc, results, cursor, False)
    np.testing.assert_array_equal(present.grad_input_plane(doc, results, cursor, True), whole)
    if "grad_input" not in trace.shown_as:
        # Every output channel's share (a convolution with several), not the trace's own.
        np.testing.assert_array_equal(
            whole, results.grad_input[doc.plane[0], doc.shown_input_channel]
        )
    else:
        np.testing.assert_array_equal(whole, results.grad_input_after(n - 1)[channel])


@pytest.mark.parametrize(("key", "changes"), CASES)
def test_the_batch_and_the_shown_plane_agree(key, changes):
    """The trace of plane (n, c) is the batch's result there (no second computation)."""
    doc = document(key, changes)
    results = compute(doc)
    np.testing.assert_array_equal(results.trace.output, results.output[doc.plane])


@pytest.mark.parametrize("key", list(OPS))
def test_every_operation_explains_its_output_size(key):
    doc = document(key, {})
    lines = get_op(key).explain(doc.x.shape[2:], doc.weight.shape, doc.params)
    assert lines and all(isinstance(line, str) and line for line in lines)


@pytest.mark.parametrize("key", list(OPS))
def test_every_operation_is_described(key):
    spec = get_op(key)
    assert spec.label and spec.description and spec.alias != spec.key
    assert spec.tensors[0].name == "input"
    assert any(t.name == "output" for t in spec.tensors)
    assert any(t.name == "grad_input" for t in spec.tensors)


def test_hand_worked_transposed_convolution_steps():
    """A 2×2 input upsampled by a 3×3 stride-2 transposed convolution of ones."""
    spec = get_op("conv_transpose2d")
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]])
    params = default_params().replace(kernel_size=(3, 3), stride=(2, 2), bias=None)
    doc = Document(spec.key, x, np.ones((1, 1, 3, 3)), params, np.zeros(0), (0, 0), 0, "ones", 0)
    trace = compute(doc).trace
    np.testing.assert_array_equal(
        trace.output,
        [[1, 1, 3, 2, 2], [1, 1, 3, 2, 2], [4, 4, 10, 6, 6], [3, 3, 7, 4, 4], [3, 3, 7, 4, 4]],
    )
    np.testing.assert_array_equal(
        trace.output_after(1)[:3], [[1, 1, 3, 2, 2], [1, 1, 3, 2, 2], [1, 1, 3, 2, 2]]
    )
    step = trace.step("forward", 1)
    assert step.text.startswith("X[0, 1] = 2 scatters 2·W onto Y: Y[0, 2] += 2")
    assert step.cells_of("input") == {(0, 1): {"source"}}
    assert len(step.cells_of("output")) == 9
    assert trace.step("backward", 0).sentence.startswith("dX[0, 0] = Σ dY·W over its patch = ")
    assert "= 9;" in trace.step("backward", 0).sentence


def test_hand_worked_unpooling_puts_the_maxima_back():
    spec = get_op("max_unpool2d")
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    doc = Document(
        spec.key, x, np.ones((1, 1, 2, 2)), default_params(), np.zeros(0), (0, 0), 0, "ones", 0
    )
    results = compute(doc)
    expected = np.zeros((4, 4))
    expected[1, 1], expected[1, 3], expected[3, 1], expected[3, 3] = 5, 7, 13, 15
    np.testing.assert_array_equal(results.output[0, 0], expected)
    assert results.trace.step("forward", 0).text == "P[0, 0] = 5 goes back to Y[1, 1] (I = 5)"


def test_hand_worked_adaptive_windows_and_lp_arithmetic():
    spec = get_op("adaptive_avg_pool2d")
    x = np.arange(5.0).reshape(1, 1, 1, 5)
    params = default_params().replace(output_size=(1, 3))
    doc = Document(spec.key, x, np.ones((1, 1, 2, 2)), params, np.zeros(0), (0, 0), 0, "ones", 0)
    trace = compute(doc).trace
    np.testing.assert_array_equal(trace.output, [[0.5, 2.0, 3.5]])
    assert trace.step("forward", 1).text == "(1 + 2 + 3) / 3 = 2"
    lines = spec.explain((1, 5), None, params)
    assert lines[1].endswith("[0, 2), [1, 4), [3, 5)")
    lp = get_op("lp_pool2d")
    params = default_params().replace(
        norm_type=1.0, kernel_size=(1, 2), stride=(1, 2), ceil_mode=True
    )
    x = np.array([[[[1.0, 2.0, 3.0]]]])
    trace = compute(
        Document(lp.key, x, np.ones((1, 1, 1, 2)), params, np.zeros(0), (0, 0), 0, "ones", 0)
    ).trace
    np.testing.assert_array_equal(trace.output, [[3.0, 6.0]])
    assert trace.step("forward", 1).text == "((3^1)·2/1)^(1/1) = 6"


def test_lp_backward_writes_each_cell_with_its_numbers():
    """p = 2 over [[3, 4], [0, 0]]: y = 5, each cell gets dY·(x / y)^(p−1)."""
    spec = get_op("lp_pool2d")
    params = spec.switch_params(default_params().replace(norm_type=2.0, kernel_size=(2, 2)))
    x = np.array([[[[3.0, 4], [0, 0]]]])
    doc = Document("lp_pool2d", x, np.zeros((1, 1, 2, 2)), params, np.zeros(0), (0, 0), 1, "", 0)
    step = compute(doc).trace.step("backward", 0)
    assert step.lines == (
        "dX[0, 0]: 0 + 0.6 = 0.6   dX[0, 1]: 0 + 0.8 = 0.8   "
        "dX[1, 0]: 0 + 0 = 0   dX[1, 1]: 0 + 0 = 0",
    )
    assert step.text.endswith(step.lines[0])
    assert [u.amount for u in step.updates] == pytest.approx([0.6, 0.8, 0.0, 0.0])

"""Steps as data: generic Step records, and "so far" views made once per trace."""

from __future__ import annotations

import numpy as np
import pytest

import engine
import engine.trace as trace_module
from engine import trace_avg_pool2d, trace_conv2d, trace_max_pool2d

X = np.arange(25.0).reshape(5, 5) % 7


def traces():
    return [
        trace_max_pool2d(X, 3, 1, 1, ties="split"),
        trace_avg_pool2d(X, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        trace_conv2d(np.stack([X, X.T]), np.ones((2, 2, 2)), 0.5, 1, 1, 2),
    ]


@pytest.mark.parametrize("trace", traces(), ids=["max", "avg", "conv"])
def test_stepping_never_runs_a_backward(trace, monkeypatch):
    """Every partial view comes from the accumulations built once, never from a backward."""

    def boom(*_a, **_k):
        raise AssertionError("a backward ran while stepping")

    monkeypatch.setattr(trace.records, "masked_backward", boom)
    for k in range(-1, len(trace)):
        trace.grad_input_after(k)
        if trace.grad_weight is not None:
            trace.grad_weight_after(k)
        if trace.winners is not None:
            trace.mask_counts_after(k)


@pytest.mark.parametrize("index", range(3))
def test_large_planes_fall_back_to_the_same_numbers(index, monkeypatch):
    fresh = traces()[index]
    expected = [fresh.grad_input_after(k) for k in range(-1, len(fresh))]
    monkeypatch.setattr(trace_module, "ACCUMULATION_LIMIT", 0)
    big = traces()[index]
    for k, want in zip(range(-1, len(big)), expected, strict=True):
        np.testing.assert_allclose(big.grad_input_after(k), want, rtol=1e-12, atol=1e-12)
    if big.winners is not None:
        np.testing.assert_array_equal(big.mask_counts_after(len(big) - 1), big.mask_counts)
        np.testing.assert_array_equal(big.mask_counts_after(0), fresh.mask_counts_after(0))


def test_a_forward_step_names_every_view_it_touches():
    t = trace_conv2d(X, np.ones((2, 2)), None, 1, 1, 1)
    step = t.step("forward", 0)
    assert step.out_pos == (0, 0)
    roles = {(c.view, c.role) for c in step.cells}
    assert ("input", "padding") in roles and ("input", "window") in roles
    assert ("weight", "window") in roles and ("output", "result") in roles
    assert step.text == t.forward_step(0).text


def test_a_backward_step_writes_two_views_at_once():
    t = trace_conv2d(X, np.ones((2, 2)), 1.0, 1, 0, 1)
    step = t.step("backward", 6)
    targets = step.cells_of("grad_input")
    changed = step.cells_of("grad_weight")
    assert len(targets) == 4 and all(r == {"target"} for r in targets.values())
    assert set(changed) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert step.cells_of("grad_output") == {step.out_pos: {"source"}}
    # The sentence is a template with fields, filled once by the engine.
    assert step.template.startswith("{position}") and "dy" in step.fields
    assert step.text == t.backward_step(6).text


def test_max_backward_step_marks_the_winner_and_says_where_the_gradient_goes():
    t = trace_max_pool2d([[1.0, 3.0], [3.0, 2.0]], 2)
    step = t.step("backward", 0)
    assert step.cells_of("input")[(0, 1)] >= {"winner", "window"}
    assert step.cells_of("grad_input") == {(0, 1): {"target"}}
    assert step.text == "dY[0, 0] = 1 goes to the maximum: dX[0, 1] += 1"


def test_accumulation_rejects_an_index_outside_the_windows():
    t = trace_avg_pool2d(X, 2)
    with pytest.raises(ValueError, match="must be in -1"):
        t.grad_input_after(len(t))
    assert isinstance(engine.Step, type)

"""Steps as data: generic Step records, and "so far" views made from data of one edit."""

from __future__ import annotations

import numpy as np
import pytest

import engine
import engine.conv
import engine.pooling
from engine import trace_avg_pool2d, trace_conv2d, trace_max_pool2d

X = np.arange(25.0).reshape(5, 5) % 7


def traces():
    return [
        trace_max_pool2d(X, 3, 1, 1, ties="split"),
        trace_avg_pool2d(X, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        trace_conv2d(np.stack([X, X.T]), np.ones((2, 2, 2)), 0.5, 1, 1, 2),
    ]


def _orders(n: int) -> list[int]:
    """Step on, jump back, jump ahead, go to the ends."""
    return [-1, 0, 1, 2, n - 2, 1, n - 1, 0, -1, 3, n - 1]


@pytest.mark.parametrize("index", range(3), ids=["max", "avg", "conv"])
def test_stepping_never_runs_the_engine(index, monkeypatch):
    """Partial views come from data made once per edit: no engine function runs per step."""
    trace = traces()[index]

    def boom(*_a, **_k):
        raise AssertionError("the engine ran while stepping")

    for module in (engine.pooling, engine.conv):
        for name in dir(module):
            if name.endswith(("pool2d", "pool2d_backward", "conv2d", "conv2d_backward")):
                monkeypatch.setattr(module, name, boom)
    for k in _orders(len(trace)):
        trace.grad_input_after(k)
        if trace.grad_weight is not None:
            trace.grad_weight_after(k)
        if trace.winners is not None:
            trace.mask_counts_after(k)


@pytest.mark.parametrize("index", range(3), ids=["max", "avg", "conv"])
def test_jumping_around_gives_the_running_sums(index):
    """Stepping on, jumping back and jumping ahead all give the sums of the step records."""
    reference = traces()[index]
    trace = traces()[index]
    for k in _orders(len(trace)):
        total = np.zeros(trace.x.shape)
        counts = np.zeros(trace.x.shape[1:])
        for j in range(k + 1):
            for (c, r, col), amount in reference.backward_step(j).input_grads:
                total[c, r, col] += amount
            fwd = reference.forward_step(j)
            for t in fwd.winners:
                counts[fwd.taps[t].input_pos] += 1
        np.testing.assert_allclose(trace.grad_input_after(k), total, rtol=1e-12, atol=1e-12)
        if trace.winners is not None:
            np.testing.assert_array_equal(trace.mask_counts_after(k), counts)
        if trace.grad_weight is not None:
            gw = np.zeros(trace.grad_weight.shape)
            for j in range(k + 1):
                for (c, i, jj), amount in reference.backward_step(j).weight_grads:
                    gw[c, i, jj] += amount
            np.testing.assert_allclose(trace.grad_weight_after(k)[0], gw, rtol=1e-12, atol=1e-12)


def test_the_last_window_gives_the_exact_result():
    for trace in traces():
        np.testing.assert_array_equal(trace.grad_input_after(len(trace) - 1), trace.grad_input)
        np.testing.assert_array_equal(trace.grad_input_after(-1), np.zeros(trace.x.shape))


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
    # dW[0, 0] reads X[1, 2] = 0 in this window: a real tap, its update (+ 1·0) is in the
    # text, so it is marked like the others.
    assert X[1, 2] == 0 and set(changed) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    assert any(line.startswith("dW[0, 0]: ") and "+ 1·0 = " in line for line in step.lines)
    assert step.cells_of("grad_output") == {step.out_pos: {"source"}}
    # The sentence is a template with fields, filled once by the engine.
    assert step.template.startswith("{position}") and "dy" in step.fields
    assert step.text == t.backward_step(6).text
    assert step.text.startswith(step.sentence + "\n")


def test_max_backward_step_marks_the_winner_and_says_where_the_gradient_goes():
    t = trace_max_pool2d([[1.0, 3.0], [3.0, 2.0]], 2)
    step = t.step("backward", 0)
    assert step.cells_of("input")[(0, 1)] >= {"winner", "window"}
    assert step.cells_of("grad_input") == {(0, 1): {"target"}}
    assert step.text == "dY[0, 0] = 1 goes to the maximum: dX[0, 1] += 1 → 1"


def test_accumulation_rejects_an_index_outside_the_windows():
    t = trace_avg_pool2d(X, 2)
    with pytest.raises(ValueError, match="must be in -1"):
        t.grad_input_after(len(t))
    assert isinstance(engine.Step, type)


@pytest.mark.parametrize("index", range(3), ids=["max", "avg", "conv"])
def test_a_steps_words_are_its_records_words_without_its_cells(index):
    """``step_words`` (a text's record: no cells listed, not kept) says what ``step`` says."""
    trace = traces()[index]
    fresh = traces()[index]
    for phase in ("forward", "backward"):
        for k in range(len(trace)):
            words, full = fresh.step_words(phase, k), trace.step(phase, k)
            assert (words.phase, words.index, words.out_pos) == (phase, k, full.out_pos)
            assert (words.template, dict(words.fields)) == (full.template, dict(full.fields))
            assert (tuple(words.updates), words.lines) == (tuple(full.updates), full.lines)
            assert words.listed == () and words.blocks == ()
    assert fresh.step_words("forward", 0) is not fresh.step_words("forward", 0)  # not kept
    kept = fresh.step("forward", 0)
    assert fresh.step_words("forward", 0) is kept  # a kept record is the one given

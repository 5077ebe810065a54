"""Quiz mode's Qt-free logic (visualizer/model/quiz.py): questions from steps, checking, score."""

from __future__ import annotations

import math

import numpy as np
import pytest

from engine import format_number
from engine.ops import OPS
from visualizer.model import Document, StepCursor, compute, default_params
from visualizer.model.present import highlight
from visualizer.model.quiz import (
    KINDS,
    Quiz,
    check,
    parse_size,
    parse_value,
    pitfall_hint,
    plane_before,
    size_question,
    step_question,
    values_match,
)

X = np.array(
    [
        [3, 12, 7, 1],
        [8, 5, 19, 11],
        [13, 2, 4, 16],
        [1, 20, 9, 6],
    ],
    dtype=float,
)


def document(op: str = "max_pool2d", x: np.ndarray = X, **params: object) -> Document:
    p = default_params().replace(**params)
    spec = OPS[op]
    weight = np.arange(4, dtype=float).reshape(1, 1, 2, 2)
    out = spec.geometry((1, 1, *x.shape), weight.shape if spec.has_weight else None, p).out_size
    return Document(op, x[None, None], weight, p, np.ones((1, 1, *out)), (0, 0), 0, "ones", 0)


def cursor_at(doc: Document, step: int) -> tuple[StepCursor, object]:
    results = compute(doc)
    cursor = StepCursor(len(results.trace), step)
    return cursor, results


# ---- parsing and matching ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [("12", 12.0), (" −3 ", -3.0), ("7,5", 7.5), ("22/3", 22 / 3), ("-∞", -math.inf)],
)
def test_parse_value_reads_what_a_student_types(text, value):
    assert parse_value(text) == value


@pytest.mark.parametrize("text", ["", "twelve", "1/0", "3/"])
def test_parse_value_refuses_non_numbers(text):
    with pytest.raises(ValueError):
        parse_value(text)


@pytest.mark.parametrize(
    ("text", "size"), [("4x4", (4, 4)), ("4×3", (4, 3)), ("(4, 3)", (4, 3)), ("5", (5, 5))]
)
def test_parse_size(text, size):
    assert parse_size(text) == size


def test_integers_match_exactly_other_values_within_a_tolerance():
    assert values_match(12, 12.0) and not values_match(12.01, 12.0)
    assert values_match(7.33, 22 / 3) and not values_match(7.3, 22 / 3)
    assert values_match(-math.inf, -math.inf) and not values_match(0, -math.inf)
    assert values_match(math.nan, math.nan)


# ---- questions from steps ------------------------------------------------------------------------
def test_forward_question_is_the_arithmetic_without_its_result():
    doc = document()
    cursor, results = cursor_at(doc, 1)
    q = step_question(doc, results, cursor, KINDS)
    assert q is not None and q.kind == "value"
    text = results.trace.step("forward", 1).text
    assert q.value == 19 and f"= {format_number(q.value)}" in text
    assert q.text.startswith("Y[0, 1] = max(7, 1, 19, 11) = ?")
    assert "19" not in q.text.replace("19, 11", "")  # the result is not in the question
    assert q.value_cell == (0, 1) and q.written == "output"


def test_argmax_asks_the_winner_cells_of_the_step():
    doc = document()
    cursor, results = cursor_at(doc, 1)
    q = step_question(doc, results, cursor, ("argmax",))
    winners = {pos for pos, roles in highlight(doc, results, cursor).of("input").items()}
    assert q is not None and q.kind == "argmax" and q.pick_view == "input"
    assert q.cells == {(1, 2)} and q.cells <= winners


@pytest.mark.parametrize("op", [k for k, s in OPS.items() if not s.torch_indices])
def test_no_argmax_question_without_an_argmax(op):
    doc = document(op, np.arange(16.0).reshape(4, 4) - 5)
    cursor, results = cursor_at(doc, 0)
    assert step_question(doc, results, cursor, ("argmax",)) is None


def test_backward_question_asks_the_cells_and_the_amount():
    doc = document("avg_pool2d")
    n = 4
    cursor, results = cursor_at(doc, n + 3)
    q = step_question(doc, results, cursor, KINDS)
    assert q is not None and q.kind == "cells" and q.pick_view == "grad_input"
    assert q.cells == {(2, 2), (2, 3), (3, 2), (3, 3)}
    assert q.value == 0.25 and "dY[1, 1] = 1" in q.text


@pytest.mark.parametrize("op", list(OPS))
def test_every_operation_asks_every_step_something(op):
    doc = document(op, np.arange(16.0).reshape(4, 4) - 5)
    results = compute(doc)
    n = len(results.trace)
    for step in (0, n - 1, n, 2 * n - 1):
        cursor = StepCursor(n, step)
        q = step_question(doc, results, cursor, KINDS)
        assert q is not None, (op, step)
        assert q.asks_value or q.asks_cells
        if q.value_cell is not None and q.written == "output":
            shown = results.trace.output_after(cursor.window_index)
            assert values_match(q.value, float(shown[q.value_cell]))


@pytest.mark.parametrize("op", list(OPS))
def test_the_plane_before_a_step_lacks_exactly_that_step(op):
    doc = document(op, np.arange(16.0).reshape(4, 4) - 5)
    results = compute(doc)
    n = len(results.trace)
    cursor = StepCursor(n, n + 1)  # backward, second window
    q = step_question(doc, results, cursor, KINDS)
    before = plane_before(doc, results, cursor, "grad_input")
    after = results.trace.grad_input_after(1)[0]
    for cell, amount in q.amounts.items():
        assert math.isclose(after[cell] - before[cell], amount, abs_tol=1e-9)


@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
def test_a_backward_question_with_several_output_channels_asks_what_all_of_them_add(op):
    """Issue 10 follow-up: a backward step of a convolution with several output channels is
    that window in each of them; the question's amounts and the plane before it are the dX
    view's (every output channel's share), not the shown channel's alone."""
    from dataclasses import replace

    from visualizer.model.present import grad_input_plane

    doc = document(op, np.arange(16.0).reshape(4, 4) - 5)
    weight = np.stack([doc.weight[0], -2.0 * doc.weight[0] + 1.0])  # 2 output channels
    if OPS[op].weight_in_axis == 0:
        weight = np.moveaxis(weight, 0, 1)
    out = compute(replace(doc, weight=weight, grad_output=np.ones((1, 1, 1, 1)))).output.shape
    doc = replace(doc, weight=weight, grad_output=np.arange(np.prod(out), dtype=float).reshape(out))
    results = compute(doc)
    assert len(results.feeding_traces()) == 2
    n = len(results.trace)
    cursor = StepCursor(n, n + 1)  # backward, second window
    q = step_question(doc, results, cursor, KINDS)
    before = plane_before(doc, results, cursor, "grad_input")
    after = grad_input_plane(doc, results, cursor, True)
    assert q is not None
    amounts = dict(q.amounts)
    if q.value_cell is not None and q.value is not None:  # a gather: the cell's value asked
        amounts[q.value_cell] = q.value
    assert amounts
    own = results.trace.grad_input_after(1)[0] - results.trace.grad_input_after(0)[0]
    assert any(not math.isclose(own[c], a, abs_tol=1e-9) for c, a in amounts.items())
    for cell, amount in amounts.items():
        assert math.isclose(after[cell] - before[cell], amount, abs_tol=1e-9)


def test_kinds_off_ask_nothing():
    doc = document()
    cursor, results = cursor_at(doc, 0)
    assert step_question(doc, results, cursor, ()) is None
    cursor = StepCursor(len(results.trace), len(results.trace))
    assert step_question(doc, results, cursor, ("value",)) is None


# ---- checking ------------------------------------------------------------------------------------
def test_a_right_and_a_wrong_value():
    doc = document()
    cursor, results = cursor_at(doc, 0)
    q = step_question(doc, results, cursor, ("value",))
    assert check(q, "12").right
    wrong = check(q, "8")
    assert not wrong.right and wrong.scored and wrong.value_right is False
    unreadable = check(q, "twelve")
    assert unreadable.problem and not unreadable.scored


def test_cells_are_marked_right_wrong_and_missed():
    doc = document("avg_pool2d")
    cursor, results = cursor_at(doc, 4)
    q = step_question(doc, results, cursor, KINDS)
    verdict = check(q, "0.25", {(0, 0), (0, 1), (2, 2)})
    assert not verdict.right
    assert verdict.right_cells == {(0, 0), (0, 1)}
    assert verdict.wrong_cells == {(2, 2)}
    assert verdict.missed_cells == {(1, 0), (1, 1)}
    assert check(q, "1/4", q.cells).right
    assert not check(q, "1", q.cells).right


def test_size_question_and_the_reshape_pitfall_hint():
    doc = document(kernel_size=(3, 3), stride=(1, 1))
    results = compute(doc)
    q = size_question(results)
    assert q.size == (2, 2) and check(q, "2x2").right and not check(q, "1x1").right
    wrongs = {"pool_reshape": (np.zeros((2, 2)), np.zeros((1, 1)))}
    assert pitfall_hint(q, "1x1", lambda result: wrongs) == "pool_reshape"
    assert pitfall_hint(q, "3x3", lambda result: wrongs) == ""


def test_value_hint_names_the_pitfall_that_gives_the_wrong_answer():
    doc = document(padding=(1, 1), x=-X)
    cursor, results = cursor_at(doc, 0)
    q = step_question(doc, results, cursor, ("value",))
    assert q.value == -3
    correct = results.output[0, 0]
    wrong = correct.copy()
    wrong[0, 0] = 0.0
    wrongs = {"max_zero_padding": (correct, wrong)}
    assert pitfall_hint(q, "0", lambda result: wrongs) == "max_zero_padding"
    assert pitfall_hint(q, "-5", lambda result: wrongs) == ""


def test_clicked_cells_hint_at_the_backward_pitfall_that_sends_the_gradient_there():
    tied = np.array([[5, 5], [1, 5]], dtype=float)
    doc = document(x=tied)
    cursor, results = cursor_at(doc, 1)  # backward, the only window
    q = step_question(doc, results, cursor, KINDS)
    assert q.cells == {(0, 0)} and q.source == (0, 0)
    correct = np.array([[1.0, 0], [0, 0]])
    every_tie = np.array([[1.0, 1], [0, 1]])

    def wrongs(result, source=None):
        assert (result, source) == ("grad_input", (0, 0))
        return {"max_backward_equality_mask": (correct, every_tie)}

    ties = {(0, 0), (0, 1), (1, 1)}
    assert pitfall_hint(q, "1", wrongs, ties) == "max_backward_equality_mask"
    assert pitfall_hint(q, "1", wrongs, {(0, 1)}) == ""


# ---- the quiz: hiding, revealing, score ----------------------------------------------------------
def test_quiz_hides_until_revealed_and_keeps_the_score():
    doc = document()
    quiz = Quiz()
    cursor, results = cursor_at(doc, 0)
    quiz.sync(doc, results, cursor)
    assert not quiz.hiding  # off
    quiz.set_on(True)
    quiz.sync(doc, results, cursor)
    assert quiz.hiding and quiz.hides("output") and quiz.asked_cell("output") == (0, 0)
    assert quiz.prompt() is not None
    assert quiz.answer("12").right and quiz.revealed and not quiz.hiding
    cursor.step = 1
    quiz.sync(doc, results, cursor)
    assert quiz.hiding
    assert not quiz.answer("7").right
    assert (quiz.score.right, quiz.score.asked) == (1, 2)
    cursor.step = 2
    quiz.sync(doc, results, cursor)
    assert quiz.reveal() and not quiz.reveal()  # a reveal does not count
    assert quiz.score.asked == 2
    cursor.step = 1  # back to an answered step: shown revealed
    quiz.sync(doc, results, cursor)
    assert not quiz.hiding
    quiz.reset_score()
    assert quiz.score.asked == 0


def test_a_parameter_change_asks_the_output_size_first():
    quiz = Quiz()
    quiz.set_on(True)
    doc = document()
    cursor, results = cursor_at(doc, 0)
    quiz.sync(doc, results, cursor)
    doc2 = document(padding=(1, 1))
    cursor2, results2 = cursor_at(doc2, 0)
    quiz.sync(doc2, results2, cursor2)
    assert quiz.hiding_size and quiz.question.size == (3, 3)
    assert quiz.reveal() and not quiz.hiding  # the step shown stays revealed
    quiz.set_kind("size", False)
    doc3 = document(padding=(0, 0))
    quiz.sync(doc3, *reversed(cursor_at(doc3, 0)))
    assert quiz.hiding and not quiz.hiding_size


def test_picks_only_on_the_asked_view():
    doc = document("avg_pool2d")
    quiz = Quiz()
    quiz.set_on(True)
    cursor, results = cursor_at(doc, 4)
    quiz.sync(doc, results, cursor)
    assert not quiz.toggle_pick("input", (0, 0))
    assert quiz.toggle_pick("grad_input", (0, 0)) and quiz.picks == {(0, 0)}
    assert quiz.toggle_pick("grad_input", (0, 0)) and quiz.picks == set()
    hl = quiz.filter_highlight(highlight(doc, results, cursor))
    assert not hl.of("grad_input")  # the targets are not shown before the reveal

"""Quiz mode in the real window (issue 11, the quiz half): the next result hidden until
revealed, answers marked right or wrong, the score, the clicker's reveal-then-step, the cells
of the backward question, the output size, sessions, the command line and both languages."""

from __future__ import annotations

import html
import json
import math
import re

import numpy as np
import pytest
from checks import click_cell, focus_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engine import format_number
from engine.ops import OPS
from visualizer import i18n
from visualizer.session import loads, session_from_state, session_to_dict
from visualizer.view_settings import THEMES, view_settings


def output_display(window, cell):
    model = window.views_panel.output_view.model
    return model.data(model.index(*cell), Qt.DisplayRole)


def arithmetic(window) -> str:
    """The arithmetic line as plain text (the label shows it as HTML, its formulas' spaces
    non-breaking and a word joiner after their "/")."""
    text = re.sub(r"<br>", "\n", window.step_bar.arithmetic_label.text())
    return html.unescape(re.sub(r"<[^>]+>", "", text)).replace("\xa0", " ").replace("\u2060", "")


def panel(window):
    return window.quiz.dock.panel


def answer(qtbot, window, text: str) -> None:
    edit = panel(window).quiz_answer_edit
    edit.clear()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key_Return)


def quiz_on(qtbot, window) -> None:
    focus_window(qtbot, window)
    window.findChild(type(window.quiz.action), "quiz_action").trigger()
    assert window.state.quiz.on and window.quiz.dock.isVisible()


def test_q_key_and_tools_menu_switch_quiz_mode(window, qtbot):
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_Q)
    assert window.state.quiz.on and window.quiz.action.isChecked()
    assert window.quiz.action in window.menus["tools"].actions()
    assert window.quiz.action.objectName() == "quiz_action"
    qtbot.keyClick(window, Qt.Key_Q)
    assert not window.state.quiz.on and not window.quiz.dock.isVisible()


def test_the_hidden_value_is_not_shown_until_revealed(window, qtbot):
    st = window.state
    st.set_step(5)
    cell = st.results.trace.step("forward", 5).out_pos
    value = format_number(st.results.output[0, 0][cell])
    quiz_on(qtbot, window)
    # Not in the output view's data, not in its display text, not in the arithmetic line.
    assert math.isnan(window.views_panel.output_view.model.values[cell])
    assert output_display(window, cell) == "?"
    assert f"= {value}" not in arithmetic(window) and arithmetic(window).endswith("?")
    assert "Y[1, 1] = max(" in arithmetic(window)
    # The winner is not marked either (it would give the maximum away).
    marks = window.views_panel.input_view.model.styles
    assert not any("winner" in styles for styles in marks.values())
    qtbot.keyClick(window, Qt.Key_PageDown)  # the clicker reveals ...
    assert st.step == 5
    assert output_display(window, cell) == value
    assert arithmetic(window).endswith(f"= {value}")
    qtbot.keyClick(window, Qt.Key_PageDown)  # ... then steps on, to a hidden value again
    assert st.step == 6
    assert output_display(window, st.results.trace.step("forward", 6).out_pos) == "?"
    qtbot.keyClick(window, Qt.Key_Right)  # Right and Space do the same
    assert st.step == 6 and not st.quiz.hiding
    qtbot.keyClick(window, Qt.Key_Space)
    assert st.step == 7 and st.quiz.hiding and not window.step_bar.timer.isActive()


def test_a_right_and_a_wrong_answer_are_marked_and_scored(window, qtbot):
    quiz_on(qtbot, window)
    p = panel(window)
    answer(qtbot, window, "12")  # max(3, 12, 8, 5)
    assert p.quiz_verdict_label.text().startswith("✓")
    assert p.quiz_score_label.text() == "Score: 1 / 1"
    assert output_display(window, (0, 0)) == "12"  # an answer reveals
    qtbot.keyClick(p.quiz_answer_edit, Qt.Key_PageDown)  # steps on
    assert window.state.step == 1
    answer(qtbot, window, "11")  # max(7, 1, 19, 11) = 19
    assert p.quiz_verdict_label.text().startswith("✗") and "19" in p.quiz_verdict_label.text()
    assert p.quiz_score_label.text() == "Score: 1 / 2"
    qtbot.mouseClick(p.quiz_reset_button, Qt.LeftButton)
    assert p.quiz_score_label.text() == "Score: 0 / 0"


def test_unreadable_answer_is_not_scored(window, qtbot):
    quiz_on(qtbot, window)
    answer(qtbot, window, "twelve")
    assert window.state.quiz.hiding and window.state.quiz.score.asked == 0
    assert "twelve" in panel(window).quiz_verdict_label.text()


def test_non_integer_answers_have_a_tolerance_and_reveal_the_exact_value(window, qtbot):
    st = window.state
    st.set_op("avg_pool2d")
    st.set_input(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0], [0.0, 0.0, 1.0]]))
    st.set_params(kernel_size=3, stride=1)  # one window: 23 / 9 = 2.556
    quiz_on(qtbot, window)
    answer(qtbot, window, "2.56")
    text = panel(window).quiz_verdict_label.text()
    assert text.startswith("✓") and format_number(23 / 9) in text


def test_backward_cells_are_clicked_then_marked_right_wrong_and_missed(window, qtbot):
    st = window.state
    st.set_op("avg_pool2d")
    st.set_step(st.n_windows)  # backward, dY[0, 0]: the 2×2 window at the top left
    quiz_on(qtbot, window)
    view = window.views_panel.grad_input_view
    assert "dX" in arithmetic(window) and "dY[0, 0] = 1" in arithmetic(window)
    assert not view.model.styles  # the receiving cells are not marked before the reveal
    assert not [a for a in st.step_arrows() if a.target_view == "grad_input"]  # nor pointed at
    assert (view.matrix() == 0).all()  # nor filled in
    for cell in ((0, 0), (0, 1), (2, 2)):
        click_cell(qtbot, view, *cell)
    assert st.quiz.picks == {(0, 0), (0, 1), (2, 2)}
    assert QApplication.focusWidget() is panel(window).quiz_answer_edit
    answer(qtbot, window, "0.25")
    styles = view.model.styles
    assert styles[(0, 0)] >= {"quiz_right"} and styles[(0, 1)] >= {"quiz_right"}
    assert "quiz_wrong" in styles[(2, 2)]
    assert "quiz_missed" in styles[(1, 0)] and "quiz_missed" in styles[(1, 1)]
    assert st.quiz.score.asked == 1 and st.quiz.score.right == 0
    assert view.matrix()[0, 0] == 0.25  # revealed


def test_a_parameter_change_asks_the_output_size(window, qtbot):
    st = window.state
    quiz_on(qtbot, window)
    st.quiz_reveal()
    st.set_params(padding=1)
    assert st.quiz.hiding_size
    assert "output size" in arithmetic(window)
    assert all(cover.isVisible() for cover in window.quiz.covers.values())
    assert st.step_arrows() == []  # no arrow into the covered output
    answer(qtbot, window, "5x5")
    assert st.quiz.score.right == 1
    assert not any(cover.isVisible() for cover in window.quiz.covers.values())


def test_a_wrong_value_gets_the_pitfall_hint(window, qtbot):
    st = window.state
    st.set_input(-np.arange(1, 17, dtype=float).reshape(4, 4))
    st.set_params(padding=1)  # max pooling: zero padding would give 0 at the corner
    quiz_on(qtbot, window)
    answer(qtbot, window, "0")
    assert st.quiz.verdict.hint == "max_zero_padding"
    assert "Zero padding" in panel(window).quiz_verdict_label.text()


def test_cells_sent_to_every_tied_maximum_get_the_equality_mask_hint(window, qtbot):
    st = window.state
    st.set_input(np.array([[5.0, 5.0], [1.0, 5.0]]))  # one window, three tied maxima
    st.set_step(st.n_windows)
    quiz_on(qtbot, window)
    for cell in ((0, 0), (0, 1), (1, 1)):
        click_cell(qtbot, window.views_panel.grad_input_view, *cell)
    answer(qtbot, window, "1")
    assert st.quiz.verdict.hint == "max_backward_equality_mask"
    assert not st.quiz.verdict.right
    assert "tied maximum" in panel(window).quiz_verdict_label.text()


def test_argmax_question_is_answered_by_a_click_on_the_input(window, qtbot):
    st = window.state
    quiz_on(qtbot, window)
    panel(window).kind_checkboxes["argmax"].setChecked(True)
    panel(window).kind_checkboxes["value"].setChecked(False)
    qtbot.keyClick(window, Qt.Key_PageDown)
    qtbot.keyClick(window, Qt.Key_PageDown)  # step 1: the argmax of max(7, 1, 19, 11)
    assert st.quiz.question.kind == "argmax" and st.step == 1
    click_cell(qtbot, window.views_panel.input_view, 1, 2)
    answer(qtbot, window, "")
    assert st.quiz.verdict.right


@pytest.mark.parametrize("op", list(OPS))
def test_every_operation_asks_and_reveals_in_both_phases(window, qtbot, op):
    st = window.state
    st.set_op(op)
    quiz_on(qtbot, window)
    for step in (0, st.n_windows):
        st.set_step(step)
        assert st.quiz.hiding, (op, step)
        question = st.quiz.question
        assert arithmetic(window) == question.text
        if question.value_cell is not None and question.written == "output":
            assert output_display(window, question.value_cell) == "?"
        st.quiz_reveal()
        shown = " ".join(arithmetic(window).split())
        assert shown == " ".join(st.step_text().split()) != " ".join(question.text.split())


def test_only_whether_it_is_on_goes_into_the_session(window, qtbot):
    st = window.state
    quiz_on(qtbot, window)
    answer(qtbot, window, "12")
    data = session_to_dict(session_from_state(st))
    assert data["view"]["quiz"] is True
    assert "quiz" not in json.dumps({k: v for k, v in data.items() if k != "view"})
    # A file written before quiz mode (no "quiz") still loads, with quiz mode off.
    del data["view"]["quiz"]
    for name in ("x", "weight", "grad_output"):
        data[name] = np.asarray(getattr(st, name)).tolist()
    session, _ = loads(json.dumps(data))
    assert session.quiz is False


def test_the_command_line_flag(qtbot):
    from visualizer.app import apply_arguments, build_parser
    from visualizer.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    args = build_parser().parse_args(["--quiz", "--step", "3"])
    assert apply_arguments(window.state, args) == ""
    assert window.state.quiz.on and window.state.step == 3 and window.state.quiz.hiding


def test_chinese_and_every_theme(window, qtbot):
    st = window.state
    st.set_step(st.n_windows)  # a backward question: a sentence
    quiz_on(qtbot, window)
    try:
        i18n.set_language(i18n.CHINESE)
        assert panel(window).quiz_check_button.text() != "Check"
        assert arithmetic(window) != st.quiz.question.text  # the question is translated
        assert "dY[0, 0] = 1" in arithmetic(window)
        for theme in THEMES:
            view_settings().set_theme(theme)
            answer(qtbot, window, "5")
            assert panel(window).quiz_verdict_label.text()
            st.advance()
    finally:
        i18n.set_language(i18n.ENGLISH)
        view_settings().set_theme("system")


def test_compare_mode_and_the_layer_stack_pause_the_questions(window, qtbot):
    st = window.state
    quiz_on(qtbot, window)
    assert st.quiz.hiding
    window.findChild(type(window.quiz.action), "stack_action").trigger()
    assert not st.quiz.hiding and st.quiz.question is None
    window.findChild(type(window.quiz.action), "stack_action").trigger()
    assert st.quiz.hiding and output_display(window, (0, 0)) == "?"


def test_presentation_mode_shows_the_compact_strip_and_the_clicker_reveals_then_steps(
    window, qtbot
):
    st = window.state
    quiz_on(qtbot, window)
    window.presentation.set_presentation(True, save=False)
    strip = window.quiz.lecture_strip
    assert not window.quiz.dock.isVisible() and strip.isVisible()
    assert strip.parentWidget() is window.lecture_area  # in the lecture layout, not a dock
    edit = window.findChild(type(panel(window).quiz_answer_edit), "quiz_lecture_answer_edit")
    assert edit is strip.quiz_answer_edit and edit.isVisible()
    verdict = strip.quiz_verdict_label
    score = strip.quiz_score_label
    assert verdict.isVisible() and score.isVisible()
    assert not strip.quiz_reset_button.isVisible()  # compact: no kinds, no buttons
    assert not any(box.isVisible() for box in strip.kind_checkboxes.values())
    # Large enough for the back row: at least LECTURE_TEXT_MIN pixels, growing with the window.
    from visualizer.widgets.quiz_panel import LECTURE_TEXT_MIN

    assert verdict.font().pixelSize() >= LECTURE_TEXT_MIN
    assert score.font().pixelSize() >= LECTURE_TEXT_MIN
    # A student answers in the strip: marked and scored there.
    edit.clear()
    qtbot.keyClicks(edit, "12")
    qtbot.keyClick(edit, Qt.Key_Return)
    assert st.quiz.verdict.right and "12" in verdict.text()
    assert score.text() == panel(window).quiz_score_label.text() != ""
    assert "1 / 1" in score.text()
    # The clicker: PageDown steps on after an answer (also with the answer line focused) ...
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key_PageDown)
    assert st.step == 1 and st.quiz.hiding
    # ... and without an answer reveals first, the next PageDown steps on.
    qtbot.keyClick(edit, Qt.Key_PageDown)
    assert st.step == 1 and not st.quiz.hiding
    assert verdict.text()  # the answer shown
    qtbot.keyClick(edit, Qt.Key_PageDown)
    assert st.step == 2 and st.quiz.hiding
    window.presentation.set_presentation(False, save=False)
    assert window.quiz.dock.isVisible() and not strip.isVisible()
    # Quiz mode switched on inside the lecture layout shows the strip too, and off hides it.
    st.set_quiz(False)
    window.presentation.set_presentation(True, save=False)
    assert not strip.isVisible()
    st.set_quiz(True)
    assert strip.isVisible() and not window.quiz.dock.isVisible()
    window.presentation.set_presentation(False, save=False)
    assert window.quiz.dock.isVisible() and not strip.isVisible()


@pytest.mark.parametrize("op", list(OPS))
def test_a_step_reading_one_cell_asks_where_it_goes_by_clicks_on_the_output(window, qtbot, op):
    st = window.state
    st.set_op(op)
    st.set_step(1)
    quiz_on(qtbot, window)
    question = st.quiz.question
    if question.pick_view != "output":
        assert not st.spec.scatters  # a scatter always asks where
        pytest.skip("this operation's forward step reads a window")
    assert question.cells
    before = st.results.trace.output_after(0)
    np.testing.assert_array_equal(window.views_panel.output_view.matrix(), before)
    for cell in sorted(question.cells):
        click_cell(qtbot, window.views_panel.output_view, *cell)
    assert st.step == 1  # a click answers; it does not jump
    answer(qtbot, window, "")
    assert st.quiz.verdict.right


def test_a_heat_map_and_its_close_up_show_the_asked_cell(window, qtbot):
    st = window.state
    st.resize_input(64, 64)
    quiz_on(qtbot, window)
    view = window.views_panel.output_view
    cell = st.quiz.question.value_cell
    assert view.stack.currentIndex() == 1  # a heat map
    assert view.heatmap.asked == cell and view.heatmap.asked_item.isVisible()
    pos = view.heatmap.asked_item.pos()
    assert (pos.y(), pos.x()) == (cell[0] + 0.5, cell[1] + 0.5)
    close = view.magnifier
    assert close is not None and close.isVisibleTo(view)
    model = close.model
    r, c = close._to_model(*cell)
    assert model.data(model.index(r, c), Qt.DisplayRole) == "?"
    st.quiz_reveal()
    assert view.heatmap.asked is None and not view.heatmap.asked_item.isVisible()
    assert model.data(model.index(r, c), Qt.DisplayRole) == format_number(
        st.results.output[0, 0][cell]
    )


def test_a_table_too_small_for_numbers_still_shows_the_asked_cell():
    from visualizer.widgets.matrix_view import MatrixModel

    model = MatrixModel()
    values = np.array([[1.0, np.nan], [3.0, 4.0]])
    pending = np.array([[False, True], [False, False]])
    model.set_values(values, None, (0, 0), (0.0, 4.0), False, pending)
    model.asked = (0, 1)
    model.show_numbers = False
    assert model.data(model.index(0, 1), Qt.DisplayRole) == "?"
    assert model.data(model.index(0, 0), Qt.DisplayRole) is None


def test_a_single_asked_dx_value_is_hidden(window, qtbot):
    # Transposed convolution backward: each step gathers a dY patch into one dX cell.
    st = window.state
    st.set_op("conv_transpose2d")
    st.set_step(st.n_windows + 3)
    quiz_on(qtbot, window)
    question = st.quiz.question
    assert question.written == "grad_input" and question.value_cell is not None
    view = window.views_panel.grad_input_view
    model = view.model
    cell = question.value_cell
    assert math.isnan(view.matrix()[cell])
    assert model.data(model.index(*view._to_model(*cell)), Qt.DisplayRole) == "?"
    answer(qtbot, window, format_number(question.value))
    assert st.quiz.verdict.right
    assert view.matrix()[cell] == question.value


def test_a_backward_convolution_question_holds_dw_and_db_with_dx(window, qtbot):
    # The step adds to dX, dW and db: none of them shows its result before the answer.
    st = window.state
    st.set_op("conv2d")
    step = st.n_windows + 5
    st.set_step(step)
    trace = st.results.trace
    before_w, before_b = trace.grad_weight_after(4)
    after_w, after_b = trace.grad_weight_after(5)
    assert not np.array_equal(before_w, after_w) and before_b != after_b
    quiz_on(qtbot, window)
    assert st.quiz.hiding and st.quiz.question.written == "grad_input"
    views = window.views_panel
    np.testing.assert_array_equal(views.grad_weight_view.matrix(), before_w[0])
    assert views.bias_label.text() == f"db = {format_number(before_b)}"
    assert not views.grad_weight_view.model.styles  # no frames on the cells that change
    assert not [a for a in st.step_arrows() if a.target_view == "grad_weight"]
    qtbot.keyClick(window, Qt.Key_PageDown)  # revealed: all three at once
    assert st.step == step and not st.quiz.hiding
    np.testing.assert_array_equal(views.grad_weight_view.matrix(), after_w[0])
    assert views.bias_label.text() == f"db = {format_number(after_b)}"
    assert views.grad_weight_view.model.styles


@pytest.mark.parametrize(
    ("op", "params", "hidden"),
    [
        ("conv2d", {"kernel_size": 3, "padding": 1}, True),
        ("avg_pool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, True),
        ("max_pool2d", {"kernel_size": 2}, False),  # the window is not the answer: its winner is
    ],
)
def test_a_backward_cells_question_does_not_frame_its_answer_in_x(
    window, qtbot, op, params, hidden
):
    """ "Which cells of dX receive dY[0, 2]?": X's window frames were exactly those cells in
    a convolution or average step, the answer in plain sight until the answer."""
    st = window.state
    st.set_op(op)
    assert st.set_params(**params)
    st.set_step(st.n_windows + 1)
    quiz_on(qtbot, window)
    question = st.quiz.question
    assert st.quiz.hiding and question.pick_view == "grad_input" and question.cells
    framed = window.views_panel.input_view.model.styles
    input_cells = set(st.highlight().cells.get("input", {}))
    if hidden:
        assert not input_cells and not framed
        assert not st.step_notes().get("input")  # nor the weights printed in them
    else:
        assert question.cells < input_cells  # the winner is one of the window's cells
    qtbot.keyClick(window, Qt.Key_PageDown)  # revealed: the window is back
    assert not st.quiz.hiding
    assert set(question.cells) <= set(st.highlight().cells.get("input", {}))
    assert window.views_panel.input_view.model.styles


@pytest.mark.parametrize("key", list(OPS))
def test_the_argmax_question_is_offered_only_where_the_operation_has_an_argmax(window, qtbot, key):
    """Review, session 27: "Argmax position of the window" was offered for average pooling
    and convolution, where it is never asked.  It is enabled exactly for the operations
    whose spec returns indices, and follows a change of operation."""
    quiz_on(qtbot, window)
    st = window.state
    assert st.set_op(key)
    box = panel(window).kind_checkboxes["argmax"]
    has_argmax = OPS[key].torch_indices
    assert box.isEnabled() == has_argmax
    assert bool(box.toolTip()) == (not has_argmax)

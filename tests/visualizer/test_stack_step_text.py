"""Stack mode's step text in the normal layout (issue 10): a backward step's every cell
update on screen (not cut at four lines, the rest only in the tooltip), and the backward
sentence naming only what the stack shows (no dW view: no "dW gets" clause).  Assertions
are on data: the label's text, its height against its laid-out text's, the sentence."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication

from visualizer.model.stack import read_stack_file
from visualizer.resources import asset
from visualizer.widgets.step_bar import arithmetic_html, text_box_height

PRESET = "01_two_3x3_one_5x5.json"
NINE_UPDATES = 5  # backward step 5 (the issue's): layer 2's dY[1, 0], a 3×3 patch of dX


def open_backward(window, size):
    window.resize(*size)
    doc = read_stack_file(asset("presets", "stacks", PRESET))
    assert window.state.stack_state.load(doc)
    st = window.state.stack_state
    st.set_phase("backward")
    st.set_step(st.cursor.n_forward + NINE_UPDATES)
    QApplication.processEvents()
    return window.stack_panel, st


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_every_update_of_a_nine_update_backward_step_is_on_screen(window, qtbot, size):
    panel, st = open_backward(window, size)
    assert not panel.lecture
    assert (st.cursor.layer, st.cursor.window) == (1, NINE_UPDATES)
    label = panel.step_text_label
    plain = st.step_text(panel.channel())
    updates = [line for line in plain.split("\n")[1:] if line.startswith("dX[")]
    assert len(updates) == 1  # one line of updates, wrapping in the note
    assert len(updates[0].split("   ")) == 9, plain
    assert label.text() == arithmetic_html(plain)  # nothing elided from the markup
    # The note is as tall as its text laid out at its width needs: no line is cut.
    assert label.height() >= text_box_height(label.text(), label.width(), label.font())
    # ... and leaves the matrices most of the window.
    assert label.height() <= 0.3 * window.height() + 1


def test_the_note_keeps_its_height_while_stepping_a_layer(window, qtbot):
    panel, st = open_backward(window, (1366, 768))
    label = panel.step_text_label
    layer = st.cursor.layer
    start = st.cursor.start_of("backward", layer)
    heights = set()
    for step in range(start, start + st.cursor.counts[layer]):
        st.set_step(step)
        QApplication.processEvents()
        heights.add(label.height())
    assert len(heights) == 1, heights


def test_a_one_line_layer_gets_a_one_line_note(window, qtbot):
    """LeNet's last max pooling (one sentence a step) beside convolutions of 25 updates a
    step: its note is sized for its own text, not theirs (the views keep the height)."""
    window.resize(1024, 768)
    doc = read_stack_file(asset("presets", "stacks", "02_lenet_style.json"))
    st = window.state.stack_state
    assert st.load(doc)
    st.set_step(st.cursor.n_forward + 3)
    QApplication.processEvents()
    label = window.stack_panel.step_text_label
    assert "\n" not in st.step_text(), "one sentence"
    one_line = text_box_height(label.text(), label.width(), label.font())
    assert one_line <= label.height() <= one_line + 2


def test_the_stacks_backward_sentence_has_no_dw_clause(window, qtbot):
    panel, st = open_backward(window, (1366, 768))
    sentence = st.step_text(panel.channel()).split("\n")[0]
    assert "dX gets" in sentence
    assert "dW" not in sentence and "db" not in sentence, sentence

"""The transposed convolution's "as a convolution" toggle in the window: the views switch to the
zero-inserted canvas and the flipped kernel, the output stays the same.  Assertions on data."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal
from PySide6.QtWidgets import QCheckBox

from engine import conv_transpose2d
from engine.transpose_as_conv import CANVAS_INSERTED, conv_transpose_as_conv
from visualizer import i18n
from visualizer.language import CHINESE, ENGLISH


def set_up(window):
    st = window.state
    assert st.set_op("convT")
    assert st.set_input(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert st.set_params(kernel_size=(3, 3), stride=(2, 2), padding=(1, 1), bias=None)
    assert st.set_kernel_cell(0, 2, 5.0)
    return st


def test_toggle_shows_the_canvas_and_the_flipped_kernel_with_the_same_output(window, qtbot):
    st = set_up(window)
    views = window.views_panel
    checkbox = window.findChild(QCheckBox, "as_convolution_checkbox")
    assert checkbox is not None and checkbox.isVisible() and not checkbox.isChecked()
    kernel = st.weight[0, 0].copy()
    st.set_step(st.n_windows - 1)
    output_before = views.output_view.matrix()
    assert_array_equal(views.input_view.matrix(), [[1, 2], [3, 4]])
    assert views.input_view.model.editable and views.kernel_view.model.editable

    checkbox.click()
    assert st.params["as_convolution"] is True
    form = conv_transpose_as_conv(st.x[0, 0], kernel, stride=2, padding=1)
    assert_array_equal(views.input_view.canvas(), form.canvas)
    assert_array_equal(views.input_view.model.kinds, form.kinds)
    assert (views.input_view.model.kinds == CANVAS_INSERTED).sum() == 5
    assert_array_equal(views.kernel_view.matrix(), kernel[::-1, ::-1])
    assert not views.input_view.model.editable and not views.kernel_view.model.editable
    assert st.n_windows == 9  # one step per output cell (3×3), not per input cell
    st.set_step(st.n_windows - 1)
    assert_array_equal(views.output_view.matrix(), output_before)
    assert_array_equal(output_before, conv_transpose2d(st.x, st.weight, stride=2, padding=1)[0, 0])
    assert st.step_text().startswith("Y[2, 2] = ")
    assert views.input_view.title_label.text() == "Zero-inserted X  (5×5)"
    assert views.kernel_view.title_label.text() == "W flipped  (3×3)"
    # The canvas gradient ends with dX at the input cells.
    st.set_step(st.n_steps - 1)
    dx = st.results.grad_input[0, 0]
    canvas_grad = views.grad_input_view.matrix()
    assert_array_equal(canvas_grad[form.rows[:, None], form.cols[None, :]], dx)

    checkbox.click()  # back: the input and the kernel as they are, editable again
    assert_array_equal(views.input_view.matrix(), [[1, 2], [3, 4]])
    assert_array_equal(views.kernel_view.matrix(), kernel)
    assert views.input_view.model.editable and views.kernel_view.model.editable
    st.set_step(st.n_windows - 1)
    assert_array_equal(views.output_view.matrix(), output_before)


def test_toggle_is_undoable_and_labelled_in_both_languages(window):
    st = set_up(window)
    checkbox = window.findChild(QCheckBox, "as_convolution_checkbox")
    assert checkbox.text() == "As a convolution (zeros inserted, W flipped)"
    checkbox.click()
    st.undo_stack.undo()
    assert st.params["as_convolution"] is False and not checkbox.isChecked()
    i18n.set_language(CHINESE)
    try:
        assert checkbox.text() != "As a convolution (zeros inserted, W flipped)"
        st.set_params(as_convolution=True)
        assert st.step_text() != st.results.trace.step("forward", st.window_index).text
    finally:
        i18n.set_language(ENGLISH)


def test_code_view_does_not_give_the_scatter_loops_counters_to_canvas_steps(window, qtbot):
    from PySide6.QtWidgets import QDockWidget

    st = set_up(window)
    window.findChild(object, "toggleCodeAction").trigger()
    dock = window.findChild(QDockWidget, "codeDock")
    qtbot.waitUntil(dock.isVisible)
    st.set_step(4)
    assert "ih=" in dock.loop_label.text() and dock.hand_edit.extraSelections()
    st.set_params(as_convolution=True)
    st.set_step(4)
    assert "Y[1, 1] computed the other way" in dock.loop_label.text()
    assert not dock.hand_edit.extraSelections()  # the scatter loops are not this step's lines


def test_a_narrow_flipped_kernel_view_still_says_flipped(window, qtbot):
    """Review, session 27: at 1920×1080 in the lecture layout the 2×2 kernel view was too
    narrow for "W flipped  (2×2)" and fell back to "W  (2×2)": it named the flipped kernel
    W, which every other view shows unflipped.  Every form of the title keeps "flipped"."""
    st = set_up(window)
    assert st.set_params(as_convolution=True)
    label = window.views_panel.kernel_view.title_label
    forms = [form for form in (label.full_text, label.wrapped_text, label.short_text) if form]
    assert len(forms) >= 2, forms  # shorter forms for a narrow view exist ...
    assert all("flipped" in form for form in forms), forms  # ... and say what it is
    label.resize(label.fontMetrics().horizontalAdvance("W flipped") + 4, label.height())
    assert "flipped" in label.text() and "…" not in label.text(), label.text()

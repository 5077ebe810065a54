"""The whole window, driven through its real controls; assertions are on data, never pixels.

Every test gets a fresh, shown 1366×768 ``MainWindow`` (see ``tests/conftest.py``).  Controls
are found by their objectName, the contract the window keeps with these tests.
"""

from __future__ import annotations

import gc
import sys

import numpy as np
import pytest
from checks import focus_window
from PySide6.QtCore import QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

import engine
from visualizer.data import RandomSpec
from visualizer.resources import sample_images
from visualizer.state import DEFAULT_INPUT
from visualizer.widgets.data_panel import RandomizeDialog

# ---- helpers ------------------------------------------------------------------------------------


def find(window: QWidget, name: str) -> QWidget:
    widget = window.findChild(QWidget, name)
    assert widget is not None, f"no widget named {name!r}"
    return widget


def click(qtbot, window: QWidget, name: str) -> None:
    qtbot.mouseClick(find(window, name), Qt.LeftButton)


def cell_index(view, row: int, col: int) -> QModelIndex:
    """Model index of matrix cell (row, col), the padding ring taken into account."""
    off_r, off_c = view.model.offset
    return view.model.index(row + off_r, col + off_c)


def type_into_cell(qtbot, view, row: int, col: int, text: str) -> None:
    """Select a cell and type ``text`` then Enter, as a user would (keys go to the focus)."""
    table = view.table
    table.setFocus()
    table.setCurrentIndex(cell_index(view, row, col))
    for char in text:
        qtbot.keyClick(QApplication.focusWidget() or table, char)
    qtbot.keyClick(QApplication.focusWidget() or table, Qt.Key_Return)
    # The delegate commits the editor through a queued call.
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState, timeout=2000)
    QApplication.processEvents()


def pool_args(state) -> tuple:
    p = state.params
    if state.op == "max_pool2d":
        return (p.kernel_size, p.stride, p.padding, p.dilation, p.ceil_mode)
    return (p.kernel_size, p.stride, p.padding, p.ceil_mode, p.count_include_pad)


def conv_args(state) -> tuple:
    p = state.params
    bias = None if p.bias is None else np.full(state.weight.shape[0], p.bias)
    return bias, p.stride, p.padding, p.dilation


def engine_output(state) -> np.ndarray:
    if state.op == "max_pool2d":
        return engine.max_pool2d(state.x, *pool_args(state))
    if state.op == "avg_pool2d":
        return engine.avg_pool2d(state.x, *pool_args(state), state.params.divisor_override)
    return engine.conv2d(state.x, state.weight, *conv_args(state))


def to_end_of_forward(window) -> None:
    """End, then back to the last forward step with the Backward/Forward shortcut logic."""
    st = window.state
    st.set_step(st.n_windows - 1)
    assert st.phase == "forward"


# ---- the Qt binding ----------------------------------------------------------------------------


class _Emitter(QObject):
    sigPing = Signal()


def test_qt_binding_keeps_references(qapp):
    """Void calls and signal emits must not steal references to None / True.

    PySide6 6.12.0 on CPython 3.11 does: the window aborts with "Fatal Python error:
    none_dealloc" after about six seconds of playback (≈ 60 steps).  Use PySide6 < 6.12 on
    Python 3.11, or Python ≥ 3.12.
    """
    label = QLabel()
    emitter = _Emitter()
    emitter.sigPing.connect(lambda: None)
    # Freed garbage from earlier tests would also lower the counts: collect first, then
    # keep the collector out of the measured loop.
    gc.collect()
    gc.disable()
    try:
        before = sys.getrefcount(None), sys.getrefcount(True)
        for _ in range(200):
            label.setText("x")
            emitter.sigPing.emit()
        lost = [b - sys.getrefcount(o) for b, o in zip(before, (None, True), strict=True)]
    finally:
        gc.enable()
    assert max(lost) < 20, (
        f"the Qt binding lost {lost[0]} references to None and {lost[1]} to True in 200 calls "
        "(PySide6 6.12.0 on Python 3.11?): the app will abort with 'deallocating None'"
    )


# ---- default state ------------------------------------------------------------------------------


def test_default_state_is_the_8x8_max_pool_example(window):
    st = window.state
    np.testing.assert_array_equal(find(window, "inputMatrix").matrix(), np.array(DEFAULT_INPUT))
    assert find(window, "opSelector").currentData() == "max_pool2d"
    assert st.op == "max_pool2d"
    for name, value in (
        ("kernel_size_spinbox", 2),
        ("kernel_size_w_spinbox", 2),
        ("stride_spinbox", 2),
        ("stride_w_spinbox", 2),
        ("padding_spinbox", 0),
        ("dilation_spinbox", 1),
        ("rows_spinbox", 8),
        ("cols_spinbox", 8),
    ):
        assert find(window, name).value() == value, name
    assert not find(window, "ceil_mode_checkbox").isChecked()
    assert st.step == 0 and st.phase == "forward"
    assert st.n_windows == 16
    assert not find(window, "paramError").isVisible()


def test_output_at_last_forward_step_equals_engine_max_pool(window):
    to_end_of_forward(window)
    x = find(window, "inputMatrix").matrix()
    expected = engine.max_pool2d(x, 2, 2)
    shown = find(window, "outputMatrix").matrix()
    np.testing.assert_array_equal(shown, expected)
    np.testing.assert_array_equal(
        shown, [[12, 19, 15, 17], [20, 16, 12, 18], [14, 15, 19, 12], [18, 20, 16, 13]]
    )


def test_output_fills_in_one_window_per_step(window, qtbot):
    st = window.state
    out = find(window, "outputMatrix")
    for k in range(st.n_windows):
        shown = out.matrix()
        assert np.isfinite(shown).sum() == k + 1
        assert np.isfinite(shown.flat[: k + 1]).all()
        click(qtbot, window, "stepNext")


# ---- editing cells ------------------------------------------------------------------------------


def test_editing_a_cell_through_the_model_changes_the_output(window):
    st = window.state
    view = find(window, "inputMatrix")
    before = st.results.output.copy()
    assert view.model.setData(cell_index(view, 0, 0), "42")
    assert st.x[0, 0, 0, 0] == 42
    assert view.matrix()[0, 0] == 42
    to_end_of_forward(window)
    shown = find(window, "outputMatrix").matrix()
    assert shown[0, 0] == 42
    np.testing.assert_array_equal(shown.ravel()[1:], before.ravel()[1:])
    np.testing.assert_array_equal(shown, engine.max_pool2d(view.matrix(), 2, 2))


def test_typing_into_the_input_table_changes_the_output(window, qtbot):
    focus_window(qtbot, window)
    st = window.state
    view = find(window, "inputMatrix")
    type_into_cell(qtbot, view, 2, 3, "42")
    assert st.x[0, 0, 2, 3] == 42
    assert view.matrix()[2, 3] == 42
    assert view.table.currentIndex().row() == cell_index(view, 3, 3).row()  # Enter moves down
    to_end_of_forward(window)
    assert find(window, "outputMatrix").matrix()[1, 1] == 42


def test_typing_a_negative_number_with_a_unicode_minus(window, qtbot):
    focus_window(qtbot, window)
    view = find(window, "inputMatrix")
    assert view.model.setData(cell_index(view, 1, 1), "−2.5")
    assert window.state.x[0, 0, 1, 1] == -2.5


def test_garbage_typed_is_refused_with_a_hint(window, qtbot):
    focus_window(qtbot, window)
    st = window.state
    view = find(window, "inputMatrix")
    before = st.x.copy()
    out_before = st.results.output.copy()
    type_into_cell(qtbot, view, 0, 1, "abc")
    np.testing.assert_array_equal(st.x, before)
    assert view.matrix()[0, 1] == 12
    np.testing.assert_array_equal(st.results.output, out_before)
    hint = find(window, "inputMatrixHint")
    assert hint.isVisible()
    assert "abc" in hint.text() and "12" in hint.text()
    # A good edit afterwards clears the hint.
    assert view.model.setData(cell_index(view, 0, 1), "7")
    assert not hint.isVisible()


def test_garbage_through_the_model_is_refused(window):
    view = find(window, "inputMatrix")
    assert not view.model.setData(cell_index(view, 0, 0), "1e")
    assert window.state.x[0, 0, 0, 0] == 3
    assert find(window, "inputMatrixHint").isVisible()


def test_output_view_is_read_only(window):
    out = find(window, "outputMatrix")
    assert not out.model.setData(out.model.index(0, 0), "5")
    assert not (out.model.flags(out.model.index(0, 0)) & Qt.ItemIsEditable)


# ---- parameters ---------------------------------------------------------------------------------


def test_invalid_padding_shows_the_error_and_keeps_the_output(window, qtbot):
    st = window.state
    to_end_of_forward(window)
    out_view = find(window, "outputMatrix")
    shown_before = out_view.matrix()
    results_before = st.results.output.copy()
    spin = find(window, "padding_spinbox")
    error = find(window, "paramError")

    qtbot.keyClick(spin, Qt.Key_Up)  # padding 1: valid with kernel 2
    assert st.params.padding == (1, 0)
    assert not error.isVisible()
    results_valid = st.results.output.copy()
    shown_valid = out_view.matrix()
    assert results_valid.shape != results_before.shape

    qtbot.keyClick(spin, Qt.Key_Up)  # padding 2: more than half the kernel
    assert error.isVisible()
    assert "padding" in error.text()
    assert st.params.padding == (1, 0)
    assert spin.value() == 1  # snapped back
    np.testing.assert_array_equal(st.results.output, results_valid)
    np.testing.assert_array_equal(out_view.matrix(), shown_valid)

    spin.setValue(0)
    assert not error.isVisible()
    np.testing.assert_array_equal(st.results.output, results_before)
    st.set_step(st.n_windows - 1)
    np.testing.assert_array_equal(out_view.matrix(), shown_before)


def test_invalid_padding_set_directly_snaps_back(window):
    spin = find(window, "padding_spinbox")
    before = window.state.results.output.copy()
    spin.setValue(2)
    assert spin.value() == 0
    assert window.state.params.padding == (0, 0)
    assert "padding" in find(window, "paramError").text()
    np.testing.assert_array_equal(window.state.results.output, before)


def set_kernel_and_stride(window, kernel: int, stride: int) -> None:
    """Kernel and stride through their four spin boxes (height and width)."""
    find(window, "kernel_size_spinbox").setValue(kernel)
    find(window, "kernel_size_w_spinbox").setValue(kernel)
    find(window, "stride_spinbox").setValue(stride)
    find(window, "stride_w_spinbox").setValue(stride)


def test_kernel_and_stride_spin_boxes_change_the_output(window):
    st = window.state
    set_kernel_and_stride(window, 3, 1)
    assert st.params.kernel_size == (3, 3) and st.params.stride == (1, 1)
    assert st.n_windows == 36
    to_end_of_forward(window)
    x = find(window, "inputMatrix").matrix()
    np.testing.assert_array_equal(find(window, "outputMatrix").matrix(), engine.max_pool2d(x, 3, 1))


def test_ceil_mode_checkbox_adds_partial_windows(window, qtbot):
    st = window.state
    find(window, "kernel_size_spinbox").setValue(3)
    find(window, "kernel_size_w_spinbox").setValue(3)
    assert st.results.output.shape[2:] == (3, 3)
    box = find(window, "ceil_mode_checkbox")
    qtbot.mouseClick(box, Qt.LeftButton, pos=QPoint(8, box.height() // 2))  # the indicator
    assert st.params.ceil_mode
    assert st.results.output.shape[2:] == (4, 4)
    to_end_of_forward(window)
    expected = engine.max_pool2d(st.x, (3, 3), (2, 2), 0, 1, True)[0, 0]
    np.testing.assert_array_equal(find(window, "outputMatrix").matrix(), expected)


@pytest.mark.parametrize("op", ["avg_pool2d", "conv2d"])
def test_switching_op_keeps_the_input(window, op):
    combo = find(window, "opSelector")
    x_before = find(window, "inputMatrix").matrix()
    combo.setCurrentIndex(combo.findData(op))
    st = window.state
    assert st.op == op
    np.testing.assert_array_equal(find(window, "inputMatrix").matrix(), x_before)
    to_end_of_forward(window)
    np.testing.assert_allclose(
        find(window, "outputMatrix").matrix(), engine_output(st)[0, 0], rtol=0, atol=1e-12
    )
    combo.setCurrentIndex(combo.findData("max_pool2d"))
    assert st.op == "max_pool2d"
    np.testing.assert_array_equal(find(window, "inputMatrix").matrix(), x_before)


def test_formula_shows_the_substituted_numbers(window):
    formula = find(window, "formula")
    text = formula.text()
    assert "(8 + 2·0 − 1·1 − 1) / 2" in text
    assert "= 4" in text
    assert "16 windows" in text
    find(window, "kernel_size_spinbox").setValue(3)
    find(window, "stride_spinbox").setValue(1)
    text = formula.text()
    assert "(8 + 2·0 − 1·2 − 1) / 1) + 1 = 6" in text  # height: k 3, s 1
    assert "(8 + 2·0 − 1·1 − 1) / 2) + 1 = 4" in text  # width unchanged
    assert "6 × 4 = 24 windows" in text


def test_formula_explains_refused_parameters(window):
    find(window, "padding_spinbox").setValue(2)
    text = find(window, "formula").text()
    assert "8 + 2·2" in text
    assert "Not applied" in text and "padding" in text


# ---- stepping -----------------------------------------------------------------------------------


def test_step_next_visits_every_window_exactly_once(window, qtbot):
    st = window.state
    visited = []
    for _ in range(st.n_windows):
        assert st.phase == "forward"
        visited.append(st.highlight().output_cell)
        click(qtbot, window, "stepNext")
    out_h, out_w = st.results.geometry.out_size
    assert visited == [(r, c) for r in range(out_h) for c in range(out_w)]
    assert st.phase == "backward" and st.window_index == 0
    assert find(window, "stepCounter").text().startswith("Backward 1 /")


def test_step_next_visits_every_window_with_overlap_and_padding(window, qtbot):
    st = window.state
    find(window, "kernel_size_spinbox").setValue(3)
    find(window, "padding_spinbox").setValue(1)
    visited = set()
    count = 0
    while st.phase == "forward":
        visited.add(st.highlight().output_cell)
        count += 1
        click(qtbot, window, "stepNext")
    assert count == st.n_windows == len(visited)
    assert visited == {(r, c) for r in range(st.results.output.shape[2]) for c in range(4)}


def test_step_last_prev_and_first(window, qtbot):
    st = window.state
    click(qtbot, window, "stepLast")
    assert st.step == st.n_steps - 1
    assert st.phase == "backward" and st.window_index == st.n_windows - 1
    click(qtbot, window, "stepNext")  # already at the end
    assert st.step == st.n_steps - 1
    click(qtbot, window, "stepPrev")
    assert st.step == st.n_steps - 2
    click(qtbot, window, "stepFirst")
    assert st.step == 0 and st.phase == "forward"
    click(qtbot, window, "stepPrev")  # already at the start
    assert st.step == 0


def test_step_slider_follows_and_drives_the_step(window, qtbot):
    st = window.state
    slider = find(window, "stepSlider")
    assert slider.maximum() == st.n_steps - 1
    click(qtbot, window, "stepNext")
    assert slider.value() == 1
    slider.setValue(20)
    assert st.step == 20 and st.phase == "backward"


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d", "conv2d"])
def test_backward_end_gradients_match_engine(window, qtbot, op):
    st = window.state
    combo = find(window, "opSelector")
    combo.setCurrentIndex(combo.findData(op))
    click(qtbot, window, "gradRandom")  # a non-trivial upstream gradient
    dy = st.grad_output
    assert not np.all(dy == 1)
    np.testing.assert_array_equal(find(window, "gradOutputMatrix").matrix(), dy[0, 0])
    click(qtbot, window, "stepLast")
    shown = find(window, "gradInputMatrix").matrix()
    if op == "max_pool2d":
        expected = engine.max_pool2d_backward(dy, st.x, *pool_args(st), ties=st.params.ties)
    elif op == "avg_pool2d":
        expected = engine.avg_pool2d_backward(dy, st.x, *pool_args(st))
    else:
        gx, gw, gb = engine.conv2d_backward(dy, st.x, st.weight, *conv_args(st))
        expected = gx
        np.testing.assert_allclose(
            find(window, "gradWeightMatrix").matrix(), gw[0, 0], rtol=0, atol=1e-9
        )
        assert find(window, "gradBias").text() == f"db = {engine.format_number(gb[0])}"
    np.testing.assert_allclose(shown, expected[0, 0], rtol=0, atol=1e-12)


def test_grad_input_is_zero_in_forward_phase_and_accumulates(window, qtbot):
    st = window.state
    grad_view = find(window, "gradInputMatrix")
    assert not grad_view.matrix().any()
    st.set_phase("backward")
    assert st.phase == "backward" and st.window_index == 0
    assert grad_view.matrix().sum() == 1  # dY = ones, one window done
    click(qtbot, window, "stepNext")
    assert grad_view.matrix().sum() == 2


def test_play_pause_advances_steps_with_a_timer(window, qtbot):
    st = window.state
    find(window, "speed_spinbox").setValue(30)
    timer = window.step_bar.timer
    click(qtbot, window, "playPause")
    assert timer.isActive()
    qtbot.waitUntil(lambda: st.step >= 3, timeout=3000)
    click(qtbot, window, "playPause")
    assert not timer.isActive()
    stopped_at = st.step
    qtbot.wait(150)
    assert st.step == stopped_at


def test_play_stops_at_the_last_step(window, qtbot):
    st = window.state
    find(window, "speed_spinbox").setValue(30)
    st.set_step(st.n_steps - 3)
    click(qtbot, window, "playPause")
    qtbot.waitUntil(lambda: not window.step_bar.timer.isActive(), timeout=3000)
    assert st.step == st.n_steps - 1
    # Play at the end starts over.
    click(qtbot, window, "playPause")
    assert st.step <= 1
    click(qtbot, window, "playPause")


def test_clicking_an_output_cell_jumps_to_its_step(window, qtbot):
    st = window.state
    out = find(window, "outputMatrix")
    table = out.table
    index = cell_index(out, 2, 3)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(index).center())
    assert st.phase == "forward"
    assert st.window_index == 2 * 4 + 3
    assert st.highlight().output_cell == (2, 3)
    st.set_phase("backward")
    index = cell_index(out, 1, 0)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=table.visualRect(index).center())
    assert st.phase == "backward" and st.window_index == 4


def test_step_highlights_the_window_in_the_input_view(window, qtbot):
    st = window.state
    st.set_step(5)  # window (1, 1): rows 2-3, cols 2-3
    styles = find(window, "inputMatrix").model.styles
    window_cells = {rc for rc, s in styles.items() if "window" in s}
    assert window_cells == {(2, 2), (2, 3), (3, 2), (3, 3)}
    winners = {rc for rc, s in styles.items() if "winner" in s}
    assert winners == {(2, 3)}  # 16 is the max of 4, 16 / 9, 6
    assert find(window, "outputMatrix").model.styles == {(1, 1): {"current"}}
    assert find(window, "maskMatrix").model.styles == {(2, 3): {"winner"}}


# ---- hover linking ------------------------------------------------------------------------------


def test_hover_on_an_output_marks_its_window_in_the_input(window):
    st = window.state
    st.set_hover("output", 1, 2)
    styles = find(window, "inputMatrix").model.styles
    hovered = {rc for rc, s in styles.items() if "hover" in s}
    assert hovered == {(2, 4), (2, 5), (3, 4), (3, 5)}
    assert "hover" in find(window, "outputMatrix").model.styles[(1, 2)]
    st.set_hover(None)
    styles = find(window, "inputMatrix").model.styles
    assert not any("hover" in s for s in styles.values())


def test_hover_on_an_input_marks_the_outputs_it_feeds(window):
    st = window.state
    set_kernel_and_stride(window, 3, 1)
    st.set_hover("input", 3, 3)
    styles = find(window, "outputMatrix").model.styles
    hovered = {rc for rc, s in styles.items() if "hover" in s}
    assert hovered == {(r, c) for r in range(1, 4) for c in range(1, 4)}
    assert "hover" in find(window, "inputMatrix").model.styles[(3, 3)]


def test_hover_with_padding_uses_canvas_offset(window):
    st = window.state
    find(window, "kernel_size_spinbox").setValue(3)
    find(window, "kernel_size_w_spinbox").setValue(3)
    find(window, "padding_spinbox").setValue(1)
    find(window, "padding_w_spinbox").setValue(1)
    view = find(window, "inputMatrix")
    assert view.model.offset == (1, 1)
    assert view.matrix().shape == (8, 8)
    assert view.canvas().shape[0] > 8  # the padding ring the windows reach
    st.set_hover("output", 0, 0)
    hovered = {rc for rc, s in view.model.styles.items() if "hover" in s}
    # Window (0, 0) covers matrix rows/cols −1..1, i.e. canvas rows/cols 0..2.
    assert hovered == {(r, c) for r in range(3) for c in range(3)}


def test_mouse_over_an_output_cell_sets_the_hover(window, qtbot):
    out = find(window, "outputMatrix")
    table = out.table
    pos = table.visualRect(cell_index(out, 2, 1)).center()
    qtbot.mouseMove(table.viewport(), pos)
    qtbot.waitUntil(lambda: window.state.hover == ("output", 2, 1), timeout=2000)


# ---- keyboard -----------------------------------------------------------------------------------


def test_keyboard_shortcuts_step_when_the_window_has_focus(window, qtbot):
    st = window.state
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_Right)
    assert st.step == 1
    qtbot.keyClick(window, Qt.Key_Right)
    qtbot.keyClick(window, Qt.Key_Left)
    assert st.step == 1
    qtbot.keyClick(window, Qt.Key_End)
    assert st.step == st.n_steps - 1
    qtbot.keyClick(window, Qt.Key_Home)
    assert st.step == 0
    qtbot.keyClick(window, Qt.Key_Space)
    assert window.step_bar.timer.isActive()
    qtbot.keyClick(window, Qt.Key_Space)
    assert not window.step_bar.timer.isActive()
    qtbot.keyClick(window, Qt.Key_B)
    assert st.phase == "backward"
    qtbot.keyClick(window, Qt.Key_F)
    assert st.phase == "forward"


def test_number_keys_switch_the_operation(window, qtbot):
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_2)
    assert window.state.op == "avg_pool2d"
    assert find(window, "opSelector").currentData() == "avg_pool2d"
    qtbot.keyClick(window, Qt.Key_3)
    assert window.state.op == "conv2d"
    qtbot.keyClick(window, Qt.Key_1)
    assert window.state.op == "max_pool2d"


def test_arrow_keys_move_the_cell_while_typing_numbers_in(window, qtbot):
    # After a number is typed in, the arrows move like a spreadsheet; a selected cell alone
    # leaves them to the stepping (tests/visualizer/test_lecture_keys.py).
    st = window.state
    focus_window(qtbot, window)
    view = find(window, "inputMatrix")
    type_into_cell(qtbot, view, 0, 0, "5")
    qtbot.keyClick(view.table, Qt.Key_Right)
    assert st.step == 0
    assert view.table.currentIndex().column() == cell_index(view, 1, 1).column()


# ---- convolution, mask --------------------------------------------------------------------------


def test_conv_shows_the_kernel_and_its_gradient(window, qtbot):
    st = window.state
    combo = find(window, "opSelector")
    combo.setCurrentIndex(combo.findData("conv2d"))
    kernel = find(window, "kernelMatrix")
    grad_w = find(window, "gradWeightMatrix")
    assert kernel.isVisible() and grad_w.isVisible()
    assert not find(window, "maskMatrix").isVisible()
    np.testing.assert_array_equal(kernel.matrix(), st.weight[0, 0])
    assert not grad_w.matrix().any()  # nothing accumulated in the forward phase
    # Editing the kernel changes the output.
    before = st.results.output.copy()
    assert kernel.model.setData(kernel.model.index(0, 0), "5")
    assert st.weight[0, 0, 0, 0] == 5
    assert not np.array_equal(st.results.output, before)
    click(qtbot, window, "stepLast")
    _, gw, _ = engine.conv2d_backward(st.grad_output, st.x, st.weight, *conv_args(st))
    np.testing.assert_allclose(grad_w.matrix(), gw[0, 0], rtol=0, atol=1e-9)
    # Back to max pooling hides them again.
    combo.setCurrentIndex(combo.findData("max_pool2d"))
    assert not kernel.isVisible() and not grad_w.isVisible()


def test_conv_kernel_size_resizes_the_kernel_view(window):
    combo = find(window, "opSelector")
    combo.setCurrentIndex(combo.findData("conv2d"))
    find(window, "kernel_size_spinbox").setValue(3)
    assert find(window, "kernelMatrix").matrix().shape == (3, 2)
    assert window.state.weight.shape == (1, 1, 3, 2)


@pytest.mark.parametrize(("kernel", "stride", "fill"), [(3, 1, None), (2, 1, "ties")])
def test_mask_counts_match_engine_at_end_of_forward(window, qtbot, kernel, stride, fill):
    st = window.state
    if fill:
        combo = find(window, "fill_combobox")
        combo.setCurrentIndex(combo.findData(fill))
        click(qtbot, window, "fillInput")
    find(window, "kernel_size_spinbox").setValue(kernel)
    find(window, "kernel_size_w_spinbox").setValue(kernel)
    find(window, "stride_spinbox").setValue(stride)
    find(window, "stride_w_spinbox").setValue(stride)
    mask = find(window, "maskMatrix")
    assert mask.isVisible()
    assert mask.matrix().sum() == 1  # one window done at step 0
    to_end_of_forward(window)
    expected = engine.max_pool2d_mask(st.x, *pool_args(st), ties=st.params.ties).counts[0, 0]
    np.testing.assert_array_equal(mask.matrix(), expected)
    assert mask.matrix().max() > 1  # overlapping windows share winners


def test_mask_is_hidden_for_average_pooling(window):
    combo = find(window, "opSelector")
    combo.setCurrentIndex(combo.findData("avg_pool2d"))
    assert not find(window, "maskMatrix").isVisible()
    assert not find(window, "kernelMatrix").isVisible()


# ---- data controls ------------------------------------------------------------------------------


def test_multichannel_input_with_plane_selection(window):
    st = window.state
    find(window, "batch_spinbox").setValue(2)
    find(window, "channels_spinbox").setValue(3)
    assert st.x.shape == (2, 3, 8, 8)
    np.testing.assert_array_equal(st.x[0, 0], np.array(DEFAULT_INPUT))  # kept
    show_n, show_c = find(window, "show_n_spinbox"), find(window, "show_c_spinbox")
    assert show_n.maximum() == 1 and show_c.maximum() == 2
    show_n.setValue(1)
    show_c.setValue(2)
    assert st.plane == (1, 2)
    view = find(window, "inputMatrix")
    np.testing.assert_array_equal(view.matrix(), st.x[1, 2])
    to_end_of_forward(window)
    full = engine.max_pool2d(st.x, 2, 2)
    np.testing.assert_array_equal(find(window, "outputMatrix").matrix(), full[1, 2])
    # Editing goes to the shown plane only.
    assert view.model.setData(cell_index(view, 0, 0), "99")
    assert st.x[1, 2, 0, 0] == 99 and st.x[0, 0, 0, 0] == 3
    click_end = st.n_steps - 1
    st.set_step(click_end)
    gx = engine.max_pool2d_backward(st.grad_output, st.x, 2, 2)
    np.testing.assert_array_equal(find(window, "gradInputMatrix").matrix(), gx[1, 2])


def test_multichannel_via_state_set_shape(window):
    st = window.state
    assert st.set_shape(2, 3)
    assert find(window, "channels_spinbox").value() == 3
    assert st.select_plane(0, 1)
    np.testing.assert_array_equal(find(window, "inputMatrix").matrix(), st.x[0, 1])
    assert find(window, "show_c_spinbox").value() == 1


def test_resizing_the_input_with_the_rows_spinbox(window):
    st = window.state
    find(window, "rows_spinbox").setValue(5)
    view = find(window, "inputMatrix")
    assert view.matrix().shape == (5, 8)
    np.testing.assert_array_equal(view.matrix(), np.array(DEFAULT_INPUT)[:5])
    assert st.results.output.shape[2:] == (2, 4)
    assert "6 × 4" not in find(window, "formula").text()
    assert "2 × 4 = 8 windows" in find(window, "formula").text()
    find(window, "cols_spinbox").setValue(10)
    assert view.matrix().shape == (5, 10)
    assert not view.matrix()[:, 8:].any()  # new cells are zeros
    assert st.n_windows == 10


def test_resize_too_small_for_the_kernel_is_refused(window):
    rows = find(window, "rows_spinbox")
    find(window, "kernel_size_spinbox").setValue(3)
    rows.setValue(1)
    assert rows.value() == 8
    assert window.state.x.shape[2:] == (8, 8)
    assert find(window, "paramError").isVisible()


def test_fill_button_fills_the_shown_plane(window, qtbot):
    combo = find(window, "fill_combobox")
    combo.setCurrentIndex(combo.findData("ramp"))
    click(qtbot, window, "fillInput")
    np.testing.assert_array_equal(
        find(window, "inputMatrix").matrix(), np.arange(1, 65).reshape(8, 8)
    )


def test_randomize_with_the_same_seed_gives_the_same_matrix(window):
    st = window.state
    dialog = RandomizeDialog(RandomSpec("int", -5, 5, 7), window)
    assert dialog.spec() == RandomSpec("int", -5, 5, 7)
    dialog.seed_spinbox.setValue(123)
    spec = dialog.spec()
    view = find(window, "inputMatrix")
    assert st.randomize_input(spec)
    first = view.matrix()
    assert st.randomize_input(RandomSpec())  # something else in between
    assert not np.array_equal(view.matrix(), first)
    assert st.randomize_input(dialog.spec())
    np.testing.assert_array_equal(view.matrix(), first)
    assert first.min() >= -5 and first.max() <= 5
    dialog.seed_spinbox.setValue(124)
    assert st.randomize_input(dialog.spec())
    assert not np.array_equal(view.matrix(), first)
    dialog.deleteLater()


@pytest.mark.parametrize("kind", ["uniform", "normal"])
def test_randomize_float_kinds_are_reproducible(window, kind):
    spec = RandomSpec(kind, 0.0, 2.0, 5)
    st = window.state
    st.randomize_input(spec)
    first = find(window, "inputMatrix").matrix()
    st.randomize_input(RandomSpec(kind, 0.0, 2.0, 6))
    st.randomize_input(spec)
    np.testing.assert_array_equal(find(window, "inputMatrix").matrix(), first)


def _accept_dialog_with_seed(seed: int, seen: list) -> None:
    dialog = QApplication.activeModalWidget()
    if not isinstance(dialog, RandomizeDialog):  # not up yet: try again
        QTimer.singleShot(20, lambda: _accept_dialog_with_seed(seed, seen))
        return
    dialog.seed_spinbox.setValue(seed)
    seen.append(dialog.spec())
    dialog.done(QDialog.Accepted)


def test_randomize_button_applies_the_dialog_spec(window, qtbot):
    st = window.state
    results = []
    for _ in range(2):
        seen: list = []
        QTimer.singleShot(0, lambda seen=seen: _accept_dialog_with_seed(31, seen))
        click(qtbot, window, "randomizeInput")
        assert seen, "the randomize dialog never opened"
        np.testing.assert_array_equal(st.x, seen[0].make(st.x.shape))
        results.append(find(window, "inputMatrix").matrix())
    np.testing.assert_array_equal(results[0], results[1])
    assert find(window, "seedLabel").text() == "seed 31"


def test_sample_images_load(window):
    images = sample_images()
    if not images:
        pytest.skip("no sample images in assets/images")
    panel = window.data_panel
    combo = find(window, "sample_combobox")
    assert combo.count() == len(images) + 1
    combo.setCurrentIndex(1)
    panel._on_sample_chosen(1)  # what choosing an entry does (activated signal)
    from visualizer.data import load_image

    expected = load_image(images[0])
    np.testing.assert_array_equal(window.state.x, expected)
    np.testing.assert_array_equal(find(window, "inputMatrix").matrix(), expected[0, 0])


def test_loading_an_image_file(window, tmp_path):
    from PIL import Image

    pixels = (np.arange(90 * 70) % 256).astype(np.uint8).reshape(90, 70)
    path = tmp_path / "ramp.png"
    Image.fromarray(pixels).save(path)
    assert window.data_panel.load_image_file(str(path))
    view = find(window, "inputMatrix")
    np.testing.assert_array_equal(view.matrix(), pixels.astype(float))
    assert view.stack.currentIndex() == 1  # 90 rows: heat map
    assert find(window, "rows_spinbox").value() == 90


def test_loading_a_broken_image_reports_an_error(window, tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"not a png")
    before = window.state.x.copy()
    assert not window.data_panel.load_image_file(str(path))
    np.testing.assert_array_equal(window.state.x, before)
    assert "broken.png" in window.statusBar().currentMessage()


# ---- large inputs -------------------------------------------------------------------------------


def _big_image(n: int = 200) -> np.ndarray:
    return np.add.outer(np.arange(n), 2 * np.arange(n)).astype(float) % 251


def test_a_large_input_switches_views_to_the_heat_map(window):
    st = window.state
    image = _big_image()
    assert st.set_input(image)
    view = find(window, "inputMatrix")
    assert view.stack.currentIndex() == 1
    np.testing.assert_array_equal(view.matrix(), image)
    out = find(window, "outputMatrix")
    assert out.stack.currentIndex() == 1  # 100×100
    assert st.n_windows == 100 * 100
    to_end_of_forward(window)
    np.testing.assert_array_equal(out.matrix(), engine.max_pool2d(image, 2, 2))
    assert find(window, "rows_spinbox").value() == 200
    # Heat-map images hold the same values.
    np.testing.assert_array_equal(view.heatmap.image.image, image)


def test_heat_map_marks_follow_steps_without_new_items(window):
    st = window.state
    st.set_input(_big_image())
    heat = find(window, "inputMatrix").heatmap
    items_before = heat.items()
    st.set_step(101)  # window (1, 1)
    xs, ys = heat.marks.getData()
    assert sorted(zip(ys - 0.5, xs - 0.5, strict=True)) == [(2, 2), (2, 3), (3, 2), (3, 3)]
    assert len(heat.winners.getData()[0]) == 1
    st.set_hover("output", 0, 0)
    st.set_step(5000)
    after = heat.items()  # the same frames moved, none added
    assert len(after) == len(items_before)
    assert all(a is b for a, b in zip(after, items_before, strict=True))


def test_back_to_a_small_input_returns_to_the_table(window):
    st = window.state
    st.set_input(_big_image())
    view = find(window, "inputMatrix")
    assert view.stack.currentIndex() == 1
    assert st.resize_input(8, 8)
    assert view.stack.currentIndex() == 0
    assert view.model.rowCount() == 8 and view.model.columnCount() == 8
    np.testing.assert_array_equal(view.matrix(), _big_image()[:8, :8])
    assert view.model.setData(cell_index(view, 0, 0), "5")  # editable again
    assert st.x[0, 0, 0, 0] == 5


def test_shrinking_a_large_input_with_the_size_spin_boxes(window):
    st = window.state
    st.set_input(_big_image())
    find(window, "rows_spinbox").setValue(8)
    find(window, "cols_spinbox").setValue(8)
    assert st.x.shape[2:] == (8, 8)
    assert find(window, "inputMatrix").stack.currentIndex() == 0


def test_heat_map_cross_hairs_follow_the_current_window(window):
    st = window.state
    st.set_input(_big_image())
    st.set_params(kernel_size=4, stride=4)
    st.set_step(1)  # window (0, 1): rows 0..3, columns 4..7
    heat = find(window, "inputMatrix").heatmap
    horizontal, vertical = heat.guides
    assert horizontal.isVisible() and vertical.isVisible()
    assert horizontal.value() == pytest.approx(2.0)
    assert vertical.value() == pytest.approx(6.0)


def test_heat_map_cross_hairs_stop_at_the_matrix_edges(window, qtbot):
    """Review, session 27: the cross-hair ran across the map's whole box, on into its empty
    margins (a 16×16 output in a tall box: the column line went 115 px on below the
    picture, into white).  The lines, and what a step repaints for them, stay on the
    matrix's cells."""
    from PySide6.QtCore import QRect

    st = window.state
    st.set_input(_big_image())
    st.set_params(kernel_size=4, stride=4)
    st.set_step(1)
    heat = find(window, "inputMatrix").heatmap
    # A box far taller than the square picture, as a lecture row's narrow slot gives.
    heat.resize(200, 600)
    qtbot.wait(10)
    rows, cols = heat._shape[:2]
    picture = heat.cells_rect(0, 0, rows, cols)
    assert picture.height() < heat.height() - 100  # margins above and below to stay out of
    span = heat.guide_span()
    assert span.top() >= picture.top() - 0.5 and span.bottom() <= picture.bottom() + 0.5
    assert span.left() >= picture.left() - 0.5 and span.right() <= picture.right() + 0.5
    reach = heat.REACH
    allowed = picture.toAlignedRect().adjusted(-reach - 1, -reach - 1, reach + 1, reach + 1)
    drawn = heat._drawn_region()
    assert not drawn.isEmpty()
    assert drawn.subtracted(QRect(allowed)).isEmpty(), drawn.boundingRect()

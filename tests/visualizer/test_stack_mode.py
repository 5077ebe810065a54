"""Stack mode in the real window (visualizer/widgets/stack_panel.py): Tools ▸ Layer stack, the
layer list and its parameter controls, the shape table, one view per level, receptive and
projective fields, stepping forward and backward through every layer; undo, sessions and the
second language.  Assertions are on data: the arrays behind the views, controls' values."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QCheckBox, QPushButton, QSpinBox

from engine import (
    format_number,
    projective_field_masks,
    receptive_field_masks,
    stack_backward,
    stack_forward,
)
from visualizer import i18n
from visualizer.model.stack import read_stack_file
from visualizer.resources import asset
from visualizer.session import apply_session, loads, session_from_state
from visualizer.session import dumps as session_dumps
from visualizer.widgets.stack_panel import VIEW_MIN_WIDTH, _pixels, pair_columns


def open_stack(window, qtbot):
    action = window.findChild(QAction, "stack_action")
    assert action is not None and action.isCheckable()
    action.trigger()
    panel = window.stack_panel
    assert window.state.stack_state.is_open
    assert window.centralWidget().currentWidget() is panel
    return panel


def by_layer(window):
    """One step per layer (the stepping these tests were written for)."""
    assert window.state.stack_state.set_stepping("layers")
    assert window.state.stack.stepping == "layers"


def styled(view, style):
    """Cells of ``view`` drawn with highlight ``style`` (matrix coordinates)."""
    return {cell for cell, styles in view.model.styles.items() if style in styles}


def mask_cells(mask):
    return {(int(r), int(c)) for r, c in zip(*np.nonzero(mask), strict=True)}


def test_tools_layer_stack_opens_a_stack_with_one_view_per_level(window, qtbot):
    panel = open_stack(window, qtbot)
    state = window.state
    doc = state.stack
    outputs = stack_forward(doc.x, doc.engine_layers())
    assert len(panel.level_views) == len(doc.layers) + 1 == len(panel.grad_views)
    panel.last_button.click()  # the backward phase shows every level's values
    np.testing.assert_array_equal(panel.level_views[0].matrix(), doc.x[0, 0])
    for level, out in enumerate(outputs, start=1):
        np.testing.assert_array_equal(panel.level_views[level].matrix(), out[0, 0])
    # The shape table: one row per layer after the input, sizes and the recursion.
    table = panel.shapes_table
    assert table.rowCount() == len(doc.layers) + 1
    assert table.item(1, 1).text() == "1×8×8"
    assert table.item(3, 1).text() == "1×4×4"
    assert table.item(3, 2).text() == "4×4" and table.item(3, 3).text() == "2×2"
    assert "= 4" in table.item(3, 4).text()
    # Closing goes back to the single-operation views and keeps the stack; undo reopens it.
    window.findChild(QAction, "stack_action").trigger()
    assert not state.stack_state.is_open and state.stack is not None
    assert window.centralWidget().currentIndex() == 0
    state.undo_stack.undo()
    assert state.stack_state.is_open and window.centralWidget().currentWidget() is panel


def test_layers_are_added_removed_moved_and_edited_through_the_panel(window, qtbot):
    panel = open_stack(window, qtbot)
    state = window.state
    n = len(state.stack.layers)
    panel.layers_list.setCurrentRow(n - 1)
    panel.add_combobox.setCurrentIndex(panel.add_combobox.findData("relu"))
    panel.add_button.click()
    assert [layer.op for layer in state.stack.layers][-1] == "relu"
    assert len(panel.level_views) == n + 2
    panel.layers_list.setCurrentRow(n)
    panel.up_button.click()
    assert [layer.op for layer in state.stack.layers][n - 1 :] == ["relu", "max_pool2d"]
    panel.remove_button.click()  # the moved relu is selected
    assert len(state.stack.layers) == n
    # Parameters: the registry's controls, named stack_<name>_spinbox.
    panel.layers_list.setCurrentRow(0)
    padding = panel.findChild(QSpinBox, "stack_padding_spinbox")
    assert padding is not None and padding.value() == 1
    padding.setValue(0)
    padding.findChild(QSpinBox, "stack_padding_w_spinbox")
    w_box = panel.findChild(QSpinBox, "stack_padding_w_spinbox")
    w_box.setValue(0)
    assert state.stack.layers[0].value("padding") == (0, 0)
    assert panel.level_views[1].matrix().shape == (6, 6)
    assert panel.shapes_table.item(1, 1).text() == "1×6×6"
    kernel = panel.findChild(QSpinBox, "stack_kernel_size_spinbox")
    kernel.setValue(5)  # a convolution's kernel size resizes its weight
    assert state.stack.layers[0].weight.shape == (1, 1, 5, 3)
    state.undo_stack.undo()
    assert state.stack.layers[0].weight.shape == (1, 1, 3, 3)
    assert kernel.value() == 3  # the controls follow undo


def test_an_invalid_layer_is_named_and_the_last_valid_picture_stays(window, qtbot):
    panel = open_stack(window, qtbot)
    state = window.state
    before = panel.level_views[3].matrix().copy()
    panel.layers_list.setCurrentRow(2)  # max_pool2d on the 8×8 output
    kernel = panel.findChild(QSpinBox, "stack_kernel_size_spinbox")
    kernel.setValue(9)
    assert state.stack.layers[2].value("kernel_size") == (2, 2)
    assert kernel.value() == 2  # snapped back
    assert panel.error_label.isVisible()
    assert "layer 3 (max_pool2d)" in panel.error_label.text()
    assert "✗" in panel.shapes_table.item(3, 1).text()
    assert "layer 3" in panel.shapes_table.item(3, 4).text()
    np.testing.assert_array_equal(panel.level_views[3].matrix(), before)


def test_clicking_a_cell_highlights_its_receptive_field_on_every_earlier_level(window, qtbot):
    panel = open_stack(window, qtbot)
    by_layer(window)
    doc = window.state.stack
    panel.level_views[3].sigCellClicked.emit(1, 2)
    masks = receptive_field_masks(doc.engine_layers(), doc.x.shape, (1, 2))
    for level in range(3):
        assert styled(panel.level_views[level], "window") == mask_cells(masks[level])
    assert styled(panel.level_views[3], "current") == {(1, 2)}
    # Input (3×3 conv with padding 1 after a 2×2 pool): rows 1..4, cols 3..6 (clipped).
    assert mask_cells(masks[0]) == {(r, c) for r in range(1, 5) for c in range(3, 7)}


def test_hovering_a_cell_highlights_its_projective_field(window, qtbot):
    panel = open_stack(window, qtbot)
    doc = window.state.stack
    panel.level_views[0].sigCellHovered.emit(0, 0)
    masks = projective_field_masks(doc.engine_layers(), doc.x.shape, (0, 0))
    for level in range(1, 4):
        assert styled(panel.level_views[level], "hover") == mask_cells(masks[level])
    assert mask_cells(masks[3]) == {(0, 0)}
    panel.level_views[0].sigHoverLeft.emit()
    assert all(not styled(view, "hover") for view in panel.level_views)


def test_hovering_cells_works_the_layers_windows_out_once(window, qtbot, monkeypatch):
    """A field's masks came from parsing the layers and making their windows again on every
    move of the mouse (most of their cost); the results keep them."""
    import engine.stack

    panel = open_stack(window, qtbot)
    doc = window.state.stack
    plans = []
    plan = engine.stack._plan
    monkeypatch.setattr(engine.stack, "_plan", lambda *a: plans.append(1) or plan(*a))
    cells = [(0, 0), (1, 2), (3, 1), (2, 2)]
    for cell in cells:
        panel.level_views[0].sigCellHovered.emit(*cell)
    assert len(plans) <= 1
    masks = projective_field_masks(doc.engine_layers(), doc.x.shape, cells[-1])
    for level in range(1, 4):
        assert styled(panel.level_views[level], "hover") == mask_cells(masks[level])
    panel.level_views[2].sigCellClicked.emit(1, 1)
    masks = receptive_field_masks(doc.engine_layers()[:2], doc.x.shape, (1, 1))
    for level in range(2):
        assert styled(panel.level_views[level], "window") >= mask_cells(masks[level])


def test_stepping_goes_forward_layer_by_layer_then_back_through_every_layer(window, qtbot):
    panel = open_stack(window, qtbot)
    by_layer(window)
    st = window.state.stack_state
    doc = window.state.stack
    n = len(doc.layers)
    assert "layer 1 (conv2d)" in panel.step_text_label.toolTip()
    assert panel.level_views[1].dimmed is False and panel.level_views[2].dimmed is True
    panel.next_button.click()
    assert "layer 2 (relu)" in panel.step_text_label.toolTip()
    assert panel.level_views[2].dimmed is False
    panel.next_button.click()
    panel.next_button.click()  # the first backward step: the last layer's gradient
    assert st.cursor.phase == "backward"
    assert "layer 3 (max_pool2d) backward" in panel.step_text_label.toolTip()
    grads = stack_backward(np.ones((1, 1, 4, 4)), doc.x, doc.engine_layers())
    assert not panel.grad_views[n - 1].dimmed and panel.grad_views[0].dimmed
    np.testing.assert_array_equal(panel.grad_views[n - 1].matrix(), grads[n - 1]["input"][0, 0])
    panel.last_button.click()
    assert "layer 1 (conv2d) backward" in panel.step_text_label.toolTip()
    np.testing.assert_array_equal(panel.grad_views[0].matrix(), grads[0]["input"][0, 0])


def test_the_backward_pass_can_start_from_the_clicked_output_cell(window, qtbot):
    panel = open_stack(window, qtbot)
    doc = window.state.stack
    panel.findChild(QCheckBox, "stack_grad_cell_checkbox").setChecked(True)
    panel.level_views[3].sigCellClicked.emit(2, 1)
    assert window.state.stack.grad_cell == (2, 1)
    dy = np.zeros((1, 1, 4, 4))
    dy[0, 0, 2, 1] = 1
    grads = stack_backward(dy, doc.x, doc.engine_layers())
    panel.last_button.click()
    np.testing.assert_array_equal(panel.grad_views[0].matrix(), grads[0]["input"][0, 0])
    np.testing.assert_array_equal(panel.grad_views[3].matrix(), dy[0, 0])
    # Where dX is not zero lies inside the clicked cell's receptive field.
    field = receptive_field_masks(doc.engine_layers(), doc.x.shape, (2, 1))[0]
    assert not np.any(grads[0]["input"][0, 0][~field])


def test_typing_into_the_input_recomputes_every_level(window, qtbot):
    panel = open_stack(window, qtbot)
    panel.level_views[0].sigCellEdited.emit(0, 0, -50.0)
    doc = window.state.stack
    assert doc.x[0, 0, 0, 0] == -50
    panel.last_button.click()
    out = stack_forward(doc.x, doc.engine_layers())
    np.testing.assert_array_equal(panel.level_views[1].matrix(), out[0][0, 0])


def test_a_session_restores_the_stack_and_stack_mode(window, qtbot):
    panel = open_stack(window, qtbot)
    window.state.stack_state.add_layer("relu")
    text = session_dumps(session_from_state(window.state))
    window.findChild(QAction, "stack_action").trigger()
    window.state.stack_state.remove_layer(0)
    session, _raw = loads(text)
    apply_session(window.state, session)
    assert window.state.stack_state.is_open
    assert window.centralWidget().currentWidget() is panel
    assert [layer.op for layer in window.state.stack.layers] == [
        "conv2d", "relu", "max_pool2d", "relu",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["02_lenet_style", "06_global_average_pooling"])
def test_a_stack_preset_is_chosen_from_the_panel(window, qtbot, name):
    panel = open_stack(window, qtbot)
    combo = panel.presets_combobox
    index = next(i for i in range(combo.count()) if name in str(panel.presets[i - 1].path)
                 if i > 0)  # fmt: skip
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    expected = read_stack_file(asset("presets", "stacks", f"{name}.json"))
    assert window.state.stack.same_as(expected)
    assert len(panel.level_views) == len(expected.layers) + 1
    assert panel.explanation_label.text()


def test_stack_mode_speaks_chinese(window, qtbot):
    panel = open_stack(window, qtbot)
    action = window.findChild(QAction, "stack_action")
    try:
        i18n.set_language(i18n.CHINESE)
        assert action.text().replace("&", "") == "层堆叠"
        assert panel.add_button.text() == "添加层"
        assert "第 1 层" in panel.step_text_label.toolTip()
    finally:
        i18n.set_language(i18n.ENGLISH)
    assert panel.add_button.text() == "Add layer"
    assert "layer 1" in panel.step_text_label.toolTip()


def test_step_buttons_are_named(window, qtbot):
    panel = open_stack(window, qtbot)
    for name in ("first", "previous", "next", "last", "backward"):
        assert panel.findChild(QPushButton, f"stack_{name}_button") is not None
    panel.backward_button.click()
    assert window.state.stack_state.cursor.phase == "backward"
    assert Qt.AlignLeft is not None


def test_the_step_keys_step_the_stack_while_it_is_open(window, qtbot):
    panel = open_stack(window, qtbot)
    by_layer(window)
    st = window.state.stack_state
    single_step = window.state.step
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_Right)
    assert st.step == 1 and window.state.step == single_step
    qtbot.keyClick(window, Qt.Key_End)
    assert st.step == st.cursor.n_steps - 1
    qtbot.keyClick(window, Qt.Key_Home)
    assert st.step == 0
    qtbot.keyClick(window, Qt.Key_B)
    assert st.cursor.phase == "backward"
    assert "backward" in panel.step_text_label.toolTip()
    window.findChild(QAction, "stack_action").trigger()  # closed: the keys step the operation
    qtbot.keyClick(window, Qt.Key_Right)
    assert window.state.step == single_step + 1


def test_the_channel_keys_do_not_reach_the_hidden_operation_in_stack_mode(window, qtbot):
    state = window.state
    assert state.set_op("conv2d") is not False
    assert state.set_shape(1, 6) and state.set_out_channels(3)  # O and I have planes to choose
    names = ("nextOutChannelAction", "previousOutChannelAction",
             "nextInChannelsAction", "previousInChannelsAction")  # fmt: skip
    actions = [window.findChild(QAction, name) for name in names]
    assert all(action is not None and action.isEnabled() for action in actions)
    open_stack(window, qtbot)
    out_channel, block = state.out_channel, state.channel_block
    window.activateWindow()
    for key, modifier in ((Qt.Key_O, Qt.NoModifier), (Qt.Key_I, Qt.ShiftModifier)):
        qtbot.keyClick(window, key, modifier)
    assert not any(action.isEnabled() for action in actions)
    assert (state.out_channel, state.channel_block) == (out_channel, block)
    window.findChild(QAction, "stack_action").trigger()  # closed: the keys work again
    assert all(action.isEnabled() for action in actions)


def test_presentation_mode_gives_the_room_the_matrices(window, qtbot):
    panel = open_stack(window, qtbot)
    action = next(a for a in window.findChildren(QAction) if a.objectName() == "presentationAction")
    action.trigger()
    assert not panel.side_panel.isVisible()
    action.trigger()
    assert panel.side_panel.isVisible()


def test_the_side_panel_button_folds_the_layer_controls_too(window, qtbot):
    panel = open_stack(window, qtbot)
    button = next(a for a in window.findChildren(QAction) if a.objectName() == "sidePanelAction")
    button.trigger()  # fold
    assert not panel.side_panel.isVisible()
    button.trigger()  # unfold
    assert panel.side_panel.isVisible()


def test_more_than_four_levels_wrap_into_two_rows(window, qtbot):
    """A LeNet-style stack (7 levels) is laid out 4 + 3, each level's gradient under it."""
    panel = open_stack(window, qtbot)
    combo = panel.presets_combobox
    index = next(i for i in range(1, combo.count()) if "02_lenet" in str(panel.presets[i - 1].path))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    grid = panel.views_grid

    def position(view):
        row, col, _, _ = grid.getItemPosition(grid.indexOf(view))
        return row, col

    assert len(panel.level_views) == 7
    assert [position(v) for v in panel.level_views] == [
        (0, 0), (0, 1), (0, 2), (0, 3), (2, 0), (2, 1), (2, 2)
    ]  # fmt: skip
    assert [position(v) for v in panel.grad_views][4] == (3, 0)


# ---- stepping window by window ----------------------------------------------------------------
def traces(doc, results):
    return [results.trace(k) for k in range(len(doc.layers))]


def test_stepping_by_window_steps_each_layer_as_the_single_operation(window, qtbot):
    """The default: every layer window by window (its engine trace's steps), the current
    window and output cell marked on the layer's input and output levels, the arithmetic line
    naming the layer; the output fills in cell by cell."""
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    doc, results = window.state.stack, st.results
    assert doc.stepping == "windows"
    assert panel.stepping_combobox.currentData() == "windows"
    all_traces = traces(doc, results)
    counts = [len(t) for t in all_traces]
    assert st.cursor.n_steps == 2 * sum(counts) == 2 * (64 + 64 + 16)
    assert panel.step_slider.maximum() == st.cursor.n_steps - 1
    # Layer 3 (max_pool2d), window 5: output cell (1, 1) of the 4×4 output.
    panel.step_slider.setValue(counts[0] + counts[1] + 5)
    assert (st.cursor.layer, st.cursor.window) == (2, 5)
    pool = all_traces[2]
    out = results.outputs[2][0, 0]
    text = panel.step_text_label.toolTip()
    assert text == f"layer 3 (max_pool2d): Y[1, 1] = {pool.forward_step(5).text}"
    assert text.endswith(f"= {format_number(out[1, 1])}")
    step = pool.step("forward", 5)
    window_cells = {c.pos for c in step.cells if c.view == "input" and c.role == "window"}
    assert window_cells == {(2, 2), (2, 3), (3, 2), (3, 3)}
    assert styled(panel.level_views[2], "window") == window_cells
    winners = {c.pos for c in step.cells if c.view == "input" and c.role == "winner"}
    assert winners and styled(panel.level_views[2], "winner") == winners
    assert styled(panel.level_views[3], "current") == {(1, 1)}
    # The output so far: windows 0..5 computed, the others blank.
    shown = panel.level_views[3].matrix()
    np.testing.assert_array_equal(shown.ravel()[:6], out.ravel()[:6])
    assert np.isnan(shown.ravel()[6:]).all()
    # Next: window 6, and the view fills in one more cell.
    panel.next_button.click()
    assert st.cursor.window == 6 and "Y[1, 2]" in panel.step_text_label.toolTip()
    assert not np.isnan(panel.level_views[3].matrix()[1, 2])


def test_a_convolution_window_prints_its_weights_in_its_cells(window, qtbot):
    """As in single-operation mode, each cell of a convolution's window shows its weight."""
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    st.set_step(9)  # layer 1 (conv 3×3, padding 1), output (1, 1): input rows and cols 0..2
    weight = window.state.stack.layers[0].weight[0, 0]
    expected = {(r, c): format_number(weight[r, c]) for r in range(3) for c in range(3)}
    assert panel.level_views[0].model.notes == expected
    st.set_step(64 + 1)  # layer 2 (ReLU): no weights, the input view's notes go
    assert panel.level_views[0].model.notes == {} == panel.level_views[1].model.notes


def test_the_backward_pass_fills_each_gradient_window_by_window(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    doc, results = window.state.stack, st.results
    all_traces = traces(doc, results)
    grads = stack_backward(np.ones((1, 1, 4, 4)), doc.x, doc.engine_layers())
    st.set_phase("backward")  # layer 3 first, window 0
    assert (st.cursor.phase, st.cursor.layer, st.cursor.window) == ("backward", 2, 0)
    assert panel.step_text_label.toolTip().startswith("layer 3 (max_pool2d) backward: ")
    assert "\n" not in panel.step_text_label.toolTip()  # its sentence has the numbers already
    np.testing.assert_array_equal(
        panel.grad_views[2].matrix(), all_traces[2].grad_input_after(0)[0]
    )
    assert panel.grad_views[0].dimmed  # layer 1's gradient: not yet
    # Layer 1 (conv2d), window 9: dX so far, the arithmetic of every cell it adds to.
    st.set_step(st.cursor.start_of("backward", 0) + 9)
    conv = all_traces[0]
    np.testing.assert_array_equal(panel.grad_views[0].matrix(), conv.grad_input_after(9)[0])
    # The later levels' gradients are whole.
    np.testing.assert_array_equal(panel.grad_views[1].matrix(), grads[1]["input"][0, 0])
    text = panel.step_text_label.toolTip()
    assert text.startswith("layer 1 (conv2d) backward: ")
    assert "\ndX[" in text and "dW[" not in text  # no dW view in a stack
    step = conv.step("backward", 9)
    targets = {c.pos for c in step.cells if c.view == "grad_input"}
    assert styled(panel.grad_views[0], "target") == targets
    assert styled(panel.grad_views[1], "current") == {step.out_pos}
    panel.last_button.click()  # the last step: the stack's dX, whole
    np.testing.assert_array_equal(panel.grad_views[0].matrix(), grads[0]["input"][0, 0])


def test_next_row_home_end_and_page_down_step_the_windows(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    assert panel.next_row_button.isVisible()
    panel.next_row_button.click()  # layer 1's 8×8 output: the second row starts at window 8
    assert (st.cursor.layer, st.cursor.window) == (0, 8)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_PageDown)
    assert st.cursor.window == 9
    qtbot.keyClick(window, Qt.Key_End)
    assert st.step == st.cursor.n_steps - 1 == panel.step_slider.value()
    qtbot.keyClick(window, Qt.Key_Home)
    assert st.step == 0 and "layer 1 (conv2d): Y[0, 0] = " in panel.step_text_label.toolTip()


def test_the_receptive_field_still_shows_while_stepping_by_window(window, qtbot):
    panel = open_stack(window, qtbot)
    doc = window.state.stack
    window.state.stack_state.set_phase("backward")
    panel.level_views[3].sigCellClicked.emit(1, 2)
    masks = receptive_field_masks(doc.engine_layers(), doc.x.shape, (1, 2))
    assert styled(panel.level_views[0], "window") >= mask_cells(masks[0])
    assert mask_cells(masks[1]) <= styled(panel.level_views[1], "window")


def test_stepping_to_a_cell_frames_its_receptive_field_until_a_cell_is_clicked(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    doc = window.state.stack
    st.set_step(64 + 64 + 5)  # layer 3 writes output cell (1, 1)
    masks = receptive_field_masks(doc.engine_layers(), doc.x.shape, (1, 1))
    for level in range(3):
        assert styled(panel.level_views[level], "window") == mask_cells(masks[level])
    st.set_phase("backward")  # layer 3 sends back the gradient of output cell (0, 0)
    masks = receptive_field_masks(doc.engine_layers(), doc.x.shape, (0, 0))
    assert styled(panel.level_views[0], "window") == mask_cells(masks[0])
    panel.level_views[1].sigCellClicked.emit(5, 5)  # a click's field wins
    clicked = receptive_field_masks(doc.engine_layers()[:1], doc.x.shape, (5, 5))
    assert styled(panel.level_views[0], "window") == mask_cells(clicked[0])


def test_play_steps_the_windows_and_stops_at_the_end_of_the_forward_pass(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_Space)  # the Step menu's play key plays the stack
    assert panel.play_timer.isActive()
    panel.speed_spinbox.setValue(120)  # two steps a tick
    assert panel.steps_per_tick() == 2
    panel._on_play_timer()
    assert st.step == 2
    st.set_step(st.cursor.n_forward - 2)
    panel._on_play_timer()  # lands on the last forward step, not past it
    assert st.step == st.cursor.n_forward - 1 and st.cursor.phase == "forward"
    qtbot.keyClick(window, Qt.Key_Space)
    assert not panel.play_timer.isActive()


def test_the_stepping_choice_is_saved_undone_and_stepping_by_layer_is_unchanged(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    n = len(window.state.stack.layers)
    index = panel.stepping_combobox.findData("layers")
    panel.stepping_combobox.setCurrentIndex(index)
    panel.stepping_combobox.activated.emit(index)
    assert window.state.stack.stepping == "layers"
    assert st.cursor.n_steps == 2 * n and panel.step_slider.maximum() == 2 * n - 1
    assert not panel.next_row_button.isVisible()
    assert panel.step_text_label.toolTip().startswith("layer 1 (conv2d): 1×8×8 → 1×8×8")
    text = session_dumps(session_from_state(window.state))
    window.state.undo_stack.undo()
    assert window.state.stack.stepping == "windows"
    assert panel.stepping_combobox.currentData() == "windows"
    session, _raw = loads(text)
    apply_session(window.state, session)
    assert window.state.stack.stepping == "layers"
    assert panel.stepping_combobox.currentData() == "layers"


def test_stepping_by_window_speaks_chinese(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    st.set_step(64 + 64 + 1)
    try:
        i18n.set_language(i18n.CHINESE)
        assert panel.step_text_label.toolTip().startswith("第 3 层（max_pool2d）：Y[0, 1] = max(")
        assert panel.stepping_combobox.itemText(0) == "逐窗口"
        assert panel.stepping_combobox.itemText(1) == "逐层"
        st.set_phase("backward")
        assert panel.step_text_label.toolTip().startswith("第 3 层（max_pool2d）反向：")
    finally:
        i18n.set_language(i18n.ENGLISH)
    assert panel.stepping_combobox.itemText(0) == "By window"


def test_the_lecture_layout_shows_the_window_steps(window, qtbot):
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    action = next(a for a in window.findChildren(QAction) if a.objectName() == "presentationAction")
    action.trigger()
    try:
        assert not panel.side_panel.isVisible()
        assert panel.step_text_label.isVisible() and panel.step_label.isVisible()
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key_PageDown)
        assert st.step == 1 and "Y[0, 1]" in panel.step_text_label.toolTip()
        assert styled(panel.level_views[1], "current") == {(0, 1)}
    finally:
        action.trigger()


def test_presentation_mode_folds_the_shape_table_and_enlarges_the_step_text(window, qtbot):
    """The lecture layout of Stack mode: the shape table folded (its button brings it back),
    the counter and the step's arithmetic at lecture size, the level views taller."""
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    st.set_step(1)
    qtbot.wait(10)
    normal_text = panel.step_text_label.font()
    normal_counter = panel.step_label.font()
    normal_height = panel.level_views[0].height()
    assert panel.shapes_table.isVisible() and panel.shapes_button.isChecked()
    action = next(a for a in window.findChildren(QAction) if a.objectName() == "presentationAction")
    action.trigger()
    try:
        qtbot.wait(10)
        assert panel.lecture
        assert not panel.shapes_table.isVisible() and not panel.shapes_button.isChecked()
        assert panel.step_text_label.font().pixelSize() > _pixels(normal_text)
        assert panel.step_label.font().pixelSize() > _pixels(normal_counter)
        # capped by the window's height
        assert panel.step_label.font().pixelSize() <= window.height() * 0.05 + 1
        assert panel.level_views[0].height() > normal_height
    finally:
        action.trigger()
    assert not panel.lecture and panel.shapes_table.isVisible()
    assert panel.step_text_label.font() == normal_text


def test_a_long_step_text_is_drawn_smaller_in_the_lecture_layout(window, qtbot):
    panel = open_stack(window, qtbot)
    action = next(a for a in window.findChildren(QAction) if a.objectName() == "presentationAction")
    action.trigger()
    try:
        qtbot.wait(10)
        label = panel.step_text_label
        short = label.font().pixelSize()
        assert short == panel.lecture_text_pixels()
        label.setText("layer 1 (conv2d): " + " + ".join(["3·0.8"] * 400))
        panel._fit_step_text()
        assert label.font().pixelSize() < short
    finally:
        action.trigger()


def test_pair_columns_gives_the_backward_views_the_largest_room():
    assert pair_columns(7, 1360, 600) == 4  # 2 rows of 4 pairs: 158 px a matrix
    assert pair_columns(7, 1020, 600) == 3  # 4 pairs would be narrower than a view may be
    assert pair_columns(4, 1360, 600) == 2
    assert pair_columns(1, 300, 300) == 1 and pair_columns(0, 300, 300) == 1
    for n in range(1, 12):
        per = pair_columns(n, 1000, 500)
        assert per == 1 or 2 * per * VIEW_MIN_WIDTH <= 1000


def test_backward_phase_puts_each_gradient_beside_its_values(window, qtbot):
    """LeNet-style stack (7 levels): forward 4 + 3 values over their (hidden) gradients;
    backward each level's values and gradient side by side, so two or three rows instead of
    four, and every gradient view gets more than a quarter of the views' height."""
    panel = open_stack(window, qtbot)
    panel.stack_state.load(read_stack_file(asset("presets", "stacks", "02_lenet_style.json")))
    grid = panel.views_grid

    def position(view):
        row, col, _, _ = grid.getItemPosition(grid.indexOf(view))
        return row, col

    assert position(panel.level_views[4]) == (2, 0) and position(panel.grad_views[4]) == (3, 0)
    panel.backward_button.click()
    qtbot.wait(20)
    rows = set()
    for view, grad in zip(panel.level_views, panel.grad_views, strict=True):
        (r, c), (gr, gc) = position(view), position(grad)
        assert (gr, gc) == (r, c + 1)
        assert grad.isVisible()
        rows.add(r)
    assert len(rows) in (2, 3)
    height = panel.views_scroll.viewport().height()
    assert all(g.height() > height / 4 for g in panel.grad_views)
    panel.first_button.click()  # forward again: the forward arrangement
    qtbot.wait(20)
    assert position(panel.grad_views[4]) == (3, 0) and not panel.grad_views[4].isVisible()


def test_backward_lecture_titles_keep_the_operation_on_two_lines(window, qtbot):
    """Issue 12: the LeNet-style stack stepped back in the lecture layout at 1366×768 (each
    level beside its gradient): a level's title "3. max_pool2d  1×14×14" is too wide for its
    view; it goes on two lines ("3. max_pool2d" over "1×14×14") instead of shortening to
    "3.  1×14×14", and every title of the panel is as tall, so that the matrices of a row
    start at one height."""
    window.resize(1366, 768)
    panel = open_stack(window, qtbot)
    panel.stack_state.load(read_stack_file(asset("presets", "stacks", "02_lenet_style.json")))
    action = next(a for a in window.findChildren(QAction) if a.objectName() == "presentationAction")
    action.trigger()
    try:
        panel.backward_button.click()
        qtbot.wait(20)
        ops = [row.op for row in panel.stack_state.results.rows]
        labels = [v.title_label for v in panel.level_views + panel.grad_views]
        wrapped = 0
        for level, view in enumerate(panel.level_views[1:], start=1):
            label = view.title_label
            shown = label.text()
            assert shown in (label.full_text, label.wrapped_text), shown
            assert f"{level}. {ops[level - 1]}" in shown  # the operation is named
            for line in shown.split("\n"):
                assert label.fontMetrics().horizontalAdvance(line) <= label.contentsRect().width()
            wrapped += shown == label.wrapped_text
        assert wrapped  # at this size some titles need two lines
        assert len({label.height() for label in labels if label.isVisible()}) == 1
        assert all(label.lines == 1 or label.text().count("\n") == 1 for label in labels)
    finally:
        action.trigger()


# ---- the normal layout read from the back of the room -------------------------------------------
def choose_preset(panel, name):
    combo = panel.presets_combobox
    index = next(i for i in range(1, combo.count()) if name in str(panel.presets[i - 1].path))
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def test_the_step_text_and_counter_are_as_large_as_the_step_bars(window, qtbot):
    """The stack's step text is the single operation's arithmetic: its font and its note."""
    panel = open_stack(window, qtbot)
    bar = window.step_bar
    assert panel.step_text_label.font().pointSizeF() == bar.arithmetic_label.font().pointSizeF()
    assert panel.step_label.font() == bar.counter_label.font()
    assert panel.step_text_label.styleSheet() == bar.arithmetic_label.styleSheet() != ""
    presentation = next(
        a for a in window.findChildren(QAction) if a.objectName() == "presentationAction"
    )
    presentation.trigger()  # the lecture layout fits the text inside the same note
    assert panel.step_text_label.styleSheet() == bar.arithmetic_label.styleSheet()
    presentation.trigger()
    assert panel.step_text_label.font().pointSizeF() == bar.arithmetic_label.font().pointSizeF()
    assert panel.step_text_label.styleSheet() == bar.arithmetic_label.styleSheet()


def test_the_shape_table_is_no_taller_than_its_rows(window, qtbot):
    """No empty band under the last layer: the views get that height."""
    window.resize(1366, 768)
    panel = open_stack(window, qtbot)
    choose_preset(panel, "03_vgg")
    table = panel.shapes_table
    qtbot.waitUntil(lambda: table.height() == panel.table_content_height())
    assert table.rowCount() == 6
    assert panel.right_split.sizes()[1] == panel.table_content_height()
    header = table.horizontalHeader().height()
    rows = sum(table.rowHeight(r) for r in range(table.rowCount()))
    assert panel.table_content_height() == header + rows + 2 * table.frameWidth()
    choose_preset(panel, "02_lenet")  # a row more: the table grows back
    qtbot.waitUntil(lambda: table.height() == panel.table_content_height())
    assert table.rowCount() == 7


def test_the_hidden_stack_page_does_not_widen_the_window(window, qtbot):
    """Only the page shown sets the window's least width: at 1024x768 the pitfalls dock fits
    beside the single-operation views (the hidden stack page made the window 1086 px wide)."""
    pages = window.centralWidget()
    panel = window.stack_panel
    window.resize(1024, 768)
    window.findChild(QAction, "pitfallsAction").trigger()
    qtbot.waitUntil(lambda: window.pitfalls_dock.isVisible())
    assert pages.minimumSizeHint().width() < panel.minimumSizeHint().width()
    window.resize(1024, 768)
    qtbot.waitUntil(lambda: window.width() == 1024)
    open_stack(window, qtbot)  # shown, the stack page sets it again
    assert pages.minimumSizeHint().width() >= panel.minimumSizeHint().width()


def test_stack_mode_with_the_pitfalls_dock_fits_1024_wide(window, qtbot):
    """The LeNet-style stack with the pitfalls dock open needed a 1165 px wide window (its
    step row: controls and counter on one line), wider than a 1024×768 projector.  The
    counter goes under the controls where both do not fit; it is never cut."""
    from PySide6.QtWidgets import QApplication, QDockWidget

    window.resize(1024, 768)
    panel = open_stack(window, qtbot)
    panel.stack_state.load(read_stack_file(asset("presets", "stacks", "02_lenet_style.json")))
    window.findChild(QDockWidget, "pitfallsDock").show()
    for _ in range(4):
        QApplication.processEvents()
        qtbot.wait(5)
    assert window.minimumSizeHint().width() <= 1024
    assert window.width() == 1024
    row, label = panel.step_row, panel.step_label
    assert row.wrapped() == (row.width() < row.one_line_width())
    assert label.width() >= label.sizeHint().width()
    assert row.rect().contains(label.geometry())
    # Wider: one line again where both fit.
    window.findChild(QDockWidget, "pitfallsDock").hide()
    window.resize(1366, 768)
    for _ in range(4):
        QApplication.processEvents()
        qtbot.wait(5)
    assert row.wrapped() == (row.width() < row.one_line_width())
    assert label.width() >= label.sizeHint().width()


def test_the_levels_are_drawn_at_one_cell_size(window, qtbot):
    """One scale for the figure: a 9×9 input, its 7×7 and 5×5 convolutions are tables at one
    cell size (each level fitted alone drew the 5×5 at 85 px beside the input's 47 px at
    1366×768, as if the stack grew), in the normal and the lecture layout, forward and
    backward; a resize fits them again together."""
    panel = open_stack(window, qtbot)
    combo = panel.presets_combobox
    paths = [str(preset.path) for preset in panel.presets]
    index = 1 + next(i for i, path in enumerate(paths) if "01_two_3x3" in path)
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    qtbot.wait(10)
    qtbot.waitUntil(lambda: not panel._fit_timer.isActive())

    def cells():
        shown = [v for v in panel.level_views + panel.grad_views if v.isVisible()]
        assert all(v.table_at(v.cell) for v in shown)
        return {v.cell for v in shown}, len(shown)

    sizes, shown = cells()
    assert shown == 3 and len(sizes) == 1
    action = next(a for a in window.findChildren(QAction) if a.objectName() == "presentationAction")
    action.trigger()
    qtbot.wait(10)
    qtbot.waitUntil(lambda: not panel._fit_timer.isActive())
    lecture, shown = cells()
    assert shown == 3 and len(lecture) == 1 and lecture != sizes  # refitted to the new room
    panel.last_button.click()  # the backward phase: each level beside its gradient
    qtbot.wait(10)
    qtbot.waitUntil(lambda: not panel._fit_timer.isActive())
    sizes, shown = cells()
    assert shown == 6 and len(sizes) == 1


def test_the_lecture_layout_hides_the_step_controls_and_says_the_lectures_counter(window, qtbot):
    """Review 23: Stack mode in presentation mode kept its stepping row (Backward, Next row,
    By window, the slider, Shapes) and said "step 78/148 (backward)" in a thin font over a
    bare text.  As the single operation's lecture layout: no controls (the keys step), the
    counter "Backward 4 / 74" in the step bar's bold lecture font beside the arithmetic's
    note; Esc brings the controls back."""
    window.resize(1366, 768)
    panel = open_stack(window, qtbot)
    st = window.state.stack_state
    st.set_step(3)
    assert panel.step_label.text() == f"Forward 4 / {st.cursor.n_forward}"
    controls = (panel.step_slider, panel.stepping_combobox, panel.backward_button,
                panel.next_row_button, panel.shapes_button, panel.play_button)  # fmt: skip
    assert all(w.isVisible() for w in controls)
    window.presentation.set_presentation(True, save=False)
    try:
        qtbot.wait(10)
        assert not any(w.isVisible() for w in controls)
        assert not panel.step_row.isVisible()
        label, text = panel.step_label, panel.step_text_label
        assert label.isVisible() and text.isVisible()
        # beside the arithmetic, on its line
        assert label.parentWidget() is text.parentWidget()
        assert label.geometry().right() < text.geometry().left()
        assert label.geometry().bottom() > text.geometry().top()
        bar_font = window.step_bar.counter_label.font()
        assert label.font().bold() == bar_font.bold() is True
        assert abs(label.font().pixelSize() - _pixels(bar_font)) <= 1
        assert text.styleSheet() == window.step_bar.arithmetic_label.styleSheet() != ""
        st.set_phase("backward")
        st.set_step(st.cursor.n_forward + 3)
        assert label.text() == f"Backward 4 / {st.cursor.n_forward}"
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key_Right)  # the keys still step
        assert label.text() == f"Backward 5 / {st.cursor.n_forward}"
        qtbot.keyClick(window, Qt.Key_Escape)  # Esc leaves presentation mode
        qtbot.wait(10)
        assert not window.presentation.presenting
    finally:
        window.presentation.set_presentation(False, save=False)
    qtbot.wait(10)
    assert all(w.isVisible() for w in controls)
    assert panel.step_row.isVisible() and panel.step_label.isVisible()
    assert panel.step_label.parentWidget() is panel.step_row

"""Keys a lecturer uses (issue 10, point 1): a presenter's clicker (PageDown / PageUp, Right /
Left), Home / End, Esc to leave presentation mode, "." to blank the screen; a clicked cell
keeps the keys stepping, and is not painted like a high value."""

from __future__ import annotations

import pytest
from checks import cell_center, click_cell, focus_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QWidget


def focused(window) -> QWidget:
    return QApplication.focusWidget() or window


def stepping_keys_work(qtbot, window) -> None:
    """Right / PageDown go on, Left / PageUp back, End / Home to the ends, Space plays."""
    st = window.state
    start = st.step
    for key, expected in (
        (Qt.Key_Right, start + 1),
        (Qt.Key_PageDown, start + 2),
        (Qt.Key_PageUp, start + 1),
        (Qt.Key_Left, start),
        (Qt.Key_End, st.n_steps - 1),
        (Qt.Key_Home, 0),
    ):
        qtbot.keyClick(focused(window), key)
        assert st.step == expected, key
    qtbot.keyClick(focused(window), Qt.Key_Space)
    assert window.step_bar.timer.isActive()
    qtbot.keyClick(focused(window), Qt.Key_Space)
    assert not window.step_bar.timer.isActive()


# ---- the clicker keys ----------------------------------------------------------------------------


def test_page_down_and_page_up_step_like_right_and_left(window, qtbot):
    focus_window(qtbot, window)
    st = window.state
    qtbot.keyClick(window, Qt.Key_PageDown)
    qtbot.keyClick(window, Qt.Key_PageDown)
    assert st.step == 2
    qtbot.keyClick(window, Qt.Key_PageUp)
    assert st.step == 1
    actions = window.actions_by_name
    assert "PgDown" in [s.toString() for s in actions["nextStepAction"].shortcuts()]
    assert "PgUp" in [s.toString() for s in actions["previousStepAction"].shortcuts()]


def test_clicker_keys_step_in_presentation_mode(window, qtbot):
    focus_window(qtbot, window)
    window.presentation.set_presentation(True, save=False)
    stepping_keys_work(qtbot, window)


@pytest.mark.parametrize("view_name", ["input_view", "kernel_view", "grad_output_view"])
@pytest.mark.parametrize("presenting", [False, True])
def test_a_clicked_cell_keeps_the_keys_stepping(window, qtbot, view_name, presenting):
    st = window.state
    st.set_op("conv2d")
    window.presentation.set_presentation(presenting, save=False)
    if presenting and view_name == "grad_output_view":
        st.set_phase("backward")  # the lecture layout shows dY in the backward phase only
    focus_window(qtbot, window)
    view = getattr(window.views_panel, view_name)
    qtbot.waitUntil(lambda: view.isVisible() and view.table.isVisible())
    click_cell(qtbot, view, 1, 1)  # dY: jumps to that output's step
    assert focused(window) is view.table
    assert st.step < st.n_steps - 2
    stepping_keys_work(qtbot, window)
    assert view.table.state() != view.table.State.EditingState  # no editor opened
    # (Home went back to the forward phase, where the lecture layout does not show dY.)
    assert focused(window) is view.table or not view.isVisible()


# ---- typing numbers in still works ---------------------------------------------------------------


def test_typing_after_a_click_edits_and_then_arrows_move_the_cursor(window, qtbot):
    st = window.state
    focus_window(qtbot, window)
    view = window.views_panel.input_view
    click_cell(qtbot, view, 0, 0)
    table = view.table
    for char in "42":
        qtbot.keyClick(focused(window), char)
    qtbot.keyClick(focused(window), Qt.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
    assert st.x[0, 0, 0, 0] == 42
    assert table.currentIndex().row() == 1  # Enter moves down, like a spreadsheet
    # Typing numbers in: the arrows move the cell cursor, the step stays.
    qtbot.keyClick(table, Qt.Key_Right)
    assert table.currentIndex().column() == 1 and st.step == 0
    qtbot.keyClick(table, Qt.Key_Left)
    assert table.currentIndex().column() == 0 and st.step == 0
    # PageDown is the clicker's: it steps even now.
    qtbot.keyClick(table, Qt.Key_PageDown)
    assert st.step == 1
    # Esc ends the typing; then Right steps again.
    qtbot.keyClick(table, Qt.Key_Escape)
    qtbot.keyClick(table, Qt.Key_Right)
    assert st.step == 2
    # So does a click on a cell.
    for char in "7":
        qtbot.keyClick(focused(window), char)
    qtbot.keyClick(focused(window), Qt.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
    click_cell(qtbot, view, 3, 3)
    qtbot.keyClick(table, Qt.Key_Right)
    assert st.step == 3


def test_presentation_mode_edits_on_double_click_only(window, qtbot):
    st = window.state
    window.presentation.set_presentation(True, save=False)
    focus_window(qtbot, window)
    view = window.views_panel.input_view
    table = view.table
    click_cell(qtbot, view, 0, 0)
    qtbot.keyClick(table, "5")  # no edit: the key is the window's (5: an operation)
    assert table.state() != table.State.EditingState
    assert st.x[0, 0, 0, 0] == 3
    st.set_op("max_pool2d")
    view = window.views_panel.input_view
    table = view.table
    pos = cell_center(view, 0, 0)
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: table.state() == table.State.EditingState)
    editor = QApplication.focusWidget()
    editor.selectAll()
    qtbot.keyClicks(editor, "9")
    qtbot.keyClick(editor, Qt.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
    assert st.x[0, 0, 0, 0] == 9
    window.presentation.set_presentation(False, save=False)
    click_cell(qtbot, view, 0, 1)
    qtbot.keyClick(table, "8")  # out of presentation mode, typing edits again
    qtbot.keyClick(focused(window), Qt.Key_Return)
    qtbot.waitUntil(lambda: table.state() != table.State.EditingState)
    assert st.x[0, 0, 0, 1] == 8


# ---- Esc and "." ---------------------------------------------------------------------------------


def test_escape_leaves_presentation_mode(window, qtbot):
    p = window.presentation
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_Escape)  # not presenting: nothing happens
    assert not p.presenting
    p.presentation_action.trigger()
    assert p.presenting and not window.side_panel.isVisible()
    qtbot.keyClick(window, Qt.Key_Escape)
    assert not p.presenting and not p.presentation_action.isChecked()
    assert window.side_panel.isVisible()


def test_escape_leaves_presentation_mode_from_a_clicked_cell(window, qtbot):
    p = window.presentation
    p.set_presentation(True, save=False)
    focus_window(qtbot, window)
    click_cell(qtbot, window.views_panel.input_view, 2, 2)
    qtbot.keyClick(focused(window), Qt.Key_Escape)
    assert not p.presenting


def test_period_blanks_the_screen_and_back(window, qtbot):
    p = window.presentation
    blank = window.findChild(QWidget, "blankScreen")
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_Period)  # only in presentation mode
    assert not blank.isVisible()
    p.set_presentation(True, save=False)
    qtbot.keyClick(window, Qt.Key_Period)
    assert blank.isVisible() and blank.geometry() == window.rect()
    image = window.grab().toImage()
    assert image.pixelColor(window.width() // 2, window.height() // 2) == QColor(0, 0, 0)
    qtbot.keyClick(focused(window), Qt.Key_Right)  # the clicker still steps behind it
    assert window.state.step == 1
    qtbot.keyClick(focused(window), Qt.Key_Period)
    assert not blank.isVisible()
    # A click lifts it too, and leaving presentation mode always does.
    qtbot.keyClick(window, Qt.Key_Period)
    qtbot.mouseClick(blank, Qt.LeftButton)
    assert not blank.isVisible()
    qtbot.keyClick(window, Qt.Key_Period)
    qtbot.keyClick(window, Qt.Key_Escape)
    assert not blank.isVisible() and not p.presenting


def test_period_types_into_a_cell_outside_presentation_mode(window, qtbot):
    focus_window(qtbot, window)
    view = window.views_panel.input_view
    click_cell(qtbot, view, 0, 0)
    for key in (".", "5"):
        qtbot.keyClick(focused(window), key)
    qtbot.keyClick(focused(window), Qt.Key_Return)
    qtbot.waitUntil(lambda: view.table.state() != view.table.State.EditingState)
    assert window.state.x[0, 0, 0, 0] == 0.5
    assert not window.findChild(QWidget, "blankScreen").isVisible()


# ---- the selected cell ---------------------------------------------------------------------------


def test_a_selected_cell_keeps_its_colour(window, qtbot):
    view = window.views_panel.input_view
    focus_window(qtbot, window)
    click_cell(qtbot, view, 5, 5)
    table = view.table
    assert table.selectionModel().isSelected(view.model.index(5, 5))
    window.state.set_hover(None)  # the mouse rests on it: no hover frames in the way
    expected = view.model.data(view.model.index(5, 5), Qt.BackgroundRole).color()
    rect = table.visualRect(view.model.index(5, 5))
    image = table.viewport().grab().toImage()
    # Inside the cell, off its number and its dotted current-cell frame.
    assert image.pixelColor(rect.left() + 5, rect.top() + 5) == expected
    highlight = table.palette().highlight().color()
    assert image.pixelColor(rect.left() + 5, rect.top() + 5) != highlight


def test_n_jumps_to_the_next_row_of_windows_and_the_lecture_hides_the_button(window, qtbot):
    """A large input offers "Next row" (issue 10, point 7) as a button of the step bar, which
    the lecture layout showed alone under the matrices; the lecture layout now hides it like
    the other stepping buttons, and N (Step menu) jumps to the next row in both layouts."""
    import numpy as np

    focus_window(qtbot, window)
    st = window.state
    st.set_input(np.arange(28 * 28, dtype=float).reshape(28, 28) % 10)  # 14x14 windows
    st.set_step(30)  # row 2, column 2
    bar = window.step_bar
    assert bar.next_row_button.isVisibleTo(window)
    qtbot.keyClick(focused(window), Qt.Key_N)
    assert st.step == 42  # the first window of row 3
    window.presentation.set_presentation(True, save=False)
    assert not bar.next_row_button.isVisibleTo(window)
    st.set_input(np.arange(28 * 28, dtype=float).reshape(28, 28) % 7)  # new results: still hidden
    assert not bar.next_row_button.isVisibleTo(window)
    st.set_step(43)
    qtbot.keyClick(focused(window), Qt.Key_N)
    assert st.step == 56
    window.presentation.set_presentation(False, save=False)
    assert bar.next_row_button.isVisibleTo(window)

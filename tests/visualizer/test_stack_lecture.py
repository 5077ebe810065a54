"""Stack mode's lecture layout (issue 10): the step's arithmetic drawn as the single
operation's (the step bar's rich-text markup, its numbers spelled by engine.format_number, its
box sized by the step bar's rule), and the shape table available in presentation mode (key T,
Tools ▸ Shape table, the views' context menu, the shortcut list).  Assertions are on data:
the label's text and format, fonts' sizes, the table's rows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import QApplication

from engine import format_number
from visualizer.model.stack import read_stack_file
from visualizer.resources import asset
from visualizer.widgets.help_dialog import shortcut_rows
from visualizer.widgets.stack_panel import _pixels
from visualizer.widgets.step_bar import LECTURE_TEXT_READABLE, MIN_LECTURE_TEXT_PX, arithmetic_html

PRESET = "01_two_3x3_one_5x5.json"
SHAPES_KEY = "T"  # the shape table's key (the help's shortcut list names it)


def open_preset(window, qtbot, size=(1366, 768)):
    """Stack mode on the two-3×3-convolutions preset (the issue's), at a lecture screen's size."""
    window.resize(*size)
    doc = read_stack_file(asset("presets", "stacks", PRESET))
    assert window.state.stack_state.load(doc)
    panel = window.stack_panel
    assert window.centralWidget().currentWidget() is panel
    return panel


def presenting(window, qtbot, on=True):
    window.presentation.set_presentation(on, save=False)
    QApplication.processEvents()
    qtbot.wait(10)


def test_the_stack_arithmetic_is_the_step_bars_rich_text_with_format_number(window, qtbot):
    panel = open_preset(window, qtbot)
    st = window.state.stack_state
    st.set_step(62)  # layer 2 (conv2d): Y[2, 3], the window of level 1's rows and cols 2..4
    assert (st.cursor.layer, st.cursor.window) == (1, 13)
    presenting(window, qtbot)
    try:
        label = panel.step_text_label
        plain = st.step_text(panel.channel())
        assert label.textFormat() == Qt.TextFormat.RichText
        assert label.text() == arithmetic_html(plain)  # the single operation's markup
        assert label.toolTip() == plain
        # Its numbers: the window's values, the weights and the sum, each as format_number
        # spells it (the markup keeps each number whole).
        results = st.results
        level1 = results.level(1)[0, 0]
        weight = window.state.stack.layers[1].weight[0, 0]
        y = results.level(2)[0, 0, 2, 3]
        for r in range(3):
            for c in range(3):
                term = f"{format_number(level1[2 + r, 3 + c])}·{format_number(weight[r, c])}"
                assert term in label.text()
        assert label.text().endswith(f"= {format_number(y)}")
        # As large as the single operation's lecture arithmetic (its font grows from the
        # step bar's), and drawn at that size: the sum fits its note.
        bar = window.step_bar
        assert panel.lecture_text_pixels() == int(_pixels(bar._arithmetic_font))
        assert label.font().pixelSize() == panel.lecture_text_pixels()
    finally:
        presenting(window, qtbot, False)
    assert label.text() == arithmetic_html(st.step_text(panel.channel()))  # both layouts


def test_the_backward_arithmetic_gets_a_box_it_is_readable_in(window, qtbot):
    """A convolution's backward step: its sentence over lines of dX updates.  The box is
    sized as the step bar's (for the phase's tallest texts): each layer's first, middle and
    last step is drawn at least at the lecture's readable size, and the box keeps its height
    while stepping."""
    panel = open_preset(window, qtbot, (1024, 768))
    st = window.state.stack_state
    presenting(window, qtbot)
    try:
        st.set_phase("backward")
        label = panel.step_text_label
        # The step bar's readable size (step_bar.readable_font): 18 px at 768.
        readable = max(MIN_LECTURE_TEXT_PX, int(window.height() * LECTURE_TEXT_READABLE))
        heights = set()
        for layer in range(len(window.state.stack.layers)):
            start = st.cursor.start_of("backward", layer)
            count = st.cursor.counts[layer]
            for step in (start, start + (count - 1) // 2, start + count - 1):
                st.set_step(step)
                QApplication.processEvents()
                assert "\ndX[" in st.step_text(), "a step with lines of updates"
                assert label.font().pixelSize() >= readable, (step, label.font().pixelSize())
                heights.add(label.height())
        assert len(heights) == 1
        assert max(heights) <= 0.2 * window.height() + 1  # the matrices keep the rest
    finally:
        presenting(window, qtbot, False)


def test_the_shape_table_toggles_in_presentation_mode(window, qtbot):
    panel = open_preset(window, qtbot)
    st = window.state.stack_state
    st.set_step(62)
    action = window.findChild(QAction, "stack_shapes_action")
    assert action is not None and action.isCheckable() and action.isEnabled()
    assert action.shortcut().toString() == SHAPES_KEY
    # Where it is offered: the Tools menu (so the shortcut list has it), the views' context menu.
    assert action in window.menus["tools"].actions()
    assert any(keys == SHAPES_KEY and text == action.text() for _, text, keys in
               shortcut_rows(window))  # fmt: skip
    assert panel.record_area.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert action in panel.record_area.actions()
    presenting(window, qtbot)
    try:
        table = panel.shapes_table
        assert not table.isVisible() and not action.isChecked()  # folded at first
        window.activateWindow()
        qtbot.keyClick(window, Qt.Key_T)
        QApplication.processEvents()
        assert table.isVisible() and action.isChecked()
        # Its rows: the input, then the stack's layers.
        doc, results = window.state.stack, st.results
        assert table.rowCount() == len(doc.layers) + 1
        assert table.item(0, 1).text() == "×".join(map(str, doc.x.shape[1:]))
        for i, row in enumerate(results.rows, start=1):
            assert table.item(i, 0).text() == f"{i}. {doc.layers[i - 1].op}"
            assert table.item(i, 1).text() == "×".join(map(str, row.output_shape[1:]))
            assert table.item(i, 2).text() == "×".join(map(str, row.receptive_field))
        assert table.item(2, 2).text() == "5×5"  # two 3×3 convolutions: one 5×5
        # Readable: as large as the levels' titles; every row shown, none scrolled away.
        title = panel.level_views[0].title_label.font()
        assert table.font().pixelSize() >= int(_pixels(title))
        qtbot.waitUntil(lambda: table.height() == panel.table_content_height())
        # The matrices keep most of the height.
        assert panel.views_scroll.height() > table.height()
        qtbot.keyClick(window, Qt.Key_T)  # and folds again
        assert not table.isVisible() and not action.isChecked()
        action.trigger()  # the menu or the context menu
        assert table.isVisible()
    finally:
        presenting(window, qtbot, False)
    # The normal layout: the table as the user left it there (shown), at the normal font.
    assert panel.shapes_table.isVisible() and panel.shapes_button.isChecked()
    assert panel.shapes_table.font() == QFont()
    panel.shapes_button.click()
    assert not action.isChecked()


def test_the_shape_table_action_is_off_outside_stack_mode(window, qtbot):
    action = window.findChild(QAction, "stack_shapes_action")
    assert action is not None and not action.isEnabled()
    window.findChild(QAction, "stack_action").trigger()
    assert action.isEnabled()
    assert np.all(window.stack_panel.shapes_table.isVisible() == action.isChecked())

"""What the window shows fits its room at a laptop's or a projector's size (found looking at
the app as a teacher and a student would)."""

from __future__ import annotations

import pytest
from checks import settle


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_max_unpooling_titles_fit_the_window(window, qtbot, size):
    """Max-unpooling shows four views in a row: 'Upstream gradient dY' was clipped to
    'Upstream gradient d' at 1366×768."""
    window.resize(*size)
    assert window.state.set_op("unpool")
    settle(qtbot)
    for view in window.views_panel.views():
        if view.isVisible():
            label = view.title_label
            assert label.fits(label.text()), label.text()


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_long_stack_layers_wrap_in_the_layer_list(window, qtbot, size):
    """05_dilation_grows_exponentially's layers ('conv2d  1→1 kernel_size=3 padding=8
    dilation=8') gave the side panel's layer list a horizontal scroll bar at 1366×768."""
    from PySide6.QtGui import QAction

    from visualizer.model.stack import read_stack_file
    from visualizer.resources import asset

    window.resize(*size)
    window.findChild(QAction, "stack_action").trigger()
    stack = read_stack_file(asset("presets", "stacks", "05_dilation_grows_exponentially.json"))
    assert window.state.stack_state.load(stack)
    settle(qtbot)
    layers = window.stack_panel.layers_list
    assert layers.count() == 4
    assert layers.horizontalScrollBar().maximum() == 0
    for i in range(layers.count()):
        item = layers.item(i)
        assert item.toolTip() == item.text()
        assert layers.visualItemRect(item).width() <= layers.viewport().width()


def test_stack_level_titles_keep_their_shape_at_1024(window, qtbot):
    """02_lenet_style at 1024×768: level titles were cut to '1. conv2d  1×2…', losing the
    shape the stack is about; the short title keeps the level's number and shape."""
    from PySide6.QtGui import QAction

    from visualizer.model.stack import read_stack_file
    from visualizer.resources import asset

    window.resize(1024, 768)
    window.findChild(QAction, "stack_action").trigger()
    stack = read_stack_file(asset("presets", "stacks", "02_lenet_style.json"))
    assert window.state.stack_state.load(stack)
    settle(qtbot)
    panel = window.stack_panel
    results = window.state.stack_state.results
    for level, view in enumerate(panel.level_views):
        label = view.title_label
        assert label.fits(label.text()), label.text()
        if level:
            shape = "×".join(str(n) for n in results.level(level).shape[1:])
            assert shape in label.text(), (label.text(), shape)

"""More input channels than the views show side by side (issue 10, point 5): the block of four
shown is chosen in every layout.  The normal layout has its selector over the planes
(``channel_block_combobox``); the lecture layout (presentation mode), which hides it with the
side panel, shows ``channel_block_bar`` above its rows ("Input channels 4–5 (6 in all)", with
previous and next buttons); the keys I / Shift+I walk through the blocks everywhere."""

from __future__ import annotations

import re

import numpy as np
import pytest
from checks import focus_window, settle
from PySide6.QtCore import Qt

from visualizer import i18n
from visualizer.data import RandomSpec
from visualizer.i18n import CHINESE, ENGLISH
from visualizer.presets import apply_preset, load_preset, presets_dir
from visualizer.widgets.help_dialog import shortcut_rows


def conv_with(window, qtbot, channels: int, out_channels: int = 1) -> None:
    """Preset 09's convolution with ``channels`` input channels (each plane its own values)."""
    st = window.state
    assert apply_preset(st, load_preset(presets_dir() / "09_multichannel_conv.json"))
    assert st.set_out_channels(out_channels)
    assert st.set_shape(1, channels)
    x = np.arange(channels * 16, dtype=float).reshape(1, channels, 4, 4) % 7 + st.x[:, :1]
    assert st.set_input(x)
    assert st.randomize_kernel(RandomSpec("int", -3, 3, 7))
    settle(qtbot)


def present(window, qtbot, size: tuple[int, int]) -> None:
    window.resize(*size)
    settle(qtbot)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)


def shown(window) -> dict[str, np.ndarray]:
    """The lecture's planes on screen, by title."""
    views = window.views_panel.lecture_views()
    return {v.title_label.text(): v.matrix() for v in views if v.isVisibleTo(window)}


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_presentation_mode_offers_the_other_input_channels(window, qtbot, size):
    st, panel = window.state, window.views_panel
    conv_with(window, qtbot, 6)
    present(window, qtbot, size)
    bar = panel.channel_block_bar
    assert not window.data_panel.isVisibleTo(window)  # the side panel's choices are hidden
    assert not panel.channel_block_combobox.isVisibleTo(window)
    assert bar.isVisibleTo(window) and bar.isEnabled()
    for button in (bar.previous_block_button, bar.next_block_button):
        assert button.isVisibleTo(window) and button.isEnabled()
    assert bar.block_label.text() == "Input channels 0–3  (6 in all)"
    assert sorted(t for t in shown(window) if t.startswith("X[")) == [f"X[c={c}]" for c in range(4)]
    # Above the rows, clear of every view, and the views still fit the panel.
    views = [v for v in panel.lecture_views() if v.isVisibleTo(window)]
    top = min(v.mapTo(panel, v.rect().topLeft()).y() for v in views)
    assert bar.mapTo(panel, bar.rect().bottomLeft()).y() < top
    for view in views:
        bottom = view.mapTo(panel, view.rect().bottomLeft()).y()
        assert bottom < panel.height()
        assert not view.table.verticalScrollBar().isVisible()

    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_I)
    settle(qtbot)
    assert st.in_channel == 4 and st.shown_channels() == [4, 5]
    planes = shown(window)
    assert sorted(t for t in planes if t.startswith(("X[", "W["))) == [
        "W[0,4]",
        "W[0,5]",
        "X[c=4]",
        "X[c=5]",
    ]
    for c in (4, 5):
        np.testing.assert_array_equal(planes[f"X[c={c}]"], st.x[0, c])
        np.testing.assert_array_equal(planes[f"W[0,{c}]"], st.weight[0, c])
    assert bar.block_label.text() == "Input channels 4–5  (6 in all)"
    assert bar.isVisibleTo(window)
    # Round after the last block, and back with Shift+I.
    qtbot.keyClick(window, Qt.Key_I)
    assert st.in_channel == 0
    qtbot.keyClick(window, Qt.Key_I, Qt.ShiftModifier)
    assert st.in_channel == 4
    qtbot.keyClick(window, Qt.Key_I, Qt.ShiftModifier)
    assert st.in_channel == 0
    # The bar's own buttons.
    qtbot.mouseClick(bar.next_block_button, Qt.LeftButton)
    settle(qtbot)
    assert st.shown_channels() == [4, 5]
    np.testing.assert_array_equal(shown(window)["X[c=5]"], st.x[0, 5])
    qtbot.mouseClick(bar.previous_block_button, Qt.LeftButton)
    assert st.shown_channels() == [0, 1, 2, 3]
    # Leaving presentation mode: the normal layout's selector, on the same block.
    qtbot.keyClick(window, Qt.Key_I)
    window.presentation.set_presentation(False, save=False)
    settle(qtbot)
    assert not bar.isVisibleTo(window)
    box = panel.channel_block_combobox
    assert box.isVisibleTo(window) and box.currentIndex() == 1


def test_the_backward_arithmetic_follows_the_block_shown(window, qtbot):
    """A backward step writes into every input channel's dX: its lines are those of the
    planes shown, and the block chosen by key brings its own lines (dX[4…], dW[0, 4, …])."""
    st = window.state
    conv_with(window, qtbot, 6)
    present(window, qtbot, (1366, 768))
    st.set_step(st.n_windows + 4)
    settle(qtbot)
    focus_window(qtbot, window)
    qtbot.keyClick(window, Qt.Key_I)
    settle(qtbot)
    assert st.phase == "backward" and st.step == st.n_windows + 4  # the step stays
    # The cells the lines write (after the sentence): dX[c, i, j] and dW[o, c, i, j].
    written = re.findall(r"(d[XW])\[([\d, ]+)\]:", "\n".join(st.step_text().split("\n")[1:]))
    channels = {(name, int(where.split(", ")[0 if name == "dX" else 1])) for name, where in written}
    assert channels == {("dX", 4), ("dX", 5), ("dW", 4), ("dW", 5)}
    planes = shown(window)
    for c in (4, 5):
        np.testing.assert_array_equal(planes[f"dX[c={c}]"], st.grad_input_plane(channel=c))


@pytest.mark.parametrize("channels", [1, 2, 4])
def test_no_choice_where_every_channel_is_shown(window, qtbot, channels):
    st, panel = window.state, window.views_panel
    conv_with(window, qtbot, channels)
    assert st.channel_blocks() == []
    for presenting in (False, True):
        window.presentation.set_presentation(presenting, save=False)
        settle(qtbot)
        assert not panel.channel_block_bar.isVisibleTo(window)
        assert not panel.channel_block_combobox.isVisibleTo(window)
        focus_window(qtbot, window)
        qtbot.keyClick(window, Qt.Key_I)
        assert st.in_channel == 0
    # ... nor once the channels are back to four (the bar leaves the lecture's rows).
    conv_with(window, qtbot, 6)
    assert panel.channel_block_bar.isVisibleTo(window)
    assert st.set_shape(1, 4)
    settle(qtbot)
    assert not panel.channel_block_bar.isVisibleTo(window)
    window.presentation.set_presentation(False, save=False)


def test_a_block_of_one_plane_keeps_its_title_and_the_selector(window, qtbot):
    """Five input channels, one output channel: the second block holds channel 4 alone.  It
    stays a plane titled X[c=4] with the selector over it (the selector went away with the
    planes' group, and X was titled "Input X (4×4)": no way back but the side panel)."""
    st, panel = window.state, window.views_panel
    conv_with(window, qtbot, 5)
    box = panel.channel_block_combobox
    assert [box.itemText(i) for i in range(box.count())] == ["Channels 0–3", "Channel 4"]
    box.activated.emit(1)
    settle(qtbot)
    assert st.in_channel == 4 and st.shown_channels() == [4]
    assert box.isVisibleTo(window) and box.currentIndex() == 1
    assert panel.input_view.title_label.text() == "X[c=4]"
    np.testing.assert_array_equal(panel.input_view.matrix(), st.x[0, 4])
    present(window, qtbot, (1366, 768))
    bar = panel.channel_block_bar
    assert bar.isVisibleTo(window)
    assert bar.block_label.text() == "Input channel 4  (5 in all)"
    assert shown(window)["X[c=4]"].shape == (4, 4)
    window.presentation.set_presentation(False, save=False)


def test_zoomed_in_the_flowing_layout_has_the_choice_too(window, qtbot):
    st, panel = window.state, window.views_panel
    conv_with(window, qtbot, 6)
    window.set_zoom(2.0)
    settle(qtbot)
    assert panel._flowing()
    assert panel.channel_block_bar.isVisibleTo(window)
    qtbot.mouseClick(panel.channel_block_bar.next_block_button, Qt.LeftButton)
    settle(qtbot)
    assert st.shown_channels() == [4, 5]
    titles = [v.title_label.text() for v in panel.flow_views() if v.isVisibleTo(window)]
    assert "X[c=4]" in titles and "X[c=0]" not in titles
    window.set_zoom(1.0)
    settle(qtbot)
    assert not panel.channel_block_bar.isVisibleTo(window)


def test_the_keys_are_in_the_step_menu_and_the_shortcut_list(window):
    step = window.menus["step"].actions()
    names = {a.objectName(): a for a in step}
    assert names["nextInChannelsAction"].shortcut().toString() == "I"
    assert names["previousInChannelsAction"].shortcut().toString() == "Shift+I"
    rows = {(text, keys) for _, text, keys in shortcut_rows(window)}
    assert ("Next input channels", "I") in rows
    assert ("Previous input channels", "Shift+I") in rows


def test_the_bar_speaks_chinese(window, qtbot):
    panel = window.views_panel
    conv_with(window, qtbot, 6)
    i18n.set_language(CHINESE)
    try:
        settle(qtbot)
        assert panel.channel_block_bar.block_label.text() == "输入通道 0–3（共 6 个）"
        assert window.actions_by_name["nextInChannelsAction"].text() == "下一组输入通道"
    finally:
        i18n.set_language(ENGLISH)

"""Which output channel a multi-channel convolution shows (issue 10, point 5): a selector in
the side panel (``out_channel_spinbox``, beside the count of output channels) and the keys O /
Shift+O, which work in the lecture layout too; Y, dY and dW show the chosen channel, their
titles say which (``Output Y[o=4]``), and the steps run over that channel's output cells."""

from __future__ import annotations

import numpy as np
import pytest
from checks import focus_window, settle
from PySide6.QtCore import Qt

import engine
from visualizer import i18n
from visualizer.data import RandomSpec
from visualizer.i18n import CHINESE, ENGLISH

OUT = 6  # more output channels than the views show side by side (PLANES_MAX = 4)


@pytest.fixture
def six_out(window, qtbot):
    """A convolution of a 6×6 input with six output channels, each with its own 2×2 kernel."""
    st = window.state
    assert st.set_op("conv2d")
    assert st.resize_input(6, 6)
    assert st.set_out_channels(OUT)
    assert st.randomize_kernel(RandomSpec("int", -3, 3, 7))
    assert st.weight.shape == (OUT, 1, 2, 2)
    settle(qtbot)
    return window


def full_output(st) -> np.ndarray:
    return engine.conv2d(st.x, st.weight, stride=1, padding=0)


def find(window, name):
    found = window.findChild(object, name)
    assert found is not None, name
    return found


def test_the_side_panel_selector_ranges_over_the_output_channels(six_out):
    st = six_out.state
    box = find(six_out, "out_channel_spinbox")
    assert box.parentWidget() is six_out.data_panel
    assert (box.minimum(), box.maximum(), box.value()) == (0, OUT - 1, 0)
    assert box.isEnabled()
    box.setValue(4)  # widget → state
    assert st.plane == (0, 4) and st.out_channel == 4
    assert st.select_out_channel(2)  # state → widget
    assert box.value() == 2
    assert st.set_out_channels(3)  # the range follows, the value is clamped
    assert box.maximum() == 2 and box.value() == 2
    assert st.set_op("max_pool2d")  # pooling: the channel is "Show n / c"'s
    assert not box.isEnabled()


def test_the_y_view_and_the_step_follow_the_chosen_output_channel(six_out, qtbot):
    st, panel = six_out.state, six_out.views_panel
    full = full_output(st)
    assert not np.array_equal(full[0, 4], full[0, 0])  # the channels differ
    find(six_out, "out_channel_spinbox").setValue(4)
    st.set_step(st.n_windows - 1)
    settle(qtbot)
    np.testing.assert_allclose(panel.output_view.matrix(), full[0, 4])
    # A step writes one cell of channel 4, with channel 4's kernel.
    st.set_step(5)  # window (1, 0) of the 5×5 output
    assert st.highlight().output_cell == (1, 0)
    y = panel.output_view.matrix()
    assert y[1, 0] == full[0, 4, 1, 0]
    assert np.isnan(y[1, 1])  # not computed yet
    taps = st.x[0, 0, 1:3, 0:2].ravel()
    w = st.weight[4, 0].ravel()
    text = st.step_text()
    assert text.startswith(" + ".join(f"{a:g}·{_term(b)}" for a, b in zip(taps, w, strict=True)))
    assert text.endswith(f"= {full[0, 4, 1, 0]:g}")
    # The backward step reads dY of channel 4, and dW is channel 4's slice.
    st.set_phase("backward")
    settle(qtbot)
    np.testing.assert_array_equal(panel.grad_output_view.matrix(), st.grad_output[0, 4])
    st.set_step(st.n_steps - 1)
    settle(qtbot)
    gw = engine.conv2d_backward(st.grad_output, st.x, st.weight, stride=1, padding=0)
    np.testing.assert_allclose(panel.grad_weight_view.matrix(), _grad_weight(gw)[4, 0])


def _term(w: float) -> str:
    return f"({w:g})" if w < 0 else f"{w:g}"


def _grad_weight(grads: tuple[np.ndarray, ...]) -> np.ndarray:
    return grads[1]  # (dX, dW, db)


@pytest.mark.parametrize("presenting", [False, True])
def test_o_and_shift_o_walk_through_the_output_channels(six_out, qtbot, presenting):
    """The lecture layout hides the side panel: its selector is keys there (and here too)."""
    st, panel = six_out.state, six_out.views_panel
    focus_window(qtbot, six_out)
    if presenting:
        six_out.presentation.set_presentation(True, save=False)
        assert not six_out.data_panel.isVisibleTo(six_out)
    st.set_step(st.n_windows - 1)
    full = full_output(st)
    qtbot.keyClick(six_out, Qt.Key_O)
    qtbot.keyClick(six_out, Qt.Key_O)
    assert st.plane[1] == 2
    settle(qtbot)
    np.testing.assert_allclose(panel.output_view.matrix(), full[0, 2])
    assert panel.output_view.title_label.full_text.startswith("Output Y[o=2]")
    qtbot.keyClick(six_out, Qt.Key_O, Qt.ShiftModifier)
    assert st.plane[1] == 1
    for _ in range(2):
        qtbot.keyClick(six_out, Qt.Key_O, Qt.ShiftModifier)
    assert st.plane[1] == OUT - 1  # round past the first
    qtbot.keyClick(six_out, Qt.Key_O)
    assert st.plane[1] == 0
    assert find(six_out, "out_channel_spinbox").value() == 0


def test_the_titles_name_the_output_channel(six_out, qtbot):
    st, panel = six_out.state, six_out.views_panel
    assert st.select_plane(0, 4)
    settle(qtbot)
    assert panel.output_view.title_label.full_text == "Output Y[o=4]  (5×5)"
    assert panel.grad_output_view.title_label.full_text == "Upstream gradient dY[o=4]"
    assert panel.kernel_view.title_label.full_text == "Kernel W  (2×2, W[4,0])"
    assert panel.grad_weight_view.title_label.full_text == "dW[4,0]"
    st.set_phase("backward")
    settle(qtbot)
    assert panel.grad_weight_view.title_label.full_text == "dW[4,0]  so far"
    # dX sums every output channel's terms: it names none.
    assert panel.grad_input_view.title_label.full_text == "Input gradient dX  so far"
    i18n.set_language(CHINESE)
    try:
        settle(qtbot)
        assert panel.output_view.title_label.full_text == "输出 Y[o=4]（5×5）"
        assert panel.grad_output_view.title_label.full_text == "上游梯度 dY[o=4]"
        assert panel.grad_weight_view.title_label.full_text == "dW[4,0]（迄今）"
        # One spelling of the slice in both languages and every title (dW's, the planes').
        assert panel.kernel_view.title_label.full_text == "卷积核 W（2×2, W[4,0]）"
    finally:
        i18n.set_language(ENGLISH)


def test_two_output_channels_shown_side_by_side_name_the_chosen_one_in_y(window, qtbot):
    """Preset 09 (two input and two output channels): Y says which output channel it is."""
    from visualizer.presets import apply_preset, load_preset, presets_dir

    st, panel = window.state, window.views_panel
    assert apply_preset(st, load_preset(presets_dir() / "09_multichannel_conv.json"))
    assert st.select_plane(0, 1)
    settle(qtbot)
    assert panel.output_view.title_label.full_text == "Output Y[o=1]  (3×3)"
    np.testing.assert_allclose(panel.output_view.matrix()[0, 0], full_output(st)[0, 1, 0, 0])
    assert np.isnan(panel.output_view.matrix()[0, 1])


def test_pooling_several_channels_titles_name_the_channel(window, qtbot):
    st, panel = window.state, window.views_panel
    assert st.set_shape(1, 3)
    assert st.select_plane(0, 2)
    settle(qtbot)
    assert panel.input_view.title_label.full_text == "Input X[c=2]  (8×8)"
    assert panel.output_view.title_label.full_text == "Output Y[c=2]  (4×4)"
    assert panel.grad_output_view.title_label.full_text == "Upstream gradient dY[c=2]"
    assert panel.grad_input_view.title_label.full_text == "Input gradient dX[c=2]"
    # The mask is the shown channel's too (it alone named none).
    assert panel.mask_view.title_label.full_text == "Argmax mask[c=2]  (wins per cell)"
    i18n.set_language(CHINESE)
    try:
        settle(qtbot)
        assert panel.mask_view.title_label.full_text == "Argmax 掩码[c=2]（胜出次数）"
    finally:
        i18n.set_language(ENGLISH)
    settle(qtbot)
    st.set_phase("backward")
    settle(qtbot)
    assert panel.grad_input_view.title_label.full_text == "Input gradient dX[c=2]  so far"
    assert st.set_shape(1, 1)  # one channel: no tag
    settle(qtbot)
    assert panel.output_view.title_label.full_text == "Output Y  (4×4)"
    assert panel.mask_view.title_label.full_text == "Argmax mask  (wins per cell)"


def test_six_output_channels_arithmetic_fits_the_column_beside_the_matrices(six_out, qtbot):
    """Every dX cell of a backward step adds a term per output channel: with six, its updates
    (``dX[0, 3]: 0 + 1·3 + 1·1 + 1·(-3) + 1·3 + 1·(-3) + 1·2 = 3``) and the line saying so
    were cut at the right edge of the lecture's column beside the matrices, at its least
    font (13 px).  The sentence now wraps between words, the sums between their terms."""
    from PySide6.QtGui import QTextDocument, QTextOption

    from visualizer.widgets.step_bar import ARITHMETIC_SIDES

    st, bar = six_out.state, six_out.step_bar
    six_out.resize(1024, 768)
    six_out.presentation.set_presentation(True, save=False)
    try:
        st.select_plane(0, 4)
        st.set_step(st.n_windows + 3)
        settle(qtbot)
        assert bar.beside
        text = st.step_text()
        assert "o = 0 to 5" in text and text.count(" + 1·") >= 24
        label = bar.arithmetic_label
        width = label.width() - ARITHMETIC_SIDES
        document = QTextDocument()
        document.setDocumentMargin(0)
        option = document.defaultTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)  # as QLabel wraps
        document.setDefaultTextOption(option)
        document.setDefaultFont(label.font())
        document.setHtml(label.text())
        document.setTextWidth(width)
        assert document.idealWidth() <= width
        assert document.size().height() <= label.height()
        assert "…" not in label.text()
        assert label.font().pixelSize() >= 16  # 13 (the least) before, and cut
        st.set_step(st.n_windows + 9)  # a step later: still whole within the column
        settle(qtbot)
        document.setHtml(label.text())
        assert document.idealWidth() <= width
    finally:
        six_out.presentation.set_presentation(False, save=False)


def test_a_session_opened_on_a_later_output_channel_shows_it_in_the_panel(window, qtbot):
    """The panel set its boxes' values before their ranges: a session of six output channels
    opened on channel 4, after one channel, showed 0 (the old range's top) in "Show n / c"."""
    from visualizer.session import apply_session, session_from_state
    from visualizer.state import AppState

    other = AppState()
    assert other.set_op("conv2d") and other.set_out_channels(OUT)
    assert other.select_plane(0, 4)
    apply_session(window.state, session_from_state(other))
    settle(qtbot)
    assert window.state.plane == (0, 4)
    assert find(window, "show_c_spinbox").value() == 4
    assert find(window, "out_channel_spinbox").value() == 4

"""The Pitfalls dock: wrong implementation beside the correct result, on the state's data.

Assertions are on the matrices behind the views, the framed cells and the texts, never on
pixels.  Expected matrices come from hand-worked values or from the engine's public
functions, never from the panel's own code.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QDockWidget, QLabel, QWidget

import engine
from engine.pitfalls import pitfalls_for, wrong_max_pool2d_zero_padding
from visualizer.widgets.matrix_view import MatrixView


def find(window: QWidget, kind: type, name: str):
    widget = window.findChild(kind, name)
    assert widget is not None, f"no {kind.__name__} named {name!r}"
    return widget


def open_dock(window, qtbot) -> QDockWidget:
    dock = find(window, QDockWidget, "pitfallsDock")
    if not dock.isVisible():
        find(window, QAction, "pitfallsAction").trigger()
    qtbot.waitUntil(dock.isVisible, timeout=2000)
    return dock


def select(window, key: str) -> None:
    combo = find(window, QComboBox, "pitfallSelector")
    index = combo.findData(key)
    assert index >= 0, f"{key} not offered"
    combo.setCurrentIndex(index)


def framed(view: MatrixView, style: str) -> set[tuple[int, int]]:
    return {rc for rc, styles in view._highlight_cells.items() if style in styles}


def views(window) -> tuple[MatrixView, MatrixView]:
    return (
        find(window, MatrixView, "pitfallCorrectMatrix"),
        find(window, MatrixView, "pitfallWrongMatrix"),
    )


def count_text(window) -> str:
    return find(window, QLabel, "pitfallDiffCount").text()


# ---- reachability -------------------------------------------------------------------------------
def test_dock_is_hidden_and_reachable_from_view_menu_and_toolbar(window, qtbot):
    dock = find(window, QDockWidget, "pitfallsDock")
    assert not dock.isVisible()
    action = find(window, QAction, "pitfallsAction")
    assert action in window.menus["view"].actions()
    assert action in window.toolbar.actions()
    assert action.shortcut() == QKeySequence("Ctrl+P")
    assert "Ctrl+P" in action.toolTip()
    action.trigger()
    qtbot.waitUntil(dock.isVisible, timeout=2000)
    assert action.isChecked()
    action.trigger()
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=2000)


def test_shortcut_toggles_the_dock(window, qtbot):
    dock = find(window, QDockWidget, "pitfallsDock")
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key_P, Qt.ControlModifier)
    qtbot.waitUntil(dock.isVisible, timeout=2000)


# ---- selector -----------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["max", "avg", "conv"])
def test_selector_offers_only_pitfalls_of_the_current_op(window, qtbot, op):
    open_dock(window, qtbot)
    assert window.state.set_op(op)
    combo = find(window, QComboBox, "pitfallSelector")
    keys = [combo.itemData(i) for i in range(combo.count())]
    assert keys == [p.key for p in pitfalls_for(op)]
    assert combo.currentIndex() == 0


def test_selection_survives_a_change_of_data_but_not_of_op(window, qtbot):
    open_dock(window, qtbot)
    select(window, "max_backward_equality_mask")
    window.state.set_params(padding=1)
    assert find(window, QComboBox, "pitfallSelector").currentData() == "max_backward_equality_mask"
    window.state.set_op("avg")
    assert find(window, QComboBox, "pitfallSelector").currentData() in (
        "pool_reshape",
        "avg_fixed_divisor",
    )


# ---- what it shows ------------------------------------------------------------------------------
def test_zero_padding_on_negative_input(window, qtbot):
    st = window.state
    open_dock(window, qtbot)
    select(window, "max_zero_padding")
    correct_view, wrong_view = views(window)
    # The default 8×8 input is non-negative and unpadded: the mistake is hidden.
    assert "0 cells differ" in count_text(window)
    assert "padding" in count_text(window)  # how to reveal it
    assert framed(wrong_view, "wrong") == set()

    st.set_input(-np.arange(1, 17, dtype=float).reshape(4, 4))
    st.set_params(padding=1)
    assert_array_equal(correct_view.matrix(), [[-1, -2, -4], [-5, -6, -8], [-13, -14, -16]])
    assert_array_equal(wrong_view.matrix(), [[0, 0, 0], [0, -6, 0], [0, 0, 0]])
    border = {(r, c) for r in range(3) for c in range(3)} - {(1, 1)}
    assert framed(wrong_view, "wrong") == border
    assert framed(correct_view, "target") == border
    assert count_text(window).startswith("8 cells differ")
    explanation = find(window, QLabel, "pitfallExplanation").text()
    assert "−∞" in explanation
    assert "wrong_max_pool2d_zero_padding" in find(window, QLabel, "pitfallFunction").text()


def test_matrices_are_the_engine_and_the_wrong_function_on_the_shown_plane(window, qtbot):
    st = window.state
    rng = np.random.default_rng(3)
    st.set_input(rng.integers(-9, 3, size=(1, 2, 5, 6)).astype(float))
    st.set_params(kernel_size=3, stride=2, padding=1)
    st.select_plane(0, 1)
    open_dock(window, qtbot)
    select(window, "max_zero_padding")
    correct_view, wrong_view = views(window)
    plane = st.x[0, 1]
    assert_array_equal(correct_view.matrix(), engine.max_pool2d(plane, 3, 2, 1))
    assert_array_equal(wrong_view.matrix(), wrong_max_pool2d_zero_padding(plane, 3, 2, 1))
    n = int((correct_view.matrix() != wrong_view.matrix()).sum())
    assert n > 0 and count_text(window).startswith(f"{n} cell")


def test_equality_mask_with_ties(window, qtbot):
    st = window.state
    st.set_input(np.ones((4, 4)))
    open_dock(window, qtbot)
    select(window, "max_backward_equality_mask")
    correct_view, wrong_view = views(window)
    # dY = 1 everywhere; PyTorch: top-left of each 2×2 block gets 1; the mask: all four do.
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    assert_array_equal(correct_view.matrix(), expected)
    assert_array_equal(wrong_view.matrix(), np.ones((4, 4)))
    assert count_text(window).startswith("12 cells differ")
    assert "dX" in wrong_view.title_label.text()


def test_reshape_drops_what_ceil_mode_keeps(window, qtbot):
    st = window.state
    st.set_input(np.arange(1, 26, dtype=float).reshape(5, 5))
    st.set_params(ceil_mode=True)
    open_dock(window, qtbot)
    select(window, "pool_reshape")
    correct_view, wrong_view = views(window)
    assert_array_equal(correct_view.matrix(), [[7, 9, 10], [17, 19, 20], [22, 24, 25]])
    assert_array_equal(wrong_view.matrix(), [[7, 9], [17, 19]])
    # Missing cells count as differing: the last row and column of the correct output.
    missing = {(2, 0), (2, 1), (2, 2), (0, 2), (1, 2)}
    assert framed(correct_view, "target") == missing
    assert framed(wrong_view, "wrong") == set()
    assert count_text(window).startswith("Shapes differ (3×3 vs 2×2): 5 cells differ")


def test_conv_bias_uses_the_shown_output_channel(window, qtbot):
    st = window.state
    st.set_op("conv")
    st.set_input(np.arange(9, dtype=float).reshape(3, 3))
    st.set_params(bias=1.0)
    open_dock(window, qtbot)
    select(window, "conv_bias_per_product")
    correct_view, wrong_view = views(window)
    assert_array_equal(correct_view.matrix(), [[20, 26], [38, 44]])
    assert_array_equal(wrong_view.matrix(), [[23, 29], [41, 47]])  # 3 extra biases each
    # Every cell differs: the count says so and no frame hides the colours.
    assert count_text(window) == "All 4 cells differ"
    assert framed(wrong_view, "wrong") == framed(correct_view, "target") == set()
    st.set_out_channels(2)  # a second output channel whose kernel is all ones
    st.select_plane(0, 1)
    # 0+1+3+4 + 1 = 9; per product: + 3 more
    assert correct_view.matrix()[0, 0] == 9 and wrong_view.matrix()[0, 0] == 12


def test_state_pitfall_result_and_its_refusals(window):
    st = window.state
    correct, wrong = st.pitfall_result("max_backward_ignores_stride")
    assert correct.shape == wrong.shape == st.x.shape[2:]
    with pytest.raises(ValueError, match="applies to conv, not to 'max'"):
        st.pitfall_result("conv_bias_per_product")
    with pytest.raises(ValueError, match="must be one of"):
        st.pitfall_result("nonsense")


def test_hidden_dock_catches_up_when_shown(window, qtbot):
    st = window.state
    open_dock(window, qtbot)
    select(window, "max_zero_padding")
    find(window, QAction, "pitfallsAction").trigger()
    qtbot.waitUntil(lambda: not find(window, QDockWidget, "pitfallsDock").isVisible())
    st.set_input(-np.ones((4, 4)))
    st.set_params(padding=1)
    open_dock(window, qtbot)
    _, wrong_view = views(window)
    assert_array_equal(wrong_view.matrix(), [[0, 0, 0], [0, -1, 0], [0, 0, 0]])


def test_undo_updates_the_comparison(window, qtbot):
    st = window.state
    open_dock(window, qtbot)
    select(window, "max_backward_ignores_stride")
    assert not count_text(window).startswith("0 ")  # stride 2 on the default input
    st.set_params(stride=1)
    assert count_text(window).startswith("0 cells differ")
    st.undo_stack.undo()
    assert not count_text(window).startswith("0 ")


def test_titles_shorten_together_instead_of_being_cut(window, qtbot):
    """At 1024x768 with the code and preset docks open too, "Correct Y  (4×4)" was cut to
    "Correct Y  (4×…" while "Wrong Y  (4×4)" fitted.  Where the longer of the two titles does
    not fit, both drop their shape (the tables' numbers show it), and neither is cut."""
    window.resize(1024, 768)
    for name in ("codeDock", "presetDock"):
        find(window, QDockWidget, name).show()
    open_dock(window, qtbot)
    qtbot.wait(50)
    correct, wrong = views(window)
    labels = (correct.title_label, wrong.title_label)
    for narrow in (False, True):  # the window's layout, then titles narrower than the longer
        if narrow:
            advance = labels[0].fontMetrics().horizontalAdvance
            width = max(advance("Correct Y"), advance("Wrong Y")) + 2
            assert width < max(advance(lb.full_text) for lb in labels)
            for lb in labels:
                lb.resize(width + lb.width() - lb.contentsRect().width(), lb.height())
        shown = [lb.text() for lb in labels]
        assert not any("…" in text for text in shown), shown
        for lb in labels:
            assert lb.fontMetrics().horizontalAdvance(lb.text()) <= lb.contentsRect().width()
        assert (shown[0] == labels[0].full_text) == (shown[1] == labels[1].full_text), shown
    assert [lb.text() for lb in labels] == ["Correct Y", "Wrong Y"]

"""Lecture presets: every shipped file validates and shows its documented numbers; broken files
are refused with a clear message before the state changes; loading is one undoable edit.

Expected outputs are written out by hand (with the arithmetic in comments where short), never
computed by the engine under test.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMenu, QToolButton

import engine
from visualizer.presets import (
    PRESET_FORMAT,
    apply_preset,
    list_presets,
    load_preset,
    presets_dir,
)
from visualizer.resources import asset
from visualizer.state import DEFAULT_INPUT, AppState

# ---- the documented numbers ---------------------------------------------------------------------
EXPECTED_OUTPUT = {
    # (3 + 12 + 8 + 5) / 4 = 7, (7 + 1 + 19 + 11) / 4 = 9.5, ...
    "01_mean_pool_8x8": [
        [7, 9.5, 9.75, 7],
        [9, 8.75, 8.25, 10.25],
        [9.25, 7.75, 9.75, 7.75],
        [8.25, 11.25, 10.5, 6.75],
    ],
    "02_max_pool_4x4": [[6, 8], [14, 16]],
    # 0·0 + 1·1 + 3·2 + 4·3 = 19
    "03_conv_3x3": [[19, 25], [37, 43]],
    # left minus right neighbour: +1 where white (1) meets black (0), −1 back
    "04_edge_detection": [[0, 1, 0, 0, 0, -1, 0]] * 6,
    "05_overlapping_max_ties": [[6, 7], [6, 7]],
    "06_negative_padding": [[-1, -2, -4], [-5, -6, -8], [-13, -14, -16]],
    # rows {0,1}, {3,4}, {6}; columns {0,1}, {3,4}: bottom-right real cell of each window
    "07_ceil_mode_dropped_window": [[8, 11], [26, 29], [38, 41]],
    # taps 2 apart: the first window reads 3, 7, 13, 4
    "08_dilation": [[13, 16, 15, 16], [19, 20, 19, 14], [14, 16, 10, 19], [15, 20, 17, 12]],
    # channel 0: diagonals of both input windows; channel 1: anti-diagonal of input 0 minus
    # the diagonal of input 1, e.g. (0 + 2) − (2 + 3) = −3 at the bottom right
    "09_multichannel_conv": [
        [[2, 6, 4], [3, 4, 3], [8, 4, 7]],
        [[2, 0, 2], [0, 1, 3], [-2, 2, -3]],
    ],
    # each input cell stamps 3×3 ones, stride 2; the centre collects 1 + 2 + 3 + 4
    "10_transposed_conv_upsampling": [
        [1, 1, 3, 2, 2],
        [1, 1, 3, 2, 2],
        [4, 4, 10, 6, 6],
        [3, 3, 7, 4, 4],
        [3, 3, 7, 4, 4],
    ],
    # the maxima 5, 8, 7, 9 back at their indices 1, 6, 9, 15; zeros elsewhere
    "11_pool_then_unpool": [[0, 5, 0, 0], [0, 0, 8, 0], [0, 7, 0, 0], [0, 0, 0, 9]],
    # (1 + … + 16) / 16
    "12_global_average_pooling": [[8.5]],
    # windows [0, 2), [1, 4), [3, 5) on both axes; the middle one averages a 3×3 block
    "13_adaptive_windows": [[3, 4.5, 6], [10.5, 12, 13.5], [18, 19.5, 21]],
    # √(1 + 4 + 9 + 16), √(25 + 1 + 0 + 4), √(1 + 1 + 1 + 1), √(4·36)
    "14_lp_pooling": [[np.sqrt(30), np.sqrt(30)], [2, 12]],
}


def preset_path(key: str) -> Path:
    return asset("presets", f"{key}.json")


def raw(key: str) -> dict:
    return json.loads(preset_path(key).read_text(encoding="utf-8"))


def write_preset(tmp_path: Path, data: object, name: str = "custom.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
    return path


def minimal(**changes: object) -> dict:
    data = {
        "format": PRESET_FORMAT,
        "version": 1,
        "title": "A test preset",
        "explanation": "Two by two.",
        "op": "max",
        "params": {"kernel_size": 2},
        "input": [[1, 2, 3, 4], [5, 6, 7, 8]],
    }
    data.update(changes)
    return data


# ---- shipped files ------------------------------------------------------------------------------
def test_presets_live_in_assets():
    assert presets_dir() == asset("presets")
    names = [p.stem for p in list_presets()]
    assert names == sorted(EXPECTED_OUTPUT)  # every shipped preset has documented numbers


@pytest.mark.parametrize("path", list_presets(), ids=lambda p: p.stem)
def test_every_shipped_preset_loads_and_shows_its_numbers(qapp, path):
    preset = load_preset(path)
    assert preset.title and preset.explanation
    assert "\n" not in preset.explanation and len(preset.explanation) < 700  # one paragraph
    state = AppState()
    assert apply_preset(state, preset), state.error
    assert state.op == preset.op
    expected = np.array(EXPECTED_OUTPUT[path.stem], dtype=float)
    assert_array_equal(state.results.output[0].squeeze(), expected.squeeze())
    assert state.error is None


def test_textbook_numbers_straight_from_the_engine():
    ramp = np.arange(1, 17, dtype=float).reshape(4, 4)
    assert_array_equal(engine.max_pool2d(ramp, 2, 2), [[6, 8], [14, 16]])
    x = np.arange(9, dtype=float).reshape(3, 3)
    assert_array_equal(engine.conv2d(x, np.array([[0.0, 1], [2, 3]])), [[19, 25], [37, 43]])
    preset = load_preset(preset_path("01_mean_pool_8x8"))
    assert_array_equal(preset.x[0, 0], DEFAULT_INPUT)
    assert_array_equal(engine.avg_pool2d(preset.x[0, 0], 2, 2), EXPECTED_OUTPUT["01_mean_pool_8x8"])
    bw = load_preset(preset_path("04_edge_detection"))
    assert_array_equal(bw.x[0, 0, :, 2:6], 0)
    assert_array_equal(np.delete(bw.x[0, 0], [2, 3, 4, 5], axis=1), 1)


def test_explanations_quote_the_right_numbers():
    assert "[[6, 8], [14, 16]]" in raw("02_max_pool_4x4")["explanation"]
    assert "[[19, 25], [37, 43]]" in raw("03_conv_3x3")["explanation"]
    assert "(3 + 12 + 8 + 5) / 4 = 7" in raw("01_mean_pool_8x8")["explanation"]
    assert "[[8, 11], [26, 29], [38, 41]]" in raw("07_ceil_mode_dropped_window")["explanation"]
    assert "1 + 2 + 3 + 4 = 10" in raw("10_transposed_conv_upsampling")["explanation"]
    assert "(1 + 2 + … + 16) / 16 = 8.5" in raw("12_global_average_pooling")["explanation"]
    assert "[0, 2), [1, 4) and [3, 5)" in raw("13_adaptive_windows")["explanation"]
    assert "√(1 + 4 + 9 + 16) = 5.48" in raw("14_lp_pooling")["explanation"]


def test_the_lesson_of_each_preset_is_in_its_data():
    ties = load_preset(preset_path("05_overlapping_max_ties"))
    p = ties.params
    assert p.kernel_size == (3, 3) and p.stride == (2, 2)  # overlapping windows
    state = AppState()
    apply_preset(state, ties)
    assert state.phase == "backward" and state.window_index == 0  # "step": 4
    # The first maximum wins each window; the 7 at (2, 4) wins two windows.
    expected = np.zeros((5, 5))
    expected[0, 2] = expected[2, 0] = 1
    expected[2, 4] = 2
    assert_array_equal(state.results.grad_input[0, 0], expected)
    assert not np.array_equal(
        engine.max_pool2d_backward(np.ones((2, 2)), ties.x[0, 0], 3, 2, ties="all"), expected
    )  # ties really are there

    negative = load_preset(preset_path("06_negative_padding"))
    assert (negative.x < 0).all() and negative.params.padding == (1, 1)
    assert negative.op == "max_pool2d"

    ceil = load_preset(preset_path("07_ceil_mode_dropped_window"))
    p = ceil.params
    assert p.ceil_mode
    h, w = ceil.x.shape[2:]
    naive = [
        int(np.ceil((size - k) / s)) + 1
        for size, k, s in zip((h, w), p.kernel_size, p.stride, strict=True)
    ]
    assert ceil.out_size[1] == naive[1] - 1  # the last column window is dropped
    assert ceil.out_size[0] == naive[0]  # the last row window is kept, partial

    assert load_preset(preset_path("08_dilation")).params.dilation == (2, 2)
    multi = load_preset(preset_path("09_multichannel_conv"))
    assert multi.weight is not None and multi.weight.shape == (2, 2, 2, 2)
    assert multi.x.shape == (1, 2, 4, 4)


# ---- malformed files ----------------------------------------------------------------------------
MALFORMED = [
    (["not", "an", "object"], "the file must hold a JSON object, not list"),
    (minimal(format="something-else"), 'is not a preset \\("format" must be'),
    (minimal(version=2), "version 2 is not supported"),
    (minimal(kernal=[[1]]), "unknown field\\(s\\) 'kernal'"),
    ({k: v for k, v in minimal().items() if k != "title"}, '"title" is missing'),
    (minimal(explanation="  "), '"explanation" must be a non-empty string'),
    (minimal(op="min"), "\"op\" \\('min'\\) must be one of 'max', 'avg', 'conv'"),
    (minimal(input=[[1, 2], [3]]), '"input" must be rectangular'),
    (minimal(input=[[1, "2"], [3, 4]]), "\"input\" must hold only numbers; found '2'"),
    (minimal(input=[[True, 1], [1, 1]]), '"input" must hold only numbers; found True'),
    (minimal(input=[1, 2, 3]), '"input" must have shape \\(H, W\\)'),
    (minimal(op="conv"), '"kernel" is required for op "conv"'),
    (
        minimal(op="conv", input=[[[1, 2], [3, 4]], [[1, 2], [3, 4]]], kernel=[[1]]),
        'a 2-D "kernel" needs a one-channel input',
    ),
    (
        minimal(op="conv", kernel=[[1, 2]], params={"kernel_size": 2}),
        'params "kernel_size" \\(2, 2\\) does not match the kernel\'s shape \\(1, 2\\)',
    ),
    (
        minimal(params={"kernel_size": 2, "ceil_mode": "yes"}),
        'params "ceil_mode" must be true or false',
    ),
    (
        minimal(params={"kernel_size": [2, 2, 2]}),
        'params "kernel_size" .* must be an integer or a pair',
    ),
    (minimal(params={"kernel_size": 2, "strid": 1}), "unknown params 'strid'"),
    (
        minimal(params={"kernel_size": 2, "stride": 0}),
        "invalid params for this input: stride \\(0\\) must be greater than zero",
    ),
    (minimal(params={"kernel_size": 3}), "invalid params for this input: "),
    (
        minimal(params={"kernel_size": 2, "ties": "last"}),
        "params \"ties\" \\('last'\\) must be one of",
    ),
    (minimal(bias=[1, 2]), '"bias" must be a number or null'),
    (
        minimal(grad_output=[[1, 1, 1]]),
        '"grad_output" has shape \\(1, 1, 1, 3\\), but the output has shape \\(1, 1, 1, 2\\)',
    ),
    (minimal(step=4), '"step" \\(4\\) must be an integer in 0..3'),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_presets_are_refused_with_a_clear_message(tmp_path, data, message):
    path = write_preset(tmp_path, data, "broken.json")
    with pytest.raises(ValueError, match=f"^broken.json: {message}"):
        load_preset(path)


def test_truncated_file_names_the_file_and_the_place(tmp_path):
    text = preset_path("02_max_pool_4x4").read_text(encoding="utf-8")
    path = write_preset(tmp_path, text[: len(text) // 2], "half.json")
    with pytest.raises(
        ValueError, match=r"^half.json: not valid JSON — .* at line \d+, column \d+"
    ):
        load_preset(path)


def test_missing_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match=r"^nowhere\.json: cannot be read"):
        load_preset(tmp_path / "nowhere.json")


def test_minimal_preset_defaults_follow_pytorch(tmp_path):
    pool = load_preset(write_preset(tmp_path, minimal()))
    assert pool.params.stride == (2, 2)  # pooling: stride defaults to the kernel
    conv = load_preset(write_preset(tmp_path, minimal(op="conv", kernel=[[1, 2]], params={})))
    assert conv.params.stride == (1, 1) and conv.params.kernel_size == (1, 2)


# ---- into the state -----------------------------------------------------------------------------
def test_apply_preset_is_one_undoable_edit(qapp):
    state = AppState()
    before = state.snapshot()
    depth = state.undo_stack.count()
    assert apply_preset(state, load_preset(preset_path("03_conv_3x3")))
    assert state.op == "conv2d"
    assert state.undo_stack.count() == depth + 1
    assert state.undo_stack.undoText() == "Load preset: Convolution of 0…8 with [[0, 1], [2, 3]]"
    state.undo_stack.undo()
    assert state.op == before.op and state.params == before.params
    assert_array_equal(state.x, before.x)
    assert_array_equal(state.weight, before.weight)


def test_grad_output_of_a_preset_is_used(qapp, tmp_path):
    dy = [[2, -1]]
    state = AppState()
    assert apply_preset(state, load_preset(write_preset(tmp_path, minimal(grad_output=dy))))
    assert_array_equal(state.grad_output[0, 0], dy)
    # dX: each window's gradient goes to its maximum (6 and 8 in the bottom row)
    assert_array_equal(state.results.grad_input[0, 0], [[0, 0, 0, 0], [0, 2, 0, -1]])


def test_multichannel_pooling_preset_still_switches_to_convolution(qapp, tmp_path):
    data = minimal(input=[[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[0, 0], [0, 1]]])
    state = AppState()
    assert apply_preset(state, load_preset(write_preset(tmp_path, data)))
    assert state.weight.shape[1] == 3
    assert state.set_op("conv"), state.error


# ---- the GUI ------------------------------------------------------------------------------------
def test_presets_menu_sits_before_help_with_every_preset(window):
    bar_actions = window.menuBar().actions()
    titles = [a.text() for a in bar_actions]
    assert titles.index("&Presets") == titles.index("&Help") - 1
    menu = window.menus["presets"]
    menu.aboutToShow.emit()  # the entries are named as the menu opens
    texts = [a.text() for a in menu.actions()]
    for path in list_presets():
        assert load_preset(path).title in texts


def test_preset_files_are_read_when_the_menu_first_opens(qtbot, monkeypatch):
    # Not before the window's first paint (each launch read and checked all 14 files, one of
    # them by running a transposed convolution); once, however often the menu opens.
    import visualizer.widgets.presets_dock as presets_dock
    from visualizer.main_window import MainWindow

    read: list[Path] = []

    def counted(path: str | Path) -> object:
        read.append(Path(path))
        return load_preset(path)

    monkeypatch.setattr(presets_dock, "load_preset", counted)
    win = MainWindow()
    qtbot.addWidget(win)
    assert read == []
    menu = win.menus["presets"]
    action = win.presets.preset_actions["02_max_pool_4x4"]
    menu.aboutToShow.emit()
    assert sorted(read) == list_presets()
    assert action.text() == load_preset(action.data()).title
    menu.aboutToShow.emit()
    assert len(read) == len(list_presets())


def test_a_preset_opened_before_the_window_shows_gets_a_dock_as_high_as_its_text(qtbot):
    """``main.py preset.json`` loads the preset before the window is shown, when resizeDocks
    does not hold: the dock kept its 160 px cap for a 3-line paragraph at 1366×768 and pushed
    the Output size text out of the side panel."""
    from PySide6.QtWidgets import QApplication

    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.presets.load(preset_path("07_ceil_mode_dropped_window"))
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    for _ in range(3):
        QApplication.processEvents()
    dock = win.presets.dock
    text = dock.explanation_label.heightForWidth(dock.width() - 24)
    assert dock.isVisible() and text < 100  # a few lines at this width
    assert dock.height() <= text + 50


def test_toolbar_button_opens_the_presets_menu(window):
    action = window.presets.tool_action
    assert action in window.toolbar.actions()
    assert action.menu() is window.menus["presets"]
    button = window.toolbar.widgetForAction(action)
    assert isinstance(button, QToolButton)
    assert button.popupMode() == QToolButton.InstantPopup
    assert action.toolTip()


def test_loading_from_the_menu_changes_state_shows_explanation_and_undoes(window, qtbot):
    st = window.state
    before_x = st.x.copy()
    dock = window.findChild(QDockWidget, "presetDock")
    assert dock is not None and not dock.isVisible()
    action = window.presets.preset_actions["02_max_pool_4x4"]
    assert action in window.menus["presets"].actions()
    action.trigger()
    assert_array_equal(st.x[0, 0], np.arange(1, 17).reshape(4, 4))
    assert_array_equal(st.results.output[0, 0], [[6, 8], [14, 16]])
    assert dock.isVisible()
    label = window.findChild(QLabel, "presetExplanation")
    assert label.wordWrap()
    assert "Max pooling 2×2 on 1…16" in label.text()
    assert "bottom-right corner" in label.text()

    changed = window.findChild(QLabel, "presetChanged")
    assert not changed.isVisible()
    st.set_input_cell(0, 0, 100)
    assert changed.isVisible()  # the explanation no longer matches the numbers
    st.undo_stack.undo()
    assert not changed.isVisible()

    window.undo_action.trigger()  # Edit ▸ Undo takes the whole preset back
    assert_array_equal(st.x, before_x)
    st.undo_stack.redo()
    assert_array_equal(st.results.output[0, 0], [[6, 8], [14, 16]])


def test_broken_file_leaves_state_untouched(window, tmp_path):
    st = window.state
    before = st.snapshot()
    depth = st.undo_stack.count()
    text = preset_path("03_conv_3x3").read_text(encoding="utf-8")
    path = write_preset(tmp_path, text[:-40], "cut.json")
    assert not window.presets.load(path)
    assert st.op == before.op and st.params == before.params
    assert_array_equal(st.x, before.x)
    assert st.undo_stack.count() == depth
    assert "cut.json: not valid JSON" in window.statusBar().currentMessage()
    assert not window.findChild(QDockWidget, "presetDock").isVisible()


def test_broken_shipped_file_is_listed_but_disabled(qtbot, tmp_path, monkeypatch):
    good = write_preset(tmp_path, minimal(), "01_good.json")
    bad = write_preset(tmp_path, minimal(version=7), "02_bad.json")
    import visualizer.widgets.presets_dock as presets_dock

    monkeypatch.setattr(presets_dock, "list_presets", lambda: [good, bad])
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.menus["presets"].aboutToShow.emit()
    actions = win.presets.preset_actions
    assert actions["01_good"].isEnabled() and actions["01_good"].text() == "A test preset"
    assert not actions["02_bad"].isEnabled()
    assert "version 7 is not supported" in actions["02_bad"].toolTip()


def test_open_preset_file_action(window, tmp_path, monkeypatch):
    path = write_preset(tmp_path, minimal(title="From disk"))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.findChild(QAction, "openPresetAction").trigger()
    assert_array_equal(window.state.x[0, 0], [[1, 2, 3, 4], [5, 6, 7, 8]])
    assert "From disk" in window.findChild(QLabel, "presetExplanation").text()
    assert isinstance(window.menus["presets"], QMenu)


def test_a_chinese_explanation_names_each_control_as_the_chinese_window_labels_it(qapp):
    """Preset 06's Chinese explanation said "padding" where the control reads 填充: a
    parameter is named in a Chinese explanation by its Chinese label, not by its PyTorch
    name (a label that is the PyTorch name in both languages, as ceil_mode, may stay)."""
    import re

    from engine import OPS
    from visualizer import i18n

    i18n.set_language(i18n.CHINESE)
    try:
        for path in list_presets():
            preset = load_preset(path)
            text = preset.explanation_zh or ""
            for param in OPS[preset.op].params:
                label = i18n.tr(param.label)
                if re.search(r"[\u4e00-\u9fff]", label) is None:
                    continue  # labelled by its PyTorch name in Chinese too
                assert re.search(rf"\b{param.name}\b", text) is None, (path.stem, param.name, label)
    finally:
        i18n.set_language(i18n.ENGLISH)

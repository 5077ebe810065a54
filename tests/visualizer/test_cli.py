"""The command line: ``main.py`` in a subprocess, and ``apply_arguments`` in process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import run_main

import engine
from visualizer.app import apply_arguments, build_parser
from visualizer.data import RandomSpec
from visualizer.state import DEFAULT_INPUT, AppState

ROOT = Path(__file__).resolve().parents[2]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def assert_png(path: Path, size: tuple[int, int] | None = None) -> None:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    if size is not None:
        from PIL import Image

        with Image.open(path) as img:
            assert img.size == size


# ---- subprocess runs ----------------------------------------------------------------------------


def test_screenshot_run_writes_a_png_and_exits_cleanly(tmp_path):
    shot = tmp_path / "tmp.png"
    result = run_main("--screenshot", str(shot), "--window-size", "800x600")
    # 0, not a negative signal number: start-up and tear-down did not crash.
    assert result.returncode == 0, result.stderr
    assert "Fatal Python error" not in result.stderr
    assert "Segmentation fault" not in result.stderr
    assert_png(shot)


@pytest.mark.parametrize(
    "size",
    [
        (1366, 768),
        (1024, 700),
        (800, 600),
    ],
)
def test_screenshot_has_the_requested_size(tmp_path, size):
    shot = tmp_path / "sized.png"
    result = run_main("--screenshot", str(shot), "--window-size", f"{size[0]}x{size[1]}")
    assert result.returncode == 0, result.stderr
    assert_png(shot, size)


@pytest.mark.parametrize("op", ["max", "avg", "conv"])
def test_each_op_backward_step_screenshot(tmp_path, op):
    shot = tmp_path / f"{op}.png"
    result = run_main(
        "--op", op, "--phase", "backward", "--step", "1", "--screenshot", str(shot),
        "--window-size", "1024x700",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_png(shot, (1024, 700))


def test_a_full_parameter_set_runs(tmp_path):
    shot = tmp_path / "full.png"
    result = run_main(
        "--op", "max", "--input-size", "9x7", "--kernel", "3x2", "--stride", "2",
        "--padding", "1x1", "--dilation", "1", "--ceil-mode", "--seed", "4", "--step", "2",
        "--screenshot", str(shot),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_png(shot, (1366, 768))


def test_invalid_padding_exits_2_with_the_engine_message(tmp_path):
    shot = tmp_path / "never.png"
    result = run_main("--padding", "5", "--kernel", "2", "--screenshot", str(shot))
    assert result.returncode == 2
    assert "padding" in result.stderr
    assert result.stderr.startswith("pooling-visualizer: error:")
    assert not shot.exists()


@pytest.mark.parametrize("step", ["16", "-1", "999"])
def test_bad_step_exits_2(tmp_path, step):
    result = run_main("--step", step, "--screenshot", str(tmp_path / "never.png"))
    assert result.returncode == 2
    assert "--step" in result.stderr


@pytest.mark.parametrize(
    ("args", "word"),
    [
        (["--op", "median"], "--op"),
        (["--kernel", "abc"], "--kernel"),
        (["--input-size", "0x4"], "--input-size"),
        (["--window-size", "800"], None),  # a single int is a square: valid
        (["--phase", "sideways"], "--phase"),
        (["--input-size", "2000x8"], "1024"),
    ],
)
def test_bad_values_exit_2_with_a_message(tmp_path, args, word):
    shot = tmp_path / "shot.png"
    result = run_main(*args, "--screenshot", str(shot))
    if word is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 2
    assert word in result.stderr


def test_unwritable_screenshot_path_exits_2(tmp_path):
    result = run_main("--screenshot", str(tmp_path / "missing-dir" / "x.png"))
    assert result.returncode == 2
    assert "could not write" in result.stderr


def test_help_lists_the_options():
    result = run_main("--help")
    assert result.returncode == 0
    for flag in ("--op", "--kernel", "--padding", "--ceil-mode", "--screenshot", "--step"):
        assert flag in result.stdout
    for flag in ("--theme", "--palette"):
        assert flag in result.stdout


def test_theme_and_palette_screenshot(tmp_path):
    shot = tmp_path / "dark.png"
    result = run_main(
        "--theme", "dark", "--palette", "colorblind", "--presentation", "--screenshot", str(shot),
        "--window-size", "1024x700",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_png(shot, (1024, 700))


@pytest.mark.parametrize(("flag", "value"), [("--theme", "purple"), ("--palette", "rainbow")])
def test_unknown_theme_or_palette_exits_2(tmp_path, flag, value):
    result = run_main(flag, value, "--screenshot", str(tmp_path / "x.png"))
    assert result.returncode == 2
    assert flag in result.stderr and "invalid choice" in result.stderr
    assert not (tmp_path / "x.png").exists()


# ---- apply_arguments in process -----------------------------------------------------------------


@pytest.fixture
def state(qapp):
    return AppState()


def apply(state: AppState, *argv: str) -> str:
    return apply_arguments(state, build_parser().parse_args(list(argv)))


def test_no_arguments_keep_the_default_example(state):
    assert apply(state) == ""
    np.testing.assert_array_equal(state.x[0, 0], np.array(DEFAULT_INPUT))
    assert state.op == "max_pool2d" and state.step == 0


def test_kernel_alone_sets_stride_to_the_kernel_for_pooling(state):
    assert apply(state, "--kernel", "3") == ""
    assert state.params.kernel_size == (3, 3)
    assert state.params.stride == (3, 3)  # PyTorch's default


def test_kernel_with_explicit_stride(state):
    assert apply(state, "--kernel", "3x2", "--stride", "1") == ""
    assert state.params.kernel_size == (3, 2)
    assert state.params.stride == (1, 1)


def test_conv_kernel_keeps_stride_one(state):
    assert apply(state, "--op", "conv", "--kernel", "3") == ""
    assert state.params.kernel_size == (3, 3)
    assert state.params.stride == (1, 1)
    assert state.weight.shape == (1, 1, 3, 3)


def test_seed_and_input_size_give_a_reproducible_input(state, qapp):
    assert apply(state, "--input-size", "5x6", "--seed", "3") == ""
    expected = RandomSpec("int", 0, 9, 3).make((1, 1, 5, 6))
    np.testing.assert_array_equal(state.x, expected)
    other = AppState()
    assert apply(other, "--input-size", "5x6", "--seed", "3") == ""
    np.testing.assert_array_equal(other.x, state.x)


def test_seed_alone_keeps_the_size(state):
    assert apply(state, "--seed", "7") == ""
    assert state.x.shape == (1, 1, 8, 8)
    np.testing.assert_array_equal(state.x, RandomSpec("int", 0, 9, 7).make((1, 1, 8, 8)))


def test_phase_and_step(state):
    assert apply(state, "--phase", "backward", "--step", "3") == ""
    assert state.phase == "backward" and state.window_index == 3
    fresh = AppState()
    assert apply(fresh, "--step", "5") == ""
    assert fresh.phase == "forward" and fresh.window_index == 5


def test_padding_and_ceil_mode(state):
    assert apply(state, "--kernel", "3", "--stride", "2", "--padding", "1", "--ceil-mode") == ""
    p = state.params
    assert (p.kernel_size, p.stride, p.padding, p.ceil_mode) == ((3, 3), (2, 2), (1, 1), True)
    expected = engine.max_pool2d(state.x, 3, 2, 1, 1, True)
    np.testing.assert_array_equal(state.results.output, expected)


def test_invalid_padding_returns_the_message_and_keeps_state(state):
    message = apply(state, "--padding", "5", "--kernel", "2")
    assert "padding" in message
    assert state.params.padding == (0, 0)


@pytest.mark.parametrize("step", ["16", "-1"])
def test_out_of_range_step_returns_a_message(state, step):
    message = apply(state, "--step", step)
    assert message.startswith("--step")
    assert "15" in message  # the last valid index


def test_too_large_input_is_refused(state):
    message = apply(state, "--input-size", "1025x4")
    assert "1024" in message
    assert state.x.shape == (1, 1, 8, 8)


@pytest.mark.parametrize(
    ("text", "pair"), [("3", (3, 3)), ("2x3", (2, 3)), ("2X3", (2, 3)), ("4,5", (4, 5))]
)
def test_pair_syntax(text, pair):
    assert build_parser().parse_args(["--kernel", text]).kernel == pair


def test_theme_and_palette_choices_are_the_view_settings_names():
    from visualizer.view_settings import PALETTES, THEMES

    actions = {a.dest: a for a in build_parser()._actions}
    assert tuple(actions["theme"].choices) == THEMES
    assert tuple(actions["palette"].choices) == PALETTES


@pytest.fixture
def look_restored(qapp):
    from visualizer.view_settings import view_settings

    yield
    view_settings().set_theme("system")
    view_settings().set_palette("standard")


@pytest.mark.parametrize(("theme", "palette"), [("dark", "colorblind"), ("light", "standard")])
def test_theme_and_palette_flags_set_the_look_for_this_run(qtbot, look_restored, theme, palette):
    from visualizer.app import apply_view_arguments
    from visualizer.main_window import MainWindow
    from visualizer.settings import app_settings
    from visualizer.view_settings import is_dark, view_settings

    window = MainWindow()
    qtbot.addWidget(window)
    args = build_parser().parse_args(["--theme", theme, "--palette", palette, "--presentation"])
    apply_view_arguments(window, args)
    assert (view_settings().theme, view_settings().palette) == (theme, palette)
    assert is_dark() == (theme == "dark")
    # The View menu shows the run's look ...
    presentation = window.presentation
    assert presentation.theme_actions[theme].isChecked()
    assert presentation.palette_actions[palette].isChecked()
    assert presentation.dark_action.isChecked() == (theme == "dark")
    assert presentation.colorblind_action.isChecked() == (palette == "colorblind")
    assert presentation.presenting
    # ... but does not remember it: the next run without the flags looks as chosen before.
    settings = app_settings()
    assert settings.value("view/theme") is None
    assert settings.value("view/palette") is None
    assert settings.value("view/presentation") is None


def test_no_theme_or_palette_flag_keeps_the_look(qtbot, look_restored):
    from visualizer.app import apply_view_arguments
    from visualizer.main_window import MainWindow
    from visualizer.view_settings import view_settings

    window = MainWindow()
    qtbot.addWidget(window)
    window.presentation.set_palette("colorblind", save=False)  # as chosen in the View menu
    before = view_settings().theme
    apply_view_arguments(window, build_parser().parse_args([]))
    assert view_settings().theme == before and view_settings().palette == "colorblind"
    assert not window.presentation.presenting


def test_bad_pair_syntax_is_a_usage_error():
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["--kernel", "2x"])
    assert info.value.code == 2

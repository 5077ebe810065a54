"""The command line against hostile values and files: every integer flag has a documented
range, empty file names are refused, and ``python main.py FILE.json`` / ``--image FILE``
open files like the window does.  Subprocess runs have time limits: a regression that starts
the interactive app (or hangs) fails instead of blocking the suite.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from checks import assert_refused
from conftest import run_main
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from visualizer.app import SEED_LIMIT, WINDOW_LIMIT, build_parser, flag_range, open_files
from visualizer.data import RandomSpec
from visualizer.session import dumps, session_from_state
from visualizer.state import AppState

ROOT = Path(__file__).resolve().parents[2]


# ---- ranges -------------------------------------------------------------------------------------


def test_a_huge_window_size_is_refused_before_anything_is_drawn(tmp_path):
    shot = tmp_path / "o.png"
    result = run_main("--window-size", "100000x100000", "--screenshot", str(shot))
    assert_refused(result, "--window-size", f"at most {WINDOW_LIMIT[0]}x{WINDOW_LIMIT[1]}")
    assert not shot.exists()


def test_the_largest_window_size_is_accepted_by_the_parser():
    args = build_parser().parse_args(["--window-size", f"{WINDOW_LIMIT[0]}x{WINDOW_LIMIT[1]}"])
    assert args.window_size == WINDOW_LIMIT


@pytest.mark.parametrize("flag", ["--screenshot", "--export-gif", "--image"])
def test_an_empty_file_name_is_refused_at_once(flag):
    result = run_main(flag, "", timeout=60)  # used to start the interactive app, forever
    assert_refused(result, flag, "needs a file name")


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--stride", "99999999999999999999999"),
        ("--kernel", "99999999999999999999999"),
        ("--padding", "2x99999999999999999999999"),
        ("--dilation", "-99999999999999999999999"),
        ("--step", "99999999999999999999999"),
        ("--seed", "99999999999999999999999"),
        ("--gif-delay", "99999999999999999999999"),
        ("--input-size", "99999999999999999999x2"),
        ("--window-size", "2x99999999999999999999"),
        ("--kernel", "0"),
        ("--stride", "0"),
        ("--padding", "-1"),
    ],
)
def test_integers_out_of_range_exit_2_naming_the_flag(tmp_path, flag, value):
    shot = tmp_path / "o.png"
    extra = ["--export-gif", str(tmp_path / "a.gif")] if flag == "--gif-delay" else []
    result = run_main(flag, value, *extra, "--screenshot", str(shot))
    assert_refused(result, flag)
    assert not shot.exists()


def test_the_ranges_come_from_the_operation_registry_and_are_in_the_help():
    low, high = flag_range("--stride")
    assert low == 1 and high >= 64
    assert flag_range("--padding")[0] == 0
    text = build_parser().format_help()
    for flag in ("--kernel", "--stride", "--padding", "--dilation"):
        a, b = flag_range(flag)
        assert f"({a} to {b})" in " ".join(text.split())
    assert "0 to 2**32-1" in text and f"{WINDOW_LIMIT[0]}x{WINDOW_LIMIT[1]}" in text


@pytest.mark.parametrize(
    ("value", "ok"),
    [("-1", False), (str(SEED_LIMIT + 1), False), ("0", True), (str(SEED_LIMIT), True)],
)
def test_the_seed_range_is_0_to_2_to_the_32_minus_1(tmp_path, value, ok):
    shot = tmp_path / "o.png"
    result = run_main("--seed", value, "--input-size", "4x4", "--screenshot", str(shot))
    if ok:
        assert result.returncode == 0, result.stderr
        assert shot.exists()
    else:
        assert_refused(result, "--seed", "between 0 and 4294967295")


def test_an_unknown_screenshot_format_is_refused(tmp_path):
    result = run_main("--screenshot", str(tmp_path / "o.abc"))
    assert_refused(result, "o.abc", ".abc")


def test_a_bmp_screenshot_is_a_bmp(tmp_path):
    shot = tmp_path / "o.bmp"
    result = run_main("--screenshot", str(shot), "--window-size", "800x600")
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"BM")


# ---- files on the command line ------------------------------------------------------------------


def lesson_session(path: Path) -> AppState:
    state = AppState()
    assert state.set_op("avg")
    assert state.set_input(RandomSpec("int", 0, 9, 8).make((1, 1, 6, 6)))
    assert state.set_params(kernel_size=(3, 3), stride=(3, 3))
    path.write_text(dumps(session_from_state(state)))
    return state


def test_a_session_file_is_opened_for_a_screenshot(tmp_path):
    lesson_session(tmp_path / "lesson.json")
    shot = tmp_path / "o.png"
    result = run_main(str(tmp_path / "lesson.json"), "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")
    # The session's geometry is used: 6×6 with kernel 3, stride 3 has 4 windows.
    result = run_main(str(tmp_path / "lesson.json"), "--step", "4", "--screenshot", str(shot))
    assert_refused(result, "--step (4) must be between 0 and 3")


def test_an_invalid_session_file_exits_2_with_the_window_message(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "pooling-visualizer-session", "version": 1, "op": ')
    shot = tmp_path / "o.png"
    result = run_main(str(bad), "--screenshot", str(shot))
    assert_refused(result, "bad.json: not a valid JSON file")
    assert not shot.exists()


def test_a_missing_session_file_exits_2(tmp_path):
    result = run_main(str(tmp_path / "gone.json"), "--screenshot", str(tmp_path / "o.png"))
    assert_refused(result, "gone.json")


def test_an_image_is_the_input_for_a_screenshot(tmp_path):
    picture = tmp_path / "p.png"
    Image.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8)).save(picture)
    shot = tmp_path / "o.png"
    result = run_main("--image", str(picture), "--step", "11", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr  # 6×8 with kernel 2: 12 windows
    result = run_main("--image", str(picture), "--step", "12", "--screenshot", str(shot))
    assert_refused(result, "--step (12) must be between 0 and 11")


def test_an_unreadable_image_exits_2_with_the_window_message(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not an image")
    result = run_main("--image", str(bad), "--screenshot", str(tmp_path / "o.png"))
    assert_refused(result, "bad.png")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--rgb"], ("--rgb needs --image",)),
        (["--image", "x.png", "--seed", "3"], ("--image cannot be combined",)),
    ],
)
def test_image_flags_that_do_not_go_together(args, words):
    assert_refused(run_main(*args), *words)


def parse(*argv: str):
    return build_parser().parse_args(list(argv))


def test_open_files_batch_applies_the_session_and_the_rgb_image(window, tmp_path):
    expected = lesson_session(tmp_path / "lesson.json")
    assert open_files(window, parse(str(tmp_path / "lesson.json")), batch=True) == ""
    np.testing.assert_array_equal(window.state.x, expected.x)
    assert window.state.op == expected.op
    picture = tmp_path / "c.png"
    Image.fromarray(np.zeros((5, 7, 3), dtype=np.uint8)).save(picture)
    assert open_files(window, parse("--image", str(picture), "--rgb"), batch=True) == ""
    assert window.state.x.shape == (1, 3, 5, 7)
    assert window.data_panel.rgb_checkbox.isChecked()


def test_open_files_interactive_shows_the_message_in_the_window(window, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[")
    assert open_files(window, parse(str(bad)), batch=False) == ""  # the app starts anyway
    assert window.session_manager.last_error.startswith("bad.json: not a valid JSON file")
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and "bad.json" in boxes[0].text()
    for box in boxes:
        box.close()
    missing = tmp_path / "gone.png"
    assert open_files(window, parse("--image", str(missing)), batch=False) == ""
    assert "gone.png" in window.statusBar().currentMessage()


def test_the_readme_states_the_limits():
    from visualizer import limits

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert f"{limits.SESSION_MAX_BYTES // 2**20} MB" in text
    assert f"a preset {limits.PRESET_MAX_BYTES // 2**20} MB" in text
    assert f"an image file {limits.IMAGE_MAX_BYTES // 2**20} MB" in text
    side = int(limits.IMAGE_MAX_PIXELS**0.5)
    assert f"{side}×{side} pixels" in text
    assert "at most {}×{}".format(*limits.WINDOW_MAX_SIZE) in text
    assert limits.SEED_MAX == 2**32 - 1 and "0 to 2³²−1" in text
    assert limits.GIF_MAX_PIXELS == 2**28 and "2²⁸ pixels" in text
    for flag in ("--kernel", "--stride", "--padding", "--dilation"):
        assert flag in text
    assert f"`--stride` 1–{flag_range('--stride')[1]}" in text
    assert f"`--dilation` 1–{flag_range('--dilation')[1]}" in text


# ---- a preset file in place of a session ---------------------------------------------------------

MULTICHANNEL = ROOT / "assets" / "presets" / "09_multichannel_conv.json"


def test_open_files_batch_loads_a_preset_given_as_the_file(window):
    from visualizer.presets import load_preset

    preset = load_preset(MULTICHANNEL)
    assert open_files(window, parse(str(MULTICHANNEL)), batch=True) == ""
    st = window.state
    assert st.op == preset.op
    np.testing.assert_array_equal(st.x, preset.x)
    np.testing.assert_array_equal(st.weight, preset.weight)
    assert window.presets.dock.preset is not None
    assert window.presets.dock.preset.title == preset.title  # its explanation is shown


def test_open_files_interactive_loads_a_preset_as_the_menu_does(window):
    from visualizer.presets import load_preset

    preset = load_preset(MULTICHANNEL)
    assert open_files(window, parse(str(MULTICHANNEL)), batch=False) == ""
    np.testing.assert_array_equal(window.state.x, preset.x)
    assert window.presets.dock.preset.title == preset.title
    assert window.session_manager.last_error == ""  # not read as a broken session


def test_a_broken_preset_file_exits_2_naming_the_file_and_the_field(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text(
        '{"format": "pooling-visualizer-preset", "version": 1, "title": "t", '
        '"explanation": "e", "op": "max", "input": "not a matrix"}'
    )
    result = run_main(str(bad), "--screenshot", str(tmp_path / "o.png"))
    assert_refused(result, "broken.json", "input")


def test_a_preset_file_is_opened_for_a_screenshot_and_the_flags_change_it(tmp_path):
    shot = tmp_path / "o.png"
    # The preset's 4×4 input, kernel 2, stride 1: 9 windows (steps 0-8).
    result = run_main(str(MULTICHANNEL), "--step", "8", "--screenshot", str(shot))
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")
    result = run_main(str(MULTICHANNEL), "--step", "9", "--screenshot", str(shot))
    assert_refused(result, "--step (9) must be between 0 and 8")

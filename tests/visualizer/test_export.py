"""Export: PNG / SVG images, the animated GIF (frames, delays, cancel), CSV and .npy round
trips, the Export menu, and ``--export-gif`` on the command line."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from conftest import run_main
from PIL import Image
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QToolButton

from visualizer import export as export_mod
from visualizer.data import RandomSpec
from visualizer.export import (
    MATRIX_VIEWS,
    export_csv,
    export_gif,
    export_npy,
    matrices,
    matrix_widget,
    save_image,
)

ROOT = Path(__file__).resolve().parents[2]


def gif_info(path: Path) -> tuple[int, list[int], tuple[int, int]]:
    """(frames, per-frame durations in ms, size)."""
    with Image.open(path) as im:
        durations = []
        for i in range(im.n_frames):
            im.seek(i)
            durations.append(im.info["duration"])
        return im.n_frames, durations, im.size


def close_message_boxes(window) -> None:
    for box in window.findChildren(QMessageBox):
        box.close()


# ---- images -------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["window", "panel", "input", "output", "mask", "dY", "dX"])
def test_png_of_each_view_loads_with_pillow(window, tmp_path, key):
    path = tmp_path / f"{key}.png"
    assert window.exporter.export_image(key, path), window.exporter.last_error
    widget = window.exporter.source(key)
    with Image.open(path) as im:
        im.load()
        assert im.format == "PNG"
        assert im.size == (widget.width(), widget.height())
        assert len(im.getcolors(1 << 16) or range(1 << 16)) > 10  # not a blank image


@pytest.mark.parametrize("key", ["window", "panel", "input", "output"])
def test_svg_is_xml_with_an_svg_root_and_drawn_content(window, tmp_path, key):
    path = tmp_path / f"{key}.svg"
    assert window.exporter.export_image(key, path), window.exporter.last_error
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    tags = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert tags & {"path", "rect", "polyline", "image"}
    assert "text" in tags  # numbers and titles stay text


def test_svg_of_the_input_contains_its_numbers(window, tmp_path):
    path = tmp_path / "x.svg"
    save_image(matrix_widget(window, "input"), path)
    texts = {el.text.strip() for el in ET.parse(path).getroot().iter() if el.text}
    assert {"12", "19", "20"} <= texts


def test_conv_only_views_export_only_for_conv(window, tmp_path):
    with pytest.raises(ValueError, match="not shown"):
        matrix_widget(window, "kernel")
    assert not window.exporter.export_image("dW", tmp_path / "dw.png")
    assert "not shown" in window.exporter.last_error
    assert not (tmp_path / "dw.png").exists()
    close_message_boxes(window)
    window.state.set_op("conv")
    for key in ("kernel", "dW"):
        assert window.exporter.export_image(key, tmp_path / f"{key}.png")
        assert (tmp_path / f"{key}.png").stat().st_size > 0


def test_matrix_menu_enables_only_shown_views(window):
    exporter = window.exporter
    exporter._update_matrix_actions()
    enabled = {k for k, a in exporter.matrix_actions.items() if a.isEnabled()}
    assert enabled == {"input", "output", "mask", "dY", "dX"}
    window.state.set_op("conv")
    exporter._update_matrix_actions()
    enabled = {k for k, a in exporter.matrix_actions.items() if a.isEnabled()}
    assert enabled == set(MATRIX_VIEWS) - {"mask"}


# ---- GIF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("phase", "frames"), [("both", 32), ("forward", 16), ("backward", 16)])
def test_gif_has_one_frame_per_step_and_the_delay(window, tmp_path, phase, frames):
    st = window.state
    st.set_step(5)
    path = tmp_path / "steps.gif"
    assert export_gif(st, window.views_panel, path, delay_ms=250, phase=phase) == frames
    n, durations, size = gif_info(path)
    assert n == frames
    assert durations == [250] * frames
    assert size == (window.views_panel.width(), window.views_panel.height())
    assert st.step == 5  # put back


def test_gif_of_one_matrix_after_a_parameter_change(window, tmp_path):
    st = window.state
    assert st.set_params(kernel_size=3, stride=1)  # 6×6 windows
    path = tmp_path / "out.gif"
    widget = matrix_widget(window, "output")
    assert export_gif(st, widget, path, delay_ms=100, phase="forward") == 36
    n, durations, size = gif_info(path)
    assert (n, set(durations)) == (36, {100})
    assert size == (widget.width(), widget.height())


def test_gif_frames_follow_the_steps(window, tmp_path):
    """Frame k shows step k: the output fills in one cell per forward frame."""
    st = window.state
    path = tmp_path / "y.gif"
    export_gif(st, matrix_widget(window, "output"), path, delay_ms=100, phase="forward")
    with Image.open(path) as im:
        im.seek(0)
        first = np.asarray(im.convert("RGB")).copy()
        im.seek(15)
        last = np.asarray(im.convert("RGB")).copy()
    assert (first != last).any()


def test_cancel_writes_nothing_and_keeps_the_step(window, tmp_path):
    st = window.state
    st.set_step(9)
    path = tmp_path / "never.gif"
    calls = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 3

    assert export_gif(st, window.views_panel, path, progress=progress) is None
    assert calls[-1] == (3, 32)
    assert not path.exists()
    assert not list(tmp_path.iterdir())  # no temporary file left either
    assert st.step == 9


def test_cancel_leaves_an_existing_file_alone(window, tmp_path):
    path = tmp_path / "old.gif"
    path.write_bytes(b"previous export")
    result = export_gif(window.state, window.views_panel, path, progress=lambda d, t: d < 1)
    assert result is None
    assert path.read_bytes() == b"previous export"


def test_progress_dialog_cancel_from_the_menu_path(window, tmp_path, monkeypatch):
    st = window.state
    st.set_step(4)
    asked = []

    def was_canceled(self) -> bool:
        asked.append(1)
        return len(asked) > 2

    monkeypatch.setattr(QProgressDialog, "wasCanceled", was_canceled)
    path = tmp_path / "cancelled.gif"
    assert window.exporter.export_gif(path) is None
    assert not path.exists()
    assert st.step == 4
    assert window.exporter.last_error == ""


def test_menu_path_writes_a_gif_and_stops_playback(window, tmp_path):
    window.step_bar.toggle_play()
    assert window.step_bar.timer.isActive()
    path = tmp_path / "menu.gif"
    assert window.exporter.export_gif(path, "window", 500, "backward") == 16
    assert not window.step_bar.timer.isActive()
    assert gif_info(path)[0] == 16


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delay_ms": 5}, "between 20 and 60000"),
        ({"delay_ms": 10**6}, "between 20 and 60000"),
        ({"delay_ms": 0.5}, "whole number"),
        ({"phase": "sideways"}, "forward, backward, both"),
    ],
)
def test_bad_gif_options_are_refused(window, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        export_gif(window.state, window.views_panel, tmp_path / "x.gif", **kwargs)
    assert not (tmp_path / "x.gif").exists()


def test_too_many_frames_are_refused(window, tmp_path, monkeypatch):
    monkeypatch.setattr(export_mod, "MAX_GIF_FRAMES", 20)
    with pytest.raises(ValueError, match="32 frames; a GIF can hold at most 20"):
        export_gif(window.state, window.views_panel, tmp_path / "x.gif")
    assert export_gif(window.state, window.views_panel, tmp_path / "f.gif", phase="forward")


def test_unwritable_gif_raises_oserror_and_keeps_the_step(window, tmp_path):
    window.state.set_step(2)
    with pytest.raises(OSError):
        export_gif(window.state, window.views_panel, tmp_path / "missing" / "x.gif")
    assert window.state.step == 2


# ---- CSV and NumPy ------------------------------------------------------------------------------


@pytest.fixture
def conv_state(window):
    st = window.state
    st.set_op("conv")
    assert st.set_input(RandomSpec("uniform", -5, 5, 2).make((2, 3, 5, 6)))
    assert st.set_out_channels(2)
    assert st.randomize_kernel(RandomSpec("normal", 0, 1, 4))
    assert st.set_params(bias=0.5, padding=1)
    return st


def test_csv_round_trip_one_file_per_plane(conv_state, tmp_path):
    st = conv_state
    paths = export_csv(st, tmp_path / "lesson.csv")
    arrays = matrices(st)
    assert set(arrays) == {"X", "W", "Y", "dY", "dX", "dW", "db"}
    expected_files = sum(a.shape[0] * a.shape[1] if a.ndim == 4 else 1 for a in arrays.values())
    assert len(paths) == expected_files == len(list(tmp_path.glob("lesson_*.csv")))
    for name, arr in arrays.items():
        if arr.ndim == 1:
            back = np.loadtxt(tmp_path / f"lesson_{name}.csv", delimiter=",", ndmin=1)
            np.testing.assert_array_equal(back, arr)
            continue
        a, b = ("o", "i") if name in ("W", "dW") else ("n", "c")
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                path = tmp_path / f"lesson_{name}_{a}{i}_{b}{j}.csv"
                back = np.loadtxt(path, delimiter=",", ndmin=2)
                np.testing.assert_array_equal(back, arr[i, j])  # exact: 17 digits
    header = (tmp_path / "lesson_X_n1_c2.csv").read_text().splitlines()[0]
    assert header.startswith("# X[1, 2] (5x6)")


def test_csv_keeps_infinities_and_nan(window, tmp_path):
    st = window.state
    x = st.x.copy()
    x[0, 0, 0, 0], x[0, 0, 0, 1] = np.nan, -np.inf
    assert st.set_input(x)
    export_csv(st, tmp_path / "m")
    back = np.loadtxt(tmp_path / "m_X_n0_c0.csv", delimiter=",", ndmin=2)
    np.testing.assert_array_equal(back, x[0, 0])
    mask = np.loadtxt(tmp_path / "m_mask_n0_c0.csv", delimiter=",", ndmin=2)
    np.testing.assert_array_equal(mask, st.results.mask_counts[0, 0])


def test_npy_round_trip_without_pickles(conv_state, tmp_path):
    paths = export_npy(conv_state, tmp_path / "arrays.npy")
    arrays = matrices(conv_state)
    assert sorted(p.name for p in paths) == sorted(f"arrays_{k}.npy" for k in arrays)
    for name, arr in arrays.items():
        back = np.load(tmp_path / f"arrays_{name}.npy", allow_pickle=False)
        assert back.dtype == np.float64
        np.testing.assert_array_equal(back, arr)
    np.testing.assert_array_equal(
        np.load(tmp_path / "arrays_dX.npy", allow_pickle=False), conv_state.results.grad_input
    )


def test_npy_for_max_pooling_has_the_mask(window, tmp_path):
    window.exporter.export_arrays("npy", tmp_path / "p.npy")
    names = {p.name for p in window.exporter.last_written}
    assert names == {f"p_{k}.npy" for k in ("X", "Y", "dY", "dX", "mask")}
    np.testing.assert_array_equal(
        np.load(tmp_path / "p_mask.npy", allow_pickle=False), window.state.results.mask_counts
    )


# ---- menu and toolbar ---------------------------------------------------------------------------


def test_export_menu_sits_in_the_file_menu_and_the_toolbar(window):
    exporter = window.exporter
    assert exporter.menu.menuAction() in window.menus["file"].actions()
    texts = [a.text() for a in exporter.menu.actions() if a.text()]
    for start in ("Window image", "Matrices image", "One matrix", "Animation", "Matrices as CSV"):
        assert any(t.startswith(start) for t in texts), start
    button = window.findChild(QToolButton, "exportToolButton")
    assert button is not None and button.menu() is exporter.menu
    assert exporter.window_image_action.shortcut().toString() == "Ctrl+E"
    assert exporter.gif_action.shortcut().toString() == "Ctrl+Shift+G"


def test_image_dialog_adds_the_suffix_of_the_chosen_filter(window, tmp_path, monkeypatch):
    monkeypatch.setattr(
        export_mod.QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(tmp_path / "view"), "SVG vector image (*.svg)"),
    )
    window.exporter.window_image_action.trigger()
    assert ET.parse(tmp_path / "view.svg").getroot().tag.endswith("svg")


# ---- command line -------------------------------------------------------------------------------


def test_cli_export_gif_writes_the_steps_and_exits_0(tmp_path):
    path = tmp_path / "cli.gif"
    result = run_main(
        "--kernel", "3", "--stride", "2", "--input-size", "7x7", "--seed", "1",
        "--export-gif", str(path), "--gif-delay", "300", "--gif-phase", "forward",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    n, durations, _ = gif_info(path)
    assert n == 9 and set(durations) == {300}  # 3×3 windows


def test_cli_export_gif_defaults_to_both_phases(tmp_path):
    path = tmp_path / "both.gif"
    result = run_main("--input-size", "4x4", "--export-gif", str(path))
    assert result.returncode == 0, result.stderr
    assert gif_info(path)[:2] == (8, [500] * 8)


def test_cli_export_gif_and_screenshot_together(tmp_path):
    gif, png = tmp_path / "a.gif", tmp_path / "a.png"
    result = run_main("--screenshot", str(png), "--export-gif", str(gif), "--op", "avg")
    assert result.returncode == 0, result.stderr
    assert png.stat().st_size > 0 and gif_info(gif)[0] == 32


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gif-delay", "5"], "--gif-delay (5) must be between 20 and 60000"),
        (["--gif-delay", "fast"], "--gif-delay"),
        (["--gif-phase", "sideways"], "--gif-phase"),
    ],
)
def test_cli_bad_gif_values_exit_2(tmp_path, args, message):
    path = tmp_path / "never.gif"
    result = run_main("--export-gif", str(path), *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert not path.exists()


def test_cli_gif_options_need_export_gif():
    result = run_main("--gif-delay", "100")
    assert result.returncode == 2
    assert "need --export-gif" in result.stderr


def test_cli_unwritable_gif_exits_2(tmp_path):
    result = run_main("--export-gif", str(tmp_path / "missing" / "x.gif"))
    assert result.returncode == 2
    assert "could not write" in result.stderr


def test_cli_batch_run_leaves_no_user_files(tmp_path):
    result = run_main("--export-gif", str(tmp_path / "x.gif"), "--input-size", "2x2")
    assert result.returncode == 0, result.stderr
    for var in ("POOLING_VISUALIZER_CONFIG_DIR", "POOLING_VISUALIZER_DATA_DIR"):
        folder = Path(os.environ[var])
        assert not folder.exists() or not any(folder.iterdir()), var


def test_gif_dialog_path_uses_the_chosen_options(window, tmp_path, monkeypatch):
    def accept(dialog) -> int:
        assert dialog.source_combobox.findData("kernel") == -1  # not shown for max pooling
        dialog.source_combobox.setCurrentIndex(dialog.source_combobox.findData("output"))
        dialog.phase_combobox.setCurrentIndex(dialog.phase_combobox.findData("forward"))
        dialog.delay_spinbox.setValue(150)
        return export_mod.QDialog.Accepted

    monkeypatch.setattr(export_mod.GifDialog, "exec", accept)
    monkeypatch.setattr(
        export_mod.QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "d"), "")
    )
    window.exporter.gif_action.trigger()
    n, durations, size = gif_info(tmp_path / "d.gif")
    assert (n, set(durations)) == (16, {150})
    view = window.views_panel.output_view
    assert size == (view.width(), view.height())


@pytest.mark.parametrize("kind", ["csv", "npy"])
def test_array_dialogs_write_files(window, tmp_path, monkeypatch, kind):
    monkeypatch.setattr(
        export_mod.QFileDialog,
        "getSaveFileName",
        lambda *a, **k: (str(tmp_path / f"m.{kind}"), ""),
    )
    action = window.exporter.csv_action if kind == "csv" else window.exporter.npy_action
    action.trigger()
    assert (tmp_path / f"m_X{'_n0_c0' if kind == 'csv' else ''}.{kind}").is_file()
    assert len(window.exporter.last_written) == len(list(tmp_path.iterdir()))

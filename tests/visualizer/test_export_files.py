"""Export targets: every format written atomically (a temporary file in the same folder, then
``os.replace``), no folder / symbolic link / device / FIFO as a target, the format the file
name asks for, and a GIF bounded by its pixels, not only its frames.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from visualizer import export as export_mod
from visualizer import safe_io
from visualizer.export import export_csv, export_gif, export_npy, save_image

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")


def close_message_boxes(window) -> None:
    for box in window.findChildren(QMessageBox):
        box.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


WRITERS = {
    "png": lambda w, p: save_image(w.views_panel, p),
    "svg": lambda w, p: save_image(w.views_panel, p),
    "gif": lambda w, p: export_gif(w.state, w.views_panel.input_view, p, phase="forward"),
    "csv": lambda w, p: export_csv(w.state, p),
    "npy": lambda w, p: export_npy(w.state, p),
}


def targets(path: Path, kind: str) -> list[Path]:
    if kind in ("csv", "npy"):
        return sorted(path.parent.glob(f"{path.stem}_*.{kind}"))
    return [path]


# ---- atomic -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(WRITERS))
def test_every_format_is_written_through_a_temporary_file(window, tmp_path, kind, monkeypatch):
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        assert Path(src).parent == Path(dst).parent  # same folder: an atomic rename
        assert Path(src).name.endswith(".tmp") and Path(src).stat().st_size > 0
        replaced.append(Path(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    path = tmp_path / f"out.{kind}"
    WRITERS[kind](window, path)
    assert replaced and sorted(replaced) == targets(path, kind)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_failed_write_keeps_the_old_file_and_leaves_no_junk(window, tmp_path, kind, monkeypatch):
    WRITERS[kind](window, tmp_path / f"out.{kind}")
    old = {p: p.read_bytes() for p in targets(tmp_path / f"out.{kind}", kind)}

    def disk_full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    window.state.set_input_cell(0, 0, 7)
    with pytest.raises(OSError):
        WRITERS[kind](window, tmp_path / f"out.{kind}")
    assert {p: p.read_bytes() for p in old} == old
    assert leftovers(tmp_path) == []


# ---- targets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_symbolic_link_is_refused_and_left_alone(window, tmp_path, kind):
    real = tmp_path / f"real.{kind}"
    real.write_bytes(b"keep me")
    link = tmp_path / f"link.{kind}"
    if kind in ("csv", "npy"):  # the files are named after the chosen one
        name = "link_X_n0_c0.csv" if kind == "csv" else "link_X.npy"
        link = tmp_path / name
    link.symlink_to(real)
    with pytest.raises(ValueError, match="symbolic link"):
        WRITERS[kind](window, tmp_path / f"link.{kind}")
    assert link.is_symlink() and real.read_bytes() == b"keep me"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("kind", list(WRITERS))
def test_a_folder_is_refused_and_nothing_written_next_to_it(window, tmp_path, kind):
    folder = tmp_path / f"out.{kind}"
    folder.mkdir()
    with pytest.raises(ValueError, match="folder"):
        WRITERS[kind](window, folder)
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]
    assert list(folder.iterdir()) == []


@needs_fifo
def test_a_fifo_is_refused_and_left_alone(window, tmp_path):
    fifo = tmp_path / "anim.gif"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        WRITERS["gif"](window, fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # not replaced by a GIF


def test_a_device_is_refused_without_opening_it():
    devnull = Path(os.devnull)
    if not devnull.exists() or devnull.is_file():
        pytest.skip("no device node here")
    with pytest.raises(ValueError, match="not a regular file"):
        safe_io.check_write_target(devnull)


def test_the_menu_path_shows_why_an_array_export_was_refused(window, tmp_path):
    folder = tmp_path / "out.csv"
    folder.mkdir()
    assert window.exporter.export_arrays("csv", folder) == []
    assert window.exporter.last_error == "out.csv: it is a folder; choose a file name"
    close_message_boxes(window)


# ---- the format the name asks for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG"), (".bmp", b"BM"), (".jpg", b"\xff\xd8\xff"), ("", b"\x89PNG")],
)
def test_an_image_is_written_in_the_format_its_name_asks_for(window, tmp_path, suffix, magic):
    path = tmp_path / f"x{suffix}"
    save_image(window.views_panel, path)
    assert path.read_bytes().startswith(magic)


def test_an_unknown_image_suffix_is_refused(window, tmp_path):
    with pytest.raises(ValueError, match=r"x\.abc: images are not exported as \.abc"):
        save_image(window.views_panel, tmp_path / "x.abc")
    assert not (tmp_path / "x.abc").exists()


@pytest.mark.parametrize(
    ("kind", "name", "message"),
    [
        ("gif", "x.png", r"exported as \.gif, not \.png"),
        ("csv", "x.bmp", r"written as \.csv, not \.bmp"),
        ("npy", "x.csv", r"written as \.npy, not \.csv"),
    ],
)
def test_other_exports_refuse_a_foreign_suffix(window, tmp_path, kind, name, message):
    with pytest.raises(ValueError, match=message):
        WRITERS[kind](window, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


# ---- GIF memory ---------------------------------------------------------------------------------


def test_the_gif_is_bounded_by_its_pixels_before_recording(window, tmp_path, monkeypatch):
    source = window.views_panel
    ratio = source.devicePixelRatioF()
    frame = int(np.ceil(source.width() * ratio)) * int(np.ceil(source.height() * ratio))
    frames = 2 * window.state.n_windows
    monkeypatch.setattr(export_mod, "MAX_GIF_PIXELS", frame * frames - 1)
    window.state.set_step(3)
    with pytest.raises(ValueError, match=f"{frames} frames of .* are more than a GIF export"):
        export_gif(window.state, source, tmp_path / "x.gif")
    assert window.state.step == 3 and not (tmp_path / "x.gif").exists()
    monkeypatch.setattr(export_mod, "MAX_GIF_PIXELS", frame * frames)
    assert export_gif(window.state, source, tmp_path / "x.gif") == frames


def test_the_gif_pixel_budget_is_documented():
    assert export_mod.MAX_GIF_PIXELS == 2**28
    assert "2**28 pixels" in Path(export_mod.__file__).read_text()

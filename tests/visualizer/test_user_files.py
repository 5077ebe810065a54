"""Hostile files the user may open: special files, oversized files, autosaves that cannot be
read.  Nothing may hang, exhaust memory or stop the app; each is refused with a message.

Cases that would hang or eat memory if the protection failed run in a subprocess with a time
limit and an address-space limit, so a regression fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QToolBar

from visualizer import safe_io
from visualizer import session as session_mod
from visualizer.session import dumps, read_session, session_from_state
from visualizer.settings import data_dir
from visualizer.state import AppState

ROOT = Path(__file__).resolve().parents[2]
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
needs_dev_zero = pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")


def run_guarded(code: str, timeout: float = 60, memory_gb: float = 3) -> dict:
    """Run ``code`` (which prints one JSON line last) in a subprocess with the app importable,
    at most ``timeout`` seconds and ``memory_gb`` of address space (where the OS allows it)."""
    prelude = textwrap.dedent(
        f"""
        import json, os, resource, sys
        try:
            limit = int({memory_gb} * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        except (ValueError, OSError):
            pass
        sys.path.insert(0, {str(ROOT)!r})
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


READ_SESSION = """
from visualizer.session import read_session
try:
    read_session(PATH)
    outcome = "accepted"
except ValueError as exc:
    outcome = str(exc)
def peak_mb():
    # This process's own high-water mark: ru_maxrss would include the parent's at fork time.
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB on Linux
peak = peak_mb()
print(json.dumps({"message": outcome, "peak_mb": peak}))
"""


def read_session_guarded(path: Path) -> dict:
    return run_guarded(f"PATH = {str(path)!r}\n" + READ_SESSION)


def close_boxes(window) -> None:
    for box in window.findChildren(QMessageBox):
        box.close()


# ---- safe_io ------------------------------------------------------------------------------------


def test_a_regular_file_is_read(tmp_path):
    path = tmp_path / "a.json"
    path.write_bytes(b"\xef\xbb\xbf{}")  # a UTF-8 byte-order mark is skipped
    assert safe_io.read_text_file(path, 10, "session") == "{}"
    assert safe_io.read_bytes_file(path, 5, "session") == b"\xef\xbb\xbf{}"


def test_the_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "big.json"
    with path.open("wb") as fh:
        fh.truncate(101)
    with pytest.raises(safe_io.UnreadableFileError) as info:
        safe_io.read_bytes_file(path, 100, "session")
    assert (
        str(info.value)
        == "big.json: 101 bytes is larger than a session file may be (100 bytes at most)"
    )


def test_a_folder_is_refused(tmp_path):
    folder = tmp_path / "x.json"
    folder.mkdir()
    with pytest.raises(ValueError, match=r"^x\.json: it is a folder, not a file$"):
        safe_io.read_text_file(folder, 100, "session")


@needs_fifo
def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    found = run_guarded(
        f"""
        from visualizer.safe_io import read_text_file
        try:
            read_text_file({str(fifo)!r}, 1000, "session")
            outcome = "read"
        except ValueError as exc:
            outcome = str(exc)
        print(json.dumps({{"message": outcome}}))
        """,
        timeout=30,
    )
    assert found["message"].startswith("x.json: it is a named pipe (FIFO)")


@needs_dev_zero
def test_a_symlink_to_dev_zero_is_refused_without_reading(tmp_path):
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    found = read_session_guarded(link)
    assert found["message"].startswith("zero.json: it is a device"), found
    assert found["peak_mb"] < 600  # nothing was read


@needs_fifo
def test_opening_a_fifo_session_in_the_window_says_why(window, tmp_path):
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    before = window.state.snapshot()
    # Guarded in a subprocess above; here the window's path, which must return at once.
    assert not window.session_manager.open_session(fifo)
    assert "named pipe (FIFO)" in window.session_manager.last_error
    assert window.state.snapshot().x is before.x
    close_boxes(window)


# ---- session files ------------------------------------------------------------------------------


def test_a_198_mb_file_of_empty_lists_is_refused_by_its_size(tmp_path):
    path = tmp_path / "lists.json"
    chunk = b"[]," * (2**20 // 3)
    with path.open("wb") as fh:
        fh.write(b"[")
        for _ in range(198):
            fh.write(chunk)
        fh.write(b"[]]")
    assert path.stat().st_size > 190 * 2**20
    found = read_session_guarded(path)
    assert "is larger than a session file may be (64 MB at most)" in found["message"]
    assert found["peak_mb"] < 600  # refused before reading: the 5 GB parse never happens


def test_lists_under_the_size_cap_are_refused_by_their_parse_cost(tmp_path):
    path = tmp_path / "lists.json"
    path.write_bytes(b"[" + b"[]," * (40 * 2**20 // 3) + b"[]]")  # 40 MB: under the size cap
    found = read_session_guarded(path)
    assert "reading it would take about" in found["message"], found
    assert found["peak_mb"] < 900  # the text, not the ~1 GB of lists


def test_a_400_digit_bias_or_zoom_is_refused_with_a_message(qapp):
    data = session_mod.session_to_dict(session_from_state(AppState()))
    huge = int("9" * 400)
    data["params"]["bias"] = huge
    with pytest.raises(ValueError, match=r"params\.bias is an integer with 400 digits"):
        session_mod.session_from_dict(data)
    data["params"]["bias"] = None
    data["view"]["zoom"] = huge
    with pytest.raises(ValueError, match=r"view\.zoom is an integer with 400 digits"):
        session_mod.session_from_dict(data)
    data["view"]["zoom"] = 1.0
    data["x"] = [[[[1, -huge]]]]
    with pytest.raises(ValueError, match=r"x\[0\]\[0\]\[0\]: an integer with 400 digits"):
        session_mod.session_from_dict(data)


def _huge_zoom_text() -> str:
    text = dumps(session_from_state(AppState()), {"autosave": {"clean_exit": False}})
    data = json.loads(text)
    data["view"]["zoom"] = int("7" * 400)
    return json.dumps(data)


def test_opening_a_file_with_a_huge_integer_gives_a_message(window, tmp_path):
    path = tmp_path / "zoom.json"
    path.write_text(_huge_zoom_text())
    assert not window.session_manager.open_session(path)
    assert window.session_manager.last_error.startswith(
        "zoom.json: view.zoom is an integer with 400 digits"
    )
    close_boxes(window)


# ---- autosave that cannot be read ---------------------------------------------------------------


def _build_window(qtbot):
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    return win


def autosave_file() -> Path:
    path = data_dir() / "autosave.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@pytest.mark.parametrize("field", ["bias", "zoom"])
def test_an_autosave_with_a_400_digit_number_is_set_aside_and_the_app_starts(qtbot, field):
    text = dumps(session_from_state(AppState()), {"autosave": {"clean_exit": False}})
    data = json.loads(text)
    if field == "bias":
        data["params"]["bias"] = int("9" * 400)
    else:
        data["view"]["zoom"] = int("9" * 400)
    bad = json.dumps(data)
    autosave_file().write_text(bad)

    win = _build_window(qtbot)  # used to raise OverflowError here, on every start

    manager = win.session_manager
    assert win.state.op == AppState().op  # a fresh start
    kept = sorted(data_dir().glob("autosave.bad-*.json"))
    assert len(kept) == 1 and kept[0].read_text() == bad
    assert not autosave_file().exists()
    assert "400 digits" in manager.notice and kept[0].name in manager.notice
    bar = win.findChild(QToolBar, "autosaveNoticeBar")
    assert bar is not None
    label = bar.findChild(QLabel, "autosaveNoticeLabel")
    assert kept[0].name in label.text() and "started fresh" in label.text()
    bar.findChild(QPushButton, "autosaveNoticeButton").click()
    assert win.findChild(QToolBar, "autosaveNoticeBar") is None or manager.notice_bar is None
    # The next autosave is a good one again.
    assert manager.autosave()
    read_session(autosave_file())


def test_two_bad_autosaves_in_the_same_second_keep_both(qtbot):
    autosave_file().write_text("not json")
    _build_window(qtbot).session_manager.release_slot()
    autosave_file().write_text("still not json")
    _build_window(qtbot)
    kept = sorted(p.read_text() for p in data_dir().glob("autosave.bad-*.json"))
    assert kept == ["not json", "still not json"]


def test_an_autosave_that_is_a_folder_is_set_aside(qtbot):
    autosave_file().mkdir()
    win = _build_window(qtbot)
    assert "folder" in win.session_manager.notice
    assert not autosave_file().exists()
    assert win.session_manager.autosave()  # the slot works again


@needs_fifo
def test_an_autosave_that_is_a_fifo_does_not_hang_the_start(tmp_path):
    os.mkfifo(autosave_file())
    found = run_guarded(
        """
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from visualizer.main_window import MainWindow
        win = MainWindow()
        print(json.dumps({"notice": win.session_manager.notice}))
        win.close()
        """,
        timeout=60,
        memory_gb=4,
    )
    assert "named pipe (FIFO)" in found["notice"]
    assert list(data_dir().glob("autosave.bad-*.json"))

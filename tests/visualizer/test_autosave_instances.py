"""Several instances at once: one autosave slot per running instance (QLockFile), recovery
offered for exactly the instances that died, never a false "did not close normally" bar
while another instance still runs.

The autosave folder is per test (tests/conftest.py); subprocesses inherit it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtWidgets import QPushButton, QToolBar

from visualizer import session as session_mod
from visualizer.data import RandomSpec
from visualizer.session import autosave_file, dumps, read_session, session_from_state
from visualizer.settings import data_dir
from visualizer.state import AppState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def on_screen(monkeypatch):
    """Offers appear by themselves, as on a desktop (offscreen they wait to be asked)."""
    monkeypatch.setattr(session_mod.QGuiApplication, "platformName", staticmethod(lambda: "xcb"))


def build_window(qtbot):
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    return win


def bars(window, name: str) -> list[QToolBar]:
    return [b for b in window.findChildren(QToolBar, name) if not b.isHidden()]


def write_autosave(slot: int, op: str, clean: bool) -> AppState:
    state = AppState()
    assert state.set_op(op)
    path = autosave_file(slot)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(session_from_state(state), {"autosave": {"clean_exit": clean}}))
    return state


def wait_for(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def hold_lock(slot: int) -> subprocess.Popen:
    """A process that holds the slot's lock, like a running instance, until killed."""
    lock = data_dir() / ("autosave.lock" if slot == 0 else f"autosave-{slot}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    code = textwrap.dedent(
        f"""
        import sys, time
        from PySide6.QtCore import QCoreApplication, QLockFile
        app = QCoreApplication([])
        lock = QLockFile({str(lock)!r})
        lock.setStaleLockTime(0)
        print(lock.tryLock(0), flush=True)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "True"
    return proc


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
    proc.wait(timeout=30)


# ---- in one process: two windows are two instances ----------------------------------------------


def test_a_second_instance_shows_no_offer_while_the_first_runs(qtbot, on_screen):
    first = build_window(qtbot)
    assert first.state.set_op("avg")
    assert first.session_manager.autosave()  # the first one's work, not marked clean: it runs
    second = build_window(qtbot)
    assert bars(second, "restoreSessionBar") == []
    assert bars(second, "restoreOtherSessionBar") == []
    assert first.session_manager.autosave_path().name == "autosave.json"
    assert second.session_manager.autosave_path().name == "autosave-1.json"
    assert second.state.set_op("conv")
    assert second.session_manager.autosave()
    # Each writes its own file: neither overwrites the other's work.
    assert read_session(autosave_file(0))[0].snapshot.op == first.state.op
    assert read_session(autosave_file(1))[0].snapshot.op == second.state.op


def test_a_closed_instance_frees_its_slot(qtbot):
    first = build_window(qtbot)
    first.close()
    second = build_window(qtbot)
    assert second.session_manager.autosave_path().name == "autosave.json"


def test_every_dead_instance_is_offered_once(qtbot, on_screen):
    write_autosave(0, "avg", clean=False)  # two instances that died (no live lock)
    conv = write_autosave(1, "conv", clean=False)
    write_autosave(2, "avg", clean=True)  # one that closed normally: not offered
    win = build_window(qtbot)
    assert len(bars(win, "restoreSessionBar")) == 1  # its own slot's last run
    others = bars(win, "restoreOtherSessionBar")
    assert len(others) == 1
    others[0].findChild(QPushButton, "restoreSessionButton").click()
    assert win.state.op == conv.op
    np.testing.assert_array_equal(win.state.weight, conv.weight)
    assert bars(win, "restoreOtherSessionBar") == []
    # Answered: kept (marked clean), not offered again.
    saved, raw = read_session(autosave_file(1))
    assert saved.snapshot.op == conv.op and raw["autosave"]["clean_exit"] is True
    win.close()
    again = build_window(qtbot)
    assert bars(again, "restoreOtherSessionBar") == []


def test_a_running_instance_in_another_slot_is_never_offered(qtbot, on_screen):
    write_autosave(1, "conv", clean=False)
    holder = hold_lock(1)
    try:
        win = build_window(qtbot)
        assert bars(win, "restoreOtherSessionBar") == []
        assert not win.session_manager.offer_restore()
        win.close()
    finally:
        kill(holder)
    win = build_window(qtbot)  # now it has died: offered
    assert len(bars(win, "restoreOtherSessionBar")) == 1


def test_a_lock_file_left_unreadable_by_a_crash_is_reclaimed(qtbot):
    lock = data_dir() / "autosave.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_bytes(b"")
    os.utime(lock, (0, 0))  # written long ago
    win = build_window(qtbot)
    assert win.session_manager.autosave_path().name == "autosave.json"


def test_a_fresh_unreadable_lock_file_is_respected(qtbot):
    lock = data_dir() / "autosave.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    lock.write_bytes(b"")  # just being written by a starting instance
    win = build_window(qtbot)
    assert win.session_manager.autosave_path().name == "autosave-1.json"


# ---- real processes ------------------------------------------------------------------------------


def test_a_killed_instance_is_recovered_after_another_closed_cleanly(qtbot, on_screen):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    first = subprocess.Popen(
        [sys.executable, "main.py", "--seed", "3", "--input-size", "6x6"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # The first instance autosaves its seeded input about a second after it starts.
        wait_for(lambda: autosave_file(0).exists())
        wait_for(lambda: read_session(autosave_file(0))[0].snapshot.x.shape[-1] == 6)
        second = build_window(qtbot)
        assert bars(second, "restoreSessionBar") == []  # the first still runs: no false bar
        assert bars(second, "restoreOtherSessionBar") == []
    finally:
        kill(first)  # the first instance dies
    assert second.state.set_op("avg")
    second.close()  # and the second closes cleanly
    third = build_window(qtbot)
    own = bars(third, "restoreSessionBar")
    assert len(own) == 1 and bars(third, "restoreOtherSessionBar") == []
    own[0].findChild(QPushButton, "restoreSessionButton").click()
    expected = RandomSpec("int", 0, 9, 3).make((1, 1, 6, 6))
    np.testing.assert_array_equal(third.state.x, expected)

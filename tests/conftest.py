"""Shared fixtures: Qt runs off screen, and ``window`` is a shown 1366×768 MainWindow."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_main(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``python main.py *args`` from the checkout, off screen; its output as text."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "main.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item):
    """No automatic garbage collection while a test is torn down: pytest-qt closes its widgets,
    deletes them and processes events (which may paint and run zero-time timers) before
    _collect_qt_garbage collects.  A collection set off by an allocation in those events (the
    cell pictures made after a paint allocate) finalised a test's top-level view while Qt
    still sent it events ("'MatrixView' object has no attribute 'magnifier'"), or a wrapper
    whose C++ object Qt had deleted came back for a new widget at the same address (a
    segmentation fault).  Collected explicitly afterwards, in a fixed order."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        return (yield)
    finally:
        if enabled:
            gc.enable()


@pytest.fixture(autouse=True)
def _collect_qt_garbage(request):
    """After a test that used Qt, delete what it scheduled for deletion and collect Python's
    garbage at once, while the QApplication runs: wrappers of Qt objects are then never
    finalised later, at a random moment inside another test (a rare crash seen once under
    load during the garbage collection of a later, Qt-free test)."""
    yield
    if not {"qtbot", "qapp", "window"} & set(request.fixturenames):
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent

    app = QCoreApplication.instance()
    if app is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        app.processEvents()
    gc.collect()


@pytest.fixture(autouse=True)
def _isolated_user_files(tmp_path_factory, monkeypatch):
    """Settings (QSettings) and the session autosave go to a fresh folder for every test, so
    no test reads or writes the real user's files, and none sees another test's settings.
    Subprocesses inherit the variables.  See visualizer/settings.py."""
    folder = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("POOLING_VISUALIZER_CONFIG_DIR", str(folder / "config"))
    monkeypatch.setenv("POOLING_VISUALIZER_DATA_DIR", str(folder / "data"))


def new_window(qtbot):
    """A new application window in its default state, shown at a laptop screen's size."""
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    return win


@pytest.fixture
def window(qtbot):
    """The whole application window in its default state, sized like a laptop screen."""
    return new_window(qtbot)

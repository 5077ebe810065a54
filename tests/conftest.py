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


QT_FIXTURES = frozenset({"qtbot", "qapp", "window"})


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_protocol(item, nextitem):
    """No automatic garbage collection during a test that uses Qt (set-up, call, tear-down):
    its garbage is collected explicitly, outside any event, by _collect_qt_garbage and once
    more here after pytest-qt has closed the test's widgets.

    pytest-qt keeps only weak references to the widgets a test adds, so a shown view held by
    nothing but a reference cycle is garbage as soon as the test's function returns, yet Qt
    still paints it while pytest-qt processes the events after the call.  A collection set off
    by an allocation inside that paint event (Python's allocations start collections) deleted
    the view, and with it the backing store the paint was drawing into: valgrind showed
    QPainter::drawText reading the QImage that ~QBackingStore had freed, from a collection
    started in a cell's paint (a segmentation fault in one CI run, and every time in
    tests/visualizer/test_step_work.py run alone at b32ecf2).  During tear-down the same
    collection finalised a view while Qt still sent it events ("'MatrixView' object has no
    attribute 'magnifier'"), or a wrapper whose C++ object Qt had deleted came back for a new
    widget at the same address."""
    import gc

    qt = bool(QT_FIXTURES & set(getattr(item, "fixturenames", ())))
    enabled = gc.isenabled()
    if qt:
        gc.disable()
    try:
        return (yield)
    finally:
        if qt:
            _forget_last_failure()
            gc.collect()
            if enabled:
                gc.enable()


def _forget_last_failure() -> None:
    """Drop the failed test's traceback that pytest keeps for post-mortem debugging
    (``sys.last_traceback`` and friends): its frames would keep that test's Qt objects alive
    into the next tests, to be finalised whenever the next failure replaces them."""
    for name in ("last_type", "last_value", "last_traceback", "last_exc"):
        if hasattr(sys, name):
            setattr(sys, name, None)


@pytest.fixture(autouse=True)
def _collect_qt_garbage(request):
    """After a test that used Qt, delete what it scheduled for deletion and collect Python's
    garbage at once, while the QApplication runs: wrappers of Qt objects are then never
    finalised later, at a random moment inside another test (a rare crash seen once under
    load during the garbage collection of a later, Qt-free test)."""
    yield
    if not QT_FIXTURES & set(request.fixturenames):
        return
    import gc

    _forget_last_failure()
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


@pytest.fixture
def restore_look(qapp):
    """Theme and palette are application-wide: put them back for the next test (a module
    whose tests change them uses it: ``pytestmark = pytest.mark.usefixtures(...)``)."""
    yield
    from visualizer.view_settings import view_settings

    view_settings().set_theme("system")
    view_settings().set_palette("standard")


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

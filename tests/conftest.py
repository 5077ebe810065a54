"""Shared fixtures: Qt runs off screen, and ``window`` is a shown 1366×768 MainWindow."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


def qt_binding_drops_references() -> bool:
    """Whether the installed PySide6 loses a reference to ``None`` on every void call.

    PySide6/shiboken6 6.12.0 on CPython 3.11 does (None, True and False are immortal only
    from 3.12 on): after a few thousand Qt calls Python aborts with "deallocating None".
    ``tests/visualizer/test_window.py::test_qt_binding_keeps_references`` reports it.
    """
    if sys.version_info >= (3, 12):
        return False
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(100):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before - 50


# With a broken binding, keep enough spare references to None, True and False for the whole
# session, so one reported failure does not turn into an abort of every later test.
_REFCOUNT_BALLAST = [None, True, False] * 2_000_000 if qt_binding_drops_references() else []


@pytest.fixture
def window(qtbot):
    """The whole application window in its default state, sized like a laptop screen."""
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitExposed(win)
    return win

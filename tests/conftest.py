"""Shared fixtures: Qt runs off screen, and ``window`` is a shown 1366×768 MainWindow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


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

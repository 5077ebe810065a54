"""Shared fixtures: Qt runs off screen, and ``window`` is a shown 1366×768 MainWindow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


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

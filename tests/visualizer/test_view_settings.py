"""View settings: one object per application holds the theme and the palette; views follow its
signals, and nothing else keeps them (no module globals)."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from visualizer.view_settings import PALETTES, THEMES, ViewSettings, view_settings
from visualizer.widgets import matrix_view

pytestmark = pytest.mark.usefixtures("restore_look")


def test_one_instance_per_application(qapp):
    settings = view_settings()
    assert isinstance(settings, ViewSettings)
    assert settings is view_settings()
    assert settings.parent() is qapp
    assert settings.theme in THEMES and settings.palette in PALETTES


def test_signals_fire_on_a_change_only(qapp, qtbot):
    settings = view_settings()
    with qtbot.waitSignal(settings.sigPaletteChanged) as blocker:
        settings.set_palette("colorblind")
    assert blocker.args == ["colorblind"]
    with qtbot.assertNotEmitted(settings.sigPaletteChanged):
        settings.set_palette("colorblind")
    with qtbot.waitSignal(settings.sigThemeChanged) as blocker:
        settings.set_theme("dark")
    assert blocker.args == ["dark"]


def test_unknown_names_are_refused(qapp):
    with pytest.raises(ValueError, match="theme"):
        view_settings().set_theme("purple")
    with pytest.raises(ValueError, match="palette"):
        view_settings().set_palette("rainbow")


def test_a_matrix_view_redraws_when_the_palette_changes(qtbot):
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    view.set_matrix(np.arange(4.0).reshape(2, 2))

    def brush():
        return view.model.data(view.model.index(1, 1), Qt.BackgroundRole).color()

    before = brush()
    view_settings().set_palette("colorblind")
    assert brush() != before
    assert matrix_view.style_pens()["winner"][0] == matrix_view.PALETTES["colorblind"][2]["winner"]
    view_settings().set_palette("standard")
    assert brush() == before


def test_the_gui_benchmark_times_the_default_settings(monkeypatch, tmp_path):
    """benchmarks/gui_bench.py read the user's settings: a zoom of 1.6 saved by an earlier
    run made every case it timed a zoomed window.  It now runs on settings of its own."""
    import os

    from benchmarks import gui_bench
    from visualizer.settings import CONFIG_ENV, DATA_ENV, app_settings

    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "user"))
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "data"))
    saved = app_settings()
    saved.setValue("view/zoom", 1.6)
    saved.sync()
    assert float(app_settings().value("view/zoom")) == 1.6
    scratch = gui_bench.own_settings()
    try:
        assert app_settings().value("view/zoom") is None
        assert os.environ[DATA_ENV].startswith(scratch.name)
    finally:
        scratch.cleanup()

"""What the first window leaves for later (issue 7: first paint ≤ 1.5 s): modules and widgets
that the first paint does not show are neither imported nor made."""

from __future__ import annotations

import json
import os

from conftest import ROOT
from PySide6.QtCore import Qt

from benchmarks.measure import fresh_python

# A fresh process: what an earlier test imported or made would hide what the window needs.
FIRST_PAINT = """
import json, sys
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication, QDockWidget, QWidget
from visualizer.main_window import MainWindow
from visualizer.widgets.matrix_view import MatrixView
pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
app = QApplication([])
window = MainWindow()
window.resize(1366, 768)
window.show()
app.processEvents()
window.grab()
views = window.findChildren(MatrixView)
print(json.dumps({
    "modules": sorted(
        m
        for m in ("PIL", "numpy.ma", "concurrent.futures", "engine.pitfalls", "visualizer.verify")
        if m in sys.modules
    ),
    "shown": sorted(v.objectName() for v in views if v.isVisible()),
    "made": sorted(v.objectName() for v in views if v.has_heatmap),
    "docks": sorted(d.objectName() for d in window.findChildren(QDockWidget)),
    "lecture_strip": window.findChild(QWidget, "quizLectureStrip") is not None,
    "hidden_panels": sorted(
        d.objectName()
        for d in window.findChildren(QDockWidget)
        if not d.isVisible() and d.widget() is not None
    ),
}))
"""


def test_the_first_window_imports_and_makes_only_what_it_shows():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = fresh_python(FIRST_PAINT, env, ROOT)
    found = json.loads(out.strip().splitlines()[-1])
    # Pillow is for a GIF export, numpy.ma was np.unique's check for a masked array, the
    # engine's thread pool is for large inputs, the pitfalls for the Pitfalls dock and quiz
    # hints, the checks for the Verify dock's runs.
    assert found["modules"] == []
    # A heat map (with its pyqtgraph image items) only where one is drawn: the default
    # example's five views, of the dozen the operations have, show tables.  The process's
    # first view makes one to measure a fresh heat map's size hints (see _HeatMapRoom).
    assert len(found["shown"]) == 5
    assert len(found["made"]) == 1


# Docks whose panel is made when the dock is first shown (see PanelDock, CodePanel._build,
# VerifyPanel._build); tests/visualizer/test_pitfalls_panel.py, test_quiz.py, test_code_panel.py
# and test_verify.py open them.
LAZY_DOCKS = ["codeDock", "pitfallsDock", "quizDock", "verifyDock"]


def test_the_hidden_docks_have_no_panel_before_they_are_first_shown():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    found = json.loads(fresh_python(FIRST_PAINT, env, ROOT).strip().splitlines()[-1])
    assert set(LAZY_DOCKS) <= set(found["docks"])  # the docks themselves are there
    assert not set(LAZY_DOCKS) & set(found["hidden_panels"])
    # Nor the quiz's strip for the lecture layout (test_quiz.py shows it there).
    assert not found["lecture_strip"]


def test_a_dock_made_lazily_gets_its_panel_when_shown(qtbot):
    from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

    from visualizer.ui import PanelDock

    class Dock(PanelDock):
        def retranslate_ui(self) -> None:
            self.setWindowTitle("dock")

    made: list[QLabel] = []

    def make() -> QLabel:
        made.append(QLabel("panel"))
        return made[-1]

    window = QMainWindow()
    qtbot.addWidget(window)
    dock = Dock(make, "lazyDock", window)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    dock.hide()
    window.show()
    assert made == [] and dock.widget() is None
    dock.toggleViewAction().trigger()
    qtbot.waitUntil(dock.isVisible)
    assert len(made) == 1 and dock.widget() is made[0] and dock.panel is made[0]
    assert made[0].isVisible()
    dock.hide()
    dock.show()
    assert len(made) == 1  # made once
    assert isinstance(dock, QDockWidget)


# PySide6 reads the source of every module imported after it (``inspect.getsource``) to see
# whether it uses PySide6: ~0.6 ms each, ~90 modules for the window.
SOURCES_READ = """
import inspect
import PySide6.QtCore
read = []
real = inspect.getsource
def spy(obj):
    read.append(getattr(obj, "__name__", ""))
    return real(obj)
inspect.getsource = spy
from visualizer.main_window import MainWindow
print(" ".join(name for name in read if name.split(".")[0] in ("visualizer", "engine")))
"""


def test_pyside_reads_no_source_of_the_app_as_the_window_is_imported():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = fresh_python(SOURCES_READ, env, ROOT)
    assert out.strip() == ""

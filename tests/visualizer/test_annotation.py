"""The annotation pen (issue 10, point 9): P draws over the matrices, C changes the colour, E
erases the strokes it touches, Delete clears; an option clears the drawing on every step;
drawings are never saved into a session."""

from __future__ import annotations

import json

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication


def draw(qtbot, layer, points: list[tuple[int, int]]) -> None:
    first = QPoint(*points[0])
    qtbot.mousePress(layer, Qt.LeftButton, pos=first)
    for x, y in points[1:]:
        qtbot.mouseMove(layer, QPoint(x, y))
    qtbot.mouseRelease(layer, Qt.LeftButton, pos=QPoint(*points[-1]))
    QApplication.processEvents()


def test_pen_draws_strokes_over_the_lecture_view(window, qtbot):
    a = window.annotation
    layer = a.layer
    assert a.pen_action.shortcut() == QKeySequence("P")
    assert layer.parent() is window.lecture_area
    assert layer.testAttribute(Qt.WA_TransparentForMouseEvents)  # off: the matrices get clicks
    a.pen_action.trigger()
    assert layer.tool == "pen" and not layer.testAttribute(Qt.WA_TransparentForMouseEvents)
    draw(qtbot, layer, [(100, 100), (140, 120), (180, 160)])
    assert len(layer.strokes) == 1
    assert len(layer.strokes[0].points) >= 2
    assert layer.strokes[0].colour == "red"
    a.colour_action.trigger()
    draw(qtbot, layer, [(300, 300), (340, 300)])
    assert [s.colour for s in layer.strokes] == ["red", "green"]
    a.pen_action.trigger()
    assert layer.tool == "" and layer.testAttribute(Qt.WA_TransparentForMouseEvents)


def test_three_colours_cycle(window):
    a = window.annotation
    seen = []
    for _ in range(4):
        seen.append(a.layer.colour)
        a.next_colour()
    assert seen == ["red", "green", "blue", "red"]


def test_eraser_removes_the_stroke_it_touches(window, qtbot):
    a = window.annotation
    layer = a.layer
    a.set_tool("pen")
    draw(qtbot, layer, [(100, 100), (200, 100)])
    draw(qtbot, layer, [(100, 300), (200, 300)])
    a.eraser_action.trigger()
    assert layer.tool == "eraser" and not a.pen_action.isChecked()
    draw(qtbot, layer, [(150, 102)])
    assert len(layer.strokes) == 1 and layer.strokes[0].points[0].y() == 300
    a.clear_action.trigger()
    assert layer.strokes == []


def test_clear_on_step_is_an_option(window, qtbot):
    a = window.annotation
    st = window.state
    a.set_tool("pen")
    draw(qtbot, a.layer, [(100, 100), (200, 100)])
    st.set_step(st.step + 1)
    assert len(a.layer.strokes) == 1  # kept by default
    a.clear_on_step_action.setChecked(True)
    st.set_step(st.step + 1)
    assert a.layer.strokes == []


def test_drawings_are_not_saved_in_a_session(window, qtbot, tmp_path):
    a = window.annotation
    a.set_tool("pen")
    draw(qtbot, a.layer, [(100, 100), (200, 100)])
    path = tmp_path / "s.json"
    assert window.session_manager.save_session(path)
    text = path.read_text(encoding="utf-8")
    assert "annotation" not in text.lower() and "stroke" not in text.lower()
    json.loads(text)


def test_pen_works_in_presentation_mode(window, qtbot):
    window.presentation.set_presentation(True, save=False)
    QApplication.processEvents()
    a = window.annotation
    layer = a.layer
    assert layer.isVisible() and layer.geometry() == window.lecture_area.rect()
    a.pen_action.trigger()
    draw(qtbot, layer, [(50, 50), (90, 80)])
    assert len(layer.strokes) == 1

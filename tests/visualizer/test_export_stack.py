"""GIF export in Stack mode (visualizer/export.py): the stack's level views with its step counter
and step text are recorded, one frame per stack step; the step is put back.  Assertions on data:
frame counts, the step and step text at every frame, frames that change as levels fill in."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtGui import QAction

from visualizer.export import (
    export_gif,
    export_lecture_gif,
    gif_steps,
    lecture_widget,
    matrices_widget,
    matrix_widget,
)
from visualizer.model.stack import read_stack_file
from visualizer.resources import asset


def open_stack_by_layer(window):
    window.findChild(QAction, "stack_action").trigger()
    st = window.state.stack_state
    assert st.is_open
    assert st.set_stepping("layers")
    return window.stack_panel, st


def frames_of(path):
    with Image.open(path) as im:
        out = []
        for k in range(im.n_frames):
            im.seek(k)
            out.append(np.asarray(im.convert("RGB")).copy())
    return out


def test_stack_gif_records_the_levels_with_counter_and_step_text(window, tmp_path):
    panel, st = open_stack_by_layer(window)
    n_layers = len(window.state.stack.layers)
    assert st.cursor.n_steps == 2 * n_layers
    st.set_step(1)
    area = matrices_widget(window)
    assert area is panel.record_area is lecture_widget(window)
    assert area.isAncestorOf(panel.level_views[0]) and area.isAncestorOf(panel.step_text_label)
    assert area.isAncestorOf(panel.step_label)
    seen = []

    def progress(done, total):
        if done < total:
            seen.append(None)  # filled in by the step that follows
        return True

    texts = []
    st.sigStackStepChanged.connect(lambda _s: texts.append(panel.step_text_label.text()))
    path = tmp_path / "stack.gif"
    frames = export_gif(window.state, area, path, delay_ms=100, phase="both", progress=progress)
    assert frames == len(gif_steps(window.state, "both")) == 2 * n_layers == len(seen)
    # every step's own text was on screen (the layer named), then the step was put back
    assert all(f"layer {k + 1}" in texts[k] for k in range(n_layers))
    assert st.step == 1
    images = frames_of(path)
    assert len(images) == frames
    assert images[0].shape[:2] == (area.height(), area.width())
    # the levels fill in: consecutive forward frames differ
    for k in range(n_layers - 1):
        assert (images[k] != images[k + 1]).any()


def test_stack_gif_phases_are_the_stacks(window, tmp_path):
    _panel, st = open_stack_by_layer(window)
    f = st.cursor.n_forward
    assert gif_steps(window.state, "forward") == range(0, f)
    assert gif_steps(window.state, "backward") == range(f, st.cursor.n_steps)
    path = tmp_path / "back.gif"
    assert export_gif(window.state, matrices_widget(window), path, 100, "backward") == f


def test_stack_lecture_gif_is_recorded_in_the_lecture_layout(window, tmp_path):
    panel, st = open_stack_by_layer(window)
    shown = []
    st.sigStackStepChanged.connect(
        lambda _s: shown.append((panel.lecture, panel.shapes_table.isVisible()))
    )
    path = tmp_path / "lecture.gif"
    frames = export_lecture_gif(window, path, 100, "forward")
    assert frames == st.cursor.n_forward
    assert shown and all(lecture and not table for lecture, table in shown[:frames])
    assert not panel.lecture and panel.shapes_table.isVisible()  # put back


def test_stack_gif_refuses_one_matrix_and_too_many_frames(window, tmp_path):
    _panel, st = open_stack_by_layer(window)
    with pytest.raises(ValueError, match="Stack mode"):
        matrix_widget(window, "output")
    doc = read_stack_file(asset("presets", "stacks", "02_lenet_style.json"))
    st.load(doc)
    assert st.set_stepping("windows")
    assert st.cursor.n_steps > 500
    with pytest.raises(ValueError, match="by layer"):
        export_gif(window.state, matrices_widget(window), tmp_path / "x.gif", 100, "both")
    assert not (tmp_path / "x.gif").exists()


def test_exporter_records_the_stack(window, tmp_path):
    _panel, st = open_stack_by_layer(window)
    path = tmp_path / "menu.gif"
    assert window.exporter.export_gif(path, "panel", 100, "both") == st.cursor.n_steps
    assert window.exporter.last_error == ""

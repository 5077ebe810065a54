"""One work budget checked before computing, by the state, file loading and the command line
(issue 8, point 2): combinations inside every parameter's range that together are too much are
refused with a message naming what is too large, and nothing changes."""

from __future__ import annotations

import json
import tracemalloc

import numpy as np
from PySide6.QtWidgets import QMessageBox, QSpinBox

from tests.conftest import run_main
from visualizer.session import session_from_state, session_to_dict
from visualizer.state import AppState


def image_state() -> AppState:
    st = AppState()
    assert st.set_input(np.zeros((1, 1, 1024, 1024)))
    return st


def test_parameters_that_together_read_too_many_taps_are_refused(qapp):
    st = image_state()
    before, count = st.snapshot(), st.undo_stack.count()
    assert not st.set_params(kernel_size=64, stride=1, padding=32)
    assert "window taps (1 × 1 × 1 × 1050625 windows × 4096 taps)" in str(st.error)
    assert st.params == before.params and st.undo_stack.count() == count
    assert st.x is before.x


def test_batch_and_channels_beyond_the_budget_allocate_nothing(qapp):
    st = image_state()
    x = st.x
    tracemalloc.start()
    try:
        assert not st.set_shape(64, 64)  # 32 GB per array
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
    assert st.x is x
    assert "the max-pooling mask and ties alone takes" in str(st.error)


def test_the_spin_boxes_snap_back_and_the_message_is_shown(window):
    st = window.state
    assert st.set_input(np.zeros((1, 1, 1024, 1024)))
    batch = window.findChild(QSpinBox, "batch_spinbox")
    channels = window.findChild(QSpinBox, "channels_spinbox")
    batch.setValue(8)
    assert st.x.shape[:2] == (8, 1)
    channels.setValue(8)  # 8 × 8 × 1024 × 1024: 4.5 GB
    assert st.x.shape[:2] == (8, 1)
    assert channels.value() == 1
    assert "more than the work budget of 2 GB" in str(st.error)


def test_a_session_file_over_the_budget_is_refused(window, tmp_path):
    st = window.state
    data = session_to_dict(session_from_state(AppState()))
    data["x"] = np.zeros((1, 1, 512, 512), dtype=int).tolist()
    data["params"]["kernel_size"] = [64, 64]
    data["params"]["stride"] = [1, 1]
    data["grad_output"] = np.ones((1, 1, 449, 449), dtype=int).tolist()
    path = tmp_path / "heavy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before, count = st.snapshot(), st.undo_stack.count()
    assert not window.session_manager.open_session(path)
    message = window.session_manager.last_error
    assert message.startswith("heavy.json") and "201601 windows × 4096 taps" in message
    assert st.x is before.x and st.undo_stack.count() == count
    for box in window.findChildren(QMessageBox):
        box.close()


def test_the_command_line_refuses_it_with_exit_2(tmp_path):
    shot = tmp_path / "o.png"
    args = ["--input-size", "1024x1024", "--kernel", "64", "--stride", "1"]
    result = run_main(*args, "--screenshot", str(shot), timeout=300)
    assert result.returncode == 2, result.stderr
    assert "window taps" in result.stderr and "more than the work budget" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not shot.exists()

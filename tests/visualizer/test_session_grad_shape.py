"""A session's dY of the wrong shape is refused with its shape and the expected one, never
silently replaced by ones (issue 8, point 13)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QMessageBox

from visualizer.session import apply_session, session_from_dict, session_from_state, session_to_dict
from visualizer.state import AppState


def test_a_wrong_shaped_dy_in_a_file_is_refused_and_named(window, tmp_path):
    st = window.state
    data = session_to_dict(session_from_state(AppState()))
    data["grad_output"] = [[[[5, 6, 7]]]]  # the output is 4×4
    path = tmp_path / "dy.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = st.snapshot()
    undo_count = st.undo_stack.count()
    manager = window.session_manager

    assert not manager.open_session(path)

    message = manager.last_error
    assert "dY (grad_output) has shape (1, 1, 1, 3)" in message, message
    assert "(1, 1, 4, 4)" in message
    assert st.undo_stack.count() == undo_count
    np.testing.assert_array_equal(st.grad_output, before.grad_output)
    for box in window.findChildren(QMessageBox):
        box.close()


def test_a_fitting_dy_in_a_file_is_used_exactly(qapp):
    st = AppState()
    data = session_to_dict(session_from_state(st))
    dy = np.arange(16.0).reshape(1, 1, 4, 4) - 7.5
    data["grad_output"] = dy.tolist()
    apply_session(st, session_from_dict(data))
    np.testing.assert_array_equal(st.grad_output, dy)


def test_the_app_itself_still_refills_dy_when_the_output_changes(qapp):
    st = AppState()
    assert st.set_params(kernel_size=3, stride=1)  # output 6×6: dY refilled with ones
    assert st.grad_output.shape == (1, 1, 6, 6) and (st.grad_output == 1).all()


def test_the_refusal_is_kept_as_a_structured_error(qapp):
    st = AppState()
    data = session_to_dict(session_from_state(st))
    data["grad_output"] = [[[[1.0]]]]
    with pytest.raises(ValueError, match=r"dY \(grad_output\) has shape \(1, 1, 1, 1\)"):
        apply_session(st, session_from_dict(data))
    assert st.error is not None and st.error.fields["expected"] == (1, 1, 4, 4)

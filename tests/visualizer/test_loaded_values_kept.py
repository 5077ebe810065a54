"""Values loaded beyond a control's own range are shown exactly and never cut by an unrelated
edit (issue 8, point 4: 16 channels were shown as 8 and cut to 8 when the batch changed)."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QSpinBox

from visualizer.limits import EDIT_MAX_CHANNELS
from visualizer.session import Session, apply_session


def spinbox(window, name: str) -> QSpinBox:
    box = window.findChild(QSpinBox, name)
    assert box is not None, name
    return box


def test_sixteen_channels_are_shown_and_kept_when_the_batch_changes(window):
    st = window.state
    x = np.arange(1 * 16 * 4 * 4, dtype=float).reshape(1, 16, 4, 4)
    snap = st.snapshot()
    loaded = type(snap)(**{**snap.__dict__, "x": x, "grad_output": np.ones((1, 16, 2, 2))})
    apply_session(st, Session(loaded))
    assert st.x.shape[1] == 16 > EDIT_MAX_CHANNELS
    assert spinbox(window, "channels_spinbox").value() == 16
    spinbox(window, "batch_spinbox").setValue(2)  # an unrelated edit
    assert st.x.shape == (2, 16, 4, 4)
    np.testing.assert_array_equal(st.x[0], x[0])  # every loaded channel kept
    assert spinbox(window, "channels_spinbox").value() == 16
    # The box still stops at its own limit once the value comes back down.
    spinbox(window, "channels_spinbox").setValue(3)
    assert st.x.shape[1] == 3
    assert spinbox(window, "channels_spinbox").maximum() == EDIT_MAX_CHANNELS


def test_a_large_batch_is_shown_exactly(window):
    st = window.state
    assert st.set_shape(12, 1)
    assert spinbox(window, "batch_spinbox").value() == 12
    spinbox(window, "channels_spinbox").setValue(2)
    assert st.x.shape[:2] == (12, 2)


def test_a_pair_set_while_another_operation_is_shown_comes_back_as_a_pair(window):
    """set_params(kernel_size=2) while an operation without a kernel is shown kept the bare int;
    switching to an operation with a kernel then raised TypeError in the parameter panel."""
    from engine.ops import OPS

    st = window.state
    without = [spec.key for spec in OPS.values() if not spec.has_param("kernel_size")]
    with_kernel = [spec.key for spec in OPS.values() if spec.has_param("kernel_size")]
    assert without and with_kernel
    for first in without:
        for second in with_kernel:
            assert st.set_op(with_kernel[0]) and st.set_op(first)
            assert st.set_params(kernel_size=3, stride=2)
            assert st.set_op(second)
            assert st.params["kernel_size"] == (3, 3)
            assert spinbox(window, "kernel_size_spinbox").value() == 3
            assert spinbox(window, "kernel_size_w_spinbox").value() == 3
            assert st.set_params(kernel_size=2, stride=2)

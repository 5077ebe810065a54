"""The bias gradient db while stepping back (issue 10, point 4): like dW, the db the views show
is what the steps so far have added, in the lecture layout and out of it, never the final sum
at the first step.

Expected values are summed here from dY and the geometry (not by the engine's trace): conv2d's
step k adds dY of output cell k; the transposed convolution's step k adds the dY of input cell
k's patch (the default example's patches do not overlap: stride = kernel, no padding).
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel

from engine import format_number


def settle(qtbot) -> None:
    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(5)


def shown_db(window) -> str:
    label = window.findChild(QLabel, "gradBias")
    assert label is not None and label.isVisible()
    return str(label.text())


def expected_db(state, k: int) -> float:
    """db once backward steps 0 .. k are done, summed from dY."""
    dy = state.grad_output[0, 0]
    if state.op == "conv2d":
        return float(dy.reshape(-1)[: k + 1].sum())
    p = state.params
    (kh, kw), (sh, sw) = p.kernel_size, p.stride
    assert (kh, kw) == (sh, sw) and tuple(p.padding) == (0, 0) and tuple(p.dilation) == (1, 1)
    width = state.x.shape[3]
    total = 0.0
    for index in range(k + 1):
        ih, iw = divmod(index, width)
        total += float(dy[ih * sh : ih * sh + kh, iw * sw : iw * sw + kw].sum())
    return total


@pytest.mark.parametrize("lecture", [True, False], ids=["lecture", "panel"])
@pytest.mark.parametrize("op", ["conv_transpose2d", "conv2d"])
def test_db_shows_the_sum_so_far_while_stepping_back(window, qtbot, op, lecture):
    st = window.state
    assert st.set_op(op) is not False
    dy_random = window.findChild(QAbstractButton, "gradRandom")
    assert dy_random is not None
    dy_random.click()  # a dY that is not all ones: each step's share differs
    assert not np.all(st.grad_output == 1)
    assert st.params.bias is not None
    if lecture:
        window.presentation.set_presentation(True, save=False)
    st.set_phase("backward")
    settle(qtbot)
    n = st.n_windows
    final = float(st.grad_output[0, 0].sum())
    for k in (0, 1, 2, 5, n - 1, 3):
        st.set_step(n + k)
        settle(qtbot)
        assert shown_db(window) == f"db = {format_number(expected_db(st, k))}", k
    st.set_step(n)
    settle(qtbot)
    assert shown_db(window) != f"db = {format_number(final)}"

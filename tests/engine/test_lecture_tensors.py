"""Which matrices the lecture layout shows in each phase comes from the operation's tensors
(``TensorSpec.read_by_backward``, ``grad_of``), never from its name."""

from __future__ import annotations

import pytest

from engine.ops import OPS


def symbols(key: str, phase: str) -> list[str]:
    return [t.symbol for t in OPS[key].lecture_tensors(phase)]


def test_max_pooling_rows():
    assert symbols("max_pool2d", "forward") == ["X", "Y", "mask"]
    assert symbols("max_pool2d", "backward") == ["dY", "X", "dX"]


def test_average_pooling_backward_needs_no_input():
    assert symbols("avg_pool2d", "forward") == ["X", "Y"]
    assert symbols("avg_pool2d", "backward") == ["dY", "dX"]


def test_convolution_backward_reads_x_and_w():
    assert symbols("conv2d", "forward") == ["X", "W", "Y"]
    assert symbols("conv2d", "backward") == ["dY", "X", "W", "dX", "dW"]


@pytest.mark.parametrize("key", list(OPS))
def test_every_op_has_both_rows(key):
    spec = OPS[key]
    forward = spec.lecture_tensors("forward")
    backward = spec.lecture_tensors("backward")
    assert forward and all(not t.grad_of and t.view for t in forward)
    assert backward[0].role == "grad_output"
    assert any(t.role == "grad_input" for t in backward)
    assert all(t.view for t in backward)
    assert not any(t.role == "grad_bias" for t in backward)  # a number, not a matrix

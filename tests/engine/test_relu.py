"""The rectifier (engine/relu.py, registered as ``relu``): hand-worked values and steps, the
plain loops of engine/reference_stack.py, and PyTorch (skipped without it).

PyTorch's ``relu`` is ``clamp_min(x, 0)``: ``-0.0`` stays ``-0.0``, NaN stays NaN.  Its backward
(``threshold_backward``) zeroes the gradient where ``x <= 0``: 0 at ``x == 0``, passed on at NaN.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from numpy.testing import assert_array_equal

import engine
from engine import reference_stack as reference
from engine.errors import ParameterError
from engine.ops import get_op
from engine.relu import relu, relu_backward

SPECIAL = [-2.0, -0.0, 0.0, math.nan, 3.5, math.inf, -math.inf]


def test_hand_worked_forward_and_backward():
    x = np.array(SPECIAL)
    y = relu(x)
    assert_array_equal(y, [0.0, 0.0, 0.0, math.nan, 3.5, math.inf, 0.0])
    assert np.signbit(y[1]) and not np.signbit(y[2])  # -0.0 stays -0.0, as in PyTorch
    gx = relu_backward(np.full(x.shape, 5.0), x)
    assert_array_equal(gx, [0.0, 0.0, 0.0, 5.0, 5.0, 5.0, 0.0])  # 0 at x == 0, passed at NaN


def test_dtypes_and_shapes():
    assert relu(np.ones((2, 3), np.float32)).dtype == np.float32
    assert relu(np.array([[-1, 2]])).dtype == np.float64  # integers in float64
    assert relu_backward(np.ones(2, np.float32), np.ones(2, np.float32)).dtype == np.float32
    assert relu(np.zeros((2, 3, 4, 5))).shape == (2, 3, 4, 5)
    with pytest.raises(ParameterError, match=r"grad_output shape \(3,\) must match"):
        relu_backward(np.ones(3), np.ones(2))
    with pytest.raises(ParameterError, match="real numbers"):
        relu(np.array(["a"]))


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=4, max_side=4),
        elements=st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(SPECIAL),
    )
)
def test_against_the_plain_loops(x):
    assert_array_equal(relu(x), reference.relu(x))
    assert_array_equal(np.signbit(relu(x)), np.signbit(reference.relu(x)))
    gy = np.arange(x.size, dtype=np.float64).reshape(x.shape) + 1
    assert_array_equal(relu_backward(gy, x), reference.relu_backward(gy, x))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_against_torch(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    x = np.concatenate([np.array(SPECIAL), rng.normal(size=20)]).astype(dtype).reshape(3, 9)
    gy = rng.normal(size=x.shape).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.relu(tx)
    ty.backward(torch.tensor(gy))
    assert_array_equal(relu(x), ty.detach().numpy())
    assert_array_equal(np.signbit(relu(x)), np.signbit(ty.detach().numpy()))
    assert_array_equal(relu_backward(gy, x), tx.grad.numpy())


def _bits(a):
    a = np.asarray(a)
    return a.view(np.dtype(f"u{a.dtype.itemsize}"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_kept_elements_keep_every_bit(dtype):
    # A NaN's payload and sign, -0.0 and the infinities pass unchanged; a zeroed element (and
    # a zeroed gradient, even of inf, NaN or a negative number) is +0.0, as np.where gives.
    nan = np.array(math.nan, dtype)
    payload = (_bits(nan) | 5) | np.array(1, _bits(nan).dtype) << (8 * nan.itemsize - 1)
    odd_nan = payload.view(dtype)
    x = np.array([*SPECIAL, 0.0, -1.0, -1.0, -1.0], dtype)
    x[3] = odd_nan
    gy = np.array([1, 2, 3, 4, 5, 6, 7, -0.0, math.inf, math.nan, -8], dtype)
    y = relu(x)
    assert_array_equal(_bits(y), _bits(np.where(x < 0, np.array(0, dtype), x)))
    assert _bits(y)[3] == payload
    gx = relu_backward(gy, x)
    assert_array_equal(_bits(gx), _bits(np.where(x <= 0, np.array(0, dtype), gy)))
    assert not np.signbit(gx[x <= 0]).any()


def test_views_scalars_byte_order_and_mixed_dtypes():
    x = np.arange(-6.0, 6.0).reshape(3, 4)
    assert_array_equal(relu(x[:, ::2]), np.maximum(x[:, ::2], 0))  # a strided view
    assert_array_equal(relu(x.T), np.maximum(x.T, 0))
    assert relu(np.float64(-2.0)).shape == () and relu(np.float64(-2.0)) == 0
    assert relu(np.zeros((0, 3))).shape == (0, 3)
    big = x.astype(">f8")
    assert_array_equal(relu(big), np.maximum(x, 0))
    assert_array_equal(relu_backward(big, big), np.where(x > 0, x, 0))
    gx = relu_backward(np.ones(3), np.array([-1.0, 0.0, 1.0], np.float32))
    assert gx.dtype == np.float64
    assert_array_equal(gx, [0.0, 0.0, 1.0])
    assert_array_equal(x, np.arange(-6.0, 6.0).reshape(3, 4))  # the input is not changed


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bits_against_torch_with_special_gradients(dtype):
    torch = pytest.importorskip("torch")
    x = np.array([*SPECIAL, 0.0, -1.0, -1.0, -1.0, math.nan], dtype)
    gy = np.array([1, 2, 3, 4, 5, 6, 7, -0.0, math.inf, math.nan, -8, math.inf], dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.relu(tx)
    ty.backward(torch.tensor(gy))
    assert_array_equal(_bits(relu(x)), _bits(ty.detach().numpy()))
    assert_array_equal(_bits(relu_backward(gy, x)), _bits(tx.grad.numpy()))


# ---- the registered operation -------------------------------------------------------------------
def test_registered_with_an_alias():
    spec = get_op("relu")
    assert get_op("ReLU") is spec and spec.alias != spec.key
    assert spec.numpy_call == spec.torch_call == "relu"
    assert engine.relu is relu and engine.relu_backward is relu_backward
    assert spec.explain((3, 4), None, spec.default_params()) == ["H_out = H = 3", "W_out = W = 4"]
    assert spec.geometry((1, 1, 3, 4), None, spec.default_params()).out_size == (3, 4)


def test_hand_worked_steps():
    x = np.array([[-2.0, 0.0], [3.0, 1.5]])
    gy = np.array([[4.0, -1.0], [-2.0, 10.0]])
    trace = engine.trace_relu(x, gy)
    assert len(trace) == 4
    assert [trace.forward_step(k).text for k in range(4)] == [
        "max(0, -2) = 0",
        "max(0, 0) = 0",
        "max(0, 3) = 3",
        "max(0, 1.5) = 1.5",
    ]
    assert [trace.backward_step(k).text for k in range(4)] == [
        "dX[0, 0] = dY·[x > 0] = 4·0 = 0",
        "dX[0, 1] = dY·[x > 0] = (-1)·0 = 0",
        "dX[1, 0] = dY·[x > 0] = (-2)·1 = -2",
        "dX[1, 1] = dY·[x > 0] = 10·1 = 10",
    ]
    assert trace.backward_step(2).input_grads == (((0, 1, 0), -2.0),)
    assert trace.backward_step(0).input_grads == ()
    assert_array_equal(trace.grad_input_after(1), np.zeros((1, 2, 2)))
    assert_array_equal(trace.grad_input_after(2), [[[0.0, 0.0], [-2.0, 0.0]]])
    assert_array_equal(trace.grad_input_after(3), trace.grad_input)
    step = trace.step("backward", 2)
    assert step.cells_of("input") == {(1, 0): {"window"}}
    assert step.cells_of("grad_input") == {(1, 0): {"target"}}
    assert step.template == "dX[{row}, {col}] = dY·[x > 0] = {dy}·{gate} = {result}"


def test_the_spec_runs_forward_and_backward():
    spec = get_op("relu")
    x = np.array([[[[-1.0, 2.0], [0.0, -3.0]]]])
    outputs, ctx = spec.forward({"input": x}, spec.default_params())
    assert_array_equal(outputs["output"], relu(x))
    grads = spec.backward(ctx, {"grad_output": np.ones_like(x)})
    assert_array_equal(grads["grad_input"], [[[[0.0, 1.0], [0.0, 0.0]]]])

"""Every validation rule: a ``ValueError`` whose message names the parameter and its value.

The engine accepts and rejects exactly what PyTorch 2.13 does (spec §2 and §6.4), but always
raises ``ValueError`` with a message a student can act on; never ``IndexError``,
``ZeroDivisionError`` or a NumPy broadcast error.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import refuses
from numpy.testing import assert_array_equal

from engine import trace_avg_pool2d, trace_conv2d, trace_max_pool2d
from engine.conv import conv2d, conv2d_backward
from engine.pooling import (
    avg_pool2d,
    avg_pool2d_backward,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_mask,
)

X44 = np.zeros((1, 1, 4, 4))


def rejects(call, *fragments: str) -> str:
    """Run ``call``; it must raise ValueError whose message holds every fragment."""
    return str(refuses(call, *fragments))


# ---- pooling parameters, for max and avg alike ---------------------------------------------------
def max_call(x=X44, **kw):
    return lambda: max_pool2d(x, **kw)


def avg_call(x=X44, **kw):
    kw.pop("dilation", None)
    return lambda: avg_pool2d(x, **kw)


POOL_REJECTIONS = [
    # (parameters, fragments the message must contain)
    (dict(kernel_size=0), ["kernel_size", "0", "greater than zero"]),
    (dict(kernel_size=-1), ["kernel_size", "-1", "greater than zero"]),
    (dict(kernel_size=(2, 0)), ["kernel_size", "(2, 0)", "greater than zero"]),
    (dict(kernel_size=2, stride=0), ["stride", "0", "greater than zero"]),
    (dict(kernel_size=2, stride=(1, -1)), ["stride", "(1, -1)", "greater than zero"]),
    (dict(kernel_size=2, stride=-2), ["stride", "-2"]),
    (dict(kernel_size=2, padding=-1), ["padding", "-1", "non-negative"]),
    (dict(kernel_size=2, padding=(0, -1)), ["padding", "(0, -1)", "non-negative"]),
    (dict(kernel_size=3, padding=2), ["padding (2)", "half of kernel_size (3)"]),
    (dict(kernel_size=2, padding=2), ["padding (2)", "kernel_size (2)"]),
    (dict(kernel_size=1, padding=1), ["padding (1)", "kernel_size (1)"]),
    (dict(kernel_size=(3, 2), padding=(1, 2)), ["padding (1, 2)", "kernel_size (3, 2)"]),
    (dict(kernel_size="a"), ["kernel_size", "'a'"]),
    (dict(kernel_size=(1, 2, 3)), ["kernel_size", "(1, 2, 3)"]),
    (dict(kernel_size=()), ["kernel_size", "()"]),
    (dict(kernel_size=2.5), ["kernel_size", "2.5"]),
    (dict(kernel_size=2.0), ["kernel_size", "2.0"]),
    (dict(kernel_size=True), ["kernel_size", "True"]),
    (dict(kernel_size=(2, True)), ["kernel_size", "(2, True)"]),
    (dict(kernel_size=None), ["kernel_size", "None"]),
    (dict(kernel_size=2, stride="a"), ["stride", "'a'"]),
    (dict(kernel_size=2, stride=(1, 2, 3)), ["stride", "(1, 2, 3)"]),
    (dict(kernel_size=2, stride=1.5), ["stride", "1.5"]),
    (dict(kernel_size=2, stride=False), ["stride", "False"]),
    (dict(kernel_size=2, padding="a"), ["padding", "'a'"]),
    (dict(kernel_size=2, padding=(0, 0, 0)), ["padding", "(0, 0, 0)"]),
    (dict(kernel_size=2, padding=0.5), ["padding", "0.5"]),
    (dict(kernel_size=2, padding=None), ["padding", "None"]),
    (dict(kernel_size=2, ceil_mode="yes"), ["ceil_mode", "'yes'"]),
    (dict(kernel_size=2, ceil_mode=1), ["ceil_mode", "1"]),
    (dict(kernel_size=5), ["kernel_size (5)", "4x4", "0x0"]),  # floor: (4 - 5) // 5 + 1 = 0
    (dict(kernel_size=(1, 5)), ["kernel_size (1, 5)", "4x0"]),  # only the width fails
]


@pytest.mark.parametrize(("params", "fragments"), POOL_REJECTIONS)
@pytest.mark.parametrize("make_call", [max_call, avg_call], ids=["max", "avg"])
def test_pool_rejections(make_call, params, fragments):
    rejects(make_call(**params), *fragments)


MAX_ONLY_REJECTIONS = [
    (dict(kernel_size=2, dilation=0), ["dilation", "0", "greater than zero"]),
    (dict(kernel_size=2, dilation=(1, -2)), ["dilation", "(1, -2)", "greater than zero"]),
    (dict(kernel_size=2, dilation="a"), ["dilation", "'a'"]),
    (dict(kernel_size=2, dilation=(1, 2, 3)), ["dilation", "(1, 2, 3)"]),
    (dict(kernel_size=2, dilation=1.0), ["dilation", "1.0"]),
    # the raw kernel bounds the padding, even when dilation makes the window wider (spec §2)
    (dict(kernel_size=3, stride=1, padding=2, dilation=2), ["padding (2)", "kernel_size (3)"]),
    (dict(kernel_size=2, stride=1, padding=2, dilation=3), ["padding (2)", "kernel_size (2)"]),
    # effective kernel 7 does not fit 4 + 2·1
    (dict(kernel_size=3, padding=1, dilation=3), ["kernel_size (3)", "dilation 3"]),
]


@pytest.mark.parametrize(("params", "fragments"), MAX_ONLY_REJECTIONS)
def test_max_pool_rejections(params, fragments):
    rejects(max_call(**params), *fragments)
    rejects(lambda: max_pool2d_mask(X44, **params), *fragments)
    rejects(lambda: max_pool2d_backward(np.zeros((1, 1, 1, 1)), X44, **params), *fragments)
    rejects(lambda: trace_max_pool2d(X44[0, 0], **params), *fragments)


@pytest.mark.parametrize(
    ("length", "kernel", "stride", "ceil"),
    [
        (2, 4, 3, False),  # spec §1: floor((2 - 4) / 3) + 1 = 0, not truncated to 1
        (1, 4, 2, True),  # ceil((1 - 4) / 2) + 1 = 0 (issue #88464)
        (2, 3, 3, False),  # kernel larger than the input: fine only in ceil mode
        (1, 2, 1, False),
    ],
)
def test_output_too_small(length, kernel, stride, ceil):
    calls = [
        lambda x: max_pool2d(x, kernel, stride, ceil_mode=ceil),
        lambda x: avg_pool2d(x, kernel, stride, ceil_mode=ceil),
        lambda x: max_pool2d_mask(x, kernel, stride, ceil_mode=ceil),
        lambda x: avg_pool2d_backward(np.zeros((1, 1)), x, kernel, stride, ceil_mode=ceil),
    ]
    for x in (np.zeros((length, 8)), np.zeros((8, length))):
        for call in calls:
            message = rejects(
                lambda call=call, x=x: call(x),
                f"kernel_size ({kernel})",
                f"stride {stride}",
                "at least 1x1",
            )
            assert ("ceil" if ceil else "floor") in message


@pytest.mark.parametrize("call", [avg_pool2d, trace_avg_pool2d])
def test_divisor_override_zero(call):
    rejects(lambda: call(X44[0, 0], 2, divisor_override=0), "divisor_override", "0", "zero")


@pytest.mark.parametrize("value", [1.5, 2.0, "2", True, np.float64(2.0)])
def test_divisor_override_type(value):
    rejects(lambda: avg_pool2d(X44, 2, divisor_override=value), "divisor_override", repr(value))
    rejects(
        lambda: avg_pool2d_backward(np.zeros((1, 1, 2, 2)), X44, 2, divisor_override=value),
        "divisor_override",
    )


def test_divisor_override_zero_in_backward():
    rejects(
        lambda: avg_pool2d_backward(np.zeros((1, 1, 2, 2)), X44, 2, divisor_override=0),
        "divisor_override (0)",
    )


def test_count_include_pad_type():
    rejects(lambda: avg_pool2d(X44, 2, count_include_pad="no"), "count_include_pad", "'no'")


# ---- input arrays -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "fragment"),
    [((4,), "(4,)"), ((1, 1, 1, 4, 4), "(1, 1, 1, 4, 4)"), ((), "()")],
)
@pytest.mark.parametrize(
    "call",
    [
        lambda x: max_pool2d(x, 1),
        lambda x: avg_pool2d(x, 1),
        lambda x: max_pool2d_mask(x, 1),
        lambda x: max_pool2d_backward(np.zeros(1), x, 1),
        lambda x: avg_pool2d_backward(np.zeros(1), x, 1),
    ],
    ids=["max", "avg", "mask", "max_backward", "avg_backward"],
)
def test_pool_bad_rank(call, shape, fragment):
    rejects(lambda: call(np.zeros(shape)), "x", "shape", fragment)


@pytest.mark.parametrize(
    "shape", [(0, 4), (4, 0), (0, 4, 4), (1, 0, 4), (1, 0, 4, 4), (1, 1, 0, 4), (2, 1, 4, 0)]
)
@pytest.mark.parametrize("call", [max_pool2d, avg_pool2d, max_pool2d_mask])
def test_pool_empty_dimension(call, shape):
    rejects(lambda: call(np.zeros(shape), 1), "x", "empty", str(shape))


@pytest.mark.parametrize(
    ("x", "dtype"),
    [
        (np.zeros((4, 4), dtype=bool), "bool"),
        (np.zeros((4, 4), dtype=complex), "complex128"),
        (np.full((4, 4), "a"), "<U1"),
        (np.zeros((4, 4), dtype=object), "object"),
        ([["a", "b"], ["c", "d"]], "<U1"),
    ],
)
@pytest.mark.parametrize("call", [max_pool2d, avg_pool2d, max_pool2d_mask])
def test_pool_non_numeric(call, x, dtype):
    rejects(lambda: call(x, 2), "x", "real numbers", dtype)


@pytest.mark.parametrize("ties", ["last", "First", None, 0, ""])
def test_bad_ties(ties):
    x = np.zeros((4, 4))
    fragment = repr(ties)
    rejects(lambda: max_pool2d_backward(np.zeros((2, 2)), x, 2, ties=ties), "ties", fragment)
    rejects(lambda: max_pool2d_mask(x, 2, ties=ties), "ties", fragment)
    rejects(lambda: trace_max_pool2d(x, 2, ties=ties), "ties", fragment)


@pytest.mark.parametrize(
    ("x_shape", "g_shape"),
    [
        ((4, 4), (3, 3)),
        ((4, 4), (2,)),
        ((4, 4), (1, 2, 2)),  # an extra leading axis
        ((2, 4, 4), (2, 2)),  # a missing leading axis
        ((2, 4, 4), (3, 2, 2)),
        ((1, 2, 4, 4), (2, 1, 2, 2)),
        ((1, 2, 4, 4), (1, 2, 2, 3)),
    ],
)
@pytest.mark.parametrize("backward", [max_pool2d_backward, avg_pool2d_backward])
def test_pool_grad_output_shape(backward, x_shape, g_shape):
    rejects(
        lambda: backward(np.zeros(g_shape), np.zeros(x_shape), 2),
        "grad_output",
        str(g_shape),
        str(x_shape[:-2] + (2, 2)),
    )


@pytest.mark.parametrize("backward", [max_pool2d_backward, avg_pool2d_backward])
def test_pool_grad_output_non_numeric(backward):
    g = np.zeros((2, 2), dtype=bool)
    rejects(lambda: backward(g, np.zeros((4, 4)), 2), "grad_output", "bool")
    g = np.full((2, 2), "a")
    rejects(lambda: backward(g, np.zeros((4, 4)), 2), "grad_output", "<U1")


def test_trace_rejections():
    rejects(lambda: trace_max_pool2d(np.zeros((1, 4, 4)), 2), "x", "(1, 4, 4)")
    rejects(lambda: trace_avg_pool2d(np.zeros(4), 2), "x", "(4,)")
    rejects(
        lambda: trace_max_pool2d(np.zeros((4, 4)), 2, grad_output=np.ones((3, 3))),
        "grad_output",
        "(3, 3)",
        "(2, 2)",
    )
    rejects(
        lambda: trace_avg_pool2d(np.zeros((4, 4)), 2, grad_output=np.ones((2, 2), dtype=bool)),
        "grad_output",
        "bool",
    )
    rejects(
        lambda: trace_conv2d(np.zeros((4, 4)), np.ones((2, 2)), grad_output=np.ones((2, 2))),
        "grad_output",
        "(2, 2)",
        "(3, 3)",
    )
    rejects(lambda: trace_conv2d(np.zeros((2, 4, 4)), np.ones((3, 2, 2))), "3")
    trace = trace_max_pool2d(np.zeros((4, 4)), 2)
    rejects(lambda: trace.forward_step(4), "4")
    rejects(lambda: trace.backward_step(-1), "-1")
    rejects(lambda: trace.grad_input_after(4), "index (4)")
    rejects(lambda: trace.grad_input_after(-2), "index (-2)")


# ---- convolution -------------------------------------------------------------------------------
X = np.zeros((1, 4, 5, 5))
W = np.zeros((2, 4, 3, 3))

CONV_REJECTIONS = [
    # (x, weight, keyword arguments, fragments)
    (X, W, dict(stride=0), ["stride", "0", "greater than zero"]),
    (X, W, dict(stride=(1, -1)), ["stride", "(1, -1)"]),
    (X, W, dict(stride=None), ["stride", "None"]),
    (X, W, dict(stride=1.5), ["stride", "1.5"]),
    (X, W, dict(dilation=0), ["dilation", "0", "greater than zero"]),
    (X, W, dict(dilation=(2, 0)), ["dilation", "(2, 0)"]),
    (X, W, dict(dilation=(1, 1, 1)), ["dilation", "(1, 1, 1)"]),
    (X, W, dict(padding=-1), ["padding", "-1", "non-negative"]),
    (X, W, dict(padding=(1, -2)), ["padding", "(1, -2)", "non-negative"]),
    (X, W, dict(padding=(1, 2, 3)), ["padding", "(1, 2, 3)"]),
    (X, W, dict(padding=1.0), ["padding", "1.0"]),
    (X, W, dict(padding="full"), ["padding", "'full'", "'same'", "'valid'"]),
    (X, W, dict(padding="SAME"), ["padding", "'SAME'"]),
    (X, W, dict(padding="same", stride=2), ["padding", "'same'", "stride", "2"]),
    (X, W, dict(padding="same", stride=(1, 2)), ["'same'", "stride", "(1, 2)"]),
    (X, W, dict(groups=0), ["groups", "0", "positive"]),
    (X, W, dict(groups=-2), ["groups", "-2"]),
    (X, W, dict(groups=2.0), ["groups", "2.0"]),
    (X, W, dict(groups=True), ["groups", "True"]),
    (X, W, dict(groups="1"), ["groups", "'1'"]),
    # weight.shape[0] = 2 output channels cannot be split into 4 groups
    (X, np.zeros((2, 1, 3, 3)), dict(groups=4), ["groups (4)", "2"]),
    # 3 output channels cannot be split into 2 groups (spec §6.4)
    (X, np.zeros((3, 2, 3, 3)), dict(groups=2), ["groups (2)", "3"]),
    # 4 input channels, but the weight expects 3 (spec §6.4)
    (X, np.zeros((2, 3, 3, 3)), {}, ["4 channels", "(2, 3, 3, 3)", "3"]),
    # with groups=2 each group takes 4 / 2 = 2 channels, not 1
    (X, np.zeros((2, 1, 3, 3)), dict(groups=2), ["4 channels", "groups (2)", "2"]),
    (X, W, dict(bias=np.zeros(3)), ["bias", "(3,)", "2"]),
    (X, W, dict(bias=np.zeros((2, 1))), ["bias", "(2, 1)"]),
    (X, W, dict(bias=0.5), ["bias", "()"]),
    (X, W, dict(bias=np.zeros(2, dtype=bool)), ["bias", "bool"]),
    (X, W, dict(bias=["a", "b"]), ["bias", "<U1"]),
    # the dilated kernel must fit the padded input (spec §6.4)
    (np.zeros((1, 4, 2, 2)), W, {}, ["kernel", "3x3", "2x2"]),
    (np.zeros((1, 4, 2, 8)), W, {}, ["kernel", "3x3", "2x8"]),
    (X, W, dict(dilation=3), ["kernel", "7x7", "5x5"]),
    (X, W, dict(dilation=(1, 3), padding=(0, 0)), ["kernel", "3x7", "5x5"]),
    # non-numeric arrays
    (X.astype(bool), W, {}, ["x", "bool"]),
    (X.astype(complex), W, {}, ["x", "complex128"]),
    (X, W.astype(bool), {}, ["weight", "bool"]),
    (X, W.astype(object), {}, ["weight", "object"]),
    # ranks and shapes
    (np.zeros(5), W, {}, ["x", "(5,)"]),
    (np.zeros((1, 1, 4, 5, 5)), W, {}, ["x", "(1, 1, 4, 5, 5)"]),
    (X, np.zeros((4, 3, 3)), {}, ["weight", "(4, 3, 3)"]),
    (X[0], np.zeros((3, 3)), {}, ["weight", "(3, 3)"]),
    (X[0, 0], W, {}, ["weight", "2-D", "(2, 4, 3, 3)"]),
    (X[0, 0], np.zeros(3), {}, ["weight", "(3,)"]),
    (X, np.zeros((0, 4, 3, 3)), {}, ["weight", "empty", "(0, 4, 3, 3)"]),
    (X, np.zeros((2, 4, 0, 3)), {}, ["weight", "(2, 4, 0, 3)"]),
    (np.zeros((1, 4, 0, 5)), W, {}, ["x", "empty", "(1, 4, 0, 5)"]),
    (np.zeros((4, 5, 0)), W, {}, ["x", "(4, 5, 0)"]),
]


@pytest.mark.parametrize(("x", "w", "kwargs", "fragments"), CONV_REJECTIONS)
def test_conv_rejections(x, w, kwargs, fragments):
    rejects(lambda: conv2d(x, w, **kwargs), *fragments)
    rejects(lambda: conv2d_backward(np.zeros((1, 2, 3, 3)), x, w, **kwargs), *fragments)


def test_conv_grad_output_shape():
    x, w = np.zeros((1, 4, 5, 5)), np.zeros((2, 4, 3, 3))
    rejects(
        lambda: conv2d_backward(np.zeros((1, 2, 4, 4)), x, w),
        "grad_output",
        "(1, 2, 4, 4)",
        "(1, 2, 3, 3)",
    )
    rejects(lambda: conv2d_backward(np.zeros((2, 3, 3)), x, w), "grad_output", "(2, 3, 3)")
    rejects(
        lambda: conv2d_backward(np.zeros((2, 3, 3)), x[0], w[:, :, :2, :2]),
        "grad_output",
        "(2, 4, 4)",
    )
    rejects(
        lambda: conv2d_backward(np.zeros((3, 3)), x[0, 0], w[0, 0, :2]),
        "grad_output",
        "(3, 3)",
        "(4, 3)",
    )


@pytest.mark.parametrize(
    ("grad", "dtype"),
    [
        (np.zeros((3, 3), dtype=bool), "bool"),
        (np.full((3, 3), "a"), "<U1"),
        (np.zeros((3, 3), dtype=complex), "complex128"),
    ],
)
def test_conv_grad_output_non_numeric(grad, dtype):
    rejects(lambda: conv2d_backward(grad, np.zeros((5, 5)), np.zeros((3, 3))), "grad_output", dtype)


# ---- what PyTorch accepts, the engine accepts --------------------------------------------------
class TestAccepted:
    def test_kernel_larger_than_input_in_ceil_mode(self):
        x = np.arange(4.0).reshape(1, 1, 2, 2)
        assert_array_equal(max_pool2d(x, 3, ceil_mode=True), [[[[3.0]]]])
        assert_array_equal(avg_pool2d(x, 3, ceil_mode=True), [[[[1.5]]]])
        assert_array_equal(max_pool2d(x, (4, 4), 3, ceil_mode=True), [[[[3.0]]]])

    def test_padding_at_most_half_the_kernel(self):
        assert max_pool2d(X44, 3, 1, 1).shape == (1, 1, 4, 4)
        assert max_pool2d(X44, (5, 2), 1, (2, 1)).shape == (1, 1, 4, 5)
        assert avg_pool2d(X44, 2, 1, 1).shape == (1, 1, 5, 5)

    def test_parameter_forms(self):
        x = np.arange(16.0).reshape(4, 4)
        expected = max_pool2d(x, 2, 2, 0, 1)
        for args in [
            ((2,), (2,), (0,), (1,)),
            ([2, 2], [2, 2], [0, 0], [1, 1]),
            (np.int64(2), np.int32(2), np.int8(0), np.uint8(1)),
            ((np.int64(2), 2), None, 0, 1),
            (2, [], 0, 1),  # an empty stride means "the kernel", like None
            (np.array([2, 2]), np.array([2, 2]), 0, 1),
        ]:
            assert_array_equal(max_pool2d(x, *args), expected)
        assert_array_equal(max_pool2d(x, 2, ceil_mode=np.bool_(False)), expected)

    def test_negative_divisor_override(self):
        assert_array_equal(avg_pool2d([[1.0, 2.0]], (1, 2), divisor_override=-1), [[-3.0]])
        assert_array_equal(avg_pool2d([[1.0, 2.0]], (1, 2), divisor_override=np.int64(3)), [[1.0]])

    def test_conv_stride_larger_than_input(self):
        x = np.ones((1, 1, 5, 5))
        y = conv2d(x, np.ones((1, 1, 3, 3)), stride=10)
        assert y.shape == (1, 1, 1, 1)
        assert y[0, 0, 0, 0] == 9
        gx, gw, _ = conv2d_backward(np.ones((1, 1, 1, 1)), x, np.ones((1, 1, 3, 3)), stride=10)
        assert gx[0, 0, :3, :3].sum() == 9 and gx.sum() == 9
        assert_array_equal(gw, np.ones((1, 1, 3, 3)))

    def test_conv_kernel_equal_to_padded_input(self):
        assert conv2d(np.ones((2, 2)), np.ones((4, 4)), padding=1).shape == (1, 1)
        assert conv2d(np.ones((2, 2)), np.ones((3, 3)), padding="same").shape == (2, 2)

    def test_empty_batch_pooling(self):
        x = np.zeros((0, 3, 4, 4))
        y, idx = max_pool2d(x, 2, return_indices=True)
        assert y.shape == (0, 3, 2, 2) and idx.shape == (0, 3, 2, 2)
        assert avg_pool2d(x, 2, 1, 1, ceil_mode=True).shape == (0, 3, 5, 5)
        assert max_pool2d_backward(np.zeros((0, 3, 2, 2)), x, 2).shape == (0, 3, 4, 4)
        assert max_pool2d_backward(np.zeros((0, 3, 2, 2)), x, 2, ties="split").shape == (0, 3, 4, 4)
        assert avg_pool2d_backward(np.zeros((0, 3, 2, 2)), x, 2).shape == (0, 3, 4, 4)
        assert max_pool2d_mask(x, 2).counts.shape == (0, 3, 4, 4)

    def test_empty_batch_conv(self):
        x = np.zeros((0, 2, 5, 5))
        w = np.ones((3, 2, 3, 3))
        assert conv2d(x, w, np.zeros(3)).shape == (0, 3, 3, 3)
        gx, gw, gb = conv2d_backward(np.zeros((0, 3, 3, 3)), x, w, np.zeros(3))
        assert gx.shape == (0, 2, 5, 5)
        assert_array_equal(gw, np.zeros((3, 2, 3, 3)))
        assert_array_equal(gb, np.zeros(3))

    def test_conv_bias_forms(self):
        x, w = np.ones((1, 3, 3)), np.ones((2, 1, 2, 2))
        y = conv2d(x, w, [1.0, -1.0])
        assert_array_equal(y[:, 0, 0], [5.0, 3.0])
        assert_array_equal(conv2d(x, w, np.array([1, -1])), y)  # integer bias
        # the 2-D teaching form takes a scalar bias or a 1-element array
        assert conv2d(np.ones((3, 3)), np.ones((2, 2)), 0.5)[0, 0] == 4.5
        assert conv2d(np.ones((3, 3)), np.ones((2, 2)), [0.5])[0, 0] == 4.5

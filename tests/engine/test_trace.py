"""Step traces: the per-window records the GUI shows must tell the same story as the arrays.

Forward records: the taps read (padding, overhang and dilation gaps marked), the winners and
the arithmetic as text.  Backward records: what each output's upstream gradient adds where.
Summed over all steps, the backward records must rebuild the backward pass's gradients.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

from engine import (
    avg_divisors,
    avg_pool2d,
    avg_pool2d_backward,
    conv2d,
    conv2d_backward,
    format_number,
    max_pool2d,
    max_pool2d_backward,
    max_pool2d_mask,
    trace_avg_pool2d,
    trace_conv2d,
    trace_max_pool2d,
)

PLANE = np.array([[19, 32, 7], [4, 19, 1], [0, 2, 9]])


def summed_input_grads(trace, upto: int | None = None) -> np.ndarray:
    """Add up the ``input_grads`` of backward steps ``0 .. upto`` (all by default)."""
    total = np.zeros(trace.x.shape)
    last = len(trace) - 1 if upto is None else upto
    for k in range(last + 1):
        for (c, r, col), amount in trace.backward_step(k).input_grads:
            assert 0 <= r < trace.x.shape[1] and 0 <= col < trace.x.shape[2]
            total[c, r, col] += amount
    return total


def summed_weight_grads(trace) -> tuple[np.ndarray, float]:
    total = np.zeros(trace.weight.shape)
    bias = 0.0
    for k in range(len(trace)):
        step = trace.backward_step(k)
        for (c, i, j), amount in step.weight_grads:
            total[c, i, j] += amount
        if step.bias_grad is not None:
            bias += step.bias_grad
    return total, bias


# ---- number formatting ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "text"),
    [
        (18.5, "18.5"),
        (7.0, "7"),
        (-3, "-3"),
        (0.0, "0"),
        (-0.0, "0"),
        (1 / 3, "0.3333"),
        (2.25, "2.25"),
        (-math.inf, "-∞"),
        (math.inf, "∞"),
        (math.nan, "NaN"),
        (np.float32(4194304.0), "4194304"),
        # up to four significant digits, halves rounded up (not Python's round-half-even)
        (11 / 3, "3.667"),
        (137 / 16, "8.563"),
        (-137 / 16, "-8.563"),
        (15.556349186104045, "15.56"),
        (123.456, "123.5"),
        (1234.5, "1235"),
        (999.96, "1000"),
        (0.001234, "0.001234"),
        (0.0001234, "0.0001234"),
        (1e6 + 0.5, "1e+06"),
    ],
)
def test_format_number(value, text):
    assert format_number(value) == text


# ---- forward records ----------------------------------------------------------------------------
class TestForwardText:
    def test_max(self):
        trace = trace_max_pool2d(PLANE, 2, 1)
        step = trace.forward_step(0)
        assert step.text == "max(19, 32, 4, 19) = 32"
        assert step.out_pos == (0, 0) and step.index == 0
        assert step.result == 32
        assert [t.kind for t in step.taps] == ["input"] * 4
        assert [t.input_pos for t in step.taps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
        assert [t.kernel_pos for t in step.taps] == [(0, 0), (0, 1), (1, 0), (1, 1)]
        assert step.winners == (1,)  # the tap holding 32
        assert step.gaps == ()
        last = trace.forward_step(3)
        assert last.out_pos == (1, 1)
        assert last.text == "max(19, 1, 2, 9) = 19"
        assert last.winners == (0,)

    def test_avg(self):
        trace = trace_avg_pool2d(PLANE, 2, 1)
        step = trace.forward_step(0)
        assert step.text == "(19 + 32 + 4 + 19) / 4 = 18.5"
        assert step.result == 18.5
        assert step.divisor == 4
        assert trace.forward_step(1).text == "(32 + 7 + 19 + 1) / 4 = 14.75"

    def test_avg_negative_values_are_parenthesised(self):
        trace = trace_avg_pool2d([[-1.0, 2.0], [3.0, -4.0]], 2, divisor_override=-2)
        assert trace.forward_step(0).text == "((-1) + 2 + 3 + (-4)) / -2 = 0"

    def test_conv(self):
        trace = trace_conv2d([[1, 2], [3, 4]], [[1, -1], [2, 0.5]], 0.5)
        step = trace.forward_step(0)
        # 1 - 2 + 6 + 2 + 0.5
        assert step.text == "1·1 + 2·(-1) + 3·2 + 4·0.5 + 0.5 = 7.5"
        assert step.result == 7.5
        assert step.bias == 0.5
        assert [t.weight for t in step.taps] == [1, -1, 2, 0.5]

    def test_conv_without_bias(self):
        trace = trace_conv2d(np.arange(9).reshape(3, 3), [[0, 1], [2, 3]])
        assert trace.forward_step(0).text == "0·0 + 1·1 + 3·2 + 4·3 = 19"
        assert [trace.forward_step(k).result for k in range(4)] == [19, 25, 37, 43]
        assert trace.bias is None and trace.grad_bias is None

    def test_conv_multi_channel(self):
        x = np.stack([np.ones((3, 3)), 2 * np.ones((3, 3))])
        w = np.stack([np.ones((2, 2)), -np.ones((2, 2))])
        trace = trace_conv2d(x, w)
        step = trace.forward_step(0)
        assert len(step.taps) == 8
        assert [t.channel for t in step.taps] == [0] * 4 + [1] * 4
        assert step.result == 4 - 8
        assert step.text.endswith("= -4")


class TestTapKinds:
    def test_max_padding_is_minus_infinity(self):
        trace = trace_max_pool2d(PLANE, 2, 2, 1)
        step = trace.forward_step(0)  # rows -1..0, cols -1..0
        assert [t.kind for t in step.taps] == ["padding", "padding", "padding", "input"]
        assert [t.value for t in step.taps] == [-math.inf, -math.inf, -math.inf, 19]
        assert step.text == "max(-∞, -∞, -∞, 19) = 19"
        assert step.winners == (3,)  # padding never wins

    def test_avg_padding_is_zero(self):
        trace = trace_avg_pool2d(PLANE, 2, 2, 1)
        step = trace.forward_step(0)
        assert [t.kind for t in step.taps] == ["padding", "padding", "padding", "input"]
        assert [t.value for t in step.taps] == [0, 0, 0, 19]
        assert step.text == "(0 + 0 + 0 + 19) / 4 = 4.75"
        excluded = trace_avg_pool2d(PLANE, 2, 2, 1, count_include_pad=False).forward_step(0)
        assert excluded.text == "(19) / 1 = 19"
        assert excluded.divisor == 1

    def test_conv_padding_is_zero(self):
        trace = trace_conv2d(PLANE, np.ones((3, 3)), padding=1)
        step = trace.forward_step(0)
        kinds = [t.kind for t in step.taps]
        assert kinds.count("padding") == 5 and kinds.count("input") == 4
        assert all(t.value == 0 for t in step.taps if t.kind == "padding")
        assert step.result == 19 + 32 + 4 + 19

    def test_ceil_mode_overhang(self):
        # 3x3 input, k=2, s=2, ceil: the last window hangs over the edge (no padding)
        x = np.arange(9.0).reshape(3, 3)
        mx = trace_max_pool2d(x, 2, 2, ceil_mode=True).forward_step(1)
        assert [t.kind for t in mx.taps] == ["input", "overhang", "input", "overhang"]
        assert all(math.isnan(t.value) for t in mx.taps if t.kind == "overhang")
        assert mx.text == "max(2, 5) = 5"
        av = trace_avg_pool2d(x, 2, 2, ceil_mode=True).forward_step(1)
        assert av.text == "(2 + 5) / 2 = 3.5"
        assert av.divisor == 2

    def test_padding_then_overhang(self):
        # §4.2: [1, 2, 3, 4], k=(1, 3), s=(1, 2), p=(0, 1), ceil: the last window reads 4,
        # one padding position (counted) and one overhang position (not counted)
        trace = trace_avg_pool2d([[1.0, 2.0, 3.0, 4.0]], (1, 3), (1, 2), (0, 1), ceil_mode=True)
        step = trace.forward_step(2)
        assert [t.kind for t in step.taps] == ["input", "padding", "overhang"]
        assert [t.input_pos for t in step.taps] == [(0, 3), (0, 4), (0, 5)]
        assert step.text == "(4 + 0) / 2 = 2"
        assert trace.forward_step(0).text == "(0 + 1 + 2) / 3 = 1"

    def test_dilation_gaps(self):
        trace = trace_max_pool2d(np.arange(16.0).reshape(4, 4), 2, 1, dilation=2)
        step = trace.forward_step(0)
        assert [t.input_pos for t in step.taps] == [(0, 0), (0, 2), (2, 0), (2, 2)]
        assert step.gaps == ((0, 1), (1, 0), (1, 1), (1, 2), (2, 1))
        assert step.text == "max(0, 2, 8, 10) = 10"
        step = trace_conv2d(np.ones((5, 5)), np.ones((2, 2)), dilation=(1, 3)).forward_step(0)
        assert [t.input_pos for t in step.taps] == [(0, 0), (0, 3), (1, 0), (1, 3)]
        assert step.gaps == ((0, 1), (0, 2), (1, 1), (1, 2))


class TestWinners:
    @pytest.mark.parametrize(
        ("ties", "winners", "grads"),
        [
            ("first", (1,), {(0, 0, 1): 6.0}),
            ("all", (1, 2, 3), {(0, 0, 1): 6.0, (0, 1, 0): 6.0, (0, 1, 1): 6.0}),
            ("split", (1, 2, 3), {(0, 0, 1): 2.0, (0, 1, 0): 2.0, (0, 1, 1): 2.0}),
        ],
    )
    def test_ties(self, ties, winners, grads):
        trace = trace_max_pool2d([[1, 3], [3, 3]], 2, ties=ties, grad_output=[[6.0]])
        assert trace.forward_step(0).winners == winners
        step = trace.backward_step(0)
        assert step.grad_output == 6.0
        assert dict(step.input_grads) == grads
        assert_array_equal(
            trace.grad_input[0], max_pool2d_backward([[6.0]], [[1, 3], [3, 3]], 2, ties=ties)
        )

    def test_backward_text(self):
        trace = trace_max_pool2d([[1, 3], [3, 3]], 2, ties="split", grad_output=[[6.0]])
        assert trace.backward_step(0).text == (
            "dY[0, 0] = 6 goes shared by 3 tied maxima: "
            "dX[0, 1] += 2 → 2, dX[1, 0] += 2 → 2, dX[1, 1] += 2 → 2"
        )
        trace = trace_max_pool2d(PLANE, 2, 1)
        assert trace.backward_step(0).text == "dY[0, 0] = 1 goes to the maximum: dX[0, 1] += 1 → 1"
        trace = trace_avg_pool2d(PLANE, 2, 1, grad_output=[[2.0, 0], [0, 0]])
        assert trace.backward_step(0).text.startswith("dY[0, 0] = 2 / 4 = 0.5")

    def test_nan_window(self):
        trace = trace_max_pool2d([[1.0, math.nan], [math.nan, 2.0]], 2)
        step = trace.forward_step(0)
        assert math.isnan(step.result)
        assert step.winners == (2,)  # the last NaN
        assert dict(trace.backward_step(0).input_grads) == {(0, 1, 0): 1.0}

    def test_window_without_input(self):
        # W = 1, k=(1, 2), d=(1, 2), p=(0, 1): taps at columns -1 and 1, never the input
        trace = trace_max_pool2d([[0.0], [1.0], [2.0]], (1, 2), 1, (0, 1), (1, 2))
        for k in range(len(trace)):
            assert trace.forward_step(k).winners == ()
            assert trace.forward_step(k).text == "max(-∞, -∞) = -∞"
            assert trace.backward_step(k).input_grads == ()
            assert "read no input" in trace.backward_step(k).text
        assert_array_equal(trace.grad_input, np.zeros((1, 3, 1)))

    def test_padding_taps_never_win(self):
        # a 1-wide input with padding: padding's flat index aliases real elements
        trace = trace_max_pool2d([[0.0], [5.0]], 2, 1, 1)
        for k in range(len(trace)):
            step = trace.forward_step(k)
            assert len(step.winners) == 1
            assert step.taps[step.winners[0]].kind == "input"
        assert_array_equal(summed_input_grads(trace), trace.grad_input)

    def test_mask_counts(self):
        x = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]])
        trace = trace_max_pool2d(x, 2, 1)
        assert_array_equal(trace.mask_counts, [[0, 0, 0], [0, 4, 0], [0, 0, 0]])
        assert_array_equal(trace.grad_input[0], trace.mask_counts)


# ---- backward records add up to the backward pass -------------------------------------------
X45 = np.array([[1, 3, 3, 0, 2], [3, 3, 1, 2, 2], [0, 1, 2, 2, 0], [2, 2, 0, 1, 1]])
GY23 = np.arange(1.0, 7.0).reshape(2, 3)
RNG = np.random.default_rng(0)
X3 = RNG.standard_normal((3, 5, 6))
W3 = RNG.standard_normal((3, 2, 3))

# Builders, not traces, so a broken engine fails the tests rather than the collection.
TRACE_BUILDERS = {
    **{
        f"max-{ties}-overlap": lambda ties=ties: trace_max_pool2d(
            X45, 3, 2, 1, ties=ties, grad_output=GY23
        )
        for ties in ("first", "all", "split")
    },
    **{
        f"max-{ties}-dilated-ceil": lambda ties=ties: trace_max_pool2d(
            X45, (2, 3), 1, (1, 1), (2, 1), ceil_mode=True, ties=ties
        )
        for ties in ("first", "all", "split")
    },
    "avg-padding": lambda: trace_avg_pool2d(X45 - 1.5, 3, 2, 1, grad_output=GY23),
    "avg-ceil-exclude": lambda: trace_avg_pool2d(
        X45, 2, 2, 1, ceil_mode=True, count_include_pad=False
    ),
    "avg-override": lambda: trace_avg_pool2d(
        X45, (1, 3), (1, 2), (0, 1), ceil_mode=True, divisor_override=-3
    ),
    "conv-multichannel": lambda: trace_conv2d(
        X3, W3, 0.25, stride=(2, 1), padding=1, dilation=(1, 2)
    ),
    "conv-same": lambda: trace_conv2d(X3, W3, None, padding="same", grad_output=X3[0]),
    "conv-2d": lambda: trace_conv2d(X3[0], W3[0], -1.0, stride=2),
}
CONV_BUILDERS = {k: v for k, v in TRACE_BUILDERS.items() if k.startswith("conv")}


@pytest.fixture(params=list(TRACE_BUILDERS), name="trace")
def trace_fixture(request):
    return TRACE_BUILDERS[request.param]()


@pytest.fixture(params=list(CONV_BUILDERS), name="conv_trace")
def conv_trace_fixture(request):
    return CONV_BUILDERS[request.param]()


def test_backward_steps_add_up(trace):
    assert trace.grad_input.shape == trace.x.shape
    assert_allclose(summed_input_grads(trace), trace.grad_input, rtol=1e-12, atol=1e-12)
    # the grad_input is the engine's own backward pass
    assert_array_equal(trace.grad_input_after(len(trace) - 1), trace.grad_input)
    assert_array_equal(trace.grad_input_after(-1), np.zeros(trace.x.shape))


def test_grad_input_after_is_a_running_sum(trace):
    for k in range(len(trace)):
        assert_allclose(
            trace.grad_input_after(k), summed_input_grads(trace, k), rtol=1e-12, atol=1e-12
        )


def test_conv_weight_steps_add_up(conv_trace):
    trace = conv_trace
    gw, gb = summed_weight_grads(trace)
    assert_allclose(gw, trace.grad_weight, rtol=1e-12, atol=1e-12)
    after_w, after_b = trace.grad_weight_after(len(trace) - 1)
    assert_array_equal(after_w, trace.grad_weight)
    if trace.bias is None:
        assert trace.grad_bias is None and after_b is None
    else:
        assert gb == pytest.approx(trace.grad_bias, rel=1e-12)
        assert trace.grad_bias == pytest.approx(trace.grad_output.sum(), rel=1e-12)
    zero_w, _ = trace.grad_weight_after(-1)
    assert_array_equal(zero_w, np.zeros(trace.weight.shape))


def test_traces_agree_with_the_array_functions():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((5, 6))
    gy = rng.standard_normal((3, 3))
    t = trace_max_pool2d(x, 3, 2, 1, grad_output=gy)
    assert_array_equal(t.output, max_pool2d(x, 3, 2, 1))
    assert_array_equal(t.grad_input[0], max_pool2d_backward(gy, x, 3, 2, 1))
    assert_array_equal(t.mask_counts, max_pool2d_mask(x, 3, 2, 1).counts)
    gy = rng.standard_normal((3, 4))  # ceil mode: one more column
    t = trace_avg_pool2d(x, 3, 2, 1, True, False, grad_output=gy)
    assert_array_equal(t.output, avg_pool2d(x, 3, 2, 1, True, False))
    assert_array_equal(t.grad_input[0], avg_pool2d_backward(gy, x, 3, 2, 1, True, False))
    assert_array_equal(t.divisors, avg_divisors(t.geometry, False))
    w = rng.standard_normal((2, 3))
    t = trace_conv2d(
        x, w, 0.5, stride=(1, 2), padding=(1, 0), grad_output=rng.standard_normal((6, 2))
    )
    assert_array_equal(t.output, conv2d(x, w, 0.5, stride=(1, 2), padding=(1, 0)))
    gx, gw, gb = conv2d_backward(t.grad_output, x, w, 0.5, stride=(1, 2), padding=(1, 0))
    assert_allclose(t.grad_input[0], gx, rtol=1e-12)
    assert_allclose(t.grad_weight[0], gw, rtol=1e-12)
    assert t.grad_bias == pytest.approx(float(gb))
    for k in range(len(t)):
        step = t.forward_step(k)
        assert step.result == t.output[step.out_pos]


def test_mask_counts_after():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 9.0, 5.0], [6.0, 7.0, 8.0]])
    trace = trace_max_pool2d(x, 2, 1)
    assert_array_equal(trace.mask_counts_after(-1), np.zeros((3, 3)))
    assert trace.mask_counts_after(1)[1, 1] == 2
    assert_array_equal(trace.mask_counts_after(3), trace.mask_counts)


# ---- random traces ------------------------------------------------------------------------------
pair = st.one_of(st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    op=st.sampled_from(["max-first", "max-all", "max-split", "avg", "conv"]),
    h=st.integers(1, 5),
    w=st.integers(1, 5),
    kernel=pair,
    stride=pair,
    padding=st.one_of(st.integers(0, 1), st.tuples(st.integers(0, 1), st.integers(0, 1))),
    dilation=pair,
    ceil=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_random_traces_add_up(op, h, w, kernel, stride, padding, dilation, ceil, seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, size=(h, w)).astype(float)  # plenty of ties
    try:
        if op.startswith("max"):
            trace = trace_max_pool2d(x, kernel, stride, padding, dilation, ceil, op[4:])
        elif op == "avg":
            trace = trace_avg_pool2d(x, kernel, stride, padding, ceil, bool(seed % 2))
        else:
            kw = (kernel, kernel) if isinstance(kernel, int) else kernel
            trace = trace_conv2d(x, rng.standard_normal(kw), 0.5, stride, padding, dilation)
    except ValueError:
        assume(False)
    assert_allclose(
        summed_input_grads(trace), trace.grad_input[: trace.x.shape[0]], rtol=1e-12, atol=1e-12
    )
    per_cell = defaultdict(int)
    for k in range(len(trace)):
        step = trace.forward_step(k)
        assert step.result == trace.output[step.out_pos] or math.isnan(step.result)
        for t in step.taps:
            if t.kind == "input":
                assert t.value == x[t.input_pos]
            per_cell[t.kind] += 1
        if op.startswith("max"):
            assert all(step.taps[i].kind == "input" for i in step.winners)
            assert all(step.taps[i].value == step.result for i in step.winners)
    if op == "conv":
        gw, _ = summed_weight_grads(trace)
        assert_allclose(gw, trace.grad_weight, rtol=1e-12, atol=1e-12)


def test_large_trace_builds():
    x = np.random.default_rng(6).standard_normal((64, 64))
    trace = trace_max_pool2d(x, 2)
    assert len(trace) == 32 * 32
    assert trace.grad_input.shape == (1, 64, 64)
    assert trace.forward_step(len(trace) - 1).out_pos == (31, 31)
    conv = trace_conv2d(x, np.ones((3, 3)), padding="same")
    assert len(conv) == 64 * 64
    assert conv.backward_step(0).input_grads
    avg = trace_avg_pool2d(x, 3, 1, 1)
    assert len(avg) == 64 * 64


def test_multichannel_conv_text_groups_terms_by_input_channel():
    x = np.arange(18.0).reshape(2, 3, 3)
    step = trace_conv2d(x, np.ones((2, 2, 2)), 0.5).forward_step(0)
    assert step.text == "(0·1 + 1·1 + 3·1 + 4·1) + (9·1 + 10·1 + 12·1 + 13·1) + 0.5 = 52.5"


def test_a_step_record_is_made_once_and_only_a_few_are_kept():
    """The views ask for the current step several times per redraw: one record answers all."""
    from engine.trace import STEPS_KEPT

    trace = trace_max_pool2d(np.arange(64.0).reshape(8, 8), 2, 1)
    first = trace.step("forward", 3)
    assert trace.step("forward", 3) is first
    assert trace.step("backward", 3) is not first
    assert trace.step("backward", 3).phase == "backward"
    for k in range(2 * STEPS_KEPT):
        trace.step("forward", k)
    assert len(trace._steps) == STEPS_KEPT
    # A record made again tells the same story.
    again = trace.step("forward", 3)
    assert again == first


def test_the_output_so_far_hides_the_windows_not_computed_yet():
    trace = trace_max_pool2d(np.arange(64.0).reshape(8, 8), 2, 2)
    y = trace.output_after(5)
    assert_array_equal(y.reshape(-1)[:6], trace.output.reshape(-1)[:6])
    assert np.isnan(y.reshape(-1)[6:]).all()
    assert not np.isnan(trace.output).any()  # the trace's own output is left as it was


def test_an_accumulation_from_zeros_gives_new_arrays_with_the_same_sums():
    """The running sums start from zeros made when needed; every answer is a new array, and
    both ways of adding (a few cells, or the whole view) give the same sums."""
    from engine.trace import Accumulation

    amounts = np.array([0.5, -0.0, 2.0, 1.25])
    cells = np.array([3, 3, 0, 8])

    def contributions(oh: np.ndarray, ow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = oh * 2 + ow
        return cells[k], amounts[k]

    final = np.zeros(9)
    np.add.at(final, cells, amounts)
    acc = Accumulation((3, 3), (2, 2), contributions, final.reshape(3, 3))
    zero = acc.after(-1)
    assert_array_equal(zero, np.zeros((3, 3)))
    first = acc.after(0)
    assert first.reshape(-1)[3] == 0.5 and first.sum() == 0.5
    second = acc.after(2)  # the whole-view way (3 cells of 9)
    expected = np.zeros(9)
    expected[3], expected[0] = 0.5, 2.0
    assert_array_equal(second.reshape(-1), expected)
    assert not np.signbit(second).any()  # 0 + (−0) is +0, as when adding onto zeros
    assert first.sum() == 0.5 and not zero.any()  # earlier answers are left as they were
    assert acc.after(3) is acc.final
    assert_array_equal(acc.after(1), first)  # back: again from zeros
    assert_array_equal(acc.start_values(), np.zeros(9))


def _bits(pair: tuple[float, float]) -> bytes:
    return np.array(pair, dtype=np.float64).tobytes()


def test_known_extremes_of_the_first_windows_are_those_of_the_sum_bit_for_bit():
    """After the first windows summed from zeros, an accumulation knows the least and largest
    cell without a pass over its array: the bits np.min and np.max give (NaN if one is held;
    no −0.0, since +0.0 plus anything is not −0.0).  Elsewhere it says it does not know."""
    from engine.trace import Accumulation

    rng = np.random.default_rng(5)
    known = 0
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0])
    for trial in range(400):
        size = int(rng.integers(1, 40))
        out = (int(rng.integers(1, 5)), int(rng.integers(1, 5)))
        n = out[0] * out[1]
        per = int(rng.integers(1, 4))
        cells = rng.integers(0, size, (n, per))
        amounts = rng.integers(-3, 4, (n, per)).astype(float)
        if trial % 3 == 0:
            spots = rng.random(amounts.shape) < 0.2
            amounts[spots] = rng.choice(specials, int(spots.sum()))

        def contributions(oh, ow, cells=cells, amounts=amounts, width=out[1]):
            k = oh * width + ow
            return cells[k].reshape(-1), amounts[k].reshape(-1)

        final = np.zeros(size)
        with np.errstate(invalid="ignore"):  # inf + (-inf): NaN, as in the accumulation
            np.add.at(final, cells.reshape(-1), amounts.reshape(-1))
        acc = Accumulation((size,), out, contributions, final)
        order = [int(k) for k in rng.integers(-1, n, 4)]
        for index in order:
            values = acc.after(index)
            found = acc.known_extremes(index)
            if found is not None:
                known += 1
                assert _bits(found) == _bits((values.min(), values.max()))
    assert known > 100


def test_the_mask_so_far_knows_its_extremes_at_the_first_step_only():
    """The argmax mask's running count at the first window: known extremes (nothing to
    measure); stepping on from there: not known (the view measures it)."""
    x = np.random.default_rng(0).integers(0, 5, (40, 40)).astype(float)
    trace = trace_max_pool2d(x, 3, 2)
    acc = trace.accumulation("mask")
    first = acc.after(0)
    assert acc.known_extremes(0) == (float(first.min()), float(first.max())) == (0.0, 1.0)
    acc.after(5)
    assert acc.known_extremes(5) is None
    assert acc.known_extremes(0) is None  # not the last answer
    acc.after(len(trace) - 1)
    assert acc.known_extremes(len(trace) - 1) is None

"""The wrong implementations of engine/pitfalls.py are wrong in exactly the documented way.

For each one: a hand-worked example where the mistake shows (expected values written out),
a property saying precisely how the wrong result relates to the engine's correct one, and a
property that it agrees with the engine wherever the documented mistake does not matter.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from checks import hypothesis_settings
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import engine
from engine import pitfalls
from engine.pitfalls import (
    PITFALLS,
    PitfallCase,
    compare,
    evaluate,
    get_pitfall,
    pitfalls_for,
    wrong_avg_pool2d_fixed_divisor,
    wrong_conv2d_bias_per_product,
    wrong_conv2d_flipped_kernel,
    wrong_max_pool2d_backward_equality_mask,
    wrong_max_pool2d_backward_ignores_stride,
    wrong_max_pool2d_zero_padding,
    wrong_pool2d_reshape,
)

SETTINGS = hypothesis_settings(150)

RAMP_4X4 = np.arange(1, 17, dtype=float).reshape(4, 4)


# ---- strategies ---------------------------------------------------------------------------------
def pairs(low: int, high: int):
    return st.tuples(st.integers(low, high), st.integers(low, high))


@st.composite
def planes(draw, ties: bool = False, max_side: int = 7):
    """An (H, W) plane: small integers (many ties) or floats of both signs (ties unlikely)."""
    shape = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    if ties:
        return rng.integers(-2, 3, size=shape).astype(float)
    return rng.normal(size=shape) * 10


@st.composite
def pool_cases(draw, ties: bool = False, stride: tuple[int, int] | None = None):
    """A plane and valid max-pooling parameters (invalid draws are discarded)."""
    x = draw(planes(ties=ties))
    kernel = draw(pairs(1, 4))
    params = dict(
        kernel_size=kernel,
        stride=draw(pairs(1, 4)) if stride is None else stride,
        padding=(draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2))),
        dilation=draw(pairs(1, 3)),
        ceil_mode=draw(st.booleans()),
    )
    try:
        g = engine.pool_geometry(x.shape, **params)
    except ValueError:
        assume(False)
    return x, params, g


def grad_for(g) -> np.ndarray:
    """A deterministic upstream gradient of distinct quarter values (exact in any order)."""
    n = g.out_size[0] * g.out_size[1]
    return (np.arange(n, dtype=float).reshape(g.out_size) + 1) / 4


def assert_backward_is_the_engines(wrong, case, **engine_kwargs):
    """``wrong(dY, x, **params)`` equals the engine's max-pooling backward (``engine_kwargs``
    added to its parameters) on a drawn ``case``."""
    x, params, g = case
    dy = grad_for(g)
    assert_array_equal(
        wrong(dy, x, **params), engine.max_pool2d_backward(dy, x, **params, **engine_kwargs)
    )


def touches_padding(g) -> np.ndarray:
    """Whether each window has a tap outside the real input, written out independently."""
    out = np.zeros(g.out_size, dtype=bool)
    h, w = g.in_size
    for oh in range(g.out_size[0]):
        for ow in range(g.out_size[1]):
            for i in range(g.kernel[0]):
                for j in range(g.kernel[1]):
                    r = oh * g.stride[0] - g.pad_before[0] + i * g.dilation[0]
                    c = ow * g.stride[1] - g.pad_before[1] + j * g.dilation[1]
                    out[oh, ow] |= not (0 <= r < h and 0 <= c < w)
    return out


# ---- zero padding in max pooling ----------------------------------------------------------------
def test_zero_padding_hand_worked_all_negative():
    x = -RAMP_4X4
    # kernel 2, stride 2, padding 1: windows cover rows/cols {-1,0}, {1,2}, {3,4}.
    correct = engine.max_pool2d(x, 2, 2, 1)
    assert_array_equal(correct, [[-1, -2, -4], [-5, -6, -8], [-13, -14, -16]])
    wrong = wrong_max_pool2d_zero_padding(x, 2, 2, 1)
    # Every window but the centre one touches the zero padding and "wins" 0.
    assert_array_equal(wrong, [[0, 0, 0], [0, -6, 0], [0, 0, 0]])


def test_zero_padding_is_harmless_for_non_negative_input():
    assert_array_equal(
        wrong_max_pool2d_zero_padding(RAMP_4X4, 2, 2, 1), engine.max_pool2d(RAMP_4X4, 2, 2, 1)
    )


@SETTINGS
@given(pool_cases())
def test_zero_padding_differs_exactly_on_negative_windows_touching_padding(case):
    x, params, g = case
    correct = engine.max_pool2d(x, **params)
    wrong = wrong_max_pool2d_zero_padding(x, **params)
    touching = touches_padding(g)
    # Windows that touch the padding get max(real max, 0); all others are untouched.
    assert_array_equal(wrong, np.where(touching, np.maximum(correct, 0), correct))
    differs = wrong != correct
    assert not (differs & ~touching).any()
    assert (differs == (touching & (correct < 0))).all()


# ---- backward that forgets the stride -----------------------------------------------------------
def test_ignores_stride_hand_worked():
    dy = np.ones((2, 2))
    correct = engine.max_pool2d_backward(dy, RAMP_4X4, 2, 2)
    expected_correct = np.zeros((4, 4))
    expected_correct[[1, 1, 3, 3], [1, 3, 1, 3]] = 1
    assert_array_equal(correct, expected_correct)
    wrong = wrong_max_pool2d_backward_ignores_stride(dy, RAMP_4X4, 2, 2)
    # Windows start at (h, w) instead of (2h, 2w): their maxima are (1,1), (1,2), (2,1), (2,2).
    expected_wrong = np.zeros((4, 4))
    expected_wrong[[1, 1, 2, 2], [1, 2, 1, 2]] = 1
    assert_array_equal(wrong, expected_wrong)


@SETTINGS
@given(pool_cases(ties=True, stride=(1, 1)))
def test_ignores_stride_is_right_when_stride_is_one(case):
    assert_backward_is_the_engines(wrong_max_pool2d_backward_ignores_stride, case)


@SETTINGS
@given(pool_cases(ties=True))
def test_ignores_stride_is_a_stride_one_backward(case):
    """Exactly the mistake: output (h, w) is treated as window (h, w) of a stride-1 pooling."""
    x, params, g = case
    one = dict(params, stride=1, ceil_mode=False)
    try:
        g1 = engine.pool_geometry(x.shape, **one)
    except ValueError:
        assume(False)
    assume(g1.out_size[0] >= g.out_size[0] and g1.out_size[1] >= g.out_size[1])
    dy = grad_for(g)
    dy1 = np.zeros(g1.out_size)
    dy1[: g.out_size[0], : g.out_size[1]] = dy
    assert_array_equal(
        wrong_max_pool2d_backward_ignores_stride(dy, x, **params),
        engine.max_pool2d_backward(dy1, x, **one),
    )


# ---- equality mask ------------------------------------------------------------------------------
def test_equality_mask_hand_worked():
    x = np.array([[5.0, 5.0], [1.0, 5.0]])
    dy = np.array([[2.0]])
    assert_array_equal(engine.max_pool2d_backward(dy, x, 2), [[2, 0], [0, 0]])
    # Three tied maxima each get the full gradient: 6 flows back instead of 2.
    assert_array_equal(wrong_max_pool2d_backward_equality_mask(dy, x, 2), [[2, 2], [0, 2]])


@SETTINGS
@given(pool_cases(ties=True))
def test_equality_mask_equals_the_all_ties_policy(case):
    assert_backward_is_the_engines(wrong_max_pool2d_backward_equality_mask, case, ties="all")


@SETTINGS
@given(pool_cases(ties=False))
def test_equality_mask_is_right_without_ties(case):
    assert_backward_is_the_engines(wrong_max_pool2d_backward_equality_mask, case)


# ---- pooling by reshape -------------------------------------------------------------------------
def test_reshape_hand_worked_drops_last_row_and_column():
    x = np.arange(1, 26, dtype=float).reshape(5, 5)
    correct = engine.max_pool2d(x, 2, 2, ceil_mode=True)
    assert_array_equal(correct, [[7, 9, 10], [17, 19, 20], [22, 24, 25]])
    wrong = wrong_pool2d_reshape(x, 2)
    assert_array_equal(wrong, [[7, 9], [17, 19]])  # row 4 and column 4 silently gone
    assert_array_equal(wrong_pool2d_reshape(x, 2, "avg"), [[4, 6], [14, 16]])


@SETTINGS
@given(planes(), pairs(1, 4), st.booleans(), st.sampled_from(["max", "avg"]))
def test_reshape_matches_the_part_that_fits(x, kernel, ceil_mode, mode):
    try:
        if mode == "max":
            correct = engine.max_pool2d(x, kernel, kernel, 0, 1, ceil_mode)
        else:
            correct = engine.avg_pool2d(x, kernel, kernel, 0, ceil_mode)
    except ValueError:
        assume(False)
    wrong = wrong_pool2d_reshape(x, kernel, mode)
    rows, cols = x.shape[0] // kernel[0], x.shape[1] // kernel[1]
    assert wrong.shape == (rows, cols)
    assert_allclose(wrong, correct[:rows, :cols], rtol=1e-12, atol=1e-12)
    if not ceil_mode:
        assert wrong.shape == correct.shape  # floor mode drops the same rows PyTorch drops
    elif x.shape[0] % kernel[0] or x.shape[1] % kernel[1]:
        assert wrong.shape != correct.shape  # ceil_mode keeps a partial window: reshape loses it


def test_reshape_ignores_stride():
    correct = engine.max_pool2d(RAMP_4X4, 2, 1)
    assert correct.shape == (3, 3)
    assert wrong_pool2d_reshape(RAMP_4X4, 2).shape == (2, 2)


# ---- average with a fixed divisor ---------------------------------------------------------------
def test_fixed_divisor_hand_worked_ceil_mode():
    x = np.arange(1, 10, dtype=float).reshape(3, 3)
    correct = engine.avg_pool2d(x, 2, 2, ceil_mode=True)
    # Clipped windows are divided by the cells they hold: (3+6)/2, (7+8)/2, 9/1.
    assert_array_equal(correct, [[3, 4.5], [7.5, 9]])
    assert_array_equal(
        wrong_avg_pool2d_fixed_divisor(x, 2, 2, ceil_mode=True), [[3, 2.25], [3.75, 2.25]]
    )


@SETTINGS
@given(
    planes(),
    pairs(1, 4),
    pairs(1, 4),
    st.integers(0, 2),
    st.booleans(),
    st.booleans(),
)
def test_fixed_divisor_equals_divisor_override_kernel_area(x, kernel, stride, pad, ceil, include):
    pad = (min(pad, kernel[0] // 2), min(pad, kernel[1] // 2))
    try:
        correct = engine.avg_pool2d(x, kernel, stride, pad, ceil, include)
    except ValueError:
        assume(False)
    wrong = wrong_avg_pool2d_fixed_divisor(x, kernel, stride, pad, ceil)
    area = kernel[0] * kernel[1]
    assert_allclose(
        wrong,
        engine.avg_pool2d(x, kernel, stride, pad, ceil, include, area),
        rtol=1e-12,
        atol=1e-12,
    )
    g = engine.pool_geometry(x.shape, kernel, stride, pad, 1, ceil)
    if include and not ceil:
        assert_allclose(wrong, correct, rtol=1e-12, atol=1e-12)
    divisors = engine.avg_divisors(g, include)
    same = divisors == area
    assert_allclose(wrong[same], correct[same], rtol=1e-12, atol=1e-12)


# ---- convolution --------------------------------------------------------------------------------
@st.composite
def conv_cases(draw):
    c = draw(st.integers(1, 3))
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = rng.integers(-5, 6, size=(c, h, w)).astype(float)
    weight = rng.integers(-3, 4, size=(c, kh, kw)).astype(float)
    args = (draw(pairs(1, 3)), draw(pairs(0, 2)), draw(pairs(1, 2)))
    try:
        engine.conv_geometry((h, w), (kh, kw), *args)
    except ValueError:
        assume(False)
    return x, weight, args


def correct_conv(x, weight, bias, args):
    b = None if bias is None else np.array([bias])
    return engine.conv2d(x[None], weight[None], b, *args)[0, 0]


def test_bias_per_product_hand_worked():
    x = np.arange(9, dtype=float).reshape(1, 3, 3)
    w = np.array([[[0.0, 1.0], [2.0, 3.0]]])
    assert_array_equal(correct_conv(x, w, 1.0, (1, 0, 1)), [[20, 26], [38, 44]])
    # 4 products per window, each with the bias: 3 extra.
    assert_array_equal(wrong_conv2d_bias_per_product(x, w, 1.0), [[23, 29], [41, 47]])


@SETTINGS
@given(conv_cases(), st.sampled_from([None, 0.0, 1.0, -2.5]))
def test_bias_per_product_adds_bias_c_kh_kw_minus_one_times(case, bias):
    x, weight, args = case
    correct = correct_conv(x, weight, bias, args)
    wrong = wrong_conv2d_bias_per_product(x, weight, bias, *args)
    extra = 0.0 if bias is None else bias * (weight.size - 1)
    assert_allclose(wrong, correct + extra, rtol=1e-12, atol=1e-9)
    if not bias:
        assert_allclose(wrong, correct, rtol=1e-12, atol=1e-12)


def test_flipped_kernel_hand_worked():
    x = np.arange(9, dtype=float).reshape(1, 3, 3)
    w = np.array([[[0.0, 1.0], [2.0, 3.0]]])
    assert_array_equal(correct_conv(x, w, None, (1, 0, 1)), [[19, 25], [37, 43]])
    # Kernel turned half way round: [[3, 2], [1, 0]]; top-left = 0·3 + 1·2 + 3·1 + 4·0 = 5.
    assert_array_equal(wrong_conv2d_flipped_kernel(x, w), [[5, 11], [23, 29]])


@SETTINGS
@given(conv_cases(), st.sampled_from([None, 1.5]))
def test_flipped_kernel_is_cross_correlation_with_rotated_kernel(case, bias):
    x, weight, args = case
    wrong = wrong_conv2d_flipped_kernel(x, weight, bias, *args)
    assert_allclose(wrong, correct_conv(x, weight[:, ::-1, ::-1], bias, args), atol=1e-9)
    symmetric = weight + weight[:, ::-1, ::-1]  # a kernel that looks the same after a half turn
    assert_allclose(
        wrong_conv2d_flipped_kernel(x, symmetric, bias, *args),
        correct_conv(x, symmetric, bias, args),
        atol=1e-9,
    )


# ---- registry -----------------------------------------------------------------------------------
def test_registry_entries_are_well_formed():
    keys = [p.key for p in PITFALLS]
    assert len(keys) == len(set(keys))
    required = {
        "wrong_max_pool2d_zero_padding",
        "wrong_max_pool2d_backward_ignores_stride",
        "wrong_max_pool2d_backward_equality_mask",
        "wrong_conv2d_bias_per_product",
        "wrong_pool2d_reshape",
    }
    assert required <= {p.function.__name__ for p in PITFALLS}
    for p in PITFALLS:
        assert p.function.__name__.startswith("wrong_")
        assert getattr(pitfalls, p.function.__name__) is p.function
        doc = inspect.getdoc(p.function)
        assert doc and doc.startswith("WRONG"), p.key
        assert "mistake" in doc.lower(), p.key
        assert set(p.applies_to) <= {"max", "avg", "conv"} and p.applies_to
        assert p.result in ("output", "grad_input")
        assert p.title and p.explanation and "\n" not in p.explanation


def test_every_op_has_a_pitfall():
    for op in ("max", "avg", "conv"):
        assert pitfalls_for(op), op
    assert [p.key for p in pitfalls_for("conv")] == [
        "conv_bias_per_product",
        "conv_flipped_kernel",
    ]


# One case per pitfall on which its mistake shows.
DEMOS = {
    "max_zero_padding": PitfallCase("max", -RAMP_4X4, (2, 2), (2, 2), (1, 1)),
    "max_backward_ignores_stride": PitfallCase(
        "max", RAMP_4X4, (2, 2), (2, 2), grad_output=np.ones((2, 2))
    ),
    "max_backward_equality_mask": PitfallCase(
        "max", np.ones((4, 4)), (2, 2), (2, 2), grad_output=np.ones((2, 2))
    ),
    "pool_reshape": PitfallCase("avg", np.ones((5, 5)), (2, 2), (2, 2), ceil_mode=True),
    "avg_fixed_divisor": PitfallCase("avg", np.ones((5, 5)), (2, 2), (2, 2), ceil_mode=True),
    "conv_bias_per_product": PitfallCase(
        "conv", np.ones((2, 3, 3)), (2, 2), (1, 1), weight=np.ones((2, 2, 2)), bias=1.0
    ),
    "conv_flipped_kernel": PitfallCase(
        "conv", RAMP_4X4[None], (1, 2), (1, 1), weight=np.array([[[1.0, -1.0]]])
    ),
}


@pytest.mark.parametrize("pitfall", PITFALLS, ids=lambda p: p.key)
def test_every_pitfall_shows_its_mistake_on_a_demo(pitfall):
    correct, wrong = evaluate(pitfall.key, DEMOS[pitfall.key])
    assert compare(correct, wrong).count > 0


def test_evaluate_refuses_unknown_and_inapplicable():
    with pytest.raises(ValueError, match="must be one of"):
        get_pitfall("nope")
    case = PitfallCase("avg", RAMP_4X4)
    with pytest.raises(ValueError, match="applies to max, not to 'avg'"):
        evaluate("max_zero_padding", case)
    with pytest.raises(ValueError, match="needs grad_output"):
        evaluate("max_backward_equality_mask", PitfallCase("max", RAMP_4X4))


def test_compare_counts_differing_and_missing_cells():
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([[1.0, 0.0], [4.0, 5.0 + 1e-13]])
    result = compare(a, b)
    assert_array_equal(result.correct_mask, [[False, True, True], [False, False, True]])
    assert_array_equal(result.wrong_mask, [[False, True], [False, False]])
    assert result.count == 3 and not result.same_shape
    same = compare(a, a.copy())
    assert same.count == 0 and same.same_shape
    assert compare(np.array([[np.nan]]), np.array([[np.nan]])).count == 0

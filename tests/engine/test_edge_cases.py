"""Engine edge cases of issue 8 #13: each failed before it was fixed.

* an int parameter of 2**63 or more raised NumPy's ``OverflowError``;
* a 0-d array kernel (``np.array(2)``) raised ``TypeError`` (PyTorch takes a 0-d tensor);
* a convolution padding of 10**30 raised NumPy's "Maximum allowed dimension exceeded";
* a negative ``divisor_override`` gave −0.0 where PyTorch gives +0.0;
* ``max_pool2d_backward(indices=...)`` took indices outside their window (and, for windows that
  do not overlap, even lost part of the gradient PyTorch would send there).
"""

from __future__ import annotations

import checks
import numpy as np
import pytest
from numpy.testing import assert_array_equal

import engine
from benchmarks.measure import peak_bytes
from engine import ParameterError

X = np.arange(16.0).reshape(4, 4)
TOO_BIG = [2**63, 2**64 + 5, 10**30, -(2**63) - 1]


def refuses(call, *fragments: str) -> str:
    """``call`` must raise a ParameterError whose message holds every fragment."""
    return str(checks.refuses(call, *fragments, error=ParameterError))


# ---- ints beyond 64 bits -------------------------------------------------------------------------
@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize("name", ["kernel_size", "stride", "padding", "dilation"])
def test_a_pooling_int_beyond_64_bits_is_refused_by_name(name, value):
    params = {"kernel_size": 2, "stride": 2, "padding": 0, "dilation": 1, name: value}
    for call in (
        lambda: engine.max_pool2d(X, **params),
        lambda: engine.max_pool2d_backward(np.ones((2, 2)), X, **params),
        lambda: engine.max_pool2d_mask(X, **params),
    ):
        refuses(call, name, str(value), "64-bit")
    if name != "dilation":
        del params["dilation"]
        refuses(lambda: engine.avg_pool2d(X, **params), name, str(value), "64-bit")


@pytest.mark.parametrize("value", TOO_BIG)
def test_a_pooling_pair_with_an_int_beyond_64_bits_is_refused(value):
    refuses(lambda: engine.max_pool2d(X, 2, (1, value)), "stride", str(value), "64-bit")


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize("name", ["stride", "dilation"])
def test_a_conv_int_beyond_64_bits_is_refused_by_name(name, value):
    refuses(lambda: engine.conv2d(X, np.ones((2, 2)), **{name: value}), name, str(value))


@pytest.mark.parametrize("value", TOO_BIG)
def test_a_divisor_override_beyond_64_bits_is_refused(value):
    for call in (
        lambda: engine.avg_pool2d(X, 2, divisor_override=value),
        lambda: engine.avg_pool2d_backward(np.ones((2, 2)), X, 2, divisor_override=value),
    ):
        refuses(call, "divisor_override", str(value), "64-bit")


@pytest.mark.parametrize("value", [2**63 - 1, -(2**63)])
def test_the_64_bit_extremes_are_accepted(value):
    # PyTorch accepts them: a stride that large gives one window, a divisor that large tiny means.
    assert_array_equal(engine.max_pool2d(X, 2, 2**63 - 1), [[5.0]])
    assert_array_equal(engine.conv2d(X, np.ones((2, 2)), stride=2**63 - 1), [[10.0]])
    got = engine.avg_pool2d(X, 2, divisor_override=value)
    assert_array_equal(got, engine.avg_pool2d(X, 2) * 4 / value)


# ---- 0-d arrays ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
def test_a_0d_integer_array_counts_as_its_number(dtype):
    two = np.array(2, dtype=dtype)
    assert_array_equal(engine.max_pool2d(X, two), engine.max_pool2d(X, 2))
    assert_array_equal(
        engine.max_pool2d(X, 3, two, np.array(1, dtype)), engine.max_pool2d(X, 3, 2, 1)
    )
    assert_array_equal(engine.avg_pool2d(X, two), engine.avg_pool2d(X, 2))
    assert_array_equal(
        engine.conv2d(X, np.ones((2, 2)), stride=two), engine.conv2d(X, np.ones((2, 2)), stride=2)
    )
    assert engine.pool_geometry((4, 4), two).kernel == (2, 2)


@pytest.mark.parametrize("value", [np.array(2.0), np.array(True), np.array("2")])
def test_a_0d_array_of_something_else_is_refused(value):
    message = refuses(lambda: engine.max_pool2d(X, value), "kernel_size", "single int")
    assert "array(" in message  # shows what was given


# ---- a convolution output too large for any array ------------------------------------------------
def test_a_huge_conv_padding_says_what_the_output_would_be():
    message = refuses(
        lambda: engine.conv2d(X, np.ones((2, 2)), padding=10**30),
        "padding (1000000000000000000000000000000)",
        "the output would be 2000000000000000000000000000003x2000000000000000000000000000003",
    )
    assert "Maximum allowed dimension" not in message


def test_a_huge_padding_on_one_axis_names_that_output():
    refuses(
        lambda: engine.conv2d_backward(np.ones((5, 5)), X, np.ones((2, 2)), padding=(1, 2**62)),
        "the output would be 5x9223372036854775811",
    )


# ---- the sign of a zero average ------------------------------------------------------------------
def _signbits(a: np.ndarray) -> int:
    return int(np.signbit(a[a == 0]).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("divisor", [-1, -3, -(2**63)])
def test_a_negative_divisor_override_gives_plus_zero(dtype, divisor):
    x = np.zeros((2, 3, 6, 6), dtype=dtype)
    x[0, 0, 0, 0] = -0.0
    y = engine.avg_pool2d(x, 2, divisor_override=divisor)
    assert y.dtype == dtype
    assert (y == 0).all() and _signbits(y) == 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_tiny_negative_mean_that_rounds_to_zero_is_plus_zero(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    x = np.array([[-tiny, 0.0], [0.0, 0.0]], dtype=dtype)
    y = engine.avg_pool2d(x, 2)  # −tiny / 4 rounds to zero
    assert y.tolist() == [[0.0]] and _signbits(y) == 0
    # other values keep their sign and bits
    assert_array_equal(
        engine.avg_pool2d(-np.ones((2, 2), dtype), 2, divisor_override=3),
        [[dtype(-4) / dtype(3)]],
    )
    assert_array_equal(engine.avg_pool2d(np.ones((2, 2), dtype), 2, divisor_override=-4), [[-1.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "params",
    [
        {"divisor_override": -3},
        {"divisor_override": -1, "padding": 1},
        {"padding": 1, "count_include_pad": False},
        {"stride": 2, "ceil_mode": True},
        {},
    ],
)
def test_zero_signs_match_torch_bit_for_bit(dtype, params):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    tiny = np.finfo(dtype).smallest_subnormal
    x = (rng.integers(-3, 4, size=(2, 3, 10, 10)) * tiny).astype(dtype)
    x[0, 0] = 0.0
    x[0, 1] = -0.0
    expected = torch.nn.functional.avg_pool2d(torch.from_numpy(x), 3, **params).numpy()
    got = engine.avg_pool2d(x, 3, **params)
    bits = np.int32 if dtype == np.float32 else np.int64
    assert_array_equal(got.view(bits), expected.view(bits))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("stride", [2, 1])  # windows apart (plain assignment), overlapping
@pytest.mark.parametrize("given_indices", [False, True])
def test_a_minus_zero_max_gradient_lands_as_plus_zero(dtype, stride, given_indices):
    """PyTorch adds each gradient onto zeros (0.0 + -0.0 = +0.0): no -0.0 in grad_input."""
    x = np.arange(2 * 3 * 6 * 6, dtype=dtype).reshape(2, 3, 6, 6)
    y, idx = engine.max_pool2d(x, 2, stride, return_indices=True)
    gy = np.full(y.shape, -0.0, dtype=dtype)
    gy[0, 0, 0, 0] = -2.0  # other values keep their sign
    indices = idx if given_indices else None
    grad = engine.max_pool2d_backward(gy, x, 2, stride, indices=indices)
    assert _signbits(grad) == 0 and grad[0, 0, 1, 1] == -2.0
    y, idx = engine.adaptive_max_pool2d(x, 3 if stride == 2 else 4, return_indices=True)
    indices = idx if given_indices else None
    grad = engine.adaptive_max_pool2d_backward(
        np.full(y.shape, -0.0, dtype=dtype), x, y.shape[-1], indices=indices
    )
    assert (grad == 0).all() and _signbits(grad) == 0


# ---- max-pooling indices must lie in their own window --------------------------------------------
def test_indices_outside_their_window_are_refused():
    # Issue 8's case: every window claims element 0.  PyTorch adds all four gradients there
    # (4); the engine used to assign them (1).  No max pooling returns such indices.
    refuses(
        lambda: engine.max_pool2d_backward(
            np.ones((2, 2)), X, 2, indices=np.zeros((2, 2), dtype=np.int64)
        ),
        "indices must point into their own window",
        "output (0, 1)",
        "index 0 (row 0, column 0)",
        "rows 0..1 and columns 2..3",
    )


@pytest.mark.parametrize(
    ("params", "position", "index", "fragments"),
    [
        # overlapping windows: the neighbour's element
        ((3, 1, 1), (2, 2), 0, ["output (2, 2)", "index 0", "rows 1..3 and columns 1..3"]),
        # a dilated window skips row 1 and column 1
        ((2, 1, 0, 2), (0, 0), 5, ["index 5 (row 1, column 1)", "rows 0, 2 and columns 0, 2"]),
        # the left padding column would alias the previous row's last element
        ((3, 2, 1), (1, 0), 3, ["index 3 (row 0, column 3)", "rows 1..3 and columns 0..1"]),
        # the ceil_mode overhang of the last window aliases the next row's first element
        ((2, 3, 0, 1, True), (0, 1), 4, ["index 4 (row 1, column 0)", "columns 3"]),
    ],
)
def test_each_index_names_a_real_tap_of_its_window(params, position, index, fragments):
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 4))
    y, idx = engine.max_pool2d(x, *params, return_indices=True)
    gy = np.ones_like(y)
    engine.max_pool2d_backward(gy, x, *params, indices=idx)  # the forward's indices pass
    bad = idx.copy()
    bad[1, 2][position] = index
    refuses(
        lambda: engine.max_pool2d_backward(gy, x, *params, indices=bad),
        "plane (1, 2)",
        *fragments,
    )
    for ties in ("all", "split"):
        refuses(lambda t=ties: engine.max_pool2d_backward(gy, x, *params, t, indices=bad))


def test_every_index_of_every_window_is_checked_exactly():
    # All 36 candidates for a few windows of a dilated, padded, ceil_mode pooling: accepted
    # exactly when the index is one of the window's real taps.
    x = np.random.default_rng(4).standard_normal((1, 2, 6, 6))
    params = (3, 2, 1, 2, True)
    g = engine.pool_geometry((6, 6), *params)
    y, idx = engine.max_pool2d(x, *params, return_indices=True)
    for oh, ow in [(0, 0), (1, 2), (g.out_size[0] - 1, g.out_size[1] - 1)]:
        real = {r * 6 + c for _, _, r, c in g.window_taps(oh, ow) if 0 <= r < 6 and 0 <= c < 6}
        for candidate in range(36):
            bad = idx.copy()
            bad[0, 1, oh, ow] = candidate
            try:
                engine.max_pool2d_backward(np.ones_like(y), x, *params, indices=bad)
                accepted = True
            except ParameterError:
                accepted = False
            assert accepted == (candidate in real), (oh, ow, candidate)


@pytest.mark.parametrize(
    ("shape", "params", "block"),
    [
        ((5, 6), (3, 1, 1), 1 << 18),  # padded, overlapping: border rows and columns
        ((5, 6), (3, 1, 1), 7),  # the same in bands of rows
        ((7, 5), ((3, 2), (2, 1), (1, 0), 1, True), 4),  # uneven, ceil_mode overhang
        ((6, 7), (2, 2, 0, 1, True), 1 << 18),  # no overlap, overhang on both sides
        ((5, 3), (3, 1, 1, (1, 2)), 1 << 18),  # dilated columns wider than the plane
        ((4, 2), (3, 1, 1), 3),  # a plane narrower than the kernel: no quick test
    ],
)
def test_every_candidate_index_of_every_window_is_judged_like_the_taps(
    monkeypatch, shape, params, block
):
    """The quick offset-table test (and its border fallback) accepts exactly the real taps."""
    monkeypatch.setattr(engine.pooling, "BLOCK_OUTPUTS", block)
    h, w = shape
    x = np.random.default_rng(5).standard_normal((1, 2, h, w))
    g = engine.pool_geometry(shape, *params)
    y, idx = engine.max_pool2d(x, *params, return_indices=True)
    gy = np.ones_like(y)
    for oh in range(g.out_size[0]):
        for ow in range(g.out_size[1]):
            real = {r * w + c for _, _, r, c in g.window_taps(oh, ow) if 0 <= r < h and 0 <= c < w}
            for candidate in range(-1, h * w + 1):
                bad = idx.copy()
                bad[0, 1, oh, ow] = candidate
                try:
                    engine.max_pool2d_backward(gy, x, *params, indices=bad)
                    accepted = True
                except ParameterError:
                    accepted = False
                assert accepted == (candidate in real), (oh, ow, candidate)


def test_a_window_without_real_taps_keeps_its_past_the_plane_index():
    # PyTorch #114216: 1x1 input, k2, s1, p1, d2: no window has a real tap; indices 2, 3, ...
    x = np.ones((2, 2, 1, 1))
    y, idx = engine.max_pool2d(x, 2, 1, 1, 2, return_indices=True)
    grad = engine.max_pool2d_backward(np.ones_like(y), x, 2, 1, 1, 2, indices=idx)
    assert_array_equal(grad, np.zeros_like(x))


def test_index_validation_agrees_with_torch_where_torch_is_defined():
    # For indices max pooling can return, the engine and PyTorch send the same gradient.
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, size=(2, 3, 9, 9)).astype(np.float32)  # many ties
    for k, s, p, d in [(2, 2, 0, 1), (3, 1, 1, 1), (3, 2, 1, 2)]:
        y, idx = engine.max_pool2d(x, k, s, p, d, return_indices=True)
        gy = rng.standard_normal(y.shape).astype(np.float32)
        expected = torch.ops.aten.max_pool2d_with_indices_backward(
            torch.from_numpy(gy),
            torch.from_numpy(x),
            [k, k],
            [s, s],
            [p, p],
            [d, d],
            False,
            torch.from_numpy(idx),
        ).numpy()
        got = engine.max_pool2d_backward(gy, x, k, s, p, d, indices=idx)
        assert_array_equal(got, expected)


# ---- memory of the argmax mask and of the tie policies (issue 8 #14) ----------------------------
def _peak_ratio(call, x: np.ndarray) -> float:
    """Peak bytes NumPy allocates during ``call()`` (its result included), over ``x.nbytes``."""
    return peak_bytes(call) / x.nbytes


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("padding", [0, 1])
def test_mask_and_tie_backward_stay_within_4x_the_input(dtype, padding):
    # A 1024² plane, kernel 3, stride 1: before, the mask peaked at 6.9× (float64) to 29× (float32,
    # ties='all') the input and the split backward at 7.1× to 12.2×.  Deterministic: tracemalloc
    # counts allocations, not time.
    x = np.random.default_rng(9).integers(0, 4, size=(1024, 1024)).astype(dtype)  # many ties
    gy = np.ones(engine.max_pool2d(x, 3, 1, padding).shape, dtype=dtype)
    for ties in ("first", "all", "split"):
        mask = _peak_ratio(lambda t=ties: engine.max_pool2d_mask(x, 3, 1, padding, ties=t), x)
        back = _peak_ratio(
            lambda t=ties: engine.max_pool2d_backward(gy, x, 3, 1, padding, ties=t), x
        )
        assert mask <= 4.0, (ties, mask)
        assert back <= 4.0, (ties, back)

"""Max unpooling (engine/unpool.py): hand-worked cases, the plain-loop reference
(engine/reference_transpose.py), finite differences, validation and PyTorch itself.

Section numbers (§) refer to ``/work/shared/design/pytorch-semantics.md``.  Expected values of
the hand-worked cases are written out by hand, never computed by the engine under test.
"""

from __future__ import annotations

import numpy as np
import pytest
from checks import hypothesis_settings, numeric_gradient, refuses
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal

import engine.unpool as unpool_module
from engine import max_pool2d
from engine import reference_transpose as ref
from engine.errors import ParameterError
from engine.unpool import max_unpool2d, max_unpool2d_backward, unpool_output_size

SETTINGS = hypothesis_settings(80)

IMAGE_4X4 = np.array(
    [
        [1, 5, 2, 0],
        [3, 4, 8, 7],
        [9, 0, 1, 1],
        [2, 6, 3, 4],
    ],
    dtype=np.float64,
)


# ---- hand-worked cases ------------------------------------------------------------------------
def test_pool_then_unpool_puts_the_maxima_back():
    y, idx = max_pool2d(IMAGE_4X4, 2, return_indices=True)
    assert_array_equal(y, [[5, 8], [9, 4]])
    assert_array_equal(idx, [[1, 6], [8, 15]])  # row * 4 + col
    expected = np.array(
        [
            [0, 5, 0, 0],
            [0, 0, 8, 0],
            [9, 0, 0, 0],
            [0, 0, 0, 4],
        ],
        dtype=np.float64,
    )
    assert_array_equal(max_unpool2d(y, idx, 2), expected)
    # (C, H, W) and (N, C, H, W) forms give the same planes
    assert_array_equal(max_unpool2d(y[None], idx[None], 2), expected[None])
    assert_array_equal(max_unpool2d(y[None, None], idx[None, None], 2), expected[None, None])


def test_odd_input_needs_output_size():
    """A 5x5 input pooled by 2 gives 2x2; it unpools to (2 − 1)·2 + 2 = 4x4 by default, where
    index 18 (row 3, column 3 of the 5-wide plane) does not exist."""
    x = np.arange(25.0).reshape(5, 5)
    y, idx = max_pool2d(x, 2, return_indices=True)
    assert_array_equal(idx, [[6, 8], [16, 18]])
    with pytest.raises(ParameterError, match=r"0\.\.15 .* 4x4 plane.* 6 to 18.*output_size"):
        max_unpool2d(y, idx, 2)
    restored = np.zeros((5, 5))
    restored[1, 1], restored[1, 3], restored[3, 1], restored[3, 3] = 6, 8, 16, 18
    assert_array_equal(max_unpool2d(y, idx, 2, output_size=(5, 5)), restored)


def test_spec_row_24_four_by_five():
    """§8 row 24: max_pool2d(k=2) of a 4x5 input, unpooled without output_size: 4x4, index 18
    (row 3, column 3) is invalid.  With output_size=(4, 5) it goes back where it came from."""
    x = np.arange(20.0).reshape(1, 1, 4, 5)
    y, idx = max_pool2d(x, 2, return_indices=True)
    assert_array_equal(idx, [[[[6, 8], [16, 18]]]])
    with pytest.raises(ParameterError, match="18"):
        max_unpool2d(y, idx, 2)
    out = max_unpool2d(y, idx, 2, output_size=(4, 5))
    assert_array_equal(np.flatnonzero(out), [6, 8, 16, 18])  # where each maximum came from
    assert_array_equal(out.ravel()[[6, 8, 16, 18]], [6, 8, 16, 18])


def test_output_size_with_batch_and_channel_entries():
    """Like torch, (N, C, h, w) is accepted and N, C are ignored."""
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    y, idx = max_pool2d(x, 2, return_indices=True)
    assert_array_equal(
        max_unpool2d(y, idx, 2, output_size=(7, 7, 5, 5)),
        max_unpool2d(y, idx, 2, output_size=(5, 5)),
    )


@pytest.mark.parametrize(
    ("in_size", "k", "s", "p", "size", "expected"),
    [
        ((2, 2), 2, None, 0, None, (4, 4)),  # stride defaults to the kernel
        ((3, 2), (3, 2), (2, 1), (1, 0), None, (5, 3)),  # (3−1)·2 − 2 + 3, (2−1)·1 − 0 + 2
        ((2, 2), 2, 2, 0, (3, 5), (3, 5)),  # 4 − 2 < 3 and 5 < 4 + 2
        ((2, 2), 2, 2, 2, None, (0, 0)),  # an empty plane is not negative
    ],
)
def test_output_size(in_size, k, s, p, size, expected):
    assert unpool_output_size(in_size, k, s, p, size) == expected


def test_duplicate_indices_last_writer_in_row_major_order_wins():
    """§5.1: values [1, 2] at indices [0, 0] give 2; [1, 2, 3, 4] at [1, 0, 1, 0] give [4, 3]."""
    assert_array_equal(max_unpool2d([[[1.0, 2.0]]], [[[0, 0]]], 1), [[[2.0, 0.0]]])
    out = max_unpool2d([[[1.0, 2.0], [3.0, 4.0]]], [[[1, 0], [1, 0]]], 1, output_size=(2, 2))
    assert_array_equal(out, [[[4.0, 3.0], [0.0, 0.0]]])


def test_duplicates_in_a_large_plane_also_keep_the_last_writer():
    """NumPy documents no order for repeated fancy-index assignments; pin the one we rely on on
    a plane larger than any internal buffer, against a sort-based last-occurrence oracle."""
    rng = np.random.default_rng(5)
    shape = (1, 1, 300, 1000)
    n = 300 * 1000
    idx = rng.integers(0, 1000, size=shape)  # every cell of the first row, ~300 times each
    x = rng.standard_normal(shape)
    out = max_unpool2d(x, idx, 1)
    flat = idx.ravel()
    # the last occurrence of each target: the first one in the reversed array
    targets, first_in_reversed = np.unique(flat[::-1], return_index=True)
    expected = np.zeros(n)
    expected[targets] = x.ravel()[n - 1 - first_in_reversed]
    assert_array_equal(out.ravel(), expected)


def test_backward_gathers_even_for_duplicates():
    """Every input reads the gradient of the cell its index names, duplicates included (as in
    PyTorch, although only one duplicate survived the forward pass)."""
    g = max_unpool2d_backward([[[5.0, 7.0]]], [[[1.0, 2.0]]], [[[0, 0]]], 1, output_size=(1, 2))
    assert_array_equal(g, [[[5.0, 5.0]]])
    y, idx = max_pool2d(IMAGE_4X4, 2, return_indices=True)
    grad_out = np.arange(16.0).reshape(4, 4)
    assert_array_equal(max_unpool2d_backward(grad_out, y, idx, 2), [[1, 6], [8, 15]])


def test_special_values_are_moved_bit_for_bit():
    x = np.array([[[np.nan, -0.0], [np.inf, -np.inf]]])
    out = max_unpool2d(x, [[[3, 2], [1, 0]]], 1, output_size=(2, 2))
    assert np.isnan(out[0, 1, 1]) and out[0, 1, 0] == 0 and np.signbit(out[0, 1, 0])
    assert out[0, 0, 1] == np.inf and out[0, 0, 0] == -np.inf


def test_integers_are_computed_in_float64_and_float32_stays():
    out = max_unpool2d(np.array([[[1, 2]]]), np.array([[[0, 3]]]), (1, 2))
    assert out.dtype == np.float64
    assert_array_equal(out, [[[1.0, 0.0, 0.0, 2.0]]])
    x32 = np.ones((1, 2, 2), np.float32)
    assert max_unpool2d(x32, np.zeros((1, 2, 2), np.int32), 2).dtype == np.float32
    g = max_unpool2d_backward(np.ones((1, 4, 4)), x32, np.zeros((1, 2, 2), np.int64), 2)
    assert g.dtype == np.float32


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.uint32, np.uint64, np.int64])
def test_every_integer_index_dtype_lands_in_its_own_plane(monkeypatch, dtype):
    """Indices of any integer dtype, in blocks of several planes (each plane's positions are
    offset by its start in the block): the plain loops' values, forward and backward."""
    monkeypatch.setattr(unpool_module, "BLOCK_ELEMENTS", 8)  # 2 planes of 4 a block, 1 last
    rng = np.random.default_rng(5)
    x = rng.standard_normal((1, 5, 2, 2))
    idx = np.array([rng.permutation(9)[:4] for _ in range(5)]).reshape(1, 5, 2, 2).astype(dtype)
    out = max_unpool2d(x, idx, 2, 1, output_size=(3, 3))
    assert_array_equal(out, ref.max_unpool2d(x, idx.astype(np.int64), 2, 1, output_size=(3, 3)))
    gy = rng.standard_normal(out.shape)
    got = max_unpool2d_backward(gy, x, idx, 2, 1, output_size=(3, 3))
    want = ref.max_unpool2d_backward(gy, x, idx.astype(np.int64), 2, 1, output_size=(3, 3))
    assert_array_equal(got, want)


def test_an_empty_batch_gives_an_empty_output():
    out = max_unpool2d(np.zeros((0, 2, 3, 3)), np.zeros((0, 2, 3, 3), np.int64), 2)
    assert out.shape == (0, 2, 6, 6)


# ---- vs the plain-loop reference ----------------------------------------------------------------
def pair_or_int(low: int, high: int):
    v = st.integers(low, high)
    return st.one_of(v, st.tuples(v, v))


@st.composite
def unpool_cases(draw, from_pooling: bool | None = None):
    """x and indices (from max pooling, or random with duplicates and out-of-range values) and
    parameters, valid or not."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    rank = draw(st.sampled_from([2, 3, 4]))
    lead = tuple(draw(st.integers(1, 2)) for _ in range(rank - 2))
    k = draw(pair_or_int(1, 3))
    s = draw(st.one_of(st.none(), pair_or_int(1, 3)))
    p = draw(pair_or_int(0, 1))
    from_pooling = draw(st.booleans()) if from_pooling is None else from_pooling
    if from_pooling:
        big = rng.standard_normal(lead + (draw(st.integers(1, 8)), draw(st.integers(1, 8))))
        try:
            x, idx = max_pool2d(big, k, s, p, return_indices=True)
        except ValueError:
            assume(False)
        size = big.shape[-2:] if draw(st.booleans()) else None
    else:
        shape = lead + (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
        x = rng.standard_normal(shape)
        idx = rng.integers(-1, draw(st.integers(1, 40)), size=shape)
        size = None
    if size is None and draw(st.booleans()):
        size = (draw(st.integers(0, 12)), draw(st.integers(0, 12)))
        if draw(st.booleans()):
            size = (9, 9, *size)
    if draw(st.booleans()):
        x = x.astype(np.float32)
    return x, idx, dict(kernel_size=k, stride=s, padding=p, output_size=size), rng


@SETTINGS
@given(case=unpool_cases())
def test_matches_the_reference(case):
    x, idx, params, rng = case
    try:
        y = max_unpool2d(x, idx, **params)
    except ParameterError:
        with pytest.raises(ParameterError):
            ref.max_unpool2d(x, idx, **params)
        assume(False)
    expected = ref.max_unpool2d(x, idx, **params)
    assert y.dtype == expected.dtype
    assert_array_equal(y, expected)  # duplicates included: the last writer wins in both
    gy = rng.standard_normal(y.shape)
    assert_array_equal(
        max_unpool2d_backward(gy, x, idx, **params), ref.max_unpool2d_backward(gy, x, idx, **params)
    )


@pytest.mark.parametrize("block", [1, 7, 50])
def test_small_blocks_give_the_same_result(monkeypatch, block):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4, 5, 6))
    idx = rng.integers(0, 10 * 12, size=x.shape)  # the default is 9x11: (5 − 1)·2 − 2 + 3, …
    y = max_unpool2d(x, idx, 3, 2, 1, output_size=(10, 12))
    gy = rng.standard_normal(y.shape)
    g = max_unpool2d_backward(gy, x, idx, 3, 2, 1, output_size=(10, 12))
    monkeypatch.setattr(unpool_module, "BLOCK_ELEMENTS", block)
    assert_array_equal(max_unpool2d(x, idx, 3, 2, 1, output_size=(10, 12)), y)
    assert_array_equal(max_unpool2d_backward(gy, x, idx, 3, 2, 1, output_size=(10, 12)), g)
    assert_array_equal(y, ref.max_unpool2d(x, idx, 3, 2, 1, output_size=(10, 12)))


# ---- finite differences --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("shape", "k", "s", "p", "size"),
    [((2, 2), 2, None, 0, None), ((1, 2, 3, 4), 3, 2, 1, (6, 7)), ((2, 3, 2), (2, 3), 1, 0, None)],
)
def test_gradient_by_finite_differences(shape, k, s, p, size):
    """Without duplicates unpooling is linear in x; the gather is its exact derivative."""
    rng = np.random.default_rng(6)
    out_h, out_w = unpool_output_size(shape[-2:], k, s, p, size)
    planes = int(np.prod(shape[:-2]))
    per_plane = shape[-2] * shape[-1]
    idx = np.stack([rng.choice(out_h * out_w, per_plane, replace=False) for _ in range(planes)])
    idx = idx.reshape(shape)
    x = rng.standard_normal(shape)
    g_out = rng.standard_normal(max_unpool2d(x, idx, k, s, p, size).shape)
    analytic = max_unpool2d_backward(g_out, x, idx, k, s, p, size)
    numeric = numeric_gradient(
        lambda v: np.sum(max_unpool2d(v, idx, k, s, p, size) * g_out), x, eps=1e-4
    )
    assert_allclose(analytic, numeric, rtol=1e-8, atol=1e-8)


# ---- validation ----------------------------------------------------------------------------------
Y = np.zeros((1, 1, 2, 2))
IDX = np.zeros((1, 1, 2, 2), np.int64)

REJECTIONS = [
    # (call, fragments the message must contain)
    (lambda: max_unpool2d(Y, IDX, (2,)), ["kernel_size", "(2,)", "pair of ints"]),
    (lambda: max_unpool2d(Y, IDX, 2, (2,)), ["stride", "(2,)"]),
    (lambda: max_unpool2d(Y, IDX, 2, 2, (0,)), ["padding", "(0,)"]),
    (lambda: max_unpool2d(Y, IDX, 2.0), ["kernel_size", "2.0"]),
    (lambda: max_unpool2d(Y, IDX, True), ["kernel_size", "True"]),
    (lambda: max_unpool2d(Y, IDX, 2, output_size=5), ["output_size", "got 5"]),
    (lambda: max_unpool2d(Y, IDX, 2, output_size=(1, 4, 4)), ["output_size", "(1, 4, 4)"]),
    (lambda: max_unpool2d(Y, IDX, 2, output_size=(4.0, 4)), ["output_size", "4.0"]),
    (
        # default 4, stride 2: strictly between 2 and 6
        lambda: max_unpool2d(Y, IDX, 2, output_size=(6, 5)),
        ["output_size (6, 5)", "height", "strictly between 2 and 6", "default 4 ± stride 2"],
    ),
    (lambda: max_unpool2d(Y, IDX, 2, output_size=(4, 2)), ["output_size (4, 2)", "width"]),
    (
        # stride 0 leaves no room at all: strictly between 2 and 2
        lambda: max_unpool2d(Y, IDX, 2, 0, output_size=(2, 2)),
        ["output_size (2)", "between 2 and 2"],
    ),
    (
        # (2 − 1)·2 − 2·3 + 2 = -2
        lambda: max_unpool2d(Y, IDX, 2, 2, 3),
        ["output size (-2x-2)", "must not be negative", "padding (3)", "= -2"],
    ),
    (
        # default 1, stride 3: -2 < -1 < 4 passes the range, but a size can't be negative
        lambda: max_unpool2d(np.zeros((1, 1, 1, 1)), np.zeros((1, 1, 1, 1), int), 1, 3, 0, (-1, 1)),
        ["output_size (-1, 1)", "must not be negative"],
    ),
    (lambda: max_unpool2d(Y, IDX[..., :1], 2), ["indices shape (1, 1, 2, 1)", "(1, 1, 2, 2)"]),
    (lambda: max_unpool2d(Y, IDX[0], 2), ["indices shape (1, 2, 2)"]),
    (lambda: max_unpool2d(Y, IDX.astype(float), 2), ["indices must hold integers", "float64"]),
    (lambda: max_unpool2d(Y, IDX.astype(bool), 2), ["indices must hold integers", "bool"]),
    (lambda: max_unpool2d(Y, IDX - 8, 2, output_size=(5, 5)), ["0..24", "5x5", "-8 to -8"]),
    (lambda: max_unpool2d(Y, IDX + 16, 2), ["0..15", "4x4", "16 to 16", "output_size"]),
    (
        # default (2 − 1)·2 − 2·2 + 2 = 0: nothing to point at
        lambda: max_unpool2d(Y, IDX, 2, 2, 2),
        ["empty 0x0 output plane", "0 to 0"],
    ),
    (lambda: max_unpool2d(np.zeros((1, 0, 2, 2)), np.zeros((1, 0, 2, 2), int), 2), ["empty"]),
    (lambda: max_unpool2d(Y.astype(bool), IDX, 2), ["x must hold real numbers"]),
    (
        lambda: max_unpool2d_backward(np.zeros((1, 1, 4, 5)), Y, IDX, 2),
        ["grad_output shape (1, 1, 4, 5)", "(1, 1, 4, 4)"],
    ),
    (lambda: max_unpool2d_backward(np.zeros((1, 1, 4, 4), bool), Y, IDX, 2), ["grad_output"]),
]


@pytest.mark.parametrize(("call", "fragments"), REJECTIONS)
def test_rejections_name_the_parameter_value_and_rule(call, fragments):
    err = refuses(call, *fragments, error=ParameterError)
    message = str(err)
    assert err.template.format(**err.fields) == message


def test_torch_ignores_kernel_stride_and_padding_signs_and_so_do_we():
    """They only feed the default size: negative padding just makes it larger."""
    assert unpool_output_size((2, 2), 2, 2, -1) == (6, 6)
    assert unpool_output_size((2, 2), 0, 2) == (2, 2)
    assert max_unpool2d(Y, IDX, 2, 2, -1).shape == (1, 1, 6, 6)


# ---- PyTorch -------------------------------------------------------------------------------------
def _distinct_where_values_differ(x: np.ndarray, idx: np.ndarray) -> bool:
    """Whether no two inputs of a plane name the same cell with different values (PyTorch's
    winner among those varies from run to run, §5.1)."""
    planes_x = x.reshape(-1, x.shape[-2] * x.shape[-1])
    planes_i = idx.reshape(planes_x.shape)
    for values, targets in zip(planes_x, planes_i, strict=True):
        seen: dict[int, float] = {}
        for v, t in zip(values.tolist(), targets.tolist(), strict=True):
            if t in seen and seen[t] != v:
                return False
            seen[t] = v
    return True


@SETTINGS
@given(case=unpool_cases())
def test_matches_torch_values_gradients_and_decisions(case):
    torch = pytest.importorskip("torch")
    x, idx, params, rng = case
    if x.ndim == 2:  # torch wants (C, H, W) or (N, C, H, W)
        x, idx = x[None], idx[None]
    tx = torch.tensor(x, requires_grad=True)
    tidx = torch.tensor(idx, dtype=torch.int64)
    try:
        y = max_unpool2d(x, idx, **params)
    except ParameterError as err:
        try:
            ty = torch.nn.functional.max_unpool2d(tx, tidx, **params)
        except (RuntimeError, ValueError, TypeError, IndexError):
            assume(False)
        # The one deliberate difference: an empty output plane, where torch skips the indices.
        assert ty.numel() == 0 and "empty" in str(err)
        assume(False)
    ty = torch.nn.functional.max_unpool2d(tx, tidx, **params)
    assert y.shape == tuple(ty.shape)
    if _distinct_where_values_differ(x, idx):
        assert_array_equal(y, ty.detach().numpy())
    gy = rng.standard_normal(y.shape).astype(x.dtype)
    ty.backward(torch.tensor(gy))
    # the gather is deterministic in torch, duplicates or not
    assert_array_equal(max_unpool2d_backward(gy, x, idx, **params), tx.grad.numpy())


def test_pool_unpool_round_trip_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 3, 7, 9))
    tx = torch.tensor(x)
    ty, tidx = torch.nn.functional.max_pool2d(tx, 3, 2, 1, return_indices=True)
    y, idx = max_pool2d(x, 3, 2, 1, return_indices=True)
    assert_array_equal(idx, tidx.numpy())
    t_out = torch.nn.functional.max_unpool2d(ty, tidx, 3, 2, 1, output_size=(7, 9))
    assert_array_equal(max_unpool2d(y, idx, 3, 2, 1, output_size=(7, 9)), t_out.numpy())


# ---- blocks: zeroing, the output allocation ----------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_blocks_zero_their_own_planes_of_an_uninitialized_output(monkeypatch, dtype):
    """Below FRESH_BYTES the output comes uninitialized and each block zeroes its own planes
    before it scatters: an output full of NaN from the allocation must not show through, in
    any block (the last one smaller), with duplicates and planes the indices never reach."""
    monkeypatch.setattr(unpool_module, "BLOCK_ELEMENTS", 40)  # 3 planes of 12 a block
    made = []

    def poisoned(n_planes, plane, dt):
        out = np.full((n_planes, plane), np.nan, dtype=dt)
        made.append(out)
        return out, False

    monkeypatch.setattr(unpool_module, "_zeroed_output", poisoned)
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 5, 3, 4)).astype(dtype)
    idx = rng.integers(0, 6 * 8, size=x.shape)
    idx[1, 4] = 0  # a plane whose inputs all land on one cell
    got = max_unpool2d(x, idx, 2, output_size=(6, 8))
    assert made and got.dtype == dtype
    assert_array_equal(got, ref.max_unpool2d(x, idx, 2, output_size=(6, 8)))


def test_the_output_comes_zeroed_from_the_kernel_only_when_large(monkeypatch):
    out, zeroed = unpool_module._zeroed_output(3, 5, np.dtype(np.float64))
    assert out.shape == (3, 5) and out.dtype == np.float64 and not zeroed
    monkeypatch.setattr(unpool_module, "FRESH_BYTES", 3 * 5 * 8)
    out, zeroed = unpool_module._zeroed_output(3, 5, np.dtype(np.float64))
    assert zeroed and not out.any()
    # and the blocks then leave it as it is: the same output as with zeroing blocks
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 3, 4, 4))
    idx = rng.integers(0, 64, size=x.shape)
    monkeypatch.setattr(unpool_module, "FRESH_BYTES", 0)
    assert_array_equal(max_unpool2d(x, idx, 2), ref.max_unpool2d(x, idx, 2))


@pytest.mark.parametrize(
    ("n_planes", "per_plane", "plane", "itemsize"),
    [
        (512, 3136, 12544, 4),
        (512, 3136, 12544, 8),
        (7, 100, 400, 8),
        (3, 1 << 17, 9, 4),
        (0, 9, 9, 8),
    ],
)
def test_blocks_cover_every_plane_once_within_their_limits(n_planes, per_plane, plane, itemsize):
    blocks = unpool_module._blocks(n_planes, per_plane, plane, itemsize)
    assert [p for b in blocks for p in range(b.start, b.stop)] == list(range(n_planes))
    for b in blocks:
        planes = b.stop - b.start
        assert planes >= 1
        if planes > 1:  # a plane larger than a block is a block of its own
            assert planes * per_plane <= unpool_module.BLOCK_ELEMENTS
            assert planes * plane * itemsize <= unpool_module.BLOCK_BYTES

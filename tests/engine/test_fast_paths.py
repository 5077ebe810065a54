"""The engine's speed paths give the same bits as its plain paths.

The vectorised pooling code has choices that must never change a result:

* ``np.maximum`` (fast) or an exact select (any input) for the running max;
* blocks of planes, or bands of output rows, of :data:`engine.pooling.BLOCK_OUTPUTS` windows;
* stride phases ("space to depth") for overlapping strided windows;
* the forward's ``indices`` handed to ``max_pool2d_backward``, or a fresh scan;
* convolution column matrices built in bands of :data:`engine.conv.COLUMN_BUDGET` elements.

Each test runs the same inputs through both sides of one choice and compares bit for bit (or,
for convolution, to float tolerance), and against the plain-loop reference.
"""

from __future__ import annotations

import inspect
import itertools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

import engine
from benchmarks.measure import peak_bytes
from engine import canvas, conv, pooling, reference
from engine.geometry import conv_geometry, pool_geometry
from engine.ops import get_op

# The reference loops add inf and -inf with a warning; the engine must not (tested below).
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")

# (kernel, stride, padding, dilation, ceil_mode): overlapping and not, strided and not, the
# dilated window with no real tap (PyTorch #114216) among them.
POOL_CASES = [
    (2, 2, 0, 1, False),
    (3, 1, 1, 1, False),
    (3, 2, 1, 1, True),
    ((3, 2), (2, 1), (1, 0), 1, False),
    (3, 3, 1, 2, True),
    (2, 1, 1, 2, False),
    ((1, 4), (1, 3), 0, 1, True),
]


def same_bits(a: np.ndarray, b: np.ndarray) -> None:
    """Equal shape, dtype and bytes, except that NaN's sign and payload are not compared.

    NumPy's own ``a + b`` returns either operand's NaN depending on where in a vector loop the
    element falls, so a NaN sum's sign bit carries no meaning (non-NaN bits all must match).
    """
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    nan_a, nan_b = np.isnan(a), np.isnan(b)
    assert_array_equal(nan_a, nan_b)
    assert a[~nan_a].tobytes() == b[~nan_b].tobytes()


def special_values(shape: tuple[int, ...], seed: int, zeros: bool = True) -> np.ndarray:
    """Ties, ±inf, NaN and (optionally) both zeros mixed into normal numbers, float64."""
    rng = np.random.default_rng(seed)
    pool = [-np.inf, np.inf, np.nan, -1.0, 1.0, 2.0, 2.0] + ([0.0, -0.0] if zeros else [])
    x = rng.standard_normal(shape)
    pick = rng.random(shape) < 0.5
    x[pick] = np.array(pool)[rng.integers(0, len(pool), int(pick.sum()))]
    return x


def ties_only(shape: tuple[int, ...], seed: int) -> np.ndarray:
    """Finite, tie-rich float32 values without −0.0: the input the np.maximum path takes."""
    rng = np.random.default_rng(seed)
    return (rng.integers(-3, 4, shape) * 0.5 + 0.0).astype(np.float32)


def all_pool_results(x: np.ndarray, gy: np.ndarray, k, s, p, d, ceil) -> list[np.ndarray]:
    """Every pooling output the engine makes for one input: values, indices, all gradients."""
    y, idx = engine.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    results = [y, idx]
    for ties in pooling.TIE_POLICIES:
        results.append(engine.max_pool2d_backward(gy, x, k, s, p, d, ceil, ties))
        mask = engine.max_pool2d_mask(x, k, s, p, d, ceil, ties)
        results += [mask.winners, mask.counts]
    if d == 1:
        for cip in (True, False):
            results.append(engine.avg_pool2d(x, k, s, p, ceil, cip))
            results.append(engine.avg_pool2d_backward(gy, x, k, s, p, ceil, cip))
    return results


# ---- geometry: the regions the fast paths loop over ----------------------------------------
@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES)
def test_real_tap_regions_match_tap_coords(k, s, p, d, ceil):
    for size in [(1, 1), (5, 7), (9, 4)]:
        try:
            g = pool_geometry(size, k, s, p, d, ceil)
        except ValueError:
            continue  # kernel larger than this input
        check_regions(g)


def check_regions(g) -> None:
    """Each region's slices are the tap coordinates of its windows, and no real tap is missed."""
    out_h, out_w = g.out_size
    for band in [(0, out_h), (0, 1), (out_h // 2, out_h)]:
        seen = set()
        for r in g.real_tap_regions(out_rows=band):
            seen.add((r.i, r.j))
            rows = np.arange(out_h)[r.out_rows]
            cols = np.arange(out_w)[r.out_cols]
            assert rows.min() >= band[0] and rows.max() < band[1]
            row_coords, col_coords = g.tap_coords(0)[rows, r.i], g.tap_coords(1)[cols, r.j]
            assert_array_equal(np.arange(g.in_size[0])[r.in_rows], row_coords)
            assert_array_equal(np.arange(g.in_size[1])[r.in_cols], col_coords)
            flat = row_coords[:, None] * g.in_size[1] + col_coords[None, :]
            assert_array_equal(r.in_flat(g.in_size[1]), flat)
            # every window outside the region reads padding with this tap
            real = g.tap_valid(0)[:, r.i, None] & g.tap_valid(1)[None, :, r.j]
            inside = np.zeros(g.out_size, dtype=bool)
            inside[r.out_rows, r.out_cols] = True
            assert_array_equal(real[band[0] : band[1]], inside[band[0] : band[1]])
        valid_r, valid_c = g.tap_valid(0)[band[0] : band[1]], g.tap_valid(1)
        expected = {
            (i, j)
            for i, j in itertools.product(range(g.kernel[0]), range(g.kernel[1]))
            if valid_r[:, i].any() and valid_c[:, j].any()
        }
        assert seen == expected


def test_real_tap_regions_of_conv_geometry():
    check_regions(conv_geometry((7, 6), (3, 4), 1, "same", (2, 1)))
    check_regions(conv_geometry((9, 9), (2, 2), 3, 1))


def test_real_tap_regions_reverse_order():
    g = pool_geometry((6, 6), 3, 1, 1)
    forward = [(r.i, r.j) for r in g.real_tap_regions()]
    assert forward == [(i, j) for i in range(3) for j in range(3)]
    assert [(r.i, r.j) for r in g.real_tap_regions(reverse=True)] == forward[::-1]


@pytest.mark.parametrize(("k", "s", "p"), [(3, 2, 1), ((3, 5), (2, 3), (1, 2)), (4, 3, 2)])
def test_stride_phases_read_what_the_taps_read(monkeypatch, k, s, p):
    g = pool_geometry((11, 13), k, s, p)
    x = np.arange(2 * 11 * 13, dtype=np.float64).reshape(2, 11, 13)
    monkeypatch.setattr(pooling, "_use_phases", lambda g: True)
    for band in [(0, g.out_size[0]), (1, 2), (2, g.out_size[0])]:
        regions = g.real_tap_regions(out_rows=band)
        for r, read in zip(regions, pooling._tap_reads(x, g, regions), strict=True):
            assert_array_equal(read, x[:, r.in_rows, r.in_cols])


# ---- canvas (wide grid) against the tap regions ----------------------------------------------
@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES + [(3, 1, 0, 1, False)])
@pytest.mark.parametrize("block", [5, 1 << 18])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_canvas_path_equals_region_path(monkeypatch, k, s, p, d, ceil, block, dtype):
    """engine.canvas: padding as +0.0 / −∞, garbage columns, stride phases, bands; same bits."""
    shape = (2, 3, 11, 9)
    x = special_values(shape, seed=21).astype(dtype)
    x[0, 1] = special_values(shape[2:], seed=22, zeros=False)  # a plane on the np.maximum path
    out = pool_geometry(shape[2:], k, s, p, d, ceil).out_size
    gy = special_values(shape[:2] + out, seed=23, zeros=False).astype(dtype)
    monkeypatch.setattr(pooling, "BLOCK_OUTPUTS", block)
    monkeypatch.setattr(pooling, "_use_canvas", lambda g: False)
    regions = all_pool_results(x, gy, k, s, p, d, ceil)
    monkeypatch.setattr(pooling, "_use_canvas", lambda g: canvas.worth_it(g))
    for a, b in zip(regions, all_pool_results(x, gy, k, s, p, d, ceil), strict=True):
        same_bits(a, b)
    for plane in (x[:1, :1], np.ascontiguousarray(x[0, 1])):  # direct canvas: a view of x
        y_ref, idx_ref = reference.max_pool2d(plane, k, s, p, d, ceil)
        y, idx = engine.max_pool2d(plane, k, s, p, d, ceil, return_indices=True)
        same_bits(y, y_ref.astype(dtype))
        assert_array_equal(idx, idx_ref)


def test_canvas_reads_what_the_taps_read():
    from engine.geometry import pool_geometry as geometry

    rng = np.random.default_rng(0)
    for (h, w), k, s, p, d, ceil in itertools.product(
        [(5, 4), (8, 7), (11, 12)], [2, 3, (3, 2)], [1, 2, (2, 1)], [0, 1], [1, 2], [False, True]
    ):
        try:
            g = geometry((h, w), k, s, p, d, ceil)
        except ValueError:
            continue
        x = rng.standard_normal((2, h, w))
        oh, ow = g.out_size
        for first, stop in {(0, oh), (0, max(1, oh // 2)), (oh // 2, oh)}:
            if stop <= first:
                continue
            c = canvas.Canvas(g, first, stop)
            phases = c.fill(x, np.nan)
            grid = c.grid(2, x.dtype)
            for t, (i, j, _, _) in enumerate(c.taps):
                grid[:, : c.length] = c.read(phases, t)
                rows = np.arange(first, stop)[:, None] * g.stride[0] + i * d - g.pad_before[0]
                cols = np.arange(ow)[None, :] * g.stride[1] + j * d - g.pad_before[1]
                real = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
                expected = np.where(real, x[:, rows.clip(0, h - 1), cols.clip(0, w - 1)], np.nan)
                assert_array_equal(c.outputs(grid), expected)
            if c.direct:
                continue  # the phase is a view of x itself: nothing to store
            back = np.zeros_like(x)
            c.store(c.fill(x, 0.0), back)  # every real cell some tap reads comes back
            read = np.zeros(x.shape[1:], dtype=bool)
            for r in g.real_tap_regions(out_rows=(first, stop)):
                read[r.in_rows, r.in_cols] = True
            assert_array_equal(back[:, read], x[:, read])


# ---- max pooling: np.maximum path against the exact select -----------------------------------
def test_maximum_is_exact_decision():
    ok = np.array([[1.0, 0.0], [2.0, -3.0]], dtype=np.float32)
    assert pooling._maximum_is_exact(ok)
    assert pooling._maximum_is_exact(ok.astype(np.float64))
    assert not pooling._maximum_is_exact(np.array([1.0, np.nan]))
    assert not pooling._maximum_is_exact(np.array([1.0, -0.0], dtype=np.float32))
    assert not pooling._maximum_is_exact(np.array([1.0, -0.0]))
    assert pooling._maximum_is_exact(np.array([1.0, -np.inf, np.inf]))  # infinities are fine
    assert pooling._maximum_is_exact(np.array([-1e-45, -5e-324]))  # tiny negatives are not −0
    assert not pooling._maximum_is_exact(np.array([1.0], dtype=np.longdouble))  # unchecked type
    # a non-contiguous view is checked element by element, not by its memory
    strided = np.array([[1.0, -0.0], [2.0, 3.0]])[:, :1]
    assert pooling._maximum_is_exact(strided)


@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES)
@pytest.mark.parametrize("seed", range(3))
def test_maximum_path_equals_exact_path(monkeypatch, k, s, p, d, ceil, seed):
    x = ties_only((2, 3, 9, 8), seed)
    gy = ties_only((2, 3) + pool_geometry((9, 8), k, s, p, d, ceil).out_size, seed + 10)
    assert pooling._maximum_is_exact(pooling._as_planes(x))
    fast = all_pool_results(x, gy, k, s, p, d, ceil)
    monkeypatch.setattr(pooling, "_maximum_is_exact", lambda x: False)
    exact = all_pool_results(x, gy, k, s, p, d, ceil)
    for a, b in zip(fast, exact, strict=True):
        assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES)
@pytest.mark.parametrize("zeros", [False, True])
def test_both_paths_match_the_reference(monkeypatch, k, s, p, d, ceil, zeros):
    x = special_values((2, 2, 7, 6), seed=3, zeros=zeros)
    y_ref, idx_ref = reference.max_pool2d(x, k, s, p, d, ceil)
    for force_exact in (False, True):
        if force_exact:
            monkeypatch.setattr(pooling, "_maximum_is_exact", lambda x: False)
        y, idx = engine.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
        same_bits(y, y_ref)  # bit for bit: the sign of a zero and NaN's payload too
        assert y.tobytes() == y_ref.tobytes()
        assert_array_equal(idx, idx_ref)


def test_negative_zero_anywhere_selects_the_exact_path():
    # One −0.0 far from the tie: the strict '>' keeps the first zero of each window.
    x = np.zeros((1, 1, 4, 4), dtype=np.float32)
    x[0, 0, 0, 0] = -0.0  # first in window (0, 0): it stays
    x[0, 0, 1, 3] = -0.0  # last in window (0, 1): the +0.0 before it stays
    x[0, 0, 2, 2] = -0.0  # first in window (1, 1)
    y, idx = engine.max_pool2d(x, 2, return_indices=True)
    assert_array_equal(np.signbit(y[0, 0]), [[True, False], [False, True]])
    assert_array_equal(idx[0, 0], [[0, 2], [8, 10]])


# ---- blocks and bands ------------------------------------------------------------------------
@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES)
@pytest.mark.parametrize("block", [1, 5, 64])
def test_block_boundaries_change_nothing(monkeypatch, k, s, p, d, ceil, block):
    shape = (3, 5, 11, 9)  # 15 planes: many blocks, partial last blocks, and row bands
    x = special_values(shape, seed=block)
    out = pool_geometry(shape[2:], k, s, p, d, ceil).out_size
    gy = special_values(shape[:2] + out, seed=block + 1, zeros=False)
    whole = all_pool_results(x, gy, k, s, p, d, ceil)
    monkeypatch.setattr(pooling, "BLOCK_OUTPUTS", block)
    assert len(pooling._blocks(15, pool_geometry(shape[2:], k, s, p, d, ceil))) > 1
    for a, b in zip(whole, all_pool_results(x, gy, k, s, p, d, ceil), strict=True):
        same_bits(a, b)


def test_blocks_cover_every_window_once(monkeypatch):
    g = pool_geometry((10, 10), 3, 1)  # 8x8 = 64 windows per plane
    for block_outputs, n_planes in [(1, 3), (20, 2), (64, 5), (100, 7), (1 << 18, 4)]:
        monkeypatch.setattr(pooling, "BLOCK_OUTPUTS", block_outputs)
        blocks = pooling._blocks(n_planes, g)
        hits = np.zeros((n_planes,) + g.out_size, dtype=int)
        for p, rows in blocks:
            hits[p, rows] += 1
        assert (hits == 1).all()
        order = [(p.start, rows.start) for p, rows in blocks]
        assert order == sorted(order)  # (plane, row) order: the backward passes rely on it


@pytest.mark.parametrize(("k", "s", "p"), [(3, 2, 1), (2, 2, 0), (3, 1, 1)])
def test_float32_bits_in_bands_match_the_reference(monkeypatch, k, s, p):
    """Sums and gradient sums in float32: bands must keep PyTorch's addition order."""
    rng = np.random.default_rng(7)
    x = (rng.standard_normal((1, 2, 13, 12)) * 1e4).astype(np.float32)
    g = pool_geometry((13, 12), k, s, p)
    gy = (rng.standard_normal((1, 2) + g.out_size) * 1e4).astype(np.float32)
    monkeypatch.setattr(pooling, "BLOCK_OUTPUTS", 7)
    assert engine.avg_pool2d(x, k, s, p).tobytes() == reference.avg_pool2d(x, k, s, p).tobytes()
    got = engine.avg_pool2d_backward(gy, x, k, s, p)
    assert got.tobytes() == reference.avg_pool2d_backward(gy, x, k, s, p).tobytes()
    got = engine.max_pool2d_backward(gy, x, k, s, p)
    assert got.tobytes() == reference.max_pool2d_backward(gy, x, k, s, p).tobytes()


@pytest.mark.parametrize(
    ("k", "s", "p", "ceil"), [(3, 2, 1, False), (2, 2, 0, True), (3, 1, 1, False)]
)
@pytest.mark.parametrize("block", [7, 1 << 18])
def test_blocks_bands_and_phases_match_torch(monkeypatch, k, s, p, ceil, block):
    """Larger float32 inputs than the other torch tests: many blocks, bands and phases."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(block)
    x = rng.standard_normal((2, 3, 23, 19)).astype(np.float32)
    x[0, 0, :4, :4] = 0.5  # ties
    g = pool_geometry((23, 19), k, s, p, 1, ceil)
    gy = rng.standard_normal((2, 3) + g.out_size).astype(np.float32)
    monkeypatch.setattr(pooling, "BLOCK_OUTPUTS", block)
    f = torch.nn.functional
    tx = torch.tensor(x, requires_grad=True)
    ty, tidx = f.max_pool2d(tx, k, s, p, ceil_mode=ceil, return_indices=True)
    ty.backward(torch.tensor(gy))
    y, idx = engine.max_pool2d(x, k, s, p, ceil_mode=ceil, return_indices=True)
    assert y.tobytes() == ty.detach().numpy().tobytes()
    assert_array_equal(idx, tidx.numpy())
    grad = engine.max_pool2d_backward(gy, x, k, s, p, ceil_mode=ceil, indices=idx)
    assert grad.tobytes() == tx.grad.numpy().tobytes()
    tx = torch.tensor(x, requires_grad=True)
    ty = f.avg_pool2d(tx, k, s, p, ceil_mode=ceil)
    ty.backward(torch.tensor(gy))
    assert engine.avg_pool2d(x, k, s, p, ceil).tobytes() == ty.detach().numpy().tobytes()
    grad = engine.avg_pool2d_backward(gy, x, k, s, p, ceil)
    assert grad.tobytes() == tx.grad.numpy().tobytes()


def test_non_contiguous_input_gives_the_same_bits():
    x = special_values((4, 3, 9, 10), seed=11)
    strided = np.asfortranarray(x)[:, :, ::-1][:, :, ::-1]  # same values, other memory layout
    gy = special_values((4, 3, 5, 5), seed=12, zeros=False)[..., ::1]
    for a, b in zip(
        all_pool_results(x, gy, 3, 2, 1, 1, False),
        all_pool_results(strided, gy.T.T, 3, 2, 1, 1, False),
        strict=True,
    ):
        same_bits(a, b)


# ---- max_pool2d_backward(indices=...) ---------------------------------------------------------
def test_backward_signature_keeps_its_order():
    params = inspect.signature(engine.max_pool2d_backward).parameters
    names = list(params)
    assert names == [
        "grad_output",
        "x",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "ceil_mode",
        "ties",
        "indices",
    ]
    assert params["indices"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["indices"].default is None
    with pytest.raises(TypeError):
        engine.max_pool2d_backward(np.ones((1, 1)), np.ones((2, 2)), 2, 2, 0, 1, False, "first", 0)


@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES)
@pytest.mark.parametrize("ties", pooling.TIE_POLICIES)
def test_backward_with_indices_equals_backward_without(k, s, p, d, ceil, ties):
    x = special_values((2, 3, 8, 7), seed=5)
    y, idx = engine.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
    gy = special_values(y.shape, seed=6, zeros=False)
    plain = engine.max_pool2d_backward(gy, x, k, s, p, d, ceil, ties)
    same_bits(engine.max_pool2d_backward(gy, x, k, s, p, d, ceil, ties, indices=idx), plain)
    expected = reference.max_pool2d_backward(gy, x, k, s, p, d, ceil, ties)
    if ties == "first":
        same_bits(plain, expected)  # PyTorch's order of additions
    else:  # not PyTorch's rules: the reference adds in another order
        assert_allclose(plain, expected, rtol=1e-12, atol=1e-12, equal_nan=True)


@pytest.mark.parametrize("rank", [2, 3, 4])
def test_indices_in_every_rank_and_integer_type(rank):
    x = special_values((2, 3, 6, 6), seed=8)[(0,) * (4 - rank)]
    y, idx = engine.max_pool2d(x, 3, 2, 1, return_indices=True)
    gy = np.arange(y.size, dtype=np.float64).reshape(y.shape)
    expected = engine.max_pool2d_backward(gy, x, 3, 2, 1)
    for dtype in (np.int64, np.int32, np.uint16):
        got = engine.max_pool2d_backward(gy, x, 3, 2, 1, indices=idx.astype(dtype))
        assert got.shape == x.shape
        same_bits(got, expected)


def test_indices_of_a_window_without_real_taps_are_accepted():
    # H = W = 1, k=2, d=2, p=1: the only window has no real tap; its index, 2, is past the
    # 1-element plane (PyTorch #114216).  It routes no gradient.
    x = np.array([[5.0]])
    y, idx = engine.max_pool2d(x, 2, 1, 1, 2, return_indices=True)
    assert idx.tolist() == [[2]]
    grad = engine.max_pool2d_backward(np.ones_like(y), x, 2, 1, 1, 2, indices=idx)
    assert grad.tolist() == [[0.0]]


@pytest.mark.parametrize(
    ("indices", "fragments"),
    [
        (np.zeros((2, 3), dtype=np.int64), ["indices", "(2, 3)", "(2, 2)"]),
        (np.zeros((1, 2, 2), dtype=np.int64), ["indices", "(1, 2, 2)"]),
        (np.zeros((2, 2)), ["indices", "integers", "float64"]),
        (np.zeros((2, 2), dtype=bool), ["indices", "integers", "bool"]),
        (np.array([[0, 1], [2, 16]]), ["indices", "0..15", "16"]),
        (np.array([[0, -1], [2, 3]]), ["indices", "0..15", "-1"]),
    ],
)
def test_bad_indices_are_refused(indices, fragments):
    x = np.arange(16.0).reshape(4, 4)
    with pytest.raises(ValueError) as info:
        engine.max_pool2d_backward(np.ones((2, 2)), x, 2, indices=indices)
    for fragment in fragments:
        assert fragment in str(info.value)


# ---- average pooling --------------------------------------------------------------------------
def test_avg_infinities_give_nan_without_warnings():
    x = np.array([[np.inf, -np.inf, 1.0, 2.0]], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any RuntimeWarning fails the test
        y = engine.avg_pool2d(x, (1, 2))
        grad = engine.avg_pool2d_backward(np.array([[np.inf, -np.inf, np.inf]]), x, (1, 2), 1)
        big = engine.avg_pool2d(np.full((1, 2), 3e38, dtype=np.float32), (1, 2))
    assert np.isnan(y[0, 0]) and y[0, 1] == 1.5
    assert np.isnan(grad[0, 1]) and np.isnan(grad[0, 2]) and grad[0, 0] == np.inf
    assert big[0, 0] == np.inf  # the float32 sum overflows, as in PyTorch


def test_max_backward_infinities_give_nan_without_warnings():
    x = np.array([[0.0, 0.0, 9.0, 0.0]])  # the 9 wins both windows of size 3
    gy = np.array([[np.inf, -np.inf]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ties in pooling.TIE_POLICIES:
            grad = engine.max_pool2d_backward(gy, x, (1, 3), 1, ties=ties)
            assert np.isnan(grad[0, 2]) and (grad[0, [0, 1, 3]] == 0).all()


# ---- convolution ------------------------------------------------------------------------------
CONV_CASES = [
    # (x shape, weight shape, stride, padding, dilation, groups)
    ((2, 4, 9, 8), (6, 4, 3, 3), 1, 1, 1, 1),
    ((1, 4, 10, 7), (4, 2, 3, 2), (2, 1), (1, 0), 1, 2),
    ((3, 2, 8, 8), (3, 2, 2, 3), 1, "same", 2, 1),
    ((1, 3, 6, 6), (3, 1, 3, 3), 3, 2, 1, 3),
]


@pytest.mark.parametrize(("x_shape", "w_shape", "s", "p", "d", "groups"), CONV_CASES)
@pytest.mark.parametrize("budget", [1, 40, 1 << 20])
@pytest.mark.parametrize("on_canvas", [True, False])
def test_conv_column_bands_match_the_reference(
    monkeypatch, x_shape, w_shape, s, p, d, groups, budget, on_canvas
):
    """Column matrices on a canvas's wide grid (where it pays) or from tap regions."""
    if not on_canvas:
        monkeypatch.setattr(canvas, "worth_it", lambda g: False)
    rng = np.random.default_rng(budget)
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    monkeypatch.setattr(conv, "COLUMN_BUDGET", budget)
    y = engine.conv2d(x, w, b, s, p, d, groups)
    assert_allclose(y, reference.conv2d(x, w, b, s, p, d, groups), rtol=1e-12, atol=1e-12)
    gy = rng.standard_normal(y.shape)
    got = engine.conv2d_backward(gy, x, w, b, s, p, d, groups)
    want = reference.conv2d_backward(gy, x, w, b, s, p, d, groups)
    for a, e in zip(got, want, strict=True):
        assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def test_conv_bands_split_large_samples():
    g = conv_geometry((300, 200), (3, 3), 1, 1)
    chunks = conv._chunks(2, 8, g)
    assert len(chunks) > 2  # one sample's column matrix would exceed the budget
    for _, first, stop in chunks:
        assert 8 * 9 * (stop - first) * g.out_size[1] <= max(conv.COLUMN_BUDGET, 8 * 9 * 200)


def test_conv_cuts_a_small_batch_of_large_samples_into_equal_bands():
    """A lone large sample is MIN_PIECES pieces of equal height (not one piece, one thread),
    whatever the number of threads; a small one stays whole."""
    g = conv_geometry((70, 70), (3, 3), 1, 1)
    assert 4 * 9 * 70 * 70 >= conv.SPLIT_ELEMENTS
    assert [(f, t) for _, _, f, t in conv._canvas_chunks(1, 4, g)] == [
        (0, 18),
        (18, 36),
        (36, 54),
        (54, 70),
    ]
    assert len(conv._canvas_chunks(2, 4, g)) == conv.MIN_PIECES  # two bands each
    # enough samples: whole ones, as many to a piece as fit, still MIN_PIECES pieces
    assert [(a, b) for a, b, _, _ in conv._canvas_chunks(8, 4, g)] == [
        (0, 2),
        (2, 4),
        (4, 6),
        (6, 8),
    ]
    small = conv_geometry((8, 8), (3, 3), 1, 1)
    assert conv._canvas_chunks(1, 1, small) == [(0, 1, 0, 8)]


def test_conv_non_contiguous_grad_output():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    gy = np.asfortranarray(rng.standard_normal((2, 4, 4, 4)))
    got = engine.conv2d_backward(gy, x, w)
    want = reference.conv2d_backward(np.ascontiguousarray(gy), x, w)
    for a, e in zip(got[:2], want[:2], strict=True):
        assert_allclose(a, e, rtol=1e-12, atol=1e-12)


# ---- memory: no full window tensor ------------------------------------------------------------
def test_large_inputs_never_copy_the_window_tensor():
    """A (out_H, out_W, kH, kW) copy of a 3x3 window tensor alone would be 9x the input."""
    x = np.random.default_rng(0).standard_normal((1, 4, 512, 512)).astype(np.float32)
    w = np.ones((4, 4, 3, 3), dtype=np.float32)
    pool_peak = peak_bytes(lambda: engine.max_pool2d(x, 3, 1, 1, return_indices=True))
    conv_peak = peak_bytes(lambda: engine.conv2d(x, w, padding=1))
    assert pool_peak < 5 * x.nbytes  # output 1x, int64 indices 2x, blocks of scratch
    assert conv_peak < 4 * x.nbytes  # output 1x, one column band ~1x


@pytest.mark.parametrize(("k", "s", "p", "d", "ceil"), POOL_CASES)
@pytest.mark.parametrize("ties", pooling.TIE_POLICIES)
@pytest.mark.parametrize("rank", [2, 3, 4])
def test_one_scan_for_output_indices_and_mask_equals_separate_calls(k, s, p, d, ceil, ties, rank):
    """``max_pool2d_with_mask`` (what the app computes per edit) gives the bits of
    ``max_pool2d(..., return_indices=True)`` and ``max_pool2d_mask`` called apart."""
    x = special_values((2, 3, 9, 8)[4 - rank :], seed=rank)
    kw = dict(kernel_size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    y, idx, mask = pooling.max_pool2d_with_mask(x, **kw, ties=ties)
    y_apart, idx_apart = engine.max_pool2d(x, **kw, return_indices=True)
    mask_apart = engine.max_pool2d_mask(x, **kw, ties=ties)
    same_bits(y, y_apart)
    same_bits(idx, idx_apart)
    same_bits(mask.counts, mask_apart.counts)
    same_bits(mask.winners, mask_apart.winners)
    assert mask.geometry == mask_apart.geometry and mask.ndim == mask_apart.ndim


def _random_pool_cases(seed: int, count: int):
    """Random small max-pooling cases (x, params) with NaN, ±inf and −0.0 in a third of them,
    windows without a real tap among them (padding, dilation, ceil_mode)."""
    # The one window has no real tap (PyTorch #114216): its index, 2, is past the plane.
    yield np.array([[[[5.0]]]]), ((2, 2), (1, 1), (1, 1), (2, 2), False)
    rng = np.random.default_rng(seed)
    for trial in range(count):
        n, c = (int(v) for v in rng.integers(1, 3, 2))
        h, w = (int(v) for v in rng.integers(1, 12, 2))
        x = rng.integers(0, 3, (n, c, h, w)).astype(float)
        if trial % 3 == 0:
            x[rng.random(x.shape) < 0.2] = rng.choice([np.nan, -np.inf, np.inf, -0.0])
        k = tuple(int(v) for v in rng.integers(1, 4, 2))
        params = (
            k,
            tuple(int(v) for v in rng.integers(1, 4, 2)),
            tuple(int(rng.integers(0, kk // 2 + 1)) for kk in k),
            tuple(int(v) for v in rng.integers(1, 3, 2)),
            bool(rng.integers(0, 2)),
        )
        try:
            pool_geometry((h, w), *params)
        except ValueError:
            continue
        yield x, params


def test_mask_counts_from_the_indices_equal_the_tap_by_tap_sum():
    """max_pool2d_with_mask counts each window's win at its index (one bincount); the mask
    alone still adds the winners tap by tap: the same integers, the same type."""
    empty = 0
    for x, params in _random_pool_cases(0, 300):
        _, _, mask = pooling.max_pool2d_with_mask(x, *params)
        alone = pooling.max_pool2d_mask(x, *params)
        assert mask.counts.dtype == alone.counts.dtype
        assert_array_equal(mask.counts, alone.counts)
        assert_array_equal(mask.winners, alone.winners)
        empty += not pool_geometry(x.shape[2:], *params).reads_input().all()
    assert empty > 0  # windows without a real tap were among them


def test_mask_counts_of_windows_apart_need_no_int64_count_of_every_element():
    """Windows that do not overlap win different elements: their counts are set in the
    int32 result directly, without an int64 count of every element (8 bytes each) cast after
    it (4 more bytes each)."""
    x = np.random.default_rng(0).integers(0, 256, (1, 1, 512, 512)).astype(float)
    for params in [(2, 2, 0, 1, False), (3, 3, 1, 1, True), ((2, 3), (2, 4), 0, 1, False)]:
        g = pool_geometry(x.shape[2:], *params)
        idx = np.asarray(engine.max_pool2d(x, *params, return_indices=True)[1]).reshape(
            (1,) + g.out_size
        )
        counts = pooling._count_wins(idx, g, np.int32)
        assert counts.dtype == np.int32 and counts.shape == (1, 512, 512)
        assert peak_bytes(lambda g=g, idx=idx: pooling._count_wins(idx, g, np.int32)) < (
            1.5 * counts.nbytes
        )


def test_mask_counts_of_overlapping_windows_need_no_int64_count_of_every_element():
    """Overlapping windows add one per window into the int32 result itself (``np.add.at``):
    no int64 ``np.bincount`` of every element (8 bytes each) cast after it (4 more), and the
    same integers as that count, several planes and windows without a real tap included."""
    x = np.random.default_rng(0).integers(0, 256, (1, 1, 512, 512)).astype(float)
    for params in [(3, 2, 0, 1, False), (3, 1, 1, 1, False), ((2, 3), (1, 2), 0, 2, True)]:
        g = pool_geometry(x.shape[2:], *params)
        assert pooling._windows_overlap(g)
        idx = np.asarray(engine.max_pool2d(x, *params, return_indices=True)[1]).reshape(
            (1,) + g.out_size
        )
        counts = pooling._count_wins(idx, g, np.int32)
        assert counts.dtype == np.int32 and counts.shape == (1, 512, 512)
        assert_array_equal(counts.reshape(-1), np.bincount(idx.reshape(-1), minlength=512 * 512))
        assert peak_bytes(lambda g=g, idx=idx: pooling._count_wins(idx, g, np.int32)) < (
            1.5 * counts.nbytes
        )
    for x, params in _random_pool_cases(4, 200):
        g = pool_geometry(x.shape[2:], *params)
        p = x.shape[0] * x.shape[1]
        idx = np.asarray(engine.max_pool2d(x, *params, return_indices=True)[1]).reshape(
            (p,) + g.out_size
        )
        reads = g.reads_input()
        flat = (idx + np.arange(p)[:, None, None] * (g.in_size[0] * g.in_size[1]))[:, reads]
        expected = np.bincount(flat.reshape(-1), minlength=x.size).astype(np.int32)
        counts = pooling._count_wins(idx, g, np.int32)
        assert counts.dtype == np.int32
        assert_array_equal(counts.reshape(-1), expected)


def test_backward_from_the_forward_s_own_indices_is_the_checked_one(monkeypatch):
    """max_pool2d_backward_own gives the bits max_pool2d_backward gives with the same indices,
    without checking them (what the spec's one backward per edit calls)."""
    cases = list(_random_pool_cases(1, 200))
    rng = np.random.default_rng(3)
    expected = []
    for x, params in cases:
        y, idx, _ = pooling.max_pool2d_with_mask(x, *params)
        gy = rng.normal(size=y.shape)
        expected.append((gy, idx, pooling.max_pool2d_backward(gy, x, *params, indices=idx)))

    def refuse(*_args: object) -> None:
        raise AssertionError("indices checked")

    monkeypatch.setattr(pooling, "_WindowCheck", refuse)
    for (x, params), (gy, idx, gx) in zip(cases, expected, strict=True):
        got = pooling.max_pool2d_backward_own(gy, x, idx, *params)
        assert got.tobytes() == gx.tobytes()
    # The operation's spec: its backward reads the forward's indices as they are.
    spec = get_op("max_pool2d")
    params = spec.coerce_params(spec.default_params().replace(kernel_size=(3, 3), stride=(2, 2)))
    x = np.arange(81, dtype=float).reshape(1, 1, 9, 9) % 7
    outputs, ctx = spec.forward({"input": x}, params)
    gy = np.arange(16, dtype=float).reshape(outputs["output"].shape)
    got = spec.backward(ctx, {"grad_output": gy})["grad_input"]
    assert_array_equal(got, reference.max_pool2d_backward(gy, x, 3, 2))

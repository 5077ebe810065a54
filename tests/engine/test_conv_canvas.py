"""A convolution's column matrices and dX on a canvas (engine/conv.py): the few strided views
that replace the copies and additions tap by tap must read and write exactly what each tap
does, for every stride, dilation, padding and band."""

from __future__ import annotations

import numpy as np
import pytest

from engine import canvas, conv, workspace
from engine.geometry import conv_geometry

# (input H, W), kernel, stride, padding, dilation: one phase, several phases, dilated taps
# sharing phases, a taller-than-wide kernel; a stride larger than the dilated kernel
GEOMETRIES = [
    ((20, 23), (5, 5), (1, 1), (0, 0), (1, 1)),
    ((20, 23), (3, 3), (1, 1), (1, 1), (1, 1)),
    ((21, 19), (5, 4), (2, 2), (2, 1), (1, 1)),
    ((25, 22), (3, 3), (2, 3), (1, 2), (2, 2)),
    ((24, 24), (3, 5), (3, 2), (0, 2), (2, 1)),
    ((17, 30), (2, 2), (3, 3), (1, 0), (1, 1)),
]


def _bands(out_h: int) -> list[tuple[int, int]]:
    return [(0, out_h), (0, 1), (out_h // 3, out_h - out_h // 4), (out_h - 1, out_h)]


@pytest.mark.parametrize(("size", "k", "s", "p", "d"), GEOMETRIES)
def test_columns_are_what_each_tap_reads(size, k, s, p, d):
    g = conv_geometry(size, k, s, p, d)
    x = np.random.default_rng(0).standard_normal((2, 3, *size))
    scratch = workspace.Scratch("test_columns", x.dtype)
    for band in _bands(g.out_size[0]):
        c, cols = conv._CanvasColumns(g, 3, 1, scratch).fill(x, band)
        width = c.rows * c.wq
        want = np.zeros((3, len(c.taps), 2, width))
        for s_, x_n in enumerate(x):
            phases = c.fill(x_n, 0.0)
            for t in range(len(c.taps)):
                want[:, t, s_, : c.length] = c.read(phases, t)
        assert cols.tobytes() == want.reshape(cols.shape).tobytes(), band


@pytest.mark.parametrize(("size", "k", "s", "p", "d"), GEOMETRIES)
def test_tap_grids_cover_every_tap_once(size, k, s, p, d):
    g = conv_geometry(size, k, s, p, d)
    c, grids = conv._tap_grids(g, 0, g.out_size[0])
    seen = {}
    for grid in grids:
        for a, i in enumerate(range(k[0])[grid.rows]):
            for b, j in enumerate(range(k[1])[grid.cols]):
                seen[i, j] = (grid.phase, grid.shift + a * grid.row_step + b * grid.col_step)
    assert seen == {(i, j): (phase, shift) for i, j, phase, shift in c.taps}
    assert isinstance(c, canvas.Canvas)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("size", "k", "s", "p", "d"), GEOMETRIES)
@pytest.mark.parametrize("budget", [1, 300, 1 << 20])
def test_dx_gathered_by_phase_is_exact_on_small_integers(
    monkeypatch, dtype, size, k, s, p, d, budget
):
    """Small integers add up exactly in any order: so a gradient read from the wrong place
    (or twice, or not at all) by the gathering views, in a band (a canvas of its own, added
    in afterwards) or a whole sample, shows as a difference from the plain loops."""
    from engine import reference

    monkeypatch.setattr(conv, "COLUMN_BUDGET", budget)  # bands of 1 row, a few rows, whole
    rng = np.random.default_rng(budget)
    x = rng.integers(-4, 5, size=(1, 3, *size)).astype(dtype)
    w = rng.integers(-3, 4, size=(2, 3, *k)).astype(dtype)
    g = conv_geometry(size, k, s, p, d)
    gy = rng.integers(-3, 4, size=(1, 2, *g.out_size)).astype(dtype)
    got = conv.conv2d_backward(gy, x, w, None, s, p, d)
    want = reference.conv2d_backward(gy, x, w, None, s, p, d)
    for a, e in zip(got[:2], want[:2], strict=True):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, e)

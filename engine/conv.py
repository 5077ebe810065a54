"""2-D convolution (cross-correlation, no kernel flip), forward and backward, as ``F.conv2d``.

Each sample (or, for a large one, each band of output rows) is one matrix product: the
weight, as a ``(C_out, C_in · kH · kW)`` matrix, times the *column matrix* that lists what
every tap reads in every window (:func:`_columns`, "im2col").  The column matrix is built
tap by tap from strided views, and never for more than :data:`COLUMN_BUDGET` elements at a
time, so a large input never has its full window tensor copied.

Where it pays (:func:`engine.canvas.worth_it`), the column matrix is laid out on a
:class:`~engine.canvas.Canvas`'s wide grid: then every row of it is one contiguous run of the
(padded, stride-phased) input, copied in one go, and the gradient's columns go back the same
way (:class:`_CanvasColumns`).  The few garbage columns of the wide grid cost a few per cent
of the products; their results are dropped.
"""

from __future__ import annotations

import functools
import itertools
import numbers
from typing import NamedTuple

import numpy as np

from engine import canvas, parallel, workspace
from engine.arrays import as_float_array, check_grad_shape, from_4d, group_matrices, to_4d
from engine.errors import ParameterError
from engine.geometry import WindowGeometry, conv_geometry

#: Elements of the column matrix (see :func:`_columns`) built at a time: 4 MB in float32.
#: Big enough for efficient matrix products, small enough that a large input never has its
#: full window tensor copied (a band has at least one output row, though).  Smaller bands
#: (2^18) were a little faster with one BLAS thread, but 2-4x slower with two on a busy
#: machine: every product is a rendezvous of the BLAS threads.
COLUMN_BUDGET = 1 << 20

#: A batch of fewer samples than this is cut into bands of output rows (at least this many
#: pieces in all) when a sample's column matrix has :data:`SPLIT_ELEMENTS` or more: a lone
#: large sample (a stack's batch of 1) was one or two pieces, computed by one thread while
#: the other waited, and its backward (then bands in two waves) by one thread per wave.  The cut
#: depends on the sizes only, never on the number of threads, so the bits do not either.
MIN_PIECES = 4
SPLIT_ELEMENTS = 1 << 17

Chunk = tuple[int, int, int]  # (sample, first output row, stop output row)


def _prepare(
    x: object,
    weight: object,
    bias: object,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, WindowGeometry, int, int]:
    """Validate everything; return ``(x4, w4, bias (C_out,) or None, geometry, ndim, groups)``."""
    w = as_float_array(weight, "weight")
    xa = as_float_array(x, "x")
    if xa.ndim == 2:
        w4 = teaching_kernel(w)
    elif w.ndim == 4:
        w4 = w
    else:
        raise ParameterError(
            "weight must have shape (C_out, C_in/groups, kH, kW); got shape {shape}", shape=w.shape
        )
    x4, ndim = to_4d(xa, "x")
    if not isinstance(groups, numbers.Integral) or isinstance(groups, bool) or groups < 1:
        raise ParameterError("groups ({groups}) must be a positive int", groups=repr(groups))
    groups = int(groups)
    c_out, c_in_g, kh, kw = w4.shape
    if min(w4.shape) == 0:
        raise ParameterError(
            "weight must not have an empty dimension; got shape {shape}", shape=w4.shape
        )
    if c_out % groups:
        raise ParameterError(
            "groups ({groups}) must divide the number of output channels "
            "(weight.shape[0] = {channels})",
            groups=groups,
            channels=c_out,
        )
    c_in = x4.shape[1]
    if c_in != c_in_g * groups:
        raise ParameterError(
            "x has {channels} channels, but weight of shape {shape} with groups ({groups}) "
            "expects {expected} (C_in = weight.shape[1] · groups)",
            channels=c_in,
            shape=tuple(w4.shape),
            groups=groups,
            expected=c_in_g * groups,
        )
    b = channel_bias(bias, c_out)
    g = conv_geometry(x4.shape[2:], (kh, kw), stride, padding, dilation)
    dtype = np.result_type(x4.dtype, w4.dtype, b.dtype if b is not None else x4.dtype)
    return x4.astype(dtype, copy=False), w4.astype(dtype, copy=False), b, g, ndim, groups


def teaching_kernel(w: np.ndarray) -> np.ndarray:
    """The kernel of the 2-D teaching form (x is one (H, W) plane): ``w`` (kH, kW) as
    (1, 1, kH, kW), or a :class:`ParameterError` if it is not 2-D."""
    if w.ndim != 2:
        raise ParameterError(
            "weight must be 2-D (kH, kW) when x is 2-D (H, W); got weight of shape {shape}",
            shape=w.shape,
        )
    return w.reshape((1, 1) + w.shape)


def channel_bias(bias: object, c_out: int, scalar: bool = True) -> np.ndarray | None:
    """``bias`` as a float array of shape (C_out,) (``None`` stays ``None``), or a
    :class:`ParameterError` unless it holds one value per output channel; a 0-d bias counts
    as one value only where ``scalar`` (conv_transpose2d's batched form wants it 1-D)."""
    if bias is None:
        return None
    b = as_float_array(bias, "bias")
    if b.size != c_out or b.ndim > 1 or (b.ndim == 0 and not scalar):
        raise ParameterError(
            "bias must have one value per output channel ({channels}); got shape {shape}",
            channels=c_out,
            shape=b.shape,
        )
    return b.reshape(c_out)


def _chunks(n: int, c_in: int, g: WindowGeometry) -> list[Chunk]:
    """Split the output into pieces whose column matrices fit :data:`COLUMN_BUDGET`.

    A piece is one sample and a band of whole output rows (all of them for small inputs); a
    batch of fewer than :data:`MIN_PIECES` large samples is cut into that many pieces.
    """
    out_h, out_w = g.out_size
    per_row = c_in * g.kernel[0] * g.kernel[1] * out_w
    bands = -(-out_h // max(1, COLUMN_BUDGET // per_row))
    if n < MIN_PIECES and per_row * out_h >= SPLIT_ELEMENTS:
        bands = max(bands, -(-MIN_PIECES // n))
    rows = -(-out_h // min(bands, out_h))  # bands of equal height (the last one maybe shorter)
    return [(s, r, min(out_h, r + rows)) for s in range(n) for r in range(0, out_h, rows)]


def _local(rows: slice, first: int) -> slice:
    """Output rows of a region, counted from the first row of its band."""
    return slice(rows.start - first, rows.stop - first)


class _Columns:
    """Builds the column matrices ("im2col") of one call in a buffer reused from band to band.

    Entries that read padding are never written, and for the same band of output rows they
    are the same entries in every sample: so the buffer is zeroed once per band shape and only
    the real taps are copied in afterwards.  (A fresh ``np.zeros`` per band cost page faults and
    zeroing every time.)
    """

    def __init__(self, g: WindowGeometry, c_in: int, groups: int, dtype: np.dtype) -> None:
        self.g, self.c_in, self.groups, self.dtype = g, c_in, groups, dtype
        self.band: tuple[int, int] | None = None
        self.cols = np.empty(0, dtype=dtype)

    def fill(self, x_n: np.ndarray, band: tuple[int, int]) -> np.ndarray:
        """What every tap reads for the windows of output rows ``band`` of one sample.

        Parameters
        ----------
        x_n : array, shape (C_in, H, W)
        band : (first, stop) output rows

        Returns
        -------
        array, shape (groups, C_in/groups · kH · kW, rows · out_W)
            Row ``(c, i, j)`` holds what tap ``(i, j)`` of channel ``c`` reads in each window;
            padding reads 0.  The weight, reshaped to ``(C_out, C_in/groups · kH · kW)``, times
            this matrix is the convolution of the band.  Valid until the next ``fill``.
        """
        g = self.g
        first, stop = band
        if band != self.band:
            if self.band is None or band[1] - band[0] != self.band[1] - self.band[0]:
                shape = (self.c_in, *g.kernel, stop - first, g.out_size[1])
                self.cols = np.zeros(shape, dtype=self.dtype)
            else:  # same size, other rows: other taps may read padding
                self.cols.fill(0)
            self.band = band
        cols = self.cols
        for r in g.real_tap_regions(out_rows=band):
            cols[:, r.i, r.j, _local(r.out_rows, first), r.out_cols] = x_n[:, r.in_rows, r.in_cols]
        return cols.reshape(self.groups, -1, (stop - first) * g.out_size[1])


class _CanvasColumns:
    """The column matrices of :class:`_Columns`, on a :class:`~engine.canvas.Canvas`'s grid.

    Row ``(c, i, j)`` of a band's matrix is the run tap ``(i, j)`` reads in channel ``c``
    (:meth:`Canvas.read`): a plain copy of a contiguous run.  Column ``oh·Wq + ow`` belongs
    to output ``(oh, ow)``; the columns with ``ow >= out_W`` are garbage, and the buffer's
    columns past the runs (the last row's garbage) are set to zero, so products with them
    are finite.  Small samples go several to a matrix, side by side: fewer, larger products.
    The buffer comes from a :class:`~engine.workspace.Scratch` (kept from call to call).
    """

    def __init__(
        self, g: WindowGeometry, c_in: int, groups: int, scratch: workspace.Scratch
    ) -> None:
        self.g, self.c_in, self.groups, self.scratch = g, c_in, groups, scratch

    def fill(self, x: np.ndarray, band: tuple[int, int]) -> tuple[canvas.Canvas, np.ndarray]:
        """The band's canvas and column matrix, ``(groups, C_in/groups · kH · kW, S · rows · Wq)``.

        ``x`` is S samples, (S, C_in, H, W): sample ``s`` has the columns ``s · rows · Wq``
        onwards.  The matrix is valid until the scratch's next use of it.
        """
        c, grids = _tap_grids(self.g, *band)
        width = c.rows * c.wq
        kh, kw = self.g.kernel
        cols = self.scratch.empty("cols", (self.c_in, kh * kw, len(x), width))
        cols[..., c.length :] = 0
        by_tap = cols.reshape(self.c_in, kh, kw, len(x), width)
        for s, x_n in enumerate(x):
            phases = c.fill(x_n, 0.0)
            for grid in grids:  # every tap of a phase in one copy
                by_tap[:, grid.rows, grid.cols, s, : c.length] = grid.reads(phases, c.length)
        return c, cols.reshape(self.groups, -1, len(x) * width)


class _TapGrid(NamedTuple):
    """The taps that read one phase of a canvas: rows ``rows`` × columns ``cols`` of the
    kernel, tap ``(a, b)`` of the grid reading the phase from ``shift + a·row_step +
    b·col_step`` on (elements of the phase's flat rows)."""

    phase: canvas.Phase
    rows: slice
    cols: slice
    n_rows: int
    n_cols: int
    shift: int
    row_step: int
    col_step: int

    def reads(self, phases: dict[canvas.Phase, np.ndarray], length: int) -> np.ndarray:
        """A read-only ``(B, n_rows, n_cols, length)`` view: the run every tap reads."""
        flat = phases[self.phase]
        item = flat.itemsize
        return np.lib.stride_tricks.as_strided(
            flat[:, self.shift :],
            shape=(flat.shape[0], self.n_rows, self.n_cols, length),
            strides=(flat.strides[0], self.row_step * item, self.col_step * item, item),
            writeable=False,
        )


def _progression(values: list[int]) -> tuple[int, int, int] | None:
    """``(first, step, count)`` of sorted distinct ``values`` in arithmetic progression."""
    step = values[1] - values[0] if len(values) > 1 else 1
    if any(b - a != step for a, b in itertools.pairwise(values)):
        return None
    return values[0], step, len(values)


@functools.lru_cache(maxsize=64)
def _tap_grids(
    g: WindowGeometry, first: int, stop: int
) -> tuple[canvas.Canvas, tuple[_TapGrid, ...]]:
    """The canvas of output rows ``[first, stop)`` and its taps grouped by phase.

    The taps reading one phase are a grid of kernel rows × kernel columns, each in arithmetic
    progression, and their shifts are linear in both: so one strided view gives what all of
    them read (one copy into the column matrix instead of one per tap, each of which let the
    GIL go and took it back: on two threads, the other thread's copies kept it).
    """
    c = canvas.Canvas(g, first, stop)
    grids = []
    for phase in c.phases:
        taps = [(i, j, shift) for i, j, p, shift in c.taps if p == phase]
        row_run = _progression(sorted({i for i, _, _ in taps}))
        col_run = _progression(sorted({j for _, j, _ in taps}))
        assert row_run is not None and col_run is not None, "taps of a phase are a grid"
        (i0, di, ni), (j0, dj, nj) = row_run, col_run
        shifts = {(i, j): shift for i, j, shift in taps}
        base = shifts[i0, j0]
        row_step = shifts[i0 + di, j0] - base if ni > 1 else 0
        col_step = shifts[i0, j0 + dj] - base if nj > 1 else 0
        assert len(taps) == ni * nj and all(
            shifts[i0 + a * di, j0 + b * dj] == base + a * row_step + b * col_step
            for a in range(ni)
            for b in range(nj)
        ), "a phase's shifts are linear in its taps"
        grids.append(
            _TapGrid(
                phase,
                slice(i0, i0 + (ni - 1) * di + 1, di),
                slice(j0, j0 + (nj - 1) * dj + 1, dj),
                ni, nj, base, row_step, col_step,
            )
        )  # fmt: skip
    return c, tuple(grids)


def _canvas_chunks(n: int, c_in: int, g: WindowGeometry) -> list[tuple[int, int, int, int]]:
    """``(first sample, stop sample, first row, stop row)`` pieces for the canvas columns:
    as many whole samples as fit :data:`COLUMN_BUDGET` (and leave :data:`MIN_PIECES` pieces
    when the work is large), or bands of one sample (see :func:`_chunks`)."""
    out_h, out_w = g.out_size
    per_sample = c_in * g.kernel[0] * g.kernel[1] * out_h * out_w
    if per_sample > COLUMN_BUDGET or (n < MIN_PIECES and per_sample >= SPLIT_ELEMENTS):
        return [(s, s + 1, first, stop) for s, first, stop in _chunks(n, c_in, g)]
    per = max(1, COLUMN_BUDGET // per_sample)
    if n * per_sample >= SPLIT_ELEMENTS:
        per = min(per, -(-n // MIN_PIECES))  # at least MIN_PIECES pieces of large work
    return [(s, min(n, s + per), 0, out_h) for s in range(0, n, per)]


def _columns(x_n: np.ndarray, g: WindowGeometry, band: tuple[int, int], groups: int) -> np.ndarray:
    """The column matrix of one band of one sample, in a fresh array (see :class:`_Columns`)."""
    return _Columns(g, x_n.shape[0], groups, x_n.dtype).fill(x_n, band)


def _add_columns(
    cols: np.ndarray, g: WindowGeometry, band: tuple[int, int], out: np.ndarray
) -> None:
    """The reverse of :func:`_columns`: add each column entry onto the input element it read.

    ``cols`` is (groups, C_in/groups · kH · kW, rows · out_W); ``out`` is (C_in, H, W).
    Entries that read padding are dropped.
    """
    first, stop = band
    per_tap = cols.reshape(out.shape[0], *g.kernel, stop - first, g.out_size[1])
    for r in g.real_tap_regions(out_rows=band):
        target = out[:, r.in_rows, r.in_cols]
        target += per_tap[:, r.i, r.j, _local(r.out_rows, first), r.out_cols]


def _band(a_n: np.ndarray, band: tuple[int, int], groups: int) -> np.ndarray:
    """View output rows ``band`` of one sample's (C, out_H, out_W) as (groups, C/groups, P)."""
    first, stop = band
    out_w = a_n.shape[2]
    planes = group_matrices(a_n, groups)  # a view: a_n is C-contiguous
    return planes[..., first * out_w : stop * out_w]


def conv2d(
    x: object,
    weight: object,
    bias: object = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> np.ndarray:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    Parameters
    ----------
    x : array, shape (C_in, H, W) or (N, C_in, H, W); or (H, W) with a (kH, kW) weight
    weight : array, shape (C_out, C_in/groups, kH, kW); or (kH, kW) for a 2-D ``x``
    bias : array, shape (C_out,), optional (a scalar for the 2-D form)
    stride, dilation : int or (h, w) pair
    padding : int, (h, w) pair, ``'valid'`` or ``'same'`` (zeros)
    groups : int
        Split channels into groups; output channel ``co`` sees only its group's inputs.

    Returns
    -------
    y : array, shape (..., C_out, out_H, out_W); (out_H, out_W) for the 2-D form
    """
    x4, w4, b, g, ndim, groups = _prepare(x, weight, bias, stride, padding, dilation, groups)
    n, c_in = x4.shape[:2]
    c_out = w4.shape[0]
    w_rows = group_matrices(w4, groups)
    y = np.empty((n, c_out, *g.out_size), dtype=x4.dtype)
    if canvas.worth_it(g):
        _conv_on_canvas(x4, w_rows, b, g, groups, y)
        return y[0, 0] if ndim == 2 else from_4d(y, ndim)
    columns = _Columns(g, c_in, groups, x4.dtype)
    bias_rows = None if b is None else b.reshape(groups, c_out // groups, 1)
    for sample, first, stop in _chunks(n, c_in, g):
        band = (first, stop)
        cols = columns.fill(x4[sample], band)
        out = _band(y[sample], band, groups)
        if out.flags.c_contiguous:
            np.matmul(w_rows, cols, out=out)  # one product per group, straight into y
        else:  # a band of rows of several channels
            out[...] = w_rows @ cols
        if bias_rows is not None:
            out += bias_rows  # while the band is in the cache
    return y[0, 0] if ndim == 2 else from_4d(y, ndim)


def _conv_on_canvas(
    x4: np.ndarray,
    w_rows: np.ndarray,
    b: np.ndarray | None,
    g: WindowGeometry,
    groups: int,
    y: np.ndarray,
) -> None:
    """:func:`conv2d`'s products on canvas columns (:class:`_CanvasColumns`), into ``y``.

    The product of a piece lands on the wide grid; its real columns, plus the bias, go to
    ``y``.  Pieces run in parallel (:func:`engine.parallel.run_pieces`): each writes its own
    samples or rows of ``y``.
    """
    n, c_in = x4.shape[:2]
    c_out = w_rows.shape[0] * w_rows.shape[1]

    def piece(bounds: tuple[int, int, int, int]) -> None:
        s0, s1, first, stop = bounds
        scratch = workspace.Scratch("conv2d", x4.dtype)
        c, cols = _CanvasColumns(g, c_in, groups, scratch).fill(x4[s0:s1], (first, stop))
        grid = scratch.empty("grid", (groups, w_rows.shape[1], cols.shape[2]))
        np.matmul(w_rows, cols, out=grid)
        if b is not None:
            # on the contiguous grid, then copied: the same sums, and 4x faster than adding
            # while storing into y's strided rows (~1/6 of a float32 forward)
            np.add(grid.reshape(c_out, -1), b[:, None], out=grid.reshape(c_out, -1))
        real = grid.reshape(c_out, s1 - s0, c.rows, c.wq)[..., : g.out_size[1]]
        y[s0:s1, :, first:stop] = real.transpose(1, 0, 2, 3)  # (samples, C_out, rows, out_W)

    parallel.run_pieces(piece, _canvas_chunks(n, c_in, g))


def _conv_backward_on_canvas(
    gy: np.ndarray,
    x4: np.ndarray,
    w_rows: np.ndarray,
    g: WindowGeometry,
    groups: int,
    with_bias: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """dX (shape of ``x4``), dW^T ``(groups, C_in/groups · kH · kW, C_out/groups)`` and,
    ``with_bias``, dB ``(C_out,)`` on canvas columns.

    ``gy`` goes onto the wide grid with zeros in the garbage columns (so they add nothing to
    dW, and only zeros to dX); dX's columns go back where each tap read (:func:`_add_gathered`
    for a piece of one sample, tap by tap for several samples side by side).

    All pieces run at once (:func:`engine.parallel.run_pieces`).  Each piece's dW^T and dB
    (its rows of ``gy`` summed, off the serial path) are its own, and they are added up in
    piece order.  Whole samples write their own dX.  A band of one sample overlaps its
    neighbours' input rows: it gathers its dX into a canvas of its own, and the caller adds
    the bands' canvases into dX in band order once every piece is done (the same bits
    whatever the number of threads).  (Bands used to go in two waves, even then odd, which
    made the callers wait twice, each time for the slower of two threads.)
    """
    n, c_in = x4.shape[:2]
    c_out = w_rows.shape[0] * w_rows.shape[1]
    w_cols = np.ascontiguousarray(w_rows.transpose(0, 2, 1))  # W^T, laid out for the product
    gx = np.zeros(x4.shape, dtype=x4.dtype)
    pieces = _canvas_chunks(n, c_in, g)
    gw_parts: list[np.ndarray | None] = [None] * len(pieces)
    gb_parts: list[np.ndarray | None] = [None] * len(pieces)
    bands: list[tuple[canvas.Canvas, dict[canvas.Phase, np.ndarray]] | None] = [None] * len(pieces)

    def piece(k: int) -> None:
        s0, s1, first, stop = pieces[k]
        scratch = workspace.Scratch("conv2d_backward", x4.dtype)
        c, cols = _CanvasColumns(g, c_in, groups, scratch).fill(x4[s0:s1], (first, stop))
        count, width = s1 - s0, c.rows * c.wq
        gy_grid = scratch.empty("gy", (c_out, count * width))
        on_grid = gy_grid.reshape(c_out, count, c.rows, c.wq)
        on_grid[..., g.out_size[1] :] = 0  # garbage columns: add nothing
        on_grid[..., : g.out_size[1]] = gy[s0:s1, :, first:stop].transpose(1, 0, 2, 3)
        gy_band = gy_grid.reshape(groups, -1, count * width)
        # dW^T = columns · dY^T, see conv2d_backward
        gw_parts[k] = cols @ gy_band.transpose(0, 2, 1)
        if with_bias:
            gb_parts[k] = gy_grid.sum(axis=1)  # the garbage columns hold zeros
        whole = (first, stop) == (0, g.out_size[0])
        if count == 1:
            if whole:  # dX of its own sample: straight into it (a view when direct)
                phases = c.fill(gx[s0], 0.0) if c.direct else c.blank(c_in, x4.dtype)
            else:  # a band: on its own canvas, added into dX by the caller
                phases = c.blank(c_in, x4.dtype)
                bands[k] = (c, phases)
            _add_gathered(scratch, w_cols, gy_band, c, phases)
            if whole:
                c.store(phases, gx[s0])
            return
        read_grads = scratch.empty("read", cols.shape)
        np.matmul(w_cols, gy_band, out=read_grads)
        per_tap = read_grads.reshape(c_in, len(c.taps), count, width)
        for s in range(count):  # whole samples
            target_n = gx[s0 + s]
            phases = c.fill(target_n, 0.0) if c.direct else c.blank(c_in, x4.dtype)
            for t in range(len(c.taps)):
                target = c.read(phases, t)
                target += per_tap[:, t, s, : c.length]
            c.store(phases, target_n)

    parallel.run_pieces(piece, range(len(pieces)))
    for k, band in enumerate(bands):  # in band order, whatever the threads' timing
        if band is not None:
            band[0].add_to(band[1], gx[pieces[k][0]])
    gw_t = np.zeros((groups, w_rows.shape[2], w_rows.shape[1]), dtype=w_rows.dtype)
    for part in gw_parts:  # in piece order, whatever the threads' timing
        gw_t += part
    gb = None
    if with_bias:
        gb = np.zeros(c_out, dtype=x4.dtype)
        for bias_part in gb_parts:
            gb += bias_part
    return gx, gw_t, gb


def _add_gathered(
    scratch: workspace.Scratch,
    w_cols: np.ndarray,
    gy_band: np.ndarray,
    c: canvas.Canvas,
    phases: dict[canvas.Phase, np.ndarray],
) -> None:
    """Add dX of one band of one sample, ``W^T · dY`` put back where each tap read, onto
    the canvas ``phases`` (each ``(C_in, hq·wq)``).

    Every cell of a phase gathers what the taps that read it got, with one reduction per
    phase instead of one addition per tap (each of which let the GIL go and took it back:
    on two threads, the other one often had it by then).  Tap ``t``'s gradients ``R_t`` land
    in rows ``margin`` (the largest shift) apart, with zeros between them and before the
    first: then cell ``p`` of a phase gets ``R_t[p − shift_t]`` from each of its taps, zero
    where that is outside the tap's run (in the zeros before or after it), and these reads
    are a strided view of the rows (see :class:`_TapGrid`).  The columns between the runs'
    real outputs hold ``W^T`` times zeros, as the addition tap by tap has them too.
    """
    g = c.g
    kh, kw = g.kernel
    c_in = w_cols.shape[0] * w_cols.shape[1] // (kh * kw)
    width, cells = c.rows * c.wq, c.hq * c.wq
    margin = max(shift for *_, shift in c.taps)  # ≥ cells − width, what the last cells read
    row = width + margin
    flat = scratch.empty("read_spaced", (margin + w_cols.shape[0] * w_cols.shape[1] * row,))
    rows = flat[margin:].reshape(w_cols.shape[0], w_cols.shape[1], row)
    flat[:margin] = 0
    rows[..., width:] = 0
    np.matmul(w_cols, gy_band, out=rows[..., :width])
    per_tap = rows.reshape(c_in, kh, kw, row)
    _, grids = _tap_grids(g, c.first, c.stop)
    sums = scratch.empty("sums", (c_in, cells))
    item = flat.itemsize
    for grid in grids:
        tap = grid.rows.start * kw + grid.cols.start  # the grid's first tap, of channel 0
        start = flat[margin + tap * row - grid.shift :]
        reads = np.lib.stride_tricks.as_strided(
            start,
            shape=(c_in, grid.n_rows, grid.n_cols, cells),
            strides=(
                per_tap.strides[0],
                grid.rows.step * per_tap.strides[1] - grid.row_step * item,
                grid.cols.step * per_tap.strides[2] - grid.col_step * item,
                item,
            ),
            writeable=False,
        )
        np.add.reduce(reads, axis=(1, 2), out=sums)
        target = phases[grid.phase]
        target += sums


def conv2d_backward(
    grad_output: object,
    x: object,
    weight: object,
    bias: object = None,
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
    groups: int = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients of :func:`conv2d` with respect to input, weight and bias.

    Parameters
    ----------
    grad_output : array, shape of ``conv2d``'s output
    x, weight, bias, stride, padding, dilation, groups : as in :func:`conv2d`

    Returns
    -------
    grad_input : array, shape of ``x``
        Input elements no window covers get 0.
    grad_weight : array, shape of ``weight``
    grad_bias : array, shape of ``bias``; ``None`` when ``bias`` is None
    """
    x4, w4, b, g, ndim, groups = _prepare(x, weight, bias, stride, padding, dilation, groups)
    n = x4.shape[0]
    c_out = w4.shape[0]
    oh, ow = g.out_size
    gy_arr = as_float_array(grad_output, "grad_output")  # refuse bools and strings, like x
    expected = (n, c_out, oh, ow)
    expected_caller = expected[2:] if ndim == 2 else expected[4 - ndim :]
    check_grad_shape(gy_arr.shape, expected_caller)
    gy = np.ascontiguousarray(gy_arr.reshape(expected), dtype=x4.dtype)
    w_rows = group_matrices(w4, groups)
    gb = None
    if canvas.worth_it(g):
        gx, gw_t, gb = _conv_backward_on_canvas(gy, x4, w_rows, g, groups, b is not None)
    else:
        gx, gw_t = _conv_backward_on_regions(gy, x4, w_rows, g, groups)
    grad_weight = np.ascontiguousarray(gw_t.transpose(0, 2, 1)).reshape(w4.shape)
    grad_bias = None
    if b is not None:
        if gb is None:
            gb = gy.sum(axis=(0, 2, 3))
        grad_bias = gb.reshape(np.asarray(bias).shape)
    if ndim == 2:
        return gx[0, 0], grad_weight[0, 0], grad_bias
    return from_4d(gx, ndim), grad_weight, grad_bias


def _conv_backward_on_regions(
    gy: np.ndarray,
    x4: np.ndarray,
    w_rows: np.ndarray,
    g: WindowGeometry,
    groups: int,
) -> tuple[np.ndarray, np.ndarray]:
    """dX and dW^T as :func:`_conv_backward_on_canvas` gives them, on :class:`_Columns`."""
    n, c_in = x4.shape[:2]
    w_cols = np.ascontiguousarray(w_rows.transpose(0, 2, 1))  # W^T, laid out for the product
    gw_t = np.zeros((groups, w_rows.shape[2], w_rows.shape[1]), dtype=w_rows.dtype)  # dW^T
    gx = np.zeros_like(x4)
    columns = _Columns(g, c_in, groups, x4.dtype)
    read_grads = np.empty(0, dtype=x4.dtype)
    for sample, first, stop in _chunks(n, c_in, g):
        band = (first, stop)
        cols = columns.fill(x4[sample], band)
        gy_band = _band(gy[sample], band, groups)
        # dW = dY · columns^T, summed over samples and bands; built as its transpose,
        # columns · dY^T, which BLAS computes faster (the long axis is the rows' contiguous one)
        gw_t += cols @ gy_band.transpose(0, 2, 1)
        # dX: W^T · dY gives what each tap read's gradient is; add it back where it was read
        if read_grads.shape != cols.shape:
            read_grads = np.empty_like(cols)
        np.matmul(w_cols, gy_band, out=read_grads)
        _add_columns(read_grads, g, band, out=gx[sample])
    return gx, gw_t

"""Adaptive average and max pooling, forward and backward, with PyTorch 2.13's semantics.

Adaptive pooling fixes the *output* size and lets the windows ("bins") follow from it.  Along an
axis of ``I`` inputs pooled to ``O`` outputs, bin ``o`` covers the half-open range
``[floor(o·I/O), ceil((o+1)·I/O))`` (:func:`adaptive_bins`).  Bins differ in size by at most
one or two, neighbours may share an element, and with ``O > I`` several bins cover the same
elements.

The vectorised passes work on *expanded* windows: the input is gathered, one axis at a time, into
an array indexed ``[plane, i, oh, j, ow]``, tap ``(i, j)`` of bin ``(oh, ow)``, ``k`` taps per
axis for the largest bin (:func:`_windows`).  Taps beyond a smaller bin's end are filled with a
value that cannot change the result (``+0.0`` for sums, ``-inf`` for maxima).  When the bins
of an axis are equal and tile it (``I`` divisible by ``O``), the expansion is a reshaped view:
no copy at all.  Python loops run over taps (or, in the backward, over the few bins covering an
element), never over outputs.  Work goes in blocks of planes (or of output rows of a large
plane), so the scratch memory stays around :data:`BLOCK_ELEMENTS` whatever the input size.

Bit-exactness with PyTorch's CPU kernels (float32 and float64):

* Average: each bin is summed sequentially in row-major order from ``+0.0`` in the input dtype,
  then divided twice, ``sum / kh / kw``, as PyTorch's kernel does.  Small bins are summed tap by
  tap; a few large ones with ``np.cumsum``, which is sequential too; equal tiling bins over many
  planes from a tap-major copy with ``np.add.reduce`` over its outer tap axis, which adds whole
  rows one after the other (:func:`_tiled_sums_tap_major`).  The backward gives every input
  element its bins' ``grad / kh / kw`` in increasing ``(oh, ow)`` order, PyTorch's: from the
  (at most 2 × 2) bins covering it when shrinking, each bin's share repeated over its rows and
  columns and the overlap rows and columns added to afterwards (:func:`_spread_shares`, on the
  caller's thread), scattered with the ordered ``np.add.at`` when growing (``O > I``).
* Output size ``(1, 1)`` is special: PyTorch computes ``x.mean((-1, -2))`` with a vectorised
  reduction whose rounding matches no simple formula.  Here the sum is taken in float64 (then
  rounded to the input dtype) and divided once by ``H·W``: within an ulp of PyTorch.  The
  backward is ``grad / (H·W)``, exactly PyTorch's (autograd of ``mean``).
* Max: the first maximum in row-major bin order wins ties, any NaN wins and the last NaN of a
  bin is reported, and the index is ``row * W + col`` in the input plane (max pooling's scan
  rule, applied to a bin).  Large bins use ``np.argmax`` (the first maximum, or the first
  NaN, then corrected), small ones PyTorch's scan tap by tap, equal tiling bins
  :func:`~engine.pooling.max_pool2d` (up to 36 taps) or a tap-major copy scanned with
  contiguous passes (:func:`_tiled_max_tap_major`).
  The backward adds ``grad_output`` at the index in ``(oh, ow)`` order, PyTorch's order.

Deliberate differences from PyTorch, as in the rest of the engine: 2-D ``(H, W)`` input is
accepted, integers are computed in float64, an empty channel/height/width is refused (PyTorch
returns NaN for the global average of an empty plane).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from engine import pooling
from engine.arrays import check_grad_output, from_4d, integer_indices, to_4d
from engine.errors import ParameterError
from engine.geometry import Pair, is_int
from engine.parallel import run_shared
from engine.pooling import (
    TiePolicy,
    max_pool2d,
    plane_blocks,
    validate_ties,
)

#: Entries of expanded windows per block (a few MB).  Small enough for the caches, large
#: enough that NumPy's per-call overhead does not show.
BLOCK_ELEMENTS = 1 << 19

#: Bins are summed tap by tap (one NumPy call per tap) when a block has at least this many
#: outputs; fewer outputs with many taps each (large bins) use ``np.cumsum``, which costs a few
#: passes over the block but no Python loop.
MIN_TAP_LOOP_OUTPUTS = 1024

#: Bins of at most this many taps are max-scanned tap by tap; larger ones with ``np.argmax``
#: over a contiguous copy of their taps (one pass, however many taps).
MAX_SCAN_TAPS = 4

#: Bins that do not tile the input (``I`` not divisible by ``O``: bins of two sizes, at uneven
#: places) with at most this many taps go through the gathered passes below
#: (:func:`_bin_sums_planes_last`, :func:`_max_planes_last`, or with fewer planes
#: :func:`_max_by_rows`); larger bins keep the expanded windows, whose cost does not grow with
#: the taps' count in Python calls.
GATHERED_MAX_TAPS = 144

#: Planes the planes-last passes need at least (their gathers copy runs of planes).
PLANES_LAST_MIN_PLANES = 32

#: Equal tiling bins of at most this many taps are summed in tap-major order
#: (:func:`_tiled_sums_tap_major`), when a block holds at least ``TAP_MAJOR_MIN_OUTPUTS``
#: outputs (its reduction runs along them).  Bytes of input per block of that pass: the
#: block and its tap-major copy stay in the CPU caches (measured best of 128 KB to 2 MB in
#: float32 and float64 on 8×64×56×56 → 7×7).
TAP_MAJOR_MAX_TAPS = 1024
TAP_MAJOR_MIN_OUTPUTS = 64
TAP_MAJOR_BLOCK_BYTES = 1 << 19

#: The tap-major copy goes by output rows (:class:`_TapMajorCopy`) when a row of its block (of
#: ``TAP_MAJOR_ROWS_BLOCK_BYTES``, or ``TAP_MAJOR_BLOCK_BYTES`` if more planes) holds at least
#: ``TAP_MAJOR_ROW_MIN_BINS`` bins and a bin at least ``TAP_MAJOR_ROW_MIN_TAPS`` taps
#: (fewer bins make the passes' inner loops short: 1×3×1000×4 → (500, 1) took 1.5× the time
#: by rows; with fewer taps there is little to keep in the cache: 4×128×24² → 12×12 took
#: 1.3×), in blocks of ``TAP_MAJOR_ROWS_BLOCK_BYTES`` of input: fewer, longer inner loops
#: (8×64×56² → 7×7, wall-time minima of 100 alternating calls of forward + backward against
#: the taps-outermost copy in 512 KB blocks, load 3.8: 0.84×, 0.94× (average, maximum,
#: float32), 0.99×, 0.91× (float64) on one thread; 0.90×, 1.06×, 0.74×, 0.70× on two).
TAP_MAJOR_ROW_MIN_BINS = 256
TAP_MAJOR_ROW_MIN_TAPS = 16
TAP_MAJOR_ROWS_BLOCK_BYTES = 1 << 20

#: Rows at least this long (``W`` elements) whose bins are at most
#: ``TAP_MAJOR_COLS_OUTER_MAX_BIN_BYTES`` wide are copied with the output columns outermost
#: (:class:`_TapMajorCopy`), in blocks of ``TAP_MAJOR_COLS_OUTER_BLOCK_BYTES`` of input: the
#: copy's inner loop runs over a block's planes and output rows at once, one stride
#: (``kH`` input rows) along all of them, and the lines it reads (two bins or more per 64-byte
#: line) are read again by the next taps while in the cache.  8×64×56² → 7×7 float32, minima
#: (medians) of 12 alternating rounds at load 2.6, forward ms, against the two-stage copy it
#: replaced (whole rows first, then every ``kW``-th element): one thread, CPU time, average
#: 2.50 (2.63) against 2.89 (3.08), maximum 3.95 (4.11) against 4.36 (4.62); two threads, wall,
#: 1.86 (2.41) against 2.39 (3.68), 3.17 (4.92) against 3.70 (5.78); a second run of 40
#: rounds at load 2.5 gave less: one thread 0.87× (0.94×) and 0.97× (0.96×), two threads
#: 0.80× (0.91×) and 0.86× (1.04×) the two-stage time.  Blocks of 128 KB and 512 KB were
#: slower.  Float64 (one bin row per cache line) gained nothing and keeps the
#: copies below.
TAP_MAJOR_COLS_OUTER_MIN_WIDTH = 32
TAP_MAJOR_COLS_OUTER_MAX_BIN_BYTES = 32
TAP_MAJOR_COLS_OUTER_BLOCK_BYTES = 1 << 18

#: Runs of whole planes per thread in the backward passes (:func:`_thread_runs`), taken from a
#: shared counter: when a busy machine holds one thread back, the others take its runs, where
#: a fixed half per thread left the caller waiting for the late thread's whole half.
RUNS_PER_THREAD = 4

#: Gradient elements per run of the average's backward when no element lies in more than two
#: bins per axis (:func:`_spread_shares`), all runs on the caller's thread.  That pass is a
#: few copies at memory speed, and the pooling threads only slowed it down: 8×64×56² → 7×7
#: and → 9×9, float32 and float64, wall-time minima of alternating rounds at load 1.7-2.6
#: on the 2 CPUs, one thread 0.25, 0.46, 0.75, 2.78 ms, two threads in 8 runs 0.55, 0.93,
#: 1.57, 4.62 ms (0.31, 0.59, 0.92, 3.33 in 2 runs); on 32×64×56² float32 about the same
#: (→ 7×7 2.83 ms against 2.75-4.81, → 9×9 9.55 against 8.85-9.62, all planes at once).  Runs
#: rather than all planes at once keep its repeated rows in the cache: 32×64×56² → 9×9
#: float32 took 2.95 ms (CPU) in runs of 128 planes, 4.24 ms at once; 8×64×56² gained
#: nothing from runs (0.56 ms at once, 0.60 in runs of 128).
SPREAD_RUN_ELEMENTS = 1 << 19

#: Elements of input per block of the row-by-row maximum (the block's transposed copy and its
#: gathered bands stay in the CPU caches).
GATHER_BLOCK_ELEMENTS = 1 << 18

#: Bytes of input per block of the planes-last tap-major gathers (:class:`_TapMajorGather`;
#: measured best of 128 KB to 1 MB on 8×64×56×56 → 9×9, both dtypes).
GATHER_BLOCK_BYTES = 1 << 19


# ---- bins ---------------------------------------------------------------------------------------
def adaptive_bins(in_size: int, out_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The input range each output index of adaptive pooling covers, along one axis.

    Parameters
    ----------
    in_size : int
        ``I``, the input length (at least 1).
    out_size : int
        ``O``, the output length (0 gives empty arrays).

    Returns
    -------
    start, stop : int64 arrays, shape (O,)
        Output ``o`` covers ``start[o] <= i < stop[o]`` with ``start = floor(o·I/O)`` and
        ``stop = ceil((o+1)·I/O)``.  Bins may overlap and, when ``O > I``, repeat.

    Raises
    ------
    ParameterError
        If a size is not an int, ``in_size < 1`` or ``out_size < 0``.

    Examples
    --------
    >>> start, stop = adaptive_bins(5, 3)
    >>> [(int(a), int(b)) for a, b in zip(start, stop)]
    [(0, 2), (1, 4), (3, 5)]
    """
    for name, value, low in (("in_size", in_size, 1), ("out_size", out_size, 0)):
        if not is_int(value):
            raise ParameterError("{name} must be an int, got {value}", name=name, value=repr(value))
        if value < low:
            raise ParameterError(
                "{name} ({value}) must be at least {low}", name=name, value=value, low=low
            )
    n, m = int(in_size), int(out_size)
    o = np.arange(m, dtype=np.int64)
    # Integer arithmetic, as PyTorch's AdaptivePooling.h: no float rounding of i·I/O.
    start = (o * n) // m if m else o
    stop = -((-(o + 1) * n) // m) if m else o
    return start, stop


def adaptive_output_size(output_size: object, in_size: Pair) -> Pair:
    """Resolve ``output_size`` as ``torch.nn.functional.adaptive_*_pool2d`` reads it.

    Parameters
    ----------
    output_size : int or pair of (int or None)
        An int ``v`` means ``(v, v)``; ``None`` in a pair keeps that input size.
    in_size : (H, W)

    Returns
    -------
    (out_H, out_W) : pair of int
        Zero is allowed (an empty output); larger than the input is allowed.

    Raises
    ------
    ParameterError
        If ``output_size`` is not an int or a pair of ints/None (PyTorch also refuses 1-tuples,
        floats and bools), or if an entry is negative.
    """
    pair: tuple[int, ...]
    if is_int(output_size):
        pair = (int(output_size), int(output_size))
    elif (
        isinstance(output_size, (Sequence, np.ndarray))
        and not isinstance(output_size, (str, bytes))
        and len(output_size) == 2
        and all(v is None or is_int(v) for v in output_size)
    ):
        pair = tuple(in_size[a] if v is None else int(v) for a, v in enumerate(output_size))
    else:
        raise ParameterError(
            "output_size must be an int or a pair (height, width) of ints or None, got {value}",
            value=repr(output_size),
        )
    if min(pair) < 0:
        raise ParameterError(
            "output_size ({height}, {width}) must not be negative", height=pair[0], width=pair[1]
        )
    return pair[0], pair[1]


@dataclass(frozen=True)
class _Axis:
    """The bins of one axis and the two maps the passes need.

    Attributes
    ----------
    size, out : input length ``I`` and output length ``O``
    start, stop : (O,) bins, from :func:`adaptive_bins`
    k : the largest bin (0 when ``O == 0``)
    lo, hi : (I,) the first and the last bin covering each input coordinate
    m : the most bins any input coordinate lies in
    """

    size: int
    out: int
    start: np.ndarray
    stop: np.ndarray
    k: int
    lo: np.ndarray
    hi: np.ndarray
    m: int

    @classmethod
    def make(cls, size: int, out: int) -> _Axis:
        """The axis of ``size`` inputs pooled to ``out`` outputs, made once per pair.

        Kept (a few dozen pairs): making an axis and its classes took 0.1 ms, twice per
        forward and twice per backward, and once more for every run of the average's
        backward, against PyTorch's 2-4 ms for a whole forward + backward of 512 planes.
        Its arrays are read-only, as every caller shares them.
        """
        return _make_axis(int(size), int(out))

    @property
    def tiles(self) -> bool:
        """Whether the bins are equal, disjoint and cover the axis: ``I`` divisible by ``O``."""
        return self.out > 0 and self.size % self.out == 0

    def taps(self, bins: slice) -> tuple[np.ndarray, np.ndarray]:
        """Coordinate read by tap ``t`` of each bin in ``bins`` and whether it is real.

        Returns
        -------
        coords : int64 (n, k), clipped into the bin (a missing tap reads its bin's last element)
        real : bool (n, k)
        """
        start, stop = self.start[bins], self.stop[bins]
        coords = start[:, None] + np.arange(self.k)[None, :]
        real = coords < stop[:, None]
        return np.minimum(coords, stop[:, None] - 1), real

    def covering(self, coords: slice) -> tuple[np.ndarray, np.ndarray]:
        """The bins covering each input coordinate of ``coords``, in increasing order.

        Returns
        -------
        bins : int64 (n, m), clipped to the last covering bin
        real : bool (n, m)
        """
        lo, hi = self.lo[coords], self.hi[coords]
        bins = lo[:, None] + np.arange(self.m)[None, :]
        real = bins <= hi[:, None]
        return np.minimum(bins, hi[:, None]), real

    def classes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The input coordinates grouped by the bins covering them (see :attr:`_classes`)."""
        return self._classes

    @functools.cached_property
    def _classes(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The input coordinates grouped by the bins covering them.

        Coordinates covered by the same bins form a run (``lo`` and ``hi`` never decrease);
        each run is a class.

        Returns
        -------
        first : int64 (n,), the first bin covering each class
        count : int64 (n,), how many bins cover it (consecutive from ``first``)
        of : int64 (I,), the class of each input coordinate
        """
        new = np.ones(self.size, dtype=bool)
        new[1:] = (self.lo[1:] != self.lo[:-1]) | (self.hi[1:] != self.hi[:-1])
        starts = np.nonzero(new)[0]
        of = np.cumsum(new) - 1
        first, count = self.lo[starts], self.hi[starts] - self.lo[starts] + 1
        _read_only(first, count, of)
        return first, count, of


@functools.lru_cache(maxsize=64)
def _make_axis(size: int, out: int) -> _Axis:
    """:meth:`_Axis.make`, uncached."""
    start, stop = adaptive_bins(size, out)
    k = int((stop - start).max()) if out else 0
    r = np.arange(size)
    # Bins covering r are consecutive: from the first one ending after r to the last one
    # starting at or before it (start and stop never decrease).
    lo = np.searchsorted(stop, r, side="right")
    hi = np.searchsorted(start, r, side="right") - 1
    m = int((hi - lo).max()) + 1 if out else 0
    _read_only(start, stop, lo, hi)
    return _Axis(size, out, start, stop, k, lo, hi, m)


def _read_only(*arrays: np.ndarray) -> None:
    for a in arrays:
        a.setflags(write=False)


def _axes(x4: np.ndarray, output_size: object) -> tuple[_Axis, _Axis]:
    in_size = (x4.shape[2], x4.shape[3])
    out = adaptive_output_size(output_size, in_size)
    return _Axis.make(in_size[0], out[0]), _Axis.make(in_size[1], out[1])


# ---- shared helpers -----------------------------------------------------------------------------
Block = tuple[slice, slice]  # (planes, output rows)
_T = TypeVar("_T")


def _per_thread(make: Callable[[], _T]) -> Callable[[], _T]:
    """A getter of one ``make()`` per thread: the scratch a thread reuses for every block it
    takes from :func:`~engine.parallel.run_shared`."""
    local = threading.local()

    def get() -> _T:
        made: _T | None = getattr(local, "made", None)
        if made is None:
            made = local.made = make()
        return made

    return get


def _blocks(n_planes: int, n_rows: int, row_cost: int) -> Iterator[Block]:
    """Blocks of about :data:`BLOCK_ELEMENTS` scratch entries, in (plane, row) order.

    Small planes are grouped; a large plane is cut into bands of ``rows``.  ``row_cost`` is the
    scratch one row of one plane needs.
    """
    plane_cost = max(1, n_rows * row_cost)
    if plane_cost <= BLOCK_ELEMENTS:
        per_block = BLOCK_ELEMENTS // plane_cost
        for p in range(0, n_planes, per_block):
            yield slice(p, min(n_planes, p + per_block)), slice(0, n_rows)
        return
    rows = max(1, BLOCK_ELEMENTS // max(1, row_cost))
    for p in range(n_planes):
        for r in range(0, n_rows, rows):
            yield slice(p, p + 1), slice(r, min(n_rows, r + rows))


def _gather_taps(
    a: np.ndarray, axis: int, coords: np.ndarray, real: np.ndarray, fill: float
) -> np.ndarray:
    """``a`` with ``axis`` replaced by ``(k, n)``: entry ``[t, o]`` is ``a`` at ``coords[o, t]``.

    Tap-major order (all bins' tap 0, then all bins' tap 1, ...) makes what one tap reads a
    slab with a contiguous inner axis.  ``fill`` replaces the entries where ``real`` is False.
    When the coordinates tile a contiguous range (``coords[o, t] = s + o·k + t``: equal,
    disjoint bins), this is a *view* of ``a``; otherwise one ``np.take``, which copies whole
    inner rows when ``axis`` is not the last one.

    Parameters
    ----------
    coords : int array, shape (n, k)
    real : bool array, shape (n, k)
    """
    n, k = coords.shape
    before, after = a.shape[:axis], a.shape[axis + 1 :]
    first = int(coords[0, 0]) if coords.size else 0
    if real.all() and np.array_equal(coords.ravel(), np.arange(first, first + n * k)):
        index = (slice(None),) * axis + (slice(first, first + n * k),)
        return a[index].reshape(before + (n, k) + after).swapaxes(axis, axis + 1)
    out = np.take(a, coords.T.ravel(), axis=axis).reshape(before + (k, n) + after)
    if not real.all():
        out[(slice(None),) * axis + (~real.T,)] = fill
    return out


def _windows(
    planes: np.ndarray, rows: _Axis, cols: _Axis, block: Block, fill: float
) -> tuple[np.ndarray, bool]:
    """Tap ``(i, j)`` of bin ``(oh, ow)`` for the block's planes and output rows.

    Returns
    -------
    taps : array indexed ``[b, i, oh, j, ow]``, shape (b, k_H, n_rows, k_W, out_W)
        A view of ``planes`` when the columns tile (and the rows too, else rows are gathered).
    copied : bool
        Whether ``taps`` is a transposed view of a fresh copy, which the caller may lay out
        anew.  Gathering columns one element at a time is slow, so when the columns do not
        tile, the rows gathered so far are transposed once and the columns are gathered as
        whole rows.
    """
    p, out_rows = block
    r_coords, r_real = rows.taps(out_rows)
    c_coords, c_real = cols.taps(slice(None))
    by_rows = _gather_taps(planes[p], 1, r_coords, r_real, fill)  # (b, kH, n, W)
    if cols.tiles:
        return _gather_taps(by_rows, 3, c_coords, c_real, fill), False  # (b, kH, n, kW, oW)
    flipped = np.ascontiguousarray(by_rows.transpose(0, 3, 1, 2))  # (b, W, kH, n)
    taps = _gather_taps(flipped, 1, c_coords, c_real, fill)  # (b, kW, oW, kH, n)
    return taps.transpose(0, 3, 4, 1, 2), True


def _window_values(taps: np.ndarray) -> np.ndarray:
    """The taps of each bin in row-major order along a last, contiguous axis: (b, n, oW, kH·kW)."""
    b, kh, n, kw, ow = taps.shape
    return taps.transpose(0, 2, 4, 1, 3).reshape(b, n, ow, kh * kw)


def _empty_output(x4: np.ndarray, rows: _Axis, cols: _Axis) -> bool:
    return rows.out == 0 or cols.out == 0 or x4.shape[0] * x4.shape[1] == 0


def _require_output_for_backward(name: str, rows: _Axis, cols: _Axis) -> None:
    """PyTorch's backward kernels refuse an empty ``grad_output`` plane (the forward allows it)."""
    if rows.out == 0 or cols.out == 0:
        raise ParameterError(
            "output_size ({height}, {width}) must be at least 1 in height and width for the "
            "backward pass ({name}_backward, like PyTorch's, refuses an empty gradient)",
            height=rows.out,
            width=cols.out,
            name=name,
        )


def _backward_setup(
    name: str, grad_output: object, x: object, output_size: object
) -> tuple[np.ndarray, int, _Axis, _Axis, np.ndarray]:
    """What both adaptive backwards start with: ``x`` as 4-D, its rank, the two axes' bins
    (an empty output refused, as PyTorch's backward does) and the checked ``grad_output``."""
    x4, ndim = to_4d(x)
    rows, cols = _axes(x4, output_size)
    _require_output_for_backward(name, rows, cols)
    gy = check_grad_output(grad_output, x4.shape[:2] + (rows.out, cols.out), ndim, x4.dtype)
    return x4, ndim, rows, cols, gy


def _is_global(rows: _Axis, cols: _Axis) -> bool:
    """Output (1, 1): PyTorch takes ``x.mean((-1, -2))`` instead of its adaptive kernel."""
    return rows.out == 1 and cols.out == 1


# ---- adaptive average pooling ------------------------------------------------------------------
def adaptive_avg_pool2d(x: object, output_size: object) -> np.ndarray:
    """2-D adaptive average pooling, as ``torch.nn.functional.adaptive_avg_pool2d``.

    Parameters
    ----------
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
        Integers are computed in float64.
    output_size : int or pair of (int or None)
        ``(out_H, out_W)``; an int means a square output, ``None`` keeps that input size.
        It may exceed the input; 0 gives an empty output.

    Returns
    -------
    y : array, shape (..., out_H, out_W), same rank as ``x``
        Bin ``(oh, ow)`` (see :func:`adaptive_bins`) summed in row-major order, then divided by
        its height and by its width.  Output ``(1, 1)`` is the plane mean.

    Raises
    ------
    ParameterError
        If ``output_size`` is malformed or negative.
    """
    x4, ndim = to_4d(x)
    rows, cols = _axes(x4, output_size)
    shape4 = x4.shape[:2] + (rows.out, cols.out)
    if _empty_output(x4, rows, cols):
        return from_4d(np.zeros(shape4, dtype=x4.dtype), ndim)
    planes = x4.reshape((-1,) + x4.shape[2:])
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf = NaN, overflow = inf: IEEE
        if _is_global(rows, cols):
            y = _plane_means(planes)
        elif _tap_major(rows, cols, len(planes), planes.itemsize):
            y = _tiled_sums_tap_major(planes, rows, cols)
            y += y.dtype.type(0)  # PyTorch's sums start at +0.0: an all -0.0 bin sums to +0.0
            y /= y.dtype.type(rows.k)  # sum / kh / kw, as PyTorch
            y /= y.dtype.type(cols.k)
        elif _gathered(rows, cols) and len(planes) >= PLANES_LAST_MIN_PLANES:
            y = _bin_sums_planes_last(planes, rows, cols)
            y /= (rows.stop - rows.start).astype(y.dtype)[:, None]  # sum / kh / kw, as PyTorch
            y /= (cols.stop - cols.start).astype(y.dtype)[None, :]
        else:
            y = _bin_means(planes, rows, cols)
    return from_4d(y.reshape(shape4), ndim)


def _gathered(rows: _Axis, cols: _Axis) -> bool:
    """Whether uneven bins of a moderate size take the gathered passes."""
    return not (rows.tiles and cols.tiles) and rows.k * cols.k <= GATHERED_MAX_TAPS


def _tap_major_planes(plane: int, itemsize: int) -> int:
    """Planes per block of :func:`_tiled_sums_tap_major` (at least one)."""
    return max(1, TAP_MAJOR_BLOCK_BYTES // (plane * itemsize))


def _tap_major(rows: _Axis, cols: _Axis, n_planes: int, itemsize: int) -> bool:
    """Whether equal tiling bins take :func:`_tiled_sums_tap_major`.

    Its reduction runs along the block's outputs, so a block needs enough of them (at least
    :data:`TAP_MAJOR_MIN_OUTPUTS`); and a bin must fit the block's budget.
    """
    if not (rows.tiles and cols.tiles):
        return False
    taps = rows.k * cols.k
    planes_per_block = min(n_planes, _tap_major_planes(rows.size * cols.size, itemsize))
    return (
        taps <= TAP_MAJOR_MAX_TAPS
        and planes_per_block * rows.out * cols.out >= TAP_MAJOR_MIN_OUTPUTS
    )


def _tiled_sums_tap_major(planes: np.ndarray, rows: _Axis, cols: _Axis) -> np.ndarray:
    """Sums of equal tiling bins, each in row-major tap order (from its first tap).

    A block of planes ``(b, out_H·kH, out_W·kW)`` is copied once into tap-major order (tap
    ``(i, j)`` of a group of the block's bins in one contiguous row, :class:`_TapMajorCopy`),
    then ``np.add.reduce`` along the taps adds each group's rows one after the other (a
    reduction over an outer axis is a sequence of contiguous vector additions, not a pairwise
    sum): each bin gets ``((x_00 + x_01) + …) + x_(kH-1)(kW-1)``, PyTorch's order.  The sum
    starts at the first tap instead of +0.0; that differs only for a bin of -0.0 only, which
    the caller fixes by adding +0.0.  One pass of strided reads and two contiguous passes,
    instead of a strided pass per tap.  Blocks run on ``engine.pooling``'s threads.

    Parameters
    ----------
    planes : (P, H, W), ``H = out_H·kH`` and ``W = out_W·kW``

    Returns
    -------
    (P, out_H, out_W) sums, in the dtype of ``planes``
    """
    out = np.empty((len(planes), rows.out, cols.out), dtype=planes.dtype)
    copy = _TapMajorCopy(planes, rows, cols)

    buffers = _per_thread(
        lambda: (copy.scratch(), np.empty(copy.per * rows.out * cols.out, dtype=planes.dtype))
    )

    def sums(block: Block) -> None:
        scratch, total = buffers()
        p = block[0]
        groups = copy.taps(p, scratch)  # (g, taps, n / g)
        b = p.stop - p.start
        acc = total[: groups.shape[0] * groups.shape[2]].reshape(groups.shape[0], -1)
        np.add.reduce(groups, axis=1, out=acc)  # each group's taps in order, per bin
        out[p] = copy.by_planes(acc.reshape(-1), b)

    run_shared(sums, copy.blocks())
    return out


class _TapMajorCopy:
    """Blocks of equal tiling bins copied in tap-major order, for contiguous passes per tap.

    Block ``p`` of ``b`` planes, ``(b, out_H, kH, out_W, kW)`` as a view of the input, is copied
    to ``(g, kH·kW, n / g)``: for each group of bins, tap ``(i, j)`` of each of its bins in one
    contiguous row.  The bins are ordered planes last, ``(oh, ow, plane)``, when the block holds
    more planes than an output row has bins, else ``(plane, oh, ow)``: the copy's inner loop
    runs along the last axis of its destination, whose source stride is one plane or one bin,
    and NumPy's per-loop cost makes a short inner loop expensive (on 8×64×56² → 7×7 the copy
    took about half the time planes last: 41 planes of float32 against 7 bins).

    Planes last, a group is one output row ``oh`` (``g = out_H``) when the row holds at least
    :data:`TAP_MAJOR_ROW_MIN_BINS` bins of the block and a bin at least
    :data:`TAP_MAJOR_ROW_MIN_TAPS` taps, else all of the block's bins (``g = 1``).
    By rows, the copy's passes over one row's taps ``(i, 0)``, ``(i, 1)``, … come one after
    the other and read the same cache lines (a line holds a run of ``kW`` taps), ``out_W·b`` of
    them, which stay in the L1 cache between passes; with the taps outermost, the
    ``out_H·out_W·b`` lines of a whole block did not (the copy alone, 8×64×56² → 7×7, one
    thread, CPU time: 0.75× the time in float32 and 0.78× in float64, 2026-12-01).  Copying a
    group at a time into a buffer of one group, to sum it while in the cache, cost more calls
    than it saved.

    Rows of at least :data:`TAP_MAJOR_COLS_OUTER_MIN_WIDTH` elements with narrow bins (at
    most :data:`TAP_MAJOR_COLS_OUTER_MAX_BIN_BYTES`) are copied with the output columns
    outermost instead (``cols_outer``, bins in ``(ow, plane, oh)`` order, ``g = 1``):
    ``(b·out_H, kH, out_W, kW)`` to ``(kH, kW, out_W, b·out_H)``, whose inner loop runs along
    the block's planes and output rows together (one stride of ``kH`` input rows), a long
    loop, where the copies above loop over ``out_W`` bins or ``b`` planes.

    Attributes
    ----------
    per : planes per block, at most
    cols_outer : whether the output columns are outermost (then neither of the next two)
    planes_last : the order of the bins
    by_rows : whether a group is an output row (planes last only)
    """

    def __init__(self, planes: np.ndarray, rows: _Axis, cols: _Axis) -> None:
        n_planes, height, width = planes.shape
        self.n_planes, self.plane, self.width = n_planes, height * width, width
        self.oh, self.kh, self.ow, self.kw = rows.out, rows.k, cols.out, cols.k
        self.planes = planes
        self.bins = planes.reshape(n_planes, self.oh, self.kh, self.ow, self.kw)
        self.dtype = planes.dtype
        self.cols_outer = (
            width >= TAP_MAJOR_COLS_OUTER_MIN_WIDTH
            and self.kw * planes.itemsize <= TAP_MAJOR_COLS_OUTER_MAX_BIN_BYTES
        )
        if self.cols_outer:
            per = TAP_MAJOR_COLS_OUTER_BLOCK_BYTES // (self.plane * planes.itemsize)
            self.per = max(1, min(n_planes, per))
            self.planes_last = self.by_rows = False
            return
        self.per = min(n_planes, _tap_major_planes(self.plane, planes.itemsize))
        self.planes_last = self.per > self.ow
        # The bins of a row counted in the larger block the copy by rows would take: float64
        # 8×64×56² → 7×7 has 20 planes of 7 bins in a one-stage block but 41 by rows, where
        # its copy took 0.76× (average) and 0.82× (maximum) the CPU time (minima of 11
        # alternating rounds at load 4.5; 0.78× and 0.99× in wall time on two threads).
        by_rows_per = TAP_MAJOR_ROWS_BLOCK_BYTES // (self.plane * planes.itemsize)
        by_rows_per = min(n_planes, max(self.per, by_rows_per))
        self.by_rows = (
            self.planes_last
            and by_rows_per * self.ow >= TAP_MAJOR_ROW_MIN_BINS
            and self.kh * self.kw >= TAP_MAJOR_ROW_MIN_TAPS
        )
        if self.by_rows:
            self.per = by_rows_per

    def blocks(self) -> list[tuple[slice, slice]]:
        """Blocks of whole planes, as ``engine.pooling``'s blocks (planes, all rows)."""
        return _balanced(self.n_planes, self.plane, self.per)

    def scratch(self) -> np.ndarray:
        """A buffer for one thread's copies (every block of :meth:`blocks` fits)."""
        return np.empty(self.per * self.plane, dtype=self.dtype)

    def taps(self, p: slice, scratch: np.ndarray) -> np.ndarray:
        """Block ``p`` in tap-major order by groups, (g, kH·kW, n / g), in ``scratch``.

        Read along the groups, then the lanes, the bins come in the order of :meth:`by_planes`.
        """
        b = p.stop - p.start
        kh, kw, oh, ow = self.kh, self.kw, self.oh, self.ow
        if self.cols_outer:
            taps = scratch[: b * self.plane].reshape(kh, kw, ow, b * oh)
            block = self.planes[p].reshape(b * oh, kh, ow, kw)
            np.copyto(taps, block.transpose(1, 3, 2, 0))
            return taps.reshape(1, kh * kw, ow * b * oh)
        if self.by_rows:
            taps = scratch[: b * self.plane].reshape(oh, kh, kw, ow, b)
            taps[...] = self.bins[p].transpose(1, 2, 4, 3, 0)
            return taps.reshape(oh, kh * kw, ow * b)
        if self.planes_last:
            taps = scratch[: b * self.plane].reshape(kh, kw, oh, ow, b)
            taps[...] = self.bins[p].transpose(2, 4, 1, 3, 0)
            return taps.reshape(1, kh * kw, oh * ow * b)
        taps = scratch[: b * self.plane].reshape(kh, kw, b, oh, ow)
        taps[...] = self.bins[p].transpose(2, 4, 0, 1, 3)
        return taps.reshape(1, kh * kw, b * oh * ow)

    def by_planes(self, values: np.ndarray, b: int) -> np.ndarray:
        """One value per bin of a block, (n,) in the order of :meth:`taps`, as (b, oH, oW)."""
        if self.cols_outer:
            return values.reshape(self.ow, b, self.oh).transpose(1, 2, 0)
        if self.planes_last:
            return values.reshape(self.oh, self.ow, b).transpose(2, 0, 1)
        return values.reshape(b, self.oh, self.ow)


def _plane_blocks(n_planes: int, per_plane: int) -> list[tuple[slice, slice]]:
    """Blocks of whole planes of about :data:`GATHER_BLOCK_ELEMENTS` input elements each, as
    ``engine.pooling``'s blocks (planes, all rows), for its threads."""
    return _balanced(n_planes, per_plane, max(1, GATHER_BLOCK_ELEMENTS // max(1, per_plane)))


def _balanced(n_planes: int, per_plane: int, per: int) -> list[tuple[slice, slice]]:
    """Blocks of at most ``per`` whole planes, as ``engine.pooling``'s blocks (planes, all
    rows), of even sizes and as many as a multiple of the threads when there is enough work
    (:func:`engine.pooling.plane_blocks`): 13 blocks on 2 threads left one 7/13 of the work."""
    return [(run, slice(None)) for run in plane_blocks(n_planes, per_plane, per * per_plane)]


class _TapMajorGather:
    """Every tap of every bin, gathered from planes-last blocks in tap-major order.

    A block of ``b`` planes is transposed once to ``(H·W, b)``; then one ``np.take`` along its
    first axis with the flat ``row · W + col`` of tap ``(i, j)`` of bin ``(oh, ow)``, in
    ``(i, j, oh, ow)`` order, copies whole runs of ``b`` planes into ``(kH·kW, out_H·out_W·b)``:
    tap ``t`` of every bin of the block in one contiguous row, however uneven the bins.  Taps
    beyond a shorter bin (its clipped coordinates) read ``fill``, from an extra row after the
    plane's last element (no second pass over the gathered taps to overwrite them).

    Attributes
    ----------
    flat : int64 (kH·kW, out_H·out_W), the flat input index each tap reads
    """

    def __init__(self, planes: np.ndarray, rows: _Axis, cols: _Axis) -> None:
        self.planes = planes
        self.height, self.width = planes.shape[1:]
        self.taps = rows.k * cols.k
        self.bins = rows.out * cols.out
        r_coords, r_real = rows.taps(slice(None))  # (out_H, kH)
        c_coords, c_real = cols.taps(slice(None))  # (out_W, kW)
        flat = r_coords.T[:, None, :, None] * self.width + c_coords.T[None, :, None, :]
        real = r_real.T[:, None, :, None] & c_real.T[None, :, None, :]  # (kH, kW, oH, oW)
        self.flat = flat.reshape(self.taps, self.bins)
        # What the gather reads: a missing tap reads row H·W of the transposed block, the fill.
        self.source = np.where(real.reshape(-1), self.flat.reshape(-1), self.height * self.width)
        per = GATHER_BLOCK_BYTES // max(1, self.height * self.width * planes.itemsize)
        self.per = max(1, min(len(planes), per))

    def blocks(self) -> list[tuple[slice, slice]]:
        """Blocks of whole planes, as ``engine.pooling``'s blocks (planes, all rows)."""
        return _balanced(len(self.planes), self.height * self.width, self.per)

    def gather(self, planes: slice, fill: float) -> np.ndarray:
        """The block's taps: (kH·kW, out_H·out_W·b), column ``bin · b + plane``."""
        block = self.planes[planes]
        b = len(block)
        size = self.height * self.width
        xt = np.empty((size + 1, b), dtype=block.dtype)  # (H·W + 1, b): planes last, then fill
        xt[:size] = block.reshape(b, size).T
        xt[size] = fill
        # mode="clip": the indices are in range; it skips the bounds check
        taps: np.ndarray = np.take(xt, self.source, axis=0, mode="clip")  # (kH·kW·oH·oW, b)
        return taps.reshape(self.taps, self.bins * b)


def _bin_sums_planes_last(planes: np.ndarray, rows: _Axis, cols: _Axis) -> np.ndarray:
    """Bin sums in row-major tap order, from a tap-major gather (:class:`_TapMajorGather`).

    ``np.add.reduce`` over the gathered block's outer tap axis adds its rows one after the
    other (a reduction over an outer axis is a sequence of contiguous vector additions, not a
    pairwise sum): each bin gets ``((x_00 + x_01) + …)``, PyTorch's row-major order.  Missing
    taps of a shorter bin read +0.0, which changes no sum (``x + 0.0 == x``); the sum starts at
    the first tap instead of +0.0, which differs only for a bin of -0.0 only: +0.0 is added at
    the end.  Blocks run on ``engine.pooling``'s threads.

    Parameters
    ----------
    planes : (P, H, W)

    Returns
    -------
    (P, out_H, out_W) sums, in the dtype of ``planes``
    """
    n_planes = len(planes)
    out = np.empty((n_planes, rows.out, cols.out), dtype=planes.dtype)
    gathered = _TapMajorGather(planes, rows, cols)

    def sums(block: Block) -> None:
        p = block[0]
        total = np.add.reduce(gathered.gather(p, 0.0), axis=0)  # (oH·oW·b,)
        out[p] = total.reshape(rows.out, cols.out, -1).transpose(2, 0, 1)

    run_shared(sums, gathered.blocks())
    out += planes.dtype.type(0)  # PyTorch's sums start at +0.0: an all -0.0 bin is +0.0
    return out


def _max_planes_last(
    planes: np.ndarray, rows: _Axis, cols: _Axis, best: np.ndarray, idx: np.ndarray
) -> None:
    """Each bin's maximum and flat index from a tap-major gather (:class:`_TapMajorGather`).

    Contiguous passes over the gathered block (see :func:`_first_max_marks`); missing taps of a
    shorter bin read -inf, which never wins over a real tap (tap 0 is real in every bin, and
    ties go to the first).  The blocks only mark each bin's first maximum; the indices, NaN
    bins and zeros are settled afterwards over all bins at once (:func:`_settle_winners`).
    Writes ``best`` and ``idx`` (P, out_H, out_W).
    """
    gathered = _TapMajorGather(planes, rows, cols)
    weight = _tap_weights(gathered.taps)
    first = np.empty(best.shape, dtype=weight.dtype)
    n_bins = gathered.bins

    buffers = _per_thread(
        lambda: (
            np.empty(gathered.taps * n_bins * gathered.per, dtype=bool),
            np.empty(n_bins * gathered.per, dtype=planes.dtype),
            np.empty(n_bins * gathered.per, dtype=weight.dtype),
        )
    )

    def scan(block: Block) -> None:
        scratch, m, marks = buffers()
        p = block[0]
        flat = gathered.gather(p, -np.inf)  # (taps, oH·oW·b)
        b = p.stop - p.start
        _first_max_marks(flat, weight, scratch, m[: n_bins * b], marks[: n_bins * b])
        best[p] = m[: n_bins * b].reshape(rows.out, cols.out, b).transpose(2, 0, 1)
        first[p] = marks[: n_bins * b].reshape(rows.out, cols.out, b).transpose(2, 0, 1)

    run_shared(scan, gathered.blocks())
    _settle_winners(planes, rows, cols, best, first, idx)


def _tap_weights(taps: int) -> np.ndarray:
    """``taps − t`` for tap ``t`` as a (taps, 1) column, in the smallest unsigned type."""
    small = np.uint8 if taps < 256 else np.uint16
    return np.arange(taps, 0, -1, dtype=small)[:, None]


def _first_max_marks(
    flat: np.ndarray, weight: np.ndarray, scratch: np.ndarray, m: np.ndarray, first: np.ndarray
) -> None:
    """Each lane's maximum and the mark of its first maximum, ``flat`` tap-major.

    The maximum ``m`` (``np.maximum.reduce`` over the taps, NaN propagating), then the *first*
    tap equal to it as the largest ``weight[t] = taps − t`` over the equal taps (a max-reduction
    over small integers instead of an argmax along a strided axis): PyTorch's strict ``>`` keeps
    the first of equal maxima (also of -0.0 and +0.0).  A NaN column has no equal tap (NaN !=
    NaN) and gets mark 0; :func:`_settle_winners` gives it its last NaN.

    Parameters
    ----------
    flat : (taps, n) or, in groups of lanes, (g, taps, n / g) array
    weight : (taps, 1) uint8 or uint16, ``taps − t`` (:func:`_tap_weights`)
    scratch : bool array of at least ``taps·n`` entries
        Where the equal taps are marked (uint8 weights), instead of new arrays.
    m : (n,) array of ``flat``'s dtype, written: the maximum (lanes group by group)
    first : (n,) array of ``weight``'s dtype, written: ``taps − t`` of the first maximum
    """
    groups = flat if flat.ndim == 3 else flat[None]
    g, _, lanes = groups.shape
    m3, first3 = m.reshape(g, 1, lanes), first.reshape(g, 1, lanes)
    np.maximum.reduce(groups, axis=1, out=m3, keepdims=True)
    if weight.dtype == np.uint8:
        equal = np.equal(groups, m3, out=scratch[: groups.size].reshape(groups.shape))
        marks = equal.view(np.uint8)
        np.multiply(marks, weight, out=marks)  # 1 -> taps - t, 0 stays
    else:
        marks = (groups == m3) * weight
    np.maximum.reduce(marks, axis=1, out=first3, keepdims=True)


def _settle_winners(
    planes: np.ndarray,
    rows: _Axis,
    cols: _Axis,
    best: np.ndarray,
    first: np.ndarray,
    idx: np.ndarray,
) -> None:
    """Indices from the first-maximum marks of every bin, then the NaN and zero bins.

    Done once over all bins after the blocks (a few passes over the outputs) rather than in
    every block (a dozen NumPy calls each on a block's few thousand bins).  Tap ``t = i·kW + j``
    of bin ``(oh, ow)`` is ``(start_H[oh] + i)·W + start_W[ow] + j``.  ``best`` holds the
    maxima, which are the winners' values to the bit except for a NaN (the last NaN's payload)
    and a zero (the first of -0.0 and +0.0, which compare equal): those are read at the index.

    Parameters
    ----------
    planes : (P, H, W)
    best : (P, out_H, out_W), the bin maxima; zeros and NaN corrected
    first : (P, out_H, out_W) unsigned, ``kH·kW − t`` of each bin's first maximum (0: NaN bin)
    idx : int64 (P, out_H, out_W), written
    """
    width = planes.shape[2]
    taps = rows.k * cols.k
    i, j = np.divmod(np.arange(taps), cols.k)
    # offset_by_mark[taps - t] = tap t's offset from its bin's corner; mark 0 (NaN) gets 0
    offset_by_mark = np.zeros(taps + 1, dtype=np.int64)
    offset_by_mark[taps - np.arange(taps)] = i * width + j
    np.take(offset_by_mark, first, out=idx, mode="clip")
    idx += rows.start[:, None] * width + cols.start[None, :]
    # Both fixes are rare (NaN, an exact zero): tested with any() first, as np.nonzero of a
    # 3-D mask costs more than the rest of this function (0.3 of 0.5 ms on 512 planes of 7×7).
    fix = np.isnan(best)
    if fix.any():
        nan_bins = np.nonzero(fix)
        # NaN bins a chunk at a time: every tap of a bin is read, BLOCK_ELEMENTS at most at once
        per = max(1, BLOCK_ELEMENTS // taps)
        for start in range(0, len(nan_bins[0]), per):
            chunk = tuple(a[start : start + per] for a in nan_bins)
            idx[chunk] = _last_nan(planes, rows, cols, chunk)
    fix |= best == 0
    if fix.any():
        fixed = np.nonzero(fix)
        best[fixed] = planes.reshape(len(planes), -1)[fixed[0], idx[fixed]]


def _last_nan(
    planes: np.ndarray, rows: _Axis, cols: _Axis, bins: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Flat index of the last NaN (row-major) of each bin ``(plane, oh, ow)`` of ``bins``.

    PyTorch's scan replaces on every NaN (``v > best or isnan(v)``), so the last one wins.
    Every bin given holds a NaN.
    """
    p, o_h, o_w = bins
    width = planes.shape[2]
    r_coords, r_real = rows.taps(slice(None))  # (oH, kH)
    c_coords, c_real = cols.taps(slice(None))  # (oW, kW)
    count = len(p)
    flat = (r_coords[o_h][:, :, None] * width + c_coords[o_w][:, None, :]).reshape(count, -1)
    real = (r_real[o_h][:, :, None] & c_real[o_w][:, None, :]).reshape(count, -1)
    nan = np.isnan(planes.reshape(len(planes), -1)[p[:, None], flat]) & real
    last = flat.shape[1] - 1 - np.argmax(nan[:, ::-1], axis=1)
    found: np.ndarray = flat[np.arange(count), last]
    return found


def _plane_means(planes: np.ndarray) -> np.ndarray:
    """Mean of each plane, (P, 1, 1): the float64 sum rounded, divided once by ``H·W``.

    PyTorch's vectorised ``mean`` rounds its partial sums in the input dtype in an order that
    depends on the SIMD width; an accurate sum rounded once is the closest any simple formula
    gets (within an ulp or so of it).
    """
    total = planes.sum(axis=(1, 2), dtype=np.float64, keepdims=True).astype(planes.dtype)
    means: np.ndarray = total / planes.dtype.type(planes.shape[1] * planes.shape[2])
    return means


def _bin_means(planes: np.ndarray, rows: _Axis, cols: _Axis) -> np.ndarray:
    """Bin sums over sequential row-major taps, divided by bin height, then by bin width."""
    out = np.empty((len(planes), rows.out, cols.out), dtype=planes.dtype)
    kh, kw = rows.k, cols.k
    row_cost = kh * cols.out * kw + kh * planes.shape[2]
    dt = planes.dtype.type
    heights = (rows.stop - rows.start).astype(planes.dtype)[:, None]
    widths = (cols.stop - cols.start).astype(planes.dtype)[None, :]
    for block in _blocks(len(planes), rows.out, row_cost):
        taps, copied = _windows(planes, rows, cols, block, fill=0.0)
        if kh * kw <= 16 or out[block].size >= MIN_TAP_LOOP_OUTPUTS:
            # One slab per tap, (kH, kW, b, n, oW): rearranged into contiguous slabs if it is a
            # copy already; a view of the input is read in place.
            slabs = taps.transpose(1, 3, 0, 2, 4)
            if copied:
                slabs = np.ascontiguousarray(slabs)
            # Adding the +0.0 fill of a short bin's missing taps changes nothing: a sum that
            # starts at +0.0 is never -0.0, and x + 0.0 == x for every other x.
            acc = out[block]
            acc[...] = dt(0)
            for i in range(kh):
                for j in range(kw):
                    acc += slabs[i, j]
        else:
            # Few outputs with many taps: a cumulative sum is sequential too, and needs no
            # Python loop over the taps.  Adding +0.0 gives PyTorch's +0.0 for all-zero bins.
            out[block] = np.cumsum(_window_values(taps), axis=-1)[..., -1]
            out[block] += dt(0)
        acc = out[block]
        acc /= heights[block[1]]  # two divisions, as PyTorch's ``sum / kh / kw``
        acc /= widths
    return out


def adaptive_avg_pool2d_backward(grad_output: object, x: object, output_size: object) -> np.ndarray:
    """Gradient of :func:`adaptive_avg_pool2d` with respect to ``x``.

    Parameters
    ----------
    grad_output : array, shape of ``adaptive_avg_pool2d``'s output
    x : array, shape (H, W), (C, H, W) or (N, C, H, W); only its shape and dtype are used
    output_size : as in :func:`adaptive_avg_pool2d`

    Returns
    -------
    grad_input : array, shape of ``x``
        Every bin spreads ``grad_output / kh / kw`` over its elements; an element in several
        bins adds their shares in increasing ``(oh, ow)`` order.  For output ``(1, 1)`` each
        element gets ``grad_output / (H·W)``.

    Raises
    ------
    ParameterError
        If ``output_size`` is malformed, negative or empty (PyTorch's backward refuses an empty
        gradient), or ``grad_output`` has the wrong shape.
    """
    x4, ndim, rows, cols, gy = _backward_setup("adaptive_avg_pool2d", grad_output, x, output_size)
    if _empty_output(x4, rows, cols):
        return from_4d(np.zeros(x4.shape, dtype=gy.dtype), ndim)
    g_planes = gy.reshape((-1, rows.out, cols.out))
    with np.errstate(invalid="ignore", over="ignore"):
        if _is_global(rows, cols):
            # Autograd of mean: the gradient divided once by the element count, everywhere.
            share = g_planes / gy.dtype.type(rows.size * cols.size)
            grad = np.broadcast_to(share, (len(g_planes), rows.size, cols.size)).copy()
        else:
            heights = (rows.stop - rows.start).astype(gy.dtype)[:, None]
            widths = (cols.stop - cols.start).astype(gy.dtype)[None, :]
            # +0.0 turns -0.0 shares into +0.0: PyTorch's sums start at +0.0 and never give -0.0.
            share = g_planes / heights / widths + gy.dtype.type(0)
            # Shrinking (O <= I) puts an element in at most 2 bins per axis: gather those.
            # Growing puts it in about O/I bins per axis, while a bin has at most 2 elements:
            # then scatter each bin's share to its elements instead.
            if rows.m * cols.m <= 4:
                grad = np.empty((len(share), rows.size, cols.size), dtype=share.dtype)
                if rows.m <= 2 and cols.m <= 2:
                    # On the caller's thread alone, in runs of SPREAD_RUN_ELEMENTS (see there).
                    for run in _runs(len(share), rows.size * cols.size, SPREAD_RUN_ELEMENTS):
                        _spread_shares(share[run], rows, cols, out=grad[run])
                else:

                    def gather(run: slice) -> None:
                        _gather_shares(share[run], rows, cols, out=grad[run])

                    # A few runs of whole planes per thread (runs write apart): every run
                    # repeats the set-up, and 7 runs of 2^18 elements measured ~5% slower on
                    # one thread.
                    run_shared(gather, _thread_runs(len(share), rows.size * cols.size))
            else:
                grad = _scatter_shares(share, rows, cols)
    return from_4d(grad.reshape(x4.shape), ndim)


def _gather_shares(share: np.ndarray, rows: _Axis, cols: _Axis, out: np.ndarray) -> None:
    """Each input element's sum of its bins' ``share``, in (oh, ow) order, by gathering.

    PyTorch loops over the outputs and adds each bin's share to its elements; an element thus
    receives its bins in increasing (oh, ow) order, starting from +0.0.  Here every element
    *gathers* the shares of the bins covering it: no scatter with colliding targets.  Input
    rows covered by the same bins get the same gradient row, and likewise columns
    (:meth:`_Axis.classes`: 17 classes of 56 rows for 56 → 9), so the sums are taken once per
    (row class, column class) on a small table, which is then spread to the columns and,
    by whole rows, to the gradient:

    1. ``row_sums[p, oh, C]``: the shares of row-bin ``oh`` over column class ``C``'s bins, in
       order (missing bins of a shorter class read an appended +0.0 column);
    2. ``table[p, R, C]``: ``row_sums`` of row class ``R``'s first bin, then each later
       row-bin's shares over the class's column-bins, one after the other (a class without
       that many row-bins reads an appended +0.0 row);
    3. the table's columns spread to the input columns (repeated over each class's run of
       columns), its rows to the input rows.

    Adding +0.0 for a missing bin is exact: a share is never -0.0 (the caller adds +0.0), so
    neither is a sum of shares, and ``s + 0.0 == s``.

    Parameters
    ----------
    share : array, shape (P, out_H, out_W)
    out : array, shape (P, H, W), C-contiguous, written
    """
    r_first, r_count, r_class = rows.classes()
    c_first, c_count, c_class = cols.classes()
    if cols.m == 1 and rows.m == 1:  # a class per bin (equal tiling bins, say): no sums
        table = share
    else:
        # A +0.0 row and column after the shares: what a class's missing bins read.
        padded = np.zeros((len(share), rows.out + 1, cols.out + 1), dtype=share.dtype)
        padded[:, : rows.out, : cols.out] = share
        by_col = [  # (P, oH + 1, nC): each row-bin's share from the b-th bin of each column class
            np.take(padded, np.where(c_count > b, c_first + b, cols.out), axis=2, mode="clip")
            for b in range(cols.m)
        ]
        row_sums = by_col[0]
        for later in by_col[1:]:
            row_sums = row_sums + later
        table = np.take(row_sums, r_first, axis=1, mode="clip")  # (P, nR, nC)
        for a in range(1, rows.m):
            # Every row class adds its (a+1)-th row-bin, the +0.0 row if it has none: whole
            # tables, rather than picking the classes that have one (fancy indexing of the
            # table took more time than these sums, 1.2 of 2.9 ms on 512 planes of 56 → 9).
            later_rows = np.where(r_count > a, r_first + a, rows.out)
            for later in by_col:
                table += np.take(later, later_rows, axis=1, mode="clip")
    # Column classes are runs of consecutive columns: repeating each table column over its run
    # copies the same values as a take of c_class, without an index per element (CPU-time
    # minima on 512 planes, 15 alternating rounds: 56 → 7 0.44× (float32) and 0.58×
    # (float64) the time of the take, 56 → 9 0.85× and 0.70×).
    spread = np.repeat(table, np.bincount(c_class, minlength=len(c_first)), axis=2)  # (P, nR, W)
    np.take(spread, r_class, axis=1, out=out, mode="clip")  # whole rows


def _spread_shares(share: np.ndarray, rows: _Axis, cols: _Axis, out: np.ndarray) -> None:
    """:func:`_gather_shares` when an input coordinate lies in at most two bins per axis.

    Shrinking (``O <= I``) puts a coordinate in its first bin ``lo`` and, where neighbours
    overlap, also in ``lo + 1``.  So the gradient is built from whole repeated rows, with the
    few overlap columns and rows added to afterwards, in PyTorch's ``(oh, ow)`` order:

    1. ``g[p, oh, c]``: the share of ``(oh, lo(c))`` (each bin repeated over its columns),
       plus, in an overlap column, the share of ``(oh, lo(c) + 1)``: row-bin ``oh``'s shares
       over the column's bins, in order;
    2. the gradient's rows: ``g`` of each row's first row-bin (whole rows);
    3. an overlap row then adds its second row-bin's shares one column bin after the other:
       ``(oh + 1, lo(c))`` (the repeated row of step 1, before its overlap columns were added
       to), then ``(oh + 1, lo(c) + 1)`` in the overlap columns.

    An element of an overlap row and column thus gets ``((a + b) + c) + d`` over its four
    bins in ``(oh, ow)`` order, the others a prefix of that: the sums of
    :func:`_gather_shares`, without its small tables of row and column classes (on 512 planes
    of 56 → 9 those took about 0.4 of the backward's 1 ms of CPU time).

    Parameters
    ----------
    share : array, shape (P, out_H, out_W), never -0.0
    out : array, shape (P, H, W), C-contiguous, written
    """
    c_over = np.nonzero(cols.hi > cols.lo)[0]  # overlap columns, in two bins
    r_over = np.nonzero(rows.hi > rows.lo)[0]
    counts = np.bincount(cols.lo, minlength=cols.out)  # columns whose first bin is each bin
    g = np.repeat(share, counts, axis=2)  # (P, oH, W): the share of (oh, lo(c))
    second_rows = g[:, rows.hi[r_over], :] if len(r_over) else None  # before step 1's fix
    if len(c_over):
        g[:, :, c_over] += share[:, :, cols.hi[c_over]]
    np.take(g, rows.lo, axis=1, out=out, mode="clip")  # whole rows
    if second_rows is None:
        return
    band = out[:, r_over, :]  # the overlap rows, a copy
    band += second_rows
    if len(c_over):
        band[:, :, c_over] += share[:, rows.hi[r_over][:, None], cols.hi[c_over][None, :]]
    out[:, r_over, :] = band


def _scatter_shares(share: np.ndarray, rows: _Axis, cols: _Axis) -> np.ndarray:
    """Each input element's sum of its bins' ``share``, in (oh, ow) order, by scattering.

    ``np.add.at`` adds in the order of its index list, here (plane, oh, ow, i, j): PyTorch's.
    """
    height, width = rows.size, cols.size
    r_coords, r_real = rows.taps(slice(None))  # (oH, kH)
    c_coords, c_real = cols.taps(slice(None))  # (oW, kW)
    target = r_coords[:, None, :, None] * width + c_coords[None, :, None, :]  # (oH, oW, kH, kW)
    real = r_real[:, None, :, None] & c_real[None, :, None, :]
    grad = np.zeros(len(share) * height * width, dtype=share.dtype)
    per_row = cols.out * rows.k * cols.k
    for p, out_rows in _blocks(len(share), rows.out, per_row):
        sel = real[out_rows]
        planes = np.arange(p.start, p.stop)[:, None] * (height * width)
        flat = planes + target[out_rows][sel][None, :]  # (b, taps), C order
        values = np.broadcast_to(share[p, out_rows][..., None, None], (len(planes),) + sel.shape)
        np.add.at(grad, flat.ravel(), values[:, sel].ravel())
    return grad.reshape(len(share), height, width)


# ---- adaptive max pooling ------------------------------------------------------------------------
def adaptive_max_pool2d(
    x: object, output_size: object, return_indices: bool = False
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """2-D adaptive max pooling, as ``torch.nn.functional.adaptive_max_pool2d``.

    Parameters
    ----------
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
        Integers are computed in float64.
    output_size : int or pair of (int or None)
        As in :func:`adaptive_avg_pool2d`.
    return_indices : bool
        Also return the flat ``row * W + col`` index of each maximum in its plane.

    Returns
    -------
    y : array, shape (..., out_H, out_W), same rank as ``x``
        The first maximum in row-major bin order wins ties; a NaN propagates and the last NaN
        of the bin is the one reported.
    indices : int64 array, same shape as ``y`` (only with ``return_indices``)

    Raises
    ------
    ParameterError
        If ``output_size`` is malformed or negative.
    """
    if not isinstance(return_indices, (bool, np.bool_)):
        raise ParameterError(
            "return_indices must be True or False, got {value}", value=repr(return_indices)
        )
    x4, ndim = to_4d(x)
    rows, cols = _axes(x4, output_size)
    best, idx = _max_scan(x4, rows, cols)
    y = from_4d(best, ndim)
    return (y, from_4d(idx, ndim)) if return_indices else y


def _max_scan(x4: np.ndarray, rows: _Axis, cols: _Axis) -> tuple[np.ndarray, np.ndarray]:
    """Each bin's maximum and its flat index, PyTorch's tie and NaN rules.

    Returns
    -------
    best : array, shape (N, C, out_H, out_W), dtype of ``x4``
    idx : int64 array, same shape
    """
    kh, kw = rows.k, cols.k
    n_planes = x4.shape[0] * x4.shape[1]
    if (
        kh * kw > 36
        and not _empty_output(x4, rows, cols)
        and _tap_major(rows, cols, n_planes, x4.itemsize)
    ):
        return _tiled_max_tap_major(x4, rows, cols)
    if rows.tiles and cols.tiles and kh * kw <= 36 and not _empty_output(x4, rows, cols):
        # Equal, disjoint bins: max_pool2d with kernel = stride = the bin, whose tuned scan has
        # the same tie, NaN and index rules (and is faster for small bins).
        return max_pool2d(x4, (kh, kw), return_indices=True)
    shape4 = x4.shape[:2] + (rows.out, cols.out)
    best = np.empty(shape4, dtype=x4.dtype)
    idx = np.empty(shape4, dtype=np.int64)
    if _empty_output(x4, rows, cols):
        return best, idx
    planes = x4.reshape((-1,) + x4.shape[2:])
    best_p, idx_p = best.reshape((-1, rows.out, cols.out)), idx.reshape((-1, rows.out, cols.out))
    if _gathered(rows, cols):
        if len(planes) >= PLANES_LAST_MIN_PLANES:
            _max_planes_last(planes, rows, cols, best_p, idx_p)
        else:
            _max_by_rows(planes, rows, cols, best_p, idx_p)
        return best, idx
    row_cost = 2 * kh * cols.out * kw + kh * planes.shape[2]  # gathered + transposed copy
    has_nan = bool(np.isnan(planes.min())) if planes.size else False  # min() propagates NaN
    for block in _blocks(len(planes), rows.out, row_cost):
        taps = _windows(planes, rows, cols, block, fill=-np.inf)[0]
        if kh * kw <= MAX_SCAN_TAPS:
            tap = _scan_taps(taps, best_p[block], has_nan)
        else:
            flat = _window_values(taps)
            tap = _winning_taps(flat)
            best_p[block] = np.take_along_axis(flat, tap[..., None], axis=-1)[..., 0]
        idx_p[block] = _tap_index(tap, rows, cols, block[1], planes.shape[2])
    return best, idx


def _tiled_max_tap_major(x4: np.ndarray, rows: _Axis, cols: _Axis) -> tuple[np.ndarray, np.ndarray]:
    """Maxima and flat indices of equal tiling bins, from a tap-major copy per block of planes.

    As :func:`_tiled_sums_tap_major`, a block is copied once to ``(kH·kW, b·out_H·out_W)``;
    then, with contiguous passes only: the bin maximum ``m`` (``np.maximum.reduce`` over the
    taps, NaN propagating), the taps equal to it, and the *first* of them as the largest of
    ``weight[t] = kH·kW − t`` over the equal taps (a max-reduction over small integers instead
    of an argmax along a strided axis).  That is PyTorch's strict ``>`` scan: the first of
    equal maxima (also of -0.0 and +0.0) keeps the bin.  Blocks run on ``engine.pooling``'s
    threads and keep only each bin's maximum and the mark of its first maximum; the indices,
    the last NaN of a NaN bin (PyTorch's ``or isnan`` replaces on every NaN) and the sign of a
    zero maximum (the winner's own, so a -0.0 winner stays -0.0) follow for all bins at once
    (:func:`_settle_winners`).

    Returns
    -------
    best : array, shape (N, C, out_H, out_W), dtype of ``x4``
    idx : int64 array, same shape; ``row * W + col`` in the input plane
    """
    n, c, height, width = x4.shape
    oh, ow = rows.out, cols.out
    planes = x4.reshape(n * c, height, width)
    best = np.empty((n * c, oh, ow), dtype=x4.dtype)
    idx = np.empty((n * c, oh, ow), dtype=np.int64)
    copy = _TapMajorCopy(planes, rows, cols)
    weight = _tap_weights(rows.k * cols.k)
    first = np.empty(best.shape, dtype=weight.dtype)
    n_bins = oh * ow

    def make_buffers() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        scratch = copy.scratch()
        return (
            scratch,
            np.empty(len(scratch), dtype=bool),
            np.empty(n_bins * copy.per, dtype=planes.dtype),
            np.empty(n_bins * copy.per, dtype=weight.dtype),
        )

    buffers = _per_thread(make_buffers)

    def scan(block: Block) -> None:
        scratch, equal, m, marks = buffers()
        p = block[0]
        flat = copy.taps(p, scratch)  # (groups, taps, bins of a group)
        b = p.stop - p.start
        _first_max_marks(flat, weight, equal, m[: n_bins * b], marks[: n_bins * b])
        best[p] = copy.by_planes(m[: n_bins * b], b)
        first[p] = copy.by_planes(marks[: n_bins * b], b)

    run_shared(scan, copy.blocks())
    _settle_winners(planes, rows, cols, best, first, idx)
    shape4 = (n, c, oh, ow)
    return best.reshape(shape4), idx.reshape(shape4)


def _max_by_rows(
    planes: np.ndarray, rows: _Axis, cols: _Axis, best: np.ndarray, idx: np.ndarray
) -> None:
    """Each bin's maximum and flat index, found row by row (PyTorch's tie and NaN rules).

    1. Every input row's maximum over each column bin, ``m_row`` (P, H, out_W): a block of
       planes transposed to (b, W, H) once, then one gather of whole rows and one
       ``np.maximum`` per column tap.
    2. The bin maximum ``m`` over its rows' ``m_row`` (``np.maximum`` propagates NaN).
    3. Its row: the first of the bin's rows whose ``m_row`` equals ``m`` (the last whose
       ``m_row`` is NaN, for a NaN bin); its column: the first element of that row's segment
       equal to ``m`` (the last NaN).  That is the first maximum in row-major order, as
       PyTorch's strict ``>`` scan keeps it (-0.0 and +0.0 are equal there too), and the last
       NaN, as its ``or isnan`` replaces on every NaN.  The value is read at that index.

    Taps beyond a shorter bin re-read its last row or column, which changes no maximum.
    Writes ``best`` and ``idx`` (P, out_H, out_W).
    """
    _, height, width = planes.shape
    c_coords = cols.taps(slice(None))[0]  # (out_W, kW)
    r_coords, r_real = rows.taps(slice(None))  # (out_H, kH)
    kh, kw = rows.k, cols.k
    taps = np.arange(kw)
    widths = (cols.stop - cols.start)[None, None, :, None]
    offsets = np.minimum(taps, widths - 1)  # (1, 1, out_W, kW), clipped into the bin
    real_cols = taps < widths

    def scan(piece: Block) -> None:
        p = piece[0]
        block = planes[p]
        xt = np.ascontiguousarray(block.transpose(0, 2, 1))  # (b, W, H)
        seg = np.take(xt, c_coords[:, 0], axis=1)  # (b, out_W, H)
        for j in range(1, kw):
            np.maximum(seg, np.take(xt, c_coords[:, j], axis=1), out=seg)
        m_row = np.ascontiguousarray(seg.transpose(0, 2, 1))  # (b, H, out_W)
        m = np.take(m_row, r_coords[:, 0], axis=1)  # (b, out_H, out_W)
        for i in range(1, kh):
            np.maximum(m, np.take(m_row, r_coords[:, i], axis=1), out=m)
        row = np.zeros(m.shape, dtype=np.int64)
        for i in range(kh - 1, -1, -1):  # backwards: the first equal row is written last
            equal = np.take(m_row, r_coords[:, i], axis=1) == m
            equal &= r_real[None, :, i, None]
            np.copyto(row, i, where=equal)
        nan = np.isnan(m)
        has_nan = bool(nan.any())
        if has_nan:
            for i in range(kh):  # forwards: the last NaN row is written last
                found = np.isnan(np.take(m_row, r_coords[:, i], axis=1)) & nan
                found &= r_real[None, :, i, None]
                np.copyto(row, i, where=found)
        r_abs = rows.start[None, :, None] + row
        first = (np.arange(len(block))[:, None, None] * height + r_abs) * width
        first += cols.start[None, None, :]
        segment = np.take(block.reshape(-1), first[..., None] + offsets)  # (b, oH, oW, kW)
        col = np.argmax(segment == m[..., None], axis=-1)
        if has_nan:
            found = np.isnan(segment[nan]) & np.broadcast_to(real_cols, segment.shape)[nan]
            col[nan] = kw - 1 - np.argmax(found[:, ::-1], axis=-1)
        best[p] = np.take_along_axis(segment, col[..., None], axis=-1)[..., 0]
        idx[p] = r_abs * width + cols.start[None, None, :] + col

    run_shared(scan, _plane_blocks(len(planes), height * width))


def _scan_taps(taps: np.ndarray, best: np.ndarray, has_nan: bool) -> np.ndarray:
    """PyTorch's scan, tap by tap: ``v > best or isnan(v)`` takes the bin (max pooling's rule).

    For bins of a few taps (a growing axis), where ``np.argmax`` over a short last axis costs
    more than a handful of whole-block passes.  Writes the maxima into ``best`` (b, n, oW) and
    returns the winning tap numbers ``i * kW + j``.  Tap 0 is real in every bin and starts as
    the winner, as PyTorch's index starts at the bin's first element.
    """
    _, kh, _, kw, _ = taps.shape
    best[...] = -np.inf
    won = np.zeros(best.shape, dtype=np.uint8)  # tap numbers < MAX_SCAN_TAPS
    for i in range(kh):
        for j in range(kw):
            v = taps[:, i, :, j, :]
            take = v > best  # strict: the first of equal maxima keeps the bin
            if has_nan:
                take |= np.isnan(v)  # every NaN replaces, so the last NaN wins
            np.copyto(best, v, where=take)
            np.copyto(won, i * kw + j, where=take)
    return won


def _winning_taps(flat: np.ndarray) -> np.ndarray:
    """Winning tap of each bin, ``flat`` (..., taps) in row-major tap order.

    ``np.argmax`` returns the first maximum, PyTorch's strict ``>`` scan keeps the first too
    (also between -0.0 and +0.0, which compare equal).  For a NaN, ``argmax`` stops at the
    first one; PyTorch's ``v > best or isnan(v)`` replaces on every NaN, so the *last* wins.
    The -inf fill of missing taps never wins: ``argmax`` of an all -inf bin is tap 0, real.
    """
    tap: np.ndarray = np.argmax(flat, axis=-1)
    won = np.take_along_axis(flat, tap[..., None], axis=-1)[..., 0]
    nan = np.isnan(won)
    if nan.any():
        last = flat.shape[-1] - 1 - np.argmax(np.isnan(flat[nan][:, ::-1]), axis=-1)
        tap[nan] = last
    return tap


def _tap_index(
    tap: np.ndarray, rows: _Axis, cols: _Axis, out_rows: slice, width: int
) -> np.ndarray:
    """Flat ``row * W + col`` of tap number ``i * kW + j`` of each bin of ``out_rows``."""
    i, j = np.divmod(tap, cols.k)
    flat: np.ndarray = (rows.start[out_rows, None] + i) * width + (cols.start[None, :] + j)
    return flat


def adaptive_max_pool2d_backward(
    grad_output: object,
    x: object,
    output_size: object,
    ties: TiePolicy = "first",
    *,
    indices: object = None,
) -> np.ndarray:
    """Gradient of :func:`adaptive_max_pool2d` with respect to ``x``.

    Parameters
    ----------
    grad_output : array, shape of ``adaptive_max_pool2d``'s output
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
    output_size : as in :func:`adaptive_max_pool2d`
    ties : {'first', 'all', 'split'}
        Who receives a bin's gradient: its first maximum (PyTorch), every tied maximum in full,
        or all tied maxima in equal shares.  A NaN bin sends its gradient to the last NaN.
    indices : int array, shape of the output, optional (keyword only)
        The indices ``adaptive_max_pool2d(..., return_indices=True)`` returned for this ``x``;
        given, they are used instead of scanning the bins again (as PyTorch's backward does).

    Returns
    -------
    grad_input : array, shape of ``x``
        Bins that pick the same element add up, in ``(oh, ow)`` order.

    Raises
    ------
    ParameterError
        If ``output_size`` (also an empty one, as in PyTorch), ``ties``, ``grad_output`` or
        ``indices`` is invalid.
    """
    validate_ties(ties)
    x4, ndim, rows, cols, gy = _backward_setup("adaptive_max_pool2d", grad_output, x, output_size)
    if _empty_output(x4, rows, cols):
        return from_4d(np.zeros(x4.shape, dtype=gy.dtype), ndim)
    idx = (
        _max_scan(x4, rows, cols)[1]
        if indices is None
        else _check_indices(indices, x4, ndim, x4.shape[:2] + (rows.out, cols.out))
    )
    with np.errstate(invalid="ignore", over="ignore"):
        if ties == "first":
            grad = _scatter_first(gy, idx, x4.shape)
        else:
            grad = _scatter_ties(gy, x4, idx, rows, cols, split=ties == "split")
    return from_4d(grad, ndim)


def _check_indices(
    indices: object, x4: np.ndarray, ndim: int, shape4: tuple[int, ...]
) -> np.ndarray:
    """Validate the forward's ``indices`` and return them as int64 (N, C, out_H, out_W)."""
    idx = integer_indices(indices, shape4[4 - ndim :], "adaptive_max_pool2d")
    idx = idx.reshape(shape4).astype(np.int64, copy=False)
    h, w = x4.shape[2:]
    if idx.size and (idx.min() < 0 or idx.max() >= h * w):
        raise ParameterError(
            "indices must lie in 0..{last} (flat row * W + col positions in one {h}x{w} "
            "plane); got values from {low} to {high}",
            last=h * w - 1,
            h=h,
            w=w,
            low=idx.min(),
            high=idx.max(),
        )
    return idx


def _scatter_first(gy: np.ndarray, idx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``grad.flat[idx] += grad_output`` plane by plane, in (oh, ow) order like PyTorch.

    The ordered ``np.add.at`` adds every bin's gradient onto zeros (a -0.0 gradient lands as
    +0.0, as in PyTorch), also where bins share their winner (neighbouring bins that overlap,
    or any indices the caller gave: a plain assignment would keep one of them).  NumPy 2's
    ``np.add.at`` of one value per bin costs about a plain assignment.  It holds the GIL, but
    zeroing the gradient, a pass over the whole of it, does not: runs of whole planes zero
    their part on the pooling threads when there are enough bins.
    """
    n_planes = shape[0] * shape[1]
    plane = shape[2] * shape[3]
    g_planes = gy.reshape(n_planes, -1)
    i_planes = idx.reshape(n_planes, -1)
    # The threshold counts bins, not input elements (engine_bench's 7x7 bins: 25k; with input
    # elements, 2 threads took 6% longer).
    runs = _thread_runs(n_planes, i_planes.shape[1])
    # One run: np.zeros, which may get memory known to be zero; several: each zeroes its part.
    several = len(runs) > 1
    if several:
        grad = np.empty((n_planes, plane), dtype=gy.dtype)
    else:
        grad = np.zeros((n_planes, plane), dtype=gy.dtype)

    def scatter(run: slice) -> None:
        target = grad[run].reshape(-1)  # the run's planes, one after the other
        if several:
            target[...] = 0
        flat = i_planes[run] + (np.arange(run.stop - run.start) * plane)[:, None]
        np.add.at(target, flat.ravel(), g_planes[run].ravel())

    run_shared(scatter, runs)
    return grad.reshape(shape)


def _thread_runs(n_planes: int, per_plane: int) -> list[slice]:
    """Runs of whole planes for :func:`~engine.parallel.run_shared`: :data:`RUNS_PER_THREAD`
    per thread when there are several threads and enough work
    (:data:`~engine.pooling.MIN_PARALLEL_WINDOWS` elements), else one."""
    total = n_planes * per_plane
    several = pooling.THREADS > 1 and total >= pooling.MIN_PARALLEL_WINDOWS
    runs = pooling.THREADS * RUNS_PER_THREAD if several else 1
    return plane_blocks(n_planes, per_plane, max(1, -(-total // runs)))


def _runs(n_planes: int, per_plane: int, elements: int) -> list[slice]:
    """Consecutive runs of whole planes of about ``elements`` elements each (at least one
    plane), in order."""
    per = max(1, elements // max(1, per_plane))
    return [slice(p, min(n_planes, p + per)) for p in range(0, n_planes, per)]


def _scatter_ties(
    gy: np.ndarray, x4: np.ndarray, idx: np.ndarray, rows: _Axis, cols: _Axis, split: bool
) -> np.ndarray:
    """Backward under ``ties='all'`` (``split=False``) or ``'split'``: every tied max receives.

    A bin's winners are its real taps equal to its maximum; a NaN bin has one winner, the tap
    at its index.  Contributions are added in (oh, ow, i, j) order.
    """
    planes = x4.reshape((-1,) + x4.shape[2:])
    width = planes.shape[2]
    g_planes = gy.reshape((-1, rows.out, cols.out))
    i_planes = idx.reshape((-1, rows.out, cols.out))
    kh, kw = rows.k, cols.k
    grad = np.zeros(planes.size, dtype=gy.dtype)
    row_cost = 3 * kh * cols.out * kw + kh * width
    for block in _blocks(len(planes), rows.out, row_cost):
        p, out_rows = block
        flat = _window_values(_windows(planes, rows, cols, block, fill=-np.inf)[0])
        at = i_planes[block].reshape(len(flat), -1)
        best = np.take_along_axis(planes[p].reshape(len(flat), -1), at, axis=1)
        best = best.reshape(g_planes[block].shape)
        r_real = rows.taps(out_rows)[1]  # (n, kH)
        c_real = cols.taps(slice(None))[1]  # (oW, kW)
        real = (r_real[:, None, :, None] & c_real[None, :, None, :]).reshape(
            r_real.shape[0], c_real.shape[0], kh * kw
        )
        winners = (flat == best[..., None]) & real
        nan = np.isnan(best)
        if nan.any():
            tap_at_idx = _index_tap(i_planes[block], rows, cols, out_rows, width)
            winners[nan] = np.arange(kh * kw)[None, :] == tap_at_idx[nan][:, None]
        counts = winners.sum(axis=-1)
        share = g_planes[block] / counts if split else g_planes[block]
        b, n, ow, t = np.nonzero(winners)  # C order: (plane, oh, ow, tap)
        i, j = np.divmod(t, kw)
        target = (
            (p.start + b) * planes[0].size
            + (rows.start[out_rows][n] + i) * width
            + cols.start[ow]
            + j
        )
        np.add.at(grad, target, share[b, n, ow])
    return grad.reshape(x4.shape)


def _index_tap(
    idx: np.ndarray, rows: _Axis, cols: _Axis, out_rows: slice, width: int
) -> np.ndarray:
    """Tap number ``i * kW + j`` of each bin's index (the inverse of :func:`_tap_index`)."""
    r, c = np.divmod(idx, width)
    i = r - rows.start[out_rows, None]
    j = c - cols.start[None, :]
    tap: np.ndarray = i * cols.k + j
    return tap

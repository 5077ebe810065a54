"""Max and average pooling, forward and backward, with PyTorch 2.13's semantics.

Each backward rule sits right below its forward rule.  The vectorised code loops over the
kernel taps (a handful).  For each tap, :meth:`WindowGeometry.real_tap_regions` names the
windows whose tap lands on real input and the strided input rectangle they read, so every
window is served at once without a padded copy of the input and without the full
``(out_h, out_w, k_h, k_w)`` window tensor.  Padding needs no work: max pooling never picks
it, and a sum that adds 0 is unchanged.

Three things keep NumPy's loops fast, and none changes a single bit of the results:

* Planes are processed in blocks of about :data:`BLOCK_OUTPUTS` windows and at most
  :data:`BLOCK_BYTES` of results (a large plane in bands of output rows), so a block's running
  results stay in the CPU cache while every tap passes over them.
* When strided windows overlap, each block is first split into its stride phases
  (:class:`_StridePhases`), so that no tap reads the input with gaps.
* Max pooling takes the running max with ``np.maximum`` when that is exact (no NaN, no −0.0:
  :func:`_maximum_is_exact`), records only the winning tap's number, and turns it into the
  flat index once at the end.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from engine import canvas
from engine.arrays import check_grad_output, from_4d, integer_indices, to_4d
from engine.errors import ParameterError
from engine.geometry import TapRegion, WindowGeometry, check_int64, pool_geometry

if TYPE_CHECKING:  # imported when a pool is made: ~5 ms of every launch, most never need one
    from concurrent.futures import Future, ThreadPoolExecutor

TiePolicy = Literal["first", "all", "split"]
TIE_POLICIES: tuple[str, ...] = ("first", "all", "split")

#: Output windows per block, at most.  A block's running max/sum and scratch stay in the CPU
#: caches while the kH·kW taps pass over them, instead of going back to main memory every time.
BLOCK_OUTPUTS = 1 << 17

#: Bytes of one block's running results, at most (:data:`BLOCK_OUTPUTS` or fewer windows of
#: the data's type): what fits the per-core L2 cache (2 MB here) with the block's input and
#: scratch.  Measured on 2026-12-01, one thread, CPU time: with 2^18 windows (2 MB of float64
#: per array) a float64 3x3 average ran at 1.05-1.1x PyTorch, with 2^16 (512 KB) at 0.5-0.55x;
#: float32 was best at 2^17 (512 KB) too.
BLOCK_BYTES = 1 << 19

Block = tuple[slice, slice]  # (planes, output rows)

#: Threads the block loops run on (see :func:`_run_blocks`); 1 runs everything in the caller.
#: NumPy releases the GIL inside its loops, so blocks proceed in parallel, and every output
#: element is still computed by one thread in the same order: the results are the same bits
#: whatever the number.
THREADS = max(1, min(4, os.cpu_count() or 1))

#: Below this many windows in all, the work stays in one thread (a hand-off costs ~0.1 ms).
MIN_PARALLEL_WINDOWS = 1 << 16

#: Bytes between the writes that fault in a scatter block's zero pages (see
#: :func:`_scatter_indices`): a quarter of a 4 KB page, so that a block of 512 KB or more
#: takes more than NumPy's 500 items and the write releases the GIL.
TOUCH_STEP = 1024

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_worker = threading.local()


# ---- shared helpers ---------------------------------------------------------------------------
def _as_planes(a4: np.ndarray) -> np.ndarray:
    """(N, C, H, W) -> (N·C, H, W): pooling treats every (n, c) plane alike."""
    return a4.reshape((-1,) + a4.shape[2:])


def _blocks(n_planes: int, g: WindowGeometry, itemsize: int = 4) -> list[Block]:
    """Cut the outputs into blocks of about :data:`BLOCK_OUTPUTS` windows, in (plane, oh) order,
    and of at most :data:`BLOCK_BYTES` of results of ``itemsize`` bytes.

    Small planes are grouped; a large plane is cut into bands of whole output rows.  The order
    matters to the backward passes: an input element must receive its windows' contributions
    in increasing (oh, ow) order, and bands go down the plane.
    """
    out_h, out_w = g.out_size
    block_outputs = max(1, min(BLOCK_OUTPUTS, BLOCK_BYTES // itemsize))
    if g.n_windows < block_outputs:
        # Even blocks, as many as a multiple of the threads once there is enough work (a block
        # for every thread, at least): 13 blocks of 41 planes on 2 threads left one of them
        # 7/13 of the work.
        per_block = block_outputs // g.n_windows
        runs = plane_blocks(n_planes, g.n_windows, per_block * g.n_windows)
        return [(run, slice(0, out_h)) for run in runs]
    rows = max(1, block_outputs // out_w)
    return [
        (slice(p, p + 1), slice(r, min(out_h, r + rows)))
        for p in range(n_planes)
        for r in range(0, out_h, rows)
    ]


def _executor() -> ThreadPoolExecutor:
    global _pool
    from concurrent.futures import ThreadPoolExecutor

    with _pool_lock:
        if _pool is None or getattr(_pool, "_max_workers", 0) < THREADS - 1:
            _pool = ThreadPoolExecutor(max_workers=max(1, THREADS - 1), thread_name_prefix="pool")
        return _pool


def _run_blocks(
    work: Callable[[list[Block], int], None], blocks: list[Block], parallel: bool = True
) -> None:
    """``work(group, worker)`` over ``blocks`` split into consecutive groups, one per thread.

    ``worker`` numbers the group (for per-thread scratch).  The caller runs the first group
    itself; with ``parallel=False``, one thread, or a call from inside a worker, everything
    runs in the caller.  Blocks must write disjoint outputs when run in parallel.  The
    caller's NumPy error state applies in every thread, and an exception is raised once all
    groups have finished: the one of the earliest group, so the same error whatever the timing.
    """
    n = min(THREADS, len(blocks)) if parallel else 1
    if n <= 1 or getattr(_worker, "active", False):
        work(blocks, 0)
        return
    groups = [blocks[k * len(blocks) // n : (k + 1) * len(blocks) // n] for k in range(n)]
    errors = np.geterr()

    def run(k: int) -> None:
        _worker.active = True
        try:
            with np.errstate(**errors):
                work(groups[k], k)
        finally:
            _worker.active = False

    pool = _executor()
    futures: list[Future[None]] = [pool.submit(run, k) for k in range(1, n)]
    first: BaseException | None = None
    try:
        run(0)
    except BaseException as exc:  # re-raised below, after the other groups have stopped
        first = exc
    for future in futures:
        error = future.exception()
        if first is None and error is not None:
            first = error
    if first is not None:
        raise first


def plane_blocks(n_planes: int, per_plane: int, block_elements: int) -> list[slice]:
    """Runs of whole planes of about ``block_elements`` elements each, for :func:`run_planes`.

    With several threads and at least :data:`MIN_PARALLEL_WINDOWS` elements in all, the
    number of runs is a multiple of :data:`THREADS` (and at least that), so that every thread
    gets as many planes: 5 runs on 2 threads would leave one of them 3/5 of the work.
    """
    per_block = max(1, block_elements // max(1, per_plane))
    count = -(-n_planes // per_block)
    if THREADS > 1 and n_planes * per_plane >= MIN_PARALLEL_WINDOWS:
        count = min(n_planes, -(-count // THREADS) * THREADS)
    bounds = [k * n_planes // count for k in range(count + 1)] if count else []
    return [slice(a, b) for a, b in itertools.pairwise(bounds) if a < b]


def run_planes(work: Callable[[slice, int], None], runs: list[slice]) -> None:
    """``work(planes, worker)`` for every run of :func:`plane_blocks`, on the pooling threads.

    Runs of whole planes write apart, so they may run at once (:func:`_run_blocks`: the
    caller's error state applies in every thread, the earliest group's error is raised).
    ``worker`` numbers the thread (below ``min(THREADS, len(runs))``), for per-thread scratch.
    """

    def group_work(group: list[Block], worker: int) -> None:
        for planes, _ in group:
            work(planes, worker)

    _run_blocks(group_work, [(run, slice(None)) for run in runs])


def _regions(g: WindowGeometry, block: Block, reverse: bool = False) -> list[TapRegion]:
    """The real-tap regions of ``g`` restricted to the output rows of ``block``."""
    rows = block[1]
    return g.real_tap_regions(reverse=reverse, out_rows=(rows.start, rows.stop))


def _use_phases(g: WindowGeometry) -> bool:
    """Whether to work in stride phases (see :class:`_StridePhases`).

    Only when the stride leaves gaps and windows overlap: then every element is read several
    times, and one copy into phases costs less than reading with gaps again and again.
    """
    return g.stride != (1, 1) and _windows_overlap(g)


class _StridePhases:
    """Where the taps of one block lie in the stride phases of its input ("space to depth").

    Phase ``(a, b)`` holds input rows ``top + a, top + a + sH, ...`` and columns
    ``b, b + sW, ...``.  A tap steps through the input by the stride, so what it reads lies in
    a single phase, and there it is a rectangle without gaps.  NumPy's loops over gap-free rows
    are several times faster than over strided ones.
    """

    def __init__(self, g: WindowGeometry, regions: list[TapRegion]) -> None:
        self.sh, self.sw = g.stride
        # Start on a multiple of the stride, so that phase a holds the rows ≡ a (mod sH).
        self.top = min(r.in_rows.start for r in regions) // self.sh * self.sh
        self.bottom = max(r.in_rows.stop for r in regions)

    def source(self, a: int, b: int) -> tuple[slice, slice]:
        """The input rows and columns that make up phase ``(a, b)``."""
        return slice(self.top + a, self.bottom, self.sh), slice(b, None, self.sw)

    def locate(self, r: TapRegion) -> tuple[tuple[int, int], slice, slice]:
        """The phase of what region ``r`` reads, and its rows and columns inside that phase."""
        a, rows = _phase_slice(r.in_rows, self.sh, self.top)
        b, cols = _phase_slice(r.in_cols, self.sw, 0)
        return (a, b), rows, cols


def _phase_slice(coords: slice, step: int, origin: int) -> tuple[int, slice]:
    """Phase of the run ``coords`` (stride ``step``) and its place there; phase 0 starts at
    ``origin``."""
    first = (coords.start - origin) // step
    count = len(range(coords.start, coords.stop, coords.step))
    return (coords.start - origin) % step, slice(first, first + count)


def _tap_reads(x: np.ndarray, g: WindowGeometry, regions: list[TapRegion]) -> list[np.ndarray]:
    """What each region's tap reads from the planes ``x`` (B, H, W).

    With :func:`_use_phases`, each stride phase some tap reads is copied once, and every
    read is a gap-free view of its phase (:class:`_StridePhases`).
    """
    if not (_use_phases(g) and regions):
        return [x[:, r.in_rows, r.in_cols] for r in regions]
    layout = _StridePhases(g, regions)
    phases: dict[tuple[int, int], np.ndarray] = {}
    reads = []
    for r in regions:
        key, rows, cols = layout.locate(r)
        if key not in phases:
            src_rows, src_cols = layout.source(*key)
            phases[key] = np.ascontiguousarray(x[:, src_rows, src_cols])
        reads.append(phases[key][:, rows, cols])
    return reads


def _use_canvas(g: WindowGeometry) -> bool:
    """Whether the block loops work on a :class:`~engine.canvas.Canvas`: when windows overlap
    (each element is read several times; without overlap the plain strided reads touch
    every element once, and the canvas copy would only add a pass)."""
    return _windows_overlap(g) and canvas.worth_it(g)


def _every_window_reads(g: WindowGeometry) -> bool:
    """Whether every window has a real tap (False only in the case of PyTorch #114216)."""
    return all(bool((g.first_real_tap(a) < g.in_size[a]).all()) for a in (0, 1))


def _output_shape(
    x4: np.ndarray, ndim: int, g: WindowGeometry
) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The output's shape as (N, C, out_H, out_W) and in the caller's rank."""
    shape4 = x4.shape[:2] + g.out_size
    return shape4, shape4[4 - ndim :]


def _check_grad_output(
    grad_output: object, x4: np.ndarray, ndim: int, g: WindowGeometry
) -> np.ndarray:
    return check_grad_output(grad_output, _output_shape(x4, ndim, g)[0], ndim, x4.dtype)


def validate_ties(ties: object) -> None:
    """Raise :class:`~engine.errors.ParameterError` unless ``ties`` is in :data:`TIE_POLICIES`."""
    if ties not in TIE_POLICIES:
        raise ParameterError(
            "ties ({ties}) must be one of 'first', 'all' or 'split'", ties=repr(ties)
        )


# ---- max pooling ------------------------------------------------------------------------------
# With ``return_indices=True`` the result is ``(y, indices)``; the overloads tell type checkers.
@overload
def max_pool2d(
    x: object, kernel_size: object, stride: object = ..., padding: object = ...,
    dilation: object = ..., ceil_mode: bool = ..., return_indices: Literal[False] = ...,
) -> np.ndarray: ...  # fmt: skip
@overload
def max_pool2d(
    x: object, kernel_size: object, stride: object, padding: object, dilation: object,
    ceil_mode: bool, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...  # fmt: skip
@overload
def max_pool2d(
    x: object, kernel_size: object, stride: object = ..., padding: object = ...,
    dilation: object = ..., ceil_mode: bool = ..., *, return_indices: Literal[True],
) -> tuple[np.ndarray, np.ndarray]: ...  # fmt: skip
@overload
def max_pool2d(
    x: object, kernel_size: object, stride: object = ..., padding: object = ...,
    dilation: object = ..., ceil_mode: bool = ..., return_indices: bool = ...,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]: ...  # fmt: skip
def max_pool2d(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """2-D max pooling, as ``torch.nn.functional.max_pool2d``.

    Parameters
    ----------
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
        Integers are computed in float64.
    kernel_size, stride, padding, dilation : int or (h, w) pair
        ``stride=None`` means ``kernel_size``.  Padding is implicit −∞: it never wins.
    ceil_mode : bool
        Round the output size up; a last window may not start in the right padding.
    return_indices : bool
        Also return the flat ``row * W + col`` index of each maximum in its un-padded plane.

    Returns
    -------
    y : array, shape (..., out_H, out_W), same rank as ``x``
    indices : int64 array, same shape as ``y`` (only with ``return_indices``)
        The first maximum in row-major window order wins ties; a NaN propagates and the last
        NaN's index is returned.
    """
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    best, idx = _max_scan(x4, g)
    y = from_4d(best, ndim)
    return (y, from_4d(idx, ndim)) if return_indices else y


def _max_scan(x4: np.ndarray, g: WindowGeometry) -> tuple[np.ndarray, np.ndarray]:
    """Running max over the taps: PyTorch's scan order, tie rule and NaN rule (PyTorch 2.13
    semantics, max_pool2d: ties go to the first maximum in row-major window order, a NaN wins
    and its index is the last NaN in scan order).

    Returns
    -------
    best : array, shape (N, C, out_H, out_W), dtype of ``x4``
    idx : int64 array, same shape: flat ``row * W + col`` of each window's winner
    """
    planes = _as_planes(x4)
    idx = np.empty((len(planes),) + g.out_size, dtype=np.int64)
    # The int64 plane index is worked out once per block, right after its scan.
    best, _ = _scan_taps(planes, g, idx)
    out_shape = x4.shape[:2] + g.out_size
    return best.reshape(out_shape), idx.reshape(out_shape)


def _scan_taps(
    planes: np.ndarray, g: WindowGeometry, idx: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The scan of :func:`_max_scan` on planes (P, H, W), keeping the winning *tap numbers*.

    The scan only records which tap won (tap ``(i, j)`` is number ``i * kW + j``; one byte for
    kernels up to 16x16), not the int64 index: a quarter to an eighth of the memory, and what
    the argmax mask and the tie policies want anyway.  Given ``idx`` (P, out_H, out_W), each
    block's indices are written there right after its scan, while the block is in the cache.

    Returns
    -------
    best : array, shape (P, out_H, out_W), dtype of ``planes``
    tap : unsigned int array, same shape
    """
    shape = (len(planes),) + g.out_size
    best = np.empty(shape, dtype=planes.dtype)
    tap = np.empty(shape, dtype=_tap_dtype(g))
    exact = not _maximum_is_exact(planes)

    def scan(blocks: list[Block], worker: int) -> None:
        for block in blocks:
            _scan_block(planes, g, block, best, tap, exact)
            if idx is not None:
                _tap_to_index(tap[block], g, block[1], out=idx[block])

    # each block writes its own outputs
    _run_blocks(scan, _blocks(len(planes), g, planes.itemsize))
    return best, tap


def _tap_dtype(g: WindowGeometry) -> np.dtype:
    """The smallest unsigned type that numbers every tap of the kernel."""
    return np.min_scalar_type(g.kernel[0] * g.kernel[1] - 1)


def _maximum_is_exact(x: np.ndarray) -> bool:
    """Whether ``np.maximum`` gives exactly the values of PyTorch's strict ``>`` scan on ``x``.

    It does when equal values have equal bits and nothing is unordered, so not with NaN (it
    must replace the running max, and :func:`_scan_block` must see it to move the index) nor
    with −0.0 (``np.maximum(-0.0, 0.0)`` may return either zero; the scan keeps the first).
    Only float32 and float64 are checked; other types always take the exact path.
    """
    if x.dtype not in (np.float32, np.float64):
        return False
    if x.size == 0:
        return True
    if np.isnan(x.min()):  # min() propagates NaN
        return False
    # −0.0 is the bit pattern 100…0, which read as a signed integer is the smallest one there
    # is; no other float maps to it.  One reduction, no temporary array.
    int_type = np.int32 if x.dtype == np.float32 else np.int64
    return bool(x.view(int_type).min() != np.iinfo(int_type).min)


def _scan_block(
    planes: np.ndarray,
    g: WindowGeometry,
    block: Block,
    best: np.ndarray,
    tap: np.ndarray,
    exact: bool,
) -> None:
    """Fill ``best[block]`` with each window's max and ``tap[block]`` with its tap number.

    Parameters
    ----------
    planes : array, shape (P, H, W)
    best : array, shape (P, out_H, out_W), written
    tap : unsigned int array, shape (P, out_H, out_W), written: tap ``(i, j)`` is number
        ``i * kW + j``
    exact : bool
        Use the select that is exact for any input (see :func:`_maximum_is_exact`).
    """
    if _use_canvas(g):
        _scan_canvas(planes, g, block, best, tap, exact)
        return
    p, rows = block
    run, won = best[p], tap[p]
    run[:, rows] = -np.inf
    # PyTorch sets the index to the window's first tap before scanning (degenerate windows).
    won[:, rows] = _first_tap_numbers(g, rows, won.dtype)
    kw = g.kernel[1]
    regions = _regions(g, block)
    for r, read in zip(regions, _tap_reads(planes[p], g, regions), strict=True):
        run_r = run[:, r.out_rows, r.out_cols]
        take = read > run_r  # strict: the first of equal maxima keeps the window
        if exact:
            # A NaN always replaces, so the last NaN wins.  (Fresh arrays, no strided out=:
            # NumPy 2.4.6's isnan writes wrong answers into a strided bool out=.)
            take |= np.isnan(read)
            np.copyto(run_r, read, where=take)
        else:
            np.maximum(run_r, read, out=run_r)
        # Tap numbers only grow along the scan (and no real tap precedes the first real one),
        # so "the latest tap that took the window" is simply the largest number offered.
        won_r = won[:, r.out_rows, r.out_cols]
        np.maximum(won_r, take * won.dtype.type(r.i * kw + r.j), out=won_r)


def _scan_canvas(
    planes: np.ndarray,
    g: WindowGeometry,
    block: Block,
    best: np.ndarray,
    tap: np.ndarray,
    exact: bool,
) -> None:
    """:func:`_scan_block` on a :class:`~engine.canvas.Canvas` (padding −∞: it never wins).

    The first tap's read starts the running max (the same as −∞ followed by that tap: a
    value > −∞ or a NaN replaces −∞, and −∞ itself is −∞).  A tap that takes a window is a
    real one (padding is −∞), so its number is larger than the first real tap's and every
    number before it: "the latest tap that took the window" is a plain write.
    """
    p, rows = block
    c = canvas.Canvas(g, rows.start, rows.stop)
    source = c.fill(planes[p], -np.inf)
    n = source[c.phases[0]].shape[0]
    run_grid, won_grid = c.grid(n, best.dtype), c.grid(n, tap.dtype)
    run, won = run_grid[:, : c.length], won_grid[:, : c.length]
    c.outputs(won_grid)[...] = _first_tap_numbers(g, rows, tap.dtype)
    np.copyto(run, c.read(source, 0))
    take = np.empty(run.shape, dtype=bool)
    number = np.empty(run.shape, dtype=tap.dtype)
    for t in range(1, len(c.taps)):
        read = c.read(source, t)
        np.greater(read, run, out=take)  # strict: the first of equal maxima keeps the window
        if exact:
            take |= np.isnan(read)  # a NaN always replaces, so the last NaN wins
            np.copyto(run, read, where=take)
        else:
            np.maximum(run, read, out=run)
        # (np.copyto(won, t, where=take) gives the same, many times slower)
        np.multiply(take, tap.dtype.type(t), out=number)
        np.maximum(won, number, out=won)
    best[block] = c.outputs(run_grid)
    tap[block] = c.outputs(won_grid)


def _first_tap_numbers(g: WindowGeometry, rows: slice, dtype: np.dtype) -> np.ndarray:
    """Tap number ``i * kW + j`` of the first real tap of the windows in output ``rows``.

    Windows with no real tap at all (PyTorch #114216) get a placeholder (their first "real"
    tap lies past the kernel); :func:`_tap_to_index` gives them PyTorch's index instead.
    """
    kh, kw = g.kernel
    i0 = (g.first_real_tap(0) - g.starts(0))[rows] // g.dilation[0]
    j0 = (g.first_real_tap(1) - g.starts(1)) // g.dilation[1]
    i0, j0 = np.minimum(i0, kh - 1), np.minimum(j0, kw - 1)
    numbers: np.ndarray = np.add.outer((i0 * kw).astype(dtype), j0.astype(dtype))
    return numbers


def _tap_to_index(tap: np.ndarray, g: WindowGeometry, rows: slice, out: np.ndarray) -> None:
    """Turn the winning tap numbers of output ``rows`` into flat ``row * W + col`` indices.

    index = (window's top-left corner) + (tap's offset from that corner); the corner may lie
    in the padding, the sum of a real tap never does.
    """
    kh, kw = g.kernel
    dh, dw = g.dilation
    width = g.in_size[1]
    offsets = (np.arange(kh)[:, None] * dh * width + np.arange(kw)[None, :] * dw).ravel()
    # mode="clip" skips the bounds check (tap numbers are in range), and with it the copy
    # NumPy would otherwise make before writing into ``out``.
    np.take(offsets, tap, out=out, mode="clip")
    out += g.starts(0)[rows, None] * width + g.starts(1)[None, :]
    if not _every_window_reads(g):  # no real tap: PyTorch says h0 * W + w0, past the plane
        first = g.first_real_tap(0)[rows, None] * width + g.first_real_tap(1)[None, :]
        np.copyto(out, np.broadcast_to(first, out.shape), where=~g.reads_input()[rows])


def max_pool2d_backward(
    grad_output: object,
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    ties: TiePolicy = "first",
    *,
    indices: object = None,
) -> np.ndarray:
    """Gradient of :func:`max_pool2d` with respect to ``x``.

    Parameters
    ----------
    grad_output : array, shape of ``max_pool2d``'s output
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
    ties : {'first', 'all', 'split'}
        Who receives a window's gradient: the first maximum (PyTorch), every tied maximum
        in full (what ``x == window.max()`` mask code does), or all tied maxima in equal shares.
    indices : int array, shape of ``max_pool2d``'s output, optional (keyword only)
        The indices ``max_pool2d(..., return_indices=True)`` returned for this ``x``.  Given,
        the backward reuses them instead of scanning the windows again, as PyTorch's does.

    Returns
    -------
    grad_input : array, shape of ``x``
        Windows that overlap on the same winner add up.

    Raises
    ------
    ValueError
        If ``indices`` has the wrong shape, is not integer, or points outside the plane.
    """
    validate_ties(ties)
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    gy = _check_grad_output(grad_output, x4, ndim, g)
    idx = None if indices is None else _check_indices(indices, x4, ndim, g)
    planes = _as_planes(x4)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf = NaN, overflow = inf: IEEE
        if ties == "first":
            # Without indices, scan for the tap numbers only (no int64 index array).
            # (Given indices are checked block by block inside the scatter.)
            tap = None if idx is not None else _scan_taps(planes, g)[1]
            overlap = _windows_overlap(g)
            gi = _scatter_indices(gy, g, x4.shape, accumulate=overlap, idx=idx, tap=tap)
        else:
            if idx is not None:
                _check_in_windows(idx, g)
            gi = _scatter_ties(_as_planes(gy), planes, g, idx, split=ties == "split")
    return from_4d(gi.reshape(x4.shape), ndim)


def max_pool2d_backward_own(
    grad_output: np.ndarray,
    x: np.ndarray,
    indices: np.ndarray,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """:func:`max_pool2d_backward` (``ties='first'``) from the ``indices`` that
    :func:`max_pool2d_with_mask` returned for this ``x`` and these parameters, not checked.

    :func:`max_pool2d_backward` checks given indices against their windows
    (:class:`_WindowCheck`: ~2 ms at 1024², as much as the scatter itself), since a caller may
    hand it any array; the operation's spec hands this one the forward's own, unchanged (the
    app's one backward per edit).  The same scatter, the same bits.

    Parameters
    ----------
    grad_output : array, shape of ``max_pool2d``'s output (checked)
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
    indices : int64 array, shape of the output
        What ``max_pool2d_with_mask(x, ...)`` returned with these parameters; never checked.
    kernel_size, stride, padding, dilation, ceil_mode
        As for :func:`max_pool2d`.

    Returns
    -------
    grad_input : array, shape of ``x``
    """
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    gy = _check_grad_output(grad_output, x4, ndim, g)
    idx = np.asarray(indices).reshape(x4.shape[:2] + g.out_size)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf = NaN, overflow = inf: IEEE
        gi = _scatter_indices(
            gy, g, x4.shape, accumulate=_windows_overlap(g), idx=idx, checked=False
        )
    return from_4d(gi.reshape(x4.shape), ndim)


def _check_indices(indices: object, x4: np.ndarray, ndim: int, g: WindowGeometry) -> np.ndarray:
    """Check the shape and type of the forward's ``indices``; return them as int64
    (N, C, out_H, out_W).  Where they point is checked by :class:`_WindowCheck`."""
    expected, expected_caller = _output_shape(x4, ndim, g)
    idx = integer_indices(indices, expected_caller, "max_pool2d")
    return idx.reshape(expected).astype(np.int64, copy=False)


class _WindowCheck:
    """Refuses any index that is not a real tap of its own window, block by block.

    PyTorch's backward adds each window's gradient at whatever in-plane index it is given (and
    drops one outside the plane); indices that :func:`max_pool2d` cannot have returned (another
    window's element, a spot a dilated window skips, a padding cell) would give a gradient no
    max pooling has, so they are refused.  This also keeps :func:`_scatter_indices`' plain
    assignment exact: with every index inside its window, windows that do not overlap never
    share an element.  :func:`_scatter_indices` checks each block just before using it, while
    it is in the cache.

    The quick test (when the taps' offsets from a window's corner, ``i·dH·W + j·dW``, are all
    different): subtract each window's corner from its index and look the difference up in a
    table of the kernel's offsets; only windows near the border, where a tap may read padding,
    also get the full test below.  Any doubt, and the full test runs on the whole block (and
    names the first bad index).

    The full test: arithmetic on the int64 indices, in two scratch arrays: row ``r = idx // W``
    and column ``c = idx - r·W``; ``r`` must lie in ``0 .. H − 1`` (then the index is in the
    plane, and ``c`` is a real column by construction), and ``r − window top`` and
    ``c − window left`` in ``0 .. span − 1``, multiples of the dilation.  Read as unsigned, a
    negative number is huge, so one ``max`` checks both ends of a range.
    """

    def __init__(self, idx: np.ndarray, g: WindowGeometry) -> None:
        self.idx, self.g = idx, g
        self.planes = _as_planes(idx)
        self.spans = [(g.kernel[a] - 1) * g.dilation[a] + 1 for a in (0, 1)]
        self.tops, self.lefts = g.starts(0), g.starts(1)
        self.reads = g.reads_input()
        self.every_window_reads = bool(self.reads.all())
        size = max((self.planes[b].size for b in _blocks(len(self.planes), g, 8)), default=0)
        self.r_buf = np.empty(size, dtype=np.int64)
        self.c_buf = np.empty(size, dtype=np.int64)
        self._init_quick()

    def _init_quick(self) -> None:
        """The offset table and border rows and columns of the quick test (``quick`` False
        when the offsets are not all different or some window has no real tap)."""
        g = self.g
        kh, kw = g.kernel
        dh, dw = g.dilation
        w = g.in_size[1]
        self.quick = self.every_window_reads and (kw - 1) * dw < w
        if not self.quick:
            return
        offsets = (np.arange(kh)[:, None] * (dh * w) + np.arange(kw)[None, :] * dw).ravel()
        # table[offset + 1] = tap number; every other entry, the first and the last too, is
        # ``bad``: np.take(mode="clip") sends any difference out of range to one of those ends.
        self.bad = kh * kw
        self.table = np.full(int(offsets[-1]) + 3, self.bad, dtype=np.min_scalar_type(self.bad))
        self.table[offsets + 1] = np.arange(kh * kw)
        self.t_buf = np.empty(self.r_buf.size, dtype=self.table.dtype)
        # corner - 1: the "+ 1" of the table folded in
        self.corners = self.tops[:, None] * w + self.lefts[None, :] - 1
        inner_rows = np.flatnonzero(g.tap_valid(0).all(axis=1))
        inner_cols = np.flatnonzero(g.tap_valid(1).all(axis=1))
        self.inner_rows = (
            (int(inner_rows[0]), int(inner_rows[-1]) + 1) if inner_rows.size else (0, 0)
        )
        out_w = g.out_size[1]
        lo, hi = (int(inner_cols[0]), int(inner_cols[-1]) + 1) if inner_cols.size else (0, 0)
        self.border_cols = [s for s in (slice(0, lo), slice(hi, out_w)) if s.start < s.stop]
        if not inner_cols.size:
            self.border_cols = [slice(0, out_w)]

    def check(self, block: Block) -> None:
        if not self.quick:
            self._full_check(block)
            return
        p, rows = block
        b = self.planes[block]
        rel = self.r_buf[: b.size].reshape(b.shape)
        np.subtract(b, self.corners[rows], out=rel)
        tap = self.t_buf[: b.size].reshape(b.shape)
        # mode="clip": no bounds check and no copy; out-of-range differences hit a "bad" end
        np.take(self.table, rel, out=tap, mode="clip")
        ok = int(tap.max()) < self.bad
        # Near the border a tap of the table may read padding: check those windows fully.
        lo, hi = self.inner_rows
        border_rows = (slice(rows.start, min(rows.stop, lo)), slice(max(rows.start, hi), rows.stop))
        borders = [(r, slice(None)) for r in border_rows if r.start < r.stop]
        borders += [(rows, c) for c in self.border_cols]
        try:
            for sub_rows, cols in borders if ok else []:
                self._full_check((p, sub_rows), cols)
        except ParameterError:
            ok = False
        if not ok:
            self._full_check(block)  # raises, naming the first bad index of the block

    def _full_check(self, block: Block, cols: slice = slice(None)) -> None:
        g = self.g
        h, w = g.in_size
        dh, dw = g.dilation
        rows = block[1]
        b = self.planes[block][..., cols]
        r = self.r_buf[: b.size].reshape(b.shape)
        c = self.c_buf[: b.size].reshape(b.shape)
        np.floor_divide(b, w, out=r)
        np.multiply(r, w, out=c)
        np.subtract(b, c, out=c)
        # A window without a real tap (PyTorch #114216) legitimately points past the plane;
        # it is not checked.
        reads = self.reads[rows][:, cols]
        outside = None if self.every_window_reads else np.broadcast_to(~reads, b.shape)
        if outside is not None:
            np.copyto(r, 0, where=outside)
        if int(r.view(np.uint64).max()) >= h:
            _refuse_outside_plane(self.idx, g)
        np.subtract(r, self.tops[rows, None], out=r)
        np.subtract(c, self.lefts[None, cols], out=c)
        if outside is not None:
            np.copyto(r, 0, where=outside)
            np.copyto(c, 0, where=outside)
        spans = self.spans
        bad = int(r.view(np.uint64).max()) >= spans[0] or int(c.view(np.uint64).max()) >= spans[1]
        bad = bad or (dh > 1 and bool((r % dh).any())) or (dw > 1 and bool((c % dw).any()))
        if bad:
            _refuse_outside_window(self.idx, g, block, r, c)


def _check_in_windows(idx: np.ndarray, g: WindowGeometry) -> None:
    """Run :class:`_WindowCheck` over every block of ``idx`` (N, C, out_H, out_W)."""
    checker = _WindowCheck(idx, g)
    for block in _blocks(len(checker.planes), g, 8):
        checker.check(block)


def _refuse_outside_plane(idx: np.ndarray, g: WindowGeometry) -> None:
    h, w = g.in_size
    reads = g.reads_input()
    checked = idx if reads.all() else idx[..., reads]
    raise ParameterError(
        "indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); "
        "got values from {low} to {high}",
        last=h * w - 1,
        size=f"{h}x{w}",
        low=int(checked.min()),
        high=int(checked.max()),
    )


def _refuse_outside_window(
    idx: np.ndarray, g: WindowGeometry, block: Block, dr: np.ndarray, dc: np.ndarray
) -> None:
    """Name the first index of ``block`` that is not a real tap of its window."""
    p, rows = block
    dh, dw = g.dilation
    spans = [(g.kernel[a] - 1) * g.dilation[a] + 1 for a in (0, 1)]
    wrong = (dr < 0) | (dr >= spans[0]) | (dr % dh != 0) | (dc < 0) | (dc >= spans[1])
    wrong |= dc % dw != 0
    plane, oh, ow = (int(v) for v in np.argwhere(wrong)[0])
    plane += p.start or 0
    oh += rows.start or 0
    n, c = divmod(plane, idx.shape[1])
    index = int(idx[n, c, oh, ow])
    top, left = int(g.starts(0)[oh]), int(g.starts(1)[ow])
    raise ParameterError(
        "indices must point into their own window, as max_pool2d returns them: output "
        "({position}) of plane ({plane}) has index {index} (row {row}, column {col}), but its "
        "window reads rows {rows} and columns {cols}",
        position=f"{oh}, {ow}",
        plane=f"{n}, {c}",
        index=index,
        row=index // g.in_size[1],
        col=index % g.in_size[1],
        rows=_tap_span(top, g.kernel[0], dh, g.in_size[0]),
        cols=_tap_span(left, g.kernel[1], dw, g.in_size[1]),
    )


def _tap_span(start: int, kernel: int, dilation: int, size: int) -> str:
    """The real coordinates a window's taps read along one axis: ``3..5``, ``1, 3, 5`` or
    ``1, 3, …, 11`` (numbers only, so that every language can show them)."""
    first = -(start // dilation) if start < 0 else 0  # the first tap at or after 0
    last = min(kernel - 1, (size - 1 - start) // dilation)
    low, high = start + first * dilation, start + last * dilation
    if first == last:
        return str(low)
    if dilation == 1:
        return f"{low}..{high}"
    if last - first <= 3:
        return ", ".join(str(start + k * dilation) for k in range(first, last + 1))
    return f"{low}, {low + dilation}, …, {high}"


def _scatter_indices(
    gy: np.ndarray,
    g: WindowGeometry,
    shape: tuple[int, ...],
    accumulate: bool = True,
    idx: np.ndarray | None = None,
    tap: np.ndarray | None = None,
    checked: bool = True,
) -> np.ndarray:
    """``grad_in.flat[idx] += grad_out`` plane by plane, in (oh, ow) order like PyTorch.

    Parameters
    ----------
    gy : array, shape (N, C, out_H, out_W)
    shape : (N, C, H, W) of the input
    accumulate : bool
        False when no two windows overlap: each element then wins at most one window, and a
        plain assignment does what the (slower) ordered ``np.add.at`` would.
    idx : int64 array, shape of ``gy``, optional
        The winners' flat indices, checked (:class:`_WindowCheck`) block by block; or else
    tap : unsigned int array, (N·C, out_H, out_W), optional
        the winners' tap numbers (:func:`_scan_taps`), turned into indices block by block.
    checked : bool
        False: ``idx`` are this engine's own (:func:`max_pool2d_with_mask`'s), not checked.
    """
    n, c, h, w = shape
    grad = np.zeros((n * c, h * w), dtype=gy.dtype)
    gy_planes = _as_planes(gy)
    idx_planes = None if idx is None else _as_planes(idx)
    # A window with no real tap (PyTorch #114216) adds nothing.  Test the window, not the index:
    # its index h0 * W + w0 may alias a real element of a later row, which it never read.
    reads = g.reads_input()
    every_window_reads = _every_window_reads(g)
    blocks = _blocks(n * c, g, 8)  # the blocks of _WindowCheck (int64 indices)
    whole_planes = all(rows == slice(0, g.out_size[0]) for _, rows in blocks)

    def scatter(group: list[Block], worker: int) -> None:
        checker = None if idx is None or not checked else _WindowCheck(idx, g)
        if checker is not None:
            scratch = checker.c_buf  # free again once a block is checked
        else:
            scratch = np.empty(max((gy_planes[b].size for b in group), default=0), np.int64)
        for block in group:
            p, rows = block
            target = grad[p].reshape(-1)  # the block's planes, one after the other
            plane_start = (np.arange(p.stop - p.start) * (h * w))[:, None, None]
            values = gy_planes[block]
            flat = scratch[: values.size].reshape(values.shape)  # int64 scratch of one block
            if idx_planes is not None:
                if checker is not None:
                    checker.check(block)
                np.add(idx_planes[block], plane_start, out=flat)
            else:
                assert tap is not None
                _tap_to_index(tap[block], g, rows, out=flat)
                flat += plane_start
            if not every_window_reads:
                flat, values = flat[:, reads[rows]], values[:, reads[rows]]
            if accumulate:
                if whole_planes:
                    # np.add.at holds the GIL: fault the block's fresh zero pages in first, in
                    # a write that releases it (more than NumPy's 500-item threshold), so that
                    # the kernel zeroes them on this thread while another one adds.  (A 51 MB
                    # float64 gradient is mapped afresh on every call: ~7 ms of page faults.)
                    # Only for whole planes: bands of one plane add onto each other's sums.
                    target[:: TOUCH_STEP // target.itemsize] = 0
                np.add.at(target, flat.ravel(), values.ravel())
            else:
                # PyTorch adds onto zeros: a -0.0 gradient lands as +0.0 (-0.0 + 0.0 = +0.0,
                # and no other value changes).
                target[flat.ravel()] = np.add(values.ravel(), 0.0)

    # Without overlapping windows every element receives from one window at most; with them,
    # blocks of whole planes still write apart, bands of one plane do not.
    _run_blocks(scatter, blocks, parallel=not accumulate or whole_planes)
    return grad.reshape(shape)


def _windows_overlap(g: WindowGeometry) -> bool:
    """Whether some input element lies in more than one window (along either axis)."""
    spans = [(g.kernel[a] - 1) * g.dilation[a] + 1 for a in (0, 1)]
    return any(g.stride[a] < spans[a] for a in (0, 1))


def _index_taps(idx: np.ndarray, g: WindowGeometry, dtype: np.dtype) -> np.ndarray:
    """The tap number ``i * kW + j`` each (validated) index names, (N·C, out_H, out_W).

    A window without a real tap (PyTorch #114216) gets 0; no tap region holds that window.
    """
    w = g.in_size[1]
    planes = _as_planes(idx)
    rows, cols = np.divmod(planes, w)
    i = (rows - g.starts(0)[:, None]) // g.dilation[0]
    j = (cols - g.starts(1)[None, :]) // g.dilation[1]
    numbers = np.where(g.reads_input(), i * g.kernel[1] + j, 0)
    return numbers.astype(dtype)


def _tie_winners(
    planes: np.ndarray,
    g: WindowGeometry,
    best: np.ndarray,
    tap: np.ndarray,
    r: TapRegion,
    nan: bool,
) -> np.ndarray:
    """Bool (P, out rows, out cols) of region ``r``: whether its tap holds the window's max.

    A NaN equals nothing, so a NaN window is won only by the tap the scan (or the given
    index) names; every other window by each tap equal to its maximum, the first one included.
    ``nan``: whether ``best`` holds a NaN at all.
    """
    out = (slice(None), r.out_rows, r.out_cols)
    win: np.ndarray = planes[:, r.in_rows, r.in_cols] == best[out]
    if nan:
        named = tap[out] == r.i * g.kernel[1] + r.j
        named &= np.isnan(best[out])
        win |= named
    return win


def _scatter_ties(
    gy: np.ndarray, planes: np.ndarray, g: WindowGeometry, idx: np.ndarray | None, split: bool
) -> np.ndarray:
    """Backward under ``ties='all'`` (``split=False``) or ``'split'``: every tied max receives.

    ``gy`` and ``idx`` (the given indices, if any) are (P, out_H, out_W), ``planes``
    (P, H, W).  Memory stays within a few times the input: the scan's maxima are dropped as
    soon as the winners are known, the winners are kept as one bit per tap in an unsigned int
    per window (kernels of up to 64 taps; a bool per tap beyond), and the shares are added
    with ``where=`` instead of through a zero-filled copy.
    """
    best, tap = _scan_taps(planes, g)
    nan = bool(np.isnan(best).any())
    if idx is not None and nan:
        # A NaN window is won by the tap the given index names (PyTorch's own index is the
        # scan's: the last NaN).
        tap = _index_taps(idx, g, tap.dtype)
    n_taps = g.kernel[0] * g.kernel[1]
    regions = g.real_tap_regions()
    bits: np.ndarray | None = None
    winners: np.ndarray | None = None
    if n_taps <= 64:
        bits = np.zeros(best.shape, dtype=np.min_scalar_type((1 << n_taps) - 1))
    else:
        winners = np.zeros(best.shape + (n_taps,), dtype=bool)
    counts = np.zeros(best.shape, dtype=np.min_scalar_type(n_taps)) if split else None
    for r in regions:
        t = r.i * g.kernel[1] + r.j
        out = (slice(None), r.out_rows, r.out_cols)
        win = _tie_winners(planes, g, best, tap, r, nan)
        if bits is not None:
            bit = bits[out]
            np.add(bit, bits.dtype.type(1 << t), out=bit, where=win)  # distinct bits: add = or
        else:
            assert winners is not None
            winners[out + (t,)] = win
        if counts is not None:
            count = counts[out]
            count += win
    del best, tap
    share = gy if counts is None else gy / np.maximum(counts, 1)
    grad = np.zeros(planes.shape, dtype=gy.dtype)
    for r in regions:
        t = r.i * g.kernel[1] + r.j
        out = (slice(None), r.out_rows, r.out_cols)
        if bits is not None:
            win = (bits[out] & bits.dtype.type(1 << t)) != 0
        else:
            assert winners is not None
            win = winners[out + (t,)]
        target = grad[:, r.in_rows, r.in_cols]
        np.add(target, share[out], out=target, where=win)
    return grad


@dataclass(frozen=True)
class ArgmaxMask:
    """Which input elements win which max-pooling windows.

    Attributes
    ----------
    winners : bool array, shape (N, C, out_H, out_W, kH, kW)
        Whether each tap of each window holds that window's maximum (under the tie policy).
    counts : int array (int32; int64 for outputs of 2**31 windows or more), shape of the input
        How many windows each input element wins; ``counts > 0`` is the union mask.
    geometry : WindowGeometry
    ndim : rank of the caller's input (2, 3 or 4)
    """

    winners: np.ndarray
    counts: np.ndarray
    geometry: WindowGeometry
    ndim: int

    @property
    def union(self) -> np.ndarray:
        """Bool array, shape of the input: elements that win at least one window."""
        return self.counts > 0

    def window(self, oh: int, ow: int, n: int = 0, c: int = 0) -> np.ndarray:
        """Bool (H, W) mask of the winners of output ``(oh, ow)`` in plane ``(n, c)``."""
        g = self.geometry
        mask = np.zeros(g.in_size, dtype=bool)
        for i, j, r, col in g.window_taps(oh, ow):
            if self.winners[n, c, oh, ow, i, j]:
                mask[r, col] = True
        return mask


def max_pool2d_mask(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    ties: TiePolicy = "first",
) -> ArgmaxMask:
    """Argmax mask of :func:`max_pool2d`, per window and as a union over windows.

    Parameters are those of :func:`max_pool2d`; ``ties`` as in :func:`max_pool2d_backward`
    (``'all'`` and ``'split'`` both mark every tied maximum).

    Returns
    -------
    ArgmaxMask
        ``counts`` has the shape of ``x``; ``winners`` is (N, C, out_H, out_W, kH, kW).
    """
    validate_ties(ties)
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    return _argmax_mask(x4, ndim, g, ties)


def max_pool2d_with_mask(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    ties: TiePolicy = "first",
) -> tuple[np.ndarray, np.ndarray, ArgmaxMask]:
    """:func:`max_pool2d` with its indices and :func:`max_pool2d_mask`, from one scan.

    Parameters are those of :func:`max_pool2d_mask`.

    Returns
    -------
    y : array, shape (..., out_H, out_W), same rank as ``x``
    indices : int64 array, same shape as ``y``
        As ``max_pool2d(..., return_indices=True)`` gives them.
    mask : ArgmaxMask
        As :func:`max_pool2d_mask` gives it.
    """
    validate_ties(ties)
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    planes = _as_planes(x4)
    idx = np.empty((len(planes),) + g.out_size, dtype=np.int64)
    best, tap = _scan_taps(planes, g, idx)
    out_shape = x4.shape[:2] + g.out_size
    y, indices = from_4d(best.reshape(out_shape), ndim), from_4d(idx.reshape(out_shape), ndim)
    return y, indices, _argmax_mask(x4, ndim, g, ties, (best, tap), idx)


def _argmax_mask(
    x4: np.ndarray,
    ndim: int,
    g: WindowGeometry,
    ties: TiePolicy,
    scanned: tuple[np.ndarray, np.ndarray] | None = None,
    idx: np.ndarray | None = None,
) -> ArgmaxMask:
    """The :class:`ArgmaxMask` of ``x4``; ``scanned``: :func:`_scan_taps`'s result, if made,
    and ``idx`` (P, out_H, out_W) the flat indices of its winners, if made."""
    planes = _as_planes(x4)
    winners = _mask_winners(planes, g, ties, scanned)
    # int32 unless an element could win 2**31 windows: half of int64's memory, which would
    # be twice a float32 input on its own.
    dtype = np.int32 if g.n_windows < 2**31 else np.int64
    if ties == "first" and idx is not None:
        counts = _count_wins(idx, g, dtype)
    else:
        kw = g.kernel[1]
        counts = np.zeros(planes.shape, dtype=dtype)
        for r in g.real_tap_regions():
            target = counts[:, r.in_rows, r.in_cols]
            target += winners[:, r.out_rows, r.out_cols, r.i * kw + r.j]
    return ArgmaxMask(
        winners=winners.reshape(x4.shape[:2] + g.out_size + g.kernel),
        counts=from_4d(counts.reshape(x4.shape), ndim),
        geometry=g,
        ndim=ndim,
    )


def _count_wins(idx: np.ndarray, g: WindowGeometry, dtype: type) -> np.ndarray:
    """Windows won per input element (P, H, W) from the winners' flat indices ``idx``
    (P, out_H, out_W), ``ties='first'``: one count per window at its index.

    The same integers as adding the winners tap by tap (each window's one winner is the real
    tap its index names), in one pass over the windows: the tap-by-tap sum read a strided
    region of the (P, out_H, out_W, kH·kW) winners and cast it for every tap, ~4 ms of a 3×3
    kernel's 1024² edit.  A window without a real tap (PyTorch #114216) wins nothing: its
    index may alias a real element of a later row.

    Windows that do not overlap (stride at least the span, along both axes) have winners
    that are all different elements: each is set to 1 in zeros of ``dtype``.  Overlapping
    ones add 1 per window at its index into zeros of ``dtype`` (``np.add.at`` with a one of
    that very type, which takes NumPy's indexed loop; a Python ``1`` took its generic path,
    some 40 times slower).  Neither makes an ``np.bincount``: its int64 counts of every
    element, cast to ``dtype`` after, were twice and then once more the memory of the result
    (~2 ms of a 2×2, stride 2 edit at 1024²; ~1.5 ms of a 3×3, stride 2 one).
    """
    h, w = g.in_size
    n = idx.shape[0]
    flat = idx
    if n > 1:
        flat = idx + (np.arange(n, dtype=np.int64) * (h * w))[:, None, None]
    reads = g.reads_input()
    every_window_reads = bool(reads.all())
    counts = np.zeros(n * h * w, dtype=dtype)
    won = flat if every_window_reads else flat[:, reads]
    if not _windows_overlap(g):
        counts[won] = 1
    else:
        np.add.at(counts, won.reshape(-1), counts.dtype.type(1))
    return counts.reshape(n, h, w)


def _mask_winners(
    planes: np.ndarray,
    g: WindowGeometry,
    ties: TiePolicy,
    scanned: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Bool (P, out_H, out_W, kH·kW): whether each tap wins its window under ``ties``.

    Built straight from the scan's tap numbers, one tap at a time: no per-tap list, no
    stacking, no int64 copy; the scan's maxima are dropped on return.  Only real taps can win
    (a padding tap's flat index may alias a real element); a window without a real tap
    (PyTorch #114216) has no winner.
    """
    best, tap = _scan_taps(planes, g) if scanned is None else scanned
    kh, kw = g.kernel
    regions = g.real_tap_regions()
    # Every tap of every window real (no padding read, no overhang): each tap's region is
    # every window, and the loop below writes every entry; no zeros first (~0.3 ms of a 3×3
    # kernel's 1024² edit).
    whole = slice(0, g.out_size[0]), slice(0, g.out_size[1])
    covered = len(regions) == kh * kw and all((r.out_rows, r.out_cols) == whole for r in regions)
    winners = (np.empty if covered else np.zeros)(best.shape + (kh * kw,), dtype=bool)
    nan = ties != "first" and bool(np.isnan(best).any())
    for r in regions:
        t = r.i * kw + r.j
        out = (slice(None), r.out_rows, r.out_cols)
        if ties == "first":
            winners[out + (t,)] = tap[out] == t
        else:
            winners[out + (t,)] = _tie_winners(planes, g, best, tap, r, nan)
    return winners


def scatter_taps(per_tap: np.ndarray, g: WindowGeometry) -> np.ndarray:
    """Add every tap's value onto the input element it reads.

    Parameters
    ----------
    per_tap : array, shape (..., out_H, out_W, kH, kW)
    g : the geometry of those windows

    Returns
    -------
    array, shape (..., H, W)
        Taps in padding or overhang are dropped.
    """
    total = np.zeros(per_tap.shape[:-4] + g.in_size, dtype=per_tap.dtype)
    for r in g.real_tap_regions():
        target = total[..., r.in_rows, r.in_cols]
        target += per_tap[..., r.out_rows, r.out_cols, r.i, r.j]
    return total


# ---- average pooling --------------------------------------------------------------------------
def avg_pool2d(
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """2-D average pooling, as ``torch.nn.functional.avg_pool2d``.

    Parameters
    ----------
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
        Integers are computed in float64 (an average of integers may be fractional).
    kernel_size, stride, padding : int or (h, w) pair
        Padding is zeros.
    ceil_mode : bool
    count_include_pad : bool
        Divide by the window size including explicit padding; the ``ceil_mode`` overhang
        beyond the padding is never counted.
    divisor_override : int, optional
        Divide every window by this (non-zero) number instead.

    Returns
    -------
    y : array, shape (..., out_H, out_W), same rank as ``x``
        A window holding both +∞ and −∞ gives NaN, silently, as in PyTorch.
    """
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, 1, ceil_mode)
    divisor = avg_divisors(g, count_include_pad, divisor_override).astype(x4.dtype)
    planes = _as_planes(x4)
    sums = np.empty((len(planes),) + g.out_size, dtype=x4.dtype)

    use_canvas = _use_canvas(g)

    def average(blocks: list[Block], worker: int) -> None:
        for block in blocks:
            mean = sums[block]
            if use_canvas:  # the sums on the canvas's grid, divided on their way out
                np.divide(_canvas_sums(planes, g, block), divisor[block[1]], out=mean)
            else:
                _window_sums(planes, g, block, out=sums)
                np.divide(mean, divisor[block[1]], out=mean)  # one division, as PyTorch does
            # PyTorch's result is never −0.0 (a zero sum over a negative divisor_override, a
            # tiny negative sum that rounds to zero): it adds the quotient onto a zeroed output.
            # Adding +0.0 turns −0.0 into +0.0 and changes no other value.
            np.add(mean, 0.0, out=mean)

    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf = NaN, overflow = inf: IEEE
        # each block writes its own outputs
        _run_blocks(average, _blocks(len(planes), g, sums.itemsize))
    return from_4d(sums.reshape(x4.shape[:2] + g.out_size), ndim)


def _window_sums(planes: np.ndarray, g: WindowGeometry, block: Block, out: np.ndarray) -> None:
    """``out[block]`` = each window's sum, added tap by tap in row-major order from +0.0.

    That is PyTorch's order (PyTorch 2.13 semantics, avg_pool2d numerics), so the bits match.
    Padding taps are skipped: adding +0.0 to a sum that started at +0.0 never changes it.
    """
    p, rows = block
    acc = out[p]
    acc[:, rows] = 0.0
    regions = _regions(g, block)
    for r, read in zip(regions, _tap_reads(planes[p], g, regions), strict=True):
        window = acc[:, r.out_rows, r.out_cols]
        window += read


def _canvas_sums(planes: np.ndarray, g: WindowGeometry, block: Block) -> np.ndarray:
    """The window sums of :func:`_window_sums` on a :class:`~engine.canvas.Canvas`, whose
    padding is +0.0 (adding +0.0 changes no sum: a sum that starts at +0.0 is never −0.0).

    Returns
    -------
    array, shape (block planes, block rows, out_W): a view of the canvas's grid
    """
    p, rows = block
    c = canvas.Canvas(g, rows.start, rows.stop)
    source = c.fill(planes[p], 0.0)
    grid = c.grid(source[c.phases[0]].shape[0], planes.dtype)
    acc = grid[:, : c.length]
    np.add(c.read(source, 0), 0.0, out=acc)  # PyTorch's sum starts at +0.0
    for t in range(1, len(c.taps)):
        np.add(acc, c.read(source, t), out=acc)
    return c.outputs(grid)


def avg_divisors(
    g: WindowGeometry, count_include_pad: bool = True, divisor_override: int | None = None
) -> np.ndarray:
    """The number each average-pooling window is divided by, shape ``(out_H, out_W)``.

    Raises
    ------
    ParameterError
        If ``divisor_override`` is zero, not an int, or does not fit in 64 bits.
    """
    if divisor_override is not None:
        if isinstance(divisor_override, (bool, np.bool_)) or not isinstance(
            divisor_override, (int, np.integer)
        ):
            raise ParameterError(
                "divisor_override must be an int or None, got {value}",
                value=repr(divisor_override),
            )
        if divisor_override == 0:
            raise ParameterError(
                "divisor_override ({value}) must not be zero", value=int(divisor_override)
            )
        divisor = check_int64(divisor_override, "divisor_override")
        return np.full(g.out_size, divisor, dtype=np.int64)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise ParameterError(
            "count_include_pad must be True or False, got {value}", value=repr(count_include_pad)
        )
    extent = g.window_extent if count_include_pad else g.real_extent
    (h0, h1), (w0, w1) = extent(0), extent(1)
    return np.outer(h1 - h0, w1 - w0)


def avg_pool2d_backward(
    grad_output: object,
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Gradient of :func:`avg_pool2d` with respect to ``x``.

    Parameters
    ----------
    grad_output : array, shape of ``avg_pool2d``'s output
    x : array, shape (H, W), (C, H, W) or (N, C, H, W); only its shape is used

    Returns
    -------
    grad_input : array, shape of ``x``
        Each window spreads ``grad_output / divisor`` over its real elements; padding gets none.
    """
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, 1, ceil_mode)
    divisor = avg_divisors(g, count_include_pad, divisor_override)
    gy = _check_grad_output(grad_output, x4, ndim, g)
    divisor = divisor.astype(gy.dtype)
    gy_planes = _as_planes(gy)
    grad = np.zeros((len(gy_planes),) + g.in_size, dtype=gy.dtype)

    use_canvas = _use_canvas(g)
    delta = np.empty(0 if use_canvas else gy_planes.shape, dtype=gy.dtype)

    def spread(blocks: list[Block], worker: int) -> None:
        for block in blocks:
            if use_canvas:
                _canvas_spread(gy_planes, divisor, g, block, out=grad)
            else:
                np.divide(gy_planes[block], divisor[block[1]], out=delta[block])
                _spread(delta, g, block, out=grad)

    blocks = _blocks(len(gy_planes), g, grad.itemsize)
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf = NaN, overflow = inf: IEEE
        _run_blocks(spread, blocks, parallel=_blocks_write_apart(blocks, g))
    return from_4d(grad.reshape(x4.shape), ndim)


def _blocks_write_apart(blocks: list[Block], g: WindowGeometry) -> bool:
    """Whether the backward passes of ``blocks`` write disjoint input rows.

    Blocks of whole planes always do.  Bands of one plane do unless windows overlap along the
    rows: then neighbouring bands share input rows, which must receive their contributions in
    band order (and never from two threads at once).
    """
    whole_planes = all(rows == slice(0, g.out_size[0]) for _, rows in blocks)
    span = (g.kernel[0] - 1) * g.dilation[0] + 1
    return whole_planes or g.stride[0] >= span


def _spread(delta: np.ndarray, g: WindowGeometry, block: Block, out: np.ndarray) -> None:
    """Add each window's ``delta`` of ``block`` onto the real elements it covers.

    Taps go in *reverse* row-major order: then every element receives its windows in
    increasing (oh, ow) order, PyTorch's order (PyTorch 2.13 semantics, avg_pool2d backward),
    so the bits match.  With :func:`_use_phases`, the sums are built in stride phases
    (:class:`_StridePhases`): copied out of ``out`` (earlier bands of a plane may have added to
    them), added to, copied back.
    """
    p = block[0]
    d, grad = delta[p], out[p]
    regions = _regions(g, block, reverse=True)
    if not (_use_phases(g) and regions):
        for r in regions:
            target = grad[:, r.in_rows, r.in_cols]
            target += d[:, r.out_rows, r.out_cols]
        return
    layout = _StridePhases(g, regions)
    whole_planes = block[1] == slice(0, g.out_size[0])  # then ``out`` holds zeros so far
    phases: dict[tuple[int, int], np.ndarray] = {}
    for r in regions:
        key, rows, cols = layout.locate(r)
        if key not in phases:
            src_rows, src_cols = layout.source(*key)
            start = grad[:, src_rows, src_cols]
            phases[key] = np.zeros_like(start) if whole_planes else np.ascontiguousarray(start)
        target = phases[key][:, rows, cols]
        target += d[:, r.out_rows, r.out_cols]
    for key, phase in phases.items():
        src_rows, src_cols = layout.source(*key)
        grad[:, src_rows, src_cols] = phase


def _canvas_spread(
    gy: np.ndarray, divisor: np.ndarray, g: WindowGeometry, block: Block, out: np.ndarray
) -> None:
    """:func:`_spread` of ``gy / divisor`` on a :class:`~engine.canvas.Canvas`.

    ``gy`` is (P, out_H, out_W), ``out`` (P, H, W).  The deltas sit on the canvas's wide grid
    with +0.0 in its garbage columns, so those add +0.0 to some elements (which changes
    nothing: a gradient sum that starts at +0.0 is never −0.0) or to padding, which is
    dropped.  Taps go in reverse order, as in :func:`_spread`.
    """
    p, rows = block
    c = canvas.Canvas(g, rows.start, rows.stop)
    grad = out[p]
    grid = np.zeros((grad.shape[0], c.rows * c.wq), dtype=gy.dtype)
    np.divide(gy[block], divisor[rows], out=c.outputs(grid))
    d = grid[:, : c.length]
    if rows == slice(0, g.out_size[0]) and not (c.direct and grad.flags.c_contiguous):
        phases = c.blank(grad.shape[0], grad.dtype)  # whole planes: nothing added so far
    else:
        phases = c.fill(grad, 0.0)  # what earlier bands added, and 0 in the padding
    for t in reversed(range(len(c.taps))):
        target = c.read(phases, t)
        np.add(target, d, out=target)
    c.store(phases, grad)

"""Max unpooling, forward and backward, as ``F.max_unpool2d`` (PyTorch 2.13).

Max unpooling is the partial inverse of max pooling: each pooled value goes back to the
position its ``indices`` entry names (the flat ``row * W_out + col`` offset inside its own
``(n, c)`` output plane, exactly what :func:`engine.max_pool2d` returns with
``return_indices=True``), and every other output cell is 0.  Nothing is accumulated and no
maximum is taken.  The backward pass is the matching gather: input element ``i`` receives
``grad_output`` at ``indices[i]``.

``kernel_size``, ``stride`` and ``padding`` serve only to compute the default output size,
``(H − 1)·stride − 2·padding + kernel_size`` per axis; PyTorch does not check their signs, and
neither does this module: the size rules and the index rule catch every nonsensical call.

Vectorised as one fancy-index assignment (forward) or ``np.take`` (backward) per block of whole
planes, with block-local flat indices, so the int64 scratch stays small and the block's output
stays in the CPU caches.  Each block checks its own indices and (forward) zeroes its own
output planes just before it scatters into them; blocks write apart (whole planes each), so the
pooling threads (:data:`engine.pooling.THREADS`) take them one after the other
(:func:`engine.parallel.run_shared`): NumPy's loops release the GIL, and every element is
still written by one thread, so the results are the same bits whatever the number of threads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from engine import parallel, pooling
from engine.arrays import as_float_array, check_grad_shape, from_4d, integer_indices, to_4d
from engine.errors import Message, ParameterError
from engine.geometry import Pair, bare_pair, is_int
from engine.workspace import Scratch

#: Input elements per block, at most: a block's int64 scratch (512 KB) stays in the CPU caches.
BLOCK_ELEMENTS = 1 << 16
#: Bytes of output per block, at most (:func:`_blocks`; a larger plane is a block of its own):
#: the block's planes are zeroed and then scattered into while they are in the CPU caches.
#: Smaller blocks, for a core's 512 KB L2 cache, measured no faster (2026-12-01, one thread,
#: CPU time, engine_bench's case): their Python overhead, 10-20 µs a block, ate the gain.
BLOCK_BYTES = 1 << 21
#: Outputs of this many bytes or more come zeroed from np.zeros at no cost up front: glibc's
#: malloc maps an allocation of 32 MB or more (its largest mmap threshold) afresh, calloc
#: knows the kernel's new pages are zero, and their zeroing happens as each block's first
#: writes fault them in, on its thread.  Zeroing them again in every block would be a pass
#: over the whole output more (float64 engine_bench case, 51 MB).
FRESH_BYTES = 32 << 20

__all__ = ["max_unpool2d", "max_unpool2d_backward", "unpool_output_size"]

# Words inside a message: Messages, so that the visualizer translates them too.
_AXIS_NAMES = (Message("height"), Message("width"))


# ---- parameters and output size -----------------------------------------------------------------
def _strict_pair(value: object, name: str) -> Pair:
    """An int or an ``(h, w)`` pair of ints.

    Unlike pooling, a 1-tuple is refused: ``F.max_unpool2d`` then indexes a missing second
    element (``IndexError``) or asks the kernel for a one-element size (``RuntimeError``).
    """
    if is_int(value):
        return (int(value), int(value))
    if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)):
        items = list(value)
        if len(items) == 2 and all(is_int(v) for v in items):
            return (int(items[0]), int(items[1]))
    raise ParameterError(
        "{name} must be a single int or a pair of ints (height, width), got {value}",
        name=name,
        value=repr(value),
    )


def unpool_output_size(
    in_size: Pair,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    output_size: object = None,
) -> Pair:
    """The output plane size of :func:`max_unpool2d`, validated as ``F.max_unpool2d`` does.

    Parameters
    ----------
    in_size : (H, W) of one input plane
    kernel_size, stride, padding : int or (h, w) pair; ``stride=None`` means ``kernel_size``
    output_size : (h, w) or (N, C, h, w), optional
        Leading N and C entries are ignored (as in PyTorch).  Each of h and w must lie
        *strictly* between ``default − stride`` and ``default + stride``.

    Returns
    -------
    (oH, oW)
        ``output_size`` if given, else ``(H − 1)·stride − 2·padding + kernel_size`` per axis.
        Either way never negative.

    Raises
    ------
    ParameterError
        Naming the parameter, its value and the rule.
    """
    kernel = _strict_pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else _strict_pair(stride, "stride")
    pads = _strict_pair(padding, "padding")
    default = tuple((in_size[a] - 1) * strides[a] - 2 * pads[a] + kernel[a] for a in (0, 1))
    if output_size is None:
        size = default
        if min(size) < 0:
            a = 0 if size[0] < 0 else 1
            formula = f"({in_size[a]} − 1)·{strides[a]} − 2·{pads[a]} + {kernel[a]} = {size[a]}"
            raise ParameterError(
                "the output size ({out}) must not be negative: padding ({padding}) is too large "
                "for kernel_size ({kernel}) and stride ({stride}) ({axis}: {formula})",
                out=f"{size[0]}x{size[1]}",
                padding=bare_pair(pads),
                kernel=bare_pair(kernel),
                stride=bare_pair(strides),
                axis=_AXIS_NAMES[a],
                formula=formula,
            )
        return (int(size[0]), int(size[1]))
    size = _requested_size(output_size)
    for a in (0, 1):
        low, high = default[a] - strides[a], default[a] + strides[a]
        if not low < size[a] < high:
            raise ParameterError(
                "output_size ({output_size}) is out of range: its {axis} must be strictly "
                "between {low} and {high} (the default {default} ± stride {stride})",
                output_size=bare_pair(size),
                axis=_AXIS_NAMES[a],
                low=low,
                high=high,
                default=default[a],
                stride=strides[a],
            )
    if min(size) < 0:
        raise ParameterError(
            "output_size ({output_size}) must not be negative", output_size=bare_pair(size)
        )
    return size


def _requested_size(output_size: object) -> Pair:
    """``output_size`` as ``(h, w)``: a sequence of 2 ints, or 4 whose first two are dropped."""
    if isinstance(output_size, (Sequence, np.ndarray)) and not isinstance(
        output_size, (str, bytes)
    ):
        items = list(output_size)
        if len(items) in (2, 4) and all(is_int(v) for v in items):
            return (int(items[-2]), int(items[-1]))
    raise ParameterError(
        "output_size must be (height, width) or (N, C, height, width) as ints, got {value}",
        value=repr(output_size),
    )


# ---- validation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Setup:
    x4: np.ndarray  # (N, C, H, W) float
    idx: np.ndarray  # (N·C, H·W) integers, validated: 0 <= idx < oH·oW
    out_size: Pair
    ndim: int  # the caller's rank
    default_size: bool  # no output_size given (for the message of a bad index)

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        return (*self.x4.shape[:2], *self.out_size)

    def caller_shape(self, shape4: tuple[int, ...]) -> tuple[int, ...]:
        return shape4[4 - self.ndim :]


def _prepare(
    x: object,
    indices: object,
    kernel_size: object,
    stride: object,
    padding: object,
    output_size: object,
    check_range: bool = True,
) -> _Setup:
    x4, ndim = to_4d(x, "x")
    out_size = unpool_output_size(x4.shape[2:], kernel_size, stride, padding, output_size)
    idx = integer_indices(indices, x4.shape[4 - ndim :], "max_pool2d", unpool=True)
    idx = idx.reshape(x4.shape[0] * x4.shape[1], x4.shape[2] * x4.shape[3])
    if check_range:  # (else the caller checks them block by block: see _block_flat)
        _check_index_range(idx, out_size, output_size is None)
    return _Setup(x4=x4, idx=idx, out_size=out_size, ndim=ndim, default_size=output_size is None)


def _check_index_range(idx: np.ndarray, out_size: Pair, default_size: bool) -> None:
    """Every index must name a cell of its ``oH × oW`` output plane.

    The default size is checked like any other: max pooling a 5×5 input by 2 gives a 2×2
    output whose indices reach 24, but it unpools to 4×4 by default, so index 18 is refused
    (pass ``output_size=(5, 5)``).  An empty output plane accepts no index at all; PyTorch
    returns an empty output there without looking at the indices.
    """
    plane = out_size[0] * out_size[1]
    if _in_range(idx, plane):
        return
    found = {"size": f"{out_size[0]}x{out_size[1]}", "low": int(idx.min()), "high": int(idx.max())}
    if plane == 0:
        raise ParameterError(
            "indices cannot point into an empty {size} output plane; got values from {low} "
            "to {high}",
            **found,
        )
    if default_size:
        raise ParameterError(
            "indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); "
            "got values from {low} to {high}: pass the size of the pooled input as output_size",
            last=plane - 1,
            **found,
        )
    raise ParameterError(
        "indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); "
        "got values from {low} to {high}",
        last=plane - 1,
        **found,
    )


def _blocks(n_planes: int, per_plane: int, plane: int, itemsize: int) -> list[slice]:
    """Runs of whole planes: at most :data:`BLOCK_ELEMENTS` input elements and about
    :data:`BLOCK_BYTES` of output (at least one plane each).

    Only whole planes, so that blocks write apart and may run on any thread.  Many small
    blocks rather than one per thread: the threads take them one after the other
    (:func:`engine.parallel.run_shared`), so a thread that the machine slows down takes fewer.
    """
    per_block = max(
        1,
        min(BLOCK_ELEMENTS // max(1, per_plane), BLOCK_BYTES // max(1, plane * itemsize)),
    )
    return [slice(p, min(n_planes, p + per_block)) for p in range(0, n_planes, per_block)]


def _zeroed_output(n_planes: int, plane: int, dtype: np.dtype) -> tuple[np.ndarray, bool]:
    """The ``(n_planes, plane)`` output, and whether it is zero already.

    Zeros from the kernel when it is large (:data:`FRESH_BYTES`); else uninitialized, for
    each block to zero its own planes on its thread just before it scatters into them, while
    they are in the cache: np.zeros of memory that malloc reuses is a memset in the caller, a
    fifth of the call on one thread, and its output is out of the cache again by the scatter.
    """
    shape = (n_planes, plane)
    if n_planes * plane * np.dtype(dtype).itemsize >= FRESH_BYTES:
        return np.zeros(shape, dtype), True
    return np.empty(shape, dtype), False


def _run(work: Callable[[slice], None], blocks: list[slice], elements: int) -> None:
    """``work(block)`` for every block, on the pooling threads when there is enough work."""
    parallel.run_shared(work, blocks, parallel=elements >= pooling.MIN_PARALLEL_WINDOWS)


def _in_range(rows: np.ndarray, plane: int) -> bool:
    """Whether every index of ``rows`` lies in ``0 .. plane − 1``."""
    if rows.size == 0:
        return True
    if rows.dtype == np.int64:
        # One pass: seen as unsigned, a negative index is huge, so max() catches both ends.
        return int(rows.view(np.uint64).max()) < plane
    return int(rows.min()) >= 0 and int(rows.max()) < plane


@functools.lru_cache(maxsize=8)
def _plane_starts(n_planes: int, per_plane: int, plane: int) -> np.ndarray:
    """Each input element's output plane start, for ``n_planes`` planes laid end to end.

    Read-only and shared (cached): a block's flat positions are one 1-D addition with it.
    """
    starts = np.repeat(np.arange(n_planes, dtype=np.int64) * plane, per_plane)
    starts.flags.writeable = False
    return starts


def _block_flat(s: _Setup, block: slice, size: int) -> np.ndarray:
    """Flat positions of ``s.idx[block]`` inside the block's output planes, laid end to end,
    in the calling thread's scratch of ``size`` (the largest block's) elements.

    The block's indices are checked first: a bad one raises the :class:`ParameterError` of
    :func:`_check_index_range` on all of them, the same message whichever block found it.
    """
    rows = s.idx[block]
    plane = s.out_size[0] * s.out_size[1]
    if not _in_range(rows, plane):
        _check_index_range(s.idx, s.out_size, s.default_size)  # raises
    # One array of the largest block's size, so that the last block's smaller size does not
    # replace the thread's kept array (see Scratch).
    flat = Scratch("max_unpool2d", np.dtype(np.int64)).empty("flat", (size,))[: rows.size]
    starts = _plane_starts(rows.shape[0], rows.shape[1], plane)
    # One 1-D addition: adding the (planes, 1) column of plane starts instead sends NumPy
    # through its buffered broadcasting loop, which took 1.3 of the 0.8 ms this takes for
    # engine_bench's 8x64x56² input (int64), in each of the forward and the backward.
    np.add(rows.reshape(-1), starts, out=flat, dtype=np.int64, casting="unsafe")  # any int
    return flat


# ---- forward ------------------------------------------------------------------------------------
def max_unpool2d(
    x: object,
    indices: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    output_size: object = None,
) -> np.ndarray:
    """Max unpooling, as ``torch.nn.functional.max_unpool2d``.

    Parameters
    ----------
    x : array, shape (C, H, W) or (N, C, H, W); also (H, W), like :func:`engine.max_pool2d`
        The pooled values.  Integers are computed in float64.
    indices : integer array, same shape as ``x``
        Where each value goes: the flat ``row * oW + col`` position inside its own ``(n, c)``
        output plane, as ``max_pool2d(..., return_indices=True)`` returns it.  Every index
        must lie in ``0 .. oH·oW − 1``.
    kernel_size, stride, padding : int or (h, w) pair
        Used only for the default output size; ``stride=None`` means ``kernel_size``.
    output_size : (oH, oW) or (N, C, oH, oW), optional
        Strictly between ``default − stride`` and ``default + stride`` per axis.  Needed to
        restore an odd-sized input: max pooling 5×5 by 2 and unpooling gives 4×4 by default.

    Returns
    -------
    y : array, shape (..., oH, oW), same rank and float dtype as ``x``
        ``y[n, c].flat[indices[n, c, h, w]] = x[n, c, h, w]``; 0 everywhere else.
        Default ``oH = (H − 1)·stride − 2·padding + kernel_size``, likewise ``oW``.

    Raises
    ------
    ParameterError
        (a ``ValueError``) naming the parameter, its value and the rule.

    Notes
    -----
    **Duplicate indices.**  When several inputs of a plane name the same cell, the last one in
    row-major (h, w) order wins.  PyTorch writes them from parallel threads and the winner
    varies from run to run (issues #78249, #80827); with one thread it is the last one, too.
    Indices from max pooling with overlapping windows repeat only with equal values (the same
    maximum), so the choice only matters for hand-made indices.

    Examples
    --------
    >>> max_unpool2d([[5.0, 7.0]], [[1, 2]], kernel_size=(1, 2))
    array([[0., 5., 7., 0.]])
    """
    s = _prepare(x, indices, kernel_size, stride, padding, output_size, check_range=False)
    n_planes, per_plane = s.idx.shape
    plane = s.out_size[0] * s.out_size[1]
    x_planes = s.x4.reshape(n_planes, per_plane)
    out, zeroed = _zeroed_output(n_planes, plane, s.x4.dtype)
    blocks = _blocks(n_planes, per_plane, plane, out.itemsize)
    size = max((b.stop - b.start for b in blocks), default=0) * per_plane

    def unpool(block: slice) -> None:
        target = out[block].reshape(-1)
        flat = _block_flat(s, block, size)
        if not zeroed:
            target.fill(0)
        # A 1-D integer-array assignment writes in index order, so the last duplicate wins.
        # (NumPy documents no order for repeated indices; a test pins this behaviour.)
        target[flat] = x_planes[block].reshape(-1)

    _run(unpool, blocks, s.idx.size)
    return from_4d(out.reshape(s.out_shape), s.ndim)


# ---- backward -----------------------------------------------------------------------------------
def max_unpool2d_backward(
    grad_output: object,
    x: object,
    indices: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    output_size: object = None,
) -> np.ndarray:
    """Gradient of :func:`max_unpool2d` with respect to ``x``: a gather, as PyTorch's.

    Parameters
    ----------
    grad_output : array, shape of ``max_unpool2d``'s output
    x, indices, kernel_size, stride, padding, output_size : as in :func:`max_unpool2d`

    Returns
    -------
    grad_input : array, shape of ``x``
        ``grad_input[n, c, h, w] = grad_output[n, c].flat[indices[n, c, h, w]]``.

    Notes
    -----
    With duplicate indices every duplicate receives the cell's gradient, although the forward
    pass kept only one of them (so the sum over a plane's duplicates is counted several times).
    That is PyTorch's behaviour (issue #80827 and its neighbours); without duplicates it is the
    exact derivative.
    """
    s = _prepare(x, indices, kernel_size, stride, padding, output_size, check_range=False)
    gy_arr = np.asarray(grad_output)
    expected = s.caller_shape(s.out_shape)
    check_grad_shape(gy_arr.shape, expected)
    gy_arr = as_float_array(gy_arr, "grad_output")  # refuses bools and strings
    n_planes, per_plane = s.idx.shape
    plane = s.out_size[0] * s.out_size[1]
    # The gradient has x's dtype, as in PyTorch.
    gy = np.ascontiguousarray(gy_arr, dtype=s.x4.dtype).reshape(n_planes, plane)
    grad = np.empty((n_planes, per_plane), dtype=s.x4.dtype)
    blocks = _blocks(n_planes, per_plane, plane, grad.itemsize)
    size = max((b.stop - b.start for b in blocks), default=0) * per_plane

    def gather(block: slice) -> None:
        flat = _block_flat(s, block, size)
        # mode="clip" skips the per-element bounds check (the indices are checked) and lets
        # np.take write straight into ``grad`` without buffering.
        np.take(gy[block].reshape(-1), flat, out=grad[block].reshape(-1), mode="clip")

    _run(gather, blocks, s.idx.size)
    return from_4d(grad.reshape(s.x4.shape), s.ndim)

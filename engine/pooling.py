"""Max and average pooling, forward and backward, with PyTorch 2.13's semantics.

Each backward rule sits right below its forward rule.  The vectorised code loops over the
kernel taps (a handful) and reads every window at once through strided slices of a padded
canvas, so it never copies the full ``(out_h, out_w, k_h, k_w)`` window tensor.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from engine.arrays import from_4d, to_4d
from engine.geometry import WindowGeometry, pool_geometry

TiePolicy = Literal["first", "all", "split"]
TIE_POLICIES: tuple[str, ...] = ("first", "all", "split")


# ---- shared helpers ---------------------------------------------------------------------------
def _padded(x4: np.ndarray, g: WindowGeometry, fill: float) -> np.ndarray:
    (top, bottom), (left, right) = g.canvas_pad
    return np.pad(x4, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=fill)


def _taps(g: WindowGeometry, reverse: bool = False) -> Iterator[tuple[int, int, slice, slice]]:
    kh, kw = g.kernel
    order = [(i, j) for i in range(kh) for j in range(kw)]
    for i, j in reversed(order) if reverse else order:
        rows, cols = g.tap_slices(i, j)
        yield i, j, rows, cols


def _crop(canvas: np.ndarray, g: WindowGeometry) -> np.ndarray:
    (top, _), (left, _) = g.canvas_pad
    h, w = g.in_size
    return canvas[..., top : top + h, left : left + w]


def _check_grad_output(
    grad_output: object, x4: np.ndarray, ndim: int, g: WindowGeometry
) -> np.ndarray:
    gy = np.asarray(grad_output)
    expected = x4.shape[:2] + g.out_size
    expected_caller = expected[4 - ndim :]
    if gy.shape != expected_caller:
        raise ValueError(
            f"grad_output shape {gy.shape} must match the output shape {expected_caller}"
        )
    if gy.dtype.kind not in "iuf":
        raise ValueError(f"grad_output must hold real numbers, got dtype {gy.dtype}")
    return gy.reshape(expected).astype(np.result_type(x4.dtype, np.float32), copy=False)


def validate_ties(ties: object) -> None:
    """Raise ``ValueError`` unless ``ties`` is one of :data:`TIE_POLICIES`."""
    if ties not in TIE_POLICIES:
        raise ValueError(f"ties ({ties!r}) must be one of 'first', 'all' or 'split'")


# ---- max pooling ------------------------------------------------------------------------------
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
    """Running max over the taps: PyTorch's scan order, tie rule and NaN rule (spec §3.8)."""
    xp = _padded(x4, g, -np.inf)
    width = g.in_size[1]
    rows = g.tap_coords(0)
    cols = g.tap_coords(1)
    best = np.full(x4.shape[:2] + g.out_size, -np.inf, dtype=x4.dtype)
    # Start at the first real tap, so an all −∞ window points at a real element, not padding.
    first = g.first_real_tap(0)[:, None] * width + g.first_real_tap(1)[None, :]
    idx = np.broadcast_to(first, best.shape).astype(np.int64)
    for i, j, rs, cs in _taps(g):
        v = xp[..., rs, cs]
        take = (v > best) | np.isnan(v)
        best = np.where(take, v, best)
        idx = np.where(take, rows[:, i, None] * width + cols[None, :, j], idx)
    return best, idx


def max_pool2d_backward(
    grad_output: object,
    x: object,
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
    ties: TiePolicy = "first",
) -> np.ndarray:
    """Gradient of :func:`max_pool2d` with respect to ``x``.

    Parameters
    ----------
    grad_output : array, shape of ``max_pool2d``'s output
    x : array, shape (H, W), (C, H, W) or (N, C, H, W)
    ties : {'first', 'all', 'split'}
        Who receives a window's gradient: the first maximum (PyTorch), every tied maximum
        in full (what ``x == window.max()`` mask code does), or all tied maxima in equal shares.

    Returns
    -------
    grad_input : array, shape of ``x``
        Windows that overlap on the same winner add up.
    """
    validate_ties(ties)
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, dilation, ceil_mode)
    gy = _check_grad_output(grad_output, x4, ndim, g)
    if ties == "first":
        _, idx = _max_scan(x4, g)
        gi = _scatter_indices(gy, idx, g, x4.shape, accumulate=_windows_overlap(g))
    else:
        canvas = np.zeros(x4.shape[:2] + _canvas_shape(g), dtype=gy.dtype)
        winners, counts = _tie_winners(x4, g)
        share = gy / counts if ties == "split" else gy
        for (_, _, rs, cs), win in zip(_taps(g), winners, strict=True):
            canvas[..., rs, cs] += np.where(win, share, 0)
        gi = _crop(canvas, g)
    return from_4d(np.ascontiguousarray(gi), ndim)


def _canvas_shape(g: WindowGeometry) -> tuple[int, int]:
    (top, bottom), (left, right) = g.canvas_pad
    return (g.in_size[0] + top + bottom, g.in_size[1] + left + right)


def _scatter_indices(
    gy: np.ndarray,
    idx: np.ndarray,
    g: WindowGeometry,
    shape: tuple[int, ...],
    accumulate: bool = True,
) -> np.ndarray:
    """``grad_in.flat[idx] += grad_out`` plane by plane, in (oh, ow) order like PyTorch."""
    n, c, h, w = shape
    plane = h * w
    # A window with no real tap (PyTorch #114216) adds nothing.  Test the window, not the index:
    # its index h0 * W + w0 may alias a real element of a later row, which it never read.
    valid = np.broadcast_to(g.reads_input(), idx.shape)
    offsets = (np.arange(n * c) * plane).reshape(n, c, 1, 1)
    flat_idx = (idx + offsets)[valid]
    gi = np.zeros(n * c * plane, dtype=gy.dtype)
    if accumulate:
        np.add.at(gi, flat_idx, gy[valid])
    else:
        gi[flat_idx] = gy[valid]  # every element wins at most one window: plain assignment
    return gi.reshape(shape)


def _windows_overlap(g: WindowGeometry) -> bool:
    spans = [(g.kernel[a] - 1) * g.dilation[a] + 1 for a in (0, 1)]
    return any(g.stride[a] < spans[a] for a in (0, 1))


def _tie_winners(x4: np.ndarray, g: WindowGeometry) -> tuple[list[np.ndarray], np.ndarray]:
    """Per tap, whether it holds its window's maximum; and how many taps tie per window.

    Only real taps can win.  A NaN window is won by the tap PyTorch's index points at.
    """
    best, idx = _max_scan(x4, g)
    xp = _padded(x4, g, -np.inf)
    width = g.in_size[1]
    rows, cols = g.tap_coords(0), g.tap_coords(1)
    valid_r, valid_c = g.tap_valid(0), g.tap_valid(1)
    nan_window = np.isnan(best)
    winners = []
    counts = np.zeros(best.shape, dtype=np.int64)
    for i, j, rs, cs in _taps(g):
        real = valid_r[:, i, None] & valid_c[None, :, j]
        flat = rows[:, i, None] * width + cols[None, :, j]
        win = np.where(nan_window, idx == flat, xp[..., rs, cs] == best) & real
        winners.append(win)
        counts += win
    return winners, np.maximum(counts, 1)


@dataclass(frozen=True)
class ArgmaxMask:
    """Which input elements win which max-pooling windows.

    Attributes
    ----------
    winners : bool array, shape (N, C, out_H, out_W, kH, kW)
        Whether each tap of each window holds that window's maximum (under the tie policy).
    counts : int array, shape of the input
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
    if ties == "first":
        best, idx = _max_scan(x4, g)
        width = g.in_size[1]
        rows, cols = g.tap_coords(0), g.tap_coords(1)
        valid_r, valid_c = g.tap_valid(0), g.tap_valid(1)
        # Only a real tap can win: a padding tap's flat index may alias a real element.
        winners = [
            (idx == rows[:, i, None] * width + cols[None, :, j])
            & valid_r[:, i, None]
            & valid_c[None, :, j]
            for i, j, _, _ in _taps(g)
        ]
        ones = np.ones(best.shape)
        counts = _scatter_indices(ones, idx, g, x4.shape)
    else:
        winners, _ = _tie_winners(x4, g)
    stacked = np.stack(winners, axis=-1).reshape(winners[0].shape + g.kernel)
    if ties != "first":
        counts = scatter_taps(stacked.astype(np.int64), g)
    return ArgmaxMask(
        winners=stacked,
        counts=from_4d(np.ascontiguousarray(counts).astype(np.int64), ndim),
        geometry=g,
        ndim=ndim,
    )


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
    lead = per_tap.shape[:-4]
    canvas = np.zeros(lead + _canvas_shape(g), dtype=per_tap.dtype)
    for i, j, rs, cs in _taps(g):
        canvas[..., rs, cs] += per_tap[..., i, j]
    return np.ascontiguousarray(_crop(canvas, g))


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
    """
    x4, ndim = to_4d(x)
    g = pool_geometry(x4.shape[2:], kernel_size, stride, padding, 1, ceil_mode)
    divisor = avg_divisors(g, count_include_pad, divisor_override)
    xp = _padded(x4, g, 0.0)
    acc = np.zeros(x4.shape[:2] + g.out_size, dtype=x4.dtype)
    for _, _, rs, cs in _taps(g):
        acc = acc + xp[..., rs, cs]  # sequential row-major sum, the bits PyTorch produces
    return from_4d(acc / divisor.astype(x4.dtype), ndim)


def avg_divisors(
    g: WindowGeometry, count_include_pad: bool = True, divisor_override: int | None = None
) -> np.ndarray:
    """The number each average-pooling window is divided by, shape ``(out_H, out_W)``.

    Raises
    ------
    ValueError
        If ``divisor_override`` is zero or not an int.
    """
    if divisor_override is not None:
        if isinstance(divisor_override, (bool, np.bool_)) or not isinstance(
            divisor_override, (int, np.integer)
        ):
            raise ValueError(f"divisor_override must be an int or None, got {divisor_override!r}")
        if divisor_override == 0:
            raise ValueError("divisor_override (0) must not be zero")
        return np.full(g.out_size, int(divisor_override), dtype=np.int64)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise ValueError(f"count_include_pad must be True or False, got {count_include_pad!r}")
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
    delta = gy / divisor.astype(gy.dtype)
    canvas = np.zeros(x4.shape[:2] + _canvas_shape(g), dtype=gy.dtype)
    # Reverse tap order gives every element its contributions in increasing (oh, ow) order,
    # which is PyTorch's order (bitwise, spec §4.5).
    for _, _, rs, cs in _taps(g, reverse=True):
        canvas[..., rs, cs] += delta
    return from_4d(np.ascontiguousarray(_crop(canvas, g)), ndim)

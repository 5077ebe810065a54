"""Window geometry: the one place sliding-window coordinates come from.

Everything that needs to know *where* a window lies — the vectorised forward and backward
passes, the argmax masks, the plain-loop reference and the step trace — asks a
:class:`WindowGeometry`.  Validation lives here too, so every operation accepts and rejects
exactly the same parameter combinations (PyTorch 2.13's decisions) and says why in words.

Coordinates are per spatial axis: output index ``o`` reads input coordinates
``o * stride - pad_before + j * dilation`` for ``j = 0 .. kernel - 1``.  A coordinate outside
``[0, size)`` is *padding* when it lies within the explicit padding, and *overhang* when it lies
beyond it (only ``ceil_mode`` windows reach that far).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, SupportsInt, TypeGuard, overload

import numpy as np

from engine.errors import Message, ParameterError

Pair = tuple[int, int]
TapKind = Literal["input", "padding", "overhang"]
#: Kinds of the cells of an input canvas as numbers (an int8 ``kinds`` array): an input cell,
#: padding, the ``ceil_mode`` overhang, a zero inserted between input cells (a transposed
#: convolution computed as a convolution).  The views colour cells by these.
CANVAS_INPUT, CANVAS_PADDING, CANVAS_OVERHANG, CANVAS_INSERTED = 0, 1, 2, 3

# Words inside a message: Messages, so that the visualizer translates them too.
_AXIS_NAMES = (Message("height"), Message("width"))


def format_pair(pair: Pair) -> str:
    """Show ``(3, 3)`` as ``3`` and ``(3, 2)`` as ``(3, 2)``, the way a user typed it."""
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def bare_pair(pair: Pair) -> str:
    """:func:`format_pair` for a value a message already puts in parentheses.

    Parameters
    ----------
    pair : (h, w)

    Returns
    -------
    str
        ``3`` for ``(3, 3)`` and ``3, 2`` for ``(3, 2)``: the text inside "name (…)".
    """
    return format_pair(pair).strip("()")


@overload
def normalize_pair(
    value: object, name: str, *, allow_none: Literal[False] = ..., int64: bool = ...
) -> Pair: ...
@overload
def normalize_pair(
    value: object, name: str, *, allow_none: bool, int64: bool = ...
) -> Pair | None: ...
def normalize_pair(
    value: object, name: str, *, allow_none: bool = False, int64: bool = True
) -> Pair | None:
    """Turn an int, a 1-tuple or a pair into an ``(h, w)`` pair of Python ints.

    A 0-d integer array counts as its number (PyTorch takes a 0-d tensor).  With ``int64``
    (the default) each int must fit in 64 bits, as PyTorch requires.

    Raises
    ------
    ParameterError
        If ``value`` is not an int or a sequence of one or two ints (bools and floats are
        refused), or an int does not fit in 64 bits.
    """
    if value is None and allow_none:
        return None
    given = value
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array is its one number, as PyTorch takes a 0-d tensor
    if is_int(value):
        number = check_int64(value, name) if int64 else int(value)
        return (number, number)
    if isinstance(value, (Sequence, np.ndarray)) and not isinstance(value, (str, bytes)):
        items = list(value)
        if len(items) == 0 and allow_none:
            return None
        if len(items) in (1, 2) and all(is_int(v) for v in items):
            ints = [check_int64(v, name) if int64 else int(v) for v in items]
            return (ints[0], ints[-1])
    raise ParameterError(
        "{name} must be a single int or a pair of ints (height, width), got {value}",
        name=name,
        value=repr(given),
    )


def is_int(value: object) -> TypeGuard[numbers.Integral]:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


#: PyTorch takes every int parameter as a 64-bit integer and refuses a larger one.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: The most values one output plane may have: NumPy refuses an array of more than 2**63 − 1
#: bytes ("array is too big", "Maximum allowed dimension exceeded"), so one float64 plane can
#: never hold more than this.  (Smaller but still huge outputs raise NumPy's MemoryError.)
MAX_PLANE_ELEMENTS = INT64_MAX // 8


def check_int64(value: SupportsInt, name: str) -> int:
    """``value`` as a Python int, if it fits in 64 bits as PyTorch requires.

    Raises
    ------
    ParameterError
        If it does not (PyTorch: "Overflow when unpacking long long"); without this check NumPy
        would raise an ``OverflowError`` somewhere inside the computation.
    """
    number = int(value)
    if not INT64_MIN <= number <= INT64_MAX:
        raise ParameterError(
            "{name} ({value}) does not fit in a 64-bit integer: it must lie in "
            "{low}..{high}, as in PyTorch",
            name=name,
            value=number,
            low=INT64_MIN,
            high=INT64_MAX,
        )
    return number


class TapRegion(NamedTuple):
    """Where one kernel tap reads real input, as two aligned rectangles.

    Tap ``(i, j)`` of output ``(out_rows, out_cols)`` reads input ``(in_rows, in_cols)``, element
    for element: ``y[..., out_rows, out_cols]`` lines up with ``x[..., in_rows, in_cols]``.
    Windows outside ``out_rows`` × ``out_cols`` read padding or overhang with this tap.
    """

    i: int
    j: int
    out_rows: slice
    out_cols: slice
    in_rows: slice
    in_cols: slice

    def in_flat(self, width: int) -> np.ndarray:
        """Flat ``row * width + col`` position of every element the tap reads, 2-D like ``x``."""
        rows = np.arange(self.in_rows.start, self.in_rows.stop, self.in_rows.step)
        cols = np.arange(self.in_cols.start, self.in_cols.stop, self.in_cols.step)
        return rows[:, None] * width + cols[None, :]


class DroppedWindow(NamedTuple):
    """A window ``ceil_mode`` would add but PyTorch drops: it would start outside the input.

    ``out_pos`` is the output index it would have had, ``rows`` and ``cols`` the cells of its
    span in input coordinates (contiguous ranges; a dilated window's taps are every
    ``dilation``-th of them).
    """

    out_pos: Pair
    rows: range
    cols: range


@dataclass(frozen=True)
class WindowGeometry:
    """Where every window of a 2-D sliding-window operation lies.

    Attributes
    ----------
    in_size : (H, W) of one input plane.
    kernel : (kH, kW) number of taps per axis.
    stride, dilation : per-axis step between windows and between taps.
    pad_before, pad_after : explicit padding (top, left) and (bottom, right).
    ceil_mode : whether the output size was rounded up.
    out_size : (out_H, out_W).
    """

    in_size: Pair
    kernel: Pair
    stride: Pair
    dilation: Pair
    pad_before: Pair
    pad_after: Pair
    ceil_mode: bool
    out_size: Pair

    # ---- per-axis coordinates -------------------------------------------------------------
    def starts(self, axis: int) -> np.ndarray:
        """First tap coordinate of every window along ``axis`` (0 = rows), shape ``(out,)``."""
        return np.arange(self.out_size[axis]) * self.stride[axis] - self.pad_before[axis]

    def tap_coords(self, axis: int) -> np.ndarray:
        """Input coordinate of every tap along ``axis``, shape ``(out, kernel)``."""
        taps = np.arange(self.kernel[axis]) * self.dilation[axis]
        return self.starts(axis)[:, None] + taps[None, :]

    def tap_valid(self, axis: int) -> np.ndarray:
        """Whether each tap of :meth:`tap_coords` reads a real input element, ``(out, kernel)``."""
        coords = self.tap_coords(axis)
        return (coords >= 0) & (coords < self.in_size[axis])

    def window_extent(self, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Half-open span ``[start, stop)`` of every window clipped at the padded border.

        This is the span average pooling divides by under ``count_include_pad``: explicit
        padding counts, the ``ceil_mode`` overhang beyond it does not.
        """
        start = self.starts(axis)
        span = (self.kernel[axis] - 1) * self.dilation[axis] + 1
        stop = np.minimum(start + span, self.in_size[axis] + self.pad_after[axis])
        return start, stop

    def real_extent(self, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Span ``[start, stop)`` of every window clipped to the real input."""
        start, stop = self.window_extent(axis)
        return np.maximum(start, 0), np.minimum(stop, self.in_size[axis])

    def first_real_tap(self, axis: int) -> np.ndarray:
        """Coordinate of the first tap at or after 0 in every window, shape ``(out,)``.

        It may still be ``>= size`` when dilation jumps over the whole input (PyTorch issue
        #114216); such a window has no real tap.
        """
        start = self.starts(axis)
        d = self.dilation[axis]
        first: np.ndarray = start + (-(-np.maximum(0, -start) // d)) * d
        return first

    def reads_input(self) -> np.ndarray:
        """Whether each window has at least one real tap, bool ``(out_H, out_W)``.

        False only where dilation jumps over the whole input (PyTorch issue #114216).
        """
        rows = self.first_real_tap(0) < self.in_size[0]
        cols = self.first_real_tap(1) < self.in_size[1]
        return rows[:, None] & cols[None, :]

    # ---- padded canvas ------------------------------------------------------------------------
    @property
    def canvas_pad(self) -> tuple[Pair, Pair]:
        """``((top, bottom), (left, right))`` padding that makes every tap an in-bounds index.

        The bottom/right amounts cover the ``ceil_mode`` overhang as well as explicit padding.
        """
        result = []
        for axis in (0, 1):
            last = (self.out_size[axis] - 1) * self.stride[axis] - self.pad_before[axis]
            end = last + (self.kernel[axis] - 1) * self.dilation[axis] + 1
            after = max(0, end - self.in_size[axis])
            result.append((self.pad_before[axis], after))
        return result[0], result[1]

    @property
    def shown_pad(self) -> tuple[Pair, Pair]:
        """:attr:`canvas_pad` grown at the bottom and right to hold the dropped windows.

        The padding ring an input view draws: every tap of every window, and every window
        ``ceil_mode`` drops (see :meth:`dropped_windows`), so that a student sees the window
        PyTorch leaves out.  Equal to :attr:`canvas_pad` when no window is dropped.

        Returns
        -------
        ((top, bottom), (left, right)) : pairs of int
        """
        pads = self.canvas_pad
        result = []
        for axis in (0, 1):
            before, after = pads[axis]
            _, stops = self.dropped_extent(axis)
            if stops.size:
                after = max(after, int(stops.max()) - self.in_size[axis])
            result.append((before, after))
        return result[0], result[1]

    # ---- windows that ceil_mode drops ---------------------------------------------------------
    def dropped_starts(self, axis: int) -> np.ndarray:
        """First tap coordinate of every window PyTorch drops along ``axis``, shape ``(n,)``.

        ``ceil_mode`` rounds the output size up, which may add a window that would start at or
        beyond ``in_size + pad_before`` in the padded input (outside the input, or in its right
        padding); PyTorch drops such a window (see :func:`pool_output_size`).  Its index along
        ``axis`` would have been ``out_size[axis] + k`` for the ``k``-th dropped start.

        Parameters
        ----------
        axis : int
            0 for rows, 1 for columns.

        Returns
        -------
        np.ndarray
            int64, shape ``(n,)`` with ``n`` 0 or 1 (the rule drops at most one window per
            axis); always empty without ``ceil_mode``.  Input coordinates: the dropped
            window's first tap is ``>= in_size[axis]``.
        """
        if not self.ceil_mode:
            return np.zeros(0, dtype=np.int64)
        size, stride = self.in_size[axis], self.stride[axis]
        before, after = self.pad_before[axis], self.pad_after[axis]
        span = (self.kernel[axis] - 1) * self.dilation[axis] + 1
        rounded_up = (size + before + after - span + stride - 1) // stride + 1
        starts = np.arange(self.out_size[axis], rounded_up, dtype=np.int64) * stride - before
        dropped: np.ndarray = starts[starts >= size]
        return dropped

    def dropped_extent(self, axis: int) -> tuple[np.ndarray, np.ndarray]:
        """Half-open span ``[start, stop)`` of every dropped window along ``axis``.

        Returns
        -------
        (start, stop) : np.ndarray, np.ndarray
            int64, each shape ``(n,)`` as :meth:`dropped_starts`; ``stop - start`` is the
            dilated window's span ``(kernel - 1) * dilation + 1``.  Input coordinates, not
            clipped: the cells lie in the right (bottom) padding or beyond it.
        """
        start = self.dropped_starts(axis)
        span = (self.kernel[axis] - 1) * self.dilation[axis] + 1
        return start, start + span

    def dropped_windows(self) -> list[DroppedWindow]:
        """Every 2-D window ``ceil_mode`` drops, row-major by the output index it would have had.

        A window is dropped when it is dropped along either axis (:meth:`dropped_starts`): with
        a column of windows dropped, each kept row of windows loses its window in that column.

        Returns
        -------
        list of DroppedWindow
            ``out_pos`` ``(oh, ow)`` with ``oh >= out_H`` or ``ow >= out_W``; ``rows`` and
            ``cols`` the cells of the window's span as contiguous ``range``\\ s (input
            coordinates).  Empty without ``ceil_mode`` or when no window is dropped.
        """
        axes = []
        for axis in (0, 1):
            kept = self.starts(axis)
            dropped = self.dropped_starts(axis)
            axes.append([int(v) for v in np.concatenate([kept, dropped])])
        if len(axes[0]) == self.out_size[0] and len(axes[1]) == self.out_size[1]:
            return []
        span = [(self.kernel[a] - 1) * self.dilation[a] + 1 for a in (0, 1)]
        windows = []
        for oh, r0 in enumerate(axes[0]):
            for ow, c0 in enumerate(axes[1]):
                if oh < self.out_size[0] and ow < self.out_size[1]:
                    continue
                rows, cols = range(r0, r0 + span[0]), range(c0, c0 + span[1])
                windows.append(DroppedWindow((oh, ow), rows, cols))
        return windows

    # ---- real taps, without a padded canvas ------------------------------------------------
    def real_tap_regions(
        self, reverse: bool = False, out_rows: tuple[int, int] | None = None
    ) -> list[TapRegion]:
        """The taps that read real input, each with the windows that read it through that tap.

        Padding reads nothing (max pooling skips it, sums add 0), so a vectorised pass can loop
        over these regions and never build a padded copy of the input.

        Parameters
        ----------
        reverse : bool
            Reverse row-major tap order (for backward passes that must add in (oh, ow) order).
        out_rows : (start, stop), optional
            Only output rows ``start <= oh < stop`` (a band of a large output).

        Returns
        -------
        list of TapRegion
            In row-major tap order (or reversed); taps that read only padding are left out.
        """
        lo, hi = (0, self.out_size[0]) if out_rows is None else out_rows
        kh, kw = self.kernel
        row_spans = [self._real_span(0, i, lo, hi) for i in range(kh)]
        col_spans = [self._real_span(1, j, 0, self.out_size[1]) for j in range(kw)]
        order = [(i, j) for i in range(kh) for j in range(kw)]
        regions = []
        for i, j in reversed(order) if reverse else order:
            rows, cols = row_spans[i], col_spans[j]
            if rows is not None and cols is not None:
                regions.append(TapRegion(i, j, rows[0], cols[0], rows[1], cols[1]))
        return regions

    def _real_span(self, axis: int, tap: int, lo: int, hi: int) -> tuple[slice, slice] | None:
        """Outputs in ``[lo, hi)`` whose ``tap`` reads a real coordinate, and those coordinates.

        Output ``o`` reads coordinate ``o * stride + base`` (see :meth:`tap_coords`), which grows
        with ``o``: the real ones, ``0 <= coordinate < size``, form one contiguous run.
        """
        step = self.stride[axis]
        base = tap * self.dilation[axis] - self.pad_before[axis]  # what output 0 reads
        first = max(lo, -(base // step))  # the first o with o * step + base >= 0
        last = min(hi - 1, (self.in_size[axis] - 1 - base) // step)  # the last one < size
        if first > last:
            return None
        start = first * step + base
        stop = start + (last - first) * step + 1
        return slice(first, last + 1), slice(start, stop, step)

    # ---- one window, for traces and the GUI ---------------------------------------------------
    def classify(self, row: int, col: int) -> TapKind:
        """Whether input coordinate ``(row, col)`` is a real element, padding or overhang."""
        h, w = self.in_size
        if 0 <= row < h and 0 <= col < w:
            return "input"
        inside_padding = (
            -self.pad_before[0] <= row < h + self.pad_after[0]
            and -self.pad_before[1] <= col < w + self.pad_after[1]
        )
        return "padding" if inside_padding else "overhang"

    def window_taps(self, oh: int, ow: int) -> list[tuple[int, int, int, int]]:
        """Taps of window ``(oh, ow)`` in row-major order as ``(i, j, row, col)``."""
        self._check_out_pos(oh, ow)
        r0 = oh * self.stride[0] - self.pad_before[0]
        c0 = ow * self.stride[1] - self.pad_before[1]
        kh, kw = self.kernel
        dh, dw = self.dilation
        return [(i, j, r0 + i * dh, c0 + j * dw) for i in range(kh) for j in range(kw)]

    def window_ranges(self, oh: int, ow: int) -> tuple[range, range] | None:
        """Rows and columns of window ``(oh, ow)``'s taps as ranges: its taps are every
        (row, column) pair, row-major, tap ``(i, j)`` at ``(rows[i], cols[j])``.  None for a
        geometry whose windows are not rows × columns."""
        self._check_out_pos(oh, ow)
        r0 = oh * self.stride[0] - self.pad_before[0]
        c0 = ow * self.stride[1] - self.pad_before[1]
        (kh, kw), (dh, dw) = self.kernel, self.dilation
        return range(r0, r0 + (kh - 1) * dh + 1, dh), range(c0, c0 + (kw - 1) * dw + 1, dw)

    def window_gaps(self, oh: int, ow: int) -> list[tuple[int, int]]:
        """Input coordinates inside window ``(oh, ow)``'s span that dilation skips over."""
        self._check_out_pos(oh, ow)
        r0 = oh * self.stride[0] - self.pad_before[0]
        c0 = ow * self.stride[1] - self.pad_before[1]
        dh, dw = self.dilation
        span_h = (self.kernel[0] - 1) * dh + 1
        span_w = (self.kernel[1] - 1) * dw + 1
        return [(r0 + r, c0 + c) for r in range(span_h) for c in range(span_w) if r % dh or c % dw]

    def windows_reading(self, row: int, col: int) -> list[tuple[int, int]]:
        """Output positions whose window has a tap on input ``(row, col)``, in row-major order."""
        hits = []
        for oh in self._outputs_reading(0, row):
            for ow in self._outputs_reading(1, col):
                hits.append((oh, ow))
        return hits

    def _outputs_reading(self, axis: int, coord: int) -> list[int]:
        coords = self.tap_coords(axis)
        return [int(o) for o in np.nonzero((coords == coord).any(axis=1))[0]]

    def _check_out_pos(self, oh: int, ow: int) -> None:
        if not (0 <= oh < self.out_size[0] and 0 <= ow < self.out_size[1]):
            raise ParameterError(
                "output position ({position}) is outside the output of size {size}",
                position=f"{oh}, {ow}",
                size=f"{self.out_size[0]}x{self.out_size[1]}",
            )

    @property
    def n_windows(self) -> int:
        return self.out_size[0] * self.out_size[1]

    def position(self, step: int) -> Pair:
        """Output position of window number ``step`` in row-major order."""
        if not 0 <= step < self.n_windows:
            raise ParameterError(
                "step ({step}) must be in 0..{last}", step=step, last=self.n_windows - 1
            )
        return divmod(step, self.out_size[1])


# ---- output size ------------------------------------------------------------------------------
def pool_output_size(
    size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool
) -> int:
    """PyTorch's ``pooling_output_shape`` for one axis (floor division, last-window rule)."""
    eff = dilation * (kernel - 1) + 1
    out = (size + 2 * padding - eff + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        # A window may not *start* in the right padding (PyTorch #45357).
        out -= 1
    return out


def conv_output_size(
    size: int, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int
) -> int:
    """Convolution output size along one axis (always floor)."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


# ---- validation --------------------------------------------------------------------------------
def _require_positive(pair: Pair, name: str) -> None:
    if min(pair) <= 0:
        raise ParameterError(
            "{name} ({value}) must be greater than zero", name=name, value=bare_pair(pair)
        )


def _require_non_negative_padding(pads: Pair) -> None:
    if min(pads) < 0:
        raise ParameterError("padding ({padding}) must be non-negative", padding=bare_pair(pads))


def pool_geometry(
    in_size: tuple[int, ...],
    kernel_size: object,
    stride: object = None,
    padding: object = 0,
    dilation: object = 1,
    ceil_mode: bool = False,
) -> WindowGeometry:
    """Validate pooling parameters and return the window geometry.

    Parameters
    ----------
    in_size : (H, W) of one input plane.
    kernel_size, stride, padding, dilation : int or pair; ``stride=None`` means ``kernel_size``.
    ceil_mode : round the output size up (a last window may still not start in the padding).

    Raises
    ------
    ParameterError
        Naming the parameter, its value and the rule, for every combination PyTorch rejects.
    """
    kernel = normalize_pair(kernel_size, "kernel_size")
    strides = normalize_pair(stride, "stride", allow_none=True) or kernel
    pads = normalize_pair(padding, "padding")
    dil = normalize_pair(dilation, "dilation")
    assert kernel is not None and pads is not None and dil is not None
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise ParameterError("ceil_mode must be True or False, got {value}", value=repr(ceil_mode))
    _require_positive(kernel, "kernel_size")
    _require_positive(strides, "stride")
    _require_positive(dil, "dilation")
    _require_non_negative_padding(pads)
    if pads[0] > kernel[0] // 2 or pads[1] > kernel[1] // 2:
        # PyTorch checks the raw kernel, even when dilated (issues #7541, #44942).
        raise ParameterError(
            "padding ({padding}) must be at most half of kernel_size ({kernel})",
            padding=bare_pair(pads),
            kernel=bare_pair(kernel),
        )
    _require_input_size(in_size)
    out = tuple(
        pool_output_size(in_size[a], kernel[a], strides[a], pads[a], dil[a], bool(ceil_mode))
        for a in (0, 1)
    )
    if min(out) < 1:
        _too_small(in_size, kernel, strides, pads, dil, out, bool(ceil_mode))
    return WindowGeometry(
        in_size=(int(in_size[0]), int(in_size[1])),
        kernel=kernel,
        stride=strides,
        dilation=dil,
        pad_before=pads,
        pad_after=pads,
        ceil_mode=bool(ceil_mode),
        out_size=(out[0], out[1]),
    )


def conv_geometry(
    in_size: tuple[int, ...],
    kernel_hw: tuple[int, ...],
    stride: object = 1,
    padding: object = 0,
    dilation: object = 1,
) -> WindowGeometry:
    """Validate convolution parameters and return the window geometry.

    ``padding`` may be an int, a pair, ``'valid'`` (no padding) or ``'same'`` (output as large as
    the input; stride must be 1; an odd total puts the extra row/column at the bottom/right).

    Raises
    ------
    ParameterError
        Naming the parameter, its value and the rule.
    """
    strides = normalize_pair(stride, "stride")
    dil = normalize_pair(dilation, "dilation")
    assert strides is not None and dil is not None
    _require_positive(strides, "stride")
    _require_positive(dil, "dilation")
    if isinstance(padding, str):
        if padding == "valid":
            before = after = (0, 0)
        elif padding == "same":
            if strides != (1, 1):
                raise ParameterError(
                    "padding ('same') requires stride 1, got stride ({stride})",
                    stride=bare_pair(strides),
                )
            totals = [dil[a] * (kernel_hw[a] - 1) for a in (0, 1)]
            before = (totals[0] // 2, totals[1] // 2)
            after = (totals[0] - before[0], totals[1] - before[1])
        else:
            raise ParameterError(
                "padding ({padding}) must be an int, a pair of ints, 'same' or 'valid'",
                padding=repr(padding),
            )
    else:
        # No 64-bit check here: a huge padding is refused below, saying what the output would be.
        pads = normalize_pair(padding, "padding", int64=False)
        assert pads is not None
        _require_non_negative_padding(pads)
        before = after = pads
    _require_input_size(in_size)
    padded = [in_size[a] + before[a] + after[a] for a in (0, 1)]
    eff = [dil[a] * (kernel_hw[a] - 1) + 1 for a in (0, 1)]
    if padded[0] < eff[0] or padded[1] < eff[1]:
        raise ParameterError(
            "kernel ({kernel} with dilation) must fit inside the padded input ({padded}); "
            "the kernel can't be larger than the input plus padding",
            kernel=f"{eff[0]}x{eff[1]}",
            padded=f"{padded[0]}x{padded[1]}",
        )
    out = tuple(
        conv_output_size(in_size[a], kernel_hw[a], strides[a], before[a], after[a], dil[a])
        for a in (0, 1)
    )
    if out[0] * out[1] > MAX_PLANE_ELEMENTS:
        raise ParameterError(
            "padding ({padding}) is too large: the output would be {out} per channel, "
            "{elements} values, more than an array can hold (at most {limit})",
            padding=bare_pair(before),  # only an int padding can make the output this large
            out=f"{out[0]}x{out[1]}",
            elements=out[0] * out[1],
            limit=MAX_PLANE_ELEMENTS,
        )
    return WindowGeometry(
        in_size=(int(in_size[0]), int(in_size[1])),
        kernel=(int(kernel_hw[0]), int(kernel_hw[1])),
        stride=strides,
        dilation=dil,
        pad_before=before,
        pad_after=after,
        ceil_mode=False,
        out_size=(out[0], out[1]),
    )


def _require_input_size(in_size: tuple[int, ...]) -> None:
    if min(in_size) < 1:
        raise ParameterError(
            "input size ({size}) must be at least 1x1 in height and width",
            size=f"{in_size[0]}x{in_size[1]}",
        )


def _too_small(
    in_size: tuple[int, ...],
    kernel: Pair,
    stride: Pair,
    pads: Pair,
    dil: Pair,
    out: tuple[int, ...],
    ceil: bool,
) -> None:
    axis = 0 if out[0] < 1 else 1
    eff = dil[axis] * (kernel[axis] - 1) + 1
    rounding = "ceil" if ceil else "floor"
    raise ParameterError(
        "kernel_size ({kernel}) is too large for the input ({size}) with stride {stride}, "
        "padding {padding} and dilation {dilation}: the output would be {out}, and it must be "
        "at least 1x1 ({axis}: {formula})",
        kernel=bare_pair(kernel),
        size=f"{in_size[0]}x{in_size[1]}",
        stride=format_pair(stride),
        padding=format_pair(pads),
        dilation=format_pair(dil),
        out=f"{out[0]}x{out[1]}",
        axis=_AXIS_NAMES[axis],
        formula=(
            f"{rounding}(({in_size[axis]} + 2·{pads[axis]} − {eff}) / {stride[axis]}) + 1 "
            f"= {out[axis]}"
        ),
    )


def explain_output_size(
    in_size: Pair,
    kernel: Pair,
    stride: Pair,
    pad_before: Pair,
    pad_after: Pair,
    dilation: Pair,
    ceil_mode: bool,
) -> list[str]:
    """The output-size formula with the numbers substituted, one line per axis.

    Works for valid and invalid parameters alike (it explains, it does not validate), so the
    GUI can show why a setting gives an empty output.  A line with a remark in words is a
    :class:`~engine.errors.Message` (the formula itself is the same in every language).
    """
    lines: list[str] = []
    for axis, (name, out_name) in enumerate((("H", "H_out"), ("W", "W_out"))):
        size, k, s = in_size[axis], kernel[axis], stride[axis]
        p0, p1, d = pad_before[axis], pad_after[axis], dilation[axis]
        pad_text = f"2·{p0}" if p0 == p1 else f"{p0} + {p1}"
        rounding = "ceil" if ceil_mode else "floor"
        if s <= 0 or k <= 0 or d <= 0:
            lines.append(
                Message(
                    "{axis_name}: stride, kernel and dilation must be positive", axis_name=out_name
                )
            )
            continue
        numerator = size + p0 + p1 - d * (k - 1) - 1
        out = (numerator + (s - 1 if ceil_mode else 0)) // s + 1
        line = (
            f"{out_name} = {rounding}(({name} + pad − d·(k−1) − 1) / s) + 1 = "
            f"{rounding}(({size} + {pad_text} − {d}·{k - 1} − 1) / {s}) + 1 = {out}"
        )
        if ceil_mode and (out - 1) * s >= size + p0:
            out -= 1
            line = Message(
                "{message} → {out}: the last window would start in the right padding, "
                "so it is dropped",
                message=line,
                out=out,
            )
        if out < 1:
            line = Message("{message}  ✗ the output must be at least 1", message=line)
        lines.append(line)
    return lines

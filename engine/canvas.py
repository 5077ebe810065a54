"""Tap reads as contiguous runs: a block of pooling windows on a "wide grid".

NumPy's loops over a strided 2-D view pay for every row (a pooling output row of 56 elements
is a short run); over one long contiguous run they are several times faster.  A *canvas*
makes every tap's read such a run:

* The block's input is copied, once, into its stride phases (as in "space to depth"), each
  padded with a fill value (0 for sums, −∞ for maxima) and all of the same width ``Wq``.
  Phase ``(a, b)`` holds padded rows ``a, a + sH, …`` and columns ``b, b + sW, …``; tap
  ``(i, j)`` reads phase ``(i·dH mod sH, j·dW mod sW)`` shifted by ``(i·dH div sH,
  j·dW div sW)``.
* Outputs are computed on a grid ``Wq`` wide: output ``(oh, ow)`` sits at ``oh·Wq + ow``, and
  the columns ``ow >= out_W`` hold garbage that is never looked at.  Then what tap ``(i, j)``
  reads for every output of the block is the run of :attr:`Canvas.length` elements starting
  at the tap's shift ``q_i·Wq + q_j`` in its phase: a ``(B, length)`` view with a contiguous
  last axis.

With stride 1, no padding and a C-contiguous input, the input itself is the canvas (no copy).
Every tap of every window reads something (padding reads the fill value), so the callers
must make sure that the fill value changes nothing: ``+0.0`` added to a sum that is never
``−0.0`` (a sum that starts at ``+0.0`` cannot become ``−0.0``), ``−∞`` under a strict ``>``.
"""

from __future__ import annotations

import functools

import numpy as np

from engine.geometry import WindowGeometry

Phase = tuple[int, int]


def _axis_taps(g: WindowGeometry, axis: int) -> tuple[list[int], list[int]]:
    """Phase and shift of every tap along ``axis``: tap ``k`` reads padded coordinate
    ``o·s + k·d`` = ``(o + shift)·s + phase``."""
    s, d = g.stride[axis], g.dilation[axis]
    offsets = [k * d for k in range(g.kernel[axis])]
    return [o % s for o in offsets], [o // s for o in offsets]


@functools.lru_cache(maxsize=64)
def worth_it(g: WindowGeometry) -> bool:
    """Whether a canvas pays: its garbage columns are at most half of the output's width and
    every window has a real tap (PyTorch #114216 windows keep the region path)."""
    out_w = g.out_size[1]
    wq = out_w + max(_axis_taps(g, 1)[1])
    every_window_reads = all(bool((g.first_real_tap(a) < g.in_size[a]).all()) for a in (0, 1))
    return every_window_reads and wq <= 2 * out_w


class Canvas:
    """The wide-grid layout of the output rows ``first .. stop - 1`` of a geometry.

    Attributes
    ----------
    rows : number of output rows of the block.
    hq, wq : rows and width of every phase.
    length : elements of one plane's run, ``(rows - 1)·wq + out_W``.
    taps : list of ``(i, j, phase, shift)`` in row-major tap order.
    """

    def __init__(self, g: WindowGeometry, first: int, stop: int) -> None:
        self.g, self.first, self.stop = g, first, stop
        row_phase, row_shift = _axis_taps(g, 0)
        col_phase, col_shift = _axis_taps(g, 1)
        self.rows = stop - first
        self.hq = self.rows + max(row_shift)
        self.wq = g.out_size[1] + max(col_shift)
        self.length = (self.rows - 1) * self.wq + g.out_size[1]
        kh, kw = g.kernel
        self.taps = [
            (i, j, (row_phase[i], col_phase[j]), row_shift[i] * self.wq + col_shift[j])
            for i in range(kh)
            for j in range(kw)
        ]
        self.phases = sorted({phase for _, _, phase, _ in self.taps})
        self.direct = (
            g.stride == (1, 1) and g.pad_before == g.pad_after == (0, 0) and self.wq == g.in_size[1]
        )

    def _source(self, phase: Phase) -> tuple[slice, slice, slice, slice]:
        """Where phase ``phase`` lies in the input and which of its cells are real.

        Returns ``(in_rows, in_cols, canvas_rows, canvas_cols)``: the strided input rectangle
        and the rectangle of the phase (rows of ``hq``, columns of ``wq``) it fills.
        """
        g = self.g
        spans = []
        for axis, a, start, count in (
            (0, phase[0], self.first, self.hq),
            (1, phase[1], 0, self.wq),
        ):
            s, size = g.stride[axis], g.in_size[axis]
            origin = start * s + a - g.pad_before[axis]  # input coordinate of canvas cell 0
            lo = min(count, max(0, -(origin // s)))  # the first cell at or after 0
            hi = max(lo, min(count, -((origin - size) // s)))  # the cells below size
            spans.append((slice(origin + lo * s, origin + hi * s, s), slice(lo, hi)))
        (in_rows, c_rows), (in_cols, c_cols) = spans
        return in_rows, in_cols, c_rows, c_cols

    def fill(self, planes: np.ndarray, value: float) -> dict[Phase, np.ndarray]:
        """The phases of ``planes`` (B, H, W), each ``(B, hq·wq)``, padding set to ``value``.

        With :attr:`direct`, the one phase is a view of ``planes`` when that is C-contiguous.
        """
        b = planes.shape[0]
        if self.direct and planes.flags.c_contiguous:
            rows = planes[:, self.first : self.first + self.hq]
            return {(0, 0): rows.reshape(b, self.hq * self.wq)}
        out = {}
        for phase in self.phases:
            flat = np.empty((b, self.hq * self.wq), dtype=planes.dtype)
            grid = flat.reshape(b, self.hq, self.wq)
            in_rows, in_cols, c_rows, c_cols = self._source(phase)
            grid[:, : c_rows.start] = value
            grid[:, c_rows.stop :] = value
            grid[:, c_rows, : c_cols.start] = value
            grid[:, c_rows, c_cols.stop :] = value
            grid[:, c_rows, c_cols] = planes[:, in_rows, in_cols]
            out[phase] = flat
        return out

    def blank(self, n: int, dtype: np.dtype) -> dict[Phase, np.ndarray]:
        """Phases of zeros for ``n`` planes, to add into (then :meth:`store` them)."""
        return {phase: np.zeros((n, self.hq * self.wq), dtype=dtype) for phase in self.phases}

    def store(self, phases: dict[Phase, np.ndarray], planes: np.ndarray) -> None:
        """Copy the real cells of ``phases`` back into ``planes`` (B, H, W) (no-op if direct)."""
        b = planes.shape[0]
        if self.direct and planes.flags.c_contiguous:
            return
        for phase, flat in phases.items():
            in_rows, in_cols, c_rows, c_cols = self._source(phase)
            planes[:, in_rows, in_cols] = flat.reshape(b, self.hq, self.wq)[:, c_rows, c_cols]

    def add_to(self, phases: dict[Phase, np.ndarray], planes: np.ndarray) -> None:
        """Add the real cells of ``phases`` onto ``planes`` (B, H, W) (:meth:`store` adding)."""
        b = planes.shape[0]
        for phase, flat in phases.items():
            in_rows, in_cols, c_rows, c_cols = self._source(phase)
            planes[:, in_rows, in_cols] += flat.reshape(b, self.hq, self.wq)[:, c_rows, c_cols]

    def read(self, phases: dict[Phase, np.ndarray], tap: int) -> np.ndarray:
        """The ``(B, length)`` run tap number ``tap`` (``i·kW + j``) reads."""
        _, _, phase, shift = self.taps[tap]
        return phases[phase][:, shift : shift + self.length]

    def grid(self, b: int, dtype: np.dtype) -> np.ndarray:
        """A fresh ``(B, rows·wq)`` output grid (its first :attr:`length` columns are used)."""
        return np.empty((b, self.rows * self.wq), dtype=dtype)

    def outputs(self, grid: np.ndarray) -> np.ndarray:
        """The real outputs of a ``(B, rows·wq)`` grid: a ``(B, rows, out_W)`` view."""
        return grid.reshape(grid.shape[0], self.rows, self.wq)[:, :, : self.g.out_size[1]]

"""Adaptive pooling's windows as a geometry: windows of different sizes that may overlap.

Shared by ``adaptive_avg_pool2d`` and ``adaptive_max_pool2d``.  Output ``o`` of an axis of
length ``I`` pooled to ``O`` covers ``[floor(o·I/O), ceil((o+1)·I/O))``
(:func:`engine.adaptive.adaptive_bins`).  The geometry answers the questions a trace asks
(which cells a window reads, which windows read a cell) with those bins; ``kernel`` is the
largest bin, and taps of a smaller bin beyond its end are not taps at all (they never read).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.adaptive import adaptive_bins, adaptive_output_size
from engine.errors import Message
from engine.geometry import Pair, WindowGeometry
from engine.ops.spec import INT_LIMIT, QT_TR_NOOP, Params, ParamSpec

#: A coordinate no input has: taps of a bin past its end.
_NOWHERE = -(10**9)

OUTPUT_SIZE = ParamSpec(
    "output_size",
    "pair",
    (2, 2),
    1,
    INT_LIMIT,
    label=QT_TR_NOOP("Output size"),
    help=QT_TR_NOOP(
        "Adaptive pooling: the output size (height × width); the windows adapt to the input. "
        "1 × 1 is global pooling."
    ),
    shortcuts=((QT_TR_NOOP("Global"), (1, 1)),),
    cli="--output-size",
)


@dataclass(frozen=True, eq=False)
class AdaptiveGeometry(WindowGeometry):
    """The windows of adaptive pooling; ``bins[axis]`` is ``(start, stop)`` per output index."""

    bins: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] = (
        (np.zeros(0, np.int64), np.zeros(0, np.int64)),
        (np.zeros(0, np.int64), np.zeros(0, np.int64)),
    )

    def starts(self, axis: int) -> np.ndarray:
        return self.bins[axis][0]

    def tap_coords(self, axis: int) -> np.ndarray:
        start, stop = self.bins[axis]
        coords = start[:, None] + np.arange(self.kernel[axis])[None, :]
        return np.where(coords < stop[:, None], coords, _NOWHERE)

    def window_extent(self, axis: int) -> tuple[np.ndarray, np.ndarray]:
        return self.bins[axis]

    def reads_input(self) -> np.ndarray:
        return np.ones(self.out_size, dtype=bool)

    @property
    def canvas_pad(self) -> tuple[Pair, Pair]:
        return (0, 0), (0, 0)

    def window_taps(self, oh: int, ow: int) -> list[tuple[int, int, int, int]]:
        """Taps of window ``(oh, ow)`` in row-major order as ``(i, j, row, col)``."""
        self._check_out_pos(oh, ow)
        (rs, re), (cs, ce) = self.bins
        r0, r1, c0, c1 = int(rs[oh]), int(re[oh]), int(cs[ow]), int(ce[ow])
        return [(r - r0, c - c0, r, c) for r in range(r0, r1) for c in range(c0, c1)]

    def window_ranges(self, oh: int, ow: int) -> tuple[range, range] | None:
        self._check_out_pos(oh, ow)
        (rs, re), (cs, ce) = self.bins
        return range(int(rs[oh]), int(re[oh])), range(int(cs[ow]), int(ce[ow]))

    def window_gaps(self, oh: int, ow: int) -> list[tuple[int, int]]:
        return []

    def windows_reading(self, row: int, col: int) -> list[tuple[int, int]]:
        (rs, re), (cs, ce) = self.bins
        rows = np.nonzero((rs <= row) & (row < re))[0]
        cols = np.nonzero((cs <= col) & (col < ce))[0]
        return [(int(r), int(c)) for r in rows for c in cols]


def adaptive_geometry(in_size: tuple[int, ...], output_size: Any) -> AdaptiveGeometry:
    """Validate ``output_size`` for an input plane of ``in_size`` and return the windows."""
    h, w = int(in_size[-2]), int(in_size[-1])
    out = adaptive_output_size(output_size, (h, w))
    rows, cols = adaptive_bins(h, out[0]), adaptive_bins(w, out[1])
    k = tuple(int((b[1] - b[0]).max()) if len(b[0]) else 1 for b in (rows, cols))
    return AdaptiveGeometry(
        in_size=(h, w),
        kernel=(k[0], k[1]),
        stride=(1, 1),
        dilation=(1, 1),
        pad_before=(0, 0),
        pad_after=(0, 0),
        ceil_mode=False,
        out_size=(int(out[0]), int(out[1])),
        bins=(rows, cols),
    )


def explain(in_size: tuple[int, int], _w: tuple[int, ...] | None, p: Params) -> list[str]:
    """Each axis's windows: start = floor(i·I/O), stop = ceil((i+1)·I/O), with the numbers."""
    try:
        g = adaptive_geometry(in_size, p["output_size"])
    except ValueError as exc:
        return [f"✗ {exc}"]
    lines: list[str] = []
    for axis, (name, out_name) in enumerate((("H", "H_out"), ("W", "W_out"))):
        size, out = in_size[axis], g.out_size[axis]
        start, stop = g.bins[axis]
        spans = ", ".join(f"[{a}, {b})" for a, b in zip(start.tolist(), stop.tolist(), strict=True))
        # A Message, not an f-string: its words ("window") are translated by the visualizer
        # (the template is in visualizer/engine_messages.py), its formulas and numbers kept.
        lines.append(
            Message(
                "{out_name} = {out}: window i = [floor(i·{name}/{out_name}), "
                "ceil((i+1)·{name}/{out_name})) = [floor(i·{size}/{out}), "
                "ceil((i+1)·{size}/{out})) → {spans}",
                out_name=out_name,
                out=out,
                name=name,
                size=size,
                spans=spans,
            )
        )
    return lines

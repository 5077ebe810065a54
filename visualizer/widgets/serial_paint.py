"""Painting that Qt's raster engine does on the calling thread.

The raster engine blends a batch of 96 spans or more (the rows of a picture or a translucent
fill, more than one span a row under a clip of several rectangles) in Qt's GUI thread pool,
and waits for the pool (``QT_THREAD_PARALLEL_FILLS`` in qdrawhelper.cpp).  A step's repaints
did that some 10 to 45 times (the arrow's translucent edges, the heat maps' pictures and
guides under the arrow's bands): each call took ~30 µs instead of a few, and far longer on a
busy machine, whose cores the pool's threads have to wait for.  Opaque fills never go there
(Qt fills them as a copy); these helpers cut the rest into batches below the threshold.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QRegion

# Rows of one blend that Qt still does on the calling thread (its pool takes (n + 32) // 64 > 1
# segments, i.e. 96 spans and more).
SERIAL_ROWS = 95


def serial_strips(region: QRegion | QRect, ratio: float = 1.0) -> Iterator[QRect]:
    """The rectangles of ``region`` (logical pixels) cut into strips that each cover fewer
    device rows than Qt hands to its thread pool, at a device pixel ``ratio``: each strip,
    as the clip of a blend, gives one span a row."""
    rows = max(1, int(SERIAL_ROWS // max(ratio, 1.0)))
    rects = (region,) if isinstance(region, QRect) else region
    for rect in rects:
        left, width = rect.left(), rect.width()
        y, bottom = rect.top(), rect.bottom()
        while y <= bottom:
            height = min(rows, bottom - y + 1)
            yield QRect(left, y, width, height)
            y += height


def pooled_thread_wakeups() -> int | None:
    """How many times the threads of Qt's pools in this process have been woken so far
    (their voluntary context switches, from Linux's /proc; None elsewhere): the tests and
    benchmarks/gui_bench.py check that stepping wakes none."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return None
    total = 0
    for task in tasks.iterdir():
        try:
            if (task / "comm").read_text().strip() != "Thread (pooled)":
                continue
            status = (task / "status").read_text()
        except OSError:  # a thread that ended meanwhile
            continue
        for line in status.splitlines():
            if line.startswith("voluntary_ctxt_switches"):
                total += int(line.split()[1])
    return total

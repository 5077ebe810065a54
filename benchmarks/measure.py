"""Measuring tools shared by the benchmarks and the memory tests (tests/engine).

Both benchmarks are run as scripts from ``benchmarks/`` (they import this module by its file
name); the tests import it as ``benchmarks.measure`` from the checkout.
"""

from __future__ import annotations

import gc
import os
import tracemalloc
from collections.abc import Callable
from typing import Any


def peak_bytes(work: Callable[[], Any]) -> int:
    """Peak bytes traced by ``tracemalloc`` above the starting level while ``work()`` runs
    (its result included: it is freed only after the peak is read)."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = work()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return max(0, peak - base)


def load_averages() -> tuple[float, float, float] | None:
    """The machine's load average over 1, 5 and 15 minutes, or None where it is unknown."""
    try:
        return os.getloadavg()
    except OSError:
        return None

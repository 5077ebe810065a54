"""Measuring tools shared by the benchmarks and the tests (memory in tests/engine, a fresh
process for the first window in tests/visualizer).

Both benchmarks are run as scripts from ``benchmarks/`` (they import this module by its file
name); the tests import it as ``benchmarks.measure`` from the checkout.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable, Mapping
from pathlib import Path
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


def fresh_python(script: str, env: Mapping[str, str], cwd: Path) -> str:
    """The standard output of ``script`` run by this interpreter in a new process (``python -c``);
    a failure or a run over two minutes raises."""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return out.stdout

"""The least and largest value of an array, measured once while it lives (Qt-free).

Arrays shown are never changed in place (the app makes a new array for new values), so an
array's extremes are its own for good: dY's were measured for its levels, again to see whether
it is constant, and again by its heat map, each pass over a plane as large as the output.  A
presenter that knows an array's extremes without a pass over it (the argmax mask so far, after
the first step from zeros) hands them over with :func:`remember_extremes`.
"""

from __future__ import annotations

import math
import weakref

import numpy as np

# (min, max) by array: id -> (a weak reference to the array, its extremes); see extremes().
_EXTREMES: dict[int, tuple[weakref.ref[np.ndarray], tuple[float, float]]] = {}


def remember_extremes(values: np.ndarray, low: float, high: float) -> None:
    """Keep ``(low, high)`` as the extremes of ``values`` while it lives: they must be what
    :func:`extremes` would measure, bit for bit.  An entry goes with its array."""
    key = id(values)
    _EXTREMES[key] = (weakref.ref(values, lambda _ref: _EXTREMES.pop(key, None)), (low, high))


def extremes(values: np.ndarray) -> tuple[float, float]:
    """``(values.min(), values.max())`` as floats (NaN if ``values`` holds a NaN, or is empty),
    measured once per array while it lives (or given by :func:`remember_extremes`)."""
    found = _EXTREMES.get(id(values))
    if found is not None and found[0]() is values:
        return found[1]
    low, high = (float(values.min()), float(values.max())) if values.size else (math.nan,) * 2
    remember_extremes(values, low, high)
    return (low, high)

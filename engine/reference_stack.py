"""Plain loops for the layers of a stack: the rectifier, written the way a textbook would.

The oracle the tests hold :mod:`engine.relu` against, and the "how it is written by hand" view
for stepping a ReLU layer.  Every forward sits next to its backward.  They visit every element
one at a time, so they are slow: never call them on the hot path.
"""

from __future__ import annotations

import math

import numpy as np

from engine.arrays import from_4d, to_4d


def relu(x: object) -> np.ndarray:
    """``y = max(0, x)`` element by element; NaN stays NaN, as in PyTorch."""
    x4, ndim = to_4d(x)
    N, C, H, W = x4.shape
    y = np.empty_like(x4)
    for n, c, h, w in np.ndindex(N, C, H, W):  # every element, in row-major order
        v = x4[n, c, h, w]
        y[n, c, h, w] = 0.0 if v < 0 else v
    return from_4d(y, ndim)


def relu_backward(grad_output: object, x: object) -> np.ndarray:
    """``dX = dY · [x > 0]``: the gradient passes where x > 0 (and where x is NaN)."""
    x4, ndim = to_4d(x)
    N, C, H, W = x4.shape
    gy = np.asarray(grad_output, dtype=np.result_type(x4.dtype, np.float32)).reshape(x4.shape)
    gx = np.zeros_like(gy)
    for n, c, h, w in np.ndindex(N, C, H, W):
        v = x4[n, c, h, w]
        if math.isnan(v) or v > 0:
            gx[n, c, h, w] = gy[n, c, h, w]
    return from_4d(gx, ndim)

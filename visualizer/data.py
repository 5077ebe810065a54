"""Matrix makers for the editor: fill patterns, seeded random matrices, images.

No widgets here; the labels are only marked for translation (``QT_TR_NOOP`` returns its
argument), the GUI shows them through ``visualizer.i18n.tr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import ParameterError
from engine.ops.spec import QT_TR_NOOP  # a marker for lupdate; keeps this module Qt-free
from visualizer.limits import INPUT_MAX_SIDE

PATTERNS: dict[str, str] = {
    "zeros": QT_TR_NOOP("Zeros"),
    "ones": QT_TR_NOOP("Ones"),
    "ramp": QT_TR_NOOP("Ramp 1, 2, 3, …"),
    "checkerboard": QT_TR_NOOP("Checkerboard"),
    "ties": QT_TR_NOOP("Ties everywhere"),
    "negative": QT_TR_NOOP("Negative values"),
}

RANDOM_KINDS: dict[str, str] = {
    "int": QT_TR_NOOP("Integers in a range"),
    "uniform": QT_TR_NOOP("Uniform floats"),
    "normal": QT_TR_NOOP("Normal floats"),
}


def fill_pattern(pattern: str, shape: tuple[int, ...]) -> np.ndarray:
    """A matrix of ``shape`` (last two axes are H, W) filled with a named pattern."""
    h, w = shape[-2:]
    rows, cols = np.indices((h, w))
    if pattern == "zeros":
        plane = np.zeros((h, w))
    elif pattern == "ones":
        plane = np.ones((h, w))
    elif pattern == "ramp":
        plane = (rows * w + cols + 1).astype(float)
    elif pattern == "checkerboard":
        plane = ((rows + cols) % 2).astype(float)
    elif pattern == "ties":
        # Blocks of equal values, so nearly every window holds a tie.
        plane = ((rows // 2 + cols // 2) % 3).astype(float)
    elif pattern == "negative":
        plane = -(rows * w + cols + 1).astype(float)
    else:
        raise ValueError(f"pattern ({pattern!r}) must be one of {', '.join(PATTERNS)}")
    return np.broadcast_to(plane, shape).copy()


@dataclass(frozen=True)
class RandomSpec:
    """How to randomize a matrix; the seed makes a demo repeatable."""

    kind: str = "int"
    low: float = 0
    high: float = 9
    seed: int = 0

    def make(self, shape: tuple[int, ...]) -> np.ndarray:
        rng = np.random.default_rng(self.seed)
        if self.kind == "int":
            lo, hi = sorted((int(round(self.low)), int(round(self.high))))
            return rng.integers(lo, hi + 1, size=shape).astype(float)
        if self.kind == "uniform":
            lo, hi = sorted((self.low, self.high))
            return np.round(rng.uniform(lo, hi, size=shape), 2)
        if self.kind == "normal":
            # low = mean, high = standard deviation
            return np.round(rng.normal(self.low, abs(self.high), size=shape), 2)
        raise ValueError(f"random kind ({self.kind!r}) must be one of {', '.join(RANDOM_KINDS)}")


def resized(a: np.ndarray, h: int, w: int) -> np.ndarray:
    """``a`` with its last two axes resized to (h, w), keeping the overlapping values."""
    out = np.zeros(a.shape[:-2] + (h, w), dtype=a.dtype)
    hh, ww = min(h, a.shape[-2]), min(w, a.shape[-1])
    out[..., :hh, :ww] = a[..., :hh, :ww]
    return out


IMAGE_UNREADABLE = QT_TR_NOOP("image ({name}) could not be read: {reason}")


def load_image(
    path: str | Path, per_channel: bool = False, max_side: int = INPUT_MAX_SIDE
) -> np.ndarray:
    """Read a PNG/JPEG as (1, C, H, W) float values 0..255 (C = 1 grayscale or 3 for RGB).

    Raises
    ------
    ParameterError
        If the file can't be read as an image (a ``ValueError``).
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            img.load()
            if max(img.size) > max_side:
                img.thumbnail((max_side, max_side))
            mode = "RGB" if per_channel else "L"
            arr = np.asarray(img.convert(mode), dtype=float)
    except (OSError, UnidentifiedImageError) as exc:
        raise ParameterError(IMAGE_UNREADABLE, name=Path(path).name, reason=str(exc)) from exc
    if arr.ndim == 2:
        return arr[None, None]
    return np.moveaxis(arr, -1, 0)[None]

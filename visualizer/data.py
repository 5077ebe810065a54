"""Matrix makers for the editor: fill patterns, seeded random matrices, images.

No widgets here; the labels are only marked for translation (``QT_TR_NOOP`` returns its
argument), the GUI shows them through ``visualizer.i18n.tr``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.errors import Message, ParameterError
from engine.ops.spec import QT_TR_NOOP  # a marker for lupdate; keeps this module Qt-free
from visualizer.limits import IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, INPUT_MAX_SIDE
from visualizer.safe_io import IMAGE_FILE, UnreadableFileError, read_bytes_file

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
            low, high = sorted((self.low, self.high))
            return np.round(rng.uniform(low, high, size=shape), 2)
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
IMAGE_TOO_LARGE = QT_TR_NOOP(
    "image ({name}) has {width}×{height} pixels; at most {limit} million pixels are read"
)
IMAGE_BOMB = QT_TR_NOOP(
    "image ({name}) declares more pixels than can be decoded safely (a decompression bomb?); "
    "at most {limit} million pixels are read"
)
IMAGE_LOADED = QT_TR_NOOP("{name}: {depth} {kind}, {size}; values as stored: {low} … {high}")
IMAGE_SCALED = QT_TR_NOOP("{width}×{height} scaled down to {shown_width}×{shown_height}")
# Sample depth of an image, as the status line says it.
DEPTHS = {
    "8": QT_TR_NOOP("8-bit (0 … 255)"),
    "16": QT_TR_NOOP("16-bit (0 … 65535, not scaled to 0 … 255)"),
    "32": QT_TR_NOOP("32-bit integer (not scaled)"),
    "float": QT_TR_NOOP("32-bit float (not scaled)"),
}
KINDS = {1: QT_TR_NOOP("grayscale"), 3: QT_TR_NOOP("RGB channels")}
_HIGH_DEPTH = {"I;16": "16", "I;16L": "16", "I;16B": "16", "I;16N": "16", "I": "32", "F": "float"}


@dataclass(frozen=True)
class ImageInfo:
    """What :func:`read_image` read: the file's size and depth, the size used, the values."""

    name: str
    width: int
    height: int
    shown: tuple[int, int]  # (width, height) after scaling down to the input limit
    depth: str  # a key of DEPTHS
    channels: int  # 1 (grayscale) or 3 (RGB)
    low: float
    high: float

    def describe(self) -> Message:
        """The status line after loading (a :class:`~engine.errors.Message`: translatable)."""
        if self.shown == (self.width, self.height):
            size: object = f"{self.width}×{self.height}"
        else:
            size = Message(
                IMAGE_SCALED,
                width=self.width,
                height=self.height,
                shown_width=self.shown[0],
                shown_height=self.shown[1],
            )
        return Message(
            IMAGE_LOADED,
            name=self.name,
            depth=Message(DEPTHS[self.depth]),
            kind=Message(KINDS[self.channels]),
            size=size,
            low=_number_text(self.low),
            high=_number_text(self.high),
        )


def _number_text(v: float) -> str:
    return str(int(v)) if np.isfinite(v) and v == int(v) else f"{v:.6g}"


def read_image(
    path: str | Path, per_channel: bool = False, max_side: int = INPUT_MAX_SIDE
) -> tuple[np.ndarray, ImageInfo]:
    """Read an image as (1, C, H, W) floats (C = 1 grayscale, or 3 for RGB) and what was read.

    Only a regular file of at most :data:`~visualizer.limits.IMAGE_MAX_BYTES` is read
    (:mod:`visualizer.safe_io`), and only an image of at most
    :data:`~visualizer.limits.IMAGE_MAX_PIXELS` pixels is decoded (its header says; Pillow's
    decompression-bomb check is an error too).  A larger side than ``max_side`` is scaled down.

    Values are kept as the file stores them, never rescaled: 8-bit images give 0 … 255,
    16-bit PNG/TIFF 0 … 65535, 32-bit integer and float TIFF their own values (a 16-bit or
    wider image is grayscale; with ``per_channel`` its one channel is repeated three times).
    Colour images with 16 bits per channel are read by Pillow as 8-bit RGB.

    Raises
    ------
    ParameterError
        If the file can't be read as an image (a ``ValueError``), with the reason.
    """
    import io
    import warnings

    from PIL import Image

    name = Path(path).name
    try:
        raw = read_bytes_file(path, IMAGE_MAX_BYTES, IMAGE_FILE)
    except UnreadableFileError as exc:
        raise ParameterError(IMAGE_UNREADABLE, name=name, reason=exc.reason) from None
    limit = IMAGE_MAX_PIXELS // 10**6
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(raw)) as opened:
                img: Image.Image = opened
                width, height = img.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise ParameterError(
                        IMAGE_TOO_LARGE, name=name, width=width, height=height, limit=limit
                    )
                img.load()
                depth = _HIGH_DEPTH.get(img.mode, "8")
                if depth == "8":
                    img = img.convert("RGB" if per_channel else "L")
                if max(img.size) > max_side:
                    img.thumbnail((max_side, max_side))
                arr = np.asarray(img, dtype=float)
    except ParameterError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ParameterError(IMAGE_BOMB, name=name, limit=limit) from None
    except MemoryError:
        raise ParameterError(IMAGE_UNREADABLE, name=name, reason="not enough memory") from None
    except Exception as exc:  # any decoder failure (OSError, SyntaxError, struct.error, …)
        reason = str(exc) or type(exc).__name__
        raise ParameterError(IMAGE_UNREADABLE, name=name, reason=reason) from exc
    if arr.ndim == 2:
        arr = arr[None, None]
        if per_channel:
            arr = np.repeat(arr, 3, axis=1)
    else:
        arr = np.moveaxis(arr, -1, 0)[None]
    finite = arr[np.isfinite(arr)]
    info = ImageInfo(
        name=name,
        width=width,
        height=height,
        shown=(arr.shape[3], arr.shape[2]),
        depth=depth,
        channels=arr.shape[1],
        low=float(finite.min()) if finite.size else float("nan"),
        high=float(finite.max()) if finite.size else float("nan"),
    )
    return arr, info


def load_image(
    path: str | Path, per_channel: bool = False, max_side: int = INPUT_MAX_SIDE
) -> np.ndarray:
    """The image at ``path`` as (1, C, H, W) floats; see :func:`read_image`.

    Raises
    ------
    ParameterError
        If the file can't be read as an image (a ``ValueError``).
    """
    return read_image(path, per_channel, max_side)[0]

"""Images as input: decompression bombs and special files are refused with a message, 16-bit
and 32-bit images keep their values (no clipping to 0..255), and the status line says how the
values were read.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from visualizer.data import load_image, read_image
from visualizer.i18n import translate_message
from visualizer.limits import IMAGE_MAX_PIXELS, INPUT_MAX_SIDE

ROOT = Path(__file__).resolve().parents[2]


def png_header_only(path: Path, width: int, height: int) -> None:
    """A small PNG file that *declares* ``width`` × ``height`` (8-bit grayscale): what a
    decompression bomb looks like to a reader before it decodes."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 1024)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


# ---- refused ------------------------------------------------------------------------------------


def test_a_decompression_bomb_is_refused_from_its_header(tmp_path):
    bomb = tmp_path / "bomb.png"
    png_header_only(bomb, 30000, 30000)  # 900 million pixels in a file of a few hundred bytes
    with pytest.raises(ValueError, match=r"bomb\.png.*decompression bomb"):
        load_image(bomb)


def test_more_pixels_than_the_limit_are_refused_with_the_size(tmp_path):
    big = tmp_path / "big.png"
    png_header_only(big, 5000, 4000)  # 20 million: over the limit, under Pillow's own
    assert 5000 * 4000 > IMAGE_MAX_PIXELS
    with pytest.raises(ValueError, match="has 5000×4000 pixels; at most 16 million"):
        load_image(big)


def test_a_folder_named_like_an_image_is_refused(tmp_path):
    folder = tmp_path / "x.png"
    folder.mkdir()
    with pytest.raises(ValueError, match=r"x\.png.*folder"):
        load_image(folder)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this OS")
def test_a_fifo_named_png_is_refused_at_once(tmp_path):
    fifo = tmp_path / "x.png"
    os.mkfifo(fifo)
    code = textwrap.dedent(
        f"""
        import json, sys
        sys.path.insert(0, {str(ROOT)!r})
        from visualizer.data import load_image
        try:
            load_image({str(fifo)!r})
            print(json.dumps("read"))
        except ValueError as exc:
            print(json.dumps(str(exc)))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )  # used to wait forever for a writer
    assert result.returncode == 0, result.stderr
    assert "named pipe (FIFO)" in json.loads(result.stdout)


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"GIF89a" + b"\xff" * 20, b"II*\x00" + b"\x00" * 30],
)
def test_broken_files_are_refused_with_a_value_error(tmp_path, content):
    path = tmp_path / "broken.img"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"image \(broken\.img\) could not be read"):
        load_image(path)


def test_a_truncated_png_is_refused(tmp_path):
    good = tmp_path / "good.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)).save(good)
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ValueError, match=r"cut\.png"):
        load_image(cut)


# ---- dynamic range ------------------------------------------------------------------------------


def test_a_16_bit_png_keeps_its_values(tmp_path):
    values = (np.arange(48 * 40).reshape(40, 48) * 34).astype(np.uint16)  # up to 65246
    path = tmp_path / "deep.png"
    Image.fromarray(values).save(path)
    image, info = read_image(path)
    np.testing.assert_array_equal(image[0, 0], values)  # not clipped to 255
    assert info.depth == "16" and (info.low, info.high) == (0, 65246)
    text = translate_message(info.describe())
    assert text == (
        "deep.png: 16-bit (0 … 65535, not scaled to 0 … 255) grayscale, 48×40; "
        "values as stored: 0 … 65246"
    )


def test_int32_and_float_tiffs_keep_their_values(tmp_path):
    ints = (np.arange(30).reshape(5, 6).astype(np.int32) - 7) * 1_000_003
    Image.fromarray(ints).save(tmp_path / "i.tif")
    image, info = read_image(tmp_path / "i.tif")
    np.testing.assert_array_equal(image[0, 0], ints)
    assert info.depth == "32"
    floats = (np.arange(30).reshape(5, 6) / 7 - 1.5).astype(np.float32)
    Image.fromarray(floats).save(tmp_path / "f.tif")
    image, info = read_image(tmp_path / "f.tif")
    np.testing.assert_array_equal(image[0, 0], floats.astype(float))  # not truncated
    assert info.depth == "float"
    rgb, _ = read_image(tmp_path / "f.tif", per_channel=True)
    assert rgb.shape == (1, 3, 5, 6) and (rgb == image).all()


def test_an_8_bit_image_reads_as_before(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 256, (9, 11, 3), np.uint8)
    Image.fromarray(pixels).save(tmp_path / "c.png")
    gray = load_image(tmp_path / "c.png")
    assert gray.shape == (1, 1, 9, 11) and gray.max() <= 255
    rgb, info = read_image(tmp_path / "c.png", per_channel=True)
    np.testing.assert_array_equal(np.moveaxis(rgb[0], 0, -1), pixels)
    assert info.depth == "8" and info.channels == 3


def test_a_large_image_is_scaled_down_and_the_status_says_so(tmp_path):
    Image.fromarray(np.zeros((1500, 2000), np.uint16)).save(tmp_path / "wide.png")
    image, info = read_image(tmp_path / "wide.png")
    assert image.shape == (1, 1, 768, INPUT_MAX_SIDE)
    assert "2000×1500 scaled down to 1024×768" in translate_message(info.describe())


def test_the_window_status_line_shows_the_scaling(window, tmp_path):
    values = np.full((6, 8), 40000, np.uint16)
    Image.fromarray(values).save(tmp_path / "deep.png")
    assert window.data_panel.load_image_file(str(tmp_path / "deep.png"))
    assert window.state.x.max() == 40000
    message = window.statusBar().currentMessage()
    assert message.startswith("deep.png: 16-bit") and "not scaled" in message


def test_a_refused_image_is_said_in_the_window_and_changes_nothing(window, tmp_path):
    png_header_only(tmp_path / "bomb.png", 30000, 30000)
    before = window.state.x
    assert not window.data_panel.load_image_file(str(tmp_path / "bomb.png"))
    assert window.state.x is before
    assert "decompression bomb" in window.statusBar().currentMessage()

"""The app's limits, each named once (Qt-free): what the controls, the command line, images,
sessions and the views accept.  Import them from here; do not write the numbers again."""

from __future__ import annotations

# ---- input sizes ---------------------------------------------------------------------------------
# Rows and columns typed into the size boxes or reached by resizing: an editable matrix is a
# spreadsheet-like table, so this is also the largest matrix drawn as a table (larger ones are
# heat maps with the number on hover).
EDIT_MAX_SIDE = 64
# Batch items, channels and output channels reached with their spin boxes.  A session or an
# image may hold more (up to SESSION_MAX_CHANNELS): the box then shows that value exactly, and
# reaches up to it, but never past it.
EDIT_MAX_CHANNELS = 8
# From this many rows or columns on, an input is stepped like an image: its views are heat maps
# with a magnifier beside them, and the step bar offers "next row" and a faster play.
LARGE_SIDE = 28
# Playback speed, steps per second (a large image is played fast).
PLAY_SPEED_MAX = 240
# Rows and columns of an input made outside the size boxes: --input-size on the command line,
# and images (a larger image is scaled down to fit).
INPUT_MAX_SIDE = 1024
# What a session file may hold: rows or columns of any matrix, batch items or channels, and
# values in one array (checked before the array is built).
SESSION_MAX_SIDE = 4096
SESSION_MAX_CHANNELS = 64
SESSION_MAX_ELEMENTS = SESSION_MAX_SIDE * SESSION_MAX_SIDE

# ---- work budget -------------------------------------------------------------------------------
# One computation (forward, backward and the step trace of an edit, a loaded file or the command
# line) is checked before it runs (engine.ops.budget.check_work, from visualizer/model/compute.py
# and AppState.set_shape): its arrays (input, padded canvas, output, dY, gradients, mask and
# ties, in float64) may need at most WORK_MAX_BYTES, and it may read at most WORK_MAX_TAPS window
# taps (windows × taps × input channels of a convolution): a few seconds of engine time.  Over
# either: a message naming what is too large, and nothing changes.
WORK_MAX_BYTES = 2 * 2**30
WORK_MAX_TAPS = 2**27

# ---- undo ----------------------------------------------------------------------------------------
# The undo history is bounded by the memory of the arrays it holds (X, W and dY before and after
# each edit, every array counted once however many entries share it, the current ones
# included): when a new edit takes it over UNDO_MAX_BYTES the oldest entries are dropped.  The
# newest edit is always kept, so the last edit can be undone even when it alone is larger
# (e.g. one Randomize of a 1024×1024 image with batch 8 × channels 8: 512 MB per array).
# UNDO_MAX_ENTRIES bounds the number of entries (each costs a few kB even without arrays).
UNDO_MAX_BYTES = 256 * 2**20
UNDO_MAX_ENTRIES = 1000

# ---- zoom ----------------------------------------------------------------------------------------
# Cell zoom of the views (Ctrl + / Ctrl −), also what a session may restore.
ZOOM_MIN, ZOOM_MAX = 0.4, 3.0
# Labels (step counter, arithmetic, titles) follow the cell zoom within this range only.
LABEL_ZOOM_MIN, LABEL_ZOOM_MAX = 0.75, 2.0


def clamp_zoom(zoom: float) -> float:
    """``zoom`` within :data:`ZOOM_MIN` .. :data:`ZOOM_MAX`."""
    return max(ZOOM_MIN, min(float(zoom), ZOOM_MAX))


# ---- files ---------------------------------------------------------------------------------------
# Checked before a byte is read (visualizer/safe_io.py; only regular files are read at all).
# A session file: a 1024×1024 RGB image with full-precision floats fits in 64 MB.  Its JSON may
# not need more than 1 GB of Python objects to parse (about 70 bytes per list, 32 per item,
# counted before parsing: a file of nothing but "[[],[],…]" would take 25 times its size).
SESSION_MAX_BYTES = 64 * 2**20
SESSION_MAX_PARSE_BYTES = 2**30
PRESET_MAX_BYTES = 4 * 2**20
# An image file, and its pixels (width × height, read from its header before decoding: a
# 30000×30000 PNG of 875 KB is a decompression bomb).  Up to this it is read, then scaled down
# to INPUT_MAX_SIDE.
IMAGE_MAX_BYTES = 128 * 2**20
IMAGE_MAX_PIXELS = 4096 * 4096
# All frames of a GIF export together (frames × width × height): frames are kept in memory,
# one byte per pixel, about twice that while Pillow writes the file.  2**28 pixels ≈ 256 MB:
# e.g. 255 frames of a 1366×768 window or 500 frames of 730×730.
GIF_MAX_PIXELS = 2**28

# ---- command line --------------------------------------------------------------------------------
# --window-size: at most 8K UHD (a larger off-screen grab exhausts memory); --seed: 0 … 2**32-1.
WINDOW_MAX_SIZE = (7680, 4320)
SEED_MAX = 2**32 - 1

"""The app's limits, each named once (Qt-free): what the controls, the command line, images,
sessions and the views accept.  Import them from here; do not write the numbers again."""

from __future__ import annotations

# ---- input sizes ---------------------------------------------------------------------------------
# Rows and columns typed into the size boxes or reached by resizing: an editable matrix is a
# spreadsheet-like table, so this is also the largest matrix drawn as a table (larger ones are
# heat maps with the number on hover).
EDIT_MAX_SIDE = 64
# Rows and columns of an input made outside the size boxes: --input-size on the command line,
# and images (a larger image is scaled down to fit).
INPUT_MAX_SIDE = 1024
# What a session file may hold: rows or columns of any matrix, batch items or channels, and
# values in one array (checked before the array is built).
SESSION_MAX_SIDE = 4096
SESSION_MAX_CHANNELS = 64
SESSION_MAX_ELEMENTS = SESSION_MAX_SIDE * SESSION_MAX_SIDE

# ---- zoom ----------------------------------------------------------------------------------------
# Cell zoom of the views (Ctrl + / Ctrl −), also what a session may restore.
ZOOM_MIN, ZOOM_MAX = 0.4, 3.0
# Labels (step counter, arithmetic, titles) follow the cell zoom within this range only.
LABEL_ZOOM_MIN, LABEL_ZOOM_MAX = 0.75, 2.0


def clamp_zoom(zoom: float) -> float:
    """``zoom`` within :data:`ZOOM_MIN` .. :data:`ZOOM_MAX`."""
    return max(ZOOM_MIN, min(float(zoom), ZOOM_MAX))

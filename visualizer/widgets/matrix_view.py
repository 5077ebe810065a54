"""A matrix shown as coloured cells with numbers, step highlights and optional editing.

Small matrices (up to ``limits.EDIT_MAX_SIDE`` per side) are a spreadsheet-like table: type
into a cell, move with arrows, Tab and Enter.  Larger ones (images) are a pyqtgraph heat map
with the number shown on hover.  Colour levels are set explicitly with the values, never while
stepping, so colours do not jump; highlights change without re-creating any item.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import math
import re
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QImage,
    QLinearGradient,
    QPaintEngine,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QRegion,
    QStandardItemModel,
    QTransform,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOption,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engine import format_number
from visualizer.i18n import current_language, tr, translate_message
from visualizer.limits import EDIT_MAX_SIDE
from visualizer.model.cell_text import HINT_TEXT_CHARS as HINT_TEXT_CHARS  # re-exported
from visualizer.model.cell_text import elide_typed as elide_typed  # re-exported
from visualizer.model.cell_text import parse_cell
from visualizer.model.contrast import LEAST_EDGE_PX, shows_on
from visualizer.model.contrast import MIN_FRAME_CONTRAST as _MIN_FRAME_CONTRAST
from visualizer.model.contrast import contrast_ratio as contrast_ratio  # re-exported
from visualizer.model.contrast import relative_luminance as relative_luminance  # re-exported
from visualizer.model.extremes import extremes as extremes  # re-exported for the views
from visualizer.model.present import (
    DROPPED,
    INPUT,
    INSERTED,
    MAGNIFIER_WHOLE,
    OVERHANG,
    PADDING,
    Marks,
    Outline,
    kept_box,
    magnifier_box,
    magnifier_size,
    outline_segments,
)
from visualizer.ui import QWIDGETSIZE_MAX, set_font
from visualizer.view_settings import view_settings
from visualizer.widgets.fence import LayoutFence
from visualizer.widgets.serial_paint import serial_strips

MIN_NUMBER_CELL = 16  # below this many pixels a cell shows colour only, number on hover
MIN_NUMBER_PX = 7  # the smallest font (pixels) numbers are drawn in
NUMBER_HEIGHT = 0.5  # a number's font, as a fraction of the cell's height ...
LECTURE_NUMBER_HEIGHT = 0.68  # ... in the lecture layout (few matrices, read from afar)
# The fractions the lecture layout tries, largest first: the one drawing the larger digits
# wins (a layout bound by the height has columns to spare for a larger font; long numbers
# widen their columns with it and may lose more cell than they gain font).
LECTURE_NUMBER_TRIES = (0.82, 0.75, LECTURE_NUMBER_HEIGHT)
NUMBER_MAX_PX = 40  # ... up to this many pixels in cells of at most MAX_CELL
# The largest cell a view draws (pixels), unless it is told a larger one (set_max_cell: the
# lecture layout's grow with the screen); its numbers' largest font grows in proportion.
MAX_CELL = 96
TEXT_PAD = 5  # pixels kept free on each side of a number (Qt's margin and the highlight line)
HEADER_MIN_CELL = 14  # row and column numbers are shown from this cell size on

# Highlight styles, drawn as borders so they stay visible on every colour of the map: the
# width and line of each; the colour comes from the palette.  "gap" (cells a dilated window
# skips) is a black-and-white hatch instead (see paint_gap); "wrong" marks the cells where a
# wrong implementation differs (Pitfalls), never in the colour of a max-pooling winner.
STYLE_SHAPE = {
    "window": (4, Qt.SolidLine),
    "pad_tap": (3, Qt.DashLine),
    # Cells a step reads into a total only (the dY cells db takes outside every patch of a
    # transposed convolution): the window's colour, dotted, so that they read as read but
    # apart from the window (whose cells feed dX and dW, and where the arrows start).
    "summed": (3, Qt.DotLine),
    "gap": (2, Qt.DotLine),
    "winner": (4, Qt.SolidLine),
    "wrong": (4, Qt.SolidLine),
    "current": (5, Qt.SolidLine),
    "target": (4, Qt.SolidLine),
    "hover": (3, Qt.DashLine),
    # Quiz mode (widgets/quiz_panel.py): cells a student clicked, then right, wrong, missed.
    "quiz_picked": (5, Qt.SolidLine),
    "quiz_right": (5, Qt.SolidLine),
    "quiz_wrong": (5, Qt.SolidLine),
    "quiz_missed": (4, Qt.DashLine),
    # Compare mode (widgets/compare_view.py): a differing cell that is also one of the step's
    # cells: the step's frame as on any cell, a tab of "wrong"'s colour in its top left corner
    # over it (the full "wrong" frame, drawn over the step's, hid where the step was).
    "differs": (2, Qt.SolidLine),
    # A window ceil_mode drops (issue 10, point 11): one dashed outline around the whole
    # window, in the hatched overhang (see set_outlines), not a frame per cell.
    "dropped": (4, Qt.DashLine),
}
# The styles of a cell on a dropped window's outline: the window's edges the cell lies on (a
# cell of a 1-wide window has both, see MatrixView.set_outlines); its other cells are only
# DROPPED, which draws nothing (the tooltip says so).
DROPPED_TOP, DROPPED_BOTTOM, DROPPED_LEFT, DROPPED_RIGHT = (
    f"{DROPPED}_{side}" for side in ("top", "bottom", "left", "right")
)
OUTLINE_SIDES = frozenset((DROPPED_TOP, DROPPED_BOTTOM, DROPPED_LEFT, DROPPED_RIGHT))
STYLE_ORDER = (
    "hover",
    "gap",
    "summed",
    "pad_tap",
    "window",
    "current",
    "target",
    "winner",
    "wrong",
    "quiz_missed",
    "quiz_picked",
    "quiz_right",
    "quiz_wrong",
)
# The quiz's marks (and compare mode's tab) take the colours of marks that mean the same (no
# new colour to tell apart).
QUIZ_COLOURS = {
    "quiz_picked": "hover",
    "quiz_right": "target",
    "quiz_wrong": "wrong",
    "quiz_missed": "window",
    "differs": "wrong",
    "summed": "window",
}

# Palette name (visualizer.view_settings.PALETTES) -> the sequential colour map, the
# diverging one (centred on zero) and the highlight colours.  Standard: blue and blue − white
# − red.  Colour-blind safe: cividis and blue − white − orange.  No highlight colour is a
# colour of its palette's maps in any theme: CIEDE2000 at least 15 from every one and, both
# being colourful, 30° of hue apart (a frame in the cell's own hue, darker or lighter, reads
# as the cell's edge: the colour-blind palette's pure blue was lost on its navy cells, its
# dark brown on its orange ones).  The colour-blind maps use the whole blue–yellow axis
# that deuteranopes and protanopes see, so its highlights lie off it for normal eyes
# (violet, pale green, dark teal, dark green, pink) and keep apart from each other for
# such eyes; tests/visualizer/test_lecture_colours.py measures all this.
PALETTES: dict[str, tuple[pg.ColorMap, pg.ColorMap, dict[str, str]]] = {
    "standard": (
        pg.ColorMap([0.0, 1.0], [(247, 251, 255), (66, 130, 198)]),
        pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (214, 96, 77)]),
        {
            "window": "#ff9f00",
            "pad_tap": "#ff9f00",
            "gap": "#000000",
            "winner": "#d4007a",
            "wrong": "#8000ff",
            "current": "#ff9f00",
            "target": "#00a040",
            "hover": "#00c8d8",
            # Red: "left out".  A dropped window starts past the input: its cells are padding
            # and overhang, never data, so it is kept apart from the other marks only.
            "dropped": "#e00000",
        },
    ),
    "colorblind": (
        pg.colormap.get("cividis"),
        pg.ColorMap([0.0, 0.5, 1.0], [(33, 102, 172), (247, 247, 247), (230, 97, 1)]),
        {
            "window": "#cc00ff",
            "pad_tap": "#cc00ff",
            "gap": "#000000",
            "winner": "#bbff88",
            "wrong": "#004444",
            "current": "#cc00ff",
            "target": "#226600",
            "hover": "#ee99ff",
            # Navy, apart from the other marks for deuteranopes and protanopes too; over
            # padding and overhang only, as in the standard palette.
            "dropped": "#000066",
        },
    ),
}
# Highlight pens of each palette: style -> (colour, width, line).
_PENS = {
    name: {
        style: (colors[QUIZ_COLOURS.get(style, style)], *shape)
        for style, shape in STYLE_SHAPE.items()
    }
    for name, (_, _, colors) in PALETTES.items()
}
PADDING_BG = QColor(225, 225, 225)
# A NaN or ±∞ the data holds (typed, loaded or computed) is drawn as itself: its text (NaN, ∞,
# −∞) on a stippled violet background no colour map uses, so it never reads as "not computed
# yet" (a blank cell) nor as the largest or smallest value.
NONFINITE_RGB = (150, 0, 190)
OVERHANG_BG = QColor(190, 190, 190)
INSERTED_BG = QColor(250, 242, 208)  # zeros inserted between input cells: paler than padding
# A matrix whose values are all the same (an all-ones dY) is drawn in this neutral colour: the
# colour map is for values that vary, and a saturated constant would draw the eye.
NEUTRAL_RGB = (236, 232, 222)
# A binary image (every value 0 or 1, as in the edge-detection preset: "white (1) ... black
# (0)") is drawn as one: 0 black, 1 white.  Highlight frames keep their black outline and
# white inline on both, and the dilation gap is a black-and-white hatch.
BLACK_WHITE = pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])
# A dimmed view (the gradients during the forward phase) blends its colours this far towards
# the view's background and fades its numbers ...
DIM_MIX = 0.6
# ... and this far on a dark background: there the maps' light middle (a gradient's zeros)
# blended 0.6 of the way stayed a mid-grey slab that drew the eye from the forward views.
DIM_MIX_DARK = 0.82

# Resolved once: attribute lookups on Qt's enums are slow in PySide6 and data() is hot.
_DISPLAY = Qt.ItemDataRole.DisplayRole
_EDIT = Qt.ItemDataRole.EditRole
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_EDITABLE_FLAGS = _FLAGS | Qt.ItemFlag.ItemIsEditable


def style_pens() -> dict[str, tuple[str, int, Qt.PenStyle]]:
    """The highlight pens of the current palette: style -> (colour, width, line)."""
    return _PENS[view_settings().palette]


def colormap(diverging: bool) -> pg.ColorMap:
    """The current palette's colour map, diverging (centred on zero) or sequential."""
    sequential, divergent, _ = PALETTES[view_settings().palette]
    return divergent if diverging else sequential


def set_palette(name: str) -> None:
    """Switch the colour maps and highlight colours of every view (through the application's
    :class:`~visualizer.view_settings.ViewSettings`, which the views follow)."""
    view_settings().set_palette(name)


def __getattr__(name: str) -> object:
    # Read-only views of the current palette, for code that reads them as module attributes.
    if name == "PALETTE":
        return view_settings().palette
    if name == "STYLE_PEN":
        return style_pens()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=65536)
def _formatted(value: float) -> str:
    return format_number(value)


def distinct_values(values: np.ndarray) -> np.ndarray:
    """The distinct numbers of ``values`` (any shape, no NaN), sorted: ``np.unique`` without
    its check for a masked array, which imports ``numpy.ma`` (~20 ms of the first paint; the
    window uses it nowhere else)."""
    ordered = np.sort(values, axis=None)
    if ordered.size < 2:
        return ordered
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def format_cell(value: float) -> str:
    """The text of a cell: the number exactly as the arithmetic line and the tooltips write it
    (:func:`engine.format_number`), so a cell never says 10.2 where the step says 10.25."""
    return _formatted(float(value))


HEADER_MOST_PX = 16  # the row and column numbers' largest font (pixels)
# ... in the lecture layout: the step's text names cells by them ("dX[2, 3]"), and at
# 1920×1080 the 16 px cap left ~12 px digits beside 57 px numbers.
LECTURE_HEADER_MOST_PX = 24


def header_font(cell: int, most: int = HEADER_MOST_PX) -> QFont:
    """The font of the row and column numbers at cell size ``cell``, at most ``most`` px."""
    font = QFont()
    font.setPixelSize(max(10, min(int(cell * 0.34), most)))
    return font


def number_layout(
    texts: tuple[str, ...],
    cell: int,
    room: int,
    height: float = NUMBER_HEIGHT,
    most: int = NUMBER_MAX_PX,
) -> tuple[int, int]:
    """Font size (pixels) and column width for cells ``cell`` pixels high showing ``texts``,
    with at most ``room`` pixels per column: the font is ``height`` (half) of the cell's
    height, at most ``most`` pixels, when the widest text then fits in ``room``, smaller when
    it does not; the column is as wide as the widest text needs (at least ``cell``, square
    cells)."""

    def needed(pixels: int) -> int:
        font = QFont()
        font.setPixelSize(max(1, pixels))
        font.setBold(True)  # a winner's number is bold: the widest a text gets
        widest = _widest(font, texts)
        return math.ceil(widest) + 2 * TEXT_PAD

    pixels = int(min(cell * height, most))
    need = needed(pixels)
    # Without any text (every cell pending) there is no font to fit.
    if need > room and need > 2 * TEXT_PAD:
        # Text width grows with the font size: start from the proportional guess.
        pixels = max(MIN_NUMBER_PX, int(pixels * (room - 2 * TEXT_PAD) / (need - 2 * TEXT_PAD)))
        need = needed(pixels)
        while need > room and pixels > MIN_NUMBER_PX:
            pixels -= 1
            need = needed(pixels)
    return pixels, max(cell, min(room, need))


# Text widths by font and text: a close-up measures the numbers it shows on every step that
# brings a new one (the longest so far size its columns), mostly the same texts again.
_ADVANCES: dict[str, dict[str, float]] = {}


def _widest(font: QFont, texts: Iterable[str]) -> float:
    """The width of the widest of ``texts`` in ``font`` (pixels), each measured once.

    The font's key is taken once per call, not per text: a 64×64 output's texts asked for
    it ~500 times per parameter change (~1 ms through the binding)."""
    key = font.key()
    known = _ADVANCES.get(key)
    if known is None:
        if len(_ADVANCES) > 64:
            _ADVANCES.clear()
        known = _ADVANCES[key] = {}
    widest = 0.0
    metrics: QFontMetricsF | None = None
    for text in texts:
        width = known.get(text)
        if width is None:
            if metrics is None:
                metrics = QFontMetricsF(font)
            if len(known) > 16384:
                known.clear()
            width = known[text] = metrics.horizontalAdvance(text)
        if width > widest:
            widest = width
    return widest


# Brushes by colour, shared by every view: a close-up's step shows new cells in colours of the
# map (at most a few hundred), a brush made for each through the binding cost ~2 µs.
_BRUSHES: dict[tuple[int, int, int], QBrush] = {}


def _brush(rgb: tuple[int, int, int]) -> QBrush:
    """A solid brush of colour ``rgb`` (made once)."""
    brush = _BRUSHES.get(rgb)
    if brush is None:
        if len(_BRUSHES) > 4096:
            _BRUSHES.clear()
        brush = _BRUSHES[rgb] = QBrush(QColor(*rgb))
    return brush


@functools.lru_cache(maxsize=8)
def _zeros(shape: tuple[int, ...], dtype: str) -> np.ndarray:
    """Read-only zeros, shared: what a heat map's model keeps as its cells' kinds and pending
    marks when there are none (new arrays as large as a 1024² view cost milliseconds)."""
    zeros = np.zeros(shape, dtype)
    zeros.flags.writeable = False
    return zeros


# The palettes' colour maps are made once (PALETTES): their lookup tables are too (every
# redraw of a view colours its cells through one; making it cost ~0.2 ms).
_LUTS: dict[int, tuple[pg.ColorMap, np.ndarray]] = {}


def _lut(cmap: pg.ColorMap) -> np.ndarray:
    """The 256-colour lookup table (256, 3) uint8 of ``cmap`` (read-only, shared)."""
    known = _LUTS.get(id(cmap))
    if known is None or known[0] is not cmap:
        lut = cmap.getLookupTable(0.0, 1.0, 256, alpha=False).astype(np.uint8)
        lut.flags.writeable = False
        known = _LUTS[id(cmap)] = (cmap, lut)
    return known[1]


# What a typed text means (numbers, inf/nan, overflow, underflow, commas) is decided in one
# Qt-free place, visualizer/model/cell_text.py, and documented there.


def _label_class(count: int, offset: int) -> frozenset[tuple[int, bool]]:
    """The lengths and signs of a header's numbers ``-offset … count - 1 - offset``: what
    its size depends on."""
    first, last = -offset, count - 1 - offset
    return frozenset(
        (len(str(v)), v < 0) for v in {first, last, min(max(first, 0), last), max(first, -1)}
    )


def _widest_label(count: int, offset: int) -> tuple[int, int]:
    """The longest of a header's numbers ``-offset … count - 1 - offset`` without and with a
    minus sign (0: none): what its width depends on, digits being equally wide."""
    first, last = -offset, count - 1 - offset
    plain = len(str(max(abs(max(first, 0)), last))) if last >= 0 else 0
    negative = len(str(first)) if first < 0 else 0
    return plain, negative


class MatrixModel(QAbstractTableModel):
    """Values, cell kinds, colours and highlight styles of one matrix."""

    sigCellEdited = Signal(int, int, float)  # matrix row, col (offset removed), value
    # A header's numbers changed but not their lengths (a close-up moved): repaint, no relayout.
    sigHeaderNumbersChanged = Signal(Qt.Orientation)
    sigEditRejected = Signal(str)
    sigEditNoted = Signal(str)  # an accepted edit the user should know about (underflow)

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.values = np.zeros((1, 1))
        self.kinds = np.zeros((1, 1), dtype=np.int8)
        # Cells not computed yet (the forward phase's later windows): blank, although their
        # value is NaN; any other NaN is data and drawn as "NaN".
        self.pending = np.zeros((1, 1), dtype=bool)
        self.offset = (0, 0)
        # The row and column numbers, in a model of Qt's own that the table's headers show:
        # a header asks its model six roles of every section it paints, through the binding
        # (~9000 instructions a call) when that is this model: some 130 calls on each step of
        # a close-up, whose numbers change with its box.  headerData below says the same.
        self.header_model = QStandardItemModel(0, 0, self)
        self._label_headers((0, 1))
        self.colors = np.zeros((1, 1, 3), dtype=np.uint8)
        self._black_text = np.ones((1, 1), dtype=bool)
        # Styles by cell: a dict (tables), or a heat map's Marks, looked up cell by cell.
        self.styles: Mapping[tuple[int, int], Collection[str]] = {}
        # Small numbers printed in a corner of cells (canvas coordinates): a window cell's weight.
        self.notes: dict[tuple[int, int], str] = {}
        # Notes smaller than this many pixels are not drawn (0: below NOTE_MIN_PX).
        self.note_least = 0
        # Whether a cell's note is drawn at its current size (set by the table's delegate):
        # a note with no room in its cell is left out, and its tooltip says the weight.
        self.note_drawn: Callable[[int, int], bool] | None = None
        self.show_numbers = True
        self.max_chars = 1
        self.long_texts: tuple[str, ...] = ("0",)
        # Texts the cells will show later in the stepping (the whole result): measured with
        # the current ones, so that columns do not widen while stepping.
        # Made when first read (a heat map never reads them): see reserve_values.
        self._reserved: frozenset[str] = frozenset()
        self._reserve_source: np.ndarray | None = None
        self._measured: frozenset[str] = frozenset()  # the reserved texts last measured
        self._measured_reserved = False  # ... and every text measured then was one of them
        self._measured_of: np.ndarray | None = None  # ... in these values
        # (how the cells were coloured, the values they were coloured for): see set_values.
        self._colouring: tuple[tuple[object, ...], np.ndarray] | None = None
        # (reserved texts, their longest length, their texts at least one shorter than that)
        self._reserved_summary: tuple[frozenset[str] | None, int, frozenset[str]] = (
            None,
            0,
            frozenset(),
        )
        self.editable = False
        self.font = QFont()
        # Bold and italic forms of ``font`` by (its id, bold, italic), with the font they are
        # of: a close-up whose font changes back and forth while stepping (see
        # MatrixView._number_font) finds the forms it had, and with them every measurement
        # its painter keeps by font.
        self._fonts: dict[tuple[int, bool, bool], tuple[QFont, QFont]] = {}
        self._brushes: dict[tuple[int, int], QBrush] = {}
        # Shared brushes, made once the application exists.
        self._padding_brush = QBrush(PADDING_BG)
        self._padding_hatch = QBrush(PADDING_BG, Qt.BrushStyle.Dense4Pattern)
        self._overhang_brush = QBrush(OVERHANG_BG, Qt.BrushStyle.BDiagPattern)
        self._inserted_brush = QBrush(INSERTED_BG)
        self._inserted_hatch = QBrush(PADDING_BG, Qt.BrushStyle.Dense6Pattern)
        self._blank_brush = QBrush(QColor(255, 255, 255))  # see set_blank
        self._nonfinite_brush = QBrush(QColor(*NONFINITE_RGB), Qt.BrushStyle.Dense6Pattern)
        self._grey_text = QBrush(QColor(90, 90, 90))
        self._dark_text = QBrush(QColor(0, 0, 0))
        self._light_text = QBrush(QColor(255, 255, 255))
        self._dim_dark_text = QBrush(QColor(0, 0, 0, 120))
        self._dim_light_text = QBrush(QColor(255, 255, 255, 150))
        self.neutral = False  # every cell in NEUTRAL_RGB (a constant matrix)
        self.black_white = False  # a binary image: BLACK_WHITE instead of the palette's map
        self.asked: tuple[int, int] | None = None  # quiz mode: this (hidden) cell shows "?"
        # The table's current cell (kept by _Table.currentChanged): the only one that may
        # get the dotted frame, so the painter reads no other cell's state.
        self.current: tuple[int, int] | None = None
        self.dim: tuple[int, int, int] | None = None  # dimmed towards this background colour
        self._handlers = {
            role: handler
            for roles, handler in (
                ((Qt.ItemDataRole.DisplayRole,), self._display),
                ((Qt.ItemDataRole.EditRole,), self._edit),
                ((Qt.ItemDataRole.BackgroundRole,), self._background),
                ((Qt.ItemDataRole.ForegroundRole,), self._foreground),
                ((Qt.ItemDataRole.TextAlignmentRole,), self._alignment),
                ((Qt.ItemDataRole.FontRole,), self._font),
                ((Qt.ItemDataRole.ToolTipRole,), self._tooltip),
            )
            for enum in roles
            for role in (enum, enum.value)
        }

    def set_blank(self, color: QColor) -> None:
        """Draw cells not computed yet in ``color``: the theme's base colour, where a table's
        empty area is and a dimmed view recedes to (white glared on the dark theme)."""
        if color != self._blank_brush.color():
            self._blank_brush = QBrush(color)
            if self.pending.any():
                self.dataChanged.emit(
                    self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1)
                )

    # ---- content ----------------------------------------------------------------------------
    def set_values(
        self,
        values: np.ndarray,
        kinds: np.ndarray | None,
        offset: tuple[int, int],
        levels: tuple[float, float],
        diverging: bool,
        pending: np.ndarray | None = None,
    ) -> None:
        values = np.asarray(values, dtype=float)
        kinds = np.zeros(values.shape, np.int8) if kinds is None else kinds
        if pending is None or pending.shape != values.shape:
            pending = np.zeros(values.shape, bool)
        shape_changed = values.shape != self.values.shape
        # A new offset alone (a magnifier's box moved) renumbers the headers: every cell is
        # new, but the table keeps its rows and columns (a model reset re-created the headers'
        # sections and repainted every view of it on each step).
        moved = not shape_changed and offset != self.offset
        old_offset = self.offset
        # How the cells are coloured: as when self.values were coloured, a cell keeps its colour
        # while it keeps its value (a "so far" view's step changes one or two cells, and the
        # same matrix comes again in new arrays).
        colouring = (
            levels,
            diverging,
            self.neutral,
            self.black_white,
            self.dim,
            view_settings().palette,
        )
        known = self._colouring
        same_colouring = known is not None and known[0] == colouring and known[1] is self.values
        recoloured = True
        if shape_changed:
            colors = self._colours(values, levels, diverging)
            self.beginResetModel()
        else:
            same = (values == self.values) | (np.isnan(values) & np.isnan(self.values))
            changed = ~same | (kinds != self.kinds) | (pending != self.pending)
            if same_colouring and bool(same.all()):
                colors, recoloured = self.colors, False
            else:
                colors = self._colours(values, levels, diverging)
                if not same_colouring:
                    changed |= (colors != self.colors).any(axis=-1)
            if not (moved or changed.any() or self._measured != self.reserved_texts):
                return  # the same cells (a gradient in the forward phase): nothing to redo
        # The texts to size the cells for are the same when the cells that changed show
        # texts among the reserved ones and every text was before (see _measure_texts).
        remeasure = shape_changed or not self._texts_reserved(values, kinds, pending, changed)
        self.values, self.kinds, self.offset, self.colors = values, kinds, offset, colors
        self.pending = pending
        self._colouring = (colouring, values)
        if recoloured:
            self._black_text = prefers_black_text(colors)
            self._brushes = {}
        if remeasure:
            self._measure_texts()
        else:
            self._measured_of = values
        if shape_changed:
            self._label_headers((0, 1))
            self.endResetModel()
        elif moved:
            rows, cols = values.shape
            if rows and cols:
                # Only the headers whose numbers changed: a box moved along a row keeps its
                # row numbers (and their header is not asked for every section again).
                for axis, orientation, count in (
                    (0, Qt.Orientation.Vertical, rows),
                    (1, Qt.Orientation.Horizontal, cols),
                ):
                    if offset[axis] == old_offset[axis]:
                        continue
                    if axis == 1 or _widest_label(count, offset[axis]) == _widest_label(
                        count, old_offset[axis]
                    ):
                        self._label_headers((axis,), quiet=True)
                        # Numbers of the same width (the column header's height never
                        # depends on them): the header only repaints them.  The signal made
                        # every view of the model lay its items out again in a zero-time
                        # timer, which repainted the whole close-up a second time after the
                        # step had painted it.
                        self.sigHeaderNumbersChanged.emit(orientation)
                    else:
                        self._label_headers((axis,))
                        self.headerDataChanged.emit(orientation, 0, count - 1)
                # Only the cells that now show something else: a close-up moved over zeros
                # (a mask, a gradient) keeps most of its cells as they were drawn.
                count = int(np.count_nonzero(changed))
                if 2 * count >= changed.size:
                    self.dataChanged.emit(self.index(0, 0), self.index(rows - 1, cols - 1))
                else:
                    for r, c in zip(*np.nonzero(changed), strict=True):
                        index = self.index(int(r), int(c))
                        self.dataChanged.emit(index, index)
        elif changed.any():
            # Repaint only the box of cells that changed: a step changes one or two cells.
            rows = np.nonzero(changed.any(axis=1))[0]
            cols = np.nonzero(changed.any(axis=0))[0]
            self.dataChanged.emit(
                self.index(int(rows[0]), int(cols[0])), self.index(int(rows[-1]), int(cols[-1]))
            )

    def _label_headers(self, axes: Iterable[int], quiet: bool = False) -> None:
        """Give :attr:`header_model` the rows' (axis 0) or columns' (axis 1) count and
        numbers; ``quiet``: without telling the headers (numbers of the same widths: the
        view repaints them, see sigHeaderNumbersChanged)."""
        model = self.header_model
        blocked = model.blockSignals(quiet)
        try:
            for axis in axes:
                count, off = self.values.shape[axis], self.offset[axis]
                labels = [str(section - off) for section in range(count)]
                if axis == 0:
                    if model.rowCount() != count:
                        model.setRowCount(count)
                    model.setVerticalHeaderLabels(labels)
                else:
                    if model.columnCount() != count:
                        model.setColumnCount(count)
                    model.setHorizontalHeaderLabels(labels)
        finally:
            model.blockSignals(blocked)

    def _colours(
        self, values: np.ndarray, levels: tuple[float, float], diverging: bool
    ) -> np.ndarray:
        """The cells' colours (H, W, 3) uint8."""
        if self.neutral:
            colors = np.empty((*values.shape, 3), np.uint8)
            colors[...] = NEUTRAL_RGB
        else:
            colors = colorize(values, levels, diverging, self.black_white)
        if self.dim is not None:
            colors = dimmed(colors, self.dim)
        return colors

    def _texts_reserved(
        self, values: np.ndarray, kinds: np.ndarray, pending: np.ndarray, changed: np.ndarray
    ) -> bool:
        """Whether the texts last measured were all reserved ones (then the longest texts
        are the reserved set's own, whatever cells show them), the reserved texts are the
        same, and the few cells that ``changed`` (a mask) now show reserved texts too, as
        :meth:`_measure_texts` counts them: then measuring again gives what it gave."""
        if (
            not self._measured_reserved
            or self._measured_of is not self.values
            or self._measured != self.reserved_texts
        ):
            return False
        cells = np.flatnonzero(changed)
        if cells.size > 16:
            return False
        reserved = self._measured
        flat_values, flat_kinds, flat_pending = values.ravel(), kinds.ravel(), pending.ravel()
        for cell in cells.tolist():
            v = float(flat_values[cell])
            if v != v:
                if flat_pending[cell] or flat_kinds[cell] != INPUT:
                    continue  # blank: no text
            if format_cell(v) not in reserved:
                return False
        return True

    def _measure_texts(self) -> None:
        """The longest texts the cells show (the view sizes cells and font from them)."""
        nan = np.isnan(self.values)
        shown = self.values[~nan]
        texts = {format_cell(v) for v in distinct_values(shown)} if shown.size else {""}
        if (nan & ~self.pending & (self.kinds == INPUT)).any():
            texts.add(format_cell(math.nan))
        reserved = self.reserved_texts
        self._measured = reserved
        self._measured_reserved = texts <= reserved
        self._measured_of = self.values
        # The reserved texts (a whole result's, measured on every step that fills a cell in)
        # by their longest ones, worked out once per set.
        summary = self._reserved_summary
        if summary[0] is not reserved:
            most = max((len(t) for t in reserved), default=0)
            summary = self._reserved_summary = (
                reserved,
                most,
                frozenset(t for t in reserved if len(t) >= most - 1),
            )
        _, reserved_most, reserved_long = summary
        self.max_chars = max_chars = max(1, reserved_most, max(len(t) for t in texts))
        # The widest text is among the longest ones ('.' and '−' are narrower than digits);
        # a reserved text that long is among the reserved set's own longest ones.
        long = {t for t in texts if len(t) >= max_chars - 1}
        long.update(t for t in reserved_long if len(t) >= max_chars - 1)
        self.long_texts = tuple(sorted(long))

    @property
    def reserved_texts(self) -> frozenset[str]:
        """Texts the cells will show later in the stepping (see :meth:`reserve_values`)."""
        source = self._reserve_source
        if source is not None:
            self._reserve_source = None
            shown = source[~np.isnan(source)]
            self._reserved = frozenset(format_cell(v) for v in distinct_values(shown))
        return self._reserved

    @reserved_texts.setter
    def reserved_texts(self, texts: frozenset[str]) -> None:
        texts = frozenset(texts)
        # The same texts keep their set: _measure_texts summarises a set once (a close-up
        # is given its own longest texts again on every step).
        if texts != self._reserved:
            self._reserved = texts
        self._reserve_source = None

    def reserve_values(self, values: np.ndarray) -> None:
        """Reserve the texts of ``values`` (float), formatted only when they are read: a
        view shown as a heat map never reads them (LP pooling's 64×64 result: ~4000
        distinct numbers formatted on every edit, ~2 ms)."""
        self._reserve_source = values

    def set_styles(self, styles: Mapping[tuple[int, int], Collection[str]]) -> None:
        self.styles = styles

    # ---- Qt model interface -----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.values.shape[0]

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.values.shape[1]

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> object:
        # Dispatch on the role through a dict: painting asks for every role of every cell, and
        # comparing against Qt's enums one by one costs microseconds per lookup in PySide6.
        handler = self._handlers.get(role)
        return None if handler is None else handler(index.row(), index.column())

    def _display(self, r: int, c: int) -> object:
        v = self.values[r, c]
        if v != v and (self.pending[r, c] or self.kinds[r, c] != INPUT):
            # Not computed yet, or beyond the padding; quiz mode's asked cell says "?" (also
            # in cells too small for numbers: it marks where the answer goes).
            return "?" if (r, c) == self.asked else None
        if not self.show_numbers:
            return None
        return format_cell(v)  # NaN, ∞ and -∞ are written as themselves

    def _edit(self, r: int, c: int) -> object:
        return format_number(self.values[r, c])

    def _background(self, r: int, c: int) -> object:
        kind = self.kinds[r, c]
        if kind == PADDING:
            return self._padding_brush if self.show_numbers else self._padding_hatch
        if kind == OVERHANG:
            return self._overhang_brush
        if kind == INSERTED:
            return self._inserted_brush if self.show_numbers else self._inserted_hatch
        v = self.values[r, c]
        if v != v and self.pending[r, c]:
            return self._blank_brush
        if not math.isfinite(v):
            return self._nonfinite_brush
        key = (r, c)
        brush = self._brushes.get(key)
        if brush is None:
            rgb = self.colors[r, c]
            brush = self._brushes[key] = _brush((int(rgb[0]), int(rgb[1]), int(rgb[2])))
        return brush

    def _foreground(self, r: int, c: int) -> object:
        if self.kinds[r, c] != INPUT:
            return self._grey_text
        if not math.isfinite(self.values[r, c]):
            return self._dark_text
        if self.dim is not None:
            return self._dim_dark_text if self._black_text[r, c] else self._dim_light_text
        return self._dark_text if self._black_text[r, c] else self._light_text

    def _alignment(self, r: int, c: int) -> object:
        return _CENTER

    def _font(self, r: int, c: int) -> object:
        bold = "winner" in self.styles.get((r, c), ())
        italic = bool(self.kinds[r, c] != INPUT)  # a NumPy bool here crashes PySide6
        if not (bold or italic):
            return self.font
        # Made once per font and style (the painter asks for it on every paint of a cell).
        key = (id(self.font), bold, italic)
        base, derived = self._fonts.get(key, (None, None))
        if base is not self.font or derived is None:
            derived = QFont(self.font)
            derived.setBold(bold)
            derived.setItalic(italic)
            if len(self._fonts) > 32:
                self._fonts.clear()
            self._fonts[key] = (self.font, derived)
        return derived

    def _tooltip(self, r: int, c: int) -> object:
        v = self.values[r, c]
        kind = self.kinds[r, c]
        row, col = r - self.offset[0], c - self.offset[1]
        pending = math.isnan(v) and (self.pending[r, c] or kind != INPUT)
        text = f"[{row}, {col}] = {'—' if pending else format_number(v)}"
        if DROPPED in self.styles.get((r, c), ()):  # padding or overhang: the window says more
            return tr(
                "{cell} (in a window PyTorch drops: with ceil_mode it would start outside "
                "the input, so it is never computed)"
            ).format(cell=text)
        if kind == PADDING:
            text = tr("{cell} (padding)").format(cell=text)
        elif kind == OVERHANG:
            text = tr("{cell} (beyond the padding)").format(cell=text)
        elif kind == INSERTED:
            text = tr("{cell} (a zero inserted between input cells)").format(cell=text)
        note = self.notes.get((r, c)) if self.show_numbers else None
        if note:
            drawn = self.note_drawn is None or self.note_drawn(r, c)
            if drawn:
                return tr("{cell}, weight ×{weight}").format(cell=text, weight=note)
            return tr(
                "{cell}, weight ×{weight} (not printed in the cell: too small for it and its "
                "number; the W matrix shows it)"
            ).format(cell=text, weight=note)
        return text

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if role != _DISPLAY:
            return None
        off = self.offset[0] if orientation == Qt.Vertical else self.offset[1]
        return str(section - off)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if self.editable and self.kinds[index.row(), index.column()] == INPUT:
            return _EDITABLE_FLAGS
        return _FLAGS

    def setData(
        self, index: QModelIndex | QPersistentModelIndex, value: object, role: int = _EDIT
    ) -> bool:
        if role != _EDIT or not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return False
        row, col = index.row() - self.offset[0], index.column() - self.offset[1]
        try:
            entry = parse_cell(str(value))  # the policy: visualizer/model/cell_text.py
        except ValueError as exc:
            old = format_number(self.values[index.row(), index.column()])
            message = tr("{reason} — cell [{row}, {col}] keeps {old}")
            reason = translate_message(exc)
            self.sigEditRejected.emit(message.format(reason=reason, row=row, col=col, old=old))
            return False
        self.sigCellEdited.emit(row, col, entry.value)
        if entry.note is not None:
            message = tr("{note} — cell [{row}, {col}]")
            note = translate_message(entry.note)
            self.sigEditNoted.emit(message.format(note=note, row=row, col=col))
        return True


def is_binary(values: np.ndarray) -> bool:
    """Whether ``values`` are a binary image: every value 0 or 1, and both there."""
    ones = values == 1
    return bool(ones.any()) and bool((ones | (values == 0)).all()) and not bool(ones.all())


def colorize(
    values: np.ndarray, levels: tuple[float, float], diverging: bool, black_white: bool = False
) -> np.ndarray:
    """RGB (H, W, 3) uint8 colours of ``values`` under fixed ``levels``."""
    lo, hi = levels
    lut = _lut(BLACK_WHITE if black_white else colormap(diverging))
    finite = np.where(np.isfinite(values), values, lo)
    span = hi - lo if hi > lo else 1.0
    pos = np.clip((finite - lo) / span, 0.0, 1.0)
    return lut[(pos * 255).astype(np.int64)]


def dim_mix(background: Sequence[int]) -> float:
    """How far a dimmed view blends towards ``background`` (r, g, b): DIM_MIX, or
    DIM_MIX_DARK on a dark one."""
    red, green, blue = background[:3]
    return DIM_MIX_DARK if 0.299 * red + 0.587 * green + 0.114 * blue < 128 else DIM_MIX


def dimmed(rgb: np.ndarray, background: tuple[int, int, int]) -> np.ndarray:
    """``rgb`` (..., 3) uint8 blended :func:`dim_mix` of the way towards ``background``."""
    mix = dim_mix(background)
    mixed = np.asarray(rgb, float) * (1 - mix) + np.asarray(background, float) * mix
    return np.round(mixed).astype(np.uint8)


def _linear_channel(c: np.ndarray) -> np.ndarray:
    """sRGB channel values ``c`` (0 … 1) in linear light (WCAG 2)."""
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


# The 256 channel values of uint8 colours in linear light, each worked out once: the cells'
# colours (a close-up's on every step) were raised to a power channel by channel each time.
_LINEAR_CHANNEL = _linear_channel(np.arange(256) / 255.0)
_LINEAR_CHANNEL.flags.writeable = False
_LUMINANCE_WEIGHTS = np.array([0.2126, 0.7152, 0.0722])


def prefers_black_text(rgb: np.ndarray) -> np.ndarray:
    """Whether black text contrasts more than white with each colour of ``rgb`` (..., 3).

    WCAG 2 relative luminance: the better of the two always reaches a contrast of 4.6:1, on
    every colour map (a plain luminance threshold fell to 3:1 on mid-tone cells).
    """
    c = np.asarray(rgb)
    if c.dtype == np.uint8:
        linear = _LINEAR_CHANNEL[c]  # the very numbers the formula gives (from a table)
    else:
        linear = _linear_channel(np.asarray(c, dtype=float) / 255.0)
    luminance = linear @ _LUMINANCE_WEIGHTS
    return (luminance + 0.05) ** 2 > 0.0525  # (L + .05) / .05 > 1.05 / (L + .05)


def contrast_edge(color: QColor, alpha: int = 220) -> QColor:
    """Black or white, whichever contrasts more with ``color`` (see
    :func:`prefers_black_text`): the edge drawn around a line in ``color`` (a step arrow, a
    heat map's window) so that the line shows on any background, light or dark, and on
    cells of its own hue (a pure blue arrow on a dark theme vanished in a black edge)."""
    black = bool(prefers_black_text(np.array([color.red(), color.green(), color.blue()])))
    return QColor(0, 0, 0, alpha) if black else QColor(255, 255, 255, alpha)


LEVEL_LIMIT = 1e307


def _same_values(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` and ``b`` hold the same values (NaN equal to NaN).

    A spread sample of about 4096 cells is compared first: matrices that differ usually differ
    there, and then the whole comparison (a few milliseconds at 1024²) is not made.
    """
    if a.shape != b.shape:
        return False
    step = max(1, a.size // 4096)
    if not np.array_equal(a.reshape(-1)[::step], b.reshape(-1)[::step], equal_nan=True):
        return False
    differ = a != b  # one pass; NaN differs from itself here, and is looked at only then
    return not differ.any() or bool(np.isnan(a[differ]).all() and np.isnan(b[differ]).all())


def constant_picture(
    value: float, levels: tuple[float, float], lut: np.ndarray
) -> tuple[object, ...] | None:
    """What a heat map of ``value`` in every cell looks like under ``levels`` and ``lut``, as
    a key: equal keys, the same picture (None: no key, e.g. empty levels).

    A lookup table of one colour draws every value so; otherwise the value's place between
    the levels (clipped) picks the colour: 0 on levels (−m, m) is the middle for every m.
    """
    if lut.size and bool((lut == lut[0]).all()):
        return ("uniform", lut[0].tobytes())
    low, high = levels
    if not high > low:
        return None
    place = min(1.0, max(0.0, (value - low) / (high - low)))
    return ("at", lut.tobytes(), place)


def levels_for(values: np.ndarray, diverging: bool) -> tuple[float, float]:
    """Stable colour levels: the finite range, symmetric around zero when diverging."""
    low, high = extremes(values)
    if not (math.isfinite(low) and math.isfinite(high)):  # NaN or ±∞ among them
        finite = values[np.isfinite(values)]
        if finite.size == 0:
            return (-1.0, 1.0) if diverging else (0.0, 1.0)
        low, high = float(finite.min()), float(finite.max())
    # Levels within ±LEVEL_LIMIT so that hi − lo stays finite (1e308 and −1e308 in one view
    # overflowed the colour mapping); larger values saturate.
    lo = max(low, -LEVEL_LIMIT)
    hi = min(high, LEVEL_LIMIT)
    if diverging:
        m = max(abs(lo), abs(hi)) or 1.0
        return (-m, m)
    if hi == lo:
        return (lo - 1.0, hi + 1.0) if lo < 0 else (min(0.0, lo), hi + (hi == 0))
    return (lo, hi)


# The current cell of a focused table (see _CellDelegate).
_FOCUS_SELECTED = QStyle.StateFlag.State_HasFocus | QStyle.StateFlag.State_Selected


GAP_CLEAR = 2  # pixels of a dilation gap's cell kept free of its hatch around its digits


def paint_gap(painter: QPainter, rect: QRect, keep: QRect | None = None) -> None:
    """The hatch of a cell a dilated window skips: black and white diagonal stripes, seen on
    every colour of every map (a grey hatch vanished on mid-tone cells), in a band along the
    cell's edges so that its number, drawn over it, stays readable; never over ``keep`` (the
    number's ink and a margin: a two-digit number in the lecture layout is wider than the
    band leaves free, and the stripes ran through "19")."""
    painter.save()
    band = max(3, round(min(rect.width(), rect.height()) * 0.24))
    inner = rect.adjusted(band, band, -band, -band)
    clip = QRegion(rect).subtracted(QRegion(inner))
    if keep is not None:
        clip = clip.subtracted(QRegion(keep))
    painter.setClipRegion(clip)
    painter.setRenderHint(QPainter.Antialiasing, False)
    step = max(6, rect.height() // 5)
    width = max(2, step // 3)
    dark = QPen(QColor(0, 0, 0, 190), width)
    light = QPen(QColor(255, 255, 255, 210), width)
    x0, y0, h = rect.left(), rect.top(), rect.height()
    for k in range(-h, rect.width() + step, step):
        for pen, shift in ((dark, 0), (light, step // 2)):
            painter.setPen(pen)
            painter.drawLine(x0 + k + shift, y0 + h, x0 + k + shift + h, y0)
    painter.restore()


TITLE_POINTS = 12.5  # a view's title (bold)
CLOSE_UP_TITLE_SCALE = 0.8  # a close-up's title, of a view's
FONT_MEASURES_KEPT = 512  # texts a title or legend keeps the advance of (a close-up: one per box)
# Of a heat map view's width (close-up beside the map) or height (below it), at most.  Beside,
# the map is as high as the view whatever its width, so the close-up may take more: at 0.45 a
# 16×16 transposed-convolution output's 6×6 close-up at 1366×768 had 18 px cells and 7 px
# digits beside a map with room to spare (30 px cells, 12 px digits at 0.6).  Below, the map
# keeps half: at 0.6 a 32×32 input's map shrank to a 55 px strip.
MAGNIFIER_SHARE_BESIDE = 0.6
MAGNIFIER_SHARE_BELOW = 0.5
HEAT_MAP_STRETCH, MAGNIFIER_STRETCH = 2, 3  # how a heat map view's body shares its room
# A close-up shows no more rows and columns than fit at this cell size in its share: a
# 16×16 window shown whole in a 230 px close-up had 14 px cells, too small for its numbers.
MAGNIFIER_CELL = 22
MAGNIFIER_LEAST = 3  # rows and columns a close-up may show in any case
MAGNIFIER_CHROME = 24  # pixels of a close-up's share taken by its title or its header
# Highlight styles of the current step that the magnifier of a heat map shows.
MAGNIFIED_STYLES = frozenset(("window", "pad_tap", "current", "target", "winner"))
# ... and those of them a close-up too small for the whole window moves to keep in sight.
FOCUS_STYLES = frozenset(("current", "target", "winner"))
# Styles a heat map frames cell by cell (winners have frames of their own).
HEAT_MARKED = frozenset(("window", "pad_tap", "current", "target", "hover"))
NOTE_HEIGHT = 0.3  # a note's font, as a fraction of the cell's height, at most
# ... at least this many pixels (a desk's screen, read from up close): a cell with no room for
# that above its number draws no note.
NOTE_MIN_PX = 8
# In the lecture layout a note smaller than this is not drawn (unreadable from the back of a
# hall; the W matrix beside the input and the arithmetic line say each weight).
LECTURE_NOTE_MIN_PX = 12
NOTE_PAD = 1  # pixels of a note's tab above and below its digits
NOTE_GAP = 1  # pixels between a note's tab and the digits of its cell's number


@dataclass(frozen=True)
class NoteLayout:
    """Where a cell's weight note and number go (see :meth:`_CellDelegate.note_layout`).

    ``pixels``: the note's font size, 0 when the note is not drawn (no room for it above
    the number at a readable size); ``tab``: the note's tab, from the cell's top-left
    corner; ``shift``: how many pixels the number is drawn below its usual centred place to
    make room for the tab (its font is never changed for a note); ``digits``: the number's
    digits (their ink, top to bottom, and the number's advance), from the cell's corner."""

    pixels: int
    tab: QRectF
    shift: int
    digits: QRectF


def completed_font(font: QFont, base: QFont) -> QFont:
    """``font`` with what it leaves unset (family, style, ...) taken from ``base``, as a painter
    on a widget whose font is ``base`` completes it, for a painter on another device (a
    pixmap).  ``QFont.resolve`` gives those values but keeps ``font``'s resolve mask, and a
    painter on a pixmap then completed the font again from the application's font: a table
    in another family drew its cells' pictures in the application's."""
    done = font.resolve(base)
    done.setResolveMask(_EVERY_FONT_PROPERTY)
    return done


_EVERY_FONT_PROPERTY = 0xFFFFFFFF  # a font's resolve mask: every property set


def note_pixels(cell: int, least: int = 0) -> int:
    """The largest pixel size of a note's font in a cell ``cell`` pixels tall: ``NOTE_HEIGHT``
    of it; 0 (no note drawn: the arithmetic line and the W matrix say each weight) below
    ``NOTE_MIN_PX``, or below ``least`` pixels when given (the lecture layout's
    ``LECTURE_NOTE_MIN_PX``).  A note is drawn this size or smaller, as the room above the
    cell's number allows (see :meth:`_CellDelegate.note_layout`), never below the least."""
    pixels = round(cell * NOTE_HEIGHT)
    return pixels if pixels >= max(least, NOTE_MIN_PX) else 0


def note_inset(scale: float, depth: int) -> int:
    """How far from a cell's top and side its note's tab starts: inside the cell's highlight
    border (``depth`` pixels deep)."""
    return max(2, round(3 * min(scale, 1.2)), depth)


def note_font(pixels: int, base: QFont | None = None) -> QFont:
    """The font of a note ``pixels`` tall: bold, the rest from ``base`` (None: as the
    painter's device completes it)."""
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(True)
    return font if base is None else completed_font(font, base)


def paint_note(
    painter: QPainter, rect: QRect, note: str, layout: NoteLayout, base: QFont | None = None
) -> None:
    """A cell's weight, small in its top corner as ``layout`` places it (see
    :meth:`_CellDelegate.note_layout`): dark on a light tab, readable on every colour, clear
    of the cell's number.  ``base``: the font the rest of the note's font comes from (None:
    the painter's device's, the table's on its viewport)."""
    painter.save()
    painter.setFont(note_font(layout.pixels, base))
    # Measured in the font drawn: the painter's, completed from its device's font.
    metrics = QFontMetricsF(painter.font())
    tab = layout.tab.translated(rect.x(), rect.y())
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255, 230))
    painter.drawRect(tab)
    # The digits' ink NOTE_PAD below the tab's top: the line (ascent + descent) laid so.
    baseline = tab.top() + NOTE_PAD - metrics.tightBoundingRect(_DIGITS).top()
    line = QRectF(tab.left(), baseline - metrics.ascent(), tab.width(), metrics.height())
    painter.setPen(QColor(20, 20, 20))
    painter.drawText(line, _CENTER, f"×{note}")
    painter.restore()


_DIGITS = "0123456789"


@dataclass(frozen=True, eq=False)
class _PictureContext:
    """What a table's painter adds to a cell's look: the device's pixel ratio, the render
    hints, the font a cell's font is completed from (the table's: what ``setFont`` on its
    painter resolves against) and the delegate's text margin."""

    ratio: float
    hints: QPainter.RenderHint
    font: QFont
    margin: int


# A band of a cell's highlight border, from the cell's corner: (x, y, width, height, colour,
# None) filled, or (0, 0, 0, 0, outline, (colour's name, pen width, inset, line, inline))
# drawn with a dashed pen (see _CellDelegate._border_plan).
Band = tuple[int, int, int, int, QColor, tuple[str, int, int, Qt.PenStyle, QColor] | None]

# A plain cell's look: the ids of its picture context and background brush, its text, its font's
# key, the id of its foreground brush, its width and height.
Look = tuple[int, int, str, str, int, int, int]


@dataclass(frozen=True, eq=False)
class _Picture:
    """A plain cell's picture (None: the cell is drawn in place) and the objects its look
    names by id, kept so that no other object takes one of those ids while it is known."""

    pixmap: QPixmap | None
    keeps: tuple[object, ...]


# Plain cells' pictures (see _CellDelegate._picture), shared by every table, least recently
# used first, at most _PICTURE_BUDGET device pixels in all (~8 MB).
_PICTURES: OrderedDict[Look, _Picture] = OrderedDict()
_PICTURE_BUDGET = 2_000_000
_picture_pixels = 0


def _keep_picture(look: Look, picture: _Picture) -> None:
    """Keep ``picture`` for ``look``, dropping the least recently used ones beyond the budget."""
    global _picture_pixels
    _PICTURES[look] = picture
    if picture.pixmap is not None:
        _picture_pixels += picture.pixmap.width() * picture.pixmap.height()
    while _picture_pixels > _PICTURE_BUDGET and len(_PICTURES) > 1:
        _, dropped = _PICTURES.popitem(last=False)
        if dropped.pixmap is not None:
            _picture_pixels -= dropped.pixmap.width() * dropped.pixmap.height()


def _reaches_out(image: QImage, inside: QRect) -> bool:
    """Whether ``image`` (ARGB32, transparent where nothing was drawn) has a pixel drawn outside
    ``inside`` (logical pixels): ``inside`` is cleared and the image compared with a blank one,
    in Qt (no copy of its pixels through the binding)."""
    painter = QPainter(image)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Clear)
    painter.fillRect(inside, Qt.GlobalColor.transparent)
    painter.end()
    blank = QImage(image.size(), image.format())
    blank.setDevicePixelRatio(image.devicePixelRatio())
    blank.fill(0)
    return image != blank


class _CellDelegate(QStyledItemDelegate):
    """Paints a cell from its model's roles (background, text, foreground, font) and the
    highlight borders over it.

    The style's item painting (``QStyledItemDelegate.paint``) asks the Python model for seven
    roles of every cell and lays the text out through ``QStyle``: about 0.1 ms a cell, and a
    step repaints whole magnifiers.  This draws what those roles say directly: the background
    brush, then the display text centred in the font, colour and margins the style uses
    (``PM_FocusFrameHMargin`` + 1 on each side), never a selection or focus colour.

    A plain cell (a number on a solid colour: no highlight, note or focus frame) painted by
    :meth:`_Table.paintEvent` is drawn from its picture, made the first time its look is
    painted: a step repaints 50–70 cells at 16×16, most of them unchanged (under a moved
    arrow) or showing a number and colour painted before (a close-up moving over the input),
    and laying a number out and drawing it cost ~20 µs a cell, its picture's blit a few.
    """

    def __init__(self, model: MatrixModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self.scale = 1.0
        style = parent.style() if parent is not None else QApplication.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, parent) + 1
        self._text_margin = margin
        self._white_pen = QPen(QColor(255, 255, 255), 1)
        self._dotted_pen = QPen(QColor(0, 0, 0), 1, Qt.PenStyle.DotLine)
        self._text_pens: dict[int, tuple[QBrush, QPen]] = {}  # see _text_pen
        self._border_plans: dict[tuple[object, ...], tuple[Band, ...]] = {}  # _paint_borders
        self._sides: dict[tuple[object, ...], tuple[QFont, int]] = {}  # _side_room
        # The widest of the texts measured for _side_room, by the font's id and the cell's
        # size: (font, those texts, their widest drawn width).
        self._widest_of: dict[tuple[int, int, int], tuple[QFont, frozenset[str], float]] = {}
        # The text and font a number is drawn in, by the font's id, the text and the room
        # (see fitted_number), with the font.  With the two below, forgotten only when the
        # table's font (which completes the fonts) changes: a step that brings new numbers
        # measures them without writing a font out as a key (QFont.key, ~2 µs a call).
        self._fitted: dict[
            tuple[int, str, int, int, bool, int | None], tuple[QFont, str, QFont]
        ] = {}
        # A number's ink box from its cell's corner (see number_ink), by the font's id, the
        # text, the cell's size and the text margin, with the font: the step arrows ask for
        # the same cells' inks on every step (~1,000 tight bounding boxes a step here).
        self._inks: dict[
            tuple[int, str, int, int, int], tuple[QFont, tuple[float, float, float, float]]
        ] = {}
        # Notes' layouts by what they depend on (see note_layout), with the fonts named by id.
        self._note_layouts: dict[tuple[object, ...], tuple[QFont, QFont | None, NoteLayout]] = {}
        # Fonts as the table completes them, by the font's id, with the font; and as a cell
        # picture's context does, with the font and the context (see _make_picture).
        self._completed: dict[int, tuple[QFont, QFont]] = {}
        self._picture_fonts: dict[int, tuple[QFont, _PictureContext, QFont]] = {}
        # A completed font at a pixel size, its metrics and the text widths measured in it,
        # by the completed font's id and the size, with the completed font.
        self._sized: dict[
            tuple[int, int], tuple[QFont, QFont, QFontMetricsF, dict[str, float]]
        ] = {}
        # The pixels free above and below a number, by the font's id and the cell's height,
        # with the font (see _number_room).
        self._rooms: dict[tuple[int, int], tuple[QFont, int]] = {}
        self._opaque: dict[int, tuple[QBrush, bool]] = {}  # brushes by id: see covers
        # The painter whose plain cells are drawn from pictures (see begin_pictures), and what
        # it adds to their look.
        self._picture_painter: QPainter | None = None
        self._context: _PictureContext | None = None
        # Fonts' keys by id, with the font (a view makes a new font of the same size when its
        # close-up's layout comes back to it: a look names its font by value).
        self._font_keys: dict[int, tuple[QFont, str]] = {}
        # Looks painted in place for want of a picture, with what makes their picture.
        self._wanted: dict[Look, tuple[_PictureContext, QBrush, str, QFont, QBrush, int, int]] = {}
        # The table's font, while cells are painted on its rendering (see _Table.paintEvent):
        # a font set on a painter is completed from its device's, the application's on a
        # pixmap, the table's on the table.
        self.base_font: QFont | None = None
        model.note_drawn = self.note_drawn

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        r, c = index.row(), index.column()
        focused = option.state & _FOCUS_SELECTED == _FOCUS_SELECTED
        self.paint_cell(painter, option.rect, r, c, bool(focused))

    def covers(self, r: int, c: int) -> bool:
        """Whether painting cell (r, c) covers its rectangle with an opaque colour first (its
        background is a solid, opaque brush: not a hatch, nor a translucent colour)."""
        brush = self._model._background(r, c)
        known = self._opaque.get(id(brush))
        if known is None or known[0] is not brush:
            if len(self._opaque) > 4096:
                self._opaque.clear()
            solid = brush.style() == Qt.BrushStyle.SolidPattern and brush.color().alpha() == 255
            known = self._opaque[id(brush)] = (brush, solid)
        return known[1]

    def begin_pictures(self, painter: QPainter, widget: QWidget) -> None:
        """Let ``painter`` (on ``widget``, the table's viewport) draw plain cells from their
        pictures, if a picture's blit there gives the very pixels drawing the cell would: a
        raster painter whose device pixels are whole logical pixels, not moved by a fraction of
        one (not an SVG export, nor a fractional scale)."""
        self._picture_painter = None
        if painter.paintEngine().type() != QPaintEngine.Type.Raster:
            return
        # The widget's ratio, not painter.device()'s (a wrapper of the widget's QPaintDevice
        # part, which the binding keeps by address after the widget is gone).
        ratio = widget.devicePixelRatioF()
        t = painter.deviceTransform()
        if not (
            ratio.is_integer()
            and t.m12() == 0
            and t.m21() == 0
            and t.m11() in (1.0, ratio)
            and t.m22() == t.m11()
            and float(t.dx()).is_integer()
            and float(t.dy()).is_integer()
        ):
            return
        hints, font = painter.renderHints(), widget.font()
        known = self._context
        if known is None or (known.ratio, known.hints, known.font) != (ratio, hints, font):
            self._context = _PictureContext(ratio, hints, QFont(font), self._text_margin)
        self._picture_painter = painter

    def end_pictures(self) -> None:
        self._picture_painter = None

    def paint_cell(self, painter: QPainter, rect: QRect, r: int, c: int, focused: bool) -> None:
        """Paint cell (r, c) in ``rect``; ``focused``: the cell is selected and has the focus
        (the current cell then gets its dotted frame).  :meth:`_Table.paintEvent` calls this
        for every cell it paints, in one pass (no Python call per cell from Qt)."""
        model = self._model
        key = (r, c)
        styles = model.styles.get(key)
        layout = self.cell_note(rect.width(), rect.height(), r, c) if model.notes else None
        note = model.notes[key] if layout is not None and layout.pixels else None
        background = model._background(r, c)
        text = model._display(r, c)
        font = foreground = None
        side: int | None = None
        if text:
            font, foreground = model._font(r, c), model._foreground(r, c)
            if styles and isinstance(font, QFont) and isinstance(text, str):
                font, side = self.framed_number(rect, text, font)
            if (
                painter is self._picture_painter
                and note is None
                and not (focused and model.current == key)
                and not (styles and "gap" in styles)
            ):
                # A highlighted cell too: its colour and number are a plain cell's, its
                # borders go over them as they would in place (a close-up's cells inside the
                # window, every one highlighted, laid their numbers out on every paint).
                picture = self._picture(rect, background, text, font, foreground)
                if picture is not None:
                    painter.drawPixmap(rect.x(), rect.y(), picture)
                    if styles:
                        self._paint_borders(painter, rect, styles, background.color(), side)
                    return
        # A selected, current or hovered cell keeps its own colour: the style's selection
        # blue (and Fusion's tinted focus box) would read as a high value.  The current cell
        # is marked by a dotted frame instead (below), the hovered one by the views' hover
        # highlight.
        painter.fillRect(rect, background)
        gap = styles is not None and "gap" in styles
        if gap:
            # The hatch goes between the cell's colour and its number, clear of its digits.
            keep = None
            if text and note is None:
                ink = self.number_ink(r, c, rect.width(), rect.height())
                if ink is not None:
                    x, y = rect.x(), rect.y()
                    keep = (
                        QRectF(x + ink[0], y + ink[1], ink[2] - ink[0], ink[3] - ink[1])
                        .toAlignedRect()
                        .adjusted(-GAP_CLEAR, -GAP_CLEAR, GAP_CLEAR, GAP_CLEAR)
                    )
            paint_gap(painter, rect, keep)
        if text and font is not None and foreground is not None:
            shift = layout.shift if note and layout is not None else 0
            self._paint_number(painter, rect, text, font, foreground, shift)
        if focused and model.current == key:
            # The current cell (clicked, or where typing goes): a thin dotted frame, black
            # and white so that it shows on every colour without looking like a highlight.
            frame = rect.adjusted(2, 2, -3, -3)
            painter.setPen(self._white_pen)
            painter.drawRect(frame)
            painter.setPen(self._dotted_pen)
            painter.drawRect(frame)
        if styles:
            # A noted cell's frame as its neighbours': a window's frames stay alike.
            self._paint_borders(painter, rect, styles, background.color(), side)
        if note and layout is not None:
            paint_note(painter, rect, note, layout, self.base_font)

    def _paint_number(
        self,
        painter: QPainter,
        rect: QRect,
        text: str,
        font: QFont,
        foreground: QBrush,
        shift: int = 0,
    ) -> None:
        """A cell's number in ``rect``: centred, ``shift`` pixels lower under a weight note
        (see :meth:`note_layout`); whole, in a smaller font only where the cell is too narrow
        for it (see :meth:`fitted_number`), as in every cell of the matrix: never made smaller
        for a note (a window's digits, the ones the step is about, were half the size of the
        others' under their "×w" notes)."""
        margin = self._text_margin
        text_rect = rect.adjusted(margin, shift, -margin, shift)
        text, font = self.fitted_number(text, font, text_rect.width(), rect.height())
        painter.setFont(font)
        painter.setPen(self._text_pen(foreground))
        painter.drawText(text_rect, _CENTER, text)

    def number_ink(
        self, r: int, c: int, width: int, height: int
    ) -> tuple[float, float, float, float] | None:
        """Where cell (r, c)'s number has its ink in a ``width`` × ``height`` cell, as
        :meth:`paint_cell` draws it: (left, top, right, bottom) from the cell's corner, a pixel
        over on every side; None: no number.  A cell with a weight note: the whole cell.  The
        step arrows run between these (along the grid lines) where no route is free."""
        model = self._model
        text = model._display(r, c)
        if not text or not isinstance(text, str):
            return None
        font = model._font(r, c)
        if (model.notes and (r, c) in model.notes) or not isinstance(font, QFont):
            return 0.0, 0.0, float(width), float(height)
        if model.styles.get((r, c)):
            font, _ = self.framed_number(QRect(0, 0, width, height), text, font)
        margin = self._text_margin
        key = (id(font), text, width, height, margin)
        known = self._inks.get(key)
        if known is not None and known[0] is font:
            return known[1]
        shown, sized = self.fitted_number(text, font, width - 2 * margin, height)
        _, _, metrics, _ = self._sized_font(self._completed_font(font), sized.pixelSize())
        advance = self._text_width(self._completed_font(font), sized.pixelSize(), shown)
        ink = metrics.tightBoundingRect(shown)
        # As drawText centres one line: the line's height centred, the text on its baseline.
        baseline = (height - metrics.height()) / 2 + metrics.ascent()
        left = margin + (width - 2 * margin - advance) / 2
        found = (
            left + min(0.0, ink.left()) - 1,
            baseline + ink.top() - 1,
            left + max(advance, ink.right()) + 1,
            baseline + ink.bottom() + 1,
        )
        if len(self._inks) > 4096:
            self._inks.clear()
        self._inks[key] = (font, found)
        return found

    def note_drawn(self, r: int, c: int) -> bool:
        """Whether cell (r, c)'s note is drawn at the table's current sizes."""
        table = self.parent()
        if not isinstance(table, QTableView):
            return True
        layout = self.cell_note(table.columnWidth(c), table.rowHeight(r), r, c)
        return layout is not None and layout.pixels > 0

    def cell_note(self, width: int, height: int, r: int, c: int) -> NoteLayout | None:
        """The layout of cell (r, c)'s weight note and number in a ``width`` × ``height``
        cell, as :meth:`paint_cell` draws them (``pixels`` 0: the note is not drawn); None
        when the cell has no note (or shows no number)."""
        model = self._model
        note = model.notes.get((r, c)) if model.show_numbers else None
        text = model._display(r, c) if note else None
        if not note or not isinstance(text, str):
            return None
        font = model._font(r, c)
        if not isinstance(font, QFont):
            return None
        shown, sized = self.fitted_number(text, font, width - 2 * self._text_margin, height)
        styles = model.styles.get((r, c))
        depth = 0
        if styles:
            cell = QRect(0, 0, width, height)
            under = model._background(r, c)
            colour = under.color() if isinstance(under, QBrush) else QColor()
            plan = self._cell_plan(cell, styles, colour, self._side_room(cell, font))
            depth = plan_reach(plan, width, height)
        right = bool(styles) and "differs" in styles
        return self.note_layout(width, height, shown, sized, note, depth, right)

    def note_layout(
        self,
        width: int,
        height: int,
        text: str,
        font: QFont,
        note: str,
        depth: int = 0,
        right: bool = False,
    ) -> NoteLayout:
        """Where the note ``note`` of a ``width`` × ``height`` cell whose number ``text`` is
        drawn in ``font`` (as fitted: the matrix's font) goes, inside a highlight border
        ``depth`` pixels deep: in the top-left corner (top-right, ``right``, clear of the
        compare mode's tab), as large as ``note_pixels`` allows and the room above the
        digits takes, the number moved down (in its own font, above the border's bottom
        band) as far as that needs; no note (``pixels`` 0) where even the least readable one
        would cover the digits.  The number's font is never made smaller for its note."""
        model, base = self._model, self.base_font
        key = (width, height, text, id(font), note, depth, right, model.note_least)
        key += (self.scale, id(base))
        known = self._note_layouts.get(key)
        if known is not None and known[0] is font and known[1] is base:
            return known[2]
        # The note's font as the painter completes it: from the table's font on the table.
        table = self.parent()
        whole = base if base is not None or not isinstance(table, QWidget) else table.font()
        metrics = QFontMetricsF(font)
        ink = metrics.tightBoundingRect(_DIGITS)
        # Qt centres the line (ascent + descent) in the cell; the digits sit on its baseline.
        baseline = (height - metrics.height()) / 2 + metrics.ascent()
        advance = metrics.horizontalAdvance(text)
        digits = QRectF((width - advance) / 2, baseline + ink.top(), advance, ink.height())
        # The digits may go down to a pixel above the border's bottom band, not into it.
        lowest = max(0, math.floor(height - depth - 1 - NOTE_GAP - digits.bottom()))
        layout = NoteLayout(0, QRectF(), 0, digits)
        top = note_pixels(height, model.note_least)
        sizes = range(top, max(model.note_least, NOTE_MIN_PX) - 1, -1) if top else range(0)
        # Inside the border, or on its corner (the frame still shows on the rest of its four
        # sides) where that takes a larger note: Stack mode's 47 px cells had room for 9 px
        # inside their frames, the normal layout's 26 px ones and the lecture's 44 px ones at
        # 1024×768 for none.
        for inset in (note_inset(self.scale, depth), 0):
            for pixels in sizes:
                if pixels <= layout.pixels:
                    break
                note_metrics = QFontMetricsF(note_font(pixels, whole))
                tab_width = note_metrics.horizontalAdvance(f"×{note}") + 4
                tab_height = note_metrics.tightBoundingRect(_DIGITS).height() + 2 * NOTE_PAD
                if tab_width > width - 2 * inset:
                    continue
                shift = max(0, math.ceil(inset + tab_height + NOTE_GAP - digits.top()))
                if shift <= lowest:
                    left = width - inset - tab_width if right else inset
                    tab = QRectF(left, inset, tab_width, tab_height)
                    layout = NoteLayout(pixels, tab, shift, digits.translated(0, shift))
                    break
        if len(self._note_layouts) > 1024:
            self._note_layouts.clear()
        self._note_layouts[key] = (font, base, layout)
        return layout

    def forget_fits(self) -> None:
        """Forget the fonts numbers were fitted in (the table's font, which completes them,
        changed)."""
        self._fitted.clear()
        self._inks.clear()
        self._note_layouts.clear()
        self._completed.clear()
        self._sized.clear()
        self._sides.clear()
        self._widest_of.clear()

    def fitted_number(
        self,
        text: str,
        font: QFont,
        width: int,
        height: int,
        note: bool = False,
        room: int | None = None,
    ) -> tuple[str, QFont]:
        """The text and font a cell's number is drawn in, ``width`` pixels wide (inside the
        text margins) and ``height`` high (``note``: under a note, at most 0.45 of it, and
        its digits at most ``room`` pixels tall when given).

        ``font`` (the model's, as the column was sized for it) where the number fits, else
        the largest smaller one in which it does, down to ``MIN_NUMBER_PX``: a number was
        cut at the cell's edges ("0.01563" read "015¢", 120 read "l2("), a different number.
        Where it does not fit even then, "…" (the tooltip says the number).  Worked out once
        per font, text and size (a step repaints many cells with the same few texts)."""
        key = (id(font), text, width, height, note, room)
        known = self._fitted.get(key)
        if known is not None and known[0] is font:
            return known[1], known[2]
        drawn = self._completed_font(font)
        pixels = drawn.pixelSize()
        if note:
            pixels = min(pixels, max(MIN_NUMBER_PX, round(height * 0.45)))
            if room is not None:
                # A digit is as tall as a capital letter.
                while (
                    pixels > MIN_NUMBER_PX and self._sized_font(drawn, pixels)[2].capHeight() > room
                ):
                    pixels -= 1
        shown = text
        while pixels > MIN_NUMBER_PX and self._text_width(drawn, pixels, text) > width:
            pixels -= 1
        if self._text_width(drawn, pixels, text) > width:
            shown = "…"
        sized = self._sized_font(drawn, pixels)[1]
        if len(self._fitted) > 4096:
            self._fitted.clear()
        self._fitted[key] = (font, shown, sized)
        return shown, sized

    def _completed_font(self, font: QFont) -> QFont:
        """``font`` as the table completes it (see :func:`completed_font`): from the font it
        paints with (``base_font``), else its own; kept until the table's font changes."""
        known = self._completed.get(id(font))
        if known is None or known[0] is not font:
            base = self.base_font
            if base is None:
                table = self.parent()
                base = table.font() if isinstance(table, QWidget) else None
            done = completed_font(font, base) if base is not None else font
            if len(self._completed) > 256:
                self._completed.clear()
                self._sized.clear()
            known = self._completed[id(font)] = (font, done)
        return known[1]

    def _sized_font(
        self, drawn: QFont, pixels: int
    ) -> tuple[QFont, QFont, QFontMetricsF, dict[str, float]]:
        """``drawn`` (a completed font) at ``pixels`` pixels, its metrics and the widths of the
        texts measured in it."""
        key = (id(drawn), pixels)
        known = self._sized.get(key)
        if known is None or known[0] is not drawn:
            sized = drawn
            if drawn.pixelSize() != pixels:
                sized = QFont(drawn)
                sized.setPixelSize(pixels)
            if len(self._sized) > 1024:
                self._sized.clear()
            known = self._sized[key] = (drawn, sized, QFontMetricsF(sized), {})
        return known

    def _text_width(self, drawn: QFont, pixels: int, text: str) -> float:
        """The width of ``text`` in ``drawn`` at ``pixels`` pixels, each measured once."""
        _, _, metrics, widths = self._sized_font(drawn, pixels)
        width = widths.get(text)
        if width is None:
            if len(widths) > 16384:
                widths.clear()
            width = widths[text] = metrics.horizontalAdvance(text)
        return width

    def _picture(
        self, rect: QRect, background: QBrush, text: str, font: QFont, foreground: QBrush
    ) -> QPixmap | None:
        """The picture of a plain cell ``rect``'s size (see begin_pictures), or None: the cell
        is drawn in place (its look is new: its picture is made after the paint, see
        make_pictures; or it has none, see _make_picture)."""
        context = self._context
        width, height = rect.width(), rect.height()
        font_key = self._font_keys.get(id(font))
        if font_key is None or font_key[0] is not font:
            if len(self._font_keys) > 64:
                self._font_keys.clear()
            font_key = self._font_keys[id(font)] = (font, font.key())
        look: Look = (id(context), id(background), text, font_key[1], id(foreground), width, height)
        known = _PICTURES.get(look)
        if known is not None:
            _PICTURES.move_to_end(look)
            return known.pixmap
        if context is not None:
            if not self._wanted:
                QTimer.singleShot(0, self, self.make_pictures)
            self._wanted[look] = (context, background, text, font, foreground, width, height)
        return None

    def make_pictures(self) -> None:
        """Make the pictures of the looks painted in place for want of one, once the event
        loop is back: the paint that found them missing costs what it did without pictures
        (made during it, in the first paint of a view shown at the end of a test, they were
        followed by a crash of the test run; see also tests/conftest.py)."""
        wanted, self._wanted = self._wanted, {}
        for look, (context, background, text, font, foreground, width, height) in wanted.items():
            if look not in _PICTURES:
                picture = self._make_picture(
                    context, background, text, font, foreground, width, height
                )
                _keep_picture(look, _Picture(picture, (context, background, foreground)))

    def _make_picture(
        self,
        context: _PictureContext,
        background: QBrush,
        text: str,
        font: QFont,
        foreground: QBrush,
        width: int,
        height: int,
    ) -> QPixmap | None:
        """A plain cell's picture; None for a hatched or translucent background (its pattern
        follows the widget, what lies under it shows through) or a number reaching out of
        the cell (the picture would cut it)."""
        if background.style() != Qt.BrushStyle.SolidPattern or background.color().alpha() != 255:
            return None
        # The font as the table's painter completes it (family, weight: the table's), kept
        # while the context is: a new font object each time was fitted and measured anew.
        known = self._picture_fonts.get(id(font))
        if known is None or known[0] is not font or known[1] is not context:
            if len(self._picture_fonts) > 64:
                self._picture_fonts.clear()
            known = (font, context, completed_font(font, context.font))
            self._picture_fonts[id(font)] = known
        drawn = known[2]
        ratio = context.ratio
        scale = int(ratio)
        # Would the number draw a pixel outside the cell?  Drawn on a transparent sheet with
        # room around the cell.
        room = max(4, height)
        probe = QImage(
            (width + 2 * room) * scale,
            (height + 2 * room) * scale,
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        probe.setDevicePixelRatio(ratio)
        probe.fill(0)
        painter = QPainter(probe)
        painter.setRenderHints(context.hints)
        self._paint_number(painter, QRect(room, room, width, height), text, drawn, foreground)
        painter.end()
        if _reaches_out(probe, QRect(room, room, width, height)):
            return None
        picture = QPixmap(width * scale, height * scale)
        picture.setDevicePixelRatio(ratio)
        painter = QPainter(picture)
        painter.setRenderHints(context.hints)
        cell = QRect(0, 0, width, height)
        painter.fillRect(cell, background)
        self._paint_number(painter, cell, text, drawn, foreground)
        painter.end()
        return picture

    def _text_pen(self, brush: QBrush) -> QPen:
        """The pen of a number drawn in ``brush``'s colour: one of the model's text brushes,
        whose pens are made once (a pen made from a colour for every cell painted cost ~2 µs
        through the binding; ``setPen(color)`` makes this same pen)."""
        known = self._text_pens.get(id(brush))
        if known is None or known[0] is not brush:
            known = self._text_pens[id(brush)] = (brush, QPen(brush.color()))
        return known[1]

    def _side_room(self, rect: QRect, font: QFont) -> int:
        """How many pixels a cell ``rect`` keeps free between its left or right edge and the
        widest of the matrix's longest numbers drawn centred in it in ``font`` (the cell's:
        a winner's is bold, wider), as :meth:`_paint_number` fits them: the same for every
        cell of the view in a font, so that a window's frames are alike."""
        model = self._model
        width, height = rect.width(), rect.height()
        key = (id(font), model.long_texts, width, height)
        known = self._sides.get(key)
        if known is not None and known[0] is font:
            return known[1]
        margin, drawn = self._text_margin, self._completed_font(font)
        # A close-up's longest texts grow while stepping (those it has shown so far): only
        # the new ones are measured against the widest of the others (all ~150 of a 0..255
        # input's were fitted again on every step that showed a new one).
        texts = frozenset(model.long_texts)
        size_key = (id(font), width, height)
        before = self._widest_of.get(size_key)
        widest, measured = 0.0, texts
        if before is not None and before[0] is font and before[1] <= texts:
            widest, measured = before[2], texts - before[1]
        for text in measured:
            shown, sized = self.fitted_number(text, font, width - 2 * margin, height)
            widest = max(widest, self._text_width(drawn, sized.pixelSize(), shown))
        if len(self._widest_of) > 64:
            self._widest_of.clear()
        self._widest_of[size_key] = (font, texts, widest)
        side = max(0, int((width - widest) / 2))
        if len(self._sides) > 64:
            self._sides.clear()
        self._sides[key] = (font, side)
        return side

    def framed_number(self, rect: QRect, text: str, font: QFont) -> tuple[QFont, int]:
        """The font a highlighted cell ``rect``'s number ``text`` is drawn in (the model's
        ``font``) and the room it leaves its frames at its left and right (see
        :meth:`_side_room`).  A winner's bold number, the one the nested frames (the
        window's and the winner's) go around, leaves them the room its own text leaves: the
        room of the matrix's widest number (bold "-15" where the winner was "16") left them
        a pixel or two at its sides.  Where even its own text leaves the two frames less
        than NESTED_LEAST pixels (and the room above and below is more), it is drawn in the
        cell's normal font: the same size, not bold, narrower."""
        side = self._side_room(rect, font)
        if not font.bold():
            return font, side
        own = self._text_side(rect, font, text)
        gap = frame_gap(self.scale)
        want = min(self._number_room(rect.height()), nested_least(self.scale) + gap)
        plain = self._model.font
        if own >= want or plain is None or plain.bold():
            return font, own
        normal = self._text_side(rect, plain, text)
        return (plain, normal) if normal > own else (font, own)

    def _text_side(self, rect: QRect, font: QFont, text: str) -> int:
        """The pixels between cell ``rect``'s left or right edge and its number ``text``
        drawn centred in ``font``, as :meth:`_paint_number` fits it."""
        shown, sized = self.fitted_number(
            text, font, rect.width() - 2 * self._text_margin, rect.height()
        )
        width = self._text_width(self._completed_font(font), sized.pixelSize(), shown)
        return max(0, int((rect.width() - width) / 2))

    def _paint_borders(
        self,
        painter: QPainter,
        cell: QRect,
        styles: Collection[str],
        under: QColor,
        side: int | None = None,
    ) -> None:
        """The highlight borders of ``styles`` over ``cell``, whose colour is ``under``, as
        laid out by :meth:`_cell_plan`; ``side``: the room the number leaves at the cell's
        left and right (see :meth:`_side_room`), None where that is not asked."""
        plan = self._cell_plan(cell, styles, under, side)
        x, y = cell.x(), cell.y()
        fill = painter.fillRect
        for dx, dy, w, h, colour, dashed in plan:
            if dashed is None:
                fill(x + dx, y + dy, w, h, colour)
            else:
                self._paint_dashed(painter, cell, *dashed, colour)

    def _cell_plan(
        self, cell: QRect, styles: Collection[str], under: QColor, side: int | None = None
    ) -> tuple[Band, ...]:
        """The bands of the highlight borders of ``styles`` on ``cell`` (see
        :meth:`_border_plan`), laid out once per cell size, styles, scale, palette and the
        inlines the cell's colour calls for (a close-up's highlighted cells share a few:
        working the bands out for each cell cost about as much as filling them)."""
        marks = styles if isinstance(styles, frozenset) else frozenset(styles)
        room = self._number_room(cell.height())
        if side is not None:
            # A wide number ("17" in a 45 px output cell of the lecture layout) leaves less
            # room at its sides than above and below: the frame's inline crossed its digits.
            side = min(room, side)
        # A gap between the frame and the digits: frames laid as deep as the room touched
        # the wide numbers ("9.125", "0.0625"), the digits read as part of the frame.
        gap = frame_gap(self.scale)
        room = max(0, room - gap)
        if side is not None:
            side = max(0, side - gap)
        tones = _inline_tones(view_settings().palette, marks, under.rgb())
        sizes = (cell.width(), cell.height(), room, side)
        key = (view_settings().palette, self.scale, sizes, marks, tones)
        plan = self._border_plans.get(key)
        if plan is None:
            if len(self._border_plans) > 256:
                self._border_plans.clear()
            plan = self._border_plans[key] = self._border_plan(
                cell.width(), cell.height(), marks, room, under, side
            )
        return plan

    def _number_room(self, height: int) -> int:
        """How many pixels a cell ``height`` tall keeps free between its edge and its number's
        digits (the fewer of above and below), in the table's font: as deep as its highlight
        borders may reach without covering them.  ``height`` when it shows no number."""
        model = self._model
        font = model.font
        if not model.show_numbers or font is None:
            return height
        key = (id(font), height)
        known = self._rooms.get(key)
        if known is not None and known[0] is font:
            return known[1]
        table = self.parent()
        shown = completed_font(font, table.font()) if isinstance(table, QWidget) else font
        room = number_room(shown, height)
        if len(self._rooms) > 64:
            self._rooms.clear()
        self._rooms[key] = (font, room)
        return room

    def _border_plan(
        self,
        width: int,
        height: int,
        styles: Collection[str],
        room: int | None = None,
        under: QColor | None = None,
        side: int | None = None,
    ) -> tuple[Band, ...]:
        """The bands of the borders of ``styles`` on a cell of ``width`` × ``height`` at the
        origin, in painting order: ``(x, y, w, h, colour, None)`` for a filled rectangle,
        ``(0, 0, 0, 0, outline, (style, width, inset, line, inline))`` for a border drawn
        with a dashed pen (see :meth:`_paint_dashed`).  ``room``: how deep from the cell's
        edge a border may reach without covering the number (see :meth:`_number_room`); a
        border that would reach deeper is made thinner and laid along the edge.  ``under``:
        the cell's colour, which picks each frame's inline (see :func:`frame_tones`).
        ``side``: the room at the cell's left and right where that is less (a wide number):
        frames that meet in a cell take the room there is on each side, a lone frame the
        less of the two all round."""
        pens = style_pens()
        plan: list[Band] = []
        along = room if side is None else side  # how deep the left and right sides may reach
        narrow = along if room is None else room if along is None else min(room, along)
        # Pens grow with the cell up to 1.2 times theirs (at 58 px), then in proportion with
        # cells larger than MAX_CELL (a lecture's on a large screen: frames of 96 px cells on
        # cells of 136 looked thin).
        scale = min(self.scale, 1.2 * max(1.0, min(width, height) / MAX_CELL))
        cell = None if under is None else under.rgb() & 0xFFFFFF
        solid: list[tuple[str, QColor, QColor, int]] = []  # (colour, outline, inline, pen)
        for style in STYLE_ORDER:
            if style not in styles or style in ("gap", "differs"):  # the gap's hatch is
                continue  # under the number; the differs tab is drawn last, over the frames
            color, base_width, line = pens[style]
            outline, inline = frame_tones(color, cell)
            pen_width = max(2, round(base_width * scale))
            if line == Qt.PenStyle.SolidLine:
                solid.append((color, outline, inline, pen_width))
                continue
            edge = frame_edge(pen_width)
            if narrow is not None and frame_depth(pen_width) > narrow:
                pen_width, edge = (2, 1) if narrow >= 4 else (1, 1)
            # A band that does not show on the cell: its edges wide enough to be seen (both,
            # a dashed pen draws them alike), where the room allows.
            wide = inline_width(color, cell, edge)
            if wide > edge and (narrow is None or 2 + 2 * wide <= narrow):
                edge = wide
                if narrow is not None:
                    pen_width = min(pen_width, narrow - 2 * wide)
            # Two-tone: the colour between an outline and an inline, each black or white.
            # The outline sets the colour apart from whatever lies outside the frame, the
            # inline the frame from the cell's own colour (a pure blue frame on the
            # colour-blind map's navy cells, a brown one on its orange cells, had only a
            # pixel of black and of white to tell them apart).
            inset = edge + pen_width // 2
            plan.append((0, 0, 0, 0, outline, (color, pen_width, inset, line, inline)))
        if len(solid) == 1:
            color, outline, inline, pen_width = solid[0]
            edge = frame_edge(pen_width)
            last = inline_width(color, cell, edge)
            if narrow is not None and pen_width + edge + last > narrow:
                # A small cell whose number nearly fills it (a close-up at ~16 px): the usual
                # border covered the top and bottom of its digits, the window's and the
                # winner's numbers (the ones the step is about) were the hardest to read.
                # Thinner, on the cell's edge.
                depth = max(2, narrow)
                plan += _edge_frame(
                    width, height, depth, _colour(color), outline, inline, wide_inline(color, cell)
                )
            else:
                # Solid borders as filled bands: a wide pen's stroke costs ~0.2 ms a rectangle.
                plan += _rings(
                    width, height, [(outline, edge), (_colour(color), pen_width), (inline, last)]
                )
        elif solid:
            # Frames that meet in a cell (the max winner inside the window) nest, in
            # STYLE_ORDER from the edge inwards: drawn from the same edge, the last one hid
            # the others (the window's frame was gone from the winner's cell).
            # Above and below the number there is often more room than beside a wide one
            # (the winner's bold "16"): the frames keep it there, where they show most.
            wide = wide_inline(solid[-1][0], cell)
            plan += _rings(
                width,
                height,
                _nested_rings(solid, room, wide),
                _nested_rings(solid, along, wide),
            )
        sides = OUTLINE_SIDES & styles if isinstance(styles, frozenset) else None
        if sides is None:
            sides = frozenset(side for side in OUTLINE_SIDES if side in styles)
        if sides:
            plan += _dashed_sides(width, height, sides, scale, room, under)
        if "differs" in styles:
            # A square in the corner, a quarter of the cell (at least 6 px) with a dark edge:
            # the number stays clear of it, the step's frame shows on its four sides.
            tab = max(6, min(width, height) // 4)
            plan.append((0, 0, tab + 1, tab + 1, _OUTLINE, None))
            plan.append((0, 0, tab, tab, _colour(pens["differs"][0]), None))
        return tuple(plan)

    def _paint_dashed(
        self,
        painter: QPainter,
        cell: QRect,
        color: str,
        width: int,
        inset: int,
        line: Qt.PenStyle,
        inline: QColor,
        outline: QColor,
    ) -> None:
        """A border of ``color`` drawn with a ``line`` pen ``width`` pixels wide, ``inset``
        into ``cell``, between an ``outline`` and an ``inline`` (see :meth:`_border_plan`)."""
        rect = cell.adjusted(inset, inset, -inset - 1, -inset - 1)
        edge = inset - width // 2
        inner = width - width // 2 + edge // 2  # the inline just inside the colour
        painter.save()
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(outline, width + 2 * edge, line))
        painter.drawRect(rect)
        painter.setPen(QPen(_colour(color), width, line))
        painter.drawRect(rect)
        painter.setPen(QPen(inline, edge, line))
        painter.drawRect(rect.adjusted(inner, inner, -inner, -inner))
        painter.restore()


def _dashed_sides(
    width: int,
    height: int,
    sides: frozenset[str],
    scale: float,
    room: int | None,
    under: QColor | None,
) -> list[Band]:
    """The part of a dropped window's dashed outline that runs along ``sides`` of one cell.

    Parameters
    ----------
    width, height : int
        The cell, in pixels.
    sides : frozenset of str
        Styles of :data:`OUTLINE_SIDES`: the cell's edges that are the window's edges.
    scale : float
        How much the pens grow with the cell (see :meth:`_CellDelegate._border_plan`).
    room : int or None
        How deep from the edge the outline may reach without covering a number.
    under : QColor or None
        The cell's colour, which picks the dashes' edge tone (see :func:`frame_tones`).

    Returns
    -------
    list of Band
        Filled rectangles ``(x, y, w, h, colour, None)``: each dash its colour inside a ring of
        black or white, the tone that contrasts with the cell.  The dashes repeat with the
        cell (each cell's edge has whole ones, half a gap at each end), so that they line up
        along the window; at the window's corners they run into the corner, which then shows.
    """
    color, base_width, _line = style_pens()[DROPPED]
    colour = _colour(color)
    # The ring is the tone that shows on the cell (the inline's rule): the dashes lie on the
    # hatched overhang, where standard red's own contrast is only ~2.6:1.
    _outline, ring = frame_tones(color, None if under is None else under.rgb())
    pen = max(2, round(base_width * scale))
    edge = frame_edge(pen)
    if room is not None and pen + 2 * edge > room:
        pen, edge = (2, 1) if room >= 4 else (1, 1)
    # A ring of a pixel is lost from afar where the dash itself does not show on the cell.
    wide = inline_width(color, None if under is None else under.rgb() & 0xFFFFFF, edge)
    if wide > edge and (room is None or 2 + 2 * wide <= room):
        edge = wide
        if room is not None:
            pen = min(pen, room - 2 * wide)
    depth = pen + 2 * edge
    rings: list[Band] = []
    dashes: list[Band] = []

    def run(length: int, start_corner: bool, end_corner: bool) -> list[tuple[int, int]]:
        count = max(1, round(length / (3 * depth)))
        period = length / count
        spans = []
        for k in range(count):
            a = 0 if k == 0 and start_corner else round((k + 0.15) * period)
            b = length if k == count - 1 and end_corner else round((k + 0.85) * period)
            spans.append((a, b))
        return spans

    left, right = DROPPED_LEFT in sides, DROPPED_RIGHT in sides
    top, bottom = DROPPED_TOP in sides, DROPPED_BOTTOM in sides
    for side, along, (first, last) in (
        (DROPPED_TOP, width, (left, right)),
        (DROPPED_BOTTOM, width, (left, right)),
        (DROPPED_LEFT, height, (top, bottom)),
        (DROPPED_RIGHT, height, (top, bottom)),
    ):
        if side not in sides:
            continue
        far = height if side == DROPPED_BOTTOM else width
        across = 0 if side in (DROPPED_TOP, DROPPED_LEFT) else far - depth
        for a, b in run(along, first, last):
            # Each dash: a ring of the contrasting tone, the colour inside it.  Every ring
            # first: a corner's two dashes then join in colour.
            if side in (DROPPED_TOP, DROPPED_BOTTOM):
                rings.append((a, across, b - a, depth, ring, None))
                dashes.append((a + edge, across + edge, b - a - 2 * edge, pen, colour, None))
            else:
                rings.append((across, a, depth, b - a, ring, None))
                dashes.append((across + edge, a + edge, pen, b - a - 2 * edge, colour, None))
    return rings + [d for d in dashes if d[2] > 0 and d[3] > 0]


# The dark and light edges of every highlight (borders, heat map frames): opaque, as the step
# arrow's edges; translucent (200 and 220 of 255), a heat map's frame of 48 pixels or more was
# a blend Qt split across its thread pool (see serial_paint) on every repaint under the arrow.
_OUTLINE = QColor(0, 0, 0)
_INLINE = QColor(255, 255, 255)


@functools.lru_cache(maxsize=64)
def _colour(name: str) -> QColor:
    return QColor(name)


# WCAG 2's least contrast for graphics: what each tone of a highlight frame makes with what it
# meets (the frame's colour, the cell's colour); measured by visualizer.model.contrast.
MIN_FRAME_CONTRAST = _MIN_FRAME_CONTRAST


def wide_inline(color: str, under: int | None) -> bool:
    """Whether a frame in ``color`` on a cell of colour ``under`` (0xRRGGBB; None: not known)
    needs an inline of LEAST_EDGE_PX pixels at least: its band alone does not show on the
    cell (the colour-blind palette's pale green winner on cividis's yellow, 1.04:1; the
    standard green of changed cells on the diverging map's orange), so the line between them
    is all that tells them apart, and one pixel of it was lost from afar."""
    return under is not None and not shows_on(_colour(color).rgb() & 0xFFFFFF, under)


def inline_width(color: str, under: int | None, edge: int) -> int:
    """The width of the inline of a frame in ``color`` whose edges are ``edge`` pixels wide,
    on a cell of colour ``under`` (see :func:`wide_inline`)."""
    return max(edge, LEAST_EDGE_PX) if wide_inline(color, under) else edge


@functools.lru_cache(maxsize=4096)
def frame_tones(color: str, under: int | None = None) -> tuple[QColor, QColor]:
    """The outline and the inline (black or white) of a highlight frame in ``color`` on a cell
    of the colour ``under`` (0xRRGGBB; None: not known).

    The outline is the tone that contrasts more with the frame's colour (at least 4.6:1), so
    that the colour shows as a band whatever lies outside the frame.  The inline is one that
    contrasts with the cell by MIN_FRAME_CONTRAST at least (one of black and white always
    does), the one that contrasts more with the frame's colour when both do: the frame's inner
    edge then shows on every cell, and its colour stays crisp where it can.  Without
    ``under``, the outline's tone.
    """
    band = QColor(color).rgb() & 0xFFFFFF
    black, white = 0x000000, 0xFFFFFF
    outline = black if contrast_ratio(black, band) >= contrast_ratio(white, band) else white
    inline = outline
    if under is not None:
        cell = under & 0xFFFFFF
        readable = [t for t in (black, white) if contrast_ratio(t, cell) >= MIN_FRAME_CONTRAST]
        inline = max(readable, key=lambda tone: contrast_ratio(tone, band))
    return (
        _OUTLINE if outline == black else _INLINE,
        _OUTLINE if inline == black else _INLINE,
    )


@functools.lru_cache(maxsize=4096)
def _inline_tones(
    palette: str, styles: frozenset[str], under: int
) -> tuple[tuple[bool, bool], ...]:
    """Which frames of ``styles`` (in the order they are drawn) have a white inline on a cell
    of colour ``under`` in ``palette``, and which a wide one (see :func:`wide_inline`): what a
    border plan depends on besides sizes."""
    colours = PALETTES[palette][2]
    return tuple(
        (
            frame_tones(colours[QUIZ_COLOURS.get(style, style)], under)[1] is _INLINE,
            wide_inline(colours[QUIZ_COLOURS.get(style, style)], under),
        )
        for style in (*STYLE_ORDER, DROPPED)
        if style in styles and QUIZ_COLOURS.get(style, style) in colours
    )


def frame_edge(pen_width: int) -> int:
    """How wide the outline and the inline of a highlight border ``pen_width`` pixels wide are:
    a pixel on the small pens, two and more on a lecture's wide ones (a pixel of each was
    lost from the back of a hall)."""
    return max(1, round(pen_width * 0.4))


FRAME_GAP = 2  # pixels kept between a highlight frame and the digits, at scale 1
# The least depth (pixels, at scale 1) of two nested frames at a number's sides: an outline,
# each colour 2 px, a line between them, an inline (see _nested_rings).
NESTED_LEAST = 7


def nested_least(scale: float) -> int:
    """The least depth of two nested frames in cells drawn at ``scale`` (see NESTED_LEAST)."""
    return max(NESTED_LEAST, round(NESTED_LEAST * scale))


def frame_gap(scale: float) -> int:
    """The pixels kept between a highlight frame and the digits in cells drawn at ``scale``
    (a cell's size / 48: a lecture's larger cells keep a wider gap, read from afar)."""
    return max(FRAME_GAP, round(FRAME_GAP * scale))


def frame_depth(pen_width: int) -> int:
    """How many pixels from a cell's edge a highlight border of ``pen_width`` covers, its
    outline and inline included (see :meth:`_CellDelegate._border_plan`)."""
    return pen_width + 2 * frame_edge(pen_width)


def plan_reach(plan: tuple[Band, ...], width: int, height: int) -> int:
    """How many pixels from a ``width`` × ``height`` cell's top or bottom edge (the deeper) the
    bands of a border ``plan`` (see :meth:`_CellDelegate._border_plan`) reach over the middle
    of the cell, where its number and note are (a corner's tab left out)."""
    reach = 0
    for x, y, w, h, _colour, dashed in plan:
        if dashed is not None:
            # As _CellDelegate._paint_dashed draws it: the inline's pen is the deepest.
            _style, pen, inset, _line, _inline = dashed
            edge = inset - pen // 2
            reach = max(reach, inset + pen - pen // 2 + edge // 2 + edge)
        elif x <= width // 2 < x + w and h < height // 2:  # along the top or bottom edge
            reach = max(reach, y + h if y < height // 2 else height - y)
    return reach


def number_room(font: QFont, height: int) -> int:
    """The pixels a cell ``height`` tall keeps free between its edge and the digits of a
    number drawn centred in it in ``font`` (the fewer of above and below)."""
    metrics = QFontMetrics(font)
    digits = metrics.tightBoundingRect("0123456789")
    # Qt centres the line (ascent + descent) in the cell; the digits sit on its baseline.
    baseline = (height - metrics.height()) // 2 + metrics.ascent()
    above = baseline + digits.top()
    below = height - 1 - (baseline + digits.bottom())
    return max(0, min(above, below))


def _edge_frame(
    width: int,
    height: int,
    depth: int,
    colour: QColor,
    outline: QColor,
    inline: QColor,
    wide: bool = False,
) -> list[Band]:
    """A border ``depth`` pixels deep along the edge of a ``width`` × ``height`` cell: the
    ``outline`` outside, the colour, and the ``inline`` inside when there is room for the
    three.  ``wide``: the colour does not show on the cell (see :func:`wide_inline`), its
    inline is LEAST_EDGE_PX wide, before the outline (the grid line lies outside it)."""
    if wide and depth >= 4:
        rings = (
            [(outline, 1), (colour, depth - 1 - LEAST_EDGE_PX), (inline, LEAST_EDGE_PX)]
            if depth >= 3 + LEAST_EDGE_PX
            else [(colour, depth - LEAST_EDGE_PX), (inline, LEAST_EDGE_PX)]
        )
    elif wide:
        rings = [(colour, depth - 1), (inline, 1)]
    elif depth >= 4:
        rings = [(outline, 1), (colour, depth - 2), (inline, 1)]
    else:
        rings = [(outline, 1), (colour, depth - 1)]
    return _rings(width, height, rings)


def _nested_rings(
    frames: list[tuple[str, QColor, QColor, int]], room: int | None, wide: bool = False
) -> list[tuple[QColor, int]]:
    """The rings of several solid frames ``(colour, outline, inline, pen width)`` nested from
    a cell's edge inwards: the first one's outline, each colour, a black or white line
    between two colours (whichever sets both apart more), the last one's inline.  Within
    ``room`` pixels when given (see :meth:`_CellDelegate._number_room`): the colours share
    what the lines leave, the inline and then the lines between going first when that is
    too little for each colour to keep two pixels, then one.  ``wide``: the last colour
    does not show on the cell (see :func:`wide_inline`): its inline is LEAST_EDGE_PX wide
    and stays, the lines between going first (the colour-blind winner's pale green on
    cividis's yellow was drawn right against the cell in a lecture's cells)."""
    colours = [_colour(color) for color, *_ in frames]
    outline, inline = frames[0][1], frames[-1][2]
    edge = max(frame_edge(pen) for *_, pen in frames)
    between = [_separator(a, b) for a, b in itertools.pairwise(colours)]
    n = len(frames)
    inner = max(edge, LEAST_EDGE_PX) if wide else edge
    full = sum(pen for *_, pen in frames) + n * edge + inner
    if room is None or full <= room:
        pens, rim, line, last = [pen for *_, pen in frames], edge, edge, inner
    else:
        budget = max(room, 2 * n)
        # (outline, line between, inline, least pixels of each colour), tried in turn.
        # Wide: never without an inline (the pale band would meet the cell), two pixels of
        # it while each colour keeps one; the outline goes before that (the grid line lies
        # outside it): in the normal layout's cells the winner's band was down to a pixel.
        wide_inline_px = LEAST_EDGE_PX
        steps = (
            (
                (1, 1, wide_inline_px, 2),
                (1, 0, wide_inline_px, 2),
                (0, 0, wide_inline_px, 2),
                (0, 0, wide_inline_px, 1),
                (0, 0, 1, 1),
            )
            if wide
            else ((1, 1, 1, 2), (1, 1, 0, 1), (1, 0, 0, 1))
        )
        for rim, line, last, least in steps:
            left = budget - rim - (n - 1) * line - last
            if left >= least * n:
                break
        # A pixel left over goes to the outer frames, or where the last frame's inline takes
        # its room (wide) to the inner ones: the winner's band, the step's focus, kept its
        # width beside its wider inline.
        spare = left % n
        pens = [left // n + (1 if (k >= n - spare if wide else k < spare) else 0) for k in range(n)]
    # The same rings whatever the room (a line left out is 0 wide): the top and bottom of a
    # frame and its sides may be given different room.
    rings: list[tuple[QColor, int]] = [(outline, rim)]
    for k, colour in enumerate(colours):
        if k:
            rings.append((between[k - 1], line))
        rings.append((colour, pens[k]))
    rings.append((inline, last))
    return rings


def _separator(a: QColor, b: QColor) -> QColor:
    """Black or white, whichever contrasts more with the weaker of colours ``a`` and ``b``."""
    ab = (a.rgb() & 0xFFFFFF, b.rgb() & 0xFFFFFF)
    black = min(contrast_ratio(0x000000, c) for c in ab)
    white = min(contrast_ratio(0xFFFFFF, c) for c in ab)
    return _OUTLINE if black >= white else _INLINE


def _rings(
    width: int,
    height: int,
    rings: list[tuple[QColor, int]],
    sides: list[tuple[QColor, int]] | None = None,
) -> list[Band]:
    """Rings of ``(colour, thickness)`` along the edge of a ``width`` × ``height`` cell, from
    the edge inwards, as filled rectangles ``(x, y, w, h, colour, None)``; ``sides``: the same
    rings' thicknesses at the cell's left and right when they differ (0: left out there)."""
    bands: list[Band] = []
    x = y = 0
    for k, (shade, thickness) in enumerate(rings):
        beside = thickness if sides is None else sides[k][1]
        w, h = width - 2 * x, height - 2 * y
        if w <= 2 * beside or h <= 2 * thickness:
            if thickness or beside:
                bands.append((x, y, max(0, w), max(0, h), shade, None))
        else:
            if thickness:
                bands += [
                    (x, y, w, thickness, shade, None),
                    (x, y + h - thickness, w, thickness, shade, None),
                ]
            if beside:
                bands += [
                    (x, y + thickness, beside, h - 2 * thickness, shade, None),
                    (x + w - beside, y + thickness, beside, h - 2 * thickness, shade, None),
                ]
        x, y = x + beside, y + thickness
    return bands


# Keys a presenter's clicker sends: they always step, even from a selected cell.
_CLICKER_KEYS = frozenset((Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Space))
# Keys that move the cell cursor while data is typed in, and step otherwise.
_MOVE_KEYS = frozenset(
    (
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
    )
)
_FRESH_FOCUS = frozenset(
    (
        Qt.FocusReason.TabFocusReason,
        Qt.FocusReason.BacktabFocusReason,
        Qt.FocusReason.MouseFocusReason,
        Qt.FocusReason.ShortcutFocusReason,
    )
)
_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def _copies_exactly(painter: QPainter, ratio: float) -> bool:
    """Whether a picture drawn at pixel ratio ``ratio`` (a widget's) and copied by ``painter``
    gives the very pixels drawing on ``painter`` would: a raster painter whose device pixels
    are the picture's, not moved by a fraction of one (not an SVG export, nor a scaled or
    fractional render)."""
    if painter.paintEngine().type() != _RASTER or not ratio.is_integer():
        return False
    t = painter.deviceTransform()
    return (
        t.m12() == 0
        and t.m21() == 0
        and t.m11() == ratio
        and t.m22() == ratio
        and float(t.dx()).is_integer()
        and float(t.dy()).is_integer()
    )


def _copy_region(
    painter: QPainter,
    picture: QPixmap,
    region: QRegion,
    area: QRect,
    scale: int,
    at: tuple[int, int] = (0, 0),
) -> None:
    """Copy ``picture`` (device pixels, ``scale`` per logical one) onto ``painter`` in each
    rectangle of ``region`` within ``area``, one at a time: under a clip of many rectangles
    (an arrow's band) Qt copies through its generic fill, ~1 ms for a 150 × 180 table, and
    within one rectangle line by line (~5 µs).  Three calls through the binding a rectangle
    (an arrow's band over a table is some 30 of them).  ``at``: where the painter's (0, 0)
    lies in the picture."""
    left, top, width, height = area.getRect()
    right, bottom = left + width, top + height
    dx, dy = at
    clip, copy = painter.setClipRect, painter.drawPixmap
    for rect in region:
        x, y, w, h = rect.getRect()
        x0, y0 = max(x, left), max(y, top)
        x1, y1 = min(x + w, right), min(y + h, bottom)
        if x1 > x0 and y1 > y0:
            clip(x0, y0, x1 - x0, y1 - y0)
            copy(
                x0,
                y0,
                picture,
                (x0 + dx) * scale,
                (y0 + dy) * scale,
                (x1 - x0) * scale,
                (y1 - y0) * scale,
            )


_RASTER = QPaintEngine.Type.Raster

# Pictures of a header's viewport kept (see _Header.paintEvent): a close-up's box takes a few
# places along each axis of its matrix (a 64×64 input's 2×2 windows: 32).
HEADER_RENDERINGS = 48

# Pictures of a close-up's highlighted cells kept (see _Table._paint_highlighted), up to
# this many pixels in all (4 bytes each), as its floor: a 2×2 window's four cells at each of
# a 16×16 input's 64 places, in each phase's styles, at the lecture layout's cell size
# (~1.4 M pixels).
HIGHLIGHTED_MOST_PIXELS = 2_000_000

# A close-up's floor (see _Floor) is kept up to this many pixels (4 bytes each).
FLOOR_MOST_PIXELS = 2_000_000
# Floors kept besides the one in use (each for another look or cell size of the close-up),
# together at most FLOOR_MOST_PIXELS.
FLOORS_KEPT = 2


class _Floor:
    """The cells of a whole matrix (its canvas: the padding ring included) as a close-up of it
    paints them, kept across the close-up's steps: a close-up shows a few rows and columns of
    the matrix, a new few on every step, and most of them were painted on an earlier step
    (the box moves by a stride), so a plain cell is copied from here instead of being
    painted again.  A cell's picture here stays good while the cell shows the same value,
    kind, colour and pending state (``bits``, ``kinds``, ``pending``, ``colors``, compared
    by the close-up's paint) and the table paints under the same ``key``."""

    def __init__(self, key: tuple[object, ...], shape: tuple[int, int], cell: tuple[int, int]):
        rows, cols = shape
        self.key = key
        self.row_h, self.col_w = cell
        self.pixmap = QPixmap(cols * self.col_w, rows * self.row_h)
        self.pixels = cols * self.col_w * rows * self.row_h
        self.valid = np.zeros(shape, bool)
        self.bits = np.zeros(shape, np.int64)
        self.kinds = np.zeros(shape, np.int8)
        self.pending = np.zeros(shape, bool)
        self.colors = np.zeros((*shape, 3), np.uint8)


# Changes of a table that change how every cell is drawn.
_RESTYLING = frozenset(
    (
        QEvent.Type.StyleChange,
        QEvent.Type.PaletteChange,
        QEvent.Type.FontChange,
        QEvent.Type.EnabledChange,
        QEvent.Type.ActivationChange,
        QEvent.Type.LayoutDirectionChange,
    )
)


class _Header(QHeaderView):
    """A table's header that remembers its size hint by what Qt works it out from.

    Qt's hint is the largest size of the first and last hundred sections' contents (the
    model's numbers in the header's bold font, laid out by the style), asked of the model
    four roles a section, and forgotten whenever a section is resized, the model reset or
    the default size set: a parameter change that gives an output table another shape
    worked it out some ten times for each header of each table (~5 % of the change).  Here
    it is kept by the sections' number and first number (a :class:`MatrixModel` numbers its
    sections from its offset), the font (hashed by value: a view's headers take the font of
    each cell size, and a trial size's font and back, see MatrixView._header_size), the style
    and the screen's resolution, and worked out by Qt the first time."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget) -> None:
        super().__init__(orientation, parent)
        self._axis = 0 if orientation == Qt.Orientation.Vertical else 1
        self._hints: dict[tuple[object, ...], QSize] = {}

    def sizeHint(self) -> QSize:
        # The numbers shown come from the table's MatrixModel (through its header_model).
        table = self.parentWidget()
        model = table.model() if isinstance(table, QTableView) else None
        if (
            not isinstance(model, MatrixModel)
            or self.hiddenSectionCount()
            or self.isSortIndicatorShown()
        ):
            return super().sizeHint()
        key = (
            self.count(),
            model.offset[self._axis],
            self.font(),
            self.style(),
            self.logicalDpiY(),
        )
        hint = self._hints.get(key)
        if hint is None:
            if len(self._hints) > 64:
                self._hints.clear()
            hint = self._hints[key] = super().sizeHint()
        return QSize(hint)

    def changeEvent(self, event: QEvent) -> None:
        # The sections are laid out by the style (a style sheet may change it in place).
        if event.type() == QEvent.Type.StyleChange:
            self._hints.clear()
        super().changeEvent(event)


class _CloseUpHeader(_Header):
    """A close-up's header, painted from a picture of its viewport kept by its numbers (and
    what else the pixels depend on, see :meth:`_rendering_key`): the close-up's box moves on
    every step and comes back to the same few places, and Qt laid out and drew each section's
    number anew (~0.15 M instructions a header a step)."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget) -> None:
        super().__init__(orientation, parent)
        self._renderings: dict[tuple[object, ...], QPixmap] = {}
        # How often the sections were painted, by Qt's paintEvent or for a picture (tests).
        self.paints = 0
        # What the pixels depend on besides the numbers, worked out again only after a
        # change that may change it (see _look): asked on every paint, it cost about what
        # the picture saved.
        self._look: tuple[object, ...] | None = None
        for signal in (
            self.sectionResized,
            self.sectionCountChanged,
            self.sectionMoved,
            self.sortIndicatorChanged,
        ):
            signal.connect(self._forget_look)

    def _forget_look(self, *_args: object) -> None:
        self._look = None

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _RESTYLING:  # font, palette, style, window activity, ...
            self._look = None
        super().changeEvent(event)

    def resizeEvent(self, event: QEvent) -> None:
        self._look = None
        super().resizeEvent(event)

    def _look_now(self) -> tuple[object, ...] | None:
        """The sections' places, the viewport's size, font, palette and style; None if a
        picture may not be kept (hidden or moved sections, a
        sort indicator, a viewport that does not fill its background)."""
        viewport = self.viewport()
        if (
            self.sectionsHidden()
            or self.sectionsMoved()
            or self.isSortIndicatorShown()
            or not viewport.autoFillBackground()
        ):
            return None
        return (
            self.defaultSectionSize(),
            self.length(),
            tuple(self.sectionSize(section) for section in range(self.count())),
            viewport.width(),
            viewport.height(),
            viewport.font(),
            viewport.palette().cacheKey(),
            viewport.backgroundRole(),
            self.style(),
            self.isEnabled(),
            self.layoutDirection(),
        )

    def _rendering_key(self, model: MatrixModel) -> tuple[object, ...] | None:
        """What the viewport's pixels depend on, if its picture may be kept: the numbers (a
        :class:`MatrixModel`'s sections are numbered from its offset), the scroll offset,
        the pixel ratio and :meth:`_look_now`; None while the pointer is over it or a button
        is down (a section's hover or pressed look), or a cell is selected (a section beside
        a selected row or column looks different)."""
        if self.underMouse() or QApplication.mouseButtons() != Qt.MouseButton.NoButton:
            return None
        selection = self.selectionModel()
        if selection is not None and selection.hasSelection():
            return None
        count = self.count()
        if count != model.values.shape[self._axis]:
            return None  # numbered otherwise than from the model's offset
        look = self._look
        if look is None:
            look = self._look = (self._look_now(),)
        if look[0] is None:
            return None
        # The window's activity on every paint: a header is told of it by a WindowActivate
        # event (its palette's colour group), not always by a change event.
        return (
            count,
            model.offset[self._axis],
            self.offset(),
            self.devicePixelRatioF(),
            self.isActiveWindow(),
            look,
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        """The viewport copied from its picture when it was painted before under the same
        key; else painted on a new picture as Qt paints it, kept, and copied."""
        table = self.parentWidget()
        model = table.model() if isinstance(table, QTableView) else None
        key = self._rendering_key(model) if isinstance(model, MatrixModel) else None
        if key is None:
            self.paints += 1
            super().paintEvent(event)
            return
        viewport = self.viewport()
        painter = QPainter(viewport)
        try:
            ratio = viewport.devicePixelRatioF()
            if not _copies_exactly(painter, ratio):
                painter.end()
                self.paints += 1
                super().paintEvent(event)
                return
            scale = int(ratio)
            width, height = viewport.width(), viewport.height()
            # A style's gradient is worked out pixel by pixel from where it lies on the
            # device: the row numbers' sections (Fusion's tall ones in the lecture layout
            # came out a shade apart) are pictured as high up as they are painted, their
            # gradients running down (the picture is as wide as the header, as tall as its
            # place from the window's top: some 30 × 600 pixels).
            at = (0, 0)
            if self.orientation() == Qt.Orientation.Vertical:
                at = (0, int(painter.deviceTransform().dy()) // scale)
            key = (key, at)
            picture = self._renderings.get(key)
            if picture is None:
                self.paints += 1
                picture = self._render(painter, width, height, ratio, at)
                if len(self._renderings) >= HEADER_RENDERINGS:
                    self._renderings.clear()
                self._renderings[key] = picture
            area = QRect(0, 0, width, height)
            _copy_region(painter, picture, event.region(), area, scale, at)
        finally:
            if painter.isActive():
                painter.end()

    def _render(
        self, painter: QPainter, width: int, height: int, ratio: float, at: tuple[int, int]
    ) -> QPixmap:
        """The whole viewport as ``QHeaderView.paintEvent`` paints it (each section, then the
        area after the last one), on its background, with ``painter``'s (the viewport's)
        starting state, at ``at`` in the picture."""
        viewport = self.viewport()
        scale = int(ratio)
        dx, dy = at
        picture = QPixmap(max(1, (dx + width) * scale), max(1, (dy + height) * scale))
        picture.setDevicePixelRatio(ratio)
        picture.fill(viewport.palette().color(viewport.backgroundRole()))
        canvas = QPainter(picture)
        try:
            canvas.setRenderHints(painter.renderHints())
            canvas.setFont(painter.font())
            canvas.setPen(painter.pen())
            canvas.setBrush(painter.brush())
            canvas.setBackground(painter.background())
            canvas.setLayoutDirection(painter.layoutDirection())
            canvas.translate(dx, dy)
            horizontal = self.orientation() == Qt.Orientation.Horizontal
            last = QRect()
            for section in range(self.count()):
                place, size = self.sectionViewportPosition(section), self.sectionSize(section)
                if horizontal:
                    last = QRect(place, 0, size, height)
                else:
                    last = QRect(0, place, width, size)
                canvas.save()
                self.paintSection(canvas, last, section)
                canvas.restore()
            option = QStyleOption()
            option.initFrom(self)
            if last.right() < width - 1:
                option.state |= QStyle.StateFlag.State_Horizontal
                option.rect = QRect(last.right() + 1, 0, width - 1 - last.right(), height)
                self.style().drawControl(
                    QStyle.ControlElement.CE_HeaderEmptyArea, option, canvas, self
                )
            elif last.bottom() < height - 1:
                option.state &= ~QStyle.StateFlag.State_Horizontal
                option.rect = QRect(0, last.bottom() + 1, width, height - last.bottom() - 1)
                self.style().drawControl(
                    QStyle.ControlElement.CE_HeaderEmptyArea, option, canvas, self
                )
        finally:
            canvas.end()
        return picture


class _Table(QTableView):
    """Spreadsheet behaviour: typing a number starts an edit, Enter commits and moves down;
    while numbers are being typed in, arrows, Home and End move the cell cursor.

    A click only selects a cell: after it, Right/Left, PageDown/PageUp, Space, Home and End
    still step (the window's shortcuts), so a lecturer who clicked a cell keeps control.
    Without ``typing_edits`` (presentation mode) a cell is edited on double-click only.
    """

    sigHovered = Signal(int, int)  # canvas row, col; (-1, -1) on leave

    def __init__(self, parent: QWidget | None = None, close_up: bool = False) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.typing_edits = True
        self.entering = False  # numbers are being typed in: arrows move the cell cursor
        self.set_typing_edits(True)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollPerPixel)
        self.setTabKeyNavigation(True)
        self.setWordWrap(False)
        # A clipped digit still reads better than Qt's "…" in place of a number.
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
            # Qt's own headers, but for the size hint (see _Header).
            header = (_CloseUpHeader if close_up else _Header)(orientation, self)
            header.setSectionsClickable(True)
            if orientation == Qt.Orientation.Horizontal:
                self.setHorizontalHeader(header)
            else:
                self.setVerticalHeader(header)
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.Fixed)
            header.setMinimumSectionSize(4)
            header.setHighlightSections(False)
        self._last_hover = (-1, -1)
        # The viewport's cells as last painted (device pixels), the cells whose picture there
        # is current, and what the whole of it was painted under (see paintEvent).
        self.rendering: QPixmap | None = None
        self.valid_cells: set[tuple[int, int]] = set()
        self._rendering_key: tuple[object, ...] | None = None
        # (how the viewport's background and grid are drawn, whether both are plain)
        self._backdrop: tuple[tuple[object, ...], bool] | None = None
        # The sections' places (see _spans), and the same in the viewport at scroll offsets.
        self._sections_changed = 0
        self._sections_key: tuple[int, ...] | None = None
        self._sections: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        self._spans_seen: (
            tuple[tuple[int, int], list[tuple[int, int]], list[tuple[int, int]]] | None
        ) = None
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.sectionResized.connect(self._on_sections_changed)
            header.sectionCountChanged.connect(self._on_sections_changed)
        # A close-up's table: the shape of the canvas it shows a part of, and where the
        # model's offset (0, 0) lies in it (the canvas's offset); None for a table showing a
        # whole matrix.  Its cells are then kept in a floor across steps (see _Floor).
        self.floor_frame: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._floor: _Floor | None = None
        # The floors left for another (look, size): a close-up whose font changes as its box
        # moves (its row numbers growing a digit) and back finds the cells it had painted.
        self._floors: OrderedDict[tuple[object, ...], _Floor] = OrderedDict()
        # A close-up's highlighted cells (its window's) as painted, by what they show and
        # how (see _paint_highlighted), and how many were painted for it (tests count them).
        self._highlighted: dict[tuple[object, ...], QPixmap] = {}
        self.highlighted_painted = 0

    def set_typing_edits(self, on: bool) -> None:
        """Whether typing into a selected cell edits it (else only a double-click does)."""
        self.typing_edits = on
        triggers = QAbstractItemView.EditTrigger.DoubleClicked
        if on:
            triggers |= (
                QAbstractItemView.EditTrigger.AnyKeyPressed
                | QAbstractItemView.EditTrigger.EditKeyPressed
            )
        else:
            self.entering = False
        self.setEditTriggers(triggers)

    def keeps_key(self, key: int, modifiers: Qt.KeyboardModifier, text: str) -> bool:
        """Whether a key pressed in this table is the table's (an edit, a cursor move) rather
        than one of the window's shortcuts (stepping, presentation keys)."""
        if not self.model().editable or modifiers & _COMMAND_MODIFIERS:
            return False
        if key in _CLICKER_KEYS:
            return False
        if key in _MOVE_KEYS or key == Qt.Key.Key_Escape:
            return self.entering
        # A printable character starts an edit (digits, '-', '.', and letters, refused).
        return self.typing_edits and bool(text.strip())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.ShortcutOverride:
            if self.keeps_key(event.key(), event.modifiers(), event.text()):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.entering:
            self.entering = False  # done typing: the arrows step again
            event.accept()
            return
        if self.typing_edits and self.model().editable and event.text().strip():
            if not (event.modifiers() & _COMMAND_MODIFIERS):
                self.entering = True
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QEvent) -> None:
        self.entering = False  # a click selects; it does not start typing
        super().mousePressEvent(event)

    def focusInEvent(self, event: QEvent) -> None:
        # Back by Tab or a shortcut: a new start (a closing cell editor gives the focus back
        # with another reason, and typing goes on).  No focusOutEvent override: Qt sends that
        # one to a focused table while it is being destroyed.
        if event.reason() in _FRESH_FOCUS:
            self.entering = False
        super().focusInEvent(event)

    def closeEditor(self, editor: QWidget, hint: QAbstractItemDelegate.EndEditHint) -> None:
        super().closeEditor(editor, hint)
        if hint == QAbstractItemDelegate.SubmitModelCache:
            # Enter: move down like a spreadsheet.
            current = self.currentIndex()
            below = current.sibling(current.row() + 1, current.column())
            if below.isValid():
                self.setCurrentIndex(below)

    def currentChanged(
        self,
        current: QModelIndex | QPersistentModelIndex,
        previous: QModelIndex | QPersistentModelIndex,
    ) -> None:
        model = self.model()
        if isinstance(model, MatrixModel):
            model.current = (current.row(), current.column()) if current.isValid() else None
        super().currentChanged(current, previous)

    # ---- the rendering ------------------------------------------------------------------------
    def refresh_cells(self, cells: Iterable[tuple[int, int]]) -> None:
        """Repaint ``cells`` (the model's rows and columns), whose look changed: drawn anew,
        not copied from the rendering."""
        model, viewport, valid = self.model(), self.viewport(), self.valid_cells
        for r, c in cells:
            valid.discard((r, c))
            viewport.update(self.visualRect(model.index(r, c)))

    def refresh(self) -> None:
        """Repaint every cell anew (what they show, or how, changed)."""
        self.valid_cells.clear()
        self.viewport().update()

    def forget_rendering(self) -> None:
        """Let the next paint draw every cell it paints anew."""
        self.valid_cells.clear()

    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        # The model's cells that now show something else (MatrixModel.set_values says which).
        valid = self.valid_cells
        if valid:
            top, left = top_left.row(), top_left.column()
            bottom, right = bottom_right.row(), bottom_right.column()
            count = (bottom - top + 1) * (right - left + 1)
            if min(top, left, bottom, right) < 0 or count <= 0 or count >= len(valid):
                valid.clear()
            else:
                for r in range(top, bottom + 1):
                    for c in range(left, right + 1):
                        valid.discard((r, c))
        super().dataChanged(top_left, bottom_right, list(roles))

    def reset(self) -> None:
        self.valid_cells.clear()
        super().reset()

    def setModel(self, model: QAbstractItemModel | None) -> None:  # Qt's name
        super().setModel(model)
        self.valid_cells.clear()
        self._floor = None
        self._floors.clear()
        self._highlighted.clear()
        if model is not None:
            # Rows and columns rearranged (MatrixModel does not; its reset is reset above).
            model.layoutChanged.connect(self.forget_rendering)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _RESTYLING:
            self.valid_cells.clear()
            self._floor = None
            self._floors.clear()
            self._highlighted.clear()
            delegate = self.itemDelegate()
            if event.type() == QEvent.Type.FontChange and isinstance(delegate, _CellDelegate):
                delegate.forget_fits()  # measured in the table's old font
        super().changeEvent(event)

    def showEvent(self, event: QEvent) -> None:
        # While hidden (a heat map's page), the model changed without a repaint of the table.
        self.valid_cells.clear()
        super().showEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        """The cells of the dirty region in one Python call, as ``QTableView.paintEvent``
        paints them (the same cells, rectangles and grid lines), but each drawn by
        ``_CellDelegate.paint_cell`` straight away: Qt's loop called the delegate's ``paint``
        (and the model's ``flags``) through the binding once per cell, with a new option and
        index each time, about half of a cell's cost.

        The cells are painted on the table's rendering (see :meth:`_paint_rendered`), and the
        dirty region copied from it: a cell is drawn anew only when what it shows changed."""
        delegate = self.itemDelegate()
        hh, vh = self.horizontalHeader(), self.verticalHeader()
        if (
            not isinstance(delegate, _CellDelegate)
            or self.isRightToLeft()
            or hh.sectionsHidden()
            or vh.sectionsHidden()
            or hh.sectionsMoved()
            or vh.sectionsMoved()
        ):
            super().paintEvent(event)  # what this does not repeat: Qt's own loop
            return
        viewport = self.viewport()
        painter = QPainter(viewport)
        try:
            if hh.count() == 0 or vh.count() == 0:
                return
            if self._paint_rendered(painter, delegate, event):
                return
            delegate.begin_pictures(painter, viewport)
            try:
                self._paint_cells(painter, delegate, event)
            finally:
                delegate.end_pictures()
        finally:
            painter.end()

    def _paint_rendered(
        self, painter: QPainter, delegate: _CellDelegate, event: QPaintEvent
    ) -> bool:
        """Paint the dirty region from the rendering, the viewport's cells as last painted:
        the cells there that are not current in it (see :attr:`valid_cells`) are painted on it
        first.  False: nothing painted, the painter cannot take a copy of the rendering as
        the very pixels painting the cells would give (not a raster painter at the
        viewport's pixel ratio, as an SVG export or a scaled render), or the viewport's
        background is not a plain colour.

        A step repaints far more cells than it changes: every cell under an arrow's old and
        new place (the arrows' sheet covers the views), and then a copy of each is enough.
        What a cell shows changes through the model (``dataChanged``, a reset) or the view
        (:meth:`refresh_cells`, :meth:`refresh`); what every cell's picture depends on
        besides (sizes, scrolling, fonts, palettes, focus, the selection, ...) is compared
        with what the rendering was painted under, on every paint."""
        viewport = self.viewport()
        ratio = viewport.devicePixelRatioF()
        if not _copies_exactly(painter, ratio):
            return False
        palette = viewport.palette()
        grid = self.showGrid()
        # How the viewport's background and grid are drawn.
        backdrop_key = (
            palette.cacheKey(),
            viewport.backgroundRole(),
            viewport.autoFillBackground(),
            grid,
            self.gridStyle(),
        )
        backdrop = self._backdrop
        if backdrop is None or backdrop[0] != backdrop_key:
            background = palette.brush(backdrop_key[1])
            plain = (
                background.style() == Qt.BrushStyle.SolidPattern
                and backdrop_key[2]
                and (not grid or backdrop_key[4] == Qt.PenStyle.SolidLine)
            )
            backdrop = self._backdrop = (backdrop_key, plain)
        if not backdrop[1]:
            return False
        width, height = viewport.width(), viewport.height()
        if width <= 0 or height <= 0:
            return True
        row_spans, col_spans = self._spans()
        model = self.model()
        selection = self.selectionModel()
        selected: frozenset[tuple[int, int]] = frozenset()
        # What a selected cell looks like (see _paint_selected, _CellDelegate.paint_cell).
        selection_look: tuple[object, ...] = ()
        if selection is not None and selection.hasSelection():
            selected = frozenset((i.row(), i.column()) for i in selection.selectedIndexes())
            current = self.currentIndex()
            focus = (self.hasFocus() or viewport.hasFocus()) and current.isValid()
            selection_look = (
                (current.row(), current.column()) if focus else None,
                self.isActiveWindow(),
                self.isEnabled(),
                self.style(),
            )
        key = (
            width,
            height,
            ratio,
            row_spans,
            col_spans,
            backdrop_key,
            viewport.font(),
            view_settings().palette,
            delegate.scale,
            model,
            getattr(model, "font", None),
            getattr(model, "show_numbers", None),
            getattr(model, "note_least", None),
            getattr(model, "dim", None),
            getattr(model, "asked", None),
            getattr(model, "current", None),
            getattr(model, "neutral", None),
            getattr(model, "black_white", None),
            selected,
            selection_look,
        )
        scale = int(ratio)
        rendering = self.rendering
        valid = self.valid_cells
        if rendering is None or key != self._rendering_key:
            rendering = self.rendering = QPixmap(width * scale, height * scale)
            rendering.setDevicePixelRatio(ratio)
            self._rendering_key = key
            valid.clear()
        # The cells in view (the rendering holds no other) ...
        row_starts = [y for y, _ in row_spans]
        col_starts = [x for x, _ in col_spans]
        last_row, last_col = row_spans[-1], col_spans[-1]
        area = QRect(
            0,
            0,
            min(last_col[0] + last_col[1], width),
            min(last_row[0] + last_row[1], height),
        )
        rows = range(
            max(bisect_right(row_starts, 0) - 1, 0), bisect_right(row_starts, area.bottom())
        )
        cols = range(
            max(bisect_right(col_starts, 0) - 1, 0), bisect_right(col_starts, area.right())
        )
        # ... those of the dirty region not current in the rendering (after a step: the few
        # it changed).
        stale: list[tuple[int, int]] = []
        if len(valid) < len(rows) * len(cols):
            region = event.region()
            for r in rows:
                row_y, row_h = row_spans[r]
                for c in cols:
                    if (r, c) not in valid:
                        col_x, col_w = col_spans[c]
                        if region.intersects(QRect(col_x, row_y, col_w, row_h)):
                            stale.append((r, c))
        if stale:
            canvas = QPainter(rendering)
            try:
                # What a painter on the viewport starts with (its render hints, pen and layout
                # direction; its font is the delegate's base_font, see _render_cells).
                canvas.setRenderHints(painter.renderHints())
                canvas.setPen(palette.color(viewport.foregroundRole()))
                canvas.setLayoutDirection(viewport.layoutDirection())
                focus_cell = selection_look[0] if selection_look else None
                left_over = stale
                if self.floor_frame is not None and scale == 1 and ratio == 1:
                    left_over = self._paint_from_floor(
                        canvas, stale, delegate, row_spans, col_spans, key[5:]
                    )
                if left_over:
                    self._render_cells(
                        canvas, left_over, delegate, row_spans, col_spans, selected, focus_cell
                    )
            finally:
                canvas.end()
            valid.update(stale)
        _copy_region(painter, rendering, event.region(), area, scale)
        return True

    def _paint_from_floor(
        self,
        canvas: QPainter,
        stale: list[tuple[int, int]],
        delegate: _CellDelegate,
        row_spans: list[tuple[int, int]],
        col_spans: list[tuple[int, int]],
        look: tuple[object, ...],
    ) -> list[tuple[int, int]]:
        """Paint the plain cells of ``stale`` on the rendering (``canvas``) from the floor, the
        ones not current there painted on it first; return the cells left to paint in place
        (highlighted, noted, asked, current or selected ones, and all of them when the floor
        cannot be used: cells of different sizes, a box outside the canvas, a floor too
        large).  ``look``: what every cell's picture depends on besides its own content and
        size (the rendering's key less its sizes and places).

        Painted in the floor at their place in the whole matrix, the cells are the very
        pixels painted in place: a cell is painted within its own place only (see
        _render_cells), at a pixel ratio of 1, whatever its neighbours."""
        frame, model = self.floor_frame, self.model()
        if frame is None or not isinstance(model, MatrixModel):
            return stale
        styles = model.styles
        if not isinstance(styles, dict):
            return stale
        row_h, col_w = row_spans[0][1], col_spans[0][1]
        if any(h != row_h for _, h in row_spans) or any(w != col_w for _, w in col_spans):
            return stale
        (canvas_rows, canvas_cols), (off_r, off_c) = frame
        top, left = off_r - model.offset[0], off_c - model.offset[1]
        rows, cols = model.values.shape
        if (
            top < 0
            or left < 0
            or top + rows > canvas_rows
            or left + cols > canvas_cols
            or canvas_rows * row_h * canvas_cols * col_w > FLOOR_MOST_PIXELS
        ):
            return stale
        key = (look, frame[0], row_h, col_w)
        floor = self._floor
        if floor is None or floor.key != key:
            floors = self._floors
            if floor is not None:
                floors[floor.key] = floor
                floors.move_to_end(floor.key)
            floor = floors.pop(key, None)
            if floor is None:
                floor = _Floor(key, frame[0], (row_h, col_w))
            # At most FLOORS_KEPT, and no more pixels than one floor may have in all.
            while len(floors) > FLOORS_KEPT or (
                floors and sum(f.pixels for f in floors.values()) > FLOOR_MOST_PIXELS
            ):
                floors.popitem(last=False)
            self._floor = floor
        # What each cell of the box shows, against what its picture in the floor shows.
        box = np.s_[top : top + rows, left : left + cols]
        values = np.ascontiguousarray(model.values, dtype=float)
        bits = values.view(np.int64)  # bit for bit: −0 and 0 are written differently
        colors = model.colors
        good = (
            floor.valid[box]
            & (floor.bits[box] == bits)
            & (floor.kinds[box] == model.kinds)
            & (floor.pending[box] == model.pending)
            & (floor.colors[box] == colors).all(axis=-1)
        ).tolist()
        special: set[tuple[int, int]] = set(model.notes)
        if model.asked is not None:
            special.add(model.asked)
        if model.current is not None:
            special.add(model.current)
        selection = self.selectionModel()
        if selection is not None and selection.hasSelection():
            special.update((i.row(), i.column()) for i in selection.selectedIndexes())
        in_place: list[tuple[int, int]] = []
        highlighted: list[tuple[int, int]] = []
        new: list[tuple[int, int]] = []
        copied: list[tuple[int, int]] = []
        for rc in stale:
            if rc in special:
                in_place.append(rc)
            elif rc in styles:
                highlighted.append(rc)
            else:
                copied.append(rc)
                if not good[rc[0]][rc[1]]:
                    new.append(rc)
        if highlighted:
            in_place.extend(
                self._paint_highlighted(
                    canvas, highlighted, delegate, row_spans, col_spans, look, bits
                )
            )
        if new:
            painter = QPainter(floor.pixmap)
            try:
                painter.setRenderHints(canvas.renderHints())
                painter.setPen(canvas.pen())
                painter.setLayoutDirection(canvas.layoutDirection())
                floor_rows = [((top + r) * row_h, row_h) for r in range(rows)]
                floor_cols = [((left + c) * col_w, col_w) for c in range(cols)]
                self._render_cells(
                    painter, new, delegate, floor_rows, floor_cols, frozenset(), None
                )
            finally:
                painter.end()
            rs, cs = np.array(new).T
            place = (rs + top, cs + left)
            floor.valid[place] = True
            floor.bits[place] = bits[rs, cs]
            floor.kinds[place] = model.kinds[rs, cs]
            floor.pending[place] = model.pending[rs, cs]
            floor.colors[place] = colors[rs, cs]
        # Copied in rectangles: each row's runs of cells, a run joined with the same run of
        # the rows under it (a close-up's box less its window is a few rectangles).
        runs: dict[int, list[tuple[int, int]]] = {}
        for r, c in sorted(copied):
            row_runs = runs.setdefault(r, [])
            if row_runs and row_runs[-1][1] == c - 1:
                row_runs[-1] = (row_runs[-1][0], c)
            else:
                row_runs.append((c, c))
        blocks: dict[tuple[int, int], tuple[int, int]] = {}  # run: (first row, last row)
        done: list[tuple[int, int, int, int]] = []
        for r in sorted(runs):
            for run in runs[r]:
                first_last = blocks.get(run)
                if first_last is not None and first_last[1] == r - 1:
                    blocks[run] = (first_last[0], r)
                else:
                    if first_last is not None:
                        done.append((*first_last, *run))
                    blocks[run] = (r, r)
        done.extend((*first_last, *run) for run, first_last in blocks.items())
        canvas.setClipping(False)
        for first, last, c0, c1 in done:
            x, y = col_spans[c0][0], row_spans[first][0]
            width, height = (c1 - c0 + 1) * col_w, (last - first + 1) * row_h
            canvas.drawPixmap(
                x, y, floor.pixmap, (left + c0) * col_w, (top + first) * row_h, width, height
            )
        return in_place

    def _paint_highlighted(
        self,
        canvas: QPainter,
        cells: list[tuple[int, int]],
        delegate: _CellDelegate,
        row_spans: list[tuple[int, int]],
        col_spans: list[tuple[int, int]],
        look: tuple[object, ...],
        bits: np.ndarray,
    ) -> list[tuple[int, int]]:
        """Copy the highlighted ``cells`` (a close-up's window) on the rendering from their
        pictures, made the first time a cell shows the same value, kind, colour and styles
        under the same ``look`` at the same size; return those left to paint in place (a
        hatched or translucent cell, whose pattern lies by its place in the viewport, and a
        gap's).  The window stays in the middle of the moving box: its few cells were
        painted anew, numbers laid out and frames drawn, on every step.

        A cell is painted within its own place only (see :meth:`_render_cells`): at (0, 0)
        of its picture it gets the very pixels it gets in place, on a rendering at a pixel
        ratio of 1 (as the floor's)."""
        model = self.model()
        assert isinstance(model, MatrixModel)
        styles, kinds, pending, colors = model.styles, model.kinds, model.pending, model.colors
        rows, cols = model.values.shape
        row_h, col_w = row_spans[0][1], col_spans[0][1]
        grid = 1 if self.showGrid() else 0
        rect = QRect(0, 0, col_w - grid, row_h - grid)
        pictures = self._highlighted
        # Where a cell's frames go, from the longest numbers shown so far (which grow while
        # stepping, and place the frames alike as long as their width stays), by font.
        sides: dict[int, int] = {}
        left: list[tuple[int, int]] = []
        for r, c in cells:
            cell_styles = frozenset(styles.get((r, c), ()))
            if "gap" in cell_styles or not delegate.covers(r, c):
                left.append((r, c))
                continue
            font = model._font(r, c)
            text = model._display(r, c)
            if isinstance(font, QFont) and font.bold() and isinstance(text, str):
                side = delegate.framed_number(rect, text, font)[1]  # a winner's own room
            else:
                side = sides.get(id(font))
                if side is None:
                    side = sides[id(font)] = delegate._side_room(rect, font)
            key = (
                look,
                row_h,
                col_w,
                side,
                int(bits[r, c]),
                int(kinds[r, c]),
                bool(pending[r, c]),
                colors[r, c].tobytes(),
                cell_styles,
            )
            picture = pictures.get(key)
            if picture is None:
                picture = QPixmap(col_w, row_h)
                painter = QPainter(picture)
                try:
                    painter.setRenderHints(canvas.renderHints())
                    painter.setPen(canvas.pen())
                    painter.setLayoutDirection(canvas.layoutDirection())
                    self._render_cells(
                        painter,
                        [(r, c)],
                        delegate,
                        [(0, row_h)] * rows,
                        [(0, col_w)] * cols,
                        frozenset(),
                        None,
                    )
                finally:
                    painter.end()
                self.highlighted_painted += 1
                if (len(pictures) + 1) * row_h * col_w > HIGHLIGHTED_MOST_PIXELS:
                    pictures.clear()
                pictures[key] = picture
            canvas.drawPixmap(col_spans[c][0], row_spans[r][0], picture)
        return left

    def _on_sections_changed(self, *_args: object) -> None:
        self._sections_changed += 1

    def _spans(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """Each row's and each column's place in the viewport: (top, height), (left, width).

        The sections' places are asked of the headers only when their number, a section's
        size or the default size changed (two calls through the binding per section on
        every paint), then moved by the scroll offsets."""
        hh, vh = self.horizontalHeader(), self.verticalHeader()
        key = (
            self._sections_changed,
            vh.count(),
            vh.defaultSectionSize(),
            vh.length(),
            hh.count(),
            hh.defaultSectionSize(),
            hh.length(),
        )
        if key != self._sections_key:
            self._sections_key = key
            self._sections = (
                [(vh.sectionPosition(r), vh.sectionSize(r)) for r in range(vh.count())],
                [(hh.sectionPosition(c), hh.sectionSize(c)) for c in range(hh.count())],
            )
            self._spans_seen = None
        dy, dx = vh.offset(), hh.offset()
        seen = self._spans_seen
        if seen is None or seen[0] != (dy, dx):
            rows, cols = self._sections
            seen = self._spans_seen = (
                (dy, dx),
                [(y - dy, h) for y, h in rows],
                [(x - dx, w) for x, w in cols],
            )
        return seen[1], seen[2]

    def _render_cells(
        self,
        canvas: QPainter,
        cells: list[tuple[int, int]],
        delegate: _CellDelegate,
        row_spans: list[tuple[int, int]],
        col_spans: list[tuple[int, int]],
        selected: frozenset[tuple[int, int]],
        focus_cell: tuple[int, int] | None,
    ) -> None:
        """Paint ``cells`` on the rendering (``canvas``): each in its place with its grid lines
        (the line under it and the one right of it, as Qt draws them), on the viewport's
        background, and nothing outside its place (a wide border's outline reaches a pixel
        into the grid line above or left, which the grid drawn after the cells covers)."""
        viewport = self.viewport()
        background = viewport.palette().brush(viewport.backgroundRole())
        grid = self.showGrid()
        grid_size = 1 if grid else 0
        grid_pen = None
        if grid:
            option = QStyleOptionViewItem()
            self.initViewItemOption(option)
            style = self.style()
            hint = style.styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
            grid_pen = QPen(QColor.fromRgba(hint & 0xFFFFFFFF), 1, self.gridStyle())
        style = self.style()
        paint_cell, covers = delegate.paint_cell, delegate.covers
        wide = viewport.devicePixelRatioF() > 1
        # A cell that covers its rectangle with an opaque colour, painted within its rectangle
        # on a place filled with the grid's (opaque) colour, is what painting it on the
        # background and drawing the grid lines over it gives (a border's outline reaching
        # into the grid line under or right of it is covered by that line): two calls instead
        # of five.  Those places are filled first, before any clip.
        covered: set[tuple[int, int]] = set()
        if grid_pen is not None and not wide and grid_pen.color().alpha() == 255:
            underlay = grid_pen.color()
            for r, c in cells:
                if (r, c) not in selected and covers(r, c):
                    covered.add((r, c))
                    row_y, row_h = row_spans[r]
                    col_x, col_w = col_spans[c]
                    canvas.fillRect(col_x, row_y, col_w, row_h, underlay)
        delegate.begin_pictures(canvas, viewport)
        delegate.base_font = viewport.font()
        try:
            for r, c in cells:
                row_y, row_h = row_spans[r]
                col_x, col_w = col_spans[c]
                rect = QRect(col_x, row_y, col_w - grid_size, row_h - grid_size)
                if (r, c) in covered:
                    canvas.setClipRect(rect)
                    paint_cell(canvas, rect, r, c, False)
                    continue
                place = QRect(col_x, row_y, col_w, row_h)
                canvas.setClipRect(place)
                canvas.fillRect(place, background)
                focused = False
                if (r, c) in selected:
                    focused = focus_cell == (r, c)
                    self._paint_selected(canvas, style, rect, focused)
                paint_cell(canvas, rect, r, c, focused)
                if grid_pen is not None:
                    # The grid lines through the cell's place, each longer than the place (its
                    # ends are a table's length away, where Qt draws them across the whole
                    # dirty region): under the cell and right of it; at a pixel ratio above 1
                    # a line is as wide as a logical pixel around it, and the lines above and
                    # left of the cell reach into its place too.
                    canvas.setPen(grid_pen)
                    line_x, line_y = col_x + col_w - 1, row_y + row_h - 1
                    left, top, right, bottom = col_x - 1, row_y - 1, line_x + 1, line_y + 1
                    canvas.drawLine(left, line_y, right, line_y)
                    canvas.drawLine(line_x, top, line_x, bottom)
                    if wide:
                        if r > 0:
                            canvas.drawLine(left, top, right, top)
                        if c > 0:
                            canvas.drawLine(left, top, left, bottom)
        finally:
            delegate.base_font = None
            delegate.end_pictures()

    def _paint_cells(self, painter: QPainter, delegate: _CellDelegate, event: QPaintEvent) -> None:
        """The body of :meth:`paintEvent`: each cell of the dirty region, then the grid."""
        hh, vh = self.horizontalHeader(), self.verticalHeader()
        columns, rows = hh.count(), vh.count()
        grid = self.showGrid()
        grid_size = 1 if grid else 0
        x = hh.length() - hh.offset() - 1
        y = vh.length() - vh.offset() - 1
        # The cells Qt would paint (its bit array of visible cells): each once per event.
        first_row = max(vh.visualIndexAt(0), 0)
        last_row = vh.visualIndexAt(vh.height())
        if last_row == -1:
            last_row = rows - 1
        first_col = hh.visualIndexAt(0)
        last_col = hh.visualIndexAt(hh.viewport().width())
        if first_col == -1:
            first_col = 0
        if last_col == -1:
            last_col = columns - 1
        drawn: set[tuple[int, int]] = set()
        # Selected or focused cells (at most the current one) as the style draws them first.
        selection = self.selectionModel()
        # Asked once per paint, not per cell (a paint changes no selection).
        selected = selection is not None and selection.hasSelection()
        current = self.currentIndex()
        focus = (self.hasFocus() or self.viewport().hasFocus()) and current.isValid()
        style = self.style()
        paint_cell = delegate.paint_cell
        row_spans = [(vh.sectionViewportPosition(r), vh.sectionSize(r)) for r in range(rows)]
        col_spans = [(hh.sectionViewportPosition(c), hh.sectionSize(c)) for c in range(columns)]
        grid_pen = None
        for dirty in event.region():
            dirty.setBottom(min(dirty.bottom(), y))
            dirty.setRight(min(dirty.right(), x))
            if not dirty.isValid():
                continue
            left = hh.visualIndexAt(dirty.left())
            right = hh.visualIndexAt(dirty.right())
            if left == -1:
                left = 0
            if right == -1:
                right = columns - 1
            bottom = vh.visualIndexAt(dirty.bottom())
            if bottom == -1:
                bottom = rows - 1
            top = vh.visualIndexAt(dirty.top())
            if top == -1 or top > bottom:
                continue
            for r in range(top, bottom + 1):
                row_y, row_h = row_spans[r]
                if not first_row <= r <= last_row:
                    continue
                for c in range(left, right + 1):
                    if not first_col <= c <= last_col or (r, c) in drawn:
                        continue
                    drawn.add((r, c))
                    col_x, col_w = col_spans[c]
                    rect = QRect(col_x, row_y, col_w - grid_size, row_h - grid_size)
                    focused = False
                    if selected:
                        index = self.model().index(r, c)
                        if selection.isSelected(index):
                            focused = focus and index == current
                            self._paint_selected(painter, style, rect, focused)
                    paint_cell(painter, rect, r, c, focused)
            if grid:
                if grid_pen is None:
                    option = QStyleOptionViewItem()
                    self.initViewItemOption(option)
                    hint = style.styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, self)
                    grid_pen = QPen(QColor.fromRgba(hint & 0xFFFFFFFF), 1, self.gridStyle())
                old = painter.pen()
                painter.setPen(grid_pen)
                for r in range(top, bottom + 1):
                    row_y, row_h = row_spans[r]
                    line_y = row_y + row_h - grid_size
                    painter.drawLine(dirty.left(), line_y, dirty.right(), line_y)
                for c in range(left, right + 1):
                    col_x, col_w = col_spans[c]
                    line_x = col_x + col_w - grid_size
                    painter.drawLine(line_x, dirty.top(), line_x, dirty.bottom())
                painter.setPen(old)

    def _paint_selected(self, painter: QPainter, style: QStyle, rect: QRect, focused: bool) -> None:
        """What the style draws under a selected cell before its delegate (Qt's drawCell)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = rect
        option.state |= QStyle.StateFlag.State_Selected
        if focused:
            option.state |= QStyle.StateFlag.State_HasFocus
        style.drawPrimitive(QStyle.PrimitiveElement.PE_PanelItemViewRow, option, painter, self)

    def mouseMoveEvent(self, event: object) -> None:
        index = self.indexAt(event.position().toPoint())
        pos = (index.row(), index.column()) if index.isValid() else (-1, -1)
        if pos != self._last_hover:
            self._last_hover = pos
            self.sigHovered.emit(*pos)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self._last_hover = (-1, -1)
        self.sigHovered.emit(-1, -1)
        super().leaveEvent(event)


class FontMeasures:
    """A widget's font as text, its line height and the advances of texts in it, kept until
    the widget's font changes (the widget clears them on its FontChange): each close-up's
    title made a QFontMetrics and measured all its forms on every step, and the step arrows
    asked every title and legend for ``font().toString()`` and its text's advance."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._height: int | None = None
        self._advances: dict[str, int] = {}

    def clear(self) -> None:
        self._key, self._height = None, None
        self._advances = {}

    def key(self, widget: QWidget) -> str:
        """``widget.font().toString()``."""
        if self._key is None:
            self._key = widget.font().toString()
        return self._key

    def height(self, widget: QWidget) -> int:
        """``widget.fontMetrics().height()``."""
        if self._height is None:
            self._height = widget.fontMetrics().height()
        return self._height

    def advance(self, widget: QWidget, text: str) -> int:
        """``widget.fontMetrics().horizontalAdvance(text)``."""
        width = self._advances.get(text)
        if width is None:
            if len(self._advances) >= FONT_MEASURES_KEPT:
                self._advances = {}
            width = self._advances[text] = widget.fontMetrics().horizontalAdvance(text)
        return width


LEGEND_TEXT_GAP = 6  # pixels between a colour legend's text and its bar
LEGEND_BAR_MIN = 10  # a colour legend's narrowest bar
LEGEND_DIM_OPACITY = 0.45  # a dimmed colour legend is drawn at this opacity
LEGEND_HEIGHT = 18  # a colour legend's height (pixels), or its font's if taller
LEGEND_BAR_HEIGHT = 10  # ... and its bar's


class ColorLegend(QWidget):
    """A horizontal colour bar with its low, middle and high values."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.levels = (0.0, 1.0)
        self.diverging = False
        self.black_white = False
        self.constant: float | None = None  # every value is this one: a neutral bar
        self.dimmed = False
        self.setFixedHeight(LEGEND_HEIGHT)
        self.setMinimumWidth(60)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.measures = FontMeasures()
        # The legend as last drawn (device pixels, transparent around it), and what it was
        # drawn from (see paintEvent).
        self._picture: QPixmap | None = None
        self._picture_key: tuple[object, ...] | None = None
        # The constant's text fitted to the width, and what it was fitted for (see texts).
        self._fitted: tuple[tuple[str, int, str], tuple[str, bool]] | None = None

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.measures.clear()

    def set_levels(
        self, levels: tuple[float, float], diverging: bool, black_white: bool = False
    ) -> None:
        if (levels, diverging, black_white) != (self.levels, self.diverging, self.black_white):
            self.levels, self.diverging, self.black_white = levels, diverging, black_white
            self.update()

    def set_constant(self, value: float | None) -> None:
        if value != self.constant:
            self.constant = value
            self.update()

    def set_dimmed(self, on: bool) -> None:
        if on != self.dimmed:
            self.dimmed = on
            self.update()

    def set_text_font(self, font: QFont | None) -> None:
        """Write the values in ``font`` (the lecture layout's, read from the back of a hall),
        the legend as tall as the font needs; None: the widget's own font again."""
        self.setFont(QFont() if font is None else font)
        self.setFixedHeight(max(LEGEND_HEIGHT, self.fontMetrics().height()))

    def texts(self) -> tuple[str, str]:
        """What the legend writes left and right of its bar: for one value in every cell the
        longest saying of it that fits the legend's width (a narrow dY in the lecture layout
        at 1024×768 cut "1 in every cell" to "1 in every c", and the Chinese one lost its
        value)."""
        if self.constant is not None:
            return self._constant_text()[0], ""
        return format_number(self.levels[0]), format_number(self.levels[1])

    def bar_shown(self) -> bool:
        """Whether the bar is drawn: not beside a constant's text that needs its room (the
        bar then only shows the one neutral colour)."""
        return self.constant is None or self._constant_text()[1]

    def _constant_text(self) -> tuple[str, bool]:
        """The text saying the legend's constant and whether the bar fits beside it: the whole
        sentence with the bar, else without it, else the short saying, else the value alone
        (elided as a last resort)."""
        value = format_number(self.constant)
        width = self.width()
        key = (value, width, self.measures.key(self))
        if self._fitted is not None and self._fitted[0] == key:
            return self._fitted[1]
        long_text = tr("{value} in every cell").format(value=value)
        short_text = tr("all {value}").format(value=value)
        # The bar's least width and the gaps _paint keeps around the texts.
        with_bar = width - LEGEND_BAR_MIN - 2 * LEGEND_TEXT_GAP
        fitted: tuple[str, bool] | None = None
        for text, bar in ((long_text, True), (long_text, False), (short_text, False)):
            if self.measures.advance(self, text) <= (with_bar if bar else width):
                fitted = (text, bar)
                break
        if fitted is None:
            metrics = self.fontMetrics()
            fitted = (metrics.elidedText(value, Qt.TextElideMode.ElideRight, width), False)
        self._fitted = (key, fitted)
        return fitted

    def text_boxes(self) -> list[tuple[str, QRect]]:
        """Each text the legend writes and its box (this widget's coordinates, as paintEvent
        places it): step arrows pass under these letters as under the titles' (an arrow to a
        lower row hid the "i" of "1 in every cell" and X's low end "0")."""
        height = self.measures.height(self)
        top = (self.height() - height) // 2
        boxes = []
        for text, right in zip(self.texts(), (False, True), strict=True):
            if text:
                width = self.measures.advance(self, text)
                left = self.width() - width if right else 0
                boxes.append((text, QRect(left, top, width, height)))
        return boxes

    def paintEvent(self, event: QPaintEvent) -> None:
        """The legend as last drawn, copied: drawn anew only when what it shows or how
        changed (most of its paints are an arrow passing over it, see _Table.paintEvent)."""
        painter = QPainter(self)
        try:
            ratio = self.devicePixelRatioF()
            if not _copies_exactly(painter, ratio):
                self._paint(painter)
                return
            width, height = self.width(), self.height()
            key = (
                width,
                height,
                ratio,
                self.levels,
                self.diverging,
                self.black_white,
                self.constant,
                self.dimmed,
                view_settings().palette,
                self.font(),
                self.palette().cacheKey(),
                self.texts(),
            )
            if key != self._picture_key or self._picture is None:
                scale = int(ratio)
                picture = QPixmap(width * scale, height * scale)
                picture.setDevicePixelRatio(ratio)
                picture.fill(Qt.GlobalColor.transparent)
                canvas = QPainter(picture)
                try:
                    canvas.setFont(self.font())
                    canvas.setLayoutDirection(self.layoutDirection())
                    self._paint(canvas)
                finally:
                    canvas.end()
                self._picture, self._picture_key = picture, key
            _copy_region(painter, self._picture, event.region(), self.rect(), int(ratio))
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        """The bar and its texts, on ``painter`` (the widget's, or its picture's)."""
        if self.dimmed:
            painter.setOpacity(LEGEND_DIM_OPACITY)
        metrics = painter.fontMetrics()
        left_text, right_text = self.texts()
        left_w = metrics.horizontalAdvance(left_text) + LEGEND_TEXT_GAP
        right_w = metrics.horizontalAdvance(right_text) + LEGEND_TEXT_GAP
        bar = QRect(
            left_w,
            (self.height() - LEGEND_BAR_HEIGHT) // 2,
            max(LEGEND_BAR_MIN, self.width() - left_w - right_w),
            LEGEND_BAR_HEIGHT,
        )
        if self.bar_shown():
            if self.constant is not None:
                painter.fillRect(bar, QColor(*NEUTRAL_RGB))
            else:
                gradient = QLinearGradient(bar.left(), 0, bar.right(), 0)
                cmap = BLACK_WHITE if self.black_white else colormap(self.diverging)
                for pos, color in zip(cmap.pos, cmap.getColors(mode="qcolor"), strict=True):
                    gradient.setColorAt(float(pos), color)
                painter.fillRect(bar, gradient)
            painter.setPen(QColor(120, 120, 120))
            painter.drawRect(bar)
        painter.setPen(self.palette().windowText().color())
        full = QRect(0, 0, self.width(), self.height())
        painter.drawText(full, Qt.AlignLeft | Qt.AlignVCenter, left_text)
        painter.drawText(full, Qt.AlignRight | Qt.AlignVCenter, right_text)


class _Edged:
    """A graphics item drawn as a coloured line inside a black and a white edge, as a table's
    highlight borders are (:meth:`_CellDelegate._paint_borders`): a heat map's window (and
    its winners and marked cells where cells are large enough) then show on every colour of
    every map (a bare blue frame
    vanished on the colour-blind map's dark blue cells).  The item's own pen is the widest
    layer, so that its bounding rectangle holds the edges; :meth:`layers` lists what is
    drawn, outside in."""

    EDGE = 1  # pixels of black, then of white, on each side of the coloured line

    _core: QPen

    _layers: list[QPen]

    def set_core(self, pen: QPen) -> None:
        self._core = QPen(pen)
        self._layers = self._make_layers()
        self.setPen(self._layers[0])  # type: ignore[attr-defined]

    def layers(self) -> list[QPen]:
        """The pens drawn, outside in: black edge, white edge, the colour (made once per
        pen: every paint of a hovered stack's six maps made them anew)."""
        return list(self._layers)

    def _make_layers(self) -> list[QPen]:
        pens = []
        for colour, extra in ((_OUTLINE, 4 * self.EDGE), (_INLINE, 2 * self.EDGE)):
            pen = QPen(self._core)
            pen.setColor(colour)
            pen.setStyle(Qt.PenStyle.SolidLine)
            pen.setWidthF(self._core.widthF() + extra)
            pens.append(pen)
        return [*pens, QPen(self._core)]

    def layers_at(self, cell_px: float) -> list[QPen]:
        """What is drawn where a cell is ``cell_px`` pixels wide: every layer (see
        :meth:`layers`)."""
        return self._layers

    def paint_layers(self, painter: QPainter, draw: Callable[[], object]) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen in self.layers_at(abs(painter.transform().m11())):
            painter.setPen(pen)
            draw()


class _EdgedRect(_Edged, QGraphicsRectItem):
    """A heat map's window frame (see :class:`_Edged`)."""

    def __init__(self, pen: QPen) -> None:
        QGraphicsRectItem.__init__(self)
        self.set_core(pen)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        self.paint_layers(painter, lambda: painter.drawRect(self.rect()))


class _CellFrames(_Edged, QGraphicsPathItem):
    """Outlines of whole cells, given by their centres: one path painted by Qt.  Edged (see
    :class:`_Edged`) where cells are at least EDGED_CELL_PX wide; on smaller cells the edges
    of a receptive field's hundreds of frames covered its data (the window's frame, always
    edged, shows where it is).

    What a ScatterPlotItem of unit squares (``pxMode=False``) drew, without its per-point
    Python work: marking the cells of a projective field on every level of a stack costs
    one path each.  ``setData`` / ``getData`` take and give the centres (x: column + 0.5,
    y: row + 0.5).
    """

    def __init__(self, pen: QPen) -> None:
        QGraphicsPathItem.__init__(self)
        self.set_core(pen)
        self.setBrush(QBrush(Qt.BrushStyle.NoBrush))
        self._xs = np.zeros(0)
        self._ys = np.zeros(0)

    def setData(self, xs: list[float], ys: list[float]) -> None:  # pyqtgraph's names
        self._xs = np.asarray(xs, dtype=float)
        self._ys = np.asarray(ys, dtype=float)
        # Each side once, joined along grid lines: a stroked path of k² squares cost ~8 ms
        # per paint for adaptive pooling's 22×22 windows (three pens), 2·(k + 1) lines little.
        across, down = outline_segments(
            np.floor(self._ys).astype(np.int64), np.floor(self._xs).astype(np.int64)
        )
        path = QPainterPath()
        for y, x0, x1 in across.tolist():
            path.moveTo(x0, y)
            path.lineTo(x1, y)
        for x, y0, y1 in down.tolist():
            path.moveTo(x, y0)
            path.lineTo(x, y1)
        self.setPath(path)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # pyqtgraph's names
        return self._xs, self._ys

    EDGED_CELL_PX = 10

    def layers_at(self, cell_px: float) -> list[QPen]:
        return self._layers if cell_px >= self.EDGED_CELL_PX else self._layers[-1:]

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        self.paint_layers(painter, lambda: painter.drawPath(self.path()))


class _Guide:
    """A cross-hair through a heat map's window: a dashed line in the window's colour over a
    faint band in its contrasting edge colour (:func:`contrast_edge`), so that it shows on
    the map's dark and light cells alike.  ``angle`` 0: a row line at ``value()`` rows from
    the top; 90: a column line at ``value()`` columns from the left (the map draws it across
    its whole box)."""

    def __init__(self, angle: int) -> None:
        self.angle = angle
        self.pen = QPen()
        self.edge_pen: QPen | None = None
        self._value = 0.0
        self._visible = True

    def setPen(self, pen: QPen) -> None:  # the names of the graphics items beside it
        self.pen = QPen(pen)

    def setPos(self, value: float) -> None:
        self._value = float(value)

    def value(self) -> float:
        return self._value

    def setVisible(self, on: bool) -> None:
        self._visible = on

    def isVisible(self) -> bool:
        return self._visible


class _AskedMark:
    """Quiz mode's "?" over a heat map's asked cell (a cell of a heat map is a few pixels):
    where it is (cell coordinates of its centre), and how it is drawn."""

    def __init__(self) -> None:
        self.font = QFont()
        self.font.setPixelSize(18)
        self.font.setBold(True)
        self.color = QColor(0, 0, 0)
        self.fill = QBrush(QColor(255, 255, 255, 230))
        self.border = QPen(QColor(0, 0, 0), 2)
        self._pos = QPointF()
        self._visible = False

    def setPos(self, x: float, y: float) -> None:
        self._pos = QPointF(x, y)

    def pos(self) -> QPointF:
        return QPointF(self._pos)

    def setVisible(self, on: bool) -> None:
        self._visible = on

    def isVisible(self) -> bool:
        return self._visible

    def box(self, centre: QPointF) -> QRectF:
        """Where it is drawn around ``centre`` (pixels): the "?" with a little room."""
        metrics = QFontMetricsF(self.font)
        width = metrics.horizontalAdvance("?") + 8
        height = metrics.height() + 4
        return QRectF(centre.x() - width / 2, centre.y() - height / 2, width, height)


def _cell_arrays(
    cells: tuple[np.ndarray, np.ndarray] | list[tuple[int, int]],
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, cols)`` int arrays of cells given as such arrays or as a list of cells."""
    if isinstance(cells, tuple):
        return np.asarray(cells[0], dtype=np.int64), np.asarray(cells[1], dtype=np.int64)
    table = np.array(cells, dtype=np.int64).reshape(-1, 2)
    return table[:, 0], table[:, 1]


def _qimage_of(item: pg.ImageItem) -> QImage | None:
    """The picture ``item`` holds, coloured now if it was not (what its own ``paint`` does
    first); None without one."""
    if item.image is None:
        return None
    if item._renderRequired:  # pyqtgraph's flag: new data, levels or lookup table
        item.render()
        if item._unrenderable:
            return None
    return item.qimage


class _HeatMap(QWidget):
    """Colour-only view of large matrices: the picture, the cells not finite or not computed
    yet above it, the step's frames, cross-hairs and quiz mode's "?".

    One widget that paints them itself.  pyqtgraph colours the pictures (``image`` and
    ``special`` are its image items, never shown in a scene): a graphics scene of a dozen
    items with Python ``paint`` methods was most of a 16×16 step's heat maps (~4 ms).  The
    picture is scaled to the screen once (with the background, the dimming and the layer
    above it), so that a step that moves frames repaints a few strips by copying pixels.

    The map sits in the widget as pyqtgraph's view box placed it: MARGIN pixels inside the
    widget, PADDING of the matrix's size around it, square cells, centred.
    """

    sigHovered = Signal(int, int)
    sigClicked = Signal(int, int)

    MARGIN = 9  # pixels between the widget's edges and the map's box
    # The cross-hairs' line is this share of the box's shorter side thick, within
    # GUIDE_WIDTHS pixels, over a band GUIDE_BAND times as wide: a 1-pixel dash over a 3-pixel
    # band was lost from a hall's back row, on the dark theme most (issue 10).
    GUIDE_SHARE = 1 / 90
    GUIDE_WIDTHS = (2.0, 6.0)
    GUIDE_BAND = 2.0
    PADDING = 0.02  # of the rows (columns) above and below (left and right of) the matrix
    # What a fresh heat map asks of a layout (the size hints pyqtgraph's widget gave, which
    # the views' layouts were fitted with: see _HeatMapRoom).
    HINT = QSize(600, 480)
    LEAST = QSize(68, 68)
    REACH = 6  # pixels a frame's pens reach beyond its line (the widest: 3 + 2 edges of 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.WheelFocus)
        self.setMouseTracking(True)
        # Every pixel is painted (background, picture): nothing under it needs repainting.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._background = QColor(255, 255, 255)
        self.image = pg.ImageItem(axisOrder="row-major")
        # The picture's key when it shows one value in every cell (see constant_picture).
        self._constant_picture: tuple[object, ...] | None = None
        # Cells without a finite value, as codes (0: finite, 1: NaN or ±∞ held, 2: not computed
        # yet), see _draw_overlay.
        self._overlay: np.ndarray | None = None
        self.special = pg.ImageItem(axisOrder="row-major")  # NaN and ±∞ cells, blank ones
        self.special.setVisible(False)
        self.marks = _CellFrames(pg.mkPen("#ff9f00", width=2))
        self.winners = _CellFrames(pg.mkPen("#d4007a", width=3))
        self._marked: tuple[object, ...] = ()  # the cells last marked (see set_marks)
        self.window_rect = _EdgedRect(pg.mkPen("#ff9f00", width=3))
        self.window_rect.setVisible(False)
        # Dashed outlines of the windows ceil_mode drops (see set_outlines).
        self._outlines: tuple[tuple[int, int, int, int], ...] = ()
        # On a large image a window is a few pixels: cross-hairs through it show where it is.
        self.guides = [_Guide(angle) for angle in (0, 90)]
        for guide in self.guides:
            guide.setVisible(False)
        # Quiz mode's asked cell: a "?" over it.
        self.asked: tuple[int, int] | None = None
        self.asked_item = _AskedMark()
        self._shape: tuple[int, ...] = (1, 1)
        # The array last shown and its least and largest values.
        self._extremes: tuple[np.ndarray | None, tuple[float, float]] = (None, (0.0, 0.0))
        # The base scaled to the widget and what it was made of, and the last base painted
        # (see _base_picture).
        self._base: tuple[tuple[object, ...], QPixmap] | None = None
        self._base_seen: tuple[object, ...] | None = None
        # The pixels the frames, cross-hairs and "?" covered when last placed, and the
        # matrix's place then (see _drawn_region).
        self._region: tuple[tuple[float, float, float], QRegion] | None = None
        self.apply_palette()

    # ---- what it draws -------------------------------------------------------------------
    def items(self) -> list[object]:
        """What the map draws, bottom up (the same objects for as long as it lives)."""
        return [
            self.image,
            self.special,
            self.marks,
            self.winners,
            self.window_rect,
            *self.guides,
            self.asked_item,
        ]

    def viewport(self) -> QWidget:
        """The widget painted (this one; an item view's name for it)."""
        return self

    def sizeHint(self) -> QSize:
        return QSize(self.HINT)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.LEAST)

    def apply_palette(self) -> None:
        pens = style_pens()
        window, winner = pens["window"][0], pens["winner"][0]
        self.marks.set_core(pg.mkPen(window, width=2))
        self.winners.set_core(pg.mkPen(winner, width=3))
        self.window_rect.set_core(pg.mkPen(window, width=3))
        for guide in self.guides:
            guide.setPen(pg.mkPen(window, width=1, style=Qt.PenStyle.DashLine))
            # Nearly opaque: at 150 the band was a faint shadow, lost on the dark theme.
            guide.edge_pen = pg.mkPen(contrast_edge(QColor(window), 220), width=3)
        self.asked_item.color = QColor(0, 0, 0)
        self.asked_item.fill = pg.mkBrush(255, 255, 255, 230)
        self.asked_item.border = pg.mkPen(window, width=2)
        self.update()

    def backgroundBrush(self) -> QBrush:  # QGraphicsView's name, kept for the views
        return QBrush(self._background)

    def setBackground(self, background: object) -> None:  # pyqtgraph's name
        """The map's background, and the colour of its cells not computed yet."""
        self._background = pg.mkColor(background)
        if self._overlay is not None:
            self._draw_overlay()
        self.update()

    # ---- geometry ------------------------------------------------------------------------
    def _frame(self) -> tuple[float, float, float]:
        """(pixels per cell, x and y of the matrix's top-left corner) in this widget."""
        rows, cols = (int(n) for n in self._shape[:2])
        room_w = self.width() - 2 * self.MARGIN
        room_h = self.height() - 2 * self.MARGIN
        grown = 1 + 2 * self.PADDING
        scale = min(room_w / max(cols * grown, 1e-9), room_h / max(rows * grown, 1e-9))
        scale = max(scale, 1e-6)
        return (
            scale,
            self.MARGIN + (room_w - cols * scale) / 2,
            self.MARGIN + (room_h - rows * scale) / 2,
        )

    def guide_widths(self) -> tuple[float, float]:
        """The cross-hairs' line and the band under it, in pixels, for the box as it is now
        (thicker on a larger map: the lecture layout's, a projector's)."""
        box = self._box()
        least, most = self.GUIDE_WIDTHS
        line = min(most, max(least, min(box.width(), box.height()) * self.GUIDE_SHARE))
        return line, line * self.GUIDE_BAND

    def _box(self) -> QRectF:
        """The map's box: what it draws is cut to it."""
        m = self.MARGIN
        return QRectF(m, m, max(0, self.width() - 2 * m), max(0, self.height() - 2 * m))

    def guide_span(self) -> QRectF:
        """Where the cross-hair's lines run: across the matrix's cells in the map's box, not
        the box's empty margins (a 16×16 transposed convolution's output drawn in a tall
        box had its column line run 115 px on below the picture, into white)."""
        rows, cols = (int(n) for n in self._shape[:2])
        return self.cells_rect(0, 0, rows, cols).intersected(self._box())

    def cells_rect(self, top: float, left: float, bottom: float, right: float) -> QRectF:
        """Rows ``top`` to ``bottom`` and columns ``left`` to ``right`` (edges, in cells) as
        a rectangle in this widget's pixels."""
        scale, x0, y0 = self._frame()
        return QRectF(
            x0 + left * scale, y0 + top * scale, (right - left) * scale, (bottom - top) * scale
        )

    def cell_at(self, point: QPointF) -> tuple[int, int] | None:
        """The cell (row, column) under ``point`` (this widget's pixels); None: none."""
        scale, x0, y0 = self._frame()
        r = int(math.floor((point.y() - y0) / scale))
        c = int(math.floor((point.x() - x0) / scale))
        inside = 0 <= r < self._shape[0] and 0 <= c < self._shape[1]
        return (r, c) if inside else None

    # ---- content -------------------------------------------------------------------------
    def set_outlines(self, boxes: Sequence[tuple[int, int, int, int]]) -> None:
        """Outline the windows ``ceil_mode`` drops, dashed: ``(top, bottom, left, right)``
        each, half-open, in the map's cells (see :meth:`MatrixView.set_outlines`)."""
        boxes = tuple(boxes)
        if boxes != self._outlines:
            self._outlines = boxes
            self.update()

    def outlines(self) -> tuple[tuple[int, int, int, int], ...]:
        """The dashed outlines drawn, ``(top, bottom, left, right)`` in cells (tests read it)."""
        return self._outlines

    def _paint_outlines(self, painter: QPainter) -> None:
        """The dropped windows' dashed outlines: the colour's dashes over dashes of the tone
        that contrasts with it, a pixel longer at each end and wider on each side."""
        if not self._outlines:
            return
        color, _width, _line = style_pens()[DROPPED]
        ring, _inline = frame_tones(color)
        scale = self._frame()[0]
        width = max(2.0, min(4.0, scale / 6))
        dash, gap = max(4.0, 2 * width), max(3.0, 1.5 * width)
        wide = QPen(ring, width + 2)
        wide.setDashPattern([(dash + 2) / (width + 2), (gap - 2) / (width + 2)])
        wide.setDashOffset(1 / (width + 2))
        narrow = QPen(_colour(color), width)
        narrow.setDashPattern([dash / width, gap / width])
        painter.save()
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for pen in (wide, narrow):
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            pen.setJoinStyle(Qt.PenJoinStyle.MiterJoin)
            painter.setPen(pen)
            for top, bottom, left, right in self._outlines:
                half = (width + 2) / 2  # inside the window's cells, off its neighbours'
                rect = self.cells_rect(top, left, bottom, right)
                painter.drawRect(rect.adjusted(half, half, -half, -half))
        painter.restore()

    def set_asked(self, cell: tuple[int, int] | None) -> None:
        """Quiz mode: a "?" over ``cell`` (image row, column); None: none."""
        before = self._placed_region()
        self.asked = cell
        if cell is not None:
            self.asked_item.setPos(cell[1] + 0.5, cell[0] + 0.5)
        self.asked_item.setVisible(cell is not None)
        self.update(before.united(self._place_region()))

    def set_values(
        self,
        values: np.ndarray,
        levels: tuple[float, float],
        diverging: bool,
        neutral: bool = False,
        dim: bool = False,
        pending: np.ndarray | None = None,
        counts: bool = False,
        black_white: bool = False,
    ) -> None:
        if neutral:
            lut = np.empty((256, 3), np.uint8)
            lut[...] = NEUTRAL_RGB
        else:
            lut = _lut(BLACK_WHITE if black_white else colormap(diverging))
        # What is shown now, to repaint only the cells that change (see _changed_rect).
        before = (
            self.image.image,
            self.image.levels,
            self.image.lut,
            self.image.opacity(),
            self._overlay,
            self._shape,
        )
        self.image.setOpacity(1 - dim_mix(self._background.getRgb()) if dim else 1.0)
        # All finite (the common case, one min/max pass): no mask, no copy, no special layer.
        # Measured once per array (see extremes()): dX's shared zeros given again on new
        # levels after each edit, dY measured for its levels already.
        low, high = extremes(values) if values.size else (0.0, math.nan)
        self._extremes = (values, (low, high))
        all_finite = math.isfinite(low + high)
        finite = None if all_finite else np.isfinite(values)
        # The map itself holds finite numbers only: the cells without one are drawn by the
        # layer above it (a NaN in the map made pyqtgraph look for every NaN and build a
        # transparent picture, ~6 ms for a 512² output of which all but a cell is pending).
        shown = values if finite is None else np.where(finite, values, levels[0])
        # Whole numbers known without a pass: the argmax mask's counts, or one whole number
        # in every cell (dY of ones, given anew at each edit's output shape).
        whole = counts or (low == high and float(low).is_integer())
        # Whole numbers of 0 to 255 on whole levels: coloured from bytes through pyqtgraph's
        # combined lookup table, the same colours as from the floats (the same float64
        # (value - low) * scale, clipped, picks the colour; checked pixel by pixel in the
        # tests) in a tenth of the time of scaling a million floats (~1.7 ms of a 1024² edit;
        # the cast costs ~0.8 ms; dY's 512² ones: ~0.8 ms to ~0.1 ms).
        as_bytes = (
            whole
            and all_finite
            and 0 <= low
            and high <= 255
            and all(float(level).is_integer() for level in levels)
        )
        constant = low if all_finite and low == high else None
        self._set_image(shown, levels, lut, constant, as_bytes)
        if finite is None:
            self._overlay = None
            self.special.setVisible(False)
        else:
            # 1 where a value is not finite, shifted to 2 where it is pending: two passes over
            # the cells (seven, with each kind a mask of its own first).
            codes = np.logical_not(finite).view(np.uint8)
            if pending is not None and pending.shape == finite.shape:
                np.left_shift(codes, pending.view(np.uint8), out=codes)
            self._overlay = codes
            self._draw_overlay()
        if values.shape != self._shape:
            self._shape = values.shape
        changed = self._changed_rect(*before)
        if changed is None:
            self.update()  # a no-op when Qt already has the whole widget to paint
        elif not changed.isEmpty():
            self.update(changed)

    def _changed_rect(
        self,
        image: np.ndarray | None,
        levels: Sequence[float] | np.ndarray | None,
        lut: object,
        opacity: float,
        overlay: np.ndarray | None,
        shape: tuple[int, ...],
    ) -> QRect | None:
        """The pixels to repaint after new values, given what was shown before (its image,
        levels, lookup table, opacity, overlay codes and shape): the box of the cells whose
        colour or overlay changed (empty: none), or None for the whole widget (another
        colouring, shape or opacity).  A "so far" view (the argmax mask, dX) changes a cell
        or two a step: its whole map was repainted on every step, and with it whatever lies
        over it (the arrows' sheet)."""
        new_image, new_overlay = self.image.image, self._overlay
        new_levels, new_lut = self.image.levels, self.image.lut
        if (
            image is None
            or new_image is None
            or shape != self._shape
            or image.shape != new_image.shape
            or opacity != self.image.opacity()
            or levels is None
            or new_levels is None
            or tuple(levels) != tuple(new_levels)
            or not isinstance(lut, np.ndarray)
            or not isinstance(new_lut, np.ndarray)
            or not (lut is new_lut or np.array_equal(lut, new_lut))
            or (overlay is None) != (new_overlay is None)
        ):
            return None
        if image is new_image and overlay is new_overlay:
            return QRect()
        diff = image != new_image
        if overlay is not None and new_overlay is not None:
            if overlay.shape != new_overlay.shape:
                return None
            diff |= overlay != new_overlay
        rows = np.flatnonzero(diff.any(axis=1))
        if rows.size == 0:
            return QRect()
        cols = np.flatnonzero(diff.any(axis=0))
        box = self.cells_rect(int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
        # A pixel more on every side: a scaled picture's edge pixels blend the cells beside.
        return box.toAlignedRect().adjusted(-1, -1, 1, 1)

    def _draw_overlay(self) -> None:
        """The layer above the map: NaN and ±∞ the data holds in their own colour (never
        blank, which reads as "not computed yet"), and cells not computed yet in the map's
        background colour (blank)."""
        assert self._overlay is not None
        colour = self._background
        palette = np.array(
            [
                (0, 0, 0, 0),
                (*NONFINITE_RGB, 255),
                (colour.red(), colour.green(), colour.blue(), 255),
            ],
            dtype=np.uint8,
        )
        # Codes 0: the map shows through, 1: NaN or ±∞, 2: blank.  One gather (a boolean
        # assignment of a 512² blank took ~5 ms).
        self.special.setImage(palette.take(self._overlay, axis=0), autoLevels=False)
        self.special.setVisible(True)

    def _set_image(
        self,
        values: np.ndarray,
        levels: tuple[float, float],
        lut: np.ndarray,
        constant: float | None = None,
        as_bytes: bool = False,
    ) -> None:
        """Show ``values`` under ``levels`` and ``lut`` unless that is already the picture;
        ``constant``: every cell holds this finite value; ``as_bytes``: the values are whole
        numbers of 0 to 255 on whole levels, shown as bytes (cast only when shown: dX's shared
        zeros, given again after each edit, keep their picture without a pass)."""
        shown = self.image.image
        picture = None if constant is None else constant_picture(constant, levels, lut)
        if (
            picture is not None
            and picture == self._constant_picture
            and shown is not None
            and shown.shape == values.shape
        ):
            # One colour in every cell, the one shown (a gradient's zeros in the forward phase
            # after an edit, on its new symmetric levels): the same picture.
            return
        self._constant_picture = picture
        if (
            shown is not None
            and shown is not values
            and self.image.levels is not None
            and tuple(self.image.levels) == tuple(levels)
            and isinstance(self.image.lut, np.ndarray)
            and np.array_equal(self.image.lut, lut)
            and _same_values(shown, values)
        ):
            # The same picture (an edit that leaves this view as it was, e.g. X when only the
            # kernel changes): keep the rendered picture instead of colouring every cell of a
            # large matrix again.
            return
        if as_bytes:
            values = values.astype(np.uint8)
        self.image.setLookupTable(lut, update=False)
        self.image.setImage(values, levels=levels, autoLevels=False)

    def set_marks(
        self,
        cells: tuple[np.ndarray, np.ndarray] | list[tuple[int, int]],
        winners: tuple[np.ndarray, np.ndarray] | list[tuple[int, int]],
    ) -> None:
        """Frame ``cells`` and ``winners``: ``(rows, cols)`` int arrays, or lists of cells."""
        rows, cols = _cell_arrays(cells)
        win_rows, win_cols = _cell_arrays(winners)
        key = (rows, cols, win_rows, win_cols, self._shape)
        old = self._marked if len(self._marked) == len(key) else (None,) * len(key)
        same = [
            a is b or (isinstance(a, np.ndarray) and np.array_equal(a, b))
            for a, b in zip(old[:4], key[:4], strict=True)
        ]
        if all(same) and old[4] == key[4]:
            return  # the same frames (a view redrawn with its values keeps its step's marks)
        self._marked = key
        before = self._placed_region()
        # Only what changed: hovering a stack's cell moves the marks of six heat maps whose
        # winners (none) stay, and each setData outlines its cells anew.
        if not (same[0] and same[1]):
            self.marks.setData(cols + 0.5, rows + 0.5)
        if not (same[2] and same[3]):
            self.winners.setData(win_cols + 0.5, win_rows + 0.5)
        marked = rows.size > 0
        top = left = bottom = right = 0
        if marked:
            top, left = int(rows.min()), int(cols.min())
            bottom, right = int(rows.max()), int(cols.max())
            self.window_rect.setRect(left, top, right - left + 1, bottom - top + 1)
        self.window_rect.setVisible(marked)
        small = marked and max(self._shape) > 3 * (max(bottom - top, right - left) + 1)
        if small:
            self.guides[0].setPos((top + bottom + 1) / 2)
            self.guides[1].setPos((left + right + 1) / 2)
        for guide in self.guides:
            guide.setVisible(small)
        # Only where frames were or are now: the rest of the map is as it was.
        self.update(before.united(self._place_region()))

    def _placed_region(self) -> QRegion:
        """The pixels the frames, cross-hairs and "?" cover now: as last placed, unless the
        matrix has moved since (a resize, a new shape)."""
        known = self._region
        if known is not None and known[0] == self._frame():
            return known[1]
        return self._drawn_region()

    def _place_region(self) -> QRegion:
        """:meth:`_drawn_region` now, kept for the next move (see _placed_region)."""
        region = self._drawn_region()
        self._region = (self._frame(), region)
        return region

    def _drawn_region(self) -> QRegion:
        """The pixels the frames, cross-hairs and "?" cover now (with their pens' reach)."""
        region = QRegion()
        reach = self.REACH
        scale, x0, y0 = self._frame()
        for item in (self.marks, self.winners):
            path = item.path()
            if item.isVisible() and not path.isEmpty():
                box = path.boundingRect()
                rect = QRectF(
                    x0 + box.left() * scale,
                    y0 + box.top() * scale,
                    box.width() * scale,
                    box.height() * scale,
                )
                region = region.united(rect.toAlignedRect().adjusted(-reach, -reach, reach, reach))
        if self.window_rect.isVisible():
            box = self.window_rect.rect()
            rect = self.cells_rect(box.top(), box.left(), box.bottom(), box.right())
            region = region.united(rect.toAlignedRect().adjusted(-reach, -reach, reach, reach))
        area = self.guide_span().toAlignedRect()
        for guide in self.guides:
            if guide.isVisible():
                if guide.angle == 0:
                    y = y0 + guide.value() * scale
                    strip = QRect(area.left(), int(y) - reach, area.width(), 2 * reach + 1)
                else:
                    x = x0 + guide.value() * scale
                    strip = QRect(int(x) - reach, area.top(), 2 * reach + 1, area.height())
                region = region.united(strip)
        if self.asked_item.isVisible():
            at = self.asked_item.pos()
            centre = QPointF(x0 + at.x() * scale, y0 + at.y() * scale)
            box = self.asked_item.box(centre).toAlignedRect()
            region = region.united(box.adjusted(-reach, -reach, reach, reach))
        return region

    # ---- painting ------------------------------------------------------------------------
    def _base_key(self) -> tuple[object, ...]:
        """What the base (background, picture, the layer above it) is made of."""
        picture = _qimage_of(self.image)
        special = _qimage_of(self.special) if self.special.isVisible() else None
        return (
            self.size().toTuple(),
            self.devicePixelRatioF(),
            self._frame(),
            self._background.rgba(),
            None if picture is None else picture.cacheKey(),
            self.image.opacity(),
            None if special is None else special.cacheKey(),
        )

    def _paint_base(self, painter: QPainter, region: QRegion | None = None) -> None:
        """The background with the picture and the layer above it, scaled to this widget;
        ``region``: only there (a paint event's), strip by strip (see serial_paint)."""
        painter.fillRect(self.rect(), self._background)
        painter.save()
        box = self._box()
        scale, x0, y0 = self._frame()
        rows, cols = (int(n) for n in self._shape[:2])
        target = QRectF(x0, y0, cols * scale, rows * scale)
        picture = _qimage_of(self.image)  # coloured already (see _base_key)
        special = _qimage_of(self.special) if self.special.isVisible() else None
        whole = QRegion(box.toAlignedRect())  # the box's edges are whole pixels (MARGIN)
        clips = serial_strips(
            whole if region is None else region.intersected(whole), self.devicePixelRatioF()
        )
        for clip in clips:
            painter.setClipRect(clip)
            if picture is not None:
                painter.setOpacity(self.image.opacity())
                painter.drawImage(target, picture)
                painter.setOpacity(1.0)
            if special is not None:
                painter.drawImage(target, special)
        painter.restore()

    def _base_picture(self, key: tuple[object, ...]) -> QPixmap | None:
        """The base as a picture of this widget's size, kept while ``key`` stays; made only
        when the same base is painted a second time: a picture that changes on every step
        (a mask "so far") is scaled straight into the widget, once, not into a picture first
        and then copied."""
        if self._base is not None and self._base[0] == key:
            return self._base[1]
        if self._base_seen != key:
            self._base_seen = key
            return None
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap((QSizeF(self.size()) * ratio).toSize())
        pixmap.setDevicePixelRatio(ratio)
        painter = QPainter(pixmap)
        self._paint_base(painter)
        painter.end()
        self._base = (key, pixmap)
        return pixmap

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        key = self._base_key()  # colours new pictures first (through their image items)
        base = self._base_picture(key)
        ratio = self.devicePixelRatioF()
        if base is None:
            self._paint_base(painter, event.region())
        elif ratio.is_integer():
            # Strip by strip (see serial_paint); at a whole pixel ratio each strip's source is
            # its pixels exactly.
            scale = int(ratio)
            for strip in serial_strips(event.region(), ratio):
                x, y, w, h = (n * scale for n in strip.getRect())
                painter.drawPixmap(strip, base, QRect(x, y, w, h))
        else:
            painter.drawPixmap(0, 0, base)
        box = self._box()
        painter.setClipRect(box)
        scale, x0, y0 = self._frame()
        painter.save()
        painter.setTransform(QTransform(scale, 0, 0, scale, x0, y0))
        for item in (self.marks, self.winners):
            if item.isVisible() and not item.path().isEmpty():
                item.paint(painter, None)  # through the object: tests watch it
        if self.window_rect.isVisible():
            self.window_rect.paint(painter, None)
        painter.restore()
        self._paint_outlines(painter)
        line_width, band_width = self.guide_widths()
        half = band_width / 2
        box = self.guide_span()
        for guide in self.guides:
            if not guide.isVisible():
                continue
            # The band under the dashes as a filled strip: stroking a line 3 pixels wide was
            # ~60 us per guide, filling its rectangle a few.
            edge = guide.edge_pen
            if guide.angle == 0:
                y = y0 + guide.value() * scale
                ends = (QPointF(box.left(), y), QPointF(box.right(), y))
                band = QRectF(box.left(), y - half, box.width(), band_width) if edge else None
            else:
                x = x0 + guide.value() * scale
                ends = (QPointF(x, box.top()), QPointF(x, box.bottom()))
                band = QRectF(x - half, box.top(), band_width, box.height()) if edge else None
            if edge is not None and band is not None:
                # Translucent: in strips (see serial_paint), the same rows and columns.
                top, left, width = band.top(), band.left(), band.width()
                for strip in serial_strips(band.toAlignedRect(), ratio):
                    y = max(top, strip.top())
                    bottom = min(band.bottom(), strip.bottom() + 1.0)
                    painter.fillRect(QRectF(left, y, width, bottom - y), edge.color())
            pen = QPen(guide.pen)
            pen.setWidthF(line_width)
            painter.setPen(pen)
            painter.drawLine(*ends)
        asked = self.asked_item
        if asked.isVisible():
            at = asked.pos()
            rect = asked.box(QPointF(x0 + at.x() * scale, y0 + at.y() * scale))
            painter.setPen(asked.border)
            painter.setBrush(asked.fill)
            painter.drawRect(rect)
            painter.setFont(asked.font)
            painter.setPen(asked.color)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "?")
        painter.end()

    # ---- the mouse -----------------------------------------------------------------------
    def mouseMoveEvent(self, event: object) -> None:
        cell = self.cell_at(event.position())
        self.sigHovered.emit(*(cell if cell is not None else (-1, -1)))
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        self.sigHovered.emit(-1, -1)
        super().leaveEvent(event)

    def mousePressEvent(self, event: object) -> None:
        cell = self.cell_at(event.position())
        if cell is not None:
            self.sigClicked.emit(*cell)
        super().mousePressEvent(event)


@contextlib.contextmanager
def marks_held(views: Iterable[MatrixView]) -> Iterator[None]:
    """New data for ``views`` whose new highlights are set before the block ends: their old
    highlights are not applied to the new data in between (a step set a close-up's cells at
    the old box with the new data, then at the new box).  A view whose highlights were not
    set in the block gets its old ones at the end, as without the block."""
    held = [view for view in views if not view._marks_held]
    for view in held:
        view._marks_held = True
    try:
        yield
    finally:
        for view in held:
            view._marks_held = False
            if view._marks_stale:
                view.set_highlights(view._highlight_cells)


def fit_at_one_scale(views: Iterable[MatrixView], zoom: float = 1.0) -> None:
    """Fit each of ``views`` to its slot (times ``zoom``), every table at one cell size.

    One scale for a figure (issue 10, point 6): every view drawn as a table takes the largest
    cell size at which all of them fit, so a 4×4 output never looks larger than the 8×8 input
    it shrinks.  Whether a view is a table or a heat map is decided by its own fit: a heat map
    keeps its own scale, and a 64×64 input's 3 px cells never take a 2×2 output's numbers.
    """
    fits = {view: int(view.fit_cell() * zoom) for view in views}
    tables = [cell for view, cell in fits.items() if view.table_at(cell)]
    for view, cell in fits.items():
        view.set_cell_size(min(tables) if view.table_at(cell) else cell)


def fits_held(views: Iterable[MatrixView]) -> None:
    """A fit of ``views`` to their slots is coming (an edit's new shapes, before the next
    paint): until :meth:`MatrixView.settle_fit`, new data and highlights leave the cell
    size and the close-up's fit to it.  Sized at once, adaptive pooling's output took its
    old cell size for its new numbers and the input's close-up a fit at its old room, each
    redone by the fit after the layout (~2.5 ms of an output_size change)."""
    for view in views:
        view._fits_held = True


# The close-up titles' texts in each language they were asked in: two close-ups asked for
# them twice each on every step (~16 translations through Qt, ~0.15 M instructions).
# Translators change only with the language (i18n.set_language).
_CLOSE_UP_TEXTS: dict[str, tuple[str, ...]] = {}


def _close_up_texts() -> tuple[str, ...]:
    """The translated forms close_up_titles fills in."""
    language = current_language()
    texts = _CLOSE_UP_TEXTS.get(language)
    if texts is None:
        texts = _CLOSE_UP_TEXTS[language] = (
            tr("rows {top}–{bottom}"),
            tr("columns {left}–{right}"),
            tr("Close-up: rows {top}–{bottom}, columns {left}–{right}"),
            tr("{rows}, {columns}"),
            tr("rows {top}–{bottom}", "a narrow close-up's title"),
            tr("cols {left}–{right}", "a narrow close-up's title"),
            tr("rows\n{top}–{bottom}", "a narrow close-up's title, two lines"),
            tr("cols\n{left}–{right}", "a narrow close-up's title, two lines"),
        )
    return texts


def close_up_titles(rows: tuple[int, int], columns: tuple[int, int]) -> list[str]:
    """A close-up's title, then shorter forms that keep every number and what it counts:
    one line without "Close-up:", two lines, two lines in short words ("cols"), four lines
    (a narrow heat map's close-up: "Close-up: rows 19–29, column…" was cut at 1024×768,
    and "rows 0–2" over "columns …" beside four input planes at 1366×768)."""
    rows_form, columns_form, whole_form, both_form, *narrow = _close_up_texts()
    short_rows, short_columns, tall_rows, tall_columns = narrow
    top, bottom = rows
    left, right = columns
    row_text = rows_form.format(top=top, bottom=bottom)
    column_text = columns_form.format(left=left, right=right)
    short = (
        short_rows.format(top=top, bottom=bottom),
        short_columns.format(left=left, right=right),
    )
    tall = (tall_rows.format(top=top, bottom=bottom), tall_columns.format(left=left, right=right))
    return [
        whole_form.format(top=top, bottom=bottom, left=left, right=right),
        both_form.format(rows=row_text, columns=column_text),
        f"{row_text}\n{column_text}",
        "\n".join(short),
        "\n".join(tall),
    ]


def _widest_index(size: int, offset: int) -> int:
    """An index as wide as the widest one of an axis of ``size`` cells, ``offset`` of them
    padding (shown as negative indices)."""
    digits = max(len(str(size - 1 - offset)), len(str(-offset)))
    return int("8" * digits)


class _HeatMapRoom(QWidget):
    """Holds a heat map's place in a view's stack until the heat map is made: a stack's size
    hints are the largest of its pages', so they stay those of a heat map never shown
    (600×480 here, above an 8×8 table's: the flowing and lecture layouts read them)."""

    # A fresh heat map's size hint, minimum size hint and size policy, taken from the first
    # one made in the process (so they follow pyqtgraph, the style and the screen).
    fresh: ClassVar[tuple[QSize, QSize, QSizePolicy] | None] = None

    def __init__(self, fresh: tuple[QSize, QSize, QSizePolicy]) -> None:
        super().__init__()
        self._hint, self._least, policy = fresh
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:
        return QSize(self._hint)

    def minimumSizeHint(self) -> QSize:
        return QSize(self._least)


HINTS_KEPT = 512  # a title's size hints kept (texts by font and width)
# Where a title's line may break when none of its forms fits: after a space, a comma or a
# colon (ASCII or full-width), before an opening bracket.
_BREAKS = re.compile(r"(?<=[ ,:，：、])|(?=[\[(（])")


class TitleLabel(QLabel):
    """A view's title that is never cut: the whole title where it fits, else its two-line form
    (when given: a stack level's "3. max_pool2d" over "1×14×14"), else the short one (the
    tensor's symbol and size), else the short one elided with "…"; the tooltip then says the
    whole title.  :attr:`sigLinesChanged` tells how many lines the shown text has."""

    sigLinesChanged = Signal(int)

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.full_text = text
        self.short_text = ""
        self.wrapped_text = ""
        # The forms tried in turn (the whole title first, the last one elided), and the texts
        # each one's fit is judged by (see set_forms).
        self._forms: tuple[str, ...] = (text,)
        self._measures: tuple[str, ...] = (text,)
        self._own_tip = False
        self.lines = 1
        self.measures = FontMeasures()
        # Size hints by what they depend on (see _hints_key): a close-up's title shows a new
        # text on every step, and a word-wrapped label lays its text out several times to find
        # its hints again (its view's layout asks for them after each new text).
        self._sizes: dict[tuple[object, ...], QSize] = {}
        self._heights: dict[tuple[object, ...], int] = {}
        self._shown = text

    def _hints_key(self, kind: str) -> tuple[object, ...]:
        margins = self.contentsMargins()
        return (
            kind,
            self._shown,
            self.measures.key(self),
            self.wordWrap(),
            self.margin(),
            self.indent(),
            margins.left(),
            margins.top(),
            margins.right(),
            margins.bottom(),
        )

    def _size(self, kind: str, measure: Callable[[], QSize]) -> QSize:
        key = self._hints_key(kind)
        hint = self._sizes.get(key)
        if hint is None:
            if len(self._sizes) > HINTS_KEPT:
                self._sizes.clear()
            hint = self._sizes[key] = measure()
        return QSize(hint)

    def sizeHint(self) -> QSize:
        return self._size("size", super().sizeHint)

    def minimumSizeHint(self) -> QSize:
        return self._size("least", super().minimumSizeHint)

    def heightForWidth(self, width: int) -> int:
        key = (*self._hints_key("height"), width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) > HINTS_KEPT:
                self._heights.clear()
            height = self._heights[key] = super().heightForWidth(width)
        return height

    def set_texts(self, text: str, short: str = "", wrapped: str = "") -> None:
        if (text, short, wrapped) != (self.full_text, self.short_text, self.wrapped_text):
            self.set_forms([text, wrapped, short])
            self.full_text, self.short_text, self.wrapped_text = text, short, wrapped

    def set_forms(self, forms: list[str], measures: list[str] | None = None) -> None:
        """Show the first of ``forms`` (the whole title first, then shorter ones) that fits,
        else the last one elided; ``measures`` (one per form) are the texts the fit is judged
        by, e.g. the form with the widest numbers it can have: a close-up's title then keeps
        its form while stepping (its height jumped as "rows 8–13" became "rows 10–15")."""
        kept = [(f, m) for f, m in zip(forms, measures or forms, strict=True) if f]
        if not kept:
            kept = [("", "")]
        shown = tuple(f for f, _ in kept)
        measured = tuple(m for _, m in kept)
        self.full_text = shown[0]
        self.short_text = shown[-1] if len(shown) > 1 else ""
        self.wrapped_text = ""
        if (shown, measured) != (self._forms, self._measures):
            self._forms, self._measures = shown, measured
            self._fit()

    def setText(self, text: str) -> None:
        self.set_forms([text])

    def resizeEvent(self, event: QEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        kind = event.type()
        if kind in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._sizes.clear()
            self._heights.clear()
        if kind == QEvent.Type.FontChange:
            self.measures.clear()
            self._fit()

    def fits(self, text: str) -> bool:
        """Whether every line of ``text`` fits the label's width in its font (each line
        measured once per font: a close-up's title measured its forms on every step)."""
        width = self.contentsRect().width()
        return all(self.measures.advance(self, line) <= width for line in text.split("\n"))

    def _broken(self, text: str) -> str:
        """``text`` with each line broken where it may be (after a space, a comma or a colon,
        before a bracket) into lines that fit the width: the whole text kept where no form
        fits ("W[0,1]" over columns of 55 px was "W[0…", a narrow close-up's "rows 0–2"
        "ro…"); a piece wider than the width alone on its line."""
        width = self.contentsRect().width()
        lines: list[str] = []
        for line in text.split("\n"):
            current = ""
            for piece in _BREAKS.split(line):
                joined = current + piece
                if current and self.measures.advance(self, joined.rstrip()) > width:
                    lines.append(current.rstrip())
                    current = piece.lstrip()
                else:
                    current = joined
            lines.append(current.rstrip())
        return "\n".join(lines)

    def _fit(self) -> None:
        shown = self._forms[-1]
        for form, measure in zip(self._forms, self._measures, strict=True):
            if self.fits(measure):
                shown = form
                break
        if not self.fits(shown):
            shown = self._broken(shown)
        self._shown = shown
        super().setText(shown)
        if shown not in (self.full_text, self.wrapped_text):
            # Only when it changes: setting a tooltip sends an event through every event
            # filter of the application (Python ones), on each step for a close-up's title.
            if self.toolTip() != self.full_text:
                self.setToolTip(self.full_text)
            self._own_tip = True
        elif self._own_tip:  # a tooltip set by someone else stays
            self.setToolTip("")
            self._own_tip = False
        lines = shown.count("\n") + 1
        if lines != self.lines:
            self.lines = lines
            self.sigLinesChanged.emit(lines)


# Pictures of a close-up's title kept (see _CloseUpTitle): one per box of a 16×16 input's
# 2×2 windows at each of the lecture layout's two sizes (forward and backward phase); a
# larger input's boxes past these are painted as before.
TITLE_PICTURES = 160


class _CloseUpTitle(TitleLabel):
    """A close-up's title ("rows 2–7, columns 4–9"), copied from a picture of it when its
    text comes again: it changes on every step, to the texts of the same few boxes, and Qt
    laid each one out anew (~0.15 M instructions a step).  A text painted is pictured (by
    :meth:`QWidget.grab`, outside a paint) when the title next changes, up to
    ``TITLE_PICTURES`` of them."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        # Before the label is made: its making may change its look already.
        self._pictures: dict[tuple[object, ...], QPixmap] = {}
        self._wanted: tuple[object, ...] | None = None  # painted, not pictured yet
        self._grabbing = False
        self.paints = 0  # painted by QLabel (tests count them)
        self._look = 0
        self._covers: bool | None = None  # see _picture_key
        super().__init__(text, parent)

    def _picture_key(self) -> tuple[object, ...] | None:
        """The text shown, the size, the pixel ratio and how the label looks otherwise
        (:attr:`_look`, counted up on every change of its font, palette, style, ...); None
        when it does not cover itself (its background is not filled with a solid colour)."""
        if self._covers is None:
            brush = self.palette().brush(self.backgroundRole())
            self._covers = (
                self.autoFillBackground()
                and brush.style() == Qt.BrushStyle.SolidPattern
                and brush.color().alpha() == 255
            )
        if not self._covers:
            return None
        return (self._shown, self._look, self.width(), self.height(), self.devicePixelRatioF())

    def _new_look(self) -> None:
        self._look += 1
        self._covers = None
        self._pictures.clear()
        self._wanted = None

    def changeEvent(self, event: QEvent) -> None:
        # Not on every change: the title sets its tooltip (a ToolTipChange) on many steps.
        if event.type() in _RESTYLING or event.type() == QEvent.Type.ContentsRectChange:
            self._new_look()
        super().changeEvent(event)

    def resizeEvent(self, event: QEvent) -> None:
        # Pictures at the old size are kept: the lecture layout's close-up takes another
        # size in the backward phase, and back again.
        self._wanted = None
        super().resizeEvent(event)

    # What else the text's place depends on (set through these, never by Qt itself).
    def setAlignment(self, alignment: Qt.AlignmentFlag) -> None:  # Qt's name
        self._new_look()
        super().setAlignment(alignment)

    def setWordWrap(self, on: bool) -> None:  # Qt's name
        self._new_look()
        super().setWordWrap(on)

    def setMargin(self, margin: int) -> None:  # Qt's name
        self._new_look()
        super().setMargin(margin)

    def setIndent(self, indent: int) -> None:  # Qt's name
        self._new_look()
        super().setIndent(indent)

    def setContentsMargins(self, *margins: object) -> None:  # Qt's name
        self._new_look()
        super().setContentsMargins(*margins)

    def setAutoFillBackground(self, on: bool) -> None:  # Qt's name
        self._new_look()
        super().setAutoFillBackground(on)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._grabbing:
            super().paintEvent(event)
            return
        key = self._picture_key()
        picture = None if key is None else self._pictures.get(key)
        if picture is not None:
            painter = QPainter(self)
            try:
                ratio = self.devicePixelRatioF()
                if _copies_exactly(painter, ratio):
                    _copy_region(painter, picture, event.region(), self.rect(), int(ratio))
                    return
            finally:
                painter.end()
        self.paints += 1
        super().paintEvent(event)
        if key is not None and len(self._pictures) < TITLE_PICTURES:
            self._wanted = key

    def _picture(self) -> None:
        """Picture the text last painted, if the label still shows it as then."""
        wanted, self._wanted = self._wanted, None
        if (
            wanted is None
            or wanted in self._pictures
            or len(self._pictures) >= TITLE_PICTURES
            or wanted != self._picture_key()
        ):
            return
        self._grabbing = True
        try:
            self._pictures[wanted] = self.grab()
        finally:
            self._grabbing = False

    def _fit(self) -> None:
        self._picture()  # before the text changes
        super()._fit()


@dataclass(frozen=True)
class CloseUpPlan:
    """How the lecture layout draws a large matrix: a heat map with a close-up whose cells
    are ``cell`` pixels high and ``column`` wide (the lecture row's shared cell size, so its
    numbers are as large as a table's), showing ``box`` (rows, columns): the step's cells
    and ``margin`` cells around them; the close-up sits ``beside`` the heat map or below
    it, and the heat map is ``heat`` pixels along the matrix's longer side."""

    cell: int
    column: int
    margin: int
    beside: bool
    heat: int
    box: tuple[int, int]


class _Body(QBoxLayout):
    """A heat map view's body (the map, and its close-up beside or below it), which places
    the close-up for the room it is given before sharing that room out.

    The close-up's direction and largest share follow the view's size: set in the view's
    resizeEvent, which Qt sends after the view's layout has shared the new room out, they
    were applied in a second layout of the body (the map and the close-up resized twice,
    the close-up fitted twice, after each edit that resized the view)."""

    def __init__(self, place: Callable[[], bool]) -> None:
        super().__init__(QBoxLayout.Direction.LeftToRight)
        self._place = place
        # Whether the close-up is beside the heat map, kept as set: read on every step
        # (_magnifier_most), where asking Qt made a Python enum each time.
        self.beside = True

    def setDirection(self, direction: QBoxLayout.Direction) -> None:  # Qt's name
        self.beside = direction == QBoxLayout.Direction.LeftToRight
        super().setDirection(direction)

    def setGeometry(self, rect: QRect) -> None:  # Qt's name
        if self._place():
            self.invalidate()  # the close-up's limit is read anew (QBoxLayout keeps it)
        super().setGeometry(rect)


class MatrixView(QWidget):
    """Title, coloured cells (table or heat map), colour legend and an edit hint line.

    Signals use matrix coordinates (the padding ring removed: padding cells are negative or
    beyond the size).
    """

    sigCellEdited = Signal(int, int, float)
    sigCellHovered = Signal(int, int)
    sigHoverLeft = Signal()
    sigCellClicked = Signal(int, int)
    sigResized = Signal()

    # How many views have been made, each with its title and legend: the step arrows look
    # for the titles again only when this changed (see StepArrows._find_titles).
    made: ClassVar[int] = 0

    def __init__(
        self,
        title: str,
        object_name: str,
        parent: QWidget | None = None,
        magnify: bool = True,
        close_up: bool = False,
    ) -> None:
        """``close_up``: this view is a heat map's close-up (see :meth:`_magnifier`)."""
        super().__init__(parent)
        MatrixView.made += 1
        self.setObjectName(object_name)
        # A heat map gets a magnifier beside it (made when first needed): the current step's
        # cells and two cells around them, with numbers.  A magnifier has none of its own.
        self._magnify = magnify
        # A view without a magnifier is a table, unless this is set: then a matrix with more
        # rows or columns than this is a heat map (numbers on hover).
        self.heat_above: int | None = None
        # The matrix holds counts (whole numbers, at least 0: the argmax mask), which a heat
        # map colours from bytes (see _HeatMap.set_values).
        self.counts = False
        self._magnifier_allowed = True  # see set_magnifier_allowed
        self._own_magnifier = True  # see set_own_magnifier
        self._roomless = False  # its close-up left out for want of room (_magnifier_has_room)
        self.magnifier: MatrixView | None = None
        self._magnifier_fit: tuple[object, ...] = ()
        # The close-up's most rows and columns and what they were worked out from.
        self._most_key: tuple[int, int, bool, int, int] | None = None
        self._most = (MAGNIFIER_LEAST, MAGNIFIER_LEAST)
        # The step's cells the close-up was last asked to show, and the rows and columns
        # its box was cut to then: a view resized after the step (a dock opened) cuts it anew.
        self._magnifier_asked: tuple[list[tuple[int, int]], tuple[tuple[int, int], ...]] = (
            [],
            (),
        )
        self._box_room: tuple[tuple[int, int], int] | None = None
        # The close-up's column width by the matrix it is of (see _magnifier_column).
        self._column_of: tuple[tuple[object, ...], int] = ((), MAGNIFIER_CELL)
        self._magnified: tuple[object, ...] | None = None  # what the magnifier was last given
        self._magnifier_content: tuple[object, ...] = ()  # the matrix its texts are from
        # The lecture layout's heat map with its close-up at the row's cell size (see
        # set_close_up_plan); None: the view decides between a table and a heat map itself.
        self.close_up_plan: CloseUpPlan | None = None
        # The whole matrix's longest texts, and the values they are of (see close_up_texts).
        self._close_up_texts: tuple[object, object, tuple[str, ...]] = (None, None, ())
        self._close_up_titles: dict[tuple[object, ...], int] = {}  # heights by width, …
        self.model = MatrixModel(self)
        # Sized by the layout it is in, never by its contents (see hasHeightForWidth).
        self.sized_by_slot = False
        self.hovering = False
        self.cell = 0
        self._texts: tuple[str, ...] = ()
        self._col_room = 0
        self._layout = (0, 0, 0)  # font pixels, column width, cell size last applied
        # What the table's geometry was last checked for (see set_cell_size).
        self._geometry: tuple[object, ...] = ()
        self._too_small = False  # cells too small for numbers: draw a heat map instead
        self._hugged = False  # the table no larger than its cells (hug_cells)
        self._table_stale = False
        # Header extents by (font pixels, shape, offset): see _header_size.
        self._header_sizes: dict[tuple[object, ...], tuple[int, int]] = {}
        self._number_fonts: dict[int, QFont] = {}  # by pixels: see _number_font
        self._highlight_cells: Marks = Marks()
        # The step's cells of another view in this view's coordinates whose region the
        # close-up frames instead of this view's own (see set_close_up_region).
        self._close_up_region: Marks | None = None
        # Windows outlined whatever the step (see set_outlines), and their cells' styles.
        self._outlines: tuple[Outline, ...] = ()
        self._outline_marks = Marks()
        # New highlights follow new data (see marks_held): the old ones are not applied to the
        # new data in between; ``_marks_stale``: they were not.
        self._marks_held = False
        self._marks_stale = False
        # A fit of the views to their slots is coming (see fits_held): the cell size and the
        # close-up's fit wait for it; ``_fit_stale``: one was left to it.
        self._fits_held = False
        self._fit_stale = False
        self._content: tuple[np.ndarray, np.ndarray | None, tuple[int, int]] = (
            np.zeros((1, 1)),
            None,
            (0, 0),
        )
        self.levels = (0.0, 1.0)
        self._pending: np.ndarray | None = None
        self.diverging = False
        self.neutral = False
        self.black_white = False
        self.dimmed = False
        self.number_height = NUMBER_HEIGHT  # the numbers' font, a fraction of the cell
        self.header_most = HEADER_MOST_PX  # the row and column numbers' largest font
        self.max_cell = MAX_CELL  # the largest cell size (see set_max_cell)
        self._caption_font: QFont | None = None  # see set_caption_font
        self._asked: tuple[int, int] | None = None  # quiz mode's asked cell (matrix coordinates)

        self.title_label = (_CloseUpTitle if close_up else TitleLabel)(title)
        self.title_label.setObjectName(f"{object_name}Title")
        title_font = QFont()
        title_font.setPointSizeF(TITLE_POINTS)
        title_font.setBold(True)
        self.title_label.setFont(title_font)
        self.title_label.setMinimumWidth(40)
        self.title_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.table = _Table(close_up=close_up)
        self.table.setModel(self.model)
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setModel(self.model.header_model)
        self.delegate = _CellDelegate(self.model, self.table)
        self.table.setItemDelegate(self.delegate)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        # The heat map is made when it is first needed (see heatmap): the window's dozen
        # views (~10 ms each for the heat map, ~40% of the window's build) are mostly never
        # shown, and the default example's five show tables.  Until then a stand-in with a
        # fresh heat map's size hints holds its page; the process's first view makes its own
        # to measure them.  (Until 2026-12-02 a view made it as it was first shown: made
        # later, a test's view had crashed in the heat map's first paint, which the garbage
        # collection inside a paint event explained since; see tests/conftest.py.)
        self._heatmap: _HeatMap | None = None
        fresh = _HeatMapRoom.fresh
        self._heatmap_room = None if fresh is None else _HeatMapRoom(fresh)
        if self._heatmap_room is None:
            heat = self.make_heatmap()
            _HeatMapRoom.fresh = (heat.sizeHint(), heat.minimumSizeHint(), heat.sizePolicy())
        else:
            self.stack.addWidget(self._heatmap_room)
        self.legend = ColorLegend()
        self.hint_label = QLabel("")
        self.hint_label.setObjectName(f"{object_name}Hint")
        self.hint_label.setWordWrap(True)
        # Never wider than the view: whatever was typed, the hint wraps (or is cut) inside it.
        self.hint_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.hint_label.setMinimumWidth(1)
        self.hint_label.setStyleSheet("color: #b00020;")
        self.hint_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.title_label)
        self.body = _Body(self._place_body)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(6)
        self.body.addWidget(self.stack, HEAT_MAP_STRETCH)
        layout.addLayout(self.body, 1)
        layout.addWidget(self.legend)
        layout.addWidget(self.hint_label)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

        self.model.sigCellEdited.connect(self._on_cell_edited)
        self.model.sigEditRejected.connect(self._on_edit_rejected)
        self.model.sigEditNoted.connect(self._on_edit_noted)
        self.model.sigHeaderNumbersChanged.connect(self._on_header_numbers_changed)
        self.table.sigHovered.connect(self._on_table_hovered)
        self.table.clicked.connect(self._on_table_clicked)
        # How cells look follows the application's view settings.
        settings = view_settings()
        settings.sigPaletteChanged.connect(self._on_palette_changed)
        settings.sigThemeChanged.connect(self._on_theme_changed)
        self._on_theme_changed()

    @property
    def heatmap(self) -> _HeatMap:
        """The colour-only view of large matrices (the stack's second page), made on first use."""
        return self.make_heatmap() if self._heatmap is None else self._heatmap

    def make_heatmap(self) -> _HeatMap:
        """The heat map, made now if it was not (see :attr:`heatmap`)."""
        heat = self._heatmap
        if heat is None:
            heat = self._heatmap = _HeatMap()
            heat.setBackground(QApplication.palette().color(QPalette.Base))  # see _on_theme_changed
            if self._asked is not None:
                heat.set_asked(self._to_model(*self._asked))
            heat.sigHovered.connect(self._on_heat_hovered)
            heat.sigClicked.connect(self._on_heat_clicked)
            room, self._heatmap_room = self._heatmap_room, None
            if room is not None:  # never the current page: the table is, until the map is made
                self.stack.removeWidget(room)
                room.deleteLater()
            self.stack.insertWidget(1, heat)
        return heat

    @property
    def has_heatmap(self) -> bool:
        """Whether the heat map was made (:attr:`heatmap` makes it)."""
        return self._heatmap is not None

    # ---- content ----------------------------------------------------------------------------
    def set_title(self, title: str, short: str = "", wrapped: str = "") -> None:
        """The title; ``wrapped`` (the title on two lines, or in fewer words on one), else
        ``short`` is shown instead where the title does not fit (then the tooltip says the
        whole title)."""
        self.title_label.set_texts(title, short, wrapped)

    def set_number_height(self, fraction: float) -> None:
        """The numbers' font as a fraction of the cell's height (larger in the lecture
        layout)."""
        if fraction != self.number_height:
            self.number_height = fraction
            self._lay_out_again()

    def set_header_most(self, pixels: int) -> None:
        """The row and column numbers' largest font (HEADER_MOST_PX; larger in the lecture
        layout)."""
        if pixels != self.header_most:
            self.header_most = pixels
            self._lay_out_again()

    def _lay_out_again(self) -> None:
        """Lay the cells out anew at their size (a font that follows it changed)."""
        self._layout = (0, 0, 0)
        if self.cell:
            cell, self.cell = self.cell, 0
            self.set_cell_size(cell)

    def set_max_cell(self, cell: int) -> None:
        """The largest cell size the view draws (MAX_CELL unless the lecture layout lets its
        views grow with the screen); the numbers' largest font follows (see
        :meth:`number_most`)."""
        cell = max(MAX_CELL, int(cell))
        if cell != self.max_cell:
            self.max_cell = cell
            self._layout = (0, 0, 0)
            if self.cell:
                size, self.cell = min(self.cell, cell), 0
                self.set_cell_size(size)

    def number_most(self) -> int:
        """The numbers' largest font (pixels): NUMBER_MAX_PX in cells up to MAX_CELL, as much
        larger as the view's largest cell is (digits of 40 px in 136 px cells on a 1920×1080
        projector were as small as in 96 px ones)."""
        return max(NUMBER_MAX_PX, round(NUMBER_MAX_PX * self.max_cell / MAX_CELL))

    def reserve(self, values: np.ndarray | None) -> None:
        """Size columns for ``values`` too (the whole result while stepping fills it in)."""
        if values is not None and np.asarray(values).size <= EDIT_MAX_SIDE**2:
            self.model.reserve_values(np.asarray(values, dtype=float))
        else:
            self.model.reserved_texts = frozenset()

    def set_editable(self, editable: bool) -> None:
        self.model.editable = editable

    def set_typing_edits(self, on: bool) -> None:
        """Whether typing into a selected cell edits it; off, a double-click still does
        (presentation mode: keys belong to the lecture)."""
        self.table.set_typing_edits(on)

    def set_matrix(
        self,
        values: np.ndarray,
        kinds: np.ndarray | None = None,
        offset: tuple[int, int] = (0, 0),
        levels: tuple[float, float] | None = None,
        diverging: bool = False,
        neutral: bool = False,
        pending: np.ndarray | None = None,
        black_white: bool = False,
    ) -> None:
        """Show ``values`` (the canvas, padding ring included when ``kinds`` marks it);
        ``neutral``: every cell in the neutral colour (a constant matrix, e.g. dY = ones);
        ``black_white``: 0 black and 1 white (a binary image, see :func:`is_binary`);
        ``pending``: cells not computed yet (drawn blank; any other NaN is drawn as NaN)."""
        values = np.asarray(values, dtype=float)
        if levels is None:
            real = values if kinds is None else values[kinds == INPUT]
            levels = levels_for(real, diverging)
        shown, shown_kinds, shown_offset = self._content
        if (
            values is shown
            and kinds is shown_kinds
            and pending is None
            and self._pending is None
            and (offset, levels, diverging, neutral, black_white)
            == (shown_offset, self.levels, self.diverging, self.neutral, self.black_white)
        ):
            # The very arrays already shown (arrays are never changed in place), e.g. X after
            # a parameter change: nothing to redraw.
            return
        self.diverging = diverging
        self._pending = pending
        self.neutral = neutral
        self.black_white = black_white
        self.levels = levels
        self._content = (values, kinds, offset)
        self._render()

    def _render(self) -> None:
        values, kinds, offset = self._content
        # A magnifier is always a table: it is there for the numbers.
        heat = self._magnify and (
            max(values.shape) > EDIT_MAX_SIDE or self._too_small or self.close_up_plan is not None
        )
        if self.heat_above is not None:  # by size alone (compare mode's panels)
            heat = max(values.shape) > self.heat_above
        self.model.neutral = self.neutral
        self.model.black_white = self.black_white
        dim = None
        if self.dimmed:
            base = QApplication.palette().color(QPalette.ColorRole.Base)
            dim = (base.red(), base.green(), base.blue())
        self.model.dim = dim
        if heat:
            self.heatmap.set_values(
                values,
                self.levels,
                self.diverging,
                neutral=self.neutral,
                dim=self.dimmed,
                pending=self._pending,
                counts=self.counts,
                black_white=self.black_white,
            )
            # Keep the data behind the view for hover, tests and a later switch to the table.
            self.model.values = values
            self.model.kinds = _zeros(values.shape, "int8") if kinds is None else kinds
            pending = self._pending
            if pending is None or pending.shape != values.shape:
                pending = _zeros(values.shape, "bool")
            self.model.pending = pending
            self.model.offset = offset
            self._table_stale = True
        else:
            if self._table_stale:
                self.model.values = np.zeros((0, 0))  # force a model reset
                self._table_stale = False
            shape = self.model.values.shape
            self.model.set_values(values, kinds, offset, self.levels, self.diverging, self._pending)
            if self.model.values.shape != shape and self.table.isVisible():
                # A new shape (a close-up's box at an edge, an adaptive window of another
                # size) resets the model, and the table lays its rows out in a zero-time timer
                # that ran after the window was painted: it repainted every cell again in a
                # second pass.  Laid out now, the cells are painted once.
                self.table.doItemsLayout()
        self.stack.setCurrentIndex(1 if heat else 0)
        self.legend.set_levels(self.levels, self.diverging, self.black_white)
        constant = None
        if self.neutral:
            low, high = extremes(values)
            if math.isfinite(low + high):  # every value finite (no copy of the finite ones)
                constant = low
            else:
                finite = values[np.isfinite(values)]
                constant = float(finite[0]) if finite.size else None
        self.legend.set_constant(constant)
        if self._marks_held:
            self._marks_stale = True
        else:
            self.set_highlights(self._highlight_cells)
        if not heat and self.model.long_texts != self._texts and self.cell:
            if self._fits_held:
                self._fit_stale = True  # the coming fit sizes the new texts
            else:
                self.set_cell_size(self.cell)

    def _on_header_numbers_changed(self, orientation: Qt.Orientation) -> None:
        vertical = orientation == Qt.Orientation.Vertical
        header = self.table.verticalHeader() if vertical else self.table.horizontalHeader()
        header.viewport().update()

    def set_dimmed(self, on: bool) -> None:
        """Dim the view (faded colours, numbers and title): present but not in play, like
        the gradients during the forward phase."""
        if on == self.dimmed:
            return
        self.dimmed = on
        self.title_label.setEnabled(not on)
        self.legend.set_dimmed(on)
        self._render()
        self.table.refresh()  # the numbers fade even where no colour changes

    def refresh(self) -> None:
        """Redraw with the current palette (the view settings' ``palette``)."""
        if self._heatmap is not None:
            self._heatmap.apply_palette()
        self._render()
        self.legend.update()

    def _on_palette_changed(self, _name: str = "") -> None:
        self.refresh()

    def _on_theme_changed(self, _name: str = "") -> None:
        self._header_sizes.clear()  # the style may draw headers at another size
        # The heat map is drawn on the theme's base colour, like a table's empty area, and
        # so are cells not computed yet.
        base = QApplication.palette().color(QPalette.Base)
        self.model.set_blank(base)
        if self._heatmap is not None:
            self._heatmap.setBackground(base)
        if self.dimmed:  # dimmed towards the new background
            self._render()

    def matrix(self) -> np.ndarray:
        """The values shown, without the padding ring (what a test asserts on)."""
        kinds = self.model.kinds
        rows = np.nonzero((kinds == INPUT).any(axis=1))[0]
        cols = np.nonzero((kinds == INPUT).any(axis=0))[0]
        if rows.size == 0:
            return self.model.values.copy()
        return self.model.values[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1].copy()

    def canvas(self) -> np.ndarray:
        """The values shown, padding ring included."""
        return self.model.values.copy()

    def set_highlights(self, cells: Mapping[tuple[int, int], Collection[str]]) -> None:
        """Mark cells given in matrix coordinates with highlight styles (a dict, or
        :class:`~engine.Marks` whose rectangles are never listed cell by cell on a heat map)."""
        marks = Marks.of(cells)
        self._highlight_cells = marks
        self._marks_stale = False
        if self._outline_marks:
            marks = marks.merged(self._outline_marks)
        off_r, off_c = self.model.offset
        # Cut to the matrix: a close-up shows a few rows and columns of a window's thousands.
        shifted = marks.shifted(off_r, off_c).clipped(self.model.values.shape)
        old = self.model.styles
        if self.stack.currentIndex() == 1:
            self.heatmap.set_outlines(
                [
                    (rows.start + off_r, rows.stop + off_r, cols.start + off_c, cols.stop + off_c)
                    for rows, cols, _role in self._outlines
                ]
            )
            self.model.set_styles(shifted)  # looked up cell by cell, never listed
            marked = shifted.cells_with(HEAT_MARKED)
            wins = shifted.cells_with(("winner",))
            self.heatmap.set_marks(marked, wins)
            # The magnifier follows the step (not the mouse: hover marks are left out).
            framed = shifted
            if self._close_up_region is not None:
                framed = self._close_up_region.shifted(off_r, off_c).clipped(
                    self.model.values.shape
                )
            self._update_magnifier(
                list(framed.corners(MAGNIFIED_STYLES)), shifted.corners(FOCUS_STYLES)
            )
        else:
            listed = shifted.as_dict()  # a table: at most its own cells
            self.model.set_styles(listed)
            self._show_magnifier(False)
            if not isinstance(old, dict):  # from a heat map's marks: every cell anew
                self.table.refresh()
                return
            changed = {rc for rc in old.keys() | listed.keys() if old.get(rc) != listed.get(rc)}
            if 2 * len(changed) >= self.model.values.size > 0:
                # Most cells (a close-up of an adaptive window after an edit: 225): one
                # update, not a rectangle per cell for Qt to merge (~1.5 ms per edit).
                self.table.refresh()
                return
            self.table.refresh_cells(changed)

    def set_close_up_region(self, marks: Marks | None) -> None:
        """The step's cells of another view (matrix coordinates, this view's) whose region
        the close-up frames, ``marks``' window and the cells around it, instead of this
        view's own marked cells; None: its own.  The argmax mask marks only the winner: its
        close-up, centred on it, showed rows 3–7 where X's showed the window's rows 2–7.
        Applied with the next :meth:`set_highlights`."""
        self._close_up_region = marks

    def set_outlines(self, outlines: Sequence[Outline]) -> None:
        """Windows to outline whatever the step, ``(rows, cols, role)`` in matrix coordinates:
        the windows ``ceil_mode`` drops (role ``"dropped"``), a dashed outline around each.

        Each cell on a window's edge gets the styles of the edges it lies on, drawn with the
        cell (kept with the step's highlights, see :meth:`set_highlights`); its other cells
        get the role, which the tooltip names.
        """
        outlines = tuple(outlines)
        if outlines == self._outlines:
            return
        self._outlines = outlines
        blocks = []
        for rows, cols, role in outlines:
            edges = (
                (range(rows.start, rows.start + 1), cols, f"{role}_top"),
                (range(rows.stop - 1, rows.stop), cols, f"{role}_bottom"),
                (rows, range(cols.start, cols.start + 1), f"{role}_left"),
                (rows, range(cols.stop - 1, cols.stop), f"{role}_right"),
            )
            blocks.append((rows, cols, frozenset((role,))))
            blocks += [(r, c, frozenset((style,))) for r, c, style in edges]
        self._outline_marks = Marks(blocks)
        if self._marks_held:
            self._marks_stale = True
        else:
            self.set_highlights(self._highlight_cells)

    def outlines(self) -> tuple[Outline, ...]:
        """The windows outlined (see :meth:`set_outlines`), in matrix coordinates."""
        return self._outlines

    def set_magnifier_allowed(self, on: bool) -> None:
        """Whether a heat map shows its magnifier (Stack mode's rows of small maps leave it
        out: the numbers are on hover there, and the room goes to the next row)."""
        self._magnifier_allowed = on
        if not on:
            self._show_magnifier(False)

    def set_own_magnifier(self, on: bool) -> None:
        """Whether a heat map without a close-up plan shows the magnifier it chooses itself.
        The lecture layout plans every close-up: a view it left without one has the room of
        its table only (a 2×2 dY beside a 256×256 dX's close-up at 1024×768 was 40 px wide,
        a heat map and a magnifier titled "ro…" over "co…" in it)."""
        if on == self._own_magnifier:
            return
        self._own_magnifier = on
        if not on and self.close_up_plan is None:
            self._show_magnifier(False)
        elif on and self.stack.currentIndex() == 1:  # a heat map: its close-up again
            self._update_magnifier(*self._magnifier_asked)

    def _update_magnifier(
        self, marks: list[tuple[int, int]], focus: Sequence[tuple[int, int]] = ()
    ) -> None:
        """Show the marked cells of the heat map and two cells around them, with numbers, in
        the magnifier beside it (hidden when nothing is marked)."""
        if not self._magnify:
            return
        if not self._magnifier_allowed or (self.close_up_plan is None and not self._own_magnifier):
            self._magnifier_asked = (marks, tuple(focus))
            self._show_magnifier(False)
            return
        values, kinds, offset = self._content
        plan = self.close_up_plan
        self._magnifier_asked = (marks, tuple(focus))
        self._roomless = plan is None and not self._magnifier_has_room()
        if self._roomless:
            self._show_magnifier(False)
            return
        if plan is None:
            self._box_room = (self._magnifier_most(), self._magnifier_whole())
            box = magnifier_box(
                values.shape,
                marks,
                most=self._magnifier_most(),
                whole=self._magnifier_whole(),
                keep_size=True,
                focus=focus,
            )
        else:
            box = magnifier_box(
                values.shape, marks, plan.margin, most=plan.box, whole=0, focus=focus
            )
            if box is not None:
                box = kept_box(box, values.shape, plan.box)
        if box is None:
            self._show_magnifier(False)
            return
        magnifier = self._magnifier()
        top, bottom, left, right = box
        crop = values[top:bottom, left:right]
        crop_kinds = None if kinds is None else kinds[top:bottom, left:right]
        pending = self._pending
        # Outputs not computed yet stay blank in the close-up too (not the NaN they hold).
        crop_pending = (
            None
            if pending is None or pending.shape != values.shape
            else pending[top:bottom, left:right]
        )
        # Each view's highlights are set twice per edit (with its data, then with the step):
        # the magnifier is rebuilt only when what it shows changed.
        shown = (
            box,
            offset,
            self._outlines,
            self.levels,
            self.diverging,
            self.neutral,
            self.dimmed,
            None if crop_pending is None else crop_pending.tobytes(),
        )
        last = self._magnified
        if (
            last is not None
            and last[0] == shown
            and last[3] == self._highlight_cells
            and np.array_equal(last[1], crop, equal_nan=True)
            and (crop_kinds is None) == (last[2] is None)
            and (crop_kinds is None or np.array_equal(last[2], crop_kinds))
            and magnifier.isVisibleTo(self)
        ):
            return
        self._magnified = (
            shown,
            crop.copy(),
            None if crop_kinds is None else crop_kinds.copy(),
            self._highlight_cells,  # never changed in place
        )
        magnifier.dimmed = self.dimmed
        # The close-up's columns are sized for the longest numbers it has shown of this matrix
        # (not only the box's): a step then moves the box without resizing the columns.
        content = (values.shape, offset, self.levels, self.neutral, self.black_white)
        if content != self._magnifier_content:
            self._magnifier_content = content
            magnifier.model.reserved_texts = frozenset()
        # Its cells are sized by its fit (below, or after the layout when a fit is coming),
        # not at its old cell size first.
        magnifier._fits_held = True
        magnifier.table.floor_frame = (values.shape, offset)
        with marks_held([magnifier]):
            magnifier.set_matrix(
                crop,
                crop_kinds,
                (offset[0] - top, offset[1] - left),
                levels=self.levels,
                diverging=self.diverging,
                neutral=self.neutral,
                pending=crop_pending,
                black_white=self.black_white,
            )
            magnifier.model.reserved_texts = frozenset(magnifier.model.long_texts)
            magnifier.set_outlines(self._outlines)
            magnifier.set_highlights(self._highlight_cells)
        magnifier.set_asked(self._asked)
        rows, columns = (
            (top - offset[0], bottom - 1 - offset[0]),
            (left - offset[1], right - 1 - offset[1]),
        )
        # Judged with the widest numbers this matrix's close-up can have: the title keeps its
        # form (and its height, so the close-up's cells) while stepping.
        widest = [_widest_index(n, o) for n, o in zip(values.shape, offset, strict=True)]
        magnifier.title_label.set_forms(
            close_up_titles(rows, columns), close_up_titles(*[(w, w) for w in widest])
        )
        self._show_magnifier(True)
        if self._fits_held:
            self._fit_stale = True  # fitted at the size the coming layout gives it
        else:
            self._fit_magnifier()
            magnifier.settle_fit()

    def settle_fit(self) -> None:
        """Do what waited for the fit (see :func:`fits_held`) and was not done by it: the
        cell size for new texts, the close-up's fit (each a no-op if done since)."""
        self._fits_held = False
        if not self._fit_stale:
            return
        self._fit_stale = False
        if self.stack.currentIndex() == 0 and self.model.long_texts != self._texts and self.cell:
            self.set_cell_size(self.cell)
        self._fit_magnifier()
        if self.magnifier is not None:
            self.magnifier.settle_fit()

    def _magnifier_most(self) -> tuple[int, int]:
        """The rows and columns the close-up shows at most: as many as fit its share of this
        view at ``MAGNIFIER_CELL`` pixels, columns as wide as the matrix's longest numbers
        need there (from the view's size and the whole matrix's texts, never the close-up's
        own, so that what it shows cannot feed back into its size); worked out again only
        when the view's size, the body's direction or spacing, or that width changed (not on
        every step)."""
        key = (
            self.width(),
            # Less the room kept under the title for the step arrows (set_title_gap): counted
            # in, a 256×256 input's close-up was planned a row too many and got 18 px cells.
            self.height() - self.title_label.contentsMargins().bottom(),
            self.body.beside,
            self.body.spacing(),
            self._magnifier_column(),
        )
        if key != self._most_key:
            self._most_key = key
            self._most = self._magnifier_most_for(*key)
        return self._most

    def _magnifier_has_room(self) -> bool:
        """Whether the close-up's share of this view holds its title, its header and a row
        of cells that show numbers: six input planes at 1366×768 (views 112 px high) had
        close-ups of 26-36 px, a title cut to its first line over a 15 px table."""
        beside = self.body.beside
        most = MAGNIFIER_SHARE_BESIDE if beside else MAGNIFIER_SHARE_BELOW
        share = min(most, MAGNIFIER_STRETCH / (MAGNIFIER_STRETCH + HEAT_MAP_STRETCH))
        spacing = self.body.spacing()
        room = self.body.geometry()  # the heat map's and the close-up's, as laid out
        if beside:
            return (room.width() - spacing) * share >= MAGNIFIER_CHROME + MIN_NUMBER_CELL
        return (room.height() - spacing) * share >= 2 * MAGNIFIER_CHROME + MIN_NUMBER_CELL

    def _magnifier_whole(self) -> int:
        """The rows and columns a short window's close-up shows whole (it and the cells
        around it) even where fewer fit at ``MAGNIFIER_CELL``: ``MAGNIFIER_WHOLE``, or fewer
        where that many would leave cells too small for numbers.  A 2×2 window and two
        cells around it (six rows) in a close-up of 85 px (1024×768 with the code dock)
        had 12 px cells without a number.  Judged from the close-up's own room once it is
        shown (the share's estimate is a few rows short of it)."""
        magnifier = self.magnifier
        if magnifier is None or not magnifier.isVisibleTo(self):
            return MAGNIFIER_WHOLE
        width, height = magnifier._room()
        head_w, head_h = magnifier._header_size(MIN_NUMBER_CELL, apply=False)
        column = max(MIN_NUMBER_CELL, self._magnifier_column() * MIN_NUMBER_CELL / MAGNIFIER_CELL)
        rows = int((height - head_h) // MIN_NUMBER_CELL)
        cols = int((width - head_w) // column)
        return max(MAGNIFIER_LEAST, min(MAGNIFIER_WHOLE, rows, cols))

    def _magnifier_column(self) -> int:
        """The column width the whole matrix's longest numbers (:meth:`close_up_texts`: its
        own and those reserved for later steps) need at ``MAGNIFIER_CELL`` pixels, at least
        that.  Nine 22 px columns of "0.01563" (adaptive average pooling's dX at 1366×768)
        shrank the font to its smallest and still cut the numbers.  Measured again only when
        the matrix's shape, offset or colour levels change (a step keeps them)."""
        values, _, offset = self._content
        content = (values.shape, offset, self.levels, self.neutral, self.number_height)
        known = self._column_of
        if known[0] != content:
            need = number_layout(self.close_up_texts(), MAGNIFIER_CELL, 10**6, self.number_height)
            known = self._column_of = (content, max(MAGNIFIER_CELL, need[1]))
        return known[1]

    @staticmethod
    def _magnifier_most_for(
        view_width: int,
        view_height: int,
        beside: bool,
        spacing: int,
        column: int = MAGNIFIER_CELL,
    ) -> tuple[int, int]:
        # The body shares its room by stretch (heat map 3, close-up 2) after its spacing, up
        # to its share: from the share alone a 1024×768 close-up was taken to be 291 px
        # wide where it got 255, and its 12 columns shrank to 18 px (3-digit numbers cut).
        most = MAGNIFIER_SHARE_BESIDE if beside else MAGNIFIER_SHARE_BELOW
        share = min(most, MAGNIFIER_STRETCH / (MAGNIFIER_STRETCH + HEAT_MAP_STRETCH))
        width = (view_width - spacing) * share if beside else view_width
        height = view_height if beside else (view_height - spacing) * share
        rows = int((height - 3 * MAGNIFIER_CHROME) // MAGNIFIER_CELL)  # title, header, legend
        cols = int((width - MAGNIFIER_CHROME) // max(MAGNIFIER_CELL, column))
        return max(MAGNIFIER_LEAST, rows), max(MAGNIFIER_LEAST, cols)

    def _show_magnifier(self, on: bool) -> None:
        magnifier = self.magnifier
        if magnifier is None or magnifier.isVisibleTo(self) == on:
            return
        magnifier.setVisible(on)
        self._share_with_magnifier()

    def _share_with_magnifier(self, before_layout: bool = False) -> bool:
        """The magnifier takes at most its share of the view's width (beside the heat
        map) or height (below it), whatever its table would like; True if a limit changed.

        ``before_layout``: the body is about to share out the room of the view's new size:
        limits are only raised (a lower one would resize the close-up at once, and the body
        again right after; it is lowered in resizeEvent, once the view has its size), on its
        fence too (which takes the close-up's own only when it next looks at it)."""
        magnifier = self.magnifier
        if magnifier is None or self.close_up_plan is not None:
            return False  # a lecture close-up has the size its plan gives it
        if self.body.direction() == QBoxLayout.Direction.LeftToRight:
            largest = QSize(max(1, int(self.width() * MAGNIFIER_SHARE_BESIDE)), QWIDGETSIZE_MAX)
        else:
            largest = QSize(QWIDGETSIZE_MAX, max(1, int(self.height() * MAGNIFIER_SHARE_BELOW)))
        fence = magnifier.parentWidget()
        widgets = [magnifier]
        if before_layout and isinstance(fence, LayoutFence):
            widgets.append(fence)
        changed = False
        for widget in widgets:
            now = widget.maximumSize()
            if now == largest or (
                before_layout and (largest.width() < now.width() or largest.height() < now.height())
            ):
                continue
            widget.setMaximumSize(largest)
            changed = True
        return changed

    def _magnifier(self) -> MatrixView:
        if self.magnifier is None:
            magnifier = MatrixView(
                "", f"{self.objectName()}Magnifier", self, magnify=False, close_up=True
            )
            magnifier.legend.hide()
            magnifier.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
            magnifier.title_label.setWordWrap(True)
            # Its cells are fitted to its room on every new box: scroll bars never have
            # anything to show there, but a box of another shape (adaptive pooling's windows)
            # showed and hid them on most steps before the fit, laying the close-up out twice.
            for policy in (
                magnifier.table.setHorizontalScrollBarPolicy,
                magnifier.table.setVerticalScrollBarPolicy,
            ):
                policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            magnifier.title_label.setFont(self._close_up_title_font())
            # Opaque, in the colour of the view under it: its text changes on every step,
            # and a label's text is not opaque (every widget under it was repainted too).
            magnifier.title_label.setAutoFillBackground(True)
            magnifier.sigResized.connect(self._fit_magnifier)
            magnifier.sigCellHovered.connect(self.sigCellHovered)
            magnifier.sigHoverLeft.connect(self.sigHoverLeft)
            magnifier.sigCellClicked.connect(self.sigCellClicked)
            # Its title and box change on every step: behind a fence, so that this does not
            # lay the window out again (its size comes from the share above, not its needs).
            self.body.addWidget(LayoutFence(magnifier), MAGNIFIER_STRETCH)
            self.magnifier = magnifier
            # The step's weight notes, set before the close-up was made (the first step
            # shown on a heat map): its window's cells had none until the next step.
            magnifier.set_notes(self.notes())
            self._place_magnifier()
        return self.magnifier

    def _fit_magnifier(self) -> None:
        self._recut_magnifier()
        magnifier = self.magnifier
        plan = self.close_up_plan
        if magnifier is not None and plan is not None:
            # The lecture row's cell size and column width, whatever the room (the plan
            # sized the close-up for them).
            magnifier.set_cell_size(plan.cell, plan.column)
            magnifier.widen_columns(plan.column)
            magnifier.hug_cells(True)
            # Its row numbers as wide as the whole matrix's (the plan's): the cells then
            # fill the close-up at every step, rows 0–5 as rows 20–25.
            head_w = self._header_size(plan.cell, apply=False)[0]
            header = magnifier.table.verticalHeader()
            if header.minimumWidth() != head_w:
                header.setMinimumWidth(head_w)
                magnifier.table.updateGeometries()
            return
        if magnifier is not None:
            magnifier.hug_cells(False)  # fitted to its room (the lecture's: to its plan)
        if magnifier is not None and magnifier.isVisibleTo(self):
            # The fit depends on the cells, their texts and headers, and the room: refitted
            # only when one of them changed (a step usually moves the box, nothing else).
            model = magnifier.model
            # The offset only by what the headers' size depends on (the longest row and
            # column numbers, digits being equally wide): a box moved within the matrix is
            # not refitted, nor one whose numbers only gained shorter ones (8…13 → 10…15).
            (rows, cols), (off_r, off_c) = model.values.shape, model.offset
            labels = (_widest_label(rows, off_r), _widest_label(cols, off_c))
            key = (model.values.shape, labels, model.long_texts, magnifier.stack.size())
            if key != self._magnifier_fit:
                self._magnifier_fit = key
                magnifier.set_cell_size(int(magnifier.fit_cell()))

    # ---- the lecture layout's close-up ------------------------------------------------------
    def can_close_up(self) -> bool:
        """Whether this view can be drawn as a heat map with a close-up."""
        return self._magnify and self._magnifier_allowed

    def canvas_shape(self) -> tuple[int, int]:
        """The rows and columns of the canvas shown (padding ring included)."""
        rows, cols = self._content[0].shape
        return rows, cols

    def read_shape(self) -> tuple[int, int]:
        """The rows and columns of the canvas without its ``ceil_mode`` overhang: the input
        and its padding, what the lecture layout weighs when it chooses a heat map.  The
        hatched overhang (never read) grows with the dropped windows it holds: a 7×7 input
        padded by 1 drew an 11×11 canvas and became a heat map without numbers."""
        values, kinds, _ = self._content
        if kinds is None:
            rows, cols = values.shape
            return rows, cols
        read = kinds != OVERHANG
        return int(read.any(axis=1).sum()), int(read.any(axis=0).sum())

    def close_up_box(self, margin: int) -> tuple[int, int]:
        """The rows and columns a lecture close-up shows: the step's cells and ``margin``
        cells on every side (at most the canvas, at most ``MAGNIFIER_MAX``)."""
        region = self._close_up_region
        marks = self._highlight_cells if region is None else region
        return magnifier_size(self._content[0].shape, marks.box(MAGNIFIED_STYLES), margin)

    def close_up_texts(self) -> tuple[str, ...]:
        """The longest texts of the whole matrix and of what it will hold (the texts a
        close-up can show, wherever the step takes it): its columns are sized for them, so
        that the layout does not change while stepping.  Measured once per matrix."""
        values = self._content[0]
        reserved = self.model.reserved_texts
        source, kept, texts = self._close_up_texts
        if source is values and kept is reserved:
            return texts
        finite = values[np.isfinite(values)]
        found = {format_cell(v) for v in distinct_values(finite)} if finite.size else {"0"}
        found |= reserved
        longest = max(len(t) for t in found)
        texts = tuple(sorted(t for t in found if len(t) >= longest - 1))
        self._close_up_texts = (values, reserved, texts)
        return texts

    def close_up_column_need(self, cell: int) -> int:
        """The column width a lecture close-up's numbers need at cell size ``cell``."""
        cell = int(max(6, min(cell, self.max_cell)))
        return number_layout(
            self.close_up_texts(), cell, 10**6, self.number_height, self.number_most()
        )[1]

    def _close_up_title_font(self) -> QFont:
        """The font of the close-up's title: the caption font the lecture layout gives
        (see set_caption_font), else a view title's, smaller."""
        if self._caption_font is not None:
            font = QFont(self._caption_font)
        else:
            font = QFont()
            font.setPointSizeF(TITLE_POINTS * CLOSE_UP_TITLE_SCALE)
        font.setBold(True)
        return font

    def set_caption_font(self, font: QFont | None) -> None:
        """The close-up's title (bold) and the colour legend in ``font``: the lecture
        layout's, larger (at 10–11 px they were unreadable from the back of a hall); None:
        their own sizes again."""
        if font == self._caption_font:
            return
        self._caption_font = None if font is None else QFont(font)
        self.legend.set_text_font(font)
        if self.magnifier is not None:
            self.magnifier.title_label.setFont(self._close_up_title_font())

    def _close_up_title_height(
        self, room: int, shape: tuple[int, ...], offset: tuple[int, int]
    ) -> int:
        """The height of the close-up's title ``room`` pixels wide: the first of its forms
        that fits (judged with the widest numbers the title can have, as the close-up
        does), one line to four.  Measured once per width and matrix shape."""
        font = self._close_up_title_font()
        key = (
            room,
            shape,
            offset,
            font.key(),
            tr("Close-up: rows {top}–{bottom}, columns {left}–{right}"),
        )
        height = self._close_up_titles.get(key)
        if height is None:
            metrics = QFontMetrics(font)
            widest = [_widest_index(n, o) for n, o in zip(shape, offset, strict=True)]
            forms = close_up_titles(*[(w, w) for w in widest])
            lines = forms[-1].count("\n") + 1
            for form in forms:
                if all(metrics.horizontalAdvance(line) <= room for line in form.split("\n")):
                    lines = form.count("\n") + 1
                    break
            height = lines * metrics.lineSpacing() + 2
            if len(self._close_up_titles) > 256:
                self._close_up_titles.clear()
            self._close_up_titles[key] = height
        return height

    def close_up_parts(
        self, cell: int, column: int, box: tuple[int, int], beside: bool, heat: int
    ) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """The sizes (width, height) of the whole view, of its close-up and of its heat map
        when drawn with a close-up of ``box`` cells ``cell`` high and ``column`` wide,
        ``beside`` the heat map or below it, the heat map ``heat`` pixels along its longer
        side."""
        cell = int(max(6, min(cell, self.max_cell)))
        frame = 2 * self.table.frameWidth()
        # The whole matrix's row and column numbers are at least as wide as the close-up's.
        head_w, head_h = self._header_size(cell, apply=False)
        table_w = box[1] * column + head_w + frame + 2
        table_h = box[0] * cell + head_h + frame + 2
        shape, offset = self._content[0].shape, self.model.offset
        title_h = self._close_up_title_height(table_w, shape, offset)
        close = (table_w + 4, title_h + 2 + table_h + 4)  # the close-up's margins, spacing
        rows, cols = shape
        scale = heat / max(rows, cols, 1)
        body_spacing = self.body.spacing()
        if beside:
            body_h = max(close[1], math.ceil(rows * scale))
            heat_size = (math.ceil(cols * scale), body_h)
            body = (heat_size[0] + body_spacing + close[0], body_h)
        else:
            body_w = max(close[0], math.ceil(cols * scale))
            heat_size = (body_w, math.ceil(rows * scale))
            body = (body_w, heat_size[1] + body_spacing + close[1])
        layout = self.layout()
        margins = layout.contentsMargins()
        spacing = layout.spacing()
        title = self.title_label.sizeHint().height()
        legend = self.legend.minimumHeight() if not self.legend.isHidden() else 0
        label = self.title_label
        short = label.short_text or label.full_text
        w = max(
            body[0] + margins.left() + margins.right(),
            label.fontMetrics().horizontalAdvance(short) + margins.left() + margins.right() + 4,
        )
        h = body[1] + title + legend + 2 * spacing + margins.top() + margins.bottom()
        return (w, h), close, heat_size

    def close_up_extent(
        self, cell: int, column: int, margin: int, beside: bool, heat: int
    ) -> tuple[int, int]:
        """The size this view needs drawn with a lecture close-up (see close_up_parts)."""
        return self.close_up_parts(cell, column, self.close_up_box(margin), beside, heat)[0]

    def set_close_up_plan(self, plan: CloseUpPlan | None) -> None:
        """Draw the matrix as a heat map with a close-up laid out by ``plan`` (the lecture
        layout's large matrices), or (None) as the view decides by its cells again."""
        if plan == self.close_up_plan:
            return
        self.close_up_plan = plan
        self._magnified = None
        self._magnifier_fit = ()
        largest = QSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        if plan is None:
            self.stack.setMinimumSize(0, 0)
            self.stack.setMaximumSize(largest)
            if self.magnifier is not None:
                self.magnifier.table.verticalHeader().setMinimumWidth(0)
                for widget in (self.magnifier, self.magnifier.parentWidget()):
                    if widget is not None:
                        widget.setMinimumSize(0, 0)
                        widget.setMaximumSize(largest)
                # Placed for the view's own size now, not left in the plan's direction: a view
                # whose size does not change on leaving the lecture layout gets no resize to
                # turn it, and a close-up below the heat map kept the width limit of one
                # beside it (107 of 239 px at 1024×768: 3-digit numbers cut in 18 px cells).
                self._place_magnifier()
            self.cell = 0
            self._render()
            return
        magnifier = self._magnifier()
        magnifier.set_number_height(self.number_height)
        magnifier.set_max_cell(self.max_cell)
        magnifier.set_note_least(self.model.note_least)
        _, close, heat = self.close_up_parts(
            plan.cell, plan.column, plan.box, plan.beside, plan.heat
        )
        direction = (
            QBoxLayout.Direction.LeftToRight if plan.beside else QBoxLayout.Direction.TopToBottom
        )
        if self.body.direction() != direction:
            self.body.setDirection(direction)
        self.stack.setFixedSize(*heat)
        for widget in (magnifier, magnifier.parentWidget()):
            if widget is not None:
                widget.setFixedSize(*close)
        self._render()
        self._fit_magnifier()

    def magnified(self) -> np.ndarray | None:
        """The values the magnifier shows (None when it is hidden): what a test reads."""
        if self.magnifier is None or not self.magnifier.isVisibleTo(self):
            return None
        return self.magnifier.canvas()

    def highlights(self) -> dict[tuple[int, int], set[str]]:
        """The highlight styles of marked cells, in matrix coordinates (what a test reads)."""
        return {rc: set(styles) for rc, styles in self._highlight_cells.items()}

    def set_notes(self, notes: dict[tuple[int, int], str]) -> None:
        """Small numbers printed in cells given in matrix coordinates (a window cell's weight)."""
        off_r, off_c = self.model.offset
        shifted = {(r + off_r, c + off_c): text for (r, c), text in notes.items()}
        if self.magnifier is not None:
            self.magnifier.set_notes(notes)
        if shifted == self.model.notes:
            return
        changed = self.model.notes.keys() | shifted.keys()
        self.model.notes = shifted
        if self.stack.currentIndex() == 0:
            self.table.refresh_cells(changed)
        else:
            self.table.forget_rendering()

    def notes(self) -> dict[tuple[int, int], str]:
        """The small numbers printed in cells, in matrix coordinates (what a test reads)."""
        off_r, off_c = self.model.offset
        return {(r - off_r, c - off_c): text for (r, c), text in self.model.notes.items()}

    def set_note_least(self, pixels: int) -> None:
        """Notes whose font would be smaller than ``pixels`` are not drawn (the lecture
        layout's ``LECTURE_NOTE_MIN_PX``; 0: those smaller than ``NOTE_MIN_PX``)."""
        if pixels != self.model.note_least:
            self.model.note_least = pixels
            self.table.refresh()

    def note_pixel_size(self) -> int:
        """The pixel size of the font notes are drawn in at the current cell size (the
        largest, of the cells with a note; without notes, the largest a note may be); 0 when
        they are not drawn (no numbers, or no room for a readable one above the number)."""
        model = self.model
        if not model.show_numbers or not self.cell:
            return 0
        if not model.notes:
            return note_pixels(self.table.verticalHeader().defaultSectionSize(), model.note_least)
        table, sizes = self.table, [0]
        for r, c in model.notes:
            layout = self.delegate.cell_note(table.columnWidth(c), table.rowHeight(r), r, c)
            sizes.append(0 if layout is None else layout.pixels)
        return max(sizes)

    def note_layouts(self) -> dict[tuple[int, int], NoteLayout]:
        """How each cell with a note has it and its number laid out at the current sizes, in
        matrix coordinates (what a test reads): see :meth:`_CellDelegate.note_layout`."""
        model, table = self.model, self.table
        off_r, off_c = model.offset
        out = {}
        for r, c in model.notes:
            layout = self.delegate.cell_note(table.columnWidth(c), table.rowHeight(r), r, c)
            if layout is not None:
                out[(r - off_r, c - off_c)] = layout
        return out

    def cells_box(self, cells: tuple[tuple[int, int], ...], widget: QWidget) -> QRectF | None:
        """The box around ``cells`` (matrix coordinates) in ``widget``'s coordinates, cut to
        the part of the view on screen; None when none of it is."""
        if not cells or not self.isVisible():
            return None
        off_r, off_c = self.model.offset
        rows = [r + off_r for r, _ in cells]
        cols = [c + off_c for _, c in cells]
        top, left, bottom, right = min(rows), min(cols), max(rows), max(cols)
        if self.stack.currentIndex() == 0:
            first = self.table.visualRect(self.model.index(top, left))
            last = self.table.visualRect(self.model.index(bottom, right))
            if first.isNull() or last.isNull():
                return None
            area: QWidget = self.table.viewport()
            box = QRectF(first.topLeft(), last.bottomRight())
        else:
            heat = self.heatmap
            area = heat
            box = heat.cells_rect(top, left, bottom + 1, right + 1)
        box = box.intersected(QRectF(area.rect()))
        if box.isEmpty():
            return None
        origin = widget.mapFromGlobal(area.mapToGlobal(QPoint(0, 0)))
        return box.translated(origin.x(), origin.y())

    def set_title_gap(self, pixels: int) -> None:
        """Keep ``pixels`` free under the title, above the cells and their numbers (where the
        step arrows run): the title's bottom margin, counted in its size hint and so in every
        size the view works out."""
        margins = self.title_label.contentsMargins()
        if margins.bottom() != pixels:
            self.title_label.setContentsMargins(
                margins.left(), margins.top(), margins.right(), pixels
            )

    def set_asked(self, cell: tuple[int, int] | None) -> None:
        """Quiz mode: the cell (matrix coordinates) whose hidden value is asked shows "?"
        (in the table, the heat map and its close-up)."""
        self._asked = cell
        shifted = None if cell is None else self._to_model(*cell)
        if self._heatmap is not None and shifted != self._heatmap.asked:
            self._heatmap.set_asked(shifted)
        if self.magnifier is not None:
            self.magnifier.set_asked(cell)
        if shifted != self.model.asked:
            old, self.model.asked = self.model.asked, shifted
            self.table.refresh_cells(rc for rc in (old, shifted) if rc is not None)

    def _to_model(self, r: int, c: int) -> tuple[int, int]:
        return r + self.model.offset[0], c + self.model.offset[1]

    def show_hint(self, text: str) -> None:
        if text == self.hint_label.text() and self.hint_label.isHidden() != bool(text):
            return
        self.hint_label.setText(text)
        self.hint_label.setVisible(bool(text))
        # The hint line takes (or gives back) the table's room: the cells are fitted again.
        self.sigResized.emit()

    # ---- sizing -----------------------------------------------------------------------------
    def _room(self) -> tuple[int, int]:
        """Width and height inside the table's frame: what headers and cells share.

        A view with a magnifier measures the room its table has when shown alone, computed
        from the view's own size (:meth:`_table_room`), never the stack's current size: that
        one is smaller while a heat map shares the row with its magnifier, and it follows a
        change of the view's size only once the view's layout has run.  Measured on the
        stack, a 16×16 input stayed a heat map (the magnifier's share left it 13 px cells)
        or stayed a table (21 px) depending on what it was before, and a fit computed before
        the view's layout ran was never redone (its size did not change again)."""
        if self._magnify:
            return self._table_room()
        frame = 2 * self.table.frameWidth()
        return self.stack.width() - frame, self.stack.height() - frame

    def _table_room(self) -> tuple[int, int]:
        """The room inside the table's frame when the table fills the view's body: the
        view's size less its margins, title, legend, hint line and their spacing (what the
        view's layout gives the body), a function of the view's size and what it shows."""
        layout = self.layout()
        margins = layout.contentsMargins()
        spacing = layout.spacing()
        frame = 2 * self.table.frameWidth()
        height = self.height() - margins.top() - margins.bottom() - frame
        for widget in (self.title_label, self.legend, self.hint_label):
            if not widget.isHidden():
                height -= self._laid_out_height(widget) + spacing
        width = self.width() - margins.left() - margins.right() - frame
        return max(0, width), max(0, height)

    def _laid_out_height(self, widget: QWidget) -> int:
        """The height the view's layout gives ``widget`` (its hint within its limits; a
        label that wraps: its height at the view's width)."""
        if widget.hasHeightForWidth():
            margins = self.layout().contentsMargins()
            hint = widget.heightForWidth(self.width() - margins.left() - margins.right())
        else:
            hint = widget.sizeHint().height()
        return max(widget.minimumHeight(), min(widget.maximumHeight(), hint))

    def _header_extents(self, cell: int) -> tuple[int, int]:
        """Width of the row header and height of the column header at cell size ``cell``
        (their font follows the cell size; they are hidden below HEADER_MIN_CELL)."""
        return self._header_size(cell, apply=True)

    def _header_size(self, cell: int, apply: bool) -> tuple[int, int]:
        """The headers' extents at cell size ``cell``, measured once per font size and row
        and column numbers; ``apply``: the headers take that font (else they keep theirs: a
        trial size, as :meth:`fit_cell` measures, no longer changes the headers' font and
        geometry back and forth on every step of a magnifier)."""
        if cell < HEADER_MIN_CELL:
            return 0, 0
        font = header_font(cell, self.header_most)
        rows, cols = self.table.verticalHeader(), self.table.horizontalHeader()
        # The row and column numbers by their lengths and signs (digits are equally wide):
        # a magnifier's numbers change on every step, their widths rarely.
        (n_rows, n_cols), (off_r, off_c) = self.model.values.shape, self.model.offset
        key = (font.pixelSize(), _label_class(n_rows, off_r), _label_class(n_cols, off_c))
        size = self._header_sizes.get(key)
        if size is not None and not apply:
            return size
        old = rows.font(), cols.font()
        for header in (rows, cols):
            set_font(header, font)
        if size is None:
            size = (rows.sizeHint().width(), cols.sizeHint().height())
            if len(self._header_sizes) > 64:
                self._header_sizes.clear()
            self._header_sizes[key] = size
        if not apply:
            for header, was in zip((rows, cols), old, strict=True):
                set_font(header, was)
        return size

    def fit_cell(self) -> float:
        """The largest cell size (pixels) at which the whole matrix, headers included, fits
        this view without scroll bars."""
        rows, cols = self.model.values.shape
        width, height = self._room()
        # The headers measured at the largest cell the room allows: never smaller than they
        # are at the cell finally chosen, so the matrix fits.
        largest = min(width / cols, height / rows)
        head_w, head_h = self._header_size(int(largest), apply=False)
        return max(1.0, min((width - head_w) / cols, (height - head_h) / rows))

    def set_cell_size(self, cell: int, room: int | None = None) -> None:
        """Cell size in pixels: the rows' height; a column is as wide as its longest number
        needs at a font half the cell's height, within the width the view has (then the font
        shrinks instead).  Below ``MIN_NUMBER_CELL`` the view is a heat map (numbers on
        hover)."""
        too_small = cell < MIN_NUMBER_CELL
        if too_small != self._too_small:
            self._too_small = too_small
            # Redrawn as a table or a heat map: sized below, not at the old cell size by the
            # redraw (_render sizes a table's new texts at self.cell).  That call turned a
            # 2×2 output that was a 32×32 heat map back into a heat map at the old size,
            # and only a second fit of every view made it a table.
            self.cell = 0
            self._render()
        cell = int(max(6, min(cell, self.max_cell)))
        cols = max(1, self.model.values.shape[1])
        head_w = self._header_extents(cell)[0]
        if room is None:
            room = int((self._room()[0] - head_w) / cols)
        room = max(cell, room)
        texts = self.model.long_texts
        if (cell, texts, room) == (self.cell, self._texts, self._col_room):
            return
        self.cell, self._texts, self._col_room = cell, texts, room
        pixels, width = number_layout(texts, cell, room, self.number_height, self.number_most())
        (n_rows, n_cols), (off_r, off_c) = self.model.values.shape, self.model.offset
        geometry = (cell, room, _label_class(n_rows, off_r), _label_class(n_cols, off_c))
        if (pixels, width, cell) == self._layout and self.column_width() <= room:
            # New numbers, same font and columns (a step): nothing to resize or repaint, but
            # the scroll bars are checked against the view's size (see below) when that or
            # the headers' numbers changed.  Not for new numbers alone: a close-up's step
            # brings some, and the check measured both headers again (~0.2 ms).
            if geometry != self._geometry:
                self._geometry = geometry
                self.table.updateGeometries()
                self._settle_scroll_bars()
            self._hug()
            return
        self._layout = (pixels, width, cell)
        self._geometry = geometry
        self.model.show_numbers = pixels >= MIN_NUMBER_PX
        self.delegate.scale = cell / 48
        self.model.font = self._number_font(max(MIN_NUMBER_PX, pixels))
        self.table.horizontalHeader().setDefaultSectionSize(width)
        self.table.verticalHeader().setDefaultSectionSize(cell)
        for header in (self.table.horizontalHeader(), self.table.verticalHeader()):
            header.setVisible(cell >= HEADER_MIN_CELL)
        # Scroll bars follow the new sizes now, not after a later layout pass (which may not
        # come: a table that fits kept the scroll bars of its previous size).
        self.table.updateGeometries()
        self._settle_scroll_bars()
        self._hug()
        self.table.refresh()

    def _number_font(self, pixels: int) -> QFont:
        """The numbers' font at ``pixels`` pixels, the same object each time: what the painter
        measured and pictured in it is kept by font, and a close-up whose numbers change size
        as its box moves (a row number growing a digit takes room from the columns) and back
        found none of it again (its cells were all painted anew, each number fitted again)."""
        font = self._number_fonts.get(pixels)
        if font is None:
            if len(self._number_fonts) > 16:
                self._number_fonts.clear()
            font = self._number_fonts[pixels] = QFont()
            font.setPixelSize(pixels)
        return font

    def _settle_scroll_bars(self) -> None:
        """Show or hide the scroll bars the table's new ranges ask for now.

        Qt does it in a queued call: a table that got a larger shape at its old cell size (an
        adaptive output of 5×5 after 4×4) showed both bars, the fit before the paint made the
        cells small enough to need none, and the queued call hid them only after the window
        was painted: the table was painted with bars, then every cell again without them (and
        the arrows' sheet and what lies under it) in a second pass."""
        table = self.table
        for bar in (table.horizontalScrollBar(), table.verticalScrollBar()):
            if bar.isVisibleTo(table) != (bar.maximum() > bar.minimum()):
                QCoreApplication.sendPostedEvents(table, QEvent.Type.MetaCall)
                return

    def table_at(self, cell: int) -> bool:
        """Whether the matrix is drawn as a table with numbers (not a heat map) at cell size
        ``cell``."""
        return max(self.model.values.shape) <= EDIT_MAX_SIDE and cell >= MIN_NUMBER_CELL

    def column_need(self, cell: int, number_height: float | None = None) -> int:
        """The column width the numbers need at cell size ``cell`` (their font
        ``number_height`` of the cell's height: None, the view's)."""
        cell = int(max(6, min(cell, self.max_cell)))
        if max(self.model.values.shape) > EDIT_MAX_SIDE or cell < MIN_NUMBER_CELL:
            return cell
        height = self.number_height if number_height is None else number_height
        return number_layout(self.model.long_texts, cell, 10**6, height, self.number_most())[1]

    def extent(
        self, cell: int, column: int = 0, number_height: float | None = None
    ) -> tuple[int, int]:
        """The width and height this view needs to show the whole matrix, headers, title and
        legend, at cell size ``cell``, its columns ``column`` pixels wide (at least as wide
        as the numbers need; their font ``number_height`` of the cell's: None, the view's)."""
        rows, cols = self.model.values.shape
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing()
        frame = 2 * self.table.frameWidth()
        cell = int(max(6, min(cell, self.max_cell)))
        if max(rows, cols) > EDIT_MAX_SIDE or cell < MIN_NUMBER_CELL:
            head_w = head_h = 0
            width = cell
        else:
            # Measured, not applied: the lecture layout asks for many trial sizes.
            head_w, head_h = self._header_size(cell, apply=False)
            width = max(column, self.column_need(cell, number_height))
        title = self.title_label.sizeHint().height()
        legend = self.legend.minimumHeight() if not self.legend.isHidden() else 0
        w = cols * width + head_w + frame + margins.left() + margins.right() + 2
        # At least as wide as the short title (a 2×2 kernel's "W  (2×2)" was cut to "W  (2…"),
        # or the narrow wording where there is one: dW's "so far" ("dW（迄今）" fell back to a
        # bare "dW" in 32 px cells at 1366×768, one pixel less than it had room for).
        label = self.title_label
        short = label.wrapped_text or label.short_text or label.full_text
        w = max(
            w, label.fontMetrics().horizontalAdvance(short) + margins.left() + margins.right() + 4
        )
        h = (
            rows * cell
            + head_h
            + frame
            + title
            + legend
            + 2 * spacing
            + margins.top()
            + margins.bottom()
            + 2
        )
        return w, h

    def measure_state(self) -> tuple[object, ...]:
        """What :meth:`extent` and :meth:`close_up_extent` read of the view besides its data
        and their arguments (and how the view is drawn): sizes measured while this stays the
        same are measured again alike."""
        label = self.title_label
        return (
            self.stack.currentIndex(),
            self.legend.isHidden(),
            self.legend.minimumHeight(),
            label.text(),
            label.short_text,
            label.full_text,
            label.font().key(),
            label.sizeHint().height(),
            self._close_up_title_font().key(),
            self.number_height,
            self.model.values.shape,
            self.model.offset,
        )

    def follow(self, cells: list[tuple[int, int]]) -> None:
        """Scroll the table so that ``cells`` (matrix coordinates) are in sight, when the
        matrix is larger than the view (zoomed, or larger than its slot)."""
        if not cells or self.stack.currentIndex() != 0:
            return
        table = self.table
        h_bar, v_bar = table.horizontalScrollBar(), table.verticalScrollBar()
        if h_bar.maximum() == 0 and v_bar.maximum() == 0:
            return
        off_r, off_c = self.model.offset
        rows = [r + off_r for r, _ in cells]
        cols = [c + off_c for _, c in cells]
        n_rows, n_cols = self.model.values.shape
        top, left = max(0, min(rows)), max(0, min(cols))
        bottom, right = min(n_rows - 1, max(rows)), min(n_cols - 1, max(cols))
        hint = QAbstractItemView.ScrollHint.EnsureVisible
        table.scrollTo(self.model.index(bottom, right), hint)
        table.scrollTo(self.model.index(top, left), hint)

    def column_width(self) -> int:
        """The width of a column of the table (pixels)."""
        return self.table.horizontalHeader().defaultSectionSize()

    def natural_width(self) -> int:
        """The column width the numbers need (before any lining up with another view)."""
        return self._layout[1] or self.column_width()

    def widen_columns(self, width: int) -> None:
        """Columns ``width`` pixels wide where the view has the room (to line them up with a
        view of the same width above or below); never narrower than the numbers need."""
        width = max(self.natural_width(), min(width, self._col_room))
        if width != self.column_width():
            self.table.horizontalHeader().setDefaultSectionSize(width)
            self.table.updateGeometries()
            self._settle_scroll_bars()
        self._hug()

    def hug_cells(self, on: bool) -> None:
        """On: the table no larger than its cells, headers and frame, at the top left of
        its room (the lecture layouts, which size a view to its matrix: the pixels the
        view's measure keeps beside the table lay as a strip of the table's white background
        under its last row and right of its last column); off: the table fills its room."""
        if on != self._hugged:
            self._hugged = on
            self._hug()

    def _hug(self) -> None:
        table = self.table
        if self._hugged:
            margins = table.viewportMargins()  # the headers' room (updateGeometries)
            frame = 2 * table.frameWidth()
            width = frame + margins.left() + margins.right() + table.horizontalHeader().length()
            height = frame + margins.top() + margins.bottom() + table.verticalHeader().length()
        else:
            width = height = QWIDGETSIZE_MAX
        if (table.maximumWidth(), table.maximumHeight()) != (width, height):
            table.setMaximumSize(width, height)

    def hasHeightForWidth(self) -> bool:
        """Whether the parent layout asks this view its height for a width: not when its
        slot decides its size (``sized_by_slot``).  The wrapping titles of the magnifier and
        the hint line made the view ask for a height that followed its cells (a 16×16 input
        took 548 of the panel's 602 px as a table: a slot sized by what the view shows)."""
        return not self.sized_by_slot and super().hasHeightForWidth()

    def resizeEvent(self, event: QEvent) -> None:
        super().resizeEvent(event)
        if self.magnifier is not None:
            self._place_magnifier()
            self._recut_magnifier()
        if (
            self.close_up_plan is None
            and self.stack.currentIndex() == 1
            and self._magnifier_has_room() == self._roomless
        ):
            self._update_magnifier(*self._magnifier_asked)  # its close-up shown or left out
        self.sigResized.emit()

    def _recut_magnifier(self) -> None:
        """The close-up's box cut again to the rows and columns the view's new size leaves
        it: cut for the size the view had at the step, the close-up kept six rows of a 2×2
        window in the 85 px the code dock left it (12 px cells, no numbers)."""
        magnifier = self.magnifier
        if (
            magnifier is None
            or self.close_up_plan is not None
            or self._box_room is None
            or not magnifier.isVisibleTo(self)
        ):
            return
        if (self._magnifier_most(), self._magnifier_whole()) != self._box_room:
            self._update_magnifier(*self._magnifier_asked)

    def _place_body(self) -> bool:
        return self.magnifier is not None and self._place_magnifier(before_layout=True)

    def _place_magnifier(self, before_layout: bool = False) -> bool:
        """The magnifier goes beside the heat map in a wide view, below it in a tall one;
        True if that or its largest share changed (see _share_with_magnifier)."""
        # Hysteresis: the placement changes the grid's row heights, so one threshold let a view
        # near it flip on every resize (551 px wide: beside at 453 px high, which grew it to
        # 493 px, below, back to 453 px ...: the event loop never idled).  It moves only when
        # the shape is clearly the other one.
        beside = self.body.direction() == QBoxLayout.Direction.LeftToRight
        ratio = self.width() / max(1, self.height())
        wide = ratio >= 1.1 if beside else ratio >= 1.3
        if self.close_up_plan is not None:
            wide = self.close_up_plan.beside
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        turned = self.body.direction() != direction
        if turned:
            self.body.setDirection(direction)
        return self._share_with_magnifier(before_layout) or turned

    # ---- events -----------------------------------------------------------------------------
    def _to_matrix(self, r: int, c: int) -> tuple[int, int]:
        return r - self.model.offset[0], c - self.model.offset[1]

    def _on_cell_edited(self, r: int, c: int, value: float) -> None:
        self.show_hint("")
        self.sigCellEdited.emit(r, c, value)

    def _on_edit_rejected(self, message: str) -> None:
        self.show_hint(message)

    def _on_edit_noted(self, message: str) -> None:
        self.show_hint(message)  # after the edit (which cleared the hint) was applied

    def _on_table_hovered(self, r: int, c: int) -> None:
        self._emit_hover(r, c)

    def _on_heat_hovered(self, r: int, c: int) -> None:
        self._emit_hover(r, c)
        if r >= 0:
            v = self.model.values[r, c]
            mr, mc = self._to_matrix(r, c)
            pending = math.isnan(v) and bool(self.model.pending[r, c])
            self.heatmap.setToolTip(f"[{mr}, {mc}] = {'—' if pending else format_number(v)}")

    def _emit_hover(self, r: int, c: int) -> None:
        self.hovering = r >= 0
        if r < 0:
            self.sigHoverLeft.emit()
        else:
            self.sigCellHovered.emit(*self._to_matrix(r, c))

    def _on_table_clicked(self, index: QModelIndex) -> None:
        self.sigCellClicked.emit(*self._to_matrix(index.row(), index.column()))

    def _on_heat_clicked(self, r: int, c: int) -> None:
        self.sigCellClicked.emit(*self._to_matrix(r, c))

"""Arrows over the matrix views: from the cells a step reads to the cells it writes.

Forward: from the window to the output cell it makes; backward: from the dY cell to the
gradient cells it feeds.  Which cells come from the step's data (``AppState.step_arrows``,
made by :func:`visualizer.model.present.arrows` from the engine's Step roles); this widget
only finds where those cells are on screen and draws.

An arrow takes a route (:mod:`visualizer.widgets.arrow_routes`) through the free room: out of
its box by a side that lies on its matrix's side (across the row or column numbers between
their ink), under the titles (each view keeps TITLE_GAP there), through the gutters between
the views, into its target the same way; never across a title's row, a colour legend or a
cell but its own.  Where no such route exists (a window inside its matrix), a box may also
be left (entered) along a grid line between the numbers of its matrix (numbers are centred in
their cells, the lines between them hold no digits), straight out of the matrix, as long as it
keeps GRID_ROOM from every number's ink (arrow_routes.grid_ports); where even that fails (the
gaps narrower than an arrow), the two boxes, framed in the arrow's colour already, are linked
by a dot inside the start's and a small head inside the end's.  An arrow is drawn whole, one
shape from its dot to its head; letters it still meets (none, on a route) would be drawn again
over it in a thin halo.
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from collections.abc import Callable

import numpy as np
import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPainterPathStroker,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QPolygonF,
    QRegion,
)
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableView,
    QWidget,
)

from visualizer.widgets import arrow_routes
from visualizer.widgets.arrow_routes import DOWN, LEFT, RIGHT, UP, Point, Rect
from visualizer.widgets.matrix_view import (
    LEGEND_DIM_OPACITY,
    ColorLegend,
    MatrixView,
    TitleLabel,
    style_pens,
)

# Qt's methods taken from their classes once and called with the widget: asked through a
# widget (``label.isVisible()``), each name is looked up by the binding's QObject attribute
# lookup (dynamic properties, signals) first, ~1 µs of each call, and a step's placing asked
# the views, titles and legends some 80 of them.  None of these is overridden in Python by the
# widgets they are called on.
_is_visible = QWidget.isVisible
_map_to = QWidget.mapTo
_height = QWidget.height
_pos = QWidget.pos
_size = QWidget.size
_contents_rect = QWidget.contentsRect
_label_text = QLabel.text
_is_ancestor_of = QWidget.isAncestorOf
_is_hidden = QWidget.isHidden
_parent_widget = QWidget.parentWidget
_geometry = QWidget.geometry
_rect = QWidget.rect
_raise = QWidget.raise_
_update = QWidget.update
_ratio = QWidget.devicePixelRatioF
_current_index = QStackedWidget.currentIndex
_column_width = QTableView.columnWidth
_horizontal_header = QTableView.horizontalHeader

# Pixels kept under a view's title, above its column numbers: a step arrow runs there (the
# title's text box and the numbers 4 px apart left it no way out of a first-row window).
TITLE_GAP = 8
ARCH_RADIUS = 24.0  # pixels of a route's rounded corners, at most
TITLE_HALO = 1.5  # width of the halo round a title's letters drawn over an arrow
HEAD_LENGTH = 14.0  # an arrow head's length (shorter on narrow columns, see _ports)
HEAD_MIN = 7.0  # the shortest head
HEAD_ANGLE = 0.4  # radians between a head's axis and each of its sides
# An arrow's route: its box of cells it starts from and the one it ends in, its points
# (bends, from the start's edge to the head's tip; none: no clear route, the two boxes are
# linked by markers), each bend's corner radius and the head's length.
Segment = tuple[QRectF, QRectF, tuple[Point, ...], tuple[float, ...], float]
Shape = tuple[QPainterPath, QPolygonF, QPointF]  # an arrow's curve, head and starting point
# How far a route's middle keeps from every title, legend, number and cell: half the arrow's
# dark pen and a pixel.
CLEARANCE = 5.5
LEG_ROOM = 5.0  # a leg across the row or column numbers keeps this far from their ink
# An arrow's head (its dark edge included) keeps this far from the text of the row and column
# numbers it comes in between: they are obstacles as the cells' numbers are (a leg along a
# grid line keeps a pixel, see GRID_ROOM).  The head kept its shortest length where the room
# was less, and its edge lay on Y's column number "0" in the default example at 800×600; with
# 2 px that arrow went round Y and into Y[0, 0] from below, which reads worse.
HEAD_GAP = 1.0
EDGE_TOLERANCE = 1.5  # a box this close to its matrix's side is on that side
# A leg along a grid line inside a matrix keeps this far (its centre) from every number's ink:
# half the arrow's dark pen and a pixel.
GRID_ROOM = 5.5


def head_room(target: bool) -> float:
    """The room a leg across the row or column numbers needs to their ink: a head's (the
    shortest head's half width, its dark edge and HEAD_GAP) where it enters its target."""
    if not target:
        return LEG_ROOM
    return HEAD_MIN * math.sin(HEAD_ANGLE) + (ARROW_WIDTH + 4 * ARROW_EDGE) / 2 + HEAD_GAP


def _tip_clear(box: tuple[float, float, float, float] | None, x: float, y: float) -> bool:
    """Whether a head's tip at (x, y), its dark edge included, keeps HEAD_GAP from ``box``."""
    if box is None:
        return True
    left, top, right, bottom = box
    dx = left - x if x < left else x - right if x > right else 0.0
    dy = top - y if y < top else y - bottom if y > bottom else 0.0
    return math.hypot(dx, dy) >= (ARROW_WIDTH + 4 * ARROW_EDGE) / 2 + HEAD_GAP


def close_up_below(view: MatrixView) -> MatrixView | None:
    """``view``'s close-up where it is shown under its heat map, else None."""
    low = view.magnifier
    if (
        low is None
        or _current_index(view.stack) == 0
        or not _is_visible(low)
        or view.body.direction() != QBoxLayout.Direction.TopToBottom
    ):
        return None
    return low


def close_up_shown(view: MatrixView) -> MatrixView | None:
    """``view``'s close-up where it is shown beside or under its heat map, else None."""
    low = view.magnifier
    if low is None or _current_index(view.stack) == 0 or not _is_visible(low):
        return None
    return low


def leg_places(
    edges: list[tuple[float, float, float]], low: float, high: float
) -> list[tuple[float, float, bool]]:
    """Where a leg may cross a band of numbers next to a box: ``edges`` are the box's
    sections (rows or columns) and the one on each side of it, each as (start, end, ink
    length), the numbers centred in their sections; ``low`` and ``high`` the box's edges.
    Each place as (where, room to the nearest ink or box side, on a grid line inside the
    box)."""
    places: list[tuple[float, float, bool]] = []
    inks = [(a + (b - a - ink) / 2, b - (b - a - ink) / 2) for a, b, ink in edges]
    for k, (a, b, _) in enumerate(edges):
        ink_a, ink_b = inks[k]
        if low - 0.5 <= a <= high + 0.5:  # a grid line of the box: between two numbers
            before = inks[k - 1][1] if k > 0 else -math.inf
            places.append((a, min(a - before, ink_a - a), low + 0.5 < a < high - 0.5))
        if b <= low + 0.5 or a >= high - 0.5:
            continue  # a neighbour: only its ink and grid line count
        # Inside the section, left (above) and right (below) of its number.
        places.append(((a + ink_a) / 2, (ink_a - a) / 2, False))
        places.append(((ink_b + b) / 2, (b - ink_b) / 2, False))
        if k == len(edges) - 1:  # the last section: its far grid line
            places.append((b, b - ink_b, False))
    return places


def best_leg(
    places: list[tuple[float, float, bool]], middle: float, need: float
) -> tuple[float, float] | None:
    """The place for a leg (see leg_places) with at least ``need`` room: a grid line inside
    the box nearest its middle, else the roomiest place (and its room); None: none."""
    fits = [p for p in places if p[1] >= need]
    if not fits:
        return None
    inner = [p for p in fits if p[2]]
    if inner:
        where, room, _ = min(inner, key=lambda p: abs(p[0] - middle))
    else:
        where, room, _ = max(fits, key=lambda p: (p[1], -abs(p[0] - middle)))
    return where, room


_ZERO = QPoint(0, 0)
_WIDTHS: dict[tuple[QFont, str], int] = {}  # text_width's, by font (a copy) and text
WIDTHS_KEPT = 512


def text_width(font: QFont, text: str) -> int:
    """``QFontMetrics(font).horizontalAdvance(text)``, measured once per font and text (the
    numbers above an arrow's target are the same few on every step; a QFontMetrics made for a
    cell's font and asked its first width was most of head_room)."""
    # The font itself as the key (hashed and compared by value): writing it out as a string
    # (QFont.key) on every step cost more than the lookup saves.
    width = _WIDTHS.get((font, text))
    if width is None:
        if len(_WIDTHS) >= WIDTHS_KEPT:
            _WIDTHS.clear()
        width = _WIDTHS[(QFont(font), text)] = QFontMetrics(font).horizontalAdvance(text)
    return width


_HEIGHTS: dict[tuple[QFont, str], int] = {}  # ink_height's, by font (a copy) and text


def _sign(value: float) -> float:
    return 0.0 if value == 0 else math.copysign(1.0, value)


def _length(p: Point, q: Point) -> float:
    return abs(q[0] - p[0]) + abs(q[1] - p[1])


def ink_height(font: QFont, text: str) -> int:
    """The height of ``text``'s ink in ``font`` (a row number's, which a leg passes between),
    measured once per font and text."""
    height = _HEIGHTS.get((font, text))
    if height is None:
        if len(_HEIGHTS) >= WIDTHS_KEPT:
            _HEIGHTS.clear()
        height = _HEIGHTS[(QFont(font), text)] = QFontMetrics(font).tightBoundingRect(text).height()
    return height


def column_numbers(view: MatrixView) -> bool:
    """Whether ``view`` shows its column numbers above its cells (a table with headers)."""
    return _current_index(view.stack) == 0 and not _is_hidden(_horizontal_header(view.table))


def _in_view(widget: QWidget, top: QWidget) -> bool:
    """Whether ``widget`` lies inside a MatrixView below ``top``."""
    parent = _parent_widget(widget)
    while parent is not None and parent is not top:
        if isinstance(parent, MatrixView):
            return True
        parent = _parent_widget(parent)
    return False


class StepArrows(QWidget):
    """A transparent sheet over the views (mouse events pass through) that draws the step's
    arrows; ``views`` gives the shown views by tensor name."""

    def __init__(self, parent: QWidget, views: Callable[[], dict[str, MatrixView]]) -> None:
        super().__init__(parent)
        self.setObjectName("stepArrows")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self._views = views
        self.arrows: list[tuple[str, str]] = []  # (from view, to view) drawn (tests read it)
        self._segments: list[Segment] = []
        self._pending: list[tuple[str, tuple, str, tuple]] = []
        # The views' titles and colour legends (found on refresh): their letters are drawn
        # over the arrows that cross them.
        self._labels: list[TitleLabel | ColorLegend] | None = None
        self._labels_key: tuple[object, int] | None = None  # (parent, views made) when found
        self._matrices: list[MatrixView] = []  # every view under the sheet (found with them)
        self._others: list[QWidget] = []  # labels beside the views (see _find_titles)
        # The layout's obstacles for the routes, the sheet's size they were found at, and
        # each shown view's cells and numbers' rectangles (see _matrix_rects) found with them.
        self._layout: arrow_routes.Obstacles | None = None
        self._layout_size = QSize()
        # The views' geometry the obstacles were found for (see layout_key).
        self._placed_key: tuple[object, ...] | None = None
        self._matrix_known: dict[MatrixView, tuple[Rect, Rect] | None] = {}
        # The boxes of the cells the step's arrows join, by view and cells (see _ends).
        self._boxes: dict[tuple[MatrixView, tuple[tuple[int, int], ...]], QRectF | None] = {}
        # Shown: (text, font) and text box (x, y, width, height on the sheet), and the label
        # of each (its colours are asked for when an arrow crosses it).
        self._items: list[tuple[tuple[str, str], tuple[int, int, int, int]]] = []
        self._item_labels: list[QWidget] = []
        self._corner: QWidget | None = None  # the parent, when the sheet is at its corner
        self._letter_cache: dict[tuple[object, ...], _Letters] = {}
        # A text's letters' reach from where it is written (see _letter_reach), by text and
        # font, and a font's ascent (where _letters_of puts the baseline).
        self._reach_cache: dict[tuple[str, str], QRectF] = {}
        self._ascents: dict[str, int] = {}
        self._metrics: dict[str, QFontMetricsF] = {}
        # The titles (text, font, box) an arrow crosses, whose letters are drawn over it, and
        # the sheet's size they were found for.
        self._letters_for: tuple[list[tuple[str, str, int, int, int, int]], QSize] | None = None
        # For each header asked about in this placing, its sections' places on the sheet and
        # the ink widths (heights) of the numbers measured so far (see _header_room).
        self._sections: dict[QHeaderView, tuple[list[tuple[float, int]], dict[int, float]]] = {}
        # Each arrow drawn and where it is drawn.
        self._shapes: list[_Drawn] = []
        # For each of _shapes, the letters drawn over it (see _Overlay).
        self._overlays: list[list[_Overlay]] = []
        # The letters' outlines near an arrow, by title (text, font, box) and place.
        self._near_cache: dict[tuple[object, ...], tuple[QPainterPath, QPainterPath]] = {}
        # The arrows drawn lately by their segment (None: a segment too short for an arrow),
        # the newest last: a step back finds the arrows it had, not new ones.
        self._recent: OrderedDict[tuple[object, ...], _Drawn | None] = OrderedDict()

    def set_arrows(self, arrows: list[tuple[str, tuple, str, tuple]], place: bool = True) -> None:
        """Arrows as ``(from view, from cells, to view, to cells)`` (matrix coordinates);
        ``place``: find their ends on screen now (else the caller relocates them once the
        views are laid out)."""
        self._pending = arrows
        if place:
            self.relocate(refresh=False)

    def relocate(self, refresh: bool = True) -> None:
        """Find the arrows' ends on screen again (after a step, a resize or a scroll);
        ``refresh``: look for the views' titles again (a step keeps the ones it knows: a
        relayout resizes views, and that relocates again)."""
        parent = _parent_widget(self)
        if parent is not None and _geometry(self) != _rect(parent):
            self.setGeometry(parent.rect())
        _raise(self)
        # Where widgets are on the sheet: mapped to its parent when the sheet covers it from
        # its corner (one call), else through the screen's coordinates.
        self._corner = parent if parent is not None and _pos(self) == _ZERO else None
        views = self._views()
        self._boxes = {}
        self._sections = {}
        segments: list[Segment] = []
        drawn: list[tuple[str, str]] = []
        if self._pending:
            if refresh or self._labels is None:
                self._labels = self._find_titles()
            # The obstacles are the layout's: found again when it may have changed (a resize, a
            # scroll, a relayout: ``refresh``), kept from step to step (~1 ms of mapping the
            # views' parts to the sheet).
            # A step's new numbers may also have widened a view's columns (the backward
            # phase's dX growing digits) and moved the views beside it since the obstacles
            # were found: they are found again when the views' geometry says so (a step that
            # kept them kept the old obstacles, and its arrows crossed the cells and numbers
            # of the new layout).
            try:
                key = self.layout_key()
            except RuntimeError:  # a view known was deleted
                self._labels = self._find_titles(again=True)
                key = self.layout_key()
            if refresh or self._layout is None or key != self._placed_key:
                try:
                    self._layout = self._layout_obstacles()
                except RuntimeError:  # a view known was deleted
                    self._labels = self._find_titles(again=True)
                    self._layout = self._layout_obstacles()
                    key = self.layout_key()
                self._layout_size = _size(self)
                self._placed_key = key
            layout = self._layout
        for source_view, source, target_view, target in self._pending:
            a, b = views.get(source_view), views.get(target_view)
            if a is None or b is None:
                continue
            (start, starts), (end, ends) = self._ends(a, source, False), self._ends(b, target, True)
            if start is None or end is None:
                continue
            segment = self._route(layout, start, end, starts, ends)
            if not segment[2]:
                # No route from the matrices' sides: along the grid lines between the numbers
                # out of a window (into a cell) inside its matrix, too.
                more_starts = starts + self._grid_ends(a, source, False)
                more_ends = ends + self._grid_ends(b, target, True)
                if len(more_starts) > len(starts) or len(more_ends) > len(ends):
                    segment = self._route(layout, start, end, more_starts, more_ends)
            segments.append(segment)
            drawn.append((source_view, target_view))
        self._sections = {}  # this placing's: the next finds the headers where they are then
        if segments:
            try:
                items = self._title_items()
            except RuntimeError:  # a title known was deleted with its view
                self._labels = self._find_titles(again=True)
                items = self._title_items()
        else:
            items = self._items
        if segments != self._segments or items != self._items:
            # Only where an arrow was or will be: the sheet covers every view, and updating
            # all of it made each step repaint every cell of every view underneath.
            shapes = [drawn for drawn in map(self._drawn, segments) if drawn is not None]
            dirty = QRegion()
            for drawn_shape in self._shapes + shapes:
                dirty = dirty.united(drawn_shape.region)
            self._segments = segments
            for drawn_shape in self._shapes:
                drawn_shape.forget()  # gone, or shown again: drawn afresh (see paintEvent)
            self._shapes = shapes
            self._items = items
            self._find_crossed_letters(items, shapes)
            _update(self, dirty)
        self.arrows = drawn

    def _drawn(self, segment: Segment) -> _Drawn | None:
        """The arrow of ``segment`` with its region: the one drawn for the same segment lately
        (stepping back and forth), else a new one (None: no arrow)."""
        start, end, *rest = segment
        key = (start.getRect(), end.getRect(), *rest)
        if key in self._recent:
            self._recent.move_to_end(key)
            return self._recent[key]
        shape = self._shape(segment)
        drawn = _Drawn(shape) if shape else None
        self._recent[key] = drawn
        if len(self._recent) > RECENT_ARROWS:
            self._recent.popitem(last=False)  # the oldest
        return drawn

    def layout_key(self) -> tuple[object, ...]:
        """What the arrows' obstacles and ports are found from, as numbers: the sheet's size
        and, for each shown view, where its cells, row and column numbers, title, legend and
        hint line are on the sheet, its columns' and rows' sizes and scrolling (some 10 calls
        of Qt's per view, against ~1 ms of finding the obstacles again)."""
        parent = _parent_widget(self) if _pos(self) == _ZERO else None
        key: list[object] = [_size(self).toTuple()]
        for view in self._matrices:
            if not _is_visible(view):
                continue
            index = _current_index(view.stack)
            key.append(index)
            if index == 0:
                table = view.table
                viewport = table.viewport()
                key.append(self._origin(viewport, parent).toTuple())
                key.append(_size(viewport).toTuple())
                for header in (_horizontal_header(table), table.verticalHeader()):
                    hidden = _is_hidden(header)
                    key.append(None if hidden else (header.length(), header.offset()))
                    key.append(None if hidden else _size(header).toTuple())
            else:
                heat = view.heatmap
                key.append(self._origin(heat, parent).toTuple())
                key.append(_size(heat).toTuple())
            for widget in (view.title_label, view.legend, view.hint_label):
                if _is_visible(widget):
                    key.append(self._origin(widget, parent).toTuple())
                    key.append(_size(widget).toTuple())
                else:
                    key.append(None)
        for widget in self._others:
            key.append(_geometry(widget).getRect() if _is_visible(widget) else None)
        return tuple(key)

    def moved(self) -> bool:
        """Whether the views moved or resized their cells since the arrows were placed (an
        arrow to place, a layout to find again)."""
        if not self._pending or self._labels is None:
            return False
        try:
            return self.layout_key() != self._placed_key
        except RuntimeError:  # a view known was deleted
            return True

    def _layout_obstacles(self) -> arrow_routes.Obstacles:
        """What a route must keep clear of, from the views' own rectangles on the sheet: each
        shown view's title row, colour legend, hint line and cells with their row and column
        numbers, and the labels beside the views (dW's bias gradient)."""
        parent = _parent_widget(self) if _pos(self) == _ZERO else None
        rects: list[Rect] = []
        self._matrix_known = known = {}
        for view in self._matrices:
            if not _is_visible(view):
                continue
            label = view.title_label
            if _is_visible(label):
                # The title's whole row, not only its text: an arrow running down beside
                # the text through the row read as crossing the title.
                origin = self._origin(label, parent)
                x, y, w, h = _contents_rect(label).getRect()
                x, y = x + origin.x(), y + origin.y()
                rects.append((x, y, x + w, y + h))
            for widget in (view.legend, view.hint_label):
                if _is_visible(widget):
                    rects.append(self._widget_rect(widget, parent))
            matrix = known[view] = self._matrix_rects(view, parent)
            if matrix is not None:
                rects.append(matrix[1])
        for widget in self._others:
            if _is_visible(widget):
                rects.append(self._widget_rect(widget, parent))
        size = _size(self)
        bounds = (0.0, 0.0, float(size.width()), float(size.height()))
        return arrow_routes.obstacles_for(tuple(rects), bounds, CLEARANCE)

    def _widget_rect(self, widget: QWidget, parent: QWidget | None) -> Rect:
        origin = self._origin(widget, parent)
        size = _size(widget)
        x, y = origin.x(), origin.y()
        return (x, y, x + size.width(), y + size.height())

    def _matrix_rects(self, view: MatrixView, parent: QWidget | None) -> tuple[Rect, Rect] | None:
        """``view``'s shown cells and the rectangle of these with their row and column
        numbers, on the sheet; None: no cell shown."""
        model = view.model
        rows, cols = model.rowCount(), model.columnCount()
        if rows == 0 or cols == 0:
            return None
        if _current_index(view.stack) == 0:
            table = view.table
            viewport = table.viewport()
            first = table.visualRect(model.index(0, 0))
            last = table.visualRect(model.index(rows - 1, cols - 1))
            box = QRectF(first.topLeft(), last.bottomRight()).intersected(QRectF(viewport.rect()))
            if box.isEmpty():
                return None
            origin = self._origin(viewport, parent)
            left, top = box.left() + origin.x(), box.top() + origin.y()
            right, bottom = left + box.width(), top + box.height()
            outer_left, outer_top = left, top
            header = _horizontal_header(table)
            if not _is_hidden(header):
                outer_top = self._origin(header, parent).y()
            header = table.verticalHeader()
            if not _is_hidden(header):
                outer_left = self._origin(header, parent).x()
            return (left, top, right, bottom), (outer_left, outer_top, right, bottom)
        heat = view.heatmap
        box = heat.cells_rect(0, 0, rows, cols).intersected(QRectF(_rect(heat)))
        if box.isEmpty():
            return None
        origin = self._origin(heat, parent)
        left, top = box.left() + origin.x(), box.top() + origin.y()
        area = (left, top, left + box.width(), top + box.height())
        return area, area

    def _ends(
        self, view: MatrixView, cells: tuple[tuple[int, int], ...], target: bool
    ) -> tuple[QRectF | None, tuple[tuple[QRectF, arrow_routes.Port], ...]]:
        """The ways an arrow may leave (``target``: enter) ``cells`` of ``view``: each as the
        cells' box and a port on a side of the box that lies on its matrix's side (nothing
        but numbers between the box and the free room); a heat map's close-up shown offers
        its own box too.  With them, the view's own box (None: not on screen)."""
        parent = _parent_widget(self) if _pos(self) == _ZERO else None
        out: list[tuple[QRectF, arrow_routes.Port]] = []
        low = close_up_shown(view)
        first: QRectF | None = None
        for shown in (view,) if low is None else (view, low):
            box = self._boxes[(shown, cells)] = shown.cells_box(cells, self)
            rects = None
            if box is not None:
                known = self._matrix_known
                rects = known[shown] if shown in known else self._matrix_rects(shown, parent)
            if box is None or rects is None:
                continue
            first = box if first is None else first
            for port in self._ports(shown, cells, box, *rects, target):
                out.append((box, port))
        return first, tuple(out)

    def _ports(
        self,
        view: MatrixView,
        cells: tuple[tuple[int, int], ...],
        box: QRectF,
        area: Rect,
        matrix: Rect,
        target: bool,
    ) -> list[arrow_routes.Port]:
        """The ports of ``box`` (see _ends): up or left across the column or row numbers
        between them (a leg needs LEG_ROOM; a head, its width), down or right straight out."""
        c, tol = CLEARANCE, EDGE_TOLERANCE
        left, top, right, bottom = box.left(), box.top(), box.right(), box.bottom()
        a_left, a_top, a_right, a_bottom = area
        inside = min(2.0, box.width() / 8, box.height() / 8) if target else 0.0
        ports: list[arrow_routes.Port] = []
        table = _current_index(view.stack) == 0
        rows = [r + view.model.offset[0] for r, _ in cells]
        cols = [col + view.model.offset[1] for _, col in cells]
        # A head coming in at the matrix's corner passes the first row's (column's) number
        # beside its tip: the tip keeps HEAD_GAP from it too.
        at_left, at_top = left <= a_left + tol, top <= a_top + tol
        if at_top:
            header = _horizontal_header(view.table)
            beside = (
                self._label_box(view, view.table.verticalHeader(), min(rows))
                if target and at_left
                else None
            )
            place = self._leg_place(
                view,
                header,
                min(cols),
                max(cols),
                left,
                right,
                table,
                head_room(target),
                None if not (target and at_left) else lambda x: _tip_clear(beside, x, top + inside),
            )
            if place is not None:
                x, room = place
                ports.append(arrow_routes.Port((x, top + inside), (x, matrix[1] - c), UP, room))
        if at_left:
            header = view.table.verticalHeader()
            beside = (
                self._label_box(view, _horizontal_header(view.table), min(cols))
                if target and at_top
                else None
            )
            place = self._leg_place(
                view,
                header,
                min(rows),
                max(rows),
                top,
                bottom,
                table,
                head_room(target),
                None if not (target and at_top) else lambda y: _tip_clear(beside, left + inside, y),
            )
            if place is not None:
                y, room = place
                ports.append(arrow_routes.Port((left + inside, y), (matrix[0] - c, y), LEFT, room))
        x, y = box.center().x(), box.center().y()
        if bottom >= a_bottom - tol:
            ports.append(arrow_routes.Port((x, bottom - inside), (x, a_bottom + c), DOWN))
        if right >= a_right - tol:
            ports.append(arrow_routes.Port((right - inside, y), (a_right + c, y), RIGHT))
        return ports

    def _grid_ends(
        self, view: MatrixView, cells: tuple[tuple[int, int], ...], target: bool
    ) -> tuple[tuple[QRectF, arrow_routes.Port], ...]:
        """The ways an arrow may leave (``target``: enter) ``cells`` of ``view`` along a grid
        line between its matrix's numbers (see _grid_ports), each with the cells' box."""
        parent = _parent_widget(self) if _pos(self) == _ZERO else None
        out: list[tuple[QRectF, arrow_routes.Port]] = []
        low = close_up_shown(view)
        for shown in (view,) if low is None else (view, low):
            if _current_index(shown.stack) != 0:
                continue  # a heat map: no numbers to keep clear of, nor grid lines
            # Found by _ends for this step (each cells_box maps through the screen).
            box = self._boxes.get((shown, cells)) or shown.cells_box(cells, self)
            known = self._matrix_known
            rects = known[shown] if shown in known else self._matrix_rects(shown, parent)
            if box is None or rects is None:
                continue
            for port in self._grid_ports(shown, cells, box, *rects, target, parent):
                out.append((box, port))
        return tuple(out)

    def _grid_ports(
        self,
        view: MatrixView,
        cells: tuple[tuple[int, int], ...],
        box: QRectF,
        area: Rect,
        matrix: Rect,
        target: bool,
        parent: QWidget | None,
    ) -> list[arrow_routes.Port]:
        """Ports of ``box`` on the sides that lie inside its matrix: a leg along a grid line
        (a box's own edge or one between its rows or columns; into a target, also the middle
        of its row or column where the cells on the way show no number) from the box out of
        the matrix, across the row or column numbers, with GRID_ROOM to every number's ink on
        the way (see number_ink); in each direction the one nearest the box's middle."""
        table = view.table
        model = view.model
        rows, cols = model.rowCount(), model.columnCount()
        off_r, off_c = model.offset
        r0 = min(r for r, _ in cells) + off_r
        r1 = max(r for r, _ in cells) + off_r
        c0 = min(c for _, c in cells) + off_c
        c1 = max(c for _, c in cells) + off_c
        origin = self._origin(table.viewport(), parent)
        ox, oy = origin.x(), origin.y()
        xs = [float(table.columnViewportPosition(c) + ox) for c in range(cols)]
        ws = [_column_width(table, c) for c in range(cols)]
        ys = [float(table.rowViewportPosition(r) + oy) for r in range(rows)]
        hs = [table.rowHeight(r) for r in range(rows)]
        a_left, a_top, a_right, a_bottom = area
        delegate = view.delegate
        inks: dict[tuple[int, int], tuple[float, float, float, float] | None] = {}

        def ink(r: int, c: int) -> tuple[float, float, float, float] | None:
            if (r, c) not in inks:
                x, y, w, h = xs[c], ys[r], ws[c], hs[r]
                shown = x < a_right and a_left < x + w and y < a_bottom and a_top < y + h
                found = delegate.number_ink(r, c, w, h) if shown else None
                inks[(r, c)] = (
                    None
                    if found is None
                    else (x + found[0], y + found[1], x + found[2], y + found[3])
                )
            return inks[(r, c)]

        header_rows = table.verticalHeader()
        header_cols = _horizontal_header(table)

        def header_room(direction: arrow_routes.Direction, at: float) -> float:
            header = header_rows if direction == LEFT else header_cols if direction == UP else None
            if header is None or _is_hidden(header):
                return math.inf
            return self._header_room(view, header, at, parent)

        return arrow_routes.grid_ports(
            (r0, r1, c0, c1),
            (box.left(), box.top(), box.right(), box.bottom()),
            area,
            matrix,
            (ys, hs, xs, ws),
            ink,
            target,
            header_room,
            GRID_ROOM,
            CLEARANCE,
            EDGE_TOLERANCE,
        )

    def _header_room(
        self, view: MatrixView, header: QHeaderView, at: float, parent: QWidget | None
    ) -> float:
        """The room of a leg across ``header``'s numbers at ``at`` (an x on the column
        numbers, a y on the row numbers) to their ink."""
        # The sections' places, found once per placing, and their numbers' inks, each
        # measured once per placing where a leg comes near it (a placing asks ~10 times per
        # header, and each went through every section's place and measured its neighbours').
        known = self._sections.get(header)
        if known is None:
            horizontal = header.orientation() == Qt.Orientation.Horizontal
            count = view.model.columnCount() if horizontal else view.model.rowCount()
            origin = self._origin(header.viewport(), parent)
            shift = origin.x() if horizontal else origin.y()
            places = [
                (header.sectionViewportPosition(section) + shift, header.sectionSize(section))
                for section in range(count)
            ]
            known = self._sections[header] = (places, {})
        places, inks = known
        most = math.inf
        for section, (start, size) in enumerate(places):
            if not (start - size <= at <= start + 2 * size):
                continue
            ink = inks.get(section)
            if ink is None:
                orientation = header.orientation()
                text = str(view.model.headerData(section, orientation))
                font = header.font()
                horizontal = orientation == Qt.Orientation.Horizontal
                ink = inks[section] = (
                    text_width(font, text) if horizontal else ink_height(font, text)
                )
            low = start + (size - ink) / 2 - 1
            high = start + (size + ink) / 2 + 1
            most = min(most, low - at if at <= low else at - high if at >= high else 0.0)
        return most

    def _label_box(
        self, view: MatrixView, header: QHeaderView, section: int
    ) -> tuple[float, float, float, float] | None:
        """Where ``header``'s number of ``section`` has its text on the sheet (left, top,
        right, bottom: its advance wide, its ink high, centred in its section); None: not
        shown."""
        if _current_index(view.stack) != 0 or _is_hidden(header):
            return None
        horizontal = header.orientation() == Qt.Orientation.Horizontal
        font = header.font()
        text = str(view.model.headerData(section, header.orientation()))
        width, height = text_width(font, text), ink_height(font, text)
        origin = self._origin(
            header.viewport(), _parent_widget(self) if _pos(self) == _ZERO else None
        )
        start = header.sectionViewportPosition(section)
        size = header.sectionSize(section)
        if horizontal:
            cx, cy = origin.x() + start + size / 2, origin.y() + _height(header) / 2
        else:
            cx, cy = origin.x() + header.width() / 2, origin.y() + start + size / 2
        return (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)

    def _leg_place(
        self,
        view: MatrixView,
        header: QHeaderView,
        first: int,
        last: int,
        low: float,
        high: float,
        table: bool,
        need: float = LEG_ROOM,
        keep: Callable[[float], bool] | None = None,
    ) -> tuple[float, float] | None:
        """Where a leg crosses ``header``'s numbers into sections ``first`` to ``last`` (the
        box from ``low`` to ``high`` on the sheet) and its room (see best_leg); the middle of
        the box where no numbers are shown; None: no room between them."""
        middle = (low + high) / 2
        if not table or _is_hidden(header):
            return middle, math.inf
        horizontal = header.orientation() == Qt.Orientation.Horizontal
        model = view.model
        count = model.columnCount() if horizontal else model.rowCount()
        font = header.font()
        origin = self._origin(
            header.viewport(), _parent_widget(self) if _pos(self) == _ZERO else None
        )
        shift = origin.x() if horizontal else origin.y()
        edges: list[tuple[float, float, float]] = []
        orientation = header.orientation()
        for section in range(max(0, first - 1), min(count, last + 2)):
            start = header.sectionViewportPosition(section) + shift
            size = header.sectionSize(section)
            text = str(model.headerData(section, orientation))
            ink = text_width(font, text) if horizontal else ink_height(font, text)
            edges.append((float(start), float(start + size), float(ink)))
        places = leg_places(edges, low, high)
        if keep is not None:
            places = [p for p in places if keep(p[0])]
        place = best_leg(places, middle, need)
        return place

    def _route(
        self,
        layout: arrow_routes.Obstacles,
        first: QRectF,
        last: QRectF,
        starts: tuple[tuple[QRectF, arrow_routes.Port], ...],
        ends: tuple[tuple[QRectF, arrow_routes.Port], ...],
    ) -> Segment:
        """The segment of an arrow from one of ``starts`` to one of ``ends`` (see _ends): its
        route, corners and head; no route: the boxes ``first`` and ``last``, linked (no
        points)."""
        found = None
        if starts and ends:
            found = arrow_routes.route(
                layout, tuple(p for _, p in starts), tuple(p for _, p in ends)
            )
        if found is None:
            return first, last, (), (), HEAD_MIN
        start_port, end_port, points = found
        start = next(box for box, port in starts if port == start_port)
        end = next(box for box, port in ends if port == end_port)
        head = min(HEAD_LENGTH, max(8.0, 0.45 * min(end.width(), end.height())))
        if math.isfinite(end_port.room):
            # The head no wider than the room between the numbers beside its leg.
            spare = end_port.room - (ARROW_WIDTH + 4 * ARROW_EDGE) / 2 - HEAD_GAP
            head = max(HEAD_MIN, min(head, spare / math.sin(HEAD_ANGLE)))
        radii = []
        for k in range(1, len(points) - 1):
            a, corner, b = points[k - 1], points[k], points[k + 1]
            before = _length(a, corner) if k > 1 else _length(a, corner) - DOT_RADIUS
            after = _length(corner, b) if k < len(points) - 2 else _length(corner, b) - head
            most = max(
                0.0,
                min(
                    ARCH_RADIUS,
                    before / 2 if k > 1 else before,
                    after / 2 if k < len(points) - 2 else after,
                ),
            )
            radii.append(arrow_routes.corner_radius(layout, a, corner, b, most))
        return start, end, tuple(points), tuple(radii), head

    def _find_titles(self, again: bool = False) -> list[TitleLabel | ColorLegend]:
        """The titles and legends of the views under this sheet: the ones found before while
        no view has been made since (every title and legend is a view's), unless ``again``
        (looking through every widget under the views took ~1 ms of each edit)."""
        parent = _parent_widget(self)
        if parent is None:
            return []
        key = (parent, MatrixView.made)
        if not again and self._labels is not None and self._labels_key == key:
            return self._labels
        self._labels_key = key
        self._matrices = parent.findChildren(MatrixView)
        # The labels and lists beside the views (not inside one): a route keeps clear of
        # them too.
        self._others = [
            widget
            for kind in (QLabel, QComboBox)
            for widget in parent.findChildren(kind)
            if not isinstance(widget, TitleLabel) and not _in_view(widget, parent)
        ]
        return [*parent.findChildren(TitleLabel), *parent.findChildren(ColorLegend)]

    def _title_items(self) -> list[tuple[tuple[str, str], tuple[int, int, int, int]]]:
        """The shown titles and legend values (text and font) and where they have their text
        (x, y, width, height on the sheet), the titles first.  In one pass, each label placed
        with one ``mapTo`` the sheet's parent (they are found among its children; the sheet
        covers it from its corner): through the screen's coordinates and a list per kind this
        was ~0.25 ms of a step.  Boxes as numbers, Qt asked through its classes' methods (see
        _is_visible): no QRect made and translated per title, no method of a label looked up
        through the label."""
        parent = _parent_widget(self) if _pos(self) == _ZERO else None
        items: list[tuple[tuple[str, str], tuple[int, int, int, int]]] = []
        labels: list[QWidget] = []
        legends: list[ColorLegend] = []
        for label in self._labels or ():
            if not _is_visible(label):
                continue
            if isinstance(label, TitleLabel):
                text = _label_text(label)
                if text:
                    font_key = label.measures.key(label)
                    for line, rect in self._text_lines(label, text, parent):
                        items.append(((line, font_key), rect))
                        labels.append(label)
            else:
                legends.append(label)
        for legend in legends:
            origin = self._origin(legend, parent)
            ox, oy = origin.x(), origin.y()
            font = legend.measures.key(legend)
            for t, r in legend.text_boxes():
                x, y, w, h = r.getRect()
                items.append(((t, font), (x + ox, y + oy, w, h)))
                labels.append(legend)
        self._item_labels = labels
        return items

    def _origin(self, widget: QWidget, parent: QWidget | None) -> QPoint:
        """Where ``widget``'s corner is on the sheet (``parent``: the sheet's, an ancestor of
        ``widget``, when the sheet is at its corner; else None)."""
        if parent is None:
            return self.mapFromGlobal(widget.mapToGlobal(_ZERO))
        return _map_to(widget, parent, _ZERO)

    def _find_crossed_letters(
        self, items: list[tuple[tuple[str, str], tuple[int, int, int, int]]], shapes: list[_Drawn]
    ) -> None:
        """The letters (with their halo) of the titles and legends an arrow crosses, to be
        drawn over it where they meet it (see paintEvent); each title's letters are made once
        for its text, font and place.

        A title is crossed only where an arrow may paint a pixel of its letters or their halo
        (:meth:`_Drawn.reaches`): a title in the arrow's box but away from its curve (the
        close-up's "rows 0–3 / columns 4–9" under an arch, a new text on every step) changes
        nothing of what is painted, and made its letters again on every step."""
        crossed: list[tuple[str, str, int, int, int, int]] = []
        crossers: list[list[_Drawn]] = []
        labels: list[QWidget] = []
        for index, ((text, font_key), (x, y, w, h)) in enumerate(items):
            near = [shape for shape in shapes if _overlaps(x, y, w, h, shape)]
            if near:
                # _letter_reach translated to where the text is written, as QRectF.translated
                # would (its x moved, its right x + width).
                rx, ry, rw, rh = self._letter_reach(text, font_key).getRect()
                rx, ry = rx + x, ry + (y + self._ascent(font_key))
                box = (rx, ry, rx + rw, ry + rh)
                reaching = [shape for shape in near if shape.reaches_box(*box)]
                if reaching:
                    crossed.append((text, font_key, x, y, w, h))
                    crossers.append(reaching)
                    labels.append(self._item_labels[index])
        self._overlays = [[] for _ in shapes]
        where = {id(shape): k for k, shape in enumerate(shapes)}
        for key, reaching, label in zip(crossed, crossers, labels, strict=True):
            _, pixels, halo_pieces, glyph_pieces = self._letters_known(key)
            for shape in reaching:
                over = pixels.intersected(shape.outline())
                if not over.isEmpty():
                    # Only the outlines of the letters there: Qt fills a whole path before
                    # it clips, and a title's letters filled twice were ~2 ms of a paint.
                    # Kept by title and place (the legs on grid lines cross the same letters
                    # at many steps).
                    box = over.boundingRect()
                    edges = box.left(), box.top(), box.right() + 1, box.bottom() + 1
                    paths = self._near_cache.get((key, edges))
                    if paths is None:
                        if len(self._near_cache) > 64:
                            self._near_cache.clear()
                        paths = self._near_cache[(key, edges)] = (
                            _near(halo_pieces, *edges),
                            _near(glyph_pieces, *edges),
                        )
                    self._overlays[where[id(shape)]].append((*paths, over, label))
        size = _size(self)
        self._letters_for = (crossed, size)

    def _letters_known(self, key: tuple[str, str, int, int, int, int]) -> _Letters:
        """A title's letters with their halo (path and pixels), and the outlines of these and
        of its bare letters with their boxes, made once per text, font and text box."""
        known = self._letter_cache.get(key)
        if known is None:
            if len(self._letter_cache) > 64:
                self._letter_cache.clear()
            text, font_key, x, y, width, height = key
            rect = QRect(x, y, width, height)
            path = self._letters_of(text, font_key, rect)
            pixels = QRegion()
            for polygon in path.toFillPolygons():
                pixels = pixels.united(QRegion(polygon.toPolygon(), Qt.FillRule.WindingFill))
            glyphs = self._glyphs_of(text, font_key, rect)
            known = self._letter_cache[key] = (path, pixels, _pieces(path), _pieces(glyphs))
        return known

    def _letter_reach(self, text: str, font_key: str) -> QRectF:
        """Where ``text``'s letters and their halo may have pixels, from the point its
        baseline starts at: the font's bounding box of the text (which covers every pixel of
        it drawn), its halo and 2 px for the outline's rounding (tests check it holds the
        letters made)."""
        reach = self._reach_cache.get((text, font_key))
        if reach is None:
            if len(self._reach_cache) > 256:
                self._reach_cache.clear()
            metrics = self._metrics.get(font_key)
            if metrics is None:
                # One per font: a close-up's title is a new text on every step, and its
                # font was read from its key and measured anew each time.
                font = QFont()
                font.fromString(font_key)
                metrics = self._metrics[font_key] = QFontMetricsF(font)
            box = metrics.boundingRect(text).united(metrics.tightBoundingRect(text))
            margin = TITLE_HALO + 2.0
            reach = self._reach_cache[(text, font_key)] = box.adjusted(
                -margin, -margin, margin, margin
            )
        return reach

    def _ascent(self, font_key: str) -> int:
        """The ascent of the font ``font_key`` names (where _letters_of puts the baseline)."""
        ascent = self._ascents.get(font_key)
        if ascent is None:
            font = QFont()
            font.fromString(font_key)
            ascent = self._ascents[font_key] = QFontMetrics(font).ascent()
        return ascent

    def _text_lines(
        self, label: TitleLabel, text: str, parent: QWidget | None
    ) -> list[tuple[str, tuple[int, int, int, int]]]:
        """Each line of ``label``'s ``text`` with where the label has it: x, y, width, height
        on the sheet (``parent``: see _origin).  A close-up's title in two lines ("rows 0–2"
        over "columns 3–5") was taken for one: the letters drawn over an arrow were those
        of one long line, and its "s" stood on the arrow beside the title."""
        x, y, w, h = _contents_rect(label).getRect()
        origin = self._origin(label, parent)
        x += origin.x()
        # Measured once per text and font (the label keeps them until its font changes).
        height = label.measures.height(label)
        if "\n" not in text:
            width = min(w, label.measures.advance(label, text))
            # QRect.center().y(): the middle of its first and last row, rounded towards zero.
            bottom = y + h - 1
            middle = (y + bottom) // 2 if y + bottom >= 0 else -(-(y + bottom) // 2)
            return [(text, (x, middle - height // 2 + origin.y(), width, height))]
        # As QLabel lays plain lines out: one line spacing apart, the block centred.
        lines = text.split("\n")
        spacing = label.fontMetrics().lineSpacing()
        top = y + (h - (len(lines) - 1) * spacing - height) // 2 + origin.y()
        return [
            (line, (x, top + k * spacing, min(w, label.measures.advance(label, line)), height))
            for k, line in enumerate(lines)
            if line
        ]

    @staticmethod
    def _glyphs_of(text: str, font_text: str, rect: QRect) -> QPainterPath:
        """A title's letters as the label draws them (left, centred vertically in ``rect``),
        this widget's coordinates."""
        font = QFont()
        font.fromString(font_text)
        baseline = rect.top() + QFontMetrics(font).ascent()
        glyphs = QPainterPath()
        glyphs.addText(QPointF(rect.left(), baseline), font, text)
        return glyphs

    @staticmethod
    def _letters_of(text: str, font_text: str, rect: QRect) -> QPainterPath:
        """A title's letters (see _glyphs_of) with a halo, this widget's coordinates."""
        glyphs = StepArrows._glyphs_of(text, font_text, rect)
        stroker = QPainterPathStroker()
        stroker.setWidth(2 * TITLE_HALO)
        letters = QPainterPath()
        letters.setFillRule(Qt.FillRule.WindingFill)
        letters.addPath(stroker.createStroke(glyphs))
        letters.addPath(glyphs)
        return letters

    def letters_over_arrows(self) -> QPainterPath:
        """What is drawn over the arrows: the crossed letters with their halo where they meet
        an arrow (tests read it)."""
        over = QPainterPath()
        over.setFillRule(Qt.FillRule.WindingFill)
        for overlays in self._overlays:
            for letters, _, pixels, _ in overlays:
                where = QPainterPath()
                where.addRegion(pixels)
                over.addPath(letters.intersected(where))
        return over

    def drawn_shapes(self) -> list[QPainterPath]:
        """Each arrow as drawn (its stroke and head, whole), this widget's coordinates: what
        tests compare with the titles' letters."""
        return [_outline(drawn.shape) for drawn in self._shapes]

    def title_rects(self) -> list[QRect]:
        """The shown titles' text boxes (tests read them)."""
        return [QRect(*rect) for _, rect in self._items]

    def _region(self, segments: list[Segment]) -> QRegion:
        """Where the arrows of ``segments`` are drawn."""
        region = QRegion()
        for shape in map(self._shape, segments):
            if shape is not None:
                region = region.united(_Drawn(shape).region)
        return region

    def _shape(self, segment: Segment) -> Shape | None:
        """The arrow of ``segment``: its curve, its head and its starting point; without a
        route, the link: a dot on the start box's top left corner and a small head pointing
        into the end's (the frames of both are in the arrow's colour already)."""
        start, end, points, radii, head = segment
        if not points:
            # On the frames' top left corners, where the frames are: a dot and a head further
            # in covered the first digit of a 26 px cell ("12" read "•2").
            a = QPointF(start.left() + 1, start.top() + 1)
            tip = QPointF(end.left() + 2, end.top() + 2)
            path = QPainterPath(a)
            back = QPointF(tip.x() - 10, tip.y() - 10)
            return path, self._head(tip, back, HEAD_MIN), a
        a = QPointF(*points[0])
        path = QPainterPath(a)
        for k in range(1, len(points) - 1):
            (px, py), (cx, cy), (nx, ny) = points[k - 1], points[k], points[k + 1]
            r = radii[k - 1]
            ux, uy = _sign(cx - px), _sign(cy - py)
            vx, vy = _sign(nx - cx), _sign(ny - cy)
            path.lineTo(cx - ux * r, cy - uy * r)
            if r > 0:
                path.quadTo(QPointF(cx, cy), QPointF(cx + vx * r, cy + vy * r))
        b = QPointF(*points[-1])
        path.lineTo(b)
        (px, py) = points[-2]
        back = QPointF(b.x() - 40 * _sign(b.x() - px), b.y() - 40 * _sign(b.y() - py))
        return path, self._head(b, back, head), a

    @staticmethod
    def _head(b: QPointF, ctrl: QPointF, length: float = HEAD_LENGTH) -> QPolygonF:
        """The arrow's head at ``b``, pointing along the curve's end (from ``ctrl``)."""
        angle = math.atan2(b.y() - ctrl.y(), b.x() - ctrl.x())
        a = HEAD_ANGLE
        return QPolygonF(
            [
                b,
                QPointF(b.x() - length * math.cos(angle - a), b.y() - length * math.sin(angle - a)),
                QPointF(b.x() - length * math.cos(angle + a), b.y() - length * math.sin(angle + a)),
            ]
        )

    def paintEvent(self, event: QPaintEvent) -> None:
        # Qt repaints the sheet wherever a view under it repaints (a cell, a heat map): only
        # the arrows crossing that region are drawn, clipped to the region.  The paint that
        # shows an arrow (a step's) draws it straight onto the sheet: a picture made first (a
        # new antialiased pixmap on nearly every step: stepping forward every arrow is new)
        # took ~1.5 ms of a step, drawing its curve here ~0.4 ms.  Painted again while shown
        # (a hover repaints cells under it), it is drawn from a picture made then, once.
        region = event.region()
        shown = [(k, d) for k, d in enumerate(self._shapes) if region.intersects(d.region)]
        if not shown:
            return
        color = QColor(style_pens()["current"][0])
        ratio = _ratio(self)
        painter = QPainter(self)
        overlays = self._overlays
        for k, drawn in shown:
            # Only along the arrow's curve (its bands): what a move of the arrow repaints.
            clip = region.intersected(drawn.region)
            painter.setClipRegion(clip)
            drawn.paints += 1
            if drawn.paints == 1:
                paint_arrow(painter, drawn.shape, color)
            else:
                painter.drawPixmap(drawn.box.topLeft(), drawn.picture(color, ratio))
            for letters, glyphs, pixels, label in overlays[k] if k < len(overlays) else ():
                if not shiboken6.isValid(label):
                    continue  # deleted with its view: a relayout relocates the arrows
                # The letters the arrow crosses, over it: their halo and them, only on the
                # arrow (the label shows them everywhere else), in the label's colours as
                # they are now (a theme changed since the step).
                ink, halo = _label_colors(label)
                painter.setClipRegion(clip.intersected(pixels))
                painter.setRenderHint(QPainter.RenderHint.Antialiasing)
                painter.setPen(Qt.PenStyle.NoPen)
                painter.fillPath(letters, halo)
                painter.fillPath(glyphs, ink)
        painter.end()


ARROW_WIDTH = 3.0  # the arrow's curve, pixels, inside a white and a black edge
ARROW_EDGE = 1.5  # pixels of each edge on each side
DOT_RADIUS = 4.5  # the dot at an arrow's start
DOT_EDGE = 1.5  # its dark edge's width
# Arrows kept for their segments (a step's arrows and a few steps' before): at most this many.
RECENT_ARROWS = 12


def arrow_pens(color: QColor) -> tuple[QPen, QPen, QPen]:
    """The pens an arrow in ``color`` is drawn with, outside in: a black edge, a white edge,
    the colour.  As a table's highlight borders: one of the edges contrasts with whatever
    is under the arrow (a pure blue arrow in a black edge vanished on the dark theme).
    Opaque: Qt blends a translucent stroke's spans in its thread pool (see serial_paint),
    which the arrow's edges (once 200 and 230 of 255) did some 37 times a lecture step."""
    solid, round_cap = Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap
    return (
        QPen(QColor(0, 0, 0), ARROW_WIDTH + 4 * ARROW_EDGE, solid, round_cap),
        QPen(QColor(255, 255, 255), ARROW_WIDTH + 2 * ARROW_EDGE, solid, round_cap),
        QPen(color, ARROW_WIDTH, solid, round_cap),
    )


def paint_arrow(painter: QPainter, shape: Shape, color: QColor) -> None:
    """Draw one arrow: an edged curve in ``color``, its head and a dot at its start."""
    path, head, a = shape
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    edges, dot_pen, dot_brush = _arrow_tools(color)
    for pen, brush in edges:
        painter.setPen(pen)
        painter.setBrush(_NO_BRUSH)
        painter.drawPath(path)
        painter.setBrush(brush)
        painter.drawPolygon(head)
    painter.setPen(dot_pen)
    painter.setBrush(dot_brush)
    painter.drawEllipse(a, DOT_RADIUS, DOT_RADIUS)


_NO_BRUSH = QBrush(Qt.BrushStyle.NoBrush)
# paint_arrow's pens and brushes by colour (spec and rgba): the same one or two colours on
# every step, and making them (three pens, their colours, the brushes) was ~20 calls through
# the binding of each step's paint.
_TOOLS: dict[tuple[int, int], tuple[list[tuple[QPen, QBrush]], QPen, QBrush]] = {}


def _arrow_tools(color: QColor) -> tuple[list[tuple[QPen, QBrush]], QPen, QBrush]:
    """The pens of arrow_pens(color) with the brush of each one's colour, the dot's edge pen
    and its brush, made once per colour."""
    key = (color.spec().value, color.rgba())
    tools = _TOOLS.get(key)
    if tools is None:
        if len(_TOOLS) >= 16:
            _TOOLS.clear()
        pens = arrow_pens(color)
        tools = _TOOLS[key] = (
            [(pen, QBrush(pen.color())) for pen in pens],
            QPen(pens[0].color(), DOT_EDGE),
            QBrush(color),
        )
    return tools


def along(path: QPainterPath, spacing: float = 24.0, most: int = 40) -> list[QPointF]:
    """Points along ``path`` at equal distances along it (about ``spacing`` pixels apart, at
    most ``most`` + 1 points, both ends included), from the path flattened once (sampling it
    with ``pointAtPercent`` measured the whole curve again for every point: a tenth of a
    step's instructions)."""
    return [QPointF(x, y) for x, y in _spaced(_flattened(path), spacing, most)]


Point = tuple[float, float]


def _flattened(path: QPainterPath) -> list[Point]:
    """``path`` as the points (x, y) of its pieces, its curves flattened: each polygon's
    doubles read at once from its memory (a QPolygonF is its points' x and y, one after the
    other), not a QPointF made and asked its x and y through the binding for each point (an
    arch's ~20 points: ~60 calls of each new arrow)."""
    points: list[Point] = []
    for polygon in path.toSubpathPolygons():
        count = len(polygon)
        if count:
            memory = shiboken6.VoidPtr(polygon.data(), count * 16, False)
            numbers = iter(np.frombuffer(memory, dtype=np.float64).tolist())
            points += zip(numbers, numbers, strict=True)
    return points


def _spaced(points: list[Point], spacing: float, most: int) -> list[Point]:
    """Points at equal distances along the line through ``points`` (see along)."""
    if len(points) < 2:
        return points * 2 if points else []
    steps = [math.hypot(qx - px, qy - py) for (px, py), (qx, qy) in itertools.pairwise(points)]
    length = math.fsum(steps)
    pieces = max(1, min(most, int(length / spacing)))
    out = [points[0]]
    walked, k = 0.0, 0  # length up to points[k]
    for j in range(1, pieces):
        goal = length * j / pieces
        while k < len(steps) - 1 and walked + steps[k] < goal:
            walked += steps[k]
            k += 1
        f = (goal - walked) / steps[k] if steps[k] else 0.0
        (px, py), (qx, qy) = points[k], points[k + 1]
        out.append((px + (qx - px) * f, py + (qy - py) * f))
    out.append(points[-1])
    return out


def _box(shape: Shape) -> QRect:
    """The box an arrow is drawn in (its pen and its start's dot included)."""
    path, head, a = shape
    # The start's dot too: a link without a route has a path of its start alone, whose
    # (empty) box a union ignores.
    dot = QRectF(a.x() - DOT_RADIUS, a.y() - DOT_RADIUS, 2 * DOT_RADIUS, 2 * DOT_RADIUS)
    box = path.controlPointRect().united(head.boundingRect()).united(dot)
    return box.adjusted(-8, -8, 8, 8).toAlignedRect()


# A run of a curve's points is one band of its region while its box is this thin (a straight
# leg, its flattened points in line) or no longer than PIECE_SPAN either way (a rounded corner).
PIECE_THICKNESS = 1.0
PIECE_SPAN = 24.0


def _piece_boxes(points: list[Point]) -> list[tuple[float, float, float, float]]:
    """The boxes (left, top, right, bottom) of runs of consecutive ``points``, each run as
    long as its box stays narrow (PIECE_SPAN or less) in width or height: an arch's straight
    legs and top are one box each, its rounded corners one or two; a slanted curve is cut
    into boxes some PIECE_SPAN long.  The line through the points lies within the boxes
    (bands ~24 px apart along the whole curve were ~20 rectangles of an arch's region, each
    made through the binding, and each a rectangle more for every widget under the arrow to
    repaint)."""
    if not points:
        return []
    span, thickness = PIECE_SPAN, PIECE_THICKNESS
    boxes: list[tuple[float, float, float, float]] = []
    px, py = points[0]
    left, top, right, bottom = px, py, px, py
    for x, y in points[1:]:
        # The run's box with the point (as min and max would pick, without their calls: a
        # tenth of a new arrow's making).
        new_left = x if x < left else left
        new_top = y if y < top else top
        new_right = x if x > right else right
        new_bottom = y if y > bottom else bottom
        w, h = new_right - new_left, new_bottom - new_top
        if w > thickness and h > thickness and (w > span or h > span):
            boxes.append((left, top, right, bottom))  # the run goes on from (px, py)
            dx, dy = x - px, y - py
            if abs(dx) > span and abs(dy) > span:  # a long slanted piece: cut in pieces
                pieces = math.ceil(max(abs(dx), abs(dy)) / span)
                for k in range(pieces - 1):
                    ax, ay = px + dx * k / pieces, py + dy * k / pieces
                    bx, by = px + dx * (k + 1) / pieces, py + dy * (k + 1) / pieces
                    boxes.append((min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)))
                px, py = px + dx * (pieces - 1) / pieces, py + dy * (pieces - 1) / pieces
            left, top = min(px, x), min(py, y)
            right, bottom = max(px, x), max(py, y)
        else:
            left, top, right, bottom = new_left, new_top, new_right, new_bottom
        px, py = x, y
    boxes.append((left, top, right, bottom))
    return boxes


def _band(px: float, py: float, qx: float, qy: float, margin: int) -> QRect:
    """``QRectF(QPointF(px, py), QPointF(qx, qy)).normalized().toAlignedRect()`` grown by
    ``margin`` on every side, in Python's arithmetic (the same floats): made with Qt's
    rectangles, each band of an arrow's region was ~6 µs of the binding, most of its region."""
    x, w = (px, qx - px) if qx >= px else (px + (qx - px), px - qx)
    y, h = (py, qy - py) if qy >= py else (py + (qy - py), py - qy)
    left, top = math.floor(x), math.floor(y)
    right, bottom = math.ceil(x + w), math.ceil(y + h)
    return QRect(left - margin, top - margin, right - left + 2 * margin, bottom - top + 2 * margin)


def _overlaps(x: int, y: int, w: int, h: int, shape: _Drawn) -> bool:
    """``QRect(x, y, w, h).intersects(shape.box)`` in Python's arithmetic, as Qt works it out
    (a null rect meets nothing; an empty one is taken between its edges): a QRect made per
    title and asked through the binding on every step was most of keeping titles free."""
    if w == 0 and h == 0:
        return False
    left, right = (x, x + w - 1) if w >= 0 else (x + w, x - 1)
    top, bottom = (y, y + h - 1) if h >= 0 else (y + h, y - 1)
    return left < shape.right and shape.left <= right and top < shape.bottom and shape.top <= bottom


# A text's outlines (closed polygons) each with its box (left, top, right, bottom).
Pieces = list[tuple[QPolygonF, tuple[float, float, float, float]]]
# A title's letters with their halo (path and pixels) and the pieces of these and of its bare
# letters (see StepArrows._letters_known).
_Letters = tuple[QPainterPath, QRegion, Pieces, Pieces]


def _pieces(path: QPainterPath) -> Pieces:
    """``path``'s outlines, flattened, each with its box."""
    pieces: Pieces = []
    for polygon in path.toSubpathPolygons():
        box = polygon.boundingRect()
        pieces.append((polygon, (box.left(), box.top(), box.right(), box.bottom())))
    return pieces


def _near(pieces: Pieces, left: float, top: float, right: float, bottom: float) -> QPainterPath:
    """The outlines of ``pieces`` whose boxes meet the box with these edges, as a path (a
    letter's hole is an outline inside its letter's, whose box meets the box too where the
    hole does)."""
    path = QPainterPath()
    path.setFillRule(Qt.FillRule.WindingFill)
    for polygon, (x1, y1, x2, y2) in pieces:
        if x1 <= right and x2 >= left and y1 <= bottom and y2 >= top:
            path.addPolygon(polygon)
            path.closeSubpath()
    return path


# Letters drawn over an arrow: their path with its halo, the bare letters, the pixels of the
# arrow they are drawn on and the label (title or legend) they are the text of.
_Overlay = tuple[QPainterPath, QPainterPath, QRegion, QWidget]


def _label_colors(label: QWidget) -> tuple[QColor, QColor]:
    """The colour ``label`` writes its text in (a disabled title's, a dimmed legend's faded as
    it draws it) and the background it is written on."""
    palette = label.palette()
    back = palette.color(QPalette.ColorRole.Window)
    if isinstance(label, ColorLegend):
        ink = palette.color(QPalette.ColorRole.WindowText)
        if label.dimmed:  # drawn at this opacity over the background
            a = LEGEND_DIM_OPACITY
            ink = QColor.fromRgbF(
                a * ink.redF() + (1 - a) * back.redF(),
                a * ink.greenF() + (1 - a) * back.greenF(),
                a * ink.blueF() + (1 - a) * back.blueF(),
            )
        return ink, back
    group = QPalette.ColorGroup.Active if label.isEnabled() else QPalette.ColorGroup.Disabled
    return palette.color(group, label.foregroundRole()), back


def _outline(shape: Shape) -> QPainterPath:
    """An arrow's outline as painted: its curve with the pens' whole width (the outer, dark
    edge) and its head outlined too."""
    path, head, _ = shape
    stroker = QPainterPathStroker()
    stroker.setWidth(ARROW_WIDTH + 4 * ARROW_EDGE)
    stroker.setCapStyle(Qt.PenCapStyle.RoundCap)
    stroker.setJoinStyle(Qt.PenJoinStyle.BevelJoin)  # QPen's, as painted
    outline = stroker.createStroke(path)
    tip = QPainterPath()
    tip.addPolygon(head)
    tip.closeSubpath()
    outline.addPath(stroker.createStroke(tip))
    outline.addPolygon(head)
    outline.setFillRule(Qt.FillRule.WindingFill)
    return outline.simplified()


class _Drawn:
    """An arrow on the sheet: the region it covers (bands along its curve, not its whole
    bounding box: what the views under it repaint when it moves) and its shape, drawn by the
    paint that shows it and from a picture by the sheet's later repaints that cross it."""

    MARGIN = 8  # pixels around the curve: half the dark pen, antialiasing, the start's dot
    # How far from its curve (its flattened pieces) and its head's box an arrow may paint: half
    # its dark pen or its start's dot with its edge, whichever is more, and 1.5 px for the
    # flattening's error and rounding (a pixel is painted only where the arrow covers a part
    # of it).
    REACH = max((ARROW_WIDTH + 4 * ARROW_EDGE) / 2, DOT_RADIUS + DOT_EDGE / 2) + 1.5

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        path, head, _ = shape
        self.box = _box(shape)
        # Its box's edges (right and bottom past its last pixel), for the sheet's arithmetic.
        self.left, self.top, width, height = self.box.getRect()
        self.right, self.bottom = self.left + width, self.top + height
        m = self.MARGIN
        region = QRegion(head.boundingRect().toAlignedRect().adjusted(-m, -m, m, m))
        a = shape[2]
        region += _band(a.x(), a.y(), a.x(), a.y(), m)  # the start's dot
        points = _flattened(path)
        self._pieces_boxes = _piece_boxes(points)
        for left, top, right, bottom in self._pieces_boxes:
            region += _band(left, top, right, bottom, m)
        self.region = region.intersected(self.box)
        self._points = points or [(shape[2].x(), shape[2].y())]
        self._outline: QRegion | None = None  # made when letters are drawn over it
        # Each flattened piece's extent (left, right, top, bottom), the head's box as one:
        # made when a title is in the arrow's box (see reaches).
        self._pieces: list[tuple[float, float, float, float]] | None = None
        self.paints = 0  # paints of the sheet that drew it since it was shown
        self._picture: tuple[tuple[str, float], QPixmap] | None = None

    def reaches(self, rect: QRectF) -> bool:
        """Whether the arrow may paint a pixel in ``rect`` (it may say so of a rect it only
        comes near: never the other way round)."""
        return self.reaches_box(rect.left(), rect.top(), rect.right(), rect.bottom())

    def reaches_box(self, left: float, top: float, right: float, bottom: float) -> bool:
        """:meth:`reaches` of the rect with these edges."""
        if self._pieces is None:
            ends = itertools.pairwise(self._points * 2 if len(self._points) < 2 else self._points)
            self._pieces = [
                (min(px, qx), max(px, qx), min(py, qy), max(py, qy)) for (px, py), (qx, qy) in ends
            ]
            head = self.shape[1].boundingRect()
            self._pieces.append((head.left(), head.right(), head.top(), head.bottom()))
        r = self.REACH
        left, right = left - r, right + r
        top, bottom = top - r, bottom + r
        return any(
            x1 <= right and x2 >= left and y1 <= bottom and y2 >= top
            for x1, x2, y1, y2 in self._pieces
        )

    def outline(self) -> QRegion:
        """The pixels the arrow paints, near enough: bands as thick as its pens along the
        runs of its curve (a straight leg's exactly) and its head's box (made once; an
        outline stroked and turned into pixels was ~10 times as long)."""
        if self._outline is None:
            m = math.ceil((ARROW_WIDTH + 4 * ARROW_EDGE) / 2)
            head = self.shape[1].boundingRect().toAlignedRect()
            region = QRegion(head.adjusted(-m, -m, m, m))
            for left, top, right, bottom in self._pieces_boxes:
                region += _band(left, top, right, bottom, m)
            self._outline = region
        return self._outline

    def picture(self, color: QColor, ratio: float) -> QPixmap:
        """The arrow drawn in ``color`` at the device pixel ratio ``ratio``, made once."""
        key = (color.name(QColor.NameFormat.HexArgb), ratio)
        if self._picture is None or self._picture[0] != key:
            pixmap = QPixmap((QSizeF(self.box.size()) * ratio).toSize())
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.translate(-self.box.left(), -self.box.top())
            paint_arrow(painter, self.shape, color)
            painter.end()
            self._picture = (key, pixmap)
        return self._picture[1]

    def forget(self) -> None:
        """No longer shown: its picture goes, and its next showing draws it afresh."""
        self.paints = 0
        self._picture = None

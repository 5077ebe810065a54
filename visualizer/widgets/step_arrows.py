"""Arrows over the matrix views: from the cells a step reads to the cells it writes.

Forward: from the window to the output cell it makes; backward: from the dY cell to the
gradient cells it feeds.  Which cells come from the step's data (``AppState.step_arrows``,
made by :func:`visualizer.model.present.arrows` from the engine's Step roles); this widget
only finds where those cells are on screen and draws.

Between views side by side an arrow rises straight up from its cells, arches over the views
and comes straight down into the target (it never runs across the cells between them).  An
arrow is drawn whole, one shape from its dot to its head; the titles' and legends' letters it
crosses stay readable: they are drawn again over it, in a thin halo, where they meet it (as
names over the lines of a map).  Keeping the arrow off the letters and a halo round them cut
it into pieces: an arch over the titles lost bits of its edge to every letter under it.
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
from PySide6.QtWidgets import QBoxLayout, QLabel, QStackedWidget, QTableView, QWidget

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

ARCH_CLEARANCE = 5.0  # pixels an arch between views side by side passes above their tops
ARCH_BAND = 10  # pixels the views panel keeps above its top row for such arches
ARCH_RADIUS = 24.0  # pixels of an arch's rounded corners
TITLE_HALO = 1.5  # width of the halo round a title's letters drawn over an arrow
HEAD_LENGTH = 14.0  # an arrow head's length (shorter on narrow columns, see _shape)
HEAD_MIN = 7.0  # the shortest head
HEAD_ANGLE = 0.4  # radians between a head's axis and each of its sides
# From box, to box, top of the two views, the x of the arch's legs at the two boxes, the x of
# the leg leaving the first box downwards, the bottom of the first view's matrix (for a second
# view wholly below the first: the middle of the gap above it), the top of the second's
# matrix and the top of the first's (this widget's coordinates; a matrix's top is its
# table's, above its column numbers), and how far the head may reach on either side of its
# leg (see head_room).
Segment = tuple[QRectF, QRectF, float, float, float, float, float, float, float, float]
Shape = tuple[QPainterPath, QPolygonF, QPointF]  # an arrow's curve, head and starting point


def leg_x(
    view: MatrixView, cells: tuple[tuple[int, int], ...], box: QRectF, down: bool = False
) -> float:
    """Where an arch's leg leaves (or enters) ``box`` upwards (``down``: downwards): its
    middle, moved to the grid line left of the middle column when cells or the column numbers
    lie above (cells below) the box (the leg then runs between numbers, not through them: a
    leg into the first row ran through the column number above it, and the lecture layout's
    arrow head landed on Y's "0")."""
    if down:
        last_row = max(r for r, _ in cells) + view.model.offset[0]
        if last_row >= view.model.values.shape[0] - 1:
            return box.center().x()
    elif min(r for r, _ in cells) + view.model.offset[0] <= 0 and not column_numbers(view):
        return box.center().x()
    first, last = min(c for _, c in cells), max(c for _, c in cells)
    count = last - first + 1
    return box.left() + (count // 2) * box.width() / count


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


def head_room(view: MatrixView, cells: tuple[tuple[int, int], ...]) -> float:
    """How far (pixels) from the grid line its leg runs on (see leg_x) an arrow head coming
    down into ``cells`` may reach on either side: up to the nearest number just above the box
    (the column numbers over a first-row box, else the cells of the row above), less the
    arrow's dark edge and a pixel."""
    if _current_index(view.stack) != 0:
        return math.inf
    first, last = min(c for _, c in cells), max(c for _, c in cells)
    count = last - first + 1
    off_r, off_c = view.model.offset
    right = first + count // 2 + off_c  # the table column right of the leg's grid line
    above = min(r for r, _ in cells) + off_r - 1
    if above < 0 and not column_numbers(view):
        return math.inf
    model, table = view.model, view.table
    gap = math.inf
    for col in (right - 1, right):
        if not 0 <= col < model.columnCount():
            continue
        if above < 0:
            text = str(model.headerData(col, Qt.Orientation.Horizontal))
            font = _horizontal_header(table).font()
        else:
            index = model.index(above, col)
            text = str(model.data(index, Qt.ItemDataRole.DisplayRole) or "")
            font = model.data(index, Qt.ItemDataRole.FontRole)
            if not isinstance(font, QFont):
                font = table.font()
        width = text_width(font, text) if text else 0
        gap = min(gap, (_column_width(table, col) - width) / 2)
    return gap - (ARROW_WIDTH + 4 * ARROW_EDGE) / 2 - 1


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


def column_numbers(view: MatrixView) -> bool:
    """Whether ``view`` shows its column numbers above its cells (a table with headers)."""
    return _current_index(view.stack) == 0 and not _is_hidden(_horizontal_header(view.table))


def edge_point(box: QRectF, toward: QPointF) -> QPointF:
    """Where the line from ``box``'s centre towards ``toward`` leaves the box."""
    c = box.center()
    dx, dy = toward.x() - c.x(), toward.y() - c.y()
    if dx == 0 and dy == 0:
        return c
    sx = box.width() / 2 / abs(dx) if dx else math.inf
    sy = box.height() / 2 / abs(dy) if dy else math.inf
    s = min(sx, sy, 1.0)
    return QPointF(c.x() + dx * s, c.y() + dy * s)


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
        # The titles (text, font, box) an arrow crosses, whose letters are drawn over it, and
        # the sheet's size they were found for.
        self._letters_for: tuple[list[tuple[str, str, int, int, int, int]], QSize] | None = None
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
        segments: list[Segment] = []
        drawn: list[tuple[str, str]] = []
        tops: dict[QWidget, int] = {}  # the widgets' tops on the sheet, each found once
        for source_view, source, target_view, target in self._pending:
            a, b = views.get(source_view), views.get(target_view)
            if a is None or b is None:
                continue
            start, end = a.cells_box(source, self), b.cells_box(target, self)
            if start is None or end is None:
                continue
            top = min(self._top(a, tops), self._top(b, tops))
            band = self._band_above(a, b, views, tops)
            if band is not None:
                # Down to a lower row from a heat map whose close-up lies under it: the arrow
                # leaves the close-up's cells (the transposed convolution's backward at
                # 1366×768 ran down from dY's heat map over its close-up's numbers).
                low = close_up_below(a)
                box = None if low is None else low.cells_box(source, self)
                if low is not None and box is not None:
                    a, start = low, box
            legs = (leg_x(a, source, start), leg_x(b, target, end), leg_x(a, source, start, True))
            rise_y = self._top(a.stack, tops)
            exit_y = rise_y + _height(a.stack)
            entry_y = self._top(b.stack, tops)
            ends = (float(exit_y) if band is None else band, float(entry_y), float(rise_y))
            room = head_room(b, target)
            segments.append((start, end, float(top), *legs, *ends, room))
            drawn.append((source_view, target_view))
        if segments:
            if refresh or self._labels is None:
                self._labels = self._find_titles()
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

    def _band_above(
        self,
        a: MatrixView,
        b: MatrixView,
        views: dict[str, MatrixView],
        tops: dict[QWidget, int] | None = None,
    ) -> float | None:
        """When ``b`` lies wholly below ``a`` (the lecture layout's second row): the middle of
        the gap between the lowest view above ``b`` and ``b``'s top, where an arrow from ``a``
        runs across to ``b`` (a curve from below ``a``'s matrix to ``b``'s ran across X's
        legend and diagonally through "dX so far"); else None.  ``tops``: the widgets' tops
        found so far (see _top)."""
        known: dict[QWidget, int] = {} if tops is None else tops
        floor = self._top(b, known)
        if self._top(a, known) + _height(a) > floor:
            return None
        above = [self._top(v, known) + _height(v) for v in views.values() if _is_visible(v)]
        return (max((y for y in above if y <= floor), default=floor) + floor) / 2

    def _top(self, widget: QWidget, tops: dict[QWidget, int]) -> int:
        """The y of ``widget``'s top on the sheet, kept in ``tops`` (a relocate's): mapped to
        the sheet's parent in one call when the sheet is at its corner and the widget under it
        (see relocate), else through the screen's coordinates (twice the calls, each Qt call
        through the widget ~1 µs of the binding's lookup besides)."""
        y = tops.get(widget)
        if y is None:
            corner = self._corner
            if corner is not None and _is_ancestor_of(corner, widget):
                y = _map_to(widget, corner, _ZERO).y()
            else:
                y = self.mapFromGlobal(widget.mapToGlobal(_ZERO)).y()
            tops[widget] = y
        return y

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
                    rect = self._text_rect(label, text, parent)
                    items.append(((text, label.measures.key(label)), rect))
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
            font = QFont()
            font.fromString(font_key)
            metrics = QFontMetricsF(font)
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

    def _text_rect(
        self, label: TitleLabel, text: str, parent: QWidget | None
    ) -> tuple[int, int, int, int]:
        """Where ``label`` has its ``text``: x, y, width, height on the sheet (``parent``: see
        _origin)."""
        x, y, w, h = _contents_rect(label).getRect()
        # Measured once per text and font (the label keeps them until its font changes).
        width = min(w, label.measures.advance(label, text))
        height = label.measures.height(label)
        # QRect.center().y(): the middle of its first and last row, rounded towards zero.
        bottom = y + h - 1
        middle = (y + bottom) // 2 if y + bottom >= 0 else -(-(y + bottom) // 2)
        origin = self._origin(label, parent)
        return x + origin.x(), middle - height // 2 + origin.y(), width, height

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
        """The arrow of ``segment``: its curve, its head and its starting point."""
        start, end, top, start_leg, end_leg, down_leg, exit_y, entry_y, rise_y, room = segment
        sc, ec = start.center(), end.center()
        # On a grid line the head's tip goes just inside the box's corner, and the head is no
        # wider than the room between the numbers above the box on either side (it covered
        # Y's column number "0"): its half width is its length times sin(HEAD_ANGLE).
        inside = 0.0 if end_leg == ec.x() else min(2.0, end.width() / 8)
        head = min(HEAD_LENGTH, max(8.0, 0.45 * end.width()))
        if math.isfinite(room):
            head = max(HEAD_MIN, min(head, (room - inside) / math.sin(HEAD_ANGLE)))
        if end.top() > start.bottom() and entry_y > exit_y + 12:
            # The target in a lower row: straight down from the box (on a grid line where
            # cells lie below it) out of its matrix, a curve to above the target's matrix,
            # straight down into the target: across no numbers but the legs' grid lines.
            a = QPointF(down_leg, start.bottom())
            b = QPointF(end_leg + inside, end.top() + inside)
            # Across in the gap between the rows (exit_y, see _band_above), rounded corners
            # ending above the target's column numbers: the legs run on grid lines and
            # under titles' and legends' letters only (the curve between the two legs crossed
            # X's legend and the target's title diagonally).
            span = end_leg - down_leg
            radius = max(0.0, min(ARCH_RADIUS, abs(span) / 2, exit_y - a.y(), entry_y - 4 - exit_y))
            turn = math.copysign(radius, span) if span else 0.0
            path = QPainterPath(a)
            path.lineTo(down_leg, exit_y - radius)
            path.quadTo(QPointF(down_leg, exit_y), QPointF(down_leg + turn, exit_y))
            path.lineTo(end_leg - turn, exit_y)
            path.quadTo(QPointF(end_leg, exit_y), QPointF(end_leg, exit_y + radius))
            path.lineTo(b)
            return path, self._head(b, QPointF(end_leg, b.y() - 40), head), a
        # Side by side: the boxes apart in width and each matrix reaching beside the other's
        # box (a tall window left of a short output took the curve below, across X's numbers).
        beside = (end.left() >= start.right() or end.right() <= start.left()) and (
            entry_y < start.bottom() and rise_y < end.bottom()
        )
        flat = abs(ec.x() - sc.x()) > 2 * abs(ec.y() - sc.y())
        if (flat or beside) and not start.intersects(end):
            # Views side by side: the arrow leaves the top of one box straight up, arches over
            # the views between them (their numbers stay readable) and comes straight down
            # into the top of the other.
            a = QPointF(start_leg, start.top())
            # On a grid line the head points just inside the box's corner.
            b = QPointF(end_leg + inside, end.top() + inside)
            # Straight up on the leg's grid line out of the first matrix (its cells and column
            # numbers above the box), across just above the views' tops (rounded corners),
            # straight down into the second one: across no number, and no title but where a
            # leg runs under one (a curve from the top of the arch down to the target crossed
            # the target's title diagonally: "Input gradient·dX·so far").
            out = QPointF(start_leg, min(a.y(), rise_y - 2))
            into = QPointF(end_leg, min(b.y(), entry_y - 2))
            peak = max(5.0, top - ARCH_CLEARANCE)
            span = end_leg - start_leg
            radius = max(0.0, min(ARCH_RADIUS, abs(span) / 2, out.y() - peak, into.y() - peak))
            turn = math.copysign(radius, span) if span else 0.0
            path = QPainterPath(a)
            path.lineTo(out)
            path.lineTo(start_leg, peak + radius)
            path.quadTo(QPointF(start_leg, peak), QPointF(start_leg + turn, peak))
            path.lineTo(end_leg - turn, peak)
            path.quadTo(QPointF(end_leg, peak), QPointF(end_leg, peak + radius))
            path.lineTo(into)
            path.lineTo(b)
            return path, self._head(b, QPointF(end_leg, b.y() - 40), head), a
        else:
            a = edge_point(start, ec)
            b = edge_point(end, sc)
            length = math.hypot(b.x() - a.x(), b.y() - a.y())
            if length < 12:
                return None
            # A gentle curve: it bows away from the straight line between the two views.
            mid = QPointF((a.x() + b.x()) / 2, (a.y() + b.y()) / 2)
            nx, ny = -(b.y() - a.y()) / length, (b.x() - a.x()) / length
            bow = min(40.0, length * 0.12)
            ctrl = QPointF(mid.x() + nx * bow, mid.y() + ny * bow)
        path = QPainterPath(a)
        path.quadTo(ctrl, b)
        return path, self._head(b, ctrl), a

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
    path, head, _ = shape
    box = path.controlPointRect().united(head.boundingRect())
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

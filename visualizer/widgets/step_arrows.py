"""Arrows over the matrix views: from the cells a step reads to the cells it writes.

Forward: from the window to the output cell it makes; backward: from the dY cell to the
gradient cells it feeds.  Which cells come from the step's data (``AppState.step_arrows``,
made by :func:`visualizer.model.present.arrows` from the engine's Step roles); this widget
only finds where those cells are on screen and draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPaintEvent, QPen, QPolygonF, QRegion
from PySide6.QtWidgets import QWidget

from visualizer.widgets.matrix_view import MatrixView, style_pens

ARCH_CLEARANCE = 6.0  # pixels an arch between views side by side passes above their tops
Segment = tuple[QRectF, QRectF, float]  # from box, to box, top of the two views (this widget's)


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

    def set_arrows(self, arrows: list[tuple[str, tuple, str, tuple]]) -> None:
        """Arrows as ``(from view, from cells, to view, to cells)`` (matrix coordinates)."""
        self._pending = arrows
        self.relocate()

    def relocate(self) -> None:
        """Find the arrows' ends on screen again (after a step, a resize or a scroll)."""
        parent = self.parentWidget()
        if parent is not None and self.geometry() != parent.rect():
            self.setGeometry(parent.rect())
        self.raise_()
        views = self._views()
        segments: list[Segment] = []
        drawn: list[tuple[str, str]] = []
        for source_view, source, target_view, target in self._pending:
            a, b = views.get(source_view), views.get(target_view)
            if a is None or b is None:
                continue
            start, end = a.cells_box(source, self), b.cells_box(target, self)
            if start is None or end is None:
                continue
            top = min(self.mapFromGlobal(v.mapToGlobal(QPoint(0, 0))).y() for v in (a, b))
            segments.append((start, end, float(top)))
            drawn.append((source_view, target_view))
        if segments != self._segments:
            # Only where an arrow was or will be: the sheet covers every view, and updating
            # all of it made each step repaint every cell of every view underneath.
            dirty = self._region(self._segments).united(self._region(segments))
            self._segments = segments
            self.update(dirty)
        self.arrows = drawn

    def _region(self, segments: list[Segment]) -> QRegion:
        region = QRegion()
        for segment in segments:
            shape = self._shape(segment)
            if shape is not None:
                path, head, _ = shape
                box = path.controlPointRect().united(head.boundingRect())
                region = region.united(box.adjusted(-8, -8, 8, 8).toAlignedRect())
        return region

    def _shape(self, segment: Segment) -> tuple[QPainterPath, QPolygonF, QPointF] | None:
        """The arrow of ``segment``: its curve, its head and its starting point."""
        start, end, top = segment
        sc, ec = start.center(), end.center()
        if abs(ec.x() - sc.x()) > 2 * abs(ec.y() - sc.y()) and not start.intersects(end):
            # Views side by side: the arrow leaves the top of one box and arches over the
            # views between them (their numbers stay readable) into the top of the other.
            a = QPointF(sc.x(), start.top())
            b = QPointF(ec.x(), end.top())
            # The curve's highest point (halfway) just above the views' titles.
            peak = max(6.0, top - ARCH_CLEARANCE)
            ctrl = QPointF((a.x() + b.x()) / 2, (4 * peak - a.y() - b.y()) / 2)
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
        # The arrow's head points along the curve's end.
        angle = math.atan2(b.y() - ctrl.y(), b.x() - ctrl.x())
        head = QPolygonF(
            [
                b,
                QPointF(b.x() - 14 * math.cos(angle - 0.4), b.y() - 14 * math.sin(angle - 0.4)),
                QPointF(b.x() - 14 * math.cos(angle + 0.4), b.y() - 14 * math.sin(angle + 0.4)),
            ]
        )
        return path, head, a

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self._segments:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        color = QColor(style_pens()["current"][0])
        for segment in self._segments:
            shape = self._shape(segment)
            if shape is None:
                continue
            path, head, a = shape
            for pen_color, width in ((QColor(0, 0, 0, 170), 5.0), (color, 3.0)):
                painter.setPen(
                    QPen(pen_color, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
                )
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
                painter.setBrush(pen_color)
                painter.drawPolygon(head)
            painter.setPen(QPen(QColor(0, 0, 0, 170), 1.5))
            painter.setBrush(color)
            painter.drawEllipse(a, 4.5, 4.5)
        painter.end()

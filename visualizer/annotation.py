"""Annotation: a pen to draw over the matrices while lecturing (issue 10, point 9).

P switches the pen on and off; C changes its colour (three colours, none of them a colour of the
cells' maps or highlights' meaning: red, green, blue strokes with a white edge); E switches to
the eraser (a stroke it touches goes); Delete clears the drawing.  View ▸ Annotation ▸ "Clear on
every step" wipes the drawing whenever the step changes.  Drawings live in the window only:
they are never saved into a session, an autosave or an export of the matrices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QT_TR_NOOP, QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QWidget

from visualizer.i18n import set_action_text, tr
from visualizer.ui import WindowFeature, add_action

PEN_COLOURS = {
    "red": (QT_TR_NOOP("red"), "#e0002a"),
    "green": (QT_TR_NOOP("green"), "#00a050"),
    "blue": (QT_TR_NOOP("blue"), "#1040ff"),
}
PEN_WIDTH = 5.0
ERASER_RADIUS = 14.0


@dataclass
class Stroke:
    """One line drawn with the pen: its colour and the points it went through."""

    colour: str
    points: list[QPointF] = field(default_factory=list)

    def path(self) -> QPainterPath:
        path = QPainterPath()
        if self.points:
            path.moveTo(self.points[0])
            for point in self.points[1:]:
                path.lineTo(point)
        return path


class AnnotationLayer(QWidget):
    """A transparent sheet over the matrices and the arithmetic; it takes the mouse only while
    the pen or the eraser is on."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("annotationLayer")
        self.strokes: list[Stroke] = []
        self.tool = ""  # "", "pen" or "eraser"
        self.colour = next(iter(PEN_COLOURS))
        self._drawing: Stroke | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setGeometry(parent.rect())
        parent.installEventFilter(self)
        self.show()
        self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
            self.raise_()
        return False

    def set_tool(self, tool: str) -> None:
        """ "pen", "eraser" or "" (off: the mouse goes to the matrices again)."""
        self.tool = tool
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, not tool)
        self.setCursor(Qt.CursorShape.CrossCursor if tool else Qt.CursorShape.ArrowCursor)
        self.raise_()

    def clear(self) -> None:
        if self.strokes or self._drawing is not None:
            self.strokes = []
            self._drawing = None
            self.update()

    def erase_at(self, point: QPointF) -> None:
        """Remove every stroke passing within ERASER_RADIUS of ``point``."""
        area = QPainterPath()
        area.addEllipse(point, ERASER_RADIUS, ERASER_RADIUS)
        stroker = QPainterPathStroker()
        stroker.setWidth(PEN_WIDTH)
        kept = [s for s in self.strokes if not stroker.createStroke(s.path()).intersects(area)]
        if len(kept) != len(self.strokes):
            self.strokes = kept
            self.update()

    # ---- mouse ---------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.tool:
            return
        point = event.position()
        if self.tool == "eraser":
            self.erase_at(point)
            return
        self._drawing = Stroke(self.colour, [point])
        self.strokes.append(self._drawing)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        point = event.position()
        if self.tool == "eraser" and event.buttons() & Qt.MouseButton.LeftButton:
            self.erase_at(point)
        elif self._drawing is not None:
            self._drawing.points.append(point)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._drawing = None

    def paintEvent(self, event: QEvent) -> None:
        if not self.strokes:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for stroke in self.strokes:
            path = stroke.path()
            if len(stroke.points) == 1:  # a dot
                path.addEllipse(QRectF(stroke.points[0], stroke.points[0]).adjusted(-1, -1, 1, 1))
            # A white edge under the colour: the line shows on every cell colour.
            for colour, width in (
                ("#ffffff", PEN_WIDTH + 3),
                (PEN_COLOURS[stroke.colour][1], PEN_WIDTH),
            ):
                pen = QPen(QColor(colour), width)
                pen.setCapStyle(Qt.PenCapStyle.RoundCap)
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                painter.drawPath(path)
        painter.end()


class Annotation(WindowFeature):
    """View ▸ Annotation: pen (P), colour (C), eraser (E), clear (Delete), clear on every step."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.layer = AnnotationLayer(window.lecture_area)
        w = window
        self.pen_action = add_action(w, "annotationPenAction", "P", self._on_pen)
        self.pen_action.setCheckable(True)
        self.eraser_action = add_action(w, "annotationEraserAction", "E", self._on_eraser)
        self.eraser_action.setCheckable(True)
        self.colour_action = add_action(w, "annotationColourAction", "C", self.next_colour)
        self.clear_action = add_action(w, "annotationClearAction", "Del", self.layer.clear)
        self.clear_on_step_action = add_action(w, "annotationClearOnStepAction")
        self.clear_on_step_action.setCheckable(True)
        menu = w.menus["view"].addMenu("")
        menu.setObjectName("annotationMenu")
        self.menu = menu
        menu.addActions(
            [
                self.pen_action,
                self.colour_action,
                self.eraser_action,
                self.clear_action,
                self.clear_on_step_action,
            ]
        )
        w.state.sigStepChanged.connect(self._on_step_changed)
        w.state.sigResultsChanged.connect(self._on_results_changed)
        w.add_retranslate_hook(self.retranslate_ui)

    def retranslate_ui(self) -> None:
        self.menu.setTitle(tr("Annotation"))
        set_action_text(self.pen_action, tr("Pen"), tr("Draw over the matrices (P)"))
        colour = tr(PEN_COLOURS[self.layer.colour][0])
        set_action_text(
            self.colour_action,
            tr("Pen colour: {colour}").format(colour=colour),
            tr("Next pen colour (C)"),
        )
        set_action_text(self.eraser_action, tr("Eraser"), tr("Erase the strokes you touch (E)"))
        set_action_text(self.clear_action, tr("Clear the drawing"))
        set_action_text(self.clear_on_step_action, tr("Clear the drawing on every step"))

    def set_tool(self, tool: str) -> None:
        self.layer.set_tool(tool)
        self.pen_action.setChecked(tool == "pen")
        self.eraser_action.setChecked(tool == "eraser")

    def _on_pen(self) -> None:
        self.set_tool("pen" if self.pen_action.isChecked() else "")

    def _on_eraser(self) -> None:
        self.set_tool("eraser" if self.eraser_action.isChecked() else "")

    def next_colour(self) -> None:
        keys = list(PEN_COLOURS)
        self.layer.colour = keys[(keys.index(self.layer.colour) + 1) % len(keys)]
        if self.layer.tool != "pen":
            self.set_tool("pen")
        self.retranslate_ui()

    def _on_step_changed(self, _step: int) -> None:
        if self.clear_on_step_action.isChecked():
            self.layer.clear()

    def _on_results_changed(self) -> None:
        # New numbers: marks drawn on the old ones would point at the wrong cells.
        if self.clear_on_step_action.isChecked():
            self.layer.clear()


def install(window: QWidget) -> None:
    window.annotation = Annotation(window)  # type: ignore[attr-defined]

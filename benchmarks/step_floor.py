"""What a step could cost: the app's 16×16 max-pooling step against a floor frame.

Run it from the top of the checkout::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/step_floor.py

The floor frame is not the app.  It is a window of the same size showing what a step of the
app's default layout shows at 16×16 (X as a heat map with its close-up, Y as an 8×8 table,
the argmax mask as a heat map with its close-up, dY as a table, an arrow from the window to
the output cell, the step counter and the arithmetic line, beside a side panel of controls),
where every view paints from pictures made once per edit (a whole table, a close-up's whole
matrix at its cell size, a heat map's scaled image) and a step only moves outlines, slices a
close-up's picture and sets two label texts.  Both are stepped alternately in the same run,
each step flushed as ``gui_bench.paint_pending`` does (two ``processEvents``), so the ratio
between them says how much of the app's step is its own machinery (item models and headers,
per-cell painting, pyqtgraph scenes, highlight bookkeeping) rather than Qt's painting.
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from PySide6.QtCore import QPoint, QPointF, QRect, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QWidget,
)

Box = tuple[int, int, int, int]  # top, left, bottom, right (inclusive)
HIGHLIGHT = QColor(255, 160, 0)


def cell_colour(t: float) -> QColor:
    return QColor(int(255 - 200 * t), int(255 - 150 * t), 255)


def table_picture(values: np.ndarray, cell: int, font_px: int, header: int) -> QPixmap:
    """The whole matrix as the app draws a table: coloured cells, numbers, grid, headers."""
    rows, cols = values.shape
    picture = QPixmap(cols * cell + header, rows * cell + header)
    picture.fill(QColor(255, 255, 255))
    painter = QPainter(picture)
    font = QFont()
    font.setPixelSize(font_px)
    painter.setFont(font)
    low, span = float(values.min()), float(np.ptp(values)) or 1.0
    for r in range(rows):
        for c in range(cols):
            rect = QRect(header + c * cell, header + r * cell, cell, cell)
            painter.fillRect(rect, cell_colour((values[r, c] - low) / span))
            painter.setPen(QColor(200, 200, 200))
            painter.drawRect(rect)
            painter.setPen(QColor(0, 0, 0))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{values[r, c]:g}")
    painter.end()
    return picture


class Outlined(QWidget):
    """A picture with the step's cells outlined over it (a table or a heat map)."""

    def __init__(self, picture: QPixmap, cell: int, header: int = 0) -> None:
        super().__init__()
        self.picture, self.cell, self.header = picture, cell, header
        self.box: Box | None = None
        self.setFixedSize(picture.size())

    def rect_of(self, box: Box) -> QRect:
        top, left, bottom, right = box
        c, h = self.cell, self.header
        return QRect(
            h + left * c - 3,
            h + top * c - 3,
            (right - left + 1) * c + 6,
            (bottom - top + 1) * c + 6,
        )

    def set_box(self, box: Box) -> None:
        if box == self.box:
            return
        if self.box is not None:
            self.update(self.rect_of(self.box))
        self.box = box
        self.update(self.rect_of(box))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        dirty = event.rect()
        painter.drawPixmap(dirty, self.picture, dirty)
        if self.box is not None:
            painter.setPen(QPen(HIGHLIGHT, 3))
            painter.drawRect(self.rect_of(self.box).adjusted(2, 2, -2, -2))
        painter.end()


class CloseUp(QWidget):
    """``rows``×``cols`` cells of the whole matrix's picture at the close-up's cell size."""

    def __init__(self, values: np.ndarray, cell: int, font_px: int, rows: int, cols: int) -> None:
        super().__init__()
        self.picture = table_picture(values, cell, font_px, 0)
        self.cell, self.rows, self.cols = cell, rows, cols
        self.origin, self.box = (0, 0), None
        self.header_font = QFont()
        self.header_font.setPixelSize(10)
        self.setFixedSize(cols * cell + 20, rows * cell + 14)

    def show_box(self, origin: tuple[int, int], box: Box) -> None:
        if (origin, box) != (self.origin, self.box):
            self.origin, self.box = origin, box
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        c, (top, left) = self.cell, self.origin
        source = QRect(left * c, top * c, self.cols * c, self.rows * c)
        painter.drawPixmap(QPoint(20, 14), self.picture, source)
        painter.setFont(self.header_font)
        painter.setPen(QColor(60, 60, 60))
        for i in range(self.cols):
            painter.drawText(
                QRect(20 + i * c, 0, c, 14), Qt.AlignmentFlag.AlignCenter, str(left + i)
            )
        for i in range(self.rows):
            painter.drawText(
                QRect(0, 14 + i * c, 20, c), Qt.AlignmentFlag.AlignCenter, str(top + i)
            )
        if self.box is not None:
            b_top, b_left, b_bottom, b_right = self.box
            painter.setPen(QPen(HIGHLIGHT, 3))
            x, y = 20 + (b_left - left) * c, 14 + (b_top - top) * c
            painter.drawRect(QRect(x, y, (b_right - b_left + 1) * c, (b_bottom - b_top + 1) * c))
        painter.end()


def heat_picture(values: np.ndarray, px: int) -> QPixmap:
    t = (values - values.min()) / (float(np.ptp(values)) or 1.0)
    rgb = np.dstack([255 - 200 * t, 255 - 150 * t, np.full_like(t, 255)]).astype(np.uint8).copy()
    rows, cols = values.shape
    image = QImage(rgb.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image.scaled(cols * px, rows * px))


class Arrow(QWidget):
    """The step arrow over the views; it dirties only the bands along its old and new path."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.path = QPainterPath()

    def set_ends(self, a: QPointF, b: QPointF) -> None:
        self._dirty(self.path)
        path = QPainterPath(a)
        over = min(a.y(), b.y()) - 30
        path.lineTo(a.x(), over)
        path.lineTo(b.x(), over)
        path.lineTo(b)
        self.path = path
        self._dirty(path)

    def _dirty(self, path: QPainterPath) -> None:
        points = [path.elementAt(i) for i in range(path.elementCount())]
        for p, q in itertools.pairwise(points):
            corner = QPoint(int(min(p.x, q.x)) - 6, int(min(p.y, q.y)) - 6)
            self.update(QRect(corner, QPoint(int(max(p.x, q.x)) + 6, int(max(p.y, q.y)) + 6)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(0, 0, 0), 6))
        painter.drawPath(self.path)
        painter.setPen(QPen(HIGHLIGHT, 4))
        painter.drawPath(self.path)
        painter.end()


class FloorFrame(QWidget):
    """The frame of a 16×16 max-pooling step (2×2 windows, stride 2), painted from pictures."""

    def __init__(self, x: np.ndarray) -> None:
        super().__init__()
        self.x = x
        y = x.reshape(8, 2, 8, 2).max(axis=(1, 3))
        mask = np.zeros_like(x)
        self.resize(1366, 768)
        outer = QHBoxLayout(self)
        side = QWidget()
        controls = QGridLayout(side)
        for i in range(12):
            controls.addWidget(QLabel(f"Parameter {i}"), i, 0)
            controls.addWidget(QSpinBox(), i, 1)
            controls.addWidget(QComboBox(), i, 2)
        side.setFixedWidth(390)
        outer.addWidget(side)
        area = QWidget()
        outer.addWidget(area, 1)
        grid = QGridLayout(area)
        self.x_map = Outlined(heat_picture(x, 6), 6)
        self.x_close = CloseUp(x, 22, 12, 6, 6)
        self.y_table = Outlined(table_picture(y, 30, 18, 15), 30, 15)
        self.mask_map = Outlined(heat_picture(mask, 6), 6)
        self.mask_close = CloseUp(mask, 18, 11, 5, 5)
        dy_table = Outlined(table_picture(np.ones((8, 8)), 30, 18, 15), 30, 15)
        for column, (title, first, second) in enumerate(
            (
                ("Input X (16×16)", self.x_map, self.x_close),
                ("Output Y (8×8)", self.y_table, None),
                ("Argmax mask", self.mask_map, self.mask_close),
            )
        ):
            grid.addWidget(QLabel(title), 0, column)
            grid.addWidget(first, 1, column)
            if second is not None:
                grid.addWidget(second, 2, column)
        grid.addWidget(dy_table, 3, 1)
        font = QFont()
        font.setPixelSize(20)
        self.counter, self.arithmetic = QLabel(), QLabel()
        for label in (self.counter, self.arithmetic):
            label.setFont(font)
        grid.addWidget(self.counter, 4, 2)
        grid.addWidget(self.arithmetic, 5, 0, 1, 3)
        self.area = area
        self.arrow = Arrow(area)

    def place_arrow(self) -> None:
        self.arrow.resize(self.area.size())
        self.arrow.raise_()

    def step(self, k: int) -> None:
        k %= 64
        r, c = divmod(k, 8)
        box = (2 * r, 2 * c, 2 * r + 1, 2 * c + 1)
        window = self.x[box[0] : box[2] + 1, box[1] : box[3] + 1]
        wr, wc = np.unravel_index(int(np.argmax(window)), window.shape)
        winner = (box[0] + int(wr), box[1] + int(wc))
        self.x_map.set_box(box)
        self.x_close.show_box((min(max(0, 2 * r - 2), 10), min(max(0, 2 * c - 2), 10)), box)
        self.y_table.set_box((r, c, r, c))
        self.mask_map.set_box(winner * 2)
        self.mask_close.show_box(
            (min(max(0, 2 * r - 2), 11), min(max(0, 2 * c - 2), 11)), winner * 2
        )
        start = self.x_map.mapTo(self.area, self.x_map.rect_of(box).center())
        end = self.y_table.mapTo(self.area, self.y_table.rect_of((r, c, r, c)).center())
        self.arrow.set_ends(QPointF(start), QPointF(end))
        self.counter.setText(f"Forward {k + 1} / 64")
        terms = ", ".join(f"{v:g}" for v in window.ravel())
        self.arithmetic.setText(f"max({terms}) = {window.max():g}")


def timed(step: Callable[[int], None], app: QApplication, i: int) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    step(i)
    app.processEvents()
    app.processEvents()
    return time.perf_counter() - t0, time.process_time() - c0


def main() -> None:
    import pyqtgraph as pg

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    app = QApplication.instance() or QApplication(["step_floor"])
    from benchmarks.gui_bench import int_matrix, settle
    from visualizer.main_window import MainWindow

    x = int_matrix(16)
    floor = FloorFrame(x)
    floor.show()
    app.processEvents()
    floor.place_arrow()
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    st = window.state
    st.set_input(x)
    st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(0)
    settle(app, window)

    def app_step(k: int) -> None:
        st.set_step((k + 1) % st.n_steps)

    results: dict[str, list[tuple[float, float]]] = {"floor frame": [], "app": []}
    for i in range(2 * 150 + 8):
        name, step = ("floor frame", floor.step) if i % 2 == 0 else ("app", app_step)
        times = timed(step, app, i // 2)
        if i >= 8:
            results[name].append(times)
    medians = {}
    for name, times in results.items():
        wall = 1000 * statistics.median(t[0] for t in times)
        cpu = 1000 * statistics.median(t[1] for t in times)
        medians[name] = wall
        print(f"{name:12s} step 16×16: wall {wall:6.2f} ms, CPU {cpu:6.2f} ms ({len(times)} steps)")
    print(f"app / floor frame: {medians['app'] / medians['floor frame']:.1f}×")


if __name__ == "__main__":
    main()

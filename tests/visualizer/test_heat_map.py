"""The heat map paints its picture, frames, cross-hairs and "?" itself (no graphics scene):
where a cell is on screen, what a moved frame repaints, what the mouse says."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, Qt
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QApplication

from visualizer.widgets.matrix_view import _HeatMap


class PaintRegions(QObject):
    """The regions of the paint events a widget gets."""

    def __init__(self) -> None:
        super().__init__()
        self.regions: list[QRegion] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.regions.append(QRegion(event.region()))
        return False


def shown_map(qtbot, shape=(4, 8), size=(300, 200)) -> _HeatMap:
    heat = _HeatMap()
    qtbot.addWidget(heat)
    heat.resize(*size)
    heat.show()
    qtbot.waitExposed(heat)
    values = np.arange(float(np.prod(shape))).reshape(shape)
    heat.set_values(values, (0.0, float(values.size)), diverging=False)
    QApplication.processEvents()
    return heat


def test_cells_sit_where_pyqtgraphs_view_box_put_them(qtbot):
    """MARGIN pixels inside the widget, 2 % of the matrix's size around it, square cells,
    centred: the place the views' layouts were fitted to (measured on pyqtgraph's widget:
    a 4×8 matrix in 300×200 pixels spans x 14.4–285.6, y 32.2–167.8)."""
    heat = shown_map(qtbot)
    whole = heat.cells_rect(0, 0, 4, 8)
    assert whole.left() == pytest.approx(14.42, abs=0.05)
    assert whole.right() == pytest.approx(285.58, abs=0.05)
    assert whole.top() == pytest.approx(32.21, abs=0.05)
    assert whole.bottom() == pytest.approx(167.79, abs=0.05)
    assert whole.width() / 8 == pytest.approx(whole.height() / 4)  # square cells
    heat.resize(200, 300)  # now the width decides
    whole = heat.cells_rect(0, 0, 4, 8)
    assert whole.left() == pytest.approx(12.50, abs=0.05)
    assert whole.width() == pytest.approx(175.0, abs=0.05)


def test_the_mouse_names_the_cell_under_it(qtbot):
    heat = shown_map(qtbot)
    hovered: list[tuple[int, int]] = []
    clicked: list[tuple[int, int]] = []
    heat.sigHovered.connect(lambda r, c: hovered.append((r, c)))
    heat.sigClicked.connect(lambda r, c: clicked.append((r, c)))
    cell = heat.cells_rect(2, 5, 3, 6).center()
    qtbot.mouseMove(heat, cell.toPoint())
    assert hovered[-1] == (2, 5)
    qtbot.mouseClick(heat, Qt.MouseButton.LeftButton, pos=cell.toPoint())
    assert clicked == [(2, 5)]
    qtbot.mouseMove(heat, QPoint(3, 3))  # the margin: no cell
    assert hovered[-1] == (-1, -1)
    assert heat.cell_at(QPointF(heat.cells_rect(3, 7, 4, 8).center())) == (3, 7)
    qtbot.mouseClick(heat, Qt.MouseButton.LeftButton, pos=QPoint(3, 3))
    assert clicked == [(2, 5)]


def test_a_moved_frame_repaints_where_it_was_and_is_not_the_whole_map(qtbot):
    """A step moves the window's frame: the map repaints the strips the frames, cross-hairs
    and their pens cover, old and new, and copies its scaled picture (made once) there."""
    heat = shown_map(qtbot, shape=(16, 16), size=(360, 360))
    heat.set_marks([(0, 0), (0, 1), (1, 0), (1, 1)], [(0, 1)])
    QApplication.processEvents()
    made = heat._base
    spy = PaintRegions()
    heat.installEventFilter(spy)
    heat.set_marks([(0, 2), (0, 3), (1, 2), (1, 3)], [(1, 3)])
    QApplication.processEvents()
    assert spy.regions, "the moved frame was not painted"
    painted = QRegion()
    for region in spy.regions:
        painted = painted.united(region)
    old = heat.cells_rect(0, 0, 2, 2).toAlignedRect()
    new = heat.cells_rect(0, 2, 2, 4).toAlignedRect()
    assert painted.contains(old) and painted.contains(new)
    far = heat.cells_rect(12, 6, 13, 7).toAlignedRect()  # away from frames and cross-hairs
    assert not painted.intersects(far)
    assert heat._base is made  # the picture was copied, not scaled again


def repaint(heat: _HeatMap) -> None:
    heat.update()
    QApplication.processEvents()


def test_a_picture_painted_twice_is_kept_and_any_change_paints_another(qtbot):
    """The picture scaled to the widget is kept once the same one is painted a second time
    (a step moving frames over X); new values (a mask "so far" on every step), a new
    background or a new size are painted straight away, and kept when painted again."""
    heat = shown_map(qtbot)
    repaint(heat)
    assert heat._base is not None
    kept_key, kept = heat._base
    assert heat._base_seen == kept_key
    for change in (
        lambda: heat.set_values(np.ones((4, 8)), (0.0, 2.0), diverging=False),
        lambda: heat.setBackground((10, 20, 30)),
        lambda: heat.resize(320, 240),
    ):
        change()
        QApplication.processEvents()
        assert heat._base_seen != kept_key  # painted from the new state
        assert heat._base[1] is kept  # not from the picture kept before
        repaint(heat)
        assert heat._base[0] == heat._base_seen and heat._base[1] is not kept
        kept_key, kept = heat._base
    assert heat.backgroundBrush().color().getRgb()[:3] == (10, 20, 30)


def test_the_asked_cell_shows_a_question_mark_over_it(qtbot):
    heat = shown_map(qtbot)
    heat.set_asked((1, 6))
    assert heat.asked_item.isVisible() and heat.asked_item.pos() == QPointF(6.5, 1.5)
    spy = PaintRegions()
    heat.installEventFilter(spy)
    heat.set_asked(None)
    QApplication.processEvents()
    assert not heat.asked_item.isVisible()
    centre = heat.cells_rect(1, 6, 2, 7).center().toPoint()
    assert any(region.contains(centre) for region in spy.regions)  # where it was, cleared

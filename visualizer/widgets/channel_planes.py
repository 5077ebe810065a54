"""Several input channels of one tensor side by side (a multi-channel convolution).

A :class:`PlaneGroup` holds a tensor's main view (its objectName kept, e.g. ``inputMatrix``)
and, when the trace reads several input planes, more views of the other channels, laid out in
channel order: two side by side, three or four in a 2 × 2 grid.  Which channels are shown
comes from the state (``AppState.shown_channels``); the group only places the views.

A convolution with several output channels adds, in the backward phase, a term per output
channel to every dX cell: its dY and kernel slices (``W[o, c]``) are shown too, as the
group's out views (``outs``, keyed ``(o, c)``; ``AppState.shown_out_channels``), each
output channel's planes a block of their own, in output-channel order.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPaintEvent, QPalette, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.widgets.matrix_view import TITLE_POINTS, MatrixView

ROW_MOST = 4  # planes of several output channels in one row at most (else blocks of rows)


class PlaneGroup(QWidget):
    """The views of one tensor's input channels; ``primary`` shows the chosen channel."""

    def __init__(self, primary: MatrixView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{primary.objectName()}Planes")
        self.primary = primary
        self.extras: list[MatrixView] = []
        self.channels: dict[int, MatrixView] = {}  # shown channel -> its view
        self.on_extra: Callable[[MatrixView], None] | None = None  # wires a new extra view
        # Other output channels' planes, by (output channel, input channel): read only.
        self.out_extras: list[MatrixView] = []
        self.outs: dict[tuple[int, int], MatrixView] = {}
        self.row_planes = 1  # planes side by side in a row of the group's grid
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        # More channels than fit: which block of them is shown (made by the owner).
        self.selector: QComboBox | None = None
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(6)
        layout.addLayout(self.grid, 1)

    def add_selector(self, selector: QComboBox) -> None:
        self.selector = selector
        self.layout().insertWidget(0, selector)  # type: ignore[union-attr]
        selector.hide()

    def show_channels(
        self,
        channels: list[int],
        chosen: int,
        own: int = 0,
        outs: list[tuple[int, int]] | None = None,
        in_first: bool = False,
    ) -> None:
        """Show ``channels`` in order; the primary view shows ``chosen`` (one of them);
        ``outs``: other output channels' planes ``(o, c)``, each output channel's a block
        (``own`` is the output channel of ``channels``), in output-channel order; in one
        row, input channel first with ``in_first`` (see :meth:`ordered`)."""
        self.assign(channels, chosen)
        self.assign_outs(outs or [])
        for view in (self.primary, *self.extras, *self.out_extras):
            self.grid.removeWidget(view)
        columns = 2 if len(channels) > 1 else 1
        block_rows = -(-len(channels) // columns)
        blocks = sorted({o for o, _ in self.outs} | {own})
        self.row_planes = columns
        for b, o in enumerate(blocks):
            keys = channels if o == own else [c for (p, c) in self.outs if p == o]
            for k, channel in enumerate(keys):
                view = self.channels[channel] if o == own else self.outs[(o, channel)]
                if len(channels) == 1:  # one plane per output channel: side by side
                    self.grid.addWidget(view, 0, b)
                    self.row_planes = len(blocks)
                elif len(channels) + len(self.outs) <= ROW_MOST:
                    # In one row: stacked, a kernel's rows in the normal layout's short
                    # rows left heat maps of 4 px cells (preset 09's W[0,0] .. W[1,1]).
                    at = k * len(blocks) + b if in_first else b * len(channels) + k
                    self.grid.addWidget(view, 0, at)
                    self.row_planes = len(channels) * len(blocks)
                else:
                    self.grid.addWidget(view, b * block_rows + k // columns, k % columns)
        for extra in self.extras:
            extra.setVisible(extra in self.channels.values())
        for extra in self.out_extras:
            extra.setVisible(extra in self.outs.values())
        self.primary.setVisible(True)

    def assign_outs(self, keys: list[tuple[int, int]]) -> None:
        """Which out view shows which other output channel's plane ``(o, c)`` (not placed)."""
        while len(self.out_extras) < len(keys):
            name = f"{self.primary.objectName()}Out{len(self.out_extras) + 1}"
            extra = MatrixView("", name)
            extra.setParent(self)
            extra.legend.hide()  # on the main view's colour levels, as the other planes
            extra.set_editable(False)
            self.out_extras.append(extra)
            if self.on_extra is not None:
                self.on_extra(extra)
        self.outs = dict(zip(keys, self.out_extras, strict=False))

    def ordered(self, own: int, in_first: bool = False) -> list[MatrixView]:
        """Every plane shown, in (output channel, input channel) order, or input channel
        first with ``in_first`` (the order of the weight's index, as the planes are titled:
        conv_transpose2d's W[c, o]); ``own`` is the output channel of :attr:`channels`."""
        keyed = {(own, c): v for c, v in self.channels.items()}
        keyed.update(self.outs)
        order = sorted(keyed, key=lambda k: (k[1], k[0]) if in_first else k)
        return [keyed[k] for k in order]

    def assign(self, channels: list[int], chosen: int) -> None:
        """Which view shows which of ``channels`` (the primary ``chosen``), without placing
        them (the lecture layout puts them in its row)."""
        others = [c for c in channels if c != chosen]
        while len(self.extras) < len(others):
            extra = MatrixView("", f"{self.primary.objectName()}Plane{len(self.extras) + 1}")
            extra.setParent(self)
            extra.legend.hide()  # the planes share the main view's colour levels and legend
            self.extras.append(extra)
            if self.on_extra is not None:
                self.on_extra(extra)
        views = dict(zip(others, self.extras, strict=False))
        views[chosen] = self.primary
        self.channels = {channel: views[channel] for channel in channels}

    def release(self) -> None:
        """Let go of every view (the main one goes back to the panel's grid on its own)."""
        for view in (self.primary, *self.extras, *self.out_extras):
            self.grid.removeWidget(view)
        for extra in (*self.extras, *self.out_extras):
            extra.hide()
        self.channels = {}
        self.outs = {}

    def shown_extras(self) -> dict[int, MatrixView]:
        """The extra views shown, by channel."""
        return {c: v for c, v in self.channels.items() if v is not self.primary}

    def channel_of(self, view: MatrixView) -> int | None:
        for channel, shown in self.channels.items():
            if shown is view:
                return channel
        return None


class _StepButton(QToolButton):
    """A button with a triangle pointing left (``direction`` -1) or right (1), drawn in the
    palette's button text colour (the style's arrows were 6 px beside 22 px titles)."""

    def __init__(self, direction: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.direction = direction

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        group = QPalette.ColorGroup.Normal if self.isEnabled() else QPalette.ColorGroup.Disabled
        painter.setBrush(self.palette().color(group, QPalette.ColorRole.ButtonText))
        painter.setPen(Qt.PenStyle.NoPen)
        rect = self.rect()
        half = min(rect.width(), rect.height()) * 0.22
        c = QPointF(rect.center()) + QPointF(0.5, 0.5)
        tip, back = c.x() + self.direction * half, c.x() - self.direction * half * 0.8
        points = [QPointF(tip, c.y()), QPointF(back, c.y() - half), QPointF(back, c.y() + half)]
        painter.drawPolygon(QPolygonF(points))
        painter.end()


class ChannelBlockBar(QWidget):
    """The flowing layouts' choice of the block of input channels shown (more than
    PLANES_MAX): previous and next buttons around which block it is, "Input channels 4–5
    (6 in all)".  The lecture layout hides the side panel and the normal layout's selector
    (the planes stand in its rows, not in their group); its font follows the titles'."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("channel_block_bar")
        self.previous_block_button = _StepButton(-1, self)
        self.previous_block_button.setObjectName("previous_block_button")
        self.block_label = QLabel(self)
        self.block_label.setObjectName("channel_block_label")
        self.next_block_button = _StepButton(1, self)
        self.next_block_button.setObjectName("next_block_button")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.previous_block_button)
        layout.addWidget(self.block_label)
        layout.addWidget(self.next_block_button)
        font = QFont()
        font.setPointSizeF(TITLE_POINTS)
        self.setFont(font)  # → _size_buttons

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._size_buttons()

    def _size_buttons(self) -> None:
        """Buttons as high as the text: a click target that grows with the lecture's titles."""
        side = QFontMetrics(self.font()).height() + 8
        for button in (self.previous_block_button, self.next_block_button):
            button.setFixedSize(side, side)

"""Several input channels of one tensor side by side (a multi-channel convolution).

A :class:`PlaneGroup` holds a tensor's main view (its objectName kept, e.g. ``inputMatrix``)
and, when the trace reads several input planes, more views of the other channels, laid out in
channel order: two side by side, three or four in a 2 × 2 grid.  Which channels are shown
comes from the state (``AppState.shown_channels``); the group only places the views.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QComboBox, QGridLayout, QVBoxLayout, QWidget

from visualizer.widgets.matrix_view import MatrixView


class PlaneGroup(QWidget):
    """The views of one tensor's input channels; ``primary`` shows the chosen channel."""

    def __init__(self, primary: MatrixView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"{primary.objectName()}Planes")
        self.primary = primary
        self.extras: list[MatrixView] = []
        self.channels: dict[int, MatrixView] = {}  # shown channel -> its view
        self.on_extra: Callable[[MatrixView], None] | None = None  # wires a new extra view
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

    def show_channels(self, channels: list[int], chosen: int) -> None:
        """Show ``channels`` in order; the primary view shows ``chosen`` (one of them)."""
        self.assign(channels, chosen)
        for view in (self.primary, *self.extras):
            self.grid.removeWidget(view)
        columns = 2 if len(channels) > 1 else 1
        for k, channel in enumerate(channels):
            self.grid.addWidget(self.channels[channel], k // columns, k % columns)
        for extra in self.extras:
            extra.setVisible(extra in self.channels.values())
        self.primary.setVisible(True)

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
        for view in (self.primary, *self.extras):
            self.grid.removeWidget(view)
        for extra in self.extras:
            extra.hide()
        self.channels = {}

    def shown_extras(self) -> dict[int, MatrixView]:
        """The extra views shown, by channel."""
        return {c: v for c, v in self.channels.items() if v is not self.primary}

    def channel_of(self, view: MatrixView) -> int | None:
        for channel, shown in self.channels.items():
            if shown is view:
                return channel
        return None

"""The Presets menu, its toolbar button and the dock that explains the loaded preset.

Presets come from :mod:`visualizer.presets`; loading one is a single undoable state edit.
The dock shows the preset's title and paragraph, and notes when the data has been changed
since, so a student does not read an explanation of numbers that are no longer there.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.presets import Preset, apply_preset, list_presets, load_preset, presets_dir
from visualizer.state import AppState, Snapshot


def glyph_icon(text: str, color: str = "#404040") -> QIcon:
    """A toolbar icon drawn from one character (the assets hold no icon files yet)."""
    icon = QIcon()
    for size in (22, 44):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        font = QFont()
        font.setPixelSize(int(size * 0.78))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(color))
        painter.drawText(pixmap.rect(), Qt.AlignCenter, text)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class PresetDock(QDockWidget):
    """Title and explanation of the preset loaded last."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Preset", parent)
        self.setObjectName("presetDock")
        self.state = state
        self.preset: Preset | None = None
        self._loaded: Snapshot | None = None

        self.explanation_label = QLabel("Choose a preset from the Presets menu.")
        self.explanation_label.setObjectName("presetExplanation")
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setTextFormat(Qt.RichText)
        self.explanation_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.explanation_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = self.explanation_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.explanation_label.setFont(font)
        self.changed_label = QLabel("The data has changed since this preset was loaded.")
        self.changed_label.setObjectName("presetChanged")
        self.changed_label.setWordWrap(True)
        italic = self.changed_label.font()
        italic.setItalic(True)
        self.changed_label.setFont(italic)
        self.changed_label.hide()

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(8, 4, 8, 8)
        layout.addWidget(self.explanation_label)
        layout.addWidget(self.changed_label)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.NoFrame)
        self.setWidget(scroll)
        self.setMinimumHeight(70)
        state.sigDataChanged.connect(self._on_data_changed)

    def show_preset(self, preset: Preset) -> None:
        self.preset = preset
        self._loaded = self.state.snapshot()
        self.setWindowTitle(f"Preset: {preset.key}")
        # Title inline with the paragraph: at the bottom of a 768-pixel screen every line counts.
        self.explanation_label.setText(
            f"<b>{html.escape(preset.title)}.</b>&nbsp; {html.escape(preset.explanation)}"
        )
        self.changed_label.hide()
        self.show()
        self.raise_()
        window = self.parentWidget()
        if isinstance(window, QMainWindow) and not self.isFloating():
            lines = max(2, self.explanation_label.heightForWidth(self.width() - 24))
            window.resizeDocks([self], [min(lines + 34, 160)], Qt.Vertical)

    def _on_data_changed(self) -> None:
        if self._loaded is None:
            return
        self.changed_label.setVisible(not _same_data(self._loaded, self.state.snapshot()))


def _same_data(a: Snapshot, b: Snapshot) -> bool:
    """Whether two snapshots show the same computation (the plane shown does not matter)."""
    return (
        a.op == b.op
        and a.params == b.params
        and a.x.shape == b.x.shape
        and np.array_equal(a.x, b.x)
        and (
            a.op != "conv"
            or (a.weight.shape == b.weight.shape and np.array_equal(a.weight, b.weight))
        )
    )


class PresetsController:
    """Builds the menu, the toolbar button and the dock, and loads presets into the state."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.state: AppState = window.state
        self.dock = PresetDock(self.state, window)
        # A strip under the matrices: a paragraph reads best in long lines, and the matrices
        # need the width more than the last few rows of height.
        window.addDockWidget(Qt.BottomDockWidgetArea, self.dock)
        self.dock.hide()

        self.menu = QMenu("&Presets", window)
        self.menu.setObjectName("presetsMenu")
        self.menu.setToolTipsVisible(True)
        window.menuBar().insertMenu(window.menus["help"].menuAction(), self.menu)
        window.menus["presets"] = self.menu
        self.preset_actions: dict[str, QAction] = {}
        for path in list_presets():
            self.menu.addAction(self._preset_action(path))
        self.menu.addSeparator()
        self.open_action = QAction("Open preset file…", window)
        self.open_action.setObjectName("openPresetAction")
        self.open_action.setToolTip("Load a preset JSON file of your own")
        self.open_action.triggered.connect(self._on_open_file)
        self.menu.addAction(self.open_action)
        toggle = self.dock.toggleViewAction()
        toggle.setText("Show preset explanation")
        toggle.setObjectName("presetDockAction")
        self.menu.addAction(toggle)

        self.tool_action = QAction(glyph_icon("☰", "#2a6fb0"), "Presets", window)
        self.tool_action.setObjectName("presetsToolAction")
        self.tool_action.setToolTip(
            "Presets: classic examples for a lecture (Alt+P opens the menu)"
        )
        self.tool_action.setMenu(self.menu)
        window.toolbar.addAction(self.tool_action)
        button = window.toolbar.widgetForAction(self.tool_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.InstantPopup)

    def _preset_action(self, path: Path) -> QAction:
        action = QAction(path.stem, self.window)
        action.setObjectName(f"preset_{path.stem}")
        try:
            preset = load_preset(path)
        except ValueError as exc:
            # A broken file stays visible (so it gets fixed) but cannot be chosen.
            action.setText(f"{path.stem} (broken)")
            action.setToolTip(str(exc))
            action.setEnabled(False)
        else:
            action.setText(preset.title)
            action.setToolTip(preset.explanation.split(". ")[0].rstrip(".") + ".")
        action.triggered.connect(lambda _=False, p=path: self.load(p))
        self.preset_actions[path.stem] = action
        return action

    def load(self, path: str | Path) -> bool:
        """Load the preset file at ``path`` (read again, so edits to the file show at once)."""
        try:
            preset = load_preset(path)
        except ValueError as exc:
            self.window.statusBar().showMessage(f"Preset not loaded: {exc}", 10000)
            return False
        if not apply_preset(self.state, preset):
            return False  # the state reported why through sigError
        self.dock.show_preset(preset)
        self.window.statusBar().showMessage(f"Loaded preset: {preset.title} (Ctrl+Z undoes)", 5000)
        return True

    def _on_open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, "Open preset", str(presets_dir()), "Presets (*.json)"
        )
        if path:
            self.load(path)


def install(window: QMainWindow) -> None:
    """Add the Presets menu (before Help), its toolbar button and the explanation dock."""
    window.presets = PresetsController(window)

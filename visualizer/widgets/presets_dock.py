"""The Presets menu, its toolbar button and the dock that explains the loaded preset.

Presets come from :mod:`visualizer.presets`; loading one is a single undoable state edit.
The dock shows the preset's title and paragraph, and notes when the data has been changed
since, so a student does not read an explanation of numbers that are no longer there.
"""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QPainter
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

from visualizer.i18n import set_action_text, tr
from visualizer.presets import Preset, apply_preset, list_presets, load_preset, presets_dir
from visualizer.state import AppState, Snapshot
from visualizer.ui import Retranslatable, painted_icon


def glyph_icon(text: str, color: str = "#404040") -> QIcon:
    """A toolbar icon drawn from one character (the assets hold no icon files yet)."""

    def paint(painter: QPainter) -> None:
        font = QFont()
        font.setPixelSize(17)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor(color))
        painter.drawText(QRectF(0, 0, 22, 22), Qt.AlignCenter, text)

    return painted_icon(paint)


class PresetDock(Retranslatable, QDockWidget):
    """Title and explanation of the preset loaded last."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presetDock")
        self.state = state
        self.preset: Preset | None = None
        self._loaded: Snapshot | None = None

        self.explanation_label = QLabel()
        self.explanation_label.setObjectName("presetExplanation")
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setTextFormat(Qt.RichText)
        self.explanation_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.explanation_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        font = self.explanation_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.1)
        self.explanation_label.setFont(font)
        self.changed_label = QLabel()
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
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.changed_label.setText(tr("The data has changed since this preset was loaded."))
        preset = self.preset
        if preset is None:
            self.setWindowTitle(tr("Preset"))
        else:
            # The preset's title in the current language, not its file name.
            self.setWindowTitle(tr("Preset: {name}").format(name=preset.display_title()))
        # A dock names its toggle action after its title; the Presets menu wants a verb.
        self.toggleViewAction().setText(tr("Show preset explanation"))
        if preset is None:
            self.explanation_label.setText(tr("Choose a preset from the Presets menu."))
            return
        # Title inline with the paragraph: at the bottom of a 768-pixel screen every line counts.
        title, text = preset.display_title(), preset.display_explanation()
        self.explanation_label.setText(
            tr("<b>{title}.</b>&nbsp; {explanation}").format(
                title=html.escape(title), explanation=html.escape(text)
            )
        )

    def show_preset(self, preset: Preset) -> None:
        self.preset = preset
        self._loaded = self.state.snapshot()
        self.retranslate_ui()
        self.changed_label.hide()
        self.show()
        self.raise_()
        window = self.parentWidget()
        if isinstance(window, QWidget) and not window.isVisible():
            # A preset opened from the command line comes before the window is shown, when
            # resizeDocks does not hold: the dock kept its 160 px cap for a 3-line paragraph,
            # pushing the Output size text out of the side panel at 1366×768.
            QTimer.singleShot(0, self._fit_height)
        self._fit_height()

    def _fit_height(self) -> None:
        """As high as the paragraph at the dock's width, at most 160 px."""
        window = self.parentWidget()
        if isinstance(window, QMainWindow) and self.isVisible() and not self.isFloating():
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
            not a.spec.has_weight
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

        self.menu = QMenu(window)
        self.menu.setObjectName("presetsMenu")
        self.menu.setToolTipsVisible(True)
        # The menu bar keeps this action: once the toolbar action below adopts the menu,
        # menu.menuAction() (and so menu.setTitle) means the toolbar action instead.
        self.menu_bar_action = window.menuBar().insertMenu(
            window.menus["help"].menuAction(), self.menu
        )
        window.menus["presets"] = self.menu
        self.preset_actions: dict[str, QAction] = {}
        # The files are read and checked when the menu first opens (see describe), not before
        # the window's first paint: 14 files, one a transposed convolution run to check its
        # sizes, were ~15-25 ms of every launch.
        self.described = False
        self.menu.aboutToShow.connect(self.describe)
        for path in list_presets():
            action = QAction(path.stem, window)
            action.setObjectName(f"preset_{path.stem}")
            action.setData(str(path))
            action.triggered.connect(lambda _=False, p=path: self.load(p))
            self.preset_actions[path.stem] = action
            self.menu.addAction(action)
        self.menu.addSeparator()
        self.open_action = QAction(window)
        self.open_action.setObjectName("openPresetAction")
        self.open_action.triggered.connect(self._on_open_file)
        self.menu.addAction(self.open_action)
        self.dock_action = self.dock.toggleViewAction()
        self.dock_action.setObjectName("presetDockAction")
        self.menu.addAction(self.dock_action)

        self.tool_action = QAction(glyph_icon("☰", "#2a6fb0"), "", window)
        self.tool_action.setObjectName("presetsToolAction")
        self.tool_action.setMenu(self.menu)
        window.toolbar.addAction(self.tool_action)
        button = window.toolbar.widgetForAction(self.tool_action)
        if isinstance(button, QToolButton):
            button.setPopupMode(QToolButton.InstantPopup)
        window.add_retranslate_hook(self.retranslate_ui)

    def retranslate_ui(self) -> None:
        self.menu_bar_action.setText(tr("&Presets"))
        if self.described:
            self.described = False
            self.describe()
        set_action_text(self.open_action, tr("Open preset file…"))
        self.open_action.setToolTip(tr("Load a preset JSON file of your own"))
        self.tool_action.setText(tr("Presets"))
        self.tool_action.setToolTip(
            tr("Presets: classic examples for a lecture (Alt+P opens the menu)")
        )

    def describe(self) -> None:
        """Name every preset's entry by its file's title, or say why the file is broken (once,
        and again in each new language); the menu calls it as it opens."""
        if self.described:
            return
        self.described = True
        for action in self.preset_actions.values():
            self._describe(action, Path(action.data()))

    @staticmethod
    def _describe(action: QAction, path: Path) -> None:
        """The menu entry of one preset file: its title and first sentence, or why it is broken."""
        try:
            preset = load_preset(path)
        except ValueError as exc:
            # A broken file stays visible (so it gets fixed) but cannot be chosen.
            action.setText(tr("{name} (broken)").format(name=path.stem))
            action.setToolTip(str(exc))
            action.setEnabled(False)
            return
        action.setEnabled(True)
        action.setText(preset.display_title())
        action.setToolTip(_first_sentence(preset.display_explanation()))

    def load(self, path: str | Path) -> bool:
        """Load the preset file at ``path`` (read again, so edits to the file show at once)."""
        try:
            preset = load_preset(path)
        except ValueError as exc:
            message = tr("Preset not loaded: {reason}").format(reason=exc)
            self.window.statusBar().showMessage(message, 10000)
            return False
        if not apply_preset(self.state, preset):
            return False  # the state reported why through sigError
        self.dock.show_preset(preset)
        message = tr("Loaded preset: {title} (Ctrl+Z undoes)")
        self.window.statusBar().showMessage(message.format(title=preset.display_title()), 5000)
        return True

    def _on_open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, tr("Open preset"), str(presets_dir()), tr("Presets (*.json)")
        )
        if path:
            self.load(path)


def _first_sentence(text: str) -> str:
    """The first sentence of a paragraph, for a tooltip (English or Chinese punctuation)."""
    if "。" in text:
        return text.split("。")[0] + "。"
    return text.split(". ")[0].rstrip(".") + "."


def install(window: QMainWindow) -> None:
    """Add the Presets menu (before Help), its toolbar button and the explanation dock."""
    window.presets = PresetsController(window)

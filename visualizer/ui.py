"""Small Qt pieces the window, its widgets and its features share: named window actions, texts
that follow a language switch, and toolbar icons painted in code."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QDockWidget, QWidget

Shortcut = str | QKeySequence | QKeySequence.StandardKey

#: The text colour of an error or a wrong answer (light theme), one spelling for every widget.
ERROR_COLOUR = "#b00020"


def add_action(
    window: QWidget,
    name: str,
    shortcut: Shortcut | None = None,
    slot: Callable[..., object] | None = None,
) -> QAction:
    """A new action of ``window`` (its shortcut works anywhere in the window), named ``name``.

    Its text and tooltip are set by the owner's ``retranslate_ui`` (see
    :func:`visualizer.i18n.set_action_text`), so that they follow a language switch.
    """
    action = QAction(window)
    action.setObjectName(name)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if slot is not None:
        action.triggered.connect(slot)
    window.addAction(action)
    return action


class Retranslatable:
    """Mixin for a widget whose texts are set by ``retranslate_ui``: a language switch (Qt's
    ``LanguageChange`` event) calls :meth:`language_changed`, which calls ``retranslate_ui``.

    Put it before the Qt class, ``class Panel(Retranslatable, QWidget)``, so that its
    ``changeEvent`` is the one Qt calls.
    """

    def retranslate_ui(self) -> None:
        raise NotImplementedError

    def language_changed(self) -> None:
        self.retranslate_ui()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.language_changed()
        super().changeEvent(event)  # type: ignore[misc]


class PanelDock(Retranslatable, QDockWidget):
    """A dock named ``object_name`` around one ``panel`` (kept as ``self.panel``); the
    subclass's ``retranslate_ui`` sets its title, here once and on every language switch."""

    def __init__(self, panel: QWidget, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.panel = panel
        self.setWidget(panel)
        self.retranslate_ui()


def painted_icon(paint: Callable[[QPainter], None]) -> QIcon:
    """A toolbar icon that ``paint`` draws on a transparent 22 × 22 canvas (antialiased; the
    canvas is scaled for the 44 px, high-DPI version)."""
    icon = QIcon()
    for size in (22, 44):
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.Antialiasing)
        painter.setRenderHint(QPainter.TextAntialiasing)
        painter.scale(size / 22, size / 22)
        paint(painter)
        painter.end()
        icon.addPixmap(pixmap)
    return icon

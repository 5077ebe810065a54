"""Small Qt pieces the window, its widgets and its features share: named window actions, and
texts that follow a language switch."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

Shortcut = str | QKeySequence | QKeySequence.StandardKey


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

"""View ▸ Language: English or 简体中文, switched at run time and remembered (visualizer/i18n.py).

The entries name each language in itself and are not translated, so someone who cannot read
the current language still finds their own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu

from visualizer.i18n import (
    CHINESE,
    ENGLISH,
    LANGUAGES,
    current_language,
    save_language,
    set_language,
    tr,
)

ACTION_NAMES = {ENGLISH: "languageEnglish", CHINESE: "languageChinese"}


class LanguageMenu:
    """The Language submenu; choosing an entry switches, and saves the choice for next time."""

    def __init__(self, window: Any) -> None:
        self.window = window
        view: QMenu = window.menus["view"]
        view.addSeparator()
        self.menu = view.addMenu("")
        self.menu.setObjectName("languageMenu")
        self.group = QActionGroup(self.menu)
        self.group.setExclusive(True)
        self.actions: dict[str, QAction] = {}
        for code, name in LANGUAGES.items():
            action = self.menu.addAction(name)
            action.setObjectName(ACTION_NAMES[code])
            action.setCheckable(True)
            action.setData(code)
            self.group.addAction(action)
            action.triggered.connect(lambda _=False, c=code: self.choose(c))
            self.actions[code] = action
        window.add_retranslate_hook(self.retranslate_ui)

    def choose(self, language: str) -> None:
        set_language(language)  # every widget retranslates before this returns
        save_language(language)

    def retranslate_ui(self) -> None:
        self.menu.setTitle(tr("&Language"))
        # Also when the language was set another way (the command line, a test).
        self.actions[current_language()].setChecked(True)


def install(window: Any) -> None:
    window.language_menu = LanguageMenu(window)

"""Small Qt pieces the window, its widgets and its features share: named window actions, texts
that follow a language switch, toolbar icons painted in code, and the bisection that sizes a
layout to its room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QFont, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QDockWidget, QWidget

Shortcut = str | QKeySequence | QKeySequence.StandardKey

#: The text colour of an error or a wrong answer (light theme), one spelling for every widget.
ERROR_COLOUR = "#b00020"

#: Qt's largest widget size (QWIDGETSIZE_MAX in C++; PySide6 does not export it): a widget's
#: maximum size when none is set.
QWIDGETSIZE_MAX = 16777215


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


class WindowFeature(QObject):
    """A feature of the main window (its actions, menus, docks and event filters), a child of
    ``window`` that keeps it as :attr:`window`.  ``window`` is typed ``Any``: the features
    reach into the main window, which imports them."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window


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


class BuiltWhenShown:
    """Mixin for a dock that makes its contents (``_build``) when it is first shown, not
    before the window's first paint: it starts hidden and is mostly never opened.  Every way
    of showing it (its toggle action, show(), a restored window state, a check it runs) comes
    through ``setVisible``; ``_built`` says whether the contents are made.

    Put it before the Qt class, ``class Panel(BuiltWhenShown, Retranslatable, QDockWidget)``.
    """

    _built = False

    def _build(self) -> None:
        raise NotImplementedError

    def setVisible(self, visible: bool) -> None:
        if visible and not self._built:
            self._built = True
            self._build()
        super().setVisible(visible)


class PanelDock(Retranslatable, QDockWidget):
    """A dock named ``object_name`` around one panel, made by ``make_panel`` when the dock is
    first shown or its :attr:`panel` first asked for; the subclass's ``retranslate_ui`` sets
    its title, here once and on every language switch.

    The docks start hidden and most are never opened: their panels (matrix views, combo boxes)
    were ~10 % of the window's build before its first paint.  A panel shows the state as it
    is when it is made, as one made at start-up would show it by then.
    """

    def __init__(
        self, make_panel: Callable[[], QWidget], object_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._make_panel: Callable[[], QWidget] | None = make_panel
        self._panel: QWidget | None = None
        self.retranslate_ui()

    @property
    def panel(self) -> QWidget:
        """The dock's panel, made now if it was not."""
        return self._panel if self._panel is not None else self._put_panel()

    def _put_panel(self) -> QWidget:
        make, self._make_panel = self._make_panel, None
        assert make is not None
        panel = self._panel = make()
        self.setWidget(panel)
        return panel

    @property
    def has_panel(self) -> bool:
        """Whether the panel was made (:attr:`panel` makes it)."""
        return self._panel is not None

    def setVisible(self, visible: bool) -> None:
        # Every way of showing a dock (its toggle action, show(), a restored window state)
        # comes here: the panel is in it before the dock is laid out and painted.
        if visible and self._panel is None:
            self._put_panel()
        super().setVisible(visible)


def set_font(widget: QWidget, font: QFont) -> None:
    """Give ``widget`` ``font`` unless it has an equal one: setFont with an equal font may
    still send a font change (Qt compares the resolve masks too), which lays the widget and
    its children out again."""
    if widget.font() != font:
        widget.setFont(font)


def largest_fitting(low: int, high: int, fits: Callable[[int], bool]) -> int:
    """The largest size in ``low .. high`` for which ``fits`` holds, by bisection; ``low`` when
    no larger one does (``fits(low)`` itself is never asked).

    ``fits`` must hold up to some size and fail above it, as a layout whose parts only grow
    with the size (a cell, a font's pixels) does.
    """
    while low < high:
        mid = (low + high + 1) // 2
        if fits(mid):
            low = mid
        else:
            high = mid - 1
    return low


def set_dock_texts(dock: QDockWidget, title: str, text: str, tip: str) -> QAction:
    """Set ``dock``'s title and the text and tooltip of its toggle action (which Qt names
    after the title); return the action."""
    dock.setWindowTitle(title)
    action = dock.toggleViewAction()
    action.setText(text)
    action.setToolTip(tip)
    return action


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

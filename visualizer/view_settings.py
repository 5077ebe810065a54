"""How things look: the theme and the colour palette, one object per application.

Views subscribe to its signals (a matrix view redraws on :attr:`ViewSettings.sigPaletteChanged`)
and read its properties when they draw; the View menu (visualizer/presentation.py) writes
through it and remembers the choice in QSettings.  Theme and palette are application-wide, as
Qt's own style and palette are: :func:`view_settings` returns the running application's
instance.

Themes: "system" (the platform's style and palette, untouched: the default), "light" and
"dark" (Fusion style with a fixed palette).  Palettes: "standard" and "colorblind" (the colour
maps and highlight colours of each are in visualizer/widgets/matrix_view.py).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QObject, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

THEMES = ("system", "light", "dark")
PALETTES = ("standard", "colorblind")
OBJECT_NAME = "viewSettings"


class ViewSettings(QObject):
    """The current theme and palette; setting one applies it and tells the views."""

    sigThemeChanged = Signal(str)
    sigPaletteChanged = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(OBJECT_NAME)
        self._theme = "system"
        self._palette = "standard"
        self._original: tuple[str, QPalette] | None = None  # the platform look, before any change

    @property
    def theme(self) -> str:
        return self._theme

    @property
    def palette(self) -> str:
        return self._palette

    def set_theme(self, name: str) -> None:
        """Set the application's style and palette; "system" brings back the platform look.
        A ``name`` not in :data:`THEMES` raises ``ValueError``."""
        if self._unchanged("theme", name, THEMES):
            return
        app = QApplication.instance()
        if isinstance(app, QApplication):
            if self._original is None:
                self._original = (app.style().name(), QPalette(app.palette()))
            if name == "system":
                app.setStyle(self._original[0])
                app.setPalette(self._original[1])
            else:
                app.setStyle("Fusion")
                app.setPalette(dark_palette() if name == "dark" else light_palette())
        self._theme = name
        self.sigThemeChanged.emit(name)

    def set_palette(self, name: str) -> None:
        """Switch the colour maps and highlight colours of every view.  A ``name`` not in
        :data:`PALETTES` raises ``ValueError``."""
        if self._unchanged("palette", name, PALETTES):
            return
        self._palette = name
        self.sigPaletteChanged.emit(name)

    def _unchanged(self, setting: str, name: str, choices: tuple[str, ...]) -> bool:
        if name not in choices:
            raise ValueError(f"{setting} ({name!r}) must be one of {', '.join(choices)}")
        return bool(name == getattr(self, setting))


def view_settings() -> ViewSettings:
    """The running application's view settings (made, with the defaults, on first use)."""
    app = QCoreApplication.instance()
    if app is None:  # a script or a test without Qt: one set of defaults for the process
        return _DETACHED
    settings = getattr(app, "_view_settings", None)
    if settings is None:
        settings = app.findChild(ViewSettings, OBJECT_NAME) or ViewSettings(app)
        app._view_settings = settings  # type: ignore[attr-defined]
    return settings


_DETACHED = ViewSettings()


def is_dark(widget: QWidget | None = None) -> bool:
    """Whether ``widget``'s palette (or the application's) has a dark window colour."""
    palette = widget.palette() if widget is not None else QApplication.palette()
    return palette.color(QPalette.Window).lightness() < 128


def dark_palette() -> QPalette:
    p = QPalette()
    window, base, text = QColor(45, 45, 48), QColor(30, 30, 32), QColor(232, 232, 232)
    disabled = QColor(128, 128, 128)
    for role, color in (
        (QPalette.Window, window),
        (QPalette.WindowText, text),
        (QPalette.Base, base),
        (QPalette.AlternateBase, QColor(52, 52, 56)),
        (QPalette.ToolTipBase, QColor(60, 60, 64)),
        (QPalette.ToolTipText, text),
        (QPalette.PlaceholderText, QColor(150, 150, 150)),
        (QPalette.Text, text),
        (QPalette.Button, QColor(58, 58, 62)),
        (QPalette.ButtonText, text),
        (QPalette.BrightText, QColor(255, 90, 90)),
        (QPalette.Light, QColor(80, 80, 84)),
        (QPalette.Midlight, QColor(66, 66, 70)),
        (QPalette.Mid, QColor(40, 40, 42)),
        (QPalette.Dark, QColor(25, 25, 27)),
        (QPalette.Shadow, QColor(0, 0, 0)),
        (QPalette.Link, QColor(110, 170, 255)),
        (QPalette.LinkVisited, QColor(180, 140, 255)),
        (QPalette.Highlight, QColor(42, 110, 200)),
        (QPalette.HighlightedText, QColor(255, 255, 255)),
    ):
        p.setColor(role, color)
    for role in (QPalette.WindowText, QPalette.Text, QPalette.ButtonText, QPalette.HighlightedText):
        p.setColor(QPalette.Disabled, role, disabled)
    p.setColor(QPalette.Disabled, QPalette.Highlight, QColor(70, 70, 74))
    return p


def light_palette() -> QPalette:
    from PySide6.QtWidgets import QStyleFactory

    style = QStyleFactory.create("Fusion")
    return QPalette(style.standardPalette())

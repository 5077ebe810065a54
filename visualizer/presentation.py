"""Presentation: full screen, zoom of labels with the cells, themes, colour-blind colours and a
large step counter, all remembered between runs (QSettings, see visualizer/settings.py).

Theme and palette live in the application's view settings (visualizer/view_settings.py), which
the views follow; this module is the View menu that writes through them and remembers them.
Matrix cells keep their colour map in every theme and choose black or white numbers by the
cell's luminance, so they stay readable; only the widgets around them follow the palette.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import nullcontext
from typing import Any

from PySide6.QtCore import (
    QT_TR_NOOP,
    QByteArray,
    QEvent,
    QObject,
    QPointF,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QColor,
    QFont,
    QIcon,
    QPainter,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QApplication, QDockWidget, QMenu, QToolBar, QWidget

from visualizer.i18n import set_action_text, tr
from visualizer.limits import LABEL_ZOOM_MAX, LABEL_ZOOM_MIN
from visualizer.model.present import lecture_screen_scale
from visualizer.settings import app_settings, is_batch_run
from visualizer.ui import WindowFeature, add_action, painted_icon
from visualizer.view_settings import THEMES, is_dark, view_settings

THEME_LABELS = {
    "system": QT_TR_NOOP("System"),
    "light": QT_TR_NOOP("Light"),
    "dark": QT_TR_NOOP("Dark"),
}
PALETTE_LABELS = {
    "standard": QT_TR_NOOP("Standard colours"),
    "colorblind": QT_TR_NOOP("Colour-blind safe colours"),
}
PRESENTATION_COUNTER_SCALE = 1.9  # step counter in presentation mode
PRESENTATION_TEXT_SCALE = 1.45  # arithmetic line in presentation mode
PRESENTATION_TITLE_SCALE = 1.3  # the matrices' titles in presentation mode
# ... each at most this fraction of the window's height (they grow with the zoom up to it,
# never crowding the matrices).
PRESENTATION_COUNTER_CAP = 0.05
PRESENTATION_TEXT_CAP = 0.042
# ... and at least this fraction in presentation mode (at 1920×1080 the arithmetic stayed
# 27 px in a box five times as tall, the titles 22 px over 95 px cells).
PRESENTATION_TEXT_FLOOR = 0.03
PRESENTATION_TITLE_FLOOR = 0.024
# Close-ups' titles and the colour legends in presentation mode: this fraction of the titles'
# font, at most PRESENTATION_CAPTION_CAP of the window's height (they share the views' height
# with the matrices).
PRESENTATION_CAPTION_SCALE = 0.8
PRESENTATION_CAPTION_CAP = 0.021
# ... and in the normal layout (zoomed in, they leave the room to the matrices).
COUNTER_CAP = 0.04
TEXT_CAP = 0.034


def apply_theme(name: str) -> None:
    """Set the application's theme (see :meth:`ViewSettings.set_theme`); not remembered."""
    view_settings().set_theme(name)


def current_theme() -> str:
    return view_settings().theme


def draw_icon(kind: str, color: QColor) -> QIcon:
    """Toolbar icons drawn with lines (no font glyphs, which some systems lack), in ``color``
    so they follow the theme: "fullscreen", "presentation", "theme", "colorblind" or
    "sidepanel" (the side panel's button)."""

    def paint(painter: QPainter) -> None:
        pen = QPen(color, 2.0)
        pen.setCapStyle(Qt.SquareCap)
        painter.setPen(pen)
        if kind == "fullscreen":
            for x, y, dx, dy in ((3, 3, 1, 1), (19, 3, -1, 1), (3, 19, 1, -1), (19, 19, -1, -1)):
                painter.drawLine(QPointF(x, y), QPointF(x + 6 * dx, y))
                painter.drawLine(QPointF(x, y), QPointF(x, y + 6 * dy))
        elif kind == "presentation":
            painter.drawRect(QRectF(2, 3, 18, 12))
            painter.drawLine(QPointF(11, 15), QPointF(11, 19))
            painter.drawLine(QPointF(7, 19.5), QPointF(15, 19.5))
            font = QFont()
            font.setPixelSize(10)
            font.setBold(True)
            painter.setFont(font)
            painter.drawText(QRectF(2, 3, 18, 12), Qt.AlignCenter, "12")
        elif kind == "theme":
            painter.drawEllipse(QRectF(3, 3, 16, 16))
            painter.setBrush(color)
            painter.drawPie(QRectF(3, 3, 16, 16), 90 * 16, 180 * 16)
        elif kind == "sidepanel":
            painter.setPen(QPen(color, 1.6))
            painter.drawRect(QRectF(2.5, 4.5, 17, 13))
            painter.fillRect(QRectF(3, 5, 6, 12.5), color)
        elif kind == "colorblind":
            painter.setPen(QPen(color, 1.2))
            for (x, y), fill in zip(
                ((7, 7.5), (15, 7.5), (11, 15)), ("#e69f00", "#0072b2", "#009e73"), strict=True
            ):
                painter.setBrush(QColor(fill))
                painter.drawEllipse(QPointF(x, y), 5, 5)

    return painted_icon(paint)


def tinted(icon: QIcon, color: QColor, disabled: QColor, size: int = 22) -> QIcon:
    """``icon`` recoloured (its shape kept): dark standard icons on a dark theme vanish."""
    out = QIcon()
    for mode, fill in ((QIcon.Normal, color), (QIcon.Disabled, disabled)):
        for scale in (1, 2):
            pixmap = icon.pixmap(QSize(size * scale, size * scale), QIcon.Normal)
            painter = QPainter(pixmap)
            painter.setCompositionMode(QPainter.CompositionMode_SourceIn)
            painter.fillRect(pixmap.rect(), fill)
            painter.end()
            out.addPixmap(pixmap, mode)
    return out


def _scaled(base: QFont, factor: float) -> QFont:
    font = QFont(base)
    if base.pixelSize() > 0:
        font.setPixelSize(max(6, round(base.pixelSize() * factor)))
    else:
        font.setPointSizeF(max(5.0, base.pointSizeF() * factor))
    return font


def _pixels(font: QFont) -> float:
    """``font``'s height in pixels (its pixel size, or its point size at 96 dpi)."""
    return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72


def _at_least(font: QFont, pixels: float) -> QFont:
    """``font`` at least ``pixels`` high."""
    if _pixels(font) >= pixels:
        return font
    larger = QFont(font)
    larger.setPixelSize(int(pixels))
    return larger


def _capped(font: QFont, pixels: float) -> QFont:
    """``font`` at most ``pixels`` high (its pixel size, or its point size at 96 dpi)."""
    size = font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72
    if size <= pixels:
        return font
    capped = QFont(font)
    capped.setPixelSize(max(6, int(pixels)))
    return capped


class Presentation(WindowFeature):
    """View ▸ full screen, presentation mode, theme and colours; remembers them in QSettings."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.batch = is_batch_run()
        self.presenting = False
        self.zoom = 1.0
        step_bar = window.step_bar
        panel = window.views_panel
        self._counter_base = QFont(step_bar.counter_label.font())
        self._arithmetic_base = QFont(step_bar.arithmetic_label.font())
        self._title_bases: list[tuple[QWidget, QFont]] = [
            (v.title_label, QFont(v.title_label.font())) for v in panel.views()
        ]
        self._title_bases.append((panel.bias_label, QFont(panel.bias_label.font())))
        # The choice of input channels above the lecture's rows, as large as the titles.
        bar = panel.channel_block_bar
        self._title_bases.append((bar, QFont(bar.font())))
        # Icons of the window's own actions that are too dark for the dark theme.
        self._plain_icons = [
            (action, action.icon())
            for action in (getattr(window, name, None) for name in ("undo_action", "redo_action"))
            if action is not None
        ]
        self._build_actions()
        window.installEventFilter(self)
        if hasattr(window, "sigZoomChanged"):
            window.sigZoomChanged.connect(self._on_zoom_changed)
        self.geometry_restored = False
        settings = view_settings()
        settings.sigThemeChanged.connect(self._show_theme)
        settings.sigPaletteChanged.connect(self._show_palette)
        window.add_retranslate_hook(self.retranslate_ui)
        self._load_settings()

    def retranslate_ui(self) -> None:
        set_action_text(
            self.fullscreen_action, tr("Full screen"), tr("Full screen for the lecture hall")
        )
        set_action_text(
            self.presentation_action,
            tr("Presentation mode"),
            tr("Presentation mode: large step counter and arithmetic line"),
        )
        set_action_text(self.leave_action, tr("Leave presentation mode"))
        set_action_text(
            self.blank_action,
            tr("Blank the screen"),
            tr("Blank the screen in presentation mode; press . again to bring it back"),
        )
        self.theme_menu.setTitle(tr("Theme"))
        for key, action in self.theme_actions.items():
            action.setText(tr(THEME_LABELS[key]))
        set_action_text(
            self.dark_action, tr("Dark theme"), tr("Switch between dark and light theme")
        )
        self.colors_menu.setTitle(tr("Colours"))
        for key, action in self.palette_actions.items():
            action.setText(tr(PALETTE_LABELS[key]))
        set_action_text(
            self.colorblind_action,
            tr("Colour-blind safe colours"),
            tr("Colour-blind-safe colour maps (cividis, blue–orange) and highlight colours"),
        )

    # ---- actions ---------------------------------------------------------------------------------
    def _choice_menu(
        self,
        parent: QMenu,
        kind: str,
        keys: Iterable[str],
        choose: Callable[[str], None],
        switch: tuple[str, str, str],
    ) -> tuple[QMenu, dict[str, QAction], QAction]:
        """A submenu of exclusive choices (actions ``{kind}_{key}_action`` calling ``choose``),
        then a checkable switch ``(name, shortcut, off)``: on chooses the last key, off chooses
        ``off``."""
        submenu = parent.addMenu("")
        group = QActionGroup(submenu)
        actions: dict[str, QAction] = {}
        for key in keys:
            action = submenu.addAction("")
            action.setObjectName(f"{kind}_{key}_action")
            action.setCheckable(True)
            action.setData(key)
            group.addAction(action)
            action.triggered.connect(lambda _=False, k=key: choose(k))
            actions[key] = action
        name, shortcut, off = switch
        on = list(actions)[-1]
        toggle = add_action(self.window, name, shortcut)
        toggle.setCheckable(True)
        toggle.triggered.connect(lambda checked: choose(on if checked else off))
        submenu.addSeparator()
        submenu.addAction(toggle)
        return submenu, actions, toggle

    def _build_actions(self) -> None:
        w = self.window
        menu: QMenu = w.menus["view"]
        menu.addSeparator()
        self.fullscreen_action = add_action(w, "fullScreenAction", "F11")
        self.fullscreen_action.setCheckable(True)
        self.fullscreen_action.triggered.connect(self.set_fullscreen)
        self.presentation_action = add_action(w, "presentationAction", "F5")
        self.presentation_action.setCheckable(True)
        self.presentation_action.triggered.connect(self.set_presentation)
        # In presentation mode only: Esc leaves it, "." blanks the screen (and back), as
        # presentation programs do.
        self.leave_action = add_action(w, "leavePresentationAction", "Esc")
        self.leave_action.triggered.connect(lambda: self.set_presentation(False))
        self.blank_action = add_action(w, "blankScreenAction", ".")
        self.blank_action.setCheckable(True)
        self.blank_action.triggered.connect(self.set_blank)
        for action in (self.leave_action, self.blank_action):
            action.setEnabled(False)
        self.blank = BlankScreen(w)
        self.blank.sigClicked.connect(lambda: self.set_blank(False))
        menu.addAction(self.fullscreen_action)
        menu.addAction(self.presentation_action)
        menu.addAction(self.blank_action)
        menu.addAction(self.leave_action)

        # Theme ▸ System / Light / Dark, and a dark-theme switch; Colours ▸ likewise.
        self.theme_menu, self.theme_actions, self.dark_action = self._choice_menu(
            menu, "theme", THEMES, self.set_theme, ("darkThemeAction", "Ctrl+Shift+D", "light")
        )
        self.colors_menu, self.palette_actions, self.colorblind_action = self._choice_menu(
            menu,
            "palette",
            PALETTE_LABELS,
            self.set_palette,
            ("colorBlindAction", "Ctrl+Shift+P", "standard"),
        )
        self.theme_menu.setObjectName("themeMenu")
        self.colors_menu.setObjectName("colorsMenu")

        toolbar = w.toolbar
        toolbar.addSeparator()
        for action in (
            self.fullscreen_action,
            self.presentation_action,
            self.dark_action,
            self.colorblind_action,
        ):
            toolbar.addAction(action)

    # ---- settings --------------------------------------------------------------------------------
    def _load_settings(self) -> None:
        if self.batch:
            # Command-line renders look the same whatever the user chose last time.
            self.set_theme("system", save=False)
            self.set_palette("standard", save=False)
            self._apply_fonts()
            return
        s = app_settings()
        theme = str(s.value("view/theme", "system"))
        palette = str(s.value("view/palette", "standard"))
        self.set_theme(theme if theme in THEMES else "system", save=False)
        self.set_palette(palette if palette in PALETTE_LABELS else "standard", save=False)
        try:
            zoom = float(s.value("view/zoom", 1.0))
        except (TypeError, ValueError):
            zoom = 1.0
        presenting = str(s.value("view/presentation", "false")).lower() == "true"
        self.set_presentation(presenting, save=False)
        if zoom != 1.0:
            self.window.set_zoom(zoom)  # → _on_zoom_changed
        else:
            self._apply_fonts()
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.geometry_restored = bool(self.window.restoreGeometry(geometry))

    def _save(self, key: str, value: object) -> None:
        if self.batch:
            return
        s = app_settings()
        s.setValue(key, value)
        s.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            if event.type() == QEvent.Resize:
                if self.blank.isVisible():
                    self.blank.setGeometry(self.window.rect())
                # The counter's and the arithmetic's caps follow the window's height, at any
                # zoom: applied only when zoomed in, a window kept the caps of the size it had
                # when first built (640×480: a 16 px arithmetic at 1366×768) until a zoom
                # there and back gave it 19 px, and the matrices above another height.
                self._apply_fonts()
            elif event.type() == QEvent.WindowStateChange:
                self.fullscreen_action.setChecked(self.window.isFullScreen())
            elif event.type() == QEvent.Close:
                self._save("window/geometry", self.window.saveGeometry())
        return False

    # ---- the settings themselves -----------------------------------------------------------------
    def set_fullscreen(self, on: bool) -> None:
        w = self.window
        if on and not w.isFullScreen():
            self._was_maximized = w.isMaximized()
            w.showFullScreen()
        elif not on and w.isFullScreen():
            w.showMaximized() if getattr(self, "_was_maximized", False) else w.showNormal()
        self.fullscreen_action.setChecked(w.isFullScreen())

    def set_presentation(self, on: bool, save: bool = True) -> None:
        """Presentation mode, the lecture layout: the current phase's matrices in one row at
        one large cell size, the step counter and arithmetic below; menus, toolbar, side
        panel, status bar and docks hidden (and brought back as they were)."""
        on = bool(on)
        changed = on != self.presenting
        self.presenting = on
        self.presentation_action.setChecked(self.presenting)
        w = self.window
        # The window is laid out once for everything shown and hidden here (see
        # MainWindow.layout_held), and the views fitted after that (ViewsPanel.fit_later).
        held = getattr(w, "layout_held", None)
        with held() if held is not None else nullcontext():
            if not on:
                # The lecture views' sizes go first: the controls coming back must not find
                # them (they would widen the window).
                w.views_panel.set_presenting(False)
                compare = getattr(w, "compare_view", None)
                if compare is not None:  # its panels' views too (compare mode's feature)
                    compare.set_lecture(False)
                w.step_bar.set_lecture(False)
            if changed:
                self._hide_chrome(on)
            # The room needs the matrices and the arithmetic, not the controls: they get the
            # panel's width back until presentation mode is switched off again.
            w.side_panel.setVisible(not self.presenting and not getattr(w, "side_collapsed", False))
            if hasattr(w, "place_lecture_text"):
                w.place_lecture_text()  # the text below the matrices, or beside them
            if on:
                w.step_bar.set_lecture(True)
                if hasattr(w, "place_lecture_text"):
                    w.place_lecture_text()
                w.views_panel.set_presenting(True)
            self.leave_action.setEnabled(self.presenting)
            self.blank_action.setEnabled(self.presenting)
            if not self.presenting:
                self.set_blank(False)
            self._apply_fonts()
            if on and hasattr(w, "place_lecture_text"):
                # The lecture's views and fonts are there: the text's place weighed with them.
                w.place_lecture_text()
            if save:
                self._save("view/presentation", "true" if self.presenting else "false")
            if changed and hasattr(w, "sigPresentingChanged"):
                w.sigPresentingChanged.emit(on)

    def _hide_chrome(self, on: bool) -> None:
        """Hide (or bring back) the menus, toolbars, status bar and docks."""
        w = self.window
        if on:
            self._chrome = [
                widget
                for widget in (
                    w.menuBar(),
                    w.statusBar(),
                    *w.findChildren(QToolBar, options=Qt.FindDirectChildrenOnly),
                    *w.findChildren(QDockWidget, options=Qt.FindDirectChildrenOnly),
                )
                if not widget.isHidden()
            ]
            for widget in self._chrome:
                widget.setVisible(False)
        else:
            for widget in getattr(self, "_chrome", []):
                widget.setVisible(True)
            self._chrome = []

    def set_blank(self, on: bool) -> None:
        """Blank the window (presentation mode only), or show it again."""
        on = bool(on) and self.presenting
        if on:
            self.blank.setGeometry(self.window.rect())
            self.blank.raise_()
        self.blank.setVisible(on)
        self.blank_action.setChecked(on)

    def set_theme(self, name: str, save: bool = True) -> None:
        settings = view_settings()
        if name == settings.theme:
            self._show_theme()
        settings.set_theme(name)  # → _show_theme when it changes
        if save:
            self._save("view/theme", name)

    def set_palette(self, name: str, save: bool = True) -> None:
        settings = view_settings()
        if name == settings.palette:
            self._show_palette()
        settings.set_palette(name)  # → _show_palette (and the views redraw) when it changes
        if save:
            self._save("view/palette", name)

    def _show_theme(self, *_args: object) -> None:
        name = view_settings().theme
        for key, action in self.theme_actions.items():
            action.setChecked(key == name)
        self.dark_action.setChecked(is_dark())
        self._update_icons()

    def _show_palette(self, *_args: object) -> None:
        name = view_settings().palette
        for key, action in self.palette_actions.items():
            action.setChecked(key == name)
        self.colorblind_action.setChecked(name == "colorblind")

    def _on_zoom_changed(self, zoom: float) -> None:
        self.zoom = zoom
        self._apply_fonts()
        self._save("view/zoom", float(zoom))

    # ---- fonts and colours -----------------------------------------------------------------------
    def label_scale(self) -> float:
        return max(LABEL_ZOOM_MIN, min(self.zoom, LABEL_ZOOM_MAX))

    def _apply_fonts(self) -> None:
        z = self.label_scale()
        height = max(self.window.height(), 480)
        # In a window taller than a laptop's the scales grow with it (lecture_screen_scale).
        screen = lecture_screen_scale(height) if self.presenting else 1.0
        counter = z * (PRESENTATION_COUNTER_SCALE * screen if self.presenting else 1.0)
        text = z * (PRESENTATION_TEXT_SCALE * screen if self.presenting else 1.0)
        bar = self.window.step_bar
        counter_font = _scaled(self._counter_base, counter)
        text_font = _scaled(self._arithmetic_base, text)
        caps = (
            (PRESENTATION_COUNTER_CAP, PRESENTATION_TEXT_CAP)
            if self.presenting
            else (COUNTER_CAP, TEXT_CAP)
        )
        if self.presenting:
            text_font = _at_least(text_font, height * PRESENTATION_TEXT_FLOOR)
        counter_font = _capped(counter_font, height * caps[0])
        text_font = _capped(text_font, height * caps[1])
        bar.set_counter_font(counter_font)
        bar.set_arithmetic_font(text_font)
        bar.reserve_arithmetic_lines()
        # Titles grow half as fast: they share the row with the matrices and would clip.  In
        # the lecture layout they are larger (they shorten to the symbol where they do not fit)
        # and keep their size whatever the zoom: its matrices already fill the window and do
        # not grow with it (views_panel); titles that did shortened to "mask", "Y  (4×4)".
        title = PRESENTATION_TITLE_SCALE * screen if self.presenting else 1 + (z - 1) / 2
        known = {id(label) for label, _ in self._title_bases}
        for view in self.window.views_panel.views():  # planes made since (more channels)
            if id(view.title_label) not in known:
                self._title_bases.append((view.title_label, QFont(view.title_label.font())))
        floor = height * PRESENTATION_TITLE_FLOOR if self.presenting else 0
        for label, base in self._title_bases:
            label.setFont(_at_least(_scaled(base, title), floor))
        caption: QFont | None = None
        if self.presenting:
            # From the back of a hall: the size of the titles, a little smaller, capped.
            caption = QFont()
            titles = _at_least(_scaled(self._title_bases[0][1], title), floor)
            caption.setPixelSize(
                int(
                    min(
                        _pixels(titles) * PRESENTATION_CAPTION_SCALE,
                        height * PRESENTATION_CAPTION_CAP,
                    )
                )
            )
        for view in self.window.views_panel.views():
            view.set_caption_font(caption)
        if self.presenting:
            self.window.views_panel.fit_later()  # the titles' height is part of a view's

    def _update_icons(self) -> None:
        color = QApplication.palette().color(QPalette.ButtonText)
        for kind, action in (
            ("fullscreen", self.fullscreen_action),
            ("presentation", self.presentation_action),
            ("theme", self.dark_action),
            ("colorblind", self.colorblind_action),
            ("sidepanel", self.window.side_panel_action),
        ):
            action.setIcon(draw_icon(kind, color))
        palette = QApplication.palette()
        for action, icon in self._plain_icons:
            action.setIcon(
                tinted(icon, color, palette.color(QPalette.Disabled, QPalette.ButtonText))
                if is_dark()
                else icon
            )


class BlankScreen(QWidget):
    """A black sheet over the whole window ("." in presentation mode); a click lifts it."""

    sigClicked = Signal()

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("blankScreen")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(QPalette.Window, QColor(0, 0, 0))
        self.setPalette(palette)
        self.hide()

    def mousePressEvent(self, event: QEvent) -> None:
        self.sigClicked.emit()


def install(window: QWidget) -> None:
    window.presentation = Presentation(window)  # type: ignore[attr-defined]
    window.geometry_restored = window.presentation.geometry_restored  # type: ignore[attr-defined]

"""Presentation: full screen, themes, the colour-blind palette, zoom of labels, the large step
counter, and settings that persist into the next window (QSettings in a per-test folder, see
tests/conftest.py)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from conftest import new_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QKeySequence, QPalette
from PySide6.QtWidgets import QApplication

from visualizer import presentation
from visualizer.settings import BATCH_PROPERTY, app_settings
from visualizer.widgets import matrix_view

pytestmark = pytest.mark.usefixtures("restore_look")


def font_size(widget) -> float:
    font = widget.font()
    return font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75


def cell_brush(view, row: int, col: int) -> QColor:
    return view.model.data(view.model.index(row, col), Qt.BackgroundRole).color()


def lightness(role: QPalette.ColorRole) -> int:
    return QApplication.palette().color(role).lightness()


# ---- full screen ---------------------------------------------------------------------------------


def test_f11_toggles_full_screen(window, qtbot):
    action = window.presentation.fullscreen_action
    assert action.shortcut() == QKeySequence("F11")
    assert not window.isFullScreen()
    action.trigger()
    qtbot.waitUntil(window.isFullScreen, timeout=2000)
    assert window.windowState() & Qt.WindowFullScreen
    assert action.isChecked()
    action.trigger()
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=2000)
    assert not action.isChecked()


def test_f11_key_press_reaches_the_action(window, qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key_F11)
    qtbot.waitUntil(window.isFullScreen, timeout=2000)
    qtbot.keyClick(window, Qt.Key_F11)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=2000)


# ---- themes --------------------------------------------------------------------------------------


def test_dark_and_light_themes_change_the_palette(window):
    p = window.presentation
    p.set_theme("dark")
    QApplication.processEvents()  # the palette reaches widgets through posted events
    assert lightness(QPalette.Window) < 80 and lightness(QPalette.WindowText) > 200
    assert window.palette().color(QPalette.Base).lightness() < 80
    assert QApplication.style().name().lower() == "fusion"
    assert p.dark_action.isChecked() and p.theme_actions["dark"].isChecked()
    p.set_theme("light")
    assert lightness(QPalette.Window) > 180 and lightness(QPalette.WindowText) < 60
    assert not p.dark_action.isChecked()


def test_system_theme_brings_back_the_original_look(window):
    original = QApplication.palette().color(QPalette.Window)
    window.presentation.set_theme("dark")
    window.presentation.set_theme("system")
    assert QApplication.palette().color(QPalette.Window) == original


def test_dark_theme_keeps_the_arithmetic_line_readable(window):
    label = window.step_bar.arithmetic_label
    window.presentation.set_theme("dark")
    assert "color: #f5ecd0" in label.styleSheet() and "background: #3a3422" in label.styleSheet()
    window.presentation.set_theme("light")
    assert "color: #1a1a1a" in label.styleSheet()


def icon_lightness(icon, size: int = 24) -> list[int]:
    """The lightness of each opaque pixel of ``icon``'s picture (its drawing, not the screen)."""
    image = icon.pixmap(size, size).toImage()
    return [
        QColor(image.pixel(x, y)).lightness()
        for x in range(size)
        for y in range(size)
        if QColor.fromRgba(image.pixel(x, y)).alpha() > 200
    ]


def test_dark_theme_step_buttons_are_light(window):
    """Issue 10 audit, dark theme at 1366x768: the step bar's ⏮ ◀◀ ▶ ▶▶ ⏭ (and the stack
    panel's) kept Fusion's black media icons on the dark theme's dark grey buttons; they are
    drawn in the button text's colour now, also after play/pause swaps the icon."""
    from visualizer.widgets.step_bar import show_play_state

    bar, stack = window.step_bar, window.stack_panel
    window.presentation.set_theme("dark")
    QApplication.processEvents()
    buttons = [bar.first_button, bar.prev_button, bar.play_button, bar.next_button]
    buttons += [bar.last_button, stack.first_button, stack.next_button, stack.play_button]
    for button in buttons:
        drawn = icon_lightness(button.icon())
        assert drawn and min(drawn) > 150, button.objectName()
    show_play_state(bar.play_button, True)
    drawn = icon_lightness(bar.play_button.icon())
    assert drawn and min(drawn) > 150
    window.presentation.set_theme("light")
    drawn = icon_lightness(bar.first_button.icon())
    assert drawn and max(drawn) < 100  # the style's own (dark) icon again


def test_dark_toolbar_icons_are_light(window):
    p = window.presentation
    p.set_theme("dark")
    image = p.fullscreen_action.icon().pixmap(22, 22).toImage()
    drawn = [
        QColor(image.pixel(x, y))
        for x in range(22)
        for y in range(22)
        if QColor.fromRgba(image.pixel(x, y)).alpha() > 200
    ]
    assert drawn and min(c.lightness() for c in drawn) > 150


def _contrast(a: QColor, b: QColor) -> float:
    def lum(c: QColor) -> float:
        v = np.array([c.redF(), c.greenF(), c.blueF()])
        v = np.where(v <= 0.04045, v / 12.92, ((v + 0.055) / 1.055) ** 2.4)
        return float(v @ [0.2126, 0.7152, 0.0722])

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("palette", ["standard", "colorblind"])
@pytest.mark.parametrize("diverging", [False, True])
def test_cell_numbers_reach_4_5_contrast_on_every_colour(qapp, palette, diverging):
    matrix_view.set_palette(palette)
    model = matrix_view.MatrixModel()
    model.set_values(np.linspace(0, 1, 256)[None], None, (0, 0), (0.0, 1.0), diverging)
    worst = min(
        _contrast(
            model.data(model.index(0, j), Qt.BackgroundRole).color(),
            model.data(model.index(0, j), Qt.ForegroundRole).color(),
        )
        for j in range(256)
    )
    assert worst >= 4.5


# ---- colour-blind palette ------------------------------------------------------------------------


def test_colour_blind_palette_changes_the_cell_colours(window):
    view = window.views_panel.input_view
    before = [cell_brush(view, 0, c) for c in range(8)]
    window.presentation.colorblind_action.trigger()
    assert matrix_view.PALETTE == "colorblind"
    after = [cell_brush(view, 0, c) for c in range(8)]
    assert after != before
    # What the model shows is the cividis colour of each value, under the view's levels.
    row = window.state.x[0, 0, 0][None]
    expected = matrix_view.colorize(row, view.levels, False)[0]
    assert [(c.red(), c.green(), c.blue()) for c in after] == [tuple(map(int, e)) for e in expected]
    window.presentation.colorblind_action.trigger()
    assert [cell_brush(view, 0, c) for c in range(8)] == before


def test_colour_blind_palette_changes_gradient_and_highlight_colours(window):
    window.state.fill_grad_output("random", seed=1)  # all ones would be drawn neutral
    window.state.set_step(window.state.n_windows)  # backward: dY, dX coloured
    dy_view = window.views_panel.grad_output_view
    dy = dy_view.matrix()
    r, c = np.unravel_index(np.abs(dy).argmax(), dy.shape)  # a saturated cell
    before = cell_brush(dy_view, r, c)
    window.presentation.set_palette("colorblind")
    assert cell_brush(dy_view, r, c) != before
    assert matrix_view.STYLE_PEN["winner"][0] == "#bbff88"
    window.presentation.set_palette("standard")
    assert matrix_view.STYLE_PEN["winner"][0] == "#d4007a"
    assert cell_brush(dy_view, r, c) == before


# Machado et al. (2009) dichromacy matrices, applied in linear RGB.
DEUTERANOPIA = np.array(
    [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 1.04294]]
)
PROTANOPIA = np.array(
    [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ]
)


def _lab(hex_color: str, matrix: np.ndarray) -> np.ndarray:
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    linear = np.clip(matrix @ np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4), 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    x, y, z = xyz @ linear / np.array([0.9505, 1.0, 1.089])
    f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in (x, y, z)]
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


@pytest.mark.parametrize("vision", [DEUTERANOPIA, PROTANOPIA], ids=["deuteranopia", "protanopia"])
def test_colour_blind_highlights_stay_apart_under_dichromacy(vision):
    colors = matrix_view.PALETTES["colorblind"][2]
    styles = ("window", "winner", "target", "hover")
    distances = [
        np.linalg.norm(_lab(colors[a], vision) - _lab(colors[b], vision))
        for a, b in itertools.combinations(styles, 2)
    ]
    assert min(distances) > 40  # CIELAB ΔE; the standard colours fall to about 22


# ---- zoom, large counter -------------------------------------------------------------------------


def test_zoom_scales_labels_with_the_cells(window):
    counter, title = window.step_bar.counter_label, window.views_panel.input_view.title_label
    base_counter, base_title = font_size(counter), font_size(title)
    window.zoom_by(1.15)
    window.zoom_by(1.15)
    assert font_size(counter) > base_counter * 1.2
    assert font_size(title) > base_title * 1.05
    window.zoom_by(0)
    assert font_size(counter) == pytest.approx(base_counter)
    assert font_size(title) == pytest.approx(base_title)


def test_presentation_mode_enlarges_the_counter_and_arithmetic(window):
    p = window.presentation
    counter, arithmetic = window.step_bar.counter_label, window.step_bar.arithmetic_label
    base_counter, base_arithmetic = font_size(counter), font_size(arithmetic)
    assert p.presentation_action.shortcut() == QKeySequence("F5")
    p.presentation_action.trigger()
    assert p.presenting
    assert font_size(counter) >= base_counter * 1.8
    assert font_size(arithmetic) >= base_arithmetic * 1.4
    p.presentation_action.trigger()
    assert font_size(counter) == pytest.approx(base_counter)


def lecture_pixels(widget) -> float:
    """The pixel height of ``widget``'s font (its point size at 96 dpi)."""
    font = widget.font()
    return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72


def test_lecture_counter_arithmetic_and_titles_grow_with_the_screen(window, qtbot):
    """At 1920×1080 the lecture's step counter kept the size it has at 1366×768 (digits of
    25 px under matrices' digits of 43 px), the arithmetic and the titles stayed at their
    floors (32 and 26 px, a smaller share of the screen than at 1366×768): they now grow
    with the window's height as the matrices do, within their caps."""
    bar = window.step_bar
    labels = {
        "counter": bar.counter_label,
        "arithmetic": bar.arithmetic_label,  # one line (max pooling): its own font, not fitted
        "title": window.views_panel.input_view.title_label,
    }
    caps = {
        "counter": presentation.PRESENTATION_COUNTER_CAP,
        "arithmetic": presentation.PRESENTATION_TEXT_CAP,
        "title": 1.0,
    }

    def sizes(width: int, height: int) -> dict[str, float]:
        window.resize(width, height)
        for _ in range(3):
            QApplication.processEvents()
            qtbot.wait(5)
        assert window.height() == height
        return {name: lecture_pixels(label) for name, label in labels.items()}

    window.presentation.set_presentation(True, save=False)
    small = sizes(1366, 768)
    large = sizes(1920, 1080)
    for name in labels:
        capped = large[name] >= int(1080 * caps[name])
        assert capped or large[name] >= 1.35 * small[name], (name, small, large)
        assert large[name] <= 1080 * caps[name] + 1
    # The normal layout's step bar does not follow the screen.
    window.presentation.set_presentation(False, save=False)
    normal_large = lecture_pixels(bar.counter_label)
    sizes(1366, 768)
    assert lecture_pixels(bar.counter_label) == normal_large


def test_presentation_mode_gives_the_controls_width_to_the_matrices(window, qtbot):
    p = window.presentation
    panel = window.views_panel
    width_before = panel.width()
    p.set_presentation(True, save=False)
    assert not window.side_panel.isVisible()
    qtbot.waitUntil(lambda: panel.width() > width_before + 200)
    p.set_presentation(False, save=False)
    assert window.side_panel.isVisible()


# ---- persistence ---------------------------------------------------------------------------------


def test_zoom_persists_into_a_new_window(window, qtbot):
    window.set_zoom(1.5)
    assert float(app_settings().value("view/zoom")) == pytest.approx(1.5)
    other = new_window(qtbot)
    assert other.views_panel.zoom == pytest.approx(1.5)
    assert font_size(other.step_bar.counter_label) > 13 * 1.4


def test_theme_palette_and_presentation_persist(window, qtbot):
    window.presentation.set_theme("dark")
    window.presentation.set_palette("colorblind")
    window.presentation.set_presentation(True)
    presentation.apply_theme("system")  # as if the app had restarted
    matrix_view.set_palette("standard")
    other = new_window(qtbot)
    assert presentation.current_theme() == "dark"
    assert lightness(QPalette.Window) < 80
    assert matrix_view.PALETTE == "colorblind"
    assert other.presentation.presenting and other.presentation.presentation_action.isChecked()
    assert other.presentation.colorblind_action.isChecked()


def test_window_geometry_persists(window, qtbot):
    from visualizer.main_window import MainWindow

    window.resize(1100, 700)
    window.close()
    other = MainWindow()
    qtbot.addWidget(other)
    assert other.presentation.geometry_restored
    assert other.geometry_restored
    # The offscreen screen is 800 px wide and Qt keeps a restored window on screen, so only
    # the height survives unchanged here.
    assert other.height() == 700


def test_bad_settings_fall_back_to_defaults(qtbot):
    s = app_settings()
    s.setValue("view/theme", "purple")
    s.setValue("view/palette", "rainbow")
    s.setValue("view/zoom", "not a number")
    s.sync()
    win = new_window(qtbot)
    assert presentation.current_theme() == "system"
    assert matrix_view.PALETTE == "standard"
    assert win.views_panel.zoom == 1.0


def test_batch_runs_ignore_and_keep_settings(qtbot, qapp):
    s = app_settings()
    s.setValue("view/theme", "dark")
    s.setValue("view/zoom", 2.0)
    s.sync()
    qapp.setProperty(BATCH_PROPERTY, True)
    try:
        win = new_window(qtbot)
        assert presentation.current_theme() == "system"
        assert win.views_panel.zoom == 1.0
        win.presentation.set_palette("colorblind")
        win.close()
    finally:
        qapp.setProperty(BATCH_PROPERTY, False)
    s = app_settings()
    assert s.value("view/palette") is None
    assert float(s.value("view/zoom")) == 2.0


# ---- menu and toolbar ----------------------------------------------------------------------------


def test_view_menu_and_toolbar_entries(window):
    p = window.presentation
    view_actions = window.menus["view"].actions()
    for action in (p.fullscreen_action, p.presentation_action):
        assert action in view_actions
    titles = {a.text() for a in view_actions}
    assert {"Theme", "Colours"} <= titles
    toolbar = window.toolbar.actions()
    for action in (p.fullscreen_action, p.presentation_action, p.dark_action, p.colorblind_action):
        assert action in toolbar
        assert action.toolTip()
        assert not action.icon().isNull()
    assert p.dark_action.shortcut() == QKeySequence("Ctrl+Shift+D")
    assert p.colorblind_action.shortcut() == QKeySequence("Ctrl+Shift+P")

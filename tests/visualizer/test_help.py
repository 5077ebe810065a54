"""Help ▸ Getting started: the page's content, its shortcut table, the first-run rule (never
off screen or in a batch run), and a tooltip on every parameter control."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QTextBrowser,
)

from visualizer import settings
from visualizer.widgets import help_dialog
from visualizer.widgets.matrix_view import STYLE_PEN


def help_text(window) -> str:
    dialog = window.findChild(QDialog, "helpDialog")
    assert dialog is not None and dialog.isVisible()
    return dialog.findChild(QTextBrowser, "helpBrowser").toPlainText()


def menu_shortcuts(window) -> list[tuple[str, str]]:
    found = []
    for top in window.menuBar().actions():
        for action in top.menu().actions() if top.menu() else []:
            for key in action.shortcuts():
                if not key.isEmpty():
                    found.append((action.text(), key.toString(QKeySequence.NativeText)))
    return found


def test_getting_started_is_in_the_help_menu_and_toolbar(qtbot, window):
    action = window.findChild(object, "gettingStartedAction")
    assert action in window.menus["help"].actions()
    assert action in window.toolbar.actions()
    assert window.findChild(QDialog, "helpDialog") is None  # not shown off screen
    action.trigger()
    dialog = window.findChild(QDialog, "helpDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert not dialog.isModal()  # the window stays usable beside it
    text = help_text(window)
    for words in (
        "orange",
        "magenta",
        "green",
        "dashed orange",
        "black and white hatch",
        "violet",
        "Input X",
        "Upstream gradient dY",
        "Input gradient dX",
        "Stepping",
        "Show code",
        "Check gradients",
        "Compare with PyTorch",
    ):
        assert words in text, words
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Close).click()
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_every_menu_shortcut_is_listed(qtbot, window):
    window.help_action.trigger()
    text = help_text(window)
    shortcuts = menu_shortcuts(window)
    assert ("Show code", "Ctrl+K") in shortcuts and ("Check gradients", "Ctrl+G") in shortcuts
    for _name, key in shortcuts:
        assert key in text, key
    assert "Play / pause" in text and "Backward phase" in text
    assert "Undo Switch" not in text  # the undo action's changing text is reduced to "Undo"


def test_no_two_actions_share_a_shortcut(window):
    """An ambiguous shortcut triggers neither action: every key must belong to one action."""
    owners: dict[str, list[str]] = {}
    for action in window.findChildren(object):
        if not hasattr(action, "shortcuts") or not hasattr(action, "triggered"):
            continue
        for key in action.shortcuts():
            if not key.isEmpty():
                owners.setdefault(key.toString(), []).append(action.text())
    clashes = {k: v for k, v in owners.items() if len(set(v)) > 1}
    assert not clashes


def test_f1_opens_the_same_page_at_the_shortcuts(qtbot, window):
    keyboard = next(
        a for a in window.menus["help"].actions() if a.text().startswith("Keyboard shortcuts")
    )
    keyboard.trigger()
    browser = window.findChild(QTextBrowser, "helpBrowser")
    qtbot.waitUntil(browser.isVisible)
    assert browser.verticalScrollBar().value() > 0  # scrolled down to the table
    assert "Keyboard shortcuts" in browser.toPlainText()


def test_colour_swatches_use_the_views_colours(qapp):
    for style in ("window", "winner", "target"):
        image = help_dialog.swatch_image(style)
        color = QColor(STYLE_PEN[style][0])
        # A pixel on the border ring, half way down the left side.
        x = STYLE_PEN[style][1] // 2 + 1
        assert image.pixelColor(x, image.height() // 2) == color, style


# ---- first run --------------------------------------------------------------------------------


def test_first_run_is_never_shown_off_screen(qtbot, window):
    assert not help_dialog.maybe_show_first_run(window)
    qtbot.wait(20)  # the install hook's timer has run
    assert window.findChild(QDialog, "helpDialog") is None
    assert not settings.app_settings().contains(help_dialog.SHOWN_KEY)


def test_first_run_shows_once_then_remembers(qtbot, window, monkeypatch):
    monkeypatch.setattr(help_dialog, "_interactive", lambda: True)
    assert help_dialog.maybe_show_first_run(window)
    dialog = window.findChild(QDialog, "helpDialog")
    qtbot.waitUntil(dialog.isVisible)
    assert settings.app_settings().value(help_dialog.SHOWN_KEY, type=bool)
    dialog.close()
    assert not help_dialog.maybe_show_first_run(window)
    assert not dialog.isVisible()


def test_batch_runs_are_not_interactive(qapp, monkeypatch):
    monkeypatch.setattr(help_dialog.QGuiApplication, "platformName", lambda: "xcb")
    assert help_dialog._interactive()
    app = QCoreApplication.instance()
    app.setProperty(settings.BATCH_PROPERTY, True)
    try:
        assert not help_dialog._interactive()
    finally:
        app.setProperty(settings.BATCH_PROPERTY, False)


# ---- tooltips ---------------------------------------------------------------------------------


def test_every_parameter_and_data_control_explains_itself(window):
    for panel in (window.params_panel, window.data_panel):
        controls = [
            c
            for kind in (QAbstractButton, QAbstractSpinBox, QComboBox)
            for c in panel.findChildren(kind)
        ]
        assert len(controls) > 10
        missing = [c.objectName() or c.text() for c in controls if not c.toolTip().strip()]
        assert not missing, f"{type(panel).__name__}: no tooltip on {missing}"

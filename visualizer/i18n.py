"""The app in two languages: Qt's translation system, plus translation of the engine's messages.

Every text the GUI shows is written in English at its source inside ``tr("…")`` (or marked with
``QT_TR_NOOP("…")`` in a table and passed through :func:`tr` when shown).
``pyside6-lupdate`` collects them into ``assets/translations/pooling_visualizer_zh_CN.ts``,
``pyside6-lrelease`` builds the ``.qm`` next to it (``make translations`` runs both), and
:func:`set_language` installs it.  Placeholders are ``{name}`` fields filled with
``str.format`` after translating, so a translation may put them in any order.

Switching is done at run time: installing or removing a translator sends ``LanguageChange``
to every widget; each one sets its texts again in ``retranslate_ui()``, and the main window
calls the hooks that features registered for menus and actions that are not widgets.

The engine is Qt-free and speaks English, but it never makes the GUI parse a sentence: an
invalid parameter raises :class:`engine.errors.ParameterError`, which carries the English
``template`` (with ``{name}`` fields) and the ``fields`` that fill it.  :func:`translate_message`
translates the template like any other text and fills in the fields, at display time; the
templates are collected for ``lupdate`` in :mod:`visualizer.engine_messages`.  The state's own
checks use ``ParameterError`` too, with templates marked where they are written.  The state
keeps the error object, so a message on screen can be said again in the other language after a
switch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QTranslator,
)
from PySide6.QtGui import QAction, QKeySequence

from engine.errors import Message, ParameterError
from visualizer.resources import asset

ENGLISH, CHINESE = "en", "zh_CN"
# Each language named in itself: someone who cannot read the current one still finds theirs.
LANGUAGES: dict[str, str] = {ENGLISH: "English", CHINESE: "简体中文"}
SETTINGS_KEY = "view/language"
CATALOG = "pooling_visualizer"  # assets/translations/pooling_visualizer_<language>.qm

_language = ENGLISH
_translators: list[QTranslator] = []  # installed; kept referenced while installed


def tr(text: str, disambiguation: str | None = None) -> str:
    """``text`` in the current language (lupdate collects the literal of every call)."""
    return QCoreApplication.translate("", text, disambiguation)


def catalog_path(language: str, suffix: str = ".qm") -> Path:
    """The app's translation file for ``language`` (``.qm`` built, ``.ts`` source)."""
    return asset("translations", f"{CATALOG}_{language}{suffix}")


# ---- choosing the language ---------------------------------------------------------------------
def system_language() -> str:
    """Chinese when the system's locale is Chinese (any script or country), else English."""
    return CHINESE if QLocale.system().language() == QLocale.Language.Chinese else ENGLISH


def startup_language(requested: str | None = None) -> str:
    """The language to start in: ``requested`` (the command line), else the saved choice,
    else the system's.  Batch runs (``--screenshot``) never read the saved choice."""
    if requested:
        return requested
    from visualizer.settings import app_settings, is_batch_run

    if not is_batch_run():
        saved = str(app_settings().value(SETTINGS_KEY, ""))
        if saved in LANGUAGES:
            return saved
    return system_language()


def save_language(language: str) -> None:
    """Remember ``language`` for the next start (not in batch runs)."""
    from visualizer.settings import app_settings, is_batch_run

    if is_batch_run():
        return
    settings = app_settings()
    settings.setValue(SETTINGS_KEY, language)
    settings.sync()


def current_language() -> str:
    return _language


def set_language(language: str) -> None:
    """Install ``language``'s translations; every widget retranslates before this returns.

    English is the source language: it needs no translator.  Qt's own texts (standard
    buttons, context menus) come from the ``qtbase`` catalogue shipped with Qt.

    Raises
    ------
    ValueError
        For a language that is not in :data:`LANGUAGES`, or whose catalogue is missing.
    """
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"language ({language!r}) must be one of {', '.join(LANGUAGES)}")
    if language == _language:
        return
    loaded: list[QTranslator] = []
    if language != ENGLISH:
        app_catalog = QTranslator()
        if not app_catalog.load(str(catalog_path(language))):
            raise ValueError(f"the translation {catalog_path(language)} could not be loaded")
        loaded.append(app_catalog)
        qt_catalog = QTranslator()
        # Optional: a Qt build without translations still gets the app's own texts.
        if qt_catalog.load(f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.TranslationsPath)):
            loaded.append(qt_catalog)
    _language = language  # set first: retranslating widgets ask for it (presets, pitfalls)
    for old in _translators:
        QCoreApplication.removeTranslator(old)
    _translators[:] = loaded
    for new in loaded:
        QCoreApplication.installTranslator(new)
    # The change events are posted; deliver them now so the caller sees the new texts.
    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.LanguageChange)


def localized(texts: Mapping[str, str]) -> str:
    """The entry of ``texts`` (language → text) for the current language, else English."""
    return texts.get(_language) or texts[ENGLISH]


# ---- messages from the engine (and the state) --------------------------------------------------
def translate_message(message: object) -> str:
    """An engine or state message in the current language, as text.

    ``message`` is usually an exception.  A :class:`~engine.errors.ParameterError` (or an
    :class:`~engine.errors.Message`) is said from its parts: its English ``template``
    translated with :func:`tr` (the templates are in the catalogue: see
    :mod:`visualizer.engine_messages`), filled with its ``fields``; a field that is itself a
    ``ParameterError`` or ``Message`` is translated the same way.  Anything else is shown as
    ``str(message)``, unchanged; ``None`` as ``""``.
    """
    if message is None:
        return ""
    if not isinstance(message, (ParameterError, Message)):
        return str(message)
    fields = {
        name: translate_message(value) if isinstance(value, (ParameterError, Message)) else value
        for name, value in message.fields.items()
    }
    return tr(message.template).format(**fields)


# ---- helpers for widgets -----------------------------------------------------------------------
def without_mnemonic(text: str) -> str:
    """A menu text as plain text: "&File" → "File", and the Chinese form "文件(&F)" → "文件"."""
    return re.sub(r"\(&\w\)", "", text).replace("&", "")


def set_action_text(action: QAction, text: str, tip: str | None = None) -> None:
    """Set an action's text and its tooltip, which names the shortcut when it has one."""
    action.setText(text)
    tip = tip or without_mnemonic(text)
    shortcut = action.shortcut()
    if not shortcut.isEmpty():
        tip = f"{tip} ({shortcut.toString(QKeySequence.NativeText)})"
    action.setToolTip(tip)

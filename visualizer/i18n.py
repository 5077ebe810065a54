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

The engine is Qt-free and raises English ``ValueError`` messages.  They (and a few messages
of the state with the same form) are translated here, at display time, by
:func:`translate_message`: each known message shape is an English template with ``{name}``
fields (:data:`ENGINE_MESSAGES`, or registered with :func:`message_template`); the template is
matched against the message, translated like any other text and filled with the values
found.  Unknown messages pass through unchanged.  The state keeps the English message, so a
message on screen can be shown again in the other language after a switch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import (
    QT_TR_NOOP,
    QCoreApplication,
    QEvent,
    QLibraryInfo,
    QLocale,
    QTranslator,
)
from PySide6.QtGui import QAction, QKeySequence

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
# English templates of every ValueError the engine raises (engine/geometry.py, pooling.py,
# conv.py, arrays.py, trace.py, pitfalls.py) and of the suffixes engine.explain_output_size
# adds to a formula line.  They must follow the engine's wording:
# tests/visualizer/test_i18n.py checks each against messages the engine really produces.
# Fields named "message" hold a whole message of their own and are translated in turn; fields in
# WORD_FIELDS hold one English word, translated through WORDS.
ENGINE_MESSAGES: tuple[str, ...] = (
    # geometry.py
    QT_TR_NOOP("{name} must be a single int or a pair of ints (height, width), got {value}"),
    QT_TR_NOOP("{name} ({value}) must be greater than zero"),
    QT_TR_NOOP("ceil_mode must be True or False, got {value}"),
    QT_TR_NOOP("padding ({padding}) must be non-negative"),
    QT_TR_NOOP("padding ({padding}) must be at most half of kernel_size ({kernel})"),
    QT_TR_NOOP("padding ('same') requires stride 1, got stride ({stride})"),
    QT_TR_NOOP("padding ({padding}) must be an int, a pair of ints, 'same' or 'valid'"),
    QT_TR_NOOP(
        "kernel ({kernel} with dilation) must fit inside the padded input ({padded}); "
        "the kernel can't be larger than the input plus padding"
    ),
    QT_TR_NOOP("input size ({size}) must be at least 1x1 in height and width"),
    QT_TR_NOOP(
        "kernel_size ({kernel}) is too large for the input ({size}) with stride {stride}, "
        "padding {padding} and dilation {dilation}: the output would be {out}, and it must be "
        "at least 1x1 ({axis}: {formula})"
    ),
    QT_TR_NOOP("output position ({position}) is outside the output of size {size}"),
    QT_TR_NOOP("step ({step}) must be in 0..{last}"),
    QT_TR_NOOP("{axis_name}: stride, kernel and dilation must be positive"),
    QT_TR_NOOP(
        "{message} → {out}: the last window would start in the right padding, so it is dropped"
    ),
    QT_TR_NOOP("{message}  ✗ the output must be at least 1"),
    # pooling.py
    QT_TR_NOOP("grad_output shape {shape} must match the output shape {expected}"),
    QT_TR_NOOP("grad_output must hold real numbers, got dtype {dtype}"),
    QT_TR_NOOP("ties ({ties}) must be one of 'first', 'all' or 'split'"),
    QT_TR_NOOP(
        "indices shape {shape} must match the output shape {expected} "
        "(pass the indices max_pool2d returned with return_indices=True)"
    ),
    QT_TR_NOOP(
        "indices must hold integers (max_pool2d's return_indices=True output), got dtype {dtype}"
    ),
    QT_TR_NOOP(
        "indices must lie in 0..{last} (flat row * W + col positions in one {size} plane); "
        "got values from {low} to {high}"
    ),
    QT_TR_NOOP("divisor_override must be an int or None, got {value}"),
    QT_TR_NOOP("divisor_override (0) must not be zero"),
    QT_TR_NOOP("count_include_pad must be True or False, got {value}"),
    # conv.py
    QT_TR_NOOP("weight must be 2-D (kH, kW) when x is 2-D (H, W); got weight of shape {shape}"),
    QT_TR_NOOP("weight must have shape (C_out, C_in/groups, kH, kW); got shape {shape}"),
    QT_TR_NOOP("groups ({groups}) must be a positive int"),
    QT_TR_NOOP("weight must not have an empty dimension; got shape {shape}"),
    QT_TR_NOOP(
        "groups ({groups}) must divide the number of output channels (weight.shape[0] = {channels})"
    ),
    QT_TR_NOOP(
        "x has {channels} channels, but weight of shape {shape} with groups ({groups}) "
        "expects {expected} (C_in = weight.shape[1] · groups)"
    ),
    QT_TR_NOOP("bias must have one value per output channel ({channels}); got shape {shape}"),
    # arrays.py
    QT_TR_NOOP("{name} must hold real numbers (ints or floats), got dtype {dtype}"),
    QT_TR_NOOP("{name} must have shape {forms}; got shape {shape}"),
    QT_TR_NOOP(
        "{name} must not have an empty channel, height or width dimension; got shape {shape}"
    ),
    # trace.py
    QT_TR_NOOP("mask_counts_after needs a max-pooling trace, not {op}"),
    QT_TR_NOOP("index ({index}) must be in -1..{last}"),
    QT_TR_NOOP("{name} must be one (H, W) plane for a trace; got shape {shape}"),
    QT_TR_NOOP("a conv trace takes x (C, H, W) and weight (C, kH, kW); got {x} and {weight}"),
    # pitfalls.py
    QT_TR_NOOP("{name} must be one (H, W) plane; got shape {shape}"),
    QT_TR_NOOP("mode ({mode}) must be 'max' or 'avg'"),
    QT_TR_NOOP("x must be (C, H, W) and weight (C, kH, kW) with the same C; got {x} and {weight}"),
    QT_TR_NOOP("this pitfall needs {name}, which the case does not have"),
    QT_TR_NOOP("pitfall ({key}) must be one of {keys}"),
    QT_TR_NOOP("pitfall {key} applies to {ops}, not to {op}"),
)
WORDS: tuple[str, ...] = (QT_TR_NOOP("height"), QT_TR_NOOP("width"))
WORD_FIELDS = frozenset({"axis"})

_templates: list[str] = list(ENGINE_MESSAGES)


def message_template(template: str) -> str:
    """Register an English message template (mark it with ``QT_TR_NOOP`` where it is written)
    so that :func:`translate_message` recognises messages built from it; returns it."""
    if template not in _templates:
        _templates.append(template)
        _compiled.cache_clear()
    return template


@lru_cache(maxsize=1)
def _compiled() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((_pattern(t), t) for t in _templates)


def _pattern(template: str) -> re.Pattern[str]:
    """A regular expression that matches what ``template.format(...)`` can produce."""
    parts = re.split(r"\{(\w+)\}", template)
    out, seen = [], set()
    for i, part in enumerate(parts):
        if i % 2 == 0:
            out.append(re.escape(part))
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>.+?)")
    return re.compile("".join(out), re.DOTALL)


def match_message(text: str) -> tuple[str, dict[str, str]] | None:
    """The template ``text`` was built from and the values of its fields, or None."""
    for pattern, template in _compiled():
        found = pattern.fullmatch(text)
        if found:
            return template, found.groupdict()
    return None


def translate_message(text: str) -> str:
    """An engine or state message (English) in the current language; unknown text unchanged."""
    if not text or _language == ENGLISH:
        return text
    found = match_message(text)
    if found is None:
        return text
    template, values = found
    for name, value in values.items():
        if name == "message":
            values[name] = translate_message(value)
        elif name in WORD_FIELDS:
            values[name] = tr(value)
    return tr(template).format(**values)


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

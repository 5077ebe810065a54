"""Where the app keeps user settings and data files, and whether this run is a batch run.

Two environment variables move everything elsewhere (the tests point them at a temporary
folder so they never touch a user's real settings or autosave):

``POOLING_VISUALIZER_CONFIG_DIR``
    folder of ``settings.ini`` (theme, palette, zoom, window geometry, recent sessions)
``POOLING_VISUALIZER_DATA_DIR``
    folder of the session autosave

Without them settings live in the per-user INI file Qt picks for organisation and application
``pooling-visualizer`` and data in ``<GenericDataLocation>/pooling-visualizer``.  Both names
are fixed here rather than taken from ``QCoreApplication`` so that a script or a test that
builds the window under another application name still finds the same files.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, QStandardPaths

CONFIG_ENV = "POOLING_VISUALIZER_CONFIG_DIR"
DATA_ENV = "POOLING_VISUALIZER_DATA_DIR"
NAME = "pooling-visualizer"
BATCH_PROPERTY = "poolingVisualizerBatchRun"


def app_settings() -> QSettings:
    """The user's settings (INI format on every platform, so the file is readable)."""
    folder = os.environ.get(CONFIG_ENV)
    if folder:
        return QSettings(str(Path(folder) / "settings.ini"), QSettings.IniFormat)
    return QSettings(QSettings.IniFormat, QSettings.UserScope, NAME, NAME)


def data_dir() -> Path:
    """Folder for files the app writes on its own (the autosave); not created here."""
    folder = os.environ.get(DATA_ENV)
    if folder:
        return Path(folder)
    base = QStandardPaths.writableLocation(QStandardPaths.GenericDataLocation)
    return Path(base) / NAME


def is_batch_run() -> bool:
    """Whether the app runs from the command line to write a file and exit (--screenshot,
    --export-gif): such runs neither read nor write settings, autosave or restore offers, so
    their output does not depend on what the user did last time."""
    app = QCoreApplication.instance()
    return bool(app is not None and app.property(BATCH_PROPERTY))


def list_value(settings: QSettings, key: str) -> list[str]:
    """A string list from ``settings`` (INI files give back a lone item as a plain string)."""
    value = settings.value(key, [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]

"""Optional features plugged into the main window.

Each feature module exposes ``install(window: MainWindow) -> None``, which adds its menu
entries (``window.menus[...]``), toolbar actions (``window.toolbar``), docks and shortcuts.
The window calls them in this order after building its own layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from visualizer import annotation, export, language, presentation, session
from visualizer.widgets import (
    code_panel,
    compare_view,
    help_dialog,
    pitfalls_panel,
    presets_dock,
    quiz_panel,
    stack_panel,
    verify_panel,
)

FEATURES: list[Callable[[Any], None]] = []
FEATURES.append(code_panel.install)  # View ▸ Show code (Ctrl+K)
FEATURES.append(verify_panel.install)  # Tools ▸ Check gradients, Compare with PyTorch
FEATURES.append(compare_view.install)  # Tools ▸ Compare, the parameter panel's Compare… button
FEATURES.append(stack_panel.install)  # Tools ▸ Layer stack (Ctrl+L): Stack mode
FEATURES.append(help_dialog.install)  # Help ▸ Getting started (first run too)
FEATURES.append(presets_dock.install)  # Presets menu (before Help), preset explanation dock
FEATURES.append(pitfalls_panel.install)  # View ▸ Pitfalls (Ctrl+P)
FEATURES.append(quiz_panel.install)  # Tools ▸ Quiz (Q): questions instead of the next result
FEATURES.append(session.install)  # File ▸ Open/Save session (Ctrl+O/S), recent, autosave
FEATURES.append(export.install)  # File ▸ Export: PNG/SVG (Ctrl+E), GIF, CSV, .npy
FEATURES.append(presentation.install)  # View ▸ F11, F5, theme, colours; QSettings
FEATURES.append(language.install)  # View ▸ Language: English / 简体中文; QSettings
FEATURES.append(annotation.install)  # View ▸ Annotation: pen (P), colour (C), eraser (E)

"""Optional features plugged into the main window.

Each feature module exposes ``install(window: MainWindow) -> None``, which adds its menu
entries (``window.menus[...]``), toolbar actions (``window.toolbar``), docks and shortcuts.
The window calls them in this order after building its own layout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FEATURES: list[Callable[[Any], None]] = []

"""The Qt front end of Pooling Visualizer.

``from visualizer import MainWindow`` gives the main window.  It is imported on first use
(module ``__getattr__``), so ``import visualizer`` stays light: no Qt widgets, no pyqtgraph,
until the window is asked for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from visualizer.main_window import MainWindow

__all__ = ["MainWindow"]


def __getattr__(name: str) -> Any:
    if name == "MainWindow":
        from visualizer.main_window import MainWindow

        return MainWindow
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

"""The Qt front end of Pooling Visualizer.

``from visualizer import MainWindow`` gives the main window.  It is imported on first use
(module ``__getattr__``), so ``import visualizer`` stays light: no Qt widgets, no pyqtgraph,
until the window is asked for.
"""

from __future__ import annotations

import os
import sys
from importlib.util import find_spec
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


def skip_pyside_source_scans() -> None:
    """Tell PySide6 beforehand that no module of this app or its engine selects a
    ``__feature__``, so that it does not read their sources as they are imported.

    Once PySide6 is imported, it reads the whole source of every module imported after it
    (``inspect.getsource``, to look for the text "PySide6") and records the answer by module
    name in ``shibokensupport.feature.pyside_feature_dict``: 0, no feature selected, or -1,
    no Qt used.  For the ~90 modules of the window that was ~0.6 ms each, ~5 % of the first
    paint.  The answers are the same here without reading anything: the engine never uses Qt
    (tests/architecture), and the app never selects a feature (0 is Qt's own API, as for
    every module that names PySide6).  Names recorded already are kept; without PySide6
    loaded, or in another PySide6 that keeps no such record, this does nothing.
    """
    feature = sys.modules.get("shibokensupport.feature")
    known = getattr(feature, "pyside_feature_dict", None)
    if not isinstance(known, dict):
        return
    for package, answer in (("visualizer", 0), ("engine", -1)):
        spec = find_spec(package)
        for root in (spec and spec.submodule_search_locations) or ():
            for folder, dirs, files in os.walk(root):
                dirs[:] = [d for d in dirs if d.isidentifier()]  # not __pycache__'s kind
                parts = os.path.relpath(folder, root).split(os.sep)
                prefix = ".".join([package, *(p for p in parts if p != ".")])
                for name in files:
                    stem, ext = os.path.splitext(name)
                    if ext == ".py":
                        module = prefix if stem == "__init__" else f"{prefix}.{stem}"
                        known.setdefault(module, answer)


skip_pyside_source_scans()

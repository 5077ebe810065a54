"""The engine is pure NumPy: importing it must not pull in Qt, pyqtgraph or the GUI package."""

from __future__ import annotations

from pathlib import Path

from checks import run_python

REPO_ROOT = Path(__file__).resolve().parents[2]

CHECK = (
    "import engine, sys; "
    "leaked = sorted(m for m in sys.modules "
    "if m.startswith(('PySide6', 'pyqtgraph', 'visualizer'))); "
    "assert not leaked, leaked; "
    "assert engine.__file__.startswith(sys.argv[1]), engine.__file__"
)


def test_engine_imports_without_gui():
    run_python(CHECK, str(REPO_ROOT / "engine"))


def test_every_engine_module_imports_without_gui():
    modules = sorted(p.stem for p in (REPO_ROOT / "engine").glob("*.py") if p.stem != "__init__")
    assert {"geometry", "pooling", "conv", "reference", "trace"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('engine.' + name)\n"
        "gui = ('PySide6', 'pyqtgraph', 'visualizer')\n"
        "leaked = [m for m in sys.modules if m.startswith(gui)]\n"
        "assert not leaked, leaked\n"
    )
    run_python(code)

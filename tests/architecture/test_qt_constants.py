"""Qt's constants that PySide6 does not export have one home, :mod:`visualizer.ui`: no other
module spells them (a widget importing another widget's copy, or a bare 16777215)."""

from __future__ import annotations

import ast
from pathlib import Path

from PySide6.QtWidgets import QWidget

from visualizer import ui

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "visualizer" / "ui.py"


def _spellings(path: Path) -> list[str]:
    """Where ``path`` defines QWIDGETSIZE_MAX, writes its value as a decimal number, or imports
    it from elsewhere than visualizer.ui."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == ui.QWIDGETSIZE_MAX:
            written = ast.get_source_segment(source, node) or ""
            if not written.lower().startswith("0x"):  # 0xFFFFFF: an RGB mask, not a size
                found.append(f"{path.name}:{node.lineno}: {written}")
        elif isinstance(node, ast.Name) and node.id == "QWIDGETSIZE_MAX":
            if isinstance(node.ctx, ast.Store):
                found.append(f"{path.name}:{node.lineno}: defines QWIDGETSIZE_MAX")
        elif isinstance(node, ast.ImportFrom) and node.module != "visualizer.ui":
            if any(alias.name == "QWIDGETSIZE_MAX" for alias in node.names):
                found.append(f"{path.name}:{node.lineno}: from {node.module}")
    return found


def test_qwidgetsize_max_has_one_home(qapp):
    # Qt's own value: what a new widget's maximum size is.
    widget = QWidget()
    assert widget.maximumWidth() == widget.maximumHeight() == ui.QWIDGETSIZE_MAX
    files = [ROOT / "main.py", *sorted((ROOT / "visualizer").rglob("*.py"))]
    found = [spot for path in files if path != HOME for spot in _spellings(path)]
    assert found == []

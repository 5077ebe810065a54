"""Guards that keep operations as data: no operation-name branches, no engine calls from widgets.

(a) Nothing outside ``engine/ops`` compares a value with an operation's name or alias.
(b) Widgets never call the engine's computations; they go through the state and the model.
(c) A throw-away operation registered in a test appears everywhere (see test_throwaway_op.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from engine.ops import OPS

ROOT = Path(__file__).resolve().parents[2]
NAMES = {name for spec in OPS.values() for name in (spec.key, spec.alias)}


def _sources() -> list[Path]:
    files = [ROOT / "main.py"]
    for package in ("engine", "visualizer"):
        files += sorted((ROOT / package).rglob("*.py"))
    return [f for f in files if "ops" not in f.relative_to(ROOT).parts[1:2]]


def _literal_names(node: ast.AST) -> set[str]:
    """Operation names among the string constants of ``node`` (also inside tuples, lists, sets)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value} & NAMES
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return set().union(*(_literal_names(e) for e in node.elts)) if node.elts else set()
    return set()


def _comparisons(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            names = set().union(*(_literal_names(n) for n in [node.left, *node.comparators]))
            if names:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} compares with {names}")
        elif isinstance(node, ast.match_case):
            names = set()
            for sub in ast.walk(node.pattern):
                if isinstance(sub, ast.MatchValue):
                    names |= _literal_names(sub.value)
            if names:
                found.append(f"{path.relative_to(ROOT)}:{node.pattern.lineno} matches {names}")
    return found


def test_the_scan_sees_the_code():
    files = _sources()
    assert any(f.name == "state.py" for f in files)
    assert not any("engine/ops" in str(f.relative_to(ROOT)) for f in files)


def test_nothing_outside_engine_ops_compares_an_operation_name():
    found = [hit for path in _sources() for hit in _comparisons(path)]
    assert not found, "operation-name branches outside engine/ops:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "code",
    ['if op == "max": pass', 'x = op in ("avg", "conv2d")', 'y = "conv" != kind'],
)
def test_the_scan_catches_a_comparison(tmp_path, code):
    path = ROOT / "tests" / "architecture" / "_probe_tmp.py"
    path.write_text(code, encoding="utf-8")
    try:
        assert _comparisons(path)
    finally:
        path.unlink()


# ---- (b) widgets reach the engine only through the state -------------------------------------
# What a widget may take from the engine: descriptions (the registry, error type, pitfall
# texts) and number formatting.  Everything that computes goes through visualizer.state.
ALLOWED = {
    "engine": {"format_number", "OPS", "get_op", "ParameterError"},
    "engine.ops": {"OPS", "OpSpec", "ParamSpec", "Params", "TensorSpec", "get_op", "op_names"},
    "engine.errors": {"ParameterError"},
    "engine.trace": {"format_number"},
    "engine.pitfalls": {"Pitfall", "compare", "get_pitfall", "pitfalls_for"},
}


def _engine_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            bad += [a.name for a in node.names if a.name.split(".")[0] == "engine"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "engine":
            allowed = ALLOWED.get(node.module or "", set())
            bad += [f"{node.module}.{a.name}" for a in node.names if a.name not in allowed]
    return [f"{path.relative_to(ROOT)}: {name}" for name in bad]


def test_widgets_never_call_engine_computations():
    widgets = sorted((ROOT / "visualizer" / "widgets").glob("*.py"))
    assert widgets
    found = [hit for path in widgets for hit in _engine_imports(path)]
    assert not found, "widgets importing engine computations:\n" + "\n".join(found)


def test_the_model_is_qt_free():
    from checks import run_python

    run_python(
        "import sys, visualizer.model, visualizer.model.present\n"
        "leaked = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph'))]\n"
        "assert not leaked, leaked\n"
    )

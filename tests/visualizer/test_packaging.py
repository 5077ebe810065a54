"""Named contracts and packaging: ``visualizer.MainWindow``, a light ``import visualizer``,
what the wheel installs (every package, no top-level ``main`` module) and how the app starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from checks import run_python

ROOT = Path(__file__).resolve().parents[2]


def test_visualizer_exports_the_main_window():
    import visualizer
    from visualizer.main_window import MainWindow

    assert visualizer.MainWindow is MainWindow
    assert "MainWindow" in dir(visualizer) and visualizer.__all__ == ["MainWindow"]
    with pytest.raises(AttributeError):
        visualizer.NoSuchThing  # noqa: B018


def test_import_visualizer_stays_light():
    code = (
        "import sys, visualizer; "
        "print(sorted(m for m in ('PySide6.QtWidgets', 'pyqtgraph', 'visualizer.main_window') "
        "if m in sys.modules))"
    )
    assert run_python(code, timeout=60).strip() == "[]"


def _setuptools_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_main_py_is_not_installed_as_a_top_level_module():
    config = _setuptools_config()
    assert "main" not in config.get("py-modules", [])
    # The installed app starts from the entry point instead.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["gui-scripts"]["pooling-visualizer"] == "visualizer.app:main"


def test_every_package_of_the_checkout_is_installed():
    listed = set(_setuptools_config()["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for top in ("engine", "visualizer")
        for p in (ROOT / top).rglob("__init__.py")
    }
    assert found <= listed, f"missing from pyproject.toml packages: {sorted(found - listed)}"


def test_the_wheel_has_no_main_module_and_every_package(tmp_path):
    pytest.importorskip("setuptools")
    # Built from a copy: an in-tree build would leave build/ and *.egg-info in the checkout.
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "main.py"):
        shutil.copy(ROOT / name, source / name)
    for name in ("engine", "visualizer", "assets"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "-q",
         "-w", str(out), str(source)],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, PIP_NO_INDEX="1"),
    )  # fmt: skip
    if result.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {result.stderr[-300:]}")
    (wheel,) = out.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "main.py" not in names
    top_level = next(n for n in names if n.endswith("top_level.txt"))
    assert "main" not in zipfile.ZipFile(wheel).read(top_level).decode().split()
    for module in ("visualizer/__init__.py", "visualizer/app.py", "engine/__init__.py"):
        assert module in names


def test_python_main_py_from_a_checkout_still_starts(tmp_path):
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, "main.py", "--screenshot", str(shot), "--window-size", "800x600"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert shot.read_bytes().startswith(b"\x89PNG")

"""Stack presets: stack files with a title and an explanation in English and Chinese, shipped
under ``assets/presets/stacks/`` (reached through :func:`visualizer.resources.asset`).

A stack preset is a stack file (:mod:`visualizer.model.stack`) with four more fields:
``"title"``, ``"explanation"``, ``"title_zh"`` and ``"explanation_zh"``.  The Stack panel
lists them in file-name order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from visualizer.i18n import CHINESE, ENGLISH, localized
from visualizer.model.stack import STACK_FILE, STACK_MAX_BYTES, StackDoc, read_stack_file
from visualizer.resources import asset
from visualizer.safe_io import read_text_file


@dataclass(frozen=True)
class StackPreset:
    """One shipped stack file's titles and explanations (the stack is read when chosen)."""

    path: Path
    title: str
    explanation: str
    title_zh: str = ""
    explanation_zh: str = ""

    def display_title(self) -> str:
        return localized({ENGLISH: self.title, CHINESE: self.title_zh})

    def display_explanation(self) -> str:
        return localized({ENGLISH: self.explanation, CHINESE: self.explanation_zh})


def stack_presets_dir() -> Path:
    return asset("presets", "stacks")


def list_stack_presets() -> list[StackPreset]:
    """The shipped stack presets, in file-name order; a file that cannot be read is left out
    (tests/visualizer/test_stack_presets.py reads every one)."""
    folder = stack_presets_dir()
    if not folder.is_dir():
        return []
    presets = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json"):
        try:
            data = json.loads(read_text_file(path, STACK_MAX_BYTES, STACK_FILE))
        except ValueError:
            continue
        if not isinstance(data, dict):
            continue
        presets.append(
            StackPreset(
                path,
                str(data.get("title", path.stem)),
                str(data.get("explanation", "")),
                str(data.get("title_zh", "")),
                str(data.get("explanation_zh", "")),
            )
        )
    return presets


def load_stack_preset(path: str | Path) -> StackDoc:
    """The stack of a preset file (ValueError naming the file, the layer and the parameter)."""
    return read_stack_file(path)

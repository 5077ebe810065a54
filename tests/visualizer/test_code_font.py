"""The code view's font: chosen among the families the font database reports fixed-pitch.

The choice is tested with a made-up font database, so the result does not depend on the fonts
of the machine running the tests.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QPlainTextEdit

from visualizer.widgets.code_panel import PREFERRED_CODE_FAMILIES, choose_code_family, code_font


def database(fixed: set[str], others: set[str] = frozenset()):
    families = sorted(fixed | set(others))
    return families, fixed.__contains__


def test_the_system_fixed_font_is_kept_when_it_is_fixed_pitch():
    families, is_fixed = database({"Hack", "DejaVu Sans Mono"})
    assert choose_code_family(("Hack",), families, is_fixed) == "Hack"


def test_a_system_font_not_reported_fixed_pitch_is_skipped():
    # The machine of the bug: "monospace" resolves to Noto Sans Mono, which Qt does not call
    # fixed-pitch; a preferred monospace family that is installed is taken instead.
    families, is_fixed = database({"Liberation Mono", "DejaVu Sans Mono"}, {"Noto Sans Mono"})
    assert choose_code_family(("Noto Sans Mono",), families, is_fixed) == "DejaVu Sans Mono"


def test_preferred_families_go_in_their_order_and_only_if_installed():
    assert PREFERRED_CODE_FAMILIES.index("Consolas") < PREFERRED_CODE_FAMILIES.index("Courier New")
    families, is_fixed = database({"Courier New", "Consolas"}, {"Arial"})
    assert choose_code_family(("Arial",), families, is_fixed) == "Consolas"
    # A preferred name that is not installed is never chosen, even if "fixed".
    families, is_fixed = database({"Zeta Mono"}, {"Arial"})
    assert choose_code_family((), families, lambda f: f == "Menlo" or is_fixed(f)) == "Zeta Mono"


def test_any_fixed_pitch_family_when_no_preferred_one_is_installed():
    families, is_fixed = database({"Zeta Mono", "Alpha Mono"}, {"Arial", "Noto Sans Mono"})
    assert choose_code_family(("Noto Sans Mono",), families, is_fixed) == "Alpha Mono"


def test_no_fixed_pitch_family_keeps_the_system_font():
    families, is_fixed = database(set(), {"Arial", "Noto Sans Mono"})
    assert choose_code_family(("Noto Sans Mono",), families, is_fixed) is None
    assert choose_code_family(("",), [], is_fixed) is None


def test_the_code_view_uses_the_chosen_family(qtbot, window):
    font = code_font()
    chosen = choose_code_family(
        (font.family(),), QFontDatabase.families(), QFontDatabase.isFixedPitch
    )
    window.code_panel.show()
    edit = window.code_panel.findChild(QPlainTextEdit, "numpyCode")
    assert edit.font().family() == font.family()
    if chosen is not None:  # this machine has a fixed-pitch family: the view uses one
        assert QFontDatabase.isFixedPitch(edit.font().family())

"""Compare mode in the lecture layout (issue 10): the panels' matrices at the largest cell size
shared by every view that fits the room, and the text box saying what each setting computes.

Sizes are read from the widgets as tests/visualizer/test_lecture_cells.py reads them: a
column's width, a row's height and the font the model reports for ``Qt.FontRole``.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextDocument
from test_lecture_layout import cell_font, digit_height, no_scroll_bars, settle

from visualizer.model.document import CompareSetup


def _compare(window, *changes):
    assert window.state.set_compare(CompareSetup.of(*changes)), window.state.error
    return window.compare_view


def _present(qtbot, window, size, on=True):
    window.resize(*size)
    settle(qtbot, window)
    window.presentation.set_presentation(on, save=False)
    settle(qtbot, window)


def _shown(view):
    return [v for p in view.panels for name, v in p.views.items() if name in p.shown]


def _box_lines(window) -> list[str]:
    """The lines of the step bar's text box, as plain text."""
    document = QTextDocument()
    document.setHtml(window.step_bar.arithmetic_label.text())
    text = document.toPlainText().replace("\xa0", " ").replace("\u2060", "")  # no-break, joiner
    return text.split("\n")


@pytest.mark.parametrize(
    ("size", "least_column", "least_row", "least_digit"),
    # Before: 1366×768 rows of 21 px, X's columns 30 px, digits 10 px; 1024×768 20, 29, 9.
    [((1366, 768), 40, 32, 18), ((1024, 768), 40, 28, 16)],
)
def test_two_settings_fill_the_lecture_at_one_cell_size(
    window, qtbot, size, least_column, least_row, least_digit
):
    view = _compare(window, {"padding": 0}, {"padding": 1})
    window.state.set_step(5)
    _present(qtbot, window, size)
    try:
        assert view.isVisible() and view.lecture
        x = view.panels[0].views["input"]
        assert x.model.values.shape == (8, 8)  # the default example
        assert x.column_width() >= least_column
        assert x.table.rowHeight(0) >= least_row
        assert digit_height(x) >= least_digit
        shown = _shown(view)
        assert {p.views["output"] for p in view.panels} <= set(shown)
        # One cell size and one font for every view of every panel ...
        assert len({v.table.rowHeight(0) for v in shown}) == 1
        assert len({cell_font(v).pixelSize() for v in shown}) == 1
        # ... each view whole, inside its panel and the window.
        for v in shown:
            assert no_scroll_bars(v), v.objectName()
            box = v.geometry().translated(v.parentWidget().mapTo(window, v.pos()) - v.pos())
            assert window.rect().contains(box), v.objectName()
    finally:
        window.presentation.set_presentation(False, save=False)


def test_the_text_box_says_each_setting_s_arithmetic(window, qtbot):
    from visualizer.i18n import CHINESE, ENGLISH, set_language

    view = _compare(window, {"padding": 0}, {"padding": 1})
    st = window.state
    st.set_step(5)
    _present(qtbot, window, (1366, 768))
    try:
        assert _box_lines(window) == [
            "padding = 0: max(13, 2, 1, 20) = 20",
            "padding = 1: max(-∞, 8, -∞, 13) = 13",
        ]
        # The panels keep their titles alone: their arithmetic is in the box.
        assert not any(p.step_label.isVisible() for p in view.panels)
        assert [p.title_label.text() for p in view.panels] == ["padding = 0", "padding = 1"]
        st.set_step(6)
        assert _box_lines(window)[0].startswith("padding = 0: max(")
        set_language(CHINESE)
        assert _box_lines(window)[1].startswith("padding = 1：max(")
        set_language(ENGLISH)
        # A third setting: a third line, each at the sentence's size (no smaller lines).
        _compare(window, {"padding": 0}, {"padding": 1}, {"stride": 1})
        settle(qtbot, window)
        lines = _box_lines(window)
        # (at step 6 stride 1's window is at (0, 6), where stride 2 has none)
        assert lines[0] == "stride = 2, padding = 0: no window at (0, 6) with this setting"
        assert len(lines) == 3 and lines[2].startswith("stride = 1, padding = 0: max(")
        assert "font-size" not in window.step_bar.arithmetic_label.text()
    finally:
        set_language(ENGLISH)
        window.presentation.set_presentation(False, save=False)
    # Outside the lecture layout each panel says its own arithmetic, the bar the position.
    assert all(p.step_label.isVisible() for p in view.panels)
    assert _box_lines(window) == [st.step_text()]


def test_the_text_box_is_at_the_lecture_s_text_size(window, qtbot):
    """The settings' lines are drawn as large as the single operation's sentence."""
    st = window.state
    st.set_step(5)
    _present(qtbot, window, (1366, 768))
    try:
        single = window.step_bar.arithmetic_label.font().pixelSize()
        _compare(window, {"padding": 0}, {"padding": 1})
        settle(qtbot, window)
        assert len(_box_lines(window)) == 2
        assert window.step_bar.arithmetic_label.font().pixelSize() == single
    finally:
        window.presentation.set_presentation(False, save=False)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_leaving_the_lecture_layout_restores_the_normal_compare_layout(window, qtbot, size):
    from visualizer.widgets.matrix_view import HEADER_MOST_PX

    view = _compare(window, {"padding": 0}, {"padding": 1})
    window.state.set_step(5)
    window.resize(*size)
    settle(qtbot, window)
    normal = {
        "mode": view.mode,
        "shown": [p.shown for p in view.panels],
        "cells": [v.cell for v in _shown(view)],
        "limits": [(v.minimumSize(), v.maximumSize()) for v in _shown(view)],
        "max_cells": [v.max_cell for v in _shown(view)],
        "number_heights": [v.number_height for v in _shown(view)],
    }
    assert view.summary_label.isVisible()
    _present(qtbot, window, size)
    # The lecture's own layout: no summary (its height goes to the cells), the mask left out
    # at 1366×768 (kept at 1920×1080), every view at its matrix's size.
    assert not view.summary_label.isVisible()
    assert all(("mask" in p.shown) == (size == (1920, 1080)) for p in view.panels)
    assert all(v.minimumSize() == v.maximumSize() for v in _shown(view))
    window.presentation.set_presentation(False, save=False)
    settle(qtbot, window)
    # The window keeps its size (the lecture's fixed view sizes grew it by the menus' and
    # status bar's height on each exit, in the first version of this layout).
    assert window.size().toTuple() == size
    assert not view.lecture and view.summary_label.isVisible()
    assert view.mode == normal["mode"]
    assert [p.shown for p in view.panels] == normal["shown"]
    assert [v.cell for v in _shown(view)] == normal["cells"]
    assert [(v.minimumSize(), v.maximumSize()) for v in _shown(view)] == normal["limits"]
    assert [v.max_cell for v in _shown(view)] == normal["max_cells"]
    # The normal layout's own numbers' font fraction (chosen as the lecture's, see
    # CompareView._number_choice) and header font.
    assert [v.number_height for v in _shown(view)] == normal["number_heights"]
    for v in _shown(view):
        assert v.header_most == HEADER_MOST_PX
    assert all(p.step_label.isVisible() for p in view.panels)


def test_wide_numbers_keep_their_numbers_in_the_lecture(window, qtbot):
    """Three settings whose dX has wide numbers (LP pooling's "0.04336"), backward, at
    1366×768: the settings side by side at the normal layout's font fraction, every view a
    whole table with numbers.  (A regression guard: the first version of this layout measured
    only its larger fractions, stacked the settings in 15 px rows and drew the tables cut,
    with scroll bars.  It passes before this layout too.)"""
    from visualizer.widgets.matrix_view import MIN_NUMBER_CELL

    view = _compare(window, {"op": "max_pool2d"}, {"op": "avg_pool2d"}, {"op": "lp_pool2d"})
    st = window.state
    st.set_phase("backward")
    st.set_step(st.n_windows + 3)
    _present(qtbot, window, (1366, 768))
    try:
        shown = _shown(view)
        assert len(shown) == 9
        for v in shown:
            assert v.cell >= MIN_NUMBER_CELL and v.model.show_numbers, v.objectName()
            assert no_scroll_bars(v), v.objectName()
    finally:
        window.presentation.set_presentation(False, save=False)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(1024, 768), (1366, 768)])
def test_the_settings_lines_are_drawn_whole_in_their_box(window, qtbot, language, size):
    """The box's text as the label lays it out fits the box (the fit measured it without
    QLabel's indent: two Chinese lines of the backward phase at 1024×768 wrapped into four,
    the last one cut off)."""
    from visualizer.i18n import ENGLISH, set_language

    set_language(language)
    view = _compare(window, {"padding": 0}, {"padding": 1})
    st = window.state
    st.set_phase("backward")
    st.set_step(st.n_windows + 3)
    _present(qtbot, window, size)
    try:
        assert view.lecture
        label = window.step_bar.arithmetic_label
        assert len(_box_lines(window)) == 2
        assert label.heightForWidth(label.width()) <= label.height()
    finally:
        window.presentation.set_presentation(False, save=False)
        set_language(ENGLISH)


def test_panel_titles_grow_with_the_screen(window, qtbot):
    """At 1920×1080 the compare panels' titles ("padding = 1", what tells the settings apart)
    and their views' titles kept their 1366×768 size (17 and 18 px over 50 px cells); they grow
    with the window's height as the step bar's texts do, and come back outside the lecture."""

    def pixels(label) -> float:
        font = label.font()
        return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72

    view = _compare(window, {"padding": 0}, {"padding": 1})
    window.state.set_step(5)
    panel = view.panels[1]
    labels = [panel.title_label, panel.views["input"].title_label]
    normal = [pixels(label) for label in labels]
    _present(qtbot, window, (1366, 768))
    small = [pixels(label) for label in labels]
    window.resize(1920, 1080)
    settle(qtbot, window)
    assert window.height() == 1080
    large = [pixels(label) for label in labels]
    for before, after in zip(small, large, strict=True):
        assert after >= 1.35 * before, (small, large)
    window.presentation.set_presentation(False, save=False)
    settle(qtbot, window)
    assert [pixels(label) for label in labels] == normal

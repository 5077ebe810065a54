"""A step's work in the step bar: what its counter, arithmetic and slider ask of Qt on every
step (counted on calls, paint regions and data, never on time or pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from checks import adaptive_16_to_3, record_calls, settle
from PySide6.QtCore import QEvent, QObject, QRect, Qt
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QStyle, QStyleOptionSlider, QWidget
from qt_checks import height_needed

from visualizer import i18n
from visualizer.state import AppState
from visualizer.widgets.step_bar import arithmetic_html


def max_pooling_at(window, qtbot, n: int, step: int):
    """2×2/2 max pooling of an n×n random input, at ``step``, settled."""
    st = window.state
    st.set_input(np.random.default_rng(0).integers(0, 256, (n, n)).astype(float))
    st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(step)
    settle(qtbot)
    return st


def need(window) -> int:
    """The height the arithmetic's text needs at the label's width, measured on a fresh label
    styled as it is (QLabel's own height for a width is at least its least height)."""
    return height_needed(window.step_bar.arithmetic_label)


def test_a_step_asks_no_least_size_hint_of_the_arithmetic(window, qtbot, monkeypatch):
    """The arithmetic's fence read the label's least size hint on every step, though over the
    label's least height no layout reads it: QLabel laid the rich text out three to five times
    to make it (~0.4 ms a step).  The line keeps the height its text needs."""
    st = max_pooling_at(window, qtbot, 8, 1)
    label = window.step_bar.arithmetic_label
    asked: list[QLabel] = []
    original = QLabel.minimumSizeHint

    def counted(self: QLabel):
        if self is label:
            asked.append(self)
        return original(self)

    monkeypatch.setattr(QLabel, "minimumSizeHint", counted)
    for step in (2, 3, st.n_windows + 1, st.n_windows + 2):
        st.set_step(step)
        settle(qtbot)
        assert label.height() >= need(window)
    assert asked == []


def test_stepping_back_over_a_phase_s_border_measures_no_phase_again(window, qtbot, monkeypatch):
    """Normal layout: each phase's arithmetic height is measured on sixteen of its steps'
    texts; stepping over the border between the phases and back measured them again each
    time (~1 ms a step when playing a small input through its phases).  The heights are kept
    per phase: a step reads only its own text, and each phase keeps its own height (a kept
    one was raised to the other phase's, through QLabel's height for a width)."""
    st = adaptive_16_to_3(window, qtbot)
    label = window.step_bar.arithmetic_label
    st.set_step(st.n_windows)
    settle(qtbot)
    backward = label.height()
    st.set_step(2)
    settle(qtbot)
    forward = label.height()
    assert forward < backward  # the phases' lines do need other heights
    texts = record_calls(monkeypatch, AppState, "step_text")
    for step in (st.n_windows + 1, 3, st.n_windows + 2, 4):
        st.set_step(step)
        settle(qtbot)
        assert label.height() == (backward if step >= st.n_windows else forward), step
        assert label.height() >= need(window)
    assert len(texts) == 4  # the shown step's text, once a step


@pytest.mark.parametrize("change", ["language", "zoom", "operation"])
def test_a_phase_s_height_kept_is_measured_again_after_a_change(window, qtbot, monkeypatch, change):
    """The phases' kept heights are for one language, font (a zoom) and result: after a change the
    phases are measured again (and still only once each while stepping between them), and
    the line shows the new text at the height it needs."""
    st = adaptive_16_to_3(window, qtbot)
    label = window.step_bar.arithmetic_label
    st.set_step(st.n_windows)
    settle(qtbot)
    try:
        if change == "language":
            i18n.set_language(i18n.CHINESE)
        elif change == "zoom":
            font = label.font()
            window.set_zoom(1.5)
            assert label.font() != font  # a larger font: other line breaks
        else:
            st.set_params(output_size=(2, 2))
        settle(qtbot)
        heights = {}
        for step in (1, st.n_windows + 1):
            st.set_step(step)
            settle(qtbot)
            heights[step] = label.height()
            assert label.height() >= need(window), (change, step)
        texts = record_calls(monkeypatch, AppState, "step_text")
        for step in (2, st.n_windows + 2, 3):
            st.set_step(step)
            settle(qtbot)
            phase = 1 if step < st.n_windows else st.n_windows + 1
            assert label.height() == heights[phase], (change, step)
            assert label.height() >= need(window), (change, step)
        assert len(texts) == 3
        assert label.text() == arithmetic_html(st.step_text())  # the new step's text
    finally:
        i18n.set_language(i18n.ENGLISH)
        window.set_zoom(1.0)


def backward_of(window, qtbot, op: str) -> int:
    """``op`` with a 2×2 window, stride 2, on the default 8×8 input (16 windows either way),
    at its first backward step, settled: the arithmetic's height."""
    st = window.state
    assert st.set_op(op)
    assert st.set_params(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0)), st.error
    assert st.n_windows == 16
    st.set_step(st.n_windows)
    settle(qtbot)
    return window.step_bar.arithmetic_label.height()


def test_a_phase_s_height_is_not_kept_for_other_results(window, qtbot, monkeypatch):
    """The phases' heights were kept under id(results): Python gives a freed object's id to a
    later one, and new results with the same id and as many steps kept the height measured
    for the old ones (it is never lowered within a phase).  The reuse is made certain here:
    every object gets the same id.  Convolution's backward writes three lines of updates (dX,
    dW, db), max pooling's one: after the switch the line is as high as a fresh window's."""
    from conftest import new_window

    import visualizer.widgets.step_bar as step_bar

    monkeypatch.setattr(step_bar, "id", lambda _obj: 1, raising=False)
    tall = backward_of(window, qtbot, "conv2d")
    shown = backward_of(window, qtbot, "max_pool2d")
    fresh = new_window(qtbot)
    expected = backward_of(fresh, qtbot, "max_pool2d")
    assert expected < tall  # the two need other heights
    assert shown == expected
    assert shown >= need(window)


class PaintRects(QObject):
    """The rectangles of the paint events ``widget`` receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            assert isinstance(event, QPaintEvent)
            self.rects.append(event.rect())
        return False


def handle_rect(slider) -> QRect:
    option = QStyleOptionSlider()
    slider.initStyleOption(option)
    return slider.style().subControlRect(
        QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, slider
    )


def test_a_step_repaints_the_slider_between_its_handles_only(window, qtbot):
    """QAbstractSlider repaints the whole slider at every value (~0.3 ms of every step, the
    most of the step bar's paints); only the strip from the handle's old place to its new one
    changes, and that strip is what a step repaints, the handle's old and new places in it."""
    st = max_pooling_at(window, qtbot, 16, 5)
    slider = window.step_bar.step_slider
    painted = PaintRects(slider)
    for step in (6, 7, 0, st.n_steps - 1):
        old = handle_rect(slider)
        painted.rects.clear()
        st.set_step(step)
        settle(qtbot)
        new = handle_rect(slider)
        assert slider.value() == step
        assert len(painted.rects) == 1, step
        rect = painted.rects[0]
        assert rect.contains(old) and rect.contains(new), step
        if abs(new.center().x() - old.center().x()) < slider.width() // 4:
            assert rect.width() < slider.width() // 2, step  # a strip, not the whole slider
    slider.removeEventFilter(painted)


def test_a_step_writes_out_no_font_key(window, qtbot, monkeypatch):
    """The arithmetic's heights are kept by its font's key, among others: QFont.key wrote the
    font out as a string three or four times a step (a phase's first step, which measures the
    phase, is not counted).  It is kept until the font changes, and
    a new font (a zoom) still gets its own answers."""
    from PySide6.QtGui import QFont

    st = max_pooling_at(window, qtbot, 8, 1)
    label = window.step_bar.arithmetic_label
    keys = record_calls(monkeypatch, QFont, "key")
    for step in (2, 3, 4):
        st.set_step(step)
        settle(qtbot)
    assert keys == []
    try:
        window.set_zoom(1.5)
        settle(qtbot)
        assert label.font_key() == label.font().key()
        assert label.height() >= need(window)
    finally:
        window.set_zoom(1.0)


def test_a_step_seen_before_builds_no_markup_again(window, qtbot, monkeypatch):
    """Every step built its text's markup anew (~35 us of Python for a one-line sentence),
    stepping back to a step seen before too: it is kept by text, and the line shows the same
    markup (the step's own) whether built or kept."""
    from visualizer.widgets import step_bar

    st = max_pooling_at(window, qtbot, 8, 1)
    label = window.step_bar.arithmetic_label
    step_bar._arithmetic_html.cache_clear()  # texts seen by other tests
    for step in (2, 3):
        st.set_step(step)
        settle(qtbot)
    built = record_calls(monkeypatch, step_bar, "sentence_html")
    for step in (2, 3, 2):
        st.set_step(step)
        settle(qtbot)
        assert label.text() == step_bar.arithmetic_html(st.step_text())
        assert "&nbsp;" in label.text()  # the markup, not the plain sentence
    assert built == []


def test_a_step_s_paint_looks_for_the_text_control_once(window, qtbot, monkeypatch):
    """The arithmetic's paint looked for QLabel's text control among the label's children on
    every step; it is kept until a child comes or goes, and found again when QLabel makes a
    new one (a plain text deletes it, a rich text makes another)."""
    from visualizer.widgets.step_bar import ArithmeticLabel

    st = max_pooling_at(window, qtbot, 8, 1)
    label = window.step_bar.arithmetic_label
    label.repaint()
    searched = record_calls(monkeypatch, ArithmeticLabel, "findChildren")
    for step in (2, 3, 4):
        st.set_step(step)
        settle(qtbot)
        label.repaint()
    assert searched == []

    def control():
        found = [c for c in label.children() if c.metaObject().className() == "QWidgetTextControl"]
        return found[0] if found else None

    assert label._text_control() is control()
    # A plain text nobody selects needs no control: QLabel deletes it.
    flags = label.textInteractionFlags()
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText("plain")
    assert control() is None and label._text_control() is None
    label.setTextInteractionFlags(flags)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(arithmetic_html(st.step_text()))
    assert control() is not None and label._text_control() is control()
    label.repaint()

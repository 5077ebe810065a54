"""A step lays the window out again only when something needs another size (fence.py): the
step counter, the arithmetic line and a close-up change text on every step.  Counted on
layout requests (data), never on time."""

from __future__ import annotations

import numpy as np
import pytest
from checks import adaptive_16_to_3, settle
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from qt_checks import height_needed

from visualizer.widgets.fence import LayoutFence


class LayoutRequests(QObject):
    """Counts the layout requests ``widget`` receives."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def fenced_label(qtbot, text: str) -> tuple[QWidget, QLabel, LayoutFence]:
    outer = QWidget()
    qtbot.addWidget(outer)
    layout = QVBoxLayout(outer)
    label = QLabel(text)
    fence = LayoutFence(label)
    layout.addWidget(fence)
    layout.addStretch(1)
    outer.resize(300, 200)
    outer.show()
    qtbot.waitExposed(outer)
    settle(qtbot)
    return outer, label, fence


def test_a_text_of_the_same_size_is_not_passed_on(qtbot):
    outer, label, fence = fenced_label(qtbot, "Forward 12 / 64")
    requests = LayoutRequests(outer)
    label.setText("Forward 13 / 64")  # digits are equally wide: the same size
    settle(qtbot)
    assert requests.count == 0 and fence.passed_on == 0
    assert label.geometry() == fence.rect()
    label.setText("Forward 13 / 64 and a much longer text")
    settle(qtbot)
    assert fence.passed_on == 1 and requests.count >= 1
    # The layout around gave the fence, and so the label, the room the longer text needs.
    assert fence.width() >= label.sizeHint().width()
    assert label.geometry() == fence.rect()


def test_the_fence_takes_over_the_childs_constraints_and_visibility(qtbot):
    _outer, label, fence = fenced_label(qtbot, "1 + 2 = 3")
    label.setFixedHeight(57)
    settle(qtbot)
    assert fence.height() == 57 == label.height()
    label.hide()
    assert fence.isHidden()
    label.show()
    assert not fence.isHidden()
    settle(qtbot)
    assert label.isVisible() and label.geometry() == fence.rect()


def test_a_steady_fence_passes_on_a_new_number_of_lines_only(qtbot):
    outer = QWidget()
    qtbot.addWidget(outer)
    layout = QVBoxLayout(outer)
    label = QLabel("max(3, 1, 4, 1) = 4")
    label.setWordWrap(True)
    fence = LayoutFence(label, steady=True)
    layout.addWidget(fence)
    layout.addStretch(1)
    outer.resize(400, 300)
    outer.show()
    qtbot.waitExposed(outer)
    settle(qtbot)
    label.setText("max(15, 92, 65, 35) = 92")  # another width, still one line
    settle(qtbot)
    assert fence.passed_on == 0
    one_line = label.height()
    label.setText(" ".join(["max(15, 92, 65, 35) = 92"] * 8))  # several lines
    settle(qtbot)
    assert fence.passed_on == 1
    assert label.height() > one_line
    assert label.height() >= label.heightForWidth(label.width())


def max_pool_16x16_at_step_11(window, qtbot, lecture: bool):
    """Max pooling 2x2 / 2 of a 16x16 input at step 11, in the lecture layout or not."""
    st = window.state
    window.presentation.set_presentation(lecture, save=False)
    st.set_input(np.random.default_rng(0).integers(0, 256, (16, 16)).astype(float))
    st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(11)
    settle(qtbot)
    return st


@pytest.mark.parametrize("lecture", [False, True])
def test_stepping_lays_nothing_out_again(window, qtbot, lecture):
    """Max pooling of a 16x16 input at 1366x768 (X a heat map with its close-up in the normal
    layout): the counter, the arithmetic and the close-up change on every step, and no layout
    request reaches the window (two whole-window passes a step before)."""
    st = max_pool_16x16_at_step_11(window, qtbot, lecture)
    if not lecture:
        assert window.views_panel.input_view.magnified() is not None  # a close-up to step
    requests = LayoutRequests(window)
    counter = window.step_bar.counter_label.text()
    for step in range(12, 24):  # counters 13 to 24 of 64: as wide (9 -> 10 is wider)
        st.set_step(step)
        settle(qtbot)
    assert window.step_bar.counter_label.text() != counter  # the texts did change
    assert requests.count == 0


@pytest.mark.parametrize("lecture", [False, True])
def test_the_bias_gradient_s_new_text_lays_nothing_out_again(window, qtbot, lecture):
    """Convolution's backward steps write db anew on every step ("db = 3" → "db = 7"): the
    label's text laid the views (and the window) out again on about every other backward step.
    Behind a fence, only a text that needs another size reaches the views' layout.  (The step
    bar's own requests are another matter, counted in the tests above.)"""
    st = window.state
    window.presentation.set_presentation(lecture, save=False)
    assert st.set_op("conv2d")
    st.set_input(np.random.default_rng(0).integers(0, 10, (8, 8)).astype(float))
    st.set_step(st.n_windows + 10)  # db = 10 and on: two digits
    settle(qtbot)
    label = window.views_panel.bias_label
    assert label.isVisible()
    requests = LayoutRequests(window.views_panel)
    passed_on = window.views_panel.bias_slot.passed_on
    texts = set()
    for step in range(st.n_windows + 11, st.n_windows + 21):
        st.set_step(step)
        settle(qtbot)
        texts.add((label.text(), label.sizeHint().width()))
    widths = {width for _text, width in texts}
    assert len(texts) > 3 and len(widths) == 1, texts  # new texts of one width
    assert requests.count == 0 and window.views_panel.bias_slot.passed_on == passed_on
    assert label.isVisible() and label.width() >= label.sizeHint().width()


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_arithmetic_keeps_its_height_through_a_phase(window, qtbot, size):
    """Normal layout, adaptive average pooling 7x7 -> 3x3 backward: its first step has fewer
    update lines than the others (2 lines, then 6), and the arithmetic's height moved the
    views at that step.  The views' place and size stay while stepping through the phase."""
    st = window.state
    window.resize(*size)
    st.set_input(np.arange(49, dtype=float).reshape(7, 7))
    st.set_op("adaptive_avg_pool2d")
    st.set_params(output_size=(3, 3))
    st.set_step(st.n_windows)  # the backward phase's first step
    settle(qtbot)
    label = window.step_bar.arithmetic_label
    view = window.views_panel.input_view
    seen = set()
    needs = set()
    for step in range(st.n_windows, st.n_steps):
        st.set_step(step)
        settle(qtbot)
        seen.add((label.height(), view.geometry().getRect()))
        needs.add(height_needed(label))  # each step's text alone, as the label lays it out
    assert len(needs) > 1  # the steps' texts do need different heights
    assert len(seen) == 1, seen
    assert label.height() >= max(needs)


def test_the_arithmetic_s_height_for_a_width_is_laid_out_once_per_text_and_size(
    window, qtbot, monkeypatch
):
    """The arithmetic's height for a width is asked by its fence, the layout and the phase's
    steady height, several times a step, and QLabel laid the text out twice for each answer.
    Each is laid out once per text, width, font and least size now; the answers are QLabel's
    own (also after the least height or the font changes: a memo that left the least size out
    of its key answered with the old one)."""
    from PySide6.QtGui import QFont

    label = window.step_bar.arithmetic_label
    laid_out: list[tuple[object, ...]] = []
    qlabel_height = QLabel.heightForWidth

    def counted(self: QLabel, width: int) -> int:
        if self is label:
            laid_out.append((self.text(), width, self.minimumSize().toTuple(), self.font().key()))
        return qlabel_height(self, width)

    monkeypatch.setattr(QLabel, "heightForWidth", counted)
    st = window.state
    st.set_op("conv2d")
    for step in [*range(1, 9), st.n_windows + 1, st.n_windows + 2]:
        st.set_step(step)
        settle(qtbot)
    assert len(laid_out) >= 10  # each step's text
    assert len(laid_out) == len(set(laid_out)), laid_out
    width = label.width()
    for change in ("least", "font", "width", "text"):
        if change == "least":
            label.setMinimumHeight(label.heightForWidth(width) + 40)
        elif change == "font":
            font = QFont(label.font())
            font.setPointSizeF(font.pointSizeF() * 1.5)
            label.setFont(font)
        elif change == "width":
            width //= 2
        else:
            label.setText(label.text() + " + 1")
        laid_out.clear()
        answers = {label.heightForWidth(width) for _ in range(3)}
        assert answers == {qlabel_height(label, width)}, change
        assert len(laid_out) == 1, change


def test_a_phase_s_new_arithmetic_height_lays_the_window_out_at_that_step_only(window, qtbot):
    """Adaptive average pooling 16x16 -> 3x3: the backward phase's arithmetic needs more
    lines, so its first step lays the window out again (the line's new least height).  QLabel
    kept its least size hint with the old least height until the next text, so the next step,
    whose line kept its height, laid the whole window out again too (and again on the way
    back).  The steps after the one that changes the height post no layout request to it."""
    st = adaptive_16_to_3(window, qtbot)
    label = window.step_bar.arithmetic_label
    requests = LayoutRequests(window)
    heights = []
    for first, following in (
        (st.n_windows, range(st.n_windows + 1, st.n_windows + 4)),
        (2, (3, 4)),
    ):
        st.set_step(first)  # into the other phase: another height
        settle(qtbot)
        heights.append(label.height())
        requests.count = 0
        for step in following:
            st.set_step(step)
            settle(qtbot)
            assert label.height() == heights[-1]
            assert requests.count == 0, step
    assert heights[0] != heights[1]  # the phases' lines do need other heights


def test_the_tallest_candidates_are_the_texts_with_most_lines_and_the_longest():
    """The phase's steady height lays out only the sampled texts that can need the most
    lines: those with the most lines and the longest, in the steps' order."""
    from visualizer.widgets.step_bar import NORMAL_MEASURED, tallest_candidates

    texts = [f"max({', '.join(['1'] * n)}) = 1" for n in range(1, 17)]
    texts[3] += "\ndX[0, 0]: 0 + 1 = 1\ndX[0, 1]: 0 + 1 = 1"  # most lines, a short sentence
    chosen = tallest_candidates(texts)
    assert texts[3] in chosen and texts[-1] in chosen
    assert len(chosen) <= 2 * NORMAL_MEASURED
    assert chosen == [t for t in texts if t in chosen]  # in the steps' order
    assert tallest_candidates(["a"]) == ["a"] and tallest_candidates([]) == []


def probe_layouts(window, monkeypatch) -> list[str]:
    """The texts the step bar lays out on its probe label (the label the phase's texts are
    measured on), in order, from now on."""
    bar = window.step_bar
    laid_out: list[str] = []
    qlabel_height = QLabel.heightForWidth

    def counted(self: QLabel, width: int) -> int:
        if self is bar._probe:
            laid_out.append(self.text())
        return qlabel_height(self, width)

    monkeypatch.setattr(QLabel, "heightForWidth", counted)
    return laid_out


def test_an_edit_lays_out_only_the_tallest_candidates_of_the_phase(window, qtbot, monkeypatch):
    """After an edit the normal layout sampled sixteen steps and laid out each one's text on
    a probe label (17 layouts, a third of an adaptive pooling edit's work at 64x64); it lays
    out the longest few, and the arithmetic still keeps its height through the phase."""
    from visualizer.widgets.step_bar import NORMAL_MEASURED

    laid_out = probe_layouts(window, monkeypatch)
    st = window.state
    st.set_input(np.arange(64 * 64, dtype=float).reshape(64, 64) % 13)
    st.set_op("adaptive_avg_pool2d")
    settle(qtbot)
    for size in ((4, 4), (5, 5)):
        laid_out.clear()
        st.set_params(output_size=size)
        settle(qtbot)
        # The chosen texts and the shown step's own need.
        assert 1 < len(laid_out) <= 2 * NORMAL_MEASURED + 1, (size, len(laid_out))


def test_an_edit_back_to_measured_texts_lays_none_of_them_out_again(window, qtbot, monkeypatch):
    """output_size 4 -> 5 -> 4 -> 5: the texts sampled after the third and fourth edits are the
    ones measured after the first two, at the same width and font: laid out again each time
    (~0.4 ms each); their heights are kept, and the arithmetic's height is the same."""
    laid_out = probe_layouts(window, monkeypatch)
    st = window.state
    st.set_input(np.arange(64 * 64, dtype=float).reshape(64, 64) % 13)
    st.set_op("adaptive_avg_pool2d")
    settle(qtbot)
    heights = []
    for size in ((4, 4), (5, 5), (4, 4), (5, 5)):
        laid_out.clear()
        st.set_params(output_size=size)
        settle(qtbot)
        heights.append((len(laid_out), window.step_bar.arithmetic_label.minimumHeight()))
    assert heights[0][0] > 0 and heights[1][0] > 0, heights  # measured the first time
    assert heights[2] == (0, heights[0][1]), heights
    assert heights[3] == (0, heights[1][1]), heights


def test_an_edit_keeping_the_formula_s_lines_lays_the_side_panel_out_not_at_all(window, qtbot):
    """The output-size formula changes text on every edit (stride 1 -> 2: "H_out = 7" ->
    "H_out = 4"), and its label's request laid the side panel, and so the whole window, out
    again each time.  Behind a fence, a text of as many lines reaches no layout around it; one
    that needs more lines (a refused edit's reason) still gets its room."""
    st = window.state
    st.set_op("max_pool2d")
    st.set_input(np.arange(64, dtype=float).reshape(8, 8))
    st.set_params(kernel_size=2, stride=2, padding=0)
    settle(qtbot)
    label = window.formula_panel.formula_label
    side = window.side_panel.widget()
    requests = LayoutRequests(side)
    texts = {label.text()}
    for stride in (1, 2, 1, 2):
        assert st.set_params(stride=stride)
        settle(qtbot)
        texts.add(label.text())
    assert len(texts) == 2  # the text did change
    assert requests.count == 0
    lines = label.height()
    st.set_params(padding=2)  # refused (more than half the kernel): one more line, a long one
    settle(qtbot)
    assert st.error and label.text() not in texts
    assert requests.count >= 1
    assert label.height() > lines and label.height() >= label.heightForWidth(label.width())


def test_the_formula_s_height_for_a_width_is_laid_out_once_per_text_and_width(
    window, qtbot, monkeypatch
):
    """The layouts around the formula ask its height for a width several times an edit (nine
    at 1366x768, at four widths), and QLabel laid its five lines out twice for each answer."""
    label = window.formula_panel.formula_label
    laid_out: list[tuple[str, int]] = []
    qlabel_height = QLabel.heightForWidth

    def counted(self: QLabel, width: int) -> int:
        if self is label:
            laid_out.append((self.text(), width))
        return qlabel_height(self, width)

    monkeypatch.setattr(QLabel, "heightForWidth", counted)
    width = label.width()
    shown = label.text()
    for text in (shown.replace("1", "2"), shown + "\nOne more line"):  # texts not yet measured
        label.setText(text)
        laid_out.clear()
        answers = {label.heightForWidth(w) for w in (width, width - 20, width) for _ in range(2)}
        assert answers == {qlabel_height(label, width), qlabel_height(label, width - 20)}
        assert laid_out == [(text, width), (text, width - 20)]


def test_an_edit_back_to_an_earlier_formula_makes_no_size_hints_again(window, qtbot, monkeypatch):
    """QLabel makes a word-wrapped text's size hints from three layouts of it, one a line
    per word (~2 ms for adaptive pooling's five-line formula), again on every new text.  The
    formula's hints are kept by text: output_size 3 -> 4 -> 3 -> 4 makes them twice, and
    they are QLabel's own."""
    from PySide6.QtCore import QSize

    label = window.formula_panel.formula_label
    made: list[str] = []
    qlabel_hint, qlabel_least = QLabel.sizeHint, QLabel.minimumSizeHint

    def hint(self: QLabel) -> QSize:
        if self is label:
            made.append(self.text())
        return qlabel_hint(self)

    def least(self: QLabel) -> QSize:
        if self is label:
            made.append(self.text())
        return qlabel_least(self)

    st = window.state
    st.set_input(np.arange(64 * 64, dtype=float).reshape(64, 64) % 13)
    st.set_op("adaptive_avg_pool2d")
    settle(qtbot)
    monkeypatch.setattr(QLabel, "sizeHint", hint)
    monkeypatch.setattr(QLabel, "minimumSizeHint", least)
    counts = []
    for size in ((3, 3), (4, 4), (3, 3), (4, 4)):
        made.clear()
        assert st.set_params(output_size=size)
        settle(qtbot)
        counts.append(len(made))
        assert label.sizeHint() == qlabel_hint(label)
        assert label.minimumSizeHint() == qlabel_least(label)
    assert counts[0] > 0 and counts[1] > 0, counts
    assert counts[2:] == [0, 0], counts

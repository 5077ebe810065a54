"""The arithmetic line's sentence breaks only between its terms and words (issue 10, points 4
and 10): at 1024×768 it broke inside a formula ("1·(x /" over "23.96)").  Asserted on the
label's rich text: where it has a breakable space (a plain one; every other is "&nbsp;", and a
word joiner follows "/" inside a formula's word), in English and Chinese, in the normal and
the lecture layout."""

from __future__ import annotations

import html
import re

import pytest
from checks import settle

from visualizer.i18n import CHINESE, ENGLISH, set_language
from visualizer.widgets.step_bar import sentence_html


def pieces(rich: str) -> list[str]:
    """The parts of ``rich`` (the sentence's rich text) between which a line may break, as
    plain text (non-breaking spaces as spaces, word joiners left out)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", rich.replace("&nbsp;", "\x00")))
    return [part.replace("\x00", " ").replace("\u2060", "") for part in text.split(" ")]


def sentence_of(window) -> str:
    return window.step_bar.arithmetic_label.text().split("<br>")[0]


LP = "dY[0, 1] = 1: each cell x of the window gets 1·∂y/∂x = 1·(x / 23.96)^(p − 1) in dX (p = 2)"


def test_a_sentence_breaks_between_terms_and_words_only():
    assert pieces(sentence_html(LP)) == [
        "dY[0, 1] =",
        "1:",
        *"each cell x of the window gets".split(),
        "1·∂y/∂x =",
        "1·(x / 23.96)^(p − 1)",
        "in",
        "dX",
        "(p = 2)",
    ]
    # A long sum breaks after its terms' "+", an update stays whole.
    assert pieces(sentence_html("0·0 + 8·1 + 0·0 = 42")) == ["0·0 +", "8·1 +", "0·0 =", "42"]
    assert pieces(sentence_html("dY[2, 2] = 1 goes to the maximum: dX[4, 4] += 1 → 1")) == [
        "dY[2, 2] =",
        "1",
        *"goes to the maximum:".split(),
        "dX[4, 4] += 1 → 1",
    ]
    # "∂y/∂x" could break after its "/" (Unicode line breaking): a word joiner follows it.
    assert "1·∂y/\u2060∂x" in sentence_html(LP)


@pytest.mark.parametrize("language", [ENGLISH, CHINESE])
@pytest.mark.parametrize("presenting", [False, True])
def test_the_arithmetic_line_keeps_each_formula_whole(window, qtbot, language, presenting):
    set_language(language)
    try:
        window.resize(1024, 768)
        st = window.state
        assert st.set_op("lp")
        st.set_step(st.n_windows + 1)  # backward, the second window
        window.presentation.set_presentation(presenting, save=False)
        settle(qtbot)
        result = st.step_text().split("(x / ")[1].split(")")[0]  # the window's result
        parts = pieces(sentence_of(window))
        assert f"1·(x / {result})^(p − 1)" in "\n".join(parts).replace("（", "\n")
        assert "1·∂y/∂x =" in parts
        assert "dY[0, 1] =" in parts
        assert len(parts) >= 6  # and it can still wrap between its words
        st.set_op("max")
        st.set_step(st.n_windows + 1)
        settle(qtbot)
        parts = pieces(sentence_of(window))
        # The update whole ("传给最大值：dX[…]": a line may break after the full-width colon).
        assert any(re.search(r"dX\[\d+, \d+\] \+= 1 → \d", part) for part in parts), parts
    finally:
        window.presentation.set_presentation(False, save=False)
        set_language(ENGLISH)


def shown_lines(label) -> list[str]:
    """The lines ``label`` (the arithmetic beside the matrices) draws, laid out as it is laid
    out: its rich text at its font, as wide as its box leaves it."""
    from visualizer.widgets.step_bar import ARITHMETIC_SIDES, text_document

    document = text_document(label.text(), max(50, label.width() - ARITHMETIC_SIDES), True)
    document.setDefaultFont(label.font())
    document.setTextWidth(max(50, label.width() - ARITHMETIC_SIDES))
    document.size()  # laid out now
    lines = []
    block = document.begin()
    while block.isValid():
        layout, text = block.layout(), block.text()
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            part = text[line.textStart() : line.textStart() + line.textLength()]
            lines.append(part.replace("\u2028", "").replace("\xa0", " ").strip())
        block = block.next()
    return lines


UPDATE_NAME = re.compile(r"^(d[XWb](\[[^\]]*\])?):")


@pytest.mark.parametrize("language", [ENGLISH, CHINESE])
@pytest.mark.parametrize("size", [(1150, 768), (1024, 768)])
@pytest.mark.parametrize("op", ["conv2d", "conv_transpose2d"])
def test_updates_beside_the_matrices_wrap_alike(window, qtbot, op, size, language):
    """In the lecture's column beside the matrices, every update of a step is drawn whole
    on its line, or every one broken after its cell's name: at 1366×768 convolution's dX
    updates stayed whole while its dW updates broke after "dW[0, 0]:" (1366×768 now has the
    text below the matrices: 1150×768 is a wider size with it beside)."""
    set_language(language)
    try:
        window.resize(*size)
        st = window.state
        assert st.set_op(op)
        st.set_step(st.n_windows + 9)  # backward: dW sums of two digits
        window.presentation.set_presentation(True, save=False)
        settle(qtbot)
        bar = window.step_bar
        assert bar.beside
        for step in (9, 10, 40, 0):
            st.set_step(st.n_windows + step)
            settle(qtbot)
            lines = shown_lines(bar.arithmetic_label)
            named = [k for k, line in enumerate(lines) if UPDATE_NAME.match(line)]
            assert len(named) >= 4, lines  # dW's four cells at least
            whole = [lines[k].split(":", 1)[1].strip() != "" for k in named]
            assert all(whole) or not any(whole), lines
            if not any(whole):  # each formula on the line after its name
                assert all(re.match(r"^-?[\d.]+ \+ ", lines[k + 1]) for k in named), lines
    finally:
        window.presentation.set_presentation(False, save=False)
        set_language(ENGLISH)

"""Cell hints: whatever is typed into a cell, the refusal hint stays inside its view and the
window keeps its size (a 10,000-character non-number made the window 71,388 px wide)."""

from __future__ import annotations

import pytest

from visualizer.widgets.matrix_view import HINT_TEXT_CHARS, elide_typed


def test_elide_typed_keeps_short_text_and_cuts_long_text():
    assert elide_typed("abc") == "abc"
    assert elide_typed("x" * HINT_TEXT_CHARS) == "x" * HINT_TEXT_CHARS
    long = elide_typed("y" * 10_000)
    assert len(long) == HINT_TEXT_CHARS and long.endswith("…")
    assert elide_typed("a\nb\tc  d") == "a b c d"  # one line


@pytest.mark.parametrize("length", [300, 10_000])
def test_a_long_non_number_does_not_widen_the_window(window, qtbot, length):
    view = window.views_panel.input_view
    model = view.model
    size, minimum = window.size(), window.minimumSizeHint()
    before = window.state.x.copy()
    index = model.index(model.offset[0], model.offset[1])
    assert not model.setData(index, "z" * length)
    qtbot.wait(50)
    assert view.hint_label.isVisible()
    text = view.hint_label.text()
    assert "is not a number" in text and "…" in text and len(text) < 120
    assert window.size() == size
    assert window.minimumSizeHint().width() <= max(minimum.width(), size.width())
    assert view.hint_label.width() <= view.width()
    assert (window.state.x == before).all()  # the old value is kept

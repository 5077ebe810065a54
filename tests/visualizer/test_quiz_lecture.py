"""Quiz mode in the lecture layout where the lecture's text stands in a column beside the
matrices (convolution's and LP pooling's backward, adaptive pooling's large windows): the
quiz's answer strip goes into that column under the question.  As a third column it took
~520 px of the width and the 8×8 matrices shrank to heat maps of ~10 px cells.

Sizes are read from the widgets (a view's column width and row height, widgets' rectangles).
"""

from __future__ import annotations

import pytest
from checks import settle
from PySide6.QtCore import QRect

from visualizer.model.present import lecture_text_width

CASES = [
    ("conv2d", "backward", (1366, 768)),
    ("conv2d", "backward", (1024, 768)),
    ("lp_pool2d", "backward", (1366, 768)),
]


def rect_in(window, widget) -> QRect:
    return QRect(widget.mapTo(window, widget.rect().topLeft()), widget.size())


def present(window, qtbot, op: str, phase: str, size: tuple[int, int]) -> None:
    window.resize(*size)
    st = window.state
    assert st.set_op(op)
    st.set_step(st.n_windows + 5 if phase == "backward" else 5)
    settle(qtbot)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    settle(qtbot)


@pytest.mark.parametrize(("op", "phase", "size"), CASES)
def test_the_answer_strip_joins_the_text_column_and_the_matrices_keep_their_size(
    window, qtbot, op, phase, size
):
    present(window, qtbot, op, phase, size)
    panel, bar = window.views_panel, window.step_bar
    assert bar.beside  # the case: the text stands beside the matrices
    cells = {
        v.objectName(): (v.column_width(), v.table.rowHeight(0)) for v in panel.lecture_views()
    }
    window.state.set_quiz(True)
    settle(qtbot)
    settle(qtbot)
    assert window.state.quiz.hiding
    strip = window.quiz.lecture_strip
    assert strip.isVisible() and bar.beside
    column = lecture_text_width(window.width())
    # The strip is in the column, under the question: no wider than it, not beside it.
    strip_rect, bar_rect = rect_in(window, strip), rect_in(window, bar)
    assert strip.width() <= column
    assert strip_rect.left() == bar_rect.left() and strip_rect.top() >= bar_rect.bottom()
    assert window.rect().contains(strip_rect)
    edit = strip.quiz_answer_edit
    assert edit.isVisible() and rect_in(window, strip).contains(rect_in(window, edit))
    # The matrices keep the room (and the cells) they had without the quiz.
    assert panel.width() >= window.width() - column - 40
    for view in panel.lecture_views():
        assert (view.column_width(), view.table.rowHeight(0)) == cells[view.objectName()]
        assert not rect_in(window, view).intersects(strip_rect), view.objectName()
        assert not rect_in(window, view).intersects(bar_rect), view.objectName()
    # Quiz mode off: the column as before, the strip gone.
    window.state.set_quiz(False)
    settle(qtbot)
    assert not strip.isVisible() and bar.beside


def test_below_the_matrices_the_strip_stays_one_row_under_the_text(window, qtbot):
    present(window, qtbot, "max_pool2d", "backward", (1366, 768))
    window.state.set_quiz(True)
    settle(qtbot)
    settle(qtbot)
    bar, strip = window.step_bar, window.quiz.lecture_strip
    assert not bar.beside
    strip_rect, bar_rect = rect_in(window, strip), rect_in(window, bar)
    assert strip_rect.top() >= bar_rect.bottom() and window.rect().contains(strip_rect)
    # One row: the verdict, the answer line and the score side by side.
    verdict, edit = (
        rect_in(window, strip.quiz_verdict_label),
        rect_in(window, strip.quiz_answer_edit),
    )
    assert verdict.right() < edit.left() and abs(verdict.center().y() - edit.center().y()) < 20
    for view in window.views_panel.lecture_views():
        assert not rect_in(window, view).intersects(strip_rect), view.objectName()

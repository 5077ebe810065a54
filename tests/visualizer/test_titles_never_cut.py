"""Issue 10, point 10: no title is cut with "…".  A title wraps or takes a shorter form that
keeps its meaning instead: four kernel slices' "W[0,1]" over 55 px columns at 1366×768 were
"W[0…", a narrow close-up's "rows 0–2" over "columns 1–3" became "columns …" (and "ro…" over
"co…" beside a 256×256 input's heat map at 1024×768).  Widths are measured with each label's
own font metrics, so the tests hold with any font."""

from __future__ import annotations

import numpy as np
import pytest
from checks import settle
from PySide6.QtWidgets import QLabel
from test_channel_blocks import conv_with

from visualizer.i18n import CHINESE, ENGLISH, set_language
from visualizer.widgets.matrix_view import MatrixView, TitleLabel, close_up_titles

ELLIPSIS = "…"


def widest_line(label: QLabel, text: str) -> int:
    metrics = label.fontMetrics()
    return max(metrics.horizontalAdvance(line) for line in text.split("\n"))


def words(text: str) -> str:
    """The text without its line breaks and spaces: what a wrapped form must keep."""
    return "".join(text.split())


def test_a_title_too_wide_for_every_form_wraps_instead_of_eliding(qtbot):
    label = TitleLabel()
    qtbot.addWidget(label)
    label.show()
    label.set_forms(["W[0,1]"])
    room = label.fontMetrics().horizontalAdvance("W[0,")
    label.resize(room + label.width() - label.contentsRect().width() + 1, 80)
    settle(qtbot)
    shown = label.text()
    assert ELLIPSIS not in shown  # before: "W[0…"
    assert shown.split("\n") == ["W[0,", "1]"]
    assert widest_line(label, shown) <= label.contentsRect().width()
    assert label.lines == 2
    assert label.toolTip() == "W[0,1]"
    # Room again: one line.
    label.resize(label.fontMetrics().horizontalAdvance("W[0,1]") + 40, 80)
    settle(qtbot)
    assert label.text() == "W[0,1]" and label.lines == 1


@pytest.mark.parametrize("language", [ENGLISH, CHINESE])
def test_close_up_titles_have_narrow_forms_that_keep_every_number(qtbot, language):
    set_language(language)
    try:
        forms = close_up_titles((1, 3), (190, 229))
    finally:
        set_language(ENGLISH)
    # Before: three forms, the narrowest "rows 190–229" over "columns 6–11", then "…".
    assert len(forms) == 5
    assert [form.count("\n") for form in forms] == [0, 0, 1, 1, 3]
    for form in forms:
        assert all(str(n) in form for n in (1, 3, 190, 229)), form
        assert ELLIPSIS not in form
    label = TitleLabel()
    qtbot.addWidget(label)
    widths = [widest_line(label, form) for form in forms]
    assert widths[2] > widths[3] > widths[4]


@pytest.mark.parametrize("language", [ENGLISH, CHINESE])
def test_a_narrow_close_up_title_takes_a_narrow_form(qtbot, language):
    set_language(language)
    try:
        forms = close_up_titles((1, 3), (190, 229))
        label = TitleLabel()
        qtbot.addWidget(label)
        label.setWordWrap(True)
        label.show()
        label.set_forms(forms)
        margins = label.width() - label.contentsRect().width()
        for k in (3, 4):
            label.resize(widest_line(label, forms[k]) + margins, 200)
            settle(qtbot)
            assert label.text() == forms[k]
        # Narrower than any form: each line broken, every number kept, no "…".
        label.resize(widest_line(label, "229") + margins + 2, 200)
        settle(qtbot)
        shown = label.text()
        assert ELLIPSIS not in shown
        assert words(shown) == words(forms[-1])
    finally:
        set_language(ENGLISH)


def test_kernel_slice_titles_of_six_channels_are_whole(window, qtbot):
    """Six input channels' convolution in the normal layout at 1366×768: the titles of the
    four kernel slices and their gradients were "W[0…" and "dW[…"."""
    conv_with(window, qtbot, 6)
    st = window.state
    st.set_step(st.n_windows + 1)
    settle(qtbot)
    titles = [
        view.title_label
        for view in window.views_panel.findChildren(MatrixView)
        if view.isVisibleTo(window)
        and view.objectName().startswith(("kernelMatrix", "gradWeightMatrix"))
    ]
    assert len(titles) == 8
    for label in titles:
        shown = label.text()
        assert ELLIPSIS not in shown, shown
        assert words(shown) == words(label.full_text)
        assert widest_line(label, shown) <= label.contentsRect().width(), shown
    assert not any(
        ELLIPSIS in label.text()
        for label in window.views_panel.findChildren(TitleLabel)
        if label.isVisibleTo(window)
    )
    np.testing.assert_array_equal(st.shown_channels(), [0, 1, 2, 3])


def test_a_lecture_view_without_a_close_up_plan_shows_no_close_up(window, qtbot):
    """Adaptive average pooling of the 256×256 sample image at 1024×768, backward: the 2×2
    dY beside dX's close-up was left 40 px by the lecture layout, and drew a heat map with
    a close-up of its own in it, titled "ro…" over "co…".  A view the layout gives no
    close-up is sized for its table (or a heat map alone): it shows none."""
    from test_lecture_layout import present

    from visualizer.data import load_image
    from visualizer.resources import asset

    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    assert st.set_input(load_image(asset("images", "rings.png")))
    st.set_step(st.n_windows + 1)
    present(qtbot, window, (1024, 768))
    views = [v for v in window.views_panel.lecture_views() if v.isVisibleTo(window)]
    assert views
    for view in views:
        magnifier = view.magnifier
        shown = magnifier is not None and magnifier.isVisibleTo(window)
        assert not shown or view.close_up_plan is not None, view.objectName()
        if shown:
            title = magnifier.title_label
            assert ELLIPSIS not in title.text()
    # Back in the normal layout a heat map shows its close-up again where it chooses one.
    window.presentation.set_presentation(False, save=False)
    settle(qtbot)
    assert all(view._own_magnifier for view in window.views_panel.views())


@pytest.mark.parametrize("size", [(1024, 768), (1366, 768)])
def test_a_close_up_without_room_for_its_title_is_left_out(window, qtbot, size):
    """Six input channels' convolution, backward, in the normal layout: the input planes'
    views (112 px high at 1366×768) had close-ups of 26-36 px, "rows 0–2" over a second
    line cut off, above a 15 px table.  A close-up shows only where its title and a row of
    cells fit; the heat map takes the room otherwise."""
    conv_with(window, qtbot, 6)
    window.resize(*size)
    st = window.state
    st.set_step(st.n_windows + 1)
    settle(qtbot)
    shown = 0
    for view in window.views_panel.findChildren(MatrixView):
        magnifier = view.magnifier
        if magnifier is None or not magnifier.isVisibleTo(window):
            continue
        shown += 1
        title = magnifier.title_label
        assert ELLIPSIS not in title.text()
        assert title.heightForWidth(title.width()) <= title.height() + 1, view.objectName()
    # Larger views (the window grown) show their close-ups again.
    window.resize(1920, 1080)
    settle(qtbot)
    for view in window.views_panel.findChildren(MatrixView):
        magnifier = view.magnifier
        if view.isVisibleTo(window) and view.stack.currentIndex() == 1:
            assert magnifier is not None and magnifier.isVisibleTo(window), view.objectName()

"""Compare mode in the real window: lockstep, differing cells, --compare, sessions, undo."""

from __future__ import annotations

import numpy as np
import pytest

from visualizer import app
from visualizer.model.document import CompareSetup
from visualizer.session import apply_session, dumps, loads, session_from_state


def _enter(window, *changes):
    assert window.state.set_compare(CompareSetup.of(*changes)), window.state.error
    return window.compare_view


def test_tools_compare_action_enters_and_leaves(window):
    action = window.findChild(type(window.compare_action), "compare_action")
    assert action is window.compare_action and action.isCheckable()
    assert action in window.menus["tools"].actions()
    action.trigger()
    st = window.state
    assert st.comparison is not None and len(st.comparison.panels) >= 2
    assert window.compare_view.isVisible() and not window.views_panel.isVisible()
    st.set_input_cell(0, 0, 42.0)  # while the usual views are hidden (they do not redraw)
    action.trigger()
    assert st.comparison is None and st.compare is None
    assert window.views_panel.isVisible() and not window.compare_view.isVisible()
    # back, they show the current state
    assert window.views_panel.input_view.matrix()[0, 0] == 42
    np.testing.assert_array_equal(window.views_panel.output_view.matrix(), st.output_plane())


def test_titles_and_summary_follow_the_language(window):
    from visualizer.i18n import CHINESE, ENGLISH, set_language

    view = _enter(window, {"ceil_mode": False}, {"ceil_mode": True})
    try:
        set_language(CHINESE)
        assert [p.title_label.text() for p in view.panels] == ["ceil_mode = 关", "ceil_mode = 开"]
        assert "ceil_mode = 开" in view.summary_label.text()
    finally:
        set_language(ENGLISH)
    assert [p.title_label.text() for p in view.panels] == ["ceil_mode = off", "ceil_mode = on"]


def test_lockstep_keeps_every_panel_on_the_same_output_position(window):
    view = _enter(window, {"ceil_mode": False}, {"ceil_mode": True})
    st = window.state
    st.set_input(np.arange(49.0).reshape(7, 7))
    comparison = st.comparison
    assert [p.results.output.shape[-2:] for p in comparison.panels] == [(3, 3), (4, 4)]
    assert st.n_windows == 16
    for step in range(st.n_steps):
        window.step_bar.next_button.click() if step else st.set_step(0)
        assert st.step == step
        position = comparison.position(st.window_index)
        for i, panel in enumerate(view.panels):
            frame = st.compare_frame(i)
            out = comparison.panels[i].results.output.shape[-2:]
            has = position[0] < out[0] and position[1] < out[1]
            assert frame.step.present == has
            # The output view in the forward phase, dY (the same positions) in the backward.
            name = "output" if st.phase == "forward" else "grad_output"
            assert panel.shown == st_views(st, i, wide=view.cell_estimate >= 16)
            styles = panel.views[name].model.styles
            current = [rc for rc, s in styles.items() if "current" in s]
            if has:
                # the output view marks exactly this position as the current cell
                assert current == [position]
                assert frame.highlight.output_cell == position
            else:
                assert current == []
                assert "no window at" in panel.step_label.text()


def st_views(st, i, wide=False):
    """The views compare panel ``i`` shows in the current phase (the lecture layout's); with
    ``wide``, the backward phase's outputs and masks too (outside the lecture layout, where
    they leave room for numbers)."""
    panel = st.comparison.panels[i]
    mask = ("mask",) if panel.plane("mask") is not None else ()
    if st.phase == "forward":
        return ("input", "output", *mask)
    weight = ("grad_weight",) if panel.doc.spec.has_weight else ()
    if wide:
        return ("grad_output", "input", "output", *mask, "grad_input", *weight)
    return ("grad_output", "input", "grad_input", *weight)


# A differing cell's marks: its frame, or on a cell of the step its tab (see compare_view).
DIFFERS = {"wrong", "differs"}


def test_differing_cells_are_exactly_the_cells_whose_values_differ(window):
    view = _enter(window, {"op": "max"}, {"op": "avg"})
    st = window.state
    st.set_step(st.n_windows - 1)  # the whole output is shown
    comparison = st.comparison
    outputs = [p.results.output[0, 0] for p in comparison.panels]
    grads = [p.results.grad_input[0, 0] for p in comparison.panels]
    for i, panel in enumerate(view.panels):
        np.testing.assert_array_equal(panel.views["output"].matrix(), outputs[i])
        marked = {rc for rc, s in panel.views["output"].model.styles.items() if DIFFERS & set(s)}
        assert marked == {tuple(map(int, rc)) for rc in np.argwhere(outputs[0] != outputs[1])}
    st.set_step(st.n_steps - 1)  # the whole dX is shown, and the outputs still
    for i, panel in enumerate(view.panels):
        assert not panel.views["grad_input"].isHidden()
        np.testing.assert_array_equal(panel.views["grad_input"].matrix(), grads[i])
        marked = {
            rc for rc, s in panel.views["grad_input"].model.styles.items() if DIFFERS & set(s)
        }
        assert marked == {tuple(map(int, rc)) for rc in np.argwhere(grads[0] != grads[1])}
        assert not panel.views["output"].isHidden()
        marked = {rc for rc, s in panel.views["output"].model.styles.items() if DIFFERS & set(s)}
        assert marked == {tuple(map(int, rc)) for rc in np.argwhere(outputs[0] != outputs[1])}


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_backward_phase_still_shows_each_setting_s_output_and_mask(window, qtbot, size):
    """Issue 11, compare point 1: each panel shows "its output, mask and gradients".  Stepping
    back, two panels of the default example keep their (whole) outputs and masks beside dY,
    X and dX, their differing cells marked, the output at the step's position current, at
    one cell size with numbers; in the lecture layout (presentation mode) only the phase's
    matrices, as the lecture layout shows them."""
    from visualizer.widgets.matrix_view import MIN_NUMBER_CELL

    window.resize(*size)
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    st.set_step(st.n_windows + 3)
    qtbot.wait(20)
    view.sync_cell_sizes()
    comparison = st.comparison
    position = comparison.position(st.window_index)
    outputs = [p.results.output[0, 0] for p in comparison.panels]
    for i, panel in enumerate(view.panels):
        assert panel.shown == st_views(st, i, wide=True)
        np.testing.assert_array_equal(panel.views["output"].matrix(), outputs[i])
        styles = panel.views["output"].model.styles
        assert [rc for rc, s in styles.items() if "current" in s] == [position]
        marked = {rc for rc, s in styles.items() if DIFFERS & set(s)}
        h, w = outputs[i].shape
        other = outputs[1 - i]
        expected = {
            (r, c)
            for r in range(h)
            for c in range(w)
            if r >= other.shape[0] or c >= other.shape[1] or outputs[i][r, c] != other[r, c]
        }
        assert marked == expected
        mask = panel.views["mask"]
        assert not mask.isHidden()
        np.testing.assert_array_equal(mask.matrix(), comparison.panels[i].plane("mask"))
    shown = view.views()
    assert all(v.cell >= MIN_NUMBER_CELL and v.model.show_numbers for v in shown)
    window.presentation.set_presentation(True, save=False)
    try:
        qtbot.wait(20)
        for i, panel in enumerate(view.panels):
            assert panel.shown == st_views(st, i)
    finally:
        window.presentation.set_presentation(False, save=False)


def test_editing_the_input_in_one_panel_edits_it_in_all_and_undo_covers_it(window):
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    before = st.x.copy()
    view.panels[1].views["input"].sigCellEdited.emit(2, 3, 99.0)
    assert st.x[0, 0, 2, 3] == 99
    for i, panel in enumerate(view.panels):
        assert panel.views["input"].matrix()[2, 3] == 99
        assert st.comparison.panels[i].doc.x[0, 0, 2, 3] == 99
    st.undo_stack.undo()
    np.testing.assert_array_equal(st.x, before)
    assert view.panels[0].views["input"].matrix()[2, 3] == before[0, 0, 2, 3]
    st.undo_stack.undo()  # entering compare mode
    assert st.compare is None and not window.compare_action.isChecked()
    st.undo_stack.redo()
    assert st.compare == CompareSetup.of({"padding": (0, 0)}, {"padding": (1, 1)})
    assert window.compare_action.isChecked()


def test_quick_comparisons_from_the_parameter_panel(window):
    button = window.compare_button
    assert button.parent() is not None
    menu = button.menu()
    menu.aboutToShow.emit()
    names = {a.objectName() for a in menu.actions()}
    assert {"compare_padding_action", "compare_ceil_mode_action", "compare_ties_action"} <= names
    assert "compare_op_action" in names
    next(a for a in menu.actions() if a.objectName() == "compare_ties_action").trigger()
    st = window.state
    assert [p.doc.params["ties"] for p in st.comparison.panels] == ["first", "all", "split"]
    assert [p.title_label.text() for p in window.compare_view.panels] == [
        "ties = first", "ties = all", "ties = split",
    ]  # fmt: skip
    menu.aboutToShow.emit()
    assert "compare_stop_action" in {a.objectName() for a in menu.actions()}
    # Average pooling has no ties: switching to it is refused while the settings compare ties
    assert not st.set_op("avg") and "has no parameter ties" in str(st.error)
    next(a for a in menu.actions() if a.objectName() == "compare_stop_action").trigger()
    assert st.compare is None and st.set_op("avg")
    menu.aboutToShow.emit()
    names = {a.objectName() for a in menu.actions()}
    assert "compare_count_include_pad_action" in names and "compare_ties_action" not in names
    assert "compare_stop_action" not in names


def test_session_round_trip(window):
    _enter(window, {"padding": 0}, {"padding": 1, "ceil_mode": True})
    st = window.state
    st.set_step(7)
    text = dumps(session_from_state(st))
    session, raw = loads(text)
    assert raw["compare"] == [{"padding": [0, 0]}, {"padding": [1, 1], "ceil_mode": True}]
    st.set_compare(None)
    apply_session(st, session)
    assert st.compare == CompareSetup.of(
        {"padding": (0, 0)}, {"padding": (1, 1), "ceil_mode": True}
    )
    assert st.step == 7 and st.comparison is not None
    # an old file (no "compare") opens with compare mode off
    raw.pop("compare")
    import json

    old, _ = loads(json.dumps(raw))
    apply_session(st, old)
    assert st.compare is None and st.comparison is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("padding=0", "at least two settings"),
        ("padding=0|", "setting 2 is empty"),
        ("padding 1|padding=0", "must be name=value pairs"),
        ("nope=1|padding=0", "unknown params 'nope'"),
        ("op=nope|op=max", "operation ('nope') must be one of"),
    ],
)
def test_compare_flag_errors_exit_2_with_one_line(capsys, text, message):
    with pytest.raises(SystemExit) as exc:
        app.main(["--compare", text, "--screenshot", "/nonexistent/x.png"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("pooling-visualizer: error: --compare: ")
    assert message in err


def test_compare_flag_sets_up_compare_mode(qtbot):
    from visualizer.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    args = app.build_parser().parse_args(["--compare", "padding=0|padding=1", "--step", "3"])
    assert app.apply_arguments(w.state, args) == ""
    assert w.state.compare == CompareSetup.of({"padding": (0, 0)}, {"padding": (1, 1)})
    assert w.state.step == 3
    args = app.build_parser().parse_args(["--compare", "padding=0|padding=3"])
    message = app.apply_arguments(w.state, args)
    assert message.startswith("--compare: setting 2 (padding = 3): padding (3) must be at most")


def test_outputs_not_computed_yet_are_blank_in_every_panel(window):
    """Later windows' outputs are pending (blank), not drawn as the NaN the partial plane holds."""
    from PySide6.QtCore import Qt

    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    st.set_step(0)
    for panel in view.panels:
        model = panel.views["output"].model
        assert model.data(model.index(0, 0), Qt.DisplayRole) not in (None, "", "NaN")
        last = model.index(model.rowCount() - 1, model.columnCount() - 1)
        assert model.data(last, Qt.DisplayRole) in (None, "")


def test_a_convolution_panel_shows_dw_and_no_mask(window):
    st = window.state
    assert st.set_op("conv")
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st.set_step(st.n_steps - 1)
    for i, panel in enumerate(view.panels):
        assert not panel.views["grad_weight"].isHidden() and panel.views["mask"].isHidden()
        gw = st.comparison.panels[i].results.grad_weight[0, 0]
        np.testing.assert_allclose(panel.views["grad_weight"].matrix(), gw)


def test_gif_export_in_compare_mode_records_the_compare_panels(window, tmp_path):
    from PIL import Image

    from visualizer.export import export_gif, matrix_widget

    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    exporter = window.exporter
    assert exporter.source("panel") is view  # not the hidden usual views
    assert exporter.source("lecture") is window.lecture_area
    assert view.parentWidget() is window.lecture_area  # the lecture GIF holds the panels too
    with pytest.raises(ValueError, match="compare mode"):
        matrix_widget(window, "output")  # the usual view of one matrix is hidden
    recorded = []

    def progress(done: int, total: int) -> bool:
        if done:  # frame done - 1 was just grabbed: what the panels showed in it
            recorded.append(
                (st.step, [p.views["output"].matrix().copy() for p in view.panels],
                 [p.step_label.text() for p in view.panels])
            )  # fmt: skip
        return True

    path = tmp_path / "compare.gif"
    frames = export_gif(st, exporter.source("panel"), path, 100, "forward", progress)
    assert frames == st.n_windows == 25
    with Image.open(path) as im:
        # Every frame differs from the one before (Pillow merges equal frames): one per step.
        assert im.n_frames == 25 and im.size == (view.width(), view.height())
    for k, (step, outputs, texts) in enumerate(recorded):
        assert step == k
        cursor = type(st.cursor)(st.n_windows, k)
        for i in range(len(st.comparison.panels)):
            frame = comparison_frame(st, i, cursor)
            np.testing.assert_array_equal(outputs[i], frame.output)
        assert all(texts)  # each panel's arithmetic (or "no window") is in the frame
    assert "no window at" in recorded[-1][2][0]  # padding 0 has 4x4 outputs, padding 1 5x5


def comparison_frame(st, i, cursor):
    from visualizer.model import compare

    return compare.panel_frame(st.comparison, i, cursor)


def test_the_backward_phase_shows_dy_with_its_current_cell(window):
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    assert st.fill_grad_output("random", seed=3)
    st.set_step(st.n_windows + 2)
    comparison = st.comparison
    position = comparison.position(st.window_index)
    for i, panel in enumerate(view.panels):
        dy = panel.views["grad_output"]
        assert not dy.isHidden() and dy.title_label.text() == "dY"
        np.testing.assert_array_equal(dy.matrix(), comparison.panels[i].results.grad_output[0, 0])
        assert [rc for rc, s in dy.model.styles.items() if "current" in s] == [position]
        # dY cells only one setting has (its 5x5 against 4x4) are marked as differing.
        shapes = [p.results.grad_output.shape[-2:] for p in comparison.panels]
        marked = {rc for rc, s in dy.model.styles.items() if DIFFERS & set(s)}
        if i == 1:
            assert (4, 4) in marked and shapes[1] == (5, 5)
    st.set_step(0)
    assert all(p.views["grad_output"].isHidden() for p in view.panels)


def test_hovering_a_cell_lights_its_partners_in_every_panel(window, qtbot):
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    st.set_step(0)
    comparison = st.comparison
    # Hover input cell (2, 3) of the first panel: every panel lights the same input cell and
    # the output cells its own setting feeds from it.
    view.panels[0].views["input"].sigCellHovered.emit(2, 3)
    assert st.hover == ("input", 2, 3)
    for i, panel in enumerate(view.panels):
        cells_in, cells_out = comparison.panels[i].results.trace.linked("input", 2, 3)
        lit = {rc for rc, s in panel.views["input"].highlights().items() if "hover" in s}
        assert lit == set(cells_in) and (2, 3) in lit
        lit = {rc for rc, s in panel.views["output"].highlights().items() if "hover" in s}
        assert lit == set(cells_out) and lit
    outs = [set(p.results.trace.linked("input", 2, 3)[1]) for p in comparison.panels]
    assert outs[0] != outs[1]  # padding 1 moves the windows: another output reads (2, 3)
    # Hover an output cell of the second panel: its window in every panel.
    view.panels[1].views["output"].sigCellHovered.emit(1, 1)
    for i, panel in enumerate(view.panels):
        cells_in, _ = comparison.panels[i].results.trace.linked("output", 1, 1)
        lit = {rc for rc, s in panel.views["input"].highlights().items() if "hover" in s}
        assert lit == set(cells_in)
    view.panels[1].views["output"].sigHoverLeft.emit()
    assert st.hover is None
    for panel in view.panels:
        assert not any("hover" in s for s in panel.views["input"].highlights().values())


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_three_panels_of_the_default_example_show_numbers(window, qtbot, size):
    from visualizer.widgets.matrix_view import MIN_NUMBER_CELL

    window.resize(*size)
    view = _enter(window, {"padding": 0}, {"padding": 1}, {"stride": 1})
    for step in (0, window.state.n_windows):  # both phases
        window.state.set_step(step)
        qtbot.wait(20)
        view.sync_cell_sizes()
        shown = view.views()
        assert shown and all(v.cell >= MIN_NUMBER_CELL for v in shown), [v.cell for v in shown]
        assert all(v.model.show_numbers for v in shown)
        assert view.mode in ("columns", "grid", "rows")
        for panel in view.panels:  # the arithmetic whole, or cut with "…": no line half shown
            _assert_fits(panel.step_label)


def _assert_fits(label) -> None:
    from PySide6.QtCore import QRect, Qt

    from visualizer.widgets.compare_view import ELLIPSIS

    shown, room = label.text(), label.contentsRect()
    assert shown == label.full_text or shown.endswith(ELLIPSIS)
    flags = int(Qt.TextFlag.TextWordWrap if label.wordWrap() else Qt.TextFlag.TextSingleLine)
    need = label.fontMetrics().boundingRect(QRect(0, 0, room.width(), 1 << 20), flags, shown)
    assert need.height() <= room.height() and need.width() <= room.width(), (shown, room)


def test_the_lecture_layout_shows_the_panels_with_larger_texts(window):
    from visualizer.widgets.compare_view import (
        LECTURE_NUMBER_HEIGHTS,
        LECTURE_TEXT_SCALE,
        STEP_POINTS,
        TITLE_POINTS,
    )

    view = _enter(window, {"padding": 0}, {"padding": 1})
    window.presentation.set_presentation(True, save=False)
    try:
        assert view.isVisible() and view.lecture
        for panel in view.panels:
            assert panel.title_label.font().pointSizeF() == TITLE_POINTS * LECTURE_TEXT_SCALE
            assert panel.step_label.font().pointSizeF() == STEP_POINTS * LECTURE_TEXT_SCALE
            # Its numbers as large as the usual views' there, or larger where its cells are
            # bound by the height (they were the normal layout's): see LECTURE_NUMBER_HEIGHTS.
            heights = {v.number_height for v in panel.views.values()}
            assert len(heights) == 1 and heights < set(LECTURE_NUMBER_HEIGHTS[:2])
    finally:
        window.presentation.set_presentation(False, save=False)
    assert not view.lecture
    # The normal layout's own numbers' font fraction, one for every view (see
    # test_the_normal_layout_s_numbers_and_arithmetic_are_larger).
    heights = {v.number_height for p in view.panels for v in p.views.values()}
    assert len(heights) == 1 and heights <= set(LECTURE_NUMBER_HEIGHTS)
    assert all(p.title_label.font().pointSizeF() == TITLE_POINTS for p in view.panels)
    # A setting added while presenting gets the lecture texts too.
    window.presentation.set_presentation(True, save=False)
    try:
        _enter(window, {"padding": 0}, {"padding": 1}, {"stride": 1})
        assert len(view.panels) == 3
        assert view.panels[2].title_label.font().pointSizeF() == TITLE_POINTS * LECTURE_TEXT_SCALE
    finally:
        window.presentation.set_presentation(False, save=False)


def test_hovering_dw_links_nothing(window):
    st = window.state
    assert st.set_op("conv")
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st.set_step(st.n_steps - 1)
    view.panels[0].views["grad_weight"].sigCellHovered.emit(0, 0)  # a kernel tap, not X[0, 0]
    assert st.hover is None


def _settle(qtbot):
    from PySide6.QtWidgets import QApplication

    for _ in range(4):
        QApplication.processEvents()
        qtbot.wait(10)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("size", [(1024, 768), (1366, 768)])
@pytest.mark.parametrize("lecture", [True, False])
def test_each_panels_arithmetic_fits_its_box(window, qtbot, language, size, lecture):
    """The reviewer's 1024 × 768 lecture layout: three lines of average and LP pooling's
    backward arithmetic in a box two lines tall, cut at the top and bottom.  (The lecture
    layout now says the arithmetic in its text box, a line per setting.)"""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QTextDocument

    from visualizer.i18n import ENGLISH, set_language
    from visualizer.widgets.compare_view import ELLIPSIS

    set_language(language)
    window.resize(*size)
    view = _enter(window, {"op": "max_pool2d"}, {"op": "avg_pool2d"}, {"op": "lp_pool2d"})
    window.presentation.set_presentation(lecture, save=False)
    st = window.state
    try:
        for step in (st.n_windows + 2, st.n_steps - 2, 1):
            st.set_step(step)
            _settle(qtbot)
            if lecture:
                # The lecture layout's text box says every setting's arithmetic, whole, in
                # its box; the panels keep their titles alone.
                assert not any(p.step_label.isVisible() for p in view.panels)
                label = window.step_bar.arithmetic_label
                document = QTextDocument()
                document.setHtml(label.text())
                text = document.toPlainText().replace("\xa0", " ").replace("\u2060", "")
                assert text.split("\n") == st.compare_lecture_text().split("\n")
                need = window.step_bar._text_height(label.text(), label.width(), label.font())
                assert need <= label.height(), (need, label.height())
                continue
            heads = set()
            for i, panel in enumerate(view.panels):
                label = panel.step_label
                shown, whole = label.text(), st.compare_step_text(i)
                assert shown == whole or (shown.endswith(ELLIPSIS) and label.toolTip() == whole)
                room = label.contentsRect()
                if label.wordWrap():
                    flags = int(Qt.TextFlag.TextWordWrap)
                    box = QRect(0, 0, room.width(), 1 << 20)
                    need = label.fontMetrics().boundingRect(box, flags, shown).height()
                    assert need <= room.height(), (i, shown, need, room.height())
                    heads.add(label.height())
                else:
                    assert label.fontMetrics().horizontalAdvance(shown) <= room.width()
                    assert label.fontMetrics().height() <= room.height()
            assert len(heads) <= 1  # the panels' views start at one height
        # One cell size for every view still.
        assert len({v.cell for v in view.views()}) == 1
    finally:
        window.presentation.set_presentation(False, save=False)
        set_language(ENGLISH)


# The styles of a step's cells (their frames say where the step is).
STEP_STYLES = frozenset(("window", "pad_tap", "current", "target", "winner"))


def test_a_step_cell_that_differs_keeps_its_step_frame_visible(window, qtbot):
    """The reviewer's padding 0 | padding 1, backward: the step's dY cell (orange) and dX
    target (green) differ between the settings, and got the full violet frame of every
    differing cell, drawn over theirs: where the step was could not be seen."""
    from visualizer.widgets.compare_view import DIFFERS_STEP_STYLE, DIFFERS_STYLE

    window.resize(1366, 768)
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    _settle(qtbot)
    both = set()
    for step in range(st.n_windows, st.n_steps):
        st.set_step(step)
        _settle(qtbot)
        assert view._framed  # cells large enough for numbers: differing cells are marked
        _frames, differing = st.compare_frames()
        for i, panel in enumerate(view.panels):
            for name in panel.shown:
                styles = panel.views[name].model.styles
                marked = differing[i].get(name)

                def differs(pos, marked=marked):
                    inside = marked is not None and 0 <= pos[0] < marked.shape[0]
                    return inside and 0 <= pos[1] < marked.shape[1] and bool(marked[pos])

                for pos in styles:
                    roles = set(styles[pos])
                    if roles & STEP_STYLES:
                        # Nothing drawn over the step's frame but a corner tab.
                        assert DIFFERS_STYLE not in roles, (step, i, name, pos, roles)
                        if differs(pos):
                            assert DIFFERS_STEP_STYLE in roles
                            both.add((name, "current" in roles))
                    elif differs(pos):
                        assert DIFFERS_STYLE in roles  # the other differing cells as before
    # The reviewer's cases came up: the dY cell of the step and a dX target.
    assert ("grad_output", True) in both and ("grad_input", False) in both


def test_the_differs_tab_leaves_the_step_frame_whole(qtbot):
    """On a step's differing cell the step's frame is drawn as on any cell, then only a
    corner tab of the differs colour (not the full frame over it)."""
    from tests.visualizer.test_cell_numbers import shown_table
    from visualizer.widgets.compare_view import DIFFERS_STEP_STYLE
    from visualizer.widgets.matrix_view import style_pens

    view = shown_table(qtbot, [[1.0, 2.0], [3.0, 4.0]], (300, 300))
    view.set_cell_size(24)
    delegate = view.delegate
    violet = style_pens()[DIFFERS_STEP_STYLE][0].lower()
    for step in ("current", "target", "window", "winner"):
        alone = delegate._border_plan(24, 24, frozenset((step,)))
        plan = delegate._border_plan(24, 24, frozenset((step, DIFFERS_STEP_STYLE)))
        assert plan[: len(alone)] == alone  # the step's frame whole, first
        extra = plan[len(alone) :]
        assert extra and extra[-1][4].name().lower() == violet
        for x, y, w, h, _c, dashed in extra:  # a tab in the corner, under a third of the cell
            assert dashed is None and x == 0 and y == 0 and w <= 24 // 3 and h <= 24 // 3


def _box_text(window) -> list[str]:
    """The step bar's text box as read, a line each."""
    from PySide6.QtGui import QTextDocument

    document = QTextDocument()
    document.setHtml(window.step_bar.arithmetic_label.text())
    text = document.toPlainText().replace("\xa0", " ").replace("\u2060", "")
    return text.split("\n")


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_the_normal_layout_s_numbers_and_arithmetic_are_larger(window, qtbot, size):
    """Two settings of the default example, out of the lecture layout: the box says each
    setting's arithmetic (it said only that the arithmetic was in each panel), the settings
    one above the other each as tall as its views need (the padded X's 10 rows are not held
    to the height of the other's 8), and the numbers a larger share of the cells' height
    where the columns have the width (11 px digits in 22 px rows before)."""
    from visualizer.widgets.matrix_view import NUMBER_HEIGHT

    window.resize(*size)
    view = _enter(window, {"padding": 0}, {"padding": 1})
    st = window.state
    st.set_step(5)
    _settle(qtbot)
    assert _box_text(window) == [
        "padding = 0: max(13, 2, 1, 20) = 20",
        "padding = 1: max(-∞, 8, -∞, 13) = 13",
    ]
    assert view.mode == "rows"
    low, high = view.panels
    assert high.views["input"].model.values.shape == (10, 10)
    assert high.height() > low.height()
    shown = view.views()
    assert len({v.cell for v in shown}) == 1
    cell = shown[0].cell
    assert all(v.number_height > NUMBER_HEIGHT for v in shown)
    assert all(v.model.font.pixelSize() >= 0.65 * cell for v in shown), cell
    # Stepping keeps the box's lines the step's.
    st.set_step(6)
    _settle(qtbot)
    assert _box_text(window) == st.compare_lecture_text().split("\n")
    # Three settings: each panel says its own, the box the position (a line each cost the
    # panels their numbers).
    _enter(window, {"padding": 0}, {"padding": 1}, {"stride": 1})
    _settle(qtbot)
    assert _box_text(window) == [st.step_text()]
    assert all(p.step_label.isVisible() for p in view.panels)


def test_the_dy_cells_db_takes_outside_every_patch_are_marked_in_each_panel(window, qtbot):
    """Transposed convolution, stride 2, output_padding 0 and 1, at the last backward step:
    the second setting's dY has a row and a column no patch reaches, which its db takes; its
    panel marks them ("summed") as the usual dY view does, the first setting has none."""
    st = window.state
    assert st.set_op("conv_transpose2d")
    assert st.set_params(stride=2)
    view = _enter(window, {"output_padding": 0}, {"output_padding": 1})
    st.set_phase("backward")
    st.set_step(st.n_steps - 1)
    _settle(qtbot)
    marks = [p.views["grad_output"].highlights() for p in view.panels]
    summed = [{rc for rc, s in m.items() if "summed" in s} for m in marks]
    h, w = view.panels[1].views["grad_output"].model.values.shape
    assert (h, w) == (17, 17)
    assert summed[0] == set()
    assert summed[1] == {(r, c) for r in range(h) for c in range(w) if 16 in (r, c)}
    # The patch of the last input cell stays the current cells in both.
    patch = {(r, c) for r in (14, 15) for c in (14, 15)}
    assert all({rc for rc, s in m.items() if "current" in s} == patch for m in marks)

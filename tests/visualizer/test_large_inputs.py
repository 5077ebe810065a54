"""Large inputs (issue 10, point 7): a magnifier beside each heat map shows the current step's
cells and two cells around them, with numbers; "next row" and a faster play step through a
large image."""

from __future__ import annotations

import numpy as np
import pytest
from checks import settle
from PySide6.QtCore import Qt

from visualizer.limits import LARGE_SIDE, PLAY_SPEED_MAX
from visualizer.model.present import MAGNIFIER_MAX, magnifier_box, outline_segments
from visualizer.widgets import matrix_view
from visualizer.widgets.matrix_view import MAGNIFIER_CELL


@pytest.fixture
def large(window, qtbot):
    st = window.state
    st.set_op("max")
    x = np.arange(32 * 32, dtype=float).reshape(1, 1, 32, 32) % 97
    st.set_input(x)
    st.set_params(kernel_size=3, stride=1, padding=0)
    settle(qtbot)
    return window


def test_the_magnifier_box_is_the_window_and_two_cells_around_it():
    assert magnifier_box((32, 32), [(5, 6), (7, 8)]) == (3, 10, 4, 11)
    assert magnifier_box((32, 32), [(0, 0)]) == (0, 3, 0, 3)  # cut at the edge
    assert magnifier_box((32, 32), [(31, 31)]) == (29, 32, 29, 32)
    assert magnifier_box((32, 32), []) is None
    top, bottom, left, right = magnifier_box((64, 64), [(0, 0), (30, 30)])
    assert bottom - top == right - left == MAGNIFIER_MAX


def test_the_magnifier_box_is_cut_to_what_fits_its_room():
    # A 16×16 window in a close-up with room for 11 rows and 9 columns: its middle.
    assert magnifier_box((32, 32), [(16, 0), (31, 15)], most=(11, 9)) == (19, 30, 4, 13)
    # Never more than MAGNIFIER_MAX, whatever the room.
    top, bottom, left, right = magnifier_box((64, 64), [(0, 0), (30, 30)], most=(99, 99))
    assert bottom - top == right - left == MAGNIFIER_MAX


def test_a_cut_magnifier_box_moves_to_show_the_step_s_focus():
    window = [(16, 0), (31, 15)]  # a 16×16 window at the bottom left of a 32×32 canvas
    middle = magnifier_box((32, 32), window, most=(11, 9))
    assert magnifier_box((32, 32), window, most=(11, 9), focus=[(24, 8)]) == middle
    # Its winner in the bottom-right corner: the box moves down and right just enough to
    # show it and the margin beyond it (cut at the canvas's last row, or moved inside it).
    assert magnifier_box((32, 32), window, most=(11, 9), focus=[(31, 15)]) == (23, 32, 9, 18)
    kept = magnifier_box((32, 32), window, most=(11, 9), focus=[(31, 15)], keep_size=True)
    assert kept == (21, 32, 9, 18)
    # Winners farther apart than the box holds: the box is centred on them, inside the window.
    assert magnifier_box((32, 32), window, most=(11, 9), focus=[(16, 0), (31, 15)]) == middle


def test_a_large_window_s_close_up_shows_its_winner(window, qtbot):
    """When a window is larger than its close-up, the close-up used to show the window's
    middle, and the winner of adaptive max pooling's last 8×8 window (column 15) fell
    outside it."""
    window.resize(1024, 768)
    st = window.state
    st.set_op("adaptive_max_pool2d")
    st.set_input(np.arange(16 * 16, dtype=float).reshape(1, 1, 16, 16))  # winners bottom right
    st.set_params(output_size=(2, 2))
    st.set_step(3)  # the last window: rows 8-15, columns 8-15, its maximum at (15, 15)
    settle(qtbot)
    view = window.views_panel.input_view
    assert view.stack.currentIndex() == 1  # a heat map
    shown = view.magnified()
    assert shown is not None and shown.shape[1] < 8  # too narrow for the whole window
    top, left = (-shift for shift in view.magnifier.model.offset)
    rows, cols = shown.shape
    assert top <= 15 < top + rows and left <= 15 < left + cols
    assert "winner" in view.magnifier.model.styles.get((15 - top, 15 - left), set())


def test_a_large_window_s_close_up_keeps_its_numbers_readable(window, qtbot):
    """A 16×16 adaptive window shown whole in a close-up had ~14 px cells, too small for its
    numbers: the close-up shows as many rows and columns as fit at MAGNIFIER_CELL."""
    from visualizer.widgets.matrix_view import MIN_NUMBER_CELL

    window.resize(1366, 768)
    st = window.state
    st.set_op("adaptive_avg_pool2d")
    st.set_input(np.arange(32 * 32, dtype=float).reshape(1, 1, 32, 32) % 10)
    st.set_params(output_size=(2, 2))
    st.set_step(2)  # window rows 16-31, columns 0-15
    settle(qtbot)
    view = window.views_panel.input_view
    assert view.stack.currentIndex() == 1  # a heat map
    shown = view.magnified()
    assert shown is not None and shown.shape[0] < 16 and shown.shape[1] < 16
    magnifier = view.magnifier
    assert magnifier.model.show_numbers and magnifier.cell >= MIN_NUMBER_CELL
    # It shows the window's middle: every cell it shows is a cell of the window.
    top, bottom, left, right = magnifier_box((32, 32), [(16, 0), (31, 15)], most=shown.shape)
    assert 16 <= top and bottom <= 32 and 0 <= left and right <= 16
    np.testing.assert_array_equal(shown, st.x[0, 0, top:bottom, left:right])


def test_the_magnifier_shows_the_window_with_its_numbers(large, qtbot):
    st, panel = large.state, large.views_panel
    view = panel.input_view
    st.set_step(30 + 5)  # window (1, 5): X[1:4, 5:8]
    settle(qtbot)
    assert view.stack.currentIndex() == 1  # a heat map
    shown = view.magnified()
    x = st.x[0, 0]
    # Rows 1-2 .. 3+2, columns 5-2 .. 7+2: the box's row above the edge is taken below it
    # (a close-up keeps its size at the edges).
    np.testing.assert_array_equal(shown, x[0:7, 3:10])
    magnifier = view.magnifier
    assert magnifier.stack.currentIndex() == 0 and magnifier.model.show_numbers
    marked = {rc for rc, s in magnifier.highlights().items() if "window" in s}
    assert {(r, c) for r in range(1, 4) for c in range(5, 8)} <= marked
    # The output's magnifier shows the cell the step writes, with two cells around it (the
    # two rows above the edge taken below it).
    out = panel.output_view.magnified()
    y = st.output_plane()
    np.testing.assert_array_equal(out, y[0:5, 3:8])


def test_the_magnifier_follows_the_step(large, qtbot):
    st, view = large.state, large.views_panel.input_view
    st.set_step(30 * 20 + 12)  # window (20, 12)
    settle(qtbot)
    np.testing.assert_array_equal(view.magnified(), st.x[0, 0, 18:25, 10:17])


def test_a_magnifier_box_keeps_its_size_at_the_edges():
    assert magnifier_box((32, 32), [(0, 0)], keep_size=True) == (0, 5, 0, 5)
    assert magnifier_box((32, 32), [(31, 30), (31, 31)], keep_size=True) == (27, 32, 26, 32)
    assert magnifier_box((3, 32), [(1, 9)], keep_size=True) == (0, 3, 7, 12)  # all rows there are


def test_stepping_along_the_edge_keeps_the_close_up_model(large, qtbot):
    """Windows of one size get close-ups of one shape: stepping from the first window to an
    edge window moves the close-up's box without resetting its model (a cut box changed its
    shape at every edge: a model reset, a new layout and a new fit on those steps)."""
    st, view = large.state, large.views_panel.input_view
    st.set_step(30 * 5 + 5)  # window (5, 5), away from the edges
    settle(qtbot)
    shape = view.magnified().shape
    resets = []
    view.magnifier.model.modelReset.connect(lambda: resets.append(1))
    for step in (0, 1, 30 * 29, 30 * 30 - 1):  # corners and edges
        st.set_step(step)
        settle(qtbot)
        assert view.magnified().shape == shape
    assert resets == []


def test_small_matrices_have_no_magnifier(window, qtbot):
    window.state.set_op("max")
    settle(qtbot)
    assert window.views_panel.input_view.magnified() is None


def test_next_row_jumps_to_the_first_window_of_the_next_row(large, qtbot):
    st, bar = large.state, large.step_bar
    assert max(st.x.shape[2:]) >= LARGE_SIDE and st.large_input
    assert bar.next_row_button.isVisibleTo(large)
    st.set_step(5)
    bar.next_row_button.click()
    assert st.step == 30  # the 30×30 windows: row 1 starts at window 30
    bar.next_row_button.click()
    assert st.step == 60
    st.set_step(st.n_windows + 30 * 29 + 3)  # backward, last row
    bar.next_row_button.click()
    assert st.step == st.n_steps - 1
    st.set_op("avg")
    st.resize_input(8, 8)
    assert not bar.next_row_button.isVisibleTo(large)


def test_a_fast_play_takes_several_steps_per_tick(large):
    st, bar = large.state, large.step_bar
    bar.speed_spinbox.setValue(PLAY_SPEED_MAX)
    assert bar.speed_spinbox.value() == PLAY_SPEED_MAX
    assert bar.steps_per_tick() == 4  # 240 steps a second at 60 ticks
    st.set_step(0)
    bar._on_timer()
    assert st.step == 4
    st.set_step(st.n_windows - 2)
    bar._on_timer()  # lands on the last forward step before going on
    assert st.step == st.n_windows - 1
    bar.speed_spinbox.setValue(2)
    assert bar.steps_per_tick() == 1


def test_outputs_not_computed_yet_are_blank_in_the_close_up(large, qtbot):
    from PySide6.QtCore import Qt

    st, panel = large.state, large.views_panel
    st.set_step(30 + 5)  # writes Y[1, 5]; Y[1, 6] and later are not computed yet
    settle(qtbot)
    magnifier = panel.output_view.magnifier
    model = magnifier.model
    # The close-up shows Y[0:4, 3:8]: (1, 2) is Y[1, 5] (written), (1, 3) is Y[1, 6] (pending).
    assert model.data(model.index(1, 2), Qt.DisplayRole) not in (None, "", "NaN")
    assert model.data(model.index(1, 3), Qt.DisplayRole) in (None, "")
    assert model.data(model.index(2, 0), Qt.DisplayRole) in (None, "")


def test_a_parameter_change_that_keeps_x_does_not_redraw_it(large, qtbot):
    """The state gives the same input canvas while X and its padding ring stay: the heat map
    keeps its picture (its image is not set again) and the canvas cannot be changed."""
    st, view = large.state, large.views_panel.input_view
    values, kinds, _ = st.input_canvas()
    image = view.heatmap.image.image
    st.set_params(kernel_size=2, stride=2)
    settle(qtbot)
    again = st.input_canvas()
    assert again[0] is values and again[1] is kinds
    assert view.heatmap.image.image is image
    assert not values.flags.writeable and not kinds.flags.writeable
    np.testing.assert_array_equal(view.matrix(), st.x[0, 0])
    # A padding ring is a new canvas, drawn again.
    st.set_params(kernel_size=3, stride=1, padding=1)
    settle(qtbot)
    padded = st.input_canvas()[0]
    assert padded is not values and padded.shape == (34, 34)
    np.testing.assert_array_equal(view.canvas(), padded)
    # A new input: a new canvas, and the old one is let go.
    st.set_input(st.x + 1)
    settle(qtbot)
    assert st.input_canvas()[0] is not padded
    assert all(x is st.x for x, _, _ in st._canvases)
    np.testing.assert_array_equal(view.matrix(), st.x[0, 0])


def test_cell_outlines_are_each_side_once_joined_along_grid_lines():
    """A k×k block is k + 1 horizontal and k + 1 vertical runs (not k² squares); separate
    cells keep their own four sides; a shared side is drawn once."""
    rows, cols = np.divmod(np.arange(22 * 22), 22)
    across, down = outline_segments(rows + 3, cols + 5)
    assert across.tolist() == [[y, 5, 27] for y in range(3, 26)]
    assert down.tolist() == [[x, 3, 25] for x in range(5, 28)]
    across, down = outline_segments(np.array([0, 0, 2]), np.array([0, 1, 4]))
    assert sorted(across.tolist()) == [[0, 0, 2], [1, 0, 2], [2, 4, 5], [3, 4, 5]]
    assert sorted(down.tolist()) == [[0, 0, 1], [1, 0, 1], [2, 0, 1], [4, 2, 3], [5, 2, 3]]
    empty = outline_segments(np.zeros(0, int), np.zeros(0, int))
    assert [part.shape for part in empty] == [(0, 3), (0, 3)]


def test_heat_map_frames_are_one_path_around_the_marked_cells(large, qtbot):
    """A heat map frames the step's (and the hovered) cells with one path of unit squares."""
    st, view = large.state, large.views_panel.input_view
    st.set_step(30 + 5)  # window (1, 5): X[1:4, 5:8]
    settle(qtbot)
    frames = view.heatmap.marks
    xs, ys = frames.getData()
    window = [(r, c) for r in range(1, 4) for c in range(5, 8)]
    assert sorted(zip(ys - 0.5, xs - 0.5, strict=True)) == window
    box = frames.path().boundingRect()
    assert (box.left(), box.top(), box.width(), box.height()) == (5, 1, 3, 3)
    items = len(view.heatmap.items())
    st.set_hover("output", 0, 0)  # its window X[0:3, 0:3] is framed too
    settle(qtbot)
    xs, ys = frames.getData()
    hovered = {(r, c) for r in range(3) for c in range(3)}
    assert set(zip(ys - 0.5, xs - 0.5, strict=True)) == set(window) | hovered
    assert frames.path().boundingRect().getRect() == (0, 0, 8, 4)
    assert len(view.heatmap.items()) == items


def test_the_close_up_keeps_its_side_near_the_threshold(window, qtbot):
    """A heat map whose width is about 1.2× its height flipped its close-up between beside and
    below on every resize (the flip changed the grid's row heights: 453 → 493 → 465 → 453 px
    high at 551 px wide) and the event loop never idled; the side now changes only when the
    shape is clearly the other one."""
    import numpy as np
    from PySide6.QtWidgets import QBoxLayout

    window.resize(1366, 768)
    window.state.set_input(np.arange(40 * 40, dtype=float).reshape(40, 40))
    qtbot.wait(50)
    view = window.views_panel.views()[0]
    assert view.magnifier is not None
    beside = QBoxLayout.Direction.LeftToRight
    below = QBoxLayout.Direction.TopToBottom
    for start, (w, h), expected in (
        (beside, (551, 453), beside),
        (beside, (551, 493), beside),  # ratio 1.12: stays beside
        (below, (551, 453), below),  # ratio 1.22: stays below
        (below, (551, 400), beside),  # ratio 1.38: clearly wide
        (beside, (400, 400), below),  # ratio 1.0: clearly tall
    ):
        view.body.setDirection(start)
        view.resize(w, h)
        view._place_magnifier()
        assert view.body.direction() == expected, (start, w, h)


def test_a_step_along_a_row_renumbers_only_the_close_ups_columns(large, qtbot):
    """A box moved along a row keeps its row numbers: only the column header is renewed
    (the row header was asked for every section again on every step)."""
    st, view = large.state, large.views_panel.input_view
    st.set_step(30 * 18 + 10)  # window (18, 10)
    settle(qtbot)
    model = view.magnifier.model
    renewed: list[Qt.Orientation] = []
    model.headerDataChanged.connect(lambda orientation, _first, _last: renewed.append(orientation))
    model.sigHeaderNumbersChanged.connect(renewed.append)
    st.set_step(30 * 18 + 11)  # window (18, 11): the box moves one column right
    settle(qtbot)
    np.testing.assert_array_equal(view.magnified(), st.x[0, 0, 16:23, 9:16])
    assert renewed == [Qt.Orientation.Horizontal]
    rows = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    cols = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert rows == [str(r) for r in range(16, 23)]
    assert cols == [str(c) for c in range(9, 16)]
    renewed.clear()
    st.set_step(30 * 19 + 11)  # window (19, 11): one row down
    settle(qtbot)
    assert renewed == [Qt.Orientation.Vertical]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(7)] == [
        str(r) for r in range(17, 24)
    ]


def test_a_close_up_moved_among_numbers_of_the_same_width_is_not_laid_out_again(large, qtbot):
    """``headerDataChanged`` makes every view of the model lay its items out again in a
    zero-time timer, which repainted the whole close-up once more after the step had painted
    it.  Column numbers (the header's height never depends on them) and row numbers of the
    same widths (8…14 → 10…16) only repaint their header; row numbers of another width
    (16…22 → 3…9, one digit) still tell the views, so that the row header narrows."""
    st, view = large.state, large.views_panel.input_view
    model = view.magnifier.model
    st.set_step(30 * 18 + 10)  # window (18, 10): rows 16…22, columns 8…14
    settle(qtbot)
    relaid: list[Qt.Orientation] = []
    repainted: list[Qt.Orientation] = []
    model.headerDataChanged.connect(lambda orientation, _first, _last: relaid.append(orientation))
    model.sigHeaderNumbersChanged.connect(repainted.append)
    st.set_step(30 * 18 + 12)  # columns 10…16: the same widths as 8…14 (one and two digits)
    settle(qtbot)
    assert (relaid, repainted) == ([], [Qt.Orientation.Horizontal])
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)] == [
        str(c) for c in range(10, 17)
    ]
    relaid.clear()
    repainted.clear()
    st.set_step(30 * 18 + 3)  # columns 1…7: one digit only, the same column header height
    settle(qtbot)
    assert (relaid, repainted) == ([], [Qt.Orientation.Horizontal])
    st.set_step(30 * 5 + 3)  # rows 3…9: one digit only, a narrower row header
    settle(qtbot)
    assert relaid == [Qt.Orientation.Vertical]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(7)] == [
        str(r) for r in range(3, 10)
    ]


def test_widest_label_is_the_longest_number_with_and_without_a_sign():
    for count in range(1, 25):
        for offset in range(-30, 30):
            labels = [str(v) for v in range(-offset, count - offset)]
            plain = max((len(t) for t in labels if not t.startswith("-")), default=0)
            negative = max((len(t) for t in labels if t.startswith("-")), default=0)
            assert matrix_view._widest_label(count, offset) == (plain, negative)


def test_a_close_up_title_keeps_its_numbers_and_its_form(window, qtbot):
    """A close-up beside its heat map (convolution backward at 1024x768: four views a row)
    had "Close-up: rows 14…", its numbers cut.  Its title is a shorter form with every number
    (rows and columns), fitting its width, and keeps one form while a step moves the box
    (one line to two and back moved the close-up's cells)."""
    st = window.state
    window.resize(1024, 768)
    st.set_op("conv2d")
    st.set_input(np.arange(32 * 32, dtype=float).reshape(1, 1, 32, 32) % 10)
    st.set_step(st.n_windows + 14 * 31)
    settle(qtbot)
    view = window.views_panel.input_view
    assert view.magnified() is not None
    label = view.magnifier.title_label
    metrics = label.fontMetrics()
    forms = set()
    for step in range(st.n_windows + 14 * 31, st.n_windows + 15 * 31, 3):
        st.set_step(step)
        settle(qtbot)
        shown = label.text()
        assert "…" not in shown, shown
        assert all(
            metrics.horizontalAdvance(line) <= label.contentsRect().width()
            for line in shown.split("\n")
        ), shown
        forms.add(shown.count("\n"))
    assert len(forms) == 1


def test_close_up_title_forms_keep_every_number(qtbot):
    from visualizer.widgets.matrix_view import TitleLabel, close_up_titles

    forms = close_up_titles((19, 29), (6, 11))
    assert len(forms) == 5 and forms[2].count("\n") == 1
    for form in forms:
        assert all(str(n) in form for n in (19, 29, 6, 11)), form
    label = TitleLabel()
    qtbot.addWidget(label)
    label.show()
    metrics = label.fontMetrics()
    widths = [max(metrics.horizontalAdvance(x) for x in f.split("\n")) for f in forms]
    assert widths[0] > widths[1] > widths[2]
    # Judged by the widest numbers: at a width where this title's short form fits but that of
    # the widest numbers does not, the two-line form is shown.
    widest = close_up_titles((888, 888), (888, 888))
    label.set_forms(forms, widest)
    label.resize(widths[1] + 2, 60)
    assert label.text() == forms[2]
    label.set_forms(forms)
    label.resize(widths[1] + 2, 61)
    assert label.text() == forms[1]
    assert label.toolTip() == forms[0]


def test_a_global_pooling_of_a_256_input_is_edited_and_stepped_with_its_data(window, qtbot):
    """Issue 9: a global pooling's window of 65,536 cells is a rectangle in the step's data
    and in the views' marks (it was a record per cell, then a set of styles per cell in every
    view: an edit took ~1.3 s at 256×256, 6 s at 512×512); the numbers and marks shown are
    the same."""
    import engine

    st, panel = window.state, window.views_panel
    st.set_op("adaptive_avg_pool2d")
    x = np.random.default_rng(1).integers(0, 9, (1, 1, 256, 256)).astype(float)
    st.set_input(x)
    st.set_params(output_size=(1, 1))
    st.set_step(0)
    settle(qtbot)
    assert st.set_input_cell(5, 7, 100.0)
    settle(qtbot)
    x[0, 0, 5, 7] = 100.0
    mean = engine.adaptive_avg_pool2d(x, 1)[0, 0]
    np.testing.assert_array_equal(panel.output_view.matrix(), mean)
    hl = st.highlight()
    assert hl.of("input").blocks and len(hl.step.listed) <= 4  # a rectangle, not 65,536 cells
    assert hl.of("input").box() == (0, 0, 255, 255)
    view = panel.input_view
    assert view.stack.currentIndex() == 1  # a heat map, its window framed whole
    rect = view.heatmap.window_rect.rect()
    assert (rect.left(), rect.top(), rect.width(), rect.height()) == (0, 0, 256, 256)
    assert "window" in view.magnifier.model.styles.get((0, 0), set())
    (arrow,) = st.step_arrows()
    assert (arrow.source, arrow.target) == (((0, 0), (255, 255)), ((0, 0),))
    assert "…" in st.step_text() and len(st.step_text()) < 1000
    st.set_step(1)  # backward: dY spread over every cell
    settle(qtbot)
    np.testing.assert_array_equal(panel.grad_input_view.matrix(), np.full((256, 256), 1 / 256**2))
    assert st.step_text().endswith("dX[0:256, 0:256]: 0 + 1.526e-05 = 1.526e-05")
    assert st.highlight().of("grad_input").box() == (0, 0, 255, 255)

    st.set_op("adaptive_max_pool2d")
    st.set_params(output_size=(1, 1))
    st.set_step(0)
    settle(qtbot)
    np.testing.assert_array_equal(panel.output_view.matrix(), [[100.0]])
    assert st.highlight().of("input").get((5, 7)) >= {"window", "winner"}
    xs, ys = view.heatmap.winners.getData()
    assert (list(ys), list(xs)) == ([5.5], [7.5])
    assert int(view.heatmap.marks.getData()[0].size) == 256 * 256


def test_a_window_too_long_to_show_whole_is_cut_to_readable_cells():
    """A close-up with room for 3 rows at a readable size: a 3×3 window and the two cells
    around it are still shown whole (7 rows, smaller cells), but a global window of 256 rows,
    which cannot be shown whole anyway, keeps readable cells (3 rows, not 7 of ~16 px)."""
    assert magnifier_box((32, 32), [(5, 5), (7, 7)], most=(3, 3)) == (3, 10, 3, 10)
    # A 7×7 window: the window itself, whole (without the cells around it).
    assert magnifier_box((32, 32), [(5, 5), (11, 11)], most=(3, 3)) == (5, 12, 5, 12)
    top, bottom, left, right = magnifier_box((256, 256), [(0, 0), (255, 255)], most=(3, 15))
    assert (bottom - top, right - left) == (3, 15)
    assert top <= 128 < bottom and left <= 128 < right  # around the window's centre


def global_pooling(window, qtbot, op: str, size: tuple[int, int]):
    """``op`` with output size 1 on a 256×256 input (digits 0-9), first step, window ``size``:
    the state and the input view (a heat map with its close-up)."""
    window.resize(*size)
    st = window.state
    st.set_op(op)
    st.set_input(np.arange(256 * 256, dtype=float).reshape(1, 1, 256, 256) % 10)
    st.set_params(output_size=(1, 1))
    st.set_step(0)
    settle(qtbot)
    return st, window.views_panel.input_view


def test_a_global_window_s_close_up_keeps_readable_cells(window, qtbot):
    """Global max pooling of a 256×256 input at 1366×768: the close-up below X's heat map has
    room for about 3 rows at MAGNIFIER_CELL; it showed 7 rows × 15 columns of 16 px cells
    whose numbers and 3-digit column numbers could not be read."""
    st, view = global_pooling(window, qtbot, "adaptive_max_pool2d", (1366, 768))
    assert view.stack.currentIndex() == 1  # a heat map
    shown = view.magnified()
    assert shown is not None
    magnifier = view.magnifier
    assert magnifier.model.show_numbers and magnifier.cell >= MAGNIFIER_CELL - 3
    # Around the winner, the first 9 (row 0, column 9), not the window's middle.
    box = magnifier_box(
        (256, 256), [(0, 0), (255, 255)], most=shown.shape, focus=[(0, 9)], keep_size=True
    )
    top, bottom, left, right = box
    assert top <= 0 < bottom and left <= 9 < right
    np.testing.assert_array_equal(shown, st.x[0, 0, top:bottom, left:right])


def test_the_close_up_beside_a_heat_map_counts_its_columns_from_its_real_share(window, qtbot):
    """Beside the heat map the close-up's columns are counted from the share of the view's
    body it really gets (its stretch against the map's, capped by its share): at 1024×768 it
    was once planned 12 columns for 291 px, got 255 px, and its cells shrank to 18 px (the
    3-digit column numbers were cut)."""
    _, view = global_pooling(window, qtbot, "adaptive_avg_pool2d", (1024, 768))
    magnifier = view.magnifier
    assert view.stack.currentIndex() == 1 and magnifier is not None and magnifier.isVisible()
    columns = view.magnified().shape[1]
    table = magnifier.table
    room = table.viewport().width()
    assert columns * (MAGNIFIER_CELL - 3) <= room  # the planned columns fit the real room
    assert magnifier.cell >= MAGNIFIER_CELL - 3


@pytest.mark.parametrize("seed", range(8))
def test_a_few_cells_are_outlined_in_python_exactly_as_by_the_arrays(monkeypatch, seed):
    """A step's window (up to OUTLINE_FEW cells) is outlined from sets of sides, larger sets
    with the arrays: the same runs in the same order, for scattered cells, blocks, repeated
    cells and negative coordinates alike."""
    from visualizer.model import present

    rng = np.random.default_rng(seed)
    for size in (1, 4, 9, 30, present.OUTLINE_FEW):
        rows = rng.integers(-3, 6, size)
        cols = rng.integers(-2, 9, size)
        few = outline_segments(rows, cols)
        monkeypatch.setattr(present, "OUTLINE_FEW", 0)
        many = outline_segments(rows, cols)
        monkeypatch.undo()
        for a, b in zip(few, many, strict=True):
            assert a.dtype == b.dtype and a.shape[1] == 3
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_a_close_up_beside_its_heat_map_takes_the_room_the_map_leaves(window, qtbot, size):
    """Transposed convolution's 16×16 output (the default 8×8 example) is a heat map as high
    as its view: at a share of 0.45 its 6×6 close-up (the 2×2 patch and two cells around it)
    had 18 px cells and 7 px digits beside a map with room to spare."""
    window.resize(*size)
    st = window.state
    st.set_op("conv_transpose2d")
    st.set_step(3)
    settle(qtbot)
    view = window.views_panel.output_view
    assert view.stack.currentIndex() == 1 and view.body.beside  # a heat map, close-up beside
    magnifier = view.magnifier
    assert magnifier is not None and magnifier.isVisible()
    assert view.magnified().shape == (6, 6)
    assert magnifier.model.show_numbers
    assert magnifier.cell >= 26

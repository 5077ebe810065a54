"""Multi-channel convolution (issue 10, point 5): every input plane the step reads is shown
side by side (up to four, then a selector), each with its kernel slice, titled X[c=1] and
W[0,1]; the arithmetic groups its terms by channel, for the planes shown."""

from __future__ import annotations

import numpy as np
import pytest
from checks import settle

from visualizer.presets import apply_preset, load_preset, presets_dir


@pytest.fixture
def two_channels(window, qtbot):
    assert apply_preset(window.state, load_preset(presets_dir() / "09_multichannel_conv.json"))
    settle(qtbot)
    return window


def planes(panel, view_name):
    group = panel.groups[view_name]
    return {c: v for c, v in group.channels.items() if v.isVisibleTo(panel)}


def test_both_input_planes_and_their_kernel_slices_are_shown(two_channels):
    st, panel = two_channels.state, two_channels.views_panel
    assert st.shown_channels() == [0, 1]
    x = planes(panel, "inputMatrix")
    w = planes(panel, "kernelMatrix")
    assert sorted(x) == sorted(w) == [0, 1]
    assert [x[c].title_label.text() for c in (0, 1)] == ["X[c=0]", "X[c=1]"]
    assert [w[c].title_label.text() for c in (0, 1)] == ["W[0,0]", "W[0,1]"]
    for c in (0, 1):
        np.testing.assert_array_equal(x[c].matrix(), st.x[0, c])
        np.testing.assert_array_equal(w[c].matrix(), st.weight[0, c])
    assert x[0] is panel.input_view  # the chosen channel's view keeps its objectName
    assert panel.input_view.objectName() == "inputMatrix"


def test_each_plane_marks_its_own_window_and_weights(two_channels):
    st, panel = two_channels.state, two_channels.views_panel
    st.set_step(4)  # window (1, 1)
    x = planes(panel, "inputMatrix")
    for c in (0, 1):
        marked = {rc for rc, s in x[c].highlights().items() if "window" in s}
        assert marked == {(1, 1), (1, 2), (2, 1), (2, 2)}
        weights = {rc: float(text) for rc, text in x[c].notes().items()}
        assert weights == {
            (1 + i, 1 + j): st.weight[0, c, i, j] for i in range(2) for j in range(2)
        }
    # The arithmetic reads both planes: one bracket per channel, in channel order.
    text = st.step_text()
    window = [st.x[0, c, 1:3, 1:3].ravel() for c in (0, 1)]
    assert text.startswith("(" + " + ".join(f"{v:g}·" for v in window[0][:1]))
    assert text.count("(") >= 2 and ") + (" in text


def test_backward_shows_each_channels_gradients(two_channels):
    st, panel = two_channels.state, two_channels.views_panel
    st.set_step(st.n_windows + 8)  # the last window: dX and dW complete
    dx = planes(panel, "gradInputMatrix")
    dw = planes(panel, "gradWeightMatrix")
    assert [dx[c].title_label.text() for c in (0, 1)] == ["dX[c=0]", "dX[c=1]"]
    assert [dw[c].title_label.text() for c in (0, 1)] == ["dW[0,0]", "dW[0,1]"]
    trace = st.results.trace  # output channel 0: its kernels' gradients
    for c in (0, 1):
        # dX: what every output channel's windows sent back (both channels read each plane)
        np.testing.assert_allclose(dx[c].matrix(), st.results.grad_input[0, c])
        np.testing.assert_allclose(dw[c].matrix(), trace.grad_weight[c])
    # After the sentence: why dX cells have a term per output channel, then the updates.
    said, *lines = st.step_text().split("\n")[1:]
    assert "o = 0 to 1" in said
    # dX[ci, …], then dW[co, ci, …] (PyTorch's weight index, as the planes are titled).
    assert [
        line.split(", ", 2)[0] if line.startswith("dX") else line.split(", ", 2)[:2]
        for line in lines[:4]
    ] == ["dX[0", "dX[1", ["dW[0", "0"], ["dW[0", "1"]]


def test_the_arithmetic_names_dw_cells_as_the_planes_are_titled(two_channels):
    # PyTorch's (C_out, C_in, kH, kW): the plane titled dW[0,1] holds dW[0, 1, i, j].
    st, panel = two_channels.state, two_channels.views_panel
    st.set_step(st.n_windows + 4)
    dw = planes(panel, "gradWeightMatrix")
    assert [dw[c].title_label.text() for c in (0, 1)] == ["dW[0,0]", "dW[0,1]"]
    text = st.step_text()
    assert "dW[0, 1, 0, 0]: 4 + 1·0 = 4" in text and "dW[0, 0, 0, 0]: " in text
    assert "dW[1, 0, 0]" not in text


def test_transposed_planes_are_titled_input_channel_first(window, qtbot):
    # conv_transpose2d's weight is (C_in, C_out, kH, kW): input channel c's slice of output
    # channel 0 is W[c, 0], and the arithmetic writes dW[c, 0, i, j].
    st, panel = window.state, window.views_panel
    st.set_op("conv_transpose2d")
    st.set_shape(1, 2)
    settle(qtbot)
    assert st.shown_channels() == [0, 1]
    w = planes(panel, "kernelMatrix")
    assert [w[c].title_label.text() for c in (0, 1)] == ["W[0,0]", "W[1,0]"]
    st.set_step(st.n_windows)
    settle(qtbot)
    dw = planes(panel, "gradWeightMatrix")
    assert [dw[c].title_label.text() for c in (0, 1)] == ["dW[0,0]", "dW[1,0]"]
    assert "dW[1, 0, 0, 0]: " in st.step_text()


def test_editing_a_second_plane_edits_its_channel(two_channels):
    st, panel = two_channels.state, two_channels.views_panel
    second = planes(panel, "inputMatrix")[1]
    second.sigCellEdited.emit(0, 0, 9.0)
    assert st.x[0, 1, 0, 0] == 9.0 and st.x[0, 0, 0, 0] == 1.0


def test_more_than_four_channels_show_four_and_a_selector(two_channels, qtbot):
    st, panel = two_channels.state, two_channels.views_panel
    st.set_shape(1, 6)
    settle(qtbot)
    assert st.shown_channels() == [0, 1, 2, 3]
    assert sorted(planes(panel, "inputMatrix")) == [0, 1, 2, 3]
    box = panel.channel_block_combobox
    assert box.isVisibleTo(panel) and box.count() == 2
    box.activated.emit(1)
    settle(qtbot)
    assert st.in_channel == 4 and st.shown_channels() == [4, 5]
    shown = planes(panel, "inputMatrix")
    assert sorted(shown) == [4, 5]
    assert shown[5].title_label.text() == "X[c=5]"
    # The arithmetic lines are those of the planes shown.
    st.set_step(st.n_windows)
    said, *lines = st.step_text().split("\n")[1:]  # the line about every output channel
    assert said.startswith("dX gets one term per output channel")
    # dW[co, ci, i, j] (PyTorch's weight index): output channel 0, input channel 4 or 5.
    starts = ("dX[4", "dX[5", "dW[0, 4,", "dW[0, 5,", "db")
    assert all(line.startswith(starts) for line in lines)


def test_one_channel_shows_one_plane(window, qtbot):
    st, panel = window.state, window.views_panel
    st.set_op("conv")
    settle(qtbot)
    assert st.shown_channels() == [0]
    assert list(planes(panel, "inputMatrix")) == [0]
    assert not panel.channel_block_combobox.isVisibleTo(panel)
    assert panel.input_view.title_label.text().startswith("Input X")


@pytest.mark.parametrize(("channels", "size"), [(2, (1366, 768)), (4, (1024, 768))])
def test_lecture_layout_shows_the_planes_the_step_reads(window, qtbot, channels, size):
    """Presentation mode: each input plane and kernel slice is in the lecture row(s), at one
    cell size, without scroll bars; leaving it puts them back side by side."""
    st, panel = window.state, window.views_panel
    assert apply_preset(st, load_preset(presets_dir() / "09_multichannel_conv.json"))
    if channels != 2:
        assert st.set_shape(1, channels)
    window.resize(*size)
    settle(qtbot)
    window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    st.set_step(3)
    settle(qtbot)
    shown = [v for v in panel.lecture_views() if v.isVisibleTo(window)]
    titles = [v.title_label.text() for v in shown]
    assert titles[:channels] == [f"X[c={c}]" for c in range(channels)]
    assert titles[channels : 2 * channels] == [f"W[0,{c}]" for c in range(channels)]
    assert len({v.cell for v in shown}) == 1
    assert panel.lecture_cell >= 20
    for view in shown:
        table = view.table
        assert not table.horizontalScrollBar().isVisible()
        assert not table.verticalScrollBar().isVisible()
    window.presentation.set_presentation(False, save=False)
    settle(qtbot)
    assert sorted(planes(panel, "inputMatrix")) == list(range(channels))


def test_backward_steps_add_every_output_channels_share_to_dx(qtbot):
    """Single-operation mode, a convolution with several output channels (issue 10 follow-up):
    backward step k is window k in every output channel, so after it dX holds what windows
    0 .. k of each of them sent (not the shown channel's share alone, which jumped to the
    whole dX only after the phase); 2 in / 3 out channels, checked against conv2d_backward
    with dY kept at the windows done, and the step's line sums every channel's term."""
    from engine import format_number
    from engine.conv import conv2d_backward
    from visualizer.state import AppState

    st = AppState()
    assert apply_preset(st, load_preset(presets_dir() / "09_multichannel_conv.json"))
    assert st.set_out_channels(3)
    rng = np.random.default_rng(5)
    for c in range(2):
        for i in range(2):
            for j in range(2):
                assert st.set_kernel_cell(i, j, float(rng.integers(-3, 4)), channel=c)
    assert st.select_plane(0, 1, 0)
    x, w = st.snapshot().x, st.snapshot().weight
    dy = st.results.grad_output
    assert dy.shape[1] == 3 and not np.array_equal(w[0], w[1])
    n = st.n_windows
    for k in range(n):
        st.set_step(n + k)
        assert (st.phase, st.window_index) == ("backward", k)
        kept = np.zeros_like(dy)
        kept.reshape(dy.shape[0], dy.shape[1], -1)[:, :, : k + 1] = dy.reshape(
            dy.shape[0], dy.shape[1], -1
        )[:, :, : k + 1]
        expected = conv2d_backward(kept, x, w)[0][0]
        for c in range(2):
            np.testing.assert_allclose(st.grad_input_plane(channel=c), expected[c])
    whole = conv2d_backward(dy, x, w)[0][0]
    for c in range(2):
        np.testing.assert_allclose(st.grad_input_plane(channel=c), whole[c])
        np.testing.assert_allclose(st.grad_input_plane(partial=False, channel=c), whole[c])
    # The line of a dX cell: from the plane before to after, one term per output channel.
    st.set_step(n + n - 1)
    said, *lines = st.step_text().split("\n")[1:]
    assert said.startswith("dX gets one term per output channel") and said.endswith("o = 0 to 2")
    line = next(t for t in lines if t.startswith("dX[0, 2, 2]"))
    before = conv2d_backward(
        np.where(np.arange(dy[0, 0].size).reshape(dy.shape[2:]) < n - 1, dy, 0), x, w
    )[0][0, 0, 2, 2]
    cell = line.split("   ")[0]
    assert cell.startswith(f"dX[0, 2, 2]: {format_number(before)} + ")
    assert cell.endswith(f" = {format_number(whole[0, 2, 2])}")
    assert cell.count(" + ") == 3


def test_a_gathering_backward_step_sums_every_output_channels_share(qtbot):
    """A transposed convolution's backward step gathers one dX cell (no per-cell update in
    the channel's own arithmetic); with 2 output channels the line adds each channel's share
    from the plane before to the one the view shows."""
    from engine import format_number
    from visualizer.state import AppState

    st = AppState()
    st.set_op("conv_transpose2d")
    assert st.set_out_channels(2)
    n = st.n_windows
    st.set_step(n + 1)
    step = st.highlight().step
    (cell,) = [c.pos for c in step.cells if c.view == "grad_input" and c.role == "target"]
    shown = st.grad_input_plane()
    own = st.results.trace.grad_input_after(1)[0]
    assert shown[cell] != own[cell]  # the other channel adds to it
    r, c = cell
    line = st.step_text().split("\n")[-1]
    assert line.startswith(f"dX[{r}, {c}]: 0 + ") and line.count(" + ") == 2
    assert line.endswith(f" = {format_number(shown[cell])}")


def shown_planes(window) -> dict[str, np.ndarray]:
    """Every plane on screen, by its title."""
    views = window.views_panel.views()
    return {v.title_label.text(): v.matrix() for v in views if v.isVisibleTo(window)}


def number(text: str) -> float:
    return float(text.strip().strip("()"))


def dx_cells(
    text: str,
) -> list[tuple[tuple[int, int, int], float, list[tuple[float, float]], float]]:
    """The dX cells of a step's arithmetic: (cell, before, [(dY, W) per term], after)."""
    found = []
    for line in text.split("\n"):
        for cell in line.split("   "):
            if not cell.startswith("dX["):
                continue
            name, sums = cell.split(": ")
            where = tuple(int(k) for k in name[3:-1].split(", "))
            left, after = sums.split(" = ")
            before, *terms = left.split(" + ")
            pairs = [tuple(number(f) for f in t.split("·")) for t in terms]
            found.append((where, number(before), pairs, number(after)))
    return found


@pytest.mark.parametrize(
    ("lecture", "size"), [(False, (1366, 768)), (True, (1366, 768)), (True, (1024, 768))]
)
def test_backward_dx_terms_read_the_planes_shown(two_channels, qtbot, lecture, size):
    """Preset 09 (2 in, 2 out): a dX cell's terms are dY[o]·W[o, c] for both output channels;
    every plane a term reads is on screen under its title (dY[o=1] and W[1,c] were not: the
    arithmetic read output channel 1's kernel slices while W[0,0] and W[0,1] were shown)."""
    window, st = two_channels, two_channels.state
    window.resize(*size)
    if lecture:
        window.presentation.set_presentation(True, save=False)
    settle(qtbot)
    st.set_step(st.n_windows + 4)  # window (1, 1)
    settle(qtbot)
    shown = shown_planes(window)
    for title in ("W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]", "dY[o=0]", "dY[o=1]"):
        assert title in shown, (title, sorted(shown))
    for o in (0, 1):
        np.testing.assert_array_equal(shown[f"dY[o={o}]"], st.results.grad_output[0, o])
        for c in (0, 1):
            np.testing.assert_array_equal(shown[f"W[{o},{c}]"], st.weight[o, c])
    oh, ow = st.highlight().step.out_pos
    cells = dx_cells(st.step_text())
    assert len(cells) == 8  # the 2×2 window in each input channel
    for (c, i, j), before, terms, after in cells:
        # One term per output channel, in order: dY[o][oh, ow] · W[o, c][i - oh, j - ow].
        assert terms == [
            (shown[f"dY[o={o}]"][oh, ow], shown[f"W[{o},{c}]"][i - oh, j - ow]) for o in (0, 1)
        ]
        assert before + sum(g * w for g, w in terms) == after
        assert shown[f"dX[c={c}]"][i, j] == after


def test_backward_dw_and_db_lines_cover_every_input_channel(two_channels, qtbot):
    """The step's dW lines: every cell of both input channels' slices of the shown output
    channel, each dY[o=0] · its X[c] cell, ending at the dW[0,c] view's value; then db."""
    window, st = two_channels, two_channels.state
    st.set_step(st.n_windows + 4)
    settle(qtbot)
    shown = shown_planes(window)
    oh, ow = st.highlight().step.out_pos
    g = shown["dY[o=0]"][oh, ow]
    text = st.step_text()
    lines = text.split("\n")
    dw_lines = [line for line in lines if line.startswith("dW[")]
    for c in (0, 1):
        # One line per input channel, its cells in order (grouped by channel).
        (line,) = [t for t in dw_lines if t.startswith(f"dW[0, {c}, 0, 0]")]
        cells = [t for t in line.split("   ") if t.startswith("dW[")]
        assert [t.split(": ")[0] for t in cells] == [
            f"dW[0, {c}, {i}, {j}]" for i in range(2) for j in range(2)
        ]
        for i in range(2):
            for j in range(2):
                after = shown[f"dW[0,{c}]"][i, j]
                x = shown[f"X[c={c}]"][oh + i, ow + j]
                before = after - g * x
                expected = f"dW[0, {c}, {i}, {j}]: {before:g} + {g:g}·{x:g} = {after:g}"
                assert expected in cells
    db = st.grad_weight_plane()[1]
    assert f"db: {db - g:g} + {g:g} = {db:g}" in text


def test_dy_titles_name_their_output_channel(two_channels, qtbot):
    window, st, panel = two_channels, two_channels.state, two_channels.views_panel
    st.set_step(st.n_windows)
    settle(qtbot)
    assert panel.grad_output_view.title_label.text() == "dY[o=0]"
    assert st.step_text().startswith("dY[0, 0, 0] = 1: ")
    # Output channel 1 shown: its dY is the main view, still in channel order on screen.
    assert st.select_plane(0, 1)
    settle(qtbot)
    assert panel.grad_output_view.title_label.text() == "dY[o=1]"
    titles = [v.title_label.text() for v in panel.lecture_views() if v.isVisibleTo(window)]
    assert titles[:2] == ["dY[o=0]", "dY[o=1]"]
    assert st.step_text().startswith("dY[1, 0, 0] = 1: ")
    # One input channel, one output channel shown of several: the title still says which.
    assert st.set_shape(1, 1) and st.set_out_channels(5)
    settle(qtbot)
    assert st.shown_out_channels() == [1]
    assert panel.grad_output_view.title_label.text().endswith("dY[o=1]")  # or its short form


def test_transposed_kernel_slices_of_both_output_channels_in_index_order(window, qtbot):
    # conv_transpose2d, 2 in / 2 out: dX cells gather both output channels' shares, so all
    # four slices are shown, in the order of the weight's index W[c, o], as titled.
    st, panel = window.state, window.views_panel
    st.set_op("conv_transpose2d")
    assert st.set_shape(1, 2) and st.set_out_channels(2)
    st.set_step(st.n_windows + 1)
    settle(qtbot)
    assert st.shown_out_channels() == [0, 1]
    shown = shown_planes(window)
    for c in (0, 1):
        for o in (0, 1):
            np.testing.assert_array_equal(shown[f"W[{c},{o}]"], st.weight[c, o])
    for lecture in (False, True):
        window.presentation.set_presentation(lecture, save=False)
        settle(qtbot)
        titles = [v.title_label.text() for v in panel.flow_views() if v.isVisibleTo(window)]
        if not lecture:  # the normal layout's grid: read its row of kernel slices
            group = panel.groups["kernelMatrix"]
            views = sorted(
                (v for v in (group.primary, *group.extras, *group.out_extras) if v.isVisible()),
                key=lambda v: v.mapTo(window, v.rect().topLeft()).x(),
            )
            titles = [v.title_label.text() for v in views]
        kernels = [t for t in titles if t.startswith("W[")]
        assert kernels == ["W[0,0]", "W[0,1]", "W[1,0]", "W[1,1]"], lecture
    window.presentation.set_presentation(False, save=False)

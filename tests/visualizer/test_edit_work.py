"""What one edit or step computes for the views, and how often (data, not timings)."""

from __future__ import annotations

import numpy as np
from checks import record_calls


def test_the_step_highlight_is_made_once_per_step_and_channel(window):
    st = window.state
    st.set_op("adaptive_avg_pool2d")
    st.set_input(np.arange(64 * 64, dtype=float).reshape(64, 64) % 10)
    st.set_params(output_size=(3, 3))
    first = st.highlight()
    assert st.highlight() is first  # cells, notes, arrows and hover pairs read one record
    assert len(first.of("input")) == 22 * 22  # window [0, 22) × [0, 22)
    st.set_step(1)
    second = st.highlight()
    assert second is not first and second.output_cell == (0, 1)
    st.set_params(output_size=(4, 4))  # new results: a new record
    st.set_step(1)
    assert st.highlight() is not second
    assert len(st.highlight().of("input")) == 16 * 16


def test_the_mask_so_far_is_the_running_count_the_views_draw(window):
    """The forward phase's mask is the trace's running count as it is (float64): no integer
    copy that every view turned back into floats; the same counts as the engine's."""
    st = window.state
    st.set_op("max_pool2d")
    st.set_input(np.arange(12 * 12, dtype=float).reshape(12, 12) % 5)
    st.set_params(kernel_size=3, stride=1, padding=0)
    for step in (0, 7, st.n_windows - 2):
        st.set_step(step)
        shown = st.mask_plane()
        assert shown.dtype == np.float64
        np.testing.assert_array_equal(shown, st.results.trace.mask_counts_after(step))
    st.set_step(st.n_windows - 1)  # the last window: the engine's counts themselves
    assert np.shares_memory(st.mask_plane(), st.results.trace.mask_counts)


def test_an_edit_keeps_a_heat_map_of_one_colour_it_already_shows(window, qtbot, monkeypatch):
    """dX in the forward phase is zeros, drawn in the middle colour of its symmetric levels
    whatever they are: a parameter change that only moves the levels keeps the picture (no
    new image to colour), one that changes the picture makes it."""
    from checks import settle

    from visualizer.widgets.matrix_view import constant_picture

    st = window.state
    st.set_op("max_pool2d")
    st.set_input(np.arange(100 * 100, dtype=float).reshape(100, 100) % 7)
    st.set_params(kernel_size=2, stride=2, padding=0)
    settle(qtbot)
    heat = window.views_panel.grad_input_view.heatmap
    assert window.views_panel.grad_input_view.stack.currentIndex() == 1
    images = record_calls(monkeypatch, heat.image, "setImage")
    st.set_params(stride=1)  # dY of ones: dX's levels change (a cell gets 4), still zeros shown
    settle(qtbot)
    assert images == []
    st.set_step(st.n_windows)  # the backward phase: dX fills in, a new picture
    settle(qtbot)
    assert len(images) == 1
    lut = np.zeros((256, 3), np.uint8)
    lut[:, 0] = np.arange(256)
    assert constant_picture(0.0, (-1.0, 1.0), lut) == constant_picture(0.0, (-4.0, 4.0), lut)
    assert constant_picture(1.0, (-1.0, 1.0), lut) != constant_picture(1.0, (-4.0, 4.0), lut)
    assert constant_picture(9.0, (-1.0, 1.0), lut) == constant_picture(5.0, (-4.0, 4.0), lut)


def test_a_heat_maps_pending_cells_are_blank_in_the_layer_above_it(window, qtbot):
    """Outputs not computed yet are drawn in the map's background colour by the layer above
    it (the map itself holds finite numbers only, no NaN for pyqtgraph to look for); NaN a
    result holds keeps its own colour there."""
    from checks import settle

    from visualizer.widgets.matrix_view import NONFINITE_RGB

    st = window.state
    st.set_op("max_pool2d")
    x = np.arange(160 * 160, dtype=float).reshape(160, 160) % 7
    x[0, 2] = np.nan  # output (0, 1) is NaN
    st.set_input(x)
    st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(5)
    settle(qtbot)
    view = window.views_panel.output_view
    heat = view.heatmap
    assert view.stack.currentWidget() is heat
    assert np.isfinite(heat.image.image).all()
    rgba = heat.special.image
    background = heat.backgroundBrush().color()
    blank = (background.red(), background.green(), background.blue(), 255)
    assert tuple(rgba[0, 6]) == blank and tuple(rgba[79, 79]) == blank  # not yet
    assert rgba[0, 5, 3] == 0 and rgba[0, 0, 3] == 0  # computed: the map shows through
    assert tuple(rgba[0, 1]) == (*NONFINITE_RGB, 255)  # a NaN result
    heat.setBackground((10, 20, 30))  # a theme's base colour: the blank follows
    assert tuple(heat.special.image[0, 6]) == (10, 20, 30, 255)


EDITS = {
    "max_pool2d": ({"stride": 1}, {"stride": 2}),
    "avg_pool2d": ({"stride": 1}, {"stride": 2}),
    "conv2d": ({"stride": 1}, {"stride": 2}),
    "conv_transpose2d": ({"stride": 1}, {"stride": 2}),
    "max_unpool2d": ({"kernel_size": 3, "padding": 1}, {"kernel_size": 2, "padding": 0}),
    "adaptive_avg_pool2d": ({"output_size": 3}, {"output_size": 4}),
    "adaptive_max_pool2d": ({"output_size": 3}, {"output_size": 4}),
    "lp_pool2d": ({"stride": 1}, {"stride": 2}),
}


def test_a_parameter_change_runs_each_forward_and_backward_once(window, qtbot, monkeypatch):
    """One edit: the operation's forward once and its backward once (the trace, the views
    and the arithmetic read what they made); stepping afterwards runs neither."""
    from checks import settle

    from engine.ops.registry import get_op

    st = window.state
    st.set_input(np.arange(32 * 32, dtype=float).reshape(32, 32) % 9)
    for op, (first, second) in EDITS.items():
        assert st.set_op(op), st.error
        assert st.set_params(**second), st.error
        settle(qtbot)
        spec = get_op(op)
        calls = {"forward": 0, "backward": 0}
        for name in calls:
            original = getattr(spec, name)

            def counted(
                *args: object, _name: str = name, _original=original, _calls=calls
            ) -> object:
                _calls[_name] += 1
                return _original(*args)

            monkeypatch.setitem(spec.__dict__, name, counted)
        assert st.set_params(**first), st.error
        settle(qtbot)
        assert calls == {"forward": 1, "backward": 1}, op
        st.set_step(3)
        st.set_step(st.n_windows + 2)  # into the backward phase
        settle(qtbot)
        assert calls == {"forward": 1, "backward": 1}, op
        monkeypatch.undo()


def test_dx_in_the_forward_phase_is_one_shared_array_of_zeros(window, qtbot, monkeypatch):
    """dX before the backward phase is the same read-only zeros for every forward step and
    every edit that keeps the input's shape (a new 8 MB array for a 1024² input on each of
    them), so its view sees that nothing changed: a forward step does not draw it again."""
    from checks import settle

    st = window.state
    st.set_op("max_pool2d")
    st.set_input(np.arange(100 * 100, dtype=float).reshape(100, 100) % 7)
    st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(0)
    settle(qtbot)
    first = st.grad_input_plane()
    assert not first.flags.writeable and not first.any() and first.shape == (100, 100)
    st.set_step(3)
    assert st.grad_input_plane() is first
    st.set_params(kernel_size=3)
    assert st.grad_input_plane() is first
    settle(qtbot)
    view = window.views_panel.grad_input_view
    assert view.stack.currentIndex() == 1  # a heat map
    drawn = record_calls(monkeypatch, view.heatmap, "set_values")
    st.set_step(5)
    settle(qtbot)
    assert drawn == []
    np.testing.assert_array_equal(view.model.values, np.zeros((100, 100)))
    st.set_step(st.n_windows)  # the backward phase: dX fills in, drawn
    settle(qtbot)
    assert drawn and drawn[-1][0].any()  # its values


def test_the_texts_sampled_after_an_edit_list_no_cells(window, qtbot, monkeypatch):
    """After an edit the step bar lays out sixteen of the phase's texts for its height: they
    are made from the steps' records without listing their windows' cells, and the shown
    step's record, which the views draw, is made once (sampled as full steps, the texts
    pushed it out of the kept records: the next redraw made it again)."""
    from checks import settle

    from engine.trace import Trace

    st = window.state
    st.set_input(np.arange(32 * 32, dtype=float).reshape(32, 32) % 9)
    assert st.set_params(kernel_size=2, stride=2, padding=0), st.error
    settle(qtbot)
    made = record_calls(monkeypatch, Trace, "gather_step")
    sampled = record_calls(monkeypatch, Trace, "forward_step")
    assert st.set_params(stride=1), st.error
    settle(qtbot)
    assert len(sampled) >= 16  # the texts were sampled (else this tests nothing)
    assert [args[1:] for args in made] == [("forward", 0)]
    window.views_panel.update()
    st.set_hover("input", 0, 0)  # the views read the shown step's record again
    settle(qtbot)
    assert [args[1:] for args in made] == [("forward", 0)]

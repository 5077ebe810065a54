"""A parameter change does its work once: one fit of the views, nothing redrawn that did not
change (benchmarks/gui_bench.py times it; these tests count calls and compare data, never
time or pixels)."""

from __future__ import annotations

import numpy as np
import pytest
from checks import settle
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication
from qt_checks import EventCounter, events_after_each

from visualizer.widgets.matrix_view import HEAT_MAP_STRETCH, MAGNIFIER_STRETCH, MatrixView


def int_input(n: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(n, n)).astype(float)


def adaptive_window(window, qtbot):
    """The window's state on adaptive average pooling of a 64×64 input to 4×4, settled: the
    case whose output_size 3 <-> 4 resizes every view."""
    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(output_size=4)
    settle(qtbot)
    return st


def test_a_parameter_change_fits_each_view_once(window, qtbot, monkeypatch):
    """Adaptive pooling's output_size 3 -> 4 changes the columns' stretch: the fit resized
    the views, which asked for a second fit of every view (two layouts per edit)."""
    st = adaptive_window(window, qtbot)
    panel = window.views_panel
    fits: list[MatrixView] = []
    fit_cell = MatrixView.fit_cell

    def counted(view: MatrixView) -> float:
        fits.append(view)
        return fit_cell(view)

    monkeypatch.setattr(MatrixView, "fit_cell", counted)
    stretches = []
    for size in (3, 4, 3, 4):
        fits.clear()
        before = panel.grid.columnStretch(1)
        assert st.set_params(output_size=size)
        for _ in range(3):
            QApplication.processEvents()
        stretches.append((before, panel.grid.columnStretch(1)))
        for view in panel.views():
            if view.isVisible():
                assert fits.count(view) == 1, (size, view.objectName(), fits.count(view))
    # The case this is about: each change changed the second column's share of the width.
    assert all(before != after for before, after in stretches), stretches


@pytest.mark.parametrize("op", ["adaptive_avg_pool2d", "adaptive_max_pool2d"])
def test_a_parameter_change_sizes_each_view_and_close_up_once(window, qtbot, monkeypatch, op):
    """output_size 3 <-> 4: the output's new numbers were sized at its old cell size, and the
    input's close-up fitted to its old room, before the fit after the layout sized both again
    (two table layouts each per edit)."""
    st = adaptive_window(window, qtbot)
    assert st.set_op(op)
    settle(qtbot)
    sized: list[str] = []
    set_cell_size = MatrixView.set_cell_size

    def counted(view: MatrixView, *args: object, **kwargs: object) -> None:
        sized.append(view.objectName())
        set_cell_size(view, *args, **kwargs)

    monkeypatch.setattr(MatrixView, "set_cell_size", counted)
    panel = window.views_panel
    for size in (3, 4, 3, 4):
        sized.clear()
        assert st.set_params(output_size=size)
        for _ in range(3):
            QApplication.processEvents()
        twice = {name for name in sized if sized.count(name) > 1}
        assert not twice, (size, sized)
        # The case this is about: the output and the input's close-up are sized anew.
        assert panel.output_view.objectName() in sized, sized
        assert panel.input_view.magnifier is not None
        assert panel.input_view.magnifier.objectName() in sized, sized
    assert panel.output_view.model.values.shape == (4, 4)
    assert panel.output_view.cell == panel.grad_output_view.cell


def test_a_view_fitted_once_is_a_table_when_its_matrix_shrinks(window, qtbot):
    """An 8×8 output that was a 15×15 heat map: the fit turned it into a table, and the redraw
    that did it sized it at its old cell size, which made it a heat map again (with a
    close-up of cut numbers, beside a squeezed dY) until the next fit, if any came."""
    st = window.state
    assert st.set_op("avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(kernel_size=3, padding=1)
    settle(qtbot)
    st.set_step(st.n_windows + 4)  # backward: the output is whole
    settle(qtbot)
    assert st.set_params(stride=1)
    settle(qtbot)
    st.set_input(int_input(16))
    settle(qtbot)
    view = window.views_panel.output_view
    assert view.stack.currentIndex() == 1, "a 16×16 output is a heat map at 1366×768"
    assert st.set_params(stride=2)
    settle(qtbot)
    assert view.model.values.shape == (8, 8)
    assert view.stack.currentIndex() == 0, "an 8×8 output with room for numbers is a table"
    assert view.table_at(view.cell)
    assert view.magnified() is None
    np.testing.assert_allclose(view.matrix(), st.results.output[0, 0])


def test_a_parameter_change_paints_each_changed_widget_once(window, qtbot):
    """Adaptive pooling's output_size 3 <-> 4 resizes every view: dX's heat map moved its
    picture inside its paint and was painted again in a second pass, the arithmetic line was
    painted again when its height was measured after the paint, and the data panel's spin
    boxes, given the values they had, were painted although nothing in them changed."""
    st = adaptive_window(window, qtbot)
    panel = window.views_panel
    assert panel.grad_input_view.stack.currentIndex() == 1, "dX is a heat map"
    data = window.data_panel
    widgets = {
        "dX map": panel.grad_input_view.heatmap.viewport(),
        "X map": panel.input_view.heatmap.viewport(),
        "arithmetic": window.step_bar.arithmetic_label,
        "rows": data.rows_spinbox,
        "channels": data.channels_spinbox,
        "output_size": window.params_panel.controls["output_size"].pair.h_spinbox,
    }
    changes = [{"output_size": s} for s in (3, 4, 3, 4)]
    seen = events_after_each(QEvent.Type.Paint, widgets, changes, lambda c: st.set_params(**c))
    for counts in seen:
        assert counts["dX map"] == counts["X map"] == 1, seen
        assert counts["arithmetic"] == 1, seen
        assert counts["output_size"] == 1, seen  # the box whose value changed
        assert counts["rows"] == counts["channels"] == 0, seen


def test_a_parameter_change_lays_the_views_out_and_places_the_arrows_once(
    window, qtbot, monkeypatch
):
    """output_size 3 -> 4 gives the output a fourth column, and its grid column a larger share
    of the width: the views were laid out at the old shares before the paint, then again by
    the fit at the new ones; the step's arrows were placed at the old places, then again."""
    st = adaptive_window(window, qtbot)
    panel = window.views_panel
    resized_in_fit: list[str] = []
    fitting = [False]
    sync = type(panel).sync_cell_sizes

    def traced_sync(self) -> None:
        fitting[0] = True
        try:
            sync(self)
        finally:
            fitting[0] = False

    def on_resized(view: MatrixView) -> None:
        if fitting[0]:
            resized_in_fit.append(view.objectName())

    monkeypatch.setattr(type(panel), "sync_cell_sizes", traced_sync)
    for view in panel.views():
        view.sigResized.connect(lambda view=view: on_resized(view))
    placed = []
    relocate = type(panel.arrows).relocate
    monkeypatch.setattr(
        type(panel.arrows),
        "relocate",
        lambda self, *a, **k: (placed.append(1), relocate(self, *a, **k)),
    )
    for size in (3, 4, 3):
        placed.clear()
        stretch = panel.grid.columnStretch(1)
        assert st.set_params(output_size=size)
        for _ in range(3):
            QApplication.processEvents()
        assert panel.grid.columnStretch(1) != stretch
        assert resized_in_fit == [], resized_in_fit
        assert len(placed) == 1, placed
        assert panel.arrows.arrows == [("input", "output")]


def rendered(item) -> np.ndarray:
    """The ARGB pixels an ImageItem draws its data as (one pixel per cell)."""
    import pyqtgraph as pg
    from PySide6.QtGui import QImage

    item.render()
    picture = item.qimage.convertToFormat(QImage.Format.Format_ARGB32)
    return pg.functions.ndarray_from_qimage(picture).copy()


def fresh_picture(values: np.ndarray, levels, lut) -> np.ndarray:
    """The pixels of ``values`` drawn by a new ImageItem from the floats, as set_values did."""
    import pyqtgraph as pg

    item = pg.ImageItem(axisOrder="row-major")
    item.setLookupTable(lut, update=False)
    item.setImage(np.asarray(values, dtype=float), levels=levels, autoLevels=False)
    return rendered(item)


def test_the_mask_heat_map_after_an_edit_is_the_picture_of_its_counts(window, qtbot):
    """The argmax mask's counts are coloured from bytes: after each edit its picture is, pixel
    for pixel, the one a new image of the float counts on the same levels gives."""
    st = window.state
    assert st.set_op("max_pool2d")
    st.set_input(int_input(256))
    view = window.views_panel.mask_view
    for params in (
        {"kernel_size": 3, "stride": 1},
        {"kernel_size": 2, "stride": 2},
        {"kernel_size": 4, "stride": 1},
    ):
        assert st.set_params(**params)
        st.set_step(st.n_windows)  # backward: the whole mask
        settle(qtbot)
        assert view.stack.currentIndex() == 1, "a 256×256 mask is a heat map"
        counts = st.mask_plane()
        np.testing.assert_array_equal(view.matrix(), counts)
        image = view.heatmap.image
        assert image.image.dtype == np.uint8  # drawn from bytes
        expected = fresh_picture(counts, tuple(image.levels), image.lut)
        np.testing.assert_array_equal(rendered(image), expected)
        if params["stride"] == 1:
            assert counts.max() > 1  # windows overlap: more than two colours in play


def test_a_heat_map_of_one_whole_number_is_the_picture_of_its_floats(window, qtbot):
    """dY of ones is a new array at each edit's output shape: its heat map is coloured from
    bytes (one whole number in every cell, on whole levels), pixel for pixel the picture a new
    image of the floats gives.  So is any map of one whole byte value on whole levels, the
    colour at either end of its levels or between them."""
    from visualizer.widgets.matrix_view import _HeatMap, _lut, colormap

    st = window.state
    assert st.set_op("max_pool2d")
    st.set_input(int_input(256))
    view = window.views_panel.grad_output_view
    for kernel in (3, 2):
        assert st.set_params(kernel_size=kernel, stride=2)
        settle(qtbot)
        assert view.stack.currentIndex() == 1, "a 128×128 dY is a heat map"
        dy = st.grad_output_plane()
        assert (dy == 1).all()
        image = view.heatmap.image
        assert image.image.dtype == np.uint8  # drawn from bytes
        np.testing.assert_array_equal(image.image, dy)
        expected = fresh_picture(dy, tuple(image.levels), image.lut)
        np.testing.assert_array_equal(rendered(image), expected)
    heat = _HeatMap()
    qtbot.addWidget(heat)
    for value, levels, diverging in (
        (0.0, (-1.0, 1.0), True),
        (7.0, (-9.0, 9.0), True),
        (255.0, (3.0, 17.0), False),
        (2.0, (3.0, 17.0), False),
        (5.0, (0.0, 7.0), False),
    ):
        values = np.full((40, 30), value)
        heat.set_values(values, levels, diverging)
        assert heat.image.image.dtype == np.uint8
        expected = fresh_picture(values, levels, _lut(colormap(diverging)))
        np.testing.assert_array_equal(rendered(heat.image), expected)


def test_the_mask_so_far_after_an_edit_is_drawn_without_a_pass_over_it(window, qtbot, monkeypatch):
    """At the first step after an edit the argmax mask so far is zeros with one window's
    count: the trace knows its extremes, and its heat map takes them instead of two passes
    over a plane as large as the input (~1.5 ms at 1024²).  Drawn as before: the same
    counts, from bytes, on the same levels."""
    from visualizer.model import extremes as cache
    from visualizer.widgets import matrix_view

    st = window.state
    assert st.set_op("max_pool2d")
    st.set_input(int_input(256))
    assert st.set_params(kernel_size=2, stride=2)
    st.set_step(0)
    settle(qtbot)
    view = window.views_panel.mask_view
    asked: list[tuple[int, bool]] = []  # (id of the array, whether its extremes were known)
    measure = matrix_view.extremes

    def spy(values: np.ndarray) -> tuple[float, float]:
        found = cache._EXTREMES.get(id(values))
        asked.append((id(values), found is not None and found[0]() is values))
        return measure(values)

    monkeypatch.setattr(matrix_view, "extremes", spy)
    for kernel in (3, 2):
        asked.clear()
        assert st.set_params(kernel_size=kernel)
        settle(qtbot)
        assert st.step == 0 and view.stack.currentIndex() == 1, "a 256×256 heat map"
        shown = view.model.values  # the very array the heat map was given
        assert (id(shown), True) in asked and (id(shown), False) not in asked
        counts = st.mask_plane()
        np.testing.assert_array_equal(shown, counts)
        assert 0 < counts.sum() <= kernel * kernel
        assert view.heatmap.image.image.dtype == np.uint8  # drawn from bytes, as before
        assert tuple(view.heatmap.image.levels) == (0.0, float(st.mask_plane(False).max()))
        np.testing.assert_array_equal(view.heatmap.image.image, counts)


def test_a_heat_map_given_its_array_again_on_new_levels_draws_it_anew(window, qtbot):
    """dX's zeros are one shared array in the forward phase, given again after each edit on
    new levels: its least and largest values are not measured again, the picture is."""
    from visualizer.widgets.matrix_view import _HeatMap, _lut, colormap

    heat = _HeatMap()
    qtbot.addWidget(heat)
    values = np.arange(64.0).reshape(8, 8) - 20
    lut = _lut(colormap(True))
    for levels in ((-50.0, 50.0), (-20.0, 43.0), (-100.0, 10.0)):
        heat.set_values(values, levels, diverging=True)
        assert heat._extremes[0] is values
        np.testing.assert_array_equal(rendered(heat.image), fresh_picture(values, levels, lut))
    copy = values.copy()
    copy[0, 0] = 1000.0  # another array: measured anew (the special layer stays off)
    heat.set_values(copy, (-50.0, 50.0), diverging=True)
    assert heat._extremes == (copy, (-19.0, 1000.0))


class CountedPasses(np.ndarray):
    """An array that counts the passes ``min()`` and ``max()`` make over it."""

    passes = 0

    def min(self, *args, **kwargs):
        CountedPasses.passes += 1
        return super().min(*args, **kwargs)

    def max(self, *args, **kwargs):
        CountedPasses.passes += 1
        return super().max(*args, **kwargs)


def test_dy_is_measured_once_for_its_levels_its_constancy_and_its_heat_map(qtbot):
    """After each edit dY (ones, as large as the output) got its levels, was tested for being
    constant and was drawn: each measured its least and largest values again (seven passes
    over it); the extremes of an array are measured once while it lives."""
    from visualizer.widgets.matrix_view import _HeatMap, extremes, levels_for
    from visualizer.widgets.views_panel import is_constant

    heat = _HeatMap()
    qtbot.addWidget(heat)
    dy = np.ones((40, 30)).view(CountedPasses)
    CountedPasses.passes = 0
    levels = levels_for(dy, True)
    assert is_constant(dy)
    heat.set_values(dy, levels, diverging=True, neutral=True)
    assert CountedPasses.passes == 2  # one min(), one max()
    assert extremes(dy) == (1.0, 1.0) and levels == (-1.0, 1.0)
    other = np.arange(12.0).reshape(3, 4).view(CountedPasses)  # another array: its own
    assert extremes(other) == (0.0, 11.0) and CountedPasses.passes == 4


def test_the_mask_levels_take_one_pass_over_the_whole_counts(window, qtbot, monkeypatch):
    """The mask's levels after an edit need the largest count only: one max() over the
    integer counts (as large as the input), not a min() as well that nothing asked for."""
    st = window.state
    assert st.set_op("max_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(kernel_size=3, stride=2)
    settle(qtbot)
    whole = st.mask_plane(partial=False).view(CountedPasses)
    plane = st.mask_plane

    def mask_plane(partial: bool = True) -> np.ndarray | None:
        return whole if not partial else plane(partial)

    monkeypatch.setattr(st, "mask_plane", mask_plane)
    CountedPasses.passes = 0
    window.views_panel._on_results_changed()
    assert CountedPasses.passes == 1
    assert window.views_panel._levels["mask"] == (0.0, float(np.asarray(whole).max()))


def test_extremes_are_forgotten_with_their_array():
    """The extremes cache holds no array and no entry of an array that is gone (a new array
    at the same address is measured anew)."""
    import gc

    from visualizer.model import extremes as cache

    values = np.arange(5.0)
    key = id(values)
    assert cache.extremes(values) == (0.0, 4.0)
    assert key in cache._EXTREMES
    del values
    gc.collect()
    assert key not in cache._EXTREMES


def test_a_resized_heat_map_view_shares_its_room_with_its_close_up_once(window, qtbot):
    """The close-up's largest share of a view follows the view's size; set after the view's
    layout had shared the new room out, the map and the close-up were resized twice (and the
    close-up fitted twice) whenever an edit resized the view."""
    st = adaptive_window(window, qtbot)
    view = window.views_panel.input_view
    assert view.magnified() is not None
    close_up = view.magnifier.parentWidget()  # its fence: what the body lays out
    counter = EventCounter(QEvent.Type.Resize)
    for widget in (view, view.stack, close_up):
        widget.installEventFilter(counter)
    try:
        for size in (3, 4, 3):
            counter.counts.clear()
            assert st.set_params(output_size=size)
            for _ in range(3):
                QApplication.processEvents()
            assert counter.counts.get(id(view)) == 1, "the edit resizes the view"
            assert counter.counts.get(id(view.stack)) == 1, counter.counts
            assert counter.counts.get(id(close_up)) == 1, counter.counts
            width = view.body.contentsRect().width() - view.body.spacing()
            share = MAGNIFIER_STRETCH / (MAGNIFIER_STRETCH + HEAT_MAP_STRETCH)
            assert abs(close_up.width() - width * share) <= 1  # its stretch's share
    finally:
        for widget in (view, view.stack, close_up):
            widget.removeEventFilter(counter)


def test_a_larger_output_table_is_painted_once_and_without_scroll_bars(window, qtbot):
    """output_size 4 -> 5 gives Y and dY a fifth row and column at their old cell size: both
    tables showed scroll bars, the fit before the paint made the cells small enough to need
    none, and Qt hid the bars in a queued call after the window was painted: Y was painted
    with bars, then every cell again without them in a second pass."""
    st = adaptive_window(window, qtbot)
    panel = window.views_panel
    tables = {"Y": panel.output_view.table, "dY": panel.grad_output_view.table}
    assert panel.grad_output_view.isVisible()
    widgets: dict[str, object] = {}
    for name, table in tables.items():
        widgets[name] = table.viewport()
        widgets[f"{name} bars"] = table.horizontalScrollBar()
        widgets[f"{name} column bar"] = table.verticalScrollBar()
    changes = [{"output_size": s} for s in (5, 4, 5, 6)]
    seen = events_after_each(QEvent.Type.Paint, widgets, changes, lambda c: st.set_params(**c))
    for counts, change in zip(seen, changes, strict=True):
        for name in tables:
            assert counts[name] == 1, (change, seen)
            assert counts[f"{name} bars"] == counts[f"{name} column bar"] == 0, (change, seen)
    for view in (panel.output_view, panel.grad_output_view):
        assert not view.table.horizontalScrollBar().isVisibleTo(view.table)
        assert not view.table.verticalScrollBar().isVisibleTo(view.table)
        assert view.model.values.shape == (6, 6)
    np.testing.assert_array_equal(panel.output_view.matrix(), st.output_plane())


def test_the_arrows_look_for_the_titles_again_only_after_a_new_view(window, qtbot, monkeypatch):
    """Placing the arrows after an edit keeps the titles and legends it knows while no view
    has been made (looking through every widget under the views took ~1 ms of each edit); a
    new view's (a convolution's second input plane) is found."""
    st = window.state
    panel = window.views_panel
    assert st.set_op("conv2d"), st.error
    st.set_input(int_input(16))
    assert st.set_params(kernel_size=2, stride=2, padding=0)
    settle(qtbot)
    assert st.set_params(stride=1)  # the close-ups made, their titles found
    settle(qtbot)
    searched: list[object] = []
    find = panel.findChildren
    monkeypatch.setattr(panel, "findChildren", lambda kind: (searched.append(kind), find(kind))[1])
    for stride in (2, 1, 2):
        assert st.set_params(stride=stride)
        settle(qtbot)
    assert ("input", "output") in panel.arrows.arrows  # placed (else this tests nothing)
    assert searched == []
    before = MatrixView.made
    assert st.set_shape(1, 2), st.error  # a second input plane: its own view and title
    settle(qtbot)
    assert MatrixView.made > before
    from visualizer.widgets.matrix_view import ColorLegend, TitleLabel

    known = [t for t in panel.arrows._labels or () if t.isVisible()]
    every = [*find(TitleLabel), *find(ColorLegend)]
    assert known == [t for t in every if t.isVisible()]
    assert any("Plane" in t.parentWidget().objectName() for t in known)


def header_roles_asked(monkeypatch) -> list[int]:
    """The roles the tables' models are asked for header data from now on (call it before the
    models are made: the binding looks a Qt method's Python override up once)."""
    from visualizer.widgets.matrix_view import MatrixModel

    asked: list[int] = []
    header_data = MatrixModel.headerData

    def counted(model: MatrixModel, section: int, orientation: object, role: int = 0) -> object:
        asked.append(int(getattr(role, "value", role)))
        return header_data(model, section, orientation, role)

    monkeypatch.setattr(MatrixModel, "headerData", counted)
    return asked


def test_a_parameter_change_back_measures_no_header_again(qtbot, monkeypatch):
    """Qt forgets a header's size hint whenever a section is resized or the model reset, and
    works it out again from every section's number (four calls of the model's headerData a
    section): output_size 3 <-> 4 did that some ten times per header of each table.  The
    tables' headers keep their hints by what they depend on: shapes and numbers seen before
    measure no section again."""
    from conftest import new_window

    asked = header_roles_asked(monkeypatch)
    window = new_window(qtbot)
    st = adaptive_window(window, qtbot)
    for size in (3, 4):
        assert st.set_params(output_size=size)
        settle(qtbot)
    asked.clear()
    for size in (3, 4, 3):
        assert st.set_params(output_size=size)
        settle(qtbot)
    assert asked  # the headers were painted (their numbers asked) ...
    size_hint = int(Qt.ItemDataRole.SizeHintRole.value)
    assert size_hint not in asked  # ... but no section measured
    window.close()


def test_a_header_measured_in_a_font_before_is_not_measured_again(qtbot, monkeypatch):
    """A view's headers take the font of its cell size (and a trial size's font and back while
    it is fitted): a header's kept hints are by font, so going back to a cell size measures
    no section again."""
    asked = header_roles_asked(monkeypatch)
    view = MatrixView("Y", "outputMatrix")
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    view.set_matrix(int_input(4))
    qtbot.waitExposed(view)
    fonts = set()
    for cell in (30, 45):
        view.set_cell_size(cell)
        settle(qtbot)
        fonts.add(view.table.verticalHeader().font().pixelSize())
    assert len(fonts) == 2  # the case this is about: two header fonts
    asked.clear()
    for cell in (30, 45, 30):
        view.set_cell_size(cell)
        settle(qtbot)
    assert int(Qt.ItemDataRole.SizeHintRole.value) not in asked

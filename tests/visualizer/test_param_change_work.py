"""A parameter change does its work once: one fit of the views, nothing redrawn that did not
change (benchmarks/gui_bench.py times it; these tests count calls and compare data, never
time or pixels)."""

from __future__ import annotations

import numpy as np
from checks import settle
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

from visualizer.widgets.matrix_view import MatrixView


def int_input(n: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(n, n)).astype(float)


def test_a_parameter_change_fits_each_view_once(window, qtbot, monkeypatch):
    """Adaptive pooling's output_size 3 -> 4 changes the columns' stretch: the fit resized
    the views, which asked for a second fit of every view (two layouts per edit)."""
    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(output_size=4)
    settle(qtbot)
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


class PaintCounter(QObject):
    """Counts the paint events of the widgets it filters, by widget."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[int, int] = {}

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.counts[id(obj)] = self.counts.get(id(obj), 0) + 1
        return False


def paints_per_change(st, widgets, changes) -> list[dict[str, int]]:
    """For each parameter change of ``changes``: how many times each of ``widgets`` (name ->
    widget) was painted by the event loop's work after it."""
    counter = PaintCounter()
    for widget in widgets.values():
        widget.installEventFilter(counter)
    seen = []
    try:
        for change in changes:
            counter.counts.clear()
            assert st.set_params(**change)
            for _ in range(3):
                QApplication.processEvents()
            seen.append({name: counter.counts.get(id(w), 0) for name, w in widgets.items()})
    finally:
        for widget in widgets.values():
            widget.removeEventFilter(counter)
    return seen


def test_a_parameter_change_paints_each_changed_widget_once(window, qtbot):
    """Adaptive pooling's output_size 3 <-> 4 resizes every view: dX's heat map moved its
    picture inside its paint and was painted again in a second pass, the arithmetic line was
    painted again when its height was measured after the paint, and the data panel's spin
    boxes, given the values they had, were painted although nothing in them changed."""
    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(output_size=4)
    settle(qtbot)
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
    seen = paints_per_change(st, widgets, [{"output_size": s} for s in (3, 4, 3, 4)])
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
    st = window.state
    assert st.set_op("adaptive_avg_pool2d")
    st.set_input(int_input(64))
    assert st.set_params(output_size=4)
    settle(qtbot)
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

"""A table keeps its viewport's cells as last painted (its rendering) with the set of cells that
are current there: a paint draws anew only the cells whose look changed and copies the rest
(most of a step's repaints are an arrow passing over cells that did not change).  These tests
check on data which cells are drawn anew after each kind of change, and that what a table
shows after stepping is what drawing every cell anew shows (two grabs of one process: no
font, screen or clock in the comparison)."""

from __future__ import annotations

import numpy as np
import pytest
from checks import record_calls, settle
from PySide6.QtCore import QEvent
from PySide6.QtGui import QFont, QImage
from PySide6.QtWidgets import QApplication
from qt_checks import cells_painted

from visualizer import presentation
from visualizer.widgets import matrix_view

CELLS = frozenset((r, c) for r in range(4) for c in range(5))


pytestmark = pytest.mark.usefixtures("restore_look")


def shown_view(qtbot) -> matrix_view.MatrixView:
    """A shown 4×5 table of two-digit numbers, every cell painted once."""
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.set_matrix(np.arange(20.0).reshape(4, 5) * 2 + 10)
    view.set_cell_size(40)
    qtbot.waitExposed(view)
    settle(qtbot)
    view.table.viewport().repaint()
    return view


def drawn_anew(view, qtbot, repaint: bool = True) -> set[tuple[int, int]]:
    """The cells painted anew (through the delegate) while the event loop runs and, with
    ``repaint``, while the whole viewport is repainted after it (what is not drawn anew is
    copied from the rendering)."""
    with cells_painted(view) as painted:
        settle(qtbot)
        if repaint:
            view.table.viewport().repaint()
    return {(r, c) for r, c, _, _ in painted}


def test_a_repaint_copies_the_cells_and_draws_only_those_that_changed(qtbot):
    view = shown_view(qtbot)
    table = view.table
    assert table.valid_cells == CELLS  # every cell is in the rendering ...
    assert drawn_anew(view, qtbot) == set()  # ... and a repaint copies it
    # New highlights: the cells whose styles changed, and only those, are drawn anew.
    view.set_highlights({(1, 1): {"window"}, (2, 3): {"winner"}})
    assert table.valid_cells == CELLS - {(1, 1), (2, 3)}
    assert drawn_anew(view, qtbot) == {(1, 1), (2, 3)}
    view.set_highlights({(1, 1): {"window"}, (2, 2): {"winner"}})
    assert table.valid_cells == CELLS - {(2, 3), (2, 2)}
    assert drawn_anew(view, qtbot) == {(2, 3), (2, 2)}
    # A new value (a step fills an output cell in): that cell.
    values = view.model.values.copy()
    values[3, 4] = 21
    view.set_matrix(values, levels=view.levels)
    assert table.valid_cells == CELLS - {(3, 4)}
    assert drawn_anew(view, qtbot) == {(3, 4)}
    # Notes (a window's weights) and the quiz's asked cell.
    view.set_notes({(0, 1): "2"})
    assert (0, 1) not in table.valid_cells
    assert drawn_anew(view, qtbot) == {(0, 1)}
    view.set_asked((3, 0))
    assert (3, 0) in drawn_anew(view, qtbot)
    # Nothing changed: nothing drawn anew.
    view.set_highlights({(1, 1): {"window"}, (2, 2): {"winner"}})
    view.set_matrix(values, levels=view.levels)
    assert drawn_anew(view, qtbot) == set()


def test_a_cell_drawn_anew_after_a_change_shows_it(qtbot):
    """What the table shows after changes (copied where nothing changed) is what drawing
    every cell anew shows."""
    view = shown_view(qtbot)
    table = view.table
    values = view.model.values.copy()
    for step in range(6):
        values = values.copy()
        values[step % 4, step % 5] = 50 + step
        view.set_matrix(values)
        view.set_highlights({(step % 4, (step + 1) % 5): {"window", "winner"}})
        view.set_notes({((step + 2) % 4, step % 5): str(step)})
        settle(qtbot)
        table.viewport().repaint()
        kept = table.viewport().grab().toImage()
        table.forget_rendering()
        fresh = table.viewport().grab().toImage()
        assert table.valid_cells == CELLS
        assert kept == fresh, step


@pytest.mark.parametrize(
    "change",
    ["palette", "theme", "zoom", "resize", "dimmed", "note size", "font", "selection", "scroll"],
)
def test_what_changes_every_cell_draws_them_all_anew(qtbot, change):
    view = shown_view(qtbot)
    table = view.table
    if change == "palette":
        matrix_view.set_palette("colorblind")
    elif change == "theme":
        presentation.apply_theme("dark")
    elif change == "zoom":
        view.set_cell_size(44)
    elif change == "resize":
        view.resize(420, 320)
    elif change == "dimmed":
        view.set_dimmed(True)
    elif change == "note size":
        view.set_note_least(matrix_view.LECTURE_NOTE_MIN_PX)
    elif change == "font":
        font = QFont(table.font())
        font.setFamily("Monospace")
        table.setFont(font)
    elif change == "selection":
        table.setCurrentIndex(view.model.index(1, 2))
    elif change == "scroll":
        view.set_cell_size(90)  # larger than the view: scroll bars
        settle(qtbot)
        table.viewport().repaint()
        table.horizontalScrollBar().setValue(30)
    settle(qtbot)
    rows, cols = table.verticalHeader().count(), table.horizontalHeader().count()
    in_view = {
        (r, c)
        for r in range(rows)
        for c in range(cols)
        if table.viewport().rect().intersects(table.visualRect(view.model.index(r, c)))
    }
    assert len(in_view) >= 4
    table.viewport().repaint()  # a change that leaves the cells' rectangles dirty ...
    assert table.valid_cells == in_view  # ... leaves none of them current until repainted
    # Every cell in view was painted anew after the change: a repaint copies them all, and
    # they show what drawing them anew shows.
    assert drawn_anew(view, qtbot) == set()
    kept = table.viewport().grab().toImage()
    table.forget_rendering()
    assert kept == table.viewport().grab().toImage()


def test_every_change_of_the_whole_table_empties_its_rendering(qtbot):
    """What changes every cell's look forgets every cell (the paint then draws them anew)."""
    view = shown_view(qtbot)
    table = view.table
    changes = [
        lambda: matrix_view.set_palette("colorblind"),
        lambda: view.set_cell_size(44),
        lambda: view.set_dimmed(True),
        lambda: view.set_note_least(matrix_view.LECTURE_NOTE_MIN_PX),
        lambda: view.set_matrix(np.arange(12.0).reshape(3, 4)),  # a new shape: a reset
        lambda: QApplication.sendEvent(table, QEvent(QEvent.Type.PaletteChange)),
    ]
    for change in changes:
        table.viewport().repaint()
        assert table.valid_cells
        change()
        assert table.valid_cells == set()


def test_a_step_shows_what_a_table_drawn_anew_shows(window, qtbot):
    """After steps that move the window, fill the result and pass arrows over the tables, each
    table shows what drawing all its cells anew shows, and most of a step's repaints of its
    cells were copies."""
    st = window.state
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(8, 8)).astype(float))
    assert st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(0)
    settle(qtbot)
    tables = [
        view
        for view in window.findChildren(matrix_view.MatrixView)
        if view.isVisible() and view.stack.currentIndex() == 0 and view.table.isVisible()
    ]
    assert len(tables) >= 3
    for step in range(1, 12):
        st.set_step(step)
        settle(qtbot)
        for view in tables:
            viewport = view.table.viewport()
            kept = viewport.grab().toImage()
            assert view.table.valid_cells, view.objectName()
            view.table.forget_rendering()
            fresh = viewport.grab().toImage()
            assert kept == fresh, (step, view.objectName())


def test_a_fresh_window_paints_the_same_tables(window, qtbot):
    """A window stepped to step 9 shows in each table what a new window set to that step does."""
    from conftest import new_window

    def prepare(win) -> None:
        st = win.state
        st.set_input(np.random.default_rng(1).integers(0, 256, size=(8, 8)).astype(float))
        assert st.set_params(kernel_size=2, stride=2, padding=0)

    prepare(window)
    for step in range(10):
        window.state.set_step(step)
        settle(qtbot)
    other = new_window(qtbot)
    prepare(other)
    other.state.set_step(9)
    settle(qtbot)
    names = ["inputMatrix", "outputMatrix", "maskMatrix"]
    for name in names:
        ours = window.findChild(matrix_view.MatrixView, name)
        theirs = other.findChild(matrix_view.MatrixView, name)
        assert ours.table.valid_cells, name  # painted from the rendering
        assert ours.table.size() == theirs.table.size(), name
        assert ours.table.viewport().grab().toImage() == theirs.table.viewport().grab().toImage()
    other.close()


def test_a_legend_is_drawn_again_only_when_it_changes(qtbot, monkeypatch):
    """The colour legend is copied from its picture; it is drawn again (gradient and texts) when
    its levels, constant, dimming, palette or size change, and then shows what drawing it
    directly shows."""
    legend = matrix_view.ColorLegend()
    qtbot.addWidget(legend)
    legend.resize(200, 18)
    legend.show()
    qtbot.waitExposed(legend)
    drawn: list[object] = []
    original = legend._paint

    def counted(painter) -> None:
        drawn.append(painter)
        original(painter)

    monkeypatch.setattr(legend, "_paint", counted)
    legend.repaint()
    drawn.clear()
    legend.repaint()
    assert drawn == []
    for change in (
        lambda: legend.set_levels((0.0, 9.0), False),
        lambda: legend.set_constant(3.0),
        lambda: legend.set_dimmed(True),
        lambda: matrix_view.set_palette("colorblind"),
        lambda: legend.resize(240, 18),
    ):
        change()
        settle(qtbot)
        legend.repaint()
        assert len(drawn) == 1
        drawn.clear()


@pytest.mark.parametrize("family", ["", "Monospace"])
def test_cells_painted_on_the_rendering_look_as_painted_on_the_table(qtbot, family):
    """Cells are painted on the rendering (a pixmap), then copied: the pixels are those of
    painting them on the table (the fonts completed from the table's font, not from the
    application's as a painter on a pixmap does)."""
    view = shown_view(qtbot)
    table = view.table
    view.set_highlights({(1, 1): {"window"}, (2, 3): {"winner", "current"}, (0, 4): {"gap"}})
    view.set_notes({(1, 1): "3"})
    if family:
        font = QFont(table.font())
        font.setFamily(family)
        font.setItalic(True)
        table.setFont(font)
    settle(qtbot)
    viewport = table.viewport()
    viewport.repaint()
    assert table.valid_cells == CELLS
    kept = viewport.grab().toImage()
    # The same cells painted straight on the image the table's painter is redirected to.
    table.forget_rendering()
    direct = QImage(kept.size(), kept.format())
    direct.setDevicePixelRatio(kept.devicePixelRatio())
    table._paint_rendered = lambda *args: False  # type: ignore[method-assign]
    try:
        viewport.render(direct)
    finally:
        del table._paint_rendered
    assert table.valid_cells == set()
    assert kept == direct


# ---- the "so far" views: a step changes a few cells ----------------------------------------------


def test_a_step_colours_and_measures_only_what_it_changes(qtbot, monkeypatch):
    """A "so far" view (the output, the argmax mask, dX) gets new arrays on every step with one
    or two cells changed, or none: its colours were computed and its texts measured for the
    whole matrix each time.  Now the same content costs neither, new values in reserved texts
    no measuring, and the model ends up as one given the last values at once."""
    view = matrix_view.MatrixView("Y", "outputMatrix")
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    final = np.random.default_rng(0).integers(0, 256, size=(4, 4)).astype(float)
    final[0, 0] = 1e6  # the longest text
    view.reserve(final)
    values = np.full((4, 4), np.nan)
    pending = np.ones((4, 4), bool)
    view.set_matrix(values, pending=pending, levels=(0.0, 255.0))
    view.set_cell_size(40)
    colourings = record_calls(monkeypatch, matrix_view, "colorize")
    measures = record_calls(monkeypatch, view.model, "_measure_texts")
    for step, cell in enumerate([(1, 2), (0, 0), (3, 3), (2, 1)]):
        values, pending = values.copy(), pending.copy()
        values[cell], pending[cell] = final[cell], False
        view.set_matrix(values, pending=pending, levels=(0.0, 255.0))
        assert len(colourings) == step + 1  # coloured again: a cell's value changed
        # The same matrix in new arrays (the view of the other phase on a step): nothing.
        view.set_matrix(values.copy(), pending=pending.copy(), levels=(0.0, 255.0))
        assert len(colourings) == step + 1
    # Measured when the first cell was filled in (a blank matrix's text is no reserved
    # one), then not: every new text was reserved, the longest texts stayed the same.
    assert len(measures) == 1
    # A text not reserved is measured.
    values = values.copy()
    values[3, 0] = 0.5
    view.set_matrix(values, pending=pending, levels=(0.0, 255.0))
    assert len(measures) == 2
    # New levels colour every cell again.
    view.set_matrix(values.copy(), pending=pending.copy(), levels=(0.0, 500.0))
    assert len(colourings) == 6
    # The model is as one given these values at once.
    fresh = matrix_view.MatrixView("Y", "freshMatrix")
    qtbot.addWidget(fresh)
    fresh.reserve(final)
    fresh.set_matrix(values, pending=pending, levels=(0.0, 500.0))
    for name in ("colors", "_black_text", "pending"):
        np.testing.assert_array_equal(getattr(view.model, name), getattr(fresh.model, name))
    np.testing.assert_array_equal(view.model.values, fresh.model.values)
    assert view.model.long_texts == fresh.model.long_texts
    assert view.model.max_chars == fresh.model.max_chars

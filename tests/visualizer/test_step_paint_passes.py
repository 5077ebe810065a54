"""A step is painted in one pass over the window, each view's cells once (benchmarks/gui_bench.py
times it; these tests count paint events and layout calls, never time or pixels)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from checks import record_calls, settle
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap, QRegion
from PySide6.QtWidgets import QApplication
from qt_checks import EventCounter, cells_painted, events_after_each

from engine import format_number
from visualizer.widgets import matrix_view


def heat_map_window(window, qtbot, op: str, **params: object):
    """The window on a 16×16 input of ``op`` (its X a heat map with a close-up), settled."""
    st = window.state
    assert st.set_op(op)
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(float))
    if params:
        assert st.set_params(**params)
    st.set_step(0)
    settle(qtbot)
    window.views_panel.sync_cell_sizes()
    settle(qtbot)
    view = window.views_panel.input_view
    assert view.stack.currentIndex() == 1, "X is drawn as a heat map at 1366×768"
    assert view.magnified() is not None
    return st, view


def test_a_heat_map_step_paints_the_map_and_its_close_up_once(window, qtbot):
    """The heat map's scene marks its moved frames in a queued call that used to come after
    the window's paint: the map (and the arrows' sheet over it, with what lies under it) was
    painted in a second pass on most steps."""
    st, view = heat_map_window(window, qtbot, "max_pool2d", kernel_size=2, stride=2)
    widgets = {"map": view.heatmap.viewport(), "close-up": view.magnifier.table.viewport()}
    seen = events_after_each(QEvent.Type.Paint, widgets, range(1, 12), st.set_step)
    assert all(counts["map"] == 1 for counts in seen), seen
    assert all(counts["close-up"] == 1 for counts in seen), seen
    # The close-up shows X's cells around the window.
    close_up = view.magnifier
    top, left = close_up.model.offset
    rows, cols = close_up.model.values.shape
    np.testing.assert_array_equal(
        view.magnified(), st.x[0, 0][-top : -top + rows, -left : -left + cols]
    )


def test_a_close_up_of_a_new_shape_is_laid_out_before_it_is_painted(window, qtbot):
    """Adaptive pooling's windows differ in size: the close-up's box changes shape (a model
    reset) on most steps, and the table laid its rows out in a zero-time timer after the
    window was painted, which painted every cell of the close-up a second time.  (A step
    that gives the close-up other column widths or cell sizes still repaints the resized
    cells when the table's resize timer runs: those steps are not counted.)"""
    # 16 rows into 10 windows: 2 or 3 rows each (windows of one size keep one shape).
    st, view = heat_map_window(window, qtbot, "adaptive_avg_pool2d", output_size=10)
    close_up = view.magnifier
    viewport = close_up.table.viewport()
    counter = EventCounter(QEvent.Type.Paint)
    viewport.installEventFilter(counter)
    reshaped = []
    try:
        for step in range(1, st.n_steps):
            before = (close_up.model.values.shape, close_up.cell, close_up.column_width())
            counter.counts.clear()
            st.set_step(step)
            for _ in range(3):
                QApplication.processEvents()
            after = (close_up.model.values.shape, close_up.cell, close_up.column_width())
            if before[0] != after[0] and before[1:] == after[1:]:
                reshaped.append(step)
                assert counter.counts.get(id(viewport), 0) == 1, (step, before, after)
            # The close-up shows X's cells around the window.
            top, left = close_up.model.offset
            rows, cols = close_up.model.values.shape
            np.testing.assert_array_equal(
                close_up.model.values, st.x[0, 0][-top : -top + rows, -left : -left + cols]
            )
    finally:
        viewport.removeEventFilter(counter)
    assert len(reshaped) >= 3, "steps whose close-up changed shape, not size"


def test_new_numbers_alone_do_not_lay_the_table_out_again(qtbot, monkeypatch):
    """A close-up's step shows new numbers in the same columns: the table's scroll bars and
    headers were measured again on each (both headers' sizes, ~0.2 ms); they are when the
    view's room or the headers' numbers change."""
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.set_matrix(np.arange(16.0).reshape(4, 4) + 10)  # two digits everywhere
    view.set_cell_size(40)
    calls = record_calls(monkeypatch, view.table, "updateGeometries")
    for shift in (20, 40, 60):  # other two-digit numbers: same font, same columns
        view.set_matrix(np.arange(16.0).reshape(4, 4) + shift)
        view.set_cell_size(40)
        assert view.model.long_texts == tuple(sorted(str(v + shift) for v in range(16)))
    assert calls == []
    # Row numbers from -10: the row header widens, the table is laid out again.
    view.set_matrix(np.arange(16.0).reshape(4, 4) + 70, offset=(10, 0))
    view.set_cell_size(40)
    assert calls  # measured again
    assert view.column_width() >= 40


def _cells_painted(view, repaint) -> list[tuple[int, int, tuple[int, int, int, int], bool]]:
    """The cells ``repaint()`` painted, in order: (row, column, rectangle, focused), every cell
    of the dirty region drawn anew (not copied from the table's rendering: see
    tests/visualizer/test_table_rendering.py)."""
    view.table.forget_rendering()
    with cells_painted(view) as painted:
        repaint()
    return painted


def test_a_table_paints_each_dirty_cell_once_in_one_pass(qtbot):
    """The table paints its cells itself, in one Python call per paint event (Qt's own loop
    called the delegate through the binding for every cell): every cell of the dirty region
    once, in the rectangle Qt lays it out in (its visualRect, without the grid line), and no
    other; the current cell of a focused table is painted with its focus frame."""
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    view.set_matrix(np.arange(20.0).reshape(4, 5))
    view.set_cell_size(40)
    qtbot.waitExposed(view)
    QApplication.processEvents()  # the headers count the model's rows and columns
    table, model = view.table, view.model
    qt_loop: list[tuple[int, int]] = []  # cells Qt's own loop painted through the delegate
    view.delegate.paint = lambda painter, option, index: qt_loop.append(  # type: ignore[method-assign]
        (index.row(), index.column())
    )
    viewport = table.viewport()

    def rect_of(r: int, c: int) -> tuple[int, int, int, int]:
        box = table.visualRect(model.index(r, c))
        return (box.x(), box.y(), box.width(), box.height())  # the grid line left out

    everything = _cells_painted(view, viewport.repaint)
    cells = [(r, c) for r in range(4) for c in range(5)]
    assert sorted((r, c) for r, c, _, _ in everything) == cells
    assert all(rect == rect_of(r, c) for r, c, rect, _ in everything)
    assert not any(focused for *_, focused in everything)
    # Two cells apart: those two, each once (one region of two rectangles).
    two = QRegion(table.visualRect(model.index(1, 1))).united(
        QRegion(table.visualRect(model.index(3, 4)))
    )
    painted = _cells_painted(view, lambda: viewport.repaint(two))
    assert sorted((r, c) for r, c, _, _ in painted) == [(1, 1), (3, 4)]
    # The current, selected cell of the focused table: its frame (focused), no other cell's.
    table.setFocus()
    table.setCurrentIndex(model.index(2, 3))
    qtbot.waitUntil(table.hasFocus)
    painted = _cells_painted(view, viewport.repaint)
    assert [(r, c) for r, c, _, focused in painted if focused] == [(2, 3)]
    assert qt_loop == []  # never through Qt's per-cell delegate call
    # Right to left, Qt's own loop paints (what the one pass does not repeat), through the
    # delegate's paint, each cell once.
    table.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
    QApplication.processEvents()
    qt_loop.clear()
    assert _cells_painted(view, viewport.repaint) == []
    assert sorted(qt_loop) == cells


class _TipChanges(QObject):
    """Counts the tooltip changes of every widget (an application event filter)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTipChange:
            self.count += 1
        return False


def test_a_step_sets_no_tooltip_that_stays_the_same(window, qtbot):
    """Setting a tooltip sends an event through every event filter of the application (the
    Python ones too): a step sets only tooltips that change (the arithmetic's, empty for a
    one-line sentence, was set again on every step)."""
    st = window.state
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(float))
    assert st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(0)
    settle(qtbot)
    label = window.step_bar.arithmetic_label
    changes = _TipChanges()
    app = QApplication.instance()
    app.installEventFilter(changes)
    try:
        for step in range(1, 20):
            st.set_step(step)
            QApplication.processEvents()
            assert label.toolTip() == ""  # max pooling's arithmetic: one short line
    finally:
        app.removeEventFilter(changes)
    assert changes.count == 0


def test_a_step_fills_each_close_up_once(window, qtbot):
    """A step gives the mask (forward) or dX (backward) new data, then new highlights: the
    view applied its old highlights to the new data first, so its close-up was filled at the
    old box, then again at the new one (and each close-up marked its cells twice)."""
    st, _ = heat_map_window(window, qtbot, "max_pool2d", kernel_size=2, stride=2)
    panel = window.views_panel
    views = {"X": panel.input_view, "mask": panel.mask_view, "dX": panel.grad_input_view}
    fills: dict[str, int] = {}
    marks: dict[str, int] = {}
    for name, view in views.items():
        assert view.stack.currentIndex() == 1, f"{name} is a heat map with a close-up"
        close_up = view._magnifier()

        def filled(*args, name=name, original=close_up.set_matrix, **kwargs) -> None:
            fills[name] = fills.get(name, 0) + 1
            original(*args, **kwargs)

        def marked(*args, name=name, original=close_up.set_highlights, **kwargs) -> None:
            marks[name] = marks.get(name, 0) + 1
            original(*args, **kwargs)

        close_up.set_matrix = filled  # type: ignore[method-assign]
        close_up.set_highlights = marked  # type: ignore[method-assign]
    steps = [*range(1, 6), *range(st.n_windows + 1, st.n_windows + 6)]
    for step in steps:
        fills.clear()
        marks.clear()
        st.set_step(step)
        settle(qtbot)
        assert all(count == 1 for count in fills.values()), (step, fills)
        assert all(count == 1 for count in marks.values()), (step, marks)
        changing = "mask" if st.phase == "forward" else "dX"
        assert fills.get(changing) == 1, (step, fills)
        view = views[changing]
        # The close-up shows the view's current cells around the step's window.
        top, left = view.magnifier.model.offset
        rows, cols = view.magnifier.model.values.shape
        np.testing.assert_array_equal(
            view.magnified(), view.canvas()[-top : -top + rows, -left : -left + cols]
        )


def test_a_close_up_of_changing_shape_never_shows_scroll_bars(window, qtbot):
    """Adaptive pooling's windows differ in size, so the close-up's box changes shape on most
    steps: its table showed a scroll bar for the new shape and hid it again at the fit, laying
    the close-up out twice per step.  Its cells are fitted to its room, so its bars stay off,
    and every cell of each box is still in view."""
    # 16 rows into 7 windows: 3 or 4 rows each (windows of one size keep one shape).
    st, view = heat_map_window(window, qtbot, "adaptive_max_pool2d", output_size=7)
    table = view.magnifier.table
    bars = {"horizontal": table.horizontalScrollBar(), "vertical": table.verticalScrollBar()}
    shapes = set()
    seen = events_after_each(QEvent.Type.Show, bars, range(1, st.n_steps), st.set_step)
    assert all(counts == {"horizontal": 0, "vertical": 0} for counts in seen), seen
    for step in range(1, st.n_steps, 2):
        st.set_step(step)
        settle(qtbot)
        model = view.magnifier.model
        rows, cols = model.values.shape
        shapes.add((rows, cols))
        last = table.visualRect(model.index(rows - 1, cols - 1))
        assert table.viewport().rect().contains(last), (step, last, table.viewport().rect())
        assert not bars["horizontal"].isVisible() and not bars["vertical"].isVisible()
    assert len(shapes) > 1, "the boxes differ in shape (else this tests nothing)"


class _CountingPainter(QPainter):
    """matrix_view's QPainter, counting the texts drawn on widgets and on tables' renderings
    (not on cells' pictures): the numbers a table lays out and draws in place rather than from
    a cell's picture."""

    drawn: ClassVar[list[str]] = []

    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        # What it paints on, from its argument: self.device() would make a wrapper of a
        # widget's QPaintDevice part, which the binding keeps after the widget is gone.
        device = args[0] if args else None
        self.on_picture = isinstance(device, (QImage, QPixmap)) and not any(
            device is table.rendering
            for table in QApplication.allWidgets()
            if isinstance(table, matrix_view._Table)
        )

    def drawText(self, *args: object) -> None:  # Qt's name
        if not self.on_picture:
            _CountingPainter.drawn.append(str(args[-1]))
        super().drawText(*args)


def test_an_unchanged_plain_cell_is_drawn_from_its_picture(qtbot, monkeypatch):
    """A cell showing a number on its colour, painted again as it was (under a moved arrow, or a
    close-up coming back over it), is drawn from a picture made once for its look: laying the
    number out and drawing it cost ~20 µs a cell, and a 16×16 step repaints ~60 cells.
    A new number is drawn once, then from its picture; a highlighted cell too, with its
    borders drawn over the picture."""
    monkeypatch.setattr(matrix_view, "QPainter", _CountingPainter)
    drawn = _CountingPainter.drawn
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    values = np.arange(20.0).reshape(4, 5) * 2 + 10  # 10, 12, ..., 48
    view.set_matrix(values)
    view.set_cell_size(40)
    qtbot.waitExposed(view)
    viewport = view.table.viewport()

    def repaint() -> list[tuple[int, int]]:
        """Let the event loop run (it paints what changed), repaint the whole table, let it
        run again (new looks' pictures are made then): the cells repainted."""
        drawn.clear()
        settle(qtbot)
        cells = [(r, c) for r, c, _, _ in _cells_painted(view, viewport.repaint)]
        settle(qtbot)
        return cells

    repaint()
    assert len(repaint()) == 20  # every cell painted ...
    assert drawn == []  # ... from its picture
    # A number and colour shown before, in another cell: from that picture.
    values = values.copy()  # a new array (the model keeps the one it is given)
    values[1, 2] = values[3, 4]
    view.set_matrix(values)
    assert len(repaint()) == 20
    assert drawn == []
    # A new number: drawn once, then from its picture like the others.
    values = values.copy()
    values[1, 2] = 11
    view.set_matrix(values)
    assert len(repaint()) == 20
    assert drawn == ["11"]
    repaint()
    assert drawn == []
    # A highlighted cell: its colour and number from the picture, its borders over them (a
    # close-up inside the window is all highlighted cells); a dilation gap's hatch goes
    # between its colour and its number: that cell is drawn in place, on every paint.
    view.set_highlights({(2, 3): {"window"}, (1, 1): {"window", "winner"}, (0, 4): {"gap"}})
    settle(qtbot)
    for _ in range(2):
        repaint()
        assert drawn == [format_number(values[0, 4])]


def test_a_step_draws_plain_cells_from_their_pictures(window, qtbot, monkeypatch):
    """Stepping max pooling on a 16×16 input a second time round: every plain cell the step
    repaints (no highlight, the most of them: the output's cells under a moved arrow, the
    close-up's cells) is drawn from its picture, and so is every highlighted cell's colour and
    number, under its borders (no cell of a window without dilation gaps is hatched)."""
    monkeypatch.setattr(matrix_view, "QPainter", _CountingPainter)
    # Without the close-ups' floors, which copy most of their plain cells instead (about two
    # plain cells a step are left to paint then: see test_step_work.py).
    monkeypatch.setattr(
        matrix_view._Table, "_paint_from_floor", lambda self, canvas, stale, *_args: stale
    )
    drawn = _CountingPainter.drawn
    st = window.state
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(float))
    assert st.set_params(kernel_size=2, stride=2, padding=0)
    st.set_step(0)
    settle(qtbot)
    window.views_panel.sync_cell_sizes()
    settle(qtbot)
    painted: list[tuple[int, int, bool]] = []  # (row, column, highlighted)
    tables = [view for view in window.findChildren(matrix_view.MatrixView)]
    for view in tables:

        def counted(painter, rect, r, c, focused, view=view, original=view.delegate.paint_cell):
            painted.append((r, c, bool(view.model.styles.get((r, c)))))
            original(painter, rect, r, c, focused)

        view.delegate.paint_cell = counted  # type: ignore[method-assign]
    steps = list(range(1, 24))
    for step in steps:  # the first time round: new looks are drawn once
        st.set_step(step)
        settle(qtbot)
    painted.clear()
    drawn.clear()
    for step in steps:
        st.set_step(step)
        settle(qtbot)
    highlighted = sum(1 for *_, lit in painted if lit)
    assert len(painted) - highlighted > 10 * len(steps)  # many plain cells repainted ...
    assert highlighted > 2 * len(steps)  # and highlighted ones (the window's, the result) ...
    assert drawn == []  # ... none of them drawn in place

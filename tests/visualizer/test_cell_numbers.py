"""Numbers in the cells: written exactly as the arithmetic line writes them (one formatting
function, engine.format_number), in a font and column width that come from the longest
number, and never behind scroll bars when the matrix fits its view (issue 10, point 3)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from checks import settle
from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QDockWidget

from engine import OPS, format_number
from visualizer.widgets import matrix_view


def cell_text(view, row: int, col: int) -> str | None:
    model = view.model
    index = model.index(row + model.offset[0], col + model.offset[1])
    return model.data(index, Qt.DisplayRole)


def shown_table(qtbot, values: list[list[float]], size: tuple[int, int]):
    """A view of ``values`` on its own, shown at ``size``."""
    view = matrix_view.MatrixView("Y", "someMatrix")
    qtbot.addWidget(view)
    view.resize(*size)
    view.show()
    view.set_matrix(np.array(values))
    return view


# ---- one formatting function -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (10.25, "10.25"),
        (11.25, "11.25"),
        (11 / 3, "3.667"),
        (137 / 16, "8.563"),
        (15.556349, "15.56"),
        (0.25, "0.25"),
        (1 / 9, "0.1111"),
    ],
)
def test_a_cell_writes_a_number_as_the_arithmetic_does(value, text):
    assert matrix_view.format_cell(value) == format_number(value) == text


@pytest.mark.parametrize("key", list(OPS))
def test_every_output_cell_says_what_its_step_says(window, key):
    """After each forward step, the cell the step writes shows the number its arithmetic
    line ends with; after the last one every output cell is format_number of its value."""
    st = window.state
    st.set_op(key)
    view = window.views_panel.output_view
    for step in range(st.n_windows):
        st.set_step(step)
        line = st.step_text()
        for (r, c), roles in st.highlight().of("output").items():
            if "result" in roles:
                text = cell_text(view, r, c)
                assert text == format_number(view.matrix()[r, c])
                assert re.search(rf"= {re.escape(text)}(\s|$|\))", line), (line, text)
    assert st.step == st.n_windows - 1 and st.phase == "forward"
    values = view.matrix()
    for (r, c), value in np.ndenumerate(values):
        assert cell_text(view, r, c) == format_number(value)


def test_average_pooling_shows_10_25_not_10_2(window):
    st = window.state
    st.set_op("avg_pool2d")
    st.set_step(st.n_windows - 1)
    view = window.views_panel.output_view
    texts = {cell_text(view, r, c) for r in range(4) for c in range(4)}
    assert {"10.25", "11.25", "9.75"} <= texts
    assert "10.2" not in texts and "11.2" not in texts


def test_tooltip_and_cell_agree(window):
    st = window.state
    st.set_input(np.full((6, 6), 11.0))
    st.set_op("avg_pool2d")
    st.set_params(kernel_size=3, stride=3, padding=1)  # corner windows: 4·11 / 9 = 4.889
    st.set_step(st.n_windows - 1)
    view = window.views_panel.output_view
    text = cell_text(view, 0, 0)
    assert text == "4.889"
    tip = view.model.data(view.model.index(0, 0), Qt.ToolTipRole)
    assert tip.endswith(f"= {text}")


@pytest.mark.parametrize("value", [-1, -2.5, -137 / 16, -0.0001234, -1.5e6, -np.inf])
def test_a_negative_number_has_one_minus_sign(value):
    """Review 23: "max(−∞, −∞, −∞, -1)": −∞ was written with U+2212, every other negative
    number with the hyphen-minus the cells, the weights' notes and the CSV use."""
    text = format_number(value)
    assert text.startswith("-") and "−" not in text
    assert matrix_view.format_cell(value) == text


def test_cells_arithmetic_and_weight_notes_agree_on_the_minus_sign(window):
    """Presets 06 (negative input padded with -∞) and 04 (weights 1, -1): the padding cells,
    the input title, the step's arithmetic and the weights' notes say minus alike."""
    from visualizer.presets import apply_preset, load_preset
    from visualizer.resources import asset

    st = window.state
    panel = window.views_panel
    assert apply_preset(st, load_preset(asset("presets", "06_negative_padding.json")))
    st.set_step(0)
    line = st.step_text()
    assert line == "max(-∞, -∞, -∞, -1) = -1"
    assert cell_text(panel.input_view, -1, -1) == "-∞" and cell_text(panel.input_view, 0, 0) == "-1"
    assert "-∞" in panel.input_view.title_label.text()
    assert apply_preset(st, load_preset(asset("presets", "04_edge_detection.json")))
    st.set_step(0)
    assert "1·(-1)" in st.step_text()
    weights = panel.kernel_view
    assert cell_text(weights, 0, 1) == "-1"
    assert "-1" in panel.input_view.notes().values()
    for text in (st.step_text(), *panel.input_view.notes().values(), cell_text(weights, 0, 1)):
        assert "−" not in text


# ---- font and cell size from the longest number ------------------------------------------------


def test_longer_numbers_widen_the_column_or_shrink_the_font(qtbot):
    view = shown_table(qtbot, [[1.0, 2.0], [3.0, 4.0]], (400, 300))
    view.set_cell_size(50)
    short_font, short_width = view.model.font.pixelSize(), view.column_width()
    assert short_width == 50  # square cells for one digit
    view.set_matrix(np.array([[1.0, 2.0], [3.0, 10.25]]))
    assert view.model.font.pixelSize() == short_font  # the room allows a wider column
    assert view.column_width() > short_width
    view.resize(140, 300)  # now the width is the limit: the font shrinks instead
    view.set_cell_size(50)
    assert view.model.font.pixelSize() < short_font
    assert view.model.show_numbers


def test_every_number_fits_its_column(window, qtbot):
    st = window.state
    st.set_op("avg_pool2d")
    st.set_params(kernel_size=3, stride=3, padding=1)
    st.set_step(st.n_steps - 1)
    settle(qtbot)
    from PySide6.QtGui import QFontMetrics

    for view in window.views_panel.views():
        if not view.isVisible() or view.stack.currentIndex() != 0:
            continue
        font = view.model.font
        font.setBold(True)
        widest = max(QFontMetrics(font).horizontalAdvance(t) for t in view.model.long_texts)
        assert view.model.show_numbers, view.objectName()
        assert widest + 6 <= view.column_width(), view.objectName()


# ---- no scroll bars on a matrix that fits ------------------------------------------------------

DOCKS = [None, "codeDock", "pitfallsDock", "presetDock", "verifyDock"]


def scrolled_views(window) -> list[str]:
    bad = []
    for view in window.views_panel.views():
        if view.isVisible() and view.stack.currentIndex() == 0:
            table = view.table
            if table.horizontalScrollBar().isVisible() or table.verticalScrollBar().isVisible():
                bad.append(view.objectName())
    return bad


@pytest.mark.parametrize("dock", DOCKS)
def test_no_scroll_bars_at_1366_by_768_with_one_dock(window, qtbot, dock):
    assert window.size().toTuple() == (1366, 768)
    if dock is not None:
        panel = window.findChild(QDockWidget, dock)
        panel.show()
        qtbot.waitUntil(panel.isVisible)
    st = window.state
    for key in OPS:
        st.set_op(key)
        if max(st.x.shape[2:]) > 8:
            continue
        for step in (0, st.n_windows - 1, st.n_steps - 1):
            st.set_step(step)
            settle(qtbot)
            assert scrolled_views(window) == [], (key, step)
            for view in window.views_panel.views():
                if view.isVisible() and view.stack.currentIndex() == 0:
                    assert view.model.show_numbers, (key, view.objectName())


def test_text_widths_are_kept_per_font(qapp):
    """The widths that size a table's columns are remembered per font: the same texts in a
    larger font, or in bold, measure as that font measures them, never as the first font
    asked for them did."""
    from PySide6.QtGui import QFont, QFontMetricsF

    texts = ["8", "-12.5", "1000", "0.3333"]
    widths = []
    for pixels, bold in [(12, False), (24, False), (24, True), (12, False)]:
        font = QFont()
        font.setPixelSize(pixels)
        font.setBold(bold)
        metrics = QFontMetricsF(font)
        expected = max(metrics.horizontalAdvance(t) for t in texts)
        assert matrix_view._widest(font, texts) == expected
        assert matrix_view._widest(font, iter(texts)) == expected  # any iterable, asked again
        widths.append(expected)
    assert widths[1] > widths[0]  # the fonts do differ (so a cache by text alone would fail)
    assert matrix_view._widest(QFont(), []) == 0.0


def test_the_longest_texts_count_the_reserved_ones_of_each_new_set(qapp):
    """The reserved texts' longest lengths are worked out once per set (a step measures a
    whole result's texts otherwise): a new set, longer or shorter, is measured anew."""
    model = matrix_view.MatrixModel()
    rng = np.random.default_rng(3)
    pool = [0.5, 10.25, -3.0, 123.456, 1e6, -0.001, 7.0, 4444.0, 0.125, -333.25]
    for trial in range(60):
        values = rng.choice(pool, size=(3, 4))
        reserved = rng.choice(pool, size=int(rng.integers(0, 6)))
        model.reserve_values(reserved)
        model.set_values(values, None, (0, 0), (-10.0, 10.0), False)
        texts = {format_number(v) for v in values.ravel()} | {format_number(v) for v in reserved}
        longest = max(len(t) for t in texts)
        assert model.max_chars == longest, trial
        assert model.long_texts == tuple(sorted(t for t in texts if len(t) >= longest - 1)), trial


def test_a_close_up_given_the_same_longest_texts_keeps_its_summary(qapp):
    """A close-up is handed its own longest texts again on every step: the same texts keep
    their set, so its longest lengths are not worked out again (258 times over 128 lecture
    steps of a 16×16 max pooling before), while new texts are still measured."""
    model = matrix_view.MatrixModel()
    values = np.array([[1.0, 22.0], [333.0, 4.0]])
    model.set_values(values, None, (0, 0), (0.0, 400.0), False)
    model.reserved_texts = frozenset(model.long_texts)
    kept = model.reserved_texts
    model.set_values(values, None, (1, 0), (0.0, 400.0), False)
    summary = model._reserved_summary
    for step in range(2, 6):
        model.reserved_texts = frozenset(model.long_texts)
        model.set_values(values, None, (step % 2, 0), (0.0, 400.0), False)
    assert model.reserved_texts is kept
    assert model._reserved_summary is summary
    model.reserved_texts = frozenset({"55555"})
    model.set_values(values, None, (0, 0), (0.0, 400.0), False)
    assert model.max_chars == 5 and "55555" in model.long_texts


# ---- highlight borders leave the number readable -------------------------------------------------


def _depth(plan, width: int, height: int) -> int:
    """How deep from the top or bottom edge of a ``width`` × ``height`` cell a border plan's
    bands reach over the middle of the cell, where its number is."""
    depth = 0
    for x, y, w, h, _colour, dashed in plan:
        assert dashed is None  # the solid styles only: dashed ones are drawn by a pen
        if x < width // 2 < x + w:
            depth = max(depth, y + h if y < height // 2 else height - y)
    return depth


def test_highlight_borders_leave_a_small_cells_digits_free(qtbot):
    """A small cell whose number nearly fills it (a close-up at ~16 px cells) had its window's
    and winner's borders over the top and bottom of its digits: 3-digit numbers in the
    step's window could not be read.  Its borders are now laid along its edge, no deeper
    than the room its digits leave, while a cell with room keeps the usual borders."""
    view = shown_table(qtbot, [[166.0, 233.0], [141.0, 8.0]], (300, 300))
    view.set_cell_size(20)
    delegate, height, width = view.delegate, 20, 40
    styles = frozenset(("window", "winner"))
    usual = delegate._border_plan(width, height, styles)
    usual_depth = _depth(usual, width, height)
    # A font as large as this machine's digits allow, until they leave less room than the usual
    # borders take (the digits' height depends on the font family: found, not assumed).
    for pixels in range(8, 30):
        font = QFont(view.model.font)  # a new font, as the view's fit makes one
        font.setPixelSize(pixels)
        view.model.font = font
        room = delegate._number_room(height)
        if room < usual_depth:
            break
    assert room < usual_depth, "the usual borders already fit every font here"
    plan = delegate._border_plan(width, height, styles, room)
    assert _depth(plan, width, height) <= room  # the digits' rows are free
    # Both borders still drawn, the winner's last (on top): the step's cells stay marked.
    colours = [colour.name() for *_, colour, _ in plan]
    window_colour, winner_colour = (matrix_view.style_pens()[s][0] for s in ("window", "winner"))
    assert matrix_view._colour(window_colour).name() in colours
    assert colours[-1] != colours[0] and matrix_view._colour(winner_colour).name() in colours
    # A cell with room enough: the usual borders, unchanged.
    font = QFont(view.model.font)
    font.setPixelSize(10)
    view.model.font = font
    roomy = 48
    assert delegate._border_plan(width, roomy, styles, delegate._number_room(roomy)) == (
        delegate._border_plan(width, roomy, styles)
    )


# ---- a number is never drawn cut ----------------------------------------------------------------


class _RecordingPainter(QPainter):
    """A painter that remembers each text drawn: its rectangle, font and text."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.drawn: list[tuple[QRectF, QFont, str]] = []

    def drawText(self, *args) -> None:  # Qt's name
        rect, _align, text = args
        self.drawn.append((QRectF(rect), QFont(self.font()), text))
        super().drawText(*args)


def painted_texts(view, cells, width: int, height: int) -> list[tuple[QRectF, QFont, str]]:
    """What the view's delegate draws for ``cells`` in ``width`` × ``height`` rectangles."""
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    painter = _RecordingPainter(image)
    try:
        for r, c in cells:
            view.delegate.paint_cell(painter, QRect(0, 0, width, height), r, c, False)
    finally:
        painter.end()
    return painter.drawn


def test_a_long_number_is_drawn_whole_in_a_smaller_font_never_cut(qtbot):
    """Cells too narrow for their number in the model's font (a close-up's 18 px columns of
    "120", 22 px of "0.01563") had the number cut at the cell's edges: "l2(", "015¢", other
    numbers.  It is drawn whole in the largest font that fits (down to MIN_NUMBER_PX), else
    as "…" (the tooltip says it), never as a part of itself."""
    values = [[0.015625, 120.0], [-7.25, 3.0]]
    view = shown_table(qtbot, values, (400, 300))
    view.set_cell_size(40)
    font = QFont(view.model.font)
    font.setPixelSize(20)  # the font the column was sized for: too large for 18 px below
    view.model.font = font
    for width in (18, 22, 30, 60):
        for r, c in [(0, 0), (0, 1), (1, 0), (1, 1)]:
            number = cell_text(view, r, c)
            [(rect, drawn_font, text)] = painted_texts(view, [(r, c)], width, 40)
            assert QFontMetricsF(drawn_font).horizontalAdvance(text) <= rect.width()
            assert drawn_font.pixelSize() >= matrix_view.MIN_NUMBER_PX
            assert text in (number, "…"), (width, number, text)
            if text == "…":  # only where even the smallest font is too wide for the number
                smallest = QFont(drawn_font)
                smallest.setPixelSize(matrix_view.MIN_NUMBER_PX)
                assert QFontMetricsF(smallest).horizontalAdvance(number) > rect.width()
    # Where it fits, the model's own font: nothing shrinks that need not.
    drawn = painted_texts(view, [(1, 1)], 60, 40)
    assert [(f.pixelSize(), t) for _, f, t in drawn] == [(20, "3")]
    # "120" in 30 px: whole, in a smaller font than the model's.
    [(_, small, text)] = painted_texts(view, [(0, 1)], 30, 40)
    assert text == "120" and small.pixelSize() < 20


def test_adaptive_average_dx_close_up_columns_fit_their_numbers(window, qtbot):
    """Adaptive average pooling 16×16, backward, 1366×768: dX's close-up showed nine 22 px
    columns of 0.01563, in the smallest font and still cut.  Its columns are counted from the
    matrix's longest number: each one fits its column in the font the close-up sizes."""
    st = window.state
    st.set_op("adaptive_avg_pool2d")
    st.set_input(np.arange(256, dtype=float).reshape(1, 1, 16, 16) % 10)
    st.set_step(st.n_windows + 1)
    settle(qtbot)
    view = window.views_panel.grad_input_view
    magnifier = view.magnifier
    assert view.stack.currentIndex() == 1 and magnifier is not None and magnifier.isVisible()
    assert "0.01563" in magnifier.model.long_texts
    font = QFont(magnifier.model.font)
    font.setBold(True)
    widest = max(QFontMetricsF(font).horizontalAdvance(t) for t in magnifier.model.long_texts)
    assert widest + 2 * matrix_view.TEXT_PAD <= magnifier.column_width()
    assert font.pixelSize() > matrix_view.MIN_NUMBER_PX


def narrow_close_ups(window) -> list[str]:
    """Views whose close-up is below their heat map but not as wide as the view."""
    narrow = []
    for view in window.views_panel.views():
        magnifier = view.magnifier
        if not view.isVisible() or magnifier is None or not magnifier.isVisible():
            continue
        if not view.body.beside and magnifier.width() < 0.8 * view.width():
            narrow.append(view.objectName())
    return narrow


def test_a_close_up_below_its_map_is_not_left_at_the_width_it_had_beside_it(window, qtbot):
    """Max-unpooling 16×16 at 1024×768: after the lecture layout (close-ups beside their
    maps) the normal layout put them below again, but views whose size had not changed kept
    the beside width limit (107 of 239 px): 5 columns of 3-digit indices in 18 px cells."""
    window.resize(1024, 768)
    st = window.state
    st.set_op("max_unpool2d")
    settle(qtbot)
    big = np.arange(256, dtype=float).reshape(1, 1, 16, 16) % 20
    for values in (st.x.copy(), big):
        st.set_input(values)
        half = st.n_windows // 2 + 1
        for step in (half, st.n_windows + half):
            st.set_step(step)
            settle(qtbot)
            assert narrow_close_ups(window) == [], step
            for on in (True, False):
                window.presentation.set_presentation(on, save=False)
                settle(qtbot)
    assert narrow_close_ups(window) == []


# ---- a weight note leaves the number whole -------------------------------------------------------


def test_a_cell_too_small_for_a_note_and_its_number_keeps_the_number(qtbot):
    """Convolution's window cells at ~21 px (normal layout, 1366×768) had the "×w" note forced
    to NOTE_MIN_PX at the top and the number pushed to the bottom, under the highlight
    border (12 read as 17).  Such a cell draws no note (the arithmetic line says each
    weight): its number is drawn centred in the model's font, as in any other cell; a cell
    with room for both still shows the note."""
    view = shown_table(qtbot, [[12.0, 7.0], [19.0, 8.0]], (400, 300))
    view.set_notes({(0, 0): "1"})
    view.set_cell_size(21)
    assert view.note_pixel_size() == 0
    width = view.column_width()
    [(rect, font, text)] = painted_texts(view, [(0, 0)], width, 21)
    [(plain_rect, plain_font, _)] = painted_texts(view, [(0, 1)], width, 21)
    assert text == "12"
    assert (rect, font.pixelSize()) == (plain_rect, plain_font.pixelSize())
    view.set_cell_size(48)
    assert view.note_pixel_size() >= matrix_view.NOTE_MIN_PX
    drawn = painted_texts(view, [(0, 0)], view.column_width(), 48)
    assert [t for *_, t in drawn] == ["12", "×1"]  # the number, then its note over it


# ---- a highlight frame leaves its number's sides free --------------------------------------------


class _BandPainter(_RecordingPainter):
    """A recording painter that also remembers the rectangles filled with a colour (the
    bands of highlight borders), in the order drawn."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.bands: list[tuple[int, int, int, int]] = []

    def fillRect(self, *args) -> None:  # Qt's name
        if len(args) == 5:
            self.bands.append(tuple(int(a) for a in args[:4]))
        super().fillRect(*args)


def test_a_highlight_frame_does_not_cover_the_sides_of_a_wide_number(qtbot):
    """Max pooling, forward, lecture layout at 1024×768: the output cell the step writes
    (45 × 38 px, "17" in 25 px, about 32 px wide) had its current-cell frame 8 px deep on
    every side: its inline crossed the sides of the digits (the frame was thinned for the
    room above and below the digits only).  The frame now reaches no deeper from the left
    and right edges than the matrix's widest number leaves free there, the same on every
    cell (a window's frames stay alike)."""
    view = shown_table(qtbot, [[17.0, 3.0], [17.0, 2.0]], (400, 300))
    view.set_cell_size(38)
    # A winner's number is bold: wider than the others.
    view.set_highlights({(0, 0): {"current"}, (0, 1): {"current"}, (1, 0): {"winner"}})
    width, height = 45, 38
    found = False
    for pixels in range(10, 40):
        font = QFont(view.model.font)
        font.setPixelSize(pixels)
        view.model.font = font
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        frames = []
        for cell in ((0, 0), (0, 1), (1, 0)):
            painter = paint_into(view, _BandPainter(image), width, height, cell)
            [(rect, drawn, text)] = painter.drawn
            advance = QFontMetricsF(drawn).horizontalAdvance(text)
            left = rect.center().x() - advance / 2
            right = rect.center().x() + advance / 2
            middle = height // 2
            # The bands crossing the digits' middle row: the frame's left and right sides.
            sides = [(x, x + w) for x, y, w, h in painter.bands if y <= middle < y + h]
            assert sides, "the frame is drawn"
            assert all(end <= left + 1 or start >= right - 1 for start, end in sides), (
                pixels,
                text,
                sides,
                (left, right),
            )
            frames.append(painter.bands)
            if text == "17" and advance > width - 2 * 8:
                found = True  # a size at which the usual frame would have covered the sides
        assert frames[0] == frames[1], pixels  # "3"'s frame as "17"'s
    assert found


@pytest.mark.parametrize("winner", ["16", "-15"])
def test_nested_frames_keep_their_depth_beside_a_wide_winner(qtbot, winner):
    """Max pooling, lecture layout at 1366×768: the winner's cell (70 × 49 px) nests the
    winner's frame inside the window's, and beside its bold "16" the two were a pixel or two
    deep at the sides (laid out for the matrix's widest number, bold "-15"), hard to see from
    the back of a hall.  At the sides they now reach as deep as above and below the number
    (or NESTED_LEAST pixels), clear of its digits, and the number keeps the cell's font size
    (a winner too wide for that is drawn in the cell's normal font, not bold, not smaller)."""
    view = shown_table(qtbot, [[float(winner), -15.0], [3.0, 9.0]], (400, 300))
    view.set_cell_size(49)
    view.set_highlights(
        {(0, 0): {"window", "winner"}, (0, 1): {"window"}, (1, 0): {"window"}, (1, 1): set()}
    )
    width, height = 70, 49
    delegate = view.delegate
    least = 7  # an outline, 2 px of each colour, a line between them, an inline
    checked = 0
    for pixels in range(16, 36):
        font = QFont(view.model.font)
        font.setPixelSize(pixels)
        view.model.font = font
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        painter = paint_into(view, _BandPainter(image), width, height, (0, 0))
        [(rect, drawn, text)] = painter.drawn
        assert text == winner
        assert drawn.pixelSize() == delegate._completed_font(font).pixelSize(), pixels
        advance = QFontMetricsF(drawn).horizontalAdvance(text)
        left_ink = rect.center().x() - advance / 2
        middle_row, middle_col = height // 2, width // 2
        sides = [(x, x + w) for x, y, w, h in painter.bands if y <= middle_row < y + h]
        tops = [(y, y + h) for x, y, w, h in painter.bands if x <= middle_col < x + w]
        left_depth = max(end for start, end in sides if start < middle_col)
        top_depth = max(end for start, end in tops if start < middle_row)
        assert left_depth <= left_ink + 1, (pixels, sides, left_ink)  # clear of the digits
        # As deep as above and below, where the number as drawn leaves that room beside it.
        free = int((width - advance) / 2) - matrix_view.frame_gap(delegate.scale)
        assert left_depth >= min(top_depth, least, free), (pixels, left_depth, top_depth)
        assert left_depth >= min(top_depth, least) or winner == "-15", pixels
        checked += 1
    assert checked == 20


class _NotePainter(_BandPainter):
    """A band-recording painter that also remembers the filled rectangles drawn (a note's
    tab)."""

    def __init__(self, device) -> None:
        super().__init__(device)
        self.boxes: list[QRectF] = []

    def drawRect(self, *args) -> None:  # Qt's name
        if self.brush().style() != Qt.BrushStyle.NoBrush:  # a dashed frame is drawn unfilled
            self.boxes.append(QRectF(args[0]))
        super().drawRect(*args)


def digits_box(rect: QRectF, font: QFont, text: str) -> QRectF:
    """The ink of ``text`` drawn centred in ``rect`` in ``font`` (as the delegate draws a
    cell's number): Qt centres the line (ascent + descent), the digits sit on its baseline."""
    metrics = QFontMetricsF(font)
    ink = metrics.tightBoundingRect(text)
    baseline = rect.top() + (rect.height() - metrics.height()) / 2 + metrics.ascent()
    advance = metrics.horizontalAdvance(text)
    left = rect.center().x() - advance / 2
    return QRectF(left, baseline + ink.top(), advance, ink.height())


def paint_into(view, painter, width: int, height: int, cell: tuple[int, int]):
    """``painter`` (a recording painter on a ``width`` × ``height`` image) once ``view``'s
    delegate has painted ``cell`` into it, ended."""
    try:
        view.delegate.paint_cell(painter, QRect(0, 0, width, height), *cell, False)
    finally:
        painter.end()
    return painter


def test_a_framed_cell_with_a_note_keeps_its_number_and_note_clear_of_the_frame(qtbot):
    """Preset 09 (two-channel convolution), backward, lecture layout at 1024×768: the window's
    cells (57 × 50 px) have a weight note ("×1") at the top and their number below it, and
    the window's frame (outline, colour, inline: 8 px deep) covered the lower half of the
    number (3 read as 9 or 8).  The digits now keep above the frame's bottom band, in the
    matrix's font (never made smaller for the note), and the note's tab is either inside
    the frame (below its top band) or on its corner (the cell's top-left corner), never
    over the digits (Stack mode's 47 px cells had the tab's last rows over "9": read "0")."""
    view = shown_table(qtbot, [[3.0, 9.0], [5.0, 7.0]], (400, 300))
    view.set_notes({(0, 0): "1", (0, 1): "0"})
    view.set_highlights({(0, 0): {"window"}, (0, 1): {"window"}})
    checked = inside = 0
    for height in (40, 44, 47, 50, 55, 60, 70):
        view.set_cell_size(height)
        width = view.column_width()
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        for cell in ((0, 0), (0, 1)):
            painter = paint_into(view, _NotePainter(image), width, height, cell)
            number = [d for d in painter.drawn if not d[2].startswith("×")]
            if len(number) == len(painter.drawn):
                continue  # no note at this size
            [(rect, font, text)] = number
            assert font.pixelSize() == view.delegate._completed_font(view.model.font).pixelSize()
            digits = digits_box(rect, font, text)
            middle = width // 2
            # The frame's top and bottom bands over the middle column.
            bands = [(y, y + h) for x, y, w, h in painter.bands if x <= middle < x + w]
            bottom = min(y for y, _ in bands if y > height // 2)
            top = max(end for y, end in bands if y < height // 2)
            assert digits.bottom() <= bottom, (height, text, digits, bands)
            [tab] = painter.boxes
            assert tab.top() >= top or tab.topLeft() == QPointF(0, 0), (height, tab, bands)
            inside += tab.top() >= top
            assert digits.top() >= tab.bottom(), (height, digits, tab)
            checked += 1
    assert checked >= 8 and inside >= 2


# ---- a window cell's number as large as any other --------------------------------------------


def painted_cell(view, r: int, c: int) -> _NotePainter:
    """What the view's delegate paints for cell (r, c) (model coordinates) at its size."""
    width, height = view.table.columnWidth(c), view.table.rowHeight(r)
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    return paint_into(view, _NotePainter(image), width, height, (r, c))


def check_noted_cells(view) -> int:
    """Every cell of ``view`` with a weight note has its number painted in the font of a cell
    without one (the size the model's FontRole says), and its note's tab, if painted, inside
    the cell and clear of the number's digits; a note not painted is named in the cell's
    tooltip.  Returns how many notes were painted."""
    model = view.model
    notes = model.notes
    assert notes, view.objectName()
    plain = next(
        (r, c)
        for r in range(model.rowCount())
        for c in range(model.columnCount())
        if (r, c) not in notes and model.kinds[r, c] == matrix_view.INPUT
    )
    [(_, plain_font, _)] = painted_cell(view, *plain).drawn
    role_font = model.data(model.index(*plain), Qt.FontRole)
    assert plain_font.pixelSize() == view.delegate._completed_font(role_font).pixelSize()
    drawn = 0
    for (r, c), note in notes.items():
        painter = painted_cell(view, r, c)
        number = [d for d in painter.drawn if not d[2].startswith("×")]
        [(rect, font, text)] = number
        # The same font as the plain cell's: never made smaller for the note.
        assert (font.pixelSize(), font.family()) == (plain_font.pixelSize(), plain_font.family())
        tip = model.data(model.index(r, c), Qt.ToolTipRole)
        assert f"×{note}" in tip
        layout = view.note_layouts()[(r - model.offset[0], c - model.offset[1])]
        if not painter.boxes:
            assert layout.pixels == 0
            assert "not printed" in tip, tip
            continue
        [tab] = painter.boxes
        assert [t for *_, t in painter.drawn if t.startswith("×")] == [f"×{note}"]
        cell = QRectF(0, 0, view.table.columnWidth(c), view.table.rowHeight(r))
        assert cell.contains(tab), (tab, cell)
        digits = digits_box(rect, font, text)
        assert not tab.intersects(digits), ((r, c), tab, digits)
        assert layout.pixels > 0 and layout.tab == tab and "not printed" not in tip
        drawn += 1
    return drawn


def conv_example(window, qtbot, size: tuple[int, int], lecture: bool) -> None:
    """``main.py --op conv --kernel 3 --step 5`` at ``size``, in the lecture layout or not."""
    st = window.state
    assert st.set_op("conv2d") and st.set_params(kernel_size=(3, 3))
    st.set_step(5)
    window.resize(*size)
    settle(qtbot)
    window.presentation.set_presentation(lecture, save=False)
    settle(qtbot)


@pytest.mark.parametrize("lecture", [True, False])
@pytest.mark.parametrize("size", [(1366, 768), (1024, 768)])
def test_a_window_cells_number_is_as_large_as_the_others_beside_its_weight(
    window, qtbot, size, lecture
):
    """Issue 10, points 3 and 4: ``--op conv --kernel 3 --step 5`` in the lecture layout at
    1024×768 drew each window cell's "×w" note above its number in a font half the size of
    the other cells' (the step's cells were the hardest to read from the back row).  The
    number keeps the matrix's font; the note goes in the cell's top-left corner, clear of
    the digits, or is left out (the tooltip says so; the W matrix shows the weight)."""
    conv_example(window, qtbot, size, lecture)
    view = window.views_panel.input_view
    assert len(view.notes()) == 9
    drawn = check_noted_cells(view)
    if lecture:
        assert drawn == 9  # the default example's cells have room for both
        assert view.note_pixel_size() >= matrix_view.LECTURE_NOTE_MIN_PX
    # The backward pass's window (the same notes, dX's window of dY·w).
    window.state.set_step(window.state.n_windows + 5)
    settle(qtbot)
    assert len(view.notes()) == 9
    check_noted_cells(view)
    window.presentation.set_presentation(False, save=False)


def test_transposed_convolution_and_stack_mode_keep_the_numbers_whole(window, qtbot):
    """The same for a transposed convolution computed as a convolution (its window on the
    canvas of inserted zeros, 16×16) and for a convolution in Stack mode (47 px cells: "×1"
    above a shrunken digit)."""
    st = window.state
    assert st.set_op("conv_transpose2d") and st.set_params(as_convolution=True)
    st.set_step(20)
    for lecture in (False, True):
        window.presentation.set_presentation(lecture, save=False)
        settle(qtbot)
        # The canvas's table, or its heat map's close-up (which shows the window's numbers).
        noted = [
            v
            for v in window.views_panel.findChildren(matrix_view.MatrixView)
            if v.notes() and v.isVisible() and v.model.show_numbers and v.stack.currentIndex() == 0
        ]
        assert noted, lecture
        for view in noted:
            check_noted_cells(view)
    window.presentation.set_presentation(False, save=False)
    settle(qtbot)
    from test_stack_mode import open_stack

    panel = open_stack(window, qtbot)
    window.state.stack_state.set_step(9)  # layer 1 (conv 3×3): its window's weights
    settle(qtbot)
    assert check_noted_cells(panel.level_views[0]) == 9


def test_a_note_left_out_is_said_in_the_tooltip(qtbot):
    """A cell too small for both its number and its note draws the number alone: its tooltip
    says the weight and that it is not printed; a cell with room says the weight only."""
    view = shown_table(qtbot, [[12.0, 7.0], [19.0, 8.0]], (400, 300))
    view.set_notes({(0, 0): "-1"})
    model = view.model
    view.set_cell_size(14)
    tip = model.data(model.index(0, 0), Qt.ToolTipRole)
    assert tip.startswith("[0, 0] = 12") and "×-1" in tip and "not printed" in tip
    assert model.data(model.index(0, 1), Qt.ToolTipRole) == "[0, 1] = 7"
    assert view.note_pixel_size() == 0
    view.set_cell_size(60)
    tip = model.data(model.index(0, 0), Qt.ToolTipRole)
    assert "×-1" in tip and "not printed" not in tip
    assert view.note_pixel_size() >= matrix_view.NOTE_MIN_PX


def test_a_highlight_frame_keeps_a_gap_from_a_wide_number(qtbot):
    """Average pooling's "9.125" and adaptive average pooling's "0.0625" fill their columns:
    the step's frame, thinned to the room the number leaves at its sides, lay against the
    digits (read as part of the number).  A gap of two pixels stays between them (38 px
    cells: ``frame_gap``'s least)."""
    view = shown_table(qtbot, [[9.125, 0.0625], [3.0, 2.5]], (400, 300))
    view.set_cell_size(38)
    view.set_highlights({(0, 0): {"current"}, (0, 1): {"window"}})
    width, height = 90, 38
    gap = 2
    checked = 0
    for pixels in range(14, 30):
        font = QFont(view.model.font)
        font.setPixelSize(pixels)
        view.model.font = font
        image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        for cell in ((0, 0), (0, 1)):
            painter = paint_into(view, _BandPainter(image), width, height, cell)
            [(rect, drawn, text)] = painter.drawn
            if text == "…":
                continue
            advance = QFontMetricsF(drawn).horizontalAdvance(text)
            left = rect.center().x() - advance / 2
            right = rect.center().x() + advance / 2
            middle = height // 2
            sides = [(x, x + w) for x, y, w, h in painter.bands if y <= middle < y + h]
            if not sides:
                continue  # a dashed frame: drawn by a pen, not in bands
            checked += 1
            assert all(end <= left - gap + 1 or start >= right + gap - 1 for start, end in sides), (
                pixels,
                text,
                sides,
                (left, right),
            )
    assert checked

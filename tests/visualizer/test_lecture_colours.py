"""Colours a lecture hall can trust (issue 10, points 6 and 11): highlight colours are never
colours of the data maps (measured in CIELAB, and under simulated colour blindness for the
colour-blind palette), "winner" and "wrong" differ, dilation gaps are clearly hatched, a
constant dY is drawn neutral, and the gradients are dimmed while the forward phase runs.
Also the preset dock's translated title and the code dock's wrapped lines."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from checks import runs_down
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDockWidget, QPlainTextEdit

from visualizer import i18n
from visualizer.presets import apply_preset, list_presets, load_preset
from visualizer.view_settings import PALETTES, THEMES, view_settings
from visualizer.widgets import matrix_view
from visualizer.widgets.views_panel import GRADIENTS


@pytest.fixture(autouse=True)
def _restore_look(qapp):
    yield
    view_settings().set_theme("system")
    view_settings().set_palette("standard")


# Machado et al. (2009) dichromacy matrices, applied in linear RGB.
VISION = {
    "normal": np.eye(3),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.01182, 0.04294, 1.04294],
        ]
    ),
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
}
# Every highlight colour a view draws a frame in (the gap is a black-and-white hatch, tested
# apart; the quiz's, compare mode's and "summed" take the colours of these).
BORDERS = ("window", "pad_tap", "current", "winner", "wrong", "target", "hover")
# The outline of a window ceil_mode drops (issue 10, point 11): dashed, a colour of its own.
OUTLINES = ("dropped",)
DISTINCT = ("window", "winner", "wrong", "target", "hover", "dropped")  # one colour each
# How far a highlight colour is from every data colour, normal vision (issue 10, point 11).
# CIEDE2000, not CIE76: CIE76 overrates chroma differences between saturated colours, and
# rated the colour-blind palette's pure blue frame 93 from its navy cells and its brown frame
# 41 from its orange ones; a screenshot review found both frames lost there.  ΔE00 rates
# the blue 19.5 from the navy.  The brown is 32 from the orange in ΔE00 too, yet a frame is
# told by its hue: a band of the cell's own hue, darker or lighter, reads as the cell's edge
# (brown is dark orange, pure blue a bright navy).  So each highlight is at least
# MIN_DE2000 from every data colour and, both being colourful (chroma C*ab at least
# CHROMATIC), at least MIN_HUE degrees of CIELAB hue from it (the two lost frames: 21° and
# 20°).  Greys (padding, the maps' grey middles) have no hue: ΔE00 alone.
MIN_DE2000 = 15.0
MIN_HUE = 30.0
CHROMATIC = 15.0
# The colour-blind palette under simulated deuteranopia and protanopia (CIE76, as before):
# its two maps run the whole blue–yellow axis and the lightness such eyes see, so no light
# colour keeps 15 from all of them (only dark greens, dark reds and black did, and dark
# frames vanish on the dark theme); 10 at least, and the highlights apart from each other
# by MIN_BETWEEN (below) for such eyes too.  Frames stay visible on every cell by their
# black-and-white edges (test_highlight_frames_show_on_every_data_colour).
MIN_FROM_DATA_DICHROMAT = 10.0
MIN_BETWEEN = 40.0  # between two highlight colours


def lab(rgb: np.ndarray, vision: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours (..., 3) in 0–255, as seen with ``vision``."""
    c = np.asarray(rgb, float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    linear = np.clip(linear @ vision.T, 0, 1)
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    xyz = linear @ to_xyz.T / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1
    )


def de2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """CIEDE2000 colour difference of CIELAB colours (..., 3) (Sharma, Wu and Dalal, 2005)."""
    l1, a1, b1 = np.moveaxis(np.asarray(lab1, float), -1, 0)
    l2, a2, b2 = np.moveaxis(np.asarray(lab2, float), -1, 0)
    c7 = ((np.hypot(a1, b1) + np.hypot(a2, b2)) / 2) ** 7
    g = 0.5 * (1 - np.sqrt(c7 / (c7 + 25.0**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1 = np.degrees(np.arctan2(b1, a1)) % 360
    h2 = np.degrees(np.arctan2(b2, a2)) % 360
    colourless = c1 * c2 == 0
    dh = (h2 - h1 + 180) % 360 - 180
    dh = np.where(colourless, 0, dh)
    big_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    mean_l, mean_c = (l1 + l2) / 2, (c1 + c2) / 2
    mean_h = np.where(np.abs(h1 - h2) > 180, (h1 + h2 + 360) / 2 % 360, (h1 + h2) / 2)
    mean_h = np.where(colourless, h1 + h2, mean_h)
    t = (
        1
        - 0.17 * np.cos(np.radians(mean_h - 30))
        + 0.24 * np.cos(np.radians(2 * mean_h))
        + 0.32 * np.cos(np.radians(3 * mean_h + 6))
        - 0.20 * np.cos(np.radians(4 * mean_h - 63))
    )
    mean_c7 = mean_c**7
    rotation = -2 * np.sqrt(mean_c7 / (mean_c7 + 25.0**7))
    rotation *= np.sin(np.radians(60 * np.exp(-(((mean_h - 275) / 25) ** 2))))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / np.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_c, 1 + 0.015 * mean_c * t
    dl, dc, dhh = (l2 - l1) / s_l, (c2 - c1) / s_c, big_h / s_h
    return np.sqrt(dl**2 + dc**2 + dhh**2 + rotation * dc * dhh)


def hue_apart(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """Degrees of CIELAB hue between colours (..., 3); 180 where either is nearly grey
    (chroma below CHROMATIC: no hue to confuse)."""
    a1, b1 = lab1[..., 1], lab1[..., 2]
    a2, b2 = lab2[..., 1], lab2[..., 2]
    apart = np.abs((np.degrees(np.arctan2(b1, a1) - np.arctan2(b2, a2)) + 180) % 360 - 180)
    grey = (np.hypot(a1, b1) < CHROMATIC) | (np.hypot(a2, b2) < CHROMATIC)
    return np.where(grey, 180.0, apart)


def test_ciede2000_matches_the_published_pairs():
    """The metric the colour rule stands on, against Sharma et al.'s test data."""
    pairs = [
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
        ((22.7233, 20.0904, -46.694), (23.0331, 14.973, -42.5619), 2.0373),
        ((90.8027, -2.0831, 1.441), (91.1528, -1.6435, 0.0447), 1.4441),
        ((2.0776, 0.0795, -1.135), (0.9033, -0.0636, -0.5514), 0.9082),
    ]
    first, second, expected = (np.array(x, float) for x in zip(*pairs, strict=True))
    assert np.allclose(de2000(first, second), expected, atol=1e-4)
    assert np.allclose(de2000(second, first), expected, atol=1e-4)


def rgb(color: str | QColor) -> np.ndarray:
    c = QColor(color)
    return np.array([c.red(), c.green(), c.blue()], float)


def themed_view(qtbot, palette: str, theme: str | None = None) -> matrix_view.MatrixView:
    """A matrix view drawn in ``palette`` (and ``theme``, else the current one)."""
    if theme is not None:
        view_settings().set_theme(theme)
    view_settings().set_palette(palette)
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    return view


def data_colours(view) -> np.ndarray:
    """Every colour a matrix shows data in under the current theme and palette: both maps as
    the cells draw them, the neutral colour of a constant matrix, padding, overhang, and
    cells not computed yet (the theme's)."""
    ramp = np.linspace(-1, 1, 512).reshape(8, 64)  # a table (up to 64 a side), not a heat map
    colours = []
    for diverging in (False, True):
        view.set_matrix(ramp, levels=(-1.0, 1.0), diverging=diverging)
        model = view.model
        colours += [
            rgb(model.data(model.index(i, j), Qt.BackgroundRole).color())
            for i in range(8)
            for j in range(64)
        ]
    view.set_matrix(np.ones((2, 2)), neutral=True)
    colours.append(rgb(view.model.data(view.model.index(0, 0), Qt.BackgroundRole).color()))
    colours += [rgb(matrix_view.PADDING_BG), rgb(matrix_view.OVERHANG_BG)]
    colours.append(blank_colour(view))
    return np.array(colours)


def blank_colour(view) -> np.ndarray:
    """The colour ``view`` draws a cell not computed yet in."""
    values = np.full((2, 2), np.nan)
    view.set_matrix(values, pending=np.ones((2, 2), bool))
    return rgb(view.model.data(view.model.index(0, 0), Qt.BackgroundRole).color())


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_highlight_colours_are_never_data_colours(qtbot, theme, palette):
    """Issue 10, point 11: no highlight colour is a colour of the data, in any theme and
    palette (see MIN_DE2000 and MIN_HUE), and "winner" and "wrong" differ."""
    view = themed_view(qtbot, palette, theme)
    data = data_colours(view)
    pens = matrix_view.style_pens()
    assert pens["winner"][0] != pens["wrong"][0]
    seen = lab(data, VISION["normal"])
    for style in sorted(pens):
        if style in ("gap", *OUTLINES):  # a dropped window's cells are padding and overhang
            continue
        colour = lab(rgb(pens[style][0]), VISION["normal"])
        where = (style, pens[style][0])
        distance = de2000(seen, np.broadcast_to(colour, seen.shape))
        assert distance.min() >= MIN_DE2000, (*where, data[distance.argmin()], distance.min())
        hue = hue_apart(seen, np.broadcast_to(colour, seen.shape))
        assert hue.min() >= MIN_HUE, (*where, data[hue.argmin()], hue.min())
    if palette == "colorblind":
        for name in ("deuteranopia", "protanopia"):
            seen = lab(data, VISION[name])
            for style in BORDERS:
                colour = lab(rgb(pens[style][0]), VISION[name])
                distance = np.linalg.norm(seen - colour, axis=1)
                where = (name, style, data[distance.argmin()])
                assert distance.min() >= MIN_FROM_DATA_DICHROMAT, where


def frame_runs(plan, width: int) -> list[tuple[int, int]]:
    """The frame a border plan draws, read down the middle of the cell's top edge: runs of
    ``(colour as 0xRRGGBB, pixels)`` from the cell's edge inwards (the last band painted over a
    pixel is what shows), up to the first pixel no band covers."""
    assert all(step[-1] is None for step in plan)
    return runs_down(plan, width)


def hex_rgb(value: int) -> np.ndarray:
    return np.array([(value >> 16) & 255, (value >> 8) & 255, value & 255], float)


MIN_FRAME_CONTRAST = 3.0  # WCAG 2's least contrast for graphics


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_highlight_frames_show_on_every_data_colour(qtbot, theme, palette):
    """Issue 10: the colour-blind palette's pure blue window frame vanished on its navy cells
    and the brown target frame on its orange ones (WCAG contrast 1.9:1 and 2.4:1), a pixel of
    black and of white beside them all that told them apart.  Every frame is now its colour
    between an outline and an inline: measured down a cell's edge as drawn, the outline
    contrasts with the colour by 3:1 at least (the colour shows as a band whatever is outside),
    the inline with the cell by 3:1 at least (the frame's inner edge shows on every cell), and
    both are at least two pixels wide on a lecture's large cells; the frames grow with cells
    larger than 96 px (a lecture's on a large screen)."""
    view = themed_view(qtbot, palette, theme)
    view.set_max_cell(136)
    cells = np.unique(data_colours(view).astype(int), axis=0)
    pens = matrix_view.style_pens()
    depths = {}
    # The normal layout's cells, a lecture's at 1366×768 and at 1920×1080.
    for size, least_edge in ((32, 1), (96, 2), (136, 2)):
        view.set_cell_size(size)
        delegate = view.delegate
        depths[size] = sum(
            n for _, n in frame_runs(delegate._border_plan(size, size, {"window"}), size)
        )
        for style, cell in itertools.product(BORDERS, cells):
            under = QColor(*cell)
            plan = delegate._border_plan(size, size, frozenset((style,)), None, under)
            colour = QColor(pens[style][0]).rgb() & 0xFFFFFF
            if pens[style][2] != Qt.PenStyle.SolidLine:  # drawn by a dashed pen
                ((*_, outline, dashed),) = plan
                _name, pen_width, _inset, _line, inline = dashed
                edge = _inset - pen_width // 2
                tones = [(outline.rgb() & 0xFFFFFF, edge), (colour, pen_width)]
                tones.append((inline.rgb() & 0xFFFFFF, edge))
            else:
                tones = frame_runs(plan, size)
            where = (size, style, cell.tolist(), [(hex(c), n) for c, n in tones])
            colours = [c for c, _ in tones]
            assert colour in colours[1:-1], where  # the colour inside an outline and inline
            at = colours.index(colour)
            outline, outline_px = tones[at - 1]
            inline, inline_px = tones[-1]
            assert contrast(hex_rgb(outline), hex_rgb(colour)) >= MIN_FRAME_CONTRAST, where
            assert contrast(hex_rgb(inline), cell) >= MIN_FRAME_CONTRAST, where
            assert min(outline_px, inline_px) >= least_edge, where
    assert depths[136] >= 1.3 * depths[96]


@pytest.mark.parametrize("palette", PALETTES)
def test_highlight_colours_differ_from_each_other(qapp, palette):
    view_settings().set_palette(palette)
    pens = matrix_view.style_pens()
    visions = ["normal"] + (["deuteranopia", "protanopia"] if palette == "colorblind" else [])
    for name, (a, b) in itertools.product(visions, itertools.combinations(DISTINCT, 2)):
        distance = np.linalg.norm(
            lab(rgb(pens[a][0]), VISION[name]) - lab(rgb(pens[b][0]), VISION[name])
        )
        assert distance >= MIN_BETWEEN, (name, a, b)


# ---- frames that meet in a cell, cells not computed yet --------------------------------------


def colour_runs(plan, width: int) -> list[int]:
    """The highlight colours (0xRRGGBB) down a cell's top edge, from the edge inwards, the
    black and white outlines and inlines left out."""
    edges = {0x000000, 0xFFFFFF}
    return [colour for colour, _ in frame_runs(plan, width) if colour not in edges]


@pytest.mark.parametrize("palette", PALETTES)
def test_a_winner_inside_the_window_keeps_both_frames(qtbot, palette):
    """The max winner's frame was drawn over the window's, from the same edge: the window's
    frame was gone from that cell.  Frames that meet in a cell nest, the window's outside,
    each with its colour, at the sizes the layouts use and however little room the number
    leaves."""
    view = themed_view(qtbot, palette)
    pens = matrix_view.style_pens()
    window, winner = (QColor(pens[s][0]).rgb() & 0xFFFFFF for s in ("window", "winner"))
    for size, room in itertools.product((24, 32, 58, 96, 136), (None, 20, 12, 8, 6, 4)):
        view.set_cell_size(size)
        plan = view.delegate._border_plan(size, size, frozenset(("window", "winner")), room)
        runs = frame_runs(plan, size)
        assert colour_runs(plan, size) == [window, winner], (size, room, runs)
        if room is not None:
            assert sum(n for _, n in runs) <= max(room, 4), (size, room, runs)
        if room is None or room >= 8:
            shown = dict((c, n) for c, n in runs if c in (window, winner))
            assert min(shown.values()) >= 2, (size, room, runs)
    # A wide number leaves less room beside it than above and below: the frames keep the
    # room above and below, and both still show at the sides, within the room there.
    for size, side in itertools.product((58, 96), (8, 6, 4)):
        view.set_cell_size(size)
        plan = view.delegate._border_plan(
            size, size, frozenset(("window", "winner")), 20, None, side
        )
        top = frame_runs(plan, size)
        assert colour_runs(plan, size) == [window, winner], (size, side, top)
        assert min(n for c, n in top if c in (window, winner)) >= 2, (size, side, top)
        beside = frame_runs(transposed(plan), size)
        assert [c for c, _ in beside if c in (window, winner)] == [window, winner]
        assert sum(n for _, n in beside) <= max(side, 4), (size, side, beside)
    # One frame alone is as before: its colour between its outline and inline.
    plan = view.delegate._border_plan(96, 96, frozenset(("winner",)))
    assert colour_runs(plan, 96) == [winner]


def transposed(plan):
    """A border plan's bands mirrored across the cell's diagonal: its left edge on top."""
    return [(y, x, h, w, colour, dashed) for x, y, w, h, colour, dashed in plan]


@pytest.mark.parametrize("presentation", [False, True])
def test_the_max_winner_in_the_window_shows_both_frames_as_drawn(window, presentation):
    """The same in the window, with the room the winner's bold number leaves (it made the
    winner's frame thin and the window's vanish in the lecture layout)."""
    if presentation:
        window.presentation.set_presentation(True, save=False)
    st = window.state
    st.set_step(5)
    view = window.views_panel.input_view
    model, delegate = view.model, view.delegate
    cells = [cell for cell, styles in model.styles.items() if {"window", "winner"} <= styles]
    assert cells
    pens = matrix_view.style_pens()
    window_rgb, winner_rgb = (QColor(pens[s][0]).rgb() & 0xFFFFFF for s in ("window", "winner"))
    for r, c in cells:
        index = model.index(r, c)
        rect = view.table.visualRect(index)
        side = delegate._side_room(rect, model._font(r, c))
        under = model._background(r, c).color()
        plan = delegate._cell_plan(rect, model.styles[(r, c)], under, side)
        assert colour_runs(plan, rect.width()) == [window_rgb, winner_rgb]


@pytest.mark.parametrize("theme", THEMES)
def test_cells_not_computed_yet_take_the_themes_empty_colour(qtbot, theme):
    """A dark theme drew the outputs not computed yet pure white: they are the theme's base
    colour (a table's empty area, what a heat map and a dimmed view recede into)."""
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    view = themed_view(qtbot, "standard", theme)
    base = QApplication.palette().color(QPalette.ColorRole.Base)
    assert blank_colour(view).tolist() == rgb(base).tolist()
    if theme == "dark":
        assert base.lightness() < 64
    view.set_dimmed(True)  # a stack's level not reached yet
    assert blank_colour(view).tolist() == rgb(base).tolist()


def test_a_stacks_levels_not_computed_yet_are_dark_on_the_dark_theme(window, qtbot):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    from visualizer.model.stack import read_stack_file
    from visualizer.resources import asset

    st = window.state
    stack = read_stack_file(
        str(asset("presets", "stacks", "01_two_3x3_one_5x5.json")), default_input=st.x
    )
    assert st.stack_state.load(stack)
    view_settings().set_theme("dark")
    base = rgb(QApplication.palette().color(QPalette.ColorRole.Base)).tolist()
    panel = window.stack_panel
    blank = 0
    for view in panel.level_views[1:]:
        model = view.model
        rows, cols = model.values.shape
        for r, c in itertools.product(range(rows), range(cols)):
            if model.pending[r, c]:
                assert rgb(model._background(r, c).color()).tolist() == base
                blank += 1
    assert blank > 0


def test_pitfalls_mark_wrong_cells_in_their_own_colour(window):
    st = window.state
    window.pitfalls_dock.show()
    st.set_input(-np.arange(1, 17, dtype=float).reshape(4, 4))
    st.set_params(padding=1)  # max pooling: zero padding is wrong on negative input
    panel = window.pitfalls_dock.panel
    combo = panel.selector_combo
    combo.setCurrentIndex(combo.findData("max_zero_padding"))
    marks = panel.wrong_view.model.styles
    assert marks and all(styles == {"wrong"} for styles in marks.values())
    for palette in PALETTES:
        view_settings().set_palette(palette)
        pens = matrix_view.style_pens()
        assert pens["wrong"][0] != pens["winner"][0]


# ---- dilation gaps -------------------------------------------------------------------------------


@pytest.mark.parametrize("palette", PALETTES)
@pytest.mark.parametrize("value", [0.0, 0.5, 1.0])  # light, mid-tone and dark cells
def test_dilation_gaps_are_clearly_hatched(qtbot, palette, value):
    view = themed_view(qtbot, palette)
    view.resize(300, 300)
    view.show()
    view.set_matrix(np.full((3, 3), value), levels=(0.0, 1.0))
    view.set_cell_size(48)
    table, index = view.table, view.model.index(1, 1)
    rect = table.visualRect(index)

    def cell_pixels() -> tuple[np.ndarray, np.ndarray]:
        image = table.viewport().grab().toImage()
        cell = np.array(
            [
                rgb(image.pixelColor(x, y))
                for x in range(rect.left() + 1, rect.right())
                for y in range(rect.top() + 1, rect.bottom())
            ]
        )
        return cell, rgb(image.pixelColor(rect.center()))

    plain, plain_centre = cell_pixels()
    view.set_highlights({(1, 1): {"gap"}})
    hatched, hatched_centre = cell_pixels()
    changed = np.abs(hatched - plain).max(axis=1) > 60
    assert changed.mean() > 0.2  # a fifth of the cell visibly striped
    # Black and white stripes: visible on any colour.
    assert (hatched.max(axis=1) < 90).mean() > 0.05
    assert (hatched.min(axis=1) > 170).mean() > 0.05
    # The number stays readable: the centre of the cell is not striped.
    assert hatched_centre.tolist() == plain_centre.tolist()


@pytest.mark.parametrize("cell", [48, 76])
def test_a_dilation_gap_s_hatch_keeps_clear_of_a_wide_number(qtbot, cell):
    """Review, session 27: in the lecture layout (76 px cells) the hatch's band ran through
    the digits of "19" and "16", wider than the clear middle it leaves.  The digits' ink box
    (and a margin) is painted as a plain cell's: the stripes stop around the number."""
    view = themed_view(qtbot, "standard")
    view.resize(6 * cell, 6 * cell)
    view.show()
    view.set_matrix(np.array([[19.0, 88.0, 19.0]] * 3), levels=(0.0, 100.0))
    view.set_cell_size(cell)
    table, index = view.table, view.model.index(1, 1)
    rect = table.visualRect(index)
    ink = view.delegate.number_ink(1, 1, rect.width(), rect.height())
    assert ink is not None
    left, top = rect.left() + int(ink[0]), rect.top() + int(ink[1])
    right, bottom = rect.left() + int(ink[2]), rect.top() + int(ink[3])
    band = max(3, round(min(rect.width(), rect.height()) * 0.24))
    assert left < rect.left() + band or right > rect.right() - band  # wider than the middle

    def ink_pixels() -> np.ndarray:
        image = table.viewport().grab().toImage()
        return np.array(
            [
                rgb(image.pixelColor(x, y))
                for x in range(left, right + 1)
                for y in range(top, bottom + 1)
            ]
        )

    plain = ink_pixels()
    view.set_highlights({(1, 1): {"gap"}})
    hatched = ink_pixels()
    assert (hatched == plain).all()


# ---- constant dY, dimmed gradients --------------------------------------------------------------


def cell_colour(view, row: int, col: int) -> tuple[int, int, int]:
    color = view.model.data(view.model.index(row, col), Qt.BackgroundRole).color()
    return color.red(), color.green(), color.blue()


def test_a_constant_dy_is_drawn_neutral(window):
    st = window.state
    st.set_step(st.n_windows)  # backward: dY in play, not dimmed
    view = window.views_panel.grad_output_view
    assert np.all(view.matrix() == 1)
    rows, cols = view.matrix().shape
    assert {cell_colour(view, r, c) for r in range(rows) for c in range(cols)} == {
        matrix_view.NEUTRAL_RGB
    }
    assert view.legend.constant == 1
    st.fill_grad_output("random", seed=3)
    st.set_step(st.n_windows)
    colours = {cell_colour(view, r, c) for r in range(rows) for c in range(cols)}
    assert len(colours) > 3 and matrix_view.NEUTRAL_RGB not in colours
    assert view.legend.constant is None


def test_a_constant_kernel_is_drawn_neutral(window):
    st = window.state
    st.set_op("conv2d")
    for i, j in itertools.product(range(2), range(2)):
        st.set_kernel_cell(i, j, 1.0)
    view = window.views_panel.kernel_view
    assert cell_colour(view, 0, 0) == matrix_view.NEUTRAL_RGB


def test_an_output_with_negative_values_uses_the_diverging_map(window):
    """The edge-detection preset's output holds −1, 0 and +1: zero is the map's white middle,
    −1 and +1 opposite colours (it was drawn on the one-sided map, −1 white)."""
    st = window.state
    preset = next(p for p in map(load_preset, list_presets()) if "[1, −1]" in p.title)
    assert apply_preset(st, preset)
    st.set_step(st.n_windows - 1)  # every output computed
    view = window.views_panel.output_view
    y = view.matrix()
    assert y.min() == -1 and y.max() == 1
    assert view.diverging and view.levels == (-1.0, 1.0)
    assert view.legend.diverging
    (r0, c0), (rp, cp), (rn, cn) = (np.argwhere(y == v)[0] for v in (0, 1, -1))
    zero, plus, minus = (
        cell_colour(view, r0, c0),
        cell_colour(view, rp, cp),
        cell_colour(view, rn, cn),
    )
    assert min(zero) > 240  # white
    assert plus[0] > plus[2] and minus[2] > minus[0]  # red above zero, blue below
    # An output of the input's scale (max pooling) or without negatives keeps the one-sided map.
    st.set_op("max_pool2d")
    assert not window.views_panel.output_view.diverging
    st.set_op("conv2d")
    st.set_input(np.abs(st.x))
    for i, j in itertools.product(range(st.weight.shape[2]), range(st.weight.shape[3])):
        st.set_kernel_cell(i, j, 1.0)
    assert not window.views_panel.output_view.diverging


def test_a_binary_image_is_drawn_black_and_white(window):
    """The edge-detection preset says "white (1) ... black (0)": a binary input is drawn so
    (it was 1 blue and 0 white), and max pooling's output, made of input values, with it."""
    st = window.state
    preset = next(p for p in map(load_preset, list_presets()) if "[1, −1]" in p.title)
    assert apply_preset(st, preset)
    view = window.views_panel.input_view
    x = view.matrix()
    zero, one = np.argwhere(x == 0)[0], np.argwhere(x == 1)[0]
    assert cell_colour(view, *zero) == (0, 0, 0)
    assert cell_colour(view, *one) == (255, 255, 255)
    assert view.legend.black_white
    st.set_op("max_pool2d")
    st.set_step(st.n_windows - 1)
    out = window.views_panel.output_view
    assert out.black_white
    assert cell_colour(out, *np.argwhere(out.matrix() == 0)[0]) == (0, 0, 0)
    # One value that is neither 0 nor 1: an ordinary input again, on the palette's map.
    st.set_input_cell(0, 0, 0.5)
    assert not view.black_white and not view.legend.black_white
    assert cell_colour(view, *zero) != (0, 0, 0)


def test_gradients_are_dimmed_during_the_forward_phase(window):
    st = window.state
    st.set_op("conv2d")
    st.fill_grad_output("random", seed=1)
    panel = window.views_panel
    views = panel._tensor_views()
    st.set_step(2)
    for name, view in views.items():
        assert view.dimmed == (name in GRADIENTS), name
        assert view.title_label.isEnabled() == (name not in GRADIENTS), name
    assert not panel.bias_label.isEnabled()
    dy = views["grad_output"]
    forward = cell_colour(dy, 0, 0)
    text = dy.model.data(dy.model.index(0, 0), Qt.ForegroundRole).color()
    assert text.alpha() < 255  # faded numbers
    st.set_step(st.n_windows)  # backward: everything in play
    assert not any(view.dimmed for view in views.values())
    assert panel.bias_label.isEnabled()
    backward = cell_colour(dy, 0, 0)
    assert forward != backward
    # Dimmed = the same colour blended towards the background.
    base = (255, 255, 255)
    expected = matrix_view.dimmed(np.array(backward, np.uint8), base)
    assert np.abs(np.array(forward) - expected).max() <= 1


def test_a_dimmed_view_recedes_into_a_dark_background_too():
    """A gradient's zeros (the diverging maps' light middle) dimmed on the dark theme's
    background stayed a mid-grey slab (0.6 of the way: ~127 on ~42) that drew the eye from
    the forward phase's views; on the light theme they stay near white."""
    light_middle = np.array([247, 247, 247], np.uint8)
    dark = (42, 42, 42)
    on_dark = matrix_view.dimmed(light_middle, dark).astype(int)
    assert np.abs(on_dark - np.array(dark)).max() <= 40  # 127 before
    on_light = matrix_view.dimmed(light_middle, (255, 255, 255)).astype(int)
    assert np.abs(on_light - 255).max() <= 8
    # The heat maps blend by opacity over the same background, as far.
    assert matrix_view.dim_mix(dark) > matrix_view.dim_mix((255, 255, 255))


# ---- preset dock title, code dock ----------------------------------------------------------------


def test_the_preset_dock_title_is_the_presets_translated_title(window, qapp):
    path = next(p for p in list_presets() if p.stem == "02_max_pool_4x4")
    preset = load_preset(path)
    window.presets.preset_actions["02_max_pool_4x4"].trigger()
    dock = window.findChild(QDockWidget, "presetDock")
    assert preset.title in dock.windowTitle() and preset.key not in dock.windowTitle()
    i18n.set_language(i18n.CHINESE)
    try:
        assert preset.title_zh and preset.title_zh in dock.windowTitle()
        assert preset.key not in dock.windowTitle()
    finally:
        i18n.set_language(i18n.ENGLISH)


def test_the_code_dock_wraps_long_lines(window, qtbot):
    window.findChild(object, "toggleCodeAction").trigger()
    dock = window.findChild(QDockWidget, "codeDock")
    qtbot.waitUntil(dock.isVisible)
    window.resizeDocks([dock], [300], Qt.Horizontal)  # narrower than the longest lines
    qtbot.waitUntil(lambda: dock.width() < 400)
    window.state.set_op("conv2d")
    for name in ("numpyCode", "torchCode", "handCode"):
        edit = dock.findChild(QPlainTextEdit, name)
        dock.tabs.setCurrentWidget(edit.parentWidget())
        qtbot.waitUntil(edit.isVisible)
        assert edit.lineWrapMode() == QPlainTextEdit.WidgetWidth
        longest = max(len(line) for line in edit.toPlainText().splitlines())
        assert longest * edit.fontMetrics().horizontalAdvance("x") > edit.viewport().width()
        assert edit.horizontalScrollBar().maximum() == 0  # nothing out of sight sideways


# ---- edges: arrows and heat-map frames show on every background --------------------------------

MIN_EDGE_CONTRAST = 3.0  # WCAG contrast of the line or its edge with what is under it


def luminance(rgb_: np.ndarray) -> np.ndarray:
    c = np.asarray(rgb_, float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def contrast(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """WCAG 2 contrast ratio of colours ``a`` and ``b`` (..., 3)."""
    la, lb = luminance(a), luminance(b)
    return (np.maximum(la, lb) + 0.05) / (np.minimum(la, lb) + 0.05)


def over(color: QColor, under: np.ndarray) -> np.ndarray:
    """``color`` (with its alpha) painted over the opaque colours ``under`` (..., 3)."""
    alpha = color.alphaF()
    return alpha * rgb(color) + (1 - alpha) * np.asarray(under, float)


def backgrounds(view) -> np.ndarray:
    """What a line can be drawn over: every data colour and the window's own colours."""
    palette = view.palette()
    window = [
        rgb(palette.color(role)) for role in (palette.ColorRole.Window, palette.ColorRole.Base)
    ]
    return np.concatenate([data_colours(view), np.array(window)])


def best_contrast(pens, under: np.ndarray) -> np.ndarray:
    """For each colour of ``under``: the best contrast any layer of a line makes with it."""
    return np.max([contrast(over(pen.color(), under), under) for pen in pens], axis=0)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_step_arrows_show_on_every_background(qtbot, theme, palette):
    # A pure blue colour-blind arrow in a black edge vanished on the dark theme.
    from visualizer.widgets.step_arrows import arrow_pens

    view = themed_view(qtbot, palette, theme)
    under = backgrounds(view)
    pens = arrow_pens(QColor(matrix_view.style_pens()["current"][0]))
    assert pens[-1].color() == QColor(matrix_view.style_pens()["current"][0])
    assert [pen.widthF() for pen in pens] == sorted((pen.widthF() for pen in pens), reverse=True)
    # An edge sets the line apart from anything under it.
    assert best_contrast(pens, under).min() >= MIN_EDGE_CONTRAST


@pytest.mark.parametrize("palette", PALETTES)
def test_heat_map_frames_show_on_every_colour_of_the_map(qtbot, palette):
    view = themed_view(qtbot, palette)
    under = data_colours(view)
    heat = view.heatmap
    pens = matrix_view.style_pens()
    for item, style in (
        (heat.window_rect, "window"),
        (heat.marks, "window"),
        (heat.winners, "winner"),
    ):
        layers = item.layers()
        assert layers[-1].color() == QColor(pens[style][0])  # the palette's colour, inside
        assert [pen.widthF() for pen in layers] == sorted(
            (pen.widthF() for pen in layers), reverse=True
        )
        assert item.pen().widthF() == layers[0].widthF()  # the item's bounds hold its edges
        assert best_contrast(layers, under).min() >= MIN_EDGE_CONTRAST, style
        assert item.layers_at(48.0) == layers, style
    # Cells a few pixels wide (a stack's receptive field: hundreds of them) are framed in the
    # colour only: edges would cover their data; the window's frame keeps its edges.
    assert heat.marks.layers_at(4.0) == heat.marks.layers()[-1:]
    assert heat.window_rect.layers_at(4.0) == heat.window_rect.layers()
    for guide in heat.guides:
        assert guide.edge_pen is not None and guide.edge_pen.widthF() > guide.pen.widthF()
        assert (
            contrast(over(guide.edge_pen.color(), rgb(guide.pen.color())), rgb(guide.pen.color()))
            >= 2.5
        )


def _wcag_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour, worked out channel by channel."""
    linear = []
    for channel in rgb:
        c = channel / 255
        linear.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_cell_text_takes_the_more_contrasting_of_black_and_white():
    """The numbers on a cell are black where black contrasts more with its colour than white,
    for the uint8 colours the cells have (every grey, every colour map's colours, a spread of
    others) as for colours given as plain numbers (an arrow's edge)."""
    rng = np.random.default_rng(7)
    maps = [matrix_view._lut(matrix_view.colormap(d)) for d in (False, True)]
    colours = np.concatenate(
        [
            np.repeat(np.arange(256, dtype=np.uint8)[:, None], 3, axis=1),
            *maps,
            rng.integers(0, 256, size=(2000, 3), dtype=np.uint8),
        ]
    )
    wanted = []
    for rgb in colours.tolist():
        lum = _wcag_luminance(rgb)
        wanted.append((lum + 0.05) / 0.05 > 1.05 / (lum + 0.05))
    assert matrix_view.prefers_black_text(colours).tolist() == wanted
    assert matrix_view.prefers_black_text(colours.astype(np.int64)).tolist() == wanted
    # As cells are laid out: (rows, columns, 3) gives a (rows, columns) answer.
    grid = colours[:2000].reshape(40, 50, 3)
    expected = np.reshape(wanted[:2000], (40, 50)).tolist()
    assert matrix_view.prefers_black_text(grid).tolist() == expected


@pytest.mark.parametrize("theme", ("light", "dark"))
def test_heat_map_cross_hairs_grow_with_the_map_and_show_on_the_theme(qtbot, theme):
    """Issue 10: the close-up's cross-hairs were a 1-pixel dash over a faint 3-pixel band,
    lost from a hall's back row on the dark theme: the line is now as thick as the map is
    large (a lecture's 16×16 map at 1366×768 is about 230 × 400 pixels), over a band twice
    as wide, and the line or its band contrasts with the theme's background and with every
    data colour."""
    view = themed_view(qtbot, "standard", theme)
    heat = view.heatmap
    heat.resize(250, 420)
    line, band = heat.guide_widths()
    assert line >= 2.5 and band >= 2 * line
    heat.resize(500, 840)  # a projector's
    assert heat.guide_widths()[0] >= 1.8 * line
    heat.resize(60, 60)  # a thumbnail: still a line, never wider than its cells
    assert 1.5 <= heat.guide_widths()[0] <= 2.0
    under = np.concatenate([data_colours(view), [rgb(heat.backgroundBrush().color())]])
    for guide in heat.guides:
        assert guide.edge_pen is not None
        assert guide.edge_pen.color().alpha() >= 200  # a band, not a shadow
        assert best_contrast([guide.edge_pen, guide.pen], under).min() >= MIN_EDGE_CONTRAST

"""Issue 10, point 11: every highlight frame shows on every data colour it can be drawn on.

The colour-blind palette's pale green winner (#bbff88) on cividis's yellow end made 1.04:1
with the cell, a one-pixel black line between them all that told them apart, and in a
lecture's cells (little room beside the number) not even that; the standard green of the
cells a backward step changes was lost on the diverging map's orange in the dark theme.
Measured here for every theme × palette × highlight style (and the winner nested in the
window) × 64 colours along each map the views use, at the cell sizes and number rooms of
the layouts: the frame's innermost LEAST_EDGE_PX pixels contrast with the cell by 3:1 at
least (visualizer.model.contrast.highlight_contrast)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from checks import runs_down
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from visualizer.model.contrast import (
    LEAST_EDGE_PX,
    MIN_FRAME_CONTRAST,
    contrast_ratio,
    highlight_contrast,
    relative_luminance,
)
from visualizer.view_settings import PALETTES, THEMES, view_settings
from visualizer.widgets import matrix_view


@pytest.fixture(autouse=True)
def _restore_look(qapp):
    yield
    view_settings().set_theme("system")
    view_settings().set_palette("standard")


def test_contrast_matches_wcag():
    assert relative_luminance(0xFFFFFF) == pytest.approx(1.0)
    assert relative_luminance(0x000000) == 0.0
    assert contrast_ratio(0x000000, 0xFFFFFF) == pytest.approx(21.0)
    assert contrast_ratio(0x777777, 0xFFFFFF) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(0xBBFF88, 0xFEE838) < 1.1  # the winner on cividis's yellow


def test_highlight_contrast_counts_the_innermost_pixels():
    yellow, green, black = 0xFEE838, 0xBBFF88, 0x000000
    # A one-pixel black inline does not set the pale band apart from afar; two pixels do.
    assert highlight_contrast([(black, 1), (green, 4), (black, 1)], yellow) < 1.1
    assert highlight_contrast([(black, 1), (green, 4), (black, 2)], yellow) > 10
    assert highlight_contrast([(black, 1), (green, 4)], yellow) < 1.1  # no inline at all
    assert highlight_contrast([(black, 1), (green, 4), (black, 0)], yellow) < 1.1
    assert highlight_contrast([(green, 4)], 0x000000) > 10  # the band alone shows
    assert highlight_contrast([], yellow) == 1.0
    assert highlight_contrast([(black, 1), (green, 4), (black, 1)], yellow, least=1) > 10


def map_colours(theme: str, palette: str, qtbot) -> np.ndarray:
    """64 colours along each of the palette's maps as a view draws them in ``theme``
    (0xRRGGBB), and the colours of padding, overhang, a constant matrix and pending cells."""
    view_settings().set_theme(theme)
    view_settings().set_palette(palette)
    view = matrix_view.MatrixView("X", "someMatrix")
    qtbot.addWidget(view)
    colours = []
    ramp = np.linspace(-1, 1, 64).reshape(1, 64)
    for diverging in (False, True):
        view.set_matrix(ramp, levels=(-1.0, 1.0), diverging=diverging)
        model = view.model
        colours += [
            model.data(model.index(0, j), Qt.BackgroundRole).color().rgb() & 0xFFFFFF
            for j in range(64)
        ]
    view.set_matrix(np.ones((2, 2)), neutral=True)
    colours.append(view.model.data(view.model.index(0, 0), Qt.BackgroundRole).color().rgb())
    view.set_matrix(np.full((2, 2), np.nan), pending=np.ones((2, 2), bool))
    colours.append(view.model.data(view.model.index(0, 0), Qt.BackgroundRole).color().rgb())
    colours += [matrix_view.PADDING_BG.rgb(), matrix_view.OVERHANG_BG.rgb()]
    return np.unique(np.array(colours, np.int64) & 0xFFFFFF)


def transposed(plan):
    return [(y, x, h, w, colour, dashed) for x, y, w, h, colour, dashed in plan]


# Every frame a cell can carry: each style alone (the gap is a hatch and the compare tab a
# corner square, both tested apart), a dropped window's outline along a cell's edge, and the
# frames that nest (the max winner in its window, the quiz's marks on the window).
MARKS = [
    *(
        frozenset((style,))
        for style in matrix_view.STYLE_SHAPE
        if style not in ("gap", "differs", matrix_view.DROPPED)
    ),
    frozenset((matrix_view.DROPPED_TOP, matrix_view.DROPPED_LEFT)),
    frozenset(("window", "winner")),
    frozenset(("window", "current")),
    frozenset(("window", "quiz_right")),
    frozenset(("pad_tap", "winner")),
]
# Cell sizes (the normal layout's, a lecture's at 1366×768 and 1920×1080) and the room the
# number leaves above and below it (None: no number) and beside it.
SIZES = (24, 32, 58, 96, 136)
# Measured in the screenshots' layouts at 1366×768: 3 to 5 above and below, 3 to 5 beside, in
# the normal layout's cells, 7 and 9 (4 beside a wide number) in a lecture's.
ROOMS = ((None, None), (9, 4), (9, 9), (7, 7), (6, 6), (5, 3), (4, 4), (3, 3))
# Below this room (pixels) a frame has no two pixels to spare for its inline: one, then.
WIDE_ROOM = 6


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_every_highlight_shows_on_every_data_colour(qtbot, theme, palette):
    cells = map_colours(theme, palette, qtbot)
    view = matrix_view.MatrixView("X", "anotherMatrix")
    qtbot.addWidget(view)
    view.set_max_cell(136)
    failures = []
    for size in SIZES:
        view.set_cell_size(size)
        delegate = view.delegate
        for marks, (room, side), cell in itertools.product(MARKS, ROOMS, cells):
            plan = delegate._border_plan(size, size, marks, room, QColor(int(cell)), side)
            for where, runs in (
                ("top", runs_down(plan, size)),
                ("side", runs_down(transposed(plan), size)),
            ):
                if not runs:  # a dropped outline's corner cell, read across its dashes' gap
                    continue
                tight = min(r for r in (room, side, WIDE_ROOM) if r is not None) < WIDE_ROOM
                seen = highlight_contrast(runs, int(cell), 1 if tight else LEAST_EDGE_PX)
                if seen < MIN_FRAME_CONTRAST:
                    failures.append(
                        (size, sorted(marks), room, side, where, f"#{int(cell):06x}", seen)
                    )
    kinds = sorted({(size, tuple(marks), room, side) for size, marks, room, side, *_ in failures})
    assert not failures, (len(failures), kinds[:12], failures[:4])
    assert LEAST_EDGE_PX >= 2

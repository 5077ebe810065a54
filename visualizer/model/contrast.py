"""How well a highlight frame shows on the cell it is drawn on (issue 10, point 11): WCAG 2
contrast, Qt-free, so the views and the tests measure frames the same way.

A frame is drawn as rings from the cell's edge inwards (an outline, its colour, an inline);
what meets the cell is its innermost rings.  A line of one pixel is lost from the back of a
lecture hall, so a frame shows on a cell when every ring within its innermost
:data:`LEAST_EDGE_PX` pixels contrasts with the cell by :data:`MIN_FRAME_CONTRAST`: a pale
green band on cividis's yellow (1.04:1) behind a one-pixel black line does not.
"""

from __future__ import annotations

from collections.abc import Sequence

# WCAG 2's least contrast for graphics (non-text contrast, success criterion 1.4.11).
MIN_FRAME_CONTRAST = 3.0
# How deep (pixels) the part of a frame that meets the cell must be to be seen from afar.
LEAST_EDGE_PX = 2


def relative_luminance(rgb: int) -> float:
    """WCAG 2 relative luminance of the colour ``rgb`` (0xRRGGBB, alpha ignored)."""
    channels = ((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255)
    linear = [
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        for c in (v / 255 for v in channels)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: int, b: int) -> float:
    """WCAG 2 contrast ratio of the colours ``a`` and ``b`` (0xRRGGBB), 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def highlight_contrast(
    rings: Sequence[tuple[int, int]], cell: int, least: int = LEAST_EDGE_PX
) -> float:
    """The contrast a highlight frame makes with the cell it is drawn on.

    Parameters
    ----------
    rings : sequence of (int, int)
        The frame as drawn across one of its sides: ``(colour as 0xRRGGBB, pixels)`` from the
        cell's edge inwards, its edge lines (outline, inline, lines between nested frames)
        included; rings 0 pixels wide are left out.
    cell : int
        The cell's colour (0xRRGGBB) inside the frame.
    least : int
        How many of the frame's innermost pixels must set it apart from the cell.

    Returns
    -------
    float
        The least contrast ratio (1 to 21) with ``cell`` among the rings that lie within the
        frame's innermost ``least`` pixels (all of the frame when it is thinner); 1.0 for no
        frame at all.
    """
    drawn = [(colour, pixels) for colour, pixels in rings if pixels > 0]
    if not drawn:
        return 1.0
    worst = 21.0
    taken = 0
    for colour, pixels in reversed(drawn):
        worst = min(worst, contrast_ratio(colour & 0xFFFFFF, cell & 0xFFFFFF))
        taken += pixels
        if taken >= least:
            break
    return worst


def shows_on(colour: int, cell: int) -> bool:
    """Whether a band of ``colour`` alone contrasts with ``cell`` (both 0xRRGGBB) by
    :data:`MIN_FRAME_CONTRAST`: a frame that does not needs an inline of
    :data:`LEAST_EDGE_PX` pixels at least between its band and the cell."""
    return contrast_ratio(colour & 0xFFFFFF, cell & 0xFFFFFF) >= MIN_FRAME_CONTRAST

"""Compare mode: two or more settings of one operation side by side, stepped in lockstep.

Tools ▸ Compare (``compare_action``, checkable) and the parameter panel's "Compare…" button
(its one-click comparisons come from the current operation's parameter specs) put the state in
compare mode; the state computes every setting (``visualizer.model.compare``) and this view
draws one panel per setting in place of the usual views: its input with its own padding, its
output, mask and input gradient, all at one cell size.  The step bar drives every panel: each
shows the window at the same step position, or says that it has none there.  Cells whose
value differs between the settings are framed; a line above the panels says what changes.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QRect, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import set_action_text, tr, translate_message
from visualizer.model.compare import PanelFrame
from visualizer.model.document import CompareSetup
from visualizer.model.present import Marks, lecture_screen_scale
from visualizer.state import INPUT, AppState
from visualizer.ui import QWIDGETSIZE_MAX, Retranslatable, largest_fitting
from visualizer.widgets.fence import LayoutFence
from visualizer.widgets.matrix_view import (
    HEADER_MOST_PX,
    LECTURE_HEADER_MOST_PX,
    LECTURE_NUMBER_HEIGHT,
    MAX_CELL,
    MIN_NUMBER_CELL,
    NUMBER_HEIGHT,
    MatrixView,
    levels_for,
    marks_held,
)
from visualizer.widgets.views_panel import (
    INPUT_SIDE,
    OUTPUT_SIDE,
    backward_dy_marks,
    is_constant,
    lecture_cell_most,
    role_styles,
)

# The highlight style of a cell whose value differs between the settings (the Pitfalls panel's
# frame for a differing cell; it is no colour of the data maps in either palette) ...
DIFFERS_STYLE = "wrong"
# ... and of one that is also a cell of the step: the step's frame, a tab of that colour in its
# corner (the full frame, drawn over the step's, hid where the step was).
DIFFERS_STEP_STYLE = "differs"
# Differing cells are framed in matrices of at most this many cells (the summary line still
# counts them in larger ones).
MAX_MARKED_CELLS = 24 * 24
# Matrices with more rows or columns than this are heat maps in the panels.
TABLE_MAX_SIDE = 24
# The views of a panel, by result name.
VIEWS = ("grad_output", "input", "output", "mask", "grad_input", "grad_weight")
# The views each phase shows, in order (as the lecture layout: the phase's matrices); a panel
# leaves out what its operation does not have (a mask, a weight).
PHASE_VIEWS = {
    "forward": ("input", "output", "mask"),
    "backward": ("grad_output", "input", "grad_input", "grad_weight"),
}
# The lecture layout shows these views of the phase only where the panels' numbers are at
# least LECTURE_READABLE_PX pixels with them (a font whose digits are ~18 px: what issue 10
# asks of the lecture layout at 1024×768), or no larger without them; else the other views
# take their room.  Two settings of the default 8×8 max pooling at 1366×768: 33 px cells for
# X and Y without the mask, 29 with it (each setting's 8 or 10 rows of X over its 8 rows of
# mask, or the settings one above the other: 18 rows in the height).
LECTURE_FURTHER = ("mask",)
LECTURE_READABLE_PX = 25
# The numbers' font as a fraction of a cell's height in the lecture layout's panels, tried in
# turn, the one giving the larger numbers kept: more than the single lecture's
# LECTURE_NUMBER_HEIGHT (0.68) where the cells are bound by the height (two settings'
# matrices, or X over Y) with width to spare for wider columns (at 1366×768 the default
# example's 33 px rows get digits of 18 px instead of 16); the single lecture's, or the normal
# layout's, where the columns are bound by the width (LP pooling's "0.04336" in three
# settings side by side at 1366×768: 19 px cells at the normal layout's fraction, else 15 px
# rows of the settings one above the other, too small for numbers).
LECTURE_COMPARE_NUMBER_HEIGHT = 0.76
LECTURE_NUMBER_HEIGHTS = (LECTURE_COMPARE_NUMBER_HEIGHT, LECTURE_NUMBER_HEIGHT, NUMBER_HEIGHT)
# Outside the lecture layout the backward phase shows the settings' outputs and masks too
# (issue 11: each panel shows "its output, mask and gradients", and the summary line speaks of
# the outputs), where that still leaves cells large enough for numbers.
BACKWARD_ALL = ("grad_output", "input", "output", "mask", "grad_input", "grad_weight")
# How the panels are arranged; the one giving the largest cells is chosen:
# ``rows``: the settings one above the other, each one's views in a row;
# ``columns``: the settings side by side, each one's views one above the other;
# ``grid``: the settings side by side, each one's views two by two.
MODES = ("rows", "columns", "grid")
GRADIENTS = ("grad_input", "grad_weight", "grad_output")
PANEL_SPACING = 6  # between the panels
VIEW_SPACING = 4  # between the views of a panel
CELL_RANGE = (6, 96)  # the cell sizes the arrangement is chosen among
# Text sizes (points) of a panel's title, its arithmetic, its views' titles and the summary;
# the lecture layout (presentation mode) makes them this much larger.
TITLE_POINTS = 13.0
STEP_POINTS = 10.0
VIEW_TITLE_POINTS = 10.5
SUMMARY_POINTS = 11.5
LECTURE_TEXT_SCALE = 1.3
# The arithmetic's lines under a panel's title (columns, grid): as many as the step's text
# needs at the panels' width, from two (the room the views keep for most steps) to three (the
# longest texts: average and LP pooling's backward steps in the lecture layout's panels at
# 1024 px, in English and in Chinese; two cut their lines at the top and bottom).  A longer
# text is cut with "…".  Beside the title (rows): one line.
STEP_LINES = (2, 3)
ELLIPSIS = "…"


class StepLabel(QLabel):
    """A panel's arithmetic in a box of fixed height (the views keep their size while
    stepping): the whole text when it fits, else cut at a word with "…" (the tooltip has it
    all), never lines cut in half at the box's edges."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.full_text = ""

    def set_full_text(self, text: str) -> None:
        if text == self.full_text:
            return
        self.full_text = text
        self.setToolTip(text)
        self._fit()

    def needed_height(self, text: str, width: int | None = None) -> int:
        """The height ``text`` takes at ``width`` (None: the label's) as the label lays it
        out (plain text: a label wraps it with the font's metrics)."""
        room = self.contentsRect()
        width = room.width() if width is None else width
        flags = Qt.TextFlag.TextWordWrap if self.wordWrap() else Qt.TextFlag.TextSingleLine
        box = QRect(0, 0, max(1, width), 1 << 20)
        return self.fontMetrics().boundingRect(box, int(flags), text).height()

    def fits(self, text: str) -> bool:
        room = self.contentsRect()
        if not self.wordWrap():
            return self.fontMetrics().horizontalAdvance(text) <= room.width()
        return self.needed_height(text) <= room.height()

    def _fit(self) -> None:
        text = self.full_text
        if text and not self.fits(text):
            # The longest start of the text that fits with the ellipsis (at a space when there
            # is one near: Chinese has none, and is cut between characters).
            low, high = 0, len(text)
            while low < high:
                mid = (low + high + 1) // 2
                if self.fits(text[:mid].rstrip() + ELLIPSIS):
                    low = mid
                else:
                    high = mid - 1
            space = text.rfind(" ", 0, low + 1)
            cut = space if space > low - 16 and space > 0 else low
            text = text[:cut].rstrip() + ELLIPSIS
        if text != self.text():
            self.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit()


def view_position(mode: str, k: int) -> tuple[int, int]:
    """Where the ``k``-th shown view sits in a panel's grid (row, column) in ``mode``."""
    if mode == "rows":
        return 0, k
    if mode == "columns":
        return k, 0
    return divmod(k, 2)


class ComparePanel(QFrame):
    """One setting: its title, its views and its arithmetic at the shared step."""

    def __init__(self, index: int, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName(f"comparePanel{index}")
        self.setFrameShape(QFrame.StyledPanel)
        self.title_label = QLabel("")
        self.title_label.setObjectName(f"comparePanel{index}Title")
        font = QFont()
        font.setPointSizeF(TITLE_POINTS)
        font.setBold(True)
        self.title_label.setFont(font)
        self.views = {
            name: MatrixView("", f"compare{index}_{name}_matrix", self, magnify=False)
            for name in VIEWS
        }
        for view in self.views.values():
            # Tables (a step repaints only the cells that change) up to this size; larger
            # matrices are heat maps, without the magnifier the usual views have.
            view.heat_above = TABLE_MAX_SIDE
        small = QFont()
        small.setPointSizeF(VIEW_TITLE_POINTS)
        small.setBold(True)
        for view in self.views.values():
            # Every panel shares the colour levels: one legend would say the same four times.
            view.legend.hide()
            view.title_label.setFont(small)
            view.hide()
        self.views["input"].set_editable(True)
        self.views["input"].sigCellEdited.connect(state.set_input_cell)
        for name in ("output", "grad_output"):
            self.views[name].sigCellClicked.connect(state.jump_to_position)
        self.step_label = StepLabel()
        self.step_label.setTextFormat(Qt.TextFormat.PlainText)
        self.step_label.setObjectName(f"comparePanel{index}Step")
        step_font = QFont(self.step_label.font())
        step_font.setPointSizeF(STEP_POINTS)
        self.step_label.setFont(step_font)
        self.step_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        # The arithmetic changes on every step: behind a fence, so that its new text does not
        # lay the whole window out again (its box is fixed: see _place_head, and fence.py).
        self.step_fence = LayoutFence(self.step_label, self)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(VIEW_SPACING)
        self.title_label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        # The title with the arithmetic beside it (rows) or under it (columns, grid).
        self.head = QGridLayout()
        self.head.setContentsMargins(0, 0, 0, 0)
        self.head.setHorizontalSpacing(12)
        self.head.setVerticalSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(self.head)
        layout.addLayout(self.grid, 1)
        self.mode = ""
        self.lecture = False  # the lecture layout: its arithmetic is in the step bar's box
        self.shown: tuple[str, ...] = ()
        self.step_lines = STEP_LINES[0]  # the arithmetic's lines under the title (wanted_lines)
        # What each view was last given: a step redraws only the views whose content changed.
        self._shown: dict[str, np.ndarray] = {}
        self._marks: dict[str, Marks] = {}
        self._place_head("rows")

    def forget(self) -> None:
        """New results: every view is drawn again at the next step."""
        self._shown.clear()
        self._marks.clear()

    def show_values(self, name: str, values: np.ndarray, **options: object) -> None:
        """``values`` in view ``name``, unless it already shows exactly them."""
        old = self._shown.get(name)
        if old is not None and old.shape == values.shape:
            if np.array_equal(old, values, equal_nan=True):
                return
        self._shown[name] = values.copy()
        self.views[name].set_matrix(values, **options)  # type: ignore[arg-type]

    def show_marks(self, name: str, marks: Marks) -> None:
        if self._marks.get(name) != marks:
            self._marks[name] = marks
            self.views[name].set_highlights(marks)

    def set_text_scale(self, scale: float) -> None:
        """The title, the arithmetic and the view titles ``scale`` times their size."""
        for widget, points in (
            (self.title_label, TITLE_POINTS),
            (self.step_label, STEP_POINTS),
            *((view.title_label, VIEW_TITLE_POINTS) for view in self.views.values()),
        ):
            if widget.font().pointSizeF() != points * scale:
                font = QFont(widget.font())
                font.setPointSizeF(points * scale)
                widget.setFont(font)

    def set_lecture(self, on: bool, screen: float = 1.0) -> None:
        """Larger title, arithmetic and view titles in the lecture layout (the back row),
        ``screen`` times larger again in a window taller than a laptop's (see
        lecture_screen_scale)."""
        self.set_text_scale(LECTURE_TEXT_SCALE * screen if on else 1.0)
        for view in self.views.values():
            # The numbers as large as the usual views' in the lecture layout (they were the
            # normal layout's, ~8-9 px at 1366 × 768), the row and column numbers too.
            view.set_number_height(LECTURE_COMPARE_NUMBER_HEIGHT if on else NUMBER_HEIGHT)
            view.set_header_most(LECTURE_HEADER_MOST_PX if on else HEADER_MOST_PX)
            if not on:
                view.set_max_cell(MAX_CELL)  # the lecture's grew with the screen (best_mode)
        if not on:
            self.release()
        # The lecture layout's text box says every setting's arithmetic (StepBar): the
        # panel keeps its title alone, and its views the height.
        self.lecture = on
        self.step_fence.setVisible(not on)
        mode, self.mode = self.mode, ""
        self._place_head(mode or "rows")
        self.mode = mode

    def _place_head(self, mode: str) -> None:
        self.head.removeWidget(self.title_label)
        self.head.removeWidget(self.step_fence)
        below = mode != "rows"
        self.head.addWidget(self.title_label, 0, 0)
        if below:
            self.head.addWidget(self.step_fence, 1, 0)
        else:
            self.head.addWidget(self.step_fence, 0, 1)
        self.head.setColumnStretch(0, 0 if not below else 1)
        self.head.setColumnStretch(1, 0 if below else 1)
        # Under the title the arithmetic wraps, in a box of step_lines lines (the views keep
        # their size while stepping); a longer text is cut with "…", the tooltip has it all.
        self.step_label.setWordWrap(below)
        self.step_label.setFixedHeight(self.step_height(self.step_lines if below else 1))
        if self.lecture:
            self.head.removeWidget(self.step_fence)

    def wanted_lines(self, width: int) -> int:
        """The lines (within :data:`STEP_LINES`) the arithmetic needs under the title in a
        panel ``width`` pixels wide."""
        label = self.step_label
        text = label.full_text
        low, high = STEP_LINES
        if not text:
            return low
        inner = width - self.side_margins() - 2 * label.frameWidth() - 2 * label.margin()
        flags = int(Qt.TextFlag.TextWordWrap)
        height = label.fontMetrics().boundingRect(QRect(0, 0, max(1, inner), 1 << 20), flags, text)
        for lines in range(low, high + 1):
            if height.height() <= self.step_height(lines) - 2:
                return lines
        return high

    def set_step_lines(self, lines: int) -> None:
        if lines != self.step_lines:
            self.step_lines = lines
            if self.mode not in ("", "rows"):
                self.step_label.setFixedHeight(self.step_height(lines))

    def step_height(self, lines: int) -> int:
        """The arithmetic's box for ``lines`` lines of its text."""
        metrics = self.step_label.fontMetrics()
        # The lines' spacing, and the last line's full height (its descent may pass its
        # spacing: a line's spacing can be less than its height).
        return (
            metrics.lineSpacing() * (lines - 1) + max(metrics.height(), metrics.lineSpacing()) + 2
        )

    def head_height(self, mode: str) -> int:
        """The height of the title (and the arithmetic) in ``mode``, with the margins."""
        title = self.title_label.sizeHint().height()
        step = self.step_height(self.step_lines)
        margins = self.layout().contentsMargins()
        frame = 2 * self.frameWidth()
        extra = margins.top() + margins.bottom() + frame + self.layout().spacing()
        return title + extra + (step if mode != "rows" and not self.lecture else 0)

    def side_margins(self) -> int:
        margins = self.layout().contentsMargins()
        return margins.left() + margins.right() + 2 * self.frameWidth()

    def extents(self, cell: int) -> list[tuple[int, int]]:
        """Width and height each shown view needs at cell size ``cell``."""
        return [self.views[name].extent(cell) for name in self.shown]

    def arrange(self, mode: str, shown: tuple[str, ...]) -> None:
        """Place the ``shown`` views as ``mode`` says (see :data:`MODES`)."""
        if (mode, shown) == (self.mode, self.shown):
            return
        if mode != self.mode:
            self._place_head(mode)
        self.mode, self.shown = mode, shown
        for view in self.views.values():
            self.grid.removeWidget(view)
        for k in range(len(VIEWS)):
            self.grid.setColumnStretch(k, 0)
            self.grid.setRowStretch(k, 0)
        for k, name in enumerate(shown):
            self.grid.addWidget(self.views[name], *view_position(mode, k))
        for name, view in self.views.items():
            view.setVisible(name in shown)

    def fit(self, cell: int) -> None:
        """Each row and column of views as large as its views need at cell size ``cell``, so
        that one cell size fits all."""
        widths: dict[int, int] = {}
        heights: dict[int, int] = {}
        for k, (w, h) in enumerate(self.extents(cell)):
            row, col = view_position(self.mode, k)
            widths[col] = max(widths.get(col, 1), w)
            heights[row] = max(heights.get(row, 1), h)
        # The lecture layout's views (with numbers: below that they are sized as elsewhere)
        # keep their sizes: no slot grows past them, the views centred at the panel's top.
        fixed = self.lecture and cell >= MIN_NUMBER_CELL
        for k in range(len(VIEWS)):
            self.grid.setColumnStretch(k, 0 if fixed else widths.get(k, 0))
            self.grid.setRowStretch(k, 0 if fixed else heights.get(k, 0))
        centred = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
        align = centred if fixed else Qt.AlignmentFlag(0)
        self.layout().setAlignment(self.grid, align)
        for name in self.shown:
            self.grid.setAlignment(self.views[name], align)
        if not fixed:
            self.release()
            return
        # As the single-operation lecture layout: each view exactly as large as its matrix
        # needs at the shared cell size, its columns as wide as its numbers need.
        for name, (w, h) in zip(self.shown, self.extents(cell), strict=True):
            view = self.views[name]
            view.setFixedSize(w, h)
            view.set_cell_size(cell, view.column_need(cell))
            view.hug_cells(True)

    def release(self) -> None:
        """The lecture's fixed view sizes off: the grid's slots size the views again."""
        for view in self.views.values():
            view.hug_cells(False)
            if view.minimumSize() == view.maximumSize():
                view.setMinimumSize(0, 0)
                view.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)


def panel_sizes(
    mode: str, extents: list[list[tuple[int, int]]], heads: list[int], side: int
) -> list[tuple[int, int]]:
    """Width and height each panel needs in ``mode``, given its views' ``extents`` (width,
    height), its head's height and its side margins."""
    sizes = []
    for ext, head in zip(extents, heads, strict=True):
        widths: dict[int, int] = {}
        heights: dict[int, int] = {}
        for k, (w, h) in enumerate(ext):
            row, col = view_position(mode, k)
            widths[col] = max(widths.get(col, 0), w)
            heights[row] = max(heights.get(row, 0), h)
        w = sum(widths.values()) + VIEW_SPACING * max(0, len(widths) - 1) + side
        h = sum(heights.values()) + VIEW_SPACING * max(0, len(heights) - 1) + head
        sizes.append((w, h))
    return sizes


def layout_size(
    mode: str, extents: list[list[tuple[int, int]]], heads: list[int], side: int
) -> tuple[int, int]:
    """Width and height the panels need in ``mode``, given each panel's views' ``extents``
    (width, height), its head's height and its side margins."""
    n = len(extents)
    sizes = panel_sizes(mode, extents, heads, side)
    gaps = PANEL_SPACING * (n - 1)
    if mode == "rows":
        return max(w for w, _ in sizes), sum(h for _, h in sizes) + gaps
    # Side by side, each panel as wide as the widest one (the grid shares the width).
    return n * max(w for w, _ in sizes) + gaps, max(h for _, h in sizes)


class CompareView(Retranslatable, QWidget):
    """The panels of compare mode and the summary of what differs."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("compareView")
        self.state = state
        self.summary_label = QLabel("")
        self.summary_label.setObjectName("compare_summary_label")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.summary_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        font = QFont()
        font.setPointSizeF(SUMMARY_POINTS)
        self.summary_label.setFont(font)
        self.panel_grid = QGridLayout()
        self.panel_grid.setContentsMargins(0, 0, 0, 0)
        self.panel_grid.setSpacing(PANEL_SPACING)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.summary_label)
        layout.addLayout(self.panel_grid, 1)
        self.panels: list[ComparePanel] = []
        self.lecture = False  # the lecture layout's larger texts (set_lecture)
        # Differing cells are framed while cells are large enough to show numbers (a frame
        # on a few pixels hides the colour it is about).
        self._framed = True
        self.mode = ""
        self.cell_estimate = 0  # the cell size the chosen arrangement was expected to give
        self._marking = False  # in _on_step_changed, which marks the views it arranges
        self._mark_timer = QTimer(self)
        self._mark_timer.setSingleShot(True)
        self._mark_timer.setInterval(0)
        self._mark_timer.timeout.connect(lambda: self._on_step_changed())
        self._arranged: tuple[object, ...] = ()
        self._levels: dict[str, tuple[float, float]] = {}
        # Per panel, the step's marks by view (hover marks are added to them).
        self._step_marks: list[dict[str, Marks]] = []
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.setInterval(0)
        self._sync_timer.timeout.connect(self.sync_cell_sizes)
        state.sigResultsChanged.connect(self._on_results_changed)
        state.sigStepChanged.connect(self._on_step_changed)
        state.sigHoverChanged.connect(self._on_hover_changed)

    # ---- layout -----------------------------------------------------------------------------
    def _ensure_panels(self, count: int) -> None:
        while len(self.panels) > count:
            panel = self.panels.pop()
            self.panel_grid.removeWidget(panel)
            # Hidden and deleted by the event loop, still this view's child till then: taken
            # from its parent, the wrapper's last reference going at the end of this call
            # deleted the panel there and then, inside whatever signal asked for fewer panels.
            panel.hide()
            panel.deleteLater()
        while len(self.panels) < count:
            panel = ComparePanel(len(self.panels), self.state, self)
            if self.lecture:
                panel.set_lecture(True, self._screen_scale())
            for name, view in panel.views.items():
                view.sigResized.connect(self._sync_timer.start)
                # Hovering a cell lights the same position in every panel and what it reads
                # or feeds there, as in the usual views (dW's cells are kernel taps: none).
                if name == "grad_weight":
                    continue
                side = "output" if name in OUTPUT_SIDE else "input"
                view.sigCellHovered.connect(
                    lambda r, c, s=side: self.state.set_hover(s, r, c)  # type: ignore[misc]
                )
                view.sigHoverLeft.connect(lambda: self.state.set_hover(None))
            self.panels.append(panel)
            self.mode = ""  # placed by _arrange
            self._arranged = ()

    def _phase_views(self, names: tuple[str, ...] | None = None) -> list[tuple[str, ...]]:
        """Per panel, the views of ``names`` (the current phase's) it has."""
        comparison = self.state.comparison
        if names is None:
            names = PHASE_VIEWS[self.state.phase]
        out = []
        for k in range(len(self.panels)):
            if comparison is None or k >= len(comparison.panels):
                out.append(())
                continue
            own = comparison.panels[k]
            has = {"mask": own.plane("mask") is not None, "grad_weight": own.doc.spec.has_weight}
            out.append(tuple(name for name in names if has.get(name, True)))
        return out

    def _candidate_views(self) -> list[tuple[str, ...]]:
        """Per panel, every view the current phase may show: in the backward phase outside
        the lecture layout, the outputs and masks too (see :data:`BACKWARD_ALL`)."""
        if self.state.phase == "backward" and not self.lecture:
            return self._phase_views(BACKWARD_ALL)
        return self._phase_views()

    def best_mode(
        self, shown: list[tuple[str, ...]], number_height: float | None = None
    ) -> tuple[str, int]:
        """The arrangement (:data:`MODES`) giving the largest cells in this view's room, and
        that cell size (the largest at which every view fits whole); ``number_height``: the
        numbers' font as a fraction of the cell's height (None: the views' own)."""
        width = self.width()
        height = self.height()
        if not self.summary_label.isHidden():
            summary = self.summary_label.heightForWidth(max(1, width))
            height -= max(0, summary) + self.layout().spacing()
        views = [
            [p.views[name] for name in names] for p, names in zip(self.panels, shown, strict=True)
        ]
        side = max((p.side_margins() for p in self.panels), default=0)
        best, best_cell = MODES[0], 0
        low, high = CELL_RANGE
        if self.lecture:
            # The lecture's cells grow with the screen as the single-operation lecture's do.
            high = lecture_cell_most(width, height)
            for row in views:
                for view in row:
                    view.set_max_cell(high)
        measured: dict[int, list[list[tuple[int, int]]]] = {}  # by cell size, for every mode

        def extents(cell: int) -> list[list[tuple[int, int]]]:
            if cell not in measured:
                measured[cell] = [[v.extent(cell, 0, number_height) for v in row] for row in views]
            return measured[cell]

        for mode in MODES:
            heads = [p.head_height(mode) for p in self.panels]

            def fits(cell: int, mode: str = mode, heads: list[int] = heads) -> bool:
                w, h = layout_size(mode, extents(cell), heads, side)
                return w <= width and h <= height

            cell = largest_fitting(low, high, fits) if fits(low) else 0
            if cell > best_cell:
                best, best_cell = mode, cell
        return best, best_cell

    def _number_choice(
        self, shown: list[tuple[str, ...]]
    ) -> tuple[tuple[bool, int, int], str, int, float]:
        """The arrangement and cell size of ``shown`` at the font fraction of
        LECTURE_NUMBER_HEIGHTS that draws the larger numbers, cells large enough for numbers
        first: ``(key, mode, cell, fraction)``, ``key`` what was compared."""
        best: tuple[tuple[bool, int, int], str, int, float] | None = None
        for height in LECTURE_NUMBER_HEIGHTS:
            mode, cell = self.best_mode(shown, height)
            key = (cell >= MIN_NUMBER_CELL, int(cell * height), cell)
            if best is None or key > best[0]:
                best = (key, mode, cell, height)
        assert best is not None
        return best

    def _normal_choice(self, shown: list[tuple[str, ...]]) -> tuple[str, int, float]:
        """The normal layout's arrangement, cell size and numbers' font fraction for
        ``shown`` (see _number_choice)."""
        _key, mode, cell, height = self._number_choice(shown)
        return mode, cell, height

    def _set_number_height(self, height: float) -> None:
        for panel in self.panels:
            for view in panel.views.values():
                view.set_number_height(height)

    def _lecture_choice(
        self, shown: list[tuple[str, ...]]
    ) -> tuple[list[tuple[str, ...]], str, int]:
        """The lecture layout's views, arrangement and cell size: at the font fraction of
        LECTURE_NUMBER_HEIGHTS that draws the larger numbers (given to the views), cells large
        enough for numbers first; the further views (LECTURE_FURTHER) only where the numbers
        stay readable with them (LECTURE_READABLE_PX) or are no larger without them."""
        key, mode, cell, height = self._number_choice(shown)
        essential = [tuple(n for n in names if n not in LECTURE_FURTHER) for names in shown]
        if essential != shown and key[1] < LECTURE_READABLE_PX:
            fewer = self._number_choice(essential)
            if fewer[0] > key:
                shown, (key, mode, cell, height) = essential, fewer
        self._set_number_height(height)
        return shown, mode, cell

    def _arrange(self) -> None:
        """The arrangement that gives the largest cells (settings side by side, or one above
        the other), with the current phase's views."""
        if not self.panels or self.state.comparison is None:
            return
        shown = self._candidate_views()
        # The arithmetic's lines under the titles, at the width the panels get side by side
        # (every panel's the same: their views start at one height).
        n = len(self.panels)
        width = (self.width() - PANEL_SPACING * (n - 1)) // n
        lines = max(panel.wanted_lines(width) for panel in self.panels)
        key = (
            self.size(),
            tuple(shown),
            tuple(p.views["input"].model.values.shape for p in self.panels),
            lines,
        )
        if key == self._arranged:
            return
        self._arranged = key
        for panel in self.panels:
            panel.set_step_lines(lines)
        height = NUMBER_HEIGHT  # the normal layout's numbers' font fraction (chosen below)
        if self.lecture:
            shown, mode, cell = self._lecture_choice(shown)
        else:
            # As the lecture's: the numbers' font the larger fraction of the cells' height
            # where the columns have the width for it (the settings one above the other are
            # bound by the height: 22 px rows at 1366×768 drew 11 px digits in 22 px columns
            # of a 926 px wide panel).
            mode, cell, height = self._normal_choice(shown)
        phase = self._phase_views()
        if shown != phase and cell < MIN_NUMBER_CELL:
            # The outputs and masks too would leave no room for numbers: the phase's alone.
            shown = phase
            if self.lecture:
                mode, cell = self.best_mode(shown)
            else:
                mode, cell, height = self._normal_choice(shown)
        if cell < MIN_NUMBER_CELL and lines > STEP_LINES[0]:
            # Numbers (and the frames of differing cells) before the arithmetic's last line:
            # with fewer lines its text is cut with "…" (the tooltip has it all).
            for panel in self.panels:
                panel.set_step_lines(STEP_LINES[0])
            if self.lecture:
                fewer = (*self.best_mode(shown), 0.0)
            else:
                fewer = self._normal_choice(shown)
            if fewer[1] >= MIN_NUMBER_CELL:
                mode, cell, height = fewer
            else:
                for panel in self.panels:
                    panel.set_step_lines(lines)
        if not self.lecture:
            self._set_number_height(height)
        self.cell_estimate = cell
        before = [panel.shown for panel in self.panels]
        for panel, names in zip(self.panels, shown, strict=True):
            panel.arrange(mode, names)
            panel.fit(max(cell, CELL_RANGE[0]))
        if before != list(shown) and not self._marking:
            # Other views than the step marked (a resize brought the outputs in, or took
            # them out): mark the step on them.
            self._mark_timer.start()
        if mode != self.mode:
            self.mode = mode
            for panel in self.panels:
                self.panel_grid.removeWidget(panel)
            for k in range(4):
                self.panel_grid.setRowStretch(k, 0)
                self.panel_grid.setColumnStretch(k, 0)
            for k, panel in enumerate(self.panels):
                if mode == "rows":
                    self.panel_grid.addWidget(panel, k, 0)
                else:
                    self.panel_grid.addWidget(panel, 0, k)
                    self.panel_grid.setColumnStretch(k, 1)
        if mode == "rows":
            # One above the other, each panel as tall as its views need at the cell size
            # (best_mode's measure): equal heights left a padded setting's 10 rows of X in
            # the height of the other's 8 (22 px cells at 1366×768 where 23 fit).
            for k, height in enumerate(self._panel_heights(mode, max(cell, CELL_RANGE[0]))):
                self.panel_grid.setRowStretch(k, height)
        self._sync_timer.start()

    def _panel_heights(self, mode: str, cell: int) -> list[int]:
        """The height each panel needs in ``mode`` at cell size ``cell`` (at least 1)."""
        extents = [p.extents(cell) for p in self.panels]
        heads = [p.head_height(mode) for p in self.panels]
        side = max((p.side_margins() for p in self.panels), default=0)
        return [max(1, h) for _, h in panel_sizes(mode, extents, heads, side)]

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.lecture:
            # The texts follow the window's height (the titles are part of a panel's height:
            # before the arrangement).
            scale = LECTURE_TEXT_SCALE * self._screen_scale()
            for panel in self.panels:
                panel.set_text_scale(scale)
        self._arrange()

    def _screen_scale(self) -> float:
        """How much larger the lecture's texts are in this window (lecture_screen_scale)."""
        return lecture_screen_scale(self.window().height())

    def set_lecture(self, on: bool) -> None:
        """The lecture layout (presentation mode): larger texts, then the arrangement again."""
        if on == self.lecture:
            return
        self.lecture = on
        font = QFont(self.summary_label.font())
        font.setPointSizeF(SUMMARY_POINTS * (LECTURE_TEXT_SCALE if on else 1.0))
        self.summary_label.setFont(font)
        # The lecture layout's height goes to the matrices, as the single-operation one's:
        # the summary's two lines (52 px at 1366×768) cost every cell 3 px.
        self.summary_label.setVisible(not on)
        # The lecture's views have fixed sizes that fill the room (ComparePanel.fit): they
        # must not become the window's least size.  Leaving the lecture layout brings the
        # menus and the status bar back before the window's layout reads this view's least
        # size again, and the window grew by their height (32 px at 1366×768) on each exit.
        ignored = QSizePolicy.Policy.Ignored if on else QSizePolicy.Policy.Preferred
        self.setSizePolicy(ignored, ignored)
        screen = self._screen_scale()
        for panel in self.panels:
            panel.set_lecture(on, screen)
        self._arranged = ()
        self._arrange()

    def views(self) -> list[MatrixView]:
        return [v for panel in self.panels for v in panel.views.values() if not v.isHidden()]

    def sync_cell_sizes(self) -> None:
        """One cell size for every view of every panel: the largest at which all fit."""
        views = self.views()
        if not views:
            return
        if self.lecture and self.cell_estimate >= MIN_NUMBER_CELL:
            # The views were given exactly the size of their matrices at the chosen cell
            # size (ComparePanel.fit): that size, not the one their slots would fit.
            cell = max(self.cell_estimate, CELL_RANGE[0])
            for panel in self.panels:
                panel.fit(cell)
            views = []
        else:
            cell = int(min(view.fit_cell() for view in views))
        for view in views:
            view.set_cell_size(cell)
        framed = cell >= MIN_NUMBER_CELL
        if framed != self._framed:  # the frames of differing cells come or go with numbers
            self._framed = framed
            for panel in self.panels:
                panel.forget()
            self._on_step_changed()

    # ---- state → views ----------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        if self.state.comparison is not None:
            self._on_results_changed()

    def _on_results_changed(self) -> None:
        st = self.state
        comparison = st.comparison
        if comparison is None:
            return
        self._ensure_panels(len(comparison.panels))
        lines = [translate_message(line) for line in comparison.summary()]
        lines.append(tr("Marked cells: the value differs between the settings"))
        self.summary_label.setText("\n".join(lines))
        canvases = [st.compare_canvas(i) for i in range(len(self.panels))]
        x_levels = levels_for(canvases[0][0][canvases[0][1] == INPUT], False)
        spec_scale = all(p.doc.spec.output_in_input_scale for p in comparison.panels)
        outputs = np.concatenate([p.plane("output").ravel() for p in comparison.panels])
        grads = np.concatenate([p.plane("grad_input").ravel() for p in comparison.panels])
        dys = np.concatenate([p.plane("grad_output").ravel() for p in comparison.panels])
        masks = [p.plane("mask") for p in comparison.panels]
        top = max((float(m.max()) for m in masks if m is not None and m.size), default=1.0)
        self._levels = {
            "input": x_levels,
            "output": x_levels if spec_scale else levels_for(outputs, False),
            "grad_output": levels_for(dys, True),
            "grad_input": levels_for(grads, True),
            "mask": (0.0, max(1.0, top)),
            "grad_weight": levels_for(
                np.concatenate([np.ravel(g) for g in st.compare_final_grad_weights()] or [[0.0]]),
                True,
            ),
        }
        dy_constant = is_constant(dys)
        for i, panel in enumerate(self.panels):
            panel.forget()
            values, kinds, offset = canvases[i]
            panel.views["input"].set_matrix(values, kinds, offset, levels=x_levels)
            panel.views["input"].set_outlines(st.compare_dropped_outlines(i))
            panel.show_values(
                "grad_output",
                np.asarray(comparison.panels[i].plane("grad_output")),
                levels=self._levels["grad_output"],
                diverging=True,
                neutral=dy_constant,
            )
            panel.title_label.setText(translate_message(comparison.panels[i].title))
            oh, ow = comparison.panels[i].plane("output").shape
            panel.views["input"].set_title(tr("Input X"))
            panel.views["output"].set_title(tr("Output Y  ({size})").format(size=f"{oh}×{ow}"))
            panel.views["mask"].set_title(tr("Argmax mask"))
            panel.views["grad_output"].set_title("dY")
            panel.views["grad_input"].set_title("dX")
            panel.views["grad_weight"].set_title("dW")
        self._arranged = ()
        self._on_step_changed(st.step)
        self._sync_timer.start()

    def _on_step_changed(self, _step: int = 0) -> None:
        st = self.state
        if st.comparison is None or len(self.panels) != len(st.comparison.panels):
            return
        phase_views = self._candidate_views()
        # The differing cells of the views this step may show (_arrange picks among them).
        frames, differing = st.compare_frames({name for names in phase_views for name in names})
        self._step_marks = []
        # The step's new values, then its new marks: each view's cells are marked once (a
        # view given new values marked its old cells again first).
        with marks_held([view for panel in self.panels for view in panel.views.values()]):
            self._marking = True
            for i, (panel, frame, shown) in enumerate(
                zip(self.panels, frames, phase_views, strict=True)
            ):
                self._show_frame_values(panel, frame, shown)
                # Before the arrangement: the lines its text needs count.
                panel.step_label.set_full_text(st.compare_step_text(i))
            # With the views' new values (their sizes count): a phase switch changes the views.
            self._arrange()
            self._marking = False
            for i, panel in enumerate(self.panels):
                frame = frames[i]
                self._step_marks.append(self._frame_marks(panel, frame, differing[i]))
                panel.step_label.setEnabled(frame.step.present)
            self._show_marks()

    def _show_frame_values(
        self, panel: ComparePanel, frame: PanelFrame, shown: tuple[str, ...]
    ) -> None:
        """The step's values of ``panel``'s views among ``shown``."""
        levels = self._levels
        if "output" in shown:
            panel.show_values(
                "output", frame.output, levels=levels["output"], pending=frame.output_pending
            )
        if "grad_input" in shown:
            panel.show_values(
                "grad_input", frame.grad_input, levels=levels["grad_input"], diverging=True
            )
        if "grad_weight" in shown and frame.grad_weight is not None:
            panel.show_values(
                "grad_weight", frame.grad_weight, levels=levels["grad_weight"], diverging=True
            )
        if "mask" in shown and frame.mask is not None:
            panel.show_values("mask", frame.mask.astype(float), levels=levels["mask"])

    def _frame_marks(
        self, panel: ComparePanel, frame: PanelFrame, differing: dict[str, np.ndarray]
    ) -> dict[str, Marks]:
        """The step's marks of each view ``panel`` shows: its differing cells and the
        step's cells."""
        forward = self.state.phase == "forward"
        hl = frame.highlight
        marks: dict[str, Marks] = {}
        for name in panel.shown:
            step = Marks()
            skip = (forward and name in GRADIENTS) or (not forward and name == "mask")
            if hl is not None and not skip:
                # As the usual views: the step's cells (a large window as a rectangle); in the
                # backward phase dY marks the cell of the current output position.
                if name == "grad_output":
                    step = backward_dy_marks(hl)
                else:
                    step = hl.of(name).map_roles(role_styles)
            marked = differing.get(name)
            cells = Marks()
            # Framed where a view can be a table; a heat map draws no such frames.
            if marked is not None and marked.size <= MAX_MARKED_CELLS and self._framed:
                found = [tuple(pos) for pos in np.argwhere(marked).tolist()]
                # A step's cell keeps its own frame, with a tab saying that it differs.
                tabbed = [pos for pos in found if pos in step]
                cells = cells.added([pos for pos in found if pos not in step], DIFFERS_STYLE)
                cells = cells.added(tabbed, DIFFERS_STEP_STYLE)
            marks[name] = step.merged(cells) if step else cells
        return marks

    def _on_hover_changed(self) -> None:
        if self.state.comparison is not None and len(self._step_marks) == len(self.panels):
            self._show_marks()

    def _show_marks(self) -> None:
        """The step's marks, and the hovered cell's links in every panel."""
        st = self.state
        for i, panel in enumerate(self.panels):
            hover_in, hover_out = st.compare_hover_cells(i) if st.hover else ([], [])
            for name in panel.shown:
                cells = self._step_marks[i].get(name, Marks())
                linked = (
                    hover_in if name in INPUT_SIDE else hover_out if name in OUTPUT_SIDE else []
                )
                if linked:
                    cells = cells.added(linked, "hover")
                panel.show_marks(name, cells)


# ---- the feature: Tools ▸ Compare and the parameter panel's button --------------------------
def default_setup(state: AppState) -> CompareSetup | None:
    """What Tools ▸ Compare compares when nothing was chosen: padding ±1 if the operation has
    padding, else its first quick comparison."""
    quick = state.compare_quick()
    if not quick:
        return None
    for q in quick:
        if q.key == "padding":
            return q.setup
    return quick[0].setup


def install(window: object) -> None:
    """Add the compare view (hidden), Tools ▸ Compare and the parameter panel's button."""
    from visualizer.widgets.verify_panel import _tools_menu

    state: AppState = window.state  # type: ignore[attr-defined]
    views_panel = window.views_panel  # type: ignore[attr-defined]
    view = CompareView(state)
    view.hide()
    main_layout = views_panel.parentWidget().layout()
    main_layout.insertWidget(main_layout.indexOf(views_panel) + 1, view, 1)

    action = QAction(window)  # type: ignore[arg-type]
    action.setObjectName("compare_action")
    action.setCheckable(True)
    window.addAction(action)  # type: ignore[attr-defined]

    def on_toggled(checked: bool) -> None:
        if checked and state.compare is None:
            setup = default_setup(state)
            if setup is None or not state.set_compare(setup):
                with QSignalBlocker(action):
                    action.setChecked(False)
        elif not checked and state.compare is not None:
            state.set_compare(None)

    action.toggled.connect(on_toggled)

    # A push button keeps room for its menu arrow (a tool button's arrow covered the "…").
    button = QPushButton()
    button.setObjectName("compare_button")
    menu = QMenu(button)
    menu.setObjectName("compare_menu")
    button.setMenu(menu)
    params_panel = window.params_panel  # type: ignore[attr-defined]
    params_panel.layout().addWidget(button)

    def fill_menu() -> None:
        menu.clear()
        for quick in state.compare_quick():
            item = menu.addAction(translate_message(quick.label))
            item.setObjectName(f"compare_{quick.key}_action")
            item.triggered.connect(lambda _=False, s=quick.setup: state.set_compare(s))
        if state.compare is not None:
            menu.addSeparator()
            stop = menu.addAction(tr("Stop comparing"))
            stop.setObjectName("compare_stop_action")
            stop.triggered.connect(lambda: state.set_compare(None))

    # Filled as it opens, with the comparisons that fit the settings then (filled before the
    # first paint, twice, it cost ~5-10 ms of every launch).
    menu.aboutToShow.connect(fill_menu)

    def on_results_changed() -> None:
        on = state.comparison is not None
        if view.isHidden() == on:
            views_panel.set_paused(on)  # the usual views do not redraw while hidden
            views_panel.setHidden(on)
            view.setHidden(not on)
        with QSignalBlocker(action):
            action.setChecked(on)

    state.sigResultsChanged.connect(on_results_changed)
    if hasattr(window, "sigPresentingChanged"):
        window.sigPresentingChanged.connect(view.set_lecture)

    def retranslate() -> None:
        set_action_text(action, tr("Compare"), tr("Compare settings side by side"))
        button.setText(tr("Compare…"))
        button.setToolTip(
            tr("Quick comparisons: the same input with another setting, side by side in lockstep")
        )

    window.add_retranslate_hook(retranslate)  # type: ignore[attr-defined]
    _tools_menu(window).addAction(action)
    window.compare_view = view  # type: ignore[attr-defined]
    window.compare_action = action  # type: ignore[attr-defined]
    window.compare_button = button  # type: ignore[attr-defined]
    on_results_changed()

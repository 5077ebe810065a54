"""All matrix views: the operation's tensors, forward row over backward row.

The views are made once for every view any registered operation lists (``TensorSpec.view``)
and laid out per operation: its non-gradient tensors in the order its spec lists them on the
top row, each gradient below the tensor it is the gradient of (``TensorSpec.grad_of``).

The lecture layout (presentation mode) shows only the current phase's matrices
(:meth:`engine.ops.spec.OpSpec.lecture_tensors`) in one row, at one cell size shared by all of
them, the largest at which the row fits the panel; a zoom enlarges that size and the row wraps
into more rows instead of overflowing.

Where the lecture row's tables would draw numbers too small for a hall (a 28×28 input), its
large matrices are heat maps with close-ups whose cells take the row's cell size instead: the
step's numbers and a ring of cells around them as large as a table's, the maps showing where
the window is (see ``_close_up_choice``).

Zoomed in (Ctrl +) the normal layout flows the same way: every view at one cell size, the zoom
times the largest at which they all fit, in as many rows as the panel's width needs; where they
no longer fit together the other phase's views make room (they come back when the zoom is reset)
and the phase's views take the largest cells at which they fit.  Only matrices too large to show
numbers in the panel grow past it (they scroll and follow the step).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engine import OPS, format_number
from visualizer.i18n import tr
from visualizer.limits import clamp_zoom
from visualizer.model.present import (
    LECTURE_SMALL_COLUMNS,
    MAGNIFIER_MARGIN,
    PLANES_MAX,
    Marks,
    shared_columns,
)
from visualizer.state import INPUT, INSERTED, PADDING, AppState, Highlight
from visualizer.ui import QWIDGETSIZE_MAX, Retranslatable, largest_fitting
from visualizer.widgets.channel_planes import ChannelBlockBar, PlaneGroup
from visualizer.widgets.fence import LayoutFence
from visualizer.widgets.matrix_view import (
    HEADER_MOST_PX,
    LECTURE_HEADER_MOST_PX,
    LECTURE_NOTE_MIN_PX,
    LECTURE_NUMBER_HEIGHT,
    LECTURE_NUMBER_TRIES,
    MIN_NUMBER_CELL,
    NUMBER_HEIGHT,
    CloseUpPlan,
    MatrixView,
    extremes,
    fit_at_one_scale,
    fits_held,
    is_binary,
    levels_for,
    marks_held,
)
from visualizer.widgets.step_arrows import TITLE_GAP, StepArrows


def has_negative(values: np.ndarray) -> bool:
    """Whether ``values`` hold a value below zero (NaN aside)."""
    return bool(values.size) and bool(np.fmin.reduce(values, axis=None) < 0)


# Pixels between the rows of views and above them: none besides the views' own margins (the
# room the step arrows once arched in went under each title, see TITLE_GAP).
ARCH_GAP = 0

# Step cell roles (engine.Step) -> MatrixView highlight styles.  The winning tap stays marked
# in the backward phase: it is where dY goes.
ROLE_STYLE = {
    "window": "window",
    "padding": "pad_tap",
    "overhang": "pad_tap",
    "gap": "gap",
    "winner": "winner",
    "result": "current",
    "source": "current",
    "target": "target",
    "changed": "target",
    "summed": "summed",
    # Quiz mode's marks (visualizer.model.quiz), styles of their own.
    "quiz_picked": "quiz_picked",
    "quiz_right": "quiz_right",
    "quiz_wrong": "quiz_wrong",
    "quiz_missed": "quiz_missed",
}
INPUT_STYLE = ROLE_STYLE  # kept for callers of the earlier name
GRADIENTS = ("grad_input", "grad_weight", "grad_output", "grad_bias")
# Views whose cells are input positions (hover links them to the outputs) and output ones.
INPUT_SIDE = ("input", "grad_input")
OUTPUT_SIDE = ("output", "grad_output")
# Views whose close-up frames the input view's region of the step (see
# MatrixView.set_close_up_region).
SAME_REGION_AS_INPUT = ("mask", "grad_input")
# Views that fill in while stepping (the others are drawn whole with the results).
STEPPED = ("input", "weight", "output", "mask", "grad_output", "grad_input", "grad_weight")
# Tensors with one plane per input channel: a multi-channel convolution shows them side by side.
PER_CHANNEL = ("input", "weight", "grad_input", "grad_weight")
# Their titles when several channels are shown: which channel (and kernel slice) each is;
# {w} is the slice's index in the 4-D weight as PyTorch indexes it ("0,1": output channel 0,
# input channel 1 for conv2d's (C_out, C_in, kH, kW); input first for conv_transpose2d's), the
# index the arithmetic writes (dW[0, 1, i, j]).
PLANE_TITLES = {
    "input": "X[c={c}]",
    "weight": "W[{w}]",
    "grad_input": "dX[c={c}]",
    "grad_weight": "dW[{w}]",
    "grad_output": "dY[o={o}]",
}
# A backward step of a convolution with several output channels adds a term per output
# channel to each dX cell (dY[o]·W[o, c]): the dY planes and kernel slices of every output
# channel are shown (AppState.shown_out_channels), in groups of these views.
PER_OUT_CHANNEL = ("grad_output", "weight")
# How much of the width a view's column takes.
STRETCH = {"input": 3, "mask": 3}
# The lecture layout: pixels between the views of a row and between rows; cell sizes tried.
LECTURE_SPACING = 18
LECTURE_ROW_SPACING = 10
LECTURE_CELL_RANGE = (8, 96)
# ... and larger on a larger screen: a lecture's cells grow up to these shares of the panel's
# width and height (96 px at 1366×768, as LECTURE_CELL_RANGE; 136 px at 1920×1080, where 96
# px cells left a 3×3 convolution a third of the projector).
LECTURE_CELL_MOST_SHARE = (1 / 14, 3 / 20)
LECTURE_ROW_MIN = 120  # a row cut to fit the panel keeps at least this height
LECTURE_TWO_ROWS_GAIN = 1.15  # two lecture rows only if their cells are this much larger
# The large matrices of the lecture layout take their own column widths (not the widest) only
# where their needs differ this much and their cells then grow this much (see _choose_lecture).
LECTURE_OWN_COLUMNS_GAIN = 1.15
# Below this cell size the planes of several input channels wrap into more lecture rows.
LECTURE_PLANES_CELL = 28
# Large matrices in the lecture layout (issue 10, point 7): a matrix with more rows or columns
# than this may be drawn as a heat map with a close-up when its table's numbers would be too
# small for a hall (the 8×8 default never is); its heat map is at least this many pixels
# along its longer side (a 64×64 map then has 2 px cells: its cross-hairs show the window).
LECTURE_TABLE_MOST = 10
LECTURE_PLANES_TABLE_MOST = 5  # ... and with several input channels side by side
LECTURE_HEAT_LEAST = 120
# Numbers are readable from the back of a hall at this share of the panel's width (cells of
# 59 px at 1366×768, 44 px at 1024×768: digits of 27 and 20 px, issue 10 point 1 asks for
# 26 and 18 with the 8×8 default).
LECTURE_READABLE_SHARE = 1 / 23
# Several input channels' backward: the gradients get a row of their own if that costs at
# most this share of the cell size (see ViewsPanel._gradients_apart).
LECTURE_APART_SHARE = 0.94
# ... and down to this share when other output channels' planes are shown (dY[o], W[o, c]):
# preset 09's four kernel slices split over the rows, W[1,1] beside dX, at 0.94.
LECTURE_APART_OUTS_SHARE = 0.8
# A larger numbers' font fraction than LECTURE_NUMBER_HEIGHT is taken where its font is at
# least this much larger (see ViewsPanel._number_choice): convolution's backward at 1024×768
# had a 25 px font in 34 px cells against 24 px in 36, the same 18 px digits.
LECTURE_NUMBER_GAIN = 1.06
# The lecture layout's backward phase shows this many input planes at a time (a block chosen
# with channel_block_bar, keys I / Shift+I) on a panel narrower than LECTURE_FEW_PLANES_WIDTH:
# at 1024×768 four planes' 17 views (dY, X, W, dX, dW) were heat maps with cut captions under
# 13 lines of arithmetic, at 1280×720 tables with 14 px digits; at 1366×768 four stay tables
# with 17 px digits (two planes at 1024×768: 21 px).
LECTURE_FEW_PLANES = 2
LECTURE_FEW_PLANES_WIDTH = 1300
# How a view is drawn with its close-up: margin (cells around the step's), beside the heat
# map (else below), heat map side (pixels).
CloseUps = dict[MatrixView, tuple[int, bool, int]]
# A place in a flowing row: one view, or views one above the other (a kernel over its gradient).
Unit = tuple[MatrixView, ...]


def lecture_cell_most(width: int, height: int) -> int:
    """The largest cell of a lecture panel ``width`` × ``height`` pixels: LECTURE_CELL_RANGE's
    on a laptop's screen, growing with a larger one (see LECTURE_CELL_MOST_SHARE)."""
    share_w, share_h = LECTURE_CELL_MOST_SHARE
    return max(LECTURE_CELL_RANGE[1], int(min(width * share_w, height * share_h)))


def lecture_readable_cell(width: int) -> int:
    """The cell size whose numbers a hall reads, for a lecture panel ``width`` pixels wide."""
    return int(width * LECTURE_READABLE_SHARE)


# Highlight styles the views keep in sight while stepping (Views follow the step).
FOLLOWED = {"window", "current", "target", "pad_tap"}


def role_styles(roles: frozenset[str]) -> set[str]:
    """The highlight styles of a cell with ``roles``."""
    return {ROLE_STYLE[r] for r in roles if r in ROLE_STYLE}


def current_style(_roles: frozenset[str]) -> set[str]:
    """dY's cell of the current output position, in the backward phase."""
    return {"current"}


# Roles of dY's own cells that its view draws in the backward phase beside the cells of the
# current output position: cells a step reads into a total only ("summed": the dY cells no
# patch of a transposed convolution reaches, which db takes at the last step).
DY_OWN_ROLES = frozenset(("summed",))


def _dy_own_styles(roles: frozenset[str]) -> set[str]:
    return role_styles(roles & DY_OWN_ROLES)


def backward_dy_marks(hl: Highlight) -> Marks:
    """dY's highlight styles in the backward phase: the current output position's cells
    ("current"), and the cells the step reads into a total only (see DY_OWN_ROLES)."""
    at = hl.of("output").map_roles(current_style)
    own = hl.of("grad_output").map_roles(_dy_own_styles).without_empty()
    return at.merged(own) if own else at


def is_constant(values: np.ndarray) -> bool:
    """Whether every finite value is the same one (the colour map is for values that vary)."""
    low, high = extremes(values)  # measured once per array, as its levels and heat map
    if values.size and math.isfinite(low) and math.isfinite(high):
        return low == high  # every value finite: no copy of the finite ones
    finite = values[np.isfinite(values)]
    return bool(finite.size) and bool((finite == finite.flat[0]).all())


def size_by_slot(widget: QWidget, on: bool) -> None:
    """``on``: the grid sizes ``widget`` by its slot's stretch only, never by what it shows
    (the normal layout); off: by its size (the flowing layouts' fixed sizes).

    A view's size hint follows its cells (a table's, a heat map with its magnifier's), and
    where the hints pass the panel Qt shares the shortage by the hints, not by the stretch:
    a 16×16 input's row took 482 px of 602 as a table and 299 as a heat map, so the cells
    the view fitted decided the slot that decides its cells (a loop, and the result depended
    on the history).  A row of the flowing layouts places an ignored size hint at zero width
    (its fixed-size views overlapped): there the views keep their own policy."""
    policy = QSizePolicy.Policy.Ignored if on else QSizePolicy.Policy.Expanding
    if widget.sizePolicy().horizontalPolicy() != policy:
        widget.setSizePolicy(policy, policy)
    if isinstance(widget, MatrixView):
        widget.sized_by_slot = on  # nor by a height for its width


class ViewsPanel(Retranslatable, QWidget):
    """Shows the state's matrices; redraws values on results, highlights on steps."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        # One view per view name of the registry; titles are set with the values.
        self.by_view: dict[str, MatrixView] = {}
        for spec in OPS.values():
            for tensor in spec.tensors:
                if tensor.view and tensor.view not in self.by_view and tensor.name != "grad_bias":
                    view = MatrixView("", tensor.view)
                    view.setParent(self)  # a child even while its operation is not shown
                    view.setVisible(False)
                    self.by_view[tensor.view] = view
        self.input_view = self.by_view["inputMatrix"]
        self.kernel_view = self.by_view["kernelMatrix"]
        self.output_view = self.by_view["outputMatrix"]
        self.mask_view = self.by_view["maskMatrix"]
        self.mask_view.counts = True
        self.grad_output_view = self.by_view["gradOutputMatrix"]
        self.grad_input_view = self.by_view["gradInputMatrix"]
        self.grad_weight_view = self.by_view["gradWeightMatrix"]
        self.grad_weight_view.set_title("dW")
        for view in self.by_view.values():
            # Room under each title, above the column numbers, for the step arrows to run in.
            view.set_title_gap(TITLE_GAP)
        self.bias_label = QLabel("", self)
        self.bias_label.setObjectName("gradBias")
        bias_font = self.bias_label.font()
        bias_font.setPointSizeF(13)
        bias_font.setBold(True)
        self.bias_label.setFont(bias_font)
        # The layouts hold the label's fence: its text changes on every backward step, and a
        # new text of the same size no longer lays the window out again.  Visibility is set on
        # the fence (the label itself stays shown inside it).
        self.bias_slot = LayoutFence(self.bias_label, self)

        # Each per-channel tensor's views sit in a group (one view unless several input
        # channels are shown side by side).
        self.groups: dict[str, PlaneGroup] = {}
        for spec in OPS.values():
            for tensor in spec.tensors:
                grouped = tensor.name in PER_CHANNEL or tensor.name in PER_OUT_CHANNEL
                if grouped and tensor.view in self.by_view:
                    if tensor.view not in self.groups:
                        group = PlaneGroup(self.by_view[tensor.view], self)
                        group.setVisible(False)
                        group.on_extra = self._wire_extra
                        self.groups[tensor.view] = group
        self.channel_block_combobox = QComboBox()
        self.channel_block_combobox.setObjectName("channel_block_combobox")
        self.channel_block_combobox.activated.connect(state.select_channel_block)
        self.groups["inputMatrix"].add_selector(self.channel_block_combobox)
        # ... and in the flowing layouts (the lecture's, zoomed in), above their rows.
        self.channel_block_bar = ChannelBlockBar(self)
        self.channel_block_bar.hide()
        bar = self.channel_block_bar
        bar.previous_block_button.clicked.connect(lambda: state.cycle_channel_block(-1))
        bar.next_block_button.clicked.connect(lambda: state.cycle_channel_block(1))
        self._block_tips()

        grid = QGridLayout(self)
        # The step arrows run under the titles (TITLE_GAP), not in a band above the rows.
        grid.setContentsMargins(0, ARCH_GAP, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(ARCH_GAP)
        self.grid = grid
        self._layout_op: str | None = None
        self._layout_key: tuple[str, str, str] | None = None
        self.lecture = False  # the lecture layout (presentation mode)
        self.lecture_cell = 0  # the cell size the lecture layout chose
        # Sizes measured while the lecture layout is chosen (see _measured); None otherwise.
        self._fit_cache: dict[tuple[object, ...], Any] | None = None
        # The numbers' font fraction the lecture's fits measure the tables at (None: each
        # view's own), one of LECTURE_NUMBER_TRIES while the choice tries them.
        self._trial_height: float | None = None
        # Whether the choice at LECTURE_NUMBER_HEIGHT gave the large matrices columns of their
        # own (the larger fractions may then too; see _columns_choice).
        self._base_own = False
        # The largest cell size tried: the lecture's grows with the panel (lecture_cell_most).
        self._cell_most = LECTURE_CELL_RANGE[1]
        self._lecture_box: QVBoxLayout | None = None
        self._lecture_rows: list[QHBoxLayout] = []
        self._lecture_placed: list[list[QWidget | tuple[QWidget, ...]]] = []
        self._lecture_columns_placed: list[QVBoxLayout] = []  # a view with db below it
        # The row of the choice of input channels above the others (see _block_bar_wanted).
        self._lecture_bar_row: QHBoxLayout | None = None
        self._lecture_bar_placed = False
        self._multi = False  # several input channels shown side by side
        # The lecture's large matrices each at its own column width (see _choose_lecture).
        self._own_columns = False
        # The lecture's small matrices (W, dW) one above the other in a column of a row (see
        # _units); chosen with the cell size (_best_lecture_choice).
        self._stack_small = False
        # The lecture's places in two rows chosen by _arranged_choice (None: rows filled in
        # order, a new one where the next place would pass the width).
        self._arrangement: tuple[tuple[Unit, ...], ...] | None = None
        self._zoom_phase_only = False  # zoomed in, only the phase's views fit (see _sync_zoomed)
        self._levels: dict[str, tuple[float, float]] = {}
        self._output_diverging = False
        self._output_black_white = False
        # The input canvas whose colour levels were last computed, and those levels.
        self._x_levels: tuple[np.ndarray, tuple[float, float], bool] | None = None
        # The input canvas's kinds and whether it has padding, inserted zeros, other cells.
        self._canvas_kinds: tuple[np.ndarray, tuple[bool, bool, bool]] | None = None

        self.input_view.sigCellEdited.connect(state.set_input_cell)
        self.kernel_view.sigCellEdited.connect(state.set_kernel_cell)
        self.grad_output_view.sigCellEdited.connect(state.set_grad_output_cell)
        self.zoom = 1.0
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.setInterval(0)
        self._sync_timer.timeout.connect(self.sync_cell_sizes)
        self._arrows_timer = QTimer(self)
        self._arrows_timer.setSingleShot(True)
        self._arrows_timer.setInterval(0)
        for view in self.views():
            view.sigResized.connect(self._sync_timer.start)
        self.output_view.sigCellClicked.connect(self._on_output_clicked)
        self.grad_output_view.sigCellClicked.connect(self._on_output_clicked)
        for view in (self.output_view, self.grad_output_view):
            view.sigCellHovered.connect(self._on_output_hovered)
            view.sigHoverLeft.connect(self._on_hover_left)
        for view in (self.input_view, self.grad_input_view, self.mask_view):
            view.sigCellHovered.connect(self._on_input_hovered)
            view.sigHoverLeft.connect(self._on_hover_left)
        # Hovering a kernel tap lights the window cell it multiplies (and the reverse).
        self.kernel_view.sigCellHovered.connect(self._on_kernel_hovered)
        self.kernel_view.sigHoverLeft.connect(self._on_hover_left)
        # Arrows of the current step, over the views; they follow scrolling and resizing.
        self.arrows = StepArrows(self, self._tensor_views)
        self._arrows_timer.timeout.connect(self._on_arrows_timer)
        # Set while the timer runs for a view's new geometry alone: the arrows are placed
        # again only if the views moved (see StepArrows.moved).
        self._arrows_if_moved = False
        for view in self.views():
            for bar in (view.table.horizontalScrollBar(), view.table.verticalScrollBar()):
                bar.valueChanged.connect(self._arrows_timer_start)
            self._watch_geometry(view)
        self.paused = False  # see set_paused
        state.sigResultsChanged.connect(self._on_results_changed)
        state.sigStepChanged.connect(self._on_step_changed)
        state.sigHoverChanged.connect(self._on_highlights_changed)
        self._on_results_changed()
        self._on_step_changed(state.step)

    def _relayout(self) -> None:
        """Place the operation's views: forward row, gradients below their tensors (or the
        lecture layout's row)."""
        spec = self.state.spec
        self._take_lecture_rows()
        # Several input channels side by side (in the lecture layout: in its one row).
        self._multi = self._wants_multi()
        for name, group in self.groups.items():
            group.release()  # its views go back into the grid, or into it again below
            if self._multi and self._flowing():
                group.assign(self._group_channels(name), self.state.in_channel)
                group.assign_outs(self._group_outs(name))
        # Views that stay keep being shown (and keep the keyboard focus a click gave them).
        if self._flowing():
            keep: list[QWidget] = self._flow_widgets()
        else:
            keep = [self._slot(t.view) for t in spec.tensors if t.view in self.by_view]
            keep += [g.primary for g in self.groups.values() if g in keep]
            if spec.has_tensor("grad_bias"):
                keep.append(self.bias_slot)
        for widget in (*self.views(), *self.groups.values(), self.bias_slot):
            self.grid.removeWidget(widget)
            if widget not in keep:
                widget.setVisible(False)
        for view in self.views():
            view.setMinimumSize(0, 0)
            view.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
            view.hug_cells(False)  # the lecture's (_apply_flow places its views again)
        for widget in (*self.views(), *self.groups.values()):
            size_by_slot(widget, not self._flowing())
        for col in range(self.grid.columnCount()):
            self.grid.setColumnStretch(col, 0)
        # The two rows of the normal layout share the height equally: sized by their
        # contents' hints instead, a view that turned into a heat map (cells too small) got
        # another height, hence another cell size, and flipped back and forth (after max
        # unpooling, max pooling's dX stayed a 13 px heat map).
        for row in (0, 1):
            self.grid.setRowStretch(row, 0 if self._flowing() else 1)
        # The flowing rows' views have fixed sizes: the window may still shrink (the rows then
        # get smaller cells), so their sum is not the panel's minimum (zoomed in, it made the
        # window 8 px taller than the screen it was given, and it stayed so after the zoom).
        least = 1 if self._flowing() else 0
        self.setMinimumSize(least, least)
        self._layout_key = self._wanted_layout()
        if self._flowing():
            for tensor in spec.tensors:
                if tensor.view in self.by_view:
                    self.by_view[tensor.view].set_editable(tensor.editable)
            for widget in keep:
                widget.setVisible(True)
            self._layout_op = spec.key
            self._place_lecture([keep])
            return
        columns: dict[str, int] = {}
        for tensor in spec.tensors:
            if tensor.view and tensor.name not in GRADIENTS:
                col = len(columns)
                columns[tensor.name] = col
                self.grid.addWidget(self._slot(tensor.view), 0, col)
                self.grid.setColumnStretch(col, STRETCH.get(tensor.name, 2))
        for tensor in spec.tensors:
            if tensor.view and tensor.name in GRADIENTS:
                col = columns.get(tensor.grad_of, len(columns))
                if tensor.name == "grad_bias":
                    self.grid.addWidget(self.bias_slot, 2, col)
                    self.bias_slot.setVisible(True)
                    continue
                self.grid.addWidget(self._slot(tensor.view), 1, col)
        for tensor in spec.tensors:
            if tensor.view in self.by_view:
                view = self.by_view[tensor.view]
                self._slot(tensor.view).setVisible(True)
                view.setVisible(True)
                view.set_editable(tensor.editable)
        self._layout_op = spec.key

    def retranslate_ui(self) -> None:
        """Titles and tooltips in the current language (no values are redrawn)."""
        self._update_titles(self.state.input_canvas()[1])
        self._block_tips()
        self._show_channel_selector()
        if self._multi:
            self._update_planes()  # the planes' own titles

    def _block_tips(self) -> None:
        self.channel_block_combobox.setToolTip(
            tr("Which input channels are shown, four at a time (keys I, Shift+I)")
        )
        bar = self.channel_block_bar
        bar.previous_block_button.setToolTip(tr("Previous input channels (Shift+I)"))
        bar.next_block_button.setToolTip(tr("Next input channels (I)"))

    def _update_titles(self, kinds: np.ndarray) -> None:
        """Titles (they name the sizes) and tooltips; ``kinds`` are the input canvas's."""
        st = self.state
        spec = st.spec
        h, w = st.x.shape[2:]
        size = f"{h}×{w}"
        # Views that show the trace's own data (a transposed convolution computed as a
        # convolution: the zero-inserted canvas, the flipped kernel) say so in their titles.
        shown = st.results.trace.shown_as
        # Which kinds of cells the canvas has, once per canvas (three passes over a 1024²
        # plane on every edit otherwise; the state gives the same array while X and its
        # ring stay).
        if self._canvas_kinds is None or self._canvas_kinds[0] is not kinds:
            found = (bool((kinds == PADDING).any()), bool((kinds == INSERTED).any()))
            self._canvas_kinds = (kinds, (*found, bool((kinds != INPUT).any())))
        has_padding, has_inserted, has_other = self._canvas_kinds[1]
        out_tag, in_tag = self._channel_tags()
        if "input" in shown:
            canvas = f"{kinds.shape[0]}×{kinds.shape[1]}"
            title = tr("{title}  ({size})").format(title=tr(shown["input"]), size=canvas)
        elif has_padding and in_tag:
            pad = format_number(spec.pad_value)
            title = tr("Input X[{channel}]  ({size}, padded with {value})").format(
                channel=in_tag, size=size, value=pad
            )
        elif has_padding:
            pad = format_number(spec.pad_value)
            title = tr("Input X  ({size}, padded with {value})").format(size=size, value=pad)
        elif in_tag:
            title = tr("Input X[{channel}]  ({size})").format(channel=in_tag, size=size)
        else:
            title = tr("Input X  ({size})").format(size=size)
        canvas_size = f"{kinds.shape[0]}×{kinds.shape[1]}" if "input" in shown else size
        symbol = f"X[{in_tag}]" if in_tag and "input" not in shown else "X"
        self.input_view.set_title(title, f"{symbol}  ({canvas_size})")
        if has_inserted:
            tip = tr(
                "Coloured cells: the input X. Pale cells: zeros inserted between input cells "
                "(stride − 1 of them). Grey cells: padding zeros."
            )
        elif has_other:
            tip = tr(
                "Grey cells: padding (−∞ for max pooling, so it never wins; 0 otherwise). "
                "Hatched cells: beyond the padding, only reached by ceil_mode windows (never read)."
            )
        else:
            tip = ""
        if st.dropped_outlines():
            dropped = tr(
                "Dashed outline: a window PyTorch drops. With ceil_mode it would start outside "
                "the input (or in its right padding), so it is never computed and has no output."
            )
            tip = f"{tip}\n{dropped}" if tip else dropped
        self.input_view.setToolTip(tip)
        oh, ow = st.results.output.shape[-2:]
        if out_tag:
            # Which output channel Y shows (the step's cells are that channel's).
            self.output_view.set_title(
                tr("Output Y[{channel}]  ({size})").format(channel=out_tag, size=f"{oh}×{ow}"),
                f"Y[{out_tag}]  ({oh}×{ow})",
            )
            # ... and its dY (each output channel has its own; the sentence writes
            # dY[o, i, j]).
            title = tr("Upstream gradient dY[{channel}]").format(channel=out_tag)
            self.grad_output_view.set_title(title, f"dY[{out_tag}]")
        else:
            self.output_view.set_title(
                tr("Output Y  ({size})").format(size=f"{oh}×{ow}"), f"Y  ({oh}×{ow})"
            )
            self.grad_output_view.set_title(tr("Upstream gradient dY"), "dY")
        if spec.has_weight:
            kh, kw = st.results.geometry.kernel
            size = f"{kh}×{kw}"
            if st.weight.shape[0] > 1 or st.weight.shape[1] > 1:
                # Which slice of the 4-D weight, indexed as PyTorch does (conv2d: output
                # channel, input channel; conv_transpose2d: input channel first).
                # Spelled as dW's title and the planes' (PLANE_TITLES): "W[4,0]", one
                # spelling for one slice.
                c_in, c_out = st.in_channel, st.plane[1]
                index = (c_in, c_out) if spec.weight_in_axis == 0 else (c_out, c_in)
                size += f", W[{index[0]},{index[1]}]"
            if "weight" in shown:
                # The flipped kernel keeps "flipped" in every form: a narrow view's "W (2×2)"
                # named the flipped [[3, 2], [1, 0]] as W, which every other view shows as
                # [[0, 1], [2, 3]].
                flipped = tr(shown["weight"])
                title = tr("{title}  ({size})").format(title=flipped, size=size)
                self.kernel_view.set_title(title, flipped, f"{flipped}\n({size})")
            else:
                title = tr("Kernel W  ({size})").format(size=size)
                self.kernel_view.set_title(title, f"W  ({size})")
            self.grad_weight_view.set_title(
                tr(shown["grad_weight"]) if "grad_weight" in shown else "dW"
            )
        if spec.has_tensor("mask") and in_tag:
            # Pooling several channels: the mask is the shown channel's, as X's and dX's are.
            self.mask_view.set_title(
                tr("Argmax mask[{channel}]  (wins per cell)").format(channel=in_tag),
                tr("mask[{channel}]").format(channel=in_tag),
            )
        elif spec.has_tensor("mask"):
            self.mask_view.set_title(tr("Argmax mask  (wins per cell)"), tr("mask"))
        for tensor in spec.tensors:
            if tensor.title and tensor.view in self.by_view:
                shape = st.results.arrays[tensor.name].shape[-2:]
                title = tr("{title}  ({size})").format(
                    title=tr(tensor.title), size=f"{shape[0]}×{shape[1]}"
                )
                short = f"{tensor.symbol}  ({shape[0]}×{shape[1]})"
                self.by_view[tensor.view].set_title(title, short)
        self._update_step_titles()

    def _channel_tags(self) -> tuple[str, str]:
        """Which channels the single views show, as their titles write it: ``("o=1", "")``
        for a convolution with several output channels (its input planes are titled by
        channel on their own, see PLANE_TITLES), ``("c=1", "c=1")`` for pooling several
        channels (each pooled on its own), empty where there is one channel."""
        st = self.state
        if st.out_channel_count <= 1:
            return "", ""
        tag = f"{'o' if st.spec.has_weight else 'c'}={st.out_channel}"
        return tag, "" if st.spec.has_weight else tag

    def _weight_slice(self) -> str:
        """The kernel slice W and dW show, as the arithmetic indexes it ("1,0": conv2d's
        output channel 1, input channel 0; conv_transpose2d's input channel first), or ""
        for a weight of one slice."""
        st = self.state
        if not st.spec.has_weight or (st.weight.shape[0] <= 1 and st.weight.shape[1] <= 1):
            return ""
        c_in, c_out = st.in_channel, st.out_channel
        index = (c_in, c_out) if st.spec.weight_in_axis == 0 else (c_out, c_in)
        return f"{index[0]},{index[1]}"

    def _update_step_titles(self) -> None:
        spec = self.state.spec
        shown = self.state.results.trace.shown_as
        if spec.has_tensor("grad_weight") and "grad_weight" not in shown and not self._multi:
            # dW fills in step by step like dX: its title says so in the backward phase (the
            # planes of several channels are titled by channel instead).
            backward = self.state.phase == "backward"
            # Which kernel slice's gradient (of several output channels: the shown one's).
            where = self._weight_slice()
            symbol = f"dW[{where}]" if where else "dW"
            if backward and where:
                self.grad_weight_view.set_title(
                    tr("dW[{w}]  so far").format(w=where),
                    symbol,
                    tr("dW[{w}] so far", "a narrow view's title").format(w=where),
                )
            elif backward:
                # A shorter wording before the bare "dW": the lecture layout's narrow dW view
                # has room for "dW  so far" but not for Chinese "dW（到目前为止）", which fell
                # back to "dW" (only the English title said the values were partial).
                self.grad_weight_view.set_title(
                    tr("dW  so far"), "dW", tr("dW so far", "a narrow view's title")
                )
            else:
                self.grad_weight_view.set_title(symbol, symbol)
        if "grad_input" in shown:
            self.grad_input_view.set_title(tr(shown["grad_input"]))
            return
        if spec.has_tensor("grad_input") and spec.tensor("grad_input").title:
            return  # an operation's own title (set with the values)
        if self._multi:
            return  # one plane per channel, titled by channel (set with the values)
        # dX sums every output channel's terms: only pooling's (one channel each) is tagged.
        tag = self._channel_tags()[1]
        if self.state.phase == "backward" and tag:
            title = tr("Input gradient dX[{channel}]  so far").format(channel=tag)
            self.grad_input_view.set_title(title, f"dX[{tag}]")
        elif self.state.phase == "backward":
            self.grad_input_view.set_title(tr("Input gradient dX  so far"), "dX")
        elif tag:
            title = tr("Input gradient dX[{channel}]").format(channel=tag)
            self.grad_input_view.set_title(title, f"dX[{tag}]")
        else:
            self.grad_input_view.set_title(tr("Input gradient dX"), "dX")

    def views(self) -> list[MatrixView]:
        """Every matrix view: one per view name, and the extra planes made so far."""
        extras = [
            view for group in self.groups.values() for view in (*group.extras, *group.out_extras)
        ]
        return [*self.by_view.values(), *extras]

    def _slot(self, view: str) -> QWidget:
        """What goes into the grid for view ``view``: its group of planes while several
        input channels are shown, else the view itself."""
        group = self.groups.get(view) if self._multi else None
        return group or self.by_view[view]

    def _wire_extra(self, view: MatrixView) -> None:
        """A new extra plane: edits go to its channel, hovering it links like the main one."""
        view.set_title_gap(self._title_gap())
        view.set_number_height(LECTURE_NUMBER_HEIGHT if self.lecture else NUMBER_HEIGHT)
        view.set_note_least(LECTURE_NOTE_MIN_PX if self.lecture else 0)
        view.set_header_most(LECTURE_HEADER_MOST_PX if self.lecture else HEADER_MOST_PX)
        view.set_typing_edits(not self.lecture)
        size_by_slot(view, not self._flowing())
        view.sigResized.connect(self._sync_timer.start)
        for bar in (view.table.horizontalScrollBar(), view.table.verticalScrollBar()):
            bar.valueChanged.connect(self._arrows_timer_start)
        self._watch_geometry(view)

        def edited(row: int, col: int, value: float) -> None:
            group = view.parentWidget()
            channel = group.channel_of(view) if isinstance(group, PlaneGroup) else None
            if channel is None:
                return  # another output channel's plane: shown, not edited here
            if group is self.groups["inputMatrix"]:
                self.state.set_input_cell(row, col, value, channel=channel)
            elif group is self.groups["kernelMatrix"]:
                self.state.set_kernel_cell(row, col, value, channel=channel)

        view.sigCellEdited.connect(edited)

    # ---- lecture layout -----------------------------------------------------------------------
    def lecture_views(self) -> list[MatrixView]:
        """The views the lecture layout shows for the current phase, in row order (several
        input channels: each plane the step reads, in channel order)."""
        return self._views_of(list(self.state.spec.lecture_tensors(self.state.phase)))

    def _lecture_bias_shown(self) -> bool:
        spec = self.state.spec
        return (
            self.state.phase == "backward"
            and spec.has_tensor("grad_bias")
            and self.state.results.grad_bias is not None
        )

    def _views_of(self, tensors: list) -> list[MatrixView]:
        """The views of ``tensors`` in order (each plane of several input channels)."""
        views: list[MatrixView] = []
        for tensor in tensors:
            if tensor.view not in self.by_view:
                continue
            group = self.groups.get(tensor.view) if self._multi else None
            if group is not None and group.channels:
                if self._outs_flow():
                    in_first = self.state.spec.weight_in_axis == 0 and tensor.name == "weight"
                    views += group.ordered(self.state.plane[1], in_first)
                else:
                    views += [group.channels[c] for c in sorted(group.channels)]
            else:
                views.append(self.by_view[tensor.view])
        return views

    def _every_view(self) -> list[MatrixView]:
        """Every view of the operation, as the normal layout reads them: its tensors, then
        their gradients."""
        shown = [t for t in self.state.spec.tensors if t.view]
        return self._views_of([t for t in shown if not t.grad_of] + [t for t in shown if t.grad_of])

    def flow_views(self) -> list[MatrixView]:
        """The views the flowing layout shows: the lecture's, or zoomed in every view (the
        current phase's only where they do not fit together)."""
        if self.lecture or self._zoom_phase_only:
            return self.lecture_views()
        return self._every_view()

    def _flow_bias_shown(self) -> bool:
        if self.lecture or self._zoom_phase_only:
            return self._lecture_bias_shown()
        return self.state.spec.has_tensor("grad_bias") and self.state.results.grad_bias is not None

    def _flow_widgets(self) -> list[QWidget]:
        widgets: list[QWidget] = list(self.flow_views())
        if self._flow_bias_shown():
            widgets.append(self.bias_slot)
        return widgets

    def _take_lecture_rows(self) -> None:
        """Take the lecture layout's rows out of the grid (their widgets stay children)."""
        for row, widgets in zip(self._lecture_rows, self._lecture_placed, strict=True):
            for entry in widgets:
                if not isinstance(entry, tuple):
                    row.removeWidget(entry)
                    continue
                for column in self._lecture_columns_placed:
                    if column.indexOf(entry[0]) >= 0:
                        for widget in entry:
                            column.removeWidget(widget)
                        row.removeItem(column)
                        column.setParent(None)
                        column.deleteLater()
        self._lecture_columns_placed = []
        if self._lecture_bar_row is not None:
            self._lecture_bar_row.removeWidget(self.channel_block_bar)
            self.channel_block_bar.hide()
            if self._lecture_box is not None:
                self._lecture_box.removeItem(self._lecture_bar_row)
            self._lecture_bar_row.setParent(None)
            self._lecture_bar_row.deleteLater()
            self._lecture_bar_row = None
        self._lecture_bar_placed = False
        if self._lecture_box is not None:
            self.grid.removeItem(self._lecture_box)
            for row in self._lecture_rows:
                self._lecture_box.removeItem(row)
                row.setParent(None)
                row.deleteLater()
            self._lecture_box.setParent(None)
            self._lecture_box.deleteLater()
        self._lecture_box = None
        self._lecture_rows = []
        self._lecture_placed = []

    def _place_lecture(self, rows: list[list[QWidget | tuple[QWidget, ...]]]) -> None:
        """Put ``rows`` of widgets in the grid, each row centred, the rows centred; a tuple
        of widgets is a column of them (a view with the bias label below)."""
        bar = self._block_bar_wanted()
        if rows == self._lecture_placed and self._lecture_box is not None:
            if bar == self._lecture_bar_placed:
                return
        self._take_lecture_rows()
        # Each layout goes into its parent while still empty: the binding's addLayout gives
        # the parent a Python wrapper of every item the added layout already holds, stretches
        # too, and keeps them; the rows' stretches, deleted with the rows on the next change,
        # left wrappers at addresses Qt reuses (a table's horizontalScrollBar() came back as
        # a dead QSpacerItem's wrapper).  Stretches added afterwards get no wrapper.
        box = QVBoxLayout()
        box.setSpacing(LECTURE_ROW_SPACING)
        self.grid.addLayout(box, 0, 0)
        box.addStretch(1)
        if bar:
            # Centred over the rows, where the titles' numbers change with it.
            line = QHBoxLayout()
            line.setSpacing(0)
            box.addLayout(line)
            line.addStretch(1)
            line.addWidget(self.channel_block_bar)
            line.addStretch(1)
            self._lecture_bar_row = line
            self.channel_block_bar.setVisible(True)
        for widgets in rows:
            row = QHBoxLayout()
            row.setSpacing(LECTURE_SPACING)
            box.addLayout(row)
            row.addStretch(1)
            for widget in widgets:
                if isinstance(widget, tuple):
                    column = QVBoxLayout()
                    column.setSpacing(LECTURE_ROW_SPACING)
                    row.addLayout(column)
                    for part in widget:
                        column.addWidget(part, 0, Qt.AlignmentFlag.AlignLeft)
                    column.addStretch(1)
                    self._lecture_columns_placed.append(column)
                    continue
                row.addWidget(widget, 0, Qt.AlignmentFlag.AlignTop)
            row.addStretch(1)
            self._lecture_rows.append(row)
        box.addStretch(1)
        self._lecture_box = box
        self._lecture_placed = [list(r) for r in rows]
        self._lecture_bar_placed = bar

    def _units(self, views: list[MatrixView]) -> list[Unit]:
        """The places of ``views`` in the flowing rows: each view alone, or where the small
        matrices are stacked (_stack_small) the small ones (at most LECTURE_SMALL_COLUMNS
        columns: W and dW, max unpooling's 4×4 pooled values and indices) one above the
        other at the first one's place.  Convolution's backward at 1366×768 had two rows of
        8×8 matrices bound by the height and W and dW each a column of the rows' width;
        max unpooling's forward a row of 24 columns for 42 px cells where its two 4×4
        matrices stand as high as one 8×8."""
        small = [view for view in views if view.model.values.shape[1] <= LECTURE_SMALL_COLUMNS]
        if not self._stack_small or self._multi or len(small) < 2:
            return [(view,) for view in views]
        # The views the step writes on top: an arrow comes down into them from above the row
        # (into dW under W it ran down across W's numbers).
        written = self._written_views()
        small.sort(key=lambda view: view not in written)
        units: list[Unit] = []
        for view in views:
            if view is small[0]:
                units.append(tuple(small))
            elif view not in small:
                units.append((view,))
        return units

    def _written_views(self) -> list[MatrixView]:
        """The views of the tensors the current phase's steps write (the arrows' targets):
        the output forward, the computed gradients backward."""
        roles = ("output",) if self.state.phase == "forward" else ("grad_input", "grad_weight")
        return self._views_of([t for t in self.state.spec.tensors if t.role in roles])

    def _unit_extent(
        self,
        unit: Unit,
        cell: int,
        columns: dict[MatrixView, int],
        close_ups: CloseUps,
        bias_under: MatrixView | None,
    ) -> tuple[int, int]:
        """The size of a place in a flowing row: its views one above the other (the bias
        label under ``bias_under`` when that is one of them)."""
        width = height = 0
        for view in unit:
            w, h = self._extent(view, cell, columns[view], close_ups)
            if view is bias_under:
                w, h = self._with_bias(w, h)
            width = max(width, w)
            height += h + (LECTURE_ROW_SPACING if height else 0)
        return width, height

    def _lecture_fit(
        self,
        views: list[MatrixView],
        cell: int,
        width: int,
        close_ups: CloseUps | None = None,
        break_at: MatrixView | None = None,
    ) -> tuple[list[list[Unit]], int]:
        """The views in rows at cell size ``cell`` (a new row where the next place would pass
        ``width``, and at ``break_at``) and the height of all the rows; ``close_ups``: the
        views drawn as a heat map with a close-up, and how (see :meth:`_extent`).  Each row
        holds places (see :meth:`_units`)."""
        rows: list[list[Unit]] = []
        used = 0
        height = 0
        row_height = 0
        close_ups = close_ups or {}
        columns = self._lecture_columns(views, cell, close_ups)
        bias = views[-1] if self._flow_bias_shown() and views else None
        if self._arrangement is not None:
            # Rows as arranged: a row wider than ``width`` does not fit (as a panel's height).
            for row in self._arrangement:
                extents = [self._unit_extent(u, cell, columns, close_ups, bias) for u in row]
                if sum(w for w, _ in extents) + LECTURE_SPACING * (len(row) - 1) > width:
                    height += QWIDGETSIZE_MAX
                height += max(h for _, h in extents)
            rows = [list(row) for row in self._arrangement]
            return rows, height + LECTURE_ROW_SPACING * (len(rows) - 1)
        for unit in self._units(views):
            w, h = self._unit_extent(unit, cell, columns, close_ups, bias)
            if rows and unit[0] is not break_at and used + LECTURE_SPACING + w <= width:
                rows[-1].append(unit)
                used += LECTURE_SPACING + w
                row_height = max(row_height, h)
                continue
            if rows:
                height += row_height + LECTURE_ROW_SPACING
            rows.append([unit])
            used, row_height = w, h
        return rows, height + row_height

    def _lecture_columns(
        self, views: list[MatrixView], cell: int, close_ups: CloseUps
    ) -> dict[MatrixView, int]:
        """The column width of each view's tables at cell size ``cell``: the large matrices
        share the widest their numbers need, a small one (a kernel, its gradient) widens for
        its own (see :func:`~visualizer.model.present.shared_columns`).  A close-up's (0)
        columns are as wide as its own numbers need: one cell height for the
        figure, but convolution's dW of three-digit sums no longer widens every close-up (at
        1366×768 its columns cost a 28×28 input's backward row a third of its cell size)."""
        tables = [view for view in views if view not in (close_ups or {})]
        fraction = self._trial_height
        needs = [
            self._measured(("column", view, cell, fraction), view.column_need, cell, fraction)
            for view in tables
        ]
        shapes = [view.model.values.shape[:2] for view in tables]
        columns = dict.fromkeys(views, 0)
        # The tables beside close-ups too: W as wide as dW (its 3×3 columns were half dW's).
        alone = [self.widens_alone(view) for view in tables]
        shared = shared_columns(shapes, needs, self._own_columns, alone)
        columns.update(zip(tables, shared, strict=True))
        return columns

    def widens_alone(self, view: MatrixView) -> bool:
        """Whether ``view``'s columns may widen for its own numbers alone in the lecture layout
        (see :func:`~visualizer.model.present.shared_columns`): a kernel's or its gradient's
        (W, dW and their planes), whose sums are another kind of number than the tensors'."""
        kernels = (self.groups["kernelMatrix"], self.groups["gradWeightMatrix"])
        return any(view is group.primary or view in group.extras for group in kernels)

    def _measured(self, key: tuple[object, ...], measure: Callable[..., Any], *args: object) -> Any:
        """``measure(*args)``, once per ``key`` while a lecture layout is chosen (its search
        asks for the same view's size at the same cell size in each arrangement it tries)."""
        cache = self._fit_cache
        if cache is None:
            return measure(*args)
        if key not in cache:
            cache[key] = measure(*args)
        return cache[key]

    def _extent(
        self, view: MatrixView, cell: int, column: int, close_ups: CloseUps
    ) -> tuple[int, int]:
        """The size ``view`` needs at cell size ``cell``: as a table (or a heat map), or with
        its close-up (``close_ups[view]``: margin, beside the heat map, heat map side)."""
        if view in close_ups:
            margin, beside, heat = close_ups[view]
            need = self._measured(("close", view, cell), view.close_up_column_need, cell)
            column = max(column, need)
            return self._measured(
                ("close-up", view, cell, column, margin, beside, heat),
                view.close_up_extent,
                cell,
                column,
                margin,
                beside,
                heat,
            )
        fraction = self._trial_height
        return self._measured(
            ("table", view, cell, column, fraction), view.extent, cell, column, fraction
        )

    def _largest_cell(
        self,
        views: list[MatrixView],
        width: int,
        height: int,
        most: int,
        close_ups: CloseUps | None = None,
    ) -> int:
        """The largest cell at which the views fit in at most ``most`` rows of ``width`` and
        in ``height`` (binary search: sizes grow with the cell)."""
        fits = self._fits_in(views, width, height, most)
        low = LECTURE_CELL_RANGE[0]
        return largest_fitting(low, self._cell_most, lambda cell: fits(cell, close_ups))

    def _fits_in(
        self, views: list[MatrixView], width: int, height: int, most: int
    ) -> Callable[[int, CloseUps | None], bool]:
        """Whether the views at a cell size, with those close-ups, fit in at most ``most`` rows
        of ``width`` and in ``height``."""

        def fits(cell: int, close_ups: CloseUps | None) -> bool:
            rows, needed = self._lecture_fit(views, cell, width, close_ups)
            if len(rows) > most or needed > height:
                return False
            # A view alone in its row may still be wider than the panel: adaptive average
            # pooling's 16×16 dX beside its close-up of ten "0.01563" columns took 1660 of
            # 1358 px at 1366×768, its last columns off the window.
            shown = close_ups or {}
            columns = self._lecture_columns(views, cell, shown)
            return all(
                self._extent(view, cell, columns[view], shown)[0] <= width
                for row in rows
                if len(row) == 1
                for view in row[0]
            )

        return fits

    def _close_up_choice(
        self, views: list[MatrixView], width: int, height: int, readable: int
    ) -> tuple[int, CloseUps, int] | None:
        """The lecture layout of large matrices (issue 10, point 7): the largest ones drawn
        as heat maps with close-ups whose cells share the row's cell size, so that the
        numbers of the step (the window's, the output cell's, and a ring of cells around
        them) are as large as a table's.  Tried: the largest 1, 2, … matrices with
        close-ups, beside or below their heat maps, in one or two rows, with two cells
        around the step's or one.  Of those whose cells reach ``readable`` pixels (two
        cells around where any does), the one with the largest heat maps at that cell
        size wins: the numbers are as large as the hall needs, the maps take the rest of
        the room (cells as large as they could be left the maps a strip, a third of the
        row's width empty).  Where none does, the one with the largest cells.  Returns the
        cell size, the close-ups (their heat maps grown) and the rows; None without large
        matrices."""
        # Several input channels' planes side by side: a plane larger than its close-up's box
        # is large (four 8×8 planes were tables of 9 px digits at 1024×768).
        most = LECTURE_PLANES_TABLE_MOST if self._multi else LECTURE_TABLE_MOST
        large = [
            view
            for view in views
            if view.can_close_up()
            and max(view.read_shape()) > most
            and view.close_up_box(MAGNIFIER_MARGIN) != view.canvas_shape()
        ]
        if not large:
            return None
        large.sort(key=lambda view: -max(view.canvas_shape()))
        tried: list[tuple[int, CloseUps, int]] = []
        readable_ones: list[tuple[int, CloseUps, int]] = []
        for margin in (MAGNIFIER_MARGIN, 1):
            # Matrices of one size are drawn alike: all with close-ups or none (three of four
            # input planes had close-ups, the fourth was a table).
            counts = [
                k
                for k in range(1, len(large) + 1)
                if k == len(large) or large[k - 1].canvas_shape() != large[k].canvas_shape()
            ]
            for count in counts:
                for beside in (False, True):
                    close_ups = {v: (margin, beside, LECTURE_HEAT_LEAST) for v in large[:count]}
                    for most in (1, 2):
                        cell = self._largest_cell(views, width, height, most, close_ups)
                        tried.append((cell, close_ups, most))
                        if cell >= readable:
                            readable_ones.append(tried[-1])
            if readable_ones:
                break  # the ring of two cells fits at a readable size
        if not readable_ones:
            cell, close_ups, most = max(tried, key=lambda t: t[0])  # the first of the largest
            return cell, self._grown_heat(views, cell, width, height, most, close_ups), most
        best: tuple[tuple[int, int], tuple[int, CloseUps, int]] | None = None
        for _, close_ups, most in readable_ones:
            grown = self._grown_heat(views, readable, width, height, most, close_ups)
            cell = self._largest_cell(views, width, height, most, grown)
            key = (next(iter(grown.values()))[2], cell)
            if best is None or key > best[0]:
                best = (key, (cell, grown, most))
        assert best is not None
        return best[1]

    def _grown_heat(
        self,
        views: list[MatrixView],
        cell: int,
        width: int,
        height: int,
        most: int,
        close_ups: CloseUps,
    ) -> CloseUps:
        """The close-ups' heat maps as large as the room left at cell size ``cell`` allows
        (the same side for each)."""

        def grown(side: int) -> CloseUps:
            return {v: (m, b, side) for v, (m, b, _) in close_ups.items()}

        fits = self._fits_in(views, width, height, most)
        side = largest_fitting(
            LECTURE_HEAT_LEAST, max(LECTURE_HEAT_LEAST, height), lambda s: fits(cell, grown(s))
        )
        return grown(side)

    def _sync_lecture(self) -> None:
        """One cell size for every view of the lecture row: the largest at which the row fits
        the panel (times the zoom; a zoomed row wraps into more rows), each view exactly as
        large as its matrix needs.  Where that leaves numbers too small for the hall, the
        large matrices are drawn as heat maps with close-ups (see _close_up_choice)."""
        views = self.lecture_views()
        if not views:
            return
        pending = self._sync_timer.isActive()
        measured = self._lecture_measure_state(views)
        self._fit_cache = {}
        try:
            self._choose_lecture(views)
        finally:
            self._fit_cache = None
        if not pending and self._lecture_measure_state(self.lecture_views()) == measured:
            # The views given their fixed sizes asked for a fit (sigResized), but they measure
            # as they did for this one: a fit would choose the same layout again (entering
            # the lecture layout chose it twice before its first paint).  Where this fit
            # changed how a view is drawn (a heat map turned into a table, a shorter title),
            # it was measured as it was drawn before: the fit before the paint stays.
            self._sync_timer.stop()

    def _lecture_measure_state(self, views: list[MatrixView]) -> tuple[object, ...]:
        """What the lecture layout's choice reads besides the views' data (see
        :meth:`MatrixView.measure_state`)."""
        return (
            self._flow_room(),
            self._flow_bias_shown(),
            self.bias_slot.sizeHint().toTuple(),
            self.zoom,
            tuple(views),
            tuple(view.measure_state() for view in views),
        )

    def _choose_lecture(self, views: list[MatrixView]) -> None:
        """The lecture's cell size, rows and close-ups, applied.  The large matrices share
        one column width unless that costs the cells their height: LP pooling's backward
        gave X's integers the columns of dX's "0.04336" (79×23 px cells at 1024×768); each
        then takes the width its own numbers need, at one row height and font for all."""
        width, height = self._flow_room()
        self._set_cell_most(views, lecture_cell_most(width, height))
        (cell, rows, close_ups), fraction = self._number_choice(views, width, height)
        for view in self.views():
            view.set_number_height(fraction)
        self._apply_flow(views, rows, cell, close_ups)

    def _number_choice(
        self, views: list[MatrixView], width: int, height: int
    ) -> tuple[tuple[int, list[list[Unit]], CloseUps | None], float]:
        """The lecture's choice (see _best_lecture_choice) at the numbers' font fraction of
        LECTURE_NUMBER_TRIES that draws the larger digits, and that fraction.  One fraction
        for every layout left the digits of the layouts bound by the height small: at
        1366×768 convolution's backward (two rows, 38 px cells) drew 18 px digits, their
        columns with room to spare, and LP pooling's backward 14 px digits at 1024×768.  A
        larger fraction widens the columns of long numbers: where that costs more cell
        than it gives font, the smaller one wins.  Close-ups are measured at their views'
        own fraction (LECTURE_NUMBER_HEIGHT)."""
        best: tuple[tuple[int, ...], tuple[int, list[list[Unit]], CloseUps | None], float]
        best = ((-1, -1, -1), (0, [], None), LECTURE_NUMBER_HEIGHT)
        flags = (False, False)  # (_own_columns, _stack_small) as the best choice left them
        self._base_own = False
        base_px = 0
        try:
            # LECTURE_NUMBER_HEIGHT first: the larger fractions follow its columns.
            tries = sorted(LECTURE_NUMBER_TRIES, key=lambda f: f != LECTURE_NUMBER_HEIGHT)
            for fraction in tries:
                self._trial_height = fraction
                choice = self._best_lecture_choice(views, width, height)
                if fraction == LECTURE_NUMBER_HEIGHT:
                    self._base_own = self._own_columns
                if choice[2] and fraction != LECTURE_NUMBER_HEIGHT:
                    continue  # close-ups: at their own fraction
                cell = choice[0]
                px = self._number_px(views, cell, fraction)
                if fraction == LECTURE_NUMBER_HEIGHT:
                    base_px = px
                elif px < LECTURE_NUMBER_GAIN * base_px:
                    continue  # a pixel more is no gain for cells two pixels smaller
                # The larger font; of equal ones, the larger cell (more room around it).
                key = (int(cell >= MIN_NUMBER_CELL), px, cell)
                if key > best[0]:
                    best = (key, choice, fraction)
                    flags = (self._own_columns, self._stack_small)
            # The flags as for the winner, without choosing it once more (each choice costs
            # 10-30 ms on convolution's backward, and entering the lecture layout chooses).
            self._own_columns, self._stack_small = flags
            return best[1], best[2]
        finally:
            self._trial_height = None

    def _best_lecture_choice(
        self, views: list[MatrixView], width: int, height: int
    ) -> tuple[int, list[list[Unit]], CloseUps | None]:
        """The lecture's choice (see _columns_choice), with the small matrices (W, dW) one
        above the other where that makes the cells larger (the flags _stack_small and
        _own_columns are left as chosen)."""
        self._stack_small = False
        choice = self._columns_choice(views, width, height)
        if len(self._units(views)) == len(views) and not self._multi:
            self._stack_small = True
            if len(self._units(views)) < len(views):
                own = self._own_columns
                stacked = self._columns_choice(views, width, height)
                if stacked[0] > choice[0]:
                    return self._arranged_choice(views, width, height, stacked)
                self._own_columns = own
            self._stack_small = False
        return self._arranged_choice(views, width, height, choice)

    def _arranged_choice(
        self,
        views: list[MatrixView],
        width: int,
        height: int,
        choice: tuple[int, list[list[Unit]], CloseUps | None],
    ) -> tuple[int, list[list[Unit]], CloseUps | None]:
        """``choice``'s two rows of tables, or the places split otherwise between two rows
        (each row in the spec's order, the first place on the top row) where that makes the
        cells larger.  Rows filled in order put convolution's dY (7×7) and X (8×8) on the
        top row and dX (8×8) below: sixteen cells of height for 36 px cells at 1366×768
        beside the text; dY, W and dW over X and dX take fifteen."""
        _, rows, close_ups = choice
        units = [unit for row in rows for unit in row]
        if close_ups or self._multi or len(units) > 6 or self.zoom < 1.0:
            return choice
        if self.zoom == 1.0 and len(rows) != 2:
            return choice  # one row: two only for clearly larger cells (_lecture_choice)
        # Zoomed in, never smaller cells than unzoomed: the rows as arranged where the zoomed
        # rows filled in order are smaller.
        best = choice
        try:
            for mask in range(2, 2 ** len(units), 2):  # the first place stays on top
                top = tuple(u for i, u in enumerate(units) if not mask >> i & 1)
                below = tuple(u for i, u in enumerate(units) if mask >> i & 1)
                self._arrangement = (top, below)
                # Searched only where one pixel more than the best so far fits (cells grow
                # with the room): most splits are dismissed by one fit.
                if not self._fits_in(views, width, height, 2)(best[0] + 1, None):
                    continue
                arranged = self._largest_cell(views, width, height, 2)
                if arranged > best[0]:
                    best = (arranged, [list(top), list(below)], None)
        finally:
            self._arrangement = None
        return best

    def _columns_choice(
        self, views: list[MatrixView], width: int, height: int
    ) -> tuple[int, list[list[Unit]], CloseUps | None]:
        """The lecture's choice (see _lecture_choice) with one column width for the large
        matrices, or each its own where that makes the cells clearly larger (the flag
        _own_columns is left as chosen)."""
        self._own_columns = False
        choice = self._lecture_choice(views, width, height)
        # A larger font than LECTURE_NUMBER_HEIGHT in columns of their own only where that
        # font's choice has them (LP pooling's X beside dX's "0.04336"): the figure's matrices
        # otherwise keep one column width (convolution's backward at 1024×768 gave X columns
        # of 51 px beside dY's and dX's 36).
        larger = (self._trial_height or LECTURE_NUMBER_HEIGHT) > LECTURE_NUMBER_HEIGHT
        if (not larger or self._base_own) and self._columns_differ(views, choice[0]):
            self._own_columns = True
            own = self._lecture_choice(views, width, height)
            if own[0] >= LECTURE_OWN_COLUMNS_GAIN * choice[0]:
                return own
            self._own_columns = False
        return choice

    def lecture_cell_in(
        self, width: int, height: int, measured: dict[tuple[object, ...], Any] | None = None
    ) -> int:
        """The cell size the lecture layout would choose were the panel ``width`` × ``height``
        pixels (nothing applied): the window weighs the places of the step's text with it.
        0 outside the lecture layout.  ``measured``: the views' sizes measured so far (see
        _measured; they do not depend on the panel's size), kept for the next call."""
        views = self.lecture_views()
        if not self.lecture or not views:
            return 0
        room = self._room_of(width, height)
        most, own, cache = self._cell_most, self._own_columns, self._fit_cache
        stacked = self._stack_small
        self._fit_cache = {} if measured is None else measured
        try:
            self._set_cell_most(views, lecture_cell_most(*room))
            # At the one fraction the text's places were weighed at (the fraction chosen
            # for each place favours the place bound by the height: convolution's backward
            # at 1366×768 took its text below for 10 % larger numbers, the text falling
            # from 24 to 18 px).
            self._trial_height = LECTURE_NUMBER_HEIGHT
            return self._best_lecture_choice(views, *room)[0]
        finally:
            self._trial_height = None
            self._fit_cache = cache
            self._own_columns = own
            self._stack_small = stacked
            self._set_cell_most(views, most)

    @staticmethod
    def _number_px(views: list[MatrixView], cell: int, fraction: float) -> int:
        """The numbers' font size at cell size ``cell`` and font ``fraction`` of it, within
        the views' largest font (see MatrixView.number_most)."""
        most = max((view.number_most() for view in views), default=0)
        return min(int(cell * fraction), most)

    def _columns_differ(self, views: list[MatrixView], cell: int) -> bool:
        """Whether the large matrices' numbers need clearly different column widths at cell
        size ``cell`` (one is LECTURE_OWN_COLUMNS_GAIN times as wide as another)."""
        needs = [
            self._measured(
                ("column", view, cell, self._trial_height),
                view.column_need,
                cell,
                self._trial_height,
            )
            for view in views
            if view.model.values.shape[1] > LECTURE_SMALL_COLUMNS and view.table_at(cell)
        ]
        return len(needs) > 1 and max(needs) >= LECTURE_OWN_COLUMNS_GAIN * min(needs)

    def _lecture_choice(
        self, views: list[MatrixView], width: int, height: int
    ) -> tuple[int, list[list[Unit]], CloseUps | None]:
        """The lecture's cell size, its rows of views and the views drawn with close-ups,
        for a panel ``width`` × ``height``."""
        cell = self._largest_cell(views, width, height, 1)
        rows = [self._units(views)]
        # Many matrices in one row (convolution's backward: dY, X, W, dX, dW) leave small
        # cells under a wide empty band: two rows are used when they make cells clearly larger.
        two = self._largest_cell(views, width, height, 2)
        # One row whose cells are too small for numbers (its views measured as heat maps)
        # against two rows of tables: the tables, whatever the gain (LP pooling's backward at
        # 1024×768 was a row of three 120 px heat maps, cell 15 against the tables' 17).
        if two >= LECTURE_TWO_ROWS_GAIN * cell or cell < MIN_NUMBER_CELL <= two:
            cell = two
            rows, _ = self._lecture_fit(views, cell, width)
        if self._multi and cell < LECTURE_PLANES_CELL:
            # Several input channels' planes still small: the largest cell at which they fit
            # the panel in as many rows as they need.
            more = self._largest_cell(views, width, height, len(views))
            if more > cell:
                cell = more
                rows, _ = self._lecture_fit(views, cell, width)
        readable = lecture_readable_cell(width)
        # Large matrices (several input channels' planes too: they were tables of 15 px
        # cells, a 16×16 input's three planes without a number at 1366×768) as heat maps
        # with close-ups where that makes the cells larger.
        if cell < readable:
            choice = self._close_up_choice(views, width, height, readable)
            if choice is not None and choice[0] > cell:
                cell, close_ups, _ = choice
                if self.zoom != 1.0:
                    # Zoomed, the close-ups' cells: a zoom in grows them while the views fit
                    # the panel (in as many rows as they need), as the tables' (the tables
                    # of a 28×28 input, zoomed, had smaller numbers than its close-ups).
                    low, high = LECTURE_CELL_RANGE[0], self._cell_most
                    zoomed = int(max(low, min(high, cell * self.zoom)))
                    if zoomed > cell:
                        fit = self._largest_cell(views, width, height, len(views), close_ups)
                        zoomed = max(cell, min(zoomed, fit))
                    cell = zoomed
                rows, _ = self._lecture_fit(views, cell, width, close_ups)
                return cell, rows, close_ups
        if self.zoom != 1.0:
            cell = self._zoomed_lecture_cell(views, cell, width, height)
            rows, _ = self._lecture_fit(views, cell, width)
        elif self._multi:
            rows, cell = self._gradients_apart(views, rows, cell, width, height)
        return cell, rows, None

    def _gradients_apart(
        self,
        views: list[MatrixView],
        rows: list[list[Unit]],
        cell: int,
        width: int,
        height: int,
    ) -> tuple[list[list[Unit]], int]:
        """Several input channels' backward: the rows with the computed gradients (dX, dW)
        starting a row of their own, in no more rows, at the largest cell down to
        LECTURE_APART_SHARE of ``cell`` at which they fit; else ``rows`` at ``cell``.  Preset
        09's backward at 1366x768 put dX[c=0] at the end of the row of dY, X and W (cells of
        49 px), away from dX[c=1], its arrow over the titles."""
        first = self._first_gradient(views)
        if len(rows) < 2 or first is None or any(row[0][0] is first for row in rows):
            return rows, cell
        outs = any(group.outs for group in self.groups.values())
        share = LECTURE_APART_OUTS_SHARE if outs else LECTURE_APART_SHARE
        for size in range(cell, int(cell * share) - 1, -1):
            apart, needed = self._lecture_fit(views, size, width, None, first)
            if len(apart) <= len(rows) and needed <= height:
                return apart, size
        return rows, cell

    def _first_gradient(self, views: list[MatrixView]) -> MatrixView | None:
        """The first of ``views`` that shows a gradient the backward steps compute (dX, dW),
        in the backward phase; None otherwise."""
        if self.state.phase != "backward":
            return None
        tensors = self.state.spec.lecture_tensors("backward")
        computed = [t for t in tensors if t.grad_of and t.role != "grad_output"]
        shown = self._views_of(computed)
        return next((v for v in views if v in shown), None)

    def _zoomed_lecture_cell(
        self, views: list[MatrixView], cell: int, width: int, height: int
    ) -> int:
        """The lecture's cell size ``cell`` times the zoom, within what the panel holds.

        Zoomed out, the smaller cells always fit.  Zoomed in, the views grow while they fit
        the panel in as many rows as they need (a zoom reflows the row) and stop there: the
        lecture layout already fills the panel, and a matrix pushed past it lost its last
        rows and columns behind scroll bars, or a second row squeezed to a strip.  Only
        matrices whose fitting cells are too small for numbers grow past the panel (they
        scroll and follow the step), as in the normal layout zoomed in.
        """
        low, high = LECTURE_CELL_RANGE[0], self._cell_most
        zoomed = int(max(low, min(high, cell * self.zoom)))
        if zoomed <= cell:
            return zoomed
        fit = self._largest_cell(views, width, height, len(views))
        if fit < MIN_NUMBER_CELL:
            return zoomed
        return max(cell, min(zoomed, fit))

    def _set_cell_most(self, views: list[MatrixView], cell: int) -> None:
        """The largest cell size the fits try and ``views`` draw."""
        self._cell_most = cell
        for view in views:
            view.set_max_cell(cell)

    def _flow_room(self) -> tuple[int, int]:
        """The width and height the flowing rows have."""
        return self._room_of(self.width(), self.height())

    def _room_of(self, width: int, height: int) -> tuple[int, int]:
        """The width and height the flowing rows have in a panel ``width`` × ``height``: less
        the band kept above the top row for the arrows' arches (it was counted as 4 px, not
        10: two rows that needed the whole height overlapped by up to 6 px, and LP pooling's
        backward at 1024×768 left its arrow 8 px between the rows for its 9 px width)."""
        height -= max(4, self.grid.contentsMargins().top())
        if self._block_bar_wanted():
            height -= self.channel_block_bar.sizeHint().height() + LECTURE_ROW_SPACING
        return width - 4, height

    def _with_bias(self, width: int, height: int) -> tuple[int, int]:
        """The size of the last view of the flowing rows (``width`` × ``height``) with the
        bias label below it: db = 6 under dW (a small matrix) takes no row width.  Beside it,
        its width was taken from every row: convolution's backward rows at 1024×768 lost
        ~100 px each."""
        hint = self.bias_slot.sizeHint()
        return max(width, hint.width()), height + LECTURE_ROW_SPACING + hint.height()

    def _sync_zoomed(self) -> None:
        """The normal layout zoomed in: every view at one cell size, the zoom times the
        largest at which they all fit the panel (in as many rows as they need); where they no
        longer fit together, the current phase's views only (the lecture's set) at the
        largest size at which they fit: a zoom never pushes a matrix that can fit off the
        panel."""
        every = self._every_view()
        if not every:
            return
        self._zoom_phase_only = False
        self._own_columns = False
        self._stack_small = False
        self._set_cell_most(every, LECTURE_CELL_RANGE[1])
        width, height = self._flow_room()
        base = self._largest_cell(every, width, height, len(every))
        cell = int(max(LECTURE_CELL_RANGE[0], min(LECTURE_CELL_RANGE[1], base * self.zoom)))
        rows, needed = self._lecture_fit(every, cell, width)
        views = every
        if needed > height and self.lecture_views():
            # The other phase's views make room: the phase's views at the largest cell size
            # at which they fit together.  Only where that leaves no room for numbers do they
            # grow past the panel (they scroll and follow the step).
            self._zoom_phase_only = True
            views = self.lecture_views()
            width, height = self._flow_room()
            fit = self._largest_cell(views, width, height, len(views))
            cell = fit if fit >= MIN_NUMBER_CELL else max(cell, fit)
            rows, _ = self._lecture_fit(views, cell, width)
        for view in every:
            view.setVisible(view in views)
        self.bias_slot.setVisible(self._flow_bias_shown())
        self._apply_flow(views, rows, cell)

    def _apply_flow(
        self,
        views: list[MatrixView],
        rows: list[list[Unit]],
        cell: int,
        close_ups: CloseUps | None = None,
    ) -> None:
        """Place ``rows`` of ``views`` at cell size ``cell``, each view exactly as large as
        its matrix needs (within the panel: a larger one scrolls and follows the step);
        ``close_ups``: the views drawn as heat maps with close-ups, and how."""
        width, height = self._flow_room()
        close_ups = close_ups or {}
        self.lecture_cell = cell
        # db under the last view (dW), in its column of the row.
        bias_under = views[-1] if self._flow_bias_shown() and views else None
        placed: list[list[QWidget | tuple[QWidget, ...]]] = []
        for row in rows:
            line: list[QWidget | tuple[QWidget, ...]] = []
            for unit in row:
                parts: list[QWidget] = list(unit)
                if bias_under in unit:
                    parts.insert(unit.index(bias_under) + 1, self.bias_slot)
                line.append(parts[0] if len(parts) == 1 else tuple(parts))
            placed.append(line)
        self._place_lecture(placed)
        # One cell size in every view: the columns as wide as the widest numbers need.
        columns = self._lecture_columns(views, cell, close_ups)
        for view in self.views():
            if view not in close_ups:
                view.set_close_up_plan(None)
                # Sized for its table (or a heat map alone): no close-up of its own choosing.
                view.set_own_magnifier(not self.lecture)
        for view, (margin, beside, heat) in close_ups.items():
            box = view.close_up_box(margin)
            need = max(columns.get(view, 0), view.close_up_column_need(cell))
            view.set_close_up_plan(CloseUpPlan(cell, need, margin, beside, heat, box))
        extents = {view: self._extent(view, cell, columns[view], close_ups) for view in views}
        units = {
            unit: self._unit_extent(unit, cell, columns, close_ups, bias_under)[1]
            for row in rows
            for unit in row
        }
        heights = self._row_heights([[units[u] for u in r] for r in rows], height)
        for row, row_height in zip(rows, heights, strict=True):
            for unit in row:
                for view in unit:
                    w, h = extents[view]
                    # The row's height less the others' of its column (and the bias label's).
                    room = row_height - (units[unit] - h)
                    # A matrix larger than the room (zoomed far in) gets scroll bars and
                    # follows the step.
                    view.setFixedSize(min(w, width), max(1, min(h, room)))
        for view in views:
            if view not in close_ups:
                view.set_cell_size(cell, columns[view] or view.column_need(cell))
                view.widen_columns(columns[view])
            view.hug_cells(view not in close_ups)
        self._on_highlights_changed()

    def close_up_plans_stale(self) -> bool:
        """Whether a lecture close-up's plan no longer fits the step's cells (an adaptive
        window of another size): the layout is made again."""
        return any(
            view.close_up_plan.box != view.close_up_box(view.close_up_plan.margin)
            for view in self.views()
            if view.close_up_plan is not None and view.isVisible()
        )

    @staticmethod
    def _row_heights(needs: list[list[int]], height: int) -> list[int]:
        """The height each row gets: what its views need, in order, while the panel has it
        (each later row keeps at least LECTURE_ROW_MIN, or its need if smaller); the first
        rows (the step's matrices come first) are cut last."""
        wanted = [max(row) for row in needs]
        spare = height - LECTURE_ROW_SPACING * (len(wanted) - 1)
        heights = []
        for i, need in enumerate(wanted):
            later = sum(min(w, LECTURE_ROW_MIN) for w in wanted[i + 1 :])
            heights.append(max(1, min(need, spare - later)))
            spare -= heights[-1]
        return heights

    def _tensor_views(self) -> dict[str, MatrixView]:
        """The current operation's views by tensor name."""
        return {
            t.name: self.by_view[t.view] for t in self.state.spec.tensors if t.view in self.by_view
        }

    def set_presenting(self, on: bool) -> None:
        """Presentation mode: the lecture layout; cells are edited on double-click only, so
        that every key a presenter presses (a number, '.', arrows) reaches the lecture's
        shortcuts."""
        for view in self.views():
            view.set_typing_edits(not on)
        if on == self.lecture:
            return
        self.lecture = on
        self._sync_title_gaps()
        # The fit waits for the layout: the window hides or brings back its controls after
        # this, so the panel's size is not yet the one the views are fitted to (a fit made
        # now was made again before the paint, and entering the lecture layout chose its
        # cell size four times).  Asked first: the step's arrows then wait for it too (they
        # were placed at the views' old places, then again after the fit).
        self.fit_later()
        for view in self.views():
            view.set_number_height(LECTURE_NUMBER_HEIGHT if on else NUMBER_HEIGHT)
            view.set_note_least(LECTURE_NOTE_MIN_PX if on else 0)
            view.set_header_most(LECTURE_HEADER_MOST_PX if on else HEADER_MOST_PX)
        if not on:
            self._set_cell_most(self.views(), LECTURE_CELL_RANGE[1])
        self._relayout()
        self._update_titles(self.state.input_canvas()[1])
        self._update_planes()  # leaving it: the planes side by side again
        self._on_step_changed(self.state.step)

    def set_zoom(self, zoom: float) -> None:
        """Cell zoom; zoomed in, the normal layout flows in rows (see :meth:`_sync_zoomed`)."""
        was = self._zoomed()
        self.zoom = clamp_zoom(zoom)
        self._sync_title_gaps()
        if self._zoomed() != was:
            self._zoom_phase_only = False
            self._relayout()
            self._update_planes()
            self._on_step_changed(self.state.step)
            self.grid.activate()
        self.sync_cell_sizes()

    def sync_cell_sizes(self) -> None:
        """Fit every view to its slot, times the zoom; every table at one cell size (see
        :func:`~visualizer.widgets.matrix_view.fit_at_one_scale`).  The grid sizes the views by
        its stretch alone, so the shared size never feeds back into the slots it was measured
        in."""
        try:
            self._sync_cell_sizes()
        finally:
            for view in self.views():
                view.settle_fit()

    def _sync_cell_sizes(self) -> None:
        if self.lecture:
            self._sync_lecture()
            return
        if self._zoomed():
            self._sync_zoomed()
            return
        for view in self.views():
            view.set_close_up_plan(None)  # the lecture layout's close-ups
            view.set_own_magnifier(True)
        self._stretch_columns()
        # The views at their final sizes before they are measured (a relayout or a new
        # column stretch is otherwise applied after this fit, by a later event).
        self.grid.activate()
        # The views this resized asked for a fit (sigResized): this is the one.  Left
        # pending, it fitted every view again after an edit that changed the columns'
        # stretch (adaptive pooling's output_size 3 -> 4): two fits, two layouts per edit.
        self._sync_timer.stop()
        shown = [view for view in self.views() if view.isVisible()]
        fit_at_one_scale(shown, self.zoom)
        # Views stacked in one grid column with as many columns (X over dX) line up.
        stacks: dict[tuple[int, int], list[MatrixView]] = {}
        for view in shown:
            index = self.grid.indexOf(view)
            if index >= 0 and view.stack.currentIndex() == 0:
                column = self.grid.getItemPosition(index)[1]
                stacks.setdefault((column, view.model.columnCount()), []).append(view)
        for group in stacks.values():
            width = max(view.natural_width() for view in group)
            for view in group:
                view.widen_columns(width)
        self._arrows_timer_start()

    def fit_later(self) -> None:
        """Fit the views once the window is laid out: before the next paint (see
        :meth:`fit_pending`), or when the event loop runs the fit's zero-time timer."""
        self._sync_timer.start()

    def fit_pending(self) -> bool:
        """Run a fit the zero-time timer would run after this event (an edit's new shapes,
        a view resized by the layout) now; True if there was one.  The window calls it
        before painting (then lays out again, then :meth:`place_arrows_pending`), so that
        the views are painted once at their fitted cell size instead of once before the
        fit and again after it."""
        if not self._sync_timer.isActive():
            return False
        self._sync_timer.stop()
        self.sync_cell_sizes()
        return True

    def place_arrows_pending(self) -> None:
        """Place the step's arrows now if their zero-time timer is pending (called before
        painting, once the views are laid out): placed after the paint, the region they
        left and took was painted again, with every cell of the views beneath it (a
        close-up of 15×15 numbers under adaptive pooling's arrow: ~15 ms)."""
        if self._arrows_timer.isActive():
            self._arrows_timer.stop()
            self._on_arrows_timer()
        elif self.arrows.moved():
            # Laid out anew with no timer asked for (a view that moved beside a widened
            # one, a table that moved in its view under a taller title).
            self.arrows.relocate()

    def _on_arrows_timer(self) -> None:
        if_moved, self._arrows_if_moved = self._arrows_if_moved, False
        if not if_moved or self.arrows.moved():
            self.arrows.relocate()

    def _watch_geometry(self, view: MatrixView) -> None:
        """Place the arrows again once ``view``'s columns, rows, headers or size change (a
        step's longer numbers widen its columns after the arrows were placed)."""
        view.sigResized.connect(self._on_view_geometry_changed)
        for header in (view.table.horizontalHeader(), view.table.verticalHeader()):
            header.sectionResized.connect(self._on_view_geometry_changed)
            header.geometriesChanged.connect(self._on_view_geometry_changed)

    def _on_view_geometry_changed(self, *_args: object) -> None:
        # Coalesced with every other reason to place the arrows: one placing after the
        # layout, before the paint (place_arrows_pending), none if nothing moved.
        if not self._arrows_timer.isActive():
            self._arrows_if_moved = True
            self._arrows_timer.start()

    def _stretch_columns(self) -> None:
        """The normal layout's columns share the width by how many matrix columns they show
        (2 + columns / 4, at most 4): max unpooling's 8×8 Y got as much width as its 4×4
        pooled input and drew its numbers 9 px high at 1024×768."""
        widest: dict[int, int] = {}
        # Found by widget, not by the grid's items: the binding keeps the wrapper of each item
        # itemAtPosition returns, and an item deleted with its widget's removal (the lecture
        # layout) left a wrapper at an address Qt reuses.
        for slot in (*self.views(), *self.groups.values()):
            index = self.grid.indexOf(slot)
            if index < 0:
                continue
            col = self.grid.getItemPosition(index)[1]
            view = slot.primary if isinstance(slot, PlaneGroup) else slot
            if isinstance(view, MatrixView) and view.isVisibleTo(self):
                count = view.model.values.shape[1]
                if isinstance(slot, PlaneGroup) and slot.outs:
                    # Other output channels' planes in the row too: their titles were cut
                    # ("W[0…" for preset 09's four kernel slices at 1366×768).
                    count *= slot.row_planes
                widest[col] = max(widest.get(col, 0), count)
        for col, count in widest.items():
            stretch = 2 + min(count, 8) // 4
            if self.grid.columnStretch(col) != stretch:
                self.grid.setColumnStretch(col, stretch)

    def _arrows_timer_start(self, *_args: object) -> None:
        self._arrows_if_moved = False
        self._arrows_timer.start()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._sync_planes_most()  # a narrower panel may show fewer input planes
        self._arrows_timer_start()
        if self._flowing():
            self._sync_timer.start()

    # ---- user → state -----------------------------------------------------------------------
    def _on_output_clicked(self, r: int, c: int) -> None:
        self.state.jump_to_output(r, c)

    def _on_output_hovered(self, r: int, c: int) -> None:
        self.state.set_hover("output", r, c)

    def _on_input_hovered(self, r: int, c: int) -> None:
        self.state.set_hover("input", r, c)

    def _on_kernel_hovered(self, r: int, c: int) -> None:
        self.state.set_hover("weight", r, c)

    def _on_hover_left(self) -> None:
        self.state.set_hover(None)

    # ---- state → views ----------------------------------------------------------------------
    def set_paused(self, on: bool) -> None:
        """Stop following the state while another view stands in (compare mode); drawn again
        from the current state when it comes back."""
        if on == self.paused:
            return
        self.paused = on
        if not on:
            self._on_results_changed()

    def _wanted_planes_most(self) -> int:
        """The input planes shown side by side at most: fewer in the lecture layout's
        backward phase on a small panel (see LECTURE_FEW_PLANES)."""
        few = (
            self.lecture
            and self.state.phase == "backward"
            and self.width() < LECTURE_FEW_PLANES_WIDTH
        )
        return LECTURE_FEW_PLANES if few else PLANES_MAX

    def _sync_planes_most(self) -> bool:
        """Tell the state how many input planes to show; whether that changed (its signals
        then showed the new planes already)."""
        if self.paused:
            return False
        return self.state.set_planes_most(self._wanted_planes_most())

    def _on_results_changed(self) -> None:
        if self.paused or self._sync_planes_most():
            return
        st = self.state
        spec = st.spec
        multi = self._wants_multi()
        if self._layout_key != self._wanted_layout() or multi != self._multi:
            self._relayout()
        shown = st.results.trace.shown_as
        for tensor in spec.tensors:
            if tensor.view in self.by_view:
                # A view of the trace's own data (a canvas, a flipped kernel) is not the
                # document's tensor: its cells are not edited.
                self.by_view[tensor.view].set_editable(tensor.editable and tensor.name not in shown)
        values, kinds, offset = st.input_canvas()
        self._update_titles(kinds)
        # The input cells are the plane inside the padding ring: levels from that view of the
        # canvas, once (not from a copy of its cells, and not again inside set_matrix).
        (top, left), (h, w) = offset, st.x.shape[-2:]
        if self._x_levels is None or self._x_levels[0] is not values:
            # Once per canvas: the state gives the same one while X and its ring stay.
            real = values[top : top + h, left : left + w]
            self._x_levels = (values, levels_for(real, False), is_binary(real))
        _, x_levels, binary = self._x_levels
        self.input_view.set_matrix(values, kinds, offset, levels=x_levels, black_white=binary)
        self.input_view.set_outlines(st.dropped_outlines())
        # Outputs that are input values (max pooling) are drawn as the input is.
        self._output_black_white = spec.output_in_input_scale and binary
        out = st.results.output[st.plane]
        # An output of its own scale with negative values (a convolution with [1, −1]) is
        # drawn on the diverging map: white at zero, blue below, red above, like gradients.
        self._output_diverging = not spec.output_in_input_scale and has_negative(out)
        levels = {
            "input": x_levels,
            "output": (
                x_levels if spec.output_in_input_scale else levels_for(out, self._output_diverging)
            ),
            "grad_input": levels_for(st.grad_input_plane(partial=False), True),
        }
        dy = st.grad_output_plane()
        self.grad_output_view.set_matrix(
            dy, levels=levels_for(dy, True), diverging=True, neutral=is_constant(dy)
        )
        if spec.has_weight:
            kernel = st.kernel_plane()
            self.kernel_view.set_matrix(
                kernel, levels=levels_for(kernel, True), diverging=True, neutral=is_constant(kernel)
            )
            gw, _ = st.grad_weight_plane(partial=False)
            levels["grad_weight"] = levels_for(gw, True)
        if spec.has_tensor("mask"):
            # The largest count alone (one pass over the integer counts): their least was
            # measured too, and never asked (the views draw the counts as floats, a new array).
            full = st.mask_plane(partial=False)
            most = float(full.max()) if full.size else 0.0
            levels["mask"] = (0.0, max(1.0, most))
        views = self._tensor_views()
        for tensor in spec.tensors:
            # Tensors of their own (e.g. what an operation builds from its input) are shown
            # whole; they do not change while stepping.
            if tensor.title and tensor.name in views and tensor.name not in STEPPED:
                plane = st.tensor_plane(tensor.name)
                views[tensor.name].set_matrix(plane, levels=levels_for(plane, False))
        self._levels = levels
        # The step views follow on sigStepChanged, which the state emits after every
        # sigResultsChanged: drawing them here too drew every large view twice per edit.
        # Columns sized for the whole result: they do not widen while stepping fills it in.
        self.output_view.reserve(out)
        self.grad_input_view.reserve(st.grad_input_plane(partial=False))
        if spec.has_tensor("mask"):
            self.mask_view.reserve(st.mask_plane(partial=False))
        if spec.has_weight:
            self.grad_weight_view.reserve(st.grad_weight_plane(partial=False)[0])
        self._update_planes()
        self._sync_timer.start()

    def _wanted_layout(self) -> tuple[str, str, str]:
        """What the layout depends on: the operation, the kind of layout ("grid", "lecture"
        or "zoomed") and, for the flowing ones, the phase (its views come first)."""
        kind = "lecture" if self.lecture else "zoomed" if self._zoomed() else "grid"
        return (self.state.spec.key, kind, self.state.phase if kind != "grid" else "")

    def _zoomed(self) -> bool:
        """The normal layout zoomed in: the views flow in rows instead of overflowing."""
        return not self.lecture and self.zoom > 1.0

    def _title_gap(self) -> int:
        """The room under each title where the step arrows run (TITLE_GAP): none in the
        normal layout zoomed in, whose tables scroll (at zoom 3 a 16×16 input's Y had a 20 px
        viewport, too low to show its current cell; its arrows fall back to markers)."""
        return 0 if self._zoomed() else TITLE_GAP

    def _sync_title_gaps(self) -> None:
        gap = self._title_gap()
        for view in self.views():
            view.set_title_gap(gap)

    def _flowing(self) -> bool:
        """The views are placed in rows at one cell size (lecture layout or zoomed in)."""
        return self.lecture or self._zoomed()

    # ---- several input channels side by side ---------------------------------------------------
    def _wants_multi(self) -> bool:
        """Planes side by side: several input channels, or several output channels' dY and
        kernel slices (AppState.shown_out_channels)."""
        st = self.state
        if st.channel_blocks():
            # More input channels than fit: planes titled by channel, and a choice of block,
            # even where the block chosen holds one (the fifth of five).
            return True
        return len(st.shown_channels()) > 1 or len(st.shown_out_channels()) > 1

    def _group_channels(self, view_name: str) -> list[int]:
        """The input channels group ``view_name`` shows (dY has one plane per output channel)."""
        if view_name == self.grad_output_view.objectName():
            return [self.state.in_channel]
        return self.state.shown_channels()

    def _group_outs(self, view_name: str) -> list[tuple[int, int]]:
        """The other output channels' planes ``(o, c)`` group ``view_name`` shows."""
        st = self.state
        others = [o for o in st.shown_out_channels() if o != st.plane[1]]
        if view_name == self.grad_output_view.objectName():
            return [(o, st.in_channel) for o in others]
        if view_name == self.kernel_view.objectName():
            return [(o, c) for o in others for c in st.shown_channels()]
        return []

    def _outs_flow(self) -> bool:
        """Whether the flowing rows show other output channels' planes: the normal layout
        shows every view; the lecture's forward phase reads the shown output channel's."""
        if not (self.lecture or self._zoom_phase_only):
            return True
        return self.state.phase == "backward"

    def _update_planes(self) -> None:
        """Show every input plane the trace reads (up to PLANES_MAX) with its kernel slice and
        gradients, on shared colour levels, titled by channel; or the one plane."""
        st = self.state
        channels = st.shown_channels()
        self._show_channel_selector()
        if not self._multi:
            for group in self.groups.values():
                group.channels = {st.in_channel: group.primary}  # the one plane, in place
            return
        spec = st.spec
        n, c_out = st.plane
        for name, group in self.groups.items():
            planes, outs = self._group_channels(name), self._group_outs(name)
            if self._flowing():
                group.assign(planes, st.in_channel)  # placed in the flowing rows
                group.assign_outs(outs)
            else:
                in_first = spec.weight_in_axis == 0 and name == self.kernel_view.objectName()
                group.show_channels(planes, st.in_channel, c_out, outs, in_first)
        if self._flowing():
            shown = self.flow_views()
            for group in self.groups.values():
                for extra in (*group.extras, *group.out_extras):
                    extra.setVisible(extra in shown)
        canvases = {c: st.input_canvas(c) for c in channels}
        real = [v[k == INPUT] for v, k, _ in canvases.values()]
        levels = self._levels
        every_plane = np.concatenate(real)
        levels["input"] = levels_for(every_plane, False)
        binary = is_binary(every_plane)
        self._output_black_white = spec.output_in_input_scale and binary
        if spec.output_in_input_scale:
            levels["output"] = levels["input"]
        levels["grad_input"] = levels_for(np.asarray(st.results.grad_input[n], float), True)
        kernels = {c: st.kernel_plane(c) for c in channels}
        outs = [o for o in st.shown_out_channels() if o != c_out]
        out_kernels = {(o, c): st.kernel_plane(c, o) for o in outs for c in channels}
        every_kernel = np.stack([*kernels.values(), *out_kernels.values()])
        levels["weight"] = levels_for(every_kernel, True)
        dys = {o: st.grad_output_plane(o) for o in [c_out, *outs]}
        every_dy = np.stack(list(dys.values()))
        levels["grad_output"] = levels_for(every_dy, True)
        full = [st.grad_weight_plane(partial=False, channel=c) for c in channels]
        levels["grad_weight"] = levels_for(np.stack([g[0] for g in full if g is not None]), True)
        for tensor in spec.tensors:
            group = self.groups.get(tensor.view or "")
            if group is None:
                continue
            if tensor.name == "grad_output":
                # dY of each output channel a step's dX terms read, on shared levels.
                for (o, _c), view in [((c_out, 0), group.primary), *group.outs.items()]:
                    view.set_title(PLANE_TITLES["grad_output"].format(o=o))
                    view.set_matrix(
                        dys[o],
                        levels=levels["grad_output"],
                        diverging=True,
                        neutral=is_constant(every_dy),
                    )
                continue
            for (o, channel), view in group.outs.items():
                index = (channel, o) if spec.weight_in_axis == 0 else (o, channel)
                view.set_title(PLANE_TITLES[tensor.name].format(w=f"{index[0]},{index[1]}"))
                view.set_matrix(
                    out_kernels[(o, channel)],
                    levels=levels["weight"],
                    diverging=True,
                    neutral=is_constant(every_kernel),
                )
            for channel, view in group.channels.items():
                index = (channel, c_out) if spec.weight_in_axis == 0 else (c_out, channel)
                where = f"{index[0]},{index[1]}"
                view.set_title(PLANE_TITLES[tensor.name].format(c=channel, w=where))
                if tensor.name == "input":
                    values, kinds, offset = canvases[channel]
                    view.set_matrix(
                        values, kinds, offset, levels=levels["input"], black_white=binary
                    )
                    view.set_outlines(st.dropped_outlines())
                elif tensor.name == "weight":
                    kernel = kernels[channel]
                    view.set_matrix(
                        kernel,
                        levels=levels["weight"],
                        diverging=True,
                        neutral=is_constant(every_kernel),
                    )
                if view is not group.primary:
                    shown_as = st.results.trace.shown_as
                    view.set_editable(tensor.editable and tensor.name not in shown_as)

    def _show_channel_selector(self) -> None:
        """More input channels than fit: a choice of which block of PLANES_MAX is shown (the
        normal layout's selector, the flowing layouts' bar)."""
        st = self.state
        box = self.channel_block_combobox
        blocks = st.channel_blocks()
        if blocks:
            items = [
                tr("Channel {first}").format(first=first)
                if first == last
                else tr("Channels {first}–{last}").format(first=first, last=last)
                for first, last in blocks
            ]
            if [box.itemText(i) for i in range(box.count())] != items:
                with QSignalBlocker(box):
                    box.clear()
                    box.addItems(items)
            with QSignalBlocker(box):
                box.setCurrentIndex(st.channel_block)
            first, last = blocks[st.channel_block]
            count = blocks[-1][1] + 1
            if first == last:
                text = tr("Input channel {first}  ({count} in all)").format(
                    first=first, count=count
                )
            else:
                text = tr("Input channels {first}–{last}  ({count} in all)").format(
                    first=first, last=last, count=count
                )
            self.channel_block_bar.block_label.setText(text)
        box.setVisible(bool(blocks))

    def _block_bar_wanted(self) -> bool:
        """The flowing layouts show the choice of input channels above their rows."""
        return self._flowing() and bool(self.state.channel_blocks())

    def _step_planes(self, forward: bool) -> None:
        """The extra planes' gradients so far, dimmed in the forward phase."""
        st = self.state
        levels = self._levels
        for view_name, group in self.groups.items():
            for channel, view in group.shown_extras().items():
                if view_name == self.grad_input_view.objectName():
                    view.set_matrix(
                        st.grad_input_plane(channel=channel),
                        levels=levels["grad_input"],
                        diverging=True,
                    )
                elif view_name == self.grad_weight_view.objectName():
                    found = st.grad_weight_plane(channel=channel)
                    if found is not None:
                        view.set_matrix(found[0], levels=levels["grad_weight"], diverging=True)
                view.set_dimmed(forward and group.primary.dimmed)
            for view in group.outs.values():
                view.set_dimmed(forward and group.primary.dimmed)

    def _on_step_changed(self, _step: int) -> None:
        if self.paused or self._sync_planes_most():
            return
        st = self.state
        levels = self._levels
        if self._flowing() and self._layout_key != self._wanted_layout():
            # The lecture layout shows the phase's matrices (and the zoomed layout puts them
            # first): a phase switch changes them.
            self._relayout()
            self.sync_cell_sizes()
        if self._sync_timer.isActive() and not self._flowing():
            # New shapes, a fit before the paint (sync_cell_sizes): it sizes the cells.
            fits_held(self.views())
        # The step's new data, then its new highlights: each view's cells are marked once
        # (a close-up was filled at the old box with the new data, then moved to the new one).
        with marks_held(self.views()):
            self.output_view.set_matrix(
                st.output_plane(),
                levels=levels["output"],
                diverging=self._output_diverging,
                pending=st.output_pending(),
                black_white=self._output_black_white,
            )
            self.grad_input_view.set_matrix(
                st.grad_input_plane(),
                levels=levels["grad_input"],
                diverging=True,
                pending=st.grad_input_pending(),
            )
            if st.spec.has_tensor("mask"):
                counts = st.mask_plane()
                self.mask_view.set_matrix(counts, levels=levels["mask"])  # made float there
            if st.spec.has_weight:
                gw, gb = st.grad_weight_plane()
                self.grad_weight_view.set_matrix(gw, levels=levels["grad_weight"], diverging=True)
                self.bias_label.setText("" if gb is None else f"db = {format_number(gb)}")
            for name, view in self._tensor_views().items():
                view.set_asked(st.quiz_asked_cell(name))  # quiz mode: "?" on the asked cell
            self._update_step_titles()
            self._dim_gradients(st.phase == "forward")
            self._step_planes(st.phase == "forward")
            if self._sync_timer.isActive() and not self._flowing():
                # New data, a fit to come: the columns' shares of the width first, so that
                # the layout before the paint places the views where the fit leaves them (set
                # by the fit alone, a new output width, adaptive pooling's 3 -> 4 columns,
                # laid every view out twice: at the old shares, then at the new ones).
                self._stretch_columns()
            self._on_highlights_changed()
        if self.lecture and self.close_up_plans_stale():
            self._sync_timer.start()

    def _dim_gradients(self, on: bool) -> None:
        """During the forward phase the gradients are not in play yet: dimmed."""
        for name, view in self._tensor_views().items():
            view.set_dimmed(on and name in GRADIENTS)
        self.bias_label.setEnabled(not on)

    def _styles(self, hl: Highlight, forward: bool) -> dict[str, Marks]:
        """Highlight styles by tensor name for the step's cells in ``hl`` (a large window
        stays a rectangle: styles are mapped per block, not per cell)."""
        cells: dict[str, Marks] = {}
        for name in self._tensor_views():
            if (
                name == "weight"
                or (forward and name in GRADIENTS)
                or (not forward and name == "mask")
            ):
                # The whole kernel takes part in every step; gradients move in the backward
                # phase, the mask fills in during the forward one.
                cells[name] = Marks()
                continue
            cells[name] = hl.of(name).map_roles(role_styles)
        if not forward and "grad_output" in cells:
            cells["grad_output"] = backward_dy_marks(hl)
        return cells

    def _on_highlights_changed(self) -> None:
        if self.paused:
            return
        st = self.state
        forward = st.phase == "forward"
        cells = self._styles(st.highlight(), forward)
        hover_in, hover_out = st.hover_marks()
        for name in INPUT_SIDE:
            if name in cells and hover_in:
                cells[name] = cells[name].merged(hover_in)
        for name in OUTPUT_SIDE:
            if name in cells and hover_out:
                cells[name] = cells[name].merged(hover_out)
        for name, pairs in st.paired_cells().items():
            if name in self._tensor_views():
                cells[name] = cells.get(name, Marks()).added(pairs, "hover")
        views = self._tensor_views()
        # The mask and dX are in X's coordinates (unless X's view shows a canvas of the
        # trace's own): their close-ups frame X's region, the window and the cells around
        # it, not their own marks alone (the winner: a box two rows lower than X's).
        region = cells.get("input") if st.results.trace.canvas_kinds is None else None
        for name in SAME_REGION_AS_INPUT:
            if name in views:
                own = cells.get(name)
                views[name].set_close_up_region(region if own and region else None)
        for name, marks in cells.items():
            view = views[name]
            view.set_highlights(marks)
            # Views follow the step: a matrix larger than its view scrolls to the window.
            view.follow(list(marks.corners(FOLLOWED)))
        notes = st.step_notes()
        for name, view in views.items():
            view.set_notes(notes.get(name, {}))
        # With a fit to come (an edit's new shapes), the views move before they are painted:
        # the arrows are placed once, after the fit (which relocates them), not also here at
        # the old places (~1 ms of an adaptive output_size change, and the region they
        # took there was marked for repainting).
        fitting = self._sync_timer.isActive()
        self.arrows.set_arrows(
            [(a.source_view, a.source, a.target_view, a.target) for a in st.step_arrows()],
            place=not fitting,
        )
        if fitting:
            self._arrows_timer_start()
        self._highlight_planes(forward, hover_in)

    def _highlight_planes(self, forward: bool, hover_in: Marks) -> None:
        """The extra planes' cells of the current step (each plane its own channel's)."""
        names = {t.view: t.name for t in self.state.spec.tensors if t.view}
        per_channel: dict[int, tuple[dict[str, Marks], dict]] = {}
        for view_name, group in self.groups.items():
            for channel, view in group.shown_extras().items():
                if channel not in per_channel:
                    hl = self.state.highlight(channel)
                    per_channel[channel] = (
                        self._styles(hl, forward),
                        self.state.step_notes(channel),
                    )
                styles, notes = per_channel[channel]
                name = names.get(view_name, "")
                marks = styles.get(name, Marks())
                if name in INPUT_SIDE and hover_in:
                    marks = marks.merged(hover_in)
                view.set_highlights(marks)
                view.set_notes(notes.get(name, {}))
        # Other output channels' dY: the step's cell in each (their kernel slices, as the
        # shown one, take part whole: no marks).
        dy_group = self.groups.get(self.grad_output_view.objectName())
        if dy_group is None:
            return
        for (o, _c), view in dy_group.outs.items():
            marks = Marks()
            if not forward:
                marks = self._styles(self.state.highlight(out_channel=o), forward).get(
                    "grad_output", Marks()
                )
            view.set_highlights(marks)

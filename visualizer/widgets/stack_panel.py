"""Stack mode: a layer list, the shape table and one view per layer output (Tools ▸ Layer stack).

The panel talks only to the state (``state.stack_state`` for the stack, its stepping and its
highlighted fields); it does no window arithmetic: the sizes, formulas and receptive fields
come from the engine through the state.  Parameter controls are the parameter panel's, built
from the registry's :class:`~engine.ops.ParamSpec` of the selected layer's operation.

Clicking a cell of any level (the input or a layer's output) highlights its receptive field on
every earlier level; hovering a cell highlights its projective field (every later cell that
depends on it).  Stepping goes forward through every layer, then back through every layer
from dY = ones, or from dY = 1 at the clicked output cell: window by window (each layer's
engine trace, as single-operation mode steps it: its window and output cell framed, its level
filling in) or one step per layer, as the stepping box says.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from engine.ops import get_op
from visualizer.i18n import set_action_text, tr, translate_message
from visualizer.limits import PLAY_SPEED_MAX
from visualizer.model.stack import (
    STEPPINGS,
    StackDoc,
    formula_numbers,
    grad_plane,
    layer_ops,
    layer_params,
    value_plane,
)
from visualizer.presentation import (
    PRESENTATION_COUNTER_CAP,
    PRESENTATION_COUNTER_SCALE,
    PRESENTATION_TEXT_CAP,
    PRESENTATION_TEXT_FLOOR,
    PRESENTATION_TEXT_SCALE,
    PRESENTATION_TITLE_FLOOR,
    PRESENTATION_TITLE_SCALE,
)
from visualizer.stack_presets import StackPreset, list_stack_presets, load_stack_preset
from visualizer.state import AppState
from visualizer.ui import ERROR_COLOUR, Retranslatable, add_action, set_font
from visualizer.view_settings import view_settings
from visualizer.widgets.matrix_view import MatrixView, fit_at_one_scale
from visualizer.widgets.params_panel import _Control, _value_signal
from visualizer.widgets.step_bar import (
    ARITHMETIC_FRAME,
    ARITHMETIC_LINES,
    ARITHMETIC_SIDES,
    LECTURE_TEXT_READABLE,
    LECTURE_TEXT_SHARE,
    MIN_LECTURE_TEXT_PX,
    ArithmeticLabel,
    arithmetic_font,
    arithmetic_html,
    arithmetic_style,
    counter_font,
    counter_need,
    largest_fitting_font,
    lecture_box_height,
    media_icon,
    play_interval,
    play_steps_per_tick,
    play_target,
    show_play_state,
    tallest_candidates,
    text_box_height,
    text_document,
    toggle_play_timer,
)
from visualizer.widgets.views_panel import ROLE_STYLE

VIEW_MIN_WIDTH = 130  # a level's column; more levels than fit scroll sideways
VIEW_MIN_HEIGHT = 120
# The normal layout's step text grows to the lines the phase's texts need, up to this share
# of the window's height (cut at four lines, a 9-update backward step lost its last update).
STEP_TEXT_SHARE = 0.3
PLAY_SPEED = 10  # steps per second a play starts with (a layer has many windows)
VIEW_SIDES = 12  # a view's width around its matrix (pixels, about)
VIEW_CHROME = 50  # a view's height around its matrix: title and colour bar (about)
SHAPES_KEY = "T"  # shows or hides the shape table (the lecture layout has no button for it)
SHAPES_LECTURE_SHARE = 0.45  # of the window's height, at most, for the lecture's shape table


def _same_key(old: tuple[object, ...] | None, new: tuple[object, ...]) -> bool:
    """Whether a view already shows ``new``: the same results object, channel and state."""
    return old is not None and old[0] is new[0] and old[1:] == new[1:]


def _shape_text(shape: object) -> str:
    return "×".join(str(int(v)) for v in shape) if shape else "—"  # type: ignore[attr-defined]


def _pixels(font: QFont) -> float:
    """A font's size in pixels (its point size at 96 dpi when it has none)."""
    return font.pixelSize() if font.pixelSize() > 0 else font.pointSizeF() * 96 / 72


def level_columns(n_levels: int) -> int:
    """Views per row: one row up to 4 levels, then two rows (a LeNet-style stack has 7 levels,
    which in one row left each view a narrow strip with its title cut)."""
    return n_levels if n_levels <= 4 else -(-n_levels // 2)


def pair_columns(n_levels: int, width: int, height: int) -> int:
    """Levels per row in the backward phase, where each level's values and gradient stand side
    by side: the count whose views get the largest square for their matrix in a ``width`` ×
    ``height`` area (the LeNet-style stack's four rows of value over gradient left its 32×32
    maps a quarter of the height; side by side, 3 rows of pairs give them twice the size)."""
    if n_levels <= 0:
        return 1
    best, best_side = 1, -1.0
    for per in range(1, n_levels + 1):
        view_width = width / (2 * per)
        if per > 1 and view_width < VIEW_MIN_WIDTH:
            break
        rows = -(-n_levels // per)
        side = min(view_width - VIEW_SIDES, height / rows - VIEW_CHROME)
        if side > best_side:
            best, best_side = per, side
    return best


class WrappingRow(QWidget):
    """The step controls and, after them, the step counter: on one line where both fit, else
    the counter on a line of its own under the controls.  Its least width is the wider of
    the two, so that it never sets the window's least width to both side by side (Stack mode
    with the pitfalls dock open needed 1165 px, over a 1024×768 screen)."""

    def __init__(self, controls: QWidget, counter: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controls, self.counter = controls, counter
        layout = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The layout does not set this widget's least size (minimumSizeHint below does).
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addWidget(controls, 1)
        layout.addWidget(counter, 0, Qt.AlignmentFlag.AlignRight)
        self.row = layout

    def one_line_width(self) -> int:
        """The least width with the counter beside the controls."""
        return (
            self.controls.minimumSizeHint().width()
            + self.row.spacing()
            + max(self.counter.minimumSizeHint().width(), self.counter.sizeHint().width())
        )

    def wrapped(self) -> bool:
        """Whether the counter is on its own line."""
        return self.row.direction() == QBoxLayout.Direction.TopToBottom

    def minimumSizeHint(self) -> QSize:
        counter = max(self.counter.minimumSizeHint().width(), self.counter.sizeHint().width())
        width = max(self.controls.minimumSizeHint().width(), counter)
        return QSize(width, self.row.minimumSize().height())

    def sizeHint(self) -> QSize:
        return QSize(self.one_line_width(), self.row.sizeHint().height())

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self._place()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._place()
        super().resizeEvent(event)

    def _place(self) -> None:
        wanted = (
            QBoxLayout.Direction.TopToBottom
            if self.width() < self.one_line_width()
            else QBoxLayout.Direction.LeftToRight
        )
        if self.row.direction() != wanted:
            self.row.setDirection(wanted)
            self.updateGeometry()  # another height


class StackPanel(Retranslatable, QWidget):
    """Layer list and parameters, the shape table, the level views and the stepping line."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stack_panel")
        self.state = state
        self.stack_state = state.stack_state
        self.level_views: list[MatrixView] = []
        self._shown_results: object = None  # the results the views show
        self._marked: dict[int, dict[tuple[int, int], set[str]]] = {}  # id(view) -> cells
        self._noted: dict[int, dict[tuple[int, int], str]] = {}  # id(view) -> notes shown
        self._keys: dict[int, tuple[object, ...]] = {}  # id(view) -> what it shows
        self.grad_views: list[MatrixView] = []
        self.controls: dict[str, _Control] = {}
        self._control_op: str | None = None
        self._clicked: tuple[int, int, int] | None = None  # (level, row, col) of the last click
        self._placed: tuple[int, bool, int] | None = None  # how the views are arranged
        self.presets: list[StackPreset] = list_stack_presets()

        # ---- left: presets, layer list, parameters ----
        self.presets_combobox = QComboBox()
        self.presets_combobox.setObjectName("stack_presets_combobox")
        self.presets_combobox.activated.connect(self._on_preset_chosen)
        self.explanation_label = QLabel()
        self.explanation_label.setObjectName("stack_explanation_label")
        self.explanation_label.setWordWrap(True)
        self.explanation_label.setTextFormat(Qt.PlainText)
        self.layers_list = QListWidget()
        self.layers_list.setObjectName("stack_layers_list")
        self.layers_list.setMaximumHeight(130)
        # A long layer (padding, dilation…) wraps inside the side panel instead of scrolling
        # it sideways; the whole line is also the item's tooltip.
        self.layers_list.setWordWrap(True)
        self.layers_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.layers_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.layers_list.currentRowChanged.connect(self._on_layer_selected)
        self.add_combobox = QComboBox()
        self.add_combobox.setObjectName("stack_add_combobox")
        for spec in layer_ops():
            self.add_combobox.addItem(spec.key, spec.key)
        self.add_button = QPushButton()
        self.add_button.setObjectName("stack_add_button")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button = QPushButton()
        self.remove_button.setObjectName("stack_remove_button")
        self.remove_button.clicked.connect(self._on_remove)
        self.up_button = QPushButton("↑")
        self.up_button.setObjectName("stack_up_button")
        self.up_button.clicked.connect(lambda: self._on_move(-1))
        self.down_button = QPushButton("↓")
        self.down_button.setObjectName("stack_down_button")
        self.down_button.clicked.connect(lambda: self._on_move(1))
        for button in (self.up_button, self.down_button):
            button.setMaximumWidth(34)
        add_row = QHBoxLayout()
        add_row.addWidget(self.add_combobox, 1)
        add_row.addWidget(self.add_button)
        edit_row = QHBoxLayout()
        edit_row.addWidget(self.remove_button, 1)
        edit_row.addWidget(self.up_button)
        edit_row.addWidget(self.down_button)
        self.params_box = QWidget()
        self.params_box.setObjectName("stack_params_box")
        self.params_form = QFormLayout(self.params_box)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        self.params_title = QLabel()
        self.params_title.setObjectName("stack_params_title")
        self.error_label = QLabel()
        self.error_label.setObjectName("stack_error_label")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error_label.hide()
        self.channel_label = QLabel()
        self.channel_spinbox = QSpinBox()
        self.channel_spinbox.setObjectName("stack_channel_spinbox")
        self.channel_spinbox.setRange(0, 63)
        self.channel_spinbox.valueChanged.connect(self._on_channel_changed)
        self.grad_cell_checkbox = QCheckBox()
        self.grad_cell_checkbox.setObjectName("stack_grad_cell_checkbox")
        self.grad_cell_checkbox.toggled.connect(self._on_grad_cell_toggled)
        channel_row = QHBoxLayout()
        channel_row.addWidget(self.channel_label)
        channel_row.addWidget(self.channel_spinbox)
        channel_row.addStretch(1)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        self.presets_label = QLabel()
        left_layout.addWidget(self.presets_label)
        left_layout.addWidget(self.presets_combobox)
        left_layout.addWidget(self.explanation_label)
        self.layers_label = QLabel()
        left_layout.addWidget(self.layers_label)
        left_layout.addWidget(self.layers_list)
        left_layout.addLayout(add_row)
        left_layout.addLayout(edit_row)
        left_layout.addWidget(self.params_title)
        left_layout.addWidget(self.params_box)
        left_layout.addWidget(self.error_label)
        left_layout.addLayout(channel_row)
        left_layout.addWidget(self.grad_cell_checkbox)
        left_layout.addStretch(1)
        left_scroll = QScrollArea()
        self.side_panel = left_scroll
        left_scroll.setObjectName("stack_side_panel")
        left_scroll.setWidget(left)
        left_scroll.setWidgetResizable(True)
        left_scroll.setMinimumWidth(230)
        left_scroll.setMaximumWidth(340)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

        # ---- right: level views, shape table, stepping ----
        self.views_widget = QWidget()
        self.views_grid = QGridLayout(self.views_widget)
        self.views_grid.setContentsMargins(0, 0, 0, 0)
        self.views_grid.setSpacing(4)
        self.views_scroll = QScrollArea()
        self.views_scroll.setObjectName("stack_views_area")
        self.views_scroll.setWidget(self.views_widget)
        self.views_scroll.setWidgetResizable(True)
        self.views_scroll.installEventFilter(self)

        self.shapes_table = QTableWidget(0, 5)
        self.shapes_table.setObjectName("stack_shapes_table")
        self.shapes_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.shapes_table.setSelectionMode(QAbstractItemView.NoSelection)
        self.shapes_table.verticalHeader().hide()
        # A formula longer than the Output size column (adaptive pooling's) wraps onto a
        # second line of its row instead of being cut with "…".
        self.shapes_table.setWordWrap(True)
        self.shapes_table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.shapes_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        header = self.shapes_table.horizontalHeader()
        for column in range(4):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.Stretch)
        self.shapes_table.setMinimumHeight(90)
        # No empty white band under the last layer: the table is at most as tall as its rows
        # (the views get the rest of the height).
        self.shapes_table.verticalHeader().sectionResized.connect(self._fit_table_height)
        self.shapes_table.horizontalHeader().geometriesChanged.connect(self._fit_table_height)

        icons = (
            ("first", QStyle.SP_MediaSkipBackward),
            ("previous", QStyle.SP_MediaSeekBackward),
            ("next", QStyle.SP_MediaSeekForward),
            ("last", QStyle.SP_MediaSkipForward),
        )
        buttons = []
        for name, icon in icons:
            button = QPushButton()
            button.setObjectName(f"stack_{name}_button")
            button.setIcon(media_icon(button, icon))
            buttons.append(button)
        self.first_button, self.previous_button, self.next_button, self.last_button = buttons
        self._media = list(zip(buttons, (icon for _, icon in icons), strict=True))
        self.backward_button = QPushButton()
        self.backward_button.setObjectName("stack_backward_button")
        st = self.stack_state
        self.first_button.clicked.connect(lambda: st.set_step(0))
        self.previous_button.clicked.connect(lambda: st.set_step(st.step - 1))
        self.next_button.clicked.connect(lambda: st.set_step(st.step + 1))
        self.last_button.clicked.connect(lambda: st.set_step(st.cursor.n_steps - 1))
        self.backward_button.clicked.connect(lambda: st.set_phase("backward"))
        self.play_button = QPushButton()
        self.play_button.setObjectName("stack_play_button")
        self.play_button.setMaximumWidth(40)
        self.play_button.clicked.connect(self.toggle_play)
        # Views resized by one layout pass are fitted together, once, after it.
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_views)
        self.play_timer = QTimer(self)
        self.play_timer.timeout.connect(self._on_play_timer)
        self.speed_spinbox = QSpinBox()
        self.speed_spinbox.setObjectName("stack_speed_spinbox")
        self.speed_spinbox.setRange(1, PLAY_SPEED_MAX)
        self.speed_spinbox.setValue(PLAY_SPEED)
        self.speed_spinbox.valueChanged.connect(self._on_speed_changed)
        show_play_state(self.play_button, self.play_timer.isActive())
        self.next_row_button = QPushButton()
        self.next_row_button.setObjectName("stack_next_row_button")
        self.next_row_button.clicked.connect(lambda: st.step_next_row(self.channel()))
        self.stepping_combobox = QComboBox()
        self.stepping_combobox.setObjectName("stack_stepping_combobox")
        for stepping in STEPPINGS:
            self.stepping_combobox.addItem("", stepping)
        self.stepping_combobox.activated.connect(self._on_stepping_chosen)
        self.step_slider = QSlider(Qt.Horizontal)
        self.step_slider.setObjectName("stack_step_slider")
        # The step row sets the window's least width (the stack panel shares the central area
        # even when hidden): with the Shapes button an 80 px slider made it 820 px, over an
        # 800×600 window.
        self.step_slider.setMinimumWidth(40)
        self.step_slider.valueChanged.connect(st.set_step)
        for button in (self.first_button, self.previous_button, self.next_button, self.last_button):
            button.setMaximumWidth(40)
        self.step_label = QLabel()
        self.step_label.setObjectName("stack_step_label")
        self.lecture = False  # the lecture layout (presentation mode)
        self._box_key: tuple[object, ...] = ()  # what the lecture's text box was measured for
        self._language = 0  # bumped by retranslate_ui: the texts change
        self._table_wanted = True  # the shape table's toggle outside the lecture layout
        self.shapes_button = QPushButton()
        self.shapes_button.setObjectName("stack_shapes_button")
        self.shapes_button.setCheckable(True)
        self.shapes_button.setChecked(True)
        self.shapes_button.toggled.connect(self._on_shapes_toggled)
        # The same switch as a key and an action (Tools menu, the views' context menu): the
        # lecture layout hides the button with the step controls, and folds the table.
        self.shapes_action = QAction(self)
        self.shapes_action.setObjectName("stack_shapes_action")
        self.shapes_action.setCheckable(True)
        self.shapes_action.setChecked(True)
        self.shapes_action.setShortcut(QKeySequence(SHAPES_KEY))
        self.shapes_action.triggered.connect(
            lambda *_: self.shapes_button.setChecked(self.shapes_action.isChecked())
        )
        # The single operation's arithmetic label and markup (step_bar.arithmetic_html): the
        # sentence broken only between its terms, the cell updates a little smaller under it
        # (a plain text broke "Y[2, 3] = … + 59·1" before its "= 431").
        self.step_text_label = ArithmeticLabel()
        self.step_text_label.setObjectName("stack_step_text_label")
        self.step_text_label.setWordWrap(True)
        self.step_text_label.setTextFormat(Qt.RichText)
        self.step_text_label.setIndent(0)  # as the step bar's: the fit measures no indent
        # Cut at the bottom only past STEP_TEXT_SHARE of the window: the layer's name on top.
        self.step_text_label.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.step_text_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.step_text_label.setMinimumWidth(1)
        self.step_text_label.installEventFilter(self)
        # The normal layout: the counter and the step's arithmetic as large as the single
        # operation's step bar, the arithmetic in its yellow note (at 1366x768 a 13 px text in
        # two lines under the views could not be read from the back of a lecture hall).
        self._normal_text_font = arithmetic_font()
        # The lecture layout's text grows from the step bar's font too, as the single
        # operation's does (it grew from the default font: smaller than the single one's).
        self._text_font = QFont(self._normal_text_font)
        self._normal_counter_font = counter_font()
        # The lecture layout's counter grows from the step bar's, as the single operation's
        # does (from the default font it was a thin 24 px beside the step bar's bold 33 px).
        self._counter_font = QFont(self._normal_counter_font)
        self.step_label.setFont(self._normal_counter_font)
        self.step_text_label.setFont(self._normal_text_font)
        view_settings().sigThemeChanged.connect(self._style_step_text)
        self._style_step_text()
        view_settings().sigThemeChanged.connect(self._show_media_icons)
        self._fitted: tuple[object, ...] = ()
        self._normal_box_key: tuple[object, ...] = ()
        self._normal_box = 0
        controls = QWidget()
        controls.setObjectName("stack_step_controls")
        self.step_controls = controls
        step_row = QHBoxLayout(controls)
        step_row.setContentsMargins(0, 0, 0, 0)
        for button in (self.first_button, self.previous_button, self.next_button, self.last_button):
            step_row.addWidget(button)
        step_row.insertWidget(2, self.play_button)
        step_row.addWidget(self.speed_spinbox)
        step_row.addWidget(self.backward_button)
        step_row.addWidget(self.next_row_button)
        step_row.addWidget(self.stepping_combobox)
        step_row.addWidget(self.step_slider, 1)
        step_row.addWidget(self.shapes_button)
        self.step_row = WrappingRow(controls, self.step_label)
        self.step_row.setObjectName("stack_step_row")

        right_split = QSplitter(Qt.Vertical)
        right_split.addWidget(self.views_scroll)
        right_split.addWidget(self.shapes_table)
        right_split.setStretchFactor(0, 1)
        right_split.setSizes([480, 170])  # _table_wanted_height
        right_split.setChildrenCollapsible(False)
        self.right_split = right_split
        self._table_wanted_height = 170  # the table's height in the splitter, user's choice
        right_split.splitterMoved.connect(self._on_split_moved)
        right = QWidget()
        # The level views with the step counter and the step text: what a GIF records.
        right.setObjectName("stack_record_area")
        self.record_area = right
        # A right click on the views or the text: the shape table, in either layout.
        right.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        right.addAction(self.shapes_action)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(right_split, 1)
        right_layout.addWidget(self.step_row)
        # The lecture layout: the counter moves beside the arithmetic (the controls hide,
        # the keys and the clicker step), as the single operation's step bar does.
        self.text_row = QHBoxLayout()
        self.text_row.addWidget(self.step_text_label, 1)
        right_layout.addLayout(self.text_row)

        split = QSplitter()
        split.addWidget(left_scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([290, 1000])
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(split)

        st.sigStackChanged.connect(self._on_stack_changed)
        st.sigStackStepChanged.connect(self._on_step_changed)
        st.sigStackFocusChanged.connect(self._on_focus_changed)
        state.sigError.connect(self._on_error)
        self.retranslate_ui()
        self._on_stack_changed()

    # ---- lecture layout -----------------------------------------------------------------------
    def follow_side_panel(self, side_panel: QWidget) -> None:
        """Show the layer controls exactly when the window's own side panel is shown: the
        presentation mode hides it to give the room the matrices."""
        self._window_side = side_panel
        side_panel.installEventFilter(self)
        self.side_panel.setVisible(not side_panel.isHidden())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.views_scroll
            and event.type() == QEvent.Resize
            and self.stack_state.cursor.phase == "backward"
        ):
            self._place_views(True)  # the pairs a row follow the area's shape
        if watched is self.step_text_label and event.type() == QEvent.Resize:
            # Its width settles after its text (the counter beside it takes its own first):
            # fitted at the width it had, LeNet's long sum lost its last line at 1024×768.
            if self.lecture:
                self._reserve_box()
                self._fit_step_text()
            else:
                self._reserve_normal_box()
        if watched is getattr(self, "_window_side", None) and event.type() in (
            QEvent.ShowToParent,
            QEvent.HideToParent,
        ):
            self.side_panel.setVisible(event.type() == QEvent.ShowToParent)
        return False

    def set_presenting(self, on: bool) -> None:
        """The lecture layout (presentation mode): the shape table folded (its button brings
        it back), the step counter and the step's arithmetic at lecture size (capped by the
        window's height, a long sentence drawn smaller to fit its box), the rest of the height
        for the level views.  Off: the normal layout and the table as the user left it."""
        on = bool(on)
        if on == self.lecture:
            return
        if on:
            self._table_wanted = self.shapes_button.isChecked()
        self.lecture = on
        self._sync_table()
        self.shapes_button.setChecked(self._table_wanted and not on)
        self._on_shapes_toggled(self.shapes_button.isChecked())
        self._place_counter(on)
        self._apply_lecture_fonts()

    def _place_counter(self, lecture: bool) -> None:
        """The lecture layout: no stepping controls (the presentation mode hides the window's
        toolbars; the keys and the clicker step), the counter beside the arithmetic; else the
        controls with the counter after them."""
        label = self.step_label
        if lecture:
            self.step_row.row.removeWidget(label)
            self.text_row.insertWidget(0, label, 0, Qt.AlignmentFlag.AlignVCenter)
        else:
            self.text_row.removeWidget(label)
            self.step_row.row.addWidget(label, 0, Qt.AlignmentFlag.AlignRight)
        self.step_row.setVisible(not lecture)
        label.setVisible(True)  # moved to another parent: shown again now, not later

    def _on_shapes_toggled(self, shown: bool) -> None:
        if not self.lecture:
            self._table_wanted = shown
        self.shapes_action.setChecked(shown)
        self.shapes_table.setVisible(shown)
        if shown:
            self._fit_table_height()

    def _window_height(self) -> int:
        window = self.window()
        return max(480, window.height() if window is not None else 0)

    def _apply_lecture_fonts(self) -> None:
        """The counter's and the arithmetic's fonts for the layout (see set_presenting)."""
        label = self.step_text_label
        self._style_step_text()
        self._set_table_font()
        if not self.lecture:
            label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.step_label.setFont(self._normal_counter_font)
            self._steady_counter()
            self._set_title_fonts()
            label.setFont(self._normal_text_font)
            label.setMinimumHeight(0)
            self._fitted = ()
            self._set_step_text()
            return
        height = self._window_height()
        counter = _pixels(self._counter_font) * PRESENTATION_COUNTER_SCALE
        font = QFont(self._counter_font)
        font.setPixelSize(
            max(MIN_LECTURE_TEXT_PX, int(min(counter, height * PRESENTATION_COUNTER_CAP)))
        )
        self.step_label.setFont(font)
        self._steady_counter()
        self._set_title_fonts()
        # Centred in its box, as the single operation's (its font fits it: nothing is cut).
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._box_key = ()
        self._reserve_box()
        self._fitted = ()
        self._fit_step_text()

    def _reserve_box(self) -> None:
        """Lecture layout: the arithmetic's box as the single operation's step bar sizes it
        (step_bar.lecture_box_height), for the tallest of the phase's layers' texts, measured
        once a phase (and again for another width or window height), so that the views keep
        their size while stepping.  At LECTURE_TEXT_SHARE a convolution's backward step, its
        sentence over three lines of updates, was drawn at 16 px."""
        st, label = self.stack_state, self.step_text_label
        height = self._window_height()
        key = (st.results, st.cursor.phase, self.channel(), label.width(), height, self._language)
        if key == self._box_key:
            return
        self._box_key = key
        texts = st.phase_texts(self.channel())
        several = any(text.count("\n") > ARITHMETIC_LINES for text in texts)
        base = QFont(self._text_font)
        base.setPixelSize(self.lecture_text_pixels())
        box = max(
            (
                lecture_box_height(arithmetic_html(text), label.width(), height, base, several)
                for text in tallest_candidates(texts)  # the step bar's choice of texts to lay out
            ),
            default=int(height * LECTURE_TEXT_SHARE),
        )
        label.setMinimumHeight(box)
        label.setMaximumHeight(box)

    def _steady_counter(self) -> None:
        """The lecture layout: the counter as wide as its widest text, as the step bar's, so
        that the arithmetic's box beside it keeps its width, and its height, while stepping
        ("Backward 9 / 74" after "Backward 31 / 74" made it 117 px tall, then 138)."""
        total = max(1, self.stack_state.cursor.n_forward)
        need = counter_need(self.step_label.font(), total) + 2 if self.lecture else 0
        if self.step_label.minimumWidth() != need:
            self.step_label.setMinimumWidth(need)

    def _show_media_icons(self, *_args: object) -> None:
        for button, kind in self._media:
            button.setIcon(media_icon(button, kind))
        show_play_state(self.play_button, self.play_timer.isActive())

    def _style_step_text(self, *_args: object) -> None:
        """The step text's yellow note, in both layouts (the lecture layout fits its font to
        the note's inside), as the single operation's arithmetic."""
        self.step_text_label.setStyleSheet(arithmetic_style())

    def _set_table_font(self) -> None:
        """The shape table's font: the application's; in the lecture layout as large as the
        levels' titles, which are sized to be read from the back of a hall."""
        table = self.shapes_table
        font = QFont()
        if self.lecture:
            font.setPixelSize(int(_pixels(self._title_font(font))))
        if table.font() != font:
            table.setFont(font)
            table.horizontalHeader().setFont(font)
            table.resizeColumnsToContents()
            table.resizeRowsToContents()
            self._fit_table_height()

    def _set_title_fonts(self) -> None:
        for view in self.level_views + self.grad_views:
            font = self._title_font(view.title_label.font())
            set_font(view.title_label, font)

    def lecture_text_pixels(self) -> int:
        """The largest size the step's arithmetic is drawn in, in the lecture layout."""
        height = self._window_height()
        top = min(
            _pixels(self._text_font) * PRESENTATION_TEXT_SCALE, height * PRESENTATION_TEXT_CAP
        )
        floor = height * max(LECTURE_TEXT_READABLE, PRESENTATION_TEXT_FLOOR)
        return int(max(top, floor, MIN_LECTURE_TEXT_PX))

    def _title_font(self, font: QFont) -> QFont:
        """The levels' titles: 10 pt; in the lecture layout larger, at least
        PRESENTATION_TITLE_FLOOR of the window's height (a title that does not fit shortens
        to the level's number and shape)."""
        font = QFont(font)
        font.setPointSizeF(10.0)
        if self.lecture:
            pixels = max(_pixels(font) * PRESENTATION_TITLE_SCALE,
                         self._window_height() * PRESENTATION_TITLE_FLOOR)  # fmt: skip
            font.setPixelSize(int(pixels))
        return font

    def _fit_step_text(self) -> None:
        """Lecture layout: the largest font, up to lecture_text_pixels, at which the step's
        text fits its box (a window's long sum is drawn smaller, never cut)."""
        if not self.lecture:
            return
        label = self.step_text_label
        width = max(50, label.width() - ARITHMETIC_SIDES)
        height = label.maximumHeight() - ARITHMETIC_FRAME
        top = self.lecture_text_pixels()
        text = label.text()
        key = (text, width, height, top)
        if key == self._fitted:
            return
        document = text_document(text, width, rich=True)
        font = largest_fitting_font(document, self._text_font, width, height, top)
        self._fitted = key
        set_font(label, font)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.lecture:
            self._apply_lecture_fonts()

    # ---- language -----------------------------------------------------------------------------
    def retranslate_ui(self) -> None:
        self._language += 1
        self.presets_label.setText(tr("Stack presets"))
        with QSignalBlocker(self.presets_combobox):
            current = self.presets_combobox.currentIndex()
            self.presets_combobox.clear()
            self.presets_combobox.addItem(tr("Choose a stack preset…"), -1)
            for i, preset in enumerate(self.presets):
                self.presets_combobox.addItem(preset.display_title(), i)
            self.presets_combobox.setCurrentIndex(max(0, current))
        self._show_explanation()
        self.layers_label.setText(tr("Layers (input at the top)"))
        self.add_button.setText(tr("Add layer"))
        self.remove_button.setText(tr("Remove"))
        self.up_button.setToolTip(tr("Move the layer up"))
        self.down_button.setToolTip(tr("Move the layer down"))
        self.channel_label.setText(tr("Channel shown"))
        self.grad_cell_checkbox.setText(tr("Backward from the clicked output cell"))
        self.grad_cell_checkbox.setToolTip(
            tr("dY = 1 at the last clicked cell of the last layer, 0 elsewhere (off: dY = ones)")
        )
        self.backward_button.setText(tr("Backward"))
        self.shapes_button.setText(tr("Shapes"))
        self.shapes_button.setToolTip(
            tr(
                "Show or hide the shape table ({key}; presentation mode starts with it folded)"
            ).format(key=SHAPES_KEY)
        )
        set_action_text(
            self.shapes_action,
            tr("Shape table"),
            tr("Show or hide the layer stack's shape table, also in presentation mode"),
        )
        self.play_button.setToolTip(tr("Play / pause (Space)"))
        self.speed_spinbox.setSuffix(tr("/s", "steps per second"))
        self.speed_spinbox.setToolTip(tr("Playback speed (steps per second)"))
        self.next_row_button.setText(tr("Next row"))
        self.next_row_button.setToolTip(tr("Jump to the first window of the next row"))
        names = {"windows": tr("By window"), "layers": tr("By layer")}
        for i, stepping in enumerate(STEPPINGS):
            self.stepping_combobox.setItemText(i, names[stepping])
        self.stepping_combobox.setToolTip(
            tr(
                "Stepping: each layer window by window, as a single operation steps (by "
                "window), or one step per layer (by layer)"
            )
        )
        self.shapes_table.setHorizontalHeaderLabels(
            [tr("Layer"), tr("Output"), tr("Receptive field"), tr("Jump"), tr("Output size")]
        )
        for control in self.controls.values():
            control.retranslate()
        self._on_stack_changed()

    # ---- model -> widgets ---------------------------------------------------------------------
    def _on_stack_changed(self) -> None:
        st = self.stack_state
        doc = self.state.stack
        self._sync_layer_list(doc)
        self._sync_controls(doc)
        self._sync_table()
        self._rebuild_views()
        if st.results is not self._shown_results:  # a refused edit keeps the last picture
            self._refresh_views()
        self._on_step_changed()
        self._on_error()
        with QSignalBlocker(self.grad_cell_checkbox):
            self.grad_cell_checkbox.setChecked(doc is not None and doc.grad_cell is not None)
        with QSignalBlocker(self.stepping_combobox):
            stepping = STEPPINGS[0] if doc is None else doc.stepping
            self.stepping_combobox.setCurrentIndex(STEPPINGS.index(stepping))
        self.next_row_button.setVisible(doc is not None and doc.stepping == "windows")
        del st

    def _sync_layer_list(self, doc: StackDoc | None) -> None:
        layers = () if doc is None else doc.layers
        texts = [f"{i + 1}. {layer.op}  {self._layer_summary(layer)}" for i, layer in
                 enumerate(layers)]  # fmt: skip
        with QSignalBlocker(self.layers_list):
            row = self.layers_list.currentRow()
            if self.layers_list.count() != len(texts):
                self.layers_list.clear()
                self.layers_list.addItems(texts)
                for i, text in enumerate(texts):
                    self.layers_list.item(i).setToolTip(text)
            for i, text in enumerate(texts):
                item = self.layers_list.item(i)
                if item.text() != text:
                    item.setText(text)
                    item.setToolTip(text)
            if layers:
                self.layers_list.setCurrentRow(max(0, min(row, len(layers) - 1)))
        has = bool(layers)
        for button in (self.remove_button, self.up_button, self.down_button):
            button.setEnabled(has)

    @staticmethod
    def _layer_summary(layer: Any) -> str:
        """``kernel_size=5 padding=1``: the parameters that differ from the registry's defaults
        (code names, the same in every language); a weight's channels ``1→6``."""
        parts = []
        for p in layer_params(layer.spec):
            value = layer.value(p.name)
            if value == p.default and p.name != "kernel_size":
                continue
            if p.kind == "pair":
                value = value[0] if value[0] == value[1] else f"{value[0]}×{value[1]}"
            parts.append(f"{p.name}={value}")
        if layer.weight is not None:
            axis = layer.spec.weight_in_axis
            c_in, c_out = layer.weight.shape[axis], layer.weight.shape[1 - axis]
            parts.insert(0, f"{c_in}→{c_out}")
        return " ".join(str(p) for p in parts)

    def selected_layer(self) -> int:
        return self.layers_list.currentRow()

    def _sync_controls(self, doc: StackDoc | None) -> None:
        index = self.selected_layer()
        layer = doc.layers[index] if doc is not None and 0 <= index < len(doc.layers) else None
        op = None if layer is None else layer.op
        if op != self._control_op:
            self._build_controls(op)
        if layer is None:
            self.params_title.setText("")
            return
        self.params_title.setText(
            tr("Layer {n}: {op}").format(n=index + 1, op=tr(layer.spec.label))
        )
        for name, control in self.controls.items():
            control.set_value(layer.value(name))

    def _build_controls(self, op: str | None) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self.controls = {}
        self._control_op = op
        if op is None:
            return
        for spec in layer_params(get_op(op)):
            control = _Control(spec)
            for widget in control.widgets():  # stack_<name>_spinbox, not the panel's names
                for named in [widget, *widget.findChildren(QWidget)]:
                    name = named.objectName()
                    if name and not name.startswith(("stack_", "qt_")):
                        named.setObjectName(f"stack_{name}")
            field = control.field()
            if control.label is not None:
                self.params_form.addRow(control.label, field)
            else:
                self.params_form.addRow(field)
            for widget in control.widgets():
                signal = _value_signal(widget)
                if signal is not None:
                    signal.connect(lambda *_a, n=spec.name: self._on_param_changed(n))
            if control.pair is not None:
                for box in (control.pair.h_spinbox, control.pair.w_spinbox):
                    box.valueChanged.connect(lambda _v, n=spec.name: self._on_param_changed(n))
            for button, value in control.shortcut_buttons:
                button.clicked.connect(lambda _=False, n=spec.name, v=value: self._set_param(n, v))
            control.retranslate()
            self.controls[spec.name] = control

    def _sync_table(self) -> None:
        st = self.stack_state
        rows = st.rejected_rows
        if rows is None:
            rows = [] if st.results is None else st.results.rows
        table = self.shapes_table
        doc = self.state.stack
        table.setRowCount(len(rows) + 1)
        x_shape = () if doc is None else doc.x.shape[1:]
        first = [tr("Input"), _shape_text(x_shape), "1×1", "1", ""]
        for column, text in enumerate(first):
            self._set_cell(0, column, text, False)
        for i, row in enumerate(rows, start=1):
            rf = "—" if row.receptive_field is None else _shape_text(row.receptive_field)
            jump = "—" if row.jump is None else _shape_text(row.jump)
            if row.error is not None:
                texts = [f"{row.number}. {row.op}", "✗", "", "", translate_message(row.error)]
            elif row.output_shape is None:
                texts = [f"{row.number}. {row.op}", "", "", "", ""]
            else:
                # The lecture layout: H and W a line each (at 1024×768 "; " broke the second
                # one across two lines, "… − 1)" over "/ 1) + 1 = 7").
                formula = ("\n" if self.lecture else "; ").join(map(formula_numbers, row.formula))
                out = _shape_text(row.output_shape[1:])
                texts = [f"{row.number}. {row.op}", out, rf, jump, formula]
            for column, text in enumerate(texts):
                tip = "\n".join(row.formula) if column == 4 and row.formula else text
                self._set_cell(i, column, text, row.error is not None, tip)

        self._fit_table_height()

    def table_content_height(self) -> int:
        """The shape table's height with every row shown and nothing under them."""
        table = self.shapes_table
        height = table.horizontalHeader().height() + table.verticalHeader().length()
        if table.horizontalScrollBar().isVisible():
            height += table.horizontalScrollBar().height()
        return height + 2 * table.frameWidth()

    def _fit_table_height(self, *_args: object) -> None:
        table = self.shapes_table
        height = self.table_content_height()
        table.setMinimumHeight(min(90, height))
        table.setMaximumHeight(height)
        split = getattr(self, "right_split", None)
        if split is None or not table.isVisible():
            return
        # The splitter keeps a band under a table that shrank (the views get it) and gives a
        # table that grew its rows back, up to the height the user left it at.
        sizes = split.sizes()
        # The lecture layout: every row, up to a share of the window (the views keep the rest).
        wanted = (
            int(self._window_height() * SHAPES_LECTURE_SHARE)
            if self.lecture
            else self._table_wanted_height
        )
        target = min(wanted, height)
        if sizes[1] != target and sum(sizes) > target:
            split.setSizes([sum(sizes) - target, target])

    def _on_split_moved(self, *_args: object) -> None:
        if not self.lecture:  # the lecture's table is as tall as its rows
            self._table_wanted_height = self.right_split.sizes()[1]

    def _set_cell(self, row: int, column: int, text: str, error: bool, tip: str = "") -> None:
        """One cell of the shape table, its item kept (setItem is slow) and changed only when
        its text or colour changes."""
        item = self.shapes_table.item(row, column)
        if item is None:
            item = QTableWidgetItem()
            self.shapes_table.setItem(row, column, item)
        if item.text() != text:
            item.setText(text)
            item.setToolTip(tip or text)
        if bool(item.data(Qt.UserRole)) != error:
            item.setData(Qt.UserRole, error)
            item.setForeground(Qt.red if error else self.palette().text())

    def _rebuild_views(self) -> None:
        results = self.stack_state.results
        n_levels = 0 if results is None else results.n_layers + 1
        if len(self.level_views) == n_levels:
            return
        for view in self.level_views + self.grad_views:
            self.views_grid.removeWidget(view)
            view.deleteLater()
        self.level_views, self.grad_views = [], []
        self._marked.clear()
        self._noted.clear()
        self._keys.clear()
        self._shown_results = None
        for level in range(n_levels):
            view = MatrixView("", f"stack_level{level}_view")
            grad = MatrixView("", f"stack_grad{level}_view")
            for v in (view, grad):
                v.set_magnifier_allowed(False)
                v.setMinimumSize(VIEW_MIN_WIDTH, VIEW_MIN_HEIGHT)
                v.title_label.setFont(self._title_font(v.title_label.font()))
                v.sigResized.connect(self._fit_timer.start)
                v.title_label.sigLinesChanged.connect(self._align_titles)
                v.title_label.setAlignment(
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom
                )
                v.sigCellClicked.connect(lambda r, c, lv=level: self._on_cell_clicked(lv, r, c))
                v.sigCellHovered.connect(lambda r, c, lv=level: self._on_cell_hovered(lv, r, c))
                v.sigHoverLeft.connect(self._on_hover_left)
            view.set_editable(level == 0)
            if level == 0:
                view.sigCellEdited.connect(self._on_input_edited)
            self.level_views.append(view)
            self.grad_views.append(grad)
        self._placed = None
        self._place_views(False)

    def _place_views(self, backward: bool) -> None:
        """Forward: each level's values in rows of level_columns, its gradient (hidden) under
        them.  Backward: each level's values and gradient side by side, pair_columns pairs a
        row, so that the gradients filling in get room.  Views are moved only when the
        arrangement changes (a phase switch, a resize that changes the pairs a row)."""
        n_levels = len(self.level_views)
        if backward:
            viewport = self.views_scroll.viewport()
            per = pair_columns(n_levels, viewport.width(), viewport.height())
            columns, rows = 2 * per, -(-n_levels // per) if n_levels else 0
        else:
            per = level_columns(n_levels)
            columns, rows = per, 2 * (-(-n_levels // per)) if n_levels else 0
        placed = (n_levels, backward, per)
        if placed == self._placed:
            return
        self._placed = placed
        grid = self.views_grid
        for view in self.level_views + self.grad_views:
            grid.removeWidget(view)
        for level, (view, grad) in enumerate(zip(self.level_views, self.grad_views, strict=True)):
            block, col = divmod(level, per)
            if backward:
                grid.addWidget(view, block, 2 * col)
                grid.addWidget(grad, block, 2 * col + 1)
            else:
                grid.addWidget(view, 2 * block, col)
                grid.addWidget(grad, 2 * block + 1, col)
        # Equal room for every view on screen (a table's size hint would otherwise squeeze
        # heat maps; a hidden row with a stretch would leave an empty band).
        for k in range(max(columns, grid.columnCount())):
            grid.setColumnStretch(k, 1 if k < columns else 0)
        for k in range(max(rows, grid.rowCount())):
            on = k < rows and (backward or k % 2 == 0)
            grid.setRowStretch(k, 1 if on else 0)

    def _set_step_text(self) -> None:
        """The step's arithmetic under the views, all of its lines (see _reserve_normal_box;
        the whole of it in the tooltip too)."""
        text = self.stack_state.step_text(self.channel())
        label = self.step_text_label
        label.setText(arithmetic_html(text))
        label.setToolTip(text)
        if self.lecture:
            self._reserve_box()  # another phase: its texts
            self._fit_step_text()
            return
        self._reserve_normal_box()

    def _reserve_normal_box(self) -> None:
        """Normal layout: the step text's note as tall as the layer's tallest texts in the
        phase need at the label's width (measured once a layer, so that the views keep their
        size while stepping through it), or the shown step's if taller, up to STEP_TEXT_SHARE
        of the window's height; a text taller than that is drawn smaller until it fits (the
        step bar's largest_fitting_font), never cut.  Measured for the whole phase, LeNet's
        one-line max-pooling steps got the 25-update convolution's box."""
        st, label = self.stack_state, self.step_text_label
        width, base = label.width(), self._normal_text_font
        height = self._window_height()
        layer, channel = st.cursor.layer, self.channel()
        key = (st.results, st.cursor.phase, layer, channel, width, height, self._language, base)
        if key != self._normal_box_key:
            self._normal_box_key = key
            texts = tallest_candidates(st.phase_texts(channel, layer))
            self._normal_box = max(
                (text_box_height(arithmetic_html(text), width, base) for text in texts),
                default=0,
            )
        need = max(self._normal_box, text_box_height(label.text(), width, base))
        box = min(need, int(height * STEP_TEXT_SHARE))
        font = base
        if need > box:
            inner = max(50, width - ARITHMETIC_SIDES)
            document = text_document(label.text(), inner, rich=True)
            font = largest_fitting_font(
                document, base, inner, box - ARITHMETIC_FRAME, int(_pixels(base))
            )
        if label.font() != font:
            set_font(label, font)
        if label.minimumHeight() != box or label.maximumHeight() != box:
            label.setMinimumHeight(box)
            label.setMaximumHeight(box)

    def _channel(self, array: np.ndarray) -> int:
        return min(self.channel_spinbox.value(), array.shape[1] - 1)

    def channel(self) -> int:
        """The channel the views show (each level clamps it to its own channels)."""
        return self.channel_spinbox.value()

    def _refresh_views(self) -> None:
        """New results (or another channel): every level's planes, then titles and frames."""
        results = self.stack_state.results
        self._shown_results = results
        if results is None:
            return
        self._refresh_values_only()
        self._titles()
        self._on_focus_changed()

    def _on_channel_changed(self) -> None:
        self._refresh_views()
        self._set_step_text()

    def _titles(self) -> None:
        results = self.stack_state.results
        if results is None:
            return
        for level, (view, grad_view) in enumerate(
            zip(self.level_views, self.grad_views, strict=True)
        ):
            shape = _shape_text(results.level(level).shape[1:])
            if level == 0:
                view.set_title(tr("X  {shape}").format(shape=shape))
                grad_view.set_title("dL/dX")  # code: the same in every language
                view.setToolTip(tr("The input: click a cell, hover it, or type a number"))
            else:
                op = results.rows[level - 1].op
                # Where the whole title does not fit, on two lines (the backward lecture layout
                # at 1366×768: each level beside its gradient), else the level's number and
                # shape (the op is in the table below and in the tooltip).
                view.set_title(
                    f"{level}. {op}  {shape}", f"{level}.  {shape}", f"{level}. {op}\n{shape}"
                )
                tip = tr(
                    "Layer {n} ({op}): its output. Click a cell to see its receptive field on "
                    "every earlier level; hover one to see what depends on it."
                )
                view.setToolTip(tip.format(n=level, op=op))
                grad_view.set_title(f"dL/d{level}")
            grad_view.setToolTip(tr("The gradient of the loss with respect to this level"))

    def _align_titles(self, *_args: object) -> None:
        """Every level's title as tall as the tallest (one with its title on two lines): the
        matrices of a row start at one height, each title's last line just above its own."""
        views = self.level_views + self.grad_views
        lines = max((v.title_label.lines for v in views), default=1)
        for v in views:
            label = v.title_label
            margins = label.contentsMargins()
            tall = lines * label.fontMetrics().lineSpacing() + margins.top() + margins.bottom()
            label.setMinimumHeight(tall if lines > 1 else 0)

    def _on_step_changed(self, _step: int = 0) -> None:
        st = self.stack_state
        cursor = st.cursor
        # The single operation's wording, counted within the phase ("Backward 4 / 74").
        forward = cursor.phase == "forward"
        counter = tr("Forward {index} / {total}") if forward else tr("Backward {index} / {total}")
        within = cursor.step if forward else cursor.step - cursor.n_forward
        self.step_label.setText(counter.format(index=within + 1, total=max(1, cursor.n_forward)))
        self._steady_counter()
        with QSignalBlocker(self.step_slider):
            self.step_slider.setRange(0, cursor.n_steps - 1)
            self.step_slider.setValue(cursor.step)
        self._set_step_text()
        self._refresh_values_only()
        self._on_focus_changed()

    def _refresh_values_only(self) -> None:
        """Show each level as the step has it: its values once computed (dimmed blank cells
        before), its gradient once filled in.  A view is set only when what it shows changes
        (results, channel, filled or not); the gradient row is shown in the backward phase only
        and is not updated while hidden."""
        results = self.stack_state.results
        if results is None or len(self.level_views) != results.n_layers + 1:
            return
        cursor = self.stack_state.cursor
        backward = cursor.phase == "backward"
        self._place_views(backward)
        channel = self.channel()
        # The level the current step fills in, window by window (its key changes every step).
        filling = -1
        refit = False
        if cursor.filling():
            filling = cursor.layer if backward else cursor.layer + 1
        for level, (view, grad_view) in enumerate(
            zip(self.level_views, self.grad_views, strict=True)
        ):
            c = self._channel(results.level(level))
            shown = cursor.shown_values(level)
            partial = cursor.step if level == filling and not backward else -1
            key = (results, c, shown, partial)
            if not _same_key(self._keys.get(id(view)), key):
                self._keys[id(view)] = key
                plane, pending = value_plane(results, cursor, level, channel)
                # Not computed yet: blank cells, as the single operation's outputs.
                view.set_matrix(plane, pending=pending)
                view.set_dimmed(not shown)
                refit = True
            grad_view.setVisible(backward)
            filled = cursor.shown_grad(level)
            partial = cursor.step if level == filling and backward else -1
            key = (results, c, filled, partial)
            if backward and not _same_key(self._keys.get(id(grad_view)), key):
                self._keys[id(grad_view)] = key
                gplane, filled = grad_plane(results, cursor, level, channel)
                constant = bool(np.all(gplane == gplane.flat[0]))
                grad_view.set_matrix(gplane, diverging=True, neutral=filled and constant)
                grad_view.set_dimmed(not filled)
                refit = True
        if refit:
            self.fit_views()

    def fit_views(self) -> None:
        """Fit the levels' views (and the gradients' in the backward phase) to their slots,
        every table at one cell size: a 2×2 max pooling of a 4×4 level never looks larger
        than the level it shrinks."""
        self._fit_timer.stop()
        fit_at_one_scale(
            [view for view in self.level_views + self.grad_views if view.isVisibleTo(self)]
        )

    def _on_focus_changed(self) -> None:
        """Frame the focused cell's field on every level (a clicked cell's also on the
        gradients); views whose frames stay the same are not touched."""
        st = self.stack_state
        focus = st.focus
        receptive = focus is not None and focus[0] == "receptive"
        style = "window" if receptive else "hover"
        results = st.results
        on_values: dict[int, dict[tuple[int, int], set[str]]] = {}
        on_grads: dict[int, dict[tuple[int, int], set[str]]] = {}
        masks = st.masks
        notes: dict[int, dict[tuple[int, int], str]] = {}
        if results is not None and len(self.level_views) == results.n_layers + 1:
            on_values, on_grads = st.step_cells(self.channel())
            notes = st.step_notes(self.channel())
            if focus is None:  # no cell clicked or hovered: the step's cell's field
                masks = st.step_masks(self.channel())
                style = "window"
        for level, (view, grad_view) in enumerate(
            zip(self.level_views, self.grad_views, strict=True)
        ):
            mask = masks.get(level)
            cells: dict[tuple[int, int], set[str]] = {}
            if mask is not None:
                rows, cols = np.nonzero(mask)
                cells = {(int(r), int(c)): {style} for r, c in zip(rows, cols, strict=True)}
            if focus is not None and focus[1] == level:
                # A hovered cell is framed like its field: a heat map's magnifier follows
                # clicks (its step marks), not the mouse.
                cells[(focus[2], focus[3])] = {"current" if receptive else "hover"}
            grad_cells = dict(cells) if receptive else {}
            # The current window step's cells, in single-operation mode's highlight styles.
            for marks, by_level in ((cells, on_values), (grad_cells, on_grads)):
                for rc, roles in by_level.get(level, {}).items():
                    styles = {ROLE_STYLE[r] for r in roles if r in ROLE_STYLE}
                    marks[rc] = marks.get(rc, set()) | styles
            self._mark(view, cells)
            self._mark(grad_view, grad_cells)
            level_notes = notes.get(level, {})
            if self._noted.get(id(view), {}) != level_notes:
                self._noted[id(view)] = level_notes
                view.set_notes(level_notes)

    def _mark(self, view: MatrixView, cells: dict[tuple[int, int], set[str]]) -> None:
        if self._marked.get(id(view)) != cells:
            self._marked[id(view)] = cells
            view.set_highlights(cells)

    def _on_error(self, _message: str = "") -> None:
        error = self.state.error
        st = self.stack_state
        show = error is not None and (st.rejected_rows is not None or "layer" in str(error))
        self.error_label.setText(f"⚠ {translate_message(error)}" if show else "")
        self.error_label.setVisible(show)

    def _show_explanation(self) -> None:
        index = self.presets_combobox.currentData()
        if isinstance(index, int) and 0 <= index < len(self.presets):
            self.explanation_label.setText(self.presets[index].display_explanation())
            self.explanation_label.show()
        else:
            self.explanation_label.hide()

    # ---- widgets -> state ---------------------------------------------------------------------
    def _on_preset_chosen(self, _index: int) -> None:
        index = self.presets_combobox.currentData()
        self._show_explanation()
        if not isinstance(index, int) or not 0 <= index < len(self.presets):
            return
        try:
            doc = load_stack_preset(self.presets[index].path)
        except ValueError as exc:
            self.state.report_error(exc)
            return
        self.stack_state.load(doc)

    def _on_layer_selected(self, _row: int) -> None:
        self._sync_controls(self.state.stack)

    def _on_add(self) -> None:
        op = self.add_combobox.currentData()
        index = self.selected_layer() + 1 if self.selected_layer() >= 0 else None
        if self.stack_state.add_layer(op, index):
            self.layers_list.setCurrentRow(len(self.state.stack.layers) - 1 if index is None
                                           else index)  # fmt: skip

    def _on_remove(self) -> None:
        self.stack_state.remove_layer(self.selected_layer())

    def _on_move(self, delta: int) -> None:
        row = self.selected_layer()
        if self.stack_state.move_layer(row, delta):
            self.layers_list.setCurrentRow(row + delta)

    def _on_param_changed(self, name: str) -> None:
        control = self.controls.get(name)
        if control is not None:
            self._set_param(name, control.value())

    def _set_param(self, name: str, value: object) -> None:
        row = self.selected_layer()
        if row >= 0 and not self.stack_state.set_layer_param(row, name, value):
            self._sync_controls(self.state.stack)  # the controls snap back

    def _on_input_edited(self, row: int, col: int, value: float) -> None:
        results = self.stack_state.results
        channel = 0 if results is None else self._channel(results.level(0))
        self.stack_state.set_input_cell(row, col, value, channel)

    def _on_cell_clicked(self, level: int, row: int, col: int) -> None:
        self._clicked = (level, row, col)
        self.stack_state.set_focus("receptive", level, row, col)
        results = self.stack_state.results
        if (
            self.grad_cell_checkbox.isChecked()
            and results is not None
            and level == results.n_layers
        ):
            self.stack_state.set_grad_cell((row, col))

    def _on_cell_hovered(self, level: int, row: int, col: int) -> None:
        self.stack_state.set_focus("projective", level, row, col)

    def _on_hover_left(self) -> None:
        if self._clicked is None:
            self.stack_state.set_focus(None)
        else:
            self.stack_state.set_focus("receptive", *self._clicked)

    # ---- playing -----------------------------------------------------------------------------
    def toggle_play(self) -> None:
        """Play the steps (from the first once at the end) or pause."""
        st = self.stack_state
        toggle_play_timer(
            self.play_timer,
            self.speed_spinbox.value(),
            self.play_button,
            st.step >= st.cursor.n_steps - 1,
            lambda: st.set_step(0),
        )

    def steps_per_tick(self) -> int:
        return play_steps_per_tick(self.speed_spinbox.value())

    def _on_play_timer(self) -> None:
        st = self.stack_state
        last = st.cursor.n_steps - 1
        if st.step >= last or not self.isVisible():
            self.play_timer.stop()
            show_play_state(self.play_button, self.play_timer.isActive())
            return
        phase_end = st.cursor.n_forward - 1 if st.cursor.phase == "forward" else last
        st.set_step(play_target(st.step, self.steps_per_tick(), phase_end, last))

    def _on_speed_changed(self, _value: int) -> None:
        if self.play_timer.isActive():
            self.play_timer.setInterval(play_interval(self.speed_spinbox.value()))

    def _on_stepping_chosen(self, index: int) -> None:
        stepping = self.stepping_combobox.itemData(index)
        if not self.stack_state.set_stepping(stepping):
            self._on_stack_changed()  # refused: the box shows the document's choice

    def _on_grad_cell_toggled(self, on: bool) -> None:
        results = self.stack_state.results
        if not on or results is None:
            self.stack_state.set_grad_cell(None)
            return
        clicked = self._clicked
        if clicked is not None and clicked[0] == results.n_layers:
            self.stack_state.set_grad_cell((clicked[1], clicked[2]))
        else:
            self.stack_state.set_grad_cell((0, 0))


def _tools_menu(window: Any) -> Any:
    from visualizer.widgets.verify_panel import _tools_menu as tools_menu

    return tools_menu(window)


def install(window: Any) -> None:
    """Tools ▸ Layer stack (``stack_action``, Ctrl+L): the central area switches between the
    single-operation views and the stack panel, following ``state.stack.open``."""
    state: AppState = window.state
    panel = StackPanel(state)
    window.stack_panel = panel
    panel.follow_side_panel(window.side_panel)  # presentation mode hides both
    presentation = getattr(window, "presentation", None)
    panel.set_presenting(bool(getattr(presentation, "presenting", False)))
    if hasattr(window, "sigPresentingChanged"):
        window.sigPresentingChanged.connect(panel.set_presenting)
    pages = QStackedWidget()
    pages.setObjectName("central_pages")
    single = window.takeCentralWidget()
    pages.addWidget(single)
    pages.addWidget(panel)
    window.setCentralWidget(pages)
    action: QAction = add_action(window, "stack_action", "Ctrl+L")
    action.setCheckable(True)
    action.toggled.connect(state.stack_state.set_open)
    window.actions_by_name["stack_action"] = action
    _tools_menu(window).addAction(action)
    # Its key works wherever the focus is (presentation mode hides the menus) and it is in
    # the shortcut list, which reads the menus.
    window.addAction(panel.shapes_action)
    _tools_menu(window).addAction(panel.shapes_action)

    # The keys of the Step menu step the stack while Stack mode is open: the window's step
    # actions are disabled then, and the panel's own take their keys.
    st = state.stack_state
    keys: dict[str, tuple[list[str], Any]] = {
        "firstStepAction": (["Home"], lambda: st.set_step(0)),
        "lastStepAction": (["End"], lambda: st.set_step(st.cursor.n_steps - 1)),
        "nextStepAction": (["Right", "PgDown"], lambda: st.set_step(st.step + 1)),
        "previousStepAction": (["Left", "PgUp"], lambda: st.set_step(st.step - 1)),
        "nextRowAction": (["N"], lambda: st.step_next_row()),
        "forwardPhaseAction": (["F"], lambda: st.set_phase("forward")),
        "backwardPhaseAction": (["B"], lambda: st.set_phase("backward")),
        "playAction": (["Space"], panel.toggle_play),
    }
    own: list[QAction] = []
    for name, (shortcuts, slot) in keys.items():
        key_action = QAction(panel)
        key_action.setObjectName(f"stack_{name}")
        key_action.setShortcuts([QKeySequence(k) for k in shortcuts])
        key_action.triggered.connect(slot)
        panel.addAction(key_action)
        own.append(key_action)
    # The channel keys choose planes of the single operation's views, hidden in Stack mode:
    # there they would change what the operation shows when the stack closes.
    channels = ("nextOutChannelAction", "previousOutChannelAction",
                "nextInChannelsAction", "previousInChannelsAction")  # fmt: skip
    stepping = [window.actions_by_name[n] for n in (*keys, "playAction", *channels)
                if n in window.actions_by_name]  # fmt: skip

    def sync() -> None:
        on = st.is_open
        with QSignalBlocker(action):
            action.setChecked(on)
        pages.setCurrentIndex(1 if on else 0)
        # Only the page shown sets the window's least width: the hidden stack page's step row
        # and layer controls (742 px) made a 1024x768 window with the pitfalls dock open
        # 1086 px wide, wider than the screen.
        for index in range(pages.count()):
            page = pages.widget(index)
            shown = index == pages.currentIndex()
            policy = QSizePolicy.Preferred if shown else QSizePolicy.Ignored
            page.setSizePolicy(policy, policy)
        pages.updateGeometry()
        for window_action in stepping:
            window_action.setEnabled(not on)
        for key_action in (*own, panel.shapes_action):
            key_action.setEnabled(on)

    def retranslate() -> None:
        for key_action, name in zip(own, keys, strict=True):  # the same keys, the same names
            source = window.actions_by_name.get(name)
            key_action.setText(source.text() if source is not None else name)
        action.setText(tr("Layer stack"))
        action.setToolTip(
            tr(
                "Stack mode: a chain of layers, their shapes and receptive fields, stepped "
                "forward and backward"
            )
        )

    state.stack_state.sigStackChanged.connect(sync)
    window.add_retranslate_hook(retranslate)
    sync()

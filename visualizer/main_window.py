"""The main window: layout, actions, shortcuts and wiring.  No arithmetic here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QT_TR_NOOP, QCoreApplication, QEvent, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QDockWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QStyle,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from engine.ops import OPS
from visualizer.features import FEATURES
from visualizer.i18n import current_language, set_action_text, tr, translate_message
from visualizer.model.present import LECTURE_TEXT_PLACE_GAIN, lecture_text_width
from visualizer.presentation import draw_icon
from visualizer.state import AppState
from visualizer.ui import Retranslatable, Shortcut, add_action
from visualizer.widgets.data_panel import DataPanel
from visualizer.widgets.params_panel import ParamsPanel
from visualizer.widgets.step_bar import FormulaPanel, StepBar
from visualizer.widgets.views_panel import ViewsPanel

# Shown by F1 only when the help feature (widgets/help_dialog.py) is not installed.
SHORTCUTS_HELP = QT_TR_NOOP("""<h3>Keyboard</h3>
<table cellpadding=3>
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>Right</b> / <b>Left</b></td><td>next / previous step</td></tr>
<tr><td><b>Home</b> / <b>End</b></td><td>first / last step</td></tr>
<tr><td><b>F</b> / <b>B</b></td><td>forward / backward phase</td></tr>
<tr><td><b>1</b>, <b>2</b>, <b>3</b></td><td>max pooling, average pooling, convolution</td></tr>
<tr><td><b>Ctrl+R</b></td><td>randomize the input</td></tr>
<tr><td><b>Ctrl +</b> / <b>Ctrl −</b> / <b>Ctrl 0</b></td><td>zoom cells in / out / reset</td></tr>
<tr><td>In a matrix</td><td>type a number; arrows, Tab and Enter move like a spreadsheet</td></tr>
</table>
<p>Hover an output cell to see its window; hover an input cell to see every output it feeds.
Click an output cell to jump to its step.</p>""")


# Below this window width the side panel folds away to its toolbar button (1024×768 projectors).
SIDE_COLLAPSE_WIDTH = 1200


# Rounds of posted layout requests handled before the window paints (each level of nested
# layouts posts the next level's request while the previous is handled).
LAYOUT_PASSES = 3


class MainWindow(Retranslatable, QMainWindow):
    """Pooling Visualizer's window; buildable with only a QApplication."""

    sigZoomChanged = Signal(float)  # the views' zoom after zoom_by / set_zoom
    sigPresentingChanged = Signal(bool)  # presentation mode (the lecture layout) on or off

    def __init__(self, state: AppState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state or AppState(self)
        self.params_panel = ParamsPanel(self.state)
        self.data_panel = DataPanel(self.state)
        self.formula_panel = FormulaPanel(self.state)
        self.views_panel = ViewsPanel(self.state)
        self.step_bar = StepBar(self.state)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(4, 4, 4, 4)
        side_layout.addWidget(self.params_panel)
        side_layout.addWidget(self.data_panel)
        side_layout.addWidget(self.formula_panel)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        self.side_panel = scroll
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        # Wide enough for the controls at 1366×768; on a small window it scrolls instead.
        self._side_width = side.sizeHint().width() + 18
        scroll.setMinimumWidth(220)
        scroll.setMaximumWidth(440)

        main = QWidget()
        # The matrices with the step counter and the arithmetic below: what the room sees in
        # the lecture layout, and what a GIF export records.
        main.setObjectName("lectureArea")
        self.lecture_area = main
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(4, 4, 4, 4)
        main_layout.addWidget(self.views_panel, 1)
        # The lecture's text: the step bar, then what a feature adds under it (quiz mode's
        # answer strip); below the matrices or, all of it, in the column beside them.
        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 0, 0)
        text.addWidget(self.step_bar, 1)
        main_layout.addLayout(text)
        self.lecture_text_layout = text
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self._side_width, 1000])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.menus: dict[str, QMenu] = {}
        self.toolbar = QToolBar()
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(22, 22))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonIconOnly)
        # On the left: at 1366×768 every vertical pixel goes to the matrices.
        self.addToolBar(Qt.LeftToolBarArea, self.toolbar)
        self._retranslate_hooks: list[Callable[[], None]] = []
        # Small screens: below SIDE_COLLAPSE_WIDTH the side panel collapses to the toolbar's
        # button; a click brings it back (until the width crosses the threshold again).
        self.side_collapsed = False
        # The place of the lecture's text last chosen, and what it was chosen for.
        self._text_place: tuple[tuple[object, ...], bool] | None = None
        self._narrow: bool | None = None
        self._narrow_timer = QTimer(self)
        self._narrow_timer.setSingleShot(True)
        self._narrow_timer.setInterval(0)
        self._narrow_timer.timeout.connect(self._check_narrow)
        self.side_panel_action = QAction(self)
        self.side_panel_action.setObjectName("sidePanelAction")
        self.side_panel_action.setCheckable(True)
        self.side_panel_action.setChecked(True)
        self.side_panel_action.setIcon(draw_icon("sidepanel", self.palette().buttonText().color()))
        self.side_panel_action.triggered.connect(lambda on: self.set_side_collapsed(not on))
        self.toolbar.addAction(self.side_panel_action)
        self.toolbar.addSeparator()
        self._build_actions()
        self.retranslate_ui()
        self.state.sigError.connect(self._on_error)
        # The lecture layout's text goes beside the matrices where there are many of them:
        # which ones depends on the operation and the phase.
        self.state.sigResultsChanged.connect(self.place_lecture_text)
        self.state.sigStepChanged.connect(self.place_lecture_text)
        for install in FEATURES:
            install(self)

    # ---- language ---------------------------------------------------------------------------
    def add_retranslate_hook(self, hook: Callable[[], None]) -> None:
        """Set texts with ``hook`` now, and again after the window's own texts whenever the
        language changes: for the menus and actions features add (they are not widgets and get
        no event of their own)."""
        hook()
        self._retranslate_hooks.append(hook)

    def language_changed(self) -> None:
        self.retranslate_ui()
        for hook in self._retranslate_hooks:
            hook()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Pooling Visualizer"))
        self.toolbar.setWindowTitle(tr("Tools"))
        titles = {
            "file": tr("&File"),
            "edit": tr("&Edit"),
            "data": tr("&Data"),
            "operation": tr("&Operation"),
            "step": tr("&Step"),
            "view": tr("&View"),
            "help": tr("&Help"),
        }
        for key, title in titles.items():
            self.menus[key].setTitle(title)
        a = self.actions_by_name
        set_action_text(a["loadImageAction"], tr("Load image…"))
        set_action_text(a["quitAction"], tr("Quit"))
        set_action_text(a["randomizeAction"], tr("Randomize input…"))
        set_action_text(a["gradOnesAction"], tr("dY = ones"))  # as "dY random" beside it
        for spec in OPS.values():
            set_action_text(a[f"op_{spec.alias}_action"], tr(spec.label))
        set_action_text(a["playAction"], tr("Play / pause"))
        set_action_text(a["nextStepAction"], tr("Next step"))
        set_action_text(a["previousStepAction"], tr("Previous step"))
        set_action_text(a["firstStepAction"], tr("First step"))
        set_action_text(a["lastStepAction"], tr("Last step"))
        set_action_text(a["nextRowAction"], tr("Next row"))
        set_action_text(a["forwardPhaseAction"], tr("Forward phase"))
        set_action_text(a["backwardPhaseAction"], tr("Backward phase"))
        set_action_text(a["nextOutChannelAction"], tr("Next output channel"))
        set_action_text(a["previousOutChannelAction"], tr("Previous output channel"))
        set_action_text(a["nextInChannelsAction"], tr("Next input channels"))
        set_action_text(a["previousInChannelsAction"], tr("Previous input channels"))
        set_action_text(a["zoomInAction"], tr("Zoom in"))
        set_action_text(a["zoomOutAction"], tr("Zoom out"))
        set_action_text(a["resetZoomAction"], tr("Reset zoom"))
        set_action_text(a["shortcutsAction"], tr("Keyboard shortcuts"))
        set_action_text(
            self.side_panel_action,
            tr("Controls panel"),
            tr("Show or hide the controls panel (it folds away by itself on a small screen)"),
        )
        self.state.retranslate()
        self._update_undo_texts()
        self._on_error()

    # ---- actions ----------------------------------------------------------------------------
    def _action(self, name: str, shortcut: Shortcut | None, slot: Callable[[], object]) -> QAction:
        """An action named ``name`` (its text is set in :meth:`retranslate_ui`)."""
        action = add_action(self, name, shortcut, slot)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        st = self.state
        self.actions_by_name: dict[str, QAction] = {}
        menu = self.menuBar()
        file_menu = menu.addMenu("")
        self.menus["file"] = file_menu
        # Ctrl+O opens a session (visualizer/session.py); the window image is saved through
        # File ▸ Export (visualizer/export.py), which took over "Save screenshot…".
        file_menu.addAction(
            self._action("loadImageAction", "Ctrl+I", self.data_panel._on_load_image_clicked)
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("quitAction", QKeySequence.Quit, self.close))

        edit_menu = menu.addMenu("")
        self.menus["edit"] = edit_menu
        # Built here rather than with QUndoStack.createUndoAction, whose "Undo %1" prefix is
        # fixed when it is created: these say the last edit in the current language.
        stack = st.undo_stack
        self.undo_action = self._action("undoAction", None, stack.undo)
        self.undo_action.setShortcuts([QKeySequence.Undo])
        self.undo_action.setIcon(self.style().standardIcon(QStyle.SP_ArrowBack))
        self.redo_action = self._action("redoAction", None, stack.redo)
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        self.redo_action.setIcon(self.style().standardIcon(QStyle.SP_ArrowForward))
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(self._update_undo_texts)
        stack.redoTextChanged.connect(self._update_undo_texts)
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()

        data_menu = menu.addMenu("")
        self.menus["data"] = data_menu
        data_menu.addAction(
            self._action("randomizeAction", "Ctrl+R", self.data_panel.open_randomize_dialog)
        )
        data_menu.addAction(
            self._action("gradOnesAction", None, lambda: st.fill_grad_output("ones"))
        )

        op_menu = menu.addMenu("")
        self.menus["operation"] = op_menu
        # Keys 1..9 choose the operations in registry order (later ones by menu only).
        for number, spec in enumerate(OPS.values(), start=1):
            key = str(number) if number <= 9 else None
            op_menu.addAction(
                self._action(
                    f"op_{spec.alias}_action", key, lambda _=False, o=spec.key: st.set_op(o)
                )
            )

        step_menu = menu.addMenu("")
        self.menus["step"] = step_menu
        self.play_action = self._action("playAction", "Space", self.step_bar.toggle_play)
        # st.advance: in quiz mode the clicker reveals the answer first, then steps on.
        next_action = self._action("nextStepAction", None, st.advance)
        previous_action = self._action("previousStepAction", None, lambda: st.set_step(st.step - 1))
        # A presenter's clicker sends PageDown / PageUp (some send Right / Left).
        next_action.setShortcuts([QKeySequence("Right"), QKeySequence("PgDown")])
        previous_action.setShortcuts([QKeySequence("Left"), QKeySequence("PgUp")])
        for action in (
            self.play_action,
            next_action,
            previous_action,
            self._action("firstStepAction", "Home", lambda: st.set_step(0)),
            self._action("lastStepAction", "End", lambda: st.set_step(st.n_steps - 1)),
            # The step bar's "Next row" as a key (the lecture layout hides the bar's buttons).
            self._action("nextRowAction", "N", st.step_next_row),
            self._action("forwardPhaseAction", "F", lambda: st.set_phase("forward")),
            self._action("backwardPhaseAction", "B", lambda: st.set_phase("backward")),
            # The output channel Y, dY and dW show, as keys: the lecture layout hides the
            # side panel's selector (the preset's text asks for other channels).
            self._action("nextOutChannelAction", "O", lambda: st.cycle_out_channel(1)),
            self._action("previousOutChannelAction", "Shift+O", lambda: st.cycle_out_channel(-1)),
            # ... and the block of input channels shown (more than four): the side panel's
            # selector is hidden there as well.
            self._action("nextInChannelsAction", "I", lambda: st.cycle_channel_block(1)),
            self._action("previousInChannelsAction", "Shift+I", lambda: st.cycle_channel_block(-1)),
        ):
            step_menu.addAction(action)

        view_menu = menu.addMenu("")
        self.menus["view"] = view_menu
        view_menu.addAction(self._action("zoomInAction", "Ctrl++", lambda: self.zoom_by(1.15)))
        view_menu.addAction(self._action("zoomOutAction", "Ctrl+-", lambda: self.zoom_by(1 / 1.15)))
        view_menu.addAction(self._action("resetZoomAction", "Ctrl+0", lambda: self.zoom_by(0)))

        help_menu = menu.addMenu("")
        self.menus["help"] = help_menu
        help_menu.addAction(self._action("shortcutsAction", "F1", self._on_help))

    def _update_undo_texts(self, *_args: object) -> None:
        stack = self.state.undo_stack
        self.undo_action.setEnabled(stack.canUndo())
        self.redo_action.setEnabled(stack.canRedo())
        undo, redo = stack.undoText(), stack.redoText()
        self.undo_action.setText(tr("Undo {edit}").format(edit=undo) if undo else tr("Undo"))
        self.redo_action.setText(tr("Redo {edit}").format(edit=redo) if redo else tr("Redo"))

    # ---- small screens ------------------------------------------------------------------------
    def set_side_collapsed(self, collapsed: bool) -> None:
        """Fold the side panel away (its toolbar button brings it back), or show it."""
        self.side_collapsed = bool(collapsed)
        self.side_panel_action.setChecked(not self.side_collapsed)
        presenting = getattr(getattr(self, "presentation", None), "presenting", False)
        self.side_panel.setVisible(not self.side_collapsed and not presenting)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:
            # Lay out before painting: an edit or a step that changes sizes (a longer
            # arithmetic line, a new output shape) posts layout requests level by level, and
            # the window painted between them drew every view twice, once at the old sizes.
            for _ in range(LAYOUT_PASSES):
                QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            # The views' cell sizes fitted to the sizes just laid out, before painting: the
            # fit's zero-time timer ran after the paint and every view was painted twice
            # (adaptive pooling's longer arithmetic line resizes them on a parameter change).
            for _ in range(LAYOUT_PASSES):  # a fit resizes views, which asks for a fit
                if not self.views_panel.fit_pending():
                    break
                for _ in range(LAYOUT_PASSES):
                    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
            self.views_panel.place_arrows_pending()
        return super().event(event)

    @contextmanager
    def layout_held(self) -> Iterator[None]:
        """Lay the window out once, before its next paint (see :meth:`event`), for all the
        widgets the block shows and hides.

        Qt lays out every ancestor of a widget it shows at once, up to the window: bringing
        back the menus, the toolbar, the status bar and the step bar's controls one by one
        laid the whole window out, every view included, once for each of them (leaving the
        lecture layout: ~10 ms).  Held, each posts its layout request, handled once."""
        layouts = [
            layout
            for layout in (
                self.layout(),
                self.lecture_area.layout(),
                self.views_panel.layout(),
                self.step_bar.layout(),
            )
            if layout is not None and layout.isEnabled()
        ]
        for layout in layouts:
            layout.setEnabled(False)
        try:
            yield
        finally:
            for layout in layouts:
                layout.setEnabled(True)
                # The first change in the block posted the request (Qt posts none for the
                # later ones until the layout has run, and nothing here handles events);
                # a block that changed nothing gets one, which finds nothing to do.  Qt
                # makes the event: one made here was deleted by Qt when it dropped a
                # duplicate request, under the binding that still held it, and the app
                # crashed later in the event loop (about one run in three of switching
                # operations, inputs and the lecture layout with a grab in between).
                layout.update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._check_narrow(event.size().width())
        self.place_lecture_text()

    def place_lecture_text(self, *_args: object) -> None:
        """The lecture layout's step counter and arithmetic: below the matrices, or in a
        column beside them where the phase shows many (``AppState.lecture_text_beside``:
        two rows of matrices, bound by the height); the normal layout: below."""
        presenting = getattr(getattr(self, "presentation", None), "presenting", False)
        beside = bool(presenting) and self._lecture_text_beside()
        layout = self.lecture_area.layout()
        if not isinstance(layout, QBoxLayout):
            return
        direction = QBoxLayout.Direction.LeftToRight if beside else QBoxLayout.Direction.TopToBottom
        if layout.direction() != direction:
            layout.setDirection(direction)
        width = lecture_text_width(self.width())
        self.step_bar.set_beside(beside, width)
        for widget in self._under_lecture_text():
            widget.set_beside(beside, width)  # type: ignore[attr-defined]

    def _under_lecture_text(self) -> list[QWidget]:
        """The shown widgets a feature put under the lecture's text (quiz mode's strip): each
        goes where the text goes (``set_beside``) and says the height it takes below the
        matrices (``lecture_below_height``)."""
        text = self.lecture_text_layout
        found = (text.itemAt(i).widget() for i in range(text.count()))
        return [
            w
            for w in found
            if w is not None
            and w is not self.step_bar
            and not w.isHidden()
            and hasattr(w, "set_beside")
        ]

    def _lecture_text_beside(self) -> bool:
        """Whether the lecture's text goes beside the matrices: where that makes their cells
        larger than below them (LECTURE_TEXT_PLACE_GAIN times as large as the place the
        count of matrices gives, ``AppState.lecture_text_beside``).  Convolution's backward
        at 1366×768 is bound by the height beside: two rows of 37 px cells with empty room
        beside W and dW, 39 px below the matrices (43 px for the transposed one); LP
        pooling's backward the reverse (36 px beside, 30 below).  Chosen once per operation,
        phase, result, size and zoom; with several planes side by side, and until the lecture
        layout's views are there, the count decides."""
        rule = self.state.lecture_text_beside()
        panel = self.views_panel
        if not panel.lecture or len(self.state.shown_channels()) > 1:
            return rule
        key = (
            self.width(),
            self.height(),
            self.state.spec.key,
            self.state.phase,
            self.state.results.serial,
            panel.zoom,
            current_language(),
            tuple(id(w) for w in self._under_lecture_text()),
        )
        if self._text_place is not None and self._text_place[0] == key:
            return self._text_place[1]
        layout = self.lecture_area.layout()
        margins = layout.contentsMargins()
        spacing = max(0, layout.spacing())
        width = self.width() - margins.left() - margins.right()
        height = self.height() - margins.top() - margins.bottom()
        below = self.step_bar.lecture_below_height(width, self.height())
        for widget in self._under_lecture_text():
            under = widget.lecture_below_height(width, self.height())  # type: ignore[attr-defined]
            below += under + max(0, self.lecture_text_layout.spacing())
        measured: dict[tuple[object, ...], object] = {}  # the views' sizes, measured once
        cells = {
            True: panel.lecture_cell_in(
                width - lecture_text_width(self.width()) - spacing, height, measured
            ),
            False: panel.lecture_cell_in(width, height - below - spacing, measured),
        }
        beside = rule if cells[not rule] < LECTURE_TEXT_PLACE_GAIN * cells[rule] else not rule
        self._text_place = (key, beside)
        return beside

    def _check_narrow(self, width: int | None = None) -> None:
        """Collapse the side panel when the width left beside the docks on the left and right
        is below SIDE_COLLAPSE_WIDTH (a 1024-px screen, or 1366 px with the code or pitfalls
        dock open: the matrices got 450 px for five views); bring it back when it grows."""
        sides = {Qt.LeftDockWidgetArea: 0, Qt.RightDockWidgetArea: 0}  # tabbed docks: one width
        for dock in self.findChildren(QDockWidget, options=Qt.FindDirectChildrenOnly):
            area = self.dockWidgetArea(dock)
            if area in sides and dock.isVisible() and not dock.isFloating():
                sides[area] = max(sides[area], dock.width())
        room = (self.width() if width is None else width) - sum(sides.values())
        narrow = room < SIDE_COLLAPSE_WIDTH
        if narrow != self._narrow:
            self._narrow = narrow
            self.set_side_collapsed(narrow)

    def addDockWidget(self, *args: object) -> None:  # type: ignore[override]
        """Docks on the sides take width from the matrices: see _check_narrow."""
        super().addDockWidget(*args)  # type: ignore[call-overload]
        dock = args[1] if len(args) > 1 else None
        if isinstance(dock, QDockWidget):
            dock.visibilityChanged.connect(self._on_dock_changed)
            dock.topLevelChanged.connect(self._on_dock_changed)

    def _on_dock_changed(self, _on: bool) -> None:
        self._narrow_timer.start()  # once the dock has its size

    def zoom_by(self, factor: float) -> None:
        """Multiply the zoom by ``factor``; 0 resets it to 1."""
        self.set_zoom(1.0 if factor == 0 else self.views_panel.zoom * factor)

    def set_zoom(self, zoom: float) -> None:
        """Cell zoom of the views (clamped by the panel); features follow sigZoomChanged."""
        self.views_panel.set_zoom(zoom)
        self.sigZoomChanged.emit(self.views_panel.zoom)

    def _on_help(self) -> None:
        QMessageBox.information(self, tr("Pooling Visualizer — help"), tr(SHORTCUTS_HELP))

    def _on_error(self, _message: str = "") -> None:
        # The state's error, not the signal's English text: said in the current language.
        error, bar = self.state.error, self.statusBar()
        bar.showMessage(translate_message(error), 8000) if error else bar.clearMessage()

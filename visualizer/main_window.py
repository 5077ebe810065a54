"""The main window: layout, actions, shortcuts and wiring.  No arithmetic here."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
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

from visualizer.features import FEATURES
from visualizer.state import OPS, AppState
from visualizer.widgets.data_panel import DataPanel
from visualizer.widgets.params_panel import ParamsPanel
from visualizer.widgets.step_bar import FormulaPanel, StepBar
from visualizer.widgets.views_panel import ViewsPanel

SHORTCUTS_HELP = """<h3>Keyboard</h3>
<table cellpadding=3>
<tr><td><b>Space</b></td><td>play / pause</td></tr>
<tr><td><b>Right</b> / <b>Left</b></td><td>next / previous step</td></tr>
<tr><td><b>Home</b> / <b>End</b></td><td>first / last step</td></tr>
<tr><td><b>F</b> / <b>B</b></td><td>forward / backward phase</td></tr>
<tr><td><b>1</b>, <b>2</b>, <b>3</b></td><td>max pooling, average pooling, convolution</td></tr>
<tr><td><b>Ctrl+R</b></td><td>randomize the input</td></tr>
<tr><td><b>Ctrl +</b> / <b>Ctrl −</b> / <b>Ctrl 0</b></td><td>zoom cells in / out / reset</td></tr>
<tr><td><b>Ctrl+O</b> / <b>Ctrl+S</b></td><td>open / save a session</td></tr>
<tr><td><b>Ctrl+Shift+S</b></td><td>save the session as…</td></tr>
<tr><td><b>Ctrl+I</b></td><td>load an image as the input</td></tr>
<tr><td><b>Ctrl+E</b></td><td>export the window as PNG or SVG</td></tr>
<tr><td><b>Ctrl+Shift+G</b></td><td>export the stepping as an animated GIF</td></tr>
<tr><td><b>F11</b> / <b>F5</b></td><td>full screen / presentation mode</td></tr>
<tr><td><b>Ctrl+Shift+D</b></td><td>dark / light theme</td></tr>
<tr><td><b>Ctrl+Shift+P</b></td><td>colour-blind-safe colours</td></tr>
<tr><td>In a matrix</td><td>type a number; arrows, Tab and Enter move like a spreadsheet</td></tr>
</table>
<p>Hover an output cell to see its window; hover an input cell to see every output it feeds.
Click an output cell to jump to its step.</p>"""


class MainWindow(QMainWindow):
    """Pooling Visualizer's window; buildable with only a QApplication."""

    sigZoomChanged = Signal(float)  # the views' zoom after zoom_by / set_zoom

    def __init__(self, state: AppState | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pooling Visualizer")
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
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        # Wide enough for the controls at 1366×768; on a small window it scrolls instead.
        self._side_width = side.sizeHint().width() + 18
        scroll.setMinimumWidth(220)
        scroll.setMaximumWidth(440)

        main = QWidget()
        main_layout = QVBoxLayout(main)
        main_layout.setContentsMargins(4, 4, 4, 4)
        main_layout.addWidget(self.views_panel, 1)
        main_layout.addWidget(self.step_bar)
        splitter = QSplitter()
        splitter.addWidget(scroll)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([self._side_width, 1000])
        splitter.setChildrenCollapsible(False)
        self.setCentralWidget(splitter)
        self.menus: dict[str, QMenu] = {}
        self.toolbar = QToolBar("Tools")
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setIconSize(QSize(22, 22))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonIconOnly)
        # On the left: at 1366×768 every vertical pixel goes to the matrices.
        self.addToolBar(Qt.LeftToolBarArea, self.toolbar)
        self._build_actions()
        self.state.sigError.connect(self._on_error)
        for install in FEATURES:
            install(self)

    # ---- actions ----------------------------------------------------------------------------
    def _action(self, text: str, shortcut: str | QKeySequence | None, slot: object) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text} ({QKeySequence(shortcut).toString()})")
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        st = self.state
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.menus["file"] = file_menu
        # Ctrl+O opens a session (visualizer/session.py); the window image is saved through
        # File ▸ Export (visualizer/export.py), which took over "Save screenshot…".
        file_menu.addAction(
            self._action("Load image…", "Ctrl+I", self.data_panel._on_load_image_clicked)
        )
        file_menu.addSeparator()
        file_menu.addAction(self._action("Quit", QKeySequence.Quit, self.close))

        edit_menu = menu.addMenu("&Edit")
        self.menus["edit"] = edit_menu
        self.undo_action = st.undo_stack.createUndoAction(self, "Undo")
        self.undo_action.setShortcuts([QKeySequence.Undo])
        self.undo_action.setIcon(self.style().standardIcon(QStyle.SP_ArrowBack))
        self.undo_action.setObjectName("undoAction")
        self.redo_action = st.undo_stack.createRedoAction(self, "Redo")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence.Redo])
        self.redo_action.setIcon(self.style().standardIcon(QStyle.SP_ArrowForward))
        self.redo_action.setObjectName("redoAction")
        for action in (self.undo_action, self.redo_action):
            self.addAction(action)
            edit_menu.addAction(action)
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()

        data_menu = menu.addMenu("&Data")
        self.menus["data"] = data_menu
        data_menu.addAction(
            self._action("Randomize input…", "Ctrl+R", self.data_panel.open_randomize_dialog)
        )
        data_menu.addAction(self._action("dY = ones", None, lambda: st.fill_grad_output("ones")))

        op_menu = menu.addMenu("&Operation")
        self.menus["operation"] = op_menu
        for key, (op, label) in zip("123", OPS.items(), strict=True):
            op_menu.addAction(self._action(label, key, lambda _=False, o=op: st.set_op(o)))

        step_menu = menu.addMenu("&Step")
        self.menus["step"] = step_menu
        self.play_action = self._action("Play / pause", "Space", self.step_bar.toggle_play)
        for action in (
            self.play_action,
            self._action("Next step", "Right", lambda: st.set_step(st.step + 1)),
            self._action("Previous step", "Left", lambda: st.set_step(st.step - 1)),
            self._action("First step", "Home", lambda: st.set_step(0)),
            self._action("Last step", "End", lambda: st.set_step(st.n_steps - 1)),
            self._action("Forward phase", "F", lambda: st.set_phase("forward")),
            self._action("Backward phase", "B", lambda: st.set_phase("backward")),
        ):
            step_menu.addAction(action)

        view_menu = menu.addMenu("&View")
        self.menus["view"] = view_menu
        view_menu.addAction(self._action("Zoom in", "Ctrl++", lambda: self.zoom_by(1.15)))
        view_menu.addAction(self._action("Zoom out", "Ctrl+-", lambda: self.zoom_by(1 / 1.15)))
        view_menu.addAction(self._action("Reset zoom", "Ctrl+0", lambda: self.zoom_by(0)))

        help_menu = menu.addMenu("&Help")
        self.menus["help"] = help_menu
        help_menu.addAction(self._action("Keyboard shortcuts", "F1", self._on_help))

    def zoom_by(self, factor: float) -> None:
        """Multiply the zoom by ``factor``; 0 resets it to 1."""
        self.set_zoom(1.0 if factor == 0 else self.views_panel.zoom * factor)

    def set_zoom(self, zoom: float) -> None:
        """Cell zoom of the views (clamped by the panel); features follow sigZoomChanged."""
        self.views_panel.set_zoom(zoom)
        self.sigZoomChanged.emit(self.views_panel.zoom)

    def _on_help(self) -> None:
        QMessageBox.information(self, "Pooling Visualizer — help", SHORTCUTS_HELP)

    def _on_error(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000) if message else self.statusBar().clearMessage()

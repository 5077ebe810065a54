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
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import set_action_text, tr, translate_message
from visualizer.model.document import CompareSetup
from visualizer.state import INPUT, AppState
from visualizer.ui import Retranslatable
from visualizer.widgets.matrix_view import MIN_NUMBER_CELL, MatrixView, levels_for
from visualizer.widgets.views_panel import ROLE_STYLE

# The highlight style of a cell whose value differs between the settings (the Pitfalls panel's
# frame for a differing cell; it is no colour of the data maps in either palette).
DIFFERS_STYLE = "wrong"
# Differing cells are framed in matrices of at most this many cells (the summary line still
# counts them in larger ones).
MAX_MARKED_CELLS = 24 * 24
# Matrices with more rows or columns than this are heat maps in the panels.
TABLE_MAX_SIDE = 24
# Below this width per setting the settings are stacked, one above the other.
SIDE_BY_SIDE_MIN_WIDTH = 480
# The views of a panel, by result name, in the order a stacked panel shows them in one row.
VIEWS = ("input", "output", "mask", "grad_input", "grad_weight")
# Where each view sits in a panel of a side-by-side layout: (row, column).
SIDE_BY_SIDE_CELLS = {
    "input": (0, 0),
    "output": (0, 1),
    "grad_input": (1, 0),
    "mask": (1, 1),
    "grad_weight": (1, 1),  # an operation with a weight has no mask
}
GRADIENTS = ("grad_input", "grad_weight")


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
        font.setPointSizeF(13)
        font.setBold(True)
        self.title_label.setFont(font)
        self.title_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.views = {
            name: MatrixView("", f"compare{index}_{name}_matrix", self, magnify=False)
            for name in VIEWS
        }
        for view in self.views.values():
            # Tables (a step repaints only the cells that change) up to this size; larger
            # matrices are heat maps, without the magnifier the usual views have.
            view.heat_above = TABLE_MAX_SIDE
        small = QFont()
        small.setPointSizeF(10.5)
        small.setBold(True)
        for view in self.views.values():
            # Every panel shares the colour levels: one legend would say the same four times.
            view.legend.hide()
            view.title_label.setFont(small)
        self.views["input"].set_editable(True)
        self.views["input"].sigCellEdited.connect(state.set_input_cell)
        self.views["output"].sigCellClicked.connect(state.jump_to_position)
        self.step_label = QLabel("")
        self.step_label.setObjectName(f"comparePanel{index}Step")
        self.step_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(4)
        self.title_label.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.title_label)
        head.addSpacing(12)
        head.addWidget(self.step_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addLayout(self.grid, 1)
        self.mode = ""
        self.shown: tuple[str, ...] = ()
        # What each view was last given: a step redraws only the views whose content changed.
        self._shown: dict[str, np.ndarray] = {}
        self._marks: dict[str, dict[tuple[int, int], set[str]]] = {}

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

    def show_marks(self, name: str, marks: dict[tuple[int, int], set[str]]) -> None:
        if self._marks.get(name) != marks:
            self._marks[name] = marks
            self.views[name].set_highlights(marks)

    def arrange(self, mode: str, shown: tuple[str, ...]) -> None:
        """Place the ``shown`` views: a 2 × 2 grid (side by side) or one row (stacked)."""
        if (mode, shown) == (self.mode, self.shown):
            return
        self.mode, self.shown = mode, shown
        for view in self.views.values():
            self.grid.removeWidget(view)
        for col in range(len(VIEWS)):
            self.grid.setColumnStretch(col, 0)
        taken: set[tuple[int, int]] = set()
        for k, name in enumerate(shown):
            row, col = SIDE_BY_SIDE_CELLS[name] if mode == "side" else (0, k)
            if (row, col) in taken:
                row, col = 0, 2
            taken.add((row, col))
            self.grid.addWidget(self.views[name], row, col)
        for name, view in self.views.items():
            view.setVisible(name in shown)
        self.fit_columns()

    def fit_columns(self) -> None:
        """Each view as wide as its number of columns asks, so that one cell size fits all."""
        widths: dict[int, int] = {}
        for view in self.views.values():
            index = self.grid.indexOf(view)
            if index < 0 or view.isHidden():
                continue
            col = self.grid.getItemPosition(index)[1]
            widths[col] = max(widths.get(col, 1), view.model.columnCount() + 1)
        for col in range(len(VIEWS)):
            self.grid.setColumnStretch(col, widths.get(col, 0))


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
        font.setPointSizeF(11.5)
        self.summary_label.setFont(font)
        self.panel_grid = QGridLayout()
        self.panel_grid.setContentsMargins(0, 0, 0, 0)
        self.panel_grid.setSpacing(6)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.summary_label)
        layout.addLayout(self.panel_grid, 1)
        self.panels: list[ComparePanel] = []
        # Differing cells are framed while cells are large enough to show numbers (a frame
        # on a few pixels hides the colour it is about).
        self._framed = True
        self.mode = ""
        self._levels: dict[str, tuple[float, float]] = {}
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.setInterval(0)
        self._sync_timer.timeout.connect(self.sync_cell_sizes)
        state.sigResultsChanged.connect(self._on_results_changed)
        state.sigStepChanged.connect(self._on_step_changed)

    # ---- layout -----------------------------------------------------------------------------
    def _ensure_panels(self, count: int) -> None:
        while len(self.panels) > count:
            panel = self.panels.pop()
            self.panel_grid.removeWidget(panel)
            panel.setParent(None)
            panel.deleteLater()
        while len(self.panels) < count:
            panel = ComparePanel(len(self.panels), self.state, self)
            for view in panel.views.values():
                view.sigResized.connect(self._sync_timer.start)
            self.panels.append(panel)
            self.mode = ""  # placed by _arrange

    def _arrange(self) -> None:
        """Side by side when every setting gets enough width, else one above the other."""
        count = max(1, len(self.panels))
        mode = "side" if self.width() / count >= SIDE_BY_SIDE_MIN_WIDTH else "stacked"
        comparison = self.state.comparison
        for k, panel in enumerate(self.panels):
            if comparison is None or k >= len(comparison.panels):
                continue
            own = comparison.panels[k]
            has = {
                "mask": own.plane("mask") is not None,
                "grad_weight": own.doc.spec.has_weight,
            }
            panel.arrange(mode, tuple(name for name in VIEWS if has.get(name, True)))
        if mode == self.mode:
            return
        self.mode = mode
        for panel in self.panels:
            self.panel_grid.removeWidget(panel)
        for k in range(4):
            self.panel_grid.setRowStretch(k, 0)
            self.panel_grid.setColumnStretch(k, 0)
        for k, panel in enumerate(self.panels):
            if mode == "side":
                self.panel_grid.addWidget(panel, 0, k)
                self.panel_grid.setColumnStretch(k, 1)
            else:
                self.panel_grid.addWidget(panel, k, 0)
                self.panel_grid.setRowStretch(k, 1)
        self._sync_timer.start()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._arrange()

    def views(self) -> list[MatrixView]:
        return [v for panel in self.panels for v in panel.views.values() if not v.isHidden()]

    def sync_cell_sizes(self) -> None:
        """One cell size for every view of every panel: the largest at which all fit."""
        views = self.views()
        if not views:
            return
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
        self._arrange()
        lines = [translate_message(line) for line in comparison.summary()]
        lines.append(tr("Marked cells: the value differs between the settings"))
        self.summary_label.setText("\n".join(lines))
        canvases = [st.compare_canvas(i) for i in range(len(self.panels))]
        x_levels = levels_for(canvases[0][0][canvases[0][1] == INPUT], False)
        spec_scale = all(p.doc.spec.output_in_input_scale for p in comparison.panels)
        outputs = np.concatenate([p.plane("output").ravel() for p in comparison.panels])
        grads = np.concatenate([p.plane("grad_input").ravel() for p in comparison.panels])
        masks = [p.plane("mask") for p in comparison.panels]
        top = max((float(m.max()) for m in masks if m is not None and m.size), default=1.0)
        self._levels = {
            "input": x_levels,
            "output": x_levels if spec_scale else levels_for(outputs, False),
            "grad_input": levels_for(grads, True),
            "mask": (0.0, max(1.0, top)),
            "grad_weight": levels_for(
                np.concatenate([np.ravel(g) for g in st.compare_final_grad_weights()] or [[0.0]]),
                True,
            ),
        }
        for i, panel in enumerate(self.panels):
            panel.forget()
            values, kinds, offset = canvases[i]
            panel.views["input"].set_matrix(values, kinds, offset, levels=x_levels)
            panel.title_label.setText(translate_message(comparison.panels[i].title))
            oh, ow = comparison.panels[i].plane("output").shape
            panel.views["input"].set_title(tr("Input X"))
            panel.views["output"].set_title(tr("Output Y  ({size})").format(size=f"{oh}×{ow}"))
            panel.views["mask"].set_title(tr("Argmax mask"))
            panel.views["grad_input"].set_title("dX")
            panel.views["grad_weight"].set_title("dW")
        self._on_step_changed(st.step)
        for panel in self.panels:
            panel.fit_columns()
        self._sync_timer.start()

    def _on_step_changed(self, _step: int = 0) -> None:
        st = self.state
        if st.comparison is None or len(self.panels) != len(st.comparison.panels):
            return
        forward = st.phase == "forward"
        levels = self._levels
        frames, differing = st.compare_frames()
        for i, panel in enumerate(self.panels):
            frame = frames[i]
            panel.show_values(
                "output", frame.output, levels=levels["output"], pending=frame.output_pending
            )
            panel.show_values(
                "grad_input", frame.grad_input, levels=levels["grad_input"], diverging=True
            )
            panel.views["grad_input"].set_dimmed(forward)
            if frame.grad_weight is not None:
                panel.show_values(
                    "grad_weight",
                    frame.grad_weight,
                    levels=levels["grad_weight"],
                    diverging=True,
                )
                panel.views["grad_weight"].set_dimmed(forward)
            if frame.mask is not None:
                panel.show_values("mask", frame.mask.astype(float), levels=levels["mask"])
            hl = frame.highlight
            for name in VIEWS:
                marked = differing[i].get(name)
                cells: dict[tuple[int, int], set[str]] = {}
                # Framed where a view can be a table; a heat map draws no such frames.
                if marked is not None and marked.size <= MAX_MARKED_CELLS and self._framed:
                    cells = {(int(r), int(c)): {DIFFERS_STYLE} for r, c in np.argwhere(marked)}
                skip = (forward and name in GRADIENTS) or (not forward and name == "mask")
                if hl is not None and not skip:
                    for rc, roles in hl.of(name).items():
                        styles = {ROLE_STYLE[r] for r in roles if r in ROLE_STYLE}
                        cells[rc] = styles | cells.get(rc, set())
                panel.show_marks(name, cells)
            text = st.compare_step_text(i)
            if text != panel.step_label.text():
                panel.step_label.setText(text)
            panel.step_label.setEnabled(frame.step.present)


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

    menu.aboutToShow.connect(fill_menu)
    fill_menu()

    def on_results_changed() -> None:
        on = state.comparison is not None
        if view.isHidden() == on:
            views_panel.set_paused(on)  # the usual views do not redraw while hidden
            views_panel.setHidden(on)
            view.setHidden(not on)
        with QSignalBlocker(action):
            action.setChecked(on)

    state.sigResultsChanged.connect(on_results_changed)

    def retranslate() -> None:
        set_action_text(action, tr("Compare"), tr("Compare settings side by side"))
        button.setText(tr("Compare…"))
        button.setToolTip(
            tr("Quick comparisons: the same input with another setting, side by side in lockstep")
        )
        fill_menu()

    retranslate()
    window.add_retranslate_hook(retranslate)  # type: ignore[attr-defined]
    _tools_menu(window).addAction(action)
    window.compare_view = view  # type: ignore[attr-defined]
    window.compare_action = action  # type: ignore[attr-defined]
    window.compare_button = button  # type: ignore[attr-defined]
    on_results_changed()

"""Pitfalls: a common wrong implementation beside the correct result, on the current data.

The state computes both matrices (``AppState.pitfall_result``); this panel only shows them
side by side, frames the cells that differ and counts them.  When the mistake does not show
on the current data, the panel says what data would reveal it.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QBoxLayout,
    QComboBox,
    QLabel,
    QMainWindow,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import CHINESE, ENGLISH, localized, tr, translate_message
from visualizer.state import AppState
from visualizer.ui import PanelDock, Retranslatable, set_dock_texts
from visualizer.widgets.matrix_view import MatrixView, levels_for
from visualizer.widgets.presets_dock import glyph_icon

if TYPE_CHECKING:
    from engine.pitfalls import Pitfall

RESULT_NAMES = {"output": "Y", "grad_input": "dX"}

# What data makes each mistake visible, for when the current data hides it.
SHOWS_WHEN = {
    "max_zero_padding": QT_TR_NOOP(
        "set padding ≥ 1 and make the border values negative (Fill X → Negative values)."
    ),
    "max_backward_ignores_stride": QT_TR_NOOP("use a stride of 2 or more."),
    "max_backward_equality_mask": QT_TR_NOOP(
        "make a window hold its maximum twice (Fill X → Ties everywhere)."
    ),
    "pool_reshape": QT_TR_NOOP(
        "use an input size that the kernel does not divide with ceil_mode on, "
        "or a stride other than the kernel, or padding."
    ),
    "avg_fixed_divisor": QT_TR_NOOP(
        "turn on ceil_mode with a size the kernel does not divide, or turn "
        "off count_include_pad with padding, or set divisor_override."
    ),
    "conv_bias_per_product": QT_TR_NOOP("set a non-zero bias."),
    "conv_flipped_kernel": QT_TR_NOOP(
        "use a kernel that changes when turned half way round, e.g. [[1, −1]]."
    ),
}

# The engine's pitfall titles and explanations are English (engine/ stays Qt-free); their
# Chinese, keyed like engine.pitfalls.PITFALLS.  Code and formulas stay as they are.
PITFALLS_ZH: dict[str, tuple[str, str]] = {
    "max_zero_padding": (
        "最大池化用 0 填充",
        "用 0 而不是 −∞ 填充：一个全是负数、又碰到填充的窗口会返回 0，而这个值根本不在输入里。",
    ),
    "max_backward_ignores_stride": (
        "反向传播忘了步长",
        "vert_start = h 而不是 h·stride：梯度被送到了错位窗口的最大值上（只有步长为 1 时才对）。",
    ),
    "max_backward_equality_mask": (
        "梯度给了每个并列最大值",
        "mask = (window == window.max()) 把完整的梯度给了每个并列的最大值；PyTorch 只给第一个。",
    ),
    "pool_reshape": (
        "用 reshape 做池化",
        "x.reshape(H/k, k, W/k, k).max(...) 丢掉了放不下的行和列，"
        "并且忽略步长、填充、膨胀和 ceil_mode。",
    ),
    "avg_fixed_divisor": (
        "平均值总是除以 kH·kW",
        "在补零的输入上用 window.mean() 会让每个窗口都除以 kH·kW，"
        "包括被 ceil_mode 截断的窗口、count_include_pad=False 和 divisor_override 的情况。",
    ),
    "conv_bias_per_product": (
        "偏置加到了每个乘积上",
        "np.sum(window * w + b) 把偏置加了 C·kH·kW 次而不是一次：每个输出都偏差 b·(C·kH·kW − 1)。",
    ),
    "conv_flipped_kernel": (
        "翻转了卷积核（真正的卷积）",
        "信号处理中的卷积会把卷积核旋转 180°；PyTorch 的 conv2d 是互相关，不翻转卷积核。",
    ),
}


def pitfall_title(pitfall: Pitfall) -> str:
    zh = PITFALLS_ZH.get(pitfall.key)
    return localized({ENGLISH: pitfall.title, CHINESE: zh[0] if zh else ""})


def pitfall_explanation(pitfall: Pitfall) -> str:
    zh = PITFALLS_ZH.get(pitfall.key)
    return localized({ENGLISH: pitfall.explanation, CHINESE: zh[1] if zh else ""})


def _shape_text(a: np.ndarray) -> str:
    return "×".join(str(s) for s in a.shape)


class _ViewPair(QWidget):
    """Two matrix views side by side, or one above the other when that gives larger cells.

    A right-hand dock on a 1366-pixel screen is tall and narrow: an 8×8 matrix side by side
    gets cells too small for numbers, stacked it reads comfortably.
    """

    def __init__(self, first: QWidget, second: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.box = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(6)
        self.box.addWidget(first, 1)
        self.box.addWidget(second, 1)
        self.shape = (1, 1)

    def set_shape(self, rows: int, cols: int) -> None:
        self.shape = (max(1, rows), max(1, cols))
        self._arrange()

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)
        self._arrange()

    def _arrange(self) -> None:
        rows, cols = self.shape
        w, h = self.width(), self.height()
        # Room a view needs besides its cells: row header and frame across, title, column
        # header and colour legend down (MatrixView caps cells at 96 pixels).
        side = min((w - 6) / 2 - 36, 96 * cols) / cols, (h - 64) / rows
        stacked = (w - 36) / cols, min((h - 6) / 2 - 64, 96 * rows) / rows
        better = min(stacked) > 1.1 * min(side)
        direction = QBoxLayout.TopToBottom if better else QBoxLayout.LeftToRight
        if self.box.direction() != direction:
            self.box.setDirection(direction)


class PitfallsPanel(Retranslatable, QWidget):
    """Selector, one-line explanation, correct and wrong matrices, and the difference count."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._op = ""
        self._stale = True
        self.comparison = None

        self.selector_combo = QComboBox()
        self.selector_combo.setObjectName("pitfallSelector")
        self.selector_combo.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.selector_combo.setMinimumContentsLength(18)
        self.explanation_label = QLabel("")
        self.explanation_label.setObjectName("pitfallExplanation")
        self.explanation_label.setWordWrap(True)
        self.function_label = QLabel("")
        self.function_label.setObjectName("pitfallFunction")
        self.function_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.correct_view = MatrixView("", "pitfallCorrectMatrix")
        self.wrong_view = MatrixView("", "pitfallWrongMatrix")
        for view in (self.correct_view, self.wrong_view):
            view.setMinimumSize(120, 120)
        self.count_label = QLabel("")
        self.count_label.setObjectName("pitfallDiffCount")
        self.count_label.setWordWrap(True)
        bold = self.count_label.font()
        bold.setBold(True)
        self.count_label.setFont(bold)

        self.views = _ViewPair(self.correct_view, self.wrong_view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.selector_combo)
        layout.addWidget(self.explanation_label)
        layout.addWidget(self.function_label)
        layout.addWidget(self.views, 1)
        layout.addWidget(self.count_label)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)

        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(0)
        self._fit_timer.timeout.connect(self.fit_cells)
        for view in (self.correct_view, self.wrong_view):
            view.sigResized.connect(self._fit_timer.start)
        self.selector_combo.currentIndexChanged.connect(self._on_selector_changed)
        state.sigResultsChanged.connect(self._on_results_changed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.selector_combo.setToolTip(
            tr("Which common mistake to compare with the correct result")
        )
        self.correct_view.set_title(tr("Correct"))
        self.wrong_view.set_title(tr("Wrong"))
        self._op = ""  # offer the pitfalls again, with their names in the new language
        self._on_results_changed()

    # ---- state → panel ----------------------------------------------------------------------
    def current_key(self) -> str | None:
        key = self.selector_combo.currentData()
        return key if isinstance(key, str) else None

    def select(self, key: str) -> None:
        index = self.selector_combo.findData(key)
        if index < 0:
            raise ValueError(f"pitfall {key!r} does not apply to {self.state.op!r}")
        self.selector_combo.setCurrentIndex(index)

    def _sync_selector(self) -> None:
        """Offer the pitfalls of the current operation, keeping the selection where possible."""
        from engine.pitfalls import pitfalls_for  # with the panel, not before the first paint

        op = self.state.op
        if op == self._op:
            return
        self._op = op
        keep = self.current_key()
        with QSignalBlocker(self.selector_combo):
            self.selector_combo.clear()
            for pitfall in pitfalls_for(op):
                self.selector_combo.addItem(pitfall_title(pitfall), pitfall.key)
                self.selector_combo.setItemData(
                    self.selector_combo.count() - 1, pitfall_explanation(pitfall), Qt.ToolTipRole
                )
            index = self.selector_combo.findData(keep) if keep else -1
            self.selector_combo.setCurrentIndex(max(index, 0))

    def _on_results_changed(self) -> None:
        self._sync_selector()
        self._stale = True
        if self.isVisible():
            self.refresh()

    def _on_selector_changed(self, _index: int) -> None:
        self._stale = True
        self.refresh()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def refresh(self) -> None:
        """Recompute through the state and redraw both matrices."""
        self._stale = False
        key = self.current_key()
        if key is None:
            self._show_message(tr("No pitfall applies to this operation."))
            return
        from engine.pitfalls import get_pitfall

        pitfall = get_pitfall(key)
        self.explanation_label.setText(pitfall_explanation(pitfall))
        self._show_function(pitfall)
        try:
            correct, wrong = self.state.pitfall_result(key)
        except ValueError as exc:
            message = tr("Cannot show this pitfall here: {reason}")
            self._show_message(message.format(reason=translate_message(exc)))
            return
        self._show_matrices(pitfall, correct, wrong)

    def _show_function(self, pitfall: Pitfall) -> None:
        name = pitfall.function.__name__
        self.function_label.setText(f"<code>{name}()</code>")
        # The wrong function's docstring: code documentation, in English like the code.
        self.function_label.setToolTip(inspect.getdoc(pitfall.function) or "")

    def _show_message(self, text: str) -> None:
        self.comparison = None
        for view in (self.correct_view, self.wrong_view):
            view.set_matrix(np.full((1, 1), np.nan), pending=np.ones((1, 1), bool))  # blank
            view.set_highlights({})
        self.count_label.setText(text)

    def _show_matrices(self, pitfall: Pitfall, correct: np.ndarray, wrong: np.ndarray) -> None:
        name = RESULT_NAMES[pitfall.result]
        diverging = pitfall.result == "grad_input"
        both = np.concatenate([correct.ravel(), wrong.ravel()])
        levels = levels_for(both, diverging)
        # Where a title does not fit (the dock at 1024×768 beside others: "Correct Y (4×…")
        # it drops its shape, which the table's row and column numbers show; both titles
        # are judged by the longer one, so that they change together.
        correct_title = tr("Correct {name}  ({shape})").format(
            name=name, shape=_shape_text(correct)
        )
        empty = wrong.size == 0
        title = tr("Wrong {name}  ({shape}, empty)") if empty else tr("Wrong {name}  ({shape})")
        wrong_title = title.format(name=name, shape=_shape_text(wrong))
        correct_short = tr("Correct {name}").format(name=name)
        short = tr("Wrong {name} (empty)") if empty else tr("Wrong {name}")
        wrong_short = short.format(name=name)
        width = self.correct_view.title_label.fontMetrics().horizontalAdvance
        longest = [
            max(correct_title, wrong_title, key=width),
            max(correct_short, wrong_short, key=width),
        ]
        self.correct_view.title_label.set_forms([correct_title, correct_short], longest)
        self.wrong_view.title_label.set_forms([wrong_title, wrong_short], longest)
        self.views.set_shape(
            max(correct.shape[0], wrong.shape[0]), max(correct.shape[1], wrong.shape[1])
        )
        self.correct_view.set_matrix(correct, levels=levels, diverging=diverging)
        self.wrong_view.set_matrix(
            np.full((1, 1), np.nan) if empty else wrong,
            levels=levels,
            diverging=diverging,
            pending=np.ones((1, 1), bool) if empty else None,  # an empty result: blank
        )
        from engine.pitfalls import compare

        result = compare(correct, wrong)
        self.comparison = result
        # When every cell differs, frames would only hide the colours: the count says it.
        every = result.correct_mask.all() and result.wrong_mask.all()
        self.correct_view.set_highlights(
            {}
            if every
            else {(int(r), int(c)): {"target"} for r, c in np.argwhere(result.correct_mask)}
        )
        self.wrong_view.set_highlights(
            {}
            if empty or every
            else {(int(r), int(c)): {"wrong"} for r, c in np.argwhere(result.wrong_mask)}
        )
        self.count_label.setText(self._count_text(pitfall, correct, wrong, result.count))
        self._fit_timer.start()

    @staticmethod
    def _count_text(pitfall: Pitfall, correct: np.ndarray, wrong: np.ndarray, n: int) -> str:
        if n == 0:
            hint = tr(SHOWS_WHEN.get(pitfall.key, QT_TR_NOOP("change the data.")))
            return tr("0 cells differ: this data hides the mistake. To see it, {hint}").format(
                hint=hint
            )
        if correct.shape == wrong.shape and n == correct.size and n > 1:
            return tr("All {count} cells differ").format(count=n)
        if n == 1:
            text = tr("{count} cell differs (framed)").format(count=n)
        else:
            text = tr("{count} cells differ (framed)").format(count=n)
        if correct.shape != wrong.shape:
            shapes = tr("Shapes differ ({correct} vs {wrong}): {count_text}")
            return shapes.format(
                correct=_shape_text(correct), wrong=_shape_text(wrong), count_text=text
            )
        return text

    # ---- sizing -----------------------------------------------------------------------------
    def fit_cells(self) -> None:
        """One cell size for both matrices, as large as both fit (so they compare by eye)."""
        views = [v for v in (self.correct_view, self.wrong_view) if v.isVisible()]
        if views:
            cell = int(min(v.fit_cell() for v in views))
            for view in views:
                view.set_cell_size(cell)


class PitfallsDock(PanelDock):
    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(lambda: PitfallsPanel(state), "pitfallsDock", parent)
        self.setMinimumWidth(300)

    def retranslate_ui(self) -> None:
        set_dock_texts(
            self,
            tr("Pitfalls: wrong vs correct"),
            tr("Pitfalls"),
            tr("Pitfalls: common wrong implementations beside the correct result (Ctrl+P)"),
        )


def install(window: QMainWindow) -> None:
    """A hidden Pitfalls dock, toggled from the View menu and the toolbar (Ctrl+P)."""
    dock = PitfallsDock(window.state, window)
    window.addDockWidget(Qt.RightDockWidgetArea, dock)
    dock.hide()
    action = dock.toggleViewAction()  # texts: PitfallsDock.retranslate_ui
    action.setObjectName("pitfallsAction")
    action.setShortcut(QKeySequence("Ctrl+P"))
    action.setIcon(glyph_icon("⚠", "#c05000"))
    window.addAction(action)
    window.menus["view"].addSeparator()
    window.menus["view"].addAction(action)
    window.toolbar.addAction(action)
    window.pitfalls_dock = dock

    def first_show(visible: bool) -> None:
        # Narrow enough that the main matrices keep most of a 1366-pixel screen.
        if visible and not dock.isFloating() and not getattr(dock, "_sized", False):
            dock._sized = True
            window.resizeDocks([dock], [330], Qt.Horizontal)

    dock.visibilityChanged.connect(first_show)

"""Independent checks in a dock: finite differences, and the same numbers from PyTorch.

"Check gradients" (Ctrl+G) and "Compare with PyTorch" sit in the Tools menu and on the
toolbar; both run :mod:`visualizer.verify` on the state's document as jobs, so the window keeps
repainting: the gradient check in a background thread (a small one finishes before the dock
even shows a progress bar), PyTorch in a child process with a time limit (it may crash there,
never here).  A running check shows a progress bar and a Cancel button.  Results stay live:
after an edit the checks that were run are run again on small data, and marked out of date on
large data (where a check takes a moment).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import set_action_text, tr
from visualizer.resources import asset
from visualizer.state import AppState
from visualizer.torch_worker import TORCH_MISSING, torch_available
from visualizer.ui import BuiltWhenShown, Retranslatable
from visualizer.widgets.matrix_view import MatrixView

if TYPE_CHECKING:
    # The checks are imported when one first runs (or to say why PyTorch is missing), not
    # before the window's first paint: ~20 ms of imports.
    from visualizer import verify

LIVE_LIMIT = 4096  # inputs up to this many elements are re-checked after every edit
QUICK_SECONDS = 0.03  # a gradient check done within this is shown at once, with no progress bar
POLL_MS = 50  # how often a running job is asked for its progress
PASS_STYLE = "QLabel { color: #0b5d1e; background: #e3f6e8; border: 1px solid #7cc48f; }"
FAIL_STYLE = "QLabel { color: #8b0000; background: #ffe9e9; border: 1px solid #d08080; }"
UNSURE_STYLE = "QLabel { color: #6b4e00; background: #fff5d6; border: 1px solid #d8b85a; }"
STALE_STYLE = "QLabel { color: #555555; background: #eeeeee; border: 1px solid #bbbbbb; }"


class _TextLabel(QLabel):
    """A label hidden while it has no text: an empty verdict and empty details took ~50 px
    of each box between its rule and its button before the first check."""

    def setText(self, text: str) -> None:
        super().setText(text)
        if self.parentWidget() is not None:  # a parentless label shown would be a window
            self.setHidden(not text)


def _text_label(name: str) -> QLabel:
    """An empty, wrapping, selectable label called ``name``, hidden while empty."""
    label = _TextLabel("")
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _verdict_label(name: str) -> QLabel:
    label = _text_label(name)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.1)
    font.setBold(True)
    label.setFont(font)
    label.setContentsMargins(6, 6, 6, 6)
    return label


class _JobRow(QWidget):
    """A progress bar and a Cancel button, shown while a job runs."""

    def __init__(self, name: str, cancel: object) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.bar = QProgressBar()
        self.bar.setObjectName(f"{name}Progress")
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton()
        self.cancel_button.setObjectName(f"{name}Cancel")
        self.cancel_button.clicked.connect(cancel)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)  # busy: the amount of work is not known yet
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(done)
        self.setVisible(True)


class VerifyPanel(BuiltWhenShown, Retranslatable, QDockWidget):
    """Dock ``verifyDock``: the gradient check's verdict and the PyTorch agreement matrix."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("verifyDock")
        self.state = state
        self.gradient_result: verify.GradientCheck | None = None
        self.torch_result: verify.TorchResult | None = None
        self._live = {"gradients": False, "torch": False}
        self._grad_job: verify.GradientJob | None = None
        self._torch_job: verify.TorchJob | None = None
        self._torch_again = False  # compare again when the running comparison ends
        self._rerun_timer = QTimer(self)
        self._rerun_timer.setSingleShot(True)
        self._rerun_timer.setInterval(150)  # a burst of edits gives one re-check
        self._rerun_timer.timeout.connect(self._rerun)
        self._rerun_when_shown = False
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self._poll_jobs)
        state.sigResultsChanged.connect(self._on_results_changed)
        self.visibilityChanged.connect(self._on_visibility_changed)
        self.retranslate_ui()

    def _build(self) -> None:
        self.grad_verdict_label = _verdict_label("gradCheckVerdict")
        self.grad_details_label = _text_label("gradCheckDetails")
        self.grad_button = QPushButton()
        self.grad_button.setObjectName("checkGradientsButton")
        self.grad_button.clicked.connect(self.run_gradient_check)
        self.grad_box = QGroupBox()
        grad_layout = QVBoxLayout(self.grad_box)
        self.grad_rule_label = QLabel()
        self.grad_rule_label.setWordWrap(True)
        grad_layout.addWidget(self.grad_rule_label)
        grad_layout.addWidget(self.grad_verdict_label)
        grad_layout.addWidget(self.grad_details_label)
        self.grad_job_row = _JobRow("gradCheck", self.cancel_gradient_check)
        grad_layout.addWidget(self.grad_job_row)
        grad_layout.addWidget(self.grad_button, 0, Qt.AlignLeft)

        self.torch_verdict_label = _verdict_label("torchVerdict")
        self.torch_details_label = _text_label("torchDetails")
        self.quantity_combobox = QComboBox()
        self.quantity_combobox.setObjectName("torchQuantity")
        self.quantity_combobox.currentIndexChanged.connect(self._show_difference)
        self.diff_view = MatrixView("|engine − PyTorch|", "torchDiffMatrix")
        self.diff_view.setMinimumHeight(220)
        self.diff_where_label = QLabel("")
        self.diff_where_label.setObjectName("torchDiffWhere")
        self.torch_button = QPushButton()
        self.torch_button.setObjectName("compareTorchButton")
        self.torch_button.clicked.connect(self.run_torch_comparison)
        torch_box = QGroupBox("PyTorch")
        torch_layout = QVBoxLayout(torch_box)
        torch_layout.addWidget(self.torch_verdict_label)
        torch_layout.addWidget(self.torch_details_label)
        row = QHBoxLayout()
        self.show_label = QLabel()
        row.addWidget(self.show_label)
        row.addWidget(self.quantity_combobox, 1)
        torch_layout.addLayout(row)
        torch_layout.addWidget(self.diff_where_label)
        torch_layout.addWidget(self.diff_view, 1)
        self.torch_job_row = _JobRow("torch", self.cancel_torch_comparison)
        torch_layout.addWidget(self.torch_job_row)
        torch_layout.addWidget(self.torch_button, 0, Qt.AlignLeft)
        self.torch_box = torch_box
        if not torch_available():
            self.torch_button.setEnabled(False)
            self.torch_verdict_label.setStyleSheet(STALE_STYLE)
        for widget in (
            self.quantity_combobox,
            self.diff_view,
            self.diff_where_label,
            self.show_label,
        ):
            widget.setVisible(False)

        for label in (
            self.grad_verdict_label,
            self.grad_details_label,
            self.torch_verdict_label,
            self.torch_details_label,
        ):
            label.setHidden(not label.text())
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.grad_box)
        # The PyTorch box grows only once it shows the difference matrix: before, its button
        # stayed under its heading instead of at the bottom of an empty box.
        layout.addWidget(torch_box)
        layout.addStretch(1)
        self._body_layout = layout
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setWidget(scroll)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Verify"))
        if not self._built:
            return  # the panel's texts are set as it is made (no check has run before)
        self.grad_button.setText(tr("Check gradients"))
        self.grad_button.setToolTip(
            tr(
                "Nudge every input element by ±1e-6 and compare the change of sum(Y·dY) with "
                "the backward pass (Ctrl+G)"
            )
        )
        self.grad_box.setTitle(tr("Finite differences"))
        self.grad_rule_label.setText(
            tr("dX[i] should equal (L(x + ε·eᵢ) − L(x − ε·eᵢ)) / 2ε with L = Σ Y·dY, ε = 1e-6.")
        )
        self.quantity_combobox.setToolTip(
            tr("Which result the matrix below compares, cell by cell")
        )
        self.diff_view.setToolTip(
            tr("Absolute difference per cell for the shown plane; 0 everywhere means identical")
        )
        self.torch_button.setText(tr("Compare with PyTorch"))
        self.show_label.setText(tr("Show"))
        for row in (self.grad_job_row, self.torch_job_row):
            row.cancel_button.setText(tr("Cancel"))
            row.cancel_button.setToolTip(tr("Stop this check"))
        if not torch_available():
            self.torch_button.setToolTip(tr(TORCH_MISSING))
            self.torch_verdict_label.setText(tr(TORCH_MISSING))
        # Results are said again in the new language by running the checks again (their
        # sentences are made when they run); a hidden dock does so when it is shown.
        if any(self._live.values()):
            if self.isVisible():
                self._rerun()
            else:
                self._rerun_when_shown = True

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible and self._rerun_when_shown:
            self._rerun_when_shown = False
            self._rerun()

    # ---- running the checks -----------------------------------------------------------------
    def run_gradient_check(self) -> verify.GradientCheck | None:
        """Start the finite-difference check on the current data (Ctrl+G).

        A check that finishes within :data:`QUICK_SECONDS` is shown at once and returned;
        a longer one runs on in a background thread, with a progress bar and Cancel, and None
        is returned (the result shows when it is done; see :meth:`checks_running`).
        """
        from visualizer import verify

        self.show()
        self.raise_()
        self._stop_gradient_job()
        job = verify.GradientJob(self.state.snapshot()).start()
        self._grad_job = job
        self._live["gradients"] = True
        try:
            result = job.wait(QUICK_SECONDS)
        except Exception as exc:  # shown, never raised into the event loop
            return self._gradient_failed(exc)
        if result is not None:
            return self._show_gradient_result(result)
        self.grad_verdict_label.setText(tr("Checking gradients…"))
        self.grad_verdict_label.setStyleSheet(STALE_STYLE)
        self.grad_details_label.setText("")
        self.grad_job_row.show_progress(*job.progress)
        self._poll_timer.start()
        return None

    def cancel_gradient_check(self) -> None:
        """Stop a running gradient check; the verdict says it was cancelled."""
        if self._grad_job is not None and self._grad_job.running:
            self._stop_gradient_job()
            self._live["gradients"] = False
            self.grad_verdict_label.setText(tr("Gradient check cancelled."))
            self.grad_verdict_label.setStyleSheet(STALE_STYLE)

    def _stop_gradient_job(self) -> None:
        if self._grad_job is not None:
            self._grad_job.cancel()  # the thread stops at its next forward and is dropped
            self._grad_job = None
        self.grad_job_row.setVisible(False)

    def _gradient_failed(self, exc: Exception) -> None:
        self._grad_job = None
        self.grad_job_row.setVisible(False)
        from visualizer import verify

        if isinstance(exc, verify.CheckCancelledError):
            self.grad_verdict_label.setText(tr("Gradient check cancelled."))
        else:
            text = tr("The gradient check could not run: {reason}")
            self.grad_verdict_label.setText(text.format(reason=exc))
        self.grad_verdict_label.setStyleSheet(STALE_STYLE)

    def _show_gradient_result(self, result: verify.GradientCheck) -> verify.GradientCheck:
        self._grad_job = None
        self.grad_job_row.setVisible(False)
        self.gradient_result = result
        self.grad_verdict_label.setText(result.verdict())
        self.grad_verdict_label.setStyleSheet(
            UNSURE_STYLE if result.ill_posed else PASS_STYLE if result.passed else FAIL_STYLE
        )
        rows = [
            tr("max |{name} − numeric| = {error}").format(
                name=result.labels.get(k, k), error=f"{v:.3g}"
            )
            for k, v in result.errors.items()
        ]
        if result.skipped:
            checked = tr("checked {checked} of {total} elements, {skipped} left out")
        else:
            checked = tr("checked {checked} of {total} elements")
        rows.append(
            checked.format(checked=result.checked, total=result.total, skipped=result.skipped)
        )
        rows += list(result.notes)
        self.grad_details_label.setText("<br>".join(html.escape(r) for r in rows))
        return result

    def run_torch_comparison(self) -> None:
        """Start the comparison with PyTorch on the current data, in a child process.

        The result shows when the child has answered (see :meth:`checks_running`); a crash,
        an error or no answer within :data:`verify.TORCH_TIMEOUT` is reported in the dock.
        """
        self.show()
        self.raise_()
        if self._torch_job is not None:
            # Let the running one finish (stopping it would cost PyTorch's import again),
            # then compare the data as it is by then.
            self._torch_again = True
            return
        from visualizer import verify

        snap = self.state.snapshot()
        try:
            job = verify.TorchJob(snap).start()
        except verify.TorchUnavailableError as exc:
            self.torch_verdict_label.setText(str(exc))
            self.torch_verdict_label.setStyleSheet(STALE_STYLE)
            return
        except Exception as exc:  # e.g. no room for the temporary files
            self._torch_failed(exc)
            return
        self._torch_job = job
        self._live["torch"] = True
        self.torch_verdict_label.setText(tr("Comparing with PyTorch…"))
        self.torch_verdict_label.setStyleSheet(STALE_STYLE)
        self.torch_job_row.show_progress(0, 0)
        self._poll_timer.start()

    def cancel_torch_comparison(self) -> None:
        """Stop a running comparison (its child process is ended)."""
        if self._torch_job is not None:
            self._stop_torch_job()
            self._live["torch"] = False
            self.torch_verdict_label.setText(tr("Comparison with PyTorch cancelled."))
            self.torch_verdict_label.setStyleSheet(STALE_STYLE)

    def _stop_torch_job(self) -> None:
        self._torch_again = False
        if self._torch_job is not None:
            self._torch_job.cancel()
            self._torch_job = None
        self.torch_job_row.setVisible(False)

    def _torch_failed(self, exc: Exception) -> None:
        self._torch_job = None
        self.torch_job_row.setVisible(False)
        self.torch_verdict_label.setText(str(exc))
        from visualizer import verify

        self.torch_verdict_label.setStyleSheet(
            STALE_STYLE if isinstance(exc, verify.TorchUnavailableError) else FAIL_STYLE
        )

    def checks_running(self) -> bool:
        """Whether a gradient check or a comparison is still running (tests wait on it)."""
        return self._grad_job is not None or self._torch_job is not None

    def _poll_jobs(self) -> None:
        grad, torch = self._grad_job, self._torch_job
        if grad is not None:
            try:
                result = grad.poll()
            except Exception as exc:
                self._gradient_failed(exc)
            else:
                if result is None:
                    self.grad_job_row.show_progress(*grad.progress)
                else:
                    self._show_gradient_result(result)
        if torch is not None:
            try:
                outcome = torch.poll()
            except Exception as exc:
                self._torch_failed(exc)
                outcome = None
            if torch.running:
                pass
            elif self._torch_again:  # asked again meanwhile: that answer is out of date
                self._torch_job, self._torch_again = None, False
                self.run_torch_comparison()
            elif outcome is not None:
                self._torch_job = None
                self.torch_job_row.setVisible(False)
                self._show_torch_result(outcome)
        if not self.checks_running():
            self._poll_timer.stop()

    def _show_torch_result(self, result: verify.TorchResult) -> verify.TorchResult:
        self.torch_result = result
        agree = all(c.all_agree for c in result.values())
        by_design = all(c.all_agree or c.note for c in result.values())
        worst = max((c.max_abs_diff for c in result.values()), default=0.0)
        if agree and result.notes:
            text = tr(
                "Agrees with PyTorch on everything compared (largest difference {error}); "
                "some results were not compared, see below."
            )
            text = text.format(error=f"{worst:.2g}")
            style = UNSURE_STYLE
        elif agree:
            text = tr("Agrees with PyTorch: every cell matches (largest difference {error}).")
            text = text.format(error=f"{worst:.2g}")
            style = PASS_STYLE
        elif by_design:
            text = tr("Differs from PyTorch only where the app's tie rule differs by design.")
            style = UNSURE_STYLE
        else:
            text = tr("Disagrees with PyTorch: cells differ by up to {error}.")
            text = text.format(error=f"{worst:.3g}")
            style = FAIL_STYLE
        self.torch_verdict_label.setText(text)
        self.torch_verdict_label.setStyleSheet(style)
        rows = []
        for c in result.values():
            cells = c.agree.size
            ok = int(c.agree.sum())
            mark = "✔" if c.all_agree else "✘"
            text = tr("{mark} {quantity}: {agree}/{cells} cells agree, max |Δ| = {error}")
            rows.append(
                text.format(
                    mark=mark,
                    quantity=html.escape(tr(c.label)),
                    agree=ok,
                    cells=cells,
                    error=f"{c.max_abs_diff:.3g}",
                )
            )
            if c.note:
                rows.append(f"&nbsp;&nbsp;&nbsp;<i>{html.escape(c.note)}</i>")
        rows += [f"<i>{html.escape(note)}</i>" for note in result.notes]
        self.torch_details_label.setText("<br>".join(rows))
        current = self.quantity_combobox.currentData()
        with QSignalBlocker(self.quantity_combobox):
            self.quantity_combobox.clear()
            for name, c in result.items():
                self.quantity_combobox.addItem(tr(c.label), name)
            index = self.quantity_combobox.findData(current)
            self.quantity_combobox.setCurrentIndex(max(0, index))
        for widget in (
            self.quantity_combobox,
            self.diff_view,
            self.diff_where_label,
            self.show_label,
        ):
            widget.setVisible(True)
        self._body_layout.setStretch(1, 1)  # the difference matrix gets the dock's height
        self._body_layout.setStretch(2, 0)
        self._show_difference()
        return result

    def _show_difference(self, *_args: object) -> None:
        """|engine − torch| of the shown plane of the chosen quantity, in the matrix view."""
        if not self.torch_result:
            return
        name = self.quantity_combobox.currentData() or "forward"
        c = self.torch_result[name]
        st = self.state
        n, ch = st.plane
        if name in ("forward", "indices"):
            plane, where = _plane(c.abs_diff, n, ch), f"n={n}, c={ch}"
        elif name == "grad_input":
            cin = st.in_channel if st.spec.has_weight else ch
            plane, where = _plane(c.abs_diff, n, cin), f"n={n}, c={cin}"
        elif name == "grad_weight":
            # The weight's axes: (C_out, C_in, …), or (C_in, C_out, …) (weight_in_axis 0).
            pair = [ch, ch]
            pair[st.spec.weight_in_axis] = st.in_channel
            plane = _plane(c.abs_diff, *pair)
            where = f"c_out={ch}, c_in={st.in_channel}"
        else:
            plane, where = c.abs_diff.reshape(1, -1), tr("all output channels")
        top = float(np.max(plane)) if plane.size else 0.0
        label = tr(c.label)
        self.diff_view.set_title(f"|Δ| {label}")
        tip = tr("|engine − PyTorch| of {quantity}, {where}")
        self.diff_view.title_label.setToolTip(tip.format(quantity=label, where=where))
        text = tr("|engine − PyTorch| per cell, {where}")
        self.diff_where_label.setText(text.format(where=where))
        self.diff_view.set_matrix(plane, levels=(0.0, top if top > 0 else 1.0))
        QTimer.singleShot(0, self, self._fit_diff_cells)

    def _fit_diff_cells(self) -> None:
        self.diff_view.set_cell_size(int(max(14, min(44, self.diff_view.fit_cell()))))

    def difference_matrix(self) -> np.ndarray:
        """The |engine − torch| values shown (what a test asserts on)."""
        return self.diff_view.matrix()

    # ---- keeping results current ------------------------------------------------------------
    def _on_results_changed(self) -> None:
        if not any(self._live.values()):
            return
        if self.isVisible() and self.state.x.size <= LIVE_LIMIT:
            self._rerun_timer.start()
            return
        for label, key in (
            (self.grad_verdict_label, "gradients"),
            (self.torch_verdict_label, "torch"),
        ):
            if self._live[key]:
                self._live[key] = False
                stale = tr("Out of date: the data changed. {verdict}")
                label.setText(stale.format(verdict=label.text()))
                label.setStyleSheet(STALE_STYLE)

    def _rerun(self) -> None:
        if self._live["gradients"]:
            self.run_gradient_check()
        if self._live["torch"]:
            self.run_torch_comparison()


def _plane(a: np.ndarray, first: int, second: int) -> np.ndarray:
    """``a[first, second]``, the indices kept inside ``a`` (the data may have changed since)."""
    return a[min(first, a.shape[0] - 1), min(second, a.shape[1] - 1)]


def _tools_menu(window: object) -> QMenu:
    """The Tools menu, created before Help the first time a feature asks for it."""
    menu = window.menus.get("tools")
    if menu is None:
        menu = QMenu(window)
        menu.setObjectName("toolsMenu")
        menu.setToolTipsVisible(True)
        window.menuBar().insertMenu(window.menus["help"].menuAction(), menu)
        window.menus["tools"] = menu

        def retranslate() -> None:
            menu.setTitle(tr("&Tools"))

        window.add_retranslate_hook(retranslate)
    return menu


def install(window: object) -> None:
    """Add the Verify dock (hidden) and its two actions to the Tools menu and the toolbar."""
    panel = VerifyPanel(window.state, window)
    window.addDockWidget(Qt.RightDockWidgetArea, panel)
    code = getattr(window, "code_panel", None)
    if code is not None:
        window.tabifyDockWidget(code, panel)
    panel.hide()

    check = QAction(QIcon(str(asset("icons", "check_gradients.svg"))), "", window)
    check.setObjectName("checkGradientsAction")
    check.setShortcut(QKeySequence("Ctrl+G"))
    check.triggered.connect(panel.run_gradient_check)
    compare = QAction(QIcon(str(asset("icons", "compare_torch.svg"))), "", window)
    compare.setObjectName("compareTorchAction")
    if torch_available():
        compare.triggered.connect(panel.run_torch_comparison)
    else:
        compare.setEnabled(False)
    for action in (check, compare):
        window.addAction(action)

    def retranslate() -> None:
        set_action_text(
            check,
            tr("Check gradients"),
            tr("Check gradients: compare the backward pass with finite differences"),
        )
        if torch_available():
            tip = tr(
                "Compare with PyTorch: the same forward and backward from torch.nn.functional, "
                "cell by cell"
            )
        else:
            tip = tr("Compare with PyTorch — unavailable: {reason}")
            tip = tip.format(reason=tr(TORCH_MISSING))
        set_action_text(compare, tr("Compare with PyTorch"), tip)
        for action in (check, compare):
            action.setStatusTip(action.toolTip())

    window.add_retranslate_hook(retranslate)
    menu = _tools_menu(window)
    menu.addAction(check)
    menu.addAction(compare)
    window.toolbar.addAction(check)
    window.toolbar.addAction(compare)
    window.verify_panel = panel

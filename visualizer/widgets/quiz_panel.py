"""Quiz mode's controls (Tools ▸ Quiz, Q, ``--quiz``): the answer line, reveal, score, kinds.

The questions, the checking and the score are the state's (``visualizer.model.quiz``, Qt-free);
this module shows them: a strip docked under the views with the answer line, Check and Reveal,
the verdict, the score and the kinds of question, each on or off.  The question itself takes
the place of the arithmetic line, and the hidden value shows "?" in its view (the state hides
it: nothing here computes).  While the output size is asked, the views and labels that tell it
are covered.  Clicking cells of the asked view (dX for the backward question, X for the argmax)
answers; Enter checks; PageDown (also Right and Space) reveals first, then steps on.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import set_action_text, tr
from visualizer.model.quiz import KIND_LABELS, KINDS, Verdict
from visualizer.state import AppState
from visualizer.ui import (
    ERROR_COLOUR,
    QWIDGETSIZE_MAX,
    PanelDock,
    Retranslatable,
    WindowFeature,
    add_action,
)
from visualizer.view_settings import is_dark, view_settings
from visualizer.widgets.pitfalls_panel import pitfall_explanation, pitfall_title

# The lecture strip's text height: this share of the window's height, within these pixels.
LECTURE_TEXT_SHARE = 0.03
LECTURE_TEXT_MIN = 16
LECTURE_TEXT_MAX = 40
RIGHT_COLOUR = {"light": "#0a7d32", "dark": "#6fdc8c"}
WRONG_COLOUR = {"light": ERROR_COLOUR, "dark": "#ff8a80"}


class QuizPanel(Retranslatable, QWidget):
    """Answer line, Check, Reveal, verdict, score and the kinds of question.

    ``lecture``: the compact strip of the lecture layout (presentation mode) instead: the
    verdict, the answer line and the score in one row at a size the back row reads (the
    question is the arithmetic line above it; the clicker reveals and steps).  Its widgets'
    objectNames say ``quiz_lecture_…`` instead of ``quiz_…``.
    """

    def __init__(
        self, state: AppState, parent: QWidget | None = None, lecture: bool = False
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.lecture = lecture
        prefix = "quiz_lecture" if lecture else "quiz"
        self.answer_label = QLabel("")
        self.quiz_answer_edit = QLineEdit()
        self.quiz_answer_edit.setObjectName(f"{prefix}_answer_edit")
        self.quiz_answer_edit.setClearButtonEnabled(True)
        self.quiz_answer_edit.setMinimumWidth(130)
        self.quiz_answer_edit.setMaximumWidth(180)
        self.quiz_check_button = QPushButton("")
        self.quiz_check_button.setObjectName(f"{prefix}_check_button")
        self.quiz_reveal_button = QPushButton("")
        self.quiz_reveal_button.setObjectName(f"{prefix}_reveal_button")
        self.quiz_verdict_label = QLabel("")
        self.quiz_verdict_label.setObjectName(f"{prefix}_verdict_label")
        self.quiz_verdict_label.setWordWrap(True)
        self.quiz_verdict_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        bold = QFont(self.quiz_verdict_label.font())
        bold.setBold(True)
        self.quiz_verdict_label.setFont(bold)
        self.quiz_score_label = QLabel("")
        self.quiz_score_label.setObjectName(f"{prefix}_score_label")
        self.quiz_score_label.setFont(bold)
        self.quiz_reset_button = QPushButton("")
        self.quiz_reset_button.setObjectName(f"{prefix}_reset_button")
        self.ask_label = QLabel("")
        self.kind_checkboxes: dict[str, QCheckBox] = {}
        for kind in KINDS:
            box = QCheckBox("")
            box.setObjectName(f"{prefix}_{kind}_checkbox")
            box.setChecked(kind in state.quiz.kinds)
            box.toggled.connect(lambda on, k=kind: self.state.set_quiz_kind(k, on))
            self.kind_checkboxes[kind] = box

        self.beside = False  # the lecture strip in the text column beside the matrices
        self._pixels = 20  # the lecture strip's text height
        top = QHBoxLayout()
        self._top = top
        top.addWidget(self.answer_label)
        top.addWidget(self.quiz_answer_edit)
        top.addWidget(self.quiz_check_button)
        top.addWidget(self.quiz_reveal_button)
        top.addWidget(self.quiz_verdict_label, 1)
        top.addWidget(self.quiz_score_label)
        top.addWidget(self.quiz_reset_button)
        kinds = QHBoxLayout()
        kinds.addWidget(self.ask_label)
        for box in self.kind_checkboxes.values():
            kinds.addWidget(box)
        kinds.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addLayout(kinds)
        if lecture:
            # The room reads the verdict and the score; the lecturer's clicker reveals and
            # steps, the kinds are chosen outside the lecture layout.
            top.removeWidget(self.quiz_verdict_label)
            top.insertWidget(0, self.quiz_verdict_label, 1)
            for widget in (
                self.quiz_check_button,
                self.quiz_reveal_button,
                self.quiz_reset_button,
                self.ask_label,
                *self.kind_checkboxes.values(),
            ):
                widget.hide()
            self.quiz_verdict_label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            self.set_text_height(20)

        self.quiz_answer_edit.returnPressed.connect(self._on_check_clicked)
        self.quiz_check_button.clicked.connect(self._on_check_clicked)
        self.quiz_reveal_button.clicked.connect(self._on_reveal_clicked)
        self.quiz_reset_button.clicked.connect(state.reset_quiz_score)
        state.sigQuizChanged.connect(self._on_quiz_changed)
        state.sigDataChanged.connect(self._on_data_changed)
        view_settings().sigThemeChanged.connect(self._on_quiz_changed)
        self.retranslate_ui()

    def set_text_height(self, pixels: int) -> None:
        """The lecture strip's texts ``pixels`` high (the verdict, the answer and the score)."""
        for widget in (
            self.answer_label,
            self.quiz_answer_edit,
            self.quiz_verdict_label,
            self.quiz_score_label,
        ):
            font = QFont(widget.font())
            font.setPixelSize(max(8, pixels))
            widget.setFont(font)
        self._pixels = pixels
        self._fit_answer_edit()
        self._top.setSpacing(max(6, pixels // 2))

    def _fit_answer_edit(self) -> None:
        """The answer line's width: for a typed number or size in a row; in the text column
        as wide as the column leaves it (a 1024-px window's column is 256 px)."""
        pixels = self._pixels
        edit = self.quiz_answer_edit
        if self.beside:
            edit.setMinimumWidth(pixels * 4)
            edit.setMaximumWidth(QWIDGETSIZE_MAX)
        else:
            edit.setMinimumWidth(pixels * 9)
            edit.setMaximumWidth(pixels * 11)

    def set_beside(self, on: bool, width: int = 0) -> None:
        """The lecture strip under the lecture's text (MainWindow.place_lecture_text): in the
        column ``width`` pixels wide beside the matrices, the verdict over the answer line over
        the score (in one row the three took ~520 px beside the column, and the matrices
        shrank to thumbnails); off: the one row below the matrices."""
        if not self.lecture:
            return
        if on != self.beside:
            self.beside = on
            outer, top = self.layout(), self._top
            verdict, score = self.quiz_verdict_label, self.quiz_score_label
            if on:
                top.removeWidget(verdict)
                top.removeWidget(score)
                outer.insertWidget(0, verdict)
                outer.insertWidget(2, score)  # under the answer line
                top.setStretchFactor(self.quiz_answer_edit, 1)
            else:
                outer.removeWidget(verdict)
                outer.removeWidget(score)
                top.insertWidget(0, verdict, 1)
                top.addWidget(score)
                top.setStretchFactor(self.quiz_answer_edit, 0)
            self._fit_answer_edit()
        if on:
            self.setFixedWidth(width)
        else:
            self.setMinimumWidth(0)
            self.setMaximumWidth(QWIDGETSIZE_MAX)

    def lecture_below_height(self, _width: int, _height: int) -> int:
        """The height the lecture strip takes as its row below the matrices (the window
        weighs it with the step bar's against the column beside them)."""
        row = max(
            w.sizeHint().height()
            for w in (self.answer_label, self.quiz_answer_edit, self.quiz_score_label)
        )
        row = max(row, self.quiz_verdict_label.fontMetrics().height())
        margins = self.layout().contentsMargins()
        return row + margins.top() + margins.bottom()

    def retranslate_ui(self) -> None:
        self.answer_label.setText(tr("Answer:"))
        self.quiz_answer_edit.setPlaceholderText(tr("value or rows×cols"))
        self.quiz_answer_edit.setToolTip(
            tr("Type the value (or the size, or the amount), click cells if asked, press Enter")
        )
        self.quiz_check_button.setText(tr("Check"))
        self.quiz_check_button.setToolTip(tr("Mark the answer right or wrong (Enter)"))
        self.quiz_reveal_button.setText(tr("Reveal"))
        self.quiz_reveal_button.setToolTip(
            tr("Show the answer (PageDown); the next PageDown steps on")
        )
        self.quiz_reset_button.setText(tr("Reset score"))
        self.ask_label.setText(tr("Ask:"))
        for kind, box in self.kind_checkboxes.items():
            box.setText(tr(KIND_LABELS[kind]))
        self._on_data_changed()
        self._on_quiz_changed()

    def _on_data_changed(self) -> None:
        """The argmax question only where the operation has an argmax (its spec says it
        returns indices): average pooling and convolution offered it and never asked it."""
        box = self.kind_checkboxes["argmax"]
        has_argmax = self.state.spec.torch_indices
        box.setEnabled(has_argmax)
        box.setToolTip("" if has_argmax else tr("Only for operations with an argmax (max pooling)"))

    # ---- user → state -----------------------------------------------------------------------
    def _on_check_clicked(self) -> None:
        quiz = self.state.quiz
        if not quiz.hiding:
            # Enter again after the answer: step on, as the clicker does.
            self.state.advance()
            return
        verdict = self.state.quiz_answer(self.quiz_answer_edit.text())
        if verdict is not None and not verdict.problem:
            self.quiz_answer_edit.selectAll()

    def _on_reveal_clicked(self) -> None:
        self.state.advance()

    # ---- state → panel ----------------------------------------------------------------------
    def _on_quiz_changed(self, *_args: object) -> None:
        quiz = self.state.quiz
        for kind, box in self.kind_checkboxes.items():
            with QSignalBlocker(box):
                box.setChecked(kind in quiz.kinds)
        score = quiz.score
        self.quiz_score_label.setText(
            tr("Score: {right} / {asked}").format(right=score.right, asked=score.asked)
        )
        open_question = quiz.hiding
        self.quiz_check_button.setEnabled(open_question)
        self.quiz_reveal_button.setText(tr("Reveal") if open_question else tr("Next"))
        question = quiz.question
        if question is not None and quiz.hiding and quiz.verdict is None:
            # A new question: an empty answer line.
            if self.quiz_answer_edit.property("question") is not question:
                self.quiz_answer_edit.clear()
        self.quiz_answer_edit.setProperty("question", question)
        self.quiz_verdict_label.setText(self._verdict_text(quiz.verdict, question))
        theme = "dark" if is_dark() else "light"
        right = quiz.verdict is not None and quiz.verdict.right
        colour = RIGHT_COLOUR[theme] if right else WRONG_COLOUR[theme]
        neutral = quiz.verdict is None or (not quiz.verdict.scored and not quiz.verdict.problem)
        self.quiz_verdict_label.setStyleSheet("" if neutral else f"color: {colour};")

    def _verdict_text(self, verdict: Verdict | None, question: Any) -> str:
        quiz = self.state.quiz
        if question is None:
            if quiz.on:
                return tr("Nothing to ask at this step.")
            return ""
        if verdict is None:
            if quiz.revealed:
                return tr("Answer: {answer}").format(answer=question.expected_text())
            if question.asks_cells:
                return tr("Click cells of the marked view ({count} picked), then Enter.").format(
                    count=len(quiz.picks)
                )
            return tr("Type your answer, Enter to check; PageDown reveals.")
        if verdict.problem:
            return tr(verdict.problem).format(**verdict.problem_fields)
        expected = question.expected_text()
        if not verdict.scored:
            text = tr("Answer: {answer}").format(answer=expected)
        elif verdict.right:
            text = tr("✓ Right: {answer}").format(answer=expected)
        else:
            text = tr("✗ Not quite: the answer is {answer}").format(answer=expected)
        if question.asks_cells and (verdict.scored or quiz.picks):
            marks = tr("cells: {right} right, {wrong} wrong, {missed} missed").format(
                right=len(verdict.right_cells),
                wrong=len(verdict.wrong_cells),
                missed=len(verdict.missed_cells),
            )
            text = f"{text} — {marks}"
        if verdict.hint:
            from engine.pitfalls import get_pitfall  # only for a hint, not at start-up

            pitfall = get_pitfall(verdict.hint)
            hint = tr("That is what “{title}” would give: {explanation}").format(
                title=pitfall_title(pitfall), explanation=pitfall_explanation(pitfall)
            )
            text = f"{text}\n{hint}"
        return text


class QuizDock(PanelDock):
    """The quiz strip, docked under the views while quiz mode is on."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(lambda: QuizPanel(state), "quizDock", parent)
        self.setFeatures(QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Quiz"))


class _Cover(QLabel):
    """A "?" card over a widget whose content would tell the asked output size."""

    def __init__(self, target: QWidget) -> None:
        super().__init__("?", target)
        self.setObjectName("quizCover")
        self.setAlignment(Qt.AlignCenter)
        self.setAutoFillBackground(True)
        font = QFont(self.font())
        font.setBold(True)
        font.setPointSizeF(max(12.0, font.pointSizeF() * 2))
        self.setFont(font)
        self.hide()


class QuizController(WindowFeature):
    """Wires quiz mode into the window: the action, the dock, cell clicks and size covers."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        state: AppState = window.state
        self.state = state
        self.dock = QuizDock(state, window)
        window.addDockWidget(Qt.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        # The lecture layout hides the docks: its own compact strip under the arithmetic, made
        # when first shown (see lecture_strip).
        self._lecture_strip: QuizPanel | None = None
        if hasattr(window, "sigPresentingChanged"):
            window.sigPresentingChanged.connect(self._on_presenting_changed)
        window.installEventFilter(self)
        self.action: QAction = add_action(window, "quiz_action", QKeySequence("Q"))
        self.action.setCheckable(True)
        self.action.triggered.connect(state.set_quiz)
        menu = _tools_menu(window)
        menu.addSeparator()
        menu.addAction(self.action)
        views = window.views_panel
        for view in views.views():
            view.sigCellClicked.connect(lambda r, c, v=view: self._on_cell_clicked(v, r, c))
        step_bar = window.step_bar
        self._covered = [
            views.output_view,
            views.grad_output_view,
            window.formula_panel,
            step_bar.counter_label,
        ]
        self.covers = {id(w): _Cover(w) for w in self._covered}
        for widget in self._covered:
            widget.installEventFilter(self)
        self._on = False  # quiz mode as last shown
        state.sigQuizChanged.connect(self._on_quiz_changed)
        window.add_retranslate_hook(self.retranslate_ui)
        self._on_quiz_changed()

    def retranslate_ui(self) -> None:
        set_action_text(
            self.action,
            tr("Quiz"),
            tr("Quiz mode: the next result is hidden until answered or revealed (Q)"),
        )
        for cover in self.covers.values():
            cover.setToolTip(tr("Hidden: the output size is asked"))

    def _on_cell_clicked(self, view: Any, row: int, col: int) -> None:
        names = [
            t.name
            for t in self.state.spec.tensors
            if t.view and self.window.views_panel.by_view.get(t.view) is view
        ]
        if names and self.state.quiz_pick(names[0], row, col):
            strip = self.lecture_strip if self.presenting else self.dock.panel
            strip.quiz_answer_edit.setFocus()

    def _on_quiz_changed(self) -> None:
        quiz = self.state.quiz
        with QSignalBlocker(self.action):
            self.action.setChecked(quiz.on)
        if quiz.on != self._on:
            # Only when quiz mode is switched: presentation mode may hide the strip meanwhile.
            self._on = quiz.on
            if quiz.on:
                self.window.step_bar.timer.stop()  # playing would run past the questions
            self._show_strips()
        hide = quiz.hiding_size
        for widget in self._covered:
            cover = self.covers[id(widget)]
            if hide:
                cover.setGeometry(widget.rect())
                cover.raise_()
            cover.setVisible(hide)

    @property
    def lecture_strip(self) -> QuizPanel:
        """The lecture layout's compact strip, made now if it was not: most launches never
        show it (quiz mode in presentation mode), and it was made before the first paint."""
        strip = self._lecture_strip
        if strip is None:
            strip = self._lecture_strip = QuizPanel(self.state, lecture=True)
            strip.setObjectName("quizLectureStrip")
            strip.hide()
            text = getattr(self.window, "lecture_text_layout", None)
            if text is not None:
                text.addWidget(strip)  # under the step bar, where the lecture's text goes
        return strip

    @property
    def presenting(self) -> bool:
        return bool(getattr(getattr(self.window, "presentation", None), "presenting", False))

    def _show_strips(self) -> None:
        """The dock outside the lecture layout, the compact strip in it (quiz mode on)."""
        on, presenting = self.state.quiz.on, self.presenting
        self.dock.setVisible(on and not presenting)
        if (on and presenting) or self._lecture_strip is not None:
            self.lecture_strip.setVisible(on and presenting)
        if on and presenting:
            self._fit_lecture_strip()
        if (on and presenting) or self._lecture_strip is not None:
            place = getattr(self.window, "place_lecture_text", None)
            if place is not None:
                place()  # the text's place weighs the strip's room (or no longer)

    def _on_presenting_changed(self, _on: bool) -> None:
        self._show_strips()

    def _fit_lecture_strip(self) -> None:
        """The lecture strip's texts grow with the window (read from the back row)."""
        height = max(480, self.window.height())
        pixels = round(min(LECTURE_TEXT_MAX, max(LECTURE_TEXT_MIN, height * LECTURE_TEXT_SHARE)))
        self.lecture_strip.set_text_height(pixels)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window:
            strip = self._lecture_strip
            if (
                event.type() == QEvent.Resize
                and strip is not None
                and strip.isVisibleTo(self.window)
            ):
                self._fit_lecture_strip()
            return False
        if event.type() == QEvent.Resize:
            cover = self.covers.get(id(watched))
            if cover is not None and cover.isVisible():
                cover.setGeometry(watched.rect())  # type: ignore[attr-defined]
        return False


def _tools_menu(window: Any) -> Any:
    from visualizer.widgets.verify_panel import _tools_menu as tools_menu

    return tools_menu(window)


def install(window: Any) -> None:
    """Tools ▸ Quiz (Q) and the quiz strip (hidden until quiz mode is on)."""
    window.quiz = QuizController(window)

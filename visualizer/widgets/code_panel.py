"""The code behind the current state: NumPy (the engine), PyTorch, and the loops by hand.

A dock with three tabs.  The text comes from :mod:`visualizer.codegen`; it is regenerated when
the results change and the dock is visible, while a step only moves the highlighted line of
the "By hand" tab and its loop-variable line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QRegularExpression, QSize, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QFontDatabase,
    QFontInfo,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QPalette,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
    QTextOption,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr
from visualizer.resources import asset
from visualizer.ui import BuiltWhenShown, Retranslatable, set_dock_texts

if TYPE_CHECKING:
    from visualizer import codegen
    from visualizer.state import AppState

PHASE_COLORS = {"forward": QColor(255, 214, 140), "backward": QColor(178, 235, 196)}
DOCK_WIDTH = 470  # asked for; at 1366×768 the views leave the dock about 350 pixels
# (keyword, number, string, comment) colours on a light and on a dark background
CODE_COLORS = {
    False: ("#1f4e8c", "#8a4b00", "#0a7d32", "#6b6b6b"),
    True: ("#8cb8ff", "#f0b070", "#8fd99a", "#9a9a9a"),
}
KEYWORDS = (
    "and as def elif else for from if import in is lambda None not or return True False "
    "continue break with while"
).split()


# Tried in this order when the system's fixed font is not reported fixed-pitch.
PREFERRED_CODE_FAMILIES = (
    "DejaVu Sans Mono",
    "Cascadia Mono",
    "Consolas",
    "Menlo",
    "SF Mono",
    "Liberation Mono",
    "Noto Mono",
    "Ubuntu Mono",
    "Courier New",
)


def choose_code_family(
    system: Sequence[str], families: Sequence[str], is_fixed: Callable[[str], bool]
) -> str | None:
    """The font family for code, or None to keep the system's fixed font as it is.

    ``system`` names the system's fixed font: the family it resolves to (not the name it
    asks for, such as ``"monospace"``, which may resolve to anything); ``families`` are the
    installed families; ``is_fixed`` whether the font database reports a family fixed-pitch.
    The first fixed-pitch one of: the system's, the :data:`PREFERRED_CODE_FAMILIES` that are
    installed, then any installed family (alphabetically).  A family Qt does not call
    fixed-pitch (``Noto Sans Mono`` on some machines) would misalign the code, so it is skipped.
    """
    installed = set(families)
    candidates = [*system, *(f for f in PREFERRED_CODE_FAMILIES if f in installed)]
    candidates += sorted(installed, key=str.casefold)
    return next((family for family in candidates if family and is_fixed(family)), None)


def code_font() -> QFont:
    font = QFontDatabase.systemFont(QFontDatabase.FixedFont)
    system = (QFontInfo(font).family(),)
    family = choose_code_family(system, QFontDatabase.families(), QFontDatabase.isFixedPitch)
    if family:
        font.setFamilies([family])
    font.setStyleHint(QFont.Monospace)
    font.setFixedPitch(True)
    font.setPointSizeF(9)
    return font


class PythonHighlighter(QSyntaxHighlighter):
    """Just enough colour to read Python: keywords, numbers, strings and comments."""

    def __init__(self, document: object, dark: bool = False) -> None:
        super().__init__(document)
        self.rules: list[tuple[QRegularExpression, QTextCharFormat]] = []
        self.set_dark(dark)

    def set_dark(self, dark: bool) -> None:
        """Colours that read on the editor's background; re-colours the text."""

        def fmt(color: str, bold: bool = False, italic: bool = False) -> QTextCharFormat:
            f = QTextCharFormat()
            f.setForeground(QColor(color))
            if bold:
                f.setFontWeight(QFont.Bold)
            f.setFontItalic(italic)
            return f

        keyword, number, string, comment = CODE_COLORS[dark]
        words = "|".join(re.escape(k) for k in KEYWORDS)
        self.rules = [
            (QRegularExpression(rf"\b({words})\b"), fmt(keyword, bold=True)),
            (QRegularExpression(r"\b[0-9]+(\.[0-9]*)?(e[-+]?[0-9]+)?\b"), fmt(number)),
            (QRegularExpression(r"\"[^\"]*\"|'[^']*'"), fmt(string)),
            (QRegularExpression(r"#.*$"), fmt(comment, italic=True)),
        ]
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:
        for pattern, style in self.rules:
            it = pattern.globalMatch(text)
            while it.hasNext():
                m = it.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), style)


def _editor(name: str) -> QPlainTextEdit:
    editor = QPlainTextEdit()
    editor.setObjectName(name)
    editor.setReadOnly(True)
    editor.setFont(code_font())
    # Long lines wrap at the dock's width: a lecture never reads half a statement (the
    # continuation starts at the margin; the dock can be widened for one line per line).
    editor.setLineWrapMode(QPlainTextEdit.WidgetWidth)
    editor.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
    editor.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
    editor.highlighter = PythonHighlighter(editor.document(), _is_dark(editor))
    return editor


def _is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.Base).lightness() < 128


class _Tabs(QTabWidget):
    """Tabs that ask for room for a line of code when the dock first opens."""

    def sizeHint(self) -> QSize:
        return QSize(DOCK_WIDTH, super().sizeHint().height())


class CodePanel(BuiltWhenShown, Retranslatable, QDockWidget):
    """Dock ``codeDock``: tabs "NumPy", "PyTorch" and "By hand" (``codeTabs``)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("codeDock")
        self.state = state
        self._dirty = True
        self._hand: codegen.HandCode | None = None
        self._hand_key: tuple[object, ...] | None = None
        self._marked: tuple[int, ...] = ()
        self._saved: tuple[list[str], str] | None = None  # the files "Save arrays…" wrote last
        state.sigResultsChanged.connect(self._on_results_changed)
        state.sigStepChanged.connect(self._on_step_changed)
        self.visibilityChanged.connect(self._on_visibility_changed)
        self.retranslate_ui()

    def _build(self) -> None:
        self.numpy_edit = _editor("numpyCode")
        self.torch_edit = _editor("torchCode")
        self.hand_edit = _editor("handCode")
        self.loop_label = QLabel("")
        self.loop_label.setObjectName("loopLabel")
        self.loop_label.setFont(code_font())
        self.loop_label.setWordWrap(True)
        self.loop_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.loop_label.setStyleSheet(
            "QLabel { color: #222222; background: #fff6e0; border: 1px solid #e0c080;"
            " padding: 3px; }"
        )
        self.copy_buttons: dict[str, QPushButton] = {}
        self.save_arrays_button = QPushButton()
        self.save_arrays_button.setObjectName("saveArrays")
        self.save_arrays_button.clicked.connect(self._on_save_arrays_clicked)

        self.tabs = _Tabs()
        self.tabs.setObjectName("codeTabs")
        self.tabs.addTab(
            self._page("numpy", self.numpy_edit, extra=self.save_arrays_button), "NumPy"
        )
        self.tabs.addTab(self._page("torch", self.torch_edit), "PyTorch")
        self.tabs.addTab(self._page("hand", self.hand_edit, top=self.loop_label), "")
        self.setWidget(self.tabs)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        toggle = set_dock_texts(
            self,
            tr("Code"),
            tr("Show code"),
            tr("Show code (Ctrl+K): the NumPy, PyTorch and by-hand code of this state"),
        )
        toggle.setStatusTip(tr("Show or hide the code that computes what you see"))
        if not self._built:
            return  # the panel's texts are set as it is made
        self.loop_label.setToolTip(
            tr(
                "The loop counters of the code below at the current step: n = batch item, "
                "c (co) = channel, (oh, ow) = output position"
            )
        )
        self.save_arrays_button.setText(tr("Save arrays…"))
        if self._saved is None:
            self.save_arrays_button.setToolTip(
                tr("Write the .npy files the code loads (arrays too large to print) into a folder")
            )
        else:
            names, folder = self._saved
            wrote = tr("Wrote {files} to {folder}")
            self.save_arrays_button.setToolTip(wrote.format(files=", ".join(names), folder=folder))
        for button in self.copy_buttons.values():
            button.setText(tr("Copy"))
            button.setToolTip(tr("Copy this code to the clipboard"))
        self.tabs.setTabText(2, tr("By hand"))
        self.tabs.setTabToolTip(0, tr("The engine call that computes what the app shows"))
        self.tabs.setTabToolTip(
            1, tr("The same computation in PyTorch (autograd for the backward)")
        )
        self.tabs.setTabToolTip(
            2, tr("engine/reference.py: the loops written out; the current step's line is marked")
        )
        if self._hand is not None:
            self.update_step()

    def _page(
        self,
        key: str,
        editor: QPlainTextEdit,
        top: QWidget | None = None,
        extra: QWidget | None = None,
    ) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        if top is not None:
            layout.addWidget(top)
        layout.addWidget(editor, 1)
        row = QHBoxLayout()
        copy = QPushButton()
        copy.setObjectName(f"copy_{key}_button")
        copy.clicked.connect(lambda: self.copy_code(key))
        self.copy_buttons[key] = copy
        row.addWidget(copy)
        if extra is not None:
            row.addWidget(extra)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    # ---- text -------------------------------------------------------------------------------
    def editor(self, key: str) -> QPlainTextEdit:
        return {"numpy": self.numpy_edit, "torch": self.torch_edit, "hand": self.hand_edit}[key]

    def copy_code(self, key: str) -> None:
        QApplication.clipboard().setText(self.editor(key).toPlainText())
        button = self.copy_buttons[key]
        button.setText(tr("Copied ✓"))
        QTimer.singleShot(1200, button, lambda: button.setText(tr("Copy")))

    def refresh(self) -> None:
        """Regenerate every tab from the state (cheap for small data; only when visible)."""
        from visualizer import codegen  # when the dock first shows code, not at start-up

        snap = self.state.snapshot()
        self.numpy_edit.setPlainText(codegen.numpy_code(snap))
        self.torch_edit.setPlainText(codegen.torch_code(snap))
        self.save_arrays_button.setEnabled(bool(codegen.arrays_to_save(snap)))
        key = codegen.hand_code_key(snap)
        if key != self._hand_key:
            self._hand = codegen.hand_code(snap)
            self._hand_key = key
            self.hand_edit.setPlainText(self._hand.text)
            self._marked = ()
        self._dirty = False
        self.update_step()

    def update_step(self) -> None:
        """Mark the reference line the current step executes; no text is regenerated."""
        if self._hand is None:
            return
        from visualizer import codegen  # imported by the refresh that made self._hand

        st = self.state
        phase = st.phase
        out_pos = st.results.geometry.position(st.view_cursor.window_index)
        counters = codegen.loop_variables(st.spec.key, st.plane, out_pos)  # code: not translated
        lines = self._hand.lines[phase]
        if st.results.trace.shown_as:
            # Stepped in another form (a transposed convolution computed as a convolution):
            # the reference loops' counters and lines are not this step's.
            counters = tr(
                "Y[{row}, {col}] computed the other way; the loops below are the operation's own"
            )
            counters = counters.format(row=out_pos[0], col=out_pos[1])
            lines = ()
        if phase == "forward":
            text = tr("forward step {index}/{total}:  {counters}")
        else:
            text = tr("backward step {index}/{total}:  {counters}")
        self.loop_label.setText(
            text.format(index=st.window_index + 1, total=st.n_windows, counters=counters)
        )
        selections = []
        doc = self.hand_edit.document()
        for number in lines:
            sel = QTextEdit.ExtraSelection()
            sel.format.setBackground(PHASE_COLORS[phase])
            sel.format.setForeground(QColor("#111111"))  # readable on the light mark in any theme
            sel.format.setProperty(QTextFormat.FullWidthSelection, True)
            cursor = QTextCursor(doc.findBlockByNumber(number))
            cursor.movePosition(QTextCursor.EndOfBlock, QTextCursor.KeepAnchor)
            sel.cursor = cursor
            selections.append(sel)
        self.hand_edit.setExtraSelections(selections)
        if lines and lines != self._marked:
            # Scroll only when the marked lines move (a phase change), not on every step.
            self._marked = lines
            self._scroll_to(doc.findBlockByNumber(lines[0]))

    def _scroll_to(self, block: QTextBlock) -> None:
        """Centre ``block`` vertically; scroll sideways only if its start would be hidden."""
        edit = self.hand_edit
        edit.setTextCursor(QTextCursor(block))
        edit.centerCursor()
        char = QFontMetrics(edit.font()).horizontalAdvance(" ")
        text = block.text()
        start = (len(text) - len(text.lstrip())) * char
        # Keep the loop headers in view while 20 characters of the statement still show.
        hidden = start + 20 * char > edit.viewport().width()
        edit.horizontalScrollBar().setValue(max(0, start - 2 * char) if hidden else 0)

    def marked_lines(self) -> list[str]:
        """Text of the lines marked in the "By hand" tab (what a test asserts on)."""
        return [sel.cursor.block().text() for sel in self.hand_edit.extraSelections()]

    def changeEvent(self, event: QEvent) -> None:
        # A theme switch changes the palette: give the code colours that read on it.
        if event.type() == QEvent.PaletteChange and self._built:
            for editor in (self.numpy_edit, self.torch_edit, self.hand_edit):
                editor.highlighter.set_dark(_is_dark(editor))
        super().changeEvent(event)  # Retranslatable: a language switch

    # ---- state → view -----------------------------------------------------------------------
    def _on_results_changed(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def _on_step_changed(self, _step: int) -> None:
        if self.isVisible() and not self._dirty:
            self.update_step()

    def _on_visibility_changed(self, visible: bool) -> None:
        if visible and self._dirty:
            self.refresh()
        elif visible:
            self.update_step()

    def _on_save_arrays_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, tr("Save the arrays the code loads"))
        if folder:
            from visualizer import codegen

            written = codegen.save_arrays(self.state.snapshot(), folder)
            self._saved = ([p.name for p in written], folder)
            self.retranslate_ui()


def install(window: object) -> None:
    """Add the code dock (hidden), with a View-menu and toolbar toggle (Ctrl+K)."""
    panel = CodePanel(window.state, window)
    window.addDockWidget(Qt.RightDockWidgetArea, panel)
    panel.hide()
    toggle: QAction = panel.toggleViewAction()
    toggle.setObjectName("toggleCodeAction")  # texts: CodePanel.retranslate_ui
    toggle.setIcon(QIcon(str(asset("icons", "code.svg"))))
    toggle.setShortcut(QKeySequence("Ctrl+K"))
    window.addAction(toggle)
    window.menus["view"].addSeparator()
    window.menus["view"].addAction(toggle)
    window.toolbar.addSeparator()
    window.toolbar.addAction(toggle)
    window.code_panel = panel

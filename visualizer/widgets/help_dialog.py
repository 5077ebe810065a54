"""Help ▸ Getting started: the views, the highlight colours, stepping and every shortcut.

The dialog is non-modal.  It opens by itself on the first interactive run (settings key
``help/shown``), never off screen or in a batch run such as ``--screenshot``.  The shortcut
table is read from the window's menus when the dialog opens, so shortcuts that features add
are listed too; F1 ("Keyboard shortcuts") opens the same page at that table.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QT_TR_NOOP, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QColor,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPainter,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMenu,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engine.ops import OPS
from visualizer.i18n import set_action_text, tr, without_mnemonic
from visualizer.resources import asset
from visualizer.ui import Retranslatable
from visualizer.view_settings import view_settings
from visualizer.widgets.matrix_view import frame_tones, paint_gap, style_pens

SHOWN_KEY = "help/shown"

# (style in matrix_view.STYLE_SHAPE, what it marks); the swatches take their colours from the
# views themselves, the names below follow the palette in use.
COLOURS = (
    ("window", QT_TR_NOOP("the window of the current step: the input cells it reads")),
    ("winner", QT_TR_NOOP("the winning tap of a max-pooling window (and its cell in the mask)")),
    ("target", QT_TR_NOOP("dX cells that receive gradient in the current backward step")),
    ("pad_tap", QT_TR_NOOP("window taps that fall in the padding (never read as data)")),
    (
        "summed",
        QT_TR_NOOP(
            "transposed convolution, last backward step: dY cells no patch reaches, added to db"
        ),
    ),
    ("gap", QT_TR_NOOP("cells a dilated window skips, and the ceil_mode overhang")),
    (
        "dropped",
        QT_TR_NOOP(
            "ceil_mode: a window PyTorch drops, as it would start outside the input (no output)"
        ),
    ),
    ("hover", QT_TR_NOOP("the window of the hovered output, or every output an input feeds")),
    ("wrong", QT_TR_NOOP("Pitfalls: cells where the wrong implementation differs")),
)
COLOUR_NAMES = {
    "standard": {
        "window": QT_TR_NOOP("orange"), "winner": QT_TR_NOOP("magenta"),
        "target": QT_TR_NOOP("green"), "pad_tap": QT_TR_NOOP("dashed orange"),
        "summed": QT_TR_NOOP("dotted orange"),
        "gap": QT_TR_NOOP("black and white hatch"), "hover": QT_TR_NOOP("dashed cyan"),
        "wrong": QT_TR_NOOP("violet"), "dropped": QT_TR_NOOP("dashed red outline"),
    },
    "colorblind": {
        "window": QT_TR_NOOP("violet"), "winner": QT_TR_NOOP("pale green"),
        "target": QT_TR_NOOP("dark green"), "pad_tap": QT_TR_NOOP("dashed violet"),
        "summed": QT_TR_NOOP("dotted violet"),
        "gap": QT_TR_NOOP("black and white hatch"), "hover": QT_TR_NOOP("dashed pink"),
        "wrong": QT_TR_NOOP("dark teal"), "dropped": QT_TR_NOOP("dashed navy outline"),
    },
}  # fmt: skip

VIEWS = (
    (
        QT_TR_NOOP("Input X"),
        QT_TR_NOOP("the input plane, with its padding ring (grey) when padding > 0. Editable."),
    ),
    (
        QT_TR_NOOP("Kernel W"),
        QT_TR_NOOP("convolution only: the kernel slice of the shown channels. Editable."),
    ),
    (QT_TR_NOOP("Output Y"), QT_TR_NOOP("filled in window by window during the forward phase.")),
    (
        QT_TR_NOOP("Argmax mask"),
        QT_TR_NOOP("max pooling: how many windows each input cell won so far."),
    ),
    (
        QT_TR_NOOP("Upstream gradient dY"),
        QT_TR_NOOP("the gradient arriving from the next layer (ones by default). Editable."),
    ),
    (
        QT_TR_NOOP("Input gradient dX"),
        QT_TR_NOOP("built up window by window during the backward phase."),
    ),
    (
        "dW",
        QT_TR_NOOP("convolution: the weight gradient, accumulated during the backward phase."),
    ),
)


def swatch_image(style: str, size: int = 26) -> QImage:
    """One cell drawn with highlight ``style`` the way the matrix views draw it."""
    image = QImage(size, size, QImage.Format_ARGB32)
    cell = QColor(200, 222, 245)  # a mid-blue cell, like a value in the input
    image.fill(cell)
    painter = QPainter(image)
    color, width, line = style_pens()[style]
    if style == "gap":
        paint_gap(painter, image.rect())
    else:
        rect = image.rect().adjusted(
            width // 2 + 1, width // 2 + 1, -width // 2 - 2, -width // 2 - 2
        )
        outline, inline = frame_tones(color, cell.rgb())
        painter.setPen(QPen(outline, width + 2, line))
        painter.drawRect(rect)
        painter.setPen(QPen(QColor(color), width, line))
        painter.drawRect(rect)
        inner = width // 2 + 1
        painter.setPen(QPen(inline, 1, line))
        painter.drawRect(rect.adjusted(inner, inner, -inner, -inner))
    painter.end()
    return image


def shortcut_rows(window: QWidget) -> list[tuple[str, str, str]]:
    """(menu, action, shortcut) for every menu action that has a shortcut, in menu order."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, title: str) -> None:
        for action in menu.actions():
            if action.menu() is not None:
                walk(action.menu(), title)
                continue
            if id(action) in seen or action.isSeparator():
                continue
            keys = [
                k.toString(QKeySequence.NativeText) for k in action.shortcuts() if not k.isEmpty()
            ]
            if keys:
                seen.add(id(action))
                text = without_mnemonic(action.text()).rstrip("…").strip()
                # Undo/redo texts name the last edit ("Undo Switch to …"): keep the verb.
                if action.objectName() == "undoAction":
                    text = tr("Undo")
                elif action.objectName() == "redoAction":
                    text = tr("Redo")
                rows.append((title, text, tr(" or ").join(keys)))

    for top in window.menuBar().actions():
        if top.menu() is not None:
            walk(top.menu(), without_mnemonic(top.text()))
    return rows


def help_html(window: QWidget) -> str:
    """The whole page; shortcuts are read from ``window``'s menus."""
    parts = [
        "<h2>" + tr("Getting started") + "</h2>",
        tr(
            "<p>Pooling Visualizer shows a sliding window computing <b>max pooling</b>, "
            "<b>average pooling</b> or a <b>convolution</b>, one output at a time, and then the "
            "<b>backward pass</b> that sends the gradient back to the input, with PyTorch's "
            "exact rules.</p>"
        ),
        "<h3>" + tr("Operations") + "</h3><ul>",
        *(
            f"<li><b>{html.escape(tr(spec.label))}</b> (<code>{spec.key}</code>, "
            f"<code>--op {spec.alias}</code>): {html.escape(tr(spec.description))}</li>"
            for spec in OPS.values()
        ),
        "</ul>",
        "<h3>" + tr("The screen") + "</h3><ul>",
        tr(
            "<li><b>Left:</b> the operation and its parameters (hover any control for what it "
            "does), the data (size, channels, fills, random values, images) and the output-size "
            "formula.</li>"
        ),
        tr(
            "<li><b>Middle:</b> the matrices. Top row: the forward pass; bottom row: the "
            "backward pass.</li>"
        ),
        tr("<li><b>Bottom:</b> the step controls and the arithmetic of the current step.</li>"),
        "</ul><table cellpadding=3>",
    ]
    for name, text in VIEWS:
        parts.append(
            f"<tr><td><b>{html.escape(tr(name))}</b></td><td>{html.escape(tr(text))}</td></tr>"
        )
    parts.append("</table>")
    parts.append("<h3>" + tr("Colours") + "</h3><table cellpadding=4>")
    names = COLOUR_NAMES.get(view_settings().palette, COLOUR_NAMES["standard"])
    for style, text in COLOURS:
        name = tr(names[style])
        parts.append(
            f'<tr><td><img src="swatch:{style}"></td><td><b>{name}</b></td>'
            f"<td>{html.escape(tr(text))}</td></tr>"
        )
    parts.append(
        "</table>"
        + tr(
            "<p>Cell colours show the values: white to blue for inputs and outputs (black 0 "
            "and white 1 for a binary image), blue − white − red around zero for gradients, "
            "kernels and outputs with negative values. Padding cells are grey.</p>"
        )
    )
    parts += [
        "<h3>" + tr("Stepping") + "</h3>",
        tr(
            "<p>Every output is one <b>forward</b> step: the window moves, reads its cells and "
            "writes one output. After the last one the <b>backward</b> phase replays the "
            "windows: each output's dY is sent back into dX (to the winner for max, spread "
            "evenly for average, weighted by W for convolution). Use the buttons or slider "
            "under the matrices, the keys below, or click an output cell to jump to its step. "
            "Hover a cell to see which windows it belongs to.</p>"
        ),
        "<h3>" + tr("Code and checks") + "</h3>",
        tr(
            "<p><b>View ▸ Show code</b> gives the NumPy call, the PyTorch equivalent and the "
            "plain loops of <code>engine/reference.py</code> with the current step's line "
            "marked. <b>Tools ▸ Check gradients</b> compares the backward pass with finite "
            "differences; <b>Tools ▸ Compare with PyTorch</b> computes everything again with "
            "PyTorch (when it is installed) and shows where they agree.</p>"
        ),
        '<h3><a name="shortcuts"></a>' + tr("Keyboard shortcuts") + "</h3><table cellpadding=3>",
    ]
    last_menu = ""
    for menu, text, keys in shortcut_rows(window):
        label = menu if menu != last_menu else ""
        last_menu = menu
        parts.append(
            f"<tr><td><i>{html.escape(label)}</i></td><td><b>{html.escape(keys)}</b></td>"
            f"<td>{html.escape(text)}</td></tr>"
        )
    parts += [
        tr(
            "<tr><td><i>Matrices</i></td><td><b>type a number</b></td><td>edit the selected "
            "cell (X, W and dY; in presentation mode double-click it); while numbers are typed "
            "in, arrows, Tab and Enter move like a spreadsheet (Esc or a click ends it), "
            "otherwise the arrows keep stepping</td></tr>"
        ),
        tr("<tr><td></td><td><b>click an output</b></td><td>jump to its step</td></tr>"),
        "</table>",
    ]
    return "\n".join(parts)


class HelpDialog(Retranslatable, QDialog):
    """Non-modal "Getting started" page (``helpDialog``) with a text browser (``helpBrowser``)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.setObjectName("helpDialog")
        self.setModal(False)
        self._window = window
        self.browser = QTextBrowser()
        self.browser.setObjectName("helpBrowser")
        self.browser.setOpenExternalLinks(True)
        font = self.browser.font()
        font.setPointSizeF(max(10.5, font.pointSizeF()))
        self.browser.setFont(font)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(buttons)
        self.resize(720, 640)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Pooling Visualizer — getting started"))
        if self.isVisible():
            scroll = self.browser.verticalScrollBar()
            position = scroll.value()
            self.refresh()
            scroll.setValue(position)

    def refresh(self) -> None:
        """Rebuild the page: new shortcuts, the palette's colour names, the language."""
        document = self.browser.document()
        for style, _text in COLOURS:
            document.addResource(
                QTextDocument.ImageResource, QUrl(f"swatch:{style}"), swatch_image(style)
            )
        self.browser.setHtml(help_html(self._window))

    def open_at(self, anchor: str | None = None) -> None:
        """Rebuild the page (new shortcuts included), show it and scroll to ``anchor``."""
        self.refresh()
        screen = self.screen().availableGeometry() if self.screen() else None
        if screen is not None:
            self.resize(min(720, screen.width() - 40), min(640, screen.height() - 60))
        self.show()
        self.raise_()
        self.activateWindow()
        if anchor:
            self.browser.scrollToAnchor(anchor)
        else:
            self.browser.verticalScrollBar().setValue(0)


def show_help(window: QWidget, anchor: str | None = None) -> HelpDialog:
    dialog = getattr(window, "help_dialog", None)
    if dialog is None:
        dialog = HelpDialog(window)
        window.help_dialog = dialog
    dialog.open_at(anchor)
    return dialog


def _interactive() -> bool:
    """False off screen and in batch runs (--screenshot): nobody would see the page."""
    from visualizer.settings import is_batch_run

    return QGuiApplication.platformName() != "offscreen" and not is_batch_run()


def maybe_show_first_run(window: QWidget) -> bool:
    """Show the page if this is the first interactive run; remember that it was shown."""
    if not _interactive():
        return False
    from visualizer.settings import app_settings

    settings = app_settings()
    if settings.value(SHOWN_KEY, False, type=bool):
        return False
    show_help(window)
    settings.setValue(SHOWN_KEY, True)
    settings.sync()
    return True


def install(window: object) -> None:
    """Help ▸ Getting started (toolbar too), F1 at the shortcut table, first-run display."""
    action = QAction(QIcon(str(asset("icons", "getting_started.svg"))), "", window)
    action.setObjectName("gettingStartedAction")
    action.setShortcut(QKeySequence("Shift+F1"))
    action.triggered.connect(lambda: show_help(window))

    def retranslate() -> None:
        set_action_text(
            action,
            tr("Getting started"),
            tr("Getting started: the views, colours, stepping and shortcuts"),
        )
        action.setStatusTip(action.toolTip())

    window.add_retranslate_hook(retranslate)
    window.addAction(action)
    help_menu = window.menus["help"]
    first = help_menu.actions()[0] if help_menu.actions() else None
    help_menu.insertAction(first, action)
    # F1 ("Keyboard shortcuts") opens the same page at its table, which lists every
    # shortcut bound in the menus (features' ones included), instead of a fixed list.
    for existing in help_menu.actions():
        if existing.objectName() == "shortcutsAction":
            existing.triggered.disconnect()
            existing.triggered.connect(lambda: show_help(window, "shortcuts"))
    window.toolbar.addAction(action)
    window.help_action = action
    QTimer.singleShot(0, window, lambda: maybe_show_first_run(window))

"""Stepping controls, the arithmetic of the current step, and the output-size formula."""

from __future__ import annotations

import functools
import html
import math
import re
from collections.abc import Callable

from PySide6.QtCore import QChildEvent, QEvent, QObject, QRect, QSignalBlocker, QSize, Qt, QTimer
from PySide6.QtGui import (
    QFont,
    QFontInfo,
    QFontMetrics,
    QFontMetricsF,
    QIcon,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextDocument,
    QTextOption,
)
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSlider,
    QApplication,
    QBoxLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStyle,
    QStyleOptionSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from visualizer.i18n import tr, translate_message
from visualizer.limits import PLAY_SPEED_MAX
from visualizer.presentation import tinted
from visualizer.state import AppState
from visualizer.ui import QWIDGETSIZE_MAX, Retranslatable, largest_fitting, set_font
from visualizer.view_settings import is_dark, view_settings
from visualizer.widgets.fence import LayoutFence

# The arithmetic line: a yellow note, light or dark with the theme.
ARITHMETIC_STYLE = {
    "light": (
        "QLabel { background: #fffbea; color: #1a1a1a; border: 1px solid #e0c060;"
        " border-radius: 4px; padding: 4px 8px; }"
    ),
    "dark": (
        "QLabel { background: #3a3422; color: #f5ecd0; border: 1px solid #8a7640;"
        " border-radius: 4px; padding: 4px 8px; }"
    ),
}


def arithmetic_style() -> str:
    """The arithmetic note's style sheet for the current theme."""
    return ARITHMETIC_STYLE["dark" if is_dark() else "light"]


def counter_font() -> QFont:
    """The step counter's font in the normal layout (the stack panel's counter too)."""
    font = QFont()
    font.setPointSizeF(13)
    font.setBold(True)
    return font


def arithmetic_font() -> QFont:
    """The step's arithmetic's font in the normal layout (the stack panel's step text too)."""
    font = QFont()
    font.setPointSizeF(14)
    return font


# Compare mode's normal layout: the text box says each setting's arithmetic, a line each, for
# up to this many settings (two at 1366×768: the box's second line costs the panels' rows 1 px,
# the room reads the arithmetic at the box's size instead of the panels' 10 pt; a third and a
# fourth line took the default example's three settings from 16 px cells, with numbers, to
# 13-14 px heat maps).  With more, each panel says its own beside its title.
NORMAL_BOX_SETTINGS = 2

UPDATE_SEPARATOR = "   "  # between the cell updates of one line (engine.trace.UPDATE_GAP)
LINES_SIZE = 90  # the updates' lines, in percent of the sentence's font size


ARITHMETIC_LINES = 4  # lines of cell updates shown under the sentence (more: "…")
PROBE_HEIGHTS_KEPT = 256  # arithmetic heights measured and kept (see StepBar._probe_height)
NORMAL_SAMPLES = 16  # steps of a phase sampled for the normal layout's arithmetic height
COUNTER_SIDES = 16  # the step bar's margins and the counter's own, in the lecture's column
NORMAL_MEASURED = 3  # of those, the longest texts laid out (see tallest_candidates)
NORMAL_HEIGHTS_KEPT = 8  # phases' heights kept for the current results (steady_normal_height)
ARITHMETIC_HTML_KEPT = 1024  # steps' texts whose markup is kept (see arithmetic_html)


def play_interval(speed: int) -> int:
    """Milliseconds between a play timer's ticks at ``speed`` steps a second: at most 60 ticks
    a second (faster plays take several steps a tick, see :func:`play_steps_per_tick`)."""
    return max(16, int(1000 / speed))


def play_steps_per_tick(speed: int) -> int:
    """Steps taken at each tick of the play timer, for ``speed`` steps a second."""
    return max(1, round(speed * play_interval(speed) / 1000))


def play_target(step: int, per_tick: int, phase_end: int, last: int) -> int:
    """The step a play tick goes to: ``per_tick`` on, but never past ``last`` nor over the
    phase's last step ``phase_end`` (a fast play lands on it, as stepping one by one does)."""
    target = step + per_tick
    if step < phase_end < target:
        target = phase_end
    return min(target, last)


def media_icon(widget: QWidget, kind: QStyle.StandardPixmap) -> QIcon:
    """The style's media icon ``kind`` (⏮ ◀◀ ▶ ▶▶ ⏭), drawn in the button text's colour on a
    dark theme: Fusion draws them black, and on the dark theme's buttons they nearly vanished."""
    icon = widget.style().standardIcon(kind)
    if not is_dark():
        return icon
    palette = QApplication.palette()
    text = palette.color(QPalette.ColorRole.ButtonText)
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText)
    return tinted(icon, text, disabled, 24)


def show_play_state(button: QAbstractButton, playing: bool) -> None:
    """The play button shows pause while playing, play otherwise."""
    icon = QStyle.SP_MediaPause if playing else QStyle.SP_MediaPlay
    button.setIcon(media_icon(button, icon))


def toggle_play_timer(
    timer: QTimer, speed: int, button: QAbstractButton, at_end: bool, rewind: Callable[[], object]
) -> None:
    """Pause a playing ``timer``, or start it (calling ``rewind`` first when the steps are
    ``at_end``, so a play starts over), then show the state on the play ``button``."""
    if timer.isActive():
        timer.stop()
    else:
        if at_end:
            rewind()
        timer.start(play_interval(speed))
    show_play_state(button, timer.isActive())


def text_document(text: str, width: int, rich: bool = False) -> QTextDocument:
    """``text`` (HTML when ``rich``) laid out ``width`` pixels wide with no margin, as a label's
    text is, for :func:`largest_fitting_font` to measure."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    # As QLabel wraps: at word boundaries only (the document's default also breaks inside
    # a word that does not fit, "dX[0, 5]: 1 + 1·0 =" over "= 1", where the label cut it).
    option = document.defaultTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    document.setDefaultTextOption(option)
    if rich:
        document.setHtml(text)
    else:
        document.setPlainText(text)
    document.setTextWidth(width)
    return document


def _fits(document: QTextDocument, font: QFont, width: int, height: int) -> bool:
    """Whether ``document`` (its text width set) fits ``width`` × ``height`` in ``font``."""
    document.setDefaultFont(font)
    return document.size().height() <= height and document.idealWidth() <= width


def largest_fitting_font(
    document: QTextDocument, base: QFont, width: int, height: int, top: int
) -> QFont:
    """``base`` at the largest pixel size, from :data:`MIN_LECTURE_TEXT_PX` up to ``top``, at
    which ``document`` (its text width already set) fits ``width`` × ``height``: a bisection."""

    def fits(pixels: int) -> bool:
        font = QFont(base)
        font.setPixelSize(pixels)
        document.setDefaultFont(font)
        return document.size().height() <= height and document.idealWidth() <= width

    font = QFont(base)
    font.setPixelSize(largest_fitting(MIN_LECTURE_TEXT_PX, max(MIN_LECTURE_TEXT_PX, top), fits))
    return font


# The sentence's formulas: operators after which a line may break (between terms), at the
# sentence's level; inside parentheses only after "+" (a sum's terms) and ",".  Not after
# "+=" nor "→": an update stays whole, as on the lines below ("dX[4, 4] += 1 → 1").
BREAK_AFTER = frozenset(("+", "−", "-", "=", "≈", "≠"))
OPERATORS = BREAK_AFTER | {"+=", "−=", "-=", "→", "/", "·", "×"}
# Characters that make a word part of a formula; the punctuation a prose word may end with.
FORMULA_CHARS = frozenset("[]()（）=+−-/·×^|∂Σ√<>≤≥→≈%")
PROSE_ENDS = ",.:;!?，。：；！？"
# After these a line may break inside a formula's word (Unicode line breaking: "∂y/∂x",
# "|x|"): a word joiner after each keeps the word whole.
_JOINED = str.maketrans({"/": "/\u2060", "|": "|\u2060", "-": "-\u2060"})
_OPENING, _CLOSING = "(（", ")）"


def _is_cjk(ch: str) -> bool:
    return "\u2e80" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


@functools.lru_cache(maxsize=4096)
def is_prose(word: str) -> bool:
    """Whether ``word`` of a step's sentence is prose (a line may break beside it): two
    letters or more, or a Chinese character, and no digit nor formula character
    ("goes", "dX", "中得到"; not "x", "1·its", "dY[2,", "(p")."""
    core = word.rstrip(PROSE_ENDS)
    if not core or any(ch.isdigit() or ch in FORMULA_CHARS for ch in core):
        return False
    return sum(ch.isalpha() for ch in core) >= 2 or any(_is_cjk(ch) for ch in core)


def sentence_html(sentence: str) -> str:
    """A step's sentence as rich text whose lines break only between its terms and words:
    after an operator of the sentence's formulas (``a + b = c``: after "+" and "="; inside
    parentheses only after "+" and ","), after a comma, colon or full stop, and beside a
    word of prose (or a Chinese character); every other space is non-breaking and no line
    breaks inside a word of a formula.  At 1024×768 the line broke inside
    ``1·(x / 23.96)`` ("1·(x /" over "23.96)")."""
    words = sentence.split(" ")
    # Each word judged once (a word was judged up to three times: the normal layout measures
    # sixteen steps' sentences after every edit, see StepBar.steady_normal_height).
    prose = [is_prose(word) for word in words]
    squares = parens = 0
    out: list[str] = []
    last = len(words) - 1
    for i, word in enumerate(words):
        squares += word.count("[") - word.count("]")
        if "(" in word or ")" in word or "（" in word or "）" in word:
            parens += sum(word.count(c) for c in _OPENING) - sum(word.count(c) for c in _CLOSING)
        text = html.escape(word)
        out.append(text if prose[i] else text.translate(_JOINED))
        if i == last:
            break
        after = words[i + 1]
        if squares > 0:
            breaks = False  # an index: dY[2, 2]
        elif word in BREAK_AFTER:
            breaks = parens <= 0 or word == "+"
        elif word.endswith((",", "，", ":", "：", ";", ".")):
            breaks = True
        else:
            prose_end = prose[i] or _is_cjk(word.rstrip(PROSE_ENDS)[-1:] or "0")
            prose_start = prose[i + 1] or _is_cjk(after[:1] or "0")
            breaks = (prose_end or prose_start) and not {word, after} & OPERATORS
        out.append(" " if breaks else "&nbsp;")
    return "".join(out)


def tallest_candidates(texts: list[str]) -> list[str]:
    """The texts among ``texts`` (steps' arithmetic) that can need the most lines: the
    NORMAL_MEASURED with the most lines (then the longest), and the NORMAL_MEASURED longest,
    in their order.  Laying out every sampled step's text took a third of an edit's work in
    the normal layout (adaptive average pooling of 64x64: ~3 of ~5 ms to measure sixteen
    sentences of 256 terms); a step that needs more than the sampled ones still raises the
    height when it is shown (see StepBar.steady_normal_height)."""
    order = range(len(texts))
    by_lines = sorted(order, key=lambda i: (-texts[i].count("\n"), -len(texts[i])))
    by_length = sorted(order, key=lambda i: -len(texts[i]))
    chosen = set(by_lines[:NORMAL_MEASURED]) | set(by_length[:NORMAL_MEASURED])
    return [texts[i] for i in sorted(chosen)]


def arithmetic_html(
    text: str, narrow: bool = False, split: bool = False, terms: bool = False
) -> str:
    """See :func:`_arithmetic_html`: kept by its arguments however they are passed
    (``lru_cache`` keys ``f(t)`` and ``f(t, False, False)`` apart)."""
    return _arithmetic_html(text, narrow, split, terms)


# A line of cell updates starts with its tensor's name and then its cell, ":" or "=" (dX[1,
# 0]: ..., db: ..., dX[0:2, 1] += ...); another line is a sentence (several output channels'
# "dX gets one term per output channel here, o = 0 to 5"), which may break between words.
_UPDATE_LINE = re.compile(r"^[A-Za-z∂]\w*\s*(\[|:|[+−-]?=)")


def is_update_line(line: str) -> bool:
    """Whether ``line`` of a step's text (after its sentence) is a line of cell updates."""
    return bool(_UPDATE_LINE.match(line))


@functools.lru_cache(maxsize=ARITHMETIC_HTML_KEPT)
def _arithmetic_html(text: str, narrow: bool, split: bool, terms: bool = False) -> str:
    """The step's text as the arithmetic line shows it: the sentence (broken only between
    its terms and words, see :func:`sentence_html`), then each line of cell updates a
    little smaller, broken only between updates (never inside ``0 + 1·2 = 2``); past
    ARITHMETIC_LINES lines (many channels) the rest is left out, marked "…" (the whole
    text is the line's tooltip).

    ``narrow``: for the lecture's column beside the matrices (a quarter of the width), each
    update on a line of its own, whole; with ``split`` every update is broken after its
    cell's name (``dW[0, 1]:`` over ``225 + 1·12 = 237``), all of them alike: kept whole, the
    longest update set the font of the whole text, product rule included, to 15 px at
    1024×768, and where each update could break where it did not fit, the short dX updates
    stayed whole under dW updates broken in two (see StepBar.fit_arithmetic, which chooses).
    With ``terms`` too, a formula may also break after its sums' "+" (six output channels'
    dX updates, ``0 + 1·3 + 1·1 + 1·(-3) + 1·3 + 1·(-3) + 1·1 = 3``, were cut at the
    column's edge even at the least font).

    Kept by its arguments (a pure function of them): every step builds its text's markup,
    ~35 us of Python for a one-line sentence, again for a step seen before (stepping back
    and forth, playing a phase over)."""
    sentence, *lines = text.split("\n")
    parts = [sentence_html(sentence)]
    if len(lines) > ARITHMETIC_LINES:
        lines = _joined_updates(lines)
        if len(lines) > 1 and lines[-1].startswith("db:"):
            # db's one short update after the last dW update, not on a line of its own (a
            # line fewer: several channels' text is the tallest, see reserve_arithmetic_lines).
            lines = [*lines[:-2], lines[-2] + UPDATE_SEPARATOR + lines[-1]]
    if len(lines) > ARITHMETIC_LINES:
        lines = [*lines[: ARITHMETIC_LINES - 1], "…"]
    for line in lines:
        if line != "…" and not is_update_line(line):
            parts.append(f'<span style="font-size: {LINES_SIZE}%">{sentence_html(line)}</span>')
            continue
        items = line.split(UPDATE_SEPARATOR)
        if narrow:
            shown = [_update_html(item, split, terms) for item in items]
            parts += [f'<span style="font-size: {LINES_SIZE}%">{item}</span>' for item in shown]
            continue
        parts.append(
            f'<span style="font-size: {LINES_SIZE}%">'
            + "&nbsp;&nbsp;&nbsp; ".join(_update_html(item) for item in items)  # breakable
            + "</span>"  # after the gap between updates
        )
    return "<br>".join(parts)


def _update_html(update: str, name_apart: bool = False, terms: bool = False) -> str:
    """One cell update (``dX[0, 1]: 1 + 1·2 = 3``) as rich text that never breaks; where
    ``name_apart``, on two lines: its cell's name, then its formula; with ``terms`` the
    formula may break after the "+" between its terms."""
    if name_apart:
        for colon in (": ", "："):
            name, found, formula = update.partition(colon)
            if found and formula:
                shown = _update_html(formula, terms=terms)
                return _update_html(name + colon.strip()) + "<br>" + shown
    shown = html.escape(update).replace(" ", "&nbsp;")
    return shown.replace("&nbsp;+&nbsp;", "&nbsp;+ ") if terms else shown


def _joined_updates(lines: list[str]) -> list[str]:
    """Consecutive lines of updates of one tensor (one per channel: ``dX[0, …]``, then
    ``dX[1, …]``) as one line, its updates wrapping where the box ends: a two-channel
    convolution's seven lines were cut after three with "…" (its dW left out), where
    joined they fill the box's width."""

    def tensor(line: str) -> str:
        head = line.split("[", 1)[0]
        return head if "[" in line and head and " " not in head else ""

    joined: list[str] = []
    for line in lines:
        if joined and tensor(line) and tensor(line) == tensor(joined[-1]):
            joined[-1] += UPDATE_SEPARATOR + line
        else:
            joined.append(line)
    return joined


# The lecture layout's arithmetic box: at least this share of the window's height; its
# sentence drawn no smaller than MIN_LECTURE_TEXT_PX; the box's padding and border (pixels).
LECTURE_TEXT_SHARE = 0.14
MIN_LECTURE_TEXT_PX = 13
# A sentence of many lines (convolution's backward: one per updated tensor) gets a taller box,
# up to LECTURE_TEXT_MAX_SHARE of the window's height, so that it is drawn no smaller than
# LECTURE_TEXT_READABLE of that height (18 px at 768): it dropped to 13 px.
LECTURE_TEXT_READABLE = 0.024
LECTURE_TEXT_MAX_SHARE = 0.2
# A step of several channels (more lines of updates than ARITHMETIC_LINES: preset 09's
# backward writes 17 updates) gets up to this share: at 20% its text was 13 px at 1024×768,
# now 18 px, its matrices' cells 40 px (digits of 20 px: issue 10's least at 1024×768).
LECTURE_TEXT_CHANNELS_SHARE = 0.42
ARITHMETIC_FRAME = 12
# Beside the matrices the updates stay whole unless broken after their names they could be
# drawn larger than this share of that size (1024×768: 24 px broken, 17 px whole; 1366×768:
# 25 and 24 px, whole).
WHOLE_LEAST_SHARE = 0.9
ARITHMETIC_SIDES = 22


def counter_need(font: QFont, total: int) -> int:
    """The width of a step counter's widest text for ``total`` steps a phase in ``font``
    ("Backward 49 / 49", its digits as wide as an 8): the step bar's and the stack's."""
    metrics = QFontMetrics(font)
    widest = max(
        (tr("Forward {index} / {total}"), tr("Backward {index} / {total}")),
        key=metrics.horizontalAdvance,
    ).format(index=total, total=total)
    return metrics.horizontalAdvance(widest.replace("1", "8"))


def readable_font(base: QFont, height: int, several: bool = False) -> QFont:
    """``base`` at the size the lecture's arithmetic is made readable at in a window
    ``height`` pixels high.  With ``several`` channels most of the numbers are on the lines of
    updates, drawn at LINES_SIZE of the sentence's size: those lines are."""
    readable = max(MIN_LECTURE_TEXT_PX, int(height * LECTURE_TEXT_READABLE))
    if several:
        readable = math.ceil(readable * 100 / LINES_SIZE)
    font = QFont(base)
    font.setPixelSize(readable)
    return font


def text_box_height(text: str, width: int, font: QFont) -> int:
    """The height of the arithmetic's note ``text`` (rich text, as arithmetic_html makes it)
    needs in ``font`` in a label ``width`` pixels wide."""
    document = text_document(text, max(50, width - ARITHMETIC_SIDES), rich=True)
    document.setDefaultFont(font)
    return int(document.size().height()) + ARITHMETIC_FRAME


def lecture_box_height(text: str, width: int, height: int, base: QFont, several: bool) -> int:
    """The arithmetic's box below the lecture's matrices for ``text`` (rich text) in a label
    ``width`` pixels wide, in a window ``height`` pixels high: two lines of ``base``, at least
    LECTURE_TEXT_SHARE of the height, grown for the text at a readable size (see
    :func:`readable_font`) up to a share of the height (LECTURE_TEXT_CHANNELS_SHARE with
    ``several`` channels, else LECTURE_TEXT_MAX_SHARE): the single operation's step bar's and
    the layer stack's."""
    metrics = QFontMetrics(base)
    box = max(2 * metrics.lineSpacing() + ARITHMETIC_FRAME, int(height * LECTURE_TEXT_SHARE))
    most = LECTURE_TEXT_CHANNELS_SHARE if several else LECTURE_TEXT_MAX_SHARE
    needed = text_box_height(text, width, readable_font(base, height, several))
    return max(box, min(needed, int(height * most)))


# Events after which a label's text metrics (and so any height or hint kept for them) change:
# a new font (a zoom), style or language.
METRIC_EVENTS = frozenset(
    (
        QEvent.Type.FontChange,
        QEvent.Type.ApplicationFontChange,
        QEvent.Type.StyleChange,
        QEvent.Type.LanguageChange,
        QEvent.Type.LayoutDirectionChange,
    )
)


class MeasuredLabel(QLabel):
    """A word-wrapped label whose height for a width is asked several times per text (its
    fence, the layouts around it), while QLabel lays the text out twice for each answer (at
    the width asked, then back at its own).  Each answer is kept by everything it depends on
    (QLabel's sizeForWidth: the text and its format, the width, the font, the least and
    largest size, the margins, indent, alignment, frame and direction, the style sheet): it
    is computed once per text and width."""

    MEMO = 256  # answers kept (a phase's texts at a width or two)

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._heights: dict[tuple[object, ...], int] = {}
        self._font_key: str | None = None

    def font_key(self) -> str:
        """The font's key, kept until the font changes (QFont.key writes the font out as a
        string: asked a few times a step, by each answer's key and the phase's height)."""
        if self._font_key is None:
            self._font_key = self.font().key()
        return self._font_key

    def _measure_key(self, width: int) -> tuple[object, ...]:
        margins = self.contentsMargins()
        return (
            self.text(),
            width,
            self.font_key(),
            self.minimumSize().toTuple(),
            self.maximumSize().toTuple(),
            margins.left(),
            margins.top(),
            margins.right(),
            margins.bottom(),
            self.margin(),
            self.indent(),
            self.alignment(),
            self.wordWrap(),
            self.textFormat(),
            self.frameWidth(),
            self.layoutDirection(),
            self.styleSheet(),
        )

    def heightForWidth(self, width: int) -> int:
        key = self._measure_key(width)
        height = self._heights.get(key)
        if height is None:
            if len(self._heights) >= self.MEMO:
                self._heights.clear()
            height = self._heights[key] = super().heightForWidth(width)
        return height

    def changeEvent(self, event: QEvent) -> None:
        # A new font (a zoom), style or language: the answers kept are for other text metrics
        # (the key holds the font and the text too; this keeps the memo small).
        if event.type() in METRIC_EVENTS:
            self._heights.clear()
            self._font_key = None
        super().changeEvent(event)


class FormulaLabel(MeasuredLabel):
    """The output-size formula: its size hints too are kept by text and everything else they
    depend on (see :class:`MeasuredLabel`; QLabel keeps them only until its next text).  For
    a word-wrapped text QLabel lays it out three times to make them, once at a width of zero
    (a line per word: ~2 ms for the five lines of adaptive pooling's formula), on every edit;
    an edit back to an earlier setting (an undo, a spin box stepped down again) finds them."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self._hint_memo: dict[tuple[object, ...], tuple[QSize, QSize]] = {}

    def _hints(self) -> tuple[QSize, QSize]:
        key = (*self._measure_key(-1), self.textInteractionFlags())
        hints = self._hint_memo.get(key)
        if hints is None:
            if len(self._hint_memo) >= self.MEMO:
                self._hint_memo.clear()
            hints = self._hint_memo[key] = (super().sizeHint(), super().minimumSizeHint())
        return hints

    def sizeHint(self) -> QSize:
        return QSize(self._hints()[0])

    def minimumSizeHint(self) -> QSize:
        return QSize(self._hints()[1])

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in METRIC_EVENTS:
            self._hint_memo.clear()
        super().changeEvent(event)


class ArithmeticLabel(MeasuredLabel):
    """The step's arithmetic: a word-wrapped rich text whose height for a width is asked
    several times a step (its fence, the layout, :meth:`StepBar.steady_normal_height`): each
    answer computed once per step's text (see :class:`MeasuredLabel`)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        # QLabel's text control once found, until a child comes or goes (QLabel makes it with
        # a rich text and deletes it for a plain one): looked for on every paint, it walked
        # the children and asked each its class name (~10 us of every step).
        self._control: QObject | None = None
        self._control_known = False

    def _text_control(self) -> QObject | None:
        """QLabel's text control (its rich text's document), a child made with the text."""
        if self._control_known:
            return self._control
        self._control = None
        for child in self.findChildren(QObject, options=Qt.FindChildOption.FindDirectChildrenOnly):
            if child.metaObject().className() == "QWidgetTextControl":
                self._control = child
                break
        self._control_known = True
        return self._control

    def childEvent(self, event: QChildEvent) -> None:
        if event.added() or event.removed():
            self._control_known = False
            self._control = None
        super().childEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        # QLabel lays a new text out in its paint when nothing asked its size before (the
        # lecture's box of fixed height; a text seen before, whose height the memo knew), and
        # its text control then asks for a repaint of the line being painted: a second paint
        # pass of the line after the step.  The paint draws the text just laid out.
        control = self._text_control()
        if control is None:
            super().paintEvent(event)
            return
        with QSignalBlocker(control):
            super().paintEvent(event)

    def set_height_range(self, least: int, most: int = QWIDGETSIZE_MAX) -> None:
        """The least and largest height, and QLabel's size hints made again when they change:
        it keeps them until its text changes, expanded to the least size they were made with
        (a phase's new least height stayed out of its least size hint until the next step's
        text, and its fence then passed that on: the whole window laid out again for
        nothing)."""
        if (least, most) == (self.minimumHeight(), self.maximumHeight()):
            return
        if least > self.maximumHeight():
            self.setMaximumHeight(most)
        self.setMinimumHeight(least)
        self.setMaximumHeight(most)
        self.setIndent(self.indent())  # drops QLabel's kept hints (its updateLabel)


class StepSlider(QSlider):
    """The step slider: a new value repaints the strip between the handle's old and new
    places, not the whole slider (QAbstractSlider repaints it all: ~0.3 ms of every step,
    the most of the step bar's paints).  The handle, and the groove's part filled up to it,
    are all that a value changes; any other change (range, size, style, state) repaints it
    all, and the next value too."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self._handle: QRect | None = None  # the handle's place for the value last set

    def _handle_rect(self) -> QRect:
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_Slider, option, QStyle.SubControl.SC_SliderHandle, self
        )

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:
        old = self._handle
        if change != QAbstractSlider.SliderChange.SliderValueChange:
            self._handle = None
            super().sliderChange(change)
            return
        new = self._handle = self._handle_rect()
        if old is None:
            super().sliderChange(change)
            return
        # The strip from one handle to the other, the slider's whole height, with a margin
        # for a style's shadow or focus ring around the handle.
        margin = max(2, new.width() // 2)
        left, right = min(old.left(), new.left()), max(old.right(), new.right())
        top, bottom = min(old.top(), new.top()), max(old.bottom(), new.bottom())
        if self.orientation() == Qt.Orientation.Horizontal:
            self.update(QRect(left - margin, 0, right - left + 1 + 2 * margin, self.height()))
        else:
            self.update(QRect(0, top - margin, self.width(), bottom - top + 1 + 2 * margin))

    def changeEvent(self, event: QEvent) -> None:
        self._handle = None  # a new style, font or state: drawn anew
        super().changeEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        self._handle = None
        super().resizeEvent(event)


class StepBar(Retranslatable, QWidget):
    """First / previous / play / next / last, a scrub slider, speed and the step's arithmetic."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._on_timer)

        self._media: list[tuple[QAbstractButton, QStyle.StandardPixmap]] = []

        def button(icon: QStyle.StandardPixmap, name: str) -> QToolButton:
            b = QToolButton()
            self._media.append((b, icon))
            b.setIconSize(QSize(24, 24))
            b.setObjectName(name)
            b.setMinimumSize(36, 34)
            return b

        self.first_button = button(QStyle.SP_MediaSkipBackward, "stepFirst")
        self.prev_button = button(QStyle.SP_MediaSeekBackward, "stepPrev")
        self.play_button = button(QStyle.SP_MediaPlay, "playPause")
        self.next_button = button(QStyle.SP_MediaSeekForward, "stepNext")
        self.last_button = button(QStyle.SP_MediaSkipForward, "stepLast")
        # A large image: jump a whole row of windows at a time.
        self.next_row_button = QToolButton()
        self.next_row_button.setObjectName("stepNextRow")
        self.next_row_button.setMinimumHeight(34)
        self.step_slider = StepSlider(Qt.Horizontal)
        self.step_slider.setObjectName("stepSlider")
        self.speed_spinbox = QSpinBox()
        self.speed_spinbox.setObjectName("speed_spinbox")
        self.speed_spinbox.setRange(1, PLAY_SPEED_MAX)
        self.speed_spinbox.setValue(2)
        self.counter_label = QLabel("")
        self.counter_label.setObjectName("stepCounter")
        self._counter_font = counter_font()
        self.counter_label.setFont(self._counter_font)
        self.counter_label.setMinimumWidth(120)
        self.arithmetic_label: ArithmeticLabel = ArithmeticLabel("")
        self.arithmetic_label.setObjectName("arithmetic")
        self.arithmetic_label.setWordWrap(True)
        self.arithmetic_label.setTextFormat(Qt.RichText)
        self.arithmetic_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # No indent: QLabel's own (half an "x" of its font, for a label with a frame, as its
        # style sheet's border makes it) is not in ARITHMETIC_SIDES, and the text the box's
        # fit measured as fitting wrapped where it was drawn (compare mode's two Chinese
        # lines of the backward phase at 1024×768: 772 px measured against 774 px of room,
        # drawn in 770, the fourth line cut off).
        self.arithmetic_label.setIndent(0)
        big = arithmetic_font()
        self.arithmetic_label.setFont(big)
        self._arithmetic_font = QFont(big)
        self._fitted: tuple[object, int] = (None, 0)  # (text, box) last fitted, its pixels
        # Beside the matrices: every update broken after its cell's name (see fit_arithmetic).
        self._split = False
        # ... and their formulas broken between terms too, where no font fits them whole.
        self._terms = False
        self._reserved_for: tuple[object, ...] | None = None  # see _reserve_key
        self._reserved_width = 0  # the label's width the box was measured at
        # The box is measured at the label's width, which the layout settles later (entering
        # the lecture layout the label still had the normal layout's width: convolution's
        # backward sentence got a box a line too tall, until a zoom remeasured it).
        self.arithmetic_label.installEventFilter(self)
        # The normal layout: the arithmetic's least height is the most its phase's steps need
        # (sampled, see steady_normal_height), so that the views above do not move while
        # stepping (adaptive pooling's backward went from 2 to 3 lines and back).
        self._normal_key: tuple[object, ...] | None = None
        self._normal_height = 0
        # The heights of the phases measured for the current results, by key (see
        # steady_normal_height): stepping over a phase's border and back measured sixteen
        # steps' texts each time (~1 ms a step when playing through a small input's phases).
        self._normal_heights: dict[tuple[object, ...], int] = {}
        self._normal_timer = QTimer(self)
        self._normal_timer.setSingleShot(True)
        self._normal_timer.setInterval(0)
        self._normal_timer.timeout.connect(lambda: self.steady_normal_height(measure=True))
        self._probe: QLabel | None = None
        # Heights the probe measured, by text, width, font and style (see _probe_height).
        self._probe_heights: dict[tuple[object, ...], int] = {}
        self._language = 0  # bumped by retranslate_ui: the sentences change
        # Its own background needs its own text colour: a dark theme's light text on the
        # light yellow box would be unreadable.
        view_settings().sigThemeChanged.connect(self._style_arithmetic)
        self._style_arithmetic()
        view_settings().sigThemeChanged.connect(self._show_media_icons)
        self._show_media_icons()

        row = QHBoxLayout()
        for b in (self.first_button, self.prev_button, self.play_button, self.next_button):
            row.addWidget(b)
        row.addWidget(self.last_button)
        row.addWidget(self.next_row_button)
        row.addWidget(self.step_slider, 1)
        row.addWidget(self.speed_spinbox)
        # The counter and the arithmetic change text on every step: behind fences, so that
        # the window is laid out again only when they need another size (see fence.py).
        self.counter_fence = LayoutFence(self.counter_label)
        self.arithmetic_fence = LayoutFence(self.arithmetic_label, steady=True)
        for fence in (self.counter_fence, self.arithmetic_fence):
            # Opaque, in the window's colour (what lies under them): a step repaints their
            # texts without the window, the splitter and the step bar under them (the
            # arithmetic's rounded box is not opaque, nor a label's text).
            fence.setAutoFillBackground(True)
        row.addWidget(self.counter_fence)
        self.controls_row = row
        # The lecture layout: the counter moves beside the arithmetic, the controls hide.
        self.text_row = QHBoxLayout()
        self.text_row.addWidget(self.arithmetic_fence, 1)
        self.lecture = False
        # The lecture layout with many matrices: the counter over the arithmetic, in a column
        # beside the matrices (see set_beside).
        self.beside = False
        self._counter_total = -1  # the count of windows the counter was last fitted for
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addLayout(row)
        layout.addLayout(self.text_row)

        self.first_button.clicked.connect(lambda: state.set_step(0))
        self.prev_button.clicked.connect(lambda: state.set_step(state.step - 1))
        self.next_button.clicked.connect(lambda: state.set_step(state.step + 1))
        self.last_button.clicked.connect(lambda: state.set_step(state.n_steps - 1))
        self.next_row_button.clicked.connect(state.step_next_row)
        self.play_button.clicked.connect(self.toggle_play)
        self.step_slider.valueChanged.connect(state.set_step)
        self.speed_spinbox.valueChanged.connect(self._on_speed_changed)
        state.sigResultsChanged.connect(self._on_results_changed)
        state.sigStepChanged.connect(self._on_step_changed)
        self.retranslate_ui()
        self._on_results_changed()

    def retranslate_ui(self) -> None:
        self.first_button.setToolTip(tr("First step (Home)"))
        self.prev_button.setToolTip(tr("Previous step (Left)"))
        self.play_button.setToolTip(tr("Play / pause (Space)"))
        self.next_button.setToolTip(tr("Next step (Right)"))
        self.last_button.setToolTip(tr("Last step (End)"))
        self.step_slider.setToolTip(tr("Scrub through the forward steps, then the backward steps"))
        self.speed_spinbox.setSuffix(tr("/s", "steps per second"))
        self.speed_spinbox.setToolTip(
            tr("Playback speed (up to {max}/s for a large image)").format(max=PLAY_SPEED_MAX)
        )
        self.next_row_button.setText(tr("Next row"))
        self.next_row_button.setToolTip(tr("Jump to the first window of the next row"))
        self._language += 1
        self._on_step_changed(self.state.step)

    def set_lecture(self, on: bool) -> None:
        """The lecture layout: only the step counter and the arithmetic, on one line (the
        clicker and the keys step); off: the stepping controls again."""
        if on == self.lecture:
            return
        self.lecture = on
        for widget in (
            self.first_button,
            self.prev_button,
            self.play_button,
            self.next_button,
            self.last_button,
            self.step_slider,
            self.speed_spinbox,
        ):
            widget.setVisible(not on)
        self.next_row_button.setVisible(self.state.large_input and not on)
        if on:
            self.controls_row.removeWidget(self.counter_fence)
            self.text_row.insertWidget(0, self.counter_fence, 0, Qt.AlignmentFlag.AlignVCenter)
        else:
            self.set_beside(False)
            self.text_row.removeWidget(self.counter_fence)
            self.controls_row.addWidget(self.counter_fence)
        self.counter_label.setVisible(True)
        # The lecture's box is measured for the text it shows (compare mode: a line for each
        # setting).
        self.arithmetic_label.setText(self._html(self._step_text()))
        self.reserve_arithmetic_lines()

    def _says_settings(self) -> bool:
        """Whether the bar says each compared setting's arithmetic, a line each: in the
        lecture layout, and in the normal one with at most NORMAL_BOX_SETTINGS settings
        (else each panel says its own beside its title, the bar the position)."""
        comparison = self.state.comparison
        if comparison is None:
            return False
        return self.lecture or len(comparison.panels) <= NORMAL_BOX_SETTINGS

    def _step_text(self, step: int | None = None) -> str:
        """The text this bar shows at the current step (or at ``step``): each compared
        setting's arithmetic (see _says_settings), else the state's step text."""
        if self._says_settings():
            return self.state.compare_lecture_text(step)
        return self.state.step_text(step)

    def _html(
        self, text: str, narrow: bool = False, split: bool = False, terms: bool = False
    ) -> str:
        """``text`` as the arithmetic label shows it (see arithmetic_html); the compared
        settings' lines all at the sentence's size (arithmetic_html draws the lines after
        the first smaller: they are a step's cell updates)."""
        if self._says_settings():
            return "<br>".join(sentence_html(line) for line in text.split("\n"))
        return arithmetic_html(text, narrow, split, terms)

    def _reserve_key(self) -> tuple[object, ...]:
        """What the lecture's box is measured for: the operation, the phase, and the number
        of compared settings (a line each)."""
        st = self.state
        settings = len(st.comparison.panels) if st.comparison is not None else 0
        return (st.spec.key, st.phase, settings)

    def set_beside(self, on: bool, width: int = 0) -> None:
        """Lecture layout: the counter over the arithmetic in a column ``width`` pixels wide
        beside the matrices, the arithmetic's box as tall as the column leaves it (many
        matrices, see :func:`visualizer.model.present.lecture_text_beside`); off: the counter
        beside the arithmetic, below the matrices."""
        on = on and self.lecture
        if on == self.beside and (not on or self.width() == width):
            return
        self.beside = on
        row = self.text_row
        direction = QBoxLayout.Direction
        row.setDirection(direction.TopToBottom if on else direction.LeftToRight)
        align = Qt.AlignmentFlag.AlignLeft if on else Qt.AlignmentFlag.AlignVCenter
        if row.indexOf(self.counter_fence) >= 0:
            row.setAlignment(self.counter_fence, align)
        # The arithmetic from the top of its tall box (below the matrices: centred in it).
        vertical = Qt.AlignmentFlag.AlignTop if on else Qt.AlignmentFlag.AlignVCenter
        self.arithmetic_label.setAlignment(Qt.AlignmentFlag.AlignLeft | vertical)
        if on:
            self.setFixedWidth(width)
        else:
            self.setMinimumWidth(0)
            self.setMaximumWidth(QWIDGETSIZE_MAX)
        # Its updates one a line in the column, in a row below (see arithmetic_html).
        self._split = self._terms = False
        self.arithmetic_label.setText(self._html(self._step_text(), on))
        self.reserve_arithmetic_lines()

    def set_arithmetic_font(self, font: QFont) -> None:
        """The arithmetic's font; in the lecture layout the largest it is drawn in (a long
        sentence is drawn smaller to fit its box)."""
        self._arithmetic_font = QFont(font)
        if self.lecture:
            self.fit_arithmetic()
        else:
            self.arithmetic_label.setFont(font)

    def reserve_arithmetic_lines(self) -> None:
        """In the lecture layout the arithmetic has a box of fixed height (two lines of its
        font, at least LECTURE_TEXT_SHARE of the window's height), so that the matrices above
        keep their size while stepping; a longer sentence gets a smaller font instead."""
        label = self.arithmetic_label
        self._steady_counter()
        if not self.lecture:
            label.setFont(self._arithmetic_font)
            label.set_height_range(0)  # the lecture layout's box
            self._normal_key = None
            self._normal_height = 0
            self._normal_heights.clear()
            self.steady_normal_height()
            return
        metrics = QFontMetrics(self._arithmetic_font)
        window = self.window()
        height = window.height() if window is not None else 0
        beside = QSizePolicy.Policy.Ignored if self.beside else QSizePolicy.Policy.Preferred
        if label.sizePolicy().verticalPolicy() != beside:
            policy = label.sizePolicy()
            policy.setVerticalPolicy(beside)
            label.setSizePolicy(policy)
        self.arithmetic_fence.set_height_for_width(not self.beside)
        if self.beside:
            # The box takes the column's height below the counter, whatever its text needs
            # (an Ignored height and no height for its width, so that the text's lines never
            # make the column taller than the window); its font is the largest at which the
            # step's text fits it (fit_arithmetic).
            self._reserved_for = self._reserve_key()
            self._reserved_width = label.width()
            label.set_height_range(2 * metrics.lineSpacing() + ARITHMETIC_FRAME)
            self.fit_arithmetic()
            return
        font = self._readable_font(height)
        stacked = False
        if self._several_channels():
            # The counter over the text where that takes less height than beside it.
            whole = self.contentsRect().width() - 8  # the layout's margins
            counter = self.counter_fence.sizeHint()
            spacing = max(0, self.text_row.spacing())
            over = self._text_height(label.text(), whole, font) + counter.height() + spacing
            beside_text = self._text_height(label.text(), whole - counter.width() - spacing, font)
            stacked = over < beside_text
        self._stack_counter(stacked)
        box = self._lecture_box(label.text(), label.width(), height)
        self._reserved_for = self._reserve_key()
        self._reserved_width = label.width()
        label.set_height_range(box, box)
        self.fit_arithmetic()

    def _several_channels(self) -> bool:
        """Whether the step writes more lines of updates than ARITHMETIC_LINES (several
        channels: preset 09's backward writes 17 updates)."""
        return self.state.step_text().count("\n") > ARITHMETIC_LINES

    def _readable_font(self, height: int) -> QFont:
        """See :func:`readable_font`."""
        return readable_font(self._arithmetic_font, height, self._several_channels())

    def _text_height(self, text: str, width: int, font: QFont) -> int:
        """See :func:`text_box_height`."""
        return text_box_height(text, width, font)

    def _lecture_box(self, text: str, width: int, height: int) -> int:
        """See :func:`lecture_box_height` (once per operation and phase, so that the
        matrices do not move while stepping)."""
        return lecture_box_height(
            text, width, height, self._arithmetic_font, self._several_channels()
        )

    def _stack_counter(self, on: bool) -> None:
        """Lecture layout below the matrices: the counter over the arithmetic (``on``), which
        then has the whole width, or beside it.  Preset 09's backward (seventeen updates) had
        two updates a line beside the counter's 290 px at 1024×768, three over it."""
        row = self.text_row
        if row.indexOf(self.counter_fence) < 0:
            return
        direction = QBoxLayout.Direction.TopToBottom if on else QBoxLayout.Direction.LeftToRight
        if row.direction() != direction:
            row.setDirection(direction)
        # Set again each time: entering the lecture layout puts the counter back centred.
        align = Qt.AlignmentFlag.AlignLeft if on else Qt.AlignmentFlag.AlignVCenter
        row.setAlignment(self.counter_fence, align)

    def lecture_below_height(self, width: int, height: int) -> int:
        """The height this bar takes below the lecture's matrices in a lecture area
        ``width`` pixels wide, of a window ``height`` pixels high: the counter beside the
        arithmetic's box (as reserve_arithmetic_lines sizes it), measured without laying the
        bar out there (the window weighs it against the column beside the matrices)."""
        margins = self.layout().contentsMargins()
        counter = max(120, self._counter_need(self._counter_font) + 2)
        spacing = max(0, self.text_row.spacing())
        label = width - margins.left() - margins.right() - counter - spacing
        box = self._lecture_box(self._html(self._step_text()), label, height)
        box = max(box, QFontMetrics(self._counter_font).height())
        return box + margins.top() + margins.bottom()

    def steady_normal_height(self, measure: bool = False) -> None:
        """Normal layout: the arithmetic's least height, the most lines the current phase's
        steps need at the label's width (every step of a phase of at most NORMAL_SAMPLES
        steps, else that many spread over it; the longest of their texts laid out, see
        tallest_candidates), measured again when the results, the phase,
        the width, the font or the language change (``measure``: now; else once the events
        waiting are done, so that an edit or a step does not wait for it); a step needing
        more raises it (it is never lowered within the phase)."""
        if self.lecture:
            return
        st, label = self.state, self.arithmetic_label
        width = label.width()
        first = 0 if st.phase == "forward" else st.n_windows
        last = (st.n_windows if st.phase == "forward" else st.n_steps) - 1
        key = (st.results.serial, st.phase, first, last, width, label.font_key(), self._language)
        need: int | None = None
        if key != self._normal_key and key in self._normal_heights:
            # A phase measured before (a step back over its border): its height, the label's
            # least height first (QLabel's height for a width is at least its least height).
            self._normal_key, self._normal_height = key, self._normal_heights[key]
            label.set_height_range(self._normal_height)
        if key != self._normal_key:
            if not measure:
                self._normal_timer.start()
            elif label.isVisible() and last >= first:
                self._normal_key = key
                # Every height is measured on a probe, never on the label: QLabel's height for
                # a width is at least its least height, and asking the shown label lays its
                # text out again, which repaints it (as did lowering its least height to
                # measure it, then raising it back: its fence asked it again).  After an
                # edit, both painted the arithmetic line in a second pass.
                probe = self._probe
                if probe is None:
                    probe = self._probe = QLabel()
                    probe.setWordWrap(True)
                    probe.setTextFormat(label.textFormat())
                # Styled again only when the label's style changed: setting the same sheet
                # polished the probe anew on every edit (~0.3 ms).
                if probe.font() != label.font():
                    probe.setFont(label.font())
                sheet = label.styleSheet()
                if probe.styleSheet() != sheet:
                    probe.setStyleSheet(sheet)
                count = min(NORMAL_SAMPLES, last - first + 1)
                spread = (last - first) / max(1, count - 1)
                steps = {first + round(i * spread) for i in range(count)}
                texts = [self._step_text(step) for step in sorted(steps)]
                heights: dict[str, int] = {}
                for text in tallest_candidates(texts):
                    shown = self._html(text)
                    heights[shown] = self._probe_height(shown, width)
                # The shown step's need: laid out again only if it was not one of those (after
                # an edit it is the first step's, often among them).
                need = heights.get(label.text())
                if need is None:
                    need = self._probe_height(label.text(), width)
                self._normal_height = max(heights.values(), default=0)
        if need is None:
            need = label.heightForWidth(width) if label.hasHeightForWidth() else 0
        self._normal_height = max(self._normal_height, need)
        if key == self._normal_key:
            known = self._normal_heights
            if next(iter(known), key)[0] != key[0] or len(known) >= NORMAL_HEIGHTS_KEPT:
                known.clear()  # other results (or many widths): the phases measured anew
            known[key] = self._normal_height
        label.set_height_range(self._normal_height)

    def _probe_height(self, shown: str, width: int) -> int:
        """The height the probe (styled as the label) needs for ``shown`` at ``width``; a
        text measured before at the same width, font and style is not laid out again (an
        edit and its undo, adaptive pooling's output_size 3 -> 4 -> 3: the same sentences,
        ~0.4 ms of layout each)."""
        probe = self._probe
        assert probe is not None
        key = (shown, width, probe.font().key(), probe.styleSheet(), probe.textFormat())
        known = self._probe_heights.get(key)
        if known is None:
            if len(self._probe_heights) >= PROBE_HEIGHTS_KEPT:
                self._probe_heights.clear()
            probe.setText(shown)
            known = self._probe_heights[key] = probe.heightForWidth(width)
        return known

    def _document(self, text: str, width: int) -> QTextDocument:
        """``text`` laid out as the arithmetic label lays it out, ``width`` pixels wide."""
        rich = self.arithmetic_label.textFormat() == Qt.TextFormat.RichText
        return text_document(text, width, rich or GuiQt.mightBeRichText(text))

    def fit_arithmetic(self) -> None:
        """Lecture layout: the largest font, up to the arithmetic's own, at which the step's
        sentence fits its box.  Beside the matrices, its updates are all whole or all broken
        after their cells' names (see arithmetic_html), whichever is drawn larger (whole
        when alike); the choice holds while stepping (see _beside_html)."""
        if not self.lecture:
            return
        label = self.arithmetic_label
        base = self._arithmetic_font
        top = base.pixelSize() if base.pixelSize() > 0 else round(base.pointSizeF() * 96 / 72)
        width = max(50, label.width() - ARITHMETIC_SIDES)
        height = label.height() - ARITHMETIC_FRAME
        text = self._step_text() if self.beside else label.text()
        key = (text, width, height, top, self.beside)
        if key == self._fitted[0]:
            if self.beside:  # its text may have been set since (the same step, see set_beside)
                label.setText(self._html(text, True, self._split, self._terms))
            return
        if self.beside:
            whole = self._html(text, True)
            font = largest_fitting_font(self._document(whole, width), base, width, height, top)
            self._split = False
            split = self._html(text, True, True)
            if split != whole:
                document = self._document(split, width)
                apart = largest_fitting_font(document, base, width, height, top)
                self._split = font.pixelSize() < WHOLE_LEAST_SHARE * apart.pixelSize()
                if self._split:
                    font = apart
            shown = split if self._split else whole
            self._terms = False
            if not _fits(self._document(shown, width), font, width, height):
                # Not even the least font fits the updates whole: their sums break between
                # terms (the last resort: an update reads best on one line).
                self._split = self._terms = True
                shown = self._html(text, True, True, True)
                font = largest_fitting_font(self._document(shown, width), base, width, height, top)
            label.setText(shown)
        else:
            font = largest_fitting_font(self._document(text, width), base, width, height, top)
        self._fitted = (key, font.pixelSize())
        set_font(label, font)

    def _beside_html(self, text: str) -> str:
        """``text`` as the column beside the matrices shows it at the fitted font: its
        updates as the box's fit chose (see fit_arithmetic), or all broken after their names
        where one of this step's would not fit whole (its numbers longer), or their sums
        broken between terms too where one would not fit so either."""
        if self._terms:
            return self._html(text, True, True, True)
        updates = [
            u
            for line in text.split("\n")[1:]
            if is_update_line(line)
            for u in line.split(UPDATE_SEPARATOR)
        ]
        if not self._split:
            whole = self._html(text, True)
            if self._shown_whole(whole, updates):
                return whole
        pieces = [p for u in updates for p in re.split("(?<=[:：]) ", u, maxsplit=1)]
        split = self._html(text, True, True)
        if self._shown_whole(split, pieces):
            return split
        return self._html(text, True, True, True)

    def _shown_whole(self, shown: str, pieces: list[str]) -> bool:
        """Whether ``shown`` (rich text whose ``pieces`` never break) is no wider than the
        column at the fitted font."""
        label = self.arithmetic_label
        width = max(50, label.width() - ARITHMETIC_SIDES)
        # Most steps' updates are clearly narrower than the box: measured one by one at the
        # lines' size (a few microseconds) instead of laying the text out (~0.6 ms a step).
        lines = QFont(label.font())
        lines.setPixelSize(math.ceil(label.font().pixelSize() * LINES_SIZE / 100) + 1)
        metrics = QFontMetricsF(lines)
        if label.font().pixelSize() > 0 and all(
            metrics.horizontalAdvance(p) <= width - 4 for p in pieces
        ):
            return True
        document = self._document(shown, width)
        document.setDefaultFont(label.font())
        return document.idealWidth() <= width

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.lecture:
            self.fit_arithmetic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.arithmetic_label and event.type() in (
            QEvent.Type.Resize,
            QEvent.Type.Show,
        ):
            if not self.lecture:
                self._normal_timer.start()  # once the layout has settled its width
            elif self.beside:
                self.fit_arithmetic()  # its font only: the column sets its size
            elif self.arithmetic_label.width() != self._reserved_width:
                self.reserve_arithmetic_lines()  # its height only: no loop
        return False

    def _steady_counter(self) -> None:
        """Lecture layout: the counter as wide as its widest text in this phase ("Backward 49
        / 49"), so that the arithmetic's width, and its box, do not change while stepping."""
        label = self.counter_label
        font = self._counter_font
        need = self._counter_need(font)
        self._counter_total = self.state.n_windows
        if self.lecture and self.beside:
            # Beside the matrices the counter has its column's width: a smaller font where
            # its widest text does not fit on one line (at 1024x768 "Backward 6 / 49" broke
            # into "Backward 6 /" over "49").
            room = self.width() - COUNTER_SIDES
            if need > room > 0:
                font = QFont(font)
                pixels = QFontInfo(font).pixelSize()
                font.setPixelSize(max(MIN_LECTURE_TEXT_PX, int(pixels * room / need)))
        set_font(label, font)
        if not self.lecture:
            label.setMinimumWidth(120)
        elif self.beside:
            label.setMinimumWidth(0)
        else:
            label.setMinimumWidth(max(120, need + 2))

    def set_counter_font(self, font: QFont) -> None:
        """The step counter's font (in the lecture's column beside the matrices, the largest
        that keeps its widest text on one line, at most this one)."""
        self._counter_font = QFont(font)
        self._steady_counter()

    def _counter_need(self, font: QFont) -> int:
        """The width of the counter's widest text in this phase in ``font`` ("Backward 49 /
        49", its digits as wide as an 8)."""
        return counter_need(font, self.state.n_windows)

    def _style_arithmetic(self, *_args: object) -> None:
        self.arithmetic_label.setStyleSheet(arithmetic_style())

    def _show_media_icons(self, *_args: object) -> None:
        for button, kind in self._media:
            if button is not self.play_button:
                button.setIcon(media_icon(button, kind))
        show_play_state(self.play_button, self.timer.isActive())

    def toggle_play(self) -> None:
        if self.state.quiz.on:
            self.state.advance()  # quiz mode: Space reveals, then steps on (no playing)
            return
        st = self.state
        toggle_play_timer(
            self.timer,
            self.speed_spinbox.value(),
            self.play_button,
            st.step >= st.n_steps - 1,
            lambda: st.set_step(0),
        )

    def steps_per_tick(self) -> int:
        """Steps taken at each tick of the play timer, for the chosen speed."""
        return play_steps_per_tick(self.speed_spinbox.value())

    def _on_timer(self) -> None:
        if self.state.step >= self.state.n_steps - 1:
            self.timer.stop()
            show_play_state(self.play_button, self.timer.isActive())
            return
        st = self.state
        phase_end = st.n_windows - 1 if st.phase == "forward" else st.n_steps - 1
        st.set_step(play_target(st.step, self.steps_per_tick(), phase_end, st.n_steps - 1))

    def _on_speed_changed(self, _value: int) -> None:
        if self.timer.isActive():
            self.timer.setInterval(play_interval(self.speed_spinbox.value()))

    def _on_results_changed(self) -> None:
        with QSignalBlocker(self.step_slider):
            self.step_slider.setRange(0, self.state.n_steps - 1)
        # The lecture layout steps by keys (N: next row), with no buttons.
        self.next_row_button.setVisible(self.state.large_input and not self.lecture)

    def _on_step_changed(self, step: int) -> None:
        st = self.state
        with QSignalBlocker(self.step_slider):
            self.step_slider.setValue(step)
        if st.phase == "forward":
            counter = tr("Forward {index} / {total}")
        else:
            counter = tr("Backward {index} / {total}")
        self.counter_label.setText(counter.format(index=st.window_index + 1, total=st.n_windows))
        if self.lecture and (
            self._counter_total != st.n_windows
            if self.beside  # its least width is 0 there: fitted for a count of windows
            else self.counter_label.minimumWidth() < self.counter_label.sizeHint().width()
        ):
            self._steady_counter()  # more windows than the counter was measured for
        text = self._step_text()
        if self.lecture and self.beside:
            self.arithmetic_label.setText(self._beside_html(text))
        else:
            self.arithmetic_label.setText(self._html(text))
        tip = text if text.count("\n") >= ARITHMETIC_LINES else ""
        if tip != self.arithmetic_label.toolTip():
            # Only when it changes: setting one sends an event through every event filter of
            # the application (Python ones), on every step.
            self.arithmetic_label.setToolTip(tip)
        if self.lecture and self._reserved_for != self._reserve_key():
            self.reserve_arithmetic_lines()  # another operation or phase: another sentence
        elif not self.lecture:
            self.steady_normal_height()


class FormulaPanel(Retranslatable, QGroupBox):
    """The output-size formula with the current numbers, and why a setting is invalid."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.formula_label = FormulaLabel("")
        self.formula_label.setObjectName("formula")
        self.formula_label.setWordWrap(True)
        self.formula_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        # Its text changes on every edit, mostly keeping its lines: behind a fence, so that
        # the window is laid out again only when it needs another height (see fence.py).
        self.formula_fence = LayoutFence(self.formula_label)
        layout.addWidget(self.formula_fence)
        state.sigResultsChanged.connect(self._refresh)
        state.sigError.connect(self._refresh)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setTitle(tr("Output size"))
        self._refresh()

    def _refresh(self, *_args: object) -> None:
        st = self.state
        # The formula itself is the same in every language; the engine's remarks on it are not.
        lines = [translate_message(line) for line in st.formula_lines()]
        out_h, out_w = st.results.output.shape[-2:]
        if st.error:
            lines.append(tr("✗ Not applied: {reason}").format(reason=translate_message(st.error)))
        elif out_h * out_w == len(st.results.trace):
            text = tr("Output: {rows} × {cols} = {count} windows")
            lines.append(text.format(rows=out_h, cols=out_w, count=out_h * out_w))
        else:
            # A scatter steps over its input cells, not over its outputs.
            text = tr("Output: {rows} × {cols}; {count} steps, one per input cell")
            lines.append(text.format(rows=out_h, cols=out_w, count=len(st.results.trace)))
        self.formula_label.setText("\n".join(lines))

"""A layout fence: a widget whose text changes on every step does not lay the window out again.

Qt lays out the whole window whenever any widget in it asks (``QWidget.updateGeometry``): a
label's ``setText`` asks even when its new text needs exactly the room the old one had, and the
request climbs every layout up to the main window (the step counter, the arithmetic line and a
close-up's title change on every step: two whole-window layout passes per step).  A request
stops only at a widget of fixed size, or at a parent without a layout.  :class:`LayoutFence` is
such a parent: it holds one widget, gives it all of its own room, and passes its request on
only when what the layout reads from it (size hints, height for the width it has, size policy,
least and largest size, visibility) really changed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent, QShowEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

_Policy = QSizePolicy.Policy


# A steady fence's width hints, in average character widths of its child's font.
STEADY_HINT_CHARS = 40
STEADY_MIN_CHARS = 12


def _layout_view(widget: QWidget, width: int, steady: bool = False) -> tuple[object, ...]:
    """What a layout reads from ``widget`` (as ``QWidgetItem`` does: a dimension whose policy
    is Ignored has no hint and no least size, and one of fixed size has that size whatever its
    hints say), its height for ``width`` included; ``steady``: its width hints and its
    preferred height are left out (see :class:`LayoutFence`)."""
    policy = widget.sizePolicy()
    least_size, most_size = widget.minimumSize(), widget.maximumSize()
    # A fixed dimension's hints are not asked (a word-wrapped text lays itself out for each).
    ignored = (
        policy.horizontalPolicy() == _Policy.Ignored or 0 < least_size.width() == most_size.width(),
        policy.verticalPolicy() == _Policy.Ignored or 0 < least_size.height() == most_size.height(),
    )

    def shown(size: QSize) -> tuple[int, int]:
        return (0 if ignored[0] else size.width(), 0 if ignored[1] else size.height())

    hfw = widget.heightForWidth(width) if widget.hasHeightForWidth() and not ignored[1] else None
    # Hints are asked only where a layout reads them (a close-up's sizeHint lays it out).
    if steady:
        hint: tuple[int, ...] = (widget.fontMetrics().averageCharWidth(),)
        # Its least height hint only where a layout reads it: not over a least height of its
        # own (nor a fixed or ignored one).  A word-wrapped label lays its text out three to
        # five times to make it (~0.4 ms of every step for the arithmetic's rich text).
        least: tuple[int, ...] = (
            (widget.minimumSizeHint().height(),)
            if least_size.height() <= 0 and not ignored[1]
            else ()
        )
    elif all(ignored):
        hint = least = (0, 0)
    else:
        hint, least = shown(widget.sizeHint()), shown(widget.minimumSizeHint())
    return (
        hint,
        least,
        hfw,
        least_size.toTuple(),
        most_size.toTuple(),
        policy.horizontalPolicy(),
        policy.verticalPolicy(),
        policy.horizontalStretch(),
        policy.verticalStretch(),
        policy.hasHeightForWidth(),
        policy.retainSizeWhenHidden(),
    )


class LayoutFence(QWidget):
    """Holds ``child`` (reparented here) in all of its room; stands for it in a layout.

    Put the fence in the layout where the child would go.  The child keeps its own size
    constraints, policy and visibility: the fence takes them over (at the child's next layout
    request), so code may go on setting them on the child.

    ``steady``: for a word-wrapped text that has the row's width whatever it says (the step's
    arithmetic): the fence's width hints come from the child's font, not from its text
    (``STEADY_HINT_CHARS`` and ``STEADY_MIN_CHARS`` average characters), and its height from
    its height for the width it has.  Its text then lays the window out again only when it
    needs another number of lines.
    """

    def __init__(self, child: QWidget, parent: QWidget | None = None, steady: bool = False) -> None:
        super().__init__(parent)
        self.steady = steady
        self.setObjectName(f"{child.objectName() or 'widget'}Fence")
        self.child = child
        child.setParent(self)
        child.installEventFilter(self)
        self._seen: tuple[object, ...] | None = None
        self._adopt()
        if child.testAttribute(Qt.WidgetAttribute.WA_WState_ExplicitShowHide) and child.isHidden():
            self.hide()
        self.passed_on = 0  # layout requests passed on to the layout around (tests count them)
        # Off: the fence has no height for its width, whatever its child's (a word-wrapped
        # text given a box of the layout's choosing: the lecture's arithmetic beside the
        # matrices, whose lines must never make the column taller than the window).
        self.height_for_width = True

    def _adopt(self) -> None:
        """Take over the child's policy and least and largest size; remember what the layout
        around reads from it now."""
        child = self.child
        if self.sizePolicy() != child.sizePolicy():
            self.setSizePolicy(child.sizePolicy())
        if self.minimumSize() != child.minimumSize():
            self.setMinimumSize(child.minimumSize())
        if self.maximumSize() != child.maximumSize():
            self.setMaximumSize(child.maximumSize())
        self._seen = self._view()

    def _view(self) -> tuple[object, ...]:
        return _layout_view(self.child, self.width(), self.steady)

    # ---- what the layout around asks ----------------------------------------------------------
    def sizeHint(self) -> QSize:
        child = self.child
        if not self.steady:
            return child.sizeHint()
        width = child.fontMetrics().averageCharWidth() * STEADY_HINT_CHARS
        if child.hasHeightForWidth():
            return QSize(width, child.heightForWidth(max(width, self.width())))
        return QSize(width, child.sizeHint().height())

    def minimumSizeHint(self) -> QSize:
        child = self.child
        if not self.steady:
            return child.minimumSizeHint()
        width = child.fontMetrics().averageCharWidth() * STEADY_MIN_CHARS
        return QSize(width, child.minimumSizeHint().height())

    def hasHeightForWidth(self) -> bool:
        return self.height_for_width and self.child.hasHeightForWidth()

    def set_height_for_width(self, on: bool) -> None:
        """Whether the layout around asks the fence a height for its width (see __init__)."""
        if on != self.height_for_width:
            self.height_for_width = on
            self.updateGeometry()

    def heightForWidth(self, width: int) -> int:
        return self.child.heightForWidth(width)

    # ---- events ---------------------------------------------------------------------------------
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            # The child asked (its text, font or constraints changed): pass it on only if the
            # layout around would see a difference.
            if self._view() != self._seen:
                self._adopt()
                self.passed_on += 1
                self.updateGeometry()
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.child:
            kind = event.type()
            if kind == QEvent.Type.ShowToParent and self.isHidden():
                self.show()
            elif kind == QEvent.Type.HideToParent and not self.isHidden():
                self.hide()
        return False

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.child.setGeometry(self.rect())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Requests made while hidden were not posted: look again.
        if self._view() != self._seen:
            self._adopt()
            self.updateGeometry()
        self.child.setGeometry(self.rect())

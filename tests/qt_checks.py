"""Qt helpers several GUI test files share (``from qt_checks import …``; kept apart from
``checks`` so that engine tests never import Qt)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QLabel

_Item = TypeVar("_Item")


class EventCounter(QObject):
    """Counts the events of one type that reach the widgets it filters, by widget id."""

    def __init__(self, kind: QEvent.Type) -> None:
        super().__init__()
        self.kind = kind
        self.counts: dict[int, int] = {}

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == self.kind:
            self.counts[id(obj)] = self.counts.get(id(obj), 0) + 1
        return False


def events_after_each(
    kind: QEvent.Type,
    widgets: Mapping[str, QObject],
    items: Iterable[_Item],
    apply: Callable[[_Item], object],
) -> list[dict[str, int]]:
    """For each of ``items``: ``apply(item)`` (False from it fails the test), then how many
    events of ``kind`` each of ``widgets`` (name -> widget) received from the event loop's
    work after it."""
    counter = EventCounter(kind)
    for widget in widgets.values():
        widget.installEventFilter(counter)
    seen = []
    try:
        for item in items:
            counter.counts.clear()
            assert apply(item) is not False, item
            for _ in range(3):
                QApplication.processEvents()
            seen.append({name: counter.counts.get(id(w), 0) for name, w in widgets.items()})
    finally:
        for widget in widgets.values():
            widget.removeEventFilter(counter)
    return seen


#: A cell painted through the delegate: (row, column, rectangle (x, y, w, h), focused).
PaintedCell = tuple[int, int, tuple[int, int, int, int], bool]


@contextmanager
def cells_painted(view: Any) -> Iterator[list[PaintedCell]]:
    """The cells ``view``'s delegate paints while the block runs, in order: those drawn anew,
    not copied from the table's rendering (see tests/visualizer/test_table_rendering.py)."""
    painted: list[PaintedCell] = []
    original = view.delegate.paint_cell

    def counted(painter, rect, r, c, focused) -> None:
        painted.append((r, c, (rect.x(), rect.y(), rect.width(), rect.height()), focused))
        original(painter, rect, r, c, focused)

    view.delegate.paint_cell = counted
    try:
        yield painted
    finally:
        del view.delegate.paint_cell


def height_needed(label: QLabel) -> int:
    """The height ``label``'s (word-wrapped) text needs at the label's width, measured on a
    fresh label styled as it is (QLabel's own height for a width is at least its least
    height)."""
    probe = QLabel()
    probe.setWordWrap(True)
    probe.setTextFormat(label.textFormat())
    probe.setFont(label.font())
    probe.setStyleSheet(label.styleSheet())
    probe.setText(label.text())
    return probe.heightForWidth(label.width())

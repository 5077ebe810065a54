"""Qt helpers several GUI test files share (``from qt_checks import …``; kept apart from
``checks`` so that engine tests never import Qt)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication

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

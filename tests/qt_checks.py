"""Qt helpers several GUI test files share (``from qt_checks import …``; kept apart from
``checks`` so that engine tests never import Qt)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject


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

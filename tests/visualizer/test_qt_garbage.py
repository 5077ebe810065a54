"""The test suite's own guard (tests/conftest.py): Python's automatic garbage collection is off
while a test that uses Qt runs, so that no collection starts inside a paint event and deletes
the widget being painted (a segmentation fault); the garbage is collected explicitly after."""

from __future__ import annotations

import gc
import weakref

from PySide6.QtWidgets import QApplication, QLabel


class _Cycle:
    def __init__(self, label: QLabel) -> None:
        self.label = label
        self.me = self


def test_no_automatic_collection_while_a_qt_test_runs(qtbot):
    assert not gc.isenabled()


def test_automatic_collection_in_a_test_without_qt():
    assert gc.isenabled()


def test_a_shown_widget_left_in_a_cycle_lives_until_the_test_ends(qtbot):
    """pytest-qt keeps weak references only: a shown widget held by a cycle is garbage, but it
    is not collected while Qt paints it, however much the paint allocates."""
    label = QLabel("x" * 40)
    qtbot.addWidget(label)
    label.show()
    qtbot.waitExposed(label)
    ref = weakref.ref(_Cycle(label))
    del label
    for _ in range(3):
        [[] for _ in range(50_000)]  # enough allocations to start a collection
        QApplication.processEvents()
    assert ref() is not None

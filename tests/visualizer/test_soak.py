"""A short soak through the real window (issue 8): ~1,000 steps, typed edits (some refused),
parameter changes, undos and redos; what the app holds stays bounded — the window's QObjects,
the undo history's memory and entries, and the Python memory traced over the run."""

from __future__ import annotations

import gc
import tracemalloc

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QApplication

from visualizer import limits

CYCLES = 1000
WARM_UP = 100
TRACED = 200
# Python memory still held at the end that was allocated during the traced cycles: the undo
# history of ~40 small edits (a few kB each) and caches; a leak of one view item or array per
# step would exceed it many times over.
MAX_GROWTH = 2 * 2**20
TEXTS = ("7", "-2.5", "1e400", "nan", "1,000", "0.125", "inf", "abc", "1e-400", "3")


def settle() -> None:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QApplication.processEvents()
    gc.collect()


def test_steps_edits_and_undo_stay_bounded(window):
    st = window.state
    view = window.views_panel.input_view
    model = view.model

    def cycle(i: int) -> None:
        kind = i % 10
        if kind < 5:
            st.set_step((st.step + 1) % st.n_steps)
        elif kind < 7:
            r, c = (i // 10) % 8, (i // 7) % 8
            model.setData(model.index(r + model.offset[0], c + model.offset[1]), TEXTS[i % 10])
        elif kind == 7:
            st.undo_stack.undo()
        elif kind == 8:
            st.undo_stack.redo()
        else:
            st.set_params(stride=1 + (i // 10) % 2, padding=(i // 20) % 2)
        if i % 25 == 0:
            QApplication.processEvents()

    for i in range(WARM_UP):
        cycle(i)
    settle()
    objects = len(window.findChildren(QObject))
    for i in range(WARM_UP, CYCLES - TRACED):
        cycle(i)
    settle()
    # Python allocations traced over the last cycles only (tracing slows Python down ~3×).
    tracemalloc.start()
    try:
        for i in range(CYCLES - TRACED, CYCLES):
            cycle(i)
        settle()
        growth, _peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(window.findChildren(QObject)) <= objects + 5
    assert st.undo_stack.count() <= limits.UNDO_MAX_ENTRIES
    assert st.undo_bytes() <= limits.UNDO_MAX_BYTES
    print(f"soak: {growth / 2**20:.2f} MB traced growth, {st.undo_stack.count()} undo entries")
    assert growth < MAX_GROWTH, f"{growth / 2**20:.1f} MB still held after the soak"
    assert st.error is None or "not a number" not in str(st.error)  # refusals stay in views

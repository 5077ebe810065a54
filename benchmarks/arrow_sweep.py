"""Issue 10's sweep of the step arrows (run: ``QT_QPA_PLATFORM=offscreen .venv/bin/python
benchmarks/arrow_sweep.py . 1366x768 lecture``; SWEEP_ROOT: the checkout to import).

Sweep every op x phase x step in the lecture layout at 1366x768 (stepping one by one, as a
presenter does) and count arrows whose line or head crosses a number's ink (of a cell that is
not one of the arrow's own) or a column/row header label, as the views are laid out NOW."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("SWEEP_ROOT", Path(__file__).resolve().parents[1]))
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "visualizer")]

from PySide6.QtCore import QRectF  # noqa: E402
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPolygonF  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

app = QApplication.instance() or QApplication([])

from test_arrow_routes import _on_sheet, assert_clear_routes, number_inks, trimmed  # noqa: E402

from visualizer.main_window import MainWindow  # noqa: E402
from visualizer.widgets.matrix_view import MatrixView  # noqa: E402
from visualizer.widgets.step_arrows import ARROW_EDGE, ARROW_WIDTH, DOT_RADIUS, StepArrows  # noqa: E402


def settle():
    for _ in range(3):
        app.processEvents()
        time.sleep(0.005)
        app.processEvents()


def header_rects(view, sheet):
    """Each shown row / column number's text box (its advance wide, its ink high, centred in
    its section), on the sheet."""
    from PySide6.QtGui import QFontMetricsF

    out = []
    if view.stack.currentIndex() != 0:
        return out
    for header in (view.table.horizontalHeader(), view.table.verticalHeader()):
        if header.isHidden():
            continue
        fm = QFontMetricsF(header.font())
        shown = QRectF(header.viewport().rect())
        for k in range(header.count()):
            text = str(view.model.headerData(k, header.orientation()))
            pos = header.sectionViewportPosition(k)
            size = header.sectionSize(k)
            if header is view.table.horizontalHeader():
                sec = QRectF(pos, 0, size, header.height())
            else:
                sec = QRectF(0, pos, header.width(), size)
            if sec.intersected(shown).isEmpty():
                continue
            ink = fm.tightBoundingRect(text)
            adv = max(fm.horizontalAdvance(text), ink.width())
            box = QRectF(
                sec.center().x() - adv / 2, sec.center().y() - ink.height() / 2, adv, ink.height()
            )
            out.append(
                (f"header {view.objectName()} {text}", _on_sheet(sheet, header.viewport(), box))
            )
    return out


def crossings(win, headers=False):
    sheet = win.findChild(StepArrows, "stepArrows")
    views = win.views_panel._tensor_views()
    shown = [v for v in win.views_panel.findChildren(MatrixView) if v.isVisible()]
    bad = []
    for (sv, s, tv, t), drawn in zip(sheet._pending, sheet._shapes, strict=False):
        path, head_polygon, _dot = drawn.shape
        if path.elementCount() <= 1:
            continue
        hb = head_polygon.boundingRect()
        line = trimmed(path, DOT_RADIUS, max(hb.width(), hb.height()))
        centre = QPainterPath(line[0])
        for p in line[1:]:
            centre.lineTo(p)
        st = QPainterPathStroker()
        st.setWidth(ARROW_WIDTH + 4 * ARROW_EDGE)
        outline = st.createStroke(centre)
        head = QPainterPath()
        head.addPolygon(QPolygonF(head_polygon))
        ends = {sv: set(s), tv: set(t)}
        from visualizer.widgets.step_arrows import _outline

        painted = _outline(drawn.shape)
        hit = []
        for view in shown:
            owner = next((n for n, v in views.items() if v is view or v.magnifier is view), None)
            skip = ends.get(owner, set())
            for name, rect in number_inks(view, sheet, skip):
                if outline.intersects(rect) or head.intersects(rect):
                    hit.append(name)
            if headers:
                for name, rect in header_rects(view, sheet):
                    if painted.intersects(rect):
                        hit.append(name)
        if hit:
            bad.append((sv, tv, hit[:3]))
    return bad


OPS = [
    ("max_pool2d", {}),
    ("avg_pool2d", {}),
    ("conv2d", {}),
    ("conv2d", {"kernel_size": (3, 3)}),
    ("conv_transpose2d", {}),
    ("max_unpool2d", {}),
    ("adaptive_avg_pool2d", {}),
    ("adaptive_max_pool2d", {}),
    ("lp_pool2d", {}),
]

if __name__ == "__main__":
    size = tuple(int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "1366x768").split("x"))
    presenting = (sys.argv[3] if len(sys.argv) > 3 else "lecture") == "lecture"
    win = MainWindow()
    win.resize(*size)
    win.show()
    settle()
    if presenting:
        win.presentation.set_presentation(True, save=False)
    settle()
    total = stale = fixed = steps = 0
    routes_bad = []
    header_bad = []
    t0 = time.time()
    for op, params in OPS:
        st = win.state
        st.set_op(op)
        if params:
            st.set_params(**params)
        settle()
        for phase in ("forward", "backward"):
            off = st.n_windows if phase == "backward" else 0
            for k in range(st.n_windows):
                st.set_step(off + k)
                settle()
                steps += 1
                bad = crossings(win)
                hb = crossings(win, headers=True)
                hb = [b for b in hb if any(n.startswith("header") for n in b[2])]
                if hb:
                    header_bad.append((op, str(params), phase, k, hb))
                try:
                    assert_clear_routes(win)
                except AssertionError as e:
                    win.views_panel.arrows.relocate()
                    try:
                        assert_clear_routes(win)
                        fixed_by = "STALE"
                    except AssertionError:
                        fixed_by = "KEPT"
                    routes_bad.append((fixed_by, op, str(params), phase, k, str(e)[:150]))
                    settle()
                if bad:
                    total += 1
                    win.views_panel.arrows.relocate()
                    again = crossings(win)
                    if again:
                        print(
                            f"CROSS {op}{params} {phase} step {k}: {bad} (after relocate: {again})"
                        )
                    else:
                        stale += 1
                        print(f"STALE {op}{params} {phase} step {k}: {bad}")
                    settle()
        if params:
            st.set_params(kernel_size=(2, 2))
    for r in header_bad:
        print("HEADER", r)
    print(len(header_bad), "steps with an arrow over a header number")
    for r in routes_bad:
        print("ROUTE", r)
    print(
        len(routes_bad),
        "route-check failures;",
        sum(r[0] == "STALE" for r in routes_bad),
        "fixed by a relocate",
    )
    print(
        f"steps {steps}  arrows crossing numbers at {total} steps, of which stale"
        f" (fixed by a relocate) {stale}  [{time.time() - t0:.1f}s]"
    )

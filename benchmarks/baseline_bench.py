"""The GUI's targets read against the code of the day they were set, timed in the same run.

Run it from the top of a git checkout (it needs the history)::

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/baseline_bench.py
    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/baseline_bench.py --rounds 5 --only step

The issues that followed 2026-11-23 kept or set the GUI's targets in milliseconds of that
day's machine: a step at 16×16 within 8 ms ("kept": it took 4.2 ms), a parameter change at
64×64 within 30 ms (9.1 ms), at 1024×1024 within 50 ms (51.9 ms then: to be made faster),
first paint within 1.5 s (499 ms).  ``gui_bench`` reads its cases against a bare pyqtgraph
``setImage``, a memory-bound reference that slows down unlike the app's own work on a loaded
or another host (0.51 ms that day, 1.5–4.2 ms on later hosts).  Here the reference is the app
as it was that day, commit :data:`BASELINE_COMMIT` (the last before those issues' work),
unpacked from git into a scratch folder: the baseline and today's tree run the same case in
fresh processes under the same Qt and NumPy, one pair after the other, round after round.  A
case of today reads as the baseline's figure of that day × (today / baseline): what it would
take on the machine where the baseline's figures were measured, which is what a target in
that day's milliseconds asks of it.

Flushes: the baseline's figures were taken with ``processEvents()`` and a synchronous
``window.repaint()`` after each edit ("old"); ``gui_bench`` now flushes with the event loop's
own paint of the dirty regions (``processEvents()`` twice, "new").  Each process times both,
alternately; the targets are read on the old flush, the only one the baseline's figures have.
Wall medians and mean CPU time per edit; ratios are medians over rounds of a pair's ratio.
Today's lecture layout and newer operations (which the baseline lacks) are read against the
baseline's default layout and max pooling: their targets are the same.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE_COMMIT = "a2b08bf"  # 2026-11-23 11:00 UTC, the last commit before issue 7's work

NEWER_OPS = (
    "conv_transpose2d",
    "max_unpool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "lp_pool2d",
)


@dataclass(frozen=True)
class Kind:
    """A kind of edit: the baseline's figure of 2026-11-23 (old flush, README of
    :data:`BASELINE_COMMIT`) and the target in that day's milliseconds."""

    name: str
    baseline_ms: float
    target_ms: float


KINDS = {
    "step": Kind("one step, 16×16", 4.2, 8.0),
    "change64": Kind("parameter change, 64×64", 9.1, 30.0),
    "change1024": Kind("parameter change, 1024×1024 (kernel 2 ↔ 3)", 51.9, 50.0),
    "paint": Kind("first paint (fresh process)", 499.0, 1500.0),
}

# Run in a fresh process with the tree to time as its working directory.  argv: kind, count,
# lecture (0/1), op ("" for max pooling).  Only what both trees have is used (MainWindow, its
# state, gui_bench's int_matrix / WINDOW / reference keeping); prints one JSON line.
CHILD = r"""
import time
t0 = time.perf_counter()
c0 = time.process_time()
import json, os, sys
sys.path.insert(0, os.getcwd()); sys.path.insert(0, os.path.join(os.getcwd(), "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
kind, count, lecture, op = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", sys.argv[4]
from PySide6.QtWidgets import QApplication
from visualizer.main_window import MainWindow
if kind == "paint":
    app = QApplication(["baseline-bench"])
    w = MainWindow()
    w.resize(1366, 768)
    w.show()
    app.processEvents()
    w.grab()
    wall = (time.perf_counter() - t0) * 1e3
    cpu = (time.process_time() - c0) * 1e3
    print(json.dumps({"old": {"wall": wall, "cpu": cpu}, "new": {"wall": wall, "cpu": cpu}}))
    raise SystemExit
import gui_bench as gb
import pyqtgraph as pg
pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
app = QApplication.instance() or QApplication(["baseline-bench"])
if gb.binding_drops_references():
    gb.keep_spare_references()
w = MainWindow()
w.resize(*gb.WINDOW)
w.show()
app.processEvents()
st = w.state
if lecture:
    w.presentation.set_presentation(True, save=False)
n = {"step": 16, "change64": 64, "change1024": 1024}[kind]
st.set_input(gb.int_matrix(n))
st.set_params(kernel_size=2, stride=2, padding=0)
changes = [{"stride": 1}, {"stride": 2}]
if kind == "change1024":
    changes = [{"kernel_size": 3}, {"kernel_size": 2}]
if op:
    changes = gb.NEW_OPS[op]
    if not st.set_op(op) or not st.set_params(**changes[1]):
        raise SystemExit(f"{op}: {st.error}")
st.set_step(0)
for _ in range(3):
    app.processEvents()
if hasattr(w, "views_panel") and hasattr(w.views_panel, "sync_cell_sizes"):
    w.views_panel.sync_cell_sizes()  # as gui_bench.settle: views fitted to their slots
app.processEvents()
w.repaint()

def edit(i):
    if kind == "step":
        st.set_step((i + 1) % st.n_steps)
    elif not st.set_params(**changes[i % 2]):
        raise SystemExit(f"refused: {st.error}")

def once(i, flush):
    edit(i)
    app.processEvents()
    if flush == "old":
        w.repaint()
    else:
        app.processEvents()

warm = st.n_steps + 2 if kind == "step" else 2
for i in range(warm):
    once(i, "old" if i % 2 else "new")
walls, cpus = {"old": [], "new": []}, {"old": [], "new": []}
for i in range(2 * count):
    # Pairs of edits alternate the flush so that each flush sees both edits of a change.
    flush = "old" if (i // 2) % 2 else "new"
    t, c = time.perf_counter(), time.process_time()
    once(i, flush)
    walls[flush].append((time.perf_counter() - t) * 1e3)
    cpus[flush].append((time.process_time() - c) * 1e3)
print(json.dumps({
    f: {"wall": sorted(walls[f])[len(walls[f]) // 2], "cpu": sorted(cpus[f])[len(cpus[f]) // 2]}
    for f in walls
}))
"""


def unpack(commit: str, into: Path) -> Path:
    """The tree of ``commit`` written under ``into`` (``git archive``: no worktree made)."""
    archive = into / "baseline.tar"
    with archive.open("wb") as out:
        subprocess.run(["git", "-C", str(ROOT), "archive", commit], stdout=out, check=True)
    tree = into / "baseline"
    tree.mkdir()
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    return tree


def run(tree: Path, kind: str, count: int, lecture: bool, op: str, home: Path) -> dict:
    """One fresh process timing ``kind`` in ``tree``: its figures by flush."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        # Settings of its own, at their defaults (the baseline has no gui_bench.own_settings).
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    args = [kind, str(count), "1" if lecture else "0", op]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{tree.name} {' '.join(args)}: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def cases(only: set[str], ops: bool = True) -> list[tuple[str, str, bool, str]]:
    """(kind, label, lecture, op) of today's cases (``ops``: the newer operations' too)."""
    listed = [("step", "max pooling", False, ""), ("step", "max pooling, lecture layout", True, "")]
    listed += [("step", op, False, op) for op in NEWER_OPS]
    listed += [("change64", "max pooling", False, "")]
    listed += [("change64", op, False, op) for op in NEWER_OPS]
    listed += [("change1024", "max pooling", False, ""), ("paint", "default example", False, "")]
    return [c for c in listed if (not only or c[0] in only) and (ops or not c[3])]


Pairs = dict[tuple[str, str], list[tuple[dict, dict]]]


def table(pairs: Pairs, commit: str, rounds: int) -> str:
    """The report: for each case and flush, both trees' figures, today / baseline, that ratio
    read at the baseline's figure of 2026-11-23, and whether the target holds there (on the
    old flush: the baseline's figures are old-flush ones; a new-flush ratio is for comparison).
    ``pairs``: by (kind, label), each round's (baseline, today) figures as :func:`run` gives."""
    lines = [
        f"Baseline {commit}, {rounds} rounds; figures: wall median / CPU median (ms),"
        " medians over rounds; read at: the baseline's figure of 2026-11-23 × today/baseline.",
        "",
        "| case | today | flush | baseline | today | today / baseline (wall, CPU) "
        "| read at that day's figure (wall, CPU) | target | met (wall, CPU) |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    med = statistics.median
    for (kind, label), got in pairs.items():
        k = KINDS[kind]
        for flush in ("old", "new") if kind != "paint" else ("old",):

            def fig(side: int, what: str, flush: str = flush, got: list = got) -> float:
                return med(p[side][flush][what] for p in got)

            def ratio(what: str, flush: str = flush, got: list = got) -> float:
                return med(p[1][flush][what] / p[0][flush][what] for p in got)

            rw, rc = ratio("wall"), ratio("cpu")
            at_w, at_c = rw * k.baseline_ms, rc * k.baseline_ms
            # The baseline's figures are old-flush ones: a new-flush ratio is for comparison.
            verdict = (
                " / ".join("yes" if at <= k.target_ms else "**no**" for at in (at_w, at_c))
                if flush == "old"
                else "—"
            )
            lines.append(
                f"| {k.name} | {label} | {flush} | {fig(0, 'wall'):.1f} / {fig(0, 'cpu'):.1f} "
                f"| {fig(1, 'wall'):.1f} / {fig(1, 'cpu'):.1f} | {rw:.2f}×, {rc:.2f}× "
                f"| {at_w:.1f}, {at_c:.1f} | {k.target_ms:g} | {verdict} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--commit", default=BASELINE_COMMIT)
    parser.add_argument("--only", nargs="*", choices=sorted(KINDS), default=[])
    parser.add_argument("--no-ops", action="store_true", help="max pooling's cases only")
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = parser.parse_args(argv)
    counts = {"step": 60, "change64": 10, "change1024": 4, "paint": 1}
    todo = cases(set(args.only), not args.no_ops)
    pairs: Pairs = {c[:2]: [] for c in todo}
    with tempfile.TemporaryDirectory(prefix="baseline-bench-") as scratch:
        base = Path(scratch)
        try:
            baseline = unpack(args.commit, base)
        except (subprocess.CalledProcessError, FileNotFoundError) as error:
            print(f"cannot unpack {args.commit} (a shallow clone, or no git?): {error}")
            return 2
        home = base / "home"
        home.mkdir()
        for r in range(args.rounds):
            for kind, label, lecture, op in todo:
                count = counts[kind]
                # The baseline's run right before today's: the pair shares the host's load.
                then = run(baseline, kind, count, False, "", home)
                now = run(ROOT, kind, count, lecture, op, home)
                pairs[(kind, label)].append((then, now))
                print(
                    f"round {r + 1}, {KINDS[kind].name}, {label}: CPU {then['old']['cpu']:.1f}"
                    f" → {now['old']['cpu']:.1f} ms (old flush)",
                    file=sys.stderr,
                    flush=True,
                )
    report = table(pairs, args.commit, args.rounds)
    print(report)
    if args.markdown:
        args.markdown.write_text(report + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

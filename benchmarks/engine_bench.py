"""Engine benchmark: the NumPy engine against PyTorch CPU and against the plain-loop reference.

Run it from the top of the checkout::

    make bench                                   # this script, then the GUI benchmark
    .venv/bin/python benchmarks/engine_bench.py  # this script alone
    .venv/bin/python benchmarks/engine_bench.py --quick                 # small sizes, smoke run
    .venv/bin/python benchmarks/engine_bench.py --markdown bench.md     # also write the report

Every case times the same work on both sides, in float32:

* max: forward with indices, then the backward pass producing ``grad_input``;
* avg: forward, then the backward pass producing ``grad_input``;
* conv: forward (with bias), then ``grad_input``, ``grad_weight`` and ``grad_bias``.

Timings are the best of N runs after a warm-up run (``time.perf_counter``), taken in two
alternating rounds of engine and PyTorch blocks.  PyTorch runs with its default thread count
(printed); when ``import torch`` fails, the report says so and leaves its columns out.
"peak mem / input" is the peak of the memory NumPy allocates during one engine forward +
backward (measured with ``tracemalloc``, outputs included), divided by the input's ``nbytes``.
A second table times the engine against ``engine/reference.py`` on a small size.
The figures are wall times on a shared machine: compare them, never assert them.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import math
import os
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from benchmarks/: make `engine` importable

import engine  # noqa: E402
from engine import reference  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional: the torch column is skipped
    torch = None

Op = Literal["max", "avg", "conv"]
Shape = tuple[int, int, int, int]
Work = Callable[[], Any]
SETTLE_SECONDS = 0.2  # pause before each timed block, for the other library's threads to sleep


@dataclass(frozen=True)
class Case:
    """One benchmark case: an operation, its input shape and window parameters."""

    op: Op
    shape: Shape
    kernel: int
    stride: int
    padding: int = 0
    c_out: int = 0  # conv only: number of output channels (the weight is c_out x C x k x k)
    repeats: int = 5

    @property
    def label(self) -> str:
        dims = "x".join(str(d) for d in self.shape)
        text = f"{self.op} {dims} k{self.kernel} s{self.stride}"
        if self.padding:
            text += f" p{self.padding}"
        if self.op == "conv":
            text += f" -> {self.c_out}ch +bias"
        return text

    def resized(self, shape: Shape, c_out: int | None = None, repeats: int | None = None) -> Case:
        """The same operation and window on another input shape."""
        return Case(
            op=self.op,
            shape=shape,
            kernel=self.kernel,
            stride=self.stride,
            padding=self.padding,
            c_out=self.c_out if c_out is None else c_out,
            repeats=self.repeats if repeats is None else repeats,
        )


@dataclass(frozen=True)
class Inputs:
    """Arrays shared by the engine, PyTorch and the reference for one case."""

    x: np.ndarray
    grad_output: np.ndarray
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None


@dataclass
class Row:
    """Measured figures of one case."""

    case: Case
    engine_ms: float
    torch_ms: float | None
    peak_ratio: float
    agreement: str

    @property
    def ratio(self) -> float | None:
        return None if self.torch_ms is None else self.engine_ms / self.torch_ms


@dataclass
class RefRow:
    """Engine against the reference loops on one small case."""

    case: Case
    reference_ms: float
    engine_ms: float

    @property
    def speedup(self) -> float:
        return self.reference_ms / self.engine_ms


# ---- cases ------------------------------------------------------------------------------------
def full_cases() -> list[Case]:
    """The cases the engine is tuned for (a)-(d)."""
    cases: list[Case] = []
    for op in ("max", "avg"):
        cases.append(Case(op, (1, 1, 2048, 2048), kernel=2, stride=2, repeats=5))
        cases.append(Case(op, (1, 1, 1024, 1024), kernel=3, stride=1, repeats=5))
        cases.append(Case(op, (8, 64, 112, 112), kernel=3, stride=2, padding=1, repeats=3))
    cases.append(Case("conv", (8, 16, 64, 64), kernel=3, stride=1, padding=1, c_out=32, repeats=5))
    return cases


def quick_cases() -> list[Case]:
    """Small versions of :func:`full_cases` for a smoke run."""
    cases: list[Case] = []
    for op in ("max", "avg"):
        cases.append(Case(op, (1, 1, 256, 256), kernel=2, stride=2, repeats=2))
        cases.append(Case(op, (1, 1, 128, 128), kernel=3, stride=1, repeats=2))
        cases.append(Case(op, (2, 8, 28, 28), kernel=3, stride=2, padding=1, repeats=2))
    cases.append(Case("conv", (2, 4, 16, 16), kernel=3, stride=1, padding=1, c_out=8, repeats=2))
    return cases


def reference_cases(cases: list[Case], quick: bool) -> list[Case]:
    """One small case per distinct operation/window, sized for the plain loops."""
    plane = (1, 1, 16, 16) if quick else (1, 1, 64, 64)
    conv_shape, conv_out = ((1, 2, 8, 8), 4) if quick else ((1, 4, 32, 32), 8)
    small: list[Case] = []
    seen: set[tuple[Op, int, int, int]] = set()
    for case in cases:
        key = (case.op, case.kernel, case.stride, case.padding)
        if key in seen:
            continue
        seen.add(key)
        if case.op == "conv":
            small.append(case.resized(conv_shape, c_out=conv_out, repeats=2))
        else:
            small.append(case.resized(plane, repeats=2))
    return small


def make_inputs(case: Case, seed: int = 0) -> Inputs:
    """Random float32 input, grad_output (and weight, bias) for ``case``."""
    rng = np.random.default_rng(seed)
    n, c, h, w = case.shape
    k, s, p = case.kernel, case.stride, case.padding
    oh = (h + 2 * p - k) // s + 1
    ow = (w + 2 * p - k) // s + 1
    x = rng.standard_normal(case.shape, dtype=np.float32)
    if case.op == "conv":
        weight = rng.standard_normal((case.c_out, c, k, k), dtype=np.float32)
        bias = rng.standard_normal(case.c_out, dtype=np.float32)
        grad = rng.standard_normal((n, case.c_out, oh, ow), dtype=np.float32)
        return Inputs(x, grad, weight, bias)
    grad = rng.standard_normal((n, c, oh, ow), dtype=np.float32)
    return Inputs(x, grad)


# ---- the work, per implementation ---------------------------------------------------------------
def backward_takes_indices(impl: Any = engine) -> bool:
    """Whether ``impl.max_pool2d_backward`` accepts the forward's ``indices`` (saves a re-scan)."""
    return "indices" in inspect.signature(impl.max_pool2d_backward).parameters


def engine_work(case: Case, inp: Inputs, impl: Any = engine) -> Work:
    """Forward + backward with the engine (``impl=reference`` for the plain loops)."""
    k, s, p = case.kernel, case.stride, case.padding
    x, gy = inp.x, inp.grad_output
    if case.op == "max":
        loops = impl is reference  # the reference always returns (y, indices)

        reuse = not loops and backward_takes_indices(impl)

        def run_max() -> Any:
            if loops:
                return impl.max_pool2d(x, k, s, p), impl.max_pool2d_backward(gy, x, k, s, p)
            y, idx = impl.max_pool2d(x, k, s, p, 1, False, True)
            if reuse:  # hand the forward's indices back, as PyTorch's backward gets them
                return (y, idx), impl.max_pool2d_backward(gy, x, k, s, p, indices=idx)
            return (y, idx), impl.max_pool2d_backward(gy, x, k, s, p)

        return run_max
    if case.op == "avg":

        def run_avg() -> Any:
            return impl.avg_pool2d(x, k, s, p), impl.avg_pool2d_backward(gy, x, k, s, p)

        return run_avg
    w, b = inp.weight, inp.bias

    def run_conv() -> Any:
        y = impl.conv2d(x, w, b, stride=s, padding=p)
        return y, impl.conv2d_backward(gy, x, w, b, stride=s, padding=p)

    return run_conv


def torch_work(case: Case, inp: Inputs) -> Work:
    """The same forward + backward with PyTorch's CPU kernels (the ops autograd would call)."""
    assert torch is not None
    aten = torch.ops.aten
    k, s, p = [case.kernel] * 2, [case.stride] * 2, [case.padding] * 2
    one, zero = [1, 1], [0, 0]
    x, gy = torch.from_numpy(inp.x), torch.from_numpy(inp.grad_output)
    if case.op == "max":

        def run_max() -> Any:
            y, idx = aten.max_pool2d_with_indices(x, k, s, p, one, False)
            return (y, idx), aten.max_pool2d_with_indices_backward(gy, x, k, s, p, one, False, idx)

        return run_max
    if case.op == "avg":

        def run_avg() -> Any:
            y = aten.avg_pool2d(x, k, s, p, False, True, None)
            return y, aten.avg_pool2d_backward(gy, x, k, s, p, False, True, None)

        return run_avg
    assert inp.weight is not None and inp.bias is not None
    w, b = torch.from_numpy(inp.weight), torch.from_numpy(inp.bias)
    mask = [True, True, True]

    def run_conv() -> Any:
        y = aten.convolution(x, w, b, s, p, one, False, zero, 1)
        grads = aten.convolution_backward(gy, x, w, [case.c_out], s, p, one, False, zero, 1, mask)
        return y, grads

    return run_conv


# ---- measuring --------------------------------------------------------------------------------
def best_ms(works: list[Work], repeats: int, warmup: bool = True, rounds: int = 2) -> list[float]:
    """Best wall time of each work, in milliseconds.

    The works take turns in blocks: ``rounds`` times, each work gets a short pause, a warm-up
    call and ``repeats`` timed calls.  Turns spread a burst of load from elsewhere over all
    columns; blocks (rather than alternating single calls) keep one library's idle worker
    threads, which spin for a while after a parallel call (OpenBLAS, OpenMP), from being timed
    against the other library on a 2-core machine.
    """
    best = [math.inf] * len(works)
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        for _ in range(max(1, rounds)):
            for k, work in enumerate(works):
                if len(works) > 1:
                    time.sleep(SETTLE_SECONDS)
                if warmup:
                    work()
                for _ in range(max(1, repeats)):
                    start = time.perf_counter()
                    work()
                    best[k] = min(best[k], time.perf_counter() - start)
    finally:
        if gc_was_on:
            gc.enable()
    return [b * 1e3 for b in best]


def peak_bytes(work: Work) -> int:
    """Peak bytes traced by ``tracemalloc`` above the starting level while ``work`` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        result = work()
        _, peak = tracemalloc.get_traced_memory()
        del result
    finally:
        tracemalloc.stop()
    return max(0, peak - base)


def _flatten(result: Any) -> list[np.ndarray]:
    if isinstance(result, (tuple, list)):
        return [a for item in result for a in _flatten(item)]
    if result is None:
        return []
    if torch is not None and isinstance(result, torch.Tensor):
        return [result.detach().numpy()]
    return [np.asarray(result)]


def agreement(engine_result: Any, torch_result: Any) -> str:
    """'bit-identical' or the largest relative difference over every output and gradient."""
    ours, theirs = _flatten(engine_result), _flatten(torch_result)
    if len(ours) != len(theirs) or any(
        a.shape != b.shape for a, b in zip(ours, theirs, strict=True)
    ):
        return "MISMATCH (shapes)"
    if all(np.array_equal(a, b, equal_nan=True) for a, b in zip(ours, theirs, strict=True)):
        return "bit-identical"
    worst = 0.0
    for a, b in zip(ours, theirs, strict=True):
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        scale = max(float(np.max(np.abs(b64))), 1e-30)
        worst = max(worst, float(np.max(np.abs(a64 - b64))) / scale)
    return f"max rel. diff {worst:.1e}"


def measure(case: Case) -> Row:
    """Time the engine and PyTorch on ``case`` and trace the engine's peak memory."""
    inp = make_inputs(case)
    ours = engine_work(case, inp)
    if torch is None:
        (engine_ms,) = best_ms([ours], case.repeats)
        torch_ms, agree = None, "torch not installed"
    else:
        theirs = torch_work(case, inp)
        engine_ms, torch_ms = best_ms([ours, theirs], case.repeats)
        agree = agreement(ours(), theirs())
    peak = peak_bytes(ours) / inp.x.nbytes
    return Row(case, engine_ms, torch_ms, peak, agree)


def measure_reference(case: Case) -> RefRow:
    """Time the reference loops (no warm-up: pure Python) and the engine on the small case."""
    inp = make_inputs(case)
    (ref_ms,) = best_ms([engine_work(case, inp, reference)], case.repeats, False, rounds=1)
    (eng_ms,) = best_ms([engine_work(case, inp)], max(5, case.repeats), rounds=1)
    return RefRow(case, ref_ms, eng_ms)


# ---- report -----------------------------------------------------------------------------------
def geomean(values: list[float]) -> float | None:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else None


def _fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "—" if value is None else f"{value:.{digits}f}{suffix}"


def environment() -> str:
    """One line naming the machine, NumPy, PyTorch and the thread counts."""
    parts = [
        f"Python {platform.python_version()}",
        f"NumPy {np.__version__}",
        f"{os.cpu_count()} CPUs",
    ]
    if torch is None:
        parts.append("PyTorch not installed (torch column skipped)")
    else:
        parts.append(f"PyTorch {torch.__version__} with {torch.get_num_threads()} threads")
    return ", ".join(parts)


def main_table(rows: list[Row]) -> list[str]:
    """The per-case table; without PyTorch its two columns are left out."""
    with_torch = torch is not None
    if with_torch:
        lines = [
            "| case | engine ms | torch ms | ratio engine/torch | peak mem / input |",
            "|---|---:|---:|---:|---:|",
        ]
    else:
        lines = ["| case | engine ms | peak mem / input |", "|---|---:|---:|"]
    for r in rows:
        torch_cells = f" {_fmt(r.torch_ms)} | {_fmt(r.ratio, suffix='×')} |" if with_torch else ""
        lines.append(f"| {r.case.label} | {r.engine_ms:.2f} |{torch_cells} {r.peak_ratio:.1f}× |")
    return lines


def reference_table(rows: list[RefRow]) -> list[str]:
    lines = [
        "| case (small) | reference ms | engine ms | speed-up |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.case.label} | {r.reference_ms:.1f} | {r.engine_ms:.3f} | {r.speedup:.0f}× |"
        )
    return lines


def report(rows: list[Row], ref_rows: list[RefRow], seconds: float) -> str:
    ratios = [r.ratio for r in rows if r.ratio is not None]
    gm = geomean(ratios)
    ref_gm = geomean([r.speedup for r in ref_rows])
    lines = [
        "## Engine benchmark",
        "",
        environment() + ". float32; forward + backward; best of 2 rounds × N runs, each round "
        "after a warm-up.",
        "",
        "Max-pool backward "
        + (
            "reuses the forward's indices (like PyTorch's)."
            if backward_takes_indices()
            else "takes no indices, so it re-runs the forward scan (PyTorch's reuses them)."
        ),
        "",
        *main_table(rows),
        "",
    ]
    if gm is None:
        lines.append("Geometric mean engine/torch: — (PyTorch not installed)")
    else:
        verdict = "meets" if gm <= 1.0 else "misses"
        lines.append(f"Geometric mean engine/torch: **{gm:.2f}×** ({verdict} the target ≤ 1.0)")
    if torch is not None:
        lines += ["", "Agreement with PyTorch (every output, index and gradient):", ""]
        lines += [f"- {r.case.label}: {r.agreement}" for r in rows]
    lines += ["", *reference_table(ref_rows), ""]
    lines.append(f"Geometric mean speed-up over the reference loops: **{_fmt(ref_gm, 0, '×')}**")
    lines += ["", f"Total benchmark time: {seconds:.1f} s."]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--markdown", metavar="FILE", type=Path, help="also write the report to FILE"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    cases = quick_cases() if args.quick else full_cases()
    print(environment(), flush=True)
    rows: list[Row] = []
    for case in cases:
        print(f"  timing {case.label} ...", flush=True)
        rows.append(measure(case))
    ref_rows: list[RefRow] = []
    for case in reference_cases(cases, args.quick):
        print(f"  timing reference {case.label} ...", flush=True)
        ref_rows.append(measure_reference(case))
    text = report(rows, ref_rows, time.perf_counter() - start)
    print()
    print(text, end="")
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
        print(f"\nWrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

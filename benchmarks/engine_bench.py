"""Engine benchmark: the NumPy engine against PyTorch CPU and against the plain-loop reference.

Run it from the top of the checkout::

    make bench                                   # this script, then the GUI benchmark
    .venv/bin/python benchmarks/engine_bench.py  # this script alone
    .venv/bin/python benchmarks/engine_bench.py --quick                 # small sizes, smoke run
    .venv/bin/python benchmarks/engine_bench.py --markdown bench.md     # also write the report
    .venv/bin/python benchmarks/engine_bench.py --only max --dtype float64   # a subset

Every case times the same work on both sides, in float32 and in float64:

* max: forward with indices, then the backward pass producing ``grad_input`` from them;
* avg: forward, then the backward pass producing ``grad_input``;
* conv: forward (with bias), then ``grad_input``, ``grad_weight`` and ``grad_bias``;
* conv_transpose2d: the same as conv, transposed;
* max_unpool2d: forward from pooled values and their indices, then the gather backward;
* adaptive_avg_pool2d, adaptive_max_pool2d (with indices), lp_pool2d: forward + backward (the
  max backward gets the forward's indices, the LP backward the forward's pooled ``x**p``,
  ``return_pooled=True``, as PyTorch's autograd keeps what it saved);
* stack: the LeNet-style stack (conv 5×5 → ReLU → max 2×2 → conv 5×5 → ReLU → max 2×2, 1 → 6
  → 16 channels, with biases) through ``engine.stack_forward_backward`` against the same
  ``nn.Sequential`` with autograd: every output, dL/dx and every weight and bias gradient.

PyTorch runs the ATen kernels autograd would call; for ``max_unpool2d``, ``lp_pool2d`` (a
composite Python function) and the stack it runs ``torch.autograd.grad``.

Timings come from ``--rounds`` alternating rounds (default 10): in each round the engine and
PyTorch each get a short pause, a warm-up call and ``repeats`` timed *samples*.  A sample
repeats the call enough times to last at least :data:`MIN_SAMPLE_SECONDS` (20 ms; the count
is set once per case from a timed call after two warm-up calls) and gives the mean time per
call: a single 0.5 ms call is at the mercy of one scheduler tick or one page fault on this
shared machine, twenty of them in a row are not.  A round keeps the best of its samples; the
reported milliseconds are the **median of the rounds**, and the reported ratio is the
**median of the per-round ratios** engine/PyTorch (each ratio compares two timings taken
seconds apart, so a burst of load from elsewhere changes both).  The ratio of the minima over
all rounds is printed next to it as a noise gauge: when the two disagree much, the machine
was too busy for the figures to mean much.  (Until 2026-11-30 the headline was the ratio of
minima of single calls: small cases such as adaptive pooling's ~1 ms forward + backward
swung by 2–4× between runs.)  Alternating spreads a burst of load over both columns; blocks
(rather than alternating single calls) keep one library's idle worker threads, which spin for
a while after a parallel call (OpenBLAS, OpenMP), from being timed against the other on a
2-core machine.  PyTorch, the BLAS under NumPy and the engine's pooling blocks
(``engine.pooling.THREADS``) run with their default thread counts (printed); ``--threads N``
sets them all (``torch.set_num_threads``, ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``/
``MKL_NUM_THREADS`` before NumPy is imported, and ``engine.pooling.THREADS``): on a 2-core
machine busy with other work, threads that wait for each other make both libraries slower,
and one thread each compares their work alone.  When ``import torch`` fails, the report says
so and leaves its columns out.  The report also prints the load average before and after: on
a shared machine the figures move by tens of per cent, so compare ratios, never assert them.
``--cpu`` times with ``time.process_time`` (the CPU time of every thread of this process)
instead of the wall clock: with ``--threads 1`` on a machine whose cores are busy with other
work, it measures each library's work rather than its waiting for a core (wall-clock figures
taken at a load average of 5 on the 2 cores were 3–5× the quiet ones, and noisier).  With
several threads it also counts their spinning and waiting, so use it with ``--threads 1``.

"peak mem / input" is the peak of the memory NumPy allocates during one engine forward +
backward (measured with ``tracemalloc``, outputs included), divided by the input's ``nbytes``.
A second table times the engine against ``engine/reference.py`` on a small size.
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
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal


def _threads_from_argv(argv: list[str]) -> int | None:
    """``--threads N`` (or ``--threads=N``), read before NumPy is imported."""
    for k, arg in enumerate(argv):
        value = arg.split("=", 1)[1] if arg.startswith("--threads=") else None
        if arg == "--threads" and k + 1 < len(argv):
            value = argv[k + 1]
        if value is not None and value.isdigit() and int(value) > 0:
            return int(value)
    return None


THREADS = _threads_from_argv(sys.argv[1:]) if __name__ == "__main__" else None
if THREADS is not None:  # the BLAS reads these when it is loaded, with NumPy
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[variable] = str(THREADS)

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script from benchmarks/: make `engine` importable

import engine  # noqa: E402
from benchmarks.measure import load_averages, peak_bytes  # noqa: E402
from engine import reference  # noqa: E402

try:
    import torch
except ImportError:  # torch is optional: the torch column is skipped
    torch = None
if torch is not None and THREADS is not None:
    torch.set_num_threads(THREADS)
if THREADS is not None and hasattr(engine.pooling, "THREADS"):
    engine.pooling.THREADS = THREADS  # the engine's own block threads (max/avg pooling)

Op = Literal[
    "max",
    "avg",
    "conv",
    "conv_transpose2d",
    "max_unpool2d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "lp_pool2d",
    "stack",
]
#: Which target a case counts towards: the issue's pooling/conv cases ("core", geometric mean
#: ≤ 1.0 and no pooling case above 1.2), further pooling shapes ("extra"), the newer
#: operations ("new", each ≤ 1.5).
Group = Literal["core", "extra", "new"]
Dtype = Literal["float32", "float64"]
DTYPES: tuple[Dtype, ...] = ("float32", "float64")
Shape = tuple[int, int, int, int]
Work = Callable[[], Any]
SETTLE_SECONDS = 0.2  # pause before each timed block, for the other library's threads to sleep
TARGET_GEOMEAN, TARGET_POOLING, TARGET_NEW = 1.0, 1.2, 1.5
MIN_SAMPLE_SECONDS = 0.02  # a timed sample repeats the call until it lasts this long
MAX_CALLS_PER_SAMPLE = 1000
#: The clock of every timing: wall time, or with ``--cpu`` this process's CPU time.
CLOCK: Callable[[], float] = time.perf_counter
MAX_SAMPLE_FACTOR = 10  # a sample slowed down by load stops after 10 × MIN_SAMPLE_SECONDS


@dataclass(frozen=True)
class Case:
    """One benchmark case: an operation, its input shape, window parameters and dtype."""

    op: Op
    shape: Shape
    kernel: int = 1
    stride: int = 1
    padding: int = 0
    c_out: int = 0  # conv, conv_transpose2d: output channels
    output_size: int = 0  # adaptive pooling
    norm_type: float = 2.0  # lp_pool2d
    repeats: int = 5
    group: Group = "core"
    dtype: Dtype = "float32"

    @property
    def label(self) -> str:
        dims = "x".join(str(d) for d in self.shape)
        if self.op.startswith("adaptive"):
            return f"{self.op} {dims} -> {self.output_size}x{self.output_size}"
        if self.op == "stack":
            return f"stack {dims} LeNet-style (conv5 relu max2) x2"
        text = f"{self.op} {dims} k{self.kernel} s{self.stride}"
        if self.padding:
            text += f" p{self.padding}"
        if self.op == "lp_pool2d":
            text += f" p={self.norm_type:g}"
        if self.op in ("conv", "conv_transpose2d"):
            text += f" -> {self.c_out}ch +bias"
        return text

    @property
    def is_pooling(self) -> bool:
        return self.op in ("max", "avg")


def _core_and_extra() -> list[Case]:
    return [
        Case("max", (1, 1, 2048, 2048), kernel=2, stride=2),
        Case("max", (1, 1, 1024, 1024), kernel=3, stride=1),
        Case("max", (8, 64, 112, 112), kernel=3, stride=2, padding=1, repeats=3),
        Case("avg", (1, 1, 2048, 2048), kernel=2, stride=2),
        Case("avg", (8, 64, 56, 56), kernel=3, stride=1, padding=1, repeats=3),
        Case("conv", (8, 16, 64, 64), kernel=3, stride=1, padding=1, c_out=32),
        Case("avg", (1, 1, 1024, 1024), kernel=3, stride=1, group="extra"),
        Case("avg", (8, 64, 112, 112), kernel=3, stride=2, padding=1, repeats=3, group="extra"),
    ]


def _new_ops() -> list[Case]:
    return [
        Case("conv_transpose2d", (8, 32, 32, 32), kernel=4, stride=2, padding=1, c_out=16),
        # the pooled half of a 8x64x112x112 max pooling k2 s2, unpooled back to 112x112
        Case("max_unpool2d", (8, 64, 56, 56), kernel=2, stride=2),
        Case("adaptive_avg_pool2d", (8, 64, 56, 56), output_size=7),
        Case("adaptive_max_pool2d", (8, 64, 56, 56), output_size=7),
        # uneven bins: 56 = 9·6 + 2, bins of 7 and 8 elements that overlap
        Case("adaptive_avg_pool2d", (8, 64, 56, 56), output_size=9),
        Case("adaptive_max_pool2d", (8, 64, 56, 56), output_size=9),
        Case("lp_pool2d", (8, 64, 56, 56), kernel=3, stride=2, norm_type=2.0),
        # issue 12: a whole stack within 1.5x of nn.Sequential
        Case("stack", (1, 1, 256, 256), kernel=5, repeats=3),
    ]


def full_cases(dtypes: tuple[Dtype, ...] = DTYPES) -> list[Case]:
    """The cases the engine is tuned for, in each dtype."""
    base = [replace(c, group="new") for c in _new_ops()]
    return [replace(c, dtype=d) for c in _core_and_extra() + base for d in dtypes]


def quick_cases(dtypes: tuple[Dtype, ...] = DTYPES) -> list[Case]:
    """Small versions of :func:`full_cases` for a smoke run."""
    small: list[Case] = []
    for case in full_cases(dtypes):
        n, c, h, w = case.shape
        shape = (min(n, 2), min(c, 4), max(8, h // 8), max(8, w // 8))
        c_out = min(case.c_out, 8)
        small.append(replace(case, shape=shape, c_out=c_out, repeats=2))
    return small


def reference_cases(cases: list[Case], quick: bool) -> list[Case]:
    """One small float32 case per distinct max/avg/conv window, sized for the plain loops."""
    plane = (1, 1, 16, 16) if quick else (1, 1, 64, 64)
    conv_shape, conv_out = ((1, 2, 8, 8), 4) if quick else ((1, 4, 32, 32), 8)
    small: list[Case] = []
    seen: set[tuple[Op, int, int, int]] = set()
    for case in cases:
        key = (case.op, case.kernel, case.stride, case.padding)
        if case.op not in ("max", "avg", "conv") or key in seen:
            continue
        seen.add(key)
        if case.op == "conv":
            small.append(
                replace(case, shape=conv_shape, c_out=conv_out, repeats=2, dtype="float32")
            )
        else:
            small.append(replace(case, shape=plane, repeats=2, dtype="float32"))
    return small


# ---- inputs -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Inputs:
    """Arrays shared by the engine, PyTorch and the reference for one case."""

    x: np.ndarray
    grad_output: np.ndarray
    weight: np.ndarray | None = None
    bias: np.ndarray | None = None
    indices: np.ndarray | None = None  # max_unpool2d
    out_hw: tuple[int, int] | None = None  # max_unpool2d: the unpooled plane
    layers: tuple[dict[str, Any], ...] = ()  # stack


#: The LeNet-style stack's channels: input, first convolution, second convolution.
STACK_CHANNELS = (1, 6, 16)


def stack_layers(
    w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray
) -> tuple[dict[str, Any], ...]:
    """conv → ReLU → max 2×2 → conv → ReLU → max 2×2, as engine.stack layers."""
    pool = {"op": "max_pool2d", "kernel_size": 2, "stride": 2}
    return (
        {"op": "conv2d", "weight": w1, "bias": b1},
        {"op": "relu"},
        pool,
        {"op": "conv2d", "weight": w2, "bias": b2},
        {"op": "relu"},
        pool,
    )


def _engine_forward(case: Case, inp: Inputs) -> np.ndarray:
    """The engine's forward output, only for its shape."""
    k, s, p = case.kernel, case.stride, case.padding
    x = inp.x
    op = case.op
    if op == "max":
        return engine.max_pool2d(x, k, s, p)
    if op == "avg":
        return engine.avg_pool2d(x, k, s, p)
    if op == "conv":
        return engine.conv2d(x, inp.weight, inp.bias, stride=s, padding=p)
    if op == "conv_transpose2d":
        return engine.conv_transpose2d(x, inp.weight, inp.bias, stride=s, padding=p)
    if op == "max_unpool2d":
        return engine.max_unpool2d(x, inp.indices, k, s, p)
    if op == "adaptive_avg_pool2d":
        return engine.adaptive_avg_pool2d(x, case.output_size)
    if op == "adaptive_max_pool2d":
        return engine.adaptive_max_pool2d(x, case.output_size)
    if op == "stack":
        return engine.stack_forward(x, list(inp.layers))[-1]
    return engine.lp_pool2d(x, case.norm_type, k, s)


def make_inputs(case: Case, seed: int = 0) -> Inputs:
    """Random input, grad_output (and weight, bias, indices) for ``case``, in its dtype."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(case.dtype)
    n, c, h, w = case.shape
    k = case.kernel

    def normal(shape: tuple[int, ...]) -> np.ndarray:
        return rng.standard_normal(shape, dtype=dt)

    x = normal(case.shape)
    inp = Inputs(x, np.empty(0, dtype=dt))
    if case.op == "conv":
        inp = Inputs(x, inp.grad_output, normal((case.c_out, c, k, k)), normal((case.c_out,)))
    elif case.op == "conv_transpose2d":
        inp = Inputs(x, inp.grad_output, normal((c, case.c_out, k, k)), normal((case.c_out,)))
    elif case.op == "max_unpool2d":
        s = case.stride
        big = normal((n, c, h * s, w * s))
        pooled, idx = engine.max_pool2d(big, k, s, 0, 1, False, True)
        inp = Inputs(pooled, inp.grad_output, indices=idx, out_hw=big.shape[2:])
    elif case.op == "stack":
        c0, c1, c2 = STACK_CHANNELS
        x = normal((n, c0, h, w))
        weights = (normal((c1, c0, k, k)), normal((c1,)), normal((c2, c1, k, k)), normal((c2,)))
        inp = Inputs(x, inp.grad_output, layers=stack_layers(*weights))
    y = _engine_forward(case, inp)
    return replace(inp, grad_output=normal(y.shape))


# ---- the work, per implementation ---------------------------------------------------------------
def backward_takes_indices(impl: Any = engine) -> bool:
    """Whether ``impl.max_pool2d_backward`` accepts the forward's ``indices`` (saves a re-scan)."""
    return "indices" in inspect.signature(impl.max_pool2d_backward).parameters


def engine_work(case: Case, inp: Inputs, impl: Any = engine) -> Work:
    """Forward + backward with the engine (``impl=reference`` for the plain loops)."""
    k, s, p = case.kernel, case.stride, case.padding
    x, gy = inp.x, inp.grad_output
    op = case.op
    if op == "max":
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
    if op == "avg":

        def run_avg() -> Any:
            return impl.avg_pool2d(x, k, s, p), impl.avg_pool2d_backward(gy, x, k, s, p)

        return run_avg
    if op in ("conv", "conv_transpose2d"):
        w, b = inp.weight, inp.bias
        fwd = impl.conv2d if op == "conv" else impl.conv_transpose2d
        bwd = impl.conv2d_backward if op == "conv" else impl.conv_transpose2d_backward

        def run_conv() -> Any:
            return fwd(x, w, b, stride=s, padding=p), bwd(gy, x, w, b, stride=s, padding=p)

        return run_conv
    if op == "max_unpool2d":
        idx = inp.indices

        def run_unpool() -> Any:
            y = impl.max_unpool2d(x, idx, k, s, p)
            return y, impl.max_unpool2d_backward(gy, x, idx, k, s, p)

        return run_unpool
    if op == "stack":
        layers = list(inp.layers)

        def run_stack() -> Any:
            outputs, grads = engine.stack_forward_backward(x, layers, gy)
            params = [grads[k][name] for k in (0, 3) for name in ("weight", "bias")]
            return outputs[-1], grads[0]["input"], *params

        return run_stack
    size = case.output_size
    if op == "adaptive_avg_pool2d":

        def run_adaptive_avg() -> Any:
            y = impl.adaptive_avg_pool2d(x, size)
            return y, impl.adaptive_avg_pool2d_backward(gy, x, size)

        return run_adaptive_avg
    if op == "adaptive_max_pool2d":

        def run_adaptive_max() -> Any:
            y, idx = impl.adaptive_max_pool2d(x, size, return_indices=True)
            return (y, idx), impl.adaptive_max_pool2d_backward(gy, x, size, indices=idx)

        return run_adaptive_max
    norm = case.norm_type

    pooled_too = "pooled" in inspect.signature(impl.lp_pool2d_backward).parameters

    def run_lp() -> Any:
        if not pooled_too:  # the reference loops pool x**p again
            y = impl.lp_pool2d(x, norm, k, s)
            return y, impl.lp_pool2d_backward(gy, x, norm, k, s)
        # the forward's pooled x**p handed to the backward, as PyTorch's autograd saves it
        y, pooled = impl.lp_pool2d(x, norm, k, s, return_pooled=True)
        return y, impl.lp_pool2d_backward(gy, x, norm, k, s, pooled=pooled)

    return run_lp


def torch_work(case: Case, inp: Inputs) -> Work:
    """The same forward + backward with PyTorch's CPU kernels (the ops autograd would call)."""
    assert torch is not None
    aten = torch.ops.aten
    k, s, p = [case.kernel] * 2, [case.stride] * 2, [case.padding] * 2
    one, zero = [1, 1], [0, 0]
    x, gy = torch.from_numpy(inp.x), torch.from_numpy(inp.grad_output)
    op = case.op
    if op == "max":

        def run_max() -> Any:
            y, idx = aten.max_pool2d_with_indices(x, k, s, p, one, False)
            return (y, idx), aten.max_pool2d_with_indices_backward(gy, x, k, s, p, one, False, idx)

        return run_max
    if op == "avg":

        def run_avg() -> Any:
            y = aten.avg_pool2d(x, k, s, p, False, True, None)
            return y, aten.avg_pool2d_backward(gy, x, k, s, p, False, True, None)

        return run_avg
    if op in ("conv", "conv_transpose2d"):
        assert inp.weight is not None and inp.bias is not None
        w, b = torch.from_numpy(inp.weight), torch.from_numpy(inp.bias)
        mask = [True, True, True]
        transposed = op == "conv_transpose2d"

        def run_conv() -> Any:
            y = aten.convolution(x, w, b, s, p, one, transposed, zero, 1)
            grads = aten.convolution_backward(
                gy, x, w, [case.c_out], s, p, one, transposed, zero, 1, mask
            )
            return y, grads

        return run_conv
    if op == "adaptive_avg_pool2d":
        size = [case.output_size] * 2

        def run_adaptive_avg() -> Any:
            y = aten._adaptive_avg_pool2d(x, size)
            return y, aten._adaptive_avg_pool2d_backward(gy, x)

        return run_adaptive_avg
    if op == "adaptive_max_pool2d":
        size = [case.output_size] * 2

        def run_adaptive_max() -> Any:
            y, idx = aten.adaptive_max_pool2d(x, size)
            return (y, idx), aten.adaptive_max_pool2d_backward(gy, x, idx)

        return run_adaptive_max
    functional = torch.nn.functional
    leaf = x.clone().requires_grad_(True)
    if op == "stack":
        model = _torch_stack(inp.layers, x.dtype)
        weights = [p for m in model if hasattr(m, "weight") for p in (m.weight, m.bias)]

        def run_stack() -> Any:
            y = model(leaf)
            grads = torch.autograd.grad(y, [leaf, *weights], gy)
            return y.detach(), *grads

        return run_stack
    if op == "max_unpool2d":
        assert inp.indices is not None and inp.out_hw is not None
        idx_t = torch.from_numpy(inp.indices)
        out_hw = list(inp.out_hw)

        def run_unpool() -> Any:
            y = functional.max_unpool2d(leaf, idx_t, case.kernel, case.stride, case.padding, out_hw)
            (gx,) = torch.autograd.grad(y, leaf, gy)
            return y.detach(), gx

        return run_unpool

    def run_lp() -> Any:
        y = functional.lp_pool2d(leaf, case.norm_type, case.kernel, case.stride)
        (gx,) = torch.autograd.grad(y, leaf, gy)
        return y.detach(), gx

    return run_lp


def _torch_stack(layers: tuple[dict[str, Any], ...], dtype: Any) -> Any:
    """The LeNet-style ``nn.Sequential`` with the engine stack's weights and biases."""
    assert torch is not None
    nn = torch.nn
    first, second = layers[0], layers[3]
    convs = []
    for layer in (first, second):
        c_out, c_in, kh, kw = layer["weight"].shape
        conv = nn.Conv2d(c_in, c_out, (kh, kw)).to(dtype)
        with torch.no_grad():
            conv.weight.copy_(torch.from_numpy(layer["weight"]))
            conv.bias.copy_(torch.from_numpy(layer["bias"]))
        convs.append(conv)
    pool = nn.MaxPool2d(2, 2)
    return nn.Sequential(convs[0], nn.ReLU(), pool, convs[1], nn.ReLU(), pool)


# ---- measuring --------------------------------------------------------------------------------
def best_ms(works: list[Work], repeats: int, warmup: bool = True, rounds: int = 2) -> list[float]:
    """Best wall time of each work, in milliseconds (see :func:`round_ms`)."""
    return [min(times) for times in round_ms(works, repeats, warmup, rounds)]


def median(values: list[float] | tuple[float, ...]) -> float:
    """The median (the mean of the middle two for an even count)."""
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def calls_per_sample(work: Work, min_seconds: float = MIN_SAMPLE_SECONDS) -> int:
    """How many back-to-back calls of ``work`` last at least ``min_seconds``.

    Two warm-up calls (first-call costs: page faults, thread pools starting), then the fastest
    of up to five timed calls (a call slowed by load from elsewhere would give too few calls,
    single-call samples again); capped at :data:`MAX_CALLS_PER_SAMPLE`.
    """
    work()
    work()
    one = math.inf
    spent = 0.0
    for _ in range(5):
        start = CLOCK()
        work()
        elapsed = CLOCK() - start
        one, spent = min(one, elapsed), spent + elapsed
        if spent > 4 * min_seconds:
            break
    return max(1, min(MAX_CALLS_PER_SAMPLE, math.ceil(min_seconds / max(one, 1e-7))))


def round_ms(
    works: list[Work],
    repeats: int,
    warmup: bool = True,
    rounds: int = 2,
    min_sample: float = MIN_SAMPLE_SECONDS,
) -> list[list[float]]:
    """Best time per call of each work in each round, in milliseconds: ``[work][round]``.

    The works take turns in blocks: ``rounds`` times, each work gets a short pause, a warm-up
    call and ``repeats`` timed samples.  A sample is ``calls`` back-to-back calls, enough to
    last ``min_sample`` seconds (:func:`calls_per_sample`, set once per work before the first
    round; one call when ``warmup`` is False, for the slow reference loops), and gives their
    mean; a sample slowed down by load from elsewhere stops after :data:`MAX_SAMPLE_FACTOR`
    times ``min_sample`` (the mean of the calls made so far).  Turns spread a burst of load
    from elsewhere over all columns; blocks (rather than alternating single calls) keep one
    library's idle worker threads, which spin for a while after a parallel call (OpenBLAS,
    OpenMP), from being timed against the other library on a 2-core machine.  Times are read
    from :data:`CLOCK`.
    """
    best = [[math.inf] * max(1, rounds) for _ in works]
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        calls = [calls_per_sample(w, min_sample) if warmup else 1 for w in works]
        for r in range(max(1, rounds)):
            for k, work in enumerate(works):
                if len(works) > 1:
                    time.sleep(SETTLE_SECONDS)
                if warmup:
                    work()
                for _ in range(max(1, repeats)):
                    start = CLOCK()
                    done, elapsed = 0, 0.0
                    while done < calls[k] and elapsed < MAX_SAMPLE_FACTOR * min_sample:
                        work()
                        done += 1
                        elapsed = CLOCK() - start
                    best[k][r] = min(best[k][r], elapsed / done)
    finally:
        if gc_was_on:
            gc.enable()
    return [[b * 1e3 for b in times] for times in best]


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


@dataclass
class Row:
    """Measured figures of one case: medians over the rounds (see the module docstring)."""

    case: Case
    engine_ms: float  # median over the rounds of each round's best time per call
    torch_ms: float | None
    peak_ratio: float
    agreement: str
    round_ratios: tuple[float, ...] = ()
    min_ratio: float | None = None  # the ratio of the minima over all rounds: a noise gauge

    @property
    def ratio(self) -> float | None:
        """The median of the per-round ratios engine/PyTorch: the figure the targets read."""
        if self.torch_ms is None:
            return None
        return median(self.round_ratios) if self.round_ratios else self.engine_ms / self.torch_ms


@dataclass
class RefRow:
    """Engine against the reference loops on one small case."""

    case: Case
    reference_ms: float
    engine_ms: float

    @property
    def speedup(self) -> float:
        return self.reference_ms / self.engine_ms


def measure(case: Case, rounds: int) -> Row:
    """Time the engine and PyTorch on ``case`` and trace the engine's peak memory."""
    inp = make_inputs(case)
    ours = engine_work(case, inp)
    peak = peak_bytes(ours) / inp.x.nbytes
    if torch is None:
        (ours_rounds,) = round_ms([ours], case.repeats, rounds=rounds)
        return Row(case, median(ours_rounds), None, peak, "torch not installed")
    theirs = torch_work(case, inp)
    ours_rounds, theirs_rounds = round_ms([ours, theirs], case.repeats, rounds=rounds)
    per_round = tuple(a / b for a, b in zip(ours_rounds, theirs_rounds, strict=True))
    agree = agreement(ours(), theirs())
    return Row(
        case,
        median(ours_rounds),
        median(theirs_rounds),
        peak,
        agree,
        per_round,
        min(ours_rounds) / min(theirs_rounds),
    )


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


def load_average() -> str:
    loads = load_averages()
    if loads is None:
        return "load average unknown"
    return "load average {:.1f} / {:.1f} / {:.1f} (1 / 5 / 15 min)".format(*loads)


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
    blas = os.environ.get("OPENBLAS_NUM_THREADS")
    parts.append(f"BLAS threads {blas}" if blas else "BLAS with its default threads")
    pooling_threads = getattr(engine.pooling, "THREADS", None)
    if pooling_threads is not None:
        parts.append(f"engine pooling threads {pooling_threads}")
    return ", ".join(parts)


def _target(row: Row) -> float | None:
    if row.case.group == "new":
        return TARGET_NEW
    return TARGET_POOLING if row.case.is_pooling else None


def main_table(rows: list[Row]) -> list[str]:
    """The per-case table; without PyTorch its two columns are left out."""
    with_torch = torch is not None
    if with_torch:
        lines = [
            "| case | dtype | engine ms | torch ms | engine/torch | ratio of minima "
            "| peak mem / input |",
            "|---|---|---:|---:|---:|---:|---:|",
        ]
    else:
        lines = ["| case | dtype | engine ms | peak mem / input |", "|---|---|---:|---:|"]
    for r in rows:
        torch_cells = ""
        if with_torch:
            target = _target(r)
            flag = " ✗" if target is not None and r.ratio is not None and r.ratio > target else ""
            torch_cells = (
                f" {_fmt(r.torch_ms)} | {_fmt(r.ratio, suffix='×')}{flag} |"
                f" {_fmt(r.min_ratio, suffix='×')} |"
            )
        lines.append(
            f"| {r.case.label} | {r.case.dtype} | {r.engine_ms:.2f} |{torch_cells}"
            f" {r.peak_ratio:.1f}× |"
        )
    return lines


def reference_table(rows: list[RefRow]) -> list[str]:
    lines = [
        "| case (small, float32) | reference ms | engine ms | speed-up |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.case.label} | {r.reference_ms:.1f} | {r.engine_ms:.3f} | {r.speedup:.0f}× |"
        )
    return lines


def summary(rows: list[Row]) -> list[str]:
    """Geometric means per dtype and the targets each dtype meets or misses."""
    lines: list[str] = []
    for dtype in DTYPES:
        mine = [r for r in rows if r.case.dtype == dtype and r.ratio is not None]
        if not mine:
            continue
        core = geomean([r.ratio for r in mine if r.case.group == "core" and r.ratio])
        every = geomean([r.ratio for r in mine if r.ratio])
        pooling = [r.ratio for r in mine if r.case.is_pooling and r.ratio]
        new = [r.ratio for r in mine if r.case.group == "new" and r.ratio]
        parts = [f"**{dtype}**: geometric mean engine/torch **{_fmt(core, suffix='×')}**"]
        if core is not None:
            parts[0] += " ✓" if core <= TARGET_GEOMEAN else " ✗"
        parts.append(f"over every case {_fmt(every, suffix='×')}")
        if pooling:
            worst = max(pooling)
            mark = "✓" if worst <= TARGET_POOLING else "✗"
            parts.append(f"worst pooling case {worst:.2f}× {mark}")
        if new:
            worst = max(new)
            mark = "✓" if worst <= TARGET_NEW else "✗"
            parts.append(f"worst new operation {worst:.2f}× {mark}")
        lines.append("- " + "; ".join(parts))
    return lines


def report(
    rows: list[Row], ref_rows: list[RefRow], seconds: float, loads: tuple[str, str], rounds: int
) -> str:
    lines = [
        "## Engine benchmark",
        "",
        environment() + f". Forward + backward; milliseconds per call and engine/torch are the "
        f"medians of {rounds} alternating rounds (each round: a warm-up, then the best of N "
        f"samples of ≥ {MIN_SAMPLE_SECONDS * 1e3:.0f} ms of back-to-back calls), timed in "
        + ("CPU time of this process (--cpu)." if CLOCK is time.process_time else "wall time."),
        "",
        f"Before: {loads[0]}; after: {loads[1]}.",
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
    if torch is None:
        lines.append("Geometric mean engine/torch: — (PyTorch not installed)")
    else:
        lines += [
            f"Targets: geometric mean of the core cases (max, avg, conv) ≤ {TARGET_GEOMEAN:.1f}× "
            f"per dtype, no max/avg case above {TARGET_POOLING:.1f}×, each newer operation "
            f"≤ {TARGET_NEW:.1f}×.",
            "",
            *summary(rows),
            "",
            "Agreement with PyTorch (every output, index and gradient):",
            "",
        ]
        lines += [f"- {r.case.label}, {r.case.dtype}: {r.agreement}" for r in rows]
    if ref_rows:
        ref_gm = geomean([r.speedup for r in ref_rows])
        lines += ["", *reference_table(ref_rows), ""]
        lines.append(
            f"Geometric mean speed-up over the reference loops: **{_fmt(ref_gm, 0, '×')}**"
        )
    lines += ["", f"Total benchmark time: {seconds:.1f} s."]
    return "\n".join(lines) + "\n"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument(
        "--markdown", metavar="FILE", type=Path, help="also write the report to FILE"
    )
    parser.add_argument(
        "--dtype", choices=DTYPES, action="append", help="only this dtype (repeatable)"
    )
    parser.add_argument(
        "--only", metavar="TEXT", action="append", help="only cases whose label contains TEXT"
    )
    parser.add_argument(
        "--rounds", type=int, default=10, help="alternating engine/torch rounds (default 10)"
    )
    parser.add_argument(
        "--threads",
        type=int,
        metavar="N",
        help="threads for PyTorch and the BLAS (default: each library's own default)",
    )
    parser.add_argument(
        "--cpu",
        action="store_true",
        help="time with this process's CPU time (all its threads) instead of wall time",
    )
    parser.add_argument("--no-reference", action="store_true", help="skip the reference-loop table")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    global CLOCK
    CLOCK = time.process_time if args.cpu else time.perf_counter
    start = time.perf_counter()
    dtypes = tuple(args.dtype) if args.dtype else DTYPES
    cases = quick_cases(dtypes) if args.quick else full_cases(dtypes)
    if args.only:
        cases = [c for c in cases if any(text in c.label for text in args.only)]
    load_before = load_average()
    print(environment(), flush=True)
    print(load_before, flush=True)
    rows: list[Row] = []
    for case in cases:
        print(f"  timing {case.label} {case.dtype} ...", flush=True)
        rows.append(measure(case, args.rounds))
    ref_rows: list[RefRow] = []
    if not args.no_reference:
        for case in reference_cases(cases, args.quick):
            print(f"  timing reference {case.label} ...", flush=True)
            ref_rows.append(measure_reference(case))
    loads = (load_before, load_average())
    text = report(rows, ref_rows, time.perf_counter() - start, loads, args.rounds)
    print()
    print(text, end="")
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
        print(f"\nWrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

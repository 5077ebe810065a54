"""Independent checks of what the app shows: finite differences, and PyTorch itself.

No widgets here; the sentences for the user go through ``visualizer.i18n.tr`` when made.

Both take a document (:class:`~visualizer.model.Document`, alias ``Snapshot``) and work for
any registered operation: the tensors, calls and quirks come from its spec (:mod:`engine.ops`)
and the call convention of :mod:`visualizer.calls`.  ``AppState.check_gradients`` and
``AppState.compare_with_torch`` run them to the end; the Verify dock runs them as jobs
(:class:`GradientJob`, :class:`TorchJob`) so that the window keeps repainting.

**Finite differences.**  Each checked element of a differentiable tensor is moved by ±eps and
the central difference of ``L = sum(forward(...) * dY)`` is compared with the engine's
backward.  Input elements whose windows do not overlap are moved together, in one forward per
sign, and each output's change is given to the one element it reads (the geometry says which
outputs read an element), so a large input costs a few forwards, not two per element.
Elements of other tensors (a weight, a bias) reach every output and are moved one at a time.
Tensors of up to :data:`MAX_CHECKS` elements (32×32) are checked in full, larger ones on a
fixed random sample of that many elements, and where one forward is expensive the sample is cut
to a work budget (:data:`WORK_BUDGET`); the result says so.  Where the derivative does not
exist the element is left out and counted, never silently passed: an operation that takes the
largest tap of a window (:attr:`OpSpec.kinks_at_ties`) has a kink where moving an element by
±eps changes a window's winner (ties), and NaN or ±∞ make differences meaningless.

**PyTorch** runs in a separate process (:mod:`visualizer.torch_worker`) with a time limit:
whatever it does (PyTorch issue #114216 corrupts the heap and aborts the process), the app
only reports it.  Cases known to crash PyTorch are explained without calling the crashing part.
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.ops.spec import QT_TR_NOOP
from visualizer.calls import (
    DOCUMENT_FIELDS,
    backward_kwargs,
    engine_backward,
    engine_forward,
    grad_name,
    prepared,
)
from visualizer.i18n import tr
from visualizer.torch_worker import MISSING_TORCH, REPLY, TORCH_MISSING, torch_available

if TYPE_CHECKING:
    from engine import WindowGeometry
    from engine.ops import OpSpec
    from visualizer.model.document import Document

MAX_CHECKS = 32 * 32  # tensors up to this many elements are checked in full, larger ones sampled
#: Tap reads (outputs × taps per output) all the forwards of one check may cost, about 10 s of
#: engine time; a check makes at least two forwards per differentiable tensor however large.
WORK_BUDGET = 2e9
TORCH_RTOL = 1e-9  # float64 on both sides: only summation order may differ
TORCH_ATOL = 1e-9
#: Seconds PyTorch may take (its import alone takes seconds on a cold disk); then it is stopped.
TORCH_TIMEOUT = 120.0


class CheckCancelledError(Exception):
    """The check was cancelled before it finished (see :class:`GradientJob`)."""


def _copy(a: np.ndarray | None) -> np.ndarray | None:
    """A copy to move elements of: float64, or integers (indices) kept as they are."""
    if a is None:
        return None
    a = np.asarray(a)
    return np.array(a, dtype=a.dtype if a.dtype.kind in "iub" else np.float64)


def _call(snap: Document) -> tuple[dict[str, np.ndarray | None], dict[str, Any], Any]:
    """The call's tensors (copies), keyword arguments and the operation's geometry."""
    spec = snap.spec
    tensors, kwargs = prepared(snap)
    tensors = {name: _copy(a) for name, a in tensors.items()}
    w_shape = snap.weight.shape if spec.has_weight else None
    return tensors, kwargs, spec.geometry(snap.x.shape, w_shape, snap.params)


def _key(tensor: str) -> str:
    """How results name a tensor: the document's field (``x``), else the tensor's name."""
    return DOCUMENT_FIELDS.get(tensor, tensor)


# ---- finite differences -----------------------------------------------------------------------
@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradients`.

    ``max_error`` is max |backward − central difference| over the compared elements (of x, and
    of the weight and bias for an operation with them); ``errors`` gives it per tensor (keys
    ``x``, ``weight``, ``bias``), ``labels`` the symbol of each one's gradient (``dX`` …).
    ``sampled`` is true when some tensor was checked on a random sample of its elements.
    """

    max_error: float
    tolerance: float
    checked: int
    total: int
    skipped: int  # elements where the derivative is not defined (ties, non-finite values)
    eps: float
    errors: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    sampled: bool = False

    @property
    def ill_posed(self) -> bool:
        """True when no element could be compared at all."""
        return self.checked == 0

    @property
    def passed(self) -> bool:
        return not self.ill_posed and self.max_error <= self.tolerance

    def verdict(self) -> str:
        """One sentence in words: pass, fail or cannot tell."""
        if self.ill_posed:
            return tr(
                "Cannot tell: every element sits on a tie or a non-finite value, where the "
                "derivative is not defined."
            )
        if self.sampled:
            where = tr("a random sample of {count} elements").format(count=self.checked)
        elif self.checked == 1:
            where = tr("{count} element").format(count=self.checked)
        else:
            where = tr("{count} elements").format(count=self.checked)
        if self.passed:
            text = tr(
                "Pass: the backward pass agrees with finite differences on {where} "
                "(largest difference {error}, tolerance {tolerance})."
            )
            error = f"{self.max_error:.2e}"
        else:
            text = tr(
                "Fail: the backward pass differs from finite differences by up to "
                "{error} on {where} (tolerance {tolerance})."
            )
            error = f"{self.max_error:.3g}"
        return text.format(where=where, error=error, tolerance=f"{self.tolerance:.0e}")


@dataclass
class _Setup:
    """What one check works on: the call, its tensors (float64 copies) and the engine's answer."""

    spec: OpSpec
    tensors: dict[str, np.ndarray | None]
    kwargs: dict[str, Any]
    dy: np.ndarray
    geometry: WindowGeometry
    y0: np.ndarray
    grads: dict[str, np.ndarray | None]

    def forward(self) -> np.ndarray:
        with np.errstate(invalid="ignore", over="ignore"):
            return engine_forward(self.spec, self.tensors, self.kwargs)

    @property
    def cost(self) -> float:
        """Tap reads of one forward (the outputs times the taps each output reads)."""
        return float(self.y0.size) * self.taps

    @property
    def taps(self) -> int:
        """Taps per output: the window, times the input channels if a weight mixes them."""
        kh, kw = self.geometry.kernel
        x = next(a for a in self.tensors.values() if a is not None)  # the first: the input
        return kh * kw * (x.shape[1] if self.mixes_channels else 1)

    @property
    def mixes_channels(self) -> bool:
        """Whether every output channel reads every input channel (an operation with a weight);
        otherwise channel c of the output reads channel c of the input only."""
        return self.spec.has_weight


class _Progress:
    """Counts forwards for the progress bar and asks whether to stop."""

    def __init__(
        self,
        report: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.done, self.total = 0, 0  # 0: not known yet
        self._report, self._cancelled = report, cancelled

    def plan(self, total: int) -> None:
        self.total = max(total, self.done, 1)
        self.step(0)

    def step(self, forwards: int = 1) -> None:
        if self._cancelled is not None and self._cancelled():
            raise CheckCancelledError
        self.done += forwards
        if self._report is not None:
            self._report(min(self.done, self.total), self.total)


def check_gradients(
    snap: Document,
    eps: float = 1e-6,
    max_checks: int = MAX_CHECKS,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    work_budget: float = WORK_BUDGET,
) -> GradientCheck:
    """Compare the engine's backward with central finite differences on ``snap``'s data.

    Parameters
    ----------
    snap : the document: operation, tensors, parameters, dY
    eps : perturbation added to and subtracted from each element (float64)
    max_checks : at most this many elements per tensor; more are sampled with a fixed seed
    progress : called with (forwards done, forwards planned) as the check goes
    cancelled : asked between forwards; when it returns True, :class:`CheckCancelledError` is raised
    work_budget : tap reads all the forwards may cost; samples are cut to fit it

    Returns
    -------
    GradientCheck
        ``max_error`` is the largest absolute difference; elements where the derivative does
        not exist (ties of a max-like operation within eps, NaN or ±∞ around) are skipped and
        counted.
    """
    if not eps > 0:
        raise ValueError(f"eps ({eps}) must be positive")
    steps = _Progress(progress, cancelled)
    steps.step(0)
    setup = _setup(snap)
    steps.done = 2  # the forward and the backward of the setup
    tally = _Tally(setup, eps)
    plans = _plan(setup, max_checks, max(4.0, work_budget / max(setup.cost, 1.0)), tally)
    steps.plan(steps.done + sum(2 * len(plan.batches) for plan in plans))
    for plan in plans:
        if plan.local:
            _check_input(setup, plan, eps, tally, steps)
        else:
            _check_everywhere(setup, plan, eps, tally, steps)
    return tally.result(snap)


@dataclass(frozen=True)
class _Plan:
    """The elements of one tensor to check, in batches moved together (two forwards each).

    ``local``: the input, whose elements reach only the outputs of their windows (or, for an
    operation that scatters, of their own window), so elements whose outputs do not overlap
    share a batch; other tensors' elements go one per batch.
    """

    name: str
    local: bool
    batches: list[list[Any]]


def _plan(setup: _Setup, max_checks: int, forwards: float, tally: _Tally) -> list[_Plan]:
    """What to check of each differentiable tensor within ``forwards`` forwards (the input
    first, then the others; at least one element of each)."""
    spec = setup.spec
    names = [
        name
        for name, a in setup.tensors.items()
        if a is not None and spec.tensor(name).differentiable
    ]
    plans: list[_Plan] = []
    for k, name in enumerate(names):
        a = setup.tensors[name]
        assert a is not None
        share = max(2.0, forwards - 2 * (len(names) - k - 1))  # one element left to each other
        if name == "input":  # the tensor the geometry's windows are laid on
            batches, count = _plan_input(setup, max_checks, share)
            plan = _Plan(name, True, batches)
        else:
            picks = _sample(a.size, min(max_checks, max(1, int(share // 2))))
            plan, count = _Plan(name, False, [[int(flat)] for flat in picks]), picks.size
        tally.sampling(name, count, a.size)
        forwards -= 2 * len(plan.batches)
        plans.append(plan)
    return plans


def _setup(snap: Document) -> _Setup:
    spec = snap.spec
    tensors, kwargs, geometry = _call(snap)
    dy = np.array(snap.grad_output, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        y0 = engine_forward(spec, tensors, kwargs)
        grads = engine_backward(spec, dy, tensors, kwargs, backward_kwargs(snap))
    return _Setup(spec, tensors, kwargs, dy, geometry, y0, grads)


def _sample(size: int, limit: int) -> np.ndarray:
    if size <= limit:
        return np.arange(size)
    return np.sort(np.random.default_rng(0).choice(size, limit, replace=False))


class _Tally:
    """Collects per-tensor errors, counts and notes into a :class:`GradientCheck`."""

    def __init__(self, setup: _Setup, eps: float) -> None:
        self.setup, self.eps = setup, eps
        self.errors: dict[str, float] = {}
        self.labels: dict[str, str] = {}
        self.notes: list[str] = []
        self.checked = self.total = self.skipped = 0
        self.tied = self.infinite = 0
        self.scale = 0.0
        self.sampled = False

    def sampling(self, name: str, count: int, size: int) -> None:
        if count < size:
            self.sampled = True
            text = tr("{tensor} has {count} elements: checked a fixed random sample of {sample}.")
            self.notes.append(text.format(tensor=_key(name), count=size, sample=count))

    def record(
        self,
        name: str,
        analytic: np.ndarray,
        numeric: np.ndarray,
        tied: np.ndarray,
        infinite: np.ndarray,
    ) -> None:
        infinite = infinite | ~(np.isfinite(numeric) & np.isfinite(analytic))
        tied = tied & ~infinite
        ok = ~(tied | infinite)
        key = _key(name)
        spec = self.setup.spec
        gradient = grad_name(spec, name)
        self.labels[key] = spec.tensor(gradient).symbol if spec.has_tensor(gradient) else key
        self.total += ok.size
        self.checked += int(ok.sum())
        self.skipped += int((~ok).sum())
        self.tied += int(tied.sum())
        self.infinite += int(infinite.sum())
        if ok.any():
            error = float(np.max(np.abs(analytic[ok] - numeric[ok])))
            self.errors[key] = max(error, self.errors.get(key, 0.0))
            self.scale = max(self.scale, float(np.max(np.abs(analytic[ok]))))

    def result(self, snap: Document) -> GradientCheck:
        notes = list(self.notes)
        if self.tied:
            text = tr(
                "{count} element(s) are tied (within eps) with another candidate maximum of a "
                "window: max is not differentiable there, so they were left out."
            )
            notes.append(text.format(count=self.tied))
        if self.infinite:
            text = tr(
                "{count} element(s) are or feed NaN or ±∞, where finite differences are "
                "undefined: left out."
            )
            notes.append(text.format(count=self.infinite))
        return GradientCheck(
            max_error=max(self.errors.values()) if self.errors else 0.0,
            tolerance=_tolerance(self.setup, self.eps, self.scale),
            checked=self.checked,
            total=self.total,
            skipped=self.skipped,
            eps=self.eps,
            errors=self.errors,
            notes=tuple(notes),
            labels=self.labels,
            sampled=self.sampled,
        )


# -- input elements: many at once, each output's change given to the one element it reads --
@dataclass(frozen=True)
class _Pick:
    """One input element and the block of outputs it reaches: ``y[n, channels, rows, cols]``."""

    flat: int
    index: tuple[int, int, int, int]
    channels: np.ndarray
    rows: np.ndarray
    cols: np.ndarray


def _plan_input(setup: _Setup, max_checks: int, forwards: float) -> tuple[list[list[_Pick]], int]:
    """Sampled input elements in batches whose output blocks do not overlap, cut to at most
    ``forwards / 2`` batches (at least one); returns the batches and how many elements."""
    x = setup.tensors["input"]
    assert x is not None
    g = setup.geometry
    coords = (g.tap_coords(0), g.tap_coords(1))
    all_out = np.arange(setup.y0.shape[1])
    flats = _sample(x.size, max_checks)
    # Each element's block of outputs as (n, channel or -1 for all, rows, columns) spans;
    # first fit: the first batch none of whose blocks meets it.
    spans = np.empty((flats.size, 6), dtype=np.int64)
    batch_of = np.empty(flats.size, dtype=np.int64)
    batches: list[list[_Pick]] = []
    for k, flat in enumerate(flats):
        n, c, r, col = (int(i) for i in np.unravel_index(flat, x.shape))
        rows, cols = _reach(setup.spec.scatters, g, coords, r, col)
        channels = all_out if setup.mixes_channels else np.array([c])
        span = (n, -1 if setup.mixes_channels else c, *_extent(rows), *_extent(cols))
        spans[k] = span
        s = spans[:k]
        meets = (
            (s[:, 0] == n)
            & ((s[:, 1] == span[1]) | (s[:, 1] < 0) | (span[1] < 0))
            & (s[:, 2] <= span[3])
            & (span[2] <= s[:, 3])
            & (s[:, 4] <= span[5])
            & (span[4] <= s[:, 5])
        )
        taken = np.zeros(len(batches) + 1, dtype=bool)
        taken[batch_of[:k][meets]] = True
        batch = int(np.argmin(taken))  # the first batch it does not meet (maybe a new one)
        batch_of[k] = batch
        if batch == len(batches):
            batches.append([])
        batches[batch].append(_Pick(int(flat), (n, c, r, col), channels, rows, cols))
    batches = batches[: max(1, int(forwards // 2))]
    return batches, sum(len(b) for b in batches)


def _reach(
    scatters: bool, g: WindowGeometry, coords: tuple[np.ndarray, np.ndarray], r: int, col: int
) -> tuple[np.ndarray, np.ndarray]:
    """Output rows and columns input element ``(r, col)`` reaches: those of the windows that
    read it, or for an operation that scatters, the real taps of its own window."""
    if scatters:
        rows, cols = coords[0][r], coords[1][col]
        rows = rows[(rows >= 0) & (rows < g.in_size[0])]
        cols = cols[(cols >= 0) & (cols < g.in_size[1])]
        return np.unique(rows), np.unique(cols)
    rows = np.nonzero((coords[0] == r).any(axis=1))[0]
    cols = np.nonzero((coords[1] == col).any(axis=1))[0]
    return rows, cols


def _extent(index: np.ndarray) -> tuple[int, int]:
    return (int(index.min()), int(index.max())) if index.size else (0, -1)


def _tensor_and_grad(setup: _Setup, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Tensor ``name`` of the check and the engine's gradient of it."""
    a = setup.tensors[name]
    grad = setup.grads.get(grad_name(setup.spec, name))
    assert a is not None and grad is not None
    return a, grad


def _check_input(setup: _Setup, plan: _Plan, eps: float, tally: _Tally, steps: _Progress) -> None:
    """Elements of the input (``plan.batches`` of :class:`_Pick`), a batch per two forwards."""
    batches: list[list[_Pick]] = plan.batches
    x, gx = _tensor_and_grad(setup, plan.name)
    picks = [p for batch in batches for p in batch]
    numeric, analytic = np.empty(len(picks)), np.empty(len(picks))
    tied = np.zeros(len(picks), dtype=bool)
    infinite = np.zeros(len(picks), dtype=bool)
    k = 0
    for batch in batches:
        plus, minus = _moved(setup, x, [p.index for p in batch], eps, steps)
        change = _change(plus, minus)
        kinks = _kinks(setup, plus, minus) if setup.spec.kinks_at_ties else None
        for pick in batch:
            block = (pick.index[0], *np.ix_(pick.channels, pick.rows, pick.cols))
            numeric[k] = float(np.sum(change[block] * setup.dy[block]) / (2 * eps))
            analytic[k] = gx[pick.index]
            # NaN or ±∞ in the element or in an output it feeds: the derivative is undefined.
            infinite[k] = not np.isfinite(x[pick.index]) or not np.isfinite(setup.y0[block]).all()
            tied[k] = kinks is not None and bool(kinks[block].any())
            k += 1
    tally.record(plan.name, analytic, numeric, tied, infinite)


def _moved(
    setup: _Setup,
    a: np.ndarray,
    indices: list[tuple[int, ...]],
    eps: float,
    steps: _Progress,
) -> tuple[np.ndarray, np.ndarray]:
    """The forward with every element of ``indices`` moved by +eps, then by −eps (restored)."""
    where = tuple(np.array(axis) for axis in zip(*indices, strict=True))
    original = a[where].copy()
    try:
        a[where] = original + eps
        plus = setup.forward()
        steps.step()
        a[where] = original - eps
        minus = setup.forward()
        steps.step()
    finally:
        a[where] = original
    return plus, minus


def _change(plus: np.ndarray, minus: np.ndarray) -> np.ndarray:
    """plus − minus per output; outputs that did not move count 0, even when ±∞ or NaN."""
    with np.errstate(invalid="ignore"):
        same = (plus == minus) | (np.isnan(plus) & np.isnan(minus))
        return np.where(same, 0.0, plus - minus)


def _kinks(setup: _Setup, plus: np.ndarray, minus: np.ndarray) -> np.ndarray:
    """Outputs whose rise over +eps differs from their rise over −eps: a window's winner
    changed (a tie within eps), where the derivative does not exist."""
    y0 = setup.y0
    with np.errstate(invalid="ignore", over="ignore"):
        up, down = _change(plus, y0), _change(y0, minus)
        gap = np.abs(up - down)
        scale = np.abs(up) + np.abs(down)
        floor = 64 * np.spacing(np.maximum(np.abs(y0), np.abs(plus)))
        return (gap > 1e-3 * scale) & (gap > floor)


# -- other tensors (weight, bias): each element reaches every output; one at a time --------
def _check_everywhere(
    setup: _Setup, plan: _Plan, eps: float, tally: _Tally, steps: _Progress
) -> None:
    """Elements that reach every output (a weight, a bias; flat indices), one per batch."""
    a, grad = _tensor_and_grad(setup, plan.name)
    grad = np.asarray(grad, dtype=np.float64).reshape(a.shape)
    picks = np.array([flat for batch in plan.batches for flat in batch], dtype=np.int64)
    numeric, analytic = np.empty(picks.size), np.empty(picks.size)
    for k, flat in enumerate(picks):
        index = tuple(int(i) for i in np.unravel_index(flat, a.shape))
        plus, minus = _moved(setup, a, [index], eps, steps)
        numeric[k] = float(np.sum(_change(plus, minus) * setup.dy) / (2 * eps))
        analytic[k] = grad[index]
    # Such an element reaches every output: any NaN or ±∞ there leaves it out.
    finite = bool(np.isfinite(setup.y0).all())
    infinite = np.full(picks.size, not finite) | ~np.isfinite(a.reshape(-1)[picks])
    tally.record(plan.name, analytic, numeric, np.zeros(picks.size, dtype=bool), infinite)


def _tolerance(setup: _Setup, eps: float, scale: float) -> float:
    """What rounding alone can explain: each output sums about ``taps`` products, each input
    feeds about ``taps`` outputs, and dividing by 2·eps magnifies the rounding of both."""
    taps = setup.taps
    magnitude = 1.0
    for name, a in setup.tensors.items():
        tensor = setup.spec.tensor(name)
        if a is None or tensor.from_param or not tensor.differentiable:
            continue
        finite = np.isfinite(a)
        big = float(np.max(np.abs(a[finite]))) if finite.any() else 1.0
        magnitude *= max(1.0, big)
    magnitude *= max(1.0, float(np.max(np.abs(setup.dy))) if setup.dy.size else 1.0)
    rounding = 100 * np.finfo(np.float64).eps * magnitude * taps * taps / eps
    return float(max(1e-7, rounding, 1e-8 * scale))


# ---- running a check off the GUI thread -------------------------------------------------------
class GradientJob:
    """:func:`check_gradients` in a background thread, for a window that keeps repainting.

    ``start()``, then ``poll()`` (the result, or None while running; re-raises the check's
    error), ``progress`` (forwards done, planned) and ``cancel()``.  Nothing here touches Qt.
    """

    def __init__(self, snap: Document, eps: float = 1e-6, **options: Any) -> None:
        self.snap, self.eps, self.options = snap, eps, options
        self.progress: tuple[int, int] = (0, 0)  # (done, planned); 0 planned: not known yet
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._result: GradientCheck | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="gradient-check", daemon=True)

    def start(self) -> GradientJob:
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            self._result = check_gradients(
                self.snap,
                self.eps,
                progress=self._report,
                cancelled=self._cancel.is_set,
                **self.options,
            )
        except BaseException as exc:  # handed to the GUI thread by poll()
            self._error = exc
        finally:
            self._done.set()

    def _report(self, done: int, total: int) -> None:
        self.progress = (done, total)

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def wait(self, timeout: float | None = None) -> GradientCheck | None:
        self._done.wait(timeout)
        return self.poll()

    def poll(self) -> GradientCheck | None:
        if not self._done.is_set():
            return None
        if self._error is not None:
            raise self._error
        return self._result


# ---- PyTorch ----------------------------------------------------------------------------------
class TorchUnavailableError(RuntimeError):
    """PyTorch cannot be imported, so there is nothing to compare with."""


class TorchFailedError(RuntimeError):
    """PyTorch crashed, stopped with an error or gave no answer in time; the message says so."""


#: How the worker is started after the Python executable (a test puts a crashing script here).
TORCH_WORKER: tuple[str, ...] = ("-m", "visualizer.torch_worker")


@dataclass(frozen=True)
class TorchComparison:
    """One quantity computed by the engine and by PyTorch, cell by cell."""

    name: str
    label: str  # English, marked for translation: show it through tr()
    engine: np.ndarray
    torch: np.ndarray
    abs_diff: np.ndarray  # |engine − torch|, 0 where both are the same NaN or infinity
    agree: np.ndarray  # bool, same shape
    note: str = ""

    @property
    def max_abs_diff(self) -> float:
        return float(self.abs_diff.max()) if self.abs_diff.size else 0.0

    @property
    def all_agree(self) -> bool:
        return bool(self.agree.all())


class TorchResult(dict[str, TorchComparison]):
    """The comparisons by name, and ``notes``: what was not compared, and why."""

    notes: tuple[str, ...] = ()


# The quantities compared, by result name (tensor names; the output is 'forward').
LABELS = {
    "forward": QT_TR_NOOP("Output Y"),
    "indices": QT_TR_NOOP("Argmax indices"),
    "grad_input": QT_TR_NOOP("Input gradient dX"),
    "grad_weight": QT_TR_NOOP("Weight gradient dW"),
    "grad_bias": QT_TR_NOOP("Bias gradient db"),
}


def _compare(
    name: str,
    label: str,
    ours: np.ndarray,
    theirs: np.ndarray,
    note: str = "",
    ignore: np.ndarray | None = None,
) -> TorchComparison:
    """Cell by cell; cells where ``ignore`` is true are counted as agreeing, difference 0."""
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape:
        raise ValueError(f"{label}: engine shape {ours.shape} but PyTorch shape {theirs.shape}")
    a, t = ours.astype(np.float64), theirs.astype(np.float64)
    agree = np.isclose(a, t, rtol=TORCH_RTOL, atol=TORCH_ATOL, equal_nan=True)
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - t)
    same = (a == t) | (np.isnan(a) & np.isnan(t))
    diff = np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))
    if ignore is not None:
        agree = agree | ignore
        diff = np.where(ignore, 0.0, diff)
    return TorchComparison(name, label, ours, theirs, diff, agree, note)


@dataclass
class _TorchPlan:
    """What to ask PyTorch, and the engine's answers to compare with."""

    spec: OpSpec
    request: dict[str, Any]
    arrays: dict[str, np.ndarray]
    engine: dict[str, np.ndarray]
    empty_windows: np.ndarray | None  # output cells whose window reads no input
    notes: tuple[str, ...]
    grad_note: str
    labels: dict[str, str]  # the spec's own titles of the compared tensors, where it has them


def _plan_torch(snap: Document) -> _TorchPlan:
    spec = snap.spec
    tensors, kwargs, g = _call(snap)
    dy = np.array(snap.grad_output, dtype=np.float64)
    engine: dict[str, np.ndarray] = {}
    with np.errstate(invalid="ignore", over="ignore"):
        if spec.torch_indices:
            engine["forward"], engine["indices"] = engine_forward(
                spec, tensors, kwargs, return_indices=True
            )
        else:
            engine["forward"] = engine_forward(spec, tensors, kwargs)
        grads = engine_backward(spec, dy, tensors, kwargs, backward_kwargs(snap))
    # Output cells whose window reads no input (a gathering operation's windows only).
    reads = g.reads_input()
    gathers = not spec.scatters and reads.shape == engine["forward"].shape[-2:]
    empty = None
    if gathers and not reads.all():
        empty = np.broadcast_to(~reads, engine["forward"].shape)
    notes: list[str] = []
    backward = True
    if empty is not None and spec.torch_breaks_on_empty_windows:
        backward = False
        text = tr(
            "Gradients not compared: {count} window(s) read only padding here, where PyTorch's "
            "{function} backward writes out of bounds and can crash (PyTorch issue #114216). "
            "The app sends those windows' gradient nowhere."
        )
        notes.append(text.format(count=int((~reads).sum()), function=spec.torch_call))
    differentiable = [
        name for name, a in tensors.items() if a is not None and spec.tensor(name).differentiable
    ]
    gradients = {name: grad_name(spec, name) for name in differentiable}
    if backward:
        for gradient in gradients.values():
            grad = grads.get(gradient)
            if grad is not None:
                engine[gradient] = np.asarray(grad)
    grad_notes = []
    for param in spec.params:
        value = snap.params.get(param.name)
        if param.torch_note and param.differs_from_torch(value):
            grad_notes.append(tr(param.torch_note).format(**param.torch_fields(value)))
    arrays = {name: a for name, a in tensors.items() if a is not None}
    arrays["grad_output"] = dy
    request = {
        "function": spec.torch_call,
        "call_tensors": list(spec.call_tensors),
        "kwargs": _jsonable(kwargs),
        "return_indices": spec.torch_indices,
        "backward": backward,
        "differentiable": differentiable,
        "gradients": gradients,
    }
    labels = {
        name: spec.tensor(name).title if spec.has_tensor(name) and spec.tensor(name).title else ""
        for name in engine
    }
    return _TorchPlan(
        spec, request, arrays, engine, empty, tuple(notes), " ".join(grad_notes), labels
    )


def _jsonable(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in kwargs.items()}


def _finish_torch(plan: _TorchPlan, theirs: Mapping[str, np.ndarray]) -> TorchResult:
    out = TorchResult()
    for name, ours in plan.engine.items():
        key = "output" if name == "forward" else name
        if key not in theirs:
            continue
        note = plan.grad_note if name.startswith("grad_") else ""
        ignore = plan.empty_windows if name == "indices" else None
        label = plan.labels.get(name) or LABELS.get(name, name)
        out[name] = _compare(name, label, ours, theirs[key], note, ignore)
    if plan.empty_windows is not None and "indices" in out:
        text = tr(
            "Indices of the {count} window(s) that read only padding are not compared "
            "(no element is the maximum there)."
        )
        count = int(plan.empty_windows.sum())
        out.notes = (*plan.notes, text.format(count=count))
    else:
        out.notes = plan.notes
    return out


class _Worker:
    """A PyTorch worker process (``python -m visualizer.torch_worker --serve``), kept between
    comparisons so that PyTorch is imported once; one request at a time.

    Requests go in as JSON lines on its stdin; a reader thread collects the answers (lines
    with :data:`~visualizer.torch_worker.REPLY` in front) so that nothing here blocks.  When
    the process dies, ``answers`` yields None.
    """

    def __init__(self, command: tuple[str, ...]) -> None:
        self.command = command
        self.log = tempfile.TemporaryFile()  # its stderr: the last line explains a failure
        root = str(Path(__file__).resolve().parents[1])  # holds the visualizer package
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.process = subprocess.Popen(
            [sys.executable, *command, "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            env=env,
        )
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, name="torch-worker-reader", daemon=True).start()
        _WORKERS.add(self)

    def _read(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for line in stdout:
            if line.startswith(REPLY):
                with contextlib.suppress(ValueError):
                    self.answers.put(json.loads(line[len(REPLY) :]))
        self.answers.put(None)  # end of file: the process is gone

    def ask(self, request: str, result: str) -> bool:
        """Send one request; False if the process is already gone."""
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write((json.dumps([request, result]) + "\n").encode())
            stdin.flush()
        except OSError:  # a broken pipe: it died
            return False
        return True

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """End the process (this module started it) and close its files."""
        if self.process.poll() is None:
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(5)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self.log.close()

    def last_words(self) -> str:
        """The last line the process wrote to stderr."""
        try:
            self.log.seek(0)
            text = self.log.read().decode("utf-8", errors="replace")
        except (OSError, ValueError):
            return ""
        return next((line for line in reversed(text.splitlines()) if line.strip()), "")


_WORKERS: weakref.WeakSet[_Worker] = weakref.WeakSet()  # every worker still referenced
_IDLE: list[_Worker] = []  # at most one worker waits for the next comparison
_IDLE_LOCK = threading.Lock()


def _take_worker() -> _Worker:
    command = tuple(TORCH_WORKER)
    with _IDLE_LOCK:
        while _IDLE:
            worker = _IDLE.pop()
            if worker.command == command and worker.alive():
                return worker
            worker.stop()
    return _Worker(command)


def _return_worker(worker: _Worker) -> None:
    with _IDLE_LOCK:
        while _IDLE:
            _IDLE.pop().stop()
        _IDLE.append(worker)


def stop_workers() -> None:
    """End the idle PyTorch worker."""
    with _IDLE_LOCK:
        while _IDLE:
            _IDLE.pop().stop()


@atexit.register
def _stop_all_workers() -> None:
    """At exit: end every worker this process started, idle or busy."""
    stop_workers()
    for worker in list(_WORKERS):
        worker.stop()


class TorchJob:
    """PyTorch's forward and backward for a document, in a child process with a time limit.

    ``start()`` writes the arrays to a temporary ``.npz`` and hands it to a worker process
    (``python -m visualizer.torch_worker --serve``, started once and kept); ``poll()`` returns
    None while it works, then the :class:`TorchResult` (or raises :class:`TorchFailedError` /
    :class:`TorchUnavailableError`); ``wait()`` blocks; ``cancel()`` ends the worker.  A crash
    or a hang of the worker is reported, never shared: the app's process only reads the
    result file, and the next comparison starts a fresh worker.
    """

    def __init__(self, snap: Document, timeout: float = TORCH_TIMEOUT) -> None:
        if not torch_available():
            raise TorchUnavailableError(tr(TORCH_MISSING))
        self.timeout = timeout
        self.plan = _plan_torch(snap)
        self._folder: str | None = None
        self._worker: _Worker | None = None
        self._started = 0.0
        self._outcome: TorchResult | BaseException | None = None

    def start(self) -> TorchJob:
        folder = tempfile.mkdtemp(prefix="pooling-visualizer-torch-")
        self._folder = folder
        self._finalizer = weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        request = str(Path(folder, "request.npz"))
        meta = np.array(json.dumps(self.plan.request))
        np.savez(request, __request__=meta, **self.plan.arrays)
        worker = _take_worker()
        self._worker = worker
        self._started = time.monotonic()
        if not worker.ask(request, str(Path(folder, "result.npz"))):
            self._finish(self._died())
        return self

    @property
    def running(self) -> bool:
        return self._worker is not None and self._outcome is None

    @property
    def pid(self) -> int | None:
        """The worker process's id while the job runs (tests check that it is ended)."""
        return None if self._worker is None else self._worker.process.pid

    def poll(self) -> TorchResult | None:
        """The result once the worker has answered; None while it works."""
        return self._receive(block=False)

    def wait(self) -> TorchResult:
        """Block until the worker answers (or the time limit passes)."""
        if self._worker is None and self._outcome is None:
            self.start()
        while (result := self._receive(block=True)) is None:
            pass
        return result

    def _receive(self, block: bool) -> TorchResult | None:
        if self._outcome is None:
            worker = self._worker
            if worker is None:
                raise RuntimeError("TorchJob.poll() before start()")
            remaining = self.timeout - (time.monotonic() - self._started)
            try:
                if block:
                    answer = worker.answers.get(timeout=max(0.0, remaining))
                else:
                    answer = worker.answers.get_nowait()
            except queue.Empty:
                if time.monotonic() - self._started <= self.timeout:
                    return None
                text = tr("PyTorch gave no answer within {seconds} s and was stopped.")
                self._finish(TorchFailedError(text.format(seconds=f"{self.timeout:g}")))
            else:
                self._finish(self._died() if answer is None else self._answer(answer))
        if isinstance(self._outcome, BaseException):
            # A copy: the kept error would gather the frames each raise goes through (the
            # caller's state, this job), a reference cycle that the garbage collector broke
            # later in an order that crashed inside a bare AppState's QUndoStack.
            raise copy.copy(self._outcome)
        return self._outcome

    def cancel(self) -> None:
        """Stop the job; its worker is ended (PyTorch cannot be interrupted otherwise)."""
        if self._outcome is None and self._worker is not None:
            self._finish(TorchFailedError(tr("Cancelled.")))

    def _finish(self, outcome: TorchResult | BaseException) -> None:
        """Keep ``outcome``; a worker that answered goes back to the pool, any other ends."""
        self._outcome = outcome
        worker, self._worker = self._worker, None
        # A window that reads only padding is where PyTorch wrote out of bounds before
        # (#114216, which may corrupt the worker's heap silently): such a worker is not reused.
        reusable = self.plan.empty_windows is None and isinstance(outcome, TorchResult)
        if worker is not None:
            if reusable and worker.alive():
                _return_worker(worker)
            else:
                worker.stop()
        self._finalizer()
        self._folder = None

    def _answer(self, answer: Mapping[str, Any]) -> TorchResult | BaseException:
        status = answer.get("status")
        if status == 0:
            assert self._folder is not None
            try:
                with np.load(Path(self._folder, "result.npz"), allow_pickle=False) as data:
                    theirs = {name: data[name] for name in data.files}
                return _finish_torch(self.plan, theirs)
            except (OSError, ValueError, KeyError) as exc:
                text = tr("PyTorch's answer could not be read: {reason}")
                return TorchFailedError(text.format(reason=exc))
        if status == MISSING_TORCH:
            return TorchUnavailableError(tr(TORCH_MISSING))
        text = tr("PyTorch stopped with an error: {detail}")
        return TorchFailedError(text.format(detail=answer.get("error") or "?"))

    def _died(self) -> BaseException:
        """The worker process ended without answering: crashed, or exited."""
        worker = self._worker
        assert worker is not None
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.process.wait(5)
        status = worker.process.returncode
        last = worker.last_words()
        if status is not None and status < 0:
            text = tr(
                "PyTorch crashed ({signal}) while computing {function}; it ran in a separate "
                "process, so the app is unaffected. {detail}"
            )
            function = self.plan.spec.torch_call
            return TorchFailedError(
                text.format(signal=_signal_name(-status), function=function, detail=last).strip()
            )
        if status == MISSING_TORCH:
            return TorchUnavailableError(tr(TORCH_MISSING))
        text = tr("PyTorch stopped with an error (exit status {status}): {detail}")
        return TorchFailedError(text.format(status=status, detail=last or "?"))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def compare_with_torch(snap: Document, timeout: float = TORCH_TIMEOUT) -> TorchResult:
    """The engine's forward, gradients (and argmax indices, where the operation returns them)
    against ``torch.nn.functional`` in float64, on ``snap``'s data; PyTorch runs in a child
    process (see :class:`TorchJob`).

    Returns
    -------
    TorchResult
        name → :class:`TorchComparison`; names are 'forward', 'indices' (max pooling),
        'grad_input', 'grad_weight' and 'grad_bias' (for the tensors the operation takes).
        ``notes`` say what could not be compared and why.

    Raises
    ------
    TorchUnavailableError
        When PyTorch cannot be imported.
    TorchFailedError
        When PyTorch crashed, failed or did not answer within ``timeout`` seconds.
    """
    job = TorchJob(snap, timeout)
    try:
        return job.start().wait()
    finally:
        job.cancel()

"""Independent checks of what the app shows: finite differences, and PyTorch itself.

No widgets here; the sentences for the user go through ``visualizer.i18n.tr`` when made.

Both take a :class:`~visualizer.state.Snapshot`; ``AppState.check_gradients`` and
``AppState.compare_with_torch`` call them, so widgets still never reach the engine.

The gradient check perturbs each input element by ±eps and compares the central difference of
``L = sum(forward(x) * dY)`` with the engine's backward.  Max pooling is only piecewise linear:
where an element is tied (or within eps) with another candidate maximum of a window it belongs
to, the derivative does not exist and a finite difference says nothing about the backward
rule, so such elements are left out and counted, never silently passed.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QT_TR_NOOP

import engine
from visualizer.i18n import tr

if TYPE_CHECKING:
    from visualizer.snapshot import Snapshot

MAX_CHECKS = 512  # larger inputs are checked on a fixed random sample of this many elements
TORCH_RTOL = 1e-9  # float64 on both sides: only summation order may differ
TORCH_ATOL = 1e-9


# ---- the engine calls -------------------------------------------------------------------------
# Reached through the ``engine`` module on every call, so a test can swap in a wrong backward.
def _pool_args(snap: Snapshot) -> dict[str, object]:
    p = snap.params
    if snap.op == "max":
        return dict(
            kernel_size=p.kernel_size, stride=p.stride, padding=p.padding,
            dilation=p.dilation, ceil_mode=p.ceil_mode,
        )  # fmt: skip
    return dict(
        kernel_size=p.kernel_size, stride=p.stride, padding=p.padding, ceil_mode=p.ceil_mode,
        count_include_pad=p.count_include_pad, divisor_override=p.divisor_override,
    )  # fmt: skip


def _conv_args(snap: Snapshot) -> dict[str, object]:
    p = snap.params
    return dict(stride=p.stride, padding=p.padding, dilation=p.dilation)


def _bias(snap: Snapshot) -> np.ndarray | None:
    b = snap.params.bias
    return None if b is None else np.full(snap.weight.shape[0], float(b))


def _forward(snap: Snapshot, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> np.ndarray:
    if snap.op == "max":
        return engine.max_pool2d(x, **_pool_args(snap))
    if snap.op == "avg":
        return engine.avg_pool2d(x, **_pool_args(snap))
    return engine.conv2d(x, w, b, **_conv_args(snap))


def _backward(snap: Snapshot) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    x, dy = _float(snap.x), _float(snap.grad_output)
    if snap.op == "max":
        gx = engine.max_pool2d_backward(dy, x, **_pool_args(snap), ties=snap.params.ties)
        return gx, None, None
    if snap.op == "avg":
        return engine.avg_pool2d_backward(dy, x, **_pool_args(snap)), None, None
    return engine.conv2d_backward(dy, x, _float(snap.weight), _bias(snap), **_conv_args(snap))


def _float(a: np.ndarray) -> np.ndarray:
    return np.asarray(a, dtype=np.float64)


# ---- finite differences -----------------------------------------------------------------------
@dataclass(frozen=True)
class GradientCheck:
    """The outcome of :func:`check_gradients`.

    ``max_error`` is max |backward − central difference| over the compared elements (of x, and
    for convolution of the weight and bias too); ``errors`` gives it per tensor.
    """

    max_error: float
    tolerance: float
    checked: int
    total: int
    skipped: int  # elements where the derivative is not defined (ties, non-finite values)
    eps: float
    errors: dict[str, float] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

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
        if self.checked == 1:
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


def check_gradients(
    snap: Snapshot, eps: float = 1e-6, max_checks: int = MAX_CHECKS
) -> GradientCheck:
    """Compare the engine's backward with central finite differences on ``snap``'s data.

    Parameters
    ----------
    snap : the state's snapshot: operation, x (N, C, H, W), weight, parameters, dY
    eps : perturbation added to and subtracted from one element at a time (float64)
    max_checks : at most this many elements per tensor; more are sampled with a fixed seed

    Returns
    -------
    GradientCheck
        ``max_error`` is the largest absolute difference; elements where the derivative does
        not exist (max-pooling ties within ``2·eps``, NaN or ±∞ around) are skipped and counted.
    """
    if not eps > 0:
        raise ValueError(f"eps ({eps}) must be positive")
    x, w, dy = _float(snap.x), _float(snap.weight), _float(snap.grad_output)
    b = _bias(snap)
    gx, gw, gb = _backward(snap)
    notes: list[str] = []
    errors: dict[str, float] = {}
    checked = total = skipped = 0
    scale = 0.0

    def record(name: str, analytic: np.ndarray, numeric: np.ndarray, ok: np.ndarray, n: int):
        nonlocal checked, total, skipped, scale
        total += n
        checked += int(ok.sum())
        skipped += int((~ok).sum())
        if ok.any():
            errors[name] = float(np.max(np.abs(analytic[ok] - numeric[ok])))
            scale = max(scale, float(np.max(np.abs(analytic[ok]))))

    # dX: one element at a time, on the smallest slice of the batch the element can change.
    picks = _sample(x.size, max_checks)
    if picks.size < x.size:
        text = tr("x has {count} elements: checked a fixed random sample of {sample}.")
        notes.append(text.format(count=x.size, sample=picks.size))
    numeric = np.empty(picks.size)
    analytic = np.empty(picks.size)
    tied = np.zeros(picks.size, dtype=bool)
    infinite = np.zeros(picks.size, dtype=bool)
    geometry = _geometry(snap)
    with np.errstate(invalid="ignore", over="ignore"):
        y0 = _forward(snap, x, w, b)
    for k, flat in enumerate(picks):
        n, c, r, col = (int(i) for i in np.unravel_index(flat, x.shape))
        chans = slice(None) if snap.op == "conv" else slice(c, c + 1)
        xs, dys = x[n : n + 1, chans].copy(), dy[n : n + 1, chans]
        cc = c if snap.op == "conv" else 0
        numeric[k] = _central(lambda xs=xs: _forward(snap, xs, w, b), xs, (0, cc, r, col), eps, dys)
        analytic[k] = gx[n, c, r, col]
        # NaN or ±∞ in the element or in an output it feeds: the derivative is undefined.
        reached = [y0[n, chans, oh, ow] for oh, ow in geometry.windows_reading(r, col)]
        infinite[k] = not np.isfinite(x[n, c, r, col]) or not all(
            np.isfinite(v).all() for v in reached
        )
        if snap.op == "max" and not infinite[k]:
            tied[k] = _near_tie(x[n, c], geometry, r, col, 2 * eps)
    infinite |= ~(np.isfinite(numeric) & np.isfinite(analytic))
    record("x", analytic, numeric, ~(tied | infinite), picks.size)
    if tied.any():
        text = tr(
            "{count} element(s) are tied (within 2·eps) with another candidate maximum of a "
            "window: max is not differentiable there, so they were left out."
        )
        notes.append(text.format(count=int(tied.sum())))
    if infinite.any():
        text = tr(
            "{count} element(s) are or feed NaN or ±∞, where finite differences are undefined: "
            "left out."
        )
        notes.append(text.format(count=int(infinite.sum())))

    if snap.op == "conv":
        # dW and db: one output channel at a time is enough to see a weight's effect.
        wpicks = _sample(w.size, max_checks)
        wn, wa = np.empty(wpicks.size), np.empty(wpicks.size)
        for k, flat in enumerate(wpicks):
            co, ci, i, j = np.unravel_index(flat, w.shape)
            ws = w[co : co + 1].copy()
            bs = None if b is None else b[co : co + 1]
            wn[k] = _central(
                lambda ws=ws, bs=bs: engine.conv2d(x, ws, bs, **_conv_args(snap)),
                ws, (0, ci, i, j), eps, dy[:, co : co + 1],
            )  # fmt: skip
            wa[k] = gw[co, ci, i, j]
        # A weight reaches every output of its channel: any NaN or ±∞ there leaves it out.
        finite_channel = np.isfinite(y0).all(axis=(0, 2, 3))
        wok = np.isfinite(wn) & np.isfinite(wa)
        wok &= finite_channel[np.unravel_index(wpicks, w.shape)[0]]
        record("weight", wa, wn, wok, wpicks.size)
        if b is not None and gb is not None:
            bn = np.empty(b.size)
            for co in range(b.size):
                bs = b[co : co + 1].copy()
                bn[co] = _central(
                    lambda bs=bs, co=co: engine.conv2d(x, w[co : co + 1], bs, **_conv_args(snap)),
                    bs, (0,), eps, dy[:, co : co + 1],
                )  # fmt: skip
            record("bias", np.asarray(gb, float), bn, np.isfinite(bn) & finite_channel, b.size)

    max_error = max(errors.values()) if errors else 0.0
    return GradientCheck(
        max_error=max_error,
        tolerance=_tolerance(snap, x, w, dy, eps, scale),
        checked=checked,
        total=total,
        skipped=skipped,
        eps=eps,
        errors=errors,
        notes=tuple(notes),
    )


def _sample(size: int, limit: int) -> np.ndarray:
    if size <= limit:
        return np.arange(size)
    return np.sort(np.random.default_rng(0).choice(size, limit, replace=False))


def _central(
    forward: Callable[[], np.ndarray],
    a: np.ndarray,
    index: tuple[int, ...],
    eps: float,
    dy: np.ndarray,
) -> float:
    """(L(a + eps·e) − L(a − eps·e)) / 2eps for L = sum(forward() · dy), ``a[index]`` moved in
    place (``forward`` reads ``a``).  The difference is taken per output before summing, so
    outputs the element does not reach cancel exactly instead of adding rounding noise."""
    original = a[index]
    with np.errstate(invalid="ignore", over="ignore"):
        a[index] = original + eps
        plus = forward()
        a[index] = original - eps
        minus = forward()
        a[index] = original
        # Outputs that did not move count 0, even when they are ±∞ or NaN.
        same = (plus == minus) | (np.isnan(plus) & np.isnan(minus))
        change = np.where(same, 0.0, plus - minus)
        return float(np.sum(change * dy) / (2 * eps))


def _geometry(snap: Snapshot) -> engine.WindowGeometry:
    p = snap.params
    if snap.op == "conv":
        return engine.conv_geometry(
            snap.x.shape[2:], snap.weight.shape[2:], p.stride, p.padding, p.dilation
        )
    dilation = p.dilation if snap.op == "max" else 1
    return engine.pool_geometry(
        snap.x.shape[2:], p.kernel_size, p.stride, p.padding, dilation, p.ceil_mode
    )


def _near_tie(plane: np.ndarray, g: engine.WindowGeometry, r: int, col: int, margin: float) -> bool:
    """Whether x[r, col] is within ``margin`` of the best other real tap of a window it is in."""
    value = plane[r, col]
    for oh, ow in g.windows_reading(r, col):
        others = [
            plane[rr, cc]
            for _, _, rr, cc in g.window_taps(oh, ow)
            if (rr, cc) != (r, col) and g.classify(rr, cc) == "input"
        ]
        if others and abs(value - max(others)) <= margin:
            return True
    return False


def _tolerance(
    snap: Snapshot, x: np.ndarray, w: np.ndarray, dy: np.ndarray, eps: float, scale: float
) -> float:
    """What rounding alone can explain: each output sums about ``taps`` products, each input
    feeds about ``taps`` outputs, and dividing by 2·eps magnifies the rounding of both."""
    kh, kw = snap.params.kernel_size if snap.op != "conv" else snap.weight.shape[2:]
    taps = kh * kw * (snap.weight.shape[1] if snap.op == "conv" else 1)
    finite = np.isfinite(x)
    big_x = float(np.max(np.abs(x[finite]))) if finite.any() else 1.0
    big_w = float(np.max(np.abs(w))) if snap.op == "conv" else 1.0
    magnitude = max(1.0, big_x) * max(1.0, big_w) * max(1.0, float(np.max(np.abs(dy))))
    rounding = 100 * np.finfo(np.float64).eps * magnitude * taps * taps / eps
    return float(max(1e-7, rounding, 1e-8 * scale))


# ---- PyTorch ----------------------------------------------------------------------------------
class TorchUnavailableError(RuntimeError):
    """PyTorch cannot be imported, so there is nothing to compare with."""


TORCH_MISSING = QT_TR_NOOP(
    "PyTorch is not installed in this Python environment (pip install torch); "
    "the comparison needs it."
)  # English; shown through tr()


def torch_available() -> bool:
    """Whether ``import torch`` can work, without importing it (that takes seconds)."""
    if "torch" in sys.modules:
        return sys.modules["torch"] is not None
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


@dataclass(frozen=True)
class Comparison:
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


def _compare(name: str, label: str, ours: np.ndarray, theirs: np.ndarray, note: str = ""):
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape:
        raise ValueError(f"{label}: engine shape {ours.shape} but PyTorch shape {theirs.shape}")
    a, t = ours.astype(np.float64), theirs.astype(np.float64)
    agree = np.isclose(a, t, rtol=TORCH_RTOL, atol=TORCH_ATOL, equal_nan=True)
    with np.errstate(invalid="ignore"):
        diff = np.abs(a - t)
    same = (a == t) | (np.isnan(a) & np.isnan(t))
    diff = np.where(same, 0.0, np.where(np.isnan(diff), np.inf, diff))
    return Comparison(name, label, ours, theirs, diff, agree, note)


def compare_with_torch(snap: Snapshot) -> dict[str, Comparison]:
    """Forward, input gradient (and max indices, or conv weight and bias gradients) from the
    engine and from ``torch.nn.functional`` in float64, on ``snap``'s data.

    Returns
    -------
    dict
        name → :class:`Comparison`; names are 'forward', 'grad_input', and 'indices' for max
        pooling, 'grad_weight' and 'grad_bias' (with a bias) for convolution.

    Raises
    ------
    TorchUnavailableError
        When ``import torch`` fails.
    """
    try:
        import torch
        import torch.nn.functional as F  # noqa: N812 (the name every PyTorch text uses)
    except ImportError as exc:
        raise TorchUnavailableError(tr(TORCH_MISSING)) from exc

    x, w, dy = _float(snap.x), _float(snap.weight), _float(snap.grad_output)
    b = _bias(snap)
    y = _forward(snap, x, w, b)
    gx, gw, gb = _backward(snap)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out: dict[str, Comparison] = {}
    if snap.op == "conv":
        wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
        bt = None if b is None else torch.tensor(b, dtype=torch.float64, requires_grad=True)
        yt = F.conv2d(xt, wt, bt, **_conv_args(snap))
    elif snap.op == "max":
        yt = F.max_pool2d(xt, **_pool_args(snap))
    else:
        yt = F.avg_pool2d(xt, **_pool_args(snap))
    yt.backward(torch.tensor(dy, dtype=torch.float64))
    out["forward"] = _compare("forward", QT_TR_NOOP("Output Y"), y, yt.detach().numpy())
    note = ""
    if snap.op == "max" and snap.params.ties != "first":
        note = tr(
            "ties='{ties}' is a teaching option: PyTorch always sends a window's "
            "gradient to one maximum, so tied cells differ by design."
        ).format(ties=snap.params.ties)
    out["grad_input"] = _compare(
        "grad_input", QT_TR_NOOP("Input gradient dX"), gx, xt.grad.numpy(), note
    )
    if snap.op == "max":
        _, idx = engine.max_pool2d(x, **_pool_args(snap), return_indices=True)
        with torch.no_grad():
            _, idx_t = F.max_pool2d(torch.tensor(x), **_pool_args(snap), return_indices=True)
        out["indices"] = _compare("indices", QT_TR_NOOP("Argmax indices"), idx, idx_t.numpy())
    if snap.op == "conv":
        out["grad_weight"] = _compare(
            "grad_weight", QT_TR_NOOP("Weight gradient dW"), gw, wt.grad.numpy()
        )
        if bt is not None and gb is not None:
            out["grad_bias"] = _compare(
                "grad_bias", QT_TR_NOOP("Bias gradient db"), gb, bt.grad.numpy()
            )
    return out

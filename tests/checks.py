"""Checks several test files share, written once (``from checks import …``: ``tests/`` is on
``sys.path``, as for ``conftest``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st
from numpy.testing import assert_allclose

ROOT = Path(__file__).resolve().parents[1]
EPS = 1e-4
TOL = dict(rtol=1e-7, atol=1e-7)


# ---- processes ----------------------------------------------------------------------------------
def run_python(code: str, *args: str, timeout: float = 120) -> str:
    """Run ``python -c code *args`` in the checkout; it must succeed.  Its standard output."""
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    """The app run as ``result`` exited 2 with one line of its own on stderr that says
    ``words``; no traceback.  (Qt may log lines of its own, e.g. about the offscreen platform:
    those are not counted.)"""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.startswith("pooling-visualizer:")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("pooling-visualizer: error:")
    for word in words:
        assert word in lines[0], lines[0]


# ---- refusals -----------------------------------------------------------------------------------
def refuses(call: Callable[[], object], *fragments: str, error: type = ValueError) -> Any:
    """``call`` must raise ``error`` whose message holds every fragment; the error."""
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in {message!r}"
    return info.value


def raised_templates(path: Path) -> list[tuple[int, str, str | None]]:
    """``(line, exception, template)`` of every ``raise Exception(...)`` in ``path``; the
    template is the first argument when it is a string literal, else None."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            first = node.exc.args[0] if node.exc.args else None
            literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
            found.append((node.lineno, name, first.value if literal else None))
    return found


def templates_of_calls(calls: Iterable[Callable[[], object]]) -> set[str]:
    """The ParameterError template each of ``calls`` raises (each must raise one)."""
    from engine.errors import ParameterError

    raised = set()
    for call in calls:
        with pytest.raises(ParameterError) as info:
            call()
        raised.add(info.value.template)
    return raised


def assert_every_rule_exercised(module: str, calls: Iterable[Callable[[], object]]) -> None:
    """Every ParameterError template written in ``engine/<module>`` is raised by ``calls``."""
    written = set()
    for _, exc, template in raised_templates(ROOT / "engine" / module):
        assert exc == "ParameterError"
        assert template is not None
        written.add(template)
    assert written <= templates_of_calls(calls)


# ---- gradients ----------------------------------------------------------------------------------
def numeric_gradient(loss: Callable[[np.ndarray], float], x: np.ndarray, eps: float = EPS):
    """Central differences of the scalar ``loss`` at ``x``, element by element."""
    grad = np.zeros_like(x, dtype=np.float64)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        grad[i] = (loss(up) - loss(down)) / (2 * eps)
    return grad


def check_gradient(
    loss: Callable[[np.ndarray], float],
    x: np.ndarray,
    analytic: np.ndarray,
    rng: np.random.Generator,
    eps: float = EPS,
    **tol: float,
) -> None:
    """``analytic`` must match central differences element-wise and along a random direction
    (tolerances ``TOL`` unless given)."""
    tol = tol or TOL
    assert analytic.shape == x.shape
    assert_allclose(analytic, numeric_gradient(loss, x, eps), **tol)
    direction = rng.standard_normal(x.shape)
    slope = (loss(x + eps * direction) - loss(x - eps * direction)) / (2 * eps)
    assert_allclose(np.sum(analytic * direction), slope, **tol)


def distinct_values(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Values at least 0.5 apart, so a perturbation of EPS never changes any maximum."""
    n = int(np.prod(shape))
    return (rng.permutation(n) + rng.uniform(0, 0.5)).reshape(shape) - n / 2


# ---- the app's state ----------------------------------------------------------------------------
def make_state(op: str, changes: dict, spec: object | None = None, dy_random: bool = False):
    """An ``AppState`` on ``op`` with parameter ``changes``, the input drawn from ``spec``
    (a ``RandomSpec``) and, with ``dy_random``, a random dY; every edit must be accepted."""
    from visualizer.state import AppState

    st = AppState()
    assert st.set_op(op)
    if spec is not None:
        assert st.randomize_input(spec)
    if changes:
        assert st.set_params(**changes), st.error
    if dy_random:
        st.fill_grad_output("random", 11)
    return st


# ---- hypothesis ---------------------------------------------------------------------------------
def fast_or_discard(
    fast: Callable[[], Any],
    slow: Callable[[], object],
    error: type[Exception] = ValueError,
    slow_error: type[Exception] | tuple[type[Exception], ...] | None = None,
) -> Any:
    """Run ``fast()``; if it refuses (``error``), ``slow()`` must refuse too (``slow_error``,
    by default ``error``) and the hypothesis example is dropped."""
    try:
        return fast()
    except error:
        with pytest.raises(error if slow_error is None else slow_error):
            slow()
        assume(False)


@st.composite
def pool_params(draw, pair_or_int: Callable[[int, int], Any], dilation: bool = True):
    """Pooling keyword arguments: kernel_size 1..4, stride None or 1..4, padding 0..2,
    ceil_mode and (with ``dilation``) dilation 1..3; ``pair_or_int(low, high)`` draws each."""
    params = dict(
        kernel_size=draw(pair_or_int(1, 4)),
        stride=draw(st.one_of(st.none(), pair_or_int(1, 4))),
        padding=draw(pair_or_int(0, 2)),
        ceil_mode=draw(st.booleans()),
    )
    if dilation:
        params["dilation"] = draw(pair_or_int(1, 3))
    return params


@st.composite
def transpose_params(
    draw, pair_or_int: Callable[[int, int], Any], groups: int, padding: int, dilation: int
):
    """conv_transpose2d keyword arguments, valid or not: stride 1..3, padding 0..``padding``,
    output_padding 0..2, ``groups``, dilation 1..``dilation`` (each drawn by ``pair_or_int``)."""
    return dict(
        stride=draw(pair_or_int(1, 3)),
        padding=draw(pair_or_int(0, padding)),
        output_padding=draw(pair_or_int(0, 2)),
        groups=groups,
        dilation=draw(pair_or_int(1, dilation)),
    )


@st.composite
def avg_params(draw, pair_or_int: Callable[[int, int], Any], divisor: int):
    """Average-pooling keyword arguments: :func:`pool_params` without dilation, plus
    count_include_pad and divisor_override None or in ``-divisor..divisor``."""
    params = draw(pool_params(pair_or_int, dilation=False))
    params["count_include_pad"] = draw(st.booleans())
    params["divisor_override"] = draw(st.one_of(st.none(), st.integers(-divisor, divisor)))
    return params


def hypothesis_settings(max_examples: int):
    """``hypothesis.settings`` of the engine's property tests: no deadline (a shared machine),
    filtered and slow draws allowed."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )


def check_structured_error(call: Callable[[], object], english: str) -> None:
    """``call`` raises a ParameterError saying ``english``, a template filled with fields."""
    from engine.errors import ParameterError

    with pytest.raises(ParameterError) as info:
        call()
    err = info.value
    assert str(err) == english
    assert err.template.format(**err.fields) == english
    assert err.fields  # the values are fields of the template, not baked into it


# ---- the window ---------------------------------------------------------------------------------
def record_calls(monkeypatch, owner: object, name: str) -> list[tuple[Any, ...]]:
    """The positional arguments of each call of ``owner.name`` from now on, which still goes
    through (``monkeypatch`` puts the method back after the test)."""
    calls: list[tuple[Any, ...]] = []
    original = getattr(owner, name)

    def recorded(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls


def settle(qtbot) -> None:
    """Let queued events and zero-time timers run (three rounds)."""
    from PySide6.QtWidgets import QApplication

    for _ in range(3):
        QApplication.processEvents()
        qtbot.wait(5)


def adaptive_16_to_3(window, qtbot):
    """Adaptive average pooling 16x16 -> 3x3 at its first step: the backward phase's
    arithmetic needs more lines than the forward one's."""
    st = window.state
    st.set_input(np.arange(256, dtype=float).reshape(16, 16) % 7)
    st.set_op("adaptive_avg_pool2d")
    st.set_params(output_size=(3, 3))
    st.set_step(1)
    settle(qtbot)
    return st


def focus_window(qtbot, window) -> None:
    """Make ``window`` the active window with the keyboard focus."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitActive(window)
    window.setFocus()
    QApplication.processEvents()


def cell_center(view, row: int, col: int):
    """The centre of matrix cell ``(row, col)`` of a table view, in its viewport."""
    model = view.model
    index = model.index(row + model.offset[0], col + model.offset[1])
    return view.table.visualRect(index).center()


def click_cell(qtbot, view, row: int, col: int) -> None:
    """Click matrix cell ``(row, col)`` of a table view."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    qtbot.mouseClick(view.table.viewport(), Qt.LeftButton, pos=cell_center(view, row, col))
    QApplication.processEvents()


# ---- painted frames ---------------------------------------------------------------------------
def runs_down(plan: Iterable[Any], width: int) -> list[tuple[int, int]]:
    """The rings a border plan draws down the middle of a cell's top edge, from the edge
    inwards: ``(colour 0xRRGGBB, pixels)``, the last band painted over a pixel showing."""
    from PySide6.QtGui import QColor

    column: dict[int, int] = {}
    for x, y, w, h, colour, dashed in plan:
        if dashed is not None:  # drawn by a dashed pen: outline, colour, inline
            color, pen, inset, _line, inline = dashed
            edge = inset - pen // 2
            rings = [(colour.rgb(), edge), (QColor(color).rgb(), pen), (inline.rgb(), edge)]
            return [(c & 0xFFFFFF, n) for c, n in rings]
        if x <= width // 2 < x + w:
            for row in range(max(0, y), y + h):
                column[row] = colour.rgb() & 0xFFFFFF
    runs: list[tuple[int, int]] = []
    row = 0
    while row in column:
        if runs and runs[-1][0] == column[row]:
            runs[-1] = (column[row], runs[-1][1] + 1)
        else:
            runs.append((column[row], 1))
        row += 1
    return runs

"""The code view: generated NumPy and PyTorch code runs and gives the state's numbers; the
"By hand" tab marks the reference line of the current step; the dock is wired to the window.
"""

from __future__ import annotations

import ast
import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from checks import make_state
from numpy.testing import assert_allclose, assert_array_equal
from PySide6.QtWidgets import QApplication, QDockWidget, QPlainTextEdit, QTabWidget

from engine import reference
from visualizer import codegen
from visualizer.data import RandomSpec
from visualizer.state import AppState
from visualizer.widgets import code_panel

# (op, parameter changes, input spec or None) — enough variety to reach every argument.
CASES = [
    ("max_pool2d", {}, None),
    (
        "max_pool2d",
        {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
        RandomSpec("int", 0, 9, 3),
    ),
    ("max_pool2d", {"kernel_size": 2, "stride": 1, "dilation": 2, "ceil_mode": True}, None),
    ("max_pool2d", {"ties": "split"}, RandomSpec("int", 0, 2, 4)),
    ("avg_pool2d", {}, None),
    ("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, None),
    ("avg_pool2d", {"count_include_pad": False, "padding": 1}, RandomSpec("uniform", -1, 1, 5)),
    ("avg_pool2d", {"divisor_override": 3}, None),
    ("conv2d", {}, None),
    (
        "conv2d",
        {"stride": 2, "padding": 1, "dilation": 2, "bias": 1.5},
        RandomSpec("normal", 0, 1, 6),
    ),
    ("conv2d", {"bias": None}, None),
]


def run(code: str, folder: Path | None = None, monkeypatch=None) -> dict:
    if folder is not None:
        monkeypatch.chdir(folder)
    namespace: dict = {"__name__": "generated"}
    exec(compile(code, "<generated>", "exec"), namespace)  # the text must run as it is
    return namespace


@pytest.fixture
def quiet(monkeypatch):
    """The generated code prints y and dx; keep the test output clean."""
    monkeypatch.setattr("builtins.print", lambda *a, **k: None)


# ---- NumPy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "changes", "spec"), CASES)
def test_numpy_code_runs_and_reproduces_the_state(quiet, op, changes, spec):
    st = make_state(op, changes, spec)
    code = codegen.numpy_code(st.snapshot())
    ns = run(code)
    assert_array_equal(ns["y"], st.results.output)
    assert_array_equal(ns["dx"], st.results.grad_input)
    if op == "conv2d":
        assert_allclose(ns["dw"], st.results.grad_weight, rtol=1e-12, atol=1e-12)
        if st.params.bias is None:
            assert ns["db"] is None
        else:
            assert_allclose(ns["db"], st.results.grad_bias, rtol=1e-12, atol=1e-12)


def test_numpy_code_names_the_exact_call():
    code = codegen.numpy_code(AppState().snapshot())
    flat = " ".join(code.split())
    assert "from engine import max_pool2d, max_pool2d_backward" in code
    assert (
        "y = max_pool2d(x, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), "
        "dilation=(1, 1), ceil_mode=False)"
    ) in flat
    assert 'ties="first"' in code
    assert "dy = np.ones_like(y)" in code
    # Wrapped calls never split a pair between lines.
    for line in code.splitlines():
        assert line.count("(") - line.count(")") in range(-2, 3)
        assert not line.rstrip().endswith("(2,")


def test_float_inputs_read_back_bit_for_bit(quiet):
    st = AppState()
    st.set_input(np.array([[0.1, 1 / 3, -2.5e-8], [1e10 + 0.5, math.pi, -0.0]]))
    st.set_params(kernel_size=1, stride=1)
    ns = run(codegen.numpy_code(st.snapshot()))
    assert_array_equal(ns["x"], st.x)
    assert_array_equal(ns["y"], st.results.output)


def test_non_finite_inputs_are_written_as_names(quiet):
    st = AppState()
    x = st.x.copy()
    x[0, 0, 0, 0], x[0, 0, 0, 1], x[0, 0, 2, 2] = np.inf, -np.inf, np.nan
    assert st.set_input(x)
    code = codegen.numpy_code(st.snapshot())
    assert "from numpy import inf, nan" in code
    ns = run(code)
    assert_array_equal(ns["y"], st.results.output)  # NaN compares equal in assert_array_equal


def test_random_upstream_gradient_is_written_out(quiet):
    st = AppState()
    st.fill_grad_output("random", 7)
    code = codegen.numpy_code(st.snapshot())
    assert "ones_like" not in code
    ns = run(code)
    assert_array_equal(ns["dy"], st.grad_output)
    assert_array_equal(ns["dx"], st.results.grad_input)


def test_large_inputs_are_loaded_from_saved_files(quiet, tmp_path, monkeypatch):
    st = AppState()
    st.set_input(RandomSpec("uniform", 0, 255, 2).make((1, 1, 50, 40)))  # dY: 25×20
    st.fill_grad_output("random", 3)
    snap = st.snapshot()
    code = codegen.numpy_code(snap)
    assert 'x = np.load("input.npy")' in code
    assert 'dy = np.load("grad_output.npy")' in code
    assert len(code) < 2000  # 2500 + 500 numbers were not printed
    written = codegen.save_arrays(snap, tmp_path)
    assert sorted(p.name for p in written) == ["grad_output.npy", "input.npy"]
    ns = run(code, tmp_path, monkeypatch)
    assert_array_equal(ns["y"], st.results.output)
    assert_array_equal(ns["dx"], st.results.grad_input)


# ---- PyTorch ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "changes", "spec"), CASES)
def test_torch_code_runs_and_agrees_with_the_engine(quiet, op, changes, spec):
    pytest.importorskip("torch")
    st = make_state(op, changes, spec)
    code = codegen.torch_code(st.snapshot())
    ns = run(code)
    assert_allclose(ns["y"].detach().numpy(), st.results.output, rtol=1e-12, atol=1e-12)
    if op == "max_pool2d" and st.params.ties != "first":
        assert "PyTorch sends a tie's gradient to one maximum only" in code
        return
    assert_allclose(ns["dx"].numpy(), st.results.grad_input, rtol=1e-12, atol=1e-12)
    if op == "conv2d":
        assert_allclose(ns["dw"].numpy(), st.results.grad_weight, rtol=1e-12, atol=1e-12)


def test_torch_code_uses_functional_with_the_same_arguments():
    st = make_state("avg_pool2d", {"padding": 1, "count_include_pad": False}, None)
    code = " ".join(codegen.torch_code(st.snapshot()).split())
    assert "import torch.nn.functional as F" in code
    assert "y = F.avg_pool2d(x, kernel_size=(2, 2), stride=(2, 2), padding=(1, 1)," in code
    assert "count_include_pad=False, divisor_override=None)" in code
    assert "dtype=torch.float64, requires_grad=True)" in code
    assert "y.backward(dy)" in code and "dx = x.grad" in code


def test_torch_code_loads_large_inputs(quiet, tmp_path, monkeypatch):
    pytest.importorskip("torch")
    st = AppState()
    st.set_input(RandomSpec("int", 0, 9, 1).make((1, 1, 32, 32)))
    code = codegen.torch_code(st.snapshot())
    assert 'torch.from_numpy(np.load("input.npy")).requires_grad_()' in code
    codegen.save_arrays(st.snapshot(), tmp_path)
    ns = run(code, tmp_path, monkeypatch)
    assert_array_equal(ns["dx"].numpy(), st.results.grad_input)


# ---- by hand ----------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d", "conv2d"])
@pytest.mark.parametrize("ties", ["first", "all"])
def test_hand_code_marks_the_writing_lines(op, ties):
    hand = codegen.hand_code(op, ties)
    rows = hand.text.split("\n")
    forward = [rows[i].strip() for i in hand.lines["forward"]]
    backward = [rows[i].strip() for i in hand.lines["backward"]]
    write = "y[n, co, oh, ow] = " if op == "conv2d" else "y[n, c, oh, ow] = "
    assert any(r.startswith(write) for r in forward)
    if op == "max_pool2d":
        assert any(r.startswith("if v > best") for r in forward)  # the comparison
    assert all(r.startswith("gx[") and "+=" in r for r in backward)
    if op == "max_pool2d":
        assert ("k // W" in backward[0]) == (ties == "first")


def test_hand_code_is_the_reference_source_and_still_runs():
    hand = codegen.hand_code("avg_pool2d")
    # Every line of the shown code is a line of engine/reference.py, only less indented.
    source = {line.strip() for line in Path(reference.__file__).read_text().splitlines()}
    shown = [r for r in hand.text.split("\n") if r.strip() and not r.startswith("#")]
    assert all(r.strip() in source for r in shown)
    ast.parse(hand.text)
    namespace = dict(vars(reference))
    exec(compile(hand.text, "<hand>", "exec"), namespace)
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    assert_array_equal(namespace["avg_pool2d"](x, 2, 2), reference.avg_pool2d(x, 2, 2))


def test_loop_variables_text():
    assert codegen.loop_variables("max_pool2d", (0, 0), (1, 2)) == "n=0, c=0, oh=1, ow=2"
    assert codegen.loop_variables("conv2d", (1, 2), (0, 3)) == "n=1, co=2, oh=0, ow=3"


# ---- the dock ---------------------------------------------------------------------------------


def open_dock(qtbot, window) -> code_panel.CodePanel:
    window.findChild(object, "toggleCodeAction").trigger()
    dock = window.findChild(QDockWidget, "codeDock")
    qtbot.waitUntil(dock.isVisible)
    return dock


def test_code_dock_is_hidden_and_toggled_from_view_menu_and_toolbar(qtbot, window):
    dock = window.findChild(QDockWidget, "codeDock")
    assert dock is not None and not dock.isVisible()
    action = window.findChild(object, "toggleCodeAction")
    assert action.shortcut().toString() == "Ctrl+K"
    assert action in window.menus["view"].actions()
    assert action in window.toolbar.actions()
    assert not action.icon().isNull()
    open_dock(qtbot, window)
    tabs = dock.findChild(QTabWidget, "codeTabs")
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["NumPy", "PyTorch", "By hand"]
    action.trigger()
    qtbot.waitUntil(lambda: not dock.isVisible())


def test_dock_shows_the_generated_code_and_copies_it(qtbot, window):
    dock = open_dock(qtbot, window)
    snap = window.state.snapshot()
    numpy_edit = dock.findChild(QPlainTextEdit, "numpyCode")
    torch_edit = dock.findChild(QPlainTextEdit, "torchCode")
    assert numpy_edit.toPlainText() == codegen.numpy_code(snap)
    assert torch_edit.toPlainText() == codegen.torch_code(snap)
    # The font: chosen among fixed-pitch families (tests/visualizer/test_code_font.py).
    assert numpy_edit.isReadOnly()
    assert numpy_edit.font().family() == code_panel.code_font().family()
    for key, editor in (("numpy", numpy_edit), ("torch", torch_edit)):
        QApplication.clipboard().clear()
        dock.copy_buttons[key].click()
        assert QApplication.clipboard().text() == editor.toPlainText()
    # An edit regenerates the visible code.
    window.state.set_params(stride=1)
    assert "stride=(1, 1)" in numpy_edit.toPlainText()


def test_hand_tab_follows_the_step(qtbot, window):
    dock = open_dock(qtbot, window)
    st = window.state
    hand = dock.findChild(QPlainTextEdit, "handCode")
    assert hand.isReadOnly()
    assert "def max_pool2d(" in hand.toPlainText()
    st.set_step(6)  # window 6 of the 4×4 output: (1, 2)
    assert dock.loop_label.text().endswith("n=0, c=0, oh=1, ow=2")
    assert "forward" in dock.loop_label.text()
    marked = [t.strip() for t in dock.marked_lines()]
    assert any(t.startswith("y[n, c, oh, ow] = best") for t in marked)
    assert any(t.startswith("if v > best") for t in marked)
    st.set_phase("backward")
    assert dock.loop_label.text().startswith("backward")
    assert dock.loop_label.text().endswith("oh=1, ow=2")
    assert [t.strip() for t in dock.marked_lines()] == [
        "gx[n, c, k // W, k % W] += gy[n, c, oh, ow]"
    ]
    st.set_op("conv2d")
    st.set_step(3)
    assert "co=0" in dock.loop_label.text()
    assert "def conv2d(" in hand.toPlainText()
    assert dock.marked_lines()[0].strip().startswith("y[n, co, oh, ow] = total")


def test_stepping_only_moves_the_highlight(qtbot, window, monkeypatch):
    dock = open_dock(qtbot, window)
    calls = []
    real = codegen.numpy_code
    monkeypatch.setattr(codegen, "numpy_code", lambda snap: calls.append(1) or real(snap))
    monkeypatch.setattr(codegen, "hand_code", lambda *a: pytest.fail("hand code regenerated"))
    before = dock.marked_lines()
    for step in range(1, 10):
        window.state.set_step(step)
    assert calls == []
    assert dock.marked_lines() == before  # same statement, new loop counters
    window.state.set_params(padding=1)
    assert calls == [1]


def test_hidden_dock_regenerates_only_when_shown(qtbot, window, monkeypatch):
    calls = []
    real = codegen.numpy_code
    monkeypatch.setattr(codegen, "numpy_code", lambda snap: calls.append(1) or real(snap))
    window.state.set_params(stride=1)
    window.state.set_params(stride=2)
    assert calls == []
    dock = open_dock(qtbot, window)
    assert calls == [1]
    assert "stride=(2, 2)" in dock.numpy_edit.toPlainText()


def test_save_arrays_button_writes_what_the_code_loads(qtbot, window, tmp_path, monkeypatch):
    dock = open_dock(qtbot, window)
    assert not dock.save_arrays_button.isEnabled()  # the 8×8 example is printed in full
    window.state.set_input(np.arange(900.0).reshape(30, 30))
    assert dock.save_arrays_button.isEnabled()
    monkeypatch.setattr(
        code_panel.QFileDialog, "getExistingDirectory", lambda *a, **k: str(tmp_path)
    )
    dock.save_arrays_button.click()
    assert_array_equal(np.load(tmp_path / "input.npy"), window.state.x)


# ---- every registered operation ----------------------------------------------------------------


def _registered() -> list[str]:
    from engine.ops import OPS

    return list(OPS)


@pytest.mark.parametrize("op", _registered())
def test_code_runs_for_every_registered_operation(quiet, op):
    """The code comes from the spec alone: every operation's NumPy code runs and reproduces
    the state, its PyTorch code agrees, and its reference loops mark a line in each phase."""
    st = make_state(op, {}, None)
    snap = st.snapshot()
    spec = snap.spec
    gradient = spec.backward_returns[0]
    name = codegen._var(spec, gradient)
    ns = run(codegen.numpy_code(snap))
    assert_array_equal(ns["y"], st.results.output)
    assert_allclose(ns[name], st.results.arrays[gradient], rtol=1e-12, atol=1e-12)
    hand = codegen.hand_code(snap)
    assert hand.lines["forward"] and hand.lines["backward"]
    assert codegen.loop_variables(op, (0, 0), (1, 2)).endswith(
        "=1, " + spec.loop_counters[3] + "=2"
    )
    if importlib.util.find_spec("torch") is None:
        return
    ns = run(codegen.torch_code(snap))
    assert_allclose(ns["y"].detach().numpy(), st.results.output, rtol=1e-12, atol=1e-12)
    assert_allclose(ns[name].numpy(), st.results.arrays[gradient], rtol=1e-12, atol=1e-12)

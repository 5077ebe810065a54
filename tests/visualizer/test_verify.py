"""Verification: finite differences that pass on the engine and fail on a wrong backward, the
PyTorch comparison, and the Tools actions with their dock."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from PySide6.QtWidgets import QDockWidget, QLabel

import engine
from visualizer import verify
from visualizer.data import RandomSpec
from visualizer.state import AppState

STATES = [
    ("max_pool2d", {}, None),
    ("max_pool2d", {"kernel_size": 3, "stride": 1, "padding": 1}, RandomSpec("uniform", -5, 5, 1)),
    (
        "max_pool2d",
        {"kernel_size": 2, "stride": 1, "dilation": 2, "ceil_mode": True},
        RandomSpec("normal", 0, 3, 2),
    ),
    ("avg_pool2d", {}, None),
    (
        "avg_pool2d",
        {
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "ceil_mode": True,
            "count_include_pad": False,
        },
        RandomSpec("uniform", 0, 1, 3),
    ),
    ("avg_pool2d", {"divisor_override": 3, "stride": 1}, RandomSpec("int", -9, 9, 4)),
    ("conv2d", {}, None),
    (
        "conv2d",
        {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1, "bias": -0.5},
        RandomSpec("normal", 0, 1, 5),
    ),
]


def make_state(op, changes, spec, dy_random=False) -> AppState:
    st = AppState()
    assert st.set_op(op)
    if spec is not None:
        assert st.randomize_input(spec)
    if changes:
        assert st.set_params(**changes), st.error
    if dy_random:
        st.fill_grad_output("random", 11)
    return st


# ---- finite differences -----------------------------------------------------------------------


@pytest.mark.parametrize(("op", "changes", "spec"), STATES)
@pytest.mark.parametrize("dy_random", [False, True])
def test_engine_backward_passes_the_check(op, changes, spec, dy_random):
    st = make_state(op, changes, spec, dy_random)
    result = st.check_gradients()
    assert result.passed, result.verdict()
    assert result.max_error < 1e-6
    assert result.verdict().startswith("Pass")
    assert (
        result.checked
        == result.total
        == st.x.size
        + (
            st.weight.size + (st.params.bias is not None) * st.weight.shape[0]
            if op == "conv2d"
            else 0
        )
    )


def test_conv_checks_weight_and_bias_gradients_too():
    st = make_state("conv2d", {"bias": 2.0}, RandomSpec("normal", 0, 1, 8))
    st.set_shape(2, 3)
    st.set_out_channels(2)
    result = st.check_gradients()
    assert set(result.errors) == {"x", "weight", "bias"}
    assert result.passed, result.verdict()


def wrong_max_backward(grad_output, x, *args, **kwargs):
    """The right gradients, each sent one cell to the right (an off-by-one in the index)."""
    gx = engine.pooling.max_pool2d_backward(grad_output, x, *args, **kwargs)
    return np.roll(gx, 1, axis=-1)


@pytest.mark.parametrize(
    ("op", "name", "wrong"),
    [
        ("max_pool2d", "max_pool2d_backward", wrong_max_backward),
        (
            "avg_pool2d",
            "avg_pool2d_backward",
            lambda dy, x, *a, **k: 2 * engine.pooling.avg_pool2d_backward(dy, x, *a, **k),
        ),
        (
            "conv2d",
            "conv2d_backward",
            lambda *a, **k: (lambda gx, gw, gb: (gx, gw.transpose(0, 1, 3, 2), gb))(
                *engine.conv.conv2d_backward(*a, **k)
            ),
        ),
    ],
)
def test_a_wrong_backward_fails_loudly(monkeypatch, op, name, wrong):
    st = make_state(op, {}, RandomSpec("uniform", 0, 10, 9))
    assert st.check_gradients().passed
    monkeypatch.setattr(engine, name, wrong)
    result = st.check_gradients()
    assert not result.passed
    assert result.max_error > 0.2 > 1000 * result.tolerance
    assert result.verdict().startswith("Fail")


def test_ties_are_left_out_and_reported():
    st = make_state("max_pool2d", {}, RandomSpec("int", 0, 2, 4))  # many ties in 2×2 windows
    result = st.check_gradients()
    assert result.skipped > 0
    assert result.checked + result.skipped == st.x.size
    assert any("tied" in note for note in result.notes)
    assert result.passed, result.verdict()  # the well-posed elements still agree
    # With ties="all" the engine's backward would disagree with a finite difference on ties;
    # those cells are exactly the ones left out, so the check stays honest rather than red.
    st.set_params(ties="all")
    assert st.check_gradients().skipped == result.skipped


def test_all_tied_input_is_ill_posed():
    st = AppState()
    st.set_input(np.ones((4, 4)))
    result = st.check_gradients()
    assert result.ill_posed
    assert not result.passed
    assert result.verdict().startswith("Cannot tell")


def test_near_ties_within_eps_are_left_out():
    st = AppState()
    x = np.array([[1.0, 1.0 + 1e-7], [0.0, 0.0]])  # closer than eps: ±eps swaps the winner
    st.set_input(x)
    result = st.check_gradients(eps=1e-6)
    assert result.skipped == 2
    assert st.check_gradients(eps=1e-9).skipped == 0


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d", "conv2d"])
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_nan_and_infinity_are_left_out_not_failed(op):
    st = AppState()
    x = np.random.default_rng(0).normal(size=(6, 6))
    x[0, 0], x[4, 4] = np.inf, np.nan
    st.set_input(x)
    st.set_op(op)
    result = st.check_gradients()
    assert 0 < result.skipped < result.total
    assert any("NaN or ±∞" in note for note in result.notes)
    assert result.passed, result.verdict()


def test_large_inputs_are_sampled():
    st = AppState()
    st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 64, 64)))
    result = st.check_gradients()
    assert result.total == verify.MAX_CHECKS
    assert any("sample" in note for note in result.notes)
    assert result.passed


def test_eps_must_be_positive():
    with pytest.raises(ValueError, match="eps"):
        AppState().check_gradients(eps=0)


# ---- PyTorch ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("op", "changes", "spec"), STATES)
def test_engine_agrees_with_torch(op, changes, spec):
    pytest.importorskip("torch")
    st = make_state(op, changes, spec, dy_random=True)
    result = st.compare_with_torch()
    expected = {"max_pool2d": {"indices"}, "avg_pool2d": set(), "conv2d": {"grad_weight"}}[op]
    if op == "conv2d" and st.params.bias is not None:
        expected.add("grad_bias")
    assert set(result) == {"forward", "grad_input"} | expected
    for c in result.values():
        assert c.all_agree, (c.name, c.max_abs_diff)
        assert c.agree.shape == c.engine.shape == c.abs_diff.shape
        assert c.max_abs_diff < 1e-9
    assert result["forward"].engine.shape == st.results.output.shape
    np.testing.assert_array_equal(result["grad_input"].engine, st.results.grad_input)


def test_tie_option_differences_are_shown_not_hidden():
    pytest.importorskip("torch")
    st = make_state("max_pool2d", {"ties": "all"}, RandomSpec("int", 0, 1, 2))
    result = st.compare_with_torch()
    grad = result["grad_input"]
    assert not grad.all_agree
    assert grad.max_abs_diff >= 1
    assert "PyTorch" in grad.note
    assert result["forward"].all_agree


def test_missing_torch_raises_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` fail
    assert not verify.torch_available()
    with pytest.raises(verify.TorchUnavailableError, match="not installed"):
        AppState().compare_with_torch()


# ---- GUI --------------------------------------------------------------------------------------


def action(window, name):
    found = window.findChild(object, name)
    assert found is not None, name
    return found


def test_actions_are_in_the_tools_menu_and_toolbar(window):
    check = action(window, "checkGradientsAction")
    compare = action(window, "compareTorchAction")
    assert check.shortcut().toString() == "Ctrl+G"
    for a in (check, compare):
        assert a in window.menus["tools"].actions()
        assert a in window.toolbar.actions()
        assert not a.icon().isNull()
        assert a.toolTip()
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles.index("&Tools") < titles.index("&Help")


def test_check_gradients_action_fills_the_dock(qtbot, window):
    dock = window.findChild(QDockWidget, "verifyDock")
    assert not dock.isVisible()
    action(window, "checkGradientsAction").trigger()
    qtbot.waitUntil(dock.isVisible)
    verdict = dock.findChild(QLabel, "gradCheckVerdict").text()
    expected = window.state.check_gradients()
    assert verdict == expected.verdict()
    assert verdict.startswith("Pass")
    assert f"{expected.max_error:.2e}" in verdict
    assert "checked 64 of 64" in dock.findChild(QLabel, "gradCheckDetails").text()


def test_check_gradients_turns_red_on_a_wrong_backward(qtbot, window, monkeypatch):
    panel = window.verify_panel
    action(window, "checkGradientsAction").trigger()
    assert panel.gradient_result.passed
    monkeypatch.setattr(engine, "max_pool2d_backward", wrong_max_backward)
    # Live: an edit re-runs the check on small data.
    old = panel.gradient_result
    window.state.set_input_cell(0, 0, 30.0)
    qtbot.waitUntil(lambda: panel.gradient_result is not old, timeout=3000)
    assert panel.grad_verdict_label.text().startswith("Fail")


def test_compare_with_torch_action_shows_the_agreement_matrix(qtbot, window):
    pytest.importorskip("torch")
    compare = action(window, "compareTorchAction")
    assert compare.isEnabled()
    compare.trigger()
    dock = window.findChild(QDockWidget, "verifyDock")
    qtbot.waitUntil(dock.isVisible)
    assert dock.findChild(QLabel, "torchVerdict").text().startswith("Agrees with PyTorch")
    details = dock.findChild(QLabel, "torchDetails").text()
    assert "16/16 cells agree" in details and "64/64 cells agree" in details
    panel = window.verify_panel
    np.testing.assert_array_equal(panel.difference_matrix(), np.zeros((4, 4)))
    panel.quantity_combobox.setCurrentIndex(panel.quantity_combobox.findData("grad_input"))
    np.testing.assert_array_equal(panel.difference_matrix(), np.zeros((8, 8)))


def test_compare_matrix_shows_real_differences(qtbot, window):
    pytest.importorskip("torch")
    st = window.state
    st.set_input(np.array([[1.0, 1.0], [0.0, 0.0]]))
    st.set_params(ties="all")
    panel = window.verify_panel
    panel.run_torch_comparison()
    assert panel.torch_verdict_label.text().startswith("Differs from PyTorch only where")
    panel.quantity_combobox.setCurrentIndex(panel.quantity_combobox.findData("grad_input"))
    # The app sends dY = 1 to both tied maxima; PyTorch only to the first.
    np.testing.assert_array_equal(panel.difference_matrix(), [[0.0, 1.0], [0.0, 0.0]])


def test_torch_action_is_disabled_with_a_reason_when_torch_is_missing(qtbot, monkeypatch):
    monkeypatch.setattr(verify, "torch_available", lambda: False)
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    compare = win.findChild(object, "compareTorchAction")
    assert not compare.isEnabled()
    assert "not installed" in compare.toolTip()
    assert not win.verify_panel.torch_button.isEnabled()
    assert "pip install torch" in win.verify_panel.torch_button.toolTip()


def test_widgets_never_import_the_engine():
    from pathlib import Path

    import visualizer.widgets.code_panel as code_panel
    import visualizer.widgets.verify_panel as verify_panel

    for module in (code_panel, verify_panel):
        text = Path(module.__file__).read_text()
        assert "import engine" not in text and "from engine" not in text

"""Verification: finite differences that pass on the engine and fail on a wrong backward, the
PyTorch comparison, and the Tools actions with their dock."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from checks import make_state
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


def wait_for_checks(qtbot, panel, timeout=120_000):
    """The checks run as jobs (a thread, a child process): wait until they have reported."""
    qtbot.waitUntil(lambda: not panel.checks_running(), timeout=timeout)


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
    wait_for_checks(qtbot, dock)
    verdict = dock.findChild(QLabel, "gradCheckVerdict").text()
    expected = window.state.check_gradients()
    assert verdict == expected.verdict()
    assert verdict.startswith("Pass")
    assert f"{expected.max_error:.2e}" in verdict
    assert "checked 64 of 64" in dock.findChild(QLabel, "gradCheckDetails").text()


def test_check_gradients_turns_red_on_a_wrong_backward(qtbot, window, monkeypatch):
    panel = window.verify_panel
    action(window, "checkGradientsAction").trigger()
    wait_for_checks(qtbot, panel)
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
    wait_for_checks(qtbot, dock)
    assert dock.findChild(QLabel, "torchVerdict").text().startswith("Agrees with PyTorch")
    details = dock.findChild(QLabel, "torchDetails").text()
    assert "16/16 cells agree" in details and "64/64 cells agree" in details
    panel = window.verify_panel
    np.testing.assert_array_equal(panel.difference_matrix(), np.zeros((4, 4)))
    panel.quantity_combobox.setCurrentIndex(panel.quantity_combobox.findData("grad_input"))
    np.testing.assert_array_equal(panel.difference_matrix(), np.zeros((8, 8)))


def test_the_pytorch_box_grows_only_when_it_shows_the_difference_matrix(qtbot, window):
    """Before a comparison the PyTorch box is as tall as its contents, its button under its
    heading (it sat at the bottom of an empty box the dock's height); the difference matrix,
    once shown, gets the dock's height."""
    window.resize(1366, 768)
    action(window, "checkGradientsAction").trigger()
    dock = window.findChild(QDockWidget, "verifyDock")
    qtbot.waitUntil(dock.isVisible)
    panel = window.verify_panel
    wait_for_checks(qtbot, panel)
    box = panel.torch_box

    def contents_height() -> int:
        # A wrapped line (without PyTorch: how to install it) makes the height follow the
        # width: then the box's height for its width is what its contents need.
        if box.hasHeightForWidth():
            return box.heightForWidth(box.width())
        return box.sizeHint().height()

    qtbot.waitUntil(lambda: box.height() == contents_height())
    button = panel.torch_button
    assert button.isVisible() and box.isAncestorOf(button)
    assert button.geometry().bottom() < box.height()
    pytest.importorskip("torch")
    panel.run_torch_comparison()
    wait_for_checks(qtbot, panel)
    assert panel.diff_view.isVisible()
    qtbot.waitUntil(lambda: panel.diff_view.height() >= panel.diff_view.minimumHeight())
    assert box.height() > box.sizeHint().height() - panel.diff_view.sizeHint().height()


def test_empty_verdicts_and_details_take_no_room(qtbot, window):
    """Before a check its verdict and details are hidden (they took ~50 px of each box)."""
    panel = window.verify_panel
    panel.show()  # its labels are made when the dock is first shown
    labels = (panel.grad_verdict_label, panel.grad_details_label)
    assert all(label.text() == "" and label.isHidden() for label in labels)
    action(window, "checkGradientsAction").trigger()
    wait_for_checks(qtbot, panel)
    assert all(label.text() != "" and not label.isHidden() for label in labels)
    assert all(panel.torch_box.isAncestorOf(label) for label in (panel.torch_details_label,))
    assert panel.torch_details_label.isHidden() == (panel.torch_details_label.text() == "")


def test_compare_matrix_shows_real_differences(qtbot, window):
    pytest.importorskip("torch")
    st = window.state
    st.set_input(np.array([[1.0, 1.0], [0.0, 0.0]]))
    st.set_params(ties="all")
    panel = window.verify_panel
    panel.run_torch_comparison()
    wait_for_checks(qtbot, panel)
    assert panel.torch_verdict_label.text().startswith("Differs from PyTorch only where")
    panel.quantity_combobox.setCurrentIndex(panel.quantity_combobox.findData("grad_input"))
    # The app sends dY = 1 to both tied maxima; PyTorch only to the first.
    np.testing.assert_array_equal(panel.difference_matrix(), [[0.0, 1.0], [0.0, 0.0]])


def test_torch_action_is_disabled_with_a_reason_when_torch_is_missing(qtbot, monkeypatch):
    import visualizer.widgets.verify_panel as verify_panel

    monkeypatch.setattr(verify, "torch_available", lambda: False)
    # The panel asks before the checks are imported (see visualizer.torch_worker).
    monkeypatch.setattr(verify_panel, "torch_available", lambda: False)
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    compare = win.findChild(object, "compareTorchAction")
    assert not compare.isEnabled()
    assert "not installed" in compare.toolTip()
    win.verify_panel.show()  # its buttons are made when the dock is first shown
    assert not win.verify_panel.torch_button.isEnabled()
    assert "pip install torch" in win.verify_panel.torch_button.toolTip()


def test_widgets_never_import_the_engine():
    from pathlib import Path

    import visualizer.widgets.code_panel as code_panel
    import visualizer.widgets.verify_panel as verify_panel

    for module in (code_panel, verify_panel):
        text = Path(module.__file__).read_text()
        assert "import engine" not in text and "from engine" not in text


# ---- large inputs: sampled, off the GUI thread, cancellable (issue 8 #8) ---------------------


def test_inputs_up_to_32x32_are_checked_in_full():
    st = make_state("max_pool2d", {"kernel_size": 3, "stride": 1}, None)
    st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 32, 32)))
    result = st.check_gradients()
    assert not result.sampled
    assert result.total == 32 * 32 == verify.MAX_CHECKS
    assert not any("sample" in note for note in result.notes)
    assert "sample" not in result.verdict()
    assert result.passed, result.verdict()


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d", "conv2d"])
def test_a_256x256_check_is_quick_and_says_it_sampled(op):
    import time

    st = make_state(op, {}, None)
    st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 256, 256)))
    start = time.perf_counter()
    result = st.check_gradients()
    assert time.perf_counter() - start < 5  # about 0.2 s: a few batched forwards
    assert result.sampled
    assert result.passed, result.verdict()
    assert "random sample of" in result.verdict()
    assert any("65536 elements: checked a fixed random sample of 1024" in n for n in result.notes)


def test_far_apart_elements_share_a_forward(monkeypatch):
    """Elements whose windows do not overlap are moved together: the work does not grow with
    the number of elements checked."""
    st = AppState()
    st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 256, 256)))
    calls = []
    real = engine.max_pool2d
    monkeypatch.setattr(engine, "max_pool2d", lambda *a, **k: calls.append(1) or real(*a, **k))
    result = st.check_gradients()
    assert result.checked == verify.MAX_CHECKS
    assert len(calls) < 20  # 2 per batch of non-overlapping elements, not 2 per element


def test_progress_is_reported_and_a_check_can_be_cancelled():
    st = AppState()
    st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 64, 64)))
    seen = []
    st_doc = st.snapshot()
    verify.check_gradients(st_doc, progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] > 2
    with pytest.raises(verify.CheckCancelledError):
        verify.check_gradients(st_doc, cancelled=lambda: True)
    job = verify.GradientJob(st_doc).start()
    assert job.wait(60) is not None and not job.running


def test_a_large_check_runs_off_the_gui_thread(qtbot, window):
    """Ctrl+G on a 1024×1024 input: a progress bar and Cancel while it runs, the event loop
    keeps turning, and the verdict says the elements were sampled.  The event loop's turns
    are judged against the check's own duration in the same run, not against wall-clock
    bounds (about 90 ms at most on an idle machine, but a loaded CI host once held one turn
    1.15 s): run on the GUI thread, the check would be one turn as long as itself."""
    import time

    from PySide6.QtCore import QTimer

    st = window.state
    assert st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 1024, 1024)))
    assert st.set_params(kernel_size=3, stride=1)
    panel = window.verify_panel
    panel.show()
    qtbot.wait(300)  # the dock's first layout repaints the large views: not the check's time
    # Nor is the autosave of the edited 1024×1024 session, written on the GUI thread.
    window.session_manager.autosave_timer.stop()
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    start = time.perf_counter()
    action(window, "checkGradientsAction").trigger()
    assert panel.checks_running()  # the trigger returned with the check still to run
    shown = []
    qtbot.waitUntil(
        lambda: shown.append(panel.grad_job_row.isVisible()) or not panel.checks_running(),
        timeout=120_000,
    )
    timer.stop()
    assert any(shown)
    assert panel.grad_job_row.findChild(object, "gradCheckCancel") is not None
    times = np.array([start, *(t for t in ticks if t > start)])
    turns = np.diff(times)
    duration = times[-1] - times[0]
    assert turns.size > 10
    assert np.median(turns) < 0.05 * duration, (np.median(turns), duration)
    assert turns.max() < 0.5 * duration, (turns.max(), duration)
    assert panel.grad_verdict_label.text().startswith("Pass")
    assert "random sample of 1024 elements" in panel.grad_verdict_label.text()
    assert not panel.grad_job_row.isVisible()


def test_cancel_stops_a_running_check(qtbot, window):
    st = window.state
    st.set_op("conv2d")
    assert st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, 1024, 1024)))
    panel = window.verify_panel
    action(window, "checkGradientsAction").trigger()
    assert panel.checks_running()
    qtbot.waitUntil(panel.grad_job_row.isVisible)
    panel.grad_job_row.cancel_button.click()
    assert not panel.checks_running()
    assert not panel.grad_job_row.isVisible()
    assert panel.grad_verdict_label.text() == "Gradient check cancelled."
    # The next check starts afresh.
    assert st.set_input(np.arange(16.0).reshape(4, 4))
    action(window, "checkGradientsAction").trigger()
    wait_for_checks(qtbot, panel)
    assert panel.grad_verdict_label.text().startswith("Pass")


# ---- PyTorch in a child process (issue 8 #1) -------------------------------------------------

# PyTorch #114216: a max-pooling window that reads only padding makes torch's backward write
# out of bounds (heap corruption, SIGABRT).
EMPTY_WINDOW = {"kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2}


def empty_window_state() -> AppState:
    st = AppState()
    assert st.set_params(**EMPTY_WINDOW), st.error
    assert st.set_input(np.arange(4.0).reshape(2, 2, 1, 1)), st.error  # batch 2, channels 2
    return st


def test_known_bad_case_is_explained_and_torch_backward_not_asked():
    st = empty_window_state()
    plan = verify._plan_torch(st.snapshot())
    assert plan.request["backward"] is False
    assert plan.request["return_indices"] is True
    assert any("114216" in note for note in plan.notes)


def test_known_bad_case_compares_the_forward_and_explains_the_rest():
    pytest.importorskip("torch")
    result = empty_window_state().compare_with_torch()
    assert set(result) == {"forward", "indices"}
    assert all(c.all_agree for c in result.values())
    assert any("PyTorch issue #114216" in note for note in result.notes)
    assert any("not compared" in note for note in result.notes)


def fake_worker(monkeypatch, code: str) -> None:
    monkeypatch.setattr(verify, "torch_available", lambda: True)
    monkeypatch.setattr(verify, "TORCH_WORKER", ("-c", code))


def test_a_crash_of_pytorch_is_reported_and_the_app_lives_on(monkeypatch):
    fake_worker(monkeypatch, "import os; os.abort()")
    with pytest.raises(verify.TorchFailedError, match="crashed") as info:
        AppState().compare_with_torch()
    if sys.platform != "win32":
        assert "SIGABRT" in str(info.value)
    assert "separate process" in str(info.value)


def test_a_failed_comparison_keeps_no_frames_of_its_caller(monkeypatch):
    """The job kept the error it raised, and with it the frames the error went through (the
    caller's AppState among them): a reference cycle, which the garbage collector broke later,
    inside another test, in an order that crashed in ~QUndoStack (seen with PyTorch
    installed, under load)."""
    import gc
    import weakref

    fake_worker(monkeypatch, "import os; os.abort()")
    st = AppState()
    state_ref = weakref.ref(st)
    gc.disable()
    try:
        try:
            st.compare_with_torch()
        except verify.TorchFailedError as exc:
            assert "crashed" in str(exc)
        del st
        assert state_ref() is None  # freed at once: no cycle holds it
    finally:
        gc.enable()


def test_a_hanging_pytorch_is_stopped_after_the_time_limit(monkeypatch):
    import time

    fake_worker(monkeypatch, "import time; time.sleep(60)")
    job = verify.TorchJob(AppState().snapshot(), timeout=1.0).start()
    process = job._worker.process
    start = time.monotonic()
    with pytest.raises(verify.TorchFailedError, match="no answer within 1 s"):
        job.wait()
    assert time.monotonic() - start < 10
    assert process.poll() is not None  # the child was ended


def test_an_error_in_pytorch_is_reported_in_one_line(monkeypatch):
    fake_worker(monkeypatch, "import sys; sys.exit('RuntimeError: shapes do not match')")
    with pytest.raises(verify.TorchFailedError, match="shapes do not match"):
        AppState().compare_with_torch()


def test_pytorch_crashing_for_real_is_contained(monkeypatch):
    """Without the explanation (the spec flag off), PyTorch's own backward runs on #114216 in
    the child: it crashes there (or, on a lucky run, answers), and this process carries on."""
    pytest.importorskip("torch")
    import dataclasses

    from engine.ops import OPS

    spec = OPS["max_pool2d"]
    monkeypatch.setitem(
        OPS, "max_pool2d", dataclasses.replace(spec, torch_breaks_on_empty_windows=False)
    )
    try:
        empty_window_state().compare_with_torch()
    except verify.TorchFailedError as exc:
        assert "PyTorch" in str(exc)


def test_the_dock_reports_a_crash_and_keeps_working(qtbot, window, monkeypatch):
    fake_worker(monkeypatch, "import os; os.abort()")
    panel = window.verify_panel
    compare = action(window, "compareTorchAction")
    if compare.isEnabled():
        compare.trigger()
    else:  # the window was built without PyTorch installed: its action is off, the dock is not
        panel.run_torch_comparison()
    assert panel.checks_running()
    qtbot.waitUntil(panel.torch_job_row.isVisible)
    wait_for_checks(qtbot, panel)
    assert "crashed" in panel.torch_verdict_label.text()
    assert window.isVisible()
    assert window.state.set_params(stride=1)  # the app goes on


def test_the_dock_explains_the_known_bad_case(qtbot, window):
    pytest.importorskip("torch")
    st = window.state
    assert st.set_params(**EMPTY_WINDOW), st.error
    assert st.set_input(np.arange(4.0).reshape(2, 2, 1, 1)), st.error
    panel = window.verify_panel
    panel.run_torch_comparison()
    wait_for_checks(qtbot, panel)
    assert panel.torch_verdict_label.text().startswith("Agrees with PyTorch on everything")
    assert "114216" in panel.torch_details_label.text()


def test_a_comparison_can_be_cancelled(qtbot, window, monkeypatch):
    fake_worker(monkeypatch, "import time; time.sleep(60)")
    panel = window.verify_panel
    panel.run_torch_comparison()
    process = panel._torch_job._worker.process
    panel.torch_job_row.cancel_button.click()
    assert not panel.checks_running()
    assert process.poll() is not None
    assert "cancelled" in panel.torch_verdict_label.text()


# ---- every registered operation ----------------------------------------------------------------


def _registered() -> list[str]:
    from engine.ops import OPS

    return list(OPS)


@pytest.mark.parametrize("op", _registered())
@pytest.mark.parametrize("size", [8, 200])
def test_every_registered_operation_passes_the_check(op, size):
    """Generic over the specs: the tensors, calls and reach of an element come from the spec
    (gathering windows, scattering ones, tensors made by ``prepare``)."""
    st = make_state(op, {}, None, dy_random=True)
    if size != 8:
        assert st.set_input(RandomSpec("uniform", 0, 255, 1).make((1, 1, size, size))), st.error
    result = st.check_gradients()
    assert result.passed, result.verdict()
    assert result.sampled == (size != 8)


@pytest.mark.parametrize("op", _registered())
def test_every_registered_operation_agrees_with_torch(op):
    pytest.importorskip("torch")
    st = make_state(op, {}, RandomSpec("normal", 0, 1, 3), dy_random=True)
    result = st.compare_with_torch()
    assert {"forward", st.spec.backward_returns[0]} <= set(result)
    for c in result.values():
        assert c.all_agree, (c.name, c.max_abs_diff)


def test_asking_again_while_comparing_waits_for_the_running_one(qtbot, window):
    """A second request (an edit's live re-run, a second click) does not kill the worker that
    is importing PyTorch: the comparison runs again when it ends, on the data as it is then."""
    pytest.importorskip("torch")
    panel = window.verify_panel
    panel.run_torch_comparison()
    first = panel._torch_job
    pid = first.pid
    assert window.state.set_params(stride=1)
    panel.run_torch_comparison()
    assert panel._torch_job is first  # still the first one
    qtbot.waitUntil(lambda: panel._torch_job is not first, timeout=120_000)
    assert first.poll() is not None  # it finished; its answer was not shown
    if panel._torch_job is not None:
        assert panel._torch_job.pid == pid  # the same worker, PyTorch imported once
    wait_for_checks(qtbot, panel)
    assert panel.torch_verdict_label.text().startswith("Agrees with PyTorch")
    assert panel.torch_result["forward"].engine.shape == window.state.results.output.shape

"""Adding an operation touches only its own modules: a test registers a throw-away one.

"Min pooling" is written here, in the test, as a spec of its own (PyTorch has no
``min_pool2d``; it is ``-max_pool2d(-x)``).  Registered, it must appear in the op selector,
the command line, the parameter panel, the code view and a session round trip, with no other
file changed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from engine import max_pool2d, max_pool2d_backward, pool_geometry
from engine.ops import OPS, OpSpec, Params, register, unregister
from engine.ops.common import GRAD_INPUT, GRAD_OUTPUT, INPUT, KERNEL_SIZE, OUTPUT, STRIDE
from engine.trace import BackwardStep, ForwardStep, Trace, format_number

KEYS = ("kernel_size", "stride")


class _Records:
    def forward_step(self, trace: Trace, index: int) -> ForwardStep:
        oh, ow = trace.geometry.position(index)
        taps = tuple(trace.taps(oh, ow))
        result = float(trace.output[oh, ow])
        values = ", ".join(format_number(t.value) for t in taps)
        return ForwardStep(index, (oh, ow), taps, (), result, f"min({values}) = {result:g}")

    def backward_step(self, trace: Trace, index: int) -> BackwardStep:
        oh, ow = trace.geometry.position(index)
        return BackwardStep(index, (oh, ow), float(trace.grad_output[oh, ow]), (), "min")

    def input_contributions(self, trace: Trace, oh: np.ndarray, ow: np.ndarray) -> np.ndarray:
        kh, kw = trace.geometry.kernel
        return np.zeros((len(oh), 1, kh, kw))


def _forward(tensors: Any, params: Params) -> tuple[dict[str, np.ndarray], Any]:
    x = tensors["input"]
    kw = {k: params[k] for k in KEYS}
    return {"output": -max_pool2d(-x, **kw)}, (x, kw)


def _backward(ctx: Any, grads: Any) -> dict[str, np.ndarray | None]:
    x, kw = ctx
    return {"grad_input": max_pool2d_backward(grads["grad_output"], -x, **kw)}


def _trace(tensors, params, ctx, arrays, plane, _c) -> Trace:
    x, kw = ctx
    n, c = plane
    return Trace(
        op="min_pool2d",
        geometry=pool_geometry(x.shape[-2:], **kw),
        x=x[n, c][None],
        output=arrays["output"][n, c],
        grad_output=arrays["grad_output"][n, c],
        grad_input=arrays["grad_input"][n, c][None],
        records=_Records(),
        pad_value=np.inf,
        params=kw,
    )


MIN_POOL = OpSpec(
    key="min_pool2d",
    alias="min",
    label="Min pooling",
    description="Each output is the smallest value in its window.",
    params=(KERNEL_SIZE, STRIDE),
    tensors=(INPUT, OUTPUT, GRAD_OUTPUT, GRAD_INPUT),
    pad_value=np.inf,
    geometry=lambda x_shape, _w, p: pool_geometry(x_shape[-2:], p.kernel_size, p.stride),
    forward=_forward,
    backward=_backward,
    trace=_trace,
    engine_kwargs=lambda p: {k: p[k] for k in KEYS},
    reference=(lambda *a: None, lambda *a: None),
    numpy_call="min_pool2d",
    torch_call="min_pool2d",
    explain=lambda in_size, _w, p: [f"min pooling of {in_size}"],
    order=999,
)


@pytest.fixture
def min_pool():
    register(MIN_POOL)
    try:
        yield MIN_POOL
    finally:
        unregister(MIN_POOL.key)
    assert "min_pool2d" not in OPS


def test_the_state_computes_it(min_pool, qapp):
    from visualizer.state import AppState

    st = AppState()
    assert st.set_op("min"), st.error
    assert st.op == "min_pool2d"
    np.testing.assert_array_equal(st.results.output[0, 0], -max_pool2d(-st.x[0, 0], (2, 2), (2, 2)))
    assert st.step_text().startswith("min(")


def test_it_is_in_the_op_selector_the_menu_and_the_parameter_panel(min_pool, window):
    from PySide6.QtWidgets import QComboBox

    combo = window.findChild(QComboBox, "opSelector")
    assert combo.findData("min_pool2d") == len(OPS) - 1
    assert window.findChild(type(window.actions_by_name["op_max_action"]), "op_min_action")
    combo.setCurrentIndex(combo.findData("min_pool2d"))
    assert window.state.op == "min_pool2d"
    panel = window.params_panel
    enabled = {name for name, c in panel.controls.items() if c.widgets()[0].isEnabled()}
    assert enabled == {"kernel_size", "stride"}


def test_it_is_a_command_line_choice(min_pool):
    from visualizer.app import build_parser

    args = build_parser().parse_args(["--op", "min"])
    assert args.op == "min"
    args = build_parser().parse_args(["--op", "min_pool2d"])
    assert args.op == "min_pool2d"


def test_the_code_view_names_it(min_pool, qapp):
    from visualizer import codegen
    from visualizer.state import AppState

    st = AppState()
    assert st.set_op("min_pool2d")
    assert "min_pool2d" in codegen.numpy_code(st.snapshot())
    assert "min_pool2d" in codegen.torch_code(st.snapshot())


def test_a_session_round_trip_keeps_it(min_pool, qapp):
    from visualizer import session
    from visualizer.state import AppState

    st = AppState()
    assert st.set_op("min_pool2d") and st.set_params(kernel_size=(3, 3), stride=(1, 1))
    text = session.dumps(session.session_from_state(st))
    loaded, _ = session.loads(text)
    other = AppState()
    session.apply_session(other, loaded)
    assert other.op == "min_pool2d"
    assert other.params.kernel_size == (3, 3)
    np.testing.assert_array_equal(other.results.output, st.results.output)


def test_replace_keeps_the_registry_order_stable():
    # Registering twice under the same key replaces the spec in place.
    spec = dataclasses.replace(MIN_POOL, label="Min")
    register(MIN_POOL)
    register(spec)
    try:
        assert OPS["min_pool2d"].label == "Min"
    finally:
        unregister("min_pool2d")


def test_parameter_flags_come_from_the_specs():
    """Every parameter with a flag in its spec is a command-line option (new ones included)."""
    from visualizer.app import build_parser, param_flags

    flags = {spec.cli for spec in param_flags().values()}
    assert {"--kernel", "--stride", "--padding", "--dilation", "--ceil-mode"} <= flags
    assert {"--output-size", "--norm-type", "--output-padding", "--ties"} <= flags
    args = build_parser().parse_args(
        ["--op", "lp", "--norm-type", "3", "--output-size", "2x3", "--output-padding", "1"]
    )
    assert (args.norm_type, args.output_size, args.output_padding) == (3.0, (2, 3), (1, 1))


def test_the_state_takes_the_new_flags(qapp):
    from visualizer.app import apply_arguments, build_parser
    from visualizer.state import AppState

    st = AppState()
    args = build_parser().parse_args(
        ["--op", "adaptive_max", "--output-size", "3", "--ties", "all"]
    )
    assert apply_arguments(st, args) == ""
    assert st.op == "adaptive_max_pool2d" and st.params.output_size == (3, 3)
    assert st.params.ties == "all" and st.results.output.shape[-2:] == (3, 3)
    st = AppState()
    args = build_parser().parse_args(["--op", "lp", "--norm-type", "0"])
    assert "norm_type (0.0) must not be zero" in apply_arguments(st, args)

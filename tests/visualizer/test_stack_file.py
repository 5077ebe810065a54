"""Layer stack files (visualizer/model/stack.py) and ``--stack FILE.json`` on the command line:
versioned JSON, checked whole before use, refused with a message naming the layer and the
parameter; the stack in the state is undoable and saved in sessions."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from checks import assert_refused
from conftest import run_main
from numpy.testing import assert_array_equal

from engine import format_number, stack_forward
from visualizer.i18n import translate_message
from visualizer.model.stack import (
    STACK_FORMAT,
    StackCursor,
    compute_stack,
    grad_plane,
    read_stack_file,
    stack_from_json,
    stack_text,
    step_cells,
    step_lines,
    step_message,
    value_plane,
)
from visualizer.session import dumps as session_dumps
from visualizer.session import loads, session_from_state
from visualizer.state import AppState

EXAMPLE = {
    "format": STACK_FORMAT,
    "version": 1,
    "input": [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]],
    "layers": [
        {"op": "conv2d", "weight": [[1, 0], [0, -1]], "bias": [0.5], "padding": 1},
        {"op": "relu"},
        {"op": "max_pool2d", "kernel_size": 2, "stride": 2},
    ],
}


def stack_file(tmp_path, data, name="s.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_stack_file_is_read_into_the_engine_s_layers():
    doc = stack_from_json(EXAMPLE)
    assert doc.x.shape == (1, 1, 4, 4)
    assert [layer.op for layer in doc.layers] == ["conv2d", "relu", "max_pool2d"]
    conv = doc.engine_layers()[0]
    assert conv["weight"].shape == (1, 1, 2, 2)
    assert conv["bias"].tolist() == [0.5]
    assert conv["padding"] == (1, 1)
    pool = doc.engine_layers()[2]
    assert pool["kernel_size"] == (2, 2) and pool["stride"] == (2, 2)
    results = compute_stack(doc)
    expected = stack_forward(doc.x, doc.engine_layers())
    assert [o.shape for o in results.outputs] == [(1, 1, 5, 5), (1, 1, 5, 5), (1, 1, 2, 2)]
    np.testing.assert_array_equal(results.outputs[-1], expected[-1])
    assert results.sizes == [(4, 4), (5, 5), (5, 5), (2, 2)]


def test_a_pooling_stride_defaults_to_its_kernel_as_in_pytorch():
    data = {**EXAMPLE, "layers": [{"op": "max_pool2d", "kernel_size": 2}]}
    layer = stack_from_json(data).layers[0]
    assert layer.value("stride") == (2, 2)


def test_the_file_round_trips_exactly():
    doc = stack_from_json(EXAMPLE)
    again = stack_from_json(json.loads(stack_text(doc)))
    assert again.same_as(doc)
    np.testing.assert_array_equal(again.layers[0].weight, doc.layers[0].weight)


def test_without_an_input_the_given_one_is_used():
    data = {k: v for k, v in EXAMPLE.items() if k != "input"}
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    assert stack_from_json(data, default_input=x).x.shape == (1, 1, 6, 6)


@pytest.mark.parametrize(
    ("layers", "words"),
    [
        ([{"op": "relu"}, {"op": "max_pool2d", "kernel_size": 9}], ["layer 2", "max_pool2d"]),
        ([{"op": "max_pool2d", "kernel_size": 2, "strid": 1}], ["layer 1", "'strid'"]),
        ([{"op": "conv2d"}], ["layer 1", "conv2d", "weight"]),
        ([{"op": "max_pool2d", "kernel_size": "x"}], ["layer 1", "kernel_size"]),
        ([{"op": "max_pool2d", "kernel_size": 2, "padding": -1}], ["layer 1", "padding"]),
        ([{"op": "relu"}, {"op": "nope"}], ["layer 2", '"op"']),
        ([{"op": "max_unpool2d", "kernel_size": 2}], ["layer 1", "max_unpool2d"]),
        ([{"op": "conv2d", "weight": [[1, "a"]]}], ["layer 1", "weight"]),
        ([{"op": "conv2d", "weight": [[1, 2], [3]]}], ["layer 1", "weight"]),
        ([{"op": "conv2d", "weight": [[1]], "bias": [1, 2]}], ["layer 1", "bias"]),
        ([{"op": "relu"}, {"op": "relu"}, {"op": "avg_pool2d", "kernel_size": 5}], ["layer 3"]),
        ([3], ["layer 1"]),
    ],
)
def test_a_malformed_layer_is_refused_naming_the_layer_and_the_parameter(layers, words):
    with pytest.raises(ValueError) as info:
        stack_from_json({**EXAMPLE, "layers": layers})
    for word in words:
        assert word in str(info.value), str(info.value)


@pytest.mark.parametrize(
    ("data", "word"),
    [
        ({"format": "x", "version": 1, "layers": []}, "pooling-visualizer-stack"),
        ({"format": STACK_FORMAT, "version": 2, "layers": []}, "version 2"),
        ({"format": STACK_FORMAT, "version": "1", "layers": []}, "version"),
        ({"format": STACK_FORMAT, "version": 1, "layers": {}}, "layers"),
        ({"format": STACK_FORMAT, "version": 1, "layers": [], "extra": 1}, "extra"),
        ({"format": STACK_FORMAT, "version": 1, "input": [[1, None]]}, "input"),
        ({"format": STACK_FORMAT, "version": 1, "input": [[1.0, float("nan")]]}, "input"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_field(data, word):
    with pytest.raises(ValueError, match=word):
        stack_from_json(data)


def test_reading_refuses_folders_large_files_and_bad_json(tmp_path):
    with pytest.raises(ValueError, match="folder"):
        read_stack_file(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (5 * 2**20))
    with pytest.raises(ValueError, match="larger than a stack file"):
        read_stack_file(big)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad\.json: not a valid JSON"):
        read_stack_file(bad)
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.json"
        os.mkfifo(fifo)
        with pytest.raises(ValueError, match="named pipe"):
            read_stack_file(fifo)


def test_the_cursor_steps_each_layer_forward_then_backward():
    cursor = StackCursor((1, 1, 1))
    seen = []
    for step in range(cursor.n_steps):
        cursor.step = step
        seen.append((cursor.phase, cursor.layer))
    assert seen == [
        ("forward", 0), ("forward", 1), ("forward", 2),
        ("backward", 2), ("backward", 1), ("backward", 0),
    ]  # fmt: skip
    cursor.step = 1
    assert [cursor.shown_values(level) for level in range(4)] == [True, True, True, False]
    cursor.step = 4  # the gradient of layer 2 (level 1) filled in, layer 1's not yet
    assert [cursor.shown_grad(level) for level in range(4)] == [False, True, True, True]


def test_the_cursor_steps_each_layer_window_by_window():
    """Stepping "by window": layer 1's 3 windows, layer 2's 2, then back: layer 2's, layer 1's."""
    cursor = StackCursor((3, 2))
    assert cursor.n_forward == 5 and cursor.n_steps == 10
    seen = []
    for step in range(cursor.n_steps):
        cursor.step = step
        seen.append((cursor.phase, cursor.layer, cursor.window, cursor.filling()))
    assert seen == [
        ("forward", 0, 0, True), ("forward", 0, 1, True), ("forward", 0, 2, False),
        ("forward", 1, 0, True), ("forward", 1, 1, False),
        ("backward", 1, 0, True), ("backward", 1, 1, False),
        ("backward", 0, 0, True), ("backward", 0, 1, True), ("backward", 0, 2, False),
    ]  # fmt: skip
    assert cursor.start_of("forward", 1) == 3 and cursor.start_of("backward", 0) == 7
    cursor.step = 8  # backward, layer 1, window 1; stepping by layer: layer 1's backward step
    cursor.resize((1, 1))
    assert (cursor.phase, cursor.layer, cursor.step) == ("backward", 0, 3)
    cursor.resize((3, 2))  # back to windows: the layer's first window
    assert (cursor.phase, cursor.layer, cursor.window) == ("backward", 0, 0)


def test_the_stepping_is_part_of_the_stack_file():
    doc = stack_from_json(EXAMPLE)
    assert doc.stepping == "windows" and "stepping" not in doc.to_json()
    by_layer = stack_from_json({**EXAMPLE, "stepping": "layers"})
    assert by_layer.stepping == "layers"
    assert stack_from_json(json.loads(stack_text(by_layer))).stepping == "layers"
    with pytest.raises(ValueError, match="stepping must be"):
        stack_from_json({**EXAMPLE, "stepping": "cells"})


def test_window_steps_come_from_each_layer_s_trace():
    """Stepping "by window": as many steps per layer as its single-operation trace has, the
    step's record is the trace's, and the numbers are computed once (traces are kept)."""
    results = compute_stack(stack_from_json(EXAMPLE))
    counts = results.layer_steps()
    assert counts == (25, 25, 4)  # conv 2×2 with padding 1 on 4×4: 5×5; ReLU 5×5; pool 2×2
    cursor = StackCursor(counts)
    cursor.step = 25 + 25 + 1  # layer 3 (max pooling), window 1
    message = translate_message(step_message(results, cursor))
    trace = results.trace(2)
    assert results.trace(2) is trace  # made once
    out = results.outputs[2][0, 0]
    assert message == f"layer 3 (max_pool2d): Y[0, 1] = {trace.forward_step(1).text}"
    assert message.endswith(f"= {format_number(out[0, 1])}")
    values, grads = step_cells(results, cursor)
    assert values[3] == {(0, 1): {"result"}} and not grads
    window = {pos for pos, roles in values[2].items() if "window" in roles}
    assert window == {(r, c) for r in (0, 1) for c in (2, 3)}
    plane, pending = value_plane(results, cursor, 3)
    assert_array_equal(plane[0, :2], out[0, :2]) and np.isnan(plane[1]).all()
    assert pending is not None and pending.sum() == 2
    cursor.step = cursor.start_of("backward", 0) + 6  # layer 1 backward, window 6
    dx, filled = grad_plane(results, cursor, 0)
    assert filled
    assert_array_equal(dx, results.trace(0).grad_input_after(6)[0])
    assert translate_message(step_message(results, cursor)).startswith("layer 1 (conv2d) backward")
    lines = step_lines(results, cursor)
    assert lines and all(line.startswith("dX[") for line in lines)
    cursor.step = cursor.n_steps - 1  # the last step: the stack's dX, whole
    assert_array_equal(grad_plane(results, cursor, 0)[0], results.level_grad(0)[0, 0])


def test_stepping_by_layer_keeps_one_step_per_layer():
    results = compute_stack(stack_from_json({**EXAMPLE, "stepping": "layers"}))
    assert results.layer_steps() == (1, 1, 1)
    cursor = StackCursor(results.layer_steps(), 2)
    assert translate_message(step_message(results, cursor)).startswith(
        "layer 3 (max_pool2d): 1×5×5 → 1×2×2"
    )
    assert step_cells(results, cursor) == ({}, {}) and not results._traces


# ---- the state: undoable, in sessions ------------------------------------------------------------
def test_the_stack_is_undoable_and_saved_in_sessions(qtbot):
    state = AppState()
    assert state.stack is None
    assert state.stack_state.set_open(True)
    assert state.stack is not None and state.stack_state.is_open
    n = len(state.stack.layers)
    assert state.stack_state.add_layer("relu")
    assert len(state.stack.layers) == n + 1
    assert state.stack_state.set_layer_param(0, "padding", 0)
    assert state.stack.layers[0].value("padding") == (0, 0)
    assert state.stack_state.results.sizes[1] == (6, 6)
    text = session_dumps(session_from_state(state))
    session, _raw = loads(text)
    assert session.snapshot.stack.same_as(state.stack)
    state.undo_stack.undo()
    assert state.stack.layers[0].value("padding") == (1, 1)
    assert state.stack_state.results.sizes[1] == (8, 8)
    state.undo_stack.undo()
    assert len(state.stack.layers) == n
    state.undo_stack.undo()
    assert not state.stack_state.is_open


def test_a_refused_layer_edit_keeps_the_stack_and_names_the_layer(qtbot):
    state = AppState()
    state.stack_state.set_open(True)
    before = state.stack
    assert not state.stack_state.set_layer_param(2, "kernel_size", 9)  # 8×8 input
    assert state.stack is before
    assert "layer 3 (max_pool2d)" in str(state.error)
    rows = state.stack_state.rejected_rows
    assert rows is not None and rows[2].error is not None


def test_a_session_with_a_bad_stack_is_refused_naming_it():
    state = AppState()
    state.stack_state.set_open(True)
    data = json.loads(session_dumps(session_from_state(state)))
    data["stack"]["layers"][2]["kernel_size"] = "big"
    with pytest.raises(ValueError, match="stack: layer 3"):
        loads(json.dumps(data))


# ---- the command line ----------------------------------------------------------------------------
def test_dash_dash_stack_refuses_a_malformed_file_with_exit_2(tmp_path):
    data = {**EXAMPLE, "layers": [{"op": "relu"}, {"op": "max_pool2d", "kernel_size": 0}]}
    result = run_main("--stack", str(stack_file(tmp_path, data)), "--screenshot", "x.png")
    assert_refused(result, "s.json", "layer 2", "kernel_size")


def test_dash_dash_stack_refuses_a_missing_file_and_an_empty_name(tmp_path):
    assert_refused(run_main("--stack", str(tmp_path / "none.json")), "none.json")
    assert_refused(run_main("--stack", ""), "--stack")


def test_dash_dash_stack_opens_the_stack(qtbot, tmp_path):
    from visualizer.app import build_parser, open_files
    from visualizer.main_window import MainWindow

    window = MainWindow()
    try:
        args = build_parser().parse_args(["--stack", str(stack_file(tmp_path, EXAMPLE))])
        assert open_files(window, args, batch=True) == ""
        stack = window.state.stack
        assert stack is not None and stack.open
        assert [layer.op for layer in stack.layers] == ["conv2d", "relu", "max_pool2d"]
    finally:
        window.close()
        window.deleteLater()


def test_dash_dash_step_and_phase_step_an_open_stack(qtbot, tmp_path):
    from visualizer.app import apply_arguments, build_parser, open_files
    from visualizer.main_window import MainWindow

    window = MainWindow()
    try:
        path = str(stack_file(tmp_path, EXAMPLE))
        args = build_parser().parse_args(["--stack", path, "--phase", "backward", "--step", "30"])
        assert open_files(window, args, batch=True) == ""
        assert apply_arguments(window.state, args) == ""
        cursor = window.state.stack_state.cursor
        assert cursor.n_forward == 25 + 25 + 4
        assert cursor.step == cursor.n_forward + 30
        # Backward: layer 3 (4 steps), layer 2 (25), then layer 1 from backward step 29.
        assert (cursor.phase, cursor.layer, cursor.window) == ("backward", 0, 1)
        args = build_parser().parse_args(["--stack", path, "--step", "54"])
        assert "--step (54) must be between 0 and 53" in apply_arguments(window.state, args)
    finally:
        window.close()
        window.deleteLater()


def test_a_pooling_s_stride_alone_defaults_to_its_kernel_size():
    """PyTorch's stride=None is the kernel size; divisor_override=None is not (it was set to
    the kernel size too, and the stack was refused)."""
    data = {**EXAMPLE, "layers": [{"op": "avg_pool2d", "kernel_size": 2, "padding": 1}]}
    layer = stack_from_json(data).layers[0]
    assert layer.value("stride") == (2, 2)
    assert layer.value("divisor_override") is None
    assert compute_stack(stack_from_json(data)).outputs[0].shape == (1, 1, 3, 3)


def test_every_window_step_of_a_mixed_stack_says_and_shows_its_layer():
    """Transposed convolution (a scatter: its steps write patches), LP, adaptive and average
    pooling with padding, two channels in, three out: every step names its layer, its cells
    lie inside their levels, and each level ends as the stack computed it."""
    data = {
        **EXAMPLE,
        "input": np.arange(16).reshape(2, 2, 4).tolist(),
        "layers": [
            {"op": "conv_transpose2d", "weight": np.ones((2, 3, 2, 2)).tolist(),
             "bias": [0.5, -1, 2], "stride": 2},
            {"op": "lp_pool2d", "norm_type": 2, "kernel_size": 2},
            {"op": "adaptive_max_pool2d", "output_size": 3},
            {"op": "avg_pool2d", "kernel_size": 2, "stride": 1, "padding": 1},
        ],
    }  # fmt: skip
    results = compute_stack(stack_from_json(data))
    for channel in (0, 2):
        cursor = StackCursor(results.layer_steps())
        assert cursor.counts == (8, 8, 9, 16)
        for step in range(cursor.n_steps):
            cursor.step = step
            k = cursor.layer
            text = translate_message(step_message(results, cursor, channel))
            assert text.startswith(f"layer {k + 1} ({results.rows[k].op})")
            values, grads = step_cells(results, cursor, channel)
            for by_level in (values, grads):
                for level, cells in by_level.items():
                    h, w = results.sizes[level]
                    assert all(0 <= r < h and 0 <= c < w for r, c in cells)
            if not cursor.filling() and cursor.phase == "forward":
                plane, pending = value_plane(results, cursor, k + 1, channel)
                assert pending is None
                assert_array_equal(plane, results.outputs[k][0, min(channel, 2)])
        assert_array_equal(
            grad_plane(results, cursor, 0, channel)[0],
            results.level_grad(0)[0, 1 if channel else 0],
        )


def test_a_multi_channel_convolution_steps_back_with_every_output_channel():
    """Issue 12 ("each layer's gradient filling in"): a convolution with two input and three
    output channels stepped back window by window.  After window k the shown dX plane holds
    what windows 0..k of every output channel sent (the engine's conv2d_backward with dY kept
    at those windows only), so it ends on the stack's dX without a jump (one channel's share
    alone jumped at the last step); each step's lines sum every channel's term, from the
    plane before the step to the plane after it."""
    from engine import conv2d_backward

    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, (1, 2, 4, 4)).astype(float)
    weight = rng.integers(-2, 3, (3, 2, 2, 2)).astype(float)
    data = {
        **EXAMPLE,
        "input": x[0].tolist(),
        "layers": [{"op": "conv2d", "weight": weight.tolist(), "stride": 1}],
    }
    results = compute_stack(stack_from_json(data))
    dy = results.level_grad(1)
    cursor = StackCursor(results.layer_steps())
    start = cursor.start_of("backward", 0)
    out_h, out_w = dy.shape[2:]
    for channel in (0, 1):
        previous = np.zeros((4, 4))
        for k in range(out_h * out_w):
            cursor.step = start + k
            kept = np.zeros_like(dy)
            kept.reshape(1, 3, -1)[:, :, : k + 1] = dy.reshape(1, 3, -1)[:, :, : k + 1]
            expected = conv2d_backward(kept, x, weight)[0][0, channel]
            plane, filled = grad_plane(results, cursor, 0, channel)
            assert filled
            np.testing.assert_allclose(plane, expected, atol=1e-12)
            lines = step_lines(results, cursor, channel)
            changed = {tuple(p) for p in np.argwhere(plane != previous)}
            for line in lines:
                for part in line.split("   "):
                    name, rest = part.split(": ", 1)
                    r, c = (int(v) for v in name[name.index("[") + 1 : -1].split(", ")[-2:])
                    before, after = rest.split(" + ", 1)[0], rest.rsplit(" = ", 1)[1]
                    assert before == format_number(previous[r, c])
                    assert after == format_number(plane[r, c])
                    assert rest.count(" + ") == 3  # one term per output channel
                    changed.discard((r, c))
            assert not changed  # every cell that changed is written
            previous = plane
        assert_array_equal(previous, results.level_grad(0)[0, channel])

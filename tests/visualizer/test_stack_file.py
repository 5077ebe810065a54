"""Layer stack files (visualizer/model/stack.py) and ``--stack FILE.json`` on the command line:
versioned JSON, checked whole before use, refused with a message naming the layer and the
parameter; the stack in the state is undoable and saved in sessions."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from conftest import run_main

from engine import stack_forward
from visualizer.model.stack import (
    STACK_FORMAT,
    StackCursor,
    compute_stack,
    read_stack_file,
    stack_from_json,
    stack_text,
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


def assert_refused(result, *words):
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [x for x in result.stderr.splitlines() if x.startswith("pooling-visualizer:")]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]


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
    cursor = StackCursor(3)
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

"""Sessions: save → load round trips, hostile files refused with the state untouched, autosave,
the restore offer, recent files and the File-menu shortcuts.

Settings and the autosave live in a per-test temporary folder (tests/conftest.py).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QToolBar

from visualizer import session as session_mod
from visualizer.session import (
    FORMAT,
    MAX_RECENT,
    Session,
    apply_session,
    dumps,
    loads,
    read_session,
    recent_sessions,
    session_from_dict,
    session_from_state,
    session_to_dict,
)
from visualizer.settings import BATCH_PROPERTY, data_dir
from visualizer.state import DEFAULT_INPUT, AppState

# ---- helpers ------------------------------------------------------------------------------------


def assert_same_array(a: np.ndarray, b: np.ndarray) -> None:
    """Equal shape, equal values, NaN where NaN, and the sign of every zero."""
    assert a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))


def assert_same_snapshot(a, b) -> None:
    for name in ("op", "params", "plane", "in_channel", "dy_mode", "dy_seed"):
        assert getattr(a, name) == getattr(b, name), name
    for name in ("x", "weight", "grad_output"):
        assert_same_array(getattr(a, name), getattr(b, name))


# NaN in a convolution input makes NaN outputs, and NumPy says so.
pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")


def make_lesson_state(state: AppState) -> None:
    """A state far from the default in every field a session stores."""
    rng = np.random.default_rng(3)
    x = np.round(rng.normal(0, 3, (2, 2, 6, 7)), 3)
    x[0, 0, 0, 0] = np.nan
    x[0, 1, 2, 3] = -np.inf
    x[1, 0, 1, 1] = -0.0
    x[1, 1, 4, 4] = 1 / 3  # needs every digit to round-trip
    assert state.set_op("conv")
    assert state.set_input(x)
    assert state.set_params(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2))
    assert state.set_out_channels(2)
    assert state.randomize_kernel(session_mod_random_spec())
    assert state.set_params(bias=0.25)
    assert state.fill_grad_output("random", seed=5)
    assert state.select_plane(1, 1, in_channel=1)
    state.set_step(state.n_windows + 2)  # backward phase


def session_mod_random_spec():
    from visualizer.data import RandomSpec

    return RandomSpec("uniform", -2, 2, 11)


def valid_dict() -> dict:
    return session_to_dict(session_from_state(AppState()))


@pytest.fixture
def manager(window):
    return window.session_manager


# ---- pure round trip ----------------------------------------------------------------------------


def test_file_starts_with_format_and_version(qapp):
    data = json.loads(dumps(session_from_state(AppState())))
    assert data["format"] == FORMAT
    assert data["version"] == 1
    assert data["x"] == [[DEFAULT_INPUT]]  # integers stay readable integers


def test_dumps_and_loads_round_trip_every_field_exactly(qapp):
    state = AppState()
    make_lesson_state(state)
    original = session_from_state(state, zoom=1.35)
    text = dumps(original)
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-strict JSON constant {c}"))
    loaded, _ = loads(text)
    assert_same_snapshot(loaded.snapshot, original.snapshot)
    assert loaded.step == original.step and loaded.zoom == 1.35


def test_the_array_cache_gives_the_same_text(qapp):
    state = AppState()
    make_lesson_state(state)
    s = session_from_state(state)
    cache: dict = {}
    first = dumps(s, cache=cache)
    assert set(cache) == {"x", "weight", "grad_output"}
    assert dumps(s, cache=cache) == first == dumps(s)


# ---- save → load through the window -------------------------------------------------------------


def test_save_then_open_in_a_new_window_restores_everything(window, qtbot, tmp_path):
    from visualizer.main_window import MainWindow

    st = window.state
    make_lesson_state(st)
    window.set_zoom(1.3)
    path = tmp_path / "lesson.json"
    assert window.session_manager.save_session(path)
    assert path.is_file()

    other = MainWindow()
    qtbot.addWidget(other)
    assert other.state.op == "max_pool2d"  # a fresh default window
    assert other.session_manager.open_session(path), other.session_manager.last_error
    assert_same_snapshot(other.state.snapshot(), st.snapshot())
    assert other.state.step == st.step and other.state.phase == "backward"
    assert other.views_panel.zoom == pytest.approx(window.views_panel.zoom)
    np.testing.assert_array_equal(other.state.results.output, st.results.output)
    assert "lesson.json" in other.windowTitle()


def test_loading_is_one_undoable_edit(window, tmp_path):
    st = window.state
    other = AppState()
    make_lesson_state(other)
    path = tmp_path / "s.json"
    session_mod.save_session(path, session_from_state(other))
    before = st.snapshot()
    count = st.undo_stack.count()
    assert window.session_manager.open_session(path)
    assert st.undo_stack.count() == count + 1
    assert st.undo_stack.undoText() == "Load session"
    st.undo_stack.undo()
    assert_same_snapshot(st.snapshot(), before)


def test_save_action_without_a_path_asks_for_one(window, tmp_path, monkeypatch):
    target = tmp_path / "chosen"
    monkeypatch.setattr(
        session_mod.QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "")
    )
    window.session_manager.save_action.trigger()
    assert (tmp_path / "chosen.json").is_file()  # the suffix is added
    window.state.set_op("avg")
    window.session_manager.save_action.trigger()  # now saves in place, no dialog
    saved, _ = read_session(tmp_path / "chosen.json")
    assert saved.snapshot.op == "avg_pool2d"


def test_unwritable_save_reports_and_keeps_state(window, tmp_path):
    before = window.state.snapshot()
    assert not window.session_manager.save_session(tmp_path / "missing" / "s.json")
    assert "s.json" in window.session_manager.last_error
    assert_same_snapshot(window.state.snapshot(), before)
    close_message_boxes(window)


# ---- hostile and malformed files ----------------------------------------------------------------


def _with(**changes) -> str:
    data = valid_dict()
    data.update(changes)
    return json.dumps(data)


def _with_params(**changes) -> str:
    data = valid_dict()
    data["params"].update(changes)
    return json.dumps(data)


MALFORMED = {
    "not json": ("hello, I am not JSON", "not a valid JSON"),
    "empty": ("", "not a valid JSON"),
    "truncated": (json.dumps(valid_dict())[:300], "not a valid JSON"),
    "top-level list": ("[1, 2, 3]", "not a session object"),
    "wrong format": (_with(format="something-else"), "not a Pooling Visualizer session"),
    "no format": (json.dumps({"version": 1}), "not a Pooling Visualizer session"),
    "newer version": (_with(version=2), "newer Pooling Visualizer"),
    "version as text": (_with(version="1"), "version must be an integer"),
    "version zero": (_with(version=0), "at least 1"),
    "missing x": (
        json.dumps({k: v for k, v in valid_dict().items() if k != "x"}),
        "'x' is missing",
    ),
    "unknown op": (_with(op="median"), "op ('median') must be one of"),
    "op not a string": (_with(op=3), "op (3) must be one of"),
    "text in x": (_with(x=[[[[1, "abc"]]]]), "'abc' is not a number"),
    "bool in x": (_with(x=[[[[1, True]]]]), "True is not a number"),
    "object in x": (_with(x=[[[[1, {"a": 1}]]]]), "is not a number"),
    "null in x": (_with(x=[[[[1, None]]]]), "None is not a number"),
    "ragged rows": (_with(x=[[[[1, 2, 3], [4, 5]]]]), "ragged"),
    "ragged channels": (_with(x=[[[[1]], [[1], [2]]]]), "ragged"),
    "3-D x": (_with(x=[[[1, 2], [3, 4]]]), "4-D nested list"),
    "x a number": (_with(x=5), "4-D nested list"),
    "empty x": (_with(x=[]), "empty list"),
    "too many columns": (_with(x=[[[[0] * 4097]]]), "4097 columns; at most 4096"),
    "too many channels": (_with(x=[[[[0]]] * 65]), "65 channels; at most 64"),
    # Only the first entry of every level sets the shape (64, 64, 65, 64): refused unread.
    "too many values": (
        _with(x=[[[[0] * 64] * 65] + [[[0]]] * 63] + [[[[0]]]] * 63),
        "x has 17039360 values; at most 16777216",
    ),
    "extra-deep nesting": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    "deep nesting in x": (_with(x=[[[[[[[1]]]]]]]), "is not a number"),
    "kernel as text": (_with_params(kernel_size="3"), "params.kernel_size must be a list"),
    "kernel float": (_with_params(kernel_size=[2.5, 2]), "must be an integer"),
    "huge stride": (_with_params(stride=[10**12, 1]), "must be between"),
    "unknown param": (_with_params(color="red"), "unknown fields: color"),
    "bad ties": (_with_params(ties="random"), "params.ties"),
    "ceil_mode as 1": (_with_params(ceil_mode=1), "true or false"),
    "infinite bias": (_with_params(bias="inf"), "params.bias must be a number"),
    "plane out of range": (_with(plane=[0, 3]), "plane[1]"),
    "negative plane": (_with(plane=[-1, 0]), "plane[0]"),
    "bad dy_mode": (_with(dy_mode="zeros"), "dy_mode"),
    "negative seed": (_with(dy_seed=-4), "dy_seed"),
    "negative step": (_with(step=-1), "step (-1)"),
    "zoom absurd": (_with(view={"zoom": 1e9}), "view.zoom"),
    "refused by the engine": (_with_params(padding=[5, 5]), "padding"),
}


def close_message_boxes(window) -> None:
    for box in window.findChildren(QMessageBox):
        box.close()


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_is_refused_with_a_clear_message_and_no_change(window, tmp_path, case):
    text, expected = MALFORMED[case]
    st = window.state
    st.set_step(3)
    before = st.snapshot()
    undo_count = st.undo_stack.count()
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    manager = window.session_manager

    assert not manager.open_session(path)

    assert expected in manager.last_error, manager.last_error
    assert manager.last_error.startswith("bad.json")  # the message names the file
    assert_same_snapshot(st.snapshot(), before)
    assert st.step == 3
    assert st.undo_stack.count() == undo_count
    assert manager.path is None  # not remembered as the current file
    boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
    assert boxes and expected in boxes[0].text()
    close_message_boxes(window)


def test_binary_file_is_refused(window, tmp_path):
    path = tmp_path / "image.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe\x00binary")
    before = window.state.snapshot()
    assert not window.session_manager.open_session(path)
    assert "not a text (UTF-8) file" in window.session_manager.last_error
    assert_same_snapshot(window.state.snapshot(), before)
    close_message_boxes(window)


def test_file_over_the_size_cap_is_refused_without_reading_it(window, tmp_path):
    path = tmp_path / "huge.json"
    with path.open("wb") as fh:
        fh.truncate(session_mod.MAX_FILE_BYTES + 1)  # sparse: costs no disk space
    before = window.state.snapshot()
    assert not window.session_manager.open_session(path)
    assert "is larger than a session file may be (64 MB at most)" in (
        window.session_manager.last_error
    )
    assert_same_snapshot(window.state.snapshot(), before)
    close_message_boxes(window)


def test_missing_file_is_reported(window, tmp_path):
    assert not window.session_manager.open_session(tmp_path / "gone.json")
    assert "gone.json" in window.session_manager.last_error
    close_message_boxes(window)


def test_session_from_dict_accepts_inf_and_nan_strings():
    data = valid_dict()
    data["x"] = [[[[1, "inf", "-inf", "nan", -0.0, 2.5]]]]
    loaded = session_from_dict(data)
    x = loaded.snapshot.x[0, 0, 0]
    assert x[1] == math.inf and x[2] == -math.inf and math.isnan(x[3])
    assert math.copysign(1, x[4]) == -1 and x[5] == 2.5


def test_apply_session_refused_by_engine_raises_and_keeps_state(qapp):
    state = AppState()
    data = valid_dict()
    data["params"]["padding"] = [5, 5]
    session = session_from_dict(data)
    before = state.snapshot()
    with pytest.raises(ValueError, match="padding"):
        apply_session(state, session)
    assert_same_snapshot(state.snapshot(), before)


# ---- autosave and the restore offer -------------------------------------------------------------


def autosave_file() -> Path:
    return data_dir() / "autosave.json"


def write_autosave(state: AppState, clean: bool) -> None:
    path = autosave_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(session_from_state(state), {"autosave": {"clean_exit": clean}}))


def test_autosave_writes_the_change_after_a_pause(window, qtbot):
    path = autosave_file()
    assert not path.exists()
    assert window.state.set_input_cell(0, 0, 99)
    qtbot.waitUntil(path.exists, timeout=5000)
    saved, raw = read_session(path)
    assert saved.snapshot.x[0, 0, 0, 0] == 99
    assert raw["autosave"]["clean_exit"] is False


def test_autosave_follows_steps_too(window, qtbot):
    window.state.set_step(7)
    qtbot.waitUntil(autosave_file().exists, timeout=5000)
    assert read_session(autosave_file())[0].step == 7


def test_closing_the_window_marks_the_autosave_clean(window):
    window.state.set_op("avg")
    window.close()
    saved, raw = read_session(autosave_file())
    assert saved.snapshot.op == "avg_pool2d"
    assert raw["autosave"]["clean_exit"] is True


def _build_window(qtbot):
    from visualizer.main_window import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    return win


def restore_bar(window) -> QToolBar | None:
    bar = window.findChild(QToolBar, "restoreSessionBar")
    return bar if bar is not None and not bar.isHidden() else None


def test_crashed_session_is_offered_back_and_restored(qtbot, monkeypatch):
    crashed = AppState()
    make_lesson_state(crashed)
    write_autosave(crashed, clean=False)
    # Not offscreen for this test: the offer appears by itself.
    monkeypatch.setattr(session_mod.QGuiApplication, "platformName", staticmethod(lambda: "xcb"))
    win = _build_window(qtbot)
    bar = restore_bar(win)
    assert bar is not None
    assert win.state.op == "max_pool2d"  # nothing restored before the user says so
    qtbot.mouseClick(bar.findChild(QPushButton, "restoreSessionButton"), Qt.LeftButton)
    assert_same_snapshot(win.state.snapshot(), crashed.snapshot())
    assert win.state.step == crashed.step
    assert win.findChild(QToolBar, "restoreSessionBar") is None or restore_bar(win) is None
    win.state.undo_stack.undo()  # the restore can be undone
    assert win.state.op == "max_pool2d"


def _window_after_autosave(qtbot, monkeypatch, op: str, clean: bool):
    """A window started on a desktop platform after a run on ``op`` that ended ``clean``."""
    last = AppState()
    last.set_op(op)
    write_autosave(last, clean=clean)
    monkeypatch.setattr(session_mod.QGuiApplication, "platformName", staticmethod(lambda: "xcb"))
    return _build_window(qtbot)


def test_discard_keeps_the_fresh_start(qtbot, monkeypatch):
    win = _window_after_autosave(qtbot, monkeypatch, "avg", clean=False)
    bar = restore_bar(win)
    assert bar is not None
    qtbot.mouseClick(bar.findChild(QPushButton, "discardSessionButton"), Qt.LeftButton)
    assert restore_bar(win) is None
    assert win.state.op == "max_pool2d"
    # The menu entry still brings it back.
    assert win.session_manager.restore_previous_action.isEnabled()
    win.session_manager.restore_previous_action.trigger()
    assert win.state.op == "avg_pool2d"


def test_no_offer_after_a_clean_exit_but_the_menu_entry_works(qtbot, monkeypatch):
    win = _window_after_autosave(qtbot, monkeypatch, "conv", clean=True)
    assert restore_bar(win) is None
    win.session_manager.restore_previous_action.trigger()
    assert win.state.op == "conv2d"


def test_no_offer_offscreen_unless_asked(qtbot):
    crashed = AppState()
    crashed.set_op("avg")
    write_autosave(crashed, clean=False)
    win = _build_window(qtbot)  # QT_QPA_PLATFORM=offscreen
    assert restore_bar(win) is None
    assert win.session_manager.offer_restore()  # a test (or a user action) can still ask
    assert restore_bar(win) is not None


def test_no_offer_when_the_autosave_equals_the_start(qtbot):
    write_autosave(AppState(), clean=False)
    win = _build_window(qtbot)
    assert not win.session_manager.offer_restore()
    assert restore_bar(win) is None


def test_damaged_autosave_is_set_aside_and_the_app_starts_fresh(qtbot):
    path = autosave_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = '{"format": "pooling-visualizer-session", "version": 1, "op": '
    path.write_text(text)
    win = _build_window(qtbot)
    assert not win.session_manager.restore_previous_action.isEnabled()
    assert not win.session_manager.offer_restore()
    kept = list(path.parent.glob("autosave.bad-*.json"))
    assert len(kept) == 1 and kept[0].read_text() == text  # kept, under another name
    assert "not a valid JSON file" in win.session_manager.notice


def test_batch_runs_neither_autosave_nor_offer(qtbot, qapp, monkeypatch):
    crashed = AppState()
    crashed.set_op("avg")
    write_autosave(crashed, clean=False)
    before = autosave_file().read_text()
    monkeypatch.setattr(session_mod.QGuiApplication, "platformName", staticmethod(lambda: "xcb"))
    qapp.setProperty(BATCH_PROPERTY, True)
    try:
        win = _build_window(qtbot)
        assert restore_bar(win) is None
        win.state.set_op("conv")
        assert not win.session_manager.autosave()
        win.close()
    finally:
        qapp.setProperty(BATCH_PROPERTY, False)
    assert autosave_file().read_text() == before


# ---- recent sessions ----------------------------------------------------------------------------


def test_recent_sessions_newest_first_capped_and_pruned(window, tmp_path):
    manager = window.session_manager
    paths = [tmp_path / f"s{i}.json" for i in range(MAX_RECENT + 2)]
    for p in paths:
        assert manager.save_session(p)
    recent = recent_sessions()
    assert len(recent) == MAX_RECENT
    assert recent[0] == str(paths[-1].resolve())
    assert str(paths[0].resolve()) not in recent  # the oldest fell off

    paths[-2].unlink()
    recent = recent_sessions()
    assert str(paths[-2].resolve()) not in recent
    manager.rebuild_recent_menu()
    texts = [a.text() for a in manager.recent_menu.actions() if a.data()]
    assert texts[0] == f"&1 {paths[-1].name}"
    assert all(paths[-2].name not in t for t in texts)


def test_recent_sessions_survive_a_new_window_and_open(window, qtbot, tmp_path):
    path = tmp_path / "kept.json"
    window.state.set_op("avg")
    assert window.session_manager.save_session(path)
    other = _build_window(qtbot)
    menu = other.session_manager.recent_menu
    other.session_manager.rebuild_recent_menu()
    entry = next(a for a in menu.actions() if a.data() == str(path.resolve()))
    entry.trigger()
    assert other.state.op == "avg_pool2d"


def test_reopening_moves_a_file_to_the_top(window, tmp_path):
    manager = window.session_manager
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    manager.save_session(a)
    manager.save_session(b)
    assert manager.open_session(a)
    assert recent_sessions()[:2] == [str(a.resolve()), str(b.resolve())]


# ---- menus, toolbar and shortcuts ---------------------------------------------------------------


def test_file_menu_and_toolbar_entries(window):
    manager = window.session_manager
    file_actions = window.menus["file"].actions()
    for action in (manager.open_action, manager.save_action, manager.save_as_action):
        assert action in file_actions
    assert manager.recent_menu.menuAction() in file_actions
    toolbar = window.toolbar.actions()
    assert manager.open_action in toolbar and manager.save_action in toolbar
    assert manager.open_action.shortcut() == QKeySequence("Ctrl+O")
    assert manager.save_action.shortcut() == QKeySequence("Ctrl+S")
    assert manager.save_as_action.shortcut() == QKeySequence("Ctrl+Shift+S")
    load_image = next(a for a in file_actions if a.text().startswith("Load image"))
    assert load_image.shortcut() == QKeySequence("Ctrl+I")


def test_no_two_actions_share_a_shortcut(window):
    seen: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString()
            if not key:
                continue
            assert key not in seen or seen[key] == action.text(), (
                f"{key} is both {seen[key]!r} and {action.text()!r}"
            )
            seen[key] = action.text()


def test_open_action_uses_the_file_dialog(window, tmp_path, monkeypatch):
    other = AppState()
    other.set_op("conv")
    path = tmp_path / "from_dialog.json"
    session_mod.save_session(path, Session(other.snapshot()))
    monkeypatch.setattr(session_mod.QFileDialog, "getOpenFileName", lambda *a, **k: (str(path), ""))
    window.session_manager.open_action.trigger()
    assert window.state.op == "conv2d"
    QApplication.processEvents()

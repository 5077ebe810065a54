"""Sessions: the whole state as a versioned JSON file, autosave, and the File menu entries.

A session file looks like::

    {"format": "pooling-visualizer-session", "version": 1,
     "op": "max", "params": {"kernel_size": [2, 2], ...},
     "x": [[[[3, 12, ...], ...]]], "weight": [...], "grad_output": [...],
     "plane": [0, 0], "in_channel": 0, "dy_mode": "ones", "dy_seed": 0,
     "step": 0, "view": {"zoom": 1.0, "quiz": false}}

In compare mode the file also holds ``"compare": [{"padding": [0, 0]}, {"padding": [1, 1]}]``
(one object per setting: parameters, and ``"op"`` by its alias); a file without it, as every
older one, opens with compare mode off.

Arrays are 4-D nested lists of numbers; infinities and NaN are written as the strings
``"inf"``, ``"-inf"`` and ``"nan"`` so the file stays strict JSON.  Floats are written with
``repr`` precision, so a save → load round trip is exact.

Reading never trusts the file: every field is checked (type, nesting, size limits) and a
problem raises ``ValueError`` with a message meant for the user; the state is touched only
after the whole file has been read and the engine has accepted it.

Autosave: every change is written (debounced by one second) to the instance's autosave in
:func:`visualizer.settings.data_dir`; a clean exit writes it once more marked
``"clean_exit": true``.  Each running instance owns one *slot*: ``autosave.json`` (slot 0),
``autosave-1.json``, … up to :data:`MAX_INSTANCES`, each guarded by a ``QLockFile``
(``autosave.lock``, ``autosave-1.lock``, …) held for the whole run.  A new instance takes the
lowest slot no running instance holds, so a single instance always uses ``autosave.json``.
A lock left by a process that is gone is stale: its slot is free again.

At start, an autosave that was *not* marked clean (its run crashed or was killed) and differs
from the starting state is offered back in an info bar (Restore / Discard): the one of the
slot taken, and those of other slots whose instance died (their lock is stale) — never one
whose instance still runs.  An offered autosave of another slot is marked clean once the user
answered (Restore or Discard), so it is offered once.  After a clean exit nothing is offered,
but File ▸ Restore previous session loads the slot's last final state on demand.

An autosave that cannot be read (damaged, too large, not a regular file, a number out of
range, anything) never stops the app: it is moved aside as ``autosave.bad-<time>.json`` (kept
for the user), an info bar says so, and the app starts fresh.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QEvent, QLockFile, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStyle,
    QToolBar,
    QWidget,
)

from engine.ops import OPS, Params, get_op
from visualizer.i18n import set_action_text, tr, translate_message
from visualizer.limits import (
    SESSION_MAX_BYTES,
    SESSION_MAX_CHANNELS,
    SESSION_MAX_ELEMENTS,
    SESSION_MAX_PARSE_BYTES,
    SESSION_MAX_SIDE,
    ZOOM_MAX,
    ZOOM_MIN,
)
from visualizer.model.stack import stack_from_json
from visualizer.safe_io import (
    SESSION_FILE,
    UnreadableFileError,
    read_text_file,
    size_text,
    write_text_atomic,
)
from visualizer.safe_io import write_atomically as write_atomically  # moved there; re-exported
from visualizer.schema import (
    SESSION,
    compare_from_json,
    compare_to_json,
    finite_number,
    params_from_json,
    params_to_json,
)
from visualizer.settings import app_settings, data_dir, is_batch_run, list_value
from visualizer.state import AppState, Label, Snapshot
from visualizer.ui import WindowFeature, add_action

FORMAT = "pooling-visualizer-session"
VERSION = 1
# The size of a session file and the memory its JSON may take to parse (visualizer/limits.py):
# both checked before parsing, the size before reading a byte (see _check_json_cost).
MAX_FILE_BYTES = SESSION_MAX_BYTES
MAX_PARSE_BYTES = SESSION_MAX_PARSE_BYTES
MAX_RECENT = 8
AUTOSAVE_NAME = "autosave.json"  # slot 0; slot k > 0 is autosave-<k>.json
MAX_INSTANCES = 16  # autosave slots: instances running at once that each get an autosave
STALE_LOCK_SECONDS = 60  # an unreadable lock file this old was left by a crash while locking
AUTOSAVE_DELAY_MS = 1000
FILE_FILTER = QT_TR_NOOP("Pooling Visualizer session (*.json);;All files (*)")
RECENT_KEY = "sessions/recent"
LAST_DIR_KEY = "sessions/last_dir"
_NON_FINITE = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_PAIRS = ("kernel_size", "stride", "padding", "dilation")


@dataclass(frozen=True)
class Session:
    """What a session file holds: the state's snapshot, the step and view options."""

    snapshot: Snapshot
    step: int = 0
    zoom: float = 1.0
    quiz: bool = False  # quiz mode on (nothing else of it is stored: no question, no score)


# ---- state ↔ dict (pure) -------------------------------------------------------------------------


def session_from_state(state: AppState, zoom: float = 1.0) -> Session:
    return Session(state.snapshot(), int(state.step), float(zoom), bool(state.quiz.on))


def _number(v: float) -> float | int | str:
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    # Integral values as ints keep hand-written files and diffs readable; -0.0 stays a float.
    if v == int(v) and abs(v) < 2**53 and not (v == 0 and math.copysign(1, v) < 0):
        return int(v)
    return v


def _array_to_json(arr: np.ndarray) -> list[Any]:
    a = np.asarray(arr, dtype=float)
    return [[[[_number(v) for v in row] for row in plane] for plane in n] for n in a.tolist()]


def _array_text(arr: np.ndarray) -> str:
    """``arr`` as JSON text; the usual cases (all finite) go through C-speed paths."""
    a = np.asarray(arr, dtype=float)
    if np.isfinite(a).all():
        integral = (a == np.round(a)).all() and (np.abs(a) < 2**53).all()
        if integral and not (np.signbit(a) & (a == 0)).any():
            return json.dumps(a.astype(np.int64).tolist(), separators=(",", ":"))
        return json.dumps(a.tolist(), separators=(",", ":"))  # repr: exact round trip
    return json.dumps(_array_to_json(a), separators=(",", ":"), allow_nan=False)


_ARRAYS = ("x", "weight", "grad_output")


def session_to_dict(session: Session, arrays: bool = True) -> dict[str, Any]:
    """The file's content as a dict (``arrays=False`` leaves the three arrays out)."""
    snap = session.snapshot
    p = snap.params
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": VERSION,
        "op": get_op(snap.op).alias,  # read back by alias or PyTorch name
        "params": params_to_json(p),
        "plane": [int(snap.plane[0]), int(snap.plane[1])],
        "in_channel": int(snap.in_channel),
        "dy_mode": snap.dy_mode,
        "dy_seed": int(snap.dy_seed),
        "step": int(session.step),
        "view": {"zoom": float(session.zoom), "quiz": bool(session.quiz)},
    }
    if snap.compare is not None:  # compare mode (files without it open with it off)
        data["compare"] = compare_to_json(snap.compare)
    if snap.stack is not None:  # the layer stack, as a stack file holds it
        data["stack"] = snap.stack.to_json()
    if arrays:
        for name in _ARRAYS:
            data[name] = _array_to_json(getattr(snap, name))
    return data


def dumps(
    session: Session,
    extra: dict[str, Any] | None = None,
    cache: dict[str, tuple[np.ndarray, str]] | None = None,
) -> str:
    """The session file's text.

    ``cache`` (name → (array, text)) lets repeated saves of the same arrays skip encoding
    them: the state replaces its arrays on every edit and never changes one in place, so
    the same object means the same content.  The autosave after a step uses it.
    """
    meta = dict(session_to_dict(session, arrays=False), **(extra or {}))
    parts = [json.dumps(meta, allow_nan=False, separators=(",", ":"))[:-1]]
    for name in _ARRAYS:
        arr = getattr(session.snapshot, name)
        hit = cache.get(name) if cache is not None else None
        if hit is not None and hit[0] is arr:
            text = hit[1]
        else:
            text = _array_text(arr)
            if cache is not None:
                cache[name] = (arr, text)
        parts.append(f',"{name}":{text}')
    return "".join(parts) + "}"


_TYPE_NAMES = {
    dict: QT_TR_NOOP("an object"),
    list: QT_TR_NOOP("a list"),
    str: QT_TR_NOOP("a string"),
    bool: QT_TR_NOOP("true/false"),
    int: QT_TR_NOOP("an integer"),
    float: QT_TR_NOOP("a number"),
    type(None): QT_TR_NOOP("null"),
}


def _type_name(value: object) -> str:
    name = _TYPE_NAMES.get(type(value))
    return tr(name) if name else type(value).__name__


def _int(value: object, name: str, low: int, high: int) -> int:
    if type(value) is not int:
        message = tr("{field} must be an integer, not {type}")
        raise ValueError(message.format(field=name, type=_type_name(value)))
    if not low <= value <= high:
        message = tr("{field} ({value}) must be between {low} and {high}")
        raise ValueError(message.format(field=name, value=value, low=low, high=high))
    return value


def _bool(value: object, name: str) -> bool:
    if type(value) is not bool:
        message = tr("{field} must be true or false, not {type}")
        raise ValueError(message.format(field=name, type=_type_name(value)))
    return value


def _element(value: object) -> float:
    """One array entry: a JSON number or one of the strings inf, -inf, nan."""
    t = type(value)
    if t is float:
        return value  # type: ignore[return-value]
    if t is int:
        try:
            return float(value)  # type: ignore[arg-type]
        except OverflowError:
            message = tr("an integer with {digits} digits is too large for a number")
            raise ValueError(message.format(digits=len(str(abs(value))))) from None  # type: ignore[arg-type]
    if t is str and value.strip().lower() in _NON_FINITE:  # type: ignore[union-attr]
        return _NON_FINITE[value.strip().lower()]  # type: ignore[union-attr]
    raise ValueError(tr("{value} is not a number").format(value=f"{value!r:.40}"))


def _array(value: object, name: str, low_channels: int = 1) -> np.ndarray:
    """A 4-D nested list of numbers → float array; refuses ragged, deep or huge input."""
    shape: list[int] = []
    probe = value
    for axis in range(4):
        if not isinstance(probe, list):
            message = tr(
                "{field} must be a 4-D nested list (batch, channels, rows, columns); "
                "level {level} is {type}"
            )
            raise ValueError(message.format(field=name, level=axis + 1, type=_type_name(probe)))
        if not probe:
            message = tr("{field} has an empty list at level {level}")
            raise ValueError(message.format(field=name, level=axis + 1))
        shape.append(len(probe))
        probe = probe[0]
    labels = (
        QT_TR_NOOP("{field} has {size} batch items; at most {limit} are allowed"),
        QT_TR_NOOP("{field} has {size} channels; at most {limit} are allowed"),
        QT_TR_NOOP("{field} has {size} rows; at most {limit} are allowed"),
        QT_TR_NOOP("{field} has {size} columns; at most {limit} are allowed"),
    )
    limits = (SESSION_MAX_CHANNELS, SESSION_MAX_CHANNELS, SESSION_MAX_SIDE, SESSION_MAX_SIDE)
    for size, label, limit in zip(shape, labels, limits, strict=True):
        if size > limit:
            raise ValueError(tr(label).format(field=name, size=size, limit=limit))
    total = math.prod(shape)
    if total > SESSION_MAX_ELEMENTS:
        message = tr("{field} has {size} values; at most {limit} are allowed")
        raise ValueError(message.format(field=name, size=total, limit=SESSION_MAX_ELEMENTS))
    out = np.empty(shape, dtype=float)
    for i, batch in enumerate(value):  # type: ignore[arg-type]
        where = f"{name}[{i}]"
        if not isinstance(batch, list) or len(batch) != shape[1]:
            message = tr("{field} must be a list of {count} channels (ragged nesting)")
            raise ValueError(message.format(field=where, count=shape[1]))
        for j, plane in enumerate(batch):
            where = f"{name}[{i}][{j}]"
            if not isinstance(plane, list) or len(plane) != shape[2]:
                message = tr("{field} must be a list of {count} rows (ragged nesting)")
                raise ValueError(message.format(field=where, count=shape[2]))
            for r, row in enumerate(plane):
                if not isinstance(row, list) or len(row) != shape[3]:
                    found = len(row) if isinstance(row, list) else _type_name(row)
                    message = tr(
                        "{field} must be a row of {count} numbers, found {found} (ragged nesting)"
                    )
                    raise ValueError(
                        message.format(field=f"{name}[{i}][{j}][{r}]", count=shape[3], found=found)
                    )
                try:
                    out[i, j, r] = [_element(v) for v in row]
                except (ValueError, OverflowError) as exc:
                    raise ValueError(f"{name}[{i}][{j}][{r}]: {exc}") from None
    return out


def _params(value: object) -> Params:
    return params_from_json(value, SESSION)[0]


def session_from_dict(data: object) -> Session:
    """Check a decoded session file and build a :class:`Session`.

    Raises
    ------
    ValueError
        With a message naming the field and the rule, for any malformed content.
    """
    if not isinstance(data, dict):
        message = tr("the file holds {type}, not a session object")
        raise ValueError(message.format(type=_type_name(data)))
    if data.get("format") != FORMAT:
        raise ValueError(
            tr("this is not a Pooling Visualizer session (no matching 'format' field)")
        )
    version = data.get("version")
    if type(version) is not int:
        message = tr("{field} must be an integer, not {type}")
        raise ValueError(message.format(field="version", type=_type_name(version)))
    if version > VERSION:
        message = tr(
            "the file is session version {version}, written by a newer Pooling Visualizer; "
            "this version reads version {supported}"
        )
        raise ValueError(message.format(version=version, supported=VERSION))
    if version < 1:
        raise ValueError(tr("version ({version}) must be at least 1").format(version=version))
    for key in ("op", "x", "weight", "grad_output"):
        if key not in data:
            raise ValueError(tr("the field {field} is missing").format(field=repr(key)))
    op = data["op"]
    try:
        op = get_op(op).key if isinstance(op, str) else get_op(repr(op)).key  # v1: the alias
    except ValueError:
        message = tr("{field} ({value}) must be one of {choices}")
        raise ValueError(
            message.format(field="op", value=f"{op!r:.40}", choices=", ".join(OPS))
        ) from None
    params = _params(data.get("params", {}))
    x = _array(data["x"], "x")
    weight = _array(data["weight"], "weight")
    grad_output = _array(data["grad_output"], "grad_output")
    plane = data.get("plane", [0, 0])
    if not isinstance(plane, list) or len(plane) != 2:
        raise ValueError(tr("plane must be a list of two integers [n, c]"))
    channels = weight.shape[0] if get_op(op).has_weight else x.shape[1]
    plane_t = (
        _int(plane[0], tr("plane[0] (batch index)"), 0, x.shape[0] - 1),
        _int(plane[1], tr("plane[1] (channel index)"), 0, channels - 1),
    )
    in_channel = _int(data.get("in_channel", 0), "in_channel", 0, x.shape[1] - 1)
    dy_mode = data.get("dy_mode", "ones")
    if dy_mode not in ("ones", "random"):
        message = tr("{field} ({value}) must be one of {choices}")
        raise ValueError(
            message.format(field="dy_mode", value=f"{dy_mode!r:.40}", choices="ones, random")
        )
    dy_seed = _int(data.get("dy_seed", 0), "dy_seed", 0, 2**63 - 1)
    step = _int(data.get("step", 0), "step", 0, 2**31 - 1)
    view = data.get("view", {})
    if not isinstance(view, dict):
        message = tr("{field} must be an object, not {type}")
        raise ValueError(message.format(field="view", type=_type_name(view)))
    zoom = finite_number(view.get("zoom", 1.0), "view.zoom")
    if not ZOOM_MIN <= zoom <= ZOOM_MAX:
        message = tr("{field} ({value}) must be between {low} and {high}")
        raise ValueError(message.format(field="view.zoom", value=zoom, low=ZOOM_MIN, high=ZOOM_MAX))
    compare = None if data.get("compare") is None else compare_from_json(data["compare"])
    stack = None
    if data.get("stack") is not None:
        try:
            stack = stack_from_json(data["stack"])
        except ValueError as exc:
            raise ValueError(f"stack: {translate_message(exc)}") from None
    quiz = _bool(view.get("quiz", False), "view.quiz")  # files before quiz mode: off
    snap = Snapshot(
        op, x, weight, params, grad_output, plane_t, in_channel, dy_mode, dy_seed, compare, stack
    )
    return Session(snap, step, zoom, quiz)


# What json.loads allocates, measured on CPython 3.11: about 70 bytes per list and up to
# about 40 per number (small integers are shared).  Counting brackets and commas bounds it.
_BYTES_PER_LIST = 72
_BYTES_PER_ITEM = 32


def _check_json_cost(text: str) -> None:
    """Refuse text whose parse would need more than :data:`MAX_PARSE_BYTES` of objects (a file
    of nothing but ``[[],[],…]`` passes a size check but would take ~25× its size)."""
    lists = text.count("[") + text.count("{")
    items = text.count(",")
    cost = lists * _BYTES_PER_LIST + items * _BYTES_PER_ITEM
    if cost > MAX_PARSE_BYTES:
        message = tr(
            "it holds {lists} lists and {items} items: reading it would take about {memory} "
            "of memory ({limit} at most)"
        )
        raise ValueError(
            message.format(
                lists=lists,
                items=items,
                memory=size_text(cost),
                limit=size_text(MAX_PARSE_BYTES),
            )
        )


def loads(text: str) -> tuple[Session, dict[str, Any]]:
    """Parse a session file's text; returns the session and the raw dict (for extra keys).

    Raises
    ------
    ValueError
        For anything that is not a valid session, with a message for the user (also when
        the cause was an overflow, the nesting depth or a lack of memory).
    """
    _check_json_cost(text)
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(tr("the JSON is nested too deeply to be a session file")) from None
    except MemoryError:
        raise ValueError(tr("not enough memory to read this file")) from None
    except ValueError as exc:
        raise ValueError(tr("not a valid JSON file ({reason})").format(reason=exc)) from None
    try:
        return session_from_dict(data), data
    except RecursionError:
        raise ValueError(tr("the JSON is nested too deeply to be a session file")) from None
    except MemoryError:
        raise ValueError(tr("not enough memory to read this file")) from None
    except (OverflowError, TypeError, ArithmeticError) as exc:  # a check missed a case
        message = tr("a value could not be read ({reason})")
        raise ValueError(message.format(reason=f"{type(exc).__name__}: {exc}"[:200])) from None


def _why(exc: BaseException) -> str:
    """The reason of a failed read or write, without the file name, in the user's language."""
    if isinstance(exc, UnreadableFileError):
        return translate_message(exc.reason)
    if isinstance(exc, OSError):
        return str(exc.strerror or exc)
    return translate_message(exc)


def _in_file(path: str | os.PathLike[str], reason: object) -> str:
    """``reason`` (a text or an exception) prefixed with the file's name, as the user's
    messages say it."""
    if isinstance(reason, BaseException):
        reason = translate_message(reason)
    return tr("{file}: {reason}").format(file=Path(path).name, reason=reason)


def read_session(path: str | os.PathLike[str]) -> tuple[Session, dict[str, Any]]:
    """Read and check a session file: only a regular file of at most :data:`MAX_FILE_BYTES`
    (checked before reading, see :mod:`visualizer.safe_io`), parsed only when its JSON's cost
    is within :data:`MAX_PARSE_BYTES`.

    Raises
    ------
    ValueError
        For a missing, unreadable, special, oversized or malformed file; the message names
        the file.
    """
    path = Path(path)
    text = read_text_file(path, MAX_FILE_BYTES, SESSION_FILE)  # its messages name the file
    try:
        return loads(text)
    except ValueError as exc:
        raise ValueError(_in_file(path, exc)) from None


def save_session(path: str | os.PathLike[str], session: Session) -> None:
    """Write ``session`` to ``path`` atomically (see :func:`visualizer.safe_io.write_atomically`).

    Raises
    ------
    OSError
        The file cannot be written.
    ValueError
        The target is a folder, a symbolic link or a special file (left alone).
    """
    write_text_atomic(path, dumps(session))


def apply_session(state: AppState, session: Session, label: Label | None = None) -> None:
    """Put ``state`` in ``session``'s state: one undoable edit (when labelled) and the step.

    Raises
    ------
    ValueError
        If the engine refuses the combination, or the file's dY does not have the output's
        shape; the state is then unchanged.
    """
    # The file's dY is the user's numbers: one that does not fit the output is refused with
    # its shape and the output's, never silently replaced by ones.
    label = label or (lambda: tr("Load session"))
    if not state.restore(session.snapshot, label=label, strict_grad=True):
        message = tr("its settings were refused: {reason}")
        raise ValueError(message.format(reason=translate_message(state.error)))
    state.set_step(session.step)
    state.set_quiz(session.quiz)


def same_content(a: Session, b: Session) -> bool:
    """Whether two sessions show the same thing (view options such as zoom not compared)."""
    sa, sb = a.snapshot, b.snapshot
    for name in _ARRAYS:
        x, y = getattr(sa, name), getattr(sb, name)
        if x.shape != y.shape or not np.array_equal(x, y, equal_nan=True):
            return False
    da, db = session_to_dict(a, arrays=False), session_to_dict(b, arrays=False)
    da.pop("view"), db.pop("view")
    return da == db


# ---- recent files (QSettings) --------------------------------------------------------------------


def recent_sessions() -> list[str]:
    """Recently opened or saved sessions, newest first; files that are gone are dropped."""
    settings = app_settings()
    paths = list_value(settings, RECENT_KEY)
    existing = [p for p in paths if Path(p).is_file()][:MAX_RECENT]
    if existing != paths:
        settings.setValue(RECENT_KEY, existing)
        settings.sync()
    return existing


def add_recent_session(path: str | os.PathLike[str]) -> list[str]:
    path_s = str(Path(path).resolve())
    paths = [path_s] + [p for p in recent_sessions() if p != path_s]
    settings = app_settings()
    settings.setValue(RECENT_KEY, paths[:MAX_RECENT])
    settings.sync()
    return paths[:MAX_RECENT]


def clear_recent_sessions() -> None:
    settings = app_settings()
    settings.setValue(RECENT_KEY, [])
    settings.sync()


# ---- Qt: menus, autosave, restore offer ----------------------------------------------------------


def _window_zoom(window: Any) -> float:
    panel = getattr(window, "views_panel", None)
    return float(getattr(panel, "zoom", 1.0))


def _set_window_zoom(window: Any, zoom: float) -> None:
    if hasattr(window, "set_zoom"):
        window.set_zoom(zoom)
    else:
        window.views_panel.set_zoom(zoom)


class SessionManager(WindowFeature):
    """File ▸ Open / Save / Save as / Recent sessions, the autosave and the restore offer."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.state: AppState = window.state
        self.path: Path | None = None
        self.batch = is_batch_run()
        self.autosave_enabled = not self.batch
        self.last_error = ""
        self.previous: Session | None = None  # the slot's last autosave, read at start
        self.previous_clean = True
        self.restore_bar: QToolBar | None = None  # the offer of self.previous
        self.slot: int | None = None  # autosave slot of this instance (None: batch run)
        self.lock: QLockFile | None = None  # held while the instance runs
        self.orphans: list[Orphan] = []  # other slots' autosaves whose instance died
        self.notice = ""  # what happened to a damaged autosave, also shown in a bar
        self.notice_bar: QToolBar | None = None
        self._encoded: dict[str, tuple[np.ndarray, str]] = {}  # arrays already in JSON

        style = window.style()
        self.open_action = add_action(window, "openSessionAction", QKeySequence.Open, self._on_open)
        self.open_action.setIcon(style.standardIcon(QStyle.SP_DialogOpenButton))
        self.save_action = add_action(window, "saveSessionAction", QKeySequence.Save, self._on_save)
        self.save_action.setIcon(style.standardIcon(QStyle.SP_DialogSaveButton))
        self.save_as_action = add_action(
            window, "saveSessionAsAction", "Ctrl+Shift+S", self._on_save_as
        )
        self.restore_previous_action = add_action(
            window, "restorePreviousAction", None, self._on_restore_previous
        )
        self.recent_menu = QMenu(window)
        self.recent_menu.setObjectName("recentSessionsMenu")
        self.recent_menu.aboutToShow.connect(self.rebuild_recent_menu)

        file_menu: QMenu = window.menus["file"]
        first = file_menu.actions()[0] if file_menu.actions() else None
        for action in (self.open_action, self.recent_menu.menuAction()):
            file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
        for action in (self.save_action, self.save_as_action, self.restore_previous_action):
            file_menu.insertAction(first, action)
        file_menu.insertSeparator(first)
        toolbar: QToolBar = window.toolbar
        tool_first = toolbar.actions()[0] if toolbar.actions() else None
        toolbar.insertAction(tool_first, self.open_action)
        toolbar.insertAction(tool_first, self.save_action)
        self.restore_label: QLabel | None = None
        window.add_retranslate_hook(self.retranslate_ui)

        self.autosave_timer = QTimer(self)
        self.autosave_timer.setSingleShot(True)
        self.autosave_timer.setInterval(AUTOSAVE_DELAY_MS)
        self.autosave_timer.timeout.connect(self.autosave)
        if not self.batch:
            self._claim_slot()
            self._read_previous()
            self._find_orphans()
        else:
            self.restore_previous_action.setEnabled(False)
        if self.autosave_enabled:
            self.state.sigResultsChanged.connect(self._schedule_autosave)
            self.state.sigStepChanged.connect(self._schedule_autosave)
            if hasattr(window, "sigZoomChanged"):
                window.sigZoomChanged.connect(self._schedule_autosave)
            window.installEventFilter(self)
        if self._offer_automatically():
            self.offer_restore()
        if self.notice:
            self._show_notice()

    def retranslate_ui(self) -> None:
        set_action_text(self.open_action, tr("Open session…"))
        set_action_text(self.save_action, tr("Save session"))
        set_action_text(self.save_as_action, tr("Save session as…"))
        set_action_text(
            self.restore_previous_action,
            tr("Restore previous session"),
            tr("Load the state the app was in when it last closed (or crashed)"),
        )
        self.recent_menu.setTitle(tr("Recent sessions"))
        self.rebuild_recent_menu()
        if self.path is not None:
            self.window.setWindowTitle(
                tr("Pooling Visualizer — {file}").format(file=self.path.name)
            )
        bars = [(self.restore_bar, False)] + [(o.bar, True) for o in self.orphans]
        for bar, other in bars:
            if bar is None:
                continue
            bar.setWindowTitle(tr("Restore session"))
            bar.findChild(QLabel, "restoreSessionLabel").setText(
                tr("  Another window of this app did not close normally. Restore its work?  ")
                if other
                else tr("  The last session did not close normally. Restore where you left off?  ")
            )
            restore = bar.findChild(QPushButton, "restoreSessionButton")
            restore.setText(tr("Restore"))
            restore.setToolTip(tr("Load the autosaved state of the last session (can be undone)"))
            discard = bar.findChild(QPushButton, "discardSessionButton")
            discard.setText(tr("Discard"))
            discard.setToolTip(
                tr("Keep the fresh start (File ▸ Restore previous session still works)")
            )
        if self.notice_bar is not None:
            self.notice_bar.setWindowTitle(tr("Autosave"))
            self.notice_bar.findChild(QLabel, "autosaveNoticeLabel").setText(self.notice_text())
            self.notice_bar.findChild(QPushButton, "autosaveNoticeButton").setText(tr("OK"))

    # ---- open / save -----------------------------------------------------------------------------
    def _start_dir(self) -> str:
        if self.path is not None:
            return str(self.path)
        last = app_settings().value(LAST_DIR_KEY, "")
        return str(Path(str(last)) / "session.json") if last else "session.json"

    def _on_open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window, tr("Open session"), self._start_dir(), tr(FILE_FILTER)
        )
        if path:
            self.open_session(path)

    def _on_save(self) -> None:
        if self.path is None:
            self._on_save_as()
        else:
            self.save_session(self.path)

    def _on_save_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self.window, tr("Save session as"), self._start_dir(), tr(FILE_FILTER)
        )
        if path:
            if not Path(path).suffix:
                path += ".json"
            self.save_session(path)

    def open_session(self, path: str | os.PathLike[str]) -> bool:
        """Load a session file (one undoable edit); on any problem show why and change nothing."""
        try:
            session, _ = read_session(path)  # its messages already name the file
        except ValueError as exc:
            self.show_error(tr("Cannot open the session"), translate_message(exc))
            return False
        try:
            apply_session(self.state, session, lambda: tr("Load session"))
        except ValueError as exc:
            self.show_error(tr("Cannot open the session"), _in_file(path, exc))
            return False
        _set_window_zoom(self.window, session.zoom)
        self._set_path(path)
        message = tr("Opened {file}").format(file=Path(path).name)
        self.window.statusBar().showMessage(message, 5000)
        return True

    def save_session(self, path: str | os.PathLike[str]) -> bool:
        try:
            save_session(path, session_from_state(self.state, _window_zoom(self.window)))
        except (OSError, ValueError) as exc:  # ValueError: a folder, link or device there
            reason = _in_file(path, _why(exc))
            self.show_error(tr("Cannot save the session"), reason)
            return False
        self._set_path(path)
        message = tr("Saved {file}").format(file=Path(path).name)
        self.window.statusBar().showMessage(message, 5000)
        return True

    def _set_path(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.window.setWindowTitle(tr("Pooling Visualizer — {file}").format(file=self.path.name))
        add_recent_session(path)
        settings = app_settings()
        settings.setValue(LAST_DIR_KEY, str(self.path.resolve().parent))
        self.rebuild_recent_menu()

    def show_error(self, title: str, text: str) -> None:
        """A non-blocking warning box (``open()``, never ``exec()``), also kept in last_error."""
        self.last_error = text
        self.window.statusBar().showMessage(text, 8000)
        box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, self.window)
        box.setObjectName("sessionErrorBox")
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    # ---- recent files ----------------------------------------------------------------------------
    def rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        paths = recent_sessions()
        for i, p in enumerate(paths):
            action = menu.addAction(f"&{i + 1} {Path(p).name}")
            action.setToolTip(p)
            action.setData(p)
            action.triggered.connect(lambda _=False, path=p: self.open_session(path))
        if paths:
            menu.addSeparator()
            menu.addAction(tr("Clear list"), self._on_clear_recent)
        else:
            menu.addAction(tr("(none)")).setEnabled(False)

    def _on_clear_recent(self) -> None:
        clear_recent_sessions()
        self.rebuild_recent_menu()

    # ---- autosave --------------------------------------------------------------------------------
    def autosave_path(self) -> Path:
        """This instance's autosave (``autosave.json`` unless another instance runs)."""
        return autosave_file(self.slot or 0)

    def _claim_slot(self) -> None:
        """Take the lowest autosave slot no running instance holds (its lock, for the run)."""
        try:
            data_dir().mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # read-only: the autosave of slot 0 can still be restored; writes report
        for slot in range(MAX_INSTANCES):
            lock, busy = _try_lock(slot)
            if lock is not None:
                self.slot, self.lock = slot, lock
                return
            if not busy:  # the lock cannot be made at all (read-only folder): as before
                self.slot = 0
                return
        # Every slot is held by a running instance: this one does not autosave.
        self.slot = None
        self.autosave_enabled = False
        self.restore_previous_action.setEnabled(False)

    def release_slot(self) -> None:
        """Give up the slot (at close): a later instance may take it and its final state."""
        self.autosave_enabled = False
        self.autosave_timer.stop()
        for orphan in self.orphans:
            orphan.release()
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None

    def _schedule_autosave(self, *_args: object) -> None:
        if self.autosave_enabled:
            self.autosave_timer.start()

    def autosave(self, clean: bool = False) -> bool:
        """Write the autosave now; ``clean`` marks a normal exit."""
        if not self.autosave_enabled or self.slot is None:
            return False
        self.autosave_timer.stop()
        path = self.autosave_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            session = session_from_state(self.state, _window_zoom(self.window))
            text = dumps(session, {"autosave": {"clean_exit": clean}}, self._encoded)
            write_text_atomic(path, text)
        except (OSError, ValueError) as exc:
            message = tr("Autosave failed: {reason}").format(reason=_why(exc))
            self.window.statusBar().showMessage(message, 8000)
            return False
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.window and event.type() == QEvent.Close and self.autosave_enabled:
            self.autosave(clean=True)
            self.release_slot()
        return False

    def _read_autosave(self, path: Path) -> tuple[Session, bool] | None:
        """An autosave and whether its run ended cleanly; a file that cannot be read for any
        reason is moved aside (and the user told), and None returned."""
        if not path.exists() and not path.is_symlink():
            return None
        try:
            session, raw = read_session(path)
        except Exception as exc:  # nothing in an autosave may stop the app
            self._set_aside(path, exc)
            return None
        info = raw.get("autosave")
        return session, bool(isinstance(info, dict) and info.get("clean_exit") is True)

    def _set_aside(self, path: Path, exc: BaseException) -> None:
        reason = translate_message(exc) or type(exc).__name__
        if len(reason) > 300:
            reason = reason[:299] + "…"
        try:
            kept = move_aside(path)
        except OSError as err:
            message = tr(
                "The autosave {file} could not be read ({reason}) nor moved aside ({error})."
            )
            self.notice = message.format(file=path.name, reason=reason, error=err.strerror or err)
        else:
            message = tr("The autosave could not be read ({reason}); it was kept as {file}.")
            self.notice = message.format(reason=reason, file=kept)
        self.last_error = self.notice

    def notice_text(self) -> str:
        return tr("  {notice} The app started fresh.  ").format(notice=self.notice)

    def _show_notice(self) -> None:
        """An info bar (until dismissed) and the status line: a damaged autosave was set aside."""
        self.window.statusBar().showMessage(self.notice_text().strip(), 15000)
        if self.notice_bar is not None:
            return
        bar = QToolBar(self.window)
        bar.setObjectName("autosaveNoticeBar")
        bar.setMovable(False)
        bar.setFloatable(False)
        label = QLabel()
        label.setObjectName("autosaveNoticeLabel")
        label.setWordWrap(True)
        label.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # never widens
        label.setMinimumWidth(200)
        ok = QPushButton()
        ok.setObjectName("autosaveNoticeButton")
        bar.addWidget(label)
        bar.addWidget(ok)
        ok.clicked.connect(self._close_notice_bar)
        self.window.addToolBarBreak(Qt.TopToolBarArea)
        self.window.addToolBar(Qt.TopToolBarArea, bar)
        self.notice_bar = bar
        self.retranslate_ui()

    def _close_notice_bar(self) -> None:
        self._remove_bar(self.notice_bar)
        self.notice_bar = None

    def _remove_bar(self, bar: QToolBar | None) -> None:
        if bar is not None:
            self.window.removeToolBar(bar)
            bar.deleteLater()

    def _read_previous(self) -> None:
        found = self._read_autosave(self.autosave_path()) if self.slot is not None else None
        if found is not None:
            self.previous, self.previous_clean = found
        self.restore_previous_action.setEnabled(self.previous is not None)

    def _find_orphans(self) -> None:
        """Autosaves of other slots whose instance died without a clean exit."""
        for slot in range(MAX_INSTANCES):
            path = autosave_file(slot)
            if slot == self.slot or not (path.exists() or path.is_symlink()):
                continue
            lock, _busy = _try_lock(slot)
            if lock is None:
                continue  # its instance still runs (or the lock cannot be made)
            found = self._read_autosave(path)
            if found is None or found[1]:  # unreadable (set aside) or closed normally
                lock.unlock()
                continue
            self.orphans.append(Orphan(found[0], path, lock))

    def _offer_automatically(self) -> bool:
        return (
            not self.batch
            and QGuiApplication.platformName() != "offscreen"
            and ((self.previous is not None and not self.previous_clean) or bool(self.orphans))
        )

    def _make_restore_bar(self, name: str) -> tuple[QToolBar, QPushButton, QPushButton]:
        bar = QToolBar(self.window)
        bar.setObjectName(name)
        bar.setMovable(False)
        bar.setFloatable(False)
        label = QLabel()
        label.setObjectName("restoreSessionLabel")
        restore = QPushButton()
        restore.setObjectName("restoreSessionButton")
        discard = QPushButton()
        discard.setObjectName("discardSessionButton")
        bar.addWidget(label)
        bar.addWidget(restore)
        bar.addWidget(discard)
        self.window.addToolBarBreak(Qt.TopToolBarArea)
        self.window.addToolBar(Qt.TopToolBarArea, bar)
        return bar, restore, discard

    def offer_restore(self) -> bool:
        """Show the Restore / Discard bars: for the slot's last autosave if it differs from
        the current state, and for every other slot's autosave whose instance died."""
        shown = False
        current = session_from_state(self.state, _window_zoom(self.window))
        if (
            self.restore_bar is None
            and self.previous is not None
            and not same_content(self.previous, current)
        ):
            bar, restore, discard = self._make_restore_bar("restoreSessionBar")
            restore.clicked.connect(self._on_restore_clicked)
            discard.clicked.connect(self._close_restore_bar)
            self.restore_bar = bar
            shown = True
        for orphan in self.orphans:
            if orphan.bar is None and not orphan.answered:
                orphan.bar, restore, discard = self._make_restore_bar("restoreOtherSessionBar")
                restore.clicked.connect(lambda _=False, o=orphan: self._answer_orphan(o, True))
                discard.clicked.connect(lambda _=False, o=orphan: self._answer_orphan(o, False))
                shown = True
        if shown:
            self.retranslate_ui()
        return shown

    def _answer_orphan(self, orphan: Orphan, restore: bool) -> None:
        """Restore (or not) another instance's work; either way it is not offered again."""
        if restore and not self._restore(orphan.session):
            return
        orphan.answered = True
        try:  # marked clean: like a window closed normally, kept but not offered again
            text = dumps(orphan.session, {"autosave": {"clean_exit": True}})
            write_text_atomic(orphan.path, text)
        except (OSError, ValueError) as exc:
            message = tr("Autosave failed: {reason}").format(reason=_why(exc))
            self.window.statusBar().showMessage(message, 8000)
        orphan.release()
        self._remove_bar(orphan.bar)
        orphan.bar = None

    def _on_restore_clicked(self) -> None:
        self._on_restore_previous()
        self._close_restore_bar()

    def _close_restore_bar(self) -> None:
        self._remove_bar(self.restore_bar)
        self.restore_bar = None

    def _on_restore_previous(self) -> None:
        if self.previous is not None:
            self._restore(self.previous)

    def _restore(self, session: Session) -> bool:
        """Restore ``session`` as one undoable step; False (and a message) if it is refused."""
        try:
            apply_session(self.state, session, lambda: tr("Restore previous session"))
        except ValueError as exc:
            self.show_error(tr("Cannot restore the previous session"), str(exc))
            return False
        _set_window_zoom(self.window, session.zoom)
        message = tr("Previous session restored (Ctrl+Z undoes)")
        self.window.statusBar().showMessage(message, 5000)
        return True


@dataclass(eq=False)
class Orphan:
    """Another slot's autosave whose instance died; its lock is held while it is offered."""

    session: Session
    path: Path
    lock: QLockFile | None
    bar: QToolBar | None = None
    answered: bool = False

    def release(self) -> None:
        if self.lock is not None:
            self.lock.unlock()
            self.lock = None


def autosave_file(slot: int) -> Path:
    """The autosave of instance slot ``slot``: ``autosave.json``, ``autosave-1.json``, …"""
    return data_dir() / (AUTOSAVE_NAME if slot == 0 else f"autosave-{slot}.json")


def _lock_file(slot: int) -> Path:
    return data_dir() / ("autosave.lock" if slot == 0 else f"autosave-{slot}.lock")


def _try_lock(slot: int) -> tuple[QLockFile | None, bool]:
    """``(lock, busy)``: the slot's lock, taken, if no running instance holds it; else
    ``(None, True)`` when a running instance holds it, ``(None, False)`` when no lock can
    be made there (a read-only folder)."""
    path = _lock_file(slot)
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # held for the whole run: stale only when its process is gone
    if lock.tryLock(0):
        return lock, False
    if lock.error() != QLockFile.LockFailedError:
        return None, False
    pid, _host, _app = lock.getLockInfo()
    if pid <= 0:  # unreadable: a crash while the lock was written, if it is not brand new
        try:
            age = time.time() - path.stat().st_mtime
        except OSError:
            age = 0.0
        if age > STALE_LOCK_SECONDS and lock.removeStaleLockFile() and lock.tryLock(0):
            return lock, False
    return None, True


def move_aside(path: Path) -> Path:
    """Rename a damaged autosave to ``<name>.bad-<YYYYmmdd-HHMMSS>.json`` (never over another
    file) and return the new path; OSError if it cannot be renamed."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.bad-{stamp}.json")
    n = 2
    while target.exists() or target.is_symlink():
        target = path.with_name(f"{path.stem}.bad-{stamp}-{n}.json")
        n += 1
    os.rename(path, target)
    return target


def install(window: QWidget) -> None:
    window.session_manager = SessionManager(window)  # type: ignore[attr-defined]

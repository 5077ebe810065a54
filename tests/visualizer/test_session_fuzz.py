"""Fuzzing the session loader: whatever a session file holds, reading it either gives a session
or raises ``ValueError`` with a message — never another exception (an OverflowError from a
400-digit number once stopped the app on every start)."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from visualizer.session import loads, session_from_state, session_to_dict
from visualizer.state import AppState

# JSON values, including the awkward ones: huge integers, non-finite floats (as Python's json
# writes them), deep-ish nesting, strings that look like numbers.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(["inf", "-inf", "nan", "1e999", "max", "conv2d", ""])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def base() -> dict:
    return session_to_dict(session_from_state(AppState()))


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    """Every place in ``data`` a value could be swapped."""
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += paths(value, (*prefix, key))
    elif isinstance(data, list) and len(data) <= 8:
        for i, value in enumerate(data):
            out += paths(value, (*prefix, i))
    return out


def put(data: object, path: tuple, value: object) -> object:
    if not path:
        return value
    head, *rest = path
    data[head] = put(data[head], tuple(rest), value)  # type: ignore[index]
    return data


def assert_loads_or_refuses(text: str) -> None:
    try:
        loads(text)
    except ValueError as exc:
        assert str(exc)  # a message for the user


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), value=VALUES)
def test_any_field_replaced_by_any_json_value_is_loaded_or_refused(qapp, data, value):
    session = base()
    where = data.draw(st.sampled_from(paths(session)))
    mutated = put(session, where, value)
    assert_loads_or_refuses(json.dumps(mutated))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_any_field_removed_is_loaded_or_refused(qapp, data):
    session = base()
    where = data.draw(st.sampled_from([p for p in paths(session) if p]))
    parent = session
    for key in where[:-1]:
        parent = parent[key]
    del parent[where[-1]]
    assert_loads_or_refuses(json.dumps(session))


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=200))
def test_any_text_is_loaded_or_refused(qapp, text):
    assert_loads_or_refuses(text)


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(min_value=0, max_value=10_000))
def test_a_truncated_session_is_refused(qapp, cut):
    text = json.dumps(base())
    assert_loads_or_refuses(text[: cut % len(text)])

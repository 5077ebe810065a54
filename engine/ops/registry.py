"""The registry: every operation, in the order the app offers them (keys 1..9, menus, CLI)."""

from __future__ import annotations

from engine.errors import ParameterError
from engine.ops.spec import OpSpec

#: Registered operations by PyTorch name, in registration order.
OPS: dict[str, OpSpec] = {}


def register(spec: OpSpec) -> OpSpec:
    """Add ``spec`` to :data:`OPS` (a module registers its operation when it is imported).

    Raises
    ------
    ValueError
        If its key or alias is already taken by another operation.
    """
    for other in OPS.values():
        if other.key != spec.key and spec.alias in (other.key, other.alias):
            raise ValueError(f"alias {spec.alias!r} of {spec.key} is taken by {other.key}")
    OPS[spec.key] = spec
    return spec


def unregister(key: str) -> None:
    """Remove operation ``key`` (tests register throw-away operations and remove them)."""
    OPS.pop(key, None)


def get_op(name: str) -> OpSpec:
    """The operation called ``name``: its PyTorch name or its short alias.

    Raises
    ------
    ParameterError
        Naming the known operations.
    """
    if name in OPS:
        return OPS[name]
    for spec in OPS.values():
        if spec.alias == name:
            return spec
    raise ParameterError(
        "operation ({op}) must be one of {ops}", op=repr(name), ops=", ".join(op_names())
    )


def op_names() -> list[str]:
    """Every accepted name: keys and aliases, key first, in registry order."""
    names = []
    for spec in OPS.values():
        names += [spec.key, spec.alias]
    return names

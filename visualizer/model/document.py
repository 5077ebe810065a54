"""The document: the operation, its parameters and its tensors, as one frozen value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine.ops import OPS, OpSpec, Params, get_op
from visualizer.model.stack import StackDoc


def default_params() -> Params:
    """Every registered operation's defaults (the first operation's value for shared names)."""
    values: dict[str, object] = {}
    for spec in OPS.values():
        for param in spec.params:
            values.setdefault(param.name, param.default)
    return Params(values)


#: The key of a compare variant that names an operation instead of a parameter.
OP_FIELD = "op"


@dataclass(frozen=True)
class Variant:
    """One panel of compare mode: what it changes in the document.

    ``changes`` holds ``(name, value)`` pairs: parameters by their registry names and, under
    :data:`OP_FIELD`, an operation's registry key.  No pair: the document as it is.
    """

    changes: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, changes: Mapping[str, Any]) -> Variant:
        return cls(tuple(changes.items()))

    def as_dict(self) -> dict[str, Any]:
        return dict(self.changes)


@dataclass(frozen=True)
class CompareSetup:
    """Compare mode: two or more variants of the document, shown side by side in lockstep."""

    variants: tuple[Variant, ...]

    @classmethod
    def of(cls, *changes: Mapping[str, Any]) -> CompareSetup:
        return cls(tuple(Variant.of(c) for c in changes))


@dataclass(frozen=True)
class Document:
    """Everything an edit can change: what undo restores and a session file stores.

    Attributes
    ----------
    op : the operation's registry key (``max_pool2d``)
    x : (N, C, H, W) input
    weight : (C_out, C_in, kH, kW); kept (and shown) only for operations with a weight
    params : every parameter value the user set (also those the operation does not use)
    grad_output : (N, C_out, out_H, out_W) upstream gradient
    plane : (n, c) shown; c is the output channel for operations with a weight
    in_channel : which input channel's kernel slice is shown
    dy_mode, dy_seed : how dY is refilled when the output shape changes
    compare : compare mode's variants (``None``: compare mode is off)
    stack : the layer stack of Stack mode (None: never opened)
    """

    op: str
    x: np.ndarray
    weight: np.ndarray
    params: Params
    grad_output: np.ndarray
    plane: tuple[int, int]
    in_channel: int
    dy_mode: str
    dy_seed: int
    compare: CompareSetup | None = None
    stack: StackDoc | None = None

    @property
    def spec(self) -> OpSpec:
        return get_op(self.op)

    @property
    def out_channels(self) -> int:
        """Channels of the output: the weight's output channels, or the input's."""
        spec = self.spec
        return self.weight.shape[1 - spec.weight_in_axis] if spec.has_weight else self.x.shape[1]

    def weight_index(self, c_out: int, c_in: int) -> tuple[int, int]:
        """Where the kernel slice of output channel ``c_out`` and input ``c_in`` lies."""
        return (c_in, c_out) if self.spec.weight_in_axis == 0 else (c_out, c_in)

    @property
    def shown_input_channel(self) -> int:
        """The input channel the views show: the kernel slice's for a weight, else the plane's."""
        return self.in_channel if self.spec.has_weight else self.plane[1]

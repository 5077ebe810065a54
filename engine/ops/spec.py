"""What an operation *is*, as data: its parameters, tensors, computation, steps and code.

An :class:`OpSpec` is registered once (``engine.ops.registry``) and everything else reads it:
the parameter panel builds its controls from the :class:`ParamSpec` list, the views panel shows
the :class:`TensorSpec` views, the CLI offers the keys and aliases, sessions and presets parse
parameters through :meth:`ParamSpec.coerce`, the code view writes :attr:`OpSpec.numpy_call` and
:attr:`OpSpec.torch_call`, and stepping reads :class:`Step` records.  Nothing outside
``engine/ops`` compares an operation's name.

Texts meant for people (labels, help) are written in English inside ``QT_TR_NOOP("…")``, a
no-op here, so Qt's ``lupdate`` collects them and the visualizer translates them with ``tr``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from engine.errors import ParameterError
from engine.geometry import WindowGeometry
from engine.trace import Accumulation, CellRole, Step, StepCell


def QT_TR_NOOP(text: str) -> str:
    """Mark ``text`` for translation (collected by ``pyside6-lupdate``; returned unchanged)."""
    return text


# ---- parameters -------------------------------------------------------------------------------
ParamKind = Literal["int", "pair", "bool", "float", "choice", "optional_int", "optional_float"]

#: Bounds every integer parameter stays within, so controls, files and the CLI agree.
INT_LIMIT = 4096


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of an operation.

    Attributes
    ----------
    name : the torch argument name (``kernel_size``), also the session/preset key
    kind : int, pair (height, width), bool, float, choice, optional_int or optional_float
    default : value used when nothing else is given (pairs as ``(h, w)``)
    minimum, maximum : valid range of each number (``None``: unbounded)
    choices : allowed values of a ``choice``; ``choice_labels`` their translatable names
    depends_on : parameters whose value decides whether this one matters (for the panel)
    label : short translatable label; ``help`` a translatable tooltip
    engine : passed to the forward function (``False``: used elsewhere, e.g. the kernel shape
        of a convolution, which is the weight's shape, or the tie rule of the backward only)
    cli : the command-line flag that sets it, if any (``--kernel``)
    """

    name: str
    kind: ParamKind
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    label: str = ""
    help: str = ""
    engine: bool = True
    cli: str | None = None

    def coerce(self, value: object) -> Any:
        """``value`` checked and in canonical form (pairs as tuples), or ``ParameterError``."""
        kind = self.kind
        if kind == "bool":
            if isinstance(value, (bool, np.bool_)):
                return bool(value)
            raise ParameterError(
                "{name} ({value}) must be true or false", name=self.name, value=value
            )
        if kind in ("optional_int", "optional_float") and value is None:
            return None
        if kind == "choice":
            if value in self.choices:
                return value
            raise ParameterError(
                "{name} ({value}) must be one of {choices}",
                name=self.name,
                value=repr(value),
                choices=", ".join(self.choices),
            )
        if kind in ("float", "optional_float"):
            if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
                try:
                    number = float(value)
                except OverflowError:  # a 400-digit integer
                    number = math.inf
                if math.isfinite(number):
                    return self._bounded(number)
            raise ParameterError(
                "{name} ({value}) must be a finite number", name=self.name, value=value
            )
        if kind == "pair":
            if _is_int(value):
                pair = (int(value), int(value))  # type: ignore[call-overload]
            elif (
                isinstance(value, (list, tuple))
                and len(value) in (1, 2)
                and all(_is_int(v) for v in value)
            ):
                pair = (int(value[0]), int(value[-1]))
            else:
                raise ParameterError(
                    "{name} ({value}) must be an int or a pair of ints (height, width)",
                    name=self.name,
                    value=value,
                )
            return (self._bounded(pair[0]), self._bounded(pair[1]))
        if _is_int(value):
            return self._bounded(int(value))  # type: ignore[call-overload]
        raise ParameterError("{name} ({value}) must be an int", name=self.name, value=value)

    def _bounded(self, number: Any) -> Any:
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ParameterError(
                "{name} ({value}) must be between {minimum} and {maximum}",
                name=self.name,
                value=number,
                minimum=_plain(low),
                maximum=_plain(high),
            )
        return number


def _plain(bound: float | None) -> str:
    if bound is None:
        return "∞"
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


class Params(Mapping[str, Any]):
    """Parameter values by name, immutable; read as ``params.kernel_size`` or ``params["…"]``.

    A document keeps every value the user set, also those the current operation does not use,
    so switching from max pooling to convolution and back keeps ``ceil_mode``.  The
    operation's :meth:`OpSpec.engine_kwargs` picks what it needs.
    """

    __slots__ = ("_values",)

    def __init__(self, values: Mapping[str, Any] | None = None, **more: Any) -> None:
        merged = dict(values or {})
        merged.update(more)
        object.__setattr__(self, "_values", merged)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Params are immutable; use replace()")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Params):
            return self._values == other._values
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(sorted(self._values.items(), key=lambda kv: kv[0])))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Params({inner})"

    def replace(self, **changes: Any) -> Params:
        """A copy with ``changes`` applied."""
        return Params(self._values, **changes)


# ---- tensors ----------------------------------------------------------------------------------
TensorRole = Literal[
    "input",
    "weight",
    "bias",
    "indices",
    "output",
    "mask",
    "grad_output",
    "grad_input",
    "grad_weight",
    "grad_bias",
]


@dataclass(frozen=True)
class TensorSpec:
    """One tensor an operation reads or produces, and how the app shows it.

    Attributes
    ----------
    name : key in the tensors/outputs/grads dictionaries (``input``, ``grad_input`` …)
    role : what it is (input, weight, indices, output, mask, grad_output, grad_input …)
    symbol : how the arithmetic names it (``X``, ``dY`` …)
    shape : the shape rule in words (``(N, C, H, W)``)
    editable : the user may type into it
    differentiable : a gradient flows to it (checked by finite differences)
    view : the object name of the view that shows it (``inputMatrix``), or ``""`` for none
    """

    name: str
    role: TensorRole
    symbol: str
    shape: str
    editable: bool = False
    differentiable: bool = False
    view: str = ""


# ---- the operation ----------------------------------------------------------------------------
Tensors = Mapping[str, np.ndarray]


@dataclass(frozen=True)
class OpSpec:
    """One registered operation.

    Attributes
    ----------
    key : the PyTorch name (``max_pool2d``), the registry key and what sessions store
    alias : the short command-line name (``max``)
    label, description : translatable texts for menus and help
    params : the parameters the operation uses, in panel order
    tensors : the tensors it reads and produces, in view order
    pad_value : what a padding cell holds in the input view (−∞ for max pooling)
    geometry : ``(input shape (N, C, H, W), weight shape or None, params) -> WindowGeometry``;
        validates and raises :class:`ParameterError`
    forward : ``(tensors, params) -> (outputs, ctx)``; outputs include ``output``
    backward : ``(ctx, grad_outputs) -> grads`` (``grad_input`` and, with a weight,
        ``grad_weight``, ``grad_bias``)
    trace : ``(tensors, params, ctx, grads, plane (n, c), in_channel) -> engine.trace.Trace``
        the step-by-step story of one plane
    engine_kwargs : ``params -> dict`` of the forward function's keyword arguments
    reference : the plain-loop forward and backward functions (the "by hand" view)
    numpy_call, torch_call : the function names in ``engine`` and ``torch.nn.functional``
    pitfalls : keys of ``engine.pitfalls.PITFALLS`` that apply
    output_in_input_scale : the outputs are input values (max pooling): one colour scale
    reduction : what a window computes, in words code uses: ``max``, ``avg``, ``sum`` (pitfalls
        that rewrite the operation by hand need it)
    order : place in the menus and the 1..9 shortcuts (lower first)
    switch_params : ``(params) -> params`` adjusts carried-over values when switching to this op
    explain : ``(in_size (H, W), weight shape or None, params) -> lines`` the output-size
        formula with the numbers substituted
    """

    key: str
    alias: str
    label: str
    description: str
    params: tuple[ParamSpec, ...]
    tensors: tuple[TensorSpec, ...]
    pad_value: float
    geometry: Callable[[tuple[int, ...], tuple[int, ...] | None, Params], WindowGeometry]
    forward: Callable[[Tensors, Params], tuple[dict[str, np.ndarray], Any]]
    backward: Callable[[Any, Tensors], dict[str, np.ndarray | None]]
    trace: Callable[..., Any]
    engine_kwargs: Callable[[Params], dict[str, Any]]
    reference: tuple[Callable[..., Any], Callable[..., Any]]
    numpy_call: str
    torch_call: str
    explain: Callable[[tuple[int, int], tuple[int, ...] | None, Params], list[str]]
    pitfalls: tuple[str, ...] = ()
    order: int = 100
    reduction: str = ""
    output_in_input_scale: bool = False
    switch_params: Callable[[Params], Params] = lambda p: p
    backward_kwargs: tuple[str, ...] = ()

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has_param(self, name: str) -> bool:
        return any(spec.name == name for spec in self.params)

    def tensor(self, name: str) -> TensorSpec:
        for spec in self.tensors:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has_tensor(self, name: str) -> bool:
        return any(spec.name == name for spec in self.tensors)

    @property
    def has_weight(self) -> bool:
        return self.has_tensor("weight")

    def default_params(self) -> Params:
        return Params({p.name: p.default for p in self.params})

    def coerce_params(self, values: Mapping[str, Any]) -> Params:
        """Check every value this operation uses (others are kept as they are)."""
        out = dict(values)
        for spec in self.params:
            out[spec.name] = spec.coerce(values.get(spec.name, spec.default))
        return Params(out)


__all__ = [
    "Accumulation",
    "CellRole",
    "OpSpec",
    "ParamSpec",
    "Params",
    "Step",
    "StepCell",
    "TensorSpec",
]

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
from typing import Any, Literal, TypeVar

import numpy as np

from engine.errors import ParameterError
from engine.geometry import WindowGeometry, is_int
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
    shortcuts : ``(translatable label, value)`` one-click values offered beside the control
        (adaptive pooling's "Global" = 1 × 1)
    torch_values : the values PyTorch itself has (empty: all of them); any other value is an
        option of the app's own, so the comparison with PyTorch differs there by design
    torch_note : translatable sentence saying why (the comparison with PyTorch shows it); its
        fields are ``{name}``, ``{value}`` and the value under the parameter's own name
    torch_code_note : the same as a comment in the generated PyTorch code (code is English)
    view_option : not an argument of the operation but a way of showing it (transposed
        convolution "computed as a convolution"): the panel labels it with its translated
        :attr:`label`; it is never passed to the engine or PyTorch (``engine`` is ``False``)
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
    shortcuts: tuple[tuple[str, Any], ...] = ()
    torch_values: tuple[Any, ...] = ()
    torch_note: str = ""
    torch_code_note: str = ""
    view_option: bool = False

    def differs_from_torch(self, value: object) -> bool:
        """Whether ``value`` is one of the app's own options that PyTorch does not have."""
        return bool(self.torch_values) and value not in self.torch_values

    def torch_fields(self, value: object) -> dict[str, object]:
        """The fields of :attr:`torch_note` and :attr:`torch_code_note` for ``value``."""
        return {self.name: value, "name": self.name, "value": value}

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
            if is_int(value):
                number = int(value)
                pair = (number, number)
            elif (
                isinstance(value, (list, tuple))
                and len(value) in (1, 2)
                and all(is_int(v) for v in value)
            ):
                pair = (int(value[0]), int(value[-1]))
            else:
                raise ParameterError(
                    "{name} ({value}) must be an int or a pair of ints (height, width)",
                    name=self.name,
                    value=value,
                )
            return (self._bounded(pair[0]), self._bounded(pair[1]))
        if is_int(value):
            return self._bounded(int(value))
        raise ParameterError("{name} ({value}) must be an int", name=self.name, value=value)

    def _bounded(self, number: Any) -> Any:
        low, high = self.minimum, self.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            raise ParameterError(
                "{name} ({value}) must be between {minimum} and {maximum}",
                name=self.name,
                value=number,
                minimum=bound_text(low),
                maximum=bound_text(high),
            )
        return number


def bound_text(bound: float | None) -> str:
    """A parameter's bound as its range messages say it.

    Parameters
    ----------
    bound : float or None
        ``ParamSpec.minimum`` or ``ParamSpec.maximum``; None is no bound.

    Returns
    -------
    str
        ``"∞"`` for no bound, ``"4"`` for a whole number (also ``4.0``), else ``str(bound)``.
    """
    if bound is None:
        return "∞"
    return str(int(bound)) if float(bound).is_integer() else str(bound)


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
            return bool(self._values == other._values)
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


_Named = TypeVar("_Named", "ParamSpec", "TensorSpec")


def _by_name(specs: tuple[_Named, ...], name: str) -> _Named:
    """The first of ``specs`` called ``name``; KeyError if none is."""
    for spec in specs:
        if spec.name == name:
            return spec
    raise KeyError(name)


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
    title : translatable view title (the common tensors have titles of their own)
    grad_of : for a gradient, the tensor it is the gradient of (its view sits below that one)
    from_param : the tensor is made from this parameter (a convolution's ``bias``: its value
        for every output channel, or no tensor when the parameter is ``None``)
    read_by_backward : the backward steps read it (a convolution's X and W, max pooling's X
        where the winners are): the lecture layout shows it beside the gradients
    """

    name: str
    role: TensorRole
    symbol: str
    shape: str
    editable: bool = False
    differentiable: bool = False
    view: str = ""
    title: str = ""
    grad_of: str = ""
    from_param: str = ""
    read_by_backward: bool = False


# ---- code -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReferenceLines:
    """The lines of the reference loops one stepping phase executes, for the code view.

    Found by their text, not by number, so that an edit of the reference cannot silently move
    the highlight (a test checks that every marker is found exactly once).

    Attributes
    ----------
    phase : ``"forward"`` or ``"backward"``
    markers : the start of each marked statement (its continuation lines are marked too)
    when : the parameter values these lines apply to, as ``(name, accepted values)`` pairs;
        empty: always.  The first entry of a phase whose ``when`` matches is used.
    """

    phase: Literal["forward", "backward"]
    markers: tuple[str, ...]
    when: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def applies(self, params: Mapping[str, Any]) -> bool:
        return all(params.get(name) in values for name, values in self.when)


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
    weight_in_axis : the weight's axis of input channels (1: ``(C_out, C_in, kH, kW)`` as
        ``conv2d``; 0: ``(C_in, C_out, kH, kW)`` as ``conv_transpose2d``)
    prepare : ``(document tensors, params) -> (tensors, kwargs)``: tensors and keyword
        arguments the call needs that the document does not hold, made from it (max-unpooling
        pools X first: ``pooled``, ``indices``, and ``output_size`` = X's size when allowed)
    prepare_code : the same as one line of Python for the code view, with ``{kwargs}`` for the
        pooling's keyword arguments and ``{module}`` for ``engine`` / ``F``
    order : place in the menus and the 1..9 shortcuts (lower first)
    switch_params : ``(params) -> params`` adjusts carried-over values when switching to this op
    explain : ``(in_size (H, W), weight shape or None, params) -> lines`` the output-size
        formula with the numbers substituted
    backward_kwargs : parameters only the backward takes (max pooling's ``ties``)

    How it is called (the code view writes these calls, verification makes them):

    call_tensors : the tensors ``numpy_call`` and ``torch_call`` take, in order, before the
        keyword arguments of :attr:`engine_kwargs`: ``y = f(*call_tensors, **kwargs)``.  The
        backward, :attr:`numpy_backward_call`, takes ``grad_output`` first, then the same:
        ``f_backward(grad_output, *call_tensors, **kwargs, **backward kwargs)``
    backward_returns : what the backward returns, in order (one name: a single array)
    loop_counters : the loop variables of the reference loops at one step (batch item,
        channel, output row, output column), e.g. ``("n", "co", "oh", "ow")``
    reference_lines : the lines of the reference loops each phase executes
        (:class:`ReferenceLines`), for the code view's highlight
    torch_indices : the forward takes ``return_indices=True`` (engine and PyTorch alike);
        the indices are compared with PyTorch's too
    torch_breaks_on_empty_windows : PyTorch's backward writes out of bounds when a window reads
        only padding (PyTorch issue #114216: it can take the process down), so the comparison
        explains such cases instead of calling that backward
    kinks_at_ties : each output is the largest tap of its window, so the operation is not
        differentiable where an element ties with another candidate: finite differences leave
        such elements out
    scatters : each input cell writes a window of the output (transposed convolution): the
        geometry's window ``(ih, iw)`` lists the output cells input element ``(ih, iw)``
        reaches; otherwise an input element reaches the outputs of the windows that read it
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
    prepare: Callable[[Tensors, Params], tuple[dict[str, np.ndarray], dict[str, Any]]] | None = None
    prepare_code: str = ""
    weight_in_axis: int = 1
    reduction: str = ""
    output_in_input_scale: bool = False
    switch_params: Callable[[Params], Params] = lambda p: p
    backward_kwargs: tuple[str, ...] = ()
    call_tensors: tuple[str, ...] = ("input",)
    backward_returns: tuple[str, ...] = ("grad_input",)
    loop_counters: tuple[str, str, str, str] = ("n", "c", "oh", "ow")
    reference_lines: tuple[ReferenceLines, ...] = ()
    torch_indices: bool = False
    torch_breaks_on_empty_windows: bool = False
    kinks_at_ties: bool = False
    scatters: bool = False

    def param(self, name: str) -> ParamSpec:
        return _by_name(self.params, name)

    def has_param(self, name: str) -> bool:
        return any(spec.name == name for spec in self.params)

    def tensor(self, name: str) -> TensorSpec:
        return _by_name(self.tensors, name)

    def has_tensor(self, name: str) -> bool:
        return any(spec.name == name for spec in self.tensors)

    def lecture_tensors(self, phase: str) -> tuple[TensorSpec, ...]:
        """The tensors with a view that one stepping phase is about, in the order a lecture
        shows them in one row.

        Forward: every tensor that is not a gradient (X, W, Y, the mask), in spec order.
        Backward: the upstream gradient (``grad_output``), the tensors the backward reads
        (:attr:`TensorSpec.read_by_backward`), then the other gradients (dX, dW); a gradient
        without a matrix of its own (``grad_bias``, a number) is left out.
        """
        shown = [t for t in self.tensors if t.view]
        if phase == "forward":
            return tuple(t for t in shown if not t.grad_of)
        grads = [t for t in shown if t.grad_of and not t.from_param]
        upstream = [t for t in grads if t.role == "grad_output"]
        read = [t for t in shown if not t.grad_of and t.read_by_backward]
        rest = [t for t in grads if t.role != "grad_output" and t.role != "grad_bias"]
        return (*upstream, *read, *rest)

    @property
    def has_weight(self) -> bool:
        return self.has_tensor("weight")

    @property
    def numpy_backward_call(self) -> str:
        """The engine's backward function: ``numpy_call`` + ``_backward``."""
        return f"{self.numpy_call}_backward"

    def reference_markers(self, phase: str, params: Mapping[str, Any]) -> tuple[str, ...]:
        """The :class:`ReferenceLines` markers of ``phase`` that apply to ``params``."""
        for lines in self.reference_lines:
            if lines.phase == phase and lines.applies(params):
                return lines.markers
        return ()

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
    "ReferenceLines",
    "Step",
    "StepCell",
    "TensorSpec",
    "bound_text",
]

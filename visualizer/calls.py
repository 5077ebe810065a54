"""How an operation is called: the one convention the code view writes out, the gradient check
and the PyTorch comparison run (Qt-free).

An operation's spec names its functions and the tensors they take (:attr:`OpSpec.call_tensors`):

- forward: ``engine.<numpy_call>(*tensors, **kwargs)`` or, the same,
  ``torch.nn.functional.<torch_call>(*tensors, **kwargs)``;
- backward: ``engine.<numpy_call>_backward(grad_output, *tensors, **kwargs, **backward_kwargs)``,
  returning :attr:`OpSpec.backward_returns` (one name: a single array).

``kwargs`` are :meth:`OpSpec.engine_kwargs` of the document's parameters and
``backward_kwargs`` the parameters only the backward takes (:attr:`OpSpec.backward_kwargs`).
An operation whose call takes tensors the document does not hold makes them from it with
:attr:`OpSpec.prepare` (max-unpooling pools X first: the pooled values and their indices, and
adds ``output_size``).
The engine functions are looked up on the ``engine`` module at every call, so a test can put a
wrong backward in its place and see the checks fail.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

import engine

if TYPE_CHECKING:
    from engine.ops import OpSpec
    from visualizer.model.document import Document

#: The document field holding each stored tensor (others are made from parameters).
DOCUMENT_FIELDS = {"input": "x", "weight": "weight", "grad_output": "grad_output"}


def grad_name(spec: OpSpec, tensor: str) -> str:
    """The name of ``tensor``'s gradient: ``grad_<tensor>`` when the operation has it, else
    the gradient its spec says is of ``tensor`` (max-unpooling's ``grad_input`` of ``pooled``)."""
    name = f"grad_{tensor}"
    if spec.has_tensor(name) or name in spec.backward_returns:
        return name
    of = [t.name for t in spec.tensors if t.grad_of == tensor and t.role.startswith("grad_")]
    return of[0] if len(of) == 1 else name


def document_array(doc: Document, name: str) -> np.ndarray:
    """The stored tensor ``name`` (``input``, ``weight``, ``grad_output``) of ``doc``."""
    return getattr(doc, DOCUMENT_FIELDS[name])


def stored_tensors(doc: Document) -> dict[str, np.ndarray]:
    """The tensors the document holds that the call starts from: the input, and the weight of
    an operation with one."""
    names = ["input", *(["weight"] if doc.spec.has_weight else [])]
    return {name: document_array(doc, name) for name in names}


def prepared(doc: Document) -> tuple[dict[str, np.ndarray | None], dict[str, Any]]:
    """The tensors ``doc``'s operation is called with (by name, in call order) and the keyword
    arguments of the forward (PyTorch's names and order).

    A tensor made from a parameter (a convolution's bias) holds the parameter's value for
    every output channel, or is ``None`` when the parameter is off; tensors the document does
    not hold come from :attr:`OpSpec.prepare`, which may add keyword arguments too.
    """
    spec = doc.spec
    params = spec.coerce_params(doc.params)
    kwargs = spec.engine_kwargs(params)
    made: dict[str, np.ndarray] = {}
    if spec.prepare is not None:
        made, more = spec.prepare(stored_tensors(doc), params)
        kwargs = {**kwargs, **more}
    out: dict[str, np.ndarray | None] = {}
    for name in spec.call_tensors:
        tensor = spec.tensor(name)
        if name in made:
            out[name] = made[name]
        elif tensor.from_param:
            value = doc.params[tensor.from_param]
            out[name] = None if value is None else np.full(doc.out_channels, float(value))
        else:
            out[name] = document_array(doc, name)
    return out, kwargs


def call_tensors(doc: Document) -> dict[str, np.ndarray | None]:
    """The tensors of the call (see :func:`prepared`)."""
    return prepared(doc)[0]


def forward_kwargs(doc: Document) -> dict[str, Any]:
    """The keyword arguments of the forward call (see :func:`prepared`)."""
    return prepared(doc)[1]


def backward_kwargs(doc: Document) -> dict[str, Any]:
    """The keyword arguments only the engine's backward takes (max pooling's ``ties``)."""
    return {name: doc.params[name] for name in doc.spec.backward_kwargs}


def engine_forward(
    spec: OpSpec, tensors: Mapping[str, Any], kwargs: Mapping[str, Any], **extra: Any
) -> Any:
    """``engine.<numpy_call>(*tensors, **kwargs, **extra)``."""
    function = getattr(engine, spec.numpy_call)
    return function(*(tensors[name] for name in spec.call_tensors), **kwargs, **extra)


def engine_backward(
    spec: OpSpec,
    grad_output: np.ndarray,
    tensors: Mapping[str, Any],
    kwargs: Mapping[str, Any],
    backward: Mapping[str, Any],
) -> dict[str, np.ndarray | None]:
    """``engine.<numpy_call>_backward(...)``'s gradients by name (``grad_input`` …)."""
    function = getattr(engine, spec.numpy_backward_call)
    args = (tensors[name] for name in spec.call_tensors)
    result = function(grad_output, *args, **kwargs, **backward)
    if len(spec.backward_returns) == 1:
        result = (result,)
    return dict(zip(spec.backward_returns, result, strict=True))

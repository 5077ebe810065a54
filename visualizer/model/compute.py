"""One recomputation: the operation's forward and backward, each run exactly once per edit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import Trace, WindowGeometry
from engine.errors import ParameterError
from engine.ops.budget import check_work
from visualizer import limits
from visualizer.data import RandomSpec
from visualizer.model.document import Document


def QT_TR_NOOP(text: str) -> str:
    """Mark ``text`` for translation (collected by ``pyside6-lupdate``; returned unchanged)."""
    return text


# A dY that must be used as given (a session file's) but does not fit the output.
GRAD_SHAPE_RULE = QT_TR_NOOP(
    "dY (grad_output) has shape {shape}, but the output of these settings has shape "
    "{expected}: dY must have the output's shape"
)


@dataclass(frozen=True)
class Results:
    """Everything one recomputation produced.

    ``arrays`` holds the forward outputs (``output``, and ``mask`` for max pooling) and the
    gradients (``grad_output`` as used, ``grad_input``, ``grad_weight``, ``grad_bias``).
    """

    arrays: dict[str, Any]
    trace: Trace  # the shown plane

    def get(self, name: str) -> np.ndarray | None:
        return self.arrays.get(name)

    @property
    def output(self) -> np.ndarray:  # (N, C_out, out_H, out_W)
        return self.arrays["output"]

    @property
    def grad_output(self) -> np.ndarray:  # (N, C_out, out_H, out_W)
        return self.arrays["grad_output"]

    @property
    def grad_input(self) -> np.ndarray:  # (N, C, H, W)
        return self.arrays["grad_input"]

    @property
    def mask_counts(self) -> np.ndarray | None:  # (N, C, H, W), max pooling
        return self.arrays.get("mask")

    @property
    def grad_weight(self) -> np.ndarray | None:  # (C_out, C_in, kH, kW)
        return self.arrays.get("grad_weight")

    @property
    def grad_bias(self) -> np.ndarray | None:  # (C_out,)
        return self.arrays.get("grad_bias")

    @property
    def geometry(self) -> WindowGeometry:
        return self.trace.geometry


def fit_grad(
    grad: np.ndarray, shape: tuple[int, ...], mode: str, seed: int, strict: bool = False
) -> np.ndarray:
    """The upstream gradient for an output of ``shape``: kept if it fits, else refilled
    (``mode``: ones or random with ``seed``).

    With ``strict`` (a dY read from a file: the user's numbers) a dY that does not fit is
    refused: ``ParameterError`` naming dY, its shape and the output's shape.
    """
    if grad.shape == shape:
        return grad
    if strict:
        raise ParameterError(GRAD_SHAPE_RULE, shape=tuple(grad.shape), expected=tuple(shape))
    if mode == "random":
        return RandomSpec("int", -3, 3, seed).make(shape)
    return np.ones(shape)


def compute(doc: Document, strict_grad: bool = False) -> Results:
    """Run ``doc``'s operation once, forward and backward; ``ValueError`` if it is invalid.

    ``strict_grad``: ``doc.grad_output`` must fit the output as it is (see :func:`fit_grad`).
    The plane ``doc.plane`` is clamped by the caller; its trace is built from the batch's
    results (no second computation for a single plane).
    """
    spec = doc.spec
    tensors: dict[str, np.ndarray] = {"input": doc.x}
    w_shape = None
    if spec.has_weight:
        tensors["weight"] = doc.weight
        w_shape = doc.weight.shape
    # The engine's rules first (its messages say why), then the app's limits: the parameters'
    # ranges and the work budget (nothing is computed over it).
    spec.geometry(doc.x.shape, w_shape, doc.params)
    params = spec.coerce_params(doc.params)
    check_work(spec, doc.x.shape, w_shape, params, limits.WORK_MAX_BYTES, limits.WORK_MAX_TAPS)
    outputs, ctx = spec.forward(tensors, params)
    dy = fit_grad(doc.grad_output, outputs["output"].shape, doc.dy_mode, doc.dy_seed, strict_grad)
    grads = spec.backward(ctx, {"grad_output": dy})
    arrays: dict[str, Any] = {**outputs, "grad_output": dy, **grads}
    trace = spec.trace(tensors, params, ctx, arrays, doc.plane, doc.in_channel)
    return Results(arrays, trace)

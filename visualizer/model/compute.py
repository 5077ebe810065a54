"""One recomputation: the operation's forward and backward, each run exactly once per edit."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
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


SUMS_KEPT = 4  # sums over output channels of the input gradient kept (Results.grad_input_after)

# Results.serial: 1, 2, 3, ... for the recomputations of this process.
_serials = itertools.count(1)


@dataclass(frozen=True)
class Results:
    """Everything one recomputation produced.

    ``arrays`` holds the forward outputs (``output``, and ``mask`` for max pooling) and the
    gradients (``grad_output`` as used, ``grad_input``, ``grad_weight``, ``grad_bias``).
    """

    arrays: dict[str, Any]
    trace: Trace  # the shown plane
    # The trace of another plane (n, c) of the same recomputation, and the shown plane.
    make_trace: Callable[[tuple[int, int]], Trace] | None = field(default=None, repr=False)
    plane: tuple[int, int] = (0, 0)
    # Every output channel's windows add to every input plane's gradient (a convolution:
    # each output channel's kernels read every input channel).
    all_channels_feed: bool = False
    _traces: dict[int, Trace] = field(default_factory=dict, repr=False, compare=False)
    # The last sums of grad_input_after, by index (a step asks for its own and the one before).
    _sums: dict[int, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    # A number no other Results of this process has: what a cache of something measured for
    # these results keys on.  Not id(): a freed Results' id is given to a later object, and
    # a choice kept under it was taken for new results it was never measured for.
    serial: int = field(
        default_factory=lambda: next(_serials), init=False, repr=False, compare=False
    )

    def feeding_traces(self) -> list[Trace]:
        """The traces whose windows add to the shown sample's input gradient, one per output
        channel feeding it: every output channel of a convolution (its step ``k`` is window
        ``k`` in each of them), the shown plane's alone otherwise.  Made once, then kept."""
        channels = self.output.shape[1]
        if not self.all_channels_feed or channels <= 1 or self.make_trace is None:
            return [self.trace]
        n, own = self.plane
        self._traces.setdefault(own, self.trace)
        for c in range(channels):
            if c not in self._traces:
                self._traces[c] = self.make_trace((n, c))
        return [self._traces[c] for c in range(channels)]

    def grad_input_after(self, index: int) -> np.ndarray:
        """The shown sample's input gradient (C, H, W) (the trace's canvas's, for a trace
        with a canvas of its own) once windows ``0 .. index`` of every feeding output
        channel have sent theirs back (:meth:`feeding_traces`); ``index = -1``: zeros."""
        traces = self.feeding_traces()
        if len(traces) == 1:
            return traces[0].grad_input_after(index)
        found = self._sums.get(index)
        if found is None:
            found = np.sum([t.grad_input_after(index) for t in traces], axis=0)
            found.flags.writeable = False
            if len(self._sums) >= SUMS_KEPT:
                del self._sums[next(iter(self._sums))]
            self._sums[index] = found
        return found

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

    def make_trace(plane: tuple[int, int]) -> Trace:
        made: Trace = spec.trace(tensors, params, ctx, arrays, plane, doc.in_channel)
        return made

    return Results(arrays, make_trace(doc.plane), make_trace, doc.plane, spec.has_weight)

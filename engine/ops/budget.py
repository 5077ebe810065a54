"""The work and memory one computation of an operation needs, estimated before computing.

Each parameter has its own range (its :class:`~engine.ops.spec.ParamSpec`), but values inside
every range can still combine into a computation no machine finishes: a 1024×1024 input with
batch 8 × channels 8, kernel 64 and stride 1 reads 2.7·10¹¹ window taps.  :func:`work_estimate`
says what a computation would need from the shapes and parameters alone (nothing is allocated),
read from the registry's spec: the padded canvas, the output and gradient arrays, the mask and
tie bookkeeping of operations with a ``mask`` tensor, and the window taps (windows × taps, every
input channel for operations with a weight).  :func:`check_work` compares it with a budget and
raises a :class:`~engine.errors.ParameterError` naming what is too large.

Memory is counted in float64 bytes, as the engine computes; the estimate is an upper bound of
the arrays the forward and backward passes and the step trace keep, not of their temporaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from engine.errors import Message, ParameterError
from engine.ops.spec import OpSpec, Params
from engine.trace import format_number

FLOAT_BYTES = 8
#: Extra memory of the mask and tie bookkeeping, in input sizes (engine.max_pool2d_mask and
#: backward with ties="split" stay within 4× the input: tests/engine measure it).
MASK_INPUT_FACTOR = 4

MEMORY_RULE = (
    "this computation would need about {size} of memory, more than the work budget of "
    "{limit}: {what} alone takes {part} ({formula})"
)
TAPS_RULE = (
    "this computation would read {taps} window taps ({formula}), more than the work budget "
    "of {limit}: use a smaller input, batch or channels, a smaller kernel or a larger stride"
)


@dataclass(frozen=True)
class WorkItem:
    """One part of a computation's cost.

    Attributes
    ----------
    what : what it is, in words (a :class:`~engine.errors.Message`, translatable)
    formula : how it is counted, with the numbers (``8 × 64 × 1090 × 1090 × 8 bytes``)
    amount : bytes (``unit == "bytes"``) or window taps read (``unit == "taps"``)
    unit : ``"bytes"`` or ``"taps"``
    """

    what: Message
    formula: str
    amount: int
    unit: str


@dataclass(frozen=True)
class WorkEstimate:
    """What one forward and backward computation needs (see :func:`work_estimate`)."""

    items: tuple[WorkItem, ...]

    @property
    def memory(self) -> int:
        """Bytes of every array item together."""
        return sum(item.amount for item in self.items if item.unit == "bytes")

    @property
    def taps(self) -> int:
        """Window taps read by the forward pass."""
        return sum(item.amount for item in self.items if item.unit == "taps")

    def largest_array(self) -> WorkItem:
        return max((i for i in self.items if i.unit == "bytes"), key=lambda i: i.amount)


def _times(*factors: int) -> str:
    return " × ".join(str(f) for f in factors)


def work_estimate(
    spec: OpSpec,
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...] | None,
    params: Params,
) -> WorkEstimate:
    """Estimate the memory and work of ``spec``'s forward and backward on these shapes.

    Parameters
    ----------
    spec : the operation
    input_shape : (N, C, H, W) of the input
    weight_shape : the weight's shape for operations with a weight, else None
    params : the parameter values (validated by the operation's geometry first)

    Returns
    -------
    WorkEstimate
        Its items: the padded input canvas, the output (and dY), the input gradient (and the
        weight's), the mask (operations with a ``mask`` tensor) and the window taps.

    Raises
    ------
    ParameterError
        If the parameters themselves are invalid (the operation's own message).
    """
    g = spec.geometry(input_shape, weight_shape, params)
    n, c, h, w = (int(v) for v in input_shape)
    if spec.has_weight and weight_shape is not None:
        c_out = int(weight_shape[1 - spec.weight_in_axis])
        c_per_tap = c  # a convolution's output reads every input channel
    else:
        c_out, c_per_tap = c, 1
    canvas = (
        g.in_size[0] + g.pad_before[0] + g.pad_after[0],
        g.in_size[1] + g.pad_before[1] + g.pad_after[1],
    )
    windows = g.out_size[0] * g.out_size[1]
    # An output plane has one value per window, or the geometry's input size (a scatter's
    # geometry runs over its output; unpooling writes an input-sized output): the larger of
    # the three is an upper bound for every operation.
    out_plane = max(windows, g.in_size[0] * g.in_size[1], h * w)
    b = FLOAT_BYTES
    items = [
        WorkItem(
            Message("the input and its gradient"),
            f"2 × {_times(n, c, h, w)} × {b} bytes",
            2 * n * c * h * w * b,
            "bytes",
        ),
        WorkItem(
            Message("the padded input"),
            f"{_times(n, max(c, c_out), *canvas)} × {b} bytes",
            n * max(c, c_out) * canvas[0] * canvas[1] * b,
            "bytes",
        ),
        WorkItem(
            Message("the output and dY"),
            f"2 × {_times(n, c_out)} × {out_plane} × {b} bytes",
            2 * n * c_out * out_plane * b,
            "bytes",
        ),
    ]
    if spec.has_tensor("mask"):
        items.append(
            WorkItem(
                Message("the max-pooling mask and ties"),
                f"{MASK_INPUT_FACTOR} × {_times(n, c, h, w)} × {b} bytes",
                MASK_INPUT_FACTOR * n * c * h * w * b,
                "bytes",
            )
        )
    if weight_shape is not None and spec.has_weight:
        size = math.prod(int(v) for v in weight_shape)
        items.append(
            WorkItem(
                Message("the weight and its gradient"),
                f"2 × {size} × {b} bytes",
                2 * size * b,
                "bytes",
            )
        )
    taps = g.kernel[0] * g.kernel[1]
    items.append(
        WorkItem(
            Message("the window taps"),
            f"{_times(n, c_out, c_per_tap)} × {windows} windows × {taps} taps",
            n * c_out * c_per_tap * windows * taps,
            "taps",
        )
    )
    return WorkEstimate(tuple(items))


def _bytes_text(amount: int) -> str:
    if amount >= 2**30:
        return f"{format_number(round(amount / 2**30, 1))} GB"
    return f"{format_number(max(1, round(amount / 2**20)))} MB"


def check_work(
    spec: OpSpec,
    input_shape: tuple[int, ...],
    weight_shape: tuple[int, ...] | None,
    params: Params,
    max_bytes: int,
    max_taps: int,
) -> WorkEstimate:
    """:func:`work_estimate`, refused when it exceeds the budget.

    Raises
    ------
    ParameterError
        The parameters are invalid, or the computation would need more than ``max_bytes`` of
        memory (the message names the largest array and its formula) or read more than
        ``max_taps`` window taps (with the windows × taps formula).
    """
    estimate = work_estimate(spec, input_shape, weight_shape, params)
    if estimate.memory > max_bytes:
        largest = estimate.largest_array()
        raise ParameterError(
            MEMORY_RULE,
            size=_bytes_text(estimate.memory),
            limit=_bytes_text(max_bytes),
            what=largest.what,
            part=_bytes_text(largest.amount),
            formula=largest.formula,
        )
    if estimate.taps > max_taps:
        tap_item = next(i for i in estimate.items if i.unit == "taps")
        raise ParameterError(
            TAPS_RULE,
            taps=format_number(estimate.taps),
            formula=tap_item.formula,
            limit=format_number(max_taps),
        )
    return estimate


__all__ = ["WorkEstimate", "WorkItem", "check_work", "work_estimate"]

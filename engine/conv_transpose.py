"""Transposed 2-D convolution, forward and backward, as ``F.conv_transpose2d`` (PyTorch 2.13).

A transposed convolution is the gradient of :func:`engine.conv2d` with respect to its input:
every input element *scatters* a copy of the kernel, scaled by its value, onto the output::

    out[n, g·C_out_g + co, ih·sH − pH + i·dH, iw·sW − pW + j·dW] +=
        x[n, g·C_in_g + ci, ih, iw] · w[g·C_in_g + ci, co, i, j]

with ``oH = (H − 1)·sH − 2·pH + dH·(kH − 1) + output_padding_H + 1`` (likewise for W).
Targets outside ``[0, oH)`` are dropped: padding *crops* the output.

Vectorised as :func:`engine.conv2d_backward` run in reverse, looping over the kH·kW taps (a
handful), never over positions:

* One matrix product gives every tap's contribution of every input element at once:
  ``(C_out_g · kH · kW, C_in_g)`` times ``(C_in_g, positions)``.
* The output is held in its stride phases (output rows ``a, a + sH, …``, likewise columns),
  where a tap is a plain shift of the input.  With the input laid out on the phases' grid
  (:class:`_Layout`), that shift is one flat offset, so adding a tap's contribution is a single
  contiguous slice addition, and one strided copy per phase interleaves the phases at the end.
* The backward pass holds ``grad_output`` in the same phases, on zero-bordered grids where a
  tap is again a shift, and copies what each tap of each *real* input position reads into a
  column matrix ("im2col", without the layout's gap positions); one product gives the input
  gradient (an ordinary convolution) and one the weight gradient.

Column matrices are built for at most :data:`COLUMN_BUDGET` (forward) or
:data:`BACKWARD_COLUMN_BUDGET` (backward) elements at a time (samples in groups, a large sample
in bands of rows), so a large input never has a full ``(C_out, kH, kW, H, W)`` tensor in memory.

:func:`conv_transpose_geometry` describes the same operation as a :class:`WindowGeometry`: the
convolution *whose input gradient this is* (its input is our output and vice versa), which the
step traces and the GUI can use to show where each input element lands.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from engine import parallel
from engine.arrays import as_float_array, check_grad_shape, from_4d, group_matrices, to_4d
from engine.conv import MIN_PIECES, SPLIT_ELEMENTS, channel_bias, teaching_kernel
from engine.errors import Message, ParameterError
from engine.geometry import (
    Pair,
    WindowGeometry,
    _require_non_negative_padding,
    _require_positive,
    bare_pair,
    normalize_pair,
)
from engine.workspace import Scratch

#: Elements of a column matrix built at a time (4 MB in float32, 8 MB in float64).  Large
#: enough for efficient matrix products, small enough that a large input is done in bands.
#: Several small samples go to one piece, but never so many that fewer than
#: :data:`engine.conv.MIN_PIECES` pieces are left for the threads (engine.parallel):
#: engine_bench's 8x32x32² float32 case is 4 pieces of 2 samples, not 8 of one (2^19): forward
#: 3.4 -> 2.6 ms CPU with one thread (float64 6.3 -> 5.0), backward the same.
COLUMN_BUDGET = 1 << 20
#: The backward pass's column matrices, of real input positions only, are built for at most
#: this many elements at a time (1 MB in float32): small enough to stay in a core's 2 MB L2
#: cache while both products read them, and for one sample of engine_bench's 8x32x32²
#: float32 case to be a piece of its own, whose input and input gradient then are plain
#: views of ``x`` and ``grad_input`` (no copies).  Backward 6.76 -> 6.04 ms CPU, one thread.
BACKWARD_COLUMN_BUDGET = 1 << 18

__all__ = [
    "conv_transpose2d",
    "conv_transpose2d_backward",
    "conv_transpose_geometry",
    "conv_transpose_output_size",
]


# ---- sizes and geometry -------------------------------------------------------------------------
def conv_transpose_output_size(
    size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> int:
    """Output size of a transposed convolution along one axis.

    ``(size − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1``; it can be
    zero or negative for a heavily padded small input (which :func:`conv_transpose2d` refuses).
    """
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + output_padding + 1


def conv_transpose_geometry(
    in_size: Pair,
    kernel_hw: Pair,
    stride: Pair,
    padding: Pair,
    output_padding: Pair,
    dilation: Pair,
) -> WindowGeometry:
    """The convolution whose input gradient a transposed convolution is.

    Parameters are already-validated ``(h, w)`` pairs (see :func:`conv_transpose2d`).

    Returns
    -------
    WindowGeometry
        ``in_size`` is the transposed convolution's *output* size and ``out_size`` its *input*
        size: window ``(ih, iw)`` of this geometry lists the output cells input element
        ``(ih, iw)`` scatters onto, tap by tap.  ``pad_after`` is ``padding − output_padding``
        clipped at 0; when ``output_padding`` exceeds ``padding`` the last rows/columns are
        reached by no window (they get only the bias).
    """
    out = tuple(
        conv_transpose_output_size(
            in_size[a], kernel_hw[a], stride[a], padding[a], output_padding[a], dilation[a]
        )
        for a in (0, 1)
    )
    return WindowGeometry(
        in_size=(int(out[0]), int(out[1])),
        kernel=(int(kernel_hw[0]), int(kernel_hw[1])),
        stride=stride,
        dilation=dilation,
        pad_before=padding,
        pad_after=(max(0, padding[0] - output_padding[0]), max(0, padding[1] - output_padding[1])),
        ceil_mode=False,
        out_size=(int(in_size[0]), int(in_size[1])),
    )


# ---- validation ---------------------------------------------------------------------------------
# Words inside a message: Messages, so that the visualizer translates them too.
_AXIS_NAMES = (Message("height"), Message("width"))


def _pair(value: object, name: str) -> Pair:
    """An int, a 1-tuple or a pair as an ``(h, w)`` pair, or a :class:`ParameterError`."""
    if isinstance(value, str):
        # F.conv_transpose2d takes no padding strings: 'same' and 'valid' are a TypeError there.
        raise ParameterError(
            "{name} ({value}) must be an int or a pair of ints; conv_transpose2d has no "
            "'same' or 'valid' padding",
            name=name,
            value=repr(value),
        )
    try:
        pair = normalize_pair(value, name)
    except ParameterError:
        raise
    except ValueError as err:  # a geometry that still raises plain ValueErrors
        raise ParameterError(
            "{name} must be a single int or a pair of ints (height, width), got {value}",
            name=name,
            value=repr(value),
        ) from err
    assert pair is not None
    return pair


@dataclass(frozen=True)
class _Setup:
    """Everything a validated call needs."""

    x4: np.ndarray  # (N, C_in, H, W), in the computation dtype
    w4: np.ndarray  # (C_in, C_out/groups, kH, kW), in the computation dtype
    bias: np.ndarray | None  # (C_out,)
    g: WindowGeometry  # see conv_transpose_geometry
    output_padding: Pair
    ndim: int  # the caller's rank of x
    groups: int

    @property
    def c_out(self) -> int:
        return int(self.w4.shape[1]) * self.groups

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        return (self.x4.shape[0], self.c_out, *self.g.in_size)

    def caller_shape(self, shape4: tuple[int, ...]) -> tuple[int, ...]:
        """A (N, C, h, w) shape in the caller's rank: (h, w) for the 2-D teaching form."""
        return shape4[2:] if self.ndim == 2 else shape4[4 - self.ndim :]


def _weight_4d(xa: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The weight as (C_in, C_out/groups, kH, kW); a (kH, kW) kernel for the 2-D form."""
    if xa.ndim == 2:
        return teaching_kernel(w)
    if w.ndim != 4:
        raise ParameterError(
            "weight must have shape (C_in, C_out/groups, kH, kW); got shape {shape}",
            shape=w.shape,
        )
    return w


def _positive_int(groups: object) -> int:
    if not isinstance(groups, numbers.Integral) or isinstance(groups, (bool, np.bool_)):
        raise ParameterError("groups ({groups}) must be a positive int", groups=repr(groups))
    if groups < 1:
        raise ParameterError("groups ({groups}) must be a positive int", groups=int(groups))
    return int(groups)


def _prepare(
    x: object,
    weight: object,
    bias: object,
    stride: object,
    padding: object,
    output_padding: object,
    groups: object,
    dilation: object,
) -> _Setup:
    """Validate every argument; refuse exactly what PyTorch 2.13 refuses."""
    w = as_float_array(weight, "weight")
    xa = as_float_array(x, "x")
    w4 = _weight_4d(xa, w)
    if min(w4.shape) == 0:
        raise ParameterError(
            "weight must not have an empty dimension; got shape {shape}", shape=w4.shape
        )
    x4, ndim = to_4d(xa, "x")
    groups = _positive_int(groups)
    strides = _pair(stride, "stride")
    pads = _pair(padding, "padding")
    opads = _pair(output_padding, "output_padding")
    dil = _pair(dilation, "dilation")
    _require_positive(strides, "stride")
    _require_positive(dil, "dilation")
    _require_non_negative_padding(pads)
    if min(opads) < 0:
        raise ParameterError(
            "output_padding ({output_padding}) must be non-negative",
            output_padding=bare_pair(opads),
        )
    c_in, c_out_g, kh, kw = w4.shape
    if c_in % groups:
        raise ParameterError(
            "groups ({groups}) must divide the number of input channels "
            "(weight.shape[0] = {channels})",
            groups=groups,
            channels=c_in,
        )
    if x4.shape[1] != c_in:
        raise ParameterError(
            "x has {channels} channels, but weight of shape {shape} expects {expected} "
            "(C_in = weight.shape[0] for a transposed convolution)",
            channels=x4.shape[1],
            shape=tuple(w4.shape),
            expected=c_in,
        )
    # C_out = weight.shape[1] · groups.  PyTorch wants a 1-D bias; the 2-D teaching form also
    # takes a scalar.
    b = channel_bias(bias, c_out_g * groups, scalar=ndim == 2)
    if not all(opads[a] < strides[a] or opads[a] < dil[a] for a in (0, 1)):
        # PyTorch checks each axis: output_padding below its stride OR below its dilation.
        raise ParameterError(
            "output_padding ({output_padding}) must be smaller than either stride ({stride}) "
            "or dilation ({dilation})",
            output_padding=bare_pair(opads),
            stride=bare_pair(strides),
            dilation=bare_pair(dil),
        )
    h, w_in = x4.shape[2:]
    g = conv_transpose_geometry((h, w_in), (kh, kw), strides, pads, opads, dil)
    if min(g.in_size) < 1:
        # PyTorch's float32 oneDNN path returns an empty tensor here instead; its float64
        # path and its documented rule refuse, and so do we.
        a = 0 if g.in_size[0] < 1 else 1
        formula = (
            f"({(h, w_in)[a]} − 1)·{strides[a]} − 2·{pads[a]} + {dil[a]}·({(kh, kw)[a]} − 1) "
            f"+ {opads[a]} + 1 = {g.in_size[a]}"
        )
        raise ParameterError(
            "the output would be {out}, and it must be at least 1x1: padding ({padding}) "
            "crops too much of the {size} input ({axis}: {formula})",
            out=f"{g.in_size[0]}x{g.in_size[1]}",
            padding=bare_pair(pads),
            size=f"{h}x{w_in}",
            axis=_AXIS_NAMES[a],
            formula=formula,
        )
    dtype = np.result_type(x4.dtype, w4.dtype, b.dtype if b is not None else x4.dtype)
    return _Setup(
        x4=x4.astype(dtype, copy=False),
        w4=w4.astype(dtype, copy=False),
        bias=None if b is None else b.astype(dtype, copy=False),
        g=g,
        output_padding=opads,
        ndim=ndim,
        groups=groups,
    )


# ---- the phase layout ---------------------------------------------------------------------------
@dataclass(frozen=True)
class _AxisPlan:
    """Where the taps of one axis land, in the stride phases of the output.

    Tap ``i`` sends input coordinate ``t`` to output coordinate ``t·s + i·d − p``.  Writing
    ``i·d − p = phase + s·q`` (``0 <= phase < s``), output coordinate ``phase + s·(t + q)``
    lies in stride phase ``phase`` at phase position ``t + q``: within its phase a tap is a
    plain *shift* of the input by ``q``, without gaps.  Phase buffers store phase position
    ``t + q`` at index ``t + q + origin``, so every shift ``q + origin`` is ``>= 0``.
    """

    phase: tuple[int, ...]  # per tap
    shift: tuple[int, ...]  # per tap: buffer index of input coordinate t is t + shift
    origin: int  # buffer index of phase position 0
    span: int  # buffer length: the input size plus the largest shift
    stride: int
    out_size: int

    def extent(self, phase: int) -> tuple[int, int]:
        """``(first buffer index, count)`` of the output positions of ``phase`` that taps reach.

        Output coordinates ``phase, phase + s, …`` below ``out_size``; those past the buffer
        (``output_padding`` rows no tap reaches) are left out.
        """
        wanted = len(range(phase, self.out_size, self.stride))
        return self.origin, max(0, min(wanted, self.span - self.origin))


def _axis_plan(
    size: int, kernel: int, stride: int, padding: int, dilation: int, out: int
) -> _AxisPlan:
    offsets = [i * dilation - padding for i in range(kernel)]
    q = [o // stride for o in offsets]  # floor: offsets may be negative
    origin = -min(q)
    shift = tuple(v + origin for v in q)
    return _AxisPlan(
        phase=tuple(o % stride for o in offsets),
        shift=shift,
        origin=origin,
        span=size + max(shift),
        stride=stride,
        out_size=out,
    )


def _group_view(a: np.ndarray, groups: int) -> np.ndarray:
    """``a`` (C, …) as ``(groups, C / groups, rest)``: a view, never a copy (a product writes
    into it); raises when no view exists."""
    view = a.view()
    view.shape = (groups, a.shape[0] // groups, -1)
    return view


def _backward_chunks(
    n: int, h: int, w: int, per_position: int
) -> list[tuple[slice, list[tuple[int, int]]]]:
    """Samples whose backward columns are built together, each group with its row bands.

    Whole samples while their columns (``per_position`` values per input position) fit
    :data:`BACKWARD_COLUMN_BUDGET`, in at least ``MIN_PIECES`` groups when the work is
    large; a larger sample alone, in bands of rows.
    """
    per_sample = per_position * h * w
    if per_sample <= BACKWARD_COLUMN_BUDGET or h == 1:
        step = max(1, BACKWARD_COLUMN_BUDGET // per_sample)
        if n * per_sample >= SPLIT_ELEMENTS:  # at least MIN_PIECES pieces for the threads
            step = min(step, -(-n // MIN_PIECES))
        return [(slice(s, min(n, s + step)), [(0, h)]) for s in range(0, n, step)]
    rows = max(1, BACKWARD_COLUMN_BUDGET // (per_position * w))
    bands = [(r, min(h, r + rows)) for r in range(0, h, rows)]
    return [(slice(s, s + 1), bands) for s in range(n)]


class _Layout:
    """Flat phase buffers: every tap becomes one contiguous slice ("implicit im2col").

    Per output phase ``(a, b)`` that some tap reaches, a buffer holds ``(C_out, samples, R, Cw)``
    values, flattened to ``(C_out, samples·R·Cw + margin)``; ``R`` and ``Cw`` are the input's
    height and width plus the largest row and column shift.  Lay the input out with the same
    row length ``Cw`` and sample length ``R·Cw`` (zeros in the extra rows and columns), and tap
    ``(i, j)`` maps input flat position ``f`` to buffer position ``f + offset(i, j)``, a single
    offset.  So the forward adds one contiguous slice per tap: no strided writes, no
    per-position index arithmetic.  (The backward uses the same phases and shifts, on grids of
    real positions: :meth:`gradient_phases`.)  Real input never wraps into the next row
    or sample (the shifts fit in the extra rows and columns); the zeros that do wrap add nothing.
    """

    def __init__(self, s: _Setup) -> None:
        h, w = s.x4.shape[2:]
        kh, kw = s.g.kernel
        g = s.g
        self.rows = _axis_plan(h, kh, g.stride[0], g.pad_before[0], g.dilation[0], g.in_size[0])
        self.cols = _axis_plan(w, kw, g.stride[1], g.pad_before[1], g.dilation[1], g.in_size[1])
        self.h, self.w = h, w
        self.row_len = self.cols.span  # Cw
        self.sample_len = self.rows.span * self.row_len  # R · Cw
        self.offsets = {
            (i, j): self.rows.shift[i] * self.row_len + self.cols.shift[j]
            for i in range(kh)
            for j in range(kw)
        }
        self.margin = max(self.offsets.values())
        self.taps_of: dict[tuple[int, int], list[tuple[int, int]]] = {}
        for i in range(kh):
            for j in range(kw):
                self.taps_of.setdefault((self.rows.phase[i], self.cols.phase[j]), []).append((i, j))

    def covers_output(self) -> bool:
        """Whether the phase buffers hold every output cell (no phase and no edge left out)."""
        return all(
            set(plan.phase) == set(range(plan.stride))
            and all(
                plan.extent(a)[1] == len(range(a, plan.out_size, plan.stride))
                for a in range(plan.stride)
            )
            for plan in (self.rows, self.cols)
        )

    def chunks(self, n: int, per_position: int) -> list[tuple[slice, list[tuple[int, int]]]]:
        """Samples processed together, each group with its bands of input rows.

        A column matrix holds ``per_position`` values per buffer position; it is kept near
        :data:`COLUMN_BUDGET`.  Small samples are grouped (in at least ``MIN_PIECES`` groups
        when the work is large); a large one is cut into row bands.
        """
        per_sample = per_position * self.sample_len
        if per_sample <= COLUMN_BUDGET or self.h == 1:
            step = max(1, COLUMN_BUDGET // per_sample)
            if n * per_sample >= SPLIT_ELEMENTS:  # at least MIN_PIECES pieces for the threads
                step = min(step, -(-n // MIN_PIECES))
            return [(slice(s, min(n, s + step)), [(0, self.h)]) for s in range(0, n, step)]
        rows = max(1, COLUMN_BUDGET // (per_position * self.row_len))
        bands = [(r, min(self.h, r + rows)) for r in range(0, self.h, rows)]
        return [(slice(s, s + 1), bands) for s in range(n)]

    def band_rows(self, n: int, band: tuple[int, int]) -> int:
        """Rows per sample in the flat layout of a band: several samples need the full ``R``
        rows each, so that they line up with the buffers; a lone band needs only its own."""
        return self.rows.span if n > 1 else band[1] - band[0]

    def flat_input(
        self, x: np.ndarray, band: tuple[int, int], scratch: Scratch | None = None
    ) -> np.ndarray:
        """Input rows ``band`` of samples ``x`` (n, C, H, W) laid out flat: (C, n·rows·Cw).

        With ``scratch``, the array is kept for the next chunk of the same shape: only the
        input is written again, the zeros around it stay.
        """
        n, c = x.shape[:2]
        first, stop = band
        shape = (c, n, self.band_rows(n, band), self.row_len)
        flat = np.zeros(shape, x.dtype) if scratch is None else scratch.zeros("flat", shape)
        flat[:, :, : stop - first, : self.w] = x[:, :, first:stop].transpose(1, 0, 2, 3)
        return flat.reshape(c, -1)

    def zero_gaps(self, cols: np.ndarray, n: int, band: tuple[int, int]) -> None:
        """Set the column entries of the layout's extra rows and columns (no input there) to 0.

        They hold ``weight · 0``, which only matters when a weight is inf or NaN: PyTorch never
        computes them, so neither may we.  The forward skips it when every weight is finite:
        then the entries add ±0; this saved ~7% of a float32 call.  (The backward's columns
        hold real positions only: no gaps.)
        """
        grid = cols.reshape(-1, n, self.band_rows(n, band), self.row_len)
        grid[:, :, band[1] - band[0] :, :] = 0
        grid[:, :, :, self.w :] = 0

    def buffers(
        self,
        n: int,
        c: int,
        dtype: np.dtype,
        fill: np.ndarray | None,
        scratch: Scratch | None = None,
        initialize: bool = True,
    ) -> dict[tuple[int, int], np.ndarray]:
        """Zeroed (or ``fill``-per-channel) flat buffers ``(C, n·R·Cw + margin)`` per phase.

        With ``scratch``, the arrays of the previous chunk are filled again instead of new
        ones allocated (fresh pages cost a page fault each).  With ``initialize=False`` they
        are left as they are, for a caller that writes every element.
        """
        shape = (c, n * self.sample_len + self.margin)
        result = {}
        for phase in self.taps_of:
            if scratch is None:
                buf = np.empty(shape, dtype=dtype)
            else:
                buf = scratch.empty(("phase", phase), shape)
            if initialize:
                buf[...] = 0 if fill is None else fill[:, None]
            result[phase] = buf
        return result

    def phase_views(
        self, buf: np.ndarray, n: int, phase: tuple[int, int], out: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The buffer region of ``phase`` and the output cells it holds, as aligned views.

        ``out`` is (n, C, oH, oW); returns ``(buffer view (C, n, h, w), output view (n, C, h, w))``.
        """
        a, b = phase
        r0, nr = self.rows.extent(a)
        c0, nc = self.cols.extent(b)
        grid = buf[:, : n * self.sample_len].reshape(buf.shape[0], n, self.rows.span, self.row_len)
        src = grid[:, :, r0 : r0 + nr, c0 : c0 + nc]
        dst = out[:, :, a :: self.rows.stride, b :: self.cols.stride][:, :, :nr, :nc]
        return src, dst

    def gradient_phases(
        self, gy: np.ndarray, scratch: Scratch
    ) -> dict[tuple[int, int], np.ndarray]:
        """``grad_output`` of samples ``gy`` (n, C, oH, oW) in its phases, with zero borders.

        Per phase a ``(C, n, R, Cw)`` grid: tap ``(i, j)`` of input position ``(r, c)`` reads
        row ``r + shift_i``, column ``c + shift_j`` of its phase's grid, and the zeros around
        the phase's cells stand for the output cells that padding cropped.  The grids are kept
        (:meth:`Scratch.kept_zeros`): the borders are zeroed once, not every call.
        """
        n, c = gy.shape[:2]
        grids = {}
        for phase in self.taps_of:
            a, b = phase
            r0, nr = self.rows.extent(a)
            c0, nc = self.cols.extent(b)
            shape = (c, n, self.rows.span, self.row_len)
            grid = scratch.kept_zeros(("grid", phase, r0, nr, c0, nc), shape)
            grid[:, :, r0 : r0 + nr, c0 : c0 + nc] = gy[
                :, :, a :: self.rows.stride, b :: self.cols.stride
            ][:, :, :nr, :nc].transpose(1, 0, 2, 3)
            grids[phase] = grid
        return grids


# ---- forward ------------------------------------------------------------------------------------
def conv_transpose2d(
    x: object,
    weight: object,
    bias: object = None,
    stride: object = 1,
    padding: object = 0,
    output_padding: object = 0,
    groups: int = 1,
    dilation: object = 1,
) -> np.ndarray:
    """Transposed 2-D convolution, as ``torch.nn.functional.conv_transpose2d``.

    Every input element scatters a copy of the kernel, scaled by its value, onto the output;
    overlapping copies add up.  It is the gradient of :func:`engine.conv2d` with respect to its
    input, and it "upsamples" by ``stride``.

    Parameters
    ----------
    x : array, shape (C_in, H, W) or (N, C_in, H, W); or (H, W) with a (kH, kW) weight
        Integers are computed in float64.
    weight : array, shape (C_in, C_out/groups, kH, kW); or (kH, kW) for a 2-D ``x``
        Note the order: input channels first (the transpose of conv2d's weight).
    bias : array, shape (C_out,) with ``C_out = weight.shape[1] · groups``, optional
        A scalar (or one value) for the 2-D form.
    stride, dilation : int or (h, w) pair, > 0
        Spacing of the scattered copies and of the kernel taps.
    padding : int or (h, w) pair, >= 0
        Removes ``padding`` rows and columns from each border of the full scatter.  Strings
        (``'same'``, ``'valid'``) are refused, as in PyTorch.
    output_padding : int or (h, w) pair, >= 0
        Extra rows/columns at the bottom/right only.  Per axis it must be smaller than the
        stride *or* the dilation.
    groups : int
        ``C_in`` and ``C_out`` split into ``groups``; input channel group ``g`` feeds only output
        channel group ``g``.

    Returns
    -------
    y : array, shape (..., C_out, oH, oW); (oH, oW) for the 2-D form
        ``oH = (H − 1)·sH − 2·pH + dH·(kH − 1) + output_padding_H + 1``, likewise ``oW``.

    Raises
    ------
    ParameterError
        (a ``ValueError``) naming the parameter, its value and the rule, wherever PyTorch 2.13
        refuses the call; also when the output would be smaller than 1x1.

    Notes
    -----
    * An output smaller than 1x1 is always refused, as PyTorch's float64 path (and its
      documented rule) does.  Its float32 oneDNN path, taken for example with ``groups > 1``
      or a batch of several samples, returns an empty tensor for some of these calls instead.
    * inf and NaN behave as in PyTorch's float64 path: a tap that lands outside the output is
      never multiplied, so an infinite weight reaches only the cells its tap lands on.

    Examples
    --------
    >>> conv_transpose2d([[1.0, 2.0]], [[1.0, 10.0, 100.0]], stride=(1, 2))
    array([[  1.,  10., 102.,  20., 200.]])
    """
    s = _prepare(x, weight, bias, stride, padding, output_padding, groups, dilation)
    n = s.x4.shape[0]
    kh, kw = s.g.kernel
    c_out, groups = s.c_out, s.groups
    lay = _Layout(s)
    if lay.covers_output():
        y = np.empty(s.out_shape, dtype=s.x4.dtype)  # the phase buffers fill every cell
    elif s.bias is None:
        y = np.zeros(s.out_shape, dtype=s.x4.dtype)
    else:  # output cells no tap reaches hold just the bias
        y = np.empty(s.out_shape, dtype=s.x4.dtype)
        y[...] = s.bias.reshape(1, c_out, 1, 1)
    # W^T per group, laid out for the product: (groups, C_out_g · kH · kW, C_in_g).
    w_t = np.ascontiguousarray(group_matrices(s.w4, groups).transpose(0, 2, 1))
    finite = bool(np.isfinite(s.w4).all())  # then the layout's gaps add only ±0 (zero_gaps)
    # What every phase buffer starts from: the bias, or +0.0 (so a −0.0 sum becomes +0.0).
    start_value = np.zeros((c_out, 1), s.x4.dtype) if s.bias is None else s.bias[:, None]

    def piece(chunk: tuple[slice, list[tuple[int, int]]]) -> None:
        """One group of samples, band after band, into ``y[samples]``."""
        samples, bands = chunk
        scratch = Scratch("conv_transpose2d", s.x4.dtype)
        ns = samples.stop - samples.start
        bufs = lay.buffers(ns, c_out, s.x4.dtype, None, scratch, initialize=False)
        for k, band in enumerate(bands):
            xf = lay.flat_input(s.x4[samples], band, scratch)
            length = xf.shape[1]
            # Every tap's contribution of every input position: (C_out, kH, kW, length).
            product = scratch.empty("cols", (groups, w_t.shape[1], length))
            np.matmul(w_t, group_matrices(xf, groups), out=product)
            cols = product.reshape(c_out, kh, kw, length)
            if not finite:
                lay.zero_gaps(cols, ns, band)
            base = band[0] * lay.row_len
            for phase, taps in lay.taps_of.items():
                buf = bufs[phase]
                for t, (i, j) in enumerate(taps):
                    start = base + lay.offsets[i, j]
                    if k == 0 and t == 0:
                        # The phase's first tap writes its slice as start + contribution,
                        # the very sum a filled buffer would get (+0 + −0 is +0), and only
                        # the rest of the buffer is filled: a pass over it saved (~10% of a
                        # float32 forward).
                        buf[:, :start] = start_value
                        buf[:, start + length :] = start_value
                        np.add(cols[:, i, j], start_value, out=buf[:, start : start + length])
                    else:
                        buf[:, start : start + length] += cols[:, i, j]
        for phase, buf in bufs.items():
            src, dst = lay.phase_views(buf, ns, phase, y[samples])
            dst[...] = src.transpose(1, 0, 2, 3)

    parallel.run_pieces(piece, lay.chunks(n, c_out * kh * kw))
    return y[0, 0] if s.ndim == 2 else from_4d(y, s.ndim)


# ---- backward -----------------------------------------------------------------------------------
def conv_transpose2d_backward(
    grad_output: object,
    x: object,
    weight: object,
    bias: object = None,
    stride: object = 1,
    padding: object = 0,
    output_padding: object = 0,
    groups: int = 1,
    dilation: object = 1,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Gradients of :func:`conv_transpose2d` with respect to input, weight and bias.

    The input gradient is an ordinary convolution of ``grad_output`` with the same weight
    (``conv2d(grad_output, weight, stride, padding, dilation, groups)``, cut to the input's
    size): each input element collects the gradient of every output cell it scattered onto.

    Parameters
    ----------
    grad_output : array, shape of ``conv_transpose2d``'s output
    x, weight, bias, stride, padding, output_padding, groups, dilation
        As in :func:`conv_transpose2d`.

    Returns
    -------
    grad_input : array, shape of ``x``
    grad_weight : array, shape of ``weight``
        ``Σ_{n, ih, iw} x[n, ci, ih, iw] · grad_output[n, co, ih·s − p + i·d, iw·s − p + j·d]``
        over the taps that land inside the output.
    grad_bias : array, shape of ``bias``; ``None`` when ``bias`` is None
        ``grad_output`` summed over samples and positions, per output channel.
    """
    s = _prepare(x, weight, bias, stride, padding, output_padding, groups, dilation)
    gy_arr = as_float_array(grad_output, "grad_output")  # refuses bools and strings, like x
    expected = s.caller_shape(s.out_shape)
    check_grad_shape(gy_arr.shape, expected)
    gy = gy_arr.reshape(s.out_shape).astype(s.x4.dtype, copy=False)
    n, c_in, h, w = s.x4.shape
    kh, kw = s.g.kernel
    c_out, groups = s.c_out, s.groups
    lay = _Layout(s)
    w_rows = group_matrices(s.w4, groups)  # (groups, C_in_g, C_out_g · kH · kW)
    gx = np.empty(s.x4.shape, s.x4.dtype)  # C-contiguous: a product may write into it
    chunks = _backward_chunks(n, h, w, c_out * kh * kw)
    gw_parts: list[np.ndarray] = [np.empty(0)] * len(chunks)
    # grad_bias, summed by the pieces while their samples of grad_output are in the cache
    # (one sum over all of it, before the pieces, took 0.2-0.5 ms of a float32 call of
    # engine_bench's case on one thread while the other waited).
    bias_parts: list[np.ndarray] = [np.empty(0)] * len(chunks)

    def piece(k: int) -> None:
        """One group of samples, band after band: its dX, and its dW^T in ``gw_parts[k]``."""
        samples, bands = chunks[k]
        scratch = Scratch("conv_transpose2d_backward", s.x4.dtype)
        gw_part = np.zeros_like(w_rows.transpose(0, 2, 1))  # dW^T: the faster product order
        ns = samples.stop - samples.start
        grids = lay.gradient_phases(gy[samples], scratch)
        if s.bias is not None:
            bias_parts[k] = gy[samples].sum(axis=(0, 2, 3))
        for first, stop in bands:
            rows = stop - first
            # What every tap of every input position reads, (C_out, kH, kW, ns, rows, W): real
            # positions only, so that neither product spends work on the layout's gaps
            # (13% of the columns of engine_bench's case), and no gap holds a stray inf or
            # NaN of grad_output that a zero of x would turn into a NaN of grad_weight.
            cols = scratch.empty("cols", (c_out, kh, kw, ns, rows, w))
            for phase, taps in lay.taps_of.items():
                grid = grids[phase]
                for i, j in taps:
                    r0, c0 = first + lay.rows.shift[i], lay.cols.shift[j]
                    cols[:, i, j] = grid[:, :, r0 : r0 + rows, c0 : c0 + w]
            cols_g = cols.reshape(groups, -1, ns * rows * w)
            x_band = s.x4[samples, :, first:stop]
            if ns == 1:  # (C_in, rows·W): a view of x for a contiguous x
                xc = x_band[0].reshape(c_in, -1)
            else:
                x_grid = scratch.empty("x", (c_in, ns, rows, w))
                x_grid[...] = x_band.transpose(1, 0, 2, 3)
                xc = x_grid.reshape(c_in, -1)
            # dX: each input element's taps, weighted (a plain convolution of grad_output)
            gx_band = gx[samples, :, first:stop]
            if ns == 1:  # straight into grad_input: its rows of one sample are contiguous
                np.matmul(w_rows, cols_g, out=_group_view(gx_band[0], groups))
            else:
                product = scratch.empty("dx", (groups, w_rows.shape[1], ns * rows * w))
                np.matmul(w_rows, cols_g, out=product)
                gx_band[...] = product.reshape(c_in, ns, rows, w).transpose(1, 0, 2, 3)
            # dW: input times what its taps read.  Computed transposed, columns · X^T, which
            # measured 30% faster in float32 than X · columns^T.
            gw_part += cols_g @ group_matrices(xc, groups).transpose(0, 2, 1)
        gw_parts[k] = gw_part

    parallel.run_pieces(piece, range(len(chunks)))
    gw_t = np.zeros_like(w_rows.transpose(0, 2, 1))
    for part in gw_parts:  # in chunk order, whatever the threads' timing
        gw_t += part
    grad_weight = np.ascontiguousarray(gw_t.transpose(0, 2, 1)).reshape(s.w4.shape)
    grad_bias = None
    if s.bias is not None:
        sums = np.zeros(c_out, s.x4.dtype)
        for part in bias_parts:  # in chunk order, whatever the threads' timing
            sums += part
        grad_bias = sums.reshape(np.asarray(bias).shape)
    if s.ndim == 2:
        return gx[0, 0], grad_weight[0, 0], grad_bias
    return from_4d(gx, s.ndim), grad_weight, grad_bias

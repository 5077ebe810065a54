"""A transposed convolution computed the other way: zeros inserted, padded, then a convolution.

``conv_transpose2d(x, w, stride=s, padding=p, output_padding=op, groups=g, dilation=d)`` is a
*normal* convolution (stride 1, dilation ``d``, no padding, ``groups=g``) of a canvas made from
``x`` with the kernel flipped (as conv_arithmetic, Dumoulin & Visin 2016, draws it):

1. ``s − 1`` zeros are inserted between neighbouring input cells (rows and columns);
2. the result is padded by ``d·(k − 1) − p`` on every side, plus ``output_padding`` more on the
   bottom and the right (a negative amount crops instead);
3. the kernel is flipped in both spatial axes and its channel axes are swapped:
   ``(C_in, C_out/g, kH, kW)`` becomes ``(C_out, C_in/g, kH, kW)``.

Output cell ``(oh, ow)`` is then the window of the canvas starting at ``(oh, ow)``: most of
its taps read inserted or padding zeros, the others the input cells that scatter onto it.
:func:`conv_transpose_as_conv` gives that canvas, which canvas cells are input, inserted or
padding, and the flipped kernel; ``engine.conv2d(form.canvas, form.weight, bias,
dilation=form.dilation, groups=form.groups)`` equals :func:`engine.conv_transpose2d`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.conv_transpose import _prepare

# Kinds of canvas cells (:attr:`ConvolutionForm.kinds`): an input cell, a padding zero, a zero
# inserted between input cells (engine.geometry's canvas kinds, which the views colour by).
from engine.geometry import CANVAS_INPUT, CANVAS_INSERTED, CANVAS_PADDING, Pair

__all__ = [
    "CANVAS_INPUT",
    "CANVAS_INSERTED",
    "CANVAS_PADDING",
    "ConvolutionForm",
    "conv_transpose_as_conv",
    "flip_transposed_weight",
]


@dataclass(frozen=True)
class ConvolutionForm:
    """A transposed convolution written as a stride-1 convolution of a zero-inserted canvas.

    Attributes
    ----------
    canvas : (N, C_in, Hc, Wc), in the caller's rank (``(Hc, Wc)`` for the 2-D teaching form):
        the input with ``s − 1`` zeros between cells, padded (or cropped) as described above
    weight : (C_out, C_in/groups, kH, kW), ``(kH, kW)`` for the 2-D form: the kernel flipped in
        both spatial axes, channel axes swapped
    kinds : (Hc, Wc) int8: :data:`CANVAS_INPUT`, :data:`CANVAS_INSERTED` or
        :data:`CANVAS_PADDING` for every canvas cell
    rows, cols : canvas row of input row ``i`` is ``rows[i]`` (likewise columns); it lies
        outside ``[0, Hc)`` when the padding crops that input row away
    pad : ``((top, bottom), (left, right))`` padding of the zero-inserted input, negative where
        it crops: ``d·(k − 1) − p`` and ``d·(k − 1) − p + output_padding``
    dilation : the convolution's dilation (the transposed convolution's)
    groups : the convolution's groups (the transposed convolution's)
    """

    canvas: np.ndarray
    weight: np.ndarray
    kinds: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    pad: tuple[Pair, Pair]
    dilation: Pair
    groups: int


def flip_transposed_weight(weight: np.ndarray, groups: int = 1) -> np.ndarray:
    """A transposed convolution's weight as the kernel of the equivalent convolution.

    Parameters
    ----------
    weight : (C_in, C_out/groups, kH, kW)
    groups : how many groups the channels form

    Returns
    -------
    np.ndarray
        (C_out, C_in/groups, kH, kW): within each group the two channel axes are swapped, and
        every kernel is flipped upside down and left to right (a copy).
    """
    c_in, c_out_g, kh, kw = weight.shape
    per_group = weight.reshape(groups, c_in // groups, c_out_g, kh, kw)
    swapped = per_group.transpose(0, 2, 1, 3, 4).reshape(groups * c_out_g, c_in // groups, kh, kw)
    return np.ascontiguousarray(swapped[:, :, ::-1, ::-1])


def conv_transpose_as_conv(
    x: object,
    weight: object,
    stride: object = 1,
    padding: object = 0,
    output_padding: object = 0,
    groups: int = 1,
    dilation: object = 1,
) -> ConvolutionForm:
    """The zero-inserted, padded canvas and the flipped kernel of a transposed convolution.

    Parameters
    ----------
    x : (N, C_in, H, W), (C_in, H, W) or (H, W)
    weight : (C_in, C_out/groups, kH, kW); (kH, kW) when ``x`` is 2-D
    stride, padding, output_padding, dilation, groups : as :func:`engine.conv_transpose2d`,
        validated the same way (the same ``ParameterError`` for the same arguments)

    Returns
    -------
    ConvolutionForm
        ``conv2d(form.canvas, form.weight, bias, dilation=form.dilation, groups=form.groups)``
        is ``conv_transpose2d(x, weight, bias, stride, padding, output_padding, groups,
        dilation)``: the canvas is ``(H_out + d·(kH − 1)) × (W_out + d·(kW − 1))``.
    """
    setup = _prepare(x, weight, None, stride, padding, output_padding, groups, dilation)
    x4, w4, g = setup.x4, setup.w4, setup.g
    n, c_in, h, w = x4.shape
    kernel = w4.shape[2:]
    axes = []
    for a, size in enumerate((h, w)):
        s, d, p = g.stride[a], g.dilation[a], g.pad_before[a]
        before = d * (kernel[a] - 1) - p
        after = before + setup.output_padding[a]
        inserted = (size - 1) * s + 1
        extent = before + inserted + after  # >= d·(k − 1) + 1: the output is at least 1
        where = before + np.arange(size) * s  # canvas index of every input row / column
        zeros = before + np.arange(inserted)  # canvas index of the zero-inserted grid
        axes.append((extent, where, zeros[(zeros >= 0) & (zeros < extent)], (before, after)))
    (hc, rows, grid_rows, pad_h), (wc, cols, grid_cols, pad_w) = axes
    in_rows = (rows >= 0) & (rows < hc)
    in_cols = (cols >= 0) & (cols < wc)
    canvas = np.zeros((n, c_in, hc, wc), dtype=x4.dtype)
    canvas[:, :, rows[in_rows][:, None], cols[in_cols][None, :]] = x4[:, :, in_rows][..., in_cols]
    kinds = np.full((hc, wc), CANVAS_PADDING, dtype=np.int8)
    kinds[grid_rows[:, None], grid_cols[None, :]] = CANVAS_INSERTED
    kinds[rows[in_rows][:, None], cols[in_cols][None, :]] = CANVAS_INPUT
    flipped = flip_transposed_weight(w4, setup.groups)
    if setup.ndim == 2:
        shown_canvas, shown_weight = canvas[0, 0], flipped[0, 0]
    else:
        shown_canvas = canvas.reshape(setup.caller_shape(canvas.shape))
        shown_weight = flipped
    return ConvolutionForm(
        canvas=shown_canvas,
        weight=shown_weight,
        kinds=kinds,
        rows=rows,
        cols=cols,
        pad=(pad_h, pad_w),
        dilation=g.dilation,
        groups=setup.groups,
    )

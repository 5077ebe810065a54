"""Input forms: accept (H, W), (C, H, W) or (N, C, H, W) and give back the caller's rank."""

from __future__ import annotations

import numpy as np

from engine.errors import ParameterError


def as_float_array(x: object, name: str) -> np.ndarray:
    """``x`` as a float array: floats keep their dtype, integers are computed in float64.

    Raises
    ------
    ParameterError
        If ``x`` is not numeric (bool, complex, strings and objects are refused).
    """
    arr = np.asarray(x)
    if arr.dtype.kind in "iu":
        return arr.astype(np.float64)
    if arr.dtype == np.float16:
        return arr.astype(np.float32)
    if arr.dtype.kind != "f":
        raise ParameterError(
            "{name} must hold real numbers (ints or floats), got dtype {dtype}",
            name=name,
            dtype=arr.dtype,
        )
    return arr


def as_plane(x: object, name: str) -> np.ndarray:
    """``x`` as one ``(H, W)`` float plane (what a trace and a pitfall show).

    Raises
    ------
    ParameterError
        If ``x`` is not numeric (see :func:`as_float_array`) or not two-dimensional.
    """
    arr = as_float_array(x, name)
    if arr.ndim != 2:
        raise ParameterError(
            "{name} must be one (H, W) plane; got shape {shape}", name=name, shape=arr.shape
        )
    return arr


def check_grad_output(
    grad_output: object, shape4: tuple[int, ...], ndim: int, dtype: np.dtype
) -> np.ndarray:
    """``grad_output`` as an ``shape4`` (N, C, out_H, out_W) array in ``dtype``'s float type.

    The caller passes it in the input's rank ``ndim``: the last ``ndim`` axes of ``shape4``.

    Raises
    ------
    ParameterError
        If its shape is not the output's, or it does not hold real numbers.
    """
    gy = np.asarray(grad_output)
    check_grad_shape(gy.shape, shape4[4 - ndim :])
    if gy.dtype.kind not in "iuf":
        raise ParameterError(
            "grad_output must hold real numbers, got dtype {dtype}", dtype=gy.dtype
        )
    checked: np.ndarray = gy.reshape(shape4).astype(np.result_type(dtype, np.float32), copy=False)
    return checked


def check_grad_shape(shape: tuple[int, ...], expected: tuple[int, ...]) -> None:
    """Refuse a ``grad_output`` of ``shape`` where the output's shape is ``expected``.

    Raises
    ------
    ParameterError
        Naming both shapes.
    """
    if shape != expected:
        raise ParameterError(
            "grad_output shape {shape} must match the output shape {expected}",
            shape=shape,
            expected=expected,
        )


def integer_indices(
    indices: object, expected: tuple[int, ...], op: str, unpool: bool = False
) -> np.ndarray:
    """The ``indices`` ``op`` returned with ``return_indices=True``, given back to its backward
    (or, with ``unpool``, to max unpooling).

    ``expected`` is the output's shape in the caller's rank; with ``unpool``, the shape of the
    pooled values handed over with them (one index per value), and the message says so.

    Raises
    ------
    ParameterError
        If they do not have that shape or do not hold integers.
    """
    idx = np.asarray(indices)
    if idx.shape != expected:
        if unpool:
            raise ParameterError(
                "indices shape {shape} must equal x's shape {x_shape} (one index per input "
                "element, as max_pool2d(..., return_indices=True) returns them)",
                shape=idx.shape,
                x_shape=expected,
            )
        raise ParameterError(
            "indices shape {shape} must match the output shape {expected} "
            "(pass the indices {op} returned with return_indices=True)",
            shape=idx.shape,
            expected=expected,
            op=op,
        )
    check_integer_indices(idx, op)
    return idx


def check_integer_indices(idx: np.ndarray, op: str) -> None:
    """Refuse indices that do not hold integers (as ``op`` returns them).

    Raises
    ------
    ParameterError
        Naming their dtype.
    """
    if idx.dtype.kind not in "iu":
        raise ParameterError(
            "indices must hold integers ({op}'s return_indices=True output), got dtype {dtype}",
            op=op,
            dtype=idx.dtype,
        )


def to_4d(
    x: object,
    name: str = "x",
    ranks: tuple[int, ...] = (2, 3, 4),
) -> tuple[np.ndarray, int]:
    """Return ``(x as (N, C, H, W) float array, original ndim)``.

    Raises
    ------
    ParameterError
        If the rank is not one of ``ranks`` or a channel/height/width dimension is empty.
    """
    arr = as_float_array(x, name)
    if arr.ndim not in ranks:
        forms = ", ".join(_FORMS[r] for r in ranks)
        raise ParameterError(
            "{name} must have shape {forms}; got shape {shape}",
            name=name,
            forms=forms,
            shape=arr.shape,
        )
    ndim = arr.ndim
    arr4 = arr.reshape((1,) * (4 - ndim) + arr.shape)
    if min(arr4.shape[1:]) == 0 or (ndim < 4 and arr4.shape[0] == 0):
        raise ParameterError(
            "{name} must not have an empty channel, height or width dimension; got shape {shape}",
            name=name,
            shape=arr.shape,
        )
    return arr4, ndim


def from_4d(y: np.ndarray, ndim: int) -> np.ndarray:
    """Undo :func:`to_4d`: drop the leading axes the caller did not give."""
    return y.reshape(y.shape[4 - ndim :])


_FORMS = {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"}


def group_matrices(a: np.ndarray, groups: int) -> np.ndarray:
    """One matrix per channel group.

    Parameters
    ----------
    a : array, shape (C, ...), C divisible by ``groups``
    groups : int

    Returns
    -------
    array, shape (groups, C / groups, prod(...))
        A view when ``a`` is C-contiguous.
    """
    return a.reshape(groups, a.shape[0] // groups, -1)

"""The rectifier, element by element: ``torch.nn.functional.relu`` and its backward.

``relu(x) = max(0, x)``, written as PyTorch computes it (``clamp_min(x, 0)``): an element is
replaced by 0 only where ``x < 0``, so ``-0.0`` stays ``-0.0`` and NaN stays NaN.  The backward
is PyTorch's ``threshold_backward``: the upstream gradient passes where ``x > 0`` *and where x
is NaN* (the test is ``x <= 0``, which NaN fails); at ``x == 0`` the gradient is 0.

Both are computed on the bits: an element is kept by AND-ing its bits with all ones and
replaced by ``+0.0`` by AND-ing them with zeros.  That keeps every kept element bit for bit
(``-0.0``, NaN payloads, infinities) without relying on how ``np.maximum`` orders two zeros,
and is several times faster than ``np.where`` (one comparison, one subtraction, one AND).
"""

from __future__ import annotations

import numpy as np

from engine import parallel
from engine.arrays import as_float_array, check_grad_shape

#: Arrays of at least this many elements are done in pieces of :data:`PIECE_ELEMENTS` on the
#: engine's threads (:func:`engine.parallel.run_pieces`): a stack's ReLU layers ran on one
#: thread while the other waited (~0.7 ms of a ~14 ms LeNet-style stack, float32).  Each
#: element is computed alone, so the bits are the same on any number of threads.
PARALLEL_ELEMENTS = 1 << 17
PIECE_ELEMENTS = 1 << 17


def relu(x: object) -> np.ndarray:
    """``max(0, x)`` element-wise, as ``torch.nn.functional.relu``.

    Parameters
    ----------
    x : array of any shape
        Integers are computed in float64, like every engine function.

    Returns
    -------
    y : array, shape and float dtype of ``x``
        ``x`` where ``x >= 0`` or NaN (``-0.0`` kept), else 0.

    Raises
    ------
    ParameterError
        If ``x`` does not hold real numbers.

    Examples
    --------
    >>> relu([-2.0, 0.0, 3.0]).tolist()
    [0.0, 0.0, 3.0]
    """
    xa = _native(as_float_array(x, "x"))
    return _zero_where(np.less, xa, xa)


def relu_backward(grad_output: object, x: object) -> np.ndarray:
    """Gradient of :func:`relu` with respect to ``x``: ``dY · [x > 0]``.

    Parameters
    ----------
    grad_output : array, shape of ``x``
    x : array, the forward's input

    Returns
    -------
    grad_input : array, shape of ``x``
        ``grad_output`` where ``x > 0`` or ``x`` is NaN (PyTorch passes it there), else 0;
        so the gradient at ``x == 0`` is 0.

    Raises
    ------
    ParameterError
        If either does not hold real numbers or their shapes differ.

    Examples
    --------
    >>> relu_backward([5.0, 5.0, 5.0], [-1.0, 0.0, 2.0]).tolist()
    [0.0, 0.0, 5.0]
    """
    xa = as_float_array(x, "x")
    gy = as_float_array(grad_output, "grad_output")
    check_grad_shape(gy.shape, xa.shape)
    dtype = np.result_type(xa.dtype, gy.dtype).newbyteorder("=")
    return _zero_where(np.less_equal, xa, gy.astype(dtype, copy=False))


def _native(a: np.ndarray) -> np.ndarray:
    """``a`` in the machine's byte order (a copy only when it is not)."""
    return a.astype(a.dtype.newbyteorder("="), copy=False)


def _zero_where(test: np.ufunc, x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """A new array of ``a`` (native float) with ``+0.0`` where ``test(x, 0)``, every other bit
    kept (``x`` has the shape of ``a``)."""
    bits = np.dtype(f"u{a.dtype.itemsize}")
    out = np.empty(a.shape, dtype=bits)
    flat_x, flat_a, flat_out = x.reshape(-1), a.reshape(-1), out.reshape(-1)

    def piece(span: slice) -> None:
        keep = flat_out[span]
        # True -> 0 (all bits cleared), False -> 0 - 1, which wraps round to all bits set.
        np.subtract(test(flat_x[span], 0), 1, out=keep, dtype=bits)
        np.bitwise_and(flat_a[span].view(bits), keep, out=keep)

    n = out.size
    if n < PARALLEL_ELEMENTS:
        piece(slice(0, n))
    else:
        parallel.run_pieces(
            piece, [slice(k, k + PIECE_ELEMENTS) for k in range(0, n, PIECE_ELEMENTS)]
        )
    result: np.ndarray = out.view(a.dtype)
    return result

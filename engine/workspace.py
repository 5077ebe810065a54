"""Scratch arrays kept from one call to the next, one set per thread.

A convolution builds column matrices and phase buffers of a few MB per call.  Allocated afresh
every call, their pages are faulted in and zeroed by the kernel every call (measured: about
2,400 page faults and a third of the time of a float32 ``conv_transpose2d`` forward); kept,
they are warm in the cache.  A :class:`Scratch` hands out arrays by name and shape for the
duration of one call; the memory behind them stays with the calling thread (a
``threading.local``) for the next call, up to :data:`KEEP_BYTES` per thread.

Nothing handed out by a :class:`Scratch` may escape into a result: the next call on the same
thread overwrites it.
"""

from __future__ import annotations

import threading

import numpy as np

#: Bytes of scratch memory a thread keeps between calls (arrays larger than this are freed
#: at the end of the call that made them).
KEEP_BYTES = 48 << 20

_kept = threading.local()


def _store() -> dict[tuple[object, tuple[int, ...], str], np.ndarray]:
    store: dict[tuple[object, tuple[int, ...], str], np.ndarray] | None = getattr(
        _kept, "arrays", None
    )
    if store is None:
        store = _kept.arrays = {}
    return store


def _cut(
    store: dict[tuple[object, tuple[int, ...], str], np.ndarray],
    key: tuple[object, tuple[int, ...], str],
) -> np.ndarray | None:
    """A view of ``shape`` (``key[1]``) at the start of the thread's array for the same name
    and dtype, if that has at least as many elements and not more than twice as many.

    The bands of a convolution differ in height by a row or two (122 output rows in 4 bands:
    31, 31, 31, 29): with an array per exact shape, the last band's replaced the others' and
    the next call's first band replaced it again, a fresh array of a few MB each time, its
    pages faulted in and zeroed (~200 more page faults per LeNet-style stack call).
    """
    n = int(np.prod(key[1], dtype=np.int64))
    for (name, _, dtype), kept in store.items():
        if name == key[0] and dtype == key[2] and n <= kept.size <= 2 * n:
            view: np.ndarray = kept.reshape(-1)[:n].reshape(key[1])
            return view
    return None


class Scratch:
    """Arrays for one call, by name and shape, reused from the thread's earlier calls.

    Parameters
    ----------
    owner : str
        Namespace of the names (the calling module), so that two modules never share an array.
    dtype : numpy dtype
    """

    def __init__(self, owner: str, dtype: np.dtype) -> None:
        self.owner, self.dtype = owner, np.dtype(dtype)
        self.arrays: dict[object, np.ndarray] = {}

    def _take(
        self, name: object, shape: tuple[int, ...], made: list[bool] | None = None
    ) -> tuple[np.ndarray, bool]:
        """The thread's array for ``(owner, name)`` of ``shape``; and whether it is new to
        this call (its contents then are whatever an earlier call left).  ``made`` gets
        ``True`` appended when the array is allocated here (it holds no earlier call's data)."""
        a = self.arrays.get(name)
        if a is not None and a.shape == shape:
            return a, False
        key = ((self.owner, name), shape, self.dtype.str)
        store = _store()
        a = store.get(key)
        if a is None:
            # (not for kept_zeros: the elements its caller never writes must still be zero)
            a = _cut(store, key) if made is None else None
        if a is None:
            if made is not None:
                made.append(True)
            a = np.empty(shape, dtype=self.dtype)
            if a.nbytes <= KEEP_BYTES:
                # keep only the latest shape of each name: a new shape replaces the old one
                for old in [k for k in store if k[0] == key[0] and k[2] == key[2]]:
                    del store[old]
                if sum(v.nbytes for v in store.values()) + a.nbytes <= KEEP_BYTES:
                    store[key] = a
        self.arrays[name] = a
        return a, True

    def empty(self, name: object, shape: tuple[int, ...]) -> np.ndarray:
        """An array of ``shape`` with undefined contents (what the last chunk or call left)."""
        return self._take(name, shape)[0]

    def zeros(self, name: object, shape: tuple[int, ...]) -> np.ndarray:
        """Zeros when first taken in this call; as the last chunk left it afterwards (while
        the shape stays)."""
        a, new = self._take(name, shape)
        if new:
            a.fill(0)
        return a

    def kept_zeros(self, name: object, shape: tuple[int, ...]) -> np.ndarray:
        """Zeros when allocated; afterwards as the last chunk or call left it.

        For a caller that, under this name and shape, always writes the same elements and
        needs the others zero: they are zeroed once, not every call.  The name must therefore
        pin down which elements are written (include the sizes that decide it).
        """
        made: list[bool] = []
        a = self._take(name, shape, made)[0]
        if made:
            a.fill(0)
        return a

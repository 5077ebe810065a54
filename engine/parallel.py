"""Independent pieces of a convolution on several threads, the BLAS in each kept to one.

A convolution is a list of pieces (samples, or bands of rows of one sample), each an
"im2col" copy, a matrix product or two and a scatter back.  Left to itself, the BLAS splits
every product over all cores while the copies around it run on one: on a 2-core machine busy
with other work its threads wait for each other at every product (engine_bench, default
threads: float32 conv 2-6x PyTorch's time, against 1.5x with one thread).  Here whole pieces
go to :data:`engine.pooling.THREADS` threads instead, copies included, each thread taking
the next piece when it is done with one, and the BLAS runs single-threaded from then on
(through ``threadpoolctl``, see :func:`single_threaded_blas`, with one engine thread as well;
without it, or with one thread, the pieces run one after the other in the caller).

Each piece must write its own outputs (disjoint arrays or regions): the results are then the
same bits whatever the number of threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from engine import pooling

T = TypeVar("T")

_blas_lock = threading.Lock()
_blas_limiter: Any = None
_controller: Any = None
_controller_tried = False


def _blas_controller() -> Any:
    """A ``threadpoolctl.ThreadpoolController`` for the loaded BLAS, or None without one."""
    global _controller, _controller_tried
    if not _controller_tried:
        _controller_tried = True
        try:
            from threadpoolctl import ThreadpoolController

            controller = ThreadpoolController().select(user_api="blas")
            _controller = controller if controller.lib_controllers else None
        except Exception:  # no threadpoolctl, or a BLAS it cannot talk to: leave it alone
            _controller = None
    return _controller


def single_threaded_blas() -> bool:
    """Set the BLAS to one thread, for good; return whether the BLAS is controlled.

    Once a convolution has run its pieces on several threads, the BLAS stays single-threaded
    (:func:`release_blas` gives it its threads back).  Restoring its threads after every call
    woke them, and they spun waiting for work that never came while the next call ran: the
    LeNet-style stack of engine_bench took 92-112 ms of CPU time per call that way, 22-31 ms
    with the BLAS left at one thread (default threads, loaded 2-core machine).
    """
    global _blas_limiter
    controller = _blas_controller()
    if controller is None:
        return False
    with _blas_lock:
        if _blas_limiter is None:
            _blas_limiter = controller.limit(limits=1)
    return True


def release_blas() -> None:
    """Give the BLAS back the threads it had before :func:`single_threaded_blas`."""
    global _blas_limiter
    with _blas_lock:
        if _blas_limiter is not None:
            _blas_limiter.restore_original_limits()
            _blas_limiter = None


def run_pieces(work: Callable[[T], None], pieces: Sequence[T]) -> None:
    """``work(piece)`` for every piece, on up to :data:`engine.pooling.THREADS` threads.

    The caller's thread takes part; the others come from the pooling thread pool.  With one
    thread, one piece, no BLAS control, or a call from inside a pool worker, the pieces run
    in order in the caller.  The caller's NumPy error state applies in every thread.  An
    exception is raised once every piece has stopped: the one of the earliest piece.

    The BLAS is set to one thread in every case, with one engine thread too: a product the
    BLAS splits over its threads may round differently (a float32 dW of the LeNet-style stack
    on 100x100 differed in the last bits between ``THREADS = 1``, BLAS on two threads, and
    ``THREADS = 2``), and the results must not depend on the number of threads.
    """
    controlled = single_threaded_blas()
    run_shared(work, pieces, parallel=controlled)


def run_shared(work: Callable[[T], None], pieces: Sequence[T], parallel: bool = True) -> None:
    """``work(piece)`` for every piece, on up to :data:`engine.pooling.THREADS` threads, each
    thread taking the next piece when it is done with one; the BLAS is left alone.

    For pieces that call no BLAS (scatters, gathers, copies).  Unlike
    :func:`engine.pooling.run_planes`, which hands each thread a fixed share up front, a thread
    that a busy machine slows down simply takes fewer pieces.  With ``parallel=False``, one
    thread, one piece or a call from inside a pool worker, the pieces run in order in the
    caller.  Errors and the NumPy error state as in :func:`run_pieces`.
    """
    n = min(pooling.THREADS, len(pieces))
    if n <= 1 or not parallel or getattr(pooling._worker, "active", False):
        for piece in pieces:
            work(piece)
        return
    _run_shared(work, pieces, n)


def _run_shared(work: Callable[[T], None], pieces: Sequence[T], n: int) -> None:
    """:func:`run_shared` on ``n`` threads taking the next piece from a shared counter.

    The caller waits for the pieces, not for the helper threads: a helper that has not
    started by the time every piece is taken finds none left and returns, and nobody waits
    for it.  (Waiting for the helpers' tasks themselves made a call on a machine whose cores
    were busy with other work wait a whole scheduler slice for a helper that only had
    nothing left to do.)
    """
    errors = np.geterr()
    lock = threading.Lock()
    all_done = threading.Condition(lock)
    total = len(pieces)
    counts = [0, 0]  # pieces taken, pieces finished
    failures: dict[int, BaseException] = {}

    def take() -> int:
        with lock:
            k = counts[0]
            counts[0] += 1
            return k

    def finished() -> None:
        with lock:
            counts[1] += 1
            if counts[1] == total:
                all_done.notify_all()

    def run() -> None:
        pooling._worker.active = True
        try:
            with np.errstate(**errors):
                k = take()
                while k < total:
                    try:
                        work(pieces[k])
                    except BaseException as exc:  # re-raised by the caller, earliest first
                        failures[k] = exc
                    finally:
                        finished()
                    k = take()
        finally:
            pooling._worker.active = False

    pool = pooling._executor()
    for _ in range(n - 1):
        pool.submit(run)
    run()
    with lock:
        while counts[1] < total:
            all_done.wait()
    if failures:
        raise failures[min(failures)]

"""The pooling block loops may run on several threads (engine.pooling.THREADS): the results
are the same bits, and the same error is raised, whatever the number of threads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pytest

import engine
from engine import ParameterError, pooling


@pytest.fixture
def threads(monkeypatch):
    """Set the thread count; ``use.handoffs`` counts the groups given to other threads."""
    submitted = []
    executor = pooling._executor

    def counting_executor():
        pool = executor()

        class Counting:
            def submit(self, *args):
                submitted.append(args)
                return pool.submit(*args)

        return Counting()

    monkeypatch.setattr(pooling, "_executor", counting_executor)

    def use(n: int) -> None:
        monkeypatch.setattr(pooling, "THREADS", n)

    use.handoffs = submitted
    return use


# (shape, kernel, stride, padding, dilation): several blocks of whole planes, bands of one plane
# with and without overlapping windows, a dilated ceil_mode case.
CASES = [
    ((4, 24, 40, 40), 3, 1, 1, 1, False),
    ((4, 32, 72, 72), 3, 2, 1, 1, True),
    ((1, 1, 1040, 1040), 2, 2, 0, 1, False),
    ((1, 2, 530, 530), 3, 1, 1, 1, False),
    ((4, 32, 100, 100), 3, 2, 1, 2, True),
]


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _same_on_every_thread_count(
    threads, compute: Callable[[int], Sequence[np.ndarray]]
) -> list[np.ndarray]:
    """``compute(n)`` on n = 1, 2 and 3 threads: asserts every n gives the same bits, returns the
    arrays of the first."""
    results = []
    for n in (1, 2, 3):
        threads(n)
        results.append(list(compute(n)))
    for other in results[1:]:
        assert all(_same_bits(a, b) for a, b in zip(results[0], other, strict=True))
    return results[0]


def _weighted_on_every_thread_count(
    threads,
    forward: Callable[..., np.ndarray],
    backward: Callable[..., Sequence[np.ndarray]],
    loops: tuple[Callable[..., np.ndarray], Callable[..., Sequence[np.ndarray]]],
    rng: np.random.Generator,
    x: np.ndarray,
    w: np.ndarray,
    b: np.ndarray,
    *args: object,
    **kwargs: object,
) -> None:
    """A weighted operation's output and gradients (dX, dW, db) under a random dY: the same bits
    on every thread count (:func:`_same_on_every_thread_count`), and close to the plain-loop
    reference ``loops`` (forward, backward) of the same call."""
    y = forward(x, w, b, *args, **kwargs)
    gy = rng.standard_normal(y.shape).astype(x.dtype)
    first = _same_on_every_thread_count(
        threads,
        lambda _n: [forward(x, w, b, *args, **kwargs), *backward(gy, x, w, b, *args, **kwargs)],
    )
    # the pieces add up to the plain-loop reference
    tol = 1e-4 if x.dtype == np.float32 else 1e-10
    loop_forward, loop_backward = loops
    np.testing.assert_allclose(first[0], loop_forward(x, w, b, *args, **kwargs), rtol=tol, atol=tol)
    want = loop_backward(gy, x, w, b, *args, **kwargs)
    for got, ref in zip(first[1:], want, strict=True):
        np.testing.assert_allclose(got, ref, rtol=tol, atol=tol * 10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("shape", "k", "s", "p", "d", "ceil"), CASES)
def test_every_thread_count_gives_the_same_bits(threads, dtype, shape, k, s, p, d, ceil):
    rng = np.random.default_rng(11)
    x = rng.integers(-3, 4, size=shape).astype(dtype)  # ties everywhere
    x[0, 0, 0, :3] = np.nan

    def compute(_n: int) -> list[np.ndarray]:
        y, idx = engine.max_pool2d(x, k, s, p, d, ceil, return_indices=True)
        gy = np.random.default_rng(12).standard_normal(y.shape).astype(dtype)
        out = [y, idx, engine.max_pool2d_backward(gy, x, k, s, p, d, ceil, indices=idx)]
        out.append(engine.max_pool2d_backward(gy, x, k, s, p, d, ceil))
        out.append(engine.max_pool2d_backward(gy, x, k, s, p, d, ceil, ties="split"))
        if d == 1:
            out.append(engine.avg_pool2d(x, k, s, p, ceil))
            out.append(engine.avg_pool2d_backward(gy, x, k, s, p, ceil))
        return out

    _same_on_every_thread_count(threads, compute)
    assert threads.handoffs  # some block loop did run on another thread


def test_a_bad_index_is_reported_the_same_way_whatever_the_threads(threads):
    x = np.random.default_rng(13).standard_normal((8, 16, 40, 40))
    y, idx = engine.max_pool2d(x, 2, return_indices=True)
    bad = idx.copy()
    bad[7, 15, 19, 19] = 0  # in the last block
    bad[2, 3, 4, 5] = 0  # in an early one: this one is named
    messages = set()
    for n in (1, 2, 4):
        threads(n)
        with pytest.raises(ParameterError) as info:
            engine.max_pool2d_backward(np.ones_like(y), x, 2, indices=bad)
        messages.add(str(info.value))
    assert len(messages) == 1
    assert "plane (2, 3)" in messages.pop()


def test_the_callers_numpy_error_state_reaches_the_threads(threads):
    threads(2)
    x = np.full((4, 16, 40, 40), np.finfo(np.float64).max)
    with np.errstate(over="raise"):
        y = engine.avg_pool2d(x, 2)  # the engine ignores overflow itself: inf, as in PyTorch
    assert np.isinf(y).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(9, 9), (4, 9)])
def test_adaptive_pooling_gives_the_same_bits_on_every_thread_count(threads, dtype, output_size):
    """The gathered adaptive passes (uneven bins) run their plane blocks on the same threads."""
    rng = np.random.default_rng(3)
    x = rng.integers(-3, 4, size=(4, 64, 56, 56)).astype(dtype)  # ties everywhere
    x[0, 0, 0, :3] = np.nan

    def compute(_n: int) -> tuple[np.ndarray, ...]:
        y, idx = engine.adaptive_max_pool2d(x, output_size, return_indices=True)
        return engine.adaptive_avg_pool2d(x, output_size), y, idx

    _same_on_every_thread_count(threads, compute)
    assert threads.handoffs  # the blocks did go to other threads


@pytest.mark.parametrize("output_size", [7, 9])
def test_adaptive_forward_blocks_go_to_whichever_thread_is_free(threads, monkeypatch, output_size):
    """While one thread is stuck in the adaptive forward's first block, the other takes every
    other block (a fixed half each left the stuck thread's later blocks waiting for it); the
    result is still the one-thread result."""
    from engine import adaptive

    rng = np.random.default_rng(21)
    x = rng.standard_normal((4, 64, 56, 56)).astype(np.float32)
    expected = engine.adaptive_max_pool2d(x, output_size, return_indices=True)
    # 7x7: equal bins, tap-major copies; 9x9: uneven bins, tap-major gathers
    owner = adaptive._TapMajorCopy if output_size == 7 else adaptive._TapMajorGather
    method = "taps" if output_size == 7 else "gather"
    n_blocks = len(owner(x.reshape(-1, 56, 56), *adaptive._axes(x, output_size)).blocks())
    assert n_blocks > 2
    real = getattr(owner, method)
    lock = threading.Lock()
    started: list[int] = []
    others_done = threading.Event()

    def watched(self, p, *args):
        with lock:
            started.append(p.start)
            if len(started) == n_blocks:
                others_done.set()
        if p.start == 0:
            assert others_done.wait(timeout=20), "the other blocks waited for block 0"
        return real(self, p, *args)

    monkeypatch.setattr(owner, method, watched)
    threads(2)
    y, idx = engine.adaptive_max_pool2d(x, output_size, return_indices=True)
    assert len(started) == n_blocks
    assert _same_bits(y, expected[0]) and _same_bits(idx, expected[1])


# Convolutions (engine.parallel): samples, bands of one sample (their dX canvases added in band
# order), and bands shorter than the kernel; float32 and float64; with and without groups.
CONV_CASES = [
    ((6, 4, 20, 20), (8, 4, 3, 3), 1, 1, 1, 20000),
    ((2, 4, 40, 40), (6, 2, 3, 3), 2, 1, 2, 2000),
    ((1, 3, 50, 37), (5, 3, 5, 5), 1, 2, 1, 20000),
    ((1, 2, 30, 30), (4, 2, 7, 7), 1, 3, 1, 400),
    # a lone sample within the budget, cut into conv.MIN_PIECES bands for the threads
    ((1, 4, 70, 70), (6, 4, 3, 3), 1, 1, 1, 1 << 20),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("x_shape", "w_shape", "s", "p", "groups", "budget"), CONV_CASES)
def test_convolution_gives_the_same_bits_on_every_thread_count(
    threads, monkeypatch, dtype, x_shape, w_shape, s, p, groups, budget
):
    from engine import conv, parallel

    monkeypatch.setattr(conv, "COLUMN_BUDGET", budget)
    rng = np.random.default_rng(5)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[0]).astype(dtype)
    loops = (engine.reference.conv2d, engine.reference.conv2d_backward)
    _weighted_on_every_thread_count(
        threads, engine.conv2d, engine.conv2d_backward, loops, rng, x, w, b, s, p, groups=groups
    )
    if parallel._blas_controller() is not None:
        assert threads.handoffs  # pieces did go to other threads


def test_the_blas_stays_single_threaded_after_parallel_pieces_until_released(threads, monkeypatch):
    from engine import conv, parallel

    monkeypatch.setattr(conv, "COLUMN_BUDGET", 20000)  # a piece per sample
    controller = parallel._blas_controller()
    if controller is None:
        pytest.skip("no BLAS threadpoolctl can control")
    parallel.release_blas()
    before = [lib.num_threads for lib in controller.lib_controllers]
    threads(2)
    x = np.random.default_rng(1).standard_normal((4, 3, 30, 30))
    engine.conv2d_backward(np.ones((4, 2, 28, 28)), x, np.ones((2, 3, 3, 3)))
    assert [lib.num_threads for lib in parallel._blas_controller().lib_controllers] == [1] * len(
        before
    )
    parallel.release_blas()
    assert [lib.num_threads for lib in parallel._blas_controller().lib_controllers] == before


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("x_shape", "w_shape", "s", "p", "groups", "budget"),
    [
        ((6, 4, 12, 12), (4, 3, 4, 4), 2, 1, 1, 5000),  # one sample a piece
        ((5, 4, 10, 9), (4, 2, 3, 3), 2, 0, 2, 1 << 19),  # several samples a piece
        ((3, 2, 30, 20), (2, 3, 3, 3), 1, 1, 1, 2000),  # bands of rows within a piece
    ],
)
def test_transposed_convolution_gives_the_same_bits_on_every_thread_count(
    threads, monkeypatch, dtype, x_shape, w_shape, s, p, groups, budget
):
    from engine import conv_transpose, reference_transpose

    monkeypatch.setattr(conv_transpose, "COLUMN_BUDGET", budget)
    monkeypatch.setattr(conv_transpose, "BACKWARD_COLUMN_BUDGET", budget)
    rng = np.random.default_rng(6)
    x = rng.standard_normal(x_shape).astype(dtype)
    w = rng.standard_normal(w_shape).astype(dtype)
    b = rng.standard_normal(w_shape[1] * groups).astype(dtype)
    loops = (reference_transpose.conv_transpose2d, reference_transpose.conv_transpose2d_backward)
    _weighted_on_every_thread_count(
        threads,
        engine.conv_transpose2d,
        engine.conv_transpose2d_backward,
        loops,
        rng,
        x,
        w,
        b,
        s,
        p,
        groups=groups,
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_gives_the_same_bits_on_every_thread_count(threads, dtype):
    """A large ReLU runs in pieces on the threads (engine.relu.PARALLEL_ELEMENTS); -0.0, NaN,
    ±inf and the zeros where x == 0 come out the same on every thread count."""
    import importlib

    from engine import parallel

    relu_module = importlib.import_module("engine.relu")  # engine.relu is also the function
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 6, 252, 252)).astype(dtype)
    assert x.size >= relu_module.PARALLEL_ELEMENTS
    x.flat[::97] = -0.0
    x.flat[1::89] = np.nan
    x.flat[2::83] = 0.0
    x.flat[3::79] = -np.inf
    gy = rng.standard_normal(x.shape).astype(dtype)
    y, gx = _same_on_every_thread_count(
        threads, lambda _n: (engine.relu(x), engine.relu_backward(gy, x))
    )
    assert np.array_equal(y, np.where(x < 0, 0, x), equal_nan=True)
    assert np.signbit(y.flat[0]) and y.flat[0] == 0  # -0.0 kept
    assert np.array_equal(gx, np.where(x <= 0, 0, gy))  # 0 at x == 0, passed at NaN
    if parallel._blas_controller() is not None:
        assert threads.handoffs  # pieces did go to other threads


def _backward_handed_off(threads, work):
    """``work()``'s result and whether it gave any group to another thread."""
    before = len(threads.handoffs)
    result = work()
    return result, len(threads.handoffs) > before


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unpool_lp_and_adaptive_passes_give_the_same_bits_on_every_thread_count(threads, dtype):
    """max_unpool2d, lp_pool2d and the adaptive backward passes run runs of whole planes on
    the pooling threads (engine.pooling.run_planes; unpooling: engine.parallel.run_shared): the
    same bits on 1, 2 and 3 threads, with -0.0, NaN, inf and repeated unpooling indices (the
    last one wins in every plane), and the
    unpooling backward pass does hand work to another thread when there are several; the
    adaptive average backward (shrinking: repeated rows at memory speed, which the threads
    only slowed down) never does."""
    rng = np.random.default_rng(21)
    big = rng.standard_normal((4, 32, 96, 96)).astype(dtype)
    big.flat[::101] = -0.0
    pooled, idx = engine.max_pool2d(big, 2, return_indices=True)
    idx[:, :, 0, 1] = idx[:, :, 0, 0]  # duplicates: the later one (column 1) must win
    gy_up = rng.standard_normal(big.shape).astype(dtype)
    gy_up.flat[::7] = -0.0
    x = rng.standard_normal((4, 32, 56, 56)).astype(dtype)
    x.flat[::53] = -0.0
    x[0, 0, 0, :2] = np.nan
    x[1, 2, 3, 4] = np.inf
    y_lp = engine.lp_pool2d(x, 2.0, 3, 2)
    gy_lp = rng.standard_normal(y_lp.shape).astype(dtype)
    gy_lp.flat[::5] = -0.0
    gy_ad = {size: rng.standard_normal((4, 32, size, size)).astype(dtype) for size in (7, 9)}
    for g in gy_ad.values():
        g.flat[::3] = -0.0

    def compute(n: int) -> list[np.ndarray]:
        up = engine.max_unpool2d(pooled, idx, 2)
        out = [up, engine.max_unpool2d_backward(gy_up, pooled, idx, 2)]
        y, o = engine.lp_pool2d(x, 2.0, 3, 2, return_pooled=True)
        out += [y, o, engine.lp_pool2d_backward(gy_lp, x, 2.0, 3, 2, pooled=o)]
        out.append(engine.lp_pool2d_backward(gy_lp, x, 2.0, 3, 2))  # pools x**p again
        handed = [
            _backward_handed_off(
                threads, lambda: engine.max_unpool2d_backward(gy_up, pooled, idx, 2)
            )[1]
        ]
        for size, g in gy_ad.items():
            grad, off = _backward_handed_off(
                threads, lambda g=g, size=size: engine.adaptive_avg_pool2d_backward(g, x, size)
            )
            out.append(grad)
            assert not off  # on the caller's thread
            _, ai = engine.adaptive_max_pool2d(x, size, return_indices=True)
            # (few bins, or overlapping ones for np.add.at: stays on one thread)
            out.append(engine.adaptive_max_pool2d_backward(g, x, size, indices=ai))
        assert all(handed) == (n > 1) and any(handed) == (n > 1)
        return out

    up = _same_on_every_thread_count(threads, compute)[0].reshape(4 * 32, -1)
    first = pooled.reshape(4 * 32, 48, 48)
    at = idx.reshape(4 * 32, 48, 48)[:, 0, 0]
    assert np.array_equal(up[np.arange(4 * 32), at], first[:, 0, 1])  # the last duplicate won


@pytest.mark.parametrize("n_threads", [1, 2, 3])
@pytest.mark.parametrize(
    ("n_planes", "per_plane", "block"),
    [
        (512, 3136, 1 << 17),
        (10, 1 << 14, 3 << 14),
        (7, 100, 1000),
        (3, 1 << 20, 1 << 16),
        (0, 9, 9),
    ],
)
def test_plane_runs_cover_every_plane_once_and_share_out_evenly(
    threads, n_threads, n_planes, per_plane, block
):
    threads(n_threads)
    runs = pooling.plane_blocks(n_planes, per_plane, block)
    assert [p for run in runs for p in range(run.start, run.stop)] == list(range(n_planes))
    sizes = [run.stop - run.start for run in runs]
    assert all(size >= 1 for size in sizes)
    assert max(sizes, default=0) - min(sizes, default=0) <= 1  # balanced
    assert max(sizes, default=0) <= max(1, block // per_plane)  # at most a block's worth
    if n_threads > 1 and n_planes * per_plane >= pooling.MIN_PARALLEL_WINDOWS:
        assert len(runs) == n_planes or len(runs) % n_threads == 0


@pytest.mark.parametrize("backward", [False, True])
def test_a_bad_unpooling_index_is_reported_the_same_way_whatever_the_threads(threads, backward):
    """max_unpool2d checks its indices block by block, on the threads: whichever block finds
    a bad one, the message names the values of all of them, as with one thread."""
    x = np.random.default_rng(14).standard_normal((8, 16, 40, 40))
    _, idx = engine.max_pool2d(np.zeros((8, 16, 80, 80)), 2, return_indices=True)
    bad = idx.copy()
    bad[7, 15, 39, 39] = 80 * 80  # one past the plane, in the last block
    bad[6, 2, 0, 0] = -3  # a negative one, in an earlier block
    gy = np.ones((8, 16, 80, 80))
    messages = set()
    for n in (1, 2, 4):
        threads(n)
        with pytest.raises(ParameterError) as info:
            if backward:
                engine.max_unpool2d_backward(gy, x, bad, 2)
            else:
                engine.max_unpool2d(x, bad, 2)
        messages.add(str(info.value))
    assert len(messages) == 1
    assert "from -3 to 6400" in messages.pop()
    # a lone bad index in one block only, past another block's planes: still refused
    bad = idx.copy()
    bad[3, 0, 5, 5] = 80 * 80 + 1  # inside the next plane of its block, were it not checked
    threads(2)
    with pytest.raises(ParameterError, match="from 0 to 6401"):
        engine.max_unpool2d(x, bad, 2)


def test_shared_pieces_go_to_whichever_thread_is_free_and_leave_the_blas_alone(threads):
    """engine.parallel.run_shared: while the caller is stuck in piece 0, another thread takes
    every other piece (a fixed half each would leave pieces 1-2 waiting behind piece 0)."""
    from engine import parallel

    threads(2)
    parallel.release_blas()
    others_done = threading.Event()
    ran: list[int] = []
    lock = threading.Lock()

    def work(k: int) -> None:
        if k == 0:
            assert others_done.wait(timeout=20), "pieces 1-5 waited for piece 0"
        with lock:
            ran.append(k)
            if sorted(ran) == [1, 2, 3, 4, 5]:
                others_done.set()

    parallel.run_shared(work, range(6))
    assert sorted(ran) == list(range(6))
    assert parallel._blas_limiter is None  # no BLAS in these pieces: its threads untouched


def test_unpooling_hands_blocks_to_other_threads_forward_and_backward(threads):
    rng = np.random.default_rng(15)
    big = rng.standard_normal((4, 32, 96, 96))
    pooled, idx = engine.max_pool2d(big, 2, return_indices=True)
    threads(2)
    _, forward = _backward_handed_off(threads, lambda: engine.max_unpool2d(pooled, idx, 2))
    _, backward = _backward_handed_off(
        threads, lambda: engine.max_unpool2d_backward(big, pooled, idx, 2)
    )
    assert forward and backward

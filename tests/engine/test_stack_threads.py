"""A stack's outputs and gradients do not depend on the engine's thread count
(engine.pooling.THREADS): its convolutions are cut into bands whose dX canvases are added in
band order, its pooling blocks and ReLU pieces each write their own cells."""

from __future__ import annotations

import numpy as np
import pytest

import engine
from engine import conv, parallel, pooling


def _lenet(rng: np.random.Generator, dtype: type) -> list[dict[str, object]]:
    pool = {"op": "max_pool2d", "kernel_size": 2, "stride": 2}
    w1, w2 = rng.standard_normal((6, 1, 5, 5)), rng.standard_normal((16, 6, 5, 5))
    return [
        {"op": "conv2d", "weight": w1.astype(dtype), "bias": rng.standard_normal(6).astype(dtype)},
        {"op": "relu"},
        pool,
        {"op": "conv2d", "weight": w2.astype(dtype), "bias": rng.standard_normal(16).astype(dtype)},
        {"op": "relu"},
        pool,
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_lenet_style_stack_gives_the_same_bits_on_every_thread_count(monkeypatch, dtype):
    """Also with one engine thread, when the BLAS would have split a product over its own
    threads (float32 dW of the second convolution differed in the last bits)."""
    rng = np.random.default_rng(12)
    x = rng.standard_normal((1, 1, 100, 100)).astype(dtype)
    layers = _lenet(rng, dtype)
    # the first convolution is big enough to be cut into bands (two threads write one dX)
    g = engine.geometry.conv_geometry((100, 100), (5, 5), 1, 0, 1)
    assert len(conv._canvas_chunks(1, 1, g)) == conv.MIN_PIECES
    parallel.release_blas()  # the BLAS with its own threads, as in a fresh process
    results = []
    for n in (1, 2, 3):
        monkeypatch.setattr(pooling, "THREADS", n)
        outputs, grads = engine.stack_forward_backward(x, layers)
        flat = [*outputs]
        flat += [a for layer in grads for a in layer.values() if a is not None]
        results.append(flat)
    parallel.release_blas()
    for other in results[1:]:
        assert all(
            a.dtype == b.dtype and a.tobytes() == b.tobytes()
            for a, b in zip(results[0], other, strict=True)
        )
    # and the bands add up to the plain loops
    ref = engine.reference.conv2d_backward(
        np.ones((1, 6, 96, 96)), x.astype(float), layers[0]["weight"].astype(float)
    )
    got = engine.conv2d_backward(np.ones((1, 6, 96, 96), dtype), x, layers[0]["weight"])
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for a, e in zip(got[:2], ref[:2], strict=True):
        np.testing.assert_allclose(a, e, rtol=tol, atol=tol)

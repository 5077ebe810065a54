"""PyTorch computations in a process of their own: ``python -m visualizer.torch_worker IN OUT``.

The Verify dock compares the engine with PyTorch through this worker, so that nothing PyTorch
does can take the app down: PyTorch issue #114216, for one, corrupts the heap and aborts the
process.  ``IN`` is an ``.npz`` written by :class:`visualizer.verify.TorchJob`: the call's
tensors by name, ``grad_output``, and ``__request__``, a JSON object::

    {"function": "max_pool2d", "call_tensors": ["input"], "kwargs": {...},
     "return_indices": true, "backward": true, "differentiable": ["input"],
     "gradients": {"input": "grad_input"}}

The worker calls ``torch.nn.functional.<function>(*tensors, **kwargs)`` in float64 (with
``return_indices=True`` once more for the indices), runs the backward with ``grad_output``
when asked, and writes ``output``, ``indices`` and the gradients (named by ``gradients``) to
``OUT`` (an ``.npz``).
Exit status 0: done; 3: PyTorch cannot be imported; 1: PyTorch raised (the message on stderr);
2: wrong usage.  Only NumPy and PyTorch are imported here.

``python -m visualizer.torch_worker --serve`` keeps running, so that PyTorch is imported once:
it reads one request per line on stdin, a JSON list ``[IN, OUT]``, and answers each with a line
on stdout, :data:`REPLY` followed by JSON ``{"status": 0}`` (done), ``{"status": 3}`` (no
PyTorch) or ``{"status": 1, "error": "..."}``.  Anything else written to stdout goes to stderr.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from typing import Any

import numpy as np

MISSING_TORCH = 3
REPLY = b"@pooling-visualizer-torch-worker "  # starts each answer line of --serve


def QT_TR_NOOP(text: str) -> str:
    """Mark ``text`` for translation (collected by ``pyside6-lupdate``; returned unchanged).
    Not :func:`engine.ops.spec.QT_TR_NOOP`: this module imports only NumPy and PyTorch."""
    return text


# Beside torch_available: the window says it (its Compare with PyTorch action) before the
# checks of visualizer.verify are imported.
TORCH_MISSING = QT_TR_NOOP(
    "PyTorch is not installed in this Python environment (pip install torch); "
    "the comparison needs it."
)  # English; shown through tr()


def torch_available() -> bool:
    """Whether ``import torch`` can work, without importing it (that takes seconds).

    Here, not in :mod:`visualizer.verify`, so that the window can say whether PyTorch is there
    (its Compare with PyTorch action) without importing the checks before its first paint.
    """
    if "torch" in sys.modules:
        return sys.modules["torch"] is not None
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):
        return False


def run(request_path: str, result_path: str) -> None:
    """Compute what ``request_path`` asks and write the answers to ``result_path``."""
    with np.load(request_path, allow_pickle=False) as data:
        request = json.loads(str(data["__request__"]))
        arrays = {name: data[name] for name in data.files if name != "__request__"}
    import torch
    import torch.nn.functional as F  # noqa: N812 (the name every PyTorch text uses)

    function = getattr(F, request["function"])
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in request["kwargs"].items()}
    differentiable = set(request["differentiable"])
    leaves: dict[str, Any] = {}
    args = []
    for name in request["call_tensors"]:
        if name not in arrays:
            args.append(None)  # e.g. no bias
            continue
        array = arrays[name]
        integer = array.dtype.kind in "iu"  # indices stay integers
        tensor = torch.tensor(array, dtype=torch.int64 if integer else torch.float64)
        if request["backward"] and name in differentiable:
            tensor.requires_grad_()
            leaves[name] = tensor
        args.append(tensor)
    out: dict[str, np.ndarray] = {}
    if request["return_indices"]:
        with torch.no_grad():
            _, indices = function(*args, **kwargs, return_indices=True)
        out["indices"] = indices.numpy()
    y = function(*args, **kwargs)
    out["output"] = y.detach().numpy()
    if request["backward"]:
        y.backward(torch.tensor(arrays["grad_output"], dtype=torch.float64))
        gradients = request.get("gradients", {})
        for name, tensor in leaves.items():
            if tensor.grad is not None:
                out[gradients.get(name, f"grad_{name}")] = tensor.grad.numpy()
    with open(result_path, "wb") as f:
        np.savez(f, **out)


def _answer(request_path: str, result_path: str) -> dict[str, Any]:
    try:
        run(request_path, result_path)
    except ImportError as exc:
        return {"status": MISSING_TORCH, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # PyTorch refused: say why, in one line
        return {"status": 1, "error": f"{type(exc).__name__}: {exc}"}
    return {"status": 0}


def serve() -> int:
    """Answer requests from stdin until it closes (see the module's docstring)."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not look like answers
    sys.stdout = sys.stderr
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            request_path, result_path = json.loads(line)
        except ValueError as exc:
            answer: dict[str, Any] = {"status": 2, "error": f"bad request: {exc}"}
        else:
            answer = _answer(request_path, result_path)
        replies.write(REPLY + json.dumps(answer).encode() + b"\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["--serve"]:
        return serve()
    if len(args) != 2:
        print(
            "usage: python -m visualizer.torch_worker REQUEST.npz RESULT.npz | --serve",
            file=sys.stderr,
        )
        return 2
    answer = _answer(*args)
    if answer["status"]:
        print(answer["error"], file=sys.stderr)
    return int(answer["status"])


if __name__ == "__main__":
    sys.exit(main())

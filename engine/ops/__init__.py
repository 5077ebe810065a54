"""Operations as data: one registry of operation specs that the whole app reads.

``OPS`` maps each operation's PyTorch name (``max_pool2d``) to its :class:`OpSpec`, in the order
the app offers them (keys 1..9, menus, ``--op``).  A spec says everything about its operation:
parameters (:class:`ParamSpec`), tensors (:class:`TensorSpec`), forward and backward, the
step-by-step records, the reference loops, the code it is called with and its pitfalls.

Adding an operation
-------------------
A new operation touches only these files:

1. its functional code, torch-named, in ``engine/`` (e.g. ``engine/lp_pool.py``), exported from
   ``engine/__init__.py``;
2. its reference loops (forward and backward side by side) in ``engine/reference*.py``;
3. its spec module ``engine/ops/<torch_name>.py``: parameters, tensors, forward/backward, step
   records, code names, pitfalls, and its place in the menus (``order``); it ends with
   ``SPEC = register_module(globals(), order=..., ...)`` (``engine.ops.common``), which takes
   the module's name as the key and its ``_forward``, ``_backward``, ``_geometry``, ``_trace``,
   ``_kwargs`` and ``_explain``.  Every module in this folder is imported on start (no list to
   edit);
4. its tests in ``tests/engine/`` (hand-worked, hypothesis against the reference, finite
   differences, validation, PyTorch comparison that skips without torch);
5. its texts in ``assets/translations`` (``make translations``), and optionally a preset in
   ``assets/presets``.

Nothing else: the parameter panel, views, CLI, code view, sessions, presets, verification and
help read the registry.  A test registers a throw-away operation and checks exactly that.
"""

from __future__ import annotations

import importlib
import pkgutil

from engine.ops.registry import OPS, get_op, op_names, register, unregister
from engine.ops.spec import Accumulation, OpSpec, Params, ParamSpec, Step, StepCell, TensorSpec

_SUPPORT = {"budget", "common", "registry", "spec"}


def _load_builtin_ops() -> None:
    """Import every operation module here; each registers itself (ordered by ``order``)."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _SUPPORT and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    ordered = sorted(OPS.values(), key=lambda spec: (spec.order, spec.key))
    OPS.clear()
    OPS.update((spec.key, spec) for spec in ordered)


_load_builtin_ops()

__all__ = [
    "OPS",
    "Accumulation",
    "OpSpec",
    "ParamSpec",
    "Params",
    "Step",
    "StepCell",
    "TensorSpec",
    "get_op",
    "op_names",
    "register",
    "unregister",
]

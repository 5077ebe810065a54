"""The code behind the current state, as text a student can copy and run (no Qt here).

``numpy_code`` writes the exact engine calls, ``torch_code`` the same computation with
``torch.nn.functional``, and ``hand_code`` shows the operation's reference loops (the
functions of its spec's ``reference``) with the lines each stepping phase executes.  All of it
comes from the operation's spec (:mod:`engine.ops`): function names, the tensors a call takes
and their order, keyword arguments, the reference loops and their marked lines; the calls
follow :mod:`visualizer.calls`.  Small arrays are written out as literals (printed so that
every float reads back exactly); larger ones are loaded from ``.npy`` files that
:func:`save_arrays` writes, so the code always runs as is.

Every public function takes a document (:class:`~visualizer.model.Document`, alias
``Snapshot``) or, where only the operation matters, its name (PyTorch name or alias).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.ops import OpSpec, get_op
from visualizer.calls import (
    DOCUMENT_FIELDS,
    backward_kwargs,
    document_array,
    grad_name,
    prepared,
    stored_tensors,
)

if TYPE_CHECKING:
    from visualizer.model.document import Document

LITERAL_LIMIT = 400  # arrays with more elements are loaded from .npy files instead of printed
CODE_WIDTH = 56  # calls wrap here: beside the views at 1366×768 the dock gets ~350 px


def _spec(op: str | Document) -> OpSpec:
    return get_op(op) if isinstance(op, str) else op.spec


def _var(spec: OpSpec, tensor: str) -> str:
    """The Python name of ``tensor`` in the generated code: its symbol in lower case, or for a
    tensor the call makes itself (:attr:`OpSpec.prepare_code` assigns it), its name."""
    if not spec.has_tensor(tensor):
        return tensor
    made = spec.prepare is not None and tensor in spec.call_tensors
    if made and tensor not in DOCUMENT_FIELDS and not spec.tensor(tensor).from_param:
        return tensor
    return spec.tensor(tensor).symbol.lower()


def _file(tensor: str) -> str:
    """The ``.npy`` file a large ``tensor`` is loaded from."""
    return f"{tensor}.npy"


# ---- array literals ---------------------------------------------------------------------------
def _is_small(a: np.ndarray) -> bool:
    return a.size <= LITERAL_LIMIT


def _literal(a: np.ndarray) -> str:
    """``a`` as a nested-list literal that reads back to the same float64 values."""
    a = np.asarray(a, dtype=float)
    finite = np.isfinite(a)
    if finite.all() and np.array_equal(a, np.round(a)) and (a.size == 0 or np.abs(a).max() < 1e15):
        # Whole numbers read best without the trailing dots; dtype=float restores them.
        return np.array2string(
            a.astype(np.int64),
            separator=", ",
            threshold=sys.maxsize,
            max_line_width=CODE_WIDTH - 16,
        )
    # 'unique' prints the fewest digits that still round-trip each float exactly.
    return np.array2string(
        a, separator=", ", threshold=sys.maxsize, max_line_width=CODE_WIDTH - 16, floatmode="unique"
    )


def _needs_special_names(*arrays: np.ndarray) -> bool:
    return any(_is_small(a) and not np.isfinite(a).all() for a in arrays)


def _shape_text(shape: tuple[int, ...]) -> str:
    return "×".join(str(s) for s in shape)


def _array_line(
    name: str, a: np.ndarray, tensor: str, torch: bool, grad: bool = False, note: str = ""
) -> str:
    """``name = <literal or np.load(...)>`` for NumPy or PyTorch, ``note`` as a comment.

    ``tensor`` names the tensor, and so the file a large array is loaded from.
    """
    if _is_small(a):
        text = _literal(a)
        comment = f"# {name}: {note}\n" if note else ""
        if torch:
            req = ", requires_grad=True" if grad else ""
            head = f"{name} = torch.tensor("
            return f"{comment}{head}{_indent(text, len(head))}, dtype=torch.float64{req})"
        head = f"{name} = np.array("
        return f"{comment}{head}{_indent(text, len(head))}, dtype=float)"
    comment = f"  # {_shape_text(a.shape)}, written by “Save arrays…”"
    if torch:
        req = ".requires_grad_()" if grad else ""
        return f'{name} = torch.from_numpy(np.load("{_file(tensor)}")){req}{comment}'
    return f'{name} = np.load("{_file(tensor)}"){comment}'


def _indent(text: str, width: int) -> str:
    return text.replace("\n", "\n" + " " * width)


def _stored(doc: Document) -> dict[str, np.ndarray]:
    """The document's arrays the code writes out, by tensor name: the stored tensors the call
    starts from (all of them when the call prepares its own), then dY."""
    spec = doc.spec
    if spec.prepare is not None:
        arrays = stored_tensors(doc)
    else:
        names = [n for n in spec.call_tensors if not spec.tensor(n).from_param]
        arrays = {name: document_array(doc, name) for name in names}
    return {**arrays, "grad_output": document_array(doc, "grad_output")}


def arrays_to_save(snap: Document) -> dict[str, np.ndarray]:
    """The arrays the generated code loads from files (too large to print), by file name."""
    return {
        _file(name): np.asarray(a, dtype=float)
        for name, a in _stored(snap).items()
        if not _is_small(a) and not (name == "grad_output" and _all_ones(a))
    }


def save_arrays(snap: Document, directory: str | Path) -> list[Path]:
    """Write the ``.npy`` files the generated code loads into ``directory``; returns them."""
    folder = Path(directory)
    written = []
    for name, a in arrays_to_save(snap).items():
        path = folder / name
        np.save(path, a)
        written.append(path)
    return written


def _all_ones(a: np.ndarray) -> bool:
    return bool(np.all(a == 1))


# ---- arguments --------------------------------------------------------------------------------
def _value(value: object) -> str:
    """A keyword argument's value as Python source (strings in double quotes)."""
    return f'"{value}"' if isinstance(value, str) else str(value)


def _kwargs(kwargs: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={_value(value)}" for name, value in kwargs.items())


def _args(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def _call(head: str, args: str) -> str:
    """``head(args)`` wrapped after a comma when the line would pass ``CODE_WIDTH``."""
    line = f"{head}({args})"
    if len(line) <= CODE_WIDTH:
        return line
    parts = _top_level_parts(args)
    indent = " " * (len(head) + 1)
    lines, current = [], ""
    for part in parts:
        candidate = f"{current}, {part}" if current else part
        if current and len(indent) + len(candidate) > CODE_WIDTH - 2:
            lines.append(current + ",")
            current = part
        else:
            current = candidate
    lines.append(current)
    return f"{head}(" + ("\n" + indent).join(lines) + ")"


def _top_level_parts(args: str) -> list[str]:
    """``args`` split at the commas outside brackets: ``(2, 2)`` stays one part."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(args):
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == "," and depth == 0:
            parts.append(args[start:i].strip())
            start = i + 1
    parts.append(args[start:].strip())
    return parts


# ---- the tensors a call takes ----------------------------------------------------------------
def _tensor_lines(doc: Document, tensors: dict[str, np.ndarray | None], torch: bool) -> list[str]:
    """One assignment per tensor of the call, in call order (``x``, then ``w`` and ``b`` …).

    An operation that prepares its call (:attr:`OpSpec.prepare`) gets the document's tensors
    and the line of :attr:`OpSpec.prepare_code` that makes the call's tensors from them.
    """
    spec = doc.spec
    lines = []
    arrays = {**tensors, **stored_tensors(doc)} if spec.prepare is not None else tensors
    for name in _stored(doc):
        if name != "grad_output" and name not in tensors:
            lines.append(_stored_line(doc, name, arrays[name], torch))
    if spec.prepare is not None:
        kwargs = _kwargs(spec.engine_kwargs(spec.coerce_params(doc.params)))
        code = spec.prepare_code.format(module="F" if torch else "engine", kwargs=kwargs)
        lines.append(_wrapped(code))
    for name, a in tensors.items():
        tensor = spec.tensor(name)
        var = _var(spec, name)
        grad = torch and tensor.differentiable
        if tensor.from_param:
            lines.append(_param_tensor_line(var, a, torch, grad))
        elif name in _stored(doc):
            lines.append(_stored_line(doc, name, a, torch))
        elif grad:
            lines.append(f"{var}.requires_grad_()")  # made by the line above: a leaf
    return lines


def _stored_line(doc: Document, name: str, a: np.ndarray | None, torch: bool) -> str:
    spec = doc.spec
    tensor = spec.tensor(name)
    assert a is not None
    note = f"{tensor.shape} = {tuple(a.shape)}"
    grad = torch and tensor.differentiable
    return _array_line(_var(spec, name), a, name, torch=torch, grad=grad, note=note)


def _wrapped(code: str) -> str:
    """A line of code with a trailing comment: the comment above, the call wrapped."""
    comment = ""
    if "  # " in code:
        code, note = code.split("  # ", 1)
        comment = f"# {note}\n"
    if code.endswith(")") and "(" in code:
        head, args = code[: code.index("(")], code[code.index("(") + 1 : -1]
        code = _call(head, args)
    return comment + code


def _param_tensor_line(var: str, a: np.ndarray | None, torch: bool, grad: bool) -> str:
    """A tensor made from a parameter: one value repeated (a convolution's bias), or None."""
    if a is None:
        return f"{var} = None"
    value = float(a.reshape(-1)[0])
    if not torch:
        return f"{var} = np.full({a.size}, {value!r})"
    req = ", requires_grad=True" if grad else ""
    return f"{var} = torch.full(({a.size},), {value!r}, dtype=torch.float64{req})"


def _special_names_needed(doc: Document) -> bool:
    return _needs_special_names(*_stored(doc).values())


# ---- NumPy (the engine) -----------------------------------------------------------------------
def numpy_code(snap: Document) -> str:
    """The engine calls that compute the state's output ``y`` and its gradients.

    Executing the text defines ``x``, ``y``, ``dy`` and ``dx`` (plus ``w``, ``b``, ``dw`` and
    ``db`` for an operation with a weight: one name per tensor, its symbol in lower case),
    equal to what the app shows.  Large arrays are loaded from the files :func:`save_arrays`
    writes.
    """
    spec = snap.spec
    forward, backward = spec.numpy_call, spec.numpy_backward_call
    tensors, call_kwargs = prepared(snap)
    lines = [
        "# Run in the project folder (it imports engine/).",
        "import numpy as np",
    ]
    if _special_names_needed(snap):
        lines.append("from numpy import inf, nan")
    if "{module}" in spec.prepare_code:
        lines.append("import engine")
    lines += [f"from engine import {forward}, {backward}", ""]
    lines += _tensor_lines(snap, tensors, torch=False)
    names = [_var(spec, name) for name in spec.call_tensors]
    kwargs = _kwargs(call_kwargs)
    y, dy = _var(spec, "output"), _var(spec, "grad_output")
    lines.append(_call(f"{y} = {forward}", _args(*names, kwargs)))
    lines += ["", "# Backward: dy is the upstream gradient dL/dy; dx = dL/dx."]
    lines.append(_grad_line(snap, torch=False))
    grads = ", ".join(_var(spec, name) for name in spec.backward_returns)
    extra = _kwargs(backward_kwargs(snap))
    lines.append(_call(f"{grads} = {backward}", _args(dy, *names, kwargs, extra)))
    lines += ["", f"print({y})", f"print({_var(spec, spec.backward_returns[0])})"]
    return "\n".join(lines) + "\n"


def _grad_line(snap: Document, torch: bool) -> str:
    spec = snap.spec
    y, dy = _var(spec, "output"), _var(spec, "grad_output")
    if _all_ones(snap.grad_output):
        return f"{dy} = torch.ones_like({y})" if torch else f"{dy} = np.ones_like({y})"
    return _array_line(
        dy, snap.grad_output, "grad_output", torch=torch, note="the upstream gradient"
    )


# ---- PyTorch ----------------------------------------------------------------------------------
def torch_code(snap: Document) -> str:
    """The same computation with ``torch.nn.functional``, autograd giving ``dx = x.grad``.

    Executing the text defines tensors ``x``, ``y``, ``dy`` and ``dx`` (plus ``w``, ``b``,
    ``dw`` and ``db`` for an operation with a weight).  A parameter value PyTorch does not
    have (max pooling's ``ties="all"``) is said in a comment.
    """
    spec = snap.spec
    lines = []
    if arrays_to_save(snap):
        lines.append("import numpy as np")
    lines += ["import torch", "import torch.nn.functional as F"]
    if _special_names_needed(snap):
        lines.append('inf, nan = float("inf"), float("nan")')
    lines.append("")
    tensors, call_kwargs = prepared(snap)
    lines += _tensor_lines(snap, tensors, torch=True)
    names = [_var(spec, name) for name in spec.call_tensors]
    y, dy = _var(spec, "output"), _var(spec, "grad_output")
    lines.append(_call(f"{y} = F.{spec.torch_call}", _args(*names, _kwargs(call_kwargs))))
    lines += ["", "# Backward: autograd sends dy = dL/dy back; x.grad is dL/dx."]
    lines.append(_grad_line(snap, torch=True))
    lines.append(f"{y}.backward({dy})")
    for name in tensors:
        tensor = spec.tensor(name)
        if not tensor.differentiable:
            continue
        var, grad = _var(spec, name), _var(spec, grad_name(spec, name))
        if tensor.from_param:
            lines.append(f"{grad} = None if {var} is None else {var}.grad")
        else:
            lines.append(f"{grad} = {var}.grad")
    for param in spec.params:
        value = snap.params.get(param.name)
        if param.torch_code_note and param.differs_from_torch(value):
            lines.append(param.torch_code_note.format(**param.torch_fields(value)))
    lines += ["", f"print({y})", f"print({_var(spec, spec.backward_returns[0])})"]
    return "\n".join(lines) + "\n"


# ---- by hand (the reference loops) ------------------------------------------------------------
@dataclass(frozen=True)
class HandCode:
    """The reference loops shown for one operation and the lines to mark per phase.

    ``lines`` maps 'forward' and 'backward' to 0-based line numbers in ``text``.
    """

    text: str
    lines: dict[str, tuple[int, ...]]


def _source_file(function: Callable[..., Any]) -> str:
    """``engine/reference.py`` for a function of module ``engine.reference``."""
    return function.__module__.replace(".", "/") + ".py"


def hand_params(op: str | Document, *variant: Any, **params: Any) -> dict[str, Any]:
    """The parameter values the reference lines are chosen by (see :func:`hand_code`)."""
    spec = _spec(op)
    values = dict(spec.default_params() if isinstance(op, str) else op.params)
    values.update(zip(spec.backward_kwargs, variant, strict=False))
    values.update(params)
    return values


def hand_code_key(snap: Document) -> tuple[Any, ...]:
    """What :func:`hand_code` depends on: the operation and the values its line choice reads."""
    spec = snap.spec
    names = sorted({name for lines in spec.reference_lines for name, _ in lines.when})
    return (spec.key, *((name, snap.params.get(name)) for name in names))


def hand_code(op: str | Document, *variant: Any, **params: Any) -> HandCode:
    """Source of the operation's reference loops, forward then backward, and the lines each
    stepping phase executes (:attr:`OpSpec.reference_lines`).

    ``op`` is a document or an operation's name; with a name, ``variant`` gives the values of
    the backward-only parameters (:attr:`OpSpec.backward_kwargs`) in order, e.g.
    ``hand_code("max_pool2d", "all")`` for max pooling's tie rule, and ``params`` any other.
    """
    spec = _spec(op)
    values = hand_params(op, *variant, **params)
    functions = spec.reference
    sources = [_halve_indent(inspect.getsource(f)) for f in functions]
    where = " and ".join(dict.fromkeys(_source_file(f) for f in functions))
    header = f"# {where}, the same computation as plain loops\n# (indented by 2 to fit)\n"
    text = header + "\n".join(sources).rstrip("\n") + "\n"
    rows = text.split("\n")
    lines = {}
    for phase in ("forward", "backward"):
        found = []
        for marker in spec.reference_markers(phase, values):
            hits = [i for i, row in enumerate(rows) if row.strip().startswith(marker)]
            if len(hits) != 1:
                raise LookupError(
                    f"marker {marker!r} found {len(hits)} times in {where} ({spec.key})"
                )
            found += _statement_rows(rows, hits[0])
        lines[phase] = tuple(found)
    return HandCode(text, lines)


def _halve_indent(source: str) -> str:
    """4-space indentation as 2 spaces: the deepest loop bodies then fit a narrow dock, and
    the code stays valid Python (every line's indentation halves, so blocks stay aligned)."""
    rows = []
    for row in source.split("\n"):
        stripped = row.lstrip(" ")
        rows.append(" " * ((len(row) - len(stripped)) // 2) + stripped)
    return "\n".join(rows)


def _statement_rows(rows: list[str], first: int) -> list[int]:
    """``first`` and the continuation lines of its statement (until the brackets close)."""
    found, depth, i = [], 0, first
    while i < len(rows):
        code = rows[i].split("#", 1)[0]
        depth += sum(code.count(o) for o in "([{") - sum(code.count(c) for c in ")]}")
        found.append(i)
        if depth <= 0:
            break
        i += 1
    return found


def loop_variables(op: str | Document, plane: tuple[int, int], out_pos: tuple[int, int]) -> str:
    """The loop counters of the reference code at one step, e.g. ``n=0, c=0, oh=1, ow=2``."""
    n, c, oh, ow = _spec(op).loop_counters
    return f"{n}={plane[0]}, {c}={plane[1]}, {oh}={out_pos[0]}, {ow}={out_pos[1]}"

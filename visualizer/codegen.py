"""The code behind the current state, as text a student can copy and run (no Qt here).

``numpy_code`` writes the exact engine calls, ``torch_code`` the same computation with
``torch.nn.functional``, and ``hand_code`` shows the textbook loops of ``engine/reference.py``
with the lines each stepping phase executes.  Small arrays are written out as literals (printed
so that every float reads back exactly); larger ones are loaded from ``.npy`` files that
:func:`save_arrays` writes, so the code always runs as is.
"""

from __future__ import annotations

import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from engine import reference

if TYPE_CHECKING:
    from visualizer.snapshot import Snapshot

LITERAL_LIMIT = 400  # arrays with more elements are loaded from .npy files instead of printed
CODE_WIDTH = 56  # calls wrap here: beside the views at 1366×768 the dock gets ~350 px
FILES = {"x": "input.npy", "weight": "weight.npy", "grad_output": "grad_output.npy"}

# The functions of engine/reference.py that the "By hand" view shows, forward then backward.
HAND_FUNCTIONS = {
    "max": (reference.max_pool2d, reference.max_pool2d_backward),
    "avg": (reference.avg_pool2d, reference.avg_pool2d_backward),
    "conv": (reference.conv2d, reference.conv2d_backward),
}
# The lines one step executes, found by their text (not by number) so that an edit of
# reference.py cannot silently move the highlight; a test checks every marker is found.
HAND_MARKERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("max", "forward"): ("if v > best", "y[n, c, oh, ow] = best"),
    ("avg", "forward"): ("y[n, c, oh, ow] = total",),
    ("conv", "forward"): ("y[n, co, oh, ow] = total",),
    ("max", "backward"): ("gx[n, c, k // W, k % W] +=",),  # ties="first" (PyTorch)
    ("max", "backward-ties"): ("gx[n, c, r, col] += share",),  # ties="all" or "split"
    ("avg", "backward"): ("gx[n, c, r, col] += delta",),
    ("conv", "backward"): ("gx[n, group * C_in_g + ci, r, col] +=",),
}


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
    name: str, a: np.ndarray, key: str, torch: bool, grad: bool = False, note: str = ""
) -> str:
    """``name = <literal or np.load(...)>`` for NumPy or PyTorch, ``note`` as a comment."""
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
        return f'{name} = torch.from_numpy(np.load("{FILES[key]}")){req}{comment}'
    return f'{name} = np.load("{FILES[key]}"){comment}'


def _indent(text: str, width: int) -> str:
    return text.replace("\n", "\n" + " " * width)


def arrays_to_save(snap: Snapshot) -> dict[str, np.ndarray]:
    """The arrays the generated code loads from files (too large to print), by file name."""
    arrays = {"x": snap.x, "grad_output": snap.grad_output}
    if snap.op == "conv":
        arrays["weight"] = snap.weight
    return {
        FILES[key]: np.asarray(a, dtype=float)
        for key, a in arrays.items()
        if not _is_small(a) and not (key == "grad_output" and _all_ones(a))
    }


def save_arrays(snap: Snapshot, directory: str | Path) -> list[Path]:
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
def _kwargs(snap: Snapshot) -> str:
    p = snap.params
    if snap.op == "max":
        return (
            f"kernel_size={p.kernel_size}, stride={p.stride}, padding={p.padding}, "
            f"dilation={p.dilation}, ceil_mode={p.ceil_mode}"
        )
    if snap.op == "avg":
        return (
            f"kernel_size={p.kernel_size}, stride={p.stride}, padding={p.padding}, "
            f"ceil_mode={p.ceil_mode}, count_include_pad={p.count_include_pad}, "
            f"divisor_override={p.divisor_override}"
        )
    return f"stride={p.stride}, padding={p.padding}, dilation={p.dilation}"


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


def _bias_values(snap: Snapshot) -> np.ndarray | None:
    b = snap.params.bias
    return None if b is None else np.full(snap.weight.shape[0], float(b))


# ---- NumPy (the engine) -----------------------------------------------------------------------
def numpy_code(snap: Snapshot) -> str:
    """The engine calls that compute the state's output ``y`` and input gradient ``dx``.

    Executing the text defines ``x``, ``y``, ``dy`` and ``dx`` (plus ``w``, ``b``, ``dw`` and
    ``db`` for convolution), equal to what the app shows.  Large arrays are loaded from the
    files :func:`save_arrays` writes.
    """
    op = snap.op
    forward = {"max": "max_pool2d", "avg": "avg_pool2d", "conv": "conv2d"}[op]
    names = f"{forward}, {forward}_backward"
    lines = [
        "# Run in the project folder (it imports engine/).",
        "import numpy as np",
    ]
    if _needs_special_names(snap.x, snap.weight, snap.grad_output):
        lines.append("from numpy import inf, nan")
    lines += [f"from engine import {names}", ""]
    shape = f"(N, C, H, W) = {tuple(snap.x.shape)}"
    lines.append(_array_line("x", snap.x, "x", torch=False, note=shape))
    kwargs = _kwargs(snap)
    if op == "conv":
        w_note = f"(C_out, C_in, kH, kW) = {tuple(snap.weight.shape)}"
        lines.append(_array_line("w", snap.weight, "weight", torch=False, note=w_note))
        bias = _bias_values(snap)
        lines.append(
            "b = None" if bias is None else f"b = np.full({bias.size}, {float(bias[0])!r})"
        )
        lines.append(_call("y = conv2d", f"x, w, b, {kwargs}"))
    else:
        lines.append(_call(f"y = {forward}", f"x, {kwargs}"))
    lines += ["", "# Backward: dy is the upstream gradient dL/dy; dx = dL/dx."]
    lines.append(_grad_line(snap, torch=False))
    if op == "conv":
        lines.append(_call("dx, dw, db = conv2d_backward", f"dy, x, w, b, {kwargs}"))
    elif op == "max":
        lines.append(
            _call("dx = max_pool2d_backward", f'dy, x, {kwargs}, ties="{snap.params.ties}"')
        )
    else:
        lines.append(_call("dx = avg_pool2d_backward", f"dy, x, {kwargs}"))
    lines += ["", "print(y)", "print(dx)"]
    return "\n".join(lines) + "\n"


def _grad_line(snap: Snapshot, torch: bool) -> str:
    dy = snap.grad_output
    if _all_ones(dy):
        return "dy = torch.ones_like(y)" if torch else "dy = np.ones_like(y)"
    return _array_line("dy", dy, "grad_output", torch=torch, note="the upstream gradient")


# ---- PyTorch ----------------------------------------------------------------------------------
def torch_code(snap: Snapshot) -> str:
    """The same computation with ``torch.nn.functional``, autograd giving ``dx = x.grad``.

    Executing the text defines tensors ``x``, ``y``, ``dy`` and ``dx`` (plus ``w``, ``b``,
    ``dw`` and ``db`` for convolution).
    """
    op = snap.op
    loads = bool(arrays_to_save(snap))
    lines = []
    if loads:
        lines.append("import numpy as np")
    lines += ["import torch", "import torch.nn.functional as F"]
    if _needs_special_names(snap.x, snap.weight, snap.grad_output):
        lines.append('inf, nan = float("inf"), float("nan")')
    lines.append("")
    shape = f"(N, C, H, W) = {tuple(snap.x.shape)}"
    lines.append(_array_line("x", snap.x, "x", torch=True, grad=True, note=shape))
    kwargs = _kwargs(snap)
    if op == "conv":
        w_note = f"(C_out, C_in, kH, kW) = {tuple(snap.weight.shape)}"
        lines.append(_array_line("w", snap.weight, "weight", torch=True, grad=True, note=w_note))
        bias = _bias_values(snap)
        if bias is None:
            lines.append("b = None")
        else:
            lines.append(
                f"b = torch.full(({bias.size},), {float(bias[0])!r}, dtype=torch.float64, "
                "requires_grad=True)"
            )
        lines.append(_call("y = F.conv2d", f"x, w, b, {kwargs}"))
    else:
        lines.append(_call(f"y = F.{op}_pool2d", f"x, {kwargs}"))
    lines += ["", "# Backward: autograd sends dy = dL/dy back; x.grad is dL/dx."]
    lines.append(_grad_line(snap, torch=True))
    lines += ["y.backward(dy)", "dx = x.grad"]
    if op == "conv":
        lines.append("dw = w.grad")
        lines.append("db = None if b is None else b.grad")
    if op == "max" and snap.params.ties != "first":
        lines.append(
            f"# Note: PyTorch sends a tie's gradient to one maximum only; the app's ties=\""
            f'{snap.params.ties}" differs there.'
        )
    lines += ["", "print(y)", "print(dx)"]
    return "\n".join(lines) + "\n"


# ---- by hand (engine/reference.py) ------------------------------------------------------------
@dataclass(frozen=True)
class HandCode:
    """The reference loops shown for one operation and the lines to mark per phase.

    ``lines`` maps 'forward' and 'backward' to 0-based line numbers in ``text``.
    """

    text: str
    lines: dict[str, tuple[int, ...]]


def hand_code(op: str, ties: str = "first") -> HandCode:
    """Source of the forward and backward loops of ``engine/reference.py`` for ``op``."""
    sources = [_halve_indent(inspect.getsource(f)) for f in HAND_FUNCTIONS[op]]
    header = (
        "# engine/reference.py, the same computation as plain loops\n# (indented by 2 to fit)\n"
    )
    text = header + "\n".join(sources).rstrip("\n") + "\n"
    rows = text.split("\n")
    backward_key = "backward-ties" if op == "max" and ties != "first" else "backward"
    lines = {}
    for phase, key in (("forward", "forward"), ("backward", backward_key)):
        found = []
        for marker in HAND_MARKERS[(op, key)]:
            hits = [i for i, row in enumerate(rows) if row.strip().startswith(marker)]
            if len(hits) != 1:
                raise LookupError(
                    f"marker {marker!r} found {len(hits)} times in engine/reference.py ({op})"
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


def loop_variables(op: str, plane: tuple[int, int], out_pos: tuple[int, int]) -> str:
    """The loop counters of the reference code at one step, e.g. ``n=0, c=0, oh=1, ow=2``."""
    channel = "co" if op == "conv" else "c"
    return f"n={plane[0]}, {channel}={plane[1]}, oh={out_pos[0]}, ow={out_pos[1]}"

"""Lecture presets: small JSON files under ``assets/presets/`` that set up one classic example.

A preset file holds::

    {
      "format": "pooling-visualizer-preset",
      "version": 1,
      "title": "Max pooling 2×2 on 1…16",
      "explanation": "One paragraph a student can read.",
      "title_zh": "…",                  # optional: title and explanation in Simplified
      "explanation_zh": "…",            #   Chinese, shown when the app speaks Chinese
      "op": "max",                      # 'max', 'avg' or 'conv'
      "params": {"kernel_size": 2, "stride": 2},
      "input": [[1, 2], [3, 4]],        # (H, W), (C, H, W) or (N, C, H, W)
      "kernel": [[0, 1], [2, 3]],       # optional: (kH, kW) or (C_out, C_in, kH, kW)
      "bias": 0,                        # optional: one number for every output channel
      "grad_output": [[1, 1]],          # optional: the upstream gradient dY
      "step": 4                         # optional: the step to show after loading
    }

``params`` takes the fields of :class:`visualizer.state.Params`; pairs may be one int.  A
missing ``stride`` means the kernel size for pooling and 1 for convolution, as in PyTorch.

:func:`load_preset` checks everything it can before the state is touched and raises
``ValueError`` naming the file, the field and the rule (in the current language);
:func:`apply_preset` loads a preset into the state as one undoable edit.
"""

from __future__ import annotations

import json
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.ops import OPS, Params, get_op
from visualizer.i18n import CHINESE, ENGLISH, localized, tr, translate_message
from visualizer.limits import PRESET_MAX_BYTES
from visualizer.model import default_params
from visualizer.resources import asset
from visualizer.safe_io import PRESET_FILE, UnreadableFileError, read_text_file
from visualizer.schema import PRESET, params_from_json
from visualizer.state import AppState, Snapshot

PRESET_FORMAT = "pooling-visualizer-preset"
PRESET_VERSION = 1
MAX_PRESET_BYTES = PRESET_MAX_BYTES  # a preset is a small example; checked before reading
TOP_LEVEL_KEYS = (
    "format",
    "version",
    "title",
    "explanation",
    "title_zh",
    "explanation_zh",
    "op",
    "params",
    "input",
    "kernel",
    "bias",
    "grad_output",
    "step",
)


@dataclass(frozen=True)
class Preset:
    """One validated preset; arrays are already in the state's 4-D layout."""

    path: Path
    title: str  # English
    explanation: str
    op: str
    params: Params
    x: np.ndarray  # (N, C, H, W)
    weight: np.ndarray | None  # (C_out, C_in, kH, kW)
    grad_output: np.ndarray | None  # (N, C_out, out_H, out_W)
    step: int | None
    out_size: tuple[int, int]
    title_zh: str | None = None
    explanation_zh: str | None = None

    @property
    def key(self) -> str:
        return self.path.stem

    def display_title(self) -> str:
        """The title in the current language (English when the file has no translation)."""
        return localized({ENGLISH: self.title, CHINESE: self.title_zh or ""})

    def display_explanation(self) -> str:
        return localized({ENGLISH: self.explanation, CHINESE: self.explanation_zh or ""})


def presets_dir() -> Path:
    return asset("presets")


def list_presets() -> list[Path]:
    """The shipped preset files, in lecture order (their names start with a number)."""
    folder = presets_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() == ".json")


def load_preset(path: str | Path) -> Preset:
    """Read and validate one preset file.

    Raises
    ------
    ValueError
        If the file cannot be read, is not JSON, or breaks the schema; the message starts
        with the file name and says which field is wrong and why.
    """
    path = Path(path)
    try:
        text = read_text_file(path, MAX_PRESET_BYTES, PRESET_FILE)
    except UnreadableFileError as exc:  # a special file, too large, not UTF-8, an OS error
        message = tr("{file}: cannot be read ({reason})")
        message = message.format(file=path.name, reason=translate_message(exc.reason))
        raise ValueError(message) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        message = tr(
            "{file}: not valid JSON — {reason} at line {line}, column {column} "
            "(is the file complete?)"
        )
        raise ValueError(
            message.format(file=path.name, reason=exc.msg, line=exc.lineno, column=exc.colno)
        ) from exc
    try:
        return parse_preset(data, path)
    except ValueError as exc:
        raise ValueError(tr("{file}: {reason}").format(file=path.name, reason=exc)) from exc


def preset_in_file(path: str | Path) -> Preset | None:
    """The preset in the file at ``path``, or None when the file is not a preset (its JSON
    has no preset ``format`` field, or it cannot be read or parsed as a preset's size of
    JSON: the session reader then says why), so that one command-line argument opens either.

    Raises
    ------
    ValueError
        For a file that says it is a preset but breaks the schema; the message starts with
        the file name, as :func:`load_preset`'s do.
    """
    path = Path(path)
    try:
        data = json.loads(read_text_file(path, MAX_PRESET_BYTES, PRESET_FILE))
    except ValueError:  # unreadable, too large for a preset, not UTF-8 or not JSON
        return None
    if not isinstance(data, dict) or data.get("format") != PRESET_FORMAT:
        return None
    try:
        return parse_preset(data, path)
    except ValueError as exc:
        raise ValueError(tr("{file}: {reason}").format(file=path.name, reason=exc)) from exc


def parse_preset(data: object, path: Path) -> Preset:
    """Validate the decoded JSON of a preset (messages name the field, not the file)."""
    if not isinstance(data, dict):
        message = tr("the file must hold a JSON object, not {type}")
        raise ValueError(message.format(type=type(data).__name__))
    if data.get("format") != PRESET_FORMAT:
        message = tr('is not a preset ("format" must be "{format}")')
        raise ValueError(message.format(format=PRESET_FORMAT))
    if data.get("version") != PRESET_VERSION:
        message = tr("version {version} is not supported (this app reads version {supported})")
        raise ValueError(
            message.format(version=repr(data.get("version")), supported=PRESET_VERSION)
        )
    unknown = sorted(set(data) - set(TOP_LEVEL_KEYS))
    if unknown:
        message = tr("unknown field(s) {fields}; allowed: {allowed}")
        raise ValueError(
            message.format(fields=", ".join(map(repr, unknown)), allowed=", ".join(TOP_LEVEL_KEYS))
        )
    for key in ("title", "explanation", "op", "input"):
        if key not in data:
            raise ValueError(tr('"{field}" is missing').format(field=key))
    title = _text(data["title"], "title")
    explanation = _text(data["explanation"], "explanation")
    title_zh = _optional_text(data, "title_zh")
    explanation_zh = _optional_text(data, "explanation_zh")
    op = data["op"]
    try:
        spec = get_op(op)  # a PyTorch name or its short alias
    except ValueError:
        message = tr('"op" ({op}) must be one of {ops}')
        names = [s.alias for s in OPS.values()] + [s.key for s in OPS.values()]
        raise ValueError(message.format(op=repr(op), ops=", ".join(map(repr, names)))) from None
    op = spec.key

    x = _matrix(data["input"], "input", (2, 3, 4))
    x = x.reshape((1,) * (4 - x.ndim) + x.shape)
    weight = None
    if data.get("kernel") is not None:
        weight = _matrix(data["kernel"], "kernel", (2, 4))
        if weight.ndim == 2:
            if x.shape[1] != 1:
                message = tr(
                    'a 2-D "kernel" needs a one-channel input; the input has {channels} '
                    "channels (give the kernel as (C_out, C_in, kH, kW))"
                )
                raise ValueError(message.format(channels=x.shape[1]))
            weight = weight[None, None]
        elif weight.shape[spec.weight_in_axis] != x.shape[1]:
            message = tr(
                '"kernel" of shape {shape} has C_in = {kernel_channels}, but the input '
                "has {channels} channels"
            )
            raise ValueError(
                message.format(
                    shape=weight.shape,
                    kernel_channels=weight.shape[spec.weight_in_axis],
                    channels=x.shape[1],
                )
            )
    elif spec.has_weight:
        raise ValueError(tr('"kernel" is required for op "{op}"').format(op=data["op"]))

    params = _params(data.get("params", {}), op, weight, data.get("bias", _MISSING))
    out_size = _output_size(op, x, weight, params)
    channels = weight.shape[0] if spec.has_weight and weight is not None else x.shape[1]

    grad = None
    if data.get("grad_output") is not None:
        grad = _matrix(data["grad_output"], "grad_output", (2, 3, 4))
        grad = grad.reshape((1,) * (4 - grad.ndim) + grad.shape)
        expected = (x.shape[0], channels, *out_size)
        if grad.shape != expected:
            message = tr('"grad_output" has shape {shape}, but the output has shape {expected}')
            raise ValueError(message.format(shape=grad.shape, expected=expected))

    step = data.get("step")
    if step is not None:
        n_steps = 2 * out_size[0] * out_size[1]
        if not _is_int(step) or not 0 <= step < n_steps:
            message = tr('"step" ({step}) must be an integer in 0..{last}')
            raise ValueError(message.format(step=repr(step), last=n_steps - 1))
    return Preset(
        path, title, explanation, op, params, x, weight, grad, step, out_size,
        title_zh, explanation_zh,
    )  # fmt: skip


_MISSING = object()


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _text(value: object, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(tr('"{field}" must be a non-empty string').format(field=key))
    return value.strip()


def _optional_text(data: dict, key: str) -> str | None:
    """A translation field: absent or null means "no translation", else a non-empty string."""
    value = data.get(key)
    return None if value is None else _text(value, key)


def _matrix(value: object, key: str, ranks: tuple[int, ...]) -> np.ndarray:
    """A nested list of numbers as a float array of one of ``ranks``."""
    forms = {2: "(H, W)", 3: "(C, H, W)", 4: "(N, C, H, W)"}

    def check(item: object, depth: int) -> None:
        if isinstance(item, list):
            if not item:
                raise ValueError(tr('"{field}" has an empty list').format(field=key))
            for sub in item:
                check(sub, depth + 1)
        elif not _is_number(item):
            message = tr('"{field}" must hold only numbers; found {value}')
            raise ValueError(message.format(field=key, value=repr(item)))

    if not isinstance(value, list):
        raise ValueError(tr('"{field}" must be a nested list of numbers').format(field=key))
    check(value, 0)
    try:
        arr = np.array(value, dtype=float)
    except ValueError as exc:
        message = tr('"{field}" must be rectangular: every row needs the same length')
        raise ValueError(message.format(field=key)) from exc
    if arr.ndim not in ranks:
        shapes = tr(" or ").join(forms.get(r, "(C_out, C_in, kH, kW)") for r in ranks)
        message = tr('"{field}" must have shape {shapes}; got {rank}-D {shape}')
        raise ValueError(message.format(field=key, shapes=shapes, rank=arr.ndim, shape=arr.shape))
    return arr


def _params(raw: object, op: str, weight: np.ndarray | None, bias: object) -> Params:
    parsed, given = params_from_json(raw, PRESET)
    values: dict[str, object] = {name: parsed[name] for name in given}
    if bias is not _MISSING:
        top = _bias(bias, '"bias"')
        if "bias" in values and values["bias"] != top:
            raise ValueError(tr('"bias" and params "bias" disagree; give it once'))
        values["bias"] = top
    spec = get_op(op)
    if weight is not None and spec.has_weight:
        kernel = tuple(int(s) for s in weight.shape[2:])
        if values.setdefault("kernel_size", kernel) != kernel:
            message = tr('params "kernel_size" {size} does not match the kernel\'s shape {shape}')
            raise ValueError(message.format(size=values["kernel_size"], shape=kernel))
    defaults = default_params()
    values.setdefault("kernel_size", defaults.kernel_size)
    params = defaults.replace(**values)
    if "stride" not in values:
        # PyTorch's defaults: pooling steps by its kernel, convolution by 1.
        params = spec.switch_params(params.replace(stride=values["kernel_size"]))
    return params


def _bias(value: object, what: str) -> float | None:
    if value is None:
        return None
    if not _is_number(value) or not math.isfinite(value):
        message = tr(
            "{field} must be a number or null (the app uses one bias for every output channel)"
        )
        raise ValueError(message.format(field=what))
    return float(value)


def _output_size(op: str, x: np.ndarray, weight: np.ndarray | None, p: Params) -> tuple[int, int]:
    """The output size, validating the parameters against the input with the engine's rules."""
    spec = get_op(op)
    try:
        w_shape = None if weight is None else weight.shape
        g = spec.geometry(x.shape, w_shape if spec.has_weight else None, p)
    except ValueError as exc:
        message = tr("invalid params for this input: {reason}")
        raise ValueError(message.format(reason=translate_message(exc))) from exc
    return g.out_size


# ---- into the state -----------------------------------------------------------------------------
def preset_snapshot(state: AppState, preset: Preset) -> Snapshot:
    """The state a preset describes, as a snapshot the state can restore."""
    weight = preset.weight
    if weight is None:
        # Pooling presets keep the current kernel, with as many input channels as the input,
        # so switching to convolution afterwards still works.
        weight = state.weight
        if state.spec.has_weight and state.spec.weight_in_axis == 0:
            weight = weight.swapaxes(0, 1)  # back to conv2d's layout, kept between operations
        if weight.shape[1] != preset.x.shape[1]:
            weight = np.repeat(weight[:, :1], preset.x.shape[1], axis=1)
    grad = preset.grad_output
    return Snapshot(
        op=preset.op,
        x=preset.x.copy(),
        weight=weight.copy(),
        params=preset.params,
        # An empty dY never fits, so the state refills it with ones.
        grad_output=np.zeros(0) if grad is None else grad.copy(),
        plane=(0, 0),
        in_channel=0,
        dy_mode="ones",
        dy_seed=state.dy_seed,
        stack=state.stack,  # a preset of one operation leaves the layer stack as it is
    )


def apply_preset(state: AppState, preset: Preset) -> bool:
    """Load ``preset`` into ``state`` as one undoable edit; False if the state refused it."""

    def label() -> str:  # the Edit menu names the preset in the language of the moment
        return tr("Load preset: {title}").format(title=preset.display_title())

    ok = state.restore(preset_snapshot(state, preset), label=label)
    if ok:
        state.set_step(preset.step if preset.step is not None else 0)
    return ok

"""Parameters in files (sessions and presets): one reader and writer, driven by the registry.

Every parameter of every registered operation may appear, by its PyTorch name; its
:class:`~engine.ops.ParamSpec` says what kind of value it takes, so adding an operation adds
its parameters to both formats.  The two formats differ only in how they say a value is wrong
(a session names ``params.stride``, a preset ``params "stride"``) and in one leniency: a
preset may give a pair as one integer and leaves the range of window parameters to the
engine's check against its input, which says why in the engine's words.
"""

from __future__ import annotations

import json
import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

from engine.ops import OPS, Params, ParamSpec, get_op
from engine.ops.spec import bound_text
from visualizer.i18n import tr, translate_message
from visualizer.model import default_params
from visualizer.model.document import OP_FIELD, CompareSetup, Variant


def param_specs() -> dict[str, ParamSpec]:
    """Every parameter name of the registry, with the first operation's spec of it."""
    specs: dict[str, ParamSpec] = {}
    for op in OPS.values():
        for spec in op.params:
            specs.setdefault(spec.name, spec)
    return specs


def params_to_json(params: Params) -> dict[str, Any]:
    """``params`` as JSON values (pairs as lists), in registry order."""
    out: dict[str, Any] = {}
    for name, spec in param_specs().items():
        if name not in params:
            continue
        value = params[name]
        if spec.kind == "pair":
            out[name] = [int(v) for v in value]
        elif spec.kind == "bool":
            out[name] = bool(value)
        elif value is None or spec.kind == "choice":
            out[name] = value
        elif spec.kind in ("float", "optional_float"):
            out[name] = float(value)
        else:
            out[name] = int(value)
    return out


@dataclass(frozen=True)
class Style:
    """How a file format names a parameter and says what is wrong with it."""

    lenient: bool  # pairs as one int; window ranges left to the engine

    def field(self, name: str) -> str:
        return f'params "{name}"' if self.lenient else f"params.{name}"


SESSION = Style(lenient=False)
PRESET = Style(lenient=True)


def _type_name(value: object) -> str:
    return "null" if value is None else type(value).__name__


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def params_from_json(raw: object, style: Style = SESSION) -> tuple[Params, set[str]]:
    """Read a ``params`` object: ``(the defaults with the given values, the names given)``.

    Raises
    ------
    ValueError
        Naming the parameter, the value and the rule; or the unknown names.
    """
    specs = param_specs()
    if not isinstance(raw, dict):
        if style.lenient:
            raise ValueError(tr('"params" must be a JSON object'))
        message = tr("{field} must be an object, not {type}")
        raise ValueError(message.format(field="params", type=_type_name(raw)))
    unknown = sorted(set(map(str, raw)) - set(specs))
    if unknown:
        if style.lenient:
            message = tr("unknown params {fields}; allowed: {allowed}")
            raise ValueError(
                message.format(fields=", ".join(map(repr, unknown)), allowed=", ".join(specs))
            )
        raise ValueError(
            tr("params has unknown fields: {fields}").format(fields=", ".join(unknown))
        )
    values = {name: _value(specs[name], value, style) for name, value in raw.items()}
    return default_params().replace(**values), set(values)


def _value(spec: ParamSpec, value: object, style: Style) -> Any:
    field, kind = style.field(spec.name), spec.kind
    if kind == "pair":
        return _pair(spec, value, style)
    if kind == "bool":
        if type(value) is not bool:
            if style.lenient:
                message = tr('params "{field}" must be true or false, not {value}')
                raise ValueError(message.format(field=spec.name, value=repr(value)))
            message = tr("{field} must be true or false, not {type}")
            raise ValueError(message.format(field=field, type=_type_name(value)))
        return value
    if kind == "choice":
        if value not in spec.choices:
            choices = (
                ", ".join(map(repr, spec.choices)) if style.lenient else ", ".join(spec.choices)
            )
            if style.lenient:
                message = tr('params "{field}" ({value}) must be one of {choices}')
                raise ValueError(
                    message.format(field=spec.name, value=repr(value), choices=choices)
                )
            message = tr("{field} ({value}) must be one of {choices}")
            raise ValueError(message.format(field=field, value=f"{value!r:.40}", choices=choices))
        return value
    if value is None and kind.startswith("optional"):
        return None
    if kind in ("int", "optional_int"):
        if not _is_int(value):
            if style.lenient:
                text = tr('params "{field}" must be an integer or null')
                raise ValueError(text.format(field=spec.name))
            message = tr("{field} must be an integer, not {type}")
            raise ValueError(message.format(field=field, type=_type_name(value)))
        return _in_range(spec, int(value), field)  # type: ignore[call-overload]
    return _in_range(spec, finite_number(value, field, kind.startswith("optional")), field)


def _pair(spec: ParamSpec, value: object, style: Style) -> tuple[int, int]:
    if style.lenient:
        if _is_int(value):
            return (int(value), int(value))  # type: ignore[call-overload]
        if isinstance(value, list) and len(value) == 2 and all(_is_int(v) for v in value):
            return (int(value[0]), int(value[1]))
        message = tr('params "{field}" ({value}) must be an integer or a pair [h, w]')
        raise ValueError(message.format(field=spec.name, value=repr(value)))
    field = style.field(spec.name)
    if not isinstance(value, list) or len(value) != 2:
        raise ValueError(tr("{field} must be a list of two integers").format(field=field))
    out = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if type(item) is not int:
            message = tr("{field} must be an integer, not {type}")
            raise ValueError(message.format(field=where, type=_type_name(item)))
        out.append(_in_range(spec, item, where))
    return (out[0], out[1])


def finite_number(value: object, field: str, optional: bool = False) -> float:
    """``value`` as a finite float, or ``ValueError`` naming ``field`` (sessions use it too)."""
    if type(value) not in (int, float):
        if optional:
            message = tr("{field} must be a number or null, not {type}")
        else:
            message = tr("{field} must be a number, not {type}")
        raise ValueError(message.format(field=field, type=_type_name(value)))
    try:
        number = float(value)  # type: ignore[arg-type]
    except OverflowError:  # an integer beyond float's range (about 1.8e308)
        message = tr("{field} is an integer with {digits} digits, too large for a number")
        raise ValueError(message.format(field=field, digits=len(str(abs(value))))) from None  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(tr("{field} must be a finite number").format(field=field))
    return number


def _in_range(spec: ParamSpec, number: Any, field: str) -> Any:
    low, high = spec.minimum, spec.maximum
    if (low is not None and number < low) or (high is not None and number > high):
        message = tr("{field} ({value}) must be between {low} and {high}")
        show = [bound_text(b) for b in (low, high)]
        raise ValueError(message.format(field=field, value=number, low=show[0], high=show[1]))
    return number


# ---- compare mode: its settings in files and on the command line ---------------------------------
def compare_to_json(setup: CompareSetup) -> list[dict[str, Any]]:
    """Compare mode's settings as JSON: one object per setting (``op`` by its alias)."""
    out = []
    for variant in setup.variants:
        changes = variant.as_dict()
        item: dict[str, Any] = {}
        if OP_FIELD in changes:
            item[OP_FIELD] = get_op(str(changes.pop(OP_FIELD))).alias
        item.update(params_to_json(Params(changes)))
        out.append(item)
    return out


def compare_from_json(raw: object, style: Style = SESSION, field: str = "compare") -> CompareSetup:
    """Read compare mode's settings: a list of objects of parameters (and ``op``).

    Raises
    ------
    ValueError
        Naming the setting, the parameter, the value and the rule.
    """
    if not isinstance(raw, list):
        message = tr("{field} must be a list of settings, not {type}")
        raise ValueError(message.format(field=field, type=_type_name(raw)))
    variants = []
    for k, item in enumerate(raw):
        # Files count from 0 (compare[0]); the command line says "setting 1".
        where = f"{field} {k + 1}" if style.lenient else f"{field}[{k}]"
        if not isinstance(item, dict):
            message = tr("{field} must be an object, not {type}")
            raise ValueError(message.format(field=where, type=_type_name(item)))
        values = dict(item)
        changes: dict[str, Any] = {}
        if OP_FIELD in values:
            op = values.pop(OP_FIELD)
            try:
                changes[OP_FIELD] = get_op(str(op)).key
            except ValueError as exc:
                raise ValueError(f"{where}: {translate_message(exc)}") from None
        try:
            params, given = params_from_json(values, style)
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
        changes.update({name: params[name] for name in param_specs() if name in given})
        variants.append(Variant.of(changes))
    return CompareSetup(tuple(variants))


def _text_value(text: str) -> object:
    """A command-line value as JSON would give it: on/off, None, 2x3, numbers, words."""
    word = text.strip()
    lower = word.lower()
    if lower in ("on", "true", "yes"):
        return True
    if lower in ("off", "false", "no"):
        return False
    if lower in ("none", "null"):
        return None
    pair = re.fullmatch(r"(-?\d+)\s*[xX×]\s*(-?\d+)", word)
    if pair:
        return [int(pair.group(1)), int(pair.group(2))]
    try:
        return json.loads(word)
    except ValueError:
        return word


def compare_from_text(text: str) -> CompareSetup:
    """``--compare "padding=0|padding=1"``: settings separated by ``|``, each a comma-separated
    list of ``name=value`` (registry parameter names, or ``op``).

    Raises
    ------
    ValueError
        A one-line message naming the setting and what is wrong.
    """
    parts = text.split("|")
    if len(parts) < 2:
        raise ValueError(
            tr("needs at least two settings separated by '|', e.g. padding=0|padding=1")
        )
    raw = []
    for k, part in enumerate(parts, start=1):
        item: dict[str, object] = {}
        for pair in part.split(","):
            if not pair.strip():
                continue
            name, sep, value = pair.partition("=")
            if not sep or not name.strip():
                message = tr("setting {index} ({text}) must be name=value pairs, e.g. padding=1")
                raise ValueError(message.format(index=k, text=repr(part.strip())))
            item[name.strip()] = _text_value(value)
        if not item:
            raise ValueError(tr("setting {index} is empty").format(index=k))
        raw.append(item)
    return compare_from_json(raw, PRESET, tr("setting"))

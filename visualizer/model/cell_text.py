"""What a number typed into a matrix cell means: one documented policy, Qt-free.

The policy (the cell keeps its old value whenever a text is refused; the hint next to the
matrix says why, and an accepted edit is one undoable step):

- **Numbers** are written the usual way: an optional sign (``-``, ``+`` or the typographic
  ``−``), digits with an optional decimal point, an optional exponent (``2.5``, ``-3``,
  ``.5``, ``1e-3``, ``6.02E23``).  Spaces around the number are ignored.
- **Infinity and NaN** are accepted when typed as such: ``inf``, ``infinity``, ``∞`` (with a
  sign) and ``nan``, in any letter case.  They are stored as IEEE values, propagate through
  the operation exactly as in PyTorch, and the views draw them as ``∞``, ``-∞`` and ``NaN``
  on a hatched background of their own.
- **Overflow is refused**: a finite number beyond the largest double (about ±1.8e308, e.g.
  ``1e400`` or a 400-digit integer) is not silently turned into ∞; the hint says to type
  ``inf`` for infinity.
- **Underflow is accepted and said**: a non-zero number closer to zero than the smallest double
  (about 4.9e-324, e.g. ``1e-400``) is stored as 0 (with its sign) and the hint says so.
- **A comma** is read as the decimal point only when it cannot be a thousands separator: one
  comma, no point, and not followed by exactly three digits (``2,5`` = 2.5).  ``1,000`` is
  refused as ambiguous (1000 or 1.0?); ``1,000,000`` and ``1,000.5`` are refused too
  (grouped digits are not read): a typed number never silently becomes another number.
- **Anything else is refused**: an empty cell, expressions (``1e308*10``, ``2+3``),
  hexadecimal (``0x10``), underscores (``1_000``), words.

Refusals raise :class:`engine.errors.ParameterError` (a ``ValueError``) with a translatable
template; an accepted text gives a :class:`CellEntry` with an optional note
(:class:`engine.errors.Message`) to show next to the matrix.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from engine.errors import Message, ParameterError


def QT_TR_NOOP(text: str) -> str:
    """Mark ``text`` for translation (collected by ``pyside6-lupdate``; returned unchanged)."""
    return text


HINT_TEXT_CHARS = 24  # a typed text is quoted in a hint up to this many characters

NOT_A_NUMBER = QT_TR_NOOP("“{value}” is not a number")
EMPTY = QT_TR_NOOP("an empty cell is not a number")
OVERFLOW = QT_TR_NOOP(
    "{value} is beyond the largest number (about ±1.8e308); type inf for infinity"
)
AMBIGUOUS_COMMA = QT_TR_NOOP("“{value}” is ambiguous: type {thousands} or {decimal}")
GROUPED_DIGITS = QT_TR_NOOP("“{value}”: digits grouped with commas are not read; type {plain}")
UNDERFLOW = QT_TR_NOOP(
    "{value} is closer to zero than the smallest number (about 4.9e-324): stored as 0"
)

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_WORDS = {"inf": math.inf, "infinity": math.inf, "nan": math.nan}
_AMBIGUOUS = re.compile(r"([+-]?\d{1,3}),(\d{3})((?:[eE][+-]?\d+)?)")


def elide_typed(text: str, limit: int = HINT_TEXT_CHARS) -> str:
    """``text`` as a hint quotes it: on one line, at most ``limit`` characters (``…`` after)."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"


@dataclass(frozen=True)
class CellEntry:
    """An accepted cell text: the value stored and, if the user should know something about
    it (underflow to zero), a note to show next to the matrix."""

    value: float
    note: Message | None = None


def parse_cell(text: str) -> CellEntry:
    """The value of ``text`` typed into a matrix cell, under the module's policy.

    Raises
    ------
    ParameterError
        If the text is refused (empty, not a number, overflow, ambiguous comma); its message
        quotes the text (elided to :data:`HINT_TEXT_CHARS` characters).
    """
    cleaned = text.strip().replace("−", "-").replace("∞", "inf")
    shown = elide_typed(text)
    if not cleaned:
        raise ParameterError(EMPTY)
    if len(cleaned) > 1000:  # far longer than any double needs: not parsed at all
        raise ParameterError(NOT_A_NUMBER, value=shown)
    sign = -1.0 if cleaned[0] == "-" else 1.0
    word = cleaned.lstrip("+-").lower() if cleaned[:1] in "+-" else cleaned.lower()
    if word in _WORDS and len(cleaned) - len(word) <= 1:
        value = _WORDS[word]
        return CellEntry(value if math.isnan(value) else sign * value)
    if "," in cleaned:
        cleaned = _comma_as_point(cleaned, shown)
    if not _NUMBER.fullmatch(cleaned):
        raise ParameterError(NOT_A_NUMBER, value=shown)
    value = float(cleaned)
    if math.isinf(value):
        raise ParameterError(OVERFLOW, value=shown)
    mantissa = cleaned.lower().split("e")[0]
    if value == 0 and any(d in "123456789" for d in mantissa):
        return CellEntry(value, Message(UNDERFLOW, value=shown))
    return CellEntry(value)


def _comma_as_point(text: str, shown: str) -> str:
    """``text`` with its comma read as the decimal point, when it cannot be anything else."""
    ambiguous = _AMBIGUOUS.fullmatch(text)
    if ambiguous:
        head, tail, exponent = ambiguous.groups()
        raise ParameterError(
            AMBIGUOUS_COMMA,
            value=shown,
            thousands=f"{head}{tail}{exponent}",
            decimal=f"{head}.{tail}{exponent}",
        )
    if text.count(",") > 1 or "." in text:
        plain = text.replace(",", "")
        raise ParameterError(GROUPED_DIGITS, value=shown, plain=elide_typed(plain))
    return text.replace(",", ".")

"""Structured errors: a message template and its fields, so the GUI can say it in any language.

The engine is Qt-free and speaks English.  Every invalid parameter raises
:class:`ParameterError`, a ``ValueError`` whose ``str()`` is the English sentence and which also
carries the sentence's ``template`` (with ``{name}`` fields) and the ``fields`` that fill it.
The visualizer translates the template (Qt's ``tr``) and fills in the same fields; it never has
to parse an English sentence.
"""

from __future__ import annotations

from typing import Any


class ParameterError(ValueError):
    """A ``ValueError`` that names the parameter, its value and the rule, as a template.

    Parameters
    ----------
    template : str
        The English message with ``{field}`` placeholders, e.g.
        ``"padding ({padding}) must be at most half of kernel_size ({kernel_size})"``.
    **fields
        The values that fill the placeholders; they are shown with ``str()``.

    Examples
    --------
    >>> err = ParameterError("stride ({stride}) must be greater than zero", stride=0)
    >>> str(err)
    'stride (0) must be greater than zero'
    >>> err.template, err.fields
    ('stride ({stride}) must be greater than zero', {'stride': 0})
    """

    def __init__(self, template: str, /, **fields: Any) -> None:
        self.template = template
        self.fields = dict(fields)
        super().__init__(template.format(**fields))

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (subprocesses, multiprocessing) with its template and fields.
        return (_rebuild, (self.template, self.fields))


def _rebuild(template: str, fields: dict[str, Any]) -> ParameterError:
    return ParameterError(template, **fields)


class Message(str):
    """An English text that keeps its template and fields, like :class:`ParameterError`.

    For texts that are not errors but are still shown to the user: the remarks
    :func:`engine.explain_output_size` adds to a formula line, or a word such as ``"height"``
    used as a field of another message.  A ``Message`` *is* its English ``str``, so code that
    only wants the English text never notices; the visualizer translates ``template`` and fills
    in ``fields`` (a field that is itself a ``Message`` is translated in turn).

    Examples
    --------
    >>> line = Message("{message}  ✗ the output must be at least 1", message="H_out = 0")
    >>> line
    'H_out = 0  ✗ the output must be at least 1'
    >>> line.template, line.fields
    ('{message}  ✗ the output must be at least 1', {'message': 'H_out = 0'})
    """

    template: str
    fields: dict[str, Any]

    def __new__(cls, template: str, /, **fields: Any) -> Message:
        self = super().__new__(cls, template.format(**fields))
        self.template = template
        self.fields = dict(fields)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_message, (self.template, self.fields))


def _rebuild_message(template: str, fields: dict[str, Any]) -> Message:
    return Message(template, **fields)

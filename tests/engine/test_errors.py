"""Structured errors: every invalid parameter raises a ParameterError that carries its template
and fields, so the GUI can say the same sentence in another language without parsing it."""

from __future__ import annotations

import pickle
import re
import string
from pathlib import Path

import numpy as np
import pytest
from checks import raised_templates, templates_of_calls

import engine
from engine import geometry, pitfalls
from engine.errors import Message, ParameterError
from engine.pitfalls import PitfallCase

ENGINE = Path(__file__).resolve().parents[2] / "engine"
# The files whose every ``raise`` is a ParameterError.
STRUCTURED = ("arrays.py", "conv.py", "geometry.py", "pitfalls.py", "pooling.py")

X = np.zeros((1, 1, 4, 4))
XC = np.zeros((1, 4, 5, 5))
W = np.zeros((2, 4, 3, 3))
PLANE = np.zeros((4, 4))

# (call, the English sentence it raises): one call per validation rule of the structured files.
INVALID_CALLS = [
    (
        lambda: engine.max_pool2d(X, "a"),
        "kernel_size must be a single int or a pair of ints (height, width), got 'a'",
    ),
    (
        lambda: engine.max_pool2d(X, (1, 2, 3)),
        "kernel_size must be a single int or a pair of ints (height, width), got (1, 2, 3)",
    ),
    (lambda: engine.max_pool2d(X, 0), "kernel_size (0) must be greater than zero"),
    (lambda: engine.max_pool2d(X, 2, stride=(1, -1)), "stride (1, -1) must be greater than zero"),
    (lambda: engine.max_pool2d(X, 2, dilation=0), "dilation (0) must be greater than zero"),
    (
        lambda: engine.max_pool2d(X, 2, ceil_mode="yes"),
        "ceil_mode must be True or False, got 'yes'",
    ),
    (lambda: engine.max_pool2d(X, 2, padding=-1), "padding (-1) must be non-negative"),
    (
        lambda: engine.max_pool2d(X, 3, padding=2),
        "padding (2) must be at most half of kernel_size (3)",
    ),
    (
        lambda: engine.avg_pool2d(X, (3, 2), padding=(1, 2)),
        "padding (1, 2) must be at most half of kernel_size (3, 2)",
    ),
    (
        lambda: engine.max_pool2d(X, 5),
        "kernel_size (5) is too large for the input (4x4) with stride 5, padding 0 and dilation "
        "1: the output would be 0x0, and it must be at least 1x1 (height: floor((4 + 2·0 − 5) / "
        "5) + 1 = 0)",
    ),
    (
        lambda: engine.avg_pool2d(np.zeros((1, 8)), 4, 2, ceil_mode=True),
        "kernel_size (4) is too large for the input (1x8) with stride 2, padding 0 and dilation "
        "1: the output would be 0x3, and it must be at least 1x1 (height: ceil((1 + 2·0 − 4) / "
        "2) + 1 = 0)",
    ),
    (
        lambda: engine.conv2d(XC, W, padding="same", stride=2),
        "padding ('same') requires stride 1, got stride (2)",
    ),
    (
        lambda: engine.conv2d(XC, W, padding="full"),
        "padding ('full') must be an int, a pair of ints, 'same' or 'valid'",
    ),
    (
        lambda: engine.conv2d(XC, W, dilation=3),
        "kernel (7x7 with dilation) must fit inside the padded input (5x5); the kernel can't be "
        "larger than the input plus padding",
    ),
    (
        lambda: geometry.pool_geometry((0, 4), 1),
        "input size (0x4) must be at least 1x1 in height and width",
    ),
    (lambda: geometry.pool_geometry((4, 4), 2).position(4), "step (4) must be in 0..3"),
    (
        lambda: geometry.pool_geometry((4, 4), 2).window_taps(2, 0),
        "output position (2, 0) is outside the output of size 2x2",
    ),
    (
        lambda: engine.max_pool2d_backward(np.zeros((3, 3)), PLANE, 2),
        "grad_output shape (3, 3) must match the output shape (2, 2)",
    ),
    (
        lambda: engine.max_pool2d_backward(np.zeros((2, 2), bool), PLANE, 2),
        "grad_output must hold real numbers, got dtype bool",
    ),
    (
        lambda: engine.max_pool2d_backward(np.zeros((2, 2)), PLANE, 2, ties="last"),
        "ties ('last') must be one of 'first', 'all' or 'split'",
    ),
    (
        lambda: engine.max_pool2d_backward(
            np.zeros((2, 2)), PLANE, 2, indices=np.zeros((3, 3), int)
        ),
        "indices shape (3, 3) must match the output shape (2, 2) (pass the indices max_pool2d "
        "returned with return_indices=True)",
    ),
    (
        lambda: engine.max_unpool2d(np.zeros((2, 2)), np.zeros((3, 3), int), 2),
        "indices shape (3, 3) must equal x's shape (2, 2) (one index per input element, as "
        "max_pool2d(..., return_indices=True) returns them)",
    ),
    (
        lambda: engine.max_pool2d_backward(np.zeros((2, 2)), PLANE, 2, indices=np.zeros((2, 2))),
        "indices must hold integers (max_pool2d's return_indices=True output), got dtype float64",
    ),
    (
        lambda: engine.max_pool2d_backward(
            np.zeros((2, 2)), PLANE, 2, indices=np.full((2, 2), 99, int)
        ),
        "indices must lie in 0..15 (flat row * W + col positions in one 4x4 plane); got values "
        "from 99 to 99",
    ),
    (
        lambda: engine.max_pool2d_backward(
            np.zeros((2, 2)), PLANE, 2, indices=np.zeros((2, 2), int)
        ),
        "indices must point into their own window, as max_pool2d returns them: output (0, 1) of "
        "plane (0, 0) has index 0 (row 0, column 0), but its window reads rows 0..1 and columns "
        "2..3",
    ),
    (
        lambda: engine.max_pool2d(X, 2, stride=2**63),
        "stride (9223372036854775808) does not fit in a 64-bit integer: it must lie in "
        "-9223372036854775808..9223372036854775807, as in PyTorch",
    ),
    (
        lambda: engine.conv2d(PLANE, np.ones((2, 2)), padding=10**20),
        "padding (100000000000000000000) is too large: the output would be "
        "200000000000000000003x200000000000000000003 per channel, "
        "40000000000000000001200000000000000000009 values, more than an array can hold "
        "(at most 1152921504606846975)",
    ),
    (
        lambda: engine.avg_pool2d(X, 2, divisor_override=1.5),
        "divisor_override must be an int or None, got 1.5",
    ),
    (
        lambda: engine.avg_pool2d(X, 2, divisor_override=0),
        "divisor_override (0) must not be zero",
    ),
    (
        lambda: engine.avg_pool2d(X, 2, count_include_pad="no"),
        "count_include_pad must be True or False, got 'no'",
    ),
    (
        lambda: engine.conv2d(XC[0, 0], W),
        "weight must be 2-D (kH, kW) when x is 2-D (H, W); got weight of shape (2, 4, 3, 3)",
    ),
    (
        lambda: engine.conv2d(XC, np.zeros((4, 3, 3))),
        "weight must have shape (C_out, C_in/groups, kH, kW); got shape (4, 3, 3)",
    ),
    (lambda: engine.conv2d(XC, W, groups=0), "groups (0) must be a positive int"),
    (
        lambda: engine.conv2d(XC, np.zeros((0, 4, 3, 3))),
        "weight must not have an empty dimension; got shape (0, 4, 3, 3)",
    ),
    (
        lambda: engine.conv2d(XC, np.zeros((2, 1, 3, 3)), groups=4),
        "groups (4) must divide the number of output channels (weight.shape[0] = 2)",
    ),
    (
        lambda: engine.conv2d(XC, np.zeros((2, 3, 3, 3))),
        "x has 4 channels, but weight of shape (2, 3, 3, 3) with groups (1) expects 3 "
        "(C_in = weight.shape[1] · groups)",
    ),
    (
        lambda: engine.conv2d(XC, W, bias=np.zeros(3)),
        "bias must have one value per output channel (2); got shape (3,)",
    ),
    (
        lambda: engine.conv2d_backward(np.zeros((1, 2, 4, 4)), XC, W),
        "grad_output shape (1, 2, 4, 4) must match the output shape (1, 2, 3, 3)",
    ),
    (
        lambda: engine.max_pool2d(np.zeros((4, 4), bool), 2),
        "x must hold real numbers (ints or floats), got dtype bool",
    ),
    (
        lambda: engine.avg_pool2d(np.zeros(4), 1),
        "x must have shape (H, W), (C, H, W), (N, C, H, W); got shape (4,)",
    ),
    (
        lambda: engine.max_pool2d(np.zeros((0, 4)), 1),
        "x must not have an empty channel, height or width dimension; got shape (0, 4)",
    ),
    (
        lambda: pitfalls.wrong_max_pool2d_zero_padding(np.zeros((1, 4, 4)), 2),
        "x must be one (H, W) plane; got shape (1, 4, 4)",
    ),
    (
        lambda: pitfalls.wrong_max_pool2d_backward_ignores_stride(np.ones((3, 3)), PLANE, 2),
        "grad_output shape (3, 3) must match the output shape (2, 2)",
    ),
    (
        lambda: pitfalls.wrong_max_pool2d_backward_equality_mask(np.ones((3, 3)), PLANE, 2),
        "grad_output shape (3, 3) must match the output shape (2, 2)",
    ),
    (
        lambda: pitfalls.wrong_pool2d_reshape(PLANE, (0, 2)),
        "kernel_size ((0, 2)) must be greater than zero",
    ),
    (
        lambda: pitfalls.wrong_pool2d_reshape(PLANE, 2, mode="median"),
        "mode ('median') must be 'max' or 'avg'",
    ),
    (
        lambda: pitfalls.wrong_conv2d_bias_per_product(np.zeros((2, 4, 4)), np.ones((3, 2, 2))),
        "x must be (C, H, W) and weight (C, kH, kW) with the same C; got (2, 4, 4) and (3, 2, 2)",
    ),
    (
        lambda: pitfalls.evaluate("max_backward_ignores_stride", PitfallCase("max", PLANE)),
        "this pitfall needs grad_output, which the case does not have",
    ),
    (
        lambda: pitfalls.get_pitfall("nope"),
        "pitfall ('nope') must be one of " + ", ".join(p.key for p in pitfalls.PITFALLS),
    ),
    (
        lambda: pitfalls.evaluate("conv_bias_per_product", PitfallCase("max", PLANE)),
        "pitfall 'conv_bias_per_product' applies to conv, not to 'max'",
    ),
]


def fields_of(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


@pytest.mark.parametrize(("call", "english"), INVALID_CALLS)
def test_every_validation_error_is_a_parameter_error(call, english):
    with pytest.raises(ParameterError) as info:
        call()
    err = info.value
    assert isinstance(err, ValueError)  # callers that catch ValueError still do
    assert str(err) == english  # the English sentence, word for word
    assert err.args == (english,)
    assert fields_of(err.template), err.template  # the values are fields, not baked in
    assert sorted(set(fields_of(err.template))) == sorted(err.fields)
    assert err.template.format(**err.fields) == english


_raised_templates = raised_templates


@pytest.mark.parametrize("name", STRUCTURED)
def test_every_raise_is_a_parameter_error_with_a_literal_template(name):
    raises = _raised_templates(ENGINE / name)
    assert raises
    for line, exc, template in raises:
        assert exc == "ParameterError", f"{name}:{line} raises {exc}"
        # A literal (not an f-string): the same text every time, so it can be translated.
        assert template is not None, f"{name}:{line}: the template must be a string literal"


def test_every_rule_is_exercised():
    """Each template of the structured files is raised by one of INVALID_CALLS."""
    written = {t for name in STRUCTURED for _, _, t in _raised_templates(ENGINE / name)}
    assert written == templates_of_calls(call for call, _ in INVALID_CALLS)


def test_fields_are_the_values_of_the_call():
    with pytest.raises(ParameterError) as info:
        engine.max_pool2d(X, 3, padding=2)
    assert info.value.template == (
        "padding ({padding}) must be at most half of kernel_size ({kernel})"
    )
    assert info.value.fields == {"padding": "2", "kernel": "3"}
    with pytest.raises(ParameterError) as info:
        engine.conv2d(XC, np.zeros((2, 1, 3, 3)), groups=4)
    assert info.value.fields == {"groups": 4, "channels": 2}


def test_a_word_inside_a_message_is_a_message():
    with pytest.raises(ParameterError) as info:
        engine.max_pool2d(np.zeros((8, 1)), 2, stride=1)
    axis = info.value.fields["axis"]
    assert isinstance(axis, Message) and axis == "width" and axis.template == "width"


def test_parameter_errors_survive_pickling():
    with pytest.raises(ParameterError) as info:
        engine.max_pool2d(X, 5)
    copy = pickle.loads(pickle.dumps(info.value))
    assert type(copy) is ParameterError
    assert (str(copy), copy.template, copy.fields) == (
        str(info.value),
        info.value.template,
        info.value.fields,
    )


# ---- formula remarks --------------------------------------------------------------------------
REMARK_CASES = [
    # (in_size, kernel, stride, pad, dilation, ceil_mode): one with every kind of remark
    ((4, 4), (2, 2), (0, 1), (0, 0), (1, 1), False),
    ((5, 4), (2, 2), (2, 2), (1, 1), (1, 1), True),
    ((1, 1), (4, 4), (2, 2), (0, 0), (1, 1), True),
    ((1, 1), (4, 4), (1, 1), (0, 0), (1, 1), False),
]


def formula_lines() -> list[str]:
    lines = []
    for size, k, s, p, d, ceil in REMARK_CASES:
        lines += engine.explain_output_size(size, k, s, p, p, d, ceil)
    return lines


def test_formula_remarks_are_messages():
    remarks = [line for line in formula_lines() if isinstance(line, Message)]
    templates = {line.template for line in remarks}
    assert templates == {
        "{axis_name}: stride, kernel and dilation must be positive",
        "{message} → {out}: the last window would start in the right padding, so it is dropped",
        "{message}  ✗ the output must be at least 1",
    }
    for line in remarks:
        assert line == line.template.format(**line.fields)
    # Plain formula lines stay plain strings: the formula is the same in every language.
    for line in formula_lines():
        if not isinstance(line, Message):
            assert "→" not in line and "✗" not in line and re.match(r"[HW]_out = ", line)


def test_a_remark_keeps_the_formula_as_a_field():
    lines = engine.explain_output_size((5, 4), (2, 2), (2, 2), (1, 1), (1, 1), (1, 1), True)
    remark = lines[0]
    formula = remark.fields["message"]
    assert type(formula) is str and formula.startswith("H_out = ceil(")
    assert (
        remark
        == f"{formula} → 3: the last window would start in the right padding, so it is dropped"
    )
    assert pickle.loads(pickle.dumps(remark)).fields == remark.fields

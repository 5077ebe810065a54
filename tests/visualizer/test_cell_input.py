"""The cell input policy (issue 8, point 5; visualizer/model/cell_text.py): what a typed text
means, refusals keep the old value with a hint, NaN and ±∞ are drawn as themselves and
propagate as in PyTorch, and undo restores."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.errors import ParameterError
from visualizer.model.cell_text import parse_cell
from visualizer.widgets.matrix_view import NONFINITE_RGB

ACCEPTED = {
    "2.5": 2.5,
    " -3 ": -3.0,
    "−2.5": -2.5,
    "+.5": 0.5,
    "1e-3": 1e-3,
    "6.02E23": 6.02e23,
    "1e308": 1e308,
    "2,5": 2.5,  # one comma that cannot group thousands: the decimal point
    "-0": -0.0,
    "inf": math.inf,
    "-inf": -math.inf,
    "+Infinity": math.inf,
    "∞": math.inf,
    "−∞": -math.inf,
    "nan": math.nan,
    "NaN": math.nan,
    "1" * 300: float("1" * 300),
}

REFUSED = {
    "": "an empty cell",
    "   ": "an empty cell",
    "1e400": "beyond the largest number",
    "-1e400": "beyond the largest number",
    "9" * 400: "beyond the largest number",
    "1,000": "“1,000” is ambiguous: type 1000 or 1.000",
    "-12,345": "type -12345 or -12.345",
    "1,000,000": "digits grouped with commas are not read; type 1000000",
    "1,000.5": "type 1000.5",
    "0x10": "“0x10” is not a number",
    "1e308*10": "“1e308*10” is not a number",
    "2+3": "is not a number",
    "1_000": "is not a number",
    "--inf": "is not a number",
    "nanx": "is not a number",
    "abc": "“abc” is not a number",
    "1e": "is not a number",
}


@pytest.mark.parametrize("text", list(ACCEPTED))
def test_accepted_texts(text):
    entry = parse_cell(text)
    expected = ACCEPTED[text]
    if math.isnan(expected):
        assert math.isnan(entry.value)
    else:
        assert entry.value == expected
        assert math.copysign(1, entry.value) == math.copysign(1, expected)
    assert entry.note is None


@pytest.mark.parametrize("text", list(REFUSED))
def test_refused_texts_say_why(text):
    with pytest.raises(ParameterError) as info:
        parse_cell(text)
    assert REFUSED[text] in str(info.value)


def test_underflow_is_stored_as_zero_and_said():
    entry = parse_cell("1e-400")
    assert entry.value == 0.0 and entry.note is not None
    assert "stored as 0" in entry.note
    negative = parse_cell("-1e-400")
    assert negative.value == 0.0 and math.copysign(1, negative.value) == -1
    assert parse_cell("0e-400").note is None  # a zero typed as zero is just zero
    assert parse_cell("5e-324").value == 5e-324 and parse_cell("5e-324").note is None


def cell_index(view, row, col):
    off_r, off_c = view.model.offset
    return view.model.index(row + off_r, col + off_c)


@pytest.mark.parametrize("text", ["1e400", "-1e400", "1,000", "0x10", "1e308*10", "", " ", "nanx"])
def test_a_refused_text_keeps_the_matrix_and_the_undo_history(window, text):
    st = window.state
    view = window.views_panel.input_view
    before = st.x.copy()
    count = st.undo_stack.count()
    assert not view.model.setData(cell_index(view, 0, 1), text)
    np.testing.assert_array_equal(st.x, before)
    assert st.undo_stack.count() == count
    assert view.hint_label.isVisible()
    assert "keeps 12" in view.hint_label.text()


def test_underflow_in_a_cell_is_accepted_and_said(window):
    st = window.state
    view = window.views_panel.input_view
    assert view.model.setData(cell_index(view, 0, 1), "1e-400")
    assert st.x[0, 0, 0, 1] == 0.0
    assert view.hint_label.isVisible()
    assert "stored as 0" in view.hint_label.text() and "[0, 1]" in view.hint_label.text()
    st.undo_stack.undo()
    assert st.x[0, 0, 0, 1] == 12


def test_nan_and_infinity_are_drawn_as_themselves_and_undo_restores(window):
    st = window.state
    x_view = window.views_panel.input_view
    out_view = window.views_panel.output_view
    assert x_view.model.setData(cell_index(x_view, 0, 0), "nan")
    assert x_view.model.setData(cell_index(x_view, 7, 7), "-inf")
    assert math.isnan(st.x[0, 0, 0, 0]) and st.x[0, 0, 7, 7] == -math.inf
    model = x_view.model
    assert model.data(cell_index(x_view, 0, 0), Qt.DisplayRole) == "NaN"
    assert model.data(cell_index(x_view, 7, 7), Qt.DisplayRole) == "-∞"
    for r, c in ((0, 0), (7, 7)):
        brush = model.data(cell_index(x_view, r, c), Qt.BackgroundRole)
        assert brush.color().getRgb()[:3] == NONFINITE_RGB
        assert brush.style() == Qt.BrushStyle.Dense6Pattern
    st.set_step(st.n_windows - 1)  # every output computed
    out = out_view.model
    assert math.isnan(out_view.matrix()[0, 0])  # max pooling propagates NaN (PyTorch)
    assert out.data(out.index(0, 0), Qt.DisplayRole) == "NaN"
    assert out.data(out.index(3, 3), Qt.DisplayRole) == "13"  # max(3, 13, 10, −∞)
    st.set_step(0)  # the first window is done: the NaN shows; later windows are blank
    assert out.data(out.index(0, 0), Qt.DisplayRole) == "NaN"
    assert out.data(out.index(0, 1), Qt.DisplayRole) is None
    assert out.data(out.index(0, 1), Qt.BackgroundRole).color().getRgb()[:3] == (255, 255, 255)
    st.undo_stack.undo()
    st.undo_stack.undo()
    assert st.x[0, 0, 0, 0] == 3 and st.x[0, 0, 7, 7] == 1


@pytest.mark.parametrize("op", ["max_pool2d", "avg_pool2d", "conv2d"])
def test_non_finite_values_propagate_exactly_as_in_pytorch(qapp, op):
    torch = pytest.importorskip("torch")
    from visualizer.state import AppState

    st = AppState()
    assert st.set_op(op)
    assert st.set_params(kernel_size=3, stride=1, padding=1)
    assert st.set_input_cell(1, 1, math.nan)
    assert st.set_input_cell(5, 5, math.inf)
    assert st.set_input_cell(6, 2, -math.inf)
    x = torch.tensor(st.x, requires_grad=True)
    if op == "conv2d":
        w = torch.tensor(st.weight, requires_grad=True)
        y = torch.nn.functional.conv2d(
            x, w, torch.full((1,), float(st.params.bias), dtype=torch.float64), 1, 1
        )
    else:
        fn = getattr(torch.nn.functional, op)
        y = fn(x, 3, 1, 1)
    y.backward(torch.tensor(st.grad_output))
    np.testing.assert_array_equal(st.results.output, y.detach().numpy())
    np.testing.assert_array_equal(st.results.grad_input, x.grad.numpy())


def test_a_heat_map_marks_nan_and_infinity_in_their_own_colour(window):
    st = window.state
    x = np.zeros((1, 1, 80, 80))
    x[0, 0, 3, 4] = math.nan
    x[0, 0, 10, 10] = math.inf
    assert st.set_input(x)
    view = window.views_panel.input_view
    heat = view.heatmap
    assert view.stack.currentWidget() is heat
    assert heat.special.isVisible()
    rgba = heat.special.image
    assert tuple(rgba[3, 4, :3]) == NONFINITE_RGB and rgba[3, 4, 3] == 255
    assert tuple(rgba[10, 10, :3]) == NONFINITE_RGB
    assert rgba[0, 0, 3] == 0  # finite cells: the colour map shows through

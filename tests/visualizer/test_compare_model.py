"""Compare mode's Qt-free logic: variants, lockstep, differing cells, summary, quick ones."""

from __future__ import annotations

import numpy as np
import pytest

from engine.errors import ParameterError
from engine.ops import OPS
from visualizer.model import Document, StepCursor, compute, default_params
from visualizer.model.compare import (
    OP_FIELD,
    compute_comparison,
    differing_cells,
    frame_differences,
    panel_frame,
    quick_comparisons,
    same_window_ops,
    step_message,
    variant_document,
)
from visualizer.model.document import CompareSetup, Variant


def _doc(op: str = "max_pool2d", size: int = 5, compare: CompareSetup | None = None, **params):
    x = np.arange(float(size * size)).reshape(1, 1, size, size) % 7
    return Document(
        op, x, np.ones((1, 1, 2, 2)), default_params().replace(**params),
        np.ones((1, 1, 2, 2)), (0, 0), 0, "ones", 0, compare,
    )  # fmt: skip


def test_off_without_a_setup():
    assert compute_comparison(_doc()) is None


def test_each_variant_is_the_document_computed_with_its_changes():
    doc = _doc(compare=CompareSetup.of({"padding": 0}, {"padding": 1}))
    comparison = compute_comparison(doc)
    assert comparison is not None
    for panel, padding in zip(comparison.panels, (0, 1), strict=True):
        alone = compute(_doc(padding=(padding, padding)))
        np.testing.assert_array_equal(panel.results.output, alone.output)
        np.testing.assert_array_equal(panel.results.grad_input, alone.grad_input)
    assert comparison.fields == ("padding",)
    assert [str(p.title) for p in comparison.panels] == ["padding = 0", "padding = 1"]


def test_titles_say_bools_as_on_and_off_and_operations_by_label():
    doc = _doc(compare=CompareSetup.of({"ceil_mode": False}, {"ceil_mode": True}))
    comparison = compute_comparison(doc)
    assert [str(p.title) for p in comparison.panels] == ["ceil_mode = off", "ceil_mode = on"]
    doc = _doc(compare=CompareSetup.of({OP_FIELD: "max"}, {OP_FIELD: "avg_pool2d"}))
    comparison = compute_comparison(doc)
    assert [str(p.title) for p in comparison.panels] == ["Max pooling", "Average pooling"]


def test_lockstep_follows_the_output_position():
    doc = _doc(compare=CompareSetup.of({"ceil_mode": False}, {"ceil_mode": True}))
    comparison = compute_comparison(doc)
    assert comparison.grid == (3, 3)
    for phase_base in (0, comparison.n_windows):
        for index in range(comparison.n_windows):
            cursor = StepCursor(comparison.n_windows, phase_base + index)
            position = comparison.position(index)
            for i, panel in enumerate(comparison.panels):
                step = comparison.panel_step(i, cursor)
                assert step.cursor.phase == cursor.phase
                g = panel.results.geometry
                has = position[0] < g.out_size[0] and position[1] < g.out_size[1]
                assert step.present == has
                if has:
                    assert g.position(step.cursor.window_index) == position
                    frame = panel_frame(comparison, i, cursor)
                    assert frame.highlight is not None
                    assert frame.highlight.output_cell == position
                else:
                    text = step_message(comparison, i, cursor)
                    assert text == f"no window at ({position[0]}, {position[1]}) with this setting"


def test_differing_cells_are_exactly_the_cells_whose_values_differ():
    doc = _doc(size=6, compare=CompareSetup.of({OP_FIELD: "max"}, {OP_FIELD: "avg"}))
    comparison = compute_comparison(doc)
    a, b = (p.results.output[0, 0] for p in comparison.panels)
    expected = a != b
    for marks in comparison.differences("output"):
        np.testing.assert_array_equal(marks, expected)
    da, db = (p.results.grad_input[0, 0] for p in comparison.panels)
    for marks in comparison.differences("grad_input"):
        np.testing.assert_array_equal(marks, da != db)
    # Only max pooling has a mask: nothing to compare it with.
    mask = comparison.differences("mask")
    assert mask[1] is None and not mask[0].any()


def test_cells_only_some_settings_have_differ():
    doc = _doc(compare=CompareSetup.of({"ceil_mode": False}, {"ceil_mode": True}))
    comparison = compute_comparison(doc)
    small, large = comparison.differences("output")
    assert small.shape == (2, 2) and large.shape == (3, 3)
    assert not small.any()
    assert large[2].all() and large[:, 2].all() and not large[:2, :2].any()


def test_summary_from_shapes_and_taps():
    doc = _doc(size=6, compare=CompareSetup.of({"padding": 0}, {"padding": 1}), stride=(2, 2))
    comparison = compute_comparison(doc)
    (line,) = comparison.summary()
    # padding 1 on 6×6, kernel 2, stride 2: 3×3 → 4×4.  The 7 added windows (last row and
    # column, by position) read 3 + 2 + 2 + 3 padding cells along the bottom row and 3 + 2 + 2
    # down the right column.
    assert line.startswith("padding = 1: output 3×3 → 4×4; the 7 added windows read 17 padding")
    doc = _doc(compare=CompareSetup.of({"ties": "first"}, {"ties": "first"}))
    (line,) = compute_comparison(doc).summary()
    assert str(line) == "the same settings: the same output; the same dX"


def test_summary_names_an_added_column():
    doc = _doc(size=5, compare=CompareSetup.of({"ceil_mode": False}, {"ceil_mode": True}))
    doc = Document(**{**doc.__dict__, "x": np.ones((1, 1, 4, 5))})
    (line,) = compute_comparison(doc).summary()
    assert line.startswith("ceil_mode = on adds a last column: 2 → 3 outputs per row")


def test_refused_settings_name_the_panel():
    doc = _doc(compare=CompareSetup.of({"padding": 0}, {"padding": 2}))
    with pytest.raises(ParameterError, match=r"setting 2 \(padding = 2\)"):
        compute_comparison(doc)
    with pytest.raises(ParameterError, match="has no parameter count_include_pad"):
        compute_comparison(_doc(compare=CompareSetup.of({}, {"count_include_pad": False})))
    with pytest.raises(ParameterError, match="at least 2"):
        compute_comparison(_doc(compare=CompareSetup.of({"padding": 0})))
    with pytest.raises(ParameterError, match="other tensors"):
        variant_document(_doc(), Variant.of({OP_FIELD: "conv2d"}))


def test_quick_comparisons_come_from_the_specs():
    keys = {q.key: q for q in quick_comparisons(_doc(size=8))}
    assert set(keys) == {"padding", "stride", "dilation", "ceil_mode", "ties", OP_FIELD}
    assert [v.as_dict() for v in keys["ties"].setup.variants] == [
        {"ties": "first"}, {"ties": "all"}, {"ties": "split"},
    ]  # fmt: skip
    avg = {q.key for q in quick_comparisons(_doc("avg_pool2d", size=8))}
    assert "count_include_pad" in avg and "ties" not in avg and "dilation" not in avg
    for quick in quick_comparisons(_doc(size=8)):
        comparison = compute_comparison(_doc(size=8, compare=quick.setup))
        assert len(comparison.panels) >= 2


def test_other_operations_read_the_same_windows():
    others = [spec.key for spec in same_window_ops(_doc(size=8))]
    assert "avg_pool2d" in others and "conv2d" not in others
    # dilation 2: average pooling has no dilation, so it reads other windows
    assert "avg_pool2d" not in [s.key for s in same_window_ops(_doc(size=8, dilation=(2, 2)))]


def test_differing_cells_leave_out_what_is_not_known_yet():
    a = np.array([[1.0, 2.0], [3.0, 4.0]])
    b = np.array([[1.0, 5.0, 6.0], [3.0, np.nan, 7.0]])
    marks = differing_cells([a, b])
    np.testing.assert_array_equal(marks[0], [[False, True], [False, True]])
    np.testing.assert_array_equal(marks[1], [[False, True, True], [False, True, True]])
    known = [np.ones((2, 2), bool), np.array([[True, True, True], [True, False, False]])]
    marks = differing_cells([a, b], known)
    np.testing.assert_array_equal(marks[0], [[False, True], [False, False]])
    np.testing.assert_array_equal(marks[1], [[False, True, True], [False, False, False]])
    assert differing_cells([a, None])[1] is None and not differing_cells([a, None])[0].any()


def test_marks_follow_what_each_panel_shows_at_the_step():
    doc = _doc(size=6, compare=CompareSetup.of({OP_FIELD: "max"}, {OP_FIELD: "avg"}))
    comparison = compute_comparison(doc)
    cursor = StepCursor(comparison.n_windows, 1)  # forward, two windows done
    frames = [panel_frame(comparison, i, cursor) for i in range(2)]
    marks = frame_differences(frames)
    for i in range(2):
        assert not marks[i]["output"].flat[2:].any()  # not computed yet: never marked
        np.testing.assert_array_equal(
            marks[i]["output"].flat[:2], frames[0].output.flat[:2] != frames[1].output.flat[:2]
        )
        assert not marks[i]["grad_input"].any()  # dX is all zeros in the forward phase
    assert "mask" in marks[0] and "mask" not in marks[1]


@pytest.mark.parametrize("op", list(OPS))
def test_every_operations_quick_comparisons_compute_and_step(op):
    """Every registered operation: each one-click comparison computes, and every shared step
    gives each panel a frame (its window, or the last one before it)."""
    spec = OPS[op]
    x = np.arange(36.0).reshape(1, 1, 6, 6) % 5
    doc = Document(
        op, x, np.ones((1, 1, 2, 2)), spec.switch_params(default_params()),
        np.ones((1, 1, 1, 1)), (0, 0), 0, "ones", 0,
    )  # fmt: skip
    for quick in quick_comparisons(doc):
        if quick.key != OP_FIELD:
            assert not spec.param(quick.key).view_option  # a view option changes no number
        comparison = compute_comparison(Document(**{**doc.__dict__, "compare": quick.setup}))
        assert comparison is not None and len(comparison.panels) >= 2
        for step in range(0, 2 * comparison.n_windows, 3):
            cursor = StepCursor(comparison.n_windows, step)
            frames = [panel_frame(comparison, i, cursor) for i in range(len(comparison.panels))]
            assert len(frame_differences(frames)) == len(frames)
        assert len(comparison.summary()) == len(comparison.panels) - 1

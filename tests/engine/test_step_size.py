"""A step's data does not grow with its window (issue 9: global pooling froze the window).

A global pooling of a 512×512 input reads one window of 262,144 cells.  Its step is a few
rectangles of cells (:class:`engine.CellBlock`) plus the few cells listed one by one, its dX
cells arrays (:class:`engine.trace.CellAmounts`), its arithmetic a bounded line; and what the
blocks describe is exactly what the per-tap records said (checked on small windows of every
kind: padding, ceil_mode overhang, dilation gaps, adaptive windows).
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import Marks, trace_avg_pool2d, trace_max_pool2d
from engine.ops import get_op
from engine.trace import CellAmounts, CellUpdates, Step, Trace, format_number, update_lines

BIG = 512


def plane_trace(op: str, x: np.ndarray, **params: object) -> Trace:
    """The trace of plane (0, 0) of ``op`` on ``x`` (H, W) as the app makes it."""
    spec = get_op(op)
    p = spec.coerce_params({**spec.default_params(), **params})
    tensors = {"input": x[None, None]}
    outputs, ctx = spec.forward(tensors, p)
    grad_output = np.ones_like(outputs["output"])
    grads = spec.backward(ctx, {"grad_output": grad_output})
    arrays = {**outputs, "grad_output": grad_output, **grads}
    return spec.trace(tensors, p, ctx, arrays, (0, 0), 0)


def big_traces() -> list[tuple[str, Trace]]:
    x = np.random.default_rng(0).standard_normal((BIG, BIG))
    return [
        ("adaptive_avg", plane_trace("adaptive_avg_pool2d", x, output_size=(1, 1))),
        ("adaptive_max", plane_trace("adaptive_max_pool2d", x, output_size=(1, 1))),
        ("avg k64", plane_trace("avg_pool2d", x, kernel_size=(64, 64), stride=(64, 64))),
        ("lp k64", plane_trace("lp_pool2d", x, kernel_size=(64, 64), stride=(64, 64))),
        ("max k64", plane_trace("max_pool2d", x, kernel_size=(64, 64), stride=(64, 64))),
    ]


@pytest.mark.parametrize("phase", ["forward", "backward"])
def test_a_global_pooling_step_is_a_few_records_not_one_per_cell(phase):
    for name, trace in big_traces():
        step = trace.step(phase, 0)
        # Python records of the step: a handful, whatever the window's 4,096 to 262,144 cells.
        assert len(step.listed) <= 8, name
        assert 1 <= len(step.blocks) <= 4, name
        assert len(step.text) < 1500, name  # the arithmetic writes eleven terms around "…"
        marks = step.marks("input")
        window = 262_144 if name.startswith("adaptive") else 4096
        assert marks.bound() <= window + 2  # known without listing a cell
        top, left, bottom, right = marks.box()
        assert (bottom - top + 1) * (right - left + 1) == window, name
        if phase == "backward":
            bwd = trace.backward_step(0)
            # Arrays, or the one maximum a max sends its gradient to.
            assert isinstance(bwd.input_grads, CellAmounts) or len(bwd.input_grads) == 1, name
            assert isinstance(step.updates, CellUpdates), name
            assert len(step.lines) <= 1 and all(len(line) < 1500 for line in step.lines)


def test_the_backward_step_of_a_global_average_writes_one_rectangle_of_dx():
    trace = dict(big_traces())["adaptive_avg"]
    step = trace.step("backward", 0)
    (target,) = [b for b in step.blocks if b.view == "grad_input"]
    assert (target.rows, target.cols, target.role) == (range(BIG), range(BIG), "target")
    share = 1 / BIG**2
    written = format_number(share)
    assert step.lines == (f"dX[0:{BIG}, 0:{BIG}]: 0 + {written} = {written}",)
    assert len(step.updates) == BIG**2
    assert step.updates[-1].pos == (BIG - 1, BIG - 1) and step.updates[-1].after == share


def small_traces() -> list[Trace]:
    x = (np.arange(49.0).reshape(7, 7) * 5) % 11 - 4
    return [
        trace_max_pool2d(x, 3, 2, 1, ceil_mode=True),  # padding and the ceil_mode overhang
        trace_max_pool2d(x, 2, 1, 1, dilation=3),  # dilation gaps, padding
        trace_max_pool2d(x, 3, 2, 1, ties="all"),
        trace_avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False),
        trace_avg_pool2d(x, 3, 1, 1),  # overlapping windows: dX cells sum differently
        trace_avg_pool2d(x, (3, 2), 2, 0),
        plane_trace("adaptive_avg_pool2d", x, output_size=(3, 2)),  # windows 3 and 4 wide
        plane_trace("adaptive_max_pool2d", x, output_size=(4, 3)),
        plane_trace("adaptive_avg_pool2d", x, output_size=(9, 10)),  # larger than the input
        plane_trace("lp_pool2d", x, norm_type=2.0, kernel_size=(3, 3), stride=(2, 2)),
        plane_trace("lp_pool2d", x, norm_type=3.0, kernel_size=(2, 3), ceil_mode=True),
    ]


def cells_from_taps(trace: Trace, step: Step) -> dict[tuple[int, int], set[str]]:
    """The input cells of ``step`` as the per-tap records said (before blocks)."""
    role = {"input": "window", "padding": "padding", "overhang": "overhang"}
    oh, ow = step.out_pos
    out: dict[tuple[int, int], set[str]] = {}
    for tap in trace.taps(oh, ow):
        out.setdefault(tap.input_pos, set()).add(role[tap.kind])
    for pos in trace.geometry.window_gaps(oh, ow):
        out.setdefault(pos, set()).add("gap")
    fwd = trace.forward_step(step.index)
    for k in fwd.winners:
        out.setdefault(fwd.taps[k].input_pos, set()).add("winner")
    return out


def test_blocks_mark_exactly_the_cells_the_taps_read():
    for trace in small_traces():
        for index in range(len(trace)):
            step = trace.step("forward", index)
            assert step.cells_of("input") == cells_from_taps(trace, step), (trace.op, index)
            # The expanded cells say the same as the marks.
            listed = {}
            for cell in step.cells:
                if cell.view == "input":
                    listed.setdefault(cell.pos, set()).add(cell.role)
            assert listed == step.cells_of("input")


def test_backward_steps_write_what_they_wrote_cell_by_cell():
    for trace in small_traces():
        for index in range(len(trace)):
            bwd = trace.backward_step(index)
            step = trace.step("backward", index)
            targets = {(r, c) for (_, r, c), _ in bwd.input_grads}
            assert set(step.cells_of("grad_input")) == targets
            # The lines the arrays write are those of the updates listed one by one.
            assert update_lines(list(step.updates)) == update_lines(step.updates), (trace.op, index)
            assert not step.lines or step.lines == update_lines(step.updates)
            assert [u.text for u in step.updates] == [u.text for u in list(step.updates)]


def test_marks_answer_without_listing_as_a_dict_would():
    marks = Marks(
        [
            (range(0, 6, 2), range(1, 4), frozenset({"window"})),
            (range(2, 4), range(3, 5), frozenset({"padding"})),
        ],
        {(2, 3): {"winner"}, (9, 9): {"result"}},
    )
    listed: dict[tuple[int, int], set[str]] = {}
    for r in range(0, 6, 2):
        for c in range(1, 4):
            listed.setdefault((r, c), set()).add("window")
    for r in range(2, 4):
        for c in range(3, 5):
            listed.setdefault((r, c), set()).add("padding")
    listed.setdefault((2, 3), set()).add("winner")
    listed[(9, 9)] = {"result"}
    assert marks.as_dict() == listed and marks == listed and len(marks) == len(listed)
    for pos in [(r, c) for r in range(-1, 11) for c in range(-1, 11)]:
        assert marks.get(pos) == listed.get(pos) and (pos in marks) == (pos in listed)
    assert marks.box() == (0, 1, 9, 9) and marks.box({"padding"}) == (2, 3, 3, 4)
    assert marks.corners({"window"}) == ((0, 1), (4, 3))
    rows, cols = marks.cells_with({"window", "winner"})
    assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == {
        pos for pos, roles in listed.items() if roles & {"window", "winner"}
    }
    assert len(rows) == len(set(zip(rows.tolist(), cols.tolist(), strict=True)))
    moved = marks.shifted(-2, -3).clipped((3, 2))
    assert moved.as_dict() == {
        (r - 2, c - 3): roles
        for (r, c), roles in listed.items()
        if 0 <= r - 2 < 3 and 0 <= c - 3 < 2
    }
    styled = marks.map_roles(lambda roles: {"framed"} if "window" in roles else set())
    assert styled.get((0, 1)) == {"framed"} and styled.get((3, 4)) == set()
    assert styled.without_empty().get((3, 4)) is None and (0, 1) in styled.without_empty()
    assert marks.added([(9, 9)], "hover").get((9, 9)) == {"result", "hover"}
    assert marks.get((9, 9)) == {"result"}  # never changed in place

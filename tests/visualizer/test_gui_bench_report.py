"""gui_bench's report reads each case at the targets' reference as well as in this run's ms."""

from __future__ import annotations

import pytest

from benchmarks.gui_bench import TARGETS_REF_MS, Result, markdown


def test_a_case_is_read_at_the_reference_of_the_day_its_target_was_set() -> None:
    # 12 ms against a 1.5 ms reference is 8×: 4.08 ms where the reference took 0.51 ms.
    step = Result("one step", "16×16", [0.012] * 3, [0.0015] * 3, 8.0)
    assert step.ok is False
    assert step.scaled_ms == pytest.approx(8 * TARGETS_REF_MS)
    assert step.scaled_ok is True
    slow = Result("one step", "16×16", [0.030] * 3, [0.0015] * 3, 8.0)
    assert slow.scaled_ok is False  # 20× the reference: 10.2 ms there
    untargeted = Result("one step", "64×64", [0.012] * 3, [0.0015] * 3, None)
    assert untargeted.scaled_ok is None


def test_first_paint_is_not_scaled_by_the_image_reference() -> None:
    paint = Result("first paint", "8×8 default", [1.1] * 3, [0.4] * 3, 1500.0, scaled=False)
    assert paint.scaled_ms is None and paint.scaled_ok is None
    row = markdown([paint], ["# t"]).splitlines()[4]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[:2] == ["first paint", "8×8 default"]
    assert cells[9:11] == ["—", "—"]


def test_the_report_gives_both_readings_in_one_row() -> None:
    step = Result("one step", "16×16", [0.012] * 3, [0.0015] * 3, 8.0)
    row = markdown([step], ["# t"]).splitlines()[4]
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2] == "12.0" and cells[6] == "8.0×" and cells[7] == "8.0"
    assert cells[8] == "**no**"
    assert cells[9] == "4.1" and cells[10] == "yes"

"""Stack mode and compare mode are painted in one pass over the window, as a step of the usual
views is (benchmarks/gui_bench.py times them; these tests count events, never time or pixels)."""

from __future__ import annotations

import numpy as np
from checks import settle
from PySide6.QtCore import QEvent
from qt_checks import events_after_each

from engine import projective_field_masks
from visualizer.model.stack import STACK_FORMAT, stack_from_json


def conv_stack(side: int):
    """The benchmark's stack, conv 3×3 → ReLU → max 2×2 → conv 3×3 → ReLU, on a
    ``side``×``side`` input."""
    from benchmarks.gui_bench import stack_layers

    x = np.random.default_rng(0).integers(0, 256, size=(side, side)).astype(float)
    return stack_from_json(
        {"format": STACK_FORMAT, "version": 1, "input": x.tolist(), "layers": stack_layers()}
    )


def test_hovering_a_cell_of_a_stack_of_heat_maps_paints_the_window_once(window, qtbot):
    """Each heat map's scene marks its moved frames in a queued call from which Qt paints the
    window at once: hovering an input cell painted the window once per level (six passes)
    until the window had the scenes mark theirs before it paints."""
    st = window.state.stack_state
    doc = conv_stack(64)
    assert st.load(doc)
    st.set_step(st.cursor.n_steps - 1)
    settle(qtbot)
    panel = window.stack_panel
    views = panel.level_views
    assert all(view.stack.currentIndex() == 1 for view in views), "heat maps at 1366×768"
    cells = [(5, 9), (20, 31), (40, 3), (63, 63)]
    seen = events_after_each(
        QEvent.Type.UpdateRequest,
        {"window": window},
        cells,
        lambda cell: panel._on_cell_hovered(0, *cell),
    )
    assert all(counts["window"] == 1 for counts in seen), seen
    # Every level frames the hovered cell's projective field.
    masks = projective_field_masks(doc.engine_layers(), doc.x.shape, cells[-1], level=0)
    for level, view in enumerate(views[1:], start=1):
        xs, ys = view.heatmap.marks.getData()  # cell centres
        framed = {(int(y), int(x)) for x, y in zip(xs, ys, strict=True)}
        assert framed == {tuple(rc) for rc in np.argwhere(masks[level])}, level


def test_a_compare_step_does_not_lay_the_panels_out_again(window, qtbot):
    """Each panel's arithmetic changes on every step; its label asked for a layout that
    climbed every layout up to the window (a pass over the whole window per step)."""
    from visualizer.model.document import CompareSetup

    st = window.state
    st.set_input(np.random.default_rng(0).integers(0, 256, size=(16, 16)).astype(float))
    assert st.set_params(kernel_size=2, stride=2, padding=0)
    setup = CompareSetup.of({"op": "max_pool2d"}, {"op": "avg_pool2d"}, {"op": "lp_pool2d"})
    assert st.set_compare(setup)
    settle(qtbot)
    panels = window.compare_view.panels
    steps = range(1, st.n_windows)  # the forward phase (its views stay)
    widgets = {f"panel {panel.index}": panel for panel in panels}
    seen = events_after_each(QEvent.Type.LayoutRequest, widgets, steps, st.set_step)
    assert all(count == 0 for counts in seen for count in counts.values()), seen
    for panel in panels:  # the arithmetic of the last step
        assert panel.step_label.text() == st.compare_step_text(panel.index)
        assert panel.step_label.isVisible()

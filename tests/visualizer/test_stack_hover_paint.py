"""Hovering a cell in Stack mode moves frames over the heat maps; their pictures stay as they
were (issue 7: the hover highlight in ≤ 8 ms)."""

from __future__ import annotations

import types

import numpy as np
from PySide6.QtWidgets import QApplication

from visualizer.model.stack import STACK_FORMAT, stack_from_json

KERNEL = [[1, 0, -1], [2, 0, -2], [1, 0, -1]]


def test_hovering_a_stack_cell_redraws_the_frames_not_the_pictures(window):
    st = window.state.stack_state
    x = np.random.default_rng(0).integers(0, 256, size=(64, 64)).astype(float)
    doc = stack_from_json(
        {
            "format": STACK_FORMAT,
            "version": 1,
            "input": x.tolist(),
            "layers": [
                {"op": "conv2d", "weight": KERNEL, "bias": [0], "padding": 1},
                {"op": "relu"},
                {"op": "max_pool2d", "kernel_size": 2, "stride": 2},
            ],
        }
    )
    assert st.load(doc)
    app = QApplication.instance()
    for _ in range(3):
        app.processEvents()
    panel = window.stack_panel
    maps = [v.heatmap for v in panel.level_views if v.isVisible() and v.stack.currentIndex() == 1]
    assert len(maps) == 4  # every level of a 64×64 input is a heat map
    painted: list[str] = []

    def spy(item: object, method: str, what: str) -> None:
        real = getattr(type(item), method)

        def call(self: object, *args: object) -> object:
            painted.append(what)
            return real(self, *args)

        # On the object, bound: the map calls its items' methods through the objects.
        setattr(item, method, types.MethodType(call, item))

    for heat in maps:
        spy(heat.image, "render", "picture")  # coloured anew (else its picture is copied)
        spy(heat.marks, "paint", "frames")
    for i in range(1, 4):
        panel._on_cell_hovered(0, 7 * i, 13 * i)
        app.processEvents()
        app.processEvents()
    assert "frames" in painted  # the frames moved and were drawn again
    assert "picture" not in painted  # the pictures were copied, not scaled and coloured again

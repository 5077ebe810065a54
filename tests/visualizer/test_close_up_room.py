"""The normal layout's close-ups where the room is short (issue 10, point 7): a heat map's
close-up shows as many rows and columns as leave its cells room for numbers, also after the
view shrinks under it (a dock opened after the step).

Asserted on the close-up's data (its rows, columns, cell size and whether it shows numbers),
never on pixels.
"""

from __future__ import annotations

import pytest
from checks import settle

from visualizer.i18n import CHINESE, ENGLISH, set_language
from visualizer.widgets.matrix_view import MAGNIFIED_STYLES, MIN_NUMBER_CELL


def close_up_cells(view) -> set[tuple[int, int]]:
    """The matrix cells ``view``'s close-up shows."""
    close_up = view.magnifier
    (rows, cols), (off_r, off_c) = close_up.model.values.shape, close_up.model.offset
    return {(r - off_r, c - off_c) for r in range(rows) for c in range(cols)}


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("backward", [False, True])
def test_conv_transpose_close_ups_show_numbers_beside_the_code_dock(
    window, qtbot, language, backward
):
    """Transposed convolution at 1024×768 with the code dock open: Y's close-up (and dY's in
    the backward phase) kept six rows of a 2×2 window and the two cells around it in 85 px:
    12 px cells without a number.  Now its cells have numbers and show the step's cells."""
    set_language(CHINESE if language == "zh_CN" else ENGLISH)
    try:
        window.resize(1024, 768)
        st = window.state
        assert st.set_op("conv_transpose2d")
        settle(qtbot)
        st.set_step(20 + (st.n_windows if backward else 0))
        settle(qtbot)
        window.findChild(object, "toggleCodeAction").trigger()  # after the step, as a user
        for _ in range(3):
            settle(qtbot)
        panel = window.views_panel
        views = [panel.output_view] + ([panel.grad_output_view] if backward else [])
        for view in views:
            close_up = view.magnifier
            assert view.stack.currentIndex() == 1, view.objectName()  # a heat map ...
            assert close_up is not None and close_up.isVisibleTo(view), view.objectName()
            assert close_up.cell >= MIN_NUMBER_CELL, (view.objectName(), close_up.cell)
            assert close_up.model.show_numbers, view.objectName()
            table = close_up.table
            assert table.verticalHeader().length() <= table.viewport().height()
            assert table.horizontalHeader().length() <= table.viewport().width()
            marked = {rc for rc, s in view.highlights().items() if s & MAGNIFIED_STYLES}
            assert marked and marked <= close_up_cells(view), view.objectName()
    finally:
        set_language(ENGLISH)

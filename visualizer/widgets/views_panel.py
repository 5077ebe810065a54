"""All matrix views, laid out as forward row (X, W, Y, mask) over backward row (dX, dW, dY)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from engine import format_number
from visualizer.i18n import tr
from visualizer.limits import clamp_zoom
from visualizer.state import INPUT, PADDING, AppState
from visualizer.ui import Retranslatable
from visualizer.widgets.matrix_view import MatrixView, levels_for

# Step cell roles (engine.Step) -> MatrixView highlight styles.  The winning tap stays marked
# in the backward phase: it is where dY goes.
INPUT_STYLE = {
    "window": "window",
    "padding": "pad_tap",
    "overhang": "pad_tap",
    "gap": "gap",
    "winner": "winner",
}


class ViewsPanel(Retranslatable, QWidget):
    """Shows the state's matrices; redraws values on results, highlights on steps."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        # Titles are set with the values (they name sizes) and again on a language change.
        self.input_view = MatrixView("", "inputMatrix")
        self.kernel_view = MatrixView("", "kernelMatrix")
        self.output_view = MatrixView("", "outputMatrix")
        self.mask_view = MatrixView("", "maskMatrix")
        self.grad_output_view = MatrixView("", "gradOutputMatrix")
        self.grad_input_view = MatrixView("", "gradInputMatrix")
        self.grad_weight_view = MatrixView("dW", "gradWeightMatrix")
        self.input_view.set_editable(True)
        self.kernel_view.set_editable(True)
        self.grad_output_view.set_editable(True)
        self.bias_label = QLabel("")
        self.bias_label.setObjectName("gradBias")
        bias_font = self.bias_label.font()
        bias_font.setPointSizeF(13)
        bias_font.setBold(True)
        self.bias_label.setFont(bias_font)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(4)
        grid.addWidget(self.input_view, 0, 0)
        grid.addWidget(self.kernel_view, 0, 1)
        grid.addWidget(self.output_view, 0, 2)
        grid.addWidget(self.mask_view, 0, 3)
        grid.addWidget(self.grad_input_view, 1, 0)
        grid.addWidget(self.grad_weight_view, 1, 1)
        grid.addWidget(self.grad_output_view, 1, 2)
        grid.addWidget(self.bias_label, 2, 1)
        self.grid = grid

        self.input_view.sigCellEdited.connect(state.set_input_cell)
        self.kernel_view.sigCellEdited.connect(state.set_kernel_cell)
        self.grad_output_view.sigCellEdited.connect(state.set_grad_output_cell)
        self.zoom = 1.0
        self._sync_timer = QTimer(self)
        self._sync_timer.setSingleShot(True)
        self._sync_timer.setInterval(0)
        self._sync_timer.timeout.connect(self.sync_cell_sizes)
        for view in self.views():
            view.sigResized.connect(self._sync_timer.start)
        self.output_view.sigCellClicked.connect(self._on_output_clicked)
        self.grad_output_view.sigCellClicked.connect(self._on_output_clicked)
        for view in (self.output_view, self.grad_output_view):
            view.sigCellHovered.connect(self._on_output_hovered)
            view.sigHoverLeft.connect(self._on_hover_left)
        for view in (self.input_view, self.grad_input_view, self.mask_view):
            view.sigCellHovered.connect(self._on_input_hovered)
            view.sigHoverLeft.connect(self._on_hover_left)
        state.sigResultsChanged.connect(self._on_results_changed)
        state.sigStepChanged.connect(self._on_step_changed)
        state.sigHoverChanged.connect(self._on_highlights_changed)
        self._on_results_changed()

    def retranslate_ui(self) -> None:
        """Titles and tooltips in the current language (no values are redrawn)."""
        self._update_titles(self.state.input_canvas()[1])

    def _update_titles(self, kinds: np.ndarray) -> None:
        """Titles (they name the sizes) and tooltips; ``kinds`` are the input canvas's."""
        st = self.state
        spec = st.spec
        h, w = st.x.shape[2:]
        size = f"{h}×{w}"
        if (kinds == PADDING).any():
            pad = format_number(spec.pad_value)
            title = tr("Input X  ({size}, padded with {value})").format(size=size, value=pad)
        else:
            title = tr("Input X  ({size})").format(size=size)
        self.input_view.set_title(title)
        self.input_view.setToolTip(
            tr(
                "Grey cells: padding (−∞ for max pooling, so it never wins; 0 otherwise). "
                "Hatched cells: beyond the padding, only reached by ceil_mode windows (never read)."
            )
            if (kinds != INPUT).any()
            else ""
        )
        oh, ow = st.results.geometry.out_size
        self.output_view.set_title(tr("Output Y  ({size})").format(size=f"{oh}×{ow}"))
        self.grad_output_view.set_title(tr("Upstream gradient dY"))
        if spec.has_weight:
            kh, kw = st.results.geometry.kernel
            size = f"{kh}×{kw}"
            if st.weight.shape[0] > 1 or st.weight.shape[1] > 1:
                # Which slice of the 4-D weight: output channel, input channel.
                size += f", W[{st.plane[1]}, {st.in_channel}]"
            self.kernel_view.set_title(tr("Kernel W  ({size})").format(size=size))
        if spec.has_tensor("mask"):
            self.mask_view.set_title(tr("Argmax mask  (wins per cell)"))
        self._update_step_titles()

    def _update_step_titles(self) -> None:
        if self.state.phase == "backward":
            self.grad_input_view.set_title(tr("Input gradient dX  so far"))
        else:
            self.grad_input_view.set_title(tr("Input gradient dX"))

    def views(self) -> list[MatrixView]:
        return [
            self.input_view,
            self.kernel_view,
            self.output_view,
            self.mask_view,
            self.grad_output_view,
            self.grad_input_view,
            self.grad_weight_view,
        ]

    def set_zoom(self, zoom: float) -> None:
        self.zoom = clamp_zoom(zoom)
        self.sync_cell_sizes()

    def sync_cell_sizes(self) -> None:
        """Fit every table to its view, times the zoom.

        X, dX and the mask share a shape and a grid slot size, so they get one cell size;
        Y and dY likewise.
        """
        for view in self.views():
            if view.isVisible():
                view.set_cell_size(int(view.fit_cell() * self.zoom))

    # ---- user → state -----------------------------------------------------------------------
    def _on_output_clicked(self, r: int, c: int) -> None:
        self.state.jump_to_output(r, c)

    def _on_output_hovered(self, r: int, c: int) -> None:
        self.state.set_hover("output", r, c)

    def _on_input_hovered(self, r: int, c: int) -> None:
        self.state.set_hover("input", r, c)

    def _on_hover_left(self) -> None:
        self.state.set_hover(None)

    # ---- state → views ----------------------------------------------------------------------
    def _on_results_changed(self) -> None:
        st = self.state
        spec = st.spec
        # Exactly the views the operation's tensors list.
        shown = {t.view for t in spec.tensors if t.view}
        for widget in (*self.views(), self.bias_label):
            widget.setVisible(widget.objectName() in shown)
        conv, is_max = spec.has_weight, spec.has_tensor("mask")
        stretch = {0: 3, 1: 2 if conv else 0, 2: 2, 3: 3 if is_max else 0}
        for col, factor in stretch.items():
            self.grid.setColumnStretch(col, factor)

        values, kinds, offset = st.input_canvas()
        self._update_titles(kinds)
        self.input_view.set_matrix(values, kinds, offset)
        real = values[kinds == INPUT]
        self._x_levels = levels_for(real, False)

        out = st.results.output[st.plane]
        self._out_levels = self._x_levels if spec.output_in_input_scale else levels_for(out, False)
        gx = st.grad_input_plane(partial=False)
        self._gx_levels = levels_for(gx, True)
        self.grad_output_view.set_matrix(
            st.grad_output_plane(), levels=levels_for(st.grad_output_plane(), True), diverging=True
        )
        if conv:
            kernel = st.kernel_plane()
            self.kernel_view.set_matrix(kernel, levels=levels_for(kernel, True), diverging=True)
            gw, _ = st.grad_weight_plane(partial=False)
            self._gw_levels = levels_for(gw, True)
        if is_max:
            full = st.mask_plane(partial=False)
            self._mask_levels = (0.0, float(max(1, full.max())))
        self._on_step_changed(st.step)
        self._sync_timer.start()

    def _on_step_changed(self, _step: int) -> None:
        st = self.state
        self.output_view.set_matrix(st.output_plane(), levels=self._out_levels)
        self.grad_input_view.set_matrix(
            st.grad_input_plane(), levels=self._gx_levels, diverging=True
        )
        if st.spec.has_tensor("mask"):
            counts = st.mask_plane()
            self.mask_view.set_matrix(counts.astype(float), levels=self._mask_levels)
        if st.spec.has_weight:
            gw, gb = st.grad_weight_plane()
            self.grad_weight_view.set_matrix(gw, levels=self._gw_levels, diverging=True)
            self.bias_label.setText("" if gb is None else f"db = {format_number(gb)}")
        self._update_step_titles()
        self._on_highlights_changed()

    def _on_highlights_changed(self) -> None:
        st = self.state
        hl = st.highlight()
        forward = st.phase == "forward"
        # Roles of the step (engine.Step) drawn as the views' highlight styles.
        inputs: dict[tuple[int, int], set[str]] = {}
        for rc, roles in hl.of("input").items():
            styles = {INPUT_STYLE[r] for r in roles if r in INPUT_STYLE}
            inputs.setdefault(rc, set()).update(styles)
        outputs: dict[tuple[int, int], set[str]] = {rc: {"current"} for rc in hl.of("output")}
        grads: dict[tuple[int, int], set[str]] = {}
        if not forward:
            for rc in hl.of("grad_input"):
                grads.setdefault(rc, set()).add("target")
        hover_in, hover_out = st.hover_cells()
        for rc in hover_in:
            inputs.setdefault(rc, set()).add("hover")
            grads.setdefault(rc, set()).add("hover")
        for rc in hover_out:
            outputs.setdefault(rc, set()).add("hover")
        mask = {rc: {"winner"} for rc in hl.of("mask")} if forward else {}
        self.input_view.set_highlights(inputs)
        self.output_view.set_highlights(outputs)
        self.grad_output_view.set_highlights(
            outputs if not forward else {rc: {"hover"} for rc in hover_out}
        )
        self.grad_input_view.set_highlights(grads)
        self.mask_view.set_highlights(mask)

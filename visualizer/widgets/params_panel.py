"""Operation and parameter controls, with the engine's message when a combination is invalid."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from visualizer.state import OPS, AppState

PAIR_TIPS = {
    "kernel_size": "Window size (height × width). For convolution this is the kernel's shape.",
    "stride": "How far the window moves between outputs (rows × columns).",
    "padding": "Extra cells around the input: −∞ for max pooling (padding never wins), "
    "0 for average pooling and convolution. Pooling allows at most half the kernel.",
    "dilation": "Spacing between the window's taps; 1 means adjacent cells.",
}


class _PairEditor(QWidget):
    """Two spin boxes (height, width) with a lock that keeps them equal."""

    def __init__(self, name: str, minimum: int, maximum: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.h_spinbox = QSpinBox()
        self.w_spinbox = QSpinBox()
        for box, axis in ((self.h_spinbox, "height"), (self.w_spinbox, "width")):
            box.setRange(minimum, maximum)
            box.setObjectName(f"{name}_{axis[0]}_spinbox")
            box.setToolTip(f"{PAIR_TIPS[name]} ({axis})")
            box.setKeyboardTracking(False)
        self.h_spinbox.setObjectName(f"{name}_spinbox")  # the height box is the main one
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.h_spinbox)
        layout.addWidget(QLabel("×"))
        layout.addWidget(self.w_spinbox)

    def value(self) -> tuple[int, int]:
        return (self.h_spinbox.value(), self.w_spinbox.value())

    def set_value(self, pair: tuple[int, int]) -> None:
        with QSignalBlocker(self.h_spinbox), QSignalBlocker(self.w_spinbox):
            self.h_spinbox.setValue(pair[0])
            self.w_spinbox.setValue(pair[1])


class ParamsPanel(QGroupBox):
    """Operation selector and every parameter; talks only to the state."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__("Operation and parameters", parent)
        self.state = state
        self.op_combobox = QComboBox()
        self.op_combobox.setObjectName("opSelector")
        for key, label in OPS.items():
            self.op_combobox.addItem(label, key)
        self.op_combobox.setToolTip("What the sliding window computes (keys 1, 2, 3)")

        self.pairs = {
            "kernel_size": _PairEditor("kernel_size", 1, 16),
            "stride": _PairEditor("stride", 1, 16),
            "padding": _PairEditor("padding", 0, 16),
            "dilation": _PairEditor("dilation", 1, 8),
        }
        self.ceil_mode_checkbox = QCheckBox("ceil_mode")
        self.ceil_mode_checkbox.setObjectName("ceil_mode_checkbox")
        self.ceil_mode_checkbox.setToolTip(
            "Round the output size up: a last, partial window is kept if it starts inside the "
            "input or the left padding."
        )
        self.count_include_pad_checkbox = QCheckBox("count_include_pad")
        self.count_include_pad_checkbox.setObjectName("count_include_pad_checkbox")
        self.count_include_pad_checkbox.setToolTip(
            "Average pooling divides by the window size including padding cells "
            "(never the ceil_mode overhang)."
        )
        self.divisor_checkbox = QCheckBox("divisor_override")
        self.divisor_checkbox.setObjectName("divisor_override_checkbox")
        self.divisor_checkbox.setToolTip(
            "Average pooling: divide every window by a fixed number instead of its size"
        )
        self.divisor_spinbox = QSpinBox()
        self.divisor_spinbox.setObjectName("divisor_override_spinbox")
        self.divisor_spinbox.setRange(-99, 99)
        self.divisor_spinbox.setToolTip("Divide every window by this number instead (not 0).")
        self.ties_combobox = QComboBox()
        self.ties_combobox.setObjectName("ties_combobox")
        for key, label in (
            ("first", "first max (PyTorch)"),
            ("all", "every tied max, in full"),
            ("split", "split between ties"),
        ):
            self.ties_combobox.addItem(label, key)
        self.ties_combobox.setToolTip(
            "Max pooling backward: which of several equal maxima in a window receives its "
            "gradient (PyTorch: the first one)"
        )
        self.bias_checkbox = QCheckBox("bias")
        self.bias_checkbox.setObjectName("bias_checkbox")
        self.bias_checkbox.setToolTip("Convolution: add a bias to every output (off: no bias)")
        self.bias_spinbox = QDoubleSpinBox()
        self.bias_spinbox.setObjectName("bias_spinbox")
        self.bias_spinbox.setRange(-999, 999)
        self.bias_spinbox.setDecimals(2)
        self.bias_spinbox.setToolTip("Added once to every output of the convolution")
        for box in (self.divisor_spinbox, self.bias_spinbox):
            box.setKeyboardTracking(False)

        self.error_label = QLabel("")
        self.error_label.setObjectName("paramError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.error_label.setStyleSheet(
            "QLabel { color: #8b0000; background: #ffe9e9; border: 1px solid #d08080;"
            " border-radius: 4px; padding: 4px; font-weight: bold; }"
        )
        self.error_label.hide()

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight)
        form.addRow("Operation", self.op_combobox)
        form.addRow("Kernel", self.pairs["kernel_size"])
        form.addRow("Stride", self.pairs["stride"])
        form.addRow("Padding", self.pairs["padding"])
        self.dilation_label = QLabel("Dilation")
        form.addRow(self.dilation_label, self.pairs["dilation"])
        divisor_row = QHBoxLayout()
        divisor_row.addWidget(self.divisor_checkbox)
        divisor_row.addWidget(self.divisor_spinbox)
        bias_row = QHBoxLayout()
        bias_row.addWidget(self.bias_checkbox)
        bias_row.addWidget(self.bias_spinbox)
        self.ties_label = QLabel("Ties")
        form.addRow(self.ties_label, self.ties_combobox)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.ceil_mode_checkbox)
        layout.addWidget(self.count_include_pad_checkbox)
        layout.addLayout(divisor_row)
        layout.addLayout(bias_row)
        layout.addWidget(self.error_label)

        self.op_combobox.currentIndexChanged.connect(self._on_op_changed)
        for name, editor in self.pairs.items():
            editor.h_spinbox.valueChanged.connect(lambda _v, n=name: self._on_pair_changed(n))
            editor.w_spinbox.valueChanged.connect(lambda _v, n=name: self._on_pair_changed(n))
        self.ceil_mode_checkbox.toggled.connect(self._on_flags_changed)
        self.count_include_pad_checkbox.toggled.connect(self._on_flags_changed)
        self.divisor_checkbox.toggled.connect(self._on_flags_changed)
        self.divisor_spinbox.valueChanged.connect(self._on_flags_changed)
        self.ties_combobox.currentIndexChanged.connect(self._on_flags_changed)
        self.bias_checkbox.toggled.connect(self._on_flags_changed)
        self.bias_spinbox.valueChanged.connect(self._on_flags_changed)
        state.sigDataChanged.connect(self._on_state_changed)
        state.sigError.connect(self._on_error)
        self._on_state_changed()

    # ---- user → state -----------------------------------------------------------------------
    def _on_op_changed(self, index: int) -> None:
        self.state.set_op(self.op_combobox.itemData(index))

    def _on_pair_changed(self, name: str) -> None:
        self.state.set_params(**{name: self.pairs[name].value()})

    def _on_flags_changed(self, *_args: object) -> None:
        divisor = self.divisor_spinbox.value() if self.divisor_checkbox.isChecked() else None
        bias = self.bias_spinbox.value() if self.bias_checkbox.isChecked() else None
        self.state.set_params(
            ceil_mode=self.ceil_mode_checkbox.isChecked(),
            count_include_pad=self.count_include_pad_checkbox.isChecked(),
            divisor_override=divisor,
            ties=self.ties_combobox.currentData(),
            bias=bias,
        )

    # ---- state → controls (signals blocked) -------------------------------------------------
    def _on_state_changed(self) -> None:
        st, p = self.state, self.state.params
        blockers = [
            QSignalBlocker(w)
            for w in (
                self.op_combobox,
                self.ceil_mode_checkbox,
                self.count_include_pad_checkbox,
                self.divisor_checkbox,
                self.divisor_spinbox,
                self.ties_combobox,
                self.bias_checkbox,
                self.bias_spinbox,
            )
        ]
        self.op_combobox.setCurrentIndex(list(OPS).index(st.op))
        for name, editor in self.pairs.items():
            editor.set_value(getattr(p, name))
        self.ceil_mode_checkbox.setChecked(p.ceil_mode)
        self.count_include_pad_checkbox.setChecked(p.count_include_pad)
        self.divisor_checkbox.setChecked(p.divisor_override is not None)
        if p.divisor_override is not None:
            self.divisor_spinbox.setValue(p.divisor_override)
        self.ties_combobox.setCurrentIndex(max(0, self.ties_combobox.findData(p.ties)))
        self.bias_checkbox.setChecked(p.bias is not None)
        if p.bias is not None:
            self.bias_spinbox.setValue(p.bias)
        del blockers
        is_max, is_avg, is_conv = st.op == "max", st.op == "avg", st.op == "conv"
        self.pairs["dilation"].setEnabled(not is_avg)
        self.dilation_label.setEnabled(not is_avg)
        self.ceil_mode_checkbox.setEnabled(not is_conv)
        self.count_include_pad_checkbox.setEnabled(is_avg)
        self.divisor_checkbox.setEnabled(is_avg)
        self.divisor_spinbox.setEnabled(is_avg and p.divisor_override is not None)
        self.ties_combobox.setEnabled(is_max)
        self.ties_label.setEnabled(is_max)
        self.bias_checkbox.setEnabled(is_conv)
        self.bias_spinbox.setEnabled(is_conv and p.bias is not None)

    def _on_error(self, message: str) -> None:
        self.error_label.setText(f"⚠ {message}" if message else "")
        self.error_label.setVisible(bool(message))

"""Operation and parameter controls, with the engine's message when a combination is invalid."""

from __future__ import annotations

from PySide6.QtCore import QT_TR_NOOP, QEvent, QSignalBlocker, Qt
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

from visualizer.i18n import tr, translate_message
from visualizer.state import OPS, AppState

PAIR_TIPS = {
    "kernel_size": QT_TR_NOOP(
        "Window size (height × width). For convolution this is the kernel's shape."
    ),
    "stride": QT_TR_NOOP("How far the window moves between outputs (rows × columns)."),
    "padding": QT_TR_NOOP(
        "Extra cells around the input: −∞ for max pooling (padding never wins), "
        "0 for average pooling and convolution. Pooling allows at most half the kernel."
    ),
    "dilation": QT_TR_NOOP("Spacing between the window's taps; 1 means adjacent cells."),
}
TIES = {
    "first": QT_TR_NOOP("first max (PyTorch)"),
    "all": QT_TR_NOOP("every tied max, in full"),
    "split": QT_TR_NOOP("split between ties"),
}


class _PairEditor(QWidget):
    """Two spin boxes (height, width) with a lock that keeps them equal."""

    def __init__(self, name: str, minimum: int, maximum: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.h_spinbox = QSpinBox()
        self.w_spinbox = QSpinBox()
        for box, axis in ((self.h_spinbox, "h"), (self.w_spinbox, "w")):
            box.setRange(minimum, maximum)
            box.setObjectName(f"{name}_{axis}_spinbox")
            box.setKeyboardTracking(False)
        self.h_spinbox.setObjectName(f"{name}_spinbox")  # the height box is the main one
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.h_spinbox)
        layout.addWidget(QLabel("×"))
        layout.addWidget(self.w_spinbox)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        tip = tr(PAIR_TIPS[self.name])
        self.h_spinbox.setToolTip(tr("{tip} (height)").format(tip=tip))
        self.w_spinbox.setToolTip(tr("{tip} (width)").format(tip=tip))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

    def value(self) -> tuple[int, int]:
        return (self.h_spinbox.value(), self.w_spinbox.value())

    def set_value(self, pair: tuple[int, int]) -> None:
        with QSignalBlocker(self.h_spinbox), QSignalBlocker(self.w_spinbox):
            self.h_spinbox.setValue(pair[0])
            self.w_spinbox.setValue(pair[1])


class ParamsPanel(QGroupBox):
    """Operation selector and every parameter; talks only to the state."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.op_combobox = QComboBox()
        self.op_combobox.setObjectName("opSelector")
        for key in OPS:
            self.op_combobox.addItem("", key)

        self.pairs = {
            "kernel_size": _PairEditor("kernel_size", 1, 16),
            "stride": _PairEditor("stride", 1, 16),
            "padding": _PairEditor("padding", 0, 16),
            "dilation": _PairEditor("dilation", 1, 8),
        }
        # PyTorch's argument names, as in code: the same in every language.
        self.ceil_mode_checkbox = QCheckBox("ceil_mode")
        self.ceil_mode_checkbox.setObjectName("ceil_mode_checkbox")
        self.count_include_pad_checkbox = QCheckBox("count_include_pad")
        self.count_include_pad_checkbox.setObjectName("count_include_pad_checkbox")
        self.divisor_checkbox = QCheckBox("divisor_override")
        self.divisor_checkbox.setObjectName("divisor_override_checkbox")
        self.divisor_spinbox = QSpinBox()
        self.divisor_spinbox.setObjectName("divisor_override_spinbox")
        self.divisor_spinbox.setRange(-99, 99)
        self.ties_combobox = QComboBox()
        self.ties_combobox.setObjectName("ties_combobox")
        for key in TIES:
            self.ties_combobox.addItem("", key)
        self.bias_checkbox = QCheckBox("bias")
        self.bias_checkbox.setObjectName("bias_checkbox")
        self.bias_spinbox = QDoubleSpinBox()
        self.bias_spinbox.setObjectName("bias_spinbox")
        self.bias_spinbox.setRange(-999, 999)
        self.bias_spinbox.setDecimals(2)
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

        self.op_label = QLabel()
        self.kernel_label = QLabel()
        self.stride_label = QLabel()
        self.padding_label = QLabel()
        self.dilation_label = QLabel()
        self.ties_label = QLabel()
        form = QFormLayout()
        form.setVerticalSpacing(4)  # compact, like the data panel (room for CJK fonts)
        form.setLabelAlignment(Qt.AlignRight)
        form.addRow(self.op_label, self.op_combobox)
        form.addRow(self.kernel_label, self.pairs["kernel_size"])
        form.addRow(self.stride_label, self.pairs["stride"])
        form.addRow(self.padding_label, self.pairs["padding"])
        form.addRow(self.dilation_label, self.pairs["dilation"])
        divisor_row = QHBoxLayout()
        divisor_row.addWidget(self.divisor_checkbox)
        divisor_row.addWidget(self.divisor_spinbox)
        bias_row = QHBoxLayout()
        bias_row.addWidget(self.bias_checkbox)
        bias_row.addWidget(self.bias_spinbox)
        form.addRow(self.ties_label, self.ties_combobox)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
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
        self.retranslate_ui()
        self._on_state_changed()

    def retranslate_ui(self) -> None:
        self.setTitle(tr("Operation and parameters"))
        for i, label in enumerate(OPS.values()):
            self.op_combobox.setItemText(i, tr(label))
        self.op_combobox.setToolTip(tr("What the sliding window computes (keys 1, 2, 3)"))
        self.op_label.setText(tr("Operation"))
        self.kernel_label.setText(tr("Kernel"))
        self.stride_label.setText(tr("Stride"))
        self.padding_label.setText(tr("Padding"))
        self.dilation_label.setText(tr("Dilation"))
        self.ties_label.setText(tr("Ties"))
        self.ceil_mode_checkbox.setToolTip(
            tr(
                "Round the output size up: a last, partial window is kept if it starts inside "
                "the input or the left padding."
            )
        )
        self.count_include_pad_checkbox.setToolTip(
            tr(
                "Average pooling divides by the window size including padding cells "
                "(never the ceil_mode overhang)."
            )
        )
        self.divisor_checkbox.setToolTip(
            tr("Average pooling: divide every window by a fixed number instead of its size")
        )
        self.divisor_spinbox.setToolTip(tr("Divide every window by this number instead (not 0)."))
        for i, label in enumerate(TIES.values()):
            self.ties_combobox.setItemText(i, tr(label))
        self.ties_combobox.setToolTip(
            tr(
                "Max pooling backward: which of several equal maxima in a window receives its "
                "gradient (PyTorch: the first one)"
            )
        )
        self.bias_checkbox.setToolTip(tr("Convolution: add a bias to every output (off: no bias)"))
        self.bias_spinbox.setToolTip(tr("Added once to every output of the convolution"))
        self._on_error(self.state.error)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)

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
        self.error_label.setText(f"⚠ {translate_message(message)}" if message else "")
        self.error_label.setVisible(bool(message))

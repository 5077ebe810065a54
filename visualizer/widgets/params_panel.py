"""Operation and parameter controls, generated from the registry's parameter specs.

One control per parameter name of any registered operation (pairs as two spin boxes, bools as
check boxes, choices as combo boxes, optional numbers as a check box plus a spin box); a control
is enabled when the current operation has that parameter.  Object names follow the parameter:
``kernel_size_spinbox`` (height; ``kernel_size_w_spinbox`` width), ``ceil_mode_checkbox``,
``ties_combobox``, ``divisor_override_checkbox`` + ``divisor_override_spinbox``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engine.ops import OPS, ParamSpec
from visualizer.i18n import tr, translate_message
from visualizer.state import AppState
from visualizer.ui import Retranslatable

_INT_RANGE = 2**31 - 1  # QSpinBox's own limit; the spec's range is the real one


def _spin_range(spec: ParamSpec) -> tuple[int, int]:
    low = -_INT_RANGE if spec.minimum is None else int(spec.minimum)
    high = _INT_RANGE if spec.maximum is None else int(spec.maximum)
    return low, high


class ExactDoubleSpinBox(QDoubleSpinBox):
    """A double spin box that shows every digit of its value (0.125, not 0.13) and no more."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(9)

    def textFromValue(self, value: float) -> str:
        return f"{value:.9g}"


class _PairEditor(QWidget):
    """Two spin boxes (height, width)."""

    def __init__(self, spec: ParamSpec, parent: QWidget | None = None):
        super().__init__(parent)
        self.spec = spec
        self.name = spec.name
        self.h_spinbox = QSpinBox()
        self.w_spinbox = QSpinBox()
        for box, axis in ((self.h_spinbox, "h"), (self.w_spinbox, "w")):
            box.setRange(*_spin_range(spec))
            box.setObjectName(f"{spec.name}_{axis}_spinbox")
            box.setKeyboardTracking(False)
        self.h_spinbox.setObjectName(f"{spec.name}_spinbox")  # the height box is the main one
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.h_spinbox)
        layout.addWidget(QLabel("×"))
        layout.addWidget(self.w_spinbox)

    def retranslate_ui(self) -> None:
        tip = tr(self.spec.help)
        self.h_spinbox.setToolTip(tr("{tip} (height)").format(tip=tip))
        self.w_spinbox.setToolTip(tr("{tip} (width)").format(tip=tip))

    def value(self) -> tuple[int, int]:
        return (self.h_spinbox.value(), self.w_spinbox.value())

    def set_value(self, pair: tuple[int, int]) -> None:
        with QSignalBlocker(self.h_spinbox), QSignalBlocker(self.w_spinbox):
            _set_value(self.h_spinbox, pair[0])
            _set_value(self.w_spinbox, pair[1])


class _Control:
    """The widgets of one parameter, whatever its kind."""

    def __init__(self, spec: ParamSpec) -> None:
        self.spec = spec
        self.label: QLabel | None = None
        self.pair: _PairEditor | None = None
        self.checkbox: QCheckBox | None = None
        self.combobox: QComboBox | None = None
        self.spinbox: QSpinBox | QDoubleSpinBox | None = None
        self.shortcut_buttons: list[tuple[QPushButton, Any]] = []
        self.row: QWidget | None = None  # what the panel shows in the control's place
        name, kind = spec.name, spec.kind
        for label, value in spec.shortcuts:
            button = QPushButton()
            slug = "".join(ch for ch in label.lower() if ch.isalnum())
            button.setObjectName(f"{name}_{slug}_button")
            self.shortcut_buttons.append((button, value))
        if kind == "pair":
            self.pair = _PairEditor(spec)
            self.label = QLabel()
        elif kind == "choice":
            self.combobox = QComboBox()
            self.combobox.setObjectName(f"{name}_combobox")
            for choice in spec.choices:
                self.combobox.addItem("", choice)
            self.label = QLabel()
        else:
            if kind in ("bool", "optional_int", "optional_float"):
                # PyTorch's argument name, as in code: the same in every language.
                self.checkbox = QCheckBox(name)
                self.checkbox.setObjectName(f"{name}_checkbox")
            if kind in ("int", "optional_int"):
                self.spinbox = QSpinBox()
            elif kind in ("float", "optional_float"):
                self.spinbox = ExactDoubleSpinBox()
            if self.spinbox is not None:
                self.spinbox.setObjectName(f"{name}_spinbox")
                self.spinbox.setKeyboardTracking(False)
                if kind in ("int", "optional_int"):
                    self.spinbox.setRange(*_spin_range(spec))
                else:
                    low = -1e300 if spec.minimum is None else spec.minimum
                    high = 1e300 if spec.maximum is None else spec.maximum
                    self.spinbox.setRange(low, high)
            if self.checkbox is None:
                self.label = QLabel()

    def widgets(self) -> list[QWidget]:
        found = [self.label, self.pair, self.checkbox, self.combobox, self.spinbox]
        found += [button for button, _ in self.shortcut_buttons]
        return [w for w in found if w is not None]

    def field(self) -> QWidget:
        """What goes in the form's field column."""
        if self.shortcut_buttons:
            row = QWidget()
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            layout.addWidget(self.pair or self.combobox or self.spinbox)  # type: ignore[arg-type]
            for button, _ in self.shortcut_buttons:
                layout.addWidget(button)
            return row
        if self.pair is not None:
            return self.pair
        if self.combobox is not None:
            return self.combobox
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        for w in (self.checkbox, self.spinbox):
            if w is not None:
                layout.addWidget(w)
        layout.addStretch(1)
        return row

    def retranslate(self) -> None:
        spec = self.spec
        if self.label is not None:
            self.label.setText(tr(spec.label) if spec.label else spec.name)
        if self.pair is not None:
            self.pair.retranslate_ui()
        if self.combobox is not None:
            for i, text in enumerate(spec.choice_labels or spec.choices):
                self.combobox.setItemText(i, tr(text))
            self.combobox.setToolTip(tr(spec.help))
        if self.checkbox is not None:
            self.checkbox.setToolTip(tr(spec.help))
            if spec.view_option:  # not a PyTorch argument: said in the user's language
                self.checkbox.setText(tr(spec.label))
        if self.spinbox is not None:
            self.spinbox.setToolTip(tr(spec.help))
        for (button, value), (label, _) in zip(self.shortcut_buttons, spec.shortcuts, strict=True):
            button.setText(tr(label))
            button.setToolTip(tr("Set {name} to {value}").format(name=spec.name, value=value))

    def value(self) -> Any:
        kind = self.spec.kind
        if self.pair is not None:
            return self.pair.value()
        if self.combobox is not None:
            return self.combobox.currentData()
        if kind == "bool":
            assert self.checkbox is not None
            return self.checkbox.isChecked()
        assert self.spinbox is not None
        if self.checkbox is not None and not self.checkbox.isChecked():
            return None
        number = self.spinbox.value()
        return int(number) if kind in ("int", "optional_int") else float(number)

    def set_value(self, value: Any) -> None:
        blockers = [QSignalBlocker(w) for w in self.widgets()]
        if self.pair is not None:
            self.pair.set_value(value)
        elif self.combobox is not None:
            self.combobox.setCurrentIndex(max(0, self.combobox.findData(value)))
        else:
            if self.checkbox is not None:
                on = bool(value) if self.spec.kind == "bool" else value is not None
                self.checkbox.setChecked(on)
            if self.spinbox is not None and value is not None and self.spec.kind != "bool":
                _set_value(self.spinbox, value)
        del blockers

    def set_enabled(self, used: bool) -> None:
        # Parameters of other operations are hidden (and disabled): with eight operations the
        # panel would otherwise be mostly grey.
        if self.row is not None:
            self.row.setVisible(used)
        if self.label is not None:
            self.label.setVisible(used)
        for w in self.widgets():
            w.setEnabled(used)
        if used and self.spinbox is not None and self.checkbox is not None:
            self.spinbox.setEnabled(self.checkbox.isChecked())


class ParamsPanel(Retranslatable, QGroupBox):
    """Operation selector and every parameter; talks only to the state."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.op_combobox = QComboBox()
        self.op_combobox.setObjectName("opSelector")
        for key in OPS:
            self.op_combobox.addItem("", key)

        # One control per parameter name, in the order the operations list them.
        self.controls: dict[str, _Control] = {}
        for spec in OPS.values():
            for param in spec.params:
                if param.name not in self.controls:
                    self.controls[param.name] = _Control(param)
        self.pairs = {n: c.pair for n, c in self.controls.items() if c.pair is not None}

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
        form = QFormLayout()
        form.setVerticalSpacing(4)  # compact, like the data panel (room for CJK fonts)
        form.setLabelAlignment(Qt.AlignRight)
        form.addRow(self.op_label, self.op_combobox)
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addLayout(form)
        for control in self.controls.values():
            control.row = control.field()
            if control.label is not None:
                form.addRow(control.label, control.row)
            else:
                layout.addWidget(control.row)
        layout.addWidget(self.error_label)

        self.op_combobox.currentIndexChanged.connect(self._on_op_changed)
        for name, control in self.controls.items():
            for widget in control.widgets():
                signal = _value_signal(widget)
                if signal is not None:
                    signal.connect(lambda *_a, n=name: self._on_param_changed(n))
            if control.pair is not None:
                for box in (control.pair.h_spinbox, control.pair.w_spinbox):
                    box.valueChanged.connect(lambda _v, n=name: self._on_param_changed(n))
            for button, value in control.shortcut_buttons:
                button.clicked.connect(
                    lambda _=False, n=name, v=value: self.state.set_params(**{n: v})
                )
        state.sigDataChanged.connect(self._on_state_changed)
        state.sigError.connect(self._on_error)
        self.retranslate_ui()
        self._on_state_changed()

    # Kept for tests and callers that name the old attributes.
    def __getattr__(self, name: str) -> Any:
        for suffix, attr in (("_checkbox", "checkbox"), ("_combobox", "combobox")):
            if name.endswith(suffix):
                control = self.__dict__.get("controls", {}).get(name[: -len(suffix)])
                if control is not None and getattr(control, attr) is not None:
                    return getattr(control, attr)
        if name.endswith("_spinbox"):
            control = self.__dict__.get("controls", {}).get(name[: -len("_spinbox")])
            if control is not None and control.spinbox is not None:
                return control.spinbox
        raise AttributeError(name)

    def retranslate_ui(self) -> None:
        self.setTitle(tr("Operation and parameters"))
        for i, spec in enumerate(OPS.values()):
            self.op_combobox.setItemText(i, tr(spec.label))
        keys = ", ".join(str(k) for k in range(1, min(len(OPS), 9) + 1))
        self.op_combobox.setToolTip(
            tr("What the sliding window computes (keys {keys})").format(keys=keys)
        )
        self.op_label.setText(tr("Operation"))
        for control in self.controls.values():
            control.retranslate()
        self._on_error()

    # ---- user → state -----------------------------------------------------------------------
    def _on_op_changed(self, index: int) -> None:
        self.state.set_op(self.op_combobox.itemData(index))

    def _on_param_changed(self, name: str) -> None:
        control = self.controls[name]
        if control.spinbox is not None and control.checkbox is not None:
            control.spinbox.setEnabled(control.checkbox.isChecked())
        self.state.set_params(**{name: control.value()})

    # ---- state → controls (signals blocked) -------------------------------------------------
    def _on_state_changed(self) -> None:
        st, p = self.state, self.state.params
        spec = st.spec
        with QSignalBlocker(self.op_combobox):
            self.op_combobox.setCurrentIndex(list(OPS).index(st.op))
        for name, control in self.controls.items():
            if name in p:
                control.set_value(p[name])
            control.set_enabled(spec.has_param(name))

    def _on_error(self, _message: str = "") -> None:
        # The state's error, not the signal's English text: said in the current language.
        error = self.state.error
        self.error_label.setText(f"⚠ {translate_message(error)}" if error else "")
        self.error_label.setVisible(error is not None)


def _set_value(box: QSpinBox | QDoubleSpinBox, value: float) -> None:
    """``box`` shows ``value``; left alone when it does: setting the value it has repaints
    the box all the same (every shown parameter's box on each edit of one of them)."""
    if box.value() != value:
        box.setValue(value)


def _value_signal(widget: QWidget) -> Any:
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, (QSpinBox, QDoubleSpinBox)):
        return widget.valueChanged
    return None

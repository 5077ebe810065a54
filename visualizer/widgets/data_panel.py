"""Input, kernel and upstream-gradient controls: size, channels, fills, random, images."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QWidget,
)

from visualizer.data import PATTERNS, RANDOM_KINDS, ImageInfo, RandomSpec, read_image
from visualizer.i18n import tr, translate_message
from visualizer.limits import EDIT_MAX_CHANNELS, EDIT_MAX_SIDE
from visualizer.resources import sample_images
from visualizer.state import AppState
from visualizer.ui import Retranslatable


class RandomizeDialog(Retranslatable, QDialog):
    """Choose how to randomize: integers in a range, uniform or normal floats, and a seed."""

    def __init__(self, spec: RandomSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind_combobox = QComboBox()
        self.kind_combobox.setObjectName("random_kind_combobox")
        for key in RANDOM_KINDS:
            self.kind_combobox.addItem("", key)
        self.kind_combobox.setCurrentIndex(list(RANDOM_KINDS).index(spec.kind))
        self.low_spinbox = QDoubleSpinBox()
        self.high_spinbox = QDoubleSpinBox()
        for box, value in ((self.low_spinbox, spec.low), (self.high_spinbox, spec.high)):
            box.setRange(-1e6, 1e6)
            box.setDecimals(2)
            box.setValue(value)
        self.seed_spinbox = QSpinBox()
        self.seed_spinbox.setObjectName("seed_spinbox")
        self.seed_spinbox.setRange(0, 2**31 - 1)
        self.seed_spinbox.setValue(spec.seed)
        self.kind_label = QLabel()
        self.low_label = QLabel()
        self.high_label = QLabel()
        self.seed_label = QLabel()
        form = QFormLayout(self)
        form.addRow(self.kind_label, self.kind_combobox)
        form.addRow(self.low_label, self.low_spinbox)
        form.addRow(self.high_label, self.high_spinbox)
        form.addRow(self.seed_label, self.seed_spinbox)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.kind_combobox.currentIndexChanged.connect(self._on_kind_changed)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.setWindowTitle(tr("Randomize"))
        for i, label in enumerate(RANDOM_KINDS.values()):
            self.kind_combobox.setItemText(i, tr(label))
        self.kind_combobox.setToolTip(tr("Integers in a range, uniform floats, or normal floats"))
        self.low_spinbox.setToolTip(tr("Smallest value (normal: the mean)"))
        self.high_spinbox.setToolTip(tr("Largest value (normal: the standard deviation)"))
        self.seed_spinbox.setToolTip(
            tr("The same seed gives the same numbers: a demo can be repeated")
        )
        self.kind_label.setText(tr("Kind"))
        self.seed_label.setText(tr("Seed"))
        self._on_kind_changed()

    def _on_kind_changed(self, *_args: object) -> None:
        normal = self.kind_combobox.currentData() == "normal"
        self.low_label.setText(tr("Mean") if normal else tr("Low"))
        self.high_label.setText(tr("Std. dev.") if normal else tr("High"))

    def spec(self) -> RandomSpec:
        return RandomSpec(
            self.kind_combobox.currentData(),
            self.low_spinbox.value(),
            self.high_spinbox.value(),
            self.seed_spinbox.value(),
        )


class DataPanel(Retranslatable, QGroupBox):
    """Controls that change the matrices; every one calls a state setter."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.random_spec = RandomSpec("int", 0, 9, 1)

        self.rows_spinbox = QSpinBox()
        self.rows_spinbox.setObjectName("rows_spinbox")
        self.cols_spinbox = QSpinBox()
        self.cols_spinbox.setObjectName("cols_spinbox")
        for box in (self.rows_spinbox, self.cols_spinbox):
            box.setRange(1, EDIT_MAX_SIDE)
            box.setKeyboardTracking(False)
        self.batch_spinbox = QSpinBox()
        self.batch_spinbox.setObjectName("batch_spinbox")
        self.channels_spinbox = QSpinBox()
        self.channels_spinbox.setObjectName("channels_spinbox")
        self.out_channels_spinbox = QSpinBox()
        self.out_channels_spinbox.setObjectName("out_channels_spinbox")
        for box in (self.batch_spinbox, self.channels_spinbox, self.out_channels_spinbox):
            box.setRange(1, EDIT_MAX_CHANNELS)
            box.setKeyboardTracking(False)
        self.show_n_spinbox = QSpinBox()
        self.show_n_spinbox.setObjectName("show_n_spinbox")
        self.show_c_spinbox = QSpinBox()
        self.show_c_spinbox.setObjectName("show_c_spinbox")
        self.show_cin_spinbox = QSpinBox()
        self.show_cin_spinbox.setObjectName("show_cin_spinbox")
        # The output channel Y, dY and dW show, beside the count of them: "Show n / c / c_in"
        # has it too (its c), but nothing there says that c is the output channel.
        self.out_channel_spinbox = QSpinBox()
        self.out_channel_spinbox.setObjectName("out_channel_spinbox")
        self.out_channel_spinbox.setPrefix("o = ")  # the index the titles write: Y[o=1]
        self.out_channel_spinbox.setKeyboardTracking(False)

        self.fill_combobox = QComboBox()
        self.fill_combobox.setObjectName("fill_combobox")
        for key in PATTERNS:
            self.fill_combobox.addItem("", key)
        self.fill_button = QPushButton()
        self.fill_button.setObjectName("fillInput")
        self.fill_kernel_button = QPushButton()
        self.fill_kernel_button.setObjectName("fillKernel")
        self.randomize_button = QPushButton()
        self.randomize_button.setObjectName("randomizeInput")
        self.quick_random_button = QPushButton()
        self.quick_random_button.setObjectName("quickRandomInput")
        self.randomize_kernel_button = QPushButton()
        self.randomize_kernel_button.setObjectName("randomizeKernel")
        self.image_button = QPushButton()
        self.image_button.setObjectName("loadImage")
        self.rgb_checkbox = QCheckBox()
        self.rgb_checkbox.setObjectName("rgb_checkbox")
        self.sample_combobox = QComboBox()
        self.sample_combobox.setObjectName("sample_combobox")
        self.sample_combobox.addItem("", None)
        for path in sample_images():
            # File names: the same in every language.
            self.sample_combobox.addItem(path.stem.replace("_", " "), str(path))
        self.dy_ones_button = QPushButton()
        self.dy_ones_button.setObjectName("gradOnes")
        self.dy_random_button = QPushButton()
        self.dy_random_button.setObjectName("gradRandom")
        self.seed_label = QLabel("")
        self.seed_label.setObjectName("seedLabel")
        self.seed: int | None = None  # the seed of the last randomize, shown in seed_label
        self.image_info: ImageInfo | None = None  # what the last image loaded held

        self.size_label = QLabel()
        self.shape_label = QLabel()
        self.out_channels_label = QLabel()
        self.show_label = QLabel()
        grid = QGridLayout(self)
        # Tight rows: with a CJK font every row grows a few pixels, and at 1366×768 the side
        # panel should still show the output size below without scrolling.
        grid.setVerticalSpacing(3)
        grid.addWidget(self.size_label, 0, 0)
        size_row = QHBoxLayout()
        size_row.addWidget(self.rows_spinbox)
        size_row.addWidget(QLabel("×"))
        size_row.addWidget(self.cols_spinbox)
        grid.addLayout(size_row, 0, 1, 1, 2)
        grid.addWidget(self.shape_label, 1, 0)
        grid.addWidget(self.batch_spinbox, 1, 1)
        grid.addWidget(self.channels_spinbox, 1, 2)
        grid.addWidget(self.out_channels_label, 2, 0)
        grid.addWidget(self.out_channels_spinbox, 2, 1)
        grid.addWidget(self.out_channel_spinbox, 2, 2)
        grid.addWidget(self.show_label, 3, 0)
        show_row = QHBoxLayout()
        for box in (self.show_n_spinbox, self.show_c_spinbox, self.show_cin_spinbox):
            show_row.addWidget(box)
        grid.addLayout(show_row, 3, 1, 1, 2)
        grid.addWidget(self.fill_combobox, 4, 0)
        grid.addWidget(self.fill_button, 4, 1)
        grid.addWidget(self.fill_kernel_button, 4, 2)
        grid.addWidget(self.randomize_button, 5, 0)
        grid.addWidget(self.quick_random_button, 5, 1)
        grid.addWidget(self.randomize_kernel_button, 5, 2)
        grid.addWidget(self.image_button, 6, 0)
        grid.addWidget(self.sample_combobox, 6, 1, 1, 2)
        grid.addWidget(self.rgb_checkbox, 7, 0)
        grid.addWidget(self.dy_ones_button, 8, 0)
        grid.addWidget(self.dy_random_button, 8, 1)
        grid.addWidget(self.seed_label, 8, 2)
        for col in range(3):
            grid.setColumnStretch(col, 1)

        self.rows_spinbox.valueChanged.connect(self._on_size_changed)
        self.cols_spinbox.valueChanged.connect(self._on_size_changed)
        self.batch_spinbox.valueChanged.connect(self._on_shape_changed)
        self.channels_spinbox.valueChanged.connect(self._on_shape_changed)
        self.out_channels_spinbox.valueChanged.connect(self._on_out_channels_changed)
        for box in (self.show_n_spinbox, self.show_c_spinbox, self.show_cin_spinbox):
            box.valueChanged.connect(self._on_plane_changed)
        self.out_channel_spinbox.valueChanged.connect(self._on_out_channel_chosen)
        self.fill_button.clicked.connect(self._on_fill_clicked)
        self.fill_kernel_button.clicked.connect(self._on_fill_kernel_clicked)
        self.randomize_button.clicked.connect(self.open_randomize_dialog)
        self.quick_random_button.clicked.connect(self._on_quick_random_clicked)
        self.randomize_kernel_button.clicked.connect(self._on_randomize_kernel_clicked)
        self.image_button.clicked.connect(self._on_load_image_clicked)
        self.sample_combobox.activated.connect(self._on_sample_chosen)
        self.dy_ones_button.clicked.connect(lambda: self.state.fill_grad_output("ones"))
        self.dy_random_button.clicked.connect(self._on_dy_random_clicked)
        state.sigDataChanged.connect(self._on_state_changed)
        self.retranslate_ui()
        self._on_state_changed()

    def retranslate_ui(self) -> None:
        self.setTitle(tr("Data"))
        tip = tr("Input rows × columns (1 to {limit}; load an image for more)")
        for box in (self.rows_spinbox, self.cols_spinbox):
            box.setToolTip(tip.format(limit=EDIT_MAX_SIDE))
        self.out_channels_spinbox.setToolTip(tr("Convolution output channels (kernels)"))
        self.batch_spinbox.setToolTip(tr("Batch size N: how many inputs are pooled at once"))
        self.channels_spinbox.setToolTip(tr("Channels C of each input (pooling works per channel)"))
        self.show_n_spinbox.setToolTip(tr("Batch item shown"))
        self.show_c_spinbox.setToolTip(tr("Channel shown (for convolution: output channel)"))
        self.show_cin_spinbox.setToolTip(tr("Convolution: input channel whose slice is shown"))
        self.out_channel_spinbox.setToolTip(
            tr("Output channel o that Y, dY and dW show and the steps go through (keys O, Shift+O)")
        )
        for i, label in enumerate(PATTERNS.values()):
            self.fill_combobox.setItemText(i, tr(label))
        self.fill_combobox.setToolTip(tr("Pattern used by Fill X and Fill W"))
        self.fill_button.setText(tr("Fill X"))
        self.fill_button.setToolTip(tr("Fill the shown input plane with the chosen pattern"))
        self.fill_kernel_button.setText(tr("Fill W"))
        self.fill_kernel_button.setToolTip(
            tr("Convolution: fill the shown kernel with the pattern")
        )
        self.randomize_button.setText(tr("Randomize X…"))
        self.randomize_button.setToolTip(tr("Random input with a repeatable seed (Ctrl+R)"))
        self.quick_random_button.setText(tr("Random 0–9"))
        self.quick_random_button.setToolTip(tr("Random integers 0..9 with the next seed"))
        self.randomize_kernel_button.setText(tr("Randomize W…"))
        self.randomize_kernel_button.setToolTip(
            tr("Convolution: random kernel weights with a seed")
        )
        self.image_button.setText(tr("Load image…"))
        self.image_button.setToolTip(
            tr("Use a PNG or JPEG as the input (grayscale, or RGB channels)")
        )
        self.rgb_checkbox.setText(tr("RGB channels"))
        self.rgb_checkbox.setToolTip(tr("Load images as 3 channels (R, G, B) instead of grayscale"))
        self.sample_combobox.setItemText(0, tr("Sample image…"))
        self.sample_combobox.setToolTip(tr("Use one of the bundled sample images as the input"))
        self.dy_ones_button.setToolTip(
            tr("Upstream gradient dY = 1 everywhere: dX then counts how often each input is used")
        )
        # Said, as "dY random" beside it (it stayed English next to "dY 随机").
        self.dy_ones_button.setText(tr("dY = ones"))
        self.dy_random_button.setText(tr("dY random"))
        self.dy_random_button.setToolTip(tr("Random integer upstream gradient dY (next seed)"))
        self.size_label.setText(tr("Size H × W"))
        self.shape_label.setText(tr("Batch / channels"))
        self.out_channels_label.setText(tr("Out channels"))
        self.show_label.setText(tr("Show n / c / c_in"))
        self._show_seed()

    def _show_seed(self) -> None:
        text = "" if self.seed is None else tr("seed {seed}").format(seed=self.seed)
        self.seed_label.setText(text)

    # ---- user → state -----------------------------------------------------------------------
    def _on_size_changed(self, *_args: object) -> None:
        self.state.resize_input(self.rows_spinbox.value(), self.cols_spinbox.value())

    def _on_shape_changed(self, *_args: object) -> None:
        self.state.set_shape(self.batch_spinbox.value(), self.channels_spinbox.value())

    def _on_out_channels_changed(self, value: int) -> None:
        self.state.set_out_channels(value)

    def _on_plane_changed(self, *_args: object) -> None:
        self.state.select_plane(
            self.show_n_spinbox.value(), self.show_c_spinbox.value(), self.show_cin_spinbox.value()
        )

    def _on_out_channel_chosen(self, value: int) -> None:
        self.state.select_out_channel(value)

    def _on_fill_clicked(self) -> None:
        self.state.fill_input(self.fill_combobox.currentData())

    def _on_fill_kernel_clicked(self) -> None:
        self.state.fill_kernel(self.fill_combobox.currentData())

    def open_randomize_dialog(self) -> None:
        dialog = RandomizeDialog(self.random_spec, self)
        if dialog.exec() == QDialog.Accepted:
            self.random_spec = dialog.spec()
            self.state.randomize_input(self.random_spec)
            self.seed = self.random_spec.seed
            self._show_seed()

    def _on_quick_random_clicked(self) -> None:
        self.random_spec = RandomSpec("int", 0, 9, self.random_spec.seed + 1)
        self.state.randomize_input(self.random_spec)
        self.seed = self.random_spec.seed
        self._show_seed()

    def _on_randomize_kernel_clicked(self) -> None:
        dialog = RandomizeDialog(RandomSpec("int", -2, 2, self.random_spec.seed), self)
        if dialog.exec() == QDialog.Accepted:
            self.state.randomize_kernel(dialog.spec())

    def _on_load_image_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, tr("Load image"), "", tr("Images (*.png *.jpg *.jpeg *.bmp *.gif *.tif *.tiff)")
        )
        if path:
            self.load_image_file(path)

    def _on_sample_chosen(self, index: int) -> None:
        path = self.sample_combobox.itemData(index)
        if path:
            self.load_image_file(path)
        with QSignalBlocker(self.sample_combobox):
            self.sample_combobox.setCurrentIndex(0)

    def load_image_file(self, path: str) -> bool:
        """Use the image at ``path`` as the input; the status line says its depth, size and
        values (kept as stored, see :func:`visualizer.data.read_image`), or why it was refused."""
        try:
            image, info = read_image(path, per_channel=self.rgb_checkbox.isChecked())
        except ValueError as exc:
            self.state.report_error(exc)
            return False
        if not self.state.set_input(image):
            return False
        self.image_info = info
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(translate_message(info.describe()), 15000)
        return True

    def _on_dy_random_clicked(self) -> None:
        self.state.fill_grad_output("random", self.state.dy_seed + 1)

    # ---- state → controls -------------------------------------------------------------------
    def _on_state_changed(self) -> None:
        st = self.state
        n, c, h, w = st.x.shape
        conv = st.spec.has_weight
        channels = st.snapshot().out_channels if conv else c
        # The ranges before the values: a value past the old maximum (a session opened with
        # output channel 4 of 6 after one of 2 channels) was clamped to it and shown so.
        for box, top in (
            (self.show_n_spinbox, n - 1),
            (self.show_c_spinbox, channels - 1),
            (self.show_cin_spinbox, c - 1),
            (self.out_channel_spinbox, st.out_channel_count - 1),
        ):
            with QSignalBlocker(box):
                _set_maximum(box, top)
        boxes = {
            self.rows_spinbox: h,
            self.cols_spinbox: w,
            self.batch_spinbox: n,
            self.channels_spinbox: c,
            self.out_channels_spinbox: st.snapshot().out_channels,
            self.show_n_spinbox: st.plane[0],
            self.show_c_spinbox: st.plane[1],
            self.show_cin_spinbox: st.in_channel,
            self.out_channel_spinbox: st.out_channel,
        }
        for box, value in boxes.items():
            with QSignalBlocker(box):
                # A loaded value beyond the boxes' own limit is shown exactly (never clamped
                # and then stored clamped by an unrelated edit); the box reaches up to it.
                if box in (self.rows_spinbox, self.cols_spinbox):
                    _set_maximum(box, max(EDIT_MAX_SIDE, value))
                elif box in (self.batch_spinbox, self.channels_spinbox, self.out_channels_spinbox):
                    _set_maximum(box, max(EDIT_MAX_CHANNELS, value))
                if box.value() != value:  # the same value repaints the box all the same
                    box.setValue(value)
        self.out_channels_spinbox.setEnabled(conv)
        self.out_channels_label.setEnabled(conv)
        self.show_cin_spinbox.setEnabled(conv)
        self.out_channel_spinbox.setEnabled(conv and st.out_channel_count > 1)
        self.fill_kernel_button.setEnabled(conv)
        self.randomize_kernel_button.setEnabled(conv)


def _set_maximum(box: QSpinBox, top: int) -> None:
    """``box``'s maximum, left alone when it already is ``top``: setting it, even to the
    same value, resets the box's text and size hint, and the box, its line edit and the
    panel's layout were redone and repainted on every edit (every spin box of the panel on
    each parameter change)."""
    if box.maximum() != top:
        box.setMaximum(top)

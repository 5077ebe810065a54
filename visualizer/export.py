"""Export: the window, the matrices panel or one matrix as PNG / SVG, the stepping as an
animated GIF, and the matrices as CSV or .npy files.

The functions at the top take the state and a widget and do no dialogs, so the command line
(``--export-gif``) and the tests call them directly; :class:`Exporter` adds the File ▸ Export
menu, a toolbar button, file dialogs and a cancellable progress dialog.
"""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QT_TR_NOOP, QEventLoop, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction, QIcon, QImage, QImageWriter, QKeySequence, QPainter
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QToolButton,
    QWidget,
)

from visualizer.i18n import set_action_text, tr, translate_message
from visualizer.limits import GIF_MAX_PIXELS
from visualizer.resources import asset
from visualizer.safe_io import UnreadableFileError, check_write_target, write_atomically
from visualizer.state import AppState

if TYPE_CHECKING:
    from PIL import Image

GIF_PHASES = ("forward", "backward", "both")
MIN_GIF_DELAY, MAX_GIF_DELAY = 20, 60_000  # ms; browsers slow down anything under 20 ms
MAX_GIF_FRAMES = 500  # every frame is kept in memory until the GIF is written
# ... and so is every pixel: frames × width × height is bounded too (one byte per pixel in a
# palette frame, about twice that while Pillow writes the file): 2**28 pixels ≈ 256 MB, e.g.
# 255 frames of a 1366×768 window or 500 frames of 730×730.
MAX_GIF_PIXELS = GIF_MAX_PIXELS
IMAGE_FILTER = QT_TR_NOOP("PNG image (*.png);;SVG vector image (*.svg)")

# The views a single-matrix export can pick: key → (attribute of ViewsPanel, label).
MATRIX_VIEWS = {
    "input": ("input_view", QT_TR_NOOP("Input X")),
    "kernel": ("kernel_view", QT_TR_NOOP("Kernel W")),
    "output": ("output_view", QT_TR_NOOP("Output Y")),
    "mask": ("mask_view", QT_TR_NOOP("Argmax mask")),
    "dY": ("grad_output_view", QT_TR_NOOP("Upstream gradient dY")),
    "dX": ("grad_input_view", QT_TR_NOOP("Input gradient dX")),
    "dW": ("grad_weight_view", QT_TR_NOOP("Kernel gradient dW")),
}
# What a GIF records: the lecture layout (matrices, step counter and arithmetic, as the room
# sees them), the matrices panel, the whole window, or one matrix (MATRIX_VIEWS).
GIF_SOURCES = {
    "lecture": QT_TR_NOOP("Lecture view (matrices, counter, arithmetic)"),
    "panel": QT_TR_NOOP("All matrices"),
    "window": QT_TR_NOOP("Whole window"),
}
# Window sizes a lecture GIF can be recorded at (None: the window's own size).
GIF_SIZES: dict[str, tuple[int, int] | None] = {
    "window": None,
    "1024x768": (1024, 768),
    "1366x768": (1366, 768),
    "1920x1080": (1920, 1080),
}
GIF_PHASE_LABELS = {
    "both": QT_TR_NOOP("Forward, then backward"),
    "forward": QT_TR_NOOP("Forward only"),
    "backward": QT_TR_NOOP("Backward only"),
}

ProgressCallback = Callable[[int, int], bool]  # (frames done, total) → False to cancel


# ---- images --------------------------------------------------------------------------------------


def raster_formats() -> set[str]:
    """Raster formats Qt can write here (png, bmp, jpg, …), lower case."""
    return {bytes(f).decode().lower() for f in QImageWriter.supportedImageFormats()}


def image_format(path: str | os.PathLike[str]) -> str:
    """The image format a file name asks for: ``"svg"``, or a raster format Qt writes
    (``"png"``, ``"bmp"``, ``"jpg"``, …); a name without a suffix means PNG.

    Raises
    ------
    ValueError
        For a suffix no format is written for (the file would hold something else).
    """
    suffix = Path(path).suffix.lower().lstrip(".")
    if not suffix:
        return "png"
    if suffix == "svg" or suffix in raster_formats():
        return suffix
    message = tr("{file}: images are not exported as .{suffix}; use .png or .svg")
    raise ValueError(message.format(file=Path(path).name, suffix=suffix))


def save_png(widget: QWidget, path: str | os.PathLike[str], fmt: str = "png") -> None:
    """The widget as it looks on screen, as PNG (or the raster format ``fmt``), written
    atomically (raises OSError when it cannot be written, ValueError for a refused target)."""
    pixmap = widget.grab()

    def write(tmp: str) -> None:
        if not pixmap.save(tmp, fmt.upper()):
            raise OSError(tr("could not write {file}").format(file=path))

    write_atomically(path, write)


def save_svg(widget: QWidget, path: str | os.PathLike[str], title: str = "") -> None:
    """The widget drawn into an SVG file (text and cells stay vectors), written atomically."""
    size = widget.size()

    def write(tmp: str) -> None:
        generator = QSvgGenerator()
        generator.setFileName(tmp)
        generator.setSize(size)
        generator.setViewBox(QRect(0, 0, size.width(), size.height()))
        generator.setTitle(title or "Pooling Visualizer")
        generator.setDescription("Exported from Pooling Visualizer")
        painter = QPainter()
        if not painter.begin(generator):
            raise OSError(tr("could not write {file}").format(file=path))
        try:
            widget.render(painter, QPoint())
        finally:
            painter.end()

    write_atomically(path, write)


def save_image(widget: QWidget, path: str | os.PathLike[str], title: str = "") -> None:
    """An image in the format the file's suffix names (:func:`image_format`): ``.svg`` → SVG,
    ``.png`` (or no suffix) → PNG, ``.bmp``/``.jpg``/… → that raster format; another suffix is
    refused (ValueError) rather than filled with PNG data."""
    fmt = image_format(path)
    if fmt == "svg":
        save_svg(widget, path, title)
    else:
        save_png(widget, path, fmt)


def stack_area(window: Any) -> QWidget | None:
    """Stack mode's level views with its step counter and step text, while Stack mode is open
    (the single-operation views are hidden then); None otherwise."""
    panel = getattr(window, "stack_panel", None)
    if panel is None or not window.state.stack_state.is_open:
        return None
    return panel.record_area  # type: ignore[no-any-return]


def lecture_widget(window: Any) -> QWidget:
    """What the room sees: the matrices with the step counter and the arithmetic (in Stack
    mode its level views, counter and step text)."""
    area = stack_area(window)
    return window.lecture_area if area is None else area  # type: ignore[no-any-return]


def matrices_widget(window: Any) -> QWidget:
    """All matrices as shown: the usual views, compare mode's panels while it is on (the
    usual views are hidden then), or Stack mode's levels with its counter and step text."""
    area = stack_area(window)
    if area is not None:
        return area
    compare_view = getattr(window, "compare_view", None)
    if compare_view is not None and window.state.comparison is not None:
        return compare_view  # type: ignore[no-any-return]
    return window.views_panel  # type: ignore[no-any-return]


def matrix_widget(window: Any, key: str) -> QWidget:
    """The view of one matrix (see :data:`MATRIX_VIEWS`); ValueError if it is not shown."""
    if key not in MATRIX_VIEWS:
        raise ValueError(f"matrix ({key!r}) must be one of {', '.join(MATRIX_VIEWS)}")
    attr, label = MATRIX_VIEWS[key]
    if stack_area(window) is not None:
        message = tr("{matrix} is not shown alone in Stack mode: export all matrices")
        raise ValueError(message.format(matrix=tr(label)))
    if window.state.comparison is not None:
        message = tr("{matrix} is not shown alone in compare mode: export all matrices")
        raise ValueError(message.format(matrix=tr(label)))
    view = getattr(window.views_panel, attr)
    if view.isHidden():
        message = tr("{matrix} is not shown for {op} (nothing to export)")
        raise ValueError(message.format(matrix=tr(label), op=window.state.op))
    return view


# ---- GIF -----------------------------------------------------------------------------------------


def qimage_to_pil(image: QImage) -> Image.Image:
    """A QImage as an RGB Pillow image (copies the pixels)."""
    from PIL import Image  # Pillow only for a GIF (~20 ms of the first paint)

    rgba = image.convertToFormat(QImage.Format_RGBA8888)
    w, h = rgba.width(), rgba.height()
    data = bytes(rgba.constBits())[: rgba.bytesPerLine() * h]
    return Image.frombuffer("RGBA", (w, h), data, "raw", "RGBA", rgba.bytesPerLine(), 1).convert(
        "RGB"
    )


def gif_steps(state: AppState, phase: str) -> range:
    """Steps of ``phase``: forward = one per window, then backward = one per window again;
    in Stack mode the stack's steps (every layer's forward, then every layer's backward)."""
    if phase not in GIF_PHASES:
        raise ValueError(f"GIF phase ({phase!r}) must be one of {', '.join(GIF_PHASES)}")
    stack = state.stack_state
    if stack.is_open:
        f, n = stack.cursor.n_forward, stack.cursor.n_steps
        return {"forward": range(0, f), "backward": range(f, n), "both": range(0, n)}[phase]
    n = state.n_windows
    return {"forward": range(0, n), "backward": range(n, 2 * n), "both": range(0, 2 * n)}[phase]


def export_gif(
    state: AppState,
    source: QWidget,
    path: str | os.PathLike[str],
    delay_ms: int = 500,
    phase: str = "both",
    progress: ProgressCallback | None = None,
) -> int | None:
    """Step through ``phase``, grab ``source`` at every step and write an animated GIF.

    The step is put back afterwards.  The file appears only when complete: a cancelled
    (``progress`` returned False) or failed export leaves no file (and an existing file at
    ``path`` untouched).  GIF stores delays in hundredths of a second, so ``delay_ms`` is
    rounded to a multiple of 10.

    Returns
    -------
    int or None
        Frames written, or None when cancelled.

    Raises
    ------
    ValueError
        Bad delay or phase, more than :data:`MAX_GIF_FRAMES` steps or more than
        :data:`MAX_GIF_PIXELS` pixels in all the frames, a file name that does not end in
        ``.gif``, or a target that is a folder, a symbolic link or a special file.
    OSError
        The file cannot be written.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in ("", ".gif"):
        message = tr("{file}: an animation is exported as .gif, not {suffix}")
        raise ValueError(message.format(file=Path(path).name, suffix=suffix))
    if isinstance(delay_ms, bool) or not isinstance(delay_ms, int):
        message = tr("GIF delay ({delay}) must be a whole number of milliseconds")
        raise ValueError(message.format(delay=repr(delay_ms)))
    if not MIN_GIF_DELAY <= delay_ms <= MAX_GIF_DELAY:
        message = tr("GIF delay ({delay} ms) must be between {low} and {high} ms")
        raise ValueError(message.format(delay=delay_ms, low=MIN_GIF_DELAY, high=MAX_GIF_DELAY))
    steps = gif_steps(state, phase)
    stack = state.stack_state if state.stack_state.is_open else None
    if len(steps) > MAX_GIF_FRAMES and stack is not None:
        message = tr(
            "this stepping has {frames} frames; a GIF can hold at most {limit} (step the "
            "stack by layer, or export one phase)"
        )
        raise ValueError(message.format(frames=len(steps), limit=MAX_GIF_FRAMES))
    if len(steps) > MAX_GIF_FRAMES:
        message = tr(
            "this stepping has {frames} frames; a GIF can hold at most {limit} "
            "(export one phase, or use a smaller input or a larger stride)"
        )
        raise ValueError(message.format(frames=len(steps), limit=MAX_GIF_FRAMES))
    ratio = source.devicePixelRatioF()
    width = math.ceil(source.width() * ratio)
    height = math.ceil(source.height() * ratio)
    if len(steps) * width * height > MAX_GIF_PIXELS:
        message = tr(
            "{frames} frames of {width}×{height} pixels are more than a GIF export may hold "
            "({limit} million pixels in all); export one phase or one matrix, or make the "
            "window smaller"
        )
        raise ValueError(
            message.format(
                frames=len(steps), width=width, height=height, limit=MAX_GIF_PIXELS // 10**6
            )
        )
    path = check_write_target(path)  # fail before recording every frame
    from PIL import Image  # Pillow only for a GIF (~20 ms of the first paint)

    # The stepping recorded: the single operation's, or the stack's.
    stepper: Any = state if stack is None else stack
    original = stepper.step
    state.set_hover(None)  # a hovered cell would be outlined in every frame
    if stack is not None and stack.focus is not None and stack.focus[0] == "projective":
        stack.set_focus(None)  # likewise a hovered level cell's projective field
    frames = []
    try:
        for i, step in enumerate(steps):
            if progress is not None and not progress(i, len(steps)):
                return None
            stepper.set_step(step)
            # Twice: a phase switch in the lecture layout changes the views, whose new sizes
            # are laid out by events the first pass posts.
            QApplication.processEvents(QEventLoop.ExcludeUserInputEvents)
            QApplication.processEvents(QEventLoop.ExcludeUserInputEvents)
            # Palette images: a third of the memory of RGB, and what the GIF stores anyway.
            frame = qimage_to_pil(source.grab().toImage())
            frames.append(frame.convert("P", palette=Image.Palette.ADAPTIVE))
        if progress is not None and not progress(len(steps), len(steps)):
            return None
    finally:
        stepper.set_step(original)
    write_atomically(
        path,
        lambda tmp: frames[0].save(
            tmp, format="GIF", save_all=True, append_images=frames[1:], duration=delay_ms, loop=0
        ),
    )
    return len(frames)


def export_lecture_gif(
    window: Any,
    path: str | os.PathLike[str],
    delay_ms: int = 500,
    phase: str = "both",
    progress: ProgressCallback | None = None,
    size: tuple[int, int] | None = None,
) -> int | None:
    """A GIF of what the room sees: the window in presentation mode (the lecture layout:
    the phase's matrices, the step counter and the arithmetic line), at its own size or at
    ``size`` (width, height) for the recording; presentation mode and the size are put back
    afterwards.  Returns and raises as :func:`export_gif`."""
    presentation = getattr(window, "presentation", None)
    was_presenting = presentation is None or presentation.presenting
    old_size = window.size()
    resize = size is not None and not (window.isFullScreen() or window.isMaximized())
    try:
        if resize:
            window.resize(*size)
        if not was_presenting:
            presentation.set_presentation(True, save=False)
        for _ in range(3):
            QApplication.processEvents(QEventLoop.ExcludeUserInputEvents)
        return export_gif(window.state, lecture_widget(window), path, delay_ms, phase, progress)
    finally:
        if not was_presenting:
            presentation.set_presentation(False, save=False)
        if resize:
            window.resize(old_size)


# ---- CSV and NumPy -------------------------------------------------------------------------------


def matrices(state: AppState) -> dict[str, np.ndarray]:
    """Every array of the current computation, full 4-D (all batches and channels).

    Keys: X, W (conv), Y, dY, dX, mask (max: windows won per input cell), dW, db (conv).
    """
    r = state.results
    out = {"X": state.x}
    if state.spec.has_weight:
        out["W"] = state.weight
    out.update({"Y": r.output, "dY": r.grad_output, "dX": r.grad_input})
    if r.mask_counts is not None:
        out["mask"] = r.mask_counts
    if r.grad_weight is not None:
        out["dW"] = r.grad_weight
    if r.grad_bias is not None:
        out["db"] = r.grad_bias
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def _base(path: str | os.PathLike[str], suffix: str) -> Path:
    """The name the files are named after: ``path`` without ``suffix``.

    Raises
    ------
    ValueError
        ``path`` is a folder, or ends in another suffix (``x.bmp`` for CSV files).
    OSError
        Its folder does not exist.
    """
    p = Path(path)
    if not str(path) or p.name in ("", ".", ".."):
        raise ValueError(tr("no file name given"))
    if p.is_dir():
        raise UnreadableFileError(p, tr("it is a folder; choose a file name"))
    if p.suffix and p.suffix.lower() != suffix:
        message = tr("{file}: these files are written as {suffix}, not {other}")
        raise ValueError(message.format(file=p.name, suffix=suffix, other=p.suffix))
    if not p.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, tr("no such folder"), str(p.parent))
    return p.with_suffix("") if p.suffix else p


def _write_all(files: list[tuple[Path, Callable[[str], None]]]) -> list[Path]:
    """Write each (target, writer) atomically, after checking every target first, so a refused
    one (a folder, link or device with that name) stops the export before anything is written."""
    for target, _write in files:
        check_write_target(target)
    for target, write in files:
        write_atomically(target, write)
    return [target for target, _write in files]


def export_csv(state: AppState, path: str | os.PathLike[str]) -> list[Path]:
    """One CSV per 2-D plane: ``<stem>_<name>_n<n>_c<c>.csv`` (for W and dW ``_o<out>_i<in>``;
    db is one row).  A ``#`` header line says what the file holds; ``np.loadtxt`` skips it.
    Numbers are written with 17 significant digits, so reading them back is exact.  Each file
    is written atomically; ``path`` must end in ``.csv`` (or have no suffix).
    """
    base = _base(path, ".csv")
    files: list[tuple[Path, Callable[[str], None]]] = []

    def saver(data: np.ndarray, header: str) -> Callable[[str], None]:
        return lambda tmp: np.savetxt(tmp, data, fmt="%.17g", delimiter=",", header=header)

    for name, arr in matrices(state).items():
        if arr.ndim == 1:
            target = base.parent / f"{base.name}_{name}.csv"
            files.append((target, saver(arr[None], f"{name} {arr.shape}")))
            continue
        a, b = ("o", "i") if name in ("W", "dW") else ("n", "c")
        for i in range(arr.shape[0]):
            for j in range(arr.shape[1]):
                target = base.parent / f"{base.name}_{name}_{a}{i}_{b}{j}.csv"
                header = f"{name}[{i}, {j}] ({arr.shape[2]}x{arr.shape[3]}), op={state.op}"
                files.append((target, saver(arr[i, j], header)))
    return _write_all(files)


def export_npy(state: AppState, path: str | os.PathLike[str]) -> list[Path]:
    """One ``.npy`` per array, ``<stem>_<name>.npy``, full 4-D; no pickles (load with
    ``np.load(file, allow_pickle=False)``).  Each file is written atomically; ``path`` must
    end in ``.npy`` (or have no suffix)."""
    base = _base(path, ".npy")

    def saver(data: np.ndarray) -> Callable[[str], None]:
        def write(tmp: str) -> None:
            with open(tmp, "wb") as fh:  # a file object: np.save would append ".npy" to a name
                np.save(fh, data, allow_pickle=False)

        return write

    files = [
        (base.parent / f"{base.name}_{name}.npy", saver(arr))
        for name, arr in matrices(state).items()
    ]
    return _write_all(files)


# ---- Qt: menu, dialogs, progress -----------------------------------------------------------------


class GifDialog(QDialog):
    """Frame delay, phase and what to record for the GIF export."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.setWindowTitle(tr("Export animation (GIF)"))
        self.source_combobox = QComboBox()
        self.source_combobox.setObjectName("gif_source_combobox")
        for key, label in GIF_SOURCES.items():
            self.source_combobox.addItem(tr(label), key)
        for key, (attr, label) in MATRIX_VIEWS.items():
            if not getattr(window.views_panel, attr).isHidden():
                self.source_combobox.addItem(tr(label), key)
        self.phase_combobox = QComboBox()
        self.phase_combobox.setObjectName("gif_phase_combobox")
        for key, label in GIF_PHASE_LABELS.items():
            self.phase_combobox.addItem(tr(label), key)
        self.delay_spinbox = QSpinBox()
        self.delay_spinbox.setObjectName("gif_delay_spinbox")
        self.delay_spinbox.setRange(MIN_GIF_DELAY, MAX_GIF_DELAY)
        self.delay_spinbox.setSingleStep(50)
        self.delay_spinbox.setValue(500)
        self.delay_spinbox.setSuffix(tr(" ms per step"))
        self.size_combobox = QComboBox()
        self.size_combobox.setObjectName("gif_size_combobox")
        for key, pixels in GIF_SIZES.items():
            label = tr("Window size") if pixels is None else f"{pixels[0]} × {pixels[1]}"
            self.size_combobox.addItem(label, key)
        self.source_combobox.currentIndexChanged.connect(
            lambda: self.size_combobox.setEnabled(self.source_combobox.currentData() == "lecture")
        )
        form = QFormLayout(self)
        # A modal dialog, built when opened: the language cannot change while it is shown.
        form.addRow(tr("Record"), self.source_combobox)
        form.addRow(tr("Steps"), self.phase_combobox)
        form.addRow(tr("Delay"), self.delay_spinbox)
        form.addRow(tr("Size"), self.size_combobox)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class Exporter:
    """File ▸ Export submenu, a toolbar button, and the dialogs around the functions above."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.state: AppState = window.state
        self.last_error = ""
        self.last_written: list[Path] = []
        self.progress_dialog: QProgressDialog | None = None
        menu = QMenu(window)
        menu.setObjectName("exportMenu")
        menu.setIcon(QIcon(str(asset("icons", "export.svg"))))
        self.menu = menu
        self.texts: dict[QAction, str] = {}  # action → English text, for retranslate_ui
        self.window_image_action = self._add(
            QT_TR_NOOP("Window image (PNG / SVG)…"),
            "Ctrl+E",
            lambda: self.export_image_dialog("window"),
        )
        self.panel_image_action = self._add(
            QT_TR_NOOP("Matrices image (PNG / SVG)…"),
            None,
            lambda: self.export_image_dialog("panel"),
        )
        self.matrix_menu = menu.addMenu("")
        self.matrix_menu.setObjectName("exportMatrixMenu")
        self.matrix_actions: dict[str, QAction] = {}
        for key in MATRIX_VIEWS:
            action = self.matrix_menu.addAction("")
            action.setObjectName(f"export_{key}_action")
            action.triggered.connect(lambda _=False, k=key: self.export_image_dialog(k))
            self.matrix_actions[key] = action
        self.matrix_menu.aboutToShow.connect(self._update_matrix_actions)
        menu.addSeparator()
        self.gif_action = self._add(
            QT_TR_NOOP("Animation (GIF)…"), "Ctrl+Shift+G", self.export_gif_dialog
        )
        menu.addSeparator()
        self.csv_action = self._add(QT_TR_NOOP("Matrices as CSV…"), None, self.export_csv_dialog)
        self.npy_action = self._add(
            QT_TR_NOOP("Matrices as NumPy .npy…"), None, self.export_npy_dialog
        )

        file_menu: QMenu = window.menus["file"]
        quit_action = next((a for a in file_menu.actions() if a.objectName() == "quitAction"), None)
        before = quit_action
        if quit_action is not None:
            actions = file_menu.actions()
            index = actions.index(quit_action)
            if index > 0 and actions[index - 1].isSeparator():
                before = actions[index - 1]
        file_menu.insertMenu(before, menu)

        self.tool_button = QToolButton()
        self.tool_button.setObjectName("exportToolButton")
        self.tool_button.setIcon(QIcon(str(asset("icons", "export.svg"))))
        self.tool_button.setMenu(menu)
        self.tool_button.setPopupMode(QToolButton.InstantPopup)
        self.tool_button.setIconSize(QSize(22, 22))
        window.toolbar.addWidget(self.tool_button)
        window.add_retranslate_hook(self.retranslate_ui)

    def retranslate_ui(self) -> None:
        self.menu.setTitle(tr("Export"))
        for action, text in self.texts.items():
            set_action_text(action, tr(text))
        self.matrix_menu.setTitle(tr("One matrix (PNG / SVG)"))
        for key, action in self.matrix_actions.items():
            action.setText(tr("{matrix}…").format(matrix=tr(MATRIX_VIEWS[key][1])))
        self.tool_button.setToolTip(tr("Export: images, GIF animation, CSV / NumPy"))

    def _add(self, text: str, shortcut: str | None, slot: Callable[[], None]) -> QAction:
        """An entry of the Export menu; ``text`` is English (translated in retranslate_ui)."""
        action = self.menu.addAction(text)
        action.setObjectName(
            "export_" + "".join(c for c in text.lower() if c.isalnum())[:20] + "_action"
        )
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            self.window.addAction(action)
        action.triggered.connect(slot)
        self.texts[action] = text
        return action

    def _update_matrix_actions(self) -> None:
        for key, action in self.matrix_actions.items():
            attr = MATRIX_VIEWS[key][0]
            shown = not getattr(self.window.views_panel, attr).isHidden()
            alone = self.state.comparison is None and stack_area(self.window) is None
            action.setEnabled(shown and alone)

    def source(self, key: str) -> QWidget:
        if key == "lecture":
            return lecture_widget(self.window)
        if key == "window":
            return self.window
        if key == "panel":
            return matrices_widget(self.window)
        return matrix_widget(self.window, key)

    def _error(self, text: str) -> None:
        self.last_error = text
        self.window.statusBar().showMessage(text, 8000)
        box = QMessageBox(
            QMessageBox.Warning, tr("Export failed"), text, QMessageBox.Ok, self.window
        )
        box.setObjectName("exportErrorBox")
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.open()

    def _done(self, paths: list[Path]) -> None:
        self.last_written = paths
        if len(paths) == 1:
            text = tr("Wrote {file}").format(file=paths[0])
        else:
            text = tr("Wrote {count} files in {folder}")
            text = text.format(count=len(paths), folder=paths[0].parent)
        self.window.statusBar().showMessage(text, 6000)

    # ---- images ----------------------------------------------------------------------------------
    def export_image(self, key: str, path: str | os.PathLike[str]) -> bool:
        self.last_error = ""
        try:
            widget = self.source(key)
            save_image(widget, path, f"Pooling Visualizer — {key}")
        except (ValueError, OSError) as exc:
            self._error(translate_message(exc))
            return False
        self._done([Path(path)])
        return True

    def export_image_dialog(self, key: str) -> None:
        name = {"window": "pooling", "panel": "matrices"}.get(key, key)
        path, chosen = QFileDialog.getSaveFileName(
            self.window, tr("Export image"), f"{name}.png", tr(IMAGE_FILTER)
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".svg" if "svg" in chosen.lower() else ".png"
        self.export_image(key, path)

    # ---- GIF -------------------------------------------------------------------------------------
    def export_gif(
        self, path: str | os.PathLike[str], source: str = "lecture", delay_ms: int = 500,
        phase: str = "both", size: str = "window",
    ) -> int | None:  # fmt: skip
        """GIF with a cancellable progress dialog; returns frames written or None.  The
        lecture view (``source`` "lecture") is recorded in presentation mode, at the window's
        size or the size ``size`` names (:data:`GIF_SIZES`)."""
        self.last_error = ""
        try:
            widget = self.source(source)
            total = len(gif_steps(self.state, phase))
        except ValueError as exc:
            self._error(translate_message(exc))
            return None
        step_bar = getattr(self.window, "step_bar", None)
        if step_bar is not None and step_bar.timer.isActive():
            step_bar.toggle_play()  # stop playback: it would fight the export over the step
        stack_panel = getattr(self.window, "stack_panel", None)
        if stack_panel is not None and stack_panel.play_timer.isActive():
            stack_panel.toggle_play()
        dialog = QProgressDialog(tr("Recording the steps…"), tr("Cancel"), 0, total, self.window)
        dialog.setObjectName("gifProgress")
        dialog.setWindowTitle(tr("Export animation"))
        dialog.setWindowModality(Qt.WindowModal)
        dialog.setMinimumDuration(300)
        self.progress_dialog = dialog

        def progress(done: int, _total: int) -> bool:
            dialog.setValue(done)
            return not dialog.wasCanceled()

        try:
            if source == "lecture":
                frames = export_lecture_gif(
                    self.window, path, delay_ms, phase, progress, GIF_SIZES.get(size)
                )
            else:
                frames = export_gif(self.state, widget, path, delay_ms, phase, progress)
        except (ValueError, OSError) as exc:
            self._error(translate_message(exc))
            frames = None
        finally:
            dialog.reset()
            dialog.deleteLater()
            self.progress_dialog = None
        if frames is None:
            if not self.last_error:
                self.window.statusBar().showMessage(tr("GIF export cancelled"), 4000)
            return None
        self._done([Path(path)])
        return frames

    def export_gif_dialog(self) -> None:
        options = GifDialog(self.window)
        if options.exec() != QDialog.Accepted:
            return
        path, _ = QFileDialog.getSaveFileName(
            self.window, tr("Export animation"), "pooling.gif", tr("GIF animation (*.gif)")
        )
        if not path:
            return
        if not Path(path).suffix:
            path += ".gif"
        self.export_gif(
            path,
            options.source_combobox.currentData(),
            options.delay_spinbox.value(),
            options.phase_combobox.currentData(),
            options.size_combobox.currentData(),
        )

    # ---- CSV / NPY -------------------------------------------------------------------------------
    def export_arrays(self, kind: str, path: str | os.PathLike[str]) -> list[Path]:
        self.last_error = ""
        try:
            paths = (export_csv if kind == "csv" else export_npy)(self.state, path)
        except OSError as exc:
            message = tr("could not write {file}: {reason}")
            self._error(message.format(file=path, reason=exc.strerror or exc))
            return []
        except ValueError as exc:  # a folder, link or device as the target; a wrong suffix
            self._error(translate_message(exc))
            return []
        self._done(paths)
        return paths

    def export_csv_dialog(self) -> None:
        self._export_arrays_dialog(
            "csv",
            tr("Export matrices as CSV (one file per plane, named after this one)"),
            tr("CSV (*.csv)"),
        )

    def export_npy_dialog(self) -> None:
        self._export_arrays_dialog(
            "npy",
            tr("Export matrices as NumPy (one .npy per array, named after this one)"),
            tr("NumPy array (*.npy)"),
        )

    def _export_arrays_dialog(self, kind: str, title: str, file_filter: str) -> None:
        """Ask where to write the matrices as ``kind`` files, then write them there."""
        path, _ = QFileDialog.getSaveFileName(self.window, title, f"pooling.{kind}", file_filter)
        if path:
            self.export_arrays(kind, path)


def install(window: QWidget) -> None:
    window.exporter = Exporter(window)  # type: ignore[attr-defined]

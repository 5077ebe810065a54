"""Application entry point: ``main(argv) -> int``.

Command line (also what makes the app scriptable and testable)::

    python main.py [FILE.json] [--image FILE [--rgb]]
                   [--op max|avg|conv] [--input-size HxW] [--kernel K|KhxKw] [--stride S|ShxSw]
                   [--padding P|PhxPw] [--dilation D] [--ceil-mode] [--seed N] [--step N]
                   [--phase forward|backward] [--screenshot FILE.png] [--window-size WxH]
                   [--export-gif FILE.gif [--gif-delay MS] [--gif-phase forward|backward|both]]
                   [--presentation] [--language en|zh_CN] [--compare "padding=0|padding=1"]
                   [--theme system|light|dark] [--palette standard|colorblind]
                   [--stack FILE.json]

``FILE.json`` opens a session or a preset, ``--image`` starts on an image (``--rgb``: three
channels); the other flags then change that state.  Every integer flag has a documented range
(``--help`` says it; :data:`WINDOW_LIMIT`, :data:`SEED_LIMIT`, the operation registry's
parameter limits).

Invalid values exit with status 2 and a one-line message naming the flag, or the same message
the window would show (an invalid session or image file, a refused combination).  Without
``--language`` the app speaks the language chosen last time, or the system's (Chinese for a
Chinese locale, else English); batch runs (--screenshot, --export-gif) ignore the saved choice.
``--theme`` and ``--palette`` set the look for this run only (the View menu's choice is kept).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Any, NoReturn

from visualizer.data import RandomSpec
from visualizer.limits import INPUT_MAX_SIDE, SEED_MAX, WINDOW_MAX_SIZE

DEFAULT_WINDOW = (1366, 768)
# The limits are named once, in visualizer/limits.py.
WINDOW_LIMIT = WINDOW_MAX_SIZE  # --window-size: at most 7680x4320
INPUT_SIDE_LIMIT = INPUT_MAX_SIDE  # --input-size: rows and columns of the random input
SEED_LIMIT = SEED_MAX  # --seed: 0 .. 2**32 - 1
STEP_LIMIT = 2**31 - 1  # --step: then also below the number of windows of the output


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line: ``pooling-visualizer: error: …``."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def _pair(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(-?\d+)\s*(?:[xX×,]\s*(-?\d+)\s*)?", text)
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not an int or HxW pair, e.g. 3 or 2x3")
    first = int(m.group(1))
    return (first, int(m.group(2)) if m.group(2) is not None else first)


def _size(text: str) -> tuple[int, int]:
    pair = _pair(text)
    if min(pair) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: sizes must be at least 1")
    return pair


def build_parser() -> argparse.ArgumentParser:
    from visualizer.export import MAX_GIF_DELAY, MIN_GIF_DELAY
    from visualizer.i18n import LANGUAGES
    from visualizer.view_settings import PALETTES, THEMES

    p = _Parser(
        prog="pooling-visualizer",
        description="Watch a sliding window compute max pooling, average pooling and "
        "convolution, step by step, with PyTorch's semantics.",
    )
    from engine.ops import OPS, op_names

    first = next(iter(OPS.values()))
    p.add_argument(
        "--op",
        choices=op_names(),
        metavar="OP",
        help=f"operation, a PyTorch name or its alias: {', '.join(op_names())} "
        f"(default {first.alias})",
    )
    p.add_argument(
        "session",
        nargs="?",
        metavar="FILE.json",
        help="open this session or preset file (the other flags then change it)",
    )
    p.add_argument(
        "--stack",
        metavar="FILE.json",
        help="open Stack mode with this layer stack file (see the README's Layer stacks)",
    )
    p.add_argument(
        "--image", metavar="FILE", help="start on this image as the input (PNG, JPEG, TIFF, …)"
    )
    p.add_argument("--rgb", action="store_true", help="with --image: R, G, B as three channels")
    p.add_argument(
        "--input-size",
        type=_size,
        metavar="HxW",
        help=f"input size, e.g. 8x8 (1 to {INPUT_SIDE_LIMIT} per side)",
    )
    # One flag per parameter of the registry that names one (ParamSpec.cli).
    for spec in param_flags().values():
        flag, kind = spec.cli, spec.kind
        assert flag is not None
        text = spec.help.split(". ")[0].rstrip(".")
        if kind == "bool":
            p.add_argument(flag, action="store_true", help=text)
        elif kind == "choice":
            p.add_argument(flag, choices=list(spec.choices), help=text)
        elif kind == "pair":
            low, high = flag_range(flag)
            metavar = PAIR_METAVARS.get(flag, "N|HxW")
            p.add_argument(flag, type=_pair, metavar=metavar, help=f"{text} ({low} to {high})")
        else:
            number = float if kind in ("float", "optional_float") else int
            p.add_argument(flag, type=number, metavar="X", help=text)
    _int_option(
        p, "--seed", "N", f"random integer input with this seed (0 to 2**32-1 = {SEED_LIMIT})"
    )
    _int_option(
        p,
        "--step",
        "N",
        "window index in the phase, from 0 (with --stack: the step in the stack's phase)",
    )
    p.add_argument("--phase", choices=["forward", "backward"], help="stepping phase")
    p.add_argument(
        "--quiz", action="store_true", help="start in quiz mode: the step's result is asked"
    )
    p.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="render off screen, save (.png, .svg, .bmp, .jpg, …), exit",
    )
    p.add_argument(
        "--window-size",
        type=_size,
        metavar="WxH",
        help=f"window size in pixels (at most {WINDOW_LIMIT[0]}x{WINDOW_LIMIT[1]})",
    )
    p.add_argument(
        "--export-gif", metavar="FILE.gif", help="render off screen, record the steps, exit"
    )
    _int_option(
        p,
        "--gif-delay",
        "MS",
        f"GIF frame delay ({MIN_GIF_DELAY} to {MAX_GIF_DELAY} ms, default 500)",
    )
    p.add_argument(
        "--gif-source",
        choices=["lecture", "panel", "window"],
        help="what the GIF records: the lecture layout with the step counter and the "
        "arithmetic (default), the matrices panel, or the whole window",
    )
    p.add_argument(
        "--gif-phase",
        choices=["forward", "backward", "both"],
        help="steps recorded in the GIF (default both)",
    )
    p.add_argument(
        "--compare",
        metavar="SETTINGS",
        help='compare settings side by side in lockstep: settings separated by "|", each '
        'comma-separated name=value pairs of parameters (or op), e.g. "padding=0|padding=1" '
        'or "op=max|op=avg"',
    )
    p.add_argument(
        "--presentation",
        action="store_true",
        help="start in presentation mode (the lecture layout: the current phase's matrices "
        "in one row, large; Esc leaves it)",
    )
    p.add_argument(
        "--language",
        choices=list(LANGUAGES),
        help="language of the window (default: the last choice, else the system's)",
    )
    p.add_argument(
        "--theme",
        choices=list(THEMES),
        help="theme for this run (default: the last choice; batch runs: system)",
    )
    p.add_argument(
        "--palette",
        choices=list(PALETTES),
        help="colours for this run: colorblind is colour-blind safe (default: the last "
        "choice; batch runs: standard)",
    )
    return p


def _int_option(p: argparse.ArgumentParser, flag: str, metavar: str, text: str) -> None:
    """Add option ``flag``: an integer, refused with a message naming ``flag``."""
    p.add_argument(flag, type=_int(flag), metavar=metavar, help=text)


def _int(flag: str) -> object:
    """An argparse type: an integer (a message naming ``flag`` otherwise)."""

    def parse(text: str) -> int:
        if not re.fullmatch(r"\s*[-+]?\d+\s*", text):
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer")
        return int(text)

    parse.__name__ = flag  # argparse names the type in its message
    return parse


PAIR_METAVARS = {
    "--kernel": "K|KhxKw",
    "--stride": "S|ShxSw",
    "--padding": "P|PhxPw",
    "--dilation": "D",
}


def param_flags() -> dict[str, Any]:
    """The registry's parameters that have a command-line flag, by parameter name."""
    from engine.ops import OPS

    flags: dict[str, Any] = {}
    for op in OPS.values():
        for spec in op.params:
            if spec.cli and spec.name not in flags:
                flags[spec.name] = spec
    return flags


def _dest(flag: str) -> str:
    return flag[2:].replace("-", "_")


def flag_range(flag: str) -> tuple[int, int]:
    """The values of ``flag`` (``--kernel``, …) some operation accepts: the widest range of
    the parameters with that flag in the operation registry."""
    from engine.ops import OPS

    specs = [p for op in OPS.values() for p in op.params if p.cli == flag]
    lows = [p.minimum for p in specs if p.minimum is not None]
    highs = [p.maximum for p in specs if p.maximum is not None]
    return (min(lows) if lows else 0, max(highs) if highs else 2**31 - 1)


def _check_ranges(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Every number within its documented range, every file name not empty; else exit 2 with
    one line naming the flag."""

    def check(flag: str, values: object, low: int, high: int) -> None:
        numbers = values if isinstance(values, tuple) else (values,)
        if any(not low <= v <= high for v in numbers):  # type: ignore[operator]
            shown = "x".join(map(str, dict.fromkeys(numbers)))  # type: ignore[arg-type]
            parser.error(f"{flag} ({shown}) must be between {low} and {high}")

    for spec in param_flags().values():
        value = getattr(args, _dest(spec.cli))
        if spec.kind == "pair" and value is not None:
            check(spec.cli, value, *flag_range(spec.cli))
    if args.input_size is not None:
        check("--input-size", args.input_size, 1, INPUT_SIDE_LIMIT)
    if args.window_size is not None:
        width, height = args.window_size
        if width > WINDOW_LIMIT[0] or height > WINDOW_LIMIT[1]:
            parser.error(
                f"--window-size ({width}x{height}) must be at most "
                f"{WINDOW_LIMIT[0]}x{WINDOW_LIMIT[1]}"
            )
    if args.seed is not None:
        check("--seed", args.seed, 0, SEED_LIMIT)
    if args.step is not None:
        check("--step", args.step, 0, STEP_LIMIT)
    for flag in ("--screenshot", "--export-gif", "--image", "--stack"):
        value = getattr(args, flag[2:].replace("-", "_"))
        if value is not None and not value.strip():
            parser.error(f"{flag} needs a file name (it is empty)")
    if args.session is not None and not args.session.strip():
        parser.error("the session file name is empty")
    if args.rgb and not args.image:
        parser.error("--rgb needs --image")
    if args.image and (args.input_size or args.seed is not None):
        parser.error("--image cannot be combined with --input-size or --seed")
    if getattr(args, "compare", None) is not None:
        from visualizer.schema import compare_from_text

        try:
            args.compare_setup = compare_from_text(args.compare)
        except ValueError as exc:
            parser.error(f"--compare: {exc}")


def _check_gif_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    from visualizer.export import MAX_GIF_DELAY, MIN_GIF_DELAY

    if (args.gif_delay is not None or args.gif_phase or args.gif_source) and not args.export_gif:
        parser.error("--gif-delay, --gif-phase and --gif-source need --export-gif")
    if args.gif_delay is not None and not MIN_GIF_DELAY <= args.gif_delay <= MAX_GIF_DELAY:
        parser.error(
            f"--gif-delay ({args.gif_delay}) must be between {MIN_GIF_DELAY} and {MAX_GIF_DELAY} ms"
        )


def apply_arguments(state: object, args: argparse.Namespace) -> str:
    """Put the state in the command line's state; returns an error message or ''.

    A refusal of the state is said in the current language.
    """
    from visualizer.i18n import translate_message
    from visualizer.state import AppState

    assert isinstance(state, AppState)
    if args.op and not state.set_op(args.op):
        return translate_message(state.error)
    if args.input_size or args.seed is not None:
        shape = args.input_size or tuple(state.x.shape[2:])
        seed = 0 if args.seed is None else args.seed
        if max(shape) > INPUT_SIDE_LIMIT:
            return (
                f"--input-size ({shape[0]}x{shape[1]}) must be at most {INPUT_SIDE_LIMIT} per side"
            )
        if not state.set_input(RandomSpec("int", 0, 9, seed).make((1, 1, *shape))):
            return translate_message(state.error)
    changes: dict[str, object] = {}
    if args.kernel:
        changes["kernel_size"] = args.kernel
        if not state.spec.has_weight and not args.stride:
            changes["stride"] = args.kernel  # PyTorch's default: stride = kernel_size
    for name, spec in param_flags().items():
        value = getattr(args, _dest(spec.cli))
        if name != "kernel_size" and value is not None and value is not False:
            changes[name] = value
    if changes and not state.set_params(**changes):
        return translate_message(state.error)
    if getattr(args, "compare", None) is not None:
        from visualizer.schema import compare_from_text

        try:
            setup = getattr(args, "compare_setup", None) or compare_from_text(args.compare)
        except ValueError as exc:
            return f"--compare: {exc}"
        if not state.set_compare(setup):
            return f"--compare: {translate_message(state.error)}"
    stack = state.stack_state
    if (args.phase or args.step is not None) and stack.is_open:
        # Stack mode (--stack): the step within the stack's phase, over every layer's steps.
        step, n = args.step or 0, stack.cursor.n_forward
        if not 0 <= step < max(1, n):
            return f"--step ({step}) must be between 0 and {max(1, n) - 1} for this stack"
        stack.set_step((n if args.phase == "backward" else 0) + step)
    elif args.phase or args.step is not None:
        step = args.step or 0
        if not 0 <= step < state.n_windows:
            return f"--step ({step}) must be between 0 and {state.n_windows - 1} for this output"
        offset = state.n_windows if args.phase == "backward" else 0
        state.set_step(offset + step)
    if getattr(args, "quiz", False):
        state.set_quiz(True)
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    _check_ranges(parser, args)
    _check_gif_arguments(parser, args)
    batch = bool(args.screenshot or args.export_gif)
    if batch:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    from visualizer import skip_pyside_source_scans

    skip_pyside_source_scans()  # PySide6 is loaded now: before the window's modules
    from visualizer.i18n import set_language, startup_language
    from visualizer.main_window import MainWindow
    from visualizer.settings import BATCH_PROPERTY

    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)
    app = QApplication.instance() or QApplication(["pooling-visualizer"])
    app.setApplicationName("Pooling Visualizer")
    # Batch runs ignore saved settings and autosave (visualizer/settings.py: is_batch_run).
    app.setProperty(BATCH_PROPERTY, batch)
    try:
        set_language(startup_language(args.language))  # before the widgets: they start in it
    except ValueError as exc:
        print(f"pooling-visualizer: warning: {exc}; using English", file=sys.stderr)
    window = MainWindow()
    try:
        message = open_files(window, args, batch)
        if message:
            print(f"pooling-visualizer: error: {message}", file=sys.stderr)
            return 2
        message = apply_arguments(window.state, args)
        if message:
            print(f"pooling-visualizer: error: {message}", file=sys.stderr)
            return 2
        if args.window_size or not getattr(window, "geometry_restored", False):
            window.resize(*(args.window_size or DEFAULT_WINDOW))
        apply_view_arguments(window, args)
        if batch:
            window.show()
            for _ in range(3):
                app.processEvents()
            message = _screenshot(window, args.screenshot) if args.screenshot else ""
            if message:
                print(f"pooling-visualizer: error: {message}", file=sys.stderr)
                return 2
            if args.export_gif:
                message = _export_gif(window, args)
                if message:
                    print(f"pooling-visualizer: error: {message}", file=sys.stderr)
                    return 2
            return 0
        window.show()
        return app.exec()
    finally:
        # Tear the window down while the QApplication still exists (pyqtgraph + PySide6
        # can crash at interpreter exit when graphics items outlive it).
        window.close()
        window.deleteLater()
        app.processEvents()
        del window


def apply_view_arguments(window: object, args: argparse.Namespace) -> None:
    """Theme, palette and presentation mode of the command line, for this run only: the
    choices the View menu remembers are left as they were."""
    presentation = getattr(window, "presentation", None)
    if presentation is None:
        return
    if getattr(args, "theme", None):
        presentation.set_theme(args.theme, save=False)
    if getattr(args, "palette", None):
        presentation.set_palette(args.palette, save=False)
    if args.presentation:
        presentation.set_presentation(True, save=False)


def open_files(window: object, args: argparse.Namespace, batch: bool) -> str:
    """Open the session file and the image of the command line, in that order.

    In a batch run (``--screenshot``, ``--export-gif``) a file that cannot be used gives its
    message back (the caller exits 2); otherwise the window shows the message (a message box
    for a session, the status line for an image), as if it had been opened from the menu, and
    the app starts anyway.
    """
    from visualizer.i18n import translate_message

    state = window.state  # type: ignore[attr-defined]
    if args.session and _is_preset(args.session):
        message = _open_preset(window, args.session, batch)
        if message:
            return message
    elif args.session:
        manager = getattr(window, "session_manager", None)
        if batch or manager is None:
            from visualizer.session import _set_window_zoom, apply_session, read_session

            try:
                session, _raw = read_session(args.session)
                apply_session(state, session)
            except ValueError as exc:
                return translate_message(exc)
            _set_window_zoom(window, session.zoom)
        else:
            manager.open_session(args.session)  # says why in the window if it cannot
    if args.stack:  # a stack file that cannot be used always exits 2
        from visualizer.model.stack import read_stack_file

        try:
            stack = read_stack_file(args.stack, default_input=state.x)
        except ValueError as exc:
            return translate_message(exc)
        if not state.stack_state.load(stack):
            return translate_message(state.error)
    if args.image:
        panel = window.data_panel  # type: ignore[attr-defined]
        panel.rgb_checkbox.setChecked(bool(args.rgb))
        if batch:
            from visualizer.data import load_image

            try:
                image = load_image(args.image, per_channel=bool(args.rgb))
            except ValueError as exc:
                return translate_message(exc)
            if not state.set_input(image):
                return translate_message(state.error)
        else:
            panel.load_image_file(args.image)  # the status line says why if it cannot
    return ""


def _is_preset(path: str) -> bool:
    """Whether ``path`` holds a preset (a shipped example, or one written after them)."""
    from visualizer.presets import preset_in_file

    try:
        return preset_in_file(path) is not None
    except ValueError:
        return True  # a broken preset: said as a preset's reader says it


def _open_preset(window: object, path: str, batch: bool) -> str:
    """Load the preset file ``path`` as the Presets menu's "Open preset file…" does (its
    explanation shown, one undoable edit); in a batch run an error message or ''."""
    from visualizer.i18n import translate_message
    from visualizer.presets import apply_preset, load_preset

    presets = getattr(window, "presets", None)
    if not batch and presets is not None:
        presets.load(path)  # shows the explanation, or says why in the status line
        return ""
    state = window.state  # type: ignore[attr-defined]
    try:
        preset = load_preset(path)
    except ValueError as exc:
        return translate_message(exc)
    if not apply_preset(state, preset):
        return translate_message(state.error)
    if presets is not None:
        presets.dock.show_preset(preset)  # the screenshot shows what the menu would
    return ""


def _screenshot(window: object, path: str) -> str:
    """Save the window as ``path`` (the format its suffix names); an error message or ''."""
    from visualizer.export import save_image
    from visualizer.i18n import translate_message

    try:
        save_image(window, path)  # type: ignore[arg-type]
    except ValueError as exc:
        return translate_message(exc)
    except OSError as exc:
        return f"could not write {path} ({exc.strerror or exc})"
    return ""


def _export_gif(window: object, args: argparse.Namespace) -> str:
    """Record the steps into ``args.export_gif``: the lecture layout (matrices, step counter,
    arithmetic) unless ``--gif-source`` names another; an error message or ''."""
    from visualizer.export import export_gif, export_lecture_gif, matrices_widget
    from visualizer.i18n import translate_message

    delay = 500 if args.gif_delay is None else args.gif_delay
    phase = args.gif_phase or "both"
    source = args.gif_source or "lecture"
    try:
        if source == "lecture":
            export_lecture_gif(window, args.export_gif, delay, phase)
        else:
            widget = window if source == "window" else matrices_widget(window)
            export_gif(window.state, widget, args.export_gif, delay, phase)  # type: ignore[attr-defined]
    except ValueError as exc:
        return translate_message(exc)
    except OSError as exc:
        return f"could not write {args.export_gif} ({exc.strerror or exc})"
    return ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

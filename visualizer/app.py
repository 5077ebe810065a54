"""Application entry point: ``main(argv) -> int``.

Command line (also what makes the app scriptable and testable)::

    python main.py [--op max|avg|conv] [--input-size HxW] [--kernel K|KhxKw] [--stride S|ShxSw]
                   [--padding P|PhxPw] [--dilation D] [--ceil-mode] [--seed N] [--step N]
                   [--phase forward|backward] [--screenshot FILE.png] [--window-size WxH]
                   [--export-gif FILE.gif [--gif-delay MS] [--gif-phase forward|backward|both]]
                   [--language en|zh_CN]

Invalid values exit with status 2 and the same message the window would show.  Without
``--language`` the app speaks the language chosen last time, or the system's (Chinese for a
Chinese locale, else English); batch runs (--screenshot, --export-gif) ignore the saved choice.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from visualizer.data import RandomSpec

DEFAULT_WINDOW = (1366, 768)


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
    from visualizer.i18n import LANGUAGES

    p = argparse.ArgumentParser(
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
    p.add_argument("--input-size", type=_size, metavar="HxW", help="input size, e.g. 8x8")
    p.add_argument("--kernel", type=_pair, metavar="K|KhxKw", help="kernel size")
    p.add_argument("--stride", type=_pair, metavar="S|ShxSw", help="stride")
    p.add_argument("--padding", type=_pair, metavar="P|PhxPw", help="padding")
    p.add_argument("--dilation", type=_pair, metavar="D", help="dilation (max pooling, conv)")
    p.add_argument("--ceil-mode", action="store_true", help="round the output size up")
    p.add_argument("--seed", type=int, metavar="N", help="random integer input with this seed")
    p.add_argument("--step", type=int, metavar="N", help="window index in the phase, from 0")
    p.add_argument("--phase", choices=["forward", "backward"], help="stepping phase")
    p.add_argument("--screenshot", metavar="FILE.png", help="render off screen, save, exit")
    p.add_argument("--window-size", type=_size, metavar="WxH", help="window size in pixels")
    p.add_argument(
        "--export-gif", metavar="FILE.gif", help="render off screen, record the steps, exit"
    )
    p.add_argument("--gif-delay", type=int, metavar="MS", help="GIF frame delay (default 500)")
    p.add_argument(
        "--gif-phase",
        choices=["forward", "backward", "both"],
        help="steps recorded in the GIF (default both)",
    )
    p.add_argument(
        "--language",
        choices=list(LANGUAGES),
        help="language of the window (default: the last choice, else the system's)",
    )
    return p


def _check_gif_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    from visualizer.export import MAX_GIF_DELAY, MIN_GIF_DELAY

    if (args.gif_delay is not None or args.gif_phase) and not args.export_gif:
        parser.error("--gif-delay and --gif-phase need --export-gif")
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
        if max(shape) > 1024:
            return f"--input-size ({shape[0]}x{shape[1]}) must be at most 1024 per side"
        if not state.set_input(RandomSpec("int", 0, 9, seed).make((1, 1, *shape))):
            return translate_message(state.error)
    changes: dict[str, object] = {}
    if args.kernel:
        changes["kernel_size"] = args.kernel
        if not state.spec.has_weight and not args.stride:
            changes["stride"] = args.kernel  # PyTorch's default: stride = kernel_size
    for name in ("stride", "padding", "dilation"):
        if getattr(args, name):
            changes[name] = getattr(args, name)
    if args.ceil_mode:
        changes["ceil_mode"] = True
    if changes and not state.set_params(**changes):
        return translate_message(state.error)
    if args.phase or args.step is not None:
        step = args.step or 0
        if not 0 <= step < state.n_windows:
            return f"--step ({step}) must be between 0 and {state.n_windows - 1} for this output"
        offset = state.n_windows if args.phase == "backward" else 0
        state.set_step(offset + step)
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    _check_gif_arguments(parser, args)
    batch = bool(args.screenshot or args.export_gif)
    if batch:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

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
        message = apply_arguments(window.state, args)
        if message:
            print(f"pooling-visualizer: error: {message}", file=sys.stderr)
            return 2
        if args.window_size or not getattr(window, "geometry_restored", False):
            window.resize(*(args.window_size or DEFAULT_WINDOW))
        if batch:
            window.show()
            for _ in range(3):
                app.processEvents()
            if args.screenshot and not window.grab().save(args.screenshot):
                print(
                    f"pooling-visualizer: error: could not write {args.screenshot}", file=sys.stderr
                )
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


def _export_gif(window: object, args: argparse.Namespace) -> str:
    """Record the views panel's steps into ``args.export_gif``; an error message or ''."""
    from visualizer.export import export_gif

    try:
        export_gif(
            window.state,  # type: ignore[attr-defined]
            window.views_panel,  # type: ignore[attr-defined]
            args.export_gif,
            500 if args.gif_delay is None else args.gif_delay,
            args.gif_phase or "both",
        )
    except ValueError as exc:
        return str(exc)
    except OSError as exc:
        return f"could not write {args.export_gif} ({exc.strerror or exc})"
    return ""


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

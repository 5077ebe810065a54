"""Application entry point: ``main(argv) -> int``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print("The GUI is not built yet; the engine is importable as `engine`.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

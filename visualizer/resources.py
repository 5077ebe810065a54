"""The one way to reach files under ``assets/`` (presets, sample images, icons, translations)."""

from __future__ import annotations

from pathlib import Path


def assets_dir() -> Path:
    """``assets/`` of a source checkout, or the copy installed inside the package."""
    checkout = Path(__file__).resolve().parent.parent / "assets"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "assets"


def asset(*parts: str) -> Path:
    """Path of one asset, e.g. ``asset("images", "digit.png")``."""
    return assets_dir().joinpath(*parts)


def sample_images() -> list[Path]:
    """The sample images shipped for the "Sample image" menu, sorted by name."""
    folder = asset("images")
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".png", ".jpg", ".jpeg"))

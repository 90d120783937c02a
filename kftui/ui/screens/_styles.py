"""Where a screen's .tcss lives: kftui/styles inside the wheel, styles/ at the repo root in a checkout."""

from __future__ import annotations

from pathlib import Path


def style_path(name: str) -> Path:
    package = Path(__file__).resolve().parents[2]
    for candidate in (package / "styles" / name, package.parent / "styles" / name):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"kftui style {name} not found next to {package}")

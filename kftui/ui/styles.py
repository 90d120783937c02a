"""Where the .tcss files live: kftui/styles inside the wheel, styles/ at the repo root in a checkout."""

from __future__ import annotations

from pathlib import Path

# Classes Textual sets on every screen by the terminal's size (the .tcss files lay out by them): at 80x24 the
# panes give the selected finding's evidence and first fix the room; at 200 columns and more the details pane
# stands beside the tree instead of under it.
WIDTHS = [(0, "-narrow"), (120, "-normal"), (200, "-wide")]
HEIGHTS = [(0, "-short"), (36, "-tall")]


def styles_dir(package: Path | None = None) -> Path:
    """The directory holding app.tcss, looked for next to the `kftui` package and one level up."""
    package = package or Path(__file__).resolve().parent.parent
    for candidate in (package / "styles", package.parent / "styles"):
        if (candidate / "app.tcss").is_file():
            return candidate
    raise FileNotFoundError(f"kftui styles not found next to {package}")


def style_path(name: str) -> Path:
    """One screen's stylesheet, which must exist (a missing one is a packaging bug, said at import)."""
    path = styles_dir() / name
    if not path.is_file():
        raise FileNotFoundError(f"kftui style {name} not found in {path.parent}")
    return path

"""How kftui spells a count: one helper, so every surface says "1 error", "2 errors", never "1 errors" or "(s)"."""

from __future__ import annotations


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n word` in the number it needs: plural(1, "error") is "1 error", plural(2, "error") "2 errors";
    `many` for words whose plural is not word + s (plural(2, "info", "info"))."""
    return f"{n} {word if n == 1 else (many if many is not None else word + 's')}"

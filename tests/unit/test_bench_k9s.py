"""The bench's reading of the two screens: when k9s shows every pod, and when kftui's first analysis is up."""

from __future__ import annotations

import pytest

from tests.bench.k9s import k9s_full, kftui_full
from tests.bench.objects import SCALES


@pytest.mark.parametrize(
    ("title", "full"),
    [
        ("─── pods(all)[20,006] ───", True),  # k9s v0.50 groups the digits
        ("─── Pods(all)[20006] ───", True),
        ("─── pods(all)[19,999] ───", False),
        ("─── pods(all)[0] ───", False),
        ("─── pods(default)[20,006] ───", False),  # not the all-namespaces view
    ],
)
def test_k9s_is_full_once_its_title_counts_every_pod(title: str, full: bool) -> None:
    assert k9s_full(SCALES["default"])(f"Context: lab\n{title}\n│ bench-ns-000 …") is full


def test_kftui_is_full_once_the_findings_are_counted() -> None:
    assert kftui_full("│ ✖ 1,046 errors  ▲ 2 warnings │")
    assert not kftui_full("│ Loading… │")

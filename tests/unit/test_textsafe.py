"""The sanitizer: what is escaped, what is kept, and that nothing unsafe survives any input."""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.textsafe import escape_char, multi_line, one_line

ESCAPED = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def unsafe_chars(text: str, keep: str = "") -> list[str]:
    return [c for c in text if c not in keep and (unicodedata.category(c) in ESCAPED or c in "\ufffe\uffff")]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain-name", "plain-name"),
        ("\x1b]52;c;ZXZpbA==\x07", "\\x1b]52;c;ZXZpbA==\\x07"),
        ("\x1b[2J", "\\x1b[2J"),
        (
            "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\",
            "\\x1b]8;;https://evil\\x1b\\click\\x1b]8;;\\x1b\\",
        ),
        ("ok\rFAKE", "ok\\rFAKE"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("nul\x00bs\x08del\x7f", "nul\\x00bs\\x08del\\x7f"),
        ("c1\x9b2J\x85", "c1\\x9b2J\\x85"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("\u2066iso\u2069", "\\u2066iso\\u2069"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\ud800", "lone\\ud800"),
        ("nonchar\ufffe", "nonchar\\ufffe"),
        ("ünïcödé 名前\u00a0nbsp", "ünïcödé 名前\u00a0nbsp"),
        ("[/] [@click=app.quit]x[/]", "[/] [@click=app.quit]x[/]"),
    ],
)
def test_one_line_shows_controls_as_escapes(raw: str, shown: str) -> None:
    assert one_line(raw) == shown


def test_multi_line_keeps_line_feeds_only() -> None:
    assert multi_line("first\x1b[2J\nsecond\r\n\tthird") == "first\\x1b[2J\nsecond\\r\n\\tthird"


def test_escape_char_spelling() -> None:
    assert [escape_char(c) for c in "\x1b\n\u202e\U000e0001"] == ["\\x1b", "\\n", "\\u202e", "\\U000e0001"]


def test_plain_text_is_returned_as_is() -> None:
    text = "kubeflow-pipelines-ui"
    assert one_line(text) is text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=80))
def test_nothing_unsafe_survives(raw: str) -> None:
    single = one_line(raw)
    multi = multi_line(raw)
    assert unsafe_chars(single) == []
    assert unsafe_chars(multi, keep="\n") == []
    assert multi.split("\n") == [one_line(part) for part in raw.split("\n")]
    # The sanitized text is valid XML character data, and encodable (no lone surrogates).
    single.encode("utf-8")
    ET.fromstring(ET.tostring(ET.Element("x", message=single)))

"""The one sanitizer for text from outside (cluster data, dumps, manifests) on its way to a terminal.

Anyone who can create an Event, label a pod or name an Application chooses bytes that kftui shows. Sent raw,
an ESC starts a terminal sequence (OSC 52 writes the clipboard, OSC 8 makes a link, CSI 2J clears the screen),
a CR or BS hides what came before, and a bidi override reorders what is read (CVE-2021-25743 is this class in
kubectl). So every such string passes through `one_line` or `multi_line` once, where it enters rendering,
and every character that could act instead of being shown is replaced by its visible escape (`\\x1b`,
`\\u202e`), as kubectl's own fix does.

Escaped (decided here, once):
- C0 controls U+0000-U+001F (NUL, BEL, BS, TAB, LF, CR, ESC, ...) and DEL U+007F; `multi_line` keeps LF only.
  TAB is escaped too: it moves the cursor and kftui's panes lay out their own columns.
- C1 controls U+0080-U+009F (U+009B is a one-character CSI on some terminals).
- Every format character (Unicode category Cf): the bidi embeddings, overrides and isolates U+202A-U+202E and
  U+2066-U+2069, the marks U+200E/U+200F/U+061C, zero-width characters (U+200B-U+200D, U+2060, U+FEFF),
  the soft hyphen and tag characters. They are invisible, so showing them is the only way to see they are there.
  The cost: an emoji joined with U+200D shows as its parts.
- Line and paragraph separators U+2028/U+2029 (Zl, Zp): some terminals and editors break lines there.
- Lone surrogates (Cs): they cannot be encoded, so printing one would crash the writer.
- U+FFFE and U+FFFF: not characters, and forbidden in XML 1.0, so the sanitized text is also valid XML
  character data (JUnit reports rely on this).

Kept: everything else, including non-ASCII letters, spaces of every width and backslashes (a literal `\\x1b`
in the data therefore looks like an escaped ESC; the point is that nothing acts, not that the display is
reversible). JSON output does not use this module: `json.dumps` escapes controls and keeps the data exact.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

__all__ = ["escape_char", "multi_line", "one_line"]

_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_NONCHARACTERS = "\ufffe\uffff"
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_char(ch: str) -> str:
    """The visible form of one character, spelled as Python spells it: `\\n`, `\\x1b`, `\\u202e`, `\\U000e0001`."""
    short = _SHORT.get(ch)
    if short is not None:
        return short
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


@functools.cache
def _unsafe() -> re.Pattern[str]:
    """The class of every escaped character, built on first use (scanning Unicode takes ~0.2 s, so it is
    not paid by runs that never meet such a character)."""
    ranges: list[str] = []
    start = prev = -2
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) not in _ESCAPED_CATEGORIES and chr(code) not in _NONCHARACTERS:
            continue
        if code != prev + 1:
            if start >= 0:
                ranges.append(_range(start, prev))
            start = code
        prev = code
    ranges.append(_range(start, prev))
    return re.compile("[" + "".join(ranges) + "]")


def _range(first: int, last: int) -> str:
    return f"\\U{first:08x}" if first == last else f"\\U{first:08x}-\\U{last:08x}"


@functools.lru_cache(maxsize=4096)
def _escape_match(ch: str) -> str:
    return escape_char(ch)


def _escaped(text: str) -> str:
    return _unsafe().sub(lambda m: _escape_match(m.group()), text)


def one_line(text: str) -> str:
    """Text for a label, a cell or a report line: every control, LF included, shown as its escape."""
    # Fast path: str.isprintable is False for every escaped category (and for a few harmless ones, such as
    # non-ASCII spaces and unassigned code points, which then take the exact path below).
    if text.isprintable():
        return text
    return _escaped(text)


def multi_line(text: str) -> str:
    """Text for a pane (describe, events, logs, evidence): line feeds kept, every other control escaped."""
    if text.isprintable():
        return text
    return "\n".join(_escaped(line) for line in text.split("\n"))

"""The log view's memory: a bounded buffer of sanitized lines with search, and the inbox a stream worker fills.

Pure (no Textual, no client): a chatty pod writes faster than a terminal can show, so both ends are bounded.
The worker thread puts lines into a LineInbox that keeps at most `limit` of them (older ones are counted, not
kept) and says when the UI needs waking; the UI takes everything at once, once per frame, into a LogBuffer
that keeps the last `limit` lines. Each line is made inert (kftui/textsafe.py) as it enters the buffer, the
one place log text enters rendering.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable

from kftui.textsafe import one_line

DEFAULT_LIMIT = 10_000


class LogBuffer:
    """The last `limit` lines of a log, each already safe to show, numbered from the first line ever kept."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self.limit = limit
        self._lines: deque[str] = deque(maxlen=limit)
        self.first_seq = 0
        """The sequence number of the oldest line kept (lines evicted so far)."""
        self.dropped = 0
        """Lines that never reached the buffer (the inbox overflowed) or left it (evicted)."""

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, index: int) -> str:
        return self._lines[index]

    def extend(self, lines: Iterable[str]) -> int:
        """Add lines (raw: escaped here); returns how many old lines were evicted to make room."""
        new = [one_line(line) for line in lines]
        evicted = max(0, len(self._lines) + len(new) - self.limit)
        self._lines.extend(new)
        self.first_seq += evicted
        self.dropped += evicted
        return evicted

    def lost(self, count: int) -> None:
        """Count lines the inbox had to drop before they reached the buffer."""
        self.dropped += count

    def clear(self) -> None:
        self._lines.clear()
        self.first_seq = 0
        self.dropped = 0

    def lines(self) -> list[str]:
        return list(self._lines)

    def text(self) -> str:
        """Every kept line, one per row, as saved to a file (escaped as shown, so a saved log is inert too)."""
        return "".join(line + "\n" for line in self._lines)

    def matches(self, needle: str) -> list[int]:
        """Indices of the lines holding `needle`, ignoring case."""
        if not needle:
            return []
        low = needle.lower()
        return [i for i, line in enumerate(self._lines) if low in line.lower()]

    def next_match(self, needle: str, start: int, forward: bool = True) -> int | None:
        """The first line holding `needle` after (forward) or before `start`, wrapping around; None if none."""
        found = self.matches(needle)
        if not found:
            return None
        if forward:
            return next((i for i in found if i > start), found[0])
        return next((i for i in reversed(found) if i < start), found[-1])


class LineInbox:
    """The hand-over from a stream worker to the UI: thread-safe, bounded, with one wake-up per batch."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._lock = threading.Lock()
        self._lines: deque[str] = deque(maxlen=limit)
        self._overflow = 0
        self._wake_pending = False

    def put(self, line: str) -> bool:
        """Queue a line; True when the UI must be woken (nothing woke it since it last took)."""
        with self._lock:
            if len(self._lines) == self._lines.maxlen:
                self._overflow += 1
            self._lines.append(line)
            wake = not self._wake_pending
            self._wake_pending = True
            return wake

    def take(self) -> tuple[list[str], int]:
        """Everything queued, and how many lines were lost to the bound since the last take."""
        with self._lock:
            lines = list(self._lines)
            self._lines.clear()
            lost, self._overflow = self._overflow, 0
            self._wake_pending = False
            return lines, lost

"""The audit log: one JSON line per attempted change, appended under the user's state directory.

Fields: time (UTC, ISO 8601), user (the local login), context (kube context or Argo CD server), backend,
action (the fix id), target, result ("ok", "refused: ...", "error: ..."), detail. Nothing secret is ever
written: messages pass through `scrub`, which blanks bearer tokens, JWTs and password-like pairs.

The file is the user's own record, so it is opened without following a symlink, created 0600 and put back
to 0600 if someone widened it (with one warning), and no character that could act on a terminal reading it
(controls, bidi overrides, line separators) is written raw: JSON escapes them, and parsing gives them back.
"""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import stat
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SECRETS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)((?:token|password|passwd|secret|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"),
)


_LOG = logging.getLogger(__name__)
# Unicode categories escaped in records beyond what JSON escapes itself (C0): C1 and DEL (Cc), format
# characters such as bidi overrides (Cf), line and paragraph separators (Zl, Zp).
_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


class AuditError(Exception):
    """The audit log cannot be written; a change that cannot be recorded is not made."""


def escape_controls(line: str) -> str:
    """A JSON text with every control, format and separator character written as a \\u escape.

    json.dumps of one such character (ASCII only) is exactly its escape, surrogate pairs above U+FFFF included.
    """
    return "".join(json.dumps(c)[1:-1] if unicodedata.category(c) in _ESCAPED_CATEGORIES else c for c in line)


def scrub(text: str) -> str:
    """The text with anything that looks like a credential replaced by ***."""
    for pattern in _SECRETS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


def default_audit_path(env: Mapping[str, str] | None = None) -> Path:
    """$KFTUI_AUDIT_LOG, else $XDG_STATE_HOME/kftui/audit.jsonl, else ~/.local/state/kftui/audit.jsonl."""
    env = os.environ if env is None else env
    if env.get("KFTUI_AUDIT_LOG"):
        return Path(env["KFTUI_AUDIT_LOG"]).expanduser()
    state = env.get("XDG_STATE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local" / "state")
    return Path(state).expanduser() / "kftui" / "audit.jsonl"


def local_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    time: str
    user: str
    context: str
    backend: str
    action: str
    target: str
    result: str
    detail: str = ""


class AuditLog:
    """Append-only JSON lines; safe to share between the UI thread and workers."""

    def __init__(self, path: Path | str | None = None, user: str | None = None) -> None:
        self.path = Path(path) if path is not None else default_audit_path()
        self.user = user or local_user()
        self._lock = threading.Lock()
        self.warning: str | None = None  # set once, when a pre-existing log was wider than 0600

    def record(
        self, *, context: str, backend: str, action: str, target: str, result: str, detail: str = ""
    ) -> AuditEntry:
        entry = AuditEntry(
            time=datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            user=self.user,
            context=scrub(context),
            backend=backend,
            action=action,
            target=target,
            result=scrub(result),
            detail=scrub(detail),
        )
        line = escape_controls(json.dumps(asdict(entry), ensure_ascii=False, sort_keys=False))
        with self._lock:
            fd = self._open()
            with os.fdopen(fd, "ab") as out:
                out.write((line + "\n").encode())
        return entry

    def ready(self) -> str | None:
        """Why nothing could be recorded now (the gate refuses the change), or None."""
        try:
            with self._lock:
                os.close(self._open())
        except AuditError as exc:
            return str(exc)
        return None

    def _open(self) -> int:
        """The log opened for appending: never through a symlink, created 0600, narrowed back to 0600."""
        # O_NONBLOCK: a FIFO planted at the path fails at once (or is refused below) instead of hanging the
        # gate; on a regular file it changes nothing.
        flags = (
            os.O_WRONLY
            | os.O_APPEND
            | os.O_CREAT
            | os.O_NONBLOCK
            | getattr(os, "O_NOFOLLOW", 0)
            | getattr(os, "O_CLOEXEC", 0)
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            reason = "is a symbolic link" if self.path.is_symlink() else exc.strerror
            raise AuditError(f"cannot write the audit log {self.path}: {reason}") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise AuditError(f"cannot write the audit log {self.path}: not a regular file")
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o077:
                os.fchmod(fd, 0o600)  # first: the warning says it was done
                if self.warning is None:
                    self.warning = (
                        f"the audit log {self.path} was readable by others "
                        f"(mode {mode:04o}); kftui set it back to 0600"
                    )
                    _LOG.warning(self.warning)
        except OSError as exc:
            os.close(fd)
            raise AuditError(f"cannot write the audit log {self.path}: {exc.strerror}") from None
        except AuditError:
            os.close(fd)
            raise
        return fd

    def entries(self) -> list[dict[str, Any]]:
        """Every entry so far (for tests and a future audit view)."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in data.splitlines() if line.strip()]

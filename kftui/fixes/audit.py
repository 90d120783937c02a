"""The audit log: one JSON line per attempted change, appended under the user's state directory.

Fields: time (UTC, ISO 8601), user (the local login), context (kube context or Argo CD server), backend,
action (the fix id), target, result ("ok", "refused: ...", "error: ..."), detail. Nothing secret is ever
written: messages pass through `scrub`, which blanks bearer tokens, JWTs and password-like pairs.
"""

from __future__ import annotations

import getpass
import json
import os
import re
import threading
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
        line = json.dumps(asdict(entry), ensure_ascii=False, sort_keys=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as out:
                out.write(line + "\n")
        return entry

    def entries(self) -> list[dict[str, Any]]:
        """Every entry so far (for tests and a future audit view)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.splitlines() if line.strip()]

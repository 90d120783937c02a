"""The audit log as a file: no symlink followed, 0600 kept, nothing terminal-active written raw, and a change
that cannot be recorded is refused by the gate."""

from __future__ import annotations

import json
import logging
import os
import stat
import unicodedata
from pathlib import Path

import pytest

from kftui.fixes.audit import AuditError, AuditLog, escape_controls
from kftui.fixes.gate import Gate
from kftui.fixes.plan import plan_action
from kftui.model import ClusterSnapshot, ObjectRef
from tests.fix_fakes import T0, FakeArgo

APP = ObjectRef("Application", "argocd", "drift")


def record(audit: AuditLog, detail: str = "") -> None:
    audit.record(context="ctx", backend="kube", action="sync", target="t", result="ok", detail=detail)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_created_0600_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "state" / "audit.jsonl"
    old = os.umask(0)
    try:
        record(AuditLog(path, user="u"))
    finally:
        os.umask(old)
    assert mode(path) == 0o600


def test_a_symlink_is_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    link = tmp_path / "audit.jsonl"
    link.symlink_to(victim)
    audit = AuditLog(link, user="u")
    with pytest.raises(AuditError, match="is a symbolic link"):
        record(audit)
    assert audit.ready() is not None
    assert victim.read_text() == "precious\n" and mode(victim) == 0o644


def test_a_wider_log_is_put_back_to_0600_with_one_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("")
    path.chmod(0o644)
    audit = AuditLog(path, user="u")
    with caplog.at_level(logging.WARNING, logger="kftui.fixes.audit"):
        record(audit)
        path.chmod(0o666)
        record(audit)
    assert mode(path) == 0o600
    assert audit.warning is not None and "0644" in audit.warning
    assert len(caplog.records) == 1, "warned once"
    assert len(audit.entries()) == 2


def test_a_log_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    os.mkfifo(path)
    audit = AuditLog(path, user="u")
    assert audit.ready() is not None  # O_WRONLY on a FIFO without a reader fails at once (ENXIO)


HOSTILE = "a\x1b]52;c;aGk=\x07b\x85c\u202ed\u2066e\u2028f\u2029g\x7fh\u200bi\U000e0001j\x00k"


def test_controls_are_escaped_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path, user="u")
    record(audit, detail=HOSTILE + " ünïcødé ✓")
    raw = path.read_text(encoding="utf-8")
    assert raw.endswith("\n") and raw.count("\n") == 1
    for char in raw[:-1]:
        assert unicodedata.category(char) not in ("Cc", "Cf", "Zl", "Zp"), repr(char)
    assert "ünïcødé ✓" in raw, "printable non-ASCII stays readable"
    assert audit.entries()[0]["detail"] == HOSTILE + " ünïcødé ✓"


def test_escape_controls_writes_astral_characters_as_surrogate_pairs() -> None:
    assert escape_controls("\U000e0001") == "\\udb40\\udc01"
    assert json.loads('"' + escape_controls("\U000e0001\u202e") + '"') == "\U000e0001\u202e"


def test_the_gate_refuses_a_change_it_cannot_record(tmp_path: Path) -> None:
    argo = FakeArgo()
    argo.add("drift")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    gate = Gate(False, AuditLog(blocker / "audit.jsonl", user="u"), context="ctx")
    plan = plan_action("sync", APP, ClusterSnapshot.from_objects([argo.apps["drift"].app], now=T0))
    called: list[str] = []

    def action() -> str:
        called.append("sync")
        return "synced"

    result = gate.execute(plan, action, backend="kube")
    assert result.refused and not result.ok
    assert "cannot write the audit log" in result.message
    assert called == [], "nothing was changed"

    writable = Gate(False, AuditLog(tmp_path / "audit.jsonl", user="u"), context="ctx")
    assert writable.execute(plan, action, backend="kube").ok and called == ["sync"]

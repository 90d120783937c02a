"""The audit log's records: which credentials are blanked, where the file lives, what each line says, and
which files it refuses to write (with the message the user reads)."""

from __future__ import annotations

import getpass
import json
import logging
import os
import re
import stat
from pathlib import Path

import pytest

from kftui.fixes.audit import AuditError, AuditLog, default_audit_path, escape_controls, scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sent Bearer abc.def-ghi", "sent Bearer ***"),
        ("got bearer tok~en+/=x from header", "got bearer *** from header"),
        ("BEARER\tabc", "BEARER\t***"),
        ("token=s3cr3t rest", "token=*** rest"),
        ("TOKEN: s3cr3t", "TOKEN: ***"),
        ('{"token": "s3cr3t", "x": 1}', '{"token": "***", "x": 1}'),
        ("password=hunter2", "password=***"),
        ("Password: 'hunter2'", "Password: '***'"),
        ("passwd=hunter2,other", "passwd=***,other"),
        ("client secret = abc}", "client secret = ***}"),
        ("authorization:xyz", "authorization:***"),
        ("nothing to hide here", "nothing to hide here"),
    ],
)
def test_scrub_blanks_the_value_and_keeps_the_key(text: str, expected: str) -> None:
    """A credential's value becomes ***; the words around it, and its key, stay readable."""
    assert scrub(text) == expected


def test_scrub_blanks_a_bare_jwt_whole() -> None:
    """A JWT on its own (no key before it) is replaced entirely, down to the shortest form one can have."""
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.c2lnbmF0dXJl"
    assert scrub(f"login failed for {jwt} (expired)") == "login failed for *** (expired)"
    shortest = "eyJ12345678.abcdefgh."  # 8 characters in each of the first two parts, no signature
    assert scrub(f"[{shortest}]") == "[***]"
    too_short = "eyJ1234567.abcdefgh.x"
    assert scrub(too_short) == too_short


def test_default_path_environment_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    """$KFTUI_AUDIT_LOG (with ~), then $XDG_STATE_HOME, then $HOME; empty values count as unset."""
    assert (
        default_audit_path({"KFTUI_AUDIT_LOG": "~/a.jsonl", "HOME": "/h"}) == Path("~/a.jsonl").expanduser()
    )
    assert default_audit_path({"KFTUI_AUDIT_LOG": "", "XDG_STATE_HOME": "/s"}) == Path("/s/kftui/audit.jsonl")
    assert default_audit_path({"XDG_STATE_HOME": "", "HOME": "/h"}) == Path(
        "/h/.local/state/kftui/audit.jsonl"
    )
    monkeypatch.setenv("HOME", "/home/from-env")
    assert default_audit_path({}) == Path("/home/from-env/.local/state/kftui/audit.jsonl")
    assert default_audit_path({"HOME": ""}) == Path("/home/from-env/.local/state/kftui/audit.jsonl")
    monkeypatch.setenv("KFTUI_AUDIT_LOG", "/from/process/env.jsonl")
    assert default_audit_path() == Path("/from/process/env.jsonl")
    assert AuditLog(user="u").path == Path("/from/process/env.jsonl")


def test_the_local_login_is_the_user_when_none_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(var, "carol")
    audit = AuditLog(tmp_path / "a.jsonl")
    assert audit.user == "carol"
    assert AuditLog(tmp_path / "a.jsonl", user="").user == "carol"
    assert AuditLog(str(tmp_path / "b.jsonl"), user="dave").path == tmp_path / "b.jsonl"


def test_a_record_is_one_json_line_with_every_field(tmp_path: Path) -> None:
    """Field order, a UTC millisecond timestamp ending in Z, secrets scrubbed in context, result and detail."""
    path = tmp_path / "audit.jsonl"
    audit = AuditLog(path, user="alice")
    entry = audit.record(
        context="lab token=abc",
        backend="kubernetes",
        action="sync",
        target="Application argocd/drift",
        result="error: password=x",
    )
    audit.record(context="c", backend="b", action="a", target="t", result="ok", detail="Bearer zzz done")
    first, second = path.read_text(encoding="utf-8").splitlines()
    assert list(json.loads(first)) == [
        "time", "user", "context", "backend", "action", "target", "result", "detail",
    ]  # fmt: skip
    record = json.loads(first)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["time"]), record["time"]
    assert record == {
        "time": entry.time,
        "user": "alice",
        "context": "lab token=***",
        "backend": "kubernetes",
        "action": "sync",
        "target": "Application argocd/drift",
        "result": "error: password=***",
        "detail": "",
    }
    assert json.loads(second)["detail"] == "Bearer *** done"
    assert audit.entries() == [record, json.loads(second)]


def test_non_ascii_is_written_readable(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path, user="zoë").record(context="c", backend="b", action="a", target="t", result="ok")
    assert '"user": "zoë"' in path.read_text(encoding="utf-8")


def test_entries_of_a_missing_log_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    assert AuditLog(path, user="u").entries() == []
    path.write_text('{"a": 1}\n\n   \n{"b": 2}\n', encoding="utf-8")
    assert AuditLog(path, user="u").entries() == [{"a": 1}, {"b": 2}]


def test_ready_creates_the_log_and_its_directories(tmp_path: Path) -> None:
    path = tmp_path / "state" / "kftui" / "audit.jsonl"
    audit = AuditLog(path, user="u")
    assert audit.ready() is None
    assert path.is_file() and path.read_text() == ""
    assert audit.ready() is None, "an existing log is fine too"


def test_a_log_the_user_cannot_open_names_the_path_and_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    audit = AuditLog(blocker / "audit.jsonl", user="u")
    reason = audit.ready()
    assert reason is not None
    assert reason.startswith(f"cannot write the audit log {blocker / 'audit.jsonl'}: ")
    assert reason.endswith("Not a directory") or reason.endswith("File exists")


def test_a_directory_at_the_path_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.mkdir()
    assert AuditLog(path, user="u").ready() == f"cannot write the audit log {path}: Is a directory"


def test_a_fifo_with_a_reader_is_refused_as_not_a_regular_file(tmp_path: Path) -> None:
    """Opening succeeds when something reads the FIFO; the type check still refuses to write there."""
    path = tmp_path / "audit.jsonl"
    os.mkfifo(path)
    reader = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        audit = AuditLog(path, user="u")
        assert audit.ready() == f"cannot write the audit log {path}: not a regular file"
        with pytest.raises(AuditError, match="not a regular file"):
            audit.record(context="c", backend="b", action="a", target="t", result="ok")
        assert os.read(reader, 100) == b"", "nothing was written into the FIFO"
    finally:
        os.close(reader)


def test_the_widened_mode_warning_names_the_file_and_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("")
    path.chmod(0o640)
    audit = AuditLog(path, user="u")
    assert audit.warning is None
    assert audit.ready() is None
    assert (
        audit.warning == f"the audit log {path} was readable by others (mode 0640); kftui set it back to 0600"
    )
    path.chmod(0o604)
    audit.ready()
    assert "0640" in audit.warning, "the first warning stays"


@pytest.mark.parametrize(
    ("char", "escaped"),
    [
        ("\x7f", "\\u007f"),  # DEL (Cc)
        ("\x85", "\\u0085"),  # NEL, C1 (Cc)
        ("\u202e", "\\u202e"),  # right-to-left override (Cf)
        ("\u2028", "\\u2028"),  # line separator (Zl)
        ("\u2029", "\\u2029"),  # paragraph separator (Zp)
        ("\ufeff", "\\ufeff"),  # zero width no-break space (Cf), the last code unit below the astral planes
        ("\U0001d173", "\\ud834\\udd73"),  # musical symbol begin beam (Cf), astral
        ("\U000e007f", "\\udb40\\udc7f"),  # cancel tag (Cf)
        ("é", "é"),
        ("\U0001f600", "\U0001f600"),
    ],
)
def test_escape_controls_per_character(char: str, escaped: str) -> None:
    """Terminal-active characters become JSON \\u escapes (surrogate pairs above U+FFFF); others stay."""
    assert escape_controls(f"a{char}b") == f"a{escaped}b"
    assert json.loads('"' + escape_controls(char) + '"') == char


def test_a_log_kftui_creates_is_private_without_a_warning(tmp_path: Path) -> None:
    """The warning is about a log someone else widened, never about the one kftui just created."""
    path = tmp_path / "audit.jsonl"
    old = os.umask(0)
    try:
        audit = AuditLog(path, user="u")
        assert audit.ready() is None
        audit.record(context="c", backend="b", action="a", target="t", result="ok")
    finally:
        os.umask(old)
    assert audit.warning is None
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_symlink_refusal_names_the_path(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    link = tmp_path / "audit.jsonl"
    link.symlink_to(target)
    assert AuditLog(link, user="u").ready() == f"cannot write the audit log {link}: is a symbolic link"
    assert not target.exists()


def test_the_widened_mode_warning_is_logged_as_it_is_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "audit.jsonl"
    path.write_text("")
    path.chmod(0o660)
    audit = AuditLog(path, user="u")
    with caplog.at_level(logging.WARNING, logger="kftui.fixes.audit"):
        assert audit.ready() is None
    assert [r.getMessage() for r in caplog.records] == [audit.warning]


PROC_COMM = Path("/proc/self/comm")  # a regular file of mode 0644 whose mode the kernel never changes


@pytest.mark.skipif(not PROC_COMM.exists(), reason="needs Linux procfs")
def test_a_log_whose_mode_cannot_be_narrowed_is_refused_without_claiming_it_was() -> None:
    """Only ready() is called: nothing is written to the file."""
    audit = AuditLog(PROC_COMM, user="u")
    assert audit.ready() == f"cannot write the audit log {PROC_COMM}: Operation not permitted"
    assert audit.warning is None, "the warning says kftui set the mode back: it could not"


def test_without_a_login_name_the_user_is_unknown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """getpass.getuser raises when neither the environment nor the password database names the user
    (a container running as an arbitrary uid): the log says "unknown" instead of failing."""

    def no_login() -> str:
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", no_login)
    audit = AuditLog(tmp_path / "a.jsonl")
    audit.record(context="c", backend="b", action="a", target="t", result="ok")
    assert audit.entries()[0]["user"] == "unknown"

"""Dump files: every layout kubectl writes, the demo, redaction, and one-line errors for bad input."""

from __future__ import annotations

import errno
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kftui.cluster import dumpfile
from kftui.cluster.dumpfile import DumpError, load_demo, load_snapshot, write_dump
from kftui.cluster.redact import REDACTED, redact

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}}
POD = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "kubeflow"},
    "status": {"phase": "Running"},
}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "dump.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    "layout",
    [
        pytest.param(
            lambda: yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [NS, POD]}), id="List"
        ),
        pytest.param(lambda: yaml.safe_dump_all([NS, POD]), id="documents"),
        pytest.param(
            lambda: yaml.safe_dump_all(
                [{"kind": "List", "items": [NS]}, {"kind": "PodList", "items": [POD]}]
            ),
            id="several Lists",
        ),
        pytest.param(
            lambda: "---\n" + yaml.safe_dump(NS) + "---\n---\n" + yaml.safe_dump(POD), id="empty documents"
        ),
    ],
)
def test_layouts(tmp_path: Path, layout: object) -> None:
    snap = load_snapshot(write(tmp_path, layout()))  # type: ignore[operator]
    assert set(snap.namespaces) == {("", "kubeflow")}
    assert set(snap.pods) == {("kubeflow", "p")}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a: [\n", "invalid YAML at line"),
        ("", "no Kubernetes objects"),
        ("just a string\n", "not a Kubernetes object"),
        ("- a\n- b\n", "not a Kubernetes object"),
        ("kind: List\nitems: 3\n", "without an 'items' list"),
        ("kind: List\nitems: [1, 2]\n", "not a Kubernetes object"),
    ],
)
def test_bad_input_is_one_line(tmp_path: Path, content: str, message: str) -> None:
    with pytest.raises(DumpError) as info:
        load_snapshot(write(tmp_path, content))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(DumpError, match="no such file"):
        load_snapshot(tmp_path / "nope.yaml")
    with pytest.raises(DumpError, match="is a directory"):
        load_snapshot(tmp_path)


def test_capture_time_comes_from_the_annotation_else_the_newest_object(tmp_path: Path) -> None:
    stamped = {
        "kind": "List",
        "metadata": {"annotations": {"kftui.dev/captured-at": "2026-01-02T03:04:05Z"}},
        "items": [NS],
    }
    assert load_snapshot(write(tmp_path, yaml.safe_dump(stamped))).now == datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=UTC
    )
    event = {
        "kind": "Event",
        "metadata": {"name": "e", "namespace": "kubeflow"},
        "involvedObject": {"kind": "Pod", "name": "p", "namespace": "kubeflow"},
        "lastTimestamp": "2026-05-05T05:05:05Z",
    }
    assert load_snapshot(write(tmp_path, yaml.safe_dump_all([NS, event]))).now == datetime(
        2026, 5, 5, 5, 5, 5, tzinfo=UTC
    )


def test_demo_is_a_broken_three_app_kubeflow() -> None:
    snap = load_demo()
    assert {a.name for a in snap.applications.values()} == {
        "kubeflow",
        "kubeflow-seaweedfs",
        "kubeflow-pipelines",
    }
    pipelines = next(a for a in snap.applications.values() if a.name == "kubeflow-pipelines")
    assert any(
        "may not add resource with an already registered id" in c.message for c in pipelines.conditions
    )
    assert any(p.display_status == "CrashLoopBackOff" for p in snap.pods.values())
    assert ("istio-system", "istio-ingressgateway") in snap.endpoints
    assert snap.argocd_config, "the demo carries argocd-cm"


def test_secrets_are_redacted_on_write_and_round_trip(tmp_path: Path) -> None:
    canary = "c2VjcmV0LWNhbmFyeS12YWx1ZQ=="
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": "argocd-secret",
            "namespace": "argocd",
            "annotations": {"kubectl.kubernetes.io/last-applied-configuration": canary},
        },
        "data": {"admin.password": canary},
        "stringData": {"server.secretkey": "plain-canary"},
    }
    out = tmp_path / "dump.yaml"
    write_dump(out, [NS, secret], datetime(2026, 11, 20, tzinfo=UTC))
    text = out.read_text()
    assert canary not in text and "plain-canary" not in text
    assert "admin.password" in text, "keys stay so the reader knows what existed"
    assert redact(secret)["data"] == {"admin.password": REDACTED}
    assert secret["data"] == {"admin.password": canary}, "redaction does not mutate the live object"
    assert load_snapshot(out).now == datetime(2026, 11, 20, tzinfo=UTC)


def test_failed_write_leaves_the_previous_dump(tmp_path: Path) -> None:
    out = tmp_path / "dump.yaml"
    out.write_text("previous")
    with pytest.raises(DumpError):
        write_dump(tmp_path / "missing-dir" / "dump.yaml", [NS], datetime.now(UTC))
    assert out.read_text() == "previous"


def test_dump_is_written_0600_whatever_the_umask(tmp_path: Path) -> None:
    out = tmp_path / "dump.yaml"
    old = os.umask(0)
    try:
        write_dump(out, [NS], datetime(2026, 11, 20, tzinfo=UTC))
        out.chmod(0o644)
        write_dump(out, [NS, POD], datetime(2026, 11, 20, tzinfo=UTC))  # over an existing, wider file
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert set(load_snapshot(out).pods) == {("kubeflow", "p")}
    assert os.listdir(tmp_path) == ["dump.yaml"], "no temp file left behind"


def test_a_symlink_at_the_target_is_refused_and_not_followed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / "dump.yaml"
    link.symlink_to(victim)
    with pytest.raises(DumpError, match="symbolic link"):
        write_dump(link, [NS], datetime.now(UTC))
    assert victim.read_text() == "precious"
    assert link.is_symlink()
    assert sorted(os.listdir(tmp_path)) == ["dump.yaml", "victim"]


def test_a_failed_write_removes_its_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "dump.yaml"
    out.write_text("previous")

    def refuse(*_: object) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(dumpfile.os, "replace", refuse)
    with pytest.raises(DumpError, match="cannot write: Invalid cross-device link"):
        write_dump(out, [NS], datetime.now(UTC))
    assert out.read_text() == "previous"
    assert os.listdir(tmp_path) == ["dump.yaml"]


def test_the_temp_file_is_created_exclusively(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A planted file (or symlink) at the temp name is never opened: O_EXCL refuses it."""
    victim = tmp_path / "victim"
    victim.write_text("precious")
    monkeypatch.setattr(dumpfile.secrets, "token_hex", lambda _: "fixed")
    planted = tmp_path / f".dump.yaml.tmp-{os.getpid()}-fixed"
    planted.symlink_to(victim)
    with pytest.raises(DumpError, match="cannot write: File exists"):
        write_dump(tmp_path / "dump.yaml", [NS], datetime.now(UTC))
    assert victim.read_text() == "precious"


def test_write_dump_says_what_was_redacted(tmp_path: Path) -> None:
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}}
    said = write_dump(tmp_path / "d.yaml", [NS, secret], datetime.now(UTC))
    assert said == "redacted: Secret data and stringData values in 1"
    assert write_dump(tmp_path / "e.yaml", [NS], datetime.now(UTC)) == "nothing matched the redaction rules"


def test_a_dump_past_max_objects_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dumpfile, "MAX_OBJECTS", 10)
    docs = "".join(f"--- {{apiVersion: v1, kind: Namespace, metadata: {{name: n{i}}}}}\n" for i in range(10))
    assert len(load_snapshot(write(tmp_path, docs)).namespaces) == 10
    as_list = yaml.safe_dump(
        {"kind": "List", "items": [{**NS, "metadata": {"name": f"n{i}"}} for i in range(11)]}
    )
    with pytest.raises(DumpError, match="more than 10 objects"):
        load_snapshot(write(tmp_path, as_list))


def test_an_alias_bomb_in_a_dump_is_one_line(tmp_path: Path) -> None:
    bomb = "kind: Pod\nmetadata: {name: p}\nx:\n  a0: &a0 [l, l, l, l, l, l, l, l, l]\n" + "".join(
        f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 9)
    )
    with pytest.raises(DumpError, match="alias bomb") as info:
        load_snapshot(write(tmp_path, bomb))
    assert str(info.value).startswith(str(tmp_path / "dump.yaml") + ": refused at line ")


def test_an_object_written_twice_is_written_out_not_aliased() -> None:
    """Redaction copies every object today; the dumper would not alias a shared one either."""
    text = yaml.dump([NS, NS], Dumper=dumpfile._Dumper)
    assert "&" not in text and "*" not in text


def test_the_temp_file_is_private_from_its_creation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even before the chmod, with no umask to help, nobody but the owner can open the half-written dump."""
    modes: list[int] = []
    real_fchmod = os.fchmod

    def record(fd: int, mode: int) -> None:
        modes.append(stat.S_IMODE(os.fstat(fd).st_mode))
        real_fchmod(fd, mode)

    monkeypatch.setattr(dumpfile.os, "fchmod", record)
    old = os.umask(0)
    try:
        write_dump(tmp_path / "dump.yaml", [NS], datetime(2026, 11, 20, tzinfo=UTC))
    finally:
        os.umask(old)
    assert modes == [0o600]


def test_a_temp_file_that_vanished_before_the_rename_is_still_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone removed the temp file (a tmp cleaner, a second kftui): the user gets the reason, not a traceback."""
    out = tmp_path / "dump.yaml"

    def vanish(src: Path, _dst: Path) -> None:
        os.unlink(src)
        raise FileNotFoundError(errno.ENOENT, "No such file or directory")

    monkeypatch.setattr(dumpfile.os, "replace", vanish)
    with pytest.raises(DumpError, match="cannot write: No such file or directory"):
        write_dump(out, [NS], datetime.now(UTC))
    assert os.listdir(tmp_path) == []


def _app_dump(*extra: dict) -> str:
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "kubeflow", "namespace": "argocd"},
        "spec": {"project": "default", "destination": {"namespace": "kubeflow"}},
        "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}},
    }
    return yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [app, *extra]})


def test_a_dump_without_the_kinds_every_install_has_says_it_did_not_see_them() -> None:
    """Argo CD always has an AppProject and the apps a namespace: a dump without them was made without them,
    so the verdict names them as not seen (and sync windows as not checked) instead of calling it clean."""
    from kftui.checks.coverage import Coverage, verdict
    from kftui.checks.registry import run_checks
    from kftui.profile import builtin_profile

    snap = dumpfile.snapshot_from_text(_app_dump(), "apps-only.yaml")
    assert dict(snap.forbidden) == {"AppProject": "not in the dump", "Namespace": "not in the dump"}
    findings = run_checks(snap, builtin_profile("kubeflow"))
    assert [f.title for f in findings if f.check == "sync-window"] == [
        "Sync windows not checked: the AppProjects could not be listed"
    ]
    said = verdict(findings, snap)
    assert said.coverage is Coverage.PARTIAL
    assert "not seen: AppProject, Namespace" in said.headline

    project = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": "default", "namespace": "argocd"},
    }
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}}
    whole = dumpfile.snapshot_from_text(_app_dump(project, namespace), "whole.yaml")
    assert dict(whole.forbidden) == {}
    assert dict(dumpfile.snapshot_from_text(_app_dump(namespace), "no-project.yaml").forbidden) == {
        "AppProject": "not in the dump"
    }


def test_a_dump_of_workloads_alone_is_not_held_to_argo_cd_kinds() -> None:
    """Without Applications there is no Argo CD install in the dump to expect projects of."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "kubeflow"}}
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": [pod]})
    assert dict(dumpfile.snapshot_from_text(text, "pods.yaml").forbidden) == {}


def test_the_demo_holds_every_kind_an_install_has() -> None:
    assert dict(load_demo().forbidden) == {}


def test_a_dump_written_as_json_is_json(tmp_path: Path) -> None:
    out = tmp_path / "dump.json"
    write_dump(out, [NS, POD], datetime(2026, 11, 20, tzinfo=UTC), "json")
    document = json.loads(out.read_text())
    assert [item["kind"] for item in document["items"]] == ["Namespace", "Pod"]
    assert len(load_snapshot(out).pods) == 1

"""Hostile cluster text through every headless surface: text, JSON and JUnit reports, fix commands, the
conflicts report and the CLI's error line. Nothing that acts on a terminal gets through, JSON stays exact,
JUnit parses, and every command splits back to exactly its argv."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kftui import kinds
from kftui.checks.registry import run_checks
from kftui.cli import main
from kftui.cluster.dumpfile import load_demo
from kftui.kustomize import conflicts_command
from kftui.model import Finding, FixRef
from kftui.profile import Profile, detect_profile
from kftui.report import render_json, render_junit, render_text
from kftui.shellcmd import AND
from tests.hostile import SAMPLES, hostile_snapshot, hostile_text, unsafe_in

# The command words kftui may put before the first value from the cluster.
PROGRAMS = {
    "argocd": {"app"},
    "kubectl": {"rollout", "delete", "port-forward", "describe", "logs", "edit", "patch", "create", "get"},
    "kustomize": {"build"},
}


def _profile() -> Profile:
    return detect_profile({a.name for a in load_demo().applications.values()})


PROFILE = _profile()


def _findings(bad: str, keep_semantics: bool) -> tuple[list[Finding], object]:
    snap = hostile_snapshot(bad, keep_semantics)
    return run_checks(snap, PROFILE), snap


def _flat(ref: FixRef) -> list[str]:
    out: list[str] = []
    for i, argv in enumerate(ref.argvs):
        out += ([AND] if i else []) + list(argv)
    return out


def _check_command(ref: FixRef) -> None:
    assert shlex.split(ref.command) == _flat(ref)
    for argv in ref.argvs:
        assert argv[0] in PROGRAMS and argv[1] in PROGRAMS[argv[0]], argv
        if argv[:3] == ("kubectl", "rollout", "restart"):
            assert argv[3].split("/", 1)[0] in kinds.RESTARTABLE.values()
        if argv[:2] == ("kubectl", "describe"):
            assert argv[2] in kinds.DESCRIBABLE.values()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad=hostile_text, keep_semantics=st.booleans())
def test_reports_and_commands_stay_inert(bad: str, keep_semantics: bool) -> None:
    findings, snap = _findings(bad, keep_semantics)
    assert findings, "the hostile demo must still produce findings, or this test checks nothing"

    text = render_text(findings, snap)  # type: ignore[arg-type]
    assert unsafe_in(text, keep="\n") == []
    assert len(text.splitlines()) == len(render_text(findings, snap).split("\n")) - 1  # type: ignore[arg-type]

    data = json.loads(render_json(findings, snap))  # type: ignore[arg-type]
    assert [f["title"] for f in data["findings"]] == [f.title for f in findings]  # JSON keeps the data exact
    assert [x["command"] for f in data["findings"] for x in f["fixes"]] == [
        x.command for f in findings for x in f.fixes
    ]

    xml = render_junit(findings, snap)  # type: ignore[arg-type]
    assert unsafe_in(xml, keep="\n") == []
    ET.fromstring(xml.encode("utf-8"))

    for finding in findings:
        for ref in finding.fixes:
            _check_command(ref)
            if not unsafe_in(ref.command):
                assert f"fix {ref.id}: {ref.command}\n" in text  # shown exactly as it would be copied


def test_the_markup_and_escape_samples_are_in_the_text_report_literally() -> None:
    findings, snap = _findings("[@click=app.quit]x[/]\x1b[2J", True)
    text = render_text(findings, snap)  # type: ignore[arg-type]
    assert "[@click=app.quit]x[/]\\x1b[2J" in text
    assert "\x1b" not in text


@pytest.mark.parametrize("kind", ["Deployment; touch x; #", "ReplicaSet$(id)", "Job"])
def test_a_pod_owned_by_an_unknown_kind_gets_no_restart(kind: str) -> None:
    from tests.unit.fixtures.builders import fresh, pod, snapshot

    objects = fresh()
    objects.append(
        pod("kubeflow", "evil-0", "evil", ready=False, waiting="CrashLoopBackOff", owner_kind=kind)
    )
    findings = [f for f in run_checks(snapshot(objects), PROFILE) if f.subject.name == "evil-0"]
    assert findings
    for f in findings:
        assert "restart" not in [x.id for x in f.fixes]
        for ref in f.fixes:
            _check_command(ref)
            assert "touch x" not in " ".join(ref.argvs[0][:3])


@pytest.mark.parametrize("bad", SAMPLES[:9])
def test_conflicts_report_is_inert(tmp_path: Path, bad: str) -> None:
    name = json.dumps("dup" + bad)  # a YAML double-quoted scalar (JSON escapes are YAML escapes)
    role = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "kustomization.yaml").write_text("resources:\n- a\n- b\n")
    for sub in ("a", "b"):
        (tmp_path / sub / "kustomization.yaml").write_text("resources:\n- cm.yaml\n")
        (tmp_path / sub / "cm.yaml").write_text(role)
    text, status = conflicts_command(tmp_path, compare_real_build=False)
    assert status == 1 and "dup" in text
    assert unsafe_in(text, keep="\n") == []


def test_cli_error_line_is_one_inert_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "kube\x1b]52;c;ZXZpbA==\x07\nconfig\u202e"
    assert main(["check", "--kubeconfig", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kftui: error: ")
    assert unsafe_in(err, keep="\n") == []
    assert "\\x1b]52;c;ZXZpbA==\\x07\\nconfig\\u202e" in err

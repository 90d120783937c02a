"""`kftui check` and bad input, run as a user would: a separate process, stdout, stderr and exit code."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml


def kftui(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_check_demo_json_schema_and_exit_code() -> None:
    out = kftui("check", "--demo", "--output", "json")
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"findings", "summary"}
    assert set(data["summary"]) == {
        "error",
        "warning",
        "info",
        "root_causes",
        "coverage",
        "headline",
        "unseen",
    }
    assert data["summary"]["root_causes"] == sum(1 for f in data["findings"] if not f["caused_by"]) > 0
    assert data["summary"]["coverage"] == "complete" and data["summary"]["unseen"] == {}
    assert data["summary"]["error"] == sum(1 for f in data["findings"] if f["severity"] == "error") > 0
    for f in data["findings"]:
        assert set(f) == {
            "id",
            "check",
            "severity",
            "app",
            "subject",
            "title",
            "evidence",
            "explanation",
            "fixes",
            "caused_by",
        }
        assert isinstance(f["evidence"], list) and all(isinstance(line, str) for line in f["evidence"])
        assert set(f["subject"]) == {"kind", "namespace", "name", "cluster"}
        for fix in f["fixes"]:
            assert set(fix) == {"id", "title", "command"} and fix["command"]
    checks = {f["check"] for f in data["findings"]}
    assert {"pod-failing", "app-degraded"} <= checks
    crash = next(f for f in data["findings"] if f["check"] == "pod-failing")
    assert crash["app"] == "kubeflow" and "CrashLoopBackOff" in crash["evidence"][0]


def test_check_text_and_junit() -> None:
    text = kftui("check", "--demo")
    assert text.returncode == 1 and "errors," in text.stdout
    junit = kftui("check", "--demo", "--output", "junit")
    suite = ET.fromstring(
        junit.stdout.split("\n", 1)[1] if junit.stdout.startswith("<?xml") else junit.stdout
    )
    assert suite.tag == "testsuite" and int(suite.get("failures", "0")) >= 1
    failed = {c.get("name") for c in suite if c.find("failure") is not None}
    assert "pod-failing" in failed


def test_check_exits_zero_on_a_healthy_dump(tmp_path: Path) -> None:
    app = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "guestbook", "namespace": "argocd"},
        "spec": {"destination": {"namespace": "guestbook"}},
        "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}},
    }
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "guestbook"}}
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump_all([app, ns]))
    out = kftui("check", "--from-file", str(path))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 errors" in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _kubeconfig(tmp_path: Path, server: str) -> Path:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "u", "user": {"token": "s3cr3t-token-value"}}],
        "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "ctx",
    }
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    return path


def _bad_inputs(tmp_path: Path) -> dict[str, list[str]]:
    (tmp_path / "invalid.yaml").write_text("apiVersion: v1\nkind: [unclosed\n")
    (tmp_path / "notk8s.yaml").write_text("hello: world\nitems: 3\n")
    (tmp_path / "broken-kubeconfig").write_text("this: is not\n  - a kubeconfig\n")
    (tmp_path / "empty-kubeconfig").write_text("apiVersion: v1\nkind: Config\n")
    unreachable = _kubeconfig(tmp_path, f"https://127.0.0.1:{_free_port()}")
    return {
        "missing file": ["check", "--from-file", str(tmp_path / "missing.yaml")],
        "invalid yaml": ["check", "--from-file", str(tmp_path / "invalid.yaml")],
        "not kubernetes": ["check", "--from-file", str(tmp_path / "notk8s.yaml")],
        "broken kubeconfig": ["check", "--kubeconfig", str(tmp_path / "broken-kubeconfig")],
        "empty kubeconfig": ["check", "--kubeconfig", str(tmp_path / "empty-kubeconfig")],
        "missing kubeconfig": ["check", "--kubeconfig", str(tmp_path / "nope")],
        "unknown context": ["check", "--kubeconfig", str(unreachable), "--context", "nope"],
        "unreachable server": ["check", "--kubeconfig", str(unreachable)],
        "tui on missing file": ["--from-file", str(tmp_path / "missing.yaml")],
        "missing profile": ["check", "--demo", "--profile", str(tmp_path / "nope.yaml")],
        "demo and file": ["check", "--demo", "--from-file", str(tmp_path / "invalid.yaml")],
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing file",
        "invalid yaml",
        "not kubernetes",
        "broken kubeconfig",
        "empty kubeconfig",
        "missing kubeconfig",
        "unknown context",
        "unreachable server",
        "tui on missing file",
        "missing profile",
        "demo and file",
    ],
)
def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path, case: str) -> None:
    out = kftui(*_bad_inputs(tmp_path)[case])
    assert out.returncode == 2, f"{case}: rc={out.returncode}\n{out.stderr}"
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, f"{case}: expected one line, got:\n{out.stderr}"
    assert lines[0].startswith("kftui: error: ")
    assert "Traceback" not in out.stderr
    assert "s3cr3t-token-value" not in out.stderr + out.stdout


def test_unreachable_server_names_the_server(tmp_path: Path) -> None:
    port = _free_port()
    out = kftui("check", "--kubeconfig", str(_kubeconfig(tmp_path, f"https://127.0.0.1:{port}")))
    assert f"127.0.0.1:{port}" in out.stderr and "connection refused" in out.stderr


def _kubeflow_tree(root: Path) -> Path:
    """apps/pipelines and apps/profiles both include common/metacontroller, as the guide's single-app layout did."""
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "kubeflow-metacontroller"},
    }
    files = {
        "kustomization.yaml": {"resources": ["apps/pipelines", "apps/profiles"]},
        "apps/pipelines/kustomization.yaml": {"resources": ["../../common/metacontroller"]},
        "apps/profiles/kustomization.yaml": {"resources": ["../../common/metacontroller"]},
        "common/metacontroller/kustomization.yaml": {"resources": ["clusterrole.yaml"]},
        "common/metacontroller/clusterrole.yaml": role,
    }
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(yaml.safe_dump(content))
    return root


def test_conflicts_names_both_chains(tmp_path: Path) -> None:
    tree = _kubeflow_tree(tmp_path / "manifests")
    # No kustomize on PATH, so the run is the same on every machine (the real build: tests/e2e).
    out = kftui(
        "conflicts", str(tree), "--output", "json", env={**os.environ, "PATH": str(tmp_path / "no-bin")}
    )
    assert out.returncode == 1, out.stderr
    data = json.loads(out.stdout)
    assert data["real_build"] is None and any("no real build" in n for n in data["notes"])
    (dup,) = data["duplicates"]
    assert (dup["kind"], dup["name"], dup["namespace"]) == ("ClusterRole", "kubeflow-metacontroller", None)
    assert sorted(dup["chains"]) == [
        [".", "apps/pipelines", "common/metacontroller"],
        [".", "apps/profiles", "common/metacontroller"],
    ]


def test_check_with_manifests_attaches_the_chains_to_the_finding(tmp_path: Path) -> None:
    tree = _kubeflow_tree(tmp_path / "manifests")
    out = kftui("check", "--demo", "--manifests", str(tree), "--output", "json")
    finding = next(f for f in json.loads(out.stdout)["findings"] if f["check"] == "kustomize-duplicate-id")
    chains = [line for line in finding["evidence"] if line.startswith("include chain")]
    assert any("apps/pipelines" in c for c in chains) and any("apps/profiles" in c for c in chains)


def test_conflicts_on_a_missing_path_is_one_line(tmp_path: Path) -> None:
    out = kftui("conflicts", str(tmp_path / "nope"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1

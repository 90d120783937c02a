"""`kftui sync` against the lab's real Argo CD: the chain synced in order (exit 0), and a stop that names why (exit 1)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.fix_helpers import now, op_state, parse, status, wait_idle

pytestmark = pytest.mark.e2e

CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")


def kftui_sync(lab: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", "sync", "--kubeconfig", str(lab.kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "KFTUI_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        },
    )


def test_ordered_sync_of_the_chain_ends_0_with_a_line_per_step(lab: Any, tmp_path: Path) -> None:
    lab.wait_for(
        lambda: all(status(lab.app(n)) == ("Synced", "Healthy") for n in CHAIN), 240, "the kubeflow chain up"
    )
    since = now()
    out = kftui_sync(lab, tmp_path, *CHAIN[::-1], "--ordered", "--timeout", "3m")
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[-1] == "ok: 3 apps synced"
    done = [line for line in lines if ": done: " in line]
    assert [line.split(":")[0] for line in done] == [
        "[1/3] kubeflow",
        "[2/3] kubeflow-seaweedfs",
        "[3/3] kubeflow-pipelines",
    ]
    states = [op_state(lab.app(n)) for n in CHAIN]
    assert all(parse(state["startedAt"]) >= since.replace(microsecond=0) for state in states)
    for earlier, later in itertools.pairwise(states):  # Argo CD's own timestamps: one app after the other
        assert parse(later["startedAt"]) >= parse(earlier["finishedAt"])
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(e["target"], e["result"]) for e in audit] == [(f"Application/argocd/{n}", "ok") for n in CHAIN]


def test_a_stop_ends_1_naming_the_app_the_reason_and_its_findings(lab: Any, tmp_path: Path) -> None:
    """`duplicate` cannot be rendered (a kustomize duplicate id): the run stops there and never touches `drift`."""
    for name in ("good", "duplicate", "drift"):
        wait_idle(lab, name)
    # The scenario's precondition, whatever earlier tests did to `duplicate`: its comparison condition
    # quotes the duplicate id (a hard refresh renders it again), as on an install that just failed.
    lab.refresh("duplicate", "hard")
    lab.wait_for(
        lambda: (
            any(
                "already registered id" in (c.get("message") or "")
                for c in lab.app("duplicate").get("status", {}).get("conditions") or ()
            )
            and "argocd.argoproj.io/refresh" not in lab.app("duplicate")["metadata"].get("annotations", {})
        ),
        120,
        "duplicate's ComparisonError condition quoting the duplicate id",
    )
    drift_before = op_state(lab.app("drift")).get("startedAt")
    out = kftui_sync(
        lab, tmp_path, "good", "duplicate", "drift", "--ordered", "--timeout", "90s", "-o", "json"
    )
    assert out.returncode == 1, out.stdout + out.stderr
    doc = json.loads(out.stdout)
    assert doc["ok"] is False and doc["stopped_at"] == "duplicate"
    assert [s["state"] for s in doc["steps"]] == ["done", "failed", "pending"]
    assert "kustomize-duplicate-id" in {f["check"] for f in doc["explained_by"]}
    # It stops at the root cause, not the first symptom: the duplicate id leads, and the stop names it.
    root = doc["explained_by"][0]
    assert (
        root["check"] == "kustomize-duplicate-id"
        and root["caused_by"] == []
        and doc["root_cause"] == root["id"]
    )
    assert f"; root cause: {root['id']}: " in doc["reason"], doc["reason"]
    assert "[2/3] duplicate: failed" in out.stderr  # the progress went to stderr, the JSON alone to stdout
    assert op_state(lab.app("drift")).get("startedAt") == drift_before
    wait_idle(lab, "duplicate")


def test_unknown_apps_and_read_only_cannot_run(lab: Any, tmp_path: Path) -> None:
    out = kftui_sync(lab, tmp_path, "no-such-app")
    assert out.returncode == 2 and out.stderr.strip() == "kftui: error: no Application named no-such-app"
    out = kftui_sync(lab, tmp_path, "good", "--read-only")
    assert out.returncode == 2 and "--read-only refuses every sync" in out.stderr

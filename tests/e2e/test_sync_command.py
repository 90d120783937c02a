"""`kftui sync` against the lab's real Argo CD: the chain synced in order (exit 0), and a stop that names why (exit 1)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.blocker_fixtures import crd
from tests.e2e.fix_helpers import now, op_state, parse, status, wait_idle
from tests.lab import scenarios

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


def _scratch_install(tag: str) -> dict[str, str]:
    """The seed guide's three-app shape, never synced: core defines a CRD, seaweedfs an object store, and
    pipelines a custom resource of core's CRD, so syncing pipelines before core fails on the missing kind."""
    group = f"scratch{tag}.kftui.test"
    pipelinerun_crd = crd(group, "PipelineRun", "pipelineruns")
    run = {"apiVersion": f"{group}/v1", "kind": "PipelineRun", "metadata": {"name": "first-run"}}

    def deployment(name: str) -> dict[str, Any]:
        labels = {"app": name}
        return {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": labels},
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [{"name": name, "image": f"registry.invalid/{name}:v1"}]},
                },
            },
        }

    def tree(*docs: dict[str, Any]) -> dict[str, str]:
        return {
            "kustomization.yaml": yaml.safe_dump({"resources": ["resources.yaml"]}),
            "resources.yaml": yaml.safe_dump_all(docs),
        }

    files = {}
    for path, docs in (
        ("core", (pipelinerun_crd, deployment("central-dashboard"))),
        ("seaweedfs", (deployment("seaweedfs"),)),
        ("pipelines", (run, deployment("ml-pipeline"))),
    ):
        files.update({f"{path}/{name}": text for name, text in tree(*docs).items()})
    return files


def test_ordered_sync_wait_installs_the_three_apps_from_scratch_and_ends_0(lab: Any, tmp_path: Path) -> None:
    """Three Applications applied and never synced (the seed guide's step 1 and 2), no namespace, no CRD:
    synced out of order, pipelines stops at its missing kind (exit 1); `kftui sync --ordered --wait` then syncs
    core, then seaweedfs, then pipelines, each Synced and Healthy first (exit 0)."""
    tag = uuid.uuid4().hex[:6]
    repo = f"scratch-{tag}"
    scenarios.create_repo(lab.repos_dir / repo, _scratch_install(tag))
    names = {path: f"{repo}-{path}" for path in ("core", "seaweedfs", "pipelines")}
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        yaml.safe_dump(
            {
                "name": "scratch",
                "applications": [
                    {"name": names["core"]},
                    {"name": names["seaweedfs"], "depends_on": [names["core"]]},
                    {"name": names["pipelines"], "depends_on": [names["seaweedfs"]]},
                ],
            }
        )
    )
    apps = [scenarios.application(n, lab.repo_url(repo), path, n, auto=False) for path, n in names.items()]
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump_all(apps)).returncode == 0
    try:
        for n in names.values():
            lab.wait_for(lambda n=n: status(lab.app(n)) == ("OutOfSync", "Missing"), 120, f"{n} compared")
        assert lab.kubectl("get", "namespace", names["core"]).returncode != 0  # nothing installed yet
        # Out of order, pipelines alone: Argo CD rejects the sync (its kind is unknown), and the stop leads
        # with that root cause, not with the app's OutOfSync and Missing that follow from it.
        out = kftui_sync(lab, tmp_path, names["pipelines"], "--wait", "--timeout", "60s", "-o", "json")
        assert out.returncode == 1, out.stdout + out.stderr
        doc = json.loads(out.stdout)
        assert doc["stopped_at"] == names["pipelines"]
        assert doc["root_cause"] == f"crd-missing:PipelineRun/{names['pipelines']}/first-run"
        assert "app-degraded" in {f["check"] for f in doc["explained_by"][1:]}  # Missing: nothing applied
        assert all(f["caused_by"] for f in doc["explained_by"][1:])
        # Asked in the wrong order, as a script might: the profile's chain decides.
        out = kftui_sync(
            lab, tmp_path, *reversed(names.values()), "--profile", str(profile), "--ordered", "--wait",
            "--timeout", "4m",
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        assert out.stdout.splitlines()[-1] == "ok: 3 apps synced"
        done = [line.split(":")[0] for line in out.stdout.splitlines() if ": done: " in line]
        assert done == [f"[{i}/3] {n}" for i, n in enumerate(names.values(), 1)]
        assert all(status(lab.app(n)) == ("Synced", "Healthy") for n in names.values())
        states = [op_state(lab.app(n)) for n in names.values()]
        for earlier, later in itertools.pairwise(states):  # Argo CD's own timestamps: one app after the other
            assert parse(later["startedAt"]) >= parse(earlier["finishedAt"])
        ready = lab.get_json("deployment", "ml-pipeline", "-n", names["pipelines"])["status"]
        assert ready.get("availableReplicas") == 1
    finally:
        lab.kubectl("delete", "applications.argoproj.io", *names.values(), "-n", "argocd", "--wait=false")
        lab.kubectl("delete", "crd", f"pipelineruns.scratch{tag}.kftui.test", "--wait=false")


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

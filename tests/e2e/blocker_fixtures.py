"""The manifests and helpers of test_sync_blockers.py: apps that block a sync, and kftui run as a person would."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef
from tests.e2e.fix_helpers import snapshot, status, wait_idle
from tests.lab import scenarios

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"k": "v"}}


def wave(n: int) -> dict[str, str]:
    return {"argocd.argoproj.io/sync-wave": str(n)}


def deployment(pod_labels: dict[str, str]) -> dict[str, Any]:
    """Wave 0 of a two-wave app. kwok turns a pod labelled kftui.lab/crash-loop=true into CrashLoopBackOff
    (tests/lab/config/kwok-lab.yaml), so its Deployment never becomes available."""
    labels = {"app": "api"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "api", "annotations": wave(0)},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": {**labels, **pod_labels}},
                "spec": {"containers": [{"name": "api", "image": "registry.invalid/api:v1"}]},
            },
        },
    }


def hook(pod_labels: dict[str, str]) -> dict[str, Any]:
    """A PostSync Job; kwok fails a pod labelled kftui.lab/fail=true (exit 1), and with no retry the Job fails."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "name": "smoke-test",
            "annotations": {
                "argocd.argoproj.io/hook": "PostSync",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
            },
        },
        "spec": {
            "backoffLimit": 0,
            "template": {
                "metadata": {"labels": pod_labels},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "smoke", "image": "registry.invalid/smoke:v1"}],
                },
            },
        },
    }


def later_wave() -> str:
    return yaml.safe_dump({**CONFIGMAP, "metadata": {"name": "after-api", "annotations": wave(1)}})


def make_app(lab: Any, prefix: str, files: dict[str, str]) -> tuple[str, str, str]:
    """A repo and a manual-sync Application of it, compared once: (repo, app, destination namespace)."""
    repo = f"{prefix}-{uuid.uuid4().hex[:6]}"
    scenarios.create_repo(lab.repos_dir / repo, files)
    name = f"kftui-{repo}"
    app = scenarios.application(name, lab.repo_url(repo), ".", f"demo-{name}", auto=False)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} compared")
    return repo, name, f"demo-{name}"


def profile_file(tmp_path: Path, doc: dict[str, Any], name: str = "profile.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump({"name": "lab", **doc}))
    return path


def kftui(lab: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args, "--kubeconfig", str(lab.kubeconfig)],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KFTUI_AUDIT_LOG": str(tmp_path / "sync.jsonl")},
    )


def findings(lab: Any, tmp_path: Path, profile: Path, check: str, app: str) -> list[dict[str, Any]]:
    out = kftui(lab, tmp_path, "check", "--profile", str(profile), "--output", "json")
    assert out.returncode in (0, 1), out.stderr
    return [f for f in json.loads(out.stdout)["findings"] if f["check"] == check and f["app"] == app]


def sync_and_expect_healthy(lab: Any, runner: Any, kube: Any, name: str, revision: str) -> None:
    """After the cause is fixed in git (commit `revision`): a hard refresh, a sync through the fix runner of
    that revision, Synced and Healthy. The sync waits until Argo CD has compared with the commit: a sync
    asked for before the refresh lands runs the old revision (seen in CI: the old failing hook again)."""
    ref = ObjectRef("Application", "argocd", name)
    assert runner.run(plan_action("hard-refresh", ref, snapshot(kube))).ok
    lab.wait_for(
        lambda: lab.app(name).get("status", {}).get("sync", {}).get("revision") == revision,
        120,
        f"{name} compared with {revision[:8]}",
    )
    wait_idle(lab, name, 60)
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy")


def crd(group: str, kind: str, plural: str) -> dict[str, Any]:
    """A namespaced CustomResourceDefinition (one served version, v1) that keeps whatever fields it is given."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{group}"},
        "spec": {
            "group": group,
            "names": {"kind": kind, "plural": plural, "singular": kind.lower(), "listKind": f"{kind}List"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
                    },
                }
            ],
        },
    }


WIDGET_CRD = crd("blockers.kftui.test", "Widget", "widgets")
KEEP = "blockers.kftui.test/keep"

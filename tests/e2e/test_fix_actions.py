"""Every fix action against the lab's real Argo CD, through both backends (Kubernetes API and REST)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui.checks.registry import run_checks
from kftui.cluster.ops import SyncRequest
from kftui.fixes.plan import plan_action, plan_fix
from kftui.model import ObjectRef
from kftui.profile import builtin_profile
from tests.e2e.fix_helpers import (
    BACKENDS,
    E2E_USER,
    audit_events,
    make_runner,
    now,
    op_state,
    snapshot,
    status,
    wait_idle,
    wait_op_done,
    writes,
)
from tests.lab import scenarios

pytestmark = pytest.mark.e2e

DRIFT = ObjectRef("Application", "argocd", "drift")


def _drift(lab: Any) -> str:
    """Commit a new value to the drift repo and let Argo CD notice: the app goes OutOfSync."""
    wait_idle(lab, "drift")
    value = f"changed-{time.time_ns()}"
    sha = lab.commit("drift", "configmap.yaml", scenarios.drift_configmap(value), "drift: change the setting")
    lab.refresh("drift")
    lab.wait_for(
        lambda: (
            (a := lab.app("drift"))["status"]["sync"].get("revision") == sha and status(a)[0] == "OutOfSync"
        ),
        120,
        f"drift OutOfSync at {sha[:8]}",
    )
    return value


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_turns_the_drifted_app_synced(lab: Any, tmp_path: Path, backend: str) -> None:
    value = _drift(lab)
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    snap = snapshot(kube)
    finding = next(
        f for f in run_checks(snap, builtin_profile()) if f.app == "drift" and f.check == "app-out-of-sync"
    )
    plan = plan_fix(finding, "sync", snap, builtin_profile())
    assert plan.command == "argocd app sync drift"
    since = now()
    result = runner.run(plan)
    assert result.ok, result.message
    app = wait_op_done(lab, "drift", since)
    assert op_state(app)["phase"] == "Succeeded", op_state(app)
    lab.wait_for(lambda: status(lab.app("drift"))[0] == "Synced", 60, "drift Synced")
    live = lab.get_json("configmap", "drift-settings", "-n", "demo-drift")
    assert live["data"]["value"] == value
    if backend == "kubernetes":
        assert op_state(app)["operation"]["initiatedBy"]["username"] == f"kftui:{E2E_USER}"
    entries = runner.gate.audit.entries() if runner.gate.audit else []
    assert [(e["action"], e["result"], e["backend"]) for e in entries] == [("sync", "ok", backend)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("fix_id", "check"),
    [
        ("force-sync", lambda sync: sync["syncStrategy"]["hook"]["force"] is True),
        ("replace", lambda sync: "Replace=true" in sync["syncOptions"]),
        ("server-side-apply", lambda sync: "ServerSideApply=true" in sync["syncOptions"]),
        ("sync-prune", lambda sync: sync["prune"] is True),
    ],
)
def test_sync_variants_reach_argo_cd_as_such(
    lab: Any, tmp_path: Path, backend: str, fix_id: str, check: Any
) -> None:
    wait_idle(lab, "drift")
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    plan = plan_action(fix_id, DRIFT, snapshot(kube))
    assert plan.confirm_word in ("drift", None)
    since = now()
    result = runner.run(plan)
    assert result.ok, result.message
    app = wait_op_done(lab, "drift", since)
    sync = op_state(app)["operation"]["sync"]
    assert check(sync), sync
    assert op_state(app)["phase"] == "Succeeded", op_state(app).get("message")


@pytest.mark.parametrize("backend", BACKENDS)
def test_hard_refresh_is_observed_by_the_controller(lab: Any, tmp_path: Path, backend: str) -> None:
    wait_idle(lab, "drift")
    log = lab.logs_dir / "argocd-application-controller.log"

    def drift_lines() -> list[str]:
        return [line for line in log.read_text(errors="replace").splitlines() if "application=drift" in line]

    # The controller's own log is the evidence: reconciledAt has one-second granularity, and a hard refresh
    # that completes within the second of the previous reconciliation leaves it unchanged.
    seen = len(drift_lines())
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    result = runner.run(plan_action("hard-refresh", DRIFT, snapshot(kube)))
    assert result.ok, result.message

    def hard_refresh_completed() -> bool:
        new = drift_lines()[seen:]
        requested = next((i for i, line in enumerate(new) if "hard refresh requested" in line), None)
        return requested is not None and any("Reconciliation completed" in line for line in new[requested:])

    # Generous bounds: on a loaded 2-core machine the controller can take over a minute to get to it.
    lab.wait_for(hard_refresh_completed, 180, "the controller logging a completed hard refresh of drift")
    lab.wait_for(
        lambda: "argocd.argoproj.io/refresh" not in lab.app("drift")["metadata"].get("annotations", {}),
        180,
        "the refresh annotation consumed by the controller",
    )


SLOW_FILES = {
    "kustomization.yaml": yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
         "resources": ["deployment.yaml", "configmap.yaml"]}
    ),
    "deployment.yaml": yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "slow", "annotations": {"argocd.argoproj.io/sync-wave": "0"}},
            "spec": {
                "replicas": 1,
                "progressDeadlineSeconds": 3600,
                "selector": {"matchLabels": {"app": "slow"}},
                "template": {
                    "metadata": {"labels": {"app": "slow", "kftui.lab/crash-loop": "true"}},
                    "spec": {"containers": [{"name": "slow", "image": "registry.invalid/slow:v1"}]},
                },
            },
        }
    ),
    "configmap.yaml": yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap",
         "metadata": {"name": "after-slow", "annotations": {"argocd.argoproj.io/sync-wave": "1"}},
         "data": {"k": "v"}}
    ),
}  # fmt: skip


def _slow_app(lab: Any, name: str) -> None:
    """An app whose sync waits forever: wave 0 is a Deployment whose pods crash-loop (kwok stage)."""
    repo = lab.repos_dir / "slow"
    if not repo.exists():
        scenarios.create_repo(repo, SLOW_FILES)
    app = scenarios.application(name, lab.repo_url("slow"), ".", f"demo-{name}", auto=False)
    out = lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app))
    assert out.returncode == 0, out.stderr
    lab.wait_for(lambda: status(lab.app(name))[0] in ("OutOfSync", "Synced"), 120, f"{name} compared")


@pytest.mark.parametrize("backend", BACKENDS)
def test_terminate_stops_a_running_sync(lab: Any, tmp_path: Path, backend: str) -> None:
    name = f"kftui-slow-{backend}-{uuid.uuid4().hex[:6]}"  # a fresh app: a leftover may still be stuck
    _slow_app(lab, name)
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok

    def running() -> bool:
        state = op_state(lab.app(name))
        return state.get("phase") == "Running" and "waiting" in state.get("message", "").lower()

    lab.wait_for(running, 120, f"{name}'s sync waiting on its crash-looping wave 0")
    # While it runs, Argo CD's guard refuses a second sync (a plan made earlier is not blocked by us).
    second = runner.sync_app(name, SyncRequest())
    assert not second.ok and "another operation is already in progress" in second.message, second.message
    plan = plan_action("terminate", ref, snapshot(kube))
    assert plan.blocked is None, plan.blocked
    result = runner.run(plan)
    assert result.ok, result.message
    app = lab.wait_for(
        lambda: (
            (a := lab.app(name))
            and not a.get("operation")
            and op_state(a).get("phase") in ("Failed", "Error")
            and a
        ),
        60,
        f"{name}'s operation terminated",
    )
    assert "terminated" in op_state(app)["message"].lower()
    # the wave after the stuck one never ran
    assert lab.kubectl("get", "configmap", "after-slow", "-n", f"demo-{name}").returncode != 0
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


def test_restart_and_delete_pod_through_the_kubernetes_api(lab: Any, tmp_path: Path) -> None:
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    lab.wait_for(
        lambda: lab.get_json("pods", "-n", "kubeflow", "-l", "app=crash-looper")["items"],
        60,
        "crash-looper pod",
    )
    snap = snapshot(kube)
    pod = next(
        p for p in snap.pods.values() if p.namespace == "kubeflow" and p.name.startswith("crash-looper")
    )
    since = now()
    restart = plan_action("restart", pod.ref, snap)
    assert restart.target == ObjectRef("Deployment", "kubeflow", "crash-looper")
    assert runner.run(restart).ok
    deploy = lab.get_json("deployment", "crash-looper", "-n", "kubeflow")
    stamp = deploy["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
    assert stamp.endswith("Z")
    lab.wait_for(
        lambda: any(
            p["metadata"]["annotations"].get("kubectl.kubernetes.io/restartedAt") == stamp
            for p in lab.get_json("pods", "-n", "kubeflow", "-l", "app=crash-looper")["items"]
            if p["metadata"].get("annotations")
        ),
        60,
        "a pod of the restarted template",
    )
    snap = snapshot(kube)
    victim = next(
        p
        for p in snap.pods.values()
        if p.namespace == "kubeflow" and p.name.startswith("crash-looper") and not p.deleting
    )
    assert runner.run(plan_action("delete-pod", victim.ref, snap)).ok
    lab.wait_for(
        lambda: (
            victim.name
            not in {
                p["metadata"]["name"]
                for p in lab.get_json("pods", "-n", "kubeflow", "-l", "app=crash-looper")["items"]
            }
        ),
        60,
        f"pod {victim.name} gone",
    )
    verbs = sorted((e["verb"], e["objectRef"]["resource"]) for e in writes(audit_events(lab, since)))
    assert ("patch", "deployments") in verbs and ("delete", "pods") in verbs


CRD_FILES = {
    "kustomization.yaml": yaml.safe_dump(
        {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
         "resources": ["crd.yaml", "widget.yaml"]}
    ),
    "crd.yaml": yaml.safe_dump(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.kftui.example.com"},
            "spec": {
                "group": "kftui.example.com",
                "names": {"kind": "Widget", "plural": "widgets", "singular": "widget"},
                "scope": "Namespaced",
                "versions": [
                    {"name": "v1", "served": True, "storage": True,
                     "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}}
                ],
            },
        }
    ),
    "widget.yaml": yaml.safe_dump(
        {"apiVersion": "kftui.example.com/v1", "kind": "Widget", "metadata": {"name": "w1"}, "spec": {"size": 3}}
    ),
}  # fmt: skip


def test_sync_crds_first_then_the_rest(lab: Any, tmp_path: Path) -> None:
    """Two operations: the first names only the CRD (Argo CD's task list shows it), then a full sync."""
    repo = lab.repos_dir / "crds"
    if not repo.exists():
        scenarios.create_repo(repo, CRD_FILES)
    name = f"kftui-crds-{uuid.uuid4().hex[:6]}"
    app = scenarios.application(name, lab.repo_url("crds"), ".", f"demo-{name}", auto=False)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(
        lambda: (
            {r["kind"] for r in lab.app(name).get("status", {}).get("resources", [])}
            >= {"CustomResourceDefinition", "Widget"}
        ),
        120,
        f"{name} listing its CRD and Widget",
    )
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    plan = plan_action("sync-crds-first", ObjectRef("Application", "argocd", name), snapshot(kube))
    assert plan.sync is not None and [r.name for r in plan.sync.resources] == ["widgets.kftui.example.com"]
    result = runner.run(plan)
    assert result.ok, result.message
    lab.wait_for(lambda: status(lab.app(name))[0] == "Synced", 120, f"{name} Synced")
    assert lab.get_json("widgets.kftui.example.com", "w1", "-n", f"demo-{name}")["spec"]["size"] == 3
    log = [
        line
        for line in (lab.logs_dir / "argocd-application-controller.log")
        .read_text(errors="replace")
        .splitlines()
        if f"application={name}" in line
    ]
    tasks = [line for line in log if "msg=Tasks" in line or 'msg="Tasks' in line]
    assert tasks and "CustomResourceDefinition" in tasks[0] and "Widget:" not in tasks[0], tasks[:1]
    assert any("Partial sync operation" in line and "succeeded" in line for line in log)
    assert any("Widget:" in t for t in tasks[1:]), tasks
    entries = runner.gate.audit.entries() if runner.gate.audit else []
    assert [(e["action"], e["result"]) for e in entries] == [("sync-crds-first", "ok")] * 2
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


@pytest.mark.parametrize("backend", BACKENDS)
def test_sync_create_namespace_sets_the_option_and_the_sync_creates_it(
    lab: Any, tmp_path: Path, backend: str
) -> None:
    name = f"kftui-nons-{uuid.uuid4().hex[:6]}"
    app = scenarios.application(name, lab.repo_url("drift"), ".", f"demo-{name}", auto=False)
    app["spec"]["syncPolicy"] = {}  # no CreateNamespace=true: a plain sync fails on the missing namespace
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} OutOfSync")
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    plan = plan_action("sync-create-namespace", ObjectRef("Application", "argocd", name), snapshot(kube))
    since = now()
    result = runner.run(plan)
    assert result.ok, result.message
    done = wait_op_done(lab, name, since)
    assert op_state(done)["phase"] == "Succeeded", op_state(done).get("message")
    assert "CreateNamespace=true" in lab.app(name)["spec"]["syncPolicy"]["syncOptions"]
    assert lab.get_json("namespace", f"demo-{name}")["status"]["phase"] == "Active"
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


@pytest.mark.parametrize("backend", BACKENDS)
def test_disable_auto_prune(lab: Any, tmp_path: Path, backend: str) -> None:
    def prune() -> Any:
        return lab.app("good")["spec"]["syncPolicy"]["automated"].get("prune")

    assert prune() is True
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    try:
        result = runner.run(
            plan_action("disable-auto-prune", ObjectRef("Application", "argocd", "good"), snapshot(kube))
        )
        assert result.ok, result.message
        assert not prune()  # false, or absent once Argo CD re-serialises it (omitempty)
        assert (
            lab.app("good")["spec"]["syncPolicy"]["automated"].get("selfHeal") is True
        )  # nothing else changed
    finally:
        patch = '{"spec":{"syncPolicy":{"automated":{"prune":true}}}}'
        lab.kubectl(
            "patch", "applications.argoproj.io", "good", "-n", "argocd", "--type", "merge", "-p", patch
        )


def test_create_namespace(lab: Any, tmp_path: Path) -> None:
    name = f"kftui-ns-{uuid.uuid4().hex[:6]}"
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    target = ObjectRef("Namespace", None, name)
    assert runner.run(plan_action("create-namespaces", target, snapshot(kube))).ok
    assert lab.get_json("namespace", name)["status"]["phase"] == "Active"
    again = plan_action("create-namespaces", target, snapshot(kube))
    assert again.blocked == f"namespace {name} already exists"
    lab.kubectl("delete", "namespace", name, "--wait=false")

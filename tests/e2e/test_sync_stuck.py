"""A sync stuck on a PreSync hook, on the lab's real Argo CD: sync-stuck names the hook, terminate clears it,
and once git no longer has the hook the app syncs (issue 16's first scenario)."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef
from tests.e2e.fix_helpers import make_runner, op_state, snapshot, status
from tests.lab import scenarios

pytestmark = pytest.mark.e2e

HOOK = {
    "apiVersion": "batch/v1",
    "kind": "Job",
    "metadata": {
        "name": "schema-migrate",
        "annotations": {
            "argocd.argoproj.io/hook": "PreSync",
            "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        },
    },
    "spec": {
        "backoffLimit": 0,
        "template": {
            "spec": {
                "restartPolicy": "Never",
                # No node matches: the hook's pod stays Pending, so the sync waits on it forever.
                "nodeSelector": {"kftui.lab/no-such-node": "true"},
                "containers": [{"name": "migrate", "image": "registry.invalid/migrate:v1"}],
            }
        },
    },
}
FILES = {
    "kustomization.yaml": yaml.safe_dump({"resources": ["hook.yaml", "configmap.yaml"]}),
    "hook.yaml": yaml.safe_dump(HOOK),
    "configmap.yaml": yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"k": "v"}}
    ),
}


def release_guarded(lab: Any, ns: str) -> None:
    """What a person does once told: take the finalizer off the ConfigMap `guarded` that holds `ns`."""
    lab.kubectl(
        "patch", "configmap", "guarded", "-n", ns, "--type", "merge", "-p", '{"metadata":{"finalizers":null}}'
    )


def kftui_check(lab: Any, profile: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "kftui", "check", "--kubeconfig", str(lab.kubeconfig), "--profile", str(profile),
         "--output", "json"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_a_sync_stuck_on_a_presync_hook_is_named_terminated_and_then_syncs(lab: Any, tmp_path: Path) -> None:
    repo_name = f"stuck-hook-{uuid.uuid4().hex[:6]}"
    scenarios.create_repo(lab.repos_dir / repo_name, FILES)
    name = f"kftui-{repo_name}"
    app = scenarios.application(name, lab.repo_url(repo_name), ".", f"demo-{name}", auto=False)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} compared")
    profile = tmp_path / "profile.yaml"
    profile.write_text(
        yaml.safe_dump({"name": "lab", "applications": [{"name": name, "sync_stuck_seconds": 5}]})
    )

    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok

    def stuck() -> dict[str, Any] | None:
        found = [
            f
            for f in kftui_check(lab, profile)["findings"]
            if f["check"] == "sync-stuck" and f["app"] == name
        ]
        return found[0] if found and "hook Job" in found[0]["title"] else None

    finding = lab.wait_for(stuck, 120, "sync-stuck naming the PreSync hook")
    assert finding["title"].endswith(f"waiting for PreSync hook Job demo-{name}/schema-migrate")
    evidence = "\n".join(finding["evidence"])  # (a list: one item per piece of evidence)
    assert "pod schema-migrate-" in evidence and "Pending" in evidence
    assert "the lab profile allows 5 s" in evidence
    assert [fix["id"] for fix in finding["fixes"]] == ["terminate", "delete-hook"]
    hook_fix = finding["fixes"][1]
    assert hook_fix["command"] == (
        f"argocd app terminate-op {name} && kubectl delete job schema-migrate -n demo-{name}"
    )

    # delete-hook: the operation terminated first (waited for), then the hanging hook Job deleted.
    plan = plan_action("delete-hook", ref, snapshot(kube))
    assert plan.changes[0].startswith("1. terminate") and plan.changes[1].startswith("2. delete")
    result = runner.run(plan)
    assert result.ok, result.message
    assert not lab.app(name).get("operation")
    assert op_state(lab.app(name)).get("phase") in ("Failed", "Error")
    lab.wait_for(
        lambda: lab.kubectl("get", "job", "schema-migrate", "-n", f"demo-{name}").returncode != 0,
        60,
        "the hook Job deleted",
    )
    audit = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert [(e["action"], e["result"]) for e in audit[-2:]] == [("terminate", "ok"), ("delete-hook", "ok")]
    assert not [
        f for f in kftui_check(lab, profile)["findings"] if f["check"] == "sync-stuck" and f["app"] == name
    ]

    # The cause fixed in git (the hook removed), a hard refresh and a sync: the app ends Synced and Healthy.
    lab.commit(
        repo_name, "kustomization.yaml", yaml.safe_dump({"resources": ["configmap.yaml"]}), "drop the hook"
    )
    assert runner.run(plan_action("hard-refresh", ref, snapshot(kube))).ok
    lab.wait_for(lambda: op_state(lab.app(name)).get("phase") != "Running", 30, "idle")
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy")
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


def test_a_namespace_held_by_a_finalizer_is_named_with_the_finalizer(lab: Any, tmp_path: Path) -> None:
    """The real namespace controller's conditions, through kftui: which finalizer holds which namespace."""
    ns = f"kftui-held-{uuid.uuid4().hex[:6]}"
    held = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "guarded", "namespace": ns, "finalizers": ["example.com/keep"]},
        "data": {"k": "v"},
    }
    assert lab.kubectl("create", "namespace", ns).returncode == 0
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(held)).returncode == 0
    assert lab.kubectl("delete", "namespace", ns, "--wait=false").returncode == 0
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"name": "lab", "deletion_grace_seconds": 1}))
    try:

        def named() -> dict[str, Any] | None:
            found = [
                f
                for f in kftui_check(lab, profile)["findings"]
                if f["check"] == "finalizer-stuck" and f["subject"]["name"] == ns
            ]
            return found[0] if found and "example.com/keep" in "\n".join(found[0]["evidence"]) else None

        finding = lab.wait_for(named, 120, f"finalizer-stuck naming the finalizer that holds {ns}")
        assert finding["title"].startswith(f"Namespace {ns} Terminating for ")
        assert "NamespaceFinalizersRemaining" in "\n".join(finding["evidence"])
    finally:  # what a person would do once told: remove the finalizer, and the namespace goes
        release_guarded(lab, ns)
    lab.wait_for(lambda: lab.kubectl("get", "namespace", ns).returncode != 0, 120, f"{ns} gone")


def test_remove_finalizers_clears_a_namespace_stuck_terminating_and_the_app_then_syncs(
    lab: Any, tmp_path: Path
) -> None:
    """A namespace of an app deleted while its own finalizer's controller is gone: finalizer-stuck offers
    remove-finalizers, which (typed to confirm in the UI) lets the namespace go; the app then syncs again."""
    repo_name = f"held-ns-{uuid.uuid4().hex[:6]}"
    files = {"kustomization.yaml": yaml.safe_dump({"resources": ["configmap.yaml"]})}
    scenarios.create_repo(lab.repos_dir / repo_name, {**files, "configmap.yaml": FILES["configmap.yaml"]})
    name, ns = f"kftui-{repo_name}", f"demo-kftui-{repo_name}"
    app = scenarios.application(name, lab.repo_url(repo_name), ".", ns, auto=False)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} compared")
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy")

    # A finalizer whose controller is not installed: the namespace empties, then stays Terminating.
    held = lab.kubectl(
        "patch", "namespace", ns, "--type", "merge", "-p", '{"metadata":{"finalizers":["example.com/keep"]}}'
    )
    assert held.returncode == 0, held.stderr
    assert lab.kubectl("delete", "namespace", ns, "--wait=false").returncode == 0
    profile = tmp_path / "profile.yaml"
    profile.write_text(yaml.safe_dump({"name": "lab", "deletion_grace_seconds": 1}))

    def offered() -> dict[str, Any] | None:
        found = [
            f
            for f in kftui_check(lab, profile)["findings"]
            if f["check"] == "finalizer-stuck" and f["subject"]["name"] == ns
        ]
        return found[0] if found and len(found[0]["fixes"]) == 2 else None

    finding = lab.wait_for(offered, 120, f"finalizer-stuck offering remove-finalizers for {ns}")
    assert "metadata.finalizers: example.com/keep" in "\n".join(finding["evidence"])
    assert finding["fixes"][1]["id"] == "remove-finalizers"
    plan = plan_action("remove-finalizers", ObjectRef("Namespace", None, ns), snapshot(kube))
    assert plan.confirm_word == ns and plan.command == finding["fixes"][1]["command"]
    assert any("orphaned" in w for w in plan.warnings)
    result = runner.run(plan)
    assert result.ok, result.message
    lab.wait_for(lambda: lab.kubectl("get", "namespace", ns).returncode != 0, 120, f"{ns} gone")

    # The app syncs again: CreateNamespace makes the namespace anew.
    lab.wait_for(lambda: op_state(lab.app(name)).get("phase") != "Running", 30, "idle")
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy")
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


def test_remove_finalizers_lets_an_application_stuck_deleting_go_and_leaves_its_resources(
    lab: Any, tmp_path: Path
) -> None:
    """An Application deleting with Argo CD's resources finalizer, held by a resource that keeps its own finalizer:
    finalizer-stuck names it, remove-finalizers (typed in the UI) lets the Application go, and what it managed
    stays in the cluster, orphaned, as the preview said."""
    repo_name = f"held-app-{uuid.uuid4().hex[:6]}"
    guarded = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "guarded", "finalizers": ["example.com/keep"]},
        "data": {"k": "v"},
    }
    files = {
        "kustomization.yaml": yaml.safe_dump({"resources": ["guarded.yaml"]}),
        "guarded.yaml": yaml.safe_dump(guarded),
    }
    scenarios.create_repo(lab.repos_dir / repo_name, files)
    name, ns = f"kftui-{repo_name}", f"demo-kftui-{repo_name}"
    app = scenarios.application(name, lab.repo_url(repo_name), ".", ns, auto=False)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} compared")
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy")
    try:
        assert (
            lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false").returncode
            == 0
        )
        profile = tmp_path / "profile.yaml"
        profile.write_text(yaml.safe_dump({"name": "lab", "deletion_grace_seconds": 1}))

        def offered() -> dict[str, Any] | None:
            found = [
                f
                for f in kftui_check(lab, profile)["findings"]
                if f["check"] == "finalizer-stuck"
                and f["subject"]["kind"] == "Application"
                and f["app"] == name
            ]
            return found[0] if found else None

        finding = lab.wait_for(offered, 120, f"finalizer-stuck for the Application {name}")
        assert "resources-finalizer.argocd.argoproj.io" in "\n".join(finding["evidence"])
        assert [f["id"] for f in finding["fixes"]] == ["describe", "remove-finalizers"]
        plan = plan_action("remove-finalizers", ref, snapshot(kube))
        assert plan.confirm_word == name and plan.blocked is None
        assert plan.command == finding["fixes"][1]["command"]
        assert any(f"ConfigMap {ns}/guarded" in w for w in plan.warnings)  # named as what is orphaned
        result = runner.run(plan)
        assert result.ok, result.message
        lab.wait_for(
            lambda: lab.kubectl("get", "applications.argoproj.io", name, "-n", "argocd").returncode != 0,
            60,
            f"Application {name} gone",
        )
    finally:  # the orphan, cleaned up by hand
        release_guarded(lab, ns)
        lab.kubectl("delete", "namespace", ns, "--wait=false")

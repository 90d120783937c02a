"""What blocks a sync, on the lab's real Argo CD (issue 16's "Must show"): a wave held by a Deployment that never
becomes available, a PostSync hook that fails, a namespace held by a custom resource's finalizer, and an
operation left behind. For each, the finding names the blocker from Argo CD's own status, the fix clears it,
and the app then ends Synced and Healthy; `kftui sync --ordered --wait` on a broken variant ends 1 naming it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef
from tests.e2e.blocker_fixtures import (
    CONFIGMAP,
    KEEP,
    WIDGET_CRD,
    deployment,
    findings,
    hook,
    kftui,
    later_wave,
    make_app,
    profile_file,
    sync_and_expect_healthy,
)
from tests.e2e.fix_helpers import make_runner, op_state, parse, snapshot, status, wait_idle
from tests.lab import scenarios

pytestmark = pytest.mark.e2e


def test_a_wave_held_by_a_deployment_that_never_becomes_available(lab: Any, tmp_path: Path) -> None:
    """sync-stuck names the Deployment of wave 0 and its pod's reason while wave 1 never starts; the same running
    sync is not stuck for a profile that gives this app longer; terminate, the fix in git, a sync: it syncs."""
    files = {
        "kustomization.yaml": yaml.safe_dump({"resources": ["deployment.yaml", "after.yaml"]}),
        "deployment.yaml": yaml.safe_dump(deployment({"kftui.lab/crash-loop": "true"})),
        "after.yaml": later_wave(),
    }
    repo, name, ns = make_app(lab, "held-wave", files)
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    try:
        assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
        tight = profile_file(tmp_path, {"applications": [{"name": name, "sync_stuck_seconds": 5}]})

        def stuck() -> dict[str, Any] | None:
            found = findings(lab, tmp_path, tight, "sync-stuck", name)
            return found[0] if found and "CrashLoopBackOff" in "\n".join(found[0]["evidence"]) else None

        finding = lab.wait_for(stuck, 120, "sync-stuck naming the Deployment and its crash-looping pod")
        assert finding["title"].endswith(f"waiting for Deployment {ns}/api")
        evidence = "\n".join(finding["evidence"])
        # Argo CD's operation names the Deployment; its live pod says why it is not available.
        assert "message: waiting for healthy state of apps/Deployment/api" in evidence
        assert f"waiting for Deployment {ns}/api: Degraded (pod api-" in evidence
        assert evidence.endswith(": CrashLoopBackOff)")
        assert "the lab profile allows 5 s" in evidence
        assert [fix["id"] for fix in finding["fixes"]] == ["terminate"]
        # Wave 1 never started: Argo CD has not applied the ConfigMap of the later wave.
        assert lab.kubectl("get", "configmap", "after-api", "-n", ns).returncode != 0
        assert op_state(lab.app(name)).get("phase") == "Running"

        # The same running sync, with a profile that gives this app an hour (and every other app 5 s): not stuck.
        roomy = profile_file(
            tmp_path,
            {"sync_stuck_seconds": 5, "applications": [{"name": name, "sync_stuck_seconds": 3600}]},
            "roomy.yaml",
        )
        assert findings(lab, tmp_path, roomy, "sync-stuck", name) == []
        assert op_state(lab.app(name)).get("phase") == "Running"

        result = runner.run(plan_action("terminate", ref, snapshot(kube)))
        assert result.ok, result.message
        wait_idle(lab, name, 60)
        assert findings(lab, tmp_path, tight, "sync-stuck", name) == []
        fixed = lab.commit(repo, "deployment.yaml", yaml.safe_dump(deployment({})), "api: a pod that starts")
        sync_and_expect_healthy(lab, runner, kube, name, fixed)
        assert lab.kubectl("get", "configmap", "after-api", "-n", ns).returncode == 0  # wave 1 applied
    finally:
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


def test_a_postsync_hook_that_fails_is_named_with_its_message_and_pod(lab: Any, tmp_path: Path) -> None:
    files = {
        "kustomization.yaml": yaml.safe_dump({"resources": ["configmap.yaml", "hook.yaml"]}),
        "configmap.yaml": yaml.safe_dump(CONFIGMAP),
        "hook.yaml": yaml.safe_dump(hook({"kftui.lab/fail": "true"})),
    }
    repo, name, ns = make_app(lab, "failing-hook", files)
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    try:
        assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
        lab.wait_for(
            lambda: op_state(lab.app(name)).get("phase") == "Failed", 120, f"the sync of {name} failed"
        )
        profile = profile_file(tmp_path, {})

        def named() -> dict[str, Any] | None:  # the pod may be listed a moment after Argo CD's status
            found = findings(lab, tmp_path, profile, "hook-failed", name)
            return found[0] if found and "pod smoke-test-" in "\n".join(found[0]["evidence"]) else None

        finding = lab.wait_for(named, 60, "hook-failed naming the hook and its pod")
        assert finding["title"] == f"PostSync hook Job/{ns}/smoke-test of {name} failed"
        assert finding["subject"] == {"kind": "Job", "namespace": ns, "name": "smoke-test", "cluster": ""}
        evidence = "\n".join(finding["evidence"])
        assert f"PostSync hook Job {ns}/smoke-test: phase Failed, message: " in evidence
        message = next(
            r["message"]
            for r in op_state(lab.app(name))["syncResult"]["resources"]
            if r.get("hookType") == "PostSync"
        )
        assert f"message: {message}" in evidence  # Argo CD's own words for the hook
        assert ": Error" in evidence.split("pod smoke-test-")[1]  # the pod's reason (exit 1)
        assert [fix["id"] for fix in finding["fixes"]] == ["sync", "delete-hook"]

        # The finding's second fix, as a user takes it: the failed Job goes (its pods in the background) before
        # the fixed hook is synced. Left to BeforeHookCreation (Argo CD deleting and creating a Job of the same
        # name within the sync), the sync of the fix ended Failed in two of four CI runs though the new pod is
        # not labelled to fail; Argo CD's cache still holding the old, failed Job is the likeliest cause (not
        # proven: the logs kept did not show which task failed).
        job = ObjectRef("Job", ns, "smoke-test")
        assert runner.run(plan_action("delete-hook", job, snapshot(kube))).ok
        lab.wait_for(
            lambda: (
                not lab.kubectl(
                    "get", "jobs,pods", "-n", ns, "-l", "job-name=smoke-test", "-o", "name"
                ).stdout
                and "NotFound" in lab.kubectl("get", "job", "smoke-test", "-n", ns).stderr
            ),
            60,
            "the failed hook Job and its pods gone",
        )
        fixed = lab.commit(repo, "hook.yaml", yaml.safe_dump(hook({})), "smoke test: a pod that passes")
        sync_and_expect_healthy(lab, runner, kube, name, fixed)

        # The PostSync hook runs once the app is healthy; this time it passes and the sync of the fix succeeds.
        def ended() -> dict[str, Any] | None:  # the failed sync's state stays until the new one starts
            state = op_state(lab.app(name))
            ours = (state.get("syncResult") or {}).get("revision") == fixed
            return state if ours and state.get("phase") in ("Succeeded", "Failed", "Error") else None

        done = lab.wait_for(ended, 120, "the sync of the fix to end")
        assert done["phase"] == "Succeeded", json.dumps(done.get("syncResult", {}).get("resources"))[:3000]
        assert findings(lab, tmp_path, profile, "hook-failed", name) == []
    finally:
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


@pytest.mark.parametrize("broken", ["held-wave", "failing-hook"])
def test_kftui_sync_ordered_wait_on_a_broken_app_ends_1_naming_the_blocker(
    lab: Any, tmp_path: Path, broken: str
) -> None:
    """`kftui sync --ordered --wait` stops at the broken app: its reason names what Argo CD waits for (the
    Deployment) or what failed (the hook), and the findings under it lead with the root cause."""
    if broken == "held-wave":
        files = {
            "kustomization.yaml": yaml.safe_dump({"resources": ["deployment.yaml", "after.yaml"]}),
            "deployment.yaml": yaml.safe_dump(deployment({"kftui.lab/crash-loop": "true"})),
            "after.yaml": later_wave(),
        }
    else:
        files = {
            "kustomization.yaml": yaml.safe_dump({"resources": ["configmap.yaml", "hook.yaml"]}),
            "configmap.yaml": yaml.safe_dump(CONFIGMAP),
            "hook.yaml": yaml.safe_dump(hook({"kftui.lab/fail": "true"})),
        }
    _, name, ns = make_app(lab, broken, files)
    try:
        out = kftui(lab, tmp_path, "sync", name, "--ordered", "--wait", "--timeout", "25s", "-o", "json")
        assert out.returncode == 1, out.stdout + out.stderr
        doc = json.loads(out.stdout)
        assert doc["ok"] is False and doc["stopped_at"] == name
        if broken == "held-wave":
            waits = (
                f"sync of {name} did not finish within 25s (phase Running); waiting for Deployment {ns}/api"
            )
            assert waits in doc["reason"], doc["reason"]
            # the root cause is the crash-looping pod of that Deployment, named after the blocker
            assert doc["root_cause"].startswith(f"pod-failing:Pod/{ns}/api-"), doc["root_cause"]
        else:
            hook_said = (
                f"; blocked by PostSync hook Job {ns}/smoke-test: Job has reached the specified backoff limit"
            )
            assert hook_said in doc["reason"], doc["reason"]
            # pod Error -> hook failed -> sync failed: the stop names the hook's pod as the root cause
            assert doc["root_cause"].startswith(f"pod-failing:Pod/{ns}/smoke-test-"), doc["root_cause"]
            assert f"hook-failed:Job/{ns}/smoke-test" in {f["id"] for f in doc["explained_by"]}
        root = doc["explained_by"][0]
        assert root["caused_by"] == [] and doc["root_cause"] == root["id"]
        assert f"; root cause: {root['id']}: " in doc["reason"]
    finally:
        if broken == "held-wave":
            lab.kubectl("patch", "applications.argoproj.io", name, "-n", "argocd", "--type", "merge",
                        "-p", '{"status": {"operationState": {"phase": "Terminating"}}}')  # fmt: skip
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


SKIP_RECONCILE = "argocd.argoproj.io/skip-reconcile"


def test_a_stale_operation_is_found_terminate_clears_it_and_the_app_syncs(lab: Any, tmp_path: Path) -> None:
    """`operation` set while operationState says the last sync finished, on an app the controller reconciled
    since. A running controller starts a set operation within a second, so the state is produced the way it
    arises: the controller stops acting on the app (Argo CD's skip-reconcile annotation, as for an app no
    controller shard owns) after a reconcile that followed the finished sync, and then an operation is set."""
    files = {"kustomization.yaml": yaml.safe_dump({"resources": ["configmap.yaml"]})}
    _, name, _ = make_app(lab, "stale-op", {**files, "configmap.yaml": yaml.safe_dump(CONFIGMAP)})
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    try:
        assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
        lab.wait_for(
            lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy"
        )
        finished = parse(wait_idle(lab, name, 60)["status"]["operationState"]["finishedAt"])

        def reconciled_after_finish() -> bool:
            lab.refresh(name)
            stamp = lab.app(name)["status"].get("reconciledAt")
            return bool(stamp) and parse(stamp) > finished

        lab.wait_for(reconciled_after_finish, 60, "a reconcile after the finished sync")
        annotate = ("annotate", "applications.argoproj.io", name, "-n", "argocd", "--overwrite")
        assert lab.kubectl(*annotate, f"{SKIP_RECONCILE}=true").returncode == 0
        operation = {"operation": {"initiatedBy": {"username": "e2e"}, "sync": {"revision": "main"}}}
        set_op = lab.kubectl(
            "patch",
            "applications.argoproj.io",
            name,
            "-n",
            "argocd",
            "--type",
            "merge",
            "-p",
            json.dumps(operation),
        )
        assert set_op.returncode == 0, set_op.stderr
        profile = profile_file(tmp_path, {"operation_stale_seconds": 1})

        [finding] = findings(lab, tmp_path, profile, "operation-stale", name)
        assert finding["title"] == f"{name} keeps an operation the controller does not run"
        assert "operation set; status.operationState.phase=Succeeded finished " in "\n".join(
            finding["evidence"]
        )
        assert [fix["id"] for fix in finding["fixes"]] == ["terminate"]
        # The same state with the built-in 2 minutes: the reconcile came too soon after the finish to say so.
        assert (
            findings(lab, tmp_path, profile_file(tmp_path, {}, "default.yaml"), "operation-stale", name) == []
        )
        assert lab.app(name).get("operation") and op_state(lab.app(name))["phase"] == "Succeeded"

        # terminate, as Argo CD's API does it: the operation's phase set to Terminating, for the controller to
        # end. While the controller ignores the app, that is where it stays ...
        result = runner.run(plan_action("terminate", ref, snapshot(kube)))
        assert result.ok, result.message
        assert lab.app(name).get("operation") and op_state(lab.app(name))["phase"] == "Terminating"
        # ... and once the controller acts on the app again, it ends the operation instead of running it.
        assert lab.kubectl(*annotate, f"{SKIP_RECONCILE}-").returncode == 0
        ended = wait_idle(lab, name, 60)
        assert (
            op_state(ended)["phase"] in ("Failed", "Error")
            and parse(op_state(ended)["finishedAt"]) > finished
        )
        assert findings(lab, tmp_path, profile, "operation-stale", name) == []

        assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
        lab.wait_for(lambda: op_state(lab.app(name)).get("phase") == "Succeeded", 60, "a new sync succeeded")
        assert status(lab.app(name)) == ("Synced", "Healthy")
    finally:
        lab.kubectl("annotate", "applications.argoproj.io", name, "-n", "argocd", f"{SKIP_RECONCILE}-")
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


def test_a_namespace_held_by_a_custom_resources_finalizer_is_released_and_the_app_syncs(
    lab: Any, tmp_path: Path
) -> None:
    """The app's namespace is deleted while a custom resource in it carries a finalizer whose controller is
    gone: finalizer-stuck names the namespace, the kind still in it, the finalizer and the object;
    remove-finalizers takes the finalizer off that object (the namespace has none of its own), the namespace
    goes, and the app syncs it back."""
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(WIDGET_CRD)).returncode == 0
    established = ("wait", "--for=condition=Established", "crd/widgets.blockers.kftui.test", "--timeout=60s")
    assert lab.kubectl(*established).returncode == 0
    repo = f"held-cr-{uuid.uuid4().hex[:6]}"
    name, ns = f"kftui-{repo}", f"demo-kftui-{repo}"
    files = {
        "kustomization.yaml": yaml.safe_dump({"resources": ["namespace.yaml", "widget.yaml"]}),
        "namespace.yaml": yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        "widget.yaml": yaml.safe_dump(
            {
                "apiVersion": "blockers.kftui.test/v1",
                "kind": "Widget",
                "metadata": {"name": "w1", "namespace": ns},
            }
        ),
    }
    scenarios.create_repo(lab.repos_dir / repo, files)
    app = scenarios.application(name, lab.repo_url(repo), ".", ns, auto=False)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    ref = ObjectRef("Application", "argocd", name)
    try:
        lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} compared")
        assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
        lab.wait_for(
            lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy"
        )
        # The widget's controller put its finalizer on it, and is gone since; then the namespace is deleted.
        kept = json.dumps({"metadata": {"finalizers": [KEEP]}})
        assert (
            lab.kubectl(
                "patch", "widgets.blockers.kftui.test", "w1", "-n", ns, "--type", "merge", "-p", kept
            ).returncode
            == 0
        )
        assert lab.kubectl("delete", "namespace", ns, "--wait=false").returncode == 0
        profile = profile_file(tmp_path, {"deletion_grace_seconds": 1})

        def named() -> dict[str, Any] | None:
            found = [
                f
                for f in findings(lab, tmp_path, profile, "finalizer-stuck", name)
                if f["subject"]["name"] == ns
            ]
            return found[0] if found and len(found[0]["fixes"]) == 2 else None

        finding = lab.wait_for(named, 120, f"finalizer-stuck offering to release {ns}")
        assert finding["title"] == f"Namespace {ns} Terminating for {finding['title'].split(' for ')[1]}"
        evidence = "\n".join(finding["evidence"])
        assert (
            "NamespaceContentRemaining: Some resources are remaining: widgets.blockers.kftui.test has 1"
            in evidence
        )
        assert (
            f"NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: {KEEP}"
            in evidence
        )
        assert f"held by widgets.blockers.kftui.test {ns}/w1: finalizers {KEEP}" in evidence
        assert (
            "metadata.finalizers" not in evidence
        )  # the namespace itself has none: the custom resource holds it
        fix = finding["fixes"][1]
        assert fix["id"] == "remove-finalizers"
        assert fix["command"].startswith(
            f"kubectl patch widgets.blockers.kftui.test w1 -n {ns} --type=json -p "
        )

        plan = plan_action("remove-finalizers", ObjectRef("Namespace", None, ns), snapshot(kube))
        assert plan.confirm_word == ns and plan.blocked is None and plan.command == fix["command"]
        assert plan.changes[0].startswith(
            f"remove metadata.finalizers ['{KEEP}'] from widgets.blockers.kftui.test {ns}/w1"
        )
        assert any("orphaned" in w for w in plan.warnings)
        result = runner.run(plan)
        assert result.ok, result.message
        lab.wait_for(lambda: lab.kubectl("get", "namespace", ns).returncode != 0, 120, f"{ns} gone")

        wait_idle(lab, name, 60)
        assert runner.run(plan_action("sync", ref, snapshot(kube))).ok
        lab.wait_for(
            lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} Synced and Healthy again"
        )
        assert lab.kubectl("get", "widgets.blockers.kftui.test", "w1", "-n", ns).returncode == 0
    finally:
        lab.kubectl("patch", "widgets.blockers.kftui.test", "w1", "-n", ns, "--type", "merge",
                    "-p", '{"metadata": {"finalizers": null}}')  # fmt: skip
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")

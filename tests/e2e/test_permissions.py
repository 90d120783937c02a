"""Limited permissions against the real lab: a ServiceAccount that may only read Applications in `argocd`
and pods in `kubeflow`. kftui shows what it can, says what is forbidden and why, disables the fixes it
may not perform (with the reason, from a SelfSubjectAccessReview), and never crashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kftui.cluster.kube import KubeSource
from kftui.fixes.plan import APP_FIXES, FixPlan, plan_action
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixOptions, FixRuntime, build_fix_runtime
from kftui.model import ClusterSnapshot, ObjectRef
from kftui.profile import builtin_profile
from kftui.ui.app import KftuiApp
from kftui.ui.screens.fix_confirm import FixConfirmScreen, open_fix_screen
from tests.chaos.cluster import write_token_kubeconfig
from tests.e2e.fix_helpers import audit_events, describe, now, wait_for_first_analysis, writes

LIMITED_RBAC = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: kftui-limited, namespace: argocd}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: kftui-limited-apps, namespace: argocd}
rules:
- {apiGroups: [argoproj.io], resources: [applications], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: kftui-limited-apps, namespace: argocd}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kftui-limited-apps}
subjects: [{kind: ServiceAccount, name: kftui-limited, namespace: argocd}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: kftui-limited-pods, namespace: kubeflow}
rules:
- {apiGroups: [""], resources: [pods], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: kftui-limited-pods, namespace: kubeflow}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: kftui-limited-pods}
subjects: [{kind: ServiceAccount, name: kftui-limited, namespace: argocd}]
"""


def limited_kubeconfig(lab, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    # The app-of-apps creates the Applications that deploy into kubeflow shortly after the lab starts.
    lab.wait_for(
        lambda: lab.kubectl("get", "application", "kubeflow-pipelines", "-n", "argocd").returncode == 0,
        180,
        "the kubeflow-pipelines Application",
    )
    applied = lab.kubectl("apply", "-f", "-", input=LIMITED_RBAC)
    assert applied.returncode == 0, applied.stderr
    token = lab.kubectl("create", "token", "kftui-limited", "-n", "argocd", "--duration=1h")
    assert token.returncode == 0, token.stderr
    return write_token_kubeconfig(lab, tmp_path / "limited", token.stdout.strip())


def kftui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args], capture_output=True, text=True, timeout=180, check=False
    )


def test_check_with_limited_rights_reports_forbidden_lists_and_does_not_crash(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = limited_kubeconfig(lab, tmp_path)
    out = kftui("check", "--kubeconfig", str(kubeconfig), "--argocd-namespace", "argocd")
    assert out.returncode in (0, 1), out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    # The Applications are readable: the report names them.
    assert "applications" in out.stdout.splitlines()[0]
    assert " 0 applications" not in out.stdout.splitlines()[0]
    # What is not readable is named, with the API server's reason.
    assert "not seen: Namespace: forbidden: cannot list Namespace" in out.stdout
    assert "not seen: Pod: forbidden: cannot list Pod" in out.stdout
    assert "listed only in namespaces" in out.stdout and "kubeflow" in out.stdout
    assert "system:serviceaccount:argocd:kftui-limited" in out.stdout


def test_live_source_lists_pods_per_namespace_when_cluster_wide_is_forbidden(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = limited_kubeconfig(lab, tmp_path)
    snapshot = KubeSource.from_kubeconfig(str(kubeconfig), None, "argocd").load()
    admin = KubeSource.from_kubeconfig(str(lab.kubeconfig), lab.context, "argocd").load()
    kubeflow_pods = {k for k in admin.pods if k[0] == "kubeflow"}
    assert kubeflow_pods, "the lab's kubeflow scenario has pods"
    assert set(snapshot.pods) == kubeflow_pods
    assert set(snapshot.applications) == set(admin.applications)
    assert "Pod" in snapshot.forbidden and "kubeflow" in snapshot.forbidden["Pod"]
    assert not snapshot.namespaces and "Namespace" in snapshot.forbidden


async def test_tui_with_limited_rights_shows_what_it_can_and_why_not_the_rest(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = limited_kubeconfig(lab, tmp_path)
    source = KubeSource.from_kubeconfig(str(kubeconfig), None, "argocd")
    app = KftuiApp(source, read_only=True)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for_first_analysis(pilot, app)
        assert app.is_running
        assert app.snapshot is not None and app.snapshot.applications
        notes = str(app.query_one("#forbidden-notes").render())
        assert app.query_one("#forbidden-notes").display
        assert "Cannot list" in notes and "Namespace" in notes and "Pod" in notes
        assert "why:" in notes and "forbidden" in notes
        # A pod event must not hide the note about namespaces we could not list.
        lab.kubectl("annotate", "pod", "-n", "kubeflow", "--all", "kftui-e2e/touched=yes", "--overwrite")
        for _ in range(100):
            await pilot.pause(0.1)
        assert "Pod" in app.snapshot.forbidden
        assert app.is_running


LIMITED_USER = "system:serviceaccount:argocd:kftui-limited"
APP_NAME = "kubeflow-pipelines"
PATCHING = ("refresh", "hard-refresh", "disable-auto-prune")
REVIEW_RESOURCES = {"selfsubjectaccessreviews", "selfsubjectreviews"}


def fix_runtime(kubeconfig: Path, context: str | None, tmp_path: Path) -> tuple[FixRuntime, ClusterSnapshot]:
    source = KubeSource.from_kubeconfig(str(kubeconfig), context, "argocd")
    runtime = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "audit.jsonl")), env={})
    return runtime, source.load()


def plans(snapshot: ClusterSnapshot) -> dict[str, FixPlan]:
    """Every app fix on one Application, one pod deletion, and the gateway port-forward: runnable ones."""
    target = ObjectRef("Application", "argocd", APP_NAME)
    out = {f: plan_action(f, target, snapshot) for f in APP_FIXES}
    pod = next(p for p in snapshot.pods.values() if p.namespace == "kubeflow")
    out["delete-pod"] = plan_action("delete-pod", pod.ref, snapshot)
    out["port-forward"] = plan_action("port-forward", target, snapshot, builtin_profile())
    return {k: p for k, p in out.items() if p.blocked is None}


def expected_refusal(fix_id: str, plan: FixPlan) -> str:
    if fix_id == "delete-pod":
        return f"forbidden: {LIMITED_USER} may not delete pods/{plan.target.name} in kubeflow"
    if fix_id == "port-forward":
        # Nothing of istio-system is readable: the first of the five requests is named, the rest counted.
        return (
            f"forbidden: {LIMITED_USER} may not get services/istio-ingressgateway in istio-system; and 4 more"
        )
    verb = "patch" if fix_id in PATCHING else "update"  # a sync reads (allowed), then updates (not)
    return f"forbidden: {LIMITED_USER} may not {verb} applications.argoproj.io/{APP_NAME} in argocd"


def kftui_writes_other_than_reviews(lab, since) -> list[str]:  # type: ignore[no-untyped-def]
    found = writes(audit_events(lab, since))
    assert any(e["objectRef"]["resource"] in REVIEW_RESOURCES for e in found), "no access review was made"
    return describe([e for e in found if e["objectRef"]["resource"] not in REVIEW_RESOURCES])


def test_fixes_the_limited_account_may_not_perform_are_refused_with_the_reason(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = limited_kubeconfig(lab, tmp_path)
    since = now()
    runtime, snapshot = fix_runtime(kubeconfig, None, tmp_path)
    runner: FixRunner = runtime.runner
    limited = plans(snapshot)
    assert {"sync", "refresh", "delete-pod", "port-forward"} <= set(limited), sorted(limited)
    assert [runner.refusal(p) for p in limited.values()] == [None] * len(limited), "nothing known yet"
    for fix_id, plan in limited.items():
        assert runner.review(plan) == expected_refusal(fix_id, plan), fix_id
        assert runner.refusal(plan) == expected_refusal(fix_id, plan), "the answer is cached for the UI"
    # Run anyway: the gate refuses before any request, and says why.
    result = runner.run(limited["refresh"])
    assert result.refused and result.message == expected_refusal("refresh", limited["refresh"])
    assert kftui_writes_other_than_reviews(lab, since) == []
    runtime.close()


def test_the_admin_may_perform_the_same_fixes(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Control for the test above: the same plans, reviewed for the lab's admin, are all allowed."""
    since = now()
    runtime, snapshot = fix_runtime(lab.kubeconfig, lab.context, tmp_path)
    allowed = plans(snapshot)
    assert {"sync", "refresh", "delete-pod", "port-forward"} <= set(allowed), sorted(allowed)
    assert {f: runtime.runner.review(p) for f, p in allowed.items()} == dict.fromkeys(allowed)
    assert kftui_writes_other_than_reviews(lab, since) == []
    runtime.close()


async def test_tui_shows_the_fixes_the_limited_account_may_not_perform_disabled(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = limited_kubeconfig(lab, tmp_path)
    source = KubeSource.from_kubeconfig(str(kubeconfig), None, "argocd")
    runtime = build_fix_runtime(source, FixOptions(audit_log=str(tmp_path / "audit.jsonl")), env={})
    app = KftuiApp(source, fixes=runtime)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for_first_analysis(pilot, app)
        assert app.snapshot is not None
        sync = plan_action("sync", ObjectRef("Application", "argocd", APP_NAME), app.snapshot)
        assert sync.blocked is None, sync.blocked
        open_fix_screen(app, sync, runtime)
        screen = None
        for _ in range(100):
            await pilot.pause(0.1)
            screen = app.screen
            if isinstance(screen, FixConfirmScreen) and screen.query("#fix-refusal"):
                break
        assert isinstance(screen, FixConfirmScreen)
        refusal = str(screen.query_one("#fix-refusal").render())
        assert refusal == f"Cannot run: {expected_refusal('sync', sync)}"
        assert screen.query_one("#fix-run").disabled
        await pilot.press("escape")
        assert app.is_running

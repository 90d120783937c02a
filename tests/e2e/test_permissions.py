"""Limited permissions against the real lab: a ServiceAccount that may only read Applications in `argocd`
and pods in `kubeflow`. kftui shows what it can, says what is forbidden and why, and never crashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kftui.cluster.kube import KubeSource
from kftui.ui.app import KftuiApp
from tests.chaos.cluster import write_token_kubeconfig

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
    assert "note: Namespace: forbidden: cannot list Namespace" in out.stdout
    assert "note: Pod: forbidden: cannot list Pod" in out.stdout
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
        for _ in range(600):
            await pilot.pause(0.1)
            if app.tree_model is not None:
                break
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

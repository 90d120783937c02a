"""A deny sync window on an AppProject, on the lab's real Argo CD (issue 16's window scenario): kftui check names
the project and the window, the sync fix is disabled with that reason, `kftui sync APP` ends 1 naming the window;
once the window is removed, the app syncs."""

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
from tests.e2e.fix_helpers import make_runner, snapshot, status
from tests.lab import scenarios

pytestmark = pytest.mark.e2e

FILES = {
    "kustomization.yaml": yaml.safe_dump({"resources": ["configmap.yaml"]}),
    "configmap.yaml": yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"k": "v"}}
    ),
}


def project(name: str, app: str) -> dict[str, Any]:
    # Starts every minute and lasts an hour: active whenever the test runs, with no opening ahead.
    deny = {"kind": "deny", "schedule": "* * * * *", "duration": "1h", "applications": [app]}
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": name, "namespace": "argocd"},
        "spec": {
            "sourceRepos": ["*"],
            "destinations": [{"server": "*", "namespace": "*"}],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
            "syncWindows": [deny],
        },
    }


def kftui(lab: Any, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args, "--kubeconfig", str(lab.kubeconfig)],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "KFTUI_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
        },
    )


def test_a_deny_window_is_named_disables_the_sync_and_once_removed_the_app_syncs(
    lab: Any, tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:6]
    repo_name, proj = f"windowed-{suffix}", f"windowed-{suffix}"
    name = f"kftui-{repo_name}"
    scenarios.create_repo(lab.repos_dir / repo_name, FILES)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(project(proj, name))).returncode == 0
    app = scenarios.application(name, lab.repo_url(repo_name), ".", f"demo-{name}", auto=False)
    app["spec"]["project"] = proj
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    try:
        lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} compared")

        checked = kftui(lab, tmp_path, "check", "--output", "json")
        assert checked.returncode in (0, 1), checked.stderr
        [finding] = [f for f in json.loads(checked.stdout)["findings"] if f["check"] == "sync-window"]
        assert finding["app"] == name and finding["severity"] == "warning"
        assert finding["title"] == f"Sync window of project {proj} denies syncing {name} now"
        assert finding["subject"] == {
            "kind": "AppProject",
            "namespace": "argocd",
            "name": proj,
            "cluster": "",
        }
        assert 'deny window #0 ("* * * * *" for 1h) active' in "\n".join(finding["evidence"])

        # The sync fixes of the app's tree node are disabled with the window as the reason.
        runner, kube = make_runner(lab, "kubernetes", tmp_path / "fix-audit.jsonl")
        ref = ObjectRef("Application", "argocd", name)
        for fix_id in ("sync", "force-sync", "sync-prune"):
            plan = plan_action(fix_id, ref, snapshot(kube))
            why = runner.refusal(plan)
            assert why is not None and why.startswith(
                f"Sync window of project {proj} denies syncing {name} now"
            )

        refused = kftui(lab, tmp_path, "sync", name, "--wait", "--timeout", "60s")
        assert refused.returncode == 1, refused.stdout + refused.stderr
        assert f"stopped at {name}: Sync window of project {proj} denies syncing {name} now" in refused.stdout
        assert "operation" not in lab.app(name)  # nothing was written to the Application

        # The window removed (as `argocd proj windows delete` does): the app syncs.
        removed = lab.kubectl(
            "patch", "appproject", proj, "-n", "argocd", "--type", "json",
            "-p", '[{"op": "remove", "path": "/spec/syncWindows"}]',
        )  # fmt: skip
        assert removed.returncode == 0, removed.stderr
        lab.wait_for(lambda: plan_action("sync", ref, snapshot(kube)).blocked is None, 30, "window gone")
        synced = kftui(lab, tmp_path, "sync", name, "--wait", "--timeout", "2m")
        assert synced.returncode == 0, synced.stdout + synced.stderr
        assert status(lab.app(name)) == ("Synced", "Healthy")
    finally:
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")
        lab.kubectl("delete", "appproject", proj, "-n", "argocd", "--wait=false")

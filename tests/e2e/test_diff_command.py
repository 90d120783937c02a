"""`kftui diff` against the lab's real Argo CD: a field another manager keeps writing is named as such, the
printed fix applied to the Application makes it Synced and it stays Synced; a hand edit is a real change."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from typing import Any

import pytest
import yaml

from tests.e2e.fix_helpers import status
from tests.lab import scenarios

pytestmark = pytest.mark.e2e


def kftui_diff(lab: Any, app: str) -> tuple[int, dict[str, Any]]:
    out = subprocess.run(
        [sys.executable, "-m", "kftui", "diff", app, "--argocd-server", lab.argocd_server, "--plaintext", "-o", "json"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout)


def hard_refresh(lab: Any, app: str) -> None:
    lab.kubectl(
        "annotate",
        "applications.argoproj.io",
        app,
        "-n",
        "argocd",
        "argocd.argoproj.io/refresh=hard",
        "--overwrite",
    )


def test_drift_from_another_manager_is_explained_and_its_fix_keeps_the_app_synced(lab: Any) -> None:
    name = f"kftui-diff-{uuid.uuid4().hex[:6]}"
    ns = f"demo-{name}"
    app = scenarios.application(name, lab.repo_url("drift"), ".", ns, auto=False, sync_once=True)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} synced")
    assert kftui_diff(lab, name)[0] == 0

    # A "controller" (its own field manager) takes the field over, as the Istio validator or a restart
    # annotation writer would.
    patch = json.dumps({"data": {"value": "set-by-controller"}})
    out = lab.kubectl("patch", "configmap", "drift-settings", "-n", ns, "--type", "merge", "-p", patch,
                      "--field-manager", "kftui-e2e-controller")  # fmt: skip
    assert out.returncode == 0, out.stderr
    hard_refresh(lab, name)
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} OutOfSync")
    code, doc = kftui_diff(lab, name)
    assert code == 1
    [resource] = doc["resources"]
    assert (resource["kind"], resource["name"]) == ("ConfigMap", "drift-settings")
    [field] = resource["fields"]
    assert field["pointer"] == "/data/value" and field["live"] == "set-by-controller"
    assert field["class"] == "other-manager" and "kftui-e2e-controller" in field["reason"]
    fix = doc["fix"]
    assert fix["spec"]["ignoreDifferences"][0]["managedFieldsManagers"] == ["kftui-e2e-controller"]

    # The printed fix, applied as printed: Synced, and still Synced after more refreshes.
    out = lab.kubectl(
        "patch", "applications.argoproj.io", name, "-n", "argocd", "--type", "merge", "-p", json.dumps(fix)
    )
    assert out.returncode == 0, out.stderr
    hard_refresh(lab, name)
    lab.wait_for(
        lambda: status(lab.app(name))[0] == "Synced", 120, f"{name} Synced once the drift is ignored"
    )
    for _ in range(2):
        hard_refresh(lab, name)
        lab.wait_for(
            lambda: (
                lab.app(name)["metadata"].get("annotations", {}).get("argocd.argoproj.io/refresh") is None
            ),
            60,
            "refresh consumed",
        )
        assert status(lab.app(name))[0] == "Synced"
    assert kftui_diff(lab, name)[0] == 0

    # A hand edit by kubectl (its own manager, kubectl-patch, now owns the field) is a real change, never
    # something to ignore: the ignore entry names the controller's manager only, so it shows again.
    patch = json.dumps({"data": {"value": "edited-by-hand"}})
    assert (
        lab.kubectl(
            "patch", "configmap", "drift-settings", "-n", ns, "--type", "merge", "-p", patch
        ).returncode
        == 0
    )
    hard_refresh(lab, name)
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} OutOfSync after a hand edit")
    code, doc = kftui_diff(lab, name)
    fields = [f for r in doc["resources"] for f in r["fields"]]
    assert code == 1 and [(f["pointer"], f["class"]) for f in fields] == [("/data/value", "change")], fields
    assert "kubectl-patch" in fields[0]["reason"]
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")

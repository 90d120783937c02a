"""The drift fix on the lab: a CA injector and a controller (tests/lab/mutator.py, real writers) keep rewriting
a webhook configuration's caBundle and an annotation that an Argo CD app manages, so the app stays OutOfSync.
`kftui diff` names both fields and their classes; the fix, run through the gate (Argo CD's REST API by `kftui diff --fix --yes`, and the
Kubernetes API by the fix runner), makes the app Synced, and it stays Synced across refreshes while the
injector keeps writing. An Application managed from git (app of apps) is never patched."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui.fixes.drift_planner import plan_ignore_drift
from kftui.fixes.registry import FIXES
from kftui.model import ObjectRef
from tests.e2e.fix_helpers import BACKENDS, make_runner, status
from tests.lab import scenarios
from tests.lab.mutator import CONTROLLER_MANAGER, AnnotationController, CaInjector, webhook_configuration

pytestmark = pytest.mark.e2e

CA_POINTER = "/webhooks/0/clientConfig/caBundle"
OBSERVED_POINTER = "/metadata/annotations/kftui.lab~1observed"


def kftui(lab: Any, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", "diff", *args, "--argocd-server", lab.argocd_server, "--plaintext"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def diff_json(lab: Any, app: str) -> tuple[int, dict[str, Any]]:
    out = kftui(lab, app, "-o", "json")
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout)


def refreshed(lab: Any, name: str) -> None:
    """A hard refresh, waited for until the controller has consumed it (it removes the annotation)."""
    lab.refresh(name, "hard")
    lab.wait_for(
        lambda: lab.app(name)["metadata"].get("annotations", {}).get("argocd.argoproj.io/refresh") is None,
        60,
        f"the refresh of {name} consumed",
    )


def stays_synced(lab: Any, name: str, writers: tuple[Any, ...], check: Any = None) -> None:
    """Once the drift is ignored: Synced, and still Synced after each writer has written again and a hard
    refresh, twice; `check()` runs after each round. The writers must still be running, without error."""
    refreshed(lab, name)
    lab.wait_for(lambda: status(lab.app(name))[0] == "Synced", 120, f"{name} Synced once ignored")
    for _ in range(2):
        for writer in writers:
            before = writer.writes
            lab.wait_for(lambda w=writer, b=before: w.writes > b, 60, f"{writer.manager} to write again")
        refreshed(lab, name)
        assert status(lab.app(name))[0] == "Synced"
        if check is not None:
            check()
    for writer in writers:
        assert writer.running and not writer.last_error, writer.last_error


def spec_of(lab: Any, name: str) -> dict[str, Any]:
    spec: dict[str, Any] = lab.app(name)["spec"]
    return spec


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_injected_ca_bundle_is_named_and_the_fix_through_the_gate_keeps_the_app_synced(
    lab: Any, backend: str, tmp_path: Path
) -> None:
    name = f"kftui-ca-{backend[:4]}-{uuid.uuid4().hex[:6]}"
    scenarios.create_repo(
        lab.repos_dir / name,
        {
            "kustomization.yaml": yaml.safe_dump({"resources": ["webhook.yaml"]}),
            "webhook.yaml": yaml.safe_dump(webhook_configuration(name)),
        },
    )
    app = scenarios.application(name, lab.repo_url(name), ".", f"demo-{name}", auto=False, sync_once=True)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} synced")
    audit = tmp_path / "audit.jsonl"
    try:
        with CaInjector(lab, name) as injector, AnnotationController(lab, name) as controller:
            for writer in (injector, controller):
                lab.wait_for(lambda w=writer: w.writes >= 1, 60, f"the first write of {writer.manager}")
            refreshed(lab, name)
            lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} OutOfSync")

            code, doc = diff_json(lab, name)
            assert code == 1
            [resource] = doc["resources"]
            assert (resource["kind"], resource["name"]) == ("ValidatingWebhookConfiguration", name)
            fields = [(f["pointer"], f["class"]) for f in resource["fields"]]
            assert fields == [(OBSERVED_POINTER, "other-manager"), (CA_POINTER, "injected")], resource
            assert CONTROLLER_MANAGER in resource["fields"][0]["reason"]
            [entry] = doc["fix"]["spec"]["ignoreDifferences"]
            assert entry["jsonPointers"] == [CA_POINTER] and entry["name"] == name
            assert entry["managedFieldsManagers"] == [CONTROLLER_MANAGER]

            # Managed from git by a parent app: shown for git, refused, nothing written.
            tracking = "app.kubernetes.io/instance"
            assert lab.kubectl("label", "applications.argoproj.io", name, "-n", "argocd", f"{tracking}=parent").returncode == 0  # fmt: skip
            out = kftui(lab, name, "--fix", "--yes", "--audit-log", str(audit))
            assert out.returncode == 1 and "managed from git" in out.stdout and "not applied" in out.stdout, (
                out
            )
            assert CA_POINTER in out.stdout  # the YAML for git
            assert "ignoreDifferences" not in spec_of(lab, name)
            assert lab.kubectl("label", "applications.argoproj.io", name, "-n", "argocd", f"{tracking}-").returncode == 0  # fmt: skip

            if backend == "argocd-rest":
                out = kftui(lab, name, "--fix", "--yes", "--audit-log", str(audit))
                assert out.returncode == 0 and "applied:" in out.stdout, out
            else:
                runner, kube = make_runner(lab, backend, audit)
                target = ObjectRef("Application", lab.argocd_namespace, name)
                plan = plan_ignore_drift(FIXES["ignore-drift"], target, kube.load(), [entry])
                result = runner.run(plan)
                assert result.ok, result.message
            spec = spec_of(lab, name)
            assert spec["ignoreDifferences"] == [entry]
            assert spec["syncPolicy"]["syncOptions"] == [
                "CreateNamespace=true",
                "RespectIgnoreDifferences=true",
                "ServerSideApply=true",  # the annotation is another field manager's
            ]
            records = [json.loads(line) for line in audit.read_text().splitlines()]
            assert [(r["action"], r["result"].split(":")[0]) for r in records] == [
                ("ignore-drift", "refused"),
                ("ignore-drift", "ok"),
            ]

            stays_synced(lab, name, (injector, controller))
            assert diff_json(lab, name)[0] == 0
        assert not injector.running and not controller.running
    finally:
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")

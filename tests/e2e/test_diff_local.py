"""`kftui diff APP --manifests CLONE` on the lab, with no Argo CD server: the desired state rendered from a clone
of the app's repo with kustomize, at the app's revision, diffed against the live objects. It agrees with
`kftui diff APP --argocd-server` (Argo CD's own managed-resources) on a hand edit, finds nothing where there is
nothing (a Deployment and a Service full of server-side defaults), and says when the clone lacks the revision."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.fix_helpers import status
from tests.e2e.test_drift_fix import CA_POINTER, OBSERVED_POINTER, refreshed, stays_synced
from tests.lab import scenarios
from tests.lab.mutator import AnnotationController, CaInjector, webhook_configuration

pytestmark = pytest.mark.e2e


def configmap(value: str) -> str:
    return yaml.safe_dump(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "local-settings"},
            "data": {"value": value},
        }
    )


WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: local-web
spec:
  replicas: 1
  selector:
    matchLabels: {app: local-web}
  template:
    metadata:
      labels: {app: local-web}
    spec:
      containers:
      - name: web
        image: registry.invalid/web:v1
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: local-web
spec:
  selector: {app: local-web}
  ports:
  - port: 80
    targetPort: 8080
"""


def kftui_diff(lab: Any, app: str, *flags: str) -> tuple[int, dict[str, Any], str]:
    env = {
        k: v for k, v in lab.env().items() if k not in ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS")
    }
    out = subprocess.run(
        [sys.executable, "-m", "kftui", "diff", app, "--context", lab.context, "-o", "json", *flags],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, env=env,
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stderr
    return out.returncode, json.loads(out.stdout), out.stderr


def fields(doc: dict[str, Any]) -> list[tuple[str, str, str, Any, Any, str]]:
    return [
        (r["kind"], r["name"], f["pointer"], f["live"], f["desired"], f["class"])
        for r in doc["resources"]
        for f in r["fields"]
    ]


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


def test_local_render_finds_the_drift_argo_cd_finds(lab: Any, tmp_path: Path) -> None:
    name = f"kftui-local-{uuid.uuid4().hex[:6]}"
    ns = f"demo-{name}"
    repo = lab.repos_dir / name
    first = scenarios.create_repo(
        repo,
        {
            "kustomization.yaml": "resources:\n- configmap.yaml\n- workload.yaml\n",
            "configmap.yaml": configmap("initial"),
            "workload.yaml": WORKLOAD,
        },
    )
    app = scenarios.application(name, lab.repo_url(name), ".", ns, auto=False, sync_once=True)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} synced")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True)
    local = ("--manifests", str(clone))
    argo = ("--argocd-server", lab.argocd_server, "--plaintext")

    # In sync: the Deployment and Service the API server filled with defaults are no difference.
    code, doc, _ = kftui_diff(lab, name, *local)
    assert (code, doc["resources"]) == (0, [])
    assert doc["desired_source"] == f"desired state: rendered locally from {clone}@{first[:12]} path ."

    # A hand edit: both sources name the same field, with the same values and class.
    patch = json.dumps({"data": {"value": "edited-by-hand"}})
    assert (
        lab.kubectl(
            "patch", "configmap", "local-settings", "-n", ns, "--type", "merge", "-p", patch
        ).returncode
        == 0
    )
    code, doc, _ = kftui_diff(lab, name, *local)
    expected = [("ConfigMap", "local-settings", "/data/value", "edited-by-hand", "initial", "change")]
    assert (code, fields(doc)) == (1, expected)
    hard_refresh(lab, name)
    lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} OutOfSync")
    code, from_argo, _ = kftui_diff(lab, name, *argo)
    assert (code, fields(from_argo)) == (1, expected)
    assert from_argo["desired_source"].startswith("desired state: Argo CD managed-resources")

    # A new commit the clone does not have yet: rendered from the clone as it is, and the note says so;
    # after a pull, the app's revision is rendered and git's new value is the desired one.
    second = scenarios.commit(repo, "configmap.yaml", configmap("second"), "second value")
    hard_refresh(lab, name)
    lab.wait_for(
        lambda: lab.app(name)["status"]["sync"].get("revision") == second, 120, f"{name} at {second[:8]}"
    )
    code, doc, _ = kftui_diff(lab, name, *local)
    assert (code, fields(doc)) == (
        1,
        [("ConfigMap", "local-settings", "/data/value", "edited-by-hand", "initial", "change")],
    )
    assert doc["notes"] == [
        f"{clone} does not have {second}, the revision Argo CD compared with: rendered main as {clone} has it "
        f"({first[:12]}); git fetch to compare with the app's revision"
    ]
    subprocess.run(["git", "-C", str(clone), "pull", "-q", "--ff-only"], check=True, capture_output=True)
    code, doc, _ = kftui_diff(lab, name, *local)
    expected = [("ConfigMap", "local-settings", "/data/value", "edited-by-hand", "second", "change")]
    assert (code, fields(doc), doc["notes"]) == (1, expected, [])
    assert (
        f"@{second[:12]} (" not in doc["desired_source"] and f"@{second[:12]} path ." in doc["desired_source"]
    )
    assert fields(kftui_diff(lab, name, *argo)[1]) == expected

    # Put back as git has it: no difference again from either source.
    patch = json.dumps({"data": {"value": "second"}})
    assert (
        lab.kubectl(
            "patch", "configmap", "local-settings", "-n", ns, "--type", "merge", "-p", patch
        ).returncode
        == 0
    )
    code, doc, _ = kftui_diff(lab, name, *local)
    assert (code, doc["resources"]) == (0, [])
    hard_refresh(lab, name)
    lab.wait_for(lambda: status(lab.app(name))[0] == "Synced", 120, f"{name} Synced again")
    assert kftui_diff(lab, name, *argo)[0] == 0
    lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")


def test_perpetual_drift_through_the_kubernetes_api_with_manifests(lab: Any, tmp_path: Path) -> None:
    """The issue's must-show through the Kubernetes API: a CA injector and a controller (real writers) keep an
    app OutOfSync; the local diff names both fields as Argo CD's does; its fix, applied by `--fix --yes`
    without an Argo CD server, makes the app Synced, and it stays Synced while both keep writing."""
    name = f"kftui-lca-{uuid.uuid4().hex[:6]}"
    repo = lab.repos_dir / name
    scenarios.create_repo(
        repo,
        {
            "kustomization.yaml": yaml.safe_dump({"resources": ["webhook.yaml"]}),
            "webhook.yaml": yaml.safe_dump(webhook_configuration(name)),
        },
    )
    app = scenarios.application(name, lab.repo_url(name), ".", f"demo-{name}", auto=False, sync_once=True)
    assert lab.kubectl("apply", "-f", "-", input=yaml.safe_dump(app)).returncode == 0
    lab.wait_for(lambda: status(lab.app(name)) == ("Synced", "Healthy"), 120, f"{name} synced")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True, capture_output=True)
    local = ("--manifests", str(clone))
    audit = tmp_path / "audit.jsonl"
    try:
        with CaInjector(lab, name) as injector, AnnotationController(lab, name) as controller:
            for writer in (injector, controller):
                lab.wait_for(lambda w=writer: w.writes >= 1, 60, f"the first write of {writer.manager}")
            refreshed(lab, name)
            lab.wait_for(lambda: status(lab.app(name))[0] == "OutOfSync", 120, f"{name} OutOfSync")

            code, doc, _ = kftui_diff(lab, name, *local)
            classes = [(p, c) for _, _, p, _, _, c in fields(doc)]
            assert code == 1 and classes == [(OBSERVED_POINTER, "other-manager"), (CA_POINTER, "injected")], (
                doc
            )
            _, from_argo, _ = kftui_diff(lab, name, "--argocd-server", lab.argocd_server, "--plaintext")
            assert [(p, c) for _, _, p, _, _, c in fields(from_argo)] == classes
            assert doc["fix"] == from_argo["fix"]

            code, _, err = kftui_diff(lab, name, *local, "--fix", "--yes", "--audit-log", str(audit))
            assert code == 0 and "applied:" in err, err
            spec = lab.app(name)["spec"]
            assert spec["ignoreDifferences"] == doc["fix"]["spec"]["ignoreDifferences"]
            records = [json.loads(line) for line in audit.read_text().splitlines()]
            assert [(r["action"], r["result"].split(":")[0]) for r in records] == [("ignore-drift", "ok")]

            def local_diff_clean() -> (
                None
            ):  # the app's new ignoreDifferences are honoured by the local render too
                assert kftui_diff(lab, name, *local)[0] == 0

            stays_synced(lab, name, (injector, controller), local_diff_clean)
    finally:
        lab.kubectl("delete", "applications.argoproj.io", name, "-n", "argocd", "--wait=false")

"""Untrusted input on the real lab: credentials that may not list the Applications, and hostile text written
for real into the cluster (an Event message, annotations, an Application and the namespace it names), read
back by `kftui check` and the TUI. kftui must say it could not diagnose, and show the hostile text inert."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from textual.widgets import TabbedContent

from kftui.cluster.kube import KubeSource
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.chaos.cluster import write_token_kubeconfig
from tests.e2e.fix_helpers import kube_source, wait_for_first_analysis

NO_APPLICATIONS_RBAC = """
apiVersion: v1
kind: ServiceAccount
metadata: {name: kftui-no-apps, namespace: argocd}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kftui-no-apps}
rules:
- {apiGroups: [""], resources: [pods, namespaces, events, services, endpoints], verbs: [get, list, watch]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kftui-no-apps}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kftui-no-apps}
subjects: [{kind: ServiceAccount, name: kftui-no-apps, namespace: argocd}]
"""

# What someone with `create events` or `patch` rights could write: an OSC 52 clipboard write, a screen clear,
# an OSC 8 link, a bidi override, Rich markup (a closing tag that crashed the TUI, a click action) and shell.
CLIPBOARD_WRITE = "\x1b]52;c;aG9zdGlsZQ==\x07"
HOSTILE = (
    f"pwn {CLIPBOARD_WRITE}\x1b[2J\x1b]8;;http://evil.invalid\x1b\\link\x1b]8;;\x1b\\ "
    "\u202eevil\u202c [/] [@click=app.quit]quit[/] $(touch /tmp/kftui-pwned); rm -rf ~ #\r\x08\x00end"
)
# Annotation values and Event messages are JSON strings: any character but NUL reaches etcd unchanged.
STORED = HOSTILE.replace("\x00", "")
RAW_CONTROLS = ("\x1b", "\x07", "\x08", "\r", "\x00", "\u202e", "\u202c")
APP = "kftui-hostile"


def kftui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args], capture_output=True, text=True, timeout=180, check=False
    )


def _raw_controls(text: str) -> list[str]:
    return sorted({repr(c) for c in RAW_CONTROLS if c in text})


# --- credentials that may not list the Applications ----------------------------------------------------


@pytest.fixture
def no_applications_kubeconfig(lab, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    applied = lab.kubectl("apply", "-f", "-", input=NO_APPLICATIONS_RBAC)
    assert applied.returncode == 0, applied.stderr
    token = lab.kubectl("create", "token", "kftui-no-apps", "-n", "argocd", "--duration=1h")
    assert token.returncode == 0, token.stderr
    can = lab.kubectl(
        "auth", "can-i", "list", "applications.argoproj.io", "-n", "argocd",
        "--as", "system:serviceaccount:argocd:kftui-no-apps",
    )  # fmt: skip
    assert can.stdout.strip() == "no", "the account must really be refused the Applications"
    return write_token_kubeconfig(lab, tmp_path / "no-apps", token.stdout.strip())


def test_check_without_the_right_to_list_applications_is_exit_2_not_clean(  # type: ignore[no-untyped-def]
    lab, no_applications_kubeconfig: Path
) -> None:
    out = kftui("check", "--kubeconfig", str(no_applications_kubeconfig))
    assert out.returncode == 2, out.stdout + out.stderr
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("kftui: error: Cannot list the Argo CD Applications in namespace argocd")
    assert "forbidden" in line and "not diagnosed" in line
    assert "no problems" not in out.stdout.lower()
    data = json.loads(kftui("check", "--kubeconfig", str(no_applications_kubeconfig), "-o", "json").stdout)
    assert data["summary"]["coverage"] == "blind" and "forbidden" in data["summary"]["unseen"]["Application"]


async def test_tui_without_the_right_to_list_applications_shows_a_red_banner(  # type: ignore[no-untyped-def]
    lab, no_applications_kubeconfig: Path
) -> None:
    app = KftuiApp(
        KubeSource.from_kubeconfig(str(no_applications_kubeconfig), None, "argocd"), read_only=True
    )
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_first_analysis(pilot, app)
        notes = app.query_one("#forbidden-notes")
        assert notes.display and notes.has_class("blind")
        assert "Cannot list the Argo CD Applications" in str(notes.render())
        panel = app.query_one(DiagnosticsPanel)
        shown = " ".join(str(w.render()) for w in panel.query("Static"))
        assert "Not diagnosed" in shown and "No problems" not in shown


# --- hostile text written for real ----------------------------------------------------------------------


def _crash_looper(lab: Any) -> str:
    pods = lab.wait_for(
        lambda: lab.get_json("pods", "-n", "kubeflow", "-l", "kftui.lab/crash-loop=true")["items"],
        120,
        "the crash-looper pod",
    )
    return str(pods[0]["metadata"]["name"])


@pytest.fixture(scope="module")
def hostile(lab) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Hostile text in an Event on the crash-looping pod, in annotations of the pod and of an Application, and
    in the Application's destination namespace (which becomes a tree label and Argo CD's condition message)."""
    pod = _crash_looper(lab)
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    event = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "kftui-hostile", "namespace": "kubeflow"},
        "involvedObject": {"kind": "Pod", "namespace": "kubeflow", "name": pod, "apiVersion": "v1"},
        "reason": "BackOff",
        "type": "Warning",
        "message": STORED,
        "count": 1,
        "firstTimestamp": now,
        "lastTimestamp": now,
        "source": {"component": "kftui-e2e"},
    }
    application = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": APP, "namespace": "argocd", "annotations": {"kftui-e2e/note": STORED}},
        "spec": {
            "project": "default",
            "source": {"repoURL": lab.repo_url("good"), "path": ".", "targetRevision": "HEAD"},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": f"ns-{STORED}"},
        },
    }
    for obj in (event, application):
        created = lab.kubectl("apply", "-f", "-", input=json.dumps(obj))
        assert created.returncode == 0, created.stderr
    annotated = lab.kubectl(
        "annotate", "pod", "-n", "kubeflow", pod, f"kftui-e2e/note={STORED}", "--overwrite"
    )
    assert annotated.returncode == 0, annotated.stderr
    # Read back: the API server stored the text as written (the test is about kftui, not about validation).
    assert lab.get_json("events", "-n", "kubeflow", "kftui-hostile")["message"] == STORED
    assert lab.app(APP)["metadata"]["annotations"]["kftui-e2e/note"] == STORED
    try:
        yield {"pod": pod}
    finally:
        lab.kubectl("delete", "application", APP, "-n", "argocd", "--ignore-not-found", "--wait=false")
        lab.kubectl("delete", "event", "kftui-hostile", "-n", "kubeflow", "--ignore-not-found")
        lab.kubectl("annotate", "pod", "-n", "kubeflow", pod, "kftui-e2e/note-")


def test_an_application_name_is_not_a_channel(lab) -> None:  # type: ignore[no-untyped-def]
    """The API server itself refuses a hostile Application name (a DNS subdomain is required), so names
    reach kftui only through the free-text fields the other tests write."""
    bad = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "x\x1b[2J[/]", "namespace": "argocd"},
        "spec": {"destination": {"namespace": "x"}, "source": {"repoURL": "x"}, "project": "default"},
    }
    out = lab.kubectl("create", "-f", "-", input=json.dumps(bad))
    assert out.returncode != 0 and "Invalid value" in out.stderr, out.stdout + out.stderr


def test_check_reads_the_hostile_text_back_inert(lab, hostile: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    kubeconfig = str(lab.kubeconfig)
    context = ["--kubeconfig", kubeconfig, "--context", lab.context]

    def report_with_the_event() -> str | None:
        out = kftui("check", *context)
        return out.stdout if "pwn" in out.stdout else None

    shown = lab.wait_for(report_with_the_event, 120, "the hostile event in kftui check's report")
    assert not _raw_controls(shown), f"raw controls in the text report: {_raw_controls(shown)}"
    assert "\\x1b]52;c;aG9zdGlsZQ==\\x07" in shown  # read back, shown visibly
    assert "\\u202e" in shown
    junit = kftui("check", *context, "-o", "junit").stdout
    ET.fromstring(junit.split("\n", 1)[1])  # well-formed whatever the data
    assert not _raw_controls(junit)
    # JSON stays exact: the message is the stored text, escaped only by JSON itself.
    report = json.loads(kftui("check", *context, "-o", "json").stdout)
    items = [item for f in report["findings"] for item in f["evidence"]]
    assert any(STORED in item for item in items), "the event message, exactly, within one evidence item"
    for finding in report["findings"]:
        for fix in finding["fixes"]:
            assert "$(touch" not in fix["command"] or "'" in fix["command"]


async def test_tui_reads_the_hostile_text_back_inert(lab, hostile: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    app = KftuiApp(kube_source(lab), read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for_first_analysis(pilot, app)
        tree = app.query_one(ResourceTree)
        pod_key = next(
            (k for k in _keys(app) if k.endswith(f"/pod:{hostile['pod']}")),
            f"app:-/ns:kubeflow/pod:{hostile['pod']}",
        )
        screens = [app.export_screenshot()]
        for key in (pod_key, *[k for k in _keys(app) if k.startswith(f"app:{APP}")]):
            if tree.reveal(key):
                await pilot.pause(0.3)
                for tab in ("tab-describe", "tab-events"):
                    app.query_one("#details-tabs", TabbedContent).active = tab
                    await pilot.pause(0.2)
                    screens.append(app.export_screenshot())
        await pilot.press("f")
        await pilot.pause(0.3)
        screens.append(app.export_screenshot())
        assert app.is_running, "markup in cluster text must not crash the TUI"
        seen = "\n".join(screens)
        assert "\\x1b]52" in seen, "the hostile text was read back and shown visibly"
        assert "[@click=app.quit]" in seen.replace("&#91;", "[").replace("&#93;", "]")
        assert not _raw_controls(seen)


def _keys(app: KftuiApp) -> list[str]:
    model = app.tree_model
    return [] if model is None else [item.key for item, _ in model.walk()]

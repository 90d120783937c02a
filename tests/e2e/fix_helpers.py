"""Shared pieces of the e2e tests: real fix backends against the lab, reading the apiserver audit log, and
waiting for the TUI's first analysis."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kftui.cluster.appops import KubeAppOps, KubeWorkloadOps
from kftui.cluster.argocd import ArgoRestOps
from kftui.cluster.kube import KubeSource
from kftui.cluster.ops import ArgoOps
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot
from tests.lab.argocd_record import ArgoCall, parse_record

if TYPE_CHECKING:
    from kftui.ui.app import KftuiApp

BACKENDS = ("kubernetes", "argocd-rest")
WRITE_VERBS = ("create", "update", "patch", "delete", "deletecollection")
E2E_USER = "e2e"


async def wait_for_first_analysis(pilot: Any, app: KftuiApp) -> None:
    """Let the TUI run until its first analysis is shown, for at most a minute (then the test's own asserts
    say what is missing)."""
    for _ in range(600):
        await pilot.pause(0.1)
        if app.tree_model is not None:
            return


def kube_source(lab: Any) -> KubeSource:
    return KubeSource.from_kubeconfig(str(lab.kubeconfig), lab.context, lab.argocd_namespace)


def argo_backend(lab: Any, backend: str, kube: KubeSource) -> ArgoOps:
    if backend == "kubernetes":
        return KubeAppOps(kube.http, lab.argocd_namespace)
    return ArgoRestOps(lab.argocd_server, plaintext=True, argocd_namespace=lab.argocd_namespace)


def make_runner(
    lab: Any, backend: str, audit_path: Path, read_only: bool = False, step_timeout: float = 120
) -> tuple[FixRunner, KubeSource]:
    kube = kube_source(lab)
    gate = Gate(read_only, AuditLog(audit_path, user=E2E_USER), context=lab.context)
    runner = FixRunner(
        gate, argo_backend(lab, backend, kube), KubeWorkloadOps(kube.http), step_timeout=step_timeout
    )
    return runner, kube


def snapshot(kube: KubeSource) -> ClusterSnapshot:
    return kube.load()


def status(app: dict[str, Any]) -> tuple[str | None, str | None]:
    st = app.get("status", {})
    return st.get("sync", {}).get("status"), st.get("health", {}).get("status")


def op_state(app: dict[str, Any]) -> dict[str, Any]:
    return app.get("status", {}).get("operationState") or {}


def wait_idle(lab: Any, name: str, timeout: float = 180) -> dict[str, Any]:
    """The app once no operation is set or running (earlier tests and auto-sync may still be busy)."""

    def idle() -> dict[str, Any] | None:
        app = lab.app(name)
        if app.get("operation") or op_state(app).get("phase") in ("Running", "Terminating"):
            return None
        return app

    return lab.wait_for(idle, timeout, f"Application {name} idle (no operation)")


def wait_op_done(lab: Any, name: str, since: datetime, timeout: float = 180) -> dict[str, Any]:
    """The app once an operation started at or after `since` (second precision) has finished."""
    floor = since.replace(microsecond=0)

    def done() -> dict[str, Any] | None:
        app = lab.app(name)
        state = op_state(app)
        started = state.get("startedAt")
        if app.get("operation") or not started or parse(started) < floor:
            return None
        return app if state.get("phase") in ("Succeeded", "Failed", "Error") else None

    return lab.wait_for(done, timeout, f"an operation on {name} started after {since:%H:%M:%S} to finish")


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def now() -> datetime:
    return datetime.now(UTC)


def audit_events(lab: Any, since: datetime, user_agent_prefix: str | None = "kftui/") -> list[dict[str, Any]]:
    """Apiserver audit events received at or after `since` from kftui's client (its User-Agent), or from
    anyone when `user_agent_prefix` is None."""
    time.sleep(1.0)  # the audit backend writes asynchronously to the file
    events = []
    for line in lab.audit_log.read_text().splitlines():
        if user_agent_prefix is not None and user_agent_prefix not in line:
            continue
        event = json.loads(line)
        if user_agent_prefix is not None and not str(event.get("userAgent", "")).startswith(
            user_agent_prefix
        ):
            continue
        if parse(event["requestReceivedTimestamp"]) >= since:
            events.append(event)
    return events


def writes(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in events if e.get("verb") in WRITE_VERBS]


def describe(events: list[dict[str, Any]]) -> list[str]:
    out = []
    for e in events:
        ref = e.get("objectRef", {})
        out.append(
            f"{e.get('verb')} {ref.get('resource')}/{ref.get('subresource', '')} "
            f"{ref.get('namespace', '')}/{ref.get('name', '')} by {e.get('user', {}).get('username')}"
        )
    return out


def argo_record_mark(lab: Any) -> int:
    """Where Argo CD's record (the auth-enabled argocd-server's log) ends now: calls after it are the window's."""
    return lab.argocd_auth_log.stat().st_size


def argo_calls(lab: Any, mark: int) -> list[ArgoCall]:
    """The calls argocd-server-auth started since `mark` (argo_record_mark), by its own log.

    "started call" is logged as a call begins, so a call begun before the mark is not counted; the sleep lets
    the last calls' lines reach the file."""
    time.sleep(1.0)
    with lab.argocd_auth_log.open("rb") as log:
        log.seek(mark)
        return parse_record(log.read().decode("utf-8", "replace"))

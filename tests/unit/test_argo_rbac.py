"""Argo CD's RBAC decides Argo CD actions through its REST API: a "no" from can-i, or a 403, shows the fix
disabled with Argo CD's reason (the Kubernetes RBAC case's twin), over a fake of our own ArgoHttp seam."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kftui.cluster.ops import ActionError
from kftui.fixes.argo_access import ArgoRbac
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ObjectRef
from tests.fix_fakes import T0, FakeArgo, FakeWorkloads

APP = ObjectRef("Application", "argocd", "drift")
NO_SYNC = (
    "Argo CD RBAC: this token may not sync applications team-a/drift "
    "(argocd account can-i sync applications team-a/drift: no)"
)


class FakeArgoHttp:
    """Argo CD's API for can-i: `allowed` actions answer yes, the rest no; `refuse` answers 403."""

    endpoint = "https://argocd.example"

    def __init__(self, allowed: set[str], refuse: bool = False) -> None:
        self.allowed = allowed
        self.refuse = refuse
        self.asked: list[str] = []

    def get_json(self, path: str, params: Any = None) -> Any:
        self.asked.append(path)
        if self.refuse:
            raise ActionError(
                f"Argo CD at {self.endpoint} refused the request (403): permission denied: applications, get, "
                "team-a/drift, sub: proj:team-a:viewer"
            )
        if path == "/api/v1/applications/drift":
            return {"metadata": {"name": "drift"}, "spec": {"project": "team-a"}}
        action = path.split("/")[6]
        return {"value": "yes" if action in self.allowed else "no"}

    def get_text(self, path: str, params: Any = None) -> str:
        raise AssertionError("not used")


def runner(tmp_path: Path, http: FakeArgoHttp, read_only: bool = False) -> tuple[FixRunner, FakeArgo]:
    argo = FakeArgo(name="argocd-rest")
    argo.add("drift")
    gate = Gate(read_only, AuditLog(tmp_path / "a.jsonl", user="alice"), argo_access=ArgoRbac(http))
    return FixRunner(gate, argo, FakeWorkloads(), step_timeout=5, poll_interval=0), argo


def snapshot(argo: FakeArgo) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([f.app for f in argo.apps.values()], now=T0)


def test_a_role_that_may_get_but_not_sync_shows_sync_disabled_with_the_reason(tmp_path: Path) -> None:
    http = FakeArgoHttp(allowed={"get"})
    run, argo = runner(tmp_path, http)
    sync = plan_action("sync", APP, snapshot(argo))
    assert run.refusal(sync) is None  # not asked yet: the event loop never waits on Argo CD
    assert http.asked == []
    assert run.review(sync) == NO_SYNC
    assert run.refusal(sync) == NO_SYNC  # known now
    assert run.review(plan_action("refresh", APP, snapshot(argo))) is None
    assert http.asked == [
        "/api/v1/applications/drift",
        "/api/v1/account/can-i/applications/sync/team-a/drift",
        "/api/v1/applications/drift",
        "/api/v1/account/can-i/applications/get/team-a/drift",
    ]
    result = run.run(sync)
    assert result.refused and result.message == NO_SYNC and argo.calls == []


def test_a_403_from_argocd_is_the_reason_as_argocd_gives_it(tmp_path: Path) -> None:
    run, argo = runner(tmp_path, FakeArgoHttp(allowed=set(), refuse=True))
    reason = run.review(plan_action("sync", APP, snapshot(argo)))
    assert reason is not None and reason.startswith("Argo CD RBAC: Argo CD at https://argocd.example refused")
    assert "proj:team-a:viewer" in reason


def test_read_only_asks_argocd_nothing(tmp_path: Path) -> None:
    http = FakeArgoHttp(allowed=set())
    run, argo = runner(tmp_path, http, read_only=True)
    assert run.review(plan_action("sync", APP, snapshot(argo))) == READ_ONLY_REASON
    assert http.asked == []

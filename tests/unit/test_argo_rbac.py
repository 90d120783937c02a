"""Argo CD's RBAC decides Argo CD actions through its REST API: a "no" from can-i, or a 403, shows the fix
disabled with Argo CD's reason (the Kubernetes RBAC case's twin), over a fake of our own ArgoHttp seam."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from kftui.cluster.ops import ActionError
from kftui.fixes.argo_access import ArgoRbac
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.plans import OrderedSyncPlan, SyncPlan
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ObjectRef
from tests.fix_fakes import T0, FakeArgo, FakeWorkloads

APP = ObjectRef("Application", "argocd", "drift")
NO_SYNC = (
    "Argo CD RBAC: this token may not sync applications team-a/drift "
    "(argocd account can-i sync applications team-a/drift: no)"
)


class FakeArgoHttp:
    """Argo CD's API for can-i: `allowed` actions answer yes, the rest no; `refuse` answers 403, `error` raises
    that text instead. Every app is in project team-a unless `project` says otherwise ("" for none set)."""

    endpoint = "https://argocd.example"

    def __init__(
        self, allowed: set[str], refuse: bool = False, error: str = "", project: str = "team-a"
    ) -> None:
        self.allowed = allowed
        self.refuse = refuse
        self.error = error
        self.project = project
        self.asked: list[str] = []
        self.params: list[Any] = []

    def get_json(self, path: str, params: Any = None) -> Any:
        self.asked.append(path)
        self.params.append(params)
        if self.refuse:
            raise ActionError(
                f"Argo CD at {self.endpoint} refused the request (403): permission denied: applications, get, "
                "team-a/drift, sub: proj:team-a:viewer"
            )
        if self.error:
            raise ActionError(self.error)
        if path.startswith("/api/v1/applications/"):
            name = path.rpartition("/")[2]
            return {"metadata": {"name": name}, "spec": {"project": self.project} if self.project else {}}
        action = unquote(path.split("/")[6])  # (a per-resource action is one segment, its slashes escaped)
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


def sync_plan(app: str = "drift") -> SyncPlan:
    return SyncPlan(
        fix_id="sync", title=f"Sync {app}", target=ObjectRef("Application", "argocd", app), command=""
    )


def test_the_app_is_read_in_the_namespace_argo_cd_keeps_applications_in() -> None:
    """The app's project is read with appNamespace (Argo CD's apps-in-any-namespace): argocd unless told."""
    http = FakeArgoHttp({"sync"})
    assert ArgoRbac(http).review(sync_plan()) is None
    assert http.params == [{"appNamespace": "argocd"}, None]
    http = FakeArgoHttp({"sync"})
    assert ArgoRbac(http, app_namespace="team-apps").review(sync_plan()) is None
    assert http.params == [{"appNamespace": "team-apps"}, None]


def test_an_app_without_a_project_is_asked_about_in_the_default_project() -> None:
    http = FakeArgoHttp(allowed=set(), project="")
    assert ArgoRbac(http).review(sync_plan()) == (
        "Argo CD RBAC: this token may not sync applications default/drift "
        "(argocd account can-i sync applications default/drift: no)"
    )
    assert http.asked[1] == "/api/v1/account/can-i/applications/sync/default/drift"


def test_a_401_refuses_and_an_answer_that_cannot_be_had_refuses_nothing() -> None:
    unauthorized = "Argo CD at https://argocd.example refused the request (401): token is expired"
    assert ArgoRbac(FakeArgoHttp(set(), error=unauthorized)).review(sync_plan()) == (
        f"Argo CD RBAC: {unauthorized}"
    )
    for error in (
        "Argo CD at https://argocd.example failed (500): internal error",
        "cannot reach Argo CD at https://argocd.example: connection refused",
    ):
        assert ArgoRbac(FakeArgoHttp(set(), error=error)).review(sync_plan()) is None, error


def test_an_ordered_sync_asks_about_every_app_of_its_chain() -> None:
    http = FakeArgoHttp(allowed={"sync"})
    plan = OrderedSyncPlan(
        fix_id="ordered-sync", title="t", target=ObjectRef("Application", "argocd", "first"), command="",
        chain=("first", "second"),
    )  # fmt: skip
    assert ArgoRbac(http).review(plan) is None
    assert http.asked == [
        "/api/v1/applications/first",
        "/api/v1/account/can-i/applications/sync/team-a/first",
        "/api/v1/applications/second",
        "/api/v1/account/can-i/applications/sync/team-a/second",
    ]


def test_each_answer_is_asked_once_and_kept() -> None:
    http = FakeArgoHttp(allowed={"get"})
    rbac = ArgoRbac(http)
    assert rbac.review(sync_plan()) == NO_SYNC
    assert rbac.review(sync_plan()) == NO_SYNC  # from what was kept: nothing asked again
    assert rbac.review(sync_plan("other")) is not None
    assert http.asked == [
        "/api/v1/applications/drift",
        "/api/v1/account/can-i/applications/sync/team-a/drift",
        "/api/v1/applications/other",
        "/api/v1/account/can-i/applications/sync/team-a/other",
    ]

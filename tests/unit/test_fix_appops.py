"""KubeAppOps over a fake of our own KubeSource seam (get_json / send_json), never the kubernetes client.

The fake enforces optimistic concurrency like the API server: a PUT whose resourceVersion is stale gets
409, which is how the guard against a concurrent change (the controller writing status) is exercised.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kftui.cluster.appops import KubeAppOps, KubeWorkloadOps
from kftui.cluster.http import KubeApiError
from kftui.cluster.ops import REPLACE, ActionError, NoOperation, OperationInProgress, SyncRequest

PATH = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/drift"


class FakeKube:
    server = "https://fake:6443"
    argocd_namespace = "argocd"

    def __init__(self, app: dict[str, Any], races: int = 0) -> None:
        self.app = app
        self.races = races
        """How many times another writer slips in between our GET and PUT."""
        self.requests: list[tuple[str, str, Any]] = []

    def get_json(self, path: str, query: Any = None) -> Any:
        self.requests.append(("GET", path, None))
        if path != PATH:
            raise KubeApiError(404, "not found")
        return copy.deepcopy(self.app)

    def send_json(self, method: str, path: str, body: Any, content_type: str = "application/json") -> Any:
        self.requests.append((method, path, copy.deepcopy(body)))
        if method == "PUT":
            if self.races:
                self.races -= 1
                self._bump()  # the controller wrote status meanwhile
            if body["metadata"]["resourceVersion"] != self.app["metadata"]["resourceVersion"]:
                raise KubeApiError(
                    409, "the object has been modified; please apply your changes to the latest version"
                )
            self.app = copy.deepcopy(body)
            self._bump()
            return self.app
        if method == "PATCH":
            self.app.setdefault("metadata", {}).setdefault("annotations", {}).update(
                body.get("metadata", {}).get("annotations", {})
            )
            self._bump()
            return self.app
        return None

    def _bump(self) -> None:
        meta = self.app["metadata"]
        meta["resourceVersion"] = str(int(meta["resourceVersion"]) + 1)


def app(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "drift", "namespace": "argocd", "resourceVersion": "10"},
        "spec": {"source": {"repoURL": "file:///r", "path": ".", "targetRevision": "main"}},
        "status": {"operationState": {"phase": "Succeeded", "startedAt": "2026-11-26T09:00:00Z"}},
    }
    base.update(extra)
    return base


def ops(kube: FakeKube) -> KubeAppOps:
    return KubeAppOps(kube, "argocd")  # type: ignore[arg-type]


def test_sync_writes_the_operation_and_clears_the_last_operation_state() -> None:
    kube = FakeKube(app())
    message = ops(kube).sync("drift", SyncRequest(sync_options=(REPLACE,)), "kftui:alice")
    assert "sync of drift requested" in message and "Replace=true" in message
    method, path, body = kube.requests[-1]
    assert (method, path) == ("PUT", PATH)
    assert body["metadata"]["resourceVersion"] == "10"  # the version read: the write is guarded by it
    assert body["operation"]["sync"]["syncOptions"] == [REPLACE]
    assert body["operation"]["initiatedBy"] == {"username": "kftui:alice"}
    assert "operationState" not in body["status"]


def test_a_conflict_reads_again_and_retries() -> None:
    kube = FakeKube(app(), races=2)
    ops(kube).sync("drift", SyncRequest(), "u")
    assert [m for m, _, _ in kube.requests] == ["GET", "PUT", "GET", "PUT", "GET", "PUT"]
    assert kube.app["operation"]["sync"]["revision"] == "main"


def test_endless_conflicts_give_up_with_a_reason() -> None:
    kube = FakeKube(app(), races=100)
    with pytest.raises(ActionError, match="kept changing"):
        ops(kube).sync("drift", SyncRequest(), "u")


def test_refuses_while_an_operation_is_set() -> None:
    kube = FakeKube(app(operation={"sync": {}}))
    with pytest.raises(OperationInProgress, match="another operation is already in progress"):
        ops(kube).sync("drift", SyncRequest(), "u")
    assert [m for m, _, _ in kube.requests] == ["GET"]


def test_terminate_sets_terminating_only_when_running() -> None:
    idle = FakeKube(app())
    with pytest.raises(NoOperation):
        ops(idle).terminate("drift")
    running = app(operation={"sync": {}})
    running["status"]["operationState"]["phase"] = "Running"
    kube = FakeKube(running, races=1)
    ops(kube).terminate("drift")
    assert kube.app["status"]["operationState"]["phase"] == "Terminating"
    assert kube.app["operation"] == {"sync": {}}


def test_refresh_is_an_annotation_patch() -> None:
    kube = FakeKube(app())
    ops(kube).refresh("drift", hard=True)
    method, path, body = kube.requests[-1]
    assert (method, path) == ("PATCH", PATH)
    assert body == {"metadata": {"annotations": {"argocd.argoproj.io/refresh": "hard"}}}


def test_add_sync_option_keeps_the_others() -> None:
    kube = FakeKube(app(spec={"source": {}, "syncPolicy": {"syncOptions": ["PruneLast=true"]}}))
    ops(kube).add_sync_option("drift", "CreateNamespace=true")
    assert kube.app["spec"]["syncPolicy"]["syncOptions"] == ["PruneLast=true", "CreateNamespace=true"]
    assert "already has" in ops(kube).add_sync_option("drift", "CreateNamespace=true")


def test_ignore_differences_are_added_to_what_the_app_has_after_a_conflict() -> None:
    """Read, merge, update guarded by the resourceVersion; a writer slipping in means read and merge again."""
    old = {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}
    new = {"group": "", "kind": "ConfigMap", "name": "c", "managedFieldsManagers": ["istio"]}
    kube = FakeKube(
        app(spec={"ignoreDifferences": [old], "syncPolicy": {"automated": {}, "syncOptions": ["A=b"]}}),
        races=1,
    )
    assert "1 ignoreDifferences entry added" in ops(kube).add_ignore_differences("drift", [new])
    spec = kube.app["spec"]
    assert spec["ignoreDifferences"] == [old, new]
    assert spec["syncPolicy"] == {
        "automated": {},
        "syncOptions": ["A=b", "RespectIgnoreDifferences=true", "ServerSideApply=true"],
    }
    assert [m for m, _, _ in kube.requests] == ["GET", "PUT", "GET", "PUT"]


def test_missing_app_is_a_clear_error() -> None:
    with pytest.raises(ActionError, match="Application argocd/ghost not found"):
        ops(FakeKube(app())).get_app("ghost")


def test_restart_is_the_rollout_restart_patch() -> None:
    class Recorder:
        server = "https://fake:6443"

        def __init__(self) -> None:
            self.sent: list[tuple[str, str, Any, str]] = []

        def send_json(self, method: str, path: str, body: Any, content_type: str = "application/json") -> Any:
            self.sent.append((method, path, body, content_type))
            return None

    rec = Recorder()
    work = KubeWorkloadOps(rec)  # type: ignore[arg-type]
    work.restart("Deployment", "kubeflow", "crash-looper", "2026-11-26T09:00:00Z")
    work.delete_pod("kubeflow", "p-1")
    work.create_namespace("auth")
    assert rec.sent == [
        (
            "PATCH",
            "/apis/apps/v1/namespaces/kubeflow/deployments/crash-looper",
            {
                "spec": {
                    "template": {
                        "metadata": {
                            "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-26T09:00:00Z"}
                        }
                    }
                }
            },
            "application/strategic-merge-patch+json",
        ),
        ("DELETE", "/api/v1/namespaces/kubeflow/pods/p-1", None, "application/json"),
        (
            "POST",
            "/api/v1/namespaces",
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "auth"}},
            "application/json",
        ),
    ]
    with pytest.raises(ActionError, match="cannot restart a Job"):
        work.restart("Job", "kubeflow", "j", "t")

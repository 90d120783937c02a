"""KubeSource's liveness probe and its per-namespace fallback for lists refused cluster-wide.

No HTTP library is faked: the tests override KubeSource's own seams (`_probe`, `list_collection`,
`_argocd_config`) on a client that is built but never connected, and read what the probe reports and
what the load asked for and produced.
"""

from __future__ import annotations

import queue
import threading
from typing import Any

import pytest
from kubernetes import client as k8s_client

from kftui.cluster.kube import (
    PROBE,
    PROBE_PATH,
    UNAUTHORIZED,
    Collection,
    KubeApiError,
    KubeSource,
    probe_problem,
)
from kftui.cluster.source import SourceError
from kftui.model import Application, KubeObject, Pod, Relisted

SERVER = "https://127.0.0.1:1"
REFUSED = KubeApiError(
    403, 'pods is forbidden: User "system:serviceaccount:argocd:x" cannot list resource "pods"'
)


def api() -> k8s_client.ApiClient:
    return k8s_client.ApiClient(k8s_client.Configuration(host=SERVER))


# --- the probe --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (KubeApiError(401, "Unauthorized"), UNAUTHORIZED),
        (KubeApiError(403, "forbidden"), None),
        (KubeApiError(503, "etcd: " + "x" * 200), "API server not ready (HTTP 503: etcd: " + "x" * 74 + ")"),
        (KubeApiError(500, "readyz check failed"), "API server not ready (HTTP 500: readyz check failed)"),
        (
            ConnectionRefusedError("[Errno 111] Connection refused"),
            f"cannot reach the API server at {SERVER}: connection refused",
        ),
        (TimeoutError("timed out"), f"cannot reach the API server at {SERVER}: timed out"),
    ],
)
def test_what_a_failed_probe_means(exc: BaseException, expected: str | None) -> None:
    assert probe_problem(exc, SERVER) == expected


class ScriptedProbe(KubeSource):
    """Answers each probe request from a script, in order; the loop stops once the script is used up."""

    def __init__(self, answers: list[str | None], readable: Collection | None) -> None:
        super().__init__(api(), "lab")
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.stop = threading.Event()
        self.probe_interval = 0.0
        if readable is not None:
            self._versions[readable] = "42"

    def _probe(self, path: str, query: Any) -> str | None:
        self.asked.append((path, dict(query)))
        answer = self.answers.pop(0)
        if not self.answers:
            self.stop.set()
        return answer

    def run(self) -> list[Any]:
        inbox: queue.Queue[Any] = queue.Queue()
        self._probe_loop(inbox, self.stop)
        return [inbox.get_nowait() for _ in range(inbox.qsize())]


PODS = Collection("pods", "Pod", "/api/v1/pods")
READYZ = (PROBE_PATH, {})
QUORUM = ("/api/v1/pods", {"limit": 1})
DOWN = "cannot reach the API server at x: connection refused"


def test_a_healthy_server_is_probed_with_readyz_then_a_one_item_list_and_nothing_is_reported() -> None:
    probe = ScriptedProbe([None, None, None, None], PODS)
    assert probe.run() == []
    assert probe.asked == [READYZ, QUORUM, READYZ, QUORUM]


def test_a_problem_is_reported_every_round_and_the_recovery_once() -> None:
    probe = ScriptedProbe([DOWN, DOWN, None, None, None, None], PODS)
    assert probe.run() == [(PROBE, DOWN), (PROBE, DOWN), (PROBE, None)]
    assert probe._recoveries == 1
    # While readyz fails, the list is not tried.
    assert probe.asked == [READYZ, READYZ, READYZ, QUORUM, READYZ, QUORUM]


def test_storage_failure_behind_a_ready_server_is_caught_by_the_quorum_read() -> None:
    etcd = "API server not ready (HTTP 500: etcdserver: request timed out)"
    probe = ScriptedProbe([None, etcd, None, None], PODS)
    assert probe.run() == [(PROBE, etcd), (PROBE, None)]
    assert probe._recoveries == 1


def test_without_a_readable_collection_only_readyz_is_probed() -> None:
    probe = ScriptedProbe([None, None], None)
    assert probe.run() == []
    assert probe.asked == [READYZ, READYZ]


# --- lists refused cluster-wide, listed per namespace -----------------------------------------------


class Listing(KubeSource):
    """Answers each LIST path from a table; unknown paths list nothing."""

    def __init__(self, answers: dict[str, list[KubeObject] | BaseException]) -> None:
        super().__init__(api(), "lab")
        self.answers = answers
        self.listed: list[str] = []
        self._lock_listed = threading.Lock()

    def list_collection(self, coll: Collection) -> tuple[list[KubeObject], str]:
        with self._lock_listed:
            self.listed.append(coll.path)
        answer = self.answers.get(coll.path, [])
        if isinstance(answer, BaseException):
            raise answer
        return list(answer), f"rv-{coll.path}"

    def _argocd_config(self) -> dict[str, str]:
        return {}


APPS = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications"
PIPELINES = Application(name="pipelines", namespace="argocd", dest_namespace="kubeflow")
DEMO = Application(name="demo", namespace="argocd", dest_namespace="demo")
KF_POD = Pod("kubeflow", "ml-pipeline-0")
DEMO_POD = Pod("demo", "web-0")


def limited(**extra: list[KubeObject] | BaseException) -> Listing:
    answers: dict[str, list[KubeObject] | BaseException] = {
        APPS: [PIPELINES, DEMO],
        "/api/v1/pods": REFUSED,
        "/api/v1/namespaces": KubeApiError(403, "namespaces is forbidden"),
        "/api/v1/namespaces/argocd/pods": REFUSED,
        "/api/v1/namespaces/demo/pods": REFUSED,
        "/api/v1/namespaces/kubeflow/pods": [KF_POD],
    }
    answers.update(extra)
    return Listing(answers)


def test_pods_refused_cluster_wide_are_listed_in_the_apps_namespaces_and_still_noted() -> None:
    source = limited()
    snapshot = source.load()
    assert set(snapshot.pods) == {("kubeflow", "ml-pipeline-0")}
    assert snapshot.forbidden["Pod"] == (
        f"forbidden: cannot list Pod ({REFUSED.message}); listed only in namespaces kubeflow"
    )
    # Tried in the Argo CD namespace and every destination, and nowhere else.
    tried = sorted(p for p in source.listed if p.startswith("/api/v1/namespaces/") and p.endswith("/pods"))
    assert tried == [f"/api/v1/namespaces/{ns}/pods" for ns in ("argocd", "demo", "kubeflow")]
    # The namespace that was listed is watched from its own resourceVersion; the refused ones are not.
    watched = {c.path: v for c, v in source._versions.items() if c.kind == "Pod"}
    assert watched == {"/api/v1/namespaces/kubeflow/pods": "rv-/api/v1/namespaces/kubeflow/pods"}


def test_cluster_scoped_kinds_are_not_retried_per_namespace() -> None:
    source = limited()
    snapshot = source.load()
    assert snapshot.forbidden["Namespace"] == "forbidden: cannot list Namespace (namespaces is forbidden)"
    assert not any(p.startswith("/api/v1/namespaces/") and p.endswith("/namespaces") for p in source.listed)


def test_when_no_namespace_can_be_listed_the_note_stays_the_plain_refusal() -> None:
    source = limited(**{"/api/v1/namespaces/kubeflow/pods": REFUSED})
    snapshot = source.load()
    assert not snapshot.pods
    assert snapshot.forbidden["Pod"] == f"forbidden: cannot list Pod ({REFUSED.message})"
    assert not any(c.kind == "Pod" for c in source._versions)


def test_kinds_readable_cluster_wide_are_not_listed_again() -> None:
    source = limited(**{"/api/v1/pods": [KF_POD, DEMO_POD]})
    snapshot = source.load()
    assert set(snapshot.pods) == {("kubeflow", "ml-pipeline-0"), ("demo", "web-0")}
    assert "Pod" not in snapshot.forbidden
    assert not any(p.endswith("/pods") and p != "/api/v1/pods" for p in source.listed)


def test_rejected_credentials_or_a_lost_server_fail_the_load_with_one_line() -> None:
    with pytest.raises(SourceError, match="rejected the credentials"):
        limited(**{APPS: KubeApiError(401, "Unauthorized")}).load()
    with pytest.raises(SourceError, match="connection refused"):
        limited(**{"/api/v1/services": ConnectionRefusedError("Connection refused")}).load()


def test_a_relist_of_one_namespace_carries_the_other_listed_namespaces() -> None:
    """A Relisted replaces every object of the kind: one namespace's relist must not drop the others'."""
    source = limited(**{"/api/v1/namespaces/demo/pods": [DEMO_POD]})
    source.load()
    kubeflow = next(c for c in source._versions if c.path == "/api/v1/namespaces/kubeflow/pods")
    inbox: queue.Queue[Any] = queue.Queue()
    version = source._relist(kubeflow, inbox)
    (relisted,) = [inbox.get_nowait()]
    assert isinstance(relisted, Relisted) and relisted.kind == "Pod"
    assert {(p.namespace, p.name) for p in relisted.objects} == {
        ("kubeflow", "ml-pipeline-0"),
        ("demo", "web-0"),
    }
    assert version == "rv-/api/v1/namespaces/kubeflow/pods"

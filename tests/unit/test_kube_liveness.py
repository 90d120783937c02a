"""The liveness probe and KubeSource's per-namespace fallback for lists refused cluster-wide.

No HTTP library is faked: the probe runs against a fake of our own HTTP seam (its `ping` answers from a
script), and the listing tests override KubeSource's `list_collection` and `_argocd_config`, then read what
the load asked for and produced.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from kftui.cluster.http import UNAUTHORIZED, KubeApiError
from kftui.cluster.kube import KubeSource
from kftui.cluster.listing import Collection
from kftui.cluster.probe import PROBE_PATH, Liveness, probe_problem
from kftui.cluster.source import SourceError
from kftui.model import Application, KubeObject, Pod

SERVER = "https://127.0.0.1:1"
REFUSED = KubeApiError(
    403, 'pods is forbidden: User "system:serviceaccount:argocd:x" cannot list resource "pods"'
)


class NoHttp:
    """An HTTP seam that is never asked anything (the listing tests answer above it)."""

    server = SERVER


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


DOWN = "cannot reach the API server at x: connection refused"
DOWN_ERROR = ConnectionRefusedError("Connection refused")
ETCD = "API server not ready (HTTP 500: etcdserver: request timed out)"
ETCD_ERROR = KubeApiError(500, "etcdserver: request timed out")


class ScriptedPing:
    """The seam's `ping`, answering each probe request from a script in order (an exception is raised);
    `stop` is set once the script is used up."""

    server = "x"

    def __init__(self, answers: list[BaseException | None]) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, dict[str, Any]]] = []
        self.stop = threading.Event()

    def ping(self, path: str, query: Any, timeout: float) -> None:
        self.asked.append((path, dict(query)))
        answer = self.answers.pop(0)
        if not self.answers:
            self.stop.set()
        if answer is not None:
            raise answer


def run_probe(http: ScriptedPing, readable: str | None) -> tuple[list[str | None], Liveness]:
    liveness = Liveness(http, interval=0.0)  # type: ignore[arg-type]
    reports: list[str | None] = []
    liveness.run(readable, reports.append, http.stop)
    return reports, liveness


READYZ = (PROBE_PATH, {})
QUORUM = ("/api/v1/pods", {"limit": 1})


def test_a_healthy_server_is_probed_with_readyz_then_a_one_item_list_and_nothing_is_reported() -> None:
    http = ScriptedPing([None, None, None, None])
    assert run_probe(http, "/api/v1/pods")[0] == []
    assert http.asked == [READYZ, QUORUM, READYZ, QUORUM]


def test_a_problem_is_reported_every_round_and_the_recovery_once() -> None:
    http = ScriptedPing([DOWN_ERROR, DOWN_ERROR, None, None, None, None])
    reports, liveness = run_probe(http, "/api/v1/pods")
    assert reports == [DOWN, DOWN, None]
    assert liveness.recoveries == 1
    # While readyz fails, the list is not tried.
    assert http.asked == [READYZ, READYZ, READYZ, QUORUM, READYZ, QUORUM]


def test_storage_failure_behind_a_ready_server_is_caught_by_the_quorum_read() -> None:
    http = ScriptedPing([None, ETCD_ERROR, None, None])
    reports, liveness = run_probe(http, "/api/v1/pods")
    assert reports == [ETCD, None]
    assert liveness.recoveries == 1


def test_without_a_readable_collection_only_readyz_is_probed() -> None:
    http = ScriptedPing([None, None])
    assert run_probe(http, None)[0] == []
    assert http.asked == [READYZ, READYZ]


def test_a_backoff_ends_as_soon_as_the_probe_sees_the_server_recover() -> None:
    liveness = Liveness(NoHttp())  # type: ignore[arg-type]
    stop = threading.Event()
    waiter = threading.Thread(target=liveness.backoff, args=(30.0, stop))
    waiter.start()
    liveness.recoveries += 1
    waiter.join(timeout=5)
    assert not waiter.is_alive(), "the backoff waited on after a recovery"
    stop.set()


# --- lists refused cluster-wide, listed per namespace -----------------------------------------------


class Listing(KubeSource):
    """Answers each LIST path from a table; unknown paths list nothing."""

    def __init__(self, answers: dict[str, list[KubeObject] | BaseException]) -> None:
        super().__init__(NoHttp(), "lab")  # type: ignore[arg-type]
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


def test_applications_refused_in_argo_cds_namespace_are_not_retried_elsewhere() -> None:
    source = limited(**{APPS: KubeApiError(403, "applications is forbidden")})
    snapshot = source.load()
    assert not snapshot.applications
    assert (
        snapshot.forbidden["Application"] == "forbidden: cannot list Application (applications is forbidden)"
    )
    assert [p for p in source.listed if p.endswith("/applications")] == [APPS]


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
    objects, version = source._relist(kubeflow)
    assert all(isinstance(p, Pod) for p in objects)
    assert {(p.namespace, p.name) for p in objects} == {
        ("kubeflow", "ml-pipeline-0"),
        ("demo", "web-0"),
    }
    assert version == "rv-/api/v1/namespaces/kubeflow/pods"

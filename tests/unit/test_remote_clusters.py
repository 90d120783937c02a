"""Apps on another cluster: destinations resolved to clusters, and their objects read through Argo CD's API.

The Argo CD answers are JSON files shaped as Argo CD's API types (ApplicationTree / ResourceNode, EventList,
ClusterList, the logs endpoint's JSON lines) in fixtures/argocd_spoke; they reach the code through kftui's
own seam (argoread.ArgoHttp), never through a faked httpx.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from kftui.checks.registry import run_checks
from kftui.cluster.argoapps import diff
from kftui.cluster.argoread import AppReader, clusters
from kftui.cluster.argotree import from_nodes, tree_nodes
from kftui.cluster.ops import ActionError
from kftui.cluster.remote import FederatedSource, cluster_secrets
from kftui.cluster.source import StaticSource
from kftui.model import (
    ARGOCD_API,
    ArgoCluster,
    ClusterSnapshot,
    Event,
    Namespace,
    Origin,
    Pod,
    WatchEvent,
    Workload,
    apply_events,
)
from kftui.model.clusters import IN_CLUSTER_SERVER, context_for, resolve
from kftui.profile import detect_profile
from tests.unit.fixtures import builders

FIXTURES = Path(__file__).parent / "fixtures" / "argocd_spoke"
SPOKE = "https://127.0.0.1:16443"
ORIGIN = Origin("spoke", ARGOCD_API)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


HOLD = object()
"""In a stream's script: the stream stays open, quiet, until it is stopped (a threading.Event: until it is set)."""


class FakeArgo:
    """Argo CD's API as kftui's ArgoHttp seam sees it: answers by path and query, every request noted.

    `scripts` are the live streams' answers, one per stream opened (then quiet streams): an exception raised
    on opening, or the chunks the body sends (HOLD: stay open until stopped)."""

    endpoint = "https://argocd.example"

    def __init__(
        self,
        tree: Any | None = None,
        refuse: dict[str, str] | None = None,
        scripts: list[Any] | None = None,
    ) -> None:
        self.tree = tree if tree is not None else fixture("resource-tree.json")
        self.refuse = refuse or {}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.scripts = list(scripts or [])
        self.streams: list[tuple[str, dict[str, Any]]] = []
        self.open_streams = 0
        self.changed = threading.Condition()

    @contextmanager
    def stream(self, path: str, params: Any, stop: threading.Event) -> Iterator[Iterator[bytes]]:
        with self.changed:
            self.streams.append((path, dict(params)))
            script = self.scripts.pop(0) if self.scripts else [HOLD]
            self.changed.notify_all()
        if isinstance(script, Exception):
            raise script

        def chunks() -> Iterator[bytes]:
            for item in script:
                if item is HOLD:
                    stop.wait()
                    return
                if isinstance(item, threading.Event):
                    item.wait(10)
                    continue
                yield item

        with self.changed:
            self.open_streams += 1
            self.changed.notify_all()
        try:
            yield chunks()
        finally:
            with self.changed:
                self.open_streams -= 1
                self.changed.notify_all()

    def _answer(self, path: str, params: dict[str, Any]) -> Any:
        for needle, reason in self.refuse.items():
            if needle in path:
                raise ActionError(f"Argo CD at {self.endpoint} refused the request (403): {reason}")
        if path == "/api/v1/clusters":
            return fixture("clusters.json")
        if path.endswith("/resource-tree"):
            return copy.deepcopy(self.tree)
        if path.endswith("/resource"):
            name = {"Pod": "pod-1.json", "Deployment": "dep-1.json"}[params["kind"]]
            return {"manifest": (FIXTURES / name).read_text()}
        if path.endswith("/events"):
            return fixture("events-pod-1.json") if params.get("resourceUID") == "pod-1" else {"items": []}
        raise AssertionError(f"unexpected GET {path}")

    def get_json(self, path: str, params: Any = None) -> Any:
        with self.changed:
            self.requests.append((path, dict(params or {})))
            self.changed.notify_all()
        return self._answer(path, dict(params or {}))

    def wait_for(self, what: Any, timeout: float = 10.0) -> None:
        """Until `what()` holds of the requests and streams (each notifies), or fail."""
        with self.changed:
            assert self.changed.wait_for(what, timeout), (self.requests, self.streams)

    def get_text(self, path: str, params: Any = None) -> str:
        self.requests.append((path, dict(params or {})))
        assert path.endswith("/logs")
        return (FIXTURES / "logs-pod-1.jsonl").read_text()


def spoke_app(**dest: str) -> dict[str, Any]:
    raw = builders.application("kubeflow-pipelines", "apps/pipelines", [], health="Degraded")
    raw["spec"]["destination"] = {"namespace": "kubeflow", **dest}
    return raw


# --- destinations -------------------------------------------------------------------------------------

REGISTERED = (ArgoCluster("in-cluster", IN_CLUSTER_SERVER), ArgoCluster("spoke", SPOKE))


@pytest.mark.parametrize(
    ("server", "name", "label", "in_cluster", "known"),
    [
        ("https://kubernetes.default.svc", "", "in-cluster", True, True),
        ("https://kubernetes.default.svc/", "", "in-cluster", True, True),
        ("", "in-cluster", "in-cluster", True, True),
        (SPOKE, "", "spoke", False, True),
        ("HTTPS://127.0.0.1:16443/", "", "spoke", False, True),
        ("", "spoke", "spoke", False, True),
        ("https://10.9.9.9:6443", "", "10.9.9.9:6443", False, False),
        ("", "elsewhere", "elsewhere", False, False),
    ],
)
def test_a_destination_resolves_to_its_cluster(
    server: str, name: str, label: str, in_cluster: bool, known: bool
) -> None:
    dest = resolve(server, name, REGISTERED)
    assert (dest.label, dest.in_cluster, dest.known) == (label, in_cluster, known)


def test_the_snapshot_resolves_an_apps_destination_by_name_before_server() -> None:
    app = builders.to_model(spoke_app(name="spoke"))
    snapshot = ClusterSnapshot(now=builders.NOW, clusters=REGISTERED)
    assert app.dest_name == "spoke"
    assert snapshot.destination(app).server == SPOKE


def test_a_kube_context_is_found_by_mapping_first_then_by_matching_server() -> None:
    contexts = {"kind-hub": "https://127.0.0.1:6443", "spoke-admin": "https://127.0.0.1:16443/"}
    assert context_for(SPOKE, contexts, {}) == "spoke-admin"
    assert context_for(SPOKE, contexts, {SPOKE + "/": "via-mapping"}) == "via-mapping"
    assert context_for("https://10.0.0.1", contexts, {}) == ""


def test_cluster_secrets_give_name_and_server_and_never_the_config() -> None:
    def b64(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    secret = {
        "metadata": {"name": "cluster-spoke", "labels": {"argocd.argoproj.io/secret-type": "cluster"}},
        "data": {"name": b64("spoke"), "server": b64(SPOKE), "config": b64('{"bearerToken":"s3cr3t-token"}')},
    }
    asked: list[Any] = []

    class Kube:
        server = "https://hub"

        def get_json(self, path: str, query: Any = None) -> Any:
            asked.append((path, query))
            return {"items": [secret]}

    found = cluster_secrets(Kube(), "argocd")  # type: ignore[arg-type]
    assert found == (ArgoCluster("spoke", SPOKE),)
    assert "s3cr3t" not in repr(found)
    assert asked == [
        ("/api/v1/namespaces/argocd/secrets", {"labelSelector": "argocd.argoproj.io/secret-type=cluster"})
    ]


def test_argocds_cluster_list_is_read_as_name_and_server() -> None:
    assert clusters(FakeArgo()) == (ArgoCluster("in-cluster", IN_CLUSTER_SERVER), ArgoCluster("spoke", SPOKE))


# --- the resource tree -----------------------------------------------------------------------------------


def test_the_tree_alone_gives_pods_workloads_and_namespaces_with_their_origin() -> None:
    objects = from_nodes(tree_nodes(fixture("resource-tree.json")), ORIGIN, {}, "kubeflow")
    pods = {o.name: o for o in objects if isinstance(o, Pod)}
    crashing, healthy = pods["ml-pipeline-7f9c6d-x2k4p"], pods["minio-5d8b4c-q7w2z"]
    assert crashing.display_status == "CrashLoopBackOff"
    assert (crashing.phase, crashing.ready, crashing.restarts, crashing.node) == (
        "Running",
        False,
        7,
        "kwok-spoke-0",
    )
    assert (crashing.workload_kind, crashing.workload_name) == ("Deployment", "ml-pipeline")
    assert (healthy.phase, healthy.ready, healthy.ready_count) == ("Running", True, (1, 1))
    workloads = {o.name: o for o in objects if isinstance(o, Workload)}
    assert (workloads["minio"].desired, workloads["minio"].ready) == (1, 1)
    assert (workloads["ml-pipeline"].desired, workloads["ml-pipeline"].ready) == (1, 0)
    assert [o.name for o in objects if isinstance(o, Namespace)] == ["kubeflow"]
    assert {o.origin for o in objects} == {ORIGIN}  # type: ignore[union-attr]


def test_the_reader_fetches_live_manifests_and_events_of_unhealthy_objects_only() -> None:
    argo = FakeArgo()
    reader = AppReader(argo, "kubeflow-pipelines", "argocd", ORIGIN, "kubeflow")
    objects = reader.read()
    fetched = sorted(p["resourceName"] for path, p in argo.requests if path.endswith("/resource"))
    assert fetched == ["ml-pipeline", "ml-pipeline-7f9c6d-x2k4p"]  # not minio: it is Healthy
    pod = next(o for o in objects if isinstance(o, Pod) and o.name.startswith("ml-pipeline"))
    assert pod.containers[0].name == "ml-pipeline-api-server"  # from the live manifest, not the node
    assert pod.containers[0].last_terminated_reason == "Error"
    assert pod.origin == ORIGIN
    events = [o for o in objects if isinstance(o, Event)]
    assert [(e.reason, e.count, e.origin) for e in events] == [("BackOff", 31, ORIGIN)]
    assert all(p.get("appNamespace") == "argocd" for _, p in argo.requests)

    argo.requests.clear()
    reader.read()
    assert not [path for path, _ in argo.requests if path.endswith("/resource")]  # same resourceVersions


def test_logs_come_through_argocd_until_the_last_marker() -> None:
    argo = FakeArgo()
    reader = AppReader(argo, "kubeflow-pipelines", "argocd", ORIGIN, "kubeflow")
    text = reader.logs("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "ml-pipeline-api-server", 50)
    assert text.splitlines() == [
        'time="2026-12-03T10:19:58Z" level=fatal msg="Failed to connect to mysql"',
        "exit status 1",
    ]
    path, params = argo.requests[0]
    assert path == "/api/v1/applications/kubeflow-pipelines/logs"
    assert params["podName"] == "ml-pipeline-7f9c6d-x2k4p" and params["tailLines"] == 50


def test_an_app_name_is_one_path_segment() -> None:
    argo = FakeArgo()
    AppReader(argo, "a/../b?x", "argocd", ORIGIN, "").read()
    assert argo.requests[0][0] == "/api/v1/applications/a%2F..%2Fb%3Fx/resource-tree"


# --- the federated source ------------------------------------------------------------------------------


def hub_snapshot(*apps: dict[str, Any]) -> ClusterSnapshot:
    return builders.snapshot(list(apps))


def test_a_remote_apps_crashing_pod_is_a_finding_that_says_it_came_through_argocd() -> None:
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    snapshot = FederatedSource(hub, FakeArgo()).load()
    pod = snapshot.pods[("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke")]
    assert pod.origin == ORIGIN
    findings = run_checks(snapshot, detect_profile({"kubeflow-pipelines"}))
    crash = next(f for f in findings if f.check == "pod-failing")
    assert crash.evidence_lines == (
        "container ml-pipeline-api-server: CrashLoopBackOff, 7 restarts, last exit Error (code 1)",
        "event BackOff: Back-off restarting failed container ml-pipeline-api-server in pod "
        "ml-pipeline-7f9c6d-x2k4p_kubeflow(pod-1)",
        "via Argo CD API (cluster spoke)",
    )
    app_finding = next(f for f in findings if f.subject.kind == "Application")
    assert f"deploys to cluster spoke ({SPOKE})" in app_finding.evidence_lines


def test_an_in_cluster_app_is_not_read_through_argocd() -> None:
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=IN_CLUSTER_SERVER)))
    argo = FakeArgo()
    snapshot = FederatedSource(hub, argo).load()
    assert [path for path, _ in argo.requests] == ["/api/v1/clusters"]
    assert not snapshot.pods


def test_a_refused_tree_leaves_the_app_unread_and_says_why() -> None:
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, FakeArgo(refuse={"resource-tree": "permission denied"}))
    snapshot = source.load()
    assert not snapshot.pods
    assert "permission denied" in source.problem


def test_polling_sends_what_changed_on_the_remote_cluster() -> None:
    argo = FakeArgo()
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, argo, interval=0.01, max_streams=0)  # no live stream: the poll alone
    snapshot = source.load()
    # The crashing pod is replaced by a new, running one.
    tree = fixture("resource-tree.json")
    tree["nodes"] = [n for n in tree["nodes"] if n["uid"] != "pod-1"]
    argo.tree = tree
    stop = threading.Event()
    got: list[WatchEvent] = []

    def sink(item: Any) -> None:
        if isinstance(item, list):
            got.extend(item)
            stop.set()

    source.follow(sink, stop)
    deleted = [e.obj.name for e in got if e.type == "DELETED"]  # type: ignore[union-attr]
    assert "ml-pipeline-7f9c6d-x2k4p" in deleted
    after = apply_events(snapshot, list(got))
    assert ("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke") not in after.pods
    assert ("kubeflow", "minio-5d8b4c-q7w2z", "spoke") in after.pods
    assert argo.streams == []


def test_diff_sends_nothing_for_an_unchanged_read() -> None:
    objects = from_nodes(tree_nodes(fixture("resource-tree.json")), ORIGIN, {}, "kubeflow")
    same = {(type(o).__name__, o.key): o for o in objects}
    assert diff(same, dict(same)) == []


def test_logs_and_manifests_of_a_remote_pod_are_routed_through_argocd() -> None:
    argo = FakeArgo()
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, argo)
    source.load()
    assert "exit status 1" in source.pod_logs("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "", 10)
    raw = source.raw_object("Pod", "kubeflow", "ml-pipeline-7f9c6d-x2k4p")
    assert raw is not None and raw["metadata"]["uid"] == "pod-1"
    assert source.raw_object("Pod", "kubeflow", "not-remote") is None  # the hub's (a static source: none)


def test_a_cluster_a_kube_context_reaches_is_read_directly_not_through_argocd() -> None:
    spoke_pod = builders.to_model(
        builders.pod(
            "kubeflow", "ml-pipeline-7f9c6d-x2k4p", "ml-pipeline", ready=False, waiting="CrashLoopBackOff"
        )
    )
    spoke = StaticSource(lambda: ClusterSnapshot.from_objects([spoke_pod], now=builders.NOW))
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    argo = FakeArgo()
    asked: list[str] = []

    def connect(server: str) -> StaticSource | None:
        asked.append(server)
        return spoke if server == SPOKE else None

    snapshot = FederatedSource(hub, argo, connect=connect).load()
    assert asked == [SPOKE]
    assert not [path for path, _ in argo.requests if "/applications/" in path]
    pod = snapshot.pods[("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke")]
    assert pod.origin == Origin("spoke", "direct")
    findings = run_checks(snapshot, detect_profile({"kubeflow-pipelines"}))
    crash = next(f for f in findings if f.check == "pod-failing")
    assert crash.evidence_lines[-1] == "via a direct kube context (cluster spoke)"


def test_a_namespace_the_hub_has_too_is_kept_beside_the_hubs() -> None:
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE), builders.namespace("kubeflow")))
    snapshot = FederatedSource(hub, FakeArgo()).load()
    assert snapshot.namespaces[("", "kubeflow")].origin is None
    assert snapshot.namespaces[("", "kubeflow", "spoke")].origin == ORIGIN
    assert snapshot.pods[("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke")].origin == ORIGIN


def test_a_second_load_gives_every_remote_object_again() -> None:
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, FakeArgo())
    first, again = source.load(), source.load()
    assert (
        set(again.pods)
        == set(first.pods)
        == {
            ("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke"),
            ("kubeflow", "minio-5d8b4c-q7w2z", "spoke"),
        }
    )


def test_a_direct_context_that_fails_falls_back_to_argocd_and_says_so() -> None:
    from kftui.cluster.source import SourceError

    def broken() -> ClusterSnapshot:
        raise SourceError("cannot reach the API server at https://127.0.0.1:16443: connection refused")

    class Spoke(StaticSource):
        context = "spoke-admin"

    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, FakeArgo(), connect=lambda server: Spoke(broken))
    snapshot = source.load()
    assert snapshot.pods[("kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke")].origin == ORIGIN
    assert source.problem == (
        "cluster spoke through context spoke-admin: cannot reach the API server at https://127.0.0.1:16443: "
        "connection refused"
    )

"""Objects of two clusters with the same namespace and name: the hub's and a remote app's stay apart.

Kubeflow deploys the same namespaces and names on every cluster (`kubeflow/ml-pipeline-...`), so a snapshot that
keyed its collections by (namespace, name) alone would let a spoke's pod overwrite the hub's, and a check would
read one cluster's object for the other's app. Remote objects are tagged the way the cluster layer tags them
(cluster/remote.py `tagged`), from raw objects converted like real data.
"""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.registry import run_checks
from kftui.cluster.remote import tagged
from kftui.fixes.plan import PlanError, plan_action, plan_fix
from kftui.model import (
    ARGOCD_API,
    DIRECT,
    ArgoCluster,
    ClusterSnapshot,
    Event,
    Finding,
    KubeObject,
    Namespace,
    ObjectRef,
    Origin,
    Pod,
    WatchEvent,
    Workload,
    apply_events,
)
from kftui.model.clusters import IN_CLUSTER_SERVER
from kftui.profile import AppSpec, KeyWorkload, Profile
from kftui.syncblocker import find_blocker
from kftui.ui.timeline import timeline
from kftui.ui.tree_model import TreeItem, TreeModel
from kftui.ui.view_actions import timeline_scope_of
from tests.unit.fixtures import builders

SPOKE = "https://127.0.0.1:16443"
ORIGIN = Origin("spoke", ARGOCD_API)
CLUSTERS = (ArgoCluster("in-cluster", IN_CLUSTER_SERVER), ArgoCluster("spoke", SPOKE))
POD = "ml-pipeline-5c8d7f9b6-x2k4p"
PROFILE = Profile(
    name="two-clusters",
    applications=(AppSpec("pipelines-hub"), AppSpec("pipelines-spoke")),
    expected_namespaces=("kubeflow",),
)


def app(name: str, server: str, health: str = "Healthy") -> dict[str, Any]:
    raw = builders.application(
        name,
        f"apps/{name}",
        [builders.resource("Deployment", "ml-pipeline", "kubeflow", group="apps", health=None)],
        health=health,
    )
    raw["spec"]["destination"]["server"] = server
    return raw


def event(pod: str, reason: str, message: str, name: str = "ml-pipeline.1") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": name, "namespace": "kubeflow"},
        "involvedObject": {"kind": "Pod", "namespace": "kubeflow", "name": pod},
        "reason": reason,
        "message": message,
        "type": "Warning",
        "lastTimestamp": "2026-11-20T03:00:00Z",
    }


def _convert(raw: dict[str, Any]) -> KubeObject:
    from kftui.cluster.convert import to_model

    obj = to_model(raw)
    assert obj is not None
    return obj


def cluster_objects(*, hub_crashing: bool) -> tuple[list[KubeObject], list[KubeObject]]:
    """(the hub's objects, the spoke's): one of the two pods of the same name crash-loops, with its event."""
    hub_raw = [
        builders.namespace("kubeflow"),
        builders.deployment("kubeflow", "ml-pipeline", ready=0 if hub_crashing else 1),
        builders.pod(
            "kubeflow",
            POD,
            "ml-pipeline",
            ready=not hub_crashing,
            waiting="CrashLoopBackOff" if hub_crashing else None,
        ),
        event(POD, "BackOff", "hub: back-off restarting" if hub_crashing else "hub: old news"),
    ]
    spoke_raw = [
        builders.namespace("kubeflow"),
        builders.deployment("kubeflow", "ml-pipeline", ready=1 if hub_crashing else 0),
        builders.pod(
            "kubeflow",
            POD,
            "ml-pipeline",
            ready=hub_crashing,
            waiting=None if hub_crashing else "CrashLoopBackOff",
        ),
        event(POD, "BackOff", "spoke: old news" if hub_crashing else "spoke: back-off restarting"),
    ]
    hub = [_convert(r) for r in hub_raw]
    spoke = [tagged(_convert(r), ORIGIN) for r in spoke_raw]
    return hub, spoke


def apps(*, hub_health: str = "Healthy", spoke_health: str = "Degraded") -> list[KubeObject]:
    return [
        _convert(app("pipelines-hub", IN_CLUSTER_SERVER, hub_health)),
        _convert(app("pipelines-spoke", SPOKE, spoke_health)),
    ]


def two_clusters(*, hub_crashing: bool = False, **health: str) -> ClusterSnapshot:
    hub, spoke = cluster_objects(hub_crashing=hub_crashing)
    return ClusterSnapshot.from_objects(
        [*apps(**health), *hub, *spoke],
        now=builders.NOW,
        clusters=CLUSTERS,
        argocd_config=builders.HEALTHY_ARGOCD_CM,
    )


def of(objects: list[KubeObject], typ: type) -> Any:
    return next(o for o in objects if isinstance(o, typ))


# --- the snapshot -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", ["namespaces", "pods", "workloads", "events"])
def test_from_objects_keeps_the_hubs_and_the_spokes_object_of_the_same_name(collection: str) -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    snapshot = ClusterSnapshot.from_objects([*hub, *spoke], now=builders.NOW, clusters=CLUSTERS)
    held = snapshot.collection(collection)
    typ = {"namespaces": Namespace, "pods": Pod, "workloads": Workload, "events": Event}[collection]
    hub_obj, spoke_obj = of(hub, typ), of(spoke, typ)
    assert hub_obj.key != spoke_obj.key
    assert len(held) == 2
    assert held[hub_obj.key] is hub_obj and held[spoke_obj.key] is spoke_obj


def test_watch_events_of_both_clusters_add_and_delete_each_its_own_object() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    empty = ClusterSnapshot(now=builders.NOW, clusters=CLUSTERS)
    both = apply_events(empty, [WatchEvent("ADDED", o) for o in [*hub, *spoke]])
    assert (len(both.namespaces), len(both.pods), len(both.workloads), len(both.events)) == (2, 2, 2, 2)
    hub_pod, spoke_pod = of(hub, Pod), of(spoke, Pod)
    assert both.pods[hub_pod.key] is hub_pod and both.pods[spoke_pod.key] is spoke_pod

    gone = apply_events(both, [WatchEvent("DELETED", spoke_pod), WatchEvent("DELETED", of(spoke, Namespace))])
    assert list(gone.pods.values()) == [hub_pod]
    assert list(gone.namespaces.values()) == [of(hub, Namespace)]
    back = apply_events(gone, [WatchEvent("DELETED", hub_pod), WatchEvent("ADDED", spoke_pod)])
    assert list(back.pods.values()) == [spoke_pod]


def test_a_remote_event_is_about_the_remote_pod_only() -> None:
    snapshot = two_clusters()
    hub_pod = next(p for p in snapshot.pods.values() if p.origin is None)
    spoke_pod = next(p for p in snapshot.pods.values() if p.origin == ORIGIN)
    assert hub_pod.ref != spoke_pod.ref
    assert [e.message for e in snapshot.events_for(hub_pod.ref)] == ["hub: old news"]
    assert [e.message for e in snapshot.events_for(spoke_pod.ref)] == ["spoke: back-off restarting"]
    assert snapshot.origin_of(spoke_pod.ref) == ORIGIN and snapshot.origin_of(hub_pod.ref) is None


def test_a_namespace_named_without_a_cluster_is_the_hubs_though_the_spokes_was_read_first() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    both = ClusterSnapshot.from_objects([*spoke, *hub], now=builders.NOW, clusters=CLUSTERS)
    assert both.namespace_named("kubeflow") is of(hub, Namespace)
    spoke_only = ClusterSnapshot.from_objects(spoke, now=builders.NOW, clusters=CLUSTERS)
    assert spoke_only.namespace_named("kubeflow") is of(spoke, Namespace)
    assert spoke_only.namespace_named("istio-system") is None


def test_an_untagged_object_is_from_where_its_namespace_on_its_cluster_was_read() -> None:
    snapshot = two_clusters()
    assert snapshot.origin_of(ObjectRef("Service", "kubeflow", "ml-pipeline", "spoke")) == ORIGIN
    assert snapshot.origin_of(ObjectRef("Service", "kubeflow", "ml-pipeline")) is None
    assert snapshot.origin_of(ObjectRef("Service", "istio-system", "gateway", "spoke")) is None
    _, spoke = cluster_objects(hub_crashing=False)
    spoke_only = ClusterSnapshot.from_objects(spoke, now=builders.NOW, clusters=CLUSTERS)
    # A Service naming no cluster (kftui reads them on the hub) goes by the namespace of that name.
    assert spoke_only.origin_of(ObjectRef("Service", "kubeflow", "ml-pipeline")) == ORIGIN


def test_get_holds_no_object_of_a_kind_the_snapshot_does_not_collect() -> None:
    snapshot = two_clusters()
    assert snapshot.get(ObjectRef("ConfigMap", "kubeflow", "ml-pipeline")) is None
    assert snapshot.get(ObjectRef("Namespace", None, "kubeflow")) is not None


# --- what the user sees -----------------------------------------------------------------------------------


def _child(model: TreeModel, item: TreeItem, name: str) -> TreeItem:
    return next(c for c in model.children(item) if c.name == name)


def test_the_tree_shows_each_clusters_namespace_and_pod_under_its_app() -> None:
    snapshot = two_clusters()
    model = TreeModel(snapshot, run_checks(snapshot, PROFILE))
    roots = {item.name: item for item in model.roots()}
    assert set(roots) == {"pipelines-hub", "pipelines-spoke"}
    for name, origin in (("pipelines-hub", None), ("pipelines-spoke", ORIGIN)):
        ns = _child(model, roots[name], "kubeflow")
        assert isinstance(ns.obj, Namespace) and ns.obj.origin == origin
        pod = _child(model, ns, POD)
        assert isinstance(pod.obj, Pod) and pod.obj.origin == origin
    assert "Unowned" not in {item.name for item in model.roots()}


def test_a_namespace_rows_timeline_holds_its_own_clusters_events() -> None:
    """Both clusters have `kubeflow` with a BackOff event of the same pod name: the spoke app's namespace row's
    timeline shows the spoke's event only, the hub app's the hub's only."""
    snapshot = two_clusters(hub_crashing=False)
    model = TreeModel(snapshot, [])
    roots = {item.name: item for item in model.roots()}
    messages = {}
    for app_name in ("pipelines-hub", "pipelines-spoke"):
        scope = timeline_scope_of(_child(model, roots[app_name], "kubeflow"))
        assert scope is not None
        messages[app_name] = [e.message for e in timeline(snapshot, model.topology, scope)]
    assert messages == {
        "pipelines-hub": ["hub: old news"],
        "pipelines-spoke": ["spoke: back-off restarting"],
    }


def test_unowned_pods_and_orphan_namespaces_are_grouped_per_cluster() -> None:
    """A spoke read through its own context has pods no app owns (its kube-system) and a namespace no app deploys
    to, as the hub has: Unowned shows each namespace once per cluster, the spoke's rows naming the spoke (the
    row's ref is what describe and the fixes act on), each with its own cluster's pods only."""
    direct = Origin("spoke", DIRECT, "spoke-admin")
    objects = [
        _convert(builders.namespace("kube-system")),
        _convert(builders.pod("kube-system", "coredns-1", "coredns")),
        _convert(builders.namespace("scratch")),
        *(
            tagged(_convert(raw), direct)
            for raw in (
                builders.namespace("kube-system"),
                builders.pod("kube-system", "coredns-1", "coredns"),
                builders.pod("kube-system", "coredns-2", "coredns"),
                builders.namespace("scratch"),
            )
        ),
    ]
    snapshot = ClusterSnapshot.from_objects(objects, now=builders.NOW, clusters=CLUSTERS)
    model = TreeModel(snapshot, [])
    (unowned,) = [item for item in model.roots() if item.kind == "unowned"]
    rows = model.children(unowned)
    assert [(r.name, r.ref.cluster if r.ref else None) for r in rows] == [
        ("kube-system", ""),
        ("kube-system", "spoke"),
        ("scratch", ""),
        ("scratch", "spoke"),
    ]
    assert len({r.key for r in rows}) == 4
    pods = {r.ref.cluster if r.ref else None: [c.obj for c in model.children(r)] for r in rows[:2]}
    assert [(p.name, p.cluster) for p in pods[""] if isinstance(p, Pod)] == [("coredns-1", "")]
    assert [(p.name, p.cluster) for p in pods["spoke"] if isinstance(p, Pod)] == [
        ("coredns-1", "spoke"),
        ("coredns-2", "spoke"),
    ]
    spoke_scratch = rows[3]
    assert isinstance(spoke_scratch.obj, Namespace) and spoke_scratch.obj.origin == direct
    assert "@spoke" in model.label(spoke_scratch).plain and "orphan" in model.label(spoke_scratch).plain
    assert "@" not in model.label(rows[2]).plain and "orphan" in model.label(rows[2]).plain


@pytest.mark.parametrize("hub_crashing", [False, True], ids=["spoke-crashes", "hub-crashes"])
def test_pod_failing_reads_the_crashing_clusters_pod_and_names_its_cluster(hub_crashing: bool) -> None:
    snapshot = two_clusters(hub_crashing=hub_crashing)
    failing = [f for f in run_checks(snapshot, PROFILE) if f.check == "pod-failing"]
    assert len(failing) == 1
    crash = failing[0]
    if hub_crashing:
        assert crash.app == "pipelines-hub"
        assert "event BackOff: hub: back-off restarting" in crash.evidence_lines
        assert not any("cluster spoke" in line for line in crash.evidence_lines)
    else:
        assert crash.app == "pipelines-spoke"
        assert "event BackOff: spoke: back-off restarting" in crash.evidence_lines
        assert crash.evidence_lines[-1] == "via Argo CD API (cluster spoke)"
        assert "spoke" in crash.id


def _degraded(findings: list[Finding], app_name: str) -> Finding | None:
    return next((f for f in findings if f.check == "app-degraded" and f.app == app_name), None)


def test_an_apps_workload_health_is_read_on_the_apps_cluster() -> None:
    snapshot = two_clusters(hub_health="Degraded", spoke_health="Degraded")
    findings = run_checks(snapshot, PROFILE)
    spoke, hub = _degraded(findings, "pipelines-spoke"), _degraded(findings, "pipelines-hub")
    assert spoke is not None and hub is not None
    assert (
        "Deployment/kubeflow/ml-pipeline Degraded (pod ml-pipeline-5c8d7f9b6-x2k4p: CrashLoopBackOff)"
        in spoke.evidence
    )
    assert "ml-pipeline" not in hub.evidence  # the hub's deployment and pod are healthy


def test_a_namespace_missing_on_the_hub_is_missing_though_the_spoke_has_it() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    without = [o for o in hub if not isinstance(o, Namespace)]
    snapshot = ClusterSnapshot.from_objects([*apps(), *without, *spoke], now=builders.NOW, clusters=CLUSTERS)
    missing = [f for f in run_checks(snapshot, PROFILE) if f.check == "namespace-missing"]
    assert [f.title for f in missing] == ["Namespace kubeflow does not exist"]
    assert missing[0].app == "pipelines-hub"


def test_a_namespace_missing_on_the_spoke_is_not_hidden_by_the_hubs() -> None:
    hub, spoke = cluster_objects(hub_crashing=False)
    without = [o for o in spoke if not isinstance(o, Namespace)]
    spoke_only = [_convert(app("pipelines-spoke", SPOKE))]
    snapshot = ClusterSnapshot.from_objects(
        [*spoke_only, *hub, *without], now=builders.NOW, clusters=CLUSTERS
    )
    missing = [f for f in run_checks(snapshot, PROFILE) if f.check == "namespace-missing"]
    assert [(f.title, f.app) for f in missing] == [("Namespace kubeflow does not exist", "pipelines-spoke")]


def test_an_event_and_a_workload_keep_their_cluster() -> None:
    _, spoke = cluster_objects(hub_crashing=False)
    assert of(spoke, Event).involved.cluster == "spoke"
    assert of(spoke, Workload).origin == ORIGIN


def test_an_apps_timeline_holds_the_events_of_its_own_cluster() -> None:
    from kftui.topology import build_topology
    from kftui.ui.timeline import TimelineScope, timeline

    snapshot = two_clusters()
    topology = build_topology(snapshot)
    for app_name, message in (
        ("pipelines-spoke", "spoke: back-off restarting"),
        ("pipelines-hub", "hub: old news"),
    ):
        events = timeline(snapshot, topology, TimelineScope(app_name, app=app_name))
        assert [e.message for e in events] == [message]


def test_logs_and_yaml_of_a_pod_go_to_the_cluster_it_is_on() -> None:
    """The hub has a pod of the same namespace and name as the remote app's: each is read from its own cluster."""
    import threading

    from kftui.cluster.logs import LogRequest
    from kftui.cluster.remote import FederatedSource
    from kftui.cluster.source import StaticSource
    from tests.unit.test_remote_clusters import FakeArgo, hub_snapshot, spoke_app

    crashing = "ml-pipeline-7f9c6d-x2k4p"

    class Hub(StaticSource):
        def pod_logs(self, namespace: str, name: str, container: str = "", tail: int = 200, **_: Any) -> str:
            return f"hub log of {name}"

        def stream_logs(self, request: LogRequest, stop: threading.Event) -> list[str]:
            return [f"hub stream of {request.pod}"]

        def raw_object(
            self, kind: str, namespace: str | None, name: str, *rest: str, **_: Any
        ) -> dict[str, Any]:
            return {"metadata": {"uid": "hub-pod"}}

    hub_pod = builders.pod("kubeflow", crashing, "ml-pipeline")
    source = FederatedSource(Hub(lambda: hub_snapshot(spoke_app(server=SPOKE), hub_pod)), FakeArgo())
    snapshot = source.load()
    hub, spoke = (
        next(p for p in snapshot.pods.values() if p.name == crashing and p.ref.cluster == c)
        for c in ("", "spoke")
    )
    assert source.pod_logs("kubeflow", crashing, "", 10, cluster=hub.ref.cluster) == f"hub log of {crashing}"
    assert "exit status 1" in source.pod_logs("kubeflow", crashing, "", 10, cluster=spoke.ref.cluster)
    stop = threading.Event()
    assert list(source.stream_logs(LogRequest("kubeflow", crashing, cluster=""), stop)) == [
        f"hub stream of {crashing}"
    ]
    assert "exit status 1" in list(
        source.stream_logs(LogRequest("kubeflow", crashing, cluster="spoke"), stop)
    )
    assert source.raw_object("Pod", "kubeflow", crashing, cluster="") == {"metadata": {"uid": "hub-pod"}}
    raw = source.raw_object("Pod", "kubeflow", crashing, cluster="spoke")
    assert raw is not None and raw["metadata"]["uid"] == "pod-1"


def test_a_login_workload_is_read_on_the_cluster_its_app_deploys_to() -> None:
    """dex of the spoke's app is crash-looping; the hub's dex of the same name is fine (and vice versa)."""
    from kftui.profile import KeyWorkload

    profile = Profile(
        name="auth",
        applications=(AppSpec("pipelines-hub"), AppSpec("pipelines-spoke")),
        key_workloads=(KeyWorkload("Deployment", "kubeflow", "ml-pipeline", "dex"),),
        auth_roles=("dex",),
    )
    only_spoke = [_convert(app("pipelines-spoke", SPOKE))]
    for hub_crashing in (False, True):
        hub, spoke = cluster_objects(hub_crashing=hub_crashing)
        # Only the spoke's app deploys ml-pipeline: the hub's copy is not the login path's.
        snapshot = ClusterSnapshot.from_objects(
            [*only_spoke, *hub, *spoke], now=builders.NOW, clusters=CLUSTERS
        )
        found = [f for f in run_checks(snapshot, profile) if f.check == "auth-stack"]
        if hub_crashing:
            assert found == []
        else:
            assert [(f.subject.cluster, f.app) for f in found] == [("spoke", "pipelines-spoke")]
            assert found[0].evidence_lines[0] == "Deployment kubeflow/ml-pipeline: 0/1 replicas ready"


LOGIN = Profile(
    name="auth",
    applications=(AppSpec("pipelines-hub"), AppSpec("pipelines-spoke")),
    key_workloads=(KeyWorkload("Deployment", "kubeflow", "ml-pipeline", "dex"),),
    auth_roles=("dex",),
)


def test_a_login_workload_missing_on_the_spoke_says_its_namespace_is_missing_there_though_the_hub_has_it() -> (
    None
):
    hub, spoke = cluster_objects(hub_crashing=False)
    # The spoke's app deploys ml-pipeline; the spoke has neither it nor its namespace (the hub has both).
    snapshot = ClusterSnapshot.from_objects(
        [_convert(app("pipelines-spoke", SPOKE)), *hub, *[o for o in spoke if isinstance(o, Event)]],
        now=builders.NOW,
        clusters=CLUSTERS,
    )
    (found,) = [f for f in run_checks(snapshot, LOGIN) if f.check == "auth-stack"]
    assert found.subject.cluster == "spoke"
    assert found.evidence_lines == (
        "Deployment kubeflow/ml-pipeline does not exist (namespace kubeflow is missing too)",
    )


def test_a_hub_login_workload_lists_only_the_hubs_pods_not_a_spokes_of_the_same_workload() -> None:
    hub, spoke = cluster_objects(hub_crashing=True)
    # The hub's app deploys ml-pipeline, which the workloads do not show: its pods say whether it is up.
    objects = [o for o in [*hub, *spoke] if not isinstance(o, Workload)]
    snapshot = ClusterSnapshot.from_objects(
        [_convert(app("pipelines-hub", IN_CLUSTER_SERVER)), *objects], now=builders.NOW, clusters=CLUSTERS
    )
    (found,) = [f for f in run_checks(snapshot, LOGIN) if f.check == "auth-stack"]
    assert found.subject.cluster == ""
    # The spoke's pod of the same name is Ready: counted as the hub's, it would hide the broken login.
    assert found.evidence_lines == (
        "no ready pod of Deployment kubeflow/ml-pipeline",
        f"pod {POD}: CrashLoopBackOff",
    )


# --- what an Application manages is on the cluster it deploys to ------------------------------------------

FAILED_HOOK = {
    "operation": {"sync": {"revision": "abc"}, "initiatedBy": {"username": "admin"}},
    "phase": "Failed",
    "message": "one or more synchronization tasks completed unsuccessfully",
    "startedAt": "2026-11-20T02:41:02Z",
    "finishedAt": "2026-11-20T02:43:55Z",
    "syncResult": {
        "revision": "abc",
        "resources": [
            {
                "group": "batch",
                "version": "v1",
                "kind": "Job",
                "namespace": "kubeflow",
                "name": "smoke-test",
                "status": "Synced",
                "hookType": "PostSync",
                "hookPhase": "Failed",
                "message": "Job has reached the specified backoff limit",
                "syncPhase": "PostSync",
            }
        ],
    },
}


FAILED_HOOK_RESULT: dict[str, Any] = FAILED_HOOK["syncResult"]["resources"][0]  # type: ignore[index]


def hook_pod(name: str, waiting: str | None) -> dict[str, Any]:
    return builders.pod(
        "kubeflow", name, "smoke-test", ready=waiting is None, waiting=waiting, owner_kind="Job"
    )


def with_failed_hook(app_server: str) -> ClusterSnapshot:
    """The two clusters, the app on `app_server` with a failed PostSync Job `kubeflow/smoke-test`, and a Job of
    that name on both clusters: the hub's pod runs, the spoke's is in Error."""
    raw = app("pipelines-spoke", SPOKE)
    raw["spec"]["destination"]["server"] = app_server
    raw["status"]["operationState"] = FAILED_HOOK
    hub, spoke = cluster_objects(hub_crashing=False)
    hub.append(_convert(hook_pod("smoke-test-hub01", None)))
    spoke.append(tagged(_convert(hook_pod("smoke-test-spk01", "Error")), ORIGIN))
    return ClusterSnapshot.from_objects(
        [_convert(app("pipelines-hub", IN_CLUSTER_SERVER)), _convert(raw), *hub, *spoke],
        now=builders.NOW,
        clusters=CLUSTERS,
        argocd_config=builders.HEALTHY_ARGOCD_CM,
    )


def test_a_remote_apps_failed_hook_is_named_on_its_cluster_with_that_clusters_pod() -> None:
    found = [f for f in run_checks(with_failed_hook(SPOKE), PROFILE) if f.check == "hook-failed"]
    assert [str(f.subject) for f in found] == ["Job/kubeflow/smoke-test@spoke"]
    assert "pod smoke-test-spk01: Error" in found[0].evidence
    assert "smoke-test-hub01" not in found[0].evidence


def test_a_hub_apps_failed_hook_names_the_hubs_pod_only() -> None:
    found = [f for f in run_checks(with_failed_hook(IN_CLUSTER_SERVER), PROFILE) if f.check == "hook-failed"]
    assert [str(f.subject) for f in found] == ["Job/kubeflow/smoke-test"]
    assert "pod smoke-test-hub01: Running" in found[0].evidence
    assert "smoke-test-spk01" not in found[0].evidence


def test_delete_hook_of_a_remote_apps_hook_is_refused_not_run_on_the_hubs_job_of_that_name() -> None:
    """The hub has a Job kubeflow/smoke-test too: a plan for `kubectl delete job smoke-test -n kubeflow` through
    the hub's context would delete the wrong one."""
    snapshot = with_failed_hook(SPOKE)
    finding = next(f for f in run_checks(snapshot, PROFILE) if f.check == "hook-failed")
    with pytest.raises(
        PlanError, match=r"smoke-test@spoke is on cluster spoke, which kftui reads through Argo CD"
    ):
        plan_fix(finding, "delete-hook", snapshot)
    with pytest.raises(
        PlanError, match="is no sync hook"
    ):  # the hub's Job of that name is no hook of any app
        plan_action("delete-hook", ObjectRef("Job", "kubeflow", "smoke-test"), snapshot)


def test_delete_hook_through_an_app_whose_sync_waits_on_a_remote_hook_is_refused() -> None:
    """From the Application (sync-stuck's fix): the hook the running sync waits on is on the spoke."""
    raw = app("pipelines-spoke", SPOKE)
    running = {**FAILED_HOOK, "phase": "Running", "finishedAt": None}
    running["syncResult"] = {
        "revision": "abc",
        "resources": [{**FAILED_HOOK_RESULT, "hookPhase": "Running"}],
    }
    raw["status"]["operationState"] = running
    snapshot = ClusterSnapshot.from_objects(
        [_convert(raw), *cluster_objects(hub_crashing=False)[1]],
        now=builders.NOW,
        clusters=CLUSTERS,
        argocd_config=builders.HEALTHY_ARGOCD_CM,
    )
    with pytest.raises(PlanError, match="smoke-test@spoke is on cluster spoke"):
        plan_action("delete-hook", ObjectRef("Application", "argocd", "pipelines-spoke"), snapshot)


def test_two_apps_deploying_the_same_object_to_two_clusters_share_nothing() -> None:
    """Kubeflow's manifests on the hub and on a spoke name the same objects; each cluster has its own copy."""
    assert [f for f in run_checks(two_clusters(), PROFILE) if f.check == "shared-resource"] == []


def test_two_apps_deploying_the_same_object_to_one_spoke_share_it_there() -> None:
    second = app("pipelines-spoke-2", SPOKE)
    hub, spoke = cluster_objects(hub_crashing=False)
    snapshot = ClusterSnapshot.from_objects(
        [*apps(), _convert(second), *hub, *spoke], now=builders.NOW, clusters=CLUSTERS
    )
    found = [f for f in run_checks(snapshot, PROFILE) if f.check == "shared-resource"]
    assert [(str(f.subject), f.title) for f in found] == [
        (
            "Deployment/kubeflow/ml-pipeline@spoke",
            "Deployment/kubeflow/ml-pipeline is managed by 2 Applications: pipelines-spoke, pipelines-spoke-2",
        )
    ]


def test_a_remote_apps_prune_danger_names_the_object_on_its_cluster() -> None:
    raw = app("pipelines-spoke", SPOKE)
    raw["spec"]["syncPolicy"]["automated"] = {"prune": True}
    raw["status"]["resources"] = [
        builders.resource("PersistentVolumeClaim", "minio-pvc", "kubeflow", requiresPruning=True)
    ]
    snapshot = ClusterSnapshot.from_objects(
        [_convert(raw), *cluster_objects(hub_crashing=False)[1]], now=builders.NOW, clusters=CLUSTERS
    )
    found = [f for f in run_checks(snapshot, PROFILE) if f.check == "prune-danger"]
    assert [str(f.subject) for f in found] == ["PersistentVolumeClaim/kubeflow/minio-pvc@spoke"]


@pytest.mark.parametrize("hub_crd", [None, True, False])
def test_a_remote_apps_missing_crd_is_judged_by_its_cluster_not_by_the_hubs_crds(
    hub_crd: bool | None,
) -> None:
    """The spoke said it does not know Experiment: whether the hub has that CRD (Established or not) says
    nothing about the spoke, whose CRDs kftui does not read; the finding names the spoke's resource."""
    message = (
        "The Kubernetes API could not find kubeflow.org/Experiment for requested resource kubeflow/random-search. "
        'Make sure the "Experiment" CRD is installed on the destination cluster.'
    )
    raw = app("pipelines-spoke", SPOKE)
    raw["status"]["resources"].append(
        builders.resource("Experiment", "random-search", "kubeflow", group="kubeflow.org", status="OutOfSync")
    )
    state: dict[str, Any] = {**FAILED_HOOK, "message": "one or more synchronization tasks are not valid"}
    state["syncResult"] = {
        "revision": "abc",
        "resources": [
            {
                "group": "kubeflow.org",
                "version": "v1beta1",
                "kind": "Experiment",
                "namespace": "kubeflow",
                "name": "random-search",
                "status": "SyncFailed",
                "message": message,
            }
        ],
    }
    raw["status"]["operationState"] = state
    objects = [_convert(raw), *cluster_objects(hub_crashing=False)[1]]
    if hub_crd is not None:
        objects.append(
            _convert(builders.crd("experiments.kubeflow.org", "kubeflow.org", "Experiment", hub_crd))
        )
    snapshot = ClusterSnapshot.from_objects(objects, now=builders.NOW, clusters=CLUSTERS)
    found = [f for f in run_checks(snapshot, PROFILE) if f.check == "crd-missing"]
    assert [str(f.subject) for f in found] == ["Experiment/kubeflow/random-search@spoke"]
    assert "but cluster spoke, where pipelines-spoke deploys, did not know it" in found[0].explanation
    assert "experiments.kubeflow.org" not in found[0].explanation + found[0].evidence


def test_the_hubs_crd_not_established_is_no_finding_for_an_app_on_another_cluster() -> None:
    """Only the hub's app that manages an Experiment is told the hub's CRD is not Established; the spoke's app,
    checked first (by name), is passed over, not the end of the search."""
    raw = app("pipelines-spoke", SPOKE)
    raw["status"]["resources"].append(
        builders.resource("Experiment", "random-search", "kubeflow", group="kubeflow.org")
    )
    hub_app = app("pipelines-tuning", IN_CLUSTER_SERVER)
    hub_app["status"]["resources"].append(
        builders.resource("Experiment", "grid-search", "kubeflow", group="kubeflow.org")
    )
    crd = builders.crd("experiments.kubeflow.org", "kubeflow.org", "Experiment", established=False)
    snapshot = ClusterSnapshot.from_objects(
        [_convert(raw), _convert(hub_app), _convert(crd), *cluster_objects(hub_crashing=False)[1]],
        now=builders.NOW,
        clusters=CLUSTERS,
    )
    found = [f for f in run_checks(snapshot, PROFILE) if f.check == "crd-missing"]
    assert [(f.app, str(f.subject)) for f in found] == [
        ("pipelines-tuning", "Experiment/kubeflow/grid-search")
    ]


def test_what_a_remote_apps_running_sync_waits_for_is_read_on_its_cluster() -> None:
    """The sync view's blocker: the spoke's hook Job, its pod there (in Error) and the finding about that pod;
    the hub's Job of the same name, whose pod runs, says nothing about it."""
    raw = app("pipelines-spoke", SPOKE)
    state: dict[str, Any] = {**FAILED_HOOK, "phase": "Running", "finishedAt": None}
    state["syncResult"] = {"revision": "abc", "resources": [{**FAILED_HOOK_RESULT, "hookPhase": "Running"}]}
    raw["status"]["operationState"] = state
    hub, spoke = cluster_objects(hub_crashing=False)
    hub.append(_convert(hook_pod("smoke-test-hub01", None)))
    spoke.append(tagged(_convert(hook_pod("smoke-test-spk01", "Error")), ORIGIN))
    snapshot = ClusterSnapshot.from_objects(
        [_convert(raw), *hub, *spoke],
        now=builders.NOW,
        clusters=CLUSTERS,
        argocd_config=builders.HEALTHY_ARGOCD_CM,
    )
    blocker = find_blocker(
        snapshot.applications[("argocd", "pipelines-spoke")], snapshot, run_checks(snapshot, PROFILE)
    )
    assert blocker is not None
    assert str(blocker.ref) == "Job/kubeflow/smoke-test@spoke"
    assert "smoke-test-spk01" in blocker.text and "smoke-test-hub01" not in blocker.text
    assert (
        blocker.finding is not None and str(blocker.finding.subject) == "Pod/kubeflow/smoke-test-spk01@spoke"
    )

"""pod_owner_index continues from the previous topology's: the incremental path must equal a fresh index."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from kftui import topology
from kftui.model import (
    DIRECT,
    Application,
    ClusterSnapshot,
    Key,
    ManagedResource,
    Namespace,
    Origin,
    Pod,
    WatchEvent,
    apply_events,
)
from kftui.pod_owners import PodOwners

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def app(name: str, *deployments: str) -> Application:
    return Application(
        name=name,
        namespace="argocd",
        resources=tuple(ManagedResource("apps", "v1", "Deployment", "ns", d) for d in deployments),
    )


def pod(name: str, workload: str = "", instance: str = "") -> Pod:
    return Pod(
        namespace="ns",
        name=name,
        workload_kind="Deployment" if workload else "",
        workload_name=workload,
        labels={"app.kubernetes.io/instance": instance} if instance else {},
    )


def fresh(snapshot: ClusterSnapshot) -> dict[tuple[str, str], str]:
    return dict(topology.pod_owner_index(snapshot)[0])


def test_incremental_index_equals_a_fresh_one() -> None:
    snap = ClusterSnapshot.from_objects(
        [app("a", "web"), app("b", "db"), pod("web-1", "web"), pod("db-1", "db"), pod("x", instance="b")],
        now=NOW,
    )
    assert fresh(snap) == {("ns", "web-1"): "a", ("ns", "db-1"): "b", ("ns", "x"): "b"}
    batches = [
        [WatchEvent("ADDED", pod("web-2", "web")), WatchEvent("DELETED", pod("db-1", "db"))],
        [WatchEvent("MODIFIED", pod("x", instance="a")), WatchEvent("MODIFIED", pod("web-1", "db"))],
        [WatchEvent("MODIFIED", pod("x")), WatchEvent("ADDED", pod("y", instance="nope"))],
        [WatchEvent("MODIFIED", app("b", "db", "web"))],
    ]
    topo = topology.build_topology(snap)
    for batch in batches:
        snap = apply_events(snap, list(batch))
        incremental, owners = topology.pod_owner_index(snap, topo)
        assert incremental == fresh(snap)
        same_apps = topo.built_from is not None and topo.built_from.applications is snap.applications
        assert (owners is topo.owners) == same_apps, (
            "the lookup is reused exactly while the apps stay the same"
        )
        topo = topology.build_topology(snap, topo)


def test_changed_keys_follow_the_lineage_across_batches() -> None:
    from kftui.model import Relisted, changed_keys

    start = ClusterSnapshot.from_objects([app("a", "web"), pod("web-1", "web"), pod("web-2", "web")], now=NOW)
    one = apply_events(start, [WatchEvent("ADDED", pod("web-3", "web"))])
    two = apply_events(one, [WatchEvent("DELETED", pod("web-1", "web")), WatchEvent("MODIFIED", app("a"))])
    assert changed_keys(two, "pods", start.pods) == {("ns", "web-3"), ("ns", "web-1")}
    assert changed_keys(two, "pods", one.pods) == {("ns", "web-1")}
    assert changed_keys(two, "applications", start.applications) == {("argocd", "a")}
    assert changed_keys(one, "applications", start.applications) == frozenset()
    relisted = apply_events(two, [Relisted("pods", (pod("web-9", "web"),), "Pod")])
    assert changed_keys(relisted, "pods", two.pods) == {("ns", "web-2"), ("ns", "web-3"), ("ns", "web-9")}
    # A collection swapped in after apply_events is not covered by the lineage: the caller must compare.
    swapped = replace(two, pods={**two.pods, ("ns", "x"): pod("x")})
    assert changed_keys(swapped, "pods", start.pods) is None
    assert changed_keys(start, "pods", two.pods) is None, "an unrelated (later) state is not an ancestor"


def test_changed_pods_fall_back_to_comparing_when_the_lineage_is_gone() -> None:
    import gc

    start = ClusterSnapshot.from_objects([app("a", "web"), pod("web-1", "web")], now=NOW)
    since = start.pods
    middle = apply_events(start, [WatchEvent("ADDED", pod("web-2", "web"))])
    end = apply_events(middle, [WatchEvent("MODIFIED", pod("web-1", "db"))])
    del start, middle  # lineage holds parents weakly: old snapshots are not kept alive by their children
    gc.collect()
    assert end.lineage is not None and end.lineage.parent() is None
    assert topology.changed_pods(end, since) == {("ns", "web-2"), ("ns", "web-1")}


def canonical(topo: topology.Topology) -> object:
    """A topology as plain data, namespace order ignored (the tree sorts them)."""
    return (
        [
            (
                node.app.name,
                sorted(
                    (ns.name, ns.exists, [r.name for r in ns.resources], [p.key for p in ns.pods])
                    for ns in node.namespaces.values()
                ),
                [r.name for r in node.cluster_resources],
            )
            for node in topo.apps
        ],
        {ns: [p.key for p in pods] for ns, pods in topo.unowned_pods.items()},
        topo.orphan_namespaces,
        dict(topo.pod_owner),
    )


@st.composite
def pod_batches(draw: st.DrawFn) -> list[list[WatchEvent]]:
    """Pods appearing, moving between apps (workload or instance label), namespaces and unowned, going away."""
    names = [f"p{i}" for i in range(6)]
    batches = []
    for _ in range(draw(st.integers(1, 6))):
        batch = []
        for _ in range(draw(st.integers(0, 4))):
            name = draw(st.sampled_from(names))
            namespace = draw(st.sampled_from(["ns", "other", "empty"]))
            workload = draw(st.sampled_from(["", "web", "db"]))
            instance = draw(st.sampled_from(["", "a", "b", "nope"]))
            p = replace(pod(name, workload, instance), namespace=namespace)
            batch.append(WatchEvent(draw(st.sampled_from(["ADDED", "MODIFIED", "DELETED"])), p))
        batches.append(batch)
    return batches


@settings(max_examples=150, deadline=None)
@given(batches=pod_batches())
def test_a_topology_built_from_the_previous_one_equals_a_fresh_one(batches: list[list[WatchEvent]]) -> None:
    a = replace(app("a", "web"), dest_namespace="empty")
    snap = ClusterSnapshot.from_objects(
        [a, app("b", "db"), Namespace("ns"), Namespace("other"), Namespace("spare"), pod("web-1", "web")],
        now=NOW,
    )
    topo = topology.build_topology(snap)
    for batch in batches:
        snap = apply_events(snap, list(batch))
        incremental = topology.build_topology(snap, topo)
        assert canonical(incremental) == canonical(topology.build_topology(snap))
        topo = incremental


@st.composite
def apps_and_pods(draw: st.DrawFn) -> tuple[list[Application], list[Pod]]:
    """Apps listing workloads and bare pods (sometimes the same one twice), and pods owned every way or not."""
    names = ["web", "db", "p0", "p1", "p2"]
    apps = []
    for app_name in draw(st.lists(st.sampled_from(["a", "b", "c"]), unique=True, max_size=3)):
        listed = draw(st.lists(st.sampled_from(names), max_size=4))
        resources = tuple(
            ManagedResource("", "v1", "Pod", "ns", n)
            if n.startswith("p")
            else ManagedResource("apps", "v1", "Deployment", "ns", n)
            for n in listed
        )
        apps.append(Application(name=app_name, namespace="argocd", resources=resources))
    pods = [
        pod(
            f"p{i}",
            draw(st.sampled_from(["", "web", "db", "gone"])),
            draw(st.sampled_from(["", "a", "c", "nope"])),
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    return apps, pods


@settings(max_examples=200, deadline=None)
@given(case=apps_and_pods())
def test_owners_of_a_few_pods_equals_the_full_index(case: tuple[list[Application], list[Pod]]) -> None:
    apps, pods = case
    snap = ClusterSnapshot.from_objects([*apps, *pods], now=NOW)
    full = fresh(snap)
    # As `kftui check` asks (no lookup known): only the named resources are read.
    assert topology.owners_of(snap, pods) == {p.key: full[p.key] for p in pods if p.key in full}


def test_workloads_of_one_name_in_two_namespaces_belong_to_their_own_apps() -> None:
    """The owner lookup is keyed by (kind, namespace, name): `web` in team-a and `web` in team-b are two."""
    apps = [
        Application(
            name=owner,
            namespace="argocd",
            resources=(ManagedResource("apps", "v1", "Deployment", ns, "web"),),
        )
        for owner, ns in (("app-a", "team-a"), ("app-b", "team-b"))
    ]
    pods = [
        Pod(namespace=ns, name="web-1", workload_kind="Deployment", workload_name="web")
        for ns in ("team-b", "team-a")
    ]
    snap = ClusterSnapshot.from_objects([*apps, *pods], now=NOW)
    expected = {("team-a", "web-1"): "app-a", ("team-b", "web-1"): "app-b"}
    assert fresh(snap) == expected
    assert topology.owners_of(snap, pods) == expected
    tree = topology.build_topology(snap)
    assert {n.app.name: sorted(n.namespaces) for n in tree.apps} == {"app-a": ["team-a"], "app-b": ["team-b"]}


def test_an_owner_lookup_is_reused_only_while_it_answers() -> None:
    """A lookup kept from an earlier snapshot is reused for the same Applications and pods whose names it
    covers, and rebuilt when an Application changed or a pod needs a name it did not read."""
    snap = ClusterSnapshot.from_objects([app("a", "web"), app("b", "db"), pod("web-1", "web")], now=NOW)
    web = [snap.pods[("ns", "web-1")]]
    known = topology.owner_lookup(snap, web)
    assert known.names == {"web", "web-1"} and known.app_of(web[0]) == "a"
    more = apply_events(
        snap, [WatchEvent("ADDED", pod("web-2", "web")), WatchEvent("ADDED", pod("db-1", "db"))]
    )
    assert topology.owner_lookup(more, web, known) is known
    db = [more.pods[("ns", "db-1")]]
    rebuilt = topology.owner_lookup(more, db, known)
    assert rebuilt is not known and rebuilt.app_of(db[0]) == "b"
    moved = apply_events(more, [WatchEvent("MODIFIED", app("b", "db", "web"))])
    assert topology.owner_lookup(moved, web, known) is not known
    assert topology.owner_lookup(moved, web, topology.pod_owner_index(moved)[1]).names is None


@st.composite
def pods_of_two_clusters(draw: st.DrawFn) -> list[Pod]:
    """Hub pods and a spoke's, some of the same namespace and name, owned or not, in any order."""
    found: dict[tuple[str, ...], Pod] = {}
    for _ in range(draw(st.integers(0, 12))):
        p = replace(
            pod(
                draw(st.sampled_from(["p0", "p1", "p10", "p2", "q"])),
                draw(st.sampled_from(["", "web", "db"])),
            ),
            namespace=draw(st.sampled_from(["ns", "other", "a-ns"])),
        )
        if draw(st.booleans()):
            p = replace(p, origin=Origin("spoke", DIRECT))
        found[p.key] = p
    return draw(st.permutations(list(found.values())))


@settings(max_examples=150, deadline=None)
@given(pods=pods_of_two_clusters())
def test_a_cold_topology_lists_pods_and_namespaces_in_key_order(pods: list[Pod]) -> None:
    snap = ClusterSnapshot.from_objects([app("a", "web"), app("b", "db"), Namespace("ns"), *pods], now=NOW)
    topo = topology.build_topology(snap)
    groups = [ns.pods for node in topo.apps for ns in node.namespaces.values()] + list(
        topo.unowned_pods.values()
    )
    for group in groups:
        assert [p.key for p in group] == sorted(p.key for p in group)
    assert list(topo.unowned_pods) == sorted(topo.unowned_pods)
    for node in topo.apps:
        only_pods = [ns.name for ns in node.namespaces.values() if ns.pods and ns.name not in ("ns",)]
        assert only_pods == sorted(only_pods)
    assert sorted(p.key for group in groups for p in group) == sorted(snap.pods)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.tuples(st.just("ns"), st.integers(0, 400).map(str)),
            st.one_of(st.none(), st.sampled_from(["a", "b"])),
            max_size=300,
        ),
        max_size=8,
    )
)
def test_pod_owners_answer_as_a_dict_with_each_batch_applied(batches: list[dict[Key, str | None]]) -> None:
    """The index shares its table and lays each batch over it, folding the layer in once it grows: every
    state must read exactly as a dict updated batch by batch (None: the pod is owned by no app any more)."""
    expected = {("ns", str(i)): "a" for i in range(0, 400, 3)}
    owners = PodOwners(dict(expected))
    states = [(owners, dict(expected))]
    for batch in batches:
        owners = owners.updated(batch)
        for key, app in batch.items():
            if app is None:
                expected.pop(key, None)
            else:
                expected[key] = app
        states.append((owners, dict(expected)))
    for index, plain in states:  # earlier indexes are unchanged by the later batches
        assert dict(index) == plain and len(index) == len(plain)
        assert all(index.get(key) == plain.get(key) for key in [("ns", str(i)) for i in range(401)])
        assert index.table() == plain

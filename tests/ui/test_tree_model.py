"""The tree's content without a terminal: keys, labels, the children cap, filtering input and scopes."""

from __future__ import annotations

from dataclasses import replace

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.model import ClusterSnapshot, WatchEvent, apply_events
from kftui.profile import detect_profile
from kftui.ui.tree_model import MAX_CHILDREN, TreeItem, TreeModel

KATIB = ("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")


def _model(snapshot: ClusterSnapshot) -> TreeModel:
    profile = detect_profile({a.name for a in snapshot.applications.values()})
    return TreeModel(snapshot, run_checks(snapshot, profile))


def _item(model: TreeModel, key: str) -> TreeItem:
    return next(item for item, _ in model.walk() if item.key == key)


def _many_katib_pods(count: int) -> ClusterSnapshot:
    demo = load_demo()
    template = demo.pods[KATIB]
    events = [
        WatchEvent("ADDED", replace(template, name=f"katib-controller-7f5b8c9d6-{i:05d}"))
        for i in range(count)
    ]
    return apply_events(demo, list(events))


def test_keys_are_stable_paths() -> None:
    model = _model(load_demo())
    keys = [item.key for item, _ in model.walk()]
    assert "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn" in keys
    assert "app:kubeflow/ns:kubeflow/res:Deployment/katib-controller" in keys
    assert "unowned/ns:kubeflow-user-example-com/pod:debug-shell" in keys
    assert "unowned/ns:knative-serving" in keys  # an orphan namespace with no pods
    assert len(keys) == len(set(keys))


def test_scopes_narrow_to_the_right_findings() -> None:
    snapshot = load_demo()
    model = _model(snapshot)
    findings = run_checks(snapshot, detect_profile({a.name for a in snapshot.applications.values()}))

    def checks(key: str) -> list[str]:
        scope = model.scope(_item(model, key))
        return [f"{f.check}:{f.app}" for f in findings if scope.matches(f)]

    def of_app(app: str) -> list[str]:
        return [f"{f.check}:{f.app}" for f in findings if f.app == app]

    assert checks("app:kubeflow") == of_app("kubeflow")
    assert {"app-degraded:kubeflow", "pod-failing:kubeflow"} <= set(of_app("kubeflow"))
    assert checks("app:kubeflow-pipelines") == of_app("kubeflow-pipelines")
    assert "app-out-of-sync:kubeflow-pipelines" in of_app("kubeflow-pipelines")
    assert checks("app:kubeflow/ns:kubeflow") == ["pod-failing:kubeflow"]
    assert checks("app:kubeflow-seaweedfs/ns:kubeflow") == []
    assert checks("app:kubeflow/ns:kubeflow/res:Deployment/katib-controller") == ["pod-failing:kubeflow"]
    assert checks("app:kubeflow/ns:kubeflow/res:Deployment/centraldashboard") == []


def test_labels_carry_status_and_severity() -> None:
    model = _model(load_demo())
    pod_label = model.label(
        _item(model, "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn")
    ).plain
    assert pod_label == "✖ katib-controller-7f5b8c9d6-5rjtn CrashLoopBackOff 0/1 ↻7"
    app_label = model.label(_item(model, "app:kubeflow")).plain
    assert app_label == "✖ kubeflow  Synced Degraded op:Running ✖2"
    assert model.label(_item(model, "app:kubeflow/ns:auth")).plain == "● ns auth"


def test_missing_namespace_is_marked() -> None:
    demo = load_demo()
    snapshot = replace(demo, namespaces={k: v for k, v in demo.namespaces.items() if k != ("", "auth")})
    model = _model(snapshot)
    assert "MISSING" in model.label(_item(model, "app:kubeflow/ns:auth")).plain
    assert "MISSING" not in model.label(_item(model, "app:kubeflow/ns:kubeflow")).plain


def test_big_namespaces_are_capped_but_walk_sees_everything() -> None:
    model = _model(_many_katib_pods(2000))
    ns = _item(model, "app:kubeflow/ns:kubeflow")
    children = model.children(ns)
    pods = [c for c in children if c.kind == "pod"]
    assert len(pods) == MAX_CHILDREN
    assert children[-1].kind == "more" and children[-1].hidden_count == 2000 + 4 - MAX_CHILDREN
    assert "press / to filter" in model.label(children[-1]).plain
    walked = [
        i for i, _ in model.walk() if i.kind == "pod" and i.namespace == "kubeflow" and i.app == "kubeflow"
    ]
    assert len(walked) == 2000 + 4


def _with_spoke(snapshot: ClusterSnapshot, app_name: str) -> ClusterSnapshot:
    from kftui.model import ArgoCluster

    app = next(a for a in snapshot.applications.values() if a.name == app_name)
    moved = replace(app, dest_server="https://127.0.0.1:16443")
    spoke = ArgoCluster("spoke", "https://127.0.0.1:16443")
    return replace(apply_events(snapshot, [WatchEvent("MODIFIED", moved)]), clusters=(spoke,))


def test_apps_are_grouped_by_cluster_when_there_are_several() -> None:
    demo = load_demo()
    first = _model(demo).roots()[0].name
    model = _model(_with_spoke(demo, first))
    apps = [item for item in model.roots() if item.kind == "app"]
    assert apps[-1].name == first  # the hub's apps first, then the spoke's
    assert model.label(apps[-1]).plain.startswith(f"✖ {first} @spoke  ")
    assert "@" not in model.label(apps[0]).plain  # the hub's apps are not named


def test_one_cluster_shows_no_cluster_names() -> None:
    model = _model(load_demo())
    assert not any("@" in model.label(item).plain for item in model.roots())


def _continued(previous: TreeModel, snapshot: ClusterSnapshot) -> TreeModel:
    profile = detect_profile({a.name for a in snapshot.applications.values()})
    return TreeModel(snapshot, run_checks(snapshot, profile), previous)


def _rows(model: TreeModel) -> list[str]:
    return [model.label(item).plain for item in model.roots()]


def test_a_model_continued_from_the_previous_one_orders_its_rows_as_a_fresh_one() -> None:
    """Pod batches reuse the previous model's app order and clusters; a batch that changes an app must not
    (here the first app moves to a spoke Argo CD already knew, so it sorts last and is named @spoke)."""
    from kftui.model import ArgoCluster

    demo = replace(_many_katib_pods(3), clusters=(ArgoCluster("spoke", "https://127.0.0.1:16443"),))
    first = _model(demo)
    first.roots()
    pods_only = apply_events(demo, [WatchEvent("DELETED", demo.pods[KATIB])])
    again = _continued(first, pods_only)
    assert _rows(again) == _rows(_model(pods_only))
    app = next(a for a in pods_only.applications.values() if a.name == first.roots()[0].name)
    moved = apply_events(
        pods_only, [WatchEvent("MODIFIED", replace(app, dest_server="https://127.0.0.1:16443"))]
    )
    after = _continued(again, moved)
    assert _rows(after) == _rows(_model(moved)) != _rows(again)

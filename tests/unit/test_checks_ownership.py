"""shared-resource and prune-danger."""

from __future__ import annotations

import pytest

from kftui.checks.ownership import prune_danger, shared_resource
from kftui.model import Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import deployment, find, fresh, resource, snapshot

KUBEFLOW = builtin_profile("kubeflow")


@pytest.mark.parametrize(
    "message",
    [
        # Argo CD 2.x / 3.x
        "ClusterRole/kubeflow-metacontroller is part of applications argocd/kubeflow-pipelines and kubeflow",
        # Argo CD 1.x
        "ClusterRole/kubeflow-metacontroller is part of a different application: kubeflow",
    ],
)
def test_shared_resource_warning_condition(message: str) -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "SharedResourceWarning", "message": message, "lastTransitionTime": "2026-11-20T02:45:12Z"}
    ]
    findings = list(shared_resource(snapshot(objects), KUBEFLOW))
    assert len(findings) == 1
    f = findings[0]
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == (
        "ClusterRole",
        None,
        "kubeflow-metacontroller",
    )
    assert "kubeflow, kubeflow-pipelines" in f.title
    assert message in f.evidence
    fix_ids = [x.id for x in f.fixes]
    assert fix_ids[0] == "edit-manifests"
    assert "force-sync" not in fix_ids


def test_same_resource_listed_by_two_apps() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("StatefulSet", "seaweedfs", "kubeflow", group="apps")
    )
    findings = list(shared_resource(snapshot(objects), KUBEFLOW))
    assert [(f.subject.kind, f.subject.namespace, f.subject.name) for f in findings] == [
        ("StatefulSet", "kubeflow", "seaweedfs")
    ]
    assert findings[0].severity is Severity.WARNING
    assert (
        "kubeflow lists it" in findings[0].evidence and "kubeflow-seaweedfs lists it" in findings[0].evidence
    )


def test_same_name_in_different_namespaces_is_not_shared() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("StatefulSet", "seaweedfs", "other-ns", group="apps")
    )
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []


def _doomed(*entries: tuple[str, str, str], automated: dict | None = None) -> list:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-seaweedfs")
    if automated is not None:
        app["spec"]["syncPolicy"]["automated"] = automated
    for kind, ns, name in entries:
        app["status"]["resources"].append(resource(kind, name, ns, status="OutOfSync", requiresPruning=True))
    app["status"]["sync"]["status"] = "OutOfSync"
    return objects


def test_prune_danger_names_stateful_objects_as_errors() -> None:
    objects = _doomed(
        ("PersistentVolumeClaim", "kubeflow", "seaweedfs-data"),
        ("ConfigMap", "kubeflow", "old-config"),
        ("Service", "kubeflow", "old-svc"),
    )
    findings = list(prune_danger(snapshot(objects), KUBEFLOW))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    warnings = [f for f in findings if f.severity is Severity.WARNING]
    assert [(f.subject.kind, f.subject.name) for f in errors] == [("PersistentVolumeClaim", "seaweedfs-data")]
    assert len(warnings) == 1 and "2 resources" in warnings[0].title
    assert "ConfigMap/kubeflow/old-config" in warnings[0].evidence
    for f in findings:
        assert f.fixes[0].id == "disable-auto-prune"
        assert '"prune":false' in f.fixes[0].command


@pytest.mark.parametrize(
    "automated",
    [None, {}, {"prune": False}, {"prune": True, "enabled": False}],
    ids=["manual", "automated-no-prune", "prune-false", "automation-disabled"],
)
def test_no_prune_danger_without_automated_prune(automated: dict | None) -> None:
    objects = _doomed(("PersistentVolumeClaim", "kubeflow", "seaweedfs-data"), automated=automated)
    if automated is None:
        find(objects, "Application", "kubeflow-seaweedfs")["spec"]["syncPolicy"].pop("automated")
    assert list(prune_danger(snapshot(objects), KUBEFLOW)) == []


@pytest.mark.parametrize(
    ("annotations", "labels"),
    [
        ({"argocd.argoproj.io/tracking-id": "kubeflow:apps/Deployment:kubeflow/ml-pipeline"}, {}),
        ({"argocd.argoproj.io/tracking-id": "argocd_kubeflow:apps/Deployment:kubeflow/ml-pipeline"}, {}),
        ({}, {"app.kubernetes.io/instance": "kubeflow"}),
    ],
    ids=["tracking-id", "tracking-id-namespaced-app", "instance-label"],
)
def test_live_tracking_names_another_app(annotations: dict, labels: dict) -> None:
    objects = fresh()
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["annotations"] = annotations
    dep["metadata"]["labels"] = labels
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("Deployment", "ml-pipeline")
    assert "says kubeflow, but kubeflow-pipelines manages it" in f.evidence


@pytest.mark.parametrize(
    ("annotations", "labels"),
    [
        ({"argocd.argoproj.io/tracking-id": "kubeflow-pipelines:apps/Deployment:kubeflow/ml-pipeline"}, {}),
        ({}, {"app.kubernetes.io/instance": "ml-pipeline"}),  # a Helm release name, not an Application
    ],
)
def test_live_tracking_that_agrees_or_names_no_app_is_quiet(annotations: dict, labels: dict) -> None:
    objects = fresh()
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["annotations"] = annotations
    dep["metadata"]["labels"] = labels
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []


def _warn(objects: list, app: str, message: str) -> None:
    find(objects, "Application", app)["status"]["conditions"] = [
        {"type": "SharedResourceWarning", "message": message, "lastTransitionTime": "2026-11-20T02:45:12Z"}
    ]


def test_shared_resource_finding_reads_end_to_end() -> None:
    """Title, evidence, explanation and fixes name the resource and every app that claims it; the fixes
    act on the first app by name, at its own path."""
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("StatefulSet", "seaweedfs", "kubeflow", group="apps")
    )
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.check, f.app) == ("shared-resource", "kubeflow")
    assert (
        f.title == "StatefulSet/kubeflow/seaweedfs is managed by 2 Applications: kubeflow, kubeflow-seaweedfs"
    )
    assert (
        f.evidence == "kubeflow lists it in status.resources\nkubeflow-seaweedfs lists it in status.resources"
    )
    assert f.explanation.startswith("kubeflow, kubeflow-seaweedfs both render StatefulSet seaweedfs.")
    # the advice a user acts on: why the apps fight, how to give the resource one owner, what not to try
    explanation = " ".join(f.explanation.split())
    assert (
        "can name only one owner, so each sync of one app overwrites the other's copy, the other shows "
        "OutOfSync, and with auto-prune it may delete it." in explanation
    )
    assert (
        "Give the resource one owner: remove it from all but one app's manifests (fix: edit-manifests), "
        "then hard refresh (fix: hard-refresh)." in explanation
    )
    assert explanation.endswith("Force sync does not help; it only makes the apps fight harder.")
    assert [x.title for x in f.fixes] == [
        "Edit the manifests of kubeflow so each resource is included once",
        "Hard refresh kubeflow (regenerate manifests)",
    ]
    assert [(x.id, x.command) for x in f.fixes] == [
        ("edit-manifests", "kustomize build example"),
        ("hard-refresh", "argocd app get kubeflow --hard-refresh"),
    ]


def test_warning_names_each_app_once_and_quotes_the_message_once() -> None:
    """`argocd/app-a and app-b.`: namespace prefixes and trailing punctuation are not part of the names; both
    apps named by one condition share its quote."""
    objects = fresh()
    message = "Secret/mysql-secret is part of applications argocd/kubeflow-pipelines and kubeflow-seaweedfs."
    _warn(objects, "kubeflow-pipelines", message)
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (
        f.title == "Secret/mysql-secret is managed by 2 Applications: kubeflow-pipelines, kubeflow-seaweedfs"
    )
    assert f.evidence == f"kubeflow-pipelines status.conditions[SharedResourceWarning]: {message}"
    assert f.subject.namespace is None  # the app does not list it, so its namespace is unknown


def test_warning_about_a_listed_resource_takes_its_namespace() -> None:
    objects = fresh()
    _warn(objects, "kubeflow-seaweedfs", "Service/seaweedfs is part of a different application: kubeflow")
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Service", "kubeflow", "seaweedfs")
    assert f.title.startswith(
        "Service/kubeflow/seaweedfs is managed by 2 Applications: kubeflow, kubeflow-seaweedfs"
    )


def test_fixes_of_an_app_known_only_from_a_warning_use_the_current_directory() -> None:
    """The first app by name may exist only in another app's warning: no path is known for it."""
    objects = fresh()
    _warn(
        objects, "kubeflow-pipelines", "ConfigMap/x is part of applications aaa-gone and kubeflow-pipelines"
    )
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert f.app == "aaa-gone"
    assert f.fixes[0].command == "kustomize build ."
    assert f.fixes[1].command == "argocd app get aaa-gone --hard-refresh"


@pytest.mark.parametrize(
    ("ctype", "message"),
    [
        ("SharedResourceWarning", "something else entirely"),
        ("OrphanedResourceWarning", "ClusterRole/x is part of applications kubeflow and kubeflow-pipelines"),
    ],
)
def test_other_conditions_do_not_make_a_resource_shared(ctype: str, message: str) -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": ctype, "message": message}
    ]
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []


def test_hooks_listed_by_two_apps_are_not_shared() -> None:
    """Hook resources (Jobs run at sync) are recreated by each sync; listing one twice is not a conflict."""
    objects = fresh()
    for app in ("kubeflow", "kubeflow-seaweedfs"):
        find(objects, "Application", app)["status"]["resources"].append(
            resource("Job", "migrate", "kubeflow", group="batch", hook=True)
        )
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []


def test_cluster_scoped_resource_listed_with_an_empty_namespace_is_the_same_resource() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["resources"].append(
        resource("ClusterRole", "kubeflow-metacontroller", group="rbac.authorization.k8s.io", namespace="")
    )
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert f.subject.namespace is None
    assert f.title.startswith("ClusterRole/kubeflow-metacontroller is managed by 2 Applications")


def test_shared_resources_come_out_sorted_by_kind_namespace_and_name() -> None:
    objects = fresh()
    extra = [
        resource("StatefulSet", "seaweedfs", "kubeflow", group="apps"),
        resource("Service", "seaweedfs", "kubeflow"),
        resource("PersistentVolumeClaim", "seaweedfs-pvc", "kubeflow"),
        resource("ConfigMap", "seaweedfs-b", "kubeflow"),
        resource("ConfigMap", "seaweedfs-a", "kubeflow"),
    ]
    find(objects, "Application", "kubeflow")["status"]["resources"] += extra
    seaweedfs = find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"]
    seaweedfs += [
        resource("ConfigMap", "seaweedfs-b", "kubeflow"),
        resource("ConfigMap", "seaweedfs-a", "kubeflow"),
    ]
    names = [(f.subject.kind, f.subject.name) for f in shared_resource(snapshot(objects), KUBEFLOW)]
    assert names == [
        ("ConfigMap", "seaweedfs-a"),
        ("ConfigMap", "seaweedfs-b"),
        ("PersistentVolumeClaim", "seaweedfs-pvc"),
        ("Service", "seaweedfs"),
        ("StatefulSet", "seaweedfs"),
    ]


def test_three_apps_claiming_one_resource() -> None:
    objects = fresh()
    for app in ("kubeflow", "kubeflow-pipelines"):
        find(objects, "Application", app)["status"]["resources"].append(
            resource("StatefulSet", "seaweedfs", "kubeflow", group="apps")
        )
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert "managed by 3 Applications: kubeflow, kubeflow-pipelines, kubeflow-seaweedfs" in f.title
    assert f.evidence.count("lists it in status.resources") == 3


def test_live_tracking_evidence_says_where_the_owner_was_read() -> None:
    objects = fresh()
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["annotations"] = {
        "argocd.argoproj.io/tracking-id": "kubeflow:apps/Deployment:kubeflow/ml-pipeline"
    }
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert f.evidence == (
        "live Deployment kubeflow/ml-pipeline: tracking-id annotation says kubeflow, but kubeflow-pipelines manages it\n"
        "kubeflow-pipelines lists it in status.resources"
    )
    dep["metadata"]["annotations"] = {}
    dep["metadata"]["labels"] = {"app.kubernetes.io/instance": "kubeflow"}
    (g,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert g.evidence.startswith(
        "live Deployment kubeflow/ml-pipeline: app.kubernetes.io/instance label says kubeflow, "
        "but kubeflow-pipelines manages it"
    )


def test_tracking_id_without_a_colon_falls_back_to_the_instance_label() -> None:
    """Argo CD's tracking id is `app:group/kind:ns/name`; anything else is not one, so the label decides."""
    objects = fresh()
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["annotations"] = {"argocd.argoproj.io/tracking-id": "kubeflow"}
    dep["metadata"]["labels"] = {"app.kubernetes.io/instance": "kubeflow-seaweedfs"}
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert "app.kubernetes.io/instance label says kubeflow-seaweedfs" in f.evidence


def test_live_tracking_of_a_workload_no_app_lists_is_ignored() -> None:
    """Only workloads some Application manages can be fought over."""
    objects = fresh()
    stray = find(objects, "Deployment", "centraldashboard", "kubeflow")
    stray["metadata"]["labels"] = {"app.kubernetes.io/instance": "kubeflow-pipelines"}
    res = find(objects, "Application", "kubeflow")["status"]["resources"]
    res[:] = [r for r in res if r["name"] != "centraldashboard"]
    assert list(shared_resource(snapshot(objects), KUBEFLOW)) == []


def test_live_tracking_adds_to_a_resource_only_a_warning_claims() -> None:
    """A workload its app lists only as a hook (so not as an owned resource) but a SharedResourceWarning
    names still gets the app its live tracking names added."""
    objects = fresh()
    res = find(objects, "Application", "kubeflow-pipelines")["status"]["resources"]
    for r in res:
        if r["name"] == "ml-pipeline":
            r["hook"] = True
    _warn(
        objects, "kubeflow-pipelines", "Deployment/ml-pipeline is part of a different application: aaa-gone"
    )
    find(objects, "Deployment", "ml-pipeline", "kubeflow")["metadata"]["labels"] = {
        "app.kubernetes.io/instance": "kubeflow"
    }
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.namespace, f.subject.name) == ("kubeflow", "ml-pipeline")
    assert f.title.endswith("managed by 3 Applications: aaa-gone, kubeflow, kubeflow-pipelines")
    assert "instance label says kubeflow, but aaa-gone, kubeflow-pipelines manages it" in f.evidence


def test_stateful_prune_finding_reads_end_to_end() -> None:
    objects = _doomed(("PersistentVolumeClaim", "kubeflow", "seaweedfs-data"))
    (f,) = prune_danger(snapshot(objects), KUBEFLOW)
    assert (f.check, f.app) == ("prune-danger", "kubeflow-seaweedfs")
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == (
        "PersistentVolumeClaim",
        "kubeflow",
        "seaweedfs-data",
    )
    assert (
        f.title
        == "Auto-prune in kubeflow-seaweedfs will delete PersistentVolumeClaim/kubeflow/seaweedfs-data"
    )
    assert f.evidence == (
        "status.resources[] PersistentVolumeClaim/kubeflow/seaweedfs-data: requiresPruning=true\n"
        "spec.syncPolicy.automated.prune=true"
    )
    assert "This PersistentVolumeClaim is no longer in the app's manifests" in f.explanation
    assert "and with it its volume and the data on it" in f.explanation
    assert [x.command for x in f.fixes] == [
        "kubectl patch application kubeflow-seaweedfs -n argocd --type merge "
        """-p '{"spec":{"syncPolicy":{"automated":{"prune":false}}}}'""",
        "argocd app get kubeflow-seaweedfs --hard-refresh",
    ]


def test_each_stateful_object_is_its_own_error_and_no_warning_without_others() -> None:
    objects = _doomed(
        ("PersistentVolumeClaim", "kubeflow", "seaweedfs-data"),
        ("Secret", "kubeflow", "mysql-secret"),
    )
    findings = list(prune_danger(snapshot(objects), KUBEFLOW))
    assert [(f.severity, f.subject.kind) for f in findings] == [
        (Severity.ERROR, "PersistentVolumeClaim"),
        (Severity.ERROR, "Secret"),
    ]


def test_prunable_objects_that_lose_no_data_are_one_warning_about_the_app() -> None:
    objects = _doomed(("ConfigMap", "kubeflow", "old-config"), ("Service", "kubeflow", "old-svc"))
    (f,) = prune_danger(snapshot(objects), KUBEFLOW)
    assert (f.severity, f.app) == (Severity.WARNING, "kubeflow-seaweedfs")
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow-seaweedfs")
    assert f.title == "Auto-prune in kubeflow-seaweedfs will delete 2 resources no longer in git"
    assert f.evidence == (
        "requiresPruning=true: ConfigMap/kubeflow/old-config, Service/kubeflow/old-svc\n"
        "spec.syncPolicy.automated.prune=true"
    )
    assert [x.id for x in f.fixes] == ["disable-auto-prune", "hard-refresh"]
    # what the user reads: they will be deleted on the next sync, which is fine only if intended
    assert f.explanation.startswith(
        "These resources are no longer in the app's manifests and automated prune will delete them on the next "
        "sync. That is intended when you removed them; if not (a wrong path or revision), turn off auto-prune "
        "(fix: disable-auto-prune) before fixing git."
    )


def test_automated_prune_with_nothing_to_prune_is_quiet() -> None:
    assert list(prune_danger(snapshot(fresh()), KUBEFLOW)) == []


def test_a_hook_listed_first_does_not_hide_the_resources_after_it() -> None:
    objects = fresh()
    res = find(objects, "Application", "kubeflow")["status"]["resources"]
    res.insert(0, resource("Job", "migrate", "kubeflow", group="batch", hook=True))
    res.append(resource("StatefulSet", "seaweedfs", "kubeflow", group="apps"))
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("StatefulSet", "seaweedfs")


def test_every_condition_of_an_app_is_read() -> None:
    """Other conditions, or a SharedResourceWarning kftui cannot parse, before the one it can do not stop it."""
    objects = fresh()
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "OrphanedResourceWarning", "message": "1 orphaned resource"},
        {"type": "SharedResourceWarning", "message": "shared with someone"},
        {
            "type": "SharedResourceWarning",
            "message": "Secret/mysql is part of a different application: kubeflow",
        },
    ]
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("Secret", "mysql")


def test_warning_namespace_comes_only_from_a_listed_resource_of_the_same_kind() -> None:
    """The app lists Service kubeflow/seaweedfs; a warning about ClusterRole/seaweedfs is not about it."""
    objects = fresh()
    _warn(objects, "kubeflow-seaweedfs", "ClusterRole/seaweedfs is part of a different application: kubeflow")
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("ClusterRole", None, "seaweedfs")


def test_shared_resources_of_one_kind_sort_by_namespace_then_name() -> None:
    """A resource whose namespace is unknown (named only by a warning) comes first; then by namespace, even
    when the names sort the other way."""
    objects = fresh()
    _warn(objects, "kubeflow-pipelines", "Secret/zz-unknown is part of a different application: kubeflow")
    for app in ("kubeflow", "kubeflow-seaweedfs"):
        find(objects, "Application", app)["status"]["resources"] += [
            resource("Secret", "z-secret", "0-team"),
            resource("Secret", "a-secret", "b-team"),
        ]
    subjects = [(f.subject.namespace, f.subject.name) for f in shared_resource(snapshot(objects), KUBEFLOW)]
    assert subjects == [(None, "zz-unknown"), ("0-team", "z-secret"), ("b-team", "a-secret")]


def test_live_tracking_is_read_past_workloads_no_app_manages() -> None:
    objects = fresh()
    objects.insert(0, deployment("kubeflow", "unmanaged-tool"))
    dep = find(objects, "Deployment", "ml-pipeline", "kubeflow")
    dep["metadata"]["labels"] = {"app.kubernetes.io/instance": "kubeflow"}
    (f,) = shared_resource(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.name) == ("Deployment", "ml-pipeline")


def test_stateful_objects_after_others_are_still_called_out() -> None:
    objects = _doomed(
        ("ConfigMap", "kubeflow", "old-config"), ("PersistentVolumeClaim", "kubeflow", "seaweedfs-data")
    )
    findings = list(prune_danger(snapshot(objects), KUBEFLOW))
    assert [(f.check, f.severity, f.subject.kind) for f in findings] == [
        ("prune-danger", Severity.ERROR, "PersistentVolumeClaim"),
        ("prune-danger", Severity.WARNING, "Application"),
    ]


def test_disable_auto_prune_targets_the_apps_own_namespace() -> None:
    """With Applications in any namespace, the patch must go to the namespace the app lives in."""
    objects = _doomed(("ConfigMap", "kubeflow", "old-config"))
    find(objects, "Application", "kubeflow-seaweedfs")["metadata"]["namespace"] = "team-a"
    (f,) = prune_danger(snapshot(objects), KUBEFLOW)
    assert f.fixes[0].command.startswith("kubectl patch application kubeflow-seaweedfs -n team-a ")

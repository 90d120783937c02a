"""app-out-of-sync (with the ignoreDifferences drift explainer), app-degraded (with health computed from live
objects for Argo CD 3.x) and app-operation-failed."""

from __future__ import annotations

from dataclasses import replace

import pytest
import yaml

from kftui.checks.applications import (
    app_degraded,
    app_operation_failed,
    app_out_of_sync,
    applications_missing,
)
from kftui.checks.health import resource_health
from kftui.model import ClusterSnapshot, ManagedResource, Severity
from kftui.profile import GENERIC, builtin_profile
from tests.unit.fixtures.builders import (
    deployment,
    drop,
    failed_operation,
    find,
    fresh,
    healthy_install,
    pod,
    snapshot,
    sync_result,
)

KUBEFLOW = builtin_profile("kubeflow")


def _out_of_sync(kind: str, name: str, group: str) -> list:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    app["status"]["sync"]["status"] = "OutOfSync"
    for res in app["status"]["resources"]:
        if res["kind"] == kind and res["name"] == name:
            res["status"] = "OutOfSync"
            break
    else:
        app["status"]["resources"].append(
            {"group": group, "version": "v1", "kind": kind, "name": name, "status": "OutOfSync"}
        )
    return objects


@pytest.mark.parametrize(
    ("kind", "name", "group", "path"),
    [
        (
            "MutatingWebhookConfiguration",
            "katib.kubeflow.org",
            "admissionregistration.k8s.io",
            ".webhooks[]?.clientConfig.caBundle",
        ),
        (
            "ValidatingWebhookConfiguration",
            "istio-validator-istio-system",
            "admissionregistration.k8s.io",
            ".webhooks[]?.failurePolicy",
        ),
        (
            "CustomResourceDefinition",
            "inferenceservices.serving.kserve.io",
            "apiextensions.k8s.io",
            ".spec.conversion.webhook.clientConfig.caBundle",
        ),
    ],
)
def test_drift_on_mutated_kinds_gets_an_ignore_differences_snippet(
    kind: str, name: str, group: str, path: str
) -> None:
    (f,) = app_out_of_sync(snapshot(_out_of_sync(kind, name, group)), KUBEFLOW)
    assert f"{kind}/{name}" in f.evidence
    snippet = f.explanation.split("sync once:\n\n", 1)[1]
    parsed = yaml.safe_load(snippet)
    entry = parsed["spec"]["ignoreDifferences"][0]
    assert (entry["group"], entry["kind"], entry["name"]) == (group, kind, name)
    assert path in entry["jqPathExpressions"]
    assert "RespectIgnoreDifferences=true" in parsed["spec"]["syncPolicy"]["syncOptions"]


def test_plain_drift_gets_no_snippet() -> None:
    (f,) = app_out_of_sync(snapshot(_out_of_sync("Deployment", "centraldashboard", "apps")), KUBEFLOW)
    assert "ignoreDifferences" not in f.explanation
    assert [x.id for x in f.fixes] == ["sync", "refresh"]


def test_unknown_sync_points_at_the_condition() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["sync"]["status"] = "Unknown"
    app["status"]["conditions"] = [{"type": "ComparisonError", "message": "boom"}]
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert f.severity is Severity.ERROR and "ComparisonError: boom" in f.evidence


def _crashing_katib(per_resource_health: bool) -> list:
    objects = healthy_install(per_resource_health)
    app = find(objects, "Application", "kubeflow")
    app["status"]["health"] = {"status": "Degraded"}
    if per_resource_health:
        for res in app["status"]["resources"]:
            if res["name"] == "katib-controller" and res["kind"] == "Deployment":
                res["health"] = {
                    "status": "Degraded",
                    "message": 'Deployment "katib-controller" exceeded its progress deadline',
                }
    objects = drop(objects, "Deployment", "katib-controller", "kubeflow")
    objects = drop(objects, "Pod", "katib-controller-5c8d7f9b6-5rjtn")
    objects += [
        deployment("kubeflow", "katib-controller", 1, ready=0),
        pod(
            "kubeflow",
            "katib-controller-5c8d7f9b6-5rjtn",
            "katib-controller",
            ready=False,
            waiting="CrashLoopBackOff",
        ),
    ]
    return objects


@pytest.mark.parametrize(
    ("per_resource_health", "culprit"),
    [
        (
            True,
            'Deployment/kubeflow/katib-controller Degraded (Deployment "katib-controller" exceeded its progress deadline)',
        ),
        (
            False,
            "Deployment/kubeflow/katib-controller Degraded (pod katib-controller-5c8d7f9b6-5rjtn: CrashLoopBackOff) [from live objects]",
        ),
    ],
    ids=["argocd-2.x", "argocd-3.x"],
)
def test_degraded_app_names_the_culprit(per_resource_health: bool, culprit: str) -> None:
    (f,) = app_degraded(snapshot(_crashing_katib(per_resource_health)), KUBEFLOW)
    assert f.severity is Severity.ERROR
    assert culprit in f.evidence
    assert f.title.endswith(": 1 unhealthy resource")


def test_progressing_within_grace_is_not_reported() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    app["status"]["health"] = {"status": "Progressing"}
    app["status"]["operationState"]["finishedAt"] = "2026-11-20T03:10:00Z"
    assert list(app_degraded(snapshot(objects), KUBEFLOW)) == []
    app["status"]["operationState"]["finishedAt"] = "2026-11-20T02:00:00Z"
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert f.severity is Severity.WARNING


def test_operation_failed_lists_failing_resources() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["status"]["operationState"] = failed_operation(
        "one or more objects failed to apply",
        [
            sync_result(
                "Deployment",
                "centraldashboard",
                "kubeflow",
                "deployment.apps/centraldashboard configured",
                group="apps",
                status="Synced",
            ),
            sync_result(
                "Experiment",
                "random-search",
                "kubeflow",
                "the server could not find the requested resource",
                group="kubeflow.org",
            ),
        ],
    )
    (f,) = app_operation_failed(snapshot(objects), KUBEFLOW)
    assert f.title.endswith(" on 1 resource")
    assert "Experiment/kubeflow/random-search: the server could not find the requested resource" in f.evidence
    assert "centraldashboard" not in f.evidence


@pytest.mark.parametrize(
    ("ready", "expected"),
    [(1, "Healthy"), (0, "Progressing")],
)
def test_resource_health_from_live_workload(ready: int, expected: str) -> None:
    objects = drop(fresh(), "Deployment", "centraldashboard", "kubeflow")
    objects.append(deployment("kubeflow", "centraldashboard", 1, ready=ready))
    res = ManagedResource(
        group="apps", version="v1", kind="Deployment", namespace="kubeflow", name="centraldashboard"
    )
    health = resource_health(snapshot(objects), res)
    assert (health.status, health.computed) == (expected, True)


def test_resource_health_prefers_argocd_and_knows_missing() -> None:
    snap = snapshot(fresh())
    recorded = ManagedResource(
        "apps", "v1", "Deployment", "kubeflow", "centraldashboard", health_status="Suspended"
    )
    assert resource_health(snap, recorded).status == "Suspended"
    gone = ManagedResource("apps", "v1", "Deployment", "kubeflow", "nope")
    assert resource_health(snap, gone).status == "Missing"
    other = ManagedResource("", "v1", "ConfigMap", "kubeflow", "x")
    assert resource_health(snap, other).status == ""


def test_ready_but_not_available_replicas_are_not_healthy() -> None:
    """readyReplicas counts pods that are Ready; availableReplicas only those Ready for minReadySeconds. A
    Deployment with all replicas ready but not yet available is not Healthy, and the culprit says so."""
    objects = drop(healthy_install(per_resource_health=False), "Deployment", "centraldashboard", "kubeflow")
    dep = deployment("kubeflow", "centraldashboard", 1, ready=1)
    dep["status"]["availableReplicas"] = 0
    objects.append(dep)
    app = find(objects, "Application", "kubeflow")
    app["status"]["health"] = {"status": "Progressing"}  # (operation finished at 02:43, past the grace)
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert (f.check, f.severity) == ("app-degraded", Severity.WARNING)
    assert (
        "Deployment/kubeflow/centraldashboard Progressing (1/1 replicas ready, 0 available) [from live objects]"
        in f.evidence
    )


def _app(objects: list, name: str = "kubeflow-seaweedfs") -> dict:
    return find(objects, "Application", name)


def _prunable(objects: list, name: str, kind: str = "ConfigMap") -> None:
    _app(objects)["status"]["resources"].append(
        {"version": "v1", "kind": kind, "namespace": "kubeflow", "name": name, "status": "OutOfSync",
         "requiresPruning": True}
    )  # fmt: skip


def test_out_of_sync_counts_drifted_and_prunable_resources_apart() -> None:
    """The title counts every resource that differs; the evidence lists the drifted ones and, apart, the ones
    only pruning removes, and a prunable resource adds the sync-with-prune fix right after plain sync."""
    objects = fresh()
    app = _app(objects)
    app["status"]["sync"]["status"] = "OutOfSync"
    app["status"]["resources"][0]["status"] = "OutOfSync"  # Service kubeflow/seaweedfs
    _prunable(objects, "old-config")
    _prunable(objects, "older-config")
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert (f.check, f.app, f.severity) == ("app-out-of-sync", "kubeflow-seaweedfs", Severity.WARNING)
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow-seaweedfs")
    assert f.title == "kubeflow-seaweedfs is OutOfSync (3 resources differ from git)"
    assert f.evidence == (
        "status.sync.status=OutOfSync\nout of sync (1): Service/kubeflow/seaweedfs\n"
        "require pruning (2): ConfigMap/kubeflow/old-config, ConfigMap/kubeflow/older-config"
    )
    assert [x.id for x in f.fixes] == ["sync", "sync-prune", "refresh"]
    assert {x.command for x in f.fixes} >= {"argocd app sync kubeflow-seaweedfs --prune"}
    assert "ignoreDifferences" not in f.explanation


def test_out_of_sync_with_nothing_listed_says_only_the_status() -> None:
    objects = fresh()
    _app(objects)["status"]["sync"]["status"] = "OutOfSync"
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert f.evidence == "status.sync.status=OutOfSync"
    assert "(0 resources differ" in f.title


def test_only_prunable_resources_are_listed_as_requiring_pruning() -> None:
    objects = fresh()
    _app(objects)["status"]["sync"]["status"] = "OutOfSync"
    _prunable(objects, "old-config")
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert f.evidence == "status.sync.status=OutOfSync\nrequire pruning (1): ConfigMap/kubeflow/old-config"
    assert "out of sync (" not in f.evidence


@pytest.mark.parametrize(
    ("automated", "says"),
    [
        ({"prune": True}, "Automated sync is on, so Argo CD should converge by itself"),
        (None, "Automated sync is off: nothing changes until someone syncs."),
    ],
    ids=["automated", "manual"],
)
def test_out_of_sync_explains_whether_argocd_will_converge_by_itself(automated, says: str) -> None:
    objects = fresh()
    app = _app(objects)
    app["status"]["sync"]["status"] = "OutOfSync"
    if automated is None:
        app["spec"]["syncPolicy"].pop("automated")
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert f.explanation.startswith(says)
    assert "(fix: sync)" in f.explanation and "(fix: refresh)" in f.explanation


def test_synced_apps_are_not_out_of_sync() -> None:
    assert list(app_out_of_sync(snapshot(fresh()), KUBEFLOW)) == []


def test_injected_field_snippet_covers_only_drifted_resources_of_known_kinds() -> None:
    """A pruned webhook config or an in-sync CRD is not drifting from injection; an APIService without a
    recorded group gets the group its kind lives in, and every listed resource gets its own entry."""
    objects = _out_of_sync("APIService", "v1beta1.metrics.k8s.io", "")
    app = _app(objects, "kubeflow")
    for res in app["status"]["resources"]:
        if res["kind"] == "APIService":
            res.pop("group", None)
    app["status"]["resources"] += [
        {"group": "admissionregistration.k8s.io", "version": "v1", "kind": "ValidatingWebhookConfiguration",
         "name": "pruned-hook", "status": "OutOfSync", "requiresPruning": True},
        {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "kubeflow", "name": "drifted",
         "status": "OutOfSync"},
        {"group": "admissionregistration.k8s.io", "version": "v1", "kind": "MutatingWebhookConfiguration",
         "name": "second-hook", "status": "OutOfSync"},
    ]  # fmt: skip
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    head, snippet = f.explanation.split("sync once:\n\n", 1)
    assert "APIService/v1beta1.metrics.k8s.io, MutatingWebhookConfiguration/second-hook: webhook" in head
    parsed = yaml.safe_load(snippet)
    entries = parsed["spec"]["ignoreDifferences"]
    assert [(e["group"], e["kind"], e["name"]) for e in entries] == [
        ("apiregistration.k8s.io", "APIService", "v1beta1.metrics.k8s.io"),
        ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "second-hook"),
    ]
    assert entries[0]["jqPathExpressions"] == [".spec.caBundle"]
    assert entries[1]["jqPathExpressions"] == [
        ".webhooks[]?.clientConfig.caBundle",
        ".webhooks[]?.failurePolicy",
    ]
    assert parsed["spec"]["syncPolicy"] == {"syncOptions": ["RespectIgnoreDifferences=true"]}


@pytest.mark.parametrize(
    ("conditions", "severity", "evidence"),
    [
        ([], Severity.WARNING, "status.sync.status=Unknown"),
        ([{"type": "SharedResourceWarning", "message": "not the cause"}], Severity.WARNING,
         "status.sync.status=Unknown"),
        (
            [{"type": "ComparisonError", "message": "first"}, {"type": "InvalidSpecError", "message": "second"}],
            Severity.ERROR,
            "status.sync.status=Unknown\nComparisonError: first",
        ),
    ],
    ids=["no-condition", "no-error-condition", "first-error"],
)  # fmt: skip
def test_unknown_sync_quotes_the_first_error_condition(conditions, severity, evidence: str) -> None:
    """Only *Error conditions explain why Argo CD could not compare; without one the finding is a warning."""
    objects = fresh()
    app = _app(objects)
    app["status"]["sync"]["status"] = "Unknown"
    if conditions:
        app["status"]["conditions"] = conditions
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert (f.check, f.app, f.severity, f.evidence) == (
        "app-out-of-sync",
        "kubeflow-seaweedfs",
        severity,
        evidence,
    )
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow-seaweedfs")
    assert f.title == "kubeflow-seaweedfs: Argo CD cannot compare it with git (sync status Unknown)"
    assert [(x.id, x.command) for x in f.fixes] == [
        ("hard-refresh", "argocd app get kubeflow-seaweedfs --hard-refresh")
    ]
    assert "(fix: hard-refresh)" in f.explanation


@pytest.mark.parametrize(
    ("status", "severity", "fix_ids", "says"),
    [
        (
            "Missing",
            Severity.ERROR,
            ["sync", "refresh"],
            "The app's resources do not exist in the cluster: it was never synced, or what it created was "
            "deleted. Sync creates them (fix: sync); refresh if git changed (fix: refresh).",
        ),
        ("Degraded", Severity.ERROR, ["hard-refresh", "sync"], "exist but are failing"),
        ("Progressing", Severity.WARNING, ["hard-refresh"], "Still Progressing after more than 10 minutes"),
    ],
)
def test_unhealthy_app_severity_fixes_and_explanation(
    status: str, severity: Severity, fix_ids: list[str], says: str
) -> None:
    """Each unhealthy state gets the fixes that help it: sync for missing resources, a hard refresh after
    fixing failing ones; a long Progressing spell is only a warning."""
    objects = fresh()
    _app(objects)["status"]["health"] = {"status": status, "message": "waiting for seaweedfs"}
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert (f.check, f.app, f.severity) == ("app-degraded", "kubeflow-seaweedfs", severity)
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow-seaweedfs")
    assert f.title == f"kubeflow-seaweedfs is {status}"
    assert f.evidence == f"status.health.status={status} (waiting for seaweedfs)"
    assert [x.id for x in f.fixes] == fix_ids
    assert all("kubeflow-seaweedfs" in x.command for x in f.fixes)
    assert says in f.explanation


@pytest.mark.parametrize("status", ["Healthy", "Suspended", "Unknown"])
def test_healthy_suspended_or_unknown_apps_are_not_degraded(status: str) -> None:
    objects = fresh()
    _app(objects)["status"]["health"] = {"status": status}
    assert list(app_degraded(snapshot(objects), KUBEFLOW)) == []


def test_degraded_app_lists_each_unhealthy_resource_with_its_state() -> None:
    """Missing and Progressing resources are culprits too; healthy ones are not named."""
    objects = fresh()
    app = _app(objects)
    app["status"]["health"] = {"status": "Degraded"}
    app["status"]["resources"][0]["health"] = {"status": "Missing"}  # Service kubeflow/seaweedfs
    app["status"]["resources"][2]["health"] = {"status": "Progressing", "message": "binding"}  # the PVC
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert f.title == "kubeflow-seaweedfs is Degraded: 2 unhealthy resources"
    assert f.evidence == (
        "status.health.status=Degraded\nService/kubeflow/seaweedfs Missing, "
        "PersistentVolumeClaim/kubeflow/seaweedfs-pvc Progressing (binding)"
    )


def _progressing_since(objects: list, started: str | None, finished: str | None) -> None:
    app = _app(objects)
    app["status"]["health"] = {"status": "Progressing"}
    state = app["status"]["operationState"]
    for key, value in (("startedAt", started), ("finishedAt", finished)):
        if value is None:
            state.pop(key)
        else:
            state[key] = value


@pytest.mark.parametrize(
    ("started", "finished", "reported"),
    [
        ("2026-11-20T01:00:00Z", "2026-11-20T03:02:01Z", False),  # finished 9:59 ago; the start is older
        ("2026-11-20T03:10:00Z", "2026-11-20T03:01:59Z", True),  # finished 10:01 ago; the start is newer
        ("2026-11-20T03:02:01Z", None, False),  # still running: its start counts
        ("2026-11-20T03:01:59Z", None, True),
        (None, None, True),  # no times at all: since the app was created, the evening before
    ],
)
def test_progressing_is_timed_from_the_last_operation(started, finished, reported: bool) -> None:
    """The grace (600 s in the Kubeflow profile) runs from when the last operation finished, else started,
    else from the app's creation."""
    objects = fresh()
    _progressing_since(objects, started, finished)
    assert bool(list(app_degraded(snapshot(objects), KUBEFLOW))) is reported


def test_progressing_exactly_at_the_grace_is_reported() -> None:
    objects = fresh()
    _progressing_since(objects, "2026-11-20T02:00:00Z", "2026-11-20T03:02:00Z")  # now is 03:12
    assert [f.app for f in app_degraded(snapshot(objects), KUBEFLOW)] == ["kubeflow-seaweedfs"]
    graceful = replace(KUBEFLOW, progressing_grace_seconds=601)
    assert list(app_degraded(snapshot(objects), graceful)) == []


def test_progressing_without_any_operation_counts_from_creation() -> None:
    """An app never synced has no operationState: it has been Progressing since it was created."""
    objects = fresh()
    app = _app(objects)
    app["status"]["health"] = {"status": "Progressing"}
    app["status"].pop("operationState")
    app["metadata"]["creationTimestamp"] = "2026-11-20T03:05:00Z"
    assert list(app_degraded(snapshot(objects), KUBEFLOW)) == []
    app["metadata"]["creationTimestamp"] = "2026-11-20T03:01:00Z"
    (f,) = app_degraded(snapshot(objects), KUBEFLOW)
    assert "after more than 10 minutes" in f.explanation
    app["metadata"].pop("creationTimestamp")
    assert list(app_degraded(snapshot(objects), KUBEFLOW)) == []  # no time known: not judged


def test_grace_in_the_explanation_follows_the_profile() -> None:
    objects = fresh()
    _progressing_since(objects, "2026-11-20T01:00:00Z", "2026-11-20T01:00:00Z")
    (f,) = app_degraded(snapshot(objects), replace(KUBEFLOW, progressing_grace_seconds=1800))
    assert "after more than 30 minutes" in f.explanation


@pytest.mark.parametrize(
    ("phase", "message", "title", "evidence"),
    [
        ("Failed", "", "Last sync of kubeflow failed", "status.operationState.phase=Failed"),
        ("Error", "boom", "Last sync of kubeflow error", "status.operationState.phase=Error: boom"),
    ],
)
def test_failed_or_errored_operation_without_resource_results(phase, message, title, evidence) -> None:
    objects = fresh()
    state = failed_operation(message, [])
    state["phase"] = phase
    _app(objects, "kubeflow")["status"]["operationState"] = state
    (f,) = app_operation_failed(snapshot(objects), KUBEFLOW)
    assert (f.check, f.app, f.severity) == ("app-operation-failed", "kubeflow", Severity.ERROR)
    assert (f.subject.kind, f.subject.name) == ("Application", "kubeflow")
    assert (f.title, f.evidence) == (title, evidence)
    assert [x.id for x in f.fixes] == ["sync", "hard-refresh"]
    assert all("kubeflow" in x.command for x in f.fixes)


@pytest.mark.parametrize("phase", ["Succeeded", "Running", "Terminating"])
def test_operations_that_did_not_fail_are_quiet(phase: str) -> None:
    objects = fresh()
    _app(objects, "kubeflow")["status"]["operationState"]["phase"] = phase
    assert list(app_operation_failed(snapshot(objects), KUBEFLOW)) == []


def test_failed_hooks_count_as_failing_resources() -> None:
    """A hook whose phase is Failed or Error failed the sync even when its status is not SyncFailed."""
    failed_hook = sync_result("Job", "migrate", "kubeflow", "job failed", status="Synced")
    failed_hook["hookPhase"] = "Failed"
    error_hook = sync_result("Job", "seed", "kubeflow", "job errored", status="Synced")
    error_hook["hookPhase"] = "Error"
    objects = fresh()
    _app(objects, "kubeflow")["status"]["operationState"] = failed_operation(
        "hooks failed", [failed_hook, error_hook]
    )
    (f,) = app_operation_failed(snapshot(objects), KUBEFLOW)
    assert f.title == "Last sync of kubeflow failed on 2 resources"
    assert f.evidence == (
        "status.operationState.phase=Failed: hooks failed\n"
        "Job/kubeflow/migrate: job failed, Job/kubeflow/seed: job errored"
    )


def _no_apps(**meta) -> ClusterSnapshot:
    base = snapshot([o for o in fresh() if o["kind"] != "Application"])
    return replace(base, **meta)


@pytest.mark.parametrize(
    ("source", "evidence"),
    [
        ("live", "LIST applications.argoproj.io in namespace gitops: 0 items"),
        ("dump.yaml", "dump.yaml: no object of kind Application"),
        ("", "the snapshot: no object of kind Application"),
    ],
)
def test_no_applications_at_all_is_an_error_naming_where_kftui_looked(source: str, evidence: str) -> None:
    """Without Applications nothing is checked: the finding says where it looked and what it expected."""
    (f,) = applications_missing(_no_apps(source=source, argocd_namespace="gitops"), KUBEFLOW)
    assert (f.check, f.app, f.severity) == ("applications-missing", None, Severity.ERROR)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Namespace", None, "gitops")
    assert f.title == "No Argo CD Applications in namespace gitops"
    assert f.evidence == (
        evidence + "\nthe kubeflow profile expects kubeflow, kubeflow-seaweedfs, kubeflow-pipelines"
    )
    # why nothing was checked, and the three ways out a user can take
    assert f.explanation == (
        "kftui diagnoses an install through its Argo CD Applications and found none, so nothing was checked. "
        "Argo CD may keep them in another namespace (--argocd-namespace NS), they may not have been created yet "
        "(kubectl apply the Application manifests), or the dump was taken without them (kftui dump includes them)."
    )


def test_no_applications_under_a_profile_that_expects_none() -> None:
    (f,) = applications_missing(_no_apps(source="live"), GENERIC)
    assert f.evidence == "LIST applications.argoproj.io in namespace argocd: 0 items"


def test_applications_present_or_unlisted_are_not_missing() -> None:
    """When Applications exist, or could not be listed at all (the coverage verdict says so), this is quiet."""
    assert list(applications_missing(snapshot(fresh()), KUBEFLOW)) == []
    unseen = _no_apps(forbidden={"Application": "forbidden: cannot list applications"})
    assert list(applications_missing(unseen, KUBEFLOW)) == []


def test_an_app_within_its_grace_does_not_hide_a_later_degraded_one() -> None:
    objects = fresh()
    _app(objects, "kubeflow")["status"]["health"] = {"status": "Progressing"}
    _app(objects, "kubeflow")["status"]["operationState"]["finishedAt"] = "2026-11-20T03:10:00Z"
    _app(objects)["status"]["health"] = {"status": "Degraded"}
    assert [f.app for f in app_degraded(snapshot(objects), KUBEFLOW)] == ["kubeflow-seaweedfs"]


def test_a_failed_sync_after_a_successful_one_is_reported_with_its_message_whole() -> None:
    """Apps whose last sync succeeded do not stop the check; the message is quoted to its last character."""
    objects = fresh()
    _app(objects)["status"]["operationState"] = failed_operation("one or more objects failed on node X", [])
    (f,) = app_operation_failed(snapshot(objects), KUBEFLOW)
    assert f.app == "kubeflow-seaweedfs"
    assert f.evidence == "status.operationState.phase=Failed: one or more objects failed on node X"


def test_out_of_sync_with_one_resource_says_it_differs() -> None:
    objects = fresh()
    app = _app(objects)
    app["status"]["sync"]["status"] = "OutOfSync"
    app["status"]["resources"][0]["status"] = "OutOfSync"
    (f,) = app_out_of_sync(snapshot(objects), KUBEFLOW)
    assert f.title == "kubeflow-seaweedfs is OutOfSync (1 resource differs from git)"

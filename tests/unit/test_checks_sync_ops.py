"""sync-stuck, hook-failed and operation-stale on Application objects as the API server returns them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kftui.checks.sync_ops import blocker, finalizer_stuck, hook_failed, operation_stale, span, sync_stuck
from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef, Severity
from kftui.profile import builtin_profile, parse_profile
from tests.unit.fixtures.builders import NOW, find, fresh, pod, snapshot

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]


def iso(delta: timedelta) -> str:
    return (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def running_sync(started_ago: timedelta, results: list[Raw] | None = None) -> list[Raw]:
    """The healthy install with kubeflow-pipelines syncing since `started_ago`, its ml-pipeline Degraded."""
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["operation"] = {"sync": {"revision": "9f2c1e7a4b"}, "initiatedBy": {"username": "admin"}}
    app["status"]["operationState"] = {
        "operation": app["operation"],
        "phase": "Running",
        "message": "waiting for healthy state of apps/Deployment/ml-pipeline",
        "startedAt": iso(-started_ago),
        "retryCount": 2,
        "syncResult": {"revision": "9f2c1e7a4b", "resources": results or []},
    }
    app["status"]["resources"].append(
        {
            "group": "apps",
            "version": "v1",
            "kind": "Deployment",
            "namespace": "kubeflow",
            "name": "ml-pipeline",
            "status": "Synced",
            "health": {"status": "Degraded", "message": "Deployment does not have minimum availability"},
        }
    )
    return objects


def test_a_sync_running_past_the_limit_names_what_it_waits_for() -> None:
    [finding] = sync_stuck(snapshot(running_sync(timedelta(minutes=25))), KUBEFLOW)
    assert finding.severity is Severity.ERROR and finding.app == "kubeflow-pipelines"
    assert (
        finding.title
        == "Sync of kubeflow-pipelines running for 25 min: waiting for Deployment kubeflow/ml-pipeline"
    )
    assert (
        "waiting for Deployment kubeflow/ml-pipeline: Degraded (Deployment does not have minimum availability)"
        in (finding.evidence)
    )
    assert (
        "retry 2" in finding.evidence and "waiting for healthy state of apps/Deployment" in finding.evidence
    )
    assert [f.id for f in finding.fixes] == ["terminate"]


def test_a_wave_blocked_by_a_deployment_names_its_pods_reason() -> None:
    """The pods of the unhealthy Deployment say why the wave waits: the not-ready one, not its ready sibling."""
    objects = running_sync(timedelta(minutes=25))
    objects.append(
        pod("kubeflow", "ml-pipeline-5c8d7f9b6-abcde", "ml-pipeline", ready=False, waiting="CrashLoopBackOff")
    )
    objects.append(pod("kubeflow", "ml-pipeline-5c8d7f9b6-ready", "ml-pipeline"))
    objects.append(pod("kubeflow", "other-5c8d7f9b6-zzzzz", "other", ready=False, waiting="ErrImagePull"))
    [finding] = sync_stuck(snapshot(objects), KUBEFLOW)
    assert finding.evidence.endswith(
        "waiting for Deployment kubeflow/ml-pipeline: Degraded (Deployment does not have minimum availability)"
        "\npod ml-pipeline-5c8d7f9b6-abcde: CrashLoopBackOff"
    )


def test_without_recorded_health_the_operation_message_names_the_resource_and_live_pods_its_health() -> None:
    """Argo CD 3 keeps no per-resource health in the Application (what the lab's Argo CD does): the running
    operation's message names what it waits for, and the live pods say why it is not healthy."""
    objects = running_sync(timedelta(minutes=25))
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["operationState"]["message"] = "waiting for healthy state of apps/Deployment/ml-pipeline"
    app["status"]["resources"].pop()  # (the fixture's own ml-pipeline entry stays, without health)
    for res in app["status"]["resources"]:
        res.pop("health", None)
    objects.append(
        pod("kubeflow", "ml-pipeline-5c8d7f9b6-abcde", "ml-pipeline", ready=False, waiting="CrashLoopBackOff")
    )
    [finding] = sync_stuck(snapshot(objects), KUBEFLOW)
    assert finding.title.endswith("waiting for Deployment kubeflow/ml-pipeline")
    assert finding.evidence.endswith(
        "waiting for Deployment kubeflow/ml-pipeline: Degraded (pod ml-pipeline-5c8d7f9b6-abcde: CrashLoopBackOff)"
    )  # (the pod named once)
    finished = snapshot(objects).applications[("argocd", "kubeflow-pipelines")]
    assert (
        blocker(finished) == "Deployment kubeflow/ml-pipeline: not healthy yet"
    )  # no live objects: what is known


@pytest.mark.parametrize(("minutes", "reported"), [(3, False), (9, False), (10, True)])
def test_a_sync_of_normal_length_is_never_called_stuck(minutes: int, reported: bool) -> None:
    findings = list(sync_stuck(snapshot(running_sync(timedelta(minutes=minutes))), KUBEFLOW))
    assert bool(findings) is reported


def test_a_running_hook_is_named_before_an_unhealthy_resource() -> None:
    hook = {
        "group": "batch",
        "version": "v1",
        "kind": "Job",
        "namespace": "kubeflow",
        "name": "schema-migrate",
        "status": "Synced",
        "message": "job is still running",
        "hookPhase": "Running",
        "hookType": "PreSync",
        "syncPhase": "PreSync",
    }
    created_namespace = {  # Argo CD gives plain resources a hookPhase too: not a hook, not the blocker
        "group": "", "version": "v1", "kind": "Namespace", "namespace": "", "name": "kubeflow",
        "status": "Synced", "message": "namespace/kubeflow created", "hookPhase": "Running", "syncPhase": "PreSync",
    }  # fmt: skip
    objects = running_sync(timedelta(hours=1), [created_namespace, hook])
    objects.append(pod("kubeflow", "schema-migrate-x2", "schema-migrate", ready=False, owner_kind="Job"))
    objects[-1]["status"].update(phase="Pending", containerStatuses=[])
    objects[-1]["status"]["conditions"] = [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": "0/1 nodes match"}
    ]
    [finding] = sync_stuck(snapshot(objects), KUBEFLOW)
    assert finding.title.endswith("waiting for PreSync hook Job kubeflow/schema-migrate")
    assert (
        "waiting for PreSync hook Job kubeflow/schema-migrate: Running\npod schema-migrate-x2: Pending"
        in (finding.evidence)
    )
    assert "0/1 nodes match" in finding.evidence


def failed_hook_install(with_pod: bool) -> list[Raw]:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-seaweedfs")
    app["status"]["operationState"] = {
        "operation": {"sync": {"revision": "9f2c1e7a4b"}},
        "phase": "Failed",
        "message": "one or more synchronization tasks completed unsuccessfully",
        "startedAt": iso(-timedelta(minutes=8)),
        "finishedAt": iso(-timedelta(minutes=6)),
        "syncResult": {
            "revision": "9f2c1e7a4b",
            "resources": [
                {
                    "group": "batch",
                    "version": "v1",
                    "kind": "Job",
                    "namespace": "kubeflow",
                    "name": "bucket-init",
                    "status": "Synced",
                    "message": "Job has reached the specified backoff limit",
                    "hookPhase": "Failed",
                    "hookType": "PostSync",
                }
            ],
        },
    }
    if with_pod:
        objects.append(
            pod(
                "kubeflow",
                "bucket-init-x7k2p",
                "bucket-init",
                ready=False,
                waiting="ImagePullBackOff",
                owner_kind="Job",
            )
        )
    return objects


def test_a_failed_hook_is_named_with_its_message_and_its_pods_reason() -> None:
    [finding] = hook_failed(snapshot(failed_hook_install(with_pod=True)), KUBEFLOW)
    assert finding.app == "kubeflow-seaweedfs"
    assert finding.subject == ObjectRef("Job", "kubeflow", "bucket-init")
    assert finding.title == "PostSync hook Job/kubeflow/bucket-init of kubeflow-seaweedfs failed"
    assert "message: Job has reached the specified backoff limit" in finding.evidence
    assert "pod bucket-init-x7k2p: ImagePullBackOff" in finding.evidence
    assert [f.id for f in finding.fixes] == ["sync", "delete-hook"]


def test_a_failed_hook_without_a_pod_still_says_what_argo_cd_said() -> None:
    [finding] = hook_failed(snapshot(failed_hook_install(with_pod=False)), KUBEFLOW)
    assert finding.evidence == (
        "PostSync hook Job kubeflow/bucket-init: phase Failed, message: Job has reached the specified backoff limit"
    )


def stale_install(reconciled_after: timedelta, operation: bool = True) -> list[Raw]:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    state = app["status"]["operationState"]
    state["finishedAt"] = iso(-timedelta(hours=1))
    app["status"]["reconciledAt"] = iso(-timedelta(hours=1) + reconciled_after)
    if operation:
        app["operation"] = {"sync": {"revision": "9f2c1e7a4b"}, "initiatedBy": {"username": "admin"}}
    return objects


def test_an_operation_the_controller_left_behind_is_named_and_terminate_is_offered() -> None:
    snap = snapshot(stale_install(timedelta(minutes=30)))
    [finding] = operation_stale(snap, KUBEFLOW)
    assert finding.severity is Severity.WARNING and finding.app == "kubeflow"
    assert "status.operationState.phase=Succeeded" in finding.evidence
    assert [f.id for f in finding.fixes] == ["terminate"]
    plan = plan_action("terminate", ObjectRef("Application", "argocd", "kubeflow"), snap)
    assert plan.blocked is None, plan.blocked


@pytest.mark.parametrize(
    ("reconciled_after", "operation"),
    [(timedelta(minutes=1), True), (timedelta(minutes=30), False)],
    ids=["just-requested", "no-operation"],
)
def test_a_just_requested_or_absent_operation_is_not_stale(
    reconciled_after: timedelta, operation: bool
) -> None:
    snap = snapshot(stale_install(reconciled_after, operation))
    assert list(operation_stale(snap, KUBEFLOW)) == []


def test_how_long_an_operation_may_wait_comes_from_the_profile() -> None:
    """One minute after the finish is not stale for the built-in 2 min, and is for a profile that says 30 s."""
    snap = snapshot(stale_install(timedelta(minutes=1)))
    assert list(operation_stale(snap, KUBEFLOW)) == []
    assert KUBEFLOW.operation_stale_seconds == 120
    quick = parse_profile({"name": "quick", "operation_stale_seconds": 30}, "quick.yaml")
    assert [f.app for f in operation_stale(snap, quick)] == ["kubeflow"]


def test_terminate_stays_refused_when_nothing_is_set() -> None:
    snap = snapshot(stale_install(timedelta(minutes=30), operation=False))
    plan = plan_action("terminate", ObjectRef("Application", "argocd", "kubeflow"), snap)
    assert plan.blocked == "no operation is running on kubeflow (last phase: Succeeded)"


def test_each_app_may_take_as_long_as_its_profile_allows() -> None:
    """The core app is allowed 15 min by the Kubeflow profile; a custom profile can allow seconds."""
    objects = running_sync(timedelta(minutes=12))
    core = find(objects, "Application", "kubeflow")
    pipelines = find(objects, "Application", "kubeflow-pipelines")
    core["operation"], core["status"]["operationState"] = (
        pipelines["operation"],
        pipelines["status"]["operationState"],
    )
    assert [f.app for f in sync_stuck(snapshot(objects), KUBEFLOW)] == ["kubeflow-pipelines"]
    quick = parse_profile(
        {"name": "lab", "applications": [{"name": "kubeflow", "sync_stuck_seconds": 30}]}, "test"
    )
    assert quick.sync_limit("kubeflow") == 30 and quick.sync_limit("other") == 600
    found = {f.app: f for f in sync_stuck(snapshot(objects), quick)}
    assert "(12 min; the lab profile allows 30 s)" in found["kubeflow"].evidence


@pytest.mark.parametrize(
    ("seconds", "said"),
    [(45, "45 s"), (119, "119 s"), (120, "2 min"), (7199, "119 min"), (7500, "2 h 5 min")],
)
def test_durations_are_said_the_way_people_say_them(seconds: int, said: str) -> None:
    assert span(seconds) == said


def test_a_plain_resource_that_failed_to_apply_is_not_called_a_hook() -> None:
    """Argo CD marks a resource the API server refused with hookPhase Failed too; app-operation-failed says that."""
    objects = failed_hook_install(with_pod=False)
    result = find(objects, "Application", "kubeflow-seaweedfs")["status"]["operationState"]["syncResult"][
        "resources"
    ][0]
    del result["hookType"]
    result["status"] = "SyncFailed"
    assert list(hook_failed(snapshot(objects), KUBEFLOW)) == []


def terminating(
    objects: list[Raw], name: str, ago: timedelta, conditions: list[Raw] | None = None
) -> list[Raw]:
    objects.append(
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "deletionTimestamp": iso(-ago), "labels": {}},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Terminating", "conditions": conditions or []},
        }
    )
    return objects


HELD = [
    {"type": "NamespaceDeletionDiscoveryFailure", "status": "False", "message": "All resources discovered"},
    {"type": "NamespaceContentRemaining", "status": "True", "message": "Some resources are remaining: widgets.example.com has 1 resource instances"},
    {"type": "NamespaceFinalizersRemaining", "status": "True", "message": "Some content in the namespace has finalizers remaining: example.com/keep in 1 resource instances"},
]  # fmt: skip


def test_a_namespace_held_by_a_finalizer_says_which_finalizer_and_which_kind() -> None:
    objects = terminating(fresh(), "team-a", timedelta(minutes=40), HELD)
    [finding] = finalizer_stuck(snapshot(objects), KUBEFLOW)
    assert finding.title == "Namespace team-a Terminating for 40 min: finalizers remain"
    assert finding.evidence.split("\n")[1:] == [
        "NamespaceFinalizersRemaining: Some content in the namespace has finalizers remaining: "
        "example.com/keep in 1 resource instances",
        "NamespaceContentRemaining: Some resources are remaining: widgets.example.com has 1 resource instances",
    ]  # the False condition is not evidence
    assert [f.id for f in finding.fixes] == ["describe"]


def test_a_namespace_deleted_moments_ago_or_expected_by_the_profile_is_not_reported_here() -> None:
    """Deletion takes a moment; the profile's own namespaces are namespace-missing's to report."""
    objects = terminating(fresh(), "team-a", timedelta(minutes=4), HELD)
    objects = terminating(objects, "cert-manager", timedelta(hours=2), HELD)
    assert list(finalizer_stuck(snapshot(objects), KUBEFLOW)) == []
    [late] = finalizer_stuck(snapshot(terminating(fresh(), "team-a", timedelta(minutes=5))), KUBEFLOW)
    assert late.evidence.endswith("\nno condition says what holds it") and not late.title.endswith("remain")


def test_an_application_held_by_its_resources_finalizer_is_named() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-seaweedfs")
    app["metadata"]["deletionTimestamp"] = iso(-timedelta(minutes=12))
    [finding] = finalizer_stuck(snapshot(objects), KUBEFLOW)
    assert finding.app == "kubeflow-seaweedfs" and finding.subject.kind == "Application"
    assert finding.title == "Application kubeflow-seaweedfs deleting for 12 min"
    assert "finalizers: resources-finalizer.argocd.argoproj.io\n" in finding.evidence
    assert finding.evidence.endswith("managed resources still listed")
    del app["metadata"]["finalizers"]  # without finalizers it goes at once: nothing holds it
    assert list(finalizer_stuck(snapshot(objects), KUBEFLOW)) == []

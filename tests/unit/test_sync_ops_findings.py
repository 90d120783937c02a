"""The sync-operation findings as a person reads them, whole: each check's finding field by field, and the
edge cases of what it looks at (phases spelled as Argo CD spells them, boundaries, apps it must skip)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from kftui.checks.sync_ops import blocker, finalizer_stuck, hook_failed, operation_stale, span, sync_stuck
from kftui.cluster.applications import application as to_application
from kftui.fixes.plan import plan_action
from kftui.model import ClusterSnapshot, HeldObject, Namespace, ObjectRef
from kftui.profile import builtin_profile, parse_profile
from kftui.report import finding_to_dict
from tests.unit.fixtures.builders import NOW, find, fresh, pod, snapshot
from tests.unit.test_checks_sync_ops import HELD, iso, running_sync, stale_install, terminating

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]


def findings(check: Any, objects: list[Raw], profile: Any = KUBEFLOW) -> list[dict[str, Any]]:
    """Each finding as JSON, its evidence lines joined back into one text (the JSON lists them) and without
    the causal links (run_checks adds them; test_causes tests them)."""
    out = []
    for f in check(snapshot(objects), profile):
        found = finding_to_dict(f)
        found["evidence"] = "\n".join(found["evidence"])
        del found["id"], found["caused_by"]
        out.append(found)
    return out


def test_sync_stuck_in_full() -> None:
    [found] = findings(sync_stuck, running_sync(timedelta(minutes=25)))
    assert found == {
        "check": "sync-stuck",
        "severity": "error",
        "app": "kubeflow-pipelines",
        "subject": {
            "kind": "Application",
            "namespace": "argocd",
            "name": "kubeflow-pipelines",
            "cluster": "",
        },
        "title": "Sync of kubeflow-pipelines running for 25 min: waiting for Deployment kubeflow/ml-pipeline",
        "evidence": "status.operationState.phase=Running since 2026-11-20 02:47:00Z (25 min; the kubeflow profile "
        "allows 10 min), retry 2\nmessage: waiting for healthy state of apps/Deployment/ml-pipeline\nwaiting for "
        "Deployment kubeflow/ml-pipeline: Degraded (Deployment does not have minimum availability)",
        "explanation": "Argo CD applies the app wave by wave and waits until each wave is healthy and each hook "
        "has finished, with no time limit of its own. The resource or hook it waits for is named above: fix that "
        "(its pod's reason is in the pod-failing finding), or terminate the operation (fix: terminate) and sync "
        "again once the cause is gone. A hook that never finishes can be deleted after the terminate (fix: "
        "delete-hook); the next sync creates it again.",
        "fixes": [
            {
                "id": "terminate",
                "title": "Terminate the running operation of kubeflow-pipelines",
                "command": "argocd app terminate-op kubeflow-pipelines",
            }
        ],
    }


def test_a_terminating_sync_with_nothing_unhealthy_has_a_plain_title_and_evidence() -> None:
    objects = running_sync(timedelta(minutes=30))
    app = find(objects, "Application", "kubeflow-pipelines")
    state = app["status"]["operationState"]
    state.update(phase="Terminating", retryCount=0)
    del state["message"]
    app["status"]["resources"] = [r for r in app["status"]["resources"] if r["name"] != "ml-pipeline"]
    [found] = findings(sync_stuck, objects)
    assert found["title"] == "Sync of kubeflow-pipelines running for 30 min"
    assert found["evidence"] == (
        "status.operationState.phase=Terminating since 2026-11-20 02:42:00Z (30 min; the kubeflow profile allows 10 min)"
    )


def test_a_sync_requested_but_not_started_says_running_and_one_without_a_start_is_skipped() -> None:
    objects = running_sync(timedelta(minutes=30))
    state = find(objects, "Application", "kubeflow-pipelines")["status"]["operationState"]
    state["phase"] = ""
    [found] = findings(sync_stuck, objects)
    assert found["evidence"].startswith("status.operationState.phase=Running since ")
    del state["startedAt"]
    assert findings(sync_stuck, objects) == []


def failed_hook(phase: str = "Failed", kind: str = "Job", name: str = "bucket-init", **extra: Any) -> Raw:
    return {
        "group": "batch", "version": "v1", "kind": kind, "namespace": "kubeflow", "name": name, "status": "Synced",
        "message": "Job has reached the specified backoff limit", "hookPhase": phase, "hookType": "PostSync", **extra,
    }  # fmt: skip


def with_results(results: list[Raw], app: str = "kubeflow-seaweedfs") -> list[Raw]:
    objects = fresh()
    target = find(objects, "Application", app)
    target["status"]["operationState"]["phase"] = "Failed"
    target["status"]["operationState"]["syncResult"]["resources"] = results
    # An app with no operation at all, sorted before it: skipped, and the others still looked at.
    del find(objects, "Application", "kubeflow")["status"]["operationState"]
    return objects


def test_hook_failed_in_full() -> None:
    [found] = findings(hook_failed, with_results([failed_hook()]))
    assert found == {
        "check": "hook-failed",
        "severity": "error",
        "app": "kubeflow-seaweedfs",
        "subject": {"kind": "Job", "namespace": "kubeflow", "name": "bucket-init", "cluster": ""},
        "title": "PostSync hook Job/kubeflow/bucket-init of kubeflow-seaweedfs failed",
        "evidence": "PostSync hook Job kubeflow/bucket-init: phase Failed, message: Job has reached the specified "
        "backoff limit",
        "explanation": "The hook's own output says why (kubectl logs of its pod). Argo CD does not run the hook "
        "again by itself: fix the cause, then sync again (fix: sync); a hook resource left behind with the same "
        "name is replaced on the next sync unless its delete policy keeps it (fix: delete-hook removes it, "
        "terminating a sync still running first).",
        "fixes": [
            {
                "id": "sync",
                "title": "Sync kubeflow-seaweedfs",
                "command": "argocd app sync kubeflow-seaweedfs",
            },
            {
                "id": "delete-hook",
                "title": "Delete the hook job/bucket-init",
                "command": "kubectl delete job bucket-init -n kubeflow",
            },
        ],
    }


def test_every_failed_hook_is_reported_after_any_that_is_fine_or_not_a_hook() -> None:
    plain = failed_hook(name="plain")
    del plain["hookType"]
    results = [failed_hook("Running", name="first"), plain, failed_hook("Error", name="second")]
    assert [f["subject"]["name"] for f in findings(hook_failed, with_results(results))] == ["second"]


def test_a_failed_hooks_evidence_names_at_most_three_of_its_own_jobs_pods() -> None:
    objects = with_results([failed_hook(), failed_hook(kind="Pod", name="pod-hook")])
    for index in range(4):
        objects.append(
            pod(
                "kubeflow",
                f"bucket-init-{index}",
                "bucket-init",
                ready=False,
                waiting="Error",
                owner_kind="Job",
            )
        )
    objects.append(
        pod("other", "bucket-init-x", "bucket-init", ready=False, waiting="Elsewhere", owner_kind="Job")
    )
    job, pod_hook = findings(hook_failed, objects)
    assert job["evidence"].endswith(
        "\npod bucket-init-0: Error\npod bucket-init-1: Error\npod bucket-init-2: Error"
    ), job["evidence"]
    assert pod_hook["evidence"].endswith("message: Job has reached the specified backoff limit")


def test_operation_stale_in_full() -> None:
    [found] = findings(operation_stale, stale_install(timedelta(minutes=30)))
    assert found == {
        "check": "operation-stale",
        "severity": "warning",
        "app": "kubeflow",
        "subject": {"kind": "Application", "namespace": "argocd", "name": "kubeflow", "cluster": ""},
        "title": "kubeflow keeps an operation the controller does not run",
        "evidence": "operation set; status.operationState.phase=Succeeded finished 2026-11-20 02:12:00Z\n"
        "reconciled 2026-11-20 02:42:00Z",
        "explanation": "A new sync is refused while `operation` is set. Terminating the operation clears it the "
        "way Argo CD's own API does (fix: terminate); then sync again.",
        "fixes": [
            {
                "id": "terminate",
                "title": "Terminate the running operation of kubeflow",
                "command": "argocd app terminate-op kubeflow",
            }
        ],
    }


def test_stale_is_two_minutes_of_reconciling_after_the_finish_and_needs_both_times() -> None:
    assert [f["app"] for f in findings(operation_stale, stale_install(timedelta(minutes=2)))] == ["kubeflow"]
    objects = stale_install(timedelta(minutes=30))
    del find(objects, "Application", "kubeflow")["status"]["operationState"]["finishedAt"]
    assert findings(operation_stale, objects) == []
    objects = stale_install(timedelta(minutes=30))
    del find(objects, "Application", "kubeflow")["status"]["reconciledAt"]
    assert findings(operation_stale, objects) == []
    objects = stale_install(timedelta(minutes=30))
    del find(objects, "Application", "kubeflow")["status"]["operationState"]  # an operation, no state yet
    assert findings(operation_stale, objects) == []


def test_apps_skipped_before_a_stale_one_do_not_hide_it() -> None:
    objects = stale_install(timedelta(minutes=30))
    app = find(objects, "Application", "kubeflow-seaweedfs")
    app["operation"] = {"sync": {}}
    app["status"]["operationState"]["finishedAt"] = iso(-timedelta(minutes=1))
    app["metadata"]["name"] = "a-first"  # sorted before kubeflow, and skipped (reconciled too soon)
    running = find(objects, "Application", "kubeflow-pipelines")
    running["operation"] = {"sync": {}}
    running["status"]["operationState"]["phase"] = "Running"
    running["metadata"]["name"] = "a-running"
    assert [f["app"] for f in findings(operation_stale, objects)] == ["kubeflow"]


def test_finalizer_stuck_in_full_for_a_namespace_and_an_application() -> None:
    objects = terminating(fresh(), "team-a", timedelta(minutes=40), HELD)
    app = find(objects, "Application", "kubeflow-seaweedfs")
    app["spec"]["destination"]["namespace"] = "team-a"
    app["metadata"]["deletionTimestamp"] = iso(-timedelta(minutes=12))
    app["status"]["resources"] = [
        {"kind": "ConfigMap", "namespace": "team-a", "name": "left", "version": "v1"},
        {
            "kind": "Job",
            "namespace": "team-a",
            "name": "hook",
            "version": "v1",
            "group": "batch",
            "hook": True,
        },
    ]
    namespace, application = findings(finalizer_stuck, objects)
    assert namespace == {
        "check": "finalizer-stuck",
        "severity": "error",
        "app": "kubeflow-seaweedfs",
        "subject": {"kind": "Namespace", "namespace": None, "name": "team-a", "cluster": ""},
        "title": "Namespace team-a Terminating for 40 min: finalizers remain",
        "evidence": "deletionTimestamp=2026-11-20 02:32:00Z\nNamespaceFinalizersRemaining: Some content in the "
        "namespace has finalizers remaining: example.com/keep in 1 resource instances\nNamespaceContentRemaining: "
        "Some resources are remaining: widgets.example.com has 1 resource instances",
        "explanation": "The namespace waits for the objects in it to go, and those keep finalizers that only their "
        "controller removes; when that controller was uninstalled first (or its webhook or APIService is down), "
        "nothing ever removes them. Reinstall or restart the controller, or remove the named finalizer from the "
        "objects that still carry it, knowing that what it guards is then orphaned.",
        "fixes": [
            {
                "id": "describe",
                "title": "Describe namespace/team-a",
                "command": "kubectl describe namespace team-a",
            }
        ],
    }
    assert application == {
        "check": "finalizer-stuck",
        "severity": "error",
        "app": "kubeflow-seaweedfs",
        "subject": {
            "kind": "Application",
            "namespace": "argocd",
            "name": "kubeflow-seaweedfs",
            "cluster": "",
        },
        "title": "Application kubeflow-seaweedfs deleting for 12 min",
        "evidence": "deletionTimestamp=2026-11-20 03:00:00Z\nfinalizers: resources-finalizer.argocd.argoproj.io\n"
        "1 managed resource still listed",
        "explanation": "With resources-finalizer.argocd.argoproj.io Argo CD deletes every resource of the app "
        "before the Application goes; one that cannot be deleted (its own finalizer, a namespace stuck Terminating, "
        "a missing CRD) holds the app. The finding about that resource says why.",
        "fixes": [
            {
                "id": "describe",
                "title": "Describe application/kubeflow-seaweedfs",
                "command": "kubectl describe application kubeflow-seaweedfs -n argocd",
            },
            {
                "id": "remove-finalizers",
                "title": "Remove the finalizers of application/kubeflow-seaweedfs (what they guard is orphaned)",
                "command": 'kubectl patch application kubeflow-seaweedfs -n argocd --type=json -p \'[{"op": '
                '"test", "path": "/metadata/finalizers", "value": '
                '["resources-finalizer.argocd.argoproj.io"]}, {"op": "remove", "path": '
                '"/metadata/finalizers"}]\'',
            },
        ],
    }


def test_a_namespace_no_app_deploys_to_has_no_app_and_a_discovery_failure_is_named() -> None:
    failure = [
        {
            "type": "NamespaceDeletionDiscoveryFailure",
            "status": "True",
            "message": "metrics.k8s.io/v1beta1: 503",
        }
    ]
    [found] = findings(finalizer_stuck, terminating(fresh(), "orphan", timedelta(hours=3), failure))
    assert found["app"] is None
    assert found["title"] == "Namespace orphan Terminating for 3 h 0 min: finalizers remain"
    assert found["evidence"].endswith("\nNamespaceDeletionDiscoveryFailure: metrics.k8s.io/v1beta1: 503")


def test_an_application_exactly_at_the_grace_counts_and_several_resources_are_plural() -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow")["metadata"]["deletionTimestamp"] = iso(-timedelta(minutes=5))
    [found] = findings(finalizer_stuck, objects)
    assert found["evidence"].endswith(" managed resources still listed")
    quick = parse_profile({"name": "quick", "deletion_grace_seconds": 301}, "test")
    assert findings(finalizer_stuck, objects, quick) == []


@pytest.mark.parametrize(
    ("seconds", "said"), [(7200, "2 h 0 min"), (10800, "3 h 0 min"), (7260, "2 h 1 min")]
)
def test_hours_are_whole_hours_and_minutes(seconds: int, said: str) -> None:
    assert span(seconds) == said


def app_with_results(*results: Raw) -> Any:
    raw = find(fresh(), "Application", "kubeflow")
    raw["status"]["operationState"]["syncResult"]["resources"] = list(results)
    return to_application(raw)


def result(kind: str, namespace: str, name: str, **fields: Any) -> Raw:
    return {"group": "", "version": "v1", "kind": kind, "namespace": namespace, "name": name, **fields}


def test_the_blocker_of_each_shape_argo_cd_reports() -> None:
    refused = result("ClusterRole", "", "viewer", status="SyncFailed", message="forbidden: escalation")
    assert blocker(app_with_results(refused)) == "ClusterRole viewer: forbidden: escalation"
    silent = result("ConfigMap", "kubeflow", "cm", status="SyncFailed")
    assert blocker(app_with_results(silent)) == "ConfigMap kubeflow/cm: SyncFailed"
    errored = result("Job", "kubeflow", "migrate", status="Synced", hookPhase="Error", hookType="PreSync")
    assert blocker(app_with_results(errored)) == "PreSync hook Job kubeflow/migrate: Error"
    pending = result(
        "Pod", "kubeflow", "warm", hookPhase="Pending", hookType="Sync", message="pod/warm created"
    )
    assert blocker(app_with_results(pending)) == "Sync hook Pod kubeflow/warm: Pending"
    done = result("Job", "kubeflow", "ok", status="Synced", hookPhase="Succeeded", hookType="PreSync")
    assert blocker(app_with_results(done)) == ""


def test_terminate_is_offered_for_a_sync_requested_but_not_yet_started() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    app["operation"] = {"sync": {"revision": "main"}}
    del app["status"]["operationState"]
    plan = plan_action("terminate", ObjectRef("Application", "argocd", "kubeflow"), snapshot(objects))
    assert plan.blocked is None, plan.blocked


def test_now_is_the_snapshots_moment() -> None:
    """Every duration above is measured from the snapshot's own time (builders.NOW), never the wall clock."""
    assert NOW.isoformat() == "2026-11-20T03:12:00+00:00"


def test_only_a_job_hooks_own_pods_in_its_namespace_are_named() -> None:
    objects = with_results([failed_hook()])
    objects.append(
        pod("kubeflow", "bucket-init-a", "bucket-init", ready=False, waiting="Error", owner_kind="Job")
    )
    objects.append(
        pod("other", "bucket-init-b", "bucket-init", ready=False, waiting="Elsewhere", owner_kind="Job")
    )
    [found] = findings(hook_failed, objects)
    assert found["evidence"].endswith("backoff limit\npod bucket-init-a: Error"), found["evidence"]


def test_a_sync_stuck_on_a_plain_job_or_an_unhealthy_job_names_no_hook_pods() -> None:
    """Pods are named for hooks only; a Job applied as a plain resource is named by its own status."""
    refused = {"group": "batch", "version": "v1", "kind": "Job", "namespace": "kubeflow", "name": "bucket-init",
               "status": "SyncFailed", "message": "field is immutable"}  # fmt: skip
    objects = running_sync(timedelta(minutes=30), [refused])
    objects.append(
        pod("kubeflow", "bucket-init-a", "bucket-init", ready=False, waiting="Error", owner_kind="Job")
    )
    [found] = findings(sync_stuck, objects)
    assert found["evidence"].endswith("waiting for Job kubeflow/bucket-init: field is immutable")
    objects = running_sync(timedelta(minutes=30))
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["resources"] = [
        {"group": "batch", "version": "v1", "kind": "Job", "namespace": "kubeflow", "name": "bucket-init",
         "status": "Synced", "health": {"status": "Degraded", "message": "BackoffLimitExceeded"}}
    ]  # fmt: skip
    [found] = findings(sync_stuck, objects)
    assert found["evidence"].endswith("waiting for Job kubeflow/bucket-init: Degraded (BackoffLimitExceeded)")


def test_an_errored_hook_is_named_by_its_message() -> None:
    errored = result(
        "Job", "kubeflow", "migrate", hookPhase="Error", hookType="PreSync", message="exit code 3"
    )
    assert blocker(app_with_results(errored)) == "PreSync hook Job kubeflow/migrate: exit code 3"


def test_every_finalizer_is_named_and_hooks_are_not_counted_as_resources_left() -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow")
    app["metadata"]["deletionTimestamp"] = iso(-timedelta(minutes=30))
    app["metadata"]["finalizers"] = ["resources-finalizer.argocd.argoproj.io", "example.com/audit"]
    app["status"]["resources"] = [
        {"kind": "ConfigMap", "namespace": "kubeflow", "name": "a", "version": "v1"},
        {"kind": "ConfigMap", "namespace": "kubeflow", "name": "b", "version": "v1"},
        {
            "kind": "Job",
            "namespace": "kubeflow",
            "name": "h",
            "version": "v1",
            "group": "batch",
            "hook": True,
        },
    ]
    [found] = findings(finalizer_stuck, objects)
    assert found["evidence"].endswith(
        "finalizers: resources-finalizer.argocd.argoproj.io, example.com/audit\n2 managed resources still listed"
    )


def test_a_namespace_without_conditions_has_a_plain_title() -> None:
    [found] = findings(finalizer_stuck, terminating(fresh(), "team-a", timedelta(minutes=6)))
    assert found["title"] == "Namespace team-a Terminating for 6 min"


def test_an_app_without_a_finish_time_sorted_first_does_not_hide_a_stale_one() -> None:
    objects = stale_install(timedelta(minutes=30))
    early = find(objects, "Application", "kubeflow-seaweedfs")
    early["metadata"]["name"] = "a-no-finish"
    early["operation"] = {"sync": {}}
    del early["status"]["operationState"]["finishedAt"]
    assert [f["app"] for f in findings(operation_stale, objects)] == ["kubeflow"]


@pytest.mark.parametrize(
    ("phase", "terminate_first"), [("Running", True), ("Terminating", True), ("Failed", False)]
)
def test_a_failed_hooks_deletion_terminates_first_while_its_sync_still_runs(
    phase: str, terminate_first: bool
) -> None:
    """A sync can still run (a SyncFail hook, the next wave) or be terminating after a hook failed: its delete-hook
    then terminates first, in the finding's command as in the plan it leads to."""
    objects = with_results([failed_hook()])
    app = find(objects, "Application", "kubeflow-seaweedfs")
    if phase != "Failed":
        app["operation"] = {"sync": {"revision": "9f2c1e7a4b"}}
    app["status"]["operationState"]["phase"] = phase
    snap = snapshot(objects)
    [finding] = hook_failed(snap, KUBEFLOW)
    delete = finding.fixes[1]
    terminate = "argocd app terminate-op kubeflow-seaweedfs && "
    assert (
        delete.command
        == (terminate if terminate_first else "") + "kubectl delete job bucket-init -n kubeflow"
    )
    plan = plan_action("delete-hook", finding.subject, snap)
    assert plan.command == delete.command


def test_sync_stuck_on_a_hook_offers_the_terminate_and_delete_its_plan_runs() -> None:
    hook = failed_hook("Running", name="schema-migrate", hookType="PreSync", message="job.batch/x created")
    snap = snapshot(running_sync(timedelta(minutes=25), [hook]))
    [finding] = sync_stuck(snap, KUBEFLOW)
    delete = finding.fixes[1]
    assert (delete.id, delete.title) == (
        "delete-hook",
        "Terminate the operation of kubeflow-pipelines, then delete the hook job/schema-migrate",
    )
    assert delete.command == (
        "argocd app terminate-op kubeflow-pipelines && kubectl delete job schema-migrate -n kubeflow"
    )
    assert plan_action("delete-hook", finding.subject, snap).command == delete.command


def test_a_deployment_that_failed_to_apply_is_named_by_its_apply_error_not_its_pods() -> None:
    """The pods of a workload explain a wave that is not healthy; a Deployment the API server refused is
    explained by the refusal (its running pods are the old version's)."""
    refused = {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "kubeflow",
               "name": "ml-pipeline", "status": "SyncFailed", "message": "spec.selector: field is immutable"}  # fmt: skip
    objects = running_sync(timedelta(minutes=30), [refused])
    objects.append(
        pod("kubeflow", "ml-pipeline-5c8d7f9b6-abcde", "ml-pipeline", ready=False, waiting="Error")
    )
    [found] = findings(sync_stuck, objects)
    assert found["evidence"].endswith(
        "waiting for Deployment kubeflow/ml-pipeline: spec.selector: field is immutable"
    ), found["evidence"]


def operation(phase: str, message: str) -> Any:
    raw = find(fresh(), "Application", "kubeflow")
    raw["status"]["operationState"].update(phase=phase, message=message)
    raw["status"]["resources"] = [
        {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "kubeflow", "name": "api"}
    ]
    if phase in ("Running", "Terminating"):
        raw["operation"] = {"sync": {"revision": "main"}}
    return to_application(raw)


def test_the_resource_a_running_or_terminating_sync_waits_on_is_named_from_its_message_only_while_it_runs() -> (
    None
):
    waiting = "waiting for healthy state of apps/Deployment/api"
    assert blocker(operation("Running", waiting)) == "Deployment kubeflow/api: not healthy yet"
    assert blocker(operation("Terminating", waiting)) == "Deployment kubeflow/api: not healthy yet"
    # An operation that ended waits for nothing, whatever its last message said.
    assert blocker(operation("Failed", waiting)) == ""
    assert blocker(operation("Succeeded", waiting)) == ""


def test_a_namespace_with_its_own_finalizers_and_several_holders_names_each() -> None:
    holders = tuple(
        HeldObject("widgets.example.com", "Widget", "team-a", name, f"/apis/example.com/v1/namespaces/team-a/widgets/{name}",
                   ("example.com/keep", "example.com/audit"))
        for name in ("w1", "w2")
    )  # fmt: skip
    team_a = Namespace(
        "team-a", phase="Terminating", deleting_since=NOW - timedelta(minutes=40),
        finalizers=("example.com/ns-guard", "example.com/ns-audit"), held_by=holders,
    )  # fmt: skip
    [finding] = finalizer_stuck(ClusterSnapshot.from_objects([team_a], now=NOW), KUBEFLOW)
    assert finding.evidence == (
        "deletionTimestamp=2026-11-20 02:32:00Z"
        "\nmetadata.finalizers: example.com/ns-guard, example.com/ns-audit"
        "\nno condition says what holds it"
        "\nheld by widgets.example.com team-a/w1: finalizers example.com/keep, example.com/audit"
        "\nheld by widgets.example.com team-a/w2: finalizers example.com/keep, example.com/audit"
    )
    release = finding.fixes[1]
    assert (
        release.title
        == "Remove the finalizers of 2 objects holding namespace/team-a (what they guard is orphaned)"
    )
    assert release.argvs[-1][:4] == ("kubectl", "patch", "namespace", "team-a")

"""The sync view's content (kftui/syncview.py, kftui/syncblocker.py) on Applications as Argo CD writes them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.model import Finding, ObjectRef, Severity
from kftui.profile import builtin_profile
from kftui.syncblocker import explaining
from kftui.syncview import SyncView, Tone, sync_view
from tests.unit.fixtures.builders import NOW, find, fresh, pod, snapshot

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]
APP = "kubeflow-pipelines"


def iso(delta: timedelta) -> str:
    return (NOW + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


def hook(kind: str, name: str, hook_type: str, phase: str, message: str = "") -> Raw:
    return {
        "group": "batch" if kind == "Job" else "",
        "version": "v1",
        "kind": kind,
        "namespace": "kubeflow",
        "name": name,
        "status": "Synced",
        "message": message,
        "hookType": hook_type,
        "hookPhase": phase,
        "syncPhase": hook_type,
    }


def syncing(results: list[Raw] | None = None, ml_pipeline: str = "ImagePullBackOff") -> list[Raw]:
    """The healthy install with kubeflow-pipelines syncing for 3 min: waves -1 (ClusterRole), 0 (ml-pipeline,
    its pod `ml_pipeline`, 0/1 available) and 1 (metacontroller), listed by Argo CD out of wave order."""
    objects = fresh()
    app = find(objects, "Application", APP)
    app["operation"] = {"sync": {"revision": "9f2c1e7a4b"}, "initiatedBy": {"username": "admin"}}
    app["status"]["operationState"] = {
        "operation": app["operation"],
        "phase": "Running",
        "message": "waiting for healthy state of apps/Deployment/kubeflow/ml-pipeline",
        "startedAt": iso(-timedelta(minutes=3)),
        "retryCount": 2,
        "syncResult": {"revision": "9f2c1e7a4b", "resources": results or []},
    }
    by_name = {r["name"]: r for r in app["status"]["resources"]}
    by_name["metacontroller"]["syncWave"] = 1
    by_name["kubeflow-metacontroller"]["syncWave"] = -1
    by_name["ml-pipeline"]["health"] = {
        "status": "Degraded",
        "message": "Deployment does not have minimum availability",
    }
    app["status"]["resources"] = [
        by_name["metacontroller"],
        by_name["ml-pipeline"],
        by_name["kubeflow-metacontroller"],
    ]
    find(objects, "Deployment", "ml-pipeline", "kubeflow")["status"].update(
        readyReplicas=0, availableReplicas=0
    )
    objects.remove(find(objects, "Pod", "ml-pipeline-5c8d7f9b6-abcde"))
    objects.append(
        pod("kubeflow", "ml-pipeline-5c8d7f9b6-abcde", "ml-pipeline", ready=False, waiting=ml_pipeline)
    )
    return objects


def view_of(objects: list[Raw], name: str = APP, **kw: Any) -> SyncView:
    snap = snapshot(objects, **kw)
    return sync_view(snap, name, run_checks(snap, KUBEFLOW))


def texts(view: SyncView) -> list[str]:
    return [row.text for row in view.rows]


def section(view: SyncView, heading: str) -> list[str]:
    """The rows under a heading, up to the blank line that ends the section."""
    rows = texts(view)
    start = next(n for n, text in enumerate(rows) if text.startswith(heading)) + 1
    end = next((n for n in range(start, len(rows)) if not rows[n]), len(rows))
    return rows[start:end]


def test_the_blocker_is_said_as_argo_cd_says_it_with_availability_and_the_pods_reason() -> None:
    view = view_of(syncing())
    assert view.running and view.blocker is not None
    assert view.blocker.text == (
        "waiting for healthy state of apps/Deployment/kubeflow/ml-pipeline: Degraded, 0/1 available, "
        "pod ml-pipeline-5c8d7f9b6-abcde ImagePullBackOff"
    )
    assert view.blocker.ref == ObjectRef("Deployment", "kubeflow", "ml-pipeline")
    # Linked to the finding about its pod, the most telling one, and said so with its id and title.
    assert view.blocker.finding is not None
    assert view.blocker.finding.id == "pod-failing:Pod/kubeflow/ml-pipeline-5c8d7f9b6-abcde"
    rows = section(view, "Blocker")
    assert rows[0] == f"  {view.blocker.text}"
    assert rows[1] == f"  explained by {view.blocker.finding.id}: {view.blocker.finding.title}"


def test_operation_rows_read_time_from_the_snapshot_not_the_clock() -> None:
    rows = section(view_of(syncing()), "Operation")
    assert rows == [
        "  phase     Running (sync to 9f2c1e7a4b by admin)",
        "  started   2026-11-20 03:09:00Z, 3 min ago",
        "  elapsed   3 min",
        "  retries   2",
        "  message   waiting for healthy state of apps/Deployment/kubeflow/ml-pipeline",
    ]
    later = view_of(syncing(), now=NOW + timedelta(minutes=40))
    assert "  elapsed   43 min" in section(later, "Operation")
    assert later.headline == "Running for 43 min, retry 2"


def test_waves_come_in_wave_order_with_their_resources_and_the_later_ones_pending() -> None:
    view = view_of(syncing())
    assert section(view, "Waves") == [
        "  wave  -1  1 resource, done",
        "    ✔ ClusterRole kubeflow-metacontroller  Synced",
        "  wave   0  1 resource, waiting: Argo CD applies the next wave once this one is healthy",
        "    ✖ Deployment kubeflow/ml-pipeline  Synced Degraded: Deployment does not have minimum availability"
        "   <- blocker",
        # Healthy from an earlier sync, but this sync has not reached it.
        "  wave   1  1 resource, pending: applied after the waves above",
        "    ✔ StatefulSet kubeflow/metacontroller  Synced Healthy",
    ]
    tones = {row.text.strip()[:11]: row.tone for row in view.rows if row.text.startswith("  wave")}
    assert tones == {"wave  -1  1": Tone.DONE, "wave   0  1": Tone.BLOCKER, "wave   1  1": Tone.PENDING}


def test_a_running_hook_is_the_blocker_before_any_unhealthy_resource_and_holds_every_wave() -> None:
    results = [
        hook("Job", "pipelines-smoke", "PostSync", "Succeeded"),
        hook("Job", "schema-migrate", "PreSync", "Running", "job.batch/schema-migrate created"),
    ]
    objects = syncing(results)
    objects.append(pod("kubeflow", "schema-migrate-x7k2p", "schema-migrate", ready=False, owner_kind="Job"))
    view = view_of(objects)
    assert view.blocker is not None
    assert view.blocker.text == (
        "waiting for PreSync hook batch/Job/kubeflow/schema-migrate to finish: Running, "
        "pod schema-migrate-x7k2p Running"
    )
    # PreSync before PostSync, whatever order Argo CD listed them in.
    assert section(view, "Hooks") == [
        "  ▶ PreSync   batch/Job/kubeflow/schema-migrate  Running  job.batch/schema-migrate created",
        "  ✔ PostSync  batch/Job/kubeflow/pipelines-smoke  Succeeded",
    ]
    waves = [t for t in section(view, "Waves") if t.startswith("  wave")]
    assert all(t.endswith("pending: applied after the waves above") for t in waves), waves


def test_a_failed_hook_is_the_blocker_linked_to_hook_failed() -> None:
    results = [
        hook("Job", "pipelines-smoke", "PostSync", "Failed", "Job has reached the specified backoff limit")
    ]
    objects = syncing(results)
    for res in find(objects, "Application", APP)["status"]["resources"]:
        res["health"] = {"status": "Healthy"}  # a PostSync hook runs once every wave is healthy
    view = view_of(objects)
    assert view.blocker is not None and view.blocker.finding is not None
    assert view.blocker.text == (
        "PostSync hook batch/Job/kubeflow/pipelines-smoke failed: Job has reached the specified backoff limit"
    )
    assert view.blocker.finding.check == "hook-failed"
    # PostSync runs after every wave: they are done, not held as they are by a PreSync hook.
    waves = [t for t in section(view, "Waves") if t.startswith("  wave")]
    assert all(t.endswith(", done") for t in waves), waves
    [row] = [r for r in view.rows if "pipelines-smoke" in r.text and r.text.startswith("  ✖")]
    assert row.tone is Tone.FAILED


def test_no_operation_running_shows_the_last_result_and_says_so() -> None:
    objects = fresh()
    app = find(objects, "Application", APP)
    app["status"]["operationState"] = {
        "operation": {"sync": {"revision": "9f2c1e7a4b", "prune": True}, "initiatedBy": {"automated": True}},
        "phase": "Failed",
        "message": "one or more objects failed to apply",
        "startedAt": "2026-11-20T03:00:00Z",
        "finishedAt": "2026-11-20T03:00:20Z",
        "syncResult": {"resources": []},
    }
    view = view_of(objects)
    assert not view.running and view.blocker is None
    assert view.headline == "no sync running; the last one Failed"
    assert section(view, "Operation") == [
        "  no sync is running; the last operation:",
        "  phase     Failed (sync to 9f2c1e7a4b by automated sync, prune)",
        "  started   2026-11-20 03:00:00Z, 12 min ago",
        "  finished  2026-11-20 03:00:20Z (took 20 s), 11 min ago",
        "  retries   0",
        "  message   one or more objects failed to apply",
    ]
    assert not any(t.startswith("Blocker") for t in texts(view))
    assert [r.tone for r in view.rows if r.text.startswith("  phase")] == [Tone.FAILED]


def test_an_app_never_synced_and_an_app_gone() -> None:
    objects = fresh()
    find(objects, "Application", APP)["status"].pop("operationState", None)
    view = view_of(objects)
    assert view.headline == "no sync running, none recorded"
    assert section(view, "Operation") == [
        "  no sync is running, and Argo CD records no operation for this app"
    ]
    gone = view_of(fresh(), "no-such-app")
    assert gone.headline == "not found" and texts(gone) == [
        "Application no-such-app is not in the snapshot (deleted, or not listed)."
    ]


def test_hostile_names_and_messages_are_inert_rows() -> None:
    evil = "x[red]boom[/red]\x1b]52;c;ZXZpbA==\x07\u202e"
    results = [hook("Job", evil, "PreSync", "Running", "created\x1b[2J")]
    view = view_of(syncing(results))
    rows = "\n".join(texts(view))
    assert "\x1b" not in rows and "\x07" not in rows and "\u202e" not in rows
    # Shown as written, escapes visible: never parsed as markup, never a terminal sequence.
    assert (
        "batch/Job/kubeflow/x[red]boom[/red]\\x1b]52;c;ZXZpbA==\\x07\\u202e  Running  created\\x1b[2J" in rows
    )
    assert view.blocker is not None and "\x1b" not in view.blocker.text


def test_the_explaining_finding_prefers_the_pod_then_the_blocker_then_the_app() -> None:
    ref = ObjectRef("Deployment", "kubeflow", "ml-pipeline")

    def finding(check: str, subject: ObjectRef, severity: Severity = Severity.ERROR) -> Finding:
        return Finding(check, severity, APP, subject, f"{check} title", "", "", id=f"{check}:{subject}")

    app_level = finding("app-degraded", ObjectRef("Application", "argocd", APP))
    own = finding("crd-missing", ref)
    objects = syncing()
    snap = snapshot(objects)
    pods = [p for p in snap.pods.values() if p.workload_name == "ml-pipeline"]
    on_pod = finding("pod-failing", pods[0].ref)
    assert explaining([app_level, own, on_pod], ref, APP, pods) is on_pod
    assert explaining([app_level, own], ref, APP, pods) is own
    assert explaining([app_level], ref, APP, pods) is app_level
    other_app = finding("app-degraded", ObjectRef("Application", "argocd", "kubeflow"))
    assert explaining([other_app], ref, APP, pods) is None


def test_the_demo_kubeflow_sync_waits_for_katib_controller_explained_by_its_pod() -> None:
    demo = load_demo()
    view = sync_view(demo, "kubeflow", run_checks(demo, KUBEFLOW))
    assert view.headline == "Running for 4 min"
    assert view.blocker is not None and view.blocker.finding is not None
    assert view.blocker.text == (
        "waiting for healthy state of apps/Deployment/kubeflow/katib-controller: Degraded, 0/1 available, "
        "pod katib-controller-7f5b8c9d6-5rjtn CrashLoopBackOff"
    )
    assert view.blocker.finding.id == "pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn"
    assert section(view, "Hooks") == [
        "  ✔ PreSync   batch/Job/kubeflow/kubeflow-preflight  Succeeded  Reached expected number of succeeded pods"
    ]
    waves = [t.split(",")[0] for t in section(view, "Waves") if t.startswith("  wave")]
    assert waves == ["  wave  -2  3 resources", "  wave  -1  3 resources", "  wave   0  6 resources",
                     "  wave   1  3 resources", "  wave   2  2 resources"]  # fmt: skip


def test_the_blocker_names_its_pods_that_are_not_ready_at_most_two() -> None:
    objects = syncing()
    objects.append(
        pod("kubeflow", "ml-pipeline-5c8d7f9b6-aaaaa", "ml-pipeline", ready=False, waiting="ErrImagePull")
    )
    objects.append(pod("kubeflow", "ml-pipeline-5c8d7f9b6-00000", "ml-pipeline"))
    objects.append(
        pod("kubeflow", "ml-pipeline-5c8d7f9b6-zzzzz", "ml-pipeline", ready=False, waiting="Pending")
    )
    view = view_of(objects)
    assert view.blocker is not None
    assert view.blocker.text.endswith(
        ": Degraded, 0/1 available, pod ml-pipeline-5c8d7f9b6-aaaaa ErrImagePull, "
        "pod ml-pipeline-5c8d7f9b6-abcde ImagePullBackOff"
    )

"""delete-hook and remove-finalizers planned through the registry in full: which hook a target stands for, the
hooks kftui refuses, and every line a remove-finalizers preview shows (orphans named up to a limit, the
namespace's warning, blocked or not)."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.fixes.plan import PlanError, plan_action
from kftui.fixes.plans import DeleteHookPlan, RemoveFinalizersPlan
from kftui.fixes.stuck_planners import ORPHANS_NAMED
from kftui.model import ClusterSnapshot, HeldObject, Namespace, ObjectRef
from tests.unit.fixtures.builders import NOW, find, fresh, snapshot
from tests.unit.test_unstick_fixes import APP, HOOK, deleting_app, stuck_on_hook

Raw = dict[str, Any]
SEAWEEDFS = "kubeflow-seaweedfs"


def test_a_hook_is_found_past_an_app_that_never_synced() -> None:
    """The first Application (kubeflow) has no operation yet: the search goes on to the one that ran the hook."""
    objects = stuck_on_hook()
    del find(objects, "Application", "kubeflow")["status"]["operationState"]
    snap = snapshot(objects)
    assert next(iter(snap.applications))[1] == "kubeflow"
    plan = plan_action("delete-hook", ObjectRef("Job", "kubeflow", "schema-migrate"), snap)
    assert isinstance(plan, DeleteHookPlan) and plan.app == APP
    by_app = plan_action("delete-hook", ObjectRef("Application", "argocd", APP), snap)
    assert by_app.target == ObjectRef("Job", "kubeflow", "schema-migrate")


def test_an_application_named_without_a_namespace_is_looked_up_in_argo_cds() -> None:
    snap = snapshot(stuck_on_hook())
    plan = plan_action("delete-hook", ObjectRef("Application", None, APP), snap)
    assert isinstance(plan, DeleteHookPlan) and plan.terminate_first
    assert plan.command == f"argocd app terminate-op {APP} && kubectl delete job schema-migrate -n kubeflow"


def _hook_run(**change: str) -> ClusterSnapshot:
    objects = stuck_on_hook()
    app = find(objects, "Application", APP)
    app["status"]["operationState"]["syncResult"]["resources"] = [{**HOOK, **change}]
    return snapshot(objects)


@pytest.mark.parametrize(
    ("change", "target", "kind"),
    [
        ({"group": "argoproj.io", "kind": "Workflow"}, ObjectRef("Workflow", "kubeflow", "schema-migrate"), "Workflow"),
        ({"namespace": ""}, ObjectRef("Job", None, "schema-migrate"), "Job"),
    ],
)  # fmt: skip
def test_a_hook_of_a_kind_kftui_does_not_delete_or_without_a_namespace_is_refused_by_name(
    change: dict[str, str], target: ObjectRef, kind: str
) -> None:
    snap = _hook_run(**change)
    with pytest.raises(PlanError) as refused:
        plan_action("delete-hook", target, snap)
    assert str(refused.value) == f"kftui does not delete a {kind} hook (it deletes Job and Pod hooks)"


def _deleting_with_resources(count: int) -> ClusterSnapshot:
    objects = deleting_app(["resources-finalizer.argocd.argoproj.io"])
    app = find(objects, "Application", SEAWEEDFS)
    app["status"]["resources"] = [
        {"version": "v1", "kind": "ConfigMap", "namespace": "kubeflow", "name": f"cm-{n}", "status": "Synced"}
        for n in range(count)
    ]
    return snapshot(objects)


def test_up_to_the_limit_every_orphan_is_named_and_past_it_the_rest_are_counted() -> None:
    target = ObjectRef("Application", "argocd", SEAWEEDFS)
    at_limit = plan_action("remove-finalizers", target, _deleting_with_resources(ORPHANS_NAMED))
    assert at_limit.warnings == (
        f"Argo CD stops deleting the app's resources; {ORPHANS_NAMED} stay in the cluster, unmanaged:",
        *(f"ConfigMap kubeflow/cm-{n}" for n in range(ORPHANS_NAMED)),
    )
    past = plan_action("remove-finalizers", target, _deleting_with_resources(ORPHANS_NAMED + 3))
    assert past.warnings[1 : ORPHANS_NAMED + 1] == at_limit.warnings[1:]
    assert past.warnings[ORPHANS_NAMED + 1 :] == ("... and 3 more",)


def test_an_app_that_manages_nothing_any_more_says_whatever_it_still_manages_stays() -> None:
    plan = plan_action(
        "remove-finalizers", ObjectRef("Application", "argocd", SEAWEEDFS), _deleting_with_resources(0)
    )
    assert plan.warnings == (
        "Argo CD stops deleting the app's resources: whatever it still manages stays, unmanaged",
    )


def test_an_application_named_without_a_namespace_has_its_finalizers_removed_from_argo_cds() -> None:
    plan = plan_action(
        "remove-finalizers", ObjectRef("Application", None, SEAWEEDFS), _deleting_with_resources(1)
    )
    assert isinstance(plan, RemoveFinalizersPlan)
    assert plan.finalizers == ("resources-finalizer.argocd.argoproj.io",) and plan.blocked is None
    assert plan.app == SEAWEEDFS


def test_a_namespace_stuck_deleting_is_not_blocked_belongs_to_no_app_and_warns_of_outside_cleanup() -> None:
    stuck = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {
            "name": "team-a",
            "deletionTimestamp": "2026-11-20T02:32:00Z",
            "finalizers": ["example.com/keep"],
        },
        "status": {"phase": "Terminating"},
    }
    plan = plan_action(
        "remove-finalizers", ObjectRef("Namespace", None, "team-a"), snapshot([*fresh(), stuck])
    )
    assert isinstance(plan, RemoveFinalizersPlan)
    assert plan.blocked is None and plan.app is None and plan.confirm_word == "team-a"
    assert plan.warnings == (
        "the cleanup the finalizer's controller would run never runs: what it guards outside the "
        "namespace (cloud resources, external records) is orphaned",
    )
    assert plan.changes == (
        "remove metadata.finalizers ['example.com/keep'] from Namespace team-a, only if they are still exactly "
        "these (a JSON patch with a test)",
        "the API server then finishes deleting the Namespace",
    )


def test_a_namespace_held_only_by_its_content_patches_the_holders_and_not_the_namespace() -> None:
    """A namespace without finalizers of its own, held by an object in it: the preview lists that object's
    patch and the deletion finishing, and no patch of the namespace (it has nothing to remove)."""
    holder = HeldObject(
        "widgets.example.com", "Widget", "team-a", "w1", "/apis/example.com/v1/namespaces/team-a/widgets/w1",
        ("example.com/keep",),
    )  # fmt: skip
    team_a = Namespace("team-a", phase="Terminating", deleting_since=NOW, held_by=(holder,))
    snap = ClusterSnapshot.from_objects([team_a], now=NOW)
    plan = plan_action("remove-finalizers", ObjectRef("Namespace", None, "team-a"), snap)
    assert isinstance(plan, RemoveFinalizersPlan) and plan.finalizers == () and plan.held == (holder,)
    assert plan.changes == (
        "remove metadata.finalizers ['example.com/keep'] from widgets.example.com team-a/w1, only if they are "
        "still exactly these (a JSON patch with a test)",
        "the API server then finishes deleting the Namespace",
    )


TERMINATE_FIRST = (
    f"1. terminate the running operation of Application argocd/{APP} "
    "(set status.operationState.phase=Terminating) and wait until Argo CD has stopped it",
    "2. delete the PreSync hook Job kubeflow/schema-migrate (and, for a Job, its pods) unless the terminate "
    "already did: Argo CD deletes the hooks it sees running, not those it sees failed",
    "the next sync creates the hook again from git: fix what made it fail or hang first",
)
HALF_RUN = ("what the hook did before it was deleted stays done (a half-run migration stays half-run)",)


@pytest.mark.parametrize("phase", ["Running", "Terminating"])
def test_a_hook_of_a_sync_still_running_or_terminating_is_deleted_after_a_terminate(phase: str) -> None:
    objects = stuck_on_hook()
    find(objects, "Application", APP)["status"]["operationState"]["phase"] = phase
    plan = plan_action("delete-hook", ObjectRef("Job", "kubeflow", "schema-migrate"), snapshot(objects))
    assert isinstance(plan, DeleteHookPlan) and plan.terminate_first
    assert (plan.changes, plan.warnings) == (TERMINATE_FIRST, HALF_RUN)


def test_a_hook_of_a_finished_sync_is_deleted_with_no_terminate_step() -> None:
    objects = stuck_on_hook()
    state = find(objects, "Application", APP)["status"]["operationState"]
    state["phase"] = "Failed"
    state["syncResult"]["resources"] = [{**HOOK, "hookPhase": "Failed"}]
    plan = plan_action("delete-hook", ObjectRef("Job", "kubeflow", "schema-migrate"), snapshot(objects))
    assert isinstance(plan, DeleteHookPlan) and not plan.terminate_first
    assert plan.changes == (
        "delete the PreSync hook Job kubeflow/schema-migrate (and, for a Job, its pods)",
        "the next sync creates the hook again from git: fix what made it fail or hang first",
    )
    assert plan.warnings == HALF_RUN

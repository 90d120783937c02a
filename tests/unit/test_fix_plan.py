"""fixes/plan.py: a fix id becomes a previewable plan, with the same CLI command the finding shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks import fixrefs
from kftui.checks.registry import run_checks
from kftui.cluster.ops import REPLACE, SERVER_SIDE_APPLY
from kftui.fixes.plan import (
    APP_FIXES,
    PLANNABLE,
    ActionKind,
    PlanError,
    actions_for,
    plan_action,
    plan_fix,
)
from kftui.kinds import DELETING_LOSES
from kftui.model import (
    Application,
    ClusterSnapshot,
    ManagedResource,
    ObjectRef,
    OperationState,
    Pod,
    Service,
    ServicePort,
    SyncOperation,
    Workload,
)
from kftui.profile import builtin_profile

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def drift_app(**kw: object) -> Application:
    defaults: dict[str, object] = dict(
        name="drift",
        namespace="argocd",
        target_revision="main",
        sync_status="OutOfSync",
        health_status="Healthy",
        resources=(
            ManagedResource("", "v1", "ConfigMap", "demo-drift", "drift-settings", sync_status="OutOfSync"),
            ManagedResource("", "v1", "PersistentVolumeClaim", "demo-drift", "data", requires_pruning=True),
            ManagedResource(
                "apiextensions.k8s.io",
                "v1",
                "CustomResourceDefinition",
                "",
                "things.example.com",
                sync_status="Synced",
            ),
        ),
    )
    defaults.update(kw)
    return Application(**defaults)  # type: ignore[arg-type]


def snap(*objects: object) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(objects), now=T0)  # type: ignore[arg-type]


APP = ObjectRef("Application", "argocd", "drift")


@pytest.mark.parametrize(
    ("fix_id", "prune", "force", "options", "confirm"),
    [
        ("sync", False, False, (), None),
        ("sync-prune", True, False, (), "drift"),
        ("force-sync", False, True, (), "drift"),
        ("replace", False, False, (REPLACE,), "drift"),
        ("server-side-apply", False, False, (SERVER_SIDE_APPLY,), None),
    ],
)
def test_sync_family(
    fix_id: str, prune: bool, force: bool, options: tuple[str, ...], confirm: str | None
) -> None:
    plan = plan_action(fix_id, APP, snap(drift_app()))
    assert plan.kind is ActionKind.SYNC
    assert plan.sync is not None
    assert (plan.sync.prune, plan.sync.force, plan.sync.sync_options) == (prune, force, options)
    assert plan.confirm_word == confirm
    assert plan.mutating and plan.blocked is None
    assert "apply ConfigMap demo-drift/drift-settings" in plan.changes
    assert plan.app == "drift"


def test_prune_preview_names_what_it_deletes_and_warns_about_state() -> None:
    plan = plan_action("sync-prune", APP, snap(drift_app()))
    assert "DELETE PersistentVolumeClaim demo-drift/data" in plan.changes
    assert any("stateful" in w and "data" in w for w in plan.warnings)
    plain = plan_action("sync", APP, snap(drift_app()))
    assert not any(line.startswith("DELETE") for line in plain.changes)
    assert any("left alone" in line for line in plain.changes)


@pytest.mark.parametrize(("kind", "warned"), [*((k, True) for k in DELETING_LOSES), ("ConfigMap", False)])
def test_prune_warns_for_every_kind_whose_deletion_loses_data(kind: str, warned: bool) -> None:
    """The kinds come from kftui/kinds.py, the one table of what deleting a kind loses."""
    doomed = ManagedResource("", "v1", kind, "demo-drift", "x", requires_pruning=True)
    plan = plan_action("sync-prune", APP, snap(drift_app(resources=(doomed,))))
    assert f"DELETE {kind} demo-drift/x" in plan.changes
    assert any(f"stateful objects: {kind} demo-drift/x" in w for w in plan.warnings) is warned


def test_commands_are_the_fixref_commands() -> None:
    """One source of truth: the plan's CLI command is the one the finding shows."""
    expected = {
        "sync": fixrefs.sync("drift"),
        "sync-prune": fixrefs.sync_prune("drift"),
        "force-sync": fixrefs.force_sync("drift"),
        "replace": fixrefs.replace_sync("drift"),
        "server-side-apply": fixrefs.server_side_apply("drift"),
        "sync-crds-first": fixrefs.sync_crds_first("drift"),
        "refresh": fixrefs.refresh("drift"),
        "hard-refresh": fixrefs.hard_refresh("drift"),
        "terminate": fixrefs.terminate("drift"),
        "sync-create-namespace": fixrefs.sync_create_namespace("drift"),
        "disable-auto-prune": fixrefs.disable_auto_prune("drift", "argocd"),
    }
    running = drift_app(operation=SyncOperation(), operation_state=OperationState("Running", started_at=T0))
    for fix_id, ref in expected.items():
        app = running if fix_id == "terminate" else drift_app()
        plan = plan_action(fix_id, APP, snap(app))
        assert (plan.command, plan.title) == (ref.command, ref.title), fix_id
    assert set(expected) == set(APP_FIXES)


def test_findings_fixes_plan_with_the_same_command() -> None:
    snapshot = snap(drift_app())
    findings = [f for f in run_checks(snapshot, builtin_profile()) if f.app == "drift"]
    assert findings
    planned = 0
    for finding in findings:
        for fix in finding.fixes:
            if fix.id in PLANNABLE:
                plan = plan_fix(finding, fix.id, snapshot, builtin_profile())
                assert plan.command == fix.command
                planned += 1
    assert planned >= 2


def test_a_running_operation_blocks_a_sync_and_enables_terminate() -> None:
    running = drift_app(operation=SyncOperation(), operation_state=OperationState("Running", started_at=T0))
    plan = plan_action("sync", APP, snap(running))
    assert plan.blocked is not None and "already running" in plan.blocked
    assert plan_action("terminate", APP, snap(running)).blocked is None
    idle = plan_action("terminate", APP, snap(drift_app()))
    assert idle.blocked is not None and "no operation is running" in idle.blocked


def test_refresh_and_hard_refresh() -> None:
    normal = plan_action("refresh", APP, snap(drift_app()))
    hard = plan_action("hard-refresh", APP, snap(drift_app()))
    assert (normal.kind, normal.hard, hard.hard) == (ActionKind.REFRESH, False, True)
    assert any("refresh=hard" in c for c in hard.changes)
    assert normal.confirm_word is None


def test_crds_first_selects_the_crds_then_syncs_the_rest() -> None:
    plan = plan_action("sync-crds-first", APP, snap(drift_app()))
    assert plan.sync is not None and plan.then_sync is not None
    assert [(r.group, r.kind, r.name) for r in plan.sync.resources] == [
        ("apiextensions.k8s.io", "CustomResourceDefinition", "things.example.com")
    ]
    assert plan.then_sync.resources == ()
    no_crds = drift_app(resources=())
    assert "no CustomResourceDefinition" in (plan_action("sync-crds-first", APP, snap(no_crds)).blocked or "")


def test_missing_app_is_blocked_not_crashing() -> None:
    plan = plan_action("sync", ObjectRef("Application", "argocd", "ghost"), snap(drift_app()))
    assert plan.blocked == "Application ghost is not in the current snapshot"


def test_ordered_sync_uses_the_profile_chain() -> None:
    apps = [drift_app(name=n) for n in ("kubeflow", "kubeflow-seaweedfs")]
    plan = plan_action("ordered-sync", APP, snap(*apps), builtin_profile())
    assert plan.chain == ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")
    assert plan.command == fixrefs.ordered_sync(plan.chain).command
    assert any("kubeflow-pipelines" in w for w in plan.warnings)
    assert plan.blocked is None
    assert plan_action("ordered-sync", APP, snap()).blocked == "the profile defines no dependency chain"


POD = Pod(
    "kubeflow",
    "crash-looper-abc",
    owner_kind="ReplicaSet",
    owner_name="crash-looper-5d",
    workload_kind="Deployment",
    workload_name="crash-looper",
)
BARE = Pod("kubeflow", "lonely")
DEPLOY = Workload("Deployment", "kubeflow", "crash-looper")


def test_restart_from_a_pod_targets_its_deployment() -> None:
    plan = plan_action("restart", POD.ref, snap(POD, DEPLOY))
    assert plan.target == ObjectRef("Deployment", "kubeflow", "crash-looper")
    assert plan.command == fixrefs.restart("Deployment", "kubeflow", "crash-looper").command
    assert plan.blocked is None and plan.kind is ActionKind.RESTART
    with pytest.raises(PlanError):
        plan_action("restart", BARE.ref, snap(BARE))


def test_delete_pod_asks_for_the_name_only_without_a_controller() -> None:
    owned = plan_action("delete-pod", POD.ref, snap(POD))
    assert owned.confirm_word is None
    assert "its ReplicaSet crash-looper-5d creates a replacement" in owned.changes
    bare = plan_action("delete-pod", BARE.ref, snap(BARE))
    assert bare.confirm_word == "lonely"
    assert bare.warnings


def test_port_forward_defaults_to_the_profile_gateway_and_does_not_mutate() -> None:
    svc = Service("istio-system", "istio-ingressgateway", ports=(ServicePort("http2", 80, 8080),))
    plan = plan_action("port-forward", ObjectRef("Application", "argocd", "x"), snap(svc), builtin_profile())
    assert plan.forward is not None
    assert (plan.forward.namespace, plan.forward.service, plan.forward.port, plan.forward.local_port) == (
        "istio-system",
        "istio-ingressgateway",
        80,
        8080,
    )
    assert "Dex" in plan.forward.login_hint
    assert not plan.mutating
    other = Service("kubeflow", "ml-pipeline", ports=(ServicePort("http", 8888, 8888),))
    plan2 = plan_action("port-forward", other.ref, snap(other), builtin_profile())
    assert plan2.forward is not None and (plan2.forward.service, plan2.forward.port) == ("ml-pipeline", 8888)


def test_unknown_ids_and_wrong_targets_raise() -> None:
    with pytest.raises(PlanError):
        plan_action("describe", APP, snap())
    with pytest.raises(PlanError):
        plan_action("sync", POD.ref, snap(POD))


def test_actions_for_tree_nodes() -> None:
    s = snap(POD, BARE)
    assert actions_for(APP, s) == APP_FIXES
    assert actions_for(POD.ref, s) == ("delete-pod", "restart")
    assert actions_for(BARE.ref, s) == ("delete-pod",)
    assert actions_for(DEPLOY.ref, s) == ("restart",)
    assert actions_for(ObjectRef("Namespace", None, "x"), s) == ()


def test_sync_create_namespace_sets_the_option_then_syncs() -> None:
    plan = plan_action("sync-create-namespace", APP, snap(drift_app(dest_namespace="demo-drift")))
    assert plan.kind is ActionKind.SYNC and plan.set_option == "CreateNamespace=true"
    assert plan.changes[0].startswith("add CreateNamespace=true to spec.syncPolicy.syncOptions")
    assert any("demo-drift" in c for c in plan.changes)
    assert plan.command == fixrefs.sync_create_namespace("drift").command


def test_disable_auto_prune_only_when_it_is_on() -> None:
    on = plan_action("disable-auto-prune", APP, snap(drift_app(automated=True, auto_prune=True)))
    assert on.kind is ActionKind.APP_SETTING and on.blocked is None and on.confirm_word is None
    off = plan_action("disable-auto-prune", APP, snap(drift_app()))
    assert off.blocked == "automated prune is not on for drift"


def test_create_namespace_unless_it_exists() -> None:
    from kftui.model import Namespace

    target = ObjectRef("Namespace", None, "kubeflow")
    plan = plan_action("create-namespaces", target, snap())
    assert plan.kind is ActionKind.CREATE_NAMESPACE and plan.blocked is None
    assert plan.command == fixrefs.create_namespaces(["kubeflow"]).command
    assert plan_action("create-namespaces", target, snap(Namespace("kubeflow"))).blocked == (
        "namespace kubeflow already exists"
    )
    stuck = Namespace("kubeflow", phase="Terminating")
    assert "still terminating" in (plan_action("create-namespaces", target, snap(stuck)).blocked or "")
    with pytest.raises(PlanError):
        plan_action("create-namespaces", APP, snap())


def test_ordered_sync_waits_for_running_operations_instead_of_refusing() -> None:
    busy = drift_app(
        name="kubeflow", operation=SyncOperation(), operation_state=OperationState("Running", started_at=T0)
    )
    plan = plan_action("ordered-sync", APP, snap(busy), builtin_profile())
    assert plan.blocked is None
    assert any("kubeflow" in w and "waits" in w for w in plan.warnings)

"""The preview an Application action shows before it runs (fixes/app_planners.py, through plan_action):
what each sync applies and deletes, how long lists are cut, why an action cannot run now, and the
refresh, terminate, auto-prune and ordered-sync wording a user checks before confirming."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks import fixrefs
from kftui.fixes.plan import PlanError, plan_action
from kftui.model import (
    Application,
    ClusterSnapshot,
    ManagedResource,
    ObjectRef,
    OperationState,
    SyncOperation,
)
from kftui.profile import AppSpec, Profile

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
APP = ObjectRef("Application", "argocd", "web")


def app(**kw: object) -> Application:
    fields: dict[str, object] = dict(
        name="web", namespace="argocd", target_revision="v2", sync_status="OutOfSync", health_status="Healthy"
    )
    fields.update(kw)
    return Application(**fields)  # type: ignore[arg-type]


def snap(*objects: object, argocd_namespace: str = "argocd") -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(objects), now=T0, argocd_namespace=argocd_namespace)  # type: ignore[arg-type]


def res(kind: str, name: str, namespace: str = "web", **kw: object) -> ManagedResource:
    return ManagedResource("", "v1", kind, namespace, name, **kw)  # type: ignore[arg-type]


def running(phase: str = "Running") -> dict[str, object]:
    return dict(operation=SyncOperation(), operation_state=OperationState(phase, started_at=T0))


# --- sync --------------------------------------------------------------------------------------------


def test_sync_preview_names_the_revision_and_what_it_applies() -> None:
    """Only OutOfSync resources are applied; Synced ones and those that require pruning are not."""
    resources = (
        res("ConfigMap", "settings", sync_status="OutOfSync"),
        res("Secret", "creds", sync_status="Synced"),
        res("Service", "old", sync_status="OutOfSync", requires_pruning=True),
        res("ClusterRole", "reader", namespace="", sync_status="OutOfSync"),
    )
    plan = plan_action("sync", APP, snap(app(resources=resources)))
    assert plan.changes == (
        "write .operation.sync on Application argocd/web (revision v2)",
        "apply ConfigMap web/settings",
        "apply ClusterRole reader",
        "1 resource(s) that require pruning are left alone (no prune)",
    )
    assert plan.warnings == ()
    assert plan.blocked is None and plan.confirm_word is None and plan.app == "web"
    assert plan.title == fixrefs.sync("web").title


def test_sync_of_an_app_without_a_revision_says_head() -> None:
    plan = plan_action("sync", APP, snap(app(target_revision="")))
    assert plan.changes == ("write .operation.sync on Application argocd/web (revision HEAD)",)


def test_a_missing_app_is_blocked_and_previewed_at_head() -> None:
    plan = plan_action("sync-prune", ObjectRef("Application", "argocd", "gone"), snap(app()))
    assert plan.blocked == "Application gone is not in the current snapshot"
    assert plan.changes == (
        "write .operation.sync on Application argocd/gone (revision HEAD)",
        "nothing requires pruning right now",
    )
    assert plan.confirm_word == "gone"


def test_an_app_named_without_its_namespace_is_found_in_the_argocd_namespace() -> None:
    target = ObjectRef("Application", None, "web")
    plan = plan_action("sync", target, snap(app(namespace="gitops"), argocd_namespace="gitops"))
    assert plan.blocked is None
    assert plan.changes[0].endswith("(revision v2)")


@pytest.mark.parametrize(("phase", "word"), [("Running", "running"), ("Terminating", "terminating")])
def test_a_sync_waits_for_an_operation_in_flight(phase: str, word: str) -> None:
    plan = plan_action("sync", APP, snap(app(**running(phase))))
    assert plan.blocked == (
        f"an operation is already {word} on web; wait for it or terminate it first (Argo CD refuses a second one)"
    )


def test_a_finished_operation_does_not_block_a_sync() -> None:
    assert plan_action("sync", APP, snap(app(operation_state=OperationState("Failed")))).blocked is None


def test_self_heal_warns_that_argo_may_sync_again() -> None:
    warning = "auto-sync with self-heal is on: Argo CD may sync again by itself"
    assert warning in plan_action("sync", APP, snap(app(automated=True, self_heal=True))).warnings
    assert warning not in plan_action("sync", APP, snap(app(automated=True))).warnings
    assert warning not in plan_action("sync", APP, snap(app(self_heal=True))).warnings


@pytest.mark.parametrize(
    ("count", "named", "more"), [(12, 12, None), (13, 12, "... and 1 more"), (20, 12, "... and 8 more")]
)
def test_a_long_list_names_twelve_and_counts_the_rest(count: int, named: int, more: str | None) -> None:
    resources = tuple(res("ConfigMap", f"cm-{i:02d}", sync_status="OutOfSync") for i in range(count))
    plan = plan_action("sync", APP, snap(app(resources=resources)))
    applied = [c for c in plan.changes if c.startswith("apply ")]
    assert applied == [f"apply ConfigMap web/cm-{i:02d}" for i in range(named)]
    assert (plan.changes[-1] if more else None) == more
    assert sum(c.startswith("...") for c in plan.changes) == (1 if more else 0)


def test_prune_lists_deletions_and_names_at_most_five_stateful_objects() -> None:
    claims = tuple(res("PersistentVolumeClaim", f"data-{i}", requires_pruning=True) for i in range(7))
    plan = plan_action(
        "sync-prune", APP, snap(app(resources=(res("ConfigMap", "gone", requires_pruning=True), *claims)))
    )
    assert "DELETE ConfigMap web/gone" in plan.changes
    assert [c for c in plan.changes if c.startswith("DELETE")][1:] == [
        f"DELETE PersistentVolumeClaim web/data-{i}" for i in range(7)
    ]
    (stateful,) = [w for w in plan.warnings if w.startswith("pruning deletes")]
    assert stateful == "pruning deletes stateful objects: " + ", ".join(
        f"PersistentVolumeClaim web/data-{i}" for i in range(5)
    )
    assert not any("left alone" in c or "nothing requires pruning" in c for c in plan.changes)


def test_prune_with_nothing_to_prune_says_so() -> None:
    plan = plan_action("sync-prune", APP, snap(app(resources=(res("ConfigMap", "a", sync_status="Synced"),))))
    assert plan.changes[-1] == "nothing requires pruning right now"
    assert not any(w.startswith("pruning deletes") for w in plan.warnings)


def test_force_and_replace_add_their_notes_and_warnings() -> None:
    force = plan_action("force-sync", APP, snap(app()))
    assert (
        force.changes[1] == "resources that cannot be patched are deleted and created again (apply --force)"
    )
    assert force.warnings == ("force deletes and recreates objects: pods restart, and data in them is lost",)
    replace = plan_action("replace", APP, snap(app()))
    assert replace.changes[1] == "every resource is replaced (kubectl replace / create) instead of applied"
    assert replace.warnings == ("replace drops fields other controllers set on the live objects",)
    ssa = plan_action("server-side-apply", APP, snap(app()))
    assert ssa.changes[1].startswith("resources are applied server-side")


def test_create_namespace_preview_names_the_option_and_the_destination() -> None:
    plan = plan_action("sync-create-namespace", APP, snap(app(dest_namespace="web-ns")))
    assert plan.changes == (
        "add CreateNamespace=true to spec.syncPolicy.syncOptions of Application argocd/web",
        "write .operation.sync on Application argocd/web (revision v2)",
        "the sync creates the destination namespace web-ns if it is missing",
    )
    no_dest = plan_action("sync-create-namespace", APP, snap(app()))
    assert not any("destination namespace" in c for c in no_dest.changes)
    plain = plan_action("sync", APP, snap(app(dest_namespace="web-ns")))
    assert not any("destination namespace" in c for c in plain.changes)
    assert plain.set_option is None


# --- sync-crds-first ----------------------------------------------------------------------------------


def test_crds_first_preview_counts_and_names_the_crds_then_the_full_sync() -> None:
    crd = ManagedResource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "things.example.com")
    resources = (
        crd,
        res("ConfigMap", "c", sync_status="OutOfSync"),
        res("Secret", "old", requires_pruning=True),
    )
    plan = plan_action("sync-crds-first", APP, snap(app(resources=resources)))
    assert plan.changes == (
        "write .operation.sync on Application argocd/web (revision v2), only its 1 CustomResourceDefinition(s)",
        "apply CustomResourceDefinition things.example.com",
        "when that sync has finished: a full sync of the app",
        "1 resource(s) that require pruning are left alone (no prune)",
    )
    assert plan.blocked is None and plan.confirm_word is None and plan.app == "web"
    assert plan.sync.resources[0].namespace == ""  # type: ignore[attr-defined]


def test_crds_first_keeps_the_stronger_reason_when_the_app_is_busy_or_missing() -> None:
    busy = plan_action("sync-crds-first", APP, snap(app(**running())))
    assert busy.blocked is not None and busy.blocked.startswith("an operation is already running on web")
    missing = plan_action("sync-crds-first", ObjectRef("Application", "argocd", "gone"), snap())
    assert missing.blocked == "Application gone is not in the current snapshot"
    none = plan_action("sync-crds-first", APP, snap(app()))
    assert none.blocked == "web manages no CustomResourceDefinition"
    assert none.changes[0].endswith("only its 0 CustomResourceDefinition(s)")


def test_crds_first_warns_about_self_heal() -> None:
    crd = ManagedResource("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "", "x.example.com")
    plan = plan_action("sync-crds-first", APP, snap(app(resources=(crd,), automated=True, self_heal=True)))
    assert plan.warnings == ("auto-sync with self-heal is on: Argo CD may sync again by itself",)


# --- refresh, terminate, disable-auto-prune -------------------------------------------------------------


def test_refresh_previews_the_annotation_it_sets() -> None:
    normal = plan_action("refresh", APP, snap(app()))
    assert normal.changes == (
        "annotate Application argocd/web argocd.argoproj.io/refresh=normal (the controller removes it)",
        "Argo CD compares the live state with Git again",
    )
    hard = plan_action("hard-refresh", APP, snap(app()))
    assert hard.changes == (
        "annotate Application argocd/web argocd.argoproj.io/refresh=hard (the controller removes it)",
        "Argo CD compares the live state with Git again, regenerating manifests instead of using its cache",
    )
    for plan in (normal, hard):
        assert (plan.app, plan.blocked, plan.confirm_word, plan.mutating) == ("web", None, None, True)
    assert hard.title == fixrefs.hard_refresh("web").title and normal.title == fixrefs.refresh("web").title
    gone = plan_action("refresh", ObjectRef("Application", "argocd", "gone"), snap())
    assert gone.blocked == "Application gone is not in the current snapshot"


def test_refresh_of_something_else_is_refused() -> None:
    with pytest.raises(PlanError, match=r"^hard-refresh acts on an Application, not on Deployment/web/d$"):
        plan_action("hard-refresh", ObjectRef("Deployment", "web", "d"), snap())


def test_terminate_preview_and_why_it_cannot_run() -> None:
    plan = plan_action("terminate", APP, snap(app(**running())))
    assert plan.changes == (
        "set status.operationState.phase=Terminating on Application argocd/web",
        "the controller stops the sync; what was already applied stays applied",
    )
    assert (plan.app, plan.blocked, plan.title) == ("web", None, fixrefs.terminate("web").title)
    idle = plan_action("terminate", APP, snap(app()))
    assert idle.blocked == "no operation is running on web (last phase: none)"
    done = plan_action("terminate", APP, snap(app(operation_state=OperationState("Succeeded"))))
    assert done.blocked == "no operation is running on web (last phase: Succeeded)"
    gone = plan_action("terminate", ObjectRef("Application", "argocd", "gone"), snap())
    assert gone.blocked == "Application gone is not in the current snapshot"


def test_disable_auto_prune_preview_and_when_it_applies() -> None:
    on = plan_action("disable-auto-prune", APP, snap(app(automated=True, auto_prune=True)))
    assert on.changes == (
        "set spec.syncPolicy.automated.prune=false on Application argocd/web",
        "automated syncs stop deleting resources that left git; a manual sync with prune still can",
    )
    assert on.warnings == ("an app of apps with self-heal that manages this Application may set it back",)
    assert (on.app, on.blocked) == ("web", None)
    assert plan_action("disable-auto-prune", APP, snap(app(auto_prune=True))).blocked == (
        "automated prune is not on for web"
    )
    assert plan_action("disable-auto-prune", APP, snap(app(automated=True))).blocked == (
        "automated prune is not on for web"
    )
    gone = plan_action("disable-auto-prune", ObjectRef("Application", "argocd", "gone"), snap())
    assert gone.blocked == "Application gone is not in the current snapshot"


def test_disable_auto_prune_command_names_the_apps_namespace() -> None:
    """A node without a namespace gets the snapshot's Argo CD namespace in the kubectl command."""
    s = snap(app(namespace="gitops", automated=True, auto_prune=True), argocd_namespace="gitops")
    plan = plan_action("disable-auto-prune", ObjectRef("Application", None, "web"), s)
    assert plan.command == fixrefs.disable_auto_prune("web", "gitops").command
    assert plan.blocked is None
    named = plan_action("disable-auto-prune", ObjectRef("Application", "gitops", "web"), s)
    assert named.command == fixrefs.disable_auto_prune("web", "gitops").command


# --- ordered-sync ----------------------------------------------------------------------------------------


CHAIN_PROFILE = Profile(
    name="p",
    applications=(
        AppSpec("base"),
        AppSpec("middle", depends_on=("base",)),
        AppSpec("top", depends_on=("middle",)),
    ),
)


def test_ordered_sync_previews_each_step_in_order() -> None:
    s = snap(app(name="base"), app(name="middle"), app(name="top"))
    plan = plan_action("ordered-sync", APP, s, CHAIN_PROFILE)
    assert plan.chain == ("base", "middle", "top")
    assert plan.changes == (
        "1. sync base, then wait until it is Synced and Healthy",
        "2. sync middle, then wait until it is Synced and Healthy",
        "3. sync top, then wait until it is Synced and Healthy",
    )
    assert plan.target == ObjectRef("Application", "argocd", "base")
    assert (plan.warnings, plan.blocked, plan.app) == ((), None, None)
    assert plan.title == fixrefs.ordered_sync(plan.chain).title


def test_ordered_sync_warns_about_missing_and_busy_apps() -> None:
    s = snap(app(name="base", **running()), app(name="other", **running()))
    plan = plan_action("ordered-sync", APP, s, CHAIN_PROFILE)
    assert plan.warnings == (
        "not in the snapshot yet: middle, top (an earlier app of the chain may create them)",
        "an operation is running on base: each step waits for its app to be free",
    )
    both = snap(app(name="base", **running()), app(name="top", **running()))
    assert plan_action("ordered-sync", APP, both, CHAIN_PROFILE).warnings[-1] == (
        "an operation is running on base, top: each step waits for its app to be free"
    )
    terminating = plan_action(
        "ordered-sync", APP, snap(app(name="top", **running("Terminating"))), CHAIN_PROFILE
    )
    assert "an operation is running on top: each step waits for its app to be free" in terminating.warnings


def test_ordered_sync_without_a_profile_or_chain_is_blocked() -> None:
    for profile in (None, Profile(name="empty")):
        plan = plan_action("ordered-sync", APP, snap(app()), profile)
        assert plan.blocked == "the profile defines no dependency chain"
        assert plan.chain == () and plan.changes == ()
        assert plan.target == ObjectRef("Application", "argocd", "")

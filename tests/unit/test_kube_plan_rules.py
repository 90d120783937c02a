"""The plans for Kubernetes objects (fixes/kube_planners.py, through plan_action / plan_fix / actions_for):
which workload a restart acts on and when it is refused or blocked, what deleting a pod says, where a
port-forward goes, when a namespace can be created, and which actions a tree node offers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks import fixrefs
from kftui.fixes.plan import PlanError, actions_for, plan_action, plan_fix
from kftui.model import (
    ClusterSnapshot,
    Finding,
    Namespace,
    ObjectRef,
    Pod,
    Service,
    ServicePort,
    Severity,
    Workload,
)
from kftui.profile import Gateway, Profile

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
SET_POD = Pod(
    "data", "db-0", owner_kind="StatefulSet", owner_name="db", workload_kind="StatefulSet", workload_name="db"
)
JOB_POD = Pod(
    "data", "backup-x", owner_kind="Job", owner_name="backup", workload_kind="Job", workload_name="backup"
)
BARE = Pod("data", "debug")
DB = Workload("StatefulSet", "data", "db")


def snap(*objects: object) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(objects), now=T0)  # type: ignore[arg-type]


# --- restart ---------------------------------------------------------------------------------------------


def test_restart_from_a_pod_previews_the_annotation_on_its_workload() -> None:
    plan = plan_action("restart", SET_POD.ref, snap(SET_POD, DB))
    assert plan.target == ObjectRef("StatefulSet", "data", "db")
    assert plan.changes == (
        "set spec.template.metadata.annotations[kubectl.kubernetes.io/restartedAt] on StatefulSet data/db",
        "its controller replaces the pods, respecting the rollout strategy",
    )
    assert plan.warnings == ("Argo CD may show the workload OutOfSync if it tracks that annotation",)
    assert (plan.blocked, plan.confirm_word, plan.app) == (None, None, None)
    assert plan.title == fixrefs.restart("StatefulSet", "data", "db").title  # type: ignore[union-attr]


@pytest.mark.parametrize("pod", [BARE, JOB_POD], ids=["bare", "job"])
def test_restart_of_a_pod_without_a_restartable_workload_is_refused(pod: Pod) -> None:
    with pytest.raises(
        PlanError, match=rf"^Pod/data/{pod.name} belongs to no Deployment, StatefulSet or DaemonSet$"
    ):
        plan_action("restart", pod.ref, snap(pod))


def test_restart_of_a_pod_missing_from_the_snapshot_is_refused() -> None:
    with pytest.raises(PlanError, match="belongs to no Deployment, StatefulSet or DaemonSet"):
        plan_action("restart", SET_POD.ref, snap())


@pytest.mark.parametrize(
    "target",
    [
        ObjectRef("Job", "data", "backup"),
        ObjectRef("Deployment", None, "d"),
        ObjectRef("Deployment", "", "d"),
    ],
)
def test_restart_acts_only_on_a_namespaced_workload(target: ObjectRef) -> None:
    with pytest.raises(PlanError, match=r"^restart acts on a Deployment, StatefulSet or DaemonSet, not on "):
        plan_action("restart", target, snap())


def test_restart_is_blocked_only_when_the_snapshot_knows_workloads_but_not_this_one() -> None:
    target = DB.ref
    assert plan_action("restart", target, snap()).blocked is None, "no workloads listed: nothing to compare"
    other = Workload("StatefulSet", "data", "cache")
    assert (
        plan_action("restart", target, snap(other)).blocked
        == "StatefulSet/data/db is not in the current snapshot"
    )
    same_name_other_kind = Workload("Deployment", "data", "db")
    assert plan_action("restart", target, snap(same_name_other_kind)).blocked is not None
    other_namespace = Workload("StatefulSet", "web", "db")
    assert plan_action("restart", target, snap(other_namespace)).blocked is not None
    kindless = Workload("", "data", "db")  # a LIST item carries no kind
    assert plan_action("restart", target, snap(kindless)).blocked is None
    assert plan_action("restart", target, snap(other, DB)).blocked is None


# --- delete-pod -------------------------------------------------------------------------------------------


def test_delete_pod_with_a_controller_says_what_replaces_it() -> None:
    plan = plan_action("delete-pod", SET_POD.ref, snap(SET_POD))
    assert plan.changes == ("delete Pod data/db-0", "its StatefulSet db creates a replacement")
    assert (plan.warnings, plan.confirm_word, plan.blocked) == ((), None, None)
    assert plan.title == fixrefs.delete_pod("data", "db-0").title


def test_delete_a_bare_pod_warns_and_asks_for_its_name() -> None:
    plan = plan_action("delete-pod", BARE.ref, snap(BARE))
    assert plan.changes == ("delete Pod data/debug",)
    assert plan.warnings == ("this pod has no controller: nothing will recreate it",)
    assert (plan.confirm_word, plan.blocked) == ("debug", None)
    # The title does not promise a replacement that never comes.
    assert plan.title == "Delete pod debug (nothing recreates it)"


def test_delete_a_pod_the_snapshot_lacks_is_blocked_without_guessing() -> None:
    plan = plan_action("delete-pod", BARE.ref, snap())
    assert plan.blocked == "Pod/data/debug is not in the current snapshot"
    assert (plan.changes, plan.warnings, plan.confirm_word) == (("delete Pod data/debug",), (), None)


@pytest.mark.parametrize("target", [DB.ref, ObjectRef("Pod", None, "x"), ObjectRef("Pod", "", "x")])
def test_delete_pod_acts_only_on_a_namespaced_pod(target: ObjectRef) -> None:
    with pytest.raises(PlanError, match=r"^delete-pod acts on a Pod, not on "):
        plan_action("delete-pod", target, snap())


# --- port-forward -----------------------------------------------------------------------------------------


GATEWAY = Gateway(namespace="ingress", service="gw", port=443, local_port=8443, login_hint="log in as admin")
PROFILE = Profile(name="p", gateway=GATEWAY)


def test_a_service_forwards_its_first_port_to_local_8080() -> None:
    svc = Service("web", "api", ports=(ServicePort("http", 8000, 8000), ServicePort("grpc", 9000, 9000)))
    plan = plan_action("port-forward", svc.ref, snap(svc), PROFILE)
    assert plan.forward == type(plan.forward)("web", "api", 8000, 8080, "")  # type: ignore[attr-defined]
    assert plan.target == ObjectRef("Service", "web", "api")
    assert plan.changes == (
        "listen on 127.0.0.1:8080 (or the next free port)",
        "forward each connection to a ready pod behind svc/api port 8000",
        "probe it over HTTP and show the URL",
    )
    assert (plan.mutating, plan.blocked, plan.warnings) == (False, None, ())
    assert plan.command == fixrefs.port_forward("web", "api", 8080, 8000).command


def test_a_service_without_ports_or_not_in_the_snapshot_forwards_port_80() -> None:
    bare = Service("web", "bare")
    assert plan_action("port-forward", bare.ref, snap(bare)).forward.port == 80  # type: ignore[attr-defined]
    ghost = ObjectRef("Service", "web", "ghost")
    forward = plan_action("port-forward", ghost, snap()).forward  # type: ignore[attr-defined]
    assert (forward.namespace, forward.service, forward.port, forward.local_port) == (
        "web",
        "ghost",
        80,
        8080,
    )


def test_the_gateway_service_uses_the_profiles_ports_and_login_hint() -> None:
    svc = Service("ingress", "gw", ports=(ServicePort("http", 80, 8080),))
    forward = plan_action("port-forward", svc.ref, snap(svc), PROFILE).forward  # type: ignore[attr-defined]
    assert (forward.port, forward.local_port, forward.login_hint) == (443, 8443, "log in as admin")
    same_name_elsewhere = Service("other", "gw", ports=(ServicePort("http", 80, 8080),))
    forward = plan_action("port-forward", same_name_elsewhere.ref, snap(same_name_elsewhere), PROFILE).forward  # type: ignore[attr-defined]
    assert (forward.port, forward.local_port, forward.login_hint) == (80, 8080, "")


def test_anything_else_forwards_to_the_gateway() -> None:
    """A finding about an app or a Service named without a namespace opens the profile's gateway,
    or the default one (istio-ingressgateway) without a profile."""
    forward = plan_action("port-forward", ObjectRef("Service", None, "api"), snap(), PROFILE).forward  # type: ignore[attr-defined]
    assert (forward.namespace, forward.service, forward.port, forward.local_port) == (
        "ingress",
        "gw",
        443,
        8443,
    )
    assert forward.login_hint == "log in as admin"
    default = plan_action("port-forward", ObjectRef("Application", "argocd", "x"), snap()).forward  # type: ignore[attr-defined]
    assert (default.namespace, default.service, default.port, default.local_port) == (
        "istio-system",
        "istio-ingressgateway",
        80,
        8080,
    )
    plan = plan_action("port-forward", ObjectRef("Application", "argocd", "x"), snap(), PROFILE)
    assert plan.target == ObjectRef("Service", "ingress", "gw")
    assert plan.changes[:2] == (
        "listen on 127.0.0.1:8443 (or the next free port)",
        "forward each connection to a ready pod behind svc/gw port 443",
    )


# --- create-namespaces ------------------------------------------------------------------------------------


def test_create_namespace_preview_and_its_target() -> None:
    plan = plan_action("create-namespaces", ObjectRef("Namespace", "ignored", "team-a"), snap())
    assert plan.target == ObjectRef("Namespace", None, "team-a")
    assert plan.changes == ("create Namespace team-a",)
    assert plan.warnings == (
        "nobody manages it: if an Application should own it, prefer syncing that app with CreateNamespace",
    )
    assert plan.blocked is None
    assert plan.title == fixrefs.create_namespaces(["team-a"]).title


def test_a_namespace_being_deleted_must_be_gone_first() -> None:
    target = ObjectRef("Namespace", None, "team-a")
    deleting = Namespace("team-a", deleting_since=T0)
    assert plan_action("create-namespaces", target, snap(deleting)).blocked == (
        "namespace team-a is still terminating: it can be created again once it is gone"
    )
    terminating = Namespace("team-a", phase="Terminating")
    assert "still terminating" in (plan_action("create-namespaces", target, snap(terminating)).blocked or "")
    other = Namespace("team-b")
    assert plan_action("create-namespaces", target, snap(other)).blocked is None


def test_create_namespace_acts_only_on_a_namespace() -> None:
    with pytest.raises(PlanError, match=r"^create-namespaces acts on a Namespace, not on Pod/data/debug$"):
        plan_action("create-namespaces", BARE.ref, snap())


# --- what a finding's fix and a tree node act on ----------------------------------------------------------


def finding(subject: ObjectRef, app: str | None = None) -> Finding:
    return Finding(
        check="some-check",
        severity=Severity.WARNING,
        app=app,
        subject=subject,
        title="t",
        evidence="e",
        explanation="",
        fixes=(),
    )


def test_a_findings_app_fix_acts_on_its_application() -> None:
    """On the finding's app when it names one, else on the Application it is about; in the snapshot's
    Argo CD namespace either way."""
    s = ClusterSnapshot.from_objects([SET_POD], now=T0, argocd_namespace="gitops")
    about_pod = plan_fix(finding(SET_POD.ref, app="db-app"), "refresh", s)
    assert about_pod.target == ObjectRef("Application", "gitops", "db-app")
    about_app = plan_fix(finding(ObjectRef("Application", "argocd", "web")), "sync", s)
    assert about_app.target == ObjectRef("Application", "gitops", "web")
    with pytest.raises(PlanError, match=r"^finding some-check names no Application for sync-prune$"):
        plan_fix(finding(SET_POD.ref), "sync-prune", s)


def test_a_findings_other_fixes_act_on_its_subject() -> None:
    s = snap(SET_POD, DB)
    plan = plan_fix(finding(SET_POD.ref, app="db-app"), "delete-pod", s)
    assert plan.target == SET_POD.ref
    with pytest.raises(PlanError, match="no plan for fix 'logs'"):
        plan_fix(finding(SET_POD.ref, app="db-app"), "logs", s)


def test_actions_a_tree_node_offers() -> None:
    s = snap(SET_POD, JOB_POD, DB)
    assert actions_for(SET_POD.ref, s) == ("delete-pod", "restart")
    assert actions_for(JOB_POD.ref, s) == ("delete-pod",)
    assert actions_for(ObjectRef("Pod", "data", "not-listed"), s) == ("delete-pod",)
    assert actions_for(ObjectRef("Service", "data", "db"), s) == ("port-forward",)
    for kind in ("StatefulSet", "DaemonSet", "Deployment"):
        assert actions_for(ObjectRef(kind, "data", "x"), s) == ("restart",)
    assert actions_for(ObjectRef("ConfigMap", "data", "x"), s) == ()
    cluster_pod = Pod("", "static", workload_kind="DaemonSet", workload_name="ds")
    assert actions_for(ObjectRef("Pod", None, "static"), snap(cluster_pod)) == ("delete-pod", "restart")

"""The helpers every message-matching check shares: which Application fields are scanned and in what order,
how each message is quoted as evidence, how long lists are cut, and which app or kind an object belongs to."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from kftui.checks.evidence import (
    Message,
    all_messages,
    app_messages,
    applications,
    find_app,
    listing,
    managing_app,
    not_listed,
    res_name,
    squash,
)
from kftui.model import (
    Application,
    ClusterSnapshot,
    Condition,
    ManagedResource,
    ObjectRef,
    OperationState,
    ResourceResult,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def snap(*apps: Application, **meta: object) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(apps), now=NOW, **meta)


def test_messages_come_from_conditions_then_each_resource_result_then_the_operation() -> None:
    """Empty messages are skipped; a resource result names its resource in the evidence line."""
    first = ResourceResult("apps", "v1", "Deployment", "kubeflow", "web", message="apply failed")
    cluster_scoped = ResourceResult("", "v1", "Namespace", "", "team", message="forbidden")
    app = Application(
        "pipelines",
        "argocd",
        conditions=(Condition("ComparisonError", "bad path"), Condition("SyncError", "")),
        operation_state=OperationState(
            "Failed",
            message="one or more objects failed",
            results=(first, ResourceResult("", "v1", "ConfigMap", "ns", "quiet"), cluster_scoped),
        ),
    )
    messages = list(app_messages(app))
    assert [m.quoted for m in messages] == [
        "status.conditions[ComparisonError]: bad path",
        "status.operationState.syncResult.resources[] (Deployment/kubeflow/web): apply failed",
        "status.operationState.syncResult.resources[] (Namespace/team): forbidden",
        "status.operationState.message: one or more objects failed",
    ]
    assert [m.result for m in messages] == [None, first, cluster_scoped, None]
    assert [m.resource for m in messages] == [None, first.ref, cluster_scoped.ref, None]
    assert all(m.app is app for m in messages)


def test_an_app_without_an_operation_or_operation_message_yields_only_its_conditions() -> None:
    app = Application("a", "argocd", conditions=(Condition("ComparisonError", "x"),))
    assert [m.text for m in app_messages(app)] == ["x"]
    silent = Application("a", "argocd", operation_state=OperationState("Succeeded"))
    assert list(app_messages(silent)) == []


def test_a_message_without_a_resource_is_quoted_with_its_field_alone() -> None:
    message = Message(Application("a", "argocd"), "status.operationState.message", "boom")
    assert message.quoted == "status.operationState.message: boom"


def test_applications_and_their_messages_come_in_name_then_namespace_order() -> None:
    apps = [
        Application("b", "argocd", conditions=(Condition("E", "b1"),)),
        Application("a", "team", conditions=(Condition("E", "a-team"),)),
        Application("a", "argocd", conditions=(Condition("E", "a-argocd"),)),
    ]
    snapshot = snap(*apps)
    assert [(a.name, a.namespace) for a in applications(snapshot)] == [
        ("a", "argocd"),
        ("a", "team"),
        ("b", "argocd"),
    ]
    assert [m.text for m in all_messages(snapshot)] == ["a-argocd", "a-team", "b1"]


def test_a_listing_shows_eight_names_and_counts_the_rest() -> None:
    names = [f"n{i}" for i in range(10)]
    assert listing(names[:8]) == "n0, n1, n2, n3, n4, n5, n6, n7"
    assert listing(names[:9]) == "n0, n1, n2, n3, n4, n5, n6, n7 and 1 more"
    assert listing(names) == "n0, n1, n2, n3, n4, n5, n6, n7 and 2 more"
    assert listing([]) == ""


def test_a_resource_name_has_its_namespace_only_when_namespaced() -> None:
    assert res_name("Service", "kubeflow", "web") == "Service/kubeflow/web"
    assert res_name("ClusterRole", None, "admin") == "ClusterRole/admin"
    assert res_name("ClusterRole", "", "admin") == "ClusterRole/admin"


def test_argo_cds_own_namespace_wins_when_an_app_name_repeats() -> None:
    team = Application("pipelines", "team")
    own = Application("pipelines", "gitops")
    snapshot = snap(team, own, Application("other", "team"), argocd_namespace="gitops")
    assert find_app(snapshot, "pipelines") is own
    assert find_app(snap(team), "pipelines") is team
    assert find_app(snapshot, "missing") is None


def test_squash_collapses_every_run_of_whitespace() -> None:
    assert squash("  app path\n  does\tnot   exist \n") == "app path does not exist"
    assert squash("a\u00a0\u2028b\u3000") == "a b"  # Unicode spaces and separators too
    assert squash("already one line") == "already one line"


# Every whitespace character Python knows, beside letters, so runs, ends and lone ones all occur.
_WHITESPACE = "".join(c for c in map(chr, range(0x3001)) if c.isspace())


@given(st.text(alphabet=st.sampled_from("ab: " + _WHITESPACE + "\u200b\x00")))
def test_squash_is_the_regex_whatever_the_text(text: str) -> None:
    """The fast path for one-line messages must agree with collapsing every run of whitespace."""
    assert squash(text) == re.sub(r"\s+", " ", text).strip()


def test_a_kind_is_not_listed_when_refused_by_kind_or_by_collection() -> None:
    assert not_listed(snap(forbidden={"Pod": "forbidden"}), "Pod")
    assert not_listed(snap(forbidden={"pods": "forbidden"}), "Pod")
    assert not_listed(snap(forbidden={"Service": "forbidden"}), "Pod", "Service")
    assert not not_listed(snap(forbidden={"Service": "forbidden"}), "Pod")
    assert not not_listed(snap(), "Pod")


def test_the_managing_app_is_the_first_by_name_listing_the_object() -> None:
    web = ManagedResource("apps", "v1", "Deployment", "kubeflow", "web")
    role = ManagedResource("rbac.authorization.k8s.io", "v1", "ClusterRole", "", "admin")
    apps = [
        Application("zeta", "argocd", resources=(web, role)),
        Application("alpha", "argocd", resources=(web,)),
        Application(
            "mid", "argocd", resources=(ManagedResource("apps", "v1", "Deployment", "other", "web"),)
        ),
    ]
    snapshot = snap(*apps)
    assert managing_app(snapshot, "Deployment", "kubeflow", "web") is apps[1]
    assert managing_app(snapshot, "ClusterRole", None, "admin") is apps[0]
    assert managing_app(snapshot, "Deployment", "other", "web") is apps[2]
    assert managing_app(snapshot, "StatefulSet", "kubeflow", "web") is None
    assert managing_app(snapshot, "Deployment", "kubeflow", "api") is None
    assert managing_app(snapshot, "Deployment", "team", "web") is None


def test_a_message_refers_to_the_resource_it_is_about() -> None:
    result = ResourceResult("", "v1", "Service", "kubeflow", "web", message="x")
    (message,) = app_messages(
        Application("a", "argocd", operation_state=OperationState("Failed", results=(result,)))
    )
    assert message.resource == ObjectRef("Service", "kubeflow", "web")

"""The provenance pass (checks/provenance.py) on hand-built findings: which ones gain an evidence line, and which
stay exactly as their check wrote them, once more than one cluster is known."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks.provenance import mark
from kftui.model import (
    ARGOCD_API,
    Application,
    ArgoCluster,
    ClusterSnapshot,
    Finding,
    Namespace,
    ObjectRef,
    Origin,
    Severity,
)
from kftui.model.clusters import IN_CLUSTER_SERVER

NOW = datetime(2026, 12, 1, tzinfo=UTC)
SPOKE = "https://127.0.0.1:16443"
REGISTERED = (ArgoCluster("in-cluster", IN_CLUSTER_SERVER), ArgoCluster("spoke", SPOKE))


def finding(subject: ObjectRef, evidence: str = "phase=Degraded") -> Finding:
    return Finding(
        check="x", severity=Severity.ERROR, app=None, subject=subject, title="t", evidence=evidence,
        explanation="e",
    )  # fmt: skip


def app(name: str, namespace: str = "argocd", *, server: str = "", dest_name: str = "") -> Application:
    return Application(name=name, namespace=namespace, dest_server=server, dest_name=dest_name)


def snapshot(*objects: Application | Namespace) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(objects), now=NOW, clusters=REGISTERED)


def evidence_after(snap: ClusterSnapshot, subject: ObjectRef) -> str:
    [marked] = mark([finding(subject)], snap)
    return marked.evidence


@pytest.mark.parametrize(
    ("subject", "why"),
    [
        (ObjectRef("Pod", "kubeflow", "api-1"), "a hub pod (no origin)"),
        (ObjectRef("Application", "argocd", "hub-app"), "an app deploying to Argo CD's own cluster"),
        (ObjectRef("Application", "argocd", "gone"), "an app the snapshot does not hold"),
    ],
)
def test_a_finding_about_the_hub_keeps_its_evidence_as_written(subject: ObjectRef, why: str) -> None:
    snap = snapshot(app("hub-app", server=IN_CLUSTER_SERVER), app("remote", server=SPOKE))
    assert evidence_after(snap, subject) == "phase=Degraded", why


def test_an_app_deploying_to_an_unregistered_name_says_its_server_is_unknown() -> None:
    snap = snapshot(app("lost", dest_name="elsewhere"))
    assert evidence_after(snap, ObjectRef("Application", "argocd", "lost")) == (
        "phase=Degraded\ndeploys to cluster elsewhere (server unknown)"
    )


def test_an_app_read_without_a_namespace_is_still_found_and_says_where_it_deploys() -> None:
    """An Application from a manifest without metadata.namespace is held under "" and its ref says ""."""
    remote = app("remote", namespace="", server=SPOKE)
    assert (
        evidence_after(snapshot(remote), remote.ref) == f"phase=Degraded\ndeploys to cluster spoke ({SPOKE})"
    )


def test_an_app_is_marked_by_where_it_deploys_never_by_the_origin_of_its_namespace() -> None:
    """Argo CD's namespace read from a spoke (the hub's own list lacking it) does not make the hub's
    Application a spoke object: its line says where it deploys, not "via Argo CD API"."""
    spoke_argocd = Namespace("argocd", origin=Origin("spoke", ARGOCD_API))
    snap = snapshot(spoke_argocd, app("remote", server=SPOKE))
    assert snap.origin_of(ObjectRef("Application", "argocd", "remote")) is not None  # the trap is set
    assert evidence_after(snap, ObjectRef("Application", "argocd", "remote")) == (
        f"phase=Degraded\ndeploys to cluster spoke ({SPOKE})"
    )
    assert evidence_after(snap, ObjectRef("ConfigMap", "argocd", "cm")) == (
        "phase=Degraded\nvia Argo CD API (cluster spoke)"
    )

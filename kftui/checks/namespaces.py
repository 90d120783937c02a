"""namespace-missing: a namespace a resource needs is missing, unset, or stuck Terminating.

Recognised from the messages Argo CD records (sync results, operationState, conditions) in the wordings of
several Kubernetes and Argo CD versions, and confirmed from the live Namespaces and the profile's expected ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

from kftui.checks import fixrefs
from kftui.checks.evidence import all_messages, applications, apps_by_name, not_listed, squash
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity, on_cluster
from kftui.profile import Profile

_NS_FOR = re.compile(r"Namespace for (?P<name>\S+) (?P<gvk>.+?) is missing")
_NS_NOT_FOUND = re.compile(r'namespaces? "(?P<ns>[^"]+)" not found')
_KIND_IN_GVK = re.compile(r"Kind=(?P<kind>\w+)")


def namespace_missing(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A namespace that a resource needs is missing: Argo CD's InvalidSpecError `Namespace for <name> <gvk>
    is missing.` (a namespaced manifest without namespace and no destination namespace), the API server's
    `namespaces "x" not found`, or a namespace the profile expects that is absent or stuck Terminating."""
    yield from _unset_namespace(snapshot)
    yield from _not_found(snapshot)
    yield from _expected(snapshot, profile)


def _unset_namespace(snapshot: ClusterSnapshot) -> Iterator[Finding]:
    for app in applications(snapshot):
        hits = []
        for cond in app.conditions:
            m = _NS_FOR.search(squash(cond.message))
            if m:
                in_gvk = _KIND_IN_GVK.search(m.group("gvk"))
                hits.append(
                    (in_gvk.group("kind") if in_gvk else m.group("gvk"), m.group("name"), cond.message)
                )
        if not hits:
            continue
        kind, name, message = hits[0]
        yield Finding(
            check="namespace-missing",
            severity=Severity.ERROR,
            app=app.name,
            subject=ObjectRef(kind, None, name),
            title=f"{app.name}: {len(hits)} namespaced resources have no namespace",
            evidence=f"status.conditions[InvalidSpecError]: {message}"
            + (f" (and {len(hits) - 1} more like it)" if len(hits) > 1 else ""),
            explanation=(
                f"{kind} {name} is namespaced but neither its manifest nor the Application's destination names a "
                "namespace, so Argo CD does not know where to put it. Set spec.destination.namespace on the "
                "Application (fix: fix-source), or add `namespace:` to the kustomization (fix: edit-manifests), "
                "then hard refresh (fix: hard-refresh)."
            ),
            fixes=(
                fixrefs.fix_source(app.name, app.namespace),
                fixrefs.edit_manifests(app.name, app.path),
                fixrefs.hard_refresh(app.name),
            ),
        )


def _not_found(snapshot: ClusterSnapshot) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for msg in all_messages(snapshot):
        m = _NS_NOT_FOUND.search(squash(msg.text))
        if m is None:
            continue
        ns = m.group("ns")
        if (msg.app.name, ns) in seen:
            continue
        seen.add((msg.app.name, ns))
        app = msg.app
        cluster = snapshot.cluster_of(app)
        exists = on_cluster(("", ns), cluster) in snapshot.namespaces
        create_ns = any(o.replace(" ", "") == "CreateNamespace=true" for o in app.sync_options)
        yield Finding(
            check="namespace-missing",
            severity=Severity.ERROR,
            app=app.name,
            subject=ObjectRef("Namespace", None, ns, cluster),
            title=f"{app.name}: namespace {ns} does not exist" + (" (it does now)" if exists else ""),
            evidence=msg.quoted,
            explanation=(
                f"The sync tried to create objects in namespace {ns}, which did not exist. "
                + (
                    "CreateNamespace=true only creates the destination namespace, not the others a manifest names. "
                    if create_ns
                    else "The Application does not set CreateNamespace=true. "
                )
                + "Create it (fix: create-namespaces) or sync with CreateNamespace=true (fix: sync-create-namespace); "
                "if another app owns that namespace, sync that one first."
            ),
            fixes=(fixrefs.create_namespaces([ns]), fixrefs.sync_create_namespace(app.name)),
        )


def _expected(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    if not profile.expected_namespaces or not_listed(snapshot, "Namespace") or not snapshot.namespaces:
        return
    by_name = apps_by_name(snapshot)
    present_apps = [by_name.get(a.name) for a in profile.applications]
    installed = [a for a in present_apps if a is not None]
    if not installed:
        return
    grace = timedelta(seconds=profile.progressing_grace_seconds)
    for name in profile.expected_namespaces:
        owner = next((a for a in installed if name in a.target_namespaces), installed[0])
        # On the cluster of the app that deploys there: a spoke's namespace does not stand in for the hub's.
        cluster = snapshot.cluster_of(owner)
        ns = snapshot.namespaces.get(on_cluster(("", name), cluster))
        if ns is None:
            yield Finding(
                check="namespace-missing",
                severity=Severity.WARNING,
                app=owner.name,
                subject=ObjectRef("Namespace", None, name, cluster),
                title=f"Namespace {name} does not exist",
                evidence=f"profile {profile.name} expects namespace {name}; it is not in the cluster"
                + (f" {cluster}" if cluster else ""),
                explanation=(
                    f"The {profile.name} install puts components in {name}; without it their sync fails with "
                    f'`namespaces "{name}" not found`. Sync the app that creates it ({owner.name}) with '
                    "CreateNamespace=true (fix: sync-create-namespace), or create it (fix: create-namespaces)."
                ),
                fixes=(fixrefs.sync_create_namespace(owner.name), fixrefs.create_namespaces([name])),
            )
        elif ns.phase == "Terminating" or ns.deleting_since is not None:
            since = ns.deleting_since
            if since is not None and snapshot.now - since < grace:
                continue
            yield Finding(
                check="namespace-missing",
                severity=Severity.ERROR,
                app=owner.name,
                subject=ns.ref,
                title=f"Namespace {name} is stuck Terminating",
                evidence=f"Namespace {name}: status.phase={ns.phase}"
                + (f", deletionTimestamp={since.isoformat()}" if since else ""),
                explanation=(
                    f"{name} was deleted but cannot finish: usually custom resources inside it keep finalizers "
                    "whose controller is gone, or an APIService is unavailable. Nothing can be created in it until "
                    "it is gone. `kubectl describe` shows the blocking condition (fix: describe); once it is "
                    "gone, recreate it (fix: create-namespaces) or sync with CreateNamespace=true "
                    "(fix: sync-create-namespace)."
                ),
                fixes=fixrefs.offered(
                    fixrefs.describe("Namespace", None, name),
                    fixrefs.create_namespaces([name]),
                    fixrefs.sync_create_namespace(owner.name),
                ),
            )

"""Who owns a resource, and what Argo CD may delete: shared-resource and prune-danger."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping

from kftui.checks import fixrefs
from kftui.checks.evidence import applications, listing, res_name, squash
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.profile import Profile

# Argo CD 2.x/3.x: "Secret/foo is part of applications argocd/app-a and app-b";
# Argo CD 1.x: "ConfigMap/foo is part of a different application: app-b".
_SHARED_NEW = re.compile(
    r"(?P<kind>[\w.-]+)/(?P<name>[^\s/]+) is part of applications (?P<a>\S+) and (?P<b>\S+)"
)
_SHARED_OLD = re.compile(
    r"(?P<kind>[\w.-]+)/(?P<name>[^\s/]+) is part of a different application:? (?P<b>\S+)"
)

# Deleting these loses data or everything inside them.
STATEFUL_KINDS = {
    "PersistentVolumeClaim": "its volume and the data on it (with the usual Delete reclaim policy)",
    "PersistentVolume": "the volume and its data",
    "StatefulSet": "its pods; with persistentVolumeClaimRetentionPolicy Delete also their volumes",
    "Namespace": "every object inside the namespace",
    "CustomResourceDefinition": "every custom resource of that kind, cluster-wide",
    "Secret": "credentials other components may still need",
}


def _app_name(token: str) -> str:
    """`argocd/app` or `app`, as the warning names applications, to the bare name."""
    return token.rstrip(".,;").rsplit("/", 1)[-1]


def shared_resource(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """One resource managed by two Applications: a SharedResourceWarning condition
    (`<Kind>/<name> is part of applications <a> and <b>`), the same object in two apps' status.resources, or a
    live workload whose tracking-id annotation / instance label names another Application than the one managing it.

    Documented in Argo CD's "Resource tracking" page: each app then keeps overwriting (or pruning) the
    other's version, and both flap OutOfSync.
    """
    owners: dict[tuple[str, str | None, str], dict[str, str]] = defaultdict(dict)
    for app in applications(snapshot):
        for res in app.resources:
            if res.hook:
                continue
            key = (res.kind, res.namespace or None, res.name)
            owners[key].setdefault(app.name, f"{app.name} lists it in status.resources")
        for cond in app.conditions:
            if cond.type != "SharedResourceWarning":
                continue
            text = squash(cond.message)
            m = _SHARED_NEW.search(text) or _SHARED_OLD.search(text)
            if m is None:
                continue
            kind, name = m.group("kind"), m.group("name")
            listed = [r for r in app.resources if r.kind == kind and r.name == name]
            ns = listed[0].namespace or None if listed else None
            key = (kind, ns, name)
            quoted = f"{app.name} status.conditions[SharedResourceWarning]: {cond.message}"
            owners[key][app.name] = quoted
            others = [m.group("b")] + ([m.group("a")] if "a" in m.groupdict() and m.group("a") else [])
            for other in others:
                owners[key].setdefault(_app_name(other), quoted)
    _live_tracking(snapshot, owners)
    for (kind, ns, name), by_app in sorted(
        owners.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])
    ):
        if len(by_app) < 2:
            continue
        apps = sorted(by_app)
        first = apps[0]
        evidence = "\n".join(dict.fromkeys(by_app[a] for a in apps))
        app_obj = next((a for a in snapshot.applications.values() if a.name == first), None)
        yield Finding(
            check="shared-resource",
            severity=Severity.WARNING,
            app=first,
            subject=ObjectRef(kind, ns, name),
            title=f"{res_name(kind, ns, name)} is managed by {len(apps)} Applications: {', '.join(apps)}",
            evidence=evidence,
            explanation=(
                f"{', '.join(apps)} both render {kind} {name}. Argo CD's tracking label/annotation can name only "
                "one owner, so each sync of one app overwrites the other's copy, the other shows OutOfSync, and "
                "with auto-prune it may delete it. Give the resource one owner: remove it from all but one "
                "app's manifests (fix: edit-manifests), then hard refresh (fix: hard-refresh). Force sync does "
                "not help; it only makes the apps fight harder."
            ),
            fixes=(
                fixrefs.edit_manifests(first, app_obj.path if app_obj else ""),
                fixrefs.hard_refresh(first),
            ),
        )


INSTANCE_LABEL = "app.kubernetes.io/instance"


def _tracked_app(tracking_id: str, labels: Mapping[str, str]) -> tuple[str, str]:
    """(app name, where it was read) from Argo CD's tracking annotation, else its instance label."""
    if tracking_id and ":" in tracking_id:
        return _app_name(tracking_id.split(":", 1)[0].replace("_", "/")), "tracking-id annotation"
    return labels.get(INSTANCE_LABEL, ""), f"{INSTANCE_LABEL} label"


def _live_tracking(
    snapshot: ClusterSnapshot, owners: dict[tuple[str, str | None, str], dict[str, str]]
) -> None:
    """Add the app a live workload's tracking says owns it, when that is another existing Application."""
    app_names = {a.name for a in snapshot.applications.values()}
    for w in snapshot.workloads.values():
        key = (w.kind, w.namespace or None, w.name)
        listed_by = owners.get(key)
        if not listed_by:
            continue
        tracked, where = _tracked_app(w.tracking_id, w.labels)
        if tracked and tracked in app_names and tracked not in listed_by:
            owners[key][tracked] = (
                f"live {w.kind} {w.namespace}/{w.name}: {where} says {tracked}, "
                f"but {', '.join(sorted(listed_by))} manages it"
            )


def prune_danger(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """Resources marked requiresPruning in an Application with automated sync and prune on.

    Argo CD deletes them on the next automated sync (documented under "Automated Sync Policy: prune").
    Stateful objects (PVCs, StatefulSets, namespaces, CRDs) are called out one by one as errors:
    a path or kustomization mistake in git would delete data.
    """
    for app in applications(snapshot):
        if not (app.automated and app.auto_prune):
            continue
        doomed = [r for r in app.resources if r.requires_pruning]
        if not doomed:
            continue
        fixes = (fixrefs.disable_auto_prune(app.name, app.namespace), fixrefs.hard_refresh(app.name))
        for res in doomed:
            if res.kind not in STATEFUL_KINDS:
                continue
            yield Finding(
                check="prune-danger",
                severity=Severity.ERROR,
                app=app.name,
                subject=res.ref,
                title=f"Auto-prune in {app.name} will delete {res_name(res.kind, res.namespace, res.name)}",
                evidence=(
                    f"status.resources[] {res_name(res.kind, res.namespace, res.name)}: requiresPruning=true; "
                    "spec.syncPolicy.automated.prune=true"
                ),
                explanation=(
                    f"This {res.kind} is no longer in the app's manifests, and automated prune is on, so the "
                    f"next automated sync deletes it, and with it {STATEFUL_KINDS[res.kind]}. If the manifests "
                    "changed by mistake (a wrong path or revision, a removed include), turn off auto-prune "
                    "first (fix: disable-auto-prune), then fix git and hard refresh (fix: hard-refresh). To "
                    "keep it for good, annotate it `argocd.argoproj.io/sync-options: Prune=false`."
                ),
                fixes=fixes,
            )
        others = [r for r in doomed if r.kind not in STATEFUL_KINDS]
        if others:
            names = [res_name(r.kind, r.namespace, r.name) for r in others]
            yield Finding(
                check="prune-danger",
                severity=Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"Auto-prune in {app.name} will delete {len(others)} resources no longer in git",
                evidence=f"requiresPruning=true: {listing(names)}; spec.syncPolicy.automated.prune=true",
                explanation=(
                    "These resources are no longer in the app's manifests and automated prune will delete them "
                    "on the next sync. That is intended when you removed them; if not (a wrong path or "
                    "revision), turn off auto-prune (fix: disable-auto-prune) before fixing git."
                ),
                fixes=fixes,
            )

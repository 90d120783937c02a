"""Who owns a resource, and what Argo CD may delete: shared-resource and prune-danger."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping

from kftui.checks import fixrefs
from kftui.checks.evidence import applications, apps_by_name, listing, res_name, squash
from kftui.kinds import DELETING_LOSES
from kftui.model import Application, ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.model.applications import ManagedId
from kftui.profile import Profile

# Argo CD 2.x/3.x: "Secret/foo is part of applications argocd/app-a and app-b";
# Argo CD 1.x: "ConfigMap/foo is part of a different application: app-b".
_SHARED_NEW = re.compile(
    r"(?P<kind>[\w.-]+)/(?P<name>[^\s/]+) is part of applications (?P<a>\S+) and (?P<b>\S+)"
)
_SHARED_OLD = re.compile(
    r"(?P<kind>[\w.-]+)/(?P<name>[^\s/]+) is part of a different application:? (?P<b>\S+)"
)

Key = tuple[str, str | None, str, str]
"""(kind, namespace, name, cluster): two apps that deploy the same object to two clusters share nothing."""


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
    placed = [(app, snapshot.cluster_of(app)) for app in applications(snapshot)]
    warnings = list(_shared_warnings(placed))
    # Most resources have one owner, so the per-resource work happens only for those that may have two: listed
    # by two apps, named by a warning, or a live workload whose tracking may name another app.
    listed, wanted = _listed_twice(placed)
    for _, key, _, _ in warnings:
        wanted[key[3]].add(key[:3])
    for w in snapshot.workloads.values():
        ident = (w.kind, w.namespace or None, w.name)
        if ident in listed.get(w.cluster, ()):
            wanted[w.cluster].add(ident)
    first_owner: dict[Key, str] = {}
    owners: dict[Key, dict[str, str]] = {}

    def claims(key: Key) -> dict[str, str]:
        found = owners.get(key)
        if found is None:
            first = first_owner.get(key)
            found = owners[key] = {first: _listed(first)} if first is not None else {}
        return found

    for app, cluster in placed:
        ids = wanted.get(cluster)
        if not ids:
            continue
        name = app.name
        for kind, ns, res_name_ in app.managed_ids & ids:
            key = (kind, ns, res_name_, cluster)
            if first_owner.setdefault(key, name) != name:
                claims(key).setdefault(name, _listed(name))
    for app, key, m, quoted in warnings:
        claims(key)[app.name] = quoted
        others = [m.group("b")] + ([m.group("a")] if "a" in m.groupdict() and m.group("a") else [])
        for other in others:
            claims(key).setdefault(_app_name(other), quoted)
    _live_tracking(snapshot, first_owner, claims, lambda key: bool(owners.get(key)))
    shared = [(key, by_app) for key, by_app in owners.items() if len(by_app) >= 2]
    by_name = apps_by_name(snapshot)
    for (kind, ns, name, cluster), by_app in sorted(
        shared, key=lambda kv: (kv[0][0], kv[0][1] or "", *kv[0][2:])
    ):
        apps = sorted(by_app)
        first = apps[0]
        evidence = "\n".join(dict.fromkeys(by_app[a] for a in apps))
        app_obj = by_name.get(first)
        yield Finding(
            check="shared-resource",
            severity=Severity.WARNING,
            app=first,
            subject=ObjectRef(kind, ns, name, cluster),
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


def _listed_twice(
    placed: list[tuple[Application, str]],
) -> tuple[defaultdict[str, set[ManagedId]], defaultdict[str, set[ManagedId]]]:
    """Per cluster, every resource some app lists, and those that more than one app lists. Set operations
    only: no Python loop over the resources, which at 1,500 apps and 75,000 resources was most of the check."""
    by_cluster: defaultdict[str, list[frozenset[ManagedId]]] = defaultdict(list)
    for app, cluster in placed:
        by_cluster[cluster].append(app.managed_ids)
    listed: defaultdict[str, set[ManagedId]] = defaultdict(set)
    twice: defaultdict[str, set[ManagedId]] = defaultdict(set)
    for cluster, id_sets in by_cluster.items():
        every = listed[cluster] = set().union(*id_sets)
        if len(every) == sum(map(len, id_sets)):
            continue  # (the usual case: no resource listed twice, and one union told)
        seen: set[ManagedId] = set()
        for ids in id_sets:
            if not seen.isdisjoint(ids):
                twice[cluster] |= seen & ids
            seen |= ids
    return listed, twice


def _shared_warnings(
    placed: list[tuple[Application, str]],
) -> Iterator[tuple[Application, Key, re.Match[str], str]]:
    """Each app's SharedResourceWarning condition: the app, the resource it names, the match (naming the other
    app) and the condition quoted."""
    for app, cluster in placed:
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
            quoted = f"{app.name} status.conditions[SharedResourceWarning]: {cond.message}"
            yield app, (kind, ns, name, cluster), m, quoted


INSTANCE_LABEL = "app.kubernetes.io/instance"


def _tracked_app(tracking_id: str, labels: Mapping[str, str]) -> tuple[str, str]:
    """(app name, where it was read) from Argo CD's tracking annotation, else its instance label."""
    if tracking_id and ":" in tracking_id:
        return _app_name(tracking_id.split(":", 1)[0].replace("_", "/")), "tracking-id annotation"
    return labels.get(INSTANCE_LABEL, ""), f"{INSTANCE_LABEL} label"


def _listed(app: str) -> str:
    return f"{app} lists it in status.resources"


def _live_tracking(
    snapshot: ClusterSnapshot,
    first_owner: Mapping[Key, str],
    claims: Callable[[Key], dict[str, str]],
    claims_made: Callable[[Key], bool],
) -> None:
    """Add the app a live workload's tracking says owns it, when that is another existing Application."""
    app_names = {a.name for a in snapshot.applications.values()}
    for w in snapshot.workloads.values():
        key = (w.kind, w.namespace or None, w.name, w.cluster)
        if key not in first_owner and not claims_made(key):
            continue
        listed_by = claims(key)
        tracked, where = _tracked_app(w.tracking_id, w.labels)
        if tracked and tracked in app_names and tracked not in listed_by:
            listed_by[tracked] = (
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
            if res.kind not in DELETING_LOSES:
                continue
            yield Finding(
                check="prune-danger",
                severity=Severity.ERROR,
                app=app.name,
                subject=snapshot.placed(res.ref, app),
                title=f"Auto-prune in {app.name} will delete {res_name(res.kind, res.namespace, res.name)}",
                evidence=(
                    f"status.resources[] {res_name(res.kind, res.namespace, res.name)}: requiresPruning=true\n"
                    "spec.syncPolicy.automated.prune=true"
                ),
                explanation=(
                    f"This {res.kind} is no longer in the app's manifests, and automated prune is on, so the "
                    f"next automated sync deletes it, and with it {DELETING_LOSES[res.kind]}. If the manifests "
                    "changed by mistake (a wrong path or revision, a removed include), turn off auto-prune "
                    "first (fix: disable-auto-prune), then fix git and hard refresh (fix: hard-refresh). To "
                    "keep it for good, annotate it `argocd.argoproj.io/sync-options: Prune=false`."
                ),
                fixes=fixes,
            )
        others = [r for r in doomed if r.kind not in DELETING_LOSES]
        if others:
            names = [res_name(r.kind, r.namespace, r.name) for r in others]
            yield Finding(
                check="prune-danger",
                severity=Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"Auto-prune in {app.name} will delete {len(others)} resources no longer in git",
                evidence=f"requiresPruning=true: {listing(names)}\nspec.syncPolicy.automated.prune=true",
                explanation=(
                    "These resources are no longer in the app's manifests and automated prune will delete them "
                    "on the next sync. That is intended when you removed them; if not (a wrong path or "
                    "revision), turn off auto-prune (fix: disable-auto-prune) before fixing git."
                ),
                fixes=fixes,
            )

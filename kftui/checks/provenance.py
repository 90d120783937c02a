"""Where a finding's evidence came from, when not from the hub: one evidence line naming the cluster and path.

A pod or workload of an Application deployed to another cluster is read through Argo CD's API or through a
kube context of that cluster (model/clusters.py, Origin). The checks read such objects like the hub's; this
pass, run after them, adds "via Argo CD API (cluster spoke)" to each finding about one, so nobody goes looking
for the pod on the hub, and makes its commands act on that cluster, not on the hub's (`placed_fixes`). A finding
about an Application deployed elsewhere says where it deploys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kftui.model import DIRECT, ClusterSnapshot, Finding, FixRef, Origin


def _destination_line(snapshot: ClusterSnapshot, finding: Finding) -> str:
    if finding.subject.kind != "Application":
        return ""
    app = snapshot.applications.get((finding.subject.namespace or "", finding.subject.name))
    if app is None:
        return ""
    dest = snapshot.destination(app)
    return "" if dest.in_cluster else f"deploys to cluster {dest.label} ({dest.server or 'server unknown'})"


def _in_context(ref: FixRef, context: str) -> FixRef:
    """`ref` with `--context` on each kubectl step: for an object of a cluster kftui reads through a kube context
    of its own, whose commands would otherwise act on the current context's cluster."""
    argvs = tuple((*argv, "--context", context) if argv[:1] == ("kubectl",) else argv for argv in ref.argvs)
    return FixRef(ref.id, ref.title, argvs)


def _runs_kubectl(ref: FixRef) -> bool:
    return any(argv[:1] == ("kubectl",) for argv in ref.argvs)


def placed_fixes(fixes: tuple[FixRef, ...], origin: Origin) -> tuple[FixRef, ...]:
    """A remote object's fixes, each acting on its cluster: kubectl steps get that cluster's `--context`, and
    where kftui reads the cluster through Argo CD only, a kubectl command (it would act on the hub's cluster,
    where a namespace and name can mean another object) is not offered; Argo CD's own commands stay."""
    if origin.path == DIRECT and origin.context:
        return tuple(_in_context(f, origin.context) for f in fixes)
    return tuple(f for f in fixes if not _runs_kubectl(f))


def mark(findings: Iterable[Finding], snapshot: ClusterSnapshot) -> list[Finding]:
    """The findings, each about a remote object (or a remotely deployed app) with its provenance line added
    and its commands placed on that object's cluster."""
    if not snapshot.clusters and not _any_origin(snapshot):
        return list(findings)  # (one cluster: nothing to say, and no lookups)
    out: list[Finding] = []
    for f in findings:
        origin = snapshot.origin_of(f.subject) if f.subject.kind != "Application" else None
        if origin is not None:
            f = replace(f, evidence=f"{f.evidence}\n{origin.evidence}", fixes=placed_fixes(f.fixes, origin))
        elif line := _destination_line(snapshot, f):
            f = replace(f, evidence=f"{f.evidence}\n{line}")
        out.append(f)
    return out


def _any_origin(snapshot: ClusterSnapshot) -> bool:
    return any(ns.origin is not None for ns in snapshot.namespaces.values())

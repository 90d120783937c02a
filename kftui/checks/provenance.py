"""Where a finding's evidence came from, when not from the hub: one evidence line naming the cluster and path.

A pod or workload of an Application deployed to another cluster is read through Argo CD's API or through a
kube context of that cluster (model/clusters.py, Origin). The checks read such objects like the hub's; this
pass, run after them, adds "via Argo CD API (cluster spoke)" to each finding about one, so nobody goes looking
for the pod on the hub. A finding about an Application deployed elsewhere says where it deploys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from kftui.model import ClusterSnapshot, Finding


def _destination_line(snapshot: ClusterSnapshot, finding: Finding) -> str:
    if finding.subject.kind != "Application":
        return ""
    app = snapshot.applications.get((finding.subject.namespace or "", finding.subject.name))
    if app is None:
        return ""
    dest = snapshot.destination(app)
    return "" if dest.in_cluster else f"deploys to cluster {dest.label} ({dest.server or 'server unknown'})"


def mark(findings: Iterable[Finding], snapshot: ClusterSnapshot) -> list[Finding]:
    """The findings, each about a remote object (or a remotely deployed app) with its provenance line added."""
    if not snapshot.clusters and not _any_origin(snapshot):
        return list(findings)  # (one cluster: nothing to say, and no lookups)
    out: list[Finding] = []
    for f in findings:
        origin = snapshot.origin_of(f.subject) if f.subject.kind != "Application" else None
        line = origin.evidence if origin is not None else _destination_line(snapshot, f)
        out.append(replace(f, evidence=f"{f.evidence}\n{line}" if line else f.evidence) if line else f)
    return out


def _any_origin(snapshot: ClusterSnapshot) -> bool:
    return any(ns.origin is not None for ns in snapshot.namespaces.values())

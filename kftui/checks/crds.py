"""crd-missing: a custom resource applied before the API server knows its kind (CRD absent or not Established).

Recognised from the messages Argo CD records (sync results, operationState, conditions) in the wordings of
several Kubernetes and Argo CD versions, and confirmed from the live CRDs, which also catches it before the next
sync fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kftui.checks import fixrefs
from kftui.checks.evidence import Message, all_messages, applications, listing, managing_app, res_name, squash
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, ObjectRef, Severity
from kftui.profile import Profile

_NO_MATCHES = re.compile(
    r'no matches for kind "(?P<kind>[^"]+)" in version "(?P<version>(?:(?P<group>[^"/]+)/)?[^"]+)"'
)
_ARGO_NOT_FOUND = re.compile(
    r'The Kubernetes API could not find (?:version "(?P<version>[^"]+)" of )?(?P<group>[^\s/]*)/(?P<kind>[^\s/]+) '
    r"for requested resource"
)
_GENERIC_NOT_FOUND = re.compile(
    r"(?:the server )?could not find the requested resource|ensure CRDs are installed first|"
    r"resource mapping not found",
    re.IGNORECASE,
)


def _missing_kind(msg: Message) -> tuple[str, str | None, str] | None:
    """(kind, its API group (None for the core group), group/version as the message gives it) of a kind the
    message says the API server does not know."""
    text = squash(msg.text)
    m = _NO_MATCHES.search(text)
    if m:
        return m.group("kind"), m.group("group"), m.group("version")
    m = _ARGO_NOT_FOUND.search(text)
    if m:
        group = m.group("group")
        return m.group("kind"), group, group + (f"/{m.group('version')}" if m.group("version") else "")
    if msg.result is not None and msg.result.kind and _GENERIC_NOT_FOUND.search(text):
        r = msg.result
        return r.kind, r.group, f"{r.group}/{r.version}" if r.group else r.version
    return None


def crd_missing(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A custom resource applied before its CRD exists or is Established:
    `no matches for kind "X" in version "Y"`, Argo CD 2.x/3.x's `The Kubernetes API could not find
    <group>/<Kind> ... Make sure the "<Kind>" CRD is installed`, `the server could not find the requested
    resource`; or a live CRD whose Established condition is not True while an app manages its kind."""
    seen: set[tuple[str, str]] = set()
    for msg in all_messages(snapshot):
        found = _missing_kind(msg)
        if found is None:
            continue
        kind, group, gv = found
        if (msg.app.name, kind) in seen:
            continue
        seen.add((msg.app.name, kind))
        cluster = snapshot.cluster_of(msg.app)
        if cluster:  # (kftui reads CRDs on the hub only: the hub's say nothing about another cluster's)
            crd_owner = None
            state = f"cluster {cluster}, where {msg.app.name} deploys, did not know it (kftui does not read its CRDs)"
        else:
            crd = next((c for c in snapshot.crds.values() if c.kind == kind and c.group == group), None)
            crd_owner = managing_app(snapshot, "CustomResourceDefinition", None, crd.name) if crd else None
            state = (
                f"CRD {crd.name} exists but is not Established yet"
                if crd is not None and not crd.established
                else f"CRD {crd.name} exists now; the sync ran before it did"
                if crd is not None
                else f"no CRD for {kind} ({gv}) exists in the cluster"
            )
        subject = snapshot.placed(msg.resource, msg.app) if msg.resource else msg.app.ref
        yield _crd_finding(msg.app, subject, kind, gv, msg.quoted, state, crd_owner)
    for crd in sorted(snapshot.crds.values(), key=lambda c: c.name):
        if crd.established:
            continue
        for app in applications(snapshot):
            if snapshot.cluster_of(app):  # (the hub's CRD: an app on another cluster uses that cluster's)
                continue
            users = [r for r in app.resources if r.kind == crd.kind and r.group == crd.group]
            if not users or (app.name, crd.kind) in seen:
                continue
            seen.add((app.name, crd.kind))
            yield _crd_finding(
                app,
                users[0].ref,
                crd.kind,
                crd.group,
                f"CustomResourceDefinition {crd.name}: condition Established is not True\n{app.name} manages "
                f"{listing([res_name(r.kind, r.namespace, r.name) for r in users])}",
                f"CRD {crd.name} is not Established",
                managing_app(snapshot, "CustomResourceDefinition", None, crd.name),
            )


def _crd_finding(
    app: Application,
    subject: ObjectRef,
    kind: str,
    gv: str,
    evidence: str,
    state: str,
    crd_owner: Application | None,
) -> Finding:
    fixes: list[FixRef]
    if crd_owner is not None and crd_owner.name != app.name:
        where = f"The CRD comes from {crd_owner.name}: sync that first and wait for it to be Healthy (fix: ordered-sync)."
        fixes = [fixrefs.ordered_sync((crd_owner.name, app.name))]
    else:
        where = (
            "If the CRD is in this app, sync the CRDs first, then the rest (fix: sync-crds-first); if it comes "
            "from another component (cert-manager, Istio, Knative), install that first."
        )
        fixes = [fixrefs.sync_crds_first(app.name)]
    fixes.append(fixrefs.sync(app.name))
    return Finding(
        check="crd-missing",
        severity=Severity.ERROR,
        app=app.name,
        subject=subject,
        title=f"{app.name}: the API server does not know kind {kind} ({gv})",
        evidence=evidence,
        explanation=(
            f"A {kind} was applied but {state}. The API server cannot accept a custom resource until its "
            f"CustomResourceDefinition is Established. {where} Then sync again (fix: sync). Annotating the custom "
            "resources with `argocd.argoproj.io/sync-options: SkipDryRunOnMissingResource=true` lets one sync "
            "create the CRD and its resources together."
        ),
        fixes=tuple(fixes),
    )

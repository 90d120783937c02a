"""What the API server refuses while Argo CD applies: crd-missing, annotation-too-long,
webhook-unavailable and namespace-missing.

Each is recognised from the messages Argo CD records (sync results, operationState, conditions) in the
wordings of several Kubernetes and Argo CD versions, and where possible confirmed from live objects
(CRDs, webhook configurations, Endpoints, Namespaces), which also catches them before the next sync fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from kftui.checks import fixrefs
from kftui.checks.evidence import (
    Message,
    all_messages,
    applications,
    find_app,
    listing,
    not_listed,
    res_name,
    squash,
)
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, ObjectRef, Severity
from kftui.profile import Profile

# --- crd-missing ----------------------------------------------------------------------------------

_NO_MATCHES = re.compile(r'no matches for kind "(?P<kind>[^"]+)" in version "(?P<version>[^"]+)"')
_ARGO_NOT_FOUND = re.compile(
    r'The Kubernetes API could not find (?:version "(?P<version>[^"]+)" of )?(?P<group>[^\s/]*)/(?P<kind>[^\s/]+) '
    r"for requested resource"
)
_GENERIC_NOT_FOUND = re.compile(
    r"(?:the server )?could not find the requested resource|ensure CRDs are installed first|"
    r"resource mapping not found",
    re.IGNORECASE,
)


def _owner_of(snapshot: ClusterSnapshot, kind: str, namespace: str | None, name: str) -> Application | None:
    for app in applications(snapshot):
        if any(
            r.kind == kind and (r.namespace or None) == namespace and r.name == name for r in app.resources
        ):
            return app
    return None


def _missing_kind(msg: Message) -> tuple[str, str] | None:
    """(kind, group/version or group) the message says the API server does not know."""
    text = squash(msg.text)
    m = _NO_MATCHES.search(text)
    if m:
        return m.group("kind"), m.group("version")
    m = _ARGO_NOT_FOUND.search(text)
    if m:
        gv = m.group("group") + (f"/{m.group('version')}" if m.group("version") else "")
        return m.group("kind"), gv
    if _GENERIC_NOT_FOUND.search(text) and msg.result is not None and msg.result.kind:
        r = msg.result
        return r.kind, f"{r.group}/{r.version}" if r.group else r.version
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
        kind, gv = found
        if (msg.app.name, kind) in seen:
            continue
        seen.add((msg.app.name, kind))
        group = gv.split("/", 1)[0] if "/" in gv else ""
        crd = next(
            (c for c in snapshot.crds.values() if c.kind == kind and (not group or c.group == group)), None
        )
        crd_owner = _owner_of(snapshot, "CustomResourceDefinition", None, crd.name) if crd else None
        state = (
            f"CRD {crd.name} exists but is not Established yet"
            if crd is not None and not crd.established
            else f"CRD {crd.name} exists now; the sync ran before it did"
            if crd is not None
            else f"no CRD for {kind} ({gv}) exists in the cluster"
        )
        yield _crd_finding(
            snapshot, profile, msg.app, msg.resource or msg.app.ref, kind, gv, msg.quoted, state, crd_owner
        )
    for crd in sorted(snapshot.crds.values(), key=lambda c: c.name):
        if crd.established:
            continue
        for app in applications(snapshot):
            users = [r for r in app.resources if r.kind == crd.kind and r.group == crd.group]
            if not users or (app.name, crd.kind) in seen:
                continue
            seen.add((app.name, crd.kind))
            yield _crd_finding(
                snapshot,
                profile,
                app,
                users[0].ref,
                crd.kind,
                crd.group,
                f"CustomResourceDefinition {crd.name}: condition Established is not True; {app.name} manages "
                f"{listing([res_name(r.kind, r.namespace, r.name) for r in users])}",
                f"CRD {crd.name} is not Established",
                _owner_of(snapshot, "CustomResourceDefinition", None, crd.name),
            )


def _crd_finding(
    snapshot: ClusterSnapshot,
    profile: Profile,
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


# --- annotation-too-long ---------------------------------------------------------------------------

_TOO_LONG = re.compile(
    r"Too long: (?:may not be more than|must have at most) (?P<limit>\d+) (?:bytes|characters)", re.IGNORECASE
)
# `The CustomResourceDefinition "x" is invalid` (kubectl) or `CustomResourceDefinition.apiextensions.k8s.io "x" is invalid`
_INVALID_OBJ = re.compile(r'(?:The )?(?P<kind>[A-Z]\w*)(?:\.[\w.-]+)? "(?P<name>[^"]+)" is invalid')


def annotation_too_long(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """`metadata.annotations: Too long: may not be more than 262144 bytes` (Kubernetes < 1.32) or
    `must have at most 262144 bytes` (newer): client-side apply's last-applied-configuration annotation of
    a large CRD exceeds the 256 KiB limit. Documented in Argo CD's sync options (ServerSideApply)."""
    seen: set[tuple[str, str]] = set()
    for msg in all_messages(snapshot):
        text = squash(msg.text)
        m = _TOO_LONG.search(text)
        if m is None or "annotations" not in text.lower():
            continue
        subject = msg.resource
        if subject is None:
            inv = _INVALID_OBJ.search(text)
            subject = ObjectRef(inv.group("kind"), None, inv.group("name")) if inv else msg.app.ref
        if (msg.app.name, str(subject)) in seen or (subject == msg.app.ref and (msg.app.name, "*") in seen):
            continue
        seen.update({(msg.app.name, str(subject)), (msg.app.name, "*")})
        app = msg.app
        ssa_on = any(o.replace(" ", "") == "ServerSideApply=true" for o in app.sync_options)
        yield Finding(
            check="annotation-too-long",
            severity=Severity.ERROR,
            app=app.name,
            subject=subject,
            title=f"{app.name}: {subject.kind} {subject.name} is too large for client-side apply",
            evidence=msg.quoted,
            explanation=(
                "Client-side apply copies the whole object into the kubectl.kubernetes.io/last-applied-configuration "
                f"annotation, and all annotations together may hold at most {m.group('limit')} bytes; big CRDs "
                "(Kubeflow's, Argo Workflows', Knative's) do not fit. Sync with server-side apply (fix: "
                "server-side-apply), and make it permanent with `ServerSideApply=true` in the app's syncOptions"
                + (
                    " (the app already sets it, so check for a per-resource `ServerSideApply=false` or `Replace=true` "
                    "sync-options annotation overriding it)."
                    if ssa_on
                    else "."
                )
                + " Replace (fix: replace) also works but deletes and recreates the object."
            ),
            fixes=(fixrefs.server_side_apply(app.name), fixrefs.replace_sync(app.name)),
        )


# --- webhook-unavailable ---------------------------------------------------------------------------

_WEBHOOK_CALL = re.compile(r'failed calling (?:admission )?webhook "(?P<hook>[^"]+)"', re.IGNORECASE)
_NO_ENDPOINTS = re.compile(r'no endpoints available for service "(?:(?P<ns>[^"/]+)/)?(?P<svc>[^"]+)"')
_SVC_URL = re.compile(r"https://(?P<svc>[a-z0-9-]+)\.(?P<ns>[a-z0-9-]+)\.svc(?:\.cluster\.local)?(?::\d+)?")
_SVC_NOT_FOUND = re.compile(r'service "(?P<svc>[^"]+)" not found')
_CAUSES = (
    ("connection refused", "nothing listens on the webhook port (the pod is not running or not ready yet)"),
    ("no endpoints available", "the webhook's Service has no ready pods behind it"),
    ("context deadline exceeded", "the webhook did not answer in time"),
    ("i/o timeout", "the webhook did not answer in time (network policy or a dead pod)"),
    (
        "x509",
        "the webhook's TLS certificate is not trusted (caBundle not injected yet, or cert-manager not ready)",
    ),
    ("not found", "the webhook's Service does not exist"),
    ("eof", "the webhook closed the connection (the pod is restarting)"),
)


@dataclass
class _WebhookProblem:
    namespace: str
    service: str
    app: Application | None = None
    evidence: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    fail_closed: bool = True


def _backing_workload(snapshot: ClusterSnapshot, namespace: str, service: str) -> tuple[str, str] | None:
    svc = snapshot.services.get((namespace, service))
    if svc is None or not svc.selector:
        return None
    for pod in sorted(snapshot.pods.values(), key=lambda p: p.name):
        if (
            pod.namespace == namespace
            and pod.workload_kind
            and all(pod.labels.get(k) == v for k, v in svc.selector.items())
        ):
            return pod.workload_kind, pod.workload_name
    return None


def _service_of_hook(snapshot: ClusterSnapshot, hook: str) -> tuple[str, str] | None:
    for config in snapshot.webhooks.values():
        for w in config.webhooks:
            if w.webhook == hook:
                return w.namespace, w.service
    return None


def webhook_unavailable(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An admission webhook that cannot be called: `failed calling webhook "x": ... connection refused`
    / `no endpoints available for service "y"` / timeouts / x509 in sync results, or a webhook
    configuration whose Service has no ready endpoints right now (the next apply will fail)."""
    problems: dict[tuple[str, str], _WebhookProblem] = {}
    for msg in all_messages(snapshot):
        text = squash(msg.text)
        call = _WEBHOOK_CALL.search(text)
        if call is None:
            continue
        hook = call.group("hook")
        target = _service_of_hook(snapshot, hook)
        url = _SVC_URL.search(text)
        named = _NO_ENDPOINTS.search(text) or _SVC_NOT_FOUND.search(text) or url
        if named is not None:
            ns = (
                named.groupdict().get("ns")
                or (url.group("ns") if url else "")
                or (target[0] if target else "")
            )
            target = (ns, named.group("svc"))
        key = target or ("", hook)
        problem = problems.setdefault(key, _WebhookProblem(key[0], key[1], msg.app))
        problem.evidence.append(msg.quoted)
        problem.hooks.append(hook)
        lower = text.lower()
        problem.causes.extend(c for pat, c in _CAUSES if pat in lower and c not in problem.causes)
    know_endpoints = bool(snapshot.endpoints) and not not_listed(snapshot, "Endpoints")
    for config in sorted(snapshot.webhooks.values(), key=lambda c: c.name):
        for w in config.webhooks:
            ep = snapshot.endpoints.get((w.namespace, w.service))
            svc = snapshot.services.get((w.namespace, w.service))
            if ep is not None and ep.ready:
                continue
            if ep is None and not know_endpoints:
                continue
            if ep is not None:
                why = f"Endpoints {w.namespace}/{w.service} has no ready addresses ({len(ep.not_ready)} not ready)"
                cause = "the webhook's Service has no ready pods behind it"
            elif svc is None and snapshot.services:
                why = f"Service {w.namespace}/{w.service} does not exist"
                cause = "the webhook's Service does not exist"
            else:
                why = f"no Endpoints for Service {w.namespace}/{w.service}"
                cause = "the webhook's Service has no ready pods behind it"
            key = (w.namespace, w.service)
            problem = problems.setdefault(
                key,
                _WebhookProblem(
                    w.namespace,
                    w.service,
                    _owner(snapshot, config.kind, config.name, w.namespace, w.service),
                    fail_closed=False,
                ),
            )
            problem.evidence.append(
                f"{config.kind} {config.name} webhook {w.webhook} (failurePolicy {w.failure_policy}): {why}"
            )
            problem.hooks.append(w.webhook)
            if cause not in problem.causes:
                problem.causes.append(cause)
            if w.failure_policy != "Ignore":
                problem.fail_closed = True
    for _key, problem in sorted(problems.items()):
        yield _webhook_finding(snapshot, problem)


def _owner(snapshot: ClusterSnapshot, kind: str, name: str, ns: str, svc: str) -> Application | None:
    return _owner_of(snapshot, kind, None, name) or _owner_of(snapshot, "Service", ns, svc)


def _webhook_finding(snapshot: ClusterSnapshot, problem: _WebhookProblem) -> Finding:
    ns, svc = problem.namespace, problem.service
    hooks = list(dict.fromkeys(problem.hooks))
    fixes: list[FixRef] = []
    workload = _backing_workload(snapshot, ns, svc) if ns else None
    if ns:
        fixes.append(fixrefs.wait_for_webhook(ns, svc, workload))
        subject = ObjectRef("Service", ns, svc)
        target = f"svc/{svc} in {ns}"
    else:
        subject = ObjectRef("Webhook", None, svc)
        target = f"webhook {svc}"
    if workload is not None:
        fixes += fixrefs.offered(fixrefs.restart(workload[0], ns, workload[1]))
    app = problem.app
    if app is not None:
        fixes.append(fixrefs.sync(app.name))
    causes = "; ".join(problem.causes) or "the webhook could not be reached"
    return Finding(
        check="webhook-unavailable",
        severity=Severity.ERROR if problem.fail_closed else Severity.WARNING,
        app=app.name if app else None,
        subject=subject,
        title=f"Admission webhook {', '.join(hooks[:2])} unavailable ({target})",
        evidence="\n".join(dict.fromkeys(problem.evidence)),
        explanation=(
            f"The API server must call this webhook before it accepts the objects it guards, and it cannot: "
            f"{causes}. Every create or update it guards fails until the webhook's pods are Ready. This is usually "
            "temporary during an install (cert-manager, Istio, KServe or Katib webhooks start after the resources "
            "that need them): wait for the webhook (fix: wait-for-webhook)"
            + (", restart it if it stays down (fix: restart)" if workload is not None else "")
            + (", then sync again (fix: sync)." if app is not None else ", then sync again.")
        ),
        fixes=tuple(fixes),
    )


# --- namespace-missing -----------------------------------------------------------------------------

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
        exists = ("", ns) in snapshot.namespaces
        create_ns = any(o.replace(" ", "") == "CreateNamespace=true" for o in app.sync_options)
        yield Finding(
            check="namespace-missing",
            severity=Severity.ERROR,
            app=app.name,
            subject=ObjectRef("Namespace", None, ns),
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
    present_apps = [find_app(snapshot, a.name) for a in profile.applications]
    installed = [a for a in present_apps if a is not None]
    if not installed:
        return
    grace = timedelta(seconds=profile.progressing_grace_seconds)
    for name in profile.expected_namespaces:
        ns = snapshot.namespaces.get(("", name))
        owner = next((a for a in installed if name in a.target_namespaces), installed[0])
        if ns is None:
            yield Finding(
                check="namespace-missing",
                severity=Severity.WARNING,
                app=owner.name,
                subject=ObjectRef("Namespace", None, name),
                title=f"Namespace {name} does not exist",
                evidence=f"profile {profile.name} expects namespace {name}; it is not in the cluster",
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

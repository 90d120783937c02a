"""webhook-unavailable: an admission webhook the API server cannot call, so the objects it guards are refused.

Recognised from the messages Argo CD records (sync results, operationState, conditions) in the wordings of
several Kubernetes and Argo CD versions, and confirmed from the live webhook configurations, Services and Endpoints
(or, where kftui could not read the Endpoints, the pods the Service selects), which also catches it before the
next sync fails. Each lookup stays on one cluster: a spoke's webhook calls the
spoke's Service, whose Endpoints and pods are the spoke's (the hub can hold objects of the same names).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kftui.checks import fixrefs
from kftui.checks.evidence import all_messages, managing_app, read_all, squash
from kftui.model import (
    Application,
    ClusterSnapshot,
    Finding,
    FixRef,
    ObjectRef,
    Severity,
    WebhookService,
    on_cluster,
)
from kftui.profile import Profile

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
    cluster: str
    app: Application | None = None
    evidence: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    fail_closed: bool = False


def _backing_workload(
    snapshot: ClusterSnapshot, cluster: str, namespace: str, service: str
) -> tuple[str, str] | None:
    for pod in snapshot.pods_behind(ObjectRef("Service", namespace, service, cluster)):
        if pod.workload_kind:
            return pod.workload_kind, pod.workload_name
    return None


_NO_READY_POD = "the webhook's Service has no ready pods behind it"


def _unserved(snapshot: ClusterSnapshot, cluster: str, w: WebhookService) -> tuple[str, str] | None:
    """(why, cause) when nothing can serve the webhook now, by the best evidence kftui has: its Service's
    Endpoints; where those were not all read (through Argo CD, which excludes Endpoints and EndpointSlices by
    default since 3.0, or a hub that may not list them) the pods the Service selects; None when it can be
    served, or when kftui cannot tell."""
    where = on_cluster((w.namespace, w.service), cluster)
    ep = snapshot.endpoints.get(where)
    name = f"{w.namespace}/{w.service}"
    if ep is not None:
        if ep.ready:
            return None
        return f"Endpoints {name} has no ready addresses ({len(ep.not_ready)} not ready)", _NO_READY_POD
    if read_all(snapshot, "Endpoints", cluster):
        if where not in snapshot.services and read_all(snapshot, "Service", cluster):
            return f"Service {name} does not exist", "the webhook's Service does not exist"
        return f"no Endpoints for Service {name}", _NO_READY_POD
    pods = snapshot.pods_behind(ObjectRef("Service", w.namespace, w.service, cluster))
    if not pods or any(p.ready for p in pods):
        return None  # (no pod seen is no proof: it may be one kftui does not read)
    states = ", ".join(f"{p.name} {p.display_status}" for p in pods[:3])
    return f"none of the {len(pods)} pods behind Service {name} is ready ({states})", _NO_READY_POD


def _service_of_hook(snapshot: ClusterSnapshot, hook: str, cluster: str) -> tuple[str, str] | None:
    for config in snapshot.webhooks.values():
        if config.cluster != cluster:
            continue
        for w in config.webhooks:
            if w.webhook == hook:
                return w.namespace, w.service
    return None


def webhook_unavailable(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An admission webhook that cannot be called: `failed calling webhook "x": ... connection refused`
    / `no endpoints available for service "y"` / timeouts / x509 in sync results, or a webhook
    configuration whose Service has no ready endpoints right now (the next apply will fail)."""
    problems: dict[tuple[str, str, str], _WebhookProblem] = {}
    for msg in all_messages(snapshot):
        text = squash(msg.text)
        call = _WEBHOOK_CALL.search(text)
        if call is None:
            continue
        hook = call.group("hook")
        cluster = snapshot.cluster_of(msg.app)
        target = _service_of_hook(snapshot, hook, cluster)
        url = _SVC_URL.search(text)
        named = _NO_ENDPOINTS.search(text) or _SVC_NOT_FOUND.search(text) or url
        if named is not None:
            ns = (
                named.groupdict().get("ns")
                or (url.group("ns") if url else "")
                or (target[0] if target else "")
            )
            if ns:  # a Service whose namespace nothing names cannot be looked up: name the webhook instead
                target = (ns, named.group("svc"))
        key = (*(target or ("", hook)), cluster)
        problem = problems.setdefault(
            key, _WebhookProblem(key[0], key[1], cluster, msg.app, fail_closed=True)
        )
        problem.evidence.append(msg.quoted)
        problem.hooks.append(hook)
        lower = text.lower()
        problem.causes.extend(c for pat, c in _CAUSES if pat in lower and c not in problem.causes)
    for config in sorted(snapshot.webhooks.values(), key=lambda c: (c.cluster, c.name)):
        cluster = config.cluster
        for w in config.webhooks:
            unserved = _unserved(snapshot, cluster, w)
            if unserved is None:
                continue
            why, cause = unserved
            key = (w.namespace, w.service, cluster)
            problem = problems.setdefault(
                key,
                _WebhookProblem(
                    w.namespace,
                    w.service,
                    cluster,
                    _owner(snapshot, cluster, config.kind, config.name, w.namespace, w.service),
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


def _owner(
    snapshot: ClusterSnapshot, cluster: str, kind: str, name: str, ns: str, svc: str
) -> Application | None:
    """The app deploying to `cluster` that manages the configuration, else the one that manages its Service."""
    return managing_app(snapshot, kind, None, name, cluster) or managing_app(
        snapshot, "Service", ns, svc, cluster
    )


def _webhook_finding(snapshot: ClusterSnapshot, problem: _WebhookProblem) -> Finding:
    ns, svc, cluster = problem.namespace, problem.service, problem.cluster
    hooks = list(dict.fromkeys(problem.hooks))
    fixes: list[FixRef] = []
    restart: FixRef | None = None
    app = problem.app
    app_name = app.name if app is not None else None
    if ns:
        workload = _backing_workload(snapshot, cluster, ns, svc)
        subject = ObjectRef("Service", ns, svc, cluster)
        # On a cluster read through Argo CD, Argo CD waits and restarts (kubectl would act on the hub).
        origin = snapshot.origin_of(subject)
        fixes.append(fixrefs.wait_for_webhook_of(origin, app_name, ns, svc, workload))
        if workload is not None:
            restart = fixrefs.restart_of(origin, app_name, workload[0], ns, workload[1])
        target = f"svc/{svc} in {ns}"
    else:
        subject = ObjectRef("Webhook", None, svc, cluster)
        target = f"webhook {svc}"
    fixes += fixrefs.offered(restart)
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
            + (", restart it if it stays down (fix: restart)" if restart is not None else "")
            + (", then sync again (fix: sync)." if app is not None else ", then sync again.")
        ),
        fixes=tuple(fixes),
    )

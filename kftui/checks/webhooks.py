"""webhook-unavailable: an admission webhook the API server cannot call, so the objects it guards are refused.

Recognised from the messages Argo CD records (sync results, operationState, conditions) in the wordings of
several Kubernetes and Argo CD versions, and confirmed from the live webhook configurations, Services and Endpoints,
which also catches it before the next sync fails.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kftui.checks import fixrefs
from kftui.checks.evidence import all_messages, managing_app, not_listed, squash
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, ObjectRef, Severity
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
    app: Application | None = None
    evidence: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    fail_closed: bool = False


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
            if ns:  # a Service whose namespace nothing names cannot be looked up: name the webhook instead
                target = (ns, named.group("svc"))
        key = target or ("", hook)
        problem = problems.setdefault(key, _WebhookProblem(key[0], key[1], msg.app, fail_closed=True))
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
    return managing_app(snapshot, kind, None, name) or managing_app(snapshot, "Service", ns, svc)


def _webhook_finding(snapshot: ClusterSnapshot, problem: _WebhookProblem) -> Finding:
    ns, svc = problem.namespace, problem.service
    hooks = list(dict.fromkeys(problem.hooks))
    fixes: list[FixRef] = []
    workload: tuple[str, str] | None = None
    if ns:
        workload = _backing_workload(snapshot, ns, svc)
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

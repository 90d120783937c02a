"""Can a user get in? gateway (the ingress the dashboard is reached through) and auth-stack (the login path).

Both read the profile: which Service fronts the install and which workloads log users in. An install
without them (the generic profile) gets no findings from these checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from kftui.checks import fixrefs
from kftui.checks.evidence import applications, not_listed, read_all
from kftui.checks.health import pod_failure
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, ObjectRef, Pod, Severity, on_cluster
from kftui.profile import Profile


def _owner(snapshot: ClusterSnapshot, kind: str, namespace: str, name: str) -> Application | None:
    for app in applications(snapshot):
        for r in app.resources:
            # (The name first: it rules out nearly every one of 15,000 resources in one comparison.)
            if r.name == name and r.kind == kind and r.namespace == namespace:
                return app
    return None


def _installed(snapshot: ClusterSnapshot, profile: Profile) -> bool:
    """The profile's apps exist: before that, a missing gateway is not news."""
    names = {a.name for a in snapshot.applications.values()}
    return bool(names & ({a.name for a in profile.applications} | set(profile.detect_applications)))


def gateway(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """The profile's ingress gateway is not serving: its namespace (istio-system) or Service
    (istio-ingressgateway) is missing, or the Service has no ready endpoints, so the dashboard is
    unreachable (the guide's `kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80` fails)."""
    gw = profile.gateway
    if not gw.enabled or not _installed(snapshot, profile):
        return
    # On the cluster that has its namespace (the hub's first): Kubeflow may be deployed to a spoke.
    namespace = snapshot.namespace_named(gw.namespace)
    cluster = namespace.cluster if namespace is not None else ""
    svc_ref = ObjectRef("Service", gw.namespace, gw.service, cluster)
    if snapshot.namespaces and not not_listed(snapshot, "Namespace") and namespace is None:
        problem = f"namespace {gw.namespace} does not exist"
    elif svc_ref.key not in snapshot.services:
        if not read_all(snapshot, "Service", cluster):
            return  # (not listed, or a cluster read through Argo CD, which shows only what apps manage)
        problem = f"Service {gw.namespace}/{gw.service} does not exist"
    else:
        ep = snapshot.endpoints.get(svc_ref.key)
        if ep is None:
            if not read_all(snapshot, "Endpoints", cluster):
                return
            problem = f"Service {gw.namespace}/{gw.service} has no Endpoints object"
        elif not ep.ready:
            problem = f"Endpoints {gw.namespace}/{gw.service}: 0 ready addresses" + (
                f", {len(ep.not_ready)} not ready" if ep.not_ready else ""
            )
        else:
            return
    pods = [
        p
        for p in snapshot.pods.values()
        if p.namespace == gw.namespace
        and p.workload_name == gw.service
        and p.workload_kind
        and p.cluster == cluster
    ]
    pod_states = [f"pod {p.name}: {p.display_status}" for p in sorted(pods, key=lambda p: p.name)]
    owner = _owner(snapshot, "Service", gw.namespace, gw.service) or _owner(
        snapshot, "Deployment", gw.namespace, gw.service
    )
    fixes: list[FixRef] = []
    if ObjectRef("Deployment", gw.namespace, gw.service, cluster).key in snapshot.workloads:
        fixes += fixrefs.offered(fixrefs.restart("Deployment", gw.namespace, gw.service))
    if owner is not None:
        fixes.append(fixrefs.sync(owner.name))
    fixes.append(fixrefs.port_forward(gw.namespace, gw.service, gw.local_port, gw.port))
    yield Finding(
        check="gateway",
        severity=Severity.ERROR,
        app=owner.name if owner else None,
        subject=svc_ref,
        title=f"Ingress gateway {gw.namespace}/{gw.service} is not serving: {problem}",
        evidence="\n".join([problem, *pod_states]),
        explanation=(
            f"All user traffic to the dashboard goes through svc/{gw.service} in {gw.namespace}; with {problem}, "
            "the UI and the port-forward from the guide cannot work even if everything else is Healthy. "
            + (
                f"Sync {owner.name}, which deploys it (fix: sync)"
                if owner
                else "Install or sync the app that deploys the gateway"
            )
            + (", or restart the gateway (fix: restart)" if fixes[0].id == "restart" else "")
            + ". Then confirm through a port-forward to localhost:"
            + f"{gw.local_port} (fix: port-forward)"
            + (f"; {gw.login_hint}." if gw.login_hint else ".")
        ),
        fixes=tuple(fixes),
    )


WorkloadKey = tuple[str, str, str, str]
"""(kind, namespace, name, cluster) of a workload; cluster "" for the hub's."""


def _pods_of(snapshot: ClusterSnapshot, workloads: Iterable[WorkloadKey]) -> dict[WorkloadKey, list[Pod]]:
    """The pods of each of `workloads`, by name, in one pass over the pods for all of them."""
    found: dict[WorkloadKey, list[Pod]] = {w: [] for w in workloads}
    names = {name for _, _, name, _ in found}
    for p in snapshot.pods.values():
        if p.workload_name not in names:
            continue  # (the name first: it rules out nearly every one of 100,000 pods in one test)
        pods = found.get(
            (p.workload_kind, p.namespace, p.workload_name, p.origin.cluster if p.origin else "")
        )
        if pods is not None:
            pods.append(p)
    for pods in found.values():
        pods.sort(key=lambda p: p.name)
    return found


def auth_stack(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """A workload of the login path (Kubeflow: dex in auth, oauth2-proxy in oauth2-proxy) is missing or
    has fewer ready replicas than desired: nobody can log in to the dashboard, though the apps may look fine."""
    if not profile.auth_workloads or not _installed(snapshot, profile):
        return
    suspects = []
    for w in profile.auth_workloads:
        owner = _owner(snapshot, w.kind, w.namespace, w.name)
        # On the cluster of the app that deploys it: another cluster's workload of that name is not the login's.
        ref = ObjectRef(w.kind, w.namespace, w.name, snapshot.cluster_of(owner) if owner else "")
        live = snapshot.workloads.get(ref.key)
        if live is None or not (live.desired > 0 and live.ready >= live.desired):
            suspects.append((w, owner, ref, live))
    if not suspects:
        return  # (every login workload is ready: no pass over the pods)
    pods_of = _pods_of(snapshot, ((w.kind, w.namespace, w.name, ref.cluster) for w, _, ref, _ in suspects))
    for w, owner, ref, live in suspects:
        know_workloads = bool(snapshot.workloads) and not not_listed(snapshot, w.kind)
        pods = pods_of[(w.kind, w.namespace, w.name, ref.cluster)]
        if live is not None:
            state = f"{w.kind} {w.namespace}/{w.name}: {live.ready}/{live.desired} replicas ready"
            if live.desired == 0:
                state += " (scaled to zero)"
        elif know_workloads:
            state = f"{w.kind} {w.namespace}/{w.name} does not exist"
            if snapshot.namespaces and on_cluster(("", w.namespace), ref.cluster) not in snapshot.namespaces:
                state += f" (namespace {w.namespace} is missing too)"
        elif pods:
            if any(p.ready for p in pods):
                continue
            state = f"no ready pod of {w.kind} {w.namespace}/{w.name}"
        else:
            continue
        failing = [f"pod {p.name}: {pod_failure(p) or p.display_status}" for p in pods if not p.ready]
        fixes: list[FixRef] = []
        app = owner.name if owner else None
        if live is not None:
            fixes += fixrefs.offered(fixrefs.restart_of(live.origin, app, w.kind, w.namespace, w.name))
        crashing = next((p for p in pods if pod_failure(p) in ("CrashLoopBackOff", "OOMKilled")), None)
        if crashing is not None:
            fixes.append(fixrefs.logs_of(crashing.origin, app, crashing.namespace, crashing.name))
        if owner is not None:
            fixes.append(fixrefs.sync(owner.name))
        else:
            present = {a.name for a in snapshot.applications.values()}
            fixes.append(fixrefs.ordered_sync(tuple(a for a in profile.chain() if a in present)))
        role = w.role or w.name
        yield Finding(
            check="auth-stack",
            severity=Severity.ERROR,
            app=owner.name if owner else None,
            subject=ref,
            title=f"Login is broken: {w.name} ({role}) in {w.namespace} is not ready",
            evidence="\n".join([state, *failing]),
            explanation=(
                f"{w.name} is on the login path: every request to the dashboard is sent through it, so while it is "
                "not ready users get errors or redirect loops instead of the login page. The pod findings name "
                "the cause; "
                + ("read the crashing container's logs (fix: logs), " if crashing else "")
                + (
                    "restart it once fixed (fix: restart)"
                    if live is not None
                    else "it does not exist, so sync the app that deploys it"
                )
                + (
                    f", or sync {owner.name} (fix: sync)."
                    if owner
                    else "; no Application lists it, so sync the install in order (fix: ordered-sync)."
                )
            ),
            fixes=tuple(fixes),
        )

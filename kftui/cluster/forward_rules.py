"""Port-forward's pure rules: which Service port, which container port behind it, which pods, and whether the
probe's answer is the Kubeflow gateway working (cluster/portforward.py does the I/O)."""

from __future__ import annotations

from kftui.cluster.ops import ActionError
from kftui.model import Endpoints, Pod, Service, ServicePort


class PortForwardError(ActionError):
    """The forward cannot be set up (no such service, no ready pod, no port); one line for the user."""


# --- pure resolution (kubectl's translateServicePortToTargetPort) ---------------------------------


def service_port(svc: Service, port: int | str) -> ServicePort:
    for p in svc.ports:
        if (isinstance(port, int) and p.port == port) or (isinstance(port, str) and p.name == port):
            return p
    raise PortForwardError(f"Service {svc.namespace}/{svc.name} has no port {port}")


def target_port(svc_port: ServicePort, pod: Pod) -> int:
    """The container port behind a Service port on this pod (a named targetPort is looked up)."""
    target = svc_port.target_port
    if isinstance(target, int):
        return target or svc_port.port
    for cp in pod.ports:
        if cp.name == target:
            return cp.port
    raise PortForwardError(f"pod {pod.name} has no container port named {target!r}")


def ready_pod_names(eps: Endpoints) -> list[str]:
    seen: dict[str, None] = {}
    for addr in eps.ready:
        if addr.pod_name:
            seen[addr.pod_name] = None
    return list(seen)


def probe_verdict(status: int, location: str) -> tuple[bool, str]:
    """Is this answer the Kubeflow gateway working? 200, or a redirect into the login flow."""
    if status == 200:
        return True, "200 OK"
    if 300 <= status < 400:
        if "/dex/auth" in location or "/dex/" in location:
            return True, f"{status} redirect to Dex login ({location.split('?')[0]})"
        if "/oauth2/" in location:
            return True, f"{status} redirect to the oauth2-proxy sign-in ({location.split('?')[0]})"
        return False, f"{status} redirect to {location or '(no Location)'}"
    return False, f"HTTP {status}"

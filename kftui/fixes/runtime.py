"""Everything the UI needs to act on the cluster, built once from the command line: runner + forwards.

cli.py calls `build_fix_runtime(source, options)`; the app keeps the FixRuntime, opens the fix screens
with `runtime.runner` / `runtime.forwards`, and calls `runtime.close()` on exit (stops every forward).
Backends: Argo CD's REST API when an Argo CD server is given (flag or ARGOCD_SERVER), else the
Kubernetes API of the live source. Offline sources (a dump, the demo) get no backend: every action
shows why it cannot run. A live Kubernetes source also gets an access review (SelfSubjectAccessReview),
so the gate can show what the credentials may not do; not in read-only mode.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kftui.cluster.ops import ArgoOps, WorkloadOps
from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import SnapshotSource, SourceError
from kftui.fixes.argo_access import ArgoRbac
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.run import FixRunner

if TYPE_CHECKING:  # httpx is imported only when an Argo CD server is given
    from kftui.cluster.argocd import ArgoRestOps


@dataclass(frozen=True)
class FixOptions:
    read_only: bool = False
    argocd_server: str = ""
    insecure: bool = False
    plaintext: bool = False
    audit_log: str | None = None
    argocd_namespace: str = "argocd"
    argocd_token_env: str = "ARGOCD_AUTH_TOKEN"
    """The environment variable holding the Argo CD token (a config file's server may name its own)."""
    argocd_token: str = field(default="", repr=False)
    """A token from a config file only its owner reads (kftui/config.py); never printed."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **given: object) -> FixOptions:
        """Flags win; otherwise ARGOCD_SERVER and ARGOCD_OPTS (--insecure, --plaintext) as the CLI reads them."""
        env = os.environ if env is None else env
        opts = shlex.split(env.get("ARGOCD_OPTS", ""))
        values: dict[str, object] = {
            "argocd_server": env.get("ARGOCD_SERVER", ""),
            "insecure": "--insecure" in opts,
            "plaintext": "--plaintext" in opts,
        }
        values.update({k: v for k, v in given.items() if v not in (None, "", False)})
        return cls(**values)  # type: ignore[arg-type]


@dataclass
class FixRuntime:
    runner: FixRunner
    forwards: ForwardManager
    audit: AuditLog

    def close(self) -> None:
        self.forwards.stop_all()
        closer = getattr(self.runner.argo, "close", None)
        if callable(closer):
            closer()


def argo_rest_ops(options: FixOptions, env: Mapping[str, str]) -> ArgoRestOps:
    """The Argo CD REST client for `options.argocd_server`, authenticated as the argocd CLI would be
    (ARGOCD_AUTH_TOKEN, else a login with ARGOCD_USERNAME / ARGOCD_PASSWORD). Raises ActionError."""
    from kftui.cluster.argocd import ArgoRestOps

    return ArgoRestOps(
        options.argocd_server,
        options.argocd_token or env.get(options.argocd_token_env, ""),
        insecure=options.insecure,
        plaintext=options.plaintext,
        argocd_namespace=options.argocd_namespace,
        username=env.get("ARGOCD_USERNAME", ""),
        password=env.get("ARGOCD_PASSWORD", ""),
    )


def build_fix_runtime(
    source: SnapshotSource, options: FixOptions, env: Mapping[str, str] | None = None
) -> FixRuntime:
    env = os.environ if env is None else env
    audit = AuditLog(Path(options.audit_log).expanduser() if options.audit_log else None)
    kube = None
    argo: ArgoOps | None = None
    workloads: WorkloadOps | None = None
    context = "offline"
    if source.live:
        from kftui.cluster.appops import KubeAppOps, KubeWorkloadOps
        from kftui.cluster.kube import KubeSource

        hub = getattr(source, "hub", source)  # a FederatedSource acts on the hub (cluster/remote.py)
        if isinstance(hub, KubeSource):
            kube = hub.http
            context = hub.context
            argo = KubeAppOps(hub.http, options.argocd_namespace)
            workloads = KubeWorkloadOps(hub.http)
    argo_access = None
    if options.argocd_server:
        from kftui.cluster.ops import ActionError

        try:
            rest = argo_rest_ops(options, env)
        except ActionError as exc:
            raise SourceError(str(exc)) from None
        argo = rest
        if context == "offline":
            context = rest.endpoint
        if not options.read_only:  # Argo CD's RBAC is asked before a change only, and read-only makes none
            argo_access = ArgoRbac(rest, options.argocd_namespace)
    access = None
    if kube is not None and not options.read_only:
        # Read-only sends no write request, and an access review is a `create`: none is made.
        from kftui.cluster.access import KubeAccessReview

        access = KubeAccessReview(kube)
    gate = Gate(
        options.read_only,
        audit,
        context=context,
        access=access,
        argocd_namespace=options.argocd_namespace,
        argo_access=argo_access,
    )
    http_for = getattr(source, "http_for", None)  # the clusters read directly (cluster/remote.py)
    forwards = ForwardManager(kube, route=http_for)
    return FixRuntime(FixRunner(gate, argo, workloads, route=_workloads_route(http_for)), forwards, audit)


def _workloads_route(http_for: object) -> Callable[[str], WorkloadOps | None] | None:
    """Workload actions through the kube context of a cluster kftui reads directly, when the source has any."""
    if not callable(http_for):
        return None

    def route(context: str) -> WorkloadOps | None:
        from kftui.cluster.appops import KubeWorkloadOps

        http = http_for(context)
        return KubeWorkloadOps(http) if http is not None else None

    return route

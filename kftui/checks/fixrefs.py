"""The fixes a finding can offer, each with the CLI command an engineer would type instead.

Checks name fixes through these helpers so that ids, titles and commands are spelled once. fixes/plan.py
turns the same ids into executable plans.
"""

from __future__ import annotations

import shlex

from kftui.model import FixRef


def _q(value: str) -> str:
    return shlex.quote(value)


def sync(app: str) -> FixRef:
    return FixRef("sync", f"Sync {app}", f"argocd app sync {_q(app)}")


def sync_prune(app: str) -> FixRef:
    return FixRef("sync-prune", f"Sync {app} with prune", f"argocd app sync {_q(app)} --prune")


def force_sync(app: str) -> FixRef:
    return FixRef(
        "force-sync",
        f"Force sync {app} (delete and recreate what cannot be patched)",
        f"argocd app sync {_q(app)} --force",
    )


def replace_sync(app: str) -> FixRef:
    return FixRef("replace", f"Sync {app} with kubectl replace", f"argocd app sync {_q(app)} --replace")


def server_side_apply(app: str) -> FixRef:
    return FixRef(
        "server-side-apply", f"Sync {app} with server-side apply", f"argocd app sync {_q(app)} --server-side"
    )


def sync_crds_first(app: str) -> FixRef:
    return FixRef(
        "sync-crds-first",
        f"Sync only the CRDs of {app}, then the rest",
        f"argocd app sync {_q(app)} --resource 'apiextensions.k8s.io:CustomResourceDefinition:*'",
    )


def refresh(app: str) -> FixRef:
    return FixRef("refresh", f"Refresh {app}", f"argocd app get {_q(app)} --refresh")


def hard_refresh(app: str) -> FixRef:
    return FixRef(
        "hard-refresh",
        f"Hard refresh {app} (regenerate manifests)",
        f"argocd app get {_q(app)} --hard-refresh",
    )


def terminate(app: str) -> FixRef:
    return FixRef(
        "terminate", f"Terminate the running operation of {app}", f"argocd app terminate-op {_q(app)}"
    )


def ordered_sync(chain: tuple[str, ...]) -> FixRef:
    steps = " && ".join(f"argocd app sync {_q(a)} && argocd app wait {_q(a)} --health" for a in chain)
    return FixRef("ordered-sync", f"Sync {' -> '.join(chain)} in order, waiting for each", steps)


def restart(kind: str, namespace: str, name: str) -> FixRef:
    return FixRef(
        "restart",
        f"Restart {kind.lower()}/{name}",
        f"kubectl rollout restart {kind.lower()}/{_q(name)} -n {_q(namespace)}",
    )


def delete_pod(namespace: str, name: str) -> FixRef:
    return FixRef(
        "delete-pod",
        f"Delete pod {name} (its controller recreates it)",
        f"kubectl delete pod {_q(name)} -n {_q(namespace)}",
    )


def port_forward(namespace: str, service: str, local_port: int, port: int) -> FixRef:
    return FixRef(
        "port-forward",
        f"Port-forward svc/{service} to localhost:{local_port}",
        f"kubectl port-forward svc/{_q(service)} -n {_q(namespace)} {local_port}:{port}",
    )


def describe(kind: str, namespace: str | None, name: str) -> FixRef:
    ns = f" -n {_q(namespace)}" if namespace else ""
    return FixRef(
        "describe", f"Describe {kind.lower()}/{name}", f"kubectl describe {kind.lower()} {_q(name)}{ns}"
    )


def logs(namespace: str, pod: str, container: str = "") -> FixRef:
    c = f" -c {_q(container)}" if container else ""
    return FixRef(
        "logs", f"Show the previous logs of {pod}", f"kubectl logs {_q(pod)} -n {_q(namespace)}{c} --previous"
    )

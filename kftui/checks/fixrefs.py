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


def edit_manifests(app: str, path: str = "") -> FixRef:
    """A change in git, not in the cluster: kftui can only show where; the engineer edits and pushes."""
    where = path or "."
    return FixRef(
        "edit-manifests",
        f"Edit the manifests of {app} so each resource is included once",
        f"kustomize build {_q(where)}",
    )


def split_application(app: str, repo_url: str = "", dest_namespace: str = "") -> FixRef:
    repo = _q(repo_url) if repo_url else "REPO_URL"
    ns = _q(dest_namespace) if dest_namespace else "NAMESPACE"
    return FixRef(
        "split-application",
        f"Move one component out of {app} into its own Application",
        f"argocd app create {_q(app)}-COMPONENT --repo {repo} --path COMPONENT_PATH "
        f"--dest-server https://kubernetes.default.svc --dest-namespace {ns}",
    )


def wait_for_webhook(namespace: str, service: str, workload: tuple[str, str] | None = None) -> FixRef:
    """Wait until the webhook's backend is up: its workload's rollout when known, else its Endpoints."""
    if workload is not None:
        kind, name = workload
        command = f"kubectl rollout status {kind.lower()}/{_q(name)} -n {_q(namespace)} --timeout=5m"
    else:
        command = f"kubectl get endpoints {_q(service)} -n {_q(namespace)} --watch"
    return FixRef(
        "wait-for-webhook", f"Wait for svc/{service} in {namespace} to have ready endpoints", command
    )


def create_namespaces(names: tuple[str, ...] | list[str]) -> FixRef:
    listed = " ".join(_q(n) for n in names)
    return FixRef(
        "create-namespaces",
        f"Create namespace{'s' if len(names) > 1 else ''} {', '.join(names)}",
        f"kubectl create namespace {listed}"
        if len(names) == 1
        else " && ".join(f"kubectl create namespace {_q(n)}" for n in names),
    )


def sync_create_namespace(app: str) -> FixRef:
    return FixRef(
        "sync-create-namespace",
        f"Sync {app} with CreateNamespace=true",
        f"argocd app set {_q(app)} --sync-option CreateNamespace=true && argocd app sync {_q(app)}",
    )


def fix_source(app: str, namespace: str = "argocd") -> FixRef:
    return FixRef(
        "fix-source",
        f"Correct the source (repoURL, path, targetRevision) of {app}",
        f"kubectl edit application {_q(app)} -n {_q(namespace)}",
    )


def disable_auto_prune(app: str, namespace: str = "argocd") -> FixRef:
    patch = '{"spec":{"syncPolicy":{"automated":{"prune":false}}}}'
    return FixRef(
        "disable-auto-prune",
        f"Turn off automated prune for {app}",
        f"kubectl patch application {_q(app)} -n {_q(namespace)} --type merge -p {_q(patch)}",
    )

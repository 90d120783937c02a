"""The fixes a finding can offer, each with the CLI command an engineer would type instead.

Checks name fixes through these helpers so that ids, titles and commands are spelled once; the fix
registry (fixes/registry.py) names the same helper as each plannable fix's command builder. Commands are
argv lists (quoted only by `kftui.shellcmd`), and a word that selects what a command does (a kind, a
resource) comes from the kind registry (kftui/kinds.py), never from the cluster: a pod owner kind of
`Deployment; touch x; #` must not become part of `kubectl rollout restart`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from kftui.kinds import DESCRIBABLE, KINDS, RESTARTABLE
from kftui.model import ARGOCD_API, FixRef, HeldObject, Origin
from kftui.shellcmd import Argv


def offered(*refs: FixRef | None) -> tuple[FixRef, ...]:
    """The fixes that could be built: a helper returns None for a kind outside its table."""
    return tuple(filter(None, refs))  # (a FixRef is always true: this drops the Nones, at C speed)


def _ref(fix_id: str, title: str, *argvs: Sequence[str]) -> FixRef:
    return FixRef(fix_id, title, tuple(map(tuple, argvs)))


def _sync(app: str, *flags: str) -> Argv:
    return ("argocd", "app", "sync", app, *flags)


def sync(app: str) -> FixRef:
    return _ref("sync", f"Sync {app}", _sync(app))


def sync_prune(app: str) -> FixRef:
    return _ref("sync-prune", f"Sync {app} with prune", _sync(app, "--prune"))


def force_sync(app: str) -> FixRef:
    return _ref(
        "force-sync", f"Force sync {app} (delete and recreate what cannot be patched)", _sync(app, "--force")
    )


def replace_sync(app: str) -> FixRef:
    return _ref("replace", f"Sync {app} with kubectl replace", _sync(app, "--replace"))


def server_side_apply(app: str) -> FixRef:
    return _ref("server-side-apply", f"Sync {app} with server-side apply", _sync(app, "--server-side"))


def sync_crds_first(app: str) -> FixRef:
    return _ref(
        "sync-crds-first",
        f"Sync only the CRDs of {app}, then the rest",
        _sync(app, "--resource", "apiextensions.k8s.io:CustomResourceDefinition:*"),
    )


def refresh(app: str) -> FixRef:
    return _ref("refresh", f"Refresh {app}", ("argocd", "app", "get", app, "--refresh"))


def hard_refresh(app: str) -> FixRef:
    return _ref(
        "hard-refresh",
        f"Hard refresh {app} (regenerate manifests)",
        ("argocd", "app", "get", app, "--hard-refresh"),
    )


def terminate(app: str) -> FixRef:
    return _ref(
        "terminate", f"Terminate the running operation of {app}", ("argocd", "app", "terminate-op", app)
    )


def project_windows(project: str) -> FixRef:
    """A view: the project's sync windows and which are active (changing them is a policy decision)."""
    return _ref(
        "project-windows",
        f"List the sync windows of project {project}",
        ("argocd", "proj", "windows", "list", project),
    )


def delete_hook(app: str, kind: str, namespace: str, name: str, terminate_first: bool) -> FixRef | None:
    """Delete a sync hook (after terminating the operation that waits on it), or None for a kind kftui does not
    know (the word in `kubectl delete WORD` comes from the kind registry, never from the cluster)."""
    word = DESCRIBABLE.get(kind)
    if word is None or not namespace:
        return None
    steps: list[Argv] = [("argocd", "app", "terminate-op", app)] if terminate_first else []
    steps.append(("kubectl", "delete", word, name, "-n", namespace))
    first = "Terminate the operation of " + app + ", then delete" if terminate_first else "Delete"
    return _ref("delete-hook", f"{first} the hook {word}/{name}", *steps)


def _finalizer_patch(finalizers: Sequence[str]) -> str:
    return json.dumps(
        [
            {"op": "test", "path": "/metadata/finalizers", "value": list(finalizers)},
            {"op": "remove", "path": "/metadata/finalizers"},
        ]
    )


_RESOURCE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def remove_finalizers(
    kind: str, namespace: str | None, name: str, finalizers: Sequence[str], held: Sequence[HeldObject] = ()
) -> FixRef | None:
    """`kubectl patch --type=json`: remove metadata.finalizers, guarded by a test that they are still exactly
    `finalizers` (a patch that finds them changed fails instead of dropping a finalizer nobody saw).

    For a Namespace, `held` are the objects in it that keep it Terminating: each gets its own patch, named
    (`kubectl patch widgets.example.com w1 -n ns ...`). Their resource word comes from the namespace's
    condition, so only a well-formed `plural.group` is used (and every word is shell-quoted when shown).
    """
    word = DESCRIBABLE.get(kind)
    held = (
        [h for h in held if _RESOURCE.fullmatch(h.resource) and h.finalizers] if kind == "Namespace" else []
    )
    if word is None or not (finalizers or held):
        return None
    steps: list[Argv] = [
        (
            "kubectl",
            "patch",
            h.resource,
            h.name,
            "-n",
            h.namespace,
            "--type=json",
            "-p",
            _finalizer_patch(h.finalizers),
        )
        for h in held
    ]
    ns = ("-n", namespace) if namespace and KINDS[kind].namespaced else ()
    if finalizers:
        steps.append(("kubectl", "patch", word, name, *ns, "--type=json", "-p", _finalizer_patch(finalizers)))
    if held:
        what = f"{len(held)} object{'' if len(held) == 1 else 's'} holding {word}/{name}"
        title = f"Remove the finalizers of {what} (what they guard is orphaned)"
    else:
        title = f"Remove the finalizers of {word}/{name} (what they guard is orphaned)"
    return _ref("remove-finalizers", title, *steps)


def ordered_sync(chain: tuple[str, ...]) -> FixRef:
    steps: list[Argv] = []
    for app in chain:
        steps += [_sync(app), ("argocd", "app", "wait", app, "--health")]
    return _ref("ordered-sync", f"Sync {' -> '.join(chain)} in order, waiting for each", *steps)


def restart(kind: str, namespace: str, name: str) -> FixRef | None:
    """`kubectl rollout restart`, or None when `kind` is not one kubectl can restart (the fix is not offered)."""
    resource = RESTARTABLE.get(kind)
    if resource is None:
        return None
    return _ref(
        "restart",
        f"Restart {resource}/{name}",
        ("kubectl", "rollout", "restart", f"{resource}/{name}", "-n", namespace),
    )


def _recreated(controlled: bool) -> str:
    return "its controller recreates it" if controlled else "nothing recreates it"


def delete_pod(namespace: str, name: str, controlled: bool = True) -> FixRef:
    return _ref(
        "delete-pod",
        f"Delete pod {name} ({_recreated(controlled)})",
        ("kubectl", "delete", "pod", name, "-n", namespace),
    )


def argo_restart(app: str, kind: str, namespace: str, name: str) -> FixRef | None:
    """Argo CD's `restart` resource action on a workload of `app` (a cluster kftui reaches only through Argo
    CD), or None for a kind that has no such action."""
    if kind not in RESTARTABLE:
        return None
    return _ref(
        "restart",
        f"Restart {kind}/{name} through Argo CD ({app})",
        ("argocd", "app", "actions", "run", app, "restart", "--kind", kind, "--resource-name", name,
         "--namespace", namespace),
    )  # fmt: skip


def argo_delete_pod(app: str, namespace: str, name: str, controlled: bool = True) -> FixRef:
    """Argo CD deletes a pod of `app` on a cluster kftui reaches only through Argo CD."""
    return _ref(
        "delete-pod",
        f"Delete pod {name} through Argo CD ({app}; {_recreated(controlled)})",
        ("argocd", "app", "delete-resource", app, "--kind", "Pod", "--resource-name", name,
         "--namespace", namespace),
    )  # fmt: skip


def port_forward(namespace: str, service: str, local_port: int, port: int) -> FixRef:
    return _ref(
        "port-forward",
        f"Port-forward svc/{service} to localhost:{local_port}",
        ("kubectl", "port-forward", f"svc/{service}", "-n", namespace, f"{local_port:d}:{port:d}"),
    )


def describe(kind: str, namespace: str | None, name: str) -> FixRef | None:
    """`kubectl describe`, or None when `kind` is not in DESCRIBABLE."""
    resource = DESCRIBABLE.get(kind)
    if resource is None:
        return None
    ns = ("-n", namespace) if namespace else ()
    return _ref("describe", f"Describe {resource}/{name}", ("kubectl", "describe", resource, name, *ns))


def logs(namespace: str, pod: str, container: str = "") -> FixRef:
    c = ("-c", container) if container else ()
    return _ref(
        "logs",
        f"Show the previous logs of {pod}",
        ("kubectl", "logs", pod, "-n", namespace, *c, "--previous"),
    )


def argo_logs(app: str, namespace: str, pod: str, container: str = "") -> FixRef:
    """The previous logs of a pod of `app` on a cluster kftui reaches only through Argo CD."""
    c = ("--container", container) if container else ()
    return _ref(
        "logs",
        f"Show the previous logs of {pod} through Argo CD ({app})",
        (
            "argocd",
            "app",
            "logs",
            app,
            "--kind",
            "Pod",
            "--name",
            pod,
            "--namespace",
            namespace,
            *c,
            "--previous",
        ),
    )


def argo_describe(app: str, kind: str, name: str) -> FixRef:
    """The live manifest of an object of `app` through Argo CD: the nearest to `kubectl describe` it offers
    (`get-resource` has no namespace flag; kind and name pick the object among the app's)."""
    return _ref(
        "describe",
        f"Show the live {kind}/{name} through Argo CD ({app})",
        ("argocd", "app", "get-resource", app, "--kind", kind, "--resource-name", name, "-o", "yaml"),
    )


# The fixes of an object that may be on a cluster kftui reads through Argo CD only (its origin's path is
# ARGOCD_API): there Argo CD does them, through the app that manages the object; elsewhere kubectl does
# (checks/provenance.py adds `--context` for a cluster read through a kube context of its own).


def _argo_app(origin: Origin | None, app: str | None) -> str | None:
    return app if origin is not None and origin.path == ARGOCD_API else None


def restart_of(origin: Origin | None, app: str | None, kind: str, namespace: str, name: str) -> FixRef | None:
    argo = _argo_app(origin, app)
    return argo_restart(argo, kind, namespace, name) if argo else restart(kind, namespace, name)


def logs_of(origin: Origin | None, app: str | None, namespace: str, pod: str, container: str = "") -> FixRef:
    argo = _argo_app(origin, app)
    return argo_logs(argo, namespace, pod, container) if argo else logs(namespace, pod, container)


def delete_pod_of(origin: Origin | None, app: str | None, namespace: str, name: str) -> FixRef:
    argo = _argo_app(origin, app)
    return argo_delete_pod(argo, namespace, name) if argo else delete_pod(namespace, name)


def describe_of(
    origin: Origin | None, app: str | None, kind: str, namespace: str, name: str
) -> FixRef | None:
    argo = _argo_app(origin, app)
    return argo_describe(argo, kind, name) if argo else describe(kind, namespace, name)


def edit_manifests(app: str, path: str = "") -> FixRef:
    """A change in git, not in the cluster: kftui can only show where; the engineer edits and pushes."""
    return _ref(
        "edit-manifests",
        f"Edit the manifests of {app} so each resource is included once",
        ("kustomize", "build", path or "."),
    )


def split_application(app: str, repo_url: str = "", dest_namespace: str = "") -> FixRef:
    # The capitalised words are placeholders the engineer replaces.
    return _ref(
        "split-application",
        f"Move one component out of {app} into its own Application",
        (
            "argocd", "app", "create", f"{app}-COMPONENT",
            "--repo", repo_url or "REPO_URL",
            "--path", "COMPONENT_PATH",
            "--dest-server", "https://kubernetes.default.svc",
            "--dest-namespace", dest_namespace or "NAMESPACE",
        ),
    )  # fmt: skip


def wait_for_webhook(namespace: str, service: str, workload: tuple[str, str] | None = None) -> FixRef:
    """Wait until the webhook's backend is up: its workload's rollout when known, else its Endpoints."""
    resource = RESTARTABLE.get(workload[0]) if workload is not None else None
    if workload is not None and resource is not None:
        argv: Argv = (
            "kubectl",
            "rollout",
            "status",
            f"{resource}/{workload[1]}",
            "-n",
            namespace,
            "--timeout=5m",
        )
    else:
        argv = ("kubectl", "get", "endpoints", service, "-n", namespace, "--watch")
    return _ref("wait-for-webhook", f"Wait for svc/{service} in {namespace} to have ready endpoints", argv)


def wait_for_webhook_of(
    origin: Origin | None, app: str | None, namespace: str, service: str, workload: tuple[str, str] | None
) -> FixRef:
    """wait_for_webhook, or on a cluster kftui reaches only through Argo CD, Argo CD waiting for the app that
    runs the webhook to be Healthy (its workload's rollout is part of that health)."""
    argo = _argo_app(origin, app)
    if argo is None:
        return wait_for_webhook(namespace, service, workload)
    return _ref(
        "wait-for-webhook",
        f"Wait through Argo CD for {argo} to be Healthy (svc/{service} in {namespace} has ready pods then)",
        ("argocd", "app", "wait", argo, "--health", "--timeout", "300"),
    )


def create_namespaces(names: tuple[str, ...] | list[str]) -> FixRef:
    return _ref(
        "create-namespaces",
        f"Create namespace{'s' if len(names) > 1 else ''} {', '.join(names)}",
        *(("kubectl", "create", "namespace", n) for n in names),
    )


def sync_create_namespace(app: str) -> FixRef:
    return _ref(
        "sync-create-namespace",
        f"Sync {app} with CreateNamespace=true",
        ("argocd", "app", "set", app, "--sync-option", "CreateNamespace=true"),
        _sync(app),
    )


def fix_source(app: str, namespace: str = "argocd") -> FixRef:
    return _ref(
        "fix-source",
        f"Correct the source (repoURL, path, targetRevision) of {app}",
        ("kubectl", "edit", "application", app, "-n", namespace),
    )


def disable_auto_prune(app: str, namespace: str = "argocd") -> FixRef:
    patch = '{"spec":{"syncPolicy":{"automated":{"prune":false}}}}'
    return _ref(
        "disable-auto-prune",
        f"Turn off automated prune for {app}",
        ("kubectl", "patch", "application", app, "-n", namespace, "--type", "merge", "-p", patch),
    )


def ignore_drift(app: str, namespace: str, patch: str) -> FixRef:
    """Add ignoreDifferences entries to an app: `patch` is the JSON merge patch (lists written in full)."""
    return _ref(
        "ignore-drift",
        f"Ignore the explained drift of {app} (ignoreDifferences)",
        ("kubectl", "patch", "application", app, "-n", namespace, "--type=merge", "-p", patch),
    )

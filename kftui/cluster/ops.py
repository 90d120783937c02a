"""The seam between fixes/ and the backends that carry them out: request types, errors, protocols.

Pure on purpose (no client library): fixes/plan.py builds these requests, and the two Argo CD backends
(cluster/appops.py over the Kubernetes API, cluster/argocd.py over Argo CD's REST API) accept them.
Tests substitute their own implementation of these protocols, never the HTTP library underneath.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from kftui.model import Application, HeldObject

# Sync options the argocd CLI adds for its flags (cmd/argocd/commands/app.go).
REPLACE = "Replace=true"
SERVER_SIDE_APPLY = "ServerSideApply=true"
CREATE_NAMESPACE = "CreateNamespace=true"

REFRESH_ANNOTATION = "argocd.argoproj.io/refresh"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"


@dataclass(frozen=True, slots=True)
class ResourceSel:
    """One entry of operation.sync.resources (SyncOperationResource): group, kind, name, namespace."""

    group: str
    kind: str
    name: str
    namespace: str = ""

    def as_json(self) -> dict[str, str]:
        out = {"group": self.group, "kind": self.kind, "name": self.name}
        if self.namespace:
            out["namespace"] = self.namespace
        return out


@dataclass(frozen=True, slots=True)
class SyncRequest:
    """What `argocd app sync` sends: prune, force (syncStrategy.hook.force), extra sync options, resources."""

    prune: bool = False
    force: bool = False
    sync_options: tuple[str, ...] = ()
    resources: tuple[ResourceSel, ...] = ()
    dry_run: bool = False

    def strategy_json(self) -> dict[str, dict[str, bool]]:
        """The CLI's default strategy is `hook`; --force sets hook.force (SyncStrategyHook embeds apply)."""
        return {"hook": {"force": True}} if self.force else {"hook": {}}


@dataclass(frozen=True, slots=True)
class ArgoResource:
    """One resource of an Application's tree as Argo CD's resource endpoints name it (ApplicationResourceRequest:
    group, version, kind, namespace, resourceName), acted on through the Application that manages it."""

    app: str
    group: str
    version: str
    kind: str
    namespace: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.namespace}/{self.name} of {self.app}"


class ActionError(Exception):
    """A backend could not carry out an action; the message is one line for the user (never a token)."""


class OperationInProgress(ActionError):
    """Argo CD refuses a second operation while one is set (util/argo SetAppOperation)."""


class NoOperation(ActionError):
    """Terminate asked for while no operation is running."""


class ArgoOps(Protocol):
    """Argo CD Application actions, as a backend offers them."""

    @property
    def name(self) -> str:
        """ "kubernetes" or "argocd-rest": shown in the preview and written to the audit log."""
        ...

    @property
    def endpoint(self) -> str:
        """Where the actions go (API server or Argo CD server URL), for the audit log."""
        ...

    def get_app(self, name: str) -> Application:
        """The Application now (raises ActionError when it cannot be read)."""
        ...

    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        """Start a sync; returns a one-line description of what was written."""
        ...

    def refresh(self, name: str, hard: bool) -> str: ...

    def terminate(self, name: str) -> str: ...

    def add_sync_option(self, name: str, option: str) -> str:
        """`argocd app set NAME --sync-option OPTION`: add it to spec.syncPolicy.syncOptions."""
        ...

    def disable_auto_prune(self, name: str) -> str:
        """spec.syncPolicy.automated.prune = false."""
        ...

    def add_ignore_differences(self, name: str, entries: Sequence[Mapping[str, Any]]) -> str:
        """Append `entries` to spec.ignoreDifferences and the sync options they need (kftui/drift.py
        merged_patch), keeping what the Application has, read just before the write."""
        ...


@runtime_checkable
class ArgoResourceOps(Protocol):
    """Argo CD acting on one resource of an Application's tree, on whatever cluster it deploys to: what kftui
    uses on a cluster it reads through Argo CD's API (no kube credentials there). Only Argo CD's REST API
    offers this (cluster/argocd.py); Argo CD's RBAC decides."""

    def run_resource_action(self, resource: ArgoResource, action: str) -> str:
        """Run the resource action `action` (a built-in such as `restart`) on `resource`."""
        ...

    def delete_resource(self, resource: ArgoResource) -> str:
        """Delete `resource` (foreground propagation, as `argocd app delete-resource` without flags)."""
        ...


class WorkloadOps(Protocol):
    """Plain Kubernetes actions: restart a workload, delete a pod or a hook, remove finalizers."""

    def restart(self, kind: str, namespace: str, name: str, at: str) -> str: ...

    def delete_pod(self, namespace: str, name: str) -> str: ...

    def create_namespace(self, name: str) -> str: ...

    def delete_object(self, kind: str, namespace: str, name: str) -> str:
        """Delete one object of a kind in the kind registry (its dependents in the background)."""
        ...

    def remove_finalizers(self, kind: str, namespace: str, name: str, finalizers: tuple[str, ...]) -> str:
        """Remove metadata.finalizers, failing when they are no longer exactly `finalizers`."""
        ...

    def release(self, held: HeldObject) -> str:
        """Remove the finalizers of an object that holds a namespace, failing when they changed since listed."""
        ...


# --- permissions: what an action needs from the Kubernetes authorizer, and what it answered ---------


@dataclass(frozen=True, slots=True)
class Permission:
    """One request the API server authorizes: the fields of a SelfSubjectAccessReview's resourceAttributes.

    An empty namespace is cluster-wide (or a cluster-scoped resource); an empty name means any name (RBAC
    rules limited to resourceNames then do not count, so asking without a name is the cautious question).
    """

    verb: str
    resource: str
    group: str = ""
    namespace: str = ""
    name: str = ""
    subresource: str = ""

    def describe(self) -> str:
        """`kubectl auth can-i` style: "update applications.argoproj.io/drift in argocd"."""
        what = f"{self.resource}.{self.group}" if self.group else self.resource
        if self.subresource:
            what += f"/{self.subresource}" + (f" {self.name}" if self.name else "")
        elif self.name:
            what += f"/{self.name}"
        where = f" in {self.namespace}" if self.namespace else " (cluster-wide)"
        return f"{self.verb} {what}{where}"


@dataclass(frozen=True, slots=True)
class Access:
    """The authorizer's answer to one Permission. `allowed` is None when the question could not be asked
    (network, an old server, a malformed answer): unknown, which never blocks an action."""

    allowed: bool | None
    reason: str = ""

    @property
    def denied(self) -> bool:
        return self.allowed is False


class AccessReview(Protocol):
    """Asks the cluster what the current credentials may do (cluster/access.py: SelfSubjectAccessReview).

    `review` may block on the network and is called from worker threads only; `cached` and `user` never
    do I/O, so the UI can ask them on the event loop. Nothing raises: an unanswered question is
    Access(None) from `review` and None from `cached`.
    """

    def review(self, permission: Permission) -> Access: ...

    def cached(self, permission: Permission) -> Access | None: ...

    def user(self) -> str:
        """Who the credentials are (system:serviceaccount:argocd:kftui), learnt by the first `review`;
        "" until then or when the server cannot say."""
        ...

"""Argo CD actions through the Kubernetes API only (the default backend: a kubeconfig is enough).

A sync is requested the way Argo CD's API server does it (server/application/application.go Sync, then
util/argo SetAppOperation): read the Application, refuse if `.operation` is already set, write the
operation and clear status.operationState in one update guarded by the resourceVersion that was read,
and on a conflict read again and retry. Terminate mirrors TerminateOperation (operationState.phase =
Terminating); refresh sets the argocd.argoproj.io/refresh annotation the controller consumes.

One deliberate difference from the API server: when extra sync options are asked for (Replace=true,
ServerSideApply=true), the server replaces the app's own syncOptions with them, which silently drops
CreateNamespace=true and friends for that sync. We keep the app's options and add the requested ones.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from kftui.cluster.applications import application
from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp, describe_connection_error
from kftui.cluster.ops import (
    REFRESH_ANNOTATION,
    RESTARTED_AT_ANNOTATION,
    ActionError,
    NoOperation,
    OperationInProgress,
    SyncRequest,
)
from kftui.drift import merged_patch
from kftui.kinds import KINDS
from kftui.model import Application, HeldObject
from kftui.wording import plural

CONFLICT_RETRIES = 10
APPLICATION = KINDS["Application"]


def build_operation(app: dict[str, Any], request: SyncRequest, initiated_by: str) -> dict[str, Any]:
    """The `operation` object for a sync, as the API server builds it from an ApplicationSyncRequest."""
    spec = app.get("spec") or {}
    policy = spec.get("syncPolicy") or {}
    sync: dict[str, Any] = {}
    if spec.get("sources"):
        sync["sources"] = copy.deepcopy(spec["sources"])
        sync["revisions"] = [str(s.get("targetRevision") or "HEAD") for s in spec["sources"]]
    elif spec.get("source"):
        sync["source"] = copy.deepcopy(spec["source"])
        sync["revision"] = str(spec["source"].get("targetRevision") or "HEAD")
    if request.prune:
        sync["prune"] = True
    if request.dry_run:
        sync["dryRun"] = True
    sync["syncStrategy"] = request.strategy_json()
    options = list(policy.get("syncOptions") or ())
    options += [o for o in request.sync_options if o not in options]
    if options:
        sync["syncOptions"] = options
    if request.resources:
        sync["resources"] = [r.as_json() for r in request.resources]
    operation: dict[str, Any] = {"sync": sync, "initiatedBy": {"username": initiated_by}}
    if policy.get("retry"):
        operation["retry"] = copy.deepcopy(policy["retry"])
    return operation


def _describe(request: SyncRequest) -> str:
    parts = []
    if request.prune:
        parts.append("prune")
    if request.force:
        parts.append("force")
    parts.extend(request.sync_options)
    if request.resources:
        parts.append(plural(len(request.resources), "resource"))
    return f" ({', '.join(parts)})" if parts else ""


@contextmanager
def action_errors(what: str, server: str, by_status: Mapping[int, str] | None = None) -> Iterator[None]:
    """Turn the API server's refusal or a lost connection into one ActionError line naming the action.

    `by_status` gives the line for answers that mean something specific (404: already gone, 409: exists).
    """
    try:
        yield
    except KubeApiError as exc:
        if by_status and exc.status in by_status:
            raise ActionError(by_status[exc.status]) from None
        raise ActionError(f"{what} failed: {exc.message}") from None
    except CONNECTION_ERRORS as exc:
        raise ActionError(describe_connection_error(exc, server)) from None


class KubeAppOps:
    """ArgoOps over the Kubernetes API, through the HTTP seam."""

    name = "kubernetes"

    def __init__(self, kube: KubeHttp, argocd_namespace: str = "argocd") -> None:
        self.kube = kube
        self.argocd_namespace = argocd_namespace

    @property
    def endpoint(self) -> str:
        return self.kube.server

    def _path(self, name: str) -> str:
        return f"{APPLICATION.path(self.argocd_namespace)}/{name}"

    def _get_raw(self, name: str) -> dict[str, Any]:
        try:
            raw = self.kube.get_json(self._path(name))
        except KubeApiError as exc:
            if exc.status == 404:
                raise ActionError(f"Application {self.argocd_namespace}/{name} not found") from None
            raise ActionError(f"cannot read Application {name}: {exc.message}") from None
        except CONNECTION_ERRORS as exc:
            raise ActionError(describe_connection_error(exc, self.kube.server)) from None
        if not isinstance(raw, dict):
            raise ActionError(f"unexpected answer reading Application {name}")
        return raw

    def _put(self, name: str, body: dict[str, Any]) -> bool:
        """Update the Application; False on a resourceVersion conflict (the caller reads again)."""
        try:
            self.kube.send_json("PUT", self._path(name), body)
        except KubeApiError as exc:
            if exc.status == 409:
                return False
            raise ActionError(f"updating Application {name} failed: {exc.message}") from None
        except CONNECTION_ERRORS as exc:
            raise ActionError(describe_connection_error(exc, self.kube.server)) from None
        return True

    def get_app(self, name: str) -> Application:
        return application(self._get_raw(name))

    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        for _ in range(CONFLICT_RETRIES):
            raw = self._get_raw(name)
            if raw.get("operation"):
                raise OperationInProgress(f"{name}: another operation is already in progress")
            if (raw.get("metadata") or {}).get("deletionTimestamp"):
                raise ActionError(f"{name}: application is deleting")
            raw["operation"] = build_operation(raw, request, initiated_by)
            status = raw.get("status")
            if isinstance(status, dict):
                status.pop("operationState", None)
            if self._put(name, raw):
                return f"sync of {name} requested{_describe(request)}"
        raise ActionError(f"{name}: the Application kept changing ({CONFLICT_RETRIES} update conflicts)")

    def refresh(self, name: str, hard: bool) -> str:
        kind = "hard" if hard else "normal"
        body = {"metadata": {"annotations": {REFRESH_ANNOTATION: kind}}}
        with action_errors(f"refresh of {name}", self.kube.server):
            self.kube.send_json("PATCH", self._path(name), body, content_type="application/merge-patch+json")
        return f"{kind} refresh of {name} requested"

    def terminate(self, name: str) -> str:
        for _ in range(CONFLICT_RETRIES):
            raw = self._get_raw(name)
            state = (raw.get("status") or {}).get("operationState")
            if not raw.get("operation") or not isinstance(state, dict):
                raise NoOperation(f"{name}: unable to terminate operation, no operation is in progress")
            state["phase"] = "Terminating"
            if self._put(name, raw):
                return f"termination of the running operation of {name} requested"
        raise ActionError(f"{name}: the Application kept changing ({CONFLICT_RETRIES} update conflicts)")

    def add_sync_option(self, name: str, option: str) -> str:
        for _ in range(CONFLICT_RETRIES):
            raw = self._get_raw(name)
            spec = raw.setdefault("spec", {})
            policy = spec.get("syncPolicy") or {}
            options = list(policy.get("syncOptions") or ())
            if option in options:
                return f"{name} already has sync option {option}"
            spec["syncPolicy"] = {**policy, "syncOptions": [*options, option]}
            if self._put(name, raw):
                return f"sync option {option} added to {name}"
        raise ActionError(f"{name}: the Application kept changing ({CONFLICT_RETRIES} update conflicts)")

    def disable_auto_prune(self, name: str) -> str:
        body = {"spec": {"syncPolicy": {"automated": {"prune": False}}}}
        with action_errors(f"turning off automated prune of {name}", self.kube.server):
            self.kube.send_json("PATCH", self._path(name), body, content_type="application/merge-patch+json")
        return f"automated prune turned off for {name}"

    def add_ignore_differences(self, name: str, entries: Sequence[Mapping[str, Any]]) -> str:
        for _ in range(CONFLICT_RETRIES):
            raw = self._get_raw(name)
            spec = raw.setdefault("spec", {})
            policy = spec.get("syncPolicy") or {}
            merged = merged_patch(
                entries, spec.get("ignoreDifferences") or (), policy.get("syncOptions") or ()
            )
            spec["ignoreDifferences"] = merged["spec"]["ignoreDifferences"]
            spec["syncPolicy"] = {**policy, **merged["spec"]["syncPolicy"]}
            if self._put(name, raw):  # guarded by the resourceVersion read: a conflict reads again
                return f"{len(entries)} ignoreDifferences entr{'y' if len(entries) == 1 else 'ies'} added to {name}"
        raise ActionError(f"{name}: the Application kept changing ({CONFLICT_RETRIES} update conflicts)")


class KubeWorkloadOps:
    """WorkloadOps over the Kubernetes API: `kubectl rollout restart` and `kubectl delete pod`."""

    def __init__(self, kube: KubeHttp) -> None:
        self.kube = kube

    def restart(self, kind: str, namespace: str, name: str, at: str) -> str:
        known = KINDS.get(kind)
        if known is None or not known.restartable:
            raise ActionError(f"cannot restart a {kind}")
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: at}}}}}
        with action_errors(f"restart of {kind.lower()}/{name}", self.kube.server):
            self.kube.send_json(
                "PATCH",
                f"{known.path(namespace)}/{name}",
                body,
                content_type="application/strategic-merge-patch+json",
            )
        return f"{kind.lower()}/{name} restarted (restartedAt {at})"

    def delete_pod(self, namespace: str, name: str) -> str:
        gone = {404: f"pod {namespace}/{name} is already gone"}
        with action_errors(f"deleting pod {namespace}/{name}", self.kube.server, gone):
            self.kube.send_json("DELETE", f"{KINDS['Pod'].path(namespace)}/{name}", None)
        return f"pod {namespace}/{name} deleted"

    def create_namespace(self, name: str) -> str:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        exists = {409: f"namespace {name} already exists"}
        with action_errors(f"creating namespace {name}", self.kube.server, exists):
            self.kube.send_json("POST", KINDS["Namespace"].path(), body)
        return f"namespace {name} created"

    def delete_object(self, kind: str, namespace: str, name: str) -> str:
        known = KINDS.get(kind)
        if known is None:
            raise ActionError(f"cannot delete a {kind}")
        where = f"{kind.lower()} {namespace}/{name}" if namespace else f"{kind.lower()} {name}"
        # Background: a Job's pods go too, as with `kubectl delete job`.
        body = {"apiVersion": "v1", "kind": "DeleteOptions", "propagationPolicy": "Background"}
        try:
            with action_errors(f"deleting {where}", self.kube.server, {404: "gone"}):
                self.kube.send_json("DELETE", known.object_path(namespace, name), body)
        except ActionError as exc:
            if str(exc) != "gone":
                raise
            # What was to be deleted is not there (Argo CD's terminate deletes the hooks it sees running).
            return f"{where} was already gone"
        return f"{where} deleted"

    def remove_finalizers(self, kind: str, namespace: str, name: str, finalizers: tuple[str, ...]) -> str:
        known = KINDS.get(kind)
        if known is None:
            raise ActionError(f"cannot patch a {kind}")
        where = (
            f"{kind.lower()} {namespace}/{name}"
            if namespace and known.namespaced
            else f"{kind.lower()} {name}"
        )
        return self._unfinalize(known.object_path(namespace, name), where, finalizers)

    def release(self, held: HeldObject) -> str:
        # The path was resolved by discovery when the object was listed (cluster/held.py).
        return self._unfinalize(held.path, f"{held.resource} {held.namespace}/{held.name}", held.finalizers)

    def _unfinalize(self, path: str, where: str, finalizers: tuple[str, ...]) -> str:
        """A JSON patch that removes metadata.finalizers only while they are still exactly `finalizers`."""
        patch = [
            {"op": "test", "path": "/metadata/finalizers", "value": list(finalizers)},
            {"op": "remove", "path": "/metadata/finalizers"},
        ]
        changed = {
            422: f"the finalizers of {where} changed since they were read: look again before removing them"
        }
        with action_errors(f"removing the finalizers of {where}", self.kube.server, changed):
            self.kube.send_json("PATCH", path, patch, content_type="application/json-patch+json")
        return f"finalizers {', '.join(finalizers)} removed from {where}"

"""Argo CD Applications, reduced to what diagnosis needs: spec, sync and health status, operation, resources."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kftui.model.objects import Key, ObjectRef, no_entries


@dataclass(frozen=True, slots=True)
class Condition:
    """One entry of an Application's status.conditions (ComparisonError, SharedResourceWarning, ...)."""

    type: str
    message: str
    last_transition: datetime | None = None


@dataclass(frozen=True, slots=True)
class ManagedResource:
    """One entry of status.resources: what Argo CD manages for the app and how it compares."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    sync_status: str = ""
    health_status: str = ""
    health_message: str = ""
    hook: bool = False
    requires_pruning: bool = False
    sync_wave: int = 0

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace or None, self.name)


ManagedId = tuple[str, str | None, str]
"""A managed resource by (kind, namespace or None, name), as two Applications would both list it."""


@dataclass(frozen=True, slots=True)
class ResourceResult:
    """One entry of status.operationState.syncResult.resources: what the last sync did to a resource."""

    group: str
    version: str
    kind: str
    namespace: str
    name: str
    status: str = ""
    message: str = ""
    hook_phase: str = ""
    sync_phase: str = ""
    hook_type: str = ""
    """PreSync, Sync, PostSync, SyncFail...: set for hooks only (Argo CD also gives plain resources a hookPhase)."""

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace or None, self.name)


@dataclass(frozen=True, slots=True)
class SyncOperation:
    """The sync part of an operation, as written to .operation or echoed in status.operationState.operation."""

    revision: str = ""
    prune: bool = False
    dry_run: bool = False
    force: bool = False
    sync_options: tuple[str, ...] = ()
    resources: tuple[ObjectRef, ...] = ()
    initiated_by: str = ""
    automated: bool = False


@dataclass(frozen=True, slots=True)
class OperationState:
    """status.operationState: the last (or running) operation and its outcome."""

    phase: str
    message: str = ""
    started_at: datetime | None = None
    finished_at: datetime | None = None
    operation: SyncOperation | None = None
    results: tuple[ResourceResult, ...] = ()
    retry_count: int = 0


@dataclass(frozen=True, slots=True)
class Application:
    """An argoproj.io/v1alpha1 Application, reduced to what diagnosis needs."""

    name: str
    namespace: str
    project: str = "default"
    repo_url: str = ""
    path: str = ""
    target_revision: str = ""
    dest_server: str = ""
    """spec.destination.server, or its name when only a name is given (what sync windows match)."""
    dest_name: str = ""
    """spec.destination.name: a cluster registered in Argo CD by name (model/clusters.py resolves it)."""
    dest_namespace: str = ""
    automated: bool = False
    auto_prune: bool = False
    self_heal: bool = False
    sync_options: tuple[str, ...] = ()
    sync_status: str = "Unknown"
    sync_revision: str = ""
    health_status: str = "Unknown"
    health_message: str = ""
    operation: SyncOperation | None = None
    operation_state: OperationState | None = None
    conditions: tuple[Condition, ...] = ()
    resources: tuple[ManagedResource, ...] = ()
    sync_wave: int | None = None
    annotations: Mapping[str, str] = field(default_factory=no_entries)
    labels: Mapping[str, str] = field(default_factory=no_entries)
    reconciled_at: datetime | None = None
    created_at: datetime | None = None
    resource_version: str = ""
    deleting_since: datetime | None = None
    finalizers: tuple[str, ...] = ()
    ignore_differences: tuple[Mapping[str, Any], ...] = ()
    """spec.ignoreDifferences as written (the drift fix adds to it and must keep what is there)."""
    managed_ids: frozenset[ManagedId] = field(init=False, repr=False, compare=False)
    """(kind, namespace or None, name) of every resource in status.resources but hooks: what the app claims to
    own. A set, built once with the app, so the shared-resource check compares 1,500 apps' 75,000 resources
    with set operations, which reuse the hashes stored here, instead of a Python loop over every entry."""

    def __post_init__(self) -> None:
        ids = frozenset((r.kind, r.namespace or None, r.name) for r in self.resources if not r.hook)
        object.__setattr__(self, "managed_ids", ids)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Application", self.namespace, self.name)

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

    @property
    def operation_phase(self) -> str:
        """Running when an operation is requested or in flight; otherwise the last operation's phase."""
        if self.operation is not None and (
            self.operation_state is None or self.operation_state.phase in ("", "Running", "Terminating")
        ):
            return (
                self.operation_state.phase
                if self.operation_state and self.operation_state.phase
                else "Running"
            )
        return self.operation_state.phase if self.operation_state else ""

    @property
    def target_namespaces(self) -> tuple[str, ...]:
        """The namespaces the app deploys into: its destination plus every namespace its resources name."""
        seen: dict[str, None] = {}
        if self.dest_namespace:
            seen[self.dest_namespace] = None
        for res in self.resources:
            if res.kind == "Namespace":
                seen[res.name] = None
            elif res.namespace:
                seen[res.namespace] = None
        return tuple(seen)

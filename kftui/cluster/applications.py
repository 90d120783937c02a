"""Argo CD Applications as raw JSON -> Application: source, sync policy, the operation and its state, managed resources;
and AppProjects -> AppProject (their sync windows)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kftui.cluster.fields import (
    as_bool,
    as_int,
    as_list,
    as_map,
    as_str,
    meta_of,
    object_ref,
    parse_time,
    str_map,
    str_tuple,
)
from kftui.model import (
    Application,
    AppProject,
    Condition,
    ManagedResource,
    OperationState,
    ResourceResult,
    SyncOperation,
    SyncWindow,
)

SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"


def _sync_wave(annotations: Mapping[str, str]) -> int | None:
    raw = annotations.get(SYNC_WAVE_ANNOTATION)
    if raw is None:
        return None
    try:
        return int(raw.strip())
    except ValueError:
        return None


def _sync_operation(raw: Any) -> SyncOperation | None:
    op = as_map(raw)
    if not op:
        return None
    sync = as_map(op.get("sync"))
    strategy = as_map(sync.get("syncStrategy"))
    force = as_bool(as_map(strategy.get("hook")).get("force")) or as_bool(
        as_map(strategy.get("apply")).get("force")
    )
    initiated = as_map(op.get("initiatedBy"))
    return SyncOperation(
        revision=as_str(sync.get("revision")),
        prune=as_bool(sync.get("prune")),
        dry_run=as_bool(sync.get("dryRun")),
        force=force,
        sync_options=str_tuple(sync.get("syncOptions")),
        resources=tuple(object_ref(r) for r in as_list(sync.get("resources"))),
        initiated_by=as_str(initiated.get("username")),
        automated=as_bool(initiated.get("automated")),
    )


def _operation_state(raw: Any) -> OperationState | None:
    state = as_map(raw)
    if not state:
        return None
    results = tuple(
        ResourceResult(
            group=as_str(r.get("group")),
            version=as_str(r.get("version")),
            kind=as_str(r.get("kind")),
            namespace=as_str(r.get("namespace")),
            name=as_str(r.get("name")),
            status=as_str(r.get("status")),
            message=as_str(r.get("message")),
            hook_phase=as_str(r.get("hookPhase")),
            sync_phase=as_str(r.get("syncPhase")),
            hook_type=as_str(r.get("hookType")),
        )
        for r in map(as_map, as_list(as_map(state.get("syncResult")).get("resources")))
    )
    return OperationState(
        phase=as_str(state.get("phase")),
        message=as_str(state.get("message")),
        started_at=parse_time(state.get("startedAt")),
        finished_at=parse_time(state.get("finishedAt")),
        operation=_sync_operation(state.get("operation")),
        results=results,
        retry_count=as_int(state.get("retryCount")),
    )


def _managed_resource(raw: Any) -> ManagedResource:
    r = as_map(raw)
    health = as_map(r.get("health"))
    return ManagedResource(
        group=as_str(r.get("group")),
        version=as_str(r.get("version")),
        kind=as_str(r.get("kind")),
        namespace=as_str(r.get("namespace")),
        name=as_str(r.get("name")),
        sync_status=as_str(r.get("status")),
        health_status=as_str(health.get("status")),
        health_message=as_str(health.get("message")),
        hook=as_bool(r.get("hook")),
        requires_pruning=as_bool(r.get("requiresPruning")),
        sync_wave=as_int(r.get("syncWave")),
    )


def application(obj: Mapping[str, Any]) -> Application:
    meta = meta_of(obj)
    spec = as_map(obj.get("spec"))
    status = as_map(obj.get("status"))
    source = as_map(spec.get("source"))
    if not source and as_list(spec.get("sources")):
        source = as_map(as_list(spec.get("sources"))[0])
    destination = as_map(spec.get("destination"))
    policy = as_map(spec.get("syncPolicy"))
    automated = policy.get("automated")
    sync = as_map(status.get("sync"))
    health = as_map(status.get("health"))
    annotations = str_map(meta.get("annotations"))
    return Application(
        name=as_str(meta.get("name")),
        namespace=as_str(meta.get("namespace")),
        project=as_str(spec.get("project")) or "default",
        repo_url=as_str(source.get("repoURL")),
        path=as_str(source.get("path")) or as_str(source.get("chart")),
        target_revision=as_str(source.get("targetRevision")),
        dest_server=as_str(destination.get("server")) or as_str(destination.get("name")),
        dest_name=as_str(destination.get("name")),
        dest_namespace=as_str(destination.get("namespace")),
        automated=isinstance(automated, dict) and automated.get("enabled") is not False,
        auto_prune=as_bool(as_map(automated).get("prune")),
        self_heal=as_bool(as_map(automated).get("selfHeal")),
        sync_options=str_tuple(policy.get("syncOptions")),
        sync_status=as_str(sync.get("status")) or "Unknown",
        sync_revision=as_str(sync.get("revision")),
        health_status=as_str(health.get("status")) or "Unknown",
        health_message=as_str(health.get("message")),
        operation=_sync_operation(obj.get("operation")),
        operation_state=_operation_state(status.get("operationState")),
        conditions=tuple(
            Condition(
                type=as_str(c.get("type")),
                message=as_str(c.get("message")),
                last_transition=parse_time(c.get("lastTransitionTime")),
            )
            for c in map(as_map, as_list(status.get("conditions")))
        ),
        resources=tuple(_managed_resource(r) for r in as_list(status.get("resources"))),
        sync_wave=_sync_wave(annotations),
        annotations=annotations,
        labels=str_map(meta.get("labels")),
        reconciled_at=parse_time(status.get("reconciledAt")),
        created_at=parse_time(meta.get("creationTimestamp")),
        resource_version=as_str(meta.get("resourceVersion")),
        deleting_since=parse_time(meta.get("deletionTimestamp")),
        finalizers=str_tuple(meta.get("finalizers")),
        ignore_differences=tuple(
            dict(e) for e in as_list(spec.get("ignoreDifferences")) if isinstance(e, dict)
        ),
    )


def app_project(obj: Mapping[str, Any]) -> AppProject:
    meta = meta_of(obj)
    windows = tuple(
        SyncWindow(
            kind=as_str(w.get("kind")),
            schedule=as_str(w.get("schedule")),
            duration=as_str(w.get("duration")),
            applications=str_tuple(w.get("applications")),
            namespaces=str_tuple(w.get("namespaces")),
            clusters=str_tuple(w.get("clusters")),
            manual_sync=as_bool(w.get("manualSync")),
            time_zone=as_str(w.get("timeZone")),
            and_operator=as_bool(w.get("andOperator")),
            description=as_str(w.get("description")),
            index=index,
        )
        for index, w in enumerate(map(as_map, as_list(as_map(obj.get("spec")).get("syncWindows"))))
    )
    return AppProject(
        name=as_str(meta.get("name")),
        namespace=as_str(meta.get("namespace")),
        sync_windows=windows,
        resource_version=as_str(meta.get("resourceVersion")),
    )

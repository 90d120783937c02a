"""A fake of our own seam (cluster/ops.ArgoOps, WorkloadOps and AccessReview) for the fix unit and UI tests.

It stands in for a whole Argo CD: a sync sets `.operation`, and each later read moves the app one step
along (Running -> Succeeded/Failed, then Synced + Healthy), the way the controller would. No HTTP library
is faked; the e2e tests exercise the real backends against the lab.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kftui.cluster.ops import (
    Access,
    ActionError,
    ArgoResource,
    NoOperation,
    OperationInProgress,
    Permission,
    SyncRequest,
)
from kftui.drift import merged_patch
from kftui.model import Application, HeldObject, OperationState, SyncOperation

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass
class FakeApp:
    app: Application
    fail_with: str = ""
    """When set, the next sync ends Failed with this message."""
    stay_progressing: bool = False
    reads_until_done: int = 1


@dataclass
class FakeArgo:
    """ArgoOps in memory. `calls` lists every mutating call, in order."""

    apps: dict[str, FakeApp] = field(default_factory=dict)
    calls: list[tuple[str, str, object]] = field(default_factory=list)
    reads: int = 0
    name: str = "fake"
    endpoint: str = "fake://argocd"
    argocd_namespace: str = "argocd"
    _clock: datetime = T0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _pending: dict[str, int] = field(default_factory=dict)
    refuse_resources: str = ""
    """When set, acting on a resource of an app's tree (ArgoResourceOps) raises ActionError with this text."""

    def add(self, name: str, **kw: object) -> FakeApp:
        app = Application(
            name=name,
            namespace="argocd",
            sync_status="OutOfSync",
            health_status="Healthy",
            target_revision="main",
        )
        fake = FakeApp(app=app, **kw)  # type: ignore[arg-type]
        self.apps[name] = fake
        return fake

    def _tick(self) -> datetime:
        self._clock += timedelta(seconds=1)
        return self._clock

    def get_app(self, name: str) -> Application:
        with self._lock:
            self.reads += 1
            fake = self.apps.get(name)
            if fake is None:
                raise ActionError(f"Application argocd/{name} not found")
            self._advance(name, fake)
            return fake.app

    def _advance(self, name: str, fake: FakeApp) -> None:
        app = fake.app
        if app.operation is None:
            return
        if app.operation_state is None:
            fake.app = replace(
                app,
                operation_state=OperationState("Running", started_at=self._tick(), operation=app.operation),
            )
            self._pending[name] = fake.reads_until_done
            return
        if app.operation_state.phase == "Terminating":
            fake.app = replace(
                app,
                operation=None,
                operation_state=replace(
                    app.operation_state,
                    phase="Failed",
                    message="Operation terminated",
                    finished_at=self._tick(),
                ),
            )
            return
        self._pending[name] = self._pending.get(name, 0) - 1
        if self._pending[name] > 0:
            return
        if fake.fail_with:
            state = replace(
                app.operation_state, phase="Failed", message=fake.fail_with, finished_at=self._tick()
            )
            fake.app = replace(app, operation=None, operation_state=state)
            return
        state = replace(
            app.operation_state, phase="Succeeded", message="successfully synced", finished_at=self._tick()
        )
        health = "Progressing" if fake.stay_progressing else "Healthy"
        fake.app = replace(
            app, operation=None, operation_state=state, sync_status="Synced", health_status=health
        )

    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        with self._lock:
            fake = self.apps.get(name)
            if fake is None:
                raise ActionError(f"Application argocd/{name} not found")
            if fake.app.operation is not None:
                raise OperationInProgress(f"{name}: another operation is already in progress")
            op = SyncOperation(
                prune=request.prune,
                force=request.force,
                sync_options=request.sync_options,
                initiated_by=initiated_by,
            )
            fake.app = replace(fake.app, operation=op, operation_state=None)
            self.calls.append(("sync", name, request))
            return f"sync of {name} requested"

    def refresh(self, name: str, hard: bool) -> str:
        with self._lock:
            self.calls.append(("refresh", name, hard))
            return f"{'hard' if hard else 'normal'} refresh of {name} requested"

    def terminate(self, name: str) -> str:
        with self._lock:
            fake = self.apps[name]
            if fake.app.operation is None or fake.app.operation_state is None:
                raise NoOperation(f"{name}: no operation is in progress")
            fake.app = replace(
                fake.app, operation_state=replace(fake.app.operation_state, phase="Terminating")
            )
            self.calls.append(("terminate", name, None))
            return f"termination of {name} requested"

    def add_sync_option(self, name: str, option: str) -> str:
        with self._lock:
            fake = self.apps[name]
            if option not in fake.app.sync_options:
                fake.app = replace(fake.app, sync_options=(*fake.app.sync_options, option))
            self.calls.append(("add-sync-option", name, option))
            return f"sync option {option} added to {name}"

    def disable_auto_prune(self, name: str) -> str:
        with self._lock:
            fake = self.apps[name]
            fake.app = replace(fake.app, auto_prune=False)
            self.calls.append(("disable-auto-prune", name, None))
            return f"automated prune turned off for {name}"

    def add_ignore_differences(self, name: str, entries: Sequence[Mapping[str, Any]]) -> str:
        with self._lock:
            fake = self.apps[name]
            patch = merged_patch(entries, fake.app.ignore_differences, fake.app.sync_options)["spec"]
            fake.app = replace(
                fake.app,
                ignore_differences=tuple(patch["ignoreDifferences"]),
                sync_options=tuple(patch["syncPolicy"]["syncOptions"]),
            )
            self.calls.append(("add-ignore-differences", name, tuple(entries)))
            return f"{len(entries)} ignoreDifferences entries added to {name}"

    def run_resource_action(self, resource: ArgoResource, action: str) -> str:
        with self._lock:
            if self.refuse_resources:
                raise ActionError(self.refuse_resources)
            self.calls.append(("resource-action", action, resource))
            return f"{action} of {resource} run"

    def delete_resource(self, resource: ArgoResource) -> str:
        with self._lock:
            if self.refuse_resources:
                raise ActionError(self.refuse_resources)
            self.calls.append(("delete-resource", resource.app, resource))
            return f"{resource} deleted"


@dataclass
class FakeWorkloads:
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def restart(self, kind: str, namespace: str, name: str, at: str) -> str:
        self.calls.append(("restart", kind, namespace, name, at))
        return f"{kind.lower()}/{name} restarted"

    def delete_pod(self, namespace: str, name: str) -> str:
        self.calls.append(("delete-pod", namespace, name))
        return f"pod {namespace}/{name} deleted"

    def create_namespace(self, name: str) -> str:
        self.calls.append(("create-namespace", name))
        return f"namespace {name} created"

    def delete_object(self, kind: str, namespace: str, name: str) -> str:
        self.calls.append(("delete", kind, namespace, name))
        return f"{kind.lower()} {namespace}/{name} deleted"

    def remove_finalizers(self, kind: str, namespace: str, name: str, finalizers: tuple[str, ...]) -> str:
        self.calls.append(("remove-finalizers", kind, namespace, name, *finalizers))
        return f"finalizers removed from {kind.lower()} {name}"

    def release(self, held: HeldObject) -> str:
        self.calls.append(("release", held.path, *held.finalizers))
        return f"finalizers removed from {held.resource} {held.name}"


@dataclass
class FakeAccess:
    """Our AccessReview seam in memory: `denied` permissions are refused, `unknown` ones unanswered,
    everything else allowed. `asked` lists every blocking review, in order (the cache is ours to test
    elsewhere: here each review counts)."""

    denied: set[Permission] = field(default_factory=set)
    unknown: set[Permission] = field(default_factory=set)
    username: str = "system:serviceaccount:argocd:limited"
    asked: list[Permission] = field(default_factory=list)
    _known: dict[Permission, Access] = field(default_factory=dict)

    def review(self, permission: Permission) -> Access:
        self.asked.append(permission)
        if permission in self.unknown:
            access = Access(None, "timed out")
        else:
            access = Access(permission not in self.denied)
        self._known[permission] = access
        return access

    def cached(self, permission: Permission) -> Access | None:
        return self._known.get(permission)

    def user(self) -> str:
        return self.username if self._known else ""


class StaleArgo(FakeArgo):
    """An Argo CD whose first read after a sync still shows the app as it was before it (a stale cache)."""

    def __init__(self) -> None:
        super().__init__()
        self.stale: Application | None = None

    def sync(self, name: str, request: SyncRequest, initiated_by: str) -> str:
        self.stale = self.apps[name].app
        return super().sync(name, request, initiated_by)

    def get_app(self, name: str) -> Application:
        if self.stale is not None:
            stale, self.stale = self.stale, None
            return stale
        return super().get_app(name)


class SteppingClock:
    """A monotonic clock that moves `step` seconds each time it is read: a timeout under test is reached
    after a known number of reads, without waiting for it."""

    def __init__(self, step: float = 1.0) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        value = self.now
        self.now += self.step
        return value

"""Argo CD AppProjects, reduced to what diagnosis needs: their sync windows."""

from __future__ import annotations

from dataclasses import dataclass

from kftui.model.objects import Key, ObjectRef


@dataclass(frozen=True, slots=True)
class SyncWindow:
    """One entry of an AppProject's spec.syncWindows, as Argo CD reads it.

    kind: "allow" or "deny"; schedule: a 5-field cron expression (when the window starts, in `time_zone`);
    duration: how long it stays open, Go's spelling ("1h", "30m"); applications / namespaces / clusters:
    the glob patterns that assign it to apps (any one matching, or all set ones with `and_operator`);
    manual_sync: manual syncs are let through while it denies; index: its position in the list
    (`argocd proj windows list` numbers windows so).
    """

    kind: str
    schedule: str
    duration: str
    applications: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    clusters: tuple[str, ...] = ()
    manual_sync: bool = False
    time_zone: str = ""
    and_operator: bool = False
    description: str = ""
    index: int = 0


@dataclass(frozen=True, slots=True)
class AppProject:
    """An argoproj.io/v1alpha1 AppProject: the project Applications belong to (spec.project)."""

    name: str
    namespace: str
    sync_windows: tuple[SyncWindow, ...] = ()
    resource_version: str = ""

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("AppProject", self.namespace, self.name)

    @property
    def key(self) -> Key:
        return (self.namespace, self.name)

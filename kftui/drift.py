"""Desired vs live: the fields that differ, why they drift, and the ignoreDifferences entry that stops it.

Pure: given Argo CD's own states of a resource (the desired state as it would be applied, and the live state
after Argo CD's normalisation), list the differing fields as JSON pointers, classify each one (injected by a
controller or webhook, owned by another field manager, scaled by an autoscaler, a genuine change) and write
the fix: an `ignoreDifferences` entry for the Application, or "sync it back" for a genuine change.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# Fields the API server or controllers own on every object: never drift, whatever the two states say.
SERVER_FIELDS = (
    "/status",
    "/metadata/managedFields",
    "/metadata/resourceVersion",
    "/metadata/generation",
    "/metadata/uid",
    "/metadata/creationTimestamp",
    "/metadata/selfLink",
    "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration",
)

# Fields a controller or a CA injector writes after Argo CD applied the object, by kind: the usual reason an
# app stays OutOfSync forever although nobody changed it (cert-manager's cainjector, webhook servers).
INJECTED: Mapping[str, tuple[str, ...]] = {
    "MutatingWebhookConfiguration": ("/webhooks/*/clientConfig/caBundle",),
    "ValidatingWebhookConfiguration": ("/webhooks/*/clientConfig/caBundle",),
    "CustomResourceDefinition": ("/spec/conversion/webhook/clientConfig/caBundle",),
    "APIService": ("/spec/caBundle",),
}

SCALED_KINDS = ("Deployment", "StatefulSet", "ReplicaSet")
ARGO_MANAGERS = ("argocd-controller", "argocd-application-controller", "kubectl-client-side-apply")


class DriftClass(enum.Enum):
    INJECTED = "injected"
    """Written by a controller or webhook after the apply (caBundle)."""
    OTHER_MANAGER = "other-manager"
    """Owned by another field manager (managedFields): a controller or a person keeps setting it."""
    SCALED = "scaled"
    """spec.replicas of a workload an autoscaler scales."""
    CHANGE = "change"
    """Nothing explains it: a real change in git or in the cluster. Sync it back (or commit it)."""


@dataclass(frozen=True)
class FieldDiff:
    """One field that differs: its JSON pointer, its value live and desired (None: absent on that side)."""

    pointer: str
    live: Any
    desired: Any


@dataclass(frozen=True)
class Drift:
    field: FieldDiff
    cls: DriftClass
    reason: str
    manager: str = ""
    """For OTHER_MANAGER: the field manager that owns the field."""


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _ignored(pointer: str) -> bool:
    return any(pointer == f or pointer.startswith(f + "/") for f in SERVER_FIELDS)


_ABSENT = object()


def _walk(live: Any, desired: Any, pointer: str) -> Iterator[FieldDiff]:
    if _ignored(pointer):
        return
    if isinstance(live, Mapping) and isinstance(desired, Mapping):
        for key in sorted(set(live) | set(desired), key=str):
            yield from _walk(
                live.get(key, _ABSENT), desired.get(key, _ABSENT), f"{pointer}/{_escape(str(key))}"
            )
        return
    if (
        isinstance(live, Sequence)
        and isinstance(desired, Sequence)
        and not isinstance(live, str)
        and not isinstance(desired, str)
        and len(live) == len(desired)
    ):
        for index, (a, b) in enumerate(zip(live, desired, strict=True)):
            yield from _walk(a, b, f"{pointer}/{index}")
        return
    if live != desired:
        yield FieldDiff(
            pointer or "/", None if live is _ABSENT else live, None if desired is _ABSENT else desired
        )


def differences(live: Mapping[str, Any] | None, desired: Mapping[str, Any] | None) -> list[FieldDiff]:
    """Every field whose value differs, as JSON pointers, server-owned fields left out.

    A resource missing on one side is one difference at "/" (the whole object).
    """
    if live is None or desired is None:
        return [] if live is desired else [FieldDiff("/", live, desired)]
    return list(_walk(live, desired, ""))


def _matches(pointer: str, pattern: str) -> bool:
    """`pattern` with `*` for any one list index or key, against a pointer."""
    got, want = pointer.split("/"), pattern.split("/")
    return len(got) == len(want) and all(w in ("*", g) for g, w in zip(got, want, strict=True))


def field_managers(live: Mapping[str, Any] | None) -> dict[str, str]:
    """JSON pointer prefix -> the manager that owns it, from metadata.managedFields (fieldsV1)."""
    owners: dict[str, str] = {}
    entries = ((live or {}).get("metadata") or {}).get("managedFields") or []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("fieldsV1"), Mapping):
            continue
        manager = str(entry.get("manager") or "")
        for pointer in _owned(entry["fieldsV1"], ""):
            owners[pointer] = manager
    return owners


def _owned(fields: Mapping[str, Any], pointer: str) -> Iterator[str]:
    for key, sub in fields.items():
        if key == ".":
            continue
        if key.startswith("f:"):
            here = f"{pointer}/{_escape(key[2:])}"
            yield here
            if isinstance(sub, Mapping):
                yield from _owned(sub, here)
        # k:{...} and v:... (list items by key or value) are not followed: their pointer is not an index.


def classify(diff: FieldDiff, kind: str, owners: Mapping[str, str], autoscaled: bool = False) -> Drift:
    """Why one field drifts, most specific first: injected, autoscaled, another field manager, else a change.

    `owners` is `field_managers` of the live object, read once per resource by the caller.
    """
    for pattern in INJECTED.get(kind, ()):
        if _matches(diff.pointer, pattern):
            return Drift(
                diff, DriftClass.INJECTED, "a CA injector or the webhook's server writes it after the apply"
            )
    if autoscaled and kind in SCALED_KINDS and diff.pointer == "/spec/replicas":
        return Drift(diff, DriftClass.SCALED, "a HorizontalPodAutoscaler sets the replica count")
    manager = owners.get(diff.pointer, "")
    if manager.startswith("kubectl") and manager not in ARGO_MANAGERS:
        # kubectl-edit, kubectl-patch, kubectl-set...: a person changed it by hand; ignoring it would hide that.
        return Drift(diff, DriftClass.CHANGE, f"changed by hand ({manager}, managedFields)")
    if manager and manager not in ARGO_MANAGERS:
        return Drift(
            diff, DriftClass.OTHER_MANAGER, f"field manager {manager} owns it (managedFields)", manager
        )
    return Drift(diff, DriftClass.CHANGE, "nothing else writes it: a change in git or a manual edit")


def ignore_entry(group: str, kind: str, name: str, namespace: str, drifts: Sequence[Drift]) -> dict[str, Any]:
    """The `spec.ignoreDifferences` entry for the explained drifts of one resource ({} when none is explained)."""
    pointers = sorted({d.field.pointer for d in drifts if d.cls in (DriftClass.INJECTED, DriftClass.SCALED)})
    managers = sorted({d.manager for d in drifts if d.cls is DriftClass.OTHER_MANAGER})
    if not pointers and not managers:
        return {}
    entry: dict[str, Any] = {"group": group, "kind": kind, "name": name}
    if namespace:
        entry["namespace"] = namespace
    if pointers:
        entry["jsonPointers"] = pointers
    if managers:
        entry["managedFieldsManagers"] = managers
    return entry


RESPECT_IGNORE = "RespectIgnoreDifferences=true"
SERVER_SIDE_APPLY = "ServerSideApply=true"

# Where Argo CD's app-of-apps tracking marks an Application that another Application manages from git.
TRACKING_LABEL = "app.kubernetes.io/instance"
TRACKING_ANNOTATION = "argocd.argoproj.io/tracking-id"


def sync_options_for(entries: Sequence[Mapping[str, Any]]) -> list[str]:
    """The sync options the entries need: RespectIgnoreDifferences=true so a sync leaves the ignored fields
    alone too (without it Argo CD stops reporting them but a sync still overwrites them); and for fields of
    another field manager, ServerSideApply=true, so Argo CD's own ownership in managedFields is exact and
    `managedFieldsManagers` separates its fields from the other manager's."""
    if not entries:
        return []
    options = [RESPECT_IGNORE]
    if any(e.get("managedFieldsManagers") for e in entries):
        options.append(SERVER_SIDE_APPLY)
    return options


def application_patch(entries: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The Application spec fragment to add: the entries and the sync options they need."""
    return {
        "spec": {
            "ignoreDifferences": list(entries),
            "syncPolicy": {"syncOptions": sync_options_for(entries)},
        }
    }


def merged_patch(
    entries: Sequence[Mapping[str, Any]],
    current_entries: Sequence[Mapping[str, Any]] = (),
    current_options: Sequence[str] = (),
) -> dict[str, Any]:
    """The JSON merge patch that adds `entries` and their sync options to an Application that has
    `current_entries` and `current_options` already. A merge patch replaces lists whole, so both lists are
    written in full: what was there first, then what is new (an entry or option already there is not repeated).
    """
    ignores = [dict(e) for e in current_entries]
    ignores += [dict(e) for e in entries if dict(e) not in ignores]
    options = list(current_options)
    options += [o for o in sync_options_for(entries) if o not in options]
    return {"spec": {"ignoreDifferences": ignores, "syncPolicy": {"syncOptions": options}}}


def managed_from_git(labels: Mapping[str, str], annotations: Mapping[str, str]) -> str:
    """Why an Application is itself managed from git by a parent app (app of apps), or "" when it is not:
    Argo CD marks what it manages with its tracking label or annotation. A patch written to such an
    Application is undone by the parent's next sync: the change belongs in git."""
    if labels.get(TRACKING_LABEL):
        return f"label {TRACKING_LABEL}={labels[TRACKING_LABEL]}"
    if annotations.get(TRACKING_ANNOTATION):
        return f"annotation {TRACKING_ANNOTATION}={annotations[TRACKING_ANNOTATION]}"
    return ""

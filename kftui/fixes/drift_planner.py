"""The drift fix's planner: the ignoreDifferences entries kftui/drift.py suggests, as a previewable plan.

Pure. The entries come from a diff (Argo CD's managed resources, fetched by the diff view or `kftui diff`),
which a snapshot does not hold: the registry's planner (no diff known) is blocked and says how to get one;
the diff view and `kftui diff APP --fix` call `plan_ignore_drift` with the entries. An Application that a
parent app manages from git (Argo CD's tracking label or annotation) is never written: its plan shows the
YAML for git and stays blocked, since the parent's next sync would undo the patch.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from kftui.drift import application_patch, managed_from_git, merged_patch
from kftui.fixes.plans import FixPlan, IgnoreDriftPlan, PlanError, command_ref
from kftui.model import ClusterSnapshot, ObjectRef
from kftui.profile import Profile

if TYPE_CHECKING:
    from kftui.fixes.registry import FixSpec

NO_DIFF = "no diff of {app} known yet: open its diff (D on the app) or run kftui diff {app} --fix"
NOTHING_EXPLAINED = "no drift of {app} is explained by a controller, webhook or field manager: sync it back"


def ignore_drift(spec: FixSpec, target: ObjectRef, snapshot: ClusterSnapshot, _: Profile | None) -> FixPlan:
    """The registry's planner: without a diff there is nothing to write, and the plan says how to get one."""
    return plan_ignore_drift(spec, target, snapshot, None)


def add_yaml(entries: Sequence[Mapping[str, Any]]) -> str:
    """The fragment to add to the Application, as YAML (for the preview, the clipboard and git)."""
    return yaml.safe_dump(application_patch(entries), sort_keys=False)


def plan_ignore_drift(
    spec: FixSpec,
    target: ObjectRef,
    snapshot: ClusterSnapshot,
    entries: Sequence[Mapping[str, Any]] | None,
) -> IgnoreDriftPlan:
    """Patch the Application's spec.ignoreDifferences (+ sync options) with `entries` (None: no diff known)."""
    if target.kind != "Application":
        raise PlanError(f"{spec.fix_id} acts on an Application, not on {target}")
    name, namespace = target.name, target.namespace or snapshot.argocd_namespace
    app = snapshot.applications.get((namespace, name))
    found = tuple(entries or ())
    current = app.ignore_differences if app is not None else ()
    options = app.sync_options if app is not None else ()
    patch = merged_patch(found, current, options)
    ref = command_ref(spec, name, namespace, json.dumps(patch, separators=(",", ":")))
    fragment = add_yaml(found) if found else ""
    in_git = managed_from_git(app.labels, app.annotations) if app is not None else ""
    changes: list[str] = []
    if found:
        changes.append(
            f"add to Application {namespace}/{name} ({len(current)} ignoreDifferences entr"
            f"{'y' if len(current) == 1 else 'ies'} and {len(options)} sync option(s) already there are kept):"
        )
        changes.append(fragment.rstrip())
        changes.append("after the next refresh Argo CD compares without these fields: the app can be Synced")
    blocked: str | None = None
    if app is None:
        blocked = f"Application {name} is not in the current snapshot"
    elif entries is None:
        blocked = NO_DIFF.format(app=name)
    elif not found:
        blocked = NOTHING_EXPLAINED.format(app=name)
    elif in_git:
        blocked = (
            f"{name} is managed from git by a parent app ({in_git}): commit the YAML above to git, "
            "a patch here would be undone by the parent's next sync"
        )
    warnings = (
        ("ignored fields are no longer compared: a later real change to them goes unseen",) if found else ()
    )
    return IgnoreDriftPlan(
        fix_id=spec.fix_id,
        title=ref.title + (" (for git)" if in_git else ""),
        target=ObjectRef("Application", namespace, name),
        app=name,
        command=ref.command,
        changes=tuple(changes),
        warnings=warnings,
        blocked=blocked,
        entries=found,
        patch=patch,
        add_yaml=fragment,
        in_git=in_git,
    )

"""`kftui diff APP`: which fields of which resources differ from git, why each one drifts, and the fix.

Desired and live state come as managed-resources items (the state Argo CD would apply, and the live state
after its normalisation): from Argo CD's own API, or rendered locally from --manifests (kftui/desired.py
chooses; the diff below is the same for both). Exit codes as `argocd app diff`: 0 no difference,
1 differences, 2 cannot run.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from kftui.drift import (
    Drift,
    DriftClass,
    application_patch,
    classify,
    differences,
    field_managers,
    ignore_entry,
)
from kftui.fixes.audit import AuditLog
from kftui.fixes.drift_planner import plan_ignore_drift
from kftui.fixes.gate import Gate
from kftui.fixes.plans import FixPlan
from kftui.fixes.registry import FIXES
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ObjectRef
from kftui.textsafe import one_line
from kftui.wording import plural

if TYPE_CHECKING:
    from kftui.cluster.ops import ArgoOps
    from kftui.fixes.runtime import FixOptions


@dataclass(frozen=True)
class ResourceDrift:
    group: str
    kind: str
    namespace: str
    name: str
    drifts: list[Drift] = field(default_factory=list)

    @property
    def label(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


def _state(item: Mapping[str, Any], *keys: str) -> dict[str, Any] | None:
    """The first of `keys` that holds a JSON object (Argo CD sends states as JSON text; "null" when absent)."""
    for key in keys:
        text = item.get(key)
        if isinstance(text, str) and text and text != "null":
            try:
                value = json.loads(text)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def _masked(value: Any) -> Any:
    return None if value is None else "(secret value hidden)"


def resource_drifts(items: list[dict[str, Any]]) -> list[ResourceDrift]:
    """Every non-hook resource whose desired and live state differ, each field classified."""
    found: list[ResourceDrift] = []
    for item in items:
        if item.get("hook"):
            continue
        live = _state(item, "normalizedLiveState", "liveState")
        desired = _state(item, "predictedLiveState", "targetState")
        fields = differences(live, desired)
        if not fields:
            continue
        kind = str(item.get("kind") or "")
        # Who owns which field, read once per resource (managedFields of the live object, not the normalised one).
        owners = field_managers(_state(item, "liveState"))
        if kind == "Secret":  # Argo CD masks Secret values already; kftui never prints them either way
            fields = [replace(f, live=_masked(f.live), desired=_masked(f.desired)) for f in fields]
        found.append(
            ResourceDrift(
                str(item.get("group") or ""),
                kind,
                str(item.get("namespace") or ""),
                str(item.get("name") or ""),
                [classify(f, kind, owners) for f in fields],
            )
        )
    return found


def ignore_entries(found: list[ResourceDrift]) -> list[dict[str, Any]]:
    """The ignoreDifferences entry of each resource whose drift is explained (none for real changes)."""
    return [e for r in found if (e := ignore_entry(r.group, r.kind, r.name, r.namespace, r.drifts))]


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = json.dumps(value, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def render_text(app: str, found: list[ResourceDrift], origin: str = "", notes: Sequence[str] = ()) -> str:
    """The diff for a terminal; `origin` says where the desired state came from, `notes` what to know about it."""
    head = [origin] if origin else []
    head += [f"note: {note}" for note in notes]
    if not found:
        return (
            "".join(one_line(line) + "\n" for line in head)
            + one_line(f"{app}: no difference between git and the cluster")
            + "\n"
        )
    lines = [
        *head,
        f"{app}: {plural(len(found), 'resource')} {'differs' if len(found) == 1 else 'differ'} from git",
    ]
    for res in found:
        lines.append(f"  {res.label}")
        for drift in res.drifts:
            lines.append(
                f"    {drift.field.pointer}: live {_value(drift.field.live)}, git {_value(drift.field.desired)}"
            )
            lines.append(f"      {drift.cls.value}: {drift.reason}")
    entries = ignore_entries(found)
    changes = sum(1 for r in found for d in r.drifts if d.cls is DriftClass.CHANGE)
    if entries:
        lines.append("")
        lines.append(
            f"To stop the explained drift, add to Application {app} (kubectl edit, or in git if an app of apps manages it):"
        )
        lines.extend(
            "  " + line for line in yaml.safe_dump(application_patch(entries), sort_keys=False).splitlines()
        )
    if changes:
        lines.append("")
        lines.append(
            f"{plural(changes, 'field')} changed for real: sync to put git's values back (kftui sync {app}), or commit them to git."
        )
    return "".join(one_line(line) + "\n" for line in lines)


def render_json(app: str, found: list[ResourceDrift], origin: str = "", notes: Sequence[str] = ()) -> str:
    entries = ignore_entries(found)
    doc = {
        "app": app,
        "desired_source": origin or None,
        "notes": list(notes),
        "resources": [
            {
                "group": r.group,
                "kind": r.kind,
                "namespace": r.namespace,
                "name": r.name,
                "fields": [
                    {
                        "pointer": d.field.pointer,
                        "live": d.field.live,
                        "desired": d.field.desired,
                        "class": d.cls.value,
                        "reason": d.reason,
                    }
                    for d in r.drifts
                ],
            }
            for r in found
        ],
        "fix": application_patch(entries) if entries else None,
    }
    return json.dumps(doc, indent=2) + "\n"


def render_plan(plan: FixPlan, refusal: str | None) -> str:
    """`kftui diff APP --fix`: the drift fix's plan as the fix screen previews it (`--yes` runs it)."""
    lines = ["", f"Fix: {plan.title}"]
    lines.extend(f"  {line}" for change in plan.changes for line in change.splitlines())
    lines.extend(f"  ! {w}" for w in plan.warnings)
    lines.append(f"Equivalent command: {plan.command}")
    if refusal is not None:
        lines.append(f"Cannot run: {refusal}")
    else:
        lines.append(
            "Run it with --yes (through kftui's gate: --read-only refuses it, the audit log records it)."
        )
    return "".join(one_line(line) + "\n" for line in lines)


def fix_drift(
    argo: ArgoOps,
    app_name: str,
    found: list[ResourceDrift],
    options: FixOptions,
    *,
    apply: bool,
    out: TextIO,
) -> bool | None:
    """`kftui diff APP --fix [--yes]`: plan the drift fix against the app as it is now and print it; with
    `apply`, run it through the gate (read-only refuses, the audit log records). None when not applied,
    else whether it was."""
    app = argo.get_app(app_name)
    snapshot = ClusterSnapshot(
        now=datetime.now(UTC), applications={app.key: app}, argocd_namespace=options.argocd_namespace
    )
    target = ObjectRef("Application", options.argocd_namespace, app_name)
    plan = plan_ignore_drift(FIXES["ignore-drift"], target, snapshot, ignore_entries(found))
    audit = AuditLog(Path(options.audit_log).expanduser() if options.audit_log else None)
    runner = FixRunner(Gate(options.read_only, audit, context=argo.endpoint), argo)
    out.write(render_plan(plan, runner.refusal(plan)))
    if not apply:
        return None
    result = runner.run(plan)
    out.write(one_line(("applied: " if result.ok else "not applied: ") + result.message) + "\n")
    return result.ok

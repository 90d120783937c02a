"""The diff key of the app (`D`): opens the diff view of the selected app, and offers the drift fix it finds.

Glue only: the diff comes from the Argo CD REST backend of the fix runtime, else from the app's source rendered
from --manifests (kftui/desired.py chooses, as `kftui diff` does; the view fetches it in a worker),
the plan from fixes/drift_planner.py, the preview and the run from the usual fix screen and gate. Once an
app's diff is known, its app-out-of-sync finding offers the drift fix too (a snapshot holds no diff, so the
checks cannot offer it themselves).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from kftui.checks import fixrefs
from kftui.desired import DesiredState, choose
from kftui.diffcmd import ResourceDrift, ignore_entries
from kftui.drift import managed_from_git
from kftui.fixes.drift_planner import plan_ignore_drift
from kftui.fixes.plans import IgnoreDriftPlan
from kftui.fixes.registry import FIXES
from kftui.model import Application, ClusterSnapshot, Finding, ManagedResource, ObjectRef
from kftui.ui.fix_actions import IGNORE_DRIFT
from kftui.ui.habits import HabitActions
from kftui.ui.screens.diff_view import DiffScreen
from kftui.ui.screens.fix_confirm import open_fix_screen


class DiffActions(HabitActions):
    """What KftuiApp does with `D` and with the diffs it has seen."""

    manifests: str | None

    def _show_findings(self) -> None:
        raise NotImplementedError

    def action_diff(self) -> None:
        item = self._cursor_item()
        name = item.app if item is not None else None
        if item is None or not name:
            self.notify(
                "Choose an application (or one of its resources) to see its diff.", severity="warning"
            )
            return
        focus = None
        if isinstance(item.obj, ManagedResource):
            focus = (item.obj.kind, item.obj.namespace, item.obj.name)
        snapshot = self.snapshot
        app = snapshot.applications.get((snapshot.argocd_namespace, name)) if snapshot is not None else None
        in_git = managed_from_git(app.labels, app.annotations) if app is not None else ""
        self.push_screen(
            DiffScreen(
                name, self._diff_fetch(name), self._diff_found, self._diff_fix, focus=focus, in_git=in_git
            )
        )

    def _diff_fetch(self, name: str) -> Callable[[], DesiredState] | None:
        """The app's desired and live state, from where kftui/desired.py chooses (None: nowhere)."""
        argo = self.fixes.runner.argo if self.fixes is not None else None
        namespace = self.snapshot.argocd_namespace if self.snapshot is not None else "argocd"
        checkout = Path(self.manifests) if self.manifests else None
        desired = choose(argo, checkout, self.source, namespace)
        if desired is None:
            return None
        return lambda: desired.fetch(name)

    def _diff_found(self, name: str, found: list[ResourceDrift]) -> None:
        self.known_drift[name] = tuple(ignore_entries(found))
        self.findings = self.with_known_drift(self.findings)
        self._show_findings()

    def _drift_plan(self, name: str, found: list[ResourceDrift]) -> IgnoreDriftPlan | None:
        snapshot = self.snapshot
        if snapshot is None:
            return None
        target = ObjectRef("Application", snapshot.argocd_namespace, name)
        return plan_ignore_drift(FIXES[IGNORE_DRIFT], target, snapshot, ignore_entries(found))

    def _diff_fix(self, name: str, found: list[ResourceDrift], copy: bool) -> None:
        plan = self._drift_plan(name, found)
        if plan is None or not plan.entries:
            self.notify(
                f"No drift of {name} is explained by a controller, webhook or field manager: "
                f"nothing to ignore; sync it back (kftui sync {name}).",
                severity="warning",
            )
            return
        if copy:
            sent = self.send_to_clipboard(plan.add_yaml)
            where = "git" if plan.in_git else f"Application {name}"
            self.notify(
                f"YAML to add to {where} {'copied' if sent else 'kept (no terminal to copy to)'}:\n{plan.add_yaml}",
                title="Drift fix",
            )
            return
        if self.fixes is None:
            self.notify("No cluster connection to run fixes with.", severity="warning")
            return
        open_fix_screen(self, plan, self.fixes, self._fix_done)

    def with_known_drift(self, findings: Sequence[Finding]) -> list[Finding]:
        """The findings, each app-out-of-sync finding of an app with a known, explained drift offering the fix."""
        snapshot = self.snapshot
        if not self.known_drift or snapshot is None:
            return list(findings)
        return [_offering(f, self.known_drift, snapshot) for f in findings]


def _offering(finding: Finding, known: dict[str, tuple[Any, ...]], snapshot: ClusterSnapshot) -> Finding:
    name = finding.app or ""
    entries = known.get(name)
    if finding.check != "app-out-of-sync" or not entries or any(f.id == IGNORE_DRIFT for f in finding.fixes):
        return finding
    app: Application | None = snapshot.applications.get((snapshot.argocd_namespace, name))
    if app is None or app.sync_status != "OutOfSync":
        return finding
    target = ObjectRef("Application", snapshot.argocd_namespace, name)
    plan = plan_ignore_drift(FIXES[IGNORE_DRIFT], target, snapshot, entries)
    ref = fixrefs.ignore_drift(name, snapshot.argocd_namespace, json.dumps(plan.patch, separators=(",", ":")))
    return replace(finding, fixes=(*finding.fixes, ref))

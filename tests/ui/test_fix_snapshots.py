"""SVG snapshots of the fix screens at a fixed size with a frozen clock.

Update with `pytest tests/ui/test_fix_snapshots.py --snapshot-update` after looking at the change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen

from kftui.cluster.portforward import ForwardManager
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ManagedResource, ObjectRef
from kftui.profile import builtin_profile
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from tests.fix_fakes import T0, FakeArgo
from tests.ui.scenarios import still_text_cursors

APP = ObjectRef("Application", "argocd", "drift")
CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")
FROZEN = datetime(2026, 11, 26, 3, 12, tzinfo=UTC)


class Host(App[None]):
    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())


def _runner(tmp: Path, read_only: bool, *apps: str) -> tuple[FakeArgo, FixRunner]:
    argo = FakeArgo()
    for name in apps:
        argo.add(name)
    fake = argo.apps.get("drift")
    if fake is not None:
        fake.app = replace(
            fake.app,
            resources=(
                ManagedResource(
                    "", "v1", "ConfigMap", "demo-drift", "drift-settings", sync_status="OutOfSync"
                ),
                ManagedResource(
                    "", "v1", "PersistentVolumeClaim", "demo-drift", "data", requires_pruning=True
                ),
            ),
        )
    gate = Gate(read_only, AuditLog(tmp / "audit.jsonl", user="snap"), "lab")
    return argo, FixRunner(gate, argo, step_timeout=5, poll_interval=0)


def _snap(argo: FakeArgo) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([f.app for f in argo.apps.values()], now=T0)


def test_confirm_prune_typing(snap_compare: Any, tmp_path: Path) -> None:
    argo, runner = _runner(tmp_path, False, "drift")
    plan = plan_action("sync-prune", APP, _snap(argo))

    async def type_some(pilot: Pilot[None]) -> None:
        await pilot.press(*"dri")
        await still_text_cursors(pilot)

    assert snap_compare(
        Host(lambda: FixConfirmScreen(plan, runner)), terminal_size=(100, 30), run_before=type_some
    )


def test_confirm_read_only(snap_compare: Any, tmp_path: Path) -> None:
    argo, runner = _runner(tmp_path, True, "drift")
    plan = plan_action("replace", APP, _snap(argo))
    assert snap_compare(Host(lambda: FixConfirmScreen(plan, runner)), terminal_size=(100, 30))


@pytest.mark.parametrize("fail", [False, True], ids=["done", "stopped"])
def test_ordered_sync(snap_compare: Any, tmp_path: Path, fail: bool) -> None:
    argo, runner = _runner(tmp_path, False, *CHAIN)
    if fail:
        argo.apps["kubeflow-seaweedfs"].fail_with = "one or more objects failed to apply"
    plan = plan_action("ordered-sync", APP, _snap(argo), builtin_profile())

    async def start(pilot: Pilot[None]) -> None:
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    host = Host(lambda: OrderedSyncScreen(plan, runner, step_timeout=5, interval=0, clock=lambda: FROZEN))
    assert snap_compare(host, terminal_size=(130, 30), run_before=start)


def test_port_forwards_empty(snap_compare: Any) -> None:
    plan = plan_action("port-forward", APP, ClusterSnapshot(now=T0), builtin_profile())
    host = Host(lambda: PortForwardsScreen(ForwardManager(kube=None), plan.forward))
    assert snap_compare(host, terminal_size=(130, 24))

"""Pilot tests of the fix screens over a fake of our own backend seam (never httpx or the kube client)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.widgets import Button, DataTable, Input, Static

from kftui.cluster.portforward import ForwardManager
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import READ_ONLY_REASON, FixResult, Gate
from kftui.fixes.ordered import OrderedResult
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ObjectRef
from kftui.profile import builtin_profile
from kftui.ui.preflight import Outlook
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from tests.fix_fakes import T0, FakeArgo

APP = ObjectRef("Application", "argocd", "drift")
CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")


class Host(App[None]):
    def __init__(self, make: Callable[[], Screen[Any]]) -> None:
        super().__init__()
        self.make = make
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.results.append)


def fixture(tmp_path: Path, read_only: bool = False, *apps: str) -> tuple[FakeArgo, FixRunner, AuditLog]:
    argo = FakeArgo()
    for name in apps or ("drift",):
        argo.add(name)
    audit = AuditLog(tmp_path / "audit.jsonl", user="tester")
    return argo, FixRunner(Gate(read_only, audit, "lab"), argo, step_timeout=5, poll_interval=0), audit


def snapshot(argo: FakeArgo) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([f.app for f in argo.apps.values()], now=T0)


async def test_cancel_sends_nothing(tmp_path: Path) -> None:
    argo, runner, audit = fixture(tmp_path)
    plan = plan_action("sync", APP, snapshot(argo))
    host = Host(lambda: FixConfirmScreen(plan, runner))
    async with host.run_test() as pilot:
        screen = host.screen
        assert isinstance(screen, FixConfirmScreen)
        assert str(screen.query_one("#fix-command", Static).content) == "argocd app sync drift"
        await pilot.click("#fix-cancel")
        await pilot.pause()
    assert host.results == [None]
    assert argo.calls == [] and audit.entries() == []


async def test_escape_cancels(tmp_path: Path) -> None:
    argo, runner, _ = fixture(tmp_path)
    host = Host(lambda: FixConfirmScreen(plan_action("hard-refresh", APP, snapshot(argo)), runner))
    async with host.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
    assert host.results == [None] and argo.calls == []


async def test_simple_fix_runs_on_run(tmp_path: Path) -> None:
    argo, runner, audit = fixture(tmp_path)
    host = Host(lambda: FixConfirmScreen(plan_action("sync", APP, snapshot(argo)), runner))
    async with host.run_test() as pilot:
        assert not host.screen.query_one("#fix-run", Button).disabled
        await pilot.click("#fix-run")
        await host.workers.wait_for_complete()
        await pilot.pause()
    (result,) = host.results
    assert isinstance(result, FixResult) and result.ok
    assert [c[:2] for c in argo.calls] == [("sync", "drift")]
    assert audit.entries()[0]["action"] == "sync"


async def _typed_flow(tmp_path: Path, fix_id: str) -> None:
    argo, runner, _ = fixture(tmp_path)
    plan = plan_action(fix_id, APP, snapshot(argo))
    assert plan.confirm_word == "drift"
    host = Host(lambda: FixConfirmScreen(plan, runner))
    async with host.run_test() as pilot:
        run = host.screen.query_one("#fix-run", Button)
        assert run.disabled
        await pilot.press("enter")  # submitting an empty confirmation does nothing
        await pilot.press(*"drif")
        assert run.disabled
        await pilot.press("enter")
        await pilot.pause()
        assert argo.calls == [] and host.results == []
        assert "Type drift exactly" in str(host.screen.query_one("#fix-status", Static).content)
        await pilot.press("t")
        assert not run.disabled
        await pilot.press("enter")
        await host.workers.wait_for_complete()
        await pilot.pause()
    assert [c[:2] for c in argo.calls] == [("sync", "drift")]
    assert isinstance(host.results[0], FixResult) and host.results[0].ok


async def test_prune_requires_typing_the_app_name(tmp_path: Path) -> None:
    await _typed_flow(tmp_path, "sync-prune")


async def test_replace_requires_typing_the_app_name(tmp_path: Path) -> None:
    await _typed_flow(tmp_path, "replace")


async def test_force_requires_typing_the_app_name(tmp_path: Path) -> None:
    await _typed_flow(tmp_path, "force-sync")


async def test_wrong_name_then_cancel_does_nothing(tmp_path: Path) -> None:
    argo, runner, audit = fixture(tmp_path)
    host = Host(lambda: FixConfirmScreen(plan_action("force-sync", APP, snapshot(argo)), runner))
    async with host.run_test() as pilot:
        await pilot.press(*"kubeflow", "enter")
        await pilot.press("escape")
        await pilot.pause()
    assert host.results == [None] and argo.calls == [] and audit.entries() == []


async def test_read_only_shows_the_reason_and_disables_run(tmp_path: Path) -> None:
    argo, runner, _ = fixture(tmp_path, read_only=True)
    host = Host(lambda: FixConfirmScreen(plan_action("replace", APP, snapshot(argo)), runner))
    async with host.run_test() as pilot:
        screen = host.screen
        assert screen.query_one("#fix-run", Button).disabled
        assert READ_ONLY_REASON in str(screen.query_one("#fix-refusal", Static).content)
        assert not list(screen.query("#fix-confirm-input").results(Input))
        await pilot.press("ctrl+enter")
        await pilot.press("escape")
        await pilot.pause()
    assert host.results == [None] and argo.calls == []


async def test_ordered_sync_screen_runs_the_chain(tmp_path: Path) -> None:
    argo, runner, _ = fixture(tmp_path, False, *CHAIN)
    plan = plan_action("ordered-sync", APP, snapshot(argo), builtin_profile())
    host = Host(lambda: OrderedSyncScreen(plan, runner, step_timeout=5, interval=0))
    async with host.run_test(size=(140, 40)) as pilot:
        table = host.screen.query_one(DataTable)
        assert [table.get_cell(a, "state") for a in CHAIN] == ["pending"] * 3
        await pilot.click("#ordered-start")
        await host.workers.wait_for_complete()
        await pilot.pause()
        assert [table.get_cell(a, "state") for a in CHAIN] == ["done"] * 3
        assert "Synced and Healthy" in str(host.screen.query_one("#ordered-reason", Static).content)
        await pilot.click("#ordered-close")
        await pilot.pause()
    (result,) = host.results
    assert isinstance(result, OrderedResult) and result.ok
    assert [c[1] for c in argo.calls] == list(CHAIN)


async def test_ordered_sync_screen_shows_the_stop_reason(tmp_path: Path) -> None:
    argo, runner, _ = fixture(tmp_path, False, *CHAIN)
    argo.apps["kubeflow-seaweedfs"].fail_with = "the server could not find the requested resource"
    plan = plan_action("ordered-sync", APP, snapshot(argo), builtin_profile())
    host = Host(lambda: OrderedSyncScreen(plan, runner, step_timeout=5, interval=0))
    async with host.run_test(size=(140, 40)) as pilot:
        await pilot.press("s")
        await host.workers.wait_for_complete()
        await pilot.pause()
        reason = str(host.screen.query_one("#ordered-reason", Static).content)
        assert reason.startswith("stopped at kubeflow-seaweedfs") and "could not find" in reason
        assert host.screen.query_one(DataTable).get_cell("kubeflow-pipelines", "state") == "pending"
        await pilot.press("escape")
        await pilot.pause()
    assert isinstance(host.results[0], OrderedResult) and not host.results[0].ok


async def test_ordered_sync_screen_names_the_root_cause_where_it_stops(tmp_path: Path) -> None:
    """The stop message ends with the root-cause finding the preflight traced the stopped app's errors to."""
    argo, runner, _ = fixture(tmp_path, False, *CHAIN)
    argo.apps["kubeflow-seaweedfs"].fail_with = "the server could not find the requested resource"
    plan = plan_action("ordered-sync", APP, snapshot(argo), builtin_profile())
    cause = "crd-missing:Experiment/kubeflow/demo: kubeflow-seaweedfs: the API server does not know kind Experiment"
    ahead = [Outlook("kubeflow", "will sync", ""), Outlook("kubeflow-seaweedfs", "stops here", "x", cause)]
    host = Host(lambda: OrderedSyncScreen(plan, runner, step_timeout=5, interval=0, preflight=ahead))
    async with host.run_test(size=(140, 40)) as pilot:
        await pilot.press("s")
        await host.workers.wait_for_complete()
        await pilot.pause()
        reason = str(host.screen.query_one("#ordered-reason", Static).content)
        assert reason.startswith("stopped at kubeflow-seaweedfs")
        assert reason.endswith(f"root cause: {cause}")
        await pilot.press("escape")
        await pilot.pause()


async def test_ordered_sync_read_only_cannot_start(tmp_path: Path) -> None:
    argo, runner, _ = fixture(tmp_path, True, *CHAIN)
    plan = plan_action("ordered-sync", APP, snapshot(argo), builtin_profile())
    host = Host(lambda: OrderedSyncScreen(plan, runner))
    async with host.run_test(size=(140, 40)) as pilot:
        assert host.screen.query_one("#ordered-start", Button).disabled
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert host.results == [None] and argo.calls == []


async def test_port_forwards_screen_without_a_cluster_says_why(tmp_path: Path) -> None:
    plan = plan_action("port-forward", APP, ClusterSnapshot(now=T0), builtin_profile())
    manager = ForwardManager(kube=None)
    host = Host(lambda: PortForwardsScreen(manager, plan.forward, start=True))
    async with host.run_test(size=(140, 40)) as pilot:
        await host.workers.wait_for_complete()
        await pilot.pause()
        status = str(host.screen.query_one("#pf-status", Static).content)
        assert "needs a live cluster" in status
        assert host.screen.query_one(DataTable).row_count == 0
        await pilot.press("escape")
        await pilot.pause()
    assert host.results == [None]


async def test_open_fix_screen_picks_the_screen_for_the_plan(tmp_path: Path) -> None:
    from kftui.fixes.runtime import FixRuntime
    from kftui.ui.screens.fix_confirm import open_fix_screen

    argo, runner, audit = fixture(tmp_path, False, "drift", *CHAIN)
    runtime = FixRuntime(runner, ForwardManager(kube=None), audit)
    snap = snapshot(argo)
    expected = {
        "sync": FixConfirmScreen,
        "ordered-sync": OrderedSyncScreen,
        "port-forward": PortForwardsScreen,
    }
    for fix_id, screen_type in expected.items():
        plan = plan_action(fix_id, APP, snap, builtin_profile())
        host = Host(lambda: Screen())
        async with host.run_test(size=(140, 40)) as pilot:
            open_fix_screen(host, plan, runtime, host.results.append)
            await pilot.pause()
            assert isinstance(host.screen, screen_type), fix_id
            await pilot.press("escape")
            await pilot.pause()
        assert host.results[-1] is None
    assert argo.calls == []

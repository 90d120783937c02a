"""A fix the credentials may not perform is shown disabled with the reason, and cannot be run.

Over fakes of our own seams (FakeAccess for the access review, FakeArgo for the backend); the review
runs in a thread worker, so the tests wait for the screen's or the panel's state, never for a timer.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from textual.pilot import Pilot
from textual.widgets import Button, Input, OptionList, Static

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.ops import Permission
from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import StaticSource
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixRuntime
from kftui.model import ClusterSnapshot, ObjectRef
from kftui.profile import builtin_profile
from kftui.ui.app import KftuiApp
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from tests.fix_fakes import T0, FakeAccess, FakeArgo
from tests.ui.helpers import wait_for
from tests.ui.test_fix_screens import Host

APP = ObjectRef("Application", "argocd", "drift")
USER = "system:serviceaccount:argocd:limited"


def update(name: str) -> Permission:
    return Permission("update", "applications", "argoproj.io", "argocd", name)


def runner_with(tmp_path: Path, access: FakeAccess) -> tuple[FakeArgo, FixRunner, AuditLog]:
    argo = FakeArgo(name="kubernetes")  # Argo CD actions through the Kubernetes API: RBAC decides
    argo.add("drift")
    audit = AuditLog(tmp_path / "audit.jsonl", user="tester")
    gate = Gate(False, audit, "lab", access=access)
    return argo, FixRunner(gate, argo, step_timeout=5, poll_interval=0), audit


def snapshot(argo: FakeArgo) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([f.app for f in argo.apps.values()], now=T0)


CHAIN = ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")
S = TypeVar("S", FixConfirmScreen, OrderedSyncScreen)


@contextlib.asynccontextmanager
async def reviewed(host: Host, kind: type[S]) -> AsyncIterator[tuple[Pilot[None], S]]:
    """Run `host` until the screen it opened (a `kind`) has its access review back."""
    async with host.run_test(size=(140, 40)) as pilot:
        screen = host.screen
        assert isinstance(screen, kind)
        await wait_for(pilot, lambda: not screen.reviewing, "the review")
        yield pilot, screen


def ordered_sync_host(tmp_path: Path, access: FakeAccess) -> tuple[FakeArgo, Host, AuditLog]:
    """The Kubeflow chain's apps, and a host that opens the ordered-sync view of them."""
    argo, runner, audit = runner_with(tmp_path, access)
    for name in CHAIN:
        argo.add(name)
    plan = plan_action("ordered-sync", APP, snapshot(argo), builtin_profile())
    assert plan.chain == CHAIN
    return argo, Host(lambda: OrderedSyncScreen(plan, runner, step_timeout=5, interval=0)), audit


async def test_a_denied_fix_is_shown_disabled_with_the_reason_and_cannot_run(tmp_path: Path) -> None:
    access = FakeAccess(denied={update("drift")})
    argo, runner, audit = runner_with(tmp_path, access)
    plan = plan_action("sync-prune", APP, snapshot(argo))  # one that asks to type the app's name
    host = Host(lambda: FixConfirmScreen(plan, runner))
    async with host.run_test(size=(140, 40)) as pilot:
        screen = host.screen
        assert isinstance(screen, FixConfirmScreen)
        await wait_for(pilot, lambda: bool(screen.query("#fix-refusal")), "the refusal")
        refusal = str(screen.query_one("#fix-refusal", Static).content)
        assert refusal == (
            f"Cannot run: forbidden: {USER} may not update applications.argoproj.io/drift in argocd"
        )
        assert screen.query_one("#fix-run", Button).disabled
        assert not screen.query_one("#fix-confirm-input", Input).display
        assert str(screen.query_one("#fix-status", Static).content) == ""
        # Neither the button nor the keys run it.
        screen.action_run()
        await pilot.press("ctrl+enter")
        await pilot.pause()
        assert host.screen is screen and host.results == []
    assert argo.calls == [] and audit.entries() == []
    assert update("drift") in access.asked


async def test_an_allowed_fix_stays_runnable_after_the_review(tmp_path: Path) -> None:
    access = FakeAccess(denied={update("another-app")})
    argo, runner, _ = runner_with(tmp_path, access)
    host = Host(lambda: FixConfirmScreen(plan_action("sync", APP, snapshot(argo)), runner))
    async with reviewed(host, FixConfirmScreen) as (pilot, screen):
        assert update("drift") in access.asked
        assert not screen.query("#fix-refusal")
        assert not screen.query_one("#fix-run", Button).disabled
        await pilot.click("#fix-run")
        await wait_for(pilot, lambda: bool(host.results), "the run")
    assert host.results[0].ok and argo.calls[0][:2] == ("sync", "drift")


async def test_an_unanswered_review_does_not_block(tmp_path: Path) -> None:
    access = FakeAccess(unknown={update("drift")})
    argo, runner, _ = runner_with(tmp_path, access)
    host = Host(lambda: FixConfirmScreen(plan_action("sync", APP, snapshot(argo)), runner))
    async with reviewed(host, FixConfirmScreen) as (_, screen):
        assert not screen.query("#fix-refusal")
        assert not screen.query_one("#fix-run", Button).disabled


def _kubeflow_sync_done(demo: ClusterSnapshot) -> ClusterSnapshot:
    """The demo with kubeflow's sync ended: while it runs, a second sync is refused for that reason first."""
    key = ("argocd", "kubeflow")
    kubeflow = demo.applications[key]
    assert kubeflow.operation_state is not None
    ended = replace(kubeflow.operation_state, phase="Succeeded", finished_at=demo.now)
    done = replace(kubeflow, operation=None, operation_state=ended)
    return replace(demo, applications={**demo.applications, key: done})


async def test_the_panel_marks_the_fixes_the_credentials_may_not_run(tmp_path: Path) -> None:
    demo = _kubeflow_sync_done(load_demo())
    argo = FakeArgo(name="kubernetes")
    for a in demo.applications.values():
        argo.add(a.name)
    # May refresh anything, may not write the operation of any app: every sync-like fix is refused.
    access = FakeAccess(denied={update(a.name) for a in demo.applications.values()})
    audit = AuditLog(tmp_path / "audit.jsonl", user="t")
    runner = FixRunner(Gate(False, audit, "demo", access=access), argo)
    app = KftuiApp(StaticSource(lambda: demo), fixes=FixRuntime(runner, ForwardManager(None), audit))
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None and app.findings != [], "the demo findings")
        panel = app.query_one(DiagnosticsPanel)
        # Unfold the first root cause (the crash-looping pod): kubeflow Degraded, folded under it, is the
        # finding to walk to, one that offers both a sync and a hard refresh.
        await pilot.press("f", "right")
        for _ in range(60):
            ids = {f.id for f in panel.current.fixes} if panel.current else set()
            if "sync" in ids and "hard-refresh" in ids:
                break
            await pilot.press("down")
        finding = panel.current
        assert finding is not None and {"sync", "hard-refresh"} <= {f.id for f in finding.fixes}
        fixes = {f.id: f for f in finding.fixes}
        await wait_for(pilot, lambda: panel.refusal_of(fixes["sync"]) is not None, "the panel's review")
        expected = f"forbidden: {USER} may not update applications.argoproj.io/{finding.app} in argocd"
        assert panel.refusal_of(fixes["sync"]) == expected
        assert panel.refusal_of(fixes["hard-refresh"]) is None
        listing = app.query_one("#fix-list", OptionList)
        prompts = {f.id: str(listing.get_option_at_index(i).prompt) for i, f in enumerate(finding.fixes)}
        assert f"✘ cannot run: {expected}" in prompts["sync"]
        assert "cannot run" not in prompts["hard-refresh"]
        # x on the refused fix opens its preview with Run disabled and the same reason.
        listing.highlighted = list(fixes).index("sync")
        await pilot.press("x")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FixConfirmScreen)
        assert screen.refusal == expected
        assert screen.query_one("#fix-run", Button).disabled
        await pilot.press("escape")
    assert argo.calls == []


async def test_ordered_sync_refused_for_one_app_of_the_chain_cannot_start(tmp_path: Path) -> None:
    access = FakeAccess(denied={update("kubeflow-pipelines")})
    argo, host, audit = ordered_sync_host(tmp_path, access)
    async with reviewed(host, OrderedSyncScreen) as (pilot, screen):
        refusal = screen.query_one("#ordered-refusal", Static)
        assert refusal.display
        assert str(refusal.content) == (
            f"Cannot run: forbidden: {USER} may not update applications.argoproj.io/kubeflow-pipelines in argocd"
        )
        assert screen.query_one("#ordered-start", Button).disabled
        screen.action_start()
        await pilot.press("s")
        await pilot.pause()
        assert not screen.running
    assert argo.calls == [] and audit.entries() == []


async def test_ordered_sync_the_credentials_allow_stays_startable(tmp_path: Path) -> None:
    access = FakeAccess(denied={update("another-app")})
    _, host, _ = ordered_sync_host(tmp_path, access)
    async with reviewed(host, OrderedSyncScreen) as (_, screen):
        assert not screen.query_one("#ordered-refusal", Static).display
        assert not screen.query_one("#ordered-start", Button).disabled
        assert {update(name) for name in CHAIN} <= set(access.asked)


async def test_a_port_forward_the_credentials_may_not_open_is_not_started(tmp_path: Path) -> None:
    plan = plan_action("port-forward", APP, load_demo(), builtin_profile())
    assert plan.forward is not None
    namespace = plan.forward.namespace
    create = Permission("create", "pods", "", namespace, subresource="portforward")
    access = FakeAccess(denied={create})
    _, runner, _ = runner_with(tmp_path, access)
    manager = ForwardManager(kube=None)
    started: list[object] = []
    manager.start = lambda *a, **k: started.append(a)  # type: ignore[method-assign,assignment]  # must never be called
    host = Host(
        lambda: PortForwardsScreen(manager, plan.forward, start=True, review=lambda: runner.review(plan))
    )
    async with host.run_test(size=(140, 40)) as pilot:
        screen = host.screen
        assert isinstance(screen, PortForwardsScreen)
        await wait_for(pilot, lambda: not screen.reviewing, "the review")
        status = str(screen.query_one("#pf-status", Static).content)
        assert status == (
            f"Cannot forward: forbidden: {USER} may not create pods/portforward in {namespace}"
        ), status
        await pilot.press("n")
        await pilot.pause()
        assert str(screen.query_one("#pf-status", Static).content).startswith("Cannot forward: forbidden")
    assert started == [] and create in access.asked


async def test_over_the_main_screen_tab_reaches_run_and_enter_runs_it(tmp_path: Path) -> None:
    """In a terminal ctrl+enter is usually Enter: the keyboard way to run a fix is tab to Run, then enter.
    The app's own keys are off while a screen is open over the main one, but not tab."""
    argo, runner, audit = runner_with(tmp_path, FakeAccess())
    app = KftuiApp(
        StaticSource(lambda: snapshot(argo)), fixes=FixRuntime(runner, ForwardManager(None), audit)
    )
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, "the snapshot")
        screen = FixConfirmScreen(plan_action("sync", APP, snapshot(argo)), runner)
        app.push_screen(screen)
        await wait_for(pilot, lambda: app.screen is screen and not screen.reviewing, "the review")
        assert screen.focused is screen.query_one("#fix-cancel", Button)
        await pilot.press("tab")
        assert screen.focused is screen.query_one("#fix-run", Button)
        await pilot.press("shift+tab")
        assert screen.focused is screen.query_one("#fix-cancel", Button)
        await pilot.press("tab", "enter")
        await wait_for(pilot, lambda: bool(argo.calls), "the sync")
    assert argo.calls[0][:2] == ("sync", "drift")

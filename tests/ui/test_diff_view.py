"""The diff view (`D`): fetched in a worker from the Argo CD backend, each drifting field with its class and fix,
hostile text inert, `x` previewing the drift fix through the fix screen, and the app's out-of-sync finding
offering the fix once the diff is known. Without an Argo CD server it says what would enable it."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from kftui.cluster.ops import ActionError
from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import StaticSource
from kftui.desired import DesiredState
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plans import IgnoreDriftPlan
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixRuntime
from kftui.model import Application, ClusterSnapshot, ManagedResource
from kftui.ui.app import KftuiApp
from kftui.ui.screens.diff_view import NO_SERVER, DiffScreen
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from tests.fix_fakes import T0, FakeArgo
from tests.ui.helpers import wait_for

HOSTILE = "wh[red]x[/]\x1b[31m"
CA = "/webhooks/0/clientConfig/caBundle"


def webhook(ca: str) -> dict[str, Any]:
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": HOSTILE},
        "webhooks": [{"name": "a.b.c", "clientConfig": {"caBundle": ca}}],
    }


ITEMS = [
    {
        "group": "admissionregistration.k8s.io",
        "kind": "ValidatingWebhookConfiguration",
        "namespace": "",
        "name": HOSTILE,
        "normalizedLiveState": json.dumps(webhook("aW5qZWN0ZWQ=")),
        "liveState": json.dumps(webhook("aW5qZWN0ZWQ=")),
        "predictedLiveState": json.dumps(webhook("Z2l0")),
        "targetState": json.dumps(webhook("Z2l0")),
    }
]


class DiffArgo(FakeArgo):
    """The fake Argo CD backend with the REST backend's managed resources; `release` lets the fetch answer."""

    def __init__(self, items: list[dict[str, Any]] | Exception) -> None:
        super().__init__()
        self.items = items
        self.release = threading.Event()

    def managed_resources(self, name: str) -> list[dict[str, Any]]:
        self.release.wait(30)
        if isinstance(self.items, Exception):
            raise self.items
        return self.items


def drifting_snapshot() -> ClusterSnapshot:
    app = Application(
        name="drift",
        namespace="argocd",
        sync_status="OutOfSync",
        health_status="Healthy",
        resources=(
            ManagedResource(
                "admissionregistration.k8s.io",
                "v1",
                "ValidatingWebhookConfiguration",
                "",
                HOSTILE,
                "OutOfSync",
            ),
        ),
    )
    return ClusterSnapshot.from_objects([app], now=T0)


def make_app(argo: FakeArgo | None, tmp_path: Path) -> KftuiApp:
    snapshot = drifting_snapshot()
    runtime = None
    if argo is not None:
        argo.add("drift")
        audit = AuditLog(tmp_path / "audit.jsonl", user="t")
        runtime = FixRuntime(FixRunner(Gate(False, audit, "t"), argo), ForwardManager(None), audit)
    return KftuiApp(StaticSource(lambda: snapshot), fixes=runtime)


async def test_the_diff_names_the_field_its_class_and_fix_x_previews_the_patch_and_errors_are_one_line(
    tmp_path: Path,
) -> None:
    argo = DiffArgo(ITEMS)
    app = make_app(argo, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.tree_model is not None, "the first analysis")
        finding = next(f for f in app.findings if f.check == "app-out-of-sync")
        assert "ignore-drift" not in [f.id for f in finding.fixes]
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff view")
        screen = app.screen
        assert isinstance(screen, DiffScreen)
        assert "fetching" in screen.plain and screen.state == "loading"
        argo.release.set()
        await wait_for(pilot, lambda: screen.found is not None, "the diff")
        text = screen.plain
        assert (
            CA in text and "injected:" in text and 'live: "aW5qZWN0ZWQ="' in text and 'git:  "Z2l0"' in text
        )
        assert "fix: ignore it" in text and "jsonPointers:" in text
        assert "\x1b" not in text and "\\x1b" in text  # the name's ESC shown as its escape, never sent
        # Known now: the app's out-of-sync finding offers the drift fix, planned with this diff.
        finding = next(f for f in app.findings if f.check == "app-out-of-sync")
        assert finding.fixes[-1].id == "ignore-drift" and CA in finding.fixes[-1].command
        assert app.snapshot is not None
        from_finding = app.plan_finding_fix(finding, "ignore-drift", app.snapshot)
        assert isinstance(from_finding, IgnoreDriftPlan) and from_finding.command == finding.fixes[-1].command
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, FixConfirmScreen), "the fix preview")
        plan = app.screen.plan
        assert isinstance(plan, IgnoreDriftPlan) and plan.blocked is None
        assert plan.entries[0]["jsonPointers"] == [CA] and plan.entries[0]["name"] == HOSTILE
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back in the diff view")
        # Opened again while Argo CD refuses: the error is one line on screen.
        await pilot.press("escape")
        argo.items = ActionError("Argo CD answered 403\nPermission denied")
        await pilot.press("D")
        await wait_for(
            pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen is not screen, "a new view"
        )
        again = app.screen
        assert isinstance(again, DiffScreen)
        await wait_for(pilot, lambda: again.state == "not available", "the error")
        assert again.plain.strip() == "Cannot show the diff: Argo CD answered 403 Permission denied"
    assert argo.calls == []


async def test_without_an_argo_cd_server_the_view_says_what_would_enable_it(tmp_path: Path) -> None:
    app = make_app(None, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.tree_model is not None, "the first analysis")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff view")
        assert isinstance(app.screen, DiffScreen)
        assert app.screen.plain.splitlines() == list(NO_SERVER)
        assert "--argocd-server" in app.screen.plain


async def test_a_diff_rendered_locally_says_where_its_desired_state_came_from(tmp_path: Path) -> None:
    origin = "desired state: rendered locally from /src/manifests@0123456789ab path apps/web"
    state = DesiredState(
        ITEMS, origin, ["/src/manifests is at fedcba987654; rendered the app's revision"], local=True
    )
    app = make_app(None, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.tree_model is not None, "the first analysis")
        screen = DiffScreen("drift", lambda: state)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.found is not None, "the diff")
        lines = screen.plain.splitlines()
        assert lines[:3] == [origin, f"note: {state.notes[0]}", ""]
        assert lines[3] == "drift: 1 resource differs from git" and CA in screen.plain
        assert screen.header_detail() == "git vs live (rendered locally)  |  1 resource differs"

"""The REST backend's session login, and the confirm screen driving the real backends on the lab."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Button

from kftui.cluster.argocd import ArgoRestOps
from kftui.cluster.ops import ActionError
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import FixResult, Gate
from kftui.fixes.plan import plan_action
from kftui.fixes.run import FixRunner
from kftui.model import ObjectRef
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from tests.e2e.fix_helpers import BACKENDS, make_runner, now, op_state, snapshot, wait_idle, wait_op_done

pytestmark = pytest.mark.e2e

DRIFT = ObjectRef("Application", "argocd", "drift")


def test_rest_session_login_and_no_token_in_the_audit_log(lab: Any, tmp_path: Path) -> None:
    password = lab.admin_password()
    ops = ArgoRestOps(lab.argocd_server, plaintext=True, username="admin", password=password)
    token = ops._token
    assert token.count(".") == 2  # a JWT from POST /api/v1/session
    assert ops.get_app("drift").name == "drift"
    wait_idle(lab, "drift")
    audit = AuditLog(tmp_path / "audit.jsonl", user="e2e")
    runner = FixRunner(Gate(False, audit, context=f"{lab.argocd_server} token={token}"), ops)
    assert runner.run(
        plan_action("refresh", DRIFT, snapshot(make_runner(lab, "kubernetes", tmp_path / "x")[1]))
    ).ok
    text = audit.path.read_text()
    assert token not in text and password not in text
    assert json.loads(text.splitlines()[0])["backend"] == "argocd-rest"
    with pytest.raises(ActionError) as wrong:
        ArgoRestOps(lab.argocd_server, plaintext=True, username="admin", password="not-the-password")
    assert "not-the-password" not in str(wrong.value)
    ops.close()


class Host(App[None]):
    def __init__(self, screen: FixConfirmScreen) -> None:
        super().__init__()
        self.fix_screen = screen
        self.results: list[FixResult | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.fix_screen, self.results.append)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_confirm_screen_runs_a_replace_sync_on_the_lab(lab: Any, tmp_path: Path, backend: str) -> None:
    wait_idle(lab, "drift")
    runner, kube = make_runner(lab, backend, tmp_path / "audit.jsonl")
    plan = plan_action("replace", DRIFT, snapshot(kube))
    host = Host(FixConfirmScreen(plan, runner))
    since = now()
    async with host.run_test() as pilot:
        run = host.screen.query_one("#fix-run", Button)
        assert run.disabled
        await pilot.press(*"drift")
        assert not run.disabled
        await pilot.click("#fix-run")
        await host.workers.wait_for_complete()
        await pilot.pause()
    (result,) = host.results
    assert result is not None and result.ok, result
    app = wait_op_done(lab, "drift", since)
    assert "Replace=true" in op_state(app)["operation"]["sync"]["syncOptions"]


async def test_cancelled_screen_sends_nothing_to_the_lab(lab: Any, tmp_path: Path) -> None:
    wait_idle(lab, "drift")
    before = op_state(lab.app("drift")).get("startedAt")
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl")
    host = Host(FixConfirmScreen(plan_action("force-sync", DRIFT, snapshot(kube)), runner))
    async with host.run_test() as pilot:
        await pilot.press(*"drift")
        await pilot.click("#fix-cancel")
        await pilot.pause()
    assert host.results == [None]
    assert op_state(lab.app("drift")).get("startedAt") == before
    assert not (tmp_path / "audit.jsonl").exists()

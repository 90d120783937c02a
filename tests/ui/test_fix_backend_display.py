"""The confirm screen names the backend the fix registry routes a plan to (the same one the runner uses)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from kftui.fixes.plan import plan_action
from kftui.model import ObjectRef
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from tests.ui.test_fix_screens import APP, Host, fixture, snapshot


async def meta_line(tmp_path: Path, fix_id: str, target: ObjectRef) -> str:
    argo, runner, _ = fixture(tmp_path)
    plan = plan_action(fix_id, target, snapshot(argo))
    host = Host(lambda: FixConfirmScreen(plan, runner))
    async with host.run_test() as pilot:
        await pilot.pause()
        assert isinstance(host.screen, FixConfirmScreen)
        return str(host.screen.query_one("#fix-meta", Static).content)


async def test_an_application_sync_goes_through_the_argo_backend(tmp_path: Path) -> None:
    assert (await meta_line(tmp_path, "sync", APP)).endswith("backend: fake")


async def test_creating_a_namespace_goes_through_kubernetes_even_with_an_argo_backend(tmp_path: Path) -> None:
    """Namespace creation is a Kubernetes write whatever backend carries app actions (it used to say `fake`)."""
    line = await meta_line(tmp_path, "create-namespaces", ObjectRef("Namespace", None, "kubeflow"))
    assert line.endswith("backend: kubernetes")

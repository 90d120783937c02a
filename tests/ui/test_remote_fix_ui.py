"""On a pod of a cluster kftui reads through Argo CD's API, the tree's delete-pod (ctrl+d) previews Argo CD's delete
with the `argocd app delete-resource` command and runs it through Argo CD; a token Argo CD refuses shows it disabled
with Argo CD's reason."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, OptionList, Static

from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import StaticSource
from kftui.fixes.argo_access import ArgoRbac
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import FixResult, Gate
from kftui.fixes.plans import DeleteResourcePlan
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixRuntime
from kftui.ui.app import KftuiApp
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.fix_fakes import FakeAccess, FakeArgo, FakeWorkloads
from tests.ui.helpers import frozen_clock, wait_for
from tests.ui.scenarios import SIZE, loaded
from tests.unit.test_argo_rbac import FakeArgoHttp
from tests.unit.test_remote_clusters import SPOKE, spoke_app
from tests.unit.test_remote_fix_actions import DELETE, POD, spoke_snapshot

POD_KEY = f"app:kubeflow-pipelines/ns:kubeflow/pod:{POD.name}"


def _app(tmp_path: Path, http: FakeArgoHttp) -> tuple[KftuiApp, FakeArgo]:
    app = spoke_app(server=SPOKE)
    app["status"]["resources"] = [
        {
            "group": "apps",
            "version": "v1",
            "kind": "Deployment",
            "namespace": "kubeflow",
            "name": "ml-pipeline",
        }
    ]
    snapshot = spoke_snapshot(app)
    audit = AuditLog(tmp_path / "audit.jsonl", user="t")
    argo = FakeArgo(name="argocd-rest")
    gate = Gate(False, audit, "hub", access=FakeAccess(), argo_access=ArgoRbac(http))
    runtime = FixRuntime(FixRunner(gate, argo, FakeWorkloads()), ForwardManager(None), audit)
    return KftuiApp(StaticSource(lambda: snapshot), clock=frozen_clock, fixes=runtime), argo


async def _preview_delete(app: KftuiApp, pilot: object) -> FixConfirmScreen:
    tree = app.query_one(ResourceTree)
    assert tree.reveal(POD_KEY)
    await pilot.press("ctrl+d")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, FixConfirmScreen), "the delete preview")  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, FixConfirmScreen)
    return screen


async def test_ctrl_d_on_a_remote_pod_previews_and_runs_argo_cds_delete(tmp_path: Path) -> None:
    app, argo = _app(tmp_path, FakeArgoHttp(allowed={"get"}))
    results: list[object] = []
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await _preview_delete(app, pilot)
        assert isinstance(screen.plan, DeleteResourcePlan)
        command = str(screen.query_one("#fix-command", Static).content)
        assert command == (
            f"argocd app delete-resource kubeflow-pipelines --kind Pod --resource-name {POD.name} --namespace kubeflow"
        )
        assert str(screen.query_one("#fix-meta", Static).content).endswith("backend: argocd-rest")
        await wait_for(pilot, lambda: not screen.reviewing, "Argo CD's RBAC review")
        assert not screen.query_one("#fix-run", Button).disabled
        screen.dismiss = results.append  # type: ignore[method-assign,assignment]
        await pilot.click("#fix-run")
        await wait_for(pilot, lambda: bool(results), "the delete to finish")
    assert argo.calls == [("delete-resource", "kubeflow-pipelines", DELETE)]
    assert isinstance(results[0], FixResult) and results[0].ok


async def test_a_token_argo_cd_refuses_shows_the_remote_delete_disabled_with_its_reason(
    tmp_path: Path,
) -> None:
    app, argo = _app(tmp_path, FakeArgoHttp(allowed=set(), refuse=True))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        screen = await _preview_delete(app, pilot)
        await wait_for(pilot, lambda: screen.refusal is not None, "Argo CD's refusal")
        assert screen.refusal is not None and screen.refusal.startswith(
            "Argo CD RBAC: Argo CD at https://argocd.example"
        )
        assert screen.query_one("#fix-run", Button).disabled
        refusal = str(screen.query_one("#fix-refusal", Static).content)
        assert "proj:team-a:viewer" in refusal
    assert argo.calls == []


async def test_c_on_a_remote_pods_delete_fix_copies_argo_cds_command_not_the_hubs_kubectl(
    tmp_path: Path,
) -> None:
    """`kubectl delete pod ...` would act through the hub's context, on a pod of the same name there if any: the
    finding shows, and `c` copies, the command of what kftui would run (Argo CD's)."""
    from kftui.ui.widgets.diagnostics import DiagnosticsPanel

    app, _ = _app(tmp_path, FakeArgoHttp(allowed={"get"}))
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        panel = app.query_one(DiagnosticsPanel)
        crash = next(i for i, f in enumerate(panel.shown) if f.check == "pod-failing")
        panel.query_one("#finding-list", OptionList).highlighted = crash
        await pilot.pause()
        finding = panel.current
        assert finding is not None
        ids = [f.id for f in finding.fixes]
        assert not any(argv[0] == "kubectl" for fix in finding.fixes for argv in fix.argvs)
        for fix_id, expected in (
            (
                "delete-pod",
                f"argocd app delete-resource kubeflow-pipelines --kind Pod --resource-name {POD.name} ",
            ),
            ("restart", "argocd app actions run kubeflow-pipelines restart --kind Deployment "),
        ):
            panel.query_one("#fix-list", OptionList).highlighted = ids.index(fix_id)
            await pilot.pause()
            app.action_copy_command()
            assert app.clipboard.startswith(expected), app.clipboard
        panel.query_one("#fix-list", OptionList).highlighted = ids.index("describe")
        await pilot.pause()
        app.action_copy_command()
        # A view: its command as the finding gives it, Argo CD's too (kubectl's would describe the hub's pod).
        assert app.clipboard.startswith(
            f"argocd app get-resource kubeflow-pipelines --kind Pod --resource-name {POD.name}"
        )

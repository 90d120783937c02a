"""The app opens the fix screens: x on a plannable fix, o for the ordered sync, p for the port-forwards."""

from __future__ import annotations

from pathlib import Path

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import StaticSource
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import PLANNABLE
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixRuntime
from kftui.ui.app import KftuiApp
from kftui.ui.screens.fix_confirm import FixConfirmScreen
from kftui.ui.screens.ordered_sync import OrderedSyncScreen
from kftui.ui.screens.port_forwards import PortForwardsScreen
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from tests.fix_fakes import FakeArgo
from tests.ui.helpers import wait_for


async def test_keys_open_the_fix_screens_and_cancel_sends_nothing(tmp_path: Path) -> None:
    demo = load_demo()
    argo = FakeArgo()
    for a in demo.applications.values():
        argo.add(a.name)
    audit = AuditLog(tmp_path / "audit.jsonl", user="t")
    runtime = FixRuntime(FixRunner(Gate(False, audit, "demo"), argo), ForwardManager(None), audit)
    app = KftuiApp(StaticSource(lambda: demo), fixes=runtime)
    async with app.run_test(size=(160, 50)) as pilot:
        await wait_for(pilot, lambda: app.snapshot is not None, "the demo snapshot")
        # The root causes' first fixes are advice (logs, edit-manifests): unfold the first to reach kubeflow
        # Degraded, whose first fix (hard-refresh) runs.
        await pilot.press("f", "right")
        panel = app.query_one(DiagnosticsPanel)
        for _ in range(40):
            fix = panel.current_fix
            if fix is not None and fix.id in PLANNABLE:
                break
            await pilot.press("down")
        for key, screen in (("x", FixConfirmScreen), ("o", OrderedSyncScreen), ("p", PortForwardsScreen)):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen), key
            await pilot.press("escape")
            await pilot.pause()
    assert argo.calls == [] and audit.entries() == []

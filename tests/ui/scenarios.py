"""The screens we approve: the snapshot tests and `python -m tests.ui.screenshots` both run these.

Each scenario builds the app on the embedded demo with a frozen clock and drives it with the keys a user
would press, so the README's screenshots are exactly what the snapshot tests check.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from kftui.cluster.dumpfile import demo_text, load_demo
from kftui.cluster.manifest import DumpObjects
from kftui.cluster.portforward import ForwardManager
from kftui.cluster.source import ConnectionStatus, SourceError, StaticSource
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.run import FixRunner
from kftui.fixes.runtime import FixRuntime
from kftui.model import ClusterSnapshot, ConnectionState
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.resource_tree import ResourceTree
from tests.fix_fakes import FakeArgo
from tests.ui.helpers import FakeLiveSource, FakeLogSource, frozen_clock, wait_for

SIZE = (160, 48)


def demo_app() -> KftuiApp:
    """The demo as `kftui --demo` opens it: its objects kept for the YAML view."""
    return KftuiApp(StaticSource(load_demo, DumpObjects(demo_text, "demo.yaml").find), clock=frozen_clock)


def _unreachable() -> ClusterSnapshot:
    raise SourceError(
        "cannot reach https://10.0.0.1:6443: connection refused (is the VPN up? check `kubectl cluster-info`)"
    )


def broken_app() -> KftuiApp:
    return KftuiApp(StaticSource(_unreachable), clock=frozen_clock)


async def loaded(pilot: Pilot[None]) -> None:
    app = pilot.app
    assert isinstance(app, KftuiApp)
    await wait_for(
        pilot, lambda: app.tree_model is not None or app.load_error is not None, "the first snapshot"
    )


async def overview(pilot: Pilot[None]) -> None:
    """First look: every app expanded one level, the worst one under the cursor."""
    await loaded(pilot)
    await pilot.press("E")
    await pilot.pause()


async def finding(pilot: Pilot[None]) -> None:
    """The crash-looping pod's finding chosen, the root cause of two others, unfolded under it (→): its
    evidence, what it led to, the pod revealed in the tree, its describe view."""
    await loaded(pilot)
    await pilot.press("f", "right", "down", "up")
    await pilot.pause()


async def narrowed(pilot: Pilot[None]) -> None:
    """Enter on kubeflow-pipelines: only its findings remain."""
    await loaded(pilot)
    app = pilot.app
    assert isinstance(app, KftuiApp)
    await pilot.press("C")
    app.query_one(ResourceTree).reveal("app:kubeflow-pipelines")
    await pilot.press("enter")
    await pilot.pause()


async def filtered(pilot: Pilot[None]) -> None:
    """`/katib`: only the path to katib's resources and pod is left."""
    await loaded(pilot)
    await pilot.press("slash", *"katib")
    await filter_applied(pilot, "katib")


async def filter_applied(pilot: Pilot[None], text: str) -> None:
    """The filter is debounced while typing; wait until the tree shows it."""
    app = pilot.app
    assert isinstance(app, KftuiApp)
    tree = app.query_one(ResourceTree)
    await wait_for(pilot, lambda: tree.filter_text == text, f"the filter {text!r}")


async def help_screen(pilot: Pilot[None]) -> None:
    await loaded(pilot)
    await pilot.press("question_mark")
    await pilot.pause()


async def load_error(pilot: Pilot[None]) -> None:
    await loaded(pilot)


def _not_diagnosed() -> ClusterSnapshot:
    """The demo as credentials that may read pods but not the Argo CD Applications see it."""
    return replace(
        load_demo(),
        applications={},
        forbidden={
            "Application": "forbidden: cannot list Application (applications.argoproj.io is forbidden: User "
            '"system:serviceaccount:kubeflow:oncall" cannot list resource "applications" in API group '
            '"argoproj.io" in the namespace "argocd")'
        },
    )


def not_diagnosed_app() -> KftuiApp:
    return KftuiApp(StaticSource(_not_diagnosed), clock=frozen_clock)


def live_app() -> KftuiApp:
    return KftuiApp(FakeLiveSource(load_demo()), clock=frozen_clock, read_only=True)


async def reconnecting(pilot: Pilot[None]) -> None:
    """A live, read-only session whose watch dropped: the status line says so and marks the data stale."""
    app = pilot.app
    assert isinstance(app, KftuiApp) and isinstance(app.source, FakeLiveSource)
    await loaded(pilot)
    app.source.push(
        ConnectionStatus(ConnectionState.RECONNECTING, "watch pods: connection reset by peer; retry in 4s")
    )
    await wait_for(pilot, lambda: app.connection.state is ConnectionState.RECONNECTING, "reconnecting")


KATIB_POD = "app:kubeflow/ns:kubeflow/pod:katib-controller-7f5b8c9d6-5rjtn"
KATIB_LOG = [
    "I1120 03:10:02.118 main.go:51] katib-controller v0.18.0 starting",
    "I1120 03:10:02.512 main.go:88] connecting to katib-mysql.kubeflow.svc:3306",
    "E1120 03:10:12.514 db.go:40] error: dial tcp 10.96.14.2:3306: connect: connection refused",
    "I1120 03:10:12.515 db.go:44] retrying in 10s (attempt 1/3)",
    "E1120 03:10:22.517 db.go:40] error: dial tcp 10.96.14.2:3306: connect: connection refused",
    "W1120 03:10:22.517 db.go:47] a very long line from the controller that goes on and on to show how wrapping "
    "behaves in the log view when the pod writes more than one screen row at a time, as Java stack traces do",
    "F1120 03:10:32.519 main.go:97] cannot connect to mysql after 3 attempts: exiting",
]


def logs_app() -> KftuiApp:
    """A live, read-only session whose katib pod has a log (the log seam faked: no cluster in a screenshot)."""
    return KftuiApp(
        FakeLogSource(load_demo(), {("katib-controller", False): KATIB_LOG}),
        clock=frozen_clock,
        read_only=True,
    )


async def logs_screen(pilot: Pilot[None]) -> None:
    """`l` on the crash-looping katib pod, wrapped, searching for "error"."""
    from kftui.ui.screens.logs import LogsScreen

    app = pilot.app
    assert isinstance(app, KftuiApp)
    await loaded(pilot)
    app.query_one(ResourceTree).reveal(KATIB_POD)
    await pilot.press("l")
    await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "the logs screen")
    screen = app.screen
    assert isinstance(screen, LogsScreen)
    await wait_for(pilot, lambda: len(screen.buffer) == len(KATIB_LOG), "the log lines")
    await pilot.press("w", "slash", *"error", "enter")
    await pilot.pause()


async def yaml_screen(pilot: Pilot[None]) -> None:
    """`y` on the katib pod: its YAML from the demo, managedFields hidden."""
    from kftui.ui.screens.yaml_view import YamlScreen

    app = pilot.app
    assert isinstance(app, KftuiApp)
    await loaded(pilot)
    app.query_one(ResourceTree).reveal(KATIB_POD)
    await pilot.press("y")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, YamlScreen) and "kind: Pod" in app.screen.plain,
        "the YAML",
    )


async def events_screen(pilot: Pilot[None]) -> None:
    """`v` on the kubeflow namespace: its events, newest first, the warning marked."""
    from kftui.ui.screens.events import EventsScreen

    app = pilot.app
    assert isinstance(app, KftuiApp)
    await loaded(pilot)
    app.query_one(ResourceTree).reveal("app:kubeflow/ns:kubeflow")
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, EventsScreen), "the events screen")


async def sync_screen(pilot: Pilot[None]) -> None:
    """`S` on the kubeflow app: its running sync, wave 1 waiting for katib-controller, the finding that explains it."""
    from kftui.ui.screens.sync_view import SyncScreen

    app = pilot.app
    assert isinstance(app, KftuiApp)
    await loaded(pilot)
    app.query_one(ResourceTree).reveal("app:kubeflow")
    await pilot.press("S")
    await wait_for(
        pilot, lambda: isinstance(app.screen, SyncScreen) and app.screen.shown is not None, "the sync view"
    )


def _state(obj: dict[str, Any]) -> str:
    return json.dumps(obj)


def _managed_item(
    kind: str, group: str, namespace: str, name: str, live: dict[str, Any], git: dict[str, Any]
) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": namespace} if namespace else {})}
    live = {"kind": kind, "metadata": {**meta, **live.pop("metadata", {})}, **live}
    git = {"kind": kind, "metadata": meta, **git}
    return {
        "group": group, "kind": kind, "namespace": namespace, "name": name,
        "liveState": _state(live), "normalizedLiveState": _state(live),
        "targetState": _state(git), "predictedLiveState": _state(git),
    }  # fmt: skip


def _restart_owner(manager: str) -> dict[str, Any]:
    annotations = {"f:kubectl.kubernetes.io/restartedAt": {}}
    fields = {"f:spec": {"f:template": {"f:metadata": {"f:annotations": annotations}}}}
    return {"managedFields": [{"manager": manager, "operation": "Update", "fieldsV1": fields}]}


DRIFT_ITEMS = [
    _managed_item(
        "MutatingWebhookConfiguration", "admissionregistration.k8s.io", "", "inferenceservice.serving.kserve.io",
        {"webhooks": [{"name": "inferenceservice.kserve-webhook-server.defaulter", "clientConfig": {"caBundle": "LS0tLS1CRUdJTiBDRVJU"}}]},
        {"webhooks": [{"name": "inferenceservice.kserve-webhook-server.defaulter", "clientConfig": {"caBundle": "Cg=="}}]},
    ),
    _managed_item(
        "Deployment", "apps", "kubeflow", "centraldashboard",
        {"metadata": _restart_owner("restart-controller"),
         "spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-20T03:00:00Z"}}}}},
        {"spec": {"template": {"metadata": {}}}},
    ),
    _managed_item(
        "ConfigMap", "", "kubeflow", "katib-config",
        {"data": {"resumePolicy": "Never"}},
        {"data": {"resumePolicy": "LongRunning"}},
    ),
]  # fmt: skip
"""What the diff scenario's Argo CD reports: a CA injector's caBundle, a restart annotation another field
manager writes, and a real change."""


class DiffArgo(FakeArgo):
    """The fake Argo CD backend with the REST backend's managed resources (the diff view's source)."""

    def managed_resources(self, name: str) -> list[dict[str, Any]]:
        return copy.deepcopy(DRIFT_ITEMS)


def diff_app() -> KftuiApp:
    """The demo with an Argo CD server that reports drift."""
    demo = load_demo()
    argo = DiffArgo()
    for a in demo.applications.values():
        argo.add(a.name)
    audit = AuditLog(None)
    runtime = FixRuntime(FixRunner(Gate(False, audit, "demo"), argo), ForwardManager(None), audit)
    return KftuiApp(StaticSource(lambda: demo), fixes=runtime, clock=frozen_clock)


async def diff_screen(pilot: Pilot[None]) -> None:
    """`D` on the kubeflow app: each drifting field, its class and its fix."""
    from kftui.ui.screens.diff_view import DiffScreen

    app = pilot.app
    assert isinstance(app, KftuiApp)
    await loaded(pilot)
    await pilot.press("D")
    await wait_for(
        pilot, lambda: isinstance(app.screen, DiffScreen) and app.screen.found is not None, "the diff"
    )


def fixes_app() -> KftuiApp:
    """The demo with its fix runtime, as `kftui --demo` builds it (the dialogs open; nothing can run)."""
    import os

    from kftui.fixes.runtime import FixOptions, build_fix_runtime

    source = StaticSource(load_demo, DumpObjects(demo_text, "demo.yaml").find)
    fixes = build_fix_runtime(source, FixOptions(audit_log=os.devnull), env={})
    return KftuiApp(source, clock=frozen_clock, fixes=fixes)


async def ordered_sync(pilot: Pilot[None]) -> None:
    """`o`: the ordered sync of the chain, with the preflight saying where it will stop."""
    from kftui.ui.screens.ordered_sync import OrderedSyncScreen

    app = pilot.app
    await loaded(pilot)
    await pilot.press("o")
    await wait_for(pilot, lambda: isinstance(app.screen, OrderedSyncScreen), "the ordered sync dialog")
    await pilot.pause()


SMALL, BIG = (80, 24), (220, 60)


@dataclass(frozen=True)
class Scenario:
    name: str
    make_app: Callable[[], KftuiApp]
    run_before: Callable[[Pilot[None]], Awaitable[None]]
    size: tuple[int, int] = SIZE

    async def prepare(self, pilot: Pilot[None]) -> None:
        """Drive the app to the scenario's screen, steady for a screenshot."""
        await self.run_before(pilot)
        await still_text_cursors(pilot)


async def still_text_cursors(pilot: Pilot[None]) -> None:
    """Stop the text cursors blinking: a blink flips every half second, so on a slow machine a screenshot
    would catch either phase."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await pilot.pause()


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("overview", demo_app, overview),
    Scenario("finding", demo_app, finding),
    Scenario("narrowed", demo_app, narrowed),
    Scenario("filter", demo_app, filtered),
    Scenario("help", demo_app, help_screen),
    Scenario("load-error", broken_app, load_error),
    Scenario("reconnecting", live_app, reconnecting),
    Scenario("not-diagnosed", not_diagnosed_app, loaded),
    Scenario("logs", logs_app, logs_screen),
    Scenario("yaml", demo_app, yaml_screen),
    Scenario("events", demo_app, events_screen),
    Scenario("diff", diff_app, diff_screen),
    Scenario("sync", demo_app, sync_screen),
    # The smallest terminal kftui is made for, and a big one.
    Scenario("finding-80x24", demo_app, finding, SMALL),
    Scenario("ordered-sync-80x24", fixes_app, ordered_sync, SMALL),
    Scenario("logs-80x24", logs_app, logs_screen, SMALL),
    Scenario("sync-80x24", demo_app, sync_screen, SMALL),
    Scenario("overview-220x60", demo_app, overview, BIG),
)

BY_NAME = {s.name: s for s in SCENARIOS}

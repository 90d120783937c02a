"""The screens we approve: the snapshot tests and `python -m tests.ui.screenshots` both run these.

Each scenario builds the app on the embedded demo with a frozen clock and drives it with the keys a user
would press, so the README's screenshots are exactly what the snapshot tests check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace

from textual.pilot import Pilot

from kftui.cluster.dumpfile import demo_text, load_demo
from kftui.cluster.manifest import DumpObjects
from kftui.cluster.source import ConnectionStatus, SourceError, StaticSource
from kftui.model import ClusterSnapshot, ConnectionState
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.resource_tree import ResourceTree
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
    """The crash-looping pod's finding chosen: its evidence, the pod revealed in the tree, its describe view."""
    await loaded(pilot)
    await pilot.press("f", "down")
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
    # The smallest terminal kftui is made for, and a big one.
    Scenario("finding-80x24", demo_app, finding, SMALL),
    Scenario("ordered-sync-80x24", fixes_app, ordered_sync, SMALL),
    Scenario("logs-80x24", logs_app, logs_screen, SMALL),
    Scenario("overview-220x60", demo_app, overview, BIG),
)

BY_NAME = {s.name: s for s in SCENARIOS}

"""The TUI never says "no problems" about what it could not see: without the Applications, a red banner."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import Static

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import StaticSource
from kftui.model import ClusterSnapshot
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.diagnostics import DiagnosticsPanel
from tests.ui.helpers import frozen_clock
from tests.ui.scenarios import SIZE, loaded

REFUSAL = 'forbidden: cannot list Application (User "nobody" cannot list resource "applications")'


def _unseen(forbidden: dict[str, str]) -> ClusterSnapshot:
    """The demo's namespaces and pods, without Applications, as credentials that may not list them see it."""
    return replace(load_demo(), applications={}, forbidden=forbidden)


def _texts(app: KftuiApp) -> tuple[str, str]:
    notes = app.query_one("#forbidden-notes", Static)
    panel = app.query_one(DiagnosticsPanel)
    return str(notes.render()), " ".join(str(w.render()) for w in panel.query(Static))


async def test_applications_that_cannot_be_listed_are_a_red_banner_never_no_problems() -> None:
    app = KftuiApp(StaticSource(lambda: _unseen({"Application": REFUSAL})), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        notes, panel = _texts(app)
        assert app.query_one("#forbidden-notes").display
        assert app.query_one("#forbidden-notes").has_class("blind")
        assert "Cannot list the Argo CD Applications in namespace argocd" in notes
        assert "not diagnosed" in notes and "kubectl auth can-i list applications.argoproj.io" in notes
        assert "No problems" not in panel and "Every check passed" not in panel
        assert "Not diagnosed" in panel


async def test_other_kinds_unseen_are_named_and_no_all_clear() -> None:
    snapshot = replace(load_demo(), forbidden={"Namespace": "forbidden: cannot list Namespace"})
    app = KftuiApp(StaticSource(lambda: snapshot), clock=frozen_clock)
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        notes, panel = _texts(app)
        assert not app.query_one("#forbidden-notes").has_class("blind")
        assert "Cannot list 1 kind: Namespace" in notes
        assert "Not seen: Namespace" in panel and "No problems" not in panel

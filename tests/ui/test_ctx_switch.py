"""`:ctx NAME` switches the live source (kube context or Argo CD server) without restarting; the status line
names the active Argo CD server."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import Sink, SourceError
from kftui.fixes.runtime import FixOptions, FixRuntime, build_fix_runtime
from kftui.model import WatchEvent
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.status_line import StatusLine
from tests.ui.helpers import FakeLiveSource, frozen_clock, wait_for
from tests.ui.scenarios import SIZE, loaded


class LateSource(FakeLiveSource):
    """A source whose watch thread still hands over one batch after it was told to stop (a watch that was
    mid-read when the switch came)."""

    def __init__(self, *args: object, late: list[WatchEvent]) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.late = late
        self.late_sent = threading.Event()

    def follow(self, sink: Sink, stop: threading.Event) -> None:
        super().follow(sink, stop)
        sink(list(self.late))
        self.late_sent.set()


class FakeSwitcher:
    """ContextSwitcher's face to the app: names, what is active, and switch (here without any cluster)."""

    def __init__(self, tmp_path: Path, target: FakeLiveSource) -> None:
        self.tmp_path = tmp_path
        self.target = target
        self.argocd = "hub-argocd"
        self.asked: list[str] = []

    def names(self) -> list[str]:
        return ["hub", "spoke-admin", "hub-argocd", "staging-argocd"]

    def active_argocd(self) -> str:
        return self.argocd

    def switch(self, name: str) -> tuple[FakeLiveSource, FixRuntime, str]:
        self.asked.append(name)
        if name not in self.names():
            raise SourceError(f"no kube context or Argo CD server named {name!r}")
        self.argocd = "staging-argocd"
        fixes = build_fix_runtime(self.target, FixOptions(audit_log=str(self.tmp_path / "a.jsonl")), env={})
        return self.target, fixes, f"kube context {name}, Argo CD staging-argocd"


async def test_ctx_switches_the_source_and_drops_the_old_ones_messages(tmp_path: Path) -> None:
    demo = load_demo()
    stays, goes = list(demo.pods.values())[:2]
    first = LateSource(replace(demo, context="hub"), late=[WatchEvent("DELETED", stays)])
    second = FakeLiveSource(replace(demo, context="spoke-admin"))
    app = KftuiApp(first, clock=frozen_clock)
    switcher = FakeSwitcher(tmp_path, second)
    app.switcher = switcher  # type: ignore[assignment]
    async with app.run_test(size=SIZE) as pilot:
        await loaded(pilot)
        await wait_for(pilot, first.following.is_set, "the first follow")
        assert app.query_one(StatusLine).info.argocd == "hub-argocd"

        await pilot.press("colon", *"ctx nowhere", "enter")
        await wait_for(pilot, lambda: switcher.asked == ["nowhere"], "the refused switch")
        assert app.source is first

        await pilot.press("colon", *"ctx spoke-admin", "enter")
        await wait_for(
            pilot, lambda: app.snapshot is not None and app.snapshot.context == "spoke-admin", "switch"
        )
        await wait_for(pilot, first.stopped.is_set, "the old follow to stop")
        await wait_for(pilot, second.following.is_set, "the new follow")
        assert app.source is second
        await wait_for(pilot, lambda: app.query_one(StatusLine).info.argocd == "staging-argocd", "status")

        # The old source's late batch is dropped; the new source's batches land.
        await wait_for(pilot, first.late_sent.is_set, "the late batch")
        second.push([WatchEvent("DELETED", goes)])
        await wait_for(pilot, lambda: app.snapshot is not None and goes.key not in app.snapshot.pods, "batch")
        assert app.snapshot is not None and stays.key in app.snapshot.pods

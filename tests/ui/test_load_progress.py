"""A big dump takes a while: the status line counts the objects read instead of a bare "loading…"."""

from __future__ import annotations

import threading
from collections.abc import Callable

from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import StaticSource
from kftui.model import ClusterSnapshot
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.status_line import StatusLine
from tests.ui.helpers import frozen_clock, wait_for
from tests.ui.scenarios import SIZE, loaded


async def test_the_status_line_counts_the_objects_read_while_a_dump_loads() -> None:
    release = threading.Event()

    def counting(progress: Callable[[int], None]) -> ClusterSnapshot:
        progress(5_000)
        progress(10_000)
        release.wait(600)  # until the test has seen the count
        return load_demo()

    app = KftuiApp(StaticSource(load_demo, counting_loader=counting), clock=frozen_clock)
    try:
        async with app.run_test(size=SIZE) as pilot:
            status = app.query_one(StatusLine)
            await wait_for(pilot, lambda: "loading… 10,000 objects read" in str(status.render()), "the count")
            release.set()
            await loaded(pilot)
            await wait_for(pilot, lambda: "objects read" not in str(status.render()), "the count gone")
    finally:
        release.set()

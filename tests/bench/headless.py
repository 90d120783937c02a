"""kftui headless against the bench lab, in its own process (so its peak RSS is its own).

    python -m tests.bench.headless KUBECONFIG RESULT.json [--live SECONDS [--churn-ends-with-stdin]]

Times are time.monotonic() values (CLOCK_MONOTONIC, shared by every process on the machine), so the
parent's spawn time and the churn's stamps compare directly with what this process observes.

What is measured, exactly:
- snapshot: KubeSource.load() returned (every collection listed and converted, the snapshot built).
- render: the first Analysed message was applied (tree rebuilt, findings panel and details filled) and
  Textual then finished the screen refresh that follows it (call_after_refresh).
- event -> screen: a pod label `kftui.bench/seq=s<seq>-t<ns>` carries the monotonic time at which the
  churn sent its PATCH. When flush_changes applies a batch holding that pod change, the stamp waits for
  the next Analysed message that is displayed (the app drops stale ones); the latency ends after the
  screen refresh following it. It therefore includes the API server's write, the watch, kftui's
  batching, the checks, the tree model and the repaint.
- full check pass: run_checks over the first snapshot with no incremental state (as `kftui check` runs
  it), five times at the end of each timed start (the app stopped), while the lab is quiet.
- keypress -> repaint: a Key event is handed to the driver the way a terminal's input thread does; the
  latency ends after the screen refresh that follows the tree's cursor moving.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

# The same order as kftui's CLI: the client library first, the source built and its LISTs started, then
# the checks, Textual and the app.
T_IMPORT0 = time.monotonic()

from kftui.cluster.kube import KubeSource  # noqa: E402
from kftui.cluster.listing import Collection  # noqa: E402
from kftui.cluster.watch import WatchUpdate  # noqa: E402
from kftui.model import ARGOCD_API, ClusterSnapshot, Pod, WatchEvent, apply_events  # noqa: E402
from tests.bench.objects import ARGOCD_NAMESPACE, SEQ_LABEL  # noqa: E402


class TimedSource(KubeSource):
    """KubeSource noting when the load ran and when each stamped pod change arrived on its watch."""

    arrivals: dict[str, float]

    def _load_now(self) -> ClusterSnapshot:
        self.load_started = time.monotonic()
        snap = super()._load_now()
        self.load_done = time.monotonic()
        return snap

    def _watch(self, coll: Collection, stop: threading.Event) -> Iterator[WatchUpdate]:
        arrivals = self.__dict__.setdefault("arrivals", {})
        for update in super()._watch(coll, stop):
            if isinstance(update, WatchEvent) and isinstance(update.obj, Pod):
                stamp = update.obj.labels.get(SEQ_LABEL, "")
                if stamp:
                    arrivals[stamp] = time.monotonic()  # read and converted: kftui has the event
            yield update


def build_source(argv: list[str]) -> Any:
    """The bench lab's hub as a TimedSource; with --via-argocd, what `kftui --kubeconfig HUB` builds when
    ARGOCD_SERVER and ARGOCD_AUTH_TOKEN are set (cli.build_source): the hub federated with the apps of
    other clusters, read through Argo CD's API (the multi-cluster row, tests/bench/multicluster.py)."""
    if "--via-argocd" in argv:
        from kftui.multicluster import choose, live_source

        args = argparse.Namespace(
            kubeconfig=argv[1], context=None, argocd_namespace="argocd", argocd_server=None
        )
        return live_source(choose(args))
    return TimedSource.from_kubeconfig(argv[1], None, ARGOCD_NAMESPACE)


# What `kftui` (cli.cmd_tui) does before it imports Textual: build the source, preflight, prefetch.
SOURCE = build_source(sys.argv)
if hasattr(SOURCE, "prefetch"):
    SOURCE.preflight()
    SOURCE.prefetch()

from textual import events  # noqa: E402

from kftui.checks.memo import CheckMemo  # noqa: E402
from kftui.checks.registry import run_checks  # noqa: E402
from kftui.ui.app import KftuiApp  # noqa: E402
from kftui.ui.messages import Analysed, SnapshotLoaded  # noqa: E402
from kftui.ui.tree_model import TreeModel  # noqa: E402
from kftui.ui.widgets.resource_tree import ResourceTree  # noqa: E402
from tests.bench import mcapps  # noqa: E402
from tests.bench.passes import cold_check_passes  # noqa: E402

T_IMPORTED = time.monotonic()


# pyinstrument's Profiler with --profile, started when the churn starts (so it shows the live phase only).
PROFILER: Any = None


def vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def parse_stamp(value: str) -> float | None:
    """s<seq>-t<monotonic ns> -> monotonic seconds."""
    if not value.startswith("s") or "-t" not in value:
        return None
    try:
        return int(value.rsplit("-t", 1)[1]) / 1e9
    except ValueError:
        return None


class BenchApp(KftuiApp):
    """KftuiApp with timestamps taken around the two methods that bring changes to the screen."""

    def __init__(self, source: KubeSource, expect: dict[str, int] | None = None) -> None:
        super().__init__(source)
        # app -> pods: the first render counts only once the tree shows each app with that many Running pods.
        self.expect = expect
        self.missing: dict[str, tuple[int, int]] = {}
        self.renders_until_complete = 0
        self.marks: dict[str, float] = {}
        self.latencies: list[float] = []  # from the churn's PATCH: API server write + watch + kftui
        self.watch_latencies: list[float] = []  # from the watch event reaching kftui: kftui alone
        self.unshown: list[tuple[ClusterSnapshot | None, list[tuple[float, float]]]] = []
        self.batches = 0
        self.renders = 0
        self.dropped_analyses = 0

    def flush_changes(self) -> None:
        stamps = []
        arrivals = getattr(self.source, "arrivals", {})
        for change in self.scheduler.pending:
            if isinstance(change, WatchEvent) and isinstance(change.obj, Pod):
                label = change.obj.labels.get(SEQ_LABEL, "")
                sent = parse_stamp(label)
                if sent is not None:
                    stamps.append((sent, arrivals.pop(label, sent)))
        before = self.snapshot
        super().flush_changes()
        if self.snapshot is not before:
            self.batches += 1
            self.unshown.append((self.snapshot, stamps))

    def on_snapshot_loaded(self, message: SnapshotLoaded) -> None:
        self.marks.setdefault("snapshot", time.monotonic())
        super().on_snapshot_loaded(message)

    def on_analysed(self, message: Analysed) -> None:
        super().on_analysed(message)
        if self.tree_model is not message.model:
            self.dropped_analyses += 1  # the app did not display this (older) analysis
            return
        self.renders += 1
        # Every batch up to the one that produced the displayed snapshot is now on screen.
        position = next((i for i, (snap, _) in enumerate(self.unshown) if snap is message.snapshot), -1)
        shown, self.unshown = self.unshown[: position + 1], self.unshown[position + 1 :]
        self.call_after_refresh(self._painted, [t for _, stamps in shown for t in stamps], message.model)

    def _painted(self, stamps: list[tuple[float, float]], model: TreeModel | None = None) -> None:
        now = time.monotonic()
        if "render" not in self.marks and self.expect is not None and model is not None:
            # The clock stops at this repaint only if its tree holds every expected pod (checked after
            # taking the time, so the check is not counted).
            self.renders_until_complete += 1
            self.missing = mcapps.shortfall(self.expect, mcapps.tree_pods(model))
            if self.missing:
                return
        self.marks.setdefault("render", now)
        self.latencies.extend(now - sent for sent, _ in stamps)
        self.watch_latencies.extend(now - arrived for _, arrived in stamps)


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def press_and_wait(app: BenchApp, key: str, moved: asyncio.Event) -> float:
    """One keypress through the driver; seconds until the repaint after the tree cursor moved.

    `moved` is set by a watcher of the tree's cursor_line (Textual's `watch` API), so the probe does not
    poll the event loop it measures.
    """
    event = events.Key(key, None)
    event.set_sender(app)
    tree = app.query_one(ResourceTree)
    before = tree.cursor_key
    moved.clear()
    t0 = time.monotonic()
    assert app._driver is not None
    app._driver.send_message(event)
    # A tree rebuild also moves cursor_line (clear, then back to the same item): wait for another item.
    while tree.cursor_key == before:
        try:
            await asyncio.wait_for(moved.wait(), timeout=max(0.001, 10 - (time.monotonic() - t0)))
        except TimeoutError:
            return 10.0
        moved.clear()
    painted: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def stamp() -> None:
        if not painted.done():
            painted.set_result(time.monotonic())

    app.call_after_refresh(stamp)
    return (await painted) - t0


async def run(
    kubeconfig: str,
    live: float,
    out: Path,
    expect: dict[str, int] | None = None,
    churn_ends_with_stdin: bool = False,
) -> None:
    source = SOURCE
    app = BenchApp(source, expect)
    t_start = time.monotonic()
    result: dict[str, Any] = {"imports_s": T_IMPORTED - T_IMPORT0, "t_import0": T_IMPORT0, "t_app": t_start}
    async with app.run_test(headless=True, size=(160, 50)) as pilot:
        while "render" not in app.marks:
            await asyncio.sleep(0.005)
            if time.monotonic() - t_start > 300:
                short = dict(list(app.missing.items())[:5])
                raise SystemExit(f"no complete first render within 300 s (app: (pods, expected)): {short}")
        if isinstance(source, TimedSource):
            result["t_snapshot"] = source.load_done
            result["t_load_started"] = source.load_started
        else:  # the federated source: when its snapshot (the hub's and every remote app's) reached the app
            result["t_snapshot"] = app.marks["snapshot"]
        result["renders_until_complete"] = app.renders_until_complete
        result["t_render"] = app.marks["render"]
        first = app.snapshot
        assert first is not None
        snap: ClusterSnapshot = first  # rebound below (inside a closure too): typed once
        result["counts"] = {
            "applications": len(snap.applications),
            "namespaces": len(snap.namespaces),
            "pods": len(snap.pods),
            "events": len(snap.events),
            "findings": len(app.findings),
        }
        if not isinstance(source, TimedSource):
            result["counts"]["pods_via_argocd"] = sum(
                1 for p in snap.pods.values() if p.origin is not None and p.origin.path == ARGOCD_API
            )
        if live:
            if PROFILER is not None:
                PROFILER.start()  # the churn only: the first load is measured by the timed starts
            print("READY", flush=True)
            cpu0, wall0 = time.process_time(), time.monotonic()
            keys: list[float] = []
            moved = asyncio.Event()
            app.watch(app.query_one(ResourceTree), "cursor_line", lambda: moved.set(), init=False)
            t_end = time.monotonic() + live
            i = 0
            while time.monotonic() < t_end:
                keys.append(await press_and_wait(app, "down" if i % 2 == 0 else "up", moved))
                i += 1
                await asyncio.sleep(0.1)
            if churn_ends_with_stdin:
                # When the API server falls behind, the churn runs past its schedule: its last changes
                # count too, so wait for the parent to say it has sent them all (it closes our stdin).
                await asyncio.to_thread(sys.stdin.read)
            await asyncio.sleep(3)  # let the last changes reach the screen
            # CPU seconds kftui used per second of churn (all its threads): what it takes from the machine.
            result["cpu_share"] = (time.process_time() - cpu0) / (time.monotonic() - wall0)
            result["key_latencies"] = keys
            result["event_latencies"] = app.latencies
            result["watch_latencies"] = app.watch_latencies
            result["events_not_shown"] = sum(len(stamps) for _, stamps in app.unshown)
            result["batches"] = app.batches
            result["renders"] = app.renders
            result["dropped_analyses"] = app.dropped_analyses
            latest = app.snapshot
            assert latest is not None and app.profile is not None
            snap = latest
            result["checks_ms"], result["checks_cpu_ms"] = _wall_and_cpu(cold_check_passes(snap, app.profile))
            findings = run_checks(snap, app.profile)
            result["tree_model_ms"] = [_timed(lambda: cold(TreeModel, snap, findings)) for _ in range(3)]
            # The incremental cost of one watch event, as the app pays it: apply it, rerun the checks with
            # the session's memo, and derive the tree model from the previous one.
            memo = CheckMemo()
            run_checks(snap, app.profile, memo=memo)
            model = TreeModel(snap, findings)
            pod = next(iter(snap.pods.values()))
            per_event = []
            for k in range(10):
                changed = replace(pod, labels={**pod.labels, SEQ_LABEL: f"x{k}"})

                def one(changed: Pod = changed) -> None:
                    nonlocal snap, model
                    snap = apply_events(snap, [WatchEvent("MODIFIED", changed)])
                    model = TreeModel(snap, run_checks(snap, app.profile, memo=memo), model)  # type: ignore[arg-type]

                per_event.append(_timed(one))
            result["per_event_ms"] = per_event
        result["rss_mb"] = vm_hwm_mb()
        await pilot.press("q")
    if not live:
        # The full check pass, measured once the app has stopped (its watch threads and Textual no longer
        # take turns with it) and with the lab quiet (the churn's API server load would time the machine,
        # not the checks; the live run reports that figure separately).
        assert app.profile is not None
        # The first load leaves the API server collecting a 6 GB heap for a while after kftui has its tree:
        # wait (a bounded time) until the rest of the machine is quiet, and say how busy it was.
        result["busy_before_checks"] = wait_until_quiet()
        result["checks_ms"], result["checks_cpu_ms"] = _wall_and_cpu(cold_check_passes(snap, app.profile))
    out.write_text(json.dumps(result))


def cold(fn: Any, *args: Any) -> Any:
    """Call `fn` as a "full" pass that really looks at all 20,000 pods (as `kftui check` does). The incremental
    state lives in what the caller passes (a CheckMemo, the previous TreeModel), never in module state, so
    run_checks without a memo and a TreeModel without a previous one are cold already."""
    return fn(*args)


def _wall_and_cpu(times: list[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [wall for wall, _ in times], [cpu for _, cpu in times]


def busy_cores(seconds: float) -> float:
    """Cores the whole machine kept busy over the next `seconds` (/proc/stat; this process sleeps meanwhile)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return sum(fields[:8]) - idle, sum(fields[:8])

    busy0, total0 = sample()
    time.sleep(seconds)
    busy1, total1 = sample()
    return (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)  # (/proc/stat sums every CPU)


def wait_until_quiet(below: float = 0.5, limit_s: float = 30.0) -> float:
    """Wait until the machine keeps fewer than `below` cores busy over a second, at most `limit_s`; return the
    last second's busy cores (the bench reports it beside the timings it precedes)."""
    deadline = time.monotonic() + limit_s
    busy = busy_cores(1.0)
    while busy >= below and time.monotonic() < deadline:
        busy = busy_cores(1.0)
    return busy


def _timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("kubeconfig")
    p.add_argument("out", type=Path)
    p.add_argument("--live", type=float, default=0.0, help="seconds of churn to measure through")
    p.add_argument("--profile", type=Path, help="write a pyinstrument profile of the event loop here")
    p.add_argument(
        "--via-argocd",
        action="store_true",
        help="build the source as kftui does with ARGOCD_SERVER and ARGOCD_AUTH_TOKEN set (read at import)",
    )
    p.add_argument("--expect", type=Path, help="JSON {app: pods}: the first render must show them all")
    p.add_argument(
        "--churn-ends-with-stdin",
        action="store_true",
        help="with --live: after it, keep measuring until stdin closes (the parent's churn has sent its last change)",
    )
    args = p.parse_args()
    global PROFILER
    if args.profile:
        from pyinstrument import Profiler

        PROFILER = Profiler(interval=0.005)
    expect = json.loads(args.expect.read_text()) if args.expect else None
    asyncio.run(run(args.kubeconfig, args.live, args.out, expect, args.churn_ends_with_stdin))
    if PROFILER is not None and args.profile:
        PROFILER.stop()
        args.profile.write_text(PROFILER.output_text(unicode=False, color=False, show_all=True))
    sys.exit(0)


if __name__ == "__main__":
    main()

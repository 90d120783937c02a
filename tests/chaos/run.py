"""The chaos run: KftuiApp, headless, follows the lab through a KubeSource while faults are injected.

Headless means the real app under `App.run_test()` with a live KubeSource in the same process: the app's
own follow worker applies the watch events, and the harness reads what a user would see (the status line's
rendered text) plus the app's snapshot. Blocking fault steps run in threads so the app keeps running.

For every fault we measure
  detect   fault injected -> status line says RECONNECTING and STALE (target: 2 s)
  live     server back    -> status line says LIVE again (target: 5 s)
  match    server back    -> the app's snapshot equals a fresh LIST taken with the admin credentials
                             (same keys and resourceVersions in every collection: nothing lost, nothing
                             duplicated, no ghost pods), polled until equal (target: 5 s, mismatch after 30 s)
"""

from __future__ import annotations

import asyncio
import json
import signal
import time
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kftui.cluster.kube import KubeSource
from kftui.model import COLLECTION_OF, ClusterSnapshot, ConnectionState
from kftui.ui.app import KftuiApp
from kftui.ui.widgets.status_line import StatusLine
from tests.chaos import cluster
from tests.lab.lab import Lab

DETECT_TARGET = 2.0
RECOVER_TARGET = 5.0
MATCH_GIVE_UP = 30.0
APISERVER_KILLS = 10
STOP_SECONDS = 30.0


@dataclass
class Outcome:
    fault: str
    detect_s: float | None = None
    live_s: float | None = None
    match_s: float | None = None
    mismatch: str = ""
    notes: list[str] = field(default_factory=list)
    error: str = ""
    expects: tuple[str, ...] = ("detect", "live", "match")

    @property
    def recovered(self) -> bool:
        """No error or mismatch, and every measurement this fault calls for was made within its target."""
        if self.error or self.mismatch:
            return False
        targets = {"detect": DETECT_TARGET, "live": RECOVER_TARGET, "match": RECOVER_TARGET}
        for name in self.expects:
            value = getattr(self, f"{name}_s")
            if value is None or value > targets[name]:
                return False
        return True


def fingerprint(snapshot: ClusterSnapshot) -> dict[str, dict[str, str]]:
    """Every collection as {key: resourceVersion}: equal fingerprints mean equal contents."""
    out: dict[str, dict[str, str]] = {}
    for name in sorted(set(COLLECTION_OF.values())):
        out[name] = {
            "/".join(str(p) for p in key): str(getattr(obj, "resource_version", ""))
            for key, obj in snapshot.collection(name).items()
        }
    return out


def difference(ours: dict[str, dict[str, str]], fresh: dict[str, dict[str, str]]) -> str:
    parts = []
    for name in fresh:
        a, b = ours.get(name, {}), fresh[name]
        missing = sorted(set(b) - set(a))
        ghosts = sorted(set(a) - set(b))
        stale = sorted(k for k in set(a) & set(b) if a[k] != b[k])
        if missing or ghosts or stale:
            parts.append(f"{name}: missing {missing[:3]} ghosts {ghosts[:3]} outdated {stale[:3]}")
    return "; ".join(parts)


class Chaos:
    def __init__(
        self, lab: Lab, app: KftuiApp, admin: KubeSource, token: str, log: Callable[[str], None]
    ) -> None:
        self.lab, self.app, self.admin, self.token, self.log = lab, app, admin, token, log
        self.mutator = cluster.Mutator(lab)
        self.outcomes: list[Outcome] = []
        self.crashed = ""

    # --- what the user sees -----------------------------------------------------------------------

    def status_text(self) -> str:
        return self.app.query_one(StatusLine).render().plain

    def shows_trouble(self) -> bool:
        text = self.status_text()
        return "RECONNECTING" in text and "STALE" in text

    def shows_live(self) -> bool:
        text = self.status_text()
        return " LIVE " in text and "STALE" not in text

    def check_alive(self) -> None:
        if not self.app.is_running:
            self.crashed = self.crashed or "the app stopped running"
        elif self.app.connection.state is ConnectionState.OFFLINE:
            self.crashed = self.crashed or f"the follow worker gave up: {self.app.connection.detail}"

    async def until(self, predicate: Callable[[], bool], timeout: float, start: float) -> float | None:
        """Seconds from `start` until `predicate` holds (polled every 50 ms), None after `timeout`."""
        while time.monotonic() - start < timeout:
            self.check_alive()
            if predicate():
                return round(time.monotonic() - start, 2)
            await asyncio.sleep(0.05)
        return None

    async def until_match(self, start: float) -> tuple[float | None, str]:
        last = ""
        while time.monotonic() - start < MATCH_GIVE_UP:
            self.check_alive()
            try:
                fresh = fingerprint(await asyncio.to_thread(self.admin.load))
            except Exception as exc:  # the admin LIST itself may fail while the server settles
                last = f"fresh LIST failed: {exc}"
                await asyncio.sleep(0.2)
                continue
            snapshot = self.app.snapshot
            if snapshot is not None:
                last = difference(fingerprint(snapshot), fresh)
                if not last:
                    return round(time.monotonic() - start, 2), ""
            await asyncio.sleep(0.1)
        return None, last or "no snapshot"

    # --- faults -------------------------------------------------------------------------------------

    async def fault(
        self,
        name: str,
        body: Callable[[Outcome], Awaitable[None]],
        expects: tuple[str, ...] = ("detect", "live", "match"),
    ) -> None:
        outcome = Outcome(name, expects=expects)
        self.log(f"chaos: {name} ...")
        try:
            await body(outcome)
        except Exception as exc:
            outcome.error = f"{type(exc).__name__}: {exc}"
            self.log(traceback.format_exc())
        self.check_alive()
        self.outcomes.append(outcome)
        self.log(
            f"chaos: {name}: detect={outcome.detect_s}s live={outcome.live_s}s match={outcome.match_s}s "
            f"{'ok' if outcome.recovered else 'NOT RECOVERED'} {outcome.mismatch or outcome.error}"
            + (f" ({'; '.join(outcome.notes)})" if outcome.notes else "")
        )

    async def recover(self, outcome: Outcome, back: float) -> None:
        outcome.live_s = await self.until(self.shows_live, MATCH_GIVE_UP, back)
        outcome.match_s, outcome.mismatch = await self.until_match(back)

    async def kill_apiserver(self, outcome: Outcome) -> None:
        await asyncio.to_thread(self.mutator.churn)
        start = time.monotonic()
        spec = await asyncio.to_thread(cluster.kill9, self.lab, "kube-apiserver")
        outcome.detect_s = await self.until(self.shows_trouble, 10, start)
        await asyncio.to_thread(cluster.restart, self.lab, spec)
        await asyncio.to_thread(cluster.wait_apiserver_ready, self.lab)
        back = time.monotonic()
        await asyncio.to_thread(self.mutator.churn)  # before kftui's watches are back, as far as we can tell
        await self.recover(outcome, back)

    async def stop_apiserver(self, outcome: Outcome) -> None:
        await asyncio.to_thread(self.mutator.churn)
        start = time.monotonic()
        cluster.signal_process(self.lab, "kube-apiserver", signal.SIGSTOP)
        try:
            outcome.detect_s = await self.until(self.shows_trouble, 10, start)
            await asyncio.sleep(max(0.0, STOP_SECONDS - (time.monotonic() - start)))
            outcome.notes.append(f"stale through the stop: {self.shows_trouble()}")
        finally:
            cluster.signal_process(self.lab, "kube-apiserver", signal.SIGCONT)
        back = time.monotonic()
        await asyncio.to_thread(self.mutator.churn)
        await self.recover(outcome, back)

    async def restart_etcd(self, outcome: Outcome) -> None:
        await asyncio.to_thread(self.mutator.churn)
        start = time.monotonic()
        spec = await asyncio.to_thread(cluster.kill9, self.lab, "etcd")
        outcome.detect_s = await self.until(self.shows_trouble, 10, start)
        await asyncio.to_thread(cluster.restart, self.lab, spec)
        await asyncio.to_thread(cluster.wait_etcd_healthy, self.lab)
        await asyncio.to_thread(cluster.wait_apiserver_ready, self.lab)
        back = time.monotonic()
        await asyncio.to_thread(self.mutator.churn)
        await self.recover(outcome, back)

    async def compact_etcd(self, outcome: Outcome) -> None:
        """Watches resume from a compacted resourceVersion: the server answers 410 Gone, kftui relists."""
        await asyncio.to_thread(self.mutator.churn)
        await asyncio.to_thread(self.mutator.touch)  # etcd's revision moves past the pods' last change
        await asyncio.sleep(0.5)
        start = time.monotonic()
        spec = await asyncio.to_thread(cluster.kill9, self.lab, "kube-apiserver")
        outcome.detect_s = await self.until(self.shows_trouble, 10, start)
        revision = await asyncio.to_thread(cluster.compact_etcd, self.lab)
        mark = self.lab.audit_mark()
        await asyncio.to_thread(cluster.restart, self.lab, spec)
        await asyncio.to_thread(cluster.wait_apiserver_ready, self.lab)
        back = time.monotonic()
        await asyncio.to_thread(self.mutator.churn)
        await self.recover(outcome, back)
        relists = cluster.audit_lists_since(self.lab, mark, "pods")
        outcome.notes.append(f"etcd compacted at revision {revision}; kftui relisted pods {relists}x")
        if relists == 0:
            outcome.mismatch = outcome.mismatch or "no relist of pods after compaction (410 not handled?)"

    async def kill_argocd_controller(self, outcome: Outcome) -> None:
        """The API server stays up: kftui must stay LIVE, and match the cluster once the controller is back."""
        start = time.monotonic()
        spec = await asyncio.to_thread(cluster.kill9, self.lab, "argocd-application-controller")
        await asyncio.to_thread(self.mutator.churn)
        await asyncio.sleep(3)
        outcome.notes.append(f"live while the controller is down: {self.shows_live()}")
        if not self.shows_live():
            outcome.mismatch = "the API server is up but kftui did not stay LIVE"
        await asyncio.to_thread(cluster.restart, self.lab, spec)
        back = time.monotonic()
        outcome.notes.append(f"controller down {back - start:.1f}s")
        await self.recover(outcome, back)

    async def revoke_token(self, outcome: Outcome) -> None:
        """The token Secret is deleted: kftui says 401 within 2 s, keeps its (stale) data and keeps running."""
        before = self.app.snapshot
        issued = time.monotonic()
        await asyncio.to_thread(cluster.revoke_token, self.lab)
        # The server keeps accepting a revoked token from its authentication cache (10 s): the fault is
        # in effect once the server itself answers 401 to that token.
        await asyncio.to_thread(
            self.lab.wait_for,
            lambda: cluster.token_rejected(self.lab, self.token),
            30,
            "401 for the token",
            0.1,
        )
        start = time.monotonic()
        outcome.notes.append(
            f"the server rejected the token {start - issued:.1f}s after the Secret was deleted"
        )
        outcome.detect_s = await self.until(
            lambda: self.shows_trouble() and "401 Unauthorized" in self.status_text(), 10, start
        )
        await asyncio.sleep(5)
        outcome.notes.append(f"status: {self.status_text().strip()[:160]}")
        if self.app.snapshot is None or before is None or len(self.app.snapshot.pods) == 0:
            outcome.mismatch = "the last snapshot was lost after the 401"
        if not self.shows_trouble():
            outcome.mismatch = outcome.mismatch or "the 401 is no longer shown"


async def run(lab: Lab, report_path: Path | None, log: Callable[[str], None] = print) -> int:
    """All faults against a running lab; prints per-fault lines and the final summary line."""
    work = cluster.workdir()
    kubeconfig, token = await asyncio.to_thread(cluster.token_kubeconfig, lab, work)
    source = KubeSource.from_kubeconfig(str(kubeconfig), "chaos", lab.argocd_namespace)
    admin = KubeSource.from_kubeconfig(str(lab.kubeconfig), lab.context, lab.argocd_namespace)
    app = KftuiApp(source, read_only=True)
    chaos: Chaos | None = None
    try:
        async with app.run_test(size=(200, 40)) as pilot:
            chaos = Chaos(lab, app, admin, token, log)
            first = await chaos.until(
                lambda: app.snapshot is not None and chaos.shows_live(), 120, time.monotonic()
            )
            if first is None:
                raise RuntimeError(f"kftui never went LIVE: {chaos.status_text()}")
            match, diff = await chaos.until_match(time.monotonic())
            log(f"chaos: kftui LIVE after {first}s; initial snapshot matches a fresh LIST: {diff or match}")
            for i in range(APISERVER_KILLS):
                await chaos.fault(f"apiserver kill -9 #{i + 1}", chaos.kill_apiserver)
            await chaos.fault(f"apiserver SIGSTOP {STOP_SECONDS:.0f}s", chaos.stop_apiserver)
            await chaos.fault("etcd restart", chaos.restart_etcd)
            await chaos.fault("etcd compaction (410 Gone)", chaos.compact_etcd)
            await chaos.fault("argocd controller kill -9", chaos.kill_argocd_controller, ("live", "match"))
            await chaos.fault("token revoked", chaos.revoke_token, ("detect",))
            await pilot.pause()
            chaos.check_alive()
    except Exception as exc:
        log(traceback.format_exc())
        if chaos is None:
            raise
        chaos.crashed = chaos.crashed or f"{type(exc).__name__}: {exc}"
    assert chaos is not None
    outcomes = chaos.outcomes
    recovered = sum(o.recovered for o in outcomes)
    mismatches = sum(bool(o.mismatch) for o in outcomes)
    crashes = 1 if chaos.crashed else 0
    if report_path is not None:
        report: dict[str, Any] = {
            "faults": [asdict(o) | {"recovered": o.recovered} for o in outcomes],
            "crash": chaos.crashed,
        }
        report_path.write_text(json.dumps(report, indent=2))
    if chaos.crashed:
        log(f"chaos: CRASH: {chaos.crashed}")
    log(f"chaos: faults={len(outcomes)} recovered={recovered} crashes={crashes} mismatches={mismatches}")
    return 0 if recovered == len(outcomes) and not crashes and not mismatches else 1

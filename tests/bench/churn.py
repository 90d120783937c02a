"""The lab changing pods at a bounded rate for a bounded time: label PATCHes stamped with the send time."""

from __future__ import annotations

import asyncio
import random
import ssl
import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.bench.objects import SEQ_LABEL, Scale, pod_name, pod_namespace


@dataclass
class ChurnResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    # Seconds from sending each PATCH to its response: the API server's own share of event -> screen.
    write_latencies: list[float] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


async def _churn(
    s: Scale, server: str, tls: ssl.SSLContext, rate: float, seconds: float, out: ChurnResult
) -> None:
    rng = random.Random(5)
    sem = asyncio.Semaphore(128)
    limits = httpx.Limits(max_connections=128, max_keepalive_connections=128)
    async with httpx.AsyncClient(base_url=server, verify=tls, limits=limits, timeout=30) as client:

        async def one(seq: int) -> None:
            n = rng.randrange(s.pods)
            async with sem:
                if time.monotonic() > deadline:
                    out.skipped += 1  # the API server fell behind the rate: do not catch up afterwards
                    return
                sent_ns = time.monotonic_ns()
                sent_at = sent_ns / 1e9
                stamp = f"s{seq}-t{sent_ns}"
                try:
                    r = await client.patch(
                        f"/api/v1/namespaces/{pod_namespace(s, n)}/pods/{pod_name(s, n)}",
                        content=f'{{"metadata":{{"labels":{{"{SEQ_LABEL}":"{stamp}"}}}}}}',
                        headers={"Content-Type": "application/merge-patch+json"},
                    )
                    if r.status_code == 200:
                        out.sent += 1
                        out.write_latencies.append(time.monotonic_ns() / 1e9 - sent_at)
                    else:
                        out.failed += 1
                        if len(out.errors) < 3:
                            out.errors.append(f"{r.status_code}: {r.text[:200]}")
                except httpx.HTTPError as exc:
                    out.failed += 1
                    if len(out.errors) < 3:
                        out.errors.append(repr(exc))

        t0 = time.monotonic()
        deadline = t0 + seconds
        tasks = []
        seq = 0
        while (elapsed := time.monotonic() - t0) < seconds:
            due = int(elapsed * rate) + 1
            while seq < due:
                seq += 1
                tasks.append(asyncio.create_task(one(seq)))
            await asyncio.sleep(0.005)
        await asyncio.gather(*tasks)
        out.seconds = min(time.monotonic() - t0, seconds) if out.skipped else time.monotonic() - t0


def start(
    s: Scale, server: str, tls: ssl.SSLContext, rate: float, seconds: float
) -> tuple[threading.Thread, ChurnResult]:
    """Churn in a background thread; it stops by itself after `seconds`."""
    out = ChurnResult()
    t = threading.Thread(target=lambda: asyncio.run(_churn(s, server, tls, rate, seconds, out)), daemon=True)
    t.start()
    return t, out

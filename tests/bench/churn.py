"""The lab changing pods at a bounded rate for a bounded time: label PATCHes stamped with the send time.

The churn shares the two cores with the lab and kftui, so it must cost little. An httpx AsyncClient with
128 connections took 0.74 cores for 111 PATCHes/s in the large bench (the API server itself 0.70), and the
rate stalled there with the PATCHes queued in the client: the lab could not be driven at 200/s. Here a few
threads each keep one TLS connection (http.client, keep-alive) and send their share of the schedule.
"""

from __future__ import annotations

import http.client
import random
import ssl
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.bench.objects import SEQ_LABEL, Scale, pod_name, pod_namespace

# Connections (one thread each). PATCHes wait on the API server, not on the client, so a handful of them
# keep 200/s going while one is slow; each takes its turn in the schedule.
SENDERS = 8


@dataclass
class ChurnResult:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    # Seconds from sending each PATCH to its response: the API server's own share of event -> screen.
    write_latencies: list[float] = field(default_factory=list)
    last_sent: float = 0.0  # monotonic send time of the latest PATCH that was answered
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0

    def note_error(self, text: str) -> None:
        with self.lock:
            self.failed += 1
            if len(self.errors) < 3:
                self.errors.append(text)


class _Schedule:
    """Hands out sequence numbers at `rate` per second until `seconds` have passed. A sender that is late
    for a slot sends at once; a slot whose time is already past the end is skipped, not caught up on."""

    def __init__(self, rate: float, seconds: float) -> None:
        self.rate, self.t0 = rate, time.monotonic()
        self.end = self.t0 + seconds
        self.seq = 0
        self.lock = threading.Lock()

    def next(self) -> int | None:
        with self.lock:
            self.seq += 1
            seq = self.seq
        due = self.t0 + (seq - 1) / self.rate
        if due >= self.end:
            return None
        wait = due - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        return seq


def _sender(
    s: Scale, server: str, tls: ssl.SSLContext, schedule: _Schedule, rng: random.Random, out: ChurnResult
) -> None:
    url = urlsplit(server)
    conn = http.client.HTTPSConnection(url.hostname or "127.0.0.1", url.port, context=tls, timeout=30)
    try:
        while (seq := schedule.next()) is not None:
            n = rng.randrange(s.pods)
            sent_ns = time.monotonic_ns()
            body = f'{{"metadata":{{"labels":{{"{SEQ_LABEL}":"s{seq}-t{sent_ns}"}}}}}}'
            try:
                conn.request(
                    "PATCH",
                    f"/api/v1/namespaces/{pod_namespace(s, n)}/pods/{pod_name(s, n)}",
                    body=body,
                    headers={"Content-Type": "application/merge-patch+json"},
                )
                r = conn.getresponse()
                text = r.read()
            except (OSError, http.client.HTTPException) as exc:
                out.note_error(repr(exc))
                conn.close()  # reconnects on the next request
                continue
            if r.status == 200:
                with out.lock:
                    out.sent += 1
                    out.write_latencies.append(time.monotonic_ns() / 1e9 - sent_ns / 1e9)
                    out.last_sent = max(out.last_sent, sent_ns / 1e9)
            else:
                out.note_error(f"{r.status}: {text[:200]!r}")
    finally:
        conn.close()


def _churn(s: Scale, server: str, tls: ssl.SSLContext, rate: float, seconds: float, out: ChurnResult) -> None:
    schedule = _Schedule(rate, seconds)
    senders = [
        threading.Thread(
            target=_sender, args=(s, server, tls, schedule, random.Random(5 + i), out), daemon=True
        )
        for i in range(SENDERS)
    ]
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    # The schedule's span, or longer when the senders fell behind it and sent the last PATCHes late.
    out.seconds = max(seconds, out.last_sent - schedule.t0)
    # What the schedule wanted but the senders could not send in time (the API server fell behind).
    out.skipped = max(0, int(rate * seconds) - out.sent - out.failed)


def start(
    s: Scale, server: str, tls: ssl.SSLContext, rate: float, seconds: float
) -> tuple[threading.Thread, ChurnResult]:
    """Churn in a background thread; it stops by itself after `seconds`."""
    out = ChurnResult()
    t = threading.Thread(target=_churn, args=(s, server, tls, rate, seconds, out), daemon=True)
    t.start()
    return t, out

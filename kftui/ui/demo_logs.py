"""The embedded demo's pod logs: made-up lines that fit each demo pod's state, so `l` works with no cluster.

The demo is a frozen snapshot with no kubelet behind it, yet a newcomer's first `l` should show what kftui's
logs screen does. So the demo (and only the demo: a dump or a live cluster never comes here) gets a log per
container written from what the snapshot says about it: a running container starts and then, followed, writes
a line every TICK seconds; a crash-looping one shows its last attempt failing and, with `previous`, the
attempt before. The first line says that these lines are the demo's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from kftui.cluster.logs import LogError, LogRequest
from kftui.model import ClusterSnapshot, ContainerStatus, Pod

DEMO_SOURCE, DEMO_SERVER = "demo", "(embedded demo)"  # what cluster/dumpfile.py's load_demo stamps on it
TICK = 1.0
BANNER = "# kftui demo: made-up log lines (the embedded demo has no cluster behind it)"

Opener = Callable[[LogRequest, threading.Event], Iterator[str]]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def demo_log(pod: Pod, container: ContainerStatus, previous: bool, now: datetime) -> list[str]:
    """What `kubectl logs` would print for this demo container (its previous instance with `previous`)."""
    start = (pod.started_at or now - timedelta(minutes=30)).replace(tzinfo=None)
    if previous:
        start = now.replace(tzinfo=None) - timedelta(minutes=6)
    lines = [
        BANNER,
        f"{_stamp(start)} INFO  starting {container.name} ({container.image or 'image unknown'})",
        f"{_stamp(start + timedelta(seconds=1))} INFO  loading configuration from /etc/{container.name}",
    ]
    crashing = container.restart_count > 0 and container.state != "running"
    if crashing:
        code = container.last_exit_code if container.last_exit_code is not None else 1
        lines += [
            f"{_stamp(start + timedelta(seconds=2))} INFO  connecting to mysql.{pod.namespace}.svc:3306",
            f"{_stamp(start + timedelta(seconds=32))} ERROR dial tcp mysql.{pod.namespace}.svc:3306: i/o timeout",
            f"{_stamp(start + timedelta(seconds=32))} FATAL cannot reach the database, exiting (code {code})",
        ]
    else:
        lines += [
            f"{_stamp(start + timedelta(seconds=2))} INFO  serving on :8080",
            f"{_stamp(start + timedelta(seconds=3))} INFO  ready",
        ]
    return lines


def demo_opener(snapshot: ClusterSnapshot) -> Opener | None:
    """The log opener of the embedded demo; None for any other snapshot (they have real logs, or none)."""
    if (snapshot.source, snapshot.server) != (DEMO_SOURCE, DEMO_SERVER):
        return None

    def stream(request: LogRequest, stop: threading.Event) -> Iterator[str]:
        pod = snapshot.pods.get((request.namespace, request.pod))
        found = [c for c in pod.containers if c.name == request.container] if pod is not None else []
        if pod is None or not found:
            raise LogError(f'container "{request.container}" not found in pod {request.pod}')
        container = found[0]
        if request.previous and container.restart_count == 0:
            raise LogError(f'previous terminated container "{container.name}" in pod {pod.name} not found')
        lines = demo_log(pod, container, request.previous, snapshot.now)
        yield from lines[-request.tail_lines :] if request.tail_lines else lines
        if request.previous or container.state != "running" or not request.follow:
            return
        beat = 0
        while not stop.wait(TICK):
            beat += 1
            yield f"{_stamp(datetime.now(UTC).replace(microsecond=0))} INFO  GET /healthz 200 ({beat})"

    return stream

"""The full check pass as the bench times it, for the live bench (headless.py) and the offline one (checkpass.py).

Cold means no incremental state: that lives in what a caller passes (a CheckMemo), never in module state, so
run_checks without a memo looks at every object, as `kftui check` does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kftui.checks.registry import run_checks
from kftui.model import ClusterSnapshot


def timed_ms(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call. The CPU time is the calling thread's alone: on a machine shared
    with the lab (or kftui's own watch threads), the wall time can be someone else's."""
    t0, c0 = time.perf_counter(), time.thread_time()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000


def cold_check_passes(snapshot: ClusterSnapshot, profile: Any, times: int = 5) -> list[tuple[float, float]]:
    """(wall, CPU) milliseconds of `times` full check passes, each cold."""
    return [timed_ms(lambda: run_checks(snapshot, profile)) for _ in range(times)]

"""Labels and the describe view: what an on-call engineer reads, checked as plain text and colour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kftui.cluster.dumpfile import load_demo
from kftui.model import Event, ObjectRef
from kftui.ui import render

NOW = datetime(2026, 11, 20, 3, 12, tzinfo=UTC)


def test_age_is_kubectl_style_and_relative_to_the_snapshot() -> None:
    assert render.age(NOW - timedelta(seconds=45), NOW) == "45s"
    assert render.age(NOW - timedelta(minutes=12, seconds=5), NOW) == "12m"
    assert render.age(NOW - timedelta(hours=3), NOW) == "3h"
    assert render.age(NOW - timedelta(days=5, hours=2), NOW) == "5d"
    assert render.age(NOW + timedelta(seconds=5), NOW) == "0s"
    assert render.age(None, NOW) == "?"


def test_describe_leaves_out_defaults_but_always_shows_readiness() -> None:
    demo = load_demo()
    pod = demo.pods[("kubeflow", "katib-controller-7f5b8c9d6-5rjtn")]
    text = render.describe([("Pod", pod)], demo.now)
    plain = text.plain
    assert "ready: False" in plain
    assert "  - name: katib-controller\n" in plain  # list items in YAML style
    assert "deleting" not in plain and "init:" not in plain  # still at their defaults
    assert "restart_count: 7" in plain
    assert "created_at: 2026-11-20 02:42:00 UTC (30m ago)" in plain
    red = {text.plain[span.start : span.end].strip() for span in text.spans if span.style == render.RED}
    assert {"False", "CrashLoopBackOff"} <= red


def test_events_table_highlights_warnings_and_handles_none() -> None:
    assert "No events" in render.events_table([], NOW).plain
    event = Event(
        "kubeflow",
        "e1",
        ObjectRef("Pod", "kubeflow", "p"),
        reason="BackOff",
        message="Back-off restarting failed container",
        type="Warning",
        count=42,
        last_seen=NOW - timedelta(minutes=2),
    )
    text = render.events_table([event], NOW)
    lines = text.plain.splitlines()
    assert lines[0].split() == ["AGE", "TYPE", "REASON", "COUNT", "MESSAGE"]
    assert lines[1].split()[:4] == ["2m", "Warning", "BackOff", "42"]
    assert any(span.style == render.YELLOW for span in text.spans)

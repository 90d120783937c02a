"""Incremental checks: a memoised run over a stream of snapshots finds exactly what a fresh run finds."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.checks import pods as pod_checks
from kftui.checks.memo import CheckMemo, ReadRecorder
from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.model import (
    ClusterSnapshot,
    ContainerStatus,
    Finding,
    ObjectRef,
    Pod,
    Severity,
    SnapshotChange,
    WatchEvent,
    apply_events,
)
from kftui.profile import Profile, builtin_profile

DEMO = load_demo()
PROFILE = builtin_profile()
CRASHING = ContainerStatus("main", state="waiting", reason="CrashLoopBackOff", restart_count=7)


def fresh_run(snapshot: ClusterSnapshot) -> list[Finding]:
    """run_checks as `kftui check` does it: without a check memo, so without any earlier pass over the pods."""
    return run_checks(snapshot, PROFILE)


def change(draw: st.DrawFn, snapshot: ClusterSnapshot) -> SnapshotChange:
    pods = sorted(snapshot.pods.values(), key=lambda p: p.key)
    apps = sorted(snapshot.applications.values(), key=lambda a: a.name)
    what = draw(st.sampled_from(["crash", "heal", "young", "young-running", "delete", "app", "unready"]))
    pod = draw(st.sampled_from(pods)) if pods else None
    if what == "crash" and pod is not None:
        return WatchEvent("MODIFIED", replace(pod, phase="Running", ready=False, containers=(CRASHING,)))
    if what == "heal" and pod is not None:
        healthy = ContainerStatus("main", ready=True, state="running")
        return WatchEvent("MODIFIED", replace(pod, phase="Running", ready=True, containers=(healthy,)))
    if what == "young" and pod is not None:
        # Pending and created just now: not a finding until the profile's grace period has passed.
        name = f"young-{draw(st.integers(0, 5))}"
        return WatchEvent(
            "ADDED",
            replace(pod, name=name, phase="Pending", ready=False, containers=(), created_at=snapshot.now),
        )
    if what == "young-running" and pod is not None:
        # Running and just created: Ready or not, only the not-Ready one can become a finding with time.
        name = f"young-run-{draw(st.integers(0, 5))}"
        ready = draw(st.booleans())
        state = ContainerStatus("main", ready=ready, state="running")
        return WatchEvent(
            "ADDED",
            replace(
                pod, name=name, phase="Running", ready=ready, containers=(state,), created_at=snapshot.now
            ),
        )
    if what == "delete" and pod is not None:
        return WatchEvent("DELETED", pod)
    if what == "unready" and pod is not None:
        return WatchEvent("MODIFIED", replace(pod, phase="Running", ready=False))
    app = draw(st.sampled_from(apps))
    sync = draw(st.sampled_from(["Synced", "OutOfSync", "Unknown"]))
    health = draw(st.sampled_from(["Healthy", "Degraded", "Progressing"]))
    return WatchEvent("MODIFIED", replace(app, sync_status=sync, health_status=health))


@st.composite
def streams(draw: st.DrawFn) -> list[tuple[list[SnapshotChange], int]]:
    """Batches of changes, each followed by a clock step (seconds; 0 to well past the grace period)."""
    stream = []
    snapshot = DEMO
    for _ in range(draw(st.integers(1, 8))):
        batch = [change(draw, snapshot) for _ in range(draw(st.integers(0, 4)))]
        step = draw(st.sampled_from([0, 1, 30, PROFILE.progressing_grace_seconds + 1]))
        snapshot = apply_events(snapshot, batch, now=snapshot.now + timedelta(seconds=step))
        stream.append((batch, step))
    return stream


@settings(max_examples=100, deadline=None)
@given(stream=streams())
def test_memoised_checks_equal_a_fresh_run_at_every_step(
    stream: list[tuple[list[SnapshotChange], int]],
) -> None:
    memo = CheckMemo()
    snapshot = DEMO
    assert run_checks(snapshot, PROFILE, memo=memo) == fresh_run(snapshot)
    for batch, step in stream:
        snapshot = apply_events(snapshot, batch, now=snapshot.now + timedelta(seconds=step))
        assert run_checks(snapshot, PROFILE, memo=memo) == fresh_run(snapshot)


def test_a_young_pod_becomes_a_finding_when_its_grace_period_passes_without_changing() -> None:
    """The per-pod memo must not keep a diagnosis that only time was holding back."""
    memo = CheckMemo()
    template = next(iter(DEMO.pods.values()))
    young = replace(template, name="young", phase="Pending", ready=False, containers=(), created_at=DEMO.now)
    snapshot = apply_events(DEMO, [WatchEvent("ADDED", young)])
    subject = ObjectRef("Pod", young.namespace, "young")
    assert not [f for f in run_checks(snapshot, PROFILE, memo=memo) if f.subject == subject]
    later = replace(snapshot, now=snapshot.now + timedelta(seconds=PROFILE.progressing_grace_seconds + 1))
    found = [f for f in run_checks(later, PROFILE, memo=memo) if f.subject == subject]
    assert [(f.check, f.severity) for f in found] == [("pod-failing", Severity.WARNING)]


def counting_check(calls: list[str]) -> object:
    def check(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
        calls.append("ran")
        for app in snapshot.applications.values():
            if app.sync_status == "OutOfSync":
                yield Finding("test", Severity.WARNING, app.name, app.ref, "out of sync", "", "")

    return check


def test_a_check_reruns_only_when_a_field_it_read_changed() -> None:
    calls: list[str] = []
    check = counting_check(calls)
    memo = CheckMemo()
    first = memo.run("test", check, DEMO, PROFILE)  # type: ignore[arg-type]
    pod = next(iter(DEMO.pods.values()))
    pods_changed = apply_events(DEMO, [WatchEvent("MODIFIED", replace(pod, resource_version="x"))])
    assert memo.run("test", check, pods_changed, PROFILE) is first  # type: ignore[arg-type]
    assert calls == ["ran"], "a change to pods must not rerun a check that reads only applications"
    app = next(a for a in DEMO.applications.values() if a.sync_status != "OutOfSync")
    apps_changed = apply_events(pods_changed, [WatchEvent("MODIFIED", replace(app, sync_status="OutOfSync"))])
    again = memo.run("test", check, apps_changed, PROFILE)  # type: ignore[arg-type]
    assert calls == ["ran", "ran"]
    assert app.name in {f.app for f in again} and app.name not in {f.app for f in first}
    other_profile = replace(PROFILE)
    memo.run("test", check, apps_changed, other_profile)  # type: ignore[arg-type]
    assert len(calls) == 3, "another profile is another input"


def test_the_recorder_notes_fields_read_through_methods() -> None:
    recorder = ReadRecorder(DEMO)
    pod = next(iter(DEMO.pods.values()))
    assert recorder.events_for(pod.ref) == DEMO.events_for(pod.ref)
    assert recorder.collection("pods") is DEMO.pods
    assert recorder.read == {"events", "pods"}


def test_a_memoised_pod_diagnosis_is_dropped_when_the_pod_changes() -> None:
    memo = CheckMemo()
    pod = next(p for p in DEMO.pods.values() if p.ready)
    assert not [f for f in run_checks(DEMO, PROFILE, memo=memo) if f.subject == pod.ref]
    crashing = apply_events(DEMO, [WatchEvent("MODIFIED", replace(pod, ready=False, containers=(CRASHING,)))])
    found = [f for f in run_checks(crashing, PROFILE, memo=memo) if f.subject == pod.ref]
    assert [f.check for f in found] == ["pod-failing"] and isinstance(crashing.pods[pod.key], Pod)


def test_the_pod_pass_is_carried_by_the_memo_of_its_stream_only() -> None:
    """pod-failing continues from the last pass kept in its own memo: another memo (another session) or a
    run without one starts from nothing, so no pass leaks between streams."""
    crash = replace(next(p for p in DEMO.pods.values() if p.ready), ready=False, containers=(CRASHING,))
    crashed = apply_events(DEMO, [WatchEvent("MODIFIED", crash)])
    seen: list[pod_checks.PodPass | None] = []

    def spy(
        snapshot: ClusterSnapshot, profile: Profile, last: pod_checks.PodPass | None
    ) -> tuple[list[Finding], pod_checks.PodPass]:
        seen.append(last)
        return pod_checks.pod_failing_since(snapshot, profile, last)

    memo, other = CheckMemo(), CheckMemo()
    first = memo.run_incremental("pod-failing", spy, DEMO, PROFILE)
    assert seen == [None]
    again = memo.run_incremental("pod-failing", spy, crashed, PROFILE)
    carried = seen[-1]
    assert carried is not None and carried.pods is DEMO.pods, "the second run continues from the first"
    assert other.run_incremental("pod-failing", spy, crashed, PROFILE) == again and seen[-1] is None
    assert crash.ref in {f.subject for f in again} and crash.ref not in {f.subject for f in first}
    assert list(again) == list(pod_checks.pod_failing(crashed, PROFILE))


def test_each_check_keeps_its_own_last_run_in_a_memo() -> None:
    """Two checks reading the same fields through one memo each get their own findings, and the profile."""
    seen: list[str] = []

    def named(check_id: str) -> object:
        def check(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
            seen.append(profile.name)
            app = sorted(snapshot.applications.values(), key=lambda a: a.name)[0]
            yield Finding(check_id, Severity.INFO, app.name, app.ref, f"{check_id} ran", "", "")

        return check

    memo = CheckMemo()
    first = memo.run("first", named("first"), DEMO, PROFILE)  # type: ignore[arg-type]
    second = memo.run("second", named("second"), DEMO, PROFILE)  # type: ignore[arg-type]
    assert [f.check for f in first] == ["first"] and [f.check for f in second] == ["second"]
    assert memo.run("first", named("first"), DEMO, PROFILE) is first  # type: ignore[arg-type]
    assert seen == [PROFILE.name, PROFILE.name]


def test_following_the_lineage_is_not_reading_an_input() -> None:
    """changed_keys follows `lineage` through the recorder; that alone must not make a check rerun on every
    snapshot (each derived snapshot has a new lineage)."""
    pod = next(iter(DEMO.pods.values()))
    derived = apply_events(DEMO, [WatchEvent("MODIFIED", replace(pod, resource_version="y"))])
    recorder = ReadRecorder(derived)
    assert recorder.lineage is derived.lineage
    assert recorder.read == set()

"""pod-failing, rule by rule: which pods it reports, the title, evidence, explanation and fixes each one gets,
and how a pass continued from the last one (the TUI's memo) re-examines only what changed or what time may
change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from kftui.checks.pods import EXPLANATIONS, PodPass, pod_failing, pod_failing_since
from kftui.model import (
    Application,
    ClusterSnapshot,
    ContainerStatus,
    Event,
    Finding,
    KubeObject,
    ManagedResource,
    ObjectRef,
    Pod,
    Severity,
    WatchEvent,
    apply_events,
)
from kftui.profile import builtin_profile

NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)
PROFILE = builtin_profile("kubeflow")
GRACE = timedelta(seconds=PROFILE.progressing_grace_seconds)
OLD = NOW - GRACE - timedelta(hours=1)


def snap(*objects: KubeObject, now: datetime = NOW) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(list(objects), now=now)


def waiting(reason: str, message: str = "", name: str = "main", **extra: object) -> ContainerStatus:
    return ContainerStatus(name, state="waiting", reason=reason, message=message, **extra)  # type: ignore[arg-type]


def running(name: str = "sidecar", ready: bool = True, **extra: object) -> ContainerStatus:
    return ContainerStatus(name, ready=ready, state="running", **extra)  # type: ignore[arg-type]


def make_pod(*containers: ContainerStatus, **fields: object) -> Pod:
    values: dict[str, object] = {
        "phase": "Running",
        "ready": False,
        "node": "node-1",
        "created_at": OLD,
        "owner_kind": "ReplicaSet",
        "owner_name": "web-5c8d7f9b6",
        "workload_kind": "Deployment",
        "workload_name": "web",
    }
    values.update(fields)
    name = str(values.pop("name", "web-1"))
    return Pod("kubeflow", name, containers=containers, **values)  # type: ignore[arg-type]


def only(*objects: KubeObject, now: datetime = NOW) -> Finding:
    (finding,) = pod_failing(snap(*objects, now=now), PROFILE)
    return finding


def nothing(*objects: KubeObject, now: datetime = NOW) -> bool:
    return list(pod_failing(snap(*objects, now=now), PROFILE)) == []


@pytest.mark.parametrize(
    ("container", "evidence"),
    [
        (
            waiting("CrashLoopBackOff", restart_count=3, last_terminated_reason="Error", last_exit_code=1),
            "container main: CrashLoopBackOff, 3 restarts, last exit Error (code 1)",
        ),
        (
            waiting("CrashLoopBackOff", restart_count=5, last_exit_code=2),
            "container main: CrashLoopBackOff, 5 restarts (code 2)",
        ),
        (
            waiting("CrashLoopBackOff", restart_count=0, last_exit_code=0),
            "container main: CrashLoopBackOff, 0 restarts (code 0)",
        ),
        (waiting("CrashLoopBackOff", restart_count=2), "container main: CrashLoopBackOff, 2 restarts"),
    ],
)
def test_a_crash_loop_says_how_often_and_how_the_container_last_exited(
    container: ContainerStatus, evidence: str
) -> None:
    finding = only(make_pod(running(), container))
    assert finding.evidence == evidence
    assert finding.severity is Severity.ERROR
    assert finding.title == "Pod kubeflow/web-1 is CrashLoopBackOff"
    assert finding.explanation == EXPLANATIONS["CrashLoopBackOff"]


@pytest.mark.parametrize(
    ("container", "evidence", "symptom"),
    [
        (waiting("ErrImagePull", "not found"), "container main: ErrImagePull: not found", "ImagePull"),
        (waiting("ImagePullBackOff"), "container main: ImagePullBackOff", "ImagePull"),
        (waiting("InvalidImageName", "bad"), "container main: InvalidImageName: bad", "ImagePull"),
        (waiting("ErrImageNeverPull"), "container main: ErrImageNeverPull", "ImagePull"),
        (
            waiting("CreateContainerConfigError", 'secret "db" not found'),
            'container main: CreateContainerConfigError: secret "db" not found',
            "Config",
        ),
        (waiting("CreateContainerError"), "container main: CreateContainerError", "Config"),
        (
            waiting("ErrImagePull", "pull access denied for acme/tool-X"),
            "container main: ErrImagePull: pull access denied for acme/tool-X",
            "ImagePull",
        ),
        (
            waiting("CreateContainerConfigError", "configmap not found: CONFIG_X"),
            "container main: CreateContainerConfigError: configmap not found: CONFIG_X",
            "Config",
        ),
        (waiting("RunContainerError", "exec"), "container main: RunContainerError: exec", "Config"),
        (
            ContainerStatus("main", state="terminated", reason="OOMKilled"),
            "container main: terminated OOMKilled",
            "OOMKilled",
        ),
    ],
)
def test_a_broken_container_is_quoted_with_its_reason_and_message(
    container: ContainerStatus, evidence: str, symptom: str
) -> None:
    """The evidence ends with the reason when the kubelet gave no message (no dangling colon)."""
    finding = only(make_pod(running(), container))
    assert (finding.evidence, finding.explanation) == (evidence, EXPLANATIONS[symptom])
    assert finding.severity is Severity.ERROR
    assert finding.title == f"Pod kubeflow/web-1 is {container.reason}"


@pytest.mark.parametrize(
    "container",
    [
        ContainerStatus("main", state="running", reason="CrashLoopBackOff"),
        ContainerStatus("main", state="terminated", reason="CrashLoopBackOff"),
        ContainerStatus("main", state="terminated", reason="ErrImagePull"),
        ContainerStatus("main", state="terminated", reason="CreateContainerError"),
        ContainerStatus("main", state="waiting", reason="OOMKilled"),
        ContainerStatus("main", state="waiting", reason="ContainerCreating"),
    ],
)
def test_a_reason_counts_only_in_the_state_kubectl_shows_it_in(container: ContainerStatus) -> None:
    """A Ready running pod whose container carries a reason in another state is not failing."""
    assert nothing(make_pod(container, ready=True))


def test_the_first_failing_container_is_the_one_quoted() -> None:
    finding = only(
        make_pod(running("a"), waiting("ErrImagePull", name="b"), waiting("CrashLoopBackOff", name="c"))
    )
    assert finding.evidence == "container b: ErrImagePull"


@pytest.mark.parametrize(
    ("pod", "evidence"),
    [
        (
            make_pod(phase="Failed", reason="Evicted", message="low on memory"),
            "status.phase=Failed Evicted: low on memory",
        ),
        (make_pod(phase="Failed"), "status.phase=Failed"),
        (make_pod(phase="Failed", reason="Evicted", message="node-X"), "status.phase=Failed Evicted: node-X"),
        (make_pod(phase="Failed", ready=True), "status.phase=Failed"),
    ],
)
def test_a_failed_pod_quotes_its_reason_and_message(pod: Pod, evidence: str) -> None:
    finding = only(pod)
    assert (finding.evidence, finding.severity) == (evidence, Severity.ERROR)
    assert finding.explanation == EXPLANATIONS["Failed"]


@pytest.mark.parametrize(
    "pod",
    [
        make_pod(phase="Succeeded"),
        make_pod(phase="Succeeded", node="", unschedulable_message="0/3 nodes are available"),
        make_pod(phase="Pending", deleting=True),
        make_pod(phase="Pending", deleting=True, node="", unschedulable_message="0/3 nodes are available"),
        make_pod(phase="Running", deleting=True),
        make_pod(phase="Unknown"),
        make_pod(phase="Running", ready=True),
    ],
    ids=[
        "succeeded",
        "succeeded-stale-unschedulable",
        "deleting-pending",
        "deleting-unschedulable",
        "deleting-not-ready",
        "unknown-phase",
        "ready",
    ],
)
def test_pods_that_are_done_going_away_or_ready_are_not_reported(pod: Pod) -> None:
    assert nothing(pod)


@pytest.mark.parametrize("phase", ["Pending", "Running"])
def test_an_unschedulable_pod_is_reported_at_once_with_the_schedulers_message(phase: str) -> None:
    """Even a young pod, and even when a stale phase claims Running and Ready."""
    pod = make_pod(
        phase=phase, ready=True, node="", created_at=NOW, unschedulable_message="0/3 nodes: Insufficient cpu"
    )
    finding = only(pod)
    assert finding.evidence == "PodScheduled=False Unschedulable: 0/3 nodes: Insufficient cpu"
    assert finding.severity is Severity.ERROR
    assert finding.explanation == EXPLANATIONS["Unschedulable"]


def test_a_running_pod_not_ready_past_its_grace_counts_its_regular_containers() -> None:
    pod = make_pod(
        running("a", ready=True),
        running("b", ready=False),
        ContainerStatus("init", ready=True, state="terminated", reason="Completed", init=True),
    )
    finding = only(pod)
    assert finding.evidence == "Running but not Ready (1/2 containers ready)"
    assert finding.severity is Severity.WARNING
    assert finding.title == "Pod kubeflow/web-1 is not Ready"
    assert finding.explanation == EXPLANATIONS["NotReady"]


@pytest.mark.parametrize(
    ("node", "title", "symptom"),
    [
        ("", "Pod kubeflow/web-1 is Pending", "Unschedulable"),
        ("node-1", "Pod kubeflow/web-1 is not Ready", "NotReady"),
    ],
)
def test_a_pod_pending_past_its_grace_is_unschedulable_without_a_node(
    node: str, title: str, symptom: str
) -> None:
    finding = only(make_pod(phase="Pending", node=node))
    assert (finding.title, finding.evidence, finding.severity) == (
        title,
        "status.phase=Pending",
        Severity.WARNING,
    )
    assert finding.explanation == EXPLANATIONS[symptom]


def test_a_pod_without_a_creation_time_has_no_grace() -> None:
    assert only(make_pod(phase="Pending", created_at=None)).evidence == "status.phase=Pending"
    assert nothing(make_pod(phase="Pending", created_at=NOW - GRACE + timedelta(seconds=1)))


def test_the_newest_warning_event_about_the_pod_is_appended_to_the_evidence() -> None:
    pod = make_pod(waiting("ErrImagePull"))

    def event(
        name: str, reason: str, seen: datetime | None, kind: str = "Warning", about: str = "web-1"
    ) -> Event:
        return Event(
            "kubeflow",
            name,
            ObjectRef("Pod", "kubeflow", about),
            reason,
            f"{reason} says",
            kind,
            last_seen=seen,
        )

    events = [
        event("e1", "Old", NOW - timedelta(hours=2)),
        event("e2", "Failed", NOW - timedelta(minutes=1)),
        event("e3", "Pulled", NOW, kind="Normal"),
        event("e4", "Other", NOW, about="web-2"),
        event("e5", "Undated", None),
    ]
    assert only(pod, *events).evidence == "container main: ErrImagePull\nevent Failed: Failed says"
    assert only(pod, events[2], events[3]).evidence == "container main: ErrImagePull"


def fix_ids(finding: Finding) -> list[str]:
    return [fix.id for fix in finding.fixes]


def test_a_crashing_pod_offers_the_logs_of_the_container_that_restarts() -> None:
    finding = only(make_pod(running("sidecar"), waiting("CrashLoopBackOff", name="app", restart_count=4)))
    assert fix_ids(finding) == ["logs", "restart", "delete-pod", "describe"]
    command = finding.fixes[0].command
    assert "logs web-1" in command and "-c app" in command


def test_the_logs_offered_are_those_of_the_crashing_container_not_of_one_that_restarted_before() -> None:
    """A sidecar that restarted once and runs again is not why the pod is failing: its logs would not say."""
    pod = make_pod(
        running("sidecar", restart_count=1), waiting("CrashLoopBackOff", name="app", restart_count=9)
    )
    assert "-c app" in only(pod).fixes[0].command
    oom = make_pod(
        running("sidecar", restart_count=2),
        ContainerStatus("init", state="terminated", reason="Completed", init=True),
        ContainerStatus("app", state="terminated", reason="OOMKilled"),
    )
    assert "-c app" in only(oom).fixes[0].command


def test_an_oom_killed_pod_offers_its_logs_too() -> None:
    finding = only(make_pod(ContainerStatus("main", state="terminated", reason="OOMKilled")))
    assert fix_ids(finding)[0] == "logs"
    assert "-c main" in finding.fixes[0].command


def test_restart_is_offered_for_restartable_workloads_and_delete_pod_for_owned_pods() -> None:
    bare = make_pod(waiting("ErrImagePull"), owner_kind="", owner_name="", workload_kind="", workload_name="")
    assert fix_ids(only(bare)) == ["describe"]
    job_pod = make_pod(
        waiting("ErrImagePull"), owner_kind="Job", owner_name="j", workload_kind="Job", workload_name="j"
    )
    assert fix_ids(only(job_pod)) == ["delete-pod", "describe"]
    assert fix_ids(only(make_pod(waiting("ErrImagePull")))) == ["restart", "delete-pod", "describe"]


def test_findings_come_in_pod_key_order_and_name_the_owning_app() -> None:
    app = Application(
        "pipelines",
        "argocd",
        resources=(ManagedResource("apps", "v1", "Deployment", "kubeflow", "web"),),
    )
    pods = [
        replace(make_pod(waiting("ErrImagePull")), name="web-b"),
        replace(make_pod(waiting("ErrImagePull")), name="web-a"),
        replace(make_pod(waiting("ErrImagePull"), workload_name="other"), namespace="auth", name="z"),
    ]
    found = list(pod_failing(snap(app, *pods), PROFILE))
    assert [(f.subject.namespace, f.subject.name, f.app) for f in found] == [
        ("auth", "z", None),
        ("kubeflow", "web-a", "pipelines"),
        ("kubeflow", "web-b", "pipelines"),
    ]
    assert {f.check for f in found} == {"pod-failing"}


# The pass carried from one snapshot to the next (CheckMemo keeps it for the TUI).


def passes(
    *snapshots: ClusterSnapshot, profiles: tuple[object, ...] = ()
) -> list[tuple[list[Finding], PodPass]]:
    out: list[tuple[list[Finding], PodPass]] = []
    last: PodPass | None = None
    for i, snapshot in enumerate(snapshots):
        profile = profiles[i] if profiles else PROFILE
        findings, last = pod_failing_since(snapshot, profile, last)  # type: ignore[arg-type]
        out.append((findings, last))
    return out


def test_the_pass_notes_as_unsettled_only_pods_whose_diagnosis_time_may_change() -> None:
    """Young pods waiting on their grace are re-examined on every snapshot; failing or healthy ones are not."""
    young = NOW - timedelta(seconds=10)
    pods = [
        make_pod(phase="Pending", created_at=young, name="young-pending"),
        make_pod(running(ready=False), created_at=young, name="young-not-ready"),
        make_pod(running(), ready=True, created_at=young, name="young-ready"),
        make_pod(phase="Pending", ready=True, created_at=young, name="young-pending-ready"),
        make_pod(waiting("ErrImagePull"), created_at=young, name="young-broken"),
        make_pod(phase="Pending", created_at=young, deleting=True, name="young-deleting"),
        make_pod(
            phase="Pending", created_at=young, node="", unschedulable_message="x", name="young-unschedulable"
        ),
        make_pod(phase="Pending", name="old-pending"),
        make_pod(phase="Pending", created_at=None, name="undated-pending"),
        make_pod(phase="Succeeded", created_at=young, name="young-done"),
    ]
    ((findings, first),) = passes(snap(*pods))
    assert sorted(name for _, name in first.unsettled) == [
        "young-not-ready",
        "young-pending",
        "young-pending-ready",
    ]
    assert sorted(name for _, name in first.failing) == [
        "old-pending",
        "undated-pending",
        "young-broken",
        "young-unschedulable",
    ]
    assert sorted(f.subject.name for f in findings) == sorted(name for _, name in first.failing)
    assert (first.now, first.grace) == (NOW, GRACE)


def test_a_continued_pass_drops_pods_that_healed_or_went_away() -> None:
    broken = make_pod(waiting("ErrImagePull"), name="broken")
    crashing = make_pod(waiting("CrashLoopBackOff"), name="crashing")
    start = snap(broken, crashing)
    healed = replace(crashing, ready=True, containers=(running(),))
    later = apply_events(start, [WatchEvent("DELETED", broken), WatchEvent("MODIFIED", healed)])
    (first, _), (second, after) = passes(start, later)
    assert sorted(f.subject.name for f in first) == ["broken", "crashing"]
    assert second == [] and after.failing == {}


def test_a_continued_pass_reports_a_young_pod_once_its_grace_ends_and_keeps_settled_findings() -> None:
    young = make_pod(phase="Pending", created_at=NOW - GRACE + timedelta(seconds=5), name="young")
    broken = make_pod(waiting("ErrImagePull"), name="broken")
    start = snap(young, broken)
    later = replace(start, now=NOW + timedelta(seconds=5))
    (first, _), (second, after) = passes(start, later)
    assert [f.subject.name for f in first] == ["broken"]
    assert [f.subject.name for f in second] == ["broken", "young"]
    assert after.unsettled == frozenset()


def test_a_continued_pass_starts_over_when_the_grace_or_the_clock_goes_back() -> None:
    """A pod reported past a short grace is young again under a longer one, or at an earlier `now`."""
    pod = make_pod(phase="Pending", created_at=NOW - timedelta(seconds=120), name="p")
    start = snap(pod)
    short = replace(PROFILE, progressing_grace_seconds=60)
    (first, _), (second, _) = passes(start, start, profiles=(short, PROFILE))
    assert [f.subject.name for f in first] == ["p"] and second == []
    earlier = replace(start, now=NOW - timedelta(seconds=90))
    (first, _), (second, _) = passes(start, earlier, profiles=(short, short))
    assert [f.subject.name for f in first] == ["p"] and second == []
    (first, _), (second, _) = passes(start, start, profiles=(short, short))
    assert [f.subject.name for f in second] == ["p"]


def test_a_pod_added_young_in_a_continued_pass_waits_for_its_grace_like_any_other() -> None:
    start = snap(make_pod(waiting("ErrImagePull"), name="broken"))
    young = make_pod(phase="Pending", created_at=NOW - timedelta(seconds=10), name="young")
    added = apply_events(start, [WatchEvent("ADDED", young)])
    later = replace(added, now=NOW + GRACE)
    (_, _), (second, middle), (third, _) = passes(start, added, later)
    assert [f.subject.name for f in second] == ["broken"]
    assert middle.unsettled == {("kubeflow", "young")}
    assert [f.subject.name for f in third] == ["broken", "young"]


def test_a_continued_pass_keeps_its_owner_lookup_while_it_answers() -> None:
    """Building the lookup reads every managed resource: a pass reuses the last one while the Applications
    and the failing pods' names stay the same, and a pass without failing pods builds none."""
    app = Application(
        "pipelines", "argocd", resources=(ManagedResource("apps", "v1", "Deployment", "kubeflow", "web"),)
    )
    healthy = make_pod(running(), ready=True, name="web-1")
    calm = snap(app, healthy)
    pulling = apply_events(
        calm, [WatchEvent("MODIFIED", replace(healthy, containers=(waiting("ErrImagePull"),)))]
    )
    crashing = apply_events(
        pulling, [WatchEvent("MODIFIED", replace(healthy, containers=(waiting("CrashLoopBackOff"),)))]
    )
    healed = apply_events(crashing, [WatchEvent("MODIFIED", healthy)])
    (_, p0), (f1, p1), (f2, p2), (f3, p3) = passes(calm, pulling, crashing, healed)
    assert p0.owners is None
    assert p1.owners is not None and [f.app for f in f1] == ["pipelines"]
    assert p2.owners is p1.owners and [(f.app, f.title) for f in f2] == [
        ("pipelines", "Pod kubeflow/web-1 is CrashLoopBackOff")
    ]
    assert f3 == [] and p3.owners is p1.owners

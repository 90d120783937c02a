"""Apps on a second cluster (the lab's spoke), seen by kftui through Argo CD's API with the hub's credentials
only, or directly when a kube context reaches the spoke; Argo CD's RBAC deciding fixes; read-only making no
write by the hub's audit log nor by Argo CD's own record of the calls it served (issue 18)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_snapshot, write_dump
from kftui.cluster.source import ConnectionStatus
from kftui.fixes.plan import plan_action
from kftui.fixes.runtime import FixOptions, build_fix_runtime
from kftui.model import ARGOCD_API, ConnectionState, ObjectRef, Origin, Pod, WatchEvent
from kftui.multicluster import choose, live_source
from kftui.profile import detect_profile
from kftui.ui.app import KftuiApp
from kftui.ui.screens.logs import LogsScreen
from tests.e2e.fix_helpers import (
    argo_calls,
    argo_record_mark,
    audit_events,
    describe,
    now,
    status,
    wait_for_first_analysis,
    wait_idle,
    wait_op_done,
    writes,
)
from tests.lab import argocd_record as record
from tests.lab import spoke_scenario as sc
from tests.lab.faultproxy import FaultProxy
from tests.ui.helpers import wait_for

pytestmark = pytest.mark.e2e


def _settled(lab: Any) -> None:
    wanted = {n: ("Synced", "Healthy") for n in sc.HEALTHY_APPS} | {sc.DEGRADED_APP: ("Synced", "Degraded")}
    lab.wait_for(
        lambda: all(status(lab.app(n)) == s for n, s in wanted.items()),
        240,
        f"spoke apps settled as {wanted}",
    )


def _env(lab: Any, tmp_path: Path, token: str) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # no config file: flags and env only
        "ARGOCD_SERVER": lab.argocd_auth_server,
        "ARGOCD_AUTH_TOKEN": token,
        "ARGOCD_OPTS": "--plaintext",
        "KFTUI_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
    }


def _args(kubeconfig: Path) -> Any:
    class Args:
        argocd_namespace = "argocd"
        argocd_server = None
        insecure = False
        plaintext = True
        context = None

    Args.kubeconfig = str(kubeconfig)  # type: ignore[attr-defined]
    return Args()


def test_with_the_hub_kubeconfig_and_a_token_the_spoke_apps_are_diagnosed_through_argo_cd(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """Only the hub's kubeconfig: the crash-looping pod on the spoke is found with its event, and each
    finding says it was read through Argo CD's API; the Degraded app says which cluster it deploys to."""
    lab = lab_spoke
    _settled(lab)
    run = subprocess.run(
        [sys.executable, "-m", "kftui", "check", "-o", "json", "--kubeconfig", str(lab.kubeconfig)],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env=_env(lab, tmp_path, lab.argocd_admin_token()),
    )
    assert run.returncode in (0, 1), run.stderr
    findings = json.loads(run.stdout)["findings"]
    crash = [
        f
        for f in findings
        if f["check"] == "pod-failing" and f["subject"]["name"].startswith(sc.CRASHING_DEPLOYMENT)
    ]
    assert crash, [f["title"] for f in findings]
    evidence = "\n".join(crash[0]["evidence"])
    assert "via Argo CD API (cluster spoke)" in evidence
    assert "BackOff" in evidence
    degraded = [f for f in findings if f["check"] == "app-degraded" and f["app"] == sc.DEGRADED_APP]
    assert degraded and "deploys to cluster spoke" in "\n".join(degraded[0]["evidence"])
    # The same pod on the hub does not exist: the finding is about the spoke's.
    hub_pods = lab.get_json("pods", "-n", sc.NAMESPACE)["items"]
    assert crash[0]["subject"]["name"] not in {p["metadata"]["name"] for p in hub_pods}
    # Its commands are Argo CD's (kubectl would ask the hub), and the views work as printed, run with the argocd
    # CLI built with the lab and the same token: the crashed container's logs, the pod's live manifest.
    commands = {fix["id"]: shlex.split(fix["command"]) for fix in crash[0]["fixes"]}
    assert {argv[0] for argv in commands.values()} == {"argocd"}, commands
    shown = {
        view: subprocess.run(
            [str(lab.argocd_cli), *commands[view][1:]],
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
            env=_env(lab, tmp_path, lab.argocd_admin_token()),
        )
        for view in ("logs", "describe")
    }
    assert "katib-controller: starting" in shown["logs"].stdout, shown["logs"].stderr
    assert f"name: {crash[0]['subject']['name']}" in shown["describe"].stdout, shown["describe"].stderr
    # Katib's webhook on the spoke calls the crash-looping pod's Service. Read through Argo CD (the
    # configuration's live manifest, the Service's selector; Argo CD 3 shows no Endpoints), no pod behind it
    # is ready: the finding is about the spoke's Service.
    (hook,) = [f for f in findings if f["check"] == "webhook-unavailable"]
    assert hook["subject"] == {
        "kind": "Service",
        "namespace": sc.NAMESPACE,
        "name": sc.CRASHING_DEPLOYMENT,
        "cluster": "spoke",
    }, hook["subject"]
    assert hook["evidence"][-1] == "via Argo CD API (cluster spoke)", hook["evidence"]
    assert f"{sc.WEBHOOK_CONFIG} webhook {sc.WEBHOOK}" in hook["evidence"][0], hook["evidence"]
    assert f"pods behind Service {sc.NAMESPACE}/{sc.CRASHING_DEPLOYMENT} is ready" in hook["evidence"][0]
    # Argo CD waits, restarts and syncs there (kubectl would act on the hub).
    assert [(f["id"], shlex.split(f["command"])[:3]) for f in hook["fixes"]] == [
        ("wait-for-webhook", ["argocd", "app", "wait"]),
        ("restart", ["argocd", "app", "actions"]),
        ("sync", ["argocd", "app", "sync"]),
    ], hook["fixes"]


def test_the_spoke_read_through_argo_cd_has_its_namespaces_workloads_pods_and_logs(
    lab_spoke: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = lab_spoke
    _settled(lab)
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    source = live_source(choose(_args(lab.kubeconfig), env), env)
    snap = source.load()
    via_argo = Origin("spoke", "argocd-api")
    spoke_pods = [p for p in snap.pods.values() if p.origin == via_argo]
    crashing = [p for p in spoke_pods if p.name.startswith(sc.CRASHING_DEPLOYMENT)]
    assert crashing, sorted(p.name for p in snap.pods.values())
    assert any(w.origin == via_argo and w.name == sc.CRASHING_DEPLOYMENT for w in snap.workloads.values())
    assert any(n.origin == via_argo for n in snap.namespaces.values()) or sc.NAMESPACE in {
        n.name for n in snap.namespaces.values()
    }
    logs = source.pod_logs(crashing[0].namespace, crashing[0].name)  # type: ignore[attr-defined]
    assert "katib-controller: starting" in logs
    # `kftui dump` of this source: the spoke's objects are in it, still remote when the dump is loaded.
    dump = tmp_path / "two-clusters.yaml"
    clusters = source.clusters  # type: ignore[attr-defined]
    write_dump(dump, source.dump_objects(), snap.now, clusters=clusters)  # type: ignore[attr-defined]
    back = load_snapshot(dump)
    assert {(p.key, p.origin) for p in back.pods.values() if p.origin} == {
        (p.key, p.origin) for p in spoke_pods
    }
    assert back.clusters == clusters
    # The webhook's configuration and its Service came through Argo CD too, and come back from the dump so.
    remote_network = {
        (type(o).__name__, o.key, o.origin)
        for o in [*snap.webhooks.values(), *snap.endpoints.values(), *snap.services.values()]
        if o.origin is not None
    }
    assert (
        "WebhookConfiguration",
        ("ValidatingWebhookConfiguration", sc.WEBHOOK_CONFIG, "spoke"),
        via_argo,
    ) in (remote_network)
    assert ("Service", (sc.NAMESPACE, sc.CRASHING_DEPLOYMENT, "spoke"), via_argo) in remote_network
    assert remote_network == {
        (type(o).__name__, o.key, o.origin)
        for o in [*back.webhooks.values(), *back.endpoints.values(), *back.services.values()]
        if o.origin is not None
    }
    close = getattr(source, "close", None)
    if close is not None:
        close()


def test_given_a_context_for_the_spoke_kftui_reads_it_directly(lab_spoke: Any, tmp_path: Path) -> None:
    """The merged kubeconfig's spoke context has the same server URL as Argo CD's cluster Secret: the
    spoke's objects come from its own API server (path "direct"), not from Argo CD's resource tree."""
    lab = lab_spoke
    _settled(lab)
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    source = live_source(choose(_args(lab.kubeconfig_all), env), env)
    snap = source.load()
    spoke_pods = [p for p in snap.pods.values() if p.origin is not None and p.origin.cluster == "spoke"]
    assert spoke_pods
    assert {p.origin.path for p in spoke_pods if p.origin is not None} == {"direct"}
    # The spoke's Services, Endpoints and webhook configurations are the spoke's, read directly: Katib's
    # webhook has no ready endpoint there, and its commands act through the spoke's context.
    endpoints = snap.endpoints[(sc.NAMESPACE, sc.CRASHING_DEPLOYMENT, "spoke")]
    assert endpoints.origin is not None and endpoints.origin.path == "direct" and not endpoints.ready
    assert ("ValidatingWebhookConfiguration", sc.WEBHOOK_CONFIG, "spoke") in snap.webhooks
    assert ("ValidatingWebhookConfiguration", sc.WEBHOOK_CONFIG) not in snap.webhooks  # not the hub's
    (hook,) = [f for f in run_checks(snap, detect_profile(set())) if f.check == "webhook-unavailable"]
    assert hook.subject == ObjectRef("Service", sc.NAMESPACE, sc.CRASHING_DEPLOYMENT, "spoke")
    assert hook.evidence_lines[-1] == "via a direct kube context (cluster spoke)"
    context = endpoints.origin.context
    assert all(
        argv[-2:] == ("--context", context) for f in hook.fixes for argv in f.argvs if argv[0] == "kubectl"
    ), [f.argvs for f in hook.fixes]
    close = getattr(source, "close", None)
    if close is not None:
        close()


def test_a_token_that_may_get_but_not_sync_shows_the_sync_disabled_with_argo_cds_reason(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """Argo CD's RBAC decides: the project role may get, not sync; the fix is refused before any request,
    with Argo CD's own answer, and Argo CD records no sync."""
    lab = lab_spoke
    _settled(lab)
    viewer = lab.argocd_token_for_role()
    env = _env(lab, tmp_path, viewer)
    source = live_source(choose(_args(lab.kubeconfig), env), env)
    snap = source.load()
    options = FixOptions(
        argocd_server=lab.argocd_auth_server, plaintext=True, audit_log=str(tmp_path / "a.jsonl")
    )
    runtime = build_fix_runtime(source, options, env=env)
    plan = plan_action("sync", ObjectRef("Application", "argocd", sc.DEGRADED_APP), snap)
    assert plan.blocked is None
    reason = runtime.runner.review(plan)
    assert reason is not None and "Argo CD RBAC" in reason and "may not sync" in reason, reason
    before = lab.app(sc.DEGRADED_APP).get("status", {}).get("operationState", {}).get("startedAt")
    result = runtime.runner.run(plan)
    assert result.refused
    assert lab.app(sc.DEGRADED_APP).get("status", {}).get("operationState", {}).get("startedAt") == before
    runtime.close()


def _argo_writes(calls: list[record.ArgoCall]) -> list[str]:
    return [c.describe() for c in record.writes(calls)]


def test_read_only_makes_no_write_on_the_hub_nor_by_argo_cds_record_while_reading_the_spoke(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """`kftui check --read-only` with the hub's kubeconfig and an Argo CD token: no write in the hub's audit log,
    and none in Argo CD's own record of the calls it served, where the reads of the spoke's apps are."""
    lab = lab_spoke
    _settled(lab)
    since, mark = now(), argo_record_mark(lab)
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    run = subprocess.run(
        [sys.executable, "-m", "kftui", "check", "--read-only", "--kubeconfig", str(lab.kubeconfig)],
        capture_output=True,
        text=True,
        timeout=300,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert run.returncode in (0, 1), run.stderr
    assert describe(writes(audit_events(lab, since))) == []
    calls = argo_calls(lab, mark)
    assert _argo_writes(calls) == []
    # The window and the parsing see kftui's reads: the spoke's apps were read through Argo CD.
    assert "ResourceTree" in {c.method for c in record.reads(calls)}, [c.describe() for c in calls]


def _spoke_kubectl(lab: Any, *args: str) -> str:
    """kubectl with the spoke's own kubeconfig: a change made on the spoke, not through Argo CD or the hub."""
    run = subprocess.run(
        [lab.kubectl_path, "--kubeconfig", str(lab.spoke_kubeconfig), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=lab.env(),
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_a_change_on_the_spoke_reaches_kftui_on_argo_cds_live_stream_not_by_a_poll(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """The config puts the poll 10 minutes away; a spoke pod deleted through the spoke's own kubeconfig
    leaves kftui's snapshot anyway, with no poll in between: Argo CD's live stream of the app's tree
    (WatchResourceTree) told it. Argo CD's record has the stream's calls, as reads, and no write."""
    lab = lab_spoke
    _settled(lab)
    config = tmp_path / "config" / "kftui" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("poll_seconds: 600\n")
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    mark = argo_record_mark(lab)
    source = live_source(choose(_args(lab.kubeconfig), env), env)
    via_argo = source.via_argo  # type: ignore[attr-defined]
    assert (via_argo.interval, via_argo.safety) == (600, 600)
    snap = source.load()
    spoke = Origin(lab.spoke_cluster_name, "argocd-api")
    victim = next(p for p in snap.pods.values() if p.origin == spoke and p.name.startswith("seaweedfs-"))
    got: list[Any] = []
    arrived = threading.Condition()

    def sink(item: Any) -> None:
        with arrived:
            got.append(item)
            arrived.notify_all()

    def deleted() -> bool:
        return any(
            isinstance(e, WatchEvent)
            and e.type == "DELETED"
            and isinstance(e.obj, Pod)
            and e.obj.key == victim.key
            for item in got
            if isinstance(item, list)
            for e in item
        )

    stop = threading.Event()
    follower = threading.Thread(target=source.follow, args=(sink, stop), daemon=True)
    polls_at_load = via_argo.reads["poll"]
    follower.start()
    try:
        spoke_apps = 1 + len(sc.HEALTHY_APPS)

        def streams_started() -> bool:
            return sum(c.method == "WatchResourceTree" for c in argo_calls(lab, mark)) >= spoke_apps

        lab.wait_for(streams_started, 60, "argocd-server started a WatchResourceTree per spoke app")
        lab.wait_for(  # past the one read each app gets SETTLE after its stream opened
            lambda: via_argo.reads["poll"] >= polls_at_load + spoke_apps,
            60,
            "each spoke app's one catch-up read after its stream opened",
        )
        polls, streamed = via_argo.reads["poll"], via_argo.reads["stream"]
        _spoke_kubectl(lab, "-n", victim.namespace, "delete", "pod", victim.name, "--wait=false")
        deleting = time.monotonic()
        with arrived:
            assert arrived.wait_for(deleted, 120), [i for i in got if isinstance(i, list)]
        print(f"the spoke pod's deletion reached kftui in {time.monotonic() - deleting:.2f} s")  # pytest -s
        assert via_argo.reads["poll"] == polls  # no poll read it
        assert via_argo.reads["stream"] > streamed
        problems = [i.detail for i in got if isinstance(i, ConnectionStatus) and "live stream" in i.detail]
        assert problems == []
    finally:
        stop.set()
        follower.join(10)
        _close(source)
    assert not follower.is_alive()
    calls = argo_calls(lab, mark)
    assert _argo_writes(calls) == []
    assert "WatchResourceTree" in {c.method for c in record.reads(calls)}, [c.describe() for c in calls]


def test_a_live_stream_that_drops_is_named_on_the_status_line_and_its_return_clears_it(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """Argo CD behind a proxy the test cuts: the spoke apps' live streams drop and cannot reopen, and the
    status kftui sends says so ("live stream of <app> via Argo CD: ...; polling instead"); restored, the
    streams reopen and the status goes back to LIVE with nothing to report."""
    lab = lab_spoke
    _settled(lab)
    statuses: list[ConnectionStatus] = []
    changed = threading.Condition()

    def sink(item: Any) -> None:
        if isinstance(item, ConnectionStatus):
            with changed:
                statuses.append(item)
                changed.notify_all()

    def status_after(count: int, wanted: Any) -> bool:
        return any(wanted(s) for s in statuses[count:])

    with FaultProxy(lab.argocd_auth_server) as proxy:
        env = {**_env(lab, tmp_path, lab.argocd_admin_token()), "ARGOCD_SERVER": proxy.address}
        source = live_source(choose(_args(lab.kubeconfig), env), env)
        source.load()
        stop = threading.Event()
        follower = threading.Thread(target=source.follow, args=(sink, stop), daemon=True)
        follower.start()
        try:
            spoke_apps = 1 + len(sc.HEALTHY_APPS)
            lab.wait_for(lambda: proxy.connections >= spoke_apps, 60, "a live stream per spoke app, open")
            seen = len(statuses)
            proxy.cut()
            with changed:
                assert changed.wait_for(
                    lambda: status_after(
                        seen,
                        lambda s: s.state is ConnectionState.RECONNECTING and "live stream of" in s.detail,
                    ),
                    60,
                ), statuses
            down = next(s for s in statuses[seen:] if "live stream of" in s.detail)
            assert "via Argo CD" in down.detail and "polling instead" in down.detail, down.detail
            assert proxy.refused > 0  # the streams tried to reopen, and could not
            seen = len(statuses)
            proxy.restore()
            with changed:
                assert changed.wait_for(
                    lambda: status_after(seen, lambda s: s.state is ConnectionState.LIVE and not s.detail), 90
                ), statuses[seen:]
            assert proxy.connections >= spoke_apps  # reopened
        finally:
            stop.set()
            follower.join(10)
            _close(source)
    assert not follower.is_alive()


def _close(source: Any) -> None:
    close = getattr(source, "close", None)  # a SnapshotSource need not hold connections
    if close is not None:
        close()


def _tui_runtime(lab: Any, tmp_path: Path, read_only: bool) -> tuple[Any, Any]:
    """The remote source and fix runtime `kftui --read-only` (or without it) builds from the hub's kubeconfig,
    the auth-enabled Argo CD server and admin's token."""
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    source = live_source(choose(_args(lab.kubeconfig), env), env)
    options = FixOptions(
        read_only=read_only,
        argocd_server=lab.argocd_auth_server,
        plaintext=True,
        audit_log=str(tmp_path / "fixes.jsonl"),
    )
    return source, build_fix_runtime(source, options, env=env)


async def test_read_only_tui_reading_the_spoke_makes_no_write_by_argo_cds_record(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """The TUI in read-only mode, headless: it loads the spoke's apps through Argo CD, shows a spoke pod's log,
    and refuses a sync and a refresh of a spoke app, and a restart and a delete of the spoke pod. Argo CD served
    the reads and no write."""
    lab = lab_spoke
    _settled(lab)
    since, mark = now(), argo_record_mark(lab)
    source, runtime = _tui_runtime(lab, tmp_path, read_only=True)
    app = KftuiApp(source, read_only=True, fixes=runtime)
    async with app.run_test(size=(200, 50)) as pilot:
        await wait_for_first_analysis(pilot, app)
        snap = app.snapshot
        assert snap is not None
        via_argo = Origin(lab.spoke_cluster_name, "argocd-api")
        pod = next(
            p
            for p in snap.pods.values()
            if p.origin == via_argo and p.name.startswith(sc.CRASHING_DEPLOYMENT)
        )
        app.push_screen(LogsScreen(pod, source.stream_logs))
        await wait_for(pilot, lambda: isinstance(app.screen, LogsScreen), "the logs screen", 30)
        screen = app.screen
        assert isinstance(screen, LogsScreen)
        await wait_for(
            pilot, lambda: "katib-controller: starting" in screen.buffer.lines(), "the spoke pod's log", 60
        )
        await pilot.press("escape")
        target = ObjectRef("Application", lab.argocd_namespace, sc.DEGRADED_APP)
        for fix in ("sync", "refresh"):
            result = runtime.runner.run(plan_action(fix, target, snap))
            assert result.refused and not result.ok, (fix, result)
        for fix in ("restart", "delete-pod"):  # what Argo CD would do on the spoke: refused at the same gate
            remote = plan_action(fix, pod.ref, snap)
            assert remote.command.startswith("argocd app "), remote.command
            result = runtime.runner.run(remote)
            assert result.refused and not result.ok, (fix, result)
    runtime.close()
    _close(source)
    assert describe(writes(audit_events(lab, since))) == []
    calls = argo_calls(lab, mark)
    assert _argo_writes(calls) == []
    read = {c.method for c in record.reads(calls)}
    assert {"ResourceTree", "PodLogs"} <= read, [c.describe() for c in calls]


def test_argo_cds_record_counts_kftuis_sync_and_refresh_as_writes(lab_spoke: Any, tmp_path: Path) -> None:
    """Control for the two tests above: the same runtime without read-only syncs and refreshes a spoke app
    through Argo CD's REST API, and the same record and filter show both as writes (the hub's audit log, read
    for kftui's user agent, does not)."""
    lab = lab_spoke
    _settled(lab)
    name = sc.HEALTHY_APPS[0]
    wait_idle(lab, name)
    since, mark = now(), argo_record_mark(lab)
    source, runtime = _tui_runtime(lab, tmp_path, read_only=False)
    snap = source.load()
    target = ObjectRef("Application", lab.argocd_namespace, name)
    for fix in ("sync", "refresh"):
        result = runtime.runner.run(plan_action(fix, target, snap))
        assert result.ok, (fix, result)
    runtime.close()
    _close(source)
    wait_op_done(lab, name, since)
    found = {(c.method, c.why) for c in record.writes(argo_calls(lab, mark))}
    assert {("Sync", ""), ("Get", "refresh=normal")} <= found, found
    # Why Argo CD's record is needed beside the hub's audit log: there these writes are argocd-server's and the
    # controller's (their user agents), so the filter on kftui's user agent sees none of them.
    assert describe(writes(audit_events(lab, since))) == []


def test_ordered_sync_runs_across_the_hub_and_the_spoke(lab_spoke: Any, tmp_path: Path) -> None:
    """One ordered sync of apps on both clusters through Argo CD's REST API ends 0 with a line per app."""
    lab = lab_spoke
    _settled(lab)
    lab.wait_for(lambda: status(lab.app("kubeflow-seaweedfs")) == ("Synced", "Healthy"), 240, "hub seaweedfs")
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    apps = ["kubeflow-seaweedfs", *sc.HEALTHY_APPS]
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "kftui",
            "sync",
            "--ordered",
            "--wait",
            "--timeout",
            "3m",
            "--kubeconfig",
            str(lab.kubeconfig),
            *apps,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    for app in apps:
        assert app in run.stdout
    assert os.path.exists(tmp_path / "audit.jsonl")


# --- restart and delete-pod on the spoke, done by Argo CD (kftui holds no kube credentials for the spoke) -------


def _spoke_json(lab: Any, *args: str) -> Any:
    return json.loads(_spoke_kubectl(lab, *args, "-o", "json"))


def _restarted_at(lab: Any, deployment: str) -> str | None:
    dep = _spoke_json(lab, "get", "deployment", deployment, "-n", sc.NAMESPACE)
    annotations = dep["spec"]["template"].get("metadata", {}).get("annotations") or {}
    return annotations.get("kubectl.kubernetes.io/restartedAt")


def _spoke_pod_names(lab: Any, prefix: str) -> set[str]:
    pods = _spoke_json(lab, "get", "pods", "-n", sc.NAMESPACE)["items"]
    return {p["metadata"]["name"] for p in pods if p["metadata"]["name"].startswith(prefix)}


def _spoke_pods(snap: Any, prefix: str) -> list[ObjectRef]:
    """The spoke's pods kftui read through Argo CD. (By path, not by cluster name: a token that may not list
    Argo CD's clusters sees the spoke by its server URL, `127.0.0.1:PORT`, for the apps that name it by URL.)"""
    return [
        p.ref
        for p in snap.pods.values()
        if p.origin is not None
        and p.origin.path == ARGOCD_API
        and p.name.startswith(prefix)
        and not p.deleting
    ]


def _spoke_pod(snap: Any, prefix: str) -> ObjectRef:
    """A pod of the spoke as kftui read it through Argo CD (its ref names the spoke)."""
    pods = _spoke_pods(snap, prefix)
    assert pods, f"no spoke pod {prefix}* in kftui's snapshot"
    return pods[0]


def _load_with_spoke_pods(lab: Any, env: dict[str, str]) -> tuple[Any, Any]:
    """A remote source (as `kftui` builds it from the hub's kubeconfig and `env`) whose first snapshot holds, read
    through Argo CD, a pod of ml-pipeline and of seaweedfs that the spoke has now: a pod a test before deleted or
    rolled may still be on its way out of Argo CD's tree."""

    def loaded() -> tuple[Any, Any] | None:
        source = live_source(choose(_args(lab.kubeconfig), env), env)
        snap = source.load()
        for prefix in ("ml-pipeline-", "seaweedfs-"):
            live = _spoke_pod_names(lab, prefix)
            if not any(ref.name in live for ref in _spoke_pods(snap, prefix)):
                _close(source)
                return None
        return source, snap

    return lab.wait_for(loaded, 120, "kftui's snapshot with the spoke's current pods", interval=2.0)


def test_with_only_the_hubs_credentials_kftui_restarts_and_deletes_on_the_spoke_through_argo_cd(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """Restart of the spoke's ml-pipeline Deployment is Argo CD's `restart` action (the spoke's Deployment gets
    kubectl.kubernetes.io/restartedAt, read back with the spoke's own kubeconfig), delete-pod is Argo CD's delete
    of a seaweedfs pod (gone on the spoke); both show as writes in Argo CD's record and in kftui's audit log."""
    from kftui.fixes.plans import DeleteResourcePlan, ResourceActionPlan

    lab = lab_spoke
    _settled(lab)
    before = _restarted_at(lab, "ml-pipeline")
    since, mark = now(), argo_record_mark(lab)
    source, snap = _load_with_spoke_pods(lab, _env(lab, tmp_path, lab.argocd_admin_token()))
    options = FixOptions(
        argocd_server=lab.argocd_auth_server, plaintext=True, audit_log=str(tmp_path / "fixes.jsonl")
    )
    runtime = build_fix_runtime(source, options, env=_env(lab, tmp_path, lab.argocd_admin_token()))

    restart = plan_action("restart", _spoke_pod(snap, "ml-pipeline-"), snap)
    assert isinstance(restart, ResourceActionPlan) and restart.app == "spoke-pipelines", restart
    assert restart.command == (
        "argocd app actions run spoke-pipelines restart --kind Deployment --resource-name ml-pipeline "
        "--namespace kubeflow"
    )
    assert runtime.runner.review(restart) is None
    result = runtime.runner.run(restart)
    assert result.ok, result
    stamped = lab.wait_for(
        lambda: _restarted_at(lab, "ml-pipeline") != before, 60, "restartedAt on the spoke"
    )
    assert stamped and _restarted_at(lab, "ml-pipeline") is not None

    live = _spoke_pod_names(lab, "seaweedfs-")
    victim = next(ref for ref in _spoke_pods(snap, "seaweedfs-") if ref.name in live)
    delete = plan_action("delete-pod", victim, snap)
    assert isinstance(delete, DeleteResourcePlan) and delete.app == "spoke-seaweedfs", delete
    assert delete.confirm_word is None  # its ReplicaSet replaces it: no name to type, as on the hub
    result = runtime.runner.run(delete)
    assert result.ok, result
    lab.wait_for(lambda: victim.name not in _spoke_pod_names(lab, "seaweedfs-"), 120, f"{victim.name} gone")
    runtime.close()
    _close(source)

    found = {c.method for c in record.writes(argo_calls(lab, mark))}
    assert {"RunResourceActionV2", "DeleteResource"} <= found, found
    entries = [(e["action"], e["backend"], e["result"]) for e in runtime.audit.entries()]
    assert entries == [("restart", "argocd-rest", "ok"), ("delete-pod", "argocd-rest", "ok")]
    assert describe(writes(audit_events(lab, since))) == []  # nothing through the hub's kube API by kftui


def test_a_token_that_may_get_but_not_act_is_refused_by_argo_cd_and_the_fix_then_shows_disabled_with_its_reason(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """The project role may get, not act. Argo CD v3.2's can-i does not take per-resource actions, so nothing
    refuses beforehand; Argo CD refuses the action itself (nothing changes on the spoke), and from then on the fix
    is shown disabled with Argo CD's own reason."""
    lab = lab_spoke
    _settled(lab)
    viewer = lab.argocd_token_for_role()
    env = _env(lab, tmp_path, viewer)
    source, snap = _load_with_spoke_pods(lab, env)
    options = FixOptions(
        argocd_server=lab.argocd_auth_server, plaintext=True, audit_log=str(tmp_path / "a.jsonl")
    )
    runtime = build_fix_runtime(source, options, env=env)
    before = _restarted_at(lab, "ml-pipeline")
    live = _spoke_pod_names(lab, "seaweedfs-")
    pod = next(ref for ref in _spoke_pods(snap, "seaweedfs-") if ref.name in live)
    for fix, target, action in (
        ("restart", _spoke_pod(snap, "ml-pipeline-"), "action/apps/Deployment/restart"),
        ("delete-pod", pod, f"delete//Pod/kubeflow/{pod.name}"),
    ):
        plan = plan_action(fix, target, snap)
        assert runtime.runner.review(plan) is None, (
            fix
        )  # can-i cannot be asked this (400), the app may be read
        result = runtime.runner.run(plan)
        assert not result.ok and "(403): permission denied" in result.message, result
        assert "\n" not in result.message
        reason = runtime.runner.refusal(plan)
        assert reason is not None and reason.startswith("Argo CD RBAC: ") and action in reason, reason
        assert runtime.runner.run(plan).refused  # now refused before any request
    assert _restarted_at(lab, "ml-pipeline") == before
    assert pod.name in _spoke_pod_names(lab, "seaweedfs-")
    runtime.close()
    _close(source)


def test_given_a_context_for_the_spoke_restart_and_delete_pod_go_through_it(
    lab_spoke: Any, tmp_path: Path
) -> None:
    """With the merged kubeconfig, the spoke is read directly: restart and delete-pod of its objects go through the
    spoke's own context (kubectl --context in the command), not through Argo CD and not through the hub."""
    from kftui.fixes.plans import DeletePodPlan, RestartPlan

    lab = lab_spoke
    _settled(lab)
    env = _env(lab, tmp_path, lab.argocd_admin_token())
    before = _restarted_at(lab, "ml-pipeline")
    since, mark = now(), argo_record_mark(lab)
    source = live_source(choose(_args(lab.kubeconfig_all), env), env)
    snap = source.load()
    options = FixOptions(
        argocd_server=lab.argocd_auth_server, plaintext=True, audit_log=str(tmp_path / "fixes.jsonl")
    )
    runtime = build_fix_runtime(source, options, env=env)
    live = _spoke_pod_names(lab, "seaweedfs-")
    direct = [p for p in snap.pods.values() if p.origin is not None and p.origin.path == "direct"]
    victim = next(p.ref for p in direct if p.name in live)
    pipeline = next(p.ref for p in direct if p.name.startswith("ml-pipeline-"))
    restart = plan_action("restart", pipeline, snap)
    assert isinstance(restart, RestartPlan) and restart.context, restart
    assert restart.command.endswith(f" --context {restart.context}")
    assert runtime.runner.run(restart).ok
    lab.wait_for(lambda: _restarted_at(lab, "ml-pipeline") != before, 60, "restartedAt on the spoke")
    delete = plan_action("delete-pod", victim, snap)
    assert isinstance(delete, DeletePodPlan) and delete.context == restart.context
    assert runtime.runner.run(delete).ok
    lab.wait_for(lambda: victim.name not in _spoke_pod_names(lab, "seaweedfs-"), 120, f"{victim.name} gone")
    runtime.close()
    _close(source)
    assert record.writes(argo_calls(lab, mark)) == []  # not through Argo CD
    assert describe(writes(audit_events(lab, since))) == []  # nor through the hub
    entries = [(e["action"], e["backend"], e["result"]) for e in runtime.audit.entries()]
    assert entries == [("restart", "kubernetes", "ok"), ("delete-pod", "kubernetes", "ok")]

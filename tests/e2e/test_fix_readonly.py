"""--read-only on the lab: a run that triggers every action writes nothing, per the apiserver's audit log.

kftui's requests carry the User-Agent `kftui/<version>`, so the audit log tells them apart from kubectl,
the controllers and Argo CD (which all use the same admin certificate in the lab). A write is an event
with verb create/update/patch/delete. The guided port-forward stays allowed in read-only mode: it changes
no object. kubectl's SPDY port-forward is a POST (`create pods/portforward`); the official python
client's is a websocket GET, which the API server records as `get pods/portforward` (101 Switching
Protocols). The websocket handshake does not send kftui's User-Agent, so the test finds those events by
subresource within the test's window and checks that every one of them is a `get`: nothing is excluded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kftui.cluster.ops import SyncRequest
from kftui.cluster.portforward import ForwardManager
from kftui.fixes.gate import READ_ONLY_REASON
from kftui.fixes.ordered import OrderedSync
from kftui.fixes.plan import APP_FIXES, plan_action
from kftui.model import ObjectRef
from kftui.profile import builtin_profile
from tests.e2e.fix_helpers import (
    BACKENDS,
    audit_events,
    describe,
    make_runner,
    now,
    snapshot,
    wait_idle,
    writes,
)

pytestmark = pytest.mark.e2e


def _is_portforward(event: dict[str, Any]) -> bool:
    return event.get("objectRef", {}).get("subresource") == "portforward"


def test_read_only_run_of_every_action_writes_nothing(lab: Any, tmp_path: Path) -> None:
    wait_idle(lab, "drift")
    since = now()
    refused = 0
    for backend in BACKENDS:
        runner, kube = make_runner(lab, backend, tmp_path / f"audit-{backend}.jsonl", read_only=True)
        snap = snapshot(kube)
        drift = ObjectRef("Application", "argocd", "drift")
        for fix_id in APP_FIXES:
            plan = plan_action(fix_id, drift, snap)
            result = runner.run(plan)
            assert not result.ok and result.refused and result.message == READ_ONLY_REASON, (fix_id, result)
            refused += 1
        pod = next(
            p for p in snap.pods.values() if p.namespace == "kubeflow" and p.workload_name == "crash-looper"
        )
        for fix_id in ("restart", "delete-pod"):
            assert runner.run(plan_action(fix_id, pod.ref, snap)).refused
            refused += 1
        never = ObjectRef("Namespace", None, "kftui-read-only-never")
        assert runner.run(plan_action("create-namespaces", never, snap)).refused
        refused += 1
        assert runner.sync_app("kubeflow", SyncRequest()).refused
        chain = plan_action("ordered-sync", drift, snap, builtin_profile())
        assert runner.refusal(chain) == READ_ONLY_REASON
        ordered = OrderedSync(runner, chain.chain, step_timeout=10, interval=0.2).run()
        assert not ordered.ok and READ_ONLY_REASON in ordered.reason
        refused += 3
        entries = runner.gate.audit.entries() if runner.gate.audit else []
        assert all(e["result"] == f"refused: {READ_ONLY_REASON}" for e in entries)
    # The port-forward and its probe are allowed: they change nothing.
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "pf.jsonl", read_only=True)
    gw = plan_action(
        "port-forward", ObjectRef("Application", "argocd", "kubeflow"), snapshot(kube), builtin_profile()
    )
    assert runner.refusal(gw) is None and gw.forward is not None
    manager = ForwardManager(kube.http)
    try:
        fwd = manager.start(gw.forward.namespace, gw.forward.service, gw.forward.port, 0)
        assert fwd.probe().ok
    finally:
        manager.stop_all()

    events = audit_events(lab, since)
    assert events, "kftui's requests must show up in the audit log, or this test proves nothing"
    assert any(e["verb"] in ("get", "list") for e in events)
    kftui_writes = writes(events)
    assert kftui_writes == [], describe(kftui_writes)
    everyone = audit_events(lab, since, user_agent_prefix=None)
    # Through the REST backend a refresh or sync would be written by argocd-server on kftui's behalf.
    # argocd-server writes with client-go's default User-Agent, argocd/v0.0.0 (the controller has its own).
    # Only changes to existing objects count: no kftui action makes argocd-server create anything, while a
    # freshly started lab still sees argocd/ creates (Applications, Deployments, Services) as it settles.
    server_writes = [
        e
        for e in writes(everyone)
        if str(e.get("userAgent", "")).startswith("argocd/") and e.get("verb") != "create"
    ]
    assert server_writes == [], describe(server_writes)
    streams = [e for e in everyone if _is_portforward(e)]
    assert streams, "the port-forward must show up in the audit log"
    assert {e["verb"] for e in streams} == {"get"}, describe(streams)
    assert refused == 2 * (len(APP_FIXES) + 6)


def test_the_write_counter_sees_a_real_write(lab: Any, tmp_path: Path) -> None:
    """Control for the test above: the same filter counts kftui's write when read-only is off."""
    wait_idle(lab, "drift")
    since = now()
    runner, kube = make_runner(lab, "kubernetes", tmp_path / "audit.jsonl", read_only=False)
    assert runner.run(plan_action("refresh", ObjectRef("Application", "argocd", "drift"), snapshot(kube))).ok
    found = writes(audit_events(lab, since))
    assert [(e["verb"], e["objectRef"]["resource"], e["objectRef"]["name"]) for e in found] == [
        ("patch", "applications", "drift")
    ], describe(found)


def test_the_server_write_filter_sees_a_rest_write(lab: Any, tmp_path: Path) -> None:
    """Control for the argocd-server check: a REST refresh is written by argocd-server, and is seen."""
    wait_idle(lab, "drift")
    since = now()
    runner, kube = make_runner(lab, "argocd-rest", tmp_path / "audit.jsonl", read_only=False)
    assert runner.run(plan_action("refresh", ObjectRef("Application", "argocd", "drift"), snapshot(kube))).ok
    found = [
        e
        for e in writes(audit_events(lab, since, user_agent_prefix=None))
        if str(e.get("userAgent", "")).startswith("argocd/")
    ]
    assert ("patch", "applications", "drift") in {
        (e["verb"], e["objectRef"]["resource"], e["objectRef"]["name"]) for e in found
    }, describe(found)

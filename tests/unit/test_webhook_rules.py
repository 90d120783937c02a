"""webhook-unavailable, rule by rule: which Service a failure is pinned on, the causes it names, what the live
webhook configurations and Endpoints add, its severity, and the fixes offered."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.webhooks import webhook_unavailable
from kftui.model import Finding, Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import (
    drop,
    endpoints,
    failed_operation,
    find,
    fresh,
    pod,
    resource,
    service,
    snapshot,
    sync_result,
    webhook_config,
)

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]
KATIB_HOOK = "defaulter.experiment.katib.kubeflow.org"


def _fail(message: str, objects: list[Raw] | None = None, app: str = "kubeflow") -> list[Raw]:
    objects = fresh() if objects is None else objects
    find(objects, "Application", app)["status"]["operationState"] = failed_operation(
        "one or more objects failed to apply",
        [sync_result("Experiment", "random-search", "kubeflow", message, group="kubeflow.org")],
    )
    return objects


def _findings(objects: list[Raw]) -> list[Finding]:
    return list(webhook_unavailable(snapshot(objects), KUBEFLOW))


def _katib_down(objects: list[Raw] | None = None, policy: str = "Fail") -> list[Raw]:
    """The katib webhook's Endpoints with no ready address."""
    objects = drop(fresh() if objects is None else objects, "Endpoints", "katib-controller", "kubeflow")
    objects.append(endpoints("kubeflow", "katib-controller", [], not_ready=["10.244.0.20", "10.244.0.21"]))
    find(objects, "MutatingWebhookConfiguration", "katib.kubeflow.org")["webhooks"][0]["failurePolicy"] = (
        policy
    )
    return objects


@pytest.mark.parametrize(
    ("message", "service"),
    [
        (  # the Service named as namespace/name
            f'failed calling webhook "{KATIB_HOOK}": no endpoints available for service "ops/katib-svc"',
            ("ops", "katib-svc"),
        ),
        (  # a URL with the cluster domain and a port
            f'Failed calling admission webhook "{KATIB_HOOK}": Post '
            '"https://katib-svc.ops.svc.cluster.local:8443/mutate": EOF',
            ("ops", "katib-svc"),
        ),
        (  # the Service named alone: its namespace comes from the webhook configuration
            f'failed calling webhook "{KATIB_HOOK}": service "katib-svc" not found',
            ("kubeflow", "katib-svc"),
        ),
        (  # nothing named: the Service of the live webhook configuration
            f'failed calling webhook "{KATIB_HOOK}": context deadline exceeded',
            ("kubeflow", "katib-controller"),
        ),
    ],
    ids=["ns/name", "url", "not-found", "from-config"],
)
def test_a_failed_call_is_pinned_on_the_service_behind_the_webhook(
    message: str, service: tuple[str, str]
) -> None:
    (f,) = _findings(_fail(message))
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Service", *service)
    assert f.title == f"Admission webhook {KATIB_HOOK} unavailable (svc/{service[1]} in {service[0]})"
    assert f.evidence.startswith(
        "status.operationState.syncResult.resources[] (Experiment/kubeflow/random-search)"
    )


@pytest.mark.parametrize(
    "tail",
    [
        "context deadline exceeded",
        'service "ghost-svc" not found',
        'no endpoints available for service "ghost-svc"',
    ],
)
def test_a_webhook_no_configuration_knows_is_named_by_itself(tail: str) -> None:
    """Without a Service to name, the finding is about the webhook, and there is nothing to wait for."""
    (f,) = _findings(_fail(f'failed calling webhook "ghost.example.com": {tail}'))
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Webhook", None, "ghost.example.com")
    assert f.title == "Admission webhook ghost.example.com unavailable (webhook ghost.example.com)"
    assert [x.id for x in f.fixes] == ["sync"]
    assert f.explanation.endswith(
        "wait for the webhook (fix: wait-for-webhook), then sync again (fix: sync)."
    )


@pytest.mark.parametrize(
    ("tail", "cause"),
    [
        ("dial tcp 10.96.0.1:443: connect: connection refused", "nothing listens on the webhook port"),
        ("context deadline exceeded", "the webhook did not answer in time"),
        ("dial tcp 10.96.0.1:443: i/o timeout", "network policy or a dead pod"),
        ("x509: certificate signed by unknown authority", "TLS certificate is not trusted"),
        ('service "katib-controller" not found', "the webhook's Service does not exist"),
        ("EOF", "the webhook closed the connection"),
        ("something else entirely", "it cannot: the webhook could not be reached."),
    ],
)
def test_the_explanation_names_the_cause_the_message_shows(tail: str, cause: str) -> None:
    (f,) = _findings(_fail(f'failed calling webhook "{KATIB_HOOK}": {tail}'))
    assert cause in f.explanation


def test_failures_of_one_service_are_one_finding_with_each_cause_once() -> None:
    objects = _fail(f'failed calling webhook "{KATIB_HOOK}": connection refused')
    objects = _fail(
        f'failed calling webhook "{KATIB_HOOK}": connection refused', objects, app="kubeflow-pipelines"
    )
    find(objects, "Application", "kubeflow")["status"]["conditions"] = [
        {"type": "SyncError", "message": f'failed calling webhook "{KATIB_HOOK}": context deadline exceeded'}
    ]
    (f,) = _findings(objects)
    assert f.explanation.count("nothing listens") == 1
    # conditions are read before sync results, and each cause is named in the order it was first seen
    assert (
        "it cannot: the webhook did not answer in time; nothing listens on the webhook port" in f.explanation
    )
    assert len(f.evidence.splitlines()) == 2  # the same line from two apps is shown once
    assert f.app == "kubeflow"
    assert f.title == f"Admission webhook {KATIB_HOOK} unavailable (svc/katib-controller in kubeflow)"


def test_a_live_webhook_whose_endpoints_have_no_ready_address() -> None:
    (f,) = _findings(_katib_down())
    assert f.evidence == (
        f"MutatingWebhookConfiguration katib.kubeflow.org webhook {KATIB_HOOK} (failurePolicy Fail): "
        "Endpoints kubeflow/katib-controller has no ready addresses (2 not ready)"
    )
    assert f.severity is Severity.ERROR
    assert "and it cannot: the webhook's Service has no ready pods behind it. Every create" in f.explanation


def test_a_live_webhook_whose_service_is_gone() -> None:
    objects = drop(drop(fresh(), "Endpoints", "katib-controller", "kubeflow"), "Service", "katib-controller")
    (f,) = _findings(objects)
    assert f.evidence.endswith("Service kubeflow/katib-controller does not exist")
    assert "it cannot: the webhook's Service does not exist." in f.explanation


def test_a_live_webhook_whose_service_has_no_endpoints_object() -> None:
    (f,) = _findings(drop(fresh(), "Endpoints", "katib-controller", "kubeflow"))
    assert f.evidence.endswith("no Endpoints for Service kubeflow/katib-controller")
    assert "and it cannot: the webhook's Service has no ready pods behind it. Every create" in f.explanation


def test_without_any_service_listed_a_missing_endpoints_is_not_called_a_missing_service() -> None:
    objects = [o for o in fresh() if o["kind"] != "Service"]
    objects = drop(objects, "Endpoints", "katib-controller", "kubeflow")
    (f,) = _findings(objects)
    assert f.evidence.endswith("no Endpoints for Service kubeflow/katib-controller")


def test_endpoints_that_could_not_be_listed_say_nothing() -> None:
    snap = snapshot(drop(fresh(), "Endpoints", "katib-controller", "kubeflow"))
    snap = type(snap).from_objects(
        [*snap.pods.values(), *snap.endpoints.values(), *snap.webhooks.values(), *snap.services.values()],
        now=snap.now,
        forbidden={"Endpoints": "endpoints is forbidden"},
    )
    assert list(webhook_unavailable(snap, KUBEFLOW)) == []


@pytest.mark.parametrize(("policy", "severity"), [("Ignore", Severity.WARNING), ("Fail", Severity.ERROR)])
def test_only_a_fail_closed_webhook_is_an_error(policy: str, severity: Severity) -> None:
    (f,) = _findings(_katib_down(policy=policy))
    assert f.severity is severity
    assert f"(failurePolicy {policy})" in f.evidence


def test_a_failed_sync_is_an_error_even_for_a_fail_open_webhook() -> None:
    """The sync failure proves the apply was refused, whatever the configuration says now."""
    objects = _katib_down(
        _fail(f'failed calling webhook "{KATIB_HOOK}": connection refused'), policy="Ignore"
    )
    (f,) = _findings(objects)
    assert f.severity is Severity.ERROR
    sync_line, live_line = f.evidence.split("\n")
    assert sync_line.startswith(
        "status.operationState.syncResult.resources[] (Experiment/kubeflow/random-search)"
    )
    assert live_line.startswith("MutatingWebhookConfiguration katib.kubeflow.org webhook")


def test_the_fixes_wait_for_and_restart_the_workload_behind_the_service() -> None:
    (f,) = _findings(_katib_down())
    assert [(x.id, x.command) for x in f.fixes] == [
        ("wait-for-webhook", "kubectl rollout status deployment/katib-controller -n kubeflow --timeout=5m"),
        ("restart", "kubectl rollout restart deployment/katib-controller -n kubeflow"),
        ("sync", "argocd app sync kubeflow"),
    ]
    assert ", restart it if it stays down (fix: restart), then sync again (fix: sync)." in f.explanation


def test_the_first_pod_by_name_that_the_selector_matches_is_the_workload() -> None:
    objects = _katib_down()
    objects.append(pod("kubeflow", "aaa-katib-copy-0", "katib-copy", owner_kind="StatefulSet"))
    objects.append(pod("default", "aaa-elsewhere", "elsewhere", labels={"app": "katib-controller"}))
    find(objects, "Pod", "aaa-katib-copy-0")["metadata"]["labels"] = {"app": "katib-controller", "x": "y"}
    (f,) = _findings(objects)
    assert f.fixes[0].command == "kubectl rollout status statefulset/katib-copy -n kubeflow --timeout=5m"


@pytest.mark.parametrize("selector", [{}, {"app": "katib-controller", "tier": "webhook"}])
def test_no_restart_without_a_pod_the_selector_matches(selector: dict[str, str]) -> None:
    objects = drop(_katib_down(), "Service", "katib-controller", "kubeflow")
    objects.append(service("kubeflow", "katib-controller", 443, 8443, selector=selector))
    (f,) = _findings(objects)
    assert [x.id for x in f.fixes] == ["wait-for-webhook", "sync"]
    assert f.fixes[0].command == "kubectl get endpoints katib-controller -n kubeflow --watch"
    assert "restart it" not in f.explanation


def test_a_bare_pod_behind_the_service_is_not_a_workload() -> None:
    objects = _katib_down()
    pods = [o for o in objects if o["kind"] == "Pod" and o["metadata"]["name"].startswith("katib")]
    for p in pods:
        p["metadata"].pop("ownerReferences")
    (f,) = _findings(objects)
    assert [x.id for x in f.fixes] == ["wait-for-webhook", "sync"]


def test_the_app_that_owns_the_service_is_asked_to_sync_when_none_owns_the_configuration() -> None:
    objects = _katib_down()
    kubeflow = find(objects, "Application", "kubeflow")
    kubeflow["status"]["resources"] = [
        r for r in kubeflow["status"]["resources"] if r["kind"] != "MutatingWebhookConfiguration"
    ]
    kubeflow["status"]["resources"] = [
        r for r in kubeflow["status"]["resources"] if r["name"] != "katib-controller"
    ]
    find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"].append(
        resource("Service", "katib-controller", "kubeflow")
    )
    (f,) = _findings(objects)
    assert f.app == "kubeflow-seaweedfs"
    assert f.fixes[-1].command == "argocd app sync kubeflow-seaweedfs"


def test_a_live_webhook_no_app_manages_offers_no_sync() -> None:
    objects = _katib_down()
    kubeflow = find(objects, "Application", "kubeflow")
    kubeflow["status"]["resources"] = [
        r
        for r in kubeflow["status"]["resources"]
        if r["kind"] != "MutatingWebhookConfiguration" and r["name"] != "katib-controller"
    ]
    (f,) = _findings(objects)
    assert f.app is None
    assert "sync" not in [x.id for x in f.fixes]
    assert f.explanation.endswith("(fix: restart), then sync again.")


def test_findings_come_out_in_service_order_and_name_at_most_two_hooks() -> None:
    objects = _katib_down()
    for i, hook in enumerate(["a.example.com", "b.example.com", "c.example.com"]):
        objects.append(
            webhook_config(
                "ValidatingWebhookConfiguration", f"a-config-{i}", hook, "kubeflow", "katib-controller"
            )
        )
    objects.append(
        webhook_config("ValidatingWebhookConfiguration", "z", "z.example.com", "auth", "no-such-svc")
    )
    findings = _findings(objects)
    assert [f.subject.namespace for f in findings] == ["auth", "kubeflow"]
    # configurations are read in name order, so the a-config-* hooks come before katib's
    assert findings[1].title == (
        "Admission webhook a.example.com, b.example.com unavailable (svc/katib-controller in kubeflow)"
    )
    assert len(findings[1].evidence.splitlines()) == 4


def test_a_message_that_is_not_a_webhook_call_is_ignored() -> None:
    assert _findings(_fail('no endpoints available for service "kubeflow/katib-controller"')) == []


def test_the_app_that_owns_the_webhook_configuration_wins_over_the_one_that_owns_its_service() -> None:
    objects = _katib_down()
    kubeflow = find(objects, "Application", "kubeflow")
    kubeflow["status"]["resources"] = [
        r for r in kubeflow["status"]["resources"] if r["name"] != "katib-controller"
    ]
    find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"].append(
        resource("Service", "katib-controller", "kubeflow")
    )
    (f,) = _findings(objects)
    assert f.app == "kubeflow"
    assert f.fixes[-1].command == "argocd app sync kubeflow"


def test_a_healthy_webhook_read_first_does_not_end_the_scan() -> None:
    """A configuration's first webhook being up says nothing about the next one in it."""
    objects = _katib_down()
    config = find(objects, "MutatingWebhookConfiguration", "katib.kubeflow.org")
    healthy = {**config["webhooks"][0], "name": "ok.example.com"}
    healthy["clientConfig"] = {"service": {"name": "dex", "namespace": "auth", "port": 443}}
    config["webhooks"].insert(0, healthy)
    (f,) = _findings(objects)
    assert f.subject.name == "katib-controller"


def test_endpoints_that_could_not_all_be_listed_still_count_where_present() -> None:
    """With Endpoints not listable, a webhook without one says nothing, but the next webhook's Endpoints that
    is present and not ready is still reported."""
    objects = _katib_down()
    config = find(objects, "MutatingWebhookConfiguration", "katib.kubeflow.org")
    unknown = {**config["webhooks"][0], "name": "unknown.example.com"}
    unknown["clientConfig"] = {"service": {"name": "no-endpoints", "namespace": "kubeflow", "port": 443}}
    config["webhooks"].insert(0, unknown)
    snap = snapshot(objects)
    partial = type(snap).from_objects(
        [
            *snap.applications.values(),
            *snap.pods.values(),
            *snap.endpoints.values(),
            *snap.webhooks.values(),
            *snap.services.values(),
        ],
        now=snap.now,
        forbidden={"Endpoints": "endpoints is forbidden"},
    )
    (f,) = webhook_unavailable(partial, KUBEFLOW)
    assert f.subject.name == "katib-controller"
    assert "unknown.example.com" not in f.evidence

"""gateway and auth-stack: problems on the path a user takes to log in."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.checks.access import auth_stack, gateway
from kftui.model import Severity
from kftui.profile import GENERIC, builtin_profile
from tests.unit.fixtures.builders import deployment, drop, endpoints, find, fresh, pod, snapshot

KUBEFLOW = builtin_profile("kubeflow")
Raw = dict[str, Any]


def _no_gateway_ns(objects: list[Raw]) -> list[Raw]:
    return [
        o
        for o in drop(objects, "Namespace", "istio-system")
        if o.get("metadata", {}).get("namespace") != "istio-system"
    ]


def _unready_endpoints(objects: list[Raw]) -> list[Raw]:
    objects = drop(objects, "Endpoints", "istio-ingressgateway", "istio-system")
    objects.append(endpoints("istio-system", "istio-ingressgateway", [], not_ready=["10.244.0.22"]))
    find(objects, "Pod", "istio-ingressgateway-5c8d7f9b6-kq8zt")["status"]["conditions"][0]["status"] = (
        "False"
    )
    return objects


@pytest.mark.parametrize(
    ("breakage", "problem"),
    [
        (_no_gateway_ns, "namespace istio-system does not exist"),
        (
            lambda o: drop(o, "Service", "istio-ingressgateway", "istio-system"),
            "Service istio-system/istio-ingressgateway does not exist",
        ),
        (lambda o: drop(o, "Endpoints", "istio-ingressgateway", "istio-system"), "has no Endpoints object"),
        (_unready_endpoints, "0 ready addresses, 1 not ready"),
    ],
    ids=["no-namespace", "no-service", "no-endpoints", "unready-endpoints"],
)
def test_gateway_not_serving(breakage, problem: str) -> None:
    objects = breakage(fresh())
    (f,) = gateway(snapshot(objects), KUBEFLOW)
    assert problem in f.title
    assert f.severity is Severity.ERROR
    assert (f.subject.namespace, f.subject.name) == ("istio-system", "istio-ingressgateway")
    pf = [x for x in f.fixes if x.id == "port-forward"]
    assert pf and pf[0].command == "kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80"
    assert "user@example.com" in f.explanation


def test_unready_gateway_is_restarted_and_synced() -> None:
    (f,) = gateway(snapshot(_unready_endpoints(fresh())), KUBEFLOW)
    assert [x.id for x in f.fixes] == ["restart", "sync", "port-forward"]
    assert f.app == "kubeflow"
    assert "pod istio-ingressgateway-5c8d7f9b6-kq8zt: Running" in f.evidence


def test_no_gateway_findings_without_a_gateway_in_the_profile() -> None:
    assert list(gateway(snapshot(_no_gateway_ns(fresh())), GENERIC)) == []


def test_no_gateway_findings_before_any_profile_app_exists() -> None:
    objects = [o for o in _no_gateway_ns(fresh()) if o["kind"] != "Application"]
    assert list(gateway(snapshot(objects), KUBEFLOW)) == []


def test_crashing_dex_breaks_login() -> None:
    objects = drop(fresh(), "Pod", "dex-5c8d7f9b6-x2k8q")
    objects = drop(objects, "Deployment", "dex", "auth")
    objects += [
        deployment("auth", "dex", 1, ready=0),
        pod("auth", "dex-5c8d7f9b6-x2k8q", "dex", ready=False, waiting="CrashLoopBackOff"),
    ]
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Deployment", "auth", "dex")
    assert "0/1 replicas ready" in f.evidence and "CrashLoopBackOff" in f.evidence
    assert [x.id for x in f.fixes] == ["restart", "logs", "sync"]
    assert f.app == "kubeflow"


def test_missing_oauth2_proxy_breaks_login() -> None:
    objects = drop(fresh(), "Deployment", "oauth2-proxy", "oauth2-proxy")
    objects = [
        o for o in objects if not (o["kind"] == "Pod" and o["metadata"]["namespace"] == "oauth2-proxy")
    ]
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert "oauth2-proxy/oauth2-proxy does not exist" in f.evidence
    assert "restart" not in [x.id for x in f.fixes]


def test_partially_ready_auth_is_reported_and_generic_profile_is_quiet() -> None:
    objects = drop(fresh(), "Deployment", "oauth2-proxy", "oauth2-proxy")
    objects.append(deployment("oauth2-proxy", "oauth2-proxy", 2, ready=1))
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert "1/2 replicas ready" in f.evidence
    assert list(auth_stack(snapshot(objects), GENERIC)) == []


def test_auth_from_pods_when_workloads_are_not_known() -> None:
    objects = [o for o in fresh() if o["kind"] not in ("Deployment", "StatefulSet")]
    assert list(auth_stack(snapshot(objects), KUBEFLOW)) == []
    find(objects, "Pod", "dex-5c8d7f9b6-x2k8q")["status"]["conditions"][0]["status"] = "False"
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert "no ready pod of Deployment auth/dex" in f.evidence


@pytest.mark.parametrize(
    "forbidden", [{"Endpoints": "forbidden: cannot list Endpoints"}, {"endpoints": "forbidden"}]
)
def test_gateway_is_quiet_when_endpoints_cannot_be_listed(forbidden: dict[str, str]) -> None:
    from dataclasses import replace

    snap = snapshot(drop(fresh(), "Endpoints", "istio-ingressgateway", "istio-system"))
    assert len(list(gateway(snap, KUBEFLOW))) == 1, (
        "without the forbidden note, a missing Endpoints is a finding"
    )
    assert list(gateway(replace(snap, forbidden=forbidden), KUBEFLOW)) == []


def test_auth_is_quiet_when_deployments_cannot_be_listed() -> None:
    from dataclasses import replace

    objects = drop(fresh(), "Deployment", "dex", "auth")
    objects = drop(objects, "Pod", "dex-5c8d7f9b6-x2k8q")
    snap = snapshot(objects)
    assert len(list(auth_stack(snap, KUBEFLOW))) == 1
    assert list(auth_stack(replace(snap, forbidden={"Deployment": "forbidden"}), KUBEFLOW)) == []

"""gateway and auth-stack: problems on the path a user takes to log in."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from kftui.checks.access import auth_stack, gateway
from kftui.model import Severity
from kftui.profile import GENERIC, KeyWorkload, builtin_profile
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


GW = "istio-ingressgateway"


def _owned_by(objects: list[Raw], app: str, keep: set[str]) -> None:
    """Leave only these kinds of the gateway among the resources the app lists."""
    res = find(objects, "Application", app)["status"]["resources"]
    res[:] = [r for r in res if r["name"] != GW or r["kind"] in keep]


def test_unready_gateway_finding_reads_end_to_end() -> None:
    """The title names the gateway and the problem; the evidence adds its pods; the explanation walks the
    user through sync, restart and the port-forward with the profile's login hint."""
    (f,) = gateway(snapshot(_unready_endpoints(fresh())), KUBEFLOW)
    assert (f.check, f.app) == ("gateway", "kubeflow")
    assert (f.subject.kind, f.subject.namespace, f.subject.name) == ("Service", "istio-system", GW)
    assert (
        f.title
        == f"Ingress gateway istio-system/{GW} is not serving: Endpoints istio-system/{GW}: 0 ready addresses, 1 not ready"
    )
    assert f.evidence == (
        f"Endpoints istio-system/{GW}: 0 ready addresses, 1 not ready\npod {GW}-5c8d7f9b6-kq8zt: Running"
    )
    assert f"svc/{GW} in istio-system; with Endpoints" in f.explanation
    assert (
        "Sync kubeflow, which deploys it (fix: sync), or restart the gateway (fix: restart)." in f.explanation
    )
    assert "port-forward to localhost:8080 (fix: port-forward); Log in through Dex" in f.explanation
    assert f.explanation.endswith("user@example.com.")
    assert [x.command for x in f.fixes] == [
        f"kubectl rollout restart deployment/{GW} -n istio-system",
        "argocd app sync kubeflow",
        f"kubectl port-forward svc/{GW} -n istio-system 8080:80",
    ]


def test_endpoints_with_no_address_at_all_do_not_mention_unready_ones() -> None:
    objects = drop(fresh(), "Endpoints", GW, "istio-system")
    objects.append(endpoints("istio-system", GW, []))
    (f,) = gateway(snapshot(objects), KUBEFLOW)
    assert f.title.endswith(f"Endpoints istio-system/{GW}: 0 ready addresses")


def test_serving_gateway_is_quiet() -> None:
    assert list(gateway(snapshot(fresh()), KUBEFLOW)) == []


def test_gateway_pods_are_its_own_listed_by_name() -> None:
    """Only pods of the gateway's workload in its namespace are quoted, in name order; a bare pod (no
    controller) or a namesake elsewhere is not."""
    objects = _unready_endpoints(fresh())
    objects += [
        pod("istio-system", f"{GW}-5c8d7f9b6-aaaaa", GW, ready=False, waiting="CrashLoopBackOff"),
        pod("kubeflow", f"{GW}-5c8d7f9b6-other", GW),
        pod("istio-system", "stray", GW),
    ]
    bare = objects[-1]
    bare["metadata"].pop("ownerReferences")
    (f,) = gateway(snapshot(objects), KUBEFLOW)
    assert list(f.evidence_lines[1:]) == [
        f"pod {GW}-5c8d7f9b6-aaaaa: CrashLoopBackOff",
        f"pod {GW}-5c8d7f9b6-kq8zt: Running",
    ]


def test_gateway_owned_through_its_deployment_only() -> None:
    """When the app lists the Deployment but not the Service, that app still deploys the gateway."""
    objects = _unready_endpoints(fresh())
    _owned_by(objects, "kubeflow", {"Deployment"})
    (f,) = gateway(snapshot(objects), KUBEFLOW)
    assert f.app == "kubeflow"
    assert [x.id for x in f.fixes] == ["restart", "sync", "port-forward"]


def test_unowned_gateway_without_deployment_offers_only_the_port_forward() -> None:
    """No app lists the gateway and no Deployment exists to restart: install it, then check the port-forward.
    Without a login hint the explanation ends at the port-forward."""
    objects = _no_gateway_ns(fresh())
    _owned_by(objects, "kubeflow", set())
    quiet = replace(KUBEFLOW, gateway=replace(KUBEFLOW.gateway, login_hint=""))
    (f,) = gateway(snapshot(objects), quiet)
    assert f.app is None
    assert [x.id for x in f.fixes] == ["port-forward"]
    assert "Install or sync the app that deploys the gateway. Then confirm" in f.explanation
    assert "restart" not in f.explanation
    assert f.explanation.endswith("localhost:8080 (fix: port-forward).")
    assert f.evidence == "namespace istio-system does not exist"


def test_gateway_fix_uses_the_profiles_ports() -> None:
    objects = _no_gateway_ns(fresh())
    custom = replace(KUBEFLOW, gateway=replace(KUBEFLOW.gateway, local_port=9443, port=443))
    (f,) = gateway(snapshot(objects), custom)
    assert f.fixes[-1].command == f"kubectl port-forward svc/{GW} -n istio-system 9443:443"
    assert "localhost:9443" in f.explanation


@pytest.mark.parametrize(
    "unseen",
    [
        {"Namespace": "forbidden"},  # the namespace may exist: go on to the Service
    ],
)
def test_unlisted_namespaces_do_not_make_the_gateway_namespace_missing(unseen: dict[str, str]) -> None:
    snap = replace(snapshot(_no_gateway_ns(fresh())), forbidden=unseen)
    (f,) = gateway(snap, KUBEFLOW)
    assert f.title.endswith(f"Service istio-system/{GW} does not exist")


def test_gateway_is_quiet_when_services_are_unknown() -> None:
    """Services that could not be listed, or none at all in the snapshot, prove nothing about the gateway."""
    objects = drop(fresh(), "Service", GW, "istio-system")
    assert list(gateway(replace(snapshot(objects), forbidden={"Service": "forbidden"}), KUBEFLOW)) == []
    no_services = [o for o in objects if o["kind"] != "Service"]
    assert list(gateway(snapshot(no_services), KUBEFLOW)) == []
    nothing_namespaced = [o for o in no_services if o["kind"] != "Namespace"]
    assert list(gateway(snapshot(nothing_namespaced), KUBEFLOW)) == []


def test_gateway_is_quiet_when_no_endpoints_are_known_at_all() -> None:
    objects = [o for o in fresh() if o["kind"] != "Endpoints"]
    assert list(gateway(snapshot(objects), KUBEFLOW)) == []


def test_gateway_checked_once_an_app_the_profile_detects_exists() -> None:
    """An install is recognised by the profile's apps or its detect_applications names."""
    objects = _no_gateway_ns(fresh())
    only_detected = replace(KUBEFLOW, applications=(), detect_applications=("kubeflow-pipelines",))
    assert len(list(gateway(snapshot(objects), only_detected))) == 1
    only_listed = replace(KUBEFLOW, detect_applications=())
    assert len(list(gateway(snapshot(objects), only_listed))) == 1
    neither = replace(KUBEFLOW, applications=(), detect_applications=("something-else",))
    assert list(gateway(snapshot(objects), neither)) == []


def _dex(replicas: int, ready: int) -> list[Raw]:
    objects = drop(fresh(), "Deployment", "dex", "auth")
    objects.append(deployment("auth", "dex", replicas, ready=ready))
    return objects


@pytest.mark.parametrize(("replicas", "ready"), [(1, 1), (2, 3)])
def test_ready_auth_workloads_are_quiet(replicas: int, ready: int) -> None:
    assert list(auth_stack(snapshot(_dex(replicas, ready)), KUBEFLOW)) == []


def test_auth_workload_scaled_to_zero_breaks_login() -> None:
    (f,) = auth_stack(snapshot(_dex(0, 0)), KUBEFLOW)
    assert f.evidence == "Deployment auth/dex: 0/0 replicas ready (scaled to zero)"


def test_not_ready_auth_workload_finding_reads_end_to_end() -> None:
    """Title, evidence and explanation name the workload, its role, the pod's state and each fix."""
    objects = _dex(1, 0)
    find(objects, "Pod", "dex-5c8d7f9b6-x2k8q")["status"]["conditions"][0]["status"] = "False"
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert (f.check, f.severity, f.app) == ("auth-stack", Severity.ERROR, "kubeflow")
    assert f.title == "Login is broken: dex (auth) in auth is not ready"
    assert f.evidence == "Deployment auth/dex: 0/1 replicas ready\npod dex-5c8d7f9b6-x2k8q: Running"
    assert f.explanation.startswith("dex is on the login path")
    assert f.explanation.endswith(
        "the cause; restart it once fixed (fix: restart), or sync kubeflow (fix: sync)."
    )
    assert [x.command for x in f.fixes] == [
        "kubectl rollout restart deployment/dex -n auth",
        "argocd app sync kubeflow",
    ]


@pytest.mark.parametrize("reason", ["CrashLoopBackOff", "OOMKilled"])
def test_crashing_auth_pod_offers_its_logs(reason: str) -> None:
    objects = drop(_dex(1, 0), "Pod", "dex-5c8d7f9b6-x2k8q")
    objects.append(pod("auth", "dex-5c8d7f9b6-x2k8q", "dex", ready=False, waiting=reason))
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    logs = [x for x in f.fixes if x.id == "logs"]
    assert [x.command for x in logs] == ["kubectl logs dex-5c8d7f9b6-x2k8q -n auth --previous"]
    assert "read the crashing container's logs (fix: logs), restart it" in f.explanation
    assert f"pod dex-5c8d7f9b6-x2k8q: {reason}" in f.evidence


def test_failing_pod_that_does_not_crash_offers_no_logs() -> None:
    objects = drop(_dex(1, 0), "Pod", "dex-5c8d7f9b6-x2k8q")
    objects.append(pod("auth", "dex-5c8d7f9b6-x2k8q", "dex", ready=False, waiting="ImagePullBackOff"))
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert "logs" not in [x.id for x in f.fixes]
    assert "pod dex-5c8d7f9b6-x2k8q: ImagePullBackOff" in f.evidence


def test_missing_auth_workload_in_a_missing_namespace_without_an_owner() -> None:
    """Nothing to restart, no app lists it: sync the install in order, and say its namespace is gone too."""
    objects = [o for o in fresh() if o.get("metadata", {}).get("namespace") != "auth"]
    objects = drop(objects, "Namespace", "auth")
    res = find(objects, "Application", "kubeflow")["status"]["resources"]
    res[:] = [r for r in res if r["name"] != "dex"]
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert f.app is None
    assert f.evidence == "Deployment auth/dex does not exist (namespace auth is missing too)"
    assert [x.id for x in f.fixes] == ["ordered-sync"]
    assert f.fixes[0].command.startswith("argocd app sync kubeflow && argocd app wait kubeflow --health")
    assert f.explanation.endswith(
        "it does not exist, so sync the app that deploys it; no Application lists it, so sync the install "
        "in order (fix: ordered-sync)."
    )


def test_ordered_sync_for_login_covers_only_apps_that_exist() -> None:
    objects = drop(fresh(), "Deployment", "dex", "auth")
    objects = drop(objects, "Application", "kubeflow-seaweedfs")
    res = find(objects, "Application", "kubeflow")["status"]["resources"]
    res[:] = [r for r in res if r["name"] != "dex"]
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert f.fixes[-1].title == "Sync kubeflow -> kubeflow-pipelines in order, waiting for each"


def test_missing_auth_workload_in_an_existing_namespace() -> None:
    objects = drop(fresh(), "Deployment", "dex", "auth")
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert f.evidence == "Deployment auth/dex does not exist"  # its pod is ready, so not quoted


def test_auth_role_defaults_to_the_workload_name() -> None:
    unnamed = replace(
        KUBEFLOW,
        key_workloads=(KeyWorkload("Deployment", "auth", "dex", role="auth"),),
        auth_roles=("auth",),
    )
    objects = _dex(1, 0)
    (f,) = auth_stack(snapshot(objects), unnamed)
    assert "dex (auth) in auth" in f.title
    no_role = replace(
        unnamed, key_workloads=(KeyWorkload("Deployment", "auth", "dex", role=""),), auth_roles=("",)
    )
    (g,) = auth_stack(snapshot(objects), no_role)
    assert "dex (dex) in auth" in g.title


def test_auth_from_pods_is_quiet_while_one_pod_is_ready() -> None:
    """Without workloads, one ready pod of the workload keeps login working."""
    objects = [o for o in fresh() if o["kind"] not in ("Deployment", "StatefulSet")]
    objects.append(pod("auth", "dex-5c8d7f9b6-zzzzz", "dex", ready=False, waiting="CrashLoopBackOff"))
    assert list(auth_stack(snapshot(objects), KUBEFLOW)) == []


def test_auth_stack_without_the_install_is_quiet() -> None:
    objects = [o for o in drop(fresh(), "Deployment", "dex", "auth") if o["kind"] != "Application"]
    assert list(auth_stack(snapshot(objects), KUBEFLOW)) == []


def test_an_app_listing_a_namesake_of_another_kind_does_not_own_the_gateway() -> None:
    """Ownership needs kind, namespace and name to match: an earlier app that lists a ConfigMap called
    istio-ingressgateway is not the one to sync."""
    objects = _unready_endpoints(fresh())
    mesh = copy.deepcopy(find(objects, "Application", "kubeflow-seaweedfs"))
    mesh["metadata"]["name"] = "aaa-mesh"
    mesh["status"]["resources"] = [
        {"version": "v1", "kind": "ConfigMap", "namespace": "istio-system", "name": GW, "status": "Synced"},
        {"version": "v1", "kind": "Service", "namespace": "kubeflow", "name": GW, "status": "Synced"},
    ]
    objects.append(mesh)
    (f,) = gateway(snapshot(objects), KUBEFLOW)
    assert f.app == "kubeflow"
    assert "argocd app sync kubeflow" in [x.command for x in f.fixes]


def test_the_app_listing_the_gateway_service_owns_it_before_the_one_listing_its_deployment() -> None:
    objects = _unready_endpoints(fresh())
    _owned_by(objects, "kubeflow", {"Deployment"})
    find(objects, "Application", "kubeflow-seaweedfs")["status"]["resources"].append(
        {"version": "v1", "kind": "Service", "namespace": "istio-system", "name": GW, "status": "Synced"}
    )
    (f,) = gateway(snapshot(objects), KUBEFLOW)
    assert f.app == "kubeflow-seaweedfs"
    assert "Sync kubeflow-seaweedfs, which deploys it (fix: sync)" in f.explanation


def test_auth_pods_are_only_the_workloads_own() -> None:
    """A namesake pod in another namespace, or another workload's pod in the same one, is not quoted."""
    objects = _dex(1, 0)
    find(objects, "Pod", "dex-5c8d7f9b6-x2k8q")["status"]["conditions"][0]["status"] = "False"
    objects += [
        pod("kubeflow", "dex-5c8d7f9b6-elsewhere", "dex", ready=False, waiting="CrashLoopBackOff"),
        pod("auth", "other-5c8d7f9b6-aaaaa", "other", ready=False, waiting="CrashLoopBackOff"),
    ]
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert f.evidence == "Deployment auth/dex: 0/1 replicas ready\npod dex-5c8d7f9b6-x2k8q: Running"
    assert "logs" not in [x.id for x in f.fixes]


@pytest.mark.parametrize("dex_pods", ["ready", "none"])
def test_auth_from_pods_goes_on_to_the_next_workload(dex_pods: str) -> None:
    """Without workloads, a dex with a ready pod (or with no pod to judge) does not end the check: an
    oauth2-proxy with no ready pod still breaks login."""
    objects = [o for o in fresh() if o["kind"] not in ("Deployment", "StatefulSet")]
    if dex_pods == "none":
        objects = drop(objects, "Pod", "dex-5c8d7f9b6-x2k8q")
    for name in ("oauth2-proxy-5c8d7f9b6-aaaaa", "oauth2-proxy-5c8d7f9b6-bbbbb"):
        find(objects, "Pod", name)["status"]["conditions"][0]["status"] = "False"
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert f.evidence.startswith("no ready pod of Deployment oauth2-proxy/oauth2-proxy")


def test_each_unready_auth_pod_is_quoted() -> None:
    objects = drop(fresh(), "Deployment", "oauth2-proxy", "oauth2-proxy")
    objects.append(deployment("oauth2-proxy", "oauth2-proxy", 2, ready=0))
    for name in ("oauth2-proxy-5c8d7f9b6-aaaaa", "oauth2-proxy-5c8d7f9b6-bbbbb"):
        find(objects, "Pod", name)["status"]["conditions"][0]["status"] = "False"
    (f,) = auth_stack(snapshot(objects), KUBEFLOW)
    assert f.evidence == (
        "Deployment oauth2-proxy/oauth2-proxy: 0/2 replicas ready\n"
        "pod oauth2-proxy-5c8d7f9b6-aaaaa: Running\npod oauth2-proxy-5c8d7f9b6-bbbbb: Running"
    )

"""Acting on apps of other clusters: Kubernetes fixes on their objects are refused with the reason (never run
against the hub), a port-forward goes through the context that reaches the cluster, and the gateway check does
not call an unread remote Service missing."""

from __future__ import annotations

import pytest

from kftui.cluster.remote import FederatedSource
from kftui.cluster.source import StaticSource
from kftui.model import ClusterSnapshot, WatchEvent, apply_events
from kftui.profile import detect_profile
from tests.unit.fixtures import builders
from tests.unit.test_remote_clusters import ORIGIN, SPOKE, FakeArgo, hub_snapshot, spoke_app


def test_kube_fixes_on_a_remote_object_go_through_argo_cd_or_are_refused_saying_what_works_instead() -> None:
    from kftui.fixes.plan import PlanError, plan_action
    from kftui.fixes.plans import DeleteResourcePlan, ResourceActionPlan
    from kftui.model import ObjectRef

    hub_pod = builders.pod("other", "hub-api-5c8d7f9b6-abcde", "hub-api")
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE), builders.namespace("other"), hub_pod))
    snapshot = FederatedSource(hub, FakeArgo()).load()
    # (As the tree and the findings name them: with their cluster. A Service is not read remotely, so a ref
    # to one names no cluster; its namespace, only the spoke's, places it.)
    remote_pod = ObjectRef("Pod", "kubeflow", "ml-pipeline-7f9c6d-x2k4p", "spoke")
    # Argo CD acts there itself (tests/unit/test_remote_fix_actions.py): never the hub's kube connection.
    assert isinstance(plan_action("delete-pod", remote_pod, snapshot), DeleteResourcePlan)
    restart = plan_action("restart", ObjectRef("Deployment", "kubeflow", "ml-pipeline", "spoke"), snapshot)
    assert isinstance(restart, ResourceActionPlan)
    with pytest.raises(PlanError) as caught:
        plan_action("port-forward", ObjectRef("Service", "kubeflow", "ml-pipeline"), snapshot)
    assert str(caught.value) == (
        "cannot port-forward ml-pipeline: Service/kubeflow/ml-pipeline is on cluster spoke, which kftui reads "
        "through Argo CD's API; kftui holds no kube credentials for it: add a kube context for that cluster (or "
        "map its server to one under `clusters:` in kftui's config file)"
    )
    plan = plan_action("delete-pod", ObjectRef("Pod", "other", "hub-api-5c8d7f9b6-abcde"), snapshot)
    assert plan.command == "kubectl delete pod hub-api-5c8d7f9b6-abcde -n other"


def test_a_gateway_on_another_cluster_is_not_called_missing_for_its_unread_service() -> None:
    from dataclasses import replace as with_

    from kftui.checks.access import gateway
    from kftui.cluster.dumpfile import load_demo

    demo = load_demo()
    profile = detect_profile({a.name for a in demo.applications.values()})
    gw = profile.gateway
    service = demo.services[(gw.namespace, gw.service)]
    without = apply_events(demo, [WatchEvent("DELETED", service)])
    assert [f.evidence_lines[0] for f in gateway(without, profile)] == [
        f"Service {gw.namespace}/{gw.service} does not exist"
    ]
    # The gateway's namespace is the spoke's only (the hub's gone): its Service is on the spoke, unread.
    hub_ns = demo.namespaces[("", gw.namespace)]
    remote_ns = with_(hub_ns, origin=ORIGIN)
    remote = apply_events(without, [WatchEvent("DELETED", hub_ns), WatchEvent("ADDED", remote_ns)])
    assert list(gateway(remote, profile)) == []


def test_a_port_forward_to_a_directly_read_cluster_goes_through_its_context() -> None:
    from kftui.cluster.portforward import ForwardManager, PortForwardError
    from kftui.fixes.plan import plan_action
    from kftui.model import ObjectRef

    class SpokeContext(StaticSource):
        context = "spoke-admin"

    spoke_ns = builders.to_model(builders.namespace("istio-system"))
    spoke = SpokeContext(lambda: ClusterSnapshot.from_objects([spoke_ns], now=builders.NOW))
    hub = StaticSource(lambda: hub_snapshot(spoke_app(server=SPOKE)))
    source = FederatedSource(hub, FakeArgo(), connect=lambda server: spoke)
    snapshot = source.load()
    gateway = ObjectRef("Service", "istio-system", "istio-ingressgateway")
    plan = plan_action("port-forward", gateway, snapshot)
    assert plan.forward.context == "spoke-admin"  # type: ignore[attr-defined]
    assert plan.command.endswith(" --context spoke-admin")
    with pytest.raises(PortForwardError, match="no connection through kube context spoke-admin"):
        ForwardManager(None, route=source.http_for).start(
            "istio-system", "istio-ingressgateway", 80, context="spoke-admin"
        )

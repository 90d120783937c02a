"""A spoke's Services, Endpoints and webhook configurations are the spoke's: the webhook and gateway checks read
them on that cluster, where the hub has objects of the same names.

Kubeflow installs the same webhooks on every cluster it runs on (`katib.kubeflow.org` calling
kubeflow/katib-controller), so a check that looked a spoke's webhook up among the hub's Endpoints would call a
dead webhook healthy, or a healthy one dead. The scenario of tests/unit/test_cluster_keys.py, with the
network objects added: the spoke read through its own kube context (DIRECT, every object of a kind read) or
through Argo CD (only what an app's tree holds, so what is not there is not called missing).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

from kftui.checks import causes
from kftui.checks.registry import run_checks
from kftui.cluster import remotedump
from kftui.cluster.argoread import AppReader
from kftui.cluster.argotree import WEBHOOK_GROUP
from kftui.cluster.convert import to_model
from kftui.cluster.remote import FederatedSource, tagged
from kftui.cluster.source import StaticSource
from kftui.fixes.plan import plan_fix
from kftui.model import (
    ARGOCD_API,
    DIRECT,
    ClusterSnapshot,
    Endpoints,
    Finding,
    KubeObject,
    ObjectRef,
    Origin,
    Pod,
    Service,
    WatchEvent,
    WebhookConfiguration,
)
from kftui.profile import Gateway, Profile, detect_profile
from tests.unit.fixtures import builders
from tests.unit.test_cluster_keys import CLUSTERS, PROFILE, SPOKE, _convert, app, apps
from tests.unit.test_remote_clusters import FakeArgo, fixture
from tests.unit.test_remote_clusters import spoke_app as remote_app

HOOK = "validator.katib.kubeflow.org"
DIRECT_ORIGIN = Origin("spoke", DIRECT, "spoke-admin")
ARGO_ORIGIN = Origin("spoke", ARGOCD_API)


def network(*, ready: bool) -> list[KubeObject]:
    """katib's webhook, its Service and Endpoints (ready or not), and a pod behind it."""
    raw = [
        builders.namespace("kubeflow"),
        builders.deployment("kubeflow", "katib-controller", ready=1 if ready else 0),
        builders.pod(
            "kubeflow",
            "katib-controller-7d9f-abcde",
            "katib-controller",
            ready=ready,
            waiting=None if ready else "CrashLoopBackOff",
        ),
        builders.service("kubeflow", "katib-controller", 443, 8443, {"app": "katib-controller"}),
        builders.endpoints("kubeflow", "katib-controller", ["10.0.0.7"] if ready else [], ["10.0.0.7"]),
        builders.webhook_config(
            "ValidatingWebhookConfiguration", "katib.kubeflow.org", HOOK, "kubeflow", "katib-controller"
        ),
    ]
    return [_convert(r) for r in raw]


def snapshot_of(*objects: KubeObject) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects(
        list(objects), now=builders.NOW, clusters=CLUSTERS, argocd_config=builders.HEALTHY_ARGOCD_CM
    )


def webhook_findings(snapshot: ClusterSnapshot, profile: Profile = PROFILE) -> list[Finding]:
    return [f for f in run_checks(snapshot, profile) if f.check == "webhook-unavailable"]


def spoke(objects: list[KubeObject], origin: Origin) -> list[KubeObject]:
    return [tagged(o, origin) for o in objects]


def test_the_spoke_objects_are_keyed_apart_from_the_hubs_of_the_same_names() -> None:
    snapshot = snapshot_of(*apps(), *network(ready=True), *spoke(network(ready=False), DIRECT_ORIGIN))
    hub_ep = snapshot.endpoints[("kubeflow", "katib-controller")]
    spoke_ep = snapshot.endpoints[("kubeflow", "katib-controller", "spoke")]
    assert hub_ep.ready and not spoke_ep.ready
    assert snapshot.services[("kubeflow", "katib-controller", "spoke")].ref == ObjectRef(
        "Service", "kubeflow", "katib-controller", "spoke"
    )
    config = snapshot.webhooks[("ValidatingWebhookConfiguration", "katib.kubeflow.org", "spoke")]
    assert config.cluster == "spoke" and config.origin == DIRECT_ORIGIN
    assert snapshot.origin_of(spoke_ep.ref) == DIRECT_ORIGIN and snapshot.origin_of(hub_ep.ref) is None


def test_a_spoke_webhook_with_no_ready_endpoints_is_found_on_the_spoke_though_the_hubs_is_ready() -> None:
    snapshot = snapshot_of(*apps(), *network(ready=True), *spoke(network(ready=False), DIRECT_ORIGIN))
    (found,) = webhook_findings(snapshot)
    assert found.subject == ObjectRef("Service", "kubeflow", "katib-controller", "spoke")
    assert "Endpoints kubeflow/katib-controller has no ready addresses (1 not ready)" in found.evidence
    assert found.evidence_lines[-1] == "via a direct kube context (cluster spoke)"
    # Its commands act on the spoke, through the spoke's context.
    wait = next(f for f in found.fixes if f.id == "wait-for-webhook")
    assert all(argv[-2:] == ("--context", "spoke-admin") for argv in wait.argvs if argv[0] == "kubectl")


def test_the_hubs_dead_webhook_is_the_hubs_though_the_spokes_is_ready() -> None:
    snapshot = snapshot_of(*apps(), *network(ready=False), *spoke(network(ready=True), DIRECT_ORIGIN))
    (found,) = webhook_findings(snapshot)
    assert found.subject == ObjectRef("Service", "kubeflow", "katib-controller")
    assert "via" not in found.evidence_lines[-1]
    restart = next(f for f in found.fixes if f.id == "restart")
    assert not any("--context" in argv for argv in restart.argvs)


def test_a_spoke_webhook_whose_endpoints_argo_cd_did_not_show_is_not_called_missing() -> None:
    """Through Argo CD, kftui sees only what the apps' trees hold: no Endpoints there is not "no Endpoints"."""
    objects = [o for o in network(ready=False) if not isinstance(o, Endpoints | Service)]
    snapshot = snapshot_of(*apps(), *network(ready=True), *spoke(objects, ARGO_ORIGIN))
    assert webhook_findings(snapshot) == []
    # Read directly (its Endpoints listed: the API server's own is there), the same spoke has a webhook
    # nothing can serve.
    listed = [*objects, _convert(builders.endpoints("default", "kubernetes", ["10.0.0.1"]))]
    direct = snapshot_of(*apps(), *network(ready=True), *spoke(listed, DIRECT_ORIGIN))
    (found,) = webhook_findings(direct)
    assert "no Endpoints for Service kubeflow/katib-controller" in found.evidence


def test_through_argo_cd_without_endpoints_the_pods_behind_the_service_say_whether_it_can_serve() -> None:
    """Argo CD 3 leaves Endpoints and EndpointSlices out of its trees (resource.exclusions by default): the
    Service's selector and the pods Argo CD shows behind it are the evidence then."""
    down = [o for o in network(ready=False) if not isinstance(o, Endpoints)]
    (found,) = webhook_findings(snapshot_of(*apps(), *spoke(down, ARGO_ORIGIN)))
    assert found.subject == ObjectRef("Service", "kubeflow", "katib-controller", "spoke")
    assert (
        "none of the 1 pods behind Service kubeflow/katib-controller is ready "
        "(katib-controller-7d9f-abcde CrashLoopBackOff)"
    ) in found.evidence
    up = [o for o in network(ready=True) if not isinstance(o, Endpoints)]
    assert webhook_findings(snapshot_of(*apps(), *spoke(up, ARGO_ORIGIN))) == []
    # The hub's ready pods of the same names do not serve the spoke's webhook.
    assert len(webhook_findings(snapshot_of(*apps(), *network(ready=True), *spoke(down, ARGO_ORIGIN)))) == 1


def test_a_spoke_webhook_read_through_argo_cd_offers_no_kubectl_command() -> None:
    snapshot = snapshot_of(*apps(), *network(ready=True), *spoke(network(ready=False), ARGO_ORIGIN))
    (found,) = webhook_findings(snapshot)
    assert found.subject.cluster == "spoke"
    assert found.evidence_lines[-1] == "via Argo CD API (cluster spoke)"
    assert not any(argv[0] == "kubectl" for f in found.fixes for argv in f.argvs)


def katib_app() -> KubeObject:
    """The spoke's app that deploys Katib: its webhook configuration, Service and Deployment."""
    raw = app("katib-spoke", SPOKE, "Degraded")
    raw["status"]["resources"] = [
        builders.resource("Deployment", "katib-controller", "kubeflow", group="apps", health=None),
        builders.resource("Service", "katib-controller", "kubeflow", health=None),
        builders.resource(
            "ValidatingWebhookConfiguration",
            "katib.kubeflow.org",
            None,
            group="admissionregistration.k8s.io",
            health=None,
        ),
    ]
    return _convert(raw)


def test_a_spoke_webhooks_fixes_read_through_argo_cd_are_argo_cds_wait_restart_and_sync() -> None:
    down = [o for o in network(ready=False) if not isinstance(o, Endpoints)]
    (found,) = webhook_findings(snapshot_of(apps()[0], katib_app(), *spoke(down, ARGO_ORIGIN)))
    assert found.app == "katib-spoke"
    assert [(f.id, f.argvs[0][:3]) for f in found.fixes] == [
        ("wait-for-webhook", ("argocd", "app", "wait")),
        ("restart", ("argocd", "app", "actions")),
        ("sync", ("argocd", "app", "sync")),
    ]
    wait = found.fixes[0]
    assert wait.argvs == (("argocd", "app", "wait", "katib-spoke", "--health", "--timeout", "300"),)
    assert wait.title == (
        "Wait through Argo CD for katib-spoke to be Healthy (svc/katib-controller in kubeflow has ready pods then)"
    )
    assert "(fix: restart)" in found.explanation
    # Read through its own context, the same webhook's wait and restart are kubectl's, on that context.
    (direct,) = webhook_findings(snapshot_of(apps()[0], katib_app(), *spoke(down, DIRECT_ORIGIN)))
    assert [(f.id, f.argvs[0][0], f.argvs[0][-2:]) for f in direct.fixes[:2]] == [
        ("wait-for-webhook", "kubectl", ("--context", "spoke-admin")),
        ("restart", "kubectl", ("--context", "spoke-admin")),
    ]


def test_a_spoke_apps_failed_webhook_call_names_the_spokes_service() -> None:
    """The sync of the spoke's app failed calling the webhook; the hub has that webhook too, calling another
    Service: the finding is about the Service the spoke's configuration names."""
    hub = [
        _convert(
            builders.webhook_config(
                "ValidatingWebhookConfiguration", "katib.kubeflow.org", HOOK, "kubeflow", "hub-katib"
            )
        )
    ]
    raw = app("pipelines-spoke", SPOKE, "Degraded")
    raw["status"]["operationState"] = builders.failed_operation(
        "one or more objects failed to apply",
        [
            builders.sync_result(
                "Experiment",
                "mnist",
                "kubeflow",
                f'Internal error occurred: failed calling webhook "{HOOK}": connection refused',
                group="kubeflow.org",
            )
        ],
    )
    spoke_network = [o for o in network(ready=True) if not isinstance(o, Endpoints)]
    snapshot = snapshot_of(apps()[0], _convert(raw), *hub, *spoke(spoke_network, ARGO_ORIGIN))
    (found,) = webhook_findings(snapshot)
    assert found.subject == ObjectRef("Service", "kubeflow", "katib-controller", "spoke")
    assert found.app == "pipelines-spoke"


def test_a_spoke_services_failing_pod_is_its_cause_not_the_hubs_pod_of_the_same_name() -> None:
    snapshot = snapshot_of(*apps(), *network(ready=True), *spoke(network(ready=False), DIRECT_ORIGIN))
    findings = run_checks(snapshot, PROFILE)
    webhook = next(f for f in findings if f.check == "webhook-unavailable")
    links = [(down, pod) for down, pod in causes.pods_behind_services(findings, snapshot) if down == webhook]
    assert [pod.subject for _, pod in links] == [
        ObjectRef("Pod", "kubeflow", "katib-controller-7d9f-abcde", "spoke")
    ]


GATEWAY = Profile(
    name="gateway",
    applications=PROFILE.applications,
    gateway=Gateway(namespace="kubeflow", service="katib-controller", port=443),
)


def test_a_gateway_on_a_spoke_read_directly_is_checked_there() -> None:
    """The profile's gateway namespace exists only on the spoke: its Service and Endpoints are the spoke's."""
    renamed = [tagged(o, DIRECT_ORIGIN) for o in network(ready=False)]
    # The hub has Services and Endpoints (all of them listed), none in namespace `kubeflow`.
    hub = [_convert(builders.service("other", "x")), _convert(builders.endpoints("other", "x", ["10.1.1.1"]))]
    snapshot = snapshot_of(*apps(), *hub, *renamed)
    (found,) = [f for f in run_checks(snapshot, GATEWAY) if f.check == "gateway"]
    assert found.subject == ObjectRef("Service", "kubeflow", "katib-controller", "spoke")
    assert "0 ready addresses, 1 not ready" in found.title
    # Its restart is the spoke's Deployment's, through the spoke's context.
    restart = next(f for f in found.fixes if f.id == "restart")
    assert restart.argvs == (
        (
            "kubectl",
            "rollout",
            "restart",
            "deployment/katib-controller",
            "-n",
            "kubeflow",
            "--context",
            "spoke-admin",
        ),
    )


def test_remote_network_objects_come_back_from_a_dump_as_they_were_read() -> None:
    for origin in (DIRECT_ORIGIN, ARGO_ORIGIN):
        for obj in spoke(network(ready=False), origin):
            if not isinstance(obj, Service | Endpoints | WebhookConfiguration):
                continue
            raw = remotedump.manifest(obj)
            back = to_model(raw)
            assert back is not None
            restored = remotedump.restored(back, origin, remotedump.annotations_of(raw))
            assert restored == obj, type(obj).__name__


# --- read through Argo CD: the tree's Service, the webhook configurations and their Endpoints ------------


def argo_tree() -> dict[str, object]:
    """The fixture tree plus katib's webhook, its Service and Endpoints (shown under the Service, as
    gitops-engine links an Endpoints to the Service of its name), and minio's Endpoints, no webhook's."""
    tree = fixture("resource-tree.json")
    tree["nodes"] += [
        {
            "group": WEBHOOK_GROUP,
            "version": "v1",
            "kind": "ValidatingWebhookConfiguration",
            "name": "katib.kubeflow.org",
            "uid": "vwc-1",
            "resourceVersion": "400",
        },
        {
            "version": "v1",
            "kind": "Service",
            "namespace": "kubeflow",
            "name": "katib-controller",
            "uid": "svc-2",
            "networkingInfo": {"targetLabels": {"app": "katib-controller"}},
            "resourceVersion": "401",
            "health": {"status": "Healthy"},
        },
        {
            "version": "v1",
            "kind": "Endpoints",
            "namespace": "kubeflow",
            "name": "katib-controller",
            "uid": "ep-2",
            "parentRefs": [
                {"kind": "Service", "namespace": "kubeflow", "name": "katib-controller", "uid": "svc-2"}
            ],
            "resourceVersion": "402",
        },
        {
            "version": "v1",
            "kind": "Endpoints",
            "namespace": "kubeflow",
            "name": "ml-pipeline",
            "uid": "ep-1",
            "parentRefs": [
                {"kind": "Service", "namespace": "kubeflow", "name": "ml-pipeline", "uid": "svc-1"}
            ],
            "resourceVersion": "403",
        },
    ]
    return tree


class NetworkArgo(FakeArgo):
    """Argo CD answering the live manifests of the webhook configuration and the Endpoints too."""

    def _answer(self, path: str, params: dict[str, object]) -> object:
        if path.endswith("/resource") and params["kind"] == "ValidatingWebhookConfiguration":
            raw = builders.webhook_config(
                "ValidatingWebhookConfiguration", "katib.kubeflow.org", HOOK, "kubeflow", "katib-controller"
            )
            return {"manifest": json.dumps(raw)}
        if path.endswith("/resource") and params["kind"] == "Endpoints":
            raw = builders.endpoints("kubeflow", str(params["resourceName"]), [], ["10.0.0.7"])
            return {"manifest": json.dumps(raw)}
        return super()._answer(path, params)


def test_through_argo_cd_the_webhooks_configuration_and_its_services_endpoints_are_read() -> None:
    argo = NetworkArgo(tree=argo_tree())
    reader = AppReader(argo, "katib", "argocd", ARGO_ORIGIN, "kubeflow")
    objects = reader.read()
    fetched = [(p["kind"], p["resourceName"]) for path, p in argo.requests if path.endswith("/resource")]
    # The configuration, then the Endpoints of the one Service it calls (not ml-pipeline's).
    assert ("ValidatingWebhookConfiguration", "katib.kubeflow.org") in fetched
    assert ("Endpoints", "katib-controller") in fetched and ("Endpoints", "ml-pipeline") not in fetched
    services = {o.name: o for o in objects if isinstance(o, Service)}
    assert services["katib-controller"].selector == {"app": "katib-controller"}
    assert services["katib-controller"].origin == ARGO_ORIGIN
    (config,) = [o for o in objects if isinstance(o, WebhookConfiguration)]
    assert config.origin == ARGO_ORIGIN and config.webhooks[0].service == "katib-controller"
    (ep,) = [o for o in objects if isinstance(o, Endpoints)]
    assert (ep.name, ep.ready, ep.origin) == ("katib-controller", (), ARGO_ORIGIN)

    argo.requests.clear()
    reader.read()
    assert not [path for path, _ in argo.requests if path.endswith("/resource")]  # same resourceVersions


def test_a_spoke_webhook_read_through_argo_cd_is_found_with_where_it_came_from() -> None:
    hub = StaticSource(lambda: builders.snapshot([remote_app(server=SPOKE)]))
    snapshot = FederatedSource(hub, NetworkArgo(tree=argo_tree())).load()
    (found,) = [
        f
        for f in run_checks(snapshot, detect_profile({"kubeflow-pipelines"}))
        if f.check == "webhook-unavailable"
    ]
    assert found.subject == ObjectRef("Service", "kubeflow", "katib-controller", "spoke")
    assert found.evidence_lines == (
        "ValidatingWebhookConfiguration katib.kubeflow.org webhook validator.katib.kubeflow.org "
        "(failurePolicy Fail): Endpoints kubeflow/katib-controller has no ready addresses (1 not ready)",
        "via Argo CD API (cluster spoke)",
    )


class ScriptedSource(StaticSource):
    """A directly read spoke whose follow sends one batch of watch events, then ends."""

    def __init__(self, batch: list[object]) -> None:
        super().__init__(lambda: ClusterSnapshot.from_objects([], now=builders.NOW))
        self.batch = batch

    def follow(self, sink: Callable[[object], None], stop: threading.Event) -> None:  # type: ignore[override]
        sink(self.batch)


def test_a_directly_watched_spokes_network_objects_are_tagged_and_its_other_kinds_kept_out() -> None:
    """A spoke's Service changes under its own key; its CRD would land among the hub's (kftui reads the hub's
    CRDs for the ordering checks), so it is not merged."""
    crd = _convert(builders.crd("experiments.kubeflow.org", "kubeflow.org", "Experiment"))
    svc = _convert(builders.service("kubeflow", "katib-controller"))
    spoke_source = ScriptedSource([WatchEvent("ADDED", crd), WatchEvent("ADDED", svc)])
    hub = StaticSource(lambda: builders.snapshot([remote_app(server=SPOKE)]))
    source = FederatedSource(hub, None, direct={SPOKE: spoke_source})
    source.load()
    got: list[object] = []
    arrived = threading.Event()
    stop = threading.Event()

    def sink(item: object) -> None:
        got.append(item)
        arrived.set()

    follower = threading.Thread(target=source.follow, args=(sink, stop), daemon=True)
    follower.start()
    assert arrived.wait(10), "the spoke's batch never reached the sink"
    stop.set()
    follower.join(10)
    (batch,) = got
    # (no cluster is registered here, so the spoke goes by its server URL)
    assert [(type(e.obj).__name__, e.obj.key) for e in batch] == [  # type: ignore[attr-defined]
        ("Service", ("kubeflow", "katib-controller", SPOKE))
    ]


def test_a_webhook_findings_restart_plans_the_workload_behind_its_service_on_its_cluster() -> None:
    """The finding is about the Service; its restart acts on the Deployment whose pods the Service selects,
    on the Service's cluster: the hub's through kubectl, a directly read spoke's through its context, one
    read through Argo CD through Argo CD's restart action."""
    down = [o for o in network(ready=False) if not isinstance(o, Endpoints)]
    hub = snapshot_of(apps()[0], *down)
    (found,) = webhook_findings(hub)
    plan = plan_fix(found, "restart", hub)
    assert plan.target == ObjectRef("Deployment", "kubeflow", "katib-controller")
    assert plan.command == "kubectl rollout restart deployment/katib-controller -n kubeflow"
    direct = snapshot_of(apps()[0], katib_app(), *network(ready=True), *spoke(down, DIRECT_ORIGIN))
    (found,) = webhook_findings(direct)
    plan = plan_fix(found, "restart", direct)
    assert plan.target == ObjectRef("Deployment", "kubeflow", "katib-controller", "spoke")
    assert plan.command.endswith("--context spoke-admin")
    via_argo = snapshot_of(apps()[0], katib_app(), *network(ready=True), *spoke(down, ARGO_ORIGIN))
    (found,) = webhook_findings(via_argo)
    plan = plan_fix(found, "restart", via_argo)
    assert plan.target == ObjectRef("Deployment", "kubeflow", "katib-controller", "spoke")
    assert plan.command.startswith("argocd app actions run katib-spoke restart --kind Deployment")


def test_through_argo_cd_some_endpoints_read_do_not_make_a_missing_one_missing() -> None:
    """Argo CD showed ml-pipeline's Endpoints (an older Argo CD, or exclusions changed), not katib's Service
    or Endpoints (another app's, or unmanaged): that is no proof katib's are missing."""
    config = [o for o in network(ready=False) if isinstance(o, WebhookConfiguration)]
    other = [
        _convert(builders.service("kubeflow", "ml-pipeline")),
        _convert(builders.endpoints("kubeflow", "ml-pipeline", [])),
    ]
    assert webhook_findings(snapshot_of(*apps(), *spoke([*config, *other], ARGO_ORIGIN))) == []
    # Read directly, the same objects are the whole cluster's: katib's Service does not exist.
    (found,) = webhook_findings(snapshot_of(*apps(), *spoke([*config, *other], DIRECT_ORIGIN)))
    assert "Service kubeflow/katib-controller does not exist" in found.evidence


def test_the_pods_behind_a_service_are_counted_and_the_first_three_named() -> None:
    base = [o for o in network(ready=False) if not isinstance(o, Endpoints | Pod)]
    pods = [
        _convert(
            builders.pod(
                "kubeflow",
                f"katib-controller-7d9f-{n}",
                "katib-controller",
                ready=False,
                waiting="CrashLoopBackOff",
            )
        )
        for n in "abcd"
    ]
    (found,) = webhook_findings(snapshot_of(*apps(), *spoke([*base, *pods], ARGO_ORIGIN)))
    assert (
        "none of the 4 pods behind Service kubeflow/katib-controller is ready (katib-controller-7d9f-a "
        "CrashLoopBackOff, katib-controller-7d9f-b CrashLoopBackOff, katib-controller-7d9f-c CrashLoopBackOff)"
    ) in found.evidence


def test_a_spoke_apps_failed_call_to_a_webhook_nothing_names_is_the_spokes_webhook() -> None:
    raw = app("pipelines-spoke", SPOKE, "Degraded")
    raw["status"]["operationState"] = builders.failed_operation(
        "one or more objects failed to apply",
        [
            builders.sync_result(
                "Experiment", "mnist", "kubeflow", 'failed calling webhook "x.example.org": EOF'
            )
        ],
    )
    (found,) = webhook_findings(
        snapshot_of(apps()[0], _convert(raw), *spoke(network(ready=True)[:1], ARGO_ORIGIN))
    )
    assert found.subject == ObjectRef("Webhook", None, "x.example.org", "spoke")

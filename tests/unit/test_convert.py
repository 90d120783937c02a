"""Raw API objects -> model: realistic shapes, and tolerance of broken ones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import yaml

from kftui.cluster import convert
from kftui.cluster.fields import parse_time
from kftui.kinds import LISTED
from kftui.model import Application, Endpoints, Event, Pod, Service, Workload

APPLICATION = yaml.safe_load(
    """
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: kubeflow-pipelines
  namespace: argocd
  annotations: {argocd.argoproj.io/sync-wave: "2"}
  resourceVersion: "812"
spec:
  project: default
  source: {repoURL: "file:///srv/git/kubeflow", path: apps/pipelines, targetRevision: HEAD}
  destination: {server: "https://kubernetes.default.svc", namespace: kubeflow}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
operation:
  initiatedBy: {username: admin}
  sync: {revision: abc123, prune: true, syncStrategy: {hook: {force: true}}, syncOptions: [Replace=true]}
status:
  sync: {status: OutOfSync, revision: abc123}
  health: {status: Progressing}
  conditions:
  - type: SharedResourceWarning
    message: "ClusterRole/kubeflow-metacontroller is part of applications argocd/kubeflow and kubeflow-pipelines"
    lastTransitionTime: "2026-11-20T02:45:12Z"
  resources:
  - {group: apps, version: v1, kind: Deployment, namespace: kubeflow, name: ml-pipeline, status: OutOfSync,
     health: {status: Degraded, message: "exceeded its progress deadline"}, syncWave: 1}
  - {version: v1, kind: PersistentVolumeClaim, namespace: kubeflow, name: mysql-pv-claim, status: OutOfSync,
     requiresPruning: true}
  - {version: v1, kind: Namespace, name: kubeflow, status: Synced}
  operationState:
    phase: Failed
    message: "one or more objects failed to apply"
    startedAt: "2026-11-20T02:50:00Z"
    finishedAt: "2026-11-20T02:50:09Z"
    operation: {sync: {revision: abc123}, initiatedBy: {automated: true}}
    syncResult:
      revision: abc123
      resources:
      - {group: apps, version: v1, kind: Deployment, namespace: kubeflow, name: ml-pipeline, status: SyncFailed,
         message: "admission webhook denied the request", hookPhase: Failed, syncPhase: Sync}
"""
)

POD = yaml.safe_load(
    """
apiVersion: v1
kind: Pod
metadata:
  name: katib-controller-7f5b8c9d6-5rjtn
  namespace: kubeflow
  creationTimestamp: "2026-11-20T02:42:00Z"
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: katib-controller-7f5b8c9d6, controller: true}]
spec:
  nodeName: kwok-node-0
  containers: [{name: manager, image: x, ports: [{containerPort: 8443, name: webhook}]}]
status:
  phase: Running
  podIP: 10.0.0.7
  conditions: [{type: Ready, status: "False"}, {type: PodScheduled, status: "True"}]
  initContainerStatuses:
  - {name: init, ready: true, restartCount: 0, state: {terminated: {reason: Completed, exitCode: 0}}}
  containerStatuses:
  - name: manager
    ready: false
    restartCount: 7
    state: {waiting: {reason: CrashLoopBackOff, message: back-off 5m0s}}
    lastState: {terminated: {reason: OOMKilled, exitCode: 137}}
"""
)


def test_application_fields() -> None:
    app = convert.to_model(APPLICATION)
    assert isinstance(app, Application)
    assert (app.name, app.namespace, app.path, app.dest_namespace) == (
        "kubeflow-pipelines",
        "argocd",
        "apps/pipelines",
        "kubeflow",
    )
    assert app.automated and app.auto_prune and app.self_heal
    assert app.sync_wave == 2
    assert app.sync_status == "OutOfSync" and app.health_status == "Progressing"
    assert app.operation is not None and app.operation.force and app.operation.prune
    assert app.operation.sync_options == ("Replace=true",) and app.operation.initiated_by == "admin"
    assert app.operation_state is not None and app.operation_state.phase == "Failed"
    assert app.operation_state.results[0].message == "admission webhook denied the request"
    assert app.operation_state.operation is not None and app.operation_state.operation.automated
    assert app.conditions[0].type == "SharedResourceWarning"
    assert app.conditions[0].last_transition == datetime(2026, 11, 20, 2, 45, 12, tzinfo=UTC)
    pvc = next(r for r in app.resources if r.kind == "PersistentVolumeClaim")
    assert pvc.requires_pruning and pvc.group == ""
    deploy = next(r for r in app.resources if r.kind == "Deployment")
    assert (deploy.health_status, deploy.sync_wave) == ("Degraded", 1)
    assert app.target_namespaces == ("kubeflow",)
    assert app.operation_phase == "Failed"


def test_pod_fields() -> None:
    pod = convert.to_model(POD)
    assert isinstance(pod, Pod)
    assert (pod.workload_kind, pod.workload_name) == ("Deployment", "katib-controller")
    assert pod.restarts == 7 and not pod.ready
    assert pod.ready_count == (0, 1), "init containers do not count toward READY"
    assert pod.display_status == "CrashLoopBackOff"
    main = pod.containers[-1]
    assert (main.last_terminated_reason, main.last_exit_code) == ("OOMKilled", 137)
    assert pod.ports[0].port == 8443


def test_service_endpoints_event_workload() -> None:
    svc = convert.to_model(
        {
            "kind": "Service",
            "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
            "spec": {
                "ports": [
                    {"name": "http2", "port": 80, "targetPort": 8080},
                    {"port": 443, "targetPort": "https"},
                ]
            },
        }
    )
    assert isinstance(svc, Service)
    assert [(p.port, p.target_port) for p in svc.ports] == [(80, 8080), (443, "https")]
    eps = convert.to_model(
        {
            "kind": "Endpoints",
            "metadata": {"name": "istio-ingressgateway", "namespace": "istio-system"},
            "subsets": [
                {
                    "addresses": [{"ip": "10.0.0.1", "targetRef": {"kind": "Pod", "name": "gw-1"}}],
                    "notReadyAddresses": [{"ip": "10.0.0.2"}],
                }
            ],
        }
    )
    assert isinstance(eps, Endpoints)
    assert [a.pod_name for a in eps.ready] == ["gw-1"] and len(eps.not_ready) == 1
    ev = convert.to_model(
        {
            "kind": "Event",
            "metadata": {"name": "e1", "namespace": "kubeflow"},
            "involvedObject": {"kind": "Pod", "namespace": "kubeflow", "name": "p"},
            "reason": "BackOff",
            "type": "Warning",
            "series": {"lastObservedTime": "2026-11-20T03:00:00.123456Z"},
        }
    )
    assert isinstance(ev, Event) and ev.last_seen == datetime(2026, 11, 20, 3, 0, 0, 123456, tzinfo=UTC)
    ds = convert.to_model(
        {
            "kind": "DaemonSet",
            "metadata": {"name": "d", "namespace": "x"},
            "status": {"desiredNumberScheduled": 3, "numberReady": 2},
        }
    )
    assert isinstance(ds, Workload) and (ds.desired, ds.ready) == (3, 2)


def test_untracked_kinds_are_ignored() -> None:
    assert convert.to_model({"kind": "ConfigMap", "metadata": {"name": "x"}}) is None


@pytest.mark.parametrize(
    "broken",
    [
        {"kind": "Application"},
        {"kind": "Application", "metadata": None, "spec": "nonsense", "status": ["wrong"]},
        {"kind": "Application", "status": {"resources": [None, 3, "x"], "conditions": {"not": "a list"}}},
        {"kind": "Pod", "status": {"containerStatuses": [{"restartCount": "many", "state": None}]}},
        {
            "kind": "Pod",
            "metadata": {"ownerReferences": "x", "labels": ["a"]},
            "spec": {"containers": [None]},
        },
        {"kind": "Service", "spec": {"ports": [{"port": "eighty", "targetPort": None}]}},
        {"kind": "Event", "count": "lots", "lastTimestamp": "yesterday"},
        {"kind": "CustomResourceDefinition", "spec": {"versions": "v1"}, "status": {"conditions": [1]}},
        {"kind": "MutatingWebhookConfiguration", "webhooks": [{"clientConfig": {"service": "svc"}}]},
        {"kind": "Deployment", "spec": {"replicas": "three"}},
    ],
)
def test_malformed_objects_convert_without_raising(broken: dict[str, object]) -> None:
    assert convert.to_model(broken) is not None


def test_parse_time_variants() -> None:
    assert parse_time("2026-11-20T03:00:00Z") == datetime(2026, 11, 20, 3, tzinfo=UTC)
    assert parse_time("2026-11-20T03:00:00.5+00:00") is not None
    assert parse_time("not a time") is None
    assert parse_time(12) is None


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet", "MutatingWebhookConfiguration"])
def test_list_items_without_kind_take_the_listed_kind(kind: str) -> None:
    """LIST responses omit each item's kind; the kind we listed must still reach the model (and its key)."""
    obj = convert.to_model({"metadata": {"name": "x", "namespace": "kubeflow"}}, kind)
    assert obj is not None and obj.kind == kind  # type: ignore[union-attr]


def test_every_listed_kind_has_a_reader_and_every_reader_a_listed_kind() -> None:
    """The cluster-side table and the kind registry name the same kinds: adding a kind is one entry in each."""
    assert set(convert.READERS) == {k.name for k in LISTED}


def test_only_built_in_kinds_with_a_spec_have_managed_fields_cut_from_their_bytes() -> None:
    lean = {kind for kind, reader in convert.READERS.items() if reader.lean}
    assert lean == {"Pod", "Service", "Namespace", "Deployment", "StatefulSet", "DaemonSet"}
    assert not convert.is_lean("Application") and not convert.is_lean("ConfigMap")

"""The bench lab's objects at a given scale: nodes, namespaces, Applications, Services, pods, events.

Pod n belongs to app n % apps, Deployment (n // apps) % 10; the names are stable, so a load is idempotent
and the churn can address any pod without listing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

DEPLOYMENTS_PER_APP = 10
ARGOCD_NAMESPACE = "bench-argocd"
SCALE_LABEL = "kftui.bench/scale"
SEQ_LABEL = "kftui.bench/seq"


@dataclass(frozen=True)
class Scale:
    """How big the bench lab is, and how fast it changes during the live run."""

    name: str
    apps: int
    namespaces: int
    pods: int
    events: int
    churn_rate: float  # pod changes per second
    nodes: int  # kwok nodes of 1,100 pods each

    pods_per_node = 1_100

    def describe(self) -> str:
        return (
            f"{self.name}: {self.apps:,} Applications, {self.namespaces:,} namespaces, {self.pods:,} pods, "
            f"{self.events:,} events, {self.churn_rate:.0f} changes/s"
        )


SCALES = {
    "default": Scale(
        "default", apps=300, namespaces=200, pods=20_000, events=2_000, churn_rate=100, nodes=20
    ),
    # Issue 19: five times the pods, apps and namespaces, churn twice as fast.
    "large": Scale(
        "large", apps=1_500, namespaces=1_000, pods=100_000, events=10_000, churn_rate=200, nodes=100
    ),
}


def _hash(*parts: object, n: int = 10) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:n]


def app_name(i: int) -> str:
    return f"bench-app-{i:03d}"


def ns_name(i: int) -> str:
    return f"bench-ns-{i:03d}"


def app_namespace(s: Scale, i: int) -> str:
    return ns_name(i % s.namespaces)


def deployment_name(app: int, dep: int) -> str:
    return f"{app_name(app)}-d{dep}"


def pod_name(s: Scale, n: int) -> str:
    app, dep = n % s.apps, (n // s.apps) % DEPLOYMENTS_PER_APP
    return f"{deployment_name(app, dep)}-{_hash('rs', app, dep, n=9)}-{_hash('pod', n, n=5)}"


def pod_namespace(s: Scale, n: int) -> str:
    return app_namespace(s, n % s.apps)


def node(s: Scale, i: int) -> dict[str, Any]:
    name = f"bench-node-{i:02d}"
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake"},
            "labels": {"kubernetes.io/hostname": name, "type": "kwok", SCALE_LABEL: "true"},
        },
        "spec": {},
        "status": {
            "allocatable": {"cpu": "256", "memory": "2Ti", "pods": str(s.pods_per_node)},
            "capacity": {"cpu": "256", "memory": "2Ti", "pods": str(s.pods_per_node)},
        },
    }


def namespace(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": ns_name(i), "labels": {SCALE_LABEL: "true"}},
    }


def pod(s: Scale, n: int) -> dict[str, Any]:
    app, dep = n % s.apps, (n // s.apps) % DEPLOYMENTS_PER_APP
    labels = {
        "app.kubernetes.io/name": deployment_name(app, dep),
        "app.kubernetes.io/instance": app_name(app),
        "app.kubernetes.io/part-of": "kubeflow",
        "pod-template-hash": _hash("rs", app, dep, n=9),
        SCALE_LABEL: "true",
        SEQ_LABEL: "0",
    }
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": pod_name(s, n),
            "namespace": pod_namespace(s, n),
            "labels": labels,
            "annotations": {
                "kubectl.kubernetes.io/default-container": "main",
                "sidecar.istio.io/inject": "false",
            },
        },
        "spec": {
            "nodeName": f"bench-node-{n % s.nodes:02d}",
            "terminationGracePeriodSeconds": 0,
            "serviceAccountName": "default",
            "automountServiceAccountToken": False,
            "containers": [
                {
                    "name": "main",
                    "image": f"ghcr.io/kubeflow/bench/{deployment_name(app, dep)}:v1.10.0",
                    "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
                    "env": [
                        {"name": "APP", "value": app_name(app)},
                        {"name": "LOG_LEVEL", "value": "info"},
                        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
                    ],
                    "resources": {
                        "requests": {"cpu": "10m", "memory": "32Mi"},
                        "limits": {"cpu": "500m", "memory": "256Mi"},
                    },
                    "readinessProbe": {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10},
                }
            ],
            "tolerations": [{"operator": "Exists"}],
        },
    }


RESOURCE_KINDS = (
    ("apps", "Deployment", DEPLOYMENTS_PER_APP),
    ("", "Service", 10),
    ("", "ConfigMap", 10),
    ("", "ServiceAccount", 8),
    ("rbac.authorization.k8s.io", "RoleBinding", 6),
    ("", "Secret", 4),
    ("networking.istio.io", "VirtualService", 2),
)


def application(s: Scale, i: int) -> dict[str, Any]:
    """An Application with a full status, as Argo CD would have written it."""
    ns = app_namespace(s, i)
    out_of_sync = i % 10 == 3
    degraded = i % 20 == 7
    resources = []
    for group, kind, count in RESOURCE_KINDS:
        for j in range(count):
            name = deployment_name(i, j) if kind == "Deployment" else f"{app_name(i)}-{kind.lower()}-{j}"
            entry: dict[str, Any] = {
                "group": group,
                "version": "v1" if group in ("", "apps") else "v1beta1",
                "kind": kind,
                "namespace": ns,
                "name": name,
                "status": "OutOfSync" if out_of_sync and j == 0 else "Synced",
            }
            if kind in ("Deployment", "Service"):
                entry["health"] = {"status": "Degraded" if degraded and j == 0 else "Healthy"}
                if degraded and j == 0:
                    entry["health"]["message"] = "Deployment has minimum availability: 0 of 1 replicas ready"
            resources.append(entry)
    sync_status = "OutOfSync" if out_of_sync else "Synced"
    health = "Degraded" if degraded else "Healthy"
    revision = _hash("rev", i, n=40)
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": app_name(i), "namespace": ARGOCD_NAMESPACE, "labels": {SCALE_LABEL: "true"}},
        "spec": {
            "project": "default",
            "source": {
                "repoURL": "https://github.com/kubeflow/manifests.git",
                "path": f"apps/bench/{app_name(i)}",
                "targetRevision": "v1.10.0",
            },
            "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
            "syncPolicy": {"syncOptions": ["CreateNamespace=true", "ServerSideApply=true"]},
        },
        "status": {
            "sync": {
                "status": sync_status,
                "revision": revision,
                "comparedTo": {
                    "source": {
                        "repoURL": "https://github.com/kubeflow/manifests.git",
                        "path": f"apps/bench/{app_name(i)}",
                    },
                    "destination": {"server": "https://kubernetes.default.svc", "namespace": ns},
                },
            },
            "health": {"status": health},
            "resources": resources,
            "summary": {"images": [f"ghcr.io/kubeflow/bench/{app_name(i)}:v1.10.0"]},
            "reconciledAt": "2026-11-26T09:00:00Z",
            "sourceType": "Kustomize",
            "operationState": {
                "phase": "Succeeded",
                "message": "successfully synced (all tasks run)",
                "startedAt": "2026-11-26T08:59:50Z",
                "finishedAt": "2026-11-26T09:00:00Z",
                "operation": {"sync": {"revision": revision}, "initiatedBy": {"automated": True}},
                "syncResult": {"revision": revision, "resources": []},
            },
        },
    }


def service(s: Scale, i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": f"{app_name(i)}-service-0",
            "namespace": app_namespace(s, i),
            "labels": {SCALE_LABEL: "true"},
        },
        "spec": {
            "selector": {"app.kubernetes.io/name": deployment_name(i, 0)},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }


def event(s: Scale, k: int) -> dict[str, Any]:
    n = (k * 7) % s.pods
    warning = k % 4 == 0
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod_name(s, n)}.{_hash('ev', k, n=16)}", "namespace": pod_namespace(s, n)},
        "involvedObject": {
            "kind": "Pod",
            "namespace": pod_namespace(s, n),
            "name": pod_name(s, n),
            "apiVersion": "v1",
        },
        "reason": "BackOff" if warning else "Pulled",
        "message": "Back-off restarting failed container main"
        if warning
        else "Container image already present",
        "type": "Warning" if warning else "Normal",
        "count": 1 + k % 5,
        "firstTimestamp": "2026-11-26T09:00:00Z",
        "lastTimestamp": "2026-11-26T09:00:00Z",
        "source": {"component": "kubelet", "host": f"bench-node-{n % s.nodes:02d}"},
    }

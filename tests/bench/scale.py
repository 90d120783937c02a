"""The simulated scale: 300 Applications (~50 resources each), 200 namespaces, 20,000 pods, events.

Objects are created with bulk POSTs over httpx (the lab's admin client cert, several requests in flight),
not kubectl: 20,000 kubectl round trips would take longer than the benchmark itself.

- Nodes: 20 extra kwok nodes (`bench-node-NN`, 1,100 pods each); kwok manages every node, so the pods,
  bound directly with spec.nodeName (no scheduler in the way), go Running like on a real kubelet.
- Pods: pod n belongs to app n % 300, Deployment (n // 300) % 10. They carry Argo CD's instance label
  (app.kubernetes.io/instance), which is how kftui's topology hangs them under their Application. They
  have no ownerReferences: the lab's garbage collector deletes pods whose owner does not exist, and real
  ReplicaSets would make the controller-manager (20 QPS) create the pods itself, far too slowly.
- Applications live in `bench-argocd`, a namespace the lab's Argo CD controller does not watch, so the
  full `status` we write (sync, health, resources; every 10th OutOfSync, every 20th Degraded) stays put.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

APPS = 300
NAMESPACES = 200
PODS = 20_000
DEPLOYMENTS_PER_APP = 10
NODES = 20
EVENTS = 2_000
ARGOCD_NAMESPACE = "bench-argocd"
SCALE_LABEL = "kftui.bench/scale"
SEQ_LABEL = "kftui.bench/seq"
IN_FLIGHT = 24


@dataclass(frozen=True)
class Target:
    """Where and how to reach the lab's API server with its admin client certificate."""

    server: str
    tls: ssl.SSLContext

    def client(self, **kw: Any) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
        return httpx.AsyncClient(base_url=self.server, verify=self.tls, limits=limits, timeout=60, **kw)


def _hash(*parts: object, n: int = 10) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()[:n]


def app_name(i: int) -> str:
    return f"bench-app-{i:03d}"


def ns_name(i: int) -> str:
    return f"bench-ns-{i:03d}"


def app_namespace(i: int) -> str:
    return ns_name(i % NAMESPACES)


def deployment_name(app: int, dep: int) -> str:
    return f"{app_name(app)}-d{dep}"


def pod_name(n: int) -> str:
    app, dep = n % APPS, (n // APPS) % DEPLOYMENTS_PER_APP
    return f"{deployment_name(app, dep)}-{_hash('rs', app, dep, n=9)}-{_hash('pod', n, n=5)}"


def pod_namespace(n: int) -> str:
    return app_namespace(n % APPS)


def node(i: int) -> dict[str, Any]:
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
            "allocatable": {"cpu": "256", "memory": "2Ti", "pods": "1100"},
            "capacity": {"cpu": "256", "memory": "2Ti", "pods": "1100"},
        },
    }


def namespace(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": ns_name(i), "labels": {SCALE_LABEL: "true"}},
    }


def pod(n: int) -> dict[str, Any]:
    app, dep = n % APPS, (n // APPS) % DEPLOYMENTS_PER_APP
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
            "name": pod_name(n),
            "namespace": pod_namespace(n),
            "labels": labels,
            "annotations": {
                "kubectl.kubernetes.io/default-container": "main",
                "sidecar.istio.io/inject": "false",
            },
        },
        "spec": {
            "nodeName": f"bench-node-{n % NODES:02d}",
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


def application(i: int) -> dict[str, Any]:
    """An Application with a full status, as Argo CD would have written it."""
    ns = app_namespace(i)
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


def service(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": f"{app_name(i)}-service-0",
            "namespace": app_namespace(i),
            "labels": {SCALE_LABEL: "true"},
        },
        "spec": {
            "selector": {"app.kubernetes.io/name": deployment_name(i, 0)},
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }


def event(k: int) -> dict[str, Any]:
    n = (k * 7) % PODS
    warning = k % 4 == 0
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod_name(n)}.{_hash('ev', k, n=16)}", "namespace": pod_namespace(n)},
        "involvedObject": {
            "kind": "Pod",
            "namespace": pod_namespace(n),
            "name": pod_name(n),
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
        "source": {"component": "kubelet", "host": f"bench-node-{n % NODES:02d}"},
    }


async def _create_all(
    client: httpx.AsyncClient, path_of: Callable[[dict[str, Any]], str], objs: Iterable[dict[str, Any]]
) -> int:
    """POST every object, IN_FLIGHT at a time; 409 AlreadyExists counts as done (the load is idempotent)."""
    sem = asyncio.Semaphore(IN_FLIGHT)
    created = 0

    async def one(obj: dict[str, Any]) -> None:
        nonlocal created
        async with sem:
            for attempt in range(5):
                r = await client.post(path_of(obj), json=obj)
                if r.status_code in (200, 201, 409):
                    created += r.status_code != 409
                    return
                if r.status_code in (429, 500, 503, 504) and attempt < 4:
                    await asyncio.sleep(0.5 * (attempt + 1))
                    continue
                raise RuntimeError(f"POST {path_of(obj)} -> {r.status_code}: {r.text[:300]}")

    await asyncio.gather(*(one(o) for o in objs))
    return created


PARTIAL = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


async def _count(client: httpx.AsyncClient, path: str, selector: str, field: str = "") -> int:
    """How many objects match, listing metadata only (remainingItemCount is not given with a selector)."""
    n, token = 0, ""
    while True:
        params: dict[str, str | int] = {"labelSelector": selector, "limit": 5000}
        if field:
            params["fieldSelector"] = field
        if token:
            params["continue"] = token
        r = await client.get(path, params=params, headers={"Accept": PARTIAL})
        r.raise_for_status()
        page = r.json()
        n += len(page.get("items") or ())
        token = page["metadata"].get("continue") or ""
        if not token:
            return n


async def _load(target: Target, log: Callable[[str], None]) -> dict[str, float]:
    timings: dict[str, float] = {}
    sel = f"{SCALE_LABEL}=true"
    async with target.client() as c:
        if await _count(c, "/api/v1/pods", sel) >= PODS:
            log("[bench] scale already loaded")
            await _load_events(c, log, timings)
            return timings
        steps: list[tuple[str, Callable[[dict[str, Any]], str], list[dict[str, Any]]]] = [
            ("nodes", lambda o: "/api/v1/nodes", [node(i) for i in range(NODES)]),
            (
                "namespaces",
                lambda o: "/api/v1/namespaces",
                [namespace(i) for i in range(NAMESPACES)]
                + [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ARGOCD_NAMESPACE}}],
            ),
            (
                "applications",
                lambda o: f"/apis/argoproj.io/v1alpha1/namespaces/{ARGOCD_NAMESPACE}/applications",
                [application(i) for i in range(APPS)],
            ),
            (
                "services",
                lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/services",
                [service(i) for i in range(APPS)],
            ),
        ]
        for what, path_of, objs in steps:
            t0 = time.monotonic()
            made = await _create_all(c, path_of, objs)
            timings[what] = time.monotonic() - t0
            log(f"[bench] {what}: {made} created of {len(objs)} ({timings[what]:.1f}s)")
        t0 = time.monotonic()
        chunk = 2_000
        for start in range(0, PODS, chunk):
            await _create_all(
                c,
                lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/pods",
                (pod(n) for n in range(start, min(PODS, start + chunk))),
            )
            log(f"[bench] pods: {min(PODS, start + chunk)}/{PODS} ({time.monotonic() - t0:.0f}s)")
        timings["pods"] = time.monotonic() - t0
        await _load_events(c, log, timings)
    return timings


async def _load_events(
    client: httpx.AsyncClient, log: Callable[[str], None], timings: dict[str, float]
) -> None:
    """Create the events again if the API server has expired them (its event TTL is an hour): a lab kept
    with --keep-lab would otherwise be measured without them."""
    if await _count(client, "/api/v1/events", "") >= EVENTS:
        return
    t0 = time.monotonic()
    made = await _create_all(
        client,
        lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/events",
        [event(k) for k in range(EVENTS)],
    )
    timings["events"] = time.monotonic() - t0
    log(f"[bench] events: {made} created of {EVENTS} ({timings['events']:.1f}s)")


async def _running(target: Target) -> int:
    async with target.client() as c:
        return await _count(c, "/api/v1/pods", f"{SCALE_LABEL}=true", "status.phase=Running")


def load(target: Target, log: Callable[[str], None], settle_timeout: float = 900) -> dict[str, float]:
    """Create the scale (idempotent), then wait until kwok reports the pods Running."""
    timings = asyncio.run(_load(target, log))
    t0 = time.monotonic()
    while True:
        running = asyncio.run(_running(target))
        log(f"[bench] pods Running: {running}/{PODS}")
        if running >= PODS:
            break
        if time.monotonic() - t0 > settle_timeout:
            raise RuntimeError(f"only {running}/{PODS} pods Running after {settle_timeout:.0f}s")
        time.sleep(10)
    timings["settle"] = time.monotonic() - t0
    return timings

"""Loading a bench scale into the lab with bulk POSTs (tests/bench/objects.py says what is created).

Objects are created over httpx (the lab's admin client cert, several requests in flight), not kubectl:
20,000 kubectl round trips would take longer than the benchmark itself.

- Nodes: extra kwok nodes (`bench-node-NN`, 1,100 pods each); kwok manages every node, so the pods,
  bound directly with spec.nodeName (no scheduler in the way), go Running like on a real kubelet.
- Pods carry Argo CD's instance label (app.kubernetes.io/instance), which is how kftui's topology hangs
  them under their Application. They have no ownerReferences: the lab's garbage collector deletes pods
  whose owner does not exist, and real ReplicaSets would make the controller-manager (20 QPS) create the
  pods itself, far too slowly.
- Applications live in `bench-argocd`, a namespace the lab's Argo CD controller does not watch, so the
  full `status` we write (sync, health, resources; every 10th OutOfSync, every 20th Degraded) stays put.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.bench.objects import (
    ARGOCD_NAMESPACE,
    SCALE_LABEL,
    Scale,
    application,
    event,
    namespace,
    node,
    pod,
    service,
)

IN_FLIGHT = 24


@dataclass(frozen=True)
class Target:
    """Where and how to reach the lab's API server with its admin client certificate."""

    server: str
    tls: ssl.SSLContext

    def client(self, **kw: Any) -> httpx.AsyncClient:
        limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
        return httpx.AsyncClient(base_url=self.server, verify=self.tls, limits=limits, timeout=60, **kw)


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


async def _load(s: Scale, target: Target, log: Callable[[str], None]) -> dict[str, float]:
    timings: dict[str, float] = {}
    sel = f"{SCALE_LABEL}=true"
    async with target.client() as c:
        if await _count(c, "/api/v1/pods", sel) >= s.pods:
            log("[bench] scale already loaded")
            await _load_events(s, c, log, timings)
            return timings
        steps: list[tuple[str, Callable[[dict[str, Any]], str], list[dict[str, Any]]]] = [
            ("nodes", lambda o: "/api/v1/nodes", [node(s, i) for i in range(s.nodes)]),
            (
                "namespaces",
                lambda o: "/api/v1/namespaces",
                [namespace(i) for i in range(s.namespaces)]
                + [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ARGOCD_NAMESPACE}}],
            ),
            (
                "applications",
                lambda o: f"/apis/argoproj.io/v1alpha1/namespaces/{ARGOCD_NAMESPACE}/applications",
                [application(s, i) for i in range(s.apps)],
            ),
            (
                "services",
                lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/services",
                [service(s, i) for i in range(s.apps)],
            ),
        ]
        for what, path_of, objs in steps:
            t0 = time.monotonic()
            made = await _create_all(c, path_of, objs)
            timings[what] = time.monotonic() - t0
            log(f"[bench] {what}: {made} created of {len(objs)} ({timings[what]:.1f}s)")
        await _service_accounts(s, c, log)
        t0 = time.monotonic()
        chunk = 2_000
        for start in range(0, s.pods, chunk):
            await _create_all(
                c,
                lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/pods",
                (pod(s, n) for n in range(start, min(s.pods, start + chunk))),
            )
            log(f"[bench] pods: {min(s.pods, start + chunk)}/{s.pods} ({time.monotonic() - t0:.0f}s)")
        timings["pods"] = time.monotonic() - t0
        await _load_events(s, c, log, timings)
    return timings


async def _service_accounts(
    s: Scale, client: httpx.AsyncClient, log: Callable[[str], None], timeout: float = 300
) -> None:
    """Wait until the controller-manager has created each bench namespace's `default` ServiceAccount: until
    then the API server refuses pods there (403 "serviceaccount default not found"), which failed the load
    on a freshly started lab."""
    wanted = {namespace(i)["metadata"]["name"] for i in range(s.namespaces)}
    t0 = time.monotonic()
    while True:
        r = await client.get(
            "/api/v1/serviceaccounts",
            params={"fieldSelector": "metadata.name=default"},
            headers={"Accept": PARTIAL},
        )
        r.raise_for_status()
        missing = wanted - {item["metadata"]["namespace"] for item in r.json().get("items") or ()}
        if not missing:
            log(
                f"[bench] default ServiceAccounts in the {len(wanted)} namespaces ({time.monotonic() - t0:.1f}s)"
            )
            return
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(
                f"{len(missing)} namespaces without a default ServiceAccount after {timeout:.0f}s"
            )
        await asyncio.sleep(1)


async def _load_events(
    s: Scale, client: httpx.AsyncClient, log: Callable[[str], None], timings: dict[str, float]
) -> None:
    """Create the events again if the API server has expired them (its event TTL is an hour): a lab kept
    with --keep-lab would otherwise be measured without them."""
    if await _count(client, "/api/v1/events", "") >= s.events:
        return
    t0 = time.monotonic()
    made = await _create_all(
        client,
        lambda o: f"/api/v1/namespaces/{o['metadata']['namespace']}/events",
        [event(s, k) for k in range(s.events)],
    )
    timings["events"] = time.monotonic() - t0
    log(f"[bench] events: {made} created of {s.events} ({timings['events']:.1f}s)")


async def _running(target: Target) -> int:
    async with target.client() as c:
        return await _count(c, "/api/v1/pods", f"{SCALE_LABEL}=true", "status.phase=Running")


def load(
    s: Scale, target: Target, log: Callable[[str], None], settle_timeout: float = 900
) -> dict[str, float]:
    """Create the scale (idempotent), then wait until kwok reports the pods Running."""
    timings = asyncio.run(_load(s, target, log))
    t0 = time.monotonic()
    while True:
        running = asyncio.run(_running(target))
        log(f"[bench] pods Running: {running}/{s.pods}")
        if running >= s.pods:
            break
        if time.monotonic() - t0 > settle_timeout:
            raise RuntimeError(f"only {running}/{s.pods} pods Running after {settle_timeout:.0f}s")
        time.sleep(10)
    timings["settle"] = time.monotonic() - t0
    return timings

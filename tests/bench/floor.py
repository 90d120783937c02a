"""The baselines kftui is held to: the raw LIST floor and the kubectl anchor."""

from __future__ import annotations

import gc
import json
import os
import ssl
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from kftui.cluster.kube import PAGE_SIZE, collections


def raw_list_floor(server: str, tls: ssl.SSLContext, argocd_namespace: str, workers: int = 6) -> float:
    """Seconds to LIST every collection kftui lists, paginated like kftui, parsing the JSON and nothing more.

    Same page size, same parallelism (one worker per collection, as many workers as kftui), so the only
    difference left to kftui is what it does with the objects.
    """
    paths = [c.path for c in collections(argocd_namespace)]

    def one(path: str) -> int:
        n = 0
        with httpx.Client(base_url=server, verify=tls, timeout=120) as client:
            token = ""
            while True:
                params: dict[str, str | int] = {"limit": PAGE_SIZE}
                if token:
                    params["continue"] = token
                r = client.get(path, params=params, headers={"Accept": "application/json"})
                r.raise_for_status()
                page = json.loads(r.content)
                n += len(page.get("items") or ())
                token = (page.get("metadata") or {}).get("continue") or ""
                if not token:
                    return n

    # The collector is paused here too, as kftui pauses it while loading: the floor must not be slowed
    # by something kftui avoids.
    gc.disable()
    try:
        t0 = time.monotonic()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, paths))
        return time.monotonic() - t0
    finally:
        gc.enable()


def kubectl_anchor(kubeconfig: Path, kubectl: str = "kubectl") -> float:
    """Seconds for what an on-call engineer would type instead: pods and namespaces, then Applications."""
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    t0 = time.monotonic()
    for args in (
        ["get", "pods,namespaces", "-A", "-o", "json"],
        ["get", "applications.argoproj.io", "-A", "-o", "json"],
    ):
        subprocess.run(
            [kubectl, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True
        )
    return time.monotonic() - t0

"""The baselines kftui is held to: the raw LIST floor and the kubectl anchor."""

from __future__ import annotations

import gc
import json
import os
import ssl
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

from kftui.cluster.listing import PAGE_HEAD_BYTES, PAGE_SIZE, collections, pipelined_pages
from kftui.cluster.pages import list_continue_in_head


def raw_list_floor(
    server: str, tls: ssl.SSLContext, argocd_namespace: str, workers: int = 6, pipelined: bool = False
) -> float:
    """Seconds to LIST every collection kftui lists, paginated like kftui, parsing the JSON and nothing more.

    Same page size, same parallelism (one worker per collection, as many workers as kftui), so the only
    difference left to kftui is what it does with the objects. The floor the issue defines asks for each
    page once the previous one is parsed; `pipelined` asks for it as soon as the previous one's continue
    token has arrived, as kftui does (a reference: the raw LIST with kftui's request pattern).
    """
    paths = [c.path for c in collections(argocd_namespace)]

    def one(path: str) -> int:
        with httpx.Client(base_url=server, verify=tls, timeout=120) as client:
            pages = _pipelined_pages(client, path) if pipelined else _pages(client, path)
            return sum(len(page.get("items") or ()) for page in pages)

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


def _get(client: httpx.Client, path: str, token: str) -> httpx.Request:
    params: dict[str, str | int] = {"limit": PAGE_SIZE}
    if token:
        params["continue"] = token
    return client.build_request("GET", path, params=params, headers={"Accept": "application/json"})


def _pages(client: httpx.Client, path: str) -> Iterator[dict[str, Any]]:
    token = ""
    while True:
        r = client.send(_get(client, path, token))
        r.raise_for_status()
        page = json.loads(r.content)
        yield page
        token = (page.get("metadata") or {}).get("continue") or ""
        if not token:
            return


def _pipelined_pages(client: httpx.Client, path: str) -> Iterator[dict[str, Any]]:
    def fetch(token: str, next_token: Future[str]) -> dict[str, Any]:
        try:
            r = client.send(_get(client, path, token), stream=True)
            try:
                r.raise_for_status()
                chunks = r.iter_bytes()
                head = b""
                for chunk in chunks:
                    head += chunk
                    if len(head) >= PAGE_HEAD_BYTES:
                        break
                early = list_continue_in_head(head)
                if early is not None:
                    next_token.set_result(early)
                page: dict[str, Any] = json.loads(head + b"".join(chunks))
            finally:
                r.close()
        except BaseException as exc:
            if not next_token.done():
                next_token.set_exception(exc)
            raise
        if not next_token.done():
            next_token.set_result((page.get("metadata") or {}).get("continue") or "")
        return page

    return pipelined_pages(fetch)


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

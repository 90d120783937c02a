"""kftui's own cluster layer against the real lab: what it lists, what it watches, what it diagnoses."""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from kftui.cluster import objects, podlist
from kftui.cluster.dumpfile import load_snapshot
from kftui.cluster.http import KubeApiError, KubeHttp, Query
from kftui.cluster.kube import KubeSource
from kftui.cluster.source import ConnectionStatus
from kftui.model import ClusterSnapshot, ConnectionState, SnapshotChange, WatchEvent, apply_events

pytestmark = pytest.mark.e2e


def source_for(lab) -> KubeSource:  # type: ignore[no-untyped-def]
    return KubeSource.from_kubeconfig(str(lab.kubeconfig), lab.context, lab.argocd_namespace)


def app_named(snapshot: ClusterSnapshot, name: str):  # type: ignore[no-untyped-def]
    return snapshot.applications.get(("argocd", name))


def test_load_sees_the_lab_states(lab) -> None:  # type: ignore[no-untyped-def]
    source = source_for(lab)
    assert source.preflight().startswith("v1.")

    def ready() -> ClusterSnapshot | None:
        snap = source.load()
        good = app_named(snap, "good")
        dup = app_named(snap, "duplicate")
        crashing = [p for p in snap.pods.values() if p.display_status == "CrashLoopBackOff"]
        if (
            good
            and good.sync_status == "Synced"
            and good.health_status == "Healthy"
            and dup
            and dup.conditions
            and crashing
        ):
            return snap
        return None

    snap = lab.wait_for(
        ready, 240, "kftui's LIST to show good Synced/Healthy, duplicate's condition, a crash loop"
    )
    dup = app_named(snap, "duplicate")
    assert any("may not add resource with an already registered id" in c.message for c in dup.conditions)
    gateway = snap.services[("istio-system", "istio-ingressgateway")]
    assert (gateway.ports[0].port, gateway.ports[0].target_port) == (80, 8080)
    assert snap.endpoints[("istio-system", "istio-ingressgateway")].ready, "gateway endpoints are ready"
    assert snap.forbidden == {}, "the admin kubeconfig may list everything"
    assert any(n.name == "kube-system" for n in snap.namespaces.values())


def test_follow_streams_pod_changes_and_matches_a_fresh_list(lab) -> None:  # type: ignore[no-untyped-def]
    source = source_for(lab)
    snapshot = source.load()
    changes: list[SnapshotChange] = []
    statuses: list[ConnectionStatus] = []
    lock = threading.Lock()

    def sink(item: list[SnapshotChange] | ConnectionStatus) -> None:
        with lock:
            if isinstance(item, ConnectionStatus):
                statuses.append(item)
            else:
                changes.extend(item)

    stop = threading.Event()
    worker = threading.Thread(target=source.follow, args=(sink, stop), daemon=True)
    worker.start()
    ns = f"kftui-e2e-{uuid.uuid4().hex[:6]}"
    try:
        lab.kubectl("create", "namespace", ns, check=True)
        lab.kubectl("run", "probe", "-n", ns, "--image=busybox", "--restart=Never", check=True)

        def saw(kind: str, name: str) -> bool:
            with lock:
                return any(
                    isinstance(c, WatchEvent) and c.type == kind and getattr(c.obj, "name", "") == name
                    for c in changes
                )

        lab.wait_for(lambda: saw("ADDED", "probe"), 30, "the watch to deliver the new pod")
        lab.kubectl(
            "delete", "pod", "probe", "-n", ns, "--wait=false", "--grace-period=0", "--force", check=True
        )
        lab.wait_for(lambda: saw("DELETED", "probe"), 60, "the watch to deliver the pod's deletion")

        # The lab's controllers keep creating and deleting pods (Argo CD syncs, the crash loop), so a fresh
        # LIST may hold a change the watch delivers a moment later: compare until the two agree (the watch
        # caught up), and fail with the last difference if they never do.
        def followed_and_fresh() -> tuple[ClusterSnapshot, ClusterSnapshot]:
            with lock:
                followed = apply_events(snapshot, list(changes))
            return followed, source.load()

        def agree() -> bool:
            followed, fresh = followed_and_fresh()
            return set(followed.pods) == set(fresh.pods) and set(followed.namespaces) == set(fresh.namespaces)

        with contextlib.suppress(Exception):
            lab.wait_for(agree, 15, "the watch-applied snapshot to agree with a fresh LIST")
        followed, fresh = followed_and_fresh()
        assert set(followed.pods) == set(fresh.pods), (
            "watch-applied pods equal a fresh LIST: none lost, no ghosts"
        )
        assert set(followed.namespaces) == set(fresh.namespaces)
        assert statuses and statuses[0].state is ConnectionState.LIVE
    finally:
        stop.set()
        worker.join(timeout=10)
        lab.kubectl("delete", "namespace", ns, "--wait=false")
    assert not worker.is_alive(), "follow() returns promptly once stopped"


def kftui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kftui", *args], capture_output=True, text=True, timeout=120)


def test_check_against_the_lab_names_the_real_failures(lab) -> None:  # type: ignore[no-untyped-def]
    def diagnosed() -> dict | None:  # type: ignore[type-arg]
        out = kftui("check", "--kubeconfig", str(lab.kubeconfig), "--output", "json")
        if out.returncode not in (0, 1):
            raise AssertionError(out.stderr)
        data = json.loads(out.stdout)
        checks = {f["check"] for f in data["findings"]}
        return data if {"pod-failing", "kustomize-duplicate-id"} <= checks else None

    data = lab.wait_for(diagnosed, 240, "kftui check to report the crash loop and the duplicate id")
    crash = [
        f for f in data["findings"] if f["check"] == "pod-failing" and "crash-looper" in f["subject"]["name"]
    ]
    assert crash and "CrashLoopBackOff" in "\n".join(crash[0]["evidence"])
    dup = next(f for f in data["findings"] if f["check"] == "kustomize-duplicate-id")
    assert dup["app"] == "duplicate" and dup["subject"]["kind"] == "ClusterRole"


def test_dump_round_trips_and_redacts_secrets(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    canary = f"canary-{uuid.uuid4().hex}"
    lab.kubectl(
        "create", "secret", "generic", "kftui-canary", "-n", "argocd", f"--from-literal=token={canary}"
    )
    try:
        out_path = tmp_path / "lab.yaml"
        out = kftui("dump", str(out_path), "--kubeconfig", str(lab.kubeconfig))
        assert out.returncode == 0, out.stderr
        text = out_path.read_text()
        assert "kftui-canary" in text, "the Secret is listed (its keys are useful evidence)"
        assert canary not in text
        import base64

        assert base64.b64encode(canary.encode()).decode() not in text
        snap = load_snapshot(out_path)
        assert app_named(snap, "good") is not None
        assert any(p.display_status == "CrashLoopBackOff" for p in snap.pods.values())
    finally:
        lab.kubectl("delete", "secret", "kftui-canary", "-n", "argocd")


class PageCounting:
    """The real HTTP seam, noting the LIST pages asked through it; `spoil_page` sends that page a token the
    server rejects. Everything else goes to the real client."""

    def __init__(self, http: KubeHttp, spoil_page: int = 0) -> None:
        self.http = http
        self.spoil_page = spoil_page
        self.pages: list[str] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self.http, name)

    def get_body(self, path: str, query: Query | None = None, compressed: bool = False):  # type: ignore[no-untyped-def]
        self.pages.append(path)
        if self.spoil_page and len(self.pages) == self.spoil_page:
            query = {**(query or {}), "continue": "not-a-token"}
        return self.http.get_body(path, query, compressed)


def test_small_pages_list_the_same_objects_as_one_page(lab, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The next page is asked for from the head of this one's body: with pages of two, every object of a
    many-page LIST must still arrive exactly once."""
    whole = source_for(lab)
    counting = PageCounting(whole.http)
    paged = KubeSource(counting, whole.context, lab.argocd_namespace)  # type: ignore[arg-type]
    by_kind = {c.kind: c for c in whole.collections}
    for kind in ("Namespace", "Application", "Service", "CustomResourceDefinition"):
        coll = by_kind[kind]
        one_page, _ = whole.list_raw(coll)
        monkeypatch.setattr("kftui.cluster.listing.PAGE_SIZE", 2)
        counting.pages = []
        small_pages, version = paged.list_raw(coll)
        monkeypatch.undo()
        names = [(o["metadata"].get("namespace"), o["metadata"]["name"]) for o in small_pages]
        assert len(names) == len(set(names)), f"{kind}: an object listed twice"
        assert set(names) == {(o["metadata"].get("namespace"), o["metadata"]["name"]) for o in one_page}
        assert len(counting.pages) >= max(2, math.ceil(len(small_pages) / 2)), (
            f"{kind}: {len(counting.pages)} pages"
        )
        assert version.isdigit(), f"{kind}: the resourceVersion to watch from"


def test_a_rejected_page_is_an_error_not_a_hang(lab, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    base = source_for(lab)
    monkeypatch.setattr("kftui.cluster.listing.PAGE_SIZE", 2)
    namespaces = next(c for c in base.collections if c.kind == "Namespace")
    for spoiled in (1, 3):  # the first page (no token known yet) and a later one
        source = KubeSource(PageCounting(base.http, spoiled), base.context, lab.argocd_namespace)  # type: ignore[arg-type]
        with pytest.raises(KubeApiError) as raised:
            source.list_raw(namespaces)
        assert raised.value.status in (400, 410), raised.value


def test_pods_decoded_by_schema_match_the_generic_conversion(lab, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The LIST decodes pods straight into the model (podlist); the lab's real pods must come out as
    objects.pod makes them from the same JSON."""
    typed_pages = []
    decode = podlist.decode_page

    def counting(data: bytes):  # type: ignore[no-untyped-def]
        typed_pages.append(decoded := decode(data))
        return decoded

    monkeypatch.setattr(podlist, "decode_page", counting)
    source = source_for(lab)
    pods = next(c for c in source.collections if c.kind == "Pod")
    typed = {p.key: p for p in source.list_collection(pods)[0]}
    assert typed_pages and all(d is not None for d in typed_pages), "the lab's pages fit the schema"
    generic = {p.key: p for p in (objects.pod(r) for r in source.list_raw(pods)[0])}
    same_version = [
        k for k in typed if k in generic and typed[k].resource_version == generic[k].resource_version
    ]
    assert len(same_version) >= len(typed) // 2 > 0, "most pods did not change between the two LISTs"
    for key in same_version:
        assert typed[key] == generic[key], key

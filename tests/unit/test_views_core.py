"""The pure and cluster-side parts of the k9s views: the log request and stream over a fake seam, the bounded
buffer and inbox, saving, the YAML shown, and the events timeline."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import urllib3

from kftui.cluster.dumpfile import demo_text, load_demo
from kftui.cluster.http import KubeApiError, Query
from kftui.cluster.logs import LogError, LogRequest, stream_logs
from kftui.cluster.manifest import DumpObjects, ManifestError, as_yaml, object_path
from kftui.cluster.redact import REDACTED
from kftui.model import Event, ObjectRef
from kftui.topology import build_topology
from kftui.ui.logbuffer import LineInbox, LogBuffer
from kftui.ui.savefile import FileExists, SaveError, save_text
from kftui.ui.timeline import TimelineScope, timeline, timeline_lines


class FakeLogHttp:
    """The HTTP seam's log_lines, played from a list (or failing as told)."""

    server = "https://fake:6443"

    def __init__(self, lines: list[bytes], error: Exception | None = None) -> None:
        self.lines = lines
        self.error = error
        self.asked: list[tuple[str, dict[str, Any]]] = []

    @contextmanager
    def log_lines(self, path: str, query: Query, stop: threading.Event) -> Iterator[Iterator[bytes]]:
        self.asked.append((path, dict(query)))
        if self.error is not None:
            raise self.error
        yield iter(self.lines)


def test_the_log_request_asks_what_kubectl_logs_would() -> None:
    req = LogRequest("kubeflow", "katib-0", "manager")
    assert req.path == "/api/v1/namespaces/kubeflow/pods/katib-0/log"
    assert req.query() == {"container": "manager", "follow": "true", "tailLines": 1000}
    previous = req.with_(previous=True, since_seconds=300, tail_lines=None)
    assert previous.query() == {"container": "manager", "previous": "true", "sinceSeconds": 300}
    assert LogRequest("ns", "p", follow=False).query() == {"tailLines": 1000}


def test_stream_logs_decodes_keeps_blank_lines_and_names_failures() -> None:
    http = FakeLogHttp([b"first\r", b"", "caf\u00e9".encode(), b"\xff broken"])
    stop = threading.Event()
    assert list(stream_logs(http, LogRequest("ns", "p", "c"), stop)) == [
        "first",
        "",
        "caf\u00e9",
        "\ufffd broken",
    ]
    assert http.asked[0][1]["container"] == "c"
    refused = FakeLogHttp([], KubeApiError(400, 'previous terminated container "c" in pod "p" not found'))
    with pytest.raises(LogError, match="logs of ns/p: previous terminated container"):
        list(stream_logs(refused, LogRequest("ns", "p", "c", previous=True), stop))
    lost = FakeLogHttp([], urllib3.exceptions.ProtocolError("Connection refused"))
    with pytest.raises(
        LogError, match="cannot reach the API server at https://fake:6443: connection refused"
    ):
        list(stream_logs(lost, LogRequest("ns", "p"), stop))
    stop.set()  # a stream cut on purpose ends quietly
    assert list(stream_logs(lost, LogRequest("ns", "p"), stop)) == []


def test_the_buffer_keeps_the_last_lines_escaped_and_counts_the_rest() -> None:
    buf = LogBuffer(limit=3)
    assert buf.extend(["a", "b"]) == 0
    assert buf.extend(["c", "\x1b[2Jd", "e"]) == 2
    assert buf.lines() == ["c", "\\x1b[2Jd", "e"]
    assert (buf.first_seq, buf.dropped) == (2, 2)
    buf.lost(5)
    assert buf.dropped == 7 and buf.first_seq == 2
    assert buf.text() == "c\n\\x1b[2Jd\ne\n"
    assert buf.matches("D") == [1]
    assert buf.next_match("e", 2) == 2  # the only match, found again after wrapping
    buf.clear()
    assert len(buf) == 0 and buf.dropped == 0


def test_next_match_wraps_both_ways() -> None:
    buf = LogBuffer()
    buf.extend(["x", "hit", "y", "HIT", "z"])
    assert buf.next_match("hit", -1) == 1
    assert buf.next_match("hit", 1) == 3
    assert buf.next_match("hit", 3) == 1
    assert buf.next_match("hit", 3, forward=False) == 1
    assert buf.next_match("hit", 1, forward=False) == 3
    assert buf.next_match("none", 0) is None


def test_the_inbox_is_bounded_and_wakes_once_per_batch() -> None:
    inbox = LineInbox(limit=2)
    assert inbox.put("1") is True
    assert inbox.put("2") is False and inbox.put("3") is False
    assert inbox.take() == (["2", "3"], 1)
    assert inbox.take() == ([], 0)
    assert inbox.put("4") is True


def test_save_refuses_symlinks_and_asks_before_overwriting(tmp_path: Path) -> None:
    target = tmp_path / "out.log"
    assert save_text(target, "one\n") == target
    assert target.read_text() == "one\n" and target.stat().st_mode & 0o777 == 0o600
    with pytest.raises(FileExists):
        save_text(target, "two\n")
    save_text(target, "two\n", overwrite=True)
    assert target.read_text() == "two\n"
    victim = tmp_path / "victim"
    victim.write_text("keep")
    os.symlink(victim, tmp_path / "link")
    with pytest.raises(SaveError, match="symbolic link"):
        save_text(tmp_path / "link", "x", overwrite=True)
    assert victim.read_text() == "keep"
    with pytest.raises(SaveError, match="no such directory"):
        save_text(tmp_path / "missing" / "x.log", "x")
    with pytest.raises(SaveError, match="is a directory"):
        save_text(tmp_path, "x", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "out.log", "victim"], "no temp file left"


def test_yaml_hides_managed_fields_and_masks_secret_values() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "argocd", "managedFields": [{"manager": "kubectl"}]},
        "data": {"admin.password": "c2VjcmV0"},
    }
    text = as_yaml(secret)
    assert "managedFields" not in text and "c2VjcmV0" not in text and REDACTED in text
    assert secret["metadata"]["managedFields"], "the object itself is not changed"
    assert text.index("apiVersion") < text.index("kind") < text.index("metadata"), "kubectl's key order"


def test_object_paths_and_the_demo_objects() -> None:
    assert object_path("Pod", "kubeflow", "p") == "/api/v1/namespaces/kubeflow/pods/p"
    assert object_path("Namespace", None, "kubeflow") == "/api/v1/namespaces/kubeflow"
    assert object_path("ClusterRole", None, "x", "rbac.authorization.k8s.io", "v1") == (
        "/apis/rbac.authorization.k8s.io/v1/clusterroles/x"
    )
    with pytest.raises(ManifestError):
        object_path("Widget", "ns", "w")
    demo = DumpObjects(demo_text, "demo.yaml")
    pod = demo.find("Pod", "kubeflow", "katib-controller-7f5b8c9d6-5rjtn")
    assert pod is not None and pod["metadata"]["name"] == "katib-controller-7f5b8c9d6-5rjtn"
    assert demo.find("Pod", "other", "katib-controller-7f5b8c9d6-5rjtn") is None
    broken = DumpObjects(lambda: "kind: [", "broken.yaml")
    with pytest.raises(ManifestError, match=r"broken\.yaml"):
        broken.find("Pod", "x", "y")


def test_the_timeline_of_an_app_gathers_what_it_owns_newest_first() -> None:
    demo = load_demo()
    extra = {
        ("argocd", "k.1"): Event(
            "argocd", "k.1", ObjectRef("Application", "argocd", "kubeflow"), "OperationStarted", "sync",
            last_seen=demo.now,
        ),
        ("kubeflow", "rs.1"): Event(
            "kubeflow", "rs.1", ObjectRef("ReplicaSet", "kubeflow", "katib-controller-7f5b8c9d6"),
            "SuccessfulCreate", "Created pod", last_seen=None,
        ),
    }  # fmt: skip
    snap = replace(demo, events={**demo.events, **extra})
    topology = build_topology(snap)
    events = timeline(snap, topology, TimelineScope("kubeflow", app="kubeflow"))
    assert [e.reason for e in events] == ["OperationStarted", "BackOff", "SuccessfulCreate"]
    lines = timeline_lines(events, snap.now)
    assert lines[2].startswith("! 20s") and "Pod/katib-controller" in lines[2]
    assert lines[3].split()[0] == "?"
    pipelines = timeline(snap, topology, TimelineScope("p", app="kubeflow-pipelines"))
    assert [e.reason for e in pipelines] == ["ResourceUpdated"]
    in_namespace = timeline(snap, topology, TimelineScope("ns", namespace="kubeflow"))
    assert {e.reason for e in in_namespace} == {"BackOff", "Started", "SuccessfulCreate"}
    assert timeline(snap, topology, TimelineScope("none", app="no-such-app")) == []
    assert timeline_lines([], snap.now)[0].startswith("No events")


def test_timeline_lines_are_inert() -> None:
    demo = load_demo()
    event = Event(
        "ns", "e", ObjectRef("Pod", "ns", "p"), "Bad\x1b]52;c;x\x07", "line\nbreak\x1b[2J", "Warning"
    )
    (line,) = timeline_lines([event], demo.now)[1:]
    assert "\x1b" not in line and "\n" not in line and "\\x1b" in line and "\\n" in line

"""`kftui dump` with apps on other clusters: the remote objects kftui read go into the dump with their origin,
redacted like the hub's, and loading the dump gives the same snapshot (remote objects still remote, still apart
from the hub's of the same namespace and name)."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from kftui.checks.registry import run_checks
from kftui.cluster import remotedump
from kftui.cluster.dumpfile import (
    CLUSTERS_ANNOTATION,
    load_snapshot,
    redacted_dump,
    snapshot_from_text,
    write_dump,
)
from kftui.cluster.remote import FederatedSource
from kftui.cluster.source import StaticSource
from kftui.model import DIRECT, ArgoCluster, ClusterSnapshot, Event, Origin, Pod, Tagged
from kftui.profile import detect_profile
from tests.unit.fixtures import builders
from tests.unit.test_remote_clusters import ORIGIN, SPOKE, FakeArgo, spoke_app

CRASHING = "ml-pipeline-7f9c6d-x2k4p"
COLLECTIONS = ("applications", "namespaces", "pods", "workloads", "events")


class Hub(StaticSource):
    """A hub that can be dumped: its raw objects, as KubeSource.dump_objects gives them."""

    def __init__(self, raws: list[dict[str, Any]]) -> None:
        super().__init__(lambda: builders.snapshot(raws))
        self.raws = raws

    def dump_objects(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.raws)


def hub_raws() -> list[dict[str, Any]]:
    """The spoke app, and on the hub a namespace, deployment and pod of the same names as the spoke's."""
    return [
        spoke_app(server=SPOKE),
        builders.namespace("kubeflow"),
        builders.deployment("kubeflow", "ml-pipeline"),
        builders.pod("kubeflow", CRASHING, "ml-pipeline"),
    ]


def same_objects(back: ClusterSnapshot, live: ClusterSnapshot) -> None:
    for name in COLLECTIONS:
        assert dict(back.collection(name)) == dict(live.collection(name)), name
    assert back.clusters == live.clusters


@pytest.mark.parametrize("output", ["yaml", "json"])
def test_a_dump_holds_the_remote_objects_read_through_argocd_and_loads_back_the_same(output: str) -> None:
    source = FederatedSource(Hub(hub_raws()), FakeArgo())
    live = source.load()
    assert any(p.origin == ORIGIN for p in live.pods.values())  # (the spoke was read)
    text, _ = redacted_dump(source.dump_objects(), builders.NOW, output, source.clusters)
    back = snapshot_from_text(text, f"dump.{output}")
    same_objects(back, live)
    pods = {(p.name, p.origin) for p in back.pods.values()}
    assert {(CRASHING, None), (CRASHING, ORIGIN)} <= pods
    event = next(e for e in back.events.values() if e.origin == ORIGIN)
    assert event.involved.cluster == "spoke"
    remote_pod = next(p for p in back.pods.values() if p.origin == ORIGIN and p.name == CRASHING)
    assert remotedump.ORIGIN_ANNOTATION not in remote_pod.annotations  # the origin is restored, not shown


def test_the_dumped_remote_pod_is_still_a_finding_that_names_its_cluster(tmp_path: Any) -> None:
    source = FederatedSource(Hub(hub_raws()), FakeArgo())
    source.load()
    path = tmp_path / "two-clusters.yaml"
    write_dump(path, source.dump_objects(), builders.NOW, clusters=source.clusters)
    back = load_snapshot(path)
    crash = [f for f in run_checks(back, detect_profile({"kubeflow-pipelines"})) if f.check == "pod-failing"]
    assert [(f.subject.name, f.subject.cluster) for f in crash] == [(CRASHING, "spoke")]
    assert crash[0].evidence_lines[-1] == "via Argo CD API (cluster spoke)"


def test_a_directly_read_clusters_objects_are_dumped_redacted_with_their_context() -> None:
    leaky = {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": "pull.1", "namespace": "kubeflow"},
        "involvedObject": {"kind": "Pod", "namespace": "kubeflow", "name": CRASHING},
        "reason": "Failed",
        "message": "pull from https://bot:s3cr3t-token@registry.example/x failed",
        "type": "Warning",
        "lastTimestamp": "2026-11-20T03:00:00Z",
    }
    spoke_raw = [
        builders.namespace("kubeflow"),
        builders.pod("kubeflow", CRASHING, "ml-pipeline", ready=False, waiting="CrashLoopBackOff"),
        leaky,
    ]

    class Spoke(StaticSource):
        context = "spoke-admin"

    spoke = Spoke(lambda: builders.snapshot(spoke_raw))
    source = FederatedSource(Hub(hub_raws()), FakeArgo(), connect=lambda server: spoke)
    live = source.load()
    text, counts = redacted_dump(source.dump_objects(), builders.NOW, clusters=source.clusters)
    assert "s3cr3t" not in text and counts["credentials in URLs"] == 1
    back = snapshot_from_text(text, "dump.yaml")
    direct = Origin("spoke", DIRECT, "spoke-admin")
    assert {p.origin for p in back.pods.values()} == {None, direct}
    assert len(back.namespaces) == len(live.namespaces) == 2
    remote_event = next(e for e in back.events.values() if e.origin == direct)
    assert remote_event.involved.cluster == "spoke" and "bot:" not in remote_event.message


def test_every_field_of_a_remote_object_survives_the_manifest() -> None:
    """Each field a remote object may carry, set to something other than its default, comes back as it was."""
    from datetime import timedelta

    from kftui.model import ContainerPort, ContainerStatus, Namespace, ObjectRef, Workload

    when = builders.NOW - timedelta(minutes=5, microseconds=250)
    objects: list[Tagged] = [
        Pod(
            "kubeflow",
            "p",
            phase="Running",
            ready=False,
            containers=(
                ContainerStatus("init", True, 0, "terminated", "Completed", "", 0, init=True),
                ContainerStatus(
                    "main", False, 3, "waiting", "CrashLoopBackOff", "back-off", None, "Error", 1, "i:1"
                ),
                ContainerStatus("side", False, 0, "unknown"),
            ),
            ports=(ContainerPort("http", 8080), ContainerPort("grpc", 9090, "UDP")),
            node="kwok-spoke-0",
            owner_kind="ReplicaSet",
            owner_name="p-7f9c6d",
            workload_kind="Deployment",
            workload_name="p-deploy",  # (not what the owner's name says: the tree named the grandparent)
            labels={"app": "p"},
            annotations={"note": "x"},
            reason="Evicted",
            message="low on memory",
            unschedulable_message="0/1 nodes are available",
            pod_ip="10.0.0.9",
            created_at=when,
            started_at=when,
            deleting=True,
            resource_version="42",
            origin=ORIGIN,
        ),
        Namespace(
            "kubeflow",
            phase="Terminating",
            labels={"a": "b"},
            annotations={"c": "d"},
            created_at=when,
            deleting_since=when,
            resource_version="7",
            finalizers=("kubernetes",),
            conditions=(("NamespaceContentRemaining", "some left"),),
            origin=ORIGIN,
        ),
        Workload(
            "StatefulSet",
            "kubeflow",
            "db",
            3,
            1,
            1,
            {"x": "y"},
            "9",
            "app:apps/StatefulSet:kubeflow/db",
            ORIGIN,
        ),
        Workload("DaemonSet", "kubeflow", "agent", 2, 2, 1, origin=ORIGIN),
        Event(
            "kubeflow",
            "e",
            ObjectRef("Pod", "kubeflow", "p", "spoke"),
            "BackOff",
            "m",
            "Warning",
            31,
            when,
            "5",
            ORIGIN,
        ),
        Event("kubeflow", "f", ObjectRef("Namespace", None, "kubeflow", "spoke"), origin=ORIGIN),
    ]
    for output in ("yaml", "json"):
        text, _ = redacted_dump([remotedump.manifest(o) for o in objects], builders.NOW, output)
        back = snapshot_from_text(text, f"dump.{output}")
        held = [
            *back.pods.values(),
            *back.namespaces.values(),
            *back.workloads.values(),
            *back.events.values(),
        ]
        assert sorted(held, key=_order) == sorted(objects, key=_order), output


def _order(obj: Tagged) -> tuple[str, ...]:
    return (type(obj).__name__, *obj.key)


def test_a_hub_object_has_no_manifest_of_kftuis_making() -> None:
    with pytest.raises(ValueError, match="the hub's"):
        remotedump.manifest(Pod("kubeflow", "p"))


@pytest.mark.parametrize(
    "annotation",
    [
        "not json",
        "[]",
        '{"cluster": "", "path": "direct", "context": ""}',
        '{"cluster": "x", "path": "hub", "context": ""}',
    ],
)
def test_an_origin_annotation_kftui_did_not_write_leaves_the_object_the_hubs(annotation: str) -> None:
    assert remotedump.origin_in({remotedump.ORIGIN_ANNOTATION: annotation}) is None


def test_kftui_dump_writes_the_federated_sources_remote_objects_and_clusters(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kftui import cli

    source = FederatedSource(Hub(hub_raws()), FakeArgo())
    monkeypatch.setattr(cli, "build_source", lambda args: source)
    out = tmp_path / "dump.yaml"
    assert cli.main(["dump", str(out)]) == 0
    back = load_snapshot(out)
    assert back.clusters == source.clusters != ()
    assert {p.origin for p in back.pods.values()} == {None, ORIGIN}


def test_a_hub_pod_with_an_origin_annotation_kftui_did_not_write_is_loaded_as_it_was_dumped(
    tmp_path: Any,
) -> None:
    """A typed pod of a JSON dump whose origin annotation kftui cannot read is the hub's, annotations and all."""
    annotations = {remotedump.ORIGIN_ANNOTATION: "not json", remotedump.WORKLOAD_ANNOTATION: "StatefulSet/db"}
    pod = {"kind": "Pod", "metadata": {"name": "p", "namespace": "kubeflow", "annotations": annotations}}
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"kind": "List", "items": [pod]}))
    (back,) = load_snapshot(path).pods.values()
    assert back.origin is None and back.annotations == annotations
    assert back.workload_name != "db"


def test_only_well_formed_name_and_server_pairs_are_registered_clusters() -> None:
    pairs = [["spoke", SPOKE], "ab", ["a", "b", "c"], ["x", 1], [SPOKE], 7]
    dump = {
        "kind": "List",
        "metadata": {"annotations": {CLUSTERS_ANNOTATION: json.dumps(pairs)}},
        "items": [builders.namespace("kubeflow")],
    }
    assert snapshot_from_text(json.dumps(dump), "d.json").clusters == (ArgoCluster("spoke", SPOKE),)

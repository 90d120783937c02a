"""Malformed objects everywhere: conversion, dump loading and every check must never raise.

The strategies build objects from the field names the API server really uses, filled with values of any
type (missing status, wrong types, huge strings, unknown enums), so the fuzzer reaches deep branches.
Across the tests below, CI generates well over 10,000 objects.
"""

from __future__ import annotations

import os
import string
from datetime import UTC, datetime
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kftui.checks.registry import CHECKS, run_checks
from kftui.cluster import convert
from kftui.cluster.dumpfile import DumpError, snapshot_from_text
from kftui.model import ClusterSnapshot, KubeObject
from kftui.profile import GENERIC, builtin_profile
from kftui.topology import build_topology

KINDS = list(convert.READERS)
FIELDS = [
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "ownerReferences",
    "kind",
    "controller",
    "creationTimestamp",
    "deletionTimestamp",
    "resourceVersion",
    "spec",
    "status",
    "source",
    "sources",
    "destination",
    "syncPolicy",
    "automated",
    "prune",
    "selfHeal",
    "syncOptions",
    "sync",
    "health",
    "message",
    "operation",
    "operationState",
    "phase",
    "syncResult",
    "resources",
    "conditions",
    "type",
    "reason",
    "requiresPruning",
    "syncWave",
    "hook",
    "containers",
    "ports",
    "containerPort",
    "containerStatuses",
    "initContainerStatuses",
    "state",
    "waiting",
    "running",
    "terminated",
    "lastState",
    "restartCount",
    "ready",
    "exitCode",
    "nodeName",
    "podIP",
    "startTime",
    "selector",
    "targetPort",
    "port",
    "subsets",
    "addresses",
    "notReadyAddresses",
    "targetRef",
    "involvedObject",
    "count",
    "lastTimestamp",
    "eventTime",
    "series",
    "group",
    "names",
    "versions",
    "webhooks",
    "clientConfig",
    "service",
    "failurePolicy",
    "replicas",
    "readyReplicas",
    "desiredNumberScheduled",
    "items",
    "revision",
    "startedAt",
    "finishedAt",
    "initiatedBy",
    "syncStrategy",
    "force",
    "data",
    "argocd.argoproj.io/sync-wave",
]
ENUMS = [
    "Synced",
    "OutOfSync",
    "Unknown",
    "Healthy",
    "Degraded",
    "Missing",
    "Progressing",
    "Running",
    "Failed",
    "Error",
    "Pending",
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "OOMKilled",
    "True",
    "False",
    "ReplicaSet",
    "ComparisonError",
    "SharedResourceWarning",
    "SyncFailed",
    "kubeflow",
    "argocd",
    "Pod",
    "Deployment",
    "2026-11-20T03:00:00Z",
    "not-a-date",
    "-1",
    "99999999999999999999",
    "",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True),
    st.sampled_from(ENUMS),
    st.text(alphabet=string.printable, max_size=20),
    st.just("x" * 70_000),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6),
    ),
    max_leaves=25,
)
raw_objects = st.builds(
    lambda kind, body: {**body, "kind": kind},
    st.sampled_from(KINDS),
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=8),
)

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
# In CI (CI set) or with KFTUI_FUZZ=full: ~3,000 single objects + ~1,000 snapshots of ~6 objects + ~400 dumps,
# well over 10,000 objects. Local runs take a tenth so `make test-fast` stays quick.
SCALE = 1.0 if os.environ.get("CI") or os.environ.get("KFTUI_FUZZ") == "full" else 0.1


def examples(n: int) -> settings:
    return settings(
        max_examples=max(10, int(n * SCALE)), deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )


FUZZ = examples(1000)


@examples(3000)
@given(raw=raw_objects)
def test_conversion_never_raises(raw: dict[str, Any]) -> None:
    obj = convert.to_model(raw)
    assert obj is not None
    assert isinstance(obj.key, tuple)


@FUZZ
@given(raws=st.lists(raw_objects, min_size=1, max_size=12))
def test_every_check_and_the_topology_survive_malformed_snapshots(raws: list[dict[str, Any]]) -> None:
    objects: list[KubeObject] = [o for o in (convert.to_model(r) for r in raws) if o is not None]
    snapshot = ClusterSnapshot.from_objects(objects, now=NOW)
    for profile in (GENERIC, builtin_profile("kubeflow")):
        findings = run_checks(snapshot, profile)
        crashed = [f for f in findings if f.title.startswith("check ") and "could not run" in f.title]
        assert not crashed, f"{crashed[0].check} raised: {crashed[0].evidence}"
    build_topology(snapshot)


@examples(400)
@given(raws=st.lists(raw_objects, max_size=6), wrap=st.sampled_from(["list", "docs"]))
def test_dump_loading_either_works_or_says_why(raws: list[dict[str, Any]], wrap: str) -> None:
    try:
        text = (
            yaml.dump({"kind": "List", "items": raws}, Dumper=yaml.CSafeDumper)
            if wrap == "list"
            else yaml.dump_all(raws, Dumper=yaml.CSafeDumper)
        )
    except (ValueError, OverflowError):
        return  # not representable as YAML (e.g. NaN keys); nothing kftui could be handed
    try:
        snapshot = snapshot_from_text(text, "fuzz.yaml")
    except DumpError as exc:
        assert "\n" not in str(exc)
        return
    assert len(CHECKS) >= 4
    run_checks(snapshot, GENERIC)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=400))
def test_arbitrary_text_is_a_dump_error_or_a_snapshot(text: str) -> None:
    try:
        snapshot_from_text(text, "fuzz.yaml")
    except DumpError as exc:
        assert str(exc).startswith("fuzz.yaml: ")

"""podlist.decode_page: the same Pods as objects.pod over the parsed page, or None (then objects.pod runs)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kftui.cluster import objects, podlist

TEXT = st.text(max_size=6)
STAMP = st.sampled_from(["2026-11-26T10:00:00Z", "2026-11-26T10:00:00.5Z", "", "not a time"])
# What the API server writes: each field present or not, with its own type.
WELL_TYPED: dict[str, st.SearchStrategy[Any]] = {
    "str": TEXT,
    "int": st.integers(-3, 300),
    "bool": st.booleans(),
    "stamp": STAMP,
}
# What a broken server or proxy might write instead: the fallback must take these pages.
ODD = st.one_of(st.none(), st.integers(), st.booleans(), st.just([]), st.just({}), st.just("7"))


def field(kind: str, odd: bool) -> st.SearchStrategy[Any]:
    return st.one_of(WELL_TYPED[kind], ODD) if odd else WELL_TYPED[kind]


def optional(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """A dict holding some of `fields`, in the given order."""
    return {k: draw(v) for k, v in fields.items() if draw(st.booleans())}


@st.composite
def pods(draw: st.DrawFn, odd: bool = False) -> dict[str, Any]:
    f = lambda kind: field(kind, odd)  # noqa: E731
    detail = st.fixed_dictionaries(
        {}, optional={"reason": f("str"), "message": f("str"), "exitCode": f("int")}
    )
    state = st.fixed_dictionaries(
        {}, optional={"waiting": detail, "running": st.just({"startedAt": "x"}), "terminated": detail}
    )
    container_status = st.fixed_dictionaries(
        {},
        optional={
            "name": f("str"),
            "ready": f("bool"),
            "restartCount": f("int"),
            "state": state,
            "lastState": st.fixed_dictionaries({}, optional={"terminated": detail}),
            "image": f("str"),
            "imageID": TEXT,  # not read: skipped
        },
    )
    condition = st.fixed_dictionaries(
        {},
        optional={
            "type": st.sampled_from(["Ready", "PodScheduled", "Initialized"]),
            "status": st.sampled_from(["True", "False", "Unknown"]),
            "reason": st.sampled_from(["Unschedulable", "", "x"]),
            "message": f("str"),
        },
    )
    owner = st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from(["ReplicaSet", "Job", "StatefulSet", ""]),
            "name": st.sampled_from(["web-5d4f8c7b9", "job-1", "a", ""]),
            "controller": st.one_of(st.booleans(), st.none()) if odd else st.booleans(),
        },
    )
    labels = st.dictionaries(TEXT, f("str"), max_size=3)
    meta = optional(
        draw,
        {
            "name": f("str"),
            "namespace": f("str"),
            "labels": labels,
            "annotations": labels,
            "ownerReferences": st.lists(owner, max_size=2),
            "creationTimestamp": f("stamp"),
            "deletionTimestamp": f("stamp"),
            "resourceVersion": f("str"),
            "managedFields": st.just([{"manager": "kubectl", "fieldsV1": {"f:metadata": {}}}]),
        },
    )
    port = st.fixed_dictionaries(
        {},
        optional={
            "name": f("str"),
            "containerPort": f("int"),
            "protocol": st.sampled_from(["TCP", "UDP", ""]),
        },
    )
    spec = optional(
        draw,
        {
            "containers": st.lists(
                st.fixed_dictionaries({"name": TEXT}, optional={"ports": st.lists(port, max_size=2)}),
                max_size=2,
            ),
            "nodeName": f("str"),
        },
    )
    status = optional(
        draw,
        {
            "phase": st.sampled_from(["Running", "Pending", "Failed", ""]),
            "conditions": st.lists(condition, max_size=3),
            "initContainerStatuses": st.lists(container_status, max_size=1),
            "containerStatuses": st.lists(container_status, max_size=2),
            "reason": f("str"),
            "message": f("str"),
            "podIP": f("str"),
            "startTime": f("stamp"),
        },
    )
    return optional(draw, {"metadata": st.just(meta), "spec": st.just(spec), "status": st.just(status)})


def page(items: list[Any], token: str = "") -> bytes:
    meta = {"resourceVersion": "4711", **({"continue": token} if token else {})}
    return json.dumps({"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items}).encode()


@given(st.lists(pods(), max_size=4), st.sampled_from(["", "eyJ2IjoibWV0YSJ9"]))
def test_pages_as_the_api_server_writes_them_decode_to_what_objects_pod_makes(
    items: list[Any], token: str
) -> None:
    decoded = podlist.decode_page(page(items, token))
    assert decoded is not None, "a well-typed page must take the fast path"
    assert decoded == ([objects.pod(i) for i in items], "4711", token)


@given(st.lists(pods(odd=True), max_size=3))
def test_odd_pages_decode_to_the_same_pods_or_fall_back(items: list[Any]) -> None:
    decoded = podlist.decode_page(page(items))
    if decoded is not None:
        assert decoded[0] == [objects.pod(i) for i in items]


def test_a_null_where_a_string_belongs_falls_back() -> None:
    assert podlist.decode_page(page([{"metadata": {"name": None}}])) is None
    assert podlist.decode_page(b"not json") is None
    assert podlist.decode_page(page([[]])) is None

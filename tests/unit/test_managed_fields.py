"""pages.drop_managed_fields: a LIST page parsed without its managedFields, and never anything else lost."""

from __future__ import annotations

import json
import os
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.cluster.pages import drop_managed_fields

# Strings that look like the markers the cut looks for, to be found inside values and keys.
TRICKY = st.sampled_from(
    [
        ',"managedFields":[',
        ']},"spec":',
        '"name":"',
        '"metadata":{',
        "]}",
        '\\"',
        'k:{"name":"main"}',
        "",
        "plain",
    ]
)
TEXT = st.one_of(TRICKY, st.text(max_size=12), st.lists(TRICKY, max_size=3).map("".join))


# In CI (CI set) or with KFTUI_FUZZ=full, 400 and 200 pages; locally a quarter, so `make test-fast` stays quick
# (the same scale as tests/unit/test_fuzz_inputs.py).
FULL = bool(os.environ.get("CI") or os.environ.get("KFTUI_FUZZ") == "full")


def compact(obj: Any) -> bytes:
    """JSON as the API server writes it: no whitespace, keys in the order given."""
    return json.dumps(obj, separators=(",", ":")).encode()


@st.composite
def managed_fields(draw: st.DrawFn) -> list[dict[str, Any]]:
    fields_v1 = draw(
        st.recursive(
            st.just({}),
            lambda inner: st.dictionaries(
                st.builds(lambda p, k: f"{p}:{k}", st.sampled_from("fkvi"), TEXT), inner, max_size=3
            ),
            max_leaves=6,
        )
    )
    entry = {
        "manager": draw(TEXT),
        "operation": "Update",
        "apiVersion": "v1",
        "time": "2026-11-26T10:00:00Z",
        "fieldsType": "FieldsV1",
        "fieldsV1": fields_v1,
    }
    if draw(st.booleans()):
        entry["subresource"] = "status"
    return [entry]


@st.composite
def pods(draw: st.DrawFn) -> dict[str, Any]:
    """A pod in the API server's field order: metadata (managedFields last, when present), spec, status."""
    metadata: dict[str, Any] = {"name": draw(TEXT), "namespace": draw(TEXT), "resourceVersion": "7"}
    if draw(st.booleans()):
        metadata["labels"] = draw(st.dictionaries(TEXT, TEXT, max_size=3))
    if draw(st.booleans()):
        metadata["annotations"] = draw(st.dictionaries(TEXT, TEXT, max_size=2))
    if draw(st.booleans()):
        metadata["managedFields"] = draw(managed_fields())
    pod: dict[str, Any] = {"metadata": metadata}
    if draw(st.integers(0, 9)):  # now and then an item without spec: the cut must not run into the next
        pod["spec"] = {"containers": [{"name": draw(TEXT), "image": draw(TEXT)}]}
    pod["status"] = {"phase": draw(st.sampled_from(["Running", "Pending"])), "message": draw(TEXT)}
    return pod


def page(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": "PodList", "apiVersion": "v1", "metadata": {"resourceVersion": "9"}, "items": items}


def without_managed_fields(parsed: dict[str, Any]) -> dict[str, Any]:
    for item in parsed["items"]:
        item["metadata"].pop("managedFields", None)
    return parsed


@settings(max_examples=400 if FULL else 100, deadline=None)
@given(st.lists(pods(), max_size=6))
def test_only_managed_fields_are_dropped(items: list[dict[str, Any]]) -> None:
    payload = compact(page(items))
    lean = json.loads(drop_managed_fields(payload))
    assert without_managed_fields(lean) == without_managed_fields(json.loads(payload))


@settings(max_examples=200 if FULL else 50, deadline=None)
@given(st.lists(pods(), max_size=6))
def test_with_keys_in_another_order_nothing_else_is_lost(items: list[dict[str, Any]]) -> None:
    # A server that sorts keys (as for custom resources) puts managedFields before name and namespace.
    payload = json.dumps(page(items), separators=(",", ":"), sort_keys=True).encode()
    lean = json.loads(drop_managed_fields(payload))
    assert without_managed_fields(lean) == without_managed_fields(json.loads(payload))


def test_a_page_of_pods_loses_every_managed_fields_and_keeps_the_rest() -> None:
    items = [
        {
            "metadata": {
                "name": f"p{n}",
                "namespace": "kubeflow",
                "labels": {"app": "ml-pipeline"},
                "managedFields": [
                    {
                        "manager": "kubelet",
                        "operation": "Update",
                        "fieldsType": "FieldsV1",
                        "fieldsV1": {"f:status": {"f:conditions": {'k:{"type":"Ready"}': {}}}},
                        "subresource": "status",
                    }
                ],
            },
            "spec": {"nodeName": "n1"},
            "status": {"phase": "Running"},
        }
        for n in range(3)
    ]
    payload = compact(page(items))
    lean = drop_managed_fields(payload)
    assert b"managedFields" not in lean
    assert len(lean) < len(payload) * 0.7
    assert json.loads(lean) == without_managed_fields(json.loads(payload))


def test_a_page_without_managed_fields_is_returned_as_is() -> None:
    payload = compact(page([{"metadata": {"name": "a"}, "spec": {}}]))
    assert drop_managed_fields(payload) is payload

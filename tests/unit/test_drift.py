"""Desired vs live, field by field: what differs, why it drifts, and the ignoreDifferences that stops it."""

from __future__ import annotations

import json
from typing import Any

from kftui.diffcmd import render_json, render_text, resource_drifts
from kftui.drift import (
    DriftClass,
    FieldDiff,
    application_patch,
    classify,
    differences,
    field_managers,
    ignore_entry,
)


def cm(value: str, **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "namespace": "kubeflow", **meta},
        "data": {"value": value, "same": "x"},
    }


def managed(manager: str, *fields: str) -> list[dict[str, Any]]:
    tree: dict[str, Any] = {}
    for path in fields:
        node = tree
        for key in path.split("/"):
            node = node.setdefault(f"f:{key}", {})
    return [{"manager": manager, "operation": "Update", "fieldsV1": tree}]


def test_only_differing_fields_are_listed_server_fields_left_out() -> None:
    live = cm("manual", resourceVersion="7", uid="u", managedFields=managed("x", "data/value"))
    live["status"] = {"anything": 1}
    assert differences(live, cm("git")) == [FieldDiff("/data/value", "manual", "git")]
    assert differences(cm("git"), cm("git")) == []


def test_added_removed_and_list_fields_have_their_own_pointers() -> None:
    live = {"spec": {"a/b": 1, "list": [1, 2], "gone": True}}
    desired = {"spec": {"a/b": 2, "list": [1, 3], "new": "x"}}
    assert differences(live, desired) == [
        FieldDiff("/spec/a~1b", 1, 2),
        FieldDiff("/spec/gone", True, None),
        FieldDiff("/spec/list/1", 2, 3),
        FieldDiff("/spec/new", None, "x"),
    ]
    assert differences(None, desired) == [FieldDiff("/", None, desired)]  # missing live: the whole object


def test_an_injected_ca_bundle_is_told_apart_from_a_real_change() -> None:
    field = FieldDiff("/webhooks/0/clientConfig/caBundle", "LS0t", None)
    assert classify(field, "ValidatingWebhookConfiguration", {}).cls is DriftClass.INJECTED
    assert classify(field, "ConfigMap", {}).cls is DriftClass.CHANGE


def test_field_managers_say_who_owns_a_field() -> None:
    live = cm(
        "v",
        managedFields=managed("istio-validator", "data/value") + managed("argocd-controller", "data/same"),
    )
    assert field_managers(live)["/data/value"] == "istio-validator"
    other = classify(FieldDiff("/data/value", "v", "git"), "ConfigMap", field_managers(live))
    assert (other.cls, other.manager) == (DriftClass.OTHER_MANAGER, "istio-validator")
    assert (
        classify(FieldDiff("/data/same", "v", "git"), "ConfigMap", field_managers(live)).cls
        is DriftClass.CHANGE
    )


def test_a_kubectl_edit_is_a_real_change_not_something_to_ignore() -> None:
    live = cm("v", managedFields=managed("kubectl-patch", "data/value"))
    drift = classify(FieldDiff("/data/value", "v", "git"), "ConfigMap", field_managers(live))
    assert drift.cls is DriftClass.CHANGE and "kubectl-patch" in drift.reason


def test_replicas_set_by_an_autoscaler_are_scaled_only_when_one_targets_the_workload() -> None:
    field = FieldDiff("/spec/replicas", 5, 1)
    assert classify(field, "Deployment", {}, autoscaled=True).cls is DriftClass.SCALED
    assert classify(field, "Deployment", {}).cls is DriftClass.CHANGE


def test_the_ignore_entry_covers_explained_drift_only() -> None:
    live = cm("v", managedFields=managed("istio-validator", "data/value"))
    explained = [classify(FieldDiff("/data/value", "v", "git"), "ConfigMap", field_managers(live))]
    entry = ignore_entry("", "ConfigMap", "settings", "kubeflow", explained)
    assert entry == {
        "group": "",
        "kind": "ConfigMap",
        "name": "settings",
        "namespace": "kubeflow",
        "managedFieldsManagers": ["istio-validator"],
    }
    real = [classify(FieldDiff("/data/value", "v", "git"), "ConfigMap", {})]
    assert ignore_entry("", "ConfigMap", "settings", "kubeflow", real) == {}
    # Another field manager's fields: server-side apply keeps Argo CD's own ownership exact.
    assert application_patch([entry])["spec"]["syncPolicy"]["syncOptions"] == [
        "RespectIgnoreDifferences=true",
        "ServerSideApply=true",
    ]


def item(
    kind: str, live: dict[str, Any] | None, desired: dict[str, Any] | None, **extra: Any
) -> dict[str, Any]:
    return {
        "group": "",
        "kind": kind,
        "namespace": "kubeflow",
        "name": "settings",
        "normalizedLiveState": json.dumps(live),
        "liveState": json.dumps(live),
        "predictedLiveState": json.dumps(desired),
        "targetState": json.dumps(desired),
        **extra,
    }


def test_the_report_names_each_field_its_class_and_the_fix_and_hides_secret_values() -> None:
    live = cm("v\x1b[31m", managedFields=managed("istio-validator", "data/value"))
    items = [
        item("ConfigMap", live, cm("git")),
        item("Secret", {"data": {"password": "c2VjcmV0"}}, {"data": {"password": "b3RoZXI="}}),
        item("ConfigMap", cm("same"), cm("same")),
        item("Job", None, {"kind": "Job"}, hook=True),
    ]
    found = resource_drifts(items)
    assert [r.kind for r in found] == ["ConfigMap", "Secret"]
    text = render_text("kubeflow", found)
    assert "\x1b" not in text and "c2VjcmV0" not in text and "b3RoZXI=" not in text
    assert "/data/value: live " in text and "other-manager: field manager istio-validator owns it" in text
    assert "managedFieldsManagers:" in text and "RespectIgnoreDifferences=true" in text
    assert "1 field changed for real" in text
    doc = json.loads(render_json("kubeflow", found))
    assert doc["resources"][1]["fields"][0]["live"] == "(secret value hidden)"
    assert doc["fix"]["spec"]["ignoreDifferences"][0]["managedFieldsManagers"] == ["istio-validator"]
    assert render_text("kubeflow", []) == "kubeflow: no difference between git and the cluster\n"

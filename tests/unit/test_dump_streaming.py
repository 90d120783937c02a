"""Dumps read as JSON when they are JSON, and a List read one item at a time, whatever its format."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui import safeyaml
from kftui.cluster import dumpfile, dumpjson
from kftui.cluster.dumpfile import (
    DumpError,
    demo_text,
    iter_dump_objects,
    load_demo,
    load_snapshot,
    redacted_dump,
    snapshot_from_stream,
    snapshot_from_text,
)

NS = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubeflow"}}
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "kubeflow"}}


def _demo_objects() -> list[dict[str, Any]]:
    return [item for doc in yaml.safe_load_all(demo_text()) if doc for item in doc.get("items", [doc])]


def _same_snapshot(a: Any, b: Any) -> None:
    assert a.pods == b.pods and a.applications == b.applications and a.namespaces == b.namespaces
    assert a.events == b.events and a.workloads == b.workloads and a.now == b.now


@pytest.mark.parametrize("indent", [None, 4])
def test_the_demo_as_json_is_the_same_snapshot_as_the_demo(tmp_path: Path, indent: int | None) -> None:
    # kubectl's order: `items` before `kind`, so the List is only known to be one after its items.
    stamp = next(
        d["metadata"] for d in yaml.safe_load_all(demo_text()) if d and "metadata" in d
    )  # capture time
    document = {"apiVersion": "v1", "items": _demo_objects(), "kind": "List", "metadata": stamp}
    path = tmp_path / "demo.json"
    path.write_text(json.dumps(document, indent=indent))
    _same_snapshot(load_snapshot(path), load_demo())


def test_the_json_path_is_taken_for_json(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not only the same result: the JSON decoder made it (the YAML loader is never called)."""

    def no_yaml(*_: Any, **__: Any) -> Any:
        raise AssertionError("JSON went to the YAML loader")

    monkeypatch.setattr(safeyaml, "load_all", no_yaml)
    snap = snapshot_from_text(json.dumps({"kind": "List", "items": [NS, POD]}), "x.json")
    assert [ns.name for ns in snap.namespaces.values()] == ["kubeflow"] and len(snap.pods) == 1


@pytest.mark.parametrize("output", ["yaml", "json"])
def test_kftui_dump_output_round_trips(tmp_path: Path, output: str) -> None:
    text, _ = redacted_dump(_demo_objects(), datetime(2026, 11, 20, 3, 0, tzinfo=UTC), output)
    if output == "json":
        assert json.loads(text)["kind"] == "List"
    path = tmp_path / f"dump.{output}"
    path.write_text(text)
    snap = load_snapshot(path)
    _same_snapshot(snap, snapshot_from_text(redacted_dump(_demo_objects(), snap.now)[0], "yaml"))


def test_a_yaml_list_hands_out_each_item_before_the_list_ends() -> None:
    """Streaming, shown: the first item arrives although the document is broken further on."""
    text = "apiVersion: v1\nitems:\n- kind: Namespace\n  metadata: {name: a}\n- kind: Pod\n  metadata: [\n"
    parts = safeyaml.load_all(text, split_items=True)
    first = next(parts)
    assert first == safeyaml.ListItem({"kind": "Namespace", "metadata": {"name": "a"}})
    with pytest.raises(safeyaml.YamlError):
        next(parts)


def test_split_items_changes_nothing_but_the_order() -> None:
    text = yaml.safe_dump_all(
        [{"kind": "List", "items": [NS, POD]}, POD, {"items": "not a list", "kind": "X"}]
    )
    parts = list(safeyaml.load_all(text, split_items=True))
    assert parts == [
        safeyaml.ListItem(NS),
        safeyaml.ListItem(POD),
        {"kind": "List", "items": []},
        POD,
        {"items": "not a list", "kind": "X"},
    ]
    assert list(safeyaml.load_all(text)) == list(yaml.safe_load_all(text))


def test_an_anchored_items_list_is_kept_whole() -> None:
    text = "kind: List\nitems: &all\n- {kind: Namespace, metadata: {name: a}}\nagain: *all\n"
    assert list(safeyaml.load_all(text, split_items=True)) == [yaml.safe_load(text)]


def test_items_that_turn_out_not_to_be_a_list_are_one_line() -> None:
    text = "items:\n- {kind: Namespace, metadata: {name: a}}\nkind: Pod\nmetadata: {name: p}\n"
    with pytest.raises(DumpError, match=r"^x: document 1 has 'items' but is a Pod, not a List$"):
        snapshot_from_text(text, "x")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, 2]", "document 1 is not a Kubernetes object"),
        ('{"kind": "List", "items": [1]}', "document 1 has a List item that is not a Kubernetes object"),
        ('{"kind": "List", "items": {}}', "document 1 is a List without an 'items' list"),
        (
            '{"kind": "List", "items": [' + "[" * 300 + "]" * 300 + "]}",
            "refused: nested deeper than 256 levels",
        ),
        ('{"kind": "Pod", "x": ' + "[" * 5000 + "]" * 5000 + "}", "refused: nested deeper than 256 levels"),
        ('{"kind": "Pod",', "invalid JSON: "),
        ('{"kind": "Pod"} {"kind": "Pod"}', "invalid JSON: "),
    ],
)
def test_bad_json_is_one_line(text: str, message: str) -> None:
    with pytest.raises(DumpError) as caught:
        snapshot_from_text(text, "x.json")
    assert str(caught.value).startswith(f"x.json: {message}") and "\n" not in str(caught.value)


def test_deep_but_within_bounds_json_loads() -> None:
    """Many brackets (a long list of small objects) is not depth: the walk runs and lets it through."""
    pod = {**POD, "spec": {"containers": [{"name": f"c{i}", "ports": [{}]} for i in range(200)]}}
    snap = snapshot_from_text(json.dumps({"kind": "List", "items": [pod]}), "x.json")
    assert len(snap.pods) == 1


def test_a_yaml_flow_mapping_that_starts_like_json_is_read_as_yaml() -> None:
    snap = snapshot_from_text("{kind: Namespace, metadata: {name: kubeflow}}", "x.yaml")
    assert [ns.name for ns in snap.namespaces.values()] == ["kubeflow"]


def test_a_big_yaml_file_is_read_from_the_sniffed_start(tmp_path: Path) -> None:
    """The first 4 KB read to tell JSON from YAML reach the YAML loader too (a file object, not text)."""
    pods = [{**POD, "metadata": {"name": f"pod-{i:04d}", "namespace": "kubeflow"}} for i in range(400)]
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump({"kind": "List", "items": [NS, *pods]}))
    assert path.stat().st_size > 4 * 4096
    with path.open("rb") as stream:
        assert len(snapshot_from_stream(stream, str(path)).pods) == 400


def test_rejoined_reads_the_head_then_the_rest() -> None:
    stream = dumpjson._Rejoined(b"abc", io.BytesIO(b"defg"))
    assert stream.read(2) + stream.read(5) + stream.read(5) + stream.read(5) == b"abcdefg"
    stream = dumpjson._Rejoined(b"abc", io.BytesIO(b"defg"))
    assert stream.read() == b"abcdefg"


def test_pods_of_a_json_list_skip_the_dict_conversion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The typed decode made the pods (equal to the lenient conversion's: the demo test above); a pod the
    typed decoder refuses (a number where a string belongs) still loads through the conversion."""
    from kftui.cluster import convert

    converted: list[str] = []
    to_model = convert.to_model

    def spy(raw: dict[str, Any]) -> Any:
        converted.append(raw["kind"])
        return to_model(raw)

    monkeypatch.setattr(convert, "to_model", spy)
    odd = {**POD, "metadata": {"name": "odd", "namespace": "kubeflow", "labels": {"n": 1}}}
    path = tmp_path / "d.json"
    path.write_text(json.dumps({"kind": "List", "items": [NS, POD, odd]}))
    snap = load_snapshot(path)
    assert sorted(p.name for p in snap.pods.values()) == ["odd", "p"]
    assert converted == ["Namespace", "Pod"]  # the odd pod only


def test_load_snapshot_reports_every_progress_step(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dumpfile, "PROGRESS_EVERY", 2)
    pods = [{"kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "kubeflow"}} for i in range(5)]
    path = tmp_path / "d.yaml"
    path.write_text(yaml.safe_dump({"kind": "List", "items": pods}))
    heard: list[int] = []
    assert len(load_snapshot(path, heard.append).pods) == 5
    assert heard == [2, 4]
    assert len(load_snapshot(path).pods) == 5  # no one listening


def test_a_json_dump_is_laid_out_as_kubectl_prints_it() -> None:
    """`kubectl get -o json` indents by four spaces, one field a line; `kftui dump -o json` reads the same."""
    text, _ = redacted_dump([NS, POD], datetime(2026, 12, 3, tzinfo=UTC), "json")
    assert text == json.dumps(json.loads(text), indent=4) + "\n"
    assert text.startswith('{\n    "apiVersion": "v1",\n    "kind": "List",\n')


def test_iter_dump_objects_hands_out_a_lists_items_and_names_the_file_of_a_bad_one() -> None:
    """What reads local manifests (cluster/manifest.py): each object, or one line naming the file and document."""
    good = {"kind": "Namespace", "metadata": {"name": "a"}}

    def objects(text: str) -> list[dict[str, Any]]:
        return list(iter_dump_objects(io.BytesIO(text.encode()), "d.json"))

    assert objects(json.dumps({"kind": "List", "items": [good, POD]})) == [
        good,
        POD,
    ]  # a pod too, as a mapping
    with pytest.raises(
        DumpError, match=r"^d\.json: document 1 has a List item that is not a Kubernetes object$"
    ):
        objects(json.dumps({"kind": "List", "items": [good, 5]}))
    with pytest.raises(DumpError, match=r"^d\.json: invalid JSON: "):
        objects(json.dumps(good) + "{")

    # An anchored items list comes whole (not an item at a time): its items are checked all the same.
    anchored = "kind: List\nitems: &all\n- {kind: Namespace, metadata: {name: a}}\n- 5\nagain: *all\n"
    with pytest.raises(
        DumpError, match=r"^d\.json: document 1 has a List item that is not a Kubernetes object$"
    ):
        objects(anchored)
    assert objects(anchored.replace("- 5\n", "")) == [good]

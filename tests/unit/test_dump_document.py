"""What `kftui dump` writes, to the byte, and what loading says about a path it cannot read.

Found by mutation testing (docs/mutants.md): the round-trip tests read a dump back through the loader, which
accepts any key order, flow style or header, so none of them pinned the document itself. It is meant to look
like `kubectl get -o yaml` (a `kind: List` in block style, each object's keys in the API server's order), so
that a person can read and diff it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kftui.cluster.dumpfile import (
    DumpError,
    demo_text,
    dump_text,
    load_demo,
    load_snapshot,
    snapshot_from_text,
)


def test_a_dump_is_a_block_style_list_with_keys_in_the_order_given() -> None:
    obj = {
        "kind": "ConfigMap",
        "apiVersion": "v1",
        "metadata": {"name": "b", "namespace": "ns"},
        "data": {"z": "1", "a": "2"},
    }
    assert dump_text([obj], datetime(2026, 12, 3, 10, 0, tzinfo=UTC)) == (
        "apiVersion: v1\n"
        "kind: List\n"
        "metadata:\n"
        "  annotations:\n"
        "    kftui.dev/captured-at: '2026-12-03T10:00:00Z'\n"
        "items:\n"
        "- kind: ConfigMap\n"
        "  apiVersion: v1\n"
        "  metadata:\n"
        "    name: b\n"
        "    namespace: ns\n"
        "  data:\n"
        "    z: '1'\n"
        "    a: '2'\n"
    )


def test_a_path_through_a_file_is_one_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "file.yaml").write_text("kind: List\nitems: []\n")
    path = tmp_path / "file.yaml" / "dump.yaml"
    with pytest.raises(DumpError) as info:
        load_snapshot(path)
    assert str(info.value) == f"{path}: cannot read: Not a directory"


def _write(tmp_path: Path, docs: list[dict[str, object]], name: str = "dump.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(docs))
    return path


def _app(namespace: str, reconciled: str) -> dict[str, object]:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "kubeflow", "namespace": namespace, "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"destination": {"namespace": "kubeflow"}},
        "status": {"reconciledAt": reconciled},
    }


def _pod(started: str, created: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "kubeflow", "creationTimestamp": created},
        "status": {"phase": "Running", "startTime": started},
    }


def test_a_loaded_dump_says_where_it_came_from(tmp_path: Path) -> None:
    path = _write(tmp_path, [_app("ops", "2026-03-01T00:00:00Z")], name="cluster.yaml")
    snapshot = load_snapshot(path)
    assert (snapshot.source, snapshot.context, snapshot.server) == (
        str(path),
        "file:cluster.yaml",
        "(offline)",
    )
    assert snapshot.argocd_namespace == "ops"  # the Applications' namespace, not the default
    assert load_snapshot(
        _write(tmp_path, [_pod("2026-03-01T00:00:00Z", "2026-01-01T00:00:00Z")])
    ).argocd_namespace == ("argocd")


@pytest.mark.parametrize(
    ("docs", "newest"),
    [
        ([_app("argocd", "2026-03-01T00:00:00Z")], "2026-03-01T00:00:00Z"),  # reconciledAt
        ([_pod("2026-04-01T00:00:00Z", "2026-01-01T00:00:00Z")], "2026-04-01T00:00:00Z"),  # startTime
        ([_pod("2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z")], "2026-06-01T00:00:00Z"),  # creationTimestamp
        (
            [_pod("2026-04-01T00:00:00Z", "2026-01-01T00:00:00Z"), _app("argocd", "2026-03-01T00:00:00Z")],
            "2026-04-01T00:00:00Z",
        ),
    ],
    ids=["reconciled", "started", "created", "newest-of-two"],
)
def test_without_a_capture_stamp_now_is_the_newest_time_any_object_carries(
    tmp_path: Path, docs: list[dict[str, object]], newest: str
) -> None:
    expected = datetime.fromisoformat(newest.replace("Z", "+00:00"))
    assert load_snapshot(_write(tmp_path, docs)).now == expected


def test_a_list_kind_is_flattened_and_only_a_list_with_items_counts_as_one(tmp_path: Path) -> None:
    pod = _pod("2026-04-01T00:00:00Z", "2026-01-01T00:00:00Z")
    listed = load_snapshot(_write(tmp_path, [{"apiVersion": "v1", "kind": "PodList", "items": [pod]}]))
    assert list(listed.pods) == [("kubeflow", "p")]
    with pytest.raises(DumpError, match="document 1 is a List without an 'items' list"):
        load_snapshot(_write(tmp_path, [{"apiVersion": "v1", "kind": "List"}]))
    with pytest.raises(DumpError, match="document 2 is not a Kubernetes object"):
        load_snapshot(_write(tmp_path, [pod, {"metadata": {}}]))
    with pytest.raises(DumpError, match="the List holds no objects"):
        load_snapshot(_write(tmp_path, [{"apiVersion": "v1", "kind": "List", "items": []}]))


def test_the_demo_names_itself() -> None:
    demo = load_demo()
    assert (demo.source, demo.context, demo.server) == ("demo", "demo", "(embedded demo)")
    assert demo_text().startswith(("apiVersion", "kind", "#", "---"))


def test_a_kind_that_only_ends_in_list_is_an_object_not_a_list(tmp_path: Path) -> None:
    """A custom resource such as `kind: AllowList` (no `items`) is read as one object, not refused as a bad List."""
    allow = {"apiVersion": "example.com/v1", "kind": "AllowList", "metadata": {"name": "a"}, "spec": {}}
    pod = _pod("2026-04-01T00:00:00Z", "2026-01-01T00:00:00Z")
    snapshot = load_snapshot(_write(tmp_path, [allow, pod]))
    assert list(snapshot.pods) == [("kubeflow", "p")]


def test_text_loaded_from_memory_names_its_origin_in_errors_and_as_its_source() -> None:
    with pytest.raises(DumpError, match=r"^pasted\.yaml: "):
        snapshot_from_text("a: [\n", "pasted.yaml")
    snapshot = snapshot_from_text(
        yaml.safe_dump(_pod("2026-04-01T00:00:00Z", "2026-01-01T00:00:00Z")), "pasted.yaml"
    )
    assert (snapshot.source, snapshot.context) == ("pasted.yaml", "file:pasted.yaml")


def test_a_dump_holds_only_plain_yaml() -> None:
    """The writer is a safe dumper: a tuple is written as a plain YAML list, never with a `!!python/tuple`
    tag that kftui's own (safe) loader would refuse."""
    odd = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": ("a", "b")}}
    text = dump_text([odd], datetime(2026, 12, 3, tzinfo=UTC))
    assert "!!" not in text
    assert yaml.safe_load(text)["items"][0]["data"] == {"k": ["a", "b"]}


def test_an_error_inside_a_list_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"apiVersion": "v1", "kind": "List", "items": [{"metadata": {}}]}])
    with pytest.raises(DumpError) as info:
        load_snapshot(path)
    assert str(info.value) == f"{path}: document 1 has a List item that is not a Kubernetes object"


def test_a_dump_without_argocd_cm_has_an_empty_argo_cd_config(tmp_path: Path) -> None:
    """Checks read the Argo CD settings as a mapping; a dump that lacks argocd-cm gives them an empty one."""
    snapshot = load_snapshot(_write(tmp_path, [_pod("2026-04-01T00:00:00Z", "2026-01-01T00:00:00Z")]))
    assert snapshot.argocd_config == {}


def test_a_dump_that_carries_no_time_is_taken_as_now_in_utc(tmp_path: Path) -> None:
    """Checks subtract times from `now`, so it is timezone-aware even when nothing in the dump says when it was taken."""
    before = datetime.now(UTC)
    snapshot = load_snapshot(
        _write(tmp_path, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}])
    )
    assert snapshot.now.tzinfo is not None
    assert before <= snapshot.now <= datetime.now(UTC)


def test_the_first_capture_stamp_of_a_multi_document_dump_wins(tmp_path: Path) -> None:
    def stamped(name: str, at: str) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "annotations": {"kftui.dev/captured-at": at}},
        }

    unstamped = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "u"}}
    docs = [unstamped, stamped("a", "2026-02-01T00:00:00Z"), stamped("b", "2026-03-01T00:00:00Z")]
    assert load_snapshot(_write(tmp_path, docs)).now == datetime(2026, 2, 1, tzinfo=UTC)

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

from kftui.cluster.dumpfile import DumpError, dump_text, load_snapshot


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

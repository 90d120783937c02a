"""The TUI reads a dump (or the demo) before the screen switches, and keeps where its raw objects are."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui import cli
from kftui.cluster.source import StaticSource


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_demo_opened_from_the_command_line_still_shows_an_objects_yaml(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`kftui --demo`, `y` on the kubeflow Application said "not in this source": the preloaded snapshot was
    wrapped in a source without the demo's raw objects."""
    from kftui.ui.app import KftuiApp

    started: list[Any] = []
    monkeypatch.setattr(cli, "require_terminal", lambda: None)
    monkeypatch.setattr(KftuiApp, "run", lambda self, *a, **k: started.append(self.source))
    assert cli.main(["--demo", "--audit-log", "/dev/null"]) == 0
    [source] = started
    raw = source.raw_object("Application", "argocd", "kubeflow")
    assert raw is not None and raw["metadata"]["name"] == "kubeflow"


def test_a_big_dump_says_how_far_it_got_on_a_terminal(tmp_path: Path) -> None:
    path = tmp_path / "d.yaml"
    pods = [{"kind": "Pod", "metadata": {"name": f"p{i}", "namespace": "x"}} for i in range(3)]
    path.write_text(yaml.safe_dump({"kind": "List", "items": pods}))
    told: list[int] = []

    def counting(progress: Any) -> Any:
        from kftui.cluster.dumpfile import load_snapshot

        progress(5_000)
        told.append(5_000)
        return load_snapshot(path)

    source = StaticSource(lambda: None, counting_loader=counting)  # type: ignore[arg-type,return-value]
    tty = FakeTty()
    snapshot = cli.read_saying_how_far(source, tty)
    assert len(snapshot.pods) == 3 and told == [5_000]
    assert tty.getvalue() == "\rkftui: reading the dump: 5,000 objects…\r\x1b[K"
    plain = (
        io.StringIO()
    )  # not a terminal: nothing written, and the plain loader (here: None) is the one used
    assert cli.read_saying_how_far(source, plain) is None  # type: ignore[func-returns-value]
    assert plain.getvalue() == ""

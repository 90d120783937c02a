"""A namespace held Terminating by a custom resource's finalizer: the objects listed from its conditions, named by
finalizer-stuck, and released one by one by remove-finalizers (previewed, typed, guarded, each object named)."""

from __future__ import annotations

import shlex
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kftui.checks.sync_ops import finalizer_stuck
from kftui.cluster.appops import KubeWorkloadOps
from kftui.cluster.held import remaining_resources, with_held_objects
from kftui.cluster.http import KubeApiError
from kftui.cluster.ops import Permission
from kftui.fixes.audit import AuditLog
from kftui.fixes.gate import Gate
from kftui.fixes.plan import plan_fix
from kftui.fixes.plans import RemoveFinalizersPlan
from kftui.fixes.registry import required_permissions
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, Namespace, WatchEvent, apply_event
from kftui.profile import builtin_profile
from tests.fix_fakes import FakeArgo, FakeWorkloads
from tests.unit.fixtures.builders import NOW, fresh, to_model
from tests.unit.test_checks_sync_ops import HELD, terminating

KUBEFLOW = builtin_profile("kubeflow")
WIDGETS = "/apis/example.com/v1/namespaces/team-a/widgets"


class FakeApi:
    """Our HTTP seam in memory: GET answers from `answers` (a missing path is a 404), PATCHes recorded."""

    server = "https://fake:6443"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.got: list[str] = []
        self.sent: list[tuple[str, str, object]] = []

    def get_json(self, path: str, query: object = None) -> Any:
        self.got.append(path)
        if path not in self.answers:
            raise KubeApiError(404, "not found")
        return self.answers[path]

    def send_json(self, method: str, path: str, body: object, content_type: str = "") -> object:
        self.sent.append((method, path, body))
        return None


def widget(name: str, finalizers: list[str] | None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "team-a"}
    if finalizers is not None:
        meta["finalizers"] = finalizers
    return {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": meta}


def api() -> FakeApi:
    return FakeApi(
        {
            "/apis/example.com": {"preferredVersion": {"groupVersion": "example.com/v1", "version": "v1"}},
            WIDGETS: {
                "kind": "WidgetList",
                "items": [widget("w1", ["example.com/keep"]), widget("plain", None)],
            },
        }
    )


def held_snapshot(http: FakeApi) -> ClusterSnapshot:
    """The healthy install with team-a Terminating for 40 min, loaded the way KubeSource does it."""
    models = [to_model(raw) for raw in terminating(fresh(), "team-a", timedelta(minutes=40), HELD)]
    objects = with_held_objects(http, [m for m in models if m is not None])  # type: ignore[arg-type]
    return ClusterSnapshot.from_objects(objects, now=NOW)


def test_the_objects_holding_a_namespace_are_listed_from_its_condition_with_their_finalizers() -> None:
    http = api()
    ns = held_snapshot(http).namespaces[("", "team-a")]
    assert [(h.resource, h.kind, h.name, h.path, h.finalizers) for h in ns.held_by] == [
        ("widgets.example.com", "Widget", "w1", f"{WIDGETS}/w1", ("example.com/keep",))
    ]  # the widget without finalizers holds nothing
    assert http.got == ["/apis/example.com", WIDGETS]  # discovery for the version, then one LIST


def test_only_well_formed_resource_names_of_the_condition_are_looked_up() -> None:
    message = (
        "Some resources are remaining: widgets.example.com has 1 resource instances, configmaps has 2 "
        "resource instances, x/../../secrets has 1 resource instances"
    )
    ns = Namespace("team-a", conditions=(("NamespaceContentRemaining", message),))
    assert remaining_resources(ns) == ["widgets.example.com", "configmaps"]


def test_a_resource_that_cannot_be_listed_leaves_the_namespace_as_it_was() -> None:
    http = FakeApi({})  # discovery answers 404
    assert held_snapshot(http).namespaces[("", "team-a")].held_by == ()


def test_finalizer_stuck_names_each_object_and_offers_their_release_shell_quoted() -> None:
    snap = held_snapshot(api())
    [finding] = finalizer_stuck(snap, KUBEFLOW)
    assert finding.evidence.endswith("\nheld by widgets.example.com team-a/w1: finalizers example.com/keep")
    assert [f.id for f in finding.fixes] == ["describe", "remove-finalizers"]
    [argv] = finding.fixes[1].argvs
    patch = '[{"op": "test", "path": "/metadata/finalizers", "value": ["example.com/keep"]}, {"op": "remove", "path": "/metadata/finalizers"}]'
    assert argv == (
        "kubectl",
        "patch",
        "widgets.example.com",
        "w1",
        "-n",
        "team-a",
        "--type=json",
        "-p",
        patch,
    )

    plan = plan_fix(finding, "remove-finalizers", snap, KUBEFLOW)
    assert isinstance(plan, RemoveFinalizersPlan) and plan.command == finding.fixes[1].command
    assert shlex.split(plan.command) == list(argv)  # one argument each, quoted for a shell
    assert plan.confirm_word == "team-a" and plan.blocked is None
    assert plan.changes[0] == (
        "remove metadata.finalizers ['example.com/keep'] from widgets.example.com team-a/w1, only if they are "
        "still exactly these (a JSON patch with a test)"
    )
    assert plan.finalizers == ()  # the namespace itself carries none: it is not patched
    assert required_permissions(plan) == (Permission("patch", "widgets", "example.com", "team-a", "w1"),)


def test_remove_finalizers_releases_each_held_object_through_the_gate(tmp_path: Path) -> None:
    snap = held_snapshot(api())
    [finding] = finalizer_stuck(snap, KUBEFLOW)
    plan = plan_fix(finding, "remove-finalizers", snap, KUBEFLOW)
    work = FakeWorkloads()
    runner = FixRunner(Gate(False, AuditLog(tmp_path / "audit.jsonl")), FakeArgo(), work)
    result = runner.run(plan)
    assert result.ok, result.message
    assert work.calls == [("release", f"{WIDGETS}/w1", "example.com/keep")]
    refused = FixRunner(Gate(True, AuditLog(tmp_path / "ro.jsonl")), FakeArgo(), FakeWorkloads())
    assert not refused.run(plan).ok


def test_the_kubernetes_backend_patches_the_held_object_at_its_discovered_path() -> None:
    http = api()
    [held] = held_snapshot(http).namespaces[("", "team-a")].held_by
    said = KubeWorkloadOps(http).release(held)  # type: ignore[arg-type]
    assert said == "finalizers example.com/keep removed from widgets.example.com team-a/w1"
    assert http.sent == [
        (
            "PATCH",
            f"{WIDGETS}/w1",
            [
                {"op": "test", "path": "/metadata/finalizers", "value": ["example.com/keep"]},
                {"op": "remove", "path": "/metadata/finalizers"},
            ],
        )
    ]


@pytest.mark.parametrize("name", ["w1; rm -rf /", "$(touch x)"])
def test_a_hostile_object_name_stays_one_argument_and_one_path_segment(name: str) -> None:
    http = api()
    http.answers[WIDGETS]["items"] = [widget(name, ["example.com/keep"])]
    snap = held_snapshot(http)
    [held] = snap.namespaces[("", "team-a")].held_by
    assert held.path == f"{WIDGETS}/{quote(name, safe='')}"  # one path segment, whatever the name holds
    [finding] = finalizer_stuck(snap, KUBEFLOW)
    assert shlex.split(finding.fixes[1].command)[3] == name


def test_a_watch_event_of_the_namespace_keeps_the_listed_holders_while_it_is_terminating() -> None:
    """The TUI's watch replaces the namespace on each event, without holders (only a load lists them): the
    ones listed stay while it still deletes, and go once it no longer does."""
    snap = held_snapshot(api())
    listed = snap.namespaces[("", "team-a")]
    bare = replace(listed, held_by=(), resource_version="2")
    after = apply_event(snap, WatchEvent("MODIFIED", bare))
    assert after.namespaces[("", "team-a")].held_by == listed.held_by
    assert after.namespaces[("", "team-a")].resource_version == "2"
    undeleted = apply_event(after, WatchEvent("MODIFIED", replace(bare, deleting_since=None)))
    assert undeleted.namespaces[("", "team-a")].held_by == ()


def test_a_namespace_event_that_lists_its_own_holders_keeps_them() -> None:
    """Only an event without holders takes the last load's: one that names its own (a live load of that
    namespace) keeps them, and a namespace first seen Terminating has nothing earlier to keep."""
    snap = held_snapshot(api())
    listed = snap.namespaces[("", "team-a")]
    other = (replace(listed.held_by[0], name="w2"),)
    after = apply_event(snap, WatchEvent("MODIFIED", replace(listed, held_by=other, resource_version="2")))
    assert after.namespaces[("", "team-a")].held_by == other
    fresh_one = replace(listed, name="team-b", held_by=other)
    first = apply_event(snap, WatchEvent("ADDED", fresh_one))
    assert first.namespaces[("", "team-b")].held_by == other

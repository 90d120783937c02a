"""The drift fix (ignore-drift): the entries drift.py suggests, merged into the Application's own lists, shown
as the YAML to add and the `kubectl patch` a person could type, run through the gate; never written to an
Application that a parent app manages from git."""

from __future__ import annotations

import json
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from kftui.drift import RESPECT_IGNORE, SERVER_SIDE_APPLY, merged_patch, sync_options_for
from kftui.fixes.audit import AuditLog
from kftui.fixes.drift_planner import NO_DIFF, NOTHING_EXPLAINED, plan_ignore_drift
from kftui.fixes.gate import READ_ONLY_REASON, Gate
from kftui.fixes.plans import IgnoreDriftPlan
from kftui.fixes.registry import FIXES
from kftui.fixes.run import FixRunner
from kftui.model import ClusterSnapshot, ObjectRef
from tests.fix_fakes import T0, FakeArgo

CA = {
    "group": "admissionregistration.k8s.io",
    "kind": "ValidatingWebhookConfiguration",
    "name": "drift-webhook",
    "jsonPointers": ["/webhooks/0/clientConfig/caBundle"],
}
MANAGER = {
    "group": "",
    "kind": "ConfigMap",
    "name": "settings",
    "namespace": "kubeflow",
    "managedFieldsManagers": ["istio-validator"],
}
OLD = {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}


def argo_with(name: str = "drift", **app: Any) -> FakeArgo:
    argo = FakeArgo()
    fake = argo.add(name)
    fake.app = replace(fake.app, **app)
    return argo


def snapshot(argo: FakeArgo) -> ClusterSnapshot:
    return ClusterSnapshot.from_objects([f.app for f in argo.apps.values()], now=T0)


def plan(argo: FakeArgo, entries: list[dict[str, Any]] | None, name: str = "drift") -> IgnoreDriftPlan:
    target = ObjectRef("Application", "argocd", name)
    return plan_ignore_drift(FIXES["ignore-drift"], target, snapshot(argo), entries)


def runner(argo: FakeArgo, tmp_path: Path, read_only: bool = False) -> tuple[FixRunner, AuditLog]:
    audit = AuditLog(tmp_path / "audit.jsonl")
    return FixRunner(Gate(read_only, audit, context="test"), argo), audit


def test_sync_options_follow_the_classes_of_the_entries() -> None:
    assert sync_options_for([CA]) == [RESPECT_IGNORE]
    assert sync_options_for([CA, MANAGER]) == [RESPECT_IGNORE, SERVER_SIDE_APPLY]
    assert sync_options_for([]) == []


def test_the_merge_patch_keeps_what_the_app_has_and_adds_nothing_twice() -> None:
    patch = merged_patch([CA, OLD], [OLD], ["CreateNamespace=true", RESPECT_IGNORE])
    assert patch == {
        "spec": {
            "ignoreDifferences": [OLD, CA],
            "syncPolicy": {"syncOptions": ["CreateNamespace=true", RESPECT_IGNORE]},
        }
    }


def test_the_plan_shows_the_yaml_to_add_and_the_kubectl_patch_with_the_apps_lists_in_full() -> None:
    argo = argo_with(ignore_differences=(OLD,), sync_options=("CreateNamespace=true",))
    p = plan(argo, [CA])
    assert p.blocked is None and p.entries == (CA,)
    preview = "\n".join(p.changes)
    assert "ignoreDifferences:" in preview and "/webhooks/0/clientConfig/caBundle" in preview
    assert "RespectIgnoreDifferences=true" in p.add_yaml and "Deployment" not in p.add_yaml
    argv = shlex.split(p.command)
    assert argv[:8] == ["kubectl", "patch", "application", "drift", "-n", "argocd", "--type=merge", "-p"]
    assert json.loads(argv[8]) == {
        "spec": {
            "ignoreDifferences": [OLD, CA],
            "syncPolicy": {"syncOptions": ["CreateNamespace=true", RESPECT_IGNORE]},
        }
    }


@pytest.mark.parametrize(
    ("labels", "annotations", "why"),
    [
        ({"app.kubernetes.io/instance": "kubeflow"}, {}, "label app.kubernetes.io/instance=kubeflow"),
        (
            {},
            {"argocd.argoproj.io/tracking-id": "kubeflow:argoproj.io/Application:argocd/drift"},
            "tracking-id",
        ),
    ],
)
def test_an_app_managed_from_git_gets_the_yaml_for_git_and_is_not_written(
    tmp_path: Path, labels: dict[str, str], annotations: dict[str, str], why: str
) -> None:
    argo = argo_with(labels=labels, annotations=annotations)
    p = plan(argo, [CA])
    assert p.in_git and why in p.in_git
    assert p.blocked is not None and "managed from git" in p.blocked and "commit the YAML" in p.blocked
    assert "caBundle" in p.add_yaml and p.title.endswith("(for git)")
    run, _ = runner(argo, tmp_path)
    result = run.run(p)
    assert not result.ok and result.refused and argo.calls == []


def test_without_a_diff_or_without_explained_drift_there_is_nothing_to_write() -> None:
    argo = argo_with()
    assert plan(argo, None).blocked == NO_DIFF.format(app="drift")
    assert plan(argo, []).blocked == NOTHING_EXPLAINED.format(app="drift")
    assert plan(argo, [], name="gone").blocked == "Application gone is not in the current snapshot"


def test_run_through_the_gate_adds_the_entries_and_is_audited(tmp_path: Path) -> None:
    argo = argo_with(ignore_differences=(OLD,), sync_options=("CreateNamespace=true",))
    run, _ = runner(argo, tmp_path)
    result = run.run(plan(argo, [CA, MANAGER]))
    assert result.ok, result.message
    assert argo.calls == [("add-ignore-differences", "drift", (CA, MANAGER))]
    app = argo.apps["drift"].app
    assert app.ignore_differences == (OLD, CA, MANAGER)
    assert app.sync_options == ("CreateNamespace=true", RESPECT_IGNORE, SERVER_SIDE_APPLY)
    [record] = [json.loads(line) for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert record["action"] == "ignore-drift" and record["result"] == "ok"


def test_read_only_refuses_it(tmp_path: Path) -> None:
    argo = argo_with()
    run, _ = runner(argo, tmp_path, read_only=True)
    result = run.run(plan(argo, [CA]))
    assert result.refused and result.message == READ_ONLY_REASON and argo.calls == []


def test_a_hostile_app_name_stays_one_argument() -> None:
    name = "x'; touch /tmp/p; echo '"
    argo = argo_with(name=name)
    argv = shlex.split(plan(argo, [CA], name=name).command)
    assert argv[3] == name and len(argv) == 9


def test_kftui_diff_fix_prints_the_plan_and_yes_runs_it_through_the_gate(tmp_path: Path) -> None:
    """`kftui diff APP --fix [--yes]` (diffcmd.fix_drift) on the fake backend: the plan is printed; --yes runs
    it through the gate (read-only refuses it, nothing written)."""
    import io

    from kftui.diffcmd import ResourceDrift, fix_drift
    from kftui.drift import Drift, DriftClass, FieldDiff
    from kftui.fixes.runtime import FixOptions

    found = [
        ResourceDrift(
            CA["group"], CA["kind"], "", CA["name"],
            [Drift(FieldDiff(CA["jsonPointers"][0], "bmV3", "b2xk"), DriftClass.INJECTED, "a CA injector")],
        )
    ]  # fmt: skip
    argo = argo_with()
    out = io.StringIO()
    assert fix_drift(argo, "drift", found, FixOptions(), apply=False, out=out) is None  # type: ignore[arg-type]
    assert "Equivalent command: kubectl patch application drift -n argocd --type=merge -p" in out.getvalue()
    assert "Run it with --yes" in out.getvalue() and argo.calls == []
    out = io.StringIO()
    read_only = FixOptions(read_only=True, audit_log=str(tmp_path / "a.jsonl"))
    assert fix_drift(argo, "drift", found, read_only, apply=True, out=out) is False  # type: ignore[arg-type]
    assert "Cannot run: read-only mode" in out.getvalue() and "not applied:" in out.getvalue()
    assert argo.calls == []
    out = io.StringIO()
    options = FixOptions(audit_log=str(tmp_path / "a.jsonl"))
    assert fix_drift(argo, "drift", found, options, apply=True, out=out) is True  # type: ignore[arg-type]
    assert argo.apps["drift"].app.ignore_differences == (CA,) and "applied:" in out.getvalue()


def test_yes_without_fix_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from kftui.cli import main

    assert main(["diff", "drift", "--argocd-server", "127.0.0.1:1", "--yes"]) == 2
    assert "--yes applies the drift fix: give --fix with it" in capsys.readouterr().err


def test_the_diff_view_says_when_the_fix_belongs_in_git() -> None:
    from kftui.diffcmd import resource_drifts
    from kftui.ui.screens.diff_view import diff_lines

    live = {"kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"v": "live"}}
    git = {"kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"v": "git"}}
    item = {"group": "", "kind": "ConfigMap", "namespace": "", "name": "settings"}
    item |= {k: json.dumps(live) for k in ("liveState", "normalizedLiveState")}
    item |= {k: json.dumps(git) for k in ("targetState", "predictedLiveState")}
    found = resource_drifts([item])
    plain = diff_lines("drift", found)
    assert plain[:2] == ["drift: 1 resource differs from git", ""]
    assert "  fix: sync it back (kftui sync drift), or commit the live value to git" in plain
    in_git = diff_lines("drift", found, "label app.kubernetes.io/instance=parent")
    assert in_git[1] == "drift is managed from git by a parent app (label app.kubernetes.io/instance=parent):"
    assert in_git[3:] == plain[1:]

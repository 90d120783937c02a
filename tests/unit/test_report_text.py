"""The reports: a greppable text (header, findings indented, root causes first, one spelling of counts, no
doubled parentheses) and JSON that lists evidence and links findings to their causes."""

from __future__ import annotations

import json
from dataclasses import replace

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.profile import builtin_profile
from kftui.report import render_json, render_text


def test_the_demo_header_names_its_source_once_in_parentheses() -> None:
    header = render_text([], load_demo()).splitlines()[0]
    assert header == "kftui check: demo (embedded demo), 3 applications"


def test_one_application_is_singular_and_a_source_without_server_has_no_parentheses() -> None:
    demo = load_demo()
    one = replace(demo, applications=dict(list(demo.applications.items())[:1]), server="")
    assert render_text([], one).splitlines()[0] == "kftui check: demo, 1 application"


def _demo_report() -> list[str]:
    snapshot = load_demo()
    return render_text(run_checks(snapshot, builtin_profile("kubeflow")), snapshot).splitlines()


def test_every_line_of_a_finding_is_indented_under_its_header() -> None:
    """Greppable: a header starts with its severity, every other line of the finding is indented, so
    `grep -A` keeps a finding whole and `grep '^ERROR'` lists them."""
    lines = _demo_report()
    body = lines[2:-1]  # between the header lines and the closing tally
    headers = [line for line in body if line.startswith(("ERROR ", "WARN  ", "INFO  "))]
    assert len(headers) == 5
    for line in body:
        assert (
            line == "" or line in headers or line.startswith("    ") or line.endswith("root causes above:")
        ), line
    assert not any("((" in line or "))" in line for line in lines)


def test_the_report_leads_with_the_root_causes_and_folds_the_consequences_after_them() -> None:
    lines = _demo_report()
    assert lines[1] == "2 root causes, 3 consequences"
    headers = [line for line in lines if line.startswith(("ERROR ", "WARN  "))]
    assert [h.split(":")[0] for h in headers] == [
        "ERROR pod-failing",
        "ERROR kustomize-duplicate-id",
        "ERROR app-degraded",
        "ERROR app-out-of-sync",
        "WARN  dependency-order",
    ]
    at = lines.index("3 consequences of the root causes above:")
    assert all("caused by:" not in line for line in lines[:at])
    assert "    caused by: pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn" in lines[at:]
    assert "    led to:    ERROR app-degraded: [kubeflow] kubeflow is Degraded: 1 unhealthy resource" in lines


def test_each_piece_of_evidence_is_its_own_line_and_counts_are_spelled_once() -> None:
    lines = _demo_report()
    duplicate = lines.index(
        "ERROR kustomize-duplicate-id: [kubeflow-pipelines] kubeflow-pipelines cannot render: "
        "ClusterRole kubeflow-metacontroller is included twice"
    )
    evidence = [line for line in lines[duplicate : duplicate + 8] if line.startswith("    evidence:")]
    assert len(evidence) == 2
    assert evidence[1].endswith("when it met the resource a second time")
    assert not any("\\n" in line for line in lines)
    assert not any(" 1 unhealthy resources" in line or "(s)" in line for line in lines)


def test_json_lists_evidence_and_links_each_finding_to_its_causes() -> None:
    snapshot = load_demo()
    data = json.loads(render_json(run_checks(snapshot, builtin_profile("kubeflow")), snapshot))
    assert data["summary"]["root_causes"] == 2
    by_id = {f["id"]: f for f in data["findings"]}
    assert len(by_id) == len(data["findings"])
    assert by_id["app-degraded:Application/argocd/kubeflow"]["caused_by"] == [
        "pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn"
    ]
    assert all(cause in by_id for f in data["findings"] for cause in f["caused_by"])
    duplicate = next(f for f in data["findings"] if f["check"] == "kustomize-duplicate-id")
    assert len(duplicate["evidence"]) == 2 and duplicate["evidence"][0].startswith("status.conditions[")


def test_the_verdict_counts_one_info_as_one_info() -> None:
    from kftui.checks.coverage import verdict
    from kftui.model import Severity

    snap = load_demo()
    (info,) = [replace(f, severity=Severity.INFO) for f in run_checks(snap, builtin_profile("kubeflow"))[:1]]
    assert verdict([info], snap).headline.startswith("0 errors, 0 warnings, 1 info")

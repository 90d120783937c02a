"""The embedded demo must show what the README promises, and nothing it does not."""

from __future__ import annotations

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.profile import detect_profile


def test_demo_findings() -> None:
    snap = load_demo()
    profile = detect_profile({a.name for a in snap.applications.values()})
    assert profile.name == "kubeflow"
    findings = run_checks(snap, profile)
    by_check = {(f.check, f.app) for f in findings}

    dup = [f for f in findings if f.check == "kustomize-duplicate-id"]
    assert [(f.app, f.subject.kind, f.subject.namespace, f.subject.name) for f in dup] == [
        ("kubeflow-pipelines", "ClusterRole", None, "kubeflow-metacontroller")
    ]
    assert "force-sync" not in [x.id for x in dup[0].fixes]

    order = [f for f in findings if f.check == "dependency-order"]
    assert [f.app for f in order] == ["kubeflow-seaweedfs"]
    assert "blocked by kubeflow" in order[0].title

    pods = [f for f in findings if f.check == "pod-failing"]
    assert [f.subject.name for f in pods] == ["katib-controller-7f5b8c9d6-5rjtn"]
    assert pods[0].app == "kubeflow"

    assert not [
        f
        for f in findings
        if f.check in ("gateway", "auth-stack", "namespace-missing", "webhook-unavailable")
    ]
    assert ("app-degraded", "kubeflow") in by_check
    assert all(f.explanation and f.evidence for f in findings)

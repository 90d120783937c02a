"""Whole dumps as `kubectl get -o yaml` writes them, through the same loader the CLI uses."""

from __future__ import annotations

from pathlib import Path

from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_snapshot
from kftui.profile import builtin_profile

FIXTURES = Path(__file__).parent / "fixtures"


def test_argocd3_failed_install() -> None:
    snap = load_snapshot(FIXTURES / "argocd3_failed_install.yaml")
    findings = run_checks(snap, builtin_profile("kubeflow"))
    got = {(f.check, f.subject.kind, f.subject.name) for f in findings}
    assert ("annotation-too-long", "CustomResourceDefinition", "workflows.argoproj.io") in got
    assert ("webhook-unavailable", "Service", "cert-manager-webhook") in got
    assert ("crd-missing", "Experiment", "demo") in got
    assert ("prune-danger", "PersistentVolumeClaim", "mysql-pv-claim") in got
    assert ("app-operation-failed", "Application", "kubeflow-pipelines") in got
    # Progressing since the failed sync 30 minutes ago, with ml-pipeline's health computed from the live Deployment
    degraded = next(f for f in findings if f.check == "app-degraded")
    assert (
        "Deployment/kubeflow/ml-pipeline Progressing (0/1 replicas ready, 0 available) [from live objects]"
        in degraded.evidence
    )
    webhook = next(f for f in findings if f.check == "webhook-unavailable")
    assert "connection refused" in webhook.evidence and "no ready addresses" in webhook.evidence
    assert (
        webhook.fixes[0].command
        == "kubectl rollout status deployment/cert-manager-webhook -n cert-manager --timeout=5m"
    )
    # each resource is reported once per check, although the summary message repeats one of them
    assert len([f for f in findings if f.check == "annotation-too-long"]) == 1


def test_every_explanation_names_a_fix_it_offers() -> None:
    from kftui.cluster.dumpfile import load_demo

    for snap in (load_snapshot(FIXTURES / "argocd3_failed_install.yaml"), load_demo()):
        for f in run_checks(snap, builtin_profile("kubeflow")):
            assert f.fixes, f"{f.check}: offers no fix"
            named = [x.id for x in f.fixes if f"fix: {x.id}" in f.explanation]
            assert named, f"{f.check}: explanation names none of {[x.id for x in f.fixes]}"

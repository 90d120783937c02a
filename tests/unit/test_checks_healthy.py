"""A healthy install must yield no findings at all, from any check: every check's false-positive guard."""

from __future__ import annotations

import pytest

from kftui.checks.registry import CHECKS, run_checks
from kftui.profile import GENERIC, builtin_profile
from tests.unit.fixtures.builders import healthy_install, snapshot

KUBEFLOW = builtin_profile("kubeflow")


@pytest.mark.parametrize(
    "per_resource_health", [True, False], ids=["argocd-2.x", "argocd-3.x-no-resource-health"]
)
@pytest.mark.parametrize("profile", [KUBEFLOW, GENERIC], ids=lambda p: p.name)
def test_healthy_three_app_install_has_no_findings(per_resource_health: bool, profile: object) -> None:
    snap = snapshot(healthy_install(per_resource_health))
    findings = run_checks(snap, profile)  # type: ignore[arg-type]
    assert findings == [], "\n".join(f"{f.check}: {f.title} / {f.evidence}" for f in findings)


def test_every_catalog_check_is_registered_once() -> None:
    catalog = [
        "app-out-of-sync", "app-degraded", "app-operation-failed", "kustomize-duplicate-id", "shared-resource",
        "dependency-order", "crd-missing", "annotation-too-long", "webhook-unavailable", "namespace-missing",
        "repo-path", "pod-failing", "gateway", "auth-stack", "prune-danger", "applications-missing",
        "sync-stuck", "hook-failed", "operation-stale", "finalizer-stuck", "sync-window",
    ]  # fmt: skip
    assert sorted(c.id for c in CHECKS) == sorted(catalog)
    for check in CHECKS:
        assert check.run.__doc__, f"{check.id} has no docstring saying what it recognises"

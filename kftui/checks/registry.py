"""The list of checks and the one function that runs them all over a snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from kftui.checks import (
    access,
    annotation_size,
    applications,
    causes,
    crds,
    kustomize_ids,
    namespaces,
    ordering,
    ownership,
    pods,
    provenance,
    source,
    sync_ops,
    sync_windows,
    webhooks,
)
from kftui.checks.memo import CheckMemo, IncrementalCheckFn
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.profile import Profile

CheckFn = Callable[[ClusterSnapshot, Profile], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    id: str
    run: CheckFn
    incremental: IncrementalCheckFn | None = None
    """The same check continuing from its last pass, used with a CheckMemo (see memo.run_incremental)."""


CHECKS: tuple[Check, ...] = (
    Check("applications-missing", applications.applications_missing),
    Check("app-out-of-sync", applications.app_out_of_sync),
    Check("app-degraded", applications.app_degraded),
    Check("app-operation-failed", applications.app_operation_failed),
    Check("sync-stuck", sync_ops.sync_stuck),
    Check("hook-failed", sync_ops.hook_failed),
    Check("operation-stale", sync_ops.operation_stale),
    Check("finalizer-stuck", sync_ops.finalizer_stuck),
    Check("sync-window", sync_windows.sync_window),
    Check("kustomize-duplicate-id", kustomize_ids.kustomize_duplicate_id),
    Check("shared-resource", ownership.shared_resource),
    Check("dependency-order", ordering.dependency_order),
    Check("crd-missing", crds.crd_missing),
    Check("annotation-too-long", annotation_size.annotation_too_long),
    Check("webhook-unavailable", webhooks.webhook_unavailable),
    Check("namespace-missing", namespaces.namespace_missing),
    Check("repo-path", source.repo_path),
    Check("pod-failing", pods.pod_failing, pods.pod_failing_since),
    Check("gateway", access.gateway),
    Check("auth-stack", access.auth_stack),
    Check("prune-danger", ownership.prune_danger),
)


def run_checks(
    snapshot: ClusterSnapshot,
    profile: Profile,
    checks: Iterable[Check] = CHECKS,
    memo: CheckMemo | None = None,
) -> list[Finding]:
    """Every finding, most severe first, each with its stable id and the findings that cause it (causes.py).
    A check that crashes becomes a finding instead of taking the tool down.

    With a `memo` (one per stream of snapshots, as in the TUI), a check whose inputs are the same objects as
    on its last run is not run again; see kftui/checks/memo.py.
    """
    findings: list[Finding] = []
    for check in checks:
        try:
            if memo is None:
                findings.extend(check.run(snapshot, profile))
            elif check.incremental is not None:
                findings.extend(memo.run_incremental(check.id, check.incremental, snapshot, profile))
            else:
                findings.extend(memo.run(check.id, check.run, snapshot, profile))
        except Exception as exc:  # a bug in one check must not hide the others' results
            findings.append(
                Finding(
                    check=check.id,
                    severity=Severity.WARNING,
                    app=None,
                    subject=ObjectRef("Check", None, check.id),
                    title=f"check {check.id} could not run",
                    evidence=f"{type(exc).__name__}: {exc}",
                    explanation="This is a bug in kftui, not in your cluster; the other checks still ran.",
                )
            )
    findings.sort(key=lambda f: f.sort_key)
    return causes.link(provenance.mark(findings, snapshot), snapshot)

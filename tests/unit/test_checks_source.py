"""repo-path: source fetch and path errors as Argo CD's repo-server reports them."""

from __future__ import annotations

import re

import pytest

from kftui.checks.source import repo_path
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import find, fresh, snapshot
from tests.unit.test_checks_kustomize_ids import ARGO_KUSTOMIZE5

KUBEFLOW = builtin_profile("kubeflow")
PREFIX = "Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = "


@pytest.mark.parametrize(
    ("condition", "message", "what"),
    [
        ("ComparisonError", PREFIX + "apps/pipelines-typo: app path does not exist", "path"),
        (
            "ComparisonError",
            "rpc error: code = Unknown desc = Manifest generation error (cached): app path does not exist",
            "path",
        ),
        ("ComparisonError", PREFIX + "Unable to resolve 'v9.9.9' to a commit SHA", "revision"),
        (
            "ComparisonError",
            "rpc error: code = Unknown desc = unable to resolve 'feature/x' to a commit SHA",
            "revision",
        ),
        (
            "ComparisonError",
            PREFIX + "failed to list refs: authentication required: Repository not found.",
            "access",
        ),
        (
            "InvalidSpecError",
            "Unable to generate manifests in .: rpc error: code = Unknown desc = repository not found",
            "access",
        ),
        (
            "ComparisonError",
            PREFIX + "failed to list refs: dial tcp: lookup github.example.com: no such host",
            "fetch",
        ),
    ],
)
def test_repo_path(condition: str, message: str, what: str) -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-seaweedfs")
    app["status"]["sync"]["status"] = "Unknown"
    app["status"]["conditions"] = [{"type": condition, "message": message}]
    (f,) = repo_path(snapshot(objects), KUBEFLOW)
    assert f.app == "kubeflow-seaweedfs"
    assert f"({what})" in f.title
    assert message in f.evidence
    assert "path=applications/pipeline/upstream/third-party/seaweedfs/base" in f.evidence
    assert [x.id for x in f.fixes] == ["fix-source", "hard-refresh"]


@pytest.mark.parametrize(
    "message",
    [
        ARGO_KUSTOMIZE5,
        "ClusterRole/x is part of applications argocd/a and b",
        "successfully synced (all tasks run)",
    ],
)
def test_repo_path_stays_quiet_for_other_errors(message: str) -> None:
    objects = fresh()
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "ComparisonError", "message": message}
    ]
    assert list(repo_path(snapshot(objects), KUBEFLOW)) == []


@pytest.mark.parametrize("shout", [str.upper, str.title])
def test_repo_path_ignores_case(shout: object) -> None:
    """The patterns are searched in the lower-cased message, so any capitalisation of a wording matches."""
    objects = fresh()
    message = PREFIX + "apps/pipelines-typo: app path does not exist"
    find(objects, "Application", "kubeflow-pipelines")["status"]["conditions"] = [
        {"type": "ComparisonError", "message": shout(message)}  # type: ignore[operator]
    ]
    [finding] = repo_path(snapshot(objects), KUBEFLOW)
    assert finding.title.endswith("(path)")


def test_repo_path_patterns_are_lower_case() -> None:
    """A capital letter in a pattern would never match the lower-cased message it is searched in."""
    from kftui.checks.source import _PROBLEMS

    for pattern, _, _ in _PROBLEMS:
        assert pattern.pattern == pattern.pattern.lower() and not pattern.flags & re.IGNORECASE

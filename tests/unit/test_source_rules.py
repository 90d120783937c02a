"""repo-path, wording by wording: every repo-server and git message it recognises (any case, wrapped by a YAML
dump), the one finding per app, and the source line and fixes that finding shows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kftui.checks.source import repo_path
from kftui.model import Application, ClusterSnapshot, Condition, OperationState, ResourceResult
from kftui.profile import builtin_profile

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PROFILE = builtin_profile("kubeflow")


def app_with(*messages: str, name: str = "pipelines", **fields: object) -> Application:
    conditions = tuple(Condition("ComparisonError", m) for m in messages)
    return Application(name, "argocd", conditions=conditions, **fields)  # type: ignore[arg-type]


def problems(*apps: Application) -> list[str]:
    """The `what` each finding names in its title, one per finding."""
    snapshot = ClusterSnapshot.from_objects(list(apps), now=NOW)
    return [f.title.rsplit("(", 1)[1].rstrip(")") for f in repo_path(snapshot, PROFILE)]


@pytest.mark.parametrize(
    ("message", "what"),
    [
        ("App Path Does Not Exist", "path"),
        ("path apps/x does not exist in repository https://g/r", "path"),
        ("Unable to resolve 'v9' to a commit SHA", "revision"),
        ("unable to resolve v9 to a commit sha", "revision"),
        ("UNABLE TO RESOLVE the ref", "revision"),
        ("fatal: couldn't find remote ref refs/heads/nope", "revision"),
        ("Unknown Revision or path not in the working tree", "revision"),
        ("reference not found", "revision"),
        ("revision HEAD~1 must be resolved", "revision"),
        ("Repository Not Found", "access"),
        ("Authentication Required", "access"),
        ("authentication failed for https://g/r", "access"),
        ("Permission denied (publickey).", "access"),
        ("could not read Username for 'https://g'", "access"),
        ("remote: Invalid username or password.", "access"),
        ("Unable to authenticate using the given credentials", "access"),
        ("ssh: handshake failed: knownhosts: key mismatch", "access"),
        ("Failed to list refs: dial tcp: no such host", "fetch"),
        ("failed to fetch abc123", "fetch"),
        ("Error Cloning repo", "fetch"),
        ("failed to clone repository", "fetch"),
        ("git fetch origin --tags --force failed exit status 128", "fetch"),
    ],
)
def test_each_wording_names_what_is_wrong(message: str, what: str) -> None:
    assert problems(app_with(message)) == [what]


def test_a_message_wrapped_by_a_yaml_dump_still_matches() -> None:
    assert problems(app_with("rpc error: app path\n   does  not\texist")) == ["path"]


def test_the_first_listed_problem_wins_for_a_message_naming_several() -> None:
    assert problems(app_with("failed to list refs: authentication required")) == ["access"]
    assert problems(app_with("unable to resolve 'x': repository not found")) == ["revision"]


@pytest.mark.parametrize(
    "message", ["", "one or more objects failed to apply", "path is fine", "the repository exists"]
)
def test_other_messages_are_not_source_problems(message: str) -> None:
    assert problems(app_with(message)) == []


def test_one_finding_per_app_from_its_first_matching_message_and_apps_in_name_order() -> None:
    apps = [
        app_with("fine", "repository not found", "app path does not exist", name="zeta"),
        app_with("app path does not exist", name="alpha"),
        app_with("nothing here", name="mid"),
    ]
    assert problems(*apps) == ["path", "access"]
    snapshot = ClusterSnapshot.from_objects([*apps], now=NOW)
    assert [f.app for f in repo_path(snapshot, PROFILE)] == ["alpha", "zeta"]


def test_a_per_resource_sync_result_is_not_a_source_problem_but_the_operation_message_is() -> None:
    """A resource's own sync message names a manifest, not the source; the operation's summary can."""
    result = ResourceResult("", "v1", "ConfigMap", "ns", "cm", message="repository not found")
    state = OperationState("Failed", results=(result,))
    assert problems(Application("a", "argocd", operation_state=state)) == []
    state = OperationState("Failed", message="failed to clone repository", results=(result,))
    assert problems(Application("a", "argocd", operation_state=state)) == ["fetch"]


def test_the_finding_quotes_the_message_and_the_apps_source() -> None:
    app = app_with(
        "app path does not exist",
        repo_url="https://github.com/kubeflow/manifests",
        path="apps/pipeline",
        target_revision="v1.9.0",
    )
    (finding,) = repo_path(ClusterSnapshot.from_objects([app], now=NOW), PROFILE)
    assert finding.check == "repo-path"
    assert finding.severity.value == "error"
    assert finding.subject == app.ref
    assert finding.title == "pipelines: Argo CD cannot get its source from git (path)"
    assert finding.evidence == (
        "status.conditions[ComparisonError]: app path does not exist\n"
        "spec.source: repoURL=https://github.com/kubeflow/manifests path=apps/pipeline targetRevision=v1.9.0"
    )
    assert "because spec.source.path does not exist at that revision" in finding.explanation
    # What to do, in order: correct the source first, then hard refresh past the cached error.
    assert finding.explanation.endswith(
        "syncing or retrying gives the same error. Correct the Application's source (fix: fix-source), then "
        "hard refresh so the repo-server fetches again instead of serving its cached error (fix: hard-refresh)."
    )


def test_an_unset_source_is_shown_with_argo_cds_defaults() -> None:
    (finding,) = repo_path(ClusterSnapshot.from_objects([app_with("reference not found")], now=NOW), PROFILE)
    assert finding.evidence.endswith("spec.source: repoURL=? path=. targetRevision=HEAD")
    assert "targetRevision names no branch, tag or commit" in finding.explanation


@pytest.mark.parametrize(
    ("message", "why"),
    [
        ("repository not found", "Argo CD has no credentials for it"),
        ("failed to fetch", "git could not fetch the repository"),
    ],
)
def test_the_explanation_says_why_for_each_problem(message: str, why: str) -> None:
    (finding,) = repo_path(ClusterSnapshot.from_objects([app_with(message)], now=NOW), PROFILE)
    assert why in finding.explanation


def test_the_fixes_edit_the_application_in_its_namespace_and_hard_refresh_it() -> None:
    app = Application(
        "pipelines", "team-gitops", conditions=(Condition("InvalidSpecError", "reference not found"),)
    )
    (finding,) = repo_path(ClusterSnapshot.from_objects([app], now=NOW), PROFILE)
    edit, refresh = finding.fixes
    assert (edit.id, refresh.id) == ("fix-source", "hard-refresh")
    assert "-n team-gitops" in edit.command and "pipelines" in edit.command
    assert "--hard-refresh" in refresh.command and "pipelines" in refresh.command

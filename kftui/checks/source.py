"""repo-path: Argo CD cannot fetch or find the app's source in git."""

from __future__ import annotations

import re
from collections.abc import Iterator

from kftui.checks import fixrefs
from kftui.checks.evidence import app_messages, applications, squash
from kftui.model import ClusterSnapshot, Finding, Severity
from kftui.profile import Profile

# (pattern, what is wrong, what to check). Wordings from Argo CD's repo-server across 1.x-3.x and git. The
# patterns are lower-case and searched in the lower-cased message: re.IGNORECASE made these four searches
# cost 7 us a message, a tenth of the 1,500-app check pass, where a lower() and one search cost under 3.
_PROBLEMS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (
        re.compile(r"app path does not exist|path .* does not exist in repository"),
        "path",
        "spec.source.path does not exist at that revision (a typo, a moved directory, or the path exists only "
        "on another branch)",
    ),
    (
        re.compile(
            r"unable to resolve '?[^']*'? to a commit sha|unable to resolve|couldn't find remote ref|"
            r"unknown revision|reference not found|revision .* must be resolved"
        ),
        "revision",
        "spec.source.targetRevision names no branch, tag or commit of the repository",
    ),
    (
        re.compile(
            r"repository not found|authentication required|authentication failed|permission denied \(publickey\)|"
            r"could not read username|invalid username or password|unable to authenticate|ssh: handshake failed"
        ),
        "access",
        "the repository URL is wrong or Argo CD has no credentials for it (a repository Secret labelled "
        "argocd.argoproj.io/secret-type: repository)",
    ),
    (
        re.compile(r"failed to list refs|failed to fetch|error cloning|failed to clone|git fetch .* failed"),
        "fetch",
        "git could not fetch the repository (URL, credentials, or network from the repo-server)",
    ),
)


_ANY_PROBLEM = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _, _ in _PROBLEMS))
"""Whether any of them matches, in one search: nearly every message matches none ("successfully synced")."""


def repo_path(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """The app's source cannot be fetched or rendered from git: `app path does not exist`,
    `Unable to resolve '<rev>' to a commit SHA`, `repository not found`, authentication or clone
    failures, as Argo CD's repo-server reports them in ComparisonError / InvalidSpecError conditions."""
    for app in applications(snapshot):
        for msg in app_messages(app):
            if msg.result is not None:
                continue
            text = squash(msg.text).lower()
            if _ANY_PROBLEM.search(text) is None:
                continue
            hit = next(((what, why) for pat, what, why in _PROBLEMS if pat.search(text)), None)
            if hit is None:
                continue
            what, why = hit
            source = f"repoURL={app.repo_url or '?'} path={app.path or '.'} targetRevision={app.target_revision or 'HEAD'}"
            yield Finding(
                check="repo-path",
                severity=Severity.ERROR,
                app=app.name,
                subject=app.ref,
                title=f"{app.name}: Argo CD cannot get its source from git ({what})",
                evidence=f"{msg.quoted}\nspec.source: {source}",
                explanation=(
                    f"Argo CD cannot produce the manifests because {why}. Nothing is synced until this is fixed; "
                    "syncing or retrying gives the same error. Correct the Application's source (fix: fix-source), "
                    "then hard refresh so the repo-server fetches again instead of serving its cached error "
                    "(fix: hard-refresh)."
                ),
                fixes=(fixrefs.fix_source(app.name, app.namespace), fixrefs.hard_refresh(app.name)),
            )
            break

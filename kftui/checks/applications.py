"""Checks on the Application objects themselves: sync status, health and the last operation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from kftui.checks import fixrefs
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, Severity
from kftui.profile import Profile

MAX_LISTED = 8


def _listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def _res_name(kind: str, namespace: str, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def app_out_of_sync(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An Application whose live state differs from git (sync.status OutOfSync) or cannot be compared (Unknown).

    The guide's step "argocd app sync kubeflow" exists because a new app starts OutOfSync; Unknown means the
    comparison itself failed and the conditions say why (see kustomize-duplicate-id, repo-path).
    """
    for app in snapshot.applications.values():
        if app.sync_status == "OutOfSync":
            drifted = [
                _res_name(r.kind, r.namespace, r.name)
                for r in app.resources
                if r.sync_status == "OutOfSync" and not r.requires_pruning
            ]
            prunable = [_res_name(r.kind, r.namespace, r.name) for r in app.resources if r.requires_pruning]
            parts = ["status.sync.status=OutOfSync"]
            if drifted:
                parts.append(f"out of sync ({len(drifted)}): {_listing(drifted)}")
            if prunable:
                parts.append(f"require pruning ({len(prunable)}): {_listing(prunable)}")
            fixes = [fixrefs.sync(app.name), fixrefs.refresh(app.name)]
            if prunable:
                fixes.insert(1, fixrefs.sync_prune(app.name))
            auto = (
                "Automated sync is on, so Argo CD should converge by itself unless a sync keeps failing. "
                if (app.automated)
                else "Automated sync is off: nothing changes until someone syncs. "
            )
            yield Finding(
                check="app-out-of-sync",
                severity=Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"{app.name} is OutOfSync ({len(drifted) + len(prunable)} resources differ from git)",
                evidence="; ".join(parts),
                explanation=auto + "Sync applies git's version of the listed resources; refresh first if you "
                "just pushed and Argo CD has not noticed yet.",
                fixes=tuple(fixes),
            )
        elif app.sync_status == "Unknown":
            reasons = [f"{c.type}: {c.message}" for c in app.conditions if c.type.endswith("Error")]
            yield Finding(
                check="app-out-of-sync",
                severity=Severity.ERROR if reasons else Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"{app.name}: Argo CD cannot compare it with git (sync status Unknown)",
                evidence="status.sync.status=Unknown" + (f"; {reasons[0]}" if reasons else ""),
                explanation="Argo CD could not render or fetch the app's manifests, so it cannot tell what is "
                "out of sync and a sync would fail the same way. Fix the cause in the condition, then hard "
                "refresh so Argo CD renders again.",
                fixes=(fixrefs.hard_refresh(app.name),),
            )


def _progressing_since(app: Application) -> object:
    state = app.operation_state
    if state is None:
        return app.created_at
    return state.finished_at or state.started_at or app.created_at


def app_degraded(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An Application whose health is Degraded or Missing, or Progressing for longer than the profile allows.

    Names the resources whose health makes it so (status.resources[].health), as `argocd app get` does.
    """
    grace = timedelta(seconds=profile.progressing_grace_seconds)
    for app in snapshot.applications.values():
        status = app.health_status
        if status not in ("Degraded", "Missing", "Progressing"):
            continue
        if status == "Progressing":
            since = _progressing_since(app)
            if since is None or snapshot.now - since < grace:  # type: ignore[operator]
                continue
        culprits = [
            _res_name(r.kind, r.namespace, r.name)
            + f" {r.health_status}"
            + (f" ({r.health_message})" if r.health_message else "")
            for r in app.resources
            if r.health_status in ("Degraded", "Missing", "Progressing")
        ]
        evidence = f"status.health.status={status}"
        if app.health_message:
            evidence += f" ({app.health_message})"
        if culprits:
            evidence += f"; {_listing(culprits)}"
        if status == "Missing":
            explanation = (
                "The app's resources do not exist in the cluster: it was never synced, or what it "
                "created was deleted. Sync creates them."
            )
            fixes: tuple[FixRef, ...] = (fixrefs.sync(app.name), fixrefs.refresh(app.name))
            severity = Severity.ERROR
        elif status == "Degraded":
            explanation = (
                "Resources exist but are failing (pods crashing, deployments without available "
                "replicas). The pod findings below name the cause; syncing again rarely helps."
            )
            fixes = (fixrefs.hard_refresh(app.name), fixrefs.sync(app.name))
            severity = Severity.ERROR
        else:
            explanation = (
                f"Still Progressing after more than {profile.progressing_grace_seconds // 60} minutes: "
                "something it waits for (a pod, a webhook, a CRD) is not coming up."
            )
            fixes = (fixrefs.hard_refresh(app.name),)
            severity = Severity.WARNING
        yield Finding(
            check="app-degraded",
            severity=severity,
            app=app.name,
            subject=app.ref,
            title=f"{app.name} is {status}" + (f": {len(culprits)} unhealthy resources" if culprits else ""),
            evidence=evidence,
            explanation=explanation,
            fixes=fixes,
        )


def app_operation_failed(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """The last sync operation ended Failed or Error (status.operationState.phase), with the failing resources."""
    for app in snapshot.applications.values():
        state = app.operation_state
        if state is None or state.phase not in ("Failed", "Error"):
            continue
        failed = [
            r for r in state.results if r.status == "SyncFailed" or (r.hook_phase in ("Failed", "Error"))
        ]
        evidence = f"status.operationState.phase={state.phase}: {state.message}".rstrip(": ")
        if failed:
            evidence += "; " + _listing(
                [f"{_res_name(r.kind, r.namespace, r.name)}: {r.message}" for r in failed]
            )
        yield Finding(
            check="app-operation-failed",
            severity=Severity.ERROR,
            app=app.name,
            subject=app.ref,
            title=f"Last sync of {app.name} {state.phase.lower()}"
            + (f" on {len(failed)} resources" if failed else ""),
            evidence=evidence,
            explanation="Argo CD tried to apply the manifests and the API server refused some of them. The "
            "message says why; a plain retry only helps when the cause was transient (a webhook or CRD not "
            "ready yet).",
            fixes=(fixrefs.sync(app.name), fixrefs.hard_refresh(app.name)),
        )

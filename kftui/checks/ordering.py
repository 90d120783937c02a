"""dependency-order: Applications that run ahead of the ones they need.

The profile says which app depends on which (Kubeflow: core -> SeaweedFS -> Pipelines). Argo CD knows
nothing of that unless the apps sit under an App of Apps with sync waves, and then only if argocd-cm
tells it how to judge an Application's health (the built-in check was removed in Argo CD 1.8; see
"Sync Phases and Waves" and the 1.7 -> 1.8 upgrade notes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta

from kftui.checks import fixrefs
from kftui.checks.applications import progressing_since
from kftui.checks.evidence import applications, apps_by_name
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, ObjectRef, Severity
from kftui.profile import Profile

APP_HEALTH_KEY = "resource.customizations.health.argoproj.io_Application"
WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"


def _active(app: Application) -> str:
    """Why the app counts as moving ahead: syncing, synced, or Progressing; '' when it is not."""
    if app.operation_phase in ("Running", "Terminating"):
        return "is syncing"
    if app.sync_status == "Synced":
        return "is Synced"
    if app.health_status == "Progressing":
        return "is Progressing"
    return ""


def _routine_rollout(snapshot: ClusterSnapshot, profile: Profile, app: Application, dep: Application) -> bool:
    """A settled dependent (Synced, Healthy, idle) while its dependency is briefly Progressing: an ordinary
    rollout of the dependency, not an ordering problem, until it lasts longer than the profile's grace."""
    if app.health_status != "Healthy" or app.operation_phase in ("Running", "Terminating"):
        return False
    if dep.health_status != "Progressing":
        return False
    since = progressing_since(dep)
    return since is not None and snapshot.now - since < timedelta(seconds=profile.progressing_grace_seconds)


def _ordered_sync(snapshot: ClusterSnapshot, profile: Profile) -> FixRef:
    present = {a.name for a in snapshot.applications.values()}
    return fixrefs.ordered_sync(tuple(a for a in profile.chain() if a in present))


def _has_app_health(config: Mapping[str, str]) -> bool:
    """argocd-cm holds a health check for Applications, in the per-key or the older single-key form."""
    if config.get(APP_HEALTH_KEY, "").strip():
        return True
    blob = config.get("resource.customizations", "")
    return "argoproj.io/Application" in blob and "health.lua" in blob


def dependency_order(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An app syncing, Synced or Progressing while an app it depends on (per the profile) is not Healthy;
    sync-wave annotations on Applications that contradict the profile's order; waves between Applications
    without the Application health check in argocd-cm (without it Argo CD does not wait between waves)."""
    yield from _blocked(snapshot, profile)
    yield from _waves(snapshot, profile)


def _blocked(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    by_name = apps_by_name(snapshot)
    for app in applications(snapshot):
        spec = profile.spec(app.name)
        if spec is None:
            continue
        moving = _active(app)
        if not moving:
            continue
        for dep_name in spec.depends_on:
            dep = by_name.get(dep_name)
            if dep is not None and dep.health_status == "Healthy":
                continue
            if dep is not None and _routine_rollout(snapshot, profile, app, dep):
                continue
            if dep is None:
                dep_state = "does not exist"
                evidence = f"{app.name}: {moving}\nApplication {dep_name} not found in the cluster"
            else:
                dep_state = f"is {dep.health_status}"
                evidence = (
                    f"{app.name}: sync={app.sync_status}, health={app.health_status}, "
                    f"operation={app.operation_phase or 'none'}\n{dep.name}: health={dep.health_status}"
                    + (f" ({dep.health_message})" if dep.health_message else "")
                    + f", sync={dep.sync_status}"
                )
            yield Finding(
                check="dependency-order",
                severity=Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"{app.name} {moving} while {dep_name} {dep_state} (blocked by {dep_name})",
                evidence=evidence + f"\nprofile {profile.name}: {app.name} depends on {dep_name}",
                explanation=(
                    f"{app.name} needs {dep_name} to be Healthy first (the profile's order is "
                    f"{' -> '.join(profile.chain())}). Until {dep_name} is Healthy, what {app.name} deploys "
                    f"may start against missing CRDs, webhooks or services and fail in confusing ways. Fix "
                    f"{dep_name} first (see its findings), then sync the chain in order, waiting for each app "
                    "to be Healthy (fix: ordered-sync)."
                ),
                fixes=(_ordered_sync(snapshot, profile),),
                waits_for=(dep_name,),
            )


def _waves(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    apps = {a.name: a for a in applications(snapshot)}
    waved = [a for a in apps.values() if WAVE_ANNOTATION in a.annotations]
    for app in applications(snapshot):
        spec = profile.spec(app.name)
        if spec is None:
            continue
        for dep_name in spec.depends_on:
            dep = apps.get(dep_name)
            # A wave is read from the annotation, so one of the two carries it from here on.
            if dep is None or (app.sync_wave is None and dep.sync_wave is None):
                continue
            mine, theirs = app.sync_wave or 0, dep.sync_wave or 0
            if mine > theirs:
                continue
            yield Finding(
                check="dependency-order",
                severity=Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"Sync wave of {app.name} ({mine}) does not come after {dep_name} ({theirs})",
                evidence=(
                    f"{app.name} {WAVE_ANNOTATION}={app.annotations.get(WAVE_ANNOTATION, '(none, so 0)')}\n"
                    f"{dep_name} {WAVE_ANNOTATION}={dep.annotations.get(WAVE_ANNOTATION, '(none, so 0)')}\n"
                    f"profile {profile.name}: {app.name} depends on {dep_name}"
                ),
                explanation=(
                    f"Under an App of Apps, Argo CD syncs lower waves first and same-wave apps together, so "
                    f"{app.name} {'starts together with' if mine == theirs else 'starts before'} {dep_name}. "
                    f"Give {app.name} a higher wave than {dep_name} in git, or sync them in order by hand "
                    "(fix: ordered-sync)."
                ),
                fixes=(_ordered_sync(snapshot, profile),),
            )
    distinct = {a.sync_wave for a in waved}
    if len(distinct) < 2 or _has_app_health(snapshot.argocd_config):
        return
    # An empty argocd-cm may just be one kftui could not read (it needs get on configmaps in argocd).
    read = bool(snapshot.argocd_config)
    names = ", ".join(f"{a.name}={a.sync_wave}" for a in waved)
    yield Finding(
        check="dependency-order",
        severity=Severity.WARNING if read else Severity.INFO,
        app=None,
        subject=ObjectRef("ConfigMap", snapshot.argocd_namespace, "argocd-cm"),
        title="Sync waves between Applications have no effect: argocd-cm lacks the Application health check",
        evidence=(
            f"sync waves on Applications: {names}\nargocd-cm has no {APP_HEALTH_KEY}"
            + ("" if snapshot.argocd_config else " (argocd-cm is empty or could not be read)")
        ),
        explanation=(
            "Since Argo CD 1.8 an Application has no built-in health check, so the parent app does not wait "
            "for one wave's apps to become Healthy before starting the next: every wave starts at once. Add "
            f"the `{APP_HEALTH_KEY}` Lua health check to argocd-cm (Argo CD's 1.7 -> 1.8 upgrade notes have "
            "it), or sync the chain in order yourself (fix: ordered-sync)."
        ),
        fixes=(_ordered_sync(snapshot, profile),),
    )

"""Checks on the Application objects themselves: sync status, health and the last operation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from kftui.checks import fixrefs
from kftui.checks.coverage import applications_unseen
from kftui.checks.evidence import applications, listing, res_name
from kftui.checks.health import pod_index, resource_health
from kftui.model import Application, ClusterSnapshot, Finding, FixRef, ManagedResource, ObjectRef, Severity
from kftui.profile import Profile
from kftui.wording import plural

_listing = listing
_res_name = res_name

# Fields that a controller or cert-manager's CA injector writes into these kinds after Argo CD applied
# them: the usual reason they show OutOfSync forever although nobody changed them.
KNOWN_MUTATIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "MutatingWebhookConfiguration": (
        "admissionregistration.k8s.io",
        (".webhooks[]?.clientConfig.caBundle", ".webhooks[]?.failurePolicy"),
    ),
    "ValidatingWebhookConfiguration": (
        "admissionregistration.k8s.io",
        (".webhooks[]?.clientConfig.caBundle", ".webhooks[]?.failurePolicy"),
    ),
    "CustomResourceDefinition": (
        "apiextensions.k8s.io",
        (".spec.conversion.webhook.clientConfig.caBundle",),
    ),
    "APIService": ("apiregistration.k8s.io", (".spec.caBundle",)),
}


def ignore_differences_snippet(resources: list[ManagedResource]) -> str:
    """A YAML fragment for the Application spec that stops known injected fields from counting as drift.

    RespectIgnoreDifferences=true keeps a sync from overwriting the injected values again.
    """
    lines = ["spec:", "  ignoreDifferences:"]
    for res in resources:
        group, paths = KNOWN_MUTATIONS[res.kind]
        lines += [
            f"  - group: {res.group or group}",
            f"    kind: {res.kind}",
            f"    name: {res.name}",
            "    jqPathExpressions:",
        ]
        lines += [f"    - '{p}'" for p in paths]
    lines += ["  syncPolicy:", "    syncOptions:", "    - RespectIgnoreDifferences=true"]
    return "\n".join(lines)


def _differ(n: int) -> str:
    return f"{plural(n, 'resource')} {'differs' if n == 1 else 'differ'}"


def app_out_of_sync(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An Application whose live state differs from git (sync.status OutOfSync) or cannot be compared (Unknown).

    The guide's step "argocd app sync kubeflow" exists because a new app starts OutOfSync; Unknown means the
    comparison itself failed and the conditions say why (see kustomize-duplicate-id, repo-path).
    """
    for app in applications(snapshot):
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
            explanation = (
                auto + "Sync applies git's version of the listed resources (fix: sync); refresh first if you "
                "just pushed and Argo CD has not noticed yet (fix: refresh)."
            )
            mutated = [
                r
                for r in app.resources
                if r.sync_status == "OutOfSync" and not r.requires_pruning and r.kind in KNOWN_MUTATIONS
            ]
            if mutated:
                explanation += (
                    f"\n\n{', '.join(r.kind + '/' + r.name for r in mutated)}: webhook configurations and CRDs "
                    "usually drift only because cert-manager's CA injector writes caBundle (or the API server "
                    "defaults failurePolicy) after Argo CD applied them, so a sync changes nothing for long. "
                    "If the diff shows only those fields, paste this into the Application and sync once:\n\n"
                    + ignore_differences_snippet(mutated)
                )
            yield Finding(
                check="app-out-of-sync",
                severity=Severity.WARNING,
                app=app.name,
                subject=app.ref,
                title=f"{app.name} is OutOfSync ({_differ(len(drifted) + len(prunable))} from git)",
                evidence="\n".join(parts),
                explanation=explanation,
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
                evidence="\n".join(["status.sync.status=Unknown", *reasons[:1]]),
                explanation="Argo CD could not render or fetch the app's manifests, so it cannot tell what is "
                "out of sync and a sync would fail the same way. Fix the cause in the condition (a more specific "
                "finding, such as kustomize-duplicate-id or repo-path, explains it when kftui knows the message), "
                "then hard refresh (fix: hard-refresh) so Argo CD renders again.",
                fixes=(fixrefs.hard_refresh(app.name),),
            )


def progressing_since(app: Application) -> datetime | None:
    """When the app's current Progressing spell most likely began: its last operation, else its creation."""
    state = app.operation_state
    if state is None:
        return app.created_at
    return state.finished_at or state.started_at or app.created_at


def app_degraded(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """An Application whose health is Degraded or Missing, or Progressing for longer than the profile allows.

    Names the resources whose health makes it so (status.resources[].health), as `argocd app get` does;
    Argo CD 3.x no longer stores that per resource, so it is then computed from the live workloads and pods.
    """
    grace = timedelta(seconds=profile.progressing_grace_seconds)
    index = pod_index(snapshot)  # (grouped only if some resource's health must be computed)
    for app in applications(snapshot):
        status = app.health_status
        if status not in ("Degraded", "Missing", "Progressing"):
            continue
        if status == "Progressing":
            since = progressing_since(app)
            if since is None or snapshot.now - since < grace:
                continue
        culprits = []
        cluster = snapshot.cluster_of(app)
        for r in app.resources:
            health = resource_health(snapshot, r, index, cluster)
            if health.status not in ("Degraded", "Missing", "Progressing"):
                continue
            culprits.append(
                _res_name(r.kind, r.namespace, r.name)
                + f" {health.status}"
                + (f" ({health.message})" if health.message else "")
                + (" [from live objects]" if health.computed else "")
            )
        evidence = f"status.health.status={status}"
        if app.health_message:
            evidence += f" ({app.health_message})"
        if culprits:
            evidence += f"\n{_listing(culprits)}"
        if status == "Missing":
            explanation = (
                "The app's resources do not exist in the cluster: it was never synced, or what it "
                "created was deleted. Sync creates them (fix: sync); refresh if git changed (fix: refresh)."
            )
            fixes: tuple[FixRef, ...] = (fixrefs.sync(app.name), fixrefs.refresh(app.name))
            severity = Severity.ERROR
        elif status == "Degraded":
            explanation = (
                "Resources exist but are failing (pods crashing, deployments without available "
                "replicas). The pod findings name the cause; syncing again rarely helps. Once the cause is "
                "fixed, hard refresh (fix: hard-refresh) so Argo CD re-evaluates, or sync (fix: sync) if git changed."
            )
            fixes = (fixrefs.hard_refresh(app.name), fixrefs.sync(app.name))
            severity = Severity.ERROR
        else:
            explanation = (
                f"Still Progressing after more than {profile.progressing_grace_seconds // 60} minutes: "
                "something it waits for (a pod, a webhook, a CRD) is not coming up. The other findings usually "
                "name it; hard refresh (fix: hard-refresh) once it is fixed."
            )
            fixes = (fixrefs.hard_refresh(app.name),)
            severity = Severity.WARNING
        yield Finding(
            check="app-degraded",
            severity=severity,
            app=app.name,
            subject=app.ref,
            title=f"{app.name} is {status}"
            + (f": {plural(len(culprits), 'unhealthy resource')}" if culprits else ""),
            evidence=evidence,
            explanation=explanation,
            fixes=fixes,
        )


def app_operation_failed(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """The last sync operation ended Failed or Error (status.operationState.phase), with the failing resources."""
    for app in applications(snapshot):
        state = app.operation_state
        if state is None or state.phase not in ("Failed", "Error"):
            continue
        failed = [
            r for r in state.results if r.status == "SyncFailed" or (r.hook_phase in ("Failed", "Error"))
        ]
        evidence = f"status.operationState.phase={state.phase}: {state.message}".rstrip(": ")
        if failed:
            evidence += "\n" + _listing(
                [f"{_res_name(r.kind, r.namespace, r.name)}: {r.message}" for r in failed]
            )
        yield Finding(
            check="app-operation-failed",
            severity=Severity.ERROR,
            app=app.name,
            subject=app.ref,
            title=f"Last sync of {app.name} {state.phase.lower()}"
            + (f" on {plural(len(failed), 'resource')}" if failed else ""),
            evidence=evidence,
            explanation="Argo CD tried to apply the manifests and the API server refused some of them. The "
            "message says why; a plain retry only helps when the cause was transient (a webhook or CRD not "
            "ready yet): retry with fix sync. If it was a render problem, fix git and hard refresh (fix: hard-refresh). "
            "The more specific findings (crd-missing, webhook-unavailable, ...) say which.",
            fixes=(fixrefs.sync(app.name), fixrefs.hard_refresh(app.name)),
        )


def applications_missing(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """No Argo CD Application at all where kftui looked (the Argo CD namespace of a cluster, or a dump).

    Every other check reads the Applications, so with none of them an install is not "clean", it is
    unseen: Argo CD is in another namespace (--argocd-namespace), the Applications were never created, or
    the dump holds only workloads. When the Applications could not be listed at all, this check stays
    silent: the coverage verdict (checks/coverage.py) makes that the headline instead.
    """
    if snapshot.applications or applications_unseen(snapshot) is not None:
        return
    expected = [a.name for a in profile.applications]
    where = f"namespace {snapshot.argocd_namespace}"
    if snapshot.source == "live":
        evidence = f"LIST applications.argoproj.io in {where}: 0 items"
    else:
        evidence = f"{snapshot.source or 'the snapshot'}: no object of kind Application"
    yield Finding(
        check="applications-missing",
        severity=Severity.ERROR,
        app=None,
        subject=ObjectRef("Namespace", None, snapshot.argocd_namespace),
        title=f"No Argo CD Applications in {where}",
        evidence=evidence
        + (f"\nthe {profile.name} profile expects {', '.join(expected)}" if expected else ""),
        explanation=(
            "kftui diagnoses an install through its Argo CD Applications and found none, so nothing was "
            "checked. Argo CD may keep them in another namespace (--argocd-namespace NS), they may not "
            "have been created yet (kubectl apply the Application manifests), or the dump was taken "
            "without them (kftui dump includes them)."
        ),
    )

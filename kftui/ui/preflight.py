"""Ordered sync preflight: from the current findings, where the chain will stop and why, before Start."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kftui.model import Chains, ClusterSnapshot, Finding, Severity

RENDER_WORDS = ("render", "kustomize", "comparisonerror", "manifest")


@dataclass(frozen=True)
class Outlook:
    """One app of the chain as things stand: `state` is ready, will sync, stops here, or not reached."""

    app: str
    state: str
    detail: str
    root_cause: str = ""
    """The root cause the app's errors lead back to (its id and title), which a stop at this app names."""


def outlook(chain: Sequence[str], snapshot: ClusterSnapshot, findings: Iterable[Finding]) -> list[Outlook]:
    """Walk the chain as the ordered sync will: the first app with an error it cannot sync away stops it."""
    apps = {a.name: a for a in snapshot.applications.values()}
    listed = list(findings)
    chains = Chains(listed)
    errors: dict[str, list[Finding]] = {}
    for f in sorted(listed, key=lambda f: f.sort_key):
        if f.severity is Severity.ERROR and f.app:
            errors.setdefault(f.app, []).append(f)
    rows: list[Outlook] = []
    stopped = False
    for name in chain:
        # Every row knows its root cause, so a stop where none was foreseen still names one.
        mine = errors.get(name, [])
        roots = sorted(chains.root_causes_of(mine), key=lambda f: f.sort_key)
        cause = f"{roots[0].id}: {roots[0].title}" if roots else ""
        if stopped:
            rows.append(Outlook(name, "not reached", "", cause))
            continue
        app = apps.get(name)
        reason = _blocker(name, app.health_status if app else None, mine, roots)
        if reason is not None:
            rows.append(Outlook(name, "stops here", reason, cause))
            stopped = True
        elif app is not None and app.sync_status == "Synced" and app.health_status == "Healthy":
            rows.append(Outlook(name, "ready", "Synced and Healthy"))
        else:
            status = f"{app.sync_status} {app.health_status}" if app else "unknown"
            rows.append(Outlook(name, "will sync", status, cause))
    return rows


def _blocker(name: str, health: str | None, errors: list[Finding], roots: list[Finding]) -> str | None:
    """Why the chain stops at this app, naming the root cause of its errors rather than a symptom."""
    if health is None:
        return "the Application does not exist"
    render = next((f for f in errors if any(w in f.title.lower() for w in RENDER_WORDS)), None)
    if render is not None:
        root = next((f for f in roots if any(w in f.title.lower() for w in RENDER_WORDS)), render)
        return f"cannot render: {root.title}"
    if health in ("Degraded", "Missing"):
        # The cause rather than the finding that repeats the health ("kubeflow is Degraded: ..."), if known.
        cause = next((f for f in roots if health.lower() not in f.title.lower()), None)
        cause = cause or next((f for f in errors if health.lower() not in f.title.lower()), None)
        return f"{health}: {cause.title}" if cause else health
    return None


def summary(rows: Sequence[Outlook]) -> str:
    """One line for the top of the screen: where it stops and why, or that nothing known stops it."""
    stop = next((r for r in rows if r.state == "stops here"), None)
    if stop is None:
        return "Preflight: no current finding stops the chain."
    return f"Preflight: stops at {stop.app}: {stop.detail}"

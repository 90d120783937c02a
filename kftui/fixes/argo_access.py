"""Argo CD's own RBAC, asked before an Argo CD action runs through its REST API (the Kubernetes RBAC case's twin).

Argo CD authorizes `sync`, `get`, `update` on `applications` per `<project>/<app>` (argocd-rbac-cm, project
roles), not Kubernetes. kftui asks it the way `argocd account can-i ACTION applications PROJECT/APP` does:
  GET /api/v1/account/can-i/applications/{action}/{project}/{app}   -> {"value": "yes" | "no"}
after reading the app's project (GET /api/v1/applications/{name}). A "no", or a 403 with Argo CD's message,
becomes the reason the fix is shown disabled; an answer that cannot be had refuses nothing (the action itself
is still refused by Argo CD if it must be).
"""

from __future__ import annotations

import threading
from urllib.parse import quote

from kftui.cluster.argoread import ArgoHttp, app_path
from kftui.cluster.fields import as_map, as_str
from kftui.cluster.ops import ActionError
from kftui.fixes.plans import FixPlan, OrderedSyncPlan

# The Argo CD RBAC action each Argo CD fix needs; the rest (sync, sync-*, terminate, ordered-sync) need `sync`.
ARGO_ACTIONS = {
    "refresh": "get",
    "hard-refresh": "get",
    "disable-auto-prune": "update",
    "ignore-drift": "update",
}
UNKNOWN = object()


class ArgoRbac:
    """Argo CD's answers about what this token may do, asked once per (action, app) and kept."""

    def __init__(self, http: ArgoHttp, app_namespace: str = "argocd") -> None:
        self.http = http
        self.app_namespace = app_namespace
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], str | None] = {}

    def _questions(self, plan: FixPlan) -> list[tuple[str, str]]:
        action = ARGO_ACTIONS.get(plan.fix_id, "sync")
        apps = plan.chain if isinstance(plan, OrderedSyncPlan) and plan.chain else (plan.target.name,)
        return [(action, app) for app in apps]

    def cached(self, plan: FixPlan) -> str | None:
        """The refusal already known for `plan` (no I/O: the event loop asks this)."""
        with self._lock:
            return next((r for q in self._questions(plan) if (r := self._answers.get(q))), None)

    def review(self, plan: FixPlan) -> str | None:
        """Ask Argo CD what is not known yet; the first refusal, or None. Blocks: worker threads only."""
        for question in self._questions(plan):
            with self._lock:
                known = self._answers.get(question, UNKNOWN)
            answer = self._ask(*question) if known is UNKNOWN else known
            with self._lock:
                self._answers[question] = answer  # type: ignore[assignment]
            if answer:
                return answer  # type: ignore[return-value]
        return None

    def _ask(self, action: str, app: str) -> str | None:
        try:
            data = self.http.get_json(app_path(app), {"appNamespace": self.app_namespace})
            project = as_str(as_map(as_map(data).get("spec")).get("project")) or "default"
            subject = f"{project}/{app}"
            path = f"/api/v1/account/can-i/applications/{quote(action, safe='')}/{quote(subject, safe='/')}"
            answer = as_str(as_map(self.http.get_json(path)).get("value"))
        except ActionError as exc:
            text = str(exc)
            return f"Argo CD RBAC: {text}" if "(403)" in text or "(401)" in text else None
        if answer == "no":
            return (
                f"Argo CD RBAC: this token may not {action} applications {subject} "
                f"(argocd account can-i {action} applications {subject}: no)"
            )
        return None

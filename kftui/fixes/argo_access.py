"""Argo CD's own RBAC, asked before an Argo CD action runs through its REST API (the Kubernetes RBAC case's twin).

Argo CD authorizes `sync`, `get`, `update` on `applications` per `<project>/<app>` (argocd-rbac-cm, project
roles), not Kubernetes. kftui asks it the way `argocd account can-i ACTION applications PROJECT/APP` does:
  GET /api/v1/account/can-i/applications/{action}/{project}/{app}   -> {"value": "yes" | "no"}
after reading the app's project (GET /api/v1/applications/{name}). A "no", or a 403 with Argo CD's message,
becomes the reason the fix is shown disabled; an answer that cannot be had refuses nothing (the action itself
is still refused by Argo CD if it must be).

What Argo CD does on a resource of an app's tree (restart, delete-pod on a cluster kftui reads through Argo CD)
is authorized per resource (server/application/application.go, Argo CD v3.2):
  RunResourceActionV2   action/<group>/<Kind>/<action>                  `action/apps/Deployment/restart`
  DeleteResource        delete/<group>/<Kind>/<namespace>/<name>        `delete//Pod/kubeflow/ml-pipeline-x`
                        (v3's default, server.rbac.disableApplicationFineGrainedRBACInheritance; with
                        inheritance on, plain `delete` on the app first)
These cannot be asked beforehand. Argo CD's can-i takes only the coarse actions (server/account CanI checks
rbac.Actions: get, create, update, delete, sync, override, action, invoke; the CLI, over gRPC, gets "does not
contain"), and over REST the question does not even arrive whole: the gateway (grpc-gateway v1) routes on the
decoded path, so an escaped `action%2Fapps%2F...` splits into action `action` and a subresource of the rest, a
different question whose "no" means nothing. So for these only the app's `get` is asked (a token that may not
read the app may not act on it), and the first 403 of the action itself, with Argo CD's reason, is kept
(`learn`): from then on the fix is shown disabled with that reason.
"""

from __future__ import annotations

import threading
from urllib.parse import quote

from kftui.cluster.argoread import ArgoHttp, app_path
from kftui.cluster.fields import as_map, as_str
from kftui.cluster.ops import ActionError
from kftui.fixes.plans import DeleteResourcePlan, FixPlan, OrderedSyncPlan, ResourceActionPlan

# The Argo CD RBAC action each Argo CD fix needs; the rest (sync, sync-*, terminate, ordered-sync) need `sync`.
ARGO_ACTIONS = {
    "refresh": "get",
    "hard-refresh": "get",
    "disable-auto-prune": "update",
    "ignore-drift": "update",
}
UNKNOWN = object()


def argo_action(plan: FixPlan) -> str:
    """The Argo CD RBAC action `plan` needs on its Application (the module docstring lists them)."""
    if isinstance(plan, ResourceActionPlan):
        r = plan.resource
        return f"action/{r.group}/{r.kind}/{plan.action}"
    if isinstance(plan, DeleteResourcePlan):
        r = plan.resource
        return f"delete/{r.group}/{r.kind}/{r.namespace}/{r.name}"
    return ARGO_ACTIONS.get(plan.fix_id, "sync")


def _app_of(plan: FixPlan) -> str:
    """The Application a plan acts through: its target, or the app that manages its resource."""
    if isinstance(plan, ResourceActionPlan | DeleteResourcePlan):
        return plan.resource.app
    return plan.target.name


class ArgoRbac:
    """Argo CD's answers about what this token may do, asked once per (action, app) and kept."""

    def __init__(self, http: ArgoHttp, app_namespace: str = "argocd") -> None:
        self.http = http
        self.app_namespace = app_namespace
        self._lock = threading.Lock()
        self._answers: dict[tuple[str, str], str | None] = {}

    def _questions(self, plan: FixPlan) -> list[tuple[str, str]]:
        action = argo_action(plan)
        apps = plan.chain if isinstance(plan, OrderedSyncPlan) and plan.chain else (_app_of(plan),)
        return [(action, app) for app in apps]

    def learn(self, plan: FixPlan, refusal: str) -> None:
        """Keep the refusal Argo CD gave when `plan` ran (the answer can-i could not give beforehand)."""
        with self._lock:
            for action, app in self._questions(plan):
                # (Argo CD tells a client only "permission denied": say which permission that was.)
                self._answers[(action, app)] = (
                    f"Argo CD RBAC: {refusal} (the token may not {action} applications .../{app})"
                )

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
            if "/" in action:
                return None  # a per-resource action: can-i cannot be asked it (the module docstring says why)
            # (The action is a coarse one here, a lower-case word: get, update or sync.)
            path = f"/api/v1/account/can-i/applications/{action}/{quote(subject)}"
            answer = as_str(as_map(self.http.get_json(path)).get("value"))
        except ActionError as exc:
            text = str(exc)
            return f"Argo CD RBAC: {text}" if is_refusal(text) else None
        if answer == "no":
            return (
                f"Argo CD RBAC: this token may not {action} applications {subject} "
                f"(argocd account can-i {action} applications {subject}: no)"
            )
        return None


def is_refusal(message: str) -> bool:
    """Whether an ActionError's message is Argo CD refusing the token (cluster/argocd.py `_refused`)."""
    return "(403)" in message or "(401)" in message

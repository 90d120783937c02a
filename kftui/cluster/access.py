"""What the current credentials may do, asked of the API server: SelfSubjectAccessReview.

POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews with the resourceAttributes of one
Permission; the answer's status.allowed is the authorizer's verdict for exactly that request (RBAC,
webhooks, everything the API server would apply). Who "I" am comes from one SelfSubjectReview
(authentication.k8s.io/v1, Kubernetes 1.28+), so a refusal can name the user.

Answers are cached per Permission for the session with a TTL (RBAC changes are rare, and a stale "denied"
is fixed by the API server's own 403 anyway); an unanswered question (timeout, refused, malformed) is
Access(None), cached only briefly, and never raises. Both requests are `create`s in the audit log: the
gate makes none of them in read-only mode.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, describe_connection_error
from kftui.cluster.ops import Access, Permission

ACCESS_REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SELF_REVIEW_PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews"
ANSWER_TTL = 60.0
UNKNOWN_TTL = 5.0
REVIEW_TIMEOUT = 2.0


class Asker(Protocol):
    """The part of the HTTP seam (cluster/http.py KubeHttp) this module uses (tests substitute their own)."""

    server: str

    def ask_json(self, path: str, body: Any, timeout: float) -> Any: ...


def review_body(permission: Permission) -> dict[str, Any]:
    """The SelfSubjectAccessReview for one permission (empty fields are left out: "any")."""
    attributes = {
        "verb": permission.verb,
        "group": permission.group,
        "resource": permission.resource,
        "namespace": permission.namespace,
        "name": permission.name,
        "subresource": permission.subresource,
    }
    return {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {k: v for k, v in attributes.items() if v or k == "group"}},
    }


def access_from_review(answer: Any) -> Access:
    """The verdict in a SelfSubjectAccessReview answer; Access(None) when it carries none."""
    status = answer.get("status") if isinstance(answer, dict) else None
    if not isinstance(status, dict) or not isinstance(status.get("allowed"), bool):
        return Access(None, "the access review answered without a verdict")
    if status["allowed"]:
        return Access(True)
    # allowed=false with denied=false is "no authorizer allowed it": the request would be refused too.
    reason = str(status.get("reason") or "")
    error = str(status.get("evaluationError") or "")
    return Access(False, "; ".join(p for p in (reason, error) if p))


def username_from_review(answer: Any) -> str:
    status = answer.get("status") if isinstance(answer, dict) else None
    info = status.get("userInfo") if isinstance(status, dict) else None
    name = info.get("username") if isinstance(info, dict) else None
    return name if isinstance(name, str) else ""


class AccessCache:
    """Answers per Permission for `ttl` seconds (unknown ones for `unknown_ttl`), thread-safe."""

    def __init__(
        self,
        ask: Callable[[Permission], Access],
        ttl: float = ANSWER_TTL,
        unknown_ttl: float = UNKNOWN_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ask = ask
        self.ttl = ttl
        self.unknown_ttl = unknown_ttl
        self.clock = clock
        self._answers: dict[Permission, tuple[float, Access]] = {}
        self._lock = threading.Lock()

    def peek(self, permission: Permission) -> Access | None:
        with self._lock:
            entry = self._answers.get(permission)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[1]

    def get(self, permission: Permission) -> Access:
        known = self.peek(permission)
        if known is not None:
            return known
        try:
            access = self.ask(permission)
        except Exception as exc:  # an answer we could not read is "unknown", never a crash
            access = Access(None, f"{type(exc).__name__}: {exc}")
        ttl = self.ttl if access.allowed is not None else self.unknown_ttl
        with self._lock:
            self._answers[permission] = (self.clock() + ttl, access)
        return access


class KubeAccessReview:
    """AccessReview over the Kubernetes API, through the HTTP seam."""

    def __init__(
        self,
        kube: Asker,
        ttl: float = ANSWER_TTL,
        unknown_ttl: float = UNKNOWN_TTL,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = REVIEW_TIMEOUT,
    ) -> None:
        self.kube = kube
        self.timeout = timeout
        self._cache = AccessCache(self._ask, ttl, unknown_ttl, clock)
        self._user: str | None = None  # None: not asked yet (or the server could not be reached)

    def review(self, permission: Permission) -> Access:
        if self._user is None:
            self._learn_user()
        return self._cache.get(permission)

    def cached(self, permission: Permission) -> Access | None:
        return self._cache.peek(permission)

    def user(self) -> str:
        return self._user or ""

    def _ask(self, permission: Permission) -> Access:
        try:
            answer = self.kube.ask_json(ACCESS_REVIEW_PATH, review_body(permission), self.timeout)
        except KubeApiError as exc:
            return Access(None, f"access review refused: {exc.message}")
        except CONNECTION_ERRORS as exc:
            return Access(None, describe_connection_error(exc, self.kube.server))
        except ValueError:
            return Access(None, "the access review answered with something other than JSON")
        return access_from_review(answer)

    def _learn_user(self) -> None:
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"}
        try:
            answer = self.kube.ask_json(SELF_REVIEW_PATH, body, self.timeout)
        except KubeApiError:
            self._user = ""  # an answer (an older server, or not allowed): do not ask again
            return
        except (*CONNECTION_ERRORS, ValueError):
            return  # try again with the next review
        self._user = username_from_review(answer)

"""cluster/access.py over a fake of our own KubeSource seam (ask_json), never the kubernetes client:
the SelfSubjectAccessReview asked, its verdict read, answers cached with a TTL, failures unknown."""

from __future__ import annotations

from typing import Any

import pytest

from kftui.cluster.access import (
    ACCESS_REVIEW_PATH,
    SELF_REVIEW_PATH,
    AccessCache,
    KubeAccessReview,
    access_from_review,
    review_body,
)
from kftui.cluster.http import KubeApiError
from kftui.cluster.ops import Access, Permission

PATCH = Permission("patch", "applications", "argoproj.io", "argocd", "drift")
FORWARD = Permission("create", "pods", "", "istio-system", subresource="portforward")
USER = "system:serviceaccount:argocd:limited"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeKube:
    """Answers reviews like the API server would for a user allowed only `allowed` (or fails as told)."""

    server = "https://fake:6443"

    def __init__(
        self, allowed: set[tuple[str, str]] | None = None, fail: BaseException | None = None
    ) -> None:
        self.allowed = allowed or set()
        self.fail = fail
        self.fail_user: BaseException | None = None
        self.posts: list[tuple[str, Any, float]] = []

    def ask_json(self, path: str, body: Any, timeout: float) -> Any:
        self.posts.append((path, body, timeout))
        if path == SELF_REVIEW_PATH:
            if self.fail_user is not None:
                raise self.fail_user
            return {"kind": "SelfSubjectReview", "status": {"userInfo": {"username": USER, "groups": []}}}
        assert path == ACCESS_REVIEW_PATH
        if self.fail is not None:
            raise self.fail
        attrs = body["spec"]["resourceAttributes"]
        ok = (attrs["verb"], attrs["resource"]) in self.allowed
        return {"kind": "SelfSubjectAccessReview", "status": {"allowed": ok}}

    def reviews(self) -> list[dict[str, Any]]:
        return [b["spec"]["resourceAttributes"] for p, b, _ in self.posts if p == ACCESS_REVIEW_PATH]


def test_the_review_body_carries_every_attribute_that_is_set() -> None:
    assert review_body(FORWARD) == {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {
            "resourceAttributes": {
                "verb": "create",
                "group": "",
                "resource": "pods",
                "namespace": "istio-system",
                "subresource": "portforward",
            }
        },
    }
    assert review_body(PATCH)["spec"]["resourceAttributes"]["name"] == "drift"
    assert review_body(PATCH)["spec"]["resourceAttributes"]["group"] == "argoproj.io"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"status": {"allowed": True}}, Access(True)),
        ({"status": {"allowed": False}}, Access(False)),
        ({"status": {"allowed": False, "denied": True, "reason": "no way"}}, Access(False, "no way")),
        (
            {"status": {"allowed": False, "evaluationError": "role not found"}},
            Access(False, "role not found"),
        ),
        ({"status": {}}, Access(None, "the access review answered without a verdict")),
        ({"status": {"allowed": "yes"}}, Access(None, "the access review answered without a verdict")),
        (None, Access(None, "the access review answered without a verdict")),
        ([], Access(None, "the access review answered without a verdict")),
    ],
)
def test_the_verdict_is_read_from_status_allowed(answer: Any, expected: Access) -> None:
    assert access_from_review(answer) == expected


def test_a_review_learns_the_user_once_and_asks_each_permission_once() -> None:
    kube = FakeKube(allowed={("patch", "applications")})
    access = KubeAccessReview(kube, clock=Clock())
    assert access.user() == "" and access.cached(PATCH) is None
    assert access.review(PATCH) == Access(True)
    assert access.review(FORWARD) == Access(False)
    assert access.review(PATCH) == Access(True)
    assert access.user() == USER
    assert access.cached(FORWARD) == Access(False)
    assert [p for p, _, _ in kube.posts] == [SELF_REVIEW_PATH, ACCESS_REVIEW_PATH, ACCESS_REVIEW_PATH]
    assert [(r["verb"], r["resource"]) for r in kube.reviews()] == [
        ("patch", "applications"),
        ("create", "pods"),
    ]
    assert all(timeout == 2.0 for _, _, timeout in kube.posts)


def test_answers_expire_after_the_ttl_and_are_asked_again() -> None:
    clock = Clock()
    kube = FakeKube(allowed={("patch", "applications")})
    access = KubeAccessReview(kube, ttl=60, clock=clock)
    access.review(PATCH)
    clock.now += 59
    assert access.cached(PATCH) == Access(True)
    clock.now += 2
    assert access.cached(PATCH) is None
    kube.allowed = set()  # the RoleBinding was removed meanwhile
    assert access.review(PATCH) == Access(False)
    assert len(kube.reviews()) == 2


@pytest.mark.parametrize(
    "failure",
    [
        KubeApiError(403, "selfsubjectaccessreviews is forbidden"),
        KubeApiError(404, "the server could not find the requested resource"),
        ConnectionRefusedError("[Errno 111] Connection refused"),
        ValueError("Expecting value: line 1 column 1"),
    ],
)
def test_a_failed_review_is_unknown_briefly_and_never_raises(failure: BaseException) -> None:
    clock = Clock()
    kube = FakeKube(fail=failure)
    access = KubeAccessReview(kube, ttl=60, unknown_ttl=5, clock=clock)
    answer = access.review(PATCH)
    assert answer.allowed is None and answer.reason
    assert "Bearer" not in answer.reason
    clock.now += 6
    assert access.cached(PATCH) is None  # unknown is not kept for the full TTL: asked again soon
    kube.fail = None
    assert access.review(PATCH) == Access(False)


def test_an_unreachable_server_is_named_in_the_unknown_reason() -> None:
    access = KubeAccessReview(FakeKube(fail=ConnectionRefusedError("Connection refused")), clock=Clock())
    assert (
        access.review(PATCH).reason == "cannot reach the API server at https://fake:6443: connection refused"
    )


def test_a_server_without_self_subject_review_leaves_the_user_unnamed_and_is_not_asked_again() -> None:
    kube = FakeKube(allowed=set())
    kube.fail_user = KubeApiError(404, "not found")
    access = KubeAccessReview(kube, clock=Clock())
    assert access.review(PATCH) == Access(False)
    assert access.review(FORWARD) == Access(False)
    assert access.user() == ""
    assert [p for p, _, _ in kube.posts].count(SELF_REVIEW_PATH) == 1


def test_a_lost_connection_while_learning_the_user_is_retried() -> None:
    kube = FakeKube(allowed=set())
    kube.fail_user = ConnectionResetError("reset")
    access = KubeAccessReview(kube, clock=Clock())
    access.review(PATCH)
    assert access.user() == ""
    kube.fail_user = None
    access.review(FORWARD)
    assert access.user() == USER


def test_the_cache_turns_an_exception_from_its_asker_into_unknown() -> None:
    def ask(_p: Permission) -> Access:
        raise RuntimeError("bug in a parser")

    cache = AccessCache(ask, clock=Clock())
    answer = cache.get(PATCH)
    assert answer.allowed is None and "RuntimeError" in answer.reason

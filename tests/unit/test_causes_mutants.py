"""Root causes, rule by rule: each rule links exactly the findings its docstring names and none of the
look-alikes beside them (another app, another namespace, a partial selector, a message too short to tie two
findings, a finding of the wrong check); ids of look-alike findings; links dropped only as cycles."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kftui.checks import causes
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import find, fresh, service
from tests.unit.fixtures.builders import pod as pod_object
from tests.unit.fixtures.builders import snapshot as build

PROFILE = builtin_profile("kubeflow")
APP = "kubeflow-pipelines"


def finding(
    check: str,
    kind: str,
    namespace: str | None,
    name: str,
    title: str,
    app: str | None = None,
    evidence: str = "",
    waits_for: tuple[str, ...] = (),
) -> Finding:
    ref = ObjectRef(kind, namespace, name)
    return Finding(check, Severity.ERROR, app, ref, title, evidence, "x", waits_for=waits_for)


def linked(
    found: Sequence[Finding], snap: ClusterSnapshot, *rules: causes.Rule
) -> dict[str, tuple[str, ...]]:
    """Title -> the titles of its causes, for every finding with a cause."""
    out = causes.link(found, snap, rules=rules)
    title = {f.id: f.title for f in out}
    return {f.title: tuple(title[c] for c in f.caused_by) for f in out if f.caused_by}


def test_a_blocked_app_is_caused_by_its_dependencys_own_status_not_by_look_alikes() -> None:
    found = [
        finding("dependency-order", "Application", "argocd", "c", "c waits", app="c", waits_for=("d",)),
        finding("app-degraded", "Application", "argocd", "d", "d degraded", app="d"),
        finding("pod-failing", "Pod", "kubeflow", "d-pod", "d's pod", app="d"),
        finding("app-out-of-sync", "Application", "argocd", "x", "app x, filed under d", app="d"),
        finding("app-degraded", "Deployment", "kubeflow", "d", "a Deployment named d", app="d"),
        finding("app-out-of-sync", "Application", "argocd", "d", "Application d, filed under z", app="z"),
        finding("app-out-of-sync", "Deployment", "kubeflow", "d", "a Deployment named d of z", app="z"),
    ]
    assert linked(found, build(fresh()), causes.blocked_by_dependency) == {"c waits": ("d degraded",)}


def test_without_status_findings_every_finding_of_the_dependency_causes_the_block() -> None:
    found = [
        finding("dependency-order", "Application", "argocd", "c", "c waits", app="c", waits_for=("d",)),
        finding("pod-failing", "Pod", "kubeflow", "d-pod", "d's pod", app="d"),
        finding("pod-failing", "Pod", "kubeflow", "e-pod", "e's pod", app="e"),
        finding("crd-missing", "Profile", None, "profiles", "d's CRD", app="d"),
    ]
    assert linked(found, build(fresh()), causes.blocked_by_dependency) == {"c waits": ("d's pod", "d's CRD")}


MESSAGE = "rpc error: app path does not exist"
OTHER = "Unable to resolve revision v9.9.9"


def _with_messages(*messages: str) -> ClusterSnapshot:
    objects = fresh()
    find(objects, "Application", APP)["status"]["conditions"] = [
        {"type": "ComparisonError", "message": m} for m in messages
    ]
    return build(objects)


def test_an_app_status_quoting_a_specific_findings_message_is_caused_by_it_and_only_by_it() -> None:
    found = [
        finding("gateway", "Service", "istio-system", "g", "not a status check", app=APP, evidence=MESSAGE),
        finding(
            "app-out-of-sync",
            "Application",
            "argocd",
            "ghost",
            "app not there",
            app="ghost",
            evidence=MESSAGE,
        ),
        finding("app-operation-failed", "Application", "argocd", "n", "no app", evidence=MESSAGE),
        finding(
            "app-out-of-sync", "Application", "argocd", APP, "out of sync", app=APP, evidence=f"x: {MESSAGE}"
        ),
        finding("repo-path", "Application", "argocd", APP, "repo path", app=APP, evidence=MESSAGE),
        finding("pod-failing", "Pod", "kubeflow", "p", "a pod quoting it", app=APP, evidence=MESSAGE),
        finding("crd-missing", "Profile", None, "x", "quotes the other message", app=APP, evidence=OTHER),
        finding("webhook-unavailable", "Service", "kubeflow", "w", "quotes nothing", app=APP, evidence="n/a"),
    ]
    assert linked(found, _with_messages(MESSAGE, OTHER), causes.same_message) == {
        "out of sync": ("repo path",)
    }


def test_a_message_of_twelve_characters_ties_two_findings_one_of_eleven_does_not() -> None:
    def pair(text: str) -> list[Finding]:
        return [
            finding("app-out-of-sync", "Application", "argocd", APP, "out of sync", app=APP, evidence=text),
            finding("repo-path", "Application", "argocd", APP, "repo path", app=APP, evidence=text),
        ]

    assert len("path missing") == 12 and len("path absent") == 11
    twelve = linked(pair("path missing"), _with_messages("path missing"), causes.same_message)
    assert twelve == {"out of sync": ("repo path",)}
    assert linked(pair("path absent"), _with_messages("path absent"), causes.same_message) == {}


def test_a_degraded_app_is_caused_by_its_pods_and_unclaimed_pods_in_its_namespaces() -> None:
    found = [
        finding("app-out-of-sync", "Application", "argocd", APP, "out of sync", app=APP),
        finding("app-degraded", "Application", "argocd", "n", "no app"),
        finding("app-degraded", "Application", "argocd", APP, "degraded", app=APP),
        finding("sync-stuck", "Application", "argocd", "ghost", "ghost stuck", app="ghost"),
        finding("pod-failing", "Pod", "kubeflow", "own", "own pod", app=APP),
        finding("pod-failing", "Pod", "kubeflow", "stray", "unclaimed pod here"),
        finding("pod-failing", "Pod", "elsewhere", "far", "unclaimed pod elsewhere"),
        finding("pod-failing", "Pod", "kubeflow", "theirs", "another app's pod here", app="kubeflow"),
        finding("pod-failing", "Pod", "x", "g", "ghost's pod", app="ghost"),
    ]
    assert linked(found, build(fresh()), causes.failing_workloads) == {
        "degraded": ("own pod", "unclaimed pod here"),
        "ghost stuck": ("ghost's pod",),
    }


def test_a_service_that_cannot_serve_is_caused_by_the_failing_pods_it_selects_in_its_namespace() -> None:
    snap = build(
        [
            *fresh(),
            service("kubeflow", "katib", selector={"app": "katib", "tier": "web"}),
            service("kubeflow", "open", selector={}),
            pod_object("kubeflow", "katib-a", "katib", labels={"app": "katib", "tier": "web"}),
            pod_object("kubeflow", "katib-b", "katib", labels={"app": "katib"}),
            pod_object("other", "katib-c", "katib", labels={"app": "katib", "tier": "web"}),
            pod_object("kubeflow", "open-a", "open"),
        ]
    )
    found = [
        finding("shared-resource", "Service", "kubeflow", "katib", "not a serving check"),
        finding("webhook-unavailable", "ValidatingWebhookConfiguration", None, "katib", "a webhook config"),
        finding("webhook-unavailable", "Service", "kubeflow", "gone", "a Service not there"),
        finding("webhook-unavailable", "Service", "kubeflow", "open", "selects nothing"),
        finding("webhook-unavailable", "Service", "kubeflow", "katib", "katib webhook down"),
        finding("gateway", "Service", "istio-system", "istio-ingressgateway", "gateway down"),
        finding("pod-failing", "Pod", "kubeflow", "katib-a", "katib-a"),
        finding("pod-failing", "Pod", "kubeflow", "katib-b", "katib-b, half the labels"),
        finding("pod-failing", "Pod", "other", "katib-c", "katib-c, other namespace"),
        finding("pod-failing", "Pod", "kubeflow", "vanished", "a pod not there"),
        finding("pod-failing", "Pod", "istio-system", "istio-ingressgateway-5c8d7f9b6-kq8zt", "gateway pod"),
        finding("pod-failing", "Pod", "kubeflow", "open-a", "open-a"),
    ]
    assert linked(found, snap, causes.pods_behind_services) == {
        "katib webhook down": ("katib-a",),
        "gateway down": ("gateway pod",),
    }


def test_login_broken_is_caused_by_the_pods_of_that_workload_in_that_namespace_only() -> None:
    snap = build(
        [
            *fresh(),
            pod_object("other", "dex-5c8d7f9b6-zzzzz", "dex"),
            pod_object("auth", "helper-5c8d7f9b6-yyyyy", "helper"),
        ]
    )
    found = [
        finding("app-degraded", "Deployment", "auth", "dex", "not auth-stack"),
        finding("auth-stack", "Deployment", "auth", "dex", "login broken"),
        finding("pod-failing", "Pod", "auth", "dex-5c8d7f9b6-x2k8q", "dex pod"),
        finding("pod-failing", "Pod", "other", "dex-5c8d7f9b6-zzzzz", "dex pod elsewhere"),
        finding("pod-failing", "Pod", "auth", "helper-5c8d7f9b6-yyyyy", "helper pod"),
        finding("pod-failing", "Pod", "auth", "vanished", "a pod not there"),
    ]
    assert linked(found, snap, causes.pods_of_workloads) == {"login broken": ("dex pod",)}


CRD_ERROR = 'no matches for kind "Profile" in version "kubeflow.org/v1"'
HOOK_ERROR = (
    'failed calling Webhook "v.katib.kubeflow.org": Post "https://katib-controller.kubeflow.svc/v": refused'
)


def test_a_failing_pod_is_caused_by_the_prerequisites_its_evidence_names_and_any_object_by_its_namespace() -> (
    None
):
    found = [
        finding("app-degraded", "Application", "argocd", "team", "not a pod", evidence=CRD_ERROR),
        finding("pod-failing", "Pod", "team-a", "p1", "p1", evidence=f"{CRD_ERROR}\n{HOOK_ERROR}"),
        finding(
            "pod-failing",
            "Pod",
            "kubeflow",
            "p2",
            "p2 names the Service, not a webhook",
            evidence="katib-controller",
        ),
        finding("namespace-missing", "Namespace", None, "team-a", "team-a missing"),
        finding("finalizer-stuck", "Namespace", None, "team-a", "team-a stuck"),
        finding("finalizer-stuck", "Namespace", None, "team-b", "team-b stuck"),
        finding("namespace-missing", "Application", "argocd", "team-a", "an app named team-a"),
        finding("crd-missing", "Profile", None, "profiles", "Profile CRD missing"),
        finding("crd-missing", "Notebook", None, "notebooks", "Notebook CRD missing"),
        finding("webhook-unavailable", "Service", "kubeflow", "katib-controller", "katib webhook"),
        finding("webhook-unavailable", "Service", "kubeflow", "other-svc", "another webhook"),
        finding("webhook-unavailable", "MutatingWebhookConfiguration", None, "katib-controller", "a config"),
        finding("repo-path", "Namespace", None, "team-a", "not a prerequisite check"),
    ]
    assert linked(found, build(fresh()), causes.pods_missing_prerequisites) == {
        "p1": ("Profile CRD missing", "katib webhook")
    }
    # The namespace is every object's prerequisite, a pod's or a Deployment's (login broken: dex not ready).
    found.append(finding("auth-stack", "Deployment", "team-b", "dex", "dex not ready"))
    assert linked(found, build(fresh()), causes.in_a_missing_namespace) == {
        "p1": ("team-a missing", "team-a stuck"),
        "dex not ready": ("team-b stuck",),
    }


def test_look_alike_findings_get_distinct_ids_numbered_from_two() -> None:
    found = [
        finding("pod-failing", "Pod", "kubeflow", "solo", "solo"),
        *[finding("dependency-order", "Application", "argocd", "c", "c waits for a") for _ in range(3)],
        finding("dependency-order", "Application", "argocd", "c", "c waits for b"),
    ]
    solo, first, second, third, other = (f.id for f in causes.assign_ids(found))
    assert solo == "pod-failing:Pod/kubeflow/solo"
    assert first.startswith("dependency-order:Application/argocd/c~") and "." not in first.rpartition("~")[2]
    assert (second, third) == (f"{first}.2", f"{first}.3")
    assert other.startswith("dependency-order:Application/argocd/c~") and other != first


def _pairs(*pairs: tuple[int, int]) -> causes.Rule:
    def rule(named: Sequence[Finding], snap: ClusterSnapshot) -> Iterator[causes.Link]:
        for child, cause in pairs:
            yield named[child], named[cause]

    return rule  # type: ignore[return-value]


def _four() -> list[Finding]:
    return [finding("c", "Pod", "ns", name, name) for name in "abcd"]


def test_a_self_link_or_a_repeated_link_is_skipped_and_the_rule_goes_on() -> None:
    assert linked(_four(), build(fresh()), _pairs((0, 0), (0, 1), (0, 1), (0, 2))) == {"a": ("b", "c")}


def test_a_link_closing_a_cycle_is_dropped_and_the_rule_goes_on() -> None:
    assert linked(_four(), build(fresh()), _pairs((0, 1), (1, 0), (2, 0))) == {"a": ("b",), "c": ("a",)}


def test_a_deep_lattice_of_links_is_searched_once_per_finding() -> None:
    """Forty layers of two findings, each caused by both below: 2**40 paths, 80 findings. The cycle check
    remembers what it has seen; without that, linking one more finding would walk every path."""
    depth = 40
    found = [finding("c", "Pod", "ns", f"n{i}-{s}", f"n{i}-{s}") for i in range(depth) for s in (0, 1)]
    found.append(finding("c", "Pod", "ns", "top", "top"))
    lattice = [(2 * i + s, 2 * (i + 1) + t) for i in range(depth - 1) for s in (0, 1) for t in (0, 1)]
    out = linked(found, build(fresh()), _pairs(*lattice, (len(found) - 1, 0)))
    assert out["top"] == ("n0-0",) and len(out) == 2 * (depth - 1) + 1


DUPLICATED = (
    "may not add resource with an already registered id: ClusterRole.v1.rbac.authorization.k8s.io/dup.[noNs]"
)


def test_only_an_app_status_finding_naming_the_duplicate_id_is_caused_by_it() -> None:
    """same_duplicate_id links app-status findings of the app; another check quoting the same id is not one."""
    found = [
        finding(
            "kustomize-duplicate-id", "ClusterRole", None, "dup", "dup twice", app=APP, evidence=DUPLICATED
        ),
        finding(
            "app-operation-failed", "Application", "argocd", APP, "sync failed", app=APP, evidence=DUPLICATED
        ),
        finding("repo-path", "Application", "argocd", APP, "path quotes it", app=APP, evidence=DUPLICATED),
        finding(
            "app-out-of-sync", "Application", "argocd", "other", "other app", app="other", evidence=DUPLICATED
        ),
    ]
    assert linked(found, build(fresh()), causes.same_duplicate_id) == {"sync failed": ("dup twice",)}


def test_a_failed_hook_causes_its_own_apps_failed_sync_and_is_caused_by_the_pods_it_names() -> None:
    """failed_hooks: the failed sync of the hook's app only (not another app's, not another check of this app),
    and the pods the hook's evidence names in the hook's namespace only."""
    hook_evidence = "Job kubeflow/smoke-test failed\npod smoke-test-x2: Error"
    found = [
        finding(
            "hook-failed", "Job", "kubeflow", "smoke-test", "hook failed", app=APP, evidence=hook_evidence
        ),
        finding("app-operation-failed", "Application", "argocd", APP, "sync failed", app=APP),
        finding("app-operation-failed", "Application", "argocd", "other", "other sync failed", app="other"),
        finding("app-out-of-sync", "Application", "argocd", APP, "out of sync", app=APP),
        finding("pod-failing", "Pod", "kubeflow", "smoke-test-x2", "named pod", app=APP),
        finding("pod-failing", "Pod", "elsewhere", "smoke-test-x2", "same name elsewhere", app=APP),
        finding("pod-failing", "Pod", "kubeflow", "smoke-test-y9", "unnamed pod", app=APP),
    ]
    assert linked(found, build(fresh()), causes.failed_hooks) == {
        "sync failed": ("hook failed",),
        "hook failed": ("named pod",),
    }


def test_a_namespace_finding_is_never_caused_by_its_own_namespace_being_missing() -> None:
    """in_a_missing_namespace links objects *in* the namespace; a Namespace finding whose ref carries the namespace
    (missing and stuck Terminating at once) is a cause, not an object in it."""
    found = [
        finding("namespace-missing", "Namespace", "kubeflow", "kubeflow", "ns missing"),
        finding("finalizer-stuck", "Namespace", "kubeflow", "kubeflow", "ns stuck"),
        finding("pod-failing", "Pod", "kubeflow", "ml-pipeline-x", "pod in it", app=APP),
    ]
    assert linked(found, build(fresh()), causes.in_a_missing_namespace) == {
        "pod in it": ("ns missing", "ns stuck")
    }


def test_an_app_left_behind_by_a_failed_sync_is_caused_by_what_quotes_the_operations_own_messages() -> None:
    """failed_sync_left_behind: an app whose failed sync left it OutOfSync is caused by the specific finding
    quoting the operation's message (12 characters are enough), not by one quoting only the app's conditions;
    an app before it whose last sync did not fail changes nothing for the apps after it."""
    condition = "ComparisonError: rpc error: repo unreachable"

    def with_failed_sync(message: str) -> ClusterSnapshot:
        objects = fresh()
        raw = find(objects, "Application", APP)
        raw["status"]["operationState"] = {
            "operation": {"sync": {"revision": "abc"}},
            "phase": "Failed",
            "message": message,
            "startedAt": "2026-11-20T02:41:02Z",
            "finishedAt": "2026-11-20T02:43:55Z",
        }
        raw["status"]["conditions"] = [{"type": "ComparisonError", "message": condition}]
        return build(objects)

    def found(message: str) -> list[Finding]:
        return [
            finding(
                "app-out-of-sync", "Application", "argocd", "kubeflow", "kubeflow behind", app="kubeflow"
            ),
            finding("app-out-of-sync", "Application", "argocd", APP, "pipelines behind", app=APP),
            finding(
                "crd-missing", "Profile", None, "x", "quotes the sync", app=APP, evidence=f"x: {message}"
            ),
            finding(
                "repo-path", "Application", "argocd", APP, "quotes a condition", app=APP, evidence=condition
            ),
        ]

    long = "one or more synchronization tasks are not valid"
    assert linked(found(long), with_failed_sync(long), causes.failed_sync_left_behind) == {
        "pipelines behind": ("quotes the sync",)
    }
    assert len("CRD absent x") == 12
    assert linked(
        found("CRD absent x"), with_failed_sync("CRD absent x"), causes.failed_sync_left_behind
    ) == {"pipelines behind": ("quotes the sync",)}

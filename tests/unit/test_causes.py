"""Root causes: stable ids, the linking rules on the demo and on small cases, and never a cycle."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.checks import causes
from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.model import Chains, ClusterSnapshot, Finding, ObjectRef, Severity, roots, title_suffix
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import deployment, drop, failed_operation, find, fresh, service, sync_result
from tests.unit.fixtures.builders import pod as pod_object
from tests.unit.fixtures.builders import snapshot as build
from tests.unit.test_checks_access import _unready_endpoints
from tests.unit.test_checks_sync_ops import failed_hook_install

PROFILE = builtin_profile("kubeflow")
KATIB = "pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn"
DUPLICATE = "kustomize-duplicate-id:ClusterRole/kubeflow-metacontroller@kubeflow-pipelines"
DEGRADED = "app-degraded:Application/argocd/kubeflow"
OUT_OF_SYNC = "app-out-of-sync:Application/argocd/kubeflow-pipelines"
BLOCKED = "dependency-order:Application/argocd/kubeflow-seaweedfs"


def demo_findings() -> list[Finding]:
    return run_checks(load_demo(), PROFILE)


def test_the_demo_is_two_root_causes_and_three_consequences() -> None:
    found = {f.id: f.caused_by for f in demo_findings()}
    assert found == {
        KATIB: (),
        DUPLICATE: (),
        DEGRADED: (KATIB,),
        OUT_OF_SYNC: (DUPLICATE,),
        BLOCKED: (DEGRADED,),
    }


def test_the_blocked_app_leads_back_to_the_crash_looping_pod() -> None:
    found = demo_findings()
    blocked = next(f for f in found if f.id == BLOCKED)
    assert [f.id for f in Chains(found).root_causes_of([blocked])] == [KATIB]
    katib = next(f for f in found if f.id == KATIB)
    assert [f.id for f in Chains(found).downstream(katib)] == [DEGRADED, BLOCKED]


def test_ids_do_not_depend_on_the_other_findings_or_their_order() -> None:
    """Deterministic from check + subject: dropping a finding or reversing the list changes no other id."""
    found = demo_findings()
    plain = [replace(f, id="", caused_by=()) for f in found]
    alone = causes.assign_ids(list(reversed(plain[1:])))
    assert {f.id for f in alone} == {f.id for f in found[1:]}


def _blocked_twice() -> list[Finding]:
    ref = ObjectRef("Application", "argocd", "c")
    return [
        Finding(
            "dependency-order", Severity.WARNING, "c", ref, f"c is Synced while {d} is Degraded", "e", "x"
        )
        for d in ("a", "b")
    ]


def test_one_check_saying_two_things_about_one_subject_gives_two_ids_that_stay_put() -> None:
    first, second = causes.assign_ids(_blocked_twice())
    assert first.id != second.id
    assert first.id.startswith("dependency-order:Application/argocd/c~")
    again = causes.assign_ids(list(reversed(_blocked_twice())))
    assert {f.id for f in again} == {first.id, second.id}


def test_an_out_of_sync_app_quoting_another_message_is_not_caused_by_the_duplicate_id() -> None:
    found = [replace(f, id="", caused_by=()) for f in demo_findings()]
    other = [
        replace(f, evidence="status.sync.status=Unknown\nComparisonError: something else entirely")
        if f.check == "app-out-of-sync"
        else f
        for f in found
    ]
    linked = {f.id: f.caused_by for f in causes.link(other, load_demo())}
    assert linked[OUT_OF_SYNC] == ()


def test_a_failing_pod_of_another_app_does_not_degrade_this_one() -> None:
    found = [replace(f, id="", caused_by=()) for f in demo_findings()]
    moved = [replace(f, app="kubeflow-pipelines") if f.check == "pod-failing" else f for f in found]
    linked = {f.id: f.caused_by for f in causes.link(moved, load_demo())}
    assert linked[DEGRADED] == ()


def test_an_app_blocked_by_a_dependency_without_findings_is_its_own_root_cause() -> None:
    found = [replace(f, id="", caused_by=()) for f in demo_findings() if f.app != "kubeflow"]
    linked = {f.id: f.caused_by for f in causes.link(found, load_demo())}
    assert linked[BLOCKED] == ()


def _pod_and_webhook() -> tuple[ClusterSnapshot, list[Finding]]:
    """A webhook's own pod failing with an event that names the webhook's Service: both rules match."""
    snapshot = build(
        [
            service("kubeflow", "katib-webhook", selector={"app": "katib"}),
            pod_object("kubeflow", "katib-0", "katib", ready=False, waiting="CrashLoopBackOff"),
        ]
    )
    pod = Finding(
        "pod-failing",
        Severity.ERROR,
        None,
        ObjectRef("Pod", "kubeflow", "katib-0"),
        "Pod kubeflow/katib-0 is CrashLoopBackOff",
        'failed calling webhook "katib": no endpoints available for service "katib-webhook"',
        "x",
    )
    hook = Finding(
        "webhook-unavailable",
        Severity.ERROR,
        None,
        ObjectRef("Service", "kubeflow", "katib-webhook"),
        "Admission webhook katib unavailable",
        "no Endpoints",
        "x",
    )
    return snapshot, [pod, hook]


def test_two_rules_that_would_link_a_pod_and_its_webhook_both_ways_keep_one_link() -> None:
    snapshot, found = _pod_and_webhook()
    assert len(list(causes.pods_missing_prerequisites(found, snapshot))) == 1
    assert len(list(causes.pods_behind_services(found, snapshot))) == 1
    pod, hook = causes.link(found, snapshot)
    # The rule listed first wins: the pod's evidence names the webhook.
    assert pod.caused_by == (hook.id,)
    assert hook.caused_by == ()


def _acyclic(found: Sequence[Finding]) -> bool:
    edges = {f.id: f.caused_by for f in found}
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        if state.get(node) == 1:
            return False
        if state.get(node) == 2:
            return True
        state[node] = 1
        ok = all(visit(n) for n in edges.get(node, ()))
        state[node] = 2
        return ok

    return all(visit(n) for n in edges)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=40))
def test_whatever_the_rules_say_the_links_never_form_a_cycle(pairs: list[tuple[int, int]]) -> None:
    found = [
        Finding("c", Severity.ERROR, None, ObjectRef("Pod", "ns", f"p{n}"), f"p{n}", "e", "x")
        for n in range(8)
    ]

    def arbitrary(named: Sequence[Finding], snapshot: ClusterSnapshot) -> Iterator[causes.Link]:
        for child, cause in pairs:
            yield named[child], named[cause]

    linked = causes.link(found, load_demo(), rules=(arbitrary,))
    assert _acyclic(linked)
    # Every link asked for is kept unless it would close a cycle (or points at itself).
    kept = {(f.id, c) for f in linked for c in f.caused_by}
    assert len(kept) <= len({p for p in pairs if p[0] != p[1]})
    assert roots(linked), "a DAG always has a root cause"


def test_run_checks_links_what_it_returns() -> None:
    assert all(f.id for f in demo_findings())


def _crash_loop(objects: list[dict], name: str) -> None:  # type: ignore[type-arg]
    status = find(objects, "Pod", name)["status"]
    status["conditions"][0]["status"] = "False"
    status["containerStatuses"][0].update(
        ready=False, restartCount=4, state={"waiting": {"reason": "CrashLoopBackOff", "message": "back-off"}}
    )


def test_login_broken_and_the_gateway_down_follow_from_their_crash_looping_pods() -> None:
    """auth-stack about Deployment auth/dex is caused by dex's failing pod; gateway about the Service by the
    failing pod it selects; a healthy pod elsewhere causes neither."""
    objects = drop(fresh(), "Deployment", "dex", "auth")
    objects.append(deployment("auth", "dex", 1, ready=0))
    objects = _unready_endpoints(objects)
    _crash_loop(objects, "dex-5c8d7f9b6-x2k8q")
    _crash_loop(objects, "istio-ingressgateway-5c8d7f9b6-kq8zt")
    found = {f.check: f for f in run_checks(build(objects), PROFILE)}
    assert found["auth-stack"].caused_by == ("pod-failing:Pod/auth/dex-5c8d7f9b6-x2k8q",)
    assert found["gateway"].caused_by == (
        "pod-failing:Pod/istio-system/istio-ingressgateway-5c8d7f9b6-kq8zt",
    )
    assert not found["pod-failing"].caused_by


def test_a_failed_sync_leads_back_through_its_failed_hook_to_the_hooks_pod() -> None:
    """pod Error -> PostSync hook failed -> sync Failed: the ordered sync stops at the pod, not at the app."""
    found = {f.id: f.caused_by for f in run_checks(build(failed_hook_install(with_pod=True)), PROFILE)}
    hook = "hook-failed:Job/kubeflow/bucket-init"
    pod = "pod-failing:Pod/kubeflow/bucket-init-x7k2p"
    assert found[hook] == (pod,) and found[pod] == ()
    assert found["app-operation-failed:Application/argocd/kubeflow-seaweedfs"] == (hook,)


def _pipelines_sync_failed_on_a_missing_crd(phase: str = "Failed", health: str = "Missing") -> list[Finding]:
    """kubeflow-pipelines synced before the app that installs its CRD: Argo CD rejects the whole sync, so the
    app stays OutOfSync and its resources Missing."""
    message = (
        "The Kubernetes API could not find kubeflow.org/Experiment for requested resource kubeflow/random-search. "
        'Make sure the "Experiment" CRD is installed on the destination cluster.'
    )
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["sync"]["status"] = "OutOfSync"
    app["status"]["health"]["status"] = health
    app["status"]["operationState"] = failed_operation(
        "one or more synchronization tasks are not valid",
        [sync_result("Experiment", "random-search", "kubeflow", message, group="kubeflow.org")],
    )
    app["status"]["operationState"]["phase"] = phase
    for res in app["status"]["resources"]:
        res["status"] = "OutOfSync"
        res.setdefault("health", {})["status"] = health
    return run_checks(build(objects), PROFILE)


CRD = "crd-missing:Experiment/kubeflow/random-search@kubeflow-pipelines"


@pytest.mark.parametrize("phase", ["Failed", "Error"])
def test_an_app_a_failed_sync_left_unapplied_leads_back_to_why_the_sync_failed(phase: str) -> None:
    found = {f.id: f for f in _pipelines_sync_failed_on_a_missing_crd(phase)}
    crd = next(f for f in found.values() if f.check == "crd-missing")
    assert crd.caused_by == ()
    symptoms = {f.check for f in found.values() if crd.id in f.caused_by}
    assert symptoms == {"app-out-of-sync", "app-degraded", "app-operation-failed"}
    assert [f.check for f in roots(list(found.values())) if f.app == "kubeflow-pipelines"] == ["crd-missing"]


def test_a_sync_that_succeeded_or_an_app_that_runs_is_not_explained_by_an_old_failure() -> None:
    succeeded = _pipelines_sync_failed_on_a_missing_crd(phase="Succeeded")
    crd = [f for f in succeeded if f.check == "crd-missing"]
    assert all(crd_f.id not in f.caused_by for crd_f in crd for f in succeeded)
    # Degraded pods are about what runs: a sync that applied nothing did not cause them.
    degraded = _pipelines_sync_failed_on_a_missing_crd(health="Degraded")
    crd_id = next(f.id for f in degraded if f.check == "crd-missing")
    linked = {f.check for f in degraded if crd_id in f.caused_by}
    assert "app-degraded" not in linked and "app-out-of-sync" in linked


def _pipelines_sync_failed_with(message: str) -> ClusterSnapshot:
    """The demo, with kubeflow-pipelines' last sync ended in Error with `message`; its ComparisonError condition
    still quotes the repo server's cached answer ("Manifest generation error (cached): ...")."""
    from kftui.model import OperationState

    snap = load_demo()
    key, app = next((k, a) for k, a in snap.applications.items() if a.name == "kubeflow-pipelines")
    failed = replace(app, operation_state=OperationState(phase="Error", message=message))
    return replace(snap, applications={**snap.applications, key: failed})


SYNC_MESSAGE = (
    "ComparisonError: Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: "
    "code = Unknown desc = `kustomize build <path to cached source>/env/platform-agnostic` failed exit status 1: "
    "Error: accumulating resources: may not add resource with an already registered id: "
    "ClusterRole.v1.rbac.authorization.k8s.io/{name}.[noNs]"
)


def test_a_failed_sync_quoting_the_same_duplicate_id_in_other_words_is_caused_by_it() -> None:
    """The sync's message and the condition share no quotable text (one is a cached answer), but both name the
    one resource kustomize met twice: the duplicate id is the root, the failed sync follows from it."""
    found = run_checks(
        _pipelines_sync_failed_with(SYNC_MESSAGE.format(name="kubeflow-metacontroller")), PROFILE
    )
    failed = next(f for f in found if f.check == "app-operation-failed" and f.app == "kubeflow-pipelines")
    assert failed.caused_by == (DUPLICATE,)
    assert next(f for f in found if f.id == DUPLICATE).caused_by == ()


def test_a_failed_sync_naming_another_duplicate_id_is_not_caused_by_this_one() -> None:
    found = run_checks(_pipelines_sync_failed_with(SYNC_MESSAGE.format(name="some-other-role")), PROFILE)
    failed = next(f for f in found if f.check == "app-operation-failed" and f.app == "kubeflow-pipelines")
    assert DUPLICATE not in failed.caused_by


# --- the chains' index (model/findings.py, Chains) ---------------------------------------------------


def _linked(fid: str, *caused_by: str) -> Finding:
    return Finding(
        "c", Severity.ERROR, None, ObjectRef("Pod", "ns", fid), fid, "e", "x", id=fid, caused_by=caused_by
    )


def test_downstream_lists_each_consequence_once_nearest_first_through_a_diamond() -> None:
    a, b, c, d = _linked("a"), _linked("b", "a"), _linked("c", "a"), _linked("d", "b", "c")
    assert [f.id for f in Chains([a, b, c, d]).downstream(a)] == ["b", "c", "d"]


def test_root_causes_of_several_findings_are_all_theirs_in_the_findings_order() -> None:
    roots_ = [_linked(f"r{n}") for n in (11, 3, 7, 0, 9, 5, 1, 10, 2, 8, 6, 4)]
    x, y = _linked("x", "r3"), _linked("y", "r11", "r0")
    everything = [*roots_, x, y]
    assert [f.id for f in Chains(everything).root_causes_of([x, y])] == ["r11", "r3", "r0"]
    fan = _linked("fan", *(r.id for r in roots_))
    assert Chains([*roots_, fan]).root_causes_of([fan]) == roots_


def test_root_causes_skip_an_unknown_cause_and_end_on_a_cycle() -> None:
    """A cause id no finding has (its finding was filtered out) does not stop the search for the others; a
    cycle of causes (never built by link, which drops a link closing one) ends with no root, not a hang."""
    root, x = _linked("r"), _linked("x", "r", "gone")
    assert [f.id for f in Chains([root, x]).root_causes_of([x])] == ["r"]
    a, b = _linked("a", "b"), _linked("b", "a")
    assert Chains([a, b]).root_causes_of([a]) == []


def test_a_title_suffix_is_a_short_stable_digest_even_of_an_unencodable_title() -> None:
    odd = replace(_linked("x"), title="bad \ud800 title")  # (a lone surrogate: not valid UTF-8)
    suffix = title_suffix(odd)
    assert suffix.startswith("~") and len(suffix) == 7
    assert suffix == title_suffix(odd) != title_suffix(_linked("x"))

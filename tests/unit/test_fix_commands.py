"""The fixes findings offer, as an engineer reads them: each fix's id, title and the command to type instead.

These are the words kftui prints in the fix panel and the CLI report, so a flag lost or a name misplaced
here sends someone to run the wrong command.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kftui.checks import fixrefs
from kftui.model import FixRef, HeldObject


@pytest.mark.parametrize(
    ("helper", "args", "fix_id", "command"),
    [
        (fixrefs.sync, ("kubeflow",), "sync", "argocd app sync kubeflow"),
        (fixrefs.sync_prune, ("kubeflow",), "sync-prune", "argocd app sync kubeflow --prune"),
        (fixrefs.force_sync, ("kubeflow",), "force-sync", "argocd app sync kubeflow --force"),
        (fixrefs.replace_sync, ("kubeflow",), "replace", "argocd app sync kubeflow --replace"),
        (
            fixrefs.server_side_apply,
            ("kubeflow",),
            "server-side-apply",
            "argocd app sync kubeflow --server-side",
        ),
        (
            fixrefs.sync_crds_first,
            ("kubeflow",),
            "sync-crds-first",
            "argocd app sync kubeflow --resource 'apiextensions.k8s.io:CustomResourceDefinition:*'",
        ),
        (fixrefs.refresh, ("kubeflow",), "refresh", "argocd app get kubeflow --refresh"),
        (fixrefs.hard_refresh, ("kubeflow",), "hard-refresh", "argocd app get kubeflow --hard-refresh"),
        (fixrefs.terminate, ("kubeflow",), "terminate", "argocd app terminate-op kubeflow"),
        (
            fixrefs.delete_pod,
            (
                "auth",
                "dex-0",
            ),
            "delete-pod",
            "kubectl delete pod dex-0 -n auth",
        ),
        (
            fixrefs.port_forward,
            (
                "istio-system",
                "istio-ingressgateway",
                8080,
                80,
            ),
            "port-forward",
            "kubectl port-forward svc/istio-ingressgateway -n istio-system 8080:80",
        ),
        (
            fixrefs.logs,
            (
                "auth",
                "dex-0",
            ),
            "logs",
            "kubectl logs dex-0 -n auth --previous",
        ),
        (
            fixrefs.logs,
            (
                "auth",
                "dex-0",
                "dex",
            ),
            "logs",
            "kubectl logs dex-0 -n auth -c dex --previous",
        ),
        (fixrefs.edit_manifests, ("kubeflow",), "edit-manifests", "kustomize build ."),
        (
            fixrefs.edit_manifests,
            (
                "kubeflow",
                "apps/x",
            ),
            "edit-manifests",
            "kustomize build apps/x",
        ),
        (
            fixrefs.fix_source,
            ("kubeflow",),
            "fix-source",
            "kubectl edit application kubeflow -n argocd",
        ),
        (
            fixrefs.fix_source,
            (
                "kubeflow",
                "gitops",
            ),
            "fix-source",
            "kubectl edit application kubeflow -n gitops",
        ),
        (
            fixrefs.disable_auto_prune,
            ("kubeflow",),
            "disable-auto-prune",
            "kubectl patch application kubeflow -n argocd --type merge "
            """-p '{"spec":{"syncPolicy":{"automated":{"prune":false}}}}'""",
        ),
        (
            fixrefs.sync_create_namespace,
            ("kubeflow",),
            "sync-create-namespace",
            "argocd app set kubeflow --sync-option CreateNamespace=true && argocd app sync kubeflow",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v else None,
)
def test_each_fix_shows_the_command_to_type(
    helper: Callable[..., FixRef], args: tuple[Any, ...], fix_id: str, command: str
) -> None:
    """A fix's id selects its planner and executor; its command is what the panel offers to copy."""
    ref = helper(*args)
    assert (ref.id, ref.command) == (fix_id, command)


@pytest.mark.parametrize(
    ("helper", "args", "words"),
    [
        (fixrefs.sync, ("kubeflow",), ["Sync kubeflow"]),
        (fixrefs.sync_prune, ("kubeflow",), ["kubeflow", "prune"]),
        (fixrefs.force_sync, ("kubeflow",), ["Force sync kubeflow", "recreate"]),
        (fixrefs.replace_sync, ("kubeflow",), ["kubeflow", "kubectl replace"]),
        (fixrefs.server_side_apply, ("kubeflow",), ["kubeflow", "server-side apply"]),
        (fixrefs.sync_crds_first, ("kubeflow",), ["CRDs of kubeflow"]),
        (fixrefs.refresh, ("kubeflow",), ["Refresh kubeflow"]),
        (fixrefs.hard_refresh, ("kubeflow",), ["Hard refresh kubeflow", "regenerate"]),
        (fixrefs.terminate, ("kubeflow",), ["Terminate", "kubeflow"]),
        (
            fixrefs.delete_pod,
            (
                "auth",
                "dex-0",
            ),
            ["Delete pod dex-0", "recreates"],
        ),
        (
            fixrefs.port_forward,
            (
                "ns",
                "gw",
                8080,
                80,
            ),
            ["svc/gw", "localhost:8080"],
        ),
        (
            fixrefs.logs,
            (
                "auth",
                "dex-0",
            ),
            ["logs of dex-0"],
        ),
        (fixrefs.edit_manifests, ("kubeflow",), ["manifests of kubeflow", "included once"]),
        (fixrefs.split_application, ("kubeflow",), ["out of kubeflow", "own Application"]),
        (fixrefs.fix_source, ("kubeflow",), ["repoURL", "of kubeflow"]),
        (fixrefs.disable_auto_prune, ("kubeflow",), ["automated prune for kubeflow"]),
        (fixrefs.sync_create_namespace, ("kubeflow",), ["Sync kubeflow", "CreateNamespace=true"]),
        (fixrefs.create_namespaces, (["auth"],), ["Create namespace auth"]),
        (fixrefs.create_namespaces, (["auth", "kubeflow"],), ["Create namespaces auth, kubeflow"]),
        (fixrefs.ordered_sync, (("a", "b"),), ["Sync a -> b in order"]),
        (
            fixrefs.argo_restart,
            ("pipelines", "Deployment", "kubeflow", "ml-pipeline"),
            ["Restart Deployment/ml-pipeline through Argo CD (pipelines)"],
        ),
        (
            fixrefs.argo_delete_pod,
            ("pipelines", "kubeflow", "ml-pipeline-x"),
            ["Delete pod ml-pipeline-x through Argo CD (pipelines;", "recreates"],
        ),
    ],
)
def test_each_fix_title_names_what_it_acts_on(
    helper: Callable[..., FixRef], args: tuple[Any, ...], words: list[str]
) -> None:
    """The title is the line a user picks a fix by: it names the app, pod or service and what is done."""
    ref = helper(*args)
    for word in words:
        assert word in ref.title


def test_ordered_sync_syncs_and_waits_for_each_app_in_turn() -> None:
    """Each app is synced and waited on until Healthy before the next one starts."""
    ref = fixrefs.ordered_sync(("kubeflow", "kubeflow-pipelines"))
    assert ref.id == "ordered-sync"
    assert ref.command == (
        "argocd app sync kubeflow && argocd app wait kubeflow --health && "
        "argocd app sync kubeflow-pipelines && argocd app wait kubeflow-pipelines --health"
    )


@pytest.mark.parametrize(
    ("kind", "word"),
    [("Deployment", "deployment"), ("StatefulSet", "statefulset"), ("DaemonSet", "daemonset")],
)
def test_restart_uses_kubectls_word_for_the_kind(kind: str, word: str) -> None:
    ref = fixrefs.restart(kind, "auth", "dex")
    assert ref is not None
    assert ref.id == "restart"
    assert ref.title == f"Restart {word}/dex"
    assert ref.command == f"kubectl rollout restart {word}/dex -n auth"


@pytest.mark.parametrize("kind", ["ReplicaSet", "CronJob", "Deployment; touch x; #", ""])
def test_restart_and_describe_are_not_offered_for_other_kinds(kind: str) -> None:
    """A kind kubectl cannot restart (or a hostile owner kind) yields no fix, so the finding offers none."""
    assert fixrefs.restart(kind, "auth", "dex") is None
    assert fixrefs.describe(kind, "auth", "dex") is None
    assert fixrefs.offered(fixrefs.restart(kind, "auth", "dex")) == ()


def test_offered_keeps_the_fixes_that_could_be_built_in_order() -> None:
    sync, refresh = fixrefs.sync("a"), fixrefs.refresh("a")
    assert fixrefs.offered(sync, None, refresh, None) == (sync, refresh)


def test_describe_adds_the_namespace_only_for_namespaced_objects() -> None:
    pod = fixrefs.describe("Pod", "auth", "dex-0")
    ns = fixrefs.describe("Namespace", None, "auth")
    assert pod is not None and ns is not None
    assert (pod.id, pod.title, pod.command) == (
        "describe",
        "Describe pod/dex-0",
        "kubectl describe pod dex-0 -n auth",
    )
    assert (ns.title, ns.command) == ("Describe namespace/auth", "kubectl describe namespace auth")


def test_split_application_fills_known_values_and_leaves_placeholders() -> None:
    """Values the app knows go in; what the engineer must choose stays a capitalised placeholder."""
    known = fixrefs.split_application("kubeflow", "https://git.example/m.git", "kubeflow-ns")
    assert known.id == "split-application"
    assert known.command == (
        "argocd app create kubeflow-COMPONENT --repo https://git.example/m.git --path COMPONENT_PATH "
        "--dest-server https://kubernetes.default.svc --dest-namespace kubeflow-ns"
    )
    unknown = fixrefs.split_application("kubeflow")
    assert "--repo REPO_URL" in unknown.command
    assert "--dest-namespace NAMESPACE" in unknown.command


def test_wait_for_webhook_waits_on_the_rollout_when_the_workload_is_known() -> None:
    ref = fixrefs.wait_for_webhook("kubeflow", "katib-controller", ("Deployment", "katib-controller"))
    assert ref.id == "wait-for-webhook"
    assert ref.title == "Wait for svc/katib-controller in kubeflow to have ready endpoints"
    assert ref.command == "kubectl rollout status deployment/katib-controller -n kubeflow --timeout=5m"


@pytest.mark.parametrize("workload", [None, ("ReplicaSet", "katib-controller-5c8d7f9b6")])
def test_wait_for_webhook_watches_the_endpoints_otherwise(workload: tuple[str, str] | None) -> None:
    """Without a workload kubectl can follow, the only thing to wait on is the Service's Endpoints."""
    ref = fixrefs.wait_for_webhook("kubeflow", "katib-controller", workload)
    assert ref.command == "kubectl get endpoints katib-controller -n kubeflow --watch"


def test_create_namespaces_creates_each_one() -> None:
    ref = fixrefs.create_namespaces(("auth", "kubeflow"))
    assert ref.id == "create-namespaces"
    assert ref.command == "kubectl create namespace auth && kubectl create namespace kubeflow"


def test_delete_hook_is_offered_only_for_a_known_kind_with_a_namespace() -> None:
    """`kubectl delete WORD NAME -n NS` needs both: without either, no command is offered rather than a wrong one."""
    assert fixrefs.delete_hook("kubeflow", "Job", "", "schema-migrate", False) is None
    assert fixrefs.delete_hook("kubeflow", "Gadget", "kubeflow", "schema-migrate", False) is None
    ref = fixrefs.delete_hook("kubeflow", "Job", "kubeflow", "schema-migrate", False)
    assert ref is not None and ref.command == "kubectl delete job schema-migrate -n kubeflow"


def test_a_namespaces_finalizers_patch_each_held_object_that_has_finalizers_left() -> None:
    """The title counts the held objects patched (one object, two objects); one without finalizers left is not
    patched (there is nothing to remove)."""

    def held(name: str, *finalizers: str) -> HeldObject:
        path = f"/apis/example.com/v1/namespaces/team-a/widgets/{name}"
        return HeldObject("widgets.example.com", "Widget", "team-a", name, path, finalizers)

    one = fixrefs.remove_finalizers(
        "Namespace", None, "team-a", (), [held("w1", "example.com/keep"), held("w2")]
    )
    assert one is not None
    assert (
        one.title
        == "Remove the finalizers of 1 object holding namespace/team-a (what they guard is orphaned)"
    )
    assert [argv[:4] for argv in one.argvs] == [("kubectl", "patch", "widgets.example.com", "w1")]
    two = fixrefs.remove_finalizers(
        "Namespace", None, "team-a", (), [held("w1", "example.com/keep"), held("w3", "example.com/keep")]
    )
    assert two is not None and "of 2 objects holding namespace/team-a" in two.title

"""Desired state rendered locally, diffed against live with the same code as Argo CD's managed-resources: the
normalisation Argo CD's default diff applies, the app's ignoreDifferences, and where the desired state comes
from (Argo CD, the checkout, or a line saying what would enable either)."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import pytest

from kftui.cli import UserError, main, manifest_chains
from kftui.cluster.http import KubeApiError
from kftui.cluster.liveobjects import LiveError, LiveObjects
from kftui.desired import ARGO_ORIGIN, NOT_AVAILABLE, FromArgo, FromCheckout, choose
from kftui.diffcmd import render_json, resource_drifts
from kftui.kustomize.checkout import Rendered, RenderError
from kftui.localdiff import LAST_APPLIED, app_sources, managed_items
from tests.unit.test_local_render import git

SCOPES = {
    ("v1", "ConfigMap"): True,
    ("apps/v1", "Deployment"): True,
    ("rbac.authorization.k8s.io/v1", "ClusterRole"): False,
}


class FakeLive:
    """The cluster as the local diff sees it: discovery's scopes, objects by (apiVersion, kind, ns, name)."""

    def __init__(self, *objects: dict[str, Any], app: dict[str, Any] | None = None) -> None:
        self.objects = {
            (o["apiVersion"], o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]): o
            for o in objects
        }
        self.app = app

    def namespaced(self, api_version: str, kind: str) -> bool | None:
        return SCOPES.get((api_version, kind))

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        return self.objects.get((api_version, kind, namespace, name))

    def application(self, namespace: str, name: str) -> dict[str, Any]:
        assert self.app is not None and namespace == "argocd"
        return self.app


def application(**spec: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "namespace": "argocd"},
        "spec": {
            "destination": {"namespace": "team"},
            "source": {"repoURL": "file:///r", "path": "app"},
            **spec,
        },
        "status": {"sync": {"revision": "abc"}},
    }


def deployment(image: str, **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", **labels}},
        "spec": {
            "replicas": 1,
            "template": {
                "spec": {"containers": [{"name": "web", "image": image, "ports": [{"containerPort": 80}]}]}
            },
        },
    }


def live_deployment(image: str, applied: dict[str, Any], **labels: str) -> dict[str, Any]:
    """The Deployment as the API server keeps it: defaulted fields, status, managedFields, last-applied."""
    obj = json.loads(json.dumps(deployment(image, **labels)))
    obj["metadata"].update(
        namespace="team",
        uid="u-1",
        resourceVersion="42",
        annotations={LAST_APPLIED: json.dumps(applied)},
        managedFields=[{"manager": "argocd-controller", "operation": "Update", "fieldsV1": {"f:spec": {}}}],
    )
    obj["spec"]["strategy"] = {"type": "RollingUpdate"}
    obj["spec"]["revisionHistoryLimit"] = 10
    [container] = obj["spec"]["template"]["spec"]["containers"]
    container.update(imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/termination-log")
    container["ports"][0]["protocol"] = "TCP"
    obj["status"] = {"replicas": 1}
    return obj


def drifts(items: list[dict[str, Any]]) -> list[tuple[str, str, Any, Any]]:
    return [
        (r.label, d.field.pointer, d.field.live, d.field.desired)
        for r in resource_drifts(items)
        for d in r.drifts
    ]


def test_server_defaults_are_not_drift_a_hand_edit_and_a_field_removed_from_git_are() -> None:
    applied = deployment("web:1", old="x")
    live = FakeLive(live_deployment("web:1", applied, old="x"))
    # git as it was applied: defaults, status and server fields are no difference
    assert drifts(managed_items(application(), [applied], live)) == []
    # git dropped the `old` label (it is in the last apply) and the image was edited by hand
    live = FakeLive(live_deployment("web:hacked", applied, old="x"))
    assert drifts(managed_items(application(), [deployment("web:1")], live)) == [
        ("Deployment team/web", "/metadata/labels/old", "x", None),
        ("Deployment team/web", "/spec/template/spec/containers/0/image", "web:hacked", "web:1"),
    ]


def test_empty_maps_and_nulls_in_git_are_what_the_api_server_stores() -> None:
    applied = deployment("web:1")
    live = FakeLive(live_deployment("web:1", applied))
    desired = deployment("web:1")
    desired["metadata"].update(annotations={}, creationTimestamp=None)
    desired["spec"]["template"]["metadata"] = {"labels": {}, "finalizers": []}
    desired["spec"]["revisionHistoryLimit"] = None  # deleted by the apply: the server defaults it again
    desired["status"] = {}
    assert drifts(managed_items(application(), [desired], live)) == [
        ("Deployment team/web", "/spec/revisionHistoryLimit", 10, None)
    ]


def test_list_items_are_matched_by_name_an_injected_sidecar_stays_a_removed_one_goes() -> None:
    applied = deployment("web:1")
    applied["spec"]["template"]["spec"]["containers"].append({"name": "old", "image": "old:1"})
    live_obj = live_deployment("web:1", applied)
    containers = live_obj["spec"]["template"]["spec"]["containers"]
    containers.insert(0, {"name": "istio-proxy", "image": "proxy:1", "imagePullPolicy": "Always"})
    containers.append({"name": "old", "image": "old:1", "imagePullPolicy": "IfNotPresent"})
    # git as applied: the injected sidecar (never in git) and the defaults are no difference
    assert drifts(managed_items(application(), [applied], FakeLive(live_obj))) == []
    # git drops `old`: the containers differ (whole list: the lengths differ), without the sidecar going
    [(_, pointer, live, desired)] = drifts(
        managed_items(application(), [deployment("web:1")], FakeLive(live_obj))
    )
    assert pointer == "/spec/template/spec/containers"
    assert [c["name"] for c in live] == ["istio-proxy", "web", "old"]
    assert [c["name"] for c in desired] == ["istio-proxy", "web"]


def test_destination_namespace_tracking_marks_and_cluster_scoped_kinds() -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}}
    role = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "r", "namespace": "team"},
    }
    marks = {
        "labels": {"app.kubernetes.io/instance": "web"},
        "annotations": {"argocd.argoproj.io/tracking-id": "web:/ConfigMap:team/c"},
    }
    applied = {**cm, "metadata": {"name": "c", "namespace": "team", **marks}}  # Argo CD applied its marks too
    live_cm = json.loads(json.dumps(applied))
    live_cm["metadata"]["annotations"][LAST_APPLIED] = json.dumps(applied)
    live_role = {**role, "metadata": {"name": "r"}}
    items = managed_items(application(), [cm, role], FakeLive(live_cm, live_role))
    assert [(i["kind"], i["namespace"]) for i in items] == [("ConfigMap", "team"), ("ClusterRole", "")]
    assert drifts(items) == []
    # marks that name another app are not this app's: git does not have them, so they would go
    live_cm["metadata"]["labels"]["app.kubernetes.io/instance"] = "other"
    live_cm["metadata"]["annotations"]["argocd.argoproj.io/tracking-id"] = "other:/ConfigMap:team/c"
    assert [p for _, p, _, _ in drifts(managed_items(application(), [cm], FakeLive(live_cm)))] == [
        "/metadata/annotations/argocd.argoproj.io~1tracking-id",
        "/metadata/labels",  # its only label goes, and the map with it
    ]


def test_the_apps_ignore_differences_leave_fields_out() -> None:
    applied = deployment("web:1")
    live_obj = live_deployment("web:2", applied)
    live_obj["spec"]["replicas"] = 5
    live_obj["metadata"]["managedFields"].append(
        {"manager": "hpa-controller", "operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}}
    )
    app = application(
        ignoreDifferences=[
            {
                "group": "apps",
                "kind": "Deployment",
                "jsonPointers": ["/spec/template/spec/containers/0/image"],
            }
        ]
    )
    assert [p for _, p, _, _ in drifts(managed_items(app, [applied], FakeLive(live_obj)))] == [
        "/spec/replicas"
    ]
    app["spec"]["ignoreDifferences"].append(
        {"group": "apps", "kind": "Deployment", "name": "web", "managedFieldsManagers": ["hpa-controller"]}
    )
    assert drifts(managed_items(app, [applied], FakeLive(live_obj))) == []
    app["spec"]["ignoreDifferences"] = [
        {"group": "apps", "kind": "Deployment", "name": "other", "jsonPointers": ["/spec/replicas"]}
    ]
    assert len(drifts(managed_items(app, [applied], FakeLive(live_obj)))) == 2


def test_missing_objects_and_ones_git_no_longer_has_are_whole_object_differences() -> None:
    gone = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "old", "namespace": "team"}}
    app = application()
    app["status"]["resources"] = [
        {"version": "v1", "kind": "ConfigMap", "namespace": "team", "name": "old"},
        {"version": "v1", "kind": "ConfigMap", "namespace": "team", "name": "hook", "hook": True},
    ]
    new = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "new"}, "data": {"k": "v"}}
    hook = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "hook", "namespace": "team"}}
    found = resource_drifts(managed_items(app, [new], FakeLive(gone, hook)))
    assert [
        (r.label, [(d.field.pointer, d.field.live is None, d.field.desired is None) for d in r.drifts])
        for r in found
    ] == [
        ("ConfigMap team/new", [("/", True, False)]),
        ("ConfigMap team/old", [("/", False, True)]),
    ]


def test_a_secrets_string_data_is_compared_as_data_and_never_printed() -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "team"},
        "stringData": {"k": "plain"},
    }
    live = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s", "namespace": "team"},
        "data": {"k": "cGxhaW4="},
    }
    assert drifts(managed_items(application(), [secret], FakeLive(live))) == []
    live["data"]["k"] = "b3RoZXI="
    text = render_json("web", resource_drifts(managed_items(application(), [secret], FakeLive(live))))
    assert "/data/k" in text and "b3RoZXI=" not in text and "cGxhaW4=" not in text


def test_sources_and_the_revision_argo_cd_last_compared_each_with() -> None:
    first = {"repoURL": "a", "path": "x", "targetRevision": "v1", "kustomize": {"images": ["web=web:2"]}}
    multi = {
        "spec": {"sources": [first, {"repoURL": "b", "chart": "c"}]},
        "status": {"sync": {"revisions": ["sha-a"]}},
    }
    got = [
        (s.repo_url, s.path, s.target_revision, s.synced_revision, s.chart, s.options)
        for s in app_sources(multi)
    ]
    assert got == [("a", "x", "v1", "sha-a", "", ("kustomize",)), ("b", "", "HEAD", "", "c", ())]
    assert [(s.path, s.synced_revision) for s in app_sources(application())] == [("app", "abc")]


def rendered(*objects: dict[str, Any]) -> Any:
    calls: list[tuple[Path, str, tuple[str, ...]]] = []

    def render(root: Path, path: str, revisions: tuple[str, ...]) -> Rendered:
        calls.append((root, path, revisions))
        return Rendered(list(objects), f"rendered locally from {root}@abc path {path}", ["a note"])

    return render, calls


def test_from_checkout_renders_the_apps_path_and_revision_and_says_where_it_came_from(tmp_path: Path) -> None:
    applied = deployment("web:1")
    app = application()
    render, calls = rendered(applied)
    live = FakeLive(live_deployment("web:2", applied), app=app)
    state = FromCheckout(tmp_path, live, render=render).fetch("web")
    assert calls == [(tmp_path, "app", ("abc", "HEAD"))]
    assert state.origin == f"desired state: rendered locally from {tmp_path}@abc path app" and state.local
    assert state.notes == ["a note"]
    assert [p for _, p, _, _ in drifts(state.items)] == ["/spec/template/spec/containers/0/image"]
    # options Argo CD applies when it renders are not applied here: the notes say so
    app["spec"]["source"]["kustomize"] = {"images": ["web=web:2"]}
    notes = FromCheckout(tmp_path, live, render=render).fetch("web").notes
    assert notes == [
        "the app's spec.source kustomize options (path app) are applied by Argo CD, not by the local render: "
        "expect differences they explain",
        "a note",
    ]


def test_sources_from_several_repositories_render_the_ones_the_checkout_is_a_clone_of(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    git(tmp_path, "remote", "add", "origin", "https://example.invalid/Team/Manifests.git")
    app = application()
    del app["spec"]["source"]
    app["spec"]["sources"] = [
        {"repoURL": "https://example.invalid/team/manifests", "path": "base", "targetRevision": "main"},
        {"repoURL": "https://example.invalid/other", "path": "overlay"},
        {"repoURL": "https://charts.invalid", "chart": "web"},
    ]
    render, calls = rendered()
    state = FromCheckout(tmp_path, FakeLive(app=app), render=render).fetch("web")
    assert [(c[1], c[2]) for c in calls] == [("base", ("", "main"))]
    assert state.notes == [
        "source https://charts.invalid chart web is a Helm chart: not rendered locally",
        "source https://example.invalid/other path overlay is another repository: not rendered",
        "a note",
    ]
    git(tmp_path, "remote", "set-url", "origin", "https://example.invalid/elsewhere")
    with pytest.raises(RenderError, match="2 repositories"):
        FromCheckout(tmp_path, FakeLive(app=app), render=render).fetch("web")


class Managed:
    endpoint = "https://argocd.invalid"

    def managed_resources(self, name: str) -> list[dict[str, Any]]:
        return [{"kind": "ConfigMap", "name": name}]


class LiveSource:
    live = True
    http = object()


def test_the_tui_chooses_as_the_cli_does(tmp_path: Path) -> None:
    argo = choose(Managed(), tmp_path, LiveSource())
    assert isinstance(argo, FromArgo)
    state = argo.fetch("web")
    assert state.items == [{"kind": "ConfigMap", "name": "web"}] and state.origin == ARGO_ORIGIN.format(
        server=Managed.endpoint
    )
    assert isinstance(
        choose(object(), tmp_path, LiveSource()), FromCheckout
    )  # the Kubernetes API backend: render
    assert choose(None, None, LiveSource()) is None
    assert choose(None, tmp_path, type("Dump", (), {"live": False})()) is None


def test_without_a_server_or_a_checkout_diff_says_what_would_enable_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("ARGOCD_SERVER", "KFTUI_ARGOCD_SERVER"):
        monkeypatch.delenv(name, raising=False)
    assert main(["diff", "web"]) == 2
    out = capsys.readouterr()
    assert out.out == "" and out.err == f"kftui: error: {NOT_AVAILABLE}\n"
    for needed in ("--argocd-server", "ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "--manifests"):
        assert needed in NOT_AVAILABLE
    # --manifests with a snapshot: nothing live to compare with
    assert main(["diff", "web", "--demo", "--manifests", str(os.devnull)]) == 2
    assert "compares with the live cluster" in capsys.readouterr().err


class DiscoveryHttp:
    """The HTTP seam as LiveObjects uses it: discovery documents and objects by path; every GET recorded."""

    server = "https://api.invalid"

    def __init__(self, answers: dict[str, Any]) -> None:
        self.answers = answers
        self.paths: list[str] = []

    def get_json(self, path: str, query: Any = None) -> Any:
        self.paths.append(path)
        answer = self.answers.get(path)
        if isinstance(answer, Exception):
            raise answer
        if answer is None:
            raise KubeApiError(404, "not found")
        return answer


def test_live_objects_use_discovery_once_per_group_version_and_quote_names_from_git() -> None:
    http = DiscoveryHttp(
        {
            "/apis/apps/v1": {
                "resources": [
                    {"name": "deployments", "kind": "Deployment", "namespaced": True},
                    {"name": "deployments/scale", "kind": "Scale", "namespaced": True},
                ]
            },
            "/api/v1": {"resources": [{"name": "namespaces", "kind": "Namespace", "namespaced": False}]},
            "/apis/apps/v1/namespaces/team/deployments/web": {"kind": "Deployment"},
            "/api/v1/namespaces/team": {"kind": "Namespace"},
            "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/web": {"kind": "Application"},
            "/api/v1/namespaces/denied": KubeApiError(403, "forbidden"),
        }
    )
    live = LiveObjects(http)
    assert live.namespaced("apps/v1", "Deployment") is True and live.namespaced("apps/v1", "Scale") is None
    assert live.get("apps/v1", "Deployment", "team", "web") == {"kind": "Deployment"}
    assert live.get("v1", "Namespace", "ignored", "team") == {"kind": "Namespace"}  # cluster-scoped
    assert live.get("apps/v1", "Deployment", "team", "../../../api/v1/secrets") is None
    assert "/apis/apps/v1/namespaces/team/deployments/..%2F..%2F..%2Fapi%2Fv1%2Fsecrets" in http.paths
    assert live.get("example.invalid/v1", "Thing", "team", "x") is None  # a group the server does not serve
    assert http.paths.count("/apis/apps/v1") == 1
    assert live.application("argocd", "web") == {"kind": "Application"}
    with pytest.raises(LiveError, match="no Application gone in namespace argocd"):
        live.application("argocd", "gone")
    with pytest.raises(LiveError, match="forbidden"):
        live.get("v1", "Namespace", "", "denied")


def test_the_tuis_manifests_may_be_a_checkout_without_a_kustomization_at_its_root(tmp_path: Path) -> None:
    (tmp_path / "apps").mkdir()
    args = argparse.Namespace(manifests=str(tmp_path))
    assert manifest_chains(args, checkout=True) is None  # the diff view renders from it; no chains to attach
    with pytest.raises(UserError, match="no kustomization"):
        manifest_chains(args)  # `check --manifests` analyses the tree: it must be one
    with pytest.raises(UserError):
        manifest_chains(argparse.Namespace(manifests=str(tmp_path / "missing")), checkout=True)

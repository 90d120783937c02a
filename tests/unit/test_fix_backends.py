"""The request bodies both Argo CD backends build (pure parts; the e2e tests send them to the lab)."""

from __future__ import annotations

from typing import Any

from kftui.cluster.appops import build_operation
from kftui.cluster.argocd import server_url, sync_body
from kftui.cluster.ops import REPLACE, SERVER_SIDE_APPLY, ResourceSel, SyncRequest

APP: dict[str, Any] = {
    "metadata": {"name": "drift", "namespace": "argocd", "resourceVersion": "42"},
    "spec": {
        "source": {"repoURL": "file:///repos/drift", "path": ".", "targetRevision": "main"},
        "syncPolicy": {"syncOptions": ["CreateNamespace=true"], "retry": {"limit": 5}},
    },
}


def test_plain_sync_operation_matches_the_api_server() -> None:
    op = build_operation(APP, SyncRequest(), "kftui:alice")
    assert op == {
        "sync": {
            "source": APP["spec"]["source"],
            "revision": "main",
            "syncStrategy": {"hook": {}},
            "syncOptions": ["CreateNamespace=true"],
        },
        "initiatedBy": {"username": "kftui:alice"},
        "retry": {"limit": 5},
    }
    assert op["sync"]["source"] is not APP["spec"]["source"]  # a copy, never the live spec


def test_force_prune_replace_ssa_and_resources() -> None:
    request = SyncRequest(
        prune=True,
        force=True,
        sync_options=(REPLACE, SERVER_SIDE_APPLY, "CreateNamespace=true"),
        resources=(ResourceSel("apiextensions.k8s.io", "CustomResourceDefinition", "x.example.com"),),
    )
    sync = build_operation(APP, request, "u")["sync"]
    assert sync["prune"] is True
    assert sync["syncStrategy"] == {"hook": {"force": True}}
    assert sync["syncOptions"] == ["CreateNamespace=true", REPLACE, SERVER_SIDE_APPLY]
    assert sync["resources"] == [
        {"group": "apiextensions.k8s.io", "kind": "CustomResourceDefinition", "name": "x.example.com"}
    ]


def test_multi_source_apps_get_sources_and_revisions() -> None:
    app = {"spec": {"sources": [{"repoURL": "a", "targetRevision": "v1"}, {"repoURL": "b"}]}}
    sync = build_operation(app, SyncRequest(), "u")["sync"]
    assert sync["revisions"] == ["v1", "HEAD"]
    assert "source" not in sync and "retry" not in build_operation(app, SyncRequest(), "u")


def test_rest_sync_body_is_an_application_sync_request() -> None:
    body = sync_body("drift", "argocd", SyncRequest(force=True, sync_options=(REPLACE,)))
    assert body == {
        "name": "drift",
        "appNamespace": "argocd",
        "prune": False,
        "dryRun": False,
        "strategy": {"hook": {"force": True}},
        "syncOptions": {"items": [REPLACE]},
    }
    assert "syncOptions" not in sync_body("drift", "argocd", SyncRequest())


def test_server_url() -> None:
    assert server_url("argocd.example.com") == "https://argocd.example.com"
    assert server_url("127.0.0.1:8080", plaintext=True) == "http://127.0.0.1:8080"
    assert server_url("http://127.0.0.1:8080/") == "http://127.0.0.1:8080"

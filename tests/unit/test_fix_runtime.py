"""Building the fix runtime from flags and the argocd CLI's environment variables."""

from __future__ import annotations

from pathlib import Path

from kftui.cli import build_parser, fix_options
from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import StaticSource
from kftui.fixes.plan import plan_action
from kftui.fixes.runtime import FixOptions, build_fix_runtime
from kftui.model import ObjectRef


def test_env_is_read_like_the_argocd_cli_and_flags_win() -> None:
    env = {"ARGOCD_SERVER": "argocd.example.com", "ARGOCD_OPTS": "--insecure --grpc-web"}
    opts = FixOptions.from_env(env)
    assert (opts.argocd_server, opts.insecure, opts.plaintext) == ("argocd.example.com", True, False)
    opts = FixOptions.from_env(env, argocd_server="127.0.0.1:8080", plaintext=True, read_only=True)
    assert (opts.argocd_server, opts.plaintext, opts.read_only) == ("127.0.0.1:8080", True, True)


def test_cli_flags_reach_the_options(monkeypatch: object) -> None:
    args = build_parser().parse_args(
        ["--read-only", "--argocd-server", "h:1", "--plaintext", "--audit-log", "/tmp/a.jsonl"]
    )
    opts = fix_options(args)
    assert (opts.read_only, opts.argocd_server, opts.plaintext, opts.audit_log) == (
        True,
        "h:1",
        True,
        "/tmp/a.jsonl",
    )


def test_offline_runtime_has_no_backend_and_says_so(tmp_path: Path) -> None:
    runtime = build_fix_runtime(
        StaticSource(load_demo), FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={}
    )
    snapshot = load_demo()
    app = next(iter(snapshot.applications.values()))
    plan = plan_action("hard-refresh", ObjectRef("Application", app.namespace, app.name), snapshot)
    assert runtime.runner.refusal(plan) == "no Argo CD backend (offline snapshot)"
    result = runtime.runner.run(plan)
    assert result.refused and not result.ok
    assert runtime.audit.path == tmp_path / "a.jsonl"
    runtime.close()


def test_a_live_kubernetes_source_gets_an_access_review_except_in_read_only_mode(tmp_path: Path) -> None:
    """An access review is a `create`: read-only kftui must not even have one to send."""
    from kubernetes import client as k8s_client

    from kftui.cluster.access import KubeAccessReview
    from kftui.cluster.client import ClientHttp
    from kftui.cluster.kube import KubeSource

    # Built, never connected: nothing here reaches the network.
    api = k8s_client.ApiClient(k8s_client.Configuration(host="https://127.0.0.1:1"))
    source = KubeSource(ClientHttp(api), "lab")
    audit = str(tmp_path / "a.jsonl")
    writable = build_fix_runtime(source, FixOptions(audit_log=audit), env={})
    assert isinstance(writable.runner.gate.access, KubeAccessReview)
    assert writable.runner.gate.access.kube is source.http
    read_only = build_fix_runtime(source, FixOptions(audit_log=audit, read_only=True), env={})
    assert read_only.runner.gate.access is None
    offline = build_fix_runtime(StaticSource(load_demo), FixOptions(audit_log=audit), env={})
    assert offline.runner.gate.access is None

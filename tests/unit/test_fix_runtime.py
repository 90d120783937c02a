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


# ---- the Argo CD backend the runtime builds (found by mutation testing: docs/mutants.md) ----------------------


class _ArgoSessionServer:
    """A local Argo CD session endpoint: records each login body and answers with a token."""

    def __init__(self) -> None:
        import http.server
        import json
        import threading

        self.logins: list[dict[str, str]] = []
        seen = self.logins

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                seen.append(json.loads(body))
                reply = json.dumps({"token": "from-login"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_an_argocd_server_becomes_the_backend_and_the_gate_context(tmp_path: Path) -> None:
    server = _ArgoSessionServer()
    try:
        env = {"ARGOCD_USERNAME": "admin", "ARGOCD_PASSWORD": "s3cret"}
        options = FixOptions(
            argocd_server=server.address,
            plaintext=True,
            audit_log=str(tmp_path / "a.jsonl"),
            argocd_namespace="ops",
        )
        runtime = build_fix_runtime(StaticSource(load_demo), options, env=env)
        # No token given: kftui logs in with the user name and password, as `argocd login` does.
        assert server.logins == [{"username": "admin", "password": "s3cret"}]
        argo = runtime.runner.argo
        assert argo is not None and argo.endpoint == f"http://{server.address}"
        assert argo.argocd_namespace == "ops"
        assert runtime.runner.gate.context == argo.endpoint  # an offline source: the server names the target
        assert runtime.runner.gate.argocd_namespace == "ops"
        assert runtime.runner.gate.audit is runtime.audit and not runtime.runner.gate.read_only
        runtime.close()
        with_token = build_fix_runtime(
            StaticSource(load_demo), options, env={**env, "ARGOCD_AUTH_TOKEN": "t0k"}
        )
        assert len(server.logins) == 1, "a token means no login"
        with_token.close()
    finally:
        server.close()


def test_closing_the_runtime_closes_the_argocd_backend(tmp_path: Path) -> None:
    server = _ArgoSessionServer()
    try:
        options = FixOptions(
            argocd_server=server.address, plaintext=True, audit_log=str(tmp_path / "a.jsonl")
        )
        runtime = build_fix_runtime(StaticSource(load_demo), options, env={"ARGOCD_AUTH_TOKEN": "t"})
        closed: list[bool] = []
        real_close = runtime.runner.argo.close  # type: ignore[union-attr]
        runtime.runner.argo.close = lambda: (closed.append(True), real_close())  # type: ignore[union-attr]
        runtime.close()
        assert closed == [True]
    finally:
        server.close()


def test_options_come_from_the_process_environment_by_default(monkeypatch: object) -> None:
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setenv("ARGOCD_SERVER", "argo.example:443")
    mp.setenv("ARGOCD_OPTS", "--plaintext")
    opts = FixOptions.from_env()
    assert (opts.argocd_server, opts.plaintext, opts.insecure) == ("argo.example:443", True, False)
    # An empty flag is no flag: the environment's value stays.
    assert FixOptions.from_env(argocd_server="", audit_log=None).argocd_server == "argo.example:443"


def test_the_audit_log_path_expands_the_home_directory(monkeypatch: object, tmp_path: Path) -> None:
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setenv("HOME", str(tmp_path))
    runtime = build_fix_runtime(StaticSource(load_demo), FixOptions(audit_log="~/audit.jsonl"), env={})
    assert runtime.audit.path == tmp_path / "audit.jsonl"
    assert runtime.runner.gate.context == "offline" and runtime.runner.argo is None
    runtime.close()

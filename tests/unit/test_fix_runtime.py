"""Building the fix runtime from flags and the argocd CLI's environment variables."""

from __future__ import annotations

from pathlib import Path

from kftui.cli import build_parser, fix_options
from kftui.cluster.dumpfile import load_demo
from kftui.cluster.source import StaticSource
from kftui.fixes.plan import plan_action
from kftui.fixes.runtime import FixOptions, build_fix_runtime
from kftui.model import ObjectRef
from tests.certs import self_signed


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

    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        """With `tls` (certificate, key), the endpoint speaks HTTPS with that certificate."""
        import http.server
        import json
        import ssl
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
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.address = f"127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()  # quick shutdown

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


# ---- which backends a source gets, and where the defaults come from ---------------------------------------


def _kube_source() -> object:
    """A live Kubernetes source, built and never connected: nothing here reaches the network."""
    from kubernetes import client as k8s_client

    from kftui.cluster.client import ClientHttp
    from kftui.cluster.kube import KubeSource

    api = k8s_client.ApiClient(k8s_client.Configuration(host="https://127.0.0.1:1"))
    return KubeSource(ClientHttp(api), "lab")


def test_a_live_kubernetes_source_acts_through_the_kubernetes_api(tmp_path: Path) -> None:
    """Without an Argo CD server, app actions patch Applications in the given namespace; forwards work."""
    from kftui.cluster.appops import KubeAppOps, KubeWorkloadOps

    source = _kube_source()
    options = FixOptions(audit_log=str(tmp_path / "a.jsonl"), argocd_namespace="ops")
    runtime = build_fix_runtime(source, options, env={})  # type: ignore[arg-type]
    argo, workloads = runtime.runner.argo, runtime.runner.workloads
    assert isinstance(argo, KubeAppOps) and argo.argocd_namespace == "ops"
    assert argo.kube is source.http  # type: ignore[attr-defined]
    assert isinstance(workloads, KubeWorkloadOps) and workloads.kube is source.http  # type: ignore[attr-defined]
    assert runtime.forwards.kube is source.http  # type: ignore[attr-defined]
    assert runtime.runner.gate.context == "lab"
    runtime.close()


def test_an_argocd_server_replaces_the_kubernetes_backend_but_not_the_context(tmp_path: Path) -> None:
    """With a live cluster and an Argo CD server, app actions use the REST API; the audit names the cluster."""
    from kftui.cluster.appops import KubeWorkloadOps
    from kftui.cluster.argocd import ArgoRestOps

    server = _ArgoSessionServer()
    try:
        options = FixOptions(
            argocd_server=server.address, plaintext=True, audit_log=str(tmp_path / "a.jsonl")
        )
        runtime = build_fix_runtime(_kube_source(), options, env={"ARGOCD_AUTH_TOKEN": "t"})  # type: ignore[arg-type]
        assert isinstance(runtime.runner.argo, ArgoRestOps)
        assert isinstance(runtime.runner.workloads, KubeWorkloadOps)  # workloads stay on Kubernetes
        assert runtime.runner.gate.context == "lab"
        runtime.close()
    finally:
        server.close()


def test_an_offline_source_gets_no_forwards_and_the_default_namespace(tmp_path: Path) -> None:
    """A dump or the demo: no workload backend, forwards refuse, Argo CD is assumed in "argocd"."""
    runtime = build_fix_runtime(
        StaticSource(load_demo), FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={}
    )
    assert runtime.runner.workloads is None and runtime.forwards.kube is None
    assert runtime.runner.gate.argocd_namespace == "argocd" and runtime.runner.gate.read_only is False
    runtime.close()


def test_an_argocd_server_that_cannot_log_in_is_a_source_error(tmp_path: Path) -> None:
    """A failed login is reported like any unreachable source: one line, naming the server."""
    import pytest

    from kftui.cluster.source import SourceError

    options = FixOptions(argocd_server="127.0.0.1:1", plaintext=True, audit_log=str(tmp_path / "a.jsonl"))
    env = {"ARGOCD_USERNAME": "admin", "ARGOCD_PASSWORD": "x"}
    with pytest.raises(
        SourceError, match=r"cannot reach Argo CD at http://127\.0\.0\.1:1: connection refused"
    ):
        build_fix_runtime(StaticSource(load_demo), options, env=env)


def test_the_argocd_credentials_come_from_the_process_environment_by_default(
    monkeypatch: object, tmp_path: Path
) -> None:
    """Without an explicit env, ARGOCD_USERNAME/PASSWORD (and AUTH_TOKEN) are read from the process."""
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.delenv("ARGOCD_AUTH_TOKEN", raising=False)
    mp.setenv("ARGOCD_USERNAME", "admin")
    mp.setenv("ARGOCD_PASSWORD", "from-env")
    server = _ArgoSessionServer()
    try:
        options = FixOptions(
            argocd_server=server.address, plaintext=True, audit_log=str(tmp_path / "a.jsonl")
        )
        build_fix_runtime(StaticSource(load_demo), options).close()
        assert server.logins == [{"username": "admin", "password": "from-env"}]
    finally:
        server.close()


def test_without_an_audit_flag_the_default_audit_log_is_used(monkeypatch: object, tmp_path: Path) -> None:
    """No --audit-log: the log goes where $KFTUI_AUDIT_LOG (or the XDG state directory) says."""
    import pytest

    mp: pytest.MonkeyPatch = monkeypatch  # type: ignore[assignment]
    mp.setenv("KFTUI_AUDIT_LOG", str(tmp_path / "default.jsonl"))
    runtime = build_fix_runtime(StaticSource(load_demo), FixOptions(), env={})
    assert runtime.audit.path == tmp_path / "default.jsonl"
    runtime.close()


def test_without_environment_settings_no_argocd_server_is_configured() -> None:
    """An empty environment means no Argo CD server and neither --insecure nor --plaintext."""
    opts = FixOptions.from_env({})
    assert (opts.argocd_server, opts.insecure, opts.plaintext, opts.read_only) == ("", False, False, False)
    assert opts.argocd_namespace == "argocd" and opts.audit_log is None
    # flags given as False or None leave the environment's choice alone
    env = {"ARGOCD_OPTS": "--insecure --plaintext"}
    kept = FixOptions.from_env(env, insecure=False, plaintext=None)
    assert (kept.insecure, kept.plaintext) == (True, True)


def test_the_runtime_gives_a_first_sync_five_minutes_and_polls_each_second(tmp_path: Path) -> None:
    """CRDs-first waits up to 300 s for its first sync (the timeout users read), reading the app every second."""
    runtime = build_fix_runtime(
        StaticSource(load_demo), FixOptions(audit_log=str(tmp_path / "a.jsonl")), env={}
    )
    assert (runtime.runner.step_timeout, runtime.runner.poll_interval) == (300.0, 1.0)
    runtime.close()


def test_without_credentials_kftui_does_not_log_in_and_a_missing_password_is_empty(tmp_path: Path) -> None:
    """No token and no user: no login (the server may allow anonymous access); a user without
    ARGOCD_PASSWORD logs in with an empty password, as `argocd login` would send."""
    server = _ArgoSessionServer()
    try:
        options = FixOptions(
            argocd_server=server.address, plaintext=True, audit_log=str(tmp_path / "a.jsonl")
        )
        build_fix_runtime(StaticSource(load_demo), options, env={}).close()
        assert server.logins == []
        build_fix_runtime(StaticSource(load_demo), options, env={"ARGOCD_USERNAME": "viewer"}).close()
        assert server.logins == [{"username": "viewer", "password": ""}]
    finally:
        server.close()


def test_insecure_accepts_a_self_signed_argocd_certificate_and_only_then(tmp_path: Path) -> None:
    """--insecure (or ARGOCD_OPTS=--insecure) lets kftui log in to an Argo CD with a self-signed
    certificate; without it the login is refused as an unverifiable server."""
    import pytest

    from kftui.cluster.source import SourceError

    server = _ArgoSessionServer(tls=self_signed(tmp_path))  # as a lab Argo CD serves
    try:
        env = {"ARGOCD_USERNAME": "admin", "ARGOCD_PASSWORD": "pw"}
        audit = str(tmp_path / "a.jsonl")
        with pytest.raises(SourceError, match="cannot reach Argo CD at https://"):
            build_fix_runtime(
                StaticSource(load_demo), FixOptions(argocd_server=server.address, audit_log=audit), env=env
            )
        assert server.logins == []
        options = FixOptions(argocd_server=server.address, insecure=True, audit_log=audit)
        runtime = build_fix_runtime(StaticSource(load_demo), options, env=env)
        assert server.logins == [{"username": "admin", "password": "pw"}]
        runtime.close()
    finally:
        server.close()

"""Start, stop and describe the lab: a real control plane, kwok and Argo CD on loopback.

Tiers come up in order, each checked before the next starts:
  etcd -> kube-apiserver -> kube-controller-manager, kube-scheduler -> kwok (+ node)
  -> gateway stand-in -> redis -> Argo CD config -> repo-server, application-controller,
  server -> scenarios (git repos, Applications, direct manifests).
Any failure raises LabStartError naming the component, with the tail of its log,
and stops whatever already started.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import random
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.lab import build, pki, procs, scenarios
from tests.lab.remote_access import SpokeAccess

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent
CONFIG = HERE / "config"
CONTEXT = "kftui-lab"
ARGOCD_NAMESPACE = "argocd"
NODE_NAME = "kwok-node-0"
# Everything `up` creates in the runtime dir (and so may delete on the next start).
RUNTIME_ITEMS = (
    "state.json",
    "state.stopped.json",
    "state.tmp",
    "logs",
    "repos",
    "pki",
    "etcd-data",
    "kubeconfig",
    "kwok.yaml",
    ".gitconfig",
    ".config",
    ".cache",
    # the spoke (tests/lab/spoke.py)
    "spoke-etcd-data",
    "kubeconfig-spoke",
    "kubeconfig-all",
    "kwok-spoke.yaml",
    "argocd-admin-token",
)


def runtime_dir() -> Path:
    """Where a running lab keeps its state, logs, PKI, etcd data and git repos."""
    return Path(os.environ.get("KFTUI_LAB_DIR") or REPO_ROOT / ".lab").resolve()


class LabStartError(RuntimeError):
    """The lab did not come up; `component` names the culprit, `log_tail` shows why."""

    def __init__(self, component: str, reason: str, log_tail: str = "") -> None:
        self.component, self.reason, self.log_tail = component, reason, log_tail
        text = f"lab component {component!r} failed: {reason}"
        if log_tail:
            text += f"\n--- last lines of {component}.log ---\n{log_tail}"
        super().__init__(text)


EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
# Where lab ports are drawn from when the ephemeral range starts low (never below this).
LOWEST_LAB_PORT = 10000


def ephemeral_port_range(source: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    """The kernel's range for outgoing connections' local ports (Linux default 32768-60999)."""
    try:
        low, high = (int(x) for x in source.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999
    return low, high


def free_port(taken: set[int] | None = None, ephemeral: tuple[int, int] | None = None) -> int:
    """A loopback port nothing listens on, outside the ephemeral range.

    Ports are chosen when the lab starts but bound by components that start minutes later.
    A port from the ephemeral range (what binding port 0 gives) can be taken in between by any
    outgoing connection, the API server's to etcd and Argo CD's to the API server included:
    CI once failed on exactly that ("Address already in use" for the gateway). Below the range
    only another listener can take it. `taken` holds ports already handed out for this lab.
    """
    low, high = ephemeral or ephemeral_port_range()
    # Wide enough spans on either side of the ephemeral range; if a host gave nearly all ports
    # to it, fall back to any port from LOWEST_LAB_PORT up (a bind check is then all that protects us).
    spans = [
        (first, last)
        for first, last in ((LOWEST_LAB_PORT, low - 1), (high + 1, 65535))
        if last - first >= 1000
    ]
    taken = taken or set()
    candidates = [
        p
        for first, last in spans or [(LOWEST_LAB_PORT, 65535)]
        for p in range(first, last + 1)
        if p not in taken
    ]
    for port in random.SystemRandom().sample(candidates, min(len(candidates), 200)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise LabStartError("ports", f"no free loopback port found outside the ephemeral range {low}-{high}")


@dataclass
class Lab(SpokeAccess):
    """A lab on this machine, described by its state file. See tests/lab/__init__.py."""

    dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    pids: dict[str, int] = field(default_factory=dict)
    bin: Path | None = None
    started_at: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    context: str = CONTEXT
    argocd_namespace: str = ARGOCD_NAMESPACE

    # -- paths and addresses ------------------------------------------------

    @property
    def state_file(self) -> Path:
        return self.dir / "state.json"

    @property
    def logs_dir(self) -> Path:
        return self.dir / "logs"

    @property
    def repos_dir(self) -> Path:
        return self.dir / "repos"

    @property
    def kubeconfig(self) -> Path:
        return self.dir / "kubeconfig"

    @property
    def audit_log(self) -> Path:
        return self.logs_dir / "audit.log"

    @property
    def server(self) -> str:
        return f"https://127.0.0.1:{self.ports['apiserver']}"

    @property
    def argocd_server(self) -> str:
        return f"127.0.0.1:{self.ports['argocd-server']}"

    @property
    def gateway(self) -> str:
        return f"127.0.0.1:{self.ports['gateway']}"

    @property
    def pki(self) -> pki.PKI:
        return pki.PKI(self.dir / "pki")

    # -- state --------------------------------------------------------------

    def save(self) -> None:
        data = {
            "ports": self.ports,
            "pids": self.pids,
            "bin": str(self.bin),
            "started_at": self.started_at,
            "timings": self.timings,
            "kubeconfig": str(self.kubeconfig),
            "context": self.context,
            "server": self.server if "apiserver" in self.ports else None,
            "argocd_server": self.argocd_server if "argocd-server" in self.ports else None,
            "argocd_namespace": self.argocd_namespace,
            "audit_log": str(self.audit_log),
            "logs_dir": str(self.logs_dir),
            "repos_dir": str(self.repos_dir),
        }
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=2))
        tmp.replace(self.state_file)

    @classmethod
    def load(cls, directory: Path | None = None) -> Lab | None:
        directory = directory or runtime_dir()
        state = directory / "state.json"
        if not state.exists():
            return None
        data = json.loads(state.read_text())
        return cls(
            dir=directory,
            ports=data["ports"],
            pids=data["pids"],
            bin=Path(data["bin"]) if data.get("bin") else None,
            started_at=data.get("started_at", 0.0),
            timings=data.get("timings", {}),
        )

    def running(self) -> dict[str, bool]:
        return {name: procs.alive(pid) for name, pid in self.pids.items()}

    def is_up(self) -> bool:
        """All recorded components alive and the apiserver and Argo CD answering."""
        if not self.pids or not all(self.running().values()):
            return False
        try:
            self._apiserver_get("/readyz")
            httpx.get(f"http://{self.argocd_server}/healthz", timeout=3).raise_for_status()
        except (httpx.HTTPError, KeyError, OSError):
            return False
        return True

    # -- helpers tests use --------------------------------------------------

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["KUBECONFIG"] = str(self.kubeconfig)
        if self.bin:
            env["PATH"] = f"{self.bin}:{env.get('PATH', '')}"
        return env

    @property
    def kubectl_path(self) -> str:
        """The kubectl built with the lab (same version as the apiserver), else the one on PATH."""
        if self.bin and (self.bin / "kubectl").exists():
            return str(self.bin / "kubectl")
        return shutil.which("kubectl") or "kubectl"

    def kubectl(
        self, *args: str, input: str | None = None, check: bool = False, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """Run kubectl against the lab (its kubeconfig and context). Never raises unless check=True."""
        cmd = [self.kubectl_path, "--kubeconfig", str(self.kubeconfig), "--context", self.context, *args]
        return subprocess.run(
            cmd, input=input, capture_output=True, text=True, check=check, timeout=timeout, env=self.env()
        )

    def argocd(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """Run the Argo CD CLI (the same multi-call binary) against this lab's API server."""
        if self.bin is None:
            raise RuntimeError("lab has no bin dir recorded")
        cmd = [
            str(self.bin / "argocd"),
            *args,
            "--server",
            self.argocd_server,
            "--plaintext",
            "--auth-token",
            "lab-auth-disabled",
        ]
        env = {**self.env(), "ARGOCD_BINARY_NAME": "argocd", "HOME": str(self.dir)}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)

    def api_client(self) -> Any:
        """A kubernetes.client.ApiClient for this lab (imported lazily: only tests need it)."""
        from kubernetes import config

        return config.new_client_from_config(str(self.kubeconfig), context=self.context)

    def admin_password(self) -> str:
        """The generated admin password (argocd-initial-admin-secret), for POST /api/v1/session."""
        secret = self.get_json("secret", "argocd-initial-admin-secret", "-n", self.argocd_namespace)
        return base64.b64decode(secret["data"]["password"]).decode()

    def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.5) -> Any:
        """Poll `predicate` until it returns something truthy; raise TimeoutError naming `what`.

        Exceptions from the predicate count as "not yet"; the last one is quoted on timeout.
        """
        deadline = time.monotonic() + timeout
        last: object = None
        while True:
            try:
                result = predicate()
                if result:
                    return result
                last = result
            except Exception as e:
                last = e
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"timed out after {timeout:.0f}s waiting for {what}; last result: {last!r}"
                )
            time.sleep(interval)

    def commit(self, repo: str, path: str, content: str, message: str) -> str:
        """Write `content` to `path` in scenario repo `repo`, commit it; returns the new sha."""
        return scenarios.commit(self.repos_dir / repo, path, content, message)

    def repo_url(self, repo: str) -> str:
        return f"file://{self.repos_dir / repo}"

    def get_json(self, *args: str) -> Any:
        out = self.kubectl("get", *args, "-o", "json")
        if out.returncode != 0:
            raise RuntimeError(f"kubectl get {' '.join(args)}: {out.stderr.strip()}")
        return json.loads(out.stdout)

    def app(self, name: str) -> dict[str, Any]:
        """The Application object as Argo CD stores it (via the Kubernetes API)."""
        return self.get_json("applications.argoproj.io", name, "-n", self.argocd_namespace)

    def refresh(self, name: str, kind: str = "hard") -> None:
        out = self.kubectl(
            "annotate",
            "applications.argoproj.io",
            name,
            "-n",
            self.argocd_namespace,
            f"argocd.argoproj.io/refresh={kind}",
            "--overwrite",
        )
        if out.returncode != 0:
            raise RuntimeError(f"refresh {name}: {out.stderr.strip()}")

    def audit_mark(self) -> int:
        """A position in the audit log; pass it to `writes_since` to see what came after."""
        try:
            return self.audit_log.stat().st_size
        except FileNotFoundError:
            return 0

    def writes_since(self, mark: int, user_agent: str | None = None) -> list[dict[str, Any]]:
        """Audit events for write requests (create/update/patch/delete) after `mark`.

        `user_agent` keeps only events whose userAgent starts with it (e.g. "kftui" or
        "kubectl"), which separates a client's writes from the controllers'.
        """
        writes = {"create", "update", "patch", "delete", "deletecollection"}
        with self.audit_log.open("rb") as f:
            f.seek(mark)
            lines = f.read().decode(errors="replace").splitlines()
        events = []
        for line in lines:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("stage") != "ResponseComplete" or event.get("verb") not in writes:
                continue
            if user_agent and not event.get("userAgent", "").startswith(user_agent):
                continue
            events.append(event)
        return events

    def log_tail(self, component: str, lines: int = 40) -> str:
        return procs.tail(self.logs_dir / f"{component}.log", lines)

    def describe_failure(self) -> str:
        """Which components died, with the tail of their logs (for failing test runs)."""
        parts = []
        for name, ok in self.running().items():
            if not ok:
                parts.append(f"--- {name} is not running; last lines of its log ---\n{self.log_tail(name)}")
        return "\n".join(parts)

    # -- low level ------------------------------------------------------------

    def _tls(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki.ca_cert))
        ctx.load_cert_chain(str(self.pki.cert("admin")), str(self.pki.key("admin")))
        return ctx

    def _apiserver_get(self, path: str) -> httpx.Response:
        r = httpx.get(f"{self.server}{path}", verify=self._tls(), timeout=5)
        r.raise_for_status()
        return r


# -- start ------------------------------------------------------------------


class _Starter:
    def __init__(self, lab: Lab, log: Callable[[str], None]) -> None:
        self.lab, self.log = lab, log
        self.t0 = time.monotonic()
        self.popen: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        # KFTUI_LAB_EXTRA_ARGS_KUBE_APISERVER="--v=4" etc.: extra flags for one component.
        extra = os.environ.get("KFTUI_LAB_EXTRA_ARGS_" + name.upper().replace("-", "_"), "")
        argv = [*argv, *extra.split()]
        try:
            proc = procs.start(name, argv, self.lab.logs_dir, env=env, cwd=self.lab.dir)
        except OSError as e:
            raise LabStartError(name, f"cannot run {argv[0]}: {e}", self.lab.log_tail(name)) from e
        self.popen[name] = proc
        self.lab.pids[name] = proc.pid
        self.lab.save()

    def wait(self, name: str, check: Callable[[], bool], timeout: float = 60, what: str = "") -> None:
        """Wait until `check()` is true; fail fast if the component's process exits."""
        start = time.monotonic()
        last: object = None
        while time.monotonic() - start < timeout:
            proc = self.popen.get(name)
            if proc is not None and proc.poll() is not None:
                raise LabStartError(
                    name, f"process exited with code {proc.returncode}", self.lab.log_tail(name)
                )
            try:
                if check():
                    self.lab.timings[name] = round(time.monotonic() - self.t0, 1)
                    detail = f": {what}" if what else ""
                    self.log(f"[lab] {name} ready{detail} (+{time.monotonic() - self.t0:.1f}s)")
                    return
            except Exception as e:
                last = e
            time.sleep(0.2)
        raise LabStartError(
            name,
            f"not ready after {timeout:.0f}s ({what or 'readiness check'}); last: {last!r}",
            self.lab.log_tail(name),
        )

    def kubectl_ok(self, component: str, *args: str, input: str | None = None) -> str:
        out = self.lab.kubectl(*args, input=input)
        if out.returncode != 0:
            raise LabStartError(component, f"kubectl {' '.join(args)} failed: {out.stderr.strip()}")
        return out.stdout


def _http_ok(url: str, verify: bool | ssl.SSLContext = False, status: int = 200) -> bool:
    return httpx.get(url, verify=verify, timeout=3).status_code == status


def _redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(b"PING\r\n")
        return s.recv(64).startswith(b"+PONG")


def write_kubeconfig(lab: Lab) -> None:
    p = lab.pki
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": CONTEXT,
        "preferences": {},
        "clusters": [
            {"name": CONTEXT, "cluster": {"server": lab.server, "certificate-authority": str(p.ca_cert)}}
        ],
        "users": [
            {
                "name": "kftui-lab-admin",
                "user": {"client-certificate": str(p.cert("admin")), "client-key": str(p.key("admin"))},
            }
        ],
        "contexts": [
            {
                "name": CONTEXT,
                "context": {"cluster": CONTEXT, "user": "kftui-lab-admin", "namespace": "default"},
            }
        ],
    }
    lab.kubeconfig.write_text(yaml.safe_dump(config, sort_keys=False))


def _kwok_config(lab: Lab, cache: Path) -> Path:
    """Upstream fast node/pod stages plus the lab's own kwok objects, one multi-doc file."""
    stages = cache / "kwok-stages"
    docs: list[str] = []
    for sub in ("node/fast", "node/heartbeat-with-lease", "pod/fast"):
        for f in sorted((stages / sub).glob("*.yaml")):
            if f.name != "kustomization.yaml":
                docs.append(f.read_text())
    (lab.logs_dir / "pod-app.log").write_text(
        # CRI log format, which kwok parses: <time> <stream> <F|P> <line>
        "2026-01-01T00:00:00.000000000Z stdout F starting (simulated by kwok)\n"
        "2026-01-01T00:00:01.000000000Z stdout F serving on :8080\n"
    )
    (lab.logs_dir / "pod-crash.log").write_text(
        "2026-01-01T00:00:00.000000000Z stdout F starting (simulated by kwok)\n"
        "2026-01-01T00:00:01.000000000Z stderr F F0101 00:00:01.000000 1 main.go:42] "
        "failed to connect to mysql.kubeflow.svc:3306: connect: connection refused\n"
    )
    for name, text in scenarios.TALKER_LOGS.items():
        (lab.logs_dir / name).write_text(text)
    own = (CONFIG / "kwok-lab.yaml").read_text()
    own = own.replace("@GATEWAY_PORT@", str(lab.ports["gateway"])).replace("@LOGS_DIR@", str(lab.logs_dir))
    docs.append(own)
    path = lab.dir / "kwok.yaml"
    path.write_text("\n---\n".join(d.strip() for d in docs) + "\n")
    return path


def _argocd_config(lab: Lab, s: _Starter, cache: Path) -> None:
    manifests = cache / "argocd-manifests"
    ns = ARGOCD_NAMESPACE
    s.kubectl_ok("argocd-config", "create", "namespace", ns)
    for crd_file in sorted((manifests / "crds").glob("*-crd.yaml")):
        s.kubectl_ok("argocd-config", "apply", "--server-side", "-f", str(crd_file))
    for crd in ("applications", "appprojects"):

        def established(crd: str = crd) -> bool:
            conds = lab.get_json("crd", f"{crd}.argoproj.io").get("status", {}).get("conditions") or []
            return any(c["type"] == "Established" and c["status"] == "True" for c in conds)

        s.wait("argocd-config", established, what=f"CRD {crd}.argoproj.io Established")
    for f in sorted((manifests / "base" / "config").glob("argocd-*.yaml")):
        s.kubectl_ok("argocd-config", "apply", "-n", ns, "-f", str(f))
    overrides = yaml.safe_load((CONFIG / "argocd-config.yaml").read_text())
    for name, data in overrides.items():
        kind = "secret" if name == "argocd-secret" else "configmap"
        field_name = "stringData" if kind == "secret" else "data"
        if kind == "secret":
            data = {**data, "server.secretkey": secrets.token_urlsafe(32)}
        s.kubectl_ok(
            "argocd-config",
            "patch",
            kind,
            name,
            "-n",
            ns,
            "--type=merge",
            "-p",
            json.dumps({field_name: data}),
        )
    s.kubectl_ok("argocd-config", "apply", "-n", ns, "-f", str(CONFIG / "argocd-project.yaml"))


def spoke_wanted() -> bool:
    """KFTUI_LAB_SPOKE=1: `up` starts the spoke too (tests/lab/spoke.py)."""
    return os.environ.get("KFTUI_LAB_SPOKE") == "1"


def up(
    log: Callable[[str], None] | None = None, directory: Path | None = None, spoke: bool | None = None
) -> Lab:
    """Start a lab (building binaries first if missing). Raises LabStartError on failure.

    `spoke` (default: KFTUI_LAB_SPOKE=1) also starts the spoke cluster, in parallel with the hub.
    """
    log = log or (lambda line: print(line, flush=True))
    spoke = spoke_wanted() if spoke is None else spoke
    directory = directory or runtime_dir()
    existing = Lab.load(directory)
    if existing is not None:
        if existing.is_up():
            raise LabStartError(
                "lab",
                f"a lab is already running (state file {existing.state_file}); "
                "use it (KFTUI_LAB_REUSE=1) or `make lab-down` first",
            )
        down(directory, log=log)

    if build.missing_binaries():
        build.build_all(log=log)
    cache = build.cache_dir()
    bindir = build.bin_dir()

    # Start from a clean slate, but only remove what the lab itself writes here.
    directory.mkdir(parents=True, exist_ok=True)
    for item in RUNTIME_ITEMS:
        target = directory / item
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
    lab = Lab(dir=directory, bin=bindir, started_at=time.time())
    lab.logs_dir.mkdir()
    lab.repos_dir.mkdir()
    for name in (
        "etcd",
        "etcd-peer",
        "apiserver",
        "controller-manager",
        "scheduler",
        "kwok",
        "gateway",
        "redis",
        "repo-server",
        "repo-server-metrics",
        "controller-metrics",
        "argocd-server",
        "argocd-server-metrics",
    ):
        lab.ports[name] = free_port(taken=set(lab.ports.values()))
    spoke_mod: Any = None
    if spoke:
        from tests.lab import spoke as spoke_mod

        spoke_mod.allocate_ports(lab)
    lab.save()
    s = _Starter(lab, log)
    try:
        _up(lab, s, cache, bindir, spoke_mod)
    except BaseException:
        log("[lab] start failed; stopping what started")
        down(directory, log=log, keep_logs=True)
        raise
    lab.timings["total"] = round(time.monotonic() - s.t0, 1)
    lab.save()
    log(
        f"[lab] up in {lab.timings['total']:.1f}s: apiserver {lab.server}, Argo CD http://{lab.argocd_server}, "
        f"KUBECONFIG={lab.kubeconfig}"
    )
    return lab


ARGOCD_COMMON_ARGS = ["--loglevel", "info", "--logformat", "text"]


def argocd_env(lab: Lab) -> dict[str, str]:
    """The environment every Argo CD process of the lab runs with (plus its ARGOCD_BINARY_NAME)."""
    return {
        **lab.env(),
        "ARGOCD_FAKE_IN_CLUSTER": "true",
        "HOME": str(lab.dir),
        "ARGOCD_GPG_ENABLED": "false",
        "ARGOCD_EXEC_TIMEOUT": "60s",
    }


def argocd_server_argv(lab: Lab, bindir: Path, port_name: str, disable_auth: bool) -> list[str]:
    """argocd-server on ports[port_name] (metrics on ports[port_name + "-metrics"]), plain HTTP."""
    P = lab.ports
    return [
        str(bindir / "argocd"),
        *ARGOCD_COMMON_ARGS,
        "--redis",
        f"127.0.0.1:{P['redis']}",
        f"--kubeconfig={lab.kubeconfig}",
        "--namespace",
        ARGOCD_NAMESPACE,
        "--insecure",
        *(["--disable-auth"] if disable_auth else []),
        "--address",
        "127.0.0.1",
        "--port",
        str(P[port_name]),
        "--metrics-port",
        str(P[f"{port_name}-metrics"]),
        "--repo-server",
        f"127.0.0.1:{P['repo-server']}",
        "--repo-server-plaintext",
    ]


def _up(lab: Lab, s: _Starter, cache: Path, bindir: Path, spoke_mod: Any = None) -> None:
    """Start the hub; with `spoke_mod` (tests/lab/spoke.py) the spoke comes up alongside."""
    P = lab.ports
    b = lambda name: str(bindir / name)  # noqa: E731
    try:
        p = pki.create(lab.pki.dir)
    except pki.PKIError as e:
        raise LabStartError("pki", str(e)) from e
    write_kubeconfig(lab)
    kc = str(lab.kubeconfig)
    env = lab.env()
    if spoke_mod is not None:
        # The spoke's etcd and apiserver start first and boot while the hub's tiers come up.
        spoke_mod.start_control_plane(lab, s)

    # etcd: plain HTTP on loopback; fsync off, the data is throwaway.
    s.start(
        "etcd",
        [
            b("etcd"),
            "--name",
            "lab",
            "--data-dir",
            str(lab.dir / "etcd-data"),
            "--listen-client-urls",
            f"http://127.0.0.1:{P['etcd']}",
            "--advertise-client-urls",
            f"http://127.0.0.1:{P['etcd']}",
            "--listen-peer-urls",
            f"http://127.0.0.1:{P['etcd-peer']}",
            "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{P['etcd-peer']}",
            "--initial-cluster",
            f"lab=http://127.0.0.1:{P['etcd-peer']}",
            "--unsafe-no-fsync",
            "--log-level",
            "warn",
        ],
    )
    s.wait(
        "etcd",
        lambda: httpx.get(f"http://127.0.0.1:{P['etcd']}/health", timeout=2).json()["health"] == "true",
    )

    s.start(
        "kube-apiserver",
        [
            b("kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{P['etcd']}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={P['apiserver']}",
            f"--tls-cert-file={p.cert('apiserver')}",
            f"--tls-private-key-file={p.key('apiserver')}",
            f"--client-ca-file={p.ca_cert}",
            f"--service-account-key-file={p.sa_pub}",
            f"--service-account-signing-key-file={p.sa_key}",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-cluster-ip-range=10.96.0.0/16",
            "--authorization-mode=Node,RBAC",
            "--allow-privileged=true",
            "--kubelet-preferred-address-types=InternalIP",
            f"--kubelet-client-certificate={p.cert('admin')}",
            f"--kubelet-client-key={p.key('admin')}",
            f"--audit-policy-file={CONFIG / 'audit-policy.yaml'}",
            f"--audit-log-path={lab.audit_log}",
            "--audit-log-maxsize=200",
            "--audit-log-mode=blocking",
            "--v=1",
        ],
    )
    s.wait("kube-apiserver", lambda: lab._apiserver_get("/readyz").status_code == 200, timeout=90)

    s.start(
        "kube-controller-manager",
        [
            b("kube-controller-manager"),
            f"--kubeconfig={kc}",
            f"--authentication-kubeconfig={kc}",
            f"--authorization-kubeconfig={kc}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            f"--secure-port={P['controller-manager']}",
            f"--service-account-private-key-file={p.sa_key}",
            f"--root-ca-file={p.ca_cert}",
            f"--cluster-signing-cert-file={p.ca_cert}",
            f"--cluster-signing-key-file={p.ca_key}",
            "--use-service-account-credentials=false",
            "--v=1",
        ],
    )
    s.start(
        "kube-scheduler",
        [
            b("kube-scheduler"),
            f"--kubeconfig={kc}",
            f"--authentication-kubeconfig={kc}",
            f"--authorization-kubeconfig={kc}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            f"--secure-port={P['scheduler']}",
            "--v=1",
        ],
    )
    s.wait(
        "kube-controller-manager", lambda: _http_ok(f"https://127.0.0.1:{P['controller-manager']}/healthz")
    )
    s.wait("kube-scheduler", lambda: _http_ok(f"https://127.0.0.1:{P['scheduler']}/healthz"))
    s.wait(
        "kube-controller-manager",
        lambda: lab.kubectl("get", "serviceaccount", "default").returncode == 0,
        what="the default ServiceAccount",
    )

    # kwok: simulated kubelet for one node; serves logs/port-forward on loopback.
    s.start(
        "gateway",
        [sys.executable, "-m", "tests.lab.gateway", "--port", str(P["gateway"])],
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
    )
    s.wait("gateway", lambda: _http_ok(f"http://{lab.gateway}/", status=302))
    kwok_conf = _kwok_config(lab, cache)
    s.start(
        "kwok",
        [
            b("kwok"),
            f"--kubeconfig={kc}",
            f"--config={kwok_conf}",
            "--manage-all-nodes=true",
            "--node-ip=127.0.0.1",
            f"--node-name={NODE_NAME}",
            f"--node-port={P['kwok']}",
            f"--server-address=127.0.0.1:{P['kwok']}",
            f"--tls-cert-file={p.cert('kwok')}",
            f"--tls-private-key-file={p.key('kwok')}",
            "--node-lease-duration-seconds=40",
            "--cidr=10.244.0.0/16",
        ],
        env=env,
    )
    s.wait("kwok", lambda: _http_ok(f"https://127.0.0.1:{P['kwok']}/healthz"))
    s.kubectl_ok("kwok", "apply", "-f", "-", input=yaml.safe_dump(scenarios.node(NODE_NAME)))
    s.wait("kwok", lambda: scenarios.node_ready(lab, NODE_NAME), what=f"node {NODE_NAME} Ready")
    if spoke_mod is not None:
        spoke_mod.start_nodes(lab, s)

    # Argo CD: redis, config objects, then its three servers from one binary.
    s.start(
        "redis",
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(P["redis"]),
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
            "--dir",
            str(lab.dir),
        ],
    )
    s.wait("redis", lambda: _redis_ping(P["redis"]))
    _argocd_config(lab, s, cache)
    argo_env = argocd_env(lab)
    common = ARGOCD_COMMON_ARGS
    redis = ["--redis", f"127.0.0.1:{P['redis']}"]
    s.start(
        "argocd-repo-server",
        [
            b("argocd"),
            *common,
            *redis,
            "--address",
            "127.0.0.1",
            "--port",
            str(P["repo-server"]),
            "--metrics-address",
            "127.0.0.1",
            "--metrics-port",
            str(P["repo-server-metrics"]),
            "--disable-tls",
        ],
        env={**argo_env, "ARGOCD_BINARY_NAME": "argocd-repo-server"},
    )
    s.start(
        "argocd-application-controller",
        [
            b("argocd"),
            *common,
            *redis,
            f"--kubeconfig={kc}",
            "--namespace",
            ARGOCD_NAMESPACE,
            "--repo-server",
            f"127.0.0.1:{P['repo-server']}",
            "--repo-server-plaintext",
            # Argo CD v3.2 hard-codes 0.0.0.0 for this listener (controller/appcontroller.go):
            # the one lab port that is not bound to loopback only.
            "--metrics-port",
            str(P["controller-metrics"]),
            "--status-processors",
            "4",
            "--operation-processors",
            "4",
        ],
        env={**argo_env, "ARGOCD_BINARY_NAME": "argocd-application-controller"},
    )
    s.start(
        "argocd-server",
        argocd_server_argv(lab, bindir, "argocd-server", disable_auth=True),
        env={**argo_env, "ARGOCD_BINARY_NAME": "argocd-server"},
    )
    if spoke_mod is not None:
        spoke_mod.start_argocd_auth(lab, s)
        spoke_mod.wait_nodes(lab, s)
    s.wait("argocd-repo-server", lambda: _http_ok(f"http://127.0.0.1:{P['repo-server-metrics']}/healthz"))
    s.wait(
        "argocd-application-controller",
        lambda: _http_ok(f"http://127.0.0.1:{P['controller-metrics']}/healthz"),
        timeout=90,
    )
    s.wait("argocd-server", lambda: _http_ok(f"http://{lab.argocd_server}/healthz"), timeout=90)
    s.wait(
        "argocd-server",
        lambda: httpx.get(f"http://{lab.argocd_server}/api/v1/applications", timeout=5).status_code == 200,
        what="GET /api/v1/applications",
    )

    # Scenarios: repos, direct manifests, Applications.
    try:
        scenarios.install(lab, log=s.log)
    except scenarios.ScenarioError as e:
        raise LabStartError("scenarios", str(e)) from e
    lab.timings["scenarios"] = round(time.monotonic() - s.t0, 1)
    if spoke_mod is not None:
        spoke_mod.register(lab, s)


# -- stop -------------------------------------------------------------------


def stop_component(lab: Lab, name: str) -> bool:
    """Stop one recorded process (its whole group) and forget it, so the lab still counts as up without it.
    True when it was running. The bench uses it for what it never reads but would share the cores with."""
    pid = lab.pids.pop(name, None)
    if pid is None:
        return False
    running = procs.alive(pid)
    procs.stop_groups([pid])
    lab.save()
    return running


def down(
    directory: Path | None = None, log: Callable[[str], None] | None = None, keep_logs: bool = True
) -> list[str]:
    """Stop every process recorded in the state file (whole process groups). Idempotent."""
    log = log or (lambda line: print(line, flush=True))
    directory = directory or runtime_dir()
    lab = Lab.load(directory)
    if lab is None:
        return []
    # Clients first, then the apiserver, then etcd: an apiserver whose etcd is gone
    # hangs in shutdown until it is killed.
    order = list(reversed(list(lab.pids.items())))
    stopped = [name for name, pid in order if procs.alive(pid)]
    last = (("kube-apiserver", "spoke-kube-apiserver"), ("etcd", "spoke-etcd"))
    tiers = [[pid for name, pid in order if all(name not in t for t in last)]] + [
        [pid for name, pid in order if name in t] for t in last
    ]
    for tier in tiers:
        killed = procs.stop_groups(tier)
        if killed:
            log(f"[lab] had to SIGKILL process groups {killed}")
    leftovers = [name for name, pid in order if procs.alive(pid)]
    if leftovers:
        log(f"[lab] WARNING: still running after SIGKILL: {leftovers}")
    lab.pids = {}
    lab.save()
    with contextlib.suppress(OSError):
        lab.state_file.rename(directory / "state.stopped.json")
    if not keep_logs:
        for item in RUNTIME_ITEMS:
            target = directory / item
            if target.is_dir():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
    if stopped:
        log(f"[lab] stopped {', '.join(stopped)}")
    return stopped


def status(directory: Path | None = None) -> str:
    lab = Lab.load(directory)
    if lab is None:
        return "lab: not running (no state file)"
    lines = [
        f"lab: state {lab.state_file}",
        f"  KUBECONFIG={lab.kubeconfig}",
        f"  apiserver  {lab.server}",
        f"  argocd     http://{lab.argocd_server}",
        f"  logs       {lab.logs_dir}",
    ]
    if lab.has_spoke:
        lines += [
            f"  spoke      {lab.spoke_server} (KUBECONFIG={lab.spoke_kubeconfig}; both: {lab.kubeconfig_all})",
            f"  argocd     http://{lab.argocd_auth_server} (auth on; admin token: `python -m tests.lab env`)",
        ]
    for name, ok in lab.running().items():
        lines.append(f"  {'up  ' if ok else 'DOWN'} {name} (pid {lab.pids[name]})")
    if lab.timings:
        lines.append(f"  start timings (s since start): {lab.timings}")
    times = build.cache_dir() / "build-times.json"
    if times.exists():
        lines.append(f"  build times (s, last build of each): {json.loads(times.read_text())}")
    return "\n".join(lines)

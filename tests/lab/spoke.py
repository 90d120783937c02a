"""Start the spoke: a second control plane the hub's Argo CD deploys part of the Kubeflow install to.

The spoke has its own etcd, kube-apiserver (own ports, own service-account signing key and issuer,
serving cert and client CA from the lab's CA), kube-controller-manager, kube-scheduler and kwok
(node kwok-spoke-0), all from the same cached binaries. It is registered in the hub's Argo CD as a
cluster Secret (bearer token of ServiceAccount kube-system/argocd-manager bound to cluster-admin, as
`argocd cluster add` does). A second argocd-server with auth and RBAC on (`argocd-server-auth`) serves
the same Argo CD, so project-role tokens are really enforced (the hub's first server runs --disable-auth).

Two ways in: `up(spoke=True)` (KFTUI_LAB_SPOKE=1, `python -m tests.lab up --spoke`) starts it in
parallel with the hub: start_control_plane, start_nodes, start_argocd_auth, wait_nodes and register are
called from lab._up; `add(lab)` adds it to a running hub (the `lab_spoke` fixture does this, so e2e
sessions that do not need it do not pay for it).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from tests.lab import pki, scenarios, spoke_scenario
from tests.lab.lab import (
    CONFIG,
    Lab,
    LabStartError,
    _http_ok,
    _Starter,
    argocd_env,
    argocd_server_argv,
    free_port,
)
from tests.lab.remote_access import SPOKE_CLUSTER_NAME, SPOKE_CONTEXT

SPOKE_NODE = "kwok-spoke-0"
PORTS = (
    "spoke-etcd",
    "spoke-etcd-peer",
    "spoke-apiserver",
    "spoke-controller-manager",
    "spoke-scheduler",
    "spoke-kwok",
    "argocd-server-auth",
    "argocd-server-auth-metrics",
)
MANAGER_SA = ("kube-system", "argocd-manager")


def allocate_ports(lab: Lab) -> None:
    for name in PORTS:
        lab.ports[name] = free_port(taken=set(lab.ports.values()))


def _kubeconfig_entries(lab: Lab, context: str, server: str) -> dict[str, dict[str, object]]:
    p = lab.pki
    return {
        "cluster": {"name": context, "cluster": {"server": server, "certificate-authority": str(p.ca_cert)}},
        "user": {
            "name": f"{context}-admin",
            "user": {"client-certificate": str(p.cert("admin")), "client-key": str(p.key("admin"))},
        },
        "context": {
            "name": context,
            "context": {"cluster": context, "user": f"{context}-admin", "namespace": "default"},
        },
    }


def write_kubeconfigs(lab: Lab) -> None:
    """kubeconfig-spoke (the spoke only) and kubeconfig-all (hub as current context, plus the spoke)."""
    spoke = _kubeconfig_entries(lab, SPOKE_CONTEXT, lab.spoke_server)
    hub = _kubeconfig_entries(lab, lab.context, lab.server)
    for path, entries, current in (
        (lab.spoke_kubeconfig, [spoke], SPOKE_CONTEXT),
        (lab.kubeconfig_all, [hub, spoke], lab.context),
    ):
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "current-context": current,
            "preferences": {},
            "clusters": [e["cluster"] for e in entries],
            "users": [e["user"] for e in entries],
            "contexts": [e["context"] for e in entries],
        }
        path.write_text(yaml.safe_dump(config, sort_keys=False))


def _spoke_kubectl_ok(lab: Lab, component: str, *args: str, input: str | None = None) -> str:
    out = lab.spoke_kubectl(*args, input=input)
    if out.returncode != 0:
        raise LabStartError(component, f"kubectl (spoke) {' '.join(args)} failed: {out.stderr.strip()}")
    return out.stdout


def _spoke_ready(lab: Lab) -> bool:
    r = httpx.get(f"{lab.spoke_server}/readyz", verify=lab._tls(), timeout=5)
    return r.status_code == 200


def _bindir(lab: Lab) -> Path:
    if lab.bin is None:
        raise LabStartError("spoke", "the lab has no bin dir recorded")
    return lab.bin


def _bin(lab: Lab) -> Callable[[str], str]:
    bindir = _bindir(lab)
    return lambda name: str(bindir / name)


def start_control_plane(lab: Lab, s: _Starter) -> None:
    """Spoke etcd (waited for: about a second) and kube-apiserver (not waited for)."""
    b = _bin(lab)
    P = lab.ports
    try:
        p = pki.create(lab.pki.dir)
        sa_key, sa_pub = pki.service_account_keys(p, "spoke-sa")
    except pki.PKIError as e:
        raise LabStartError("pki", str(e)) from e
    write_kubeconfigs(lab)
    etcd = f"http://127.0.0.1:{P['spoke-etcd']}"
    peer = f"http://127.0.0.1:{P['spoke-etcd-peer']}"
    s.start(
        "spoke-etcd",
        [
            b("etcd"),
            "--name=spoke",
            f"--data-dir={lab.dir / 'spoke-etcd-data'}",
            f"--listen-client-urls={etcd}",
            f"--advertise-client-urls={etcd}",
            f"--listen-peer-urls={peer}",
            f"--initial-advertise-peer-urls={peer}",
            f"--initial-cluster=spoke={peer}",
            "--unsafe-no-fsync",
            "--log-level=warn",
        ],
    )
    s.wait("spoke-etcd", lambda: httpx.get(f"{etcd}/health", timeout=2).json()["health"] == "true")
    s.start(
        "spoke-kube-apiserver",
        [
            b("kube-apiserver"),
            f"--etcd-servers={etcd}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={P['spoke-apiserver']}",
            f"--tls-cert-file={p.cert('apiserver')}",
            f"--tls-private-key-file={p.key('apiserver')}",
            f"--client-ca-file={p.ca_cert}",
            f"--service-account-key-file={sa_pub}",
            f"--service-account-signing-key-file={sa_key}",
            "--service-account-issuer=https://spoke.kftui-lab.invalid",
            "--service-cluster-ip-range=10.97.0.0/16",
            "--authorization-mode=Node,RBAC",
            "--allow-privileged=true",
            "--kubelet-preferred-address-types=InternalIP",
            f"--kubelet-client-certificate={p.cert('admin')}",
            f"--kubelet-client-key={p.key('admin')}",
            f"--audit-policy-file={CONFIG / 'audit-policy.yaml'}",
            f"--audit-log-path={lab.spoke_audit_log}",
            "--audit-log-maxsize=200",
            "--audit-log-mode=blocking",
            "--v=1",
        ],
    )


def _kwok_config(lab: Lab) -> str:
    """The hub's kwok config (stages, port-forward) with the spoke's own ClusterLogs and a BackOff event."""
    docs = [d for d in yaml.safe_load_all((lab.dir / "kwok.yaml").read_text()) if d]
    docs = [d for d in docs if d.get("kind") != "ClusterLogs"]
    for d in docs:
        if d.get("kind") == "Stage" and d["metadata"]["name"] == "pod-crash-loop":
            # What a kubelet reports for a crash-looping container; the hub's stage sends no event.
            d["spec"]["next"]["event"] = dict(spoke_scenario.BACKOFF_EVENT)
    crash_log = lab.logs_dir / "pod-spoke-katib.log"
    crash_log.write_text(spoke_scenario.KATIB_CRASH_LOG)
    docs.append(
        {
            "apiVersion": "kwok.x-k8s.io/v1alpha1",
            "kind": "ClusterLogs",
            "metadata": {"name": "default"},
            "spec": {
                "logs": [
                    {
                        "containers": [spoke_scenario.CRASHING_DEPLOYMENT],
                        "logsFile": str(crash_log),
                        "previousLogsFile": str(crash_log),
                        "follow": False,
                    },
                    {"logsFile": str(lab.logs_dir / "pod-app.log"), "follow": False},
                ]
            },
        }
    )
    path = lab.dir / "kwok-spoke.yaml"
    path.write_text(yaml.safe_dump_all(docs, sort_keys=False))
    return str(path)


def start_nodes(lab: Lab, s: _Starter) -> None:
    """Once the spoke apiserver answers: its controller-manager, scheduler and kwok, and the node object."""
    b = _bin(lab)
    P = lab.ports
    p = lab.pki
    kc = str(lab.spoke_kubeconfig)
    s.wait("spoke-kube-apiserver", lambda: _spoke_ready(lab), timeout=90)
    s.start(
        "spoke-kube-controller-manager",
        [
            b("kube-controller-manager"),
            f"--kubeconfig={kc}",
            f"--authentication-kubeconfig={kc}",
            f"--authorization-kubeconfig={kc}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            f"--secure-port={P['spoke-controller-manager']}",
            f"--service-account-private-key-file={p.dir / 'spoke-sa.key'}",
            f"--root-ca-file={p.ca_cert}",
            f"--cluster-signing-cert-file={p.ca_cert}",
            f"--cluster-signing-key-file={p.ca_key}",
            "--use-service-account-credentials=false",
            "--v=1",
        ],
    )
    s.start(
        "spoke-kube-scheduler",
        [
            b("kube-scheduler"),
            f"--kubeconfig={kc}",
            f"--authentication-kubeconfig={kc}",
            f"--authorization-kubeconfig={kc}",
            "--leader-elect=false",
            "--bind-address=127.0.0.1",
            f"--secure-port={P['spoke-scheduler']}",
            "--v=1",
        ],
    )
    s.start(
        "spoke-kwok",
        [
            b("kwok"),
            f"--kubeconfig={kc}",
            f"--config={_kwok_config(lab)}",
            "--manage-all-nodes=true",
            "--node-ip=127.0.0.1",
            f"--node-name={SPOKE_NODE}",
            f"--node-port={P['spoke-kwok']}",
            f"--server-address=127.0.0.1:{P['spoke-kwok']}",
            f"--tls-cert-file={p.cert('kwok')}",
            f"--tls-private-key-file={p.key('kwok')}",
            "--node-lease-duration-seconds=40",
            "--cidr=10.245.0.0/16",
        ],
        env={**lab.env(), "KUBECONFIG": kc},
    )
    _spoke_kubectl_ok(lab, "spoke-kwok", "apply", "-f", "-", input=yaml.safe_dump(scenarios.node(SPOKE_NODE)))


def _node_ready(lab: Lab) -> bool:
    n = lab.spoke_get_json("node", SPOKE_NODE)
    return any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"].get("conditions", []))


def wait_nodes(lab: Lab, s: _Starter) -> None:
    P = lab.ports
    s.wait(
        "spoke-kube-controller-manager",
        lambda: _http_ok(f"https://127.0.0.1:{P['spoke-controller-manager']}/healthz"),
    )
    s.wait("spoke-kube-scheduler", lambda: _http_ok(f"https://127.0.0.1:{P['spoke-scheduler']}/healthz"))
    s.wait("spoke-kwok", lambda: _http_ok(f"https://127.0.0.1:{P['spoke-kwok']}/healthz"))
    s.wait("spoke-kwok", lambda: _node_ready(lab), what=f"node {SPOKE_NODE} Ready")


def start_argocd_auth(lab: Lab, s: _Starter) -> None:
    """A second argocd-server on the same Argo CD (same namespace, redis, repo-server) without --disable-auth."""
    s.start(
        "argocd-server-auth",
        argocd_server_argv(lab, _bindir(lab), "argocd-server-auth", disable_auth=False),
        env={**argocd_env(lab), "ARGOCD_BINARY_NAME": "argocd-server"},
    )


def _manager_token(lab: Lab) -> str:
    """A token for kube-system/argocd-manager (cluster-admin on the spoke), as `argocd cluster add` sets up."""
    ns, name = MANAGER_SA
    _spoke_kubectl_ok(lab, "spoke", "create", "serviceaccount", name, "-n", ns)
    _spoke_kubectl_ok(
        lab,
        "spoke",
        "create",
        "clusterrolebinding",
        name,
        "--clusterrole=cluster-admin",
        f"--serviceaccount={ns}:{name}",
    )
    return _spoke_kubectl_ok(lab, "spoke", "create", "token", name, "-n", ns, "--duration=8760h").strip()


def cluster_secret(lab: Lab, token: str) -> dict[str, Any]:
    """The Argo CD cluster Secret for the spoke (docs: operator-manual/declarative-setup.md#clusters)."""
    config = {
        "bearerToken": token,
        "tlsClientConfig": {
            "insecure": False,
            "caData": base64.b64encode(lab.pki.ca_cert.read_bytes()).decode(),
        },
    }
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"cluster-{SPOKE_CLUSTER_NAME}",
            "namespace": lab.argocd_namespace,
            "labels": {"argocd.argoproj.io/secret-type": "cluster"},
        },
        "type": "Opaque",
        "stringData": {"name": SPOKE_CLUSTER_NAME, "server": lab.spoke_server, "config": json.dumps(config)},
    }


def register(lab: Lab, s: _Starter) -> None:
    """Register the spoke in Argo CD, turn RBAC's default role off, log admin in, install the spoke scenario."""
    s.wait(
        "spoke-kube-controller-manager",
        lambda: lab.spoke_kubectl("get", "serviceaccount", "default").returncode == 0,
        what="the spoke's default ServiceAccount",
    )
    secret = cluster_secret(lab, _manager_token(lab))
    s.kubectl_ok("spoke", "apply", "-f", "-", input=json.dumps(secret))
    # The lab's argocd-rbac-cm grants role:admin to everyone by default; with that, a project role
    # could sync too. Only the auth-enabled server enforces RBAC, so the first server is unaffected.
    s.kubectl_ok(
        "spoke",
        "patch",
        "configmap",
        "argocd-rbac-cm",
        "-n",
        lab.argocd_namespace,
        "--type=merge",
        "-p",
        json.dumps({"data": {"policy.default": ""}}),
    )
    s.wait("argocd-server-auth", lambda: _http_ok(f"http://{lab.argocd_auth_server}/healthz"), timeout=90)
    lab._admin_token_file.unlink(missing_ok=True)
    s.wait(
        "argocd-server-auth",
        lambda: bool(lab.argocd_admin_token()),
        what="admin login (POST /api/v1/session)",
    )
    try:
        apps = spoke_scenario.install(lab)
    except scenarios.ScenarioError as e:
        raise LabStartError("spoke-scenario", str(e)) from e
    lab.timings["spoke"] = round(time.monotonic() - s.t0, 1)
    lab.save()
    s.log(f"[lab] spoke {lab.spoke_server} registered in Argo CD as {SPOKE_CLUSTER_NAME!r}; apps {apps}")


def add(lab: Lab, log: Callable[[str], None] | None = None) -> Lab:
    """Start the spoke beside a running hub (what the `lab_spoke` fixture does). Idempotent."""
    log = log or (lambda line: print(line, flush=True))
    if lab.has_spoke:
        return lab
    allocate_ports(lab)
    lab.save()
    s = _Starter(lab, log)
    try:
        # The auth-enabled argocd-server needs only the hub: it boots while the spoke does.
        start_argocd_auth(lab, s)
        start_control_plane(lab, s)
        start_nodes(lab, s)
        wait_nodes(lab, s)
        register(lab, s)
    except BaseException:
        log("[lab] spoke start failed; the hub keeps running, `make lab-down` stops both")
        raise
    log(f"[lab] spoke added in {lab.timings['spoke']:.1f}s")
    return lab

"""Fault injection and cluster helpers for the chaos run: the lab's own processes, restarted identically.

A killed component is restarted from what /proc says about the running process just before the fault
(argv, environment, working directory), so the new process is the one the lab started, only younger.
The new pid goes back into the lab's state file, so `python -m tests.lab down` still stops it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from kubernetes import client as k8s_client
from kubernetes.client.exceptions import ApiException

from tests.lab import procs
from tests.lab.lab import Lab

NAMESPACE = "chaos"
SA = "kftui-chaos"
TOKEN_SECRET = "kftui-chaos-token"


@dataclass(frozen=True)
class ProcessSpec:
    """How a component was started: enough to start it again identically."""

    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path


def spec_of(lab: Lab, name: str) -> ProcessSpec:
    pid = lab.pids[name]
    argv = [a.decode() for a in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") if a]
    env = {}
    for entry in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
        key, sep, value = entry.decode(errors="replace").partition("=")
        if sep:
            env[key] = value
    return ProcessSpec(name, argv, env, Path(os.readlink(f"/proc/{pid}/cwd")))


def kill9(lab: Lab, name: str) -> ProcessSpec:
    """SIGKILL the component's whole process group (its children too) and return how to restart it."""
    spec = spec_of(lab, name)
    pid = lab.pids[name]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while procs.alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return spec


def restart(lab: Lab, spec: ProcessSpec) -> None:
    proc = procs.start(spec.name, spec.argv, lab.logs_dir, env=spec.env, cwd=spec.cwd)
    lab.pids[spec.name] = proc.pid
    lab.save()


def signal_process(lab: Lab, name: str, sig: signal.Signals) -> None:
    os.kill(lab.pids[name], sig)


def wait_apiserver_ready(lab: Lab, timeout: float = 90) -> None:
    lab.wait_for(lambda: _ok(lab, "/readyz"), timeout, "kube-apiserver /readyz", interval=0.1)


def _ok(lab: Lab, path: str) -> bool:
    try:
        return lab._apiserver_get(path).status_code == 200
    except (httpx.HTTPError, OSError):
        return False


def wait_etcd_healthy(lab: Lab, timeout: float = 60) -> None:
    def healthy() -> bool:
        try:
            return bool(
                httpx.get(f"http://127.0.0.1:{lab.ports['etcd']}/health", timeout=1).json()["health"]
                == "true"
            )
        except (httpx.HTTPError, OSError, ValueError, KeyError):
            return False

    lab.wait_for(healthy, timeout, "etcd /health", interval=0.1)


def compact_etcd(lab: Lab) -> int:
    """Compact etcd at its current revision (through etcd's JSON gateway); returns that revision."""
    base = f"http://127.0.0.1:{lab.ports['etcd']}/v3/kv"
    key = base64.b64encode(b"/registry/").decode()
    head = httpx.post(f"{base}/range", json={"key": key, "limit": 1}, timeout=5).json()
    revision = int(head["header"]["revision"])
    httpx.post(
        f"{base}/compaction", json={"revision": revision, "physical": True}, timeout=30
    ).raise_for_status()
    return revision


class Mutator:
    """Creates and deletes pods in the chaos namespace, so every fault has changes to catch up on."""

    def __init__(self, lab: Lab) -> None:
        self.core = k8s_client.CoreV1Api(lab.api_client())
        self.serial = 0
        self.run = f"{int(time.time()) % 1_000_000:06d}"  # a rerun on the same lab must not collide
        self.alive: list[str] = []

    def churn(self, create: int = 2, delete: int = 1) -> None:
        for _ in range(create):
            self.serial += 1
            name = f"chaos-{self.run}-{self.serial}"
            body = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": name, "labels": {"app": "chaos"}},
                "spec": {"containers": [{"name": "c", "image": "chaos:1"}]},
            }
            self.core.create_namespaced_pod(NAMESPACE, body, _request_timeout=10)
            self.alive.append(name)
        for _ in range(min(delete, len(self.alive))):
            name = self.alive.pop(0)
            with contextlib.suppress(ApiException):
                self.core.delete_namespaced_pod(name, NAMESPACE, grace_period_seconds=0, _request_timeout=10)

    def touch(self) -> None:
        """A write to another resource, so etcd's revision moves past the pods' last one."""
        body = {"metadata": {"name": "chaos-tick"}, "data": {"t": str(time.time())}}
        try:
            self.core.replace_namespaced_config_map("chaos-tick", NAMESPACE, body, _request_timeout=10)
        except ApiException as exc:
            if exc.status != 404:
                raise
            self.core.create_namespaced_config_map(NAMESPACE, body, _request_timeout=10)


READER_RBAC = """
apiVersion: v1
kind: Namespace
metadata: {name: chaos}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: kftui-chaos, namespace: chaos}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kftui-chaos-reader}
rules:
- apiGroups: ["*"]
  resources: ["*"]
  verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kftui-chaos-reader}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kftui-chaos-reader}
subjects:
- {kind: ServiceAccount, name: kftui-chaos, namespace: chaos}
---
apiVersion: v1
kind: Secret
metadata:
  name: kftui-chaos-token
  namespace: chaos
  annotations: {kubernetes.io/service-account.name: kftui-chaos}
type: kubernetes.io/service-account-token
"""


def token_kubeconfig(lab: Lab, directory: Path) -> tuple[Path, str]:
    """A reader ServiceAccount with a token Secret, and a kubeconfig that uses that token."""
    out = lab.kubectl("apply", "-f", "-", input=READER_RBAC)
    if out.returncode != 0:
        raise RuntimeError(f"cannot create the chaos ServiceAccount: {out.stderr.strip()}")

    def token() -> str:
        data = lab.get_json("secret", TOKEN_SECRET, "-n", NAMESPACE).get("data") or {}
        return base64.b64decode(data["token"]).decode() if "token" in data else ""

    value = lab.wait_for(token, 60, "the ServiceAccount token Secret to be filled")
    return write_token_kubeconfig(lab, directory / "kubeconfig-token", value), value


def token_rejected(lab: Lab, token: str) -> bool:
    """Does the API server refuse this token yet? It caches good tokens for up to 10 s after revocation."""
    try:
        response = httpx.get(
            f"{lab.server}/api/v1/namespaces/{NAMESPACE}/pods?limit=1",
            headers={"Authorization": f"Bearer {token}"},
            verify=str(lab.pki.ca_cert),  # the CA only: lab._tls() also presents the admin's client cert
            timeout=2,
        )
    except (httpx.HTTPError, OSError):
        return False
    return response.status_code == 401


def write_token_kubeconfig(lab: Lab, path: Path, token: str, ca: Path | None = None) -> Path:
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "lab",
                "cluster": {"server": lab.server, "certificate-authority": str(ca or lab.pki.ca_cert)},
            }
        ],
        "users": [{"name": "sa", "user": {"token": token}}],
        "contexts": [{"name": "chaos", "context": {"cluster": "lab", "user": "sa"}}],
        "current-context": "chaos",
    }
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def revoke_token(lab: Lab) -> None:
    out = lab.kubectl("delete", "secret", TOKEN_SECRET, "-n", NAMESPACE, "--wait=true")
    if out.returncode != 0:
        raise RuntimeError(f"cannot delete the token Secret: {out.stderr.strip()}")


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="kftui-chaos-"))


def audit_lists_since(lab: Lab, mark: int, resource: str, user_agent: str = "kftui") -> int:
    """How many LISTs (not watches) of `resource` the client made after `mark` in the audit log."""
    import json

    with lab.audit_log.open("rb") as f:
        f.seek(mark)
        lines = f.read().decode(errors="replace").splitlines()
    count = 0
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if (
            event.get("stage") == "ResponseComplete"
            and event.get("verb") == "list"
            and (event.get("objectRef") or {}).get("resource") == resource
            and str(event.get("userAgent", "")).startswith(user_agent)
        ):
            count += 1
    return count


def kubectl_ok(lab: Lab, *args: str) -> subprocess.CompletedProcess[str]:
    out = lab.kubectl(*args)
    if out.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {out.stderr.strip()}")
    return out

"""What a lab with a spoke offers tests: spoke kubeconfigs, the auth-enabled Argo CD server, tokens.

Mixed into `Lab` (tests/lab/lab.py); the spoke itself is started by tests/lab/spoke.py.
Everything here is read from the lab's runtime dir and ports, so a reused lab (KFTUI_LAB_REUSE=1)
offers the same as the one this process started.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

SPOKE_CONTEXT = "kftui-spoke"
# The name the spoke has in Argo CD (cluster Secret `data.name`); Applications may use it as destination.name.
SPOKE_CLUSTER_NAME = "spoke"
# The AppProject the spoke scenario's Applications belong to, and its role that may get but not sync.
SPOKE_PROJECT = "multicluster"
VIEWER_ROLE = "viewer"


class SpokeAccess:
    """Accessors for the spoke and the Argo CD API server that enforces auth (see tests/lab/__init__.py)."""

    dir: Path
    ports: dict[str, int]
    bin: Path | None

    if TYPE_CHECKING:  # provided by Lab

        def env(self) -> dict[str, str]: ...
        def admin_password(self) -> str: ...
        @property
        def kubectl_path(self) -> str: ...

    # -- the spoke cluster --------------------------------------------------------

    @property
    def has_spoke(self) -> bool:
        return "spoke-apiserver" in self.ports

    @property
    def spoke_server(self) -> str:
        """The spoke apiserver URL; also the `server` of its Argo CD cluster Secret (so URLs match)."""
        return f"https://127.0.0.1:{self.ports['spoke-apiserver']}"

    @property
    def spoke_context(self) -> str:
        return SPOKE_CONTEXT

    @property
    def spoke_cluster_name(self) -> str:
        return SPOKE_CLUSTER_NAME

    @property
    def spoke_kubeconfig(self) -> Path:
        """A kubeconfig with only the spoke (context kftui-spoke, admin client cert)."""
        return self.dir / "kubeconfig-spoke"

    @property
    def kubeconfig_all(self) -> Path:
        """Both contexts, kftui-lab (current) and kftui-spoke, in one kubeconfig."""
        return self.dir / "kubeconfig-all"

    @property
    def spoke_audit_log(self) -> Path:
        return self.dir / "logs" / "audit-spoke.log"

    def spoke_kubectl(
        self, *args: str, input: str | None = None, check: bool = False, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """kubectl against the spoke (its own kubeconfig and context). Never raises unless check=True."""
        cmd = [
            self.kubectl_path,
            "--kubeconfig",
            str(self.spoke_kubeconfig),
            "--context",
            SPOKE_CONTEXT,
            *args,
        ]
        return subprocess.run(
            cmd, input=input, capture_output=True, text=True, check=check, timeout=timeout, env=self.env()
        )

    def spoke_get_json(self, *args: str) -> Any:
        out = self.spoke_kubectl("get", *args, "-o", "json")
        if out.returncode != 0:
            raise RuntimeError(f"kubectl (spoke) get {' '.join(args)}: {out.stderr.strip()}")
        return json.loads(out.stdout)

    def spoke_api_client(self) -> Any:
        from kubernetes import config

        return config.new_client_from_config(str(self.spoke_kubeconfig), context=SPOKE_CONTEXT)

    # -- Argo CD with auth ----------------------------------------------------------

    @property
    def argocd_auth_server(self) -> str:
        """ "127.0.0.1:<port>" of a second argocd-server on the same Argo CD, plain HTTP, auth and RBAC on."""
        return f"127.0.0.1:{self.ports['argocd-server-auth']}"

    @property
    def argocd_cli(self) -> Path:
        """The argocd CLI built with the lab (the multi-call binary; as `argocd` it is the CLI)."""
        if self.bin is None:
            raise RuntimeError("lab has no bin dir recorded")
        return self.bin / "argocd"

    @property
    def _admin_token_file(self) -> Path:
        return self.dir / "argocd-admin-token"

    @property
    def argocd_auth_log(self) -> Path:
        """argocd-server-auth's log: Argo CD's own record of each API call it served (tests/lab/argocd_record.py)."""
        return self.dir / "logs" / "argocd-server-auth.log"

    def argocd_login(self, username: str, password: str) -> str:
        """POST /api/v1/session on the auth-enabled server; the session JWT."""
        r = httpx.post(
            f"http://{self.argocd_auth_server}/api/v1/session",
            json={"username": username, "password": password},
            timeout=10,
        )
        r.raise_for_status()
        return str(r.json()["token"])

    def argocd_admin_token(self) -> str:
        """A session token of Argo CD's admin (written at spoke start; valid 24 h, Argo CD's default)."""
        try:
            return self._admin_token_file.read_text().strip()
        except FileNotFoundError:
            pass
        token = self.argocd_login("admin", self.admin_password())
        self._admin_token_file.write_text(token)
        os.chmod(self._admin_token_file, 0o600)
        return token

    def argocd_token_for_role(self, role: str = VIEWER_ROLE, project: str = SPOKE_PROJECT) -> str:
        """A new JWT for an AppProject role, issued by Argo CD (POST /api/v1/projects/{p}/roles/{r}/token).

        The lab's `multicluster/viewer` role may `get` the project's applications but not `sync` them.
        """
        r = httpx.post(
            f"http://{self.argocd_auth_server}/api/v1/projects/{project}/roles/{role}/token",
            headers={"Authorization": f"Bearer {self.argocd_admin_token()}"},
            json={"project": project, "role": role, "description": "kftui lab"},
            timeout=10,
        )
        if r.status_code != 200:
            raise RuntimeError(f"token for role {project}/{role}: {r.status_code} {r.text}")
        return str(r.json()["token"])

    def argocd_as(
        self, *args: str, token: str | None = None, timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        """The argocd CLI against the auth-enabled server, with `token` (default: admin's)."""
        cmd = [
            str(self.argocd_cli),
            *args,
            "--server",
            self.argocd_auth_server,
            "--plaintext",
            "--auth-token",
            token or self.argocd_admin_token(),
        ]
        env = {**self.env(), "ARGOCD_BINARY_NAME": "argocd", "HOME": str(self.dir)}
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)

    def spoke_env_lines(self) -> list[str]:
        """Lines for `python -m tests.lab env` when the spoke runs."""
        return [
            f"export KFTUI_LAB_SPOKE_KUBECONFIG={self.spoke_kubeconfig}",
            f"export KFTUI_LAB_KUBECONFIG_ALL={self.kubeconfig_all}",
            f"export KFTUI_LAB_ARGOCD_CLI={self.argocd_cli}",
            f"export ARGOCD_SERVER={self.argocd_auth_server}",
            f"export ARGOCD_AUTH_TOKEN={self.argocd_admin_token()}",
            "export ARGOCD_OPTS=--plaintext",
        ]

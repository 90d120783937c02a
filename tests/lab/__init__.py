"""The kftui lab: a real Kubernetes + Argo CD cluster run as local processes.

No container engine runs on our machines, so every component is compiled from its Go
module (versions pinned in tests/lab/versions.toml) and started as a plain process on
127.0.0.1: etcd, kube-apiserver (with an audit log), kube-controller-manager,
kube-scheduler, kwok (one simulated node; pod lifecycle, logs and port-forward),
redis (Debian), and Argo CD's repo-server, application-controller and server
(`--insecure --disable-auth`, plain HTTP). Scenario git repos (file://) feed the
Applications; see tests/lab/scenarios.py for the list.

Measured on the 2-core dev machine, cold (empty Go build and module caches): on a
lightly loaded machine etcd+kwok+kustomize+kubernetes took 7.7 min and argocd about 10
more (estimated: that first argocd build was of a tag that failed to compile near the
end); with other work loading the machine (load 7-14) the whole cold build took 49 min.
A rebuild after a version bump with warm caches: ~1-3 min.
`up` takes 18 s on a quiet machine (35 s under load); `down` about 3 s.

Commands (lab.mk wraps them; run from the repo root):
    python -m tests.lab build     # build or reuse ~/.cache/kftui/lab/<hash>/bin/
    python -m tests.lab up        # start; state, logs, kubeconfig in ./.lab/ (KFTUI_LAB_DIR)
    python -m tests.lab status    # exit 0 when up
    python -m tests.lab env       # export KUBECONFIG=... for a shell
    python -m tests.lab down      # stop everything recorded in .lab/state.json

The pytest fixture (tests/e2e/conftest.py) -- a stable interface others build on:

    def test_x(lab): ...          # session-scoped

    lab.kubeconfig         Path of a kubeconfig (admin, system:masters client cert)
    lab.context            its context name ("kftui-lab")
    lab.server             apiserver URL, https://127.0.0.1:<port>
    lab.argocd_server      "127.0.0.1:<port>" of the Argo CD API server, plain HTTP, auth disabled
    lab.argocd_namespace   "argocd"
    lab.audit_log          Path of the apiserver audit log (JSON lines, level Metadata)
    lab.logs_dir           Path of the folder with one <component>.log per process
    lab.repos_dir          Path of the scenario git repos (lab.repo_url(name) -> file:// URL)
    lab.gateway            "127.0.0.1:<port>" of the istio-ingressgateway stand-in
    lab.ports              {component: port}
    lab.kubectl(*args, input=None, check=False, timeout=60) -> subprocess.CompletedProcess[str]
    lab.commit(repo, path, content, message) -> str   new HEAD sha of that scenario repo
    lab.wait_for(predicate, timeout, what) -> the predicate's truthy result, else TimeoutError
    lab.app(name) -> dict          the Application object (kubectl get -o json)
    lab.refresh(name, kind="hard") annotate argocd.argoproj.io/refresh
    lab.get_json(*kubectl_get_args) -> dict
    lab.log_tail(component, lines=40) -> str
    lab.audit_mark() -> int        position in the audit log, then
    lab.writes_since(mark, user_agent=None) -> list[dict]   write events (create/update/patch/
                                   delete) completed since; filter by userAgent prefix
    lab.api_client() -> kubernetes.client.ApiClient   the official client, on the lab's kubeconfig
    lab.argocd(*args) -> CompletedProcess    the real Argo CD CLI against argocd_server
    lab.admin_password() -> str    admin's password, for POST /api/v1/session (auth is disabled,
                                   but login works and returns a real token)

The spoke (tests/lab/spoke.py, scenario in spoke_scenario.py): a second control plane (etcd,
kube-apiserver, controller-manager, scheduler, kwok node kwok-spoke-0) registered in the hub's Argo CD
as cluster "spoke", with part of the Kubeflow install on it (spoke-seaweedfs and spoke-pipelines
Healthy under app-of-apps kubeflow-spoke; spoke-katib Degraded, its pod crash-looping), and a second
argocd-server with auth and RBAC on. Off by default; on with `up --spoke` (or KFTUI_LAB_SPOKE=1, in
parallel with the hub), `python -m tests.lab spoke` (added to a running lab), or the fixture:

    def test_y(lab_spoke): ...    # session-scoped: the same lab object, spoke added on first use

    lab.spoke_server       https://127.0.0.1:<port>; also the server of the Argo CD cluster Secret
    lab.spoke_kubeconfig   Path, only context "kftui-spoke" (lab.spoke_context)
    lab.kubeconfig_all     Path, contexts "kftui-lab" (current) and "kftui-spoke"
    lab.spoke_kubectl(*args, ...), lab.spoke_get_json(*args), lab.spoke_api_client()
    lab.spoke_audit_log    Path of the spoke apiserver's audit log
    lab.argocd_auth_server "127.0.0.1:<port>", same Argo CD, plain HTTP, auth and RBAC enforced
    lab.argocd_admin_token()   admin's session JWT for it (policy.default is off: RBAC is real)
    lab.argocd_token_for_role(role="viewer", project="multicluster") -> a new project-role JWT;
                           multicluster/viewer may get the project's apps, not sync them
    lab.argocd_cli         Path of the argocd CLI built with the lab (same version as the server)
    lab.argocd_as(*args, token=None) -> CompletedProcess   the CLI against argocd_auth_server
    `python -m tests.lab env` adds KFTUI_LAB_SPOKE_KUBECONFIG, KFTUI_LAB_KUBECONFIG_ALL,
    KFTUI_LAB_ARGOCD_CLI, ARGOCD_SERVER, ARGOCD_AUTH_TOKEN and ARGOCD_OPTS=--plaintext.
Startup, measured back to back on the 2-core machine under load ~19: `up` 52.6 s, `up --spoke`
53.5 s (the spoke boots while the hub does); added to a running lab (the fixture) 12-27 s.

KFTUI_LAB_REUSE=1: if a lab is already up (state file + health checks), the fixture
uses it and leaves it running; otherwise it starts one and stops it at session end.
If the lab cannot start, the fixture calls pytest.fail with the failing component and
the last ~40 lines of its log: e2e tests fail, they are never skipped.
"""

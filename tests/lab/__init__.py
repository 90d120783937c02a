"""The kftui lab: a real Kubernetes + Argo CD cluster run as local processes.

No container engine runs on our machines, so every component is compiled from its Go
module (versions pinned in tests/lab/versions.toml) and started as a plain process on
127.0.0.1: etcd, kube-apiserver (with an audit log), kube-controller-manager,
kube-scheduler, kwok (one simulated node; pod lifecycle, logs and port-forward),
redis (Debian), and Argo CD's repo-server, application-controller and server
(`--insecure --disable-auth`, plain HTTP). Scenario git repos (file://) feed the
Applications; see tests/lab/scenarios.py for the list.

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

KFTUI_LAB_REUSE=1: if a lab is already up (state file + health checks), the fixture
uses it and leaves it running; otherwise it starts one and stops it at session end.
If the lab cannot start, the fixture calls pytest.fail with the failing component and
the last ~40 lines of its log: e2e tests fail, they are never skipped.
"""

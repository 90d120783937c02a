"""The lab's scenarios: small kustomize trees in local git repos, and the Applications
and objects that use them.

| scenario     | repo / path                  | what Argo CD / the cluster shows                          |
|--------------|------------------------------|-----------------------------------------------------------|
| good         | good /                       | Application `good`: Synced, Healthy (auto-sync)           |
| drift        | drift /                      | `drift`: Synced at start (one sync), OutOfSync after a    |
|              |                              | commit to configmap.yaml and a refresh (no auto-sync)     |
| duplicate    | duplicate / overlay          | `duplicate`: ComparisonError "may not add resource with   |
|              |                              | an already registered id" (one ClusterRole via two bases) |
| kubeflow     | kubeflow / apps, seaweedfs,  | `kubeflow` -> `kubeflow-seaweedfs` -> `kubeflow-pipelines`|
|              | pipelines                    | (each parent's tree holds the next Application)           |
| crash-loop   | workloads / crash-loop       | Deployment kubeflow/crash-looper: pod in CrashLoopBackOff |
|              |                              | (kwok stage pod-crash-loop), applied with kubectl         |
| istio        | workloads / istio            | istio-system/istio-ingressgateway Service 80->8080 + pod; |
|              |                              | port-forward reaches the gateway stand-in (302 to /dex)   |
| logs         | workloads / logs             | Pod kubeflow/log-talker: containers talker, talker-sidecar|
|              |                              | and init talker-init, each with a kwok log file (and a    |
|              |                              | previous log for talker); see TALKER_LOGS                 |

The crash-loop, istio and logs trees are applied directly (not through Argo CD) so that
kwok-level tests do not depend on Argo CD being healthy.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from tests.lab.lab import Lab


class ScenarioError(RuntimeError):
    pass


GIT_ENV = {
    "GIT_AUTHOR_NAME": "kftui lab",
    "GIT_AUTHOR_EMAIL": "lab@kftui.invalid",
    "GIT_COMMITTER_NAME": "kftui lab",
    "GIT_COMMITTER_EMAIL": "lab@kftui.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}

DUPLICATE_ERROR = "may not add resource with an already registered id"

TALKER_POD = ("kubeflow", "log-talker")


def cri_line(text: str, stream: str = "stdout", when: str = "2026-01-01T00:00:00.000000000Z") -> str:
    """One line of a container log file as the CRI writes it (what kwok reads): <time> <stream> F <text>."""
    return f"{when} {stream} F {text}\n"


# The files kwok serves for log-talker's containers (in the lab's logs dir; see config/kwok-lab.yaml).
TALKER_LOGS = {
    "pod-talker.log": cri_line("talker: starting") + cri_line("talker: listening on :9000"),
    "pod-talker-previous.log": cri_line("talker: previous instance")
    + cri_line("talker: out of memory", "stderr"),
    "pod-talker-sidecar.log": cri_line("sidecar: proxy ready"),
    "pod-talker-init.log": cri_line("init: waiting for mysql") + cri_line("init: done"),
}


def _git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env={**os.environ, **GIT_ENV}
    )
    if out.returncode != 0:
        raise ScenarioError(f"git {' '.join(args)} in {repo}: {out.stderr.strip()}")
    return out.stdout.strip()


def commit(repo: Path, path: str, content: str, message: str) -> str:
    """Write one file into a scenario repo and commit it; returns the new HEAD sha."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(content)
    _git(repo, "add", "--", path)
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def create_repo(repo: Path, files: dict[str, str]) -> str:
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "initial scenario")
    return _git(repo, "rev-parse", "HEAD")


def _y(*docs: dict[str, Any]) -> str:
    return yaml.safe_dump_all(docs, sort_keys=False)


def _kustomization(resources: list[str], namespace: str | None = None) -> str:
    k: dict[str, Any] = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
    if namespace:
        k["namespace"] = namespace
    k["resources"] = resources
    return _y(k)


def _deployment(
    name: str,
    namespace: str | None,
    image: str,
    port: int = 8080,
    labels: dict[str, str] | None = None,
    pod_labels: dict[str, str] | None = None,
    container: str | None = None,
) -> dict[str, Any]:
    sel = {"app": name, **(labels or {})}
    meta: dict[str, Any] = {"name": name, "labels": sel}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": sel},
            "template": {
                "metadata": {"labels": {**sel, **(pod_labels or {})}},
                "spec": {
                    "containers": [
                        {
                            "name": container or name,
                            "image": image,
                            "ports": [{"containerPort": port, "name": "http"}],
                        }
                    ]
                },
            },
        },
    }


def _service(
    name: str,
    namespace: str | None,
    selector: dict[str, str],
    port: int,
    target: int,
    port_name: str = "http",
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "labels": {"app": name}}
    if namespace:
        meta["namespace"] = namespace
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {"selector": selector, "ports": [{"name": port_name, "port": port, "targetPort": target}]},
    }


def _configmap(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}


CLUSTER_ROLE = _y(
    {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "kubeflow-pipelines-view"},
        "rules": [
            {
                "apiGroups": ["pipelines.kubeflow.org"],
                "resources": ["pipelines", "runs"],
                "verbs": ["get", "list", "watch"],
            }
        ],
    }
)


def drift_configmap(value: str) -> str:
    """The drift repo's configmap.yaml; tests commit a new `value` to make the app drift."""
    return _y(_configmap("drift-settings", {"value": value}))


def repos() -> dict[str, dict[str, str]]:
    """Every scenario repo: name -> {path: content}."""
    return {
        "good": {
            "kustomization.yaml": _kustomization(["deployment.yaml", "service.yaml", "configmap.yaml"]),
            "deployment.yaml": _y(_deployment("guestbook-ui", None, "registry.invalid/guestbook:v1", 80)),
            "service.yaml": _y(_service("guestbook-ui", None, {"app": "guestbook-ui"}, 80, 80)),
            "configmap.yaml": _y(_configmap("guestbook-settings", {"greeting": "hello"})),
        },
        "drift": {
            "kustomization.yaml": _kustomization(["configmap.yaml"]),
            "configmap.yaml": drift_configmap("initial"),
        },
        "duplicate": {
            # kustomize refuses a tree that reaches the same object twice; this is the
            # ComparisonError kftui's kustomize analyzer explains.
            "overlay/kustomization.yaml": _kustomization(["../base-a", "../base-b"]),
            "base-a/kustomization.yaml": _kustomization(["clusterrole.yaml", "configmap.yaml"]),
            "base-a/clusterrole.yaml": CLUSTER_ROLE,
            "base-a/configmap.yaml": _y(_configmap("base-a", {"from": "a"})),
            "base-b/kustomization.yaml": _kustomization(["clusterrole.yaml"]),
            "base-b/clusterrole.yaml": CLUSTER_ROLE,
        },
        "kubeflow": {
            "apps/kustomization.yaml": _kustomization(["kubeflow-seaweedfs.yaml"]),
            "apps/kubeflow-seaweedfs.yaml": _y(
                application(
                    "kubeflow-seaweedfs", "@REPO@kubeflow", "seaweedfs", "kubeflow", auto=True, wave="-1"
                )
            ),
            "seaweedfs/kustomization.yaml": _kustomization(["seaweedfs.yaml", "kubeflow-pipelines.yaml"]),
            "seaweedfs/seaweedfs.yaml": _y(
                _deployment("seaweedfs", "kubeflow", "registry.invalid/seaweedfs:3.80", 8333),
                _service("seaweedfs", "kubeflow", {"app": "seaweedfs"}, 8333, 8333),
            ),
            "seaweedfs/kubeflow-pipelines.yaml": _y(
                application("kubeflow-pipelines", "@REPO@kubeflow", "pipelines", "kubeflow", auto=True)
            ),
            "pipelines/kustomization.yaml": _kustomization(["ml-pipeline.yaml"], namespace="kubeflow"),
            "pipelines/ml-pipeline.yaml": _y(
                _deployment("ml-pipeline", None, "registry.invalid/ml-pipeline/api-server:2.5.0", 8888),
                _service("ml-pipeline", None, {"app": "ml-pipeline"}, 8888, 8888),
            ),
        },
        "workloads": {
            "logs/kustomization.yaml": _kustomization(["log-talker.yaml"], namespace="kubeflow"),
            "logs/log-talker.yaml": _y(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {"name": TALKER_POD[1], "labels": {"app": "log-talker"}},
                    "spec": {
                        "initContainers": [{"name": "talker-init", "image": "registry.invalid/busybox:1"}],
                        "containers": [
                            {"name": "talker", "image": "registry.invalid/talker:v1"},
                            {"name": "talker-sidecar", "image": "registry.invalid/proxy:v1"},
                        ],
                    },
                }
            ),
            "crash-loop/kustomization.yaml": _kustomization(["crash-looper.yaml"], namespace="kubeflow"),
            "crash-loop/crash-looper.yaml": _y(
                _deployment(
                    "crash-looper",
                    None,
                    "registry.invalid/crash-looper:v1",
                    pod_labels={"kftui.lab/crash-loop": "true"},
                )
            ),
            "istio/kustomization.yaml": _kustomization(["gateway.yaml"], namespace="istio-system"),
            "istio/gateway.yaml": _y(
                _deployment(
                    "istio-ingressgateway",
                    None,
                    "registry.invalid/istio/proxyv2:1.26",
                    8080,
                    labels={"istio": "ingressgateway"},
                    container="istio-proxy",
                ),
                _service(
                    "istio-ingressgateway",
                    None,
                    {"app": "istio-ingressgateway", "istio": "ingressgateway"},
                    80,
                    8080,
                    "http2",
                ),
            ),
        },
    }


def application(
    name: str,
    repo_url: str,
    path: str,
    namespace: str,
    auto: bool,
    wave: str | None = None,
    sync_once: bool = False,
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "namespace": "argocd",
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    }
    if wave is not None:
        meta["annotations"] = {"argocd.argoproj.io/sync-wave": wave}
    spec: dict[str, Any] = {
        "project": "default",
        "source": {"repoURL": repo_url, "path": path, "targetRevision": "main"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": namespace},
        "syncPolicy": {"syncOptions": ["CreateNamespace=true"]},
    }
    if auto:
        spec["syncPolicy"]["automated"] = {"prune": True, "selfHeal": True}
        spec["syncPolicy"]["retry"] = {
            "limit": 5,
            "backoff": {"duration": "5s", "factor": 2, "maxDuration": "1m"},
        }
    app: dict[str, Any] = {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": meta,
        "spec": spec,
    }
    if sync_once:
        # A one-off sync requested the way `argocd app sync` does it: the operation field.
        app["operation"] = {
            "initiatedBy": {"username": "kftui-lab"},
            # Like `argocd app sync`, carry the app's sync options into the operation.
            "sync": {"revision": "main", "syncOptions": spec["syncPolicy"]["syncOptions"]},
        }
    return app


def node(name: str, pods: int = 110) -> dict[str, Any]:
    """A kwok Node that holds up to `pods` pods."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake"},
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "type": "kwok",
            },
        },
        "status": {
            "allocatable": {"cpu": "32", "memory": "256Gi", "pods": str(pods)},
            "capacity": {"cpu": "32", "memory": "256Gi", "pods": str(pods)},
        },
    }


def node_ready(lab: Lab, name: str) -> bool:
    n = lab.get_json("node", name)
    return any(c["type"] == "Ready" and c["status"] == "True" for c in n["status"].get("conditions", []))


def install(lab: Lab, log: Callable[[str], None]) -> None:
    """Create the repos, apply the direct trees, then create the Applications."""
    prefix = f"file://{lab.repos_dir}/"
    for name, files in repos().items():
        files = {p: c.replace("@REPO@", prefix) for p, c in files.items()}
        create_repo(lab.repos_dir / name, files)
    kustomize = str(lab.bin / "kustomize") if lab.bin else "kustomize"
    for ns in ("kubeflow", "istio-system"):
        lab.kubectl("create", "namespace", ns)
    for tree in ("crash-loop", "istio", "logs"):
        built = subprocess.run(
            [kustomize, "build", str(lab.repos_dir / "workloads" / tree)], capture_output=True, text=True
        )
        if built.returncode != 0:
            raise ScenarioError(f"kustomize build workloads/{tree}: {built.stderr.strip()}")
        out = lab.kubectl("apply", "-f", "-", input=built.stdout)
        if out.returncode != 0:
            raise ScenarioError(f"kubectl apply workloads/{tree}: {out.stderr.strip()}")
    apps = [
        application("good", prefix + "good", ".", "demo-good", auto=True),
        application("drift", prefix + "drift", ".", "demo-drift", auto=False, sync_once=True),
        application("duplicate", prefix + "duplicate", "overlay", "demo-duplicate", auto=False),
        application("kubeflow", prefix + "kubeflow", "apps", "argocd", auto=True),
    ]
    out = lab.kubectl(
        "apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": apps})
    )
    if out.returncode != 0:
        raise ScenarioError(f"kubectl apply Applications: {out.stderr.strip()}")
    log(f"[lab] scenarios installed: repos in {lab.repos_dir}, apps {[a['metadata']['name'] for a in apps]}")

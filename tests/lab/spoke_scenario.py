"""The spoke scenario: part of the Kubeflow install deployed by the hub's Argo CD to the spoke cluster.

| Application       | destination                  | what Argo CD / the spoke shows                             |
|-------------------|------------------------------|------------------------------------------------------------|
| kubeflow-spoke    | hub (in-cluster), argocd     | app-of-apps: its tree holds the two Applications below     |
| spoke-seaweedfs   | spoke by server URL, wave -1 | Deployment+Service kubeflow/seaweedfs: Synced, Healthy     |
| spoke-pipelines   | spoke by server URL, wave 0  | Deployment+Service kubeflow/ml-pipeline: Synced, Healthy   |
| spoke-katib       | spoke by name ("spoke")      | Deployment kubeflow/katib-controller: its pod crash-loops  |
|                   |                              | (kwok stage pod-crash-loop), the Deployment misses its     |
|                   |                              | progress deadline: Synced, Degraded. Its Service serves    |
|                   |                              | Katib's validating webhook, which therefore has no ready   |
|                   |                              | endpoint (only the spoke's Endpoints can say so)           |

All four are in AppProject `multicluster`, whose role `viewer` may get but not sync them.
The spoke's kwok serves KATIB_CRASH_LOG as katib-controller's log (current and --previous), so a
test can tell the spoke's logs from the hub's, and records BACKOFF_EVENT on the crash-looping pod.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from tests.lab import scenarios
from tests.lab.remote_access import SPOKE_CLUSTER_NAME, SPOKE_PROJECT, VIEWER_ROLE

if TYPE_CHECKING:
    from tests.lab.lab import Lab

REPO = "spoke"
NAMESPACE = "kubeflow"
PARENT = "kubeflow-spoke"
HEALTHY_APPS = ("spoke-seaweedfs", "spoke-pipelines")
DEGRADED_APP = "spoke-katib"
CRASHING_DEPLOYMENT = "katib-controller"
KATIB_CRASH_LOG = scenarios.cri_line("katib-controller: starting") + scenarios.cri_line(
    "katib-controller: failed to connect to katib-mysql.kubeflow.svc:3306: connection refused", "stderr"
)
# The Warning event the spoke's kwok records on a pod when it enters CrashLoopBackOff.
BACKOFF_EVENT = {"type": "Warning", "reason": "BackOff", "message": "Back-off restarting failed container"}
IN_CLUSTER = "https://kubernetes.default.svc"
WEBHOOK_CONFIG = "katib.kubeflow.org"
WEBHOOK = "validator.experiment.katib.kubeflow.org"


def viewer_policy(project: str = SPOKE_PROJECT, role: str = VIEWER_ROLE) -> str:
    return f"p, proj:{project}:{role}, applications, get, {project}/*, allow"


def project(spoke_server: str) -> dict[str, Any]:
    """AppProject `multicluster`: both clusters as destinations, a get-only role."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AppProject",
        "metadata": {"name": SPOKE_PROJECT, "namespace": "argocd"},
        "spec": {
            "description": "Kubeflow across the hub and the spoke (kftui lab)",
            "sourceRepos": ["*"],
            "destinations": [
                {"server": IN_CLUSTER, "namespace": "*"},
                {"server": spoke_server, "namespace": "*"},
                {"name": SPOKE_CLUSTER_NAME, "namespace": "*"},
            ],
            "clusterResourceWhitelist": [{"group": "*", "kind": "*"}],
            "roles": [
                {
                    "name": VIEWER_ROLE,
                    "description": "may see the applications, may not sync them",
                    "policies": [viewer_policy()],
                }
            ],
        },
    }


def _app(
    name: str,
    repo_url: str,
    path: str,
    namespace: str,
    *,
    server: str = "",
    cluster_name: str = "",
    wave: str | None = None,
) -> dict[str, Any]:
    app = scenarios.application(name, repo_url, path, namespace, auto=True, wave=wave)
    app["spec"]["project"] = SPOKE_PROJECT
    app["spec"]["destination"] = (
        {"name": cluster_name, "namespace": namespace}
        if cluster_name
        else {"server": server, "namespace": namespace}
    )
    return app


def _crash_looping(name: str, image: str) -> dict[str, Any]:
    deploy = scenarios._deployment(name, None, image, pod_labels={"kftui.lab/crash-loop": "true"})
    # Never Available (the pod is Ready for ~1 s before kwok's crash-loop stage), so the rollout
    # misses its deadline: Progressing=False/ProgressDeadlineExceeded, which Argo CD calls Degraded.
    deploy["spec"]["minReadySeconds"] = 5
    deploy["spec"]["progressDeadlineSeconds"] = 10
    return deploy


def _katib_webhook() -> dict[str, Any]:
    """Katib's validating webhook for Experiments, served by katib-controller (as Katib installs it). No
    Experiment CRD is on the spoke, so it never intercepts anything; the check reads it all the same."""
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": WEBHOOK_CONFIG},
        "webhooks": [
            {
                "name": WEBHOOK,
                "clientConfig": {
                    "service": {
                        "name": CRASHING_DEPLOYMENT,
                        "namespace": NAMESPACE,
                        "path": "/validate-experiment",
                        "port": 443,
                    }
                },
                "rules": [
                    {
                        "apiGroups": ["kubeflow.org"],
                        "apiVersions": ["v1beta1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["experiments"],
                        "scope": "*",
                    }
                ],
                "failurePolicy": "Fail",
                "matchPolicy": "Equivalent",
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 10,
                "namespaceSelector": {},
                "objectSelector": {},
            }
        ],
    }


def repo_files(repo_url: str, spoke_server: str) -> dict[str, str]:
    k, y = scenarios._kustomization, scenarios._y
    return {
        "apps/kustomization.yaml": k(["spoke-seaweedfs.yaml", "spoke-pipelines.yaml"]),
        "apps/spoke-seaweedfs.yaml": y(
            _app(HEALTHY_APPS[0], repo_url, "seaweedfs", NAMESPACE, server=spoke_server, wave="-1")
        ),
        "apps/spoke-pipelines.yaml": y(
            _app(HEALTHY_APPS[1], repo_url, "pipelines", NAMESPACE, server=spoke_server, wave="0")
        ),
        "seaweedfs/kustomization.yaml": k(["seaweedfs.yaml"], namespace=NAMESPACE),
        "seaweedfs/seaweedfs.yaml": y(
            scenarios._deployment("seaweedfs", None, "registry.invalid/seaweedfs:3.80", 8333),
            scenarios._service("seaweedfs", None, {"app": "seaweedfs"}, 8333, 8333),
        ),
        "pipelines/kustomization.yaml": k(["ml-pipeline.yaml"], namespace=NAMESPACE),
        "pipelines/ml-pipeline.yaml": y(
            scenarios._deployment("ml-pipeline", None, "registry.invalid/ml-pipeline/api-server:2.5.0", 8888),
            scenarios._service("ml-pipeline", None, {"app": "ml-pipeline"}, 8888, 8888),
        ),
        "katib/kustomization.yaml": k(["katib-controller.yaml"], namespace=NAMESPACE),
        "katib/katib-controller.yaml": y(
            _crash_looping(CRASHING_DEPLOYMENT, "registry.invalid/katib/katib-controller:v0.18.0"),
            scenarios._service(CRASHING_DEPLOYMENT, None, {"app": CRASHING_DEPLOYMENT}, 443, 8443, "webhook"),
            _katib_webhook(),
        ),
    }


def applications(repo_url: str) -> list[dict[str, Any]]:
    """The Applications created directly on the hub (the parent creates the other two)."""
    return [
        _app(PARENT, repo_url, "apps", "argocd", server=IN_CLUSTER),
        _app(DEGRADED_APP, repo_url, "katib", NAMESPACE, cluster_name=SPOKE_CLUSTER_NAME),
    ]


def install(lab: Lab) -> list[str]:
    """Create the spoke repo and the project, then the Applications; returns the apps' names."""
    repo_url = lab.repo_url(REPO)
    scenarios.create_repo(lab.repos_dir / REPO, repo_files(repo_url, lab.spoke_server))
    out = lab.kubectl("apply", "-f", "-", input=json.dumps(project(lab.spoke_server)))
    if out.returncode != 0:
        raise scenarios.ScenarioError(f"kubectl apply AppProject {SPOKE_PROJECT}: {out.stderr.strip()}")
    apps = applications(repo_url)
    out = lab.kubectl(
        "apply", "-f", "-", input=json.dumps({"apiVersion": "v1", "kind": "List", "items": apps})
    )
    if out.returncode != 0:
        raise scenarios.ScenarioError(f"kubectl apply spoke Applications: {out.stderr.strip()}")
    return [a["metadata"]["name"] for a in apps]

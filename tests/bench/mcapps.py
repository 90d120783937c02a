"""The multi-cluster row's pure half: what it deploys across the hub and the spoke, how it reads Argo CD's,
kubectl's and the argocd CLI's answers, when kftui's tree counts as complete, and the rows it prints.

tests/bench/multicluster.py does the I/O with these; tests/unit/test_bench_multicluster.py tests them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from kftui.model import Pod
from tests.lab import scenarios

if TYPE_CHECKING:
    from kftui.ui.tree_model import TreeModel

HUB, SPOKE = "hub", "spoke"
# AppProject `multicluster` (tests/lab/spoke_scenario.py) has both clusters as destinations.
PROJECT = "multicluster"
IN_CLUSTER = "https://kubernetes.default.svc"
# One extra kwok node per cluster, so the bench's pods never meet the lab node's 110-pod limit.
NODE = "kwok-mcbench-0"
NODE_PODS = 1_000

Row = tuple[str, str, str, str]


@dataclass(frozen=True)
class Spread:
    """How many Applications, split between the hub and the spoke, and how many pods each runs."""

    apps: int = 40
    pods_per_app: int = 3

    @property
    def hub_apps(self) -> int:
        return (self.apps + 1) // 2

    @property
    def spoke_apps(self) -> int:
        return self.apps - self.hub_apps

    @property
    def pods(self) -> int:
        return self.apps * self.pods_per_app

    def clusters(self) -> dict[str, str]:
        """Every app's name -> the cluster it deploys to (HUB or SPOKE)."""
        hub = {app_name(HUB, i): HUB for i in range(self.hub_apps)}
        return hub | {app_name(SPOKE, i): SPOKE for i in range(self.spoke_apps)}

    def expected_pods(self) -> dict[str, int]:
        return {name: self.pods_per_app for name in self.clusters()}

    def describe(self) -> str:
        return (
            f"{self.apps} Applications ({self.hub_apps} on the hub, {self.spoke_apps} on the spoke), "
            f"{self.pods_per_app} pods each"
        )


def app_name(cluster: str, i: int) -> str:
    return f"mcbench-{cluster}-{i:02d}"


def namespace(cluster: str) -> str:
    # One namespace per cluster: the snapshot keys namespaces by name, pods by (namespace, name).
    return f"mcbench-{cluster}"


def deployment(name: str, cluster: str, replicas: int) -> dict[str, Any]:
    labels = {"app": name, "app.kubernetes.io/part-of": "mcbench"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "main",
                            "image": f"registry.invalid/mcbench/{cluster}:1.0",
                            "ports": [{"containerPort": 8080, "name": "http"}],
                        }
                    ],
                    "tolerations": [{"operator": "Exists"}],
                },
            },
        },
    }


def repo_files(spread: Spread) -> dict[str, str]:
    """The scenario repo: one kustomization per app (its Deployment, in its cluster's namespace)."""
    files: dict[str, str] = {}
    for name, cluster in spread.clusters().items():
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "namespace": namespace(cluster),
            "resources": ["deployment.yaml"],
        }
        files[f"{name}/kustomization.yaml"] = yaml.safe_dump(kustomization, sort_keys=False)
        files[f"{name}/deployment.yaml"] = yaml.safe_dump(
            deployment(name, cluster, spread.pods_per_app), sort_keys=False
        )
    return files


def applications(spread: Spread, repo_url: str, spoke_server: str) -> list[dict[str, Any]]:
    """The Applications, auto-synced; a spoke app's destination is the spoke's server URL (its cluster Secret's)."""
    apps = []
    for name, cluster in spread.clusters().items():
        server = IN_CLUSTER if cluster == HUB else spoke_server
        apps.append(
            {
                "apiVersion": "argoproj.io/v1alpha1",
                "kind": "Application",
                "metadata": {"name": name, "namespace": "argocd", "labels": {"kftui.bench/mc": "true"}},
                "spec": {
                    "project": PROJECT,
                    "source": {"repoURL": repo_url, "path": name, "targetRevision": "main"},
                    "destination": {"server": server, "namespace": namespace(cluster)},
                    "syncPolicy": {
                        "automated": {"prune": True, "selfHeal": True},
                        "syncOptions": ["CreateNamespace=true"],
                    },
                },
            }
        )
    return apps


def node() -> dict[str, Any]:
    """The extra kwok node of each cluster, so the lab node's 110-pod limit cannot hold the pods back."""
    return scenarios.node(NODE, pods=NODE_PODS)


# --- reading Argo CD's and the CLI's answers (pure) ------------------------------------------------------


def unsettled(applications_json: Mapping[str, Any], names: Iterable[str]) -> list[str]:
    """The apps (of `names`) not yet Synced and Healthy in a `kubectl get applications -o json` answer."""
    status = {
        item["metadata"]["name"]: (
            item.get("status", {}).get("sync", {}).get("status", ""),
            item.get("status", {}).get("health", {}).get("status", ""),
        )
        for item in applications_json.get("items", [])
    }
    return [
        f"{n}: {'/'.join(status[n]) if n in status else 'missing'}"
        for n in names
        if status.get(n) != ("Synced", "Healthy")
    ]


def running_pods(pods_json: Mapping[str, Any]) -> int:
    """Pods Running with every container ready, in a `kubectl get pods -o json` answer."""
    count = 0
    for item in pods_json.get("items", []):
        status = item.get("status", {})
        conditions = {c.get("type"): c.get("status") for c in status.get("conditions", [])}
        if status.get("phase") == "Running" and conditions.get("Ready") == "True":
            count += 1
    return count


def listed_apps(list_output: str) -> set[str]:
    """The names in `argocd app list -o json` (a JSON array of Applications)."""
    return {item["metadata"]["name"] for item in json.loads(list_output or "[]")}


def resource_rows(resources_output: str) -> set[tuple[str, str]]:
    """(kind, name) of each row of `argocd app resources APP` (GROUP KIND NAMESPACE NAME ORPHANED; GROUP
    and NAMESPACE may be empty, so the columns are counted from the right)."""
    rows = set()
    for line in resources_output.splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 4 and fields[-1] in ("No", "Yes"):
            rows.add((fields[-4], fields[-2]))
    return rows


def anchor_missing(list_output: str, resources: Mapping[str, str], names: Iterable[str]) -> list[str]:
    """What the anchor's answers lack: an app not listed, or whose resources do not name its Deployment."""
    listed = listed_apps(list_output)
    missing = []
    for name in names:
        if name not in listed:
            missing.append(f"{name}: not in `argocd app list`")
        elif ("Deployment", name) not in resource_rows(resources.get(name, "")):
            missing.append(f"{name}: `argocd app resources` has no Deployment {name}")
    return missing


def tree_pods(model: TreeModel) -> dict[str, int]:
    """Each app's Running, ready pods as the tree would show them opened (app > namespace > pod rows)."""
    counts: dict[str, int] = {}
    for root in model.roots():
        if root.kind != "app":
            continue
        n = 0
        for below in model.children(root, capped=False):
            for item in model.children(below, capped=False):
                pod = item.obj
                if item.kind == "pod" and isinstance(pod, Pod) and pod.phase == "Running" and pod.ready:
                    n += 1
        counts[root.name] = n
    return counts


def shortfall(expected: Mapping[str, int], seen: Mapping[str, int]) -> dict[str, tuple[int, int]]:
    """app -> (pods seen, pods expected) for each app with fewer pods in the tree than expected."""
    return {app: (seen.get(app, 0), want) for app, want in expected.items() if seen.get(app, 0) < want}


def ratio(kftui_s: float, anchor_s: float) -> float:
    return kftui_s / anchor_s if anchor_s > 0 else float("nan")


def rows(mc: Mapping[str, Any]) -> list[Row]:
    """The table rows: the anchor first, then kftui with its ratio to it (no target: issue 18 names none)."""
    spread = f"{mc['apps']} apps ({mc['hub_apps']} hub + {mc['spoke_apps']} spoke), {mc['pods']} pods"
    return [
        (
            f"multi-cluster anchor: argocd app list + {mc['apps']} x app resources",
            f"{mc['anchor_s']:.2f} s",
            "1.00x",
            f"{spread}; argocd CLI {mc['argocd_version']}, one call after another",
        ),
        (
            "multi-cluster: kftui first tree via Argo CD",
            f"{mc['kftui_first_tree_s']:.2f} s",
            f"{mc['kftui/anchor']:.2f}x",
            f"kftui/anchor; hub kubeconfig + Argo CD token, the tree checked to hold all "
            f"{mc['pods']} pods; snapshot {mc['kftui_snapshot_s']:.2f} s",
        ),
    ]


def format_rows(rows: list[Row]) -> list[str]:
    """The rows as the bench prints them: columns padded to the widest cell."""
    w = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["  ".join(cell.ljust(w[i]) for i, cell in enumerate(row)).rstrip() for row in rows]

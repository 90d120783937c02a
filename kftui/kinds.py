"""Every fact kftui knows about a Kubernetes kind, in one table: its API path, the snapshot collection it lands in,
the words kubectl uses for it, and what deleting one loses.

Pure data (no I/O, no client library): checks, fixes and the cluster layer all read kinds from here, so adding a
kind is one entry. The converters from raw objects live beside it on the cluster side (cluster/convert.py), keyed by
the same names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind, as kftui lists, watches, names and acts on it.

    collection: the snapshot collection (and `forbidden` key of older dumps) its objects land in.
    kubectl: kubectl's resource word (`kubectl describe deployment x`), "" when kftui offers no describe.
    restartable: `kubectl rollout restart` accepts it (and kftui patches its pod template to restart it).
    deleting_loses: for kinds whose deletion loses data or everything inside them, what is lost; "" otherwise.
    in_argocd_namespace: Argo CD's own kinds, listed and watched in Argo CD's namespace only.
    """

    name: str
    group: str
    version: str
    plural: str
    namespaced: bool
    collection: str
    kubectl: str = ""
    restartable: bool = False
    deleting_loses: str = ""
    listed: bool = True
    in_argocd_namespace: bool = False

    @property
    def group_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None) -> str:
        """The REST path of the collection: cluster-wide, or within one namespace for namespaced kinds."""
        prefix = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if namespace and self.namespaced:
            return f"{prefix}/namespaces/{namespace}/{self.plural}"
        return f"{prefix}/{self.plural}"

    def object_path(self, namespace: str, name: str) -> str:
        """The REST path of one object (`namespace` is ignored for cluster-scoped kinds)."""
        return f"{self.path(namespace)}/{name}"


def _table(*kinds: Kind) -> Mapping[str, Kind]:
    return MappingProxyType({k.name: k for k in kinds})


_STATEFULSET_LOSES = "its pods; with persistentVolumeClaimRetentionPolicy Delete also their volumes"

KINDS: Mapping[str, Kind] = _table(
    Kind(
        "Application", "argoproj.io", "v1alpha1", "applications", True, "applications", "application",
        in_argocd_namespace=True,
    ),
    Kind(
        "AppProject", "argoproj.io", "v1alpha1", "appprojects", True, "projects", "appproject",
        in_argocd_namespace=True,
    ),
    Kind(
        "Namespace", "", "v1", "namespaces", False, "namespaces", "namespace",
        deleting_loses="every object inside the namespace",
    ),
    Kind("Pod", "", "v1", "pods", True, "pods", "pod"),
    Kind("Service", "", "v1", "services", True, "services", "service"),
    Kind("Endpoints", "", "v1", "endpoints", True, "endpoints"),
    Kind("Event", "", "v1", "events", True, "events"),
    Kind(
        "CustomResourceDefinition", "apiextensions.k8s.io", "v1", "customresourcedefinitions", False, "crds",
        deleting_loses="every custom resource of that kind, cluster-wide",
    ),
    Kind(
        "ValidatingWebhookConfiguration", "admissionregistration.k8s.io", "v1",
        "validatingwebhookconfigurations", False, "webhooks",
    ),
    Kind(
        "MutatingWebhookConfiguration", "admissionregistration.k8s.io", "v1",
        "mutatingwebhookconfigurations", False, "webhooks",
    ),
    Kind("Deployment", "apps", "v1", "deployments", True, "workloads", "deployment", restartable=True),
    Kind(
        "StatefulSet", "apps", "v1", "statefulsets", True, "workloads", "statefulset", restartable=True,
        deleting_loses=_STATEFULSET_LOSES,
    ),
    Kind("DaemonSet", "apps", "v1", "daemonsets", True, "workloads", "daemonset", restartable=True),
    # Not listed by kftui, but named by findings and fixes (prune warnings).
    Kind(
        "PersistentVolumeClaim", "", "v1", "persistentvolumeclaims", True, "", listed=False,
        deleting_loses="its volume and the data on it (with the usual Delete reclaim policy)",
    ),
    Kind(
        "PersistentVolume", "", "v1", "persistentvolumes", False, "", listed=False,
        deleting_loses="the volume and its data",
    ),
    Kind("ConfigMap", "", "v1", "configmaps", True, "", listed=False),
    Kind("Job", "batch", "v1", "jobs", True, "", "job", listed=False),  # sync hooks
    Kind(
        "Secret", "", "v1", "secrets", True, "", listed=False,
        deleting_loses="credentials other components may still need",
    ),
)  # fmt: skip

LISTED: tuple[Kind, ...] = tuple(k for k in KINDS.values() if k.listed)
"""The kinds kftui lists and watches, in listing order (Applications first: they root the tree)."""

WORKLOAD_KINDS: tuple[str, ...] = tuple(k.name for k in KINDS.values() if k.collection == "workloads")
"""Controllers that own pods and report replica health (Deployment, StatefulSet, DaemonSet)."""

RESTARTABLE: Mapping[str, str] = MappingProxyType(
    {k.name: k.kubectl for k in KINDS.values() if k.restartable}
)
"""Kind -> kubectl's word, for the kinds `kubectl rollout restart` accepts."""

DESCRIBABLE: Mapping[str, str] = MappingProxyType({k.name: k.kubectl for k in KINDS.values() if k.kubectl})
"""Kind -> kubectl's word, for the kinds a finding offers `kubectl describe` for."""

DELETING_LOSES: Mapping[str, str] = MappingProxyType(
    {k.name: k.deleting_loses for k in KINDS.values() if k.deleting_loses}
)
"""Kind -> what deleting one loses, for the kinds whose deletion (a prune) loses data."""


def collection_of(kind: str) -> str:
    """The snapshot collection a kind lands in; the kind itself for kinds kftui does not list."""
    known = KINDS.get(kind)
    return known.collection if known is not None and known.collection else kind


def plural_of(kind: str) -> str:
    """The API resource name of a kind (for RBAC checks and paths); a lowercase guess for unknown kinds."""
    known = KINDS.get(kind)
    return known.plural if known is not None else kind.lower() + "s"

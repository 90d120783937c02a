"""Resource ids as kustomize prints and compares them.

kustomize names a resource `<Kind>.<version>.<group>/<name>.<namespace>`, writing `[noGrp]`, `[noVer]`,
`[noKind]`, `[noName]` and `[noNs]` for empty fields (kyaml resid.ResId.String). Two ids are the same resource
when group, version, kind and name are equal and the *effective* namespaces are equal: cluster-scoped kinds have
no namespace at all, and for namespaced kinds an empty namespace means `default` (kyaml resid.EffectiveNamespace).

Which kinds are cluster-scoped is decided the way kustomize decides it, by apiVersion *and* kind, from the
built-in OpenAPI data it ships (Kubernetes 1.21 era). A kind kustomize does not know is treated as namespaced,
even if the API server would disagree (for example `flowcontrol.apiserver.k8s.io/v1` FlowSchema): matching
kustomize's answer, not the cluster's, is what lets us predict its error message.
"""

from __future__ import annotations

from dataclasses import dataclass

NO_GROUP = "[noGrp]"
NO_VERSION = "[noVer]"
NO_KIND = "[noKind]"
NO_NAME = "[noName]"
NO_NAMESPACE = "[noNs]"
DEFAULT_NAMESPACE = "default"
_CLUSTER = "~cluster"  # effective namespace of cluster-scoped ids; cannot collide with a real namespace name

# (apiVersion, kind) pairs kustomize's built-in schema knows to be cluster-scoped.
_CLUSTER_SCOPED_TYPES: frozenset[tuple[str, str]] = frozenset(
    (api_version, kind)
    for kind, api_versions in {
        "MutatingWebhookConfiguration": (
            "admissionregistration.k8s.io/v1",
            "admissionregistration.k8s.io/v1beta1",
        ),
        "ValidatingWebhookConfiguration": (
            "admissionregistration.k8s.io/v1",
            "admissionregistration.k8s.io/v1beta1",
        ),
        "CustomResourceDefinition": ("apiextensions.k8s.io/v1", "apiextensions.k8s.io/v1beta1"),
        "APIService": ("apiregistration.k8s.io/v1", "apiregistration.k8s.io/v1beta1"),
        "CertificateSigningRequest": ("certificates.k8s.io/v1", "certificates.k8s.io/v1beta1"),
        "FlowSchema": ("flowcontrol.apiserver.k8s.io/v1beta1",),
        "PriorityLevelConfiguration": ("flowcontrol.apiserver.k8s.io/v1beta1",),
        "IngressClass": ("networking.k8s.io/v1", "networking.k8s.io/v1beta1"),
        "RuntimeClass": ("node.k8s.io/v1", "node.k8s.io/v1beta1"),
        "PodSecurityPolicy": ("policy/v1beta1",),
        "ClusterRole": ("rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1beta1"),
        "ClusterRoleBinding": ("rbac.authorization.k8s.io/v1", "rbac.authorization.k8s.io/v1beta1"),
        "PriorityClass": ("scheduling.k8s.io/v1", "scheduling.k8s.io/v1beta1"),
        "CSIDriver": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "CSINode": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "StorageClass": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "VolumeAttachment": ("storage.k8s.io/v1", "storage.k8s.io/v1beta1"),
        "ComponentStatus": ("v1",),
        "Namespace": ("v1",),
        "Node": ("v1",),
        "NodeProxyOptions": ("v1",),
        "PersistentVolume": ("v1",),
    }.items()
    for api_version in api_versions
)

CLUSTER_SCOPED_KINDS: frozenset[str] = frozenset(kind for _, kind in _CLUSTER_SCOPED_TYPES)
"""Kinds that are cluster-scoped in at least one apiVersion kustomize knows (for callers that only have a kind)."""


def api_version_of(group: str, version: str) -> str:
    return f"{group}/{version}" if group else version


def split_api_version(api_version: str) -> tuple[str, str]:
    """`apps/v1` -> ("apps", "v1"); `v1` -> ("", "v1"), as kyaml ParseGroupVersion does."""
    group, sep, version = api_version.partition("/")
    return (group, version) if sep else ("", api_version)


def is_cluster_scoped(group: str, version: str, kind: str) -> bool:
    """True when kustomize treats this type as cluster-scoped (so `namespace:` leaves it alone)."""
    return (api_version_of(group, version), kind) in _CLUSTER_SCOPED_TYPES


@dataclass(frozen=True)
class ResId:
    """One resource's identity; `namespace` is "" when the manifest sets none."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str = ""

    @property
    def cluster_scoped(self) -> bool:
        return is_cluster_scoped(self.group, self.version, self.kind)

    @property
    def effective_namespace(self) -> str:
        if self.cluster_scoped:
            return _CLUSTER
        return self.namespace or DEFAULT_NAMESPACE

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """Equal keys mean kustomize considers the ids equal (resid.ResId.Equals)."""
        return (self.group, self.version, self.kind, self.name, self.effective_namespace)

    @property
    def api_version(self) -> str:
        return api_version_of(self.group, self.version)

    def with_name(self, name: str) -> ResId:
        return ResId(self.group, self.version, self.kind, name, self.namespace)

    def with_namespace(self, namespace: str) -> ResId:
        return ResId(self.group, self.version, self.kind, self.name, namespace)

    def __str__(self) -> str:
        return resource_id_string(self.kind, self.version, self.group, self.name, self.namespace or None)


def resource_id_string(kind: str, version: str, group: str, name: str, namespace: str | None) -> str:
    """The id exactly as kustomize prints it, e.g. `ClusterRole.v1.rbac.authorization.k8s.io/x.[noNs]`."""
    gvk = ".".join((kind or NO_KIND, version or NO_VERSION, group or NO_GROUP))
    return f"{gvk}/{name or NO_NAME}.{namespace or NO_NAMESPACE}"


def parse_resource_id(text: str) -> tuple[str, str, str, str, str | None]:
    """Inverse of resource_id_string: (kind, version, group, name, namespace or None).

    Names may contain dots and groups always do, so the text splits at the first `/` (neither kind, version,
    group nor name may contain one), the gvk at its first two dots, and name from namespace at the last dot
    (a namespace is a DNS label, without dots). Placeholders become "" (None for the namespace).
    Raises ValueError for text that is not an id.
    """
    text = text.strip()
    gvk, sep, rest = text.partition("/")
    kind, dot1, gv_rest = gvk.partition(".")
    version, dot2, group = gv_rest.partition(".")
    name, dot3, namespace = rest.rpartition(".")
    if (
        not (sep and dot1 and dot2 and dot3)
        or not kind
        or not version
        or not group
        or not name
        or not namespace
    ):
        raise ValueError(f"not a kustomize resource id: {text!r}")
    if any(c.isspace() for c in text):
        raise ValueError(f"not a kustomize resource id (contains whitespace): {text!r}")
    return (
        "" if kind == NO_KIND else kind,
        "" if version == NO_VERSION else version,
        "" if group == NO_GROUP else group,
        "" if name == NO_NAME else name,
        None if namespace == NO_NAMESPACE else namespace,
    )


def resid_from_string(text: str) -> ResId:
    kind, version, group, name, namespace = parse_resource_id(text)
    return ResId(group, version, kind, name, namespace or "")

"""How a destination's server URL is compared and what an unresolved destination holds (model/clusters.py).

Argo CD, kube contexts and people spell the same API server differently (`HTTPS://Host/`, `https://host`):
scheme and host compare without case and a trailing slash, the path as written (a proxy's path, such as
Rancher's `/k8s/clusters/c-m-1`, names a different cluster when it differs).
"""

from __future__ import annotations

import pytest

from kftui.model.clusters import IN_CLUSTER_SERVER, ArgoCluster, Destination, normal_server, resolve

SPOKE = "https://127.0.0.1:16443"
REGISTERED = (ArgoCluster("in-cluster", IN_CLUSTER_SERVER), ArgoCluster("spoke", SPOKE))


@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://Spoke.Example:6443/", "https://spoke.example:6443"),
        ("  https://spoke.example:6443//  ", "https://spoke.example:6443"),
        ("https://HUB-X/", "https://hub-x"),
        ("https://Rancher.Example/k8s/Clusters/C-1", "https://rancher.example/k8s/Clusters/C-1"),
        ("https://Proxy.Example/via/http://Inner", "https://proxy.example/via/http://Inner"),
        ("Spoke.Example:6443", "spoke.example:6443"),
    ],
)
def test_a_server_url_compares_by_lower_case_scheme_and_host_and_its_path_as_written(
    url: str, normal: str
) -> None:
    assert normal_server(url) == normal


def test_clusters_behind_one_proxy_are_told_apart_by_the_case_of_their_path() -> None:
    proxied = (
        ArgoCluster("lower", "https://rancher.example/k8s/clusters/c-1"),
        ArgoCluster("upper", "https://rancher.example/k8s/clusters/C-1"),
    )
    assert resolve("HTTPS://Rancher.Example/k8s/clusters/C-1/", "", proxied).name == "upper"


@pytest.mark.parametrize(
    ("server", "name", "destination"),
    [
        ("", "elsewhere", Destination("elsewhere", "", in_cluster=False, known=False)),
        (
            "https://10.9.9.9:6443",
            "",
            Destination("", "https://10.9.9.9:6443", in_cluster=False, known=False),
        ),
        (SPOKE + "/", "", Destination("spoke", SPOKE, in_cluster=False)),
        ("", "spoke", Destination("spoke", SPOKE, in_cluster=False)),
    ],
)
def test_a_destination_keeps_only_what_the_spec_or_the_registration_says(
    server: str, name: str, destination: Destination
) -> None:
    """An unregistered name has no server and an unregistered server no name: "" each, never a placeholder
    (provenance says "server unknown" for the one, the label falls back to the host for the other)."""
    assert resolve(server, name, REGISTERED) == destination

"""Profiles are data: the builtin Kubeflow one, detection, and user files given with --profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from kftui.profile import GENERIC, ProfileError, builtin_profile, detect_profile, load_profile


def test_builtin_kubeflow_profile() -> None:
    p = builtin_profile("kubeflow")
    assert p.chain() == ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")
    assert p.depends_on("kubeflow-pipelines") == ("kubeflow-seaweedfs",)
    assert [(w.namespace, w.name) for w in p.auth_workloads] == [
        ("auth", "dex"),
        ("oauth2-proxy", "oauth2-proxy"),
    ]
    assert p.gateway.enabled and (p.gateway.namespace, p.gateway.service, p.gateway.port) == (
        "istio-system",
        "istio-ingressgateway",
        80,
    )
    assert "user@example.com" in p.gateway.login_hint


@pytest.mark.parametrize(
    ("apps", "expected"),
    [
        ({"kubeflow-pipelines"}, "kubeflow"),
        ({"kubeflow", "other"}, "kubeflow"),
        ({"guestbook"}, "generic"),
        (set(), "generic"),
    ],
)
def test_detect_profile(apps: set[str], expected: str) -> None:
    assert detect_profile(apps).name == expected


def test_generic_profile_has_no_gateway_and_no_auth() -> None:
    assert not GENERIC.gateway.enabled
    assert GENERIC.auth_workloads == ()


def test_load_custom_profile(tmp_path: Path) -> None:
    path = tmp_path / "shop.yaml"
    path.write_text(
        "name: shop\n"
        "applications:\n  - {name: db}\n  - {name: api, depends_on: [db]}\n  - {name: web, depends_on: [api]}\n"
        "expected_namespaces: [shop]\n",
        encoding="utf-8",
    )
    p = load_profile(path)
    assert p.chain() == ("db", "api", "web")
    assert not p.gateway.enabled, "a profile without a gateway section has no gateway"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("applications: []\n", "not a kftui profile"),
        (
            "name: x\napplications:\n  - {name: a, depends_on: [b]}\n  - {name: b, depends_on: [a]}\n",
            "dependency cycle",
        ),
        ("name: x\napplications: {a: 1}\n", "'applications' must be a list"),
        ("name: x\napplications:\n  - {depends_on: [a]}\n", "malformed"),
        ("name: [unclosed\n", "invalid YAML at line 2"),
    ],
)
def test_bad_profiles_are_one_line_errors(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=error):
        load_profile(path)


def test_missing_profile_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profile file"):
        load_profile(tmp_path / "nope.yaml")

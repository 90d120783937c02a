"""Every redaction rule of `kftui dump`, and what stays visible next to it."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from kftui.cli import main
from kftui.cluster.redact import LAST_APPLIED, REDACTED, RULES, looks_secret, redact, redact_counted, summary

CANARY = "s3cr3t-canary"


def everywhere(value: Any) -> str:
    return json.dumps(value)


@pytest.mark.parametrize(
    "name",
    [
        "DB_PASSWORD",
        "MYSQL_ROOT_PASSWD",
        "PGPASSWORD",
        "PWD",
        "bindPW",
        "GITHUB_TOKEN",
        "accessToken",
        "clientSecret",
        "AWS_SECRET_ACCESS_KEY",
        "MINIO_ACCESSKEY",
        "apiKey",
        "api-key",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "admin.password",
        "SMTP_PASS",
    ],
)
def test_secret_looking_names(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name",
    [
        "LOG_LEVEL",
        "KEYCLOAK_URL",
        "MINIO_SERVICE_HOST",
        "secretName",
        "existingSecretRef",
        "TOKEN_PATH",
        "AWS_ACCESS_KEY_ID",
        "passwordFile",
        "replicas",
        "",
    ],
)
def test_names_that_only_point_at_secrets_or_are_not_about_them(name: str) -> None:
    assert not looks_secret(name)


def pod(env: list[dict[str, Any]], annotations: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "kubeflow", "annotations": annotations or {}},
        "spec": {"containers": [{"name": "c", "image": "img:1", "env": env}], "initContainers": []},
    }


def test_secret_data_and_string_data_keep_their_keys() -> None:
    secret = {
        "kind": "Secret",
        "metadata": {"name": "s"},
        "type": "Opaque",
        "data": {"admin.password": "Y2FuYXJ5"},
        "stringData": {"token": CANARY},
    }
    clean = redact(secret)
    assert clean["data"] == {"admin.password": REDACTED}
    assert clean["stringData"] == {"token": REDACTED}
    assert clean["type"] == "Opaque" and clean["metadata"] == {"name": "s"}
    assert secret["stringData"] == {"token": CANARY}, "the live object is not mutated"


def test_literal_env_values_of_secret_looking_names_go_and_value_from_stays() -> None:
    env = [
        {"name": "DB_PASSWORD", "value": CANARY},
        {"name": "API_TOKEN", "value": CANARY},
        {"name": "LOG_LEVEL", "value": "debug"},
        {
            "name": "S3_SECRET_KEY",
            "valueFrom": {"secretKeyRef": {"name": "mlpipeline-minio", "key": "secretkey"}},
        },
    ]
    clean = redact(pod(env))
    out = clean["spec"]["containers"][0]["env"]
    assert out[0] == {"name": "DB_PASSWORD", "value": REDACTED}
    assert out[1] == {"name": "API_TOKEN", "value": REDACTED}
    assert out[2] == {"name": "LOG_LEVEL", "value": "debug"}
    assert out[3] == env[3], "a reference to a Secret is not a secret"
    assert CANARY not in everywhere(clean)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://user:pass@github.com/org/repo.git", f"https://{REDACTED}@github.com/org/repo.git"),
        ("https://ghp_abcdef@github.com/org/repo", f"https://{REDACTED}@github.com/org/repo"),
        ("postgres://app:hunter2@db:5432/x?sslmode=off", f"postgres://{REDACTED}@db:5432/x?sslmode=off"),
        ("git@github.com:org/repo.git", "git@github.com:org/repo.git"),
        ("https://github.com/org/repo?email=a@b.c", "https://github.com/org/repo?email=a@b.c"),
        (
            "see https://u:p@h.example/x and https://h.example/y",
            f"see https://{REDACTED}@h.example/x and https://h.example/y",
        ),
    ],
)
def test_credentials_in_urls_anywhere(url: str, expected: str) -> None:
    app = {
        "kind": "Application",
        "metadata": {"name": "a", "annotations": {"note": url}},
        "spec": {"source": {"repoURL": url}},
    }
    clean = redact(app)
    assert clean["spec"]["source"]["repoURL"] == expected
    assert clean["metadata"]["annotations"]["note"] == expected
    config_map = {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"DATABASE_URL": url}}
    assert redact(config_map)["data"]["DATABASE_URL"] == expected


def test_last_applied_is_redacted_by_the_same_rules() -> None:
    applied = pod([{"name": "DB_PASSWORD", "value": CANARY}, {"name": "MODE", "value": "fast"}])
    applied["spec"]["containers"][0]["image"] = "https://u:p@registry.example/img"
    live = pod([], {LAST_APPLIED: json.dumps(applied), "other": "kept"})
    clean = redact(live)
    copy = json.loads(clean["metadata"]["annotations"][LAST_APPLIED])
    assert copy["spec"]["containers"][0]["env"] == [
        {"name": "DB_PASSWORD", "value": REDACTED},
        {"name": "MODE", "value": "fast"},
    ]
    assert copy["spec"]["containers"][0]["image"] == f"https://{REDACTED}@registry.example/img"
    assert clean["metadata"]["annotations"]["other"] == "kept"

    secret = {"kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "Y2FuYXJ5"}}
    live_secret = {**secret, "metadata": {"name": "s", "annotations": {LAST_APPLIED: json.dumps(secret)}}}
    assert json.loads(redact(live_secret)["metadata"]["annotations"][LAST_APPLIED])["data"] == {"k": REDACTED}


def test_last_applied_that_does_not_parse_is_dropped() -> None:
    clean = redact(pod([], {LAST_APPLIED: '{"truncated": "' + CANARY}))
    assert clean["metadata"]["annotations"][LAST_APPLIED] == REDACTED


def argocd_cm(data: dict[str, str]) -> dict[str, Any]:
    return {"kind": "ConfigMap", "metadata": {"name": "argocd-cm", "namespace": "argocd"}, "data": data}


def test_argocd_oidc_and_dex_config_secrets() -> None:
    oidc = f"name: Keycloak\nissuer: https://kc.example/realms/x\nclientID: argocd\nclientSecret: {CANARY}\n"
    dex = (
        "connectors:\n- type: ldap\n  id: ldap\n  config:\n    host: ldap.example:636\n"
        f"    bindDN: cn=admin\n    bindPW: {CANARY}\n- type: github\n  config:\n"
        "    clientID: abc\n    clientSecret: $dex.github.clientSecret\n"
    )
    clean = redact(argocd_cm({"oidc.config": oidc, "dex.config": dex, "url": "https://argocd.example"}))
    got_oidc = yaml.safe_load(clean["data"]["oidc.config"])
    assert got_oidc == {
        "name": "Keycloak",
        "issuer": "https://kc.example/realms/x",
        "clientID": "argocd",
        "clientSecret": REDACTED,
    }
    got_dex = yaml.safe_load(clean["data"]["dex.config"])
    assert got_dex["connectors"][0]["config"]["bindPW"] == REDACTED
    assert got_dex["connectors"][0]["config"]["host"] == "ldap.example:636"
    assert got_dex["connectors"][1]["config"]["clientSecret"] == "$dex.github.clientSecret", "a reference"
    assert clean["data"]["url"] == "https://argocd.example"
    assert CANARY not in everywhere(clean)
    assert redact(argocd_cm({"oidc.config": "clientSecret: [unclosed"}))["data"]["oidc.config"] == REDACTED


def test_a_config_map_of_another_name_keeps_oidc_shaped_data() -> None:
    other = {"kind": "ConfigMap", "metadata": {"name": "notes"}, "data": {"oidc.config": "clientID: x\n"}}
    assert redact(other) == other


def test_helm_values_values_object_and_parameters_in_applications() -> None:
    helm = {
        "values": f"replicaCount: 2\nauth:\n  rootPassword: {CANARY}\n  rootUser: admin\n",
        "valuesObject": {"image": {"tag": "1.2"}, "s3": {"secretKey": CANARY, "bucket": "mlpipeline"}},
        "parameters": [
            {"name": "postgresql.auth.password", "value": CANARY},
            {"name": "service.type", "value": "ClusterIP"},
        ],
    }
    app = {
        "kind": "Application",
        "metadata": {"name": "a"},
        "spec": {"source": {"repoURL": "https://charts.example", "helm": helm}, "sources": [{"helm": helm}]},
    }
    clean = redact(app)
    for got in (clean["spec"]["source"]["helm"], clean["spec"]["sources"][0]["helm"]):
        assert yaml.safe_load(got["values"]) == {
            "replicaCount": 2,
            "auth": {"rootPassword": REDACTED, "rootUser": "admin"},
        }
        assert got["valuesObject"] == {
            "image": {"tag": "1.2"},
            "s3": {"secretKey": REDACTED, "bucket": "mlpipeline"},
        }
        assert got["parameters"] == [
            {"name": "postgresql.auth.password", "value": REDACTED},
            {"name": "service.type", "value": "ClusterIP"},
        ]
    assert CANARY not in everywhere(clean)
    assert app["spec"]["source"]["helm"]["valuesObject"]["s3"]["secretKey"] == CANARY


def test_nothing_else_changes() -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d", "namespace": "kubeflow", "labels": {"app": "d"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "args": ["--port=80"]}]}}},
        "status": {"conditions": [{"type": "Available", "message": "has minimum availability"}]},
    }
    counts: Counter[str] = Counter()
    assert redact_counted(deployment, counts) == deployment
    assert not counts
    assert summary(counts) == "nothing matched the redaction rules"


def test_the_summary_counts_objects_per_rule_in_table_order() -> None:
    counts: Counter[str] = Counter()
    redact_counted({"kind": "Secret", "data": {"a": "b"}}, counts)
    redact_counted({"kind": "Secret", "data": {"a": "b"}}, counts)
    redact_counted(pod([{"name": "TOKEN", "value": "x"}], {"u": "https://a:b@h/"}), counts)
    assert summary(counts) == (f"redacted: {RULES[0].what} in 2; {RULES[3].what} in 1; {RULES[4].what} in 1")


def test_absurd_nesting_is_dropped_not_recursed_into() -> None:
    deep: Any = "leaf"
    for _ in range(5000):
        deep = {"x": deep}
    clean = redact({"kind": "ConfigMap", "metadata": {"name": "c"}, "data": deep})
    assert REDACTED in everywhere(clean)


class _FakeKubeSource:
    """Our own seam for `kftui dump`: what KubeSource.dump_objects would return from a cluster."""

    objects: list[dict[str, Any]] = []

    @classmethod
    def from_kubeconfig(cls, *_: object) -> _FakeKubeSource:
        return cls()

    def load(self) -> None:
        return None

    def dump_objects(self) -> list[dict[str, Any]]:
        return self.objects


@pytest.mark.parametrize("to_stdout", [False, True], ids=["file", "stdout"])
def test_the_dump_line_says_what_was_redacted(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    to_stdout: bool,
) -> None:
    import kftui.cluster.kube

    _FakeKubeSource.objects = [
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "dg=="}},
        pod([{"name": "DB_PASSWORD", "value": CANARY}]),
        {"kind": "Namespace", "metadata": {"name": "kubeflow"}},
    ]
    monkeypatch.setattr(kftui.cluster.kube, "KubeSource", _FakeKubeSource)
    out = tmp_path / "dump.yaml"
    assert main(["dump"] if to_stdout else ["dump", str(out)]) == 0
    captured = capsys.readouterr()
    (line,) = captured.err.splitlines()
    assert line.startswith("kftui: wrote 3 objects")
    assert line.endswith(
        "(redacted: Secret data and stringData values in 1; "
        "literal values of secret-looking names (env, parameters) in 1)"
    )
    written = captured.out if to_stdout else out.read_text()
    assert CANARY not in written and "DB_PASSWORD" in written

"""The config file: contexts, Argo CD servers and the cluster mapping; flags and env win; a bad file is one line."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import pytest

from kftui.cli import main
from kftui.config import ConfigError, config_path, load_config
from kftui.multicluster import choose

GOOD = """\
context: hub
contexts: [hub, staging-hub]
argocd:
  - name: hub
    server: argocd.example.com:443
    token_env: ARGOCD_HUB_TOKEN
  - name: staging
    server: https://argocd.staging.example.com
    insecure: true
clusters:
  https://10.0.0.5:6443: spoke-admin
poll_seconds: 2
"""


def write(tmp_path: Path, text: str, mode: int = 0o644) -> dict[str, str]:
    path = tmp_path / "kftui" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return {"XDG_CONFIG_HOME": str(tmp_path)}


def test_the_file_is_found_in_the_xdg_config_dir_and_read(tmp_path: Path) -> None:
    env = write(tmp_path, GOOD)
    assert config_path(env) == tmp_path / "kftui" / "config.yaml"
    config = load_config(env)
    assert config.context == "hub" and config.contexts == ("hub", "staging-hub")
    assert [(a.name, a.server, a.token_env, a.insecure) for a in config.argocd] == [
        ("hub", "argocd.example.com:443", "ARGOCD_HUB_TOKEN", False),
        ("staging", "https://argocd.staging.example.com", "", True),
    ]
    assert config.clusters == {"https://10.0.0.5:6443": "spoke-admin"}
    assert config.poll_seconds == 2.0
    assert config.argocd[0].token_from({"ARGOCD_HUB_TOKEN": "t0k"}) == "t0k"


def test_no_file_is_no_config(tmp_path: Path) -> None:
    config = load_config({"XDG_CONFIG_HOME": str(tmp_path)})
    assert not config.remote and config.argocd == ()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("context: [a\n", "not valid YAML at line"),
        ("- a\n", "expected a mapping at the top, got list"),
        ("contxt: hub\n", "unknown key 'contxt'"),
        ("argocd:\n  - name: x\n", "argocd[0]: server is missing"),
        ("argocd:\n  - server: x\n    insecure: yes please\n", "argocd[0].insecure: expected true or false"),
        ("argocd:\n  - server: x\n    tokn: y\n", "argocd[0]: unknown key 'tokn'"),
        ("clusters: [a]\n", "clusters: expected a mapping"),
        ("poll_seconds: 0\n", "poll_seconds: expected a positive number"),
    ],
)
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, text: str, says: str) -> None:
    env = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(env)
    assert says in str(caught.value)
    assert str(tmp_path) in str(caught.value) and "\n" not in str(caught.value)


def test_a_literal_token_needs_a_file_only_its_owner_reads(tmp_path: Path) -> None:
    text = "argocd:\n  - server: argocd.example.com\n    token: s3cr3t\n"
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text, 0o644))
    assert "chmod 600" in str(caught.value) and "s3cr3t" not in str(caught.value)
    config = load_config(write(tmp_path, text, 0o600))
    assert config.argocd[0].token_from({}) == "s3cr3t"
    assert "s3cr3t" not in repr(config)


def args(**given: object) -> argparse.Namespace:
    base: dict[str, object] = {
        "kubeconfig": None,
        "context": None,
        "argocd_namespace": "argocd",
        "argocd_server": None,
        "insecure": False,
        "plaintext": False,
    }
    return argparse.Namespace(**{**base, **given})


def test_flags_and_env_win_over_the_file(tmp_path: Path) -> None:
    env = write(tmp_path, GOOD)
    chosen = choose(args(), env)
    assert (chosen.context, chosen.argo and chosen.argo.name) == ("hub", "hub")
    chosen = choose(args(context="other"), {**env, "ARGOCD_SERVER": "argocd.env:443"})
    assert chosen.context == "other"
    assert chosen.argo is not None and chosen.argo.server == "argocd.env:443"
    assert chosen.argo.token_env == "ARGOCD_AUTH_TOKEN"
    chosen = choose(args(argocd_server="flag:443"), {**env, "ARGOCD_SERVER": "argocd.env:443"})
    assert chosen.argo is not None and chosen.argo.server == "flag:443"


def test_the_cli_stops_on_a_bad_file_with_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = write(tmp_path, "contxt: hub\n")
    monkeypatch.setenv("XDG_CONFIG_HOME", env["XDG_CONFIG_HOME"])
    monkeypatch.delenv("KFTUI_CONFIG", raising=False)
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kftui: error: config ") and "unknown key 'contxt'" in err
    assert err.count("\n") == 1


def test_an_explicit_config_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config({"KFTUI_CONFIG": os.fspath(tmp_path / "nope.yaml")})


def test_argocd_actions_go_to_the_config_server_with_its_token_unless_a_flag_names_one(
    tmp_path: Path,
) -> None:
    from kftui.fixes.runtime import FixOptions
    from kftui.multicluster import with_config_argocd

    env = write(tmp_path, GOOD)
    options = with_config_argocd(FixOptions(), choose(args(), env))
    assert (options.argocd_server, options.argocd_token_env) == ("argocd.example.com:443", "ARGOCD_HUB_TOKEN")
    given = FixOptions(argocd_server="flag:443")
    assert with_config_argocd(given, choose(args(argocd_server="flag:443"), env)) is given


def test_argocd_opts_in_the_environment_choose_plaintext_and_insecure_as_for_fixes() -> None:
    """ARGOCD_SERVER with ARGOCD_OPTS=--plaintext: the reads go plain HTTP as the fixes do (FixOptions)."""
    from kftui.config import Config
    from kftui.multicluster import argo_server

    env = {"ARGOCD_SERVER": "127.0.0.1:8080", "ARGOCD_OPTS": "--plaintext --insecure"}
    server = argo_server(Config(), None, False, False, env)
    assert server is not None and server.plaintext and server.insecure
    plain = argo_server(Config(), None, False, False, {"ARGOCD_SERVER": "argocd.example"})
    assert plain is not None and not plain.plaintext and not plain.insecure

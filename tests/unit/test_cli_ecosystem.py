"""kftui where on-call engineers already are: kubectl's plugin convention, shell completion, argocd's --server,
kubectl's -o meaning the format, and a --help per command that states its exit codes."""

from __future__ import annotations

import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

from kftui import cli
from kftui.completion import script


def complete(tmp_path: Path, *words: str) -> list[str]:
    """What bash offers after `words` (the last one being completed), through the generated script."""
    path = tmp_path / "kftui.bash"
    path.write_text(script(cli.build_parser(), "bash"))
    quoted = " ".join(f"'{w}'" for w in words)
    program = f"source {path}; COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _kftui_complete; "
    program += 'printf "%s\\n" "${COMPREPLY[@]}"'
    out = subprocess.run(["bash", "-c", program], capture_output=True, text=True, timeout=30, check=True)
    return out.stdout.split()


def test_bash_completes_commands_options_and_their_values(tmp_path: Path) -> None:
    assert complete(tmp_path, "kftui", "ch") == ["check"]
    assert complete(tmp_path, "kftui", "check", "-o", "") == ["text", "json", "junit"]
    assert complete(tmp_path, "kftui", "sync", "--ti") == ["--timeout"]
    assert complete(tmp_path, "kftui", "--ser") == ["--server"]
    assert complete(tmp_path, "kftui", "completion", "") == ["bash", "zsh"]


def test_zsh_uses_the_same_function_through_bashcompinit() -> None:
    text = script(cli.build_parser(), "zsh")
    assert "bashcompinit" in text.splitlines()[1]
    assert "complete -o default -F _kftui_complete kubectl-kftui" in text


def test_kubectl_finds_kftui_as_a_plugin() -> None:
    """kubectl runs `kubectl-kftui` from PATH for `kubectl kftui`; the package installs that script."""
    scripts = {ep.name: ep.value for ep in entry_points(group="console_scripts")}
    assert scripts.get("kubectl-kftui") == "kftui.cli:run"


@pytest.mark.parametrize("argv", [["--server", "argocd.example:443", "check"], ["check", "--server", "h:1"]])
def test_server_is_the_argocd_server_as_in_the_argocd_cli(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(argv)
    assert args.argocd_server == argv[argv.index("--server") + 1]


def test_dump_output_is_the_format_and_the_old_path_spelling_says_where_the_file_goes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.build_parser().parse_args(["dump", "out.yaml"]).file == "out.yaml"
    assert cli.build_parser().parse_args(["dump"]).file == "-"
    with pytest.raises(SystemExit) as exit_info:
        cli.build_parser().parse_args(["dump", "-o", "cluster.yaml"])
    assert exit_info.value.code == 2
    assert "give the file as an argument: kftui dump cluster.yaml" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["check", "dump", "conflicts", "sync", "completion"])
def test_every_command_says_what_it_does_and_its_exit_codes(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Exit" in text and "2 " in text.split("Exit", 1)[1], text


def test_the_program_leaves_at_once_with_everything_it_printed_flushed() -> None:
    """run() skips the interpreter's teardown (os._exit): output must still be complete and the code kept."""
    import json
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "kftui", "check", "--demo", "-o", "json"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    assert {f["check"] for f in json.loads(out.stdout)["findings"]} >= {
        "pod-failing",
        "kustomize-duplicate-id",
    }


# The variables k9s documents for a plugin's args (k9s README, "Plugins").
K9S_VARIABLES = {"$NAME", "$NAMESPACE", "$CONTEXT", "$CLUSTER", "$USER", "$KUBECONFIG", "$RESOURCE_NAME"}


def _k9s_plugin_from_readme() -> dict[str, object]:
    """The yaml block right after the README's "A k9s plugin" paragraph, parsed."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    after = readme[readme.index("A k9s plugin") :]
    block = after[after.index("```yaml\n") + len("```yaml\n") :]
    plugins = yaml.safe_load(block[: block.index("```")])["plugins"]
    assert len(plugins) == 1
    return dict(next(iter(plugins.values())))


def test_the_readmes_k9s_plugin_opens_kftui_on_the_application_under_the_cursor() -> None:
    plugin = _k9s_plugin_from_readme()
    assert {"shortCut", "description", "scopes", "command"} <= plugin.keys()  # k9s's schema requires them
    assert plugin["scopes"] == ["applications"] and plugin["command"] == "kftui"
    args = [str(a) for a in plugin["args"]]  # type: ignore[attr-defined]
    assert {a for a in args if a.startswith("$")} <= K9S_VARIABLES
    values = {"$NAME": "kubeflow-pipelines", "$NAMESPACE": "argocd", "$CONTEXT": "prod"}
    parsed = cli.build_parser().parse_args([values.get(a, a) for a in args])
    assert parsed.command is None  # the TUI
    assert (parsed.app, parsed.argocd_namespace, parsed.context) == ("kubeflow-pipelines", "argocd", "prod")

"""kftui where on-call engineers already are: kubectl's plugin convention, shell completion, argocd's --server,
kubectl's -o meaning the format, and a --help per command that states its exit codes."""

from __future__ import annotations

import subprocess
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import yaml

from kftui import cli
from kftui.completion import script, words
from tests.completion_model import Script


def bash_script(capsys: pytest.CaptureFixture[str]) -> Script:
    """`kftui completion bash`, run in this process, read into the model of what bash would do with it."""
    assert cli.main(["completion", "bash"]) == 0
    return Script.parse(capsys.readouterr().out)


def test_bash_completes_commands_options_and_their_values(capsys: pytest.CaptureFixture[str]) -> None:
    """The script's logic, without bash (tests/terminal/test_bash_completion.py checks real bash agrees)."""
    complete = bash_script(capsys).offered
    assert complete("kftui", "ch") == ["check"]
    assert complete("kftui", "check", "-o", "") == ["text", "json", "junit"]
    assert complete("kftui", "sync", "--ti") == ["--timeout"]
    assert complete("kftui", "--ser") == ["--server"]
    assert complete("kftui", "completion", "") == ["bash", "zsh"]
    # The command is found wherever it is typed; the top level's options come before it.
    assert complete("kftui", "--demo", "conflicts", "-o", "j") == ["json"]
    assert complete("kftui", "--demo", "") == ["check", "dump", "conflicts", "diff", "completion", "sync"]


def test_the_bash_script_is_read_from_the_parser_and_bound_to_both_program_names(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A new command or option is completed without anyone listing it: the script is the parser's."""
    parsed = bash_script(capsys)
    table = words(cli.build_parser())
    assert parsed.commands == [name for name in table if name]
    assert set(parsed.branches) == set(table)
    for name, (options, values) in table.items():
        assert parsed.branches[name].options == options
        assert parsed.branches[name].values == {o: v for o, v in values.items() if o != "@positional"}
    assert parsed.registered == ["kftui", "kubectl-kftui"]


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

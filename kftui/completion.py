"""Shell completion scripts for bash and zsh, generated from kftui's own argument parser.

No completion library: the commands and options are read from the argparse parser, so a new option is
completed without anyone remembering to list it. zsh loads the same function through bashcompinit.
"""

from __future__ import annotations

import argparse
import shlex


def words(parser: argparse.ArgumentParser) -> dict[str, tuple[list[str], dict[str, list[str]]]]:
    """For the top level ("") and each command: its option strings, and the fixed values of options/arguments."""

    def of(p: argparse.ArgumentParser) -> tuple[list[str], dict[str, list[str]]]:
        options: list[str] = []
        values: dict[str, list[str]] = {}
        for action in p._actions:  # argparse keeps its actions here; there is no public accessor
            if isinstance(action, argparse._SubParsersAction):
                continue
            options.extend(o for o in action.option_strings if o.startswith("--") or len(o) == 2)
            if action.choices is not None:
                for name in action.option_strings or ["@positional"]:
                    values[name] = [str(c) for c in action.choices]
        return sorted(set(options)), values

    found = {"": of(parser)}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[name] = of(sub)
    return found


def script(parser: argparse.ArgumentParser, shell: str) -> str:
    """The completion script for `shell` ("bash" or "zsh")."""
    table = words(parser)
    commands = [name for name in table if name]
    prog = parser.prog
    func = f"_{prog.replace('-', '_')}_complete"
    lines = [
        f"# {prog} completion for {shell}: source <({prog} completion {shell})",
    ]
    if shell == "zsh":
        lines.append("autoload -U +X bashcompinit && bashcompinit")
    lines += [
        f"{func}() {{",
        "    local cur prev cmd i",
        '    cur="${COMP_WORDS[COMP_CWORD]}"',
        '    prev="${COMP_WORDS[COMP_CWORD-1]}"',
        '    cmd=""',
        "    for ((i = 1; i < COMP_CWORD; i++)); do",
        '        case "${COMP_WORDS[i]}" in',
        f'            {"|".join(commands)}) cmd="${{COMP_WORDS[i]}}"; break ;;',
        "        esac",
        "    done",
        '    case "$cmd" in',
    ]
    for name, (options, values) in table.items():
        label = shlex.quote(name) if name else "''"  # the top level: no command typed yet
        lines.append(f"        {label})")
        lines.append('            case "$prev" in')
        for option, choices in sorted(values.items()):
            if option != "@positional":
                lines.append(
                    f'                {option}) COMPREPLY=($(compgen -W {shlex.quote(" ".join(choices))} -- "$cur")); return ;;'
                )
        lines.append("            esac")
        # A word starting with "-" gets the options; any other word the command names or argument values, if
        # there are any (else the options again, and `-o default` falls back to file names).
        positional = values.get("@positional", commands if not name else []) or options
        lines.append(
            f'            if [[ "$cur" == -* ]]; then words={shlex.quote(" ".join(options))}; '
            f"else words={shlex.quote(' '.join(positional))}; fi"
        )
        lines.append('            COMPREPLY=($(compgen -W "$words" -- "$cur")) ;;')
    lines += [
        "    esac",
        "}",
        f"complete -o default -F {func} {prog}",
    ]
    if prog == "kftui":
        lines.append(f"complete -o default -F {func} kubectl-kftui")
    return "\n".join(lines) + "\n"

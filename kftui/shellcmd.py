"""Every command kftui shows or copies, built from argv lists in one place.

A shown command is pasted into a shell, so it is only safe when each argument is quoted on its own: the
words come from kftui, the values (an app, a namespace, a pod name) from the cluster, and a value such as
`x; touch y; #` must stay one argument. `shlex.join` quotes every element for a POSIX shell; a command of
several steps runs them with ` && `, so a failed step stops the rest. `shlex.split` of the result gives the
argv back exactly (with `&&` between steps), which the tests check for hostile values.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable, Sequence

__all__ = ["AND", "Argv", "join", "steps"]

Argv = tuple[str, ...]
AND = "&&"


def join(argv: Sequence[str]) -> str:
    """One command line: every argument quoted for a POSIX shell."""
    return shlex.join(argv)


def steps(argvs: Iterable[Sequence[str]]) -> str:
    """Several commands run one after the other, each only if the previous one succeeded."""
    return f" {AND} ".join(join(argv) for argv in argvs)

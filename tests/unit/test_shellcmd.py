"""Commands shown and copied: built from argv, quoted per argument, only known kinds as command words."""

from __future__ import annotations

import inspect
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kftui import shellcmd
from kftui.checks import fixrefs
from kftui.model import ARGOCD_API, FixRef, Origin

HOSTILE = [
    "Deployment; touch x; #",
    "$(touch x)",
    "`id`",
    "a'b\"c",
    "x && rm -rf ~",
    "-n",
    "&&",
    "new\nline",
    "\x1b]52;c;ZXZpbA==\x07",
    "",
    " spaced ",
    "[@click=app.quit]x[/]",
]


def flat(ref: FixRef) -> list[str]:
    out: list[str] = []
    for i, argv in enumerate(ref.argvs):
        out += ([shellcmd.AND] if i else []) + list(argv)
    return out


def test_join_and_steps() -> None:
    assert shellcmd.join(["argocd", "app", "sync", "a b"]) == "argocd app sync 'a b'"
    assert shellcmd.steps([["a", "1"], ["b", "x;y"]]) == "a 1 && b 'x;y'"


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_one_argument(value: str) -> None:
    ref = fixrefs.sync(value)
    assert shlex.split(ref.command) == ["argocd", "app", "sync", value]


@pytest.mark.parametrize("kind", ["Deployment", "StatefulSet", "DaemonSet"])
def test_restart_for_known_kinds(kind: str) -> None:
    ref = fixrefs.restart(kind, "kubeflow", "ui")
    assert ref is not None
    assert shlex.split(ref.command) == [
        "kubectl",
        "rollout",
        "restart",
        f"{kind.lower()}/ui",
        "-n",
        "kubeflow",
    ]


@pytest.mark.parametrize("kind", ["Deployment; touch x; #", "ReplicaSet", "Job", "deployment", "", "Pod"])
def test_restart_refused_for_other_kinds(kind: str) -> None:
    assert fixrefs.restart(kind, "kubeflow", "ui") is None
    assert fixrefs.offered(fixrefs.restart(kind, "kubeflow", "ui")) == ()


def test_describe_only_known_kinds() -> None:
    assert fixrefs.describe("Pod; rm -rf /", "ns", "p") is None
    ref = fixrefs.describe("Pod", "ns", "p; id")
    assert ref is not None and shlex.split(ref.command) == ["kubectl", "describe", "pod", "p; id", "-n", "ns"]


def test_webhook_wait_with_unknown_kind_watches_endpoints() -> None:
    ref = fixrefs.wait_for_webhook("ns", "svc", ("Deployment; touch x; #", "w"))
    assert shlex.split(ref.command)[:3] == ["kubectl", "get", "endpoints"]
    assert "touch" not in ref.command


def _call(name: str, value: str) -> FixRef | None:
    fn = getattr(fixrefs, name)
    params = inspect.signature(fn).parameters
    args: list[object] = []
    for p in params.values():
        if p.name == "kind":
            args.append("Deployment")
        elif p.name in ("local_port", "port"):
            args.append(8080)
        elif p.name == "chain":
            args.append((value, value + "2"))
        elif p.name == "names":
            args.append([value, value + "2"])
        elif p.name == "workload":
            args.append(("StatefulSet", value))
        elif p.name == "origin":  # the *_of helpers: the Argo CD command of a remote object
            args.append(Origin(value, ARGOCD_API))
        else:
            args.append(value)
    return fn(*args)  # type: ignore[no-any-return]


BUILDERS = sorted(
    name
    for name, fn in vars(fixrefs).items()
    if inspect.isfunction(fn)
    and not name.startswith("_")
    and name != "offered"
    and fn.__module__ == fixrefs.__name__
    and "__mutmut_" not in name  # the copies `make mutants` adds beside each function
)


@settings(max_examples=25, deadline=None)
@given(value=st.text(min_size=1, max_size=40))
@pytest.mark.parametrize("name", BUILDERS)
def test_every_command_round_trips(name: str, value: str) -> None:
    """Every fix command splits back to exactly its argv, and each value lands as whole arguments only."""
    ref = _call(name, value)
    assert ref is not None
    assert shlex.split(ref.command) == flat(ref)
    for argv in ref.argvs:
        assert argv[0] in ("argocd", "kubectl", "kustomize")

"""The Textual-free parts of the k9s habits: OSC 52, the `:` line, the ordered-sync preflight, app order."""

from __future__ import annotations

import base64

import pytest

from kftui.cluster.dumpfile import load_demo
from kftui.profile import detect_profile
from kftui.ui.app_order import app_order
from kftui.ui.clipboard import clipboard_sequence, copy_message, osc52, tmux_passthrough
from kftui.ui.command_line import Command, CommandError, complete, parse
from kftui.ui.preflight import outlook, summary
from tests.ui.helpers import demo_findings


def test_osc52_carries_the_text_base64_encoded() -> None:
    text = "kubectl -n kubeflow delete pod 'x y'"
    sequence = osc52(text)
    assert sequence.startswith("\x1b]52;c;") and sequence.endswith("\x07")
    assert base64.b64decode(sequence[7:-1]).decode() == text


def test_tmux_passthrough_doubles_inner_escapes_and_is_used_only_under_tmux() -> None:
    inner = osc52("é")
    wrapped = tmux_passthrough(inner)
    assert wrapped == "\x1bPtmux;\x1b" + inner + "\x1b\\"
    assert clipboard_sequence("é", {"TMUX": "/tmp/tmux-0/default,1,0"}) == wrapped
    assert clipboard_sequence("é", {}) == inner
    assert clipboard_sequence("é", {"TMUX": ""}) == inner


def test_the_copy_message_never_claims_a_copy() -> None:
    for sent in (True, False):
        message = copy_message("argocd app sync kubeflow", sent)
        assert "Copied" not in message and message.endswith("\nargocd app sync kubeflow")
    assert "OSC 52" in copy_message("x", True) and "No terminal clipboard" in copy_message("x", False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (":apps", Command("apps")),
        ("app", Command("apps")),
        (":app kubeflow-pipelines", Command("app", "kubeflow-pipelines")),
        (":pod", Command("pods")),
        ("po", Command("pods")),
        (":ns  kubeflow ", Command("ns", "kubeflow")),
        (":context", Command("ctx")),
        (":q!", Command("q")),
        ("HELP", Command("help")),
    ],
)
def test_parse(typed: str, expected: Command) -> None:
    assert parse(typed) == expected


@pytest.mark.parametrize("typed", ["", ":", ":deploy", ":[/]x"])
def test_parse_refuses_with_one_line(typed: str) -> None:
    with pytest.raises(CommandError) as raised:
        parse(typed)
    assert "\n" not in str(raised.value)


def test_complete_words_then_names() -> None:
    apps = ["kubeflow", "kubeflow-pipelines", "kubeflow-seaweedfs"]
    several = complete(":po", apps, [])
    assert several.text == "po" and set(several.candidates) == {"pods", "pod", "po"}
    assert complete(":pods", apps, []).text == "pods "
    assert complete("ct", apps, []).text == "ctx "
    assert complete("app kubeflow-p", apps, []).text == "app kubeflow-pipelines "
    done = complete("app kub", apps, [])
    assert done.text == "app kubeflow" and done.candidates == tuple(apps)
    assert complete("ns ist", apps, ["istio-system", "kubeflow"]).text == "ns istio-system "
    assert complete("zz", apps, []).candidates == ()


def test_ctx_completes_kube_contexts_and_argocd_servers() -> None:
    names = ["hub", "spoke-admin", "staging-argocd"]
    assert complete("ctx sp", [], [], names).text == "ctx spoke-admin "
    assert complete("ctx ", [], [], names).candidates == tuple(names)
    assert complete("context st", [], [], names).text == "context staging-argocd "
    assert complete("app sp", ["kubeflow"], [], names).candidates == ()


def test_preflight_says_where_the_demo_chain_stops() -> None:
    snapshot = load_demo()
    profile = detect_profile({a.name for a in snapshot.applications.values()})
    rows = outlook(app_order(profile), snapshot, demo_findings())
    assert [(r.app, r.state) for r in rows] == [
        ("kubeflow", "stops here"),
        ("kubeflow-seaweedfs", "not reached"),
        ("kubeflow-pipelines", "not reached"),
    ]
    assert summary(rows).startswith("Preflight: stops at kubeflow: Degraded: ")
    # The stop is the crash-looping pod the findings trace kubeflow's Degraded to, not the Degraded finding.
    katib = "Pod kubeflow/katib-controller-7f5b8c9d6-5rjtn is CrashLoopBackOff"
    assert rows[0].detail == f"Degraded: {katib}"
    assert rows[0].root_cause == f"pod-failing:Pod/kubeflow/katib-controller-7f5b8c9d6-5rjtn: {katib}"


def test_preflight_names_an_app_that_cannot_render() -> None:
    snapshot = load_demo()
    findings = [f for f in demo_findings() if f.app != "kubeflow"]
    rows = outlook(("kubeflow-pipelines",), snapshot, findings)
    assert rows[0].state == "stops here" and rows[0].detail.startswith("cannot render: ")
    assert summary([]) == "Preflight: no current finding stops the chain."


def test_app_order_is_the_profile_chain() -> None:
    snapshot = load_demo()
    profile = detect_profile({a.name for a in snapshot.applications.values()})
    assert app_order(profile) == ("kubeflow", "kubeflow-seaweedfs", "kubeflow-pipelines")
    assert app_order(None) == ()


def test_preflight_knows_the_root_cause_of_an_app_it_does_not_expect_to_stop_at() -> None:
    """kubeflow-pipelines is not reached in the demo, yet a run that stops there still names its root cause."""
    rows = outlook(app_order(detect_profile({"kubeflow"})), load_demo(), demo_findings())
    last = rows[-1]
    assert (last.app, last.state) == ("kubeflow-pipelines", "not reached")
    assert last.root_cause.startswith(
        "kustomize-duplicate-id:ClusterRole/kubeflow-metacontroller@kubeflow-pipelines: "
    )

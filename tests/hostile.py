"""Hostile cluster text for property tests: the demo install with attacker-chosen strings in every string field.

Anyone who can create an Event, label a pod or name an Application chooses these bytes. `hostile_snapshot`
appends one hostile string to every string value of every object in the demo dump (names, namespaces,
labels and annotations, messages, conditions, operation state, events ...), the same string everywhere, so
references between objects still match and the checks still find what is broken. In `keep_semantics` mode
the fields checks compare with known words (status, phase, reason, type) are left alone, so findings and
their fix commands exist; otherwise those are tainted too. Kinds, apiVersions and timestamps always stay
valid, so the objects are still read as what they are.

`unsafe_in(text)` lists the characters of terminal output that act instead of being shown; `FORBIDDEN_META`
is the markup that would have become live.
"""

from __future__ import annotations

import copy
import functools
import unicodedata
from importlib import resources
from typing import Any

import yaml
from hypothesis import strategies as st

from kftui.cluster.convert import to_model
from kftui.model import ClusterSnapshot, KubeObject

SAMPLES = [
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x1b[2J\x1b[H",  # clear the screen, cursor home
    "\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\",  # OSC 8 hyperlink
    "\x9b2J\x9d0;title\x9c",  # C1 CSI, OSC, ST
    "ok\rFAKE OK",  # CR hides what came before
    "abc\x08\x08\x08xyz\x00\x7f\x07",  # BS, NUL, DEL, BEL
    "\u202egnp.exe\u202c \u2066iso\u2069 \u200b\ufeff\u2028\u2029",  # bidi, zero-width, separators
    "[/]",  # closes a tag that was never opened: a MarkupError in Textual
    "[@click=app.quit]x[/]",  # a live action if parsed as markup
    "[b]bold[/b] [link=https://evil.example]l[/link]",
    "x; touch /tmp/pwned; #",
    "$(touch /tmp/pwned) `id` && rm -rf ~ | cat > /etc/passwd",
    "'\"\\ -n --force",
    "lone \ud800 surrogate \ufffe",
    "line1\nline2\ttabbed",
]

hostile_text = st.one_of(
    st.sampled_from(SAMPLES),
    st.lists(st.sampled_from(SAMPLES), min_size=2, max_size=4).map("".join),
    st.text(alphabet=st.characters(codec=None), max_size=24),
    st.sampled_from(SAMPLES).map(lambda s: "A" * 3000 + s),  # very long
)

# Values checks compare with known words: kept in keep_semantics mode so findings still fire.
SEMANTIC_KEYS = frozenset(
    {"status", "phase", "reason", "type", "health", "syncPhase", "hookPhase", "controller"}
)
# Always kept: what makes an object the kind it is, and its times.
STRUCTURAL_KEYS = frozenset({"kind", "apiVersion"})


def _structural(key: str) -> bool:
    return key in STRUCTURAL_KEYS or key.endswith(("Timestamp", "At", "Time", "time"))


@functools.cache
def demo_items() -> tuple[dict[str, Any], ...]:
    """The demo dump, plus the kinds kftui reads that it lacks (a DaemonSet, both webhook configurations)."""
    from tests.unit.fixtures.builders import deployment, webhook_config

    text = resources.files("kftui.data").joinpath("demo.yaml").read_text(encoding="utf-8")
    extra = [
        deployment("kubeflow", "node-agent", replicas=2, ready=0, kind="DaemonSet"),
        webhook_config(
            "ValidatingWebhookConfiguration", "katib", "v.katib.kubeflow.org", "kubeflow", "katib-hook"
        ),
        webhook_config("MutatingWebhookConfiguration", "istio", "m.istio.io", "istio-system", "istiod"),
    ]
    return (*yaml.safe_load(text)["items"], *extra)


def _taint(value: Any, bad: str, keep_semantics: bool, key: str = "") -> Any:
    if isinstance(value, str):
        if _structural(key) or (keep_semantics and key in SEMANTIC_KEYS):
            return value
        return value + bad
    if isinstance(value, list):
        return [_taint(v, bad, keep_semantics, key) for v in value]
    if isinstance(value, dict):
        taint_keys = key in ("labels", "annotations") and not keep_semantics
        return {(k + bad if taint_keys else k): _taint(v, bad, keep_semantics, k) for k, v in value.items()}
    return value


def hostile_objects(bad: str, keep_semantics: bool = True) -> list[dict[str, Any]]:
    return [_taint(copy.deepcopy(item), bad, keep_semantics) for item in demo_items()]


def hostile_snapshot(bad: str, keep_semantics: bool = True) -> ClusterSnapshot:
    from tests.unit.fixtures.builders import HEALTHY_ARGOCD_CM, NOW

    models: list[KubeObject] = []
    for raw in hostile_objects(bad, keep_semantics):
        obj = to_model(raw)
        if obj is not None:
            models.append(obj)
    snap = ClusterSnapshot.from_objects(models, now=NOW, argocd_config=HEALTHY_ARGOCD_CM)
    return snap


ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def unsafe_in(text: str, keep: str = "") -> list[str]:
    """The characters of `text` that would act on a terminal (or break XML) rather than be shown."""
    return sorted(
        {
            c
            for c in text
            if c not in keep and (unicodedata.category(c) in ESCAPED_CATEGORIES or c in "\ufffe\uffff")
        }
    )


FORBIDDEN_META = ("@click", "app.quit")

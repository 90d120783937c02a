"""Redaction for `kftui dump`: what people send to support keeps its shape and loses its secrets.

RULES is the one list of what is redacted (README, Safety, repeats it for users). A rule returns a copy of
the object and never mutates the live one. A redacted value becomes REDACTED; keys, names and structure stay,
so the reader still sees what existed. Values fetched by reference (env `valueFrom`, `secretKeyRef`, Argo CD
`$secret:key` references) are not secrets and stay visible.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import yaml

from kftui import safeyaml

REDACTED = "<redacted by kftui>"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# Words of a name (camelCase, snake_case, dotted, ALLCAPS runs): clientSecret -> client, Secret.
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_SECRET_WORDS = frozenset({"PASSWORD", "PASSWD", "PASS", "PWD", "PW", "TOKEN", "SECRET", "KEY", "CREDENTIAL"})
_SECRET_SUFFIXES = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL", "CREDENTIALS", "PASSPHRASE")
# A name that ends in one of these points at a secret rather than holding one: secretName, tokenPath, KEY_ID.
_POINTER_WORDS = frozenset({"NAME", "NAMES", "REF", "FILE", "PATH", "ID", "SELECTOR"})
# scheme://userinfo@: the userinfo (user, or user:password, or a token) is what goes.
_URL_CREDENTIALS = re.compile(r"\b([A-Za-z][A-Za-z0-9+.-]*://)[^\s/@?#]+@")
# Deeper than safeyaml reads is deeper than any dump kftui could load back: such a subtree is dropped.
_MAX_DEPTH = safeyaml.MAX_DEPTH


def looks_secret(name: str) -> bool:
    """True for names such as DB_PASSWORD, apiKey, clientSecret, GITHUB_TOKEN, bindPW, AWS_SECRET_ACCESS_KEY."""
    words = [w.upper() for w in _WORDS.findall(name)]
    if not words or words[-1] in _POINTER_WORDS:
        return False
    return any(w in _SECRET_WORDS or w.endswith(_SECRET_SUFFIXES) for w in words)


def _is_reference(value: object) -> bool:
    """Argo CD's `$secret-name:key` / `$key` settings name a Secret entry instead of holding it."""
    return isinstance(value, str) and value.startswith("$")


def _walk(value: Any, leaf: Callable[[str], str], node: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """A copy of `value` with `leaf` applied to every string and `node` to every mapping (before its
    children are walked); collections deeper than _MAX_DEPTH are dropped, which also bounds the recursion."""

    def go(v: Any, depth: int) -> Any:
        if isinstance(v, str):
            return leaf(v)
        if isinstance(v, dict | list) and depth > _MAX_DEPTH:
            return REDACTED
        if isinstance(v, dict):
            return {k: go(x, depth + 1) for k, x in node(v).items()}
        if isinstance(v, list):
            return [go(x, depth + 1) for x in v]
        return v

    return go(value, 0)


def _same(value: str) -> str:
    return value


def _keep(mapping: dict[str, Any]) -> dict[str, Any]:
    return mapping


def _secret_data(obj: dict[str, Any]) -> dict[str, Any]:
    out = dict(obj)
    for key in ("data", "stringData"):
        if isinstance(obj.get(key), dict):
            out[key] = dict.fromkeys(obj[key], REDACTED)
    return out


def _url_credentials(obj: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _walk(obj, lambda s: _URL_CREDENTIALS.sub(rf"\1{REDACTED}@", s), _keep)
    return result


def _named_value(mapping: dict[str, Any]) -> dict[str, Any]:
    """`{name: DB_PASSWORD, value: ...}` (env, Helm parameters, plugin env): the literal value goes."""
    name, value = mapping.get("name"), mapping.get("value")
    if isinstance(name, str) and value not in (None, "") and looks_secret(name) and not _is_reference(value):
        return {**mapping, "value": REDACTED}
    return mapping


def _named_values(obj: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = _walk(obj, _same, _named_value)
    return result


def _keyed_value(mapping: dict[str, Any]) -> dict[str, Any]:
    """`password: x`, `clientSecret: y` in free-form settings: scalar values under secret-looking keys go."""
    return {
        k: (
            REDACTED
            if isinstance(k, str)
            and looks_secret(k)
            and not isinstance(v, dict | list)
            and v not in (None, "")
            and not _is_reference(v)
            else v
        )
        for k, v in mapping.items()
    }


def _by_key(value: Any) -> Any:
    return _walk(value, _same, lambda m: _named_value(_keyed_value(m)))


def _yaml_text_by_key(text: object) -> object:
    """A YAML document held in a string (Helm values, dex.config): parsed, redacted by key, written back;
    a string that does not parse is replaced whole, since nothing says which part of it is secret."""
    if not isinstance(text, str):
        return text
    try:
        parsed = safeyaml.load(text)
    except safeyaml.YamlError:
        return REDACTED
    if not isinstance(parsed, dict | list):
        return text
    return yaml.safe_dump(_by_key(parsed), sort_keys=False, default_flow_style=False)


def _argocd_settings(obj: dict[str, Any]) -> dict[str, Any]:
    data = obj.get("data")
    if not isinstance(data, dict):
        return obj
    fields = {k: _yaml_text_by_key(data[k]) for k in ("oidc.config", "dex.config") if k in data}
    return {**obj, "data": {**data, **fields}} if fields else obj


def _helm(helm: object) -> object:
    if not isinstance(helm, dict):
        return helm
    out = dict(helm)
    if "values" in helm:
        out["values"] = _yaml_text_by_key(helm["values"])
    if "valuesObject" in helm:
        out["valuesObject"] = _by_key(helm["valuesObject"])
    if isinstance(helm.get("parameters"), list):
        out["parameters"] = [_named_value(p) if isinstance(p, dict) else p for p in helm["parameters"]]
    return out


def _application_helm(obj: dict[str, Any]) -> dict[str, Any]:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return obj
    out = dict(spec)
    if isinstance(spec.get("source"), dict):
        out["source"] = {**spec["source"], "helm": _helm(spec["source"].get("helm"))}
        if spec["source"].get("helm") is None:
            del out["source"]["helm"]
    if isinstance(spec.get("sources"), list):
        out["sources"] = [
            {**s, "helm": _helm(s["helm"])} if isinstance(s, dict) and "helm" in s else s
            for s in spec["sources"]
        ]
    return {**obj, "spec": out}


def _last_applied(obj: dict[str, Any]) -> dict[str, Any]:
    """kubectl's copy of the applied object: parsed and redacted by every rule here, or dropped."""
    meta = obj.get("metadata")
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(annotations, dict) or LAST_APPLIED not in annotations:
        return obj
    try:
        applied = json.loads(annotations[LAST_APPLIED])
    except (TypeError, ValueError, RecursionError):
        applied = None
    if isinstance(applied, dict):
        inner = applied.get("metadata")
        if isinstance(inner, dict) and isinstance(inner.get("annotations"), dict):
            # kubectl never nests the annotation in itself; a copy that does is dropped, not recursed into.
            inner["annotations"].pop(LAST_APPLIED, None)
        copy = json.dumps(redact(applied), separators=(",", ":"))
    else:
        copy = REDACTED
    return {**obj, "metadata": {**meta, "annotations": {**annotations, LAST_APPLIED: copy}}}


def _kind(*kinds: str) -> Callable[[dict[str, Any]], bool]:
    return lambda obj: obj.get("kind") in kinds


def _argocd_cm(obj: dict[str, Any]) -> bool:
    meta = obj.get("metadata")
    return obj.get("kind") == "ConfigMap" and isinstance(meta, dict) and meta.get("name") == "argocd-cm"


def _every(obj: dict[str, Any]) -> bool:
    return True


@dataclass(frozen=True)
class Rule:
    """One kind of secret: what it is (as the README and `kftui dump` say it), which objects, how."""

    what: str
    applies: Callable[[dict[str, Any]], bool]
    apply: Callable[[dict[str, Any]], dict[str, Any]]


RULES: tuple[Rule, ...] = (
    Rule("Secret data and stringData values", _kind("Secret"), _secret_data),
    Rule("argocd-cm oidc.config and dex.config secrets", _argocd_cm, _argocd_settings),
    Rule(
        "Helm values, valuesObject and parameters with secret-looking keys",
        _kind("Application"),
        _application_helm,
    ),
    Rule("literal values of secret-looking names (env, parameters)", _every, _named_values),
    Rule("credentials in URLs", _every, _url_credentials),
    Rule("last-applied-configuration copies", _every, _last_applied),
)


def redact_counted(obj: dict[str, Any], counts: Counter[str] | None = None) -> dict[str, Any]:
    """A copy safe to write; `counts` (when given) gains one per rule that changed something here."""
    for rule in RULES:
        if rule.applies(obj):
            clean = rule.apply(obj)
            if counts is not None and clean != obj:
                counts[rule.what] += 1
            obj = clean
    return obj


def redact(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of one object with everything RULES names replaced by REDACTED."""
    return redact_counted(obj)


def summary(counts: Counter[str]) -> str:
    """What was redacted, for the line `kftui dump` prints: rule by rule, in objects."""
    if not counts:
        return "nothing matched the redaction rules"
    parts = [f"{rule.what} in {counts[rule.what]}" for rule in RULES if counts[rule.what]]
    return "redacted: " + "; ".join(parts)

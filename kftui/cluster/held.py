"""Lists the objects that keep a Terminating namespace from going: those of the kinds its conditions name, with finalizers.

The namespace controller says which resources remain (`NamespaceContentRemaining: Some resources are
remaining: widgets.example.com has 1 resource instances`), not which objects: a person runs `kubectl get` on
each. This does that once per live load, only for namespaces that are Terminating with content remaining, so
remove-finalizers can name (and patch) each object, custom resources included. Resource names come from the
cluster: only well-formed `plural.group` names are looked up, and object names go into paths URL-quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp
from kftui.model import HeldObject, KubeObject, Namespace

CONTENT_REMAINING = "NamespaceContentRemaining"
MOST_PER_NAMESPACE = 50
"""At most this many held objects are listed per namespace (a preview names them; the rest wait for the next)."""

_REMAINING = re.compile(r"(\S+) has \d+ resource instances")
_DNS = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


def remaining_resources(ns: Namespace) -> list[str]:
    """The `plural.group` names the namespace's NamespaceContentRemaining condition lists, well-formed only."""
    message = dict(ns.conditions).get(CONTENT_REMAINING, "")
    # "Some resources are remaining: a.b has 1 resource instances, c has 2 resource instances"
    entries = message.partition(": ")[2].split(", ")
    found = [
        m.group(1) for e in entries if (m := _REMAINING.fullmatch(e.strip())) and _DNS.fullmatch(m.group(1))
    ]
    return list(dict.fromkeys(found))


def _group_base(http: KubeHttp, group: str) -> str | None:
    """/api/v1 for the core group, else /apis/GROUP/VERSION for the group's preferred version (discovery)."""
    if not group:
        return "/api/v1"
    found = http.get_json(f"/apis/{quote(group, safe='')}")
    version = ((found or {}).get("preferredVersion") or {}).get("groupVersion")
    return (
        f"/apis/{version}" if isinstance(version, str) and _DNS.fullmatch(version.replace("/", ".")) else None
    )


def _held_in(http: KubeHttp, namespace: str, resource: str) -> list[HeldObject]:
    plural, _, group = resource.partition(".")
    base = _group_base(http, group)
    if base is None:
        return []
    listed = f"{base}/namespaces/{quote(namespace, safe='')}/{quote(plural, safe='')}"
    answer: dict[str, Any] = http.get_json(listed) or {}
    kind = str(answer.get("kind", "")).removesuffix("List") or plural
    held = []
    for item in answer.get("items") or ():
        meta = item.get("metadata") or {}
        finalizers = tuple(str(f) for f in meta.get("finalizers") or ())
        name = str(meta.get("name", ""))
        if finalizers and name:
            path = f"{listed}/{quote(name, safe='')}"
            held.append(
                HeldObject(resource, str(item.get("kind") or kind), namespace, name, path, finalizers)
            )
    return held


def with_held_objects(http: KubeHttp, objects: Iterable[KubeObject]) -> list[KubeObject]:
    """`objects`, each Terminating namespace with content remaining given the objects that hold it.

    A resource that cannot be listed (forbidden, gone meanwhile) is skipped: the condition still names it.
    """
    out: list[KubeObject] = []
    for obj in objects:
        if isinstance(obj, Namespace) and obj.deleting_since is not None:
            held: list[HeldObject] = []
            for resource in remaining_resources(obj):
                try:
                    held += _held_in(http, obj.name, resource)
                except (KubeApiError, *CONNECTION_ERRORS):
                    continue
            if held:
                obj = replace(obj, held_by=tuple(held[:MOST_PER_NAMESPACE]))
        out.append(obj)
    return out

"""Desired objects rendered locally + live objects -> the per-resource states Argo CD's managed-resources gives.

Pure: the live objects come through a small lookup the caller provides (the cluster layer's LiveObjects), so
`kftui diff` has one diff code path (diffcmd.resource_drifts over managed-resources items) and two sources of
the desired state. The normalisation is the one Argo CD's default (three-way, client-side) diff applies:

- the rendered object gets the destination namespace when it is namespaced and names none, and Argo CD's
  tracking label/annotation that the live object carries for this app (Argo CD adds them at apply time);
- the predicted live state is the live object with the desired fields applied over it: fields the API
  server defaulted (absent from git and from the last-applied configuration) stay, fields removed from git
  (in the last-applied configuration, not in git) go; list items with a `name` are matched by name;
- the app's own ignoreDifferences (jsonPointers, managedFieldsManagers) are left out of both sides.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kftui.drift import TRACKING_ANNOTATION, TRACKING_LABEL, field_managers

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
SOURCE_OPTIONS = ("kustomize", "directory", "helm", "plugin")


class LiveLookup(Protocol):
    """What the diff needs of the cluster: a kind's scope and one live object (None when absent)."""

    def namespaced(self, api_version: str, kind: str) -> bool | None:
        """True/False as the API server's discovery says; None when the server does not know the kind."""
        ...

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class AppSource:
    """One source of an Application (spec.source, or one of spec.sources)."""

    repo_url: str
    path: str
    target_revision: str
    synced_revision: str
    """status.sync.revision(s): the commit Argo CD last compared with ("" when unknown)."""
    chart: str = ""
    options: tuple[str, ...] = ()
    """Source options Argo CD applies when it renders (kustomize images, helm values...): not applied locally."""


def _map(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def app_sources(app: Mapping[str, Any]) -> list[AppSource]:
    """The Application's sources with the revision Argo CD last compared each with."""
    spec, sync = _map(app.get("spec")), _map(_map(app.get("status")).get("sync"))
    if _map(spec.get("source")):
        raw, synced = [_map(spec["source"])], [str(sync.get("revision") or "")]
    else:
        raw = [_map(s) for s in _list(spec.get("sources"))]
        synced = [str(r or "") for r in _list(sync.get("revisions"))]
    synced += [""] * (len(raw) - len(synced))
    return [
        AppSource(
            str(s.get("repoURL") or ""),
            str(s.get("path") or ""),
            str(s.get("targetRevision") or "HEAD"),
            synced[i],
            str(s.get("chart") or ""),
            tuple(k for k in SOURCE_OPTIONS if s.get(k)),
        )
        for i, s in enumerate(raw)
    ]


def destination_namespace(app: Mapping[str, Any]) -> str:
    return str(_map(_map(app.get("spec")).get("destination")).get("namespace") or "")


def _split(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


_ABSENT = object()


def predicted_live(live: Any, desired: Any, last: Any) -> Any:
    """`live` with `desired` applied over it, as a client-side apply with `last` as the previous apply would."""
    if isinstance(desired, Mapping) and isinstance(live, Mapping):
        out = dict(live)
        previous = last if isinstance(last, Mapping) else {}
        for key, value in desired.items():
            if value is None:  # `key: null` in git deletes the field on apply
                out.pop(key, None)
            elif key in live:
                out[key] = predicted_live(live[key], value, previous.get(key))
            elif (stored := _stored(value)) is not _ABSENT:
                out[key] = stored
        for key, before in previous.items():
            if key in desired or key not in out:
                continue
            if isinstance(before, Mapping) and isinstance(out[key], Mapping):
                # A map git no longer has: what the last apply put there goes, what others added stays.
                kept = predicted_live(out[key], {}, before)
                if kept:
                    out[key] = kept
                    continue
            del out[key]
        return out
    if isinstance(desired, list) and isinstance(live, list):
        if _named(desired) and _named(live):
            return _merged_by_name(live, desired, last)
        if len(desired) == len(live):
            previous_items = (
                last if isinstance(last, list) and len(last) == len(desired) else [None] * len(desired)
            )
            return [predicted_live(a, b, c) for a, b, c in zip(live, desired, previous_items, strict=True)]
    return copy.deepcopy(desired)


def _merged_by_name(live: list[Any], desired: list[Any], last: Any) -> list[Any]:
    """Items keyed by `name`, as a strategic merge patch does for containers, ports, env...: in live's order,
    those git has merged, those only live has kept (injected: an Istio sidecar), unless git had them in the
    last apply (removed from git); then git's new ones."""
    wanted = {item["name"]: item for item in desired}
    before = {item["name"] for item in last if isinstance(item, Mapping)} if isinstance(last, list) else set()
    previous = (
        {item.get("name"): item for item in last if isinstance(item, Mapping)}
        if isinstance(last, list)
        else {}
    )
    out: list[Any] = []
    for item in live:
        name = item["name"]
        if name in wanted:
            out.append(predicted_live(item, wanted.pop(name), previous.get(name)))
        elif name not in before:
            out.append(item)
    return out + [copy.deepcopy(item) for item in wanted.values()]


def _stored(value: Any) -> Any:
    """A new value as the API server stores it: nulls, empty maps and lists dropped, recursively (_ABSENT:
    nothing left)."""
    if isinstance(value, Mapping):
        kept = {k: v for k, v in ((k, _stored(v)) for k, v in value.items()) if v is not _ABSENT}
        return kept or _ABSENT
    if value is None or value == []:
        return _ABSENT
    return copy.deepcopy(value)


def _named(items: Sequence[Any]) -> bool:
    return bool(items) and all(isinstance(i, Mapping) and isinstance(i.get("name"), str) for i in items)


def _last_applied(live: Mapping[str, Any]) -> Any:
    text = _map(_map(live.get("metadata")).get("annotations")).get(LAST_APPLIED)
    if not isinstance(text, str):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def as_applied(
    desired: Mapping[str, Any],
    live: Mapping[str, Any] | None,
    app: str,
    dest_ns: str,
    namespaced: bool | None,
) -> dict[str, Any]:
    """The rendered object as Argo CD would apply it: destination namespace, its tracking marks, stringData."""
    obj = copy.deepcopy(dict(desired))
    meta = obj.setdefault("metadata", {})
    if namespaced is False:
        meta.pop("namespace", None)
    elif not meta.get("namespace") and dest_ns:
        meta["namespace"] = dest_ns
    live_meta = _map((live or {}).get("metadata"))
    label = _map(live_meta.get("labels")).get(TRACKING_LABEL)
    if label == app:
        meta.setdefault("labels", {})[TRACKING_LABEL] = label
    tracking = _map(live_meta.get("annotations")).get(TRACKING_ANNOTATION)
    if isinstance(tracking, str) and tracking.startswith(f"{app}:"):
        meta.setdefault("annotations", {})[TRACKING_ANNOTATION] = tracking
    if obj.get("kind") == "Secret" and isinstance(obj.get("stringData"), Mapping):
        data = obj.setdefault("data", {})
        for key, value in obj.pop("stringData").items():
            data[key] = base64.b64encode(str(value).encode()).decode()
    return obj


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def without(obj: Any, pointer: str) -> None:
    """Remove the field at a JSON pointer from `obj` in place (nothing when it is not there)."""
    tokens = [_unescape(t) for t in pointer.split("/")[1:]]
    for token in tokens[:-1]:
        if isinstance(obj, Mapping):
            obj = obj.get(token)
        elif isinstance(obj, list) and token.isdigit() and int(token) < len(obj):
            obj = obj[int(token)]
        else:
            return
    if not tokens:
        return
    if isinstance(obj, dict):
        obj.pop(tokens[-1], None)
    elif isinstance(obj, list) and tokens[-1].isdigit() and int(tokens[-1]) < len(obj):
        del obj[int(tokens[-1])]


def _applies(entry: Mapping[str, Any], group: str, kind: str, namespace: str, name: str) -> bool:
    return (
        str(entry.get("group") or "") == group
        and entry.get("kind") == kind
        and entry.get("name") in (None, "", name)
        and entry.get("namespace") in (None, "", namespace)
    )


def ignored_pointers(
    ignores: Sequence[Mapping[str, Any]],
    group: str,
    kind: str,
    namespace: str,
    name: str,
    live: Mapping[str, Any] | None,
) -> list[str]:
    """The pointers the app's ignoreDifferences leaves out for this resource (jqPathExpressions are not read)."""
    pointers: list[str] = []
    owners = field_managers(live)
    for entry in ignores:
        if not _applies(entry, group, kind, namespace, name):
            continue
        pointers += [str(p) for p in _list(entry.get("jsonPointers"))]
        managers = {str(m) for m in _list(entry.get("managedFieldsManagers"))}
        pointers += [p for p, manager in owners.items() if manager in managers]
    return pointers


def live_key(obj: Mapping[str, Any], dest_ns: str, live: LiveLookup) -> tuple[str, str, str, str]:
    """(apiVersion, kind, namespace, name) of the live object a rendered one is applied as."""
    api_version, kind = str(obj.get("apiVersion") or ""), str(obj.get("kind") or "")
    meta = _map(as_applied(obj, None, "", dest_ns, live.namespaced(api_version, kind)).get("metadata"))
    return api_version, kind, str(meta.get("namespace") or ""), str(meta.get("name") or "")


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


def managed_items(
    app: Mapping[str, Any], desired: Sequence[Mapping[str, Any]], live: LiveLookup
) -> list[dict[str, Any]]:
    """One managed-resources item per rendered object, and one per resource the app manages that git no
    longer has (the ones a sync would prune), as Argo CD's API gives them to diffcmd.resource_drifts."""
    name = str(_map(app.get("metadata")).get("name") or "")
    dest_ns = destination_namespace(app)
    ignores = [_map(e) for e in _list(_map(app.get("spec")).get("ignoreDifferences"))]
    items: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str, str]] = set()
    for obj in desired:
        api_version, kind, obj_ns, obj_name = live_key(obj, dest_ns, live)
        namespaced = live.namespaced(api_version, kind)
        current = live.get(api_version, kind, obj_ns, obj_name)
        wanted = as_applied(obj, current, name, dest_ns, namespaced)
        group, version = _split(api_version)
        seen.add((group, kind, obj_ns, obj_name))
        item = {"group": group, "version": version, "kind": kind, "namespace": obj_ns, "name": obj_name}
        if current is None:
            items.append({**item, "targetState": _json(wanted), "liveState": "null"})
            continue
        predicted = predicted_live(current, wanted, _last_applied(current))
        normalized = copy.deepcopy(current)
        for pointer in ignored_pointers(ignores, group, kind, obj_ns, obj_name, current):
            without(predicted, pointer)
            without(normalized, pointer)
        items.append(
            {
                **item,
                "targetState": _json(wanted),
                "predictedLiveState": _json(predicted),
                "normalizedLiveState": _json(normalized),
                "liveState": _json(current),
            }
        )
    for res in _list(_map(app.get("status")).get("resources")):
        res = _map(res)
        key = (
            str(res.get("group") or ""),
            str(res.get("kind") or ""),
            str(res.get("namespace") or ""),
            str(res.get("name") or ""),
        )
        if key in seen or res.get("hook") or not key[1]:
            continue
        version = str(res.get("version") or "")
        api_version = f"{key[0]}/{version}" if key[0] else version
        current = live.get(api_version, key[1], key[2], key[3])
        if current is not None:
            item = {"group": key[0], "version": version, "kind": key[1], "namespace": key[2], "name": key[3]}
            items.append({**item, "targetState": "null", "liveState": _json(current)})
    return items

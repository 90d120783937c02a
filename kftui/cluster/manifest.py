"""One live object as YAML for the YAML view: fetched through the HTTP seam, managedFields hidden, secrets masked.

`kubectl get -o yaml` shows managedFields (hundreds of lines nobody reads while on call) and a Secret's
values; here the first is left out and the second masked by the same rules `kftui dump` uses
(cluster/redact.py), so the view can be screen-shared. Dumps (and the demo) give their objects raw too.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import yaml

from kftui import safeyaml
from kftui.cluster.dumpfile import DumpError, iter_dump_objects
from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp, describe_connection_error
from kftui.cluster.redact import redact
from kftui.kinds import KINDS, plural_of

HIDDEN = "managedFields"


class ManifestError(Exception):
    """The object cannot be shown; the message is one line for the user."""


def object_path(kind: str, namespace: str | None, name: str, group: str = "", version: str = "") -> str:
    """The REST path of one object: from the kind table when kftui knows the kind, else from the group and
    version Argo CD reported for it (status.resources) and the usual plural."""
    known = KINDS.get(kind)
    if known is not None:
        return f"{known.path(namespace)}/{name}"
    if not version:
        raise ManifestError(f"{kind} {name}: kftui does not know this kind's API version")
    prefix = f"/apis/{group}/{version}" if group else f"/api/{version}"
    where = f"/namespaces/{namespace}" if namespace else ""
    return f"{prefix}{where}/{plural_of(kind)}/{name}"


def fetch_object(http: KubeHttp, path: str) -> dict[str, Any]:
    """GET one object as JSON; every failure is a ManifestError with the API server's reason."""
    try:
        raw = http.get_json(path)
    except KubeApiError as exc:
        raise ManifestError(f"{path}: {exc.message}") from None
    except CONNECTION_ERRORS as exc:
        raise ManifestError(describe_connection_error(exc, http.server)) from None
    if not isinstance(raw, dict):
        raise ManifestError(f"{path}: the answer is not an object")
    return raw


def shown(obj: dict[str, Any]) -> dict[str, Any]:
    """What the YAML view shows of an object: a copy without managedFields, redacted (Secret values masked)."""
    clean = copy.deepcopy(obj)
    meta = clean.get("metadata")
    if isinstance(meta, dict):
        meta.pop(HIDDEN, None)
    return redact(clean)


def as_yaml(obj: dict[str, Any]) -> str:
    """The object as `kubectl get -o yaml` lays it out (keys in their order), after `shown`."""
    return yaml.safe_dump(
        shown(obj), sort_keys=False, default_flow_style=False, allow_unicode=True, width=4096
    )


class DumpObjects:
    """The raw objects of a dump (or the demo), read again when one is asked for: the snapshot keeps only
    the fields checks need, the YAML view shows the object as it was captured."""

    def __init__(self, read: Callable[[], safeyaml.Stream], origin: str) -> None:
        self._read = read
        self._origin = origin

    def find(self, kind: str, namespace: str | None, name: str) -> dict[str, Any] | None:
        try:
            for raw in iter_dump_objects(self._read(), self._origin):
                meta = raw.get("metadata")
                if raw.get("kind") != kind or not isinstance(meta, dict) or meta.get("name") != name:
                    continue
                if (meta.get("namespace") or None) == (namespace or None):
                    return raw
        except (OSError, safeyaml.YamlError, DumpError) as exc:
            raise ManifestError(f"{self._origin}: {exc}") from None
        return None

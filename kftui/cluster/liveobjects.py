"""Live objects by apiVersion/kind/namespace/name, for the local diff: discovery says each kind's path and scope.

Through the HTTP seam only. Discovery (`/api/v1`, `/apis/GROUP/VERSION`) is asked once per group-version and
kept; a kind the server does not serve has no live object. Every failure other than "not found" is a
LiveError with one line for the user.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from kftui.cluster.http import CONNECTION_ERRORS, KubeApiError, KubeHttp, describe_connection_error

APPLICATIONS = "/apis/argoproj.io/v1alpha1/namespaces/{namespace}/applications/{name}"


class LiveError(Exception):
    """The live state cannot be read; the message is one line."""


def _segment(text: str) -> str:
    """A name from the cluster or from git as one URL path segment (a `/` or `..` cannot change the path)."""
    return quote(text, safe="")


class LiveObjects:
    """The live side of the local diff (localdiff.LiveLookup) over the HTTP seam."""

    def __init__(self, http: KubeHttp) -> None:
        self.http = http
        self._kinds: dict[str, dict[str, tuple[str, bool]]] = {}

    def _get(self, path: str) -> dict[str, Any] | None:
        try:
            raw = self.http.get_json(path)
        except KubeApiError as exc:
            if exc.status == 404:
                return None
            raise LiveError(f"{path}: {exc.message}") from None
        except CONNECTION_ERRORS as exc:
            raise LiveError(describe_connection_error(exc, self.http.server)) from None
        return raw if isinstance(raw, dict) else None

    def application(self, namespace: str, name: str) -> dict[str, Any]:
        path = APPLICATIONS.format(namespace=_segment(namespace), name=_segment(name))
        app = self._get(path)
        if app is None:
            raise LiveError(f"no Application {name} in namespace {namespace}")
        return app

    def _discovery(self, api_version: str) -> dict[str, tuple[str, bool]]:
        if api_version not in self._kinds:
            group, _, version = api_version.rpartition("/")
            if not version:
                self._kinds[api_version] = {}
                return {}
            prefix = f"/apis/{_segment(group)}/{_segment(version)}" if group else f"/api/{_segment(version)}"
            found: dict[str, tuple[str, bool]] = {}
            for res in (self._get(prefix) or {}).get("resources") or []:
                if isinstance(res, dict) and "/" not in str(res.get("name", "")) and res.get("kind"):
                    found.setdefault(str(res["kind"]), (str(res["name"]), bool(res.get("namespaced"))))
            self._kinds[api_version] = found
        return self._kinds[api_version]

    def namespaced(self, api_version: str, kind: str) -> bool | None:
        known = self._discovery(api_version).get(kind)
        return None if known is None else known[1]

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        known = self._discovery(api_version).get(kind)
        if known is None or not name:
            return None
        plural, namespaced = known
        group, _, version = api_version.rpartition("/")
        prefix = f"/apis/{_segment(group)}/{_segment(version)}" if group else f"/api/{_segment(version)}"
        where = f"/namespaces/{_segment(namespace)}" if namespaced and namespace else ""
        return self._get(f"{prefix}{where}/{plural}/{_segment(name)}")

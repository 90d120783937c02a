"""Where `kftui diff` (and the TUI's `D`) get the desired state from: Argo CD's API, or a local render.

Two sources, one shape: both give managed-resources items (desired and live state per resource) that
diffcmd.resource_drifts diffs and classifies, plus a line saying where the desired state came from.
- an Argo CD server configured (--argocd-server / ARGOCD_SERVER): its managed-resources, as Argo CD sees it;
- otherwise --manifests DIR: the app's source(s) rendered with kustomize from DIR at the app's path and
  revision (kustomize/checkout.py), live objects read from the Kubernetes API (cluster/liveobjects.py),
  normalised as Argo CD's default diff does (localdiff.py);
- neither: NOT_AVAILABLE says what would enable it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from kftui.kustomize.checkout import Rendered, RenderError, render_source, run_git
from kftui.localdiff import (
    AppSource,
    LiveLookup,
    app_sources,
    destination_namespace,
    live_key,
    managed_items,
)

NOT_AVAILABLE = (
    "no desired state to compare with: give --argocd-server HOST (or ARGOCD_SERVER, with ARGOCD_AUTH_TOKEN) "
    "to ask Argo CD, or --manifests DIR (a checkout of the app's repo) to render it locally with kustomize"
)
ARGO_ORIGIN = "desired state: Argo CD managed-resources ({server})"
DEFAULT_RENDER_TIMEOUT = 60.0


@dataclass(frozen=True)
class DesiredState:
    """The managed-resources items of one app, where the desired state came from, and notes for the user."""

    items: list[dict[str, Any]]
    origin: str
    notes: list[str] = field(default_factory=list)
    local: bool = False
    """Rendered locally (not Argo CD's own normalisation)."""


class Desired(Protocol):
    def fetch(self, app: str) -> DesiredState: ...


class ManagedResources(Protocol):
    @property
    def endpoint(self) -> str: ...

    def managed_resources(self, name: str) -> list[dict[str, Any]]: ...


class FromArgo:
    """Argo CD's own view: its managed-resources (after its normalisation and the app's ignoreDifferences)."""

    def __init__(self, argo: ManagedResources) -> None:
        self.argo = argo

    def fetch(self, app: str) -> DesiredState:
        return DesiredState(
            list(self.argo.managed_resources(app)), ARGO_ORIGIN.format(server=self.argo.endpoint)
        )


class ClusterReader(LiveLookup, Protocol):
    def application(self, namespace: str, name: str) -> dict[str, Any]: ...


Render = Callable[[Path, str, tuple[str, ...]], Rendered]


def _plain_url(url: str) -> str:
    url = url.strip().removeprefix("file://").rstrip("/")
    return url.removesuffix(".git").lower()


class FromCheckout:
    """The app's sources rendered from the checkout `manifests`; live objects from the cluster."""

    def __init__(
        self,
        manifests: Path,
        live: ClusterReader,
        argocd_namespace: str = "argocd",
        timeout: float = DEFAULT_RENDER_TIMEOUT,
        render: Render | None = None,
    ) -> None:
        self.manifests = manifests
        self.live = live
        self.argocd_namespace = argocd_namespace
        self.render: Render = render or (
            lambda root, path, revisions: render_source(root, path, revisions, timeout=timeout)
        )

    def _origin_remote(self) -> str:
        out = run_git(self.manifests, ("remote", "get-url", "origin"))
        return _plain_url(out.decode()) if out else ""

    def _chosen(self, sources: list[AppSource]) -> tuple[list[AppSource], list[str]]:
        """The sources DIR can render, and a note for each it cannot (charts, other repos)."""
        notes = [
            f"source {s.repo_url} chart {s.chart} is a Helm chart: not rendered locally"
            for s in sources
            if s.chart
        ]
        paths = [s for s in sources if not s.chart and s.path]
        if len({_plain_url(s.repo_url) for s in paths}) > 1:
            remote = self._origin_remote()
            mine = [s for s in paths if remote and _plain_url(s.repo_url) == remote]
            if not mine:
                raise RenderError(
                    f"the app's sources come from {len({s.repo_url for s in paths})} repositories and the origin of "
                    f"{self.manifests} is none of them; give the checkout of one of them"
                )
            notes += [
                f"source {s.repo_url} path {s.path} is another repository: not rendered"
                for s in paths
                if s not in mine
            ]
            paths = mine
        return paths, notes

    def fetch(self, app: str) -> DesiredState:
        raw = self.live.application(self.argocd_namespace, app)
        sources, notes = self._chosen(app_sources(raw))
        if not sources:
            raise RenderError(
                f"{app} has no source with a path that kustomize could render from {self.manifests}"
            )
        objects: list[dict[str, Any]] = []
        origins: list[str] = []
        for source in sources:
            rendered = self.render(
                self.manifests, source.path, (source.synced_revision, source.target_revision)
            )
            if source.options:
                notes.append(
                    f"the app's spec.source {', '.join(source.options)} options (path {source.path}) are "
                    "applied by Argo CD, not by the local render: expect differences they explain"
                )
            objects += rendered.objects
            origins.append(rendered.origin)
            notes += rendered.notes
        items = managed_items(raw, objects, Prefetched(self.live, raw, objects))
        return DesiredState(items, "desired state: " + "; ".join(origins), notes, local=True)


class Prefetched:
    """The live objects of the rendered ones read in parallel up front (a Kubeflow app has hundreds: one
    GET each, one after the other, would take as many round trips); anything else asked is read then."""

    WORKERS = 8

    def __init__(self, live: LiveLookup, app: dict[str, Any], objects: list[dict[str, Any]]) -> None:
        self.live = live
        dest_ns = destination_namespace(app)
        keys = list(dict.fromkeys(live_key(obj, dest_ns, live) for obj in objects))  # discovery, here
        with ThreadPoolExecutor(self.WORKERS, thread_name_prefix="kftui-live") as pool:
            self.found = dict(zip(keys, pool.map(lambda key: live.get(*key), keys), strict=True))

    def namespaced(self, api_version: str, kind: str) -> bool | None:
        return self.live.namespaced(api_version, kind)

    def get(self, api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any] | None:
        key = (api_version, kind, namespace, name)
        return self.found[key] if key in self.found else self.live.get(*key)


def choose(
    argo: object | None, manifests: Path | None, source: object, argocd_namespace: str = "argocd"
) -> Desired | None:
    """The desired-state source for the TUI, in the CLI's order: the Argo CD server the fix runtime talks to
    (`argo` with managed-resources), else `manifests` with a live cluster (`source` with the HTTP seam), else
    None (the view then says what would enable it)."""
    if argo is not None and hasattr(argo, "managed_resources"):
        return FromArgo(argo)  # type: ignore[arg-type]  # checked just above, as far as a protocol can be
    http = getattr(source, "http", None)
    if manifests is not None and http is not None and getattr(source, "live", False):
        from kftui.cluster.liveobjects import LiveObjects  # the HTTP seam's errors, only for a live cluster

        return FromCheckout(manifests, LiveObjects(http), argocd_namespace)
    return None

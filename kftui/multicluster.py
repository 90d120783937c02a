"""Builds the live source from flags, environment and the config file: the hub alone, or hub plus remote apps.

With no Argo CD server (flag, $ARGOCD_SERVER or config) and no config file asking for more clusters, the live
source is the hub's KubeSource exactly as before. Otherwise a FederatedSource (cluster/remote.py) reads the
apps deployed to other clusters: directly through a kube context that reaches the cluster (its server URL
matches a kubeconfig cluster, or config `clusters` maps it), else through Argo CD's API with the Argo CD token.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kftui.cluster.source import SnapshotSource, SourceError
from kftui.config import ArgoServer, Config, load_config

if TYPE_CHECKING:
    from kftui.fixes.runtime import FixOptions, FixRuntime


@dataclass(frozen=True)
class LiveChoice:
    """What `:ctx` may switch and what the status line names: the kube context and the Argo CD server."""

    kubeconfig: str | None
    context: str | None
    argocd_namespace: str
    argo: ArgoServer | None
    config: Config


def argo_server(
    config: Config, flag: str | None, insecure: bool, plaintext: bool, env: Mapping[str, str]
) -> ArgoServer | None:
    """The Argo CD server to read through: the flag or $ARGOCD_SERVER (token from $ARGOCD_AUTH_TOKEN, as the
    argocd CLI reads it), else the config file's first."""
    given = flag or env.get("ARGOCD_SERVER", "")
    if given:
        # ARGOCD_OPTS as the argocd CLI (and FixOptions.from_env) read it, so reads and fixes agree.
        opts = shlex.split(env.get("ARGOCD_OPTS", ""))
        insecure, plaintext = insecure or "--insecure" in opts, plaintext or "--plaintext" in opts
        return ArgoServer(given, given, "ARGOCD_AUTH_TOKEN", insecure=insecure, plaintext=plaintext)
    return config.argocd[0] if config.argocd else None


def choose(args: object, env: Mapping[str, str] | None = None) -> LiveChoice:
    env = os.environ if env is None else env
    config = load_config(env)
    return LiveChoice(
        kubeconfig=getattr(args, "kubeconfig", None),
        context=getattr(args, "context", None) or config.context or None,
        argocd_namespace=getattr(args, "argocd_namespace", "argocd"),
        argo=argo_server(
            config,
            getattr(args, "argocd_server", None),
            getattr(args, "insecure", False),
            getattr(args, "plaintext", False),
            env,
        ),
        config=config,
    )


def live_source(choice: LiveChoice, env: Mapping[str, str] | None = None) -> SnapshotSource:
    """The hub's KubeSource, federated with remote apps when an Argo CD server or the config asks for it."""
    from kftui.cluster.kube import KubeSource
    from kftui.cluster.kubeconfig import choose_kubeconfig, context_servers
    from kftui.model.clusters import context_for

    env = os.environ if env is None else env
    hub = KubeSource.from_kubeconfig(choice.kubeconfig, choice.context, choice.argocd_namespace)
    if choice.argo is None and not choice.config.remote:
        return hub
    from kftui.cluster.argocd import ArgoRestOps
    from kftui.cluster.ops import ActionError
    from kftui.cluster.remote import FederatedSource

    argo = None
    if choice.argo is not None:
        try:
            argo = ArgoRestOps(
                choice.argo.server,
                choice.argo.token_from(env),
                insecure=choice.argo.insecure,
                plaintext=choice.argo.plaintext,
                argocd_namespace=choice.argocd_namespace,
            )
        except ActionError as exc:
            raise SourceError(str(exc)) from None
    servers = context_servers(choose_kubeconfig(choice.kubeconfig, env))

    def connect(server: str) -> SnapshotSource | None:
        context = context_for(server, servers, choice.config.clusters)
        if not context or context == hub.context:
            return None
        return KubeSource.from_kubeconfig(choice.kubeconfig, context, choice.argocd_namespace)

    return FederatedSource(
        hub,
        argo,
        connect=connect,
        interval=choice.config.poll_seconds,
        argocd_namespace=choice.argocd_namespace,
    )


def with_config_argocd(options: FixOptions, choice: LiveChoice) -> FixOptions:
    """Argo CD actions go to the Argo CD server remote apps are read through: the flag or $ARGOCD_SERVER as
    before, else the config file's (with its own token variable), so fixes of remote apps use its REST API."""
    from dataclasses import replace

    argo = choice.argo
    if options.argocd_server or argo is None:
        return options
    return replace(
        options,
        argocd_server=argo.server,
        insecure=argo.insecure,
        plaintext=argo.plaintext,
        argocd_token_env=argo.token_env or options.argocd_token_env,
        argocd_token=argo.token,
    )


class ContextSwitcher:
    """What `:ctx NAME` switches to: a kube context (the kubeconfig's or the config file's) or an Argo CD
    server the config file names. Building the new source and its fix runtime blocks (kubeconfig, a login),
    so the TUI calls `switch` from a thread worker."""

    def __init__(self, choice: LiveChoice, options: FixOptions, env: Mapping[str, str] | None = None) -> None:
        self.choice = choice
        self.options = options
        self.env = os.environ if env is None else env
        self._kube_contexts: list[str] | None = None

    def kube_contexts(self) -> list[str]:
        """The kubeconfig's contexts and the config file's, read once (Tab completes from them)."""
        from kftui.cluster.kubeconfig import choose_kubeconfig, context_servers

        if self._kube_contexts is None:
            try:
                known = list(context_servers(choose_kubeconfig(self.choice.kubeconfig, self.env)))
            except (SourceError, OSError, ValueError):
                known = []
            self._kube_contexts = sorted({*known, *self.choice.config.contexts})
        return self._kube_contexts

    def names(self) -> list[str]:
        """Every name `:ctx` accepts: kube contexts, then Argo CD servers (by their config name)."""
        return [*self.kube_contexts(), *(a.name for a in self.choice.config.argocd)]

    def active_argocd(self) -> str:
        """The Argo CD server read through (its config name), "" when there is none: the status line's."""
        return self.choice.argo.name if self.choice.argo is not None else ""

    def active(self) -> str:
        """What is active now, in words: the kube context and the Argo CD server read through, if any."""
        argo = f", Argo CD {self.active_argocd()}" if self.choice.argo is not None else ""
        return f"kube context {self.choice.context or '(the current one)'}{argo}"

    def switch(self, name: str) -> tuple[SnapshotSource, FixRuntime, str]:
        """The source and fix runtime for `name`, and what is now active; SourceError when `name` is neither."""
        from dataclasses import replace

        from kftui.fixes.runtime import build_fix_runtime

        argo = self.choice.config.argo_named(name)
        if argo is not None:
            choice = replace(self.choice, argo=argo)
            options = with_config_argocd(replace(self.options, argocd_server=""), choice)
        elif name in self.kube_contexts():
            choice, options = replace(self.choice, context=name), self.options
        else:
            known = ", ".join(self.names()) or "none"
            raise SourceError(f"no kube context or Argo CD server named {name!r} (known: {known})")
        source = live_source(choice, self.env)
        fixes = build_fix_runtime(source, options, self.env)
        self.choice, self.options = choice, options
        return source, fixes, self.active()

"""kftui's config file: the kube contexts and Argo CD servers `:ctx` switches between, and cluster URL -> context.

Where: `$KFTUI_CONFIG`, else `$XDG_CONFIG_HOME/kftui/config.yaml`, else `~/.config/kftui/config.yaml`; no file
is no config. Flags and the environment (--context, --argocd-server, $ARGOCD_SERVER, $ARGOCD_AUTH_TOKEN) win
over it. A token is named by the environment variable that holds it (`token_env`); a literal `token` is only
accepted from a file no one else may read (mode 0600), as ssh does for its keys. Every problem with the file
is one line naming it (exit 2).

    context: hub                       # the kube context to start with
    contexts: [hub, staging-hub]       # what :ctx offers besides the kubeconfig's own
    argocd:                            # Argo CD servers; the first is the default
      - name: hub
        server: argocd.example.com:443
        token_env: ARGOCD_HUB_TOKEN
        insecure: false
        plaintext: false
    clusters:                          # an Argo CD cluster's server URL -> the kube context that reaches it
      https://10.0.0.5:6443: spoke-admin
    poll_seconds: 5                    # how often apps read through Argo CD's API without a live stream up
                                       # are read again (with one: every max(60, this) as a net)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kftui.cluster.source import SourceError


class ConfigError(SourceError):
    """The config file cannot be used; the message is one line naming the file (exit 2, like any SourceError)."""


@dataclass(frozen=True)
class ArgoServer:
    """One Argo CD API server: where, and how to authenticate (the token itself only in memory)."""

    name: str
    server: str
    token_env: str = ""
    token: str = field(default="", repr=False)
    insecure: bool = False
    plaintext: bool = False

    def token_from(self, env: Mapping[str, str]) -> str:
        return self.token or (env.get(self.token_env, "") if self.token_env else "")


@dataclass(frozen=True)
class Config:
    path: str = ""
    context: str = ""
    contexts: tuple[str, ...] = ()
    argocd: tuple[ArgoServer, ...] = ()
    clusters: Mapping[str, str] = field(default_factory=dict)
    poll_seconds: float = 5.0

    @property
    def remote(self) -> bool:
        """The file asks for more than one cluster or server: kftui then reads remote apps too."""
        return bool(self.argocd or self.clusters or self.contexts)

    def argo_named(self, name: str) -> ArgoServer | None:
        return next((a for a in self.argocd if name in (a.name, a.server)), None)


def config_path(env: Mapping[str, str]) -> Path:
    if env.get("KFTUI_CONFIG"):
        return Path(env["KFTUI_CONFIG"]).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path("~/.config").expanduser())
    return Path(base) / "kftui" / "config.yaml"


def load_config(env: Mapping[str, str] | None = None) -> Config:
    """The config file, checked; an empty Config when there is none (an explicit $KFTUI_CONFIG must exist)."""
    env = os.environ if env is None else env
    path = config_path(env)
    if not path.exists():
        if env.get("KFTUI_CONFIG"):
            raise ConfigError(f"config {path}: no such file ($KFTUI_CONFIG)")
        return Config()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config {path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"config {path}: not valid YAML{where}") from None
    if raw is None:
        return Config(path=str(path))
    return parse_config(raw, path)


def _private(path: Path) -> bool:
    return not (path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string, got {type(value).__name__}")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {type(value).__name__}")
    return value


KEYS = {"context", "contexts", "argocd", "clusters", "poll_seconds"}
ARGO_KEYS = {"name", "server", "token_env", "token", "insecure", "plaintext"}


def parse_config(raw: Any, path: Path) -> Config:
    """The file's content checked key by key: unknown keys and wrong types are errors, not silently ignored."""
    where = f"config {path}"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a mapping at the top, got {type(raw).__name__}")
    unknown = sorted(set(map(str, raw)) - KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(KEYS))})")
    contexts = raw.get("contexts") or []
    if not isinstance(contexts, list):
        raise ConfigError(f"{where}: contexts: expected a list of context names")
    servers: list[ArgoServer] = []
    entries = raw.get("argocd") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: argocd: expected a list of servers")
    for n, entry in enumerate(entries):
        at = f"{where}: argocd[{n}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{at}: expected a mapping with name and server")
        extra = sorted(set(map(str, entry)) - ARGO_KEYS)
        if extra:
            raise ConfigError(f"{at}: unknown key {extra[0]!r} (known: {', '.join(sorted(ARGO_KEYS))})")
        if "server" not in entry:
            raise ConfigError(f"{at}: server is missing")
        token = _str(entry.get("token", ""), f"{at}.token")
        if token and not _private(path):
            raise ConfigError(
                f"{at}.token: the file holds a token but others may read it: chmod 600 {path}, or name the "
                "variable that holds it with token_env"
            )
        server = _str(entry["server"], f"{at}.server")
        servers.append(
            ArgoServer(
                name=_str(entry.get("name", server), f"{at}.name"),
                server=server,
                token_env=_str(entry.get("token_env", ""), f"{at}.token_env"),
                token=token,
                insecure=_flag(entry.get("insecure", False), f"{at}.insecure"),
                plaintext=_flag(entry.get("plaintext", False), f"{at}.plaintext"),
            )
        )
    clusters = raw.get("clusters") or {}
    if not isinstance(clusters, dict):
        raise ConfigError(f"{where}: clusters: expected a mapping of server URL to context name")
    poll = raw.get("poll_seconds", 5.0)
    if isinstance(poll, bool) or not isinstance(poll, int | float) or poll <= 0:
        raise ConfigError(f"{where}: poll_seconds: expected a positive number")
    return Config(
        path=str(path),
        context=_str(raw.get("context", ""), f"{where}: context"),
        contexts=tuple(_str(c, f"{where}: contexts") for c in contexts),
        argocd=tuple(servers),
        clusters={
            _str(k, f"{where}: clusters"): _str(v, f"{where}: clusters[{k}]") for k, v in clusters.items()
        },
        poll_seconds=float(poll),
    )

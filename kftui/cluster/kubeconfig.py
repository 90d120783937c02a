"""Which kubeconfig kftui reads, checked before the client library sees it, so every problem is one line.

kubectl's rules: `--kubeconfig PATH`, else every existing file in `$KUBECONFIG` (colon-separated, merged),
else `~/.kube/config`; the in-cluster service account only when none of those is set or exists. The
client library turns a file that is not YAML into a PyYAML traceback, and a YAML file that is not a
kubeconfig into an in-cluster error ("Service host/port is not set"); both read as if kftui had crashed
or looked somewhere else. Here each file is read and shape-checked first, and the error names the file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from kftui.cluster.source import SourceError

DEFAULT_PATH = "~/.kube/config"
IN_CLUSTER_ENV = "KUBERNETES_SERVICE_HOST"


@dataclass(frozen=True)
class KubeconfigChoice:
    """Where the credentials come from: kubeconfig files (merged, in order), or the in-cluster account."""

    files: tuple[Path, ...]

    @property
    def in_cluster(self) -> bool:
        return not self.files

    @property
    def config_file(self) -> str | None:
        """The argument for the client library: the files joined the way $KUBECONFIG joins them."""
        return os.pathsep.join(str(p) for p in self.files) if self.files else None


def choose_kubeconfig(explicit: str | None, env: Mapping[str, str] | None = None) -> KubeconfigChoice:
    """The kubeconfig files to read, each checked to be a readable YAML kubeconfig; SourceError otherwise."""
    env = os.environ if env is None else env
    if explicit:
        path = Path(explicit).expanduser()
        if not path.exists():
            raise SourceError(f"kubeconfig {path}: no such file")
        return KubeconfigChoice((_checked(path),))
    listed = [Path(p).expanduser() for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    if listed:
        present = [p for p in listed if p.exists()]
        if not present:
            raise SourceError(f"kubeconfig: none of the files in $KUBECONFIG exists ({_names(listed)})")
        return KubeconfigChoice(tuple(_checked(p) for p in present))
    default = Path(DEFAULT_PATH).expanduser()
    if default.exists():
        return KubeconfigChoice((_checked(default),))
    if env.get(IN_CLUSTER_ENV):
        return KubeconfigChoice(())
    raise SourceError(
        f"no kubeconfig: {default} does not exist and $KUBECONFIG is not set (and this is not a pod in a "
        "cluster); use --kubeconfig PATH, or --demo / --from-file FILE to look at a snapshot"
    )


def _names(paths: list[Path]) -> str:
    return ", ".join(str(p) for p in paths)


def _checked(path: Path) -> Path:
    """The path, once its content is known to be a kubeconfig: a YAML mapping with contexts or clusters."""
    where = f"kubeconfig {path}"
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise SourceError(f"{where}: is a directory, expected a file") from None
    except OSError as exc:
        raise SourceError(f"{where}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SourceError(f"{where}: not a text file (expected YAML)") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise SourceError(f"{where}: not valid YAML{_position(exc)}: {_problem(exc)}") from None
    except RecursionError:
        raise SourceError(f"{where}: not valid YAML: nested too deeply") from None
    if raw is None:
        raise SourceError(f"{where}: the file is empty")
    if not isinstance(raw, dict):
        raise SourceError(f"{where}: not a kubeconfig (a YAML {type(raw).__name__}, expected a mapping)")
    if raw.get("kind") not in (None, "Config") or not ({"contexts", "clusters"} & raw.keys()):
        kind = f"kind {raw.get('kind')!r}" if raw.get("kind") else "no 'clusters' or 'contexts'"
        raise SourceError(f"{where}: not a kubeconfig ({kind})")
    return path


def _position(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    if mark is not None:
        return f" at line {mark.line + 1}, column {mark.column + 1}"
    position = getattr(exc, "position", None)
    return f" at byte {position}" if isinstance(position, int) else ""


def _problem(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None)
    if problem:
        return str(problem)
    character = getattr(exc, "character", None)
    if isinstance(character, int):
        return f"character U+{character:04X} is not allowed"
    return "cannot parse"


def context_servers(choice: KubeconfigChoice) -> dict[str, str]:
    """Context name -> its cluster's server URL, over every kubeconfig file (the first definition wins, as
    kubectl merges them): how a remote Argo CD cluster finds the context that reaches it directly."""
    contexts: dict[str, str] = {}
    clusters: dict[str, str] = {}
    for path in choice.files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in raw.get("clusters") or []:
            if isinstance(entry, dict) and isinstance(entry.get("cluster"), dict):
                clusters.setdefault(str(entry.get("name")), str(entry["cluster"].get("server") or ""))
        for entry in raw.get("contexts") or []:
            if isinstance(entry, dict) and isinstance(entry.get("context"), dict):
                contexts.setdefault(str(entry.get("name")), str(entry["context"].get("cluster") or ""))
    return {name: clusters.get(cluster, "") for name, cluster in contexts.items() if clusters.get(cluster)}

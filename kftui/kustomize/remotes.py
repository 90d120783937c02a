"""Remote bases mapped to local checkouts (`--remote-map URL=DIR`), so a tree with remote bases is analysed offline.

kustomize fetches a remote base by cloning its repository into a temporary directory, removed after the build:
it keeps no cache of checkouts, so there is no layout of its own to read. The user names the checkouts instead.
A key is a repository URL in any spelling kustomize accepts (`https://github.com/org/repo`, `github.com/org/repo`,
`git@github.com:org/repo.git`, `git::https://...`), optionally with `?ref=X` to map one ref only; a URL of one
file may map to a local file. An entry maps when
the key's path is a prefix of the entry's path (`//` and `/` alike, `.git` ignored) and, if the key names a ref, the
entry's `ref` (or `version`) is that ref; the rest of the entry's path is taken below DIR. The longest key wins.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs

from kftui.kustomize.report import ConflictsError

_SCHEME = re.compile(r"^(git::)?([a-z][a-z0-9+.-]*://)?")
_USER = re.compile(r"^[^/@:]+@")


def _parts(url: str) -> tuple[tuple[str, ...], str | None]:
    """(path segments from the host on, ref or None): the comparable form of a remote spelling."""
    base, _, query = url.partition("?")
    params = parse_qs(query)
    refs = params.get("ref") or params.get("version")
    ref = refs[0] if refs else None
    base = _SCHEME.sub("", base.strip())
    base = _USER.sub("", base)
    host, colon, rest = base.partition(":")
    if colon and "/" not in host and not rest.startswith("/") and not rest[:1].isdigit():
        base = f"{host}/{rest}"  # scp-like git@host:org/repo
    segments = tuple(s.removesuffix(".git") for s in base.split("/") if s and s != ".")
    return segments, ref


@dataclass(frozen=True)
class RemoteMapping:
    key: str
    directory: Path

    @property
    def segments(self) -> tuple[str, ...]:
        return _parts(self.key)[0]

    @property
    def ref(self) -> str | None:
        return _parts(self.key)[1]


def parse_mapping(text: str) -> RemoteMapping:
    """`URL=DIR`, split at the last `=` (a URL's `?ref=` keeps its own). Raises ConflictsError when malformed."""
    key, sep, directory = text.rpartition("=")
    if not sep or not key.strip() or not directory.strip():
        raise ConflictsError(f"--remote-map {text!r}: expected URL=DIR")
    if not _parts(key)[0]:
        raise ConflictsError(f"--remote-map {text!r}: {key!r} names no repository")
    path = Path(directory).expanduser()
    if not path.exists():  # a directory (a checkout), or a file for a URL of one file
        raise ConflictsError(f"--remote-map {text!r}: {directory} does not exist")
    return RemoteMapping(key=key.strip(), directory=Path(os.path.abspath(path)))


@dataclass(frozen=True)
class RemoteMap:
    mappings: tuple[RemoteMapping, ...] = ()

    def _best(self, entry: str) -> tuple[RemoteMapping, tuple[str, ...]] | None:
        segments, ref = _parts(entry)
        best: tuple[RemoteMapping, tuple[str, ...]] | None = None
        for m in self.mappings:
            key = m.segments
            if segments[: len(key)] != key or (m.ref is not None and m.ref != ref):
                continue
            score = (len(key), m.ref is not None)
            if best is None or score > (len(best[0].segments), best[0].ref is not None):
                best = (m, segments[len(key) :])
        return best

    def resolve(self, entry: str) -> Path | None:
        """The local path an entry maps to, or None when no key covers it."""
        found = self._best(entry)
        if found is None:
            return None
        mapping, rest = found
        return Path(os.path.normpath(mapping.directory.joinpath(*rest)))

    def display(self, path: Path) -> str | None:
        """A path inside a mapped checkout, spelled as the remote it stands for (`URL//sub?ref=X`)."""
        for m in sorted(self.mappings, key=lambda m: -len(str(m.directory))):
            try:
                sub = Path(os.path.abspath(path)).relative_to(m.directory).as_posix()
            except ValueError:
                continue
            base, _, query = m.key.partition("?")
            return base.rstrip("/") + ("" if sub == "." else f"//{sub}") + (f"?{query}" if query else "")
        return None


def repository_of(entry: str) -> str:
    """A guess at the repository part of a remote entry, for the note that says how to map it."""
    base = entry.partition("?")[0]
    if "//" in _SCHEME.sub("", base):
        return base[: len(base) - len(_SCHEME.sub("", base))] + _SCHEME.sub("", base).split("//")[0]
    if base.endswith((".yaml", ".yml", ".json")):
        return base  # a URL of one file: map that file
    segments, _ = _parts(entry)
    prefix = base[: len(base) - len(_SCHEME.sub("", base))]
    if len(segments) >= 3 and segments[0] in ("github.com", "gitlab.com"):
        return prefix + "/".join(segments[:3]) if prefix else "/".join(segments[:3])
    return base

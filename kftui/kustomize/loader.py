"""Reading a kustomization tree's files: which file is the kustomization, its documents, and their ids.

Everything here tolerates whatever the tree holds: an unreadable file or a malformed document is an error in
the ledger, a name the OS refuses is a file that does not exist, and only a file past safeyaml's bounds (an
alias bomb, absurd nesting) ends the analysis with ConflictsError.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kftui import safeyaml
from kftui.kustomize.ledger import Item, Ledger
from kftui.kustomize.report import ConflictsError
from kftui.kustomize.resid import ResId, split_api_version

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

# The first six are explicit schemes; the rest only count when no local path of that name exists.
REMOTE_PREFIXES = ("http://", "https://", "git@", "git::", "ssh://", "file://", "github.com/", "gitlab.com/")
EXPLICIT_SCHEMES = REMOTE_PREFIXES[:6]
_REMOTE_HINTS = re.compile(r"(\.git(/|$|\?)|\?ref=|//[^/]|^[\w.-]+\.(com|org|io|net)/)")

_KUSTOMIZATION_API_VERSIONS = {
    "Kustomization": "kustomize.config.k8s.io/v1beta1",
    "Component": "kustomize.config.k8s.io/v1alpha1",
}


def is_remote(entry: str) -> bool:
    """True for entries kustomize would fetch (URLs, git specs, `github.com/org/repo/...`)."""
    return entry.startswith(REMOTE_PREFIXES) or bool(_REMOTE_HINTS.search(entry))


def as_str_map(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def is_file(path: Path) -> bool:
    """Path.is_file that says no, rather than raising, for names the OS refuses (too long, say): the
    names come from the kustomization being analysed, which may be anything."""
    try:
        return path.is_file()
    except OSError:
        return False


def is_dir(path: Path) -> bool:
    """Path.is_dir, with the same tolerance as is_file."""
    try:
        return path.is_dir()
    except OSError:
        return False


def find_kustomization(run: Ledger, kdir: Path, chain: tuple[str, ...]) -> Path | None:
    found = [kdir / n for n in KUSTOMIZATION_FILE_NAMES if is_file(kdir / n)]
    if len(found) > 1:
        run.error(f"found multiple kustomization files under {run.rel(kdir)}", kdir, chain)
        return None
    if not found:
        names = ", ".join(f"'{n}'" for n in KUSTOMIZATION_FILE_NAMES)
        run.error(f"unable to find one of {names} in directory '{run.rel(kdir)}'", kdir, chain)
        return None
    return found[0]


def load_docs(run: Ledger, path: Path, kdir: Path, chain: tuple[str, ...]) -> list[Any] | None:
    """The documents of a file; None (and an error in the report) when it cannot be read or parsed.
    A file past safeyaml's bounds (an alias bomb, absurd nesting) ends the analysis: ConflictsError."""
    try:
        text = path.read_text(encoding="utf-8")
        return [d for d in safeyaml.load_all(text) if d is not None]
    except safeyaml.YamlLimitError as exc:
        raise ConflictsError(f"{path}: {exc}") from None
    except (OSError, UnicodeDecodeError, safeyaml.YamlError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        run.error(f"cannot read {run.rel(path)}: {first_line}", kdir, chain)
        return None


def invalid_kustomization(k: dict[str, Any], kind: str) -> str | None:
    """What kustomize's Load refuses before building anything (types.Kustomization CheckEmpty, EnforceFields)."""
    if kind not in _KUSTOMIZATION_API_VERSIONS:
        return "kind should be Kustomization or Component"
    api_version = k.get("apiVersion")
    if api_version and api_version != _KUSTOMIZATION_API_VERSIONS[kind]:
        return f"apiVersion for {kind} should be {_KUSTOMIZATION_API_VERSIONS[kind]}"
    if all(v is None for key, v in k.items() if key not in ("apiVersion", "kind")):
        return "kustomization.yaml is empty"
    return None


def doc_id(doc: dict[Any, Any]) -> tuple[ResId, dict[Any, Any]]:
    """A manifest's id and its metadata mapping."""
    group, version = split_api_version(str(doc.get("apiVersion") or ""))
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        meta = {}
    rid = ResId(
        group,
        version,
        str(doc.get("kind") or ""),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )
    return rid, meta


def items_from_docs(
    run: Ledger, docs: list[Any], chain: tuple[str, ...], source: str, kdir: Path
) -> Iterator[Item]:
    """One Item per manifest in `docs` (a `*List` is unpacked); documents without kind or name are errors."""
    for doc in docs:
        if not isinstance(doc, dict):
            run.error(f"{source}: a document is not a mapping", kdir, chain)
            continue
        kind = str(doc.get("kind") or "")
        if kind.endswith("List") and isinstance(doc.get("items"), list):
            yield from items_from_docs(run, doc["items"], chain, source, kdir)
            continue
        rid, meta = doc_id(doc)
        if not rid.kind or not rid.name:
            run.error(
                f"missing {'kind' if not rid.kind else 'metadata.name'} in an object in {source}",
                kdir,
                chain,
            )
            continue
        yield Item(
            uid=next(run.uids),
            id=rid,
            chain=chain,
            file=source,
            labels=as_str_map(meta.get("labels")),
            annotations=as_str_map(meta.get("annotations")),
            body=doc,
        )

"""Offline snapshots: read and write YAML as `kubectl get ... -o yaml` prints it.

A dump is a `kind: List` with `items`, or several `---` documents each holding an object or a List. The
embedded demo is such a file. Nothing is written unredacted: cluster/redact.py runs before anything reaches disk.
"""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from kftui import safeyaml
from kftui.cluster import convert, dumpjson, remotedump
from kftui.cluster.fields import parse_time
from kftui.cluster.redact import redact_counted, summary
from kftui.model import Application, AppProject, ArgoCluster, ClusterSnapshot, KubeObject, Namespace, Pod

CAPTURED_AT_ANNOTATION = "kftui.dev/captured-at"
CLUSTERS_ANNOTATION = "kftui.dev/clusters"
"""On the List: the clusters registered in Argo CD at capture time (name and server, as JSON pairs), which
the remote objects' origins name (cluster/remotedump.py)."""

# The most objects a dump may hold: the large benchmark's cluster (1,500 Applications, 100,000 pods, 10,000
# events: some 113,000 objects) fits with room, and a file that was never a dump (a million one-line
# documents) stops here, not at its end.
MAX_OBJECTS = 250_000

_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):
    """Never anchors and aliases: an object written twice is written twice, so kftui's own loader (which
    bounds what aliases may expand to) always reads back what kftui wrote."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


class DumpError(Exception):
    """A dump that cannot be read; the message is one line for the user."""


def _documents(stream: safeyaml.Stream, origin: str) -> Iterator[Any]:
    """The non-empty documents, one at a time, through the bounded loader; a List's items come out one at a
    time (safeyaml.ListItem) before the List itself, so a dump is never held whole."""
    try:
        for doc in safeyaml.load_all(stream, split_items=True):
            if doc is not None:
                yield doc
    except safeyaml.YamlError as exc:
        raise DumpError(f"{origin}: {exc}") from None


def _any_documents(stream: safeyaml.Stream, origin: str, typed_pods: bool = False) -> Iterator[Any]:
    """The documents of a dump written as JSON (read as JSON: sixty times faster) or as YAML; with
    `typed_pods`, pods of a JSON List may come as kftui's Pod already (cluster/dumpjson.py)."""
    data, stream = dumpjson.sniff(stream)
    if data is None:
        yield from _documents(stream, origin)
        return
    try:
        yield from dumpjson.documents(data, typed_pods)
    except dumpjson.NotJson as exc:  # raised before any document: perhaps a YAML flow mapping
        try:
            yield from _documents(stream, origin)
        except DumpError:
            raise DumpError(f"{origin}: invalid JSON: {exc}") from None
    except dumpjson.JsonError as exc:
        raise DumpError(f"{origin}: {exc}") from None


def _is_list(doc: dict[str, Any]) -> bool:
    kind = str(doc["kind"])
    return kind == "List" or (kind.endswith("List") and "items" in doc)


def iter_raw_objects(documents: Iterable[Any], origin: str) -> Iterator[dict[str, Any]]:
    """Every Kubernetes object in the documents, Lists flattened; anything else is an error.

    A List's items may come ahead of it as safeyaml.ListItem (the streaming loaders hand them out while the
    List is still being read; kubectl prints `items` before `kind`): they are checked as items and the List
    that follows must then be one."""
    index, handed_out = 1, False
    for doc in documents:
        if isinstance(doc, safeyaml.ListItem):
            handed_out = True
            yield _list_item(doc.value, index, origin)
            continue
        if not isinstance(doc, dict) or "kind" not in doc:
            raise DumpError(
                f"{origin}: document {index} is not a Kubernetes object (expected a mapping with 'kind', "
                f"as `kubectl get -o yaml` prints)"
            )
        if _is_list(doc):
            items = doc.get("items")
            if not isinstance(items, list):
                raise DumpError(f"{origin}: document {index} is a List without an 'items' list")
            for item in items:
                yield _list_item(item, index, origin)
        elif handed_out:
            raise DumpError(f"{origin}: document {index} has 'items' but is a {doc['kind']}, not a List")
        else:
            yield doc
        index, handed_out = index + 1, False


def iter_dump_objects(stream: safeyaml.Stream, origin: str) -> Iterator[dict[str, Any]]:
    """Every object of a dump, as captured (a List streamed an item at a time, JSON read as JSON)."""
    return iter_raw_objects(_any_documents(stream, origin), origin)


def _list_item(item: Any, index: int, origin: str) -> Any:
    if isinstance(item, Pod):  # decoded typed from a JSON List (only when the caller asked for that)
        return item
    if not isinstance(item, dict) or "kind" not in item:
        raise DumpError(f"{origin}: document {index} has a List item that is not a Kubernetes object")
    return item


def _stamp(doc: Any) -> datetime | None:
    """Our own capture-time annotation on a document, if it carries one."""
    annotations = remotedump.annotations_of(doc) if isinstance(doc, dict) else {}
    if CAPTURED_AT_ANNOTATION in annotations:
        return parse_time(annotations[CAPTURED_AT_ANNOTATION])
    return None


def _clusters(doc: Any) -> tuple[ArgoCluster, ...]:
    """The registered clusters our own annotation on a document lists (none when it has none)."""
    text = remotedump.annotations_of(doc).get(CLUSTERS_ANNOTATION) if isinstance(doc, dict) else None
    try:
        pairs = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return ()
    if not isinstance(pairs, list):
        return ()
    return tuple(
        ArgoCluster(p[0], p[1])
        for p in pairs
        if isinstance(p, list) and len(p) == 2 and all(isinstance(v, str) for v in p)
    )


def _newest(objects: list[KubeObject]) -> datetime | None:
    """The newest timestamp the objects carry: when the dump was taken, as near as they tell."""
    attrs = ("last_seen", "reconciled_at", "started_at", "created_at")
    times = (getattr(obj, attr, None) for obj in objects for attr in attrs)
    return max((t for t in times if isinstance(t, datetime)), default=None)


# How often a long load says how far it got (objects read): about twice a second on a big dump.
PROGRESS_EVERY = 5_000

Progress = Callable[[int], None]


def snapshot_from_text(text: str, origin: str, source: str | None = None) -> ClusterSnapshot:
    return snapshot_from_stream(text, origin, source)


def snapshot_from_stream(
    stream: safeyaml.Stream, origin: str, source: str | None = None, progress: Progress | None = None
) -> ClusterSnapshot:
    """A snapshot from a dump read one document (or List item) at a time; past MAX_OBJECTS objects it
    stops. `progress` hears the count of objects read every PROGRESS_EVERY objects."""
    objects: list[KubeObject] = []
    argocd_cm: Mapping[str, str] = {}
    stamps: list[datetime | None] = []  # one per document: its capture-time annotation, if it has one
    clusters: list[ArgoCluster] = []
    kinds_seen = 0

    def counted(docs: Iterator[Any]) -> Iterator[Any]:
        for doc in docs:
            if not isinstance(doc, safeyaml.ListItem):
                stamps.append(_stamp(doc))
                clusters.extend(c for c in _clusters(doc) if c not in clusters)
            yield doc

    for raw in iter_raw_objects(counted(_any_documents(stream, origin, typed_pods=True)), origin):
        kinds_seen += 1
        if progress is not None and kinds_seen % PROGRESS_EVERY == 0:
            progress(kinds_seen)
        if kinds_seen > MAX_OBJECTS:
            raise DumpError(f"{origin}: more than {MAX_OBJECTS:,} objects; kftui reads at most that many")
        if isinstance(raw, Pod):
            # (A remote app's pod carries its origin as an annotation, the hub's do not.)
            read_from = remotedump.origin_in(raw.annotations)
            objects.append(raw if read_from is None else remotedump.restored(raw, read_from, raw.annotations))
            continue
        if raw.get("kind") == "ConfigMap" and isinstance(raw.get("metadata"), dict):
            if raw["metadata"].get("name") == "argocd-cm":
                argocd_cm = convert.argocd_config(raw)
            continue
        obj = convert.to_model(raw)
        if obj is not None:
            annotations = remotedump.annotations_of(raw)
            read_from = remotedump.origin_in(annotations)
            objects.append(obj if read_from is None else remotedump.restored(obj, read_from, annotations))
    if not stamps:
        raise DumpError(f"{origin}: no Kubernetes objects found (the file is empty)")
    if kinds_seen == 0:
        raise DumpError(f"{origin}: the List holds no objects")
    argocd_namespace = next(
        (o.namespace for o in objects if isinstance(o, Application) and o.namespace), "argocd"
    )
    stamp = next((s for s in stamps if s is not None), None)
    now = stamp or _newest(objects) or datetime.now(UTC)
    return ClusterSnapshot.from_objects(
        objects,
        now=now,
        forbidden=not_in_dump(objects),
        argocd_config=argocd_cm,
        source=source or origin,
        context=f"file:{Path(origin).name}",
        server="(offline)",
        argocd_namespace=argocd_namespace,
        clusters=tuple(clusters),
    )


# Kinds every Argo CD install has (Argo CD keeps a `default` AppProject; the Applications live in a
# namespace): a dump that holds Applications but none of one of these was made without it, so the checks
# that read it have not seen it, and the verdict must say so rather than call the install clean.
ALWAYS_PRESENT = (("AppProject", AppProject), ("Namespace", Namespace))


def not_in_dump(objects: Iterable[KubeObject]) -> dict[str, str]:
    """The kinds a dump with Applications must hold but does not, each with why it counts as not seen."""
    kinds = {type(o) for o in objects}
    if Application not in kinds:
        return {}
    return {name: "not in the dump" for name, kind in ALWAYS_PRESENT if kind not in kinds}


def load_snapshot(path: str | os.PathLike[str], progress: Progress | None = None) -> ClusterSnapshot:
    """Read a dump file, streamed in chunks; every failure is a DumpError with a one-line reason."""
    p = Path(path)
    try:
        with p.open("rb") as stream:
            return snapshot_from_stream(stream, str(p), progress=progress)
    except FileNotFoundError:
        raise DumpError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise DumpError(f"{p}: is a directory, expected a YAML file") from None
    except OSError as exc:
        raise DumpError(f"{p}: cannot read: {exc.strerror}") from None


DEMO_RESOURCE = "demo.yaml"


def demo_text() -> str:
    return resources.files("kftui.data").joinpath(DEMO_RESOURCE).read_text(encoding="utf-8")


def load_demo() -> ClusterSnapshot:
    """The embedded demo: a broken multi-app Kubeflow install, frozen at its capture time."""
    snap = snapshot_from_text(demo_text(), DEMO_RESOURCE, source="demo")
    return replace(snap, context="demo", server="(embedded demo)")


# --- writing --------------------------------------------------------------------------------------


FORMATS = ("yaml", "json")


def redacted_dump(
    objects: Iterable[dict[str, Any]],
    captured_at: datetime,
    output: str = "yaml",
    clusters: Iterable[ArgoCluster] = (),
) -> tuple[str, Counter[str]]:
    """A `kind: List` document holding the objects redacted (cluster/redact.py), stamped with the capture
    time (and the registered `clusters`, when there are any), as YAML or JSON (`output`, one of FORMATS), and
    how many objects each redaction rule changed."""
    counts: Counter[str] = Counter()
    annotations = {CAPTURED_AT_ANNOTATION: captured_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    registered = [[c.name, c.server] for c in clusters]
    if registered:
        annotations[CLUSTERS_ANNOTATION] = json.dumps(registered)
    document = {
        "apiVersion": "v1",
        "kind": "List",
        "metadata": {"annotations": annotations},
        "items": [redact_counted(o, counts) for o in objects],
    }
    if output == "json":  # as `kubectl get -o json` prints it; read back as JSON (cluster/dumpjson.py)
        return json.dumps(document, indent=4) + "\n", counts  # ASCII: a lone surrogate stays an escape
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False), counts


def dump_text(objects: Iterable[dict[str, Any]], captured_at: datetime) -> str:
    return redacted_dump(objects, captured_at)[0]


def write_dump(
    path: str | os.PathLike[str],
    objects: Iterable[dict[str, Any]],
    captured_at: datetime,
    output: str = "yaml",
    clusters: Iterable[ArgoCluster] = (),
) -> str:
    """Write the redacted dump readable by its owner only (0600), atomically, and say what was redacted.

    The text goes to a temp file created exclusively in the target's directory (never an existing file,
    never through a symlink), is synced, and is renamed over the target. A target that is a symlink is
    refused (and one that appears meanwhile is replaced by the rename, not followed); a failure half-way
    leaves the previous dump and no temp file behind.
    """
    target = Path(path)
    if target.is_symlink():
        raise DumpError(f"{target}: is a symbolic link; kftui does not write dumps through one")
    text, counts = redacted_dump(objects, captured_at, output, clusters)
    data = text.encode("utf-8")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    # O_EXCL with O_CREAT fails on any existing path, a symlink included (POSIX open), and Python opens every
    # descriptor close-on-exec (PEP 446): O_NOFOLLOW and O_CLOEXEC would add nothing.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise DumpError(f"{target}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            os.fchmod(out.fileno(), 0o600)  # whatever the umask left
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DumpError(f"{target}: cannot write: {exc.strerror}") from None
    return summary(counts)

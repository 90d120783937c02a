"""Where Argo CD writes what went wrong, gathered in one place for the checks that match messages.

Argo CD spreads the same failure over several fields depending on when it happened: rendering and
comparison errors land in status.conditions[], a failed sync in status.operationState.message and in
each resource's syncResult message. Checks that recognise a message scan all of them through
`app_messages`, so none of them misses the field a given Argo CD version chose.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from typing import NamedTuple

from kftui.kinds import collection_of
from kftui.model import DIRECT, Application, ClusterSnapshot, ObjectRef, ResourceResult

MAX_LISTED = 8


class Message(NamedTuple):
    """One message an Application carries, with the field it came from and the resource it is about.

    (A NamedTuple, not a frozen dataclass: six checks read every app's messages, 9,000 of them a pass at 1,500
    apps, and a frozen dataclass costs three times as much to build.)"""

    app: Application
    source: str
    text: str
    resource: ObjectRef | None = None
    result: ResourceResult | None = None

    @property
    def quoted(self) -> str:
        """The evidence line: field, then the message exactly as Argo CD wrote it."""
        about = f" ({self.resource})" if self.resource is not None else ""
        return f"{self.source}{about}: {self.text}"


_BY_NAME = operator.attrgetter("name", "namespace")


def applications(snapshot: ClusterSnapshot) -> list[Application]:
    """Applications in a stable order, so findings come out the same way every run."""
    return sorted(snapshot.applications.values(), key=_BY_NAME)


def app_messages(app: Application) -> Iterator[Message]:
    for cond in app.conditions:
        if cond.message:
            yield Message(app, f"status.conditions[{cond.type}]", cond.message)
    state = app.operation_state
    if state is None:
        return
    # Per-resource results first: they name the resource, which the summary message often does not.
    for result in state.results:
        if result.message:
            yield Message(
                app, "status.operationState.syncResult.resources[]", result.message, result.ref, result
            )
    if state.message:
        yield Message(app, "status.operationState.message", state.message)


def all_messages(snapshot: ClusterSnapshot) -> Iterator[Message]:
    for app in applications(snapshot):
        yield from app_messages(app)


def listing(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_LISTED])
    return shown + (f" and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else "")


def res_name(kind: str, namespace: str | None, name: str) -> str:
    return f"{kind}/{namespace}/{name}" if namespace else f"{kind}/{name}"


def apps_by_name(snapshot: ClusterSnapshot) -> dict[str, Application]:
    """Every Application by name; Argo CD's own namespace wins when apps-in-any-namespace repeats a name,
    else the first in the snapshot's order. Built once by a check that looks many apps up: at 1,500 apps a
    scan per lookup was most of a live analysis (525 lookups a pass in the large bench)."""
    found: dict[str, Application] = {}
    for app in snapshot.applications.values():
        held = found.get(app.name)
        if held is None or (app.namespace == snapshot.argocd_namespace != held.namespace):
            found[app.name] = app
    return found


def find_app(snapshot: ClusterSnapshot, name: str) -> Application | None:
    """An Application by name, as apps_by_name chooses it (for a single lookup)."""
    return apps_by_name(snapshot).get(name)


_WS = re.compile(r"\s+")


def squash(text: str) -> str:
    """Whitespace collapsed, so a message wrapped by a YAML dump still matches a pattern."""
    # Most messages are one line already. A printable str holds no whitespace but the ASCII space (every
    # other whitespace character is a control or separator), so it needs no substitution when no two
    # spaces meet and none is at an end: the regex was 9,000 calls and a tenth of the 1,500-app check pass.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _WS.sub(" ", text).strip()


def not_listed(snapshot: ClusterSnapshot, *kinds: str) -> bool:
    """True when any of these kinds could not be listed, so their absence from the snapshot proves nothing.

    The snapshot's `forbidden` names what could not be listed by kind (live source) or by collection (older
    dumps); either way, a check must not read "absent" from a list it never saw.
    """
    return any(k in snapshot.forbidden or collection_of(k) in snapshot.forbidden for k in kinds)


def read_all(snapshot: ClusterSnapshot, kind: str, cluster: str) -> bool:
    """Whether kftui read every Service (or Endpoints) of `cluster`, so a missing one is missing: the hub's when
    it could list them, another cluster's when read through a kube context of its own. Through Argo CD, kftui
    reads only what an app's tree holds: another app's Service, or one nobody manages, is not missing."""
    read = snapshot.services if kind == "Service" else snapshot.endpoints
    origins = [o.origin for o in read.values() if o.cluster == cluster]
    if not cluster:
        return bool(origins) and not not_listed(snapshot, kind)
    return any(origin is not None and origin.path == DIRECT for origin in origins)


def managing_app(
    snapshot: ClusterSnapshot, kind: str, namespace: str | None, name: str, cluster: str | None = None
) -> Application | None:
    """The first Application (by name) whose status.resources lists this object; with `cluster`, among the
    apps that deploy to that cluster only ("" the hub)."""
    for app in applications(snapshot):
        if cluster is not None and snapshot.cluster_of(app) != cluster:
            continue
        if any(
            r.kind == kind and (r.namespace or None) == namespace and r.name == name for r in app.resources
        ):
            return app
    return None

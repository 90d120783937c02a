"""LIST: a collection page by page, each page decoded as it arrives while the next is already asked for.

Also what a collection is (a kind's LIST/WATCH endpoint), its restriction to one namespace for kinds refused
cluster-wide, and the note a refused or unserved LIST leaves on the snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

from kftui.cluster import convert, podlist
from kftui.cluster.http import KubeApiError, KubeHttp, Query
from kftui.cluster.pages import Page, list_continue_in_head, raw_page
from kftui.kinds import KINDS, LISTED, Kind
from kftui.model import KubeObject

PAGE_SIZE = 500
PAGE_HEAD_BYTES = 1024  # holds a LIST's metadata: kind, apiVersion, resourceVersion, continue

T = TypeVar("T")
P = TypeVar("P")
PageDecoder = Callable[[bytes], Page[T]]


@dataclass(frozen=True)
class Collection:
    """One LIST/WATCH endpoint and the snapshot collection its objects go into."""

    name: str
    kind: str
    path: str

    @property
    def label(self) -> str:
        return f"{self.kind} ({self.path})"

    @classmethod
    def of(cls, kind: Kind, namespace: str | None = None) -> Collection:
        return cls(kind.collection, kind.name, kind.path(namespace))


def collections(argocd_namespace: str) -> tuple[Collection, ...]:
    """What kftui lists and watches: every listed kind cluster-wide, Argo CD's own kinds (Applications,
    AppProjects) in Argo CD's namespace only."""
    return tuple(Collection.of(k, argocd_namespace if k.in_argocd_namespace else None) for k in LISTED)


def in_namespace(coll: Collection, namespace: str) -> Collection | None:
    """The same collection restricted to one namespace (/api/v1/pods -> /api/v1/namespaces/NS/pods); None
    when it cannot be: a cluster-scoped kind, or a collection that is one namespace's already."""
    kind = KINDS.get(coll.kind)
    if kind is None or not kind.namespaced or coll.path != kind.path():
        return None
    return Collection(coll.name, coll.kind, kind.path(namespace))


def list_refusal(coll: Collection, exc: KubeApiError) -> str:
    """The note a refused (403) or unserved (404) LIST leaves on the snapshot."""
    if exc.status == 403:
        return f"forbidden: cannot list {coll.kind} ({exc.message})"
    if exc.status == 404:
        return f"not served by this API server: {coll.kind} ({coll.path})"
    return f"cannot list {coll.kind}: {exc}"


def model_page(data: bytes, kind: str) -> Page[KubeObject]:
    """A page converted to kftui's model. Pods, by far the most numerous, are decoded straight into Pod
    (podlist) unless the page does not fit its schema."""
    if kind == "Pod":
        typed = podlist.decode_page(data)
        if typed is not None:
            pods, version, token = typed
            return list[KubeObject](pods), version, token
    items, version, token = raw_page(data, convert.is_lean(kind))
    return [o for o in (convert.to_model(r, kind) for r in items) if o is not None], version, token


def list_raw(http: KubeHttp, coll: Collection) -> tuple[list[dict[str, Any]], str]:
    """Every object of the collection as the API server sent it (less managedFields), and the
    resourceVersion to watch from."""
    lean = convert.is_lean(coll.kind)
    return _joined(_pages(http, coll, lambda data: raw_page(data, lean)))


def list_collection(http: KubeHttp, coll: Collection) -> tuple[list[KubeObject], str]:
    """Every object of the collection converted, and the resourceVersion to watch from. Each page is
    converted as it arrives so its raw JSON can be freed at once: holding 20,000 raw pod dicts until
    the last page would triple the peak memory."""
    return _joined(_pages(http, coll, lambda data: model_page(data, coll.kind)))


def list_in_parallel(
    list_one: Callable[[Collection], tuple[list[KubeObject], str]], colls: Iterable[Collection]
) -> dict[Collection, tuple[list[KubeObject], str] | BaseException]:
    """LIST each collection (six at a time): its objects and resourceVersion, or what it raised."""
    results: dict[Collection, tuple[list[KubeObject], str] | BaseException] = {}

    def one(coll: Collection) -> None:
        try:
            results[coll] = list_one(coll)
        except BaseException as exc:
            results[coll] = exc

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(one, colls))
    return results


def pipelined_pages(fetch: Callable[[str, Future[str]], P], name: str = "list") -> Iterator[P]:
    """The pages of one LIST, each got by `fetch(continue_token, next_token)` on a worker thread.

    `fetch` hands its page's continue token ("" on the last page) to `next_token` as soon as it has it, at
    the head of the body, or its error: page n+1 is then asked for while page n is still being read and
    decoded, so the API server prepares one while we decode the other (a client that waits for the whole
    page before asking, as the bench's floor does, leaves one side idle at a time). At most two pages are
    in flight, so memory stays bounded when decoding is slower than the network.
    """
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix=name) as fetcher:

        def ask(token: str) -> tuple[Future[str], Future[P]]:
            next_token: Future[str] = Future()
            return next_token, fetcher.submit(fetch, token, next_token)

        next_token, pending = ask("")
        while True:
            token = next_token.result()
            if token:
                next_token, following = ask(token)
            page = pending.result()
            del pending
            yield page
            if not token:
                return
            pending = following


def list_page(
    http: KubeHttp, path: str, query: Query, decode: PageDecoder[T], next_token: Future[str]
) -> Page[T]:
    """GET and decode one LIST page, handing its continue token to `next_token` as early as it is known
    (or the error, so that nobody waits for a token that will never come)."""
    try:
        raw = http.get_body(path, query, compressed=True)
        head = raw.read(PAGE_HEAD_BYTES)
        early = list_continue_in_head(head)
        if early is not None:
            next_token.set_result(early)
        page = decode(head + raw.read())
    except BaseException as exc:
        if not next_token.done():
            next_token.set_exception(exc)
        raise
    if not next_token.done():
        next_token.set_result(page[2])
    return page


def _pages(http: KubeHttp, coll: Collection, decode: PageDecoder[T]) -> Iterator[tuple[list[T], str]]:
    """The collection page by page, each decoded, with the resourceVersion of the list so far."""

    def fetch(token: str, next_token: Future[str]) -> Page[T]:
        query: dict[str, str | int] = {"limit": PAGE_SIZE}
        if token:
            query["continue"] = token
        return list_page(http, coll.path, query, decode, next_token)

    for items, version, _ in pipelined_pages(fetch, f"list-{coll.kind}"):
        yield items, version


def _joined(pages: Iterable[tuple[list[T], str]]) -> tuple[list[T], str]:
    """All pages' items, and the resourceVersion of the last."""
    items: list[T] = []
    version = ""
    for page, page_version in pages:
        items.extend(page)
        version = page_version
    return items, version

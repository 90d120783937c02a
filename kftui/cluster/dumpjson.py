"""Dumps written as JSON (`kubectl get -o json`, `kftui dump -o json`) read as JSON, not as YAML.

JSON is YAML, so the YAML loader reads these files too, but some sixty times slower than a JSON parser. A
file whose first character opens an object or array is decoded with msgspec instead: the top level first
with every value left raw, then a List's items one at a time, so the file's bytes and one item are all
that is held besides the objects made from them. What the YAML loader bounds is bounded here as well: the
depth of any item (MAX_DEPTH, as in kftui/safeyaml.py; msgspec itself stops near 1,000 levels) and, in the
caller, the number of objects. A file that starts like JSON but is not (a YAML flow mapping) goes to the
YAML loader after all; when that fails too, the JSON parser's message is the one shown.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import msgspec

from kftui import safeyaml
from kftui.cluster.podlist import decode_pod

_SNIFF_BYTES = 4096
_WHITESPACE = b" \t\r\n\xef\xbb\xbf"  # and a UTF-8 byte order mark


class JsonError(Exception):
    """A JSON dump kftui will not read; the message is one line, without the file name."""


class NotJson(JsonError):
    """Not JSON at all, though it starts like it: the caller may try it as YAML."""


class _Rejoined:
    """A binary stream whose first bytes were already read: the YAML reader gets them back first."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head, self._rest = head, rest

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._rest.read(size)
        if size < 0:
            head, self._head = self._head, b""
            return head + self._rest.read()
        head, self._head = self._head[:size], self._head[size:]
        return head


def sniff(stream: safeyaml.Stream) -> tuple[bytes | None, safeyaml.Stream]:
    """(the whole dump as bytes, None) when it looks like JSON, else (None, a stream for the YAML loader
    that still starts at the beginning)."""
    if isinstance(stream, str):
        if stream.lstrip(" \t\r\n\ufeff").startswith(("{", "[")):
            return stream.encode("utf-8", "surrogatepass"), stream
        return None, stream
    if isinstance(stream, bytes):
        return (stream if stream.lstrip(_WHITESPACE)[:1] in (b"{", b"[") else None), stream
    head = stream.read(_SNIFF_BYTES)
    if isinstance(head, str):  # a text stream: small by nature (tests, stdin); read it as text
        return sniff(head + stream.read())  # type: ignore[operator]
    if head.lstrip(_WHITESPACE)[:1] in (b"{", b"["):
        data = head + stream.read()  # type: ignore[operator]
        return data, data
    return None, _Rejoined(head, stream)  # type: ignore[arg-type,return-value]


def documents(data: bytes, typed_pods: bool = False) -> Iterator[Any]:
    """The dump's documents in the YAML loader's shape: a List's items first, one safeyaml.ListItem each,
    then the List without them. NotJson when `data` is not JSON; JsonError past a bound.

    With `typed_pods`, a List item that is a pod comes as kftui's Pod, decoded straight from its bytes
    (cluster/podlist.py: five times faster than a dict and its conversion); a pod the typed decoder will
    not take comes as a dict like any other object."""
    try:
        top = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except msgspec.ValidationError:  # valid JSON, but not an object at the top (an array, say)
        yield _decoded(data)
        return
    except msgspec.DecodeError as exc:
        raise NotJson(_first_line(exc)) from None
    except RecursionError:
        raise JsonError(f"refused: nested deeper than {safeyaml.MAX_DEPTH} levels") from None
    del data  # the raw values keep only what they point into
    items = top.pop("items", None)
    rest = {key: _decoded(raw) for key, raw in top.items()}
    if items is None or not _listish(rest.get("kind")):
        if items is not None:
            rest["items"] = _decoded(items)
        yield rest
        return
    try:
        raws = msgspec.json.decode(items, type=list[msgspec.Raw])
    except msgspec.ValidationError:  # `items` is not an array: the caller says what is wrong with the List
        rest["items"] = _decoded(items)
        yield rest
        return
    del items
    for n in range(len(raws)):
        raw, raws[n] = raws[n], _DONE  # let each item's bytes go once it is an object
        pod = decode_pod(raw) if typed_pods else None
        yield safeyaml.ListItem(pod if pod is not None else _decoded(raw))
    rest["items"] = []
    yield rest


_DONE = msgspec.Raw(b"null")


def _listish(kind: Any) -> bool:
    return isinstance(kind, str) and kind.endswith("List")


def _decoded(raw: bytes | msgspec.Raw) -> Any:
    """One JSON value, refused past MAX_DEPTH levels like the YAML loader's."""
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:  # only at the top, before anything was handed out
        raise NotJson(_first_line(exc)) from None
    except RecursionError:
        value = None
        deep = True
    else:
        brackets = bytes(raw)
        # Only a value with more brackets than the bound can be nested past it: others skip the walk.
        deep = (
            brackets.count(b"[") + brackets.count(b"{") > safeyaml.MAX_DEPTH
            and _depth(value) > safeyaml.MAX_DEPTH
        )
    if deep:
        raise JsonError(f"refused: nested deeper than {safeyaml.MAX_DEPTH} levels")
    return value


def _depth(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in node)
    return deepest


def _first_line(exc: Exception) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__

"""LIST pages at the byte level: the continue token read from a page's head, and managedFields cut out before parsing.

Both rely on compact JSON as the API server writes it; both fall back to doing nothing when the bytes do not
look as assumed, so a server with another layout costs only the time they would have saved.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

T = TypeVar("T")
# A decoded LIST page: its items, the list's resourceVersion and its continue token ("" on the last page).
Page = tuple[list[T], str, str]

_ITEMS_KEY = b',"items":'


def list_continue_in_head(head: bytes) -> str | None:
    """The continue token of a LIST page, read from the first bytes of its body; None when they cannot tell.

    The API server writes a list's metadata (resourceVersion, continue) before its items, so the next page
    can be asked for while the rest of this one is still arriving and being parsed. "" means the head shows
    the metadata and it has no token: this is the last page. `,"` cannot occur inside a compact JSON string,
    so the first `,"items":` is a key; if it is not the top-level one, the prefix does not parse.
    """
    end = head.find(_ITEMS_KEY)
    if end < 0:
        return None
    try:
        prefix = json.loads(head[:end] + b"}")
    except ValueError:
        return None
    meta = prefix.get("metadata") if isinstance(prefix, dict) else None
    if not isinstance(meta, dict):
        return None
    token = meta.get("continue")
    return token if isinstance(token, str) else ""


_MANAGED_FIELDS = b',"managedFields":['
_METADATA_END = b']},"spec":'
# Every stored object has a name, and managedFields cannot hold a "name" key (its entries hold manager,
# operation, apiVersion, time, fieldsType, fieldsV1 and subresource; fieldsV1's own keys all carry an
# f:/k:/v:/i: prefix). A name inside a stretch about to be cut means the stretch runs past managedFields
# (keys in another order, or an item without spec before the next item): the layout is not the one assumed.
_NAME_KEY = b'"name":"'


def drop_managed_fields(payload: bytes) -> bytes:
    """A LIST page of a `lean` kind (cluster/convert.py READERS) without its items' metadata.managedFields,
    cut out of the bytes before they are parsed.

    managedFields is about half of a pod's JSON and the deepest part of it (the bench's figures are in
    README.md, Performance); nothing in kftui reads it. The cut relies
    on two facts of compact JSON as the API server writes it: `,"` cannot occur inside a string (a quote
    there is escaped), so both markers are structural; and a built-in kind's metadata ends with
    managedFields. A stretch that does not look like managedFields is left alone, and so is the rest of the
    page, so a server that writes another layout costs only the time saved.
    """
    pieces: list[bytes] = []
    kept_from = 0
    while (start := payload.find(_MANAGED_FIELDS, kept_from)) >= 0:
        end = payload.find(_METADATA_END, start)
        if end < 0 or payload.find(_NAME_KEY, start, end) >= 0:
            break
        pieces.append(payload[kept_from:start])
        kept_from = end + 1  # keep `},"spec":`: the metadata object's end
    if not pieces:
        return payload
    pieces.append(payload[kept_from:])
    return b"".join(pieces)


def raw_page(data: bytes, lean: bool) -> Page[dict[str, Any]]:
    """A page as dicts; a `lean` kind's page is parsed without managedFields."""
    page = json.loads(drop_managed_fields(data) if lean else data)
    page = page if isinstance(page, dict) else {}
    meta = page.get("metadata")
    meta = meta if isinstance(meta, dict) else {}
    items = [i for i in page.get("items") or () if isinstance(i, dict)]
    return items, str(meta.get("resourceVersion", "")), str(meta.get("continue") or "")

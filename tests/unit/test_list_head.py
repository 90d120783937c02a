"""pages.list_continue_in_head: the next page's token read early, and never a wrong one."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from kftui.cluster.pages import list_continue_in_head

# Tokens are base64 as the API server writes them; the tricky ones test that no token is read from elsewhere.
TOKEN = st.one_of(
    st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-", max_size=200),
    st.sampled_from(['a,"items":[', 'x"}', "\\", ""]),
)
ITEM = st.fixed_dictionaries(
    {"metadata": st.fixed_dictionaries({"name": st.text(max_size=8), "continue": TOKEN})}
)


def compact(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":")).encode()


def page(token: str | None, items: list[Any], remaining: int | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"resourceVersion": "4711"}
    if token is not None:
        meta["continue"] = token
    if remaining is not None:
        meta["remainingItemCount"] = remaining
    return {"kind": "PodList", "apiVersion": "v1", "metadata": meta, "items": items}


@given(token=st.one_of(st.none(), TOKEN), items=st.lists(ITEM, max_size=3), cut=st.integers(0, 400))
def test_a_head_gives_the_pages_own_token_or_cannot_tell(
    token: str | None, items: list[Any], cut: int
) -> None:
    body = compact(page(token, items, remaining=3 if token else None))
    head = body[:cut]
    early = list_continue_in_head(head)
    whole = json.loads(body)["metadata"].get("continue") or ""
    assert early in (None, whole)
    if cut >= body.index(b',"items":') + len(b',"items":'):
        assert early == whole, "a head that holds the metadata tells"


def test_a_head_cut_inside_the_metadata_cannot_tell() -> None:
    body = compact(page("abc", []))
    assert list_continue_in_head(body[: body.index(b"abc")]) is None


def test_the_last_page_says_so() -> None:
    assert list_continue_in_head(compact(page(None, [{"metadata": {"name": "p"}}]))) == ""


def test_items_before_the_metadata_cannot_tell() -> None:
    body = compact(
        {"kind": "PodList", "items": [{"metadata": {"continue": "no"}}], "metadata": {"continue": "x"}}
    )
    assert list_continue_in_head(body) is None


def test_a_list_without_metadata_cannot_tell() -> None:
    assert list_continue_in_head(compact({"kind": "PodList", "apiVersion": "v1", "items": []})) is None

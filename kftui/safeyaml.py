"""The one YAML loader for everything kftui reads from outside: dumps, manifests trees, profiles.

PyYAML's own loaders trust their input. A 575-byte file of nested anchors (an "alias bomb") composes into a
small graph that expands to billions of nodes as soon as anything walks it, and nesting is limited only by
the C stack (PyYAML 6.0-6.0.3 segfault at 40,000 levels; 6.0.4's libyaml stops at 1,000). Here the events
of libyaml's parser (PyYAML's pure-Python parser without it: both are loops, not recursions) are composed
into nodes by a loop that refuses, as soon as it sees them:

- nesting deeper than MAX_DEPTH, counting what an alias would add at the point it is used;
- more than MAX_ALIAS_NODES nodes reachable through aliases in one document (each use counts its whole
  expanded size, so a bomb stops after a few kilobytes of work);
- an alias to a collection that is still open (a recursive structure, which nothing in Kubernetes needs).

The nodes are then turned into Python objects by PyYAML's SafeConstructor, which works from a queue
rather than by recursion. Every problem is a YamlError with a one-line message; the caller adds the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 256
MAX_ALIAS_NODES = 100_000

# libyaml's C parser when present: a 20,000-pod dump parses in seconds instead of minutes.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

Stream = str | bytes | IO[str] | IO[bytes]


class YamlError(Exception):
    """Input that is not YAML kftui will read; the message is one line, without the file name."""


class YamlLimitError(YamlError):
    """Input past one of the bounds above: hostile or broken, never a Kubernetes object."""


@dataclass(slots=True)
class _Open:
    """A collection whose end event has not come yet."""

    node: SequenceNode | MappingNode
    anchor: str | None
    size: int = 1
    height: int = 1
    key: Node | None = None
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    hands_out: bool = False  # a List's `items`: each element goes to the caller, not into the node


def _where(mark: Any) -> str:
    return f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _limit(mark: Any, what: str) -> YamlLimitError:
    return YamlLimitError(f"refused{_where(mark)}: {what}")


def _invalid(mark: Any, problem: str) -> YamlError:
    return YamlError(f"invalid YAML{_where(mark)}: {problem}")


@dataclass(frozen=True, slots=True)
class ListItem:
    """One element of a top-level mapping's `items` sequence, handed out before its document ends."""

    value: Any


def _compose_document(loader: Any, split_items: bool = False) -> Iterator[tuple[bool, Node]]:
    """The next document's root node, composed without recursion and within the bounds: (False, root).

    With `split_items`, each element of the root mapping's `items` sequence (a `kind: List`) comes out as
    (True, element) as soon as it is complete and is not kept in the root, so a List of any length is held
    one element at a time. An anchored `items` sequence is kept whole (an alias could refer to it).
    """
    loader.get_event()  # DocumentStartEvent
    # anchor -> (node, expanded size, height); size is None while the anchored collection is still open.
    anchors: dict[str, tuple[Node, int | None, int]] = {}
    through_aliases = 0
    stack: list[_Open] = []
    while True:
        event: Any = loader.get_event()
        anchor = getattr(event, "anchor", None)
        start: Any = event.start_mark  # libyaml's Mark or PyYAML's, as the parser in use gives
        end: Any = event.end_mark
        if isinstance(event, AliasEvent):
            if anchor not in anchors:
                raise _invalid(start, f"undefined alias {anchor!r}")
            node, size, height = anchors[anchor]
            if size is None:
                raise _limit(start, f"alias {anchor!r} refers to itself")
            through_aliases += size
            if through_aliases > MAX_ALIAS_NODES:
                raise _limit(start, f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes (an alias bomb)")
            if len(stack) + height > MAX_DEPTH:
                raise _limit(start, f"nested deeper than {MAX_DEPTH} levels (through alias {anchor!r})")
        else:
            if anchor is not None and anchor in anchors:
                raise _invalid(start, f"duplicate anchor {anchor!r}")
            if isinstance(event, ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(ScalarNode, event.value, event.implicit)
                node = ScalarNode(tag, event.value, start, end, style=event.style)
                size, height = 1, 1
                if anchor is not None:
                    anchors[anchor] = (node, 1, 1)
            elif isinstance(event, SequenceStartEvent | MappingStartEvent):
                if len(stack) >= MAX_DEPTH:
                    raise _limit(start, f"nested deeper than {MAX_DEPTH} levels")
                is_seq = isinstance(event, SequenceStartEvent)
                kind = SequenceNode if is_seq else MappingNode
                tag = event.tag
                if tag is None or tag == "!":
                    tag = loader.resolve(kind, None, event.implicit)
                collection = kind(tag, [], start, None, flow_style=event.flow_style)
                opened = _Open(collection, anchor)
                if split_items and is_seq and anchor is None and len(stack) == 1:
                    key = stack[0].key
                    opened.hands_out = isinstance(key, ScalarNode) and key.value == "items"
                stack.append(opened)
                if anchor is not None:
                    anchors[anchor] = (collection, None, 0)
                continue
            elif isinstance(event, SequenceEndEvent | MappingEndEvent):
                done = stack.pop()
                node = done.node
                node.end_mark = event.end_mark
                size, height = done.size, done.height
                if done.anchor is not None:
                    anchors[done.anchor] = (node, size, height)
            else:  # pragma: no cover - the parser emits nothing else inside a document
                raise _invalid(start, f"unexpected {type(event).__name__}")
        if not stack:
            loader.get_event()  # DocumentEndEvent
            yield False, node
            return
        parent = stack[-1]
        parent.size += size
        parent.height = max(parent.height, height + 1)
        if parent.hands_out:
            yield True, node
        elif isinstance(parent.node, SequenceNode):
            parent.node.value.append(node)
        elif parent.key is None:
            parent.key = node
        else:
            parent.node.value.append((parent.key, node))
            parent.key = None


def _one_line(exc: yaml.YAMLError) -> YamlError:
    problem = getattr(exc, "problem", None) or getattr(exc, "reason", None)
    if not problem:
        lines = str(exc).splitlines()
        problem = lines[0] if lines else "cannot parse"
    mark = getattr(exc, "problem_mark", None)
    if "maximum nesting depth" in str(problem):  # libyaml's own bound (1,000 levels), met before ours
        return _limit(mark, f"nested deeper than {MAX_DEPTH} levels")
    return _invalid(mark, str(problem))


def load_all(stream: Stream, split_items: bool = False) -> Iterator[Any]:
    """Every document of the stream, one at a time (a file object is read in chunks, never whole).

    Empty documents come out as None, as from yaml.safe_load_all. With `split_items`, the elements of a
    top-level mapping's `items` sequence come out first, one ListItem each, and then their document without
    them (`items` empty). Raises YamlError when the stream is not YAML, and YamlLimitError when it is past a
    bound.
    """
    loader = None
    try:
        loader = _Loader(stream)  # PyYAML's own reader already reads (and may refuse) the first bytes
        loader.get_event()  # StreamStartEvent
        while not loader.check_event(StreamEndEvent):
            for is_item, node in _compose_document(loader, split_items):
                value = loader.construct_document(node)
                yield ListItem(value) if is_item else value
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        raise _one_line(exc) from None
    except RecursionError:
        raise _limit(None, "nested too deeply") from None
    except UnicodeDecodeError:
        raise _invalid(None, "not UTF-8 text") from None
    finally:
        if loader is not None:
            loader.dispose()


def load(stream: Stream) -> Any:
    """The single document of the stream (None when empty); more than one is an error, as in safe_load."""
    documents = load_all(stream)
    first = next(documents, None)
    if next(documents, None) is not None:
        raise _invalid(None, "expected a single document, found more than one")
    return first

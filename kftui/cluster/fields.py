"""Tolerant reading of raw Kubernetes JSON fields: a wrong type or a missing field yields a default, never an exception.

Conversion is tolerant on purpose: an on-call tool must show what it can of a half-broken cluster.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from kftui.model import EMPTY_MAP, ObjectRef


def as_map(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value)


def as_int(value: Any, default: int = 0) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return default
    return default


def as_bool(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def str_tuple(value: Any) -> tuple[str, ...]:
    """A list of strings (finalizers, sync options, a window's globs) as a tuple; anything else is empty."""
    return tuple(as_str(v) for v in as_list(value))


def str_map(value: Any) -> Mapping[str, str]:
    if not isinstance(value, dict) or not value:
        return EMPTY_MAP
    return MappingProxyType({str(k): as_str(v) for k, v in value.items()})


def parse_time(value: Any) -> datetime | None:
    """RFC 3339 as Kubernetes writes it ('2024-05-01T10:00:00Z', with or without fractions)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def meta_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    return as_map(obj.get("metadata"))


def object_ref(raw: Any) -> ObjectRef:
    entry = as_map(raw)
    return ObjectRef(
        as_str(entry.get("kind")), as_str(entry.get("namespace")) or None, as_str(entry.get("name"))
    )

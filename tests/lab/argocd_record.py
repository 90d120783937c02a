"""Argo CD's own record of the API calls its server answered, read from argocd-server's log: which method each
call was and whether it writes.

argocd-server (v3, `--loglevel info`, which the lab starts it with) logs every gRPC call it serves with `--logformat text` (the lab's), REST calls
included (grpc-gateway hands them to the gRPC server): a "started call" line names the method
(`grpc.service=application.ApplicationService grpc.method=Sync`), and a "received unary call /svc/Method" line
carries the request (`grpc.request.content`, in protobuf's text form), except for methods whose requests Argo CD keeps out of the log
(PatchResource, session Create, ...). Pure: the lab I/O is in tests/e2e/fix_helpers.py.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Argo CD's API methods that only read (server/*/*.proto of the Argo CD the lab builds): besides these, any
# method named Get*, List* or Watch*. Every other method counts as a write, also one this table does not know,
# so a method added to Argo CD is not taken for a read.
READ_METHODS = frozenset(
    {
        "CanI",
        "Generate",  # ApplicationSet: what the generators would produce, nothing is created
        "ManagedResources",
        "PodLogs",
        "ResourceTree",
        "RevisionChartDetails",
        "RevisionMetadata",
        "ServerSideDiff",
        "WatchResourceTree",  # kftui's live stream of a remote app's tree (a Watch*, named as it is relied on)
        "ValidateAccess",
        "ValidateWriteAccess",
        "Version",
        "Check",  # grpc.health.v1.Health
    }
)
READ_PREFIXES = ("Get", "List", "Watch")
# A Get of an Application with `refresh` set makes argocd-server patch the Application (the refresh
# annotation the controller consumes): a write that the method's name does not show.
REFRESHING_GET = ("application.ApplicationService", "Get")

_FIELD = re.compile(r'([\w.]+)=("(?:[^"\\]|\\.)*"|\S*)')
_TEXT_REFRESH = re.compile(r'(?:^|\s)refresh:"([^"]*)"')
_RECEIVED = re.compile(r"received (?:unary|streaming) call /([\w.]+)/(\w+)")


@dataclass(frozen=True)
class ArgoCall:
    """One entry of the record: a call Argo CD served (`service`/`method`), or a refreshing Get's request."""

    time: str
    service: str
    method: str
    write: bool
    why: str = ""

    def describe(self) -> str:
        return f"{self.service}/{self.method}{f' ({self.why})' if self.why else ''} at {self.time}"


def is_write(method: str) -> bool:
    return not (method in READ_METHODS or method.startswith(READ_PREFIXES))


def fields(line: str) -> dict[str, str]:
    """The key=value pairs of one logrus text line, quoted values unquoted."""
    out = {}
    for key, raw in _FIELD.findall(line):
        if raw.startswith('"'):
            try:
                raw = json.loads(raw)
            except ValueError:
                raw = raw[1:-1]
        out[key] = raw
    return out


def _refresh_asked(content: str) -> str:
    """`refresh=<kind>` when a Get's request (protobuf's text form: `name:"a" refresh:"normal" `) asks for one."""
    asked = _TEXT_REFRESH.search(content)
    return f"refresh={asked.group(1)}" if asked and asked.group(1) else ""


def parse_record(text: str) -> list[ArgoCall]:
    """Argo CD's record in `text` (argocd-server log lines): one entry per "started call", plus one write for
    each Get of an Application whose request asks for a refresh. Other lines are skipped."""
    calls = []
    for line in text.splitlines():
        if 'msg="started call"' in line:
            f = fields(line)
            method = f.get("grpc.method", "")
            calls.append(ArgoCall(f.get("time", ""), f.get("grpc.service", ""), method, is_write(method)))
        elif 'msg="received ' in line:
            f = fields(line)
            called = _RECEIVED.match(f.get("msg", ""))
            if called is None or called.groups() != REFRESHING_GET:
                continue
            why = _refresh_asked(f.get("grpc.request.content", ""))
            if why:
                calls.append(ArgoCall(f.get("time", ""), *REFRESHING_GET, write=True, why=why))
    return calls


def writes(calls: list[ArgoCall]) -> list[ArgoCall]:
    return [c for c in calls if c.write]


def reads(calls: list[ArgoCall]) -> list[ArgoCall]:
    return [c for c in calls if not c.write]

"""How model objects look on screen: badges, finding lines and the describe view.

Kept apart from the widgets so every label is built the same way in the tree, the diagnostics panel and the
details pane, and so the colours that say "this is broken" are chosen in one place. Times are always shown
relative to the snapshot's `now`, never the wall clock, so snapshot tests stay deterministic.

Everything shown here may come from the cluster, so this is also where outside text becomes inert: every
function below that can show outside text returns its `Text` through `inert_text` (controls shown as escapes
by `kftui.textsafe`), and a `Text` is never parsed as markup. Widgets that show outside text build it with
`inert`, `lines` or `cell`, or pass a `Text` they built through `inert_text`.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from rich.text import Text

from kftui.checks.health import FAILING_REASONS
from kftui.model import Application, Event, Finding, ManagedResource, Pod, Severity
from kftui.textsafe import multi_line, one_line

RED = "bold #ff5f5f"
YELLOW = "#ffc107"
GREEN = "#5fd787"
BLUE = "#5fafff"
GREY = "#8a8a8a"
WHITE = "#e4e4e4"

SEVERITY_ICON: Mapping[Severity, str] = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "ℹ"}  # noqa: RUF001
SEVERITY_STYLE: Mapping[Severity, str] = {Severity.ERROR: RED, Severity.WARNING: YELLOW, Severity.INFO: BLUE}

SYNC_STYLE: Mapping[str, str] = {"Synced": GREEN, "OutOfSync": YELLOW, "Unknown": RED}
HEALTH_STYLE: Mapping[str, str] = {
    "Healthy": GREEN,
    "Progressing": BLUE,
    "Suspended": GREY,
    "Degraded": RED,
    "Missing": RED,
    "Unknown": GREY,
}
PHASE_STYLE: Mapping[str, str] = {
    "Succeeded": GREEN,
    "Running": BLUE,
    "Terminating": YELLOW,
    "Failed": RED,
    "Error": RED,
}

# Pod STATUS values that mean "broken" rather than "on its way"; anything else not Running is amber.
BAD_POD_STATUS = (*sorted(FAILING_REASONS), "Error", "Failed", "Evicted", "Unknown")


def inert(text: str, style: str = "") -> Text:
    """Outside text for a label or a cell: one line, every control shown as its escape, never markup."""
    return Text(one_line(text), style=style)


def lines(text: str, style: str = "") -> Text:
    """Outside text for a pane (logs, messages): line feeds kept, every other control shown as its escape."""
    return Text(multi_line(text), style=style)


def cell(text: str, width: int) -> str:
    """A left-aligned column of `width` for a table built as text (events)."""
    return f"{one_line(text):<{width}}"


def inert_text(text: Text, *, single: bool = False) -> Text:
    """The same Text with every control in it escaped (`single`: line feeds too), styles kept on the
    escaped characters. The one exit of every renderer below, so a value appended raw is still made inert."""
    plain = text.plain
    if plain.isprintable() or (not single and plain.replace("\n", "").isprintable()):
        return text
    clean = one_line if single else multi_line
    edges = sorted({edge for span in text.spans for edge in (span.start, span.end)} | {0, len(plain)})
    out = Text(
        style=text.style, justify=text.justify, overflow=text.overflow, no_wrap=text.no_wrap, end=text.end
    )
    for piece in text.divide(edges):
        safe = Text(clean(piece.plain))
        for span in piece.spans:
            safe.stylize(span.style)
        out.append_text(safe)
    return out


def severity_mark(severity: Severity | None) -> Text:
    """The one-cell icon that leads every tree line: red cross, amber triangle, or a calm dot."""
    if severity is None:
        return Text("●", style=GREEN)
    return Text(SEVERITY_ICON[severity], style=SEVERITY_STYLE[severity])


def pod_status_style(pod: Pod) -> str:
    status = pod.display_status
    if any(status.endswith(bad) for bad in BAD_POD_STATUS) or status.startswith("Init:"):
        return RED
    if status == "Succeeded" or status == "Completed":
        return GREY
    ready, total = pod.ready_count
    if status == "Running" and ready == total:
        return GREEN
    return YELLOW


def app_badges(sync_status: str, health_status: str, operation_phase: str) -> Text:
    text = Text()
    text.append(sync_status or "?", style=SYNC_STYLE.get(sync_status, GREY))
    text.append(" ")
    text.append(health_status or "?", style=HEALTH_STYLE.get(health_status, GREY))
    if operation_phase:
        text.append(" op:", style=GREY)
        text.append(operation_phase, style=PHASE_STYLE.get(operation_phase, GREY))
    return inert_text(text, single=True)


def counts_badge(counts: Mapping[Severity, int]) -> Text:
    text = Text()
    for severity in (Severity.ERROR, Severity.WARNING):
        if counts.get(severity):
            text.append(f" {SEVERITY_ICON[severity]}{counts[severity]}", style=SEVERITY_STYLE[severity])
    return text


def resource_badges(res: ManagedResource) -> Text:
    text = Text()
    if res.sync_status and res.sync_status != "Synced":
        text.append(" " + res.sync_status, style=SYNC_STYLE.get(res.sync_status, GREY))
    if res.health_status and res.health_status != "Healthy":
        text.append(" " + res.health_status, style=HEALTH_STYLE.get(res.health_status, GREY))
    if res.requires_pruning:
        text.append(" prune", style=YELLOW)
    return inert_text(text, single=True)


def pod_badges(pod: Pod) -> Text:
    ready, total = pod.ready_count
    text = Text()
    text.append(" " + pod.display_status, style=pod_status_style(pod))
    text.append(f" {ready}/{total}", style=GREEN if ready == total and total else YELLOW)
    if pod.restarts:
        text.append(f" ↻{pod.restarts}", style=RED if pod.restarts >= 3 else YELLOW)
    return inert_text(text, single=True)


def status_words(obj: object) -> tuple[str, ...]:
    """The status words the badges above show for an object (what `/` matches besides the name)."""
    if isinstance(obj, Application):
        return (obj.sync_status, obj.health_status, obj.operation_phase)
    if isinstance(obj, ManagedResource):
        return (obj.sync_status, obj.health_status, "prune" if obj.requires_pruning else "")
    if isinstance(obj, Pod):
        return (obj.display_status, obj.phase, obj.reason)
    return ()


def finding_line(finding: Finding, nested: bool = False, folded: int = 0) -> Text:
    """One row of the findings list: icon and title; a consequence shown under its root cause is indented
    with ↳, a root cause with folded consequences says how many (→ unfolds them)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if nested:
        text.append("  ↳ ", style=GREY)
    text.append(SEVERITY_ICON[finding.severity] + " ", style=SEVERITY_STYLE[finding.severity])
    if folded:
        text.append(f"+{folded} ", style=GREY)
    text.append(finding.title, style=WHITE)
    return inert_text(text, single=True)


def finding_detail(finding: Finding, causes: Sequence[Finding] = (), led_to: Sequence[Finding] = ()) -> Text:
    """The full account of one finding: what, the evidence verbatim, where, why it matters, and the findings
    it follows from (`causes`, its root causes) or leads to. The evidence comes right under the title: at
    80x24 the first lines are all there is room for, and they must be the evidence."""
    text = Text()
    style = SEVERITY_STYLE[finding.severity]
    text.append(f"{SEVERITY_ICON[finding.severity]} {finding.severity.value.upper()}  ", style=style)
    text.append(one_line(finding.title) + "\n", style="bold " + WHITE)
    text.append("Evidence\n", style="bold underline")
    for part in finding.evidence_lines:
        text.append(
            "  " + one_line(part) + "\n", style=YELLOW if finding.severity is not Severity.INFO else BLUE
        )
    # Where it comes from, on one dim line: the evidence above is what matters at 3 a.m.
    where = [finding.check, *([f"app {finding.app}"] if finding.app else []), str(finding.subject)]
    text.append(" · ".join(where) + "\n", style=GREY)
    text.append("\nWhy\n", style="bold underline")
    text.append("  " + finding.explanation + "\n")
    for heading, related in (("Caused by", causes), ("Led to", led_to)):
        if related:
            text.append(f"\n{heading}\n", style="bold underline")
        for other in related:
            text.append("  " + SEVERITY_ICON[other.severity] + " ", style=SEVERITY_STYLE[other.severity])
            text.append(one_line(other.title) + "\n")
    return inert_text(text)


def age(then: datetime | None, now: datetime) -> str:
    """kubectl-style age (45s, 12m, 3h, 5d) measured from the snapshot's moment."""
    if then is None:
        return "?"
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "0s"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "?"


# Shown even at their default value, because "not ready" is the point of looking.
ALWAYS_SHOWN = frozenset({"ready", "established", "exists"})


def _omitted(f: dataclasses.Field[object], value: object) -> bool:
    """Leave out what is empty or still at its default, as `kubectl get -o yaml` leaves out unset fields."""
    if f.name in ALWAYS_SHOWN:
        return False
    if not f.init:
        return True  # derived from the other fields when the object is built (Pod.plainly_healthy), not read
    if value is None or value == "" or value == () or (isinstance(value, Mapping) and not value):
        return True
    return f.default is not dataclasses.MISSING and value == f.default


def _scalar(value: object, now: datetime) -> str:
    if isinstance(value, datetime):
        return f"{stamp(value)} ({age(value, now)} ago)"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, str) and (value == "" or ":" in value or value.strip() != value):
        return repr(value)
    return str(value)


def _describe_into(text: Text, value: object, indent: int, now: datetime) -> None:
    pad = "  " * indent
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if _omitted(f, item):
                continue
            text.append(f"{pad}{f.name}:", style=BLUE)
            _describe_value(text, item, indent, now)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            text.append(f"{pad}{key}:", style=BLUE)
            _describe_value(text, item, indent, now)


def _describe_value(text: Text, item: object, indent: int, now: datetime) -> None:
    pad = "  " * indent
    if (dataclasses.is_dataclass(item) and not isinstance(item, type)) or isinstance(item, Mapping):
        text.append("\n")
        _describe_into(text, item, indent + 1, now)
    elif isinstance(item, tuple) and item and all(isinstance(e, ManagedResource) for e in item):
        # An Application's status.resources: one line each (a YAML block per resource made a 50-resource
        # app 500 lines long, and redrawing that on every cursor move cost more than anything else).
        text.append("\n")
        for res in item:
            text.append(f"{pad}  - ", style=GREY)
            text.append(f"{res.kind} ", style=GREY)
            text.append(f"{res.namespace}/{res.name}" if res.namespace else res.name)
            for value in (res.sync_status, res.health_status):
                if value:
                    text.append(f" {value}", style=_value_style(value))
            if res.sync_wave:
                text.append(f" wave {res.sync_wave}", style=GREY)
            if res.hook:
                text.append(" hook", style=GREY)
            if res.requires_pruning:
                text.append(" requires pruning", style=YELLOW)
            if res.health_message:
                text.append(f": {res.health_message}", style=GREY)
            text.append("\n")
    elif isinstance(item, tuple):
        text.append("\n")
        for element in item:
            if dataclasses.is_dataclass(element) and not isinstance(element, type):
                # YAML list style: the first field shares the dash's line.
                sub = Text()
                _describe_into(sub, element, indent + 2, now)
                text.append(f"{pad}  - ", style=GREY)
                text.append_text(sub[len(pad) + 4 :])
            else:
                text.append(f"{pad}  - {_scalar(element, now)}\n")
    else:
        text.append(f" {_scalar(item, now)}\n", style=_value_style(item))


def _value_style(item: object) -> str:
    if item is False:  # only `ready`-like fields survive at False (see ALWAYS_SHOWN): not ready is red
        return RED
    if isinstance(item, str):
        if item in HEALTH_STYLE:
            return HEALTH_STYLE[item]
        if item in SYNC_STYLE:
            return SYNC_STYLE[item]
        if item in PHASE_STYLE:
            return PHASE_STYLE[item]
        if item in BAD_POD_STATUS:
            return RED
    return ""


def describe(objects: Iterable[tuple[str, object]], now: datetime) -> Text:
    """A YAML-like view of model objects, empty fields left out, times shown with their age."""
    text = Text()
    for heading, obj in objects:
        text.append(f"# {heading}\n", style=GREY)
        _describe_into(text, obj, 0, now)
        text.append("\n")
    return inert_text(text)


def events_table(events: list[Event], now: datetime) -> Text:
    """Recent events in `kubectl describe` order and columns, warnings in amber."""
    if not events:
        return Text("No events recorded for this object.", style=GREY)
    text = Text()
    text.append(f"{'AGE':<6}{'TYPE':<9}{'REASON':<22}{'COUNT':>5}  MESSAGE\n", style="bold " + GREY)
    for e in events:
        style = YELLOW if e.type == "Warning" else ""
        text.append(f"{age(e.last_seen, now):<6}")
        text.append(cell(e.type, 9), style=style)
        text.append(cell(e.reason, 22), style=style)
        text.append(f"{e.count:>5}  ")
        text.append(one_line(e.message) + "\n")
    return inert_text(text)

"""Findings as text, JSON or JUnit XML for `kftui check`: what install scripts and CI read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from kftui.checks.coverage import Coverage, Verdict, verdict
from kftui.checks.registry import CHECKS
from kftui.model import Chains, ClusterSnapshot, Finding, ObjectRef, base_id, roots
from kftui.textsafe import multi_line, one_line
from kftui.wording import plural

SEVERITY_MARK = {"error": "ERROR", "warning": "WARN ", "info": "INFO "}


def _subject(ref: ObjectRef) -> dict[str, Any]:
    # cluster: "" for the cluster kftui connects to (Argo CD's), else the Argo CD name of the subject's cluster
    return {"kind": ref.kind, "namespace": ref.namespace, "name": ref.name, "cluster": ref.cluster}


def finding_to_dict(f: Finding) -> dict[str, Any]:
    """One finding as JSON. `id` and `caused_by` link it into the causal chains (kftui/checks/causes.py);
    `evidence` is a list with one item per piece of evidence."""
    return {
        "id": f.id or base_id(f),
        "check": f.check,
        "severity": f.severity.value,
        "app": f.app,
        "subject": _subject(f.subject),
        "title": f.title,
        "evidence": list(f.evidence_lines),
        "explanation": f.explanation,
        "fixes": [{"id": x.id, "title": x.title, "command": x.command} for x in f.fixes],
        "caused_by": list(f.caused_by),
    }


def render_json(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> str:
    """The findings, and a summary whose `coverage` says whether they speak for the whole install and
    whose `root_causes` counts the findings nothing else explains."""
    seen = verdict(findings, snapshot)
    summary: dict[str, Any] = {
        **seen.counts,
        "root_causes": len(roots(findings)),
        "coverage": seen.coverage.value,
        "headline": seen.headline,
        "unseen": dict(seen.unseen),
    }
    return (
        json.dumps({"findings": [finding_to_dict(f) for f in findings], "summary": summary}, indent=2) + "\n"
    )


INDENT = "    "


def _header(f: Finding) -> str:
    where = f"[{f.app}] " if f.app else ""
    return f"{SEVERITY_MARK[f.severity.value]} {f.check}: {where}{f.title}"


def _field(label: str, value: str) -> str:
    return f"{INDENT}{label + ':':<10} {value}"


def _block(f: Finding, led_to: Sequence[Finding]) -> list[str]:
    """One finding: its header line, then every other line indented under it, so `grep -A` keeps it whole
    and `grep '^ERROR'` lists the headers."""
    lines = ["", _header(f), _field("id", f.id or base_id(f))]
    lines += [_field("caused by", cause) for cause in f.caused_by]
    lines.append(_field("subject", str(f.subject)))
    lines += [_field("evidence", item) for item in f.evidence_lines]
    lines.append(_field("why", f.explanation))
    # Not aligned: `fix ID: COMMAND` reads the same in every report, whatever the id's length.
    lines += [f"{INDENT}fix {fix.id}: {fix.command}" for fix in f.fixes]
    lines += [_field("led to", _header(c)) for c in led_to]
    return lines


def render_text(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> str:
    """Root causes first, each with the findings it led to named under it; then those consequences in full,
    each naming the finding that caused it."""
    seen = verdict(findings, snapshot)
    count = len(snapshot.applications)
    # The offline sources name themselves in parentheses already ("(embedded demo)"): not twice.
    server = snapshot.server.strip("()")
    where = f"{snapshot.context} ({server})" if server else snapshot.context
    lines = [f"kftui check: {where}, {plural(count, 'application')}"]
    if seen.coverage is Coverage.BLIND:
        lines.append(f"BLIND {seen.headline}")
    for kind, reason in seen.unseen.items():
        lines.append(f"  not seen: {kind}: {reason}")
    leading = roots(findings)
    following = [f for f in findings if not f.is_root]
    if findings:
        lines.append(f"{plural(len(leading), 'root cause')}, {plural(len(following), 'consequence')}")
    chains = Chains(findings)
    for f in leading:
        lines += _block(f, chains.downstream(f))
    if following:
        lines.append("")
        lines.append(f"{plural(len(following), 'consequence')} of the root causes above:")
        for f in following:
            lines += _block(f, ())
    lines.append("")
    lines.append(seen.headline)
    # Every value above may come from the cluster: each line is made inert here, once (a newline inside a
    # value is shown as \\n, so one report line stays one terminal line).
    return "\n".join(one_line(line) for line in lines) + "\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """A JUnit element whose attributes and text passed the sanitizer: ElementTree escapes <, & and quotes,
    but writes controls XML 1.0 forbids as they are, and a terminal shows CI logs too."""
    element = ET.SubElement(parent, tag, {k: one_line(v) for k, v in attrs.items()})
    if text is not None:
        element.text = multi_line(text)
    return element


def _coverage_case(suite: ET.Element, seen: Verdict) -> int:
    """A testcase for what kftui could see: it fails when the Applications could not be listed, so a CI
    job never goes green on a cluster it did not diagnose. Returns the failures it adds."""
    case = _sub(suite, "testcase", classname="kftui", name="coverage")
    if seen.coverage is Coverage.BLIND:
        unseen = "\n".join(one_line(f"{kind}: {reason}") for kind, reason in seen.unseen.items())
        _sub(case, "failure", unseen, message=seen.headline, type="blind")
        return 1
    if seen.unseen:
        _sub(case, "system-out", seen.headline)
    return 0


def render_junit(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> str:
    """One testcase per check; a check with error findings fails, warnings are reported as system-out."""
    suite = ET.Element("testsuite", name="kftui", tests=str(len(CHECKS) + 1))
    failures = _coverage_case(suite, verdict(findings, snapshot))
    for check in CHECKS:
        case = _sub(suite, "testcase", classname="kftui.checks", name=check.id)
        mine = [f for f in findings if f.check == check.id]
        errors = [f for f in mine if f.severity.value == "error"]
        if errors:
            failures += 1
            # Each value on its own line(s): one_line keeps a title's embedded newline from faking a new entry.
            body = "\n\n".join(
                "\n".join(one_line(line) for line in (f.title, *f.evidence_lines, f.explanation))
                for f in errors
            )
            _sub(case, "failure", body, message=errors[0].title, type="error")
        others = [f for f in mine if f.severity.value != "error"]
        if others:
            body = "\n".join(
                f"{f.severity.value}: {one_line(f.title)}: {one_line('; '.join(f.evidence_lines))}"
                for f in others
            )
            _sub(case, "system-out", body)
    suite.set("failures", str(failures))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def render_findings(findings: Sequence[Finding], fmt: str, snapshot: ClusterSnapshot) -> str:
    if fmt == "json":
        return render_json(findings, snapshot)
    if fmt == "junit":
        return render_junit(findings, snapshot)
    return render_text(findings, snapshot)

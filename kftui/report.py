"""Findings as text, JSON or JUnit XML for `kftui check`: what install scripts and CI read."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from kftui.checks.registry import CHECKS, summarize
from kftui.model import ClusterSnapshot, Finding

SEVERITY_MARK = {"error": "ERROR", "warning": "WARN ", "info": "INFO "}


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "check": f.check,
        "severity": f.severity.value,
        "app": f.app,
        "subject": {"kind": f.subject.kind, "namespace": f.subject.namespace, "name": f.subject.name},
        "title": f.title,
        "evidence": f.evidence,
        "explanation": f.explanation,
        "fixes": [{"id": x.id, "title": x.title, "command": x.command} for x in f.fixes],
    }


def render_json(findings: Sequence[Finding]) -> str:
    return (
        json.dumps(
            {"findings": [finding_to_dict(f) for f in findings], "summary": summarize(findings)}, indent=2
        )
        + "\n"
    )


def render_text(findings: Sequence[Finding], snapshot: ClusterSnapshot) -> str:
    lines = [
        f"kftui check: {snapshot.context} ({snapshot.server}), {len(snapshot.applications)} applications"
    ]
    for kind, reason in sorted(snapshot.forbidden.items()):
        lines.append(f"  note: {kind}: {reason}")
    for f in findings:
        where = f"[{f.app}] " if f.app else ""
        lines.append("")
        lines.append(f"{SEVERITY_MARK[f.severity.value]} {f.check}: {where}{f.title}")
        lines.append(f"       subject:  {f.subject}")
        lines.append(f"       evidence: {f.evidence}")
        lines.append(f"       why:      {f.explanation}")
        for fix in f.fixes:
            lines.append(f"       fix {fix.id}: {fix.command}")
    counts = summarize(findings)
    lines.append("")
    lines.append(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info")
    return "\n".join(lines) + "\n"


def render_junit(findings: Sequence[Finding]) -> str:
    """One testcase per check; a check with error findings fails, warnings are reported as system-out."""
    suite = ET.Element("testsuite", name="kftui", tests=str(len(CHECKS)))
    failures = 0
    for check in CHECKS:
        case = ET.SubElement(suite, "testcase", classname="kftui.checks", name=check.id)
        mine = [f for f in findings if f.check == check.id]
        errors = [f for f in mine if f.severity.value == "error"]
        if errors:
            failures += 1
            failure = ET.SubElement(case, "failure", message=errors[0].title, type="error")
            failure.text = "\n\n".join(f"{f.title}\n{f.evidence}\n{f.explanation}" for f in errors)
        others = [f for f in mine if f.severity.value != "error"]
        if others:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(f"{f.severity.value}: {f.title}: {f.evidence}" for f in others)
    suite.set("failures", str(failures))
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"


def render_findings(findings: Sequence[Finding], fmt: str, snapshot: ClusterSnapshot) -> str:
    if fmt == "json":
        return render_json(findings)
    if fmt == "junit":
        return render_junit(findings)
    return render_text(findings, snapshot)

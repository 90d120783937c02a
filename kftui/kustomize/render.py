"""Text and JSON renderings of a ConflictReport (`kftui conflicts PATH [--json]`)."""

from __future__ import annotations

import json
from typing import Any

from kftui import shellcmd
from kftui.kustomize.report import ConflictReport
from kftui.textsafe import one_line


def _chain_text(dirs: tuple[str, ...]) -> str:
    return " -> ".join(dirs)


def render_text(report: ConflictReport) -> str:
    lines: list[str] = [f"kustomization tree: {report.root}"]
    if report.duplicates:
        lines.append(f"{len(report.duplicates)} resource id(s) brought in more than once:")
    else:
        lines.append("no resource id is brought in more than once")
    for dup in report.duplicates:
        lines.append("")
        lines.append(f"  {dup.id}  (copies meet in {dup.met_at})")
        lines.append(f"    kustomize: {dup.message}")
        for n, chain in enumerate(dup.chains, 1):
            lines.append(f"    {n}. {_chain_text(chain.dirs)}")
            lines.append(f"       defined in {chain.file}")
    if report.skipped:
        lines.append("")
        lines.append(f"skipped ({len(report.skipped)}):")
        lines.extend(f"  {s.entry} ({s.field} of {s.referenced_from}): {s.reason}" for s in report.skipped)
    if report.errors:
        lines.append("")
        lines.append(f"errors ({len(report.errors)}):")
        lines.extend(f"  {e.directory}: {e.message}  [via {_chain_text(e.chain)}]" for e in report.errors)
    if report.notes:
        lines.append("")
        lines.append("notes:")
        lines.extend(f"  {n}" for n in report.notes)
    if report.first_failure:
        lines.append("")
        lines.append(f"kustomize is expected to stop at: {report.first_failure}")
    if report.real_build is not None:
        real = report.real_build
        verdict = "succeeds" if real.ok else f"fails: {real.error.splitlines()[-1] if real.error else '?'}"
        lines.append(f"real build ({shellcmd.join(real.command[:2])}): {verdict}")
    if report.agreement is not None:
        word = {True: "agrees", False: "DISAGREES", None: "cannot tell"}[report.agreement.agrees]
        lines.append(f"static analysis {word} with the real build: {report.agreement.reason}")
    # Paths, ids and kustomize's messages come from the tree: each line is made inert here, once.
    return "\n".join(one_line(line) for line in lines) + "\n"


def report_dict(report: ConflictReport) -> dict[str, Any]:
    """The JSON shape: `duplicates` and `skipped` as documented, plus `errors`, `notes`, `real_build`."""
    data: dict[str, Any] = {
        "duplicates": [
            {
                "kind": d.kind,
                "name": d.name,
                "namespace": d.namespace,
                "chains": [list(c.dirs) for c in d.chains],
                "id": str(d.id),
                "apiVersion": d.id.api_version,
                "files": [c.file for c in d.chains],
                "met_at": d.met_at,
                "message": d.message,
            }
            for d in report.duplicates
        ],
        "skipped": [
            {"entry": s.entry, "referenced_from": s.referenced_from, "field": s.field, "reason": s.reason}
            for s in report.skipped
        ],
        "errors": [
            {"message": e.message, "directory": e.directory, "chain": list(e.chain)} for e in report.errors
        ],
        "notes": list(report.notes),
        "first_failure": report.first_failure,
        "real_build": None,
    }
    if report.real_build is not None:
        real = report.real_build
        data["real_build"] = {
            "command": list(real.command),
            "ok": real.ok,
            "duplicate_id": str(real.duplicate_id) if real.duplicate_id else None,
            "error": real.error or None,
            "agrees": report.agreement.agrees if report.agreement else None,
            "agreement": report.agreement.reason if report.agreement else None,
        }
    return data


def render_json(report: ConflictReport) -> str:
    return json.dumps(report_dict(report), indent=2) + "\n"

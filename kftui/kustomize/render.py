"""Text and JSON renderings of a ConflictReport (`kftui conflicts PATH [--json]`)."""

from __future__ import annotations

import json
import posixpath
from typing import Any

from kftui import shellcmd
from kftui.kustomize.report import ConflictReport, Duplicate, IncludeChain
from kftui.textsafe import one_line
from kftui.wording import plural


def _chain_text(dirs: tuple[str, ...]) -> str:
    return " -> ".join(dirs)


def _spelled_chain(chain: IncludeChain) -> str:
    """Each step by its directory from the root, and as written too where the spelling differs from the plain
    path (`base/`, `./base`): two chains through `base` and `base/` are then told apart."""
    steps = []
    for directory, entry in zip(chain.dirs, chain.spelled, strict=False):
        plain = entry == "." or posixpath.normpath(entry) == entry
        steps.append(directory if plain else f"{directory} (written {entry})")
    return _chain_text(tuple(steps))


_FOLLOW_ONS_SHOWN = 10


def _duplicate_lines(dup: Duplicate) -> list[str]:
    lines = [f"  {dup.id}  (copies meet in {dup.met_at})", f"    kustomize: {dup.message}"]
    for n, chain in enumerate(dup.chains, 1):
        lines.append(f"    {n}. {_spelled_chain(chain)}")
        lines.append(f"       defined in {chain.file}")
    return lines


def render_text(report: ConflictReport) -> str:
    lines: list[str] = [f"kustomization tree: {report.root}"]
    if report.duplicates:
        folded = sum(len(c.follow_ons) for c in report.causes)
        causes = f" ({len(report.duplicates) - folded} after folding follow-ons)" if folded else ""
        lines.append(f"{plural(len(report.duplicates), 'resource id')} brought in more than once{causes}:")
    else:
        lines.append("no resource id is brought in more than once")
    cause_of = {id(c.first): c for c in report.causes}
    follow_on = {id(d) for c in report.causes for d in c.follow_ons}
    for dup in report.duplicates:
        if id(dup) in follow_on:
            continue
        lines.append("")
        cause = cause_of.get(id(dup))
        if cause is not None:
            lines.append(f"  root cause: {cause.sentence}")
        lines.extend(_duplicate_lines(dup))
        if cause is not None:
            lines.append(f"    follow-ons ({len(cause.follow_ons)}), through the same includes:")
            lines.extend(f"      {d.id}" for d in cause.follow_ons[:_FOLLOW_ONS_SHOWN])
            if len(cause.follow_ons) > _FOLLOW_ONS_SHOWN:
                lines.append(
                    f"      ... and {len(cause.follow_ons) - _FOLLOW_ONS_SHOWN} more (--output json lists all)"
                )
    if report.uncertain:
        lines.append("")
        lines.append(
            f"uncertain ({len(report.uncertain)}): may be duplicates, after renames the analysis cannot follow"
        )
        for dup in report.uncertain:
            lines.append(f"  {dup.id}  (copies meet in {dup.met_at})")
            lines.extend(f"    {n}. {_spelled_chain(c)}" for n, c in enumerate(dup.chains, 1))
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
        if real.timed_out:
            verdict = f"{real.error} (raise --build-timeout, or skip it with --no-cross-check)"
        else:
            verdict = (
                "succeeds" if real.ok else f"fails: {real.error.splitlines()[-1] if real.error else '?'}"
            )
        lines.append(f"real build ({shellcmd.join(real.command[:2])}): {verdict}")
    if report.agreement is not None:
        word = {True: "agrees", False: "DISAGREES", None: "cannot tell"}[report.agreement.agrees]
        lines.append(f"static analysis {word} with the real build: {report.agreement.reason}")
    # Paths, ids and kustomize's messages come from the tree: each line is made inert here, once.
    return "\n".join(one_line(line) for line in lines) + "\n"


def _duplicate_dict(d: Duplicate, follow_on_of: str | None = None) -> dict[str, Any]:
    return {
        "kind": d.kind,
        "name": d.name,
        "namespace": d.namespace,
        "chains": [list(c.dirs) for c in d.chains],
        "chain_entries": [list(c.spelled) for c in d.chains],
        "id": str(d.id),
        "apiVersion": d.id.api_version,
        "files": [c.file for c in d.chains],
        "met_at": d.met_at,
        "message": d.message,
        "follow_on_of": follow_on_of,
    }


def report_dict(report: ConflictReport) -> dict[str, Any]:
    """The JSON shape: `duplicates` (every one; a follow-on names its root cause's id in `follow_on_of`),
    `causes` (each with every follow-on id), `uncertain`, `skipped`, `errors`, `notes`, `real_build`."""
    root_of = {id(d): str(c.first.id) for c in report.causes for d in c.follow_ons}
    data: dict[str, Any] = {
        "duplicates": [_duplicate_dict(d, root_of.get(id(d))) for d in report.duplicates],
        "causes": [
            {
                "cause": c.sentence,
                "id": str(c.first.id),
                "where": c.where,
                "includes": list(c.includes),
                "base": c.base,
                "follow_ons": [str(d.id) for d in c.follow_ons],
            }
            for c in report.causes
        ],
        "uncertain": [_duplicate_dict(d) for d in report.uncertain],
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

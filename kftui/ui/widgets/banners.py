"""The two banners above the panes: why nothing could be loaded, and which kinds the credentials may not list."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.widgets import Static

from kftui import shellcmd
from kftui.checks.coverage import APPLICATION_KINDS, applications_unseen, verdict
from kftui.model import ClusterSnapshot, Finding
from kftui.textsafe import one_line
from kftui.ui import render
from kftui.wording import plural


class ErrorBanner(Static):
    """A load that failed: the reason in one line and the two keys that help. Hidden while loads succeed."""

    def show(self, reason: str | None) -> None:
        self.display = reason is not None
        if reason is not None:
            self.update(
                render.lines(f"✖ Cannot load the cluster state: {one_line(reason)}\n  r retries · q quits")
            )


class ForbiddenNotes(Static):
    """Lists the credentials may not read: which, and the API server's reason (the first, in full).
    Without the Applications there is no diagnosis at all: then this is a red banner that says so."""

    def show(
        self, forbidden: Mapping[str, str], snapshot: ClusterSnapshot | None, findings: list[Finding]
    ) -> None:
        self.display = bool(forbidden)
        blind = snapshot is not None and applications_unseen(snapshot) is not None
        self.set_class(blind, "blind")
        if blind and snapshot is not None:
            ask = shellcmd.join(
                (
                    "kubectl",
                    "auth",
                    "can-i",
                    "list",
                    "applications.argoproj.io",
                    "-n",
                    snapshot.argocd_namespace,
                )
            )
            others = [k for k in forbidden if k not in APPLICATION_KINDS]
            self.update(
                render.inert_text(
                    Text.assemble(
                        ("✖ ", "bold"),
                        verdict(findings, snapshot).headline,
                        f"\n  Check the credentials ($ {ask}) or --argocd-namespace",
                        f"; {plural(len(others), 'other kind')} not listed either" if others else "",
                    )
                )
            )
        elif forbidden:
            kinds = sorted(forbidden)
            self.update(
                render.inert_text(
                    Text.assemble(
                        (f"⚠ Cannot list {plural(len(kinds), 'kind')}: ", "bold"),
                        ", ".join(kinds),
                        " — shown as unknown, not absent.\n  why: ",
                        one_line(forbidden[kinds[0]]),
                    )
                )
            )

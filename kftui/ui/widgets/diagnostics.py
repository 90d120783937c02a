"""The right-hand panel: what is wrong, root causes first, and for the chosen finding why and what to do."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kftui.checks.coverage import Coverage, Verdict, count
from kftui.model import Chains, Finding, FixRef, Severity
from kftui.ui import bindings, render
from kftui.ui.fix_prompt import FixPrompt
from kftui.ui.tree_model import Scope
from kftui.wording import plural

MAX_LISTED = 1000


def finding_id(finding: Finding) -> str:
    """Identity of a finding across snapshots, so the highlight survives a refresh."""
    return f"{finding.check}|{finding.subject}|{finding.title}"


class DiagnosticsPanel(Vertical):
    """Root causes sorted by severity, the findings each led to folded under it (→ unfolds, ← folds),
    optionally narrowed to a tree item, with the chosen one explained."""

    BINDINGS = bindings.FINDINGS

    class FindingHighlighted(Message):
        """The user moved to a finding: the tree can reveal its subject."""

        def __init__(self, finding: Finding) -> None:
            super().__init__()
            self.finding = finding

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.findings: list[Finding] = []
        self.verdict: Verdict | None = None
        self.scope: Scope | None = None
        self.errors_only = False
        self.shown: list[Finding] = []
        self.nested: list[bool] = []
        """Per row of `shown`: a consequence listed under the root cause above it."""
        self._chains = Chains(())
        self.unfolded: set[str] = set()
        """Ids of the root causes whose consequences are listed under them."""
        self.matching_count = 0
        self._detail_for: str | None = None
        self._drawn = False
        # Fixes of one finding that cannot run, by fix id -> why (the app reviews them off the event loop).
        self._refusals_for: str | None = None
        self._refusals: Mapping[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="diag-summary")
        yield OptionList(id="finding-list")
        with VerticalScroll(id="finding-detail-scroll"):
            yield Static(id="finding-detail")
        yield Static("Fixes  (1-9 pick · x runs · c copies)", id="fix-heading")
        yield OptionList(id="fix-list")

    @property
    def current(self) -> Finding | None:
        """The highlighted finding, whose detail and fixes are shown."""
        index = self.query_one("#finding-list", OptionList).highlighted
        return self.shown[index] if index is not None and 0 <= index < len(self.shown) else None

    @property
    def current_fix(self) -> FixRef | None:
        finding = self.current
        if finding is None or not finding.fixes:
            return None
        index = self.query_one("#fix-list", OptionList).highlighted or 0
        return finding.fixes[min(index, len(finding.fixes) - 1)]

    def show(
        self, findings: list[Finding], scope: Scope | None, errors_only: bool, verdict: Verdict | None = None
    ) -> None:
        """Redraw for new findings or a new narrowing, keeping the highlighted finding when it still exists.
        `verdict` says what the findings speak for; without one, an empty list is never called clean."""
        unchanged = (findings, scope, errors_only, verdict) == (
            self.findings,
            self.scope,
            self.errors_only,
            self.verdict,
        )
        if unchanged and self._drawn:
            # A watch event elsewhere in the cluster: the same findings, so nothing to redraw. Keep the
            # new objects (equal to the old ones) so `current` hands out this snapshot's findings.
            self.findings, self._chains = findings, Chains(findings)
            self.shown, self.nested = self._rows(self._matching(findings))
            return
        self.findings, self.scope, self.errors_only, self.verdict = findings, scope, errors_only, verdict
        self._chains = Chains(findings)
        self._drawn = True
        self._redraw()

    def _redraw(self) -> None:
        previous = self.current
        keep = finding_id(previous) if previous is not None else None
        matching = self._matching(self.findings)
        self.matching_count = len(matching)
        self.shown, self.nested = self._rows(matching)
        present = {f.id for f in matching}
        listing = self.query_one("#finding-list", OptionList)
        listing.set_options(
            Option(render.finding_line(f, nested, self._folded(f, nested, present)), id=str(i))
            for i, (f, nested) in enumerate(zip(self.shown, self.nested, strict=True))
        )
        if self.shown:
            ids = [finding_id(f) for f in self.shown]
            listing.highlighted = ids.index(keep) if keep in ids else 0
        self._show_summary()
        self._show_detail()

    def _rows(self, matching: list[Finding]) -> tuple[list[Finding], list[bool]]:
        """The rows to list: each matching root cause, then (when unfolded) the matching findings it led to;
        a matching consequence whose root causes are all filtered away leads its own row. Sorted most severe
        first, so a cap only ever hides the least important of a flood of findings."""
        present = {f.id for f in matching}
        shown: list[Finding] = []
        nested: list[bool] = []
        for f in matching:
            if not f.is_root and any(r in present for r in self._chains.root_ids(f.id)):
                continue
            shown.append(f)
            nested.append(False)
            if f.id in self.unfolded:
                for child in self._chains.downstream(f):
                    if child.id in present:
                        shown.append(child)
                        nested.append(True)
        return shown[:MAX_LISTED], nested[:MAX_LISTED]

    def _folded(self, finding: Finding, nested: bool, present: set[str]) -> int:
        """How many matching findings `finding` leads to that are folded under it now."""
        if nested or finding.id in self.unfolded:
            return 0
        return sum(1 for c in self._chains.downstream(finding) if c.id in present)

    def _row_root(self) -> Finding | None:
        """The root cause row of the highlighted row (itself, or the row it is listed under)."""
        index = self.query_one("#finding-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self.shown):
            return None
        while index > 0 and self.nested[index]:
            index -= 1
        return self.shown[index]

    def action_unfold(self) -> None:
        """List the findings the highlighted root cause led to under it."""
        root = self._row_root()
        if root is not None and root.id not in self.unfolded and self._chains.downstream(root):
            self.unfolded.add(root.id)
            self._redraw()

    def action_fold(self) -> None:
        """Fold the consequences back under their root cause, which keeps the highlight."""
        root = self._row_root()
        if root is None or root.id not in self.unfolded:
            return
        self.unfolded.discard(root.id)
        listing = self.query_one("#finding-list", OptionList)
        listing.highlighted = self.shown.index(root)
        self._redraw()

    def reveal(self, key: str) -> bool:
        """Highlight the finding with id `key`, unfolding the root causes it folds under; False when the
        narrowing or errors-only leaves it out."""
        folded = {root for root in self._chains.root_ids(key) if root != key} - self.unfolded
        if folded:
            self.unfolded |= folded
            self._redraw()
        ids = [f.id for f in self.shown]
        if key not in ids:
            return False
        self.query_one("#finding-list", OptionList).highlighted = ids.index(key)
        return True

    def _matching(self, findings: list[Finding]) -> list[Finding]:
        scope, errors_only = self.scope, self.errors_only
        return [
            f
            for f in findings
            if (scope is None or scope.matches(f)) and (not errors_only or f.severity is Severity.ERROR)
        ]

    def _show_summary(self) -> None:
        seen = self.verdict
        counts = seen.counts if seen is not None else count(self.findings)
        text = Text()
        if seen is not None and seen.coverage is Coverage.BLIND:
            text.append("✖ Not diagnosed: the Applications could not be listed\n", style=render.RED)
        elif seen is not None and seen.clean:
            text.append("✔ No problems found  ", style=render.GREEN)
        elif seen is not None and seen.unseen:
            text.append(f"⚠ Not seen: {', '.join(seen.unseen)}\n", style=render.YELLOW)
        for severity in Severity:
            n = counts[severity.value]
            style = render.SEVERITY_STYLE[severity] if n else render.GREY
            word = plural(n, severity.value, "info" if severity is Severity.INFO else None)
            text.append(f"{render.SEVERITY_ICON[severity]} {word}  ", style=style)
        text.append("\n")
        if self.scope is not None:
            text.append("only ", style=render.GREY)
            text.append(self.scope.label, style="bold " + render.BLUE)
            text.append(f" ({self.matching_count} of {len(self.findings)})", style=render.GREY)
            text.append("  a: show all", style=render.GREY)
        else:
            leading = sum(1 for f in self.findings if f.is_root)
            text.append(f"{plural(leading, 'root cause')} of {self.matching_count}", style=render.GREY)
            text.append("  → unfolds", style=render.GREY)
        if self.matching_count > MAX_LISTED:
            text.append(f"  first {MAX_LISTED:,} listed: narrow with the tree", style=render.YELLOW)
        if self.errors_only:
            text.append("  errors only", style=render.RED)
        self.query_one("#diag-summary", Static).update(render.inert_text(text))

    def _show_detail(self) -> None:
        finding = self.current
        detail = self.query_one("#finding-detail", Static)
        fixes = self.query_one("#fix-list", OptionList)
        if finding is None:
            detail.update(render.lines(self._nothing_listed(), style=render.GREY))
            fixes.clear_options()
            self._detail_for = None
            return
        # The same finding redrawn after a live update keeps the fix the user had chosen.
        same = self._detail_for == finding_id(finding)
        chosen = fixes.highlighted if same and fixes.highlighted is not None else 0
        self._detail_for = finding_id(finding)
        causes = [c for c in self._chains.root_causes_of((finding,)) if c.id != finding.id]
        detail.update(render.finding_detail(finding, causes, self._chains.downstream(finding)))
        refusals = self._refusals if self._refusals_for == self._detail_for else {}
        fixes.set_options(
            Option(FixPrompt(n, fix, refusals.get(fix.id)), id=f"fix-{n}")
            for n, fix in enumerate(finding.fixes, start=1)
        )
        if finding.fixes:
            fixes.highlighted = min(chosen, len(finding.fixes) - 1)

    def _nothing_listed(self) -> str:
        """What an empty list means: "all passed" only when the verdict says every list succeeded."""
        if self.findings:
            return "Nothing here."
        seen = self.verdict
        if seen is None:
            return "No findings yet."
        if seen.clean:
            return "Every check passed on this snapshot."
        return seen.headline

    def show_refusals(self, finding: Finding, refusals: Mapping[str, str]) -> None:
        """Mark the fixes of `finding` that cannot run, with why; ignored when another finding is shown."""
        key = finding_id(finding)
        if key == self._refusals_for and refusals == self._refusals:
            return
        self._refusals_for, self._refusals = key, dict(refusals)
        if key == self._detail_for:
            self._show_detail()

    def refusal_of(self, fix: FixRef) -> str | None:
        """Why the current finding's fix cannot run, as last reviewed (None: it can, or not known)."""
        current = self.current
        if current is None or finding_id(current) != self._refusals_for:
            return None
        return self._refusals.get(fix.id)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.id == "finding-list":
            event.stop()
            self._show_detail()
            finding = self.current
            if finding is not None:
                self.post_message(self.FindingHighlighted(finding))

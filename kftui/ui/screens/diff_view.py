"""The diff view (`D`): desired vs live of one Application, only the drifting fields, why each drifts, the fix.

The desired and live state (Argo CD's managed resources, or the app's source rendered from --manifests:
kftui/desired.py chooses) are fetched in a thread worker; the first line says which. kftui/diffcmd.py and
kftui/drift.py find and classify the differences. With neither the view says what would enable it. `x` previews the drift fix (the
ignoreDifferences entries) through the usual fix screen and gate, `c` copies its YAML. Lines are cluster text:
the view's buffer makes them inert, as in the YAML view it shares its screen with.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from typing import Any

import yaml
from textual import work
from textual.message import Message

from kftui.desired import DesiredState
from kftui.diffcmd import ResourceDrift, ignore_entries, resource_drifts
from kftui.drift import DriftClass, ignore_entry
from kftui.ui import bindings
from kftui.ui.screens.text_screen import TextScreen

Fetch = Callable[[], DesiredState]
VALUE_LIMIT = 160

NO_SERVER = (
    "No diff: it needs the desired state, and kftui has neither an Argo CD",
    "server to ask nor a checkout to render it from. To enable it, start kftui",
    "with --argocd-server HOST (or ARGOCD_SERVER) and ARGOCD_AUTH_TOKEN (or",
    "ARGOCD_USERNAME / ARGOCD_PASSWORD), as the argocd CLI reads them; or,",
    "on a live cluster, with --manifests DIR (a checkout of the app's repo),",
    "rendered locally with kustomize at the app's path and revision.",
)


def _value(value: Any) -> str:
    if value is None:
        return "(absent)"
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 3] + "..."


def _resources(count: int) -> str:
    return "1 resource differs" if count == 1 else f"{count} resources differ"


def diff_lines(app: str, found: list[ResourceDrift], in_git: str = "") -> list[str]:
    """What the view shows: per resource, each differing field (live vs git), its class, and the fix.

    `in_git`: why the Application is managed from git by a parent app (its fix is then YAML for git)."""
    if not found:
        return [f"{app}: no difference between git and the cluster (after Argo CD's normalisation)."]
    lines = [f"{app}: {_resources(len(found))} from git"]
    if in_git:
        lines.append(f"{app} is managed from git by a parent app ({in_git}):")
        lines.append("its fix is YAML to commit there (c copies it); a patch here would be undone.")
    lines.append("")
    for res in found:
        lines.append(res.label)
        for drift in res.drifts:
            lines.append(f"  {drift.field.pointer}")
            lines.append(f"    live: {_value(drift.field.live)}")
            lines.append(f"    git:  {_value(drift.field.desired)}")
            lines.append(f"    {drift.cls.value}: {drift.reason}")
        entry = ignore_entry(res.group, res.kind, res.name, res.namespace, res.drifts)
        if entry:
            lines.append("  fix: ignore it (x previews the patch of the Application):")
            lines.extend(f"    {line}" for line in yaml.safe_dump([entry], sort_keys=False).splitlines())
        changes = sum(1 for d in res.drifts if d.cls is DriftClass.CHANGE)
        if changes:
            lines.append(f"  fix: sync it back (kftui sync {app}), or commit the live value to git")
        lines.append("")
    if not ignore_entries(found):
        lines.append(
            "Nothing here is explained by a controller, webhook or field manager: x has no patch to offer."
        )
    return lines


class DiffScreen(TextScreen):
    """One app's drift, scrollable and searchable; fetched once when it opens."""

    BINDINGS = bindings.DIFF_VIEW

    class Fetched(Message):
        def __init__(
            self, found: list[ResourceDrift] | None, error: str | None, state: DesiredState | None = None
        ) -> None:
            super().__init__()
            self.found = found
            self.error = error
            self.state = state

    def __init__(
        self,
        app_name: str,
        fetch: Fetch | None,
        on_found: Callable[[str, list[ResourceDrift]], None] | None = None,
        on_fix: Callable[[str, list[ResourceDrift], bool], None] | None = None,
        focus: tuple[str, str, str] | None = None,
        in_git: str = "",
    ) -> None:
        """`fetch` None: no desired state to be had (no Argo CD server, no --manifests). `on_fix(app, found, copy)` previews (or copies) the
        fix; `focus` (kind, namespace, name) puts the cursor on that resource's lines; `in_git` says why the
        Application is managed from git by a parent app (its fix is then YAML for git)."""
        super().__init__(f"Diff {app_name}")
        self.app_name = app_name
        self.fetch = fetch
        self.on_found = on_found
        self.on_fix = on_fix
        self.focus_on = focus
        self.in_git = in_git
        self.found: list[ResourceDrift] | None = None
        self.state = "loading" if fetch is not None else "no desired state"
        self.source_label = "Argo CD normalised" if fetch is not None else ""

    def on_mount(self) -> None:
        if self.fetch is None:
            self.show_lines(list(NO_SERVER))
            return
        self.show_lines([f"(fetching the desired and live state of {self.app_name}…)"])
        self._load()

    def header_detail(self) -> str:
        source = f" ({self.source_label})" if self.source_label else ""
        return f"git vs live{source}  |  {self.state}"

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False, description="fetch diff")
    def _load(self) -> None:
        fetch = self.fetch
        assert fetch is not None
        try:
            state = fetch()
            message = self.Fetched(resource_drifts(state.items), None, state)
        except Exception as exc:  # one line on screen, never a traceback
            message = self.Fetched(None, str(exc) or type(exc).__name__)
        with contextlib.suppress(RuntimeError):
            self.post_message(message)

    def on_diff_screen_fetched(self, message: Fetched) -> None:
        if message.found is None:
            self.state = "not available"
            self.show_lines([f"Cannot show the diff: {message.error}".replace("\n", " ")])
        else:
            self.found = message.found
            count = len(message.found)
            self.state = _resources(count) if count else "no difference"
            head: list[str] = []
            if message.state is not None:
                self.source_label = "rendered locally" if message.state.local else "Argo CD normalised"
                head = [message.state.origin, *(f"note: {n}" for n in message.state.notes), ""]
            self.show_lines([*head, *diff_lines(self.app_name, message.found, self.in_git)])
            # After the layout has the new height: the view otherwise keeps to the newest line, like a log.
            self.call_after_refresh(self._show_start, message.found)
            if self.on_found is not None:
                self.on_found(self.app_name, message.found)
        self.set_header(self.header_detail())

    def _show_start(self, found: list[ResourceDrift]) -> None:
        """The top of the diff, or the selected resource's lines when one was selected."""
        view = self.view
        view.pinned = False
        for res in found:
            if self.focus_on == (res.kind, res.namespace, res.name):
                index = self.buffer.next_match(res.label, -1, True)
                if index is not None:
                    view.show_line(index)
                    return
        view.scroll_to(0, 0, animate=False, immediate=True, force=True)

    def action_fix(self) -> None:
        self._fix(copy=False)

    def action_copy_fix(self) -> None:
        self._fix(copy=True)

    def _fix(self, copy: bool) -> None:
        if self.found is None:
            self.notify("No diff to fix yet.", severity="warning", markup=False)
            return
        if self.on_fix is not None:
            self.on_fix(self.app_name, self.found, copy)

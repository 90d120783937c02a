"""Messages that carry data from the source's thread workers to the app, the one owner of the snapshot.

Workers never touch widgets: they post one of these (post_message is thread-safe) and the app applies it on
its own event loop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from textual.message import Message

from kftui.cluster.source import Changes, ConnectionStatus, SnapshotSource
from kftui.model import ClusterSnapshot, Finding, Key
from kftui.ui.tree_model import FilterResult, TreeModel

if TYPE_CHECKING:
    from kftui.fixes.runtime import FixRuntime


class SnapshotLoaded(Message):
    """The source produced a complete snapshot (first load or an explicit refresh)."""

    def __init__(self, snapshot: ClusterSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class LoadProgress(Message):
    """A long first load got this far: `objects` read (a big dump file)."""

    def __init__(self, objects: int) -> None:
        super().__init__()
        self.objects = objects


class LoadFailed(Message):
    """The source could not produce a snapshot; `reason` is one line for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ChangesArrived(Message):
    """A batch of watch events from `source.follow`; the app coalesces bursts before applying them."""

    def __init__(self, changes: Changes) -> None:
        super().__init__()
        self.changes = changes


class ConnectionChanged(Message):
    """The link to the API server changed state (LIVE, RECONNECTING with a reason, OFFLINE)."""

    def __init__(self, status: ConnectionStatus) -> None:
        super().__init__()
        self.status = status


class PodLogsLoaded(Message):
    """A log tail fetched in a thread worker for the pod the details pane shows."""

    def __init__(self, pod_key: Key, text: str) -> None:
        super().__init__()
        self.pod_key = pod_key
        self.text = text


class Analysed(Message):
    """Checks and the tree model computed off the event loop for one snapshot (20,000 pods take a while)."""

    def __init__(
        self,
        snapshot: ClusterSnapshot,
        findings: list[Finding],
        model: TreeModel,
        filtered: FilterResult | None = None,
    ) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.findings = findings
        self.model = model
        self.filtered = filtered


class FixesReviewed(Message):
    """Which fixes of a finding cannot run and why (permissions asked of the cluster in a thread worker)."""

    def __init__(self, finding: Finding, refusals: Mapping[str, str]) -> None:
        super().__init__()
        self.finding = finding
        self.refusals = refusals


class SourceSwitched(Message):
    """`:ctx NAME` built the source and fix runtime for another kube context or Argo CD server."""

    def __init__(self, source: SnapshotSource, fixes: FixRuntime, active: str) -> None:
        super().__init__()
        self.source = source
        self.fixes = fixes
        self.active = active


class SwitchFailed(Message):
    """`:ctx NAME` could not build what it names; `reason` is one line for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

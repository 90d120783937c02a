"""What `kftui conflicts` reports: duplicates with their include chains, skipped remotes, errors, agreement."""

from __future__ import annotations

from dataclasses import dataclass, field

from kftui.kustomize.resid import ResId


class ConflictsError(Exception):
    """The analysis cannot start (PATH missing, not a directory, no kustomization); the message is one line."""


@dataclass(frozen=True)
class IncludeChain:
    """How one copy of a resource reaches the root.

    `dirs` runs from the analyzed root (".") down to the directory whose kustomization lists the file that defines
    the resource (or whose generator makes it), one entry per kustomization or component on the way, each relative
    to the root in POSIX form. `file` is that defining file, relative to the root; for generated resources it is
    the kustomization file followed by `#configMapGenerator:<name>` or `#secretGenerator:<name>`.
    """

    dirs: tuple[str, ...]
    file: str
    entries: tuple[
        str, ...
    ] = ()  # each step as its kustomization spells it (`base/`, `./base`): what is printed

    @property
    def spelled(self) -> tuple[str, ...]:
        return self.entries or self.dirs


@dataclass(frozen=True)
class Duplicate:
    """One resource id brought into a kustomization more than once.

    `id` is the id kustomize prints when it stops (the incoming copy's id at the moment the copies meet, so it
    carries every prefix, suffix and namespace applied below that point). `met_at` is the directory being
    accumulated when the copies meet: a kustomization, or a component (whose resources land in its parent's
    accumulator). `message` is the error kustomize gives there, with the id in the format above. `chains` lists every copy, in the
    order kustomize accumulates them.
    """

    id: ResId
    met_at: str
    message: str
    chains: tuple[IncludeChain, ...]

    @property
    def kind(self) -> str:
        return self.id.kind

    @property
    def name(self) -> str:
        return self.id.name

    @property
    def namespace(self) -> str | None:
        return self.id.namespace or None


@dataclass(frozen=True)
class RootCause:
    """One include that brings a whole base a second time, and every duplicate that follows from it.

    `includes` are the entries (as spelled) through which each copy leaves `where`, the kustomization where the
    chains part; `base` is the directory all copies come through. `first` is the duplicate kustomize meets first;
    `follow_ons` are the others with the same includes and base, in kustomize's order.
    """

    where: str
    includes: tuple[str, ...]
    base: str
    first: Duplicate
    follow_ons: tuple[Duplicate, ...]

    @property
    def sentence(self) -> str:
        more = f"with {len(self.follow_ons)} more resource{'s' if len(self.follow_ons) != 1 else ''}"
        first, later = self.includes[0], self.includes[1:]
        if len(later) == 1:
            return f"include {later[0]} in {self.where} brings {self.base} a second time (first through {first}), {more}"
        return f"includes {', '.join(later)} in {self.where} bring {self.base} again (first through {first}), {more}"


@dataclass(frozen=True)
class Skipped:
    """An entry the analysis did not follow (remote bases, Helm charts, plugins): what, from where, and why."""

    entry: str
    referenced_from: str
    field: str
    reason: str


@dataclass(frozen=True)
class Problem:
    """Something kustomize itself would refuse (missing path, cycle, malformed YAML), found at `directory`."""

    message: str
    directory: str
    chain: tuple[str, ...]


@dataclass(frozen=True)
class RealBuildResult:
    """The outcome of running the real `kustomize build` (or `kubectl kustomize`) on the same tree.

    `duplicate_id` is set when the build failed because of a duplicate id (kustomize stops at the first one);
    `error` holds the error text when the build failed for any reason.
    """

    command: tuple[str, ...]
    ok: bool
    duplicate_id: ResId | None = None
    error: str = ""
    timed_out: bool = False


@dataclass(frozen=True)
class Agreement:
    """Whether the static analysis and the real build tell the same story; None when the build cannot tell."""

    agrees: bool | None
    reason: str


@dataclass(frozen=True)
class ConflictReport:
    """Everything `kftui conflicts PATH` found.

    `duplicates` are in the order kustomize would meet them; `first_failure` is the message of whichever comes
    first, a duplicate or an error, i.e. where the real build is expected to stop. `notes` name features the
    analysis saw but does not model. `real_build` and `agreement` are filled in by `with_real_build`.
    `uncertain` duplicates involve a resource whose name or namespace the analysis cannot know: they are not
    counted as conflicts.
    """

    root: str
    duplicates: tuple[Duplicate, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    first_failure: str | None = None
    real_build: RealBuildResult | None = None
    agreement: Agreement | None = field(default=None)
    uncertain: tuple[
        Duplicate, ...
    ] = ()  # copies that may or may not meet: a rename the analysis cannot follow
    causes: tuple[RootCause, ...] = ()  # duplicates that one include explains, grouped (causes.py)

    @property
    def ok(self) -> bool:
        return not self.duplicates and not self.errors

"""kustomize-duplicate-id: two includes of one kustomization bring in the same resource.

kustomize refuses to build ("may not add resource with an already registered id: <id>"), so the
Application never renders: Argo CD shows a ComparisonError and sync status Unknown. Nothing has been
applied, which is why sync waves, retries and `argocd app sync --force` (the deployment guide's advice)
cannot help: the fix is in git.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from kftui.checks import fixrefs
from kftui.checks.evidence import all_messages, squash
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.profile import Profile

CHECK_ID = "kustomize-duplicate-id"

# kustomize >= 4: "may not add resource with an already registered id: ConfigMap.v1.[noGrp]/foo.kubeflow";
# kustomize 3 wrote ids as "~G_v1_ConfigMap|~X|foo" and some builds say "id '...' already used".
# The id is the word after the first marker or before the second; an id holds no colon, so one that
# follows it ("...kubeflow: while merging") is not part of it.
_MARKERS = re.compile(
    r"may not add resource with an already registered id:? ?([^\s:]*)|(\S+) already used", re.IGNORECASE
)
_FROM_PATH = re.compile(r"accumulating resources from '([^']+)'")


@dataclass(frozen=True, slots=True)
class ResourceId:
    """A kustomize resource id, as the error names it."""

    kind: str
    version: str
    group: str
    name: str
    namespace: str | None

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.kind, self.namespace, self.name)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.namespace, self.name)


def parse_resource_id(text: str) -> ResourceId | None:
    """`Kind.version.group/name.namespace` (kustomize 4/5, `[noGrp]`, `[noNs]`, `[noVer]` placeholders)
    or `group_version_Kind|namespace|name` (kustomize 3, `~G`, `~X` placeholders); None if neither."""
    text = text.strip().strip("'\"").rstrip(",;")
    if "|" in text:
        parts = text.split("|")
        if len(parts) != 3:
            return None
        gvk, ns, name = parts
        pieces = gvk.split("_")
        if len(pieces) < 3 or not name:
            return None
        group, version, kind = "_".join(pieces[:-2]), pieces[-2], pieces[-1]
        return ResourceId(
            kind=kind,
            version="" if version == "~V" else version,
            group="" if group == "~G" else group,
            name=name,
            namespace=None if ns in ("~X", "") else ns,
        )
    if "/" not in text:
        return None
    gvk, _, rest = text.partition("/")
    kind, _, vg = gvk.partition(".")
    version, _, group = vg.partition(".")
    if "." not in rest or not kind:
        return None
    name, _, ns = rest.rpartition(".")
    if not name:
        return None
    return ResourceId(
        kind=kind,
        version="" if version == "[noVer]" else version,
        group="" if group == "[noGrp]" else group,
        name=name,
        namespace=None if ns in ("[noNs]", "") else ns,
    )


def find_duplicate_id(message: str) -> tuple[ResourceId, str] | None:
    """The duplicated resource and the include path kustomize was merging when it noticed, if any."""
    text = squash(message)
    if "already" not in text.lower():
        return None  # (both markers say it: a substring test spares the search in nearly every message)
    marker = _MARKERS.search(text)
    if marker is None:
        return None
    rid = parse_resource_id(next(word for word in marker.groups() if word is not None))
    if rid is None:
        return None
    paths = _FROM_PATH.findall(text[: marker.start()])
    return rid, (paths[-1] if paths else "")


def kustomize_duplicate_id(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """kustomize build failed with `may not add resource with an already registered id: <id>`.

    Seen in status.conditions[ComparisonError] (and in a failed sync's message); documented in the Kubeflow
    deployment guide (metacontroller's ClusterRole included twice). The subject is the duplicated resource.
    """
    seen: set[tuple[str, tuple[str, str | None, str]]] = set()
    for msg in all_messages(snapshot):
        found = find_duplicate_id(msg.text)
        if found is None:
            continue
        rid, include = found
        if (msg.app.name, rid.key) in seen:
            continue
        seen.add((msg.app.name, rid.key))
        app = msg.app
        gv = f"{rid.group}/{rid.version}" if rid.group else rid.version
        where = f"namespace {rid.namespace}" if rid.namespace else "cluster-scoped"
        evidence = msg.quoted
        if include:
            evidence += f"\nkustomize was merging '{include}' when it met the resource a second time"
        yield Finding(
            check=CHECK_ID,
            severity=Severity.ERROR,
            app=app.name,
            subject=rid.ref,
            title=f"{app.name} cannot render: {rid.kind} {rid.name} is included twice",
            evidence=evidence,
            explanation=(
                f"kustomize refuses to build {app.path or 'the app path'} because two of its includes both "
                f"bring in {rid.kind} {rid.name} ({gv}, {where}). This fails at kustomize build time, before "
                "anything is applied, so sync waves, retries and force sync cannot fix it. Either remove one "
                "of the two includes (or delete the copy with a `$patch: delete` patch) so the resource "
                "comes in once (fix: edit-manifests), or move one of the components into its own Application "
                "(fix: split-application). Then hard refresh (fix: hard-refresh)."
                + (
                    f" kustomize failed while merging '{include}', so that is one of the two."
                    if include
                    else ""
                )
            ),
            fixes=(
                fixrefs.edit_manifests(app.name, app.path),
                fixrefs.split_application(app.name, app.repo_url, app.dest_namespace),
                fixrefs.hard_refresh(app.name),
            ),
        )


ChainsById = Mapping[tuple[str, str | None, str], list[list[str]]]
"""(kind, namespace or None, name) -> every include chain that brings the resource in."""


def attach_chains(
    findings: Iterable[Finding],
    chains_by_id: ChainsById,
) -> list[Finding]:
    """Add the include chains the kustomize analyzer found (`kftui conflicts`) to duplicate-id findings.

    Keyed by (kind, namespace or None, name), the finding's subject. Each chain is the list of paths from
    the app's kustomization to the file that declares the resource. Other findings pass through unchanged.
    """
    out: list[Finding] = []
    for finding in findings:
        chains = chains_by_id.get((finding.subject.kind, finding.subject.namespace, finding.subject.name))
        if finding.check != CHECK_ID or not chains:
            out.append(finding)
            continue
        lines = [f"include chain {i}: " + " -> ".join(chain) for i, chain in enumerate(chains, start=1)]
        out.append(replace(finding, evidence=finding.evidence + "\n" + "\n".join(lines)))
    return out

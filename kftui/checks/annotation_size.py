"""annotation-too-long: an object too large for client-side apply's last-applied-configuration annotation.

Recognised from the messages Argo CD records (sync results, operationState, conditions) in the wordings of
several Kubernetes and Argo CD versions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kftui.checks import fixrefs
from kftui.checks.evidence import all_messages, squash
from kftui.model import ClusterSnapshot, Finding, ObjectRef, Severity
from kftui.profile import Profile

_TOO_LONG = re.compile(
    r"Too long: (?:may not be more than|must have at most) (?P<limit>\d+) (?:bytes|characters)", re.IGNORECASE
)
# `The CustomResourceDefinition "x" is invalid` (kubectl) or `CustomResourceDefinition.apiextensions.k8s.io "x" is invalid`
_INVALID_OBJ = re.compile(r'(?:The )?(?P<kind>[A-Z]\w*)(?:\.[\w.-]+)? "(?P<name>[^"]+)" is invalid')


def annotation_too_long(snapshot: ClusterSnapshot, profile: Profile) -> Iterator[Finding]:
    """`metadata.annotations: Too long: may not be more than 262144 bytes` (Kubernetes < 1.32) or
    `must have at most 262144 bytes` (newer): client-side apply's last-applied-configuration annotation of
    a large CRD exceeds the 256 KiB limit. Documented in Argo CD's sync options (ServerSideApply)."""
    seen: set[tuple[str, str]] = set()
    for msg in all_messages(snapshot):
        text = squash(msg.text)
        m = _TOO_LONG.search(text)
        if m is None or "annotations" not in text.lower():
            continue
        subject = msg.resource
        if subject is None:
            inv = _INVALID_OBJ.search(text)
            subject = ObjectRef(inv.group("kind"), None, inv.group("name")) if inv else msg.app.ref
        if (msg.app.name, str(subject)) in seen or (subject == msg.app.ref and (msg.app.name, "*") in seen):
            continue
        seen.update({(msg.app.name, str(subject)), (msg.app.name, "*")})
        app = msg.app
        ssa_on = any(o.replace(" ", "") == "ServerSideApply=true" for o in app.sync_options)
        yield Finding(
            check="annotation-too-long",
            severity=Severity.ERROR,
            app=app.name,
            subject=subject,
            title=f"{app.name}: {subject.kind} {subject.name} is too large for client-side apply",
            evidence=msg.quoted,
            explanation=(
                "Client-side apply copies the whole object into the kubectl.kubernetes.io/last-applied-configuration "
                f"annotation, and all annotations together may hold at most {m.group('limit')} bytes; big CRDs "
                "(Kubeflow's, Argo Workflows', Knative's) do not fit. Sync with server-side apply (fix: "
                "server-side-apply), and make it permanent with `ServerSideApply=true` in the app's syncOptions"
                + (
                    " (the app already sets it, so check for a per-resource `ServerSideApply=false` or `Replace=true` "
                    "sync-options annotation overriding it)."
                    if ssa_on
                    else "."
                )
                + " Replace (fix: replace) also works but deletes and recreates the object."
            ),
            fixes=(fixrefs.server_side_apply(app.name), fixrefs.replace_sync(app.name)),
        )

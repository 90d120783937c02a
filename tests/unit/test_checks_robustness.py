"""No message Argo CD or the API server might write can crash a check (a crash shows as 'could not run')."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kftui.checks.registry import run_checks
from kftui.profile import builtin_profile
from tests.unit.fixtures.builders import failed_operation, find, fresh, snapshot, sync_result

KUBEFLOW = builtin_profile("kubeflow")
FRAGMENTS = [
    "may not add resource with an already registered id: ",
    "already used",
    "is part of applications ",
    "is part of a different application: ",
    'no matches for kind "',
    "The Kubernetes API could not find ",
    "Too long: must have at most 262144 bytes",
    "metadata.annotations: ",
    'failed calling webhook "',
    'no endpoints available for service "',
    "https://x.y.svc:443/",
    "Namespace for ",
    " is missing.",
    'namespaces "',
    "app path does not exist",
    "Unable to resolve '",
    "' to a commit SHA",
    "accumulating resources from '",
    "/",
    ".",
    "|",
    "~X",
    "[noNs]",
    '"',
    "'",
    " ",
]
messages = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=8)), max_size=12).map("".join)


@settings(max_examples=150, deadline=None)
@given(condition=messages, result=messages, summary=messages)
def test_no_message_crashes_a_check(condition: str, result: str, summary: str) -> None:
    objects = fresh()
    app = find(objects, "Application", "kubeflow-pipelines")
    app["status"]["conditions"] = [{"type": "ComparisonError", "message": condition}]
    app["status"]["operationState"] = failed_operation(
        summary, [sync_result("ConfigMap", "x", "kubeflow", result)]
    )
    findings = run_checks(snapshot(objects), KUBEFLOW)
    crashed = [f for f in findings if f.subject.kind == "Check"]
    assert crashed == [], crashed[0].evidence if crashed else ""

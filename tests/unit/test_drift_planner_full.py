"""ignore-drift's plan in full: every line of its preview (counts of what the app keeps, the YAML in the order
drift.py writes it), its title and target, and what it shows when it has nothing to write or no app."""

from __future__ import annotations

import pytest

from kftui.fixes.drift_planner import NO_DIFF, plan_ignore_drift
from kftui.fixes.plan import plan_action
from kftui.fixes.plans import PlanError
from kftui.fixes.registry import FIXES
from kftui.model import ObjectRef
from tests.unit.test_drift_fix import CA, OLD, argo_with, plan, snapshot

SPEC = FIXES["ignore-drift"]
CA_YAML = """spec:
  ignoreDifferences:
  - group: admissionregistration.k8s.io
    kind: ValidatingWebhookConfiguration
    name: drift-webhook
    jsonPointers:
    - /webhooks/0/clientConfig/caBundle
  syncPolicy:
    syncOptions:
    - RespectIgnoreDifferences=true
"""


def test_the_preview_counts_what_the_app_keeps_and_shows_the_yaml_in_drift_pys_order() -> None:
    argo = argo_with(ignore_differences=(OLD,), sync_options=("CreateNamespace=true", "PruneLast=true"))
    p = plan(argo, [CA])
    assert p.add_yaml == CA_YAML
    assert p.changes == (
        "add to Application argocd/drift (1 ignoreDifferences entry and 2 sync option(s) already there are kept):",
        CA_YAML.rstrip("\n"),
        "after the next refresh Argo CD compares without these fields: the app can be Synced",
    )
    assert p.warnings == ("ignored fields are no longer compared: a later real change to them goes unseen",)
    assert p.title == "Ignore the explained drift of drift (ignoreDifferences)"
    assert p.app == "drift" and p.in_git == "" and p.blocked is None


def test_an_app_with_no_entries_or_with_several_says_entries() -> None:
    none = plan(argo_with(), [CA])
    assert none.changes[0] == (
        "add to Application argocd/drift (0 ignoreDifferences entries and 0 sync option(s) already there are kept):"
    )
    two = plan(argo_with(ignore_differences=(OLD, {**OLD, "kind": "StatefulSet"})), [CA])
    assert two.changes[0].startswith("add to Application argocd/drift (2 ignoreDifferences entries and ")


def test_with_nothing_to_write_the_preview_is_empty_and_warns_of_nothing() -> None:
    for entries in (None, []):
        p = plan(argo_with(), entries)
        assert (p.changes, p.warnings, p.add_yaml, p.entries) == ((), (), "", ())


def test_the_registry_planner_knows_no_diff_and_an_app_named_without_a_namespace_is_argo_cds() -> None:
    p = plan_action("ignore-drift", ObjectRef("Application", None, "drift"), snapshot(argo_with()))
    assert p.blocked == NO_DIFF.format(app="drift")
    assert p.target == ObjectRef("Application", "argocd", "drift")
    assert p.command.startswith("kubectl patch application drift -n argocd --type=merge -p ")
    found = plan_ignore_drift(SPEC, ObjectRef("Application", None, "drift"), snapshot(argo_with()), [CA])
    assert found.blocked is None and found.entries == (CA,)


def test_an_app_not_in_the_snapshot_is_blocked_but_the_yaml_is_still_shown() -> None:
    p = plan(argo_with(), [CA], name="gone")
    assert p.blocked == "Application gone is not in the current snapshot"
    assert p.add_yaml == CA_YAML and p.in_git == "" and p.title.endswith("(ignoreDifferences)")


def test_anything_but_an_application_is_refused_by_name() -> None:
    with pytest.raises(PlanError) as refused:
        plan_action("ignore-drift", ObjectRef("Deployment", "kubeflow", "x"), snapshot(argo_with()))
    assert str(refused.value) == "ignore-drift acts on an Application, not on Deployment/kubeflow/x"


def test_the_patch_written_is_the_apps_lists_in_full_with_the_new_entry_appended() -> None:
    p = plan(argo_with(ignore_differences=(OLD,), sync_options=("CreateNamespace=true",)), [CA])
    assert p.patch == {
        "spec": {
            "ignoreDifferences": [OLD, CA],
            "syncPolicy": {"syncOptions": ["CreateNamespace=true", "RespectIgnoreDifferences=true"]},
        }
    }


def test_an_app_managed_from_git_is_blocked_naming_the_parent_and_why_a_patch_would_not_last() -> None:
    p = plan(argo_with(labels={"app.kubernetes.io/instance": "parent"}), [CA])
    assert p.blocked == (
        "drift is managed from git by a parent app (label app.kubernetes.io/instance=parent): commit the YAML "
        "above to git, a patch here would be undone by the parent's next sync"
    )
    assert p.title == "Ignore the explained drift of drift (ignoreDifferences) (for git)"

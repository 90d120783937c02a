"""Issue 4 on the real lab: Argo CD's own error becomes a duplicate-id finding with both include chains, and
an app chain out of order becomes dependency-order naming the blocking app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.lab import scenarios

pytestmark = pytest.mark.e2e


def kftui_check(lab, *extra: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "kftui",
            "check",
            "--kubeconfig",
            str(lab.kubeconfig),
            "--output",
            "json",
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _root_causes(by_id: dict, start: str) -> set[str]:  # type: ignore[type-arg]
    """The ids of the root causes the finding `start` leads back to through `caused_by`."""
    found: set[str] = set()
    seen: set[str] = set()
    stack = [start]
    while stack:
        key = stack.pop()
        if key in seen or key not in by_id:
            continue
        seen.add(key)
        if not by_id[key]["caused_by"]:
            found.add(key)
        stack.extend(by_id[key]["caused_by"])
    return found


def test_real_comparison_error_becomes_a_duplicate_id_finding_with_both_chains(lab) -> None:  # type: ignore[no-untyped-def]
    overlay = Path(lab.repos_dir) / "duplicate" / "overlay"
    assert (overlay / "kustomization.yaml").exists(), "the scenario repo's work tree is the manifests tree"

    def finding() -> tuple[dict, dict] | None:  # type: ignore[type-arg]
        """The duplicate-id finding and the app's sync-status finding, which quote the same ComparisonError."""
        data = kftui_check(lab, "--manifests", str(overlay))
        mine = {f["check"]: f for f in data["findings"] if f["app"] == "duplicate"}
        if "kustomize-duplicate-id" not in mine or "app-out-of-sync" not in mine:
            return None
        return mine["kustomize-duplicate-id"], mine["app-out-of-sync"]

    dup, unknown = lab.wait_for(
        finding, 180, "kustomize-duplicate-id and app-out-of-sync for the duplicate app"
    )
    # One cause, one root: the app's Unknown sync status folds under the duplicate id it quotes.
    assert dup["caused_by"] == [] and unknown["caused_by"] == [dup["id"]], (dup["id"], unknown["caused_by"])
    assert (dup["subject"]["kind"], dup["subject"]["name"], dup["subject"]["namespace"]) == (
        "ClusterRole",
        "kubeflow-pipelines-view",
        None,
    )
    evidence = "\n".join(dup["evidence"])  # (a list: one item per piece of evidence)
    assert scenarios.DUPLICATE_ERROR in evidence, "the evidence quotes Argo CD's real message"
    assert "../base-a" in evidence and "../base-b" in evidence, evidence
    assert "force-sync" not in {fix["id"] for fix in dup["fixes"]}, "force sync cannot fix a build-time error"


def _fast_profile(tmp_path: Path) -> Path:
    """The Kubeflow profile with a one-second grace, so a just-broken dependency counts at once."""
    from importlib import resources

    raw = yaml.safe_load(resources.files("kftui.data").joinpath("profiles", "kubeflow.yaml").read_text())
    raw["progressing_grace_seconds"] = 1
    path = tmp_path / "profile.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def test_chain_out_of_order_names_the_blocking_app(lab, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def healthy(name: str) -> bool:
        health = lab.app(name).get("status", {}).get("health", {}).get("status")
        return health == "Healthy"

    lab.wait_for(
        lambda: healthy("kubeflow") and healthy("kubeflow-seaweedfs"), 240, "the kubeflow chain Healthy"
    )
    repo = Path(lab.repos_dir) / "kubeflow"
    original = (repo / "apps/kustomization.yaml").read_text()
    broken = scenarios._y(
        scenarios._deployment(
            "kubeflow-core-broken",
            "kubeflow",
            "registry.invalid/core:v1",
            8080,
            pod_labels={"kftui.lab/crash-loop": "true"},
        )
    )
    kustomization = yaml.safe_load(original)
    kustomization["resources"].append("broken.yaml")
    profile = _fast_profile(tmp_path)
    try:
        lab.commit("kubeflow", "apps/broken.yaml", broken, "core: a component that crash-loops")
        lab.commit("kubeflow", "apps/kustomization.yaml", yaml.safe_dump(kustomization), "core: include it")
        lab.refresh("kubeflow")

        def blocked() -> dict | None:  # type: ignore[type-arg]
            """The dependency-order finding, once its chain leads back to the crash-looping pod."""
            data = kftui_check(lab, "--profile", str(profile))
            found = next(
                (
                    f
                    for f in data["findings"]
                    if f["check"] == "dependency-order" and f["app"] == "kubeflow-seaweedfs"
                ),
                None,
            )
            if found is None:
                return None
            by_id = {f["id"]: f for f in data["findings"]}
            roots = [by_id[r] for r in _root_causes(by_id, found["id"])]
            crash = [r for r in roots if r["check"] == "pod-failing" and "kubeflow-core-broken" in r["id"]]
            if not crash:
                return None
            assert data["summary"]["root_causes"] == sum(1 for f in data["findings"] if not f["caused_by"])
            return found

        finding = lab.wait_for(
            blocked,
            240,
            "dependency-order for kubeflow-seaweedfs, caused by the crash-looping pod, while kubeflow is unhealthy",
        )
        assert "blocked by kubeflow" in finding["title"] + "\n".join(finding["evidence"])
        assert "ordered-sync" in {fix["id"] for fix in finding["fixes"]}
        assert finding["caused_by"], (
            "a blocked app is a consequence, never a root cause, while its cause is seen"
        )
    finally:
        lab.commit("kubeflow", "apps/kustomization.yaml", original, "core: drop the crash-looping component")
        lab.refresh("kubeflow")
        lab.wait_for(lambda: healthy("kubeflow"), 240, "kubeflow Healthy again after the revert (auto-prune)")

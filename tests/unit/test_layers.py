"""The layering contract of STYLE.md: the pure core imports neither Textual nor the Kubernetes client."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "kftui"
PURE = [
    "model",
    "kinds.py",
    "profile.py",
    "topology.py",
    "report.py",
    "textsafe.py",
    "shellcmd.py",
    "cronspec.py",
    "drift.py",
    "diffcmd.py",
    "syncview.py",
    "syncblocker.py",
    "localdiff.py",
    "checks",
    "kustomize",
    "fixes/plan.py",
    "fixes/plans.py",
    "fixes/app_planners.py",
    "fixes/kube_planners.py",
    "fixes/stuck_planners.py",
    "fixes/drift_planner.py",
    "fixes/argo_planners.py",
    "fixes/registry.py",
    "fixes/permissions.py",
    "cluster/ops.py",
    "cluster/convert.py",
    "cluster/fields.py",
    "cluster/objects.py",
    "cluster/applications.py",
    "cluster/pages.py",
    "ui/scheduler.py",
    "ui/tree_keys.py",
    "ui/logbuffer.py",
    "ui/savefile.py",
    "ui/timeline.py",
    "ui/app_order.py",
    "ui/clipboard.py",
    "ui/command_line.py",
    "ui/hints.py",
    "ui/preflight.py",
]
# Code that reaches the API server through the HTTP seam (cluster/http.py) only: it imports neither the
# Kubernetes client nor the seam's implementation over it, so tests can give it a fake of the seam.
BEHIND_THE_SEAM = [
    "cluster/listing.py",
    "cluster/watch.py",
    "cluster/probe.py",
    "cluster/appops.py",
    "cluster/access.py",
    "cluster/portforward.py",
    "cluster/logs.py",
    "cluster/manifest.py",
    "cluster/liveobjects.py",
]
FORBIDDEN = ("textual", "kubernetes", "httpx", "urllib3")


def _python_files(entry: str) -> list[Path]:
    target = PACKAGE / entry
    if target.is_dir():
        return sorted(target.rglob("*.py"))
    assert target.exists(), f"the layering contract names {entry}, which does not exist: update PURE"
    return [target]


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("entry", PURE)
def test_pure_layers_import_no_client_or_ui_library(entry: str) -> None:
    files = _python_files(entry)
    for path in files:
        bad = {m for m in _imported_modules(path) if m.split(".")[0] in FORBIDDEN}
        bad |= {m for m in _imported_modules(path) if m.startswith(("kftui.ui", "kftui.cluster.kube"))}
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {sorted(bad)}"


@pytest.mark.parametrize("entry", BEHIND_THE_SEAM)
def test_code_behind_the_http_seam_imports_no_client_library(entry: str) -> None:
    for path in _python_files(entry):
        imported = _imported_modules(path)
        bad = {
            m for m in imported if m.split(".")[0] in ("kubernetes", "urllib3") or m == "kftui.cluster.client"
        }
        assert not bad, f"{path.relative_to(PACKAGE.parent)} imports {sorted(bad)}"


def test_model_and_checks_load_without_textual_or_kubernetes() -> None:
    """Import the core in a fresh interpreter and confirm neither library was pulled in transitively."""
    code = (
        "import sys, kftui.model, kftui.checks.registry, kftui.profile, kftui.topology, kftui.report\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'kubernetes'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_contract_detects_a_violation(tmp_path: Path) -> None:
    """Guard against a contract test that cannot fail: a file importing textual is caught."""
    sample = tmp_path / "sample.py"
    sample.write_text("from textual.app import App\nimport kubernetes.client\n")
    assert {"textual.app", "kubernetes.client"} <= _imported_modules(sample)


MAX_MODULE_LINES = 400


def test_every_module_is_small_and_says_its_job_on_its_first_line() -> None:
    """One job per module (issue 14): under MAX_MODULE_LINES lines, and a docstring opening on line 1."""
    root = Path(__file__).resolve().parents[2] / "kftui"
    too_long, unexplained = [], []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > MAX_MODULE_LINES:
            too_long.append(f"{path.relative_to(root)}: {text.count(chr(10))} lines")
        if text.strip() and not text.startswith('"""'):
            unexplained.append(str(path.relative_to(root)))
    assert not too_long and not unexplained, (too_long, unexplained)

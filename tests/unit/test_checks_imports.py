"""The checks run headless (kftui check) and offline: they must never pull in Textual or the Kubernetes client."""

from __future__ import annotations

import subprocess
import sys


def test_checks_model_and_profile_import_neither_textual_nor_kubernetes() -> None:
    code = (
        "import sys\n"
        "import kftui.model, kftui.profile, kftui.checks.registry, kftui.checks.kustomize_ids\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'kubernetes'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""

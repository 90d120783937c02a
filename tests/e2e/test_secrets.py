"""A canary Secret in the lab never leaves the cluster through kftui: not in `kftui dump`, not in
`kftui check`, not in the audit log, and not on the screen (the TUI runs headless against the lab and
its rendered screen is exported as SVG and searched)."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kftui.cluster.kube import KubeSource
from kftui.ui.app import KftuiApp
from tests.e2e.fix_helpers import wait_for_first_analysis

CANARY = "kftui-canary-secret-d41c8e"


def forms(value: str) -> list[str]:
    """The value as it could leak: plain, and base64 as it sits in a Secret's `data`."""
    return [value, base64.b64encode(value.encode()).decode()]


def assert_no_canary(text: str, where: str) -> None:
    for form in forms(CANARY):
        assert form not in text, f"the canary ({form}) leaked into {where}"


@pytest.fixture(scope="module")
def canary(lab) -> Iterator[None]:  # type: ignore[no-untyped-def]
    for ns in ("argocd", "kubeflow"):
        lab.kubectl("delete", "secret", "kftui-canary", "-n", ns, "--ignore-not-found")
        made = lab.kubectl(
            "create",
            "secret",
            "generic",
            "kftui-canary",
            "-n",
            ns,
            f"--from-literal=password={CANARY}",
            # kubectl apply records the whole object in this annotation: a classic way for values to leak.
            "--save-config",
        )
        assert made.returncode == 0, made.stderr
    yield
    for ns in ("argocd", "kubeflow"):
        lab.kubectl("delete", "secret", "kftui-canary", "-n", ns, "--ignore-not-found")


def kftui(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kftui", *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_the_canary_is_really_in_the_cluster(lab, canary: None) -> None:  # type: ignore[no-untyped-def]
    """Otherwise the tests below could not fail."""
    secret = lab.get_json("secret", "kftui-canary", "-n", "argocd")
    assert base64.b64decode(secret["data"]["password"]).decode() == CANARY
    assert CANARY in secret["metadata"]["annotations"][
        "kubectl.kubernetes.io/last-applied-configuration"
    ] or (
        forms(CANARY)[1]
        in secret["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    )


def test_dump_never_contains_the_canary(lab, canary: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = kftui("dump", "--kubeconfig", str(lab.kubeconfig))
    assert out.returncode == 0, out.stderr
    assert "kftui-canary" in out.stdout, "the canary Secret itself is dumped (its values redacted)"
    assert_no_canary(out.stdout + out.stderr, "kftui dump")
    path = tmp_path / "dump.yaml"
    out = kftui("dump", str(path), "--kubeconfig", str(lab.kubeconfig))
    assert out.returncode == 0, out.stderr
    assert_no_canary(path.read_text() + out.stderr, "the dump file")


def test_check_never_contains_the_canary(lab, canary: None) -> None:  # type: ignore[no-untyped-def]
    for fmt in ("text", "json", "junit"):
        out = kftui("check", "-o", fmt, "--kubeconfig", str(lab.kubeconfig))
        assert out.returncode in (0, 1), out.stderr
        assert_no_canary(out.stdout + out.stderr, f"kftui check -o {fmt}")


async def test_screen_and_audit_log_never_contain_the_canary(lab, canary: None, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = KubeSource.from_kubeconfig(str(lab.kubeconfig), lab.context, lab.argocd_namespace)
    app = KftuiApp(source, read_only=True)
    screens: list[str] = []
    async with app.run_test(size=(220, 60)) as pilot:
        await wait_for_first_analysis(pilot, app)
        assert app.tree_model is not None, "the TUI never analysed the lab"
        screens.append(app.export_screenshot())
        # Walk the tree and the findings so details panes for many objects get rendered too.
        for key in ["down"] * 40 + ["tab"] + ["down"] * 20:
            await pilot.press(key)
            await pilot.pause(0.02)
            screens.append(app.export_screenshot())
    assert any("kftui" in s for s in screens)
    for i, svg in enumerate(screens):
        assert_no_canary(svg, f"screen #{i}")
    audit_dir = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local/state")) / "kftui"
    for log in [*audit_dir.glob("*.jsonl"), *tmp_path.glob("**/*")]:
        if log.is_file():
            assert_no_canary(log.read_text(errors="replace"), str(log))

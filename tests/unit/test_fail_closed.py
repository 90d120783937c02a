"""Fail closed: a kubeconfig kftui cannot use, Applications it cannot list, a dump without them, options
before the command. Each is one line and the right exit code, never a traceback or a false all-clear.

The API server here is a small HTTP listener on 127.0.0.1 that answers the lists kftui makes: empty core
lists, and 404 (not served) or 403 (forbidden) for the Argo CD Applications, as a cluster without Argo
CD's CRDs, or credentials without the right, would answer. The lab's e2e test does the same with RBAC.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from kftui.checks.coverage import Coverage, verdict
from kftui.checks.registry import run_checks
from kftui.cluster.dumpfile import load_demo
from kftui.cluster.kubeconfig import choose_kubeconfig
from kftui.cluster.source import SourceError
from kftui.profile import builtin_profile
from tests.unit.test_cli import _kubeconfig, kftui

APPLICATIONS = "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications"


def _status(code: int) -> dict[str, object]:
    reason = {403: "Forbidden", 404: "NotFound"}[code]
    message = (
        'applications.argoproj.io is forbidden: User "nobody" cannot list resource "applications"'
        if code == 403
        else "the server could not find the requested resource"
    )
    return {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "code": code,
            "message": message}  # fmt: skip


@pytest.fixture(params=[404, 403])
def no_applications_server(request: pytest.FixtureRequest) -> Iterator[tuple[str, int]]:
    """An API server where everything lists empty except the Applications, which answer 404 or 403."""
    code: int = request.param

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.startswith(APPLICATIONS) or not self.path.startswith("/api"):
                status, body = code, _status(code)
            elif "/configmaps/" in self.path:
                status, body = 404, _status(404)
            else:
                status, body = 200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []}
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)  # quick shutdown
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", code
    finally:
        server.shutdown()
        server.server_close()


BAD_KUBECONFIGS = {
    "nul byte": (b"apiVersion: v1\nkind: Config\x00\nclusters: []\n", "not valid YAML"),
    "not yaml": (b"clusters: [unclosed\n  contexts: {\n", "not valid YAML"),
    "yaml list": (b"- a\n- b\n", "not a kubeconfig"),
    "yaml mapping, not a kubeconfig": (b"hello: world\nitems: 3\n", "not a kubeconfig"),
    "another kind": (b"apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n", "not a kubeconfig"),
    "binary": (b"\xff\xfe\x00\x01garbage", "not a text file"),
    "empty": (b"", "empty"),
}


@pytest.mark.parametrize("case", sorted(BAD_KUBECONFIGS))
@pytest.mark.parametrize("command", [("check",), ("dump", "out.yaml"), ()], ids=["check", "dump", "tui"])
def test_every_kubeconfig_problem_is_one_line_naming_the_file_exit_2(
    tmp_path: Path, case: str, command: tuple[str, ...]
) -> None:
    content, reason = BAD_KUBECONFIGS[case]
    path = tmp_path / "my-kubeconfig"
    path.write_bytes(content)
    args = [a if a != "out.yaml" else str(tmp_path / "out.yaml") for a in command]
    out = kftui(*args, "--kubeconfig", str(path))
    assert out.returncode == 2, f"{case}: rc={out.returncode}\n{out.stderr}"
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith(f"kftui: error: kubeconfig {path}: ") and reason in line, line
    assert "Service host/port" not in line and "Traceback" not in out.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_a_bad_kubeconfig_in_the_environment_is_named_too(tmp_path: Path) -> None:
    path = tmp_path / "env-kubeconfig"
    path.write_bytes(b"\x00\x00")
    env = {"KUBECONFIG": str(path), "HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    with pytest.raises(SourceError, match=f"kubeconfig {path}: not valid YAML"):
        choose_kubeconfig(None, env)


def test_no_kubeconfig_anywhere_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"no kubeconfig: .*\.kube/config does not exist"):
        choose_kubeconfig(None, {"HOME": str(tmp_path)})
    # Only in a pod (the service host set, no kubeconfig) does kftui use the in-cluster account.
    assert choose_kubeconfig(None, {"KUBERNETES_SERVICE_HOST": "10.0.0.1"}).in_cluster


@pytest.mark.parametrize(
    "args",
    [
        ("--demo", "check", "-o", "json"),
        ("check", "--demo", "-o", "json"),
        ("--demo", "--argocd-namespace", "argocd", "check", "-o", "json"),
    ],
)
def test_global_options_work_before_or_after_the_command(args: tuple[str, ...]) -> None:
    out = kftui(*args)
    assert out.returncode == 1, out.stderr
    assert json.loads(out.stdout)["summary"]["error"] > 0


def test_a_kubeconfig_before_the_command_is_the_one_used(tmp_path: Path) -> None:
    path = tmp_path / "before"
    path.write_text("not: a kubeconfig\n")
    out = kftui("--kubeconfig", str(path), "check")
    assert out.returncode == 2 and f"kubeconfig {path}: not a kubeconfig" in out.stderr


def test_a_file_before_the_command_is_the_one_read(tmp_path: Path) -> None:
    path = tmp_path / "pods.yaml"
    path.write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"}})
    )
    out = kftui("--from-file", str(path), "check", "-o", "json")
    assert out.returncode == 1, out.stderr
    assert "applications-missing" in {f["check"] for f in json.loads(out.stdout)["findings"]}


def test_a_dump_with_pods_and_no_applications_is_an_error_not_clean(tmp_path: Path) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "ml-pipeline-0", "namespace": "kubeflow"},
        "status": {"phase": "Running"},
    }
    path = tmp_path / "pods-only.yaml"
    path.write_text(yaml.safe_dump(pod))
    out = kftui("check", "--from-file", str(path))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "No Argo CD Applications in namespace argocd" in out.stdout
    assert "no problems" not in out.stdout.lower()
    assert out.stdout.strip().splitlines()[-1].startswith("1 error")


def test_applications_that_cannot_be_listed_are_the_headline_and_exit_2(
    tmp_path: Path, no_applications_server: tuple[str, int]
) -> None:
    server, code = no_applications_server
    kubeconfig = str(_kubeconfig(tmp_path, server))
    text = kftui("check", "--kubeconfig", kubeconfig)
    assert text.returncode == 2, text.stdout + text.stderr
    (line,) = text.stderr.strip().splitlines()
    assert line.startswith("kftui: error: Cannot list the Argo CD Applications in namespace argocd")
    assert ("forbidden" if code == 403 else "not served") in line
    assert "the install was not diagnosed" in line
    assert text.stdout.splitlines()[1].startswith("BLIND ")
    assert "no problems" not in text.stdout.lower() and "0 errors" not in text.stdout
    report = kftui("check", "--kubeconfig", kubeconfig, "-o", "json")
    assert report.returncode == 2
    summary = json.loads(report.stdout)["summary"]
    assert summary["coverage"] == "blind" and "Application" in summary["unseen"]
    junit = kftui("check", "--kubeconfig", kubeconfig, "-o", "junit")
    assert junit.returncode == 2
    suite = ET.fromstring(junit.stdout.split("\n", 1)[1])
    coverage = next(case for case in suite if case.get("name") == "coverage")
    assert coverage.find("failure") is not None


def test_the_verdict_says_what_was_not_seen_and_only_then_no_problems() -> None:
    profile = builtin_profile()
    demo = load_demo()
    healthy = replace(demo, forbidden={})
    partial = replace(demo, forbidden={"Pod": "forbidden: cannot list Pod"})
    blind = replace(demo, forbidden={"Application": "forbidden: no"})
    for snapshot, coverage in (
        (healthy, Coverage.COMPLETE),
        (partial, Coverage.PARTIAL),
        (blind, Coverage.BLIND),
    ):
        seen = verdict(run_checks(snapshot, profile), snapshot)
        assert seen.coverage is coverage
        assert not (seen.clean and coverage is not Coverage.COMPLETE)
    partial_verdict = verdict([], partial)
    assert partial_verdict.headline == "No problems in what kftui could see; not seen: Pod"
    assert not partial_verdict.clean
    assert verdict([], healthy).clean
    assert verdict([], healthy).headline.startswith("0 errors, 0 warnings, 0 info: no problems found")
    assert not verdict([], blind).clean and "not diagnosed" in verdict([], blind).headline


def test_the_tui_without_a_terminal_is_one_line_not_a_spinning_process() -> None:
    """`kftui --demo < /dev/null > out` used to spin at a full core (Textual reading end-of-file forever)."""
    out = subprocess.run(
        [sys.executable, "-m", "kftui", "--demo"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith("kftui: error: the terminal UI needs a terminal") and "kftui check" in line
    assert out.stdout == ""

"""The multi-cluster row of `make bench` (issue 18): Applications across the hub and the spoke, read through Argo CD.

N Applications (default 40: half on the hub, half on the spoke), each a Deployment of a few pods that kwok runs,
are deployed by the lab's real Argo CD from a file:// repo. In the same run, interleaved:
- kftui, given the hub's kubeconfig and an Argo CD token only (ARGOCD_SERVER, ARGOCD_AUTH_TOKEN, as
  `kftui` reads them), is timed headless from its spawn until the first screen whose tree holds every app's
  pods (the remote apps read through Argo CD's app list and resource-tree);
- the anchor: `argocd app list -o json` and then `argocd app resources APP` for each of the N apps, one after
  the other as a person's script runs them, with the argocd CLI built with the lab against the same server.
The ratio kftui / anchor is printed (issue 18 names no target for it).

The pure parts (the apps and their repo, reading the answers, the tree's pod count, the table rows) are in
tests/bench/mcapps.py.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from tests.bench.mcapps import (
    HUB,
    SPOKE,
    Spread,
    anchor_missing,
    applications,
    namespace,
    node,
    ratio,
    repo_files,
    running_pods,
    unsettled,
)

if TYPE_CHECKING:
    from tests.lab.lab import Lab

REPO = "mcbench"
# The argocd CLI, like kftui, reads the server and token from here; kftui's config file must not add to them.
ARGOCD_ENV = ("ARGOCD_SERVER", "ARGOCD_AUTH_TOKEN", "ARGOCD_OPTS", "KFTUI_CONFIG", "XDG_CONFIG_HOME")

Log = Callable[[str], None]


def ensure_lab(lab_dir: Path, log: Log) -> Lab:
    """A lab with the spoke in its own state dir (never the e2e lab's): reused if up, else started."""
    os.environ["KFTUI_LAB_DIR"] = str(lab_dir)
    from tests.lab import lab as labmod
    from tests.lab import spoke

    current = labmod.Lab.load(lab_dir)
    if current is not None and current.is_up():
        log(f"[mc] reusing the lab in {lab_dir}")
        return spoke.add(current, log=log)
    log(f"[mc] starting a lab with the spoke in {lab_dir}")
    return labmod.up(log=log, directory=lab_dir, spoke=True)


def _ok(out: subprocess.CompletedProcess[str], what: str) -> str:
    if out.returncode != 0:
        raise SystemExit(f"multicluster bench: {what} failed: {out.stderr.strip()}")
    return out.stdout


def install(lab: Lab, spread: Spread, log: Log) -> None:
    """The nodes, the repo and the Applications (idempotent: a kept lab is only topped up)."""
    from tests.lab import scenarios

    node_yaml = yaml.safe_dump(node())
    _ok(lab.kubectl("apply", "-f", "-", input=node_yaml), "kubectl apply node (hub)")
    _ok(lab.spoke_kubectl("apply", "-f", "-", input=node_yaml), "kubectl apply node (spoke)")
    repo = lab.repos_dir / REPO
    files = repo_files(spread)
    if not repo.exists():
        scenarios.create_repo(repo, files)
    elif any(not (repo / path).exists() or (repo / path).read_text() != text for path, text in files.items()):
        for path, text in files.items():
            scenarios.commit(repo, path, text, f"mcbench: {spread.describe()}")
    apps = applications(spread, lab.repo_url(REPO), lab.spoke_server)
    payload = json.dumps({"apiVersion": "v1", "kind": "List", "items": apps})
    _ok(lab.kubectl("apply", "-f", "-", input=payload), "kubectl apply Applications")
    log(f"[mc] {spread.describe()}: Applications applied")


def settle(lab: Lab, spread: Spread, log: Log, timeout: float = 900) -> float:
    """Wait until every app is Synced and Healthy and every pod Running and ready on its cluster."""
    t0 = time.monotonic()
    names = list(spread.clusters())
    want = {HUB: spread.hub_apps * spread.pods_per_app, SPOKE: spread.spoke_apps * spread.pods_per_app}
    last = ""
    while True:
        apps = json.loads(_ok(lab.kubectl("get", "applications", "-n", "argocd", "-o", "json"), "get apps"))
        waiting = unsettled(apps, names)
        hub = running_pods(
            json.loads(_ok(lab.kubectl("get", "pods", "-n", namespace(HUB), "-o", "json"), "pods"))
        )
        spoke_out = lab.spoke_kubectl("get", "pods", "-n", namespace(SPOKE), "-o", "json")
        spoke = running_pods(json.loads(_ok(spoke_out, "get pods (spoke)")))
        if not waiting and hub >= want[HUB] and spoke >= want[SPOKE]:
            took = time.monotonic() - t0
            log(
                f"[mc] settled in {took:.0f}s: {len(names)} apps Synced/Healthy, {hub} + {spoke} pods Running"
            )
            return took
        state = f"{len(waiting)} apps not Synced/Healthy, pods Running hub {hub}/{want[HUB]} spoke {spoke}/{want[SPOKE]}"
        if state != last:
            log(f"[mc] waiting: {state}" + (f" (e.g. {waiting[0]})" if waiting else ""))
            last = state
        if time.monotonic() - t0 > timeout:
            raise SystemExit(f"multicluster bench: not settled after {timeout:.0f}s: {state}: {waiting[:5]}")
        time.sleep(3)


def anchor(lab: Lab, names: list[str], token: str) -> tuple[float, list[str]]:
    """Seconds for `argocd app list -o json` then `argocd app resources APP` for each app, one after the
    other; and what their answers lack (nothing, or the run is not a measure)."""
    t0 = time.monotonic()
    listed = _ok(lab.argocd_as("app", "list", "-o", "json", token=token), "argocd app list")
    resources = {
        name: _ok(lab.argocd_as("app", "resources", name, token=token), "argocd app resources")
        for name in names
    }
    took = time.monotonic() - t0
    return took, anchor_missing(listed, resources, names)


def kftui_env(lab: Lab, token: str, config_home: Path) -> dict[str, str]:
    """What kftui is given: the hub's kubeconfig (on its command line) and an Argo CD server and token."""
    env = {k: v for k, v in os.environ.items() if k not in ARGOCD_ENV}
    return env | {
        "ARGOCD_SERVER": lab.argocd_auth_server,
        "ARGOCD_AUTH_TOKEN": token,
        "ARGOCD_OPTS": "--plaintext",
        "XDG_CONFIG_HOME": str(config_home),  # empty: no config file names a context or cluster
    }


def first_tree(lab: Lab, spread: Spread, out: Path, token: str, root: Path) -> dict[str, Any]:
    """kftui headless (tests/bench/headless.py --via-argocd): its result, with t0 the spawn time."""
    expect = out.with_suffix(".expect.json")
    expect.write_text(json.dumps(spread.expected_pods()))
    with tempfile.TemporaryDirectory(prefix="kftui-mc-config-") as config_home:
        cmd = [
            sys.executable,
            "-m",
            "tests.bench.headless",
            str(lab.kubeconfig),
            str(out.resolve()),
            "--via-argocd",
            "--expect",
            str(expect.resolve()),
        ]
        env = kftui_env(lab, token, Path(config_home)) | {"PYTHONPATH": str(root)}
        t0 = time.monotonic()
        proc = subprocess.run(cmd, cwd=root, env=env, stdout=subprocess.PIPE, text=True, timeout=600)
    if proc.returncode != 0:
        raise SystemExit("multicluster bench: kftui headless run failed")
    result: dict[str, Any] = json.loads(out.read_text())
    result["t0"] = t0
    return result


def argocd_version(lab: Lab) -> str:
    out = subprocess.run(
        [str(lab.argocd_cli), "version", "--client", "--short"],
        capture_output=True,
        text=True,
        env={**lab.env(), "ARGOCD_BINARY_NAME": "argocd", "HOME": str(lab.dir)},
    )
    # "argocd: v3.2.11+unknown" (the first line; the rest is build detail)
    first = out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else "?"
    return first.split()[-1]


def measure(
    lab_dir: Path, spread: Spread, reps: int, out_dir: Path, root: Path, keep_lab: bool, log: Log
) -> dict[str, Any]:
    """Start (or reuse) the lab with the spoke, deploy the apps, time kftui and the anchor in turn."""
    lab = ensure_lab(lab_dir, log)
    try:
        return _measure(lab, spread, reps, out_dir, root, log)
    finally:
        if not keep_lab:
            from tests.lab import lab as labmod

            log("[mc] stopping the multi-cluster lab")
            labmod.down(lab_dir, log=log)


def _measure(lab: Lab, spread: Spread, reps: int, out_dir: Path, root: Path, log: Log) -> dict[str, Any]:
    install(lab, spread, log)
    settle_s = settle(lab, spread, log)
    token = lab.argocd_admin_token()
    names = list(spread.clusters())
    anchor_s: list[float] = []
    tree_s: list[float] = []
    snapshot_s: list[float] = []
    via_argocd: list[int] = []
    load_before = list(os.getloadavg())
    for rep in range(reps):
        took, missing = anchor(lab, names, token)
        if missing:
            raise SystemExit(f"multicluster bench: the anchor's answers lack {missing[:5]}")
        anchor_s.append(took)
        r = first_tree(lab, spread, out_dir / f"headless-mc-{rep}.json", token, root)
        tree_s.append(r["t_render"] - r["t0"])
        snapshot_s.append(r["t_snapshot"] - r["t0"])
        via_argocd.append(r["counts"]["pods_via_argocd"])
        log(
            f"[mc] rep {rep + 1}: anchor {took:.2f}s, kftui first tree {tree_s[-1]:.2f}s "
            f"(snapshot {snapshot_s[-1]:.2f}s, {r['renders_until_complete']} render(s)), {r['counts']}"
        )
    kftui_s, anchor_med = statistics.median(tree_s), statistics.median(anchor_s)
    return {
        "apps": spread.apps,
        "hub_apps": spread.hub_apps,
        "spoke_apps": spread.spoke_apps,
        "pods_per_app": spread.pods_per_app,
        "pods": spread.pods,
        "argocd_version": argocd_version(lab),
        "argocd_server": "auth-enabled argocd-server, admin token",
        "settle_s": round(settle_s, 1),
        "load_avg_before": load_before,  # 1, 5 and 15 minutes, when the timed reps began and ended
        "load_avg_after": list(os.getloadavg()),
        "anchor_s": anchor_med,
        "kftui_first_tree_s": kftui_s,
        "kftui_snapshot_s": statistics.median(snapshot_s),
        "kftui/anchor": ratio(kftui_s, anchor_med),
        "pods_via_argocd": min(via_argocd),
        "raw": {"anchor_s": anchor_s, "first_tree_s": tree_s, "snapshot_s": snapshot_s},
    }

"""The `make bench` run: lab, scale, baselines, kftui headless, table, JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench import churn, floor, k9s, mcapps, multicluster, scale
from tests.bench.objects import ARGOCD_NAMESPACE, SCALES, Scale

REPO = Path(__file__).resolve().parents[2]
BENCH_LAB_DIR = Path(os.environ.get("KFTUI_BENCH_LAB_DIR", "/tmp/kftui-bench-lab"))
# The multi-cluster row's lab (hub + spoke, no scale load): its own, started once the scale lab is stopped.
MC_LAB_DIR = BENCH_LAB_DIR.with_name(f"{BENCH_LAB_DIR.name}-mc")
# The targets of issues 5 and 19, per scale. event p95 is from the watch event reaching kftui
# (watch_p95_ms in the JSON).
TARGETS = {
    "default": {
        "first_tree/floor": 1.25,
        "event_p95_ms": 200,
        "checks_ms": 50,
        "key_p95_ms": 50,
        "rss_mb": 250,
    },
    "large": {
        "first_tree/floor": 1.25,
        "event_p95_ms": 200,
        "checks_ms": 100,
        "key_p95_ms": 50,
        "rss_mb": 700,
    },
}


def lab_dir_for(s: Scale) -> Path:
    """Each scale keeps its own bench lab (a kept lab is reused only at the scale it was loaded with)."""
    return BENCH_LAB_DIR if s.name == "default" else BENCH_LAB_DIR.with_name(f"{BENCH_LAB_DIR.name}-{s.name}")


def log(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", flush=True)


def ensure_lab(lab_dir: Path) -> Any:
    """Our own lab instance in its own state dir (never the shared one): reuse it if up, else start it."""
    os.environ["KFTUI_LAB_DIR"] = str(lab_dir)
    from tests.lab import lab as labmod

    current = labmod.Lab.load(lab_dir)
    if current is not None and current.is_up():
        log(f"[bench] reusing the bench lab in {lab_dir}")
    else:
        log(f"[bench] starting a lab in {lab_dir}")
        current = labmod.up(log=log, directory=lab_dir)
    # Argo CD's application controller caches every pod of the cluster (960 MB at 100,000 pods) and took a
    # third of a core of the two under the large churn, beside the tools being measured. Nothing the bench
    # measures reads it: the bench's Applications live in a namespace it does not watch, with the status the
    # load wrote, and every tool reads them from the API server.
    if labmod.stop_component(current, "argocd-application-controller"):
        log("[bench] stopped the lab's Argo CD application controller (the bench does not use it)")
    return current


def spawn_headless(
    kubeconfig: Path, out: Path, live: float = 0.0, root: Path = REPO, profile: Path | None = None
) -> tuple[subprocess.Popen[str], float]:
    """Start kftui headless in its own process; `root` is the checkout whose kftui/ it imports."""
    cmd = [sys.executable, "-m", "tests.bench.headless", str(kubeconfig), str(out.resolve())]
    if live:
        cmd += ["--live", str(live), "--churn-ends-with-stdin"]
    if profile is not None:
        cmd += ["--profile", str(profile.resolve())]
    env = {**os.environ, "PYTHONPATH": str(root)}
    t0 = time.monotonic()
    stdin = subprocess.PIPE if live else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=root, stdin=stdin, stdout=subprocess.PIPE, text=True, env=env)
    return proc, t0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def machine() -> dict[str, Any]:
    mem_gb = 0.0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        mem_gb = int(meminfo.read_text().split()[1]) / 1024 / 1024
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in cpuinfo.read_text().splitlines()
                if ln.startswith("model name")
            ),
            "",
        )
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "mem_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "load_avg_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    p.add_argument("--reps", type=int, default=3, help="repetitions of each timed start (median reported)")
    p.add_argument("--churn-seconds", type=float, default=30.0)
    p.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="default",
        help="default: 300 apps / 20,000 pods; large: 1,500 apps / 100,000 pods (issue 19)",
    )
    p.add_argument(
        "--lab-dir", type=Path, help="the bench lab's state dir (default: one per scale under /tmp)"
    )
    p.add_argument("--no-k9s", action="store_true", help="skip the k9s side-by-side rows")
    p.add_argument(
        "--no-multicluster",
        action="store_true",
        help="skip the multi-cluster row (apps on the hub and the spoke, read through Argo CD)",
    )
    p.add_argument(
        "--only",
        choices=["multicluster"],
        help="run only this row (multicluster: its own lab with the spoke; for development)",
    )
    p.add_argument(
        "--mc-apps", type=int, default=40, help="multi-cluster row: Applications, half on the spoke"
    )
    p.add_argument("--mc-pods", type=int, default=3, help="multi-cluster row: pods per Application")
    p.add_argument(
        "--mc-lab-dir",
        type=Path,
        default=MC_LAB_DIR,
        help=f"multi-cluster row's lab state dir ({MC_LAB_DIR})",
    )
    p.add_argument(
        "--load-only",
        action="store_true",
        help="start the bench lab and load the scale, then stop (the lab kept): measure later with --keep-lab",
    )
    p.add_argument(
        "--out",
        type=Path,
        help="the JSON (default bench-results/bench.json; with --only multicluster, bench-results/multicluster/)",
    )
    p.add_argument("--keep-lab", action="store_true", help="leave the bench lab running afterwards")
    p.add_argument(
        "--profile",
        action="store_true",
        help="profile kftui's event loop through the churn with pyinstrument (live-profile.txt next to --out)",
    )
    p.add_argument(
        "--kftui-root",
        type=Path,
        default=REPO,
        help="measure the kftui/ of another checkout (e.g. `git archive` of an older commit plus tests/bench)",
    )
    args = p.parse_args(argv)
    args.scale = SCALES[args.scale]
    args.lab_dir = args.lab_dir or lab_dir_for(args.scale)
    args.out = args.out or REPO / "bench-results" / (args.only or "") / "bench.json"
    args.out.parent.mkdir(parents=True, exist_ok=True)

    if args.only == "multicluster":
        results: dict[str, Any] = {"machine": machine(), "multicluster": run_multicluster(args)}
        args.out.write_text(json.dumps(results, indent=2))
        print_rows(f"kftui bench, multi-cluster row only: {args.out}", mcapps.rows(results["multicluster"]))
        print(summary(results))
        return 0
    lab = ensure_lab(args.lab_dir)
    if args.load_only:
        load_scale(lab, args.scale)
        log(f"[bench] loaded; the lab is kept in {args.lab_dir}")
        return 0
    try:
        results = _run(lab, args)
    finally:
        if not args.keep_lab:
            from tests.lab import lab as labmod

            log("[bench] stopping the bench lab")
            labmod.down(args.lab_dir, log=log)
    args.out.write_text(json.dumps(results, indent=2))
    try:
        if not args.no_multicluster:
            # After the scale lab is stopped: two labs at once would time the machine.
            results["multicluster"] = run_multicluster(args)
            args.out.write_text(json.dumps(results, indent=2))
    finally:  # the table of what was measured, also when the multi-cluster row failed (the run still fails)
        print_table(results)
        print(summary(results))
    return 0


def run_multicluster(args: argparse.Namespace) -> dict[str, Any]:
    spread = mcapps.Spread(apps=args.mc_apps, pods_per_app=args.mc_pods)
    log(f"[bench] multi-cluster row: {spread.describe()}")
    return multicluster.measure(
        args.mc_lab_dir, spread, args.reps, args.out.parent, args.kftui_root, args.keep_lab, log
    )


def load_scale(lab: Any, s: Scale) -> dict[str, float]:
    """The scale loaded into the lab (idempotent: a kept lab is only topped up); a larger scale may take
    proportionally longer for kwok to report every pod Running."""
    log(f"[bench] loading {s.describe()} (first run: minutes)")
    return scale.load(
        s, scale.Target(lab.server, lab._tls()), log, settle_timeout=900 * max(1.0, s.pods / 20_000)
    )


def _run(lab: Any, args: argparse.Namespace) -> dict[str, Any]:
    tls = lab._tls()
    s: Scale = args.scale
    load_timings = load_scale(lab, s)
    kubectl = shutil.which("kubectl", path=f"{lab.bin}:{os.environ.get('PATH', '')}") or "kubectl"
    env_ok = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True)
    log(f"[bench] kubectl: {env_ok.stdout.strip().splitlines()[0] if env_ok.stdout else kubectl}")

    floor_s: list[float] = []
    pipelined_floor_s: list[float] = []
    kubectl_s: list[float] = []
    snapshot_s: list[float] = []
    first_tree_s: list[float] = []
    first_tree_inproc_s: list[float] = []
    rss: list[float] = []
    checks_ms: list[float] = []
    checks_cpu_ms: list[float] = []
    busy_before_checks: list[float] = []
    # Interleave the three so a noisy neighbour hurts them alike.
    for rep in range(args.reps):
        floor_s.append(floor.raw_list_floor(lab.server, tls, ARGOCD_NAMESPACE))
        pipelined_floor_s.append(floor.raw_list_floor(lab.server, tls, ARGOCD_NAMESPACE, pipelined=True))
        log(
            f"[bench] rep {rep + 1}: floor {floor_s[-1]:.2f}s, with kftui's paging {pipelined_floor_s[-1]:.2f}s"
        )
        kubectl_s.append(floor.kubectl_anchor(lab.kubeconfig, kubectl))
        log(f"[bench] rep {rep + 1}: kubectl {kubectl_s[-1]:.2f}s")
        out = args.out.parent / f"headless-{rep}.json"
        proc, t0 = spawn_headless(lab.kubeconfig, out, root=args.kftui_root)
        if proc.wait(timeout=600) != 0:
            raise SystemExit("kftui headless run failed")
        r = json.loads(out.read_text())
        snapshot_s.append(r["t_snapshot"] - t0)
        first_tree_s.append(r["t_render"] - t0)
        first_tree_inproc_s.append(r["t_render"] - r["t_app"])
        rss.append(r["rss_mb"])
        checks_ms.extend(r["checks_ms"])
        checks_cpu_ms.extend(r["checks_cpu_ms"])
        busy_before_checks.append(r["busy_before_checks"])
        log(
            f"[bench] rep {rep + 1}: kftui snapshot {snapshot_s[-1]:.2f}s, first tree {first_tree_s[-1]:.2f}s "
            f"(imports {r['imports_s']:.2f}s), rss {r['rss_mb']:.0f} MB, {r['counts']}"
        )

    log(f"[bench] live run: {s.churn_rate:.0f} pod changes/s for {args.churn_seconds:.0f}s")
    out = args.out.parent / "headless-live.json"
    profile = args.out.parent / "live-profile.txt" if args.profile else None
    proc, t0 = spawn_headless(
        lab.kubeconfig, out, live=args.churn_seconds + 2, root=args.kftui_root, profile=profile
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "READY":
        raise SystemExit("kftui headless live run did not become ready")
    thread, churned = churn.start(s, lab.server, tls, s.churn_rate, args.churn_seconds)
    thread.join()
    assert proc.stdin is not None
    proc.stdin.close()  # the churn has sent its last change: kftui measures 3 s more, then stops
    log(
        f"[bench] churn: {churned.sent} changes at {churned.rate:.0f}/s, {churned.failed} failed, "
        f"{churned.skipped} not sent (the API server fell behind) {churned.errors}"
    )
    if proc.wait(timeout=600) != 0:
        raise SystemExit("kftui headless live run failed")
    live = json.loads(out.read_text())
    rss.append(live["rss_mb"])

    results = {
        "scale_name": s.name,
        "kftui_root": str(args.kftui_root),
        "machine": machine(),
        "scale": live["counts"],
        "load_timings_s": load_timings,
        "floor_s": median(floor_s),
        "pipelined_floor_s": median(pipelined_floor_s),
        "kubectl_s": median(kubectl_s),
        "kftui_snapshot_s": median(snapshot_s),
        "kftui_first_tree_s": median(first_tree_s),
        "kftui_first_tree_in_process_s": median(first_tree_inproc_s),
        "event_p50_ms": pct(live["event_latencies"], 50) * 1000,
        "event_p95_ms": pct(live["event_latencies"], 95) * 1000,
        "watch_p50_ms": pct(live["watch_latencies"], 50) * 1000,
        "watch_p95_ms": pct(live["watch_latencies"], 95) * 1000,
        "write_p50_ms": pct(churned.write_latencies, 50) * 1000,
        "write_p95_ms": pct(churned.write_latencies, 95) * 1000,
        "events_seen": len(live["event_latencies"]),
        "events_sent": churned.sent,
        "churn_rate": churned.rate,
        "churn_not_sent": churned.skipped,
        "batches": live["batches"],
        "renders": live["renders"],
        "dropped_analyses": live["dropped_analyses"],
        "cpu_share": live.get("cpu_share", float("nan")),
        "checks_ms": median(checks_ms),
        "checks_cpu_ms": median(checks_cpu_ms),
        "busy_before_checks": max(busy_before_checks),
        "checks_under_churn_ms": median(live["checks_ms"]),
        "tree_model_ms": median(live["tree_model_ms"]),
        "per_event_ms": median(live["per_event_ms"]),
        "key_p50_ms": pct(live["key_latencies"], 50) * 1000,
        "key_p95_ms": pct(live["key_latencies"], 95) * 1000,
        "keypresses": len(live["key_latencies"]),
        "rss_mb": max(rss),
        "raw": {
            "floor_s": floor_s,
            "pipelined_floor_s": pipelined_floor_s,
            "kubectl_s": kubectl_s,
            "snapshot_s": snapshot_s,
            "first_tree_s": first_tree_s,
            "first_tree_in_process_s": first_tree_inproc_s,
            "rss_mb": rss,
            "checks_ms": checks_ms,
            "checks_cpu_ms": checks_cpu_ms,
            "busy_before_checks": busy_before_checks,
        },
    }
    results["first_tree/floor"] = results["kftui_first_tree_s"] / results["floor_s"]
    results["first_tree/pipelined_floor"] = results["kftui_first_tree_s"] / results["pipelined_floor_s"]
    results["snapshot/floor"] = results["kftui_snapshot_s"] / results["floor_s"]
    results["kubectl/kftui"] = results["kubectl_s"] / results["kftui_first_tree_s"]
    # How cost grows with size: per pod listed, comparable across the scales.
    pods = max(1, int(live["counts"].get("pods", s.pods)))
    results["rss_bytes_per_pod"] = results["rss_mb"] * 2**20 / pods
    results["first_tree_s_per_1000_pods"] = results["kftui_first_tree_s"] / (pods / 1000)
    if not args.no_k9s:
        results["k9s"] = k9s.side_by_side(lab, s, churn_seconds=args.churn_seconds, log=log)
    return results


def summary(r: dict[str, Any]) -> str:
    """The last line: the main figures, and the multi-cluster ratio when that row ran."""
    parts = []
    if "first_tree/floor" in r:
        parts.append(
            "first_tree/floor={:.2f} kubectl/kftui={:.2f} event_p95_ms={:.0f} e2e_p95_ms={:.0f} checks_ms={:.0f} "
            "key_p95_ms={:.0f} rss_mb={:.0f}".format(
                r["first_tree/floor"],
                r["kubectl/kftui"],
                r["watch_p95_ms"],
                r["event_p95_ms"],
                r["checks_ms"],
                r["key_p95_ms"],
                r["rss_mb"],
            )
        )
    mc = r.get("multicluster")
    if mc:
        parts.append(f"multicluster_kftui/anchor={mc['kftui/anchor']:.2f}")
    return "bench: " + " ".join(parts)


def print_table(r: dict[str, Any]) -> None:
    t = TARGETS[r["scale_name"]]

    def ok(met: bool) -> str:
        return "met" if met else "MISSED"

    rows = [
        (
            "raw LIST floor (httpx, JSON only)",
            f"{r['floor_s']:.2f} s",
            "1.00x",
            "next page asked once this one is parsed",
        ),
        (
            "raw LIST with kftui's paging",
            f"{r['pipelined_floor_s']:.2f} s",
            f"{r['pipelined_floor_s'] / r['floor_s']:.2f}x",
            "next page asked when this one's token arrives (reference)",
        ),
        (
            "kubectl anchor (pods,ns + apps)",
            f"{r['kubectl_s']:.2f} s",
            f"{r['kubectl_s'] / r['floor_s']:.2f}x",
            "",
        ),
        (
            "kftui first complete snapshot",
            f"{r['kftui_snapshot_s']:.2f} s",
            f"{r['snapshot/floor']:.2f}x",
            "",
        ),
        (
            "kftui first tree + panel",
            f"{r['kftui_first_tree_s']:.2f} s",
            f"{r['first_tree/floor']:.2f}x",
            f"<= {t['first_tree/floor']}x: {ok(r['first_tree/floor'] <= t['first_tree/floor'])}; < kubectl: {ok(r['kubectl/kftui'] > 1)}; "
            f"{r['first_tree/pipelined_floor']:.2f}x the raw LIST with kftui's paging",
        ),
        (
            "watch event -> screen p50 / p95",
            f"{r['watch_p50_ms']:.0f} / {r['watch_p95_ms']:.0f} ms",
            "",
            f"p95 <= {t['event_p95_ms']} ms: {ok(r['watch_p95_ms'] <= t['event_p95_ms'])} ({r['events_seen']}/{r['events_sent']} seen, {r['churn_rate']:.0f}/s)",
        ),
        (
            "PATCH sent -> screen p50 / p95",
            f"{r['event_p50_ms']:.0f} / {r['event_p95_ms']:.0f} ms",
            "",
            f"includes the API server's write: PATCH p50/p95 {r['write_p50_ms']:.0f} / {r['write_p95_ms']:.0f} ms",
        ),
        (
            "full check pass (cold, lab quiet)",
            f"{r['checks_ms']:.0f} ms (CPU {r['checks_cpu_ms']:.0f})",
            "",
            f"<= {t['checks_ms']} ms: {ok(r['checks_ms'] <= t['checks_ms'])} (median of 5 per timed start; "
            f"the rest of the machine at most {r['busy_before_checks']:.1f} cores busy just before)",
        ),
        (
            "full check pass right after the churn",
            f"{r['checks_under_churn_ms']:.0f} ms",
            "",
            "the API server still busy: the machine, not the checks",
        ),
        (
            "one event: apply + checks + tree model",
            f"{r['per_event_ms']:.1f} ms",
            "",
            "incremental (the app's path)",
        ),
        ("tree model build", f"{r['tree_model_ms']:.0f} ms", "", ""),
        (
            "keypress -> repaint p50 / p95",
            f"{r['key_p50_ms']:.0f} / {r['key_p95_ms']:.0f} ms",
            "",
            f"p95 <= {t['key_p95_ms']} ms: {ok(r['key_p95_ms'] <= t['key_p95_ms'])}",
        ),
        (
            "kftui CPU during the churn",
            f"{r['cpu_share']:.2f} cores",
            "",
            "all its threads, per second of churn",
        ),
        (
            "peak RSS",
            f"{r['rss_mb']:.0f} MB",
            "",
            f"<= {t['rss_mb']} MB: {ok(r['rss_mb'] <= t['rss_mb'])}; {r['rss_bytes_per_pod']:,.0f} bytes per pod",
        ),
        (
            "first tree per 1,000 pods",
            f"{r['first_tree_s_per_1000_pods'] * 1000:.0f} ms",
            "",
            "how the first tree grows with the pod count",
        ),
    ]
    rows += k9s_rows(r)
    if r.get("multicluster"):
        rows += mcapps.rows(r["multicluster"])
    print_rows(f"kftui bench: {r['scale']}", rows)


def print_rows(title: str, rows: list[tuple[str, str, str, str]]) -> None:
    print()
    print(title)
    for line in mcapps.format_rows(rows):
        print(line)
    print()


def k9s_rows(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """k9s against kftui, both in tmux at the same size, measured the same way (tests/bench/k9s.py)."""
    side = r.get("k9s")
    if not side:
        return []
    k, f = side["k9s"], side["kftui"]

    def ok(met: bool) -> str:
        return "met" if met else "MISSED"

    return [
        (
            f"k9s {side['version']} full pod screen (tmux)",
            f"{k['full_screen_s']:.2f} s",
            f"{k['full_screen_s'] / r['floor_s']:.2f}x",
            f"kftui's full screen in tmux: {f['full_screen_s']:.2f} s ({f['full_screen_s'] / r['floor_s']:.2f}x); "
            f"kftui first: {ok(f['full_screen_s'] <= k['full_screen_s'])}",
        ),
        (
            "k9s / kftui peak RSS (tmux)",
            f"{k['peak_rss_mb']:.0f} / {f['peak_rss_mb']:.0f} MB",
            "",
            f"kftui below k9s: {ok(f['peak_rss_mb'] < k['peak_rss_mb'])}",
        ),
        (
            "k9s / kftui keypress p95 (tmux polling)",
            f"{k['key_p95_ms']:.0f} / {f['key_p95_ms']:.0f} ms",
            "",
            f"under {k['churn_rate']:.0f} / {f['churn_rate']:.0f} changes/s; cursor row read with capture-pane "
            f"every 5 ms ({k['keypresses']} / {f['keypresses']} presses)",
        ),
    ]

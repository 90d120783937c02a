"""`make bench-dumps`: how fast kftui loads an offline dump, against the parsers' own raw load of the same file.

Writes a kubectl-style `kind: List` dump of about SIZE MB (300 Applications, their namespaces, services and
events, and pods with a status as `kubectl get -o yaml` prints them) as YAML and as JSON, then times, each
in a fresh process so peak RSS is its own:

- the floors: PyYAML's C loader (`yaml.load(..., CSafeLoader)`) and `json.load` on the same files;
- kftui: `load_snapshot`, the whole way from the file to the snapshot the TUI shows.

Ratios are kftui over the floor of the same format, measured in the same run; peak RSS is also given as a
multiple of the file size. Usage: `python -m tests.bench.dumps [--size-mb 100] [--reps 3] [--dir DIR]`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

from tests.bench import objects

SCALE = objects.SCALES["default"]  # the dump holds the default bench scale, then pods up to the size

REPO = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "kftui" / "bench-dumps"

# What a child process runs: a mode name, then the file. It prints "seconds peak_rss_bytes objects".
_CHILD = r"""
import sys, time
mode, path = sys.argv[1], sys.argv[2]
if mode == "yaml-floor":
    import yaml
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        doc = yaml.load(f, Loader=yaml.CSafeLoader)
    n = len(doc["items"])
elif mode == "json-floor":
    import json
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        doc = json.load(f)
    n = len(doc["items"])
else:
    from kftui.cluster.dumpfile import load_snapshot
    t0 = time.perf_counter()
    snap = load_snapshot(path)
    n = len(snap.pods) + len(snap.applications) + len(snap.namespaces) + len(snap.events)
seconds = time.perf_counter() - t0
# VmHWM, not ru_maxrss: on Linux a child's ru_maxrss starts from its parent's (the bench, which holds the
# objects it wrote), so it would report the parent's peak.
with open("/proc/self/status") as status:
    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(seconds, hwm * 1024, n)
"""


def pod_with_status(n: int) -> dict[str, Any]:
    """A bench pod as `kubectl get -o yaml` prints a running one: identity, spec and status."""
    obj = objects.pod(SCALE, n)
    obj["metadata"].update(
        {
            "uid": f"{objects._hash('uid', n, n=8)}-0000-4000-8000-{objects._hash('uid2', n, n=12)}",
            "resourceVersion": str(100_000 + n),
            "creationTimestamp": "2026-11-26T08:58:00Z",
            "ownerReferences": [
                {
                    "apiVersion": "apps/v1",
                    "kind": "ReplicaSet",
                    "name": obj["metadata"]["labels"]["app.kubernetes.io/name"]
                    + "-"
                    + obj["metadata"]["labels"]["pod-template-hash"],
                    "uid": objects._hash("rs-uid", n % 3000, n=32),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ],
        }
    )
    ready = n % 50 != 7
    obj["status"] = {
        "phase": "Running",
        "conditions": [
            {
                "type": t,
                "status": "True" if ready or t == "PodScheduled" else "False",
                "lastTransitionTime": "2026-11-26T08:58:05Z",
            }
            for t in ("Initialized", "Ready", "ContainersReady", "PodScheduled")
        ],
        "hostIP": f"10.0.{n % 20}.1",
        "podIP": f"10.244.{(n // 250) % 250}.{n % 250}",
        "startTime": "2026-11-26T08:58:00Z",
        "qosClass": "Burstable",
        "containerStatuses": [
            {
                "name": "main",
                "ready": ready,
                "restartCount": 0 if ready else 12,
                "image": obj["spec"]["containers"][0]["image"],
                "imageID": f"ghcr.io/kubeflow/bench@sha256:{objects._hash('img', n % 3000, n=64)}",
                "containerID": f"containerd://{objects._hash('cid', n, n=64)}",
                "started": ready,
                "state": {"running": {"startedAt": "2026-11-26T08:58:04Z"}}
                if ready
                else {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting"}},
            }
        ],
    }
    return obj


def dump_objects(size_mb: float) -> list[dict[str, Any]]:
    """Applications, namespaces, services and events of the bench scale, then pods until the YAML would be
    about `size_mb` (a pod with status is about 3.3 KB of YAML)."""
    s = SCALE
    made = [objects.application(s, i) for i in range(s.apps)]
    made += [objects.namespace(i) for i in range(s.namespaces)]
    made += [objects.service(s, i) for i in range(s.apps)]
    made += [objects.event(s, k) for k in range(s.events)]
    fixed = len(yaml.dump(made, Dumper=yaml.CSafeDumper))
    per_pod = len(yaml.dump([pod_with_status(0)], Dumper=yaml.CSafeDumper))
    pods = max(1, int((size_mb * 1e6 - fixed) / per_pod))
    return made + [pod_with_status(n) for n in range(pods)]


def write_files(directory: Path, size_mb: float) -> tuple[Path, Path]:
    """The YAML and JSON dumps of `size_mb`, kept in `directory` between runs (writing 100 MB takes a while)."""
    directory.mkdir(parents=True, exist_ok=True)
    yaml_path, json_path = directory / f"dump-{size_mb:g}mb.yaml", directory / f"dump-{size_mb:g}mb.json"
    if not (yaml_path.exists() and json_path.exists()):
        document = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}}
        document["items"] = dump_objects(size_mb)  # type: ignore[assignment]
        with yaml_path.open("w") as out:
            yaml.dump(document, out, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False)
        with json_path.open("w") as out:
            json.dump(document, out, indent=4)  # as `kubectl get -o json` prints
    return yaml_path, json_path


def measure(mode: str, path: Path) -> tuple[float, int, int]:
    """(seconds, peak RSS bytes, objects) of one load in a fresh process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, mode, str(path)], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"bench-dumps: {mode} on {path.name} failed: {out.stderr.strip().splitlines()[-1:]}")
    seconds, rss, objects = out.stdout.split()
    return float(seconds), int(rss), int(objects)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.bench.dumps", description=__doc__)
    p.add_argument("--size-mb", type=float, default=100.0)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--dir", type=Path, default=CACHE)
    args = p.parse_args(argv)
    t0 = time.monotonic()
    yaml_path, json_path = write_files(args.dir, args.size_mb)
    print(
        f"[bench-dumps] files ready in {time.monotonic() - t0:.0f}s: {yaml_path} ({yaml_path.stat().st_size / 1e6:.0f} MB), "
        f"{json_path} ({json_path.stat().st_size / 1e6:.0f} MB); load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    rows = []
    for fmt, path in (("yaml", yaml_path), ("json", json_path)):
        floor_s, kftui_s, kftui_rss = [], [], []
        for rep in range(args.reps):
            f = measure(f"{fmt}-floor", path)
            k = measure("kftui", path)
            floor_s.append(f[0])
            kftui_s.append(k[0])
            kftui_rss.append(k[1])
            print(
                f"[bench-dumps] {fmt} rep {rep + 1}: floor {f[0]:.2f}s ({f[1] / 1e6:.0f} MB RSS), "
                f"kftui {k[0]:.2f}s ({k[1] / 1e6:.0f} MB RSS, {k[2]} objects)",
                flush=True,
            )
        size = path.stat().st_size
        rows.append((fmt, statistics.median(floor_s), statistics.median(kftui_s), max(kftui_rss), size))
    limits = {"yaml": 1.0, "json": 1.3}
    print(f"\n{'format':8}{'size':>8}{'floor':>10}{'kftui':>10}{'ratio':>8}{'target':>8}{'RSS/size':>10}")
    for fmt, floor, kftui, rss, size in rows:
        ratio = kftui / floor
        print(
            f"{fmt:8}{size / 1e6:>6.0f}MB{floor:>9.2f}s{kftui:>9.2f}s{ratio:>8.2f}{'<=' + str(limits[fmt]):>8}"
            f"{rss / size:>9.1f}x  ({'met' if ratio <= limits[fmt] else 'missed'}; RSS "
            f"{'met' if rss <= 4 * size else 'missed'} <= 4x)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

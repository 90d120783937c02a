"""The full check pass and the cold tree model at 100,000 pods, without a lab (issue 19's check-pass target).

`python -m tests.bench.checkpass` builds a realistic snapshot from the unit tests' builders: 1,500 Applications
over 1,000 namespaces, 100,000 pods of which ~5% fail in the ways `kubectl get pods` shows (CrashLoopBackOff,
OOMKilled, ImagePullBackOff, ErrImagePull, CreateContainerConfigError, Pending, Unschedulable, Error, not
Ready), a few young ones and finished Job pods, plus the Kubeflow install (so the kubeflow profile's
auth-stack and gateway checks run, with one login pod crash-looping). It then times `passes.cold_check_passes` (the
bench's full pass, nothing carried over) and `build_topology` without a previous one.

`--lab SCALE` times the bench lab's own objects at that scale (tests/bench/objects.py, with the status kwok
gives a running pod) without loading a lab: the shape `make bench SCALE=large` times, in a quiet process.
`--dump PATH` times a kubectl-style dump instead (e.g. the 99,000 healthy pods of the large bench's shape);
`--digest` prints a hash of every finding, to show that two trees find exactly the same.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from kftui.checks.registry import run_checks
from kftui.model import ClusterSnapshot
from kftui.profile import builtin_profile, detect_profile
from kftui.topology import build_topology
from tests.bench.passes import cold_check_passes, timed_ms
from tests.unit.fixtures import builders

Raw = dict[str, Any]
YOUNG = "2026-11-20T03:10:00Z"  # two minutes before builders.NOW: inside the profile's grace period


def _container(pod: Raw) -> Raw:
    status: Raw = pod["status"]["containerStatuses"][0]
    return status


def _crash(pod: Raw, last: str, code: int) -> None:
    c = _container(pod)
    c.update(ready=False, restartCount=7)
    c["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting"}}
    c["lastState"] = {"terminated": {"reason": last, "exitCode": code}}


def _not_ready(pod: Raw) -> None:
    pod["status"]["conditions"][0]["status"] = "False"
    _container(pod)["ready"] = False


def _pending(pod: Raw, unschedulable: bool) -> None:
    pod["spec"].pop("nodeName")
    status = pod["status"]
    status["phase"] = "Pending"
    status.pop("containerStatuses")
    status["conditions"] = [
        {
            "type": "PodScheduled",
            "status": "False",
            "reason": "Unschedulable" if unschedulable else "",
            "message": "0/100 nodes are available: 100 Insufficient cpu." if unschedulable else "",
        }
    ]


def _failed(pod: Raw) -> None:
    status = pod["status"]
    status.update(phase="Failed", reason="Error", message="container exited with code 1")
    status["conditions"][0]["status"] = "False"
    c = _container(pod)
    c["ready"] = False
    c["state"] = {"terminated": {"reason": "Error", "exitCode": 1}}


def _succeeded(pod: Raw) -> None:
    status = pod["status"]
    status["phase"] = "Succeeded"
    status["conditions"][0]["status"] = "False"
    c = _container(pod)
    c["ready"] = False
    c["state"] = {"terminated": {"reason": "Completed", "exitCode": 0}}


def _waiting(reason: str, message: str) -> Any:
    def change(pod: Raw) -> None:
        _not_ready(pod)
        _container(pod)["state"] = {"waiting": {"reason": reason, "message": message}}

    return change


FAILURES = (
    lambda p: _crash(p, "Error", 1),
    lambda p: _crash(p, "OOMKilled", 137),
    _waiting("ImagePullBackOff", 'Back-off pulling image "ghcr.io/kubeflow/bench/x:v9"'),
    _waiting("ErrImagePull", "rpc error: code = NotFound"),
    _waiting("CreateContainerConfigError", 'configmap "bench-config" not found'),
    lambda p: _pending(p, unschedulable=True),
    lambda p: _pending(p, unschedulable=False),
    _failed,
    _not_ready,
)


def realistic_objects(apps: int = 1_500, namespaces: int = 1_000, pods: int = 100_000) -> list[Raw]:
    """The objects of the realistic snapshot (see the module docstring); deterministic."""
    objects = builders.healthy_install()
    crash = builders.find(objects, "Pod", "dex-5c8d7f9b6-x2k8q", "auth")  # the login path is broken
    _crash(crash, "Error", 1)
    _not_ready(crash)
    builders.find(objects, "Deployment", "dex", "auth")["status"].update(readyReplicas=0, availableReplicas=0)
    objects += [builders.namespace(f"bench-ns-{n:03d}") for n in range(namespaces)]
    for a in range(apps):
        ns = f"bench-ns-{a % namespaces:03d}"
        deps = [f"bench-app-{a:03d}-d{d}" for d in range(10)]
        resources = [builders.resource("Deployment", d, ns, group="apps") for d in deps]
        resources.append(builders.resource("Service", f"bench-app-{a:03d}-service-0", ns))
        app = builders.application(f"bench-app-{a:03d}", f"apps/bench/{a}", resources, dest_namespace=ns)
        objects.append(app)
        objects += [builders.deployment(ns, d) for d in deps]
    for n in range(pods):
        a, d = n % apps, (n // apps) % 10
        ns, dep = f"bench-ns-{a % namespaces:03d}", f"bench-app-{a:03d}-d{d}"
        pod = builders.pod(ns, f"{dep}-5c8d7f9b6-{n:05d}", dep)
        if n % 20 == 7:  # ~5% failing, each kind in turn
            FAILURES[(n // 20) % len(FAILURES)](pod)
        elif n % 500 == 3:  # young: not Ready yet, inside the grace period
            _not_ready(pod)
            pod["metadata"]["creationTimestamp"] = YOUNG
        elif n % 500 == 11:  # a finished Job's pod
            _succeeded(pod)
            pod["metadata"]["ownerReferences"][0].update(kind="Job", name=f"{dep}-job")
        objects.append(pod)
    return objects


def lab_objects(scale: str) -> list[Raw]:
    """The objects `make bench SCALE=scale` loads into its lab, each pod with the status kwok writes."""
    from tests.bench import objects as lab

    s = lab.SCALES[scale]
    out = [lab.namespace(i) for i in range(s.namespaces)]  # (kftui's model has no Nodes)
    out += [lab.application(s, i) for i in range(s.apps)]
    out += [lab.service(s, i) for i in range(s.apps)]
    out += [lab.event(s, k) for k in range(s.events)]
    for n in range(s.pods):
        pod = lab.pod(s, n)
        pod["metadata"]["creationTimestamp"] = "2026-11-26T09:00:00Z"
        pod["status"] = {
            "phase": "Running",
            "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [
                {"name": "main", "ready": True, "restartCount": 0, "state": {"running": {}}}
            ],
        }
        out.append(pod)
    return out


def realistic_snapshot(**scale: int) -> ClusterSnapshot:
    return builders.snapshot(realistic_objects(**scale))


def digest(snapshot: ClusterSnapshot, profile: Any) -> str:
    findings = run_checks(snapshot, profile)
    counts = Counter(f.check for f in findings)
    text = "\n".join(repr(f) for f in findings)
    return f"{hashlib.sha256(text.encode()).hexdigest()[:16]} {len(findings)} findings {dict(sorted(counts.items()))}"


def tree_digest(snapshot: ClusterSnapshot) -> str:
    """A hash of the cold tree model: every app's namespaces with their resources and pods in order, the
    unowned pods, the orphan namespaces and the pod owners."""
    topo = build_topology(snapshot)
    shape = [
        (
            node.app.name,
            [
                (ns.name, ns.exists, [r.ref for r in ns.resources], [p.key for p in ns.pods])
                for ns in node.namespaces.values()
            ],
            [r.ref for r in node.cluster_resources],
        )
        for node in topo.apps
    ]
    unowned = [(ns, [p.key for p in pods]) for ns, pods in topo.unowned_pods.items()]
    text = repr((shape, unowned, topo.orphan_namespaces, sorted(topo.pod_owner.items())))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _figures(name: str, times: list[tuple[float, float]]) -> str:
    wall, cpu = [t for t, _ in times], [c for _, c in times]
    return (
        f"{name} ms: wall min {min(wall):.1f} median {statistics.median(wall):.1f}, "
        f"CPU min {min(cpu):.1f} median {statistics.median(cpu):.1f} (wall: {' '.join(f'{t:.0f}' for t in wall)})"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dump", type=Path, help="a kubectl-style dump to time instead of the realistic snapshot")
    p.add_argument(
        "--lab", choices=("default", "large"), help="the bench lab's objects at this scale instead"
    )
    p.add_argument("--passes", type=int, default=7)
    p.add_argument("--topologies", type=int, default=3)
    p.add_argument("--digest", action="store_true", help="print a hash of the findings")
    args = p.parse_args()
    if args.dump:
        from kftui.cluster.dumpfile import load_snapshot

        snapshot = load_snapshot(args.dump)
    elif args.lab:
        snapshot = builders.snapshot(lab_objects(args.lab))
    else:
        snapshot = realistic_snapshot()
    # As KubeSource.load does after a LIST: the snapshot goes to the collector's permanent generation, so the
    # passes below are not timed walking 100,000 pods in full collections that kftui's process does not make.
    gc.collect()
    gc.freeze()
    profile = detect_profile({a.name for a in snapshot.applications.values()})
    if profile.name == "generic":
        profile = builtin_profile(
            "kubeflow"
        )  # (the bench's profile; on a dump without its apps it reads less)
    print(f"pods={len(snapshot.pods):,} apps={len(snapshot.applications):,} profile={profile.name}")
    if args.digest:
        print("findings", digest(snapshot, profile))
        print("tree", tree_digest(snapshot))
    checks = cold_check_passes(snapshot, profile, args.passes)
    tree = [timed_ms(lambda: build_topology(snapshot)) for _ in range(args.topologies)]
    print(_figures("check pass", checks))
    print(_figures("build_topology cold", tree))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

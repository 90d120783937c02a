"""Install profiles: what a healthy multi-app install looks like, as data.

The Kubeflow profile ships with kftui; `--profile PATH` loads another. Checks read the profile for the
dependency chain, the namespaces that must exist and the gateway; nothing Kubeflow-specific lives in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from kftui import safeyaml


class ProfileError(Exception):
    """A profile file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class AppSpec:
    name: str
    depends_on: tuple[str, ...] = ()
    sync_stuck_seconds: int | None = None
    """How long a sync of this app may run before sync-stuck reports it (None: the profile's default)."""


@dataclass(frozen=True)
class KeyWorkload:
    kind: str
    namespace: str
    name: str
    role: str = ""


@dataclass(frozen=True)
class Gateway:
    """The ingress the dashboard is reached through; `enabled` is False for installs without one."""

    enabled: bool = True
    namespace: str = "istio-system"
    service: str = "istio-ingressgateway"
    port: int = 80
    local_port: int = 8080
    login_hint: str = ""


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    detect_applications: tuple[str, ...] = ()
    applications: tuple[AppSpec, ...] = ()
    expected_namespaces: tuple[str, ...] = ()
    key_workloads: tuple[KeyWorkload, ...] = ()
    gateway: Gateway = field(default_factory=lambda: Gateway(enabled=False))
    auth_roles: tuple[str, ...] = ()
    """Roles of key_workloads that form the login path (auth-stack checks those)."""
    progressing_grace_seconds: int = 600
    sync_stuck_seconds: int = 600
    """How long a sync may run before sync-stuck reports it, for apps that do not set their own."""
    deletion_grace_seconds: int = 300
    """How long a Namespace or Application may take to delete before finalizer-stuck reports it."""
    operation_stale_seconds: int = 120
    """How long after the last operation finished the controller may reconcile an app without starting the
    operation that is set, before operation-stale reports it (a new request is picked up within seconds)."""

    def sync_limit(self, app: str) -> int:
        """Seconds a sync of `app` may run before it counts as stuck."""
        spec = self.spec(app)
        if spec is not None and spec.sync_stuck_seconds is not None:
            return spec.sync_stuck_seconds
        return self.sync_stuck_seconds

    @property
    def auth_workloads(self) -> tuple[KeyWorkload, ...]:
        return tuple(w for w in self.key_workloads if w.role in self.auth_roles)

    def spec(self, app: str) -> AppSpec | None:
        return next((a for a in self.applications if a.name == app), None)

    def depends_on(self, app: str) -> tuple[str, ...]:
        return next((a.depends_on for a in self.applications if a.name == app), ())

    def chain(self) -> tuple[str, ...]:
        """The Applications in dependency order (every app after all it depends on)."""
        ordered: list[str] = []
        pending = {a.name: set(a.depends_on) for a in self.applications}
        while pending:
            ready = [name for name, deps in pending.items() if deps <= set(ordered)]
            if not ready:
                raise ProfileError(f"profile {self.name}: dependency cycle among {sorted(pending)}")
            for name in ready:
                ordered.append(name)
                del pending[name]
        return tuple(ordered)


def _require(raw: dict[str, Any], key: str, kind: type, origin: str) -> Any:
    value = raw.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise ProfileError(f"{origin}: '{key}' must be a {kind.__name__}")
    return value


def parse_profile(raw: Any, origin: str) -> Profile:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise ProfileError(f"{origin}: not a kftui profile (expected a mapping with a 'name')")
    try:
        apps = tuple(
            AppSpec(
                str(a["name"]),
                tuple(str(d) for d in a.get("depends_on") or ()),
                None if a.get("sync_stuck_seconds") is None else int(a["sync_stuck_seconds"]),
            )
            for a in _require(raw, "applications", list, origin)
        )
        workloads = tuple(
            KeyWorkload(str(w["kind"]), str(w["namespace"]), str(w["name"]), str(w.get("role", "")))
            for w in _require(raw, "key_workloads", list, origin)
        )
        gw_raw = _require(raw, "gateway", dict, origin)
        gateway = (
            Gateway(**{k: v for k, v in gw_raw.items() if k in Gateway.__dataclass_fields__})
            if gw_raw
            else Gateway(enabled=False)
        )
        profile = Profile(
            name=raw["name"],
            description=str(raw.get("description", "")),
            detect_applications=tuple(
                str(a) for a in _require(raw, "detect", dict, origin).get("applications", ())
            ),
            applications=apps,
            expected_namespaces=tuple(str(n) for n in _require(raw, "expected_namespaces", list, origin)),
            key_workloads=workloads,
            gateway=gateway,
            auth_roles=tuple(str(r) for r in _require(raw, "auth_roles", list, origin)),
            progressing_grace_seconds=int(raw.get("progressing_grace_seconds", 600)),
            sync_stuck_seconds=int(raw.get("sync_stuck_seconds", 600)),
            deletion_grace_seconds=int(raw.get("deletion_grace_seconds", 300)),
            operation_stale_seconds=int(raw.get("operation_stale_seconds", 120)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ProfileError(f"{origin}: malformed profile entry: {exc}") from None
    profile.chain()
    return profile


def load_profile(path: str | Path) -> Profile:
    p = Path(path)
    try:
        raw = safeyaml.load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(f"{p}: no such profile file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"{p}: cannot read profile: {exc}") from None
    except safeyaml.YamlError as exc:
        raise ProfileError(f"{p}: profile: {exc}") from None
    return parse_profile(raw, str(p))


def builtin_profile(name: str = "kubeflow") -> Profile:
    text = resources.files("kftui.data").joinpath("profiles", f"{name}.yaml").read_text(encoding="utf-8")
    return parse_profile(safeyaml.load(text), f"builtin:{name}")


GENERIC = Profile(
    name="generic", description="Any Argo CD install: no dependency chain, no expected namespaces"
)


def detect_profile(app_names: set[str]) -> Profile:
    """The Kubeflow profile when one of its Applications exists, else the generic one."""
    kubeflow = builtin_profile("kubeflow")
    if app_names & set(kubeflow.detect_applications):
        return kubeflow
    return GENERIC

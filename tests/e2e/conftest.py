"""Session fixture `lab`: the real lab cluster (see tests/lab/__init__.py for its API)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab import build
from tests.lab import lab as lab_mod

_current: lab_mod.Lab | None = None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: needs the real lab cluster (tests/lab)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use the spoke run last (in their collected order).

    Adding the spoke changes the shared hub (more Applications, a cluster Secret, Argo CD's RBAC default
    role off), so the hub-only tests run before it, against the lab they were written for.
    """
    items.sort(key=lambda item: "lab_spoke" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def lab(request: pytest.FixtureRequest) -> Iterator[lab_mod.Lab]:
    global _current
    if os.environ.get("KFTUI_LAB_REUSE") == "1":
        existing = lab_mod.Lab.load()
        if existing is not None and existing.is_up():
            _current = existing
            yield existing
            return
    # Show build/start progress live: a cold build takes minutes and should not look hung.
    capture = request.config.pluginmanager.getplugin("capturemanager")
    failure = ""
    try:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            started = lab_mod.up(log=lambda line: print(line, flush=True))
    except lab_mod.LabStartError as e:
        failure = f"the lab did not start: {e}"
    except build.BuildError as e:
        failure = f"the lab binaries could not be built: {e}"
    except Exception as e:
        failure = f"the lab did not start: {type(e).__name__}: {e}"
    if failure:
        # Outside the except block, so the report shows the reason once, without a chained traceback.
        pytest.fail(failure, pytrace=False)
    _current = started
    try:
        yield started
    finally:
        _current = None
        lab_mod.down()


@pytest.fixture(scope="session")
def lab_spoke(lab: lab_mod.Lab, request: pytest.FixtureRequest) -> lab_mod.Lab:
    """The same lab with the spoke cluster added (tests/lab/spoke.py), started the first time a test asks.

    Sessions that never ask do not pay for it; with KFTUI_LAB_SPOKE=1 the lab starts with it (in
    parallel with the hub) and this returns at once. It stops with the lab.
    """
    if lab.has_spoke:
        return lab
    from tests.lab import spoke

    capture = request.config.pluginmanager.getplugin("capturemanager")
    failure = ""
    try:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            return spoke.add(lab, log=lambda line: print(line, flush=True))
    except lab_mod.LabStartError as e:
        failure = f"the spoke did not start: {e}"
    except Exception as e:
        failure = f"the spoke did not start: {type(e).__name__}: {e}"
    pytest.fail(failure, pytrace=False)


@pytest.fixture(scope="session")
def lab_binaries(request: pytest.FixtureRequest) -> Path:
    """The bin dir with every lab binary, built first if needed (no lab is started)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    failure = ""
    try:
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            return build.build_all(log=lambda line: print(line, flush=True))
    except build.BuildError as e:
        failure = f"the lab binaries could not be built: {e}"
    pytest.fail(failure, pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """On a failing e2e test, attach the tail of every lab component's log to the report."""
    report = yield
    if report.failed and _current is not None and "lab" in getattr(item, "fixturenames", ()):
        dead = _current.describe_failure()
        if dead:
            report.sections.append(("lab: components not running", dead))
        tails = []
        for log in sorted(_current.logs_dir.glob("*.log")):
            if log.name.startswith(
                ("audit", "pod-")
            ):  # audit*.log: JSON events; pod-*.log: what kwok serves as logs
                continue
            tails.append(f"--- {log.name} (last 15 lines) ---\n{lab_mod.procs.tail(log, 15)}")
        report.sections.append(("lab: component logs", "\n".join(tails)))
    return report

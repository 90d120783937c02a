"""When a component cannot start, the lab says which one and why, and leaves nothing running."""

from __future__ import annotations

import os

import pytest

from tests.lab import build, procs
from tests.lab import lab as lab_mod

pytestmark = pytest.mark.e2e


def test_a_failing_component_is_named_with_its_log_and_nothing_is_left_running(
    lab_binaries, tmp_path, monkeypatch
):
    # A second, independent lab in tmp_path whose kube-apiserver is broken.
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    for f in lab_binaries.iterdir():
        (fake_bin / f.name).symlink_to(f)
    (fake_bin / "kube-apiserver").unlink()
    (fake_bin / "kube-apiserver").write_text(
        "#!/bin/sh\necho 'E1126 simulated failure: unable to load server certificate' >&2\nexit 1\n"
    )
    os.chmod(fake_bin / "kube-apiserver", 0o755)
    monkeypatch.setattr(build, "bin_dir", lambda versions=None: fake_bin)
    monkeypatch.setattr(build, "missing_binaries", lambda: [])
    started = []
    real_start = procs.start

    def recording_start(*args, **kwargs):
        proc = real_start(*args, **kwargs)
        started.append((args[0], proc.pid))
        return proc

    monkeypatch.setattr(procs, "start", recording_start)

    with pytest.raises(lab_mod.LabStartError) as err:
        lab_mod.up(log=lambda line: None, directory=tmp_path / "lab")

    assert err.value.component == "kube-apiserver"
    assert "simulated failure: unable to load server certificate" in err.value.log_tail
    assert "simulated failure" in str(err.value)
    assert [name for name, _ in started] == ["etcd", "kube-apiserver"]
    assert not [name for name, pid in started if procs.alive(pid)], "left running after a failed start"
    assert lab_mod.Lab.load(tmp_path / "lab") is None  # state file retired by down()

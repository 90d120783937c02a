"""The lab's ports stay clear of the ports the kernel hands to outgoing connections."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.lab import lab as lab_mod

# A pretend host whose ephemeral range leaves only 10000-19999 below it and nothing above.
EPHEMERAL = (20000, 65535)
BELOW = set(range(lab_mod.LOWEST_LAB_PORT, EPHEMERAL[0]))


@contextmanager
def _listener_below_the_range() -> Iterator[int]:
    for port in sorted(BELOW):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            s.listen()
            yield port
            return
    pytest.fail("no port below 20000 could be bound on this machine")


def test_ports_come_from_outside_the_ephemeral_range_and_are_not_reused() -> None:
    taken: set[int] = set()
    for _ in range(50):
        port = lab_mod.free_port(taken=taken, ephemeral=EPHEMERAL)
        assert port in BELOW
        assert port not in taken
        taken.add(port)


def test_a_port_something_listens_on_is_passed_over() -> None:
    with _listener_below_the_range() as busy:
        spare = next(p for p in sorted(BELOW) if p != busy)
        only_two_left = BELOW - {busy, spare}
        assert lab_mod.free_port(taken=only_two_left, ephemeral=EPHEMERAL) == spare


def test_no_port_left_is_a_lab_start_error_naming_ports() -> None:
    with pytest.raises(lab_mod.LabStartError) as err:
        lab_mod.free_port(taken=BELOW, ephemeral=EPHEMERAL)
    assert err.value.component == "ports"


def test_the_ephemeral_range_is_read_from_the_kernel_file(tmp_path) -> None:
    source = tmp_path / "ip_local_port_range"
    source.write_text("40000\t50000\n")
    assert lab_mod.ephemeral_port_range(source) == (40000, 50000)
    source.write_text("garbage")
    assert lab_mod.ephemeral_port_range(source) == (32768, 60999)
    assert lab_mod.ephemeral_port_range(tmp_path / "missing") == (32768, 60999)

"""Argo CD's record of API calls (argocd-server's log) read into (method, write?) entries, hermetically."""

from __future__ import annotations

import pytest

from tests.lab.argocd_record import ArgoCall, is_write, parse_record, reads, writes


def started(method: str, service: str = "application.ApplicationService", at: str = "12:00:01") -> str:
    return (
        f'time="2026-12-04T{at}Z" level=info msg="started call" grpc.component=server grpc.method={method} '
        f'grpc.method_type=unary grpc.service={service} grpc.start_time="2026-12-04T{at}Z" grpc.time_ms=0.01 '
        'peer.address="127.0.0.1:40000" protocol=grpc'
    )


def finished(method: str, code: str = "OK") -> str:
    return (
        f'time="2026-12-04T12:00:01Z" level=info msg="finished call" grpc.code={code} grpc.component=server '
        f"grpc.method={method} grpc.method_type=unary grpc.service=application.ApplicationService "
        'grpc.start_time="2026-12-04T12:00:01Z" grpc.time_ms=3.5 peer.address="127.0.0.1:40000" protocol=grpc'
    )


def received(full_method: str, content: str) -> str:
    quoted = content.replace("\\", "\\\\").replace('"', '\\"')
    return (
        f'time="2026-12-04T12:00:01Z" level=info msg="received unary call {full_method}" '
        'grpc.request.claims="{\\"iss\\":\\"argocd\\",\\"sub\\":\\"admin\\"}" '
        f'grpc.request.content="{quoted}"'
    )


@pytest.mark.parametrize(
    ("method", "write"),
    [
        ("Get", False),
        ("List", False),
        ("Watch", False),
        ("ResourceTree", False),
        ("WatchResourceTree", False),
        ("ManagedResources", False),
        ("PodLogs", False),
        ("ListResourceEvents", False),
        ("GetResource", False),
        ("CanI", False),
        ("GetUserInfo", False),
        ("Version", False),
        ("Sync", True),
        ("TerminateOperation", True),
        ("Delete", True),
        ("Create", True),
        ("Update", True),
        ("UpdateSpec", True),
        ("Patch", True),
        ("PatchResource", True),
        ("DeleteResource", True),
        ("RunResourceAction", True),
        ("RunResourceActionV2", True),
        ("Rollback", True),
        ("CreateToken", True),
        ("InvalidateCache", True),
        ("SomethingArgoCDAddsLater", True),
        ("", True),
    ],
)
def test_a_method_is_a_read_only_when_argo_cd_documents_it_as_one(method: str, write: bool) -> None:
    assert is_write(method) is write


def test_one_entry_per_started_call_with_its_method_and_whether_it_writes() -> None:
    text = "\n".join(
        [
            "### 12:00:00 starting: argocd-server --loglevel info",
            started("List", at="12:00:01"),
            finished("List"),
            started("ResourceTree", at="12:00:02"),
            received("/application.ApplicationService/ResourceTree", '{"applicationName":"a"}'),
            started("Sync", at="12:00:03"),
            finished("Sync", code="PermissionDenied"),
            started("CanI", service="account.AccountService", at="12:00:04"),
            'time="2026-12-04T12:00:05Z" level=info msg="Alloc=9000 TotalAlloc=1 Sys=2 NumGC=3 Goroutines=40"',
        ]
    )
    calls = parse_record(text)
    assert [(c.method, c.write) for c in calls] == [
        ("List", False),
        ("ResourceTree", False),
        ("Sync", True),
        ("CanI", False),
    ]
    assert calls[2] == ArgoCall("2026-12-04T12:00:03Z", "application.ApplicationService", "Sync", True)
    assert calls[3].service == "account.AccountService"
    assert [c.method for c in writes(calls)] == ["Sync"]
    assert [c.method for c in reads(calls)] == ["List", "ResourceTree", "CanI"]
    assert writes(calls)[0].describe() == "application.ApplicationService/Sync at 2026-12-04T12:00:03Z"


def test_a_get_that_asks_for_a_refresh_is_a_write_a_plain_get_is_not() -> None:
    plain = parse_record(
        started("Get") + "\n" + received("/application.ApplicationService/Get", '{"name":"good"}')
    )
    assert [(c.method, c.write) for c in plain] == [("Get", False)]
    refreshing = parse_record(
        started("Get")
        + "\n"
        + received("/application.ApplicationService/Get", '{"name":"good","refresh":"normal"}')
    )
    assert [(c.method, c.write, c.why) for c in refreshing] == [
        ("Get", False, ""),
        ("Get", True, "refresh=normal"),
    ]
    assert writes(refreshing)[0].describe().startswith("application.ApplicationService/Get (refresh=normal)")
    # Another service's Get with a field named refresh is not Argo CD's app refresh.
    other = parse_record(received("/cluster.ClusterService/Get", '{"server":"x","refresh":"y"}'))
    assert other == []


def test_lines_that_are_not_calls_or_are_cut_short_are_skipped() -> None:
    text = "\n".join(
        [
            "",
            "panic: something else",
            'time="2026-12-04T12:00:01Z" level=info msg="received unary call /application.ApplicationService/Get" '
            'grpc.request.content="{not json"',
            'time="2026-12-04T12:00:01Z" level=info msg="received unary call" ',
        ]
    )
    assert parse_record(text) == []

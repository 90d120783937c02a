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
    """As argocd-server logs a request: protobuf's text form, quoted (a line from the lab's log, name changed)."""
    quoted = content.replace("\\", "\\\\").replace('"', '\\"')
    return f'time="2026-12-04T12:00:01Z" level=info msg="received unary call {full_method}" grpc.request.content="{quoted}"'


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


@pytest.mark.parametrize("kind", ["normal", "hard"])
def test_a_get_that_asks_for_a_refresh_is_a_write_a_plain_get_is_not(kind: str) -> None:
    get = "/application.ApplicationService/Get"
    plain = received(get, 'name:"good" appNamespace:"argocd" ')
    assert [(c.method, c.write) for c in parse_record(started("Get") + "\n" + plain)] == [("Get", False)]
    refreshing = received(get, f'name:"good" refresh:"{kind}" appNamespace:"argocd" ')
    calls = parse_record(started("Get") + "\n" + refreshing)
    assert [(c.method, c.write, c.why) for c in calls] == [
        ("Get", False, ""),
        ("Get", True, f"refresh={kind}"),
    ]
    assert (
        writes(calls)[0].describe()
        == f"application.ApplicationService/Get (refresh={kind}) at 2026-12-04T12:00:01Z"
    )
    assert parse_record(received(get, 'name:"good" refresh:"" ')) == []


def test_only_an_application_get_refreshes() -> None:
    get = "/application.ApplicationService/Get"
    assert parse_record(received("/cluster.ClusterService/Get", 'server:"x" refresh:"y" ')) == []
    assert parse_record(received(get, 'name:"good" autorefresh:"yes" ')) == []


def test_a_request_that_quotes_a_log_message_is_not_taken_for_a_call() -> None:
    assert (
        parse_record(received("/application.ApplicationService/Get", 'name:"msg=\\"started call\\"" ')) == []
    )


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


# Verbatim from argocd-server-auth's log in the lab (kftui's sync and refresh of a spoke app, then reads: a
# spoke pod's log, and a spoke app's live tree stream, which ended after 200 s).
LAB_LINES = r"""
time="2026-12-04T15:08:50Z" level=info msg="started call" grpc.component=server grpc.method=Sync grpc.method_type=unary grpc.service=application.ApplicationService grpc.start_time="2026-12-04T15:08:50Z" grpc.time_ms=0.004 peer.address="127.0.0.1:44892" protocol=grpc
time="2026-12-04T15:08:50Z" level=info msg="received unary call /application.ApplicationService/Sync" grpc.request.content="name:\"spoke-seaweedfs\" dryRun:false prune:false strategy:<hook:<syncStrategyApply:<force:false > > > appNamespace:\"argocd\" "
time="2026-12-04T15:08:50Z" level=info msg="started call" grpc.component=server grpc.method=Get grpc.method_type=unary grpc.service=application.ApplicationService grpc.start_time="2026-12-04T15:08:50Z" grpc.time_ms=0.004 peer.address="127.0.0.1:44892" protocol=grpc
time="2026-12-04T15:08:50Z" level=info msg="received unary call /application.ApplicationService/Get" grpc.request.content="name:\"spoke-seaweedfs\" refresh:\"normal\" appNamespace:\"argocd\" "
2026/12/04 15:08:44 proto: tag has too few fields: "-"
time="2026-12-04T15:08:44Z" level=info msg="started call" grpc.component=server grpc.method=PodLogs grpc.method_type=server_stream grpc.service=application.ApplicationService grpc.start_time="2026-12-04T15:08:44Z" grpc.time_ms=0.004 peer.address="127.0.0.1:44892" protocol=grpc
time="2026-12-04T15:08:44Z" level=info msg="received streaming call /application.ApplicationService/PodLogs" grpc.request.content="name:\"spoke-katib\" namespace:\"kubeflow\" podName:\"katib-controller-56947bc66-ldr24\" tailLines:200 follow:false appNamespace:\"argocd\" "
time="2026-12-04T17:17:20Z" level=info msg="started call" grpc.component=server grpc.method=WatchResourceTree grpc.method_type=server_stream grpc.service=application.ApplicationService grpc.start_time="2026-12-04T17:17:20Z" grpc.time_ms=0.014 peer.address="127.0.0.1:42128" protocol=grpc
time="2026-12-04T17:17:20Z" level=info msg="received streaming call /application.ApplicationService/WatchResourceTree" grpc.request.content="applicationName:\"spoke-katib\" appNamespace:\"argocd\" "
time="2026-12-04T17:20:40Z" level=info msg="finished call" grpc.code=OK grpc.component=server grpc.method=WatchResourceTree grpc.method_type=server_stream grpc.service=application.ApplicationService grpc.start_time="2026-12-04T17:17:20Z" grpc.time_ms=200000.38 peer.address="127.0.0.1:42128" protocol=grpc
"""


def test_the_labs_own_lines_sync_and_refresh_are_writes_pod_logs_and_the_tree_stream_reads() -> None:
    calls = parse_record(LAB_LINES)
    assert [(c.method, c.write, c.why) for c in calls] == [
        ("Sync", True, ""),
        ("Get", False, ""),
        ("Get", True, "refresh=normal"),
        ("PodLogs", False, ""),
        ("WatchResourceTree", False, ""),
    ]
    assert {c.service for c in calls} == {"application.ApplicationService"}
    assert calls[0].time == "2026-12-04T15:08:50Z"

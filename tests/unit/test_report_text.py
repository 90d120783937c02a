"""The text report's header: greppable, one spelling of counts, no doubled parentheses."""

from __future__ import annotations

from dataclasses import replace

from kftui.cluster.dumpfile import load_demo
from kftui.report import render_text


def test_the_demo_header_names_its_source_once_in_parentheses() -> None:
    header = render_text([], load_demo()).splitlines()[0]
    assert header == "kftui check: demo (embedded demo), 3 applications"


def test_one_application_is_singular_and_a_source_without_server_has_no_parentheses() -> None:
    demo = load_demo()
    one = replace(demo, applications=dict(list(demo.applications.items())[:1]), server="")
    assert render_text([], one).splitlines()[0] == "kftui check: demo, 1 application"

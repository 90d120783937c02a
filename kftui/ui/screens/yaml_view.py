"""The YAML view (`y`): the selected object as YAML, from the live cluster or the dump, secrets masked.

The object is fetched in a thread worker (a live GET through the source; a dump is read again) and shown
through cluster/manifest.py: managedFields hidden, Secret values and other secrets masked as in `kftui dump`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual import work
from textual.message import Message

from kftui.cluster.manifest import ManifestError, as_yaml
from kftui.ui.screens.text_screen import TextScreen

Fetch = Callable[[], dict[str, Any] | None]


class YamlScreen(TextScreen):
    """One object's YAML, scrollable and searchable."""

    class Fetched(Message):
        def __init__(self, text: str | None, error: str | None) -> None:
            super().__init__()
            self.text = text
            self.error = error

    def __init__(self, title: str, fetch: Fetch) -> None:
        super().__init__(title)
        self.fetch = fetch
        self.state = "loading"

    def on_mount(self) -> None:
        self.show_lines(["(loading…)"])
        self._load()

    def header_detail(self) -> str:
        return f"managedFields hidden, secrets masked  |  {self.state}"

    @work(thread=True, exclusive=True, group="yaml", exit_on_error=False, description="fetch object")
    def _load(self) -> None:
        try:
            obj = self.fetch()
        except ManifestError as exc:
            message = self.Fetched(None, str(exc))
        except Exception as exc:  # a broken answer ends in a line on screen, never a traceback
            message = self.Fetched(None, f"{type(exc).__name__}: {exc}")
        else:
            if obj is None:
                message = self.Fetched(None, "the object is not in this source")
            else:
                message = self.Fetched(as_yaml(obj), None)
        with contextlib.suppress(RuntimeError):
            self.post_message(message)

    def on_yaml_screen_fetched(self, message: Fetched) -> None:
        if message.text is not None:
            self.state = f"{message.text.count(chr(10))} lines"
            self.show_lines(message.text.splitlines())
        else:
            self.state = "not available"
            self.show_lines([f"Cannot show the YAML: {message.error}"])
        self.set_header(self.header_detail())

"""`python -m kftui`: the same entry point as the `kftui` command."""

from kftui.cli import run

run()

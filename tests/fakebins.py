"""Stand-ins for `kustomize build`, written as Python scripts run by this interpreter: no test needs /bin/sh.

The shebang is the running interpreter's own path, so a script runs even with an empty PATH (the tests that
hide every kustomize set one).
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path


def python_script(path: Path, body: str) -> Path:
    """An executable file at `path` that this interpreter runs with `body` as its program."""
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return path


def failing_build(path: Path, stderr: list[str], code: int = 1) -> Path:
    """A build that prints `stderr`, one item a line, and exits with `code`."""
    lines = "".join(f"{line}\n" for line in stderr)
    return python_script(path, f"import sys\nsys.stderr.write({lines!r})\nsys.exit({code})\n")


class HangingBuild:
    """A build that never finishes by itself: it waits to read a FIFO that nobody writes.

    Nothing sleeps, so the test takes as long as the timeout under test and no longer; `still_running()`
    then tells whether the caller killed the build when it gave up on it (and releases one it did not).
    """

    def __init__(self, path: Path) -> None:
        self.fifo = path.with_name(path.name + ".fifo")
        os.mkfifo(self.fifo)
        self.path = python_script(path, f"open({str(self.fifo)!r}).read()\n")

    def still_running(self) -> bool:
        """Does a build still wait on the FIFO? Opening its write end without blocking fails (ENXIO) when
        nobody has it open to read; when somebody does, closing it again gives them end-of-file: they end."""
        try:
            fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno == errno.ENXIO:
                return False
            raise
        os.close(fd)
        return True

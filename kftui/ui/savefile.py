"""Saving text the user asked for (a log) to a path they typed: never through a symlink, never over a file unasked.

A path typed into a TUI may name a symlink an attacker planted (/tmp/x -> ~/.bashrc) or an existing file
the user did not mean to lose. So: a symlink is refused, an existing file needs `overwrite` (the screen asks
first), and the text is written to a temp file created exclusively beside the target, then renamed over it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class SaveError(Exception):
    """The file was not written; the message is one line for the user."""


class FileExists(SaveError):
    """The target exists and `overwrite` was not given: ask, then save again with it."""


def save_text(path: str | os.PathLike[str], text: str, overwrite: bool = False) -> Path:
    """Write `text` to `path` (~ expanded), readable by the owner only; returns the path written."""
    target = Path(path).expanduser()
    if not str(path).strip():
        raise SaveError("no file name given")
    if target.is_symlink():
        raise SaveError(f"{target}: is a symbolic link; kftui does not write through one")
    if target.is_dir():
        raise SaveError(f"{target}: is a directory")
    if target.exists() and not overwrite:
        raise FileExists(f"{target}: exists")
    if not target.parent.is_dir():
        raise SaveError(f"{target.parent}: no such directory")
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(tmp, flags, 0o600)
    except OSError as exc:
        raise SaveError(f"{target}: cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        if target.is_symlink():  # planted meanwhile: the rename would replace the link, but say no anyway
            raise SaveError(f"{target}: became a symbolic link; not written")
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise SaveError(f"{target}: cannot write: {exc.strerror}") from None
    except SaveError:
        tmp.unlink(missing_ok=True)
        raise
    return target

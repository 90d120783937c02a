"""Copying over SSH and inside tmux: the OSC 52 escape (with tmux passthrough) and what to tell the user.

Pure: the app writes the sequence to its terminal. Whether the terminal honours OSC 52 cannot be detected
reliably, so the message never claims a copy happened: it says the text was sent and shows it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

ESC = "\x1b"
BEL = "\x07"


def osc52(text: str) -> str:
    """The OSC 52 sequence that puts `text` on the system clipboard ("c") of a terminal that supports it."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"{ESC}]52;c;{payload}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """Wrap a sequence so tmux hands it to the outer terminal: `ESC P tmux; ... ESC \\`, inner ESCs doubled."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ESC}\\"


def clipboard_sequence(text: str, env: Mapping[str, str]) -> str:
    """What to write to the terminal for `text`: OSC 52, wrapped for tmux when $TMUX says we run inside it."""
    sequence = osc52(text)
    return tmux_passthrough(sequence) if env.get("TMUX") else sequence


def copy_message(text: str, sent: bool) -> str:
    """The toast after a copy: never a bare "Copied", since nobody can tell whether the terminal took it."""
    if sent:
        return f"Sent to the terminal clipboard (OSC 52); if nothing was copied, here is the text:\n{text}"
    return f"No terminal clipboard is reachable from here; here is the text:\n{text}"

"""k9s and kftui side by side in tmux at 160x48, on the same bench lab, measured the same way (issue 19).

What is measured, and how (both tools get exactly the same treatment):
- full screen: from spawning the tool in a fresh tmux window until its screen first shows everything. For
  k9s that is the all-namespaces pod view whose title counts at least the scale's pods (`Pods(all)[N]`);
  for kftui it is the Diagnostics summary (`N errors`), which kftui draws only after the first check pass
  over the complete snapshot. The screen is read with `tmux capture-pane` every 20 ms, so each figure is
  late by up to one poll (and the cost of one capture).
- peak RSS: VmHWM of the tool's own process (the tmux pane runs it directly, no shell between), read after
  the keypress run, so it includes the churn.
- keypress -> repaint under churn: while the lab churns pods, `j` (cursor down; both tools bind it) is sent
  with `tmux send-keys` and the pane is polled until the cursor has moved: the rows drawn with a background
  at most two rows use (from `capture-pane -e`) changed. A repaint that does not move the cursor (k9s
  refreshes its table every 2 s) does not end the wait.

k9s is built from its Go module like the lab's binaries and cached under ~/.cache/kftui/k9s/VERSION/.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bench import churn
from tests.bench.objects import ARGOCD_NAMESPACE, Scale

K9S_MODULE = "github.com/derailed/k9s"
K9S_VERSION = "v0.50.16"
WIDTH, HEIGHT = 160, 48
POLL_S = 0.02
REPO = Path(__file__).resolve().parents[2]


def k9s_binary(log: Callable[[str], None]) -> Path:
    """The cached k9s, built with `go install` the first time (a few minutes on 2 cores)."""
    from tests.lab.build import cache_root, find_go

    target = cache_root().parent / "k9s" / K9S_VERSION
    binary = target / "k9s"
    if binary.exists():
        return binary
    target.mkdir(parents=True, exist_ok=True)
    log(f"[bench] building k9s {K9S_VERSION} from the Go module proxy into {target} (once)")
    env = {**os.environ, "GOBIN": str(target), "GOFLAGS": "-mod=mod"}
    done = subprocess.run(
        [find_go(), "install", f"{K9S_MODULE}@{K9S_VERSION}"], env=env, capture_output=True, text=True
    )
    if done.returncode != 0 or not binary.exists():
        raise SystemExit(f"k9s build failed: {(done.stderr or done.stdout).strip()[-400:]}")
    return binary


_PANES = itertools.count()


class Pane:
    """One tool running directly in a detached tmux session of its own, on a tmux server of its own: with a
    shared server, a session started just as the previous last one closed met a server on its way out
    ("server exited unexpectedly"), and the bench never touches the user's own tmux."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str]) -> None:
        self.session = f"kftui-bench-{name}-{os.getpid()}-{next(_PANES)}"
        self.tmux = ["tmux", "-L", self.session]
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = f"exec env {exports} {shlex.join(argv)}"
        self.started = time.monotonic()
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                self.session,
                "-x",
                str(WIDTH),
                "-y",
                str(HEIGHT),
                command,
            ],
            check=True,
        )
        out = subprocess.run(
            [*self.tmux, "display-message", "-p", "-t", self.session, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        )
        self.pid = int(out.stdout.strip())

    def screen(self, escapes: bool = False) -> str:
        cmd = [*self.tmux, "capture-pane", "-p", "-t", self.session] + (["-e"] if escapes else [])
        return subprocess.run(cmd, capture_output=True, text=True).stdout

    def wait_for(self, shown: Callable[[str], bool], timeout: float) -> float:
        """Seconds from the spawn until `shown(screen)` holds."""
        deadline = self.started + timeout
        while time.monotonic() < deadline:
            if shown(self.screen()):
                return time.monotonic() - self.started
            time.sleep(POLL_S)
        raise SystemExit(
            f"{self.session}: the screen never showed what was awaited:\n{self.screen()[-1500:]}"
        )

    def peak_rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def _backgrounds(line: str) -> set[str]:
    """Every background a line sets (256-colour, true colour, the 16 basic ones, or reverse video)."""
    found: set[str] = set()
    for params in SGR.findall(line):
        parts = params.split(";") if params else ["0"]
        i = 0
        while i < len(parts):
            p = parts[i]
            if p in ("38", "48") and i + 1 < len(parts):
                width = 3 if parts[i + 1] == "5" else 5  # 38;5;n or 38;2;r;g;b
                if p == "48":
                    found.add(";".join(parts[i : i + width]))
                i += width
                continue
            if p == "7" or (p.isdigit() and (40 <= int(p) <= 47 or 100 <= int(p) <= 107)):
                found.add(p)
            i += 1
    return found


def cursor_marks(screen_with_escapes: str) -> frozenset[tuple[int, str]]:
    """(row, background) for the backgrounds only one or two rows use: a list's cursor row (and a table's
    header). A repaint that leaves them in place (a periodic refresh) keeps this the same; a cursor that
    moved changes it."""
    rows: dict[str, set[int]] = {}
    for i, line in enumerate(screen_with_escapes.splitlines()):
        for bg in _backgrounds(line):
            rows.setdefault(bg, set()).add(i)
    return frozenset((i, bg) for bg, where in rows.items() if len(where) <= 2 for i in where)


def keypress_latencies(pane: Pane, presses: int, timeout: float = 5.0) -> list[float]:
    """Send `j` and `k` in turn (down, up: the cursor always has somewhere to go) and wait each time for the
    cursor to move; `presses` times, a little apart. A press the screen never answers is left out and
    counted by the caller (presses asked minus latencies returned)."""
    latencies: list[float] = []
    for i in range(presses):
        before = cursor_marks(pane.screen(escapes=True))
        t0 = time.monotonic()
        subprocess.run([*pane.tmux, "send-keys", "-t", pane.session, "jk"[i % 2]], capture_output=True)
        while time.monotonic() - t0 < timeout:
            now = cursor_marks(pane.screen(escapes=True))
            if now and now != before:
                latencies.append(time.monotonic() - t0)
                break
            time.sleep(POLL_S / 4)
        time.sleep(0.15)
    return latencies


def _k9s(lab: Any, binary: Path, config_dir: Path) -> Pane:
    env = {
        "KUBECONFIG": str(lab.kubeconfig),
        "K9S_CONFIG_DIR": str(config_dir),
        "XDG_CONFIG_HOME": str(config_dir),
        "XDG_STATE_HOME": str(config_dir),
        "XDG_DATA_HOME": str(config_dir),
        "TERM": "xterm-256color",
    }
    return Pane(
        "k9s", [str(binary), "--all-namespaces", "--command", "pods", "--readonly", "--logoless"], env
    )


def _kftui(lab: Any, argocd_namespace: str) -> Pane:
    env = {"TERM": "xterm-256color", "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-m", "kftui", "--kubeconfig", str(lab.kubeconfig), "--read-only"]
    return Pane("kftui", [*argv, "--argocd-namespace", argocd_namespace], env)


def k9s_full(s: Scale) -> Callable[[str], bool]:
    # k9s groups the count's digits from 1,000 on: "pods(all)[20,006]".
    title = re.compile(r"Pods\(all\)\[([\d,]+)\]", re.IGNORECASE)

    def shown(screen: str) -> bool:
        m = title.search(screen)
        return m is not None and int(m.group(1).replace(",", "")) >= s.pods

    return shown


def kftui_full(screen: str) -> bool:
    return re.search(r"✖ [\d,]+ errors?", screen) is not None


def side_by_side(
    lab: Any,
    s: Scale,
    churn_seconds: float,
    log: Callable[[str], None],
    reps: int = 2,
    argocd_namespace: str = ARGOCD_NAMESPACE,
) -> dict[str, Any]:
    """Both tools, interleaved `reps` times for the first full screen; then one keypress run each under churn."""
    binary = k9s_binary(log)
    timeout = 120 + s.pods / 100
    full: dict[str, list[float]] = {"k9s": [], "kftui": []}
    rss: dict[str, list[float]] = {"k9s": [], "kftui": []}
    keys: dict[str, list[float]] = {"k9s": [], "kftui": []}
    churned: dict[str, float] = {}
    presses = max(20, int(churn_seconds * 2))
    with tempfile.TemporaryDirectory(prefix="kftui-bench-k9s-") as tmp:
        starts: dict[str, Callable[[], Pane]] = {
            "k9s": lambda: _k9s(lab, binary, Path(tmp)),
            "kftui": lambda: _kftui(lab, argocd_namespace),
        }
        shown: dict[str, Callable[[str], bool]] = {"k9s": k9s_full(s), "kftui": kftui_full}
        for rep in range(reps):
            for tool in ("k9s", "kftui"):
                pane = starts[tool]()
                try:
                    full[tool].append(pane.wait_for(shown[tool], timeout))
                    last = rep == reps - 1
                    if last:  # the keypress run under churn, on the last start of each tool
                        time.sleep(2)
                        thread, changes = churn.start(s, lab.server, lab._tls(), s.churn_rate, churn_seconds)
                        keys[tool] = keypress_latencies(pane, presses)
                        thread.join()
                        churned[tool] = changes.rate
                    rss[tool].append(pane.peak_rss_mb())
                finally:
                    pane.close()
                log(
                    f"[bench] side by side, rep {rep + 1}: {tool} full screen {full[tool][-1]:.2f}s, "
                    f"peak RSS {rss[tool][-1]:.0f} MB"
                )
    figures: dict[str, Any] = {"version": K9S_VERSION, "size": f"{WIDTH}x{HEIGHT}"}
    for tool in ("k9s", "kftui"):
        figures[tool] = {
            "full_screen_s": statistics.median(full[tool]),
            "peak_rss_mb": max(rss[tool]),
            "key_p50_ms": _pct(keys[tool], 50) * 1000,
            "key_p95_ms": _pct(keys[tool], 95) * 1000,
            "keypresses": len(keys[tool]),
            "unanswered_keypresses": presses - len(keys[tool]),
            "churn_rate": churned.get(tool, 0.0),
            "raw_full_screen_s": full[tool],
        }
    return figures


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

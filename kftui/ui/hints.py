"""k9s habits: the one-line hints for k9s keys kftui has no action for, and each kftui key's k9s spelling."""

from __future__ import annotations

NO_ACTION: dict[str, str] = {
    "shell": "kftui has no shell: use kubectl exec -it -n NAMESPACE POD -- sh",
    "kill": "kftui has no kill: ctrl+d deletes the selected pod (preview and confirm first)",
    "favourite": "kftui has no namespace shortcuts (k9s 0-9): :ns NAME jumps to a namespace; 1-9 pick a fix",
    "wide": "kftui has no wide view: the details pane (d) describes the selected row",
    "port-forward": "kftui forwards the gateway only: p opens Port-forwards",
    "edit": "kftui does not edit objects: fix the manifests in Git, then sync (x on a sync fix)",
}
"""Why a k9s key does nothing here, by the hint's name (the parameter of the `hint` action)."""


K9S_KEY: dict[str, str] = {
    "app.quit": "q, ctrl+c",
    "app.help": "?",
    "app.filter": "/",
    "app.clear": "esc",
    "app.command": ":",
    "app.describe": "d",
    "app.yaml": "y",
    "app.logs": "l",
    "app.delete": "ctrl+d",
    "app.copy-command": "c",
    "app.refresh": "ctrl+r",
    "app.down": "j",
    "app.up": "k",
    "app.top": "g",
    "app.bottom": "G",
    "app.hint-shell": "s",
    "app.hint-kill": "ctrl+k",
    "app.hint-favourite": "0",
    "app.hint-wide": "ctrl+w",
    "app.hint-port-forward": "shift+f",
}
"""The k9s key that does the same (or, for hints, the k9s key answered with a hint), by binding id."""

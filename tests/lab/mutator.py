"""Perpetual-drift makers for the lab: threads that keep rewriting one field of a webhook configuration, as
cert-manager's cainjector rewrites its caBundle (CaInjector) and as a controller keeps an annotation of its own
up to date (AnnotationController), after Argo CD applied git's value.

    with CaInjector(lab, "my-webhook") as injector:
        ...                      # the field changes every `interval` seconds, by its own field manager
    injector.writes              # how many rewrites the API server accepted

Stopping is part of leaving the `with` block (the thread is joined): no writer outlives its test.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.lab.lab import Lab

INJECTOR_MANAGER = "kftui-lab-cainjector"
CONTROLLER_MANAGER = "kftui-lab-controller"
OBSERVED = "kftui.lab/observed"
"""The annotation git sets to "git" and the lab's controller keeps rewriting."""
GIT_CA_BUNDLE = base64.b64encode(b"placeholder: the CA injector writes the real one").decode()


def webhook_configuration(name: str) -> dict[str, Any]:
    """A ValidatingWebhookConfiguration that intercepts nothing (a group no API serves, failure ignored),
    with git's placeholder caBundle: the field a CA injector owns in real installs (Kubeflow's KServe,
    cert-manager users), spelled out in full so no defaulting differs from git."""
    return {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": name, "annotations": {OBSERVED: "git"}},
        "webhooks": [
            {
                "name": "drift.kftui.invalid",
                "clientConfig": {"url": "https://kftui-drift.invalid/validate", "caBundle": GIT_CA_BUNDLE},
                "rules": [
                    {
                        "apiGroups": ["kftui.invalid"],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE"],
                        "resources": ["nothings"],
                        "scope": "*",
                    }
                ],
                "failurePolicy": "Ignore",
                "matchPolicy": "Equivalent",
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 5,
                "namespaceSelector": {},
                "objectSelector": {},
            }
        ],
    }


class FieldWriter:
    """Rewrites one field of a ValidatingWebhookConfiguration with a new value every `interval` seconds, as its
    own field manager, until stopped (subclasses say which field, and as whom)."""

    manager = ""

    def patch(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def __init__(self, lab: Lab, name: str, interval: float = 0.5) -> None:
        self.lab = lab
        self.name = name
        self.interval = interval
        self.writes = 0
        self.last_error = ""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"ca-injector-{name}", daemon=True)

    def __enter__(self) -> FieldWriter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        while not self._stop.is_set():
            out = self.lab.kubectl(
                "patch", "validatingwebhookconfiguration", self.name, "--type=json", "-p", json.dumps(self.patch()),
                "--field-manager", self.manager, timeout=30,
            )  # fmt: skip
            if out.returncode == 0:
                self.writes += 1
            else:
                self.last_error = out.stderr.strip()
            self._stop.wait(self.interval)


class CaInjector(FieldWriter):
    """webhooks[0].clientConfig.caBundle, a new CA each time, as cert-manager's cainjector would."""

    manager = INJECTOR_MANAGER

    def patch(self) -> list[dict[str, Any]]:
        value = base64.b64encode(f"injected CA {uuid.uuid4()}".encode()).decode()
        return [{"op": "replace", "path": "/webhooks/0/clientConfig/caBundle", "value": value}]


class AnnotationController(FieldWriter):
    """The OBSERVED annotation, a new value each time, as a controller recording what it saw."""

    manager = CONTROLLER_MANAGER

    def patch(self) -> list[dict[str, Any]]:
        return [
            {"op": "replace", "path": "/metadata/annotations/kftui.lab~1observed", "value": str(uuid.uuid4())}
        ]

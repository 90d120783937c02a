"""SVG snapshots of the approved scenarios at a fixed size with a frozen clock.

Update with `pytest tests/ui --snapshot-update` after looking at the change; `python -m tests.ui.screenshots`
renders the same scenarios for the README.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.ui.scenarios import SCENARIOS, Scenario


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_snapshot(snap_compare: Any, scenario: Scenario) -> None:
    assert snap_compare(scenario.make_app(), terminal_size=scenario.size, run_before=scenario.prepare)

"""Regenerate screenshots/*.svg from the same scenarios the snapshot tests approve.

Run from the repository root: `python -m tests.ui.screenshots [NAME ...]`.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.ui.scenarios import BY_NAME, SCENARIOS, Scenario

OUT = Path(__file__).resolve().parents[2] / "screenshots"


async def render(scenario: Scenario) -> str:
    app = scenario.make_app()
    async with app.run_test(size=scenario.size) as pilot:
        await scenario.prepare(pilot)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        return app.export_screenshot(title=f"kftui: {scenario.name}")


def main(argv: list[str]) -> int:
    chosen = [BY_NAME[name] for name in argv] if argv else list(SCENARIOS)
    OUT.mkdir(exist_ok=True)
    for scenario in chosen:
        path = OUT / f"{scenario.name}.svg"
        path.write_text(asyncio.run(render(scenario)), encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

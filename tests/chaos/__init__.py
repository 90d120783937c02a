"""Chaos run for kftui against the lab: `python -m tests.chaos` (or `make chaos`). See run.py."""

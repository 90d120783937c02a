"""`make bench`: kftui against the lab at 300 Applications and 20,000 pods (issue 5), or five times that (issue 19).

Run as `python -m tests.bench` from the repo root. It starts its own lab instance (state in
KFTUI_BENCH_LAB_DIR, default /tmp/kftui-bench-lab, never the shared .lab/), loads the scale, measures
the floor (raw paginated LIST over httpx), the kubectl anchor and kftui headless, prints a table and a
final `bench:` line, and writes bench-results/SCALE/bench.json. k9s runs beside it (tests/bench/k9s.py).
The multi-cluster row (tests/bench/multicluster.py) follows in a lab of its own with the spoke.
"""

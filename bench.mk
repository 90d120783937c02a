# `make bench` (issue 5): kftui against its own lab instance at 300 Applications and 20,000 pods.
# Included by the Makefile. The bench lab lives in $(KFTUI_BENCH_LAB_DIR) (default /tmp/kftui-bench-lab),
# apart from the lab that `make lab-up` and the e2e tests use; it is stopped at the end
# (BENCH_ARGS=--keep-lab keeps it, and the next run then skips the scale load).
PY ?= .venv/bin/python
BENCH_ARGS ?=

.PHONY: bench bench-down bench-dumps

bench: venv lab-build  ## measure kftui at 300 apps / 20,000 pods against raw LIST and kubectl (bench-results/)
	$(PY) -m tests.bench $(BENCH_ARGS)

bench-down:  ## stop a bench lab left running with BENCH_ARGS=--keep-lab
	KFTUI_LAB_DIR=$${KFTUI_BENCH_LAB_DIR:-/tmp/kftui-bench-lab} $(PY) -m tests.lab down

DUMP_MB ?= 100

bench-dumps: venv  ## load a DUMP_MB (100) MB kubectl-style dump, YAML and JSON, against PyYAML's C loader and json.load
	$(PY) -m tests.bench.dumps --size-mb $(DUMP_MB)

# `make bench` (issues 5, 19): kftui against its own lab instance at 300 Applications and 20,000 pods
# (SCALE=large: 1,500 and 100,000), beside k9s in tmux (BENCH_ARGS=--no-k9s skips it).
# Included by the Makefile. The bench lab lives in $(KFTUI_BENCH_LAB_DIR) (default /tmp/kftui-bench-lab,
# /tmp/kftui-bench-lab-large for SCALE=large),
# apart from the lab that `make lab-up` and the e2e tests use; it is stopped at the end
# (BENCH_ARGS=--keep-lab keeps it, and the next run then skips the scale load).
# Then the multi-cluster row (issue 18) starts its own lab with the spoke in $(MC_LAB_DIR) (default
# /tmp/kftui-bench-lab-mc): BENCH_ARGS=--no-multicluster skips it, `$(PY) -m tests.bench --only multicluster`
# runs it alone.
PY ?= .venv/bin/python
BENCH_ARGS ?=
SCALE ?= default
BENCH_LAB_DIR = $${KFTUI_BENCH_LAB_DIR:-/tmp/kftui-bench-lab}$(if $(filter-out default,$(SCALE)),-$(SCALE))
MC_LAB_DIR = $${KFTUI_BENCH_LAB_DIR:-/tmp/kftui-bench-lab}-mc

.PHONY: bench bench-down bench-dumps

bench: venv lab-build  ## measure kftui at 300 apps / 20,000 pods (SCALE=large: 100,000) against raw LIST, kubectl and k9s
	$(PY) -m tests.bench --scale $(SCALE) --out bench-results/$(SCALE)/bench.json $(BENCH_ARGS)

bench-down:  ## stop a bench lab left running with BENCH_ARGS=--keep-lab (the multi-cluster row's too)
	KFTUI_LAB_DIR=$(BENCH_LAB_DIR) $(PY) -m tests.lab down
	KFTUI_LAB_DIR=$(MC_LAB_DIR) $(PY) -m tests.lab down

DUMP_MB ?= 100

bench-dumps: venv  ## load a DUMP_MB (100) MB kubectl-style dump, YAML and JSON, against PyYAML's C loader and json.load
	$(PY) -m tests.bench.dumps --size-mb $(DUMP_MB)

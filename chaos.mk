# Chaos: headless kftui follows the lab while its API server, etcd and Argo CD controller are killed,
# stopped and restarted (tests/chaos). Included by the Makefile; ends with
# `chaos: faults=N recovered=N crashes=0 mismatches=0`.
.PHONY: chaos

## Run every fault against kftui on a fresh lab (KFTUI_LAB_DIR=... with a running lab reuses it).
chaos: venv lab-build
	$(PY) -m tests.chaos

# The kftui lab: a real Kubernetes control plane, kwok and Argo CD built from source
# and run as local processes (see tests/lab/__init__.py). Included by the Makefile.
PY ?= .venv/bin/python

.PHONY: lab-build lab-up lab-up-spoke lab-down lab-status lab-e2e

## Build (or reuse from ~/.cache/kftui/lab/) every lab binary; a cold build takes ~30-50 min.
lab-build:
	$(PY) -m tests.lab build

## Start the lab in the background; `$(PY) -m tests.lab env` prints KUBECONFIG.
lab-up:
	$(PY) -m tests.lab up

## Start the lab with the spoke cluster (a second control plane registered in Argo CD) in parallel.
lab-up-spoke:
	$(PY) -m tests.lab up --spoke

## Stop every lab process (also leftovers of a crashed test run).
lab-down:
	$(PY) -m tests.lab down

lab-status:
	$(PY) -m tests.lab status

## Run the e2e tests; the session fixture builds/reuses, starts and stops the lab.
## KFTUI_LAB_REUSE=1 reuses a lab started with `make lab-up` and leaves it running.
lab-e2e:
	$(PY) -m pytest tests/e2e

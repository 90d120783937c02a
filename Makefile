# kftui's front door. `make demo` and `make test` work from a fresh clone: they create .venv and install
# the pinned set (requirements-lock.txt) when it is missing or out of date.
PY ?= .venv/bin/python
PYTHON3 ?= python3
VENV_STAMP := .venv/.kftui-installed
export PATH := $(HOME)/.cache/kftui/bin:$(PATH)

.PHONY: help venv test-deps demo test test-fast test-terminal test-e2e mutants lint fmt screenshots bench clean

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

$(VENV_STAMP): pyproject.toml requirements-lock.txt
	test -x $(PY) || $(PYTHON3) -m venv .venv
	@echo "kftui: installing the pinned dependencies into .venv (first run only; a minute or two)"
	$(PY) -m pip install --disable-pip-version-check --progress-bar off -r requirements-lock.txt
	$(PY) -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

venv: $(VENV_STAMP)  ## create .venv with the pinned dependencies

# The terminal tier (tests/terminal/) runs kftui in real terminals under tmux. CI is root on a clean Debian.
test-deps:  ## system tools the terminal and e2e tests need (tmux): apt-get installs what is missing, as root
	@command -v tmux >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" != 0 ]; then echo "tmux is missing: install it (apt-get install tmux) or run make test-deps as root" >&2; exit 1; fi; \
	  echo "installing tmux with apt-get"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tmux >/dev/null; }

demo: venv  ## open the TUI on the embedded demo (a broken Kubeflow install)
	$(PY) -m kftui --demo

# The hermetic tests run in TEST_JOBS processes (pytest-xdist); the e2e tests share one lab, so they run in one.
# Tiers: hermetic (unit, UI: the venv and git only), terminal (tmux), e2e (the lab's binaries).
TEST_JOBS ?= 2

test: venv test-deps lab-build  ## everything: unit and UI, kftui in real terminals, e2e against the real lab cluster
	$(PY) -m pytest tests/unit tests/ui -q -p no:cacheprovider -n $(TEST_JOBS)
	$(PY) -m pytest tests/terminal -q -p no:cacheprovider
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider

test-fast: venv  ## the hermetic tier: unit and UI tests, no lab, no tmux, no kubectl or kustomize (git only)
	$(PY) -m pytest tests/unit tests/ui -q -p no:cacheprovider -n $(TEST_JOBS)

test-terminal: venv test-deps  ## kftui --demo in real terminals (tmux, raw ptys): hangup and a k9s user's flows
	$(PY) -m pytest tests/terminal -q -p no:cacheprovider

test-e2e: venv test-deps lab-build  ## only the e2e tests against the lab
	$(PY) -m pytest tests/e2e -q -p no:cacheprovider

# Mutation testing (mutmut; [tool.mutmut] in pyproject.toml): each mutant runs only the unit tests that reach its
# function. Not part of `make test`: a full run took 39 minutes on two cores, loaded (docs/mutants.md has the figures).
MUTANTS_JOBS ?= 2
mutants: venv  ## mutation testing of checks/, fixes/, model, dumpfile and cronspec: kill rate and survivors (docs/mutants.md)
	nice -n 10 $(PY) -m mutmut run --max-children $(MUTANTS_JOBS)
	$(PY) -m mutmut export-cicd-stats >/dev/null
	$(PY) -m tests.mutants_report

lint: venv  ## ruff (lint + format check) and mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

fmt: venv  ## apply ruff's fixes and formatting
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

screenshots: venv  ## regenerate screenshots/*.svg from the snapshot-test scenarios
	$(PY) -m tests.ui.screenshots

clean:  ## remove the virtualenv and caches (the lab's build cache in ~/.cache/kftui stays)
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache mutants

# The lab (a real kube-apiserver, kwok and Argo CD as local processes): lab-build, lab-up, lab-down.
include lab.mk
-include bench.mk
-include chaos.mk

# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Every package at the version of requirements.lock (one file for Python 3.11-3.13, with hashes):
# two installs give the same environment. After changing a dependency in pyproject.toml: make lock.
LOCK   := requirements.lock
UV     := uv==0.13.9
PYTHON313 ?= $(shell PYENV_VERSION=3.13.0 pyenv which python3.13 2>/dev/null || command -v python3.13)

.PHONY: install demo test lint fuzz bench golden lab lock smoke-3.13 clean

install: $(STAMP)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

demo: install
	-@scripts/install-system.sh  # chromium for the PDF reports; without it the demo still writes HTML
	$(BIN)/python -m nexos_model.cli.demo

test: install lint
	$(BIN)/python -m pytest -q -n 2

# The long fuzz run (issue 17): 10,000 generated inputs, each in a worker with a time and memory limit;
# prints the counts and writes them, with every failing case, to salida/fuzz.json. FUZZ_SEED picks the run.
FUZZ_CASES ?= 10000
FUZZ_SEED ?= 17
fuzz: install
	$(BIN)/python -m tests.fuzz --casos $(FUZZ_CASES) --semilla $(FUZZ_SEED) --informe salida/fuzz.json

# The package's static checks: import contracts, ruff (lint) and mypy (types).
lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check nexos_model benchmarks
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks

# Rewrite the golden outputs (tests/golden/); only when a change of output is intended.
golden: install
	$(BIN)/python -m tests.golden.regenerate

# JupyterLab on the workbooks with the project's kernel ("Nexos (Python 3.x)").
lab: install
	$(BIN)/nexos cuadernos

# Re-resolve requirements.lock from pyproject.toml (keeps current versions where they still fit;
# `make lock UPGRADE=--upgrade` takes the newest). uv runs from its own folder, outside the venv.
lock:
	$(PYTHON) -m pip install --quiet --target .uv $(UV)
	.uv/bin/uv pip compile pyproject.toml --all-extras --universal --python-version 3.11 \
	  --fork-strategy fewest --generate-hashes --quiet $(UPGRADE) -o $(LOCK)

# The newest supported Python: install from the same lock and run a demo-sized smoke (`make demo`
# in its own venv) and the golden outputs: projections, fiscal space and plans match 3.11's to the
# centavo, and the charts too except one point of the `points` specimen, which lands 0.1 px away
# (302.05 on 3.11, 302.04999999999995 on 3.13, whose sum() compensates rounding).
smoke-3.13:
	test -n "$(PYTHON313)" || { echo "no se encontró python3.13 (pyenv 3.13.0)" >&2; exit 1; }
	$(MAKE) demo PYTHON=$(PYTHON313) VENV=.venv-3.13
	.venv-3.13/bin/python -m pytest -q -p no:cacheprovider tests/golden

clean:
	rm -rf $(VENV) .venv-3.13 .uv salida .pytest_cache .mypy_cache .ruff_cache

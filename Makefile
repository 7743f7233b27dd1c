# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test fuzz bench golden clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[notebooks,test]'
	# Optional jsonschema extra: adds ~1.7 s to every Jupyter start and nothing needs it.
	-$(BIN)/pip uninstall --quiet -y rfc3987-syntax
	touch $(STAMP)

demo: install
	-@scripts/install-system.sh  # chromium for the PDF reports; without it the demo still writes HTML
	$(BIN)/python -m nexos_model.cli.demo

test: install
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -n 2

# The long fuzz run (issue 17): 10,000 generated inputs, each in a worker with a time and memory limit;
# prints the counts and writes them, with every failing case, to salida/fuzz.json. FUZZ_SEED picks the run.
FUZZ_CASES ?= 10000
FUZZ_SEED ?= 17
fuzz: install
	$(BIN)/python -m tests.fuzz --casos $(FUZZ_CASES) --semilla $(FUZZ_SEED) --informe salida/fuzz.json

bench: install
	$(BIN)/python -m benchmarks

# Rewrite the golden outputs (tests/golden/); only when a change of output is intended.
golden: install
	$(BIN)/python -m tests.golden.regenerate

clean:
	rm -rf $(VENV) salida .pytest_cache

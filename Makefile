# Two commands on a fresh clone: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench golden clean

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

bench: install
	$(BIN)/python -m benchmarks

# Rewrite the golden outputs (tests/golden/); only when a change of output is intended.
golden: install
	$(BIN)/python -m tests.golden.regenerate

clean:
	rm -rf $(VENV) salida .pytest_cache

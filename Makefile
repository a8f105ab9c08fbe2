# Two commands do all the set-up on a fresh machine: `make tour` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: tour test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

tour: $(STAMP)
	$(BIN)/calcml tour --out tour-output

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --cov=calcml --cov-report=term:skip-covered -q

bench: $(STAMP)
	-$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) tour-output .pytest_cache .coverage

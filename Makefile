# Two entry points: `make demo` and `make test`. Both create .venv with python3 on first use.
# Each command installs only what it needs, with one stamp per level: `make demo` the package,
# `make test` adds the test extras (pytest, playwright, ...), `make bench` adds the benchmark
# extras (highspy, spopt, igraph). `make test` after `make demo` installs the test extras only.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CREATED := $(VENV)/.created
PACKAGE := $(VENV)/.installed-package
TESTS := $(VENV)/.installed-test
BENCH := $(VENV)/.installed-bench
OUT ?= maps

.PHONY: demo test bench clean

$(CREATED):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $(CREATED)

$(PACKAGE): pyproject.toml | $(CREATED)
	$(BIN)/python -m pip install --quiet -e .
	touch $(PACKAGE)

$(TESTS): $(PACKAGE)
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(TESTS)

# bench/bench_map.py drives Chromium through tests/browser.py, so the benchmarks need the test
# extras too.
$(BENCH): $(TESTS)
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $(BENCH)

demo: $(PACKAGE)
	$(BIN)/netopt demo -o $(OUT)

test: $(TESTS)
	$(BIN)/python -m pytest -q

bench: $(BENCH)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache

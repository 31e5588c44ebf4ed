# Two commands do all set-up on a fresh machine:  make run   and   make test
# Python 3.12 where the machine has it, able to make a venv (on the PATH or under pyenv), else
# python3 (>= 3.10 works).
# From 3.12 asyncio can start a task eagerly, and aiohttp, which carries a batch's requests, then
# writes each request at once rather than a loop turn later: batches run ~8% faster there.
# Choose another with `make PYTHON=python3.11 test` (in a fresh clone or after `make clean`).
PYTHON ?= $(shell for p in python3.12 "$$(pyenv prefix 3.12 2>/dev/null)/bin/python3.12"; do \
	"$$p" -c 'import venv, ensurepip' 2>/dev/null && { echo "$$p"; exit; }; done; echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
# llama.cpp is built from source; these CPUs advertise AMX but crash in it with a native build.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint typecheck pytest bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(BIN)/python pyproject.toml
	@echo "installing the dev extras; llama-cpp-python builds from source the first time (4-6 min on 2 cores)"
	$(BIN)/python -m pip install --quiet -e ".[dev,local,llama-server,html,serve]"
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/summarizer brief examples/baghouz.txt

test: $(VENV)/.installed-dev
	$(BIN)/ruff check summarizer tests benchmarks examples
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

bench: $(VENV)/.installed-dev
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

eval: $(VENV)/.installed
	$(BIN)/summarizer eval ../shared/eval

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache

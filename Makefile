# Two commands do all set-up on a fresh machine:  make run   and   make test
PYTHON ?= python3
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
	$(BIN)/python -m pip install --quiet -e ".[dev,local,html,serve]"
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

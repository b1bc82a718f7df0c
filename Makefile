# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test docs lab bench lint clean app test-lowest

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "retrosim needs Python 3.11 or newer; set PYTHON=python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-app: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[app]"
	@touch $@ $(VENV)/.installed

app: $(VENV)/.installed-app
	$(BIN)/retrosim app

$(VENV)/.installed-docs: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[docs,test]"
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-teach: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[teach]"
	@touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/retrosim run compendium-2011
	$(BIN)/retrosim compare forward-vs-backward

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# The lowest versions pyproject.toml allows, checked: a venv of its own (.venv-lowest) with
# every direct dependency at its lower bound (uv's lowest-direct resolution), then the smoke
# subset marked `lowest` (run, a programme, compare, a sweep in this process, reports, the page).
LOWEST ?= .venv-lowest
test-lowest:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "retrosim needs Python 3.11 or newer; set PYTHON=python3.11"; exit 1; }
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet uv
	$(LOWEST)/bin/uv pip install --quiet --python $(LOWEST)/bin/python \
		--resolution lowest-direct -e ".[scale,app]" "pytest>=8.0" "hypothesis>=6.100"
	$(LOWEST)/bin/python -m pytest -m lowest -p no:cacheprovider tests/test_lowest.py \
		tests/test_extras.py

# The documentation site: docs/, the API reference and every lesson executed with its plots,
# offline (MathJax is served from the site), warnings as errors; then opened in a browser.
docs: $(VENV)/.installed-docs
	rm -rf docs/_build docs/generated docs/jupyter_execute
	$(BIN)/sphinx-build -b html -W --keep-going docs docs/_build/html
	RETROSIM_DOCS_SITE=docs/_build/html $(BIN)/python -m pytest -q tests/integration/test_docs_site.py
	@echo "the site: docs/_build/html/index.html"

# The lessons in JupyterLab, to run and change them (as root, e.g. in a container, JupyterLab
# refuses to start without --allow-root).
LAB_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root,)
lab: $(VENV)/.installed-teach
	$(BIN)/jupyter lab $(LAB_ROOT) notebooks

bench: $(VENV)/.installed-test
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_sweep.py
	$(BIN)/python bench/bench_bp.py
	$(BIN)/python bench/bench_closedloop.py
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_programme.py
	$(BIN)/python bench/bench_app.py
	$(BIN)/python bench/bench_limits.py

$(VENV)/.installed-lint: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test,lint]"
	@touch $@ $(VENV)/.installed $(VENV)/.installed-test

# Style and types: ruff on everything, mypy on the package (the layer contract is a test).
lint: $(VENV)/.installed-lint
	$(BIN)/ruff check retrosim tests bench
	$(BIN)/mypy retrosim

clean:
	rm -rf $(VENV) $(LOWEST) .pytest_cache .hypothesis docs/_build docs/generated docs/jupyter_execute

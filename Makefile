# Two commands do all the set-up on a fresh machine: `make train` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: venv train test lint bench clean docs serve-docs figures

# Two installs in one .venv: what the main job needs, and everything the tests need.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[plot,progress]'
	touch $@

# torch (CPU) is only for the differential tests against PyTorch's autograd.
$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install -q -e '.[dev,torch]'
	touch $@ $(RUN_STAMP)

venv: $(DEV_STAMP)

train: $(RUN_STAMP)
	$(BIN)/minigrad train $(ARGS)

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check minigrad tests examples benchmarks exercises
	$(BIN)/mypy minigrad

bench: $(DEV_STAMP)
	$(BIN)/python benchmarks/overhead.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis site

# The documentation site (MkDocs): build into site/, or serve it with live reload.
docs: $(DEV_STAMP)
	$(BIN)/mkdocs build --strict

serve-docs: $(DEV_STAMP)
	$(BIN)/mkdocs serve

# Regenerate the figures the docs show: each example writes its figures into docs/figures,
# and pages that draw their own pictures (docs/_ext/run_page.py) redraw them.
figures: $(DEV_STAMP)
	@mkdir -p docs/figures
	@for f in examples/[!_]*.py; do echo "$$f"; $(BIN)/python $$f --out docs/figures || exit 1; done
	$(BIN)/python docs/_ext/run_page.py $$(grep -rl --include='*.md' '<!-- figures:' docs)

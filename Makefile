# Two commands do all the set-up on a fresh machine: `make train` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv train test lint bench clean docs serve-docs figures

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

train: $(STAMP)
	$(BIN)/minigrad train $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check minigrad tests examples benchmarks
	$(BIN)/mypy minigrad

bench: $(STAMP)
	$(BIN)/python benchmarks/overhead.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis site

# The documentation site (MkDocs): build into site/, or serve it with live reload.
docs: $(STAMP)
	$(BIN)/mkdocs build --strict

serve-docs: $(STAMP)
	$(BIN)/mkdocs serve

# Regenerate the figures the docs show: each example writes its figures into docs/figures,
# and pages that draw their own pictures (docs/_ext/run_page.py) redraw them.
figures: $(STAMP)
	@mkdir -p docs/figures
	@for f in examples/[!_]*.py; do echo "$$f"; $(BIN)/python $$f --out docs/figures || exit 1; done
	$(BIN)/python docs/_ext/run_page.py $$(grep -rl --include='*.md' '<!-- figures:' docs)

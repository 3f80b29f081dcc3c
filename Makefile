# Two commands matter: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PORT   ?= 8501

.PHONY: setup run test lint format chromium bench screenshot screenshots clean

setup: $(STAMP)

# Re-install only when a requirements file changed (the stamp is older).
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt
	@touch $(STAMP)

run: setup
	$(VENV)/bin/streamlit run app.py --server.port $(PORT) --browser.serverAddress localhost

chromium: setup
	@PY=$(PY) sh scripts/ensure-chromium.sh

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

test: setup chromium lint
	$(PY) -m pytest

bench: setup chromium
	$(PY) bench/slider.py
	$(PY) bench/start.py
	$(PY) bench/browser_slider.py

# The README's screenshot of the Explorer (1280x800).
screenshot: setup chromium
	$(PY) scripts/screenshot.py "explorer?preset=sign-trap&user=user-a" --out docs --name explorer.png

# Every page at 800, 1280 and 1920 px wide, full height, into screenshots/ (git-ignored): look at each.
screenshots: setup chromium
	$(PY) scripts/screenshot.py --all --out screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Two commands do all set-up: `make run` and `make test` (both create .venv on first use).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench screenshot translations

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) main.py $(ARGS)

# The suite runs on every core (pytest-xdist; TEST_JOBS=0 runs it in one process): one process
# took 87 minutes on a loaded 2-core CI host.  Lint and types first: they fail in seconds.
TEST_JOBS ?= auto
test: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -n $(TEST_JOBS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

bench: $(STAMP)
	$(PY) benchmarks/engine_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/gui_bench.py
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/baseline_bench.py

# Collect every tr() text into the Chinese .ts (translations already written are kept), then
# build the .qm the app loads.  Translate new texts (pyside6-linguist, or edit the .ts) and
# run it again; tests/visualizer/test_i18n.py fails while the two are out of date.
TS := assets/translations/pooling_visualizer_zh_CN.ts
LUPDATE_FLAGS := -locations none -no-obsolete -source-language en -target-language zh_CN
translations: $(STAMP)
	$(VENV)/bin/pyside6-lupdate $(LUPDATE_FLAGS) $(sort $(wildcard visualizer/*.py visualizer/*/*.py engine/ops/*.py)) -ts $(TS)
	$(VENV)/bin/pyside6-lrelease $(TS) -qm $(TS:.ts=.qm)

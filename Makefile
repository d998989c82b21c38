# The two commands a newcomer runs: `make up` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: up down status test unit bench compare clean

up: $(STAMP)
	$(BIN)/platform up

down: $(STAMP)
	$(BIN)/platform down

status: $(STAMP)
	$(BIN)/platform status

# The linter first (rules in pyproject.toml): a fault it finds fails the run in seconds.
test: $(STAMP)
	$(BIN)/ruff check --quiet .
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

bench: $(STAMP)
	$(BIN)/python bench/orchestration.py
	$(BIN)/python bench/logs.py
	$(BIN)/python bench/orders.py
	$(BIN)/python bench/tts.py
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/spawn.py

# PM2 (installed from the npm registry into a temp dir), stock supervisord, honcho and platform
# side by side on one workload; ARGS="--rounds 1 --lines 20000" for a short run.
compare: $(STAMP)
	$(BIN)/python -m bench.compare $(ARGS)

# The CLI and the services' libraries (the `services` extra) in one venv, with the test tools.
# compat editable mode: a plain path entry instead of setuptools' import finder, which would add
# ~20 ms to every `platform` call; it also puts services/ on the path for `python -m services.X`.
$(STAMP): setup.cfg pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "error: Python 3.11+ is needed, found " + sys.version.split()[0] + " (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[services,test,mcp]' --config-settings editable_mode=compat
	@# Bytecode for our own modules now: where PYTHONDONTWRITEBYTECODE is set, every `platform`
	@# call would otherwise compile them again (~20 ms of each `platform status`).
	$(BIN)/python -m compileall -q platform_cli services >/dev/null
	@# And at -OO for what supervisord loads: the daemon runs without docstrings (procman/daemon.py),
	@# and would otherwise compile supervisor and procman again at each start (~80 ms).
	$(BIN)/python -m compileall -q -o 2 platform_cli/__init__.py platform_cli/procman $$($(BIN)/python -c 'import os, supervisor; print(os.path.dirname(supervisor.__file__))') >/dev/null
	touch $(STAMP)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache

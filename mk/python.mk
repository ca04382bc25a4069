# Python binding (bindings/python, package `mxreg`): the generated ctypes
# table must match include/mxreg.h, the package and its tests are mypy
# --strict clean, and pytest runs them against the local Synapse variants
# with the debug library (MXREG_LIBRARY). pytest exits non-zero when it
# collects no test, so an empty run fails.
#
#   make test-python      start the servers, then run python-suite
#   make python-table     regenerate bindings/python/src/mxreg/_raw.py
#   make python-wheel     build the platform wheel into target/python-wheels/

PY_DIR     := bindings/python
PY_VENV    := .venv-python
PY_VENV_PY := $(PY_VENV)/bin/python
PY_STAMP   := $(PY_VENV)/.requirements-installed
PY_TESTENV := MXREG_LIBRARY=$(CURDIR)/$(DEBUG_DIR)/libmxreg.so PYTHONPATH=$(CURDIR)/$(PY_DIR)/src \
              MYPY_CACHE_DIR=$(CURDIR)/$(PY_VENV)/mypy-cache PYTHONDONTWRITEBYTECODE=1

SUITES += python-suite

.PHONY: test-python python-suite python-venv python-table python-check-table python-typecheck python-wheel

# Test tools, pinned, in a project venv (rebuilt when the pins change).
$(PY_STAMP): $(PY_DIR)/requirements-dev.txt
	$(PYTHON) -m venv $(PY_VENV)
	$(PY_VENV_PY) -m pip install --quiet --disable-pip-version-check -r $<
	@touch $@

python-venv: $(PY_STAMP)

python-table:
	$(PYTHON) scripts/gen_python_table.py

python-check-table:
	$(PYTHON) scripts/gen_python_table.py --check

python-typecheck: $(PY_STAMP)
	cd $(PY_DIR) && $(PY_TESTENV) $(CURDIR)/$(PY_VENV_PY) -m mypy src tests build_backend \
	  $(CURDIR)/scripts/header_model.py $(CURDIR)/scripts/gen_python_table.py \
	  $(CURDIR)/scripts/gen_misuse_cases.py $(CURDIR)/scripts/gen_kotlin_raw.py $(CURDIR)/examples/register.py

test-python: build
	$(WITH_HS) $(MAKE) --no-print-directory python-suite

python-suite: build python-check-table python-typecheck
	cd $(PY_DIR) && $(PY_TESTENV) $(CURDIR)/$(PY_VENV_PY) -m pytest -p no:cacheprovider tests

python-wheel: $(PY_STAMP)
	$(PY_VENV_PY) -m pip wheel --no-deps --disable-pip-version-check -w target/python-wheels $(PY_DIR)

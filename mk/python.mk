# Python binding (bindings/python, package `mxreg`): the generated ctypes
# table must match include/mxreg.h, the package and its tests are mypy
# --strict clean, and pytest runs them against the local Synapse variants
# with the debug library (MXREG_LIBRARY). pytest exits non-zero when it
# collects no test, so an empty run fails.
#
#   make test-python      start the servers, then run python-suite
#   make python-table     regenerate bindings/python/src/mxreg/_raw.py
#   make wheel            the sdist and a manylinux wheel into target/python-dist/
#
# The package is built by setuptools-rust (bindings/python/setup.py) from
# the sdist, as an index would build it; auditwheel then checks the wheel
# against the manylinux policies and gives it the tag they allow (it has
# only the C library inside, which needs glibc and libgcc_s). The suite's
# test_packaging installs that wheel into a fresh virtualenv.

PY_DIR     := bindings/python
PY_VENV    := .venv-python
PY_VENV_PY := $(PY_VENV)/bin/python
PY_STAMP   := $(PY_VENV)/.requirements-installed
PY_DIST    := target/python-dist
PY_TESTENV := MXREG_LIBRARY=$(CURDIR)/$(DEBUG_DIR)/libmxreg.so PYTHONPATH=$(CURDIR)/$(PY_DIR)/src \
              MYPY_CACHE_DIR=$(CURDIR)/$(PY_VENV)/mypy-cache PYTHONDONTWRITEBYTECODE=1 \
              MXREG_PYTHON_DIST=$(CURDIR)/$(PY_DIST)

SUITES += python-suite

.PHONY: test-python python-suite python-venv python-table python-check-table python-typecheck wheel

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
	cd $(PY_DIR) && $(PY_TESTENV) $(CURDIR)/$(PY_VENV_PY) -m mypy src tests setup.py \
	  $(CURDIR)/scripts/header_model.py $(CURDIR)/scripts/gen_python_table.py \
	  $(CURDIR)/scripts/gen_misuse_cases.py $(CURDIR)/scripts/gen_kotlin_raw.py \
	  $(CURDIR)/scripts/gen_swift_header_facts.py $(CURDIR)/examples/register.py

test-python: build
	$(WITH_HS) $(MAKE) --no-print-directory python-suite

python-suite: build python-check-table python-typecheck wheel
	cd $(PY_DIR) && $(PY_TESTENV) $(CURDIR)/$(PY_VENV_PY) -m pytest -p no:cacheprovider tests

# The crate builds into this checkout's target/ (kept between runs), not
# into the throw-away directory the sdist is unpacked in.
wheel: $(PY_STAMP)
	rm -rf $(PY_DIST)
	CARGO_TARGET_DIR=$(CURDIR)/target $(PY_VENV_PY) -m build --outdir $(PY_DIST)/built $(PY_DIR)
	PATH=$(CURDIR)/$(PY_VENV)/bin:$$PATH $(PY_VENV)/bin/auditwheel repair --wheel-dir $(PY_DIST) \
	  $(PY_DIST)/built/*.whl
	mv $(PY_DIST)/built/*.tar.gz $(PY_DIST)/ && rm -rf $(PY_DIST)/built
	$(PY_VENV)/bin/auditwheel show $(PY_DIST)/*.whl
	@ls $(PY_DIST)

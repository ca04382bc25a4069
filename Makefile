# mxreg command surface. `make demo` and `make test` work on a fresh machine
# (README, "Two commands"): they first run scripts/prerequisites.py, which
# installs the missing Debian packages (as root, with apt-get) or stops at
# once naming what to install; the PyPI and npm pieces each target installs
# itself. Per-area rules live in mk/*.mk; each adds its suite to SUITES.
#
# Suites expect the local homeservers to be up (MXREG_HS_* variables); the
# test-* targets start them through the rig, which starts only what is not
# already running and stops only that afterwards.

CARGO      ?= cargo
PYTHON     ?= python3
CC         ?= cc
RIG        := $(PYTHON) scripts/homeserver.py
WITH_HS    := $(RIG) run --
DEBUG_DIR  := target/debug
CFLAGS_STRICT := -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude
LINK_DEBUG := -L$(DEBUG_DIR) -lmxreg -Wl,-rpath,$(CURDIR)/$(DEBUG_DIR)

SUITES := prerequisites-suite rust-suite

.PHONY: all build check-header generate lint docs demo test test-rust suites rust-suite \
        prerequisites prerequisites-suite homeserver-install homeserver-up homeserver-down clean

# `make prerequisites-kotlin` etc.: one group of scripts/prerequisites.py.
prerequisites-%:
	@$(PYTHON) scripts/prerequisites.py $*

prerequisites: prerequisites-test

# The check itself, on machines made to lack things (PATH and file views).
prerequisites-suite:
	$(PYTHON) -m unittest discover -s tests/prerequisites

all: build

build:
	$(CARGO) build

# The committed header must be what build.rs generates from the sources.
check-header: build
	@git ls-files --error-unmatch include/mxreg.h >/dev/null 2>&1 || \
	  { echo "include/mxreg.h is not committed"; exit 1; }
	@git diff --exit-code --stat -- include/mxreg.h || \
	  { echo "include/mxreg.h is stale: commit the regenerated header"; exit 1; }

# Everything generated from the header (scripts/header_model.py lists the
# generators; their rules are in mk/*.mk).
generate: build python-table kotlin-raw c-misuse-cases swift-header-facts

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

# The Rust API documentation, into target/doc/mxreg/; a warning (a broken
# link, say) fails it.
docs:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps

homeserver-install:
	$(RIG) install

homeserver-up:
	$(RIG) start-all

homeserver-down:
	$(RIG) stop all

# Start a fresh local Synapse, register one account through the C API
# (examples/register.c), print it, stop the server.
demo: prerequisites-demo $(DEBUG_DIR)/examples/register
	@$(RIG) run --variants open -- sh -c '\
	  user="demo$$(date +%s)"; \
	  echo "Registering $$user on $$MXREG_HS_OPEN through the C API:" >&2; \
	  $(DEBUG_DIR)/examples/register "$$MXREG_HS_OPEN" "$$user" "demo-Passw0rd-$$$$"'

$(DEBUG_DIR)/examples/register: examples/register.c build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

# The prerequisites first, so that a missing one stops the run in its first seconds.
test: prerequisites check-header lint docs
	$(WITH_HS) $(MAKE) --no-print-directory suites

test-rust:
	$(WITH_HS) $(MAKE) --no-print-directory rust-suite

rust-suite:
	$(CARGO) test

clean:
	$(CARGO) clean
	rm -rf .homeserver

include $(wildcard mk/*.mk)

# After the includes, so that every mk file's suite is listed.
suites: $(SUITES)

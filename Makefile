# mxreg command surface. `make demo` and `make test` work on a fresh machine
# (Rust toolchain, Python 3, a C compiler); whatever else a target needs, it
# installs. Per-area rules live in mk/*.mk; each adds its suite to SUITES.
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

SUITES := rust-suite

.PHONY: all build check-header generate lint demo test test-rust suites rust-suite \
        homeserver-install homeserver-up homeserver-down clean

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
generate: build python-table kotlin-raw c-misuse-cases

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

homeserver-install:
	$(RIG) install

homeserver-up:
	$(RIG) start-all

homeserver-down:
	$(RIG) stop all

# Start a fresh local Synapse, register one account through the C API
# (examples/register.c), print it, stop the server.
demo: $(DEBUG_DIR)/examples/register
	@$(RIG) run --variants open -- sh -c '\
	  user="demo$$(date +%s)"; \
	  echo "Registering $$user on $$MXREG_HS_OPEN through the C API:" >&2; \
	  $(DEBUG_DIR)/examples/register "$$MXREG_HS_OPEN" "$$user" "demo-Passw0rd-$$$$"'

$(DEBUG_DIR)/examples/register: examples/register.c build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

test: check-header lint
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

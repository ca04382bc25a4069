# C tests: compiled strictly against the public header only, linked to the
# shared library, run against the local Synapse variants. Then the
# interactive example examples/signup, driven through its prompts.

C_TESTS := $(patsubst tests/c/%.c,$(DEBUG_DIR)/c-tests/%,$(wildcard tests/c/test_*.c))
SIGNUP_EXAMPLE := $(DEBUG_DIR)/examples/signup
SUITES += c-suite

.PHONY: test-c c-suite signup-example

test-c: build
	$(WITH_HS) $(MAKE) --no-print-directory c-suite

# The tests run the rig for registration tokens and mail links: MXREG_RIG
# when `homeserver.py run` set it, else this checkout's.
c-suite: build $(C_TESTS) $(SIGNUP_EXAMPLE)
	@set -e; MXREG_RIG="$${MXREG_RIG:-$(CURDIR)/scripts/homeserver.py}"; export MXREG_RIG; \
	  for t in $(C_TESTS); do echo "== $$t"; $$t; done; \
	  echo "== tests/examples/test_signup_example.py"; \
	  $(PYTHON) tests/examples/test_signup_example.py $(SIGNUP_EXAMPLE)

$(DEBUG_DIR)/c-tests/%: tests/c/%.c $(wildcard tests/c/*.h) include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

signup-example: $(SIGNUP_EXAMPLE)

# Interactive sign-up on any homeserver: target/debug/examples/signup <server>.
$(SIGNUP_EXAMPLE): examples/signup.c include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

# C tests: compiled strictly against the public header only, linked to the
# shared library, run against the local Synapse variants.

C_TESTS := $(patsubst tests/c/%.c,$(DEBUG_DIR)/c-tests/%,$(wildcard tests/c/test_*.c))
SUITES += c-suite

.PHONY: test-c c-suite

test-c: build
	$(WITH_HS) $(MAKE) --no-print-directory c-suite

c-suite: build $(C_TESTS)
	@set -e; for t in $(C_TESTS); do echo "== $$t"; $$t; done

$(DEBUG_DIR)/c-tests/%: tests/c/%.c $(wildcard tests/c/*.h) include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

# C tests: compiled strictly against the public header only, linked to the
# shared library, run against the local Synapse variants, with the
# interactive example examples/signup driven through its prompts. Then the
# same again under valgrind memcheck, and built a second time with
# AddressSanitizer + UBSan: any error or leak report fails the suite.
# tests/c/run.sh runs each of the three passes.
#
#   make c-misuse-cases   regenerate tests/c/misuse_cases.h from the header
#   make c-valgrind       only the valgrind pass (servers exported)
#   make c-sanitize       only the ASan + UBSan pass (servers exported)

C_TESTS := $(patsubst tests/c/%.c,$(DEBUG_DIR)/c-tests/%,$(wildcard tests/c/test_*.c))
C_SANITIZED_TESTS := $(patsubst tests/c/%.c,$(DEBUG_DIR)/c-tests-sanitized/%,$(wildcard tests/c/test_*.c))
SIGNUP_EXAMPLE := $(DEBUG_DIR)/examples/signup
SIGNUP_EXAMPLE_SANITIZED := $(DEBUG_DIR)/examples-sanitized/signup
C_REPORTS := $(DEBUG_DIR)/c-reports
SUITES += c-suite

# Every leak kind but "still reachable" counts as an error. The suppression
# file holds only what is Rust std's own (it says why). The stand-in servers
# of tests/c/stand_in_server.h are forked children that end with _exit while
# the test's probe threads exist in their copy of the heap: they are silent.
VALGRIND := valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible --num-callers=40 \
            --child-silent-after-fork=yes \
            --suppressions=$(CURDIR)/tests/c/valgrind.supp
# The C code is instrumented; libmxreg.so is the normal build, whose heap
# still goes through ASan's malloc (so its leaks and bad frees are caught).
CFLAGS_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer \
                   -fno-sanitize-recover=all -g
# LeakSanitizer needs no suppression: it counts the interior pointer that
# makes valgrind say "possibly lost" (tests/c/valgrind.supp) as a reference.
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1
# The tests run the rig for registration tokens and mail links: MXREG_RIG
# when `homeserver.py run` set it, else this checkout's.
C_RUN := MXREG_RIG="$${MXREG_RIG:-$(CURDIR)/scripts/homeserver.py}" PYTHON=$(PYTHON) sh tests/c/run.sh

.PHONY: test-c c-suite c-plain c-valgrind c-sanitize c-misuse-cases c-check-misuse-cases \
        signup-example

test-c: prerequisites-c build
	$(WITH_HS) $(MAKE) --no-print-directory c-suite

# All three passes, each to its end; the suite fails if any failed.
c-suite: build c-check-misuse-cases $(C_TESTS) $(C_SANITIZED_TESTS) $(SIGNUP_EXAMPLE) \
         $(SIGNUP_EXAMPLE_SANITIZED)
	@status=0; \
	  $(C_RUN) plain $(C_REPORTS)/plain $(SIGNUP_EXAMPLE) $(C_TESTS) || status=1; \
	  VALGRIND='$(VALGRIND)' $(C_RUN) valgrind $(C_REPORTS)/valgrind $(SIGNUP_EXAMPLE) \
	    $(C_TESTS) || status=1; \
	  $(SANITIZER_ENV) $(C_RUN) sanitized $(C_REPORTS)/sanitized $(SIGNUP_EXAMPLE_SANITIZED) \
	    $(C_SANITIZED_TESTS) || status=1; \
	  exit $$status

c-plain: build $(C_TESTS) $(SIGNUP_EXAMPLE)
	@$(C_RUN) plain $(C_REPORTS)/plain $(SIGNUP_EXAMPLE) $(C_TESTS)

c-valgrind: build $(C_TESTS) $(SIGNUP_EXAMPLE)
	@VALGRIND='$(VALGRIND)' $(C_RUN) valgrind $(C_REPORTS)/valgrind $(SIGNUP_EXAMPLE) $(C_TESTS)

c-sanitize: build $(C_SANITIZED_TESTS) $(SIGNUP_EXAMPLE_SANITIZED)
	@$(SANITIZER_ENV) $(C_RUN) sanitized $(C_REPORTS)/sanitized $(SIGNUP_EXAMPLE_SANITIZED) \
	  $(C_SANITIZED_TESTS)

# The misuse cases are generated from the header, and must match it.
c-misuse-cases:
	$(PYTHON) scripts/gen_misuse_cases.py

c-check-misuse-cases:
	@$(PYTHON) scripts/gen_misuse_cases.py --check

$(DEBUG_DIR)/c-tests/%: tests/c/%.c $(wildcard tests/c/*.h) include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

$(DEBUG_DIR)/c-tests-sanitized/%: tests/c/%.c $(wildcard tests/c/*.h) include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) $(CFLAGS_SANITIZE) -o $@ $< $(LINK_DEBUG)

signup-example: $(SIGNUP_EXAMPLE)

# Interactive sign-up on any homeserver: target/debug/examples/signup <server>.
$(SIGNUP_EXAMPLE): examples/signup.c include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) -o $@ $< $(LINK_DEBUG)

$(SIGNUP_EXAMPLE_SANITIZED): examples/signup.c include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_STRICT) $(CFLAGS_SANITIZE) -o $@ $< $(LINK_DEBUG)

# Swift binding (bindings/swift, a SwiftPM package). The suite runs the Swift
# Testing tests against the local Synapse variants and the OAuth rig three
# times (plain, AddressSanitizer, ThreadSanitizer), checks that
# mxreg-register keeps examples/register.c's contract, and builds the package
# and a separate consumer package (bindings/swift/Examples/Consumer) in
# release mode, once linked from the cargo build directory and once from an
# installed prefix found through pkg-config.
#
# The package finds libmxreg through MXREG_LIB_DIR (see Package.swift): here
# the cargo build directory. SwiftPM's build directories go under
# target/debug/swift/, one per pass, so the passes do not rebuild each other.
# Without a Swift toolchain the suite is replaced by one line saying so.

SWIFT          ?= swift
SWIFT_DIR      := bindings/swift
SWIFT_FOUND    := $(shell command -v $(SWIFT) 2>/dev/null)
SWIFT_WORK     := $(CURDIR)/$(DEBUG_DIR)/swift
SWIFT_ENV      := env MXREG_LIB_DIR=$(CURDIR)/$(DEBUG_DIR)
SWIFT_TEST     := $(SWIFT_ENV) $(SWIFT) test --package-path $(SWIFT_DIR) --disable-xctest
SWIFT_RUN      := sh $(SWIFT_DIR)/run-tests.sh
SWIFT_CONSUMER := $(SWIFT_DIR)/Examples/Consumer

SUITES += $(if $(SWIFT_FOUND),swift-suite,swift-skipped)

.PHONY: test-swift swift-suite swift-skipped swift-tests swift-sanitize swift-example swift-release \
        swift-header-facts swift-check-header-facts

test-swift: build
	@test -n "$(SWIFT_FOUND)" || { echo "test-swift: no '$(SWIFT)' on PATH (install Swift 6.2 or later)"; exit 1; }
	$(WITH_HS) $(MAKE) --no-print-directory swift-suite

swift-skipped: swift-check-header-facts
	@echo "swift-suite: SKIPPED: no '$(SWIFT)' on PATH (the Swift binding needs Swift 6.2 or later)"

swift-suite: swift-check-header-facts swift-tests swift-sanitize swift-example swift-release

# What the tests know of the header, generated from the one header model.
swift-header-facts:
	$(PYTHON) scripts/gen_swift_header_facts.py

swift-check-header-facts:
	@$(PYTHON) scripts/gen_swift_header_facts.py --check

swift-tests: build
	@$(SWIFT_RUN) plain $(SWIFT_WORK)/logs $(SWIFT_TEST) --scratch-path $(SWIFT_WORK)/plain

swift-sanitize: build
	@$(SWIFT_RUN) address $(SWIFT_WORK)/logs $(SWIFT_TEST) --scratch-path $(SWIFT_WORK)/asan --sanitize=address
	@$(SWIFT_RUN) thread $(SWIFT_WORK)/logs $(SWIFT_TEST) --scratch-path $(SWIFT_WORK)/tsan --sanitize=thread

# mxreg-register on $MXREG_HS_OPEN: an account, then M_USER_IN_USE.
swift-example: build
	@$(SWIFT_ENV) $(SWIFT) build --package-path $(SWIFT_DIR) --scratch-path $(SWIFT_WORK)/plain --product mxreg-register >/dev/null
	@sh $(SWIFT_DIR)/check-register.sh $(SWIFT_WORK)/plain/debug/mxreg-register

# Release builds of the package and of the consumer, which then runs: linked
# from the cargo build directory, then from a prefix installed by
# dist/install.sh (a release libmxreg with its versioned soname) and found
# through pkg-config (MXREG_LIB_DIR=pkg-config).
SWIFT_PREFIX := $(SWIFT_WORK)/prefix

swift-release: build build-release
	$(SWIFT_ENV) $(SWIFT) build -c release --package-path $(SWIFT_DIR) --scratch-path $(SWIFT_WORK)/release
	$(SWIFT_ENV) $(SWIFT) build -c release --package-path $(SWIFT_CONSUMER) --scratch-path $(SWIFT_WORK)/consumer
	$(SWIFT_WORK)/consumer/release/Consumer $${MXREG_HS_OPEN:-}
	@rm -rf $(SWIFT_PREFIX)
	@PREFIX=$(SWIFT_PREFIX) LIBDIR=$(SWIFT_PREFIX)/lib INCLUDEDIR=$(SWIFT_PREFIX)/include \
	  NATIVE_STATIC_LIBS='$(MXREG_NATIVE_STATIC_LIBS)' sh dist/install.sh $(RELEASE_DIR) >/dev/null
	env PKG_CONFIG_PATH=$(SWIFT_PREFIX)/lib/pkgconfig MXREG_LIB_DIR=pkg-config $(SWIFT) build -c release \
	  --package-path $(SWIFT_CONSUMER) --scratch-path $(SWIFT_WORK)/consumer-pkgconfig
	env LD_LIBRARY_PATH=$(SWIFT_PREFIX)/lib $(SWIFT_WORK)/consumer-pkgconfig/release/Consumer $${MXREG_HS_OPEN:-}
	@env LD_LIBRARY_PATH=$(SWIFT_PREFIX)/lib ldd $(SWIFT_WORK)/consumer-pkgconfig/release/Consumer | \
	  grep -q "$(SWIFT_PREFIX)/lib/libmxreg" || \
	  { echo "swift-release: the pkg-config consumer does not link the installed libmxreg"; exit 1; }

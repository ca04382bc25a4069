# Kotlin/JVM binding (bindings/kotlin). No Gradle here: kotlinc comes from
# the npm package kotlin-compiler (installed into .kotlinc/, gitignored),
# JNA and JUnit 5 from Debian (scripts/prerequisites.py installs them). kotlinx-coroutines is the copy that ships in
# the compiler package's lib/. Tests run against the local Synapse variants.
# The raw JNA layer (src/main/kotlin/org/mxreg/raw/: MxregLibrary.kt,
# HeaderConstants.kt, Structs.kt) is generated from include/mxreg.h and must
# match it.
#
#   make test-kotlin      start the servers, then run kotlin-suite
#   make kotlin-raw       regenerate the raw layer (scripts/gen_kotlin_raw.py)

KOTLIN_COMPILER_VERSION := 2.4.20
KOTLIN_HOME     := .kotlinc
KOTLIN_STAMP    := $(KOTLIN_HOME)/installed-$(KOTLIN_COMPILER_VERSION)
KOTLINC         := $(KOTLIN_HOME)/node_modules/kotlin-compiler/bin/kotlinc
KOTLIN_LIBDIR   := $(KOTLIN_HOME)/node_modules/kotlin-compiler/lib
KOTLIN_STDLIB   := $(KOTLIN_LIBDIR)/kotlin-stdlib.jar
KOTLIN_COROUTINES := $(KOTLIN_LIBDIR)/kotlinx-coroutines-core-jvm.jar
KOTLIN_TEST_LIB := $(KOTLIN_LIBDIR)/kotlin-test.jar
JNA_JAR         := /usr/share/java/jna.jar
JUNIT_JAR       := /usr/share/java/junit-platform-console-standalone.jar

KOTLIN_DIR      := bindings/kotlin
KOTLIN_OUT      := $(DEBUG_DIR)/kotlin
KOTLIN_MAIN_JAR := $(KOTLIN_OUT)/mxreg.jar
KOTLIN_TEST_JAR := $(KOTLIN_OUT)/mxreg-tests.jar
KOTLIN_EXAMPLE_JAR := $(KOTLIN_OUT)/register-example.jar
KOTLIN_MAIN_SRC := $(shell find $(KOTLIN_DIR)/src/main -name '*.kt' 2>/dev/null)
KOTLIN_TEST_SRC := $(shell find $(KOTLIN_DIR)/src/test -name '*.kt' 2>/dev/null)
KOTLIN_RUNTIME  := $(KOTLIN_MAIN_JAR):$(JNA_JAR):$(KOTLIN_STDLIB):$(KOTLIN_COROUTINES)
KOTLINC_FLAGS   := -jvm-target 1.8 -Werror
KOTLIN_JAVA     := java -Dmxreg.library.path=$(CURDIR)/$(DEBUG_DIR)/libmxreg.so

# kotlinc needs a JDK, and comes through npm: without either, one line says
# the suite was skipped and why.
KOTLIN_TOOLS_MISSING := $(strip $(foreach tool,java npm,$(if $(shell command -v $(tool) 2>/dev/null),,$(tool))))

SUITES += $(if $(KOTLIN_TOOLS_MISSING),kotlin-skipped,kotlin-suite)

.PHONY: test-kotlin kotlin-suite kotlin-skipped kotlin-build kotlin-example kotlin-raw kotlin-check-raw

kotlin-skipped:
	@echo "kotlin-suite: SKIPPED: no $(KOTLIN_TOOLS_MISSING) on PATH (the Kotlin suite needs a JDK, and npm to install kotlinc)"

test-kotlin: prerequisites-kotlin build
	$(WITH_HS) $(MAKE) --no-print-directory kotlin-suite

kotlin-raw:
	$(PYTHON) scripts/gen_kotlin_raw.py

kotlin-check-raw:
	@$(PYTHON) scripts/gen_kotlin_raw.py --check

# The JUnit suite (header consistency included), then the example against
# the open server. Fails when a test fails or when no test ran.
kotlin-suite: build kotlin-check-raw $(KOTLIN_TEST_JAR) $(KOTLIN_EXAMPLE_JAR)
	@sh $(KOTLIN_DIR)/run-junit.sh $(KOTLIN_OUT) $(KOTLIN_JAVA) -Dmxreg.repo=$(CURDIR) \
	  -jar $(JUNIT_JAR) --disable-banner --fail-if-no-tests --details=tree \
	  --class-path $(KOTLIN_TEST_JAR):$(KOTLIN_RUNTIME):$(KOTLIN_TEST_LIB) --scan-class-path $(KOTLIN_TEST_JAR)
	@$(MAKE) --no-print-directory kotlin-example

kotlin-build: $(KOTLIN_MAIN_JAR)

# Register one account on $MXREG_HS_OPEN with examples/Register.kt.
kotlin-example: build $(KOTLIN_EXAMPLE_JAR)
	@test -n "$$MXREG_HS_OPEN" || { echo "kotlin-example: MXREG_HS_OPEN is not set (make test-kotlin sets it)"; exit 1; }
	$(KOTLIN_JAVA) -cp $(KOTLIN_EXAMPLE_JAR):$(KOTLIN_RUNTIME) org.mxreg.examples.RegisterKt \
	  "$$MXREG_HS_OPEN" "ktexample$$(date +%s)x$$$$" "example-Passw0rd-$$$$"

$(KOTLIN_MAIN_JAR): $(KOTLIN_MAIN_SRC) $(KOTLIN_STAMP) $(JNA_JAR)
	@mkdir -p $(dir $@)
	$(KOTLINC) $(KOTLINC_FLAGS) -Xexplicit-api=strict -module-name mxreg \
	  -cp $(JNA_JAR):$(KOTLIN_COROUTINES) -d $@ $(KOTLIN_MAIN_SRC)

# -Xfriend-paths: tests see the binding's internals, as Gradle's test source set does.
$(KOTLIN_TEST_JAR): $(KOTLIN_TEST_SRC) $(KOTLIN_MAIN_JAR) $(JUNIT_JAR)
	$(KOTLINC) $(KOTLINC_FLAGS) -module-name mxreg-tests -Xfriend-paths=$(KOTLIN_MAIN_JAR) \
	  -cp $(KOTLIN_RUNTIME):$(KOTLIN_TEST_LIB):$(JUNIT_JAR) -d $@ $(KOTLIN_TEST_SRC)

$(KOTLIN_EXAMPLE_JAR): examples/Register.kt $(KOTLIN_MAIN_JAR)
	$(KOTLINC) $(KOTLINC_FLAGS) -module-name mxreg-example -cp $(KOTLIN_RUNTIME) -d $@ examples/Register.kt

$(KOTLIN_STAMP):
	npm install --prefix $(KOTLIN_HOME) --no-audit --no-fund --loglevel=error \
	  kotlin-compiler@$(KOTLIN_COMPILER_VERSION)
	@touch $@

$(JNA_JAR) $(JUNIT_JAR):
	@$(PYTHON) scripts/prerequisites.py kotlin

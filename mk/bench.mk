# Benchmark: what a registration costs the app around it (bench/run.py says
# what each figure is). `make bench` builds the release library, installs
# the peer clients into bench/.peers (gitignored), starts the rig variants
# the latency rows need and prints the tables from one run. `bench-smoke`, a
# suite, runs every row for a few calls against the debug library (the
# latency rows with a 5 ms delay, when the rig runs), so the benchmark cannot
# rot unnoticed. Neither asserts a time.

BENCH_NIO_VERSION   := 0.26.0
# The last matrix-js-sdk release that runs on Node 20 (37.6 wants Node 22).
BENCH_JSSDK_VERSION := 37.5.0
BENCH_PEERS         := bench/.peers
BENCH_DIR           := target/bench
BENCH_SMOKE_DIR     := target/bench-smoke
RELEASE_DIR         := target/release
BENCH_CFLAGS        := $(CFLAGS_STRICT) -O2 -pthread
BENCH_LOOP          := bench/bench_loop.c bench/bench_loop.h
LINK_BENCH          := -L$(BENCH_DIR)/lib -lmxreg -Wl,-rpath,$(CURDIR)/$(BENCH_DIR)/lib
BENCH_RUN           = $(PYTHON) bench/run.py --peers $(BENCH_PEERS) \
                      --nio-version $(BENCH_NIO_VERSION) --jssdk-version $(BENCH_JSSDK_VERSION)
# The Synapse row and the latency rows (bench/latency.py).
BENCH_VARIANTS      := stress,open,token,terms,oauth

SUITES += bench-smoke

.PHONY: bench bench-size bench-smoke bench-peers bench-release

bench: prerequisites-bench bench-peers $(addprefix $(BENCH_DIR)/,responder floor spawn_once mxreg_c register register_static)
	$(RIG) run --variants $(BENCH_VARIANTS) -- \
	  $(BENCH_RUN) --bin $(BENCH_DIR) --lib $(BENCH_DIR)/lib/libmxreg.so \
	  --static $(RELEASE_DIR)/libmxreg.a --static-example $(BENCH_DIR)/register_static

# Only the size rows of `make bench`: the stripped release library and what
# a static link adds to examples/register. Needs no rig and no peers.
bench-size: $(BENCH_DIR)/register $(BENCH_DIR)/register_static
	$(PYTHON) bench/run.py --sizes-only --bin $(BENCH_DIR) --lib $(BENCH_DIR)/lib/libmxreg.so \
	  --static $(RELEASE_DIR)/libmxreg.a --static-example $(BENCH_DIR)/register_static

bench-smoke: bench-peers $(addprefix $(BENCH_SMOKE_DIR)/,responder floor spawn_once mxreg_c register)
	$(BENCH_RUN) --smoke --bin $(BENCH_SMOKE_DIR) --lib $(DEBUG_DIR)/libmxreg.so \
	  --static $(DEBUG_DIR)/libmxreg.a

# The measured library is a copy, with a link named after its soname (release
# builds set one) so that programs linked to it load it.
bench-release: build-release
	@mkdir -p $(BENCH_DIR)/lib
	cp $(RELEASE_DIR)/libmxreg.so $(BENCH_DIR)/lib/libmxreg.so
	@soname=$$(readelf -d $(BENCH_DIR)/lib/libmxreg.so | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p'); \
	  if [ -n "$$soname" ]; then ln -sf libmxreg.so $(BENCH_DIR)/lib/$$soname; fi

bench-peers: $(BENCH_PEERS)/venv/.nio-$(BENCH_NIO_VERSION) \
             $(BENCH_PEERS)/node/.jssdk-$(BENCH_JSSDK_VERSION)

$(BENCH_PEERS)/venv/.nio-%:
	rm -rf $(BENCH_PEERS)/venv
	$(PYTHON) -m venv $(BENCH_PEERS)/venv
	$(BENCH_PEERS)/venv/bin/pip install --quiet --disable-pip-version-check matrix-nio==$*
	touch $@

$(BENCH_PEERS)/node/.jssdk-%:
	rm -rf $(BENCH_PEERS)/node
	mkdir -p $(BENCH_PEERS)/node
	echo '{"private": true}' > $(BENCH_PEERS)/node/package.json
	cd $(BENCH_PEERS)/node && npm install --no-audit --no-fund --silent matrix-js-sdk@$*
	touch $@

# The responder, the floor and the launcher use no mxreg; the others link it.
$(BENCH_DIR)/responder $(BENCH_SMOKE_DIR)/responder: bench/responder.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/spawn_once $(BENCH_SMOKE_DIR)/spawn_once: bench/spawn_once.c
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $<

$(BENCH_DIR)/floor $(BENCH_SMOKE_DIR)/floor: bench/floor.c $(BENCH_LOOP)
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/floor.c bench/bench_loop.c

$(BENCH_DIR)/mxreg_c: bench/mxreg_c.c $(BENCH_LOOP) include/mxreg.h bench-release
	$(CC) $(BENCH_CFLAGS) -o $@ bench/mxreg_c.c bench/bench_loop.c $(LINK_BENCH)

$(BENCH_DIR)/register: examples/register.c include/mxreg.h bench-release
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LINK_BENCH)

# What a static link adds: the same example, linked with libmxreg.a.
$(BENCH_DIR)/register_static: examples/register.c include/mxreg.h bench-release
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(RELEASE_DIR)/libmxreg.a $(MXREG_NATIVE_STATIC_LIBS) -Wl,--gc-sections

$(BENCH_SMOKE_DIR)/mxreg_c: bench/mxreg_c.c $(BENCH_LOOP) include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ bench/mxreg_c.c bench/bench_loop.c $(LINK_DEBUG)

$(BENCH_SMOKE_DIR)/register: examples/register.c include/mxreg.h build
	@mkdir -p $(dir $@)
	$(CC) $(BENCH_CFLAGS) -o $@ $< $(LINK_DEBUG)

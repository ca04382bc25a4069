# Hardening: fuzzing with cargo-fuzz (libFuzzer + AddressSanitizer).
#
#   make fuzz [FUZZ_SECONDS=N] [FUZZ_TARGETS="a b"]   each target N seconds (default 300)
#   make fuzz-smoke                                   each target a few seconds (in `make test`)
#
# Seeds are committed in fuzz/corpus/<target>/ (real Synapse and OAuth answers,
# see fuzz/seeds.py); what a run discovers goes to fuzz/work/<target>/ and
# crashes to fuzz/artifacts/<target>/ (both ignored by git). Each run prints how
# many inputs every target executed without a crash; a crash fails the target.
#
# cargo-fuzz needs nightly-only compiler flags: the nightly toolchain when it is
# installed, else the stable one with RUSTC_BOOTSTRAP=1 (the same flags; the
# machine's image has only stable). The hostile-server, TLS, secrets and
# concurrency suites are ordinary `cargo test` targets (rust-suite).

FUZZ_TARGETS ?= register_answer matrix_answers oauth_answers signup_session signup_resume \
                probe_answers oauth_completion
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 4
FUZZ_TOOLCHAIN := $(shell rustup toolchain list 2>/dev/null | grep -q '^nightly' && echo +nightly)
FUZZ_CARGO := $(if $(FUZZ_TOOLCHAIN),$(CARGO) +nightly,RUSTC_BOOTSTRAP=1 $(CARGO) +stable)

SUITES += fuzz-smoke

.PHONY: fuzz fuzz-smoke fuzz-tools

fuzz-tools:
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked

# $(1): seconds per target.
define run_fuzz_targets
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p fuzz/work/$$t fuzz/artifacts/$$t; \
	  log=fuzz/work/$$t.log; \
	  if ! $(FUZZ_CARGO) fuzz run $$t fuzz/work/$$t fuzz/corpus/$$t -- \
	       -max_total_time=$(1) -print_final_stats=1 \
	       -artifact_prefix=fuzz/artifacts/$$t/ >$$log 2>&1; then \
	    tail -n 40 $$log; echo "fuzz target $$t FAILED (log: $$log)"; exit 1; \
	  fi; \
	  runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' $$log); \
	  echo "fuzz $$t: $$runs executions in $(1) s, no crash"; \
	done
endef

fuzz: fuzz-tools
	$(FUZZ_CARGO) fuzz build
	$(call run_fuzz_targets,$(FUZZ_SECONDS))

fuzz-smoke: fuzz-tools
	@$(if $(FUZZ_TOOLCHAIN),:,echo "fuzz-smoke: no nightly Rust toolchain: building with stable and RUSTC_BOOTSTRAP=1")
	@$(FUZZ_CARGO) fuzz build >fuzz/build.log 2>&1 || { tail -n 40 fuzz/build.log; exit 1; }
	$(call run_fuzz_targets,$(FUZZ_SMOKE_SECONDS))

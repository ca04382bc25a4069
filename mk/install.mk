# Installation for C and C++ consumers, and the suite that checks it.
#
#   make install PREFIX=/usr/local [LIBDIR=...] [INCLUDEDIR=...] [DESTDIR=/stage]
#
# installs, from a release build: include/mxreg.h, libmxreg.so.<version>
# with its soname link and libmxreg.so, libmxreg.a, lib/pkgconfig/mxreg.pc
# and lib/cmake/mxreg/ (find_package(mxreg), targets mxreg::mxreg and
# mxreg::mxreg_static). dist/install.sh does the work.

PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
DESTDIR    ?=
RELEASE_DIR := target/release
# What a static link needs besides libmxreg.a (glibc Linux), as printed by
# `cargo rustc --release --crate-type staticlib -- --print native-static-libs`;
# it goes into Libs.private and the static CMake target. The static
# consumers of the distribution suite fail if it falls short.
MXREG_NATIVE_STATIC_LIBS ?= -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

SUITES += distribution-suite

.PHONY: build-release install test-distribution distribution-suite

# The shipped libraries only, without the rlib Cargo.toml also lists (for the
# tests and the Rust API): built in the same rustc run, the rlib's Rust
# exports keep code the C ABI never reaches in the LTO'd .so and .a
# (+271 KiB in the stripped .so, +232 KiB in a static C program).
build-release:
	$(CARGO) rustc --release --lib --crate-type cdylib --crate-type staticlib

install: build-release
	@PREFIX='$(PREFIX)' LIBDIR='$(LIBDIR)' INCLUDEDIR='$(INCLUDEDIR)' DESTDIR='$(DESTDIR)' \
	  NATIVE_STATIC_LIBS='$(MXREG_NATIVE_STATIC_LIBS)' sh dist/install.sh $(RELEASE_DIR)

test-distribution: prerequisites-distribution
	$(RIG) run --variants open -- $(MAKE) --no-print-directory distribution-suite

# Installs into a temporary prefix, then builds and runs consumers found
# through pkg-config and CMake, linked shared and static (needs cmake,
# pkg-config and a C++ compiler; scripts/prerequisites.py installs them).
distribution-suite: build-release
	MAKE='$(MAKE)' bash tests/distribution/run.sh

#!/bin/sh
# Installs mxreg for C and C++ consumers from a release build directory:
# the header, libmxreg.so.<version> with its soname and development symlinks,
# libmxreg.a, mxreg.pc and the CMake package. mk/install.mk calls it.
#
#   dist/install.sh <build-dir>
#
# Environment: PREFIX, LIBDIR, INCLUDEDIR (absolute final paths, written into
# mxreg.pc and the CMake files), DESTDIR (staging root put in front of every
# path written to, never into the files), NATIVE_STATIC_LIBS (the -l flags a
# static link needs besides libmxreg.a).
set -eu

fail() {
  echo "install: $*" >&2
  exit 1
}

[ $# -eq 1 ] || fail "usage: $0 <build-dir>"
build_dir=$1
dist_dir=$(cd "$(dirname "$0")" && pwd)
header="$dist_dir/../include/mxreg.h"
: "${DESTDIR:=}"

for name in PREFIX LIBDIR INCLUDEDIR; do
  eval "value=\${$name:-}"
  case $value in
    /*) ;;
    *) fail "$name must be an absolute path (got '$value')" ;;
  esac
done
: "${NATIVE_STATIC_LIBS:?NATIVE_STATIC_LIBS is not set}"
for artifact in libmxreg.so libmxreg.a; do
  [ -f "$build_dir/$artifact" ] || fail "$build_dir/$artifact is missing: run cargo build --release"
done

# The version comes from the header that the release build generated; the
# soname from the library itself (build.rs decides it), so the two can
# never disagree with what is installed.
version=$(sed -n 's/^#define MXREG_VERSION "\(.*\)"$/\1/p' "$header")
major=$(sed -n 's/^#define MXREG_VERSION_MAJOR \([0-9]*\)$/\1/p' "$header")
minor=$(sed -n 's/^#define MXREG_VERSION_MINOR \([0-9]*\)$/\1/p' "$header")
[ -n "$version" ] && [ -n "$major" ] && [ -n "$minor" ] || fail "no version macros in $header"
soname=$(readelf -d "$build_dir/libmxreg.so" | sed -n 's/.*Library soname: \[\(.*\)\]$/\1/p')
case $soname in
  libmxreg.so.?*) ;;
  *) fail "$build_dir/libmxreg.so has no versioned soname (got '$soname'): build.rs sets it for release builds on Linux" ;;
esac
realname="libmxreg.so.$version"
case $realname in
  "$soname".*) ;;
  *) fail "soname $soname does not match version $version" ;;
esac
case $(readelf -h "$build_dir/libmxreg.so" | sed -n 's/^ *Class: *//p') in
  ELF64) sizeof_void_p=8 ;;
  ELF32) sizeof_void_p=4 ;;
  *) fail "cannot tell the pointer size of $build_dir/libmxreg.so" ;;
esac
# CMake wants library names as a list: "-lgcc_s -lutil" becomes "gcc_s;util".
native_static_libs_cmake=$(printf '%s\n' $NATIVE_STATIC_LIBS | sed 's/^-l//' | paste -sd ';' -)

# A value for the right-hand side of a sed s||| command.
sed_escape() {
  printf '%s' "$1" | sed 's/[&|\\]/\\&/g'
}

fill() {
  sed -e "s|@PREFIX@|$(sed_escape "$PREFIX")|g" \
    -e "s|@LIBDIR@|$(sed_escape "$LIBDIR")|g" \
    -e "s|@INCLUDEDIR@|$(sed_escape "$INCLUDEDIR")|g" \
    -e "s|@VERSION@|$version|g" \
    -e "s|@MAJOR@|$major|g" \
    -e "s|@MINOR@|$minor|g" \
    -e "s|@SONAME@|$soname|g" \
    -e "s|@REALNAME@|$realname|g" \
    -e "s|@SIZEOF_VOID_P@|$sizeof_void_p|g" \
    -e "s|@NATIVE_STATIC_LIBS@|$(sed_escape "$NATIVE_STATIC_LIBS")|g" \
    -e "s|@NATIVE_STATIC_LIBS_CMAKE@|$(sed_escape "$native_static_libs_cmake")|g" \
    "$dist_dir/$1" >"$2"
  if grep -q '@[A-Z_]*@' "$2"; then
    fail "$2 has an unfilled @...@ value"
  fi
}

include_dir="$DESTDIR$INCLUDEDIR"
lib_dir="$DESTDIR$LIBDIR"
install -d "$include_dir" "$lib_dir/pkgconfig" "$lib_dir/cmake/mxreg"

install -m 644 "$header" "$include_dir/mxreg.h"
install -m 755 "$build_dir/libmxreg.so" "$lib_dir/$realname"
ln -sfn "$realname" "$lib_dir/$soname"
ln -sfn "$soname" "$lib_dir/libmxreg.so"
install -m 644 "$build_dir/libmxreg.a" "$lib_dir/libmxreg.a"
fill mxreg.pc.in "$lib_dir/pkgconfig/mxreg.pc"
fill mxregConfig.cmake.in "$lib_dir/cmake/mxreg/mxregConfig.cmake"
fill mxregConfigVersion.cmake.in "$lib_dir/cmake/mxreg/mxregConfigVersion.cmake"

echo "installed mxreg $version ($soname) under $DESTDIR$PREFIX"
